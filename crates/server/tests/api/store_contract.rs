//! The storage contract: each scenario is written once, against the [`Storage`] trait, and runs
//! on SQLite and on PostgreSQL, each run on a fresh database of its own.

use std::collections::HashSet;
use std::time::Duration;

use serde_json::json;
use specforge_server::store::{
    ClaimRules, Cursor, FileToStore, GeneratedFile, GenerationStatus, Identity, JobOutput,
    NewGeneration, Page, PageRequest, SpecChanges, SpecContent, Storage, Store, StoreError,
};
use sqlx::Connection as _;
use uuid::Uuid;

use crate::databases::{Backend, TestDatabase, admin_connection};

/// Pool size of the stores under test: small, but more than one, so that concurrency is real.
const POOL: u32 = 5;

/// Opens and migrates the store of `db`.
async fn open(db: &TestDatabase) -> Store {
    open_url(&db.url).await
}

async fn open_url(url: &str) -> Store {
    let store = Store::connect(url, POOL)
        .await
        .expect("open the test database");
    store.migrate().await.expect("apply the migrations");
    store
}

/// The test database's URL with an `sslmode`.
fn url_with_sslmode(db: &TestDatabase, mode: &str) -> String {
    let separator = if db.url.contains('?') { '&' } else { '?' };
    format!("{}{separator}sslmode={mode}", db.url)
}

/// Writes one test per scenario and backend. Storage scenarios take a migrated store;
/// database scenarios take the test database and open stores themselves.
macro_rules! contract {
    (storage: [$($storage:ident),* $(,)?], database: [$($database:ident),* $(,)?]) => {
        contract!(@backend sqlite, Sqlite, [$($storage),*], [$($database),*]);
        contract!(@backend postgres, Postgres, [$($storage),*], [$($database),*]);
        // The same storage scenarios over TLS, and without it.
        mod postgres_tls {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $storage() {
                    let Some(db) = TestDatabase::new(Backend::Postgres).await else {
                        return;
                    };
                    let store = open_url(&url_with_sslmode(&db, "require")).await;
                    super::$storage(&store).await;
                    store.close().await;
                }
            )*
        }
        mod postgres_plain {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $storage() {
                    let Some(db) = TestDatabase::new(Backend::Postgres).await else {
                        return;
                    };
                    let store = open_url(&url_with_sslmode(&db, "disable")).await;
                    super::$storage(&store).await;
                    store.close().await;
                }
            )*
        }
    };
    (@backend $module:ident, $backend:ident, [$($storage:ident),*], [$($database:ident),*]) => {
        mod $module {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $storage() {
                    let Some(db) = TestDatabase::new(Backend::$backend).await else {
                        return;
                    };
                    let store = open(&db).await;
                    super::$storage(&store).await;
                    store.close().await;
                }
            )*
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $database() {
                    let Some(db) = TestDatabase::new(Backend::$backend).await else {
                        return;
                    };
                    super::$database(&db, Backend::$backend).await;
                }
            )*
        }
    };
}

contract! {
    storage: [
        the_database_answers_a_ping,
        upserting_a_user_creates_it_once_then_refreshes_its_details,
        projects_can_be_created_read_updated_and_deleted,
        a_taken_project_name_is_a_conflict_for_its_owner_only,
        another_owner_sees_nothing_of_a_project_or_its_specs,
        projects_are_listed_newest_first_in_pages_without_duplicates,
        specs_and_revisions_are_listed_newest_first_in_pages,
        a_list_refuses_a_cursor_of_the_wrong_kind,
        each_change_of_name_or_content_makes_one_new_revision,
        a_stale_expected_revision_is_refused_with_the_current_one,
        a_taken_specification_name_is_a_conflict_within_its_project_only,
        a_spec_is_created_only_in_a_project_of_its_owner,
        spec_count_follows_the_specs_of_a_project,
        deleting_a_spec_removes_it_with_its_revisions,
        concurrent_updates_make_one_revision_each_without_gaps,
        concurrent_updates_expecting_the_same_revision_let_exactly_one_win,
        many_concurrent_writers_all_succeed,
        a_job_whose_lease_ran_out_is_claimed_again_and_only_the_new_claim_records,
        a_job_whose_last_lease_ran_out_fails_with_a_clear_error,
        concurrent_claimers_never_get_the_same_job,
        a_canceled_job_refuses_its_worker_and_keeps_its_status,
    ],
    database: [
        deleting_a_project_removes_its_specs_and_revisions,
        migrating_twice_changes_nothing,
        a_migration_changed_after_it_was_applied_is_refused,
        concurrent_migrations_of_a_fresh_database_all_succeed,
        data_survives_closing_and_reopening_the_database,
        a_spec_read_in_one_process_shows_the_text_another_process_saved,
        file_contents_are_shared_between_generations_and_go_with_the_last,
        two_processes_on_one_database_never_claim_the_same_job,
    ]
}

// ---- helpers ----

fn identity(subject: &str) -> Identity {
    Identity {
        issuer: "https://issuer.test".into(),
        subject: subject.into(),
        email: format!("{subject}@example.test"),
        name: Some(format!("User {subject}")),
        picture_url: None,
    }
}

async fn user<S: Storage>(store: &S, subject: &str) -> Uuid {
    store
        .upsert_user(&identity(subject))
        .await
        .expect("upsert a user")
        .id
}

/// Analysed content as the spec crate would give it; the text decides the entity count so
/// that revisions are told apart by more than their text.
fn content(text: &str) -> SpecContent {
    SpecContent {
        format: "yaml".into(),
        content: text.into(),
        valid: !text.contains("invalid"),
        diagnostics: if text.contains("invalid") {
            json!([{"severity": "error", "message": "bad", "line": 1, "column": 1}])
        } else {
            json!([])
        },
        summary: json!({"entities": text.len(), "fields": 0, "relations": 0}),
    }
}

fn content_change(text: &str) -> SpecChanges {
    SpecChanges {
        name: None,
        content: Some(content(text)),
    }
}

fn rename(name: &str) -> SpecChanges {
    SpecChanges {
        name: Some(name.into()),
        content: None,
    }
}

fn first(limit: u32) -> PageRequest {
    PageRequest { after: None, limit }
}

fn after(cursor: Cursor, limit: u32) -> PageRequest {
    PageRequest {
        after: Some(cursor),
        limit,
    }
}

async fn project<S: Storage>(store: &S, owner: Uuid, name: &str) -> Uuid {
    store
        .create_project(owner, name, None)
        .await
        .expect("create a project")
        .id
}

async fn spec<S: Storage>(store: &S, owner: Uuid, project: Uuid, name: &str, text: &str) -> Uuid {
    store
        .create_spec(owner, project, name, &content(text))
        .await
        .expect("create a spec")
        .expect("the project is the owner's")
        .id
}

/// Every revision number of a spec, newest first, read through pages of `limit`.
async fn all_revisions<S: Storage>(store: &S, owner: Uuid, spec: Uuid, limit: u32) -> Vec<i64> {
    let mut numbers = Vec::new();
    let mut page = first(limit);
    loop {
        let Page { items, has_more } = store
            .list_revisions(owner, spec, page)
            .await
            .expect("list revisions")
            .expect("the spec is the owner's");
        numbers.extend(items.iter().map(|r| r.revision));
        match (has_more, items.last()) {
            (true, Some(last)) => page = after(Cursor::Revision(last.revision), limit),
            _ => return numbers,
        }
    }
}

