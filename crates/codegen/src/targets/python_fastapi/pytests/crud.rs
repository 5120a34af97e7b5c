//! Create, read, update and delete; the list, its pages and bad parameters; unknown ids.

use specforge_spec::model::Operation;

use super::super::literals::py_str;
use super::py::{Block, WIDTH, atom, list, s, width};
use super::{Entity, Fx, Kind, Module, Project, item_url, kind, request, unknown_url};

pub(super) fn tests(p: &Project<'_>, e: &Entity<'_>, m: &mut Module) {
    let (one, var) = (&e.one, e.var.as_str());
    let factory = &p.factories[e.index];
    let all = [Fx::Client, Fx::Headers, Fx::Factory];
    if e.creatable && e.has(Operation::Create) {
        m.valid = true;
        let mut b = Block::new(4);
        b.line("body = valid_body(factory)");
        b.stmt(
            "response = ",
            &request("post", atom("URL"), Some(atom("body")), atom("headers")),
            "",
        );
        b.line("assert response.status_code == 201, response.text");
        b.line("created = response.json()");
        b.line("assert response.headers[\"location\"] == f\"{URL}/{created['id']}\"");
        b.stmt("assert list(created) == ", &list(order(p, e)), "");
        b.line("assert str(uuid.UUID(created[\"id\"])) == created[\"id\"]");
        m.uuid = true;
        same_values(p, e, m, &mut b, "created", "body");
        for stamp in stamps(e) {
            b.line(format!("assert created[{}].endswith(\"Z\")", py_str(stamp)));
        }
        m.test(&format!("create_{one}"), &all, b);
    }
    if e.creatable && e.has(Operation::Get) {
        let mut b = Block::new(4);
        b.stmt(
            &format!("{var} = "),
            &atom(format!("factory.{factory}()")),
            "",
        );
        b.stmt(
            "response = ",
            &request("get", item_url(var), None, atom("headers")),
            "",
        );
        b.line("assert response.status_code == 200, response.text");
        b.line(format!("assert response.json() == {var}"));
        m.test(&format!("get_{one}"), &all, b);
    }
    if e.creatable && e.has(Operation::Update) {
        m.valid = true;
        let mut b = Block::new(4);
        b.stmt(
            &format!("{var} = "),
            &atom(format!("factory.{factory}()")),
            "",
        );
        b.line("body = valid_body(factory)");
        b.stmt(
            "response = ",
            &request("put", item_url(var), Some(atom("body")), atom("headers")),
            "",
        );
        b.line("assert response.status_code == 200, response.text");
        b.line("updated = response.json()");
        b.line(format!("assert updated[\"id\"] == {var}[\"id\"]"));
        same_values(p, e, m, &mut b, "updated", "body");
        let stamps = stamps(e);
        if let [created, updated] = stamps.as_slice() {
            let (c, u) = (py_str(created), py_str(updated));
            b.line(format!("assert updated[{c}] == {var}[{c}]"));
            b.line(format!(
                "assert {}(updated[{u}]) >= {}({var}[{c}])",
                m.uses("instant"),
                m.uses("instant")
            ));
        }
        m.test(&format!("update_{one}"), &all, b);
    }
    if e.creatable && e.has(Operation::Delete) {
        let mut b = Block::new(4);
        b.stmt(
            &format!("{var} = "),
            &atom(format!("factory.{factory}()")),
            "",
        );
        b.stmt(
            "response = ",
            &request("delete", item_url(var), None, atom("headers")),
            "",
        );
        b.line("assert response.status_code == 204, response.text");
        b.line("assert response.content == b\"\"");
        if e.has(Operation::Get) {
            b.stmt(
                "response = ",
                &request("get", item_url(var), None, atom("headers")),
                "",
            );
            b.line(format!("{}(response, 404)", m.uses("problem")));
        }
        m.test(&format!("delete_{one}"), &all, b);
    }
    if e.has(Operation::List) {
        lists(p, e, m);
    }
    for op in [Operation::Get, Operation::Update, Operation::Delete] {
        if !e.has(op) {
            continue;
        }
        let mut b = Block::new(4);
        let (method, body) = match op {
            Operation::Get => ("get", None),
            Operation::Update => {
                m.valid = true;
                ("put", Some(atom("valid_body(factory)")))
            }
            _ => ("delete", None),
        };
        let url = unknown_url(m);
        b.stmt(
            "response = ",
            &request(method, url, body, atom("headers")),
            "",
        );
        b.line(format!("{}(response, 404)", m.uses("problem")));
        let fixtures: &[Fx] = if op == Operation::Update {
            &all
        } else {
            &[Fx::Client, Fx::Headers]
        };
        m.test(
            &format!("{}_unknown_{one}_is_404", op.as_str()),
            fixtures,
            b,
        );
    }
    if e.has(Operation::Get) {
        let mut b = Block::new(4);
        b.line("response = client.get(f\"{URL}/not-a-uuid\", headers=headers)");
        b.line(format!(
            "assert \"path.id\" in {}(response)",
            m.uses("error_fields")
        ));
        m.test(
            &format!("get_{one}_with_a_malformed_id_is_422"),
            &[Fx::Client, Fx::Headers],
            b,
        );
    }
}

