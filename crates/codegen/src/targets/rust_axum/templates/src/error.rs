//! Errors: one [`AppError`] for every handler, answered as `application/problem+json`
//! (RFC 9457) with the problems field by field.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// One problem with one part of a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The JSON property, `body`, `query.<name>` or `path.id`.
    pub field: String,
    /// What is wrong.
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

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 401: no valid bearer token.
    #[error("a valid bearer token is required")]
    Unauthorized,
    /// 403: the token lacks the roles the operation needs.
    #[error("the token lacks the roles this operation needs")]
    Forbidden,
    /// 404: no such resource.
    #[error("no such resource")]
    NotFound,
    /// 404: no such route.
    #[error("no such route")]
    NoRoute,
    /// 405: the path does not take the method.
    #[error("this path does not take this method")]
    MethodNotAllowed,
    /// 409: the request conflicts with stored rows.
    #[error("the request conflicts with the stored data")]
    Conflict(Vec<FieldError>),
    /// 409: other rows refer to the resource.
    #[error("other rows refer to this resource")]
    Referenced,
    /// 422: the request is not valid.
    #[error("the request is not valid")]
    Invalid(Vec<FieldError>),
    /// 500: a fault the client cannot fix (logged, never sent).
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl AppError {
    /// 422 with one problem: `field` (a property name) and what is wrong with it.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::Invalid(vec![FieldError::new(field, message)])
    }

    /// 409: the value of `field` is taken.
    pub fn taken(field: impl Into<String>) -> Self {
        AppError::Conflict(vec![FieldError::new(field, "this value is taken")])
    }

    /// 500 for `error`.
    pub fn internal(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        AppError::Internal(error.into())
    }

    /// Maps a failed write to `table`: a unique violation names its property (`unique`
    /// pairs constraint names with properties), a foreign key or check violation is 422.
    pub fn from_write(error: sqlx::Error, table: &str, unique: &[(&str, &str, &str)]) -> Self {
        let sqlx::Error::Database(db) = &error else {
            return AppError::from(error);
        };
        match db.kind() {
            sqlx::error::ErrorKind::UniqueViolation => {
                let message = db.message();
                let field = unique
                    .iter()
                    .find(|(constraint, column, _)| {
                        db.constraint() == Some(*constraint)
                            || message.ends_with(&format!("{table}.{column}"))
                    })
                    .map_or("body", |(_, _, field)| field);
                AppError::taken(field)
            }
            _ if is_foreign_key(db.as_ref()) => {
                AppError::invalid("body", "a referenced row does not exist")
            }
            sqlx::error::ErrorKind::CheckViolation | sqlx::error::ErrorKind::NotNullViolation => {
                AppError::invalid("body", db.message().to_owned())
            }
            _ => AppError::from(error),
        }
    }

    /// Maps a failed delete: rows that refer to the resource make it 409.
    pub fn from_delete(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::Database(db) if is_foreign_key(db.as_ref()) => AppError::Referenced,
            _ => AppError::from(error),
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::NotFound | AppError::NoRoute => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Conflict(_) | AppError::Referenced => StatusCode::CONFLICT,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// Whether a database error is a foreign key's (SQLite reports `RESTRICT` as a trigger's).
fn is_foreign_key(db: &dyn sqlx::error::DatabaseError) -> bool {
    db.kind() == sqlx::error::ErrorKind::ForeignKeyViolation
        || db.message().contains("FOREIGN KEY constraint failed")
}

impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        AppError::Internal(Box::new(error))
    }
}

/// The body of an error response.
#[derive(Serialize)]
struct Problem<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    title: &'static str,
    status: u16,
    detail: String,
    #[serde(skip_serializing_if = "<[FieldError]>::is_empty")]
    errors: &'a [FieldError],
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        if let AppError::Internal(source) = &self {
            tracing::error!(error = %source, "internal error");
        }
        let errors = match &self {
            AppError::Conflict(errors) | AppError::Invalid(errors) => errors.as_slice(),
            _ => &[],
        };
        let problem = Problem {
            kind: "about:blank",
            title: status.canonical_reason().unwrap_or("Error"),
            status: status.as_u16(),
            detail: self.to_string(),
            errors,
        };
        let mut response = (status, Json(problem)).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}
