//! The tests of a generated project, written out as plain Rust a maintainer can copy from:
//! `tests/api/main.rs` (one test binary), `tests/api/support.rs` (`TestApp`: the application
//! on a fresh database, tokens, requests, a factory per entity) and one module per entity with
//! named tests, each checking one behaviour of `docs/generated-api.md` with the sample values
//! of [`crate::samples`].
//!
//! The tests of an entity are made by concern: [`crud`] (create, read, update, delete,
//! defaults), [`rules`] (validation, unique values, references, `on_delete`), [`lists`]
//! (pages, sorts, filters) and [`access`] (tokens and roles).

mod access;
mod crud;
mod lists;
mod rules;
mod support;
mod write;

use serde_json::Value;
use specforge_spec::model::{FieldType, Operation};

use super::finish;
use crate::error::Error;
use crate::naming::{Case, Lang, Namespace};
use crate::plan::{EntityPlan, FieldPlan, Plan};
use crate::samples;

use self::write::Body;

/// The entity a test module is about, with the names the tests use for it.
struct Subject<'p> {
    pub entity: &'p EntityPlan<'p>,
    /// The module (`books`), also the file name.
    pub module: String,
    /// `/api/books`.
    pub path: String,
    /// The factory creating a row (`create_book`), and the one making a body (`book_body`).
    pub create_fn: String,
    pub body_fn: String,
    /// Whether tests can create rows (see [`Plan::creatable`]).
    pub creatable: bool,
    /// How many samples the factory has.
    pub samples: usize,
}

impl Subject<'_> {
    pub fn has(&self, op: Operation) -> bool {
        self.entity.entity.operations.contains(&op)
    }

    pub fn writable(&self) -> impl Iterator<Item = &FieldPlan<'_>> {
        self.entity.fields.iter().filter(|f| f.writable)
    }
}

/// What the tests of a project are made from.
struct Suite<'p> {
    pub plan: &'p Plan<'p>,
    pub subjects: Vec<Subject<'p>>,
}

impl<'p> Suite<'p> {
    /// The `n`-th sample of a field, as the request sends it.
    pub fn sample(&self, field: &FieldPlan<'_>, n: usize) -> Value {
        samples::valid(self.plan.model, field.field, n)
    }

    /// The properties of a body of `subject` with its `n`-th sample values, and the
    /// references as `refs` gives them (`None`: left as the body has them).
    pub fn body(&self, subject: &Subject<'_>, n: usize) -> Vec<(String, String)> {
        subject
            .writable()
            .map(|f| (f.wire.clone(), write::json(&self.sample(f, n))))
            .collect()
    }

    /// `app.create_author().await["id"]`: a new row of entity `target` (its id).
    pub fn new_row_id(&self, target: usize) -> String {
        format!("app.{}().await[\"id\"]", self.subjects[target].create_fn)
    }
}

/// A named test: its name and its body (without the `let app`/`app.finish()` lines).
struct Test {
    pub name: String,
    pub doc: String,
    pub body: Body,
}

/// The tests of one module, with names made unique.
struct Tests {
    names: Namespace,
    pub list: Vec<Test>,
    pointer: String,
}

impl Tests {
    /// `phrase` as a test name (`title too long is refused` → `title_too_long_is_refused`),
    /// with a body at the indentation of a test function.
    pub fn add(&mut self, phrase: &str, doc: &str, fill: impl FnOnce(&mut Body)) {
        let mut body = Body::at(1);
        fill(&mut body);
        let name = self
            .names
            .fresh(&Lang::Rust.ident(phrase, Case::Snake), &self.pointer);
        self.list.push(Test {
            name,
            doc: doc.to_owned(),
            body,
        });
    }
}

/// Every file of the tests: `(path, text)`.
pub(super) fn files(
    plan: &Plan<'_>,
    crate_name: &str,
    database: &str,
) -> Result<Vec<(String, String)>, Error> {
    let creatable = plan.creatable();
    let clashes = Vec::new();
    let mut modules = Namespace::new("Rust module in tests/api");
    for fixed in ["main", "support", "service"] {
        modules.fresh(fixed, "generated code");
    }
    let mut methods = Namespace::new("method of TestApp");
    for fixed in support::METHODS {
        methods.fresh(fixed, "generated code");
    }
    let mut subjects = Vec::new();
    for (index, entity) in plan.entities.iter().enumerate() {
        let module = modules.fresh(&Lang::Rust.ident(entity.name, Case::Snake), &entity.pointer);
        let create_fn = methods.fresh(
            &Lang::Rust.ident(&format!("create {}", entity.name), Case::Snake),
            &entity.pointer,
        );
        let body_fn = methods.fresh(
            &Lang::Rust.ident(&format!("{} body", entity.name), Case::Snake),
            &entity.pointer,
        );
        let uniques = entity
            .fields
            .iter()
            .filter(|f| f.writable && f.unique_constraint.is_some());
        let samples = 8 + 2 * uniques.count() + 2 * entity.refs.iter().filter(|r| r.unique).count();
        subjects.push(Subject {
            entity,
            module,
            path: format!("/api/{}", entity.collection),
            create_fn,
            body_fn,
            creatable: creatable[index],
            samples,
        });
    }
    finish(clashes)?;
    let suite = Suite { plan, subjects };
    let mut out = vec![
        ("tests/api/main.rs".to_owned(), main_rs(&suite)),
        (
            "tests/api/support.rs".to_owned(),
            support::render(&suite, crate_name, database),
        ),
        (
            "tests/api/service.rs".to_owned(),
            service_rs(&suite, database),
        ),
    ];
    for subject in &suite.subjects {
        let mut tests = Tests {
            names: Namespace::new(format!("test of `{}`", subject.entity.name)),
            list: Vec::new(),
            pointer: subject.entity.pointer.clone(),
        };
        crud::add(&suite, subject, &mut tests);
        rules::add(&suite, subject, &mut tests);
        lists::add(&suite, subject, &mut tests);
        access::add(&suite, subject, &mut tests);
        out.push((
            format!("tests/api/{}.rs", subject.module),
            module_rs(subject, tests),
        ));
    }
    Ok(out)
}

