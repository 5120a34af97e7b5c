//! Error responses that are not problem documents (an empty 405 from the router, the timeout's
//! 503, a plain-text rejection of an axum extractor) become problem documents with the same
//! status and headers.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::Response;
use http_body_util::BodyExt as _;
use pin_project_lite::pin_project;
use tower::{Layer, Service};

use crate::error::{Problem, problem_response};

/// Largest error body from a layer or an extractor that is read to reuse as a problem's detail.
const MAX_REUSED_DETAIL: usize = 1024;

/// Rewrites bare error responses as problem documents. Responses that already have a JSON body,
/// and every answer to a `HEAD` request, are left alone; only a response that is rewritten costs
/// an allocation.
#[derive(Clone, Copy, Debug)]
pub struct ProblemLayer;

impl<S> Layer<S> for ProblemLayer {
    type Service = ProblemService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        ProblemService { inner }
    }
}

/// The service of [`ProblemLayer`].
#[derive(Clone, Debug)]
pub struct ProblemService<S> {
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
    pub enum ProblemFuture<F> {
        /// Waiting for the inner service.
        Inner { #[pin] inner: F, head_request: bool },
        /// Reading the bare response's body to make the problem document.
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
        diagnostics: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
