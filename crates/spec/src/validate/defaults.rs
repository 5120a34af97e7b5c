//! Default values: each converted to its field's type and checked against its constraints, with
//! the small checks of dates, times, UUIDs, e-mail addresses, URLs and decimals.

use regex::RegexBuilder;

use crate::diagnostic::Code;
use crate::model::{Constraints, Field, FieldType};
use crate::names::{did_you_mean, suggest};
use crate::node::{Node, Value};

use super::fields::{DEFAULT_PRECISION, DEFAULT_SCALE, a_type, describe_value};
use super::{Scope, Validator};

impl Validator<'_, '_> {
    pub(super) fn default_value(
        &mut self,
        node: &Node,
        field: &Field,
        path: &str,
        scope: &Scope,
    ) -> Option<serde_json::Value> {
        use serde_json::Value as J;
        let ty = &field.ty;
        let c = &field.constraints;
        let mismatch = |validator: &mut Self, expected: &str, hint: Option<String>| {
            validator.error_hint(
                Code::InvalidDefault,
                node.span,
                path,
                format!(
                    "default {} does not fit {} field: {expected}",
                    describe_value(node),
                    a_type(ty)
                ),
                hint,
            );
            None
        };
        let quote_hint = || Some("quote it to make it a string".to_string());
        match (ty, &node.value) {
            (_, Value::Null) => mismatch(self, "remove `default` for no default", None),
            (
                FieldType::String | FieldType::Text | FieldType::Email | FieldType::Url,
                Value::Str(s),
            ) => {
                let len = u32::try_from(s.chars().count()).unwrap_or(u32::MAX);
                if c.max_length.is_some_and(|m| len > m) || c.min_length.is_some_and(|m| len < m) {
                    return mismatch(
                        self,
                        "its length is outside `min_length`..`max_length`",
                        None,
                    );
                }
                if let Some(p) = &c.pattern
                    && let Ok(re) = RegexBuilder::new(p).size_limit(1 << 20).build()
                    && !re.is_match(s)
                {
                    return mismatch(self, "it does not match `pattern`", None);
                }
                if *ty == FieldType::Email && !looks_like_email(s) {
                    return mismatch(self, "it is not an e-mail address", None);
                }
                if *ty == FieldType::Url && !looks_like_url(s) {
                    return mismatch(self, "it is not an absolute URL", None);
                }
                Some(J::String(s.clone()))
            }
            (FieldType::String | FieldType::Text | FieldType::Email | FieldType::Url, _) => {
                mismatch(self, "expected a string", quote_hint())
            }
            (FieldType::Integer | FieldType::Bigint, Value::Int(n)) => {
                if *ty == FieldType::Integer && i32::try_from(*n).is_err() {
                    return mismatch(self, "outside the 32-bit integer range", None);
                }
                if !in_bounds(*n as f64, c) {
                    return mismatch(self, "outside `min`..`max`", None);
                }
                Some(J::from(*n))
            }
            (FieldType::Integer | FieldType::Bigint, _) => {
                mismatch(self, "expected a whole number", None)
            }
            (FieldType::Float, Value::Int(n)) if in_bounds(*n as f64, c) => {
                Some(J::from(*n as f64))
            }
            (FieldType::Float, Value::Float(f)) if f.is_finite() && in_bounds(*f, c) => {
                serde_json::Number::from_f64(*f).map(J::Number)
            }
            (FieldType::Float, Value::Int(_) | Value::Float(_)) => {
                mismatch(self, "outside `min`..`max` or not finite", None)
            }
            (FieldType::Float, _) => mismatch(self, "expected a number", None),
            (FieldType::Decimal, Value::Int(_) | Value::Float(_) | Value::Str(_)) => {
                let text = match &node.value {
                    Value::Int(n) => n.to_string(),
                    Value::Float(f) => f.to_string(),
                    Value::Str(s) => s.clone(),
                    _ => String::new(),
                };
                match parse_decimal(&text) {
                    Some((int_digits, frac_digits, value)) => {
                        let precision = c.precision.unwrap_or(DEFAULT_PRECISION);
                        let scale = c.scale.unwrap_or(DEFAULT_SCALE);
                        if frac_digits > scale || int_digits + scale > precision {
                            return mismatch(
                                self,
                                &format!("it does not fit precision {precision} and scale {scale}"),
                                None,
                            );
                        }
                        if !in_bounds(value, c) {
                            return mismatch(self, "outside `min`..`max`", None);
                        }
                        Some(J::String(text))
                    }
                    None => mismatch(self, "expected a decimal number such as 9.99", None),
                }
            }
            (FieldType::Decimal, _) => {
                mismatch(self, "expected a decimal number such as 9.99", None)
            }
            (FieldType::Boolean, Value::Bool(b)) => Some(J::Bool(*b)),
            (FieldType::Boolean, _) => mismatch(self, "expected true or false", None),
            (FieldType::Date, Value::Str(s)) if is_date(s) => Some(J::String(s.clone())),
            (FieldType::Date, _) => mismatch(self, "expected a date such as \"2024-01-31\"", None),
            (FieldType::Datetime, Value::Str(s)) if is_datetime(s) => Some(J::String(s.clone())),
            (FieldType::Datetime, _) => mismatch(
                self,
                "expected an RFC 3339 time such as \"2024-01-31T12:00:00Z\"",
                None,
            ),
            (FieldType::Uuid, Value::Str(s)) if is_uuid(s) => {
                Some(J::String(s.to_ascii_lowercase()))
            }
            (FieldType::Uuid, _) => {
                mismatch(self, "expected a UUID such as \"0190a1b2-...\"", None)
            }
            (FieldType::Json, _) => Some(to_json(node)),
            (FieldType::Enum(name), Value::Str(s)) => {
                let values = scope.enums.get(name).map(Vec::as_slice).unwrap_or(&[]);
                if values.contains(s) {
                    Some(J::String(s.clone()))
                } else {
                    let hint = did_you_mean(suggest(s, values.iter().map(String::as_str)))
                        .or_else(|| Some(format!("values of `{name}`: {}", values.join(", "))));
                    mismatch(
                        self,
                        &format!("`{s}` is not a value of enum `{name}`"),
                        hint,
                    )
                }
            }
            (FieldType::Enum(name), _) => mismatch(
                self,
                &format!("expected a value of enum `{name}`"),
                quote_hint(),
            ),
        }
    }
}