/// The tests of `/health`, `/openapi.json` and unknown routes.
const SERVICE: &str = include_str!("service.rs.in");

/// The service's tests, and for a SQLite project the test of concurrent writes, on the first
/// entity the tests can create rows of.
fn service_rs(suite: &Suite<'_>, database: &str) -> String {
    let mut out = SERVICE.to_owned();
    let subject = suite
        .subjects
        .iter()
        .find(|s| s.creatable && s.has(Operation::Create));
    if let (Some(subject), "sqlite") = (subject, database) {
        out.push_str(&format!(
            "\n\
/// Concurrent creates on a database file all succeed: writers wait for each other\n\
/// (`BEGIN IMMEDIATE` and a busy timeout) instead of failing with `database is locked`.\n\
#[tokio::test(flavor = \"multi_thread\", worker_threads = 4)]\n\
async fn concurrent_creates_on_a_database_file_all_succeed() {{\n\
\x20   let app = TestApp::on_file().await;\n\
\x20   let mut bodies = Vec::new();\n\
\x20   for _ in 0..8 {{\n\
\x20       bodies.push(app.{body_fn}().await);\n\
\x20   }}\n\
\x20   let statuses = app.post_concurrently({path}, bodies).await;\n\
\x20   assert_eq!(statuses, vec![StatusCode::CREATED; 8]);\n\
\x20   app.finish().await;\n\
}}\n",
            body_fn = subject.body_fn,
            path = super::rust_str(&subject.path),
        ));
    }
    out
}

fn main_rs(suite: &Suite<'_>) -> String {
    let mut out = String::from(
        "//! Tests of the HTTP API: each test runs the application on a fresh database (SQLite in\n\
         //! memory, or a new PostgreSQL database when `TEST_DATABASE_URL` names a server).\n\
         //! `support` has what they share; each entity has a module.\n\n\
         mod service;\nmod support;\n\n",
    );
    let widest = suite
        .subjects
        .iter()
        .map(|s| s.writable().count() + s.entity.refs.len() + s.entity.joins.len())
        .max()
        .unwrap_or(0);
    if widest > 20 {
        // `json!` expands recursively, one level per token of the body.
        let at = out.find("\n\n").map_or(0, |i| i + 2);
        out.insert_str(at, "#![recursion_limit = \"512\"]\n\n");
    }
    let mut modules: Vec<&str> = suite.subjects.iter().map(|s| s.module.as_str()).collect();
    modules.sort_by(|a, b| version_order(a, b));
    for module in modules {
        out.push_str(&format!("mod {module};\n"));
    }
    out
}

fn module_rs(subject: &Subject<'_>, tests: Tests) -> String {
    let mut functions = String::new();
    for test in tests.list {
        let body = test.body.finish();
        functions.push_str(&format!(
            "\n/// {}\n#[tokio::test]\nasync fn {}() {{\n    let app = TestApp::new().await;\n{body}    app.finish().await;\n}}\n",
            test.doc, test.name
        ));
    }
    let uses = |token: &str| functions.contains(token);
    let mut out = format!("//! Tests of `{}`.\n\n", subject.path);
    let mut http = Vec::new();
    if uses("StatusCode::") {
        http.push("StatusCode");
    }
    if uses("header::") {
        http.push("header");
    }
    match http.len() {
        0 => {}
        1 => out.push_str(&format!("use axum::http::{};\n", http[0])),
        _ => out.push_str(&format!("use axum::http::{{{}}};\n", http.join(", "))),
    }
    if uses("json!") {
        out.push_str("use serde_json::json;\n");
    }
    out.push('\n');
    let mut support = Vec::new();
    for (token, item) in [
        ("ALL_ROLES", "ALL_ROLES"),
        ("MISSING_ID", "MISSING_ID"),
        ("TestApp", "TestApp"),
        ("invalid_tokens(", "invalid_tokens"),
    ] {
        if uses(token) {
            support.push(item);
        }
    }
    out.push_str(&format!(
        "use crate::support::{{{}}};\n\n",
        support.join(", ")
    ));
    out.push_str(&format!(
        "const PATH: &str = {};\n",
        super::rust_str(&subject.path)
    ));
    out.push_str(&functions);
    out
}

