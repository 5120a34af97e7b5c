//! 413 before reading a body whose declared length is already over the limit; bodies without
//! `Content-Length` are cut off while they are read (`DefaultBodyLimit`).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::extract::Request;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use pin_project_lite::pin_project;
use tower::{Layer, Service};

use crate::error::ApiError;

/// Answers 413 to a request whose `Content-Length` is over `max` bytes.
#[derive(Clone, Copy, Debug)]
pub struct DeclaredSizeLayer {
    /// The largest body accepted, in bytes.
    pub max: usize,
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

/// The service of [`DeclaredSizeLayer`].
#[derive(Clone, Debug)]
pub struct DeclaredSizeService<S> {
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
    pub enum EarlyOr<F> {
        /// Answered here.
        Early { response: Option<Response> },
        /// Answered by the inner service.
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
