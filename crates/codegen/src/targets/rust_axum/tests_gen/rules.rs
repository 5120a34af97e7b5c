//! What a body may not hold: each invalid value, left-out required values, read-only and
//! unknown properties, malformed JSON, taken unique values, references to rows that do not
//! exist; and what deleting a referenced row does (`on_delete`).

use specforge_spec::model::Operation;

use super::super::rust_str;
use super::write::{self, Body};
use super::{Subject, Suite, Tests};
use crate::samples::{self, Invalid};

pub(super) fn add(suite: &Suite<'_>, subject: &Subject<'_>, tests: &mut Tests) {
    if !subject.creatable {
        return;
    }
    let model = suite.plan.model;
    let update = subject.has(Operation::Update);
    for f in subject.writable() {
        for (kind, value) in samples::invalid(model, f.field) {
            let what = match kind {
                Invalid::Null => "null",
                Invalid::TooShort => "too short",
                Invalid::TooLong => "too long",
                Invalid::BelowMin => "below min",
                Invalid::AboveMax => "above max",
                Invalid::Pattern => "not matching the pattern",
                Invalid::NotInEnum => "not in the enum",
                Invalid::WrongType => "of the wrong type",
                Invalid::TooPrecise => "too precise",
            };
            let key = rust_str(&f.wire);
            let value = write::json(&value);
            tests.add(
                &format!("{} {what} is refused", f.field.name),
                &format!(
                    "`{}` {what}: 422 naming it, on create and update.",
                    f.wire.replace('`', "'")
                ),
                |b| {
                    b.line(format!("let mut body = app.{}().await;", subject.body_fn));
                    b.line(format!("body[{key}] = json!({value});"));
                    refused(subject, update, &key, b);
                },
            );
        }
    }
    let required = subject
        .writable()
        .filter(|f| f.field.required && f.field.default.is_none())
        .map(|f| (f.field.name.as_str(), &f.wire))
        .chain(
            subject
                .entity
                .refs
                .iter()
                .filter(|r| r.required)
                .map(|r| (r.relation.name.as_str(), &r.wire)),
        );
    for (name, wire) in required {
        let key = rust_str(wire);
        tests.add(
            &format!("{name} is required"),
            &format!(
                "A body without `{}`: 422 naming it, on create and update.",
                wire.replace('`', "'")
            ),
            |b| {
                b.line(format!("let mut body = app.{}().await;", subject.body_fn));
                b.line("let object = body.as_object_mut().expect(\"an object\");");
                b.line(format!("object.remove({key});"));
                refused(subject, update, &key, b);
            },
        );
    }
    let mut taken: Vec<&str> = subject.writable().map(|f| f.wire.as_str()).collect();
    taken.extend(subject.entity.refs.iter().map(|r| r.wire.as_str()));
    taken.extend(
        subject
            .entity
            .joins
            .iter()
            .map(|&j| suite.plan.joins[j].wire.as_str()),
    );
    for (key, phrase) in [
        ("unknown_property", "an unknown property is refused"),
        ("id", "id in the body is refused"),
        ("created_at", "created at in the body is refused"),
        ("updated_at", "updated at in the body is refused"),
    ] {
        if taken.contains(&key) {
            continue;
        }
        let key = rust_str(key);
        tests.add(phrase, &format!("A body with {key}: 422 naming it."), |b| {
            b.line(format!("let mut body = app.{}().await;", subject.body_fn));
            b.line(format!("body[{key}] = json!(\"2024-01-01T00:00:00Z\");"));
            b.line("let response = app.post(PATH, &body).await;");
            expect_422(b, &key);
        });
    }
    tests.add(
        "malformed json is refused",
        "A body that is not a JSON object: 422 naming `body`.",
        |b| {
            b.line("let token = app.token(ALL_ROLES);");
            b.open("for text in [\"{\", \"[]\", \"not json\", \"{\\\"a\\\": }\"]");
            b.line("let response = app.request(\"POST\", PATH, Some(&token), Some(text)).await;");
            b.line("assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, \"{text}\");");
            b.line("assert!(response.names(\"body\"), \"{text}: {}\", response.body);");
            b.close("}");
        },
    );
    for f in subject.writable().filter(|f| f.unique_constraint.is_some()) {
        let key = rust_str(&f.wire);
        tests.add(
            &format!("{} must be unique", f.field.name),
            &format!("A taken `{}`: 409 naming it.", f.wire.replace('`', "'")),
            |b| {
                b.line(format!("let first = app.{}().await;", subject.create_fn));
                b.line(format!("let mut body = app.{}().await;", subject.body_fn));
                b.line(format!("body[{key}] = first[{key}].clone();"));
                conflict(b, &key);
            },
        );
    }
    for r in subject.entity.refs.iter() {
        let target = &suite.subjects[r.target];
        if !(r.unique && target.creatable) {
            continue;
        }
        let key = rust_str(&r.wire);
        tests.add(
            &format!("{} must be unique", r.relation.name),
            &format!(
                "Two rows referring to the same row by `{}`: 409 naming it.",
                r.wire.replace('`', "'")
            ),
            |b| {
                b.line(format!("let target = app.{}().await;", target.create_fn));
                b.line(format!("let mut body = app.{}().await;", subject.body_fn));
                b.line(format!("body[{key}] = target[\"id\"].clone();"));
                b.line("app.create(PATH, &body).await;");
                b.line(format!("let mut body = app.{}().await;", subject.body_fn));
                b.line(format!("body[{key}] = target[\"id\"].clone();"));
                conflict(b, &key);
            },
        );
    }
    let mut lists = Vec::new();
    for r in &subject.entity.refs {
        lists.push((r.relation.name.as_str(), &r.wire, "json!(MISSING_ID)"));
    }
    for &j in &subject.entity.joins {
        let join = &suite.plan.joins[j];
        lists.push((
            join.relation.name.as_str(),
            &join.wire,
            "json!([MISSING_ID])",
        ));
    }
    for (name, wire, value) in lists {
        let key = rust_str(wire);
        tests.add(
            &format!("{name} must exist"),
            &format!(
                "`{}` naming a row that does not exist: 422 naming it.",
                wire.replace('`', "'")
            ),
            |b| {
                b.line(format!("let mut body = app.{}().await;", subject.body_fn));
                b.line(format!("body[{key}] = {value};"));
                b.line("let response = app.post(PATH, &body).await;");
                expect_422(b, &key);
            },
        );
    }
    for r in &subject.entity.refs {
        let target = &suite.subjects[r.target];
        if !target.creatable || !target.has(Operation::Delete) {
            continue;
        }
        let (phrase, doc) = match r.on_delete {
            "CASCADE" => ("cascades", "deletes the rows referring to it"),
            "SET NULL" => ("sets null", "sets their reference to `null`"),
            _ => (
                "is refused while referenced",
                "is refused with 409 while rows refer to it",
            ),
        };
        tests.add(
            &format!("deleting {} {phrase}", r.relation.name),
            &format!(
                "Deleting the row `{}` names {doc}.",
                r.wire.replace('`', "'")
            ),
            |b| on_delete(subject, target, &rust_str(&r.wire), r.on_delete, b),
        );
    }
}