/// The list: what it answers, its pages, bad parameters.
fn lists(p: &Project<'_>, e: &Entity<'_>, m: &mut Module) {
    let many = &e.many;
    let factory = &p.factories[e.index];
    let page_size = e.plan.entity.list.page_size;
    let max_page_size = page_size.max(100);
    let all = [Fx::Client, Fx::Headers, Fx::Factory];
    let rows = || {
        list(
            (0..3)
                .map(|_| atom(format!("factory.{factory}()")))
                .collect(),
        )
    };
    if e.creatable {
        let mut b = Block::new(4);
        b.stmt("rows = ", &rows(), "");
        b.line("response = client.get(URL, headers=headers)");
        b.line("assert response.status_code == 200, response.text");
        b.line("page = response.json()");
        b.line("assert list(page) == [\"items\", \"page\", \"page_size\", \"total\"]");
        b.line("assert page[\"total\"] == 3");
        b.line("assert page[\"page\"] == 1");
        b.line(format!("assert page[\"page_size\"] == {page_size}"));
        b.line("assert [item[\"id\"] for item in page[\"items\"]] == sorted(row[\"id\"] for row in rows)");
        m.test(&format!("list_{many}_ordered_by_id"), &all, b);

        let mut b = Block::new(4);
        b.stmt("rows = ", &rows(), "");
        b.line("ids = sorted(row[\"id\"] for row in rows)");
        b.line("first = client.get(URL, params={\"page_size\": 2}, headers=headers).json()");
        b.line("second = client.get(URL, params={\"page_size\": 2, \"page\": 2}, headers=headers).json()");
        b.line("assert [item[\"id\"] for item in first[\"items\"]] == ids[:2]");
        b.line("assert [item[\"id\"] for item in second[\"items\"]] == ids[2:]");
        b.line("assert first[\"total\"] == second[\"total\"] == 3");
        b.line("response = client.get(URL, params={\"page\": 5}, headers=headers)");
        b.line(format!("assert {}(response) == []", m.uses("item_ids")));
        m.test(&format!("list_{many}_in_pages"), &all, b);
    } else {
        let mut b = Block::new(4);
        b.line("response = client.get(URL, headers=headers)");
        b.line("assert response.status_code == 200, response.text");
        b.line(format!(
            "assert response.json() == {{\"items\": [], \"page\": 1, \"page_size\": {page_size}, \"total\": 0}}"
        ));
        m.test(
            &format!("list_{many}_when_there_are_none"),
            &[Fx::Client, Fx::Headers],
            b,
        );
    }
    let bad: [(&str, &str, Vec<String>); 3] = [
        ("page", "a_bad_page", vec!["0".into(), "x".into()]),
        (
            "page_size",
            "a_bad_page_size",
            vec!["0".into(), (max_page_size + 1).to_string()],
        ),
        ("sort", "an_unknown_sort", vec!["no-such-field".into()]),
    ];
    for (param, name, values) in bad {
        let mut b = Block::new(4);
        if let [one] = values.as_slice() {
            b.line(format!(
                "response = client.get(URL, params={{\"{param}\": \"{one}\"}}, headers=headers)"
            ));
            b.line(format!(
                "assert \"query.{param}\" in {}(response)",
                m.uses("error_fields")
            ));
            m.test(
                &format!("list_{many}_refuses_{name}"),
                &[Fx::Client, Fx::Headers],
                b,
            );
            continue;
        }
        b.stmt(
            "for value in ",
            &list(values.iter().map(|v| s(v)).collect()),
            ":",
        );
        b.line(format!(
            "    response = client.get(URL, params={{\"{param}\": value}}, headers=headers)"
        ));
        b.line(format!(
            "    assert \"query.{param}\" in {}(response), value",
            m.uses("error_fields")
        ));
        m.test(
            &format!("list_{many}_refuses_{name}"),
            &[Fx::Client, Fx::Headers],
            b,
        );
    }
}

