//! Generation: `GET /targets`, `/specs/{id}/generations` and `/generations/{id}` with its files
//! and archives.
//!
//! `POST /specs/{id}/generations` checks everything it can at once (the specification's current
//! revision is valid, the target exists, every option is one of the target's and has an allowed
//! value) and queues a job in the database; the workers of [`crate::jobs`] run it. The answer is
//! 202 with the queued generation; clients poll `GET /generations/{id}` until its `status` is
//! `succeeded`, `failed` or `canceled`. Files are stored once per content (SHA-256) and read
//! back one at a time: an archive is written while it is sent, never held whole in memory.

use std::io::Write;

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::Schema;
use utoipa::{IntoParams, PartialSchema, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use specforge_codegen::archive::{ArchiveFormat, Writer};

use crate::auth::AuthUser;
use crate::error::{ApiError, FieldError};
use crate::extract::{ApiJson, ApiQuery};
use crate::jobs::decompress;
use crate::routes::common::{
    CursorKind, GenerationPages, ListParams, PathParams, next_cursor, parse_id,
};
use crate::routes::problems::{BAD_JSON, BAD_LIST_QUERY, NO_TOKEN, NOT_JSON, TOO_LARGE, problems};
use crate::state::AppState;
use crate::store::{
    CancelOutcome, Cursor, GeneratedFile, Generation, GenerationStatus, NewGeneration, Storage,
};

problems! {
    /// Errors of `GET /targets`.
    TargetsErrors: [NO_TOKEN];
    /// Errors of `POST /specs/{id}/generations`.
    CreateErrors: [
        BAD_JSON,
        NO_TOKEN,
        (404, "No such specification of the caller"),
        TOO_LARGE,
        NOT_JSON,
        (422, "The specification's current revision has errors (listed in `diagnostics`), or \
               the target or an option is unknown or not valid (`errors` lists the known ones)"),
    ];
    /// Errors of `GET /specs/{id}/generations`.
    ListErrors: [BAD_LIST_QUERY, NO_TOKEN, (404, "No such specification of the caller")];
    /// Errors of `GET` and `DELETE /generations/{id}`.
    ReadErrors: [NO_TOKEN, (404, "No such generation of the caller")];
    /// Errors of `POST /generations/{id}/cancel`.
    CancelErrors: [
        NO_TOKEN,
        (404, "No such generation of the caller"),
        (409, "The generation has ended already"),
    ];
    /// Errors of `GET /generations/{id}/files`.
    FilesErrors: [
        NO_TOKEN,
        (404, "No such generation of the caller"),
        (409, "The generation has not succeeded (it is queued, running, failed or canceled)"),
    ];
    /// Errors of `GET /generations/{id}/files/{path}`.
    FileErrors: [NO_TOKEN, (404, "No such generation of the caller, or no such file in it")];
    /// Errors of `GET /generations/{id}/archive`.
    ArchiveErrors: [
        (400, "`format` is not `zip` or `tar.gz`"),
        NO_TOKEN,
        (404, "No such generation of the caller"),
        (409, "The generation has not succeeded (it is queued, running, failed or canceled)"),
    ];
}

/// The generation routes.
pub fn router() -> OpenApiRouter<AppState> {
    // A file's path may have slashes: the route takes the rest of the path (`{*path}`), which
    // OpenAPI cannot write, so the document names it `{path}` and the route is added apart.
    let (_, file_doc) = OpenApiRouter::<AppState>::new()
        .routes(routes!(read_file))
        .split_for_parts();
    OpenApiRouter::with_openapi(file_doc)
        .routes(routes!(list_targets))
        .routes(routes!(list_generations, create_generation))
        .routes(routes!(get_generation, delete_generation))
        .routes(routes!(cancel_generation))
        .routes(routes!(list_files))
        .routes(routes!(download_archive))
        .route(
            "/generations/{id}/files/{*path}",
            axum::routing::get(read_file),
        )
}

/// A target, as `GET /targets` lists it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TargetInfo {
    /// The name to ask for (`rust-axum`).
    pub name: String,
    /// The language of what it generates.
    pub language: String,
    /// The framework the generated code is built on, if any.
    pub framework: Option<String>,
    /// What it generates.
    pub description: String,
    /// JSON Schema of the `options` object a generation for this target takes.
    #[schema(value_type = Object)]
    pub options: serde_json::Value,
}

