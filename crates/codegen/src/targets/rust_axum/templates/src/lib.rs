//! The HTTP API: [`app`] builds the router, [`db::sf_connect`] opens the database.

pub mod api;
pub mod auth;
pub mod db;
#[rustfmt::skip]
pub mod entities;
pub mod meta;
pub mod problem;
pub mod validate;

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

pub use api::SfState;
use problem::SfProblem;

/// The OpenAPI document of this API.
pub const OPENAPI: &str = include_str!("../openapi.json");

/// The router: `/health`, `/openapi.json` and the API of every entity under `/api`.
pub fn app(state: SfState) -> Router {
    let mut router = Router::new()
        .route("/health", get(sf_health))
        .route("/openapi.json", get(sf_openapi));
    for entity in entities::SF_ENTITIES {
        router = router.merge(api::sf_routes(entity));
    }
    router
        .fallback(sf_not_found)
        .method_not_allowed_fallback(sf_method_not_allowed)
        .with_state(state)
}

async fn sf_health() -> Response {
    sf_json_text(r#"{"status":"ok"}"#)
}

async fn sf_openapi() -> Response {
    sf_json_text(OPENAPI)
}

fn sf_json_text(text: &'static str) -> Response {
    let mut response = text.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

async fn sf_not_found() -> SfProblem {
    SfProblem::new(StatusCode::NOT_FOUND, "no such route")
}

async fn sf_method_not_allowed() -> SfProblem {
    SfProblem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "this path does not take this method",
    )
}
