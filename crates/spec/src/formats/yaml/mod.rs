//! YAML reader: the event stream of `saphyr-parser` into a [`Node`] tree with byte spans.
//!
//! The tree is built without recursion, from an explicit stack of open mappings and lists, so
//! the nesting limit is checked before anything deep is built.
//!
//! Conventions:
//! - Scalars are resolved with the YAML 1.2 core schema: `null`, `Null`, `NULL`, `~` and empty
//!   are null; `true`/`false` (also `True`, `TRUE`, ...) are booleans; decimal, `0o` octal and
//!   `0x` hex integers are integers (floats when they do not fit `i64`); decimals, exponents,
//!   `.inf`, `-.inf` and `.nan` are floats; everything else, and every quoted or block scalar,
//!   is a string. `yes`, `no`, `on`, `off` stay strings.
//! - Tags: `!!str`, `!!int`, `!!float`, `!!bool`, `!!null` convert or check the scalar (a value
//!   that does not fit the tag is a `syntax_error`, and the value is then read as if untagged);
//!   `!!map` and `!!seq` are accepted on mappings and lists; the non-specific `!` makes a scalar
//!   a string; any other tag is an `unsupported_construct` warning and is ignored.
//! - Spans: a scalar's span covers its text (quotes included; for block scalars, the content
//!   without trailing blank lines); anchors and tags before a node are not part of its span. A
//!   mapping or list starts at its first token (`{`, `[`, its first key or `-`) and ends at its
//!   closing bracket or the end of its last value. An empty value (`key:`) is an empty span.
//! - Mapping keys are the written text of scalar keys (`1: x` has the key `"1"`). A mapping or
//!   list used as a key is a `syntax_error` and the entry is skipped.
//! - Duplicate keys: each repetition is a `duplicate_key` error at the repeated key; the first
//!   value is kept.
//! - Aliases are expanded to a copy of the anchored node. The copy's root takes the span of the
//!   alias (so a problem with the value as a whole points at the alias); the nodes inside keep
//!   the spans of the anchored text. Before anything is copied, the copy's nodes count against
//!   `MAX_ALIAS_EXPANSION` and `MAX_NODES`, its text against `MAX_SOURCE_BYTES` (all copies
//!   together), and its nesting at the alias against `MAX_DEPTH`. The copies kept of anchored
//!   nodes (an anchor inside an anchored node is kept twice) are bounded the same way, by
//!   `MAX_NODES` and `MAX_SOURCE_BYTES`.
//! - Merge keys: a plain `<<` key takes a mapping or a list of mappings (usually aliases); their
//!   entries are added after the mapping's own entries, except keys the mapping already has
//!   (explicit keys win, and earlier merged mappings win over later ones).
//! - One document only: a second document is a `syntax_error` at its start. An empty text (or
//!   only comments) is a null node with the span `0..0`.
//! - Any error of the YAML scanner or parser is one `syntax_error`, and no tree is returned.
//!
//! The reader is split by concern:
//!
//! - `reader.rs`: reading the event stream into mappings and lists on an explicit stack, with
//!   the budgets of nodes, nesting and alias expansion;
//! - `build.rs`: delivering each node to its parent, mapping keys and duplicate keys, anchors
//!   and `<<` merge keys;
//! - `resolve.rs`: resolving scalars with their tags and the core schema;
//! - `errors.rs`: scanner and parser errors as one readable `syntax_error` each;
//! - `offsets.rs`: byte offsets of the character indexes `saphyr` reports;
//! - `tests.rs`: the reader's tests.
//!
//! Only [`parse`] is used outside: a YAML specification, or an OpenAPI document written in YAML,
//! is the tree it returns.

mod build;
mod errors;
mod offsets;
mod reader;
mod resolve;

use std::collections::HashMap;

use crate::diagnostic::{Diagnostic, Source};
use crate::node::Node;

use self::offsets::CharOffsets;
use self::reader::{Reader, TreeSize};

/// Parses YAML text into a node tree.
///
/// Returns `None` after a YAML syntax error or a passed limit (both reported in
/// `diagnostics`). Duplicate keys, keys that are not plain values, tag mismatches and a second
/// document are reported, and the tree is still returned.
pub fn parse(source: &Source<'_>, diagnostics: &mut Vec<Diagnostic>) -> Option<Node> {
    let mut reader = Reader {
        source,
        offsets: CharOffsets::new(source.text),
        diagnostics,
        stack: Vec::new(),
        anchors: HashMap::new(),
        root: None,
        nodes: 0,
        expanded: TreeSize::default(),
        stored: TreeSize::default(),
        last_end: 0,
    };
    reader.run().ok()
}

/// The full name of the YAML core schema tags (`!!str` is `tag:yaml.org,2002:str`).
const CORE_TAG_PREFIX: &str = "tag:yaml.org,2002:";

/// Marks that reading stopped; the reason is already in the diagnostics.
struct Stopped;

type ReadResult<T> = Result<T, Stopped>;

#[cfg(test)]
mod tests;
