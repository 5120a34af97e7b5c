//! Naming: how a name from a specification becomes an identifier of each target language.
//!
//! Every name the spec crate accepts (letters of any script, digits, `_`, `-`, spaces, starting
//! with a letter) maps to an ASCII identifier here:
//!
//! 1. The name splits into lowercase words ([`specforge_spec::names::words`]).
//! 2. Characters outside ASCII letters and digits become `u` and their hexadecimal code point,
//!    as a word of their own (`prénom` gives `pr`, `u00e9`, `nom`).
//! 3. The words are joined in the case the language wants ([`Case`]).
//! 4. A result the language reserves (a keyword, a builtin the generated code relies on, or a
//!    name beginning with the helper prefix) gets a trailing `_`.
//!
//! User names never end with `_` once split into words, and helper identifiers of generated code
//! begin with [`HELPER_PREFIX`] (or [`HELPER_TYPE_PREFIX`] for types) and never end with `_`, so
//! neither can meet the other. What can still meet is two user names (or a user name and a name
//! derived from another, such as `BookCreate`): targets claim every identifier in a
//! [`Namespace`], which reports the clash before anything is written.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use specforge_spec::names;

/// Prefix of helper identifiers (functions, variables, modules, tables) in generated code.
pub const HELPER_PREFIX: &str = "sf_";
/// Prefix of helper type names in generated code.
pub const HELPER_TYPE_PREFIX: &str = "Sf";

/// The words of a name, lowercase ASCII (see the module documentation).
pub fn ascii_words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for word in names::words(name) {
        let mut current = String::new();
        for c in word.chars() {
            if c.is_ascii_alphanumeric() {
                current.push(c.to_ascii_lowercase());
            } else {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
                let mut escaped = String::with_capacity(7);
                let _ = write!(escaped, "u{:04x}", u32::from(c));
                out.push(escaped);
            }
        }
        if !current.is_empty() {
            out.push(current);
        }
    }
    out
}

/// How words are joined.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Case {
    /// `book_status`
    Snake,
    /// `BOOK_STATUS`
    ScreamingSnake,
    /// `bookStatus`
    Camel,
    /// `BookStatus`
    Pascal,
    /// `book-status`
    Kebab,
}

/// Joins words in a case.
pub fn join(words: &[String], case: Case) -> String {
    let mut out = String::new();
    for (i, word) in words.iter().enumerate() {
        match case {
            Case::Snake | Case::ScreamingSnake | Case::Kebab if i > 0 => {
                out.push(if case == Case::Kebab { '-' } else { '_' });
            }
            // A word that starts with a digit after one that ends with one would fuse
            // (`v1`, `2` → `V12`); keep them apart.
            Case::Camel | Case::Pascal
                if i > 0
                    && word.starts_with(|c: char| c.is_ascii_digit())
                    && out.ends_with(|c: char| c.is_ascii_digit()) =>
            {
                out.push('_');
            }
            _ => {}
        }
        match case {
            Case::Snake | Case::Kebab => out.push_str(word),
            Case::ScreamingSnake => out.push_str(&word.to_ascii_uppercase()),
            Case::Camel if i == 0 => out.push_str(word),
            Case::Camel | Case::Pascal => {
                let mut chars = word.chars();
                if let Some(first) = chars.next() {
                    out.push(first.to_ascii_uppercase());
                    out.push_str(chars.as_str());
                }
            }
        }
    }
    out
}

/// A name in a case, without any language's escaping.
pub fn case(name: &str, case: Case) -> String {
    join(&ascii_words(name), case)
}

/// The plural of a name in a case (the last word is made plural).
pub fn plural(name: &str, case: Case) -> String {
    let mut words = ascii_words(name);
    if let Some(last) = words.last_mut() {
        *last = names::plural(last);
    }
    join(&words, case)
}

/// A target language, with the identifiers it reserves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    /// Python 3.11+ with FastAPI, Pydantic 2 and SQLAlchemy 2.
    Python,
    /// Rust 2024 with serde and sqlx.
    Rust,
    /// SQL as PostgreSQL and SQLite read it (identifiers are always quoted as well).
    Sql,
    /// TypeScript.
    TypeScript,
}

