//! Configuration: flags override environment variables, which may come from a `.env` file.
//!
//! [`ServeArgs`] is what the command line and the environment give, as text; [`Config::from_args`]
//! checks every value and fails with a [`ConfigError`] that names the variable, so a mistake
//! stops start-up with a message the operator can act on.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

/// Default address to listen on.
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
/// Default data folder (the SQLite database and the development signing key live here).
pub const DEFAULT_DATA_DIR: &str = "./data";
/// Default access-token lifetime in seconds.
pub const DEFAULT_ACCESS_TOKEN_SECONDS: u64 = 900;
/// Default largest request body, in bytes.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;
/// Shortest accepted `JWT_SECRET_KEY`, in bytes.
pub const MIN_SECRET_BYTES: usize = 32;

/// Settings of `specforge serve` (and `specforge migrate`), each from a flag or its variable.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long = "bind", env = "BIND_ADDR", value_name = "ADDR")]
    pub bind_addr: Option<String>,
    /// Database: `sqlite:PATH` or `postgres://...` (default: SQLite in the data folder).
    #[arg(long, env = "DATABASE_URL", value_name = "URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Most database connections.
    #[arg(long, env = "DATABASE_MAX_CONNECTIONS", value_name = "N")]
    pub database_max_connections: Option<String>,
    /// `development` or `production`.
    #[arg(long, env = "APP_ENV", value_name = "ENV")]
    pub app_env: Option<String>,
    /// Folder for the SQLite database and the development signing key.
    #[arg(long, env = "DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<String>,
    /// Secret that signs access tokens (at least 32 bytes); required in production.
    #[arg(
        long,
        env = "JWT_SECRET_KEY",
        value_name = "SECRET",
        hide_env_values = true
    )]
    pub jwt_secret_key: Option<String>,
    /// Access-token lifetime in seconds.
    #[arg(long, env = "JWT_ACCESS_TOKEN_EXPIRES", value_name = "SECONDS")]
    pub jwt_access_token_expires: Option<String>,
    /// Enable (`true`) or disable (`false`) development login.
    #[arg(long, env = "DEV_LOGIN", value_name = "BOOL")]
    pub dev_login: Option<String>,
    /// Google OAuth client id (sign-in with Google).
    #[arg(long, env = "GOOGLE_CLIENT_ID", value_name = "ID")]
    pub google_client_id: Option<String>,
    /// OpenID Connect issuer URL (sign-in with another provider).
    #[arg(long, env = "OIDC_ISSUER", value_name = "URL")]
    pub oidc_issuer: Option<String>,
    /// Log format: `pretty` or `json`.
    #[arg(long, env = "LOG_FORMAT", value_name = "FORMAT")]
    pub log_format: Option<String>,
    /// Largest request body in bytes.
    #[arg(long, env = "MAX_BODY_BYTES", value_name = "BYTES")]
    pub max_body_bytes: Option<String>,
    /// Seconds a request may take before it is answered with 503.
    #[arg(long, env = "REQUEST_TIMEOUT", value_name = "SECONDS")]
    pub request_timeout: Option<String>,
    /// Threads that serve requests (default: one per core).
    #[arg(long, env = "TOKIO_WORKER_THREADS", value_name = "N")]
    pub worker_threads: Option<String>,
    /// Generation jobs run at once by this process (default: one per core; 0: none).
    #[arg(long, env = "WORKER_CONCURRENCY", value_name = "N")]
    pub worker_concurrency: Option<String>,
    /// Seconds a generation may run before it fails.
    #[arg(long, env = "GENERATION_TIMEOUT", value_name = "SECONDS")]
    pub generation_timeout: Option<String>,
    /// Most files a generation may make.
    #[arg(long, env = "GENERATION_MAX_FILES", value_name = "N")]
    pub generation_max_files: Option<String>,
    /// Most bytes (all files together) a generation may make.
    #[arg(long, env = "GENERATION_MAX_BYTES", value_name = "BYTES")]
    pub generation_max_bytes: Option<String>,
    /// Seconds a worker's claim on a job lasts without a heartbeat.
    #[arg(long, env = "JOB_LEASE", value_name = "SECONDS")]
    pub job_lease: Option<String>,
    /// Claims of one job at most; a job whose last lease runs out fails.
    #[arg(long, env = "JOB_MAX_ATTEMPTS", value_name = "N")]
    pub job_max_attempts: Option<String>,
}

