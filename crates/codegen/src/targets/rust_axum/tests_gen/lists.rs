//! Lists: every row, pages, bad list parameters, each sort (both ways) and each filter.

use serde_json::Value;
use specforge_spec::model::{FieldType, Operation};

use super::super::rust_str;
use super::write::{Body, encode};
use super::{Subject, Suite, Tests, as_served, distinct_samples};
use crate::plan::{FilterOn, Plan};
use crate::samples;

pub(super) fn add(suite: &Suite<'_>, subject: &Subject<'_>, tests: &mut Tests) {
    if !subject.has(Operation::List) {
        return;
    }
    let rows = if subject.creatable { 3 } else { 0 };
    tests.add(
        "list answers every row",
        "The list holds every row; `total` counts them.",
        |b| {
            create_rows(subject, rows, b);
            b.line("let response = app.get(PATH).await;");
            b.assert_eq(
                "response.status",
                "StatusCode::OK",
                &["\"{}\"", "response.body"],
            );
            b.line(format!("assert_eq!(response.body[\"total\"], {rows});"));
            b.line("assert_eq!(response.body[\"page\"], 1);");
            if rows == 0 {
                b.line("assert!(response.items().is_empty());");
            } else {
                b.line("let ids = response.ids();");
                b.open("for row in [&first, &second, &third]");
                b.line("assert!(ids.contains(&row[\"id\"]), \"{}\", row[\"id\"]);");
                b.close("}");
            }
        },
    );
    if subject.creatable {
        tests.add(
            "list page size limits a page",
            "`page_size` limits the items of a page, not `total`.",
            |b| {
                create_rows(subject, 0, b);
                b.line("let response = app.get(&format!(\"{PATH}?page_size=2\")).await;");
                b.assert_eq(
                    "response.status",
                    "StatusCode::OK",
                    &["\"{}\"", "response.body"],
                );
                b.line("assert_eq!(response.items().len(), 2);");
                b.line("assert_eq!(response.body[\"total\"], 3);");
                b.line("assert_eq!(response.body[\"page_size\"], 2);");
            },
        );
        tests.add(
            "list next page holds the rest",
            "The second page holds the rows the first did not.",
            |b| {
                create_rows(subject, 0, b);
                b.line("let first = app.get(&format!(\"{PATH}?page=1&page_size=2\")).await;");
                b.line("let second = app.get(&format!(\"{PATH}?page=2&page_size=2\")).await;");
                b.line("assert_eq!(second.status, StatusCode::OK, \"{}\", second.body);");
                b.line("assert_eq!(second.items().len(), 1);");
                b.line("let mut ids = first.ids();");
                b.line("ids.extend(second.ids());");
                b.line("ids.sort_by_key(|id| id.to_string());");
                b.line("ids.dedup();");
                b.line("assert_eq!(ids.len(), 3, \"the pages overlap\");");
            },
        );
    }
    let max = subject.entity.entity.list.page_size.max(100) + 1;
    for (phrase, query, field) in [
        ("list refuses page 0", "page=0".to_owned(), "query.page"),
        (
            "list refuses a page that is not a number",
            "page=x".to_owned(),
            "query.page",
        ),
        (
            "list refuses page size 0",
            "page_size=0".to_owned(),
            "query.page_size",
        ),
        (
            &format!("list refuses page size {max}"),
            format!("page_size={max}"),
            "query.page_size",
        ),
        (
            "list refuses an unknown sort",
            "sort=not-a-field".to_owned(),
            "query.sort",
        ),
    ] {
        tests.add(phrase, &format!("`?{query}`: 422 naming `{field}`."), |b| {
            b.line(format!(
                "let response = app.get(&format!(\"{{PATH}}?{query}\")).await;"
            ));
            expect_422(b, &rust_str(field));
        });
    }
    for wire in &subject.entity.sorts {
        let Some(field) = subject.entity.fields.iter().find(|f| f.wire == *wire) else {
            continue;
        };
        let distinct = subject.creatable && distinct_samples(suite, field);
        let encoded = encode(wire);
        tests.add(
            &format!("list sorts by {}", field.field.name),
            &format!(
                "`?sort={encoded}` and `?sort=-{encoded}`{}.",
                if distinct {
                    ": one order is the other reversed"
                } else {
                    " are served"
                }
            ),
            |b| {
                create_rows(subject, 0, b);
                b.call(
                    "let uri = ",
                    "format!",
                    &[rust_str(&format!("{{PATH}}?sort={encoded}"))],
                    ";",
                );
                b.line("let up = app.get(&uri).await;");
                b.line("assert_eq!(up.status, StatusCode::OK, \"{}\", up.body);");
                b.call(
                    "let uri = ",
                    "format!",
                    &[rust_str(&format!("{{PATH}}?sort=-{encoded}"))],
                    ";",
                );
                b.line("let down = app.get(&uri).await;");
                b.line("assert_eq!(down.status, StatusCode::OK, \"{}\", down.body);");
                let rows = if subject.creatable { 3 } else { 0 };
                b.line(format!("assert_eq!(up.body[\"total\"], {rows});"));
                if distinct {
                    b.line("let mut reversed = down.ids();");
                    b.line("reversed.reverse();");
                    b.line("assert_eq!(up.ids(), reversed);");
                }
            },
        );
    }
    for filter in &subject.entity.filters {
        let encoded = encode(&filter.wire);
        let key = rust_str(&filter.wire);
        let bad = match filter.on {
            FilterOn::Field(f) => {
                let field = &subject.entity.fields[f];
                if field.field.ty == FieldType::Json {
                    continue;
                }
                if subject.creatable && field.writable {
                    let value = as_served(field, &suite.sample(field, 0));
                    if !value.is_null() {
                        let text = match &value {
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        };
                        tests.add(
                            &format!("list filters by {}", filter.wire),
                            &format!("`?{encoded}=…` answers the rows with that value only."),
                            |b| {
                                b.line(format!("let first = app.{}().await;", subject.create_fn));
                                b.line(format!("app.{}().await;", subject.create_fn));
                                let uri = format!("{{PATH}}?{encoded}={}", encode(&text));
                                b.call("let uri = ", "format!", &[rust_str(&uri)], ";");
                                filtered(b, &key);
                            },
                        );
                    }
                }
                bad_value(suite.plan, &field.field.ty)
            }
            FilterOn::Ref(r) => {
                let reference = &subject.entity.refs[r];
                let target = &suite.subjects[reference.target];
                if subject.creatable && target.creatable {
                    tests.add(
                        &format!("list filters by {}", filter.wire),
                        &format!("`?{encoded}=…` answers the rows referring to that row only."),
                        |b| {
                            for name in ["first", "second"] {
                                b.line(format!("let mut body = app.{}().await;", subject.body_fn));
                                b.chain(
                                    &format!("body[{}] = ", rust_str(&reference.wire)),
                                    "app",
                                    &[
                                        &format!("{}()", target.create_fn),
                                        "await[\"id\"]",
                                        "clone()",
                                    ],
                                    ";",
                                );
                                b.line(format!("let {name} = app.create(PATH, &body).await;"));
                            }
                            b.line(format!(
                                "let id = first[{}].as_str().expect(\"an id\");",
                                rust_str(&reference.wire)
                            ));
                            b.call(
                                "let uri = ",
                                "format!",
                                &[rust_str(&format!("{{PATH}}?{encoded}={{id}}"))],
                                ";",
                            );
                            filtered(b, &key);
                            b.line("assert!(!response.ids().contains(&second[\"id\"]));");
                        },
                    );
                }
                Some("not-a-uuid".to_owned())
            }
        };
        if let Some(bad) = bad {
            let query = format!("{encoded}={}", encode(&bad));
            tests.add(
                &format!("list refuses a bad {}", filter.wire),
                &format!("`?{query}`: 422 naming `query.{}`.", filter.wire),
                |b| {
                    b.call(
                        "let uri = ",
                        "format!",
                        &[rust_str(&format!("{{PATH}}?{query}"))],
                        ";",
                    );
                    b.line("let response = app.get(&uri).await;");
                    expect_422(b, &rust_str(&format!("query.{}", filter.wire)));
                },
            );
        }
    }
}

