//! The data of each entity's generated tests, written as `tests/cases/<table>.json`, and which
//! of the tests it backs.

use serde_json::{Value, json};
use specforge_spec::Model;
use specforge_spec::model::{FieldType, Operation};

use super::SAMPLES;
use super::context::EntityTests;
use super::literals::py_str;
use crate::plan::{FilterOn, Plan};
use crate::samples::{self, Invalid};

/// The kind of a field, as the generated tests compare values.
pub(super) fn kind(ty: &FieldType) -> &'static str {
    match ty {
        FieldType::String | FieldType::Text | FieldType::Email | FieldType::Url => "string",
        FieldType::Integer | FieldType::Bigint => "integer",
        FieldType::Float => "float",
        FieldType::Decimal => "decimal",
        FieldType::Boolean => "boolean",
        FieldType::Date => "date",
        FieldType::Datetime => "datetime",
        FieldType::Uuid => "uuid",
        FieldType::Json => "json",
        FieldType::Enum(_) => "enum",
    }
}

/// A query value of `ty` that does not parse.
fn bad_query_value(model: &Model, ty: &FieldType) -> Option<String> {
    Some(match ty {
        FieldType::Integer | FieldType::Bigint | FieldType::Float | FieldType::Decimal => {
            "twelve".to_owned()
        }
        FieldType::Boolean => "maybe".to_owned(),
        FieldType::Date => "2024-13-45".to_owned(),
        FieldType::Datetime => "yesterday".to_owned(),
        FieldType::Uuid => "not-a-uuid".to_owned(),
        FieldType::Enum(name) => {
            let values = model
                .enum_(name)
                .map(|e| e.values.as_slice())
                .unwrap_or_default();
            samples::not_in_enum(values)
        }
        _ => return None,
    })
}

