//! The targets: each turns a model into a complete project (or a single document) in one
//! language. [`targets()`] lists them; [`target`] finds one by name.
//!
//! A target is one folder, `targets/<name>/`: its code, its templates, its reserved words and a
//! `README.md` on what it generates. What several targets share (the [`plan`], the [`ddl`]
//! and [`openapi_doc`] passes, [`naming`], [`samples`]) lives outside `targets/`; no target
//! uses another (`docs/targets.md`, "Adding a target").
//!
//! [`plan`]: crate::plan
//! [`ddl`]: crate::passes::ddl
//! [`openapi_doc`]: crate::passes::openapi_doc
//! [`naming`]: crate::naming
//! [`samples`]: crate::samples

use specforge_spec::Model;

use crate::error::Error;
use crate::options::{OptionSpec, Options};
use crate::tree::FileTree;

mod openapi;
mod python_fastapi;
mod rust_axum;
mod sql_postgres;
mod sql_sqlite;

/// A code generator.
pub trait Target: Sync + std::fmt::Debug {
    /// The name users pick it by (`python-fastapi`).
    fn name(&self) -> &'static str;
    /// One line on what it generates.
    fn description(&self) -> &'static str;
    /// The language of what it generates (`Python`, `Rust`, `SQL`, `OpenAPI`).
    fn language(&self) -> &'static str;
    /// The framework the generated code is built on, when there is one (`FastAPI`, `axum`).
    fn framework(&self) -> Option<&'static str> {
        None
    }
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
    &sql_postgres::SqlPostgres,
    &sql_sqlite::SqlSqlite,
];

/// Every target, sorted by name.
pub fn targets() -> &'static [&'static dyn Target] {
    TARGETS
}

/// The target with this name.
pub fn target(name: &str) -> Option<&'static dyn Target> {
    TARGETS.iter().copied().find(|t| t.name() == name)
}

/// The targets as the `specforge targets --json` command and `GET /api/v1/targets` list them:
/// `[{name, language, framework, description, options}]`, `options` a JSON Schema of the
/// `options` object a generation takes (see [`crate::options::json_schema`]).
pub fn catalogue() -> serde_json::Value {
    serde_json::Value::Array(
        TARGETS
            .iter()
            .map(|t| {
                serde_json::json!({
                    "name": t.name(),
                    "language": t.language(),
                    "framework": t.framework(),
                    "description": t.description(),
                    "options": crate::options::json_schema(t.options()),
                })
            })
            .collect(),
    )
}