/// Where a generation is in its life.
#[derive(Clone, Copy, Debug, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Waiting for a worker.
    Queued,
    /// Being generated.
    Running,
    /// Its files can be read.
    Succeeded,
    /// It ended with an error (see `error`).
    Failed,
    /// Canceled by its owner.
    Canceled,
}

impl From<GenerationStatus> for Status {
    fn from(s: GenerationStatus) -> Self {
        match s {
            GenerationStatus::Queued => Status::Queued,
            GenerationStatus::Running => Status::Running,
            GenerationStatus::Succeeded => Status::Succeeded,
            GenerationStatus::Failed => Status::Failed,
            GenerationStatus::Canceled => Status::Canceled,
        }
    }
}

/// A generation of a specification's revision for a target.
#[derive(Debug, Serialize, ToSchema)]
pub struct GenerationResponse {
    /// Id (UUID v7).
    pub id: Uuid,
    /// The specification.
    pub spec_id: Uuid,
    /// The revision generated (the current one when it was asked for).
    pub spec_revision: i64,
    /// The target.
    pub target: String,
    /// The options, with the target's defaults filled in.
    #[schema(value_type = Object)]
    pub options: serde_json::Value,
    /// Where it is.
    pub status: Status,
    /// 0 to 100.
    #[schema(minimum = 0, maximum = 100)]
    pub progress: i32,
    /// Why it failed; `null` otherwise.
    pub error: Option<String>,
    /// Number of files; `null` until it succeeds.
    pub file_count: Option<i64>,
    /// Bytes of all files; `null` until it succeeds.
    pub total_bytes: Option<i64>,
    /// SHA-256 of the file tree (hex); `null` until it succeeds. The same revision, target and
    /// options always give the same digest.
    #[schema(pattern = "^[0-9a-f]{64}$")]
    pub digest: Option<String>,
    /// When it was asked for.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When a worker started it.
    #[serde(with = "time::serde::rfc3339::option")]
    pub started_at: Option<OffsetDateTime>,
    /// When it ended.
    #[serde(with = "time::serde::rfc3339::option")]
    pub finished_at: Option<OffsetDateTime>,
}

impl From<Generation> for GenerationResponse {
    fn from(g: Generation) -> Self {
        GenerationResponse {
            id: g.id,
            spec_id: g.spec_id,
            spec_revision: g.spec_revision,
            target: g.target,
            options: g.options,
            status: g.status.into(),
            progress: g.progress,
            error: g.error,
            file_count: g.file_count,
            total_bytes: g.total_bytes,
            digest: g.digest,
            created_at: g.created_at,
            started_at: g.started_at,
            finished_at: g.finished_at,
        }
    }
}

/// A page of generations, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct GenerationList {
    /// The generations.
    pub items: Vec<GenerationResponse>,
    /// Pass as `cursor` to read the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// One file of a generation.
#[derive(Debug, Serialize, ToSchema)]
pub struct FileEntry {
    /// Relative, `/`-separated path.
    pub path: String,
    /// Bytes.
    pub size: i64,
    /// SHA-256 of the contents, hex.
    #[schema(pattern = "^[0-9a-f]{64}$")]
    pub sha256: String,
}

impl From<GeneratedFile> for FileEntry {
    fn from(f: GeneratedFile) -> Self {
        FileEntry {
            path: f.path,
            size: f.size,
            sha256: f.sha256,
        }
    }
}

/// A generation to queue: the target and its options. The document lists, for each target, the
/// options it takes (as `GET /targets` does).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateGeneration {
    /// The target's name.
    pub target: String,
    /// Options of the target: strings, and booleans for yes/no options.
    #[serde(default)]
    pub options: Option<serde_json::Map<String, serde_json::Value>>,
}