/// The case data of one entity's tests (written as JSON) and which tests it backs.
pub(super) fn test_cases(
    plan: &Plan<'_>,
    index: usize,
    creatable: &[bool],
    keys: &[String],
    all_roles: &[String],
    kinds: Value,
    max_page_size: u32,
) -> (Value, EntityTests) {
    let model = plan.model;
    let e = &plan.entities[index];
    let ops = &e.entity.operations;
    let has = |op: Operation| ops.contains(&op);
    let can_create = creatable[index];
    let mut tests = EntityTests {
        key_py: py_str(&keys[index]),
        creatable: can_create,
        ..EntityTests::default()
    };

    let samples: Vec<Value> = (0..SAMPLES)
        .map(|n| {
            let mut body = serde_json::Map::new();
            for f in e.fields.iter().filter(|f| f.writable) {
                body.insert(f.wire.clone(), samples::valid(model, f.field, n));
            }
            Value::Object(body)
        })
        .collect();
    let mut unknown = "sf_unknown".to_owned();
    while e.fields.iter().any(|f| f.wire == unknown) {
        unknown.push('x');
    }

    let mut invalid = Vec::new();
    let mut missing = Vec::new();
    for f in e.fields.iter().filter(|f| f.writable) {
        for (k, value) in samples::invalid(model, f.field) {
            if k == Invalid::Null && f.field.default.is_some() && !f.field.required {
                continue;
            }
            invalid.push(json!({"field": f.wire, "kind": k.as_str(), "value": value}));
        }
        if f.field.required && f.field.default.is_none() {
            missing.push(json!(f.wire));
        }
    }
    let refs: Vec<Value> = e
        .refs
        .iter()
        .map(|r| {
            if r.required {
                missing.push(json!(r.wire));
            }
            let target = &plan.entities[r.target];
            json!({
                "wire": r.wire,
                "target": keys[r.target],
                "required": r.required,
                "unique": r.unique,
                "on_delete": r.on_delete,
                "target_creatable": creatable[r.target],
                "target_delete": target.entity.operations.contains(&Operation::Delete),
            })
        })
        .collect();
    let id_lists: Vec<Value> = e
        .joins
        .iter()
        .map(|&j| {
            let jp = &plan.joins[j];
            json!({"wire": jp.wire, "target": keys[jp.target], "target_creatable": creatable[jp.target]})
        })
        .collect();

    let unique: Vec<Value> = e
        .fields
        .iter()
        .filter(|f| f.writable && f.unique_constraint.is_some())
        .map(|f| json!(f.wire))
        .collect();
    let unique_refs: Vec<Value> = e
        .refs
        .iter()
        .filter(|r| r.unique && creatable[r.target])
        .map(|r| json!({"wire": r.wire, "target": keys[r.target]}))
        .collect();
    let missing_refs: Vec<Value> = e
        .refs
        .iter()
        .map(|r| json!({"wire": r.wire, "list": false}))
        .chain(
            e.joins
                .iter()
                .map(|&j| json!({"wire": plan.joins[j].wire, "list": true})),
        )
        .collect();
    let id_list_cases: Vec<Value> = id_lists
        .iter()
        .filter(|j| j["target_creatable"] == json!(true))
        .cloned()
        .collect();
    let on_delete: Vec<Value> = refs
        .iter()
        .filter(|r| r["target_creatable"] == json!(true) && r["target_delete"] == json!(true))
        .cloned()
        .collect();

    let mut filters = Vec::new();
    let mut bad_filters = Vec::new();
    for filter in &e.filters {
        match filter.on {
            FilterOn::Field(i) => {
                let ty = &e.fields[i].field.ty;
                if *ty == FieldType::Json {
                    continue;
                }
                if e.fields[i].writable {
                    filters.push(json!({"wire": filter.wire, "target": null, "kind": kind(ty)}));
                }
                if let Some(bad) = bad_query_value(model, ty) {
                    bad_filters.push(json!({"wire": filter.wire, "value": bad}));
                }
            }
            FilterOn::Ref(r) => {
                let target = e.refs[r].target;
                if creatable[target] {
                    filters
                        .push(json!({"wire": filter.wire, "target": keys[target], "kind": "uuid"}));
                }
                bad_filters.push(json!({"wire": filter.wire, "value": "not-a-uuid"}));
            }
        }
    }
    let sorts: Vec<Value> = e
        .sorts
        .iter()
        .filter_map(|wire| {
            let f = e.fields.iter().find(|f| &f.wire == wire)?;
            Some(json!({"wire": wire, "kind": kind(&f.field.ty), "writable": f.writable}))
        })
        .collect();

    let mut roles = serde_json::Map::new();
    let mut forbidden = Vec::new();
    for op in ops {
        if let Some(r) = e.entity.permissions.roles(*op)
            && !r.is_empty()
        {
            roles.insert(op.as_str().to_owned(), json!(r));
            forbidden.push(json!(op.as_str()));
        }
    }
    let absent: Vec<Value> = Operation::ALL
        .iter()
        .filter(|op| !ops.contains(op))
        .map(|op| {
            let collection = matches!(op, Operation::List | Operation::Create);
            let exists = if collection {
                has(Operation::List) || has(Operation::Create)
            } else {
                has(Operation::Get) || has(Operation::Update) || has(Operation::Delete)
            };
            json!({"operation": op.as_str(), "status": if exists { 405 } else { 404 }})
        })
        .collect();

    let validation = has(Operation::Create) || has(Operation::Update);
    tests.validation = validation;
    tests.invalid = validation && !invalid.is_empty();
    tests.missing = validation && !missing.is_empty();
    tests.unique = can_create && !unique.is_empty();
    tests.unique_refs = can_create && !unique_refs.is_empty();
    tests.missing_refs = can_create && !missing_refs.is_empty();
    tests.id_lists = can_create && !id_list_cases.is_empty();
    tests.sorts = can_create && has(Operation::List) && !sorts.is_empty();
    tests.filters = can_create && has(Operation::List) && !filters.is_empty();
    tests.bad_filters = has(Operation::List) && !bad_filters.is_empty();
    tests.on_delete = can_create && !on_delete.is_empty();
    tests.forbidden = !forbidden.is_empty();
    tests.absent = !absent.is_empty();

    let case = json!({
        "name": e.name,
        "path": format!("/api/{}", e.collection),
        "operations": ops.iter().map(|o| o.as_str()).collect::<Vec<_>>(),
        "creatable": can_create,
        "page_size": e.entity.list.page_size,
        "max_page_size": max_page_size,
        "timestamps": e.entity.timestamps,
        "fields": e.fields.iter().filter(|f| f.writable).map(|f| f.wire.clone()).collect::<Vec<_>>(),
        "kinds": kinds,
        "samples": samples,
        "refs": refs,
        "id_lists": id_lists,
        "invalid": invalid,
        "missing": missing,
        "unknown": unknown,
        "unique": unique,
        "unique_refs": unique_refs,
        "missing_refs": missing_refs,
        "id_list_cases": id_list_cases,
        "on_delete": on_delete,
        "sorts": sorts,
        "filters": filters,
        "bad_filters": bad_filters,
        "roles": roles,
        "all_roles": all_roles,
        "forbidden": forbidden,
        "absent": absent,
    });
    (case, tests)
}
