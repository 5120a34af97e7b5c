//! Sample values for the tests of generated projects: valid values that meet every constraint
//! of a field (several distinct ones, for unique fields), and invalid values, one per kind of
//! constraint the field has. Computed here, once, so every target tests the same cases.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use regex_syntax::hir::{Class, Hir, HirKind};
use serde::Serialize;
use serde_json::{Number, Value, json};
use specforge_spec::Model;
use specforge_spec::model::{Field, FieldType};

/// The `n`-th valid value of `field` (values for different `n` differ wherever the
/// constraints leave room).
pub fn valid(model: &Model, field: &Field, n: usize) -> Value {
    let c = &field.constraints;
    match &field.ty {
        FieldType::String | FieldType::Text => {
            let min = c.min_length.unwrap_or(0) as usize;
            let max = c.max_length.map_or(usize::MAX, |m| m as usize);
            if let Some(pattern) = &c.pattern
                && let Some(s) = from_pattern(pattern, n, min, max)
            {
                return Value::String(s);
            }
            // The number first, so that values stay distinct when `max_length` cuts them.
            Value::String(fit(&format!("{} sample", base36(n)), min, max, 'x'))
        }
        FieldType::Email => {
            let min = c.min_length.unwrap_or(0) as usize;
            let local = format!("user{n}");
            let pad = min.saturating_sub(local.len() + "@example.com".len());
            Value::String(format!("{local}{}@example.com", "x".repeat(pad)))
        }
        FieldType::Url => {
            let min = c.min_length.unwrap_or(0) as usize;
            let base = format!("https://example.com/{n}");
            let pad = min.saturating_sub(base.len());
            Value::String(format!("{base}{}", "x".repeat(pad)))
        }
        FieldType::Integer | FieldType::Bigint => {
            let (lo, hi) = int_bounds(field);
            let v = lo.saturating_add(n as i64 + 1).min(hi).max(lo);
            json!(v)
        }
        FieldType::Float => {
            let lo = c.min.as_ref().and_then(Number::as_f64).unwrap_or(0.0);
            let hi = c.max.as_ref().and_then(Number::as_f64).unwrap_or(f64::MAX);
            let v = (lo + n as f64 + 0.5).min(hi).max(lo);
            json!(v)
        }
        FieldType::Decimal => Value::String(decimal(field, n)),
        FieldType::Boolean => Value::Bool(n.is_multiple_of(2)),
        FieldType::Date => Value::String(format!("2024-{:02}-{:02}", 1 + n % 12, 1 + n % 28)),
        FieldType::Datetime => Value::String(format!(
            "2024-{:02}-{:02}T10:{:02}:00Z",
            1 + n % 12,
            1 + n % 28,
            n % 60
        )),
        FieldType::Uuid => Value::String(format!("00000000-0000-4000-8000-{:012x}", n + 1)),
        FieldType::Json => json!({ "sample": n, "tags": ["a", "b"] }),
        FieldType::Enum(name) => match model.enum_(name) {
            Some(e) if !e.values.is_empty() => Value::String(e.values[n % e.values.len()].clone()),
            _ => Value::Null,
        },
    }
}

/// A kind of invalid value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Invalid {
    /// `null` for a required field.
    Null,
    /// Shorter than `min_length`.
    TooShort,
    /// Longer than `max_length`.
    TooLong,
    /// Below `min`.
    BelowMin,
    /// Above `max`.
    AboveMax,
    /// Does not match `pattern`.
    Pattern,
    /// Not one of the enum's values.
    NotInEnum,
    /// A JSON value of the wrong type, or text that is not in the type's format.
    WrongType,
    /// More digits than the decimal's precision or scale allows.
    TooPrecise,
}

