//! `POST /auth/dev-login` and `GET /auth/me`.
//!
//! Development login signs anyone in by e-mail alone, so [`router`] registers it only when
//! `DEV_LOGIN` is on: when it is off the route is neither served nor documented. The user it
//! makes has the identity issuer `dev` and the lower-cased e-mail as subject, the same keying
//! that Google/OIDC sign-in will use with its own issuer.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::config::Config;
use crate::error::{ApiError, FieldError};
use crate::extract::ApiJson;
use crate::routes::common::validation_failed;
use crate::routes::problems::{BAD_JSON, NOT_JSON, TOO_LARGE, problems};
use crate::state::AppState;
use crate::store::{Identity, Storage, User};

/// Name of the bearer-token security scheme in the API document.
pub const SECURITY_SCHEME: &str = "bearer";
/// Identity issuer of users made by development login.
pub const DEV_ISSUER: &str = "dev";
/// Longest e-mail address (RFC 5321 path limit).
pub const MAX_EMAIL_CHARS: usize = 254;
/// Longest display name.
pub const MAX_NAME_CHARS: usize = 100;

problems! {
    /// Errors of `POST /auth/dev-login`.
    DevLoginErrors: [
        BAD_JSON,
        TOO_LARGE,
        NOT_JSON,
        (422, "`email` or `name` is not valid, or an unknown field was sent"),
    ];
    /// Errors of `GET /auth/me`.
    MeErrors: [(401, "No valid access token, or its user no longer exists")];
}

/// The sign-in routes; development login only when `config.dev_login`.
pub fn router(config: &Config) -> OpenApiRouter<AppState> {
    let router = OpenApiRouter::with_openapi(SecurityDoc::openapi()).routes(routes!(me));
    if config.dev_login {
        router.routes(routes!(dev_login))
    } else {
        router
    }
}

/// Declares the bearer scheme that the protected operations refer to.
#[derive(OpenApi)]
#[openapi(modifiers(&BearerScheme))]
struct SecurityDoc;

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut http = Http::new(HttpAuthScheme::Bearer);
        http.bearer_format = Some("JWT".into());
        http.description = Some(
            "An access token from `POST /api/v1/auth/dev-login` (or, later, `/auth/login`).".into(),
        );
        components.add_security_scheme(SECURITY_SCHEME, SecurityScheme::Http(http));
    }
}

/// Development sign-in.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DevLoginRequest {
    /// E-mail address; it identifies the user (compared without case).
    #[schema(example = "ada@example.com", max_length = 254)]
    pub email: String,
    /// Display name (at most 100 characters); an empty one counts as none.
    #[serde(default)]
    #[schema(example = "Ada Lovelace", max_length = 100)]
    pub name: Option<String>,
}

/// A signed-in user.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserResponse {
    /// User id.
    pub id: Uuid,
    /// E-mail address.
    pub email: String,
    /// Display name.
    pub name: Option<String>,
    /// Picture URL (from the identity provider).
    pub picture_url: Option<String>,
    /// When the user first signed in.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<User> for UserResponse {
    fn from(user: User) -> Self {
        UserResponse {
            id: user.id,
            email: user.email,
            name: user.name,
            picture_url: user.picture_url,
            created_at: user.created_at,
        }
    }
}

/// The tokens of a sign-in. There is no `refresh_token` yet: refresh tokens come with
/// Google/OIDC sign-in, and until then a client signs in again when the access token expires.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// The access token, sent as `Authorization: Bearer <token>`.
    pub access_token: String,
    /// Always `Bearer`.
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// The signed-in user.
    pub user: UserResponse,
}

