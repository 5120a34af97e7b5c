//! The rules of a body: each validation rule of each field, required fields, refused
//! properties, unique values, references to rows that do not exist, id lists, and what
//! deleting a referenced row does.

use specforge_spec::model::{FieldType, Operation};

use super::super::literals::py_str;
use super::py::{Block, Expr, atom, call, dict, list, s, value};
use super::{
    Entity, Fx, Module, Project, field_name, item_url, local, request, set, unknown_url, words,
};
use crate::samples::{self, Invalid};

const ALL: [Fx; 3] = [Fx::Client, Fx::Headers, Fx::Factory];

pub(super) fn tests(p: &Project<'_>, e: &Entity<'_>, m: &mut Module) {
    let one = &e.one;
    if e.has(Operation::Create) || e.has(Operation::Update) {
        for f in e.plan.fields.iter().filter(|f| f.writable) {
            for (k, bad) in samples::invalid(p.plan.model, f.field) {
                if k == Invalid::Null && f.field.default.is_some() && !f.field.required {
                    continue;
                }
                let mut b = Block::new(4);
                m.valid = true;
                b.line("body = valid_body(factory)");
                set(&mut b, "body", &f.wire, &value(&bad));
                refused(p, e, m, &mut b, &f.wire);
                let name = format!("{one}_{}_{}_is_422", words(&f.wire), rule(&f.field.ty, k));
                m.test(&name, &ALL, b);
            }
        }
        let required = e
            .plan
            .fields
            .iter()
            .filter(|f| f.writable && f.field.required && f.field.default.is_none())
            .map(|f| &f.wire)
            .chain(e.plan.refs.iter().filter(|r| r.required).map(|r| &r.wire));
        for wire in required {
            let mut b = Block::new(4);
            m.valid = true;
            b.line("body = valid_body(factory)");
            b.line(format!("del body[{}]", py_str(wire)));
            refused(p, e, m, &mut b, wire);
            m.test(&format!("{one}_{}_missing_is_422", words(wire)), &ALL, b);
        }
        refused_properties(e, m);
    }
    if !(e.creatable && e.has(Operation::Create)) {
        return;
    }
    let var = e.var.as_str();
    let factory = &p.factories[e.index];
    for f in e
        .plan
        .fields
        .iter()
        .filter(|f| f.writable && f.unique_constraint.is_some())
    {
        let mut b = Block::new(4);
        let w = field_name(&mut b, &f.wire);
        m.valid = true;
        b.stmt(
            &format!("{var} = "),
            &atom(format!("factory.{factory}()")),
            "",
        );
        b.line("body = valid_body(factory)");
        b.line(format!("body[{w}] = {var}[{w}]"));
        post(&mut b);
        b.line(format!(
            "assert {}(response, 409) == [{w}]",
            m.uses("error_fields")
        ));
        m.test(&format!("{one}_{}_taken_is_409", words(&f.wire)), &ALL, b);
    }
    for r in &e.plan.refs {
        let w = py_str(&r.wire);
        let target = local(&r.relation.name, "target", &[var]);
        let make = format!("factory.{}()", p.factories[r.target]);
        let target_id = atom(format!("{target}[\"id\"]"));
        let refer = call(
            format!("factory.{factory}"),
            vec![dict(vec![(w.clone(), target_id.clone())])],
        );
        if r.unique && p.creatable[r.target] {
            let mut b = Block::new(4);
            m.valid = true;
            b.stmt(&format!("{target} = "), &atom(make.clone()), "");
            b.stmt("", &refer, "");
            b.line("body = valid_body(factory)");
            b.line(format!("body[{w}] = {target}[\"id\"]"));
            post(&mut b);
            b.line(format!(
                "assert {}(response, 409) == [{w}]",
                m.uses("error_fields")
            ));
            m.test(&format!("{one}_{}_taken_is_409", words(&r.wire)), &ALL, b);
        }
        missing_row(e, m, &r.wire, false);
        let target_plan = &p.plan.entities[r.target];
        if p.creatable[r.target] && target_plan.entity.operations.contains(&Operation::Delete) {
            let mut b = Block::new(4);
            b.stmt(&format!("{target} = "), &atom(make.clone()), "");
            let get = e.has(Operation::Get);
            let restrict = matches!(r.on_delete, "RESTRICT" | "NO ACTION");
            if restrict || !get {
                b.stmt("", &refer, "");
            } else {
                b.stmt(&format!("{var} = "), &refer, "");
            }
            let url = format!("f\"/api/{}/{{{target}['id']}}\"", target_plan.collection);
            b.stmt(
                "response = ",
                &request("delete", atom(url), None, atom("headers")),
                "",
            );
            let rel = words(&r.relation.name);
            let name = if restrict {
                b.line(format!("{}(response, 409)", m.uses("problem")));
                format!("deleting_the_{rel}_of_a_{one}_is_409")
            } else {
                b.line("assert response.status_code == 204, response.text");
                if get {
                    b.stmt(
                        "response = ",
                        &request("get", item_url(var), None, atom("headers")),
                        "",
                    );
                }
                if r.on_delete == "CASCADE" {
                    if get {
                        b.line(format!("{}(response, 404)", m.uses("problem")));
                    }
                    format!("deleting_the_{rel}_of_a_{one}_deletes_the_{one}")
                } else {
                    if get {
                        b.line("assert response.status_code == 200, response.text");
                        b.line(format!("assert response.json()[{w}] is None"));
                    }
                    format!("deleting_the_{rel}_of_a_{one}_clears_{}", words(&r.wire))
                }
            };
            m.test(&name, &ALL, b);
        }
    }
    for &j in &e.plan.joins {
        let jp = &p.plan.joins[j];
        missing_row(e, m, &jp.wire, true);
        if !p.creatable[jp.target] {
            continue;
        }
        let make = format!("factory.{}()", p.factories[jp.target]);
        let mut b = Block::new(4);
        let w = field_name(&mut b, &jp.wire);
        b.line(format!("first = {make}"));
        b.line(format!("second = {make}"));
        let ids = list(vec![
            atom("second[\"id\"]"),
            atom("first[\"id\"]"),
            atom("second[\"id\"]"),
        ]);
        b.stmt(
            &format!("{var} = "),
            &call(
                format!("factory.{factory}"),
                vec![dict(vec![(w.clone(), ids)])],
            ),
            "",
        );
        b.line(format!(
            "assert {var}[{w}] == sorted([first[\"id\"], second[\"id\"]])"
        ));
        if e.has(Operation::Get) {
            b.stmt(
                "response = ",
                &request("get", item_url(var), None, atom("headers")),
                "",
            );
            b.line(format!("assert response.json()[{w}] == {var}[{w}]"));
        }
        if e.has(Operation::Update) {
            m.valid = true;
            b.line("body = valid_body(factory)");
            b.line(format!("body[{w}] = [first[\"id\"]]"));
            b.stmt(
                "response = ",
                &request("put", item_url(var), Some(atom("body")), atom("headers")),
                "",
            );
            b.line("assert response.status_code == 200, response.text");
            b.line(format!("assert response.json()[{w}] == [first[\"id\"]]"));
        }
        let name = format!("{one}_{}_are_kept_sorted_without_repeats", words(&jp.wire));
        m.test(&name, &ALL, b);
    }
}

