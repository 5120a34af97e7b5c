//! The `rust-axum` target: a Rust 2024 project (one crate, a library and a binary) serving
//! the generated API (`docs/generated-api.md`) with axum, sqlx on ONE database (the option
//! `database`: `sqlite`, the default, or `postgres`), jsonwebtoken and serde.
//!
//! The project is typed code, one module per entity (`src/books/`: `model.rs`, `repo.rs`,
//! `handlers.rs`, `mod.rs` and the user-owned `hooks.rs`), written by [`resources`] from the
//! plan, beside a fixed shared core (`templates/src/*.rs`: errors, tokens, lists, validation,
//! configuration, the database) and a user-owned `src/custom_routes.rs`. The tests
//! (`tests/api/`) are written out per entity by [`tests_gen`] from [`crate::samples`].

mod layout;
mod lockfile;
mod names;
mod reserved;
mod resources;
mod tests_gen;

use serde::Serialize;
use specforge_spec::Model;

use self::reserved::TAKEN_CRATE_NAMES;
use self::resources::Database;
use super::Target;
use crate::error::{Error, Problem};
use crate::manifest::VERSION;
use crate::naming::{Case, Lang};
use crate::options::Options;
use crate::options::{OptionKind, OptionSpec};
use crate::passes::ddl::{Dialect, ddl};
use crate::passes::openapi_doc;
use crate::passes::text::toml_string;
use crate::plan::{Plan, clash_error};
use crate::render::{environment, render_into};
use crate::tree::FileTree;

/// The `rust-axum` target.
#[derive(Debug)]
pub struct RustAxum;

static OPTIONS: &[OptionSpec] = &[
    OptionSpec {
        name: "crate_name",
        description: "Name of the generated crate (package, library and binary); default: the \
                      specification's name in snake_case",
        default: None,
        kind: OptionKind::Identifier,
    },
    OptionSpec {
        name: "database",
        description: "The database the project runs on: `sqlite` or `postgres` (its pool, SQL, \
                      migrations and dependencies are for that one database)",
        default: Some("sqlite"),
        kind: OptionKind::Choice(&["sqlite", "postgres"]),
    },
];

/// The shared modules of `src/lib.rs`.
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
];

/// Files copied as they are.
static STATIC_FILES: &[(&str, &str)] = &[
    ("src/auth.rs", include_str!("templates/src/auth.rs")),
    ("src/error.rs", include_str!("templates/src/error.rs")),
    (
        "src/pagination.rs",
        include_str!("templates/src/pagination.rs"),
    ),
    ("src/state.rs", include_str!("templates/src/state.rs")),
    ("src/validate.rs", include_str!("templates/src/validate.rs")),
    ("src/wire.rs", include_str!("templates/src/wire.rs")),
    ("build.rs", include_str!("templates/build.rs")),
    (".gitignore", include_str!("templates/gitignore")),
];

/// Templates: `(name, source)`; the name is the output path.
static TEMPLATES: &[(&str, &str)] = &[
    ("Cargo.toml", include_str!("templates/Cargo.toml.jinja")),
    ("README.md", include_str!("templates/README.md.jinja")),
    ("Dockerfile", include_str!("templates/Dockerfile.jinja")),
    (
        ".github/workflows/ci.yml",
        include_str!("templates/ci.yml.jinja"),
    ),
    (
        "docker-compose.yml",
        include_str!("templates/docker-compose.yml.jinja"),
    ),
    ("src/main.rs", include_str!("templates/src/main.rs.jinja")),
    ("src/lib.rs", include_str!("templates/src/lib.rs.jinja")),
    (
        "src/config.rs",
        include_str!("templates/src/config.rs.jinja"),
    ),
];