impl PartialSchema for CreateGeneration {
    fn schema() -> RefOr<Schema> {
        // One shape per target: its name, and an `options` object of exactly its options.
        let shapes: Vec<serde_json::Value> = specforge_codegen::targets()
            .iter()
            .map(|t| {
                serde_json::json!({
                    "type": "object",
                    "required": ["target"],
                    "additionalProperties": false,
                    "properties": {
                        "target": {
                            "type": "string",
                            "enum": [t.name()],
                            "description": t.description(),
                        },
                        "options": specforge_codegen::options::json_schema(t.options()),
                    },
                })
            })
            .collect();
        let schema = serde_json::json!({
            "description": "A generation to queue: a target (see `GET /targets`) and its options.",
            "oneOf": shapes,
        });
        serde_json::from_value(schema).unwrap_or_else(|e| {
            // The schema above is fixed at build time; a test reads it back.
            tracing::error!(error = %e, "the CreateGeneration schema does not parse");
            RefOr::T(Schema::default())
        })
    }
}

impl ToSchema for CreateGeneration {}

/// `?format=` of an archive.
#[derive(Clone, Copy, Debug, Default, Deserialize, IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
pub struct ArchiveParams {
    /// `zip` (the default) or `tar.gz`.
    #[param(inline)]
    #[serde(default)]
    pub format: Option<ArchiveKind>,
}

/// An archive format.
#[derive(Clone, Copy, Debug, Default, Deserialize, ToSchema)]
pub enum ArchiveKind {
    /// A zip file.
    #[default]
    #[serde(rename = "zip")]
    Zip,
    /// A gzip-compressed tar file.
    #[serde(rename = "tar.gz")]
    TarGz,
}

/// Bytes of any kind, for the document: a response body that is not JSON.
#[derive(Debug)]
pub struct Binary;

impl PartialSchema for Binary {
    fn schema() -> RefOr<Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        RefOr::T(Schema::Object(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
                .build(),
        ))
    }
}

impl ToSchema for Binary {}

fn generation_id(text: &str) -> Result<Uuid, ApiError> {
    parse_id(text, "generation")
}

/// `/api/v1/generations/{id}`, the address of a generation.
pub fn location(id: Uuid) -> String {
    format!("/api/v1/generations/{id}")
}

/// The targets and the options each takes.
#[utoipa::path(
    get,
    path = "/targets",
    tag = "generations",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every target, by name", body = Vec<TargetInfo>),
        TargetsErrors,
    )
)]
pub async fn list_targets(_caller: AuthUser) -> Json<serde_json::Value> {
    Json(specforge_codegen::targets::catalogue())
}

/// Checks the target and options of a request; the resolved options as stored.
fn check_target(body: &CreateGeneration) -> Result<serde_json::Value, ApiError> {
    let Some(target) = specforge_codegen::target(&body.target) else {
        let known: Vec<&str> = specforge_codegen::targets()
            .iter()
            .map(|t| t.name())
            .collect();
        return Err(ApiError::Validation {
            detail: format!("unknown target `{}`", body.target),
            errors: vec![FieldError::new(
                "target",
                format!("unknown target; the targets are: {}", known.join(", ")),
            )],
        });
    };
    let mut pairs = Vec::new();
    let mut errors = Vec::new();
    let known = || {
        let names: Vec<&str> = target.options().iter().map(|o| o.name).collect();
        if names.is_empty() {
            format!("target `{}` takes no options", target.name())
        } else {
            format!(
                "the options of `{}` are: {}",
                target.name(),
                names.join(", ")
            )
        }
    };
    for (key, value) in body.options.iter().flatten() {
        let field = format!("options.{key}");
        let Some(spec) = target.options().iter().find(|o| o.name == key) else {
            errors.push(FieldError::new(
                field,
                format!("unknown option; {}", known()),
            ));
            continue;
        };
        let text = match (spec.kind, value) {
            (specforge_codegen::OptionKind::Bool, serde_json::Value::Bool(b)) => b.to_string(),
            (specforge_codegen::OptionKind::Bool, _) => {
                errors.push(FieldError::new(field, "must be true or false"));
                continue;
            }
            (_, serde_json::Value::String(s)) => s.clone(),
            _ => {
                errors.push(FieldError::new(field, "must be a string"));
                continue;
            }
        };
        pairs.push((key.clone(), text));
    }
    if errors.is_empty() {
        match specforge_codegen::Options::resolve(target.name(), target.options(), &pairs) {
            Ok(options) => return Ok(serde_json::to_value(options.values()).unwrap_or_default()),
            Err(specforge_codegen::Error::BadOption { key, reason }) => {
                errors.push(FieldError::new(format!("options.{key}"), reason));
            }
            Err(other) => errors.push(FieldError::new("options", other.to_string())),
        }
    }
    let detail = match errors.as_slice() {
        [one] => format!("`{}` {}", one.field, one.message),
        many => format!("{} options are not valid", many.len()),
    };
    Err(ApiError::Validation { detail, errors })
}

