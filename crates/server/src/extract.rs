//! Extractors whose rejections are problem documents.
//!
//! [`ApiJson`] reads a JSON body: a wrong content type is 415, a body over `MAX_BODY_BYTES` is
//! 413, malformed JSON is 400, and well-formed JSON with wrong, missing or unknown fields is 422
//! with the field named. [`ApiQuery`] does the same for query strings (400).

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, FieldError};

/// A JSON request body of type `T` (which should use `#[serde(deny_unknown_fields)]`).
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

fn is_json(content_type: &str) -> bool {
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
}

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !is_json(content_type) {
            return Err(ApiError::UnsupportedMediaType(if content_type.is_empty() {
                "the request body must be JSON: send `Content-Type: application/json`".into()
            } else {
                format!("the request body must be JSON, not `{content_type}`")
            }));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge(
                    "the request body is larger than the server accepts".into(),
                )
            } else {
                ApiError::BadRequest(format!("the request body could not be read: {rejection}"))
            }
        })?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// Parses a JSON body: syntax errors are 400, shape errors 422 naming the field.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().to_string();
        body_error(path, err.into_inner(), bytes)
    })?;
    de.end().map_err(|e| {
        ApiError::BadRequest(format!(
            "the request body is not valid JSON: {}",
            syntax_message(&e)
        ))
    })?;
    Ok(value)
}

/// The problem for a body that failed to deserialize.
fn body_error(path: String, err: serde_json::Error, bytes: &[u8]) -> ApiError {
    if err.is_syntax() || err.is_eof() {
        return malformed(&err);
    }
    // serde stops at the first problem: a type error early in a body that is not even JSON
    // further on is still malformed JSON, which is a 400.
    if let Err(syntax) = serde_json::from_slice::<serde::de::IgnoredAny>(bytes) {
        return malformed(&syntax);
    }
    let field = if path == "." { String::new() } else { path };
    let message = syntax_message(&err);
    ApiError::Validation {
        detail: if field.is_empty() {
            message.clone()
        } else {
            format!("`{field}`: {message}")
        },
        errors: vec![FieldError::new(field, message)],
    }
}

fn malformed(err: &serde_json::Error) -> ApiError {
    ApiError::BadRequest(format!(
        "the request body is not valid JSON: {} at line {}, column {}",
        syntax_message(err),
        err.line(),
        err.column()
    ))
}

fn syntax_message(err: &serde_json::Error) -> String {
    // serde_json appends " at line L column C"; we report the position ourselves.
    let text = err.to_string();
    match text.find(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// A query string of type `T`; a bad one is a 400 naming the parameter.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded_deserializer(query);
        de.map(ApiQuery)
    }
}

fn serde_urlencoded_deserializer<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    axum::extract::Query::<T>::try_from_uri(
        &format!("/?{query}")
            .parse()
            .map_err(|_| ApiError::BadRequest("the query string is not valid".into()))?,
    )
    .map(|q| q.0)
    .map_err(|e| ApiError::BadRequest(format!("invalid query: {}", e.body_text())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        name: String,
    }

    #[test]
    fn malformed_json_is_a_bad_request_and_wrong_fields_are_validation_errors() {
        assert!(matches!(
            parse_json::<Body>(b"{\"name\": "),
            Err(ApiError::BadRequest(_))
        ));
        assert!(matches!(
            parse_json::<Body>(b"{\"name\": \"a\"} x"),
            Err(ApiError::BadRequest(_))
        ));
        match parse_json::<Body>(b"{\"name\": \"a\", \"owner\": 1}") {
            Err(ApiError::Validation { errors, .. }) => {
                assert!(errors[0].message.contains("unknown field `owner`"))
            }
            other => panic!("{other:?}"),
        }
        match parse_json::<Body>(b"{\"name\": 5}") {
            Err(ApiError::Validation { errors, .. }) => assert_eq!(errors[0].field, "name"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn json_media_types_are_recognised() {
        assert!(is_json("application/json"));
        assert!(is_json("application/json; charset=utf-8"));
        assert!(is_json("application/merge-patch+json"));
        assert!(!is_json("text/plain"));
        assert!(!is_json(""));
    }
}
