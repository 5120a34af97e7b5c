//! The SQLite backend: the embedded default, one database file in WAL mode.
//!
//! Ids are stored as 16-byte BLOBs and timestamps as RFC 3339 TEXT (what sqlx writes for
//! `Uuid` and `OffsetDateTime`).
//!
//! SQLite lets one connection write at a time. Every write of the store goes through one
//! dedicated connection, behind an async mutex that serves writers in arrival order: they wait
//! in a queue without touching the database, where with a pool of writers each one would poll
//! the file lock (SQLite's busy handler sleeps between attempts, up to 100 ms, so under load
//! latencies grow to hundreds of milliseconds and the unlucky fail with `database is locked`).
//! Reads use a pool of other connections and never wait for writes (WAL). Transactions that
//! read before they write still start with `BEGIN IMMEDIATE`, in case another process writes
//! to the same file.

use std::str::FromStr as _;
use std::time::Duration;

use sqlx::error::ErrorKind;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::types::Json;
use sqlx::{Connection as _, FromRow, Row as _, SqliteConnection};
use tokio::sync::{MappedMutexGuard, Mutex, MutexGuard};

use super::*;

/// The migrations of this backend, embedded at build time.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// How long a write waits for the writer (or a read for a free pooled connection, or any
/// connection for a lock held by another process) before the request fails.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The columns of a project with its computed `spec_count`, from `projects p`.
macro_rules! project_columns {
    () => {
        "p.id, p.owner_id, p.name, p.description, p.created_at, p.updated_at, \
         (SELECT count(*) FROM specs c WHERE c.project_id = p.id) AS spec_count"
    };
}

/// The columns of a specification, from `specs s`.
macro_rules! spec_columns {
    () => {
        "s.id, s.project_id, s.name, s.format, s.content, s.revision, s.valid, \
         s.diagnostics, s.summary, s.created_at, s.updated_at"
    };
}

/// The columns of a revision, from `spec_revisions r`.
macro_rules! revision_columns {
    () => {
        "r.spec_id, r.revision, r.name, r.format, r.content, r.valid, r.diagnostics, \
         r.summary, r.created_at"
    };
}

/// The columns of a generation, from `generations g`.
macro_rules! generation_columns {
    () => {
        "g.id, g.spec_id, g.spec_revision, g.target, g.options, g.status, g.progress, g.error, \
         g.file_count, g.total_bytes, g.digest, g.attempts, g.created_at, g.started_at, \
         g.finished_at"
    };
}

/// Joins a generation `g` to its owner `p`.
macro_rules! owned_generation {
    () => {
        " FROM generations g JOIN specs s ON s.id = g.spec_id \
         JOIN projects p ON p.id = s.project_id "
    };
}

/// Removes the stored contents no generation uses any more.
const SWEEP_BLOBS: &str = "DELETE FROM blobs WHERE NOT EXISTS \
     (SELECT 1 FROM generation_files f WHERE f.sha256 = blobs.sha256)";

/// Storage in one SQLite database file.
#[derive(Clone, Debug)]
pub struct SqliteStore {
    /// Connections for reads.
    pool: SqlitePool,
    /// The connection for every write; `None` once closed.
    writer: std::sync::Arc<Mutex<Option<SqliteConnection>>>,
}

/// A driver error as a store error.
fn db(err: sqlx::Error) -> StoreError {
    match err {
        sqlx::Error::PoolTimedOut => StoreError::Unavailable(format!(
            "no free database connection within {} s",
            BUSY_TIMEOUT.as_secs()
        )),
        sqlx::Error::PoolClosed => StoreError::Unavailable("the store is closed".into()),
        other => StoreError::Database(other.to_string()),
    }
}

