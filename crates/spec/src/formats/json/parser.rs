//! Reading: the recursive-descent parser of JSON values, objects and arrays, with the nesting and
//! node limits and the errors that stop it.

use std::fmt::Write as _;

use crate::diagnostic::{Code, Diagnostic, Source};
use crate::formats::mapping::{Members, duplicate_key};
use crate::limits;
use crate::node::{Entry, Key, Node, Value};
use crate::span::Span;

/// Appends one JSON Pointer segment to `path` in place (see [`crate::diagnostic::pointer`]).
fn push_segment(path: &mut String, segment: &str) {
    path.push('/');
    if !segment.contains(['~', '/']) {
        path.push_str(segment);
        return;
    }
    for c in segment.chars() {
        match c {
            '~' => path.push_str("~0"),
            '/' => path.push_str("~1"),
            c => path.push(c),
        }
    }
}

/// What the parser wanted where it found something else, for the wording of the error.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Expected {
    /// A value.
    Value,
    /// An object key.
    Key,
    /// Punctuation between the parts of an object or array.
    Separator,
}

/// Marks that parsing stopped; the reason is already in the diagnostics.
pub(super) struct Stopped;

pub(super) type ParseResult<T> = Result<T, Stopped>;

pub(super) struct JsonParser<'s, 'd> {
    pub(super) source: &'s Source<'s>,
    pub(super) text: &'s str,
    pub(super) bytes: &'s [u8],
    pub(super) pos: usize,
    /// Nodes created so far, against `limits::MAX_NODES`.
    pub(super) nodes: usize,
    /// JSON Pointer of the value being read.
    pub(super) path: String,
    pub(super) diagnostics: &'d mut Vec<Diagnostic>,
}

