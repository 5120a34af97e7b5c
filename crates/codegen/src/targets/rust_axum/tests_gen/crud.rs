//! Create, read, update and delete, and the defaults of fields left out.

use specforge_spec::model::Operation;

use super::super::rust_str;
use super::write::{self, Body};
use super::{Subject, Suite, Tests, as_served};

pub(super) fn add(suite: &Suite<'_>, subject: &Subject<'_>, tests: &mut Tests) {
    let get = subject.has(Operation::Get);
    if subject.creatable {
        tests.add(
            "create answers 201 with the resource",
            "A valid body creates a row: 201, the resource with every value sent, and its \
             `Location`.",
            |b| create(suite, subject, b),
        );
    }
    if get && subject.creatable {
        tests.add(
            "get answers the resource",
            "`GET` by id answers what the create answered.",
            |b| {
                b.line(format!("let created = app.{}().await;", subject.create_fn));
                b.line("let id = created[\"id\"].as_str().expect(\"an id\");");
                b.line("let response = app.get(&format!(\"{PATH}/{id}\")).await;");
                b.assert_eq(
                    "response.status",
                    "StatusCode::OK",
                    &["\"{}\"", "response.body"],
                );
                b.line("assert_eq!(response.body, created);");
            },
        );
    }
    if get {
        tests.add("get unknown id is 404", "An id no row has: 404.", |b| {
            b.line("let response = app.get(&format!(\"{PATH}/{MISSING_ID}\")).await;");
            b.line("assert_eq!(response.status, StatusCode::NOT_FOUND);");
        });
        tests.add(
            "get malformed id is 422",
            "An id that is not a UUID: 422 naming `path.id`.",
            |b| {
                b.line("let response = app.get(&format!(\"{PATH}/not-a-uuid\")).await;");
                b.assert_eq("response.status", "StatusCode::UNPROCESSABLE_ENTITY", &[]);
                b.line("assert!(response.names(\"path.id\"), \"{}\", response.body);");
            },
        );
    }
    if subject.has(Operation::Update) && subject.creatable {
        tests.add(
            "update replaces the resource",
            "`PUT` replaces every value; the id stays.",
            |b| update(suite, subject, b),
        );
        tests.add(
            "update unknown id is 404",
            "`PUT` to an id no row has: 404.",
            |b| {
                b.line(format!("let body = app.{}().await;", subject.body_fn));
                b.line("let uri = format!(\"{PATH}/{MISSING_ID}\");");
                b.line("let response = app.put(&uri, &body).await;");
                b.line("assert_eq!(response.status, StatusCode::NOT_FOUND);");
            },
        );
    }
    if subject.has(Operation::Delete) {
        if subject.creatable {
            tests.add(
                "delete removes the row",
                "`DELETE` answers 204; the row is gone.",
                |b| {
                    b.line(format!("let created = app.{}().await;", subject.create_fn));
                    b.line("let id = created[\"id\"].as_str().expect(\"an id\");");
                    b.line("let uri = format!(\"{PATH}/{id}\");");
                    b.line("let response = app.delete(&uri).await;");
                    b.assert_eq(
                        "response.status",
                        "StatusCode::NO_CONTENT",
                        &["\"{}\"", "response.body"],
                    );
                    if get {
                        b.line("let response = app.get(&uri).await;");
                        b.line("assert_eq!(response.status, StatusCode::NOT_FOUND);");
                    }
                    b.line("let response = app.delete(&uri).await;");
                    b.line("assert_eq!(response.status, StatusCode::NOT_FOUND);");
                },
            );
        }
        tests.add(
            "delete unknown id is 404",
            "`DELETE` of an id no row has: 404.",
            |b| {
                b.line("let response = app.delete(&format!(\"{PATH}/{MISSING_ID}\")).await;");
                b.line("assert_eq!(response.status, StatusCode::NOT_FOUND);");
            },
        );
    }
    if subject.creatable {
        for f in subject.writable() {
            let Some(default) = f.field.default.as_ref().filter(|d| !d.is_null()) else {
                continue;
            };
            let wire = rust_str(&f.wire);
            let value = write::comparable(&as_served(f, default));
            tests.add(
                &format!("{} left out takes its default", f.field.name),
                &format!(
                    "A body without `{}` gets the default.",
                    f.wire.replace('`', "'")
                ),
                |b| {
                    b.line(format!("let mut body = app.{}().await;", subject.body_fn));
                    b.line("let object = body.as_object_mut().expect(\"an object\");");
                    b.line(format!("object.remove({wire});"));
                    b.line("let created = app.create(PATH, &body).await;");
                    b.assert_eq(&format!("created[{wire}]"), &value, &[]);
                },
            );
        }
    }
}