/// Queues a generation of the specification's current revision.
///
/// Answers at once with the queued generation; poll its `Location` until `status` is
/// `succeeded`, `failed` or `canceled`. A revision with errors cannot be generated: the answer
/// is a 422 listing its diagnostics, and nothing is queued.
#[utoipa::path(
    post,
    path = "/specs/{id}/generations",
    tag = "generations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Specification id")),
    request_body = CreateGeneration,
    responses(
        (status = 202, description = "Queued", body = GenerationResponse, headers(
            ("Location" = String, description = "The generation's address")),
            links(
                ("GetGeneration" = (operation_id = "get_generation",
                    parameters(("id" = "$response.body#/id")))),
                ("CancelGeneration" = (operation_id = "cancel_generation",
                    parameters(("id" = "$response.body#/id")))),
                ("ListFiles" = (operation_id = "list_files",
                    parameters(("id" = "$response.body#/id")))),
                ("DownloadArchive" = (operation_id = "download_archive",
                    parameters(("id" = "$response.body#/id")))),
                ("DeleteGeneration" = (operation_id = "delete_generation",
                    parameters(("id" = "$response.body#/id")))),
            )),
        CreateErrors,
    )
)]
pub async fn create_generation(
    State(state): State<AppState>,
    caller: AuthUser,
    PathParams(id): PathParams<String>,
    ApiJson(body): ApiJson<CreateGeneration>,
) -> Result<Response, ApiError> {
    let spec_id = parse_id(&id, "specification")?;
    let spec = state
        .store
        .get_spec(caller.id, spec_id)
        .await?
        .ok_or_else(|| ApiError::not_found("specification"))?;
    let options = check_target(&body)?;
    if !spec.valid {
        let errors: Vec<FieldError> = spec
            .diagnostics
            .as_array()
            .into_iter()
            .flatten()
            .filter(|d| d["severity"] == "error")
            .map(|d| {
                FieldError::new(
                    format!("content{}", d["path"].as_str().unwrap_or("")),
                    format!(
                        "{} (line {}, column {})",
                        d["message"].as_str().unwrap_or("error"),
                        d["line"],
                        d["column"]
                    ),
                )
            })
            .collect();
        return Err(ApiError::InvalidSpec {
            detail: format!(
                "revision {} of the specification has {} error(s); fix them and save a new revision",
                spec.revision,
                errors.len()
            ),
            errors,
            diagnostics: spec.diagnostics,
        });
    }
    let new = NewGeneration {
        spec_id,
        spec_revision: spec.revision,
        target: body.target,
        options,
    };
    let generation = state
        .store
        .create_generation(caller.id, &new)
        .await?
        .ok_or_else(|| ApiError::not_found("specification"))?;
    state.wake_workers.notify_one();
    let address = HeaderValue::from_str(&location(generation.id))
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("location header: {e}")))?;
    Ok((
        StatusCode::ACCEPTED,
        [(header::LOCATION, address)],
        Json(GenerationResponse::from(generation)),
    )
        .into_response())
}

