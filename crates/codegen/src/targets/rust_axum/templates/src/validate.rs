//! Request bodies and query values checked against the entity descriptions: types, lengths
//! (in characters), ranges, patterns, formats, enum values, decimal digits; unknown
//! properties refused.

use serde_json::{Map, Value};
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime, UtcOffset};
use uuid::Uuid;

use crate::db::{SF_DATE, SfValue};
use crate::meta::{SfBound, SfEntity, SfField, SfFormat, SfKind, SfRole};
use crate::problem::{SfFieldError, SfProblem, sf_error};

/// A checked request body.
#[derive(Debug)]
pub struct SfInput {
    /// Values of the declared fields, in order.
    pub values: Vec<SfValue>,
    /// Values of the references (a UUID or null), in order.
    pub refs: Vec<SfValue>,
    /// Ids of each owned many-to-many relation, sorted, without repeats.
    pub joins: Vec<Vec<Uuid>>,
}

/// Parses a body as a JSON object.
pub fn sf_object(body: &[u8]) -> Result<Map<String, Value>, SfProblem> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(SfProblem::invalid("body", "the body must be a JSON object")),
        Err(e) => Err(SfProblem::invalid(
            "body",
            format!("the body is not valid JSON: {e}"),
        )),
    }
}

/// Checks a body for `entity`, collecting every problem.
pub fn sf_input(entity: &SfEntity, body: &Map<String, Value>) -> Result<SfInput, SfProblem> {
    let mut errors = Vec::new();
    for key in body.keys() {
        let known = entity
            .fields
            .iter()
            .any(|f| f.role == SfRole::Field && f.wire == key)
            || entity.refs.iter().any(|r| r.wire == key)
            || entity.joins.iter().any(|j| j.wire == key);
        if !known {
            errors.push(sf_error(key.as_str(), "unknown property"));
        }
    }
    let mut values = Vec::new();
    for field in entity.fields.iter().filter(|f| f.role == SfRole::Field) {
        let default;
        let given = match body.get(field.wire) {
            None => match field
                .default
                .and_then(|d| serde_json::from_str::<Value>(d).ok())
            {
                Some(value) => {
                    default = value;
                    Some(&default)
                }
                None => None,
            },
            Some(value) => Some(value),
        };
        match given {
            None | Some(Value::Null) if field.required => {
                errors.push(sf_error(field.wire, "a value is required"));
                values.push(SfValue::Null);
            }
            None | Some(Value::Null) => values.push(SfValue::Null),
            Some(value) => match sf_value(field, value, true) {
                Ok(v) => values.push(v),
                Err(message) => {
                    errors.push(sf_error(field.wire, message));
                    values.push(SfValue::Null);
                }
            },
        }
    }
    let mut refs = Vec::new();
    for r in entity.refs {
        match body.get(r.wire) {
            None | Some(Value::Null) if r.required => {
                errors.push(sf_error(r.wire, "a value is required"));
                refs.push(SfValue::Null);
            }
            None | Some(Value::Null) => refs.push(SfValue::Null),
            Some(value) => match sf_uuid(value) {
                Ok(id) => refs.push(SfValue::Uuid(id)),
                Err(message) => {
                    errors.push(sf_error(r.wire, message));
                    refs.push(SfValue::Null);
                }
            },
        }
    }
    let mut joins = Vec::new();
    for j in entity.joins {
        let mut ids = Vec::new();
        match body.get(j.wire) {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                for item in items {
                    match sf_uuid(item) {
                        Ok(id) => ids.push(id),
                        Err(message) => errors.push(sf_error(j.wire, message)),
                    }
                }
            }
            Some(_) => errors.push(sf_error(j.wire, "must be an array of UUIDs")),
        }
        ids.sort();
        ids.dedup();
        joins.push(ids);
    }
    if errors.is_empty() {
        Ok(SfInput {
            values,
            refs,
            joins,
        })
    } else {
        Err(sf_invalid(errors))
    }
}

/// 422 with `errors`.
pub fn sf_invalid(errors: Vec<SfFieldError>) -> SfProblem {
    SfProblem::fields(axum::http::StatusCode::UNPROCESSABLE_ENTITY, errors)
}

