//! The `rust-axum` target.

use specforge_spec::Model;

use crate::{Error, FileTree, Options, Target};

/// The `rust-axum` target.
#[derive(Debug)]
pub struct RustAxum;

impl Target for RustAxum {
    fn name(&self) -> &'static str {
        "rust-axum"
    }

    fn description(&self) -> &'static str {
        "rust-axum"
    }

    fn generate(&self, model: &Model, _options: &Options, out: &mut FileTree) -> Result<(), Error> {
        let _plan = crate::plan::Plan::new(model)?;
        out.insert("README.md", "rust-axum\n")
    }
}