/// Rows of `table` counted straight in the database, past the ownership filters of the store.
async fn count_rows(db: &TestDatabase, backend: Backend, table: &str) -> i64 {
    // The table names come from the tests themselves, never from input.
    let sql = format!("SELECT CAST(count(*) AS TEXT) FROM {table}");
    let text = raw_text(db, backend, &sql).await;
    text.parse().expect("a count")
}

/// Runs a query (written by the tests, never from input) of one text column straight on the
/// database; its rows, one a line.
async fn raw_text(db: &TestDatabase, backend: Backend, sql: &str) -> String {
    match backend {
        Backend::Sqlite => {
            let mut conn = sqlx::SqliteConnection::connect(&db.url)
                .await
                .expect("open SQLite");
            let rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
                .fetch_all(&mut conn)
                .await
                .expect("query");
            let _ = conn.close().await;
            rows.join("\n")
        }
        Backend::Postgres => {
            let admin = admin_connection(&db.url).await.expect("open PostgreSQL");
            let rows = admin.query(sql, &[]).await.expect("query");
            rows.iter()
                .map(|r| r.get::<_, String>(0))
                .collect::<Vec<_>>()
                .join("\n")
        }
    }
}

/// Runs a statement written by the tests straight on the database.
async fn raw_execute(db: &TestDatabase, backend: Backend, sql: &str) {
    match backend {
        Backend::Sqlite => {
            let mut conn = sqlx::SqliteConnection::connect(&db.url)
                .await
                .expect("open SQLite");
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
                .execute(&mut conn)
                .await
                .expect("execute");
            let _ = conn.close().await;
        }
        Backend::Postgres => {
            let admin = admin_connection(&db.url).await.expect("open PostgreSQL");
            admin.batch_execute(sql).await.expect("execute");
        }
    }
}

/// Everything recorded about the applied migrations, one line each.
async fn migration_records(db: &TestDatabase, backend: Backend) -> String {
    let sql = match backend {
        Backend::Sqlite => {
            "SELECT version || ' ' || description || ' ' || installed_on || ' ' || success \
             || ' ' || hex(checksum) || ' ' || execution_time FROM _sqlx_migrations ORDER BY version"
        }
        Backend::Postgres => {
            "SELECT version || ' ' || description || ' ' || installed_on || ' ' || success \
             || ' ' || encode(checksum, 'hex') || ' ' || execution_time \
             FROM _sqlx_migrations ORDER BY version"
        }
    };
    raw_text(db, backend, sql).await
}

// ---- storage scenarios ----

async fn the_database_answers_a_ping<S: Storage>(store: &S) {
    store.ping().await.expect("ping");
}

async fn upserting_a_user_creates_it_once_then_refreshes_its_details<S: Storage>(store: &S) {
    let created = store.upsert_user(&identity("alice")).await.expect("create");
    assert_eq!(created.issuer, "https://issuer.test");
    assert_eq!(created.subject, "alice");
    assert_eq!(created.email, "alice@example.test");

    let changed = Identity {
        email: "alice@new.test".into(),
        name: Some("Alice Liddell".into()),
        picture_url: Some("https://pictures.test/alice.png".into()),
        ..identity("alice")
    };
    let refreshed = store.upsert_user(&changed).await.expect("refresh");
    assert_eq!(
        refreshed.id, created.id,
        "the same identity is the same user"
    );
    assert_eq!(refreshed.created_at, created.created_at);
    assert_eq!(refreshed.email, "alice@new.test");
    assert_eq!(refreshed.name.as_deref(), Some("Alice Liddell"));
    assert_eq!(
        refreshed.picture_url.as_deref(),
        Some("https://pictures.test/alice.png")
    );
    assert_eq!(
        store.get_user(created.id).await.expect("get"),
        Some(refreshed)
    );

    let bob = store.upsert_user(&identity("bob")).await.expect("bob");
    assert_ne!(bob.id, created.id, "another subject is another user");
    let elsewhere = Identity {
        issuer: "dev".into(),
        ..identity("alice")
    };
    let other = store.upsert_user(&elsewhere).await.expect("other issuer");
    assert_ne!(
        other.id, created.id,
        "the same subject at another issuer is another user"
    );
    assert_eq!(store.get_user(Uuid::now_v7()).await.expect("get"), None);
}

async fn projects_can_be_created_read_updated_and_deleted<S: Storage>(store: &S) {
    let owner = user(store, "owner").await;
    let created = store
        .create_project(owner, "Shop", Some("an online shop"))
        .await
        .expect("create");
    assert_eq!(created.owner_id, owner);
    assert_eq!(created.name, "Shop");
    assert_eq!(created.description.as_deref(), Some("an online shop"));
    assert_eq!(created.spec_count, 0);
    assert_eq!(created.id.get_version_num(), 7, "ids are UUID v7");
    assert_eq!(created.created_at, created.updated_at);
    assert_eq!(
        store.get_project(owner, created.id).await.expect("get"),
        Some(created.clone()),
        "what is read back equals what the write returned"
    );

    let renamed = store
        .update_project(owner, created.id, Some("Store"), None)
        .await
        .expect("rename")
        .expect("found");
    assert_eq!(renamed.name, "Store");
    assert_eq!(renamed.description.as_deref(), Some("an online shop"));
    assert_eq!(renamed.created_at, created.created_at);
    assert!(renamed.updated_at >= created.updated_at);

    let described = store
        .update_project(owner, created.id, None, Some(Some("a better shop")))
        .await
        .expect("describe")
        .expect("found");
    assert_eq!(described.name, "Store");
    assert_eq!(described.description.as_deref(), Some("a better shop"));

    let cleared = store
        .update_project(owner, created.id, None, Some(None))
        .await
        .expect("clear")
        .expect("found");
    assert_eq!(cleared.description, None);
    let untouched = store
        .update_project(owner, created.id, None, None)
        .await
        .expect("no change")
        .expect("found");
    assert_eq!(untouched, cleared);
    assert_eq!(
        store.get_project(owner, created.id).await.expect("get"),
        Some(cleared)
    );

    assert!(
        store
            .delete_project(owner, created.id)
            .await
            .expect("delete")
    );
    assert_eq!(
        store.get_project(owner, created.id).await.expect("get"),
        None
    );
    assert!(
        !store
            .delete_project(owner, created.id)
            .await
            .expect("again"),
        "a second delete finds nothing"
    );
    assert_eq!(
        store
            .update_project(owner, created.id, Some("Gone"), None)
            .await
            .expect("update"),
        None
    );
}

async fn a_taken_project_name_is_a_conflict_for_its_owner_only<S: Storage>(store: &S) {
    let alice = user(store, "alice").await;
    let bob = user(store, "bob").await;
    project(store, alice, "Shop").await;
    let duplicate = store.create_project(alice, "Shop", None).await;
    assert!(
        matches!(duplicate, Err(StoreError::Conflict("project name"))),
        "got {duplicate:?}"
    );
    store
        .create_project(bob, "Shop", None)
        .await
        .expect("another owner may use the name");

    let other = project(store, alice, "Blog").await;
    let rename = store.update_project(alice, other, Some("Shop"), None).await;
    assert!(
        matches!(rename, Err(StoreError::Conflict("project name"))),
        "got {rename:?}"
    );
    let list = store.list_projects(alice, first(10)).await.expect("list");
    assert_eq!(list.items.len(), 2, "a refused write leaves nothing behind");
}

