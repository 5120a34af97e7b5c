//! The PostgreSQL backend, for production and for several server processes on one database.
//!
//! Ids are `uuid`, timestamps `timestamptz`, diagnostics and summaries `json` (kept as written, so both backends answer with the same key order). Transactions run
//! at READ COMMITTED; an update of a specification locks its row (`FOR UPDATE`) from the read to
//! the commit, so concurrent updates queue up instead of building on the same revision.

use std::str::FromStr as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use sqlx::error::ErrorKind;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::types::Json;
use sqlx::{Connection as _, FromRow, Row as _};

use super::pipeline::{Conn, Pipeline};
use super::*;

fn project_from(r: &tokio_postgres::Row) -> Result<Project, tokio_postgres::Error> {
    Ok(Project {
        id: r.try_get("id")?,
        owner_id: r.try_get("owner_id")?,
        name: r.try_get("name")?,
        description: r.try_get("description")?,
        spec_count: r.try_get("spec_count")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

fn user_from(r: &tokio_postgres::Row) -> Result<User, tokio_postgres::Error> {
    Ok(User {
        id: r.try_get("id")?,
        issuer: r.try_get("issuer")?,
        subject: r.try_get("subject")?,
        email: r.try_get("email")?,
        name: r.try_get("name")?,
        picture_url: r.try_get("picture_url")?,
        created_at: r.try_get("created_at")?,
    })
}

/// A specification from a pipelined row; its JSON columns come as text.
fn spec_from(r: &tokio_postgres::Row) -> Result<StoreResult<Spec>, tokio_postgres::Error> {
    let json = |text: String| {
        serde_json::from_str(&text).map_err(|e| {
            StoreError::Database(sqlx::Error::Decode(format!("stored JSON: {e}").into()))
        })
    };
    let diagnostics: String = r.try_get("diagnostics")?;
    let summary: String = r.try_get("summary")?;
    Ok((|| {
        Ok(Spec {
            id: r.try_get("id").map_err(pipeline_decode)?,
            project_id: r.try_get("project_id").map_err(pipeline_decode)?,
            name: r.try_get("name").map_err(pipeline_decode)?,
            format: r.try_get("format").map_err(pipeline_decode)?,
            content: r.try_get("content").map_err(pipeline_decode)?,
            revision: r.try_get("revision").map_err(pipeline_decode)?,
            valid: r.try_get("valid").map_err(pipeline_decode)?,
            diagnostics: json(diagnostics)?,
            summary: json(summary)?,
            created_at: r.try_get("created_at").map_err(pipeline_decode)?,
            updated_at: r.try_get("updated_at").map_err(pipeline_decode)?,
        })
    })())
}

fn pipeline_decode(e: tokio_postgres::Error) -> StoreError {
    StoreError::Database(sqlx::Error::Decode(e.into()))
}

/// The migrations of this backend, embedded at build time.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// How long opening a connection, or waiting for a free pooled one, may take before the call
/// fails: a dead database answers with an error in seconds, not minutes.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

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

/// Statements of the pipelined reads, by index.
const PROJECT: usize = 0;
const SPEC: usize = 1;
const USER: usize = 2;
static PIPELINED: &[&str] = &[
    concat!(
        "SELECT ",
        project_columns!(),
        " FROM projects p WHERE p.id = $1 AND p.owner_id = $2"
    ),
    "SELECT s.id, s.project_id, s.name, s.format, s.content, s.revision, s.valid, \
     s.diagnostics::text AS diagnostics, s.summary::text AS summary, s.created_at, s.updated_at \
     FROM specs s JOIN projects p ON p.id = s.project_id WHERE s.id = $1 AND p.owner_id = $2",
    "SELECT id, issuer, subject, email, name, picture_url, created_at FROM users WHERE id = $1",
];

/// The columns of a revision, from `spec_revisions r`.
macro_rules! revision_columns {
    () => {
        "r.spec_id, r.revision, r.name, r.format, r.content, r.valid, r.diagnostics, \
         r.summary, r.created_at"
    };
}

/// Storage in one PostgreSQL database.
#[derive(Clone, Debug)]
pub struct PgStore {
    pool: PgPool,
    direct: Arc<Direct>,
    /// Pipelined connections for one-statement reads, when the URL says `sslmode=disable`;
    /// otherwise those reads use `direct`.
    pipeline: Option<Arc<Pipeline>>,
}

/// Connections kept outside the pool for reads of one statement, the hot path of the API.
///
/// sqlx pings every connection it takes back into its pool, so each pooled query costs two
/// round trips. A read that runs one statement needs no such check: a connection that failed or
/// whose query was cancelled half-way is simply discarded, and the next read opens a new one.
#[derive(Debug)]
struct Direct {
    slots: Vec<Arc<tokio::sync::Mutex<Option<sqlx::PgConnection>>>>,
    /// One permit per slot: a holder of a permit always finds a free slot, and waiters are
    /// served in order instead of queueing behind one busy connection.
    permits: Arc<tokio::sync::Semaphore>,
    next: AtomicUsize,
    options: PgConnectOptions,
}

/// A direct connection in use. Unless [`DirectConn::done`] is called, dropping it discards the
/// connection: an error or a cancelled query may have left it mid-protocol.
struct DirectConn {
    slot: tokio::sync::OwnedMutexGuard<Option<sqlx::PgConnection>>,
    done: bool,
    _permit: tokio::sync::OwnedSemaphorePermit,
}

impl DirectConn {
    fn conn(&mut self) -> StoreResult<&mut sqlx::PgConnection> {
        self.slot
            .as_mut()
            .ok_or_else(|| StoreError::Config("a direct connection slot is empty".into()))
    }

    fn done(mut self) {
        self.done = true;
    }
}

impl Drop for DirectConn {
    fn drop(&mut self) {
        if !self.done {
            *self.slot = None;
        }
    }
}

/// Whether an error means the connection itself is gone (killed, restarted server, network),
/// so the same read on a new connection may well succeed.
fn is_connection_error(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Io(_) | sqlx::Error::Protocol(_) => true,
        // Class 08 (connection exception) and 57P (operator intervention: admin shutdown).
        sqlx::Error::Database(db) => db
            .code()
            .is_some_and(|code| code.starts_with("08") || code.starts_with("57P")),
        _ => false,
    }
}

/// Runs a one-statement read on a direct connection, again on another connection when one
/// turns out to be dead (reads are safe to repeat). When the server restarted, every kept
/// connection is dead: the attempts are bounded by their number, plus one fresh connection.
macro_rules! direct_read {
    ($store:expr, |$conn:ident| $query:expr) => {{
        let mut attempts = 0;
        loop {
            attempts += 1;
            let mut direct = $store.direct.acquire().await?;
            let $conn = direct.conn()?;
            match $query.await {
                Ok(value) => {
                    direct.done();
                    break Ok::<_, StoreError>(value);
                }
                // Dropping `direct` without `done` discards the dead connection.
                Err(e) if attempts <= $store.direct.slots.len() && is_connection_error(&e) => {}
                Err(e) => break Err(StoreError::from(e)),
            }
        }
    }};
}

impl Direct {
    async fn acquire(&self) -> StoreResult<DirectConn> {
        let timed_out = || StoreError::Database(sqlx::Error::PoolTimedOut);
        let permit =
            tokio::time::timeout(ACQUIRE_TIMEOUT, Arc::clone(&self.permits).acquire_owned())
                .await
                .map_err(|_| timed_out())?
                .map_err(|_| timed_out())?;
        let n = self.slots.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        let free = (0..n).find_map(|i| {
            Arc::clone(&self.slots[(start + i) % n])
                .try_lock_owned()
                .ok()
        });
        let mut slot = match free {
            Some(slot) => slot,
            // A permit means a slot is free or being freed this instant: wait for one.
            None => tokio::time::timeout(
                ACQUIRE_TIMEOUT,
                Arc::clone(&self.slots[start % n]).lock_owned(),
            )
            .await
            .map_err(|_| timed_out())?,
        };
        if slot.is_none() {
            let conn = tokio::time::timeout(
                ACQUIRE_TIMEOUT,
                sqlx::PgConnection::connect_with(&self.options),
            )
            .await
            .map_err(|_| StoreError::Database(sqlx::Error::PoolTimedOut))??;
            *slot = Some(conn);
        }
        Ok(DirectConn {
            slot,
            done: false,
            _permit: permit,
        })
    }
}

impl PgStore {
    /// Opens a pool on a `postgres://` URL. Opening a connection (the first one included) gives
    /// up after 5 s.
    pub async fn connect(url: &str, max_connections: u32) -> StoreResult<Self> {
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::Config(format!("invalid PostgreSQL URL: {e}")))?
            .application_name("specforge");
        // With `sslmode=disable`, one-statement reads share pipelined connections (one per 16
        // allowed connections); otherwise half the connections (at least one) serve them
        // directly. The pool keeps the rest for writes and transactions.
        let max_connections = max_connections.max(2);
        let pipelined = (max_connections / 16).max(1);
        let pipeline =
            Pipeline::new(url, pipelined as usize, PIPELINED, ACQUIRE_TIMEOUT)?.map(Arc::new);
        let direct_count = if pipeline.is_some() {
            pipelined
        } else {
            (max_connections / 2).max(1)
        };
        let direct = Arc::new(Direct {
            slots: (0..direct_count)
                .map(|_| Arc::new(tokio::sync::Mutex::new(None)))
                .collect(),
            permits: Arc::new(tokio::sync::Semaphore::new(direct_count as usize)),
            next: AtomicUsize::new(0),
            options: options.clone(),
        });
        let pool = PgPoolOptions::new()
            .max_connections(max_connections - direct_count)
            // Bounds connecting too: sqlx opens connections inside `acquire`.
            .acquire_timeout(ACQUIRE_TIMEOUT)
            // Returning a connection to the pool already pings it and drops it when broken;
            // a second ping on every acquire would add a round trip to each request.
            .test_before_acquire(false)
            .connect_with(options)
            .await?;
        Ok(PgStore {
            pool,
            direct,
            pipeline,
        })
    }

    /// Applies the embedded migrations that are not applied yet. Several processes may call
    /// this at once: sqlx holds a session-level advisory lock (`pg_advisory_lock`) keyed by the
    /// database name for the whole run, so the others wait and then find nothing to do.
    pub async fn migrate(&self) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await?;
        match run_migrations(&mut conn).await {
            Ok(()) => Ok(()),
            Err(e) => {
                // sqlx returns from a failed run before releasing its advisory lock; closing
                // this connection ends the session and the lock with it, rather than parking a
                // lock-holding connection in the pool where other processes' migrations would
                // wait on it forever.
                let _ = conn.close().await;
                Err(e.into())
            }
        }
    }

    /// Closes the pool, waiting for connections in use.
    pub async fn close(&self) {
        self.pool.close().await;
        if let Some(pipeline) = &self.pipeline {
            pipeline.close().await;
        }
        for slot in &self.direct.slots {
            if let Some(conn) = slot.lock().await.take() {
                let _ = conn.close().await;
            }
        }
    }

    /// The connection pool, for storage code beyond the [`Storage`] trait and for tests.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

/// Runs [`MIGRATOR`] on one connection.
///
/// `Migrator::run` takes `impl Acquire`, and its future is not `Send` for a borrowed connection
/// (rustc: "`Acquire` is not general enough"), which would keep callers from migrating inside a
/// spawned task; `run_direct` is the entry point sqlx keeps public for exactly that case.
async fn run_migrations(conn: &mut sqlx::PgConnection) -> Result<(), sqlx::migrate::MigrateError> {
    MIGRATOR.run_direct(None, conn, false).await
}

/// Maps a write error to [`StoreError::Conflict`] when it violates one of the unique constraints
/// a user can run into, and to [`StoreError::Database`] otherwise. PostgreSQL names the violated
/// constraint; the names are those given in `migrations/postgres`.
fn map_write_error(err: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &err
        && db.kind() == ErrorKind::UniqueViolation
    {
        match db.constraint() {
            Some("projects_owner_name_key") => return StoreError::Conflict("project name"),
            Some("specs_project_name_key") => return StoreError::Conflict("specification name"),
            _ => {}
        }
    }
    if let sqlx::Error::Database(db) = &err
        && db.kind() == ErrorKind::ForeignKeyViolation
        && db.constraint() == Some("projects_owner_id_fkey")
    {
        return StoreError::UnknownUser;
    }
    StoreError::Database(err)
}

impl FromRow<'_, PgRow> for User {
    fn from_row(row: &PgRow) -> sqlx::Result<Self> {
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

impl FromRow<'_, PgRow> for Project {
    fn from_row(row: &PgRow) -> sqlx::Result<Self> {
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

impl FromRow<'_, PgRow> for Spec {
    fn from_row(row: &PgRow) -> sqlx::Result<Self> {
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

impl FromRow<'_, PgRow> for SpecRevision {
    fn from_row(row: &PgRow) -> sqlx::Result<Self> {
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

/// JSON as text, bound as `$n::text::json`: a `json` parameter would go through `jsonb`, which
/// reorders object keys, and the API answers with exactly what was stored.
fn json_text(value: &serde_json::Value) -> String {
    value.to_string()
}

/// Records the current state of `spec` as its revision `spec.revision`.
async fn insert_revision(conn: &mut sqlx::PgConnection, spec: &Spec) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO spec_revisions \
             (spec_id, revision, name, format, content, valid, diagnostics, summary, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7::text::json, $8::text::json, $9)",
    )
    .bind(spec.id)
    .bind(spec.revision)
    .bind(&spec.name)
    .bind(&spec.format)
    .bind(&spec.content)
    .bind(spec.valid)
    .bind(json_text(&spec.diagnostics))
    .bind(json_text(&spec.summary))
    .bind(spec.updated_at)
    .execute(conn)
    .await?;
    Ok(())
}

impl Storage for PgStore {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn upsert_user(&self, identity: &Identity) -> StoreResult<User> {
        let user = sqlx::query_as(
            "INSERT INTO users (id, issuer, subject, email, name, picture_url, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
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
        .fetch_one(&self.pool)
        .await?;
        Ok(user)
    }

    async fn get_user(&self, id: Uuid) -> StoreResult<Option<User>> {
        if let Some(pipeline) = &self.pipeline {
            return pipeline
                .read(move |c: Arc<Conn>| async move {
                    let row = c.client.query_opt(&c.statements[USER], &[&id]).await?;
                    row.map(|r| user_from(&r)).transpose()
                })
                .await;
        }
        direct_read!(self, |conn| sqlx::query_as(
            "SELECT id, issuer, subject, email, name, picture_url, created_at \
             FROM users WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *conn))
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
        sqlx::query(
            "INSERT INTO projects (id, owner_id, name, description, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $5)",
        )
        .bind(project.id)
        .bind(project.owner_id)
        .bind(&project.name)
        .bind(&project.description)
        .bind(project.created_at)
        .execute(&self.pool)
        .await
        .map_err(map_write_error)?;
        Ok(project)
    }

    async fn get_project(&self, owner: Uuid, id: Uuid) -> StoreResult<Option<Project>> {
        if let Some(pipeline) = &self.pipeline {
            return pipeline
                .read(move |c: Arc<Conn>| async move {
                    let row = c
                        .client
                        .query_opt(&c.statements[PROJECT], &[&id, &owner])
                        .await?;
                    row.map(|r| project_from(&r)).transpose()
                })
                .await;
        }
        direct_read!(self, |conn| sqlx::query_as(concat!(
            "SELECT ",
            project_columns!(),
            " FROM projects p WHERE p.id = $1 AND p.owner_id = $2"
        ))
        .bind(id)
        .bind(owner)
        .fetch_optional(&mut *conn))
    }

    async fn list_projects(&self, owner: Uuid, page: PageRequest) -> StoreResult<Page<Project>> {
        let (limit, fetch) = fetch_limit(&page);
        // Two fixed statements rather than `($2 IS NULL OR p.id < $2)`: a generic prepared plan
        // for the combined form could not use the (owner_id, id DESC) index for the range.
        let rows = match id_cursor(&page)? {
            None => {
                sqlx::query_as(concat!(
                    "SELECT ",
                    project_columns!(),
                    " FROM projects p WHERE p.owner_id = $1 ORDER BY p.id DESC LIMIT $2"
                ))
                .bind(owner)
                .bind(fetch)
                .fetch_all(&self.pool)
                .await?
            }
            Some(after) => {
                sqlx::query_as(concat!(
                    "SELECT ",
                    project_columns!(),
                    " FROM projects p WHERE p.owner_id = $1 AND p.id < $2 \
                     ORDER BY p.id DESC LIMIT $3"
                ))
                .bind(owner)
                .bind(after)
                .bind(fetch)
                .fetch_all(&self.pool)
                .await?
            }
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
        let project = sqlx::query_as(
            "WITH p AS ( \
                 UPDATE projects SET \
                     name = coalesce($3, name), \
                     description = CASE WHEN $4 THEN $5 ELSE description END, \
                     updated_at = $6 \
                 WHERE id = $1 AND owner_id = $2 \
                 RETURNING id, owner_id, name, description, created_at, updated_at) \
             SELECT p.*, (SELECT count(*) FROM specs c WHERE c.project_id = p.id) AS spec_count \
             FROM p",
        )
        .bind(id)
        .bind(owner)
        .bind(name)
        .bind(description.is_some())
        .bind(description.flatten())
        .bind(now())
        .fetch_optional(&self.pool)
        .await
        .map_err(map_write_error)?;
        Ok(project)
    }

    async fn delete_project(&self, owner: Uuid, id: Uuid) -> StoreResult<bool> {
        // Specifications and their revisions go with it through ON DELETE CASCADE.
        let deleted = sqlx::query("DELETE FROM projects WHERE id = $1 AND owner_id = $2")
            .bind(id)
            .bind(owner)
            .execute(&self.pool)
            .await?
            .rows_affected();
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
        let mut tx = self.pool.begin().await?;
        // The SELECT makes the insert happen only in a project of the owner.
        let inserted = sqlx::query(
            "INSERT INTO specs (id, project_id, name, format, content, revision, valid, \
                                diagnostics, summary, created_at, updated_at) \
             SELECT $1, p.id, $3, $4, $5, 1, $6, $7::text::json, $8::text::json, $9, $9 \
             FROM projects p WHERE p.id = $2 AND p.owner_id = $10",
        )
        .bind(spec.id)
        .bind(project_id)
        .bind(&spec.name)
        .bind(&spec.format)
        .bind(&spec.content)
        .bind(spec.valid)
        .bind(json_text(&spec.diagnostics))
        .bind(json_text(&spec.summary))
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
        tx.commit().await?;
        Ok(Some(spec))
    }

    async fn get_spec(&self, owner: Uuid, id: Uuid) -> StoreResult<Option<Spec>> {
        if let Some(pipeline) = &self.pipeline {
            return pipeline
                .read(move |c: Arc<Conn>| async move {
                    let row = c
                        .client
                        .query_opt(&c.statements[SPEC], &[&id, &owner])
                        .await?;
                    row.map(|r| spec_from(&r)).transpose()
                })
                .await?
                .transpose();
        }
        direct_read!(self, |conn| sqlx::query_as(concat!(
            "SELECT ",
            spec_columns!(),
            " FROM specs s JOIN projects p ON p.id = s.project_id \
             WHERE s.id = $1 AND p.owner_id = $2"
        ))
        .bind(id)
        .bind(owner)
        .fetch_optional(&mut *conn))
    }

    async fn list_specs(
        &self,
        owner: Uuid,
        project_id: Uuid,
        page: PageRequest,
    ) -> StoreResult<Option<Page<Spec>>> {
        let (limit, fetch) = fetch_limit(&page);
        let after = id_cursor(&page)?;
        let owned: Option<i32> =
            sqlx::query_scalar("SELECT 1 FROM projects WHERE id = $1 AND owner_id = $2")
                .bind(project_id)
                .bind(owner)
                .fetch_optional(&self.pool)
                .await?;
        if owned.is_none() {
            return Ok(None);
        }
        let rows = match after {
            None => {
                sqlx::query_as(concat!(
                    "SELECT ",
                    spec_columns!(),
                    " FROM specs s WHERE s.project_id = $1 ORDER BY s.id DESC LIMIT $2"
                ))
                .bind(project_id)
                .bind(fetch)
                .fetch_all(&self.pool)
                .await?
            }
            Some(after) => {
                sqlx::query_as(concat!(
                    "SELECT ",
                    spec_columns!(),
                    " FROM specs s WHERE s.project_id = $1 AND s.id < $2 \
                     ORDER BY s.id DESC LIMIT $3"
                ))
                .bind(project_id)
                .bind(after)
                .bind(fetch)
                .fetch_all(&self.pool)
                .await?
            }
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
        // The row lock taken by the read is held to the commit, so two updates cannot both
        // build on the same revision; a waiting one reads the row again once it gets the lock.
        let mut tx = self.pool.begin().await?;
        let current: Option<Spec> = sqlx::query_as(concat!(
            "SELECT ",
            spec_columns!(),
            " FROM specs s JOIN projects p ON p.id = s.project_id \
             WHERE s.id = $1 AND p.owner_id = $2 FOR UPDATE OF s"
        ))
        .bind(id)
        .bind(owner)
        .fetch_optional(&mut *tx)
        .await?;
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
            tx.commit().await?;
            return Ok(Some(current));
        }
        let updated: Option<Spec> = sqlx::query_as(
            "UPDATE specs SET \
                 name = $3, format = $4, content = $5, valid = $6, diagnostics = $7::text::json, \
                 summary = $8::text::json, revision = revision + 1, updated_at = $9 \
             WHERE id = $1 AND revision = $2 \
             RETURNING id, project_id, name, format, content, revision, valid, diagnostics, \
                       summary, created_at, updated_at",
        )
        .bind(id)
        .bind(current.revision)
        .bind(name)
        .bind(&next.format)
        .bind(&next.content)
        .bind(next.valid)
        .bind(json_text(&next.diagnostics))
        .bind(json_text(&next.summary))
        .bind(now())
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_write_error)?;
        // Under the row lock the revision cannot have moved; if it ever did, saying so is
        // better than writing over a revision nobody has seen.
        let Some(updated) = updated else {
            let now_current: Option<i64> =
                sqlx::query_scalar("SELECT revision FROM specs WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?;
            return match now_current {
                None => Ok(None),
                Some(revision) => Err(StoreError::RevisionMismatch {
                    expected: expected_revision.unwrap_or(current.revision),
                    current: revision,
                }),
            };
        };
        insert_revision(&mut tx, &updated).await?;
        tx.commit().await?;
        Ok(Some(updated))
    }

    async fn delete_spec(&self, owner: Uuid, id: Uuid) -> StoreResult<bool> {
        let deleted = sqlx::query(
            "DELETE FROM specs WHERE id = $1 \
             AND project_id IN (SELECT id FROM projects WHERE owner_id = $2)",
        )
        .bind(id)
        .bind(owner)
        .execute(&self.pool)
        .await?
        .rows_affected();
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
        let owned: Option<i32> = sqlx::query_scalar(
            "SELECT 1 FROM specs s JOIN projects p ON p.id = s.project_id \
             WHERE s.id = $1 AND p.owner_id = $2",
        )
        .bind(spec_id)
        .bind(owner)
        .fetch_optional(&self.pool)
        .await?;
        if owned.is_none() {
            return Ok(None);
        }
        let rows = match after {
            None => {
                sqlx::query_as(concat!(
                    "SELECT ",
                    revision_columns!(),
                    " FROM spec_revisions r WHERE r.spec_id = $1 \
                     ORDER BY r.revision DESC LIMIT $2"
                ))
                .bind(spec_id)
                .bind(fetch)
                .fetch_all(&self.pool)
                .await?
            }
            Some(after) => {
                sqlx::query_as(concat!(
                    "SELECT ",
                    revision_columns!(),
                    " FROM spec_revisions r WHERE r.spec_id = $1 AND r.revision < $2 \
                     ORDER BY r.revision DESC LIMIT $3"
                ))
                .bind(spec_id)
                .bind(after)
                .bind(fetch)
                .fetch_all(&self.pool)
                .await?
            }
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
             WHERE r.spec_id = $1 AND r.revision = $2 AND p.owner_id = $3"
        ))
        .bind(spec_id)
        .bind(revision)
        .bind(owner)
        .fetch_optional(&self.pool)
        .await?;
        Ok(revision)
    }
}
