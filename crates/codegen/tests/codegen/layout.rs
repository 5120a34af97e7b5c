//! A target is one folder (`docs/targets.md`, "Adding a target"): registered, documented, and
//! independent of the other targets.

use std::path::{Path, PathBuf};

use specforge_codegen::targets;

fn targets_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src/targets")
}

/// The folder of a target: its name in snake_case.
fn folder(name: &str) -> String {
    name.replace('-', "_")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            // Templates are text of the generated projects, not of the generator.
            if path.file_name().is_some_and(|n| n != "templates") {
                rust_files(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_target_is_a_registered_folder_with_code_and_a_readme() {
    let mut folders: Vec<String> = std::fs::read_dir(targets_dir())
        .expect("src/targets")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .map(|p| p.file_name().expect("name").to_string_lossy().into_owned())
        .collect();
    folders.sort();
    let mut registered: Vec<String> = targets().iter().map(|t| folder(t.name())).collect();
    registered.sort();
    assert_eq!(
        folders, registered,
        "folders under src/targets and registered targets"
    );
    for name in &folders {
        let dir = targets_dir().join(name);
        assert!(dir.join("mod.rs").is_file(), "{name}/mod.rs");
        let readme = std::fs::read_to_string(dir.join("README.md")).expect("README.md");
        let title = format!("# Target `{}`", name.replace('_', "-"));
        assert!(
            readme.starts_with(&title),
            "{name}/README.md starts with {title}"
        );
    }
}

#[test]
fn no_target_uses_the_code_of_another() {
    let names: Vec<String> = targets().iter().map(|t| folder(t.name())).collect();
    for name in &names {
        let mut files = Vec::new();
        rust_files(&targets_dir().join(name), &mut files);
        for file in files {
            let text = std::fs::read_to_string(&file).expect("source");
            assert!(
                !text.contains("crate::targets::"),
                "{} reaches into the targets module",
                file.display()
            );
            for other in names.iter().filter(|o| *o != name) {
                assert!(
                    !text.contains(&format!("{other}::")),
                    "{} uses the target `{other}`",
                    file.display()
                );
            }
        }
    }
}