impl SqliteStore {
    /// Opens the database of a `sqlite:` URL, creating the file and its folder if missing, with
    /// the writer and up to `max_connections` connections for reads. Every connection enforces
    /// foreign keys, uses WAL with `synchronous=NORMAL` and waits up to 5 s for a lock.
    pub async fn connect(url: &str, max_connections: u32) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::Config(format!("invalid SQLite URL: {e}")))?
            .create_if_missing(true)
            .foreign_keys(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(BUSY_TIMEOUT);
        // SQLite creates the file but not its folder; in-memory names have no folder part.
        if let Some(folder) = options.get_filename().parent()
            && !folder.as_os_str().is_empty()
        {
            tokio::fs::create_dir_all(folder).await.map_err(|e| {
                StoreError::Config(format!(
                    "cannot create the database folder {}: {e}",
                    folder.display()
                ))
            })?;
        }
        // The writer first: it creates the file and turns WAL on before readers open it.
        let writer = SqliteConnection::connect_with(&options).await.map_err(db)?;
        let pool = SqlitePoolOptions::new()
            .max_connections(max_connections.max(1))
            .acquire_timeout(BUSY_TIMEOUT)
            // Returning a connection to the pool already pings it and drops it when broken;
            // a second ping on every acquire would only add latency to each request.
            .test_before_acquire(false)
            .connect_with(options)
            .await
            .map_err(db)?;
        Ok(SqliteStore {
            pool,
            writer: std::sync::Arc::new(Mutex::new(Some(writer))),
        })
    }

    /// The write connection, once the writers before this one are done.
    async fn writer(&self) -> StoreResult<MappedMutexGuard<'_, SqliteConnection>> {
        let guard = tokio::time::timeout(BUSY_TIMEOUT, self.writer.lock())
            .await
            .map_err(|_| {
                StoreError::Unavailable(format!(
                    "the writer was busy for {} s",
                    BUSY_TIMEOUT.as_secs()
                ))
            })?;
        MutexGuard::try_map(guard, Option::as_mut)
            .map_err(|_| StoreError::Unavailable("the store is closed".into()))
    }

    /// Applies the embedded migrations that are not applied yet.
    pub async fn migrate(&self) -> StoreResult<()> {
        // sqlx takes no lock on SQLite: holding the writer lock for the whole run makes a second
        // process wait, then find nothing left to do, instead of applying a migration twice.
        // (sqlx nests each migration's own transaction as a savepoint inside this one.)
        let mut writer = self.writer().await?;
        let mut tx = writer.begin_with("BEGIN IMMEDIATE").await.map_err(db)?;
        run_migrations(&mut tx)
            .await
            .map_err(|e| StoreError::Migrate(e.to_string()))?;
        tx.commit().await.map_err(db)?;
        Ok(())
    }

    /// Closes the pool, waiting for connections in use, and the writer, after the writes
    /// queued before this call.
    pub async fn close(&self) {
        self.pool.close().await;
        if let Some(writer) = self.writer.lock().await.take() {
            let _ = writer.close().await;
        }
    }

    /// The connections for reads, for storage code beyond the [`Storage`] trait and for tests.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

/// Runs [`MIGRATOR`] on one connection.
///
/// `Migrator::run` takes `impl Acquire`, and its future is not `Send` for a borrowed connection
/// (rustc: "`Acquire` is not general enough"), which would keep callers from migrating inside a
/// spawned task; `run_direct` is the entry point sqlx keeps public for exactly that case.
async fn run_migrations(
    conn: &mut sqlx::SqliteConnection,
) -> Result<(), sqlx::migrate::MigrateError> {
    MIGRATOR.run_direct(None, conn, false).await
}

/// Maps a write error to [`StoreError::Conflict`] when it violates one of the unique constraints
/// a user can run into, and to [`StoreError::Database`] otherwise.
///
/// SQLite does not report constraint names: its message lists the columns of the violated
/// unique index instead, e.g. `UNIQUE constraint failed: projects.owner_id, projects.name`.
/// The column lists below are those of `projects_owner_name_key` and `specs_project_name_key`
/// in `migrations/sqlite`; keep them in step with the schema.
fn map_write_error(err: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &err
        && db.kind() == ErrorKind::UniqueViolation
    {
        match db.message().strip_prefix("UNIQUE constraint failed: ") {
            Some("projects.owner_id, projects.name") => {
                return StoreError::Conflict("project name");
            }
            Some("specs.project_id, specs.name") => {
                return StoreError::Conflict("specification name");
            }
            _ => {}
        }
    }
    // SQLite does not say which foreign key failed. The only one a write can break is a
    // project's owner: specifications are inserted through a SELECT of their owned project.
    if let sqlx::Error::Database(db) = &err
        && db.kind() == ErrorKind::ForeignKeyViolation
    {
        return StoreError::UnknownUser;
    }
    db(err)
}

impl FromRow<'_, SqliteRow> for User {
    fn from_row(row: &SqliteRow) -> sqlx::Result<Self> {
        Ok(User {
            id: row.try_get("id")?,
            issuer: row.try_get("issuer")?,
            subject: row.try_get("subject")?,
            email: row.try_get("email")?,
            name: row.try_get("name")?,
            picture_url: row.try_get("picture_url")?,
            created_at: row.try_get("created_at")?,
        })
    }
}

impl FromRow<'_, SqliteRow> for Project {
    fn from_row(row: &SqliteRow) -> sqlx::Result<Self> {
        Ok(Project {
            id: row.try_get("id")?,
            owner_id: row.try_get("owner_id")?,
            name: row.try_get("name")?,
            description: row.try_get("description")?,
            spec_count: row.try_get("spec_count")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        })
    }
}

impl FromRow<'_, SqliteRow> for Spec {
    fn from_row(row: &SqliteRow) -> sqlx::Result<Self> {
        Ok(Spec {
            id: row.try_get("id")?,
            project_id: row.try_get("project_id")?,
            name: row.try_get("name")?,
            format: row.try_get("format")?,
            content: row.try_get("content")?,
            revision: row.try_get("revision")?,
            valid: row.try_get("valid")?,
            diagnostics: row.try_get::<Json<serde_json::Value>, _>("diagnostics")?.0,
            summary: row.try_get::<Json<serde_json::Value>, _>("summary")?.0,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        })
    }
}

