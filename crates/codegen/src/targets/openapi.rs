//! The `openapi` target.

use specforge_spec::Model;

use crate::{Error, FileTree, Options, Target};

/// The `openapi` target.
#[derive(Debug)]
pub struct OpenApi;

impl Target for OpenApi {
    fn name(&self) -> &'static str {
        "openapi"
    }

    fn description(&self) -> &'static str {
        "openapi"
    }

    fn generate(&self, model: &Model, _options: &Options, out: &mut FileTree) -> Result<(), Error> {
        let _plan = crate::plan::Plan::new(model)?;
        out.insert("README.md", "openapi\n")
    }
}
