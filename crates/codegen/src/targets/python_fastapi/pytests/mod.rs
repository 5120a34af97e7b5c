//! The generated tests: per entity a `tests/test_<table>.py` of named pytest functions written
//! out plainly (bodies as dict literals of the spec's sample values from [`samples`]), over
//! `tests/factories.py` (a method per entity that creates a valid row through the API) and the
//! fixtures of `tests/conftest.py`.
//!
//! Each concern has its own file: [`crud`] (create, read, update, delete, lists and pages,
//! 404s), [`rules`] (validation rules, unique values, references, id lists, `on_delete`),
//! [`listing`] (filters and sorts), [`access`] (401, 403, absent operations), [`bodies`]
//! (sample bodies and the factories). [`py`] lays Python code out the way `ruff format` keeps it.
//!
//! [`samples`]: crate::samples

mod access;
mod bodies;
mod crud;
mod listing;
mod py;
mod rules;

use std::collections::BTreeSet;

use serde_json::{Map, Value};
use specforge_spec::model::{FieldType, Operation};

use self::py::{Block, Expr, WIDTH, atom, call, kw};
use super::SAMPLES;
use super::literals::py_str;
use crate::naming::{Case, Lang, Namespace, case};
use crate::plan::{EntityPlan, Plan};
use crate::samples;

/// The kind of a field, as the tests compare its values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    /// Compared as they are.
    Plain,
    /// Compared as instants (the answer is in UTC with microseconds).
    Instant,
    /// Ordered as numbers (the answer is text).
    Decimal,
}

fn kind(ty: &FieldType) -> Kind {
    match ty {
        FieldType::Datetime => Kind::Instant,
        FieldType::Decimal => Kind::Decimal,
        _ => Kind::Plain,
    }
}

/// What every entity's tests need to know about the project.
pub(super) struct Project<'p> {
    plan: &'p Plan<'p>,
    creatable: Vec<bool>,
    /// The factory method of each entity (creatable ones).
    factories: Vec<String>,
    /// Every role a token can have.
    roles: Vec<String>,
}

/// One entity, as its tests see it.
struct Entity<'p> {
    index: usize,
    plan: &'p EntityPlan<'p>,
    /// Words of the entity's name (`book`), for test names.
    one: String,
    /// Words of the table (`books`), for test names.
    many: String,
    /// The local variable of one row (`book`).
    var: String,
    url: String,
    creatable: bool,
    /// Sample bodies (writable fields only), `SAMPLES` of them.
    samples: Vec<Map<String, Value>>,
}

impl Entity<'_> {
    fn has(&self, op: Operation) -> bool {
        self.plan.entity.operations.contains(&op)
    }
}

/// Locals every test may use; a row's variable never takes one of these.
const LOCALS: &[&str] = &[
    "bad_headers",
    "bearer",
    "error_fields",
    "ids",
    "instant",
    "item_ids",
    "json_headers",
    "not_objects",
    "ordered",
    "problem",
    "uuid",
    "valid_body",
    "value",
    "body",
    "client",
    "created",
    "extra",
    "factory",
    "field",
    "first",
    "headers",
    "item",
    "page",
    "response",
    "rows",
    "second",
    "sorted",
    "str",
    "updated",
];

/// Longest local variable made of a spec name; a longer one is `short` instead, so that the
/// statements it appears in stay on one line.
const MAX_LOCAL: usize = 24;

/// A local variable for `name` (or `short` when that is long), escaped against the fixed
/// locals and `taken`.
fn local(name: &str, short: &str, taken: &[&str]) -> String {
    let mut var = Lang::Python.ident(name, Case::Snake);
    if var.len() > MAX_LOCAL {
        var = short.to_owned();
    }
    while LOCALS.contains(&var.as_str()) || taken.contains(&var.as_str()) {
        var.push('_');
    }
    var
}

/// Names an identifier in a test name: its ASCII words, snake_case.
fn words(name: &str) -> String {
    let w = case(name, Case::Snake);
    if w.is_empty() { "x".to_owned() } else { w }
}

/// A test module being written.
struct Module {
    names: Namespace,
    tests: Vec<String>,
    /// Names imported from `support`.
    support: BTreeSet<&'static str>,
    uuid: bool,
    decimal: bool,
    any: bool,
    factory: bool,
    /// Whether a test calls `valid_body`.
    valid: bool,
}

/// A test function's fixtures.
#[derive(Clone, Copy)]
enum Fx {
    Client,
    Headers,
    Factory,
    BadHeaders,
}

impl Module {
    fn new(what: &str) -> Self {
        Module {
            names: Namespace::new(format!("test in {what}")),
            tests: Vec::new(),
            support: BTreeSet::new(),
            uuid: false,
            decimal: false,
            any: false,
            factory: false,
            valid: false,
        }
    }

    /// Adds `test_<name>` with `fixtures` and `body` (at indent 4); a name already taken gets
    /// a number.
    fn test(&mut self, name: &str, fixtures: &[Fx], body: Block) {
        let base = format!("test_{name}");
        let mut ident = base.clone();
        let mut n = 1;
        loop {
            let mut clashes = Vec::new();
            self.names.claim(&ident, &ident, &mut clashes);
            if clashes.is_empty() {
                break;
            }
            n += 1;
            ident = format!("{base}_{n}");
        }
        let params: Vec<Expr> = fixtures
            .iter()
            .map(|f| {
                atom(match f {
                    Fx::Client => "client: TestClient",
                    Fx::Headers => "headers: dict[str, str]",
                    Fx::Factory => {
                        self.factory = true;
                        "factory: Factory"
                    }
                    Fx::BadHeaders => "bad_headers: dict[str, str]",
                })
            })
            .collect();
        let head = call(format!("def {ident}"), params).layout(0, "", " -> None:");
        self.tests.push(format!("{head}\n{}", body.text));
    }

