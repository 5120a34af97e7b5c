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
    #[allow(clippy::print_stderr)] // the reason a test is skipped belongs in its output
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
                eprintln!("skipping a PostgreSQL test: {admin_url} is unreachable ({e})");
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