impl Invalid {
    /// As written in generated test names.
    pub fn as_str(self) -> &'static str {
        match self {
            Invalid::Null => "null",
            Invalid::TooShort => "too_short",
            Invalid::TooLong => "too_long",
            Invalid::BelowMin => "below_min",
            Invalid::AboveMax => "above_max",
            Invalid::Pattern => "pattern",
            Invalid::NotInEnum => "not_in_enum",
            Invalid::WrongType => "wrong_type",
            Invalid::TooPrecise => "too_precise",
        }
    }
}

/// One invalid value of `field` for each kind of constraint it has.
pub fn invalid(model: &Model, field: &Field) -> Vec<(Invalid, Value)> {
    let c = &field.constraints;
    let mut out = Vec::new();
    if field.required {
        out.push((Invalid::Null, Value::Null));
    }
    let wrong = match &field.ty {
        FieldType::String | FieldType::Text => json!(12345),
        FieldType::Email => json!("not-an-email"),
        FieldType::Url => json!("not a url"),
        FieldType::Integer | FieldType::Bigint => json!("twelve"),
        FieldType::Float => json!("twelve"),
        FieldType::Decimal => json!("twelve"),
        FieldType::Boolean => json!("maybe"),
        FieldType::Date => json!("2024-13-45"),
        FieldType::Datetime => json!("yesterday"),
        FieldType::Uuid => json!("not-a-uuid"),
        FieldType::Json => Value::Null,
        FieldType::Enum(_) => json!(12345),
    };
    if !wrong.is_null() {
        out.push((Invalid::WrongType, wrong));
    }
    if field.ty.is_textual() {
        if let Some(min) = c.min_length.filter(|&m| m > 0) {
            let s = match valid(model, field, 0) {
                Value::String(s) => s.chars().take(min as usize - 1).collect(),
                _ => String::new(),
            };
            out.push((Invalid::TooShort, Value::String(s)));
        }
        if let Some(max) = c.max_length {
            let s = match &field.ty {
                FieldType::Email => format!("{}@example.com", "x".repeat(max as usize)),
                FieldType::Url => format!("https://example.com/{}", "x".repeat(max as usize)),
                _ => "x".repeat(max as usize + 1),
            };
            out.push((Invalid::TooLong, Value::String(s)));
        }
        if let Some(pattern) = &c.pattern
            && let Some(s) = not_matching(pattern, field)
        {
            out.push((Invalid::Pattern, Value::String(s)));
        }
    }
    if field.ty.is_numeric() {
        let decimal = field.ty == FieldType::Decimal;
        let integer = matches!(field.ty, FieldType::Integer | FieldType::Bigint);
        let number = |v: f64| {
            if decimal {
                Value::String(format!("{v}"))
            } else if integer {
                json!(v as i64)
            } else {
                json!(v)
            }
        };
        if let Some(min) = c.min.as_ref().and_then(Number::as_f64) {
            out.push((Invalid::BelowMin, number(min - 1.0)));
        } else if field.ty == FieldType::Integer {
            out.push((Invalid::BelowMin, json!(i64::from(i32::MIN) - 1)));
        }
        if let Some(max) = c.max.as_ref().and_then(Number::as_f64) {
            out.push((Invalid::AboveMax, number(max + 1.0)));
        } else if field.ty == FieldType::Integer {
            out.push((Invalid::AboveMax, json!(i64::from(i32::MAX) + 1)));
        }
        if decimal {
            let scale = c.scale.unwrap_or(2) as usize;
            out.push((
                Invalid::TooPrecise,
                Value::String(format!("1.{}1", "0".repeat(scale))),
            ));
        }
    }
    if let FieldType::Enum(name) = &field.ty {
        let values = model
            .enum_(name)
            .map(|e| e.values.as_slice())
            .unwrap_or_default();
        out.push((Invalid::NotInEnum, Value::String(not_in_enum(values))));
    }
    out
}

/// A text that is none of `values`: `not-a-value`, lengthened until it is none of them.
pub fn not_in_enum(values: &[String]) -> String {
    let mut bad = String::from("not-a-value");
    while values.contains(&bad) {
        bad.push('x');
    }
    bad
}

