//! Specifications: `/projects/{id}/specs`, `/specs/{id}`, their revisions, and
//! `POST /specs/validate`.
//!
//! Every save runs the spec crate's analysis (on the blocking pool: it is CPU work) and stores
//! its verdict beside the text, so an invalid specification is kept, with `valid: false` and its
//! diagnostics, as work in progress. `GET /specs/{id}` sends the revision as `ETag`, and `PUT`
//! honours `If-Match` with it: the store compares and writes in one statement, so two writers
//! holding the same revision cannot both win.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use specforge_spec::Format;
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa::openapi::schema::Object;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::error::{ApiError, FieldError};
use crate::extract::{ApiJson, ApiQuery};
use crate::routes::common::{
    CursorKind, ListParams, PathParams, RevisionPages, SpecPages, check, created, name_schema,
    next_cursor, parse_id, parse_name, present, validation_failed,
};
use crate::routes::problems::{BAD_JSON, BAD_LIST_QUERY, NO_TOKEN, NOT_JSON, TOO_LARGE, problems};
use crate::state::AppState;
use crate::store::{Cursor, Spec, SpecChanges, SpecContent, SpecRevision, Storage, StoreError};

/// Longest specification name, in characters.
pub const MAX_NAME_CHARS: usize = 200;

problems! {
    /// Errors of `GET /projects/{id}/specs`.
    ListSpecsErrors: [BAD_LIST_QUERY, NO_TOKEN, (404, "No such project of the caller")];
    /// Errors of `POST /projects/{id}/specs`.
    CreateErrors: [
        BAD_JSON,
        NO_TOKEN,
        (404, "No such project of the caller"),
        (409, "The project already has a specification with this name"),
        TOO_LARGE,
        NOT_JSON,
        (422, "A field is missing, unknown or not valid (such as an unknown format)"),
    ];
    /// Errors of `POST /specs/validate`.
    ValidateErrors: [
        BAD_JSON,
        NO_TOKEN,
        TOO_LARGE,
        NOT_JSON,
        (422, "A field is missing, unknown or not valid (such as an unknown format)"),
    ];
    /// Errors of `GET` and `DELETE /specs/{id}`.
    ReadErrors: [NO_TOKEN, (404, "No such specification of the caller")];
    /// Errors of `PUT /specs/{id}`.
    UpdateErrors: [
        (400, "The body is not valid JSON, or `If-Match` is malformed"),
        NO_TOKEN,
        (404, "No such specification of the caller"),
        (409, "The project already has a specification with the new name"),
        (412, "`If-Match` names a revision that is no longer current"),
        TOO_LARGE,
        NOT_JSON,
        (422, "No field to change, or a field is unknown or not valid"),
    ];
    /// Errors of `GET /specs/{id}/revisions`.
    ListRevisionsErrors: [
        BAD_LIST_QUERY,
        NO_TOKEN,
        (404, "No such specification of the caller"),
    ];
    /// Errors of `GET /specs/{id}/revisions/{n}`.
    ReadRevisionErrors: [
        NO_TOKEN,
        (404, "No such specification of the caller, or no such revision"),
    ];
}

/// The specification routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_specs, create_spec))
        .routes(routes!(validate_spec))
        .routes(routes!(get_spec, update_spec, delete_spec))
        .routes(routes!(list_revisions))
        .routes(routes!(get_revision))
}

/// The language a specification is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SpecFormat {
    /// The specification language in YAML.
    Yaml,
    /// The specification language in JSON.
    Json,
    /// Markdown requirements.
    Markdown,
    /// An OpenAPI 3.0 or 3.1 document (YAML or JSON).
    Openapi,
}

impl SpecFormat {
    fn format(self) -> Format {
        match self {
            SpecFormat::Yaml => Format::Yaml,
            SpecFormat::Json => Format::Json,
            SpecFormat::Markdown => Format::Markdown,
            SpecFormat::Openapi => Format::Openapi,
        }
    }
}

/// One problem found in a specification (the shape of each `diagnostics` item).
#[derive(Debug, Serialize, ToSchema)]
pub struct Diagnostic {
    /// `error` (the specification is not valid) or `warning`.
    #[schema(example = "error")]
    pub severity: String,
    /// Stable identifier of the kind of problem.
    #[schema(example = "unknown_type")]
    pub code: String,
    /// What is wrong.
    pub message: String,
    /// JSON Pointer to the offending value.
    #[schema(example = "/entities/Product/fields/title/type")]
    pub path: String,
    /// 1-based line in the content.
    pub line: u32,
    /// 1-based column (in characters) in the content.
    pub column: u32,
    /// How to fix it, when there is something useful to say.
    pub hint: Option<String>,
}

