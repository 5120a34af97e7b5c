//! Sample bodies: each test module's `valid_body` (sample 0 of every field) and
//! `tests/factories.py`, whose `Factory` has a method per entity that creates a row with
//! sample 1, a fresh value (samples 1 to 7 in turn) in each unique field, and the rows its
//! required references need.

use super::super::literals::py_str;
use super::py::{Block, Expr, atom, call, dict, list, value};
use super::{Entity, Module, Project, local};

/// Members of `Factory` that an entity's method may not take (escaped with `_`).
pub(super) const FACTORY_MEMBERS: &[&str] = &[
    "client",
    "count",
    "counts",
    "create",
    "headers",
    "shared",
    "shared_rows",
];

/// The `valid_body(factory)` function of a module whose tests use it.
pub(super) fn valid_body(p: &Project<'_>, e: &Entity<'_>, m: &mut Module) -> Option<String> {
    if !m.valid {
        return None;
    }
    m.any = true;
    m.factory = true;
    let mut items: Vec<(String, Expr)> = e.samples[0]
        .iter()
        .map(|(k, v)| (py_str(k), value(v)))
        .collect();
    let mut placeholder = false;
    let mut b = Block::new(4);
    let mut targets: Vec<String> = Vec::new();
    for r in &e.plan.refs {
        let v = if !r.required {
            atom("None")
        } else if p.creatable[r.target] {
            let taken: Vec<&str> = targets.iter().map(String::as_str).collect();
            let target = local(&r.relation.name, "target", &taken);
            let make = atom(format!("factory.{}()", p.factories[r.target]));
            b.stmt(&format!("{target} = "), &make, "");
            let v = atom(format!("{target}[\"id\"]"));
            targets.push(target);
            v
        } else {
            placeholder = true;
            m.uuid = true;
            atom("str(uuid.uuid4())")
        };
        items.push((py_str(&r.wire), v));
    }
    for &j in &e.plan.joins {
        items.push((py_str(&p.plan.joins[j].wire), atom("[]")));
    }
    let mut doc = Block::new(4);
    if placeholder {
        doc.line("\"\"\"A body that passes every rule: the sample values, the rows it refers to (an id that");
        doc.line("does not exist where no row can be made: the rules are checked before references).\"\"\"");
    } else {
        doc.line("\"\"\"A body that passes every rule: the sample values, and the rows it refers to.\"\"\"");
    }
    b.stmt("return ", &dict(items), "");
    Some(format!(
        "def valid_body(factory: Factory) -> dict[str, Any]:\n{}{}",
        doc.text, b.text
    ))
}

/// `tests/factories.py`.
pub(super) fn factories(p: &Project<'_>) -> String {
    let mut out = String::from(
        "\"\"\"Factories of rows: each method creates a valid row through the API, the rows it refers to\n\
         first, and returns the resource. Unique fields take a fresh sample value on each call; a\n\
         required reference shares one row per test (a one-to-one reference gets its own).\"\"\"\n\n\
         from collections.abc import Callable\n\
         from typing import Any\n\n\
         from fastapi.testclient import TestClient\n\n\n\
         class Factory:\n    \
             \"\"\"Creates rows with the sample values of the specification.\"\"\"\n\n    \
             def __init__(self, client: TestClient, headers: dict[str, str]) -> None:\n        \
                 self.client = client\n        \
                 self.headers = headers\n        \
                 self.counts: dict[str, int] = {}\n        \
                 self.shared_rows: dict[str, dict[str, Any]] = {}\n\n    \
             def create(self, url: str, body: dict[str, Any]) -> dict[str, Any]:\n        \
                 \"\"\"POSTs `body` to `url`, expects 201 and returns the resource.\"\"\"\n        \
                 response = self.client.post(url, json=body, headers=self.headers)\n        \
                 assert response.status_code == 201, response.text\n        \
                 return dict(response.json())\n\n    \
             def count(self, url: str) -> int:\n        \
                 \"\"\"How many rows of `url` this factory made before.\"\"\"\n        \
                 n = self.counts.get(url, 0)\n        \
                 self.counts[url] = n + 1\n        \
                 return n\n\n    \
             def shared(self, make: Callable[[], dict[str, Any]]) -> dict[str, Any]:\n        \
                 \"\"\"The one row of `make` that the rows of a test refer to.\"\"\"\n        \
                 if make.__name__ not in self.shared_rows:\n            \
                     self.shared_rows[make.__name__] = make()\n        \
                 return self.shared_rows[make.__name__]\n",
    );
    for index in 0..p.plan.entities.len() {
        if !p.creatable[index] {
            continue;
        }
        let e = p.entity(index);
        out.push('\n');
        out.push_str(&method(p, &e));
    }
    out
}

fn method(p: &Project<'_>, e: &Entity<'_>) -> String {
    let name = &p.factories[e.index];
    let mut b = Block::new(8);
    b.line(format!("\"\"\"Creates a row of {}.\"\"\"", e.url));
    let fresh: Vec<usize> = (1..e.samples.len()).collect();
    let unique: Vec<&str> = e
        .plan
        .fields
        .iter()
        .filter(|f| f.writable && f.unique_constraint.is_some())
        .map(|f| f.wire.as_str())
        .collect();
    if !unique.is_empty() {
        b.line(format!("n = self.count({})", py_str(&e.url)));
    }
    let items: Vec<(String, Expr)> = e.samples[1]
        .iter()
        .map(|(k, v)| {
            let expr = if unique.contains(&k.as_str()) {
                list(fresh.iter().map(|&i| value(&e.samples[i][k])).collect())
                    .then(&format!("[n % {}]", fresh.len()))
            } else {
                value(v)
            };
            (py_str(k), expr)
        })
        .collect();
    b.stmt("body: dict[str, Any] = ", &dict(items), "");
    b.line("body.update(fields or {})");
    for r in e.plan.refs.iter().filter(|r| r.required) {
        let target = &p.factories[r.target];
        let w = py_str(&r.wire);
        b.line(format!("if {w} not in body:"));
        let make = if r.unique {
            atom(format!("self.{target}()[\"id\"]"))
        } else {
            call("self.shared", vec![atom(format!("self.{target}"))]).then("[\"id\"]")
        };
        let mut inner = Block::new(12);
        inner.stmt(&format!("body[{w}] = "), &make, "");
        b.nested(inner);
    }
    b.line(format!("return self.create({}, body)", py_str(&e.url)));
    let head = call(
        format!("def {name}"),
        vec![atom("self"), atom("fields: dict[str, Any] | None = None")],
    )
    .layout(4, "", " -> dict[str, Any]:");
    format!("    {head}\n{}", b.text)
}
