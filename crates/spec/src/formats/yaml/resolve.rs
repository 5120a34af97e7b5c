//! Resolving scalars: tags (`!!str`, `!!int`, ..., the non-specific `!`, unknown tags) and the
//! YAML 1.2 core schema (null, booleans, integers, floats).

use std::borrow::Cow;

use saphyr_parser::{ScalarStyle, Tag};

use crate::diagnostic::Code;
use crate::node::Value;
use crate::span::Span;

use super::CORE_TAG_PREFIX;
use super::reader::Reader;

impl Reader<'_, '_> {
    pub(super) fn unsupported_tag(&mut self, tag: &TagKind<'_>, span: Span) {
        let shown = match tag {
            TagKind::Core(name) => format!("!!{name}"),
            TagKind::Other(shown) => shown.clone(),
            TagKind::None | TagKind::NonSpecific => "!".to_string(),
        };
        let diagnostic = self
            .source
            .warning(
                Code::UnsupportedConstruct,
                span,
                self.path(),
                format!("the tag `{shown}` is not supported; the value is read without it"),
            )
            .with_hint("remove the tag");
        self.diagnostics.push(diagnostic);
    }

    /// The value of a scalar, per its tag and the core schema.
    pub(super) fn resolve(
        &mut self,
        text: Cow<'_, str>,
        style: ScalarStyle,
        tag: Option<&Tag>,
        span: Span,
    ) -> Value {
        let untagged = |text: Cow<'_, str>| {
            if style == ScalarStyle::Plain {
                core_value(&text).unwrap_or_else(|| Value::Str(text.into_owned()))
            } else {
                Value::Str(text.into_owned())
            }
        };
        let kind = classify_tag(tag);
        let checked = match &kind {
            TagKind::None => return untagged(text),
            TagKind::NonSpecific | TagKind::Core("str") => return Value::Str(text.into_owned()),
            TagKind::Core("int") => int_value(&text),
            TagKind::Core("float") => match core_value(&text) {
                Some(Value::Int(i)) => Some(Value::Float(i as f64)),
                Some(Value::Float(f)) => Some(Value::Float(f)),
                _ => None,
            },
            TagKind::Core("bool") => core_value(&text).filter(|v| matches!(v, Value::Bool(_))),
            TagKind::Core("null") => core_value(&text).filter(|v| matches!(v, Value::Null)),
            TagKind::Core(name @ ("seq" | "map")) => {
                let what = if *name == "seq" {
                    "a list"
                } else {
                    "a mapping"
                };
                let message = format!("the tag `!!{name}` is for {what}, not a single value");
                self.error(Code::SyntaxError, span, message, None);
                return untagged(text);
            }
            TagKind::Core(_) | TagKind::Other(_) => {
                self.unsupported_tag(&kind, span);
                return untagged(text);
            }
        };
        match checked {
            Some(value) => value,
            None => {
                let name = match kind {
                    TagKind::Core(name) => name,
                    _ => "",
                };
                let message = format!("`{text}` is not a valid `!!{name}` value");
                self.error(Code::SyntaxError, span, message, None);
                untagged(text)
            }
        }
    }
}

/// What a tag asks for.
pub(super) enum TagKind<'t> {
    /// No tag.
    None,
    /// The non-specific `!`: a string for a scalar.
    NonSpecific,
    /// A YAML core schema tag (`!!name`), by name.
    Core(&'t str),
    /// Any other tag, as written.
    Other(String),
}

pub(super) fn classify_tag(tag: Option<&Tag>) -> TagKind<'_> {
    let Some(tag) = tag else {
        return TagKind::None;
    };
    if tag.handle.is_empty() && tag.suffix == "!" {
        return TagKind::NonSpecific;
    }
    if tag.handle == CORE_TAG_PREFIX {
        return TagKind::Core(&tag.suffix);
    }
    if tag.handle.is_empty() {
        if let Some(name) = tag.suffix.strip_prefix(CORE_TAG_PREFIX) {
            return TagKind::Core(name);
        }
        return TagKind::Other(format!("!<{}>", tag.suffix));
    }
    if tag.handle == "!" {
        return TagKind::Other(format!("!{}", tag.suffix));
    }
    TagKind::Other(format!("!<{}{}>", tag.handle, tag.suffix))
}

/// The core schema value of a plain scalar, or `None` for a string.
fn core_value(text: &str) -> Option<Value> {
    let value = match text {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Value::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => Value::Float(f64::NAN),
        _ => {
            if !text.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '-' | '+' | '.')) {
                return None;
            }
            return int_value(text).or_else(|| float_value(text));
        }
    };
    Some(value)
}

/// A core schema integer: decimal with an optional sign, `0o` octal or `0x` hex. One that does
/// not fit `i64` is a float.
fn int_value(text: &str) -> Option<Value> {
    let (digits, radix) = if let Some(hex) = text.strip_prefix("0x") {
        (hex, 16)
    } else if let Some(octal) = text.strip_prefix("0o") {
        (octal, 8)
    } else {
        (text.strip_prefix(['-', '+']).unwrap_or(text), 10)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    if radix == 10 {
        return Some(match text.parse::<i64>() {
            Ok(i) => Value::Int(i),
            Err(_) => Value::Float(text.parse::<f64>().unwrap_or(f64::NAN)),
        });
    }
    Some(match i64::from_str_radix(digits, radix) {
        Ok(i) => Value::Int(i),
        Err(_) => Value::Float(
            digits
                .chars()
                .filter_map(|c| c.to_digit(radix))
                .fold(0.0, |acc, d| acc * f64::from(radix) + f64::from(d)),
        ),
    })
}

/// A core schema float: `[-+]? ( \.[0-9]+ | [0-9]+ ( \.[0-9]* )? ) ( [eE] [-+]? [0-9]+ )?`.
fn float_value(text: &str) -> Option<Value> {
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => (unsigned.get(..at)?, Some(unsigned.get(at + 1..)?)),
        None => (unsigned, None),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some((whole, fraction)) => {
            all_digits(whole) && all_digits(fraction) && !(whole.is_empty() && fraction.is_empty())
        }
        None => !mantissa.is_empty() && all_digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let digits = e.strip_prefix(['-', '+']).unwrap_or(e);
        !digits.is_empty() && all_digits(digits)
    });
    if !mantissa_ok || !exponent_ok {
        return None;
    }
    text.parse::<f64>().ok().map(Value::Float)
}
