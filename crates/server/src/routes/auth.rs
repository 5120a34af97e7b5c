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
use utoipa::openapi::schema::{Object, ObjectBuilder, SchemaType, Type};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::config::Config;
use crate::error::{ApiError, FieldError};
use crate::extract::ApiJson;
use crate::routes::common::{CONTROL, TRIMMED_SPACE, name_pattern, validation_failed};
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
    #[schema(schema_with = email_schema)]
    pub email: String,
    /// Display name (at most 100 characters once trimmed, no control characters); an empty one
    /// counts as none.
    #[serde(default)]
    #[schema(schema_with = display_name_schema)]
    pub name: Option<String>,
}

/// The addresses [`Email::parse`] accepts: one `@` between a non-empty local part and a domain
/// of at least two non-empty dot-separated labels, no white space or control character
/// (`TRIMMED_SPACE` and `CONTROL` together are every character `char::is_whitespace` or
/// `char::is_control` finds), at most 254 characters (`maxLength`).
pub fn email_pattern() -> String {
    let not = format!("@{TRIMMED_SPACE}{CONTROL}");
    format!("^[^{not}]+@[^{not}.]+(?:\\.[^{not}.]+)+$")
}

#[allow(deprecated)] // `example` keeps the document as the derived schemas write it
fn email_schema() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        // No `format: email`: validators read that as RFC 5321 in full, which the server does
        // not check (development login never sends mail), so it would promise refusals that do
        // not happen. The pattern is what is checked.
        .description(Some(
            "E-mail address; it identifies the user (compared without case). Only its shape is \
             checked: one `@`, a domain with a dot, no spaces.",
        ))
        .example(Some("ada@example.com".into()))
        .max_length(Some(MAX_EMAIL_CHARS))
        .pattern(Some(email_pattern()))
        .build()
}

#[allow(deprecated)] // `example` keeps the document as the derived schemas write it
fn display_name_schema() -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .description(Some(
            "Display name (at most 100 characters once trimmed, no control characters); an \
             empty one counts as none.",
        ))
        .example(Some("Ada Lovelace".into()))
        .pattern(Some(name_pattern(MAX_NAME_CHARS, true)))
        .build()
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

/// A display name: no control characters, trimmed, at most 100 characters; empty means none.
fn parse_display_name(text: Option<&str>) -> Result<Option<String>, String> {
    if text.is_some_and(|t| t.chars().any(char::is_control)) {
        return Err("must not contain control characters".into());
    }
    let Some(name) = text.map(str::trim).filter(|n| !n.is_empty()) else {
        return Ok(None);
    };
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(format!("must be at most {MAX_NAME_CHARS} characters"));
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
        assert!(parse_display_name(Some("Ada\n")).is_err());
        assert!(parse_display_name(Some("\t")).is_err());
    }

    #[test]
    fn the_email_pattern_is_built_from_the_characters_an_address_refuses() {
        let pattern = email_pattern();
        assert!(pattern.starts_with("^[^@\\u0020"), "{pattern}");
        assert!(pattern.contains(CONTROL), "{pattern}");
        assert!(pattern.ends_with("+)+$"), "{pattern}");
    }
}
