//! Regenerating into an existing project: which files to create, update, remove or keep, and
//! which changes of the user's stand in the way, decided from the project's old manifest, what
//! is on disk at the paths concerned, and the new [`Output`]. Pure: the caller reads the disk
//! (see [`relevant_paths`]) and applies the [`Plan`].
//!
//! The rules, for every path of the old manifest or the new output (the manifest itself aside):
//!
//! - A user-owned file (listed as such by the old manifest or the new output) is written only
//!   when it is missing; otherwise it is kept, whatever it holds, and stays in the manifest
//!   while it exists, even once the specification no longer produces it.
//! - A generated file that already holds the new content is kept.
//! - A generated file the user did not edit (its hash is the old manifest's) is updated, or
//!   removed when the specification no longer produces it. A missing one is created again.
//! - A generated file the user edited, that would change or be removed, is a conflict; so is a
//!   file the old manifest does not list (the user's) at a new generated path. `force` writes
//!   over such files, except that an edited file the specification no longer produces is kept
//!   and left out of the new manifest: it becomes the user's.
//! - Something that is not a regular file where a file is to be written (a folder, a symbolic
//!   link, a file where a folder is needed) is a conflict that `force` does not settle: nothing
//!   follows a link, and nothing deletes a folder of the user's.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::generate::Output;
use crate::manifest::{MANIFEST_PATH, Manifest};
use crate::tree::{check_path, sha256_hex};

#[cfg(test)]
mod tests;

/// What is at one path of the project folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OnDisk {
    /// Nothing.
    Missing,
    /// A regular file with these bytes.
    File(Vec<u8>),
    /// Something a file cannot be written over.
    Blocked(Obstacle),
}

/// Something in the way of a file: at its path, or at one of its folders.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Obstacle {
    /// Where it is: the file's path or one of its folders', relative to the project.
    pub path: String,
    /// What it is.
    pub kind: ObstacleKind,
}

/// What kind of thing an [`Obstacle`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObstacleKind {
    /// A symbolic link (never followed).
    Symlink,
    /// A folder where a file is to be.
    Folder,
    /// A file where a folder is needed.
    File,
    /// A device, socket or pipe.
    Special,
}

impl fmt::Display for Obstacle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            ObstacleKind::Symlink => "a symbolic link",
            ObstacleKind::Folder => "a folder",
            ObstacleKind::File => "a file where a folder is needed",
            ObstacleKind::Special => "not a regular file",
        };
        write!(f, "`{}` is {what}", self.path)
    }
}

/// What a path left out of a [`Disk`] holds.
static MISSING: OnDisk = OnDisk::Missing;

/// The project folder as read: what is at each path of [`relevant_paths`]. A path left out is
/// missing.
pub type Disk = BTreeMap<String, OnDisk>;

/// Why a project cannot be regenerated at all.
#[derive(Debug, thiserror::Error)]
pub enum RegenerateError {
    /// The project was generated for another target.
    #[error(
        "it holds a project generated for `{found}`, not `{wanted}`: regenerate it with `-t {found}`, or \
         generate `{wanted}` into another folder"
    )]
    OtherTarget {
        /// The target in the project's manifest.
        found: String,
        /// The target asked for.
        wanted: String,
    },
    /// The project's manifest lists a path that is not a safe relative path.
    #[error("its manifest lists the path `{path}`, which is refused: {reason}")]
    BadManifest {
        /// The path.
        path: String,
        /// Why it is refused.
        reason: String,
    },
    /// The new output has no readable manifest (a bug).
    #[error("the generated files have no readable manifest")]
    NoManifest,
}

/// What regeneration does with one path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Write the new file where nothing is.
    Create,
    /// Write the new content over a generated file the user did not edit.
    Update,
    /// Write the new content over a file of the user's (`force` only).
    Overwrite(Conflict),
    /// Delete a generated file the user did not edit and the specification no longer produces.
    Remove,
    /// Leave the file as it is.
    Keep(Kept),
    /// Refuse to regenerate because of this file.
    Refuse(Conflict),
}

/// Why a file is left as it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kept {
    /// It already holds the new content.
    Unchanged,
    /// The user owns it.
    UserOwned,
    /// The user edited it and the specification no longer produces it (`force`): it is the
    /// user's from now on.
    EditedNoLongerGenerated,
    /// The specification no longer produces it, and what is there is not a regular file.
    NotAFile,
}

/// A change of the user's that regeneration would undo.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Conflict {
    /// A generated file the user edited, that would change.
    Edited,
    /// A generated file the user edited, that the specification no longer produces.
    EditedNoLongerGenerated,
    /// A file the old manifest does not list, at a new generated path.
    UserAdded,
    /// Not a regular file where a file is to be written; `force` does not settle it.
    Blocked(Obstacle),
}