/// The generations of a specification, newest first.
#[utoipa::path(
    get,
    path = "/specs/{id}/generations",
    tag = "generations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Specification id"), GenerationPages),
    responses(
        (status = 200, description = "A page of generations", body = GenerationList),
        ListErrors,
    )
)]
pub async fn list_generations(
    State(state): State<AppState>,
    caller: AuthUser,
    PathParams(id): PathParams<String>,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<GenerationList>, ApiError> {
    let spec_id = parse_id(&id, "specification")?;
    let page = state
        .store
        .list_generations(caller.id, spec_id, params.page(CursorKind::Generation)?)
        .await?
        .ok_or_else(|| ApiError::not_found("specification"))?;
    let next_cursor = next_cursor(CursorKind::Generation, &page.items, page.has_more, |g| {
        Cursor::Id(g.id)
    });
    Ok(Json(GenerationList {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor,
    }))
}

/// One generation: its status and progress, and once succeeded its file count, size and digest.
#[utoipa::path(
    get,
    path = "/generations/{id}",
    tag = "generations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Generation id")),
    responses(
        (status = 200, description = "The generation", body = GenerationResponse),
        ReadErrors,
    )
)]
pub async fn get_generation(
    State(state): State<AppState>,
    caller: AuthUser,
    PathParams(id): PathParams<String>,
) -> Result<Json<GenerationResponse>, ApiError> {
    let generation = state
        .store
        .get_generation(caller.id, generation_id(&id)?)
        .await?
        .ok_or_else(|| ApiError::not_found("generation"))?;
    Ok(Json(generation.into()))
}

/// Deletes a generation and its file list (a running one stops without recording a result).
#[utoipa::path(
    delete,
    path = "/generations/{id}",
    tag = "generations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Generation id")),
    responses(
        (status = 204, description = "Deleted"),
        ReadErrors,
    )
)]
pub async fn delete_generation(
    State(state): State<AppState>,
    caller: AuthUser,
    PathParams(id): PathParams<String>,
) -> Result<StatusCode, ApiError> {
    if state
        .store
        .delete_generation(caller.id, generation_id(&id)?)
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("generation"))
    }
}

/// Cancels a queued or running generation: a queued one never runs, a running one stops
/// without recording its files.
#[utoipa::path(
    post,
    path = "/generations/{id}/cancel",
    tag = "generations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Generation id")),
    responses(
        (status = 200, description = "The canceled generation", body = GenerationResponse),
        CancelErrors,
    )
)]
pub async fn cancel_generation(
    State(state): State<AppState>,
    caller: AuthUser,
    PathParams(id): PathParams<String>,
) -> Result<Json<GenerationResponse>, ApiError> {
    match state
        .store
        .cancel_generation(caller.id, generation_id(&id)?)
        .await?
    {
        None => Err(ApiError::not_found("generation")),
        Some(CancelOutcome::Canceled(g)) => Ok(Json(g.into())),
        Some(CancelOutcome::Finished(g)) => Err(ApiError::Conflict(format!(
            "the generation has ended already ({})",
            g.status.as_str()
        ))),
    }
}

/// A generation of the caller that has succeeded, or the error to answer.
async fn succeeded(state: &AppState, caller: &AuthUser, id: Uuid) -> Result<Generation, ApiError> {
    let generation = state
        .store
        .get_generation(caller.id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("generation"))?;
    if generation.status != GenerationStatus::Succeeded {
        return Err(ApiError::Conflict(format!(
            "the generation is {}; only a succeeded generation has files",
            generation.status.as_str()
        )));
    }
    Ok(generation)
}

/// The files of a succeeded generation, in path order.
#[utoipa::path(
    get,
    path = "/generations/{id}/files",
    tag = "generations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Generation id")),
    responses(
        (status = 200, description = "Every file", body = Vec<FileEntry>),
        FilesErrors,
    )
)]
pub async fn list_files(
    State(state): State<AppState>,
    caller: AuthUser,
    PathParams(id): PathParams<String>,
) -> Result<Json<Vec<FileEntry>>, ApiError> {
    let id = generation_id(&id)?;
    succeeded(&state, &caller, id).await?;
    let files = state
        .store
        .list_generation_files(caller.id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("generation"))?;
    Ok(Json(files.into_iter().map(Into::into).collect()))
}

