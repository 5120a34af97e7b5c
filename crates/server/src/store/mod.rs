//! Storage: one [`Storage`] trait, one implementation per database, picked from the URL scheme.
//!
//! Use [`Store::connect`] to open the database named by `DATABASE_URL` (SQLite or PostgreSQL)
//! and [`Store::migrate`] to apply the embedded migrations of that backend. Handlers receive a
//! [`Store`] and call the [`Storage`] methods on it; ownership is part of every query (a row of
//! another user is simply not found), and uniqueness conflicts come back as
//! [`StoreError::Conflict`] mapped from the constraint name, never from a SELECT first.

pub mod postgres;
pub mod sqlite;

use std::future::Future;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

/// What can go wrong in storage, by what the caller can do about it.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness constraint was violated; the payload names what is taken (e.g. `project name`).
    #[error("{0} is already taken")]
    Conflict(&'static str),
    /// The user a write is made for does not exist (any more): a token outlived its user.
    #[error("the user does not exist")]
    UnknownUser,
    /// An `If-Match` revision did not match the current one.
    #[error("revision {expected} is not the current revision {current}")]
    RevisionMismatch {
        /// The revision the client expected.
        expected: i64,
        /// The current revision.
        current: i64,
    },
    /// No connection could be had in time, or the one in use was lost: the database is down,
    /// restarting or overloaded. Worth trying again later.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// The database refused or failed a statement; the message is for the log, not the client.
    #[error("database error: {0}")]
    Database(String),
    /// The migrations could not be applied, or the recorded ones do not match this build's.
    #[error("migration failed: {0}")]
    Migrate(String),
    /// The database URL is not usable.
    #[error("{0}")]
    Config(String),
}

/// Result of a storage call.
pub type StoreResult<T> = Result<T, StoreError>;

/// A signed-in user, keyed by the issuer and subject of their identity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Our id for the user.
    pub id: Uuid,
    /// Identity issuer (`dev` for development login, the OIDC issuer URL otherwise).
    pub issuer: String,
    /// Subject at that issuer.
    pub subject: String,
    /// E-mail address.
    pub email: String,
    /// Display name.
    pub name: Option<String>,
    /// Picture URL.
    pub picture_url: Option<String>,
    /// When the user first signed in.
    pub created_at: OffsetDateTime,
}

/// The identity a sign-in provides; stored or refreshed by [`Storage::upsert_user`].
#[derive(Clone, Debug)]
pub struct Identity {
    /// Identity issuer.
    pub issuer: String,
    /// Subject at that issuer.
    pub subject: String,
    /// E-mail address.
    pub email: String,
    /// Display name.
    pub name: Option<String>,
    /// Picture URL.
    pub picture_url: Option<String>,
}

/// A project of one user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Project {
    /// Id (UUID v7).
    pub id: Uuid,
    /// Owner.
    pub owner_id: Uuid,
    /// Name, unique per owner.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Number of specifications.
    pub spec_count: i64,
    /// Creation time.
    pub created_at: OffsetDateTime,
    /// Last change.
    pub updated_at: OffsetDateTime,
}

/// A stored specification at its current revision.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Spec {
    /// Id (UUID v7).
    pub id: Uuid,
    /// Project it belongs to.
    pub project_id: Uuid,
    /// Name, unique within the project.
    pub name: String,
    /// `yaml`, `json`, `markdown` or `openapi`.
    pub format: String,
    /// The text.
    pub content: String,
    /// Current revision, from 1.
    pub revision: i64,
    /// Whether the current revision is valid.
    pub valid: bool,
    /// Diagnostics of the current revision (a JSON array).
    pub diagnostics: serde_json::Value,
    /// Summary of the current revision (`{entities, fields, relations}`).
    pub summary: serde_json::Value,
    /// Creation time.
    pub created_at: OffsetDateTime,
    /// Last change.
    pub updated_at: OffsetDateTime,
}

/// One revision of a specification, as it was saved.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpecRevision {
    /// The specification.
    pub spec_id: Uuid,
    /// Revision number, from 1.
    pub revision: i64,
    /// Name at that revision.
    pub name: String,
    /// Format at that revision.
    pub format: String,
    /// Text at that revision.
    pub content: String,
    /// Whether it was valid.
    pub valid: bool,
    /// Its diagnostics.
    pub diagnostics: serde_json::Value,
    /// Its summary.
    pub summary: serde_json::Value,
    /// When it was saved.
    pub created_at: OffsetDateTime,
}