/// Posts `body` (and puts it to a row that exists): 422 naming `key`.
fn refused(subject: &Subject<'_>, update: bool, key: &str, b: &mut Body) {
    b.line("let response = app.post(PATH, &body).await;");
    expect_422(b, key);
    if update {
        b.line(format!("let created = app.{}().await;", subject.create_fn));
        b.line("let id = created[\"id\"].as_str().expect(\"an id\");");
        b.line("let response = app.put(&format!(\"{PATH}/{id}\"), &body).await;");
        expect_422(b, key);
    }
}

fn expect_422(b: &mut Body, key: &str) {
    b.assert_eq(
        "response.status",
        "StatusCode::UNPROCESSABLE_ENTITY",
        &["\"{}\"", "response.body"],
    );
    b.call(
        "",
        "assert!",
        &[
            format!("response.names({key})"),
            "\"{}\"".to_owned(),
            "response.body".to_owned(),
        ],
        ";",
    );
}

fn conflict(b: &mut Body, key: &str) {
    b.line("let response = app.post(PATH, &body).await;");
    b.assert_eq(
        "response.status",
        "StatusCode::CONFLICT",
        &["\"{}\"", "response.body"],
    );
    b.assert_eq("response.body[\"errors\"][0][\"field\"]", key, &[]);
}

fn on_delete(subject: &Subject<'_>, target: &Subject<'_>, key: &str, action: &str, b: &mut Body) {
    b.line(format!("let parent = app.{}().await;", target.create_fn));
    b.line(format!("let mut body = app.{}().await;", subject.body_fn));
    b.line(format!("body[{key}] = parent[\"id\"].clone();"));
    b.line("let child = app.create(PATH, &body).await;");
    b.line("let parent_id = parent[\"id\"].as_str().expect(\"an id\");");
    let uri = rust_str(&format!("{}/{{parent_id}}", target.path));
    b.call("let uri = ", "format!", &[uri], ";");
    b.line("let response = app.delete(&uri).await;");
    let status = if matches!(action, "CASCADE" | "SET NULL") {
        "StatusCode::NO_CONTENT"
    } else {
        "StatusCode::CONFLICT"
    };
    b.assert_eq("response.status", status, &["\"{}\"", "response.body"]);
    if !subject.has(Operation::Get) {
        return;
    }
    b.line("let child_id = child[\"id\"].as_str().expect(\"an id\");");
    b.line("let response = app.get(&format!(\"{PATH}/{child_id}\")).await;");
    match action {
        "CASCADE" => b.line("assert_eq!(response.status, StatusCode::NOT_FOUND);"),
        "SET NULL" => {
            b.line("assert_eq!(response.status, StatusCode::OK);");
            b.assert_eq(&format!("response.body[{key}]"), "json!(null)", &[]);
        }
        _ => {
            b.line("assert_eq!(response.status, StatusCode::OK);");
            b.assert_eq(&format!("response.body[{key}]"), "parent[\"id\"]", &[]);
        }
    }
}
