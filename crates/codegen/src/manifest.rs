//! `.specforge/manifest.json`: what produced a generated tree, and the hash of each file.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use specforge_spec::Model;

use crate::options::Options;
use crate::tree::{FileTree, sha256_hex};

/// The specforge version written into every manifest.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Where the manifest sits in every generated tree.
pub const MANIFEST_PATH: &str = ".specforge/manifest.json";

/// The manifest of a generated tree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// The specforge version that generated the files.
    pub specforge: String,
    /// The target.
    pub target: String,
    /// The options, defaults filled in, sorted by name.
    pub options: BTreeMap<String, String>,
    /// SHA-256 of the normalized model (see [`spec_sha256`]).
    pub spec_sha256: String,
    /// SHA-256 of each file but the manifest itself, by path (user-owned files as first
    /// written).
    pub files: BTreeMap<String, String>,
    /// Files the user owns once written (hooks, custom routes): regeneration writes them only
    /// where they are missing. Sorted; absent when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub user_owned: Vec<String>,
}

impl Manifest {
    /// The manifest of `tree` (which does not hold the manifest yet).
    pub fn new(target: &str, options: &Options, model: &Model, tree: &FileTree) -> Self {
        Manifest {
            specforge: VERSION.to_owned(),
            target: target.to_owned(),
            options: options.values().clone(),
            spec_sha256: spec_sha256(model),
            files: tree
                .iter()
                .map(|(path, contents)| (path.to_owned(), sha256_hex(contents)))
                .collect(),
            user_owned: tree.user_owned().map(str::to_owned).collect(),
        }
    }

    /// Reads a manifest written by [`Manifest::to_json`].
    pub fn from_json(bytes: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(bytes)
    }

    /// Pretty JSON with a final newline.
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec_pretty(self).unwrap_or_default();
        out.push(b'\n');
        out
    }
}

/// SHA-256 (hex) of the model's canonical JSON: the same model read from YAML, JSON, Markdown
/// or OpenAPI has the same hash, and so generates the same files.
pub fn spec_sha256(model: &Model) -> String {
    sha256_hex(&serde_json::to_vec(model).unwrap_or_default())
}
