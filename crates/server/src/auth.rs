//! Access tokens and the authenticated caller.
//!
//! [`Keys`] signs and checks our own access tokens: JWTs with the algorithm fixed on the server
//! (HS256), header `typ: at+jwt`, and the claims `iss`, `aud`, `sub` (the user id), `exp`,
//! `iat` and `jti`. Handlers take an [`AuthUser`] argument to require a valid token; a missing,
//! malformed, expired or foreign token is a 401 problem.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use aws_lc_rs::hmac;
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use base64::Engine as _;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::config::Config;
use crate::error::ApiError;

/// `iss` of our tokens.
pub const ISSUER: &str = "specforge";
/// `aud` of our access tokens.
pub const AUDIENCE: &str = "specforge-api";
/// `typ` header of access tokens (RFC 9068).
pub const ACCESS_TOKEN_TYPE: &str = "at+jwt";
/// File in the data folder holding the development signing key.
pub const DEV_KEY_FILE: &str = "jwt-secret.key";

/// The claims of an access token.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Claims {
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// The user id.
    pub sub: String,
    /// Expiry (seconds since the epoch).
    pub exp: i64,
    /// Issued at.
    pub iat: i64,
    /// Token id.
    pub jti: String,
}

/// An issued access token.
#[derive(Clone, Debug)]
pub struct IssuedToken {
    /// The JWT.
    pub token: String,
    /// Lifetime in seconds.
    pub expires_in: u64,
    /// Its id.
    pub jti: Uuid,
}

/// Seconds of clock difference tolerated when checking `exp`.
pub const LEEWAY_SECONDS: i64 = 30;

/// Signing and verification keys.
#[derive(Clone)]
pub struct Keys {
    encoding: EncodingKey,
    /// The HMAC-SHA256 key, prepared once (every request checks a signature with it).
    verifying: hmac::Key,
    ttl: Duration,
}

/// The protected header of an access token, as far as it is checked.
#[derive(Deserialize)]
struct TokenHeader<'a> {
    #[serde(borrow)]
    alg: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    typ: Option<std::borrow::Cow<'a, str>>,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys")
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

impl Keys {
    /// Keys from a secret.
    pub fn from_secret(secret: &[u8], ttl: Duration) -> Self {
        Keys {
            encoding: EncodingKey::from_secret(secret),
            verifying: hmac::Key::new(hmac::HMAC_SHA256, secret),
            ttl,
        }
    }

    /// The configured secret, or in development the key kept in the data folder (created on
    /// first start, readable by the owner only).
    pub fn load(config: &Config) -> anyhow::Result<Self> {
        if let Some(secret) = &config.jwt_secret {
            return Ok(Self::from_secret(
                secret.expose_secret().as_bytes(),
                config.access_token_ttl,
            ));
        }
        let secret = load_or_create_dev_key(&config.data_dir)?;
        Ok(Self::from_secret(&secret, config.access_token_ttl))
    }

    /// Signs an access token for `user`.
    pub fn issue(&self, user: Uuid) -> Result<IssuedToken, ApiError> {
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let jti = Uuid::now_v7();
        let ttl = self.ttl.as_secs();
        let claims = Claims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub: user.to_string(),
            exp: now + i64::try_from(ttl).unwrap_or(i64::MAX / 2),
            iat: now,
            jti: jti.to_string(),
        };
        let mut header = Header::new(Algorithm::HS256);
        header.typ = Some(ACCESS_TOKEN_TYPE.into());
        let token = jsonwebtoken::encode(&header, &claims, &self.encoding)
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("signing a token: {e}")))?;
        Ok(IssuedToken {
            token,
            expires_in: ttl,
            jti,
        })
    }

    /// Checks a token: its form (three base64url parts), the HS256 signature with our key
    /// (whatever the header claims), then the header (`alg: HS256`, `typ: at+jwt`) and the
    /// claims (`iss`, `aud`, and `exp` with 30 s of leeway; every claim present).
    pub fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        let invalid = || ApiError::Unauthorized("the access token is not valid".into());
        let mut parts = token.split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid());
        };
        // An HMAC-SHA256 tag is 32 bytes: 43 characters of unpadded base64url.
        let mut tag = [0u8; 32];
        if signature.len() != 43
            || base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode_slice(signature, &mut tag)
                .ok()
                != Some(tag.len())
        {
            return Err(invalid());
        }
        let signed = &token.as_bytes()[..header.len() + 1 + payload.len()];
        hmac::verify(&self.verifying, signed, &tag).map_err(|_| invalid())?;

        let header_json = decode_part(header).ok_or_else(invalid)?;
        let header: TokenHeader<'_> =
            serde_json::from_slice(&header_json).map_err(|_| invalid())?;
        if header.alg != "HS256" {
            return Err(invalid());
        }
        if header.typ.as_deref() != Some(ACCESS_TOKEN_TYPE) {
            return Err(ApiError::Unauthorized(
                "the token is not an access token".into(),
            ));
        }
        let claims_json = decode_part(payload).ok_or_else(invalid)?;
        let claims: Claims = serde_json::from_slice(&claims_json).map_err(|_| invalid())?;
        if claims.iss != ISSUER || claims.aud != AUDIENCE {
            return Err(invalid());
        }
        let now = OffsetDateTime::now_utc().unix_timestamp();
        if claims.exp.saturating_add(LEEWAY_SECONDS) < now {
            return Err(ApiError::Unauthorized(
                "the access token has expired".into(),
            ));
        }
        Ok(claims)
    }
}

