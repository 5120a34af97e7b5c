//! The specforge specification language.
//!
//! Read a specification with [`analyze`]: it detects or takes the [`Format`], parses the text
//! with source positions, validates it, and returns every [`Diagnostic`] at once together with
//! the normalized [`Model`] when the specification is valid. Code generators read only the
//! [`Model`]; nothing in this crate does I/O, networking or SQL.
//!
//! Inside, a specification goes through [`formats`] (one folder per input format: reading the
//! text into a [`Node`] tree, and for Markdown and OpenAPI translating it into the tree of the
//! equivalent specification), then [`validate`] (every check, and the [`Model`]). [`names`] is
//! the one place that turns text into names, so every format derives the same names.

#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod analyze;
pub mod diagnostic;
pub mod formats;
mod hash;
pub mod limits;
pub mod model;
pub mod names;
pub mod node;
pub mod span;
pub mod validate;

/// The Markdown reader and the OpenAPI importer under their former paths.
pub use formats::{markdown, openapi};

/// The YAML and JSON readers under their former path (`formats::yaml`, `formats::json`).
pub mod syntax {
    pub use crate::formats::{json, yaml};
}

pub use analyze::{Analysis, Format, analyze, analyze_bytes, detect_format};
pub use diagnostic::{Code, Diagnostic, Severity, Source};
pub use model::{Model, Summary};
pub use node::{Entry, Key, Node, Value};
pub use span::{Position, Span};
