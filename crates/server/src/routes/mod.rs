//! Route modules. Each exposes `router()` returning an [`OpenApiRouter`] built with
//! `utoipa_axum::routes!`, so registering a route documents it: the OpenAPI document cannot
//! miss a route. Request and response types sit beside their handlers.

pub mod docs;
pub mod health;

use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;

use crate::app::AppState;

/// Every documented route: `/api/v1/...` and the operations routes.
pub fn documented_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(docs::ApiDoc::openapi())
        .nest("/api/v1", api_router())
        .merge(health::router())
}

/// The routes under `/api/v1`.
pub fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
}
