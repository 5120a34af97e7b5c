//! The OpenAPI document and the reference page: every route of the service is documented with
//! its methods, and the page works without any other host.

use std::collections::{BTreeMap, BTreeSet};

use reqwest::Method;
use serde_json::{Value, json};
use specforge_server::routes::{auth, common};

use crate::ops::{Served, serve};

/// Every route the service answers, written from the HTTP contract (DESIGN §3), not read from
/// the document: a route missing from the router, missing from the document, or documented
/// without being listed here fails a test below.
const ROUTES: &[(&str, &str)] = &[
    ("GET", "/health/live"),
    ("GET", "/health/ready"),
    ("GET", "/api/v1/openapi.json"),
    ("POST", "/api/v1/auth/dev-login"),
    ("GET", "/api/v1/auth/me"),
    ("GET", "/api/v1/projects"),
    ("POST", "/api/v1/projects"),
    ("GET", "/api/v1/projects/{id}"),
    ("PUT", "/api/v1/projects/{id}"),
    ("DELETE", "/api/v1/projects/{id}"),
    ("GET", "/api/v1/projects/{id}/specs"),
    ("POST", "/api/v1/projects/{id}/specs"),
    ("POST", "/api/v1/specs/validate"),
    ("GET", "/api/v1/specs/{id}"),
    ("PUT", "/api/v1/specs/{id}"),
    ("DELETE", "/api/v1/specs/{id}"),
    ("GET", "/api/v1/specs/{id}/revisions"),
    ("GET", "/api/v1/specs/{id}/revisions/{n}"),
    ("GET", "/api/v1/targets"),
    ("GET", "/api/v1/specs/{id}/generations"),
    ("POST", "/api/v1/specs/{id}/generations"),
    ("GET", "/api/v1/generations/{id}"),
    ("DELETE", "/api/v1/generations/{id}"),
    ("POST", "/api/v1/generations/{id}/cancel"),
    ("GET", "/api/v1/generations/{id}/files"),
    ("GET", "/api/v1/generations/{id}/files/{path}"),
    ("GET", "/api/v1/generations/{id}/archive"),
];

/// The routes that answer without an access token; every other route answers 401 without one
/// and is documented as requiring the bearer scheme.
const PUBLIC: &[(&str, &str)] = &[
    ("GET", "/health/live"),
    ("GET", "/health/ready"),
    ("GET", "/api/v1/openapi.json"),
    ("POST", "/api/v1/auth/dev-login"),
];

/// Methods a path may be asked with; any of them not documented for a path must be a 405.
const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE"];

/// A concrete path for a templated one: every `{param}` gets a value of the right shape.
fn concrete(path: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}').map_or(rest.len(), |e| start + e);
        let name = &rest[start + 1..end];
        out.push_str(match name {
            "n" | "revision" => "1",
            "path" | "*path" => "README.md",
            _ => "0190a5b0-0000-7000-8000-000000000000",
        });
        rest = &rest[(end + 1).min(rest.len())..];
    }
    out.push_str(rest);
    out
}

async fn document(app: &Served) -> Value {
    let r = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), 200);
    let content_type = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    let text = r.text().await.expect("body");
    serde_json::from_str(&text).expect("the document is valid JSON")
}

/// `(METHOD, path)` of every operation in the document.
fn documented(doc: &Value) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, _) in item.as_object().expect("path item") {
            if METHODS.contains(&method.to_ascii_uppercase().as_str()) {
                out.insert((method.to_ascii_uppercase(), path.clone()));
            }
        }
    }
    out
}

#[tokio::test]
async fn the_document_is_openapi_3_1_with_this_version_and_the_problem_schemas() {
    let app = serve().await;
    let doc = document(&app).await;
    let version = doc["openapi"].as_str().expect("openapi");
    assert!(version.starts_with("3.1."), "{version}");
    assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(doc["info"]["title"], "specforge API");
    assert_eq!(doc["servers"][0]["url"], "/");
    let schemas = &doc["components"]["schemas"];
    for name in ["Problem", "FieldError"] {
        assert!(schemas[name].is_object(), "schema {name}");
    }
    assert_eq!(
        schemas["Problem"]["required"],
        serde_json::json!(["type", "title", "status", "detail", "code"])
    );
}

