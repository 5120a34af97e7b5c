//! The whole HTTP application: the route table, the fallbacks, and the layers every request
//! crosses.
//!
//! [`router`] is the application as it is served. [`router_with`] is the same application with
//! extra routes mounted under the same layers, for tests that need a handler the real routes do
//! not have (one that panics, one that is slow).
//!
//! The layers, from the outside in: the request id (accepted or made, echoed on every
//! response), the trace span that carries it into every log line, panic recovery, the mapping of
//! bare error responses to problem documents, the request timeout, and the body limit.

use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnFailure, DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::error::ApiError;
use crate::middleware::{DeclaredSizeLayer, ProblemLayer, REQUEST_ID, RequestIdLayer};
use crate::routes;
use crate::state::AppState;

/// The application: every route, the fallbacks, and the layers.
pub fn router(state: AppState) -> Router {
    router_with(state, Router::new())
}

/// The application with `extra` routes merged in, under the same fallbacks and layers.
pub fn router_with(state: AppState, extra: Router<AppState>) -> Router {
    let max_body = state.config.max_body_bytes;
    let timeout = state.config.request_timeout;
    let (routes, openapi) = routes::documented_router(&state.config).split_for_parts();
    let app = Router::new()
        .merge(routes)
        .merge(routes::docs::router(openapi))
        .merge(extra)
        .fallback(not_found)
        // Set after every route is merged: it only reaches the routes registered before it.
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state);
    layers(app, max_body, timeout)
}

/// Wraps `app` in the layers every request crosses (see the module documentation).
pub fn layers(app: Router, max_body_bytes: usize, timeout: Duration) -> Router {
    app.layer(
        ServiceBuilder::new()
            .layer(RequestIdLayer)
            .layer(SetSensitiveRequestHeadersLayer::new([
                header::AUTHORIZATION,
                header::COOKIE,
            ]))
            .layer(
                TraceLayer::new_for_http()
                    .make_span_with(|req: &Request<_>| {
                        let id = req
                            .headers()
                            .get(REQUEST_ID)
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("-");
                        tracing::info_span!(
                            "request",
                            request_id = %id,
                            method = %req.method(),
                            path = %req.uri().path(),
                        )
                    })
                    .on_request(())
                    .on_response(DefaultOnResponse::new().level(Level::INFO))
                    .on_failure(DefaultOnFailure::new().level(Level::ERROR)),
            )
            // Outside the problem layer, which then sees the handlers' own body type and need
            // not box it again; a panic's answer is already a problem document.
            .layer(CatchPanicLayer::custom(panic_response))
            .layer(ProblemLayer)
            .layer(TimeoutLayer::with_status_code(
                StatusCode::SERVICE_UNAVAILABLE,
                timeout,
            ))
            .layer(DeclaredSizeLayer {
                max: max_body_bytes,
            })
            .layer(DefaultBodyLimit::max(max_body_bytes)),
    )
}

async fn not_found() -> ApiError {
    ApiError::NotFound("no route matches this path".into())
}

async fn method_not_allowed() -> ApiError {
    // The router adds `Allow` to what this returns (it only fills a header that is missing).
    ApiError::MethodNotAllowed { allow: None }
}

fn panic_response(_panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    // The panic hook installed by `logging::init` has logged the message and location, inside
    // the request's span; the client learns only that something failed.
    ApiError::Internal(anyhow::anyhow!("a request handler panicked")).into_response()
}
