//! Specifications: `/projects/{id}/specs`, `/specs/{id}`, revisions and `POST /specs/validate`.

use reqwest::header::{ETAG, IF_MATCH, LOCATION};
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{
    TestApp, error_fields, example, json_body, on_both_backends, problem, timestamp,
};

on_both_backends!(
    creating_a_spec_from_an_example_stores_revision_1_with_its_verdict,
    the_four_bookstore_formats_give_the_same_summary,
    an_invalid_spec_is_stored_with_valid_false_and_its_diagnostics,
    validating_a_spec_answers_diagnostics_with_positions_and_stores_nothing,
    spec_fields_are_validated_with_422,
    spec_names_are_unique_within_a_project_and_a_duplicate_is_409,
    every_spec_route_requires_a_valid_token,
    another_users_specs_are_404,
    malformed_spec_ids_and_revision_numbers_are_404,
    changing_a_spec_makes_a_new_revision_and_keeps_the_old_one,
    if_match_guards_changes_with_the_current_revision,
    listing_45_specs_by_20_gives_pages_of_20_20_and_5,
    revisions_are_paginated_newest_first,
    a_cursor_of_another_list_is_400,
    deleting_a_spec_removes_it_and_its_revisions,
    deleting_a_project_removes_its_specs,
    a_body_over_the_limit_is_413,
);

fn id(value: &Value) -> String {
    value["id"].as_str().expect("id").to_string()
}

fn etag_of(response: &Response) -> String {
    response
        .headers()
        .get(ETAG)
        .and_then(|v| v.to_str().ok())
        .expect("an ETag header")
        .to_string()
}

async fn put_if_match(
    app: &TestApp,
    path: &str,
    token: &str,
    if_match: Option<&str>,
    body: &Value,
) -> Response {
    let mut request = app.request(Method::PUT, path, Some(token)).json(body);
    if let Some(tag) = if_match {
        request = request.header(IF_MATCH, tag);
    }
    request.send().await.expect("PUT")
}

/// A user with one project; the token and the project id.
async fn user_with_project(app: &TestApp, email: &str) -> (String, String) {
    let token = app.dev_login(email).await;
    let project = app.create_project(&token, "Shop").await;
    (token, id(&project))
}

const TINY: &str =
    "specforge: 1\nname: tiny\nentities:\n  Note:\n    fields:\n      text: string\n";

async fn creating_a_spec_from_an_example_stores_revision_1_with_its_verdict(app: TestApp) {
    let (token, project) = user_with_project(&app, "ada@example.com").await;
    let content = example("bookstore.yaml");
    let response = app
        .post(
            &format!("/projects/{project}/specs"),
            Some(&token),
            &json!({ "name": " bookstore ", "format": "yaml", "content": content }),
        )
        .await;
    let location = response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .expect("Location")
        .to_string();
    let etag = etag_of(&response);
    let spec = json_body(response, StatusCode::CREATED).await;
    assert_eq!(location, format!("/api/v1/specs/{}", id(&spec)));
    assert_eq!(etag, "\"1\"");
    assert_eq!(spec["project_id"], project.as_str());
    assert_eq!(spec["name"], "bookstore");
    assert_eq!(spec["format"], "yaml");
    assert_eq!(spec["content"], content.as_str());
    assert_eq!(spec["revision"], 1);
    assert_eq!(spec["valid"], true);
    assert!(spec["diagnostics"].is_array());
    assert_eq!(spec["summary"]["entities"], 3);
    assert!(spec["summary"]["fields"].as_u64().is_some_and(|n| n > 5));
    assert!(
        spec["summary"]["relations"]
            .as_u64()
            .is_some_and(|n| n >= 2)
    );
    let mut keys: Vec<_> = spec.as_object().expect("object").keys().cloned().collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "content",
            "created_at",
            "diagnostics",
            "format",
            "id",
            "name",
            "project_id",
            "revision",
            "summary",
            "updated_at",
            "valid"
        ]
    );
    let read = app
        .get(&format!("/specs/{}", id(&spec)), Some(&token))
        .await;
    assert_eq!(etag_of(&read), "\"1\"");
    assert_eq!(json_body(read, StatusCode::OK).await, spec);
    let project = json_body(
        app.get(&format!("/projects/{project}"), Some(&token)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(project["spec_count"], 1);
}

async fn the_four_bookstore_formats_give_the_same_summary(app: TestApp) {
    let (token, project) = user_with_project(&app, "ada@example.com").await;
    let mut summaries = Vec::new();
    for (file, format) in [
        ("bookstore.yaml", "yaml"),
        ("bookstore.json", "json"),
        ("bookstore.md", "markdown"),
        ("bookstore.openapi.yaml", "openapi"),
    ] {
        let spec = app
            .create_spec(&token, &project, file, format, &example(file))
            .await;
        assert_eq!(spec["valid"], true, "{file}: {}", spec["diagnostics"]);
        assert_eq!(spec["format"], format);
        summaries.push(spec["summary"].clone());
    }
    assert!(summaries.windows(2).all(|w| w[0] == w[1]), "{summaries:?}");
    let list = json_body(
        app.get(&format!("/projects/{project}/specs"), Some(&token))
            .await,
        StatusCode::OK,
    )
    .await;
    let names: Vec<_> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|s| s["name"].as_str().expect("name"))
        .collect();
    assert_eq!(
        names,
        [
            "bookstore.openapi.yaml",
            "bookstore.md",
            "bookstore.json",
            "bookstore.yaml"
        ],
        "newest first"
    );
}

