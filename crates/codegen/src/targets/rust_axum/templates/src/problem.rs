//! Errors as `application/problem+json` (RFC 9457).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// One problem with one part of a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SfFieldError {
    /// The JSON property, `body`, `query.<name>` or `path.id`.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

/// An error response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SfProblem {
    /// The HTTP status.
    pub status: StatusCode,
    /// What happened.
    pub detail: String,
    /// The problems, field by field.
    pub errors: Vec<SfFieldError>,
}

impl SfProblem {
    /// A problem without field errors.
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        SfProblem {
            status,
            detail: detail.into(),
            errors: Vec::new(),
        }
    }

    /// A problem with one field error.
    pub fn field(status: StatusCode, field: impl Into<String>, message: impl Into<String>) -> Self {
        SfProblem::fields(status, vec![sf_error(field, message)])
    }

    /// A problem with field errors.
    pub fn fields(status: StatusCode, errors: Vec<SfFieldError>) -> Self {
        let detail = if status == StatusCode::CONFLICT {
            "the request conflicts with the stored data"
        } else {
            "the request is not valid"
        };
        SfProblem {
            status,
            detail: detail.to_owned(),
            errors,
        }
    }

    /// 422 with one field error.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        SfProblem::field(StatusCode::UNPROCESSABLE_ENTITY, field, message)
    }

    /// 404.
    pub fn not_found() -> Self {
        SfProblem::new(StatusCode::NOT_FOUND, "no such resource")
    }

    /// 500, for errors the client cannot fix.
    pub fn internal(error: impl std::fmt::Display) -> Self {
        tracing_error(&error);
        SfProblem::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
    }
}

fn tracing_error(error: &dyn std::fmt::Display) {
    eprintln!("internal error: {error}");
}

/// A field error.
pub fn sf_error(field: impl Into<String>, message: impl Into<String>) -> SfFieldError {
    SfFieldError {
        field: field.into(),
        message: message.into(),
    }
}

impl From<sqlx::Error> for SfProblem {
    fn from(error: sqlx::Error) -> Self {
        SfProblem::internal(error)
    }
}

impl IntoResponse for SfProblem {
    fn into_response(self) -> Response {
        let mut body = json!({
            "type": "about:blank",
            "title": self.status.canonical_reason().unwrap_or("Error"),
            "status": self.status.as_u16(),
            "detail": self.detail,
        });
        if !self.errors.is_empty() {
            body["errors"] = Value::Array(
                self.errors
                    .iter()
                    .map(|e| json!({"field": e.field, "message": e.message}))
                    .collect(),
            );
        }
        let mut response = (self.status, body.to_string()).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}