impl Target for RustAxum {
    fn name(&self) -> &'static str {
        "rust-axum"
    }

    fn description(&self) -> &'static str {
        "A Rust service (axum, sqlx on SQLite or PostgreSQL, JWT roles) serving the API as typed \
         code per entity, with user-owned hooks, migrations, tests, OpenAPI document, Dockerfile \
         and CI"
    }

    fn language(&self) -> &'static str {
        "Rust"
    }

    fn framework(&self) -> Option<&'static str> {
        Some("axum")
    }

    fn options(&self) -> &'static [OptionSpec] {
        OPTIONS
    }

    fn generate(&self, model: &Model, options: &Options, out: &mut FileTree) -> Result<(), Error> {
        let plan = Plan::new(model)?;
        check_list_parameters(&plan)?;
        let crate_name = crate_name(model, options)?;
        let database = match options.get("database") {
            Some("postgres") => Database::Postgres,
            _ => Database::Sqlite,
        };
        let mut clashes = Vec::new();
        let names = names::names(&plan, &mut clashes);
        finish(clashes)?;
        let title = model.title.clone().unwrap_or_else(|| model.name.clone());
        let context = Context {
            crate_name: crate_name.clone(),
            version: VERSION,
            database: match database {
                Database::Sqlite => "sqlite",
                Database::Postgres => "postgres",
            },
            database_example: match database {
                Database::Sqlite => "sqlite:data.db",
                Database::Postgres => "postgres://app:secret@localhost:5432/app",
            },
            lib_doc: format!(
                "{}: the HTTP API generated by specforge.",
                title.replace(['\n', '\r'], " ")
            ),
            title,
            description_toml: toml_string(
                model
                    .description
                    .clone()
                    .or_else(|| model.title.clone())
                    .unwrap_or_else(|| model.name.clone())
                    .replace(['\n', '\r'], " ")
                    .trim(),
            ),
            readme: readme(&plan, &names),
            modules: names.entities.iter().map(|e| e.module.clone()).collect(),
            all_modules: {
                let mut all: Vec<String> = SHARED_MODULES
                    .iter()
                    .map(|m| (*m).to_owned())
                    .chain(names.entities.iter().map(|e| e.module.clone()))
                    .collect();
                layout::sort_names(&mut all);
                all
            },
        };
        for (path, text) in tests_gen::files(&plan, &crate_name, context.database)? {
            out.insert(path, text)?;
        }
        for (path, text) in STATIC_FILES {
            out.insert(*path, *text)?;
        }
        out.insert(
            "src/db.rs",
            match database {
                Database::Sqlite => include_str!("templates/src/db_sqlite.rs"),
                Database::Postgres => include_str!("templates/src/db_postgres.rs"),
            },
        )?;
        out.insert_user_owned(
            "src/custom_routes.rs",
            include_str!("templates/src/custom_routes.rs"),
        )?;
        for file in resources::files(&plan, &names, database) {
            if file.user_owned {
                out.insert_user_owned(file.path, file.text)?;
            } else {
                out.insert(file.path, file.text)?;
            }
        }
        let env = environment(TEMPLATES)?;
        let context = crate::render::context(&context);
        for (name, _) in TEMPLATES {
            render_into(&env, name, &context, out, *name)?;
        }
        lockfile::add_cargo_lock(out, options)?;
        out.insert(
            "migrations/0001_initial.sql",
            ddl(
                &plan,
                match database {
                    Database::Sqlite => Dialect::Sqlite,
                    Database::Postgres => Dialect::Postgres,
                },
            ),
        )?;
        let document = openapi_doc::document(&plan)?;
        out.insert("openapi.json", openapi_doc::to_pretty_json(&document))?;
        Ok(())
    }
}

/// What the templates see.
#[derive(Debug, Serialize)]
struct Context {
    crate_name: String,
    version: &'static str,
    database: &'static str,
    database_example: &'static str,
    lib_doc: String,
    title: String,
    description_toml: String,
    readme: Readme,
    modules: Vec<String>,
    /// Every module of `src/lib.rs`, sorted as rustfmt sorts them.
    all_modules: Vec<String>,
}

