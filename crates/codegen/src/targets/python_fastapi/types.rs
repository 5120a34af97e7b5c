//! The Python types and `Field(...)` constraints of a field.

use std::collections::BTreeMap;

use specforge_spec::model::{Field, FieldType};

use super::literals::py_str;

/// What the generated modules need beyond what their text shows.
pub(super) struct Imports {
    /// Scales of decimal fields (each gets a serializer alias in schemas.py).
    pub(super) scales: Vec<u32>,
}

impl Imports {
    pub(super) fn new() -> Self {
        Imports { scales: Vec::new() }
    }
}

/// The Python types of a field: ORM annotation (without `| None`), ORM column type, input
/// type, read type, filter type.
pub(super) struct Types {
    pub(super) orm: String,
    pub(super) column: String,
    pub(super) input: String,
    pub(super) read: String,
    pub(super) filter: Option<String>,
}

pub(super) fn types(
    field: &Field,
    enum_class: &BTreeMap<String, String>,
    imports: &mut Imports,
) -> Types {
    let c = &field.constraints;
    let simple = |orm: &str, column: &str, input: &str, read: &str, filter: &str| Types {
        orm: orm.to_owned(),
        column: column.to_owned(),
        input: input.to_owned(),
        read: read.to_owned(),
        filter: Some(filter.to_owned()),
    };
    match &field.ty {
        FieldType::String => simple("str", "sa.String()", "SfText", "str", "str"),
        FieldType::Text => simple("str", "sa.Text()", "SfText", "str", "str"),
        FieldType::Email => simple("str", "sa.String()", "SfEmail", "str", "str"),
        FieldType::Url => simple("str", "sa.String()", "SfUrl", "str", "str"),
        FieldType::Integer => simple("int", "sa.Integer()", "SfInt", "int", "int"),
        FieldType::Bigint => simple("int", "sa.BigInteger()", "SfInt", "int", "int"),
        FieldType::Float => simple("float", "sa.Double()", "SfFloat", "float", "float"),
        FieldType::Decimal => {
            let scale = c.scale.unwrap_or(2);
            if !imports.scales.contains(&scale) {
                imports.scales.push(scale);
            }
            Types {
                orm: "Decimal".to_owned(),
                column: format!("SfDecimal({scale})"),
                input: "SfDecimalIn".to_owned(),
                read: format!("SfDecimal{scale}"),
                filter: Some("sf_decimal.Decimal".to_owned()),
            }
        }
        FieldType::Boolean => simple("bool", "sa.Boolean()", "SfBool", "bool", "bool"),
        FieldType::Date => simple("date", "SfDate()", "SfDate", "date", "sf_datetime.date"),
        FieldType::Datetime => simple(
            "datetime",
            "SfDateTime()",
            "SfDateTime",
            "SfDateTimeOut",
            "SfAwareDatetime",
        ),
        FieldType::Uuid => simple(
            "uuid.UUID",
            "SfUuid()",
            "SfUuid",
            "uuid.UUID",
            "sf_uuid.UUID",
        ),
        FieldType::Json => {
            let input = if field.required {
                "SfJson"
            } else {
                "SfAnyJson"
            };
            Types {
                orm: "Any".to_owned(),
                column: "SfJson()".to_owned(),
                input: input.to_owned(),
                read: "Any".to_owned(),
                filter: None,
            }
        }
        FieldType::Enum(name) => {
            let class = enum_class
                .get(name)
                .cloned()
                .unwrap_or_else(|| "str".into());
            Types {
                orm: "str".to_owned(),
                column: "sa.String()".to_owned(),
                input: class.clone(),
                read: class.clone(),
                filter: Some(format!("sf_schemas.{class}")),
            }
        }
    }
}

/// The `Field(...)` constraints of an input field.
pub(super) fn constraints(field: &Field) -> Vec<String> {
    let c = &field.constraints;
    let mut out = Vec::new();
    let number = |n: &serde_json::Number| n.to_string();
    match &field.ty {
        FieldType::String | FieldType::Email | FieldType::Url | FieldType::Text => {
            if let Some(min) = c.min_length.filter(|&m| m > 0) {
                out.push(format!("min_length={min}"));
            }
            let max = match field.ty {
                FieldType::Text => c.max_length,
                _ => Some(c.max_length.unwrap_or(255)),
            };
            if let Some(max) = max {
                out.push(format!("max_length={max}"));
            }
            if let Some(pattern) = &c.pattern {
                out.push(format!("pattern={}", py_str(pattern)));
            }
        }
        FieldType::Integer | FieldType::Bigint => {
            let (lo, hi) = if field.ty == FieldType::Integer {
                (i64::from(i32::MIN), i64::from(i32::MAX))
            } else {
                (i64::MIN, i64::MAX)
            };
            let min = c
                .min
                .as_ref()
                .and_then(serde_json::Number::as_f64)
                .map_or(lo, |m| (m.ceil() as i64).max(lo));
            let max = c
                .max
                .as_ref()
                .and_then(serde_json::Number::as_f64)
                .map_or(hi, |m| (m.floor() as i64).min(hi));
            out.push(format!("ge={min}"));
            out.push(format!("le={max}"));
        }
        FieldType::Float => {
            if let Some(min) = &c.min {
                out.push(format!("ge={}", number(min)));
            }
            if let Some(max) = &c.max {
                out.push(format!("le={}", number(max)));
            }
        }
        FieldType::Decimal => {
            out.push(format!("max_digits={}", c.precision.unwrap_or(18)));
            out.push(format!("decimal_places={}", c.scale.unwrap_or(2)));
            if let Some(min) = &c.min {
                out.push(format!("ge={}", number(min)));
            }
            if let Some(max) = &c.max {
                out.push(format!("le={}", number(max)));
            }
        }
        _ => {}
    }
    out
}
