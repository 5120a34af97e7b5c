//! What every handler can reach. Kept apart from `app`, which builds the router out of the
//! route modules: the routes depend on the state, and the state on none of them.

use std::sync::Arc;
use std::time::Instant;

use crate::auth::{HasKeys, Keys};
use crate::config::Config;
use crate::store::Store;

/// What every handler can reach.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// Token keys.
    pub keys: Arc<Keys>,
    /// Configuration.
    pub config: Arc<Config>,
    /// When the service started.
    pub started: Instant,
    /// Wakes an idle worker of this process when a job is queued.
    pub wake_workers: Arc<tokio::sync::Notify>,
}

impl AppState {
    /// State from its parts.
    pub fn new(store: Store, keys: Arc<Keys>, config: Arc<Config>) -> Self {
        AppState {
            store,
            keys,
            config,
            started: Instant::now(),
            wake_workers: Arc::new(tokio::sync::Notify::new()),
        }
    }
}

impl HasKeys for AppState {
    fn keys(&self) -> &Arc<Keys> {
        &self.keys
    }
}
