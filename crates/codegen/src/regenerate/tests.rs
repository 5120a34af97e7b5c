use std::collections::BTreeMap;

use proptest::prelude::*;

use super::*;
use crate::manifest::VERSION;
use crate::options::Options;
use crate::tree::FileTree;

/// An output of `target` with these generated and user-owned files, and its manifest.
fn output(target: &'static str, generated: &[(&str, &str)], owned: &[(&str, &str)]) -> Output {
    let mut tree = FileTree::new();
    for (path, contents) in generated {
        tree.insert(*path, *contents).expect("insert");
    }
    for (path, contents) in owned {
        tree.insert_user_owned(*path, *contents).expect("insert");
    }
    let manifest = Manifest {
        specforge: VERSION.to_owned(),
        target: target.to_owned(),
        options: BTreeMap::new(),
        spec_sha256: sha256_hex(b"spec"),
        files: tree
            .iter()
            .map(|(path, contents)| (path.to_owned(), sha256_hex(contents)))
            .collect(),
        user_owned: tree.user_owned().map(str::to_owned).collect(),
    };
    tree.insert(MANIFEST_PATH, manifest.to_json())
        .expect("manifest");
    Output {
        target,
        options: Options::default(),
        tree,
    }
}

fn manifest_of(output: &Output) -> Manifest {
    serde_json::from_slice(output.tree.get(MANIFEST_PATH).expect("manifest")).expect("json")
}

fn disk(files: &[(&str, &str)]) -> Disk {
    files
        .iter()
        .map(|(path, contents)| {
            (
                (*path).to_owned(),
                OnDisk::File(contents.as_bytes().to_vec()),
            )
        })
        .collect()
}

/// The plan's steps as `(path, action)`.
fn steps(plan: &Plan) -> Vec<(&str, &Action)> {
    plan.steps
        .iter()
        .map(|s| (s.path.as_str(), &s.action))
        .collect()
}

fn action<'a>(plan: &'a Plan, path: &str) -> &'a Action {
    &plan
        .steps
        .iter()
        .find(|s| s.path == path)
        .unwrap_or_else(|| panic!("no step for {path}"))
        .action
}

#[test]
fn unedited_files_are_updated_new_ones_created_and_identical_ones_kept() {
    let old = output(
        "sql-sqlite",
        &[("schema.sql", "v1"), ("README.md", "r")],
        &[],
    );
    let new = output(
        "sql-sqlite",
        &[("schema.sql", "v2"), ("README.md", "r"), ("seed.sql", "s")],
        &[],
    );
    let on_disk = disk(&[("schema.sql", "v1"), ("README.md", "r")]);
    let plan = plan(&manifest_of(&old), &on_disk, &new, false).expect("plan");
    assert_eq!(
        steps(&plan),
        [
            ("README.md", &Action::Keep(Kept::Unchanged)),
            ("schema.sql", &Action::Update),
            ("seed.sql", &Action::Create),
        ]
    );
    assert!(!plan.is_refused());
    assert_eq!(plan.manifest, manifest_of(&new));
}

#[test]
fn an_edited_file_that_would_change_is_refused_and_overwritten_with_force() {
    let old = output("openapi", &[("openapi.json", "v1")], &[]);
    let new = output("openapi", &[("openapi.json", "v2")], &[]);
    let on_disk = disk(&[("openapi.json", "v1 with my change")]);
    let refused = plan(&manifest_of(&old), &on_disk, &new, false).expect("plan");
    assert!(refused.is_refused());
    assert_eq!(
        refused
            .conflicts()
            .map(|s| s.path.as_str())
            .collect::<Vec<_>>(),
        ["openapi.json"]
    );
    assert_eq!(
        action(&refused, "openapi.json"),
        &Action::Refuse(Conflict::Edited)
    );
    let forced = plan(&manifest_of(&old), &on_disk, &new, true).expect("plan");
    assert_eq!(
        action(&forced, "openapi.json"),
        &Action::Overwrite(Conflict::Edited)
    );
    assert!(!forced.is_refused());
}

