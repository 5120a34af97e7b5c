//! The Rust names of the generated project: modules, types, fields and enum variants, made
//! from the specification's names and escaped (a trailing `_`) only where they would meet a
//! keyword, a name of the prelude or a name the generated code itself uses.

use crate::naming::{Case, Clash, Lang, Namespace, ascii_words, join};
use crate::plan::Plan;

/// Module names of the shared code (`src/<name>.rs`), which a resource module may not take.
const SHARED_MODULES: &[&str] = &[
    "auth",
    "config",
    "custom_routes",
    "db",
    "enums",
    "error",
    "pagination",
    "state",
    "validate",
    "wire",
    "routes",
    "app",
    "app_with",
    "live",
    "ready",
    "openapi",
    "json_text",
    "tests",
];

/// Type names a user type may not take: the prelude, and what generated modules import.
const TAKEN_TYPES: &[&str] = &[
    "AppError",
    "AppState",
    "Box",
    "Bytes",
    "Caller",
    "Check",
    "Clone",
    "Column",
    "Config",
    "Copy",
    "Date",
    "Db",
    "Decimal",
    "Default",
    "Err",
    "FieldError",
    "FromRow",
    "Json",
    "LazyLock",
    "ListParams",
    "Map",
    "None",
    "OffsetDateTime",
    "Ok",
    "Option",
    "Page",
    "PageRequest",
    "Path",
    "QueryBuilder",
    "RawQuery",
    "Regex",
    "Result",
    "Router",
    "Row",
    "Self",
    "Serialize",
    "Some",
    "Sort",
    "State",
    "StatusCode",
    "String",
    "Tx",
    "Uuid",
    "Value",
    "Vec",
];

/// Field identifiers the generated functions use as locals or parameters.
const TAKEN_FIELDS: &[&str] = &["body", "check", "row", "self"];

/// `ident`, with `_` appended when `taken` holds it.
fn escape(ident: String, taken: &[&str]) -> String {
    if taken.contains(&ident.as_str()) {
        ident + "_"
    } else {
        ident
    }
}

/// An identifier that starts with a letter (`1st` becomes `n1st`, `N1st` in a type case).
fn lettered(ident: String, case: Case) -> String {
    if ident.is_empty() {
        return match case {
            Case::Pascal => "Empty".to_owned(),
            _ => "empty".to_owned(),
        };
    }
    if ident.starts_with(|c: char| c.is_ascii_digit()) {
        let prefix = if case == Case::Pascal { "N" } else { "n" };
        return format!("{prefix}{ident}");
    }
    ident
}

/// A type name (`Book`, `BookStatus`).
pub(super) fn type_name(name: &str) -> String {
    let ident = lettered(join(&ascii_words(name), Case::Pascal), Case::Pascal);
    escape(Lang::Rust.escape(ident), TAKEN_TYPES)
}

/// An enum variant (`Draft`, `OutOfPrint`).
pub(super) fn variant(value: &str) -> String {
    let ident = lettered(join(&ascii_words(value), Case::Pascal), Case::Pascal);
    Lang::Rust.escape(ident)
}

/// A field of a struct (`published_at`, `type_`).
pub(super) fn field(wire: &str) -> String {
    let ident = lettered(join(&ascii_words(wire), Case::Snake), Case::Snake);
    escape(Lang::Rust.escape(ident), TAKEN_FIELDS)
}

/// A constant (`ISBN_PATTERN`).
pub(super) fn constant(name: &str) -> String {
    let ident = lettered(join(&ascii_words(name), Case::ScreamingSnake), Case::Snake);
    Lang::Rust.escape(ident)
}

/// The Rust names of one entity.
#[derive(Clone, Debug)]
pub(super) struct EntityNames {
    /// The module (`books`).
    pub module: String,
    /// The row and resource type (`Book`).
    pub ty: String,
    /// The request body (`BookInput`).
    pub input: String,
    /// The list parameters (`BookListQuery`).
    pub query: String,
    /// The list filters (`BookFilters`).
    pub filters: String,
    /// What the list sorts by (`BookSort`).
    pub sort: String,
    /// The singular in prose (`book`).
    pub singular: String,
    /// The plural in prose (`books`).
    pub plural: String,
}

/// Names of every enum and entity, claimed so that two names that meet stop the generation.
#[derive(Debug)]
pub(super) struct Names {
    pub enums: Vec<String>,
    pub entities: Vec<EntityNames>,
}

pub(super) fn names(plan: &Plan<'_>, clashes: &mut Vec<Clash>) -> Names {
    let mut types = Namespace::new("Rust type");
    let mut modules = Namespace::new("Rust module");
    for shared in SHARED_MODULES {
        modules.claim(shared, "(generated code)", clashes);
    }
    let enums = plan
        .enums
        .iter()
        .map(|e| {
            let ident = type_name(e.name);
            types.claim(&ident, &e.pointer, clashes);
            ident
        })
        .collect();
    let entities = plan
        .entities
        .iter()
        .map(|e| {
            let ty = type_name(e.name);
            let words = ascii_words(&e.collection);
            let mut module = lettered(join(&words, Case::Snake), Case::Snake);
            if SHARED_MODULES.contains(&module.as_str()) {
                module.push('_');
            }
            let module = Lang::Rust.escape(module);
            modules.claim(&module, &e.pointer, clashes);
            let base = ty.trim_end_matches('_');
            let names = EntityNames {
                input: format!("{base}Input"),
                query: format!("{base}ListQuery"),
                filters: format!("{base}Filters"),
                sort: format!("{base}Sort"),
                singular: join(&ascii_words(e.name), Case::Snake).replace('_', " "),
                plural: words.join(" "),
                module,
                ty,
            };
            for ident in [
                &names.ty,
                &names.input,
                &names.query,
                &names.filters,
                &names.sort,
            ] {
                types.claim(ident, &e.pointer, clashes);
            }
            names
        })
        .collect();
    Names { enums, entities }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_escape_only_what_collides() {
        assert_eq!(type_name("Book"), "Book");
        assert_eq!(type_name("Option"), "Option_");
        assert_eq!(type_name("Self"), "Self_");
        assert_eq!(variant("out_of_print"), "OutOfPrint");
        assert_eq!(variant("1st"), "N1st");
        assert_eq!(variant("self"), "Self_");
        assert_eq!(field("type"), "type_");
        assert_eq!(field("published_at"), "published_at");
        assert_eq!(field("check"), "check_");
        assert_eq!(constant("isbn pattern"), "ISBN_PATTERN");
    }
}
