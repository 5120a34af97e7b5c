//! JSON reader: strict RFC 8259 JSON into a [`Node`] tree with byte spans.
//!
//! Written by hand because `serde_json` does not keep positions. The parser stops at the first
//! syntax error (JSON has no way to resynchronize reliably), but reports every duplicate key,
//! since those do not stop reading.
//!
//! Conventions:
//! - A string node's span, and a key's span, include the double quotes.
//! - An object's or array's span runs from its opening to its closing bracket.
//! - Integers that fit `i64` are [`Value::Int`](crate::node::Value::Int); every other number is [`Value::Float`](crate::node::Value::Float).
//! - A leading byte order mark is skipped. Empty input is a syntax error: strict JSON has no
//!   empty document.
//!
//! The reader is split by concern: `parser.rs` reads values, objects and arrays and stops at
//! the first syntax error or passed limit; `scalars.rs` reads strings and numbers; `tests.rs`
//! holds the reader's tests. The mapping being read and its duplicate keys are shared with the
//! YAML reader (`formats/mapping.rs`).
//!
//! Only [`parse`] is used outside: a JSON specification, or an OpenAPI document written in JSON,
//! is the tree it returns.

mod parser;
mod scalars;

use crate::diagnostic::{Diagnostic, Source};
use crate::node::Node;

use self::parser::JsonParser;

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

#[cfg(test)]
mod tests;
