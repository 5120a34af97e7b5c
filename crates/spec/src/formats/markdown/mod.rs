//! Markdown requirements reader.
//!
//! A requirements document written in Markdown is translated into the [`Node`] tree of the
//! equivalent YAML specification. The document uses a small convention:
//!
//! - `# Title`: the application's title; its snake_case form is the `name` unless a
//!   `Name: some_name` line under it says otherwise; prose under it is the `description`.
//! - `## Roles`: a bullet list of roles.
//! - `## Enum: Name`: a bullet list of values, with optional prose as the enum's description.
//! - `## Entity: Name`: prose (the description), one table with `Field`, `Type` and optional
//!   `Constraints` and `Description` columns, and `List:`, `Permissions:`, `Operations:` and
//!   `Timestamps:` lines.
//!
//! Every node's span is the exact text it came from (a table cell, a list item, one name in a
//! `List:` line), so the validator's diagnostics point where the user wrote the value. The reader
//! reports only what is specific to Markdown: sections and blocks it cannot use, malformed
//! tables, and duplicate names (which a tree of mappings cannot carry). Everything else, unknown
//! constraint words included, is passed through for the validator to judge.
//!
//! The reader is split by concern, in the order a document goes through it:
//!
//! - `blocks.rs`: reading the CommonMark events into top-level blocks with spans;
//! - `text.rs`: slices of the source text and the small readers of cells, list items and
//!   `Label:` lines;
//! - `vocabulary.rs`: the words of the convention (constraints, `List:` parts, section headings);
//! - `translate.rs`: translating the blocks into the specification tree: the document, the title,
//!   roles and enum sections; `entities.rs` translates the entity sections;
//! - `tests.rs`: the reader's tests.
//!
//! Only [`to_document`] is used outside: the analysis calls it on the document's text. The
//! name derived from the title comes from [`names::snake_case`](crate::names::snake_case), like
//! the name OpenAPI derives from `info.title`.

mod blocks;
mod entities;
mod text;
mod translate;
mod vocabulary;

use crate::diagnostic::{Code, Diagnostic, Source};
use crate::limits;
use crate::node::Node;
use crate::span::Span;

use self::blocks::read_blocks;
use self::translate::Translator;

/// Translates Markdown requirements into the equivalent specification tree.
///
/// Returns `None` only when the document is over a size limit (`MAX_SOURCE_BYTES`, or more
/// than `MAX_NODES` values; a `limit_exceeded` error is pushed); otherwise returns the tree with
/// the Markdown-specific problems pushed to `diagnostics` (`syntax_error`,
/// `unsupported_construct` warnings and the `duplicate_*` codes). The tree is not validated.
///
/// Entities, enums, roles, enum values and fields per entity are read up to one past their
/// limit in [`limits`] and no further: the validator then reports the limit, and a huge
/// document costs no more work than that.
pub fn to_document(source: &Source<'_>, diagnostics: &mut Vec<Diagnostic>) -> Option<Node> {
    if source.text.len() > limits::MAX_SOURCE_BYTES {
        diagnostics.push(source.error(
            Code::LimitExceeded,
            Span::point(0),
            "",
            format!(
                "the document is {} bytes long, over the limit `MAX_SOURCE_BYTES` of {} bytes",
                source.text.len(),
                limits::MAX_SOURCE_BYTES
            ),
        ));
        return None;
    }
    let blocks = read_blocks(source.text);
    let mut translator = Translator::new(source, diagnostics);
    translator.document(&blocks);
    translator.finish()
}

#[cfg(test)]
mod tests;