#[tokio::test]
async fn protected_routes_are_documented_with_the_bearer_scheme_and_answer_401_without_a_token() {
    let app = serve().await;
    let doc = document(&app).await;
    let schemes = doc["components"]["securitySchemes"]
        .as_object()
        .expect("security schemes");
    for (name, scheme) in schemes {
        assert_eq!(scheme["type"], "http", "{name}");
        assert_eq!(scheme["scheme"], "bearer", "{name}");
        assert_eq!(scheme["bearerFormat"], "JWT", "{name}");
    }
    for (method, path) in ROUTES {
        let op = &doc["paths"][*path][method.to_ascii_lowercase()];
        let required: Vec<&String> = op["security"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_object)
                    .flat_map(|o| o.keys())
                    .collect()
            })
            .unwrap_or_default();
        let public = PUBLIC.contains(&(*method, *path));
        if public {
            assert!(
                required.is_empty(),
                "{method} {path} is public: {required:?}"
            );
            continue;
        }
        assert!(
            !required.is_empty(),
            "{method} {path} does not document its token"
        );
        for name in required {
            assert!(
                schemes.contains_key(name),
                "{method} {path}: unknown scheme {name}"
            );
        }
        let r = app
            .client
            .request(
                Method::from_bytes(method.as_bytes()).expect("method"),
                app.url(&concrete(path)),
            )
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .expect("request");
        assert_eq!(r.status().as_u16(), 401, "{method} {path} without a token");
    }
}

#[tokio::test]
async fn every_route_answers_and_is_documented_with_its_methods() {
    let app = serve().await;
    let doc = document(&app).await;
    let documented = documented(&doc);
    let listed: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    let undocumented: Vec<_> = listed.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "not in the document: {undocumented:?}"
    );
    let unlisted: Vec<_> = documented.difference(&listed).collect();
    assert!(
        unlisted.is_empty(),
        "documented but not in the contract list of this test: {unlisted:?}"
    );
    for (method, path) in &listed {
        let r = app
            .client
            .request(
                Method::from_bytes(method.as_bytes()).expect("method"),
                app.url(&concrete(path)),
            )
            .send()
            .await
            .expect("request");
        let status = r.status().as_u16();
        let body = r.text().await.unwrap_or_default();
        assert!(
            status != 405 && !(status == 404 && body.contains("no route matches")),
            "{method} {path} is not routed: {status} {body}"
        );
    }
}

#[tokio::test]
async fn documented_paths_answer_405_to_every_undocumented_method() {
    let app = serve().await;
    let doc = document(&app).await;
    let documented = documented(&doc);
    let paths: BTreeSet<&String> = documented.iter().map(|(_, p)| p).collect();
    for path in paths {
        for method in METHODS {
            if documented.contains(&(method.to_string(), path.clone())) {
                continue;
            }
            let r = app
                .client
                .request(
                    Method::from_bytes(method.as_bytes()).expect("method"),
                    app.url(&concrete(path)),
                )
                .send()
                .await
                .expect("request");
            assert_eq!(
                r.status().as_u16(),
                405,
                "{method} {path} answers without being documented"
            );
        }
    }
}

