//! specforge code generators.
//!
//! [`generate`] turns a validated [`Model`] into a [`FileTree`] for one [`Target`] (see
//! [`targets()`]): names, types and paths are computed in Rust passes per target, embedded
//! templates only lay the text out. The same model, target, options and specforge version give
//! byte-identical files; every tree carries `.specforge/manifest.json` and has a [`digest`]
//! (see [`FileTree::digest`]). [`archive::write`] packs a tree as a deterministic zip or tar.gz.
//!
//! The crate is pure and synchronous: no I/O, no HTTP, no SQL.
//!
//! [`digest`]: FileTree::digest

#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod archive;
mod manifest;
pub mod naming;
pub mod options;
pub mod plan;
mod render;
pub mod samples;
pub mod targets;
mod tree;

use specforge_spec::Model;

pub use manifest::{MANIFEST_PATH, Manifest, spec_sha256};
pub use options::{OptionKind, OptionSpec, Options};
pub use targets::{Target, target, targets};
pub use tree::{FileTree, check_path, sha256_hex};

/// The specforge version written into every manifest.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// A problem with the specification that only a target finds (two names that become one
/// identifier, a type the target's language cannot hold).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// JSON Pointer (RFC 6901) into the specification.
    pub path: String,
    /// What is wrong, in one sentence.
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (at `{}`)", self.message, self.path)
    }
}

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No target has this name.
    #[error("unknown target `{name}`{}", hint(.suggestion))]
    UnknownTarget {
        /// The name asked for.
        name: String,
        /// A known target with a close name.
        suggestion: Option<String>,
    },
    /// The target has no option with this name.
    #[error("target `{target}` has no option `{key}`{}", hint(.suggestion))]
    UnknownOption {
        /// The target.
        target: String,
        /// The option asked for.
        key: String,
        /// An option with a close name.
        suggestion: Option<String>,
    },
    /// An option's value is not allowed.
    #[error("option `{key}`: {reason}")]
    BadOption {
        /// The option.
        key: String,
        /// Why the value is refused.
        reason: String,
    },
    /// The specification cannot be generated for this target; fix the names or types listed.
    #[error("{} problem(s) for this target: {}", .0.len(), list(.0))]
    Spec(Vec<Problem>),
    /// A generated path is unsafe or doubled (a bug in a target).
    #[error("generated path `{path}` is refused: {reason}")]
    BadPath {
        /// The path.
        path: String,
        /// Why it is refused.
        reason: &'static str,
    },
    /// A template failed to render (a bug in a target).
    #[error("template `{name}` failed: {message}")]
    Template {
        /// The template's name.
        name: String,
        /// What went wrong.
        message: String,
    },
    /// Writing an archive failed.
    #[error("cannot write the archive: {0}")]
    Archive(String),
}

fn hint(suggestion: &Option<String>) -> String {
    suggestion
        .as_ref()
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default()
}

fn list(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// A generated project.
#[derive(Clone, Debug)]
pub struct Output {
    /// The target's name.
    pub target: &'static str,
    /// The options, with defaults filled in.
    pub options: Options,
    /// The files, `.specforge/manifest.json` included.
    pub tree: FileTree,
}

impl Output {
    /// See [`FileTree::digest`].
    pub fn digest(&self) -> String {
        self.tree.digest()
    }
}

/// Generates `model` for the target named `target` with `options` (`key=value` pairs as given
/// by the user; unknown keys and bad values are errors).
pub fn generate(
    model: &Model,
    target: &str,
    options: &[(String, String)],
) -> Result<Output, Error> {
    let found = targets::target(target).ok_or_else(|| Error::UnknownTarget {
        name: target.to_owned(),
        suggestion: specforge_spec::names::suggest(target, targets().iter().map(|t| t.name()))
            .map(String::from),
    })?;
    let options = Options::resolve(found, options)?;
    let mut tree = FileTree::new();
    found.generate(model, &options, &mut tree)?;
    let manifest = Manifest::new(found.name(), &options, model, &tree);
    tree.insert(MANIFEST_PATH, manifest.to_json())?;
    Ok(Output {
        target: found.name(),
        options,
        tree,
    })
}
