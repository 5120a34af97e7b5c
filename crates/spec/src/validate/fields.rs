//! Fields: types, constraints and defaults.

use regex::RegexBuilder;

use super::{Cx, EntityDecl, Scope};
use crate::diagnostic::{Code, pointer};
use crate::limits;
use crate::model::{Constraints, Field, FieldType};
use crate::names::{did_you_mean, suggest};
use crate::node::{Entry, Node, Value};
use crate::span::Span;

const FIELD_KEYS: &[&str] = &[
    "type",
    "required",
    "unique",
    "default",
    "min",
    "max",
    "min_length",
    "max_length",
    "pattern",
    "precision",
    "scale",
    "description",
];

/// Default `max_length` per text type, so every target bounds the same columns the same way.
const DEFAULT_STRING_LENGTH: u32 = 255;
const DEFAULT_EMAIL_LENGTH: u32 = 254;
const DEFAULT_URL_LENGTH: u32 = 2048;
/// Default decimal precision and scale.
pub(crate) const DEFAULT_PRECISION: u32 = 18;
pub(crate) const DEFAULT_SCALE: u32 = 2;
/// Largest decimal precision accepted by every supported database.
const MAX_PRECISION: i64 = 38;
/// Largest text length a length constraint may give (PostgreSQL's `varchar` limit).
const MAX_TEXT_LENGTH: i64 = 10_485_760;

/// Names users often write for a built-in type.
const TYPE_ALIASES: &[(&str, &str)] = &[
    ("str", "string"),
    ("varchar", "string"),
    ("char", "string"),
    ("int", "integer"),
    ("int32", "integer"),
    ("smallint", "integer"),
    ("long", "bigint"),
    ("int64", "bigint"),
    ("double", "float"),
    ("real", "float"),
    ("number", "float"),
    ("numeric", "decimal"),
    ("money", "decimal"),
    ("bool", "boolean"),
    ("timestamp", "datetime"),
    ("timestamptz", "datetime"),
    ("date-time", "datetime"),
    ("date_time", "datetime"),
    ("time", "datetime"),
    ("uri", "url"),
    ("guid", "uuid"),
    ("object", "json"),
    ("map", "json"),
    ("array", "json"),
];

/// A declared field with where it was written.
pub(crate) struct FieldDecl {
    pub(crate) field: Field,
    /// Whether the type could not be resolved (already reported; later checks stay quiet).
    pub(crate) untyped: bool,
    /// The name's collision key (see [`crate::names::collision_key`]).
    pub(crate) key: String,
    pub(crate) key_span: Span,
    pub(crate) path: String,
}

pub(crate) fn is_timestamp(name: &str) -> bool {
    name == "created_at" || name == "updated_at"
}

/// An implicit field, keeping the description of a same-typed redeclaration.
pub(crate) fn implicit(name: &str, ty: FieldType, declared: Option<&Field>) -> Field {
    Field {
        name: name.to_string(),
        ty,
        required: true,
        unique: name == "id",
        implicit: true,
        primary_key: name == "id",
        default: None,
        constraints: Constraints::default(),
        description: declared.and_then(|f| f.description.clone()),
    }
}

