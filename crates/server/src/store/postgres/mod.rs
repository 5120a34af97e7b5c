//! The PostgreSQL backend, for production and for several server processes on one database.
//!
//! Ids are `uuid`, timestamps `timestamptz`, diagnostics and summaries `json` (kept as
//! written, so both backends answer with the same key order). Transactions run at READ
//! COMMITTED; an update of a specification locks its row (`FOR UPDATE`) from the read to the
//! commit, so concurrent updates queue up instead of building on the same revision.
//!
//! Every query is a prepared statement on a tokio-postgres connection of [`pool`]: small
//! one-statement reads on a shared, pipelined connection, everything else on a connection of
//! its own for the duration of the call. TLS follows the URL's `sslmode` ([`tls`]). A read of a
//! specification leaves its text in PostgreSQL when this process holds that revision's text
//! already ([`texts`]).

mod migrate;
mod pool;
mod texts;
mod tls;

use std::sync::Arc;

use tokio_postgres::Row;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;

use self::pool::{Pool, is_connection_error};
use self::texts::SpecTexts;
use self::tls::describe;
use super::*;

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

const SELECT_USER: &str =
    "SELECT id, issuer, subject, email, name, picture_url, created_at FROM users WHERE id = $1";
const UPSERT_USER: &str = "INSERT INTO users \
         (id, issuer, subject, email, name, picture_url, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7) \
     ON CONFLICT (issuer, subject) DO UPDATE SET \
         email = excluded.email, name = excluded.name, picture_url = excluded.picture_url \
     RETURNING id, issuer, subject, email, name, picture_url, created_at";
const SELECT_PROJECT: &str = concat!(
    "SELECT ",
    project_columns!(),
    " FROM projects p WHERE p.id = $1 AND p.owner_id = $2"
);
// Two fixed statements rather than `($2 IS NULL OR p.id < $2)`: a generic prepared plan for the
// combined form could not use the (owner_id, id DESC) index for the range.
const LIST_PROJECTS: &str = concat!(
    "SELECT ",
    project_columns!(),
    " FROM projects p WHERE p.owner_id = $1 ORDER BY p.id DESC LIMIT $2"
);
const LIST_PROJECTS_AFTER: &str = concat!(
    "SELECT ",
    project_columns!(),
    " FROM projects p WHERE p.owner_id = $1 AND p.id < $2 ORDER BY p.id DESC LIMIT $3"
);
const INSERT_PROJECT: &str = "INSERT INTO projects \
         (id, owner_id, name, description, created_at, updated_at) \
     VALUES ($1, $2, $3, $4, $5, $5)";
const UPDATE_PROJECT: &str = "WITH p AS ( \
         UPDATE projects SET \
             name = coalesce($3, name), \
             description = CASE WHEN $4 THEN $5 ELSE description END, \
             updated_at = $6 \
         WHERE id = $1 AND owner_id = $2 \
         RETURNING id, owner_id, name, description, created_at, updated_at) \
     SELECT p.*, (SELECT count(*) FROM specs c WHERE c.project_id = p.id) AS spec_count FROM p";
const DELETE_PROJECT: &str = "DELETE FROM projects WHERE id = $1 AND owner_id = $2";
// The SELECT makes the insert happen only in a project of the owner.
const INSERT_SPEC: &str = "INSERT INTO specs \
         (id, project_id, name, format, content, revision, valid, diagnostics, summary, \
          created_at, updated_at) \
     SELECT $1, p.id, $3, $4, $5, 1, $6, $7::text::json, $8::text::json, $9, $9 \
     FROM projects p WHERE p.id = $2 AND p.owner_id = $10";
const INSERT_REVISION: &str = "INSERT INTO spec_revisions \
         (spec_id, revision, name, format, content, valid, diagnostics, summary, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7::text::json, $8::text::json, $9)";
/// A specification without its text when `$3` is its current revision (the text this process
/// holds already, [`texts`]): PostgreSQL then neither reads nor sends it.
const SELECT_SPEC: &str = "SELECT s.id, s.project_id, s.name, s.format, \
         CASE WHEN s.revision = $3 THEN NULL ELSE s.content END AS content, \
         s.revision, s.valid, s.diagnostics, s.summary, s.created_at, s.updated_at \
     FROM specs s JOIN projects p ON p.id = s.project_id WHERE s.id = $1 AND p.owner_id = $2";