/// Whether a field's first samples differ (so that sorting them shows).
fn distinct_samples(suite: &Suite<'_>, field: &FieldPlan<'_>) -> bool {
    let values: Vec<Value> = (0..3).map(|n| suite.sample(field, n)).collect();
    field.writable
        && values.iter().all(|v| !v.is_null())
        && values[0] != values[1]
        && values[1] != values[2]
        && values[0] != values[2]
}

/// A value as the API gives it back: datetimes with microseconds, decimals with exactly the
/// scale's digits.
fn as_served(field: &FieldPlan<'_>, value: &Value) -> Value {
    match (&field.field.ty, value) {
        (FieldType::Datetime, Value::String(s)) if s.ends_with('Z') && !s.contains('.') => {
            Value::String(format!("{}.000000Z", &s[..s.len() - 1]))
        }
        (FieldType::Decimal, _) => {
            let number = match value {
                Value::Number(n) => Some(n.clone()),
                Value::String(s) => serde_json::from_str::<serde_json::Number>(s).ok(),
                _ => None,
            };
            let scale = field.field.constraints.scale.unwrap_or(2);
            match number.and_then(|n| super::resources::decimal_units(&n, scale, true)) {
                Some(units) => Value::String(units_text(units, scale)),
                None => value.clone(),
            }
        }
        _ => value.clone(),
    }
}

/// A value in units of `scale` as decimal text.
fn units_text(units: i128, scale: u32) -> String {
    let digits = units.unsigned_abs().to_string();
    let scale = scale as usize;
    let padded = if digits.len() <= scale {
        format!("{}{digits}", "0".repeat(scale + 1 - digits.len()))
    } else {
        digits
    };
    let (whole, fraction) = padded.split_at(padded.len() - scale);
    let sign = if units < 0 { "-" } else { "" };
    if scale == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{fraction}")
    }
}

/// The order rustfmt gives declarations: numbers in names compare by value.
fn version_order(a: &str, b: &str) -> std::cmp::Ordering {
    fn chunks(text: &str) -> Vec<(bool, &str)> {
        let mut out = Vec::new();
        let mut start = 0;
        let bytes = text.as_bytes();
        for i in 1..=bytes.len() {
            if i == bytes.len() || bytes[i].is_ascii_digit() != bytes[start].is_ascii_digit() {
                out.push((bytes[start].is_ascii_digit(), &text[start..i]));
                start = i;
            }
        }
        out
    }
    let (a_chunks, b_chunks) = (chunks(a), chunks(b));
    for (x, y) in a_chunks.iter().zip(&b_chunks) {
        let order = match (x, y) {
            ((true, x), (true, y)) => {
                let (x, y) = (x.trim_start_matches('0'), y.trim_start_matches('0'));
                x.len().cmp(&y.len()).then_with(|| x.cmp(y))
            }
            ((_, x), (_, y)) => x.cmp(y),
        };
        if order.is_ne() {
            return order;
        }
    }
    a_chunks.len().cmp(&b_chunks.len()).then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_names_sort_by_value() {
        let mut names = vec!["item10", "item2", "class", "caf_u00e9_table", "item_b"];
        names.sort_by(|a, b| version_order(a, b));
        assert_eq!(
            names,
            ["caf_u00e9_table", "class", "item2", "item10", "item_b"]
        );
    }

    #[test]
    fn every_entity_of_every_example_has_at_least_16_named_tests() {
        for example in [
            "bookstore.yaml",
            "bookstore.json",
            "bookstore.md",
            "bookstore.openapi.yaml",
            "clinic.openapi.yaml",
            "erp.yaml",
            "hostile.yaml",
            "library.md",
        ] {
            let path = format!("{}/../../examples/{example}", env!("CARGO_MANIFEST_DIR"));
            let bytes = std::fs::read(&path).expect("example");
            let model = specforge_spec::analyze_bytes(&bytes, Some(example), None)
                .model
                .expect("a valid example");
            let plan = Plan::new(&model).expect("plan");
            let files = files(&plan, "app", "sqlite").expect(example);
            let main = &files[0].1;
            assert_eq!(files.len(), 3 + plan.entities.len(), "{example}");
            for (path, text) in &files[3..] {
                let module = path
                    .strip_prefix("tests/api/")
                    .and_then(|p| p.strip_suffix(".rs"))
                    .expect("a module file");
                assert!(
                    main.contains(&format!("\nmod {module};\n")),
                    "{example}: {module}"
                );
                let count = text.matches("#[tokio::test]").count();
                assert!(count >= 16, "{example}: {module} has {count} tests");
                let mut names: Vec<&str> = text
                    .lines()
                    .filter_map(|l| l.strip_prefix("async fn "))
                    .collect();
                assert_eq!(names.len(), count, "{example}: {module}");
                names.sort_unstable();
                names.dedup();
                assert_eq!(names.len(), count, "{example}: {module}: unique test names");
            }
        }
    }
}