impl Cx<'_, '_> {
    pub(crate) fn field(
        &mut self,
        e: &Entry,
        base: &str,
        entity: &EntityDecl<'_>,
        scope: &Scope,
    ) -> Option<FieldDecl> {
        let name = &e.key.name;
        let path = pointer(base, name);
        let name_ok = self.check_name(name, e.key.span, &path, "field");
        let (type_node, map): (Option<&Node>, &[Entry]) = match &e.value.value {
            Value::Str(_) => (Some(&e.value), &[]),
            Value::Map(m) => {
                self.check_keys(m, FIELD_KEYS, &path, "a field");
                match e.value.get("type") {
                    Some(t) => (Some(t), m),
                    None => {
                        self.error_hint(
                            Code::MissingKey,
                            e.key.span,
                            &path,
                            format!("field `{name}` has no `type`"),
                            Some(format!(
                                "add `type:`, one of {}, or an enum",
                                FieldType::BUILTIN.join(", ")
                            )),
                        );
                        (None, m)
                    }
                }
            }
            Value::Null => {
                self.error_hint(
                    Code::MissingKey,
                    e.key.span,
                    &path,
                    format!("field `{name}` has no type"),
                    Some(format!(
                        "write `{name}: string` or `{name}: {{ type: string }}`"
                    )),
                );
                return None;
            }
            v => {
                self.error(
                    Code::InvalidValue,
                    e.value.span,
                    &path,
                    format!(
                        "field `{name}` must be a type name or a mapping, not {}",
                        v.kind_name()
                    ),
                );
                return None;
            }
        };
        let type_path = if map.is_empty() {
            path.clone()
        } else {
            pointer(&path, "type")
        };
        let ty = type_node.and_then(|t| self.field_type(t, &type_path, scope));
        let get = |key: &str| map.iter().find(|en| en.key.name == key).map(|en| &en.value);

        let mut field = Field {
            name: name.clone(),
            ty: ty.clone().unwrap_or(FieldType::Json),
            required: false,
            unique: false,
            implicit: false,
            primary_key: false,
            default: None,
            constraints: Constraints::default(),
            description: None,
        };
        if let Some(n) = get("required") {
            field.required = self
                .boolean(n, &pointer(&path, "required"), "`required`")
                .unwrap_or(false);
        }
        if let Some(n) = get("unique") {
            field.unique = self
                .boolean(n, &pointer(&path, "unique"), "`unique`")
                .unwrap_or(false);
        }
        if let Some(n) = get("description") {
            field.description = self.string(n, &pointer(&path, "description"), "`description`");
        }

        // Implicit fields may be restated with their own type (to add a description), nothing else.
        let implicit_type = match name.as_str() {
            "id" => Some(FieldType::Uuid),
            "created_at" | "updated_at" if entity.timestamps => Some(FieldType::Datetime),
            _ => None,
        };
        if let (Some(expected), Some(actual)) = (&implicit_type, &ty)
            && expected != actual
        {
            let hint = if name == "id" {
                "every entity has `id: uuid` as its primary key; rename this field (e.g. `code`)"
                    .to_string()
            } else {
                format!(
                    "`{name}` is set by specforge; rename this field or set `timestamps: false` on the entity"
                )
            };
            self.error_hint(
                Code::ReservedField,
                type_node.map_or(e.key.span, |t| t.span),
                &type_path,
                format!(
                    "`{name}` is an implicit field of type {} and cannot be redeclared as {}",
                    expected.name(),
                    actual.name()
                ),
                Some(hint),
            );
        }

        if implicit_type.is_some() && implicit_type == ty {
            for extra in map.iter().filter(|en| {
                FIELD_KEYS.contains(&en.key.name.as_str())
                    && en.key.name != "type"
                    && en.key.name != "description"
            }) {
                self.error_hint(
                    Code::ReservedField,
                    extra.key.span,
                    &pointer(&path, &extra.key.name),
                    format!(
                        "`{}` cannot be set on the implicit field `{name}`",
                        extra.key.name
                    ),
                    Some("only `description` can be added to an implicit field".into()),
                );
            }
        }
        let Some(ty) = ty else {
            return name_ok.then_some(FieldDecl {
                field,
                untyped: true,
                key: crate::names::collision_key(name),
                key_span: e.key.span,
                path,
            });
        };
        self.constraints(&mut field, &ty, map, &path);
        if let Some(n) = get("default") {
            field.default = self.default_value(n, &field, &pointer(&path, "default"), scope);
        }
        Some(FieldDecl {
            field,
            untyped: false,
            key: crate::names::collision_key(name),
            key_span: e.key.span,
            path,
        })
    }

