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
    enum_class: &BTreeMap<String, (String, usize)>,
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
    let length = c.max_length.unwrap_or(255);
    match &field.ty {
        FieldType::String => simple("str", &format!("sa.String({length})"), "Text", "str", "str"),
        FieldType::Text => simple("str", "sa.Text()", "Text", "str", "str"),
        FieldType::Email => simple(
            "str",
            &format!("sa.String({length})"),
            "EmailText",
            "str",
            "str",
        ),
        FieldType::Url => simple(
            "str",
            &format!("sa.String({length})"),
            "UrlText",
            "str",
            "str",
        ),
        FieldType::Integer => simple("int", "sa.Integer()", "Int", "int", "int"),
        FieldType::Bigint => simple("int", "sa.BigInteger()", "Int", "int", "int"),
        FieldType::Float => simple("float", "sa.Double()", "Float", "float", "float"),
        FieldType::Decimal => {
            let scale = c.scale.unwrap_or(2);
            let precision = c.precision.unwrap_or(18);
            if !imports.scales.contains(&scale) {
                imports.scales.push(scale);
            }
            Types {
                orm: "Decimal".to_owned(),
                column: format!("DecimalType({precision}, {scale})"),
                input: "DecimalInput".to_owned(),
                read: format!("Decimal{scale}"),
                filter: Some("Decimal".to_owned()),
            }
        }
        FieldType::Boolean => simple("bool", "sa.Boolean()", "Bool", "bool", "bool"),
        FieldType::Date => simple("date", "DateType()", "DateInput", "date", "date"),
        FieldType::Datetime => simple(
            "datetime",
            "DateTimeType()",
            "DateTimeInput",
            "DateTimeOutput",
            "AwareDatetime",
        ),
        FieldType::Uuid => simple(
            "uuid.UUID",
            "UuidType()",
            "UuidInput",
            "uuid.UUID",
            "uuid.UUID",
        ),
        FieldType::Json => {
            let input = if field.required {
                "JsonValue"
            } else {
                "AnyJson"
            };
            Types {
                orm: "Any".to_owned(),
                column: "JsonType()".to_owned(),
                input: input.to_owned(),
                read: "Any".to_owned(),
                filter: None,
            }
        }
        FieldType::Enum(name) => {
            let (class, longest) = enum_class
                .get(name)
                .cloned()
                .unwrap_or_else(|| ("str".into(), 1));
            Types {
                orm: class.clone(),
                column: format!(
                    "sa.Enum({class}, native_enum=False, length={longest}, values_callable=enum_values)"
                ),
                input: class.clone(),
                read: class.clone(),
                filter: Some(class),
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
