//! The context of `src/entities.rs`: one static description per entity and enum.

use serde::Serialize;
use serde_json::Number;
use specforge_spec::model::{FieldType, Operation};

use super::{finish, namespace, rust_str};
use crate::error::Error;
use crate::naming::{Case, Lang};
use crate::plan::{FieldPlan, FilterOn, Plan};

/// What `src/entities.rs` lays out.
#[derive(Debug, Serialize)]
pub(super) struct EntitiesContext {
    /// The model's name as a literal.
    name: String,
    /// The `crate::meta` items used.
    imports: String,
    /// Whether patterns exist (`LazyLock` and `Regex` are imported).
    has_patterns: bool,
    patterns: Vec<PatternContext>,
    enums: Vec<EnumContext>,
    entities: Vec<EntityContext>,
}

#[derive(Debug, Serialize)]
struct PatternContext {
    ident: String,
    literal: String,
}

#[derive(Debug, Serialize)]
struct EnumContext {
    ident: String,
    name: String,
    values: Vec<String>,
}

#[derive(Debug, Serialize)]
struct EntityContext {
    ident: String,
    name: String,
    /// `key: value` lines of the `SfEntity` literal before its lists.
    head: Vec<(String, String)>,
    /// Each field's `key: value` lines.
    fields: Vec<Vec<(String, String)>>,
    refs: Vec<Vec<(String, String)>>,
    joins: Vec<Vec<(String, String)>>,
    filters: Vec<Vec<(String, String)>>,
    sorts: String,
    /// `key: value` lines after the lists.
    tail: Vec<(String, String)>,
}

fn kind(ty: &FieldType) -> &'static str {
    match ty {
        FieldType::String
        | FieldType::Text
        | FieldType::Email
        | FieldType::Url
        | FieldType::Enum(_) => "SfKind::Text",
        FieldType::Integer => "SfKind::Integer",
        FieldType::Bigint => "SfKind::Bigint",
        FieldType::Float => "SfKind::Float",
        FieldType::Decimal => "SfKind::Decimal",
        FieldType::Boolean => "SfKind::Boolean",
        FieldType::Date => "SfKind::Date",
        FieldType::Datetime => "SfKind::Datetime",
        FieldType::Uuid => "SfKind::Uuid",
        FieldType::Json => "SfKind::Json",
    }
}

/// A decimal number's value in units of `scale`, rounded up (`up`) or down.
pub(super) fn decimal_units(number: &Number, scale: u32, up: bool) -> Option<i128> {
    let text = number.to_string();
    let (mantissa, exponent) = match text.split_once(['e', 'E']) {
        Some((m, e)) => (m.to_owned(), e.parse::<i32>().ok()?),
        None => (text.clone(), 0),
    };
    let negative = mantissa.starts_with('-');
    let mantissa = mantissa.trim_start_matches(['-', '+']);
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = format!("{whole}{fraction}");
    // value = digits * 10^(exponent - fraction.len()); units = value * 10^scale.
    let shift = exponent - fraction.len() as i32 + scale as i32;
    let mut units: i128 = digits.parse().ok()?;
    let mut inexact = false;
    if shift >= 0 {
        units = units.checked_mul(10i128.checked_pow(shift as u32)?)?;
    } else {
        let divisor = 10i128
            .checked_pow(shift.unsigned_abs())
            .unwrap_or(i128::MAX);
        inexact = units % divisor != 0;
        units /= divisor;
    }
    if negative {
        units = -units;
    }
    if inexact && up != negative {
        units += if up { 1 } else { -1 };
    }
    Some(units)
}

fn int_bound(number: &Number, up: bool) -> i64 {
    number.as_i64().unwrap_or_else(|| {
        let f = number.as_f64().unwrap_or(0.0);
        (if up { f.ceil() } else { f.floor() }) as i64
    })
}

fn float_literal(value: f64) -> String {
    let text = format!("{value:?}");
    if text.contains(['.', 'e', 'E']) || text.contains("inf") || text.contains("NaN") {
        text
    } else {
        format!("{text}.0")
    }
}

