//! JSON reader: strict RFC 8259 JSON into a [`Node`] tree with byte spans.
//!
//! Written by hand because `serde_json` does not keep positions. The parser stops at the first
//! syntax error (JSON has no way to resynchronize reliably), but reports every duplicate key,
//! since those do not stop reading.
//!
//! Conventions:
//! - A string node's span, and a key's span, include the double quotes.
//! - An object's or array's span runs from its opening to its closing bracket.
//! - Integers that fit `i64` are [`Value::Int`]; every other number is [`Value::Float`].
//! - A leading byte order mark is skipped. Empty input is a syntax error: strict JSON has no
//!   empty document.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::hash::BuildHasherDefault;

use crate::hash::KeyHasher;

use crate::diagnostic::{Code, Diagnostic, Source};
use crate::limits;
use crate::node::{Entry, Key, Node, Value};
use crate::span::Span;

/// Parses JSON text into a node tree.
///
/// Returns `None` after a syntax error or a passed limit (both reported in `diagnostics`);
/// duplicate keys are reported and the first value kept, and the tree is still returned.
pub fn parse(source: &Source<'_>, diagnostics: &mut Vec<Diagnostic>) -> Option<Node> {
    let mut parser = JsonParser {
        source,
        text: source.text,
        bytes: source.text.as_bytes(),
        pos: 0,
        nodes: 0,
        path: String::new(),
        diagnostics,
    };
    parser.document().ok()
}

/// The entries of a mapping being read, with a lookup by key name that stays fast for large
/// mappings (a hash index is built only once a mapping has many keys, so small mappings, the
/// vast majority, cost no hashing).
#[derive(Debug, Default)]
pub(crate) struct Members {
    entries: Vec<Entry>,
    index: Option<HashMap<String, usize, BuildHasherDefault<KeyHasher>>>,
}

/// Entries from which a mapping gets a hash index.
const INDEX_FROM: usize = 16;

impl Members {
    /// The span of the key `name`, if the mapping already has it.
    pub(crate) fn key_span(&self, name: &str) -> Option<Span> {
        let found = match &self.index {
            Some(index) => index.get(name).and_then(|&i| self.entries.get(i)),
            None => self.entries.iter().find(|e| e.key.name == name),
        };
        found.map(|e| e.key.span)
    }

    /// Adds an entry whose key is not in the mapping yet.
    pub(crate) fn push(&mut self, entry: Entry) {
        if let Some(index) = &mut self.index {
            index.insert(entry.key.name.clone(), self.entries.len());
        } else if self.entries.len() + 1 >= INDEX_FROM {
            let mut index = HashMap::with_capacity_and_hasher(
                self.entries.len() * 2 + 2,
                BuildHasherDefault::default(),
            );
            for (i, e) in self.entries.iter().enumerate() {
                index.insert(e.key.name.clone(), i);
            }
            index.insert(entry.key.name.clone(), self.entries.len());
            self.index = Some(index);
        }
        self.entries.push(entry);
    }

    /// The entries, in the order they were added.
    pub(crate) fn into_entries(self) -> Vec<Entry> {
        self.entries
    }
}

/// The `duplicate_key` error for a key written a second time: at the second key, with the path
/// of its value and a hint pointing at the first one.
pub(crate) fn duplicate_key(
    source: &Source<'_>,
    name: &str,
    second: Span,
    first: Span,
    path: String,
) -> Diagnostic {
    source
        .error(
            Code::DuplicateKey,
            second,
            path,
            format!("duplicate key `{name}`; only its first value is used"),
        )
        .with_hint(format!("first defined at {}", source.describe(first)))
}

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
enum Site {
    /// A value.
    Value,
    /// An object key.
    Key,
    /// Punctuation between the parts of an object or array.
    Separator,
}

/// Marks that parsing stopped; the reason is already in the diagnostics.
struct Stop;

type Parsed<T> = Result<T, Stop>;