/// A UUID given as a JSON string.
pub fn sf_uuid(value: &Value) -> Result<Uuid, String> {
    value
        .as_str()
        .and_then(|s| Uuid::parse_str(s).ok())
        .ok_or_else(|| "must be a UUID".to_owned())
}

/// A query parameter's text as the JSON value it stands for.
pub fn sf_query_value(kind: SfKind, text: &str) -> Value {
    match kind {
        SfKind::Integer | SfKind::Bigint => text
            .parse::<i64>()
            .map_or_else(|_| Value::String(text.to_owned()), Value::from),
        SfKind::Float => text
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or_else(|| Value::String(text.to_owned()), Value::Number),
        SfKind::Boolean => match text {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::String(text.to_owned()),
        },
        _ => Value::String(text.to_owned()),
    }
}

/// Checks one non-null value of `field`: its type always, its constraints when `constraints`.
pub fn sf_value(field: &SfField, value: &Value, constraints: bool) -> Result<SfValue, String> {
    match field.kind {
        SfKind::Text => {
            let Some(text) = value.as_str() else {
                return Err("must be a string".to_owned());
            };
            if !field.values.is_empty() && !field.values.contains(&text) {
                return Err(format!("must be one of {}", sf_list(field.values)));
            }
            if constraints {
                sf_check_text(field, text)?;
            }
            Ok(SfValue::Text(text.to_owned()))
        }
        SfKind::Integer | SfKind::Bigint => {
            let Some(number) = value.as_i64() else {
                return Err("must be a whole number".to_owned());
            };
            if field.kind == SfKind::Integer && i32::try_from(number).is_err() {
                return Err("must be a 32-bit integer".to_owned());
            }
            if constraints {
                if let SfBound::Int(min) = field.min
                    && number < min
                {
                    return Err(format!("must be at least {min}"));
                }
                if let SfBound::Int(max) = field.max
                    && number > max
                {
                    return Err(format!("must be at most {max}"));
                }
            }
            Ok(SfValue::Int(number))
        }
        SfKind::Float => {
            let Some(number) = value.as_f64().filter(|_| value.is_number()) else {
                return Err("must be a number".to_owned());
            };
            if constraints {
                if let SfBound::Float(min) = field.min
                    && number < min
                {
                    return Err(format!("must be at least {min}"));
                }
                if let SfBound::Float(max) = field.max
                    && number > max
                {
                    return Err(format!("must be at most {max}"));
                }
            }
            Ok(SfValue::Float(number))
        }
        SfKind::Decimal => {
            let text = match value {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                _ => return Err("must be a decimal number (a string or a number)".to_owned()),
            };
            let (normal, units) = sf_decimal(&text, field.precision, field.scale)?;
            if constraints {
                if let SfBound::Decimal(min) = field.min
                    && units < min
                {
                    return Err(format!(
                        "must be at least {}",
                        sf_units_text(min, field.scale)
                    ));
                }
                if let SfBound::Decimal(max) = field.max
                    && units > max
                {
                    return Err(format!(
                        "must be at most {}",
                        sf_units_text(max, field.scale)
                    ));
                }
            }
            Ok(SfValue::Decimal(normal))
        }
        SfKind::Boolean => value
            .as_bool()
            .map(SfValue::Bool)
            .ok_or_else(|| "must be true or false".to_owned()),
        SfKind::Date => value
            .as_str()
            .and_then(|s| Date::parse(s, SF_DATE).ok())
            .map(SfValue::Date)
            .ok_or_else(|| "must be a date (YYYY-MM-DD)".to_owned()),
        SfKind::Datetime => value
            .as_str()
            .and_then(|s| OffsetDateTime::parse(s, &Rfc3339).ok())
            .map(|t| SfValue::Datetime(sf_micros(t.to_offset(UtcOffset::UTC))))
            .ok_or_else(|| "must be an RFC 3339 date and time".to_owned()),
        SfKind::Uuid => sf_uuid(value).map(SfValue::Uuid),
        SfKind::Json => Ok(SfValue::Json(value.clone())),
    }
}

