//! Structured logs: pretty lines for people, JSON lines for machines (`LOG_FORMAT`).
//!
//! Every line logged while a request is handled carries the fields of its span (`request_id`,
//! `method`, `path`): in JSON under `span`, in pretty lines as a `request{...}` prefix.

use std::io::IsTerminal as _;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

use crate::config::LogFormat;

/// The level filter used when `RUST_LOG` is not set.
pub const DEFAULT_FILTER: &str = "info";

/// Installs the global subscriber (level from `RUST_LOG`, default `info`) writing to standard
/// output, and a panic hook that logs panics as errors in the span of the request that
/// panicked. A second call keeps the first subscriber.
pub fn init(format: LogFormat) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let registry = tracing_subscriber::registry().with(filter);
    let installed = match format {
        LogFormat::Json => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .json()
                    .flatten_event(true)
                    .with_current_span(true)
                    .with_span_list(false),
            )
            .try_init(),
        LogFormat::Pretty => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .with_target(false)
                    // Colour codes only for a person at a terminal, not in files or collectors.
                    .with_ansi(
                        std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
                    ),
            )
            .try_init(),
    };
    if installed.is_ok() {
        std::panic::set_hook(Box::new(log_panic));
    }
}

/// Logs a panic through `tracing`, so it is one structured line with the request id of the
/// current span instead of free text on standard error.
fn log_panic(info: &std::panic::PanicHookInfo<'_>) {
    let payload = info.payload();
    let message = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)");
    let location = info
        .location()
        .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
        .unwrap_or_default();
    tracing::error!(panic = message, location = %location, "a task panicked");
}
