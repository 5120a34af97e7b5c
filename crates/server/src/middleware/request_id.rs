//! `X-Request-Id`: kept from the client when it is sane, made here otherwise, and echoed on
//! every response, whatever layer or handler produced it.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use pin_project_lite::pin_project;
use tower::{Layer, Service};
use uuid::Uuid;

/// Header carrying the request id, accepted from the client or made here, and echoed back.
pub const REQUEST_ID: header::HeaderName = header::HeaderName::from_static("x-request-id");

/// Longest request id accepted from a client; a longer one is replaced.
pub const MAX_REQUEST_ID_LEN: usize = 128;

/// Whether a client's request id can be logged and echoed as it is.
pub fn is_sane_request_id(value: &[u8]) -> bool {
    !value.is_empty()
        && value.len() <= MAX_REQUEST_ID_LEN
        && value.iter().all(|b| (0x21..=0x7e).contains(b))
}

/// Keeps a sane `X-Request-Id` from the client or replaces it with a new UUID, and echoes it on
/// the response.
#[derive(Clone, Copy, Debug)]
pub struct RequestIdLayer;

impl<S> Layer<S> for RequestIdLayer {
    type Service = RequestIdService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequestIdService { inner }
    }
}

/// The service of [`RequestIdLayer`].
#[derive(Clone, Debug)]
pub struct RequestIdService<S> {
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
    pub struct RequestIdFuture<F> {
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
}
