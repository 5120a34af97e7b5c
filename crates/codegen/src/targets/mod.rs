//! The targets: each turns a model into a complete project (or a single document) in one
//! language. [`targets()`] lists them; [`target`] finds one by name.

use specforge_spec::Model;

use crate::{Error, FileTree, OptionSpec, Options};

pub mod openapi;
pub mod python_fastapi;
pub mod rust_axum;
pub mod sql;

/// A code generator.
pub trait Target: Sync + std::fmt::Debug {
    /// The name users pick it by (`python-fastapi`).
    fn name(&self) -> &'static str;
    /// One line on what it generates.
    fn description(&self) -> &'static str;
    /// Its options.
    fn options(&self) -> &'static [OptionSpec] {
        &[]
    }
    /// Writes the files of `model` into `out` (the manifest is added afterwards).
    fn generate(&self, model: &Model, options: &Options, out: &mut FileTree) -> Result<(), Error>;
}

static TARGETS: &[&dyn Target] = &[
    &openapi::OpenApi,
    &python_fastapi::PythonFastapi,
    &rust_axum::RustAxum,
    &sql::SqlPostgres,
    &sql::SqlSqlite,
];

/// Every target, sorted by name.
pub fn targets() -> &'static [&'static dyn Target] {
    TARGETS
}

/// The target with this name.
pub fn target(name: &str) -> Option<&'static dyn Target> {
    TARGETS.iter().copied().find(|t| t.name() == name)
}