/// One base64url part of a token, decoded (`None` when it is not base64url or too long).
fn decode_part(part: &str) -> Option<Vec<u8>> {
    const MAX_PART: usize = 4096;
    if part.len() > MAX_PART {
        return None;
    }
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .ok()
}

fn load_or_create_dev_key(dir: &Path) -> anyhow::Result<Vec<u8>> {
    let path = dir.join(DEV_KEY_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let key = base64::engine::general_purpose::STANDARD
                .decode(text.trim())
                .map_err(|e| anyhow::anyhow!("{} is not a valid key file: {e}", path.display()))?;
            anyhow::ensure!(
                key.len() >= 32,
                "{} holds a key shorter than 32 bytes",
                path.display()
            );
            Ok(key)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir).map_err(|e| {
                anyhow::anyhow!("cannot create the data folder {}: {e}", dir.display())
            })?;
            let mut key = vec![0u8; 48];
            getrandom::fill(&mut key)
                .map_err(|e| anyhow::anyhow!("no randomness for a signing key: {e}"))?;
            let text = base64::engine::general_purpose::STANDARD.encode(&key);
            write_private(&path, text.as_bytes())?;
            tracing::warn!(path = %path.display(), "created a development signing key; set JWT_SECRET_KEY in production");
            Ok(key)
        }
        Err(e) => Err(anyhow::anyhow!("cannot read {}: {e}", path.display())),
    }
}

/// Writes a file only its owner can read, failing if it already exists.
fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", path.display()))?;
    file.write_all(bytes)?;
    file.sync_all()?;
    Ok(())
}

/// The caller of a request, proven by a valid access token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AuthUser {
    /// The user id.
    pub id: Uuid,
}

/// Whatever state gives access to the token keys.
pub trait HasKeys {
    /// The keys.
    fn keys(&self) -> &Arc<Keys>;
}

