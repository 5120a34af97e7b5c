//! Every file of every target for every example, as insta snapshots (`cargo insta review`
//! after a deliberate change; in CI, missing or changed snapshots fail).

use specforge_codegen::{generate, targets};

use crate::{example, example_names};

/// The files of a tree as one text: each file under a `=== path (N bytes)` header.
fn render(tree: &specforge_codegen::FileTree) -> String {
    let mut out = String::new();
    for (path, contents) in tree.iter() {
        out.push_str(&format!("=== {path} ({} bytes)\n", contents.len()));
        out.push_str(&String::from_utf8_lossy(contents));
        if !contents.ends_with(b"\n") {
            out.push_str("\n=== (no newline at end of file)\n");
        }
    }
    out
}

#[test]
fn every_target_generates_every_example_as_snapshotted() {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    // The version appears in headers and the manifest; a release changes it everywhere.
    settings.add_filter(
        &regex_escape(&format!("specforge {}", specforge_codegen::VERSION)),
        "specforge [VERSION]",
    );
    settings.bind(|| {
        for name in example_names() {
            let model = example(&name);
            for target in targets() {
                let output = generate(&model, target.name(), &[])
                    .unwrap_or_else(|e| panic!("{name} for {}: {e}", target.name()));
                insta::assert_snapshot!(format!("{name}__{}", target.name()), render(&output.tree));
            }
        }
    });
}

fn regex_escape(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == ' ' {
                c.to_string()
            } else {
                format!("\\{c}")
            }
        })
        .collect()
}