#[tokio::test]
async fn every_tag_of_an_operation_is_declared_and_every_operation_has_one() {
    let app = serve().await;
    let doc = document(&app).await;
    let declared: BTreeSet<&str> = doc["tags"]
        .as_array()
        .expect("tags")
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    let mut problems = BTreeMap::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("item") {
            let tags: Vec<&str> = op["tags"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            if tags.is_empty() {
                problems.insert(format!("{method} {path}"), "no tag".to_string());
            }
            for tag in tags {
                if !declared.contains(tag) {
                    problems.insert(format!("{method} {path}"), format!("undeclared tag {tag}"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{problems:?}");
}

/// `src="..."` and `href="..."` values of an HTML page.
fn references(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["src=\"", "href=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            if let Some(end) = rest.find('"') {
                out.push(rest[..end].to_string());
                rest = &rest[end..];
            }
        }
    }
    out
}

#[tokio::test]
async fn the_reference_page_is_html_whose_assets_all_come_from_this_server() {
    let app = serve().await;
    let r = app
        .client
        .get(app.url("/docs"))
        .send()
        .await
        .expect("request");
    assert!(r.status().is_redirection(), "{}", r.status());
    assert_eq!(
        r.headers().get("location").and_then(|v| v.to_str().ok()),
        Some("/docs/")
    );
    let r = app
        .client
        .get(app.url("/docs/"))
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), 200);
    let content_type = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert!(content_type.starts_with("text/html"), "{content_type}");
    let html = r.text().await.expect("body");
    assert!(
        !html.contains("http://") && !html.contains("https://") && !html.contains("//cdn"),
        "the page names another host: {html}"
    );
    let assets = references(&html);
    assert!(
        assets.iter().any(|a| a.ends_with(".js")),
        "scripts: {assets:?}"
    );
    for asset in &assets {
        assert!(!asset.starts_with("//"), "{asset}");
        let url = app.url(&format!("/docs/{}", asset.trim_start_matches("./")));
        let r = app.client.get(&url).send().await.expect("request");
        assert_eq!(r.status(), 200, "{asset} is served by the binary");
        assert!(!r.bytes().await.expect("asset").is_empty(), "{asset}");
    }
    // The page's configuration points at our document and turns off the outside validator.
    let init = app
        .client
        .get(app.url("/docs/swagger-initializer.js"))
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("body");
    assert!(init.contains("/api/v1/openapi.json"), "{init}");
    assert!(init.contains("\"validatorUrl\": \"none\""), "{init}");
    assert!(
        !init.contains("http://") && !init.contains("https://"),
        "{init}"
    );
}

/// Signs in on `app` by development login; the access token.
async fn sign_in(app: &Served, email: &str) -> String {
    let r = app
        .client
        .post(app.url("/api/v1/auth/dev-login"))
        .json(&json!({ "email": email }))
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), 200, "dev-login");
    let body: Value = r.json().await.expect("JSON");
    body["access_token"].as_str().expect("token").to_string()
}

/// `method path` with a bearer token and an optional JSON body; the status and the JSON body.
async fn call(
    app: &Served,
    method: Method,
    path: &str,
    token: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = app.client.request(method, app.url(path)).bearer_auth(token);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let r = request.send().await.expect("request");
    let status = r.status().as_u16();
    let text = r.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test]
async fn change_bodies_are_documented_with_at_least_one_property_and_an_empty_one_is_refused() {
    let app = serve().await;
    let doc = document(&app).await;
    let schemas = &doc["components"]["schemas"];
    for name in ["UpdateProject", "UpdateSpec"] {
        assert_eq!(schemas[name]["minProperties"], 1, "{name}");
    }
    let token = sign_in(&app, "empty@example.com").await;
    let (_, project) = call(
        &app,
        Method::POST,
        "/api/v1/projects",
        &token,
        &[],
        Some(json!({"name": "p"})),
    )
    .await;
    let project = project["id"].as_str().expect("project id").to_string();
    let (status, _) = call(
        &app,
        Method::PUT,
        &format!("/api/v1/projects/{project}"),
        &token,
        &[],
        Some(json!({})),
    )
    .await;
    assert_eq!(status, 422, "an empty project change");
    let spec_body = json!({"name": "s", "format": "yaml", "content": "entities: {}"});
    let (_, spec) = call(
        &app,
        Method::POST,
        &format!("/api/v1/projects/{project}/specs"),
        &token,
        &[],
        Some(spec_body),
    )
    .await;
    let spec = spec["id"].as_str().expect("spec id").to_string();
    let (status, _) = call(
        &app,
        Method::PUT,
        &format!("/api/v1/specs/{spec}"),
        &token,
        &[],
        Some(json!({})),
    )
    .await;
    assert_eq!(status, 422, "an empty specification change");
}

