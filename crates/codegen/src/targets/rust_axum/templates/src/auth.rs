//! Bearer tokens: HS256 JWTs signed with `JWT_SECRET`, with `sub`, `exp` and `roles`.
//!
//! A handler takes a [`Caller`] (the extractor answers 401 for a missing or invalid token)
//! and asks it for the roles of its operation with [`Caller::require_any`] (403).

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use jsonwebtoken::{Algorithm, Validation};
use serde::Deserialize;

use crate::error::AppError;
use crate::state::AppState;

/// Who sent the request, from a valid token.
#[derive(Clone, Debug, Deserialize)]
pub struct Caller {
    /// Who the caller is.
    pub sub: String,
    /// What the caller may do.
    #[serde(default)]
    pub roles: Vec<String>,
}

impl Caller {
    /// Succeeds when `roles` is empty or the caller has one of them.
    pub fn require_any(&self, roles: &[&str]) -> Result<(), AppError> {
        if roles.is_empty() || self.roles.iter().any(|r| roles.contains(&r.as_str())) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let value = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or(AppError::Unauthorized)?;
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(AppError::Unauthorized)?;
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_required_spec_claims(&["exp", "sub"]);
        jsonwebtoken::decode::<Caller>(token, &state.key, &validation)
            .map(|data| data.claims)
            .map_err(|_| AppError::Unauthorized)
    }
}