    /// `name` from `support`, recorded for the imports.
    fn uses(&mut self, name: &'static str) -> &'static str {
        self.support.insert(name);
        name
    }
}

impl<'p> Project<'p> {
    pub(super) fn new(plan: &'p Plan<'p>) -> Self {
        let creatable = plan.creatable();
        let mut roles: Vec<String> = plan.model.roles.clone();
        for e in &plan.model.entities {
            for op in Operation::ALL {
                for r in e.permissions.roles(op).unwrap_or_default() {
                    if !roles.contains(r) {
                        roles.push(r.clone());
                    }
                }
            }
        }
        let factories = plan
            .entities
            .iter()
            .map(|e| {
                let mut name = Lang::Python.ident(e.name, Case::Snake);
                while bodies::FACTORY_MEMBERS.contains(&name.as_str()) {
                    name.push('_');
                }
                name
            })
            .collect();
        Project {
            plan,
            creatable,
            factories,
            roles,
        }
    }

    fn entity(&self, index: usize) -> Entity<'p> {
        let e = &self.plan.entities[index];
        let samples = (0..SAMPLES)
            .map(|n| {
                e.fields
                    .iter()
                    .filter(|f| f.writable)
                    .map(|f| (f.wire.clone(), samples::valid(self.plan.model, f.field, n)))
                    .collect()
            })
            .collect();
        Entity {
            index,
            plan: e,
            one: words(e.name),
            many: e.table.clone(),
            var: local(e.name, "row", &[]),
            url: format!("/api/{}", e.collection),
            creatable: self.creatable[index],
            samples,
        }
    }

    /// `ROLES = [...]` of `tests/conftest.py`: every role a token can have, the
    /// specification's roles first, then those only permissions name.
    pub(super) fn roles_line(&self) -> String {
        let roles = py::list(self.roles.iter().map(|r| py::s(r)).collect());
        roles.layout(0, "ROLES: list[str] = ", "")
    }

    /// The files: `tests/factories.py` and a `tests/test_<table>.py` per entity.
    pub(super) fn files(&self) -> Vec<(String, String)> {
        let mut out = vec![("tests/factories.py".to_owned(), bodies::factories(self))];
        for index in 0..self.plan.entities.len() {
            let e = self.entity(index);
            out.push((format!("tests/test_{}.py", e.plan.table), self.module(&e)));
        }
        out
    }

    fn module(&self, e: &Entity<'_>) -> String {
        let mut m = Module::new(&format!("tests/test_{}.py", e.plan.table));
        crud::tests(self, e, &mut m);
        rules::tests(self, e, &mut m);
        listing::tests(self, e, &mut m);
        access::tests(self, e, &mut m);
        let valid = bodies::valid_body(self, e, &mut m);

        let mut out = format!(
            "\"\"\"Tests of {}: one test per behaviour, each one a pattern to copy.\"\"\"\n\n",
            e.url
        );
        if m.uuid {
            out.push_str("import uuid\n");
        }
        if m.decimal {
            out.push_str("from decimal import Decimal\n");
        }
        if m.any {
            out.push_str("from typing import Any\n");
        }
        if m.uuid || m.decimal || m.any {
            out.push('\n');
        }
        out.push_str("from fastapi.testclient import TestClient\n\n");
        if m.factory {
            out.push_str("from factories import Factory\n");
        }
        if !m.support.is_empty() {
            let names: Vec<&str> = m.support.iter().copied().collect();
            let flat = format!("from support import {}", names.join(", "));
            if flat.len() <= WIDTH {
                out.push_str(&flat);
                out.push('\n');
            } else {
                out.push_str("from support import (\n");
                for n in names {
                    out.push_str(&format!("    {n},\n"));
                }
                out.push_str(")\n");
            }
        }
        out.push_str(&format!("\nURL = {}\n", py_str(&e.url)));
        if let Some(valid) = valid {
            out.push_str("\n\n");
            out.push_str(&valid);
        }
        for test in &m.tests {
            out.push_str("\n\n");
            out.push_str(test);
        }
        out
    }
}

/// `client.<method>(url, json=..., headers=...)` as an expression.
fn request(method: &str, url: Expr, body: Option<Expr>, headers: Expr) -> Expr {
    let mut args = vec![url];
    if let Some(b) = body {
        args.push(kw("json", b));
    }
    args.push(kw("headers", headers));
    call(format!("client.{method}"), args)
}

/// `f"{URL}/{var['id']}"`.
fn item_url(var: &str) -> Expr {
    atom(format!("f\"{{URL}}/{{{var}['id']}}\""))
}

/// `f"{URL}/{uuid.uuid4()}"`.
fn unknown_url(m: &mut Module) -> Expr {
    m.uuid = true;
    atom("f\"{URL}/{uuid.uuid4()}\"")
}

/// The literal of `wire` for a test that names it twice in a statement; a long one is put in
/// a `field` variable first, so that the statements stay on one line.
fn field_name(b: &mut Block, wire: &str) -> String {
    let literal = py_str(wire);
    if py::width(&literal) <= 32 {
        return literal;
    }
    b.line(format!("field = {literal}"));
    "field".to_owned()
}

/// `body["wire"] = value`.
fn set(block: &mut Block, target: &str, wire: &str, value: &Expr) {
    block.stmt(&format!("{target}[{}] = ", py_str(wire)), value, "");
}