/// Counts of what a specification declares (of what could be read, even when invalid).
#[derive(Debug, Serialize, ToSchema)]
pub struct Summary {
    /// Entities.
    pub entities: u32,
    /// Declared fields.
    pub fields: u32,
    /// Associations between entities.
    pub relations: u32,
}

/// A specification at its current revision.
#[derive(Debug, Serialize, ToSchema)]
pub struct SpecResponse {
    /// Id (UUID v7).
    pub id: Uuid,
    /// The project it belongs to.
    pub project_id: Uuid,
    /// Name, unique within the project.
    pub name: String,
    /// Format of `content`.
    #[schema(value_type = SpecFormat)]
    pub format: String,
    /// The text.
    pub content: String,
    /// Current revision, from 1; also the `ETag`.
    pub revision: i64,
    /// Whether the current revision has no error.
    pub valid: bool,
    /// Problems found in the current revision, by position.
    #[schema(value_type = Vec<Diagnostic>)]
    pub diagnostics: serde_json::Value,
    /// What the current revision declares.
    #[schema(value_type = Summary)]
    pub summary: serde_json::Value,
    /// Creation time.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Time of the current revision.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl From<Spec> for SpecResponse {
    fn from(s: Spec) -> Self {
        SpecResponse {
            id: s.id,
            project_id: s.project_id,
            name: s.name,
            format: s.format,
            content: s.content,
            revision: s.revision,
            valid: s.valid,
            diagnostics: s.diagnostics,
            summary: s.summary,
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

/// A page of specifications, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct SpecList {
    /// The specifications.
    pub items: Vec<SpecResponse>,
    /// Pass as `cursor` to read the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// A specification as it was saved at one revision.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionResponse {
    /// The specification.
    pub spec_id: Uuid,
    /// Revision number, from 1.
    pub revision: i64,
    /// Name at that revision.
    pub name: String,
    /// Format.
    #[schema(value_type = SpecFormat)]
    pub format: String,
    /// Text at that revision.
    pub content: String,
    /// Whether it had no error.
    pub valid: bool,
    /// Its problems.
    #[schema(value_type = Vec<Diagnostic>)]
    pub diagnostics: serde_json::Value,
    /// What it declared.
    #[schema(value_type = Summary)]
    pub summary: serde_json::Value,
    /// When it was saved.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<SpecRevision> for RevisionResponse {
    fn from(r: SpecRevision) -> Self {
        RevisionResponse {
            spec_id: r.spec_id,
            revision: r.revision,
            name: r.name,
            format: r.format,
            content: r.content,
            valid: r.valid,
            diagnostics: r.diagnostics,
            summary: r.summary,
            created_at: r.created_at,
        }
    }
}

/// A page of revisions, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionList {
    /// The revisions.
    pub items: Vec<RevisionResponse>,
    /// Pass as `cursor` to read the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// A new specification.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSpec {
    /// Name: 1 to 200 characters once trimmed, no control characters, unique within the project.
    #[schema(schema_with = new_name_schema)]
    pub name: String,
    /// Format of `content`.
    #[schema(example = "yaml")]
    pub format: SpecFormat,
    /// The text (up to the request body limit). An invalid one is stored with its diagnostics.
    #[schema(
        example = "specforge: 1\nname: notes\nentities:\n  Note:\n    fields:\n      text: string\n"
    )]
    pub content: String,
}

/// Changes to a specification: at least one field. A change of name or content makes a new
/// revision; the same values again change nothing.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(min_properties = 1)]
pub struct UpdateSpec {
    /// New name (1 to 200 characters once trimmed, no control characters).
    #[serde(default, deserialize_with = "present")]
    #[schema(schema_with = changed_name_schema, required = false)]
    pub name: Option<Option<String>>,
    /// New text, in the specification's format.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String, required = false)]
    pub content: Option<Option<String>>,
}

/// A specification to check without storing it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ValidateSpec {
    /// Format of `content`.
    pub format: SpecFormat,
    /// The text.
    pub content: String,
}

/// The verdict on a specification.
#[derive(Debug, Serialize, ToSchema)]
pub struct ValidationResponse {
    /// Whether it has no error (warnings allowed).
    pub valid: bool,
    /// Every problem found, by position.
    #[schema(value_type = Vec<Diagnostic>)]
    pub diagnostics: serde_json::Value,
    /// What it declares.
    #[schema(value_type = Summary)]
    pub summary: serde_json::Value,
}