impl<S> FromRequestParts<S> for AuthUser
where
    S: HasKeys + Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let header = parts.headers.get(AUTHORIZATION).ok_or_else(|| {
            ApiError::Unauthorized("an `Authorization: Bearer <token>` header is required".into())
        })?;
        let value = header.to_str().map_err(|_| {
            ApiError::Unauthorized("the Authorization header is not valid text".into())
        })?;
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                ApiError::Unauthorized("the Authorization header must be `Bearer <token>`".into())
            })?;
        let claims = state.keys().verify(token)?;
        let id = Uuid::parse_str(&claims.sub)
            .map_err(|_| ApiError::Unauthorized("the access token is not valid".into()))?;
        Ok(AuthUser { id })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_issued_token_verifies_and_carries_the_user() {
        let keys = Keys::from_secret(&[7; 32], Duration::from_secs(900));
        let user = Uuid::now_v7();
        let issued = keys.issue(user).expect("issue");
        let claims = keys.verify(&issued.token).expect("verify");
        assert_eq!(claims.sub, user.to_string());
        assert_eq!(claims.iss, ISSUER);
        assert_eq!(claims.aud, AUDIENCE);
        assert_eq!(claims.exp - claims.iat, 900);
        let header = jsonwebtoken::decode_header(&issued.token).expect("header");
        assert_eq!(header.typ.as_deref(), Some("at+jwt"));
        assert_eq!(header.alg, Algorithm::HS256);
    }

    #[test]
    fn tokens_from_another_key_or_tampered_are_refused() {
        let keys = Keys::from_secret(&[7; 32], Duration::from_secs(900));
        let other = Keys::from_secret(&[8; 32], Duration::from_secs(900));
        let token = other.issue(Uuid::now_v7()).expect("issue").token;
        assert!(matches!(
            keys.verify(&token),
            Err(ApiError::Unauthorized(_))
        ));
        let mut good = keys.issue(Uuid::now_v7()).expect("issue").token;
        good.pop();
        assert!(keys.verify(&good).is_err());
        assert!(keys.verify("not.a.jwt").is_err());
    }

    /// A token with this header and these claims, signed with HS256 and `secret`.
    fn signed(secret: &[u8], header: &str, claims: &str) -> String {
        let b64 = |s: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        let message = format!("{}.{}", b64(header.as_bytes()), b64(claims.as_bytes()));
        let key = hmac::Key::new(hmac::HMAC_SHA256, secret);
        let tag = hmac::sign(&key, message.as_bytes());
        format!("{message}.{}", b64(tag.as_ref()))
    }

    fn claims_json(iss: &str, aud: &str, exp: i64) -> String {
        format!(
            r#"{{"iss":"{iss}","aud":"{aud}","sub":"{}","exp":{exp},"iat":{},"jti":"j"}}"#,
            Uuid::now_v7(),
            exp - 900
        )
    }

    #[test]
    fn expiry_issuer_audience_and_type_are_checked() {
        let secret = [7; 32];
        let keys = Keys::from_secret(&secret, Duration::from_secs(900));
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let header = r#"{"alg":"HS256","typ":"at+jwt"}"#;
        let message = |r: Result<Claims, ApiError>| match r {
            Err(ApiError::Unauthorized(m)) => m,
            other => panic!("expected a 401, got {other:?}"),
        };
        // A well-formed token of our own making passes: the helper signs as `issue` does.
        let good = signed(&secret, header, &claims_json(ISSUER, AUDIENCE, now + 60));
        assert!(keys.verify(&good).is_ok());
        // Within the leeway it still passes; beyond it, it has expired.
        let late = signed(&secret, header, &claims_json(ISSUER, AUDIENCE, now - 10));
        assert!(keys.verify(&late).is_ok());
        let expired = signed(&secret, header, &claims_json(ISSUER, AUDIENCE, now - 120));
        assert_eq!(
            message(keys.verify(&expired)),
            "the access token has expired"
        );
        for (iss, aud) in [("someone-else", AUDIENCE), (ISSUER, "another-api")] {
            let token = signed(&secret, header, &claims_json(iss, aud, now + 60));
            assert_eq!(
                message(keys.verify(&token)),
                "the access token is not valid"
            );
        }
        let id_token = signed(
            &secret,
            r#"{"alg":"HS256","typ":"JWT"}"#,
            &claims_json(ISSUER, AUDIENCE, now + 60),
        );
        assert_eq!(
            message(keys.verify(&id_token)),
            "the token is not an access token"
        );
        // The header cannot choose another algorithm, even with a valid HS256 signature.
        let other_alg = signed(
            &secret,
            r#"{"alg":"HS512","typ":"at+jwt"}"#,
            &claims_json(ISSUER, AUDIENCE, now + 60),
        );
        assert!(keys.verify(&other_alg).is_err());
        // Every claim is required.
        let no_jti = signed(
            &secret,
            header,
            &format!(
                r#"{{"iss":"{ISSUER}","aud":"{AUDIENCE}","sub":"{}","exp":{},"iat":{now}}}"#,
                Uuid::now_v7(),
                now + 60
            ),
        );
        assert!(keys.verify(&no_jti).is_err());
    }

    #[test]
    fn malformed_tokens_are_refused() {
        let keys = Keys::from_secret(&[7; 32], Duration::from_secs(900));
        let good = keys.issue(Uuid::now_v7()).expect("issue").token;
        let (message, tag) = good.rsplit_once('.').expect("three parts");
        for bad in [
            format!("{good}.extra"),
            format!("{message}.{tag}="),
            format!("{message}.{}", &tag[..42]),
            format!("{message}.{tag}{tag}"),
            format!(".{tag}"),
            "..".to_string(),
            String::new(),
            format!(
                "{message}.{}",
                tag.replace(|c: char| c.is_ascii_alphabetic(), "*")
            ),
        ] {
            assert!(keys.verify(&bad).is_err(), "accepted {bad:?}");
        }
        assert!(keys.verify(&good).is_ok());
    }

    #[test]
    fn the_none_algorithm_is_refused() {
        let keys = Keys::from_secret(&[7; 32], Duration::from_secs(900));
        let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let token = format!(
            "{}.{}.",
            b64(r#"{"alg":"none","typ":"at+jwt"}"#),
            b64(&format!(
                r#"{{"iss":"specforge","aud":"specforge-api","sub":"{}","exp":{},"iat":{now},"jti":"x"}}"#,
                Uuid::now_v7(),
                now + 600
            ))
        );
        assert!(keys.verify(&token).is_err());
    }

    #[test]
    fn the_development_key_is_created_once_and_private() {
        let dir = std::env::temp_dir().join(format!("specforge-key-{}", Uuid::now_v7()));
        let first = load_or_create_dev_key(&dir).expect("create");
        let second = load_or_create_dev_key(&dir).expect("read");
        assert_eq!(first, second);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join(DEV_KEY_FILE))
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let _ = std::fs::remove_dir_all(dir);
    }
}