async fn another_owner_sees_nothing_of_a_project_or_its_specs<S: Storage>(store: &S) {
    let alice = user(store, "alice").await;
    let mallory = user(store, "mallory").await;
    let shop = project(store, alice, "Shop").await;
    let orders = spec(store, alice, shop, "orders", "entities: {}").await;

    assert_eq!(store.get_project(mallory, shop).await.expect("get"), None);
    let listed = store
        .list_projects(mallory, first(100))
        .await
        .expect("list");
    assert!(listed.items.is_empty() && !listed.has_more);
    assert_eq!(
        store
            .update_project(mallory, shop, Some("Mine"), Some(None))
            .await
            .expect("update"),
        None
    );
    assert!(!store.delete_project(mallory, shop).await.expect("delete"));

    assert_eq!(store.get_spec(mallory, orders).await.expect("get"), None);
    assert!(
        store
            .list_specs(mallory, shop, first(100))
            .await
            .expect("list")
            .is_none()
    );
    assert_eq!(
        store
            .create_spec(mallory, shop, "intruder", &content("x: 1"))
            .await
            .expect("create"),
        None
    );
    assert_eq!(
        store
            .update_spec(mallory, orders, None, &content_change("stolen"))
            .await
            .expect("update"),
        None
    );
    assert_eq!(
        store
            .update_spec(mallory, orders, Some(1), &rename("mine"))
            .await
            .expect("update with a revision"),
        None,
        "not found comes before a revision check"
    );
    assert!(!store.delete_spec(mallory, orders).await.expect("delete"));
    assert!(
        store
            .list_revisions(mallory, orders, first(100))
            .await
            .expect("revisions")
            .is_none()
    );
    assert_eq!(
        store
            .get_revision(mallory, orders, 1)
            .await
            .expect("revision"),
        None
    );

    let kept = store
        .get_project(alice, shop)
        .await
        .expect("get")
        .expect("still there");
    assert_eq!(kept.name, "Shop");
    assert_eq!(kept.spec_count, 1);
    let spec = store
        .get_spec(alice, orders)
        .await
        .expect("get")
        .expect("still there");
    assert_eq!((spec.name.as_str(), spec.revision), ("orders", 1));
    assert_eq!(spec.content, "entities: {}");
}

async fn projects_are_listed_newest_first_in_pages_without_duplicates<S: Storage>(store: &S) {
    let owner = user(store, "owner").await;
    let other = user(store, "other").await;
    let mut created = Vec::new();
    for i in 0..45 {
        created.push(project(store, owner, &format!("project {i:02}")).await);
        if i % 10 == 0 {
            project(store, other, &format!("project {i:02}")).await;
        }
    }
    created.reverse();

    let mut seen = Vec::new();
    let mut sizes = Vec::new();
    let mut page = first(20);
    loop {
        let Page { items, has_more } = store.list_projects(owner, page).await.expect("list");
        sizes.push(items.len());
        assert!(items.iter().all(|p| p.owner_id == owner));
        seen.extend(items.iter().map(|p| p.id));
        match items.last() {
            Some(last) if has_more => page = after(Cursor::Id(last.id), 20),
            _ => break,
        }
    }
    assert_eq!(sizes, [20, 20, 5]);
    assert_eq!(seen, created, "newest first, each once");
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 45);

    let exact = store.list_projects(other, first(5)).await.expect("list");
    assert_eq!(exact.items.len(), 5);
    assert!(!exact.has_more, "a page that ends the list says so");
}

async fn specs_and_revisions_are_listed_newest_first_in_pages<S: Storage>(store: &S) {
    let owner = user(store, "owner").await;
    let shop = project(store, owner, "Shop").await;
    let elsewhere = project(store, owner, "Blog").await;
    spec(store, owner, elsewhere, "posts", "posts: 1").await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(spec(store, owner, shop, &format!("spec {i}"), "a: 1").await);
    }
    ids.reverse();

    let one = store
        .list_specs(owner, shop, first(2))
        .await
        .expect("list")
        .expect("owned");
    assert_eq!(one.items.len(), 2);
    assert!(one.has_more);
    let last = one.items.last().expect("an item").id;
    let two = store
        .list_specs(owner, shop, after(Cursor::Id(last), 2))
        .await
        .expect("list")
        .expect("owned");
    let last = two.items.last().expect("an item").id;
    let three = store
        .list_specs(owner, shop, after(Cursor::Id(last), 2))
        .await
        .expect("list")
        .expect("owned");
    assert!(two.has_more && !three.has_more);
    let listed: Vec<Uuid> = [one, two, three]
        .into_iter()
        .flat_map(|p| p.items)
        .map(|s| {
            assert_eq!(s.project_id, shop, "only the project's specs");
            s.id
        })
        .collect();
    assert_eq!(listed, ids);

    let empty = project(store, owner, "Empty").await;
    let none = store
        .list_specs(owner, empty, first(20))
        .await
        .expect("list")
        .expect("owned");
    assert!(none.items.is_empty() && !none.has_more);

    let target = ids[0];
    for i in 2..=7 {
        store
            .update_spec(owner, target, None, &content_change(&format!("a: {i}")))
            .await
            .expect("update")
            .expect("found");
    }
    assert_eq!(
        all_revisions(store, owner, target, 4).await,
        [7, 6, 5, 4, 3, 2, 1]
    );
    assert_eq!(
        all_revisions(store, owner, target, 7).await,
        [7, 6, 5, 4, 3, 2, 1],
        "a page exactly as long as the list ends it"
    );
}

async fn a_list_refuses_a_cursor_of_the_wrong_kind<S: Storage>(store: &S) {
    let owner = user(store, "owner").await;
    let shop = project(store, owner, "Shop").await;
    let orders = spec(store, owner, shop, "orders", "a: 1").await;
    assert!(
        store
            .list_projects(owner, after(Cursor::Revision(3), 20))
            .await
            .is_err()
    );
    assert!(
        store
            .list_specs(owner, shop, after(Cursor::Revision(3), 20))
            .await
            .is_err()
    );
    assert!(
        store
            .list_revisions(owner, orders, after(Cursor::Id(orders), 20))
            .await
            .is_err()
    );
}