    fn field_type(&mut self, node: &Node, path: &str, scope: &Scope) -> Option<FieldType> {
        let Some(name) = node.as_str() else {
            self.error(
                Code::InvalidValue,
                node.span,
                path,
                format!("a field type must be a name, not {}", node.kind_name()),
            );
            return None;
        };
        if name.trim().is_empty() {
            self.error_hint(
                Code::MissingKey,
                node.span,
                path,
                "the field has no type",
                Some(format!(
                    "write one of {}, or an enum",
                    FieldType::BUILTIN.join(", ")
                )),
            );
            return None;
        }
        if let Some(t) = FieldType::builtin(name) {
            return Some(t);
        }
        if scope.enums.contains_key(name) {
            return Some(FieldType::Enum(name.to_string()));
        }
        let hint = if scope.is_entity(name) {
            Some(format!(
                "`{name}` is an entity: declare a relation under `relations`, e.g. `{{ to: {name}, kind: many_to_one }}`"
            ))
        } else if let Some((_, t)) = TYPE_ALIASES
            .iter()
            .find(|(alias, _)| alias.eq_ignore_ascii_case(name))
        {
            Some(format!("did you mean `{t}`?"))
        } else {
            let candidates = FieldType::BUILTIN
                .iter()
                .copied()
                .chain(scope.enum_order.iter().map(String::as_str));
            did_you_mean(suggest(name, candidates)).or_else(|| {
                Some(format!(
                    "types are {}, or an enum declared under `enums`",
                    FieldType::BUILTIN.join(", ")
                ))
            })
        };
        self.error_hint(
            Code::UnknownType,
            node.span,
            path,
            format!("unknown type `{name}`"),
            hint,
        );
        None
    }

    /// A non-negative whole number for a length, precision or scale.
    fn count(&mut self, node: &Node, path: &str, key: &str, min: i64, max: i64) -> Option<u32> {
        match node.value {
            Value::Int(n) if (min..=max).contains(&n) => u32::try_from(n).ok(),
            Value::Int(n) => {
                self.error(
                    Code::InvalidRange,
                    node.span,
                    path,
                    format!("`{key}` is {n}; it must be from {min} to {max}"),
                );
                None
            }
            _ => {
                let hint = matches!(node.value, Value::Str(_))
                    .then(|| "write the number without quotes".to_string());
                self.error_hint(
                    Code::InvalidValue,
                    node.span,
                    path,
                    format!("`{key}` must be a whole number, not {}", node.kind_name()),
                    hint,
                );
                None
            }
        }
    }

    fn bound(
        &mut self,
        node: &Node,
        path: &str,
        key: &str,
        ty: &FieldType,
    ) -> Option<serde_json::Number> {
        let whole = matches!(ty, FieldType::Integer | FieldType::Bigint);
        match node.value {
            Value::Int(n) => {
                if *ty == FieldType::Integer && i32::try_from(n).is_err() {
                    self.error_hint(
                        Code::InvalidRange,
                        node.span,
                        path,
                        format!("`{key}` {n} is outside the range of an integer (32 bits)"),
                        Some("use `type: bigint` for larger numbers".into()),
                    );
                    return None;
                }
                Some(n.into())
            }
            Value::Float(f) if whole => {
                self.error(
                    Code::InvalidValue,
                    node.span,
                    path,
                    format!(
                        "`{key}` of {} field must be a whole number, not {f}",
                        a_type(ty)
                    ),
                );
                None
            }
            Value::Float(f) => match serde_json::Number::from_f64(f) {
                Some(n) => Some(n),
                None => {
                    self.error(
                        Code::InvalidValue,
                        node.span,
                        path,
                        format!("`{key}` must be a finite number"),
                    );
                    None
                }
            },
            _ => {
                let hint = matches!(node.value, Value::Str(_))
                    .then(|| "write the number without quotes".to_string());
                self.error_hint(
                    Code::InvalidValue,
                    node.span,
                    path,
                    format!("`{key}` must be a number, not {}", node.kind_name()),
                    hint,
                );
                None
            }
        }
    }

