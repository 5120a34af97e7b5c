//! The generated project's `Cargo.lock`, so that it builds with `cargo build --locked` and the
//! output stays byte-for-byte reproducible.
//!
//! The lock of each dependency set is stored without its root package
//! (`templates/Cargo.lock.<variant>`, written by `scripts/update-generated-lockfiles.sh`), since
//! the root is the generated crate, named by the specification. Generation puts the root back:
//! its name and version and its dependencies come from the generated `Cargo.toml`, and it goes
//! where Cargo puts it, so the file is the one `cargo generate-lockfile` writes for it.
//!
//! Cargo's rules (lock versions 3 and 4): packages are sorted by name (bytewise), then version
//! (semantic), then source (a path, like the root, first). A dependency is written `"name"` when
//! one version of that name is locked, `"name version"` when several are, and
//! `"name version (source)"` when that version is locked from several sources; each list is
//! sorted by name, then by the version and source written, as text. So a root whose name is also a locked package's changes how
//! the other packages name that one.
//!
//! A dependency of the `Cargo.toml` missing from the stored lock leaves the root without it
//! rather than failing: the update script must still generate a project to refresh a stale
//! lock. The tests here and `--check` in CI make sure a stored lock is never stale.

mod cargo_toml;
mod version;

use std::cmp::Ordering;
use std::collections::BTreeMap;

use self::cargo_toml::Manifest;
use self::version::Version;
use crate::error::Error;
use crate::options::Options;
use crate::tree::FileTree;

/// The stored locks, by dependency set.
static STORED: &[(&str, &str)] = &[
    ("postgres", include_str!("../templates/Cargo.lock.postgres")),
    ("sqlite", include_str!("../templates/Cargo.lock.sqlite")),
];

/// The dependency set of the project `options` describe: the suffix of its stored lock.
pub(super) fn variant(options: &Options) -> &'static str {
    match options.get("database") {
        Some("postgres") => "postgres",
        _ => "sqlite",
    }
}

/// Adds `Cargo.lock` for the `Cargo.toml` already in `out`.
pub(super) fn add_cargo_lock(out: &mut FileTree, options: &Options) -> Result<(), Error> {
    let cargo_toml = out
        .get("Cargo.toml")
        .map(String::from_utf8_lossy)
        .ok_or(LockError::NoCargoToml)
        .map_err(bug)?;
    let (lock, _missing) = cargo_lock(variant(options), &cargo_toml).map_err(bug)?;
    out.insert("Cargo.lock", lock)
}

fn bug(error: LockError) -> Error {
    Error::Template {
        name: "Cargo.lock".to_owned(),
        message: error.to_string(),
    }
}

/// Why a lock cannot be made: always a mistake in a stored lock or a template.
#[derive(Debug, thiserror::Error)]
enum LockError {
    #[error("no Cargo.toml was generated")]
    NoCargoToml,
    #[error("no lock is stored for the dependency set `{0}`")]
    UnknownVariant(String),
    #[error("the Cargo.toml has no package name or version")]
    NoPackage,
    #[error("line {line} of the stored lock: {reason}")]
    Syntax { line: usize, reason: &'static str },
    #[error("the stored lock refers to `{0}`, which names none of its packages, or several")]
    UnknownReference(String),
}

/// The lock of the `Cargo.toml` `cargo_toml` from the stored lock of `variant`, and the
/// dependencies it names that the stored lock lacks.
fn cargo_lock(variant: &str, cargo_toml: &str) -> Result<(String, Vec<String>), LockError> {
    let stored = STORED
        .iter()
        .find(|(name, _)| *name == variant)
        .map(|(_, text)| *text)
        .ok_or_else(|| LockError::UnknownVariant(variant.to_owned()))?;
    with_root(stored, cargo_toml)
}

/// The lock `stored` with the root package of `cargo_toml`, and the dependencies missing.
fn with_root(stored: &str, cargo_toml: &str) -> Result<(String, Vec<String>), LockError> {
    let mut lock = Lock::parse(stored)?;
    let missing = lock.add_root(&cargo_toml::read(cargo_toml))?;
    Ok((lock.encode(), missing))
}

/// What names a locked package.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Id {
    name: String,
    version: String,
    /// `None` for a path (the root).
    source: Option<String>,
}

/// A locked package and the packages it depends on.
#[derive(Clone, Debug)]
struct Package {
    id: Id,
    checksum: Option<String>,
    dependencies: Vec<Id>,
}

