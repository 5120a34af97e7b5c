//! Generation: `GET /targets`, `/specs/{id}/generations`, `/generations/{id}` with its files
//! and archives, run by the server's own workers.

use std::collections::BTreeMap;
use std::io::Read as _;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::header::{CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_TYPE, LOCATION};
use serde_json::{Value, json};
use specforge_server::config::ServeArgs;

use crate::helpers::{TestApp, error_fields, example, json_body, on_both_backends, problem};

on_both_backends!(
    the_targets_are_listed_with_language_framework_and_an_options_schema,
    a_generation_is_queued_run_and_its_files_and_archives_read_back,
    the_api_digest_is_the_engines_digest_for_the_same_revision_target_and_options,
    deleting_a_generation_or_its_project_removes_it,
    another_users_generations_are_404,
    an_unknown_target_or_option_is_422_with_the_known_ones,
    an_invalid_spec_is_422_with_its_diagnostics_and_queues_nothing,
);

/// Scenarios that need settings of their own: each runs on both backends.
macro_rules! on_both_backends_with {
    ($configure:expr => $($scenario:ident),* $(,)?) => {
        $(
            mod $scenario {
                #[tokio::test]
                async fn sqlite() {
                    if let Some(app) = crate::helpers::TestApp::spawn_with(
                        crate::databases::Backend::Sqlite,
                        $configure,
                    )
                    .await
                    {
                        super::$scenario(app).await;
                    }
                }

                #[tokio::test]
                async fn postgres() {
                    if let Some(app) = crate::helpers::TestApp::spawn_with(
                        crate::databases::Backend::Postgres,
                        $configure,
                    )
                    .await
                    {
                        super::$scenario(app).await;
                    }
                }
            }
        )*
    };
}

fn no_workers(args: &mut ServeArgs) {
    args.worker_concurrency = Some("0".into());
}

fn one_file_at_most(args: &mut ServeArgs) {
    args.generation_max_files = Some("1".into());
}

on_both_backends_with!(super::no_workers =>
    a_queued_generation_can_be_canceled_and_then_has_no_files,
    generations_are_listed_newest_first_in_pages,
);
on_both_backends_with!(super::one_file_at_most =>
    a_generation_over_the_file_cap_fails_and_has_no_archive,
);

fn id(value: &Value) -> String {
    value["id"].as_str().expect("id").to_string()
}

/// A user with a project and a specification of `text` (YAML); the token and the spec id.
async fn user_with_spec(app: &TestApp, email: &str, text: &str) -> (String, String) {
    let token = app.dev_login(email).await;
    let project = app.create_project(&token, "Shop").await;
    let spec = app
        .create_spec(&token, &id(&project), "bookstore", "yaml", text)
        .await;
    (token, id(&spec))
}

async fn queue(app: &TestApp, token: &str, spec: &str, body: &Value) -> Value {
    let response = app
        .post(&format!("/specs/{spec}/generations"), Some(token), body)
        .await;
    let location = response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let generation = json_body(response, StatusCode::ACCEPTED).await;
    assert_eq!(
        location.as_deref(),
        Some(format!("/api/v1/generations/{}", id(&generation)).as_str())
    );
    generation
}

