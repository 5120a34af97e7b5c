//! OpenAPI reader (stub).
use crate::diagnostic::{Diagnostic, Source};
use crate::node::Node;

/// Translates a parsed OpenAPI 3.0/3.1 document into the equivalent specification tree.
pub fn to_document(
    _root: &Node,
    _source: &Source<'_>,
    _diagnostics: &mut Vec<Diagnostic>,
) -> Option<Node> {
    None
}
