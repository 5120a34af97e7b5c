//! The import block of a generated module, computed from the names its text uses (ruff refuses
//! unused imports and wants them sorted as isort sorts them).
//!
//! A template writes the line `#imports` where the block goes; [`resolve`] scans the rest of
//! the text (outside string literals and comments, and not after a `.`) for the names of
//! [`KNOWN`] and of the module's own local names, and writes the `import` lines: the standard
//! library, third-party packages, then the package's own modules, each group sorted the way
//! `ruff check --select I` keeps it.

use std::collections::{BTreeMap, BTreeSet};

/// Where a name comes from: the module, and whether it is the module itself (`import uuid`,
/// `import sqlalchemy as sa`).
#[derive(Clone, Copy)]
enum From {
    Std(&'static str),
    Third(&'static str),
    StdModule(&'static str),
    ThirdModule(&'static str),
}

/// Names the generated modules take from Python and the packages they depend on.
const KNOWN: &[(&str, From)] = &[
    ("uuid", From::StdModule("import uuid")),
    ("UTC", From::Std("datetime")),
    ("date", From::Std("datetime")),
    ("datetime", From::Std("datetime")),
    ("Decimal", From::Std("decimal")),
    ("StrEnum", From::Std("enum")),
    ("TYPE_CHECKING", From::Std("typing")),
    ("Annotated", From::Std("typing")),
    ("Any", From::Std("typing")),
    ("sa", From::ThirdModule("import sqlalchemy as sa")),
    ("op", From::Third("alembic")),
    ("APIRouter", From::Third("fastapi")),
    ("Depends", From::Third("fastapi")),
    ("Query", From::Third("fastapi")),
    ("Response", From::Third("fastapi")),
    ("BaseModel", From::Third("pydantic")),
    ("ConfigDict", From::Third("pydantic")),
    ("Field", From::Third("pydantic")),
    ("AwareDatetime", From::Third("pydantic")),
    ("IntegrityError", From::Third("sqlalchemy.exc")),
    ("conv", From::Third("sqlalchemy.sql.elements")),
    ("Mapped", From::Third("sqlalchemy.orm")),
    ("Session", From::Third("sqlalchemy.orm")),
    ("mapped_column", From::Third("sqlalchemy.orm")),
    ("relationship", From::Third("sqlalchemy.orm")),
];

/// Replaces the line `#imports` of `text` with the imports of the names the text uses, `local`
/// giving the package's own names: `(name, module)` such as `("Book", ".models.book")` or
/// `("errors", "..")` (a module imported from its parent package).
pub(super) fn resolve(text: &str, local: &[(String, String)]) -> String {
    let Some(at) = text.find("#imports\n") else {
        return text.to_owned();
    };
    let used = names(&text[at + "#imports\n".len()..]);
    let mut std_modules = BTreeSet::new();
    let mut third_modules = BTreeSet::new();
    let mut std_from: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut third_from: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (name, from) in KNOWN {
        if !used.contains(name) {
            continue;
        }
        match from {
            From::Std(m) => std_from.entry(m).or_default().push(name),
            From::Third(m) => third_from.entry(m).or_default().push(name),
            From::StdModule(line) => {
                std_modules.insert(*line);
            }
            From::ThirdModule(line) => {
                third_modules.insert(*line);
            }
        }
    }
    let mut local_from: BTreeMap<(usize, &str), Vec<&str>> = BTreeMap::new();
    for (name, module) in local {
        let token = name.rsplit(" as ").next().unwrap_or(name);
        if used.contains(token) {
            // Furthest first: `..` before `.`.
            let dots = module.chars().take_while(|&c| c == '.').count();
            local_from
                .entry((usize::MAX - dots, module.as_str()))
                .or_default()
                .push(name.as_str());
        }
    }
    let mut groups: Vec<Vec<String>> = Vec::new();
    let mut group = |modules: &BTreeSet<&str>, froms: &BTreeMap<&str, Vec<&str>>| {
        let mut lines: Vec<String> = modules.iter().map(|l| (*l).to_owned()).collect();
        lines.extend(froms.iter().map(|(m, names)| from_line(m, names)));
        if !lines.is_empty() {
            groups.push(lines);
        }
    };
    group(&std_modules, &std_from);
    group(&third_modules, &third_from);
    let locals: Vec<String> = local_from
        .iter()
        .map(|((_, m), names)| from_line(m, names))
        .collect();
    if !locals.is_empty() {
        groups.push(locals);
    }
    let block = groups
        .iter()
        .map(|g| g.join("\n"))
        .collect::<Vec<_>>()
        .join("\n\n");
    let mut out = String::with_capacity(text.len() + block.len());
    out.push_str(&text[..at]);
    out.push_str(&block);
    if !block.is_empty() {
        out.push('\n');
    }
    out.push_str(&text[at + "#imports\n".len()..]);
    out
}

/// `from module import a, b`, names in isort's order (constants, classes, then the rest),
/// exploded one per line when longer than 100 characters.
fn from_line(module: &str, names: &[&str]) -> String {
    let mut sorted: Vec<&str> = names.to_vec();
    sorted.sort_by_key(|n| {
        let rank = if n.len() > 1 && n.chars().all(|c| !c.is_ascii_lowercase()) {
            0
        } else if n.starts_with(|c: char| c.is_ascii_uppercase()) {
            1
        } else {
            2
        };
        (rank, n.to_string())
    });
    sorted.dedup();
    let line = format!("from {module} import {}", sorted.join(", "));
    if line.len() <= 100 {
        return line;
    }
    let mut out = format!("from {module} import (\n");
    for n in sorted {
        out.push_str("    ");
        out.push_str(n);
        out.push_str(",\n");
    }
    out.push(')');
    out
}

/// The names a text of Python uses: identifiers outside string literals and comments, not
/// after a `.`.
fn names(text: &str) -> BTreeSet<&str> {
    let bytes = text.as_bytes();
    let mut out = BTreeSet::new();
    let mut i = 0;
    let mut after_dot = false;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'#' {
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
        } else if c == b'"' || c == b'\'' {
            let triple = bytes[i..].starts_with(&[c, c, c]);
            i += if triple { 3 } else { 1 };
            while i < bytes.len() {
                if bytes[i] == b'\\' {
                    i += 2;
                    continue;
                }
                if triple {
                    if bytes[i..].starts_with(&[c, c, c]) {
                        i += 3;
                        break;
                    }
                } else if bytes[i] == c || bytes[i] == b'\n' {
                    i += 1;
                    break;
                }
                i += 1;
            }
            after_dot = false;
            continue;
        } else if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            if !after_dot {
                out.insert(&text[start..i]);
            }
            after_dot = false;
            continue;
        } else if c.is_ascii_digit() {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            continue;
        } else if !c.is_ascii_whitespace() {
            after_dot = c == b'.';
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imports_are_the_names_used_outside_strings() {
        let text = "\"\"\"Doc: Decimal.\"\"\"\n\n#imports\n\n\nx: uuid.UUID = sa.select(Book)  # Any\ny = \"Annotated\"\nz = obj.Field\n";
        let local = [("Book".to_owned(), ".models.book".to_owned())];
        let out = resolve(text, &local);
        assert!(
            out.contains(
                "import uuid\n\nimport sqlalchemy as sa\n\nfrom .models.book import Book\n"
            ),
            "{out}"
        );
        assert!(!out.contains("from decimal") && !out.contains("from typing"));
        assert!(!out.contains("from pydantic"));
    }

    #[test]
    fn names_are_sorted_as_isort_sorts_them() {
        assert_eq!(
            from_line("typing", &["Any", "TYPE_CHECKING", "cast"]),
            "from typing import TYPE_CHECKING, Any, cast"
        );
    }
}
