//! Request bodies: the checks each generated input type runs, field by field, collecting
//! every problem (types, lengths in characters, ranges, patterns, formats, enum values,
//! decimal digits; unknown properties refused).

use std::str::FromStr;

use axum::body::Bytes;
use regex::Regex;
use rust_decimal::Decimal;
use serde_json::{Map, Value};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::db;
use crate::error::{AppError, FieldError};

/// Parses a request body as a JSON object.
pub fn object(body: &Bytes) -> Result<Map<String, Value>, AppError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(AppError::invalid("body", "the body must be a JSON object")),
        Err(e) => Err(AppError::invalid(
            "body",
            format!("the body is not valid JSON: {e}"),
        )),
    }
}

/// Reads the properties of a body one by one, collecting the problems.
#[derive(Debug)]
pub struct Check<'a> {
    body: &'a Map<String, Value>,
    errors: Vec<FieldError>,
}

impl<'a> Check<'a> {
    /// Starts checking `body`, whose properties must be among `known`.
    pub fn new(body: &'a Map<String, Value>, known: &[&str]) -> Self {
        let errors = body
            .keys()
            .filter(|key| !known.contains(&key.as_str()))
            .map(|key| FieldError::new(key.as_str(), "unknown property"))
            .collect();
        Check { body, errors }
    }

    /// A property that must have a value.
    pub fn required<T>(
        &mut self,
        name: &str,
        parse: impl FnOnce(&Value) -> Result<T, String>,
    ) -> Option<T> {
        self.read(name, None, true, parse)
    }

    /// A property that must have a value, `default` when left out.
    pub fn required_or<T>(
        &mut self,
        name: &str,
        default: Value,
        parse: impl FnOnce(&Value) -> Result<T, String>,
    ) -> Option<T> {
        self.read(name, Some(default), true, parse)
    }

    /// A property that may be left out or `null`.
    pub fn optional<T>(
        &mut self,
        name: &str,
        parse: impl FnOnce(&Value) -> Result<T, String>,
    ) -> Option<T> {
        self.read(name, None, false, parse)
    }

    /// A property that may be `null`, `default` when left out.
    pub fn optional_or<T>(
        &mut self,
        name: &str,
        default: Value,
        parse: impl FnOnce(&Value) -> Result<T, String>,
    ) -> Option<T> {
        self.read(name, Some(default), false, parse)
    }

    /// A list of ids (left out or `null`: none), sorted, without repeats.
    pub fn ids(&mut self, name: &str) -> Vec<Uuid> {
        let mut ids = Vec::new();
        match self.body.get(name) {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                for item in items {
                    match uuid(item) {
                        Ok(id) => ids.push(id),
                        Err(message) => self.errors.push(FieldError::new(name, message)),
                    }
                }
            }
            Some(_) => self
                .errors
                .push(FieldError::new(name, "must be an array of UUIDs")),
        }
        ids.sort();
        ids.dedup();
        ids
    }

    fn read<T>(
        &mut self,
        name: &str,
        default: Option<Value>,
        required: bool,
        parse: impl FnOnce(&Value) -> Result<T, String>,
    ) -> Option<T> {
        let value = match self.body.get(name) {
            Some(value) => Some(value),
            None => default.as_ref(),
        };
        match value {
            None | Some(Value::Null) => {
                if required {
                    self.errors
                        .push(FieldError::new(name, "a value is required"));
                }
                None
            }
            Some(value) => match parse(value) {
                Ok(v) => Some(v),
                Err(message) => {
                    self.errors.push(FieldError::new(name, message));
                    None
                }
            },
        }
    }

    /// Whether no problem was found.
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }

    /// 422 with every problem found.
    pub fn into_error(self) -> AppError {
        AppError::Invalid(self.errors)
    }
}

/// A required value, once [`Check::is_valid`] said every required value is there.
pub fn present<T>(value: Option<T>) -> Result<T, AppError> {
    value.ok_or_else(|| AppError::internal("a checked value is missing"))
}

/// A string.
pub fn text(value: &Value) -> Result<String, String> {
    value
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| "must be a string".to_owned())
}

/// One of an enum's values.
pub fn one_of<T>(
    value: &Value,
    values: &[&str],
    parse: impl Fn(&str) -> Option<T>,
) -> Result<T, String> {
    let text = value
        .as_str()
        .ok_or_else(|| "must be a string".to_owned())?;
    parse(text).ok_or_else(|| {
        let list: Vec<String> = values
            .iter()
            .map(|v| serde_json::to_string(v).unwrap_or_default())
            .collect();
        format!("must be one of {}", list.join(", "))
    })
}

/// At least `min` and at most `max` characters.
pub fn length(text: &str, min: Option<usize>, max: Option<usize>) -> Result<(), String> {
    let length = text.chars().count();
    if let Some(min) = min
        && length < min
    {
        return Err(format!("must have at least {min} characters"));
    }
    if let Some(max) = max
        && length > max
    {
        return Err(format!("must have at most {max} characters"));
    }
    Ok(())
}

/// Contains a match of `pattern`.
pub fn pattern(text: &str, pattern: &Regex) -> Result<(), String> {
    if pattern.is_match(text) {
        Ok(())
    } else {
        Err(format!("must match the pattern {}", pattern.as_str()))
    }
}

