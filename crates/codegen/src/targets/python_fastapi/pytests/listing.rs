//! Filters and sorts of the list.

use serde_json::Value;
use specforge_spec::model::{FieldType, Operation};

use super::super::literals::py_str;
use super::py::{Block, atom, call, dict, kw, list, s, value};
use super::{Entity, Fx, Kind, Module, Project, field_name, kind, local, words};
use crate::plan::FilterOn;
use crate::samples;

const ALL: [Fx; 3] = [Fx::Client, Fx::Headers, Fx::Factory];

/// A query value of `ty` that does not parse.
fn bad_query_value(p: &Project<'_>, ty: &FieldType) -> Option<String> {
    Some(match ty {
        FieldType::Integer | FieldType::Bigint | FieldType::Float | FieldType::Decimal => {
            "twelve".to_owned()
        }
        FieldType::Boolean => "maybe".to_owned(),
        FieldType::Date => "2024-13-45".to_owned(),
        FieldType::Datetime => "yesterday".to_owned(),
        FieldType::Uuid => "not-a-uuid".to_owned(),
        FieldType::Enum(name) => {
            let values = p
                .plan
                .model
                .enum_(name)
                .map(|e| e.values.as_slice())
                .unwrap_or_default();
            samples::not_in_enum(values)
        }
        _ => return None,
    })
}

/// `response = client.get(URL, params={...}, headers=headers)`.
fn list_with(b: &mut Block, params: Vec<(String, super::py::Expr)>) {
    b.stmt(
        "response = ",
        &call(
            "client.get",
            vec![
                atom("URL"),
                kw("params", dict(params)),
                kw("headers", atom("headers")),
            ],
        ),
        "",
    );
}

pub(super) fn tests(p: &Project<'_>, e: &Entity<'_>, m: &mut Module) {
    if !e.has(Operation::List) {
        return;
    }
    let many = &e.many;
    let factory = &p.factories[e.index];
    let can_create = e.creatable;
    for filter in &e.plan.filters {
        let w = py_str(&filter.wire);
        let (bad, good) = match filter.on {
            FilterOn::Field(i) => {
                let f = &e.plan.fields[i];
                if f.field.ty == FieldType::Json {
                    continue;
                }
                (bad_query_value(p, &f.field.ty), can_create && f.writable)
            }
            FilterOn::Ref(r) => (
                Some("not-a-uuid".to_owned()),
                can_create && p.creatable[e.plan.refs[r].target],
            ),
        };
        if good {
            let mut b = Block::new(4);
            let w = field_name(&mut b, &filter.wire);
            let both = match filter.on {
                FilterOn::Field(_) => {
                    let a = &e.samples[0][&filter.wire];
                    let z = &e.samples[1][&filter.wire];
                    // The second row is named only when the filter matches it too.
                    for (var, v) in [("first = ", a), (if a == z { "second = " } else { "" }, z)] {
                        b.stmt(
                            var,
                            &call(
                                format!("factory.{factory}"),
                                vec![dict(vec![(w.clone(), value(v))])],
                            ),
                            "",
                        );
                    }
                    a == z
                }
                FilterOn::Ref(r) => {
                    let rp = &e.plan.refs[r];
                    let target = local(&rp.relation.name, "target", &[]);
                    let make = atom(format!("factory.{}()", p.factories[rp.target]));
                    b.stmt(&format!("{target} = "), &make, "");
                    b.stmt(
                        "first = ",
                        &call(
                            format!("factory.{factory}"),
                            vec![dict(vec![(w.clone(), atom(format!("{target}[\"id\"]")))])],
                        ),
                        "",
                    );
                    b.line(format!("factory.{factory}()"));
                    false
                }
            };
            list_with(&mut b, vec![(w.clone(), atom(format!("first[{w}]")))]);
            let ids = m.uses("item_ids");
            if both {
                b.line(format!(
                    "assert {ids}(response) == sorted([first[\"id\"], second[\"id\"]])"
                ));
            } else {
                b.line(format!("assert {ids}(response) == [first[\"id\"]]"));
                b.line("assert response.json()[\"total\"] == 1");
            }
            m.test(
                &format!("list_{many}_filtered_by_{}", words(&filter.wire)),
                &ALL,
                b,
            );
        }
        if let Some(bad) = bad {
            let mut b = Block::new(4);
            list_with(&mut b, vec![(w.clone(), s(&bad))]);
            b.stmt(
                "assert ",
                &atom(format!(
                    "{} in {}(response)",
                    py_str(&format!("query.{}", filter.wire)),
                    m.uses("error_fields")
                )),
                "",
            );
            m.test(
                &format!("list_{many}_refuses_a_bad_{}", words(&filter.wire)),
                &[Fx::Client, Fx::Headers],
                b,
            );
        }
    }
    if !can_create {
        return;
    }
    let max_page_size = e.plan.entity.list.page_size.max(100);
    for sort in &e.plan.sorts {
        let Some(f) = e.plan.fields.iter().find(|f| &f.wire == sort) else {
            continue;
        };
        let w = py_str(sort);
        // Three different values where the samples have them, largest first.
        let mut values: Vec<&Value> = Vec::new();
        if f.writable {
            for sample in &e.samples {
                let v = &sample[sort];
                if !values.contains(&v) {
                    values.push(v);
                }
                if values.len() == 3 {
                    break;
                }
            }
            values.reverse();
        }
        for descending in [false, true] {
            let mut b = Block::new(4);
            let rows = if values.len() >= 2 {
                values
                    .iter()
                    .map(|v| {
                        call(
                            format!("factory.{factory}"),
                            vec![dict(vec![(w.clone(), value(v))])],
                        )
                    })
                    .collect()
            } else {
                (0..3)
                    .map(|_| atom(format!("factory.{factory}()")))
                    .collect()
            };
            b.stmt("rows = ", &list(rows), "");
            let param = if descending {
                py_str(&format!("-{sort}"))
            } else {
                w.clone()
            };
            list_with(
                &mut b,
                vec![
                    ("\"sort\"".to_owned(), atom(param)),
                    ("\"page_size\"".to_owned(), atom(max_page_size.to_string())),
                ],
            );
            let mut args = vec![atom("rows"), atom(w.clone())];
            if descending {
                args.push(kw("descending", atom("True")));
            }
            if kind(&f.field.ty) == Kind::Decimal {
                m.decimal = true;
                args.push(kw("key", atom("Decimal")));
            }
            let ordered = call(m.uses("ordered"), args);
            b.stmt(
                &format!("assert {}(response) == ", m.uses("item_ids")),
                &ordered,
                "",
            );
            let name = format!(
                "list_{many}_sorted_by_{}{}",
                words(sort),
                if descending { "_descending" } else { "" }
            );
            m.test(&name, &ALL, b);
        }
    }
}