#[test]
fn an_edited_file_that_already_holds_the_new_content_is_kept() {
    let old = output("openapi", &[("openapi.json", "v1")], &[]);
    let new = output("openapi", &[("openapi.json", "v2")], &[]);
    let plan = plan(
        &manifest_of(&old),
        &disk(&[("openapi.json", "v2")]),
        &new,
        false,
    )
    .expect("plan");
    assert_eq!(
        action(&plan, "openapi.json"),
        &Action::Keep(Kept::Unchanged)
    );
}

#[test]
fn a_missing_generated_file_is_created_again() {
    let old = output("openapi", &[("openapi.json", "v1")], &[]);
    let new = output("openapi", &[("openapi.json", "v1")], &[]);
    let plan = plan(&manifest_of(&old), &Disk::new(), &new, false).expect("plan");
    assert_eq!(action(&plan, "openapi.json"), &Action::Create);
}

#[test]
fn unedited_files_no_longer_produced_are_removed_and_missing_ones_forgotten() {
    let old = output(
        "rust-axum",
        &[("src/a.rs", "a"), ("src/b.rs", "b"), ("gone.txt", "g")],
        &[],
    );
    let new = output("rust-axum", &[("src/a.rs", "a")], &[]);
    let on_disk = disk(&[("src/a.rs", "a"), ("src/b.rs", "b")]);
    let plan = plan(&manifest_of(&old), &on_disk, &new, false).expect("plan");
    assert_eq!(
        steps(&plan),
        [
            ("src/a.rs", &Action::Keep(Kept::Unchanged)),
            ("src/b.rs", &Action::Remove),
        ]
    );
    assert!(!plan.manifest.files.contains_key("src/b.rs"));
}

#[test]
fn an_edited_file_no_longer_produced_is_refused_and_with_force_kept_as_the_users() {
    let old = output("rust-axum", &[("src/a.rs", "a"), ("src/b.rs", "b")], &[]);
    let new = output("rust-axum", &[("src/a.rs", "a")], &[]);
    let on_disk = disk(&[("src/a.rs", "a"), ("src/b.rs", "b, edited")]);
    let refused = plan(&manifest_of(&old), &on_disk, &new, false).expect("plan");
    assert_eq!(
        action(&refused, "src/b.rs"),
        &Action::Refuse(Conflict::EditedNoLongerGenerated)
    );
    let forced = plan(&manifest_of(&old), &on_disk, &new, true).expect("plan");
    assert_eq!(
        action(&forced, "src/b.rs"),
        &Action::Keep(Kept::EditedNoLongerGenerated)
    );
    assert!(
        !forced.manifest.files.contains_key("src/b.rs"),
        "the kept file is the user's now"
    );
}

#[test]
fn a_user_added_file_at_a_new_generated_path_is_a_conflict_unless_identical() {
    let old = output("openapi", &[("openapi.json", "v1")], &[]);
    let new = output("openapi", &[("openapi.json", "v1"), ("notes.md", "n")], &[]);
    let mine = disk(&[("openapi.json", "v1"), ("notes.md", "my notes")]);
    let refused = plan(&manifest_of(&old), &mine, &new, false).expect("plan");
    assert_eq!(
        action(&refused, "notes.md"),
        &Action::Refuse(Conflict::UserAdded)
    );
    let forced = plan(&manifest_of(&old), &mine, &new, true).expect("plan");
    assert_eq!(
        action(&forced, "notes.md"),
        &Action::Overwrite(Conflict::UserAdded)
    );
    let same = disk(&[("openapi.json", "v1"), ("notes.md", "n")]);
    let adopted = plan(&manifest_of(&old), &same, &new, false).expect("plan");
    assert_eq!(action(&adopted, "notes.md"), &Action::Keep(Kept::Unchanged));
}