/// The analysed content of a specification, as the spec crate judged it.
#[derive(Clone, Debug)]
pub struct SpecContent {
    /// Format.
    pub format: String,
    /// Text.
    pub content: String,
    /// Valid or not.
    pub valid: bool,
    /// Diagnostics as JSON.
    pub diagnostics: serde_json::Value,
    /// Summary as JSON.
    pub summary: serde_json::Value,
}

/// Changes to a specification; each saved change makes a new revision.
#[derive(Clone, Debug, Default)]
pub struct SpecChanges {
    /// New name.
    pub name: Option<String>,
    /// New analysed content.
    pub content: Option<SpecContent>,
}

/// Where a generation is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GenerationStatus {
    /// Waiting for a worker.
    Queued,
    /// A worker holds it.
    Running,
    /// Its files are stored.
    Succeeded,
    /// It ended with an error.
    Failed,
    /// Stopped at the owner's request.
    Canceled,
}

impl GenerationStatus {
    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            GenerationStatus::Queued => "queued",
            GenerationStatus::Running => "running",
            GenerationStatus::Succeeded => "succeeded",
            GenerationStatus::Failed => "failed",
            GenerationStatus::Canceled => "canceled",
        }
    }

    /// The status a stored word names.
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "queued" => GenerationStatus::Queued,
            "running" => GenerationStatus::Running,
            "succeeded" => GenerationStatus::Succeeded,
            "failed" => GenerationStatus::Failed,
            "canceled" => GenerationStatus::Canceled,
            _ => return None,
        })
    }

    /// Whether it has ended (succeeded, failed or canceled).
    pub fn is_finished(self) -> bool {
        !matches!(self, GenerationStatus::Queued | GenerationStatus::Running)
    }
}

/// A generation: one job of turning a revision of a specification into files for a target.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Generation {
    /// Id (UUID v7).
    pub id: Uuid,
    /// The specification.
    pub spec_id: Uuid,
    /// The revision it generates.
    pub spec_revision: i64,
    /// The target's name.
    pub target: String,
    /// The options, with the target's defaults filled in (a JSON object of strings).
    pub options: serde_json::Value,
    /// Where it is.
    pub status: GenerationStatus,
    /// 0 to 100.
    pub progress: i32,
    /// Why it failed.
    pub error: Option<String>,
    /// Number of files, once succeeded.
    pub file_count: Option<i64>,
    /// Bytes of all files, once succeeded.
    pub total_bytes: Option<i64>,
    /// SHA-256 of the tree (see `specforge_codegen::FileTree::digest`), once succeeded.
    pub digest: Option<String>,
    /// How many times a worker claimed it.
    pub attempts: i32,
    /// When it was asked for.
    pub created_at: OffsetDateTime,
    /// When a worker first claimed it.
    pub started_at: Option<OffsetDateTime>,
    /// When it ended.
    pub finished_at: Option<OffsetDateTime>,
}

/// A new generation, as checked by the handler.
#[derive(Clone, Debug)]
pub struct NewGeneration {
    /// The specification.
    pub spec_id: Uuid,
    /// Its revision to generate.
    pub spec_revision: i64,
    /// The target's name.
    pub target: String,
    /// The resolved options (a JSON object of strings).
    pub options: serde_json::Value,
}

/// A job a worker claimed: what to generate, and the lease token that lets it record the result.
#[derive(Clone, Debug)]
pub struct ClaimedJob {
    /// The generation.
    pub id: Uuid,
    /// Proof of the lease: heartbeats and results with another token are refused.
    pub token: Uuid,
    /// Which claim this is, from 1.
    pub attempt: i32,
    /// The target's name.
    pub target: String,
    /// The options.
    pub options: serde_json::Value,
    /// The revision's format.
    pub format: String,
    /// The revision's text.
    pub content: String,
}

/// How workers claim jobs.
#[derive(Clone, Copy, Debug)]
pub struct ClaimRules {
    /// How long a claim (or a heartbeat) holds the job.
    pub lease: std::time::Duration,
    /// Claims at most per job; a job whose last lease ran out fails.
    pub max_attempts: i32,
}

/// One file of a generation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GeneratedFile {
    /// Relative, `/`-separated path.
    pub path: String,
    /// Bytes.
    pub size: i64,
    /// SHA-256 of the contents, hex.
    pub sha256: String,
}