/// A configuration mistake, naming the variable (and flag) to fix.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {variable}: {message}")]
pub struct ConfigError {
    /// The environment variable.
    pub variable: &'static str,
    /// What is wrong and what is expected.
    pub message: String,
}

fn bad(variable: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        variable,
        message: message.into(),
    }
}

/// Where the service runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppEnv {
    /// A developer's machine or a test: development login allowed, pretty logs.
    Development,
    /// Production: no development login, a configured signing secret, JSON logs.
    Production,
}

/// Log line format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    Pretty,
    /// One JSON object per line.
    Json,
}

/// The checked configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// Address to listen on.
    pub bind_addr: SocketAddr,
    /// Database URL (`sqlite:...` or `postgres://...`).
    pub database_url: SecretString,
    /// Most database connections.
    pub database_max_connections: u32,
    /// Environment.
    pub app_env: AppEnv,
    /// Data folder.
    pub data_dir: PathBuf,
    /// Configured signing secret; `None` in development means "use the key in the data folder".
    pub jwt_secret: Option<SecretString>,
    /// Access-token lifetime.
    pub access_token_ttl: Duration,
    /// Whether `POST /auth/dev-login` exists.
    pub dev_login: bool,
    /// Whether an OpenID Connect client is configured.
    pub oidc_configured: bool,
    /// Log format.
    pub log_format: LogFormat,
    /// Largest request body.
    pub max_body_bytes: usize,
    /// Request timeout.
    pub request_timeout: Duration,
    /// Threads that serve requests; `None` for one per core.
    pub worker_threads: Option<usize>,
    /// Generation jobs run at once by this process (0: this process runs none).
    pub worker_concurrency: usize,
    /// Longest a generation may run.
    pub generation_timeout: Duration,
    /// Most files of one generation.
    pub generation_max_files: usize,
    /// Most bytes of one generation.
    pub generation_max_bytes: u64,
    /// How long a claim on a job lasts without a heartbeat.
    pub job_lease: Duration,
    /// Claims of one job at most.
    pub job_max_attempts: i32,
}

/// Default longest generation, in seconds.
pub const DEFAULT_GENERATION_TIMEOUT_SECONDS: u64 = 60;
/// Default most files of one generation.
pub const DEFAULT_GENERATION_MAX_FILES: usize = 10_000;
/// Default most bytes of one generation.
pub const DEFAULT_GENERATION_MAX_BYTES: u64 = 64 * 1024 * 1024;
/// Default job lease, in seconds.
pub const DEFAULT_JOB_LEASE_SECONDS: u64 = 30;
/// Default claims of one job at most.
pub const DEFAULT_JOB_MAX_ATTEMPTS: i32 = 3;

/// A whole number from `range`, or `default` when unset.
fn ranged<T>(
    variable: &'static str,
    value: &Option<String>,
    range: std::ops::RangeInclusive<T>,
    unit: &str,
    default: T,
) -> Result<T, ConfigError>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy,
{
    let expected = || format!("expected from {} to {} {unit}", range.start(), range.end());
    match text(value) {
        None => Ok(default),
        Some(v) => {
            let n: T = v
                .parse()
                .map_err(|_| bad(variable, format!("{}, got `{v}`", expected())))?;
            if range.contains(&n) {
                Ok(n)
            } else {
                Err(bad(variable, format!("{}, got `{v}`", expected())))
            }
        }
    }
}

fn text(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn boolean(variable: &'static str, value: &str) -> Result<bool, ConfigError> {
    match value.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(bad(
            variable,
            format!("expected true or false, got `{value}`"),
        )),
    }
}

fn number<T: std::str::FromStr>(
    variable: &'static str,
    value: &str,
    what: &str,
) -> Result<T, ConfigError> {
    value
        .parse()
        .map_err(|_| bad(variable, format!("expected {what}, got `{value}`")))
}

