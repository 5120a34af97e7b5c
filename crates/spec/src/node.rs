//! The document tree every input format is read into before validation.
//!
//! YAML and JSON documents become a [`Node`] tree directly; Markdown requirements and OpenAPI
//! documents are translated into the tree of the equivalent YAML specification, with the spans
//! of the text they came from. The validator reads only this tree, so every check behaves the
//! same whatever the user wrote, and every diagnostic points into the user's own source.

use crate::span::Span;

/// A value of the document with the span of source text it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Where the value is written in the source.
    pub span: Span,
}

/// A mapping key with its span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Key {
    /// The key as text (YAML scalars such as `1` or `true` used as keys keep their written text).
    pub name: String,
    /// Where the key is written.
    pub span: Span,
}

/// One `key: value` pair of a mapping.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The key.
    pub key: Key,
    /// The value.
    pub value: Node,
}

impl Entry {
    /// The entry `name: value`, its key written at `key_span` (the key of a translated document
    /// points at the text it was translated from).
    pub fn new(name: impl Into<String>, key_span: Span, value: Node) -> Self {
        Entry {
            key: Key {
                name: name.into(),
                span: key_span,
            },
            value,
        }
    }
}

/// The value of a [`Node`].
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `null`, `~` or an empty YAML value.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer that fits in 64 bits.
    Int(i64),
    /// Any other number.
    Float(f64),
    /// A string.
    Str(String),
    /// A sequence (array).
    Seq(Vec<Node>),
    /// A mapping (object), in source order; duplicate keys have already been reported and dropped.
    Map(Vec<Entry>),
}

impl Node {
    /// A node.
    pub fn new(value: Value, span: Span) -> Self {
        Node { value, span }
    }

    /// A string node.
    pub fn str(s: impl Into<String>, span: Span) -> Self {
        Node {
            value: Value::Str(s.into()),
            span,
        }
    }

    /// The string, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The entries, if this is a mapping.
    pub fn as_map(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The items, if this is a sequence.
    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// The value of `key`, if this is a mapping that has it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?
            .iter()
            .find(|e| e.key.name == key)
            .map(|e| &e.value)
    }

    /// Whether this is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// "a mapping", "a string", ...: for messages such as "expected a mapping, found a string".
    pub fn kind_name(&self) -> &'static str {
        self.value.kind_name()
    }

    /// Number of nodes in this tree, this one included.
    pub fn count(&self) -> usize {
        1 + match &self.value {
            Value::Seq(items) => items.iter().map(Node::count).sum(),
            Value::Map(entries) => entries.iter().map(|e| e.value.count()).sum(),
            _ => 0,
        }
    }
}

impl Value {
    /// "a mapping", "a string", ...
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}
