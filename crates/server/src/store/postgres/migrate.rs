//! The PostgreSQL migrations: the SQL files of `migrations/postgres`, embedded, applied in
//! order and recorded in `_sqlx_migrations` with the layout and checksums (SHA-384 of the file)
//! that earlier versions of the service wrote, so databases they migrated carry on.
//!
//! A run holds a session advisory lock keyed by the database name (the same key as before), so
//! servers starting together apply each migration once. A recorded migration whose file has
//! changed, one that failed half-way, or one this build does not know stops the run: the
//! database must be looked at by a person before anything else is written.

use std::time::Instant;

use aws_lc_rs::digest;

use super::pool::Pool;
use super::tls::describe;
use crate::store::{StoreError, StoreResult};

/// One migration file: `{version}_{description}.sql`.
#[derive(Debug)]
struct Migration {
    version: i64,
    /// The file name's description with `_` as spaces.
    description: &'static str,
    sql: &'static str,
}

/// The files of `migrations/postgres`, in order (a test checks that none is missing).
static MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        description: "initial",
        sql: include_str!("../../../migrations/postgres/0001_initial.sql"),
    },
    Migration {
        version: 2,
        description: "generations",
        sql: include_str!("../../../migrations/postgres/0002_generations.sql"),
    },
];

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS _sqlx_migrations ( \
    version BIGINT PRIMARY KEY, \
    description TEXT NOT NULL, \
    installed_on TIMESTAMPTZ NOT NULL DEFAULT now(), \
    success BOOLEAN NOT NULL, \
    checksum BYTEA NOT NULL, \
    execution_time BIGINT NOT NULL)";

fn failed(what: &str, err: &tokio_postgres::Error) -> StoreError {
    StoreError::Migrate(format!("{what}: {}", describe(err)))
}

/// The advisory lock key of a database: CRC-32 (IEEE) of its name times a fixed factor, as
/// the migrations of earlier versions computed it, so that old and new servers exclude each other.
fn lock_key(database: &str) -> i64 {
    let mut crc = !0u32;
    for &byte in database.as_bytes() {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    0x3d32_ad9e * i64::from(!crc)
}

/// Applies the migrations not applied yet.
pub(super) async fn run(pool: &Pool) -> StoreResult<()> {
    let mut lease = pool.exclusive().await?;
    let client = &lease.conn().client;
    let database: String = client
        .query_one("SELECT current_database()", &[])
        .await
        .map_err(|e| failed("reading the database name", &e))?
        .get(0);
    let key = lock_key(&database);
    client
        .execute("SELECT pg_advisory_lock($1)", &[&key])
        .await
        .map_err(|e| failed("waiting for the migration lock", &e))?;
    let outcome = apply(lease.conn_mut()).await;
    let unlocked = lease
        .conn()
        .client
        .execute("SELECT pg_advisory_unlock($1)", &[&key])
        .await;
    if unlocked.is_err() {
        // Closing the session releases its lock; parked in the pool, the connection would
        // keep other servers' migrations waiting forever.
        lease.discard();
    }
    outcome
}

async fn apply(conn: &mut super::pool::Conn) -> StoreResult<()> {
    let client = &mut conn.client;
    client
        .batch_execute(CREATE_TABLE)
        .await
        .map_err(|e| failed("creating _sqlx_migrations", &e))?;
    let applied = client
        .query(
            "SELECT version, checksum, success FROM _sqlx_migrations ORDER BY version",
            &[],
        )
        .await
        .map_err(|e| failed("reading _sqlx_migrations", &e))?;
    for row in &applied {
        let version: i64 = row.get(0);
        let checksum: Vec<u8> = row.get(1);
        let success: bool = row.get(2);
        let Some(known) = MIGRATIONS.iter().find(|m| m.version == version) else {
            return Err(StoreError::Migrate(format!(
                "migration {version} was applied but is unknown to this version of specforge"
            )));
        };
        if !success {
            return Err(StoreError::Migrate(format!(
                "migration {version} ({}) is recorded as failed; repair the database and its \
                 _sqlx_migrations row by hand",
                known.description
            )));
        }
        if checksum != checksum_of(known.sql) {
            return Err(StoreError::Migrate(format!(
                "migration {version} ({}) was applied from a different file (checksum mismatch)",
                known.description
            )));
        }
    }
    for migration in MIGRATIONS {
        if applied
            .iter()
            .any(|r| r.get::<_, i64>(0) == migration.version)
        {
            continue;
        }
        let started = Instant::now();
        let tx = client
            .transaction()
            .await
            .map_err(|e| failed("starting a migration", &e))?;
        tx.batch_execute(migration.sql).await.map_err(|e| {
            failed(
                &format!(
                    "migration {} ({})",
                    migration.version, migration.description
                ),
                &e,
            )
        })?;
        let elapsed = i64::try_from(started.elapsed().as_nanos()).unwrap_or(i64::MAX);
        tx.execute(
            "INSERT INTO _sqlx_migrations \
                 (version, description, success, checksum, execution_time) \
             VALUES ($1, $2, TRUE, $3, $4)",
            &[
                &migration.version,
                &migration.description,
                &checksum_of(migration.sql),
                &elapsed,
            ],
        )
        .await
        .map_err(|e| failed("recording a migration", &e))?;
        tx.commit()
            .await
            .map_err(|e| failed("committing a migration", &e))?;
        tracing::info!(
            version = migration.version,
            description = migration.description,
            "migration applied"
        );
    }
    Ok(())
}

fn checksum_of(sql: &str) -> Vec<u8> {
    digest::digest(&digest::SHA384, sql.as_bytes())
        .as_ref()
        .to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_of_the_migrations_folder_is_embedded_in_order() {
        let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/postgres");
        let mut files: Vec<String> = std::fs::read_dir(folder)
            .expect("the migrations folder")
            .map(|e| {
                e.expect("an entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .filter(|name| name.ends_with(".sql"))
            .collect();
        files.sort();
        assert_eq!(files.len(), MIGRATIONS.len(), "{files:?}");
        for (file, migration) in files.iter().zip(MIGRATIONS) {
            let (version, description) = file
                .trim_end_matches(".sql")
                .split_once('_')
                .expect("VERSION_DESCRIPTION.sql");
            assert_eq!(
                version.parse::<i64>().ok(),
                Some(migration.version),
                "{file}"
            );
            assert_eq!(
                description.replace('_', " "),
                migration.description,
                "{file}"
            );
            let text = std::fs::read_to_string(format!("{folder}/{file}")).expect("readable");
            assert_eq!(text, migration.sql, "{file}");
        }
    }

    #[test]
    fn the_lock_key_is_the_one_earlier_versions_used() {
        // 0xcbf43926 is the published CRC-32 (IEEE) check value, of "123456789".
        assert_eq!(lock_key("123456789"), 0x3d32_ad9e * 0xcbf4_3926);
    }
}
