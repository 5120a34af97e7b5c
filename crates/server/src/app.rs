//! The whole HTTP application: state, the route table, and the layers every request crosses.
//!
//! [`router`] is the application as it is served. [`router_with`] is the same application with
//! extra routes mounted under the same layers, for tests that need a handler the real routes do
//! not have (one that panics, one that is slow).
//!
//! The layers, from the outside in: the request id (accepted or made, echoed on every
//! response), the trace span that carries it into every log line, panic recovery, the mapping of
//! bare error responses to problem documents, the request timeout, and the body limit.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt as _;
use pin_project_lite::pin_project;
use tower::{Layer, Service, ServiceBuilder};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnFailure, DefaultOnResponse, TraceLayer};
use tracing::Level;
use uuid::Uuid;

use crate::auth::{HasKeys, Keys};
use crate::config::Config;
use crate::error::{ApiError, Problem, problem_response};
use crate::routes;
use crate::store::Store;

/// Header carrying the request id, accepted from the client or made here, and echoed back.
pub const REQUEST_ID: header::HeaderName = header::HeaderName::from_static("x-request-id");

/// Longest request id accepted from a client; a longer one is replaced.
pub const MAX_REQUEST_ID_LEN: usize = 128;

/// What every handler can reach.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// Token keys.
    pub keys: Arc<Keys>,
    /// Configuration.
    pub config: Arc<Config>,
    /// When the service started.
    pub started: Instant,
}

impl AppState {
    /// State from its parts.
    pub fn new(store: Store, keys: Arc<Keys>, config: Arc<Config>) -> Self {
        AppState {
            store,
            keys,
            config,
            started: Instant::now(),
        }
    }
}

impl HasKeys for AppState {
    fn keys(&self) -> &Arc<Keys> {
        &self.keys
    }
}

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
///
/// The request id, problem and size layers are written out as tower services rather than
/// `middleware::from_fn`, which clones and boxes the rest of the stack for every request: on the
/// hot path they allocate nothing.
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

/// Whether a client's request id can be logged and echoed as it is.
pub fn is_sane_request_id(value: &[u8]) -> bool {
    !value.is_empty()
        && value.len() <= MAX_REQUEST_ID_LEN
        && value.iter().all(|b| (0x21..=0x7e).contains(b))
}

/// Keeps a sane `X-Request-Id` from the client or replaces it with a new UUID, and echoes it on
/// the response, whatever layer or handler produced that response.
#[derive(Clone, Copy, Debug)]
struct RequestIdLayer;

impl<S> Layer<S> for RequestIdLayer {
    type Service = RequestIdService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequestIdService { inner }
    }
}

#[derive(Clone, Debug)]
struct RequestIdService<S> {
    inner: S,
}

impl<S, B> Service<Request> for RequestIdService<S>
where
    S: Service<Request, Response = Response<B>>,
{
    type Response = Response<B>;
    type Error = S::Error;
    type Future = RequestIdFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request) -> Self::Future {
        let id = match req.headers().get(REQUEST_ID) {
            Some(v) if is_sane_request_id(v.as_bytes()) => v.clone(),
            _ => {
                let made = HeaderValue::from_str(&Uuid::now_v7().to_string());
                // A UUID is always a valid header value; the fallback only satisfies the types.
                made.unwrap_or_else(|_| HeaderValue::from_static("-"))
            }
        };
        req.headers_mut().insert(REQUEST_ID, id.clone());
        RequestIdFuture {
            inner: self.inner.call(req),
            id: Some(id),
        }
    }
}

pin_project! {
    /// The response of [`RequestIdService`], with the request id set.
    struct RequestIdFuture<F> {
        #[pin]
        inner: F,
        id: Option<HeaderValue>,
    }
}

impl<F, B, E> Future for RequestIdFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut response = ready!(this.inner.poll(cx))?;
        if let Some(id) = this.id.take() {
            response.headers_mut().insert(REQUEST_ID, id);
        }
        Poll::Ready(Ok(response))
    }
}

/// Answers 413 before reading a body whose declared length is already over the limit; bodies
/// without `Content-Length` are cut off while they are read (`DefaultBodyLimit`).
#[derive(Clone, Copy, Debug)]
struct DeclaredSizeLayer {
    max: usize,
}

