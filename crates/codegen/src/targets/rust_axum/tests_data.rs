//! The context of `tests/api.rs`: per entity, sample bodies and the values the API must give
//! back, invalid values, required and unique fields, sorts and filters, and which checks of
//! the harness (`tests/sf_common/mod.rs`) apply.

use serde::Serialize;
use serde_json::{Map, Value};
use specforge_spec::model::{FieldType, Operation};

use super::{finish, namespace, rust_str};
use crate::error::Error;
use crate::naming::{Case, Lang};
use crate::plan::{FieldPlan, FilterOn, Plan};
use crate::samples;

/// What `tests/api.rs` lays out.
#[derive(Debug, Serialize)]
pub(super) struct TestsContext {
    roles: Vec<String>,
    entities: Vec<TestEntity>,
}

#[derive(Debug, Serialize)]
struct TestEntity {
    /// The test module.
    module: String,
    index: usize,
    /// `key: value` lines of the `SfTestEntity` literal.
    props: Vec<(String, String)>,
    /// Sample bodies and expected values, as literals.
    samples: Vec<String>,
    expected: Vec<String>,
    refs: Vec<String>,
    joins: Vec<String>,
    invalid: Vec<String>,
    filters: Vec<String>,
    /// The test functions: `(name, call)`.
    tests: Vec<(String, String)>,
}

const OPERATIONS: [Operation; 5] = [
    Operation::List,
    Operation::Get,
    Operation::Create,
    Operation::Update,
    Operation::Delete,
];

/// A sample value as the API gives it back.
fn expected(field: &FieldPlan<'_>, value: &Value) -> Value {
    match (&field.field.ty, value) {
        (FieldType::Datetime, Value::String(s)) if s.ends_with('Z') && !s.contains('.') => {
            Value::String(format!("{}.000000Z", &s[..s.len() - 1]))
        }
        _ => value.clone(),
    }
}

/// A default as the API gives it back (decimals with exactly the scale's digits).
fn expected_default(field: &FieldPlan<'_>, value: &Value) -> Value {
    if field.field.ty == FieldType::Decimal {
        let number = match value {
            Value::Number(n) => Some(n.clone()),
            Value::String(s) => serde_json::from_str::<serde_json::Number>(s).ok(),
            _ => None,
        };
        let scale = field.field.constraints.scale.unwrap_or(2);
        if let Some(units) = number.and_then(|n| super::resources::decimal_units(&n, scale, true)) {
            return Value::String(units_text(units, scale));
        }
    }
    expected(field, value)
}

/// A value in units of `scale` as decimal text.
fn units_text(units: i128, scale: u32) -> String {
    let digits = units.unsigned_abs().to_string();
    let scale = scale as usize;
    let padded = if digits.len() <= scale {
        format!("{}{digits}", "0".repeat(scale + 1 - digits.len()))
    } else {
        digits
    };
    let (whole, fraction) = padded.split_at(padded.len() - scale);
    let sign = if units < 0 { "-" } else { "" };
    if scale == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{fraction}")
    }
}

fn json_literal(value: &Value) -> String {
    rust_str(&value.to_string())
}