fn sf_micros(t: OffsetDateTime) -> OffsetDateTime {
    t.replace_nanosecond(t.nanosecond() / 1000 * 1000)
        .unwrap_or(t)
}

fn sf_list(values: &[&str]) -> String {
    values
        .iter()
        .map(|v| serde_json::to_string(v).unwrap_or_default())
        .collect::<Vec<_>>()
        .join(", ")
}

fn sf_check_text(field: &SfField, text: &str) -> Result<(), String> {
    let length = text.chars().count();
    if let Some(min) = field.min_length
        && length < min
    {
        return Err(format!("must have at least {min} characters"));
    }
    if let Some(max) = field.max_length
        && length > max
    {
        return Err(format!("must have at most {max} characters"));
    }
    if let Some(pattern) = field.pattern
        && !pattern.is_match(text)
    {
        return Err(format!("must match the pattern {}", pattern.as_str()));
    }
    match field.format {
        SfFormat::Plain => Ok(()),
        SfFormat::Email if sf_is_email(text) => Ok(()),
        SfFormat::Email => Err("must be an e-mail address".to_owned()),
        SfFormat::Url if sf_is_url(text) => Ok(()),
        SfFormat::Url => Err("must be an http or https URL".to_owned()),
    }
}

/// `local@domain` with one `@`, no spaces, and a dot inside the domain.
pub fn sf_is_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && !text.chars().any(char::is_whitespace)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
}

/// `http://` or `https://`, then a host, without spaces.
pub fn sf_is_url(text: &str) -> bool {
    let rest = text
        .strip_prefix("http://")
        .or_else(|| text.strip_prefix("https://"));
    let Some(rest) = rest else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    !host.is_empty() && !text.chars().any(char::is_whitespace)
}

/// Parses a decimal: its text with exactly `scale` digits after the point, and its value in
/// units of the scale.
pub fn sf_decimal(text: &str, precision: u32, scale: u32) -> Result<(String, i128), String> {
    let bad = || "must be a decimal number".to_owned();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    if (whole.is_empty() && fraction.is_empty())
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !fraction.chars().all(|c| c.is_ascii_digit())
    {
        return Err(bad());
    }
    let fraction = fraction.trim_end_matches('0');
    if fraction.len() > scale as usize {
        return Err(format!("must have at most {scale} digits after the point"));
    }
    let whole = whole.trim_start_matches('0');
    if whole.len() > precision.saturating_sub(scale) as usize {
        return Err(format!(
            "must have at most {} digits before the point",
            precision.saturating_sub(scale)
        ));
    }
    let mut all = String::from(whole);
    all.push_str(fraction);
    all.extend(std::iter::repeat_n('0', scale as usize - fraction.len()));
    let mut units: i128 = 0;
    for c in all.chars() {
        units = units
            .checked_mul(10)
            .and_then(|u| u.checked_add(i128::from(c as u8 - b'0')))
            .ok_or_else(bad)?;
    }
    if negative {
        units = -units;
    }
    Ok((sf_units_text(units, scale), units))
}

/// A value in units of `scale` as decimal text.
pub fn sf_units_text(units: i128, scale: u32) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_keep_their_scale() {
        assert_eq!(sf_decimal("12.5", 8, 2), Ok(("12.50".to_owned(), 1250)));
        assert_eq!(sf_decimal("-0.05", 8, 2), Ok(("-0.05".to_owned(), -5)));
        assert_eq!(sf_decimal("7", 8, 0), Ok(("7".to_owned(), 7)));
        assert!(sf_decimal("1.001", 8, 2).is_err());
        assert!(sf_decimal("1234567", 8, 2).is_err());
        assert!(sf_decimal("twelve", 8, 2).is_err());
        assert!(sf_decimal(".", 8, 2).is_err());
    }

    #[test]
    fn formats_are_checked() {
        assert!(sf_is_email("a@example.com"));
        assert!(!sf_is_email("not-an-email"));
        assert!(!sf_is_email("a@b@example.com"));
        assert!(sf_is_url("https://example.com/x"));
        assert!(!sf_is_url("not a url"));
        assert!(!sf_is_url("https:///x"));
    }
}