/// `local@domain` with one `@`, no spaces, and a dot inside the domain.
pub fn email(text: &str) -> Result<(), String> {
    let valid = text.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && !domain.contains('@')
            && !text.chars().any(char::is_whitespace)
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
    });
    if valid {
        Ok(())
    } else {
        Err("must be an e-mail address".to_owned())
    }
}

/// `http://` or `https://`, then a host, without spaces.
pub fn url(text: &str) -> Result<(), String> {
    let host = text
        .strip_prefix("http://")
        .or_else(|| text.strip_prefix("https://"))
        .map(|rest| rest.split(['/', '?', '#']).next().unwrap_or_default());
    match host {
        Some(host) if !host.is_empty() && !text.chars().any(char::is_whitespace) => Ok(()),
        _ => Err("must be an http or https URL".to_owned()),
    }
}

/// A 32-bit whole number.
pub fn integer(value: &Value) -> Result<i32, String> {
    let number = bigint(value)?;
    i32::try_from(number).map_err(|_| "must be a 32-bit integer".to_owned())
}

/// A 64-bit whole number.
pub fn bigint(value: &Value) -> Result<i64, String> {
    value
        .as_i64()
        .ok_or_else(|| "must be a whole number".to_owned())
}

/// A number.
pub fn float(value: &Value) -> Result<f64, String> {
    value
        .as_f64()
        .filter(|_| value.is_number())
        .ok_or_else(|| "must be a number".to_owned())
}

/// At least `min`.
pub fn at_least<T: PartialOrd + std::fmt::Display>(value: T, min: T) -> Result<(), String> {
    if value < min {
        Err(format!("must be at least {min}"))
    } else {
        Ok(())
    }
}

/// At most `max`.
pub fn at_most<T: PartialOrd + std::fmt::Display>(value: T, max: T) -> Result<(), String> {
    if value > max {
        Err(format!("must be at most {max}"))
    } else {
        Ok(())
    }
}

/// A decimal (a string or a number) with at most `precision` digits, `scale` of them after
/// the point; the result has exactly `scale` digits after the point.
pub fn decimal(value: &Value, precision: u32, scale: u32) -> Result<Decimal, String> {
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return Err("must be a decimal number (a string or a number)".to_owned()),
    };
    let bad = || "must be a decimal number".to_owned();
    let digits = text.strip_prefix(['-', '+']).unwrap_or(&text);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    if (whole.is_empty() && fraction.is_empty())
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !fraction.chars().all(|c| c.is_ascii_digit())
    {
        return Err(bad());
    }
    if fraction.trim_end_matches('0').len() > scale as usize {
        return Err(format!("must have at most {scale} digits after the point"));
    }
    let before = precision.saturating_sub(scale);
    if whole.trim_start_matches('0').len() > before as usize {
        return Err(format!(
            "must have at most {before} digits before the point"
        ));
    }
    let mut number = Decimal::from_str(&text).map_err(|_| bad())?;
    number.rescale(scale);
    if number.is_zero() {
        number.set_sign_positive(true);
    }
    Ok(number)
}

/// A decimal bound written in the specification, with `scale` digits after the point.
pub fn decimal_bound(text: &str, scale: u32) -> Decimal {
    let mut number = Decimal::from_str(text).unwrap_or_default();
    number.rescale(scale);
    number
}

/// `true` or `false`.
pub fn boolean(value: &Value) -> Result<bool, String> {
    value
        .as_bool()
        .ok_or_else(|| "must be true or false".to_owned())
}

/// A date, `YYYY-MM-DD`.
pub fn date(value: &Value) -> Result<Date, String> {
    value
        .as_str()
        .and_then(|s| Date::parse(s, format_description!("[year]-[month]-[day]")).ok())
        .ok_or_else(|| "must be a date (YYYY-MM-DD)".to_owned())
}

/// An RFC 3339 instant, kept in UTC to the microsecond.
pub fn datetime(value: &Value) -> Result<OffsetDateTime, String> {
    value
        .as_str()
        .and_then(|s| OffsetDateTime::parse(s, &Rfc3339).ok())
        .map(db::truncate)
        .ok_or_else(|| "must be an RFC 3339 date and time".to_owned())
}

/// A UUID given as a string.
pub fn uuid(value: &Value) -> Result<Uuid, String> {
    value
        .as_str()
        .and_then(|s| Uuid::parse_str(s).ok())
        .ok_or_else(|| "must be a UUID".to_owned())
}

/// Any JSON value.
pub fn json(value: &Value) -> Result<Value, String> {
    Ok(value.clone())
}

/// The id in a path.
pub fn path_id(id: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(id).map_err(|_| AppError::invalid("path.id", "must be a UUID"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_keep_their_scale() {
        let parse = |text: &str| decimal(&Value::from(text), 8, 2).map(|d| d.to_string());
        assert_eq!(parse("12.5"), Ok("12.50".to_owned()));
        assert_eq!(parse("-0.05"), Ok("-0.05".to_owned()));
        assert!(parse("1.001").is_err());
        assert!(parse("1234567").is_err());
        assert!(parse("twelve").is_err());
        assert!(parse(".").is_err());
    }

    #[test]
    fn formats_are_checked() {
        assert!(email("a@example.com").is_ok());
        assert!(email("not-an-email").is_err());
        assert!(email("a@b@example.com").is_err());
        assert!(url("https://example.com/x").is_ok());
        assert!(url("not a url").is_err());
        assert!(url("https:///x").is_err());
    }
}