fn bad_filter_value(plan: &Plan<'_>, field: &FieldPlan<'_>) -> Option<String> {
    Some(match &field.field.ty {
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

/// Builds the context, claiming the test modules' names.
pub(super) fn context(plan: &Plan<'_>) -> Result<TestsContext, Error> {
    let model = plan.model;
    let creatable = plan.creatable();
    let mut clashes = Vec::new();
    let mut modules = namespace("Rust module in tests/api.rs");
    modules.claim("sf_common", "generated code", &mut clashes);
    modules.claim("sf_data", "generated code", &mut clashes);
    modules.claim("service", "generated code", &mut clashes);
    let mut entities = Vec::new();
    for (i, entity) in plan.entities.iter().enumerate() {
        let module = Lang::Rust.ident(entity.name, Case::Snake);
        modules.claim(&module, &entity.pointer, &mut clashes);
        let has = |op: Operation| entity.entity.operations.contains(&op);
        let writable: Vec<&FieldPlan<'_>> = entity.fields.iter().filter(|f| f.writable).collect();
        let unique_fields: Vec<&FieldPlan<'_>> = writable
            .iter()
            .copied()
            .filter(|f| f.unique_constraint.is_some())
            .collect();
        let unique_refs = entity.refs.iter().filter(|r| r.unique).count();
        let count = 8 + 2 * unique_fields.len() + 2 * unique_refs;
        let mut samples_text = Vec::new();
        let mut expected_text = Vec::new();
        for n in 0..count {
            let mut body = Map::new();
            let mut back = Map::new();
            for f in &writable {
                let value = samples::valid(model, f.field, n);
                back.insert(f.wire.clone(), expected(f, &value));
                body.insert(f.wire.clone(), value);
            }
            samples_text.push(json_literal(&Value::Object(body)));
            expected_text.push(json_literal(&Value::Object(back)));
        }
        let mut keys: Vec<String> = entity
            .fields
            .iter()
            .filter(|f| f.writable || f.field.primary_key)
            .map(|f| f.wire.clone())
            .collect();
        keys.extend(entity.refs.iter().map(|r| r.wire.clone()));
        keys.extend(entity.joins.iter().map(|&j| plan.joins[j].wire.clone()));
        keys.extend(
            entity
                .fields
                .iter()
                .filter(|f| !f.writable && !f.field.primary_key)
                .map(|f| f.wire.clone()),
        );
        let writable_wires: Vec<&str> = writable
            .iter()
            .map(|f| f.wire.as_str())
            .chain(entity.refs.iter().map(|r| r.wire.as_str()))
            .chain(entity.joins.iter().map(|&j| plan.joins[j].wire.as_str()))
            .collect();
        let refused: Vec<String> = ["sf_unknown_property", "id", "created_at", "updated_at"]
            .iter()
            .filter(|k| !writable_wires.contains(k))
            .map(|k| rust_str(k))
            .collect();
        let defaults: Vec<String> = writable
            .iter()
            .filter_map(|f| {
                let default = f.field.default.as_ref().filter(|d| !d.is_null())?;
                Some(format!(
                    "({}, {})",
                    rust_str(&f.wire),
                    json_literal(&expected_default(f, default))
                ))
            })
            .collect();
        let refs: Vec<String> = entity
            .refs
            .iter()
            .map(|r| {
                format!(
                    "SfTestRef {{ wire: {}, target: {}, required: {}, unique: {}, on_delete: {} }}",
                    rust_str(&r.wire),
                    r.target,
                    r.required,
                    r.unique,
                    rust_str(r.on_delete)
                )
            })
            .collect();
        let joins: Vec<String> = entity
            .joins
            .iter()
            .map(|&j| {
                let j = &plan.joins[j];
                format!(
                    "SfTestJoin {{ wire: {}, target: {} }}",
                    rust_str(&j.wire),
                    j.target
                )
            })
            .collect();
        let mut invalid = Vec::new();
        for f in &writable {
            for (kind, value) in samples::invalid(model, f.field) {
                invalid.push(format!(
                    "SfTestInvalid {{ wire: {}, kind: {}, value: {} }}",
                    rust_str(&f.wire),
                    rust_str(kind.as_str()),
                    json_literal(&value)
                ));
            }
        }
        let required: Vec<String> = writable
            .iter()
            .filter(|f| f.field.required && f.field.default.is_none())
            .map(|f| rust_str(&f.wire))
            .chain(
                entity
                    .refs
                    .iter()
                    .filter(|r| r.required)
                    .map(|r| rust_str(&r.wire)),
            )
            .collect();
        let uniques: Vec<String> = unique_fields.iter().map(|f| rust_str(&f.wire)).collect();
        let sorts: Vec<String> = entity
            .sorts
            .iter()
            .filter_map(|wire| entity.fields.iter().find(|f| f.wire == *wire))
            .map(|f| {
                let values: Vec<Value> =
                    (0..3).map(|n| samples::valid(model, f.field, n)).collect();
                let distinct = f.writable
                    && values.iter().all(|v| !v.is_null())
                    && values[0] != values[1]
                    && values[1] != values[2]
                    && values[0] != values[2];
                format!("({}, {distinct})", rust_str(&f.wire))
            })
            .collect();
        let filters: Vec<String> = entity
            .filters
            .iter()
            .filter_map(|filter| {
                let bad = match filter.on {
                    FilterOn::Field(f) => {
                        let field = &entity.fields[f];
                        if field.field.ty == FieldType::Json {
                            return None;
                        }
                        bad_filter_value(plan, field)
                    }
                    FilterOn::Ref(_) => Some("not-a-uuid".to_owned()),
                };
                Some(format!(
                    "SfTestFilter {{ wire: {}, bad: {} }}",
                    rust_str(&filter.wire),
                    bad.map_or("None".to_owned(), |b| format!("Some({})", rust_str(&b)))
                ))
            })
            .collect();
        let ops: Vec<String> = OPERATIONS.iter().map(|&op| has(op).to_string()).collect();
        let roles: Vec<String> = OPERATIONS
            .iter()
            .map(|&op| {
                let roles = entity
                    .entity
                    .permissions
                    .roles(op)
                    .unwrap_or_default()
                    .iter()
                    .map(|r| rust_str(r))
                    .collect::<Vec<_>>()
                    .join(", ");
                format!("&[{roles}]")
            })
            .collect();
        let props = vec![
            ("name".to_owned(), rust_str(entity.name)),
            ("collection".to_owned(), rust_str(&entity.collection)),
            ("ops".to_owned(), format!("[{}]", ops.join(", "))),
            ("roles".to_owned(), format!("[{}]", roles.join(", "))),
            ("creatable".to_owned(), creatable[i].to_string()),
            (
                "keys".to_owned(),
                format!(
                    "&[{}]",
                    keys.iter()
                        .map(|k| rust_str(k))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
            ("required".to_owned(), format!("&[{}]", required.join(", "))),
            ("uniques".to_owned(), format!("&[{}]", uniques.join(", "))),
            ("refused".to_owned(), format!("&[{}]", refused.join(", "))),
            ("sorts".to_owned(), format!("&[{}]", sorts.join(", "))),
            ("defaults".to_owned(), format!("&[{}]", defaults.join(", "))),
            (
                "max_page_size".to_owned(),
                entity.entity.list.page_size.max(100).to_string(),
            ),
        ];
        let mut tests = Vec::new();
        let mut names = namespace(&format!("test of `{}`", entity.name));
        let call = |check: &str| format!("sf::{check}(SF_ROLES, SF_ENTITIES, {i}).await;");
        if creatable[i] {
            tests.push(("crud".to_owned(), call("sf_crud")));
        }
        if has(Operation::List) {
            tests.push(("list".to_owned(), call("sf_list")));
        }
        if creatable[i] {
            tests.push(("invalid".to_owned(), call("sf_invalid")));
            if !unique_fields.is_empty()
                || entity.refs.iter().any(|r| r.unique && creatable[r.target])
            {
                tests.push(("unique".to_owned(), call("sf_unique")));
            }
            if !entity.refs.is_empty() || !entity.joins.is_empty() {
                tests.push(("missing_refs".to_owned(), call("sf_missing_refs")));
            }
        }
        tests.push(("auth".to_owned(), call("sf_auth")));
        for name in &tests {
            names.claim(&name.0, "generated code", &mut clashes);
        }
        if creatable[i] {
            for (r, reference) in entity.refs.iter().enumerate() {
                let target = &plan.entities[reference.target];
                if creatable[reference.target]
                    && target.entity.operations.contains(&Operation::Delete)
                {
                    let name = format!(
                        "on_delete_{}",
                        crate::naming::case(&reference.relation.name, Case::Snake)
                    );
                    names.claim(&name, &reference.pointer, &mut clashes);
                    tests.push((
                        name,
                        format!("sf::sf_on_delete(SF_ROLES, SF_ENTITIES, {i}, {r}).await;"),
                    ));
                }
            }
        }
        entities.push(TestEntity {
            module,
            index: i,
            props,
            samples: samples_text,
            expected: expected_text,
            refs,
            joins,
            invalid,
            filters,
            tests,
        });
    }
    finish(clashes)?;
    Ok(TestsContext {
        roles: model.roles.iter().map(|r| rust_str(r)).collect(),
        entities,
    })
}
