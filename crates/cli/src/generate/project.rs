//! Regenerating into a folder that holds a specforge project: reads the files the plan needs,
//! and applies the plan (see `specforge_codegen::regenerate` for the rules).
//!
//! Nothing here follows a symbolic link below the project folder: every path is walked one
//! segment at a time, and a link, or a file where a folder is needed, stops the walk. Each file
//! is written to a temporary file in its own folder and renamed over the old one, so a reader
//! never sees half a file.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use specforge_codegen::regenerate::{
    self, Action, Conflict, Disk, Kept, Obstacle, ObstacleKind, OnDisk, Plan,
};
use specforge_codegen::{MANIFEST_PATH, Manifest, Output};

/// Why a folder does not hold a specforge project.
#[derive(Debug)]
pub enum NotAProject {
    /// It has no `.specforge/manifest.json`.
    NoManifest,
    /// It has one, but it cannot be read as a manifest.
    Unreadable(String),
}

/// The manifest of the project in `root`, when `root` holds one.
pub fn read_manifest(root: &Path) -> Result<Manifest, NotAProject> {
    match inspect(root, MANIFEST_PATH) {
        Ok(OnDisk::File(bytes)) => Manifest::from_json(&bytes)
            .map_err(|e| NotAProject::Unreadable(format!("{MANIFEST_PATH}: {e}"))),
        Ok(OnDisk::Missing) => Err(NotAProject::NoManifest),
        Ok(OnDisk::Blocked(obstacle)) => Err(NotAProject::Unreadable(obstacle.to_string())),
        Err(e) => Err(NotAProject::Unreadable(format!("{MANIFEST_PATH}: {e}"))),
    }
}

/// What is at `rel` (a checked relative path) below `root`, without following links.
pub fn inspect(root: &Path, rel: &str) -> io::Result<OnDisk> {
    let mut path = root.to_path_buf();
    let segments: Vec<&str> = rel.split('/').collect();
    for (i, segment) in segments.iter().enumerate() {
        path.push(segment);
        let here = segments[..=i].join("/");
        let meta = match fs::symlink_metadata(&path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(OnDisk::Missing),
            Err(e) => return Err(e),
        };
        let kind = meta.file_type();
        let blocked = |kind| {
            Ok(OnDisk::Blocked(Obstacle {
                path: here.clone(),
                kind,
            }))
        };
        if kind.is_symlink() {
            return blocked(ObstacleKind::Symlink);
        }
        if i + 1 < segments.len() {
            if !kind.is_dir() {
                return blocked(ObstacleKind::File);
            }
            continue;
        }
        return if kind.is_file() {
            fs::read(&path).map(OnDisk::File)
        } else if kind.is_dir() {
            blocked(ObstacleKind::Folder)
        } else {
            blocked(ObstacleKind::Special)
        };
    }
    Ok(OnDisk::Missing)
}