fn bound(field: &FieldPlan<'_>, number: Option<&Number>, up: bool) -> Option<String> {
    let number = number?;
    let c = &field.field.constraints;
    Some(match field.field.ty {
        FieldType::Integer | FieldType::Bigint => {
            format!("SfBound::Int({})", int_bound(number, up))
        }
        FieldType::Float => format!(
            "SfBound::Float({})",
            float_literal(number.as_f64().unwrap_or(0.0))
        ),
        FieldType::Decimal => format!(
            "SfBound::Decimal({})",
            decimal_units(number, c.scale.unwrap_or(2), up)?
        ),
        _ => return None,
    })
}

/// Builds the context, claiming the statics' names.
pub(super) fn context(plan: &Plan<'_>) -> Result<EntitiesContext, Error> {
    let mut clashes = Vec::new();
    let mut statics = namespace("Rust static in src/entities.rs");
    let mut enums = Vec::new();
    for e in &plan.enums {
        let ident = Lang::Rust.ident(e.name, Case::ScreamingSnake);
        statics.claim(&ident, &e.pointer, &mut clashes);
        enums.push(EnumContext {
            ident,
            name: e.name.to_owned(),
            values: e.values.iter().map(|v| rust_str(v)).collect(),
        });
    }
    let mut patterns = Vec::new();
    let mut entities = Vec::new();
    let mut used = vec!["SfEntity", "SfOperation", "SfField", "SfKind", "SfRole"];
    for entity in &plan.entities {
        let ident = Lang::Rust.ident(entity.name, Case::ScreamingSnake);
        statics.claim(&ident, &entity.pointer, &mut clashes);
        let mut fields = Vec::new();
        for f in &entity.fields {
            let field = f.field;
            let c = &field.constraints;
            let mut props = vec![
                ("wire".to_owned(), rust_str(&f.wire)),
                ("column".to_owned(), rust_str(&f.column)),
                ("kind".to_owned(), kind(&field.ty).to_owned()),
            ];
            let role = if field.primary_key {
                Some("SfRole::Id")
            } else if field.implicit && f.wire == "created_at" {
                Some("SfRole::CreatedAt")
            } else if field.implicit {
                Some("SfRole::UpdatedAt")
            } else {
                None
            };
            if let Some(role) = role {
                props.push(("role".to_owned(), role.to_owned()));
            }
            if field.required {
                props.push(("required".to_owned(), "true".to_owned()));
            }
            if let Some(default) = field.default.as_ref().filter(|d| !d.is_null()) {
                props.push((
                    "default".to_owned(),
                    format!("Some({})", rust_str(&default.to_string())),
                ));
            }
            if field.ty.is_textual() {
                if let Some(min) = c.min_length {
                    props.push(("min_length".to_owned(), format!("Some({min})")));
                }
                if let Some(max) = c.max_length {
                    props.push(("max_length".to_owned(), format!("Some({max})")));
                }
                if let Some(pattern) = &c.pattern {
                    let ident = format!("SF_PATTERN_{}", patterns.len());
                    props.push(("pattern".to_owned(), format!("Some(&{ident})")));
                    patterns.push(PatternContext {
                        ident,
                        literal: rust_str(pattern),
                    });
                }
                let format = match field.ty {
                    FieldType::Email => Some("SfFormat::Email"),
                    FieldType::Url => Some("SfFormat::Url"),
                    _ => None,
                };
                if let Some(format) = format {
                    used.push("SfFormat");
                    props.push(("format".to_owned(), format.to_owned()));
                }
            }
            if field.ty.is_numeric() {
                if let Some(min) = bound(f, c.min.as_ref(), true) {
                    used.push("SfBound");
                    props.push(("min".to_owned(), min));
                }
                if let Some(max) = bound(f, c.max.as_ref(), false) {
                    used.push("SfBound");
                    props.push(("max".to_owned(), max));
                }
            }
            if field.ty == FieldType::Decimal {
                props.push((
                    "precision".to_owned(),
                    c.precision.unwrap_or(18).to_string(),
                ));
                props.push(("scale".to_owned(), c.scale.unwrap_or(2).to_string()));
            }
            if let FieldType::Enum(name) = &field.ty
                && let Some(e) = plan.enums.iter().position(|e| e.name == name)
            {
                props.push(("values".to_owned(), enums[e].ident.clone()));
            }
            if let Some(name) = &f.unique_constraint {
                props.push(("unique".to_owned(), format!("Some({})", rust_str(name))));
            }
            fields.push(props);
        }
        let refs: Vec<_> = entity
            .refs
            .iter()
            .map(|r| {
                vec![
                    ("wire".to_owned(), rust_str(&r.wire)),
                    ("column".to_owned(), rust_str(&r.column)),
                    ("target_table".to_owned(), rust_str(&r.target_table)),
                    ("required".to_owned(), r.required.to_string()),
                    (
                        "unique".to_owned(),
                        r.unique_constraint
                            .as_ref()
                            .map_or("None".to_owned(), |n| format!("Some({})", rust_str(n))),
                    ),
                ]
            })
            .collect();
        if !refs.is_empty() {
            used.push("SfRef");
        }
        let joins: Vec<_> = entity
            .joins
            .iter()
            .map(|&j| {
                let j = &plan.joins[j];
                vec![
                    ("wire".to_owned(), rust_str(&j.wire)),
                    ("table".to_owned(), rust_str(&j.table)),
                    ("owner_column".to_owned(), rust_str(&j.owner_column)),
                    ("target_column".to_owned(), rust_str(&j.target_column)),
                    ("target_table".to_owned(), rust_str(&j.target_table)),
                ]
            })
            .collect();
        if !joins.is_empty() {
            used.push("SfJoin");
        }
        let filters: Vec<_> = entity
            .filters
            .iter()
            .map(|f| {
                let on = match f.on {
                    FilterOn::Field(i) => format!("SfFilterOn::Field({i})"),
                    FilterOn::Ref(i) => format!("SfFilterOn::Ref({i})"),
                };
                vec![
                    ("wire".to_owned(), rust_str(&f.wire)),
                    ("on".to_owned(), on),
                ]
            })
            .collect();
        if !filters.is_empty() {
            used.push("SfFilter");
            used.push("SfFilterOn");
        }
        let sorts = entity
            .sorts
            .iter()
            .filter_map(|wire| entity.fields.iter().position(|f| f.wire == *wire))
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let page_size = entity.entity.list.page_size;
        let operation = |op: Operation| {
            let allowed = entity.entity.operations.contains(&op);
            let roles = entity
                .entity
                .permissions
                .roles(op)
                .unwrap_or_default()
                .iter()
                .map(|r| rust_str(r))
                .collect::<Vec<_>>()
                .join(", ");
            format!("SfOperation {{ allowed: {allowed}, roles: &[{roles}] }}")
        };
        entities.push(EntityContext {
            ident,
            name: entity.name.to_owned(),
            head: vec![
                ("name".to_owned(), rust_str(entity.name)),
                ("table".to_owned(), rust_str(&entity.table)),
                ("collection".to_owned(), rust_str(&entity.collection)),
            ],
            fields,
            refs,
            joins,
            filters,
            sorts,
            tail: vec![
                ("page_size".to_owned(), page_size.to_string()),
                ("max_page_size".to_owned(), page_size.max(100).to_string()),
                ("list".to_owned(), operation(Operation::List)),
                ("get".to_owned(), operation(Operation::Get)),
                ("create".to_owned(), operation(Operation::Create)),
                ("update".to_owned(), operation(Operation::Update)),
                ("delete".to_owned(), operation(Operation::Delete)),
            ],
        });
    }
    finish(clashes)?;
    used.sort_unstable();
    used.dedup();
    Ok(EntitiesContext {
        name: rust_str(&plan.model.name),
        imports: used.join(", "),
        has_patterns: !patterns.is_empty(),
        patterns,
        enums,
        entities,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units(text: &str, scale: u32, up: bool) -> Option<i128> {
        let number: Number = serde_json::from_str(text).expect("number");
        decimal_units(&number, scale, up)
    }

    #[test]
    fn decimal_bounds_round_inward() {
        assert_eq!(units("0", 2, true), Some(0));
        assert_eq!(units("0.01", 2, true), Some(1));
        assert_eq!(units("100", 2, false), Some(10000));
        assert_eq!(units("0.005", 2, true), Some(1));
        assert_eq!(units("0.005", 2, false), Some(0));
        assert_eq!(units("-0.005", 2, true), Some(0));
        assert_eq!(units("-0.005", 2, false), Some(-1));
    }
}