/// The body of the `n`-th sample of `subject`, written out, with new rows for the required
/// references and for one id of each list whose target can be created.
fn written_body(suite: &Suite<'_>, subject: &Subject<'_>, n: usize, b: &mut Body) {
    let mut props = suite.body(subject, n);
    for r in &subject.entity.refs {
        let value = if r.required {
            suite.new_row_id(r.target)
        } else {
            "null".to_owned()
        };
        props.push((r.wire.clone(), value));
    }
    for &j in &subject.entity.joins {
        let join = &suite.plan.joins[j];
        let value = if suite.subjects[join.target].creatable {
            format!("[{}]", suite.new_row_id(join.target))
        } else {
            "[]".to_owned()
        };
        props.push((join.wire.clone(), value));
    }
    b.json_object("let body = ", &props);
}

/// Asserts that `response.body` holds the `n`-th sample's values, in the resource's order.
fn assert_resource(suite: &Suite<'_>, subject: &Subject<'_>, n: usize, b: &mut Body) {
    for f in subject.writable() {
        let value = write::comparable(&as_served(f, &suite.sample(f, n)));
        b.assert_eq(
            &format!("response.body[{}]", rust_str(&f.wire)),
            &value,
            &[],
        );
    }
    let mut keys: Vec<&str> = subject
        .entity
        .fields
        .iter()
        .filter(|f| f.writable || f.field.primary_key)
        .map(|f| f.wire.as_str())
        .collect();
    keys.extend(subject.entity.refs.iter().map(|r| r.wire.as_str()));
    keys.extend(
        subject
            .entity
            .joins
            .iter()
            .map(|&j| suite.plan.joins[j].wire.as_str()),
    );
    keys.extend(
        subject
            .entity
            .fields
            .iter()
            .filter(|f| !f.writable && !f.field.primary_key)
            .map(|f| f.wire.as_str()),
    );
    b.assert_eq(
        "response.keys().join(\", \")",
        &rust_str(&keys.join(", ")),
        &[],
    );
}

fn create(suite: &Suite<'_>, subject: &Subject<'_>, b: &mut Body) {
    written_body(suite, subject, subject.samples, b);
    b.line("let response = app.post(PATH, &body).await;");
    b.assert_eq(
        "response.status",
        "StatusCode::CREATED",
        &["\"{}\"", "response.body"],
    );
    assert_resource(suite, subject, subject.samples, b);
    for wire in references(suite, subject) {
        let key = rust_str(&wire);
        b.assert_eq(
            &format!("response.body[{key}]"),
            &format!("body[{key}]"),
            &[],
        );
    }
    b.line("let id = response.body[\"id\"].as_str().expect(\"an id\");");
    b.line("let location = format!(\"{PATH}/{id}\");");
    b.assert_eq(
        "response.header(header::LOCATION)",
        "Some(location.as_str())",
        &[],
    );
}

fn update(suite: &Suite<'_>, subject: &Subject<'_>, b: &mut Body) {
    b.line(format!("let created = app.{}().await;", subject.create_fn));
    let mut props = suite.body(subject, subject.samples + 1);
    for r in &subject.entity.refs {
        let key = rust_str(&r.wire);
        props.push((r.wire.clone(), format!("created[{key}]")));
    }
    for &j in &subject.entity.joins {
        props.push((suite.plan.joins[j].wire.clone(), "[]".to_owned()));
    }
    b.json_object("let body = ", &props);
    b.line("let id = created[\"id\"].as_str().expect(\"an id\");");
    b.line("let response = app.put(&format!(\"{PATH}/{id}\"), &body).await;");
    b.assert_eq(
        "response.status",
        "StatusCode::OK",
        &["\"{}\"", "response.body"],
    );
    assert_resource(suite, subject, subject.samples + 1, b);
    for wire in references(suite, subject) {
        let key = rust_str(&wire);
        b.assert_eq(
            &format!("response.body[{key}]"),
            &format!("body[{key}]"),
            &[],
        );
    }
    b.line("assert_eq!(response.body[\"id\"], created[\"id\"]);");
    if subject.has(Operation::Get) {
        b.line("let again = app.get(&format!(\"{PATH}/{id}\")).await;");
        b.line("assert_eq!(again.body, response.body);");
    }
}

/// The wire names of the references and id lists.
fn references(suite: &Suite<'_>, subject: &Subject<'_>) -> Vec<String> {
    let mut out: Vec<String> = subject.entity.refs.iter().map(|r| r.wire.clone()).collect();
    out.extend(
        subject
            .entity
            .joins
            .iter()
            .map(|&j| suite.plan.joins[j].wire.clone()),
    );
    out
}