const SELECT_SPEC_FOR_UPDATE: &str = concat!(
    "SELECT ",
    spec_columns!(),
    " FROM specs s JOIN projects p ON p.id = s.project_id \
     WHERE s.id = $1 AND p.owner_id = $2 FOR UPDATE OF s"
);
const OWNED_PROJECT: &str = "SELECT 1 FROM projects WHERE id = $1 AND owner_id = $2";
const LIST_SPECS: &str = concat!(
    "SELECT ",
    spec_columns!(),
    " FROM specs s WHERE s.project_id = $1 ORDER BY s.id DESC LIMIT $2"
);
const LIST_SPECS_AFTER: &str = concat!(
    "SELECT ",
    spec_columns!(),
    " FROM specs s WHERE s.project_id = $1 AND s.id < $2 ORDER BY s.id DESC LIMIT $3"
);
const UPDATE_SPEC: &str = "UPDATE specs SET \
         name = $3, format = $4, content = $5, valid = $6, diagnostics = $7::text::json, \
         summary = $8::text::json, revision = revision + 1, updated_at = $9 \
     WHERE id = $1 AND revision = $2 \
     RETURNING id, project_id, name, format, content, revision, valid, diagnostics, \
               summary, created_at, updated_at";
const SPEC_REVISION: &str = "SELECT revision FROM specs WHERE id = $1";
const DELETE_SPEC: &str = "DELETE FROM specs WHERE id = $1 \
     AND project_id IN (SELECT id FROM projects WHERE owner_id = $2)";
const OWNED_SPEC: &str = "SELECT 1 FROM specs s JOIN projects p ON p.id = s.project_id \
     WHERE s.id = $1 AND p.owner_id = $2";
const LIST_REVISIONS: &str = concat!(
    "SELECT ",
    revision_columns!(),
    " FROM spec_revisions r WHERE r.spec_id = $1 ORDER BY r.revision DESC LIMIT $2"
);
const LIST_REVISIONS_AFTER: &str = concat!(
    "SELECT ",
    revision_columns!(),
    " FROM spec_revisions r WHERE r.spec_id = $1 AND r.revision < $2 \
     ORDER BY r.revision DESC LIMIT $3"
);
const SELECT_REVISION: &str = concat!(
    "SELECT ",
    revision_columns!(),
    " FROM spec_revisions r \
     JOIN specs s ON s.id = r.spec_id \
     JOIN projects p ON p.id = s.project_id \
     WHERE r.spec_id = $1 AND r.revision = $2 AND p.owner_id = $3"
);

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

// The SELECT makes the insert happen only for a revision of the owner's specification.
const INSERT_GENERATION: &str = "INSERT INTO generations \
         (id, spec_id, spec_revision, target, options, status, progress, attempts, created_at) \
     SELECT $1, r.spec_id, r.revision, $4, $5::text::json, 'queued', 0, 0, $6 \
     FROM spec_revisions r JOIN specs s ON s.id = r.spec_id JOIN projects p ON p.id = s.project_id \
     WHERE r.spec_id = $2 AND r.revision = $3 AND p.owner_id = $7";
const SELECT_GENERATION: &str = concat!(
    "SELECT ",
    generation_columns!(),
    owned_generation!(),
    "WHERE g.id = $1 AND p.owner_id = $2"
);
const LIST_GENERATIONS: &str = concat!(
    "SELECT ",
    generation_columns!(),
    " FROM generations g WHERE g.spec_id = $1 ORDER BY g.id DESC LIMIT $2"
);
const LIST_GENERATIONS_AFTER: &str = concat!(
    "SELECT ",
    generation_columns!(),
    " FROM generations g WHERE g.spec_id = $1 AND g.id < $2 ORDER BY g.id DESC LIMIT $3"
);
const CANCEL_GENERATION: &str = concat!(
    "WITH c AS (UPDATE generations SET status = 'canceled', finished_at = $3, \
         lease_token = NULL, lease_expires_at = NULL \
     WHERE id = $1 AND status IN ('queued', 'running') AND spec_id IN \
         (SELECT s.id FROM specs s JOIN projects p ON p.id = s.project_id WHERE p.owner_id = $2) \
     RETURNING *) SELECT ",
    generation_columns!(),
    " FROM c g"
);
const GENERATION_BLOBS: &str =
    "SELECT DISTINCT sha256 FROM generation_files WHERE generation_id = $1";
const DELETE_GENERATION: &str = "DELETE FROM generations WHERE id = $1 AND spec_id IN \
     (SELECT s.id FROM specs s JOIN projects p ON p.id = s.project_id WHERE p.owner_id = $2)";
const DELETE_UNUSED_BLOBS: &str = "DELETE FROM blobs b WHERE b.sha256 = ANY($1) \
     AND NOT EXISTS (SELECT 1 FROM generation_files f WHERE f.sha256 = b.sha256)";
/// Removes the stored contents no generation uses any more.
const SWEEP_BLOBS: &str = "DELETE FROM blobs b WHERE NOT EXISTS \
     (SELECT 1 FROM generation_files f WHERE f.sha256 = b.sha256)";
