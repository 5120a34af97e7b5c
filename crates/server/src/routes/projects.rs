//! `/projects` and `/projects/{id}`: a user's projects.
//!
//! Every store call carries the caller's id, so another user's project answers 404 exactly like
//! one that never existed; an id that is not a UUID is a 404 as well.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
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
    CursorKind, ListParams, PathParams, ProjectPages, check, created, name_schema, next_cursor,
    parse_id, parse_name, present, validation_failed,
};
use crate::routes::problems::{BAD_JSON, BAD_LIST_QUERY, NO_TOKEN, NOT_JSON, TOO_LARGE, problems};
use crate::state::AppState;
use crate::store::{Cursor, Project, Storage};

/// Longest project name, in characters.
pub const MAX_NAME_CHARS: usize = 100;
/// Longest project description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 2000;

problems! {
    /// Errors of `GET /projects`.
    ListErrors: [BAD_LIST_QUERY, NO_TOKEN];
    /// Errors of `POST /projects`.
    CreateErrors: [
        BAD_JSON,
        NO_TOKEN,
        (409, "The caller already has a project with this name"),
        TOO_LARGE,
        NOT_JSON,
        (422, "A field is missing, unknown or not valid"),
    ];
    /// Errors of `GET` and `DELETE /projects/{id}`.
    ReadErrors: [NO_TOKEN, (404, "No such project of the caller")];
    /// Errors of `PUT /projects/{id}`.
    UpdateErrors: [
        BAD_JSON,
        NO_TOKEN,
        (404, "No such project of the caller"),
        (409, "The caller already has a project with the new name"),
        TOO_LARGE,
        NOT_JSON,
        (422, "No field to change, or a field is unknown or not valid"),
    ];
}

/// The project routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_projects, create_project))
        .routes(routes!(get_project, update_project, delete_project))
}

/// A project.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectResponse {
    /// Id (UUID v7).
    pub id: Uuid,
    /// Name, unique among the owner's projects.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Number of specifications in the project.
    pub spec_count: i64,
    /// Creation time.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Last change.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl From<Project> for ProjectResponse {
    fn from(p: Project) -> Self {
        ProjectResponse {
            id: p.id,
            name: p.name,
            description: p.description,
            spec_count: p.spec_count,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

/// A page of projects, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectList {
    /// The projects.
    pub items: Vec<ProjectResponse>,
    /// Pass as `cursor` to read the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// A new project.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateProject {
    /// Name: 1 to 100 characters once surrounding spaces are trimmed, no control characters.
    #[schema(schema_with = new_name_schema)]
    pub name: String,
    /// Description, at most 2000 characters.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub description: Option<String>,
}

/// Changes to a project; at least one field.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(min_properties = 1)]
pub struct UpdateProject {
    /// New name (1 to 100 characters once trimmed, no control characters); `null` is not
    /// accepted.
    #[serde(default, deserialize_with = "present")]
    #[schema(schema_with = changed_name_schema, required = false)]
    pub name: Option<Option<String>>,
    /// New description (at most 2000 characters); `null` removes it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 2000)]
    pub description: Option<Option<String>>,
}

fn new_name_schema() -> Object {
    name_schema(
        MAX_NAME_CHARS,
        "Name: 1 to 100 characters once surrounding spaces are trimmed, no control characters.",
        Some("Bookstore"),
    )
}

fn changed_name_schema() -> Object {
    name_schema(
        MAX_NAME_CHARS,
        "New name (1 to 100 characters once trimmed, no control characters); `null` is not \
         accepted.",
        None,
    )
}

/// A checked project name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProjectName(String);

impl ProjectName {
    /// Trims the name and checks its length (1..=100 characters) and characters.
    pub fn parse(text: &str) -> Result<Self, FieldError> {
        parse_name(text, MAX_NAME_CHARS)
            .map(ProjectName)
            .map_err(|m| FieldError::new("name", m))
    }
}

/// A checked project description.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Description(String);

impl Description {
    /// Checks the length (at most 2000 characters); the text is kept as written.
    pub fn parse(text: String) -> Result<Self, FieldError> {
        if text.chars().count() > MAX_DESCRIPTION_CHARS {
            return Err(FieldError::new(
                "description",
                format!("must be at most {MAX_DESCRIPTION_CHARS} characters"),
            ));
        }
        Ok(Description(text))
    }
}

impl CreateProject {
    /// The checked name and description, or a 422 listing every problem.
    pub fn parse(self) -> Result<(ProjectName, Option<Description>), ApiError> {
        match (
            ProjectName::parse(&self.name),
            self.description.map(Description::parse).transpose(),
        ) {
            (Ok(name), Ok(description)) => Ok((name, description)),
            (name, description) => Err(validation_failed(
                [name.err(), description.err()]
                    .into_iter()
                    .flatten()
                    .collect(),
            )),
        }
    }
}

impl UpdateProject {
    /// The checked changes (`Some(None)` clears the description), or a 422 listing every
    /// problem, including a body that changes nothing.
    pub fn parse(self) -> Result<(Option<ProjectName>, Option<Option<Description>>), ApiError> {
        let mut errors = Vec::new();
        if self.name.is_none() && self.description.is_none() {
            errors.push(FieldError::new(
                "",
                "send at least one of `name` and `description`",
            ));
        }
        let name = match self.name {
            None => None,
            Some(None) => {
                errors.push(FieldError::new("name", "must not be null"));
                None
            }
            Some(Some(text)) => ProjectName::parse(&text).map_err(|e| errors.push(e)).ok(),
        };
        let description = match self.description {
            None => None,
            Some(None) => Some(None),
            Some(Some(text)) => Description::parse(text)
                .map_err(|e| errors.push(e))
                .ok()
                .map(Some),
        };
        check(errors)?;
        Ok((name, description))
    }
}

fn project_id(text: &str) -> Result<Uuid, ApiError> {
    parse_id(text, "project")
}

/// `/api/v1/projects/{id}`, the address of a project.
pub fn location(id: Uuid) -> String {
    format!("/api/v1/projects/{id}")
}

/// The caller's projects, newest first.
#[utoipa::path(
    get,
    path = "/projects",
    tag = "projects",
    security(("bearer" = [])),
    params(ProjectPages),
    responses(
        (status = 200, description = "A page of projects", body = ProjectList),
        ListErrors,
    )
)]
pub async fn list_projects(
    State(state): State<AppState>,
    caller: AuthUser,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<ProjectList>, ApiError> {
    let page = state
        .store
        .list_projects(caller.id, params.page(CursorKind::Project)?)
        .await?;
    let next_cursor = next_cursor(CursorKind::Project, &page.items, page.has_more, |p| {
        Cursor::Id(p.id)
    });
    Ok(Json(ProjectList {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor,
    }))
}

/// Creates a project.
#[utoipa::path(
    post,
    path = "/projects",
    tag = "projects",
    security(("bearer" = [])),
    request_body = CreateProject,
    responses(
        (status = 201, description = "Created", body = ProjectResponse,
            headers(("Location" = String, description = "The project's address"))),
        CreateErrors,
    )
)]
pub async fn create_project(
    State(state): State<AppState>,
    caller: AuthUser,
    ApiJson(body): ApiJson<CreateProject>,
) -> Result<Response, ApiError> {
    let (name, description) = body.parse()?;
    let project = state
        .store
        .create_project(
            caller.id,
            &name.0,
            description.as_ref().map(|d| d.0.as_str()),
        )
        .await?;
    created(&location(project.id), None, ProjectResponse::from(project))
}

