//! [`generate`]: a model, a target's name and options in; a complete [`Output`] out.

use specforge_spec::Model;

use crate::error::Error;
use crate::manifest::{MANIFEST_PATH, Manifest};
use crate::options::Options;
use crate::targets;
use crate::tree::FileTree;

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
        suggestion: specforge_spec::names::suggest(
            target,
            targets::targets().iter().map(|t| t.name()),
        )
        .map(String::from),
    })?;
    let options = Options::resolve(found.name(), found.options(), options)?;
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
