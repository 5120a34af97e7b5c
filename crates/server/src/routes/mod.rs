//! Route modules; each exposes `router()` and keeps its request and response types beside its
//! handlers.

pub mod docs;
pub mod health;

use axum::Router;

use crate::app::AppState;

/// The routes under `/api/v1`.
pub fn api_router(_state: &AppState) -> Router<AppState> {
    Router::new()
}