#[test]
fn user_owned_files_are_written_only_when_missing() {
    let old = output(
        "python-fastapi",
        &[("app.py", "a")],
        &[("hooks.py", "pass")],
    );
    let new = output(
        "python-fastapi",
        &[("app.py", "a2")],
        &[("hooks.py", "pass 2"), ("routes.py", "r")],
    );
    let on_disk = disk(&[("app.py", "a"), ("hooks.py", "def mine(): ...")]);
    for force in [false, true] {
        let plan = plan(&manifest_of(&old), &on_disk, &new, force).expect("plan");
        assert_eq!(
            steps(&plan),
            [
                ("app.py", &Action::Update),
                ("hooks.py", &Action::Keep(Kept::UserOwned)),
                ("routes.py", &Action::Create),
            ]
        );
        assert_eq!(plan.manifest.user_owned, ["hooks.py", "routes.py"]);
    }
}

#[test]
fn a_file_user_owned_in_the_old_manifest_stays_the_users() {
    // Owned before, generated now: still the user's. Owned before, no longer produced: kept,
    // and still listed.
    let old = output(
        "python-fastapi",
        &[("app.py", "a")],
        &[("hooks.py", "h"), ("old_hooks.py", "o")],
    );
    let new = output(
        "python-fastapi",
        &[("app.py", "a"), ("hooks.py", "h2")],
        &[],
    );
    let on_disk = disk(&[
        ("app.py", "a"),
        ("hooks.py", "mine"),
        ("old_hooks.py", "mine too"),
    ]);
    let plan = plan(&manifest_of(&old), &on_disk, &new, false).expect("plan");
    assert_eq!(
        steps(&plan),
        [
            ("app.py", &Action::Keep(Kept::Unchanged)),
            ("hooks.py", &Action::Keep(Kept::UserOwned)),
            ("old_hooks.py", &Action::Keep(Kept::UserOwned)),
        ]
    );
    assert_eq!(plan.manifest.user_owned, ["hooks.py", "old_hooks.py"]);
    assert_eq!(
        plan.manifest.files.get("old_hooks.py"),
        Some(&sha256_hex(b"o"))
    );
    // A user-owned file the user deleted, no longer produced: forgotten.
    let plan = plan_without(&old, &new, "old_hooks.py");
    assert!(plan.steps.iter().all(|s| s.path != "old_hooks.py"));
    assert_eq!(plan.manifest.user_owned, ["hooks.py"]);
}

fn plan_without(old: &Output, new: &Output, missing: &str) -> Plan {
    let on_disk: Disk = old
        .tree
        .iter()
        .filter(|(path, _)| *path != missing && *path != MANIFEST_PATH)
        .map(|(path, bytes)| (path.to_owned(), OnDisk::File(bytes.to_vec())))
        .collect();
    plan(&manifest_of(old), &on_disk, new, false).expect("plan")
}

#[test]
fn a_project_of_another_target_is_refused() {
    let old = output("sql-postgres", &[("schema.sql", "a")], &[]);
    let new = output("sql-sqlite", &[("schema.sql", "a")], &[]);
    let err = plan(&manifest_of(&old), &Disk::new(), &new, true).expect_err("refused");
    assert!(matches!(
        &err,
        RegenerateError::OtherTarget { found, wanted } if found == "sql-postgres" && wanted == "sql-sqlite"
    ));
    assert!(err.to_string().contains("-t sql-postgres"), "{err}");
    assert!(relevant_paths(&manifest_of(&old), &new).is_err());
}

#[test]
fn a_manifest_listing_unsafe_paths_is_refused() {
    for path in ["../outside.txt", "/etc/passwd", "a/../../b", MANIFEST_PATH] {
        let mut old = manifest_of(&output("openapi", &[("openapi.json", "v1")], &[]));
        old.files.insert(path.to_owned(), sha256_hex(b"x"));
        let new = output("openapi", &[("openapi.json", "v1")], &[]);
        assert!(
            matches!(
                plan(&old, &Disk::new(), &new, true),
                Err(RegenerateError::BadManifest { .. })
            ),
            "{path}"
        );
        assert!(relevant_paths(&old, &new).is_err(), "{path}");
        let mut old = manifest_of(&output("openapi", &[], &[]));
        old.user_owned.push(path.to_owned());
        assert!(relevant_paths(&old, &new).is_err(), "{path}");
    }
}

