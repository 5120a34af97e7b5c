//! The `python-fastapi` target.

use specforge_spec::Model;

use crate::{Error, FileTree, Options, Target};

/// The `python-fastapi` target.
#[derive(Debug)]
pub struct PythonFastapi;

impl Target for PythonFastapi {
    fn name(&self) -> &'static str {
        "python-fastapi"
    }

    fn description(&self) -> &'static str {
        "python-fastapi"
    }

    fn generate(&self, model: &Model, _options: &Options, out: &mut FileTree) -> Result<(), Error> {
        let _plan = crate::plan::Plan::new(model)?;
        let env = crate::render::environment(&[("README.md", "# {{ name }}\n")])?;
        crate::render::render_into(
            &env,
            "README.md",
            &serde_json::json!({ "name": model.name }),
            out,
            "README.md",
        )
    }
}