    fn inapplicable(&mut self, entry: &Entry, path: &str, ty: &FieldType, applies_to: &str) {
        self.error_hint(
            Code::InapplicableConstraint,
            entry.key.span,
            &pointer(path, &entry.key.name),
            format!(
                "`{}` does not apply to {} field",
                entry.key.name,
                a_type(ty)
            ),
            Some(format!("`{}` applies to {applies_to}", entry.key.name)),
        );
    }

    fn constraints(&mut self, field: &mut Field, ty: &FieldType, map: &[Entry], path: &str) {
        let mut c = Constraints::default();
        let mut spans: Vec<(&str, Span)> = Vec::with_capacity(map.len());
        for e in map {
            let key = e.key.name.as_str();
            let p = pointer(path, key);
            match key {
                "min_length" | "max_length" | "pattern" if !ty.is_textual() => {
                    self.inapplicable(e, path, ty, "string, text, email and url fields");
                }
                "min" | "max" if !ty.is_numeric() => {
                    let hint = if ty.is_textual() {
                        " (for text, use `min_length`/`max_length`)"
                    } else {
                        ""
                    };
                    self.inapplicable(
                        e,
                        path,
                        ty,
                        &format!("integer, bigint, float and decimal fields{hint}"),
                    );
                }
                "precision" | "scale" if *ty != FieldType::Decimal => {
                    self.inapplicable(e, path, ty, "decimal fields");
                }
                "unique" if *ty == FieldType::Json && e.value.value == Value::Bool(true) => {
                    self.inapplicable(e, path, ty, "fields of every type but json");
                }
                "min_length" => c.min_length = self.count(&e.value, &p, key, 0, MAX_TEXT_LENGTH),
                "max_length" => c.max_length = self.count(&e.value, &p, key, 1, MAX_TEXT_LENGTH),
                "min" => c.min = self.bound(&e.value, &p, key, ty),
                "max" => c.max = self.bound(&e.value, &p, key, ty),
                "precision" => c.precision = self.count(&e.value, &p, key, 1, MAX_PRECISION),
                "scale" => c.scale = self.count(&e.value, &p, key, 0, MAX_PRECISION),
                "pattern" => c.pattern = self.pattern(&e.value, &p),
                _ => continue,
            }
            spans.push((key, e.value.span));
        }
        let span = |k: &str| {
            spans
                .iter()
                .find(|(key, _)| *key == k)
                .map(|(_, s)| *s)
                .unwrap_or_default()
        };
        if let (Some(lo), Some(hi)) = (c.min_length, c.max_length)
            && lo > hi
        {
            self.error(
                Code::InvalidRange,
                span("min_length"),
                &pointer(path, "min_length"),
                format!("`min_length` {lo} is greater than `max_length` {hi}"),
            );
        }
        if let (Some(lo), Some(hi)) = (&c.min, &c.max)
            && lo.as_f64().unwrap_or(0.0) > hi.as_f64().unwrap_or(0.0)
        {
            self.error(
                Code::InvalidRange,
                span("min"),
                &pointer(path, "min"),
                format!("`min` {lo} is greater than `max` {hi}"),
            );
        }
        if *ty == FieldType::Decimal {
            let precision = c.precision.unwrap_or(DEFAULT_PRECISION);
            let scale = c.scale.unwrap_or(DEFAULT_SCALE.min(precision));
            if scale > precision {
                self.error(
                    Code::InvalidRange,
                    span("scale"),
                    &pointer(path, "scale"),
                    format!("`scale` {scale} is greater than `precision` {precision}"),
                );
            }
            c.precision = Some(precision);
            c.scale = Some(scale.min(precision));
        }
        if c.max_length.is_none() {
            c.max_length = match ty {
                FieldType::String => Some(DEFAULT_STRING_LENGTH.max(c.min_length.unwrap_or(0))),
                FieldType::Email => Some(DEFAULT_EMAIL_LENGTH.max(c.min_length.unwrap_or(0))),
                FieldType::Url => Some(DEFAULT_URL_LENGTH.max(c.min_length.unwrap_or(0))),
                _ => None,
            };
        }
        field.constraints = c;
    }