/// Creates three rows (`first`, `second`, `third` when `named`).
fn create_rows(subject: &Subject<'_>, named: usize, b: &mut Body) {
    if !subject.creatable {
        return;
    }
    for name in ["first", "second", "third"] {
        if named > 0 {
            b.line(format!("let {name} = app.{}().await;", subject.create_fn));
        } else {
            b.line(format!("app.{}().await;", subject.create_fn));
        }
    }
}

/// Gets `uri`: `first` is among the items, and every item has its value of `key`.
fn filtered(b: &mut Body, key: &str) {
    b.line("let response = app.get(&uri).await;");
    b.assert_eq(
        "response.status",
        "StatusCode::OK",
        &["\"{}\"", "response.body"],
    );
    b.line("assert!(response.ids().contains(&first[\"id\"]));");
    b.open("for item in response.items()");
    b.assert_eq(&format!("item[{key}]"), &format!("first[{key}]"), &[]);
    b.close("}");
}

fn expect_422(b: &mut Body, field: &str) {
    b.assert_eq(
        "response.status",
        "StatusCode::UNPROCESSABLE_ENTITY",
        &["\"{}\"", "response.body"],
    );
    b.call(
        "",
        "assert!",
        &[
            format!("response.names({field})"),
            "\"{}\"".to_owned(),
            "response.body".to_owned(),
        ],
        ";",
    );
}

/// A filter value of the wrong type, when the type has one.
fn bad_value(plan: &Plan<'_>, ty: &FieldType) -> Option<String> {
    Some(match ty {
        FieldType::Integer | FieldType::Bigint | FieldType::Float | FieldType::Decimal => {
            "not-a-number".to_owned()
        }
        FieldType::Boolean => "maybe".to_owned(),
        FieldType::Date => "2024-13-45".to_owned(),
        FieldType::Datetime => "yesterday".to_owned(),
        FieldType::Uuid => "not-a-uuid".to_owned(),
        FieldType::Enum(name) => {
            let values = plan
                .enums
                .iter()
                .find(|e| e.name == name)
                .map(|e| e.values)
                .unwrap_or_default();
            samples::not_in_enum(values)
        }
        _ => return None,
    })
}