async fn each_change_of_name_or_content_makes_one_new_revision<S: Storage>(store: &S) {
    let owner = user(store, "owner").await;
    let shop = project(store, owner, "Shop").await;
    let created = store
        .create_spec(owner, shop, "orders", &content("v1"))
        .await
        .expect("create")
        .expect("owned");
    assert_eq!(created.revision, 1);
    assert_eq!(created.project_id, shop);
    assert_eq!(created.format, "yaml");
    assert_eq!(
        created.summary,
        json!({"entities": 2, "fields": 0, "relations": 0})
    );
    assert_eq!(created.id.get_version_num(), 7);
    assert_eq!(
        store.get_spec(owner, created.id).await.expect("get"),
        Some(created.clone()),
        "what is read back equals what the write returned"
    );

    let v2 = store
        .update_spec(owner, created.id, None, &content_change("invalid v2"))
        .await
        .expect("update")
        .expect("found");
    assert_eq!(v2.revision, 2);
    assert_eq!(v2.content, "invalid v2");
    assert!(!v2.valid, "an invalid spec is stored");
    assert_eq!(v2.diagnostics.as_array().map(Vec::len), Some(1));
    assert_eq!(v2.created_at, created.created_at);
    assert!(v2.updated_at >= created.updated_at);

    let same = store
        .update_spec(owner, created.id, None, &content_change("invalid v2"))
        .await
        .expect("same content")
        .expect("found");
    assert_eq!(same, v2, "the same content makes no revision");
    let same_name = store
        .update_spec(owner, created.id, Some(2), &rename("orders"))
        .await
        .expect("same name")
        .expect("found");
    assert_eq!(same_name, v2, "the same name makes no revision");
    let nothing = store
        .update_spec(owner, created.id, None, &SpecChanges::default())
        .await
        .expect("no change")
        .expect("found");
    assert_eq!(nothing.revision, 2);

    let v3 = store
        .update_spec(owner, created.id, Some(2), &rename("purchases"))
        .await
        .expect("rename")
        .expect("found");
    assert_eq!((v3.revision, v3.name.as_str()), (3, "purchases"));
    assert_eq!(v3.content, "invalid v2", "a rename keeps the content");
    assert!(!v3.valid, "and its analysis");
    assert_eq!(
        store.get_spec(owner, created.id).await.expect("get"),
        Some(v3.clone())
    );

    let revisions = store
        .list_revisions(owner, created.id, first(20))
        .await
        .expect("revisions")
        .expect("owned");
    assert!(!revisions.has_more);
    let summary: Vec<(i64, &str, &str, bool)> = revisions
        .items
        .iter()
        .map(|r| (r.revision, r.name.as_str(), r.content.as_str(), r.valid))
        .collect();
    assert_eq!(
        summary,
        [
            (3, "purchases", "invalid v2", false),
            (2, "orders", "invalid v2", false),
            (1, "orders", "v1", true),
        ]
    );
    assert!(revisions.items.iter().all(|r| r.spec_id == created.id));

    let second = store
        .get_revision(owner, created.id, 2)
        .await
        .expect("revision")
        .expect("exists");
    assert_eq!(second.content, "invalid v2");
    assert_eq!(second.diagnostics, v2.diagnostics);
    assert_eq!(second.summary, v2.summary);
    assert_eq!(second.created_at, v2.updated_at);
    let first_revision = store
        .get_revision(owner, created.id, 1)
        .await
        .expect("revision")
        .expect("exists");
    assert_eq!(first_revision.content, "v1");
    assert_eq!(first_revision.created_at, created.created_at);
    assert_eq!(
        store
            .get_revision(owner, created.id, 4)
            .await
            .expect("revision"),
        None
    );
}

async fn a_stale_expected_revision_is_refused_with_the_current_one<S: Storage>(store: &S) {
    let owner = user(store, "owner").await;
    let shop = project(store, owner, "Shop").await;
    let orders = spec(store, owner, shop, "orders", "v1").await;
    store
        .update_spec(owner, orders, Some(1), &content_change("v2"))
        .await
        .expect("update")
        .expect("found");

    let stale = store
        .update_spec(owner, orders, Some(1), &content_change("v3"))
        .await;
    assert!(
        matches!(
            stale,
            Err(StoreError::RevisionMismatch {
                expected: 1,
                current: 2
            })
        ),
        "got {stale:?}"
    );
    let unchanged_but_stale = store
        .update_spec(owner, orders, Some(5), &content_change("v2"))
        .await;
    assert!(
        matches!(
            unchanged_but_stale,
            Err(StoreError::RevisionMismatch {
                expected: 5,
                current: 2
            })
        ),
        "the precondition is checked before the comparison: got {unchanged_but_stale:?}"
    );
    let current = store
        .get_spec(owner, orders)
        .await
        .expect("get")
        .expect("found");
    assert_eq!((current.revision, current.content.as_str()), (2, "v2"));

    let v3 = store
        .update_spec(owner, orders, Some(2), &content_change("v3"))
        .await
        .expect("update")
        .expect("found");
    assert_eq!(v3.revision, 3);
    assert_eq!(all_revisions(store, owner, orders, 20).await, [3, 2, 1]);
}

async fn a_taken_specification_name_is_a_conflict_within_its_project_only<S: Storage>(store: &S) {
    let owner = user(store, "owner").await;
    let shop = project(store, owner, "Shop").await;
    let blog = project(store, owner, "Blog").await;
    spec(store, owner, shop, "orders", "a: 1").await;
    let duplicate = store
        .create_spec(owner, shop, "orders", &content("b: 2"))
        .await;
    assert!(
        matches!(duplicate, Err(StoreError::Conflict("specification name"))),
        "got {duplicate:?}"
    );
    spec(store, owner, blog, "orders", "c: 3").await;

    let customers = spec(store, owner, shop, "customers", "d: 4").await;
    let rename = store
        .update_spec(owner, customers, Some(1), &rename("orders"))
        .await;
    assert!(
        matches!(rename, Err(StoreError::Conflict("specification name"))),
        "got {rename:?}"
    );
    let kept = store
        .get_spec(owner, customers)
        .await
        .expect("get")
        .expect("found");
    assert_eq!((kept.name.as_str(), kept.revision), ("customers", 1));
    assert_eq!(
        all_revisions(store, owner, customers, 20).await,
        [1],
        "a refused rename leaves no revision behind"
    );
    let shop_specs = store
        .get_project(owner, shop)
        .await
        .expect("get")
        .expect("found");
    assert_eq!(shop_specs.spec_count, 2);
}

async fn a_spec_is_created_only_in_a_project_of_its_owner<S: Storage>(store: &S) {
    let owner = user(store, "owner").await;
    assert_eq!(
        store
            .create_spec(owner, Uuid::now_v7(), "orders", &content("a: 1"))
            .await
            .expect("create"),
        None
    );
    assert_eq!(
        store.get_spec(owner, Uuid::now_v7()).await.expect("get"),
        None
    );
    assert!(
        store
            .list_specs(owner, Uuid::now_v7(), first(20))
            .await
            .expect("list")
            .is_none()
    );
    assert!(
        store
            .list_revisions(owner, Uuid::now_v7(), first(20))
            .await
            .expect("list")
            .is_none()
    );
    assert_eq!(
        store
            .update_spec(owner, Uuid::now_v7(), Some(1), &rename("x"))
            .await
            .expect("update"),
        None
    );
}

async fn spec_count_follows_the_specs_of_a_project<S: Storage>(store: &S) {
    let owner = user(store, "owner").await;
    let shop = project(store, owner, "Shop").await;
    let blog = project(store, owner, "Blog").await;
    let a = spec(store, owner, shop, "a", "a: 1").await;
    spec(store, owner, shop, "b", "b: 1").await;
    spec(store, owner, shop, "c", "c: 1").await;
    spec(store, owner, blog, "d", "d: 1").await;
    store
        .update_spec(owner, a, None, &content_change("a: 2"))
        .await
        .expect("update")
        .expect("found");

    let count = |p: &specforge_server::store::Project| (p.name.clone(), p.spec_count);
    let listed: Vec<_> = store
        .list_projects(owner, first(20))
        .await
        .expect("list")
        .items
        .iter()
        .map(count)
        .collect();
    assert_eq!(
        listed,
        [("Blog".to_string(), 1), ("Shop".to_string(), 3)],
        "revisions are not specs"
    );

    assert!(store.delete_spec(owner, a).await.expect("delete"));
    let shop_now = store
        .get_project(owner, shop)
        .await
        .expect("get")
        .expect("found");
    assert_eq!(shop_now.spec_count, 2);
    let renamed = store
        .update_project(owner, shop, Some("Shop 2"), None)
        .await
        .expect("rename")
        .expect("found");
    assert_eq!(renamed.spec_count, 2, "an update returns the count too");
}