#[test]
fn the_relevant_paths_are_the_old_and_new_files_but_the_manifest() {
    let old = output("openapi", &[("a", "1"), ("b", "2")], &[("h", "3")]);
    let new = output("openapi", &[("b", "2"), ("c", "4")], &[]);
    let paths = relevant_paths(&manifest_of(&old), &new).expect("paths");
    assert_eq!(paths.into_iter().collect::<Vec<_>>(), ["a", "b", "c", "h"]);
}

#[test]
fn things_that_are_not_files_block_writes_even_with_force() {
    let old = output("rust-axum", &[("src/a.rs", "a"), ("x", "x")], &[]);
    let new = output(
        "rust-axum",
        &[
            ("src/a.rs", "a2"),
            ("src/b.rs", "b"),
            ("x/y.rs", "y"),
            ("z", "z"),
        ],
        &[],
    );
    let mut on_disk = disk(&[("x", "x")]);
    let symlink = Obstacle {
        path: "src".into(),
        kind: ObstacleKind::Symlink,
    };
    on_disk.insert("src/a.rs".into(), OnDisk::Blocked(symlink.clone()));
    on_disk.insert("src/b.rs".into(), OnDisk::Blocked(symlink.clone()));
    // `x` is removed, so the file in the way of `x/y.rs` goes.
    on_disk.insert(
        "x/y.rs".into(),
        OnDisk::Blocked(Obstacle {
            path: "x".into(),
            kind: ObstacleKind::File,
        }),
    );
    let folder = Obstacle {
        path: "z".into(),
        kind: ObstacleKind::Folder,
    };
    on_disk.insert("z".into(), OnDisk::Blocked(folder.clone()));
    let plan = plan(&manifest_of(&old), &on_disk, &new, true).expect("plan");
    assert_eq!(
        steps(&plan),
        [
            (
                "src/a.rs",
                &Action::Refuse(Conflict::Blocked(symlink.clone()))
            ),
            ("src/b.rs", &Action::Refuse(Conflict::Blocked(symlink))),
            ("x", &Action::Remove),
            ("x/y.rs", &Action::Create),
            ("z", &Action::Refuse(Conflict::Blocked(folder))),
        ]
    );
    assert!(
        action(&plan, "z")
            .note()
            .is_some_and(|n| n.contains("`z` is a folder; move it away")),
        "{:?}",
        action(&plan, "z").note()
    );
}

#[test]
fn the_plan_prints_one_line_per_file_and_counts_each_verb() {
    let old = output(
        "rust-axum",
        &[("a", "1"), ("b", "2"), ("c", "3")],
        &[("h", "h")],
    );
    let new = output(
        "rust-axum",
        &[("a", "1"), ("b", "22"), ("d", "4"), ("e", "5")],
        &[("h", "h2")],
    );
    let on_disk = disk(&[
        ("a", "1"),
        ("b", "2"),
        ("c", "3"),
        ("e", "mine"),
        ("h", "h"),
    ]);
    let plan = plan(&manifest_of(&old), &on_disk, &new, false).expect("plan");
    let lines: Vec<String> = plan.steps.iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        [
            "keep     a (unchanged)",
            "update   b",
            "remove   c",
            "create   d",
            "conflict e (not generated by specforge, and now generated)",
            "keep     h (user-owned)",
        ]
    );
    assert_eq!(
        plan.counts().to_string(),
        "1 to create, 1 to update, 1 to remove, 2 to keep, 1 conflict(s)"
    );
    assert!(!plan.changes_nothing());
}