// Paths sort bytewise, as in the generated tree and its archives.
const LIST_GENERATION_FILES: &str = "SELECT path, size, sha256 FROM generation_files \
     WHERE generation_id = $1 ORDER BY path COLLATE \"C\"";
const READ_GENERATION_FILE: &str = "SELECT f.path, f.size, f.sha256, b.data \
     FROM generation_files f JOIN blobs b ON b.sha256 = f.sha256 \
     JOIN generations g ON g.id = f.generation_id \
     JOIN specs s ON s.id = g.spec_id JOIN projects p ON p.id = s.project_id \
     WHERE f.generation_id = $1 AND f.path = $2 AND p.owner_id = $3";
const READ_BLOB: &str = "SELECT data FROM blobs WHERE sha256 = $1";
const FAIL_ABANDONED: &str = "UPDATE generations SET status = 'failed', finished_at = $1, \
         lease_token = NULL, lease_expires_at = NULL, \
         error = 'the job was abandoned: the worker running it stopped answering (' \
                 || attempts || ' attempts)' \
     WHERE status = 'running' AND lease_expires_at < $2 AND attempts >= $3";
// SKIP LOCKED: claimers running at once each take another job instead of waiting for the row
// another one holds; the row's condition is checked again once it is locked.
const CLAIM_GENERATION: &str = "UPDATE generations g SET status = 'running', \
         attempts = g.attempts + 1, lease_token = $1, lease_expires_at = $2, \
         started_at = coalesce(g.started_at, $3), progress = 0 \
     FROM (SELECT id FROM generations \
           WHERE status = 'queued' OR (status = 'running' AND lease_expires_at < $4) \
           ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) c \
     WHERE g.id = c.id \
     RETURNING g.id, g.spec_id, g.spec_revision, g.target, g.options, g.attempts";
const JOB_SOURCE: &str =
    "SELECT format, content FROM spec_revisions WHERE spec_id = $1 AND revision = $2";
const HEARTBEAT: &str = "UPDATE generations SET lease_expires_at = $3, \
         progress = greatest(progress, $4) \
     WHERE id = $1 AND lease_token = $2 AND status = 'running'";
const HOLD_JOB: &str = "SELECT 1 FROM generations \
     WHERE id = $1 AND lease_token = $2 AND status = 'running' FOR UPDATE";
const INSERT_BLOBS: &str = "INSERT INTO blobs (sha256, size, data) \
     SELECT * FROM unnest($1::text[], $2::bigint[], $3::bytea[]) ON CONFLICT (sha256) DO NOTHING";
const INSERT_GENERATION_FILES: &str = "INSERT INTO generation_files \
         (generation_id, path, size, sha256) \
     SELECT $1, * FROM unnest($2::text[], $3::bigint[], $4::text[])";
const SUCCEED_GENERATION: &str = "UPDATE generations SET status = 'succeeded', progress = 100, \
         file_count = $2, total_bytes = $3, digest = $4, finished_at = $5, lease_token = NULL, \
         lease_expires_at = NULL \
     WHERE id = $1";
const FAIL_GENERATION: &str = "UPDATE generations SET status = 'failed', error = $3, \
         finished_at = $4, lease_token = NULL, lease_expires_at = NULL \
     WHERE id = $1 AND lease_token = $2 AND status = 'running'";

type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

/// Storage in one PostgreSQL database.
#[derive(Clone, Debug)]
pub struct PgStore {
    pool: Arc<Pool>,
    /// Texts of specifications read before ([`texts`]), shared by the clones of the store.
    texts: Arc<SpecTexts>,
}

/// A driver error as a store error: conflicts and unknown owners by constraint name (the names
/// given in `migrations/postgres`), a lost connection as unavailable, the rest as text.
fn store_error(err: tokio_postgres::Error) -> StoreError {
    if let Some(db) = err.as_db_error() {
        let code = db.code();
        let conflict = match db.constraint() {
            Some("projects_owner_name_key") => Some("project name"),
            Some("specs_project_name_key") => Some("specification name"),
            _ => None,
        };
        if let (true, Some(what)) = (*code == SqlState::UNIQUE_VIOLATION, conflict) {
            return StoreError::Conflict(what);
        }
        if *code == SqlState::FOREIGN_KEY_VIOLATION
            && db.constraint() == Some("projects_owner_id_fkey")
        {
            return StoreError::UnknownUser;
        }
    }
    if is_connection_error(&err) {
        return StoreError::Unavailable(format!(
            "the database connection failed: {}",
            describe(&err)
        ));
    }
    StoreError::Database(describe(&err))
}