/// One file's bytes: UTF-8 text as `text/plain; charset=utf-8`, anything else as
/// `application/octet-stream`, never sniffed by browsers.
#[utoipa::path(
    get,
    path = "/generations/{id}/files/{path}",
    tag = "generations",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Generation id"),
        ("path" = String, Path, description = "The file's path as `/generations/{id}/files` lists it (its slashes kept)"),
    ),
    responses(
        (status = 200, description = "The file's bytes", content(
            (String = "text/plain"),
            (Binary = "application/octet-stream"),
        ), headers(
            ("ETag" = String, description = "The SHA-256 of the contents, quoted"),
            ("X-Content-Type-Options" = String, description = "`nosniff`"))),
        FileErrors,
    )
)]
pub async fn read_file(
    State(state): State<AppState>,
    caller: AuthUser,
    PathParams((id, path)): PathParams<(String, String)>,
) -> Result<Response, ApiError> {
    let id = generation_id(&id)?;
    let (file, compressed) = state
        .store
        .read_generation_file(caller.id, id, &path)
        .await?
        .ok_or_else(|| ApiError::not_found("file"))?;
    let contents = decompress(&compressed).map_err(|e| {
        ApiError::Internal(anyhow::anyhow!(
            "stored contents of {} do not inflate: {e}",
            file.sha256
        ))
    })?;
    let content_type = if std::str::from_utf8(&contents).is_ok() {
        "text/plain; charset=utf-8"
    } else {
        "application/octet-stream"
    };
    let etag = HeaderValue::from_str(&format!("\"{}\"", file.sha256))
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("etag header: {e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (header::ETAG, etag),
        ],
        contents,
    )
        .into_response())
}

/// A file name made of the characters every client and file system take: ASCII letters,
/// digits, `-`, `_` and `.`, other characters as `-`, never empty or a dot alone.
pub fn safe_file_name(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        let c = if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
            c
        } else {
            '-'
        };
        if !(c == '-' && out.ends_with('-')) {
            out.push(c);
        }
        if out.len() >= 80 {
            break;
        }
    }
    let trimmed = out.trim_matches(|c| c == '-' || c == '.');
    if trimmed.is_empty() {
        "generation".to_string()
    } else {
        trimmed.to_string()
    }
}

/// Bytes buffered before they go to the client.
const CHUNK: usize = 64 * 1024;

/// An [`std::io::Write`] that sends what is written to a response body, from a blocking thread.
struct BodyWriter {
    sender: http_body_util::channel::Sender<Bytes, std::io::Error>,
    handle: tokio::runtime::Handle,
    buffer: Vec<u8>,
}

impl BodyWriter {
    fn send(&mut self) -> std::io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(
            &mut self.buffer,
            Vec::with_capacity(CHUNK),
        ));
        self.handle
            .block_on(self.sender.send_data(chunk))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the client left"))
    }
}

impl Write for BodyWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(buf);
        if self.buffer.len() >= CHUNK {
            self.send()?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send()
    }
}