impl<S> Layer<S> for DeclaredSizeLayer {
    type Service = DeclaredSizeService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        DeclaredSizeService {
            inner,
            max: self.max,
        }
    }
}

#[derive(Clone, Debug)]
struct DeclaredSizeService<S> {
    inner: S,
    max: usize,
}

impl<S> Service<Request> for DeclaredSizeService<S>
where
    S: Service<Request, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = EarlyOr<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let max = self.max;
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > max as u64) {
            return EarlyOr::Early {
                response: Some(
                    ApiError::PayloadTooLarge(format!(
                        "the request body is larger than the {max} bytes this server accepts"
                    ))
                    .into_response(),
                ),
            };
        }
        EarlyOr::Inner {
            inner: self.inner.call(req),
        }
    }
}

pin_project! {
    /// A response known before the inner service is called, or the inner service's.
    #[project = EarlyOrProj]
    enum EarlyOr<F> {
        Early { response: Option<Response> },
        Inner { #[pin] inner: F },
    }
}

impl<F, E> Future for EarlyOr<F>
where
    F: Future<Output = Result<Response, E>>,
{
    type Output = Result<Response, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            EarlyOrProj::Early { response } => match response.take() {
                Some(response) => Poll::Ready(Ok(response)),
                // Polled again after it completed: a contract breach by the caller.
                None => Poll::Pending,
            },
            EarlyOrProj::Inner { inner } => inner.poll(cx),
        }
    }
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

/// Largest error body from a layer or an extractor that is read to reuse as a problem's detail.
const MAX_REUSED_DETAIL: usize = 1024;

/// Turns error responses that are not problem documents (an empty 405 from the router, the
/// timeout's 503, a plain-text rejection of an axum extractor) into problem documents with the
/// same status and headers. Responses that already have a JSON body, and every answer to a
/// `HEAD` request, are left alone; only a response that is rewritten costs an allocation.
#[derive(Clone, Copy, Debug)]
struct ProblemLayer;

impl<S> Layer<S> for ProblemLayer {
    type Service = ProblemService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        ProblemService { inner }
    }
}

#[derive(Clone, Debug)]
struct ProblemService<S> {
    inner: S,
}

impl<S, B> Service<Request> for ProblemService<S>
where
    S: Service<Request, Response = Response<B>>,
    B: axum::body::HttpBody<Data = axum::body::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = ProblemFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let head_request = req.method() == Method::HEAD;
        ProblemFuture::Inner {
            inner: self.inner.call(req),
            head_request,
        }
    }
}

pin_project! {
    /// The inner response, then (only when it must be rewritten) the rewriting.
    #[project = ProblemProj]
    enum ProblemFuture<F> {
        Inner { #[pin] inner: F, head_request: bool },
        Rewriting { rewrite: Pin<Box<dyn Future<Output = Response> + Send>> },
    }
}

impl<F, B, E> Future for ProblemFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
    B: axum::body::HttpBody<Data = axum::body::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    type Output = Result<Response, E>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        loop {
            match self.as_mut().project() {
                ProblemProj::Inner {
                    inner,
                    head_request,
                } => {
                    let response = ready!(inner.poll(cx))?.map(Body::new);
                    match needs_problem(&response, *head_request) {
                        None => return Poll::Ready(Ok(response)),
                        Some(content_type) => {
                            let rewrite = Box::pin(into_problem(response, content_type));
                            self.set(ProblemFuture::Rewriting { rewrite });
                        }
                    }
                }
                ProblemProj::Rewriting { rewrite } => return rewrite.as_mut().poll(cx).map(Ok),
            }
        }
    }
}

/// The (lowercase) content type of an error response that is not a problem document yet, or
/// `None` when the response stays as it is.
fn needs_problem(response: &Response, head_request: bool) -> Option<String> {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || head_request {
        return None;
    }
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    (!content_type.contains("json")).then_some(content_type)
}

