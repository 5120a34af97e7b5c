//! YAML reader (stub).
use crate::diagnostic::{Diagnostic, Source};
use crate::node::Node;

/// Parses YAML text into a node tree.
pub fn parse(_source: &Source<'_>, _diagnostics: &mut Vec<Diagnostic>) -> Option<Node> {
    None
}
