//! Readers that turn YAML and JSON text into a [`Node`](crate::node::Node) tree with spans.

pub mod json;
pub mod yaml;