impl FromRow<'_, SqliteRow> for SpecRevision {
    fn from_row(row: &SqliteRow) -> sqlx::Result<Self> {
        Ok(SpecRevision {
            spec_id: row.try_get("spec_id")?,
            revision: row.try_get("revision")?,
            name: row.try_get("name")?,
            format: row.try_get("format")?,
            content: row.try_get("content")?,
            valid: row.try_get("valid")?,
            diagnostics: row.try_get::<Json<serde_json::Value>, _>("diagnostics")?.0,
            summary: row.try_get::<Json<serde_json::Value>, _>("summary")?.0,
            created_at: row.try_get("created_at")?,
        })
    }
}

impl FromRow<'_, SqliteRow> for Generation {
    fn from_row(row: &SqliteRow) -> sqlx::Result<Self> {
        let status: String = row.try_get("status")?;
        Ok(Generation {
            id: row.try_get("id")?,
            spec_id: row.try_get("spec_id")?,
            spec_revision: row.try_get("spec_revision")?,
            target: row.try_get("target")?,
            options: row.try_get::<Json<serde_json::Value>, _>("options")?.0,
            status: GenerationStatus::parse(&status).ok_or_else(|| sqlx::Error::ColumnDecode {
                index: "status".into(),
                source: format!("unknown generation status `{status}`").into(),
            })?,
            progress: row.try_get("progress")?,
            error: row.try_get("error")?,
            file_count: row.try_get("file_count")?,
            total_bytes: row.try_get("total_bytes")?,
            digest: row.try_get("digest")?,
            attempts: row.try_get("attempts")?,
            created_at: row.try_get("created_at")?,
            started_at: row.try_get("started_at")?,
            finished_at: row.try_get("finished_at")?,
        })
    }
}

impl FromRow<'_, SqliteRow> for GeneratedFile {
    fn from_row(row: &SqliteRow) -> sqlx::Result<Self> {
        Ok(GeneratedFile {
            path: row.try_get("path")?,
            size: row.try_get("size")?,
            sha256: row.try_get("sha256")?,
        })
    }
}

/// Records the current state of `spec` as its revision `spec.revision`.
async fn insert_revision(conn: &mut sqlx::SqliteConnection, spec: &Spec) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO spec_revisions \
             (spec_id, revision, name, format, content, valid, diagnostics, summary, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )
    .bind(spec.id)
    .bind(spec.revision)
    .bind(&spec.name)
    .bind(&spec.format)
    .bind(&spec.content)
    .bind(spec.valid)
    .bind(Json(&spec.diagnostics))
    .bind(Json(&spec.summary))
    .bind(spec.updated_at)
    .execute(conn)
    .await
    .map_err(db)?;
    Ok(())
}

impl Storage for SqliteStore {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn upsert_user(&self, identity: &Identity) -> StoreResult<User> {
        let mut writer = self.writer().await?;
        let user = sqlx::query_as(
            "INSERT INTO users (id, issuer, subject, email, name, picture_url, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
             ON CONFLICT (issuer, subject) DO UPDATE SET \
                 email = excluded.email, name = excluded.name, picture_url = excluded.picture_url \
             RETURNING id, issuer, subject, email, name, picture_url, created_at",
        )
        .bind(Uuid::now_v7())
        .bind(&identity.issuer)
        .bind(&identity.subject)
        .bind(&identity.email)
        .bind(&identity.name)
        .bind(&identity.picture_url)
        .bind(now())
        .fetch_one(&mut *writer)
        .await
        .map_err(db)?;
        Ok(user)
    }

