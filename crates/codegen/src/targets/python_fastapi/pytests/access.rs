//! Who may do what: 401 without a valid token and 403 without a role, per operation, and the
//! operations the specification leaves out.

use specforge_spec::model::Operation;

use super::py::{Block, Expr, atom, call, s};
use super::{Entity, Fx, Module, Project, request, unknown_url};

/// The request of `op` with `headers`: on an unknown id, with an empty JSON body.
fn operation(m: &mut Module, op: Operation, headers: Expr) -> Expr {
    match op {
        Operation::List => request("get", atom("URL"), None, headers),
        Operation::Get => request("get", unknown_url(m), None, headers),
        Operation::Create => request("post", atom("URL"), Some(atom("{}")), headers),
        Operation::Update => request("put", unknown_url(m), Some(atom("{}")), headers),
        Operation::Delete => request("delete", unknown_url(m), None, headers),
    }
}

/// `list_books`, `get_book`, ...: the operation in a test name.
fn named(e: &Entity<'_>, op: Operation) -> String {
    match op {
        Operation::List => format!("list_{}", e.many),
        _ => format!("{}_{}", op.as_str(), e.one),
    }
}

pub(super) fn tests(p: &Project<'_>, e: &Entity<'_>, m: &mut Module) {
    for &op in &e.plan.entity.operations {
        let mut b = Block::new(4);
        b.stmt("response = ", &operation(m, op, atom("{}")), "");
        b.line(format!("{}(response, 401)", m.uses("problem")));
        b.line("assert response.headers[\"www-authenticate\"] == \"Bearer\"");
        m.test(
            &format!("{}_without_a_token_is_401", named(e, op)),
            &[Fx::Client],
            b,
        );

        let mut b = Block::new(4);
        b.stmt("response = ", &operation(m, op, atom("bad_headers")), "");
        b.line(format!("{}(response, 401)", m.uses("problem")));
        b.line("assert response.headers[\"www-authenticate\"] == \"Bearer\"");
        m.test(
            &format!("{}_with_a_bad_token_is_401", named(e, op)),
            &[Fx::Client, Fx::BadHeaders],
            b,
        );

        if let Some(allowed) = e.plan.entity.permissions.roles(op)
            && !allowed.is_empty()
        {
            let others: Vec<Expr> = p
                .roles
                .iter()
                .filter(|r| !allowed.contains(r))
                .map(|r| s(r))
                .collect();
            let headers = call(m.uses("bearer"), others);
            let mut b = Block::new(4);
            b.stmt("response = ", &operation(m, op, headers), "");
            b.line(format!("{}(response, 403)", m.uses("problem")));
            m.test(
                &format!("{}_without_its_role_is_403", named(e, op)),
                &[Fx::Client],
                b,
            );
        }
    }
    let has = |op: Operation| e.has(op);
    for op in Operation::ALL {
        if has(op) {
            continue;
        }
        let collection = matches!(op, Operation::List | Operation::Create);
        let served = if collection {
            has(Operation::List) || has(Operation::Create)
        } else {
            has(Operation::Get) || has(Operation::Update) || has(Operation::Delete)
        };
        let status = if served { 405 } else { 404 };
        let mut b = Block::new(4);
        b.stmt("response = ", &operation(m, op, atom("headers")), "");
        b.line(format!("{}(response, {status})", m.uses("problem")));
        m.test(
            &format!("{}_is_{status}", named(e, op)),
            &[Fx::Client, Fx::Headers],
            b,
        );
    }
}
