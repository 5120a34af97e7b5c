//! specforge code generators.
//!
//! [`generate()`] turns a validated [`Model`] into a [`FileTree`] for one [`Target`] (see
//! [`targets()`]): names, types and paths are computed in Rust, in passes shared by the targets
//! ([`plan`], [`naming`], [`sql_names`], [`samples`], [`passes`]) and in each target's folder; embedded
//! templates only lay the text out. The same model, target, options and specforge version give
//! byte-identical files; every tree carries `.specforge/manifest.json` and has a [`digest`]
//! (see [`FileTree::digest`]). [`archive::write`] packs a tree as a deterministic zip or tar.gz;
//! [`archive::Writer`] does the same entry by entry, for output that cannot seek. [`catalogue`]
//! describes the targets and their options for tools and the API.
//! [`regenerate::plan`] decides what regenerating into an existing project writes, removes and
//! keeps.
//!
//! The crate is pure and synchronous: no I/O, no HTTP, no SQL.
//!
//! [`digest`]: FileTree::digest
//! [`Model`]: specforge_spec::Model

#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod archive;
mod error;
mod generate;
mod manifest;
pub mod naming;
pub mod options;
pub mod passes;
pub mod plan;
pub mod regenerate;
mod render;
pub mod samples;
pub mod sql_names;
pub mod targets;
mod tree;

pub use error::{Error, Problem};
pub use generate::{Output, generate};
pub use manifest::{MANIFEST_PATH, Manifest, VERSION, spec_sha256};
pub use options::{OptionKind, OptionSpec, Options};
pub use targets::{Target, catalogue, target, targets};
pub use tree::{FileTree, check_path, sha256_hex};
