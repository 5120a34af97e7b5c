//! Pieces the resource routes share: cursor pagination, ids taken from the path, and the
//! field checks that turn request text into the values the store accepts.
//!
//! Lists take [`ListParams`] and answer `{items, next_cursor}`; clients pass the cursor back as
//! they got it. It is a position tagged with its list (`p` and 32 hex digits of a project id,
//! `s` for a specification, `r` and a revision number), so the OpenAPI document can give each
//! list's cursor a pattern and a cursor of another list does not decode. Every query-string
//! problem (a limit outside 1..=100, a cursor that does not decode) is a 400 `bad_request`, like
//! a query string that does not parse.
//!
//! Names are checked here too, and [`name_schema`] describes in the document exactly the names
//! that [`parse_name`] accepts.

use axum::Json;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::{DeserializeOwned, Deserializer};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;
use utoipa::openapi::Required;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{KnownFormat, Object, ObjectBuilder, SchemaFormat, Type};
use uuid::Uuid;

use crate::error::{ApiError, FieldError};
use crate::store::{Cursor, PageRequest};

/// Page size when `limit` is absent.
pub const DEFAULT_LIMIT: u32 = 20;
/// Largest page size.
pub const MAX_LIMIT: u32 = 100;

/// `?limit=&cursor=` of every list; documented per list by [`ProjectPages`], [`SpecPages`] and
/// [`RevisionPages`], whose cursors differ.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ListParams {
    /// Items per page, 1 to 100 (default 20); another value is a 400 problem.
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page; absent or empty for the first page.
    pub cursor: Option<String>,
}

/// The query parameters of a list of `kind`, as the document shows them.
fn list_parameters(kind: CursorKind) -> Vec<Parameter> {
    let limit = ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32)))
        .default(Some(DEFAULT_LIMIT.into()))
        .minimum(Some(1))
        .maximum(Some(MAX_LIMIT));
    let cursor = ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(kind.pattern()));
    vec![
        ParameterBuilder::new()
            .name("limit")
            .parameter_in(ParameterIn::Query)
            .description(Some(
                "Items per page, 1 to 100 (default 20); another value is a 400 problem.",
            ))
            .required(Required::False)
            .schema(Some(limit))
            .build(),
        ParameterBuilder::new()
            .name("cursor")
            .parameter_in(ParameterIn::Query)
            .description(Some(
                "The `next_cursor` of the previous page; omit it for the first page. A cursor that \
                 was not given by this list is a 400 problem.",
            ))
            .required(Required::False)
            .schema(Some(cursor))
            .build(),
    ]
}

/// `?limit=&cursor=` of the list of projects.
#[derive(Debug)]
pub struct ProjectPages;

impl IntoParams for ProjectPages {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        list_parameters(CursorKind::Project)
    }
}

/// `?limit=&cursor=` of the list of a project's specifications.
#[derive(Debug)]
pub struct SpecPages;

impl IntoParams for SpecPages {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        list_parameters(CursorKind::Spec)
    }
}

/// `?limit=&cursor=` of the list of a specification's revisions.
#[derive(Debug)]
pub struct RevisionPages;

impl IntoParams for RevisionPages {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        list_parameters(CursorKind::Revision)
    }
}

/// `?limit=&cursor=` of the list of a specification's generations.
#[derive(Debug)]
pub struct GenerationPages;

impl IntoParams for GenerationPages {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        list_parameters(CursorKind::Generation)
    }
}

