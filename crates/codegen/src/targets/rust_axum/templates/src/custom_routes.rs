//! Your own routes, merged into the service beside the generated API. specforge writes this
//! file once and never touches it again: regenerating leaves it as you made it.

use axum::Router;

use crate::state::AppState;

/// The routes this file adds (for example `.route("/api/reports", get(report))`).
pub fn routes() -> Router<AppState> {
    Router::new()
}
