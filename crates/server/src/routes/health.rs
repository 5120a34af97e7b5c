//! `GET /health/live` and `GET /health/ready`.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;
use crate::store::Storage;

/// How long the readiness check waits for the database.
const DATABASE_CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// The health routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(live))
        .routes(routes!(ready))
}

/// Liveness.
#[derive(Debug, Serialize, ToSchema)]
pub struct Live {
    /// Always `ok`.
    pub status: &'static str,
}

/// Readiness with the state of each dependency.
#[derive(Debug, Serialize, ToSchema)]
pub struct Ready {
    /// `ready` or `unavailable`.
    pub status: &'static str,
    /// `database`: `ok` or `error: ...`; `redis`: `disabled` until Redis is configured.
    pub checks: Checks,
}

/// Dependency checks.
#[derive(Debug, Serialize, ToSchema)]
pub struct Checks {
    /// Database.
    pub database: String,
    /// Redis.
    pub redis: String,
}

/// The process is up.
#[utoipa::path(get, path = "/health/live", tag = "operations", responses((status = 200, body = Live)))]
pub async fn live() -> Json<Live> {
    Json(Live { status: "ok" })
}

/// The service can serve requests: the database answers within two seconds.
#[utoipa::path(get, path = "/health/ready", tag = "operations", responses(
    (status = 200, body = Ready), (status = 503, body = Ready)))]
pub async fn ready(State(state): State<AppState>) -> (StatusCode, Json<Ready>) {
    let database = match tokio::time::timeout(DATABASE_CHECK_TIMEOUT, state.store.ping()).await {
        Ok(Ok(())) => "ok".to_string(),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness: database check failed");
            "error: the database did not answer".to_string()
        }
        Err(_) => "error: the database did not answer within 2 s".to_string(),
    };
    let ok = database == "ok";
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(Ready {
            status: if ok { "ready" } else { "unavailable" },
            checks: Checks {
                database,
                redis: "disabled".into(),
            },
        }),
    )
}