struct JsonParser<'s, 'd> {
    source: &'s Source<'s>,
    text: &'s str,
    bytes: &'s [u8],
    pos: usize,
    /// Nodes created so far, against `limits::MAX_NODES`.
    nodes: usize,
    /// JSON Pointer of the value being read.
    path: String,
    diagnostics: &'d mut Vec<Diagnostic>,
}

impl JsonParser<'_, '_> {
    fn document(&mut self) -> Parsed<Node> {
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
    fn fail(&mut self, span: Span, message: impl Into<String>, hint: Option<&str>) -> Stop {
        let mut diagnostic = self
            .source
            .error(Code::SyntaxError, span, self.path.clone(), message);
        if let Some(hint) = hint {
            diagnostic = diagnostic.with_hint(hint);
        }
        self.diagnostics.push(diagnostic);
        Stop
    }

    /// The span of the character at byte `at` (empty at the end of the text).
    fn char_span(&self, at: usize) -> Span {
        let len = self
            .text
            .get(at..)
            .and_then(|s| s.chars().next())
            .map_or(0, char::len_utf8);
        Span::new(at, at + len)
    }

    fn end_of_input(&mut self) -> Stop {
        let at = Span::point(self.bytes.len());
        self.fail(at, "unexpected end of input", None)
    }

    /// Reports what stands at the current position where `expected` was wanted, with a more
    /// precise message for the usual slips (comments, single quotes, unquoted words).
    fn unexpected(&mut self, expected: &str, site: Site) -> Stop {
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
        if site != Site::Separator && (b.is_ascii_alphabetic() || b == b'_') {
            let word = self.word();
            let span = Span::new(self.pos, self.pos + word.len());
            let lower = word.to_ascii_lowercase();
            if site == Site::Value && matches!(lower.as_str(), "true" | "false" | "null") {
                return self.fail(
                    span,
                    format!("invalid literal `{word}`"),
                    Some("JSON literals are lowercase: `true`, `false`, `null`"),
                );
            }
            let hint = if site == Site::Value {
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

    fn count_node(&mut self) -> Parsed<()> {
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
            return Err(Stop);
        }
        Ok(())
    }

    /// Reads one value at the current position; `depth` is the number of enclosing containers.
    fn value(&mut self, depth: usize) -> Parsed<Node> {
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
                    _ => return Err(self.unexpected("expected a JSON value", Site::Value)),
                };
                self.count_node()?;
                self.pos += match value {
                    Value::Bool(true) | Value::Null => 4,
                    _ => 5,
                };
                Ok(Node::new(value, Span::new(start, self.pos)))
            }
            _ => Err(self.unexpected("expected a JSON value", Site::Value)),
        }
    }

