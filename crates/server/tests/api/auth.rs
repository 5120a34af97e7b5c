//! `POST /auth/dev-login` and `GET /auth/me`.

use reqwest::StatusCode;
use reqwest::header::AUTHORIZATION;
use serde_json::json;
use specforge_server::auth::Keys;
use specforge_server::config::{Config, ServeArgs};
use uuid::Uuid;

use crate::databases::Backend;
use crate::helpers::{TestApp, error_fields, json_body, on_both_backends, problem};

on_both_backends!(
    dev_login_returns_a_bearer_token_and_the_user,
    dev_login_with_the_same_address_in_another_case_is_the_same_user,
    the_token_of_dev_login_opens_auth_me,
    auth_me_without_a_valid_token_is_401,
    a_token_whose_user_no_longer_exists_is_401,
    dev_login_refuses_malformed_addresses_and_long_names_with_422,
    dev_login_refuses_bodies_that_are_not_its_json_object,
);

async fn dev_login_returns_a_bearer_token_and_the_user(app: TestApp) {
    let response = app
        .post(
            "/auth/dev-login",
            None,
            &json!({ "email": "Ada@Example.com", "name": " Ada Lovelace " }),
        )
        .await;
    let body = json_body(response, StatusCode::OK).await;
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert!(body["access_token"].as_str().is_some_and(|t| t.len() > 20));
    assert!(
        body.get("refresh_token").is_none(),
        "no refresh token until refresh exists: {body}"
    );
    let user = &body["user"];
    assert_eq!(user["email"], "ada@example.com");
    assert_eq!(user["name"], "Ada Lovelace");
    assert_eq!(user["picture_url"], serde_json::Value::Null);
    assert!(Uuid::parse_str(user["id"].as_str().expect("id")).is_ok());
    assert!(
        time::OffsetDateTime::parse(
            user["created_at"].as_str().expect("created_at"),
            &time::format_description::well_known::Rfc3339
        )
        .is_ok()
    );
}

async fn dev_login_with_the_same_address_in_another_case_is_the_same_user(app: TestApp) {
    let first = app.login("grace@example.com").await;
    let second = app.login("GRACE@example.COM").await;
    let other = app.login("linus@example.com").await;
    assert_eq!(first["user"]["id"], second["user"]["id"]);
    assert_ne!(first["user"]["id"], other["user"]["id"]);
}

async fn the_token_of_dev_login_opens_auth_me(app: TestApp) {
    let login = app.login("ada@example.com").await;
    let token = login["access_token"].as_str().expect("token");
    let me = json_body(app.get("/auth/me", Some(token)).await, StatusCode::OK).await;
    assert_eq!(me["id"], login["user"]["id"]);
    assert_eq!(me["email"], "ada@example.com");
    assert_eq!(me["created_at"], login["user"]["created_at"]);
    let mut keys: Vec<_> = me
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, ["created_at", "email", "id", "name", "picture_url"]);
}