/// A file to store with a generation's result: its entry and compressed contents.
#[derive(Clone, Debug)]
pub struct FileToStore {
    /// Path, size and hash.
    pub file: GeneratedFile,
    /// The contents, zlib-compressed.
    pub compressed: Vec<u8>,
}

/// The result of a succeeded job.
#[derive(Clone, Debug)]
pub struct JobOutput {
    /// Every file, in path order.
    pub files: Vec<FileToStore>,
    /// The tree's digest.
    pub digest: String,
    /// Bytes of all files.
    pub total_bytes: i64,
}

/// What the owner's cancel did.
#[derive(Clone, Debug)]
pub enum CancelOutcome {
    /// The generation is canceled now.
    Canceled(Generation),
    /// It had ended already; nothing changed.
    Finished(Generation),
}

/// Milliseconds since the epoch, the unit of lease expiry on both backends.
pub(crate) fn epoch_ms(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// Keyset pagination: items after `after` (exclusive), newest first, at most `limit`.
#[derive(Clone, Copy, Debug)]
pub struct PageRequest {
    /// The last id (or revision) of the previous page.
    pub after: Option<Cursor>,
    /// Page size, 1..=100.
    pub limit: u32,
}

/// Position in a list: the id of the last item seen, or a revision number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cursor {
    /// After this id (lists of projects and specifications, newest first by UUID v7).
    Id(Uuid),
    /// After this revision number (revision lists, newest first).
    Revision(i64),
}

/// A page of items and whether more follow.
#[derive(Clone, Debug)]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// Whether another page follows.
    pub has_more: bool,
}

/// Everything the service stores. Every method that reads or changes a project or a
/// specification takes the owner's id and behaves as if rows of other users did not exist.
pub trait Storage: Send + Sync {
    /// Checks that the database answers.
    fn ping(&self) -> impl Future<Output = StoreResult<()>> + Send;

    /// Creates the user of an identity, or refreshes their e-mail, name and picture.
    fn upsert_user(&self, identity: &Identity) -> impl Future<Output = StoreResult<User>> + Send;
    /// A user by id.
    fn get_user(&self, id: Uuid) -> impl Future<Output = StoreResult<Option<User>>> + Send;

    /// Creates a project; [`StoreError::Conflict`] when the owner already has one with that name.
    fn create_project(
        &self,
        owner: Uuid,
        name: &str,
        description: Option<&str>,
    ) -> impl Future<Output = StoreResult<Project>> + Send;
    /// A project of the owner.
    fn get_project(
        &self,
        owner: Uuid,
        id: Uuid,
    ) -> impl Future<Output = StoreResult<Option<Project>>> + Send;
    /// The owner's projects, newest first.
    fn list_projects(
        &self,
        owner: Uuid,
        page: PageRequest,
    ) -> impl Future<Output = StoreResult<Page<Project>>> + Send;
    /// Changes name and/or description (`Some(None)` clears the description).
    fn update_project(
        &self,
        owner: Uuid,
        id: Uuid,
        name: Option<&str>,
        description: Option<Option<&str>>,
    ) -> impl Future<Output = StoreResult<Option<Project>>> + Send;
    /// Deletes a project with its specifications; false when there was none.
    fn delete_project(
        &self,
        owner: Uuid,
        id: Uuid,
    ) -> impl Future<Output = StoreResult<bool>> + Send;

    /// Creates a specification (revision 1) in a project of the owner; `None` when the project
    /// is not theirs; [`StoreError::Conflict`] when the name is taken in the project.
    fn create_spec(
        &self,
        owner: Uuid,
        project_id: Uuid,
        name: &str,
        content: &SpecContent,
    ) -> impl Future<Output = StoreResult<Option<Spec>>> + Send;
    /// A specification of the owner.
    fn get_spec(
        &self,
        owner: Uuid,
        id: Uuid,
    ) -> impl Future<Output = StoreResult<Option<Spec>>> + Send;
    /// The specifications of a project of the owner, newest first; `None` when the project is not theirs.
    fn list_specs(
        &self,
        owner: Uuid,
        project_id: Uuid,
        page: PageRequest,
    ) -> impl Future<Output = StoreResult<Option<Page<Spec>>>> + Send;
    /// Saves changes as a new revision. With `expected_revision`, fails with
    /// [`StoreError::RevisionMismatch`] unless it is the current one (checked atomically).
    fn update_spec(
        &self,
        owner: Uuid,
        id: Uuid,
        expected_revision: Option<i64>,
        changes: &SpecChanges,
    ) -> impl Future<Output = StoreResult<Option<Spec>>> + Send;
    /// Deletes a specification and its revisions; false when there was none.
    fn delete_spec(&self, owner: Uuid, id: Uuid) -> impl Future<Output = StoreResult<bool>> + Send;
    /// Revisions of a specification of the owner, newest first; `None` when it is not theirs.
    fn list_revisions(
        &self,
        owner: Uuid,
        spec_id: Uuid,
        page: PageRequest,
    ) -> impl Future<Output = StoreResult<Option<Page<SpecRevision>>>> + Send;
    /// One revision.
    fn get_revision(
        &self,
        owner: Uuid,
        spec_id: Uuid,
        revision: i64,
    ) -> impl Future<Output = StoreResult<Option<SpecRevision>>> + Send;

