//! What every handler shares.

use std::sync::Arc;

use jsonwebtoken::DecodingKey;

use crate::db::Pool;

/// The application's state: the database and the key tokens are checked with.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub db: Pool,
    /// The key bearer tokens are checked with.
    pub key: Arc<DecodingKey>,
}

impl AppState {
    /// A state for `db`, checking tokens signed with `secret`.
    pub fn new(db: Pool, secret: &[u8]) -> Self {
        AppState {
            db,
            key: Arc::new(DecodingKey::from_secret(secret)),
        }
    }
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("db", &self.db)
            .finish_non_exhaustive()
    }
}