impl Config {
    /// Checks every setting. Reads nothing from disk: the development signing key is loaded by
    /// [`crate::auth::Keys::load`].
    pub fn from_args(args: &ServeArgs) -> Result<Config, ConfigError> {
        let app_env = match text(&args.app_env).map(str::to_ascii_lowercase).as_deref() {
            None | Some("development") | Some("dev") | Some("test") => AppEnv::Development,
            Some("production") | Some("prod") => AppEnv::Production,
            Some(other) => {
                return Err(bad(
                    "APP_ENV",
                    format!("expected development or production, got `{other}`"),
                ));
            }
        };
        let bind_addr = match text(&args.bind_addr) {
            None => DEFAULT_BIND
                .parse()
                .map_err(|_| bad("BIND_ADDR", "bad default"))?,
            Some(v) => v.parse().map_err(|_| {
                bad(
                    "BIND_ADDR",
                    format!("expected HOST:PORT such as 127.0.0.1:8080, got `{v}`"),
                )
            })?,
        };
        let data_dir = PathBuf::from(text(&args.data_dir).unwrap_or(DEFAULT_DATA_DIR));
        let database_url = match text(&args.database_url) {
            None => format!("sqlite:{}", data_dir.join("specforge.db").display()),
            Some(url)
                if url.starts_with("sqlite:")
                    || url.starts_with("postgres://")
                    || url.starts_with("postgresql://") =>
            {
                url.to_string()
            }
            Some(_) => {
                return Err(bad(
                    "DATABASE_URL",
                    "expected sqlite:PATH or postgres://USER@HOST/DB",
                ));
            }
        };
        let database_max_connections = match text(&args.database_max_connections) {
            None => 16,
            Some(v) => {
                match number::<u32>("DATABASE_MAX_CONNECTIONS", v, "a number from 1 to 1000")? {
                    n @ 1..=1000 => n,
                    _ => {
                        return Err(bad(
                            "DATABASE_MAX_CONNECTIONS",
                            "expected a number from 1 to 1000",
                        ));
                    }
                }
            }
        };
        let jwt_secret = match text(&args.jwt_secret_key) {
            Some(s) if s.len() < MIN_SECRET_BYTES => {
                return Err(bad(
                    "JWT_SECRET_KEY",
                    format!(
                        "must be at least {MIN_SECRET_BYTES} bytes (e.g. `openssl rand -base64 48`)"
                    ),
                ));
            }
            Some(s) => Some(SecretString::from(s.to_string())),
            None if app_env == AppEnv::Production => {
                return Err(bad("JWT_SECRET_KEY", "is required when APP_ENV=production"));
            }
            None => None,
        };
        let access_token_ttl = match text(&args.jwt_access_token_expires) {
            None => Duration::from_secs(DEFAULT_ACCESS_TOKEN_SECONDS),
            Some(v) => match number::<u64>("JWT_ACCESS_TOKEN_EXPIRES", v, "a number of seconds")? {
                n @ 60..=86_400 => Duration::from_secs(n),
                _ => {
                    return Err(bad(
                        "JWT_ACCESS_TOKEN_EXPIRES",
                        "expected from 60 to 86400 seconds",
                    ));
                }
            },
        };
        let oidc_configured =
            text(&args.google_client_id).is_some() || text(&args.oidc_issuer).is_some();
        let dev_login = match text(&args.dev_login) {
            Some(v) => boolean("DEV_LOGIN", v)?,
            None => app_env == AppEnv::Development && !oidc_configured,
        };
        if dev_login && app_env == AppEnv::Production {
            return Err(bad(
                "DEV_LOGIN",
                "development login cannot be enabled when APP_ENV=production",
            ));
        }
        let log_format = match text(&args.log_format)
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None if app_env == AppEnv::Production => LogFormat::Json,
            None | Some("pretty") | Some("text") => LogFormat::Pretty,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(bad(
                    "LOG_FORMAT",
                    format!("expected pretty or json, got `{other}`"),
                ));
            }
        };
        let max_body_bytes = match text(&args.max_body_bytes) {
            None => DEFAULT_MAX_BODY_BYTES,
            Some(v) => match number::<usize>("MAX_BODY_BYTES", v, "a number of bytes")? {
                n @ 1024..=104_857_600 => n,
                _ => {
                    return Err(bad(
                        "MAX_BODY_BYTES",
                        "expected from 1024 to 104857600 bytes",
                    ));
                }
            },
        };
        let request_timeout = match text(&args.request_timeout) {
            None => Duration::from_secs(30),
            Some(v) => match number::<u64>("REQUEST_TIMEOUT", v, "a number of seconds")? {
                n @ 1..=3600 => Duration::from_secs(n),
                _ => return Err(bad("REQUEST_TIMEOUT", "expected from 1 to 3600 seconds")),
            },
        };
        let worker_threads = match text(&args.worker_threads) {
            None => None,
            Some(v) => match number::<usize>("TOKIO_WORKER_THREADS", v, "a number of threads")? {
                n @ 1..=1024 => Some(n),
                _ => {
                    return Err(bad(
                        "TOKIO_WORKER_THREADS",
                        "expected from 1 to 1024 threads",
                    ));
                }
            },
        };
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        let worker_concurrency = ranged(
            "WORKER_CONCURRENCY",
            &args.worker_concurrency,
            0..=256,
            "jobs",
            cores,
        )?;
        let generation_timeout = Duration::from_secs(ranged(
            "GENERATION_TIMEOUT",
            &args.generation_timeout,
            1..=3600,
            "seconds",
            DEFAULT_GENERATION_TIMEOUT_SECONDS,
        )?);
        let generation_max_files = ranged(
            "GENERATION_MAX_FILES",
            &args.generation_max_files,
            1..=1_000_000,
            "files",
            DEFAULT_GENERATION_MAX_FILES,
        )?;
        let generation_max_bytes = ranged(
            "GENERATION_MAX_BYTES",
            &args.generation_max_bytes,
            1024..=4 * 1024 * 1024 * 1024,
            "bytes",
            DEFAULT_GENERATION_MAX_BYTES,
        )?;
        let job_lease = Duration::from_secs(ranged(
            "JOB_LEASE",
            &args.job_lease,
            2..=3600,
            "seconds",
            DEFAULT_JOB_LEASE_SECONDS,
        )?);
        let job_max_attempts = ranged(
            "JOB_MAX_ATTEMPTS",
            &args.job_max_attempts,
            1..=100,
            "attempts",
            DEFAULT_JOB_MAX_ATTEMPTS,
        )?;
        Ok(Config {
            bind_addr,
            database_url: SecretString::from(database_url),
            database_max_connections,
            app_env,
            data_dir,
            jwt_secret,
            access_token_ttl,
            dev_login,
            oidc_configured,
            log_format,
            max_body_bytes,
            request_timeout,
            worker_threads,
            worker_concurrency,
            generation_timeout,
            generation_max_files,
            generation_max_bytes,
            job_lease,
            job_max_attempts,
        })
    }

    /// The database URL with any password replaced by `***`, for logs.
    pub fn database_url_redacted(&self) -> String {
        redact_url(self.database_url.expose_secret())
    }
}

