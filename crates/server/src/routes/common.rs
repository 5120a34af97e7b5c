//! Pieces the resource routes share: cursor pagination, ids taken from the path, and the
//! field checks that turn request text into the values the store accepts.
//!
//! Lists take [`ListParams`] and answer `{items, next_cursor}`; the cursor is opaque to clients
//! (base64url of a tagged position such as `p:<uuid>` or `r:<n>`), and a cursor made for another
//! kind of list does not decode. Every query-string problem (a limit outside 1..=100, a cursor
//! that does not decode) is a 400 `bad_request`, like a query string that does not parse.

use axum::Json;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::{DeserializeOwned, Deserializer};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;
use uuid::Uuid;

use crate::error::{ApiError, FieldError};
use crate::store::{Cursor, PageRequest};

/// Page size when `limit` is absent.
pub const DEFAULT_LIMIT: u32 = 20;
/// Largest page size.
pub const MAX_LIMIT: u32 = 100;

/// `?limit=&cursor=` of every list.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Items per page, 1 to 100 (default 20); another value is a 400 problem.
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page; omit it for the first page. A cursor that was not
    /// given by this list is a 400 problem.
    pub cursor: Option<String>,
}

/// Which list a cursor belongs to; its tag keeps a cursor of one list out of another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CursorKind {
    /// The caller's projects.
    Project,
    /// The specifications of a project.
    Spec,
    /// The revisions of a specification.
    Revision,
}

impl CursorKind {
    fn tag(self) -> &'static str {
        match self {
            CursorKind::Project => "p",
            CursorKind::Spec => "s",
            CursorKind::Revision => "r",
        }
    }
}

impl ListParams {
    /// The page the store should read.
    pub fn page(&self, kind: CursorKind) -> Result<PageRequest, ApiError> {
        let limit = match self.limit {
            None => DEFAULT_LIMIT,
            Some(n @ 1..=MAX_LIMIT) => n,
            Some(n) => {
                return Err(ApiError::BadRequest(format!(
                    "`limit` must be from 1 to {MAX_LIMIT}, not {n}"
                )));
            }
        };
        let after = match self.cursor.as_deref() {
            None | Some("") => None,
            Some(text) => Some(decode_cursor(text, kind).ok_or_else(|| {
                ApiError::BadRequest(
                    "`cursor` is not a cursor of this list; use the `next_cursor` of its previous page"
                        .into(),
                )
            })?),
        };
        Ok(PageRequest { after, limit })
    }
}

/// The opaque text of a position in a list of `kind`.
pub fn encode_cursor(kind: CursorKind, cursor: Cursor) -> String {
    let position = match cursor {
        Cursor::Id(id) => id.to_string(),
        Cursor::Revision(n) => n.to_string(),
    };
    URL_SAFE_NO_PAD.encode(format!("{}:{position}", kind.tag()))
}

/// The position a cursor of `kind` names, if it is one.
pub fn decode_cursor(text: &str, kind: CursorKind) -> Option<Cursor> {
    let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
    let text = std::str::from_utf8(&bytes).ok()?;
    let (tag, position) = text.split_once(':')?;
    if tag != kind.tag() {
        return None;
    }
    match kind {
        CursorKind::Project | CursorKind::Spec => Uuid::parse_str(position).ok().map(Cursor::Id),
        CursorKind::Revision => position
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 1)
            .map(Cursor::Revision),
    }
}

/// The `next_cursor` of a page: the position of its last item when more follow.
pub fn next_cursor<T>(
    kind: CursorKind,
    items: &[T],
    has_more: bool,
    position: impl Fn(&T) -> Cursor,
) -> Option<String> {
    if !has_more {
        return None;
    }
    items.last().map(|last| encode_cursor(kind, position(last)))
}

/// Path parameters whose rejection is a 404 problem: a path that cannot name a resource names
/// no resource.
#[derive(Clone, Debug)]
pub struct PathParams<T>(pub T);