/// The smallest and largest whole numbers a field allows.
fn int_bounds(field: &Field) -> (i64, i64) {
    let (lo, hi) = match field.ty {
        FieldType::Integer => (i64::from(i32::MIN), i64::from(i32::MAX)),
        _ => (i64::MIN, i64::MAX),
    };
    let c = &field.constraints;
    let min = c
        .min
        .as_ref()
        .and_then(Number::as_f64)
        .map_or(0, |m| m.ceil() as i64);
    let max = c
        .max
        .as_ref()
        .and_then(Number::as_f64)
        .map_or(hi, |m| m.floor() as i64);
    (min.max(lo), max.min(hi))
}

/// A decimal that fits the precision, scale, `min` and `max`, as text.
fn decimal(field: &Field, n: usize) -> String {
    let c = &field.constraints;
    let scale = c.scale.unwrap_or(2) as usize;
    let precision = c.precision.unwrap_or(18) as usize;
    let int_digits = precision.saturating_sub(scale).min(15);
    let limit = if int_digits == 0 {
        0.0
    } else {
        10f64.powi(int_digits as i32) - 1.0
    };
    let lo = c
        .min
        .as_ref()
        .and_then(Number::as_f64)
        .unwrap_or(0.0)
        .max(-limit);
    let hi = c
        .max
        .as_ref()
        .and_then(Number::as_f64)
        .unwrap_or(limit)
        .min(limit);
    let v = (lo.ceil() + n as f64 + 1.0).min(hi.floor()).max(lo.ceil());
    if scale == 0 {
        format!("{v:.0}")
    } else {
        format!("{v:.scale$}")
    }
}

/// `n` in base 36 (digits, then lowercase letters).
fn base36(mut n: usize) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[n % 36]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// Pads with `pad` up to `min` characters and cuts to `max`.
fn fit(base: &str, min: usize, max: usize, pad: char) -> String {
    let mut s: String = base.chars().take(max).collect();
    while s.chars().count() < min {
        s.push(pad);
    }
    s
}

/// A string matching `pattern` (the whole string when anchored, somewhere in it otherwise)
/// with `min..=max` characters, different for different `n` where the pattern allows.
pub fn from_pattern(pattern: &str, n: usize, min: usize, max: usize) -> Option<String> {
    let compiled = compiled(pattern)?;
    for extra in 0..=64 {
        let mut out = String::new();
        produce(&compiled.hir, n, extra, &mut out);
        let len = out.chars().count();
        if len >= min && len <= max && compiled.regex.is_match(&out) {
            return Some(out);
        }
        if len > max {
            break;
        }
    }
    None
}

/// A pattern parsed (to produce strings) and compiled (to check them).
struct Compiled {
    hir: Hir,
    regex: regex::Regex,
}

/// Most patterns kept per thread; past it the cache starts over.
const MAX_CACHED_PATTERNS: usize = 256;

thread_local! {
    /// Compiled patterns by source text. A model repeats a few patterns over many fields and
    /// every field asks for several samples: compiling each time was most of the time of the
    /// full targets on large models.
    static PATTERNS: RefCell<HashMap<String, Option<Rc<Compiled>>>> = RefCell::new(HashMap::new());
}

/// `pattern` compiled, or none when it is not a pattern the `regex` crate reads.
fn compiled(pattern: &str) -> Option<Rc<Compiled>> {
    PATTERNS.with(|cache| {
        if let Some(found) = cache.borrow().get(pattern) {
            return found.clone();
        }
        let made = regex_syntax::Parser::new()
            .parse(pattern)
            .ok()
            .zip(regex::Regex::new(pattern).ok())
            .map(|(hir, regex)| Rc::new(Compiled { hir, regex }));
        let mut cache = cache.borrow_mut();
        if cache.len() >= MAX_CACHED_PATTERNS {
            cache.clear();
        }
        cache.insert(pattern.to_owned(), made.clone());
        made
    })
}

