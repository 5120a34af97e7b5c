//! Tokens and roles, per operation: 401 without a token or with an invalid one, 403 without
//! the operation's roles; an operation the specification leaves out is not served.

use specforge_spec::model::Operation;

use super::super::rust_str;
use super::write::Body;
use super::{Subject, Suite, Tests};

pub(super) fn add(_suite: &Suite<'_>, subject: &Subject<'_>, tests: &mut Tests) {
    for (op, name, method, item, body) in [
        (Operation::List, "list", "GET", false, false),
        (Operation::Get, "get", "GET", true, false),
        (Operation::Create, "create", "POST", false, true),
        (Operation::Update, "update", "PUT", true, true),
        (Operation::Delete, "delete", "DELETE", true, false),
    ] {
        let uri = if item { "&item" } else { "PATH" };
        let body_arg = if body { "Some(\"{}\")" } else { "None" };
        let prelude = |b: &mut Body| {
            if item {
                b.line("let item = format!(\"{PATH}/{MISSING_ID}\");");
            }
        };
        if !subject.has(op) {
            // 405 when another method serves the same path, else 404.
            let same_path = [
                Operation::List,
                Operation::Get,
                Operation::Create,
                Operation::Update,
                Operation::Delete,
            ]
            .iter()
            .any(|&other| {
                subject.has(other)
                    && matches!(
                        other,
                        Operation::Get | Operation::Update | Operation::Delete
                    ) == item
            });
            let status = if same_path {
                "StatusCode::METHOD_NOT_ALLOWED"
            } else {
                "StatusCode::NOT_FOUND"
            };
            tests.add(
                &format!("{name} is not served"),
                &format!(
                    "The specification leaves out `{name}`: {method} answers {}.",
                    if same_path { 405 } else { 404 }
                ),
                |b| {
                    prelude(b);
                    b.line("let token = app.token(ALL_ROLES);");
                    let args = [
                        rust_str(method),
                        uri.to_owned(),
                        "Some(&token)".to_owned(),
                        body_arg.replace("{}", "null"),
                    ];
                    b.call("let response = app.", "request", &args, ".await;");
                    b.line(format!("assert_eq!(response.status, {status});"));
                },
            );
            continue;
        }
        let request = |b: &mut Body, token: &str| {
            let args = [
                rust_str(method),
                uri.to_owned(),
                token.to_owned(),
                body_arg.to_owned(),
            ];
            b.call("let response = app.", "request", &args, ".await;");
        };
        tests.add(
            &format!("{name} without token is 401"),
            &format!("`{method}` without a token: 401 asking for a bearer token."),
            |b| {
                prelude(b);
                request(b, "None");
                b.line("assert_eq!(response.status, StatusCode::UNAUTHORIZED);");
                b.line("let challenge = response.header(header::WWW_AUTHENTICATE);");
                b.line("assert_eq!(challenge, Some(\"Bearer\"));");
            },
        );
        tests.add(
            &format!("{name} with invalid token is 401"),
            &format!(
                "`{method}` with a token that is malformed, forged, expired or lacks a claim: 401."
            ),
            |b| {
                prelude(b);
                b.open("for (what, token) in invalid_tokens()");
                request(b, "Some(&token)");
                b.line("assert_eq!(response.status, StatusCode::UNAUTHORIZED, \"{what}\");");
                b.line("let challenge = response.header(header::WWW_AUTHENTICATE);");
                b.line("assert_eq!(challenge, Some(\"Bearer\"), \"{what}\");");
                b.close("}");
            },
        );
        let roles = subject
            .entity
            .entity
            .permissions
            .roles(op)
            .unwrap_or_default();
        if let Some(first) = roles.first() {
            tests.add(
                &format!("{name} without role is 403"),
                &format!(
                    "`{method}` needs one of the roles {}: 403 without, served with {}.",
                    roles
                        .iter()
                        .map(|r| rust_str(r))
                        .collect::<Vec<_>>()
                        .join(", "),
                    rust_str(first)
                ),
                |b| {
                    prelude(b);
                    b.line("let token = app.token(&[]);");
                    request(b, "Some(&token)");
                    b.line("assert_eq!(response.status, StatusCode::FORBIDDEN);");
                    b.call(
                        "let token = app.",
                        "token",
                        &[format!("&[{}]", rust_str(first))],
                        ";",
                    );
                    request(b, "Some(&token)");
                    b.line("assert_ne!(response.status, StatusCode::FORBIDDEN);");
                    b.line("assert_ne!(response.status, StatusCode::UNAUTHORIZED);");
                },
            );
        }
    }
}
