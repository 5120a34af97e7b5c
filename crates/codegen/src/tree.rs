//! The output of a target: a sorted map from relative paths to file contents, and its digest.

use std::collections::{BTreeMap, BTreeSet};

use sha2::{Digest as _, Sha256};

use crate::error::Error;

/// Files of a generated project, sorted by path (bytewise, `/`-separated, relative).
///
/// Some files belong to the user once written (hooks, custom routes: see
/// [`FileTree::insert_user_owned`]): regenerating into an existing project writes them only
/// where they are missing, and never changes or removes them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileTree {
    files: BTreeMap<String, Vec<u8>>,
    user_owned: BTreeSet<String>,
}

impl FileTree {
    /// An empty tree.
    pub fn new() -> Self {
        FileTree::default()
    }

    /// Adds a file. The path must be relative, `/`-separated, without empty, `.` or `..`
    /// segments, backslashes, NUL or other control characters, and not already present.
    pub fn insert(
        &mut self,
        path: impl Into<String>,
        contents: impl Into<Vec<u8>>,
    ) -> Result<(), Error> {
        let path = path.into();
        check_path(&path)?;
        if self.files.contains_key(&path) {
            return Err(Error::BadPath {
                path,
                reason: "two files have this path",
            });
        }
        // A file cannot also be a folder of another file.
        let folder = format!("{path}/");
        if self
            .files
            .range(folder.clone()..)
            .next()
            .is_some_and(|(p, _)| p.starts_with(&folder))
            || ancestors(&path).any(|a| self.files.contains_key(a))
        {
            return Err(Error::BadPath {
                path,
                reason: "a file and a folder have this path",
            });
        }
        self.files.insert(path, contents.into());
        Ok(())
    }

    /// Adds a file that the user owns once it is written: a starting point (a hooks module, a
    /// custom-routes module) that regeneration never overwrites. Same rules as [`insert`].
    ///
    /// [`insert`]: FileTree::insert
    pub fn insert_user_owned(
        &mut self,
        path: impl Into<String>,
        contents: impl Into<Vec<u8>>,
    ) -> Result<(), Error> {
        let path = path.into();
        self.insert(path.clone(), contents)?;
        self.user_owned.insert(path);
        Ok(())
    }

    /// Whether the file at `path` was added with [`FileTree::insert_user_owned`].
    pub fn is_user_owned(&self, path: &str) -> bool {
        self.user_owned.contains(path)
    }

    /// Paths of the user-owned files, sorted.
    pub fn user_owned(&self) -> impl ExactSizeIterator<Item = &str> {
        self.user_owned.iter().map(String::as_str)
    }

    /// The contents of the file at `path`.
    pub fn get(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(Vec::as_slice)
    }

    /// Files in path order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &[u8])> {
        self.files.iter().map(|(p, c)| (p.as_str(), c.as_slice()))
    }

    /// Number of files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether the tree has no files.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Total bytes of all files.
    pub fn total_bytes(&self) -> usize {
        self.files.values().map(Vec::len).sum()
    }

    /// SHA-256 over the files in path order: for each file, the path's UTF-8 bytes, one NUL
    /// byte, the content's length as 8 bytes big-endian, then the content. Hex, lowercase.
    pub fn digest(&self) -> String {
        let mut hasher = Sha256::new();
        for (path, contents) in &self.files {
            hasher.update(path.as_bytes());
            hasher.update([0u8]);
            hasher.update((contents.len() as u64).to_be_bytes());
            hasher.update(contents);
        }
        hex(&hasher.finalize())
    }
}

/// The folders above a path (`a/b/c` gives `a/b`, `a`).
fn ancestors(path: &str) -> impl Iterator<Item = &str> {
    path.char_indices()
        .filter(|&(_, c)| c == '/')
        .map(|(i, _)| &path[..i])
}

/// Checks a relative output path (see [`FileTree::insert`]).
pub fn check_path(path: &str) -> Result<(), Error> {
    let bad = |reason| {
        Err(Error::BadPath {
            path: path.to_owned(),
            reason,
        })
    };
    if path.is_empty() {
        return bad("the path is empty");
    }
    if path.starts_with('/') {
        return bad("the path is absolute");
    }
    if path.contains('\\') {
        return bad("the path has a backslash");
    }
    if path.chars().any(char::is_control) {
        return bad("the path has a control character");
    }
    if path.len() > 1024 {
        return bad("the path is longer than 1024 bytes");
    }
    for segment in path.split('/') {
        match segment {
            "" => return bad("the path has an empty segment"),
            "." | ".." => return bad("the path has a `.` or `..` segment"),
            s if s.ends_with(['.', ' ']) => return bad("a segment ends with a dot or space"),
            s if s.len() > 255 => return bad("a segment is longer than 255 bytes"),
            s if s.contains(':') => return bad("the path has a colon"),
            _ => {}
        }
    }
    Ok(())
}

/// SHA-256 of bytes, hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_paths_are_refused() {
        for path in [
            "",
            "/etc/passwd",
            "../x",
            "a/../b",
            "a/./b",
            "a//b",
            "a\\b",
            "a\0b",
            "a\nb",
            "C:/x",
            "dir./x",
        ] {
            assert!(check_path(path).is_err(), "{path:?} was accepted");
        }
        for path in [
            "README.md",
            "src/main.rs",
            ".github/workflows/ci.yml",
            "a b/c",
        ] {
            assert!(check_path(path).is_ok(), "{path:?} was refused");
        }
    }

    #[test]
    fn a_file_cannot_be_a_folder_too() {
        let mut tree = FileTree::new();
        tree.insert("a/b", "x").expect("insert");
        assert!(tree.insert("a", "y").is_err());
        assert!(tree.insert("a/b/c", "y").is_err());
        assert!(tree.insert("a/b", "y").is_err());
        tree.insert("a/c", "z").expect("insert");
        assert_eq!(tree.len(), 2);
    }

    #[test]
    fn user_owned_files_are_files_marked_as_the_users() {
        let mut tree = FileTree::new();
        tree.insert("src/lib.rs", "x").expect("insert");
        tree.insert_user_owned("src/hooks.rs", "y").expect("insert");
        assert!(tree.insert_user_owned("src/lib.rs", "z").is_err());
        assert!(!tree.is_user_owned("src/lib.rs"));
        assert!(tree.is_user_owned("src/hooks.rs"));
        assert_eq!(tree.user_owned().collect::<Vec<_>>(), ["src/hooks.rs"]);
        assert_eq!(tree.get("src/hooks.rs"), Some(&b"y"[..]));
    }

    #[test]
    fn the_digest_follows_the_documented_encoding() {
        let mut tree = FileTree::new();
        tree.insert("b", "22").expect("insert");
        tree.insert("a", "1").expect("insert");
        let mut bytes = Vec::new();
        bytes.extend_from_slice(b"a\0");
        bytes.extend_from_slice(&1u64.to_be_bytes());
        bytes.extend_from_slice(b"1");
        bytes.extend_from_slice(b"b\0");
        bytes.extend_from_slice(&2u64.to_be_bytes());
        bytes.extend_from_slice(b"22");
        assert_eq!(tree.digest(), sha256_hex(&bytes));
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