/// The rule a value of `kind` breaks, as a test name says it (`too_long`, `not_an_email`).
fn rule(ty: &FieldType, kind: Invalid) -> &'static str {
    match kind {
        Invalid::WrongType => match ty {
            FieldType::Email => "not_an_email",
            FieldType::Url => "not_a_url",
            FieldType::Integer | FieldType::Bigint => "not_an_integer",
            FieldType::Float | FieldType::Decimal => "not_a_number",
            FieldType::Boolean => "not_a_boolean",
            FieldType::Date => "not_a_date",
            FieldType::Datetime => "not_a_datetime",
            FieldType::Uuid => "not_a_uuid",
            _ => "not_a_string",
        },
        Invalid::Pattern => "not_matching_its_pattern",
        Invalid::NotInEnum => "not_one_of_its_values",
        other => other.as_str(),
    }
}

/// `response = client.post(URL, json=body, headers=headers)`.
fn post(b: &mut Block) {
    b.line("response = client.post(URL, json=body, headers=headers)");
}

/// Sends `body` (POST, or PUT to an unknown id without create) and asserts a 422 naming
/// `wire`; PUT over an existing row too, when there is one to make.
fn refused(p: &Project<'_>, e: &Entity<'_>, m: &mut Module, b: &mut Block, wire: &str) {
    send(e, m, b);
    let check = format!(
        "assert {} in {}(response)",
        py_str(wire),
        m.uses("error_fields")
    );
    b.line(&check);
    if e.creatable && e.has(Operation::Create) && e.has(Operation::Update) {
        let var = &e.var;
        let make = atom(format!("factory.{}()", p.factories[e.index]));
        b.stmt(&format!("{var} = "), &make, "");
        b.stmt(
            "response = ",
            &request("put", item_url(var), Some(atom("body")), atom("headers")),
            "",
        );
        b.line(&check);
    }
}