impl Lang {
    /// Whether `ident` may not be used as it is for a user name.
    pub fn is_reserved(self, ident: &str) -> bool {
        let lower = ident.to_ascii_lowercase();
        // Helper identifiers never end with `_`, so an escaped name is free. The Python code
        // has no `sf_` helpers: there only the names it uses are reserved.
        let helper_shaped = !ident.ends_with('_');
        let helpers = self != Lang::Python;
        if helpers && helper_shaped && (lower == "sf" || lower.starts_with(HELPER_PREFIX)) {
            return true;
        }
        if helpers
            && helper_shaped
            && ident.starts_with(HELPER_TYPE_PREFIX)
            && ident[HELPER_TYPE_PREFIX.len()..].starts_with(|c: char| c.is_ascii_uppercase())
        {
            return true;
        }
        // Leading digits cannot happen (names start with a letter) but an escaped first
        // character can leave `u00e9…`, which is fine in every language.
        match self {
            Lang::Python => {
                PYTHON_RESERVED.binary_search(&ident).is_ok()
                    || (helper_shaped && (ident.starts_with("model_") || ident.starts_with("__")))
            }
            Lang::Rust => RUST_RESERVED.binary_search(&ident).is_ok(),
            Lang::Sql => SQL_RESERVED.binary_search(&lower.as_str()).is_ok(),
            Lang::TypeScript => TYPESCRIPT_RESERVED.binary_search(&ident).is_ok(),
        }
    }

    /// A user name as an identifier of this language in a case, escaped when reserved.
    pub fn ident(self, name: &str, case: Case) -> String {
        self.escape(join(&ascii_words(name), case))
    }

    /// `ident`, or `ident_` when the language reserves it.
    pub fn escape(self, ident: String) -> String {
        if self.is_reserved(&ident) {
            ident + "_"
        } else {
            ident
        }
    }
}

/// Python keywords, soft keywords, builtins and names with a meaning to Pydantic, SQLAlchemy
/// or the generated modules (sorted).
const PYTHON_RESERVED: &[&str] = &[
    "False", "None", "True", "and", "any", "as", "assert", "async", "await", "bool", "break",
    "bytes", "case", "class", "cls", "continue", "date", "datetime", "def", "del", "dict", "elif",
    "else", "except", "finally", "float", "for", "from", "global", "id", "if", "import", "in",
    "int", "is", "lambda", "len", "list", "match", "metadata", "nonlocal", "not", "object", "or",
    "pass", "print", "query", "raise", "registry", "return", "self", "set", "str", "super", "try",
    "tuple", "type", "uuid", "while", "with", "yield",
];

/// Rust keywords (strict, reserved and weak), prelude names and the crates generated code uses
/// (sorted).
const RUST_RESERVED: &[&str] = &[
    "Box",
    "Err",
    "None",
    "Ok",
    "Option",
    "Result",
    "Self",
    "Some",
    "String",
    "Vec",
    "abstract",
    "as",
    "async",
    "await",
    "axum",
    "become",
    "box",
    "break",
    "const",
    "continue",
    "core",
    "crate",
    "do",
    "dyn",
    "else",
    "enum",
    "extern",
    "false",
    "final",
    "fn",
    "for",
    "gen",
    "if",
    "impl",
    "in",
    "let",
    "loop",
    "macro",
    "macro_rules",
    "match",
    "mod",
    "move",
    "mut",
    "override",
    "priv",
    "pub",
    "raw",
    "ref",
    "return",
    "safe",
    "self",
    "serde",
    "sqlx",
    "static",
    "std",
    "struct",
    "super",
    "tokio",
    "trait",
    "true",
    "try",
    "type",
    "typeof",
    "union",
    "unsafe",
    "unsized",
    "use",
    "uuid",
    "virtual",
    "where",
    "while",
    "yield",
];