/// A lock file: the lines before the packages, and the packages in Cargo's order.
#[derive(Debug)]
struct Lock {
    header: String,
    packages: Vec<Package>,
}

const PACKAGE: &str = "\n[[package]]\n";

impl Lock {
    /// Reads a lock file as Cargo writes it.
    fn parse(text: &str) -> Result<Lock, LockError> {
        let mut blocks = text.split(PACKAGE);
        let header = blocks.next().unwrap_or_default();
        let versioned = header.lines().any(|line| {
            line.strip_prefix("version = ")
                .and_then(|v| v.parse::<u32>().ok())
                .is_some_and(|v| v >= 3)
        });
        if !versioned {
            return Err(LockError::Syntax {
                line: 1,
                reason: "a lock file of version 3 or later is expected",
            });
        }
        // Dependencies are read as written, then resolved once every package is known.
        // The first `name` line follows a blank line and `[[package]]`.
        let mut line = header.lines().count() + 3;
        let mut packages = Vec::new();
        let mut written = Vec::new();
        for block in blocks {
            let (package, dependencies) = parse_package(block, line)?;
            line += block.lines().count() + 2;
            packages.push(package);
            written.push(dependencies);
        }
        let mut by_name: BTreeMap<String, Vec<Id>> = BTreeMap::new();
        for package in &packages {
            by_name
                .entry(package.id.name.clone())
                .or_default()
                .push(package.id.clone());
        }
        for (package, dependencies) in packages.iter_mut().zip(written) {
            package.dependencies = dependencies
                .iter()
                .map(|text| resolve_reference(&by_name, text))
                .collect::<Result<_, _>>()?;
        }
        Ok(Lock {
            header: header.to_owned(),
            packages,
        })
    }

    /// Adds the root package the `Cargo.toml` describes, where Cargo's order puts it, and
    /// returns the dependencies it names that are not locked.
    fn add_root(&mut self, manifest: &Manifest) -> Result<Vec<String>, LockError> {
        let (Some(name), Some(version)) = (&manifest.name, &manifest.version) else {
            return Err(LockError::NoPackage);
        };
        let mut missing = Vec::new();
        let mut dependencies: Vec<Id> = Vec::new();
        for dependency in &manifest.dependencies {
            match self.locked(&dependency.package, dependency.requirement.as_deref()) {
                Some(id) if !dependencies.contains(id) => dependencies.push(id.clone()),
                Some(_) => {}
                None => missing.push(dependency.package.clone()),
            }
        }
        let root = Package {
            id: Id {
                name: name.clone(),
                version: version.clone(),
                source: None,
            },
            checksum: None,
            dependencies,
        };
        let at = self
            .packages
            .iter()
            .position(|p| cargo_order(&p.id, &root.id) == Ordering::Greater)
            .unwrap_or(self.packages.len());
        self.packages.insert(at, root);
        Ok(missing)
    }

    /// The locked package a dependency on `name` with `requirement` resolved to: the newest
    /// version that satisfies it.
    fn locked(&self, name: &str, requirement: Option<&str>) -> Option<&Id> {
        self.packages
            .iter()
            .map(|p| &p.id)
            .filter(|id| id.name == name && id.source.is_some())
            .filter_map(|id| Some((Version::parse(&id.version)?, id)))
            .filter(|(v, _)| requirement.is_none_or(|r| version::matches(r, v) == Some(true)))
            .max_by(|(a, _), (b, _)| a.cmp(b))
            .map(|(_, id)| id)
    }

    /// The lock file's text, as Cargo writes it.
    fn encode(&self) -> String {
        // How many packages have each name, and each name and version.
        let mut counts: BTreeMap<&str, BTreeMap<&str, usize>> = BTreeMap::new();
        for package in &self.packages {
            *counts
                .entry(&package.id.name)
                .or_default()
                .entry(&package.id.version)
                .or_default() += 1;
        }
        let mut out = self.header.clone();
        for package in &self.packages {
            out.push_str(PACKAGE);
            let id = &package.id;
            out.push_str(&format!(
                "name = \"{}\"\nversion = \"{}\"\n",
                id.name, id.version
            ));
            if let Some(source) = &id.source {
                out.push_str(&format!("source = \"{source}\"\n"));
            }
            if let Some(checksum) = &package.checksum {
                out.push_str(&format!("checksum = \"{checksum}\"\n"));
            }
            if package.dependencies.is_empty() {
                continue;
            }
            let mut dependencies: Vec<_> = package
                .dependencies
                .iter()
                .map(|id| reference(id, &counts))
                .collect();
            dependencies.sort();
            out.push_str("dependencies = [\n");
            for (name, version, source) in dependencies {
                out.push_str(" \"");
                out.push_str(name);
                if let Some(version) = version {
                    out.push(' ');
                    out.push_str(version);
                }
                if let Some(source) = source {
                    out.push_str(&format!(" ({source})"));
                }
                out.push_str("\",\n");
            }
            out.push_str("]\n");
        }
        out
    }
}