    async fn get_user(&self, id: Uuid) -> StoreResult<Option<User>> {
        let user = sqlx::query_as(
            "SELECT id, issuer, subject, email, name, picture_url, created_at \
             FROM users WHERE id = ?1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        Ok(user)
    }

    async fn create_project(
        &self,
        owner: Uuid,
        name: &str,
        description: Option<&str>,
    ) -> StoreResult<Project> {
        let at = now();
        let project = Project {
            id: Uuid::now_v7(),
            owner_id: owner,
            name: name.to_owned(),
            description: description.map(str::to_owned),
            spec_count: 0,
            created_at: at,
            updated_at: at,
        };
        let mut writer = self.writer().await?;
        sqlx::query(
            "INSERT INTO projects (id, owner_id, name, description, created_at, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
        )
        .bind(project.id)
        .bind(project.owner_id)
        .bind(&project.name)
        .bind(&project.description)
        .bind(project.created_at)
        .execute(&mut *writer)
        .await
        .map_err(map_write_error)?;
        Ok(project)
    }

    async fn get_project(&self, owner: Uuid, id: Uuid) -> StoreResult<Option<Project>> {
        let project = sqlx::query_as(concat!(
            "SELECT ",
            project_columns!(),
            " FROM projects p WHERE p.id = ?1 AND p.owner_id = ?2"
        ))
        .bind(id)
        .bind(owner)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        Ok(project)
    }

    async fn list_projects(&self, owner: Uuid, page: PageRequest) -> StoreResult<Page<Project>> {
        let (limit, fetch) = fetch_limit(&page);
        // Two fixed statements rather than `(?2 IS NULL OR p.id < ?2)`, so each one keeps a
        // plan that walks the (owner_id, id DESC) index.
        let rows = match id_cursor(&page)? {
            None => sqlx::query_as(concat!(
                "SELECT ",
                project_columns!(),
                " FROM projects p WHERE p.owner_id = ?1 ORDER BY p.id DESC LIMIT ?2"
            ))
            .bind(owner)
            .bind(fetch)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?,
            Some(after) => sqlx::query_as(concat!(
                "SELECT ",
                project_columns!(),
                " FROM projects p WHERE p.owner_id = ?1 AND p.id < ?2 \
                     ORDER BY p.id DESC LIMIT ?3"
            ))
            .bind(owner)
            .bind(after)
            .bind(fetch)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?,
        };
        Ok(into_page(rows, limit))
    }

    async fn update_project(
        &self,
        owner: Uuid,
        id: Uuid,
        name: Option<&str>,
        description: Option<Option<&str>>,
    ) -> StoreResult<Option<Project>> {
        if name.is_none() && description.is_none() {
            return self.get_project(owner, id).await;
        }
        let mut writer = self.writer().await?;
        let mut tx = writer.begin_with("BEGIN IMMEDIATE").await.map_err(db)?;
        let changed = sqlx::query(
            "UPDATE projects SET \
                 name = coalesce(?3, name), \
                 description = CASE WHEN ?4 THEN ?5 ELSE description END, \
                 updated_at = ?6 \
             WHERE id = ?1 AND owner_id = ?2",
        )
        .bind(id)
        .bind(owner)
        .bind(name)
        .bind(description.is_some())
        .bind(description.flatten())
        .bind(now())
        .execute(&mut *tx)
        .await
        .map_err(map_write_error)?
        .rows_affected();
        if changed == 0 {
            return Ok(None);
        }
        let project = sqlx::query_as(concat!(
            "SELECT ",
            project_columns!(),
            " FROM projects p WHERE p.id = ?1"
        ))
        .bind(id)
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(Some(project))
    }

    async fn delete_project(&self, owner: Uuid, id: Uuid) -> StoreResult<bool> {
        // Specifications and their revisions go with it through ON DELETE CASCADE.
        // So do their generations; the contents no other generation uses go after them.
        let mut writer = self.writer().await?;
        let mut tx = writer.begin_with("BEGIN IMMEDIATE").await.map_err(db)?;
        let deleted = sqlx::query("DELETE FROM projects WHERE id = ?1 AND owner_id = ?2")
            .bind(id)
            .bind(owner)
            .execute(&mut *tx)
            .await
            .map_err(db)?
            .rows_affected();
        if deleted > 0 {
            sqlx::query(SWEEP_BLOBS)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
        }
        tx.commit().await.map_err(db)?;
        Ok(deleted > 0)
    }

    async fn create_spec(
        &self,
        owner: Uuid,
        project_id: Uuid,
        name: &str,
        content: &SpecContent,
    ) -> StoreResult<Option<Spec>> {
        let at = now();
        let spec = Spec {
            id: Uuid::now_v7(),
            project_id,
            name: name.to_owned(),
            format: content.format.clone(),
            content: content.content.clone(),
            revision: 1,
            valid: content.valid,
            diagnostics: content.diagnostics.clone(),
            summary: content.summary.clone(),
            created_at: at,
            updated_at: at,
        };
        let mut writer = self.writer().await?;
        let mut tx = writer.begin_with("BEGIN IMMEDIATE").await.map_err(db)?;
        // The SELECT makes the insert happen only in a project of the owner.
        let inserted = sqlx::query(
            "INSERT INTO specs (id, project_id, name, format, content, revision, valid, \
                                diagnostics, summary, created_at, updated_at) \
             SELECT ?1, p.id, ?3, ?4, ?5, 1, ?6, ?7, ?8, ?9, ?9 \
             FROM projects p WHERE p.id = ?2 AND p.owner_id = ?10",
        )
        .bind(spec.id)
        .bind(project_id)
        .bind(&spec.name)
        .bind(&spec.format)
        .bind(&spec.content)
        .bind(spec.valid)
        .bind(Json(&spec.diagnostics))
        .bind(Json(&spec.summary))
        .bind(at)
        .bind(owner)
        .execute(&mut *tx)
        .await
        .map_err(map_write_error)?
        .rows_affected();
        if inserted == 0 {
            return Ok(None);
        }
        insert_revision(&mut tx, &spec).await?;
        tx.commit().await.map_err(db)?;
        Ok(Some(spec))
    }

    async fn get_spec(&self, owner: Uuid, id: Uuid) -> StoreResult<Option<Spec>> {
        let spec = sqlx::query_as(concat!(
            "SELECT ",
            spec_columns!(),
            " FROM specs s JOIN projects p ON p.id = s.project_id \
             WHERE s.id = ?1 AND p.owner_id = ?2"
        ))
        .bind(id)
        .bind(owner)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        Ok(spec)
    }

    async fn list_specs(
        &self,
        owner: Uuid,
        project_id: Uuid,
        page: PageRequest,
    ) -> StoreResult<Option<Page<Spec>>> {
        let (limit, fetch) = fetch_limit(&page);
        let after = id_cursor(&page)?;
        let owned: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM projects WHERE id = ?1 AND owner_id = ?2")
                .bind(project_id)
                .bind(owner)
                .fetch_optional(&self.pool)
                .await
                .map_err(db)?;
        if owned.is_none() {
            return Ok(None);
        }
        let rows = match after {
            None => sqlx::query_as(concat!(
                "SELECT ",
                spec_columns!(),
                " FROM specs s WHERE s.project_id = ?1 ORDER BY s.id DESC LIMIT ?2"
            ))
            .bind(project_id)
            .bind(fetch)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?,
            Some(after) => sqlx::query_as(concat!(
                "SELECT ",
                spec_columns!(),
                " FROM specs s WHERE s.project_id = ?1 AND s.id < ?2 \
                     ORDER BY s.id DESC LIMIT ?3"
            ))
            .bind(project_id)
            .bind(after)
            .bind(fetch)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?,
        };
        Ok(Some(into_page(rows, limit)))
    }

    async fn update_spec(
        &self,
        owner: Uuid,
        id: Uuid,
        expected_revision: Option<i64>,
        changes: &SpecChanges,
    ) -> StoreResult<Option<Spec>> {
        // The writer is held from the read to the commit, so two updates cannot both build on
        // the same revision.
        let mut writer = self.writer().await?;
        let mut tx = writer.begin_with("BEGIN IMMEDIATE").await.map_err(db)?;
        let current: Option<Spec> = sqlx::query_as(concat!(
            "SELECT ",
            spec_columns!(),
            " FROM specs s JOIN projects p ON p.id = s.project_id \
             WHERE s.id = ?1 AND p.owner_id = ?2"
        ))
        .bind(id)
        .bind(owner)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
        let Some(current) = current else {
            return Ok(None);
        };
        if let Some(expected) = expected_revision
            && expected != current.revision
        {
            return Err(StoreError::RevisionMismatch {
                expected,
                current: current.revision,
            });
        }
        let name = changes.name.as_deref().unwrap_or(&current.name);
        let next = match &changes.content {
            Some(c) => c.clone(),
            None => SpecContent {
                format: current.format.clone(),
                content: current.content.clone(),
                valid: current.valid,
                diagnostics: current.diagnostics.clone(),
                summary: current.summary.clone(),
            },
        };
        if name == current.name && next.content == current.content && next.format == current.format
        {
            tx.commit().await.map_err(db)?;
            return Ok(Some(current));
        }
        let updated: Option<Spec> = sqlx::query_as(
            "UPDATE specs SET \
                 name = ?3, format = ?4, content = ?5, valid = ?6, diagnostics = ?7, \
                 summary = ?8, revision = revision + 1, updated_at = ?9 \
             WHERE id = ?1 AND revision = ?2 \
             RETURNING id, project_id, name, format, content, revision, valid, diagnostics, \
                       summary, created_at, updated_at",
        )
        .bind(id)
        .bind(current.revision)
        .bind(name)
        .bind(&next.format)
        .bind(&next.content)
        .bind(next.valid)
        .bind(Json(&next.diagnostics))
        .bind(Json(&next.summary))
        .bind(now())
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_write_error)?;
        // Under the writer lock the revision cannot have moved; if it ever did, saying so is
        // better than writing over a revision nobody has seen.
        let Some(updated) = updated else {
            let now_current: Option<i64> =
                sqlx::query_scalar("SELECT revision FROM specs WHERE id = ?1")
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db)?;
            return match now_current {
                None => Ok(None),
                Some(revision) => Err(StoreError::RevisionMismatch {
                    expected: expected_revision.unwrap_or(current.revision),
                    current: revision,
                }),
            };
        };
        insert_revision(&mut tx, &updated).await?;
        tx.commit().await.map_err(db)?;
        Ok(Some(updated))
    }

    async fn delete_spec(&self, owner: Uuid, id: Uuid) -> StoreResult<bool> {
        let mut writer = self.writer().await?;
        let mut tx = writer.begin_with("BEGIN IMMEDIATE").await.map_err(db)?;
        let deleted = sqlx::query(
            "DELETE FROM specs WHERE id = ?1 \
             AND project_id IN (SELECT id FROM projects WHERE owner_id = ?2)",
        )
        .bind(id)
        .bind(owner)
        .execute(&mut *tx)
        .await
        .map_err(db)?
        .rows_affected();
        if deleted > 0 {
            sqlx::query(SWEEP_BLOBS)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
        }
        tx.commit().await.map_err(db)?;
        Ok(deleted > 0)
    }

    async fn list_revisions(
        &self,
        owner: Uuid,
        spec_id: Uuid,
        page: PageRequest,
    ) -> StoreResult<Option<Page<SpecRevision>>> {
        let (limit, fetch) = fetch_limit(&page);
        let after = revision_cursor(&page)?;
        let owned: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM specs s JOIN projects p ON p.id = s.project_id \
             WHERE s.id = ?1 AND p.owner_id = ?2",
        )
        .bind(spec_id)
        .bind(owner)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        if owned.is_none() {
            return Ok(None);
        }
        let rows = match after {
            None => sqlx::query_as(concat!(
                "SELECT ",
                revision_columns!(),
                " FROM spec_revisions r WHERE r.spec_id = ?1 \
                     ORDER BY r.revision DESC LIMIT ?2"
            ))
            .bind(spec_id)
            .bind(fetch)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?,
            Some(after) => sqlx::query_as(concat!(
                "SELECT ",
                revision_columns!(),
                " FROM spec_revisions r WHERE r.spec_id = ?1 AND r.revision < ?2 \
                     ORDER BY r.revision DESC LIMIT ?3"
            ))
            .bind(spec_id)
            .bind(after)
            .bind(fetch)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?,
        };
        Ok(Some(into_page(rows, limit)))
    }

    async fn get_revision(
        &self,
        owner: Uuid,
        spec_id: Uuid,
        revision: i64,
    ) -> StoreResult<Option<SpecRevision>> {
        let revision = sqlx::query_as(concat!(
            "SELECT ",
            revision_columns!(),
            " FROM spec_revisions r \
             JOIN specs s ON s.id = r.spec_id \
             JOIN projects p ON p.id = s.project_id \
             WHERE r.spec_id = ?1 AND r.revision = ?2 AND p.owner_id = ?3"
        ))
        .bind(spec_id)
        .bind(revision)
        .bind(owner)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        Ok(revision)
    }

    async fn create_generation(
        &self,
        owner: Uuid,
        new: &NewGeneration,
    ) -> StoreResult<Option<Generation>> {
        let generation = Generation {
            id: Uuid::now_v7(),
            spec_id: new.spec_id,
            spec_revision: new.spec_revision,
            target: new.target.clone(),
            options: new.options.clone(),
            status: GenerationStatus::Queued,
            progress: 0,
            error: None,
            file_count: None,
            total_bytes: None,
            digest: None,
            attempts: 0,
            created_at: now(),
            started_at: None,
            finished_at: None,
        };
        let mut writer = self.writer().await?;
        // The SELECT makes the insert happen only for a revision of the owner's specification.
        let inserted = sqlx::query(
            "INSERT INTO generations (id, spec_id, spec_revision, target, options, status, \
                                      progress, attempts, created_at) \
             SELECT ?1, r.spec_id, r.revision, ?4, ?5, 'queued', 0, 0, ?6 \
             FROM spec_revisions r JOIN specs s ON s.id = r.spec_id \
             JOIN projects p ON p.id = s.project_id \
             WHERE r.spec_id = ?2 AND r.revision = ?3 AND p.owner_id = ?7",
        )
        .bind(generation.id)
        .bind(generation.spec_id)
        .bind(generation.spec_revision)
        .bind(&generation.target)
        .bind(Json(&generation.options))
        .bind(generation.created_at)
        .bind(owner)
        .execute(&mut *writer)
        .await
        .map_err(db)?
        .rows_affected();
        Ok((inserted > 0).then_some(generation))
    }

    async fn get_generation(&self, owner: Uuid, id: Uuid) -> StoreResult<Option<Generation>> {
        sqlx::query_as(concat!(
            "SELECT ",
            generation_columns!(),
            owned_generation!(),
            "WHERE g.id = ?1 AND p.owner_id = ?2"
        ))
        .bind(id)
        .bind(owner)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)
    }

    async fn list_generations(
        &self,
        owner: Uuid,
        spec_id: Uuid,
        page: PageRequest,
    ) -> StoreResult<Option<Page<Generation>>> {
        let (limit, fetch) = fetch_limit(&page);
        let after = id_cursor(&page)?;
        let owned: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM specs s JOIN projects p ON p.id = s.project_id \
             WHERE s.id = ?1 AND p.owner_id = ?2",
        )
        .bind(spec_id)
        .bind(owner)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        if owned.is_none() {
            return Ok(None);
        }
        let rows = match after {
            None => sqlx::query_as(concat!(
                "SELECT ",
                generation_columns!(),
                " FROM generations g WHERE g.spec_id = ?1 ORDER BY g.id DESC LIMIT ?2"
            ))
            .bind(spec_id)
            .bind(fetch)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?,
            Some(after) => sqlx::query_as(concat!(
                "SELECT ",
                generation_columns!(),
                " FROM generations g WHERE g.spec_id = ?1 AND g.id < ?2 \
                     ORDER BY g.id DESC LIMIT ?3"
            ))
            .bind(spec_id)
            .bind(after)
            .bind(fetch)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?,
        };
        Ok(Some(into_page(rows, limit)))
    }

    async fn cancel_generation(&self, owner: Uuid, id: Uuid) -> StoreResult<Option<CancelOutcome>> {
        let mut writer = self.writer().await?;
        let mut tx = writer.begin_with("BEGIN IMMEDIATE").await.map_err(db)?;
        let select = concat!(
            "SELECT ",
            generation_columns!(),
            owned_generation!(),
            "WHERE g.id = ?1 AND p.owner_id = ?2"
        );
        let current: Option<Generation> = sqlx::query_as(select)
            .bind(id)
            .bind(owner)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?;
        let Some(current) = current else {
            return Ok(None);
        };
        if current.status.is_finished() {
            tx.commit().await.map_err(db)?;
            return Ok(Some(CancelOutcome::Finished(current)));
        }
        sqlx::query(
            "UPDATE generations SET status = 'canceled', finished_at = ?2, lease_token = NULL, \
                 lease_expires_at = NULL \
             WHERE id = ?1 AND status IN ('queued', 'running')",
        )
        .bind(id)
        .bind(now())
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        let canceled: Generation = sqlx::query_as(select)
            .bind(id)
            .bind(owner)
            .fetch_one(&mut *tx)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(Some(CancelOutcome::Canceled(canceled)))
    }

    async fn delete_generation(&self, owner: Uuid, id: Uuid) -> StoreResult<bool> {
        let mut writer = self.writer().await?;
        let mut tx = writer.begin_with("BEGIN IMMEDIATE").await.map_err(db)?;
        let used: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT sha256 FROM generation_files WHERE generation_id = ?1",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
        let deleted = sqlx::query(
            "DELETE FROM generations WHERE id = ?1 AND spec_id IN \
                 (SELECT s.id FROM specs s JOIN projects p ON p.id = s.project_id \
                  WHERE p.owner_id = ?2)",
        )
        .bind(id)
        .bind(owner)
        .execute(&mut *tx)
        .await
        .map_err(db)?
        .rows_affected();
        if deleted == 0 {
            return Ok(false);
        }
        for sha256 in &used {
            sqlx::query(
                "DELETE FROM blobs WHERE sha256 = ?1 AND NOT EXISTS \
                     (SELECT 1 FROM generation_files f WHERE f.sha256 = ?1)",
            )
            .bind(sha256)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        }
        tx.commit().await.map_err(db)?;
        Ok(true)
    }

    async fn list_generation_files(
        &self,
        owner: Uuid,
        id: Uuid,
    ) -> StoreResult<Option<Vec<GeneratedFile>>> {
        if self.get_generation(owner, id).await?.is_none() {
            return Ok(None);
        }
        let files = sqlx::query_as(
            "SELECT path, size, sha256 FROM generation_files WHERE generation_id = ?1 \
             ORDER BY path",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        Ok(Some(files))
    }

    async fn read_generation_file(
        &self,
        owner: Uuid,
        id: Uuid,
        path: &str,
    ) -> StoreResult<Option<(GeneratedFile, Vec<u8>)>> {
        let row: Option<SqliteRow> = sqlx::query(
            "SELECT f.path, f.size, f.sha256, b.data FROM generation_files f \
             JOIN blobs b ON b.sha256 = f.sha256 \
             JOIN generations g ON g.id = f.generation_id \
             JOIN specs s ON s.id = g.spec_id JOIN projects p ON p.id = s.project_id \
             WHERE f.generation_id = ?1 AND f.path = ?2 AND p.owner_id = ?3",
        )
        .bind(id)
        .bind(path)
        .bind(owner)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        row.map(|row| {
            Ok((
                GeneratedFile::from_row(&row).map_err(db)?,
                row.try_get("data").map_err(db)?,
            ))
        })
        .transpose()
    }

    async fn read_blob(&self, sha256: &str) -> StoreResult<Option<Vec<u8>>> {
        sqlx::query_scalar("SELECT data FROM blobs WHERE sha256 = ?1")
            .bind(sha256)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)
    }

    async fn claim_generation(&self, rules: ClaimRules) -> StoreResult<Option<ClaimedJob>> {
        let at = now();
        let now_ms = epoch_ms(at);
        let expires =
            now_ms.saturating_add(i64::try_from(rules.lease.as_millis()).unwrap_or(i64::MAX));
        let token = Uuid::now_v7();
        let mut writer = self.writer().await?;
        let mut tx = writer.begin_with("BEGIN IMMEDIATE").await.map_err(db)?;
        sqlx::query(
            "UPDATE generations SET status = 'failed', finished_at = ?1, lease_token = NULL, \
                 lease_expires_at = NULL, \
                 error = 'the job was abandoned: the worker running it stopped answering (' \
                         || attempts || ' attempts)' \
             WHERE status = 'running' AND lease_expires_at < ?2 AND attempts >= ?3",
        )
        .bind(at)
        .bind(now_ms)
        .bind(rules.max_attempts)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        let claimed: Option<SqliteRow> = sqlx::query(
            "UPDATE generations SET status = 'running', attempts = attempts + 1, \
                 lease_token = ?1, lease_expires_at = ?2, started_at = coalesce(started_at, ?3), \
                 progress = 0 \
             WHERE id = (SELECT id FROM generations \
                         WHERE status = 'queued' OR (status = 'running' AND lease_expires_at < ?4) \
                         ORDER BY id LIMIT 1) \
             RETURNING id, spec_id, spec_revision, target, options, attempts",
        )
        .bind(token)
        .bind(expires)
        .bind(at)
        .bind(now_ms)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
        let Some(row) = claimed else {
            tx.commit().await.map_err(db)?;
            return Ok(None);
        };
        let spec_id: Uuid = row.try_get("spec_id").map_err(db)?;
        let revision: i64 = row.try_get("spec_revision").map_err(db)?;
        let source: SqliteRow = sqlx::query(
            "SELECT format, content FROM spec_revisions WHERE spec_id = ?1 AND revision = ?2",
        )
        .bind(spec_id)
        .bind(revision)
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
        let job = ClaimedJob {
            id: row.try_get("id").map_err(db)?,
            token,
            attempt: row.try_get("attempts").map_err(db)?,
            target: row.try_get("target").map_err(db)?,
            options: row
                .try_get::<Json<serde_json::Value>, _>("options")
                .map_err(db)?
                .0,
            format: source.try_get("format").map_err(db)?,
            content: source.try_get("content").map_err(db)?,
        };
        tx.commit().await.map_err(db)?;
        Ok(Some(job))
    }

    async fn heartbeat(
        &self,
        id: Uuid,
        token: Uuid,
        progress: i32,
        lease: std::time::Duration,
    ) -> StoreResult<bool> {
        let expires =
            epoch_ms(now()).saturating_add(i64::try_from(lease.as_millis()).unwrap_or(i64::MAX));
        let mut writer = self.writer().await?;
        let changed = sqlx::query(
            "UPDATE generations SET lease_expires_at = ?3, progress = max(progress, ?4) \
             WHERE id = ?1 AND lease_token = ?2 AND status = 'running'",
        )
        .bind(id)
        .bind(token)
        .bind(expires)
        .bind(progress.clamp(0, 100))
        .execute(&mut *writer)
        .await
        .map_err(db)?
        .rows_affected();
        Ok(changed > 0)
    }

    async fn complete_generation(
        &self,
        id: Uuid,
        token: Uuid,
        output: &JobOutput,
    ) -> StoreResult<bool> {
        let mut writer = self.writer().await?;
        let mut tx = writer.begin_with("BEGIN IMMEDIATE").await.map_err(db)?;
        let held: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM generations WHERE id = ?1 AND lease_token = ?2 AND status = 'running'",
        )
        .bind(id)
        .bind(token)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
        if held.is_none() {
            return Ok(false);
        }
        for file in &output.files {
            sqlx::query(
                "INSERT INTO blobs (sha256, size, data) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (sha256) DO NOTHING",
            )
            .bind(&file.file.sha256)
            .bind(file.file.size)
            .bind(&file.compressed)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
            sqlx::query(
                "INSERT INTO generation_files (generation_id, path, size, sha256) \
                 VALUES (?1, ?2, ?3, ?4)",
            )
            .bind(id)
            .bind(&file.file.path)
            .bind(file.file.size)
            .bind(&file.file.sha256)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        }
        sqlx::query(
            "UPDATE generations SET status = 'succeeded', progress = 100, file_count = ?2, \
                 total_bytes = ?3, digest = ?4, finished_at = ?5, lease_token = NULL, \
                 lease_expires_at = NULL \
             WHERE id = ?1",
        )
        .bind(id)
        .bind(i64::try_from(output.files.len()).unwrap_or(i64::MAX))
        .bind(output.total_bytes)
        .bind(&output.digest)
        .bind(now())
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(true)
    }

    async fn fail_generation(&self, id: Uuid, token: Uuid, error: &str) -> StoreResult<bool> {
        let mut writer = self.writer().await?;
        let changed = sqlx::query(
            "UPDATE generations SET status = 'failed', error = ?3, finished_at = ?4, \
                 lease_token = NULL, lease_expires_at = NULL \
             WHERE id = ?1 AND lease_token = ?2 AND status = 'running'",
        )
        .bind(id)
        .bind(token)
        .bind(error)
        .bind(now())
        .execute(&mut *writer)
        .await
        .map_err(db)?
        .rows_affected();
        Ok(changed > 0)
    }
}
