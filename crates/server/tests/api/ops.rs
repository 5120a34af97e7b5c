//! Operations: problem documents for everything the server can answer, request ids, readiness,
//! timeouts and panics, through the real layers of `app::router_with`.

use std::io::{Read as _, Write as _};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::StatusCode;
use axum::routing::{get, post};
use specforge_server::app;
use specforge_server::auth::{AuthUser, Keys};
use specforge_server::config::{Config, ServeArgs};
use specforge_server::error::ApiError;
use specforge_server::extract::ApiJson;
use specforge_server::state::AppState;
use specforge_server::store::Store;
use tokio::task::JoinHandle;

use crate::databases::{Backend, TestDatabase};

/// A server on a free port of 127.0.0.1, serving the real application plus `extra` routes.
pub struct Served {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The address.
    pub addr: SocketAddr,
    /// A client that does not follow redirects.
    pub client: reqwest::Client,
    /// The state the server runs with.
    pub state: AppState,
    task: JoinHandle<()>,
    _db: TestDatabase,
}

impl Drop for Served {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Served {
    /// `base` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A valid access token for a new user id (no user row needed for `AuthUser`).
    pub fn token(&self) -> String {
        self.state
            .keys
            .issue(uuid::Uuid::now_v7())
            .expect("issue a token")
            .token
    }
}

/// The default configuration with a test signing secret, changed by `tweak`.
pub fn test_config(db: &TestDatabase, tweak: impl FnOnce(&mut Config)) -> Config {
    let mut config = Config::from_args(&ServeArgs {
        database_url: Some(db.url.clone()),
        jwt_secret_key: Some("a-test-secret-that-is-long-enough-for-hs256".into()),
        ..ServeArgs::default()
    })
    .expect("test configuration");
    tweak(&mut config);
    config
}

/// Serves the application with `extra` routes on a fresh database of `backend`; `None` when
/// that backend is unavailable (PostgreSQL not running and not required).
pub async fn serve_with(
    backend: Backend,
    extra: Router<AppState>,
    tweak: impl FnOnce(&mut Config),
) -> Option<Served> {
    let db = TestDatabase::new(backend).await?;
    let config = test_config(&db, tweak);
    let store = Store::connect(&db.url, 4).await.expect("open the database");
    store.migrate().await.expect("migrate");
    let keys = Keys::load(&config).expect("keys");
    let state = AppState::new(store, Arc::new(keys), Arc::new(config));
    let app = app::router_with(state.clone(), extra);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    let task = tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await;
    });
    Some(Served {
        base: format!("http://{addr}"),
        addr,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(20))
            .build()
            .expect("client"),
        state,
        task,
        _db: db,
    })
}

/// The real application alone, on SQLite.
pub async fn serve() -> Served {
    serve_with(Backend::Sqlite, Router::new(), |_| {})
        .await
        .expect("SQLite is always available")
}

/// Routes the real application does not have, mounted under its layers by these tests.
fn test_routes() -> Router<AppState> {
    async fn echo(ApiJson(value): ApiJson<serde_json::Value>) -> axum::Json<serde_json::Value> {
        axum::Json(value)
    }
    async fn whoami(user: AuthUser) -> String {
        user.id.to_string()
    }
    async fn panics() -> &'static str {
        panic!("secret panic detail 7f3a");
    }
    async fn slow() -> &'static str {
        tokio::time::sleep(Duration::from_secs(5)).await;
        "late"
    }
    async fn fails() -> Result<(), ApiError> {
        tracing::info!("about to fail");
        Err(ApiError::Internal(anyhow::anyhow!(
            "secret internal cause 9c1e"
        )))
    }
    async fn plain_rejection(axum::extract::Path(id): axum::extract::Path<uuid::Uuid>) -> String {
        id.to_string()
    }
    Router::new()
        .route("/test/echo", post(echo))
        .route("/test/whoami", get(whoami))
        .route("/test/panic", get(panics))
        .route("/test/slow", get(slow))
        .route("/test/fail", get(fails))
        .route("/test/uuid/{id}", get(plain_rejection))
}

