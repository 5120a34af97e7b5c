//! Markdown requirements reader (stub).
use crate::diagnostic::{Diagnostic, Source};
use crate::node::Node;

/// Translates Markdown requirements into the equivalent specification tree.
pub fn to_document(_source: &Source<'_>, _diagnostics: &mut Vec<Diagnostic>) -> Option<Node> {
    None
}
