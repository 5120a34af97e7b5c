//! One fresh database per test: a SQLite file in its own temporary folder, or a PostgreSQL
//! database created on the server named by `TEST_DATABASE_URL` and dropped afterwards.

use std::path::PathBuf;

use uuid::Uuid;

/// Default server for PostgreSQL tests.
pub const DEFAULT_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/test";

/// A test database; removed when dropped.
#[derive(Debug)]
pub struct TestDatabase {
    /// The URL to give the store.
    pub url: String,
    cleanup: Cleanup,
}

#[derive(Debug)]
enum Cleanup {
    Folder(PathBuf),
    Postgres { admin_url: String, name: String },
}

/// The backends the tests run on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

impl TestDatabase {
    /// A fresh database of `backend`; `None` when PostgreSQL is unreachable and not required.
    pub async fn new(backend: Backend) -> Option<TestDatabase> {
        match backend {
            Backend::Sqlite => Some(Self::sqlite()),
            Backend::Postgres => Self::postgres().await,
        }
    }

    /// A fresh SQLite database in its own temporary folder.
    pub fn sqlite() -> TestDatabase {
        let dir = std::env::temp_dir().join(format!("specforge-test-{}", Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).expect("create a temporary folder");
        TestDatabase {
            url: format!("sqlite:{}", dir.join("specforge.db").display()),
            cleanup: Cleanup::Folder(dir),
        }
    }

    /// A fresh PostgreSQL database; `None` (after printing why) when the server is unreachable,
    /// unless `SPECFORGE_REQUIRE_SERVICES=1`, which makes that a test failure.
    pub async fn postgres() -> Option<TestDatabase> {
        let admin_url =
            std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_POSTGRES.to_string());
        let required =
            std::env::var("SPECFORGE_REQUIRE_SERVICES").is_ok_and(|v| v == "1" || v == "true");
        let admin = match admin_connection(&admin_url).await {
            Ok(c) => c,
            Err(e) if required => panic!(
                "PostgreSQL is required (SPECFORGE_REQUIRE_SERVICES=1) but {admin_url} failed: {e}"
            ),
            Err(e) => {
                skipped(&format!(
                    "PostgreSQL at {} is unreachable ({e})",
                    redacted(&admin_url)
                ));
                return None;
            }
        };
        let name = format!("specforge_test_{}", Uuid::now_v7().simple());
        // The name is made here of hex digits only, so it is safe to put in the statement.
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create a test database");
        let url = match admin_url.rsplit_once('/') {
            Some((base, _)) => format!("{base}/{name}"),
            None => panic!("TEST_DATABASE_URL has no database name: {admin_url}"),
        };
        Some(TestDatabase {
            url,
            cleanup: Cleanup::Postgres { admin_url, name },
        })
    }
}

/// Says why the running test returns without doing anything: on standard error, which the test
/// harness shows only for failures, and as a line `<test>\t<reason>` appended to the file named
/// by `SPECFORGE_SKIPPED_TESTS`, which `scripts/test` counts and reports after the run.
#[allow(clippy::print_stderr)] // the reason a test is skipped belongs in its output
pub fn skipped(reason: &str) {
    use std::io::Write as _;
    eprintln!("skipping: {reason}");
    let Some(path) = std::env::var_os("SPECFORGE_SKIPPED_TESTS") else {
        return;
    };
    let test = std::thread::current()
        .name()
        .unwrap_or("a test")
        .to_string();
    let line = format!("{test}\t{}\n", reason.replace(['\t', '\n'], " "));
    // One short append per test: lines of tests running at once do not interleave.
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut file| file.write_all(line.as_bytes()));
    if let Err(e) = written {
        eprintln!(
            "cannot note the skipped test in {}: {e}",
            path.to_string_lossy()
        );
    }
}

/// `url` without the password it may carry.
pub fn redacted(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::Folder(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::Postgres { admin_url, name } => {
                // Drop runs outside any runtime guarantee: use a small runtime of its own.
                let (admin_url, name) = (admin_url.clone(), name.clone());
                let _ = std::thread::spawn(move || {
                    let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                    else {
                        return;
                    };
                    rt.block_on(async move {
                        if let Ok(admin) = admin_connection(&admin_url).await {
                            let _ = admin
                                .batch_execute(&format!(
                                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                                ))
                                .await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

/// A plain connection for the tests' own statements (creating databases, looking at the
/// server's views), outside the store under test.
pub async fn admin_connection(url: &str) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
    tokio::spawn(connection);
    client
        .batch_execute("SET client_min_messages = warning")
        .await?;
    Ok(client)
}