impl JsonParser<'_, '_> {
    pub(super) fn document(&mut self) -> ParseResult<Node> {
        if self.text.starts_with('\u{FEFF}') {
            self.pos = '\u{FEFF}'.len_utf8();
        }
        self.skip_whitespace();
        let root = self.value(0)?;
        self.skip_whitespace();
        if self.pos < self.bytes.len() {
            let at = self.char_span(self.pos);
            return Err(self.fail(at, "trailing characters after the JSON value", None));
        }
        Ok(root)
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    /// Records a syntax error at `span` and stops.
    pub(super) fn fail(
        &mut self,
        span: Span,
        message: impl Into<String>,
        hint: Option<&str>,
    ) -> Stopped {
        let mut diagnostic = self
            .source
            .error(Code::SyntaxError, span, self.path.clone(), message);
        if let Some(hint) = hint {
            diagnostic = diagnostic.with_hint(hint);
        }
        self.diagnostics.push(diagnostic);
        Stopped
    }

    /// The span of the character at byte `at` (empty at the end of the text).
    pub(super) fn char_span(&self, at: usize) -> Span {
        let len = self
            .text
            .get(at..)
            .and_then(|s| s.chars().next())
            .map_or(0, char::len_utf8);
        Span::new(at, at + len)
    }

    pub(super) fn end_of_input(&mut self) -> Stopped {
        let at = Span::point(self.bytes.len());
        self.fail(at, "unexpected end of input", None)
    }

    /// Reports what stands at the current position where `expected` was wanted, with a more
    /// precise message for the usual slips (comments, single quotes, unquoted words).
    fn unexpected(&mut self, expected: &str, site: Expected) -> Stopped {
        let Some(&b) = self.bytes.get(self.pos) else {
            return self.end_of_input();
        };
        let at = self.char_span(self.pos);
        let next = self.bytes.get(self.pos + 1).copied();
        if b == b'/' && matches!(next, Some(b'/' | b'*')) {
            return self.fail(at, "comments are not allowed in JSON", None);
        }
        if b == b'\'' {
            return self.fail(at, "strings must be in double quotes in JSON", None);
        }
        if site != Expected::Separator && (b.is_ascii_alphabetic() || b == b'_') {
            let word = self.word();
            let span = Span::new(self.pos, self.pos + word.len());
            let lower = word.to_ascii_lowercase();
            if site == Expected::Value && matches!(lower.as_str(), "true" | "false" | "null") {
                return self.fail(
                    span,
                    format!("invalid literal `{word}`"),
                    Some("JSON literals are lowercase: `true`, `false`, `null`"),
                );
            }
            let hint = if site == Expected::Value {
                "strings must be in double quotes"
            } else {
                "keys must be strings in double quotes"
            };
            return self.fail(span, format!("{expected}, found `{word}`"), Some(hint));
        }
        self.fail(at, expected, None)
    }

    /// The run of identifier-like characters at the current position.
    fn word(&self) -> &str {
        let rest = self.text.get(self.pos..).unwrap_or("");
        let len = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-' || c == '.'))
            .unwrap_or(rest.len());
        rest.get(..len).unwrap_or("")
    }

    fn count_node(&mut self) -> ParseResult<()> {
        self.nodes += 1;
        if self.nodes > limits::MAX_NODES {
            let at = self.char_span(self.pos);
            let diagnostic = self.source.error(
                Code::LimitExceeded,
                at,
                self.path.clone(),
                format!(
                    "the document has more than {} values (limit on nodes)",
                    limits::MAX_NODES
                ),
            );
            self.diagnostics.push(diagnostic);
            return Err(Stopped);
        }
        Ok(())
    }

    /// Reads one value at the current position; `depth` is the number of enclosing containers.
    pub(super) fn value(&mut self, depth: usize) -> ParseResult<Node> {
        let Some(&b) = self.bytes.get(self.pos) else {
            return Err(self.end_of_input());
        };
        match b {
            b'{' => {
                self.enter(depth)?;
                self.object(depth + 1)
            }
            b'[' => {
                self.enter(depth)?;
                self.array(depth + 1)
            }
            b'"' => {
                self.count_node()?;
                let (s, span) = self.string()?;
                Ok(Node::str(s, span))
            }
            b'-' | b'0'..=b'9' => {
                self.count_node()?;
                self.number()
            }
            b't' | b'f' | b'n' => {
                let start = self.pos;
                let value = match self.word() {
                    "true" => Value::Bool(true),
                    "false" => Value::Bool(false),
                    "null" => Value::Null,
                    _ => return Err(self.unexpected("expected a JSON value", Expected::Value)),
                };
                self.count_node()?;
                self.pos += match value {
                    Value::Bool(true) | Value::Null => 4,
                    _ => 5,
                };
                Ok(Node::new(value, Span::new(start, self.pos)))
            }
            _ => Err(self.unexpected("expected a JSON value", Expected::Value)),
        }
    }

    /// Checks the depth limit and the node limit before opening a container.
    fn enter(&mut self, depth: usize) -> ParseResult<()> {
        if depth >= limits::MAX_DEPTH {
            let at = Span::new(self.pos, self.pos + 1);
            let diagnostic = self.source.error(
                Code::LimitExceeded,
                at,
                self.path.clone(),
                format!(
                    "nesting deeper than {} levels (limit on depth)",
                    limits::MAX_DEPTH
                ),
            );
            self.diagnostics.push(diagnostic);
            return Err(Stopped);
        }
        self.count_node()
    }

    fn object(&mut self, depth: usize) -> ParseResult<Node> {
        let start = self.pos;
        self.pos += 1;
        let mut members = Members::default();
        self.skip_whitespace();
        if self.bytes.get(self.pos) == Some(&b'}') {
            self.pos += 1;
            return Ok(Node::new(
                Value::Map(Vec::new()),
                Span::new(start, self.pos),
            ));
        }
        loop {
            if self.bytes.get(self.pos) != Some(&b'"') {
                return Err(
                    self.unexpected("expected a string key in double quotes", Expected::Key)
                );
            }
            let (name, key_span) = self.string()?;
            self.skip_whitespace();
            if self.bytes.get(self.pos) != Some(&b':') {
                return Err(
                    self.unexpected("expected `:` after an object key", Expected::Separator)
                );
            }
            self.pos += 1;
            self.skip_whitespace();

            let parent_len = self.path.len();
            push_segment(&mut self.path, &name);
            let first = members.key_span(&name);
            if let Some(first) = first {
                let diagnostic =
                    duplicate_key(self.source, &name, key_span, first, self.path.clone());
                self.diagnostics.push(diagnostic);
            }
            let value = self.value(depth)?;
            self.path.truncate(parent_len);
            if first.is_none() {
                members.push(Entry {
                    key: Key {
                        name,
                        span: key_span,
                    },
                    value,
                });
            }

            self.skip_whitespace();
            match self.bytes.get(self.pos) {
                Some(b',') => {
                    let comma = self.pos;
                    self.pos += 1;
                    self.skip_whitespace();
                    if self.bytes.get(self.pos) == Some(&b'}') {
                        let at = Span::new(comma, comma + 1);
                        return Err(self.fail(at, "trailing comma is not allowed in JSON", None));
                    }
                }
                Some(b'}') => {
                    self.pos += 1;
                    let span = Span::new(start, self.pos);
                    return Ok(Node::new(Value::Map(members.into_entries()), span));
                }
                _ => {
                    return Err(self.unexpected(
                        "expected `,` or `}` after an object member",
                        Expected::Separator,
                    ));
                }
            }
        }
    }

    fn array(&mut self, depth: usize) -> ParseResult<Node> {
        let start = self.pos;
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.bytes.get(self.pos) == Some(&b']') {
            self.pos += 1;
            return Ok(Node::new(Value::Seq(items), Span::new(start, self.pos)));
        }
        loop {
            let parent_len = self.path.len();
            let _ = write!(self.path, "/{}", items.len());
            let item = self.value(depth)?;
            self.path.truncate(parent_len);
            items.push(item);

            self.skip_whitespace();
            match self.bytes.get(self.pos) {
                Some(b',') => {
                    let comma = self.pos;
                    self.pos += 1;
                    self.skip_whitespace();
                    if self.bytes.get(self.pos) == Some(&b']') {
                        let at = Span::new(comma, comma + 1);
                        return Err(self.fail(at, "trailing comma is not allowed in JSON", None));
                    }
                }
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Node::new(Value::Seq(items), Span::new(start, self.pos)));
                }
                _ => {
                    return Err(self.unexpected(
                        "expected `,` or `]` after an array element",
                        Expected::Separator,
                    ));
                }
            }
        }
    }
}