    /// Checks the depth limit and the node limit before opening a container.
    fn enter(&mut self, depth: usize) -> Parsed<()> {
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
            return Err(Stop);
        }
        self.count_node()
    }

    fn object(&mut self, depth: usize) -> Parsed<Node> {
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
                return Err(self.unexpected("expected a string key in double quotes", Site::Key));
            }
            let (name, key_span) = self.string()?;
            self.skip_whitespace();
            if self.bytes.get(self.pos) != Some(&b':') {
                return Err(self.unexpected("expected `:` after an object key", Site::Separator));
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
                        Site::Separator,
                    ));
                }
            }
        }
    }

    fn array(&mut self, depth: usize) -> Parsed<Node> {
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
                        Site::Separator,
                    ));
                }
            }
        }
    }

    /// Reads a string at the current `"`; returns its value and its span, quotes included.
    fn string(&mut self) -> Parsed<(String, Span)> {
        let start = self.pos;
        self.pos += 1;
        let mut out = String::new();
        // Start of the run of plain characters not yet copied to `out`. Runs are cut only at
        // ASCII bytes, so every slice below falls on character boundaries.
        let mut run = self.pos;
        loop {
            let Some(&b) = self.bytes.get(self.pos) else {
                let at = Span::new(start, start + 1);
                return Err(self.fail(at, "unterminated string", Some("add the closing `\"`")));
            };
            match b {
                b'"' => {
                    out.push_str(self.text.get(run..self.pos).unwrap_or(""));
                    self.pos += 1;
                    return Ok((out, Span::new(start, self.pos)));
                }
                b'\\' => {
                    out.push_str(self.text.get(run..self.pos).unwrap_or(""));
                    let c = self.escape(start)?;
                    out.push(c);
                    run = self.pos;
                }
                0..=0x1f => {
                    let at = Span::new(self.pos, self.pos + 1);
                    let hint = if b == b'\n' || b == b'\r' {
                        "a string cannot span lines: is its closing `\"` missing? \
                         Write a line break inside a string as `\\n`"
                    } else {
                        "write it as an escape such as `\\t` or `\\u0001`"
                    };
                    return Err(self.fail(at, "control character in string", Some(hint)));
                }
                _ => self.pos += 1,
            }
        }
    }

    /// Reads the escape sequence at the current `\`; `string_start` is the string's opening quote.
    fn escape(&mut self, string_start: usize) -> Parsed<char> {
        let backslash = self.pos;
        let Some(&b) = self.bytes.get(backslash + 1) else {
            let at = Span::new(string_start, string_start + 1);
            return Err(self.fail(at, "unterminated string", Some("add the closing `\"`")));
        };
        self.pos = backslash + 2;
        let c = match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => return self.unicode_escape(backslash),
            _ => {
                let c = self
                    .text
                    .get(backslash + 1..)
                    .and_then(|s| s.chars().next());
                let shown = c.map_or(String::new(), String::from);
                let end = backslash + 1 + c.map_or(0, char::len_utf8);
                return Err(self.fail(
                    Span::new(backslash, end),
                    format!("invalid escape `\\{shown}` in string"),
                    Some("JSON escapes are `\\\"` `\\\\` `\\/` `\\b` `\\f` `\\n` `\\r` `\\t` `\\uXXXX`"),
                ));
            }
        };
        Ok(c)
    }

    /// Reads `\uXXXX` (and the low half of a surrogate pair) starting at the backslash.
    fn unicode_escape(&mut self, backslash: usize) -> Parsed<char> {
        let high = self.hex4(backslash)?;
        let code = match high {
            0xD800..=0xDBFF => {
                let low_start = self.pos;
                let low = if self.bytes.get(low_start) == Some(&b'\\')
                    && self.bytes.get(low_start + 1) == Some(&b'u')
                {
                    self.pos = low_start + 2;
                    Some(self.hex4(low_start)?)
                } else {
                    None
                };
                match low {
                    Some(low @ 0xDC00..=0xDFFF) => {
                        0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                    }
                    _ => return Err(self.lone_surrogate(backslash, high)),
                }
            }
            0xDC00..=0xDFFF => return Err(self.lone_surrogate(backslash, high)),
            code => code,
        };
        match char::from_u32(code) {
            Some(c) => Ok(c),
            None => Err(self.lone_surrogate(backslash, high)),
        }
    }

    fn lone_surrogate(&mut self, backslash: usize, code: u32) -> Stop {
        self.fail(
            Span::new(backslash, backslash + 6),
            format!("lone surrogate `\\u{code:04X}` in string"),
            Some("a `\\uD800`-`\\uDBFF` escape must be followed by a `\\uDC00`-`\\uDFFF` escape"),
        )
    }

    /// Reads the four hex digits after `\u` (the current position); `backslash` is for errors.
    fn hex4(&mut self, backslash: usize) -> Parsed<u32> {
        let mut code = 0;
        for i in 0..4 {
            let digit = self
                .bytes
                .get(self.pos + i)
                .and_then(|&b| (b as char).to_digit(16));
            match digit {
                Some(d) => code = code * 16 + d,
                None => {
                    let end = (self.pos + i).min(self.bytes.len());
                    let end = self.char_span(end).end;
                    return Err(self.fail(
                        Span::new(backslash, end),
                        "invalid unicode escape: `\\u` must be followed by four hex digits",
                        None,
                    ));
                }
            }
        }
        self.pos += 4;
        Ok(code)
    }

    fn digits(&mut self) -> usize {
        let from = self.pos;
        while self.bytes.get(self.pos).is_some_and(u8::is_ascii_digit) {
            self.pos += 1;
        }
        self.pos - from
    }

    fn number(&mut self) -> Parsed<Node> {
        let start = self.pos;
        if self.bytes.get(self.pos) == Some(&b'-') {
            self.pos += 1;
        }
        match self.bytes.get(self.pos) {
            Some(b'0') => {
                self.pos += 1;
                if self.bytes.get(self.pos).is_some_and(u8::is_ascii_digit) {
                    let at = Span::new(start, self.pos);
                    return Err(self.fail(
                        at,
                        "leading zeros are not allowed in JSON numbers",
                        None,
                    ));
                }
            }
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.number_error("expected a digit after `-`")),
        }
        let mut integral = true;
        if self.bytes.get(self.pos) == Some(&b'.') {
            integral = false;
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.number_error("expected a digit after the decimal point"));
            }
        }
        if let Some(b'e' | b'E') = self.bytes.get(self.pos) {
            integral = false;
            self.pos += 1;
            if let Some(b'+' | b'-') = self.bytes.get(self.pos) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.number_error("expected a digit in the exponent"));
            }
        }
        let span = Span::new(start, self.pos);
        let text = self.text.get(start..self.pos).unwrap_or("");
        let int = if integral {
            text.parse::<i64>().ok()
        } else {
            None
        };
        let value = match int {
            Some(i) => Value::Int(i),
            None => match text.parse::<f64>() {
                Ok(f) if f.is_finite() => Value::Float(f),
                _ => {
                    return Err(self.fail(
                        span,
                        format!("the number `{text}` is out of range"),
                        None,
                    ));
                }
            },
        };
        Ok(Node::new(value, span))
    }

    fn number_error(&mut self, message: &str) -> Stop {
        if self.pos >= self.bytes.len() {
            return self.end_of_input();
        }
        let at = self.char_span(self.pos);
        self.fail(at, message, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Severity;
    use proptest::prelude::*;

    fn read(text: &str) -> (Option<Node>, Vec<Diagnostic>) {
        let source = Source::new(text);
        let mut diagnostics = Vec::new();
        let node = parse(&source, &mut diagnostics);
        (node, diagnostics)
    }

    /// The only diagnostic of a failed read, as (code, line, column, message).
    fn error_of(text: &str) -> (Code, usize, usize, String) {
        let (node, diagnostics) = read(text);
        assert!(node.is_none(), "{text:?} should not parse");
        assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
        let d = &diagnostics[0];
        assert_eq!(d.severity, Severity::Error);
        (d.code, d.line, d.column, d.message.clone())
    }

    fn position(text: &str, span: Span) -> (usize, usize) {
        let p = Source::new(text).position(span.start);
        (p.line, p.column)
    }

    #[test]
    fn values_of_every_kind_are_read_with_their_spans() {
        let text = r#"{"s": "x\ty", "i": -12, "f": 1.5e2, "b": true, "n": null, "a": [false, {}]}"#;
        let (node, diagnostics) = read(text);
        assert!(diagnostics.is_empty(), "{diagnostics:#?}");
        let node = node.expect("parsed");
        assert_eq!(node.span, Span::new(0, text.len()));
        assert_eq!(
            node.get("s").map(|n| &n.value),
            Some(&Value::Str("x\ty".into()))
        );
        assert_eq!(node.get("i").map(|n| &n.value), Some(&Value::Int(-12)));
        assert_eq!(node.get("f").map(|n| &n.value), Some(&Value::Float(150.0)));
        assert_eq!(node.get("b").map(|n| &n.value), Some(&Value::Bool(true)));
        assert_eq!(node.get("n").map(|n| &n.value), Some(&Value::Null));
        let s = node.get("s").expect("s");
        assert_eq!(&text[s.span.start..s.span.end], r#""x\ty""#);
        let a = node.get("a").and_then(Node::as_seq).expect("a");
        assert_eq!(a[0].value, Value::Bool(false));
        assert_eq!(&text[a[1].span.start..a[1].span.end], "{}");
    }

    #[test]
    fn a_nested_key_and_value_have_their_line_and_column() {
        let text = "{\n  \"entities\": {\n    \"Book\": {\"fields\": [1, \"title\"]}\n  }\n}\n";
        let (node, diagnostics) = read(text);
        assert!(diagnostics.is_empty());
        let entities = node
            .as_ref()
            .and_then(|n| n.get("entities"))
            .expect("entities");
        let book = &entities.as_map().expect("map")[0];
        assert_eq!(book.key.name, "Book");
        assert_eq!(position(text, book.key.span), (3, 5));
        assert_eq!(position(text, book.value.span), (3, 13));
        let fields = book
            .value
            .get("fields")
            .and_then(Node::as_seq)
            .expect("fields");
        assert_eq!(position(text, fields[1].span), (3, 28));
        assert_eq!(fields[1].as_str(), Some("title"));
    }

    #[test]
    fn numbers_are_integers_when_they_fit_and_floats_otherwise() {
        let cases: &[(&str, Value)] = &[
            ("0", Value::Int(0)),
            ("-0", Value::Int(0)),
            ("9223372036854775807", Value::Int(i64::MAX)),
            ("-9223372036854775808", Value::Int(i64::MIN)),
            (
                "9223372036854775808",
                Value::Float(9_223_372_036_854_775_808.0),
            ),
            ("1.0", Value::Float(1.0)),
            ("1e3", Value::Float(1000.0)),
            ("-2.5E-1", Value::Float(-0.25)),
        ];
        for (text, expected) in cases {
            let (node, diagnostics) = read(text);
            assert!(diagnostics.is_empty(), "{text}");
            assert_eq!(node.map(|n| n.value).as_ref(), Some(expected), "{text}");
        }
    }

    #[test]
    fn escapes_and_surrogate_pairs_are_decoded() {
        let (node, _) = read(r#""a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00z""#);
        assert_eq!(
            node.and_then(|n| n.as_str().map(String::from)).as_deref(),
            Some("a\"\\/\u{8}\u{c}\n\r\té😀z")
        );
    }

    #[test]
    fn each_syntax_error_has_its_message_line_and_column() {
        let cases: &[(&str, usize, usize, &str)] = &[
            (
                "{\"a\": 1 \"b\": 2}",
                1,
                9,
                "expected `,` or `}` after an object member",
            ),
            ("[1 2]", 1, 4, "expected `,` or `]` after an array element"),
            (
                "{\"a\": 1,\n}",
                1,
                8,
                "trailing comma is not allowed in JSON",
            ),
            ("[1,\n 2,\n]", 2, 3, "trailing comma is not allowed in JSON"),
            ("{\"a\": \"xyz", 1, 7, "unterminated string"),
            ("[\"a\nb\"]", 1, 4, "control character in string"),
            ("{\"a\": ", 1, 7, "unexpected end of input"),
            (
                "{\"a\": 1} x",
                1,
                10,
                "trailing characters after the JSON value",
            ),
            (
                "{a: 1}",
                1,
                2,
                "expected a string key in double quotes, found `a`",
            ),
            ("{\"a\" 1}", 1, 6, "expected `:` after an object key"),
            (
                "[01]",
                1,
                2,
                "leading zeros are not allowed in JSON numbers",
            ),
            ("[1.]", 1, 4, "expected a digit after the decimal point"),
            ("[1e+]", 1, 5, "expected a digit in the exponent"),
            ("[-x]", 1, 3, "expected a digit after `-`"),
            ("[True]", 1, 2, "invalid literal `True`"),
            ("[yes]", 1, 2, "expected a JSON value, found `yes`"),
            ("['a']", 1, 2, "strings must be in double quotes in JSON"),
            ("[1, // c\n2]", 1, 5, "comments are not allowed in JSON"),
            ("[\"\\x\"]", 1, 3, "invalid escape `\\x` in string"),
            (
                "[\"\\u12G4\"]",
                1,
                3,
                "invalid unicode escape: `\\u` must be followed by four hex digits",
            ),
            ("[\"\\ud800\"]", 1, 3, "lone surrogate `\\uD800` in string"),
            (
                "[\"\\udc00\\ud800\"]",
                1,
                3,
                "lone surrogate `\\uDC00` in string",
            ),
            (
                "[\"\\ud800\\u0041\"]",
                1,
                3,
                "lone surrogate `\\uD800` in string",
            ),
            ("[1e999]", 1, 2, "the number `1e999` is out of range"),
            ("", 1, 1, "unexpected end of input"),
            ("  \n ", 2, 2, "unexpected end of input"),
        ];
        for (text, line, column, message) in cases {
            let (code, l, c, m) = error_of(text);
            assert_eq!(code, Code::SyntaxError, "{text:?}");
            assert_eq!((l, c, m.as_str()), (*line, *column, *message), "{text:?}");
        }
    }

    #[test]
    fn columns_count_characters_of_unicode_text_before_an_error() {
        let (code, line, column, message) = error_of("{\"é😀\": \"ü\" x}");
        assert_eq!(code, Code::SyntaxError);
        assert_eq!(message, "expected `,` or `}` after an object member");
        assert_eq!((line, column), (1, 12));
    }

    #[test]
    fn crlf_line_endings_give_the_right_lines() {
        let text = "{\r\n  \"a\": 1,\r\n  \"b\": [true,]\r\n}";
        let (code, line, column, _) = error_of(text);
        assert_eq!(code, Code::SyntaxError);
        assert_eq!((line, column), (3, 13));
        let (node, diagnostics) = read("{\r\n  \"a\": 1,\r\n  \"b\": 2\r\n}\r\n");
        assert!(diagnostics.is_empty());
        let b = node
            .as_ref()
            .and_then(|n| n.as_map())
            .map(|m| m[1].key.span)
            .expect("b");
        assert_eq!(
            position("{\r\n  \"a\": 1,\r\n  \"b\": 2\r\n}\r\n", b),
            (3, 3)
        );
    }

    #[test]
    fn a_leading_byte_order_mark_is_skipped() {
        let (node, diagnostics) = read("\u{FEFF}{\"a\": 1}");
        assert!(diagnostics.is_empty());
        assert_eq!(node.map(|n| n.span), Some(Span::new(3, 11)));
    }

    #[test]
    fn every_duplicate_key_is_reported_at_the_second_key_and_the_first_value_is_kept() {
        let text = "{\n  \"a\": 1,\n  \"b\": {\"x\": 1, \"x\": 2},\n  \"a\": 3\n}";
        let (node, diagnostics) = read(text);
        let node = node.expect("still read");
        assert_eq!(diagnostics.len(), 2, "{diagnostics:#?}");
        let d = &diagnostics[0];
        assert_eq!((d.code, d.line, d.column), (Code::DuplicateKey, 3, 17));
        assert_eq!(d.path, "/b/x");
        assert_eq!(d.hint.as_deref(), Some("first defined at line 3, column 9"));
        let d = &diagnostics[1];
        assert_eq!((d.code, d.line, d.column), (Code::DuplicateKey, 4, 3));
        assert_eq!(d.path, "/a");
        assert_eq!(d.hint.as_deref(), Some("first defined at line 2, column 3"));
        assert_eq!(node.get("a").map(|n| &n.value), Some(&Value::Int(1)));
        assert_eq!(
            node.get("b").and_then(|b| b.get("x")).map(|n| &n.value),
            Some(&Value::Int(1))
        );
        assert_eq!(node.as_map().map(<[Entry]>::len), Some(2));
    }

    #[test]
    fn duplicates_are_found_in_large_objects_too() {
        let mut text = String::from("{");
        for i in 0..100 {
            let _ = write!(text, "\"k{i}\": {i}, ");
        }
        text.push_str("\"k7\": 0, \"k99\": 0}");
        let (node, diagnostics) = read(&text);
        assert_eq!(diagnostics.len(), 2);
        assert!(diagnostics.iter().all(|d| d.code == Code::DuplicateKey));
        assert_eq!(diagnostics[0].path, "/k7");
        assert_eq!(node.and_then(|n| n.as_map().map(<[Entry]>::len)), Some(100));
    }

    #[test]
    fn nesting_deeper_than_the_limit_is_refused_at_the_bracket_that_crosses_it() {
        let ok = format!(
            "{}{}",
            "[".repeat(limits::MAX_DEPTH),
            "]".repeat(limits::MAX_DEPTH)
        );
        let (node, diagnostics) = read(&ok);
        assert!(diagnostics.is_empty());
        assert!(node.is_some());

        let deep = "[".repeat(1_000_000);
        let (code, line, column, message) = error_of(&deep);
        assert_eq!(code, Code::LimitExceeded);
        assert_eq!((line, column), (1, limits::MAX_DEPTH + 1));
        assert!(message.contains("depth"), "{message}");

        let (_, diagnostics) = read(&"{\"a\":".repeat(100));
        assert_eq!(diagnostics[0].code, Code::LimitExceeded);
        assert_eq!(diagnostics[0].column, limits::MAX_DEPTH * 5 + 1);
        assert!(diagnostics[0].path.starts_with("/a/a/a"));
    }

    #[test]
    fn more_nodes_than_the_limit_are_refused() {
        let text = format!("[{}0]", "0,".repeat(limits::MAX_NODES));
        let (code, line, column, _) = error_of(&text);
        assert_eq!(code, Code::LimitExceeded);
        // The root array is node 1, so the last element crosses the limit.
        assert_eq!((line, column), (1, 2 + 2 * (limits::MAX_NODES - 1)));
    }

    #[test]
    fn a_large_document_reads_in_linear_time() {
        let mut text = String::from("{\"entities\": {");
        for i in 0..25_000 {
            let _ = write!(
                text,
                "\"E{i}\": {{\"fields\": {{\"name\": {{\"type\": \"string\", \"max_length\": 120, \
                 \"note\": \"caf\\u00e9\"}}}}}},"
            );
        }
        text.push_str("\"Last\": {}}}");
        assert!(text.len() > 2_000_000);
        let started = std::time::Instant::now();
        let (node, diagnostics) = read(&text);
        let elapsed = started.elapsed();
        assert!(diagnostics.is_empty());
        assert!(node.is_some());
        // Generous: debug builds are far slower than release, and the machine is shared.
        assert!(elapsed.as_secs() < 5, "{elapsed:?}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn arbitrary_text_never_panics(text in prop_oneof![
            any::<String>(),
            "[\\[\\]{}\",:0-9eE.+\\-tfnrul \\\\\n\u{e9}]{0,48}",
        ]) {
            let source = Source::new(&text);
            let mut diagnostics = Vec::new();
            let node = parse(&source, &mut diagnostics);
            prop_assert!(node.is_some() || diagnostics.iter().any(Diagnostic::is_error));
        }
    }
}