    /// Queues a generation of a specification of the owner; `None` when the specification (or
    /// that revision) is not theirs.
    fn create_generation(
        &self,
        owner: Uuid,
        new: &NewGeneration,
    ) -> impl Future<Output = StoreResult<Option<Generation>>> + Send;
    /// A generation of the owner.
    fn get_generation(
        &self,
        owner: Uuid,
        id: Uuid,
    ) -> impl Future<Output = StoreResult<Option<Generation>>> + Send;
    /// The generations of a specification of the owner, newest first; `None` when it is not theirs.
    fn list_generations(
        &self,
        owner: Uuid,
        spec_id: Uuid,
        page: PageRequest,
    ) -> impl Future<Output = StoreResult<Option<Page<Generation>>>> + Send;
    /// Cancels a queued or running generation of the owner; `None` when there is none.
    fn cancel_generation(
        &self,
        owner: Uuid,
        id: Uuid,
    ) -> impl Future<Output = StoreResult<Option<CancelOutcome>>> + Send;
    /// Deletes a generation of the owner with its file list; false when there was none.
    fn delete_generation(
        &self,
        owner: Uuid,
        id: Uuid,
    ) -> impl Future<Output = StoreResult<bool>> + Send;
    /// The files of a generation of the owner, in path order; `None` when there is no such
    /// generation (an unfinished one has none yet).
    fn list_generation_files(
        &self,
        owner: Uuid,
        id: Uuid,
    ) -> impl Future<Output = StoreResult<Option<Vec<GeneratedFile>>>> + Send;
    /// One file of a generation of the owner with its compressed contents.
    fn read_generation_file(
        &self,
        owner: Uuid,
        id: Uuid,
        path: &str,
    ) -> impl Future<Output = StoreResult<Option<(GeneratedFile, Vec<u8>)>>> + Send;
    /// The compressed contents with this SHA-256, for a reader that checked ownership already.
    fn read_blob(&self, sha256: &str) -> impl Future<Output = StoreResult<Option<Vec<u8>>>> + Send;

    /// Claims the oldest queued job, or a running one whose lease ran out, for one lease; first
    /// fails the running jobs whose lease ran out after their last allowed attempt. Two callers
    /// never hold the same job.
    fn claim_generation(
        &self,
        rules: ClaimRules,
    ) -> impl Future<Output = StoreResult<Option<ClaimedJob>>> + Send;
    /// Renews the lease of a claimed job and records its progress; false when the job is no
    /// longer this claim's (canceled, deleted, or claimed again after the lease ran out).
    fn heartbeat(
        &self,
        id: Uuid,
        token: Uuid,
        progress: i32,
        lease: std::time::Duration,
    ) -> impl Future<Output = StoreResult<bool>> + Send;
    /// Records the files of a claimed job and marks it succeeded, in one transaction; false
    /// (and nothing written) when the job is no longer this claim's.
    fn complete_generation(
        &self,
        id: Uuid,
        token: Uuid,
        output: &JobOutput,
    ) -> impl Future<Output = StoreResult<bool>> + Send;
    /// Marks a claimed job failed with `error`; false when it is no longer this claim's.
    fn fail_generation(
        &self,
        id: Uuid,
        token: Uuid,
        error: &str,
    ) -> impl Future<Output = StoreResult<bool>> + Send;
}

// Helpers both backends share.

/// The current time, cut to microseconds so that what a write returns equals what a later
/// read returns on both backends (PostgreSQL keeps microseconds).
pub(crate) fn now() -> OffsetDateTime {
    let t = OffsetDateTime::now_utc();
    t.replace_nanosecond(t.nanosecond() / 1_000 * 1_000)
        .unwrap_or(t)
}

