//! `GET /api/v1/openapi.json` and the interactive reference at `/docs`.
//!
//! [`ApiDoc`] holds the fixed parts of the document (info, servers, tags, the problem schemas);
//! the route modules add every path as they register it (and `routes::auth` the bearer security
//! scheme its protected operations refer to), and [`router`] adds its own path, then serves the
//! finished document. The reference page is
//! Swagger UI compiled into the binary (`utoipa-swagger-ui` with `vendored`): no CDN at run
//! time, no download at build time.

use std::sync::Arc;

use axum::body::Bytes;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Router};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use utoipa_swagger_ui::{Config, SwaggerUi};

use crate::error::{ApiError, FieldError, Problem};
use crate::state::AppState;

/// Where the OpenAPI document is served.
pub const OPENAPI_PATH: &str = "/api/v1/openapi.json";
/// Where the interactive reference is served (its page is at `/docs/`).
pub const DOCS_PATH: &str = "/docs";

/// The document's fixed parts; paths and schemas are added by the route modules.
#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "specforge API",
        description = "Turn requirement specifications into working codebases.\n\n\
            Errors are RFC 9457 problem documents (`application/problem+json`) with a stable \
            `code`. Send `Authorization: Bearer <access token>` on every `/api/v1` route except \
            sign-in; get a token from `POST /api/v1/auth/dev-login` when development login is \
            enabled.",
        version = env!("CARGO_PKG_VERSION"),
        license(name = "Apache-2.0")
    ),
    servers((url = "/", description = "This server")),
    components(schemas(Problem, FieldError)),
    tags(
        (name = "auth", description = "Sign-in, tokens and the current user"),
        (name = "projects", description = "Projects of the signed-in user"),
        (name = "specs", description = "Specifications, their revisions and validation"),
        (name = "generations", description = "Targets, generation jobs, their files and archives"),
        (name = "operations", description = "Health checks and this document")
    )
)]
pub struct ApiDoc;

/// The serialized document, made once when the router is built.
#[derive(Clone, Debug)]
struct Document(Arc<Result<Bytes, String>>);

/// The documentation routes: `openapi`, completed with its own path, and the reference page.
pub fn router(openapi: utoipa::openapi::OpenApi) -> Router<AppState> {
    let (routes, mut openapi) = OpenApiRouter::<AppState>::with_openapi(openapi)
        .routes(routes!(openapi_json))
        .split_for_parts();
    // The version follows the binary, whatever the route modules' documents said.
    openapi.info.version = env!("CARGO_PKG_VERSION").to_string();
    let document = Document(Arc::new(
        openapi
            .to_json()
            .map(Bytes::from)
            .map_err(|e| e.to_string()),
    ));
    let page = Config::from(OPENAPI_PATH)
        // Swagger UI's default validator is an outside service; the page must work offline.
        .validator_url("none")
        .persist_authorization(true)
        .try_it_out_enabled(true);
    routes
        .layer(Extension(document))
        .merge(SwaggerUi::new(DOCS_PATH).config(page))
}

/// The OpenAPI 3.1 document of this API.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "operations",
    responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json")))]
async fn openapi_json(Extension(document): Extension<Document>) -> Result<Response, ApiError> {
    match document.0.as_ref() {
        Ok(bytes) => {
            let mut response = bytes.clone().into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            Ok(response)
        }
        Err(cause) => Err(ApiError::Internal(anyhow::anyhow!(
            "serializing the OpenAPI document: {cause}"
        ))),
    }
}