/// The problem document for an error response, keeping its status and headers.
async fn into_problem(response: Response, content_type: String) -> Response {
    let status = response.status();
    let (parts, body) = response.into_parts();
    // Only short plain-text bodies of client errors describe the client's own input; anything
    // else (and every server error) gets a fixed description.
    let detail = if status.is_client_error() && content_type.starts_with("text/plain") {
        read_short_text(body).await
    } else {
        None
    };
    let problem = problem_for(status, detail);
    let mut mapped = problem_response(&problem);
    copy_headers(&parts.headers, mapped.headers_mut());
    mapped
}

async fn read_short_text(body: Body) -> Option<String> {
    let limited = http_body_util::Limited::new(body, MAX_REUSED_DETAIL);
    let bytes = limited.collect().await.ok()?.to_bytes();
    let text = String::from_utf8(bytes.to_vec()).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// Keeps the headers of the original response that still describe the new one.
fn copy_headers(from: &HeaderMap, to: &mut HeaderMap) {
    for (name, value) in from {
        if name == header::CONTENT_TYPE
            || name == header::CONTENT_LENGTH
            || name == header::CONTENT_ENCODING
            || name == header::TRANSFER_ENCODING
        {
            continue;
        }
        to.append(name.clone(), value.clone());
    }
}

/// The problem document for a bare error `status`.
fn problem_for(status: StatusCode, detail: Option<String>) -> Problem {
    let (code, default_detail) = match status {
        StatusCode::BAD_REQUEST => ("bad_request", "the request is not valid"),
        StatusCode::UNAUTHORIZED => ("unauthorized", "a valid access token is required"),
        StatusCode::FORBIDDEN => ("forbidden", "this action is not allowed"),
        StatusCode::NOT_FOUND => ("not_found", "no resource exists at this path"),
        StatusCode::METHOD_NOT_ALLOWED => (
            "method_not_allowed",
            "this path does not accept this method; see the Allow header",
        ),
        StatusCode::CONFLICT => ("conflict", "the request conflicts with the current state"),
        StatusCode::PAYLOAD_TOO_LARGE => (
            "payload_too_large",
            "the request body is larger than this server accepts",
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "unsupported_media_type",
            "the request body has an unsupported media type",
        ),
        StatusCode::UNPROCESSABLE_ENTITY => {
            ("validation_failed", "the request has unacceptable values")
        }
        StatusCode::TOO_MANY_REQUESTS => ("rate_limited", "too many requests; try again later"),
        StatusCode::SERVICE_UNAVAILABLE => (
            "service_unavailable",
            "the service could not answer in time; try again",
        ),
        StatusCode::GATEWAY_TIMEOUT => ("timeout", "the request took too long"),
        s if s.is_server_error() => ("internal_error", "an unexpected error occurred"),
        _ => ("bad_request", "the request cannot be served"),
    };
    let title = status.canonical_reason().unwrap_or("Error").to_string();
    Problem {
        kind: format!("https://specforge.dev/problems/{}", code.replace('_', "-")),
        title,
        status: status.as_u16(),
        detail: detail.unwrap_or_else(|| default_detail.to_string()),
        code: code.to_string(),
        errors: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_accepted_only_when_short_and_visible_ascii() {
        assert!(is_sane_request_id(b"abc-123"));
        assert!(is_sane_request_id(&[b'a'; 128]));
        assert!(!is_sane_request_id(&[b'a'; 129]));
        assert!(!is_sane_request_id(b""));
        assert!(!is_sane_request_id(b"has space"));
        assert!(!is_sane_request_id("caf\u{e9}".as_bytes()));
        assert!(!is_sane_request_id(b"line\nbreak"));
    }

    #[test]
    fn bare_statuses_map_to_stable_codes() {
        assert_eq!(
            problem_for(StatusCode::METHOD_NOT_ALLOWED, None).code,
            "method_not_allowed"
        );
        assert_eq!(
            problem_for(StatusCode::SERVICE_UNAVAILABLE, None).code,
            "service_unavailable"
        );
        let p = problem_for(StatusCode::BAD_REQUEST, Some("Invalid URL".into()));
        assert_eq!((p.status, p.detail.as_str()), (400, "Invalid URL"));
        assert_eq!(
            problem_for(StatusCode::BAD_GATEWAY, None).code,
            "internal_error"
        );
    }
}