fn produce(hir: &Hir, n: usize, extra: usize, out: &mut String) {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(lit) => out.push_str(&String::from_utf8_lossy(&lit.0)),
        HirKind::Class(Class::Unicode(class)) => {
            // Prefer an ASCII letter or digit of the class, varied by `n`.
            let mut chars: Vec<char> = Vec::new();
            for range in class.ranges() {
                for c in range.start()..=range.end() {
                    if c.is_ascii_alphanumeric() {
                        chars.push(c);
                    }
                    if chars.len() >= 64 {
                        break;
                    }
                }
            }
            if chars.is_empty() {
                if let Some(range) = class.ranges().first() {
                    out.push(range.start());
                }
            } else {
                out.push(chars[n % chars.len()]);
            }
        }
        HirKind::Class(Class::Bytes(class)) => {
            if let Some(range) = class.ranges().first() {
                out.push(char::from(range.start()));
            }
        }
        HirKind::Repetition(rep) => {
            let count = (rep.min as usize).max(1).saturating_add(extra);
            let count = rep
                .max
                .map_or(count, |m| count.min(m as usize))
                .max(rep.min as usize);
            for _ in 0..count {
                produce(&rep.sub, n, 0, out);
            }
        }
        HirKind::Capture(cap) => produce(&cap.sub, n, extra, out),
        HirKind::Concat(parts) => {
            for part in parts {
                produce(part, n, extra, out);
            }
        }
        HirKind::Alternation(branches) => produce(&branches[0], n, extra, out),
    }
}

/// A string that does not match `pattern` but fits the field's length limits.
fn not_matching(pattern: &str, field: &Field) -> Option<String> {
    let re = &compiled(pattern)?.regex;
    let c = &field.constraints;
    let min = c.min_length.unwrap_or(0) as usize;
    let max = c.max_length.map_or(usize::MAX, |m| m as usize);
    ["!", "~", " ", "#", "0", "a", "A", "-", "."]
        .iter()
        .map(|base| fit(base, min.max(1), max, base.chars().next().unwrap_or('!')))
        .find(|s| !re.is_match(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_outside_an_enum_is_lengthened_past_its_values() {
        assert_eq!(not_in_enum(&["a".to_owned()]), "not-a-value");
        let taken = ["not-a-value".to_owned(), "not-a-valuex".to_owned()];
        assert_eq!(not_in_enum(&taken), "not-a-valuexx");
    }

    #[test]
    fn pattern_samples_match_and_differ() {
        let a = from_pattern("^[0-9-]{10,17}$", 0, 0, 255).expect("sample");
        let b = from_pattern("^[0-9-]{10,17}$", 1, 0, 255).expect("sample");
        assert_ne!(a, b);
        assert!(
            regex::Regex::new("^[0-9-]{10,17}$")
                .expect("re")
                .is_match(&a)
        );
        let card = from_pattern("^LIB-[0-9]{6}$", 3, 0, 255).expect("sample");
        assert_eq!(card, "LIB-333333");
    }

    #[test]
    fn short_unique_strings_stay_distinct() {
        let model: Model = serde_json::from_value(json!({
            "specforge": 1, "name": "m", "roles": [], "enums": [], "entities": []
        }))
        .expect("model");
        let field: Field = serde_json::from_value(json!({
            "name": "code", "type": { "kind": "string" }, "required": true, "unique": true,
            "implicit": false, "primary_key": false,
            "constraints": { "max_length": 2, "min_length": 2 }
        }))
        .expect("field");
        let values: std::collections::BTreeSet<String> = (0..36)
            .map(|n| valid(&model, &field, n).as_str().expect("text").to_owned())
            .collect();
        assert_eq!(values.len(), 36);
        assert!(values.iter().all(|v| v.chars().count() == 2), "{values:?}");
    }

    #[test]
    fn pattern_samples_grow_to_the_minimum_length() {
        let s = from_pattern("^[a-z]+$", 0, 5, 10).expect("sample");
        assert_eq!(s.len(), 5);
    }
}