/// The page size asked for, kept within 1..=100, and the number of rows to fetch: one more,
/// to learn whether another page follows.
pub(crate) fn fetch_limit(page: &PageRequest) -> (usize, i64) {
    let limit = page.limit.clamp(1, 100);
    (limit as usize, i64::from(limit) + 1)
}

/// Cuts the extra row fetched by [`fetch_limit`] and records whether it was there.
pub(crate) fn into_page<T>(mut rows: Vec<T>, limit: usize) -> Page<T> {
    let has_more = rows.len() > limit;
    rows.truncate(limit);
    Page {
        items: rows,
        has_more,
    }
}

/// The id a list of projects or specifications continues after.
pub(crate) fn id_cursor(page: &PageRequest) -> StoreResult<Option<Uuid>> {
    match page.after {
        None => Ok(None),
        Some(Cursor::Id(id)) => Ok(Some(id)),
        Some(Cursor::Revision(_)) => Err(StoreError::Config(
            "a revision cursor cannot page a list of projects or specifications".into(),
        )),
    }
}

/// The revision a list of revisions continues after.
pub(crate) fn revision_cursor(page: &PageRequest) -> StoreResult<Option<i64>> {
    match page.after {
        None => Ok(None),
        Some(Cursor::Revision(n)) => Ok(Some(n)),
        Some(Cursor::Id(_)) => Err(StoreError::Config(
            "an id cursor cannot page a list of revisions".into(),
        )),
    }
}

/// The configured database.
#[derive(Clone, Debug)]
pub enum Store {
    /// SQLite (the embedded default).
    Sqlite(sqlite::SqliteStore),
    /// PostgreSQL 14+.
    Postgres(postgres::PgStore),
}

macro_rules! delegate {
    ($self:ident, $s:ident => $call:expr) => {
        match $self {
            Store::Sqlite($s) => $call.await,
            Store::Postgres($s) => $call.await,
        }
    };
}

impl Store {
    /// Opens the database of `url`: `sqlite:` (or `sqlite://`) paths, created with their folder
    /// if missing, or `postgres://` / `postgresql://`.
    pub async fn connect(url: &str, max_connections: u32) -> StoreResult<Store> {
        if url.starts_with("sqlite:") {
            Ok(Store::Sqlite(
                sqlite::SqliteStore::connect(url, max_connections).await?,
            ))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Store::Postgres(
                postgres::PgStore::connect(url, max_connections).await?,
            ))
        } else {
            Err(StoreError::Config(
                "DATABASE_URL must start with sqlite: or postgres://".to_string(),
            ))
        }
    }

    /// Applies the backend's embedded migrations.
    pub async fn migrate(&self) -> StoreResult<()> {
        match self {
            Store::Sqlite(s) => s.migrate().await,
            Store::Postgres(s) => s.migrate().await,
        }
    }

    /// `sqlite` or `postgres`.
    pub fn backend(&self) -> &'static str {
        match self {
            Store::Sqlite(_) => "sqlite",
            Store::Postgres(_) => "postgres",
        }
    }

    /// Closes the connection pool, waiting for connections in use.
    pub async fn close(&self) {
        match self {
            Store::Sqlite(s) => s.close().await,
            Store::Postgres(s) => s.close().await,
        }
    }
}