async fn deleting_a_spec_removes_it_with_its_revisions<S: Storage>(store: &S) {
    let owner = user(store, "owner").await;
    let shop = project(store, owner, "Shop").await;
    let orders = spec(store, owner, shop, "orders", "a: 1").await;
    let kept = spec(store, owner, shop, "customers", "b: 1").await;
    store
        .update_spec(owner, orders, None, &content_change("a: 2"))
        .await
        .expect("update")
        .expect("found");

    assert!(store.delete_spec(owner, orders).await.expect("delete"));
    assert_eq!(store.get_spec(owner, orders).await.expect("get"), None);
    assert_eq!(
        store
            .get_revision(owner, orders, 1)
            .await
            .expect("revision"),
        None
    );
    assert!(!store.delete_spec(owner, orders).await.expect("again"));
    assert!(
        store.get_spec(owner, kept).await.expect("get").is_some(),
        "only that spec goes"
    );
    // The name is free again.
    spec(store, owner, shop, "orders", "a: 3").await;
}

async fn concurrent_updates_make_one_revision_each_without_gaps<S>(store: &S)
where
    S: Storage + Clone + 'static,
{
    let owner = user(store, "owner").await;
    let shop = project(store, owner, "Shop").await;
    let orders = spec(store, owner, shop, "orders", "update 0").await;

    let mut tasks = tokio::task::JoinSet::new();
    for i in 1..=20 {
        let store = store.clone();
        tasks.spawn(async move {
            store
                .update_spec(owner, orders, None, &content_change(&format!("update {i}")))
                .await
        });
    }
    let mut returned = Vec::new();
    while let Some(done) = tasks.join_next().await {
        let spec = done
            .expect("the task ran")
            .expect("no update fails")
            .expect("found");
        returned.push(spec.revision);
    }
    returned.sort_unstable();
    assert_eq!(
        returned,
        (2..=21).collect::<Vec<_>>(),
        "each update got its own number"
    );

    let numbers = all_revisions(store, owner, orders, 100).await;
    assert_eq!(numbers, (1..=21).rev().collect::<Vec<_>>());
    let revisions = store
        .list_revisions(owner, orders, first(100))
        .await
        .expect("revisions")
        .expect("owned");
    let contents: HashSet<&str> = revisions.items.iter().map(|r| r.content.as_str()).collect();
    assert_eq!(contents.len(), 21, "no update was lost");
    let current = store
        .get_spec(owner, orders)
        .await
        .expect("get")
        .expect("found");
    assert_eq!(current.revision, 21);
    assert_eq!(
        Some(current.content.as_str()),
        revisions.items.first().map(|r| r.content.as_str()),
        "the spec holds its newest revision"
    );
}

async fn concurrent_updates_expecting_the_same_revision_let_exactly_one_win<S>(store: &S)
where
    S: Storage + Clone + 'static,
{
    let owner = user(store, "owner").await;
    let shop = project(store, owner, "Shop").await;
    let orders = spec(store, owner, shop, "orders", "start").await;

    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..10 {
        let store = store.clone();
        tasks.spawn(async move {
            store
                .update_spec(
                    owner,
                    orders,
                    Some(1),
                    &content_change(&format!("edit {i}")),
                )
                .await
        });
    }
    let (mut won, mut refused) = (0, 0);
    while let Some(done) = tasks.join_next().await {
        match done.expect("the task ran") {
            Ok(Some(spec)) => {
                assert_eq!(spec.revision, 2);
                won += 1;
            }
            Err(StoreError::RevisionMismatch {
                expected: 1,
                current: 2,
            }) => refused += 1,
            other => panic!("unexpected outcome {other:?}"),
        }
    }
    assert_eq!((won, refused), (1, 9));
    assert_eq!(all_revisions(store, owner, orders, 20).await, [2, 1]);
}

async fn many_concurrent_writers_all_succeed<S>(store: &S)
where
    S: Storage + Clone + 'static,
{
    // Far more writers than connections, each writing in turn: projects (one statement),
    // specifications (a transaction) and their updates (a transaction that reads first).
    let owner = user(store, "owner").await;
    let mut tasks = tokio::task::JoinSet::new();
    for writer in 0..48 {
        let store = store.clone();
        tasks.spawn(async move {
            let mut failures = Vec::new();
            for round in 0..5 {
                let name = format!("p{writer}-{round}");
                let project = match store.create_project(owner, &name, None).await {
                    Ok(p) => p,
                    Err(e) => {
                        failures.push(e.to_string());
                        continue;
                    }
                };
                match store
                    .create_spec(owner, project.id, "s", &content("a: 1"))
                    .await
                {
                    Ok(Some(spec)) => {
                        if let Err(e) = store
                            .update_spec(owner, spec.id, Some(1), &content_change("a: 2"))
                            .await
                        {
                            failures.push(e.to_string());
                        }
                    }
                    Ok(None) => failures.push("the new project was not found".into()),
                    Err(e) => failures.push(e.to_string()),
                }
            }
            failures
        });
    }
    let mut failures = Vec::new();
    while let Some(done) = tasks.join_next().await {
        failures.extend(done.expect("the task ran"));
    }
    assert_eq!(failures, Vec::<String>::new(), "every write succeeds");
    let mut listed = 0;
    let mut page = first(100);
    loop {
        let found = store.list_projects(owner, page).await.expect("list");
        listed += found.items.len();
        match (found.has_more, found.items.last()) {
            (true, Some(last)) => page = after(Cursor::Id(last.id), 100),
            _ => break,
        }
    }
    assert_eq!(listed, 48 * 5);
}

// ---- database scenarios ----

async fn deleting_a_project_removes_its_specs_and_revisions(db: &TestDatabase, backend: Backend) {
    let store = open(db).await;
    let owner = user(&store, "owner").await;
    let shop = project(&store, owner, "Shop").await;
    let blog = project(&store, owner, "Blog").await;
    let orders = spec(&store, owner, shop, "orders", "a: 1").await;
    spec(&store, owner, shop, "customers", "b: 1").await;
    spec(&store, owner, blog, "posts", "c: 1").await;
    store
        .update_spec(owner, orders, None, &content_change("a: 2"))
        .await
        .expect("update")
        .expect("found");
    assert_eq!(count_rows(db, backend, "spec_revisions").await, 4);

    assert!(store.delete_project(owner, shop).await.expect("delete"));
    assert_eq!(store.get_spec(owner, orders).await.expect("get"), None);
    assert_eq!(count_rows(db, backend, "specs").await, 1);
    assert_eq!(
        count_rows(db, backend, "spec_revisions").await,
        1,
        "only the other project's revision is left"
    );
    store.close().await;
}

async fn migrating_twice_changes_nothing(db: &TestDatabase, backend: Backend) {
    let store = open(db).await;
    let owner = user(&store, "owner").await;
    let shop = project(&store, owner, "Shop").await;
    let applied = count_rows(db, backend, "_sqlx_migrations").await;
    assert!(applied >= 1);
    let records = migration_records(db, backend).await;

    store.migrate().await.expect("migrate again");
    store.close().await;
    let reopened = open(db).await;
    assert_eq!(count_rows(db, backend, "_sqlx_migrations").await, applied);
    assert_eq!(
        migration_records(db, backend).await,
        records,
        "nothing recorded about the migrations changed"
    );
    assert!(
        reopened
            .get_project(owner, shop)
            .await
            .expect("get")
            .is_some()
    );
    reopened.close().await;
}

async fn a_migration_changed_after_it_was_applied_is_refused(db: &TestDatabase, backend: Backend) {
    let store = open(db).await;
    store.close().await;
    // As if the file of migration 1 had been edited since it was applied.
    raw_execute(
        db,
        backend,
        "UPDATE _sqlx_migrations SET checksum = checksum || checksum WHERE version = 1",
    )
    .await;
    let store = Store::connect(&db.url, POOL).await.expect("connect");
    let outcome = store.migrate().await;
    assert!(
        matches!(outcome, Err(StoreError::Migrate(_))),
        "{outcome:?}"
    );
    store.close().await;
}