/// Paths of which none is a folder of another.
const PATHS: [&str; 7] = ["a", "b", "c/d", "c/e", "f/g/h", "u1", "u2"];

/// What a path holds in an output: nothing, a generated file, or a user-owned file.
fn slot() -> impl Strategy<Value = Option<(bool, u8)>> {
    prop::option::of((any::<bool>(), 0u8..3))
}

fn output_of(target: &'static str, slots: &[Option<(bool, u8)>]) -> Output {
    let mut generated = Vec::new();
    let mut owned = Vec::new();
    let contents: Vec<String> = slots
        .iter()
        .map(|slot| slot.map_or_else(String::new, |(_, n)| format!("content {n}")))
        .collect();
    for ((path, slot), text) in PATHS.iter().zip(slots).zip(&contents) {
        match slot {
            Some((true, _)) => owned.push((*path, text.as_str())),
            Some((false, _)) => generated.push((*path, text.as_str())),
            None => {}
        }
    }
    output(target, &generated, &owned)
}

/// The disk after the plan's steps.
fn apply(plan: &Plan, before: &Disk, new: &Output) -> Disk {
    let mut after = before.clone();
    for step in &plan.steps {
        match step.action {
            Action::Remove => {
                after.remove(&step.path);
            }
            ref action if action.writes() => {
                let bytes = new.tree.get(&step.path).expect("written file");
                after.insert(step.path.clone(), OnDisk::File(bytes.to_vec()));
            }
            _ => {}
        }
    }
    after
}

proptest! {
    #[test]
    fn applying_a_plan_then_planning_again_changes_nothing(
        old_slots in prop::collection::vec(slot(), PATHS.len()),
        new_slots in prop::collection::vec(slot(), PATHS.len()),
        // Per path: missing, the old content, the new content, or something else.
        disk_choice in prop::collection::vec(0u8..4, PATHS.len()),
        force in any::<bool>(),
    ) {
        let old = output_of("openapi", &old_slots);
        let new = output_of("openapi", &new_slots);
        let mut before = Disk::new();
        for (path, choice) in PATHS.iter().zip(&disk_choice) {
            let bytes = match choice {
                0 => None,
                1 => old.tree.get(path).map(<[u8]>::to_vec),
                2 => new.tree.get(path).map(<[u8]>::to_vec),
                _ => Some(b"the user's".to_vec()),
            };
            if let Some(bytes) = bytes {
                before.insert((*path).to_owned(), OnDisk::File(bytes));
            }
        }
        let first = plan(&manifest_of(&old), &before, &new, force).expect("plan");
        let old_manifest = manifest_of(&old);
        for step in &first.steps {
            let on_disk = before.get(&step.path);
            // Without force, nothing the user changed is written over or removed.
            if !force && (step.action.writes() || step.action == Action::Remove) {
                let untouched = match on_disk {
                    None => true,
                    Some(OnDisk::File(bytes)) => {
                        old_manifest.files.get(&step.path) == Some(&sha256_hex(bytes))
                    }
                    Some(_) => false,
                };
                prop_assert!(untouched, "{step}");
            }
            // A user-owned file that exists is never written.
            let owned = old_manifest.user_owned.contains(&step.path)
                || new.tree.is_user_owned(&step.path);
            if owned && on_disk.is_some() {
                prop_assert_eq!(&step.action, &Action::Keep(Kept::UserOwned));
            }
        }
        if first.is_refused() {
            prop_assert!(!force, "force settles every conflict between files");
            return Ok(());
        }
        let after = apply(&first, &before, &new);
        let second = plan(&first.manifest, &after, &new, false).expect("plan");
        prop_assert!(second.changes_nothing(), "{:?}", second.steps);
        prop_assert_eq!(&second.manifest, &first.manifest);
        // Every file the manifest lists is there.
        for path in first.manifest.files.keys() {
            prop_assert!(after.contains_key(path), "{path} is listed but missing");
        }
    }
}