impl<S, T> FromRequestParts<S> for PathParams<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(value)| PathParams(value))
            .map_err(|_| ApiError::NotFound("no resource has this id".into()))
    }
}

/// The id in a path; text that is not a UUID is a 404 naming `what`.
pub fn parse_id(text: &str, what: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(text).map_err(|_| ApiError::not_found(what))
}

/// A 201 answer with `Location`, the created resource, and any extra headers.
pub fn created(
    location: &str,
    extra: Option<(HeaderName, HeaderValue)>,
    body: impl Serialize,
) -> Result<Response, ApiError> {
    let value = HeaderValue::from_str(location)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("location header: {e}")))?;
    let mut response =
        (StatusCode::CREATED, [(header::LOCATION, value)], Json(body)).into_response();
    if let Some((name, value)) = extra {
        response.headers_mut().insert(name, value);
    }
    Ok(response)
}

/// A 422 listing every field problem.
pub fn validation_failed(errors: Vec<FieldError>) -> ApiError {
    let detail = match errors.as_slice() {
        [one] if one.field.is_empty() => one.message.clone(),
        [one] => format!("`{}` {}", one.field, one.message),
        many => format!("{} fields are not valid", many.len()),
    };
    ApiError::Validation { detail, errors }
}

/// Turns collected field problems into a 422, or lets the request through.
pub fn check(errors: Vec<FieldError>) -> Result<(), ApiError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(validation_failed(errors))
    }
}

/// A name: trimmed, `1..=max` characters, no control characters.
pub fn parse_name(text: &str, max: usize) -> Result<String, String> {
    let name = text.trim();
    if name.is_empty() {
        return Err("must not be empty".into());
    }
    if name.chars().count() > max {
        return Err(format!("must be at most {max} characters"));
    }
    if name.chars().any(char::is_control) {
        return Err("must not contain control characters".into());
    }
    Ok(name.to_string())
}

/// For optional fields where `null` and absence differ: absent is `None` (via
/// `#[serde(default)]`), `null` is `Some(None)`, a value is `Some(Some(v))`.
pub fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_are_bound_to_their_list() {
        let id = Uuid::now_v7();
        let text = encode_cursor(CursorKind::Project, Cursor::Id(id));
        assert!(!text.contains('='), "no padding");
        assert_eq!(
            decode_cursor(&text, CursorKind::Project),
            Some(Cursor::Id(id))
        );
        assert_eq!(decode_cursor(&text, CursorKind::Spec), None);
        let rev = encode_cursor(CursorKind::Revision, Cursor::Revision(7));
        assert_eq!(
            decode_cursor(&rev, CursorKind::Revision),
            Some(Cursor::Revision(7))
        );
        assert_eq!(decode_cursor("not a cursor", CursorKind::Project), None);
        assert_eq!(
            decode_cursor(&URL_SAFE_NO_PAD.encode("r:0"), CursorKind::Revision),
            None
        );
    }

    #[test]
    fn limits_outside_the_range_are_refused() {
        let params = |limit| ListParams {
            limit,
            cursor: None,
        };
        assert_eq!(
            params(None)
                .page(CursorKind::Project)
                .expect("default")
                .limit,
            20
        );
        assert_eq!(
            params(Some(100))
                .page(CursorKind::Project)
                .expect("max")
                .limit,
            100
        );
        assert!(matches!(
            params(Some(0)).page(CursorKind::Project),
            Err(ApiError::BadRequest(_))
        ));
        assert!(matches!(
            params(Some(101)).page(CursorKind::Project),
            Err(ApiError::BadRequest(_))
        ));
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(parse_name("  Shop ", 100), Ok("Shop".to_string()));
        assert!(parse_name("   ", 100).is_err());
        assert!(parse_name(&"é".repeat(101), 100).is_err());
        assert!(parse_name(&"é".repeat(100), 100).is_ok());
        assert!(parse_name("a\nb", 100).is_err());
    }
}
