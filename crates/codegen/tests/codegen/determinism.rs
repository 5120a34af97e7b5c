//! The same input gives the same bytes; a different input gives a different digest.

use specforge_codegen::{MANIFEST_PATH, Manifest, generate, sha256_hex, spec_sha256, targets};

use crate::example;

#[test]
fn two_runs_give_the_same_digest_and_a_changed_spec_changes_it() {
    let model = example("bookstore.yaml");
    for target in targets() {
        let first = generate(&model, target.name(), &[]).expect("generate");
        let second = generate(&model, target.name(), &[]).expect("generate");
        assert_eq!(first.tree, second.tree, "{}", target.name());
        assert_eq!(first.digest(), second.digest(), "{}", target.name());

        let mut changed = model.clone();
        changed.entities[0].fields[1].constraints.max_length = Some(121);
        let third = generate(&changed, target.name(), &[]).expect("generate");
        assert_ne!(first.digest(), third.digest(), "{}", target.name());
    }
}

#[test]
fn the_same_model_from_yaml_json_and_markdown_gives_the_same_files() {
    let yaml = example("bookstore.yaml");
    for other in ["bookstore.json", "bookstore.md"] {
        assert_eq!(yaml, example(other), "{other} reads as another model");
    }
    for target in targets() {
        let digests: Vec<String> = ["bookstore.yaml", "bookstore.json", "bookstore.md"]
            .iter()
            .map(|name| {
                generate(&example(name), target.name(), &[])
                    .expect("generate")
                    .digest()
            })
            .collect();
        assert!(
            digests.windows(2).all(|w| w[0] == w[1]),
            "{}: {digests:?}",
            target.name()
        );
    }
}

#[test]
fn the_manifest_lists_every_other_file_with_its_hash() {
    let model = example("library.md");
    for target in targets() {
        let output = generate(&model, target.name(), &[]).expect("generate");
        let manifest: Manifest =
            serde_json::from_slice(output.tree.get(MANIFEST_PATH).expect("manifest"))
                .expect("manifest JSON");
        assert_eq!(manifest.target, target.name());
        assert_eq!(manifest.specforge, specforge_codegen::VERSION);
        assert_eq!(manifest.spec_sha256, spec_sha256(&model));
        assert_eq!(manifest.files.len(), output.tree.len() - 1);
        for (path, contents) in output.tree.iter() {
            if path == MANIFEST_PATH {
                continue;
            }
            assert_eq!(
                manifest.files.get(path),
                Some(&sha256_hex(contents)),
                "{path}"
            );
        }
    }
}

#[test]
fn options_are_checked_and_recorded() {
    let model = example("bookstore.yaml");
    let err =
        generate(&model, "openapi", &[("servr_url".into(), "x".into())]).expect_err("unknown");
    assert_eq!(
        err.to_string(),
        "target `openapi` has no option `servr_url` (did you mean `server_url`?)"
    );
    let err = generate(&model, "opneapi", &[]).expect_err("unknown target");
    assert_eq!(
        err.to_string(),
        "unknown target `opneapi` (did you mean `openapi`?)"
    );
    let given = [(
        "server_url".to_owned(),
        "https://api.example.com".to_owned(),
    )];
    let output = generate(&model, "openapi", &given).expect("generate");
    let manifest: Manifest =
        serde_json::from_slice(output.tree.get(MANIFEST_PATH).expect("manifest")).expect("json");
    assert_eq!(
        manifest.options.get("server_url").map(String::as_str),
        Some("https://api.example.com")
    );
    let doc: serde_json::Value =
        serde_json::from_slice(output.tree.get("openapi.json").expect("doc")).expect("json");
    assert_eq!(doc["servers"][0]["url"], "https://api.example.com");
}