/// An e-mail address that passed the checks, lower-cased.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Checks the shape of an address: one `@`, a non-empty local part, a domain with a dot
    /// between non-empty labels, no whitespace or control characters, at most 254 characters.
    /// It does not prove the address receives mail; development login never sends any.
    pub fn parse(text: &str) -> Result<Email, String> {
        if text.is_empty() {
            return Err("must not be empty".into());
        }
        if text.chars().count() > MAX_EMAIL_CHARS {
            return Err(format!("must be at most {MAX_EMAIL_CHARS} characters"));
        }
        if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err("must not contain spaces".into());
        }
        let mut parts = text.split('@');
        let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err("must contain exactly one `@`".into());
        };
        if local.is_empty() {
            return Err("needs a name before the `@`".into());
        }
        if !domain.contains('.') || domain.split('.').any(str::is_empty) {
            return Err("needs a domain such as example.com after the `@`".into());
        }
        Ok(Email(text.to_lowercase()))
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A display name: trimmed, at most 100 characters; empty means none.
fn parse_display_name(text: Option<&str>) -> Result<Option<String>, String> {
    let Some(name) = text.map(str::trim).filter(|n| !n.is_empty()) else {
        return Ok(None);
    };
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(format!("must be at most {MAX_NAME_CHARS} characters"));
    }
    if name.chars().any(char::is_control) {
        return Err("must not contain control characters".into());
    }
    Ok(Some(name.to_string()))
}

/// Signs in as the user with this e-mail address, creating them on first use.
///
/// Exists only when development login is enabled (`DEV_LOGIN`). The answer has no
/// `refresh_token` yet: refresh tokens come with Google/OIDC sign-in; sign in again when the
/// access token expires.
#[utoipa::path(
    post,
    path = "/auth/dev-login",
    tag = "auth",
    request_body = DevLoginRequest,
    responses(
        (status = 200, description = "Signed in", body = TokenResponse),
        DevLoginErrors,
    )
)]
pub async fn dev_login(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<DevLoginRequest>,
) -> Result<Json<TokenResponse>, ApiError> {
    let (email, name) = match (
        Email::parse(&body.email),
        parse_display_name(body.name.as_deref()),
    ) {
        (Ok(email), Ok(name)) => (email, name),
        (email, name) => {
            let errors = [
                email.err().map(|m| FieldError::new("email", m)),
                name.err().map(|m| FieldError::new("name", m)),
            ];
            return Err(validation_failed(errors.into_iter().flatten().collect()));
        }
    };
    let user = state
        .store
        .upsert_user(&Identity {
            issuer: DEV_ISSUER.into(),
            subject: email.as_str().to_string(),
            email: email.as_str().to_string(),
            name,
            picture_url: None,
        })
        .await?;
    let token = state.keys.issue(user.id)?;
    Ok(Json(TokenResponse {
        access_token: token.token,
        token_type: "Bearer",
        expires_in: token.expires_in,
        user: user.into(),
    }))
}

/// The signed-in user.
#[utoipa::path(
    get,
    path = "/auth/me",
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The user of the access token", body = UserResponse),
        MeErrors,
    )
)]
pub async fn me(
    State(state): State<AppState>,
    caller: AuthUser,
) -> Result<Json<UserResponse>, ApiError> {
    let user = state.store.get_user(caller.id).await?.ok_or_else(|| {
        ApiError::Unauthorized("the user of this access token no longer exists".into())
    })?;
    Ok(Json(user.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plausible_addresses_are_accepted_and_lower_cased() {
        assert_eq!(
            Email::parse("Ada.Lovelace+x@Example.co.uk")
                .expect("valid")
                .as_str(),
            "ada.lovelace+x@example.co.uk"
        );
    }

    #[test]
    fn malformed_addresses_are_refused() {
        for bad in [
            "",
            "ada",
            "@example.com",
            "ada@",
            "ada@example",
            "ada@@example.com",
            "a@b@example.com",
            "ada @example.com",
            "ada@example..com",
            "ada@.example.com",
            "ada@example.com.",
            "ada@exa\tmple.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert!(Email::parse(&long).is_err());
    }

    #[test]
    fn display_names_are_trimmed_bounded_and_optional() {
        assert_eq!(parse_display_name(None), Ok(None));
        assert_eq!(parse_display_name(Some("  ")), Ok(None));
        assert_eq!(
            parse_display_name(Some(" Ada ")),
            Ok(Some("Ada".to_string()))
        );
        assert!(parse_display_name(Some(&"x".repeat(101))).is_err());
    }
}
