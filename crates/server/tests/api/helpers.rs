//! `TestApp`: the whole service on its own database, served on a free port, with typed methods
//! that speak real HTTP to it.
//!
//! Scenarios are `async fn name(app: TestApp)`; `on_both_backends!(name, ...)` turns each into
//! two tests, `name::sqlite` and `name::postgres`.

use std::path::PathBuf;
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::{Value, json};
use specforge_server::auth::Keys;
use specforge_server::config::{Config, ServeArgs};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use uuid::Uuid;

use crate::databases::{Backend, TestDatabase};

/// The signing secret of every test server.
pub const JWT_SECRET: &str = "test-secret-that-is-long-enough-for-hs256-0123456789";

/// A running service and a client for it.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// The client, with a timeout.
    pub client: reqwest::Client,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<anyhow::Result<()>>>,
    data_dir: PathBuf,
    // Dropped last: the server's connections go before the database does.
    _database: TestDatabase,
}

impl TestApp {
    /// A service with the test defaults on `backend`; `None` when PostgreSQL is unavailable and
    /// not required.
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        Self::spawn_with(backend, |_| {}).await
    }

    /// A service whose settings `configure` may change first.
    pub async fn spawn_with(
        backend: Backend,
        configure: impl FnOnce(&mut ServeArgs),
    ) -> Option<TestApp> {
        let database = TestDatabase::new(backend).await?;
        let data_dir =
            std::env::temp_dir().join(format!("specforge-data-{}", Uuid::now_v7().simple()));
        std::fs::create_dir_all(&data_dir).expect("create the data folder");
        let mut args = ServeArgs {
            database_url: Some(database.url.clone()),
            data_dir: Some(data_dir.display().to_string()),
            jwt_secret_key: Some(JWT_SECRET.into()),
            bind_addr: Some("127.0.0.1:0".into()),
            ..ServeArgs::default()
        };
        configure(&mut args);
        let config = Config::from_args(&args).expect("a valid test configuration");
        let state = specforge_server::prepare(config)
            .await
            .expect("prepare the service");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a free port");
        let address = format!("http://{}", listener.local_addr().expect("local address"));
        let (tx, rx) = oneshot::channel::<()>();
        let server = tokio::spawn(specforge_server::run(listener, state, async move {
            let _ = rx.await;
        }));
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("an HTTP client");
        Some(TestApp {
            address,
            client,
            shutdown: Some(tx),
            server: Some(server),
            data_dir,
            _database: database,
        })
    }

    /// The absolute URL of an API path (`/projects` -> `http://.../api/v1/projects`).
    pub fn url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.address)
    }

    /// A request to an API path, with the bearer token when given.
    pub fn request(&self, method: Method, path: &str, token: Option<&str>) -> RequestBuilder {
        let builder = self.client.request(method, self.url(path));
        match token {
            Some(token) => builder.header(AUTHORIZATION, format!("Bearer {token}")),
            None => builder,
        }
    }

    /// `GET path`.
    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        self.request(Method::GET, path, token)
            .send()
            .await
            .expect("GET")
    }

    /// `POST path` with a JSON body.
    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        self.request(Method::POST, path, token)
            .json(body)
            .send()
            .await
            .expect("POST")
    }

    /// `PUT path` with a JSON body.
    pub async fn put(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        self.request(Method::PUT, path, token)
            .json(body)
            .send()
            .await
            .expect("PUT")
    }

    /// `DELETE path`.
    pub async fn delete(&self, path: &str, token: Option<&str>) -> Response {
        self.request(Method::DELETE, path, token)
            .send()
            .await
            .expect("DELETE")
    }

    /// `POST path` with a raw body and content type.
    pub async fn post_raw(
        &self,
        path: &str,
        token: Option<&str>,
        content_type: Option<&str>,
        body: impl Into<reqwest::Body>,
    ) -> Response {
        let mut builder = self.request(Method::POST, path, token).body(body);
        if let Some(content_type) = content_type {
            builder = builder.header(CONTENT_TYPE, content_type);
        }
        builder.send().await.expect("POST")
    }

    /// Development login; the whole answer.
    pub async fn login(&self, email: &str) -> Value {
        let response = self
            .post("/auth/dev-login", None, &json!({ "email": email }))
            .await;
        json_body(response, StatusCode::OK).await
    }

    /// Development login; the access token.
    pub async fn dev_login(&self, email: &str) -> String {
        self.login(email).await["access_token"]
            .as_str()
            .expect("an access token")
            .to_string()
    }

    /// An access token for any user id, signed with this server's key.
    pub fn token_for(&self, user: Uuid) -> String {
        Keys::from_secret(JWT_SECRET.as_bytes(), Duration::from_secs(900))
            .issue(user)
            .expect("issue a token")
            .token
    }

    /// Creates a project; the project.
    pub async fn create_project(&self, token: &str, name: &str) -> Value {
        let response = self
            .post("/projects", Some(token), &json!({ "name": name }))
            .await;
        json_body(response, StatusCode::CREATED).await
    }

    /// Creates a specification in a project; the specification.
    pub async fn create_spec(
        &self,
        token: &str,
        project_id: &str,
        name: &str,
        format: &str,
        content: &str,
    ) -> Value {
        let response = self
            .post(
                &format!("/projects/{project_id}/specs"),
                Some(token),
                &json!({ "name": name, "format": format, "content": content }),
            )
            .await;
        json_body(response, StatusCode::CREATED).await
    }

    /// Every item of a list, following `next_cursor`, with the size of each page.
    pub async fn read_all(&self, path: &str, token: &str, limit: u32) -> (Vec<Value>, Vec<usize>) {
        let mut items = Vec::new();
        let mut sizes = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let separator = if path.contains('?') { '&' } else { '?' };
            let mut page_path = format!("{path}{separator}limit={limit}");
            if let Some(cursor) = &cursor {
                page_path.push_str(&format!("&cursor={cursor}"));
            }
            let page = json_body(self.get(&page_path, Some(token)).await, StatusCode::OK).await;
            let page_items = page["items"].as_array().expect("items").clone();
            sizes.push(page_items.len());
            items.extend(page_items);
            match &page["next_cursor"] {
                Value::Null => break,
                Value::String(next) => cursor = Some(next.clone()),
                other => panic!("next_cursor is neither a string nor null: {other}"),
            }
            assert!(sizes.len() < 100, "the pages never end");
        }
        (items, sizes)
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server.abort();
        }
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