impl fmt::Display for Conflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Conflict::Edited => f.write_str("edited since it was generated"),
            Conflict::EditedNoLongerGenerated => {
                f.write_str("edited since it was generated, and no longer generated")
            }
            Conflict::UserAdded => f.write_str("not generated by specforge, and now generated"),
            Conflict::Blocked(obstacle) => write!(f, "{obstacle}; move it away"),
        }
    }
}

impl Action {
    /// The word of the plan's line: create, update, remove, keep or conflict.
    pub fn verb(&self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update | Action::Overwrite(_) => "update",
            Action::Remove => "remove",
            Action::Keep(_) => "keep",
            Action::Refuse(_) => "conflict",
        }
    }

    /// Whether the action writes the new file.
    pub fn writes(&self) -> bool {
        matches!(self, Action::Create | Action::Update | Action::Overwrite(_))
    }

    /// Why, when the verb alone does not say it.
    pub fn note(&self) -> Option<String> {
        match self {
            Action::Create | Action::Update | Action::Remove => None,
            Action::Overwrite(conflict) => Some(format!("{conflict}; overwritten (--force)")),
            Action::Keep(Kept::Unchanged) => Some("unchanged".into()),
            Action::Keep(Kept::UserOwned) => Some("user-owned".into()),
            Action::Keep(Kept::EditedNoLongerGenerated) => {
                Some("edited, and no longer generated: yours now, left out of the manifest".into())
            }
            Action::Keep(Kept::NotAFile) => Some("no longer generated; not a regular file".into()),
            Action::Refuse(conflict) => Some(conflict.to_string()),
        }
    }
}

/// One path of a [`Plan`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// The path, relative to the project.
    pub path: String,
    /// What happens to it.
    pub action: Action,
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:<8} {}", self.action.verb(), self.path)?;
        if let Some(note) = self.action.note() {
            write!(f, " ({note})")?;
        }
        Ok(())
    }
}

/// What regenerating a project does: a step per path, in path order, and the manifest to
/// write once every step is done.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// The steps, in path order (the manifest aside).
    pub steps: Vec<Step>,
    /// The new manifest: the output's, plus the user-owned files the specification no longer
    /// produces but the project still holds.
    pub manifest: Manifest,
}

/// How many steps of each verb a plan has.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Files created.
    pub create: usize,
    /// Files updated (overwritten ones included).
    pub update: usize,
    /// Files removed.
    pub remove: usize,
    /// Files kept.
    pub keep: usize,
    /// Conflicts.
    pub conflict: usize,
}

impl fmt::Display for Counts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} to create, {} to update, {} to remove, {} to keep, {} conflict(s)",
            self.create, self.update, self.remove, self.keep, self.conflict
        )
    }
}

impl Plan {
    /// The steps that refuse regeneration.
    pub fn conflicts(&self) -> impl Iterator<Item = &Step> {
        self.steps
            .iter()
            .filter(|s| matches!(s.action, Action::Refuse(_)))
    }

    /// Whether regeneration is refused (then nothing may be written).
    pub fn is_refused(&self) -> bool {
        self.conflicts().next().is_some()
    }

    /// Whether the plan writes or removes nothing but the manifest.
    pub fn changes_nothing(&self) -> bool {
        self.steps
            .iter()
            .all(|s| matches!(s.action, Action::Keep(_)))
    }

    /// How many steps of each verb.
    pub fn counts(&self) -> Counts {
        let mut counts = Counts::default();
        for step in &self.steps {
            let slot = match step.action {
                Action::Create => &mut counts.create,
                Action::Update | Action::Overwrite(_) => &mut counts.update,
                Action::Remove => &mut counts.remove,
                Action::Keep(_) => &mut counts.keep,
                Action::Refuse(_) => &mut counts.conflict,
            };
            *slot += 1;
        }
        counts
    }
}

/// Checks that `old` belongs to `target` and lists only safe paths.
fn check_old(old: &Manifest, target: &str) -> Result<(), RegenerateError> {
    if old.target != target {
        return Err(RegenerateError::OtherTarget {
            found: old.target.clone(),
            wanted: target.to_owned(),
        });
    }
    // The manifest is a file of the project: anyone could have written a path like
    // `../../etc/passwd` in it, and its paths decide what is read and removed.
    for path in old.files.keys().chain(&old.user_owned) {
        if let Err(err) = check_path(path) {
            return Err(RegenerateError::BadManifest {
                path: path.clone(),
                reason: match err {
                    crate::Error::BadPath { reason, .. } => reason.to_owned(),
                    other => other.to_string(),
                },
            });
        }
        if path == MANIFEST_PATH {
            return Err(RegenerateError::BadManifest {
                path: path.clone(),
                reason: "the manifest does not list itself".into(),
            });
        }
    }
    Ok(())
}