/// Replaces the password of `scheme://user:password@host/...` with `***`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, path) = rest.split_once('/').map_or((rest, ""), |(a, p)| (a, p));
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            let masked = if userinfo.contains(':') {
                format!("{user}:***")
            } else {
                user.to_string()
            };
            let path = if rest.contains('/') {
                format!("/{path}")
            } else {
                String::new()
            };
            format!("{scheme}://{masked}@{host}{path}")
        }
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args() -> ServeArgs {
        ServeArgs::default()
    }

    #[test]
    fn no_configuration_gives_the_embedded_defaults() {
        let c = Config::from_args(&args()).expect("defaults are valid");
        assert_eq!(c.bind_addr.to_string(), "127.0.0.1:8080");
        assert_eq!(c.database_url.expose_secret(), "sqlite:./data/specforge.db");
        assert_eq!(c.app_env, AppEnv::Development);
        assert!(c.dev_login);
        assert_eq!(c.access_token_ttl, Duration::from_secs(900));
        assert_eq!(c.max_body_bytes, 1024 * 1024);
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        let mut a = args();
        a.jwt_access_token_expires = Some("soon".into());
        let e = Config::from_args(&a).expect_err("invalid");
        assert_eq!(e.variable, "JWT_ACCESS_TOKEN_EXPIRES");
        assert!(e.to_string().contains("JWT_ACCESS_TOKEN_EXPIRES"));
        let mut a = args();
        a.bind_addr = Some("localhost".into());
        assert_eq!(
            Config::from_args(&a).expect_err("invalid").variable,
            "BIND_ADDR"
        );
    }

    #[test]
    fn worker_threads_are_checked_here_not_by_the_runtime() {
        assert_eq!(
            Config::from_args(&args()).expect("valid").worker_threads,
            None
        );
        let mut a = args();
        a.worker_threads = Some("1".into());
        assert_eq!(
            Config::from_args(&a).expect("valid").worker_threads,
            Some(1)
        );
        for bad in ["0", "abc", "-1", "1025"] {
            a.worker_threads = Some(bad.into());
            let e = Config::from_args(&a).expect_err(bad);
            assert_eq!(e.variable, "TOKIO_WORKER_THREADS", "{bad}");
        }
    }

    #[test]
    fn generation_settings_have_defaults_and_are_checked() {
        let c = Config::from_args(&args()).expect("valid");
        assert!(c.worker_concurrency >= 1, "one worker per core by default");
        assert_eq!(c.generation_timeout, Duration::from_secs(60));
        assert_eq!(c.job_max_attempts, 3);
        let mut a = args();
        a.worker_concurrency = Some("0".into());
        assert_eq!(Config::from_args(&a).expect("valid").worker_concurrency, 0);
        for (set, variable) in [
            (
                (|a: &mut ServeArgs| a.worker_concurrency = Some("-1".into()))
                    as fn(&mut ServeArgs),
                "WORKER_CONCURRENCY",
            ),
            (
                |a| a.generation_timeout = Some("0".into()),
                "GENERATION_TIMEOUT",
            ),
            (
                |a| a.generation_max_files = Some("many".into()),
                "GENERATION_MAX_FILES",
            ),
            (
                |a| a.generation_max_bytes = Some("10".into()),
                "GENERATION_MAX_BYTES",
            ),
            (|a| a.job_lease = Some("1".into()), "JOB_LEASE"),
            (
                |a| a.job_max_attempts = Some("0".into()),
                "JOB_MAX_ATTEMPTS",
            ),
        ] {
            let mut a = args();
            set(&mut a);
            assert_eq!(
                Config::from_args(&a).expect_err(variable).variable,
                variable
            );
        }
    }

    #[test]
    fn production_refuses_development_login_and_a_missing_secret() {
        let mut a = args();
        a.app_env = Some("production".into());
        assert_eq!(
            Config::from_args(&a).expect_err("no secret").variable,
            "JWT_SECRET_KEY"
        );
        a.jwt_secret_key = Some("x".repeat(40));
        let c = Config::from_args(&a).expect("valid");
        assert!(!c.dev_login, "off by default in production");
        assert_eq!(c.log_format, LogFormat::Json);
        a.dev_login = Some("true".into());
        assert_eq!(
            Config::from_args(&a).expect_err("dev login").variable,
            "DEV_LOGIN"
        );
    }

    #[test]
    fn an_oidc_client_turns_development_login_off_unless_asked() {
        let mut a = args();
        a.google_client_id = Some("client".into());
        assert!(!Config::from_args(&a).expect("valid").dev_login);
        a.dev_login = Some("yes".into());
        assert!(Config::from_args(&a).expect("valid").dev_login);
    }

    #[test]
    fn passwords_are_redacted_from_database_urls() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db:5432/x"),
            "postgres://app:***@db:5432/x"
        );
        assert_eq!(redact_url("postgres://app@db/x"), "postgres://app@db/x");
        assert_eq!(redact_url("sqlite:./data/x.db"), "sqlite:./data/x.db");
    }
}
