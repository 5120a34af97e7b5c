//! The input formats, one folder each: how the text of a specification becomes the
//! [`Node`](crate::node::Node) tree that the validator checks.
//!
//! - [`yaml`] and [`json`] read text into a tree with spans; a YAML or JSON specification is
//!   that tree as it is.
//! - [`markdown`] reads a requirements document and translates it into the tree of the
//!   equivalent specification.
//! - [`openapi`] translates the tree of an OpenAPI 3.0/3.1 document (read by [`yaml`] or
//!   [`json`]) into the tree of the equivalent specification.
//!
//! [`analyze`](crate::analyze()) picks the format and calls these; the names every format derives
//! come from [`names`](crate::names).

pub mod json;
mod mapping;
pub mod markdown;
pub mod openapi;
pub mod yaml;