/// The text of a file in the repository's `examples/` folder.
pub fn example(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read the example {}: {e}", path.display()))
}

/// The JSON body of a response that must have `status`.
pub async fn json_body(response: Response, status: StatusCode) -> Value {
    let actual = response.status();
    let url = response.url().clone();
    let text = response.text().await.expect("a body");
    assert_eq!(actual, status, "{url} answered {actual}: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{url}: not JSON ({e}): {text}"))
}

/// The problem document of a response that must have `status` and `code`.
pub async fn problem(response: Response, status: StatusCode, code: &str) -> Value {
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body = json_body(response, status).await;
    assert_eq!(
        content_type, "application/problem+json",
        "problem content type: {body}"
    );
    assert_eq!(body["code"], code, "problem code: {body}");
    assert_eq!(body["status"], status.as_u16(), "problem status: {body}");
    body
}

/// An RFC 3339 timestamp of a response.
pub fn timestamp(value: &Value) -> time::OffsetDateTime {
    let text = value.as_str().expect("a timestamp is a string");
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|e| panic!("{text} is not RFC 3339: {e}"))
}

/// The fields named by a 422 problem's `errors`.
pub fn error_fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .expect("a validation problem has errors")
        .iter()
        .map(|e| e["field"].as_str().expect("field").to_string())
        .collect()
}

/// Runs each scenario `async fn name(app: TestApp)` as two tests, `name::sqlite` and
/// `name::postgres`, each on a fresh database.
macro_rules! on_both_backends {
    ($($scenario:ident),* $(,)?) => {
        $(
            mod $scenario {
                #[tokio::test]
                async fn sqlite() {
                    if let Some(app) =
                        crate::helpers::TestApp::spawn(crate::databases::Backend::Sqlite).await
                    {
                        super::$scenario(app).await;
                    }
                }

                #[tokio::test]
                async fn postgres() {
                    if let Some(app) =
                        crate::helpers::TestApp::spawn(crate::databases::Backend::Postgres).await
                    {
                        super::$scenario(app).await;
                    }
                }
            }
        )*
    };
}
pub(crate) use on_both_backends;