/// Which list a cursor belongs to; its tag keeps a cursor of one list out of another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CursorKind {
    /// The generations of a specification.
    Generation,
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
            CursorKind::Generation => "g",
        }
    }

    /// The cursors of this list, empty included (the first page), and nothing else.
    pub fn pattern(self) -> &'static str {
        match self {
            CursorKind::Project => "^(p[0-9a-f]{32})?$",
            CursorKind::Spec => "^(s[0-9a-f]{32})?$",
            CursorKind::Revision => "^(r[1-9][0-9]{0,17})?$",
            CursorKind::Generation => "^(g[0-9a-f]{32})?$",
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

/// The text of a position in a list of `kind`.
pub fn encode_cursor(kind: CursorKind, cursor: Cursor) -> String {
    match cursor {
        Cursor::Id(id) => format!("{}{}", kind.tag(), id.simple()),
        Cursor::Revision(n) => format!("{}{n}", kind.tag()),
    }
}

/// The position a cursor of `kind` names, if it is one: exactly the texts that
/// [`CursorKind::pattern`] matches (but the empty one), so the document tells the truth.
pub fn decode_cursor(text: &str, kind: CursorKind) -> Option<Cursor> {
    let position = text.strip_prefix(kind.tag())?;
    match kind {
        CursorKind::Project | CursorKind::Spec | CursorKind::Generation => {
            let lower_hex = |b| matches!(b, b'0'..=b'9' | b'a'..=b'f');
            if position.len() != 32 || !position.bytes().all(lower_hex) {
                return None;
            }
            Uuid::try_parse(position).ok().map(Cursor::Id)
        }
        CursorKind::Revision => {
            let digits = position.as_bytes();
            let canonical = matches!(digits.first(), Some(b'1'..=b'9'))
                && digits.len() <= 18
                && digits.iter().all(u8::is_ascii_digit);
            if !canonical {
                return None;
            }
            position.parse::<i64>().ok().map(Cursor::Revision)
        }
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

/// A name: no control characters anywhere, then trimmed, then `1..=max` characters.
pub fn parse_name(text: &str, max: usize) -> Result<String, String> {
    if text.chars().any(char::is_control) {
        return Err("must not contain control characters".into());
    }
    let name = text.trim();
    if name.is_empty() {
        return Err("must not be empty".into());
    }
    if name.chars().count() > max {
        return Err(format!("must be at most {max} characters"));
    }
    Ok(name.to_string())
}

/// The white space `str::trim` takes off a name, less the control characters a name never
/// holds: Unicode `White_Space` that is not `Cc`, as regular-expression ranges.
pub const TRIMMED_SPACE: &str = r"\u0020\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";
/// The control characters (Unicode `Cc`) that `char::is_control` finds, as ranges.
pub const CONTROL: &str = r"\u0000-\u001F\u007F-\u009F";

/// The pattern of the texts [`parse_name`] accepts with `max` (at least 2), or with `optional`
/// the texts that [`parse_name`] accepts or that trim to nothing: no control character, and
/// between optional surrounding spaces a core that starts and ends with something else.
/// JSON Schema's `maxLength` cannot say "once trimmed", so the pattern bounds the core.
pub fn name_pattern(max: usize, optional: bool) -> String {
    let edge = format!("[^{TRIMMED_SPACE}{CONTROL}]");
    let core = format!(
        "{edge}(?:[^{CONTROL}]{{0,{}}}{edge})?",
        max.saturating_sub(2)
    );
    let core = if optional {
        format!("(?:{core})?")
    } else {
        core
    };
    format!("^[{TRIMMED_SPACE}]*{core}[{TRIMMED_SPACE}]*$")
}

/// The schema of a name field accepted by [`parse_name`] with `max` (see [`name_pattern`]).
#[allow(deprecated)] // `example` keeps the document as the derived schemas write it
pub fn name_schema(max: usize, description: &str, example: Option<&str>) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .example(example.map(Into::into))
        .min_length(Some(1))
        .pattern(Some(name_pattern(max, false)))
        .build()
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
        for bad in ["r0", "r01", "r-1", "r+1", "r", "r1234567890123456789"] {
            assert_eq!(decode_cursor(bad, CursorKind::Revision), None, "{bad}");
        }
        let upper = format!("p{}", id.simple())
            .to_uppercase()
            .replacen('P', "p", 1);
        assert_eq!(decode_cursor(&upper, CursorKind::Project), None);
        assert_eq!(decode_cursor(&format!("p{id}"), CursorKind::Project), None);
    }

    #[test]
    fn cursors_have_the_form_their_pattern_documents() {
        let id = Uuid::now_v7();
        let project = encode_cursor(CursorKind::Project, Cursor::Id(id));
        assert_eq!(project.len(), 33);
        assert!(project.starts_with('p'));
        assert!(
            project[1..]
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
        assert!(encode_cursor(CursorKind::Spec, Cursor::Id(id)).starts_with('s'));
        assert_eq!(
            encode_cursor(CursorKind::Revision, Cursor::Revision(42)),
            "r42"
        );
        assert_eq!(CursorKind::Project.pattern(), "^(p[0-9a-f]{32})?$");
        assert_eq!(CursorKind::Revision.pattern(), "^(r[1-9][0-9]{0,17})?$");
        // 18 digits is the longest the pattern allows, and each such number fits an i64.
        assert_eq!(
            decode_cursor(&format!("r{}", "9".repeat(18)), CursorKind::Revision),
            Some(Cursor::Revision(999_999_999_999_999_999))
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
        // Control characters count before trimming: a tab is not a space around a name.
        assert!(parse_name("\tShop", 100).is_err());
        assert!(parse_name("Shop\n", 100).is_err());
        assert_eq!(
            parse_name("\u{3000}Shop\u{a0}", 100),
            Ok("Shop".to_string())
        );
        assert_eq!(
            parse_name(&format!(" {} ", "a".repeat(100)), 100).map(|n| n.len()),
            Ok(100)
        );
    }

    /// The ranges of a character class body written as in [`TRIMMED_SPACE`] and [`CONTROL`].
    fn ranges(text: &str) -> Vec<(u32, u32)> {
        let hex = |t: &str| u32::from_str_radix(&t[..4], 16).expect("four hex digits");
        let mut out = Vec::new();
        let mut rest = text;
        while let Some(tail) = rest.strip_prefix("\\u") {
            let start = hex(tail);
            rest = &tail[4..];
            let end = match rest.strip_prefix("-\\u") {
                Some(tail) => {
                    rest = &tail[4..];
                    hex(tail)
                }
                None => start,
            };
            out.push((start, end));
        }
        assert!(rest.is_empty(), "unread: {rest}");
        out
    }

    #[test]
    fn the_name_pattern_names_exactly_the_characters_rust_trims_and_refuses() {
        let trimmed = ranges(TRIMMED_SPACE);
        let control = ranges(CONTROL);
        let within =
            |set: &[(u32, u32)], c: char| set.iter().any(|&(a, b)| (a..=b).contains(&(c as u32)));
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(within(&control, c), c.is_control(), "{c:?}");
            assert_eq!(
                within(&trimmed, c),
                c.is_whitespace() && !c.is_control(),
                "{c:?}"
            );
        }
        assert_eq!(
            name_pattern(100, false),
            format!(
                "^[{TRIMMED_SPACE}]*[^{TRIMMED_SPACE}{CONTROL}](?:[^{CONTROL}]{{0,98}}[^{TRIMMED_SPACE}{CONTROL}])?[{TRIMMED_SPACE}]*$"
            )
        );
    }
}