/// `response = ...` sending `body`: a POST, or a PUT to an unknown id without create.
fn send(e: &Entity<'_>, m: &mut Module, b: &mut Block) {
    if e.has(Operation::Create) {
        post(b);
    } else {
        let url = unknown_url(m);
        b.stmt(
            "response = ",
            &request("put", url, Some(atom("body")), atom("headers")),
            "",
        );
    }
}

/// Unknown properties, `id` and the timestamps; bodies that are not JSON objects.
fn refused_properties(e: &Entity<'_>, m: &mut Module) {
    let one = &e.one;
    let mut unknown = "unknown_property".to_owned();
    while e.plan.fields.iter().any(|f| f.wire == unknown) {
        unknown.push('x');
    }
    let mut b = Block::new(4);
    m.valid = true;
    b.stmt(
        "for extra in ",
        &list(
            [unknown.as_str(), "id", "created_at", "updated_at"]
                .iter()
                .map(|x| s(x))
                .collect(),
        ),
        ":",
    );
    let mut inner = Block::new(8);
    inner.line("body = valid_body(factory)");
    m.uuid = true;
    inner.line("body[extra] = str(uuid.uuid4())");
    send(e, m, &mut inner);
    inner.line(format!(
        "assert extra in {}(response), extra",
        m.uses("error_fields")
    ));
    b.nested(inner);
    m.test(&format!("{one}_refuses_unknown_properties"), &ALL, b);

    let mut b = Block::new(4);
    let (method, url): (&str, Expr) = if e.has(Operation::Create) {
        ("post", atom("URL"))
    } else {
        ("put", unknown_url(m))
    };
    b.line("not_objects: list[object] = [[], \"text\", None]");
    b.line("for body in not_objects:");
    let mut inner = Block::new(8);
    inner.stmt(
        "response = ",
        &request(method, url.clone(), Some(atom("body")), atom("headers")),
        "",
    );
    inner.line(format!(
        "assert \"body\" in {}(response), body",
        m.uses("error_fields")
    ));
    b.nested(inner);
    b.line("json_headers = {**headers, \"content-type\": \"application/json\"}");
    let broken = |headers: &str| {
        call(
            format!("client.{method}"),
            vec![
                url.clone(),
                super::py::kw("content", atom("b'{\"broken'")),
                super::py::kw("headers", atom(headers)),
            ],
        )
    };
    b.stmt("response = ", &broken("json_headers"), "");
    b.line(format!(
        "assert \"body\" in {}(response)",
        m.uses("error_fields")
    ));
    b.line("# The token is checked before the body is read.");
    b.stmt(
        "response = ",
        &broken("{\"content-type\": \"application/json\"}"),
        "",
    );
    b.line(format!("{}(response, 401)", m.uses("problem")));
    m.test(
        &format!("{one}_refuses_a_body_that_is_not_a_json_object"),
        &[Fx::Client, Fx::Headers],
        b,
    );
}

/// A reference (or an id list) to a row that does not exist: 422 naming it.
fn missing_row(e: &Entity<'_>, m: &mut Module, wire: &str, is_list: bool) {
    if !(e.creatable && e.has(Operation::Create)) {
        return;
    }
    let mut b = Block::new(4);
    m.valid = true;
    m.uuid = true;
    b.line("body = valid_body(factory)");
    let v = if is_list {
        "[str(uuid.uuid4())]"
    } else {
        "str(uuid.uuid4())"
    };
    set(&mut b, "body", wire, &atom(v));
    post(&mut b);
    b.line(format!(
        "assert {} in {}(response)",
        py_str(wire),
        m.uses("error_fields")
    ));
    let name = format!("{}_{}_of_a_missing_row_is_422", e.one, words(wire));
    m.test(&name, &ALL, b);
}
