//! `specforge generate` and `specforge targets`.

mod project;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use specforge_codegen::archive::{self, ArchiveFormat};
use specforge_codegen::naming::{Case, case};
use specforge_codegen::regenerate::{Action, Counts, Step};
use specforge_codegen::{Error, FileTree, MANIFEST_PATH, Manifest, OptionKind, Output, targets};

/// Where a generated project goes.
#[derive(Debug)]
pub enum Destination {
    /// A folder: created, updated when it holds a specforge project, or (with `force`)
    /// replaced when it holds anything else.
    Folder {
        /// The folder.
        path: PathBuf,
        /// Whether edited files of a project may be overwritten, or a non-empty folder that is
        /// not a project replaced.
        force: bool,
        /// Print what would be written, and write nothing.
        dry_run: bool,
    },
    /// A `.zip` or `.tar.gz` file.
    Archive {
        /// The file.
        path: PathBuf,
        /// Whether an existing file may be replaced.
        force: bool,
    },
}

/// What the destination holds before generation.
#[derive(Debug)]
pub enum Existing {
    /// Nothing: no folder, an empty folder, or an archive's path.
    Nothing,
    /// A non-empty folder that is not a specforge project, to be replaced (`--force`).
    Other,
    /// A specforge project, to be regenerated.
    Project(Box<Manifest>),
}

/// A usage mistake: exit code 2.
#[derive(Debug)]
pub struct Usage(pub String);

impl std::fmt::Display for Usage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Usage {}

/// Checks the destination before any work is done, and says what it holds.
pub fn check_destination(dest: &Destination) -> anyhow::Result<Existing> {
    match dest {
        Destination::Folder { path, force, .. } => {
            if path.is_file() {
                return Err(Usage(format!("{} is a file, not a folder", path.display())).into());
            }
            if !path.is_dir() {
                return Ok(Existing::Nothing);
            }
            let why = match project::read_manifest(path) {
                Ok(manifest) => return Ok(Existing::Project(Box::new(manifest))),
                Err(project::NotAProject::NoManifest) => String::new(),
                Err(project::NotAProject::Unreadable(reason)) => {
                    format!(" (it is not a specforge project: {reason})")
                }
            };
            let empty = std::fs::read_dir(path)
                .with_context(|| format!("cannot read {}", path.display()))?
                .next()
                .is_none();
            if empty {
                return Ok(Existing::Nothing);
            }
            if !force {
                return Err(Usage(format!(
                    "{} is not empty; pass --force to replace its contents{why}",
                    path.display()
                ))
                .into());
            }
            return Ok(Existing::Other);
        }
        Destination::Archive { path, force } => {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default();
            if ArchiveFormat::from_file_name(&name).is_none() {
                return Err(Usage(format!(
                    "{}: the archive's name must end with .zip, .tar.gz or .tgz",
                    path.display()
                ))
                .into());
            }
            if !force && path.exists() {
                return Err(Usage(format!(
                    "{} exists; pass --force to replace it",
                    path.display()
                ))
                .into());
            }
        }
    }
    Ok(Existing::Nothing)
}

/// The error of a failed generation (other than names the target cannot use, which are
/// rendered as diagnostics), and its exit code.
pub fn describe_error(err: &Error) -> (String, u8) {
    match err {
        Error::UnknownTarget { .. } | Error::UnknownOption { .. } | Error::BadOption { .. } => {
            (format!("specforge: {err}\n"), 2)
        }
        other => (format!("specforge: {other}\n"), 1),
    }
}

/// Writes `output` to `dest`, which holds `existing`, and says what was done. `spec` names the
/// specification in messages.
pub fn write(
    output: &Output,
    dest: &Destination,
    existing: Existing,
    app_name: &str,
    spec: &str,
) -> anyhow::Result<ExitCode> {
    let (path, kind) = match dest {
        Destination::Folder {
            path,
            force,
            dry_run,
        } => {
            if let Existing::Project(old) = existing {
                return project::regenerate(path, &old, output, *force, *dry_run, spec);
            }
            if *dry_run {
                return print_fresh_plan(&output.tree, matches!(existing, Existing::Other));
            }
            write_folder(&output.tree, path)?;
            (path, "into")
        }
        Destination::Archive { path, .. } => {
            write_archive(&output.tree, path, app_name)?;
            (path, "as")
        }
    };
    writeln!(
        std::io::stdout(),
        "{spec}: generated {} files ({} bytes) for {} {kind} {}\ndigest sha256:{}",
        output.tree.len(),
        output.tree.total_bytes(),
        output.target,
        path.display(),
        output.digest()
    )?;
    Ok(ExitCode::SUCCESS)
}