async fn concurrent_migrations_of_a_fresh_database_all_succeed(
    db: &TestDatabase,
    backend: Backend,
) {
    // Four "processes" (separate pools) start on the same empty database at once.
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..4 {
        let url = db.url.clone();
        tasks.spawn(async move {
            let store = Store::connect(&url, 2).await.expect("connect");
            let outcome = store.migrate().await;
            store.close().await;
            outcome
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("the task ran")
            .expect("every migration run succeeds");
    }
    let migrations = count_rows(db, backend, "_sqlx_migrations").await;
    let store = open(db).await;
    assert_eq!(
        count_rows(db, backend, "_sqlx_migrations").await,
        migrations,
        "each migration is recorded once"
    );
    user(&store, "owner").await;
    store.close().await;
}

async fn data_survives_closing_and_reopening_the_database(db: &TestDatabase, _backend: Backend) {
    let store = open(db).await;
    let owner = user(&store, "owner").await;
    let shop = store
        .create_project(owner, "Shop", Some("kept"))
        .await
        .expect("create");
    let orders = store
        .create_spec(owner, shop.id, "orders", &content("a: 1"))
        .await
        .expect("create")
        .expect("owned");
    let orders = store
        .update_spec(owner, orders.id, Some(1), &content_change("a: 2"))
        .await
        .expect("update")
        .expect("found");
    let shop = store
        .get_project(owner, shop.id)
        .await
        .expect("get")
        .expect("found");
    store.close().await;

    let reopened = open(db).await;
    assert_eq!(
        reopened.get_user(owner).await.expect("user").map(|u| u.id),
        Some(owner)
    );
    assert_eq!(
        reopened.get_project(owner, shop.id).await.expect("get"),
        Some(shop)
    );
    assert_eq!(
        reopened.get_spec(owner, orders.id).await.expect("get"),
        Some(orders.clone())
    );
    assert_eq!(all_revisions(&reopened, owner, orders.id, 20).await, [2, 1]);
    reopened.close().await;
}

/// Two server processes on one database: each may hold texts it read before, and must still
/// answer with the text of the current revision, whoever saved it, and nothing of a deleted one.
async fn a_spec_read_in_one_process_shows_the_text_another_process_saved(
    db: &TestDatabase,
    _backend: Backend,
) {
    let first = open(db).await;
    let second = open(db).await;
    let owner = user(&first, "owner").await;
    let shop = project(&first, owner, "Shop").await;
    let orders = spec(&first, owner, shop, "orders", "a: 1").await;
    for store in [&first, &second, &first, &second] {
        let read = store
            .get_spec(owner, orders)
            .await
            .expect("get")
            .expect("found");
        assert_eq!((read.revision, read.content.as_str()), (1, "a: 1"));
    }
    second
        .update_spec(owner, orders, Some(1), &content_change("a: 2"))
        .await
        .expect("update")
        .expect("found");
    for store in [&first, &first, &second] {
        let read = store
            .get_spec(owner, orders)
            .await
            .expect("get")
            .expect("found");
        assert_eq!((read.revision, read.content.as_str()), (2, "a: 2"));
    }
    // A change of name alone keeps the text under a new revision.
    first
        .update_spec(owner, orders, Some(2), &rename("orders-v2"))
        .await
        .expect("rename")
        .expect("found");
    let read = second
        .get_spec(owner, orders)
        .await
        .expect("get")
        .expect("found");
    assert_eq!(
        (read.revision, read.name.as_str(), read.content.as_str()),
        (3, "orders-v2", "a: 2")
    );
    // Another owner reads nothing, whatever a process holds.
    let stranger = user(&second, "stranger").await;
    assert_eq!(second.get_spec(stranger, orders).await.expect("get"), None);
    assert!(first.delete_spec(owner, orders).await.expect("delete"));
    assert_eq!(second.get_spec(owner, orders).await.expect("get"), None);
    assert_eq!(first.get_spec(owner, orders).await.expect("get"), None);
    first.close().await;
    second.close().await;
}

// ---- backend specifics: SQLite file and pragmas, PostgreSQL connect timeout ----

/// The file path of a test database's `sqlite:` URL.
fn sqlite_path(db: &TestDatabase) -> std::path::PathBuf {
    std::path::PathBuf::from(db.url.strip_prefix("sqlite:").expect("a sqlite: URL"))
}

#[tokio::test]
async fn a_missing_sqlite_file_is_created_with_its_folders() {
    let db = TestDatabase::sqlite();
    let folder = sqlite_path(&db)
        .parent()
        .expect("a folder")
        .join("data/deeper");
    let file = folder.join("specforge.db");
    assert!(!folder.exists());
    let store = Store::connect(&format!("sqlite:{}", file.display()), POOL)
        .await
        .expect("connect");
    store.migrate().await.expect("migrate");
    store.ping().await.expect("ping");
    assert!(file.is_file());
    store.close().await;
}

#[tokio::test]
async fn every_sqlite_connection_enforces_foreign_keys_with_wal_and_a_busy_timeout() {
    let db = TestDatabase::sqlite();
    let store = open(&db).await;
    let Store::Sqlite(sqlite) = &store else {
        panic!("a sqlite: URL opens SQLite");
    };
    // Hold every connection of the pool at once, so each one is checked.
    let mut held = Vec::new();
    for _ in 0..POOL {
        held.push(sqlite.pool().acquire().await.expect("a connection"));
    }
    for conn in &mut held {
        let pragma = |name: &'static str| sqlx::query_scalar::<_, String>(name);
        let foreign_keys: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
            .fetch_one(&mut **conn)
            .await
            .expect("foreign_keys");
        let journal = pragma("PRAGMA journal_mode")
            .fetch_one(&mut **conn)
            .await
            .expect("journal_mode");
        let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(&mut **conn)
            .await
            .expect("synchronous");
        let busy: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
            .fetch_one(&mut **conn)
            .await
            .expect("busy_timeout");
        assert_eq!(foreign_keys, 1);
        assert_eq!(journal, "wal");
        assert_eq!(synchronous, 1, "NORMAL");
        assert_eq!(busy, 5000);
    }
    drop(held);
    store.close().await;
}

#[tokio::test]
async fn an_unreachable_postgresql_fails_within_seconds() {
    // Nothing listens on port 1; the pool must give up after its acquire timeout.
    let started = std::time::Instant::now();
    let outcome = Store::connect("postgres://postgres@127.0.0.1:1/none", 2).await;
    assert!(outcome.is_err());
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "took {:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_recover_when_postgresql_kills_their_connections() {
    let Some(db) = TestDatabase::new(Backend::Postgres).await else {
        return;
    };
    reads_recover_after_a_kill(&db, open(&db).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_over_tls_recover_when_postgresql_kills_their_connections() {
    let Some(db) = TestDatabase::new(Backend::Postgres).await else {
        return;
    };
    reads_recover_after_a_kill(&db, open_url(&url_with_sslmode(&db, "require")).await).await;
}

async fn reads_recover_after_a_kill(db: &TestDatabase, store: Store) {
    let owner = user(&store, "survivor").await;
    let id = project(&store, owner, "kept").await;
    // Warm every connection, then have the server end them all, as a restart or an operator would.
    for _ in 0..8 {
        assert!(store.get_project(owner, id).await.expect("read").is_some());
    }
    let admin = admin_connection(&db.url).await.expect("admin connection");
    admin
        .batch_execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
        .await
        .expect("terminate the other connections");
    // Every read still answers: a dead connection is replaced and the read repeated once.
    for _ in 0..8 {
        let found = store
            .get_project(owner, id)
            .await
            .expect("read after the kill");
        assert_eq!(found.map(|p| p.name), Some("kept".to_string()));
    }
}

/// How many of the store's connections to the test database use TLS, and how many there are.
async fn tls_connections(db: &TestDatabase) -> (i64, i64) {
    let admin = admin_connection(&db.url).await.expect("admin connection");
    let row = admin
        .query_one(
            "SELECT count(*) FILTER (WHERE s.ssl), count(*) \
             FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) \
             WHERE a.datname = current_database() AND a.application_name = 'specforge'",
            &[],
        )
        .await
        .expect("pg_stat_ssl");
    (row.get(0), row.get(1))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sslmode_decides_whether_every_connection_uses_tls() {
    let Some(db) = TestDatabase::new(Backend::Postgres).await else {
        return;
    };
    for (mode, encrypted) in [("require", true), ("prefer", true), ("disable", false)] {
        let store = open_url(&url_with_sslmode(&db, mode)).await;
        let owner = user(&store, mode).await;
        let project_id = project(&store, owner, "p").await;
        assert!(
            store
                .get_project(owner, project_id)
                .await
                .expect("read")
                .is_some()
        );
        let (tls, all) = tls_connections(&db).await;
        assert!(all >= 2, "a shared and an exclusive connection ({all})");
        assert_eq!(tls, if encrypted { all } else { 0 }, "sslmode={mode}");
        store.close().await;
        // Closed connections leave pg_stat_activity shortly after.
        for _ in 0..50 {
            if tls_connections(&db).await.1 == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_full_refuses_a_server_certificate_no_trusted_root_signed() {
    let Some(db) = TestDatabase::new(Backend::Postgres).await else {
        return;
    };
    // The test server's certificate is self-signed: no public root vouches for it.
    let outcome = Store::connect(&url_with_sslmode(&db, "verify-full"), POOL).await;
    assert!(
        matches!(outcome, Err(StoreError::Unavailable(ref why)) if why.contains("certificate")),
        "{outcome:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrations_are_recorded_as_earlier_versions_recorded_them() {
    let Some(db) = TestDatabase::new(Backend::Postgres).await else {
        return;
    };
    open(&db).await.close().await;
    let expected: Vec<String> = [
        (
            1,
            "initial",
            include_str!("../../migrations/postgres/0001_initial.sql"),
        ),
        (
            2,
            "generations",
            include_str!("../../migrations/postgres/0002_generations.sql"),
        ),
    ]
    .iter()
    .map(|(version, description, sql)| {
        let checksum = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA384, sql.as_bytes());
        let hex: String = checksum
            .as_ref()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        format!("{version} {description} true {hex} true")
    })
    .collect();
    let recorded = raw_text(
        &db,
        Backend::Postgres,
        "SELECT version || ' ' || description || ' ' || success || ' ' \
         || encode(checksum, 'hex') || ' ' || (execution_time >= 0) FROM _sqlx_migrations \
         ORDER BY version",
    )
    .await;
    assert_eq!(recorded, expected.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn specifications_are_read_on_other_connections_than_the_small_reads() {
    let Some(db) = TestDatabase::new(Backend::Postgres).await else {
        return;
    };
    let store = open_url(&url_with_sslmode(&db, "disable")).await;
    let owner = user(&store, "reader").await;
    let project_id = project(&store, owner, "p").await;
    let spec_id = spec(&store, owner, project_id, "s", &"a: 1\n".repeat(1000)).await;
    assert!(
        store
            .get_project(owner, project_id)
            .await
            .expect("read")
            .is_some()
    );
    assert!(
        store
            .get_spec(owner, spec_id)
            .await
            .expect("read")
            .is_some()
    );
    assert!(store.get_user(owner).await.expect("read").is_some());
    // Each backend shows its last statement: a specification read on the shared connection
    // would have replaced the small reads there.
    let admin = admin_connection(&db.url).await.expect("admin connection");
    let last = |pattern: &'static str| {
        let admin = &admin;
        async move {
            let row = admin
                .query_one(
                    "SELECT count(*) FROM pg_stat_activity \
                     WHERE datname = current_database() AND application_name = 'specforge' \
                     AND query LIKE $1",
                    &[&pattern],
                )
                .await
                .expect("pg_stat_activity");
            row.get::<_, i64>(0)
        }
    };
    assert_eq!(
        last("%FROM users WHERE id = $1%").await,
        1,
        "the small reads"
    );
    assert_eq!(
        last("%FROM specs s JOIN projects p%").await,
        1,
        "the specification"
    );
    store.close().await;
}

// ---- generation jobs ----

/// A user with a specification of one revision; the owner and the specification.
async fn owner_with_spec<S: Storage>(store: &S, subject: &str) -> (Uuid, Uuid) {
    let owner = user(store, subject).await;
    let project = project(store, owner, "Jobs").await;
    let spec = spec(store, owner, project, "shop", "specforge: 1\nname: shop\n").await;
    (owner, spec)
}

/// Queues a generation; its id.
async fn queue<S: Storage>(store: &S, owner: Uuid, spec: Uuid) -> Uuid {
    store
        .create_generation(
            owner,
            &NewGeneration {
                spec_id: spec,
                spec_revision: 1,
                target: "openapi".into(),
                options: json!({}),
            },
        )
        .await
        .expect("queue a generation")
        .expect("the spec is the owner's")
        .id
}

fn rules(lease_ms: u64, max_attempts: i32) -> ClaimRules {
    ClaimRules {
        lease: Duration::from_millis(lease_ms),
        max_attempts,
    }
}

/// A result of one file with `text`.
fn output(text: &str) -> JobOutput {
    let bytes = text.as_bytes();
    JobOutput {
        files: vec![FileToStore {
            file: GeneratedFile {
                path: "README.md".into(),
                size: bytes.len() as i64,
                sha256: specforge_codegen::sha256_hex(bytes),
            },
            compressed: specforge_server::jobs::compress(bytes).expect("compress"),
        }],
        digest: "d".repeat(64),
        total_bytes: bytes.len() as i64,
    }
}

async fn a_job_whose_lease_ran_out_is_claimed_again_and_only_the_new_claim_records<S: Storage>(
    store: &S,
) {
    let (owner, spec) = owner_with_spec(store, "lease").await;
    let id = queue(store, owner, spec).await;
    let first = store
        .claim_generation(rules(300, 3))
        .await
        .expect("claim")
        .expect("a queued job");
    assert_eq!((first.id, first.attempt), (id, 1));
    assert_eq!(
        first.content, "specforge: 1\nname: shop\n",
        "the revision's text comes along"
    );
    assert!(
        store
            .claim_generation(rules(300, 3))
            .await
            .expect("claim")
            .is_none(),
        "a held job is not claimed twice"
    );
    assert!(
        store
            .heartbeat(id, first.token, 40, Duration::from_millis(300))
            .await
            .expect("heartbeat"),
        "the holder renews its lease"
    );
    let running = store
        .get_generation(owner, id)
        .await
        .expect("read")
        .expect("found");
    assert_eq!(running.status, GenerationStatus::Running);
    assert_eq!(running.progress, 40, "the heartbeat records progress");
    tokio::time::sleep(Duration::from_millis(450)).await;
    let second = store
        .claim_generation(rules(300, 3))
        .await
        .expect("claim")
        .expect("the job whose lease ran out");
    assert_eq!((second.id, second.attempt), (id, 2));
    assert_ne!(second.token, first.token);
    // The first worker wakes up: its heartbeat and its result are refused.
    assert!(
        !store
            .heartbeat(id, first.token, 90, Duration::from_millis(300))
            .await
            .expect("heartbeat")
    );
    assert!(
        !store
            .complete_generation(id, first.token, &output("first"))
            .await
            .expect("complete"),
        "a stale claim records nothing"
    );
    assert!(
        !store
            .fail_generation(id, first.token, "stale")
            .await
            .expect("fail")
    );
    assert!(
        store
            .complete_generation(id, second.token, &output("second"))
            .await
            .expect("complete")
    );
    assert!(
        !store
            .complete_generation(id, second.token, &output("again"))
            .await
            .expect("complete"),
        "a job records one result"
    );
    let done = store
        .get_generation(owner, id)
        .await
        .expect("read")
        .expect("found");
    assert_eq!(done.status, GenerationStatus::Succeeded);
    assert_eq!(done.attempts, 2);
    assert_eq!(done.file_count, Some(1));
    let files = store
        .list_generation_files(owner, id)
        .await
        .expect("files")
        .expect("found");
    assert_eq!(files.len(), 1);
    let (_, stored) = store
        .read_generation_file(owner, id, "README.md")
        .await
        .expect("read")
        .expect("the file");
    assert_eq!(
        specforge_server::jobs::decompress(&stored).expect("inflate"),
        b"second",
        "the result of the current claim is the one kept"
    );
}

async fn a_job_whose_last_lease_ran_out_fails_with_a_clear_error<S: Storage>(store: &S) {
    let (owner, spec) = owner_with_spec(store, "attempts").await;
    let id = queue(store, owner, spec).await;
    for attempt in 1..=2 {
        let job = store
            .claim_generation(rules(100, 2))
            .await
            .expect("claim")
            .expect("the job");
        assert_eq!(job.attempt, attempt);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        store
            .claim_generation(rules(100, 2))
            .await
            .expect("claim")
            .is_none(),
        "no third attempt"
    );
    let failed = store
        .get_generation(owner, id)
        .await
        .expect("read")
        .expect("found");
    assert_eq!(failed.status, GenerationStatus::Failed);
    let error = failed.error.expect("an error");
    assert!(
        error.contains("abandoned") && error.contains("2 attempts"),
        "{error}"
    );
    assert!(failed.finished_at.is_some());
}

async fn concurrent_claimers_never_get_the_same_job<S>(store: &S)
where
    S: Storage + Clone + 'static,
{
    let (owner, spec) = owner_with_spec(store, "claimers").await;
    let mut queued = HashSet::new();
    for _ in 0..24 {
        queued.insert(queue(store, owner, spec).await);
    }
    let mut claimers = Vec::new();
    for _ in 0..6 {
        let store = store.clone();
        claimers.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            while let Some(job) = store
                .claim_generation(rules(60_000, 3))
                .await
                .expect("claim")
            {
                mine.push(job.id);
            }
            mine
        }));
    }
    let mut claimed = Vec::new();
    for claimer in claimers {
        claimed.extend(claimer.await.expect("a claimer"));
    }
    let distinct: HashSet<Uuid> = claimed.iter().copied().collect();
    assert_eq!(claimed.len(), distinct.len(), "a job was claimed twice");
    assert_eq!(distinct, queued, "every job was claimed");
}

async fn a_canceled_job_refuses_its_worker_and_keeps_its_status<S: Storage>(store: &S) {
    let (owner, spec) = owner_with_spec(store, "cancel").await;
    let id = queue(store, owner, spec).await;
    let job = store
        .claim_generation(rules(60_000, 3))
        .await
        .expect("claim")
        .expect("the job");
    let stranger = user(store, "stranger").await;
    assert!(
        store
            .cancel_generation(stranger, id)
            .await
            .expect("cancel")
            .is_none(),
        "another user's job is not found"
    );
    let canceled = store.cancel_generation(owner, id).await.expect("cancel");
    assert!(
        matches!(&canceled, Some(specforge_server::store::CancelOutcome::Canceled(g)) if g.status == GenerationStatus::Canceled),
        "{canceled:?}"
    );
    assert!(
        !store
            .heartbeat(id, job.token, 50, Duration::from_secs(60))
            .await
            .expect("heartbeat"),
        "the worker learns of the cancel at its next heartbeat"
    );
    assert!(
        !store
            .complete_generation(id, job.token, &output("late"))
            .await
            .expect("complete")
    );
    let after = store
        .get_generation(owner, id)
        .await
        .expect("read")
        .expect("found");
    assert_eq!(after.status, GenerationStatus::Canceled);
    assert!(
        matches!(
            store.cancel_generation(owner, id).await.expect("cancel"),
            Some(specforge_server::store::CancelOutcome::Finished(_))
        ),
        "a canceled job is finished"
    );
}

async fn file_contents_are_shared_between_generations_and_go_with_the_last(
    db: &TestDatabase,
    backend: Backend,
) {
    let store = open(db).await;
    let (owner, spec) = owner_with_spec(&store, "blobs").await;
    let mut ids = Vec::new();
    for _ in 0..2 {
        let id = queue(&store, owner, spec).await;
        let job = store
            .claim_generation(rules(60_000, 3))
            .await
            .expect("claim")
            .expect("the job");
        assert!(
            store
                .complete_generation(id, job.token, &output("same text"))
                .await
                .expect("complete")
        );
        ids.push(id);
    }
    assert_eq!(count_rows(db, backend, "generation_files").await, 2);
    assert_eq!(count_rows(db, backend, "blobs").await, 1, "one stored copy");
    assert!(
        store
            .delete_generation(owner, ids[0])
            .await
            .expect("delete")
    );
    assert_eq!(
        count_rows(db, backend, "blobs").await,
        1,
        "still used by the other generation"
    );
    assert!(
        store
            .delete_generation(owner, ids[1])
            .await
            .expect("delete")
    );
    assert_eq!(count_rows(db, backend, "blobs").await, 0, "no longer used");
    assert!(
        !store
            .delete_generation(owner, ids[1])
            .await
            .expect("delete")
    );
    store.close().await;
}

/// Two stores on one database, as two server processes: their workers claim at once.
async fn two_processes_on_one_database_never_claim_the_same_job(
    db: &TestDatabase,
    _backend: Backend,
) {
    let first = open(db).await;
    let second = open(db).await;
    let (owner, spec) = owner_with_spec(&first, "processes").await;
    let mut queued = HashSet::new();
    for _ in 0..20 {
        queued.insert(queue(&first, owner, spec).await);
    }
    let mut claimers = Vec::new();
    for store in [&first, &second, &first, &second] {
        let store = store.clone();
        claimers.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            while let Some(job) = store
                .claim_generation(rules(60_000, 3))
                .await
                .expect("claim")
            {
                // Record a result, as a worker does, while the others claim.
                assert!(
                    store
                        .complete_generation(job.id, job.token, &output("x"))
                        .await
                        .expect("complete")
                );
                mine.push(job.id);
            }
            mine
        }));
    }
    let mut claimed = Vec::new();
    for claimer in claimers {
        claimed.extend(claimer.await.expect("a claimer"));
    }
    let distinct: HashSet<Uuid> = claimed.iter().copied().collect();
    assert_eq!(claimed.len(), distinct.len(), "a job was claimed twice");
    assert_eq!(distinct, queued, "every job was claimed");
    first.close().await;
    second.close().await;
}
