//! Fields: types, constraints and defaults.

use crate::diagnostic::{Code, pointer};
use crate::limits;
use crate::model::{Constraints, Field, FieldType};
use crate::names::{did_you_mean, suggest};
use crate::node::{Entry, Node, Value};
use crate::span::Span;

use super::{EntityDecl, Scope, Validator};

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
pub(crate) fn implicit_field(name: &str, ty: FieldType, declared: Option<&Field>) -> Field {
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

impl Validator<'_, '_> {
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

pub(super) fn describe_value(node: &Node) -> String {
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