async fn auth_me_without_a_valid_token_is_401(app: TestApp) {
    problem(
        app.get("/auth/me", None).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    problem(
        app.get("/auth/me", Some("not-a-token")).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    let foreign = Keys::from_secret(&[9; 48], std::time::Duration::from_secs(900))
        .issue(Uuid::now_v7())
        .expect("issue")
        .token;
    problem(
        app.get("/auth/me", Some(&foreign)).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    let token = app.dev_login("ada@example.com").await;
    let basic = app
        .client
        .get(app.url("/auth/me"))
        .header(AUTHORIZATION, format!("Basic {token}"))
        .send()
        .await
        .expect("GET");
    problem(basic, StatusCode::UNAUTHORIZED, "unauthorized").await;
}

async fn a_token_whose_user_no_longer_exists_is_401(app: TestApp) {
    let token = app.token_for(Uuid::now_v7());
    let body = problem(
        app.get("/auth/me", Some(&token)).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("no longer exists")),
        "{body}"
    );
}

async fn dev_login_refuses_malformed_addresses_and_long_names_with_422(app: TestApp) {
    for email in [
        "",
        "ada",
        "ada@",
        "@example.com",
        "ada@example",
        "ada@@example.com",
        "ada @example.com",
        "ada@example..com",
    ] {
        let response = app
            .post("/auth/dev-login", None, &json!({ "email": email }))
            .await;
        let body = problem(
            response,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_eq!(error_fields(&body), ["email"], "{email:?}: {body}");
    }
    let long = format!("{}@example.com", "a".repeat(243));
    let response = app
        .post("/auth/dev-login", None, &json!({ "email": long }))
        .await;
    let body = problem(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(error_fields(&body), ["email"]);
    let response = app
        .post(
            "/auth/dev-login",
            None,
            &json!({ "email": "nope", "name": "n".repeat(101) }),
        )
        .await;
    let body = problem(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(error_fields(&body), ["email", "name"]);
    // The longest accepted values still pass.
    let response = app
        .post(
            "/auth/dev-login",
            None,
            &json!({ "email": format!("{}@example.com", "a".repeat(242)), "name": "n".repeat(100) }),
        )
        .await;
    json_body(response, StatusCode::OK).await;
}

async fn dev_login_refuses_bodies_that_are_not_its_json_object(app: TestApp) {
    let unknown = app
        .post(
            "/auth/dev-login",
            None,
            &json!({ "email": "ada@example.com", "admin": true }),
        )
        .await;
    let body = problem(
        unknown,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(body["detail"].as_str().is_some_and(|d| d.contains("admin")));
    let missing = app.post("/auth/dev-login", None, &json!({})).await;
    problem(
        missing,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let malformed = app
        .post_raw(
            "/auth/dev-login",
            None,
            Some("application/json"),
            "{\"email\": ",
        )
        .await;
    problem(malformed, StatusCode::BAD_REQUEST, "bad_request").await;
    let text = app
        .post_raw(
            "/auth/dev-login",
            None,
            Some("text/plain"),
            "{\"email\": \"ada@example.com\"}",
        )
        .await;
    problem(
        text,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
}

async fn dev_login_does_not_exist_when_it_is_disabled(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |args| {
        args.dev_login = Some("false".into());
    })
    .await
    else {
        return;
    };
    let response = app
        .post(
            "/auth/dev-login",
            None,
            &json!({ "email": "ada@example.com" }),
        )
        .await;
    problem(response, StatusCode::NOT_FOUND, "not_found").await;
    // The rest of the API is unaffected.
    problem(
        app.get("/auth/me", None).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
}

mod dev_login_does_not_exist_when_it_is_disabled {
    use crate::databases::Backend;

    #[tokio::test]
    async fn sqlite() {
        super::dev_login_does_not_exist_when_it_is_disabled(Backend::Sqlite).await;
    }

    #[tokio::test]
    async fn postgres() {
        super::dev_login_does_not_exist_when_it_is_disabled(Backend::Postgres).await;
    }
}

#[test]
fn dev_login_is_documented_only_when_it_is_enabled() {
    let paths = |dev_login: &str| {
        let config = Config::from_args(&ServeArgs {
            dev_login: Some(dev_login.into()),
            ..ServeArgs::default()
        })
        .expect("config");
        let openapi = specforge_server::routes::documented_router(&config).into_openapi();
        openapi.paths.paths.keys().cloned().collect::<Vec<_>>()
    };
    let on = paths("true");
    assert!(on.iter().any(|p| p == "/api/v1/auth/dev-login"), "{on:?}");
    assert!(on.iter().any(|p| p == "/api/v1/auth/me"));
    let off = paths("false");
    assert!(
        !off.iter().any(|p| p == "/api/v1/auth/dev-login"),
        "{off:?}"
    );
    assert!(off.iter().any(|p| p == "/api/v1/auth/me"));
}
