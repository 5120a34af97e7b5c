//! What the lock file needs from the generated `Cargo.toml`: the package's name and version,
//! and the package name and version requirement of each dependency. This reads the TOML the
//! template writes (tables, `key = "string"`, one-line inline tables) and skips template tags,
//! so it reads `Cargo.toml.jinja` as well as its output; it is not a reader for any TOML.

/// The package and what it depends on, in the order written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Manifest {
    pub(super) name: Option<String>,
    pub(super) version: Option<String>,
    pub(super) dependencies: Vec<Dependency>,
}

/// One entry of a dependency table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Dependency {
    /// The name on the registry: the key, or `package` when the dependency is renamed.
    pub(super) package: String,
    /// The version requirement, when one is given.
    pub(super) requirement: Option<String>,
}

/// The tables whose keys are dependencies, alone or under `[target.<cfg>]`.
const DEPENDENCY_TABLES: &[&str] = &["build-dependencies", "dependencies", "dev-dependencies"];

/// Where the reader is.
enum Table {
    Package,
    /// A table of dependencies, one per key.
    Dependencies,
    /// `[dependencies.<name>]`: the keys describe the last dependency read.
    Dependency,
    Other,
}

/// Reads the package and its dependencies from `text`.
pub(super) fn read(text: &str) -> Manifest {
    let mut manifest = Manifest::default();
    let mut table = Table::Other;
    for line in text.lines() {
        let line = line.trim();
        // Comments, and template tags on lines of their own.
        if line.is_empty() || line.starts_with('#') || line.starts_with('{') {
            continue;
        }
        if line.starts_with('[') {
            table = header(line, &mut manifest);
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let key = unquote(key.trim());
        let value = value.trim();
        match table {
            Table::Package => match key {
                "name" => manifest.name = string(value),
                "version" => manifest.version = string(value),
                _ => {}
            },
            Table::Dependencies => manifest.dependencies.push(dependency(key, value)),
            Table::Dependency => {
                if let Some(last) = manifest.dependencies.last_mut() {
                    match key {
                        "package" => last.package = string(value).unwrap_or_default(),
                        "version" => last.requirement = string(value),
                        _ => {}
                    }
                }
            }
            Table::Other => {}
        }
    }
    manifest
}

/// The table a header line opens; `[dependencies.<name>]` adds the dependency.
fn header(line: &str, manifest: &mut Manifest) -> Table {
    if line.starts_with("[[") {
        return Table::Other;
    }
    let inside = line
        .trim_start_matches('[')
        .split(']')
        .next()
        .unwrap_or_default();
    let keys = dotted(inside);
    let keys: Vec<&str> = keys.iter().map(|k| unquote(k)).collect();
    // `[target.<cfg>.dependencies]` is read as `[dependencies]`.
    let keys = match keys.as_slice() {
        ["target", _, rest @ ..] if !rest.is_empty() => rest,
        all => all,
    };
    match keys {
        ["package"] => Table::Package,
        [table] if DEPENDENCY_TABLES.contains(table) => Table::Dependencies,
        [table, name] if DEPENDENCY_TABLES.contains(table) => {
            manifest.dependencies.push(Dependency {
                package: (*name).to_owned(),
                requirement: None,
            });
            Table::Dependency
        }
        _ => Table::Other,
    }
}

/// A dependency written `name = "requirement"` or `name = { version = ..., package = ... }`.
fn dependency(key: &str, value: &str) -> Dependency {
    let mut dependency = Dependency {
        package: key.to_owned(),
        requirement: None,
    };
    if let Some(inline) = value.strip_prefix('{') {
        for entry in split_outside_quotes(inline.trim_end_matches('}'), ',') {
            let Some((k, v)) = entry.split_once('=') else {
                continue;
            };
            match unquote(k.trim()) {
                "version" => dependency.requirement = string(v.trim()),
                "package" => {
                    if let Some(package) = string(v.trim()) {
                        dependency.package = package;
                    }
                }
                _ => {}
            }
        }
    } else {
        dependency.requirement = string(value);
    }
    dependency
}

/// The keys of a dotted header (`target.'cfg(unix)'.dependencies`).
fn dotted(text: &str) -> Vec<&str> {
    split_outside_quotes(text, '.')
        .into_iter()
        .map(str::trim)
        .collect()
}

/// `text` cut at each `separator` that is outside quotes and brackets.
fn split_outside_quotes(text: &str, separator: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut quote = None;
    let mut depth = 0usize;
    let mut start = 0;
    for (at, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[' | '{') => depth += 1,
            (None, ']' | '}') => depth = depth.saturating_sub(1),
            (None, c) if c == separator && depth == 0 => {
                parts.push(&text[start..at]);
                start = at + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// A key without its quotes.
fn unquote(key: &str) -> &str {
    for q in ['"', '\''] {
        if let Some(inner) = key.strip_prefix(q).and_then(|k| k.strip_suffix(q)) {
            return inner;
        }
    }
    key
}

/// The text of a string value (what follows it, such as a comment, is left out); `None` when
/// the value is not a string.
fn string(value: &str) -> Option<String> {
    let q = value.chars().next().filter(|c| matches!(c, '"' | '\''))?;
    let rest = &value[1..];
    rest.find(q).map(|end| rest[..end].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dependency(package: &str, requirement: Option<&str>) -> Dependency {
        Dependency {
            package: package.to_owned(),
            requirement: requirement.map(str::to_owned),
        }
    }

    #[test]
    fn the_package_and_every_kind_of_dependency_are_read() {
        let manifest = read(
            r#"
[package]
name = "shop" # the crate
version = "0.1.0"
description = "a = [b]"

[dependencies]
axum = { version = "0.8.9", default-features = false, features = ["http1", "tokio"] }
regex = "1.13.2"
{% if postgres %}
my-pg = { package = "tokio-postgres", version = "0.7" }
{% endif %}

[dev-dependencies]
tower = { version = "0.5.3", default-features = false, features = ["util"] }

[target.'cfg(unix)'.dependencies]
libc = "0.2"

[dependencies.serde]
version = "1.0.229"
features = [
    "derive",
]

[[bin]]
name = "other"
"#,
        );
        assert_eq!(manifest.name.as_deref(), Some("shop"));
        assert_eq!(manifest.version.as_deref(), Some("0.1.0"));
        assert_eq!(
            manifest.dependencies,
            [
                dependency("axum", Some("0.8.9")),
                dependency("regex", Some("1.13.2")),
                dependency("tokio-postgres", Some("0.7")),
                dependency("tower", Some("0.5.3")),
                dependency("libc", Some("0.2")),
                dependency("serde", Some("1.0.229")),
            ]
        );
    }

    #[test]
    fn the_template_names_its_package_and_dependencies() {
        let manifest = read(include_str!("../templates/Cargo.toml.jinja"));
        assert_eq!(manifest.name.as_deref(), Some("{{ crate_name }}"));
        assert!(manifest.dependencies.len() > 5);
        assert!(
            manifest
                .dependencies
                .iter()
                .all(|d| d.requirement.is_some())
        );
    }
}
