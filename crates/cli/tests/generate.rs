//! `specforge generate` and `specforge targets` as a user runs them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn specforge(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_specforge"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("run specforge")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A fresh, empty scratch folder for one test.
fn scratch(name: &str) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "specforge-cli-{}-{}-{name}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch");
    dir
}

fn s(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

fn digest(o: &Output) -> String {
    text(&o.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("digest sha256:"))
        .expect("digest line")
        .to_owned()
}

#[test]
fn generating_into_a_new_folder_writes_every_file_and_the_same_digest_twice() {
    let dir = scratch("new");
    let a = dir.join("a/nested");
    let o = specforge(&[
        "generate",
        "examples/bookstore.yaml",
        "--target",
        "sql-postgres",
        "--out",
        s(&a),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(
        text(&o.stdout).contains("generated 2 files"),
        "{}",
        text(&o.stdout)
    );
    let schema = std::fs::read_to_string(a.join("schema.sql")).expect("schema");
    assert!(schema.contains("CREATE TABLE \"books\""), "{schema}");
    let manifest = std::fs::read_to_string(a.join(".specforge/manifest.json")).expect("manifest");
    assert!(
        manifest.contains("\"target\": \"sql-postgres\""),
        "{manifest}"
    );

    let b = dir.join("b");
    let o2 = specforge(&[
        "generate",
        "examples/bookstore.json",
        "-t",
        "sql-postgres",
        "-o",
        s(&b),
    ]);
    assert_eq!(o2.status.code(), Some(0), "{}", text(&o2.stderr));
    assert_eq!(
        digest(&o),
        digest(&o2),
        "the same model in JSON gives the same files"
    );
    // Nothing is left beside the output.
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".specforge-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_non_empty_folder_is_refused_without_force_and_replaced_with_it() {
    let dir = scratch("force");
    let out = dir.join("out");
    std::fs::create_dir_all(&out).expect("mkdir");
    std::fs::write(out.join("keep.txt"), "mine").expect("write");
    let o = specforge(&[
        "generate",
        "examples/library.md",
        "-t",
        "openapi",
        "-o",
        s(&out),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("is not empty; pass --force"),
        "{}",
        text(&o.stderr)
    );
    assert!(out.join("keep.txt").exists());
    assert!(!out.join("openapi.json").exists());

    let o = specforge(&[
        "generate",
        "examples/library.md",
        "-t",
        "openapi",
        "-o",
        s(&out),
        "--force",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(out.join("openapi.json").exists());
    assert!(
        !out.join("keep.txt").exists(),
        "--force replaces the folder's contents"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn archives_are_written_byte_for_byte_the_same_and_not_overwritten_without_force() {
    let dir = scratch("archive");
    for (name, magic) in [
        ("app.zip", &b"PK\x03\x04"[..]),
        ("app.tar.gz", &b"\x1f\x8b"[..]),
    ] {
        let path = dir.join(name);
        let o = specforge(&[
            "generate",
            "examples/erp.yaml",
            "-t",
            "sql-sqlite",
            "--archive",
            s(&path),
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        let first = std::fs::read(&path).expect("archive");
        assert!(first.starts_with(magic), "{name}");

        let o = specforge(&[
            "generate",
            "examples/erp.yaml",
            "-t",
            "sql-sqlite",
            "--archive",
            s(&path),
        ]);
        assert_eq!(o.status.code(), Some(2), "{name} was overwritten");
        assert!(
            text(&o.stderr).contains("exists; pass --force"),
            "{}",
            text(&o.stderr)
        );

        let o = specforge(&[
            "generate",
            "examples/erp.yaml",
            "-t",
            "sql-sqlite",
            "--archive",
            s(&path),
            "--force",
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        assert_eq!(
            std::fs::read(&path).expect("archive"),
            first,
            "{name} changed"
        );
    }
    let o = specforge(&[
        "generate",
        "examples/erp.yaml",
        "-t",
        "sql-sqlite",
        "--archive",
        s(&dir.join("app.rar")),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains(".zip, .tar.gz or .tgz"),
        "{}",
        text(&o.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_invalid_spec_prints_its_diagnostics_exits_1_and_writes_nothing() {
    let dir = scratch("invalid");
    let out = dir.join("out");
    let o = specforge(&[
        "generate",
        "examples/invalid/typos.yaml",
        "-t",
        "openapi",
        "-o",
        s(&out),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(
        err.contains("error[unknown_key]: unknown key `requird` in a field"),
        "{err}"
    );
    assert!(err.contains("nothing generated"), "{err}");
    assert!(!out.exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn names_that_meet_in_a_target_are_reported_and_nothing_is_written() {
    let dir = scratch("clash");
    let spec = dir.join("clash.yaml");
    std::fs::write(
        &spec,
        "specforge: 1\nname: shop\nentities:\n  Book:\n    fields: { title: string }\n  \
         BookInput:\n    fields: { note: string }\n",
    )
    .expect("spec");
    let out = dir.join("out");
    let o = specforge(&["generate", s(&spec), "-t", "openapi", "-o", s(&out)]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stdout));
    let err = text(&o.stderr);
    let expected = "error[name_collision]: `/entities/BookInput` and `/entities/Book` both become \
                    the OpenAPI schema `BookInput`\n";
    assert!(err.contains(expected), "{err}");
    assert!(
        err.contains("clash.yaml:6:3"),
        "the name's line and column: {err}"
    );
    assert!(err.contains("6 |   BookInput:"), "the source line: {err}");
    assert!(
        err.contains("rename one of them for target `openapi`"),
        "{err}"
    );
    assert!(!out.exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn unknown_targets_and_options_are_usage_errors_with_suggestions() {
    let dir = scratch("usage");
    let out = dir.join("out");
    let cases: [(&[&str], &str); 4] = [
        (
            &["-t", "python-fastpi", "-o", s(&out)],
            "unknown target `python-fastpi` (did you mean `python-fastapi`?)",
        ),
        (
            &["-t", "openapi", "-o", s(&out), "-O", "server_ulr=x"],
            "did you mean `server_url`?",
        ),
        (
            &["-t", "openapi", "-o", s(&out), "-O", "novalue"],
            "is not key=value",
        ),
        // --out or --archive is required.
        (&["-t", "openapi"], "--out"),
    ];
    for (args, expected) in cases {
        let mut all = vec!["generate", "examples/bookstore.yaml"];
        all.extend_from_slice(args);
        let o = specforge(&all);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(
            text(&o.stderr).contains(expected),
            "{args:?}: {}",
            text(&o.stderr)
        );
    }
    assert!(!out.exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn targets_lists_every_target_with_its_options() {
    let o = specforge(&["targets"]);
    assert_eq!(o.status.code(), Some(0));
    let out = text(&o.stdout);
    for name in [
        "openapi",
        "python-fastapi",
        "rust-axum",
        "sql-postgres",
        "sql-sqlite",
    ] {
        assert!(
            out.lines().any(|l| l.starts_with(name)),
            "{name} missing:\n{out}"
        );
    }
    assert!(out.contains("--option server_url=<text>"), "{out}");
    let o = specforge(&["targets", "--json"]);
    let value: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let names: Vec<&str> = value
        .as_array()
        .expect("array")
        .iter()
        .map(|t| t["name"].as_str().expect("name"))
        .collect();
    assert_eq!(
        names,
        [
            "openapi",
            "python-fastapi",
            "rust-axum",
            "sql-postgres",
            "sql-sqlite"
        ]
    );
}