/// Regenerates the project `old` in `root` into `output`, or with `dry_run` prints what that
/// would do. Exits 1, having written nothing, when the plan is refused.
pub fn regenerate(
    root: &Path,
    old: &Manifest,
    output: &Output,
    force: bool,
    dry_run: bool,
    spec: &str,
) -> anyhow::Result<ExitCode> {
    let refused = |e: regenerate::RegenerateError| -> anyhow::Result<ExitCode> {
        writeln!(io::stderr(), "specforge: {}: {e}", root.display())?;
        Ok(ExitCode::from(1))
    };
    let paths = match regenerate::relevant_paths(old, output) {
        Ok(paths) => paths,
        Err(e) => return refused(e),
    };
    let mut disk = Disk::new();
    for path in paths {
        let state = inspect(root, &path)
            .with_context(|| format!("cannot read {}", root.join(&path).display()))?;
        disk.insert(path, state);
    }
    let plan = match regenerate::plan(old, &disk, output, force) {
        Ok(plan) => plan,
        Err(e) => return refused(e),
    };

    let mut stdout = io::stdout().lock();
    if dry_run {
        for step in &plan.steps {
            writeln!(stdout, "{step}")?;
        }
        writeln!(stdout, "{}", plan.counts())?;
        if plan.is_refused() {
            explain_refusal(root, &plan)?;
            return Ok(ExitCode::from(1));
        }
        writeln!(stdout, "dry run: nothing written")?;
        return Ok(ExitCode::SUCCESS);
    }
    if plan.is_refused() {
        explain_refusal(root, &plan)?;
        return Ok(ExitCode::from(1));
    }

    apply(root, &plan, output)?;
    for step in &plan.steps {
        // Files left as they were go unsaid, unless they were kept for a reason to know.
        if !matches!(step.action, Action::Keep(Kept::Unchanged | Kept::UserOwned)) {
            writeln!(stdout, "{step}")?;
        }
    }
    let counts = plan.counts();
    writeln!(
        stdout,
        "{spec}: regenerated {} in {}: {} created, {} updated, {} removed, {} kept\n\
         digest sha256:{}",
        output.target,
        root.display(),
        counts.create,
        counts.update,
        counts.remove,
        counts.keep,
        output.digest()
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Lists the files in the way, and what to do about them.
fn explain_refusal(root: &Path, plan: &Plan) -> io::Result<()> {
    let mut err = String::new();
    err.push_str(&format!(
        "specforge: {}: nothing written: {} file(s) stand in the way:\n",
        root.display(),
        plan.counts().conflict
    ));
    let mut blocked = false;
    let mut forceable = false;
    for step in plan.conflicts() {
        if let Action::Refuse(conflict) = &step.action {
            err.push_str(&format!("  {}: {conflict}\n", step.path));
            match conflict {
                Conflict::Blocked(_) => blocked = true,
                _ => forceable = true,
            }
        }
    }
    if forceable {
        err.push_str(
            "pass --force to overwrite these files (an edited file the specification no longer \
             produces is kept), or move your changes out of them first\n",
        );
    }
    if blocked {
        err.push_str(
            "move what is in the way of the generated files; --force does not replace it\n",
        );
    }
    io::stderr().write_all(err.as_bytes())
}

/// Removes, then writes, then writes the manifest last: should anything fail half-way, the old
/// manifest still describes every file it lists, and running again finishes the work (a file
/// already holding its new content is kept).
fn apply(root: &Path, plan: &Plan, output: &Output) -> anyhow::Result<()> {
    for step in &plan.steps {
        if step.action == Action::Remove {
            let path = checked_path(root, &step.path, false)?;
            fs::remove_file(&path).with_context(|| format!("cannot remove {}", path.display()))?;
            remove_empty_folders(root, &step.path);
        }
    }
    for step in &plan.steps {
        if step.action.writes() {
            let Some(contents) = output.tree.get(&step.path) else {
                anyhow::bail!("{} is planned but not generated", step.path);
            };
            write_file(root, &step.path, contents)?;
        }
    }
    write_file(root, MANIFEST_PATH, &plan.manifest.to_json())
}

/// `root` joined with `rel`, once every folder on the way is checked to be a real folder (with
/// `create`, missing ones are created).
fn checked_path(root: &Path, rel: &str, create: bool) -> anyhow::Result<PathBuf> {
    let mut path = root.to_path_buf();
    let mut segments = rel.split('/').peekable();
    while let Some(segment) = segments.next() {
        path.push(segment);
        if segments.peek().is_none() {
            break;
        }
        match fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_dir() => {}
            Ok(_) => anyhow::bail!(
                "cannot write {}: {} is not a folder (links are not followed)",
                rel,
                path.display()
            ),
            Err(e) if create && e.kind() == io::ErrorKind::NotFound => {
                fs::create_dir(&path)
                    .with_context(|| format!("cannot create {}", path.display()))?;
            }
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    }
    Ok(path)
}

/// Writes `contents` to `rel` below `root` through a temporary file in the same folder.
fn write_file(root: &Path, rel: &str, contents: &[u8]) -> anyhow::Result<()> {
    let path = checked_path(root, rel, true)?;
    let mut name = std::ffi::OsString::from(".");
    name.push(path.file_name().unwrap_or_default());
    name.push(format!(".specforge-tmp-{}", std::process::id()));
    let tmp = path.with_file_name(name);
    let written = (|| -> io::Result<()> {
        // `create_new` never opens what is already there, a link included.
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        file.write_all(contents)?;
        #[cfg(unix)]
        if rel.ends_with(".sh") {
            use std::os::unix::fs::PermissionsExt;
            file.set_permissions(fs::Permissions::from_mode(0o755))?;
        } else if let Ok(old) = fs::symlink_metadata(&path)
            && old.is_file()
        {
            // An updated file keeps the mode the user gave it (say, executable).
            file.set_permissions(old.permissions())?;
        }
        drop(file);
        // Renaming over a link replaces the link; it never writes through it.
        fs::rename(&tmp, &path)
    })();
    written.map_err(|e| {
        let _ = fs::remove_file(&tmp);
        anyhow::anyhow!("cannot write {}: {e}", path.display())
    })
}

/// Removes the folders of `rel` that its removal left empty, deepest first.
fn remove_empty_folders(root: &Path, rel: &str) {
    let mut folder = rel;
    while let Some((parent, _)) = folder.rsplit_once('/') {
        // Fails, and stops, at the first folder that still holds something.
        if fs::remove_dir(root.join(parent)).is_err() {
            break;
        }
        folder = parent;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use specforge_codegen::{FileTree, Options, VERSION, sha256_hex};

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("specforge-project-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("scratch");
        dir
    }

    /// An output with a generated file and a user-owned one, as a target adding hooks makes.
    fn output(generated: &str, hooks: &str) -> Output {
        let mut tree = FileTree::new();
        tree.insert("src/app.py", generated).expect("insert");
        tree.insert_user_owned("src/hooks.py", hooks)
            .expect("insert");
        let manifest = Manifest {
            specforge: VERSION.to_owned(),
            target: "python-fastapi".into(),
            options: Default::default(),
            spec_sha256: sha256_hex(b"spec"),
            files: tree
                .iter()
                .map(|(p, c)| (p.to_owned(), sha256_hex(c)))
                .collect(),
            user_owned: tree.user_owned().map(str::to_owned).collect(),
        };
        tree.insert(MANIFEST_PATH, manifest.to_json())
            .expect("manifest");
        Output {
            target: "python-fastapi",
            options: Options::default(),
            tree,
        }
    }

    fn write_all(root: &Path, output: &Output) {
        for (path, contents) in output.tree.iter() {
            write_file(root, path, contents).expect("write");
        }
    }

    #[test]
    fn a_user_owned_file_is_kept_when_present_and_written_when_missing() {
        let root = scratch("owned");
        let first = output("app 1", "hooks 1");
        write_all(&root, &first);
        fs::write(root.join("src/hooks.py"), "my hooks").expect("edit");
        let old = read_manifest(&root).expect("a project");
        let second = output("app 2", "hooks 2");
        let code = regenerate(&root, &old, &second, false, false, "spec").expect("regenerate");
        assert_eq!(code, ExitCode::SUCCESS);
        assert_eq!(
            fs::read_to_string(root.join("src/app.py")).expect("app"),
            "app 2"
        );
        assert_eq!(
            fs::read_to_string(root.join("src/hooks.py")).expect("hooks"),
            "my hooks"
        );
        let manifest = read_manifest(&root).expect("a project");
        assert_eq!(manifest.user_owned, ["src/hooks.py"]);

        fs::remove_file(root.join("src/hooks.py")).expect("delete");
        let code = regenerate(&root, &manifest, &second, false, false, "spec").expect("again");
        assert_eq!(code, ExitCode::SUCCESS);
        assert_eq!(
            fs::read_to_string(root.join("src/hooks.py")).expect("hooks"),
            "hooks 2"
        );
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn paths_through_a_link_are_blocked_and_never_written() {
        let root = scratch("link");
        let outside = scratch("link-outside");
        write_all(&root, &output("app 1", "hooks"));
        #[cfg(unix)]
        {
            fs::remove_file(root.join("src/app.py")).expect("remove");
            fs::remove_file(root.join("src/hooks.py")).expect("remove");
            fs::remove_dir(root.join("src")).expect("remove");
            std::os::unix::fs::symlink(&outside, root.join("src")).expect("link");
            assert_eq!(
                inspect(&root, "src/app.py").expect("inspect"),
                OnDisk::Blocked(Obstacle {
                    path: "src".into(),
                    kind: ObstacleKind::Symlink
                })
            );
            assert!(write_file(&root, "src/app.py", b"x").is_err());
            let old = read_manifest(&root).expect("a project");
            let code = regenerate(&root, &old, &output("app 2", "hooks"), true, false, "spec")
                .expect("regenerate");
            assert_eq!(code, ExitCode::from(1));
            assert_eq!(fs::read_dir(&outside).expect("list").count(), 0);
        }
        let _ = fs::remove_dir_all(&root);
        let _ = fs::remove_dir_all(&outside);
    }

    #[cfg(unix)]
    #[test]
    fn an_updated_file_keeps_its_mode_and_scripts_are_executable() {
        use std::os::unix::fs::PermissionsExt;
        let root = scratch("mode");
        write_file(&root, "run.sh", b"echo").expect("write");
        write_file(&root, "tool.py", b"1").expect("write");
        let mode = |rel: &str| {
            fs::metadata(root.join(rel))
                .expect("metadata")
                .permissions()
                .mode()
                & 0o777
        };
        assert_eq!(mode("run.sh"), 0o755);
        fs::set_permissions(root.join("tool.py"), fs::Permissions::from_mode(0o750))
            .expect("chmod");
        write_file(&root, "tool.py", b"2").expect("update");
        assert_eq!(mode("tool.py"), 0o750);
        assert_eq!(fs::read(root.join("tool.py")).expect("read"), b"2");
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn removing_a_file_removes_the_folders_it_leaves_empty() {
        let root = scratch("prune");
        for path in ["a/b/c.txt", "a/d.txt"] {
            write_file(&root, path, b"x").expect("write");
        }
        fs::remove_file(root.join("a/b/c.txt")).expect("remove");
        remove_empty_folders(&root, "a/b/c.txt");
        assert!(!root.join("a/b").exists());
        assert!(root.join("a/d.txt").exists(), "a still holds a file");
        let _ = fs::remove_dir_all(&root);
    }
}
