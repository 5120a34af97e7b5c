//! One error type for every handler, answered as RFC 9457 `application/problem+json`.
//!
//! Handlers return `Result<_, ApiError>` and use `?` on storage results: the `From<StoreError>`
//! conversion decides the status, so no handler matches on storage errors. Internal causes are
//! logged once here, with the request id of the current span, and never sent to the client.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::store::StoreError;

/// The media type of problem documents.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// One field-level problem of a request body or query.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// The field, as a JSON Pointer-like dotted name (`name`, `description`).
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

impl FieldError {
    /// A problem with `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// An RFC 9457 problem document.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the problem type (`about:blank` or a specforge problem page).
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary of the problem type.
    pub title: String,
    /// HTTP status.
    pub status: u16,
    /// What went wrong in this case.
    pub detail: String,
    /// Stable snake_case code clients can match on.
    pub code: String,
    /// Field-level problems, for validation failures.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
    /// The diagnostics of a specification that cannot be generated, each as
    /// `GET /specs/{id}` shows them.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub diagnostics: Option<serde_json::Value>,
}

/// Every error a handler can answer.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request is malformed (bad JSON, bad query, bad header).
    #[error("{0}")]
    BadRequest(String),
    /// 401: no valid access token.
    #[error("{0}")]
    Unauthorized(String),
    /// 403: authenticated but not allowed.
    #[error("{0}")]
    Forbidden(String),
    /// 404: no such resource (or not the caller's).
    #[error("{0}")]
    NotFound(String),
    /// 405: the path exists with other methods.
    #[error("method not allowed")]
    MethodNotAllowed {
        /// The `Allow` header value.
        allow: Option<HeaderValue>,
    },
    /// 409: conflicts with the current state (a taken name).
    #[error("{0}")]
    Conflict(String),
    /// 412: `If-Match` does not match the current revision.
    #[error("{0}")]
    PreconditionFailed(String),
    /// 413: the body is larger than `MAX_BODY_BYTES`.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// 415: the body is not `application/json`.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 422: the body is well-formed but its values are not acceptable.
    #[error("{detail}")]
    Validation {
        /// Summary.
        detail: String,
        /// Field-level problems.
        errors: Vec<FieldError>,
    },
    /// 422: the specification's revision has errors, so it cannot be generated.
    #[error("{detail}")]
    InvalidSpec {
        /// Summary.
        detail: String,
        /// One field problem per error diagnostic.
        errors: Vec<FieldError>,
        /// Every diagnostic, as stored.
        diagnostics: serde_json::Value,
    },
    /// 503: a dependency (the database) is unavailable, or the request took too long.
    #[error("{0}")]
    Unavailable(String),
    /// 500: a bug or an unexpected failure; the cause is logged, not sent.
    #[error("internal error: {0}")]
    Internal(#[source] anyhow::Error),
}

impl ApiError {
    /// A 422 with one field problem.
    pub fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        ApiError::Validation {
            detail: format!("`{field}` {message}"),
            errors: vec![FieldError::new(field, message)],
        }
    }

    /// A 404 naming the kind of resource.
    pub fn not_found(what: &str) -> Self {
        ApiError::NotFound(format!("{what} not found"))
    }

    /// Status, stable code and title.
    pub fn parts(&self) -> (StatusCode, &'static str, &'static str) {
        match self {
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request", "Bad request"),
            ApiError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized", "Unauthorized"),
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden", "Forbidden"),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found", "Not found"),
            ApiError::MethodNotAllowed { .. } => (
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "Method not allowed",
            ),
            ApiError::Conflict(_) => (StatusCode::CONFLICT, "conflict", "Conflict"),
            ApiError::PreconditionFailed(_) => (
                StatusCode::PRECONDITION_FAILED,
                "precondition_failed",
                "Precondition failed",
            ),
            ApiError::PayloadTooLarge(_) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "Payload too large",
            ),
            ApiError::UnsupportedMediaType(_) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Unsupported media type",
            ),
            ApiError::Validation { .. } | ApiError::InvalidSpec { .. } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                "Validation failed",
            ),
            ApiError::Unavailable(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "service_unavailable",
                "Service unavailable",
            ),
            ApiError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
                "Internal server error",
            ),
        }
    }

    /// The problem document sent to the client.
    pub fn problem(&self) -> Problem {
        let (status, code, title) = self.parts();
        let detail = match self {
            ApiError::Internal(_) => "an unexpected error occurred; it has been logged".to_string(),
            other => other.to_string(),
        };
        let errors = match self {
            ApiError::Validation { errors, .. } | ApiError::InvalidSpec { errors, .. } => {
                Some(errors.clone())
            }
            _ => None,
        };
        let diagnostics = match self {
            ApiError::InvalidSpec { diagnostics, .. } => Some(diagnostics.clone()),
            _ => None,
        };
        Problem {
            kind: format!("https://specforge.dev/problems/{}", code.replace('_', "-")),
            title: title.to_string(),
            status: status.as_u16(),
            detail,
            code: code.to_string(),
            errors,
            diagnostics,
        }
    }
}

/// A problem+json response with `status` and the given parts (for middleware and fallbacks).
pub fn problem_response(problem: &Problem) -> Response {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_vec(problem).unwrap_or_else(|_| b"{}".to_vec());
    let mut response = (status, body).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    response
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self {
            ApiError::Internal(cause) => {
                tracing::error!(error = %format!("{cause:#}"), "internal error")
            }
            ApiError::Unavailable(reason) => tracing::warn!(%reason, "service unavailable"),
            _ => {}
        }
        let mut response = problem_response(&self.problem());
        if let ApiError::MethodNotAllowed { allow: Some(allow) } = &self {
            response.headers_mut().insert(header::ALLOW, allow.clone());
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Conflict(what) => ApiError::Conflict(format!("{what} is already taken")),
            StoreError::UnknownUser => {
                ApiError::Unauthorized("the user of this access token no longer exists".into())
            }
            StoreError::RevisionMismatch { expected, current } => {
                ApiError::PreconditionFailed(format!(
                    "If-Match names revision {expected}, but the current revision is {current}"
                ))
            }
            StoreError::Unavailable(cause) => {
                tracing::warn!(%cause, "database unavailable");
                ApiError::Unavailable("the database is busy or unreachable; try again".into())
            }
            other => ApiError::Internal(other.into()),
        }
    }
}