#[tokio::test]
async fn names_and_addresses_are_documented_with_the_patterns_the_server_checks() {
    let app = serve().await;
    let doc = document(&app).await;
    let schemas = &doc["components"]["schemas"];
    for (schema, max) in [
        ("CreateProject", 100),
        ("UpdateProject", 100),
        ("CreateSpec", 200),
        ("UpdateSpec", 200),
    ] {
        let name = &schemas[schema]["properties"]["name"];
        assert_eq!(
            name["pattern"],
            common::name_pattern(max, false),
            "{schema}"
        );
        assert_eq!(name["minLength"], 1, "{schema}");
        // A length limit on the untrimmed text would refuse names the server accepts.
        assert!(name.get("maxLength").is_none(), "{schema}: {name}");
    }
    let login = &schemas["DevLoginRequest"]["properties"];
    assert_eq!(login["name"]["pattern"], common::name_pattern(100, true));
    assert_eq!(login["name"]["type"], json!(["string", "null"]));
    assert_eq!(login["email"]["pattern"], auth::email_pattern());
    assert_eq!(login["email"]["maxLength"], 254);
    assert!(login["email"].get("format").is_none(), "{}", login["email"]);

    // The server's side of the same rules: a control character anywhere is refused, and
    // surrounding spaces of any kind the pattern allows are trimmed.
    let token = sign_in(&app, "names@example.com").await;
    for (name, status) in [
        ("\tTabbed", 422),
        ("Line\n", 422),
        ("\u{85}Next", 422),
        ("\u{3000}\u{a0}Wide\u{2028}", 201),
        ("   ", 422),
    ] {
        let (got, body) = call(
            &app,
            Method::POST,
            "/api/v1/projects",
            &token,
            &[],
            Some(json!({ "name": name })),
        )
        .await;
        assert_eq!(got, status, "{name:?}: {body}");
    }
    let long = format!("  {}  ", "x".repeat(100));
    let (got, body) = call(
        &app,
        Method::POST,
        "/api/v1/projects",
        &token,
        &[],
        Some(json!({ "name": long })),
    )
    .await;
    assert_eq!(got, 201, "100 characters once trimmed: {body}");
}

#[tokio::test]
async fn each_list_documents_the_form_of_its_own_cursor_and_if_match_its_form() {
    let app = serve().await;
    let doc = document(&app).await;
    let cursor_pattern = |path: &str| -> Value {
        doc["paths"][path]["get"]["parameters"]
            .as_array()
            .expect("parameters")
            .iter()
            .find(|p| p["name"] == "cursor")
            .map(|p| p["schema"]["pattern"].clone())
            .unwrap_or(Value::Null)
    };
    assert_eq!(cursor_pattern("/api/v1/projects"), "^(p[0-9a-f]{32})?$");
    assert_eq!(
        cursor_pattern("/api/v1/projects/{id}/specs"),
        "^(s[0-9a-f]{32})?$"
    );
    assert_eq!(
        cursor_pattern("/api/v1/specs/{id}/revisions"),
        "^(r[1-9][0-9]{0,17})?$"
    );
    assert_eq!(
        cursor_pattern("/api/v1/specs/{id}/generations"),
        "^(g[0-9a-f]{32})?$"
    );
    let if_match = doc["paths"]["/api/v1/specs/{id}"]["put"]["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .find(|p| p["name"] == "If-Match")
        .expect("If-Match")
        .clone();
    assert_eq!(if_match["required"], false);
    assert_eq!(
        if_match["schema"]["type"], "string",
        "a header is never null"
    );
    assert_eq!(
        if_match["schema"]["pattern"],
        r#"^(\*|"[0-9]{1,18}"|[0-9]{1,18})$"#
    );

    // A real next_cursor has the documented form, and any text of that form is a position.
    let token = sign_in(&app, "cursors@example.com").await;
    for name in ["a", "b"] {
        call(
            &app,
            Method::POST,
            "/api/v1/projects",
            &token,
            &[],
            Some(json!({ "name": name })),
        )
        .await;
    }
    let (_, page) = call(
        &app,
        Method::GET,
        "/api/v1/projects?limit=1",
        &token,
        &[],
        None,
    )
    .await;
    let next = page["next_cursor"].as_str().expect("a next cursor");
    assert!(
        next.len() == 33
            && next.starts_with('p')
            && next[1..]
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        "{next}"
    );
    let any = format!("p{}", "0".repeat(32));
    let (status, _) = call(
        &app,
        Method::GET,
        &format!("/api/v1/projects?cursor={any}"),
        &token,
        &[],
        None,
    )
    .await;
    assert_eq!(status, 200, "a cursor of the documented form");
    let upper = format!("p{}", "A".repeat(32));
    let (status, _) = call(
        &app,
        Method::GET,
        &format!("/api/v1/projects?cursor={upper}"),
        &token,
        &[],
        None,
    )
    .await;
    assert_eq!(status, 400, "a cursor outside the pattern");
}