/// One project of the caller.
#[utoipa::path(
    get,
    path = "/projects/{id}",
    tag = "projects",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Project id")),
    responses(
        (status = 200, description = "The project", body = ProjectResponse),
        ReadErrors,
    )
)]
pub async fn get_project(
    State(state): State<AppState>,
    caller: AuthUser,
    PathParams(id): PathParams<String>,
) -> Result<Json<ProjectResponse>, ApiError> {
    let project = state
        .store
        .get_project(caller.id, project_id(&id)?)
        .await?
        .ok_or_else(|| ApiError::not_found("project"))?;
    Ok(Json(project.into()))
}

/// Renames a project or changes its description.
#[utoipa::path(
    put,
    path = "/projects/{id}",
    tag = "projects",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Project id")),
    request_body = UpdateProject,
    responses(
        (status = 200, description = "The changed project", body = ProjectResponse),
        UpdateErrors,
    )
)]
pub async fn update_project(
    State(state): State<AppState>,
    caller: AuthUser,
    PathParams(id): PathParams<String>,
    ApiJson(body): ApiJson<UpdateProject>,
) -> Result<Json<ProjectResponse>, ApiError> {
    let id = project_id(&id)?;
    let (name, description) = body.parse()?;
    let project = state
        .store
        .update_project(
            caller.id,
            id,
            name.as_ref().map(|n| n.0.as_str()),
            description
                .as_ref()
                .map(|d| d.as_ref().map(|d| d.0.as_str())),
        )
        .await?
        .ok_or_else(|| ApiError::not_found("project"))?;
    Ok(Json(project.into()))
}

/// Deletes a project with its specifications.
#[utoipa::path(
    delete,
    path = "/projects/{id}",
    tag = "projects",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Project id")),
    responses(
        (status = 204, description = "Deleted, with its specifications"),
        ReadErrors,
    )
)]
pub async fn delete_project(
    State(state): State<AppState>,
    caller: AuthUser,
    PathParams(id): PathParams<String>,
) -> Result<StatusCode, ApiError> {
    if state
        .store
        .delete_project(caller.id, project_id(&id)?)
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("project"))
    }
}
