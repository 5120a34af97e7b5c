//! `tests/api/support.rs`: `TestApp` as it is (`support.rs.in`), then a factory per entity
//! the tests can create rows of: `book_body` (a valid body, the next of the entity's samples,
//! with the rows its required references need) and `create_book`.

use serde_json::{Map, Value};

use super::super::rust_str;
use super::write::{self, Body};
use super::{Subject, Suite};

/// The methods of `TestApp` in `support.rs.in` (factories take other names).
pub(super) const METHODS: &[&str] = &[
    "create",
    "delete",
    "finish",
    "get",
    "new",
    "next_sample",
    "post",
    "put",
    "request",
    "send",
    "shared",
    "token",
];

const FIXED: &str = include_str!("support.rs.in");

pub(super) fn render(suite: &Suite<'_>, crate_name: &str, database: &str) -> String {
    let roles: Vec<String> = suite.plan.model.roles.iter().map(|r| rust_str(r)).collect();
    let joined = roles.join(", ");
    let line = format!("pub const ALL_ROLES: &[&str] = &[{joined}];");
    let roles = if write::width(&joined) <= 60 && write::width(&line) <= 100 {
        joined
    } else if roles.iter().all(|r| write::width(r) <= 10) {
        // rustfmt packs short items as many to a line as fit.
        let mut lines = vec![String::new()];
        for role in &roles {
            let last = lines.last_mut().expect("a line");
            if last.is_empty() {
                last.push_str(&format!("    {role},"));
            } else if write::width(last) + write::width(role) + 2 <= 100 {
                last.push_str(&format!(" {role},"));
            } else {
                lines.push(format!("    {role},"));
            }
        }
        format!("\n{}\n", lines.join("\n"))
    } else {
        let lines: Vec<String> = roles.iter().map(|r| format!("    {r},")).collect();
        format!("\n{}\n", lines.join("\n"))
    };
    let postgres = database == "postgres";
    let mut out = FIXED
        .replace("{crate}", crate_name)
        .replace("{roles}", &roles)
        .replace(
            "{start}",
            if postgres {
                START_POSTGRES
            } else {
                START_SQLITE
            },
        )
        .replace("\n{postgres}", if postgres { POSTGRES_HELPERS } else { "" });
    let factories: Vec<&Subject<'_>> = suite.subjects.iter().filter(|s| s.creatable).collect();
    if factories.is_empty() {
        return out;
    }
    out.push_str("\n/// Factories: valid rows of each entity, with the rows they refer to.\nimpl TestApp {\n");
    for (i, subject) in factories.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&factory(suite, subject));
    }
    out.push_str("}\n");
    out
}

/// The two factories of an entity.
fn factory(suite: &Suite<'_>, subject: &Subject<'_>) -> String {
    let entity = subject.entity;
    let path = rust_str(&subject.path);
    let mut body = Body::at(1);
    body.line(format!(
        "/// A valid body for `{}`: the next of its samples, with the rows its required",
        subject.path
    ));
    body.line("/// references need.");
    body.open(format!("pub async fn {}(&self) -> Value", subject.body_fn));
    let samples: Vec<String> = (0..subject.samples)
        .map(|n| {
            format!(
                "json!({})",
                write::json(&Value::Object(sample(suite, subject, n)))
            )
        })
        .collect();
    let one_line = format!("let samples = [{}];", samples.join(", "));
    if write::width(&one_line) + 8 <= 100 && write::width(&samples.join(", ")) <= 60 {
        body.line(one_line);
    } else {
        body.line("let samples = [");
        for s in &samples {
            body.line(format!("    {s},"));
        }
        body.line("];");
    }
    body.line(format!("let n = self.next_sample({path});"));
    let needs = entity.refs.iter().any(|r| r.required);
    let binding = if needs { "mut body" } else { "body" };
    body.open(format!(
        "let Some({binding}) = samples.get(n).cloned() else"
    ));
    body.call(
        "",
        "panic!",
        &[rust_str(&format!(
            "the tests make at most {} rows of {}",
            subject.samples, subject.path
        ))],
        ";",
    );
    body.close("};");
    for r in entity.refs.iter().filter(|r| r.required) {
        let target = &suite.subjects[r.target];
        let lhs = format!("body[{}] = ", rust_str(&r.wire));
        if r.unique {
            body.chain(
                &lhs,
                "self",
                &[
                    &format!("{}()", target.create_fn),
                    "await[\"id\"]",
                    "clone()",
                ],
                ";",
            );
        } else {
            let call = format!(
                "shared({}, self.{}())",
                rust_str(&target.path),
                target.create_fn
            );
            body.chain(&lhs, "self", &[&call, "await"], ";");
        }
    }
    body.line("body");
    body.close("}");
    body.line("");
    body.line(format!(
        "/// Creates a row of `{}` (and the rows it needs); the resource.",
        subject.path
    ));
    body.open(format!(
        "pub async fn {}(&self) -> Value",
        subject.create_fn
    ));
    body.line(format!("let body = self.{}().await;", subject.body_fn));
    body.chain(
        "",
        "self",
        &[&format!("create({path}, &body)"), "await"],
        "",
    );
    body.close("}");
    body.finish()
}

