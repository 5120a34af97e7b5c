//! Route modules. Each exposes `router()` returning an [`OpenApiRouter`] built with
//! `utoipa_axum::routes!`, so registering a route documents it: the OpenAPI document cannot
//! miss a route. Request and response types sit beside their handlers.

pub mod auth;
pub mod common;
pub mod docs;
pub mod generations;
pub mod health;
pub mod problems;
pub mod projects;
pub mod specs;

use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;

use crate::config::Config;
use crate::state::AppState;

/// Every documented route: `/api/v1/...` and the operations routes.
pub fn documented_router(config: &Config) -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(docs::ApiDoc::openapi())
        .nest("/api/v1", api_router(config))
        .merge(health::router())
}

/// The routes under `/api/v1`; `config` decides whether development login exists.
pub fn api_router(config: &Config) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(auth::router(config))
        .merge(projects::router())
        .merge(specs::router())
        .merge(generations::router())
}
