//! Errors of the YAML scanner and parser made into one readable `syntax_error` each.

use saphyr_parser::ScanError;

use crate::diagnostic::Code;
use crate::limits;
use crate::span::Span;

use super::Stopped;
use super::reader::Reader;

impl Reader<'_, '_> {
    pub(super) fn scan_error(&mut self, error: &ScanError) -> Stopped {
        let at = self.offsets.byte(error.marker().index());
        let span = self.char_span(at);
        let info = error.info();
        if info == "recursion limit exceeded" {
            // saphyr stops at 255 nested brackets while looking ahead, before it has produced
            // the events that would cross our own (lower) limit.
            let crossing = self.crossing_bracket(at).unwrap_or(at);
            let span = self.char_span(crossing);
            let message = format!(
                "nesting deeper than {} levels (limit on depth)",
                limits::MAX_DEPTH
            );
            return self.limit(span, message);
        }
        let (message, hint) = if info.contains("unknown anchor") {
            let rest = self.source.text.get(at..).unwrap_or("");
            let len = rest
                .find(|c: char| c.is_whitespace() || matches!(c, ',' | '[' | ']' | '{' | '}'))
                .unwrap_or(rest.len());
            let name = rest.get(..len).unwrap_or("");
            let span = Span::new(at, at + len);
            self.error(
                Code::SyntaxError,
                span,
                format!("the alias `{name}` refers to an anchor that is not defined"),
                Some("define the anchor with `&name` before the alias, in the same document"),
            );
            return Stopped;
        } else {
            readable(info)
        };
        self.error(Code::SyntaxError, span, message, hint);
        Stopped
    }
}

impl Reader<'_, '_> {
    /// The opening bracket, between the last event and `to`, that nests deeper than the depth
    /// limit (found by a light scan of the flow text that saphyr was looking ahead over).
    fn crossing_bracket(&self, to: usize) -> Option<usize> {
        let bytes = self.source.text.as_bytes();
        let mut depth = self.stack.len();
        let mut i = self.last_end;
        while i < to {
            match bytes.get(i)? {
                b'[' | b'{' => {
                    depth += 1;
                    if depth > limits::MAX_DEPTH {
                        return Some(i);
                    }
                }
                b']' | b'}' => depth = depth.saturating_sub(1),
                b'"' => {
                    i += 1;
                    while i < to && bytes.get(i) != Some(&b'"') {
                        i += if bytes.get(i) == Some(&b'\\') { 2 } else { 1 };
                    }
                }
                b'\'' => {
                    i += 1;
                    while i < to && bytes.get(i) != Some(&b'\'') {
                        i += 1;
                    }
                }
                b'#' => {
                    while i < to && bytes.get(i) != Some(&b'\n') {
                        i += 1;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        None
    }
}

/// Turns a `saphyr` error text into a message (without a position, which diagnostics carry)
/// and a hint for the common mistakes.
fn readable(info: &str) -> (String, Option<&'static str>) {
    let info = match info.find(" at line ").or_else(|| info.find(" at byte ")) {
        Some(cut) => info.get(..cut).unwrap_or(info),
        None => info,
    };
    let tab_hint = Some("indent with spaces: YAML does not allow tabs for indentation");
    let (message, hint) = match info {
        "mapping values are not allowed in this context" => (
            "a `:` that starts a value is not allowed here",
            Some("check the indentation, or put the value in quotes if it contains `: `"),
        ),
        "while parsing a block mapping, did not find expected key" => (
            "expected a `key: value` line at this indentation",
            Some("check the indentation of this line and the one before"),
        ),
        "while parsing a block collection, did not find expected '-' indicator" => (
            "expected a `- ` list item at this indentation",
            Some("check the indentation of this line and the one before"),
        ),
        "while parsing a flow sequence, expected ',' or ']'" => {
            ("expected `,` or `]` in this list", None)
        }
        "while parsing a flow mapping, did not find expected ',' or '}'" => {
            ("expected `,` or `}` in this mapping", None)
        }
        "while scanning a quoted scalar, found unexpected end of stream" => {
            ("unterminated quoted string", Some("add the closing quote"))
        }
        "did not find expected <document start>" => (
            "unexpected text after the end of the document",
            Some("check the indentation of this line"),
        ),
        "unexpected eof" => ("unexpected end of input", None),
        "invalid indentation in quoted scalar" => (
            info,
            Some("check that this quoted string has its closing quote"),
        ),
        other if other.contains("tab") => (other, tab_hint),
        other => (other, None),
    };
    (message.to_string(), hint)
}
