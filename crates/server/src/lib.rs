//! The specforge REST service.
//!
//! [`app::router`] builds the whole HTTP application from a [`state::AppState`]; [`serve`] runs
//! it with the configured database until SIGTERM or Ctrl-C; [`migrate`] applies the database
//! migrations alone. Configuration comes from [`config::ServeArgs`] (flags and environment).

#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod app;
pub mod auth;
pub mod config;
pub mod error;
pub mod extract;
pub mod jobs;
pub mod logging;
pub mod middleware;
pub mod routes;
pub mod state;
pub mod store;

use std::future::IntoFuture as _;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use axum::serve::ListenerExt as _;
use secrecy::ExposeSecret;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::config::{AppEnv, Config};
use crate::state::AppState;
use crate::store::Store;

/// Opens the database, applies migrations and serves until SIGTERM or Ctrl-C; in-flight requests
/// finish before it returns. A signal that arrives while the database is being prepared stops
/// the start-up cleanly.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let stop = CancellationToken::new();
    tokio::spawn({
        let stop = stop.clone();
        async move {
            shutdown_signal().await;
            stop.cancel();
        }
    });
    let listener = TcpListener::bind(config.bind_addr)
        .await
        .with_context(|| format!("cannot listen on {} (BIND_ADDR)", config.bind_addr))?;
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        app_env = ?config.app_env,
        database = %config.database_url_redacted(),
        data_dir = %config.data_dir.display(),
        "specforge is starting"
    );
    let state = tokio::select! {
        state = prepare(config) => state?,
        () = stop.cancelled() => {
            tracing::info!("stopped before start-up finished");
            return Ok(());
        }
    };
    let addr = listener.local_addr()?;
    tracing::info!(%addr, backend = state.store.backend(), "specforge is listening on http://{addr}");
    run(listener, state, async move { stop.cancelled().await }).await
}

/// Connects to the database, applies migrations and loads the signing keys.
pub async fn prepare(config: Config) -> anyhow::Result<AppState> {
    let store = connect(&config).await?;
    store
        .migrate()
        .await
        .context("applying database migrations")?;
    let keys = auth::Keys::load(&config).context("loading the token signing key")?;
    if config.dev_login {
        tracing::warn!(
            "DEVELOPMENT LOGIN IS ENABLED: anyone can sign in as anyone with POST /api/v1/auth/dev-login; \
             set DEV_LOGIN=false or configure an OIDC client for real users"
        );
    }
    if config.app_env == AppEnv::Development && config.jwt_secret.is_none() {
        tracing::warn!(
            "JWT_SECRET_KEY is not set: tokens are signed with the key in the data folder"
        );
    }
    Ok(AppState::new(store, Arc::new(keys), Arc::new(config)))
}

/// Applies the database migrations and returns.
pub async fn migrate(config: Config) -> anyhow::Result<()> {
    let store = connect(&config).await?;
    store
        .migrate()
        .await
        .context("applying database migrations")?;
    tracing::info!(backend = store.backend(), "migrations applied");
    store.close().await;
    Ok(())
}

async fn connect(config: &Config) -> anyhow::Result<Store> {
    Store::connect(
        config.database_url.expose_secret(),
        config.database_max_connections,
    )
    .await
    .with_context(|| {
        format!(
            "cannot open the database {} (DATABASE_URL)",
            config.database_url_redacted()
        )
    })
}

/// Serves `state` on `listener`, with the generation workers of [`jobs`], until `shutdown`
/// completes, then lets in-flight requests (and jobs, for up to ten seconds) finish:
/// it stops accepting connections, closes idle ones, and waits for open requests at most the
/// request timeout and five seconds more (a client that never finishes its request cannot hold
/// the process).
pub async fn run(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let store = state.store.clone();
    let grace = state.config.request_timeout + Duration::from_secs(5);
    let workers = jobs::Workers::start(
        store.clone(),
        jobs::JobSettings::from_config(&state.config),
        Arc::clone(&state.wake_workers),
    );
    // Stops the workers also when this future is dropped before the end.
    let _stop_workers = workers.stop_token().drop_guard();
    let app = app::router(state);
    let draining = CancellationToken::new();
    // Responses go out at once: no waiting on Nagle's algorithm for small writes.
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "TCP_NODELAY could not be set");
        }
    });
    let server = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown({
        let draining = draining.clone();
        async move {
            shutdown.await;
            tracing::info!("shutting down: no new connections, finishing requests in flight");
            draining.cancel();
        }
    })
    .into_future();
    tokio::select! {
        result = server => result.context("serving HTTP")?,
        () = async {
            draining.cancelled().await;
            tokio::time::sleep(grace).await;
        } => {
            tracing::warn!(
                seconds = grace.as_secs(),
                "requests still open after the shutdown grace period; stopping anyway"
            );
        }
    }
    workers.shutdown(Duration::from_secs(10)).await;
    // Closing waits for connections in use; a request abandoned above may never return its own.
    if tokio::time::timeout(Duration::from_secs(5), store.close())
        .await
        .is_err()
    {
        tracing::warn!("the database connections did not close within 5 s");
    }
    tracing::info!("specforge stopped");
    Ok(())
}

/// Completes on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