/// How a dependency on `id` is written: `(name, version, source)`, with a version when the name
/// alone is ambiguous and a source when the version is too. `counts` holds how many packages
/// have each name and version.
fn reference<'a>(
    id: &'a Id,
    counts: &BTreeMap<&str, BTreeMap<&str, usize>>,
) -> (&'a str, Option<&'a str>, Option<&'a str>) {
    let versions = &counts[id.name.as_str()];
    let shared = versions[id.version.as_str()] > 1;
    let version = (shared || versions.len() > 1).then_some(id.version.as_str());
    let source = if shared { id.source.as_deref() } else { None };
    (id.name.as_str(), version, source)
}

/// Cargo's order of packages: name, then version, then source (a path before the others).
fn cargo_order(a: &Id, b: &Id) -> Ordering {
    a.name
        .cmp(&b.name)
        .then_with(
            || match (Version::parse(&a.version), Version::parse(&b.version)) {
                (Some(x), Some(y)) => x.cmp(&y),
                _ => a.version.cmp(&b.version),
            },
        )
        .then_with(|| a.source.cmp(&b.source))
}

/// One package of a lock file (the text after `[[package]]`), and its dependencies as written.
/// `first_line` is the number of the block's first line, for errors.
fn parse_package(block: &str, first_line: usize) -> Result<(Package, Vec<&str>), LockError> {
    let mut name = None;
    let mut version = None;
    let mut source = None;
    let mut checksum = None;
    let mut dependencies = Vec::new();
    let mut in_dependencies = false;
    for (n, line) in block.lines().enumerate() {
        let syntax = |reason| LockError::Syntax {
            line: first_line + n,
            reason,
        };
        if in_dependencies {
            if line == "]" {
                in_dependencies = false;
            } else {
                let text = line
                    .strip_prefix(" \"")
                    .and_then(|l| l.strip_suffix("\","))
                    .ok_or_else(|| syntax("a dependency ` \"…\",` is expected"))?;
                dependencies.push(text);
            }
            continue;
        }
        if line == "dependencies = [" {
            in_dependencies = true;
            continue;
        }
        let (key, value) = line
            .split_once(" = ")
            .ok_or_else(|| syntax("`key = \"value\"` is expected"))?;
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .filter(|v| !v.contains(['"', '\\']))
            .ok_or_else(|| syntax("a plain string is expected"))?
            .to_owned();
        let slot = match key {
            "name" => &mut name,
            "version" => &mut version,
            "source" => &mut source,
            "checksum" => &mut checksum,
            _ => {
                return Err(syntax(
                    "a key Cargo writes for a locked package is expected",
                ));
            }
        };
        *slot = Some(value);
    }
    let missing = || LockError::Syntax {
        line: first_line,
        reason: "a package needs a name and a version",
    };
    let package = Package {
        id: Id {
            name: name.ok_or_else(missing)?,
            version: version.ok_or_else(missing)?,
            source,
        },
        checksum,
        dependencies: Vec::new(),
    };
    Ok((package, dependencies))
}

/// The package a dependency written `name[ version[ (source)]]` names; `by_name` holds the
/// packages of each name.
fn resolve_reference(by_name: &BTreeMap<String, Vec<Id>>, text: &str) -> Result<Id, LockError> {
    let mut parts = text.splitn(3, ' ');
    let name = parts.next().unwrap_or_default();
    let version = parts.next();
    let source = parts
        .next()
        .map(|s| s.strip_prefix('(').and_then(|s| s.strip_suffix(')')));
    let mut candidates = by_name.get(name).into_iter().flatten().filter(|id| {
        version.is_none_or(|v| v == id.version)
            && source.is_none_or(|s| s.is_some() && s == id.source.as_deref())
    });
    match (candidates.next(), candidates.next()) {
        (Some(id), None) => Ok(id.clone()),
        _ => Err(LockError::UnknownReference(text.to_owned())),
    }
}

#[cfg(test)]
mod tests;