impl Storage for Store {
    async fn ping(&self) -> StoreResult<()> {
        delegate!(self, s => s.ping())
    }
    async fn upsert_user(&self, identity: &Identity) -> StoreResult<User> {
        delegate!(self, s => s.upsert_user(identity))
    }
    async fn get_user(&self, id: Uuid) -> StoreResult<Option<User>> {
        delegate!(self, s => s.get_user(id))
    }
    async fn create_project(
        &self,
        owner: Uuid,
        name: &str,
        description: Option<&str>,
    ) -> StoreResult<Project> {
        delegate!(self, s => s.create_project(owner, name, description))
    }
    async fn get_project(&self, owner: Uuid, id: Uuid) -> StoreResult<Option<Project>> {
        delegate!(self, s => s.get_project(owner, id))
    }
    async fn list_projects(&self, owner: Uuid, page: PageRequest) -> StoreResult<Page<Project>> {
        delegate!(self, s => s.list_projects(owner, page))
    }
    async fn update_project(
        &self,
        owner: Uuid,
        id: Uuid,
        name: Option<&str>,
        description: Option<Option<&str>>,
    ) -> StoreResult<Option<Project>> {
        delegate!(self, s => s.update_project(owner, id, name, description))
    }
    async fn delete_project(&self, owner: Uuid, id: Uuid) -> StoreResult<bool> {
        delegate!(self, s => s.delete_project(owner, id))
    }
    async fn create_spec(
        &self,
        owner: Uuid,
        project_id: Uuid,
        name: &str,
        content: &SpecContent,
    ) -> StoreResult<Option<Spec>> {
        delegate!(self, s => s.create_spec(owner, project_id, name, content))
    }
    async fn get_spec(&self, owner: Uuid, id: Uuid) -> StoreResult<Option<Spec>> {
        delegate!(self, s => s.get_spec(owner, id))
    }
    async fn list_specs(
        &self,
        owner: Uuid,
        project_id: Uuid,
        page: PageRequest,
    ) -> StoreResult<Option<Page<Spec>>> {
        delegate!(self, s => s.list_specs(owner, project_id, page))
    }
    async fn update_spec(
        &self,
        owner: Uuid,
        id: Uuid,
        expected_revision: Option<i64>,
        changes: &SpecChanges,
    ) -> StoreResult<Option<Spec>> {
        delegate!(self, s => s.update_spec(owner, id, expected_revision, changes))
    }
    async fn delete_spec(&self, owner: Uuid, id: Uuid) -> StoreResult<bool> {
        delegate!(self, s => s.delete_spec(owner, id))
    }
    async fn list_revisions(
        &self,
        owner: Uuid,
        spec_id: Uuid,
        page: PageRequest,
    ) -> StoreResult<Option<Page<SpecRevision>>> {
        delegate!(self, s => s.list_revisions(owner, spec_id, page))
    }
    async fn get_revision(
        &self,
        owner: Uuid,
        spec_id: Uuid,
        revision: i64,
    ) -> StoreResult<Option<SpecRevision>> {
        delegate!(self, s => s.get_revision(owner, spec_id, revision))
    }

    async fn create_generation(
        &self,
        owner: Uuid,
        new: &NewGeneration,
    ) -> StoreResult<Option<Generation>> {
        delegate!(self, s => s.create_generation(owner, new))
    }
    async fn get_generation(&self, owner: Uuid, id: Uuid) -> StoreResult<Option<Generation>> {
        delegate!(self, s => s.get_generation(owner, id))
    }
    async fn list_generations(
        &self,
        owner: Uuid,
        spec_id: Uuid,
        page: PageRequest,
    ) -> StoreResult<Option<Page<Generation>>> {
        delegate!(self, s => s.list_generations(owner, spec_id, page))
    }
    async fn cancel_generation(&self, owner: Uuid, id: Uuid) -> StoreResult<Option<CancelOutcome>> {
        delegate!(self, s => s.cancel_generation(owner, id))
    }
    async fn delete_generation(&self, owner: Uuid, id: Uuid) -> StoreResult<bool> {
        delegate!(self, s => s.delete_generation(owner, id))
    }
    async fn list_generation_files(
        &self,
        owner: Uuid,
        id: Uuid,
    ) -> StoreResult<Option<Vec<GeneratedFile>>> {
        delegate!(self, s => s.list_generation_files(owner, id))
    }
    async fn read_generation_file(
        &self,
        owner: Uuid,
        id: Uuid,
        path: &str,
    ) -> StoreResult<Option<(GeneratedFile, Vec<u8>)>> {
        delegate!(self, s => s.read_generation_file(owner, id, path))
    }
    async fn read_blob(&self, sha256: &str) -> StoreResult<Option<Vec<u8>>> {
        delegate!(self, s => s.read_blob(sha256))
    }
    async fn claim_generation(&self, rules: ClaimRules) -> StoreResult<Option<ClaimedJob>> {
        delegate!(self, s => s.claim_generation(rules))
    }
    async fn heartbeat(
        &self,
        id: Uuid,
        token: Uuid,
        progress: i32,
        lease: std::time::Duration,
    ) -> StoreResult<bool> {
        delegate!(self, s => s.heartbeat(id, token, progress, lease))
    }
    async fn complete_generation(
        &self,
        id: Uuid,
        token: Uuid,
        output: &JobOutput,
    ) -> StoreResult<bool> {
        delegate!(self, s => s.complete_generation(id, token, output))
    }
    async fn fail_generation(&self, id: Uuid, token: Uuid, error: &str) -> StoreResult<bool> {
        delegate!(self, s => s.fail_generation(id, token, error))
    }
}