/// Words that PostgreSQL or SQLite reserve (lowercase, sorted). Generated SQL quotes every
/// identifier anyway; avoiding these keeps hand-written queries against the schema easy.
const SQL_RESERVED: &[&str] = &[
    "abort",
    "action",
    "add",
    "after",
    "all",
    "alter",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "attach",
    "authorization",
    "autoincrement",
    "before",
    "begin",
    "between",
    "binary",
    "both",
    "by",
    "cascade",
    "case",
    "cast",
    "check",
    "collate",
    "collation",
    "column",
    "commit",
    "concurrently",
    "conflict",
    "constraint",
    "create",
    "cross",
    "current",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "database",
    "default",
    "deferrable",
    "deferred",
    "delete",
    "desc",
    "detach",
    "distinct",
    "do",
    "drop",
    "each",
    "else",
    "end",
    "escape",
    "except",
    "exclusive",
    "exists",
    "explain",
    "fail",
    "false",
    "fetch",
    "filter",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "glob",
    "grant",
    "group",
    "having",
    "if",
    "ilike",
    "immediate",
    "in",
    "index",
    "indexed",
    "initially",
    "inner",
    "insert",
    "instead",
    "intersect",
    "into",
    "is",
    "isnull",
    "join",
    "key",
    "lateral",
    "leading",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "match",
    "natural",
    "no",
    "not",
    "nothing",
    "notnull",
    "null",
    "of",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "outer",
    "over",
    "overlaps",
    "placing",
    "plan",
    "pragma",
    "primary",
    "query",
    "raise",
    "recursive",
    "references",
    "regexp",
    "reindex",
    "release",
    "rename",
    "replace",
    "restrict",
    "returning",
    "right",
    "rollback",
    "row",
    "rows",
    "savepoint",
    "select",
    "session_user",
    "set",
    "similar",
    "some",
    "symmetric",
    "system_user",
    "table",
    "tablesample",
    "temp",
    "temporary",
    "then",
    "to",
    "trailing",
    "transaction",
    "trigger",
    "true",
    "union",
    "unique",
    "update",
    "user",
    "using",
    "vacuum",
    "values",
    "variadic",
    "verbose",
    "view",
    "virtual",
    "when",
    "where",
    "window",
    "with",
    "without",
];

/// TypeScript and JavaScript reserved words and global names generated code uses (sorted).
const TYPESCRIPT_RESERVED: &[&str] = &[
    "Array",
    "Date",
    "Error",
    "JSON",
    "Map",
    "Number",
    "Object",
    "Promise",
    "Set",
    "String",
    "any",
    "arguments",
    "as",
    "async",
    "await",
    "boolean",
    "break",
    "case",
    "catch",
    "class",
    "const",
    "constructor",
    "continue",
    "debugger",
    "declare",
    "default",
    "delete",
    "do",
    "else",
    "enum",
    "eval",
    "export",
    "extends",
    "false",
    "finally",
    "for",
    "from",
    "function",
    "get",
    "if",
    "implements",
    "import",
    "in",
    "infer",
    "instanceof",
    "interface",
    "is",
    "keyof",
    "let",
    "module",
    "namespace",
    "never",
    "new",
    "null",
    "number",
    "object",
    "of",
    "package",
    "private",
    "protected",
    "public",
    "readonly",
    "require",
    "return",
    "satisfies",
    "set",
    "static",
    "string",
    "super",
    "switch",
    "symbol",
    "this",
    "throw",
    "true",
    "try",
    "type",
    "typeof",
    "undefined",
    "unique",
    "unknown",
    "var",
    "void",
    "while",
    "with",
    "yield",
];

/// Two names of a specification that would become the same identifier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Clash {
    /// What kind of identifier (`Python class`, `SQL table`, …).
    pub namespace: String,
    /// The identifier both would become.
    pub ident: String,
    /// JSON Pointer of the name that claimed it first.
    pub first: String,
    /// JSON Pointer of the name that clashed.
    pub second: String,
}

impl std::fmt::Display for Clash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} and {} both become the {} `{}`",
            describe(&self.second),
            describe(&self.first),
            self.namespace,
            self.ident
        )
    }
}

/// `the name at /entities/Book/fields/title` for a pointer, or the helper's name.
fn describe(pointer: &str) -> String {
    if pointer.starts_with('/') {
        format!("`{pointer}`")
    } else {
        pointer.to_owned()
    }
}

/// The identifiers of one scope of generated code, each with the spec name that claimed it.
/// Clashes are compared case-insensitively, since file systems and SQL often are.
#[derive(Clone, Debug)]
pub struct Namespace {
    what: String,
    claimed: BTreeMap<String, (String, String)>,
}

impl Namespace {
    /// An empty scope described as `what` in messages (`Python module`, `SQL table`).
    pub fn new(what: impl Into<String>) -> Self {
        Namespace {
            what: what.into(),
            claimed: BTreeMap::new(),
        }
    }

    /// Claims `ident` for the name at `pointer` (a JSON Pointer into the specification, or a
    /// description such as `generated code` for fixed names). A clash goes to `clashes`.
    pub fn claim(&mut self, ident: &str, pointer: &str, clashes: &mut Vec<Clash>) {
        let key = ident.to_lowercase();
        match self.claimed.get(&key) {
            Some((first, _)) if first != pointer => clashes.push(Clash {
                namespace: self.what.clone(),
                ident: ident.to_owned(),
                first: first.clone(),
                second: pointer.to_owned(),
            }),
            Some(_) => {}
            None => {
                self.claimed
                    .insert(key, (pointer.to_owned(), ident.to_owned()));
            }
        }
    }