fn user_from(r: &Row) -> Result<User, tokio_postgres::Error> {
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

fn project_from(r: &Row) -> Result<Project, tokio_postgres::Error> {
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

fn spec_from(r: &Row) -> Result<Spec, tokio_postgres::Error> {
    spec_from_parts(r, r.try_get("content")?)
}

/// A specification from a row, with its text given apart.
fn spec_from_parts(r: &Row, content: String) -> Result<Spec, tokio_postgres::Error> {
    Ok(Spec {
        id: r.try_get("id")?,
        project_id: r.try_get("project_id")?,
        name: r.try_get("name")?,
        format: r.try_get("format")?,
        content,
        revision: r.try_get("revision")?,
        valid: r.try_get("valid")?,
        diagnostics: r.try_get("diagnostics")?,
        summary: r.try_get("summary")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

fn generation_from(r: &Row) -> Result<Generation, tokio_postgres::Error> {
    let status: String = r.try_get("status")?;
    Ok(Generation {
        id: r.try_get("id")?,
        spec_id: r.try_get("spec_id")?,
        spec_revision: r.try_get("spec_revision")?,
        target: r.try_get("target")?,
        options: r.try_get("options")?,
        // The column's CHECK allows only the five words.
        status: GenerationStatus::parse(&status).unwrap_or(GenerationStatus::Failed),
        progress: r.try_get("progress")?,
        error: r.try_get("error")?,
        file_count: r.try_get("file_count")?,
        total_bytes: r.try_get("total_bytes")?,
        digest: r.try_get("digest")?,
        attempts: r.try_get("attempts")?,
        created_at: r.try_get("created_at")?,
        started_at: r.try_get("started_at")?,
        finished_at: r.try_get("finished_at")?,
    })
}

fn file_from(r: &Row) -> Result<GeneratedFile, tokio_postgres::Error> {
    Ok(GeneratedFile {
        path: r.try_get("path")?,
        size: r.try_get("size")?,
        sha256: r.try_get("sha256")?,
    })
}

fn revision_from(r: &Row) -> Result<SpecRevision, tokio_postgres::Error> {
    Ok(SpecRevision {
        spec_id: r.try_get("spec_id")?,
        revision: r.try_get("revision")?,
        name: r.try_get("name")?,
        format: r.try_get("format")?,
        content: r.try_get("content")?,
        valid: r.try_get("valid")?,
        diagnostics: r.try_get("diagnostics")?,
        summary: r.try_get("summary")?,
        created_at: r.try_get("created_at")?,
    })
}

/// JSON as text, bound as `$n::text::json`: the API answers with exactly what was stored, in
/// the same key order, on both backends.
fn json_text(value: &serde_json::Value) -> String {
    value.to_string()
}

/// Maps rows, turning a decoding failure into a store error.
fn map_rows<T>(
    rows: &[Row],
    from: fn(&Row) -> Result<T, tokio_postgres::Error>,
) -> StoreResult<Vec<T>> {
    rows.iter().map(|r| from(r).map_err(store_error)).collect()
}

impl PgStore {
    /// Connects to a `postgres://` URL (TLS as its `sslmode` says, `prefer` by default) with at
    /// most `max_connections` connections (at least 2). Opening a connection, the first one
    /// included, gives up after 5 s.
    pub async fn connect(url: &str, max_connections: u32) -> StoreResult<Self> {
        let pool = Pool::connect(tls::settings(url)?, max_connections).await?;
        Ok(PgStore {
            pool: Arc::new(pool),
            texts: Arc::new(SpecTexts::new(texts::BUDGET_BYTES)),
        })
    }

    /// Applies the embedded migrations that are not applied yet. Several processes may call
    /// this at once: the run holds a session advisory lock keyed by the database name, so the
    /// others wait and then find nothing to do.
    pub async fn migrate(&self) -> StoreResult<()> {
        migrate::run(&self.pool).await
    }

    /// Closes every connection.
    pub async fn close(&self) {
        self.pool.close();
    }

    /// Runs a one-statement read of small rows on a shared connection; once more on a new
    /// connection when that one turns out to be dead (reads are safe to repeat).
    async fn small_read(&self, sql: &'static str, params: Params<'_>) -> StoreResult<Vec<Row>> {
        let mut attempts = 0;
        loop {
            attempts += 1;
            let conn = self.pool.shared().await?;
            let outcome = match conn.prepared(sql).await {
                Ok(statement) => conn.client.query(&statement, params).await,
                Err(e) => Err(e),
            };
            match outcome {
                Ok(rows) => return Ok(rows),
                Err(e) if attempts <= 2 && is_connection_error(&e) => {
                    self.pool.discard_shared(&conn);
                }
                Err(e) => return Err(store_error(e)),
            }
        }
    }

    /// Runs one statement on a connection of its own: writes, and reads that can return large
    /// texts, which would hold up the small reads queued behind them on a shared connection.
    async fn alone(&self, sql: &'static str, params: Params<'_>) -> StoreResult<Vec<Row>> {
        let lease = self.pool.exclusive().await?;
        let conn = lease.conn();
        let statement = conn.prepared(sql).await.map_err(store_error)?;
        conn.client
            .query(&statement, params)
            .await
            .map_err(store_error)
    }

    /// Like [`PgStore::alone`], for statements without rows; the number of rows changed.
    async fn execute_alone(&self, sql: &'static str, params: Params<'_>) -> StoreResult<u64> {
        let lease = self.pool.exclusive().await?;
        let conn = lease.conn();
        let statement = conn.prepared(sql).await.map_err(store_error)?;
        conn.client
            .execute(&statement, params)
            .await
            .map_err(store_error)
    }
}

/// Prepares `statements` on the connection of `lease`, in the order given.
async fn prepare_all<const N: usize>(
    conn: &pool::Conn,
    statements: [&'static str; N],
) -> StoreResult<[tokio_postgres::Statement; N]> {
    let mut prepared = Vec::with_capacity(N);
    for sql in statements {
        prepared.push(conn.prepared(sql).await.map_err(store_error)?);
    }
    prepared
        .try_into()
        .map_err(|_| StoreError::Database("preparing statements".into()))
}

/// Records the current state of `spec` as its revision `spec.revision`.
async fn insert_revision(
    tx: &tokio_postgres::Transaction<'_>,
    statement: &tokio_postgres::Statement,
    spec: &Spec,
) -> StoreResult<()> {
    tx.execute(
        statement,
        &[
            &spec.id,
            &spec.revision,
            &spec.name,
            &spec.format,
            &spec.content,
            &spec.valid,
            &json_text(&spec.diagnostics),
            &json_text(&spec.summary),
            &spec.updated_at,
        ],
    )
    .await
    .map_err(store_error)?;
    Ok(())
}

impl Storage for PgStore {
    async fn ping(&self) -> StoreResult<()> {
        self.small_read("SELECT 1", &[]).await?;
        Ok(())
    }

    async fn upsert_user(&self, identity: &Identity) -> StoreResult<User> {
        let rows = self
            .alone(
                UPSERT_USER,
                &[
                    &Uuid::now_v7(),
                    &identity.issuer,
                    &identity.subject,
                    &identity.email,
                    &identity.name,
                    &identity.picture_url,
                    &now(),
                ],
            )
            .await?;
        map_rows(&rows, user_from)?
            .pop()
            .ok_or_else(|| StoreError::Database("the upsert returned no user".into()))
    }

    async fn get_user(&self, id: Uuid) -> StoreResult<Option<User>> {
        let rows = self.small_read(SELECT_USER, &[&id]).await?;
        Ok(map_rows(&rows, user_from)?.pop())
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
        self.execute_alone(
            INSERT_PROJECT,
            &[
                &project.id,
                &project.owner_id,
                &project.name,
                &project.description,
                &project.created_at,
            ],
        )
        .await?;
        Ok(project)
    }

    async fn get_project(&self, owner: Uuid, id: Uuid) -> StoreResult<Option<Project>> {
        let rows = self.small_read(SELECT_PROJECT, &[&id, &owner]).await?;
        Ok(map_rows(&rows, project_from)?.pop())
    }

    async fn list_projects(&self, owner: Uuid, page: PageRequest) -> StoreResult<Page<Project>> {
        let (limit, fetch) = fetch_limit(&page);
        let rows = match id_cursor(&page)? {
            None => self.small_read(LIST_PROJECTS, &[&owner, &fetch]).await?,
            Some(after) => {
                self.small_read(LIST_PROJECTS_AFTER, &[&owner, &after, &fetch])
                    .await?
            }
        };
        Ok(into_page(map_rows(&rows, project_from)?, limit))
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
        let rows = self
            .alone(
                UPDATE_PROJECT,
                &[
                    &id,
                    &owner,
                    &name,
                    &description.is_some(),
                    &description.flatten(),
                    &now(),
                ],
            )
            .await?;
        Ok(map_rows(&rows, project_from)?.pop())
    }

    async fn delete_project(&self, owner: Uuid, id: Uuid) -> StoreResult<bool> {
        // Specifications, their revisions and generations go with it through ON DELETE CASCADE;
        // the contents no other generation uses go after them.
        let deleted = self.execute_alone(DELETE_PROJECT, &[&id, &owner]).await? > 0;
        if deleted {
            self.execute_alone(SWEEP_BLOBS, &[]).await?;
        }
        Ok(deleted)
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
        let mut lease = self.pool.exclusive().await?;
        let [insert, revision] = prepare_all(lease.conn(), [INSERT_SPEC, INSERT_REVISION]).await?;
        let tx = lease
            .conn_mut()
            .client
            .transaction()
            .await
            .map_err(store_error)?;
        let inserted = tx
            .execute(
                &insert,
                &[
                    &spec.id,
                    &project_id,
                    &spec.name,
                    &spec.format,
                    &spec.content,
                    &spec.valid,
                    &json_text(&spec.diagnostics),
                    &json_text(&spec.summary),
                    &at,
                    &owner,
                ],
            )
            .await
            .map_err(store_error)?;
        if inserted == 0 {
            return Ok(None);
        }
        insert_revision(&tx, &revision, &spec).await?;
        tx.commit().await.map_err(store_error)?;
        Ok(Some(spec))
    }

    async fn get_spec(&self, owner: Uuid, id: Uuid) -> StoreResult<Option<Spec>> {
        let known = self.texts.get(id);
        // Revisions count from 1: 0 matches none.
        let known_revision = known.as_ref().map_or(0, |k| k.revision);
        let rows = self
            .alone(SELECT_SPEC, &[&id, &owner, &known_revision])
            .await?;
        let Some(row) = rows.first() else {
            return Ok(None);
        };
        let content: Option<String> = row.try_get("content").map_err(store_error)?;
        let mut spec = spec_from_parts(row, String::new()).map_err(store_error)?;
        spec.content = match (content, known) {
            (Some(text), _) => {
                self.texts.put(id, spec.revision, &text);
                text
            }
            (None, Some(known)) => known.text.to_string(),
            (None, None) => {
                return Err(StoreError::Database(
                    "a specification was read without its text".to_string(),
                ));
            }
        };
        Ok(Some(spec))
    }

    async fn list_specs(
        &self,
        owner: Uuid,
        project_id: Uuid,
        page: PageRequest,
    ) -> StoreResult<Option<Page<Spec>>> {
        let (limit, fetch) = fetch_limit(&page);
        let after = id_cursor(&page)?;
        if self
            .small_read(OWNED_PROJECT, &[&project_id, &owner])
            .await?
            .is_empty()
        {
            return Ok(None);
        }
        let rows = match after {
            None => self.alone(LIST_SPECS, &[&project_id, &fetch]).await?,
            Some(after) => {
                self.alone(LIST_SPECS_AFTER, &[&project_id, &after, &fetch])
                    .await?
            }
        };
        Ok(Some(into_page(map_rows(&rows, spec_from)?, limit)))
    }

    async fn update_spec(
        &self,
        owner: Uuid,
        id: Uuid,
        expected_revision: Option<i64>,
        changes: &SpecChanges,
    ) -> StoreResult<Option<Spec>> {
        let mut lease = self.pool.exclusive().await?;
        let [select, update, current_revision, revision] = prepare_all(
            lease.conn(),
            [
                SELECT_SPEC_FOR_UPDATE,
                UPDATE_SPEC,
                SPEC_REVISION,
                INSERT_REVISION,
            ],
        )
        .await?;
        // The row lock taken by the read is held to the commit, so two updates cannot both
        // build on the same revision; a waiting one reads the row again once it gets the lock.
        // Returning early drops the transaction, which rolls it back.
        let tx = lease
            .conn_mut()
            .client
            .transaction()
            .await
            .map_err(store_error)?;
        let current = tx
            .query_opt(&select, &[&id, &owner])
            .await
            .map_err(store_error)?;
        let Some(current) = current else {
            return Ok(None);
        };
        let current = spec_from(&current).map_err(store_error)?;
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
            tx.commit().await.map_err(store_error)?;
            return Ok(Some(current));
        }
        let updated = tx
            .query_opt(
                &update,
                &[
                    &id,
                    &current.revision,
                    &name,
                    &next.format,
                    &next.content,
                    &next.valid,
                    &json_text(&next.diagnostics),
                    &json_text(&next.summary),
                    &now(),
                ],
            )
            .await
            .map_err(store_error)?;
        // Under the row lock the revision cannot have moved; if it ever did, saying so is
        // better than writing over a revision nobody has seen.
        let Some(updated) = updated else {
            let now_current = tx
                .query_opt(&current_revision, &[&id])
                .await
                .map_err(store_error)?;
            return match now_current {
                None => Ok(None),
                Some(row) => Err(StoreError::RevisionMismatch {
                    expected: expected_revision.unwrap_or(current.revision),
                    current: row.try_get(0).map_err(store_error)?,
                }),
            };
        };
        let updated = spec_from(&updated).map_err(store_error)?;
        insert_revision(&tx, &revision, &updated).await?;
        tx.commit().await.map_err(store_error)?;
        Ok(Some(updated))
    }

    async fn delete_spec(&self, owner: Uuid, id: Uuid) -> StoreResult<bool> {
        let deleted = self.execute_alone(DELETE_SPEC, &[&id, &owner]).await? > 0;
        if deleted {
            self.texts.forget(id);
            self.execute_alone(SWEEP_BLOBS, &[]).await?;
        }
        Ok(deleted)
    }

    async fn list_revisions(
        &self,
        owner: Uuid,
        spec_id: Uuid,
        page: PageRequest,
    ) -> StoreResult<Option<Page<SpecRevision>>> {
        let (limit, fetch) = fetch_limit(&page);
        let after = revision_cursor(&page)?;
        if self
            .small_read(OWNED_SPEC, &[&spec_id, &owner])
            .await?
            .is_empty()
        {
            return Ok(None);
        }
        let rows = match after {
            None => self.alone(LIST_REVISIONS, &[&spec_id, &fetch]).await?,
            Some(after) => {
                self.alone(LIST_REVISIONS_AFTER, &[&spec_id, &after, &fetch])
                    .await?
            }
        };
        Ok(Some(into_page(map_rows(&rows, revision_from)?, limit)))
    }

    async fn get_revision(
        &self,
        owner: Uuid,
        spec_id: Uuid,
        revision: i64,
    ) -> StoreResult<Option<SpecRevision>> {
        let rows = self
            .alone(SELECT_REVISION, &[&spec_id, &revision, &owner])
            .await?;
        Ok(map_rows(&rows, revision_from)?.pop())
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
        let inserted = self
            .execute_alone(
                INSERT_GENERATION,
                &[
                    &generation.id,
                    &generation.spec_id,
                    &generation.spec_revision,
                    &generation.target,
                    &json_text(&generation.options),
                    &generation.created_at,
                    &owner,
                ],
            )
            .await?;
        Ok((inserted > 0).then_some(generation))
    }

    async fn get_generation(&self, owner: Uuid, id: Uuid) -> StoreResult<Option<Generation>> {
        let rows = self.small_read(SELECT_GENERATION, &[&id, &owner]).await?;
        Ok(map_rows(&rows, generation_from)?.pop())
    }

    async fn list_generations(
        &self,
        owner: Uuid,
        spec_id: Uuid,
        page: PageRequest,
    ) -> StoreResult<Option<Page<Generation>>> {
        let (limit, fetch) = fetch_limit(&page);
        let after = id_cursor(&page)?;
        if self
            .small_read(OWNED_SPEC, &[&spec_id, &owner])
            .await?
            .is_empty()
        {
            return Ok(None);
        }
        let rows = match after {
            None => {
                self.small_read(LIST_GENERATIONS, &[&spec_id, &fetch])
                    .await?
            }
            Some(after) => {
                self.small_read(LIST_GENERATIONS_AFTER, &[&spec_id, &after, &fetch])
                    .await?
            }
        };
        Ok(Some(into_page(map_rows(&rows, generation_from)?, limit)))
    }

    async fn cancel_generation(&self, owner: Uuid, id: Uuid) -> StoreResult<Option<CancelOutcome>> {
        let rows = self
            .alone(CANCEL_GENERATION, &[&id, &owner, &now()])
            .await?;
        if let Some(canceled) = map_rows(&rows, generation_from)?.pop() {
            return Ok(Some(CancelOutcome::Canceled(canceled)));
        }
        // Not the owner's, or finished already.
        Ok(self
            .get_generation(owner, id)
            .await?
            .map(CancelOutcome::Finished))
    }

    async fn delete_generation(&self, owner: Uuid, id: Uuid) -> StoreResult<bool> {
        let mut lease = self.pool.exclusive().await?;
        let [used, delete, unused] = prepare_all(
            lease.conn(),
            [GENERATION_BLOBS, DELETE_GENERATION, DELETE_UNUSED_BLOBS],
        )
        .await?;
        let tx = lease
            .conn_mut()
            .client
            .transaction()
            .await
            .map_err(store_error)?;
        let shas: Vec<String> = tx
            .query(&used, &[&id])
            .await
            .map_err(store_error)?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()
            .map_err(store_error)?;
        if tx
            .execute(&delete, &[&id, &owner])
            .await
            .map_err(store_error)?
            == 0
        {
            return Ok(false);
        }
        tx.execute(&unused, &[&shas]).await.map_err(store_error)?;
        tx.commit().await.map_err(store_error)?;
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
        let rows = self.alone(LIST_GENERATION_FILES, &[&id]).await?;
        Ok(Some(map_rows(&rows, file_from)?))
    }

    async fn read_generation_file(
        &self,
        owner: Uuid,
        id: Uuid,
        path: &str,
    ) -> StoreResult<Option<(GeneratedFile, Vec<u8>)>> {
        let rows = self
            .alone(READ_GENERATION_FILE, &[&id, &path, &owner])
            .await?;
        rows.first()
            .map(|r| {
                Ok((
                    file_from(r).map_err(store_error)?,
                    r.try_get("data").map_err(store_error)?,
                ))
            })
            .transpose()
    }

    async fn read_blob(&self, sha256: &str) -> StoreResult<Option<Vec<u8>>> {
        let rows = self.alone(READ_BLOB, &[&sha256]).await?;
        rows.first()
            .map(|r| r.try_get(0).map_err(store_error))
            .transpose()
    }

    async fn claim_generation(&self, rules: ClaimRules) -> StoreResult<Option<ClaimedJob>> {
        let at = now();
        let now_ms = epoch_ms(at);
        let expires =
            now_ms.saturating_add(i64::try_from(rules.lease.as_millis()).unwrap_or(i64::MAX));
        let token = Uuid::now_v7();
        let mut lease = self.pool.exclusive().await?;
        let [abandoned, claim, source] =
            prepare_all(lease.conn(), [FAIL_ABANDONED, CLAIM_GENERATION, JOB_SOURCE]).await?;
        let tx = lease
            .conn_mut()
            .client
            .transaction()
            .await
            .map_err(store_error)?;
        tx.execute(&abandoned, &[&at, &now_ms, &rules.max_attempts])
            .await
            .map_err(store_error)?;
        let Some(row) = tx
            .query_opt(&claim, &[&token, &expires, &at, &now_ms])
            .await
            .map_err(store_error)?
        else {
            tx.commit().await.map_err(store_error)?;
            return Ok(None);
        };
        let spec_id: Uuid = row.try_get("spec_id").map_err(store_error)?;
        let revision: i64 = row.try_get("spec_revision").map_err(store_error)?;
        let text = tx
            .query_one(&source, &[&spec_id, &revision])
            .await
            .map_err(store_error)?;
        let job = ClaimedJob {
            id: row.try_get("id").map_err(store_error)?,
            token,
            attempt: row.try_get("attempts").map_err(store_error)?,
            target: row.try_get("target").map_err(store_error)?,
            options: row.try_get("options").map_err(store_error)?,
            format: text.try_get("format").map_err(store_error)?,
            content: text.try_get("content").map_err(store_error)?,
        };
        tx.commit().await.map_err(store_error)?;
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
        let changed = self
            .execute_alone(HEARTBEAT, &[&id, &token, &expires, &progress.clamp(0, 100)])
            .await?;
        Ok(changed > 0)
    }

    async fn complete_generation(
        &self,
        id: Uuid,
        token: Uuid,
        output: &JobOutput,
    ) -> StoreResult<bool> {
        let mut lease = self.pool.exclusive().await?;
        let [hold, blobs, files, succeed] = prepare_all(
            lease.conn(),
            [
                HOLD_JOB,
                INSERT_BLOBS,
                INSERT_GENERATION_FILES,
                SUCCEED_GENERATION,
            ],
        )
        .await?;
        let tx = lease
            .conn_mut()
            .client
            .transaction()
            .await
            .map_err(store_error)?;
        // The row lock keeps a cancel or a second claim out until the commit.
        if tx
            .query_opt(&hold, &[&id, &token])
            .await
            .map_err(store_error)?
            .is_none()
        {
            return Ok(false);
        }
        let shas: Vec<&str> = output
            .files
            .iter()
            .map(|f| f.file.sha256.as_str())
            .collect();
        let sizes: Vec<i64> = output.files.iter().map(|f| f.file.size).collect();
        let data: Vec<&[u8]> = output
            .files
            .iter()
            .map(|f| f.compressed.as_slice())
            .collect();
        let paths: Vec<&str> = output.files.iter().map(|f| f.file.path.as_str()).collect();
        tx.execute(&blobs, &[&shas, &sizes, &data])
            .await
            .map_err(store_error)?;
        tx.execute(&files, &[&id, &paths, &sizes, &shas])
            .await
            .map_err(store_error)?;
        let count = i64::try_from(output.files.len()).unwrap_or(i64::MAX);
        tx.execute(
            &succeed,
            &[&id, &count, &output.total_bytes, &output.digest, &now()],
        )
        .await
        .map_err(store_error)?;
        tx.commit().await.map_err(store_error)?;
        Ok(true)
    }

    async fn fail_generation(&self, id: Uuid, token: Uuid, error: &str) -> StoreResult<bool> {
        let changed = self
            .execute_alone(FAIL_GENERATION, &[&id, &token, &error, &now()])
            .await?;
        Ok(changed > 0)
    }
}