/// The properties of a resource, in order.
fn order(p: &Project<'_>, e: &Entity<'_>) -> Vec<super::py::Expr> {
    let mut names = vec![e.plan.fields[0].wire.clone()];
    names.extend(
        e.plan
            .fields
            .iter()
            .filter(|f| f.writable)
            .map(|f| f.wire.clone()),
    );
    names.extend(e.plan.refs.iter().map(|r| r.wire.clone()));
    names.extend(e.plan.joins.iter().map(|&j| p.plan.joins[j].wire.clone()));
    names.extend(stamps(e).into_iter().map(str::to_owned));
    names.iter().map(|n| s(n)).collect()
}

/// The wire names of the timestamps (`created_at`, `updated_at`), when the entity has them.
fn stamps<'a>(e: &'a Entity<'_>) -> Vec<&'a str> {
    e.plan
        .fields
        .iter()
        .skip(1)
        .filter(|f| !f.writable)
        .map(|f| f.wire.as_str())
        .collect()
}

/// Asserts that `lhs` (a resource) holds the values of `rhs` (the body sent): one line per
/// property, or a loop over the properties whose line would be too long.
pub(super) fn same_values(
    p: &Project<'_>,
    e: &Entity<'_>,
    m: &mut Module,
    b: &mut Block,
    lhs: &str,
    rhs: &str,
) {
    let mut props: Vec<(String, Kind)> = e
        .plan
        .fields
        .iter()
        .filter(|f| f.writable)
        .map(|f| (f.wire.clone(), kind(&f.field.ty)))
        .collect();
    props.extend(e.plan.refs.iter().map(|r| (r.wire.clone(), Kind::Plain)));
    props.extend(
        e.plan
            .joins
            .iter()
            .map(|&j| (p.plan.joins[j].wire.clone(), Kind::Plain)),
    );
    let mut long_plain = Vec::new();
    let mut long_instant = Vec::new();
    for (wire, k) in props {
        let w = py_str(&wire);
        let line = if k == Kind::Instant {
            let f = m.uses("instant");
            format!("assert {f}({lhs}[{w}]) == {f}({rhs}[{w}])")
        } else {
            format!("assert {lhs}[{w}] == {rhs}[{w}]")
        };
        if b.indent + width(&line) <= WIDTH {
            b.line(line);
        } else if k == Kind::Instant {
            long_instant.push(s(&wire));
        } else {
            long_plain.push(s(&wire));
        }
    }
    if !long_plain.is_empty() {
        b.stmt("for field in ", &list(long_plain), ":");
        b.line(format!("    assert {lhs}[field] == {rhs}[field], field"));
    }
    if !long_instant.is_empty() {
        b.stmt("for field in ", &list(long_instant), ":");
        b.line(format!(
            "    assert instant({lhs}[field]) == instant({rhs}[field]), field"
        ));
    }
}