    /// Claims `ident` for `pointer` when it is free, else the first of `ident_2`, `ident_3`, …
    /// that is (for names the generated code makes up, such as test names, where a clash
    /// needs no error, even for the same `pointer`); the identifier claimed.
    pub fn fresh(&mut self, ident: &str, pointer: &str) -> String {
        let mut candidate = ident.to_owned();
        let mut n = 1;
        loop {
            match self.claimed.get(&candidate.to_lowercase()) {
                Some(_) => {
                    n += 1;
                    let sep = if ident.ends_with('_') { "" } else { "_" };
                    candidate = format!("{ident}{sep}{n}");
                }
                None => {
                    self.claimed.insert(
                        candidate.to_lowercase(),
                        (pointer.to_owned(), candidate.clone()),
                    );
                    return candidate;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_lists_are_sorted_for_binary_search() {
        for list in [
            PYTHON_RESERVED,
            RUST_RESERVED,
            SQL_RESERVED,
            TYPESCRIPT_RESERVED,
        ] {
            assert!(list.windows(2).all(|w| w[0] < w[1]), "{:?}", list);
        }
    }

    #[test]
    fn names_take_each_case() {
        assert_eq!(case("BookStatus", Case::Snake), "book_status");
        assert_eq!(case("book status", Case::Pascal), "BookStatus");
        assert_eq!(case("book_status", Case::Camel), "bookStatus");
        assert_eq!(case("BookStatus", Case::Kebab), "book-status");
        assert_eq!(case("BookStatus", Case::ScreamingSnake), "BOOK_STATUS");
        assert_eq!(plural("BookStatus", Case::Kebab), "book-statuses");
        assert_eq!(plural("Category", Case::Snake), "categories");
    }

    #[test]
    fn letters_outside_ascii_become_code_points() {
        assert_eq!(case("prénom", Case::Snake), "pr_u00e9_nom");
        assert_eq!(case("Größe", Case::Pascal), "GrU00f6U00dfE");
        assert_eq!(case("名前", Case::Snake), "u540d_u524d");
    }

    #[test]
    fn digits_stay_apart_in_camel_case() {
        assert_eq!(case("v1 2", Case::Pascal), "V1_2");
        assert_eq!(case("v1 x2", Case::Pascal), "V1X2");
    }

    #[test]
    fn reserved_words_get_a_trailing_underscore() {
        assert_eq!(Lang::Python.ident("class", Case::Snake), "class_");
        assert_eq!(
            Lang::Python.ident("model config", Case::Snake),
            "model_config_"
        );
        assert_eq!(Lang::Rust.ident("type", Case::Snake), "type_");
        assert_eq!(Lang::Rust.ident("Self", Case::Pascal), "Self_");
        assert_eq!(Lang::Rust.ident("self", Case::Snake), "self_");
        assert_eq!(Lang::Sql.ident("Order", Case::Snake), "order_");
        assert_eq!(Lang::TypeScript.ident("delete", Case::Camel), "delete_");
        assert_eq!(Lang::Rust.ident("sf page", Case::Snake), "sf_page_");
        assert_eq!(Lang::Python.ident("sf page", Case::Snake), "sf_page");
        assert_eq!(Lang::Rust.ident("sf page", Case::Pascal), "SfPage_");
        assert_eq!(Lang::Rust.ident("sfx", Case::Pascal), "Sfx");
        assert_eq!(Lang::Python.ident("title", Case::Snake), "title");
    }

    #[test]
    fn a_fresh_name_gets_a_number_when_taken() {
        let mut ns = Namespace::new("Rust function");
        assert_eq!(ns.fresh("title_is_required", "/a"), "title_is_required");
        assert_eq!(ns.fresh("Title_is_required", "/b"), "Title_is_required_2");
        assert_eq!(ns.fresh("type_", "/c"), "type_");
        assert_eq!(ns.fresh("type_", "/d"), "type_2");
    }

    #[test]
    fn a_namespace_reports_two_names_that_meet() {
        let mut ns = Namespace::new("Python class");
        let mut clashes = Vec::new();
        ns.claim("BookCreate", "/entities/Book", &mut clashes);
        ns.claim("Author", "/entities/Author", &mut clashes);
        assert!(clashes.is_empty());
        ns.claim("bookcreate", "/entities/Book Create", &mut clashes);
        assert_eq!(clashes.len(), 1);
        assert_eq!(
            clashes[0].to_string(),
            "`/entities/Book Create` and `/entities/Book` both become the Python class `bookcreate`"
        );
    }
}