async fn serve_test_routes(tweak: impl FnOnce(&mut Config)) -> Served {
    serve_with(Backend::Sqlite, test_routes(), tweak)
        .await
        .expect("SQLite is always available")
}

/// Asserts a problem document with `status` and `code`, and returns it.
pub async fn assert_problem(
    response: reqwest::Response,
    status: u16,
    code: &str,
) -> serde_json::Value {
    assert_eq!(response.status().as_u16(), status, "status");
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert_eq!(content_type, "application/problem+json");
    assert!(
        response.headers().contains_key("x-request-id"),
        "every response carries X-Request-Id"
    );
    let body: serde_json::Value = response.json().await.expect("a JSON problem");
    assert_eq!(body["status"], status, "{body}");
    assert_eq!(body["code"], code, "{body}");
    for field in ["type", "title", "detail"] {
        assert!(body[field].is_string(), "`{field}` in {body}");
    }
    body
}

/// Sends raw bytes on a new connection and returns the whole response text (the connection is
/// closed by the request).
fn raw_request(addr: SocketAddr, request: &[u8]) -> String {
    let mut stream = std::net::TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    stream.write_all(request).expect("write");
    let mut out = Vec::new();
    let _ = stream.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test]
async fn an_unknown_route_is_a_404_problem() {
    let app = serve().await;
    let r = app
        .client
        .get(app.url("/api/v1/no-such-thing"))
        .send()
        .await
        .expect("request");
    assert_problem(r, 404, "not_found").await;
    let r = app
        .client
        .post(app.url("/nowhere"))
        .send()
        .await
        .expect("request");
    assert_problem(r, 404, "not_found").await;
}