/// `--dry-run` into a folder that holds no project: every file is created.
fn print_fresh_plan(tree: &FileTree, replaces: bool) -> anyhow::Result<ExitCode> {
    let mut stdout = std::io::stdout().lock();
    let mut counts = Counts::default();
    for (path, _) in tree.iter().filter(|(path, _)| *path != MANIFEST_PATH) {
        let step = Step {
            path: path.to_owned(),
            action: Action::Create,
        };
        writeln!(stdout, "{step}")?;
        counts.create += 1;
    }
    writeln!(stdout, "{counts}")?;
    if replaces {
        writeln!(
            stdout,
            "the folder is not a specforge project: --force replaces everything in it"
        )?;
    }
    writeln!(stdout, "dry run: nothing written")?;
    Ok(ExitCode::SUCCESS)
}

/// Writes an archive to a temporary sibling, renamed into place once complete.
fn write_archive(tree: &FileTree, path: &Path, app_name: &str) -> anyhow::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let Some(format) = ArchiveFormat::from_file_name(&name) else {
        bail!("unknown archive format");
    };
    let root = case(app_name, Case::Kebab);
    let bytes = archive::write(tree, format, Some(&root))?;
    let tmp = sibling(path, "tmp");
    std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        anyhow::anyhow!("cannot write {}: {e}", path.display())
    })
}

/// `path` with `.specforge-{what}-{pid}` appended to its file name.
fn sibling(path: &Path, what: &str) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(format!(".specforge-{what}-{}", std::process::id()));
    path.with_file_name(name)
}

/// Writes a new folder into a temporary sibling first, renamed into place once complete, so a
/// failure leaves nothing half-written.
fn write_folder(tree: &FileTree, path: &Path) -> anyhow::Result<()> {
    let path = if path.as_os_str().is_empty() {
        Path::new(".")
    } else {
        path
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    let tmp = sibling(path, "tmp");
    let result = (|| -> anyhow::Result<()> {
        for (file, contents) in tree.iter() {
            let target = tmp.join(file);
            if let Some(dir) = target.parent() {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create {}", dir.display()))?;
            }
            std::fs::write(&target, contents)
                .with_context(|| format!("cannot write {}", target.display()))?;
            #[cfg(unix)]
            if file.ends_with(".sh") {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o755))?;
            }
        }
        Ok(())
    })();
    if let Err(err) = result {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(err);
    }
    if path.exists() {
        // Replace the old folder (checked empty, or --force): move it aside, move the new one
        // in, then delete the old one.
        let old = sibling(path, "old");
        std::fs::rename(path, &old).map_err(|e| {
            let _ = std::fs::remove_dir_all(&tmp);
            anyhow::anyhow!("cannot replace {}: {e}", path.display())
        })?;
        if let Err(e) = std::fs::rename(&tmp, path) {
            let _ = std::fs::rename(&old, path);
            let _ = std::fs::remove_dir_all(&tmp);
            bail!("cannot write {}: {e}", path.display());
        }
        std::fs::remove_dir_all(&old)
            .with_context(|| format!("cannot remove the old {}", old.display()))?;
    } else {
        std::fs::rename(&tmp, path).map_err(|e| {
            let _ = std::fs::remove_dir_all(&tmp);
            anyhow::anyhow!("cannot write {}: {e}", path.display())
        })?;
    }
    Ok(())
}

/// `specforge targets`: each target, what it makes, and its options.
pub fn list_targets(json: bool) -> anyhow::Result<ExitCode> {
    let mut stdout = std::io::stdout().lock();
    if json {
        let value = specforge_codegen::targets::catalogue();
        serde_json::to_writer_pretty(&mut stdout, &value)?;
        writeln!(stdout)?;
        return Ok(ExitCode::SUCCESS);
    }
    for t in targets() {
        writeln!(stdout, "{:<16}{}", t.name(), t.description())?;
        for o in t.options() {
            let default = o
                .default
                .map_or_else(String::new, |d| format!(" (default `{d}`)"));
            writeln!(
                stdout,
                "    --option {}=<{}>  {}{default}",
                o.name,
                kind_text(o.kind),
                o.description
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn kind_text(kind: OptionKind) -> String {
    match kind {
        OptionKind::Choice(values) => values.join("|"),
        OptionKind::Identifier => "identifier".into(),
        OptionKind::Bool => "true|false".into(),
        OptionKind::Text => "text".into(),
    }
}
