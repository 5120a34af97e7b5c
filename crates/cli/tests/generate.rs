//! `specforge generate` and `specforge targets` as a user runs them.

use std::collections::BTreeMap;
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
    // The shape of `GET /api/v1/targets`.
    let axum = &value[2];
    assert_eq!(axum["language"], "Rust");
    assert_eq!(axum["framework"], "axum");
    assert_eq!(axum["options"]["type"], "object");
    assert_eq!(axum["options"]["additionalProperties"], false);
    assert!(axum["options"]["properties"].is_object(), "{axum}");
    assert!(value[0]["framework"].is_null(), "openapi has no framework");
}

/// Every file below `dir`, by `/`-separated relative path.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).expect("list") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).expect("below root");
                let rel = rel.to_str().expect("utf-8").replace('\\', "/");
                out.insert(rel, std::fs::read(&path).expect("read"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Whether a file of a python-fastapi bookstore project is the user's once written (or the
/// manifest, which lists them).
fn users(path: &str) -> bool {
    path.starts_with("src/bookstore/services/")
        || path == "src/bookstore/routers/custom.py"
        || path == "migrations/versions/0001_initial.py"
        || path == ".specforge/manifest.json"
}

/// The files of a project but the user's.
fn generated(mut files: BTreeMap<String, Vec<u8>>) -> BTreeMap<String, Vec<u8>> {
    files.retain(|path, _| !users(path));
    files
}

/// The bookstore example with an extra entity, `Shelf`.
const SHELF: &str = "  Shelf:\n    fields:\n      label: { type: string, required: true }\n";

/// The bookstore example, and the same with a field added to `Tag`.
fn bookstore_specs(dir: &Path) -> (PathBuf, PathBuf) {
    let example = std::fs::read_to_string(root().join("examples/bookstore.yaml")).expect("example");
    let before = dir.join("before.yaml");
    std::fs::write(&before, format!("{example}{SHELF}")).expect("spec");
    let after = dir.join("after.yaml");
    let with_color = example.replace(
        "      label: { type: string, required: true, unique: true, max_length: 40 }\n",
        "      label: { type: string, required: true, unique: true, max_length: 40 }\n      \
         color: { type: string, max_length: 20 }\n",
    );
    assert_ne!(with_color, example, "the Tag entity changed in the example");
    std::fs::write(&after, with_color).expect("spec");
    (before, after)
}

fn generate_into(spec: &Path, target: &str, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["generate", s(spec), "-t", target, "-o", s(out)];
    args.extend_from_slice(extra);
    specforge(&args)
}

#[test]
fn regenerating_a_project_updates_adds_and_removes_generated_files_and_keeps_the_users() {
    let dir = scratch("regen");
    let (before, after) = bookstore_specs(&dir);
    let out = dir.join("out");
    let o = generate_into(&before, "python-fastapi", &out, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    // What a fresh generation of the new specification gives, to compare with.
    let fresh = dir.join("fresh");
    let o = generate_into(&after, "python-fastapi", &fresh, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let expected = files(&fresh);

    let models = "src/bookstore/models/tag.py";
    let mut edited = std::fs::read(out.join(models)).expect("models");
    edited.extend_from_slice(b"# my change\n");
    std::fs::write(out.join(models), &edited).expect("edit");
    std::fs::write(out.join("NOTES.txt"), "mine").expect("add");
    let untouched = files(&out);

    // An edited file that would change: refused, listed, and nothing written.
    let o = generate_into(&after, "python-fastapi", &out, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stdout));
    let err = text(&o.stderr);
    assert!(
        err.contains(&format!("  {models}: edited since it was generated")),
        "{err}"
    );
    assert!(err.contains("nothing written"), "{err}");
    assert!(err.contains("pass --force"), "{err}");
    assert_eq!(files(&out), untouched, "a refused run wrote something");

    // A dry run prints the plan and writes nothing, with or without --force.
    let o = generate_into(&after, "python-fastapi", &out, &["--dry-run"]);
    assert_eq!(o.status.code(), Some(1));
    let plan = text(&o.stdout);
    assert!(
        plan.contains(&format!(
            "conflict {models} (edited since it was generated)"
        )),
        "{plan}"
    );
    let o = generate_into(&after, "python-fastapi", &out, &["--dry-run", "--force"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let plan = text(&o.stdout);
    for line in [
        format!("update   {models} (edited since it was generated; overwritten (--force))"),
        "update   src/bookstore/schemas/tag.py".to_owned(),
        "keep     Dockerfile (unchanged)".to_owned(),
        "dry run: nothing written".to_owned(),
    ] {
        assert!(plan.lines().any(|l| l == line), "{line:?} missing:\n{plan}");
    }
    let removed: Vec<&String> = untouched
        .keys()
        .filter(|p| !expected.contains_key(*p) && *p != "NOTES.txt" && !users(p))
        .collect();
    assert!(!removed.is_empty(), "Shelf's files are no longer generated");
    for path in &removed {
        assert!(
            plan.lines().any(|l| l == format!("remove   {path}")),
            "{path} is not removed:\n{plan}"
        );
    }
    assert!(
        plan.lines()
            .any(|l| l.starts_with("0 to create, ") && l.ends_with(", 0 conflict(s)")),
        "{plan}"
    );
    assert_eq!(files(&out), untouched, "a dry run wrote something");

    // --force: the edited file is overwritten, every generated file is the fresh one, removed
    // files are gone, and the user's file stays.
    let o = generate_into(&after, "python-fastapi", &out, &["--force"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(
        text(&o.stdout).contains("regenerated python-fastapi in"),
        "{}",
        text(&o.stdout)
    );
    let mut now = files(&out);
    assert_eq!(now.remove("NOTES.txt").as_deref(), Some(&b"mine"[..]));
    // The user's files stay as they were: Shelf's service module and the first migration,
    // which still makes the shelves.
    assert_eq!(
        now.get("src/bookstore/services/shelf.py"),
        untouched.get("src/bookstore/services/shelf.py")
    );
    let first = "migrations/versions/0001_initial.py";
    assert_eq!(now.get(first), untouched.get(first));
    assert!(String::from_utf8_lossy(&now[first]).contains("shelf"));
    let (now, expected) = (generated(now), generated(expected));
    assert_eq!(
        now.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>()
    );
    assert!(
        now == expected,
        "the regenerated files differ from a fresh generation"
    );
    assert_eq!(
        digest(&o),
        digest(&generate_into(
            &after,
            "python-fastapi",
            &dir.join("again"),
            &[]
        )),
    );
    // No temporary file is left.
    for entry in std::fs::read_dir(out.join("tests")).expect("tests") {
        let entry = entry.expect("entry");
        assert!(
            !entry
                .file_name()
                .to_string_lossy()
                .contains("specforge-tmp"),
            "{entry:?}"
        );
    }

    // Once more: nothing to do.
    let o = generate_into(&after, "python-fastapi", &out, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(
        text(&o.stdout).contains(": 0 created, 0 updated, 0 removed,"),
        "{}",
        text(&o.stdout)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn unedited_files_are_updated_without_force_and_a_user_file_at_a_new_path_is_refused() {
    let dir = scratch("regen-added");
    let (before, after) = bookstore_specs(&dir);
    let out = dir.join("out");
    let o = generate_into(&after, "python-fastapi", &out, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let fresh = dir.join("fresh");
    let o = generate_into(&before, "python-fastapi", &fresh, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let expected = files(&fresh);
    let new_paths: Vec<&String> = expected.keys().filter(|p| !out.join(p).exists()).collect();
    let mine = new_paths.first().expect("Shelf adds files");
    std::fs::write(out.join(mine), "my own file").expect("add");
    let untouched = files(&out);

    let o = generate_into(&before, "python-fastapi", &out, &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains(&format!("  {mine}: not generated by specforge")),
        "{}",
        text(&o.stderr)
    );
    assert_eq!(files(&out), untouched);

    // Moved away, the run goes through: nothing was edited, so no --force is needed.
    std::fs::remove_file(out.join(mine)).expect("remove");
    let o = generate_into(&before, "python-fastapi", &out, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(generated(files(&out)) == generated(expected));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_project_of_another_target_is_refused_with_what_to_do() {
    let dir = scratch("regen-target");
    let out = dir.join("out");
    let o = generate_into(Path::new("examples/library.md"), "openapi", &out, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let untouched = files(&out);
    for extra in [&[][..], &["--force"][..]] {
        let o = generate_into(Path::new("examples/library.md"), "sql-sqlite", &out, extra);
        assert_eq!(o.status.code(), Some(1), "{extra:?}");
        let err = text(&o.stderr);
        assert!(
            err.contains("it holds a project generated for `openapi`, not `sql-sqlite`")
                && err.contains("-t openapi"),
            "{err}"
        );
        assert_eq!(files(&out), untouched);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_user_owned_file_is_kept_on_regeneration_and_written_again_when_missing() {
    let dir = scratch("regen-owned");
    let spec = dir.join("lib.md");
    let example = std::fs::read_to_string(root().join("examples/library.md")).expect("example");
    std::fs::write(&spec, &example).expect("spec");
    let out = dir.join("out");
    let o = generate_into(&spec, "sql-sqlite", &out, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    // No target marks its schema as the user's: mark it in the manifest, as a target would.
    let manifest_path = out.join(".specforge/manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&manifest_path).expect("manifest")).expect("json");
    manifest["user_owned"] = serde_json::json!(["schema.sql"]);
    std::fs::write(
        &manifest_path,
        serde_json::to_vec_pretty(&manifest).expect("json"),
    )
    .expect("manifest");
    std::fs::write(out.join("schema.sql"), "-- mine\n").expect("edit");

    std::fs::write(
        &spec,
        example.replace(
            "| joined_on | date    |",
            "| joined_on | date    | required",
        ),
    )
    .expect("spec");
    let o = generate_into(&spec, "sql-sqlite", &out, &["--dry-run"]);
    assert!(
        text(&o.stdout).contains("keep     schema.sql (user-owned)"),
        "{}",
        text(&o.stdout)
    );
    let o = generate_into(&spec, "sql-sqlite", &out, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(
        std::fs::read_to_string(out.join("schema.sql")).expect("schema"),
        "-- mine\n"
    );
    let manifest = std::fs::read_to_string(&manifest_path).expect("manifest");
    assert!(
        manifest.contains("\"user_owned\": [\n    \"schema.sql\""),
        "{manifest}"
    );

    std::fs::remove_file(out.join("schema.sql")).expect("remove");
    let o = generate_into(&spec, "sql-sqlite", &out, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(
        std::fs::read_to_string(out.join("schema.sql"))
            .expect("schema")
            .contains("CREATE TABLE")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_dry_run_into_a_new_folder_lists_every_file_and_creates_nothing() {
    let dir = scratch("dry-new");
    let out = dir.join("out");
    let o = generate_into(
        Path::new("examples/erp.yaml"),
        "sql-postgres",
        &out,
        &["--dry-run"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(
        text(&o.stdout),
        "create   schema.sql\n1 to create, 0 to update, 0 to remove, 0 to keep, 0 conflict(s)\n\
         dry run: nothing written\n"
    );
    assert!(!out.exists());
    let o = specforge(&[
        "generate",
        "examples/erp.yaml",
        "-t",
        "sql-postgres",
        "--archive",
        s(&dir.join("a.zip")),
        "--dry-run",
    ]);
    assert_eq!(o.status.code(), Some(2), "--dry-run is for folders");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_edited_file_the_spec_no_longer_produces_is_refused_and_kept_as_the_users_with_force() {
    let dir = scratch("regen-gone");
    let (before, after) = bookstore_specs(&dir);
    let out = dir.join("out");
    let o = generate_into(&before, "python-fastapi", &out, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let fresh = dir.join("fresh");
    let o = generate_into(&after, "python-fastapi", &fresh, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let gone = files(&out)
        .into_keys()
        .find(|p| !fresh.join(p).exists())
        .expect("Shelf's files are no longer generated");
    std::fs::write(out.join(&gone), "edited").expect("edit");

    let o = generate_into(&after, "python-fastapi", &out, &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains(&format!(
            "  {gone}: edited since it was generated, and no longer generated"
        )),
        "{}",
        text(&o.stderr)
    );

    let o = generate_into(&after, "python-fastapi", &out, &["--force"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(
        text(&o.stdout).contains(&format!("keep     {gone} (edited, and no longer generated")),
        "{}",
        text(&o.stdout)
    );
    assert_eq!(
        std::fs::read_to_string(out.join(&gone)).expect("kept"),
        "edited"
    );
    let manifest = std::fs::read_to_string(out.join(".specforge/manifest.json")).expect("manifest");
    assert!(!manifest.contains(&gone), "{manifest}");
    // It is the user's file now: the next run leaves it alone.
    let o = generate_into(&after, "python-fastapi", &out, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(out.join(&gone).exists());
    let _ = std::fs::remove_dir_all(&dir);
}
