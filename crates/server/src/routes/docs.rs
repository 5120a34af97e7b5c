//! `GET /api/v1/openapi.json` and the interactive reference at `/docs` (to be built).

use axum::Router;

use crate::app::AppState;

/// The documentation routes.
pub fn router() -> Router<AppState> {
    Router::new()
}