async fn an_invalid_spec_is_stored_with_valid_false_and_its_diagnostics(app: TestApp) {
    let (token, project) = user_with_project(&app, "ada@example.com").await;
    let spec = app
        .create_spec(
            &token,
            &project,
            "typos",
            "yaml",
            &example("invalid/typos.yaml"),
        )
        .await;
    assert_eq!(spec["valid"], false);
    let diagnostics = spec["diagnostics"].as_array().expect("diagnostics");
    assert!(diagnostics.len() >= 5, "{diagnostics:?}");
    assert!(diagnostics.iter().any(|d| d["severity"] == "error"));
    assert!(diagnostics.iter().all(|d| d["line"].as_u64() >= Some(1)));
    let read = json_body(
        app.get(&format!("/specs/{}", id(&spec)), Some(&token))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(read["valid"], false);
    assert_eq!(read["diagnostics"], spec["diagnostics"]);
    // Fixing it makes the next revision valid; the invalid one stays in the history.
    let fixed = json_body(
        app.put(
            &format!("/specs/{}", id(&spec)),
            Some(&token),
            &json!({ "content": TINY }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(fixed["valid"], true);
    assert_eq!(fixed["revision"], 2);
    let first = json_body(
        app.get(&format!("/specs/{}/revisions/1", id(&spec)), Some(&token))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(first["valid"], false);
    assert_eq!(first["diagnostics"], spec["diagnostics"]);
}

async fn validating_a_spec_answers_diagnostics_with_positions_and_stores_nothing(app: TestApp) {
    let (token, project) = user_with_project(&app, "ada@example.com").await;
    let content = "specforge: 1\nname: shop\nentities:\n  Product:\n    fields:\n      title: { type: strng }\n";
    let verdict = json_body(
        app.post(
            "/specs/validate",
            Some(&token),
            &json!({ "format": "yaml", "content": content }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(verdict["valid"], false);
    let mut keys: Vec<_> = verdict
        .as_object()
        .expect("object")
        .keys()
        .cloned()
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, ["diagnostics", "summary", "valid"]);
    let first = &verdict["diagnostics"][0];
    assert_eq!(first["severity"], "error");
    assert_eq!(first["line"], 6, "{first}");
    assert!(first["column"].as_u64().is_some_and(|c| c > 1), "{first}");
    assert!(first["code"].is_string() && first["message"].is_string());
    assert_eq!(verdict["summary"]["entities"], 1);
    let good = json_body(
        app.post(
            "/specs/validate",
            Some(&token),
            &json!({ "format": "markdown", "content": example("library.md") }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(good["valid"], true, "{good}");
    let unreadable = json_body(
        app.post(
            "/specs/validate",
            Some(&token),
            &json!({ "format": "json", "content": "{ not json" }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(unreadable["valid"], false);
    assert_eq!(unreadable["diagnostics"][0]["line"], 1);
    let list = json_body(
        app.get(&format!("/projects/{project}/specs"), Some(&token))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list["items"], json!([]));
    for (body, mentioned) in [
        (json!({ "format": "xml", "content": "" }), "format"),
        (json!({ "format": "yaml" }), "content"),
        (
            json!({ "format": "yaml", "content": "", "project_id": project }),
            "project_id",
        ),
    ] {
        let p = problem(
            app.post("/specs/validate", Some(&token), &body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert!(
            p["detail"].as_str().is_some_and(|d| d.contains(mentioned)),
            "{p}"
        );
    }
    problem(
        app.post_raw(
            "/specs/validate",
            Some(&token),
            Some("text/yaml"),
            "specforge: 1",
        )
        .await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
    problem(
        app.post_raw(
            "/specs/validate",
            Some(&token),
            Some("application/json"),
            "{\"format\": \"yaml\", \"content\": ",
        )
        .await,
        StatusCode::BAD_REQUEST,
        "bad_request",
    )
    .await;
}

async fn spec_fields_are_validated_with_422(app: TestApp) {
    let (token, project) = user_with_project(&app, "ada@example.com").await;
    let path = format!("/projects/{project}/specs");
    for (body, fields) in [
        (
            json!({ "name": "s", "format": "toml", "content": TINY }),
            vec!["format"],
        ),
        (
            json!({ "name": "s", "format": "YAML", "content": TINY }),
            vec!["format"],
        ),
        (
            json!({ "name": "", "format": "yaml", "content": TINY }),
            vec!["name"],
        ),
        (
            json!({ "name": "n".repeat(201), "format": "yaml", "content": TINY }),
            vec!["name"],
        ),
        (
            json!({ "name": "s", "format": "yaml", "content": 42 }),
            vec!["content"],
        ),
    ] {
        let p = problem(
            app.post(&path, Some(&token), &body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_eq!(error_fields(&p), fields, "{p}");
    }
    let spec = app
        .create_spec(&token, &project, &"n".repeat(200), "yaml", TINY)
        .await;
    let spec_path = format!("/specs/{}", id(&spec));
    for (body, fields) in [
        (json!({}), vec![""]),
        (json!({ "name": null }), vec!["name"]),
        (json!({ "content": null }), vec!["content"]),
        (json!({ "name": " " }), vec!["name"]),
    ] {
        let p = problem(
            app.put(&spec_path, Some(&token), &body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_eq!(error_fields(&p), fields, "{p}");
    }
    // Missing and unknown fields are named in the problem; ids, owners and revisions are
    // never taken from a body.
    for (method, path, body, mentioned) in [
        (
            Method::POST,
            path.as_str(),
            json!({ "name": "s", "format": "yaml" }),
            "content",
        ),
        (
            Method::POST,
            path.as_str(),
            json!({ "name": "s", "format": "yaml", "content": TINY, "revision": 7 }),
            "revision",
        ),
        (
            Method::PUT,
            spec_path.as_str(),
            json!({ "name": "x", "revision": 2 }),
            "revision",
        ),
        (
            Method::PUT,
            spec_path.as_str(),
            json!({ "format": "json" }),
            "format",
        ),
        (
            Method::PUT,
            spec_path.as_str(),
            json!({ "name": "x", "project_id": Uuid::now_v7() }),
            "project_id",
        ),
    ] {
        let response = app
            .request(method, path, Some(&token))
            .json(&body)
            .send()
            .await
            .expect("request");
        let p = problem(
            response,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert!(
            p["detail"].as_str().is_some_and(|d| d.contains(mentioned)),
            "{p}"
        );
    }
    problem(
        app.post_raw(&path, Some(&token), Some("text/plain"), TINY)
            .await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
    problem(
        app.post_raw(
            &path,
            Some(&token),
            Some("application/json"),
            "{\"name\": \"s\",",
        )
        .await,
        StatusCode::BAD_REQUEST,
        "bad_request",
    )
    .await;
    let read = json_body(app.get(&spec_path, Some(&token)).await, StatusCode::OK).await;
    assert_eq!(read["revision"], 1, "refused changes made no revision");
}

async fn spec_names_are_unique_within_a_project_and_a_duplicate_is_409(app: TestApp) {
    let (token, project) = user_with_project(&app, "ada@example.com").await;
    let other = id(&app.create_project(&token, "Library").await);
    app.create_spec(&token, &project, "main", "yaml", TINY)
        .await;
    problem(
        app.post(
            &format!("/projects/{project}/specs"),
            Some(&token),
            &json!({ "name": "main", "format": "yaml", "content": TINY }),
        )
        .await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    // The same name in another project is fine.
    app.create_spec(&token, &other, "main", "yaml", TINY).await;
    // Renaming onto a taken name is a conflict too.
    let second = app
        .create_spec(&token, &project, "second", "yaml", TINY)
        .await;
    problem(
        app.put(
            &format!("/specs/{}", id(&second)),
            Some(&token),
            &json!({ "name": "main" }),
        )
        .await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
}

async fn every_spec_route_requires_a_valid_token(app: TestApp) {
    let (token, project) = user_with_project(&app, "ada@example.com").await;
    let spec = app
        .create_spec(&token, &project, "main", "yaml", TINY)
        .await;
    let spec_path = format!("/specs/{}", id(&spec));
    let body = json!({ "name": "x", "format": "yaml", "content": TINY });
    for bad in [None, Some("garbage")] {
        for response in [
            app.get(&format!("/projects/{project}/specs"), bad).await,
            app.post(&format!("/projects/{project}/specs"), bad, &body)
                .await,
            app.get(&spec_path, bad).await,
            app.put(&spec_path, bad, &json!({ "name": "x" })).await,
            app.delete(&spec_path, bad).await,
            app.get(&format!("{spec_path}/revisions"), bad).await,
            app.get(&format!("{spec_path}/revisions/1"), bad).await,
            app.post(
                "/specs/validate",
                bad,
                &json!({ "format": "yaml", "content": TINY }),
            )
            .await,
        ] {
            problem(response, StatusCode::UNAUTHORIZED, "unauthorized").await;
        }
    }
    let read = json_body(app.get(&spec_path, Some(&token)).await, StatusCode::OK).await;
    assert_eq!(read["name"], "main");
}

async fn another_users_specs_are_404(app: TestApp) {
    let (ada, project) = user_with_project(&app, "ada@example.com").await;
    let (grace, _) = user_with_project(&app, "grace@example.com").await;
    let spec = app.create_spec(&ada, &project, "main", "yaml", TINY).await;
    let spec_path = format!("/specs/{}", id(&spec));
    for response in [
        app.get(&format!("/projects/{project}/specs"), Some(&grace))
            .await,
        app.post(
            &format!("/projects/{project}/specs"),
            Some(&grace),
            &json!({ "name": "intruder", "format": "yaml", "content": TINY }),
        )
        .await,
        app.get(&spec_path, Some(&grace)).await,
        app.put(&spec_path, Some(&grace), &json!({ "content": "x" }))
            .await,
        app.delete(&spec_path, Some(&grace)).await,
        app.get(&format!("{spec_path}/revisions"), Some(&grace))
            .await,
        app.get(&format!("{spec_path}/revisions/1"), Some(&grace))
            .await,
    ] {
        problem(response, StatusCode::NOT_FOUND, "not_found").await;
    }
    let read = json_body(app.get(&spec_path, Some(&ada)).await, StatusCode::OK).await;
    assert_eq!(read["revision"], 1);
    assert_eq!(read["content"], TINY);
    let list = json_body(
        app.get(&format!("/projects/{project}/specs"), Some(&ada))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list["items"].as_array().expect("items").len(), 1);
}

async fn malformed_spec_ids_and_revision_numbers_are_404(app: TestApp) {
    let (token, project) = user_with_project(&app, "ada@example.com").await;
    let spec = app
        .create_spec(&token, &project, "main", "yaml", TINY)
        .await;
    let spec_path = format!("/specs/{}", id(&spec));
    let missing = Uuid::now_v7();
    for path in [
        "/specs/not-a-uuid".to_string(),
        format!("/specs/{missing}"),
        "/specs/not-a-uuid/revisions".to_string(),
        format!("/specs/{missing}/revisions"),
        format!("{spec_path}/revisions/0"),
        format!("{spec_path}/revisions/2"),
        format!("{spec_path}/revisions/-1"),
        format!("{spec_path}/revisions/one"),
        format!("{spec_path}/revisions/99999999999999999999999"),
        "/projects/not-a-uuid/specs".to_string(),
        format!("/projects/{missing}/specs"),
    ] {
        problem(
            app.get(&path, Some(&token)).await,
            StatusCode::NOT_FOUND,
            "not_found",
        )
        .await;
    }
    problem(
        app.put("/specs/not-a-uuid", Some(&token), &json!({ "name": "x" }))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    problem(
        app.delete("/specs/not-a-uuid", Some(&token)).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    problem(
        app.post(
            &format!("/projects/{missing}/specs"),
            Some(&token),
            &json!({ "name": "x", "format": "yaml", "content": TINY }),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}

async fn changing_a_spec_makes_a_new_revision_and_keeps_the_old_one(app: TestApp) {
    let (token, project) = user_with_project(&app, "ada@example.com").await;
    let spec = app
        .create_spec(&token, &project, "main", "yaml", TINY)
        .await;
    let path = format!("/specs/{}", id(&spec));
    let bookstore = example("bookstore.yaml");
    let response = app
        .put(&path, Some(&token), &json!({ "content": bookstore }))
        .await;
    assert_eq!(etag_of(&response), "\"2\"");
    let second = json_body(response, StatusCode::OK).await;
    assert_eq!(second["revision"], 2);
    assert_eq!(second["content"], bookstore.as_str());
    assert_eq!(second["summary"]["entities"], 3);
    assert_eq!(second["format"], "yaml", "the format stays");
    assert_eq!(second["created_at"], spec["created_at"]);
    assert!(timestamp(&second["updated_at"]) >= timestamp(&spec["updated_at"]));
    let renamed = json_body(
        app.put(&path, Some(&token), &json!({ "name": "renamed" }))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(renamed["revision"], 3);
    assert_eq!(renamed["name"], "renamed");
    assert_eq!(renamed["content"], bookstore.as_str());
    // The same values again are not a change.
    let same = json_body(
        app.put(
            &path,
            Some(&token),
            &json!({ "name": "renamed", "content": bookstore }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(same["revision"], 3);
    let revisions = json_body(
        app.get(&format!("{path}/revisions"), Some(&token)).await,
        StatusCode::OK,
    )
    .await;
    let numbers: Vec<_> = revisions["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|r| r["revision"].as_i64().expect("revision"))
        .collect();
    assert_eq!(numbers, [3, 2, 1]);
    assert_eq!(revisions["next_cursor"], Value::Null);
    let first = json_body(
        app.get(&format!("{path}/revisions/1"), Some(&token)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(first["spec_id"], spec["id"]);
    assert_eq!(first["revision"], 1);
    assert_eq!(first["name"], "main");
    assert_eq!(first["content"], TINY);
    assert_eq!(first["summary"]["entities"], 1);
    assert_eq!(first["format"], "yaml");
    // An invalid change is saved too, as work in progress.
    let broken = json_body(
        app.put(&path, Some(&token), &json!({ "content": "specforge: 1\n" }))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(broken["revision"], 4);
    assert_eq!(broken["valid"], false);
}

async fn if_match_guards_changes_with_the_current_revision(app: TestApp) {
    let (token, project) = user_with_project(&app, "ada@example.com").await;
    let spec = app
        .create_spec(&token, &project, "main", "yaml", TINY)
        .await;
    let path = format!("/specs/{}", id(&spec));
    let etag = etag_of(&app.get(&path, Some(&token)).await);
    assert_eq!(etag, "\"1\"");
    let content = |n: u32| json!({ "content": format!("{TINY}# edit {n}\n") });
    // The current revision matches, quoted or bare.
    let response = put_if_match(&app, &path, &token, Some(&etag), &content(1)).await;
    assert_eq!(etag_of(&response), "\"2\"");
    json_body(response, StatusCode::OK).await;
    let response = put_if_match(&app, &path, &token, Some("2"), &content(2)).await;
    assert_eq!(json_body(response, StatusCode::OK).await["revision"], 3);
    // A stale revision is refused, with content or with a name only, and nothing changes.
    let stale = put_if_match(&app, &path, &token, Some("\"1\""), &content(3)).await;
    problem(
        stale,
        StatusCode::PRECONDITION_FAILED,
        "precondition_failed",
    )
    .await;
    let stale = put_if_match(&app, &path, &token, Some("\"2\""), &json!({ "name": "x" })).await;
    problem(
        stale,
        StatusCode::PRECONDITION_FAILED,
        "precondition_failed",
    )
    .await;
    let future = put_if_match(&app, &path, &token, Some("\"9\""), &content(3)).await;
    problem(
        future,
        StatusCode::PRECONDITION_FAILED,
        "precondition_failed",
    )
    .await;
    let read = json_body(app.get(&path, Some(&token)).await, StatusCode::OK).await;
    assert_eq!(read["revision"], 3);
    assert_eq!(read["name"], "main");
    // `*` matches whatever is current.
    let any = put_if_match(&app, &path, &token, Some("*"), &content(4)).await;
    assert_eq!(json_body(any, StatusCode::OK).await["revision"], 4);
    // A header that names no single revision is malformed.
    for bad in ["three", "W/\"4\"", "\"4\", \"5\"", "\""] {
        let response = put_if_match(&app, &path, &token, Some(bad), &content(5)).await;
        problem(response, StatusCode::BAD_REQUEST, "bad_request").await;
    }
    // For another user's spec the answer is 404 whatever the header says.
    let grace = app.dev_login("grace@example.com").await;
    let response = put_if_match(&app, &path, &grace, Some("\"4\""), &content(6)).await;
    problem(response, StatusCode::NOT_FOUND, "not_found").await;
    let response = put_if_match(&app, &path, &grace, Some("\"1\""), &json!({ "name": "x" })).await;
    problem(response, StatusCode::NOT_FOUND, "not_found").await;
    let read = json_body(app.get(&path, Some(&token)).await, StatusCode::OK).await;
    assert_eq!(read["revision"], 4);
}

async fn listing_45_specs_by_20_gives_pages_of_20_20_and_5(app: TestApp) {
    let (token, project) = user_with_project(&app, "ada@example.com").await;
    let other = id(&app.create_project(&token, "Other").await);
    app.create_spec(&token, &other, "elsewhere", "yaml", TINY)
        .await;
    let mut created = Vec::new();
    for i in 0..45 {
        let spec = app
            .create_spec(&token, &project, &format!("spec {i:02}"), "yaml", TINY)
            .await;
        created.push(id(&spec));
    }
    let (items, sizes) = app
        .read_all(&format!("/projects/{project}/specs"), &token, 20)
        .await;
    assert_eq!(sizes, [20, 20, 5]);
    let ids: Vec<_> = items.iter().map(id).collect();
    created.reverse();
    assert_eq!(ids, created, "every spec of the project once, newest first");
    let project = json_body(
        app.get(&format!("/projects/{project}"), Some(&token)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(project["spec_count"], 45);
}

async fn revisions_are_paginated_newest_first(app: TestApp) {
    let (token, project) = user_with_project(&app, "ada@example.com").await;
    let spec = app
        .create_spec(&token, &project, "main", "yaml", TINY)
        .await;
    let path = format!("/specs/{}", id(&spec));
    for n in 2..=23 {
        let response = app
            .put(
                &path,
                Some(&token),
                &json!({ "content": format!("{TINY}# revision {n}\n") }),
            )
            .await;
        assert_eq!(json_body(response, StatusCode::OK).await["revision"], n);
    }
    let (items, sizes) = app.read_all(&format!("{path}/revisions"), &token, 10).await;
    assert_eq!(sizes, [10, 10, 3]);
    let numbers: Vec<_> = items
        .iter()
        .map(|r| r["revision"].as_i64().expect("revision"))
        .collect();
    assert_eq!(numbers, (1..=23).rev().collect::<Vec<i64>>());
    problem(
        app.get(&format!("{path}/revisions?limit=101"), Some(&token))
            .await,
        StatusCode::BAD_REQUEST,
        "bad_request",
    )
    .await;
}

async fn a_cursor_of_another_list_is_400(app: TestApp) {
    let (token, project) = user_with_project(&app, "ada@example.com").await;
    app.create_project(&token, "Second").await;
    for i in 0..2 {
        app.create_spec(&token, &project, &format!("s{i}"), "yaml", TINY)
            .await;
    }
    let projects = json_body(
        app.get("/projects?limit=1", Some(&token)).await,
        StatusCode::OK,
    )
    .await;
    let project_cursor = projects["next_cursor"].as_str().expect("a cursor");
    let specs = json_body(
        app.get(&format!("/projects/{project}/specs?limit=1"), Some(&token))
            .await,
        StatusCode::OK,
    )
    .await;
    let spec_cursor = specs["next_cursor"].as_str().expect("a cursor");
    problem(
        app.get(
            &format!("/projects/{project}/specs?cursor={project_cursor}"),
            Some(&token),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "bad_request",
    )
    .await;
    problem(
        app.get(&format!("/projects?cursor={spec_cursor}"), Some(&token))
            .await,
        StatusCode::BAD_REQUEST,
        "bad_request",
    )
    .await;
    let spec_id = id(&specs["items"][0]);
    problem(
        app.get(
            &format!("/specs/{spec_id}/revisions?cursor={spec_cursor}"),
            Some(&token),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "bad_request",
    )
    .await;
    problem(
        app.get(
            &format!("/projects/{project}/specs?cursor=%%%"),
            Some(&token),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "bad_request",
    )
    .await;
    // Its own cursor reads the next page.
    let next = json_body(
        app.get(
            &format!("/projects/{project}/specs?limit=1&cursor={spec_cursor}"),
            Some(&token),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(next["items"][0]["name"], "s0");
    assert_eq!(next["next_cursor"], Value::Null);
}

async fn deleting_a_spec_removes_it_and_its_revisions(app: TestApp) {
    let (token, project) = user_with_project(&app, "ada@example.com").await;
    let spec = app
        .create_spec(&token, &project, "main", "yaml", TINY)
        .await;
    let keep = app
        .create_spec(&token, &project, "keep", "yaml", TINY)
        .await;
    let path = format!("/specs/{}", id(&spec));
    json_body(
        app.put(&path, Some(&token), &json!({ "name": "main v2" }))
            .await,
        StatusCode::OK,
    )
    .await;
    let response = app.delete(&path, Some(&token)).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    for gone in [
        path.clone(),
        format!("{path}/revisions"),
        format!("{path}/revisions/1"),
    ] {
        problem(
            app.get(&gone, Some(&token)).await,
            StatusCode::NOT_FOUND,
            "not_found",
        )
        .await;
    }
    problem(
        app.delete(&path, Some(&token)).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let project = json_body(
        app.get(&format!("/projects/{project}"), Some(&token)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(project["spec_count"], 1);
    json_body(
        app.get(&format!("/specs/{}", id(&keep)), Some(&token))
            .await,
        StatusCode::OK,
    )
    .await;
}

async fn deleting_a_project_removes_its_specs(app: TestApp) {
    let (token, project) = user_with_project(&app, "ada@example.com").await;
    let other = id(&app.create_project(&token, "Other").await);
    let spec = app
        .create_spec(&token, &project, "main", "yaml", TINY)
        .await;
    let survivor = app.create_spec(&token, &other, "main", "yaml", TINY).await;
    let path = format!("/specs/{}", id(&spec));
    json_body(
        app.put(
            &path,
            Some(&token),
            &json!({ "content": format!("{TINY}\n") }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let response = app
        .delete(&format!("/projects/{project}"), Some(&token))
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    for gone in [
        path.clone(),
        format!("{path}/revisions"),
        format!("{path}/revisions/2"),
        format!("/projects/{project}/specs"),
    ] {
        problem(
            app.get(&gone, Some(&token)).await,
            StatusCode::NOT_FOUND,
            "not_found",
        )
        .await;
    }
    json_body(
        app.get(&format!("/specs/{}", id(&survivor)), Some(&token))
            .await,
        StatusCode::OK,
    )
    .await;
}

async fn a_body_over_the_limit_is_413(app: TestApp) {
    let (token, project) = user_with_project(&app, "ada@example.com").await;
    let huge = "#".repeat(1024 * 1024 + 1);
    let response = app
        .post(
            &format!("/projects/{project}/specs"),
            Some(&token),
            &json!({ "name": "huge", "format": "yaml", "content": huge }),
        )
        .await;
    problem(response, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    let list = json_body(
        app.get(&format!("/projects/{project}/specs"), Some(&token))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list["items"], json!([]));
}
