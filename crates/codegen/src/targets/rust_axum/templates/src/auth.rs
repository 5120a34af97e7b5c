//! Bearer tokens: HS256 JWTs signed with `JWT_SECRET`, with `sub`, `exp` and `roles`.

use axum::http::{HeaderMap, StatusCode, header};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

use crate::meta::SfOperation;
use crate::problem::SfProblem;

/// What a valid token says.
#[derive(Clone, Debug, Deserialize)]
pub struct SfClaims {
    /// Who the caller is.
    pub sub: String,
    /// What the caller may do.
    #[serde(default)]
    pub roles: Vec<String>,
}

/// Checks the request's bearer token and that it has one of `operation`'s roles.
pub fn sf_authorize(
    key: &DecodingKey,
    headers: &HeaderMap,
    operation: &SfOperation,
) -> Result<SfClaims, SfProblem> {
    let unauthorized =
        || SfProblem::new(StatusCode::UNAUTHORIZED, "a valid bearer token is required");
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(unauthorized)?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(unauthorized)?;
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_required_spec_claims(&["exp", "sub"]);
    let claims = jsonwebtoken::decode::<SfClaims>(token, key, &validation)
        .map_err(|_| unauthorized())?
        .claims;
    if !operation.roles.is_empty()
        && !claims
            .roles
            .iter()
            .any(|r| operation.roles.contains(&r.as_str()))
    {
        return Err(SfProblem::new(
            StatusCode::FORBIDDEN,
            "the token lacks the roles this operation needs",
        ));
    }
    Ok(claims)
}
