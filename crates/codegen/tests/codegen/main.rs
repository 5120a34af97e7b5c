//! Tests of the code generators over the example specifications.

mod archives;
mod determinism;
mod layout;
mod names;
mod props;
mod schema_names;
mod snapshots;

use std::path::{Path, PathBuf};

use specforge_spec::Model;

/// The repository's `examples/` folder.
pub fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

/// Every valid example specification's file name, sorted.
pub fn example_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(examples_dir())
        .expect("examples folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_file())
        .map(|p| p.file_name().expect("name").to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The model of an example specification.
pub fn example(name: &str) -> Model {
    let path = examples_dir().join(name);
    let bytes = std::fs::read(&path).expect("example");
    let analysis = specforge_spec::analyze_bytes(&bytes, Some(name), None);
    analysis
        .model
        .unwrap_or_else(|| panic!("{name} is invalid: {:#?}", analysis.diagnostics))
}