fn new_name_schema() -> Object {
    name_schema(
        MAX_NAME_CHARS,
        "Name: 1 to 200 characters once trimmed, no control characters, unique within the project.",
        Some("bookstore"),
    )
}

fn changed_name_schema() -> Object {
    name_schema(
        MAX_NAME_CHARS,
        "New name (1 to 200 characters once trimmed, no control characters).",
        None,
    )
}

/// A checked specification name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecName(String);

impl SpecName {
    /// Trims the name and checks its length (1..=200 characters) and characters.
    pub fn parse(text: &str) -> Result<Self, FieldError> {
        parse_name(text, MAX_NAME_CHARS)
            .map(SpecName)
            .map_err(|m| FieldError::new("name", m))
    }
}

impl UpdateSpec {
    /// The checked new name and text, or a 422 listing every problem, including a body that
    /// changes nothing.
    pub fn parse(self) -> Result<(Option<SpecName>, Option<String>), ApiError> {
        let mut errors = Vec::new();
        if self.name.is_none() && self.content.is_none() {
            errors.push(FieldError::new(
                "",
                "send at least one of `name` and `content`",
            ));
        }
        let name = match self.name {
            None => None,
            Some(None) => {
                errors.push(FieldError::new("name", "must not be null"));
                None
            }
            Some(Some(text)) => SpecName::parse(&text).map_err(|e| errors.push(e)).ok(),
        };
        let content = match self.content {
            None => None,
            Some(None) => {
                errors.push(FieldError::new("content", "must not be null"));
                None
            }
            Some(Some(text)) => Some(text),
        };
        check(errors)?;
        Ok((name, content))
    }
}

/// Analyses `content` on the blocking pool and packs the verdict for the store.
async fn analyze(format: SpecFormat, content: String) -> Result<SpecContent, ApiError> {
    tokio::task::spawn_blocking(move || {
        let analysis = specforge_spec::analyze(&content, format.format());
        let diagnostics = serde_json::to_value(&analysis.diagnostics)?;
        let summary = serde_json::to_value(analysis.summary)?;
        Ok::<_, serde_json::Error>(SpecContent {
            format: format.format().as_str().to_string(),
            content,
            valid: analysis.valid,
            diagnostics,
            summary,
        })
    })
    .await
    .map_err(|e| ApiError::Internal(anyhow::anyhow!("the analysis task failed: {e}")))?
    .map_err(|e| ApiError::Internal(anyhow::anyhow!("serializing an analysis: {e}")))
}

/// The revision an `If-Match` header asks for: `None` without the header or with `*`.
/// One entity tag is accepted, quoted (`"3"`) or bare (`3`); anything else is a 400.
pub fn if_match(headers: &HeaderMap) -> Result<Option<i64>, ApiError> {
    let mut values = headers.get_all(header::IF_MATCH).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    let malformed = || {
        ApiError::BadRequest(
            "`If-Match` must be `*` or one revision as an entity tag, such as \"3\"".into(),
        )
    };
    if values.next().is_some() {
        return Err(malformed());
    }
    let text = value.to_str().map_err(|_| malformed())?.trim();
    if text == "*" {
        return Ok(None);
    }
    let digits = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(text);
    if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(malformed());
    }
    digits.parse().map(Some).map_err(|_| malformed())
}

fn etag(revision: i64) -> Result<(HeaderName, HeaderValue), ApiError> {
    HeaderValue::from_str(&format!("\"{revision}\""))
        .map(|value| (header::ETAG, value))
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("etag header: {e}")))
}

fn with_etag(spec: Spec) -> Result<Response, ApiError> {
    let tag = etag(spec.revision)?;
    Ok(([tag], Json(SpecResponse::from(spec))).into_response())
}

fn spec_id(text: &str) -> Result<Uuid, ApiError> {
    parse_id(text, "specification")
}

/// `/api/v1/specs/{id}`, the address of a specification.
pub fn location(id: Uuid) -> String {
    format!("/api/v1/specs/{id}")
}