#[tokio::test]
async fn a_wrong_method_is_a_405_problem_with_an_allow_header() {
    let app = serve().await;
    let r = app
        .client
        .delete(app.url("/health/live"))
        .send()
        .await
        .expect("request");
    let allow = r
        .headers()
        .get("allow")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    assert_problem(r, 405, "method_not_allowed").await;
    let allow = allow.expect("an Allow header");
    let methods: Vec<&str> = allow.split(',').map(str::trim).collect();
    assert!(methods.contains(&"GET"), "Allow: {allow}");
    assert!(!methods.contains(&"DELETE"), "Allow: {allow}");

    let r = app
        .client
        .post(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .expect("request");
    assert!(r.headers().contains_key("allow"));
    assert_problem(r, 405, "method_not_allowed").await;
}

#[tokio::test]
async fn a_body_over_the_limit_is_a_413_problem_with_a_declared_length() {
    let app = serve_test_routes(|c| c.max_body_bytes = 1024).await;
    let body = format!("{{\"text\": \"{}\"}}", "x".repeat(4000));
    let r = app
        .client
        .post(app.url("/test/echo"))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("request");
    assert_problem(r, 413, "payload_too_large").await;
    // Under the limit the same route answers.
    let r = app
        .client
        .post(app.url("/test/echo"))
        .header("content-type", "application/json")
        .body("{\"text\": \"short\"}")
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_streamed_body_over_the_limit_is_a_413_problem() {
    let app = serve_test_routes(|c| c.max_body_bytes = 1024).await;
    let addr = app.addr;
    let response = tokio::task::spawn_blocking(move || {
        let mut request =
            b"POST /test/echo HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n\
Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                .to_vec();
        let chunk = format!("[\"{}\"]", "y".repeat(600));
        for _ in 0..4 {
            request.extend_from_slice(format!("{:x}\r\n{chunk}\r\n", chunk.len()).as_bytes());
        }
        request.extend_from_slice(b"0\r\n\r\n");
        raw_request(addr, &request)
    })
    .await
    .expect("raw request");
    assert!(
        response.starts_with("HTTP/1.1 413"),
        "chunked body over the limit: {response}"
    );
    let lower = response.to_ascii_lowercase();
    assert!(lower.contains("content-type: application/problem+json"));
    assert!(lower.contains("x-request-id:"));
    assert!(response.contains("\"payload_too_large\""));
}

#[tokio::test]
async fn a_body_that_is_not_json_is_415_and_malformed_json_is_400() {
    let app = serve_test_routes(|_| {}).await;
    let r = app
        .client
        .post(app.url("/test/echo"))
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .expect("request");
    assert_problem(r, 415, "unsupported_media_type").await;
    let r = app
        .client
        .post(app.url("/test/echo"))
        .header("content-type", "application/json")
        .body("{\"a\": ")
        .send()
        .await
        .expect("request");
    assert_problem(r, 400, "bad_request").await;
}

#[tokio::test]
async fn a_plain_text_rejection_of_an_extractor_becomes_a_400_problem() {
    let app = serve_test_routes(|_| {}).await;
    let r = app
        .client
        .get(app.url("/test/uuid/not-a-uuid"))
        .send()
        .await
        .expect("request");
    let body = assert_problem(r, 400, "bad_request").await;
    assert!(
        body["detail"].as_str().unwrap_or("").contains("UUID"),
        "the rejection's own words are kept: {body}"
    );
}

#[tokio::test]
async fn a_missing_or_bad_token_is_a_401_problem() {
    let app = serve_test_routes(|_| {}).await;
    let r = app
        .client
        .get(app.url("/test/whoami"))
        .send()
        .await
        .expect("request");
    assert_problem(r, 401, "unauthorized").await;
    let r = app
        .client
        .get(app.url("/test/whoami"))
        .bearer_auth("not-a-token")
        .send()
        .await
        .expect("request");
    assert_problem(r, 401, "unauthorized").await;
    let r = app
        .client
        .get(app.url("/test/whoami"))
        .bearer_auth(app.token())
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_panicking_handler_answers_500_and_the_server_keeps_serving() {
    let app = serve_test_routes(|_| {}).await;
    for _ in 0..3 {
        let r = app
            .client
            .get(app.url("/test/panic"))
            .send()
            .await
            .expect("the connection survives the panic");
        let body = assert_problem(r, 500, "internal_error").await;
        assert!(
            !body.to_string().contains("7f3a"),
            "the panic message stays in the log: {body}"
        );
    }
    let r = app
        .client
        .get(app.url("/health/live"))
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_request_over_the_timeout_is_a_503_problem() {
    let app = serve_test_routes(|c| c.request_timeout = Duration::from_millis(300)).await;
    let started = Instant::now();
    let r = app
        .client
        .get(app.url("/test/slow"))
        .send()
        .await
        .expect("request");
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_problem(r, 503, "service_unavailable").await;
}

#[tokio::test]
async fn an_internal_error_hides_its_cause_from_the_client() {
    let app = serve_test_routes(|_| {}).await;
    let r = app
        .client
        .get(app.url("/test/fail"))
        .send()
        .await
        .expect("request");
    let body = assert_problem(r, 500, "internal_error").await;
    assert!(!body.to_string().contains("9c1e"), "{body}");
}

#[tokio::test]
async fn a_sane_request_id_is_echoed_and_any_other_is_replaced() {
    let app = serve_test_routes(|c| c.max_body_bytes = 1024).await;
    let id_of = |r: &reqwest::Response| {
        r.headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .expect("X-Request-Id")
    };
    // Echoed on a success, a routing error, a method error and a body-limit error alike.
    let sane = "client-id_42.abc:XYZ";
    for request in [
        app.client.get(app.url("/health/live")),
        app.client.get(app.url("/missing")),
        app.client.delete(app.url("/health/live")),
        app.client
            .post(app.url("/test/echo"))
            .header("content-type", "application/json")
            .body("x".repeat(5000)),
        app.client.get(app.url("/test/panic")),
    ] {
        let r = request
            .header("x-request-id", sane)
            .send()
            .await
            .expect("request");
        assert_eq!(id_of(&r), sane);
    }
    for insane in ["has space", &"a".repeat(129), "tab\there"] {
        let r = app
            .client
            .get(app.url("/health/live"))
            .header("x-request-id", insane)
            .send()
            .await
            .expect("request");
        let id = id_of(&r);
        assert_ne!(id, insane);
        assert!(uuid::Uuid::parse_str(&id).is_ok(), "a new UUID: {id}");
    }
    let r = app
        .client
        .get(app.url("/health/live"))
        .header("x-request-id", "a".repeat(128))
        .send()
        .await
        .expect("request");
    assert_eq!(id_of(&r), "a".repeat(128));
    // Without one, each response gets its own.
    let a = id_of(
        &app.client
            .get(app.url("/health/live"))
            .send()
            .await
            .expect("request"),
    );
    let b = id_of(
        &app.client
            .get(app.url("/health/live"))
            .send()
            .await
            .expect("request"),
    );
    assert_ne!(a, b);
}

/// Collects what the subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| std::io::Error::other("poisoned"))?
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

// The subscriber is set for this thread only; the single-threaded runtime runs the server's
// tasks on this thread, so it sees every line they log.
#[tokio::test(flavor = "current_thread")]
async fn every_log_line_of_a_request_carries_its_request_id_and_the_hidden_cause() {
    let app = serve_test_routes(|_| {}).await;
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_current_span(true)
        .with_max_level(tracing::Level::INFO)
        .with_writer(captured.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    // Another test's thread, with no subscriber, may have registered the server's span and
    // event sites a moment ago and cached "never" for them: ask every site again.
    tracing::callsite::rebuild_interest_cache();
    let r = app
        .client
        .get(app.url("/test/fail"))
        .header("x-request-id", "trace-me-123")
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let _ = r.bytes().await;
    let text = String::from_utf8(captured.0.lock().expect("lock").clone()).expect("utf-8");
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON log line"))
        .collect();
    assert!(
        lines.len() >= 3,
        "the handler's line, the error and the response: {text}"
    );
    for line in &lines {
        assert_eq!(line["span"]["request_id"], "trace-me-123", "{line}");
    }
    assert!(
        text.contains("9c1e"),
        "the internal cause is in the log: {text}"
    );
    assert!(lines.iter().any(|l| l["message"] == "about to fail"));
}

async fn readiness_follows_the_database(backend: Backend) {
    let Some(app) = serve_with(backend, Router::new(), |_| {}).await else {
        return;
    };
    let r = app
        .client
        .get(app.url("/health/ready"))
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), StatusCode::OK);
    let body: serde_json::Value = r.json().await.expect("json");
    assert_eq!(body["status"], "ready");
    assert_eq!(body["checks"]["database"], "ok");

    app.state.store.close().await;
    let started = Instant::now();
    let r = app
        .client
        .get(app.url("/health/ready"))
        .send()
        .await
        .expect("request");
    assert!(
        started.elapsed() < Duration::from_millis(2500),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.headers().contains_key("x-request-id"));
    let body: serde_json::Value = r.json().await.expect("json");
    assert_eq!(body["status"], "unavailable");
    let database = body["checks"]["database"].as_str().unwrap_or("");
    assert!(database.starts_with("error"), "{body}");
    // Liveness does not depend on the database.
    let r = app
        .client
        .get(app.url("/health/live"))
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), StatusCode::OK);
    let body: serde_json::Value = r.json().await.expect("json");
    assert_eq!(body, serde_json::json!({"status": "ok"}));
}

#[tokio::test]
async fn readiness_is_503_within_two_seconds_once_the_sqlite_database_is_gone() {
    readiness_follows_the_database(Backend::Sqlite).await;
}

#[tokio::test]
async fn readiness_is_503_within_two_seconds_once_the_postgres_database_is_gone() {
    readiness_follows_the_database(Backend::Postgres).await;
}