fn in_bounds(v: f64, c: &Constraints) -> bool {
    c.min
        .as_ref()
        .and_then(serde_json::Number::as_f64)
        .is_none_or(|m| v >= m)
        && c.max
            .as_ref()
            .and_then(serde_json::Number::as_f64)
            .is_none_or(|m| v <= m)
}

/// Digits before and after the point, and the value, of a plain decimal such as `-12.50`.
fn parse_decimal(s: &str) -> Option<(u32, u32, f64)> {
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let int_digits = int.trim_start_matches('0').len();
    let value: f64 = s.parse().ok()?;
    Some((
        u32::try_from(int_digits).ok()?,
        u32::try_from(frac.len()).ok()?,
        value,
    ))
}

fn looks_like_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty() && domain.contains('.') && !s.contains(char::is_whitespace)
        }
        None => false,
    }
}

fn looks_like_url(s: &str) -> bool {
    (s.starts_with("http://") || s.starts_with("https://"))
        && s.len() > 8
        && !s.contains(char::is_whitespace)
}

fn digits(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn is_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return false;
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return false;
    }
    let (Some(y), Some(m), Some(d)) = (digits(y), digits(m), digits(d)) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

fn is_datetime(s: &str) -> bool {
    let Some((date, time)) = s.split_once(['T', 't', ' ']) else {
        return false;
    };
    if !is_date(date) {
        return false;
    }
    let (clock, zone) = if let Some(c) = time.strip_suffix(['Z', 'z']) {
        (c, "")
    } else if let Some(i) = time.rfind(['+', '-']) {
        (&time[..i], &time[i + 1..])
    } else {
        return false;
    };
    if !zone.is_empty() {
        let Some((zh, zm)) = zone.split_once(':') else {
            return false;
        };
        if !matches!((digits(zh), digits(zm)), (Some(h), Some(m)) if zh.len() == 2 && zm.len() == 2 && h < 24 && m < 60)
        {
            return false;
        }
    }
    let (hms, frac) = clock.split_once('.').unwrap_or((clock, "0"));
    if frac.is_empty() || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let parts: Vec<&str> = hms.split(':').collect();
    let [h, m, sec] = parts.as_slice() else {
        return false;
    };
    matches!(
        (digits(h), digits(m), digits(sec)),
        (Some(h2), Some(m2), Some(s2)) if h.len() == 2 && m.len() == 2 && sec.len() == 2 && h2 < 24 && m2 < 60 && s2 < 61
    )
}

fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// A node as plain JSON, for `json` defaults.
pub(crate) fn to_json(node: &Node) -> serde_json::Value {
    use serde_json::Value as J;
    match &node.value {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Int(n) => J::from(*n),
        Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
        Value::Str(s) => J::String(s.clone()),
        Value::Seq(items) => J::Array(items.iter().map(to_json).collect()),
        Value::Map(entries) => J::Object(
            entries
                .iter()
                .map(|e| (e.key.name.clone(), to_json(&e.value)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_times_are_checked_for_real_calendar_values() {
        assert!(is_date("2024-02-29"));
        assert!(!is_date("2023-02-29"));
        assert!(!is_date("2024-13-01"));
        assert!(!is_date("24-01-01"));
        assert!(is_datetime("2024-01-31T12:00:00Z"));
        assert!(is_datetime("2024-01-31T12:00:00.123+02:00"));
        assert!(!is_datetime("2024-01-31T25:00:00Z"));
        assert!(!is_datetime("2024-01-31"));
        assert!(!is_datetime("2024-01-31T12:00:00.Z"));
        assert!(is_uuid("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"));
        assert!(!is_uuid("0190a1b2c3d47e5f8a9b0c1d2e3f4a5b"));
    }

    #[test]
    fn decimals_report_their_digits() {
        assert_eq!(parse_decimal("12.50").map(|(i, f, _)| (i, f)), Some((2, 2)));
        assert_eq!(parse_decimal("-0.5").map(|(i, f, _)| (i, f)), Some((0, 1)));
        assert_eq!(parse_decimal("abc"), None);
        assert_eq!(parse_decimal("."), None);
    }
}