/// The specifications of a project, newest first.
#[utoipa::path(
    get,
    path = "/projects/{id}/specs",
    tag = "specs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Project id"), SpecPages),
    responses(
        (status = 200, description = "A page of specifications", body = SpecList),
        ListSpecsErrors,
    )
)]
pub async fn list_specs(
    State(state): State<AppState>,
    caller: AuthUser,
    PathParams(id): PathParams<String>,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<SpecList>, ApiError> {
    let project = parse_id(&id, "project")?;
    let page = state
        .store
        .list_specs(caller.id, project, params.page(CursorKind::Spec)?)
        .await?
        .ok_or_else(|| ApiError::not_found("project"))?;
    let next_cursor = next_cursor(CursorKind::Spec, &page.items, page.has_more, |s| {
        Cursor::Id(s.id)
    });
    Ok(Json(SpecList {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor,
    }))
}

/// Adds a specification to a project, as revision 1. It is analysed and stored even when it is
/// not valid.
#[utoipa::path(
    post,
    path = "/projects/{id}/specs",
    tag = "specs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Project id")),
    request_body = CreateSpec,
    responses(
        (status = 201, description = "Created", body = SpecResponse, headers(
            ("Location" = String, description = "The specification's address"),
            ("ETag" = String, description = "The revision, quoted")),
            links(
                ("CreateGeneration" = (operation_id = "create_generation",
                    parameters(("id" = "$response.body#/id")))),
            )),
        CreateErrors,
    )
)]
pub async fn create_spec(
    State(state): State<AppState>,
    caller: AuthUser,
    PathParams(id): PathParams<String>,
    ApiJson(body): ApiJson<CreateSpec>,
) -> Result<Response, ApiError> {
    let project = parse_id(&id, "project")?;
    let name = SpecName::parse(&body.name).map_err(|e| validation_failed(vec![e]))?;
    let content = analyze(body.format, body.content).await?;
    let spec = state
        .store
        .create_spec(caller.id, project, &name.0, &content)
        .await?
        .ok_or_else(|| ApiError::not_found("project"))?;
    let tag = etag(spec.revision)?;
    created(&location(spec.id), Some(tag), SpecResponse::from(spec))
}

/// Checks a specification without storing it.
#[utoipa::path(
    post,
    path = "/specs/validate",
    tag = "specs",
    security(("bearer" = [])),
    request_body = ValidateSpec,
    responses(
        (status = 200, description = "The verdict (also when the specification is not valid)", body = ValidationResponse),
        ValidateErrors,
    )
)]
pub async fn validate_spec(
    _caller: AuthUser,
    ApiJson(body): ApiJson<ValidateSpec>,
) -> Result<Json<ValidationResponse>, ApiError> {
    let verdict = analyze(body.format, body.content).await?;
    Ok(Json(ValidationResponse {
        valid: verdict.valid,
        diagnostics: verdict.diagnostics,
        summary: verdict.summary,
    }))
}

/// One specification at its current revision, with the revision as `ETag`.
#[utoipa::path(
    get,
    path = "/specs/{id}",
    tag = "specs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Specification id")),
    responses(
        (status = 200, description = "The specification", body = SpecResponse,
            headers(("ETag" = String, description = "The current revision, quoted, for `If-Match`"))),
        ReadErrors,
    )
)]
pub async fn get_spec(
    State(state): State<AppState>,
    caller: AuthUser,
    PathParams(id): PathParams<String>,
) -> Result<Response, ApiError> {
    let spec = state
        .store
        .get_spec(caller.id, spec_id(&id)?)
        .await?
        .ok_or_else(|| ApiError::not_found("specification"))?;
    with_etag(spec)
}

/// Renames a specification or replaces its text, as a new revision.
///
/// With `If-Match: "<revision>"` the change is saved only if that is still the current
/// revision; `*` matches any.
#[utoipa::path(
    put,
    path = "/specs/{id}",
    tag = "specs",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Specification id"),
        ("If-Match" = Option<String>, Header, nullable = false, pattern = r#"^(\*|"[0-9]{1,18}"|[0-9]{1,18})$"#,
            description = "The revision the change is based on, as the `ETag` gave it (`\"3\"`), or `*`"),
    ),
    request_body = UpdateSpec,
    responses(
        (status = 200, description = "The specification at its new revision", body = SpecResponse,
            headers(("ETag" = String, description = "The new revision, quoted"))),
        UpdateErrors,
    )
)]
pub async fn update_spec(
    State(state): State<AppState>,
    caller: AuthUser,
    PathParams(id): PathParams<String>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<UpdateSpec>,
) -> Result<Response, ApiError> {
    let id = spec_id(&id)?;
    let expected = if_match(&headers)?;
    let (name, text) = body.parse()?;
    let content = match text {
        Some(text) => Some(analyze_change(&state, caller, id, expected, text).await?),
        None => None,
    };
    let changes = SpecChanges {
        name: name.map(|n| n.0),
        content,
    };
    let spec = state
        .store
        .update_spec(caller.id, id, expected, &changes)
        .await?
        .ok_or_else(|| ApiError::not_found("specification"))?;
    with_etag(spec)
}