/// The whole tree of a succeeded generation as a zip or tar.gz, all under one folder named
/// after the specification and the target. Written while it is sent.
#[utoipa::path(
    get,
    path = "/generations/{id}/archive",
    tag = "generations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Generation id"), ArchiveParams),
    responses(
        (status = 200, description = "The archive", content(
            (Binary = "application/zip"),
            (Binary = "application/gzip"),
        ), headers(
            ("Content-Disposition" = String, description = "`attachment` with a file name of ASCII letters, digits, `-`, `_` and `.`"))),
        ArchiveErrors,
    )
)]
pub async fn download_archive(
    State(state): State<AppState>,
    caller: AuthUser,
    PathParams(id): PathParams<String>,
    ApiQuery(params): ApiQuery<ArchiveParams>,
) -> Result<Response, ApiError> {
    let id = generation_id(&id)?;
    let format = match params.format.unwrap_or_default() {
        ArchiveKind::Zip => ArchiveFormat::Zip,
        ArchiveKind::TarGz => ArchiveFormat::TarGz,
    };
    let generation = succeeded(&state, &caller, id).await?;
    let files = state
        .store
        .list_generation_files(caller.id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("generation"))?;
    let spec_name = state
        .store
        .get_spec(caller.id, generation.spec_id)
        .await?
        .map(|s| s.name)
        .unwrap_or_default();
    let root = safe_file_name(&format!("{spec_name}-{}", generation.target));
    let extension = match format {
        ArchiveFormat::Zip => "zip",
        ArchiveFormat::TarGz => "tar.gz",
    };
    let disposition =
        HeaderValue::from_str(&format!("attachment; filename=\"{root}.{extension}\""))
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("content-disposition header: {e}")))?;
    let (sender, body) = http_body_util::channel::Channel::<Bytes, std::io::Error>::new(4);
    let store = state.store.clone();
    let handle = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let mut out = BodyWriter {
            sender,
            handle: handle.clone(),
            buffer: Vec::with_capacity(CHUNK),
        };
        let written = (|| -> anyhow::Result<()> {
            let mut archive = Writer::new(format, Some(&root), &mut out)?;
            for file in &files {
                let compressed = handle
                    .block_on(store.read_blob(&file.sha256))?
                    .ok_or_else(|| anyhow::anyhow!("the contents of {} are missing", file.path))?;
                archive.add(&file.path, &decompress(&compressed)?)?;
            }
            archive.finish()?.flush()?;
            Ok(())
        })();
        if let Err(e) = written {
            tracing::warn!(error = %format!("{e:#}"), generation = %id, "the archive was not sent whole");
            // The client sees the body fail instead of a truncated archive that looks complete.
            out.sender
                .abort(std::io::Error::other("the archive could not be written"));
        }
    });
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(format.media_type()),
            ),
            (header::CONTENT_DISPOSITION, disposition),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        Body::new(body),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archive_names_keep_only_safe_characters() {
        assert_eq!(safe_file_name("bookstore-rust-axum"), "bookstore-rust-axum");
        assert_eq!(safe_file_name("my shop\"; x=1"), "my-shop-x-1");
        assert_eq!(safe_file_name("../../etc/passwd"), "etc-passwd");
        assert_eq!(safe_file_name("Ünïcødé"), "n-c-d");
        assert_eq!(safe_file_name("\"\"\""), "generation");
        assert!(safe_file_name(&"a".repeat(500)).len() <= 80);
    }

    #[test]
    fn the_request_schema_reads_back_with_one_shape_per_target() {
        let schema = serde_json::to_value(CreateGeneration::schema()).expect("serialize");
        let shapes = schema["oneOf"].as_array().expect("oneOf");
        assert_eq!(shapes.len(), specforge_codegen::targets().len());
        assert_eq!(shapes[0]["properties"]["target"]["enum"][0], "openapi");
    }

    #[test]
    fn unknown_targets_and_options_list_the_known_ones() {
        let body = |target: &str, options: serde_json::Value| CreateGeneration {
            target: target.into(),
            options: options.as_object().cloned(),
        };
        let ApiError::Validation { errors, .. } =
            check_target(&body("rust-axe", serde_json::Value::Null)).expect_err("unknown")
        else {
            panic!("not a validation error");
        };
        assert!(errors[0].message.contains("rust-axum"), "{errors:?}");
        let ApiError::Validation { errors, .. } =
            check_target(&body("rust-axum", serde_json::json!({"colour": "red"})))
                .expect_err("unknown option")
        else {
            panic!("not a validation error");
        };
        assert_eq!(errors[0].field, "options.colour");
        assert!(
            errors[0].message.contains("the options of `rust-axum` are"),
            "{errors:?}"
        );
    }
}