/// The paths whose state on disk [`plan`] needs: every file of the old manifest and of the new
/// output, the manifest aside. Fails like [`plan`] when the project cannot be regenerated.
pub fn relevant_paths(old: &Manifest, new: &Output) -> Result<BTreeSet<String>, RegenerateError> {
    check_old(old, new.target)?;
    Ok(old
        .files
        .keys()
        .chain(&old.user_owned)
        .map(String::as_str)
        .chain(new.tree.iter().map(|(path, _)| path))
        .filter(|path| *path != MANIFEST_PATH)
        .map(str::to_owned)
        .collect())
}

/// Decides what regenerating the project described by `old`, whose files are `disk`, into
/// `new` does. With `force`, files of the user's that are in the way are overwritten instead
/// of refused (see the module's rules).
pub fn plan(
    old: &Manifest,
    disk: &Disk,
    new: &Output,
    force: bool,
) -> Result<Plan, RegenerateError> {
    check_old(old, new.target)?;
    let mut manifest = new
        .tree
        .get(MANIFEST_PATH)
        .and_then(|bytes| Manifest::from_json(bytes).ok())
        .ok_or(RegenerateError::NoManifest)?;
    let user_owned: BTreeSet<&str> = old
        .user_owned
        .iter()
        .map(String::as_str)
        .chain(new.tree.user_owned())
        .collect();
    let at = |path: &str| disk.get(path).unwrap_or(&MISSING);

    // Files no longer produced first: a file removed here may be the obstacle in the way of a
    // new file below it (`a` replaced by `a/b`).
    let mut actions: BTreeMap<&str, Action> = BTreeMap::new();
    for (path, old_hash) in &old.files {
        if new.tree.get(path).is_some() || user_owned.contains(path.as_str()) {
            continue;
        }
        let action = match at(path) {
            OnDisk::Missing => continue,
            OnDisk::Blocked(_) => Action::Keep(Kept::NotAFile),
            OnDisk::File(bytes) if sha256_hex(bytes) == *old_hash => Action::Remove,
            OnDisk::File(_) if force => Action::Keep(Kept::EditedNoLongerGenerated),
            OnDisk::File(_) => Action::Refuse(Conflict::EditedNoLongerGenerated),
        };
        actions.insert(path.as_str(), action);
    }
    let removed = |path: &str| matches!(actions.get(path), Some(Action::Remove));

    let mut produced = Vec::new();
    for (path, contents) in new.tree.iter() {
        if path == MANIFEST_PATH {
            continue;
        }
        let state = match at(path) {
            OnDisk::Blocked(obstacle)
                if obstacle.kind == ObstacleKind::File && removed(&obstacle.path) =>
            {
                &MISSING
            }
            state => state,
        };
        let action = if user_owned.contains(path) {
            match state {
                OnDisk::Missing => Action::Create,
                _ => Action::Keep(Kept::UserOwned),
            }
        } else {
            match (state, old.files.get(path)) {
                (OnDisk::Missing, _) => Action::Create,
                (OnDisk::Blocked(obstacle), _) => {
                    Action::Refuse(Conflict::Blocked(obstacle.clone()))
                }
                (OnDisk::File(bytes), _) if bytes.as_slice() == contents => {
                    Action::Keep(Kept::Unchanged)
                }
                (OnDisk::File(bytes), Some(old_hash)) if sha256_hex(bytes) == *old_hash => {
                    Action::Update
                }
                (OnDisk::File(_), listed) => {
                    let conflict = if listed.is_some() {
                        Conflict::Edited
                    } else {
                        Conflict::UserAdded
                    };
                    if force {
                        Action::Overwrite(conflict)
                    } else {
                        Action::Refuse(conflict)
                    }
                }
            }
        };
        produced.push((path, action));
    }
    actions.extend(produced);

    // Files the user owned stay the user's, and listed as such: those the output produces
    // again (as generated files or not), and those it no longer produces but the project holds.
    for path in &old.user_owned {
        if new.tree.get(path).is_some() {
            manifest.user_owned.push(path.clone());
            continue;
        }
        if matches!(at(path), OnDisk::Missing) {
            continue;
        }
        actions.insert(path.as_str(), Action::Keep(Kept::UserOwned));
        if let Some(hash) = old.files.get(path) {
            manifest.files.insert(path.clone(), hash.clone());
        }
        manifest.user_owned.push(path.clone());
    }
    manifest.user_owned.sort();
    manifest.user_owned.dedup();

    Ok(Plan {
        steps: actions
            .into_iter()
            .map(|(path, action)| Step {
                path: path.to_owned(),
                action,
            })
            .collect(),
        manifest,
    })
}
