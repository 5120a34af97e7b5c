//! The `openapi` target: the generated API as one OpenAPI 3.1 document, `openapi.json`, made by
//! the shared [`openapi_doc`] pass (see `README.md` beside this file).

use serde_json::json;
use specforge_spec::Model;

use super::Target;
use crate::error::Error;
use crate::options::{OptionKind, OptionSpec, Options};
use crate::passes::openapi_doc::{document, to_pretty_json};
use crate::plan::Plan;
use crate::tree::FileTree;

#[cfg(doc)]
use crate::passes::openapi_doc;

/// The `openapi` target.
#[derive(Debug)]
pub struct OpenApi;

const OPTIONS: &[OptionSpec] = &[OptionSpec {
    name: "server_url",
    description: "The URL of the `servers` entry",
    default: Some("http://localhost:8000"),
    kind: OptionKind::Text,
}];

impl Target for OpenApi {
    fn name(&self) -> &'static str {
        "openapi"
    }

    fn description(&self) -> &'static str {
        "The generated API as one OpenAPI 3.1 document (openapi.json)"
    }

    fn language(&self) -> &'static str {
        "OpenAPI"
    }

    fn options(&self) -> &'static [OptionSpec] {
        OPTIONS
    }

    fn generate(&self, model: &Model, options: &Options, out: &mut FileTree) -> Result<(), Error> {
        let plan = Plan::new(model)?;
        let mut doc = document(&plan)?;
        if let Some(url) = options.get("server_url") {
            doc["servers"] = json!([{ "url": url }]);
        }
        out.insert("openapi.json", to_pretty_json(&doc))
    }
}