/// The README's text, escaped for Markdown.
#[derive(Debug, Serialize)]
struct Readme {
    title: String,
    description: Vec<String>,
    entities: Vec<ReadmeEntity>,
}

#[derive(Debug, Serialize)]
struct ReadmeEntity {
    name: String,
    collection: String,
    module: String,
    operations: String,
}

fn readme(plan: &Plan<'_>, names: &names::Names) -> Readme {
    let model = plan.model;
    Readme {
        title: markdown(model.title.as_deref().unwrap_or(&model.name)),
        description: model
            .description
            .as_deref()
            .unwrap_or_default()
            .lines()
            .map(markdown)
            .collect(),
        entities: plan
            .entities
            .iter()
            .zip(&names.entities)
            .map(|(e, n)| ReadmeEntity {
                name: markdown(e.name),
                collection: e.collection.clone(),
                module: n.module.clone(),
                operations: e
                    .entity
                    .operations
                    .iter()
                    .map(|op| op.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
            .collect(),
    }
}

/// Text with Markdown's special characters escaped, on one line.
pub(crate) fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '<' | '>' | '(' | ')' | '#' | '+'
            | '-' | '.' | '!' | '|' | '~' | '&' | '"' | '\'' | '$' | '%' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A Rust string literal holding `text` (quotes included).
pub(crate) fn rust_str(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control()
                || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}') =>
            {
                out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The crate's name: the option, or the specification's name in snake_case.
fn crate_name(model: &Model, options: &Options) -> Result<String, Error> {
    if let Some(name) = options.get("crate_name") {
        if Lang::Rust.is_reserved(name) || TAKEN_CRATE_NAMES.contains(&name) {
            return Err(Error::BadOption {
                key: "crate_name".to_owned(),
                reason: format!(
                    "`{name}` is a Rust keyword or the name of a crate the project uses"
                ),
            });
        }
        return Ok(name.to_owned());
    }
    let mut name = Lang::Rust.ident(&model.name, Case::Snake);
    if name.is_empty() {
        name = "app".to_owned();
    }
    if TAKEN_CRATE_NAMES.contains(&name.as_str()) {
        name.push('_');
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert_str(0, "app_");
    }
    Ok(name)
}

/// Filters must not take the names of the list's own parameters.
fn check_list_parameters(plan: &Plan<'_>) -> Result<(), Error> {
    let mut problems = Vec::new();
    for entity in &plan.entities {
        for filter in &entity.filters {
            if ["page", "page_size", "sort"].contains(&filter.wire.as_str()) {
                problems.push(Problem {
                    path: entity.pointer.clone(),
                    message: format!(
                        "the list filter `{}` has the name of a list parameter",
                        filter.wire
                    ),
                });
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Spec(problems))
    }
}

/// Claims `ident` for `pointer`, turning clashes into an error at the end.
pub(crate) fn finish(clashes: Vec<crate::naming::Clash>) -> Result<(), Error> {
    if clashes.is_empty() {
        Ok(())
    } else {
        Err(clash_error(clashes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(path: &str) -> Model {
        let bytes =
            std::fs::read(format!("{}/../../{path}", env!("CARGO_MANIFEST_DIR"))).expect("example");
        specforge_spec::analyze_bytes(&bytes, Some(path), None)
            .model
            .expect("a valid example")
    }

    #[test]
    fn string_literals_escape_what_rust_reads() {
        assert_eq!(rust_str("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
        assert_eq!(rust_str("é{{ }}"), "\"é{{ }}\"");
        assert_eq!(rust_str("\u{7}"), "\"\\u{7}\"");
    }

    #[test]
    fn markdown_is_escaped() {
        assert_eq!(markdown("a *b* `c`"), "a \\*b\\* \\`c\\`");
    }

    #[test]
    fn every_example_generates() {
        for example in [
            "examples/bookstore.yaml",
            "examples/bookstore.json",
            "examples/bookstore.md",
            "examples/bookstore.openapi.yaml",
            "examples/clinic.openapi.yaml",
            "examples/erp.yaml",
            "examples/hostile.yaml",
            "examples/library.md",
        ] {
            let model = model(example);
            let output = crate::generate(&model, "rust-axum", &[]).expect(example);
            assert!(output.tree.get("src/lib.rs").is_some());
            let again = crate::generate(&model, "rust-axum", &[]).expect(example);
            assert_eq!(
                output.digest(),
                again.digest(),
                "{example} is deterministic"
            );
        }
    }

    fn text(output: &crate::Output, path: &str) -> String {
        String::from_utf8_lossy(output.tree.get(path).unwrap_or_else(|| panic!("{path}")))
            .into_owned()
    }

    #[test]
    fn each_entity_is_a_typed_module_with_user_owned_hooks() {
        let model = model("examples/bookstore.yaml");
        let output = crate::generate(&model, "rust-axum", &[]).expect("bookstore");
        let book = text(&output, "src/books/model.rs");
        assert!(book.contains("pub struct Book {"));
        assert!(book.contains("pub price: Option<Decimal>,"));
        assert!(book.contains("pub struct BookInput {"));
        assert!(text(&output, "src/books/repo.rs").contains(r#"FROM "books" WHERE "id" = ?"#));
        assert!(output.tree.is_user_owned("src/books/hooks.rs"));
        assert!(output.tree.is_user_owned("src/custom_routes.rs"));
        assert!(!output.tree.is_user_owned("src/books/model.rs"));
        let hooks = text(&output, "src/books/hooks.rs");
        assert!(hooks.contains("/// Before the `Book` with `id` is replaced"));
        assert!(text(&output, "src/books/handlers.rs").contains("hooks::before_update("));
        assert!(output.tree.get("migrations/0001_initial.sql").is_some());
        assert!(output.tree.get("src/entities.rs").is_none());
    }

    #[test]
    fn the_database_option_picks_one_database() {
        let model = model("examples/bookstore.yaml");
        let sqlite = crate::generate(&model, "rust-axum", &[]).expect("sqlite");
        let postgres = crate::generate(
            &model,
            "rust-axum",
            &[("database".to_owned(), "postgres".to_owned())],
        )
        .expect("postgres");
        let cargo = text(&sqlite, "Cargo.toml");
        assert!(cargo.contains("\"sqlite\"") && !cargo.contains("\"postgres\""));
        let cargo = text(&postgres, "Cargo.toml");
        assert!(cargo.contains("\"postgres\"") && !cargo.contains("\"sqlite\""));
        assert!(text(&sqlite, "src/db.rs").contains("pub type Pool = sqlx::SqlitePool;"));
        assert!(text(&postgres, "src/db.rs").contains("pub type Pool = sqlx::PgPool;"));
        assert!(text(&postgres, "src/books/repo.rs").contains(r#"WHERE "id" = $1"#));
        assert!(text(&postgres, "migrations/0001_initial.sql").contains("UUID"));
        assert!(text(&sqlite, "docker-compose.yml").contains("sqlite:"));
        assert!(text(&postgres, "docker-compose.yml").contains("postgres:17"));
        let refused = crate::generate(
            &model,
            "rust-axum",
            &[("database".to_owned(), "mysql".to_owned())],
        );
        assert!(refused.is_err());
    }

    #[test]
    fn crate_names_avoid_keywords() {
        let model = model("examples/hostile.yaml");
        let output = crate::generate(&model, "rust-axum", &[]).expect("hostile");
        let cargo = String::from_utf8_lossy(output.tree.get("Cargo.toml").expect("Cargo.toml"))
            .into_owned();
        assert!(cargo.contains("name = \"class\""));
        let refused = crate::generate(
            &model,
            "rust-axum",
            &[("crate_name".to_owned(), "type".to_owned())],
        );
        assert!(matches!(refused, Err(Error::BadOption { .. })));
    }
}