    fn pattern(&mut self, node: &Node, path: &str) -> Option<String> {
        let pattern = self.string(node, path, "`pattern`")?;
        if pattern.len() > limits::MAX_PATTERN_BYTES {
            self.error(
                Code::LimitExceeded,
                node.span,
                path,
                format!(
                    "`pattern` is {} bytes; the limit is {}",
                    pattern.len(),
                    limits::MAX_PATTERN_BYTES
                ),
            );
            return None;
        }
        // Parsing (not compiling) is enough to know the pattern is valid, and far cheaper;
        // the generated code compiles it.
        match regex_syntax::ParserBuilder::new()
            .nest_limit(64)
            .build()
            .parse(&pattern)
        {
            Ok(hir) if pattern_weight(&hir) > MAX_PATTERN_WEIGHT => {
                self.error_hint(
                    Code::InvalidPattern,
                    node.span,
                    path,
                    "`pattern` repeats too much to be compiled by every target",
                    Some("nested counted repetitions such as `(a{1000}){1000}` multiply; keep their product under 10,000".into()),
                );
                None
            }
            Ok(_) => Some(pattern),
            Err(err) => {
                let detail = regex_error_summary(&err);
                self.error_hint(
                    Code::InvalidPattern,
                    node.span,
                    path,
                    format!("`pattern` is not a valid regular expression: {detail}"),
                    Some("patterns use the common regex syntax of all targets: no look-around, no back-references".into()),
                );
                None
            }
        }
    }

    fn default_value(
        &mut self,
        node: &Node,
        field: &Field,
        path: &str,
        scope: &Scope,
    ) -> Option<serde_json::Value> {
        use serde_json::Value as J;
        let ty = &field.ty;
        let c = &field.constraints;
        let mismatch = |cx: &mut Self, expected: &str, hint: Option<String>| {
            cx.error_hint(
                Code::InvalidDefault,
                node.span,
                path,
                format!(
                    "default {} does not fit {} field: {expected}",
                    describe(node),
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

/// "an integer", "a string", "a BookStatus": the type with its article, for messages.
pub(crate) fn a_type(ty: &FieldType) -> String {
    let name = ty.name();
    let vowel = name
        .chars()
        .next()
        .is_some_and(|c| "aeiouAEIOU".contains(c));
    format!("{} {name}", if vowel { "an" } else { "a" })
}

fn describe(node: &Node) -> String {
    match &node.value {
        Value::Str(s) if s.chars().count() <= 40 => format!("\"{s}\""),
        Value::Int(n) => n.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Bool(b) => b.to_string(),
        v => v.kind_name().to_string(),
    }
}

/// Most "weight" a pattern may have: its size once counted repetitions are unrolled, which is
/// what some regex engines compile (and which a few characters can make enormous).
const MAX_PATTERN_WEIGHT: u64 = 10_000;

fn pattern_weight(hir: &regex_syntax::hir::Hir) -> u64 {
    use regex_syntax::hir::HirKind;
    match hir.kind() {
        HirKind::Empty | HirKind::Literal(_) | HirKind::Class(_) | HirKind::Look(_) => 1,
        HirKind::Capture(c) => pattern_weight(&c.sub),
        HirKind::Repetition(r) => {
            let times = u64::from(r.max.unwrap_or(r.min).max(r.min).max(1));
            times.saturating_mul(pattern_weight(&r.sub))
        }
        HirKind::Concat(items) | HirKind::Alternation(items) => items
            .iter()
            .map(pattern_weight)
            .fold(0u64, u64::saturating_add),
    }
}

fn regex_error_summary(err: &regex_syntax::Error) -> String {
    match err {
        regex_syntax::Error::Parse(e) => e.kind().to_string(),
        regex_syntax::Error::Translate(e) => e.kind().to_string(),
        _ => "syntax error".to_string(),
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