/// The `n`-th sample body of an entity, without its required references (optional ones are
/// `null`, id lists empty).
pub(super) fn sample(suite: &Suite<'_>, subject: &Subject<'_>, n: usize) -> Map<String, Value> {
    let mut body = Map::new();
    for f in subject.writable() {
        body.insert(f.wire.clone(), suite.sample(f, n));
    }
    for r in subject.entity.refs.iter().filter(|r| !r.required) {
        body.insert(r.wire.clone(), Value::Null);
    }
    for &j in &subject.entity.joins {
        body.insert(suite.plan.joins[j].wire.clone(), Value::Array(Vec::new()));
    }
    body
}

/// How a test of a SQLite project gets its database: its own, in memory.
const START_SQLITE: &str = r#"/// The application on a fresh SQLite database in memory.
async fn start() -> (Router, Pool, Option<(String, String)>) {
    let db = db::connect("sqlite::memory:")
        .await
        .expect("connect and migrate");
    let router = app(AppState::new(db.clone(), SECRET.as_bytes()));
    (router, db, None)
}

/// An in-memory database goes with its pool: nothing to drop.
async fn drop_database(_postgres: Option<(String, String)>) {}

impl TestApp {
    /// The application on a fresh SQLite database file, as the service runs; `finish`
    /// removes the file.
    pub async fn on_file() -> TestApp {
        let path = std::env::temp_dir().join(format!("test-{}.db", uuid::Uuid::new_v4()));
        let url = format!("sqlite://{}?mode=rwc", path.display());
        let db = db::connect(&url).await.expect("connect and migrate");
        let router = app(AppState::new(db.clone(), SECRET.as_bytes()));
        TestApp {
            router,
            db,
            postgres: None,
            file: Some(path),
            samples: Mutex::new(BTreeMap::new()),
            shared: Mutex::new(BTreeMap::new()),
        }
    }

    /// POSTs every body to `path` at once; the statuses, in the order of the bodies.
    pub async fn post_concurrently(&self, path: &str, bodies: Vec<Value>) -> Vec<StatusCode> {
        let token = self.token(ALL_ROLES);
        let mut tasks = Vec::new();
        for body in bodies {
            let request = Request::builder()
                .method("POST")
                .uri(path)
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .expect("a request");
            let router = self.router.clone();
            tasks.push(tokio::spawn(async move {
                router.oneshot(request).await.expect("a response").status()
            }));
        }
        let mut statuses = Vec::new();
        for task in tasks {
            statuses.push(task.await.expect("the request ran"));
        }
        statuses
    }
}
"#;

/// How a test of a PostgreSQL project gets its database: one made for it on the server of
/// `TEST_DATABASE_URL`, dropped by `finish`.
const START_POSTGRES: &str = r#"/// The application on a fresh PostgreSQL database of the server at `TEST_DATABASE_URL`.
async fn start() -> (Router, Pool, Option<(String, String)>) {
    let server = std::env::var("TEST_DATABASE_URL")
        .expect("TEST_DATABASE_URL: a PostgreSQL server where the tests may create databases");
    let name = format!("test_{}", uuid::Uuid::new_v4().simple());
    admin_query(&server, format!("CREATE DATABASE \"{name}\"")).await;
    let url = database_url(&server, &name);
    let db = db::connect(&url).await.expect("connect and migrate");
    let router = app(AppState::new(db.clone(), SECRET.as_bytes()));
    (router, db, Some((server, name)))
}

/// Drops the database made for a test.
async fn drop_database(postgres: Option<(String, String)>) {
    if let Some((server, name)) = postgres {
        let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        admin_query(&server, sql).await;
    }
}
"#;

/// The PostgreSQL helpers of [`START_POSTGRES`].
const POSTGRES_HELPERS: &str = r#"
/// Runs `sql` on the PostgreSQL `server`.
async fn admin_query(server: &str, sql: String) {
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect(server)
        .await
        .expect("connect to TEST_DATABASE_URL");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .execute(&pool)
        .await
        .expect("create or drop the test database");
    pool.close().await;
}

/// `server` with its database replaced by `name`.
fn database_url(server: &str, name: &str) -> String {
    let (base, query) = match server.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (server, String::new()),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    format!("{base}/{name}{query}")
}
"#;