/// Polls a generation until it has ended; the generation.
async fn finished(app: &TestApp, token: &str, generation: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let current = json_body(
            app.get(&format!("/generations/{generation}"), Some(token))
                .await,
            StatusCode::OK,
        )
        .await;
        let status = current["status"].as_str().expect("status");
        if matches!(status, "succeeded" | "failed" | "canceled") {
            return current;
        }
        assert!(
            matches!(status, "queued" | "running"),
            "unknown status {status}"
        );
        assert!(Instant::now() < deadline, "still {status} after 60 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    specforge_codegen::sha256_hex(bytes)
}

async fn the_targets_are_listed_with_language_framework_and_an_options_schema(app: TestApp) {
    let token = app.dev_login("ada@example.com").await;
    problem(
        app.get("/targets", None).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    let targets = json_body(app.get("/targets", Some(&token)).await, StatusCode::OK).await;
    let names: Vec<&str> = targets
        .as_array()
        .expect("an array")
        .iter()
        .map(|t| t["name"].as_str().expect("name"))
        .collect();
    assert_eq!(
        names,
        [
            "openapi",
            "python-fastapi",
            "rust-axum",
            "sql-postgres",
            "sql-sqlite"
        ]
    );
    let axum = &targets[2];
    assert_eq!(axum["language"], "Rust");
    assert_eq!(axum["framework"], "axum");
    assert!(axum["description"].as_str().is_some_and(|d| !d.is_empty()));
    let options = &axum["options"];
    assert_eq!(options["type"], "object");
    assert_eq!(options["additionalProperties"], false);
    assert_eq!(options["properties"]["crate_name"]["type"], "string");
    assert_eq!(
        targets[0]["options"]["properties"]["server_url"]["default"],
        "http://localhost:8000"
    );
    assert_eq!(targets[3]["framework"], "PostgreSQL");
}

async fn a_generation_is_queued_run_and_its_files_and_archives_read_back(app: TestApp) {
    let (token, spec) = user_with_spec(&app, "ada@example.com", &example("bookstore.yaml")).await;
    let queued = queue(
        &app,
        &token,
        &spec,
        &json!({"target": "rust-axum", "options": {"crate_name": "shop"}}),
    )
    .await;
    assert_eq!(queued["status"], "queued");
    assert_eq!(queued["spec_id"], spec.as_str());
    assert_eq!(queued["spec_revision"], 1);
    assert_eq!(queued["target"], "rust-axum");
    assert_eq!(
        queued["options"],
        json!({"crate_name": "shop", "database": "sqlite"})
    );
    assert_eq!(queued["progress"], 0);
    assert!(queued["digest"].is_null() && queued["file_count"].is_null());
    let generation = id(&queued);

    let done = finished(&app, &token, &generation).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["progress"], 100);
    assert!(done["error"].is_null());
    assert!(done["started_at"].is_string() && done["finished_at"].is_string());
    let digest = done["digest"].as_str().expect("a digest");
    assert_eq!(digest.len(), 64);

    // The file list.
    let files = json_body(
        app.get(&format!("/generations/{generation}/files"), Some(&token))
            .await,
        StatusCode::OK,
    )
    .await;
    let files: BTreeMap<String, (u64, String)> = files
        .as_array()
        .expect("an array")
        .iter()
        .map(|f| {
            (
                f["path"].as_str().expect("path").to_string(),
                (
                    f["size"].as_u64().expect("size"),
                    f["sha256"].as_str().expect("sha256").to_string(),
                ),
            )
        })
        .collect();
    assert_eq!(
        files.len() as u64,
        done["file_count"].as_u64().expect("count")
    );
    assert_eq!(
        files.values().map(|(size, _)| size).sum::<u64>(),
        done["total_bytes"].as_u64().expect("bytes")
    );
    assert!(files.contains_key("Cargo.toml") && files.contains_key("src/main.rs"));

    // One file, read by its path with its slashes.
    let response = app
        .get(
            &format!("/generations/{generation}/files/src/main.rs"),
            Some(&token),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[CONTENT_TYPE].to_str().expect("type"),
        "text/plain; charset=utf-8"
    );
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    let bytes = response.bytes().await.expect("bytes");
    assert_eq!(sha256_hex(&bytes), files["src/main.rs"].1);
    assert_eq!(bytes.len() as u64, files["src/main.rs"].0);
    let missing = app
        .get(
            &format!("/generations/{generation}/files/no/such.file"),
            Some(&token),
        )
        .await;
    problem(missing, StatusCode::NOT_FOUND, "not_found").await;

    // Both archives, unpacked and compared with the file list.
    for format in ["zip", "tar.gz"] {
        let response = app
            .get(
                &format!("/generations/{generation}/archive?format={format}"),
                Some(&token),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK, "{format}");
        let disposition = response.headers()[CONTENT_DISPOSITION]
            .to_str()
            .expect("disposition")
            .to_string();
        assert_eq!(
            disposition,
            format!("attachment; filename=\"bookstore-rust-axum.{format}\"")
        );
        let media = if format == "zip" {
            "application/zip"
        } else {
            "application/gzip"
        };
        assert_eq!(response.headers()[CONTENT_TYPE], media);
        assert!(
            response.headers().get(CONTENT_LENGTH).is_none(),
            "{format}: sent while it is written, its length unknown beforehand"
        );
        let bytes = response.bytes().await.expect("the archive").to_vec();
        let unpacked = unpack(format, &bytes);
        let listed: BTreeMap<String, String> = files
            .iter()
            .map(|(path, (_, sha))| (format!("bookstore-rust-axum/{path}"), sha.clone()))
            .collect();
        let found: BTreeMap<String, String> = unpacked
            .iter()
            .map(|(path, contents)| (path.clone(), sha256_hex(contents)))
            .collect();
        assert_eq!(
            found, listed,
            "{format}: the archive holds exactly the listed files"
        );
    }
    let default = app
        .get(&format!("/generations/{generation}/archive"), Some(&token))
        .await;
    assert_eq!(default.headers()[CONTENT_TYPE], "application/zip");
    let bad = app
        .get(
            &format!("/generations/{generation}/archive?format=rar"),
            Some(&token),
        )
        .await;
    problem(bad, StatusCode::BAD_REQUEST, "bad_request").await;

    // A finished generation cannot be canceled.
    let again = app
        .post(
            &format!("/generations/{generation}/cancel"),
            Some(&token),
            &json!({}),
        )
        .await;
    problem(again, StatusCode::CONFLICT, "conflict").await;
}

/// The files of an archive, by path, in archive order.
fn unpack(format: &str, bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    if format == "zip" {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
        for i in 0..zip.len() {
            let mut file = zip.by_index(i).expect("an entry");
            let mut contents = Vec::new();
            file.read_to_end(&mut contents).expect("read");
            out.push((file.name().expect("name").to_string(), contents));
        }
    } else {
        let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
        for entry in tar.entries().expect("entries") {
            let mut entry = entry.expect("an entry");
            let path = entry.path().expect("path").to_string_lossy().into_owned();
            let mut contents = Vec::new();
            entry.read_to_end(&mut contents).expect("read");
            out.push((path, contents));
        }
    }
    out
}

async fn the_api_digest_is_the_engines_digest_for_the_same_revision_target_and_options(
    app: TestApp,
) {
    let text = example("bookstore.yaml");
    let (token, spec) = user_with_spec(&app, "ada@example.com", &text).await;
    let model = specforge_spec::analyze(&text, specforge_spec::Format::Yaml)
        .model
        .expect("a valid example");
    for (target, options, pairs) in [
        ("sql-postgres", json!({}), vec![]),
        (
            "openapi",
            json!({"server_url": "https://api.example.com"}),
            vec![(
                "server_url".to_string(),
                "https://api.example.com".to_string(),
            )],
        ),
        (
            "python-fastapi",
            json!({"package": "shop"}),
            vec![("package".to_string(), "shop".to_string())],
        ),
    ] {
        let engine = specforge_codegen::generate(&model, target, &pairs).expect("generate");
        let mut digests = Vec::new();
        for _ in 0..2 {
            let queued = queue(
                &app,
                &token,
                &spec,
                &json!({"target": target, "options": options}),
            )
            .await;
            let done = finished(&app, &token, &id(&queued)).await;
            assert_eq!(done["status"], "succeeded", "{done}");
            digests.push(done["digest"].as_str().expect("digest").to_string());
            // The file list is the engine's tree.
            let files = json_body(
                app.get(&format!("/generations/{}/files", id(&queued)), Some(&token))
                    .await,
                StatusCode::OK,
            )
            .await;
            let listed: Vec<(String, String)> = files
                .as_array()
                .expect("files")
                .iter()
                .map(|f| {
                    (
                        f["path"].as_str().expect("path").to_string(),
                        f["sha256"].as_str().expect("sha").to_string(),
                    )
                })
                .collect();
            let tree: Vec<(String, String)> = engine
                .tree
                .iter()
                .map(|(p, c)| (p.to_string(), sha256_hex(c)))
                .collect();
            assert_eq!(listed, tree, "{target}");
        }
        assert_eq!(
            digests[0],
            engine.digest(),
            "{target}: the API's digest is the engine's"
        );
        assert_eq!(
            digests[1], digests[0],
            "{target}: the same digest every time"
        );
    }
}

async fn deleting_a_generation_or_its_project_removes_it(app: TestApp) {
    let token = app.dev_login("ada@example.com").await;
    let project = id(&app.create_project(&token, "Shop").await);
    let spec = id(&app
        .create_spec(
            &token,
            &project,
            "bookstore",
            "yaml",
            &example("bookstore.yaml"),
        )
        .await);
    let first = id(&queue(&app, &token, &spec, &json!({"target": "sql-sqlite"})).await);
    let second = id(&queue(&app, &token, &spec, &json!({"target": "sql-sqlite"})).await);
    finished(&app, &token, &first).await;
    finished(&app, &token, &second).await;

    let response = app
        .delete(&format!("/generations/{first}"), Some(&token))
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    for path in [
        format!("/generations/{first}"),
        format!("/generations/{first}/files"),
        format!("/generations/{first}/archive"),
    ] {
        problem(
            app.get(&path, Some(&token)).await,
            StatusCode::NOT_FOUND,
            "not_found",
        )
        .await;
    }
    problem(
        app.delete(&format!("/generations/{first}"), Some(&token))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let (items, _) = app
        .read_all(&format!("/specs/{spec}/generations"), &token, 20)
        .await;
    assert_eq!(
        items.iter().map(id).collect::<Vec<_>>(),
        vec![second.clone()]
    );
    // The other generation's files are intact.
    let files = app
        .get(&format!("/generations/{second}/archive"), Some(&token))
        .await;
    assert_eq!(files.status(), StatusCode::OK);

    let response = app
        .delete(&format!("/projects/{project}"), Some(&token))
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    problem(
        app.get(&format!("/generations/{second}"), Some(&token))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}

async fn another_users_generations_are_404(app: TestApp) {
    let (ada, spec) = user_with_spec(&app, "ada@example.com", &example("bookstore.yaml")).await;
    let generation = id(&queue(&app, &ada, &spec, &json!({"target": "openapi"})).await);
    finished(&app, &ada, &generation).await;
    let bob = app.dev_login("bob@example.com").await;
    for path in [
        format!("/generations/{generation}"),
        format!("/generations/{generation}/files"),
        format!("/generations/{generation}/files/openapi.json"),
        format!("/generations/{generation}/archive"),
        format!("/specs/{spec}/generations"),
    ] {
        problem(
            app.get(&path, Some(&bob)).await,
            StatusCode::NOT_FOUND,
            "not_found",
        )
        .await;
    }
    problem(
        app.post(
            &format!("/generations/{generation}/cancel"),
            Some(&bob),
            &json!({}),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    problem(
        app.delete(&format!("/generations/{generation}"), Some(&bob))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    problem(
        app.post(
            &format!("/specs/{spec}/generations"),
            Some(&bob),
            &json!({"target": "openapi"}),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    // Still there for its owner.
    let mine = app
        .get(&format!("/generations/{generation}"), Some(&ada))
        .await;
    assert_eq!(mine.status(), StatusCode::OK);
    problem(
        app.get("/generations/not-an-id", Some(&ada)).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}

async fn an_unknown_target_or_option_is_422_with_the_known_ones(app: TestApp) {
    let (token, spec) = user_with_spec(&app, "ada@example.com", &example("bookstore.yaml")).await;
    let path = format!("/specs/{spec}/generations");
    let body = problem(
        app.post(&path, Some(&token), &json!({"target": "rust-axe"}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(error_fields(&body), ["target"]);
    let message = body["errors"][0]["message"].as_str().expect("message");
    for name in [
        "openapi",
        "python-fastapi",
        "rust-axum",
        "sql-postgres",
        "sql-sqlite",
    ] {
        assert!(message.contains(name), "{message}");
    }
    let body = problem(
        app.post(
            &path,
            Some(&token),
            &json!({"target": "rust-axum", "options": {"crate": "shop", "crate_name": "Shop!"}}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(error_fields(&body), ["options.crate"]);
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .expect("message")
            .contains("crate_name"),
        "{body}"
    );
    let body = problem(
        app.post(
            &path,
            Some(&token),
            &json!({"target": "rust-axum", "options": {"crate_name": "Shop!"}}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(error_fields(&body), ["options.crate_name"]);
    let body = problem(
        app.post(
            &path,
            Some(&token),
            &json!({"target": "sql-sqlite", "options": {"anything": "x"}}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .expect("message")
            .contains("takes no options"),
        "{body}"
    );
    // Nothing was queued.
    let (items, _) = app.read_all(&path, &token, 20).await;
    assert!(items.is_empty());
}

async fn an_invalid_spec_is_422_with_its_diagnostics_and_queues_nothing(app: TestApp) {
    let text = "specforge: 1\nname: shop\nentities:\n  Book:\n    fields:\n      title: strin\n";
    let (token, spec) = user_with_spec(&app, "ada@example.com", text).await;
    let path = format!("/specs/{spec}/generations");
    let body = problem(
        app.post(&path, Some(&token), &json!({"target": "openapi"}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let diagnostics = body["diagnostics"].as_array().expect("diagnostics");
    assert!(!diagnostics.is_empty());
    assert_eq!(diagnostics[0]["severity"], "error");
    assert_eq!(diagnostics[0]["line"], 6);
    assert!(
        error_fields(&body)[0].starts_with("content/entities/Book/fields/title"),
        "{body}"
    );
    let (items, _) = app.read_all(&path, &token, 20).await;
    assert!(items.is_empty(), "no job was queued");
    // Fixed, it generates.
    let fixed = app
        .put(
            &format!("/specs/{spec}"),
            Some(&token),
            &json!({"content": text.replace("strin\n", "string\n")}),
        )
        .await;
    assert_eq!(fixed.status(), StatusCode::OK);
    let queued = queue(&app, &token, &spec, &json!({"target": "openapi"})).await;
    assert_eq!(queued["spec_revision"], 2);
}

async fn a_queued_generation_can_be_canceled_and_then_has_no_files(app: TestApp) {
    let (token, spec) = user_with_spec(&app, "ada@example.com", &example("bookstore.yaml")).await;
    let generation = id(&queue(&app, &token, &spec, &json!({"target": "openapi"})).await);
    // No worker runs in this server: it stays queued.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let current = json_body(
        app.get(&format!("/generations/{generation}"), Some(&token))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(current["status"], "queued");
    let canceled = json_body(
        app.post(
            &format!("/generations/{generation}/cancel"),
            Some(&token),
            &json!({}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(canceled["status"], "canceled");
    assert!(canceled["finished_at"].is_string());
    problem(
        app.post(
            &format!("/generations/{generation}/cancel"),
            Some(&token),
            &json!({}),
        )
        .await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    for path in ["files", "archive"] {
        problem(
            app.get(&format!("/generations/{generation}/{path}"), Some(&token))
                .await,
            StatusCode::CONFLICT,
            "conflict",
        )
        .await;
    }
}

async fn generations_are_listed_newest_first_in_pages(app: TestApp) {
    let (token, spec) = user_with_spec(&app, "ada@example.com", &example("bookstore.yaml")).await;
    let mut queued = Vec::new();
    for _ in 0..5 {
        queued.push(id(&queue(
            &app,
            &token,
            &spec,
            &json!({"target": "sql-sqlite"}),
        )
        .await));
    }
    let (items, sizes) = app
        .read_all(&format!("/specs/{spec}/generations"), &token, 2)
        .await;
    assert_eq!(sizes, [2, 2, 1]);
    queued.reverse();
    assert_eq!(items.iter().map(id).collect::<Vec<_>>(), queued);
    let page = json_body(
        app.get(&format!("/specs/{spec}/generations?limit=2"), Some(&token))
            .await,
        StatusCode::OK,
    )
    .await;
    let next = page["next_cursor"].as_str().expect("a next cursor");
    assert!(
        next.len() == 33
            && next.starts_with('g')
            && next[1..]
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        "the documented form: {next}"
    );
    let wrong = app
        .get(
            &format!("/specs/{spec}/generations?cursor=p0123456789abcdef0123456789abcdef"),
            Some(&token),
        )
        .await;
    problem(wrong, StatusCode::BAD_REQUEST, "bad_request").await;
}

async fn a_generation_over_the_file_cap_fails_and_has_no_archive(app: TestApp) {
    let (token, spec) = user_with_spec(&app, "ada@example.com", &example("bookstore.yaml")).await;
    let generation = id(&queue(&app, &token, &spec, &json!({"target": "rust-axum"})).await);
    let done = finished(&app, &token, &generation).await;
    assert_eq!(done["status"], "failed", "{done}");
    let error = done["error"].as_str().expect("an error");
    assert!(error.contains("GENERATION_MAX_FILES"), "{error}");
    assert!(done["digest"].is_null());
    for format in ["zip", "tar.gz"] {
        problem(
            app.get(
                &format!("/generations/{generation}/archive?format={format}"),
                Some(&token),
            )
            .await,
            StatusCode::CONFLICT,
            "conflict",
        )
        .await;
    }
}
