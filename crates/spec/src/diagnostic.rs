//! Diagnostics: what is wrong with a specification, where, and how to fix it.

use serde::Serialize;

use crate::span::{LineIndex, Position, Span};

/// How bad a problem is. Errors make a specification invalid; warnings do not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The specification cannot be used until this is fixed.
    Error,
    /// Worth a look; the specification is still valid.
    Warning,
}

impl Severity {
    /// `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident = $text:literal, )*) => {
        /// The stable identifier of a kind of problem. Clients may match on it; its text never
        /// changes once released (see `docs/spec-language.md` for each code with an example).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $( $(#[$doc])* $variant, )*
        }

        impl Code {
            /// Every code, in documentation order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The snake_case text of the code, as serialized.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( Code::$variant => $text, )*
                }
            }
        }
    };
}

codes! {
    /// The text is not well-formed YAML, JSON or Markdown.
    SyntaxError = "syntax_error",
    /// A mapping has the same key twice.
    DuplicateKey = "duplicate_key",
    /// The input is larger than a limit allows (size, entities, fields, nesting, alias expansion).
    LimitExceeded = "limit_exceeded",
    /// The `specforge` format version key is missing.
    MissingVersion = "missing_version",
    /// The `specforge` format version is not one this release reads.
    UnsupportedVersion = "unsupported_version",
    /// A required key is missing.
    MissingKey = "missing_key",
    /// A key that the specification language does not have.
    UnknownKey = "unknown_key",
    /// A value of the wrong kind or outside the allowed words.
    InvalidValue = "invalid_value",
    /// A field type that is neither a built-in type nor a declared enum.
    UnknownType = "unknown_type",
    /// A relation to an entity that is not declared.
    UnknownEntity = "unknown_entity",
    /// A permission names a role that `auth.roles` does not declare.
    UnknownRole = "unknown_role",
    /// A list filter names a field or relation the entity does not have.
    UnknownFilterField = "unknown_filter_field",
    /// A list sort names a field the entity does not have (or one that cannot be sorted).
    UnknownSortField = "unknown_sort_field",
    /// `mapped_by` names a relation the target entity does not have.
    UnknownMappedBy = "unknown_mapped_by",
    /// `mapped_by` names a relation that does not point back, or has the wrong kind.
    MappedByMismatch = "mapped_by_mismatch",
    /// Two entities with the same name.
    DuplicateEntity = "duplicate_entity",
    /// Two fields or relations of one entity with the same name.
    DuplicateField = "duplicate_field",
    /// Two enums with the same name.
    DuplicateEnum = "duplicate_enum",
    /// An enum lists the same value twice.
    DuplicateEnumValue = "duplicate_enum_value",
    /// A role is declared twice.
    DuplicateRole = "duplicate_role",
    /// Two names that differ only by case or separators, and would be one name in generated code.
    NameCollision = "name_collision",
    /// A name that is empty or cannot be made an identifier.
    InvalidName = "invalid_name",
    /// A name longer than 63 bytes (PostgreSQL's identifier limit).
    NameTooLong = "name_too_long",
    /// An implicit field (`id`, `created_at`, `updated_at`) declared with another type.
    ReservedField = "reserved_field",
    /// A constraint that does not apply to the field's type.
    InapplicableConstraint = "inapplicable_constraint",
    /// A lower bound above its upper bound, or a bound out of range.
    InvalidRange = "invalid_range",
    /// A `pattern` that is not a valid regular expression.
    InvalidPattern = "invalid_pattern",
    /// A `default` that does not fit the field's type, enum or constraints.
    InvalidDefault = "invalid_default",
    /// An `on_delete` action that cannot work for the relation.
    InvalidOnDelete = "invalid_on_delete",
    /// An enum without values.
    EmptyEnum = "empty_enum",
    /// An entity without fields or relations of its own.
    EmptyEntity = "empty_entity",
    /// Required many-to-one relations that form a cycle, so no row could ever be inserted first.
    RequiredCycle = "required_cycle",
    /// Something in the input that has no equivalent in the specification language.
    UnsupportedConstruct = "unsupported_construct",
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem found in a specification.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Stable identifier of the kind of problem.
    pub code: Code,
    /// What is wrong, in one sentence.
    pub message: String,
    /// JSON Pointer (RFC 6901) to the offending value in the specification's structure.
    pub path: String,
    /// 1-based line in the user's source.
    pub line: usize,
    /// 1-based column (in characters) in the user's source.
    pub column: usize,
    /// How to fix it, when there is something useful to say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// The byte range in the source, for rendering a caret under the spot.
    #[serde(skip)]
    pub span: Span,
}

impl Diagnostic {
    /// Sets the hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// The source text being read, with its line index; every diagnostic is made through it so that
/// line and column are always filled in.
#[derive(Debug)]
pub struct Source<'a> {
    /// The whole text.
    pub text: &'a str,
    /// Its line index.
    pub lines: LineIndex,
}

impl<'a> Source<'a> {
    /// Indexes `text`.
    pub fn new(text: &'a str) -> Self {
        Source {
            text,
            lines: LineIndex::new(text),
        }
    }

    /// The position of a byte offset.
    pub fn position(&self, offset: usize) -> Position {
        self.lines.position(self.text, offset)
    }

    /// "line 3, column 5" for a span's start: for hints that point at another place.
    pub fn describe(&self, span: Span) -> String {
        let p = self.position(span.start);
        format!("line {}, column {}", p.line, p.column)
    }

    /// A diagnostic at `span`.
    pub fn diagnostic(
        &self,
        severity: Severity,
        code: Code,
        span: Span,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Diagnostic {
        let p = self.position(span.start);
        Diagnostic {
            severity,
            code,
            message: message.into(),
            path: path.into(),
            line: p.line,
            column: p.column,
            hint: None,
            span,
        }
    }

    /// An error at `span`.
    pub fn error(
        &self,
        code: Code,
        span: Span,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Diagnostic {
        self.diagnostic(Severity::Error, code, span, path, message)
    }

    /// A warning at `span`.
    pub fn warning(
        &self,
        code: Code,
        span: Span,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Diagnostic {
        self.diagnostic(Severity::Warning, code, span, path, message)
    }
}

/// Appends `segment` to a JSON Pointer, escaping `~` and `/` as RFC 6901 requires.
pub fn pointer(base: &str, segment: &str) -> String {
    let mut out = String::with_capacity(base.len() + segment.len() + 1);
    out.push_str(base);
    out.push('/');
    for c in segment.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
    out
}

/// Sorts diagnostics by position, then severity and code, so output is stable.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (a.line, a.column, a.severity, a.code, &a.message)
            .cmp(&(b.line, b.column, b.severity, b.code, &b.message))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_escape_tilde_and_slash() {
        assert_eq!(pointer("", "entities"), "/entities");
        assert_eq!(pointer("/a", "b/c~d"), "/a/b~1c~0d");
    }

    #[test]
    fn every_code_is_distinct_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for code in Code::ALL {
            let s = code.as_str();
            assert!(s.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{s}");
            assert!(seen.insert(s), "{s} twice");
        }
    }
}