/// Analyses new text for a stored specification, in the format it was created with (so the
/// specification is read first). A stale `If-Match` is refused here to spare the analysis; the
/// store checks again when it writes.
async fn analyze_change(
    state: &AppState,
    caller: AuthUser,
    id: Uuid,
    expected: Option<i64>,
    text: String,
) -> Result<SpecContent, ApiError> {
    let current = state
        .store
        .get_spec(caller.id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("specification"))?;
    if let Some(expected) = expected.filter(|e| *e != current.revision) {
        return Err(StoreError::RevisionMismatch {
            expected,
            current: current.revision,
        }
        .into());
    }
    analyze(stored_format(&current.format)?, text).await
}

fn stored_format(text: &str) -> Result<SpecFormat, ApiError> {
    match text {
        "yaml" => Ok(SpecFormat::Yaml),
        "json" => Ok(SpecFormat::Json),
        "markdown" => Ok(SpecFormat::Markdown),
        "openapi" => Ok(SpecFormat::Openapi),
        other => Err(ApiError::Internal(anyhow::anyhow!(
            "a stored specification has the unknown format `{other}`"
        ))),
    }
}

/// Deletes a specification with its revisions.
#[utoipa::path(
    delete,
    path = "/specs/{id}",
    tag = "specs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Specification id")),
    responses(
        (status = 204, description = "Deleted, with its revisions"),
        ReadErrors,
    )
)]
pub async fn delete_spec(
    State(state): State<AppState>,
    caller: AuthUser,
    PathParams(id): PathParams<String>,
) -> Result<StatusCode, ApiError> {
    if state.store.delete_spec(caller.id, spec_id(&id)?).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("specification"))
    }
}

/// The revisions of a specification, newest first.
#[utoipa::path(
    get,
    path = "/specs/{id}/revisions",
    tag = "specs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Specification id"), RevisionPages),
    responses(
        (status = 200, description = "A page of revisions", body = RevisionList),
        ListRevisionsErrors,
    )
)]
pub async fn list_revisions(
    State(state): State<AppState>,
    caller: AuthUser,
    PathParams(id): PathParams<String>,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<RevisionList>, ApiError> {
    let page = state
        .store
        .list_revisions(caller.id, spec_id(&id)?, params.page(CursorKind::Revision)?)
        .await?
        .ok_or_else(|| ApiError::not_found("specification"))?;
    let next_cursor = next_cursor(CursorKind::Revision, &page.items, page.has_more, |r| {
        Cursor::Revision(r.revision)
    });
    Ok(Json(RevisionList {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor,
    }))
}

/// One revision of a specification.
#[utoipa::path(
    get,
    path = "/specs/{id}/revisions/{n}",
    tag = "specs",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Specification id"),
        ("n" = i64, Path, minimum = 1, description = "Revision number"),
    ),
    responses(
        (status = 200, description = "The revision", body = RevisionResponse),
        ReadRevisionErrors,
    )
)]
pub async fn get_revision(
    State(state): State<AppState>,
    caller: AuthUser,
    PathParams((id, n)): PathParams<(String, String)>,
) -> Result<Json<RevisionResponse>, ApiError> {
    let id = spec_id(&id)?;
    let revision = n
        .parse::<i64>()
        .ok()
        .filter(|n| *n >= 1)
        .ok_or_else(|| ApiError::not_found("revision"))?;
    let found = state
        .store
        .get_revision(caller.id, id, revision)
        .await?
        .ok_or_else(|| ApiError::not_found("revision"))?;
    Ok(Json(found.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::IF_MATCH,
            HeaderValue::from_str(value).expect("header"),
        );
        headers
    }

    #[test]
    fn if_match_takes_a_quoted_or_bare_revision_or_a_star() {
        assert_eq!(if_match(&HeaderMap::new()).expect("absent"), None);
        assert_eq!(if_match(&header("*")).expect("star"), None);
        assert_eq!(if_match(&header("\"3\"")).expect("quoted"), Some(3));
        assert_eq!(if_match(&header("12")).expect("bare"), Some(12));
    }

    #[test]
    fn a_malformed_if_match_is_a_bad_request() {
        for bad in [
            "",
            "\"\"",
            "W/\"3\"",
            "\"3\", \"4\"",
            "three",
            "+3",
            "\"3",
            "-1",
        ] {
            assert!(
                matches!(if_match(&header(bad)), Err(ApiError::BadRequest(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn stored_formats_read_back() {
        for f in [
            SpecFormat::Yaml,
            SpecFormat::Json,
            SpecFormat::Markdown,
            SpecFormat::Openapi,
        ] {
            assert_eq!(stored_format(f.format().as_str()).expect("known"), f);
        }
    }
}
