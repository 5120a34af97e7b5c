//! `/projects` and `/projects/{id}`.

use reqwest::header::LOCATION;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestApp, error_fields, json_body, on_both_backends, problem, timestamp};

on_both_backends!(
    creating_a_project_returns_201_with_its_location,
    project_names_are_unique_per_user_and_a_duplicate_is_409,
    project_fields_are_validated_with_422,
    project_bodies_must_be_json_objects_of_the_right_shape,
    every_project_route_requires_a_valid_token,
    another_users_project_is_404_and_not_listed,
    a_malformed_project_id_is_404,
    listing_45_projects_by_20_gives_pages_of_20_20_and_5,
    a_bad_limit_or_cursor_is_400,
    updating_a_project_changes_only_what_is_sent,
    renaming_a_project_to_a_taken_name_is_409,
    deleting_a_project_answers_204_and_it_is_gone,
);

async fn creating_a_project_returns_201_with_its_location(app: TestApp) {
    let token = app.dev_login("ada@example.com").await;
    let response = app
        .post(
            "/projects",
            Some(&token),
            &json!({ "name": "  Bookstore ", "description": "Books and authors" }),
        )
        .await;
    let location = response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .expect("a Location header")
        .to_string();
    let project = json_body(response, StatusCode::CREATED).await;
    let id = project["id"].as_str().expect("id");
    assert_eq!(location, format!("/api/v1/projects/{id}"));
    assert_eq!(Uuid::parse_str(id).expect("uuid").get_version_num(), 7);
    assert_eq!(project["name"], "Bookstore", "the name is trimmed");
    assert_eq!(project["description"], "Books and authors");
    assert_eq!(project["spec_count"], 0);
    assert_eq!(project["created_at"], project["updated_at"]);
    let mut keys: Vec<_> = project
        .as_object()
        .expect("object")
        .keys()
        .cloned()
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "created_at",
            "description",
            "id",
            "name",
            "spec_count",
            "updated_at"
        ]
    );
    let read = json_body(
        app.client
            .get(format!("{}{location}", app.address))
            .bearer_auth(&token)
            .send()
            .await
            .expect("GET"),
        StatusCode::OK,
    )
    .await;
    assert_eq!(read, project);
    let without = app.create_project(&token, "No description").await;
    assert_eq!(without["description"], Value::Null);
}

async fn project_names_are_unique_per_user_and_a_duplicate_is_409(app: TestApp) {
    let ada = app.dev_login("ada@example.com").await;
    let grace = app.dev_login("grace@example.com").await;
    app.create_project(&ada, "Shop").await;
    let again = app
        .post("/projects", Some(&ada), &json!({ "name": "Shop" }))
        .await;
    problem(again, StatusCode::CONFLICT, "conflict").await;
    let trimmed = app
        .post("/projects", Some(&ada), &json!({ "name": " Shop  " }))
        .await;
    problem(trimmed, StatusCode::CONFLICT, "conflict").await;
    // Another user may use the same name.
    app.create_project(&grace, "Shop").await;
}

async fn project_fields_are_validated_with_422(app: TestApp) {
    let token = app.dev_login("ada@example.com").await;
    let cases = [
        (json!({ "name": "" }), vec!["name"]),
        (json!({ "name": "   " }), vec!["name"]),
        (json!({ "name": "n".repeat(101) }), vec!["name"]),
        (json!({ "name": "a\u{0}b" }), vec!["name"]),
        (
            json!({ "name": "ok", "description": "d".repeat(2001) }),
            vec!["description"],
        ),
        (
            json!({ "name": "", "description": "d".repeat(2001) }),
            vec!["name", "description"],
        ),
        (json!({ "name": 5 }), vec!["name"]),
    ];
    for (body, fields) in cases {
        let response = app.post("/projects", Some(&token), &body).await;
        let p = problem(
            response,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_eq!(error_fields(&p), fields, "{p}");
    }
    // The limits themselves are accepted, counted in characters.
    let response = app
        .post(
            "/projects",
            Some(&token),
            &json!({ "name": "é".repeat(100), "description": "é".repeat(2000) }),
        )
        .await;
    json_body(response, StatusCode::CREATED).await;
}

async fn project_bodies_must_be_json_objects_of_the_right_shape(app: TestApp) {
    let token = app.dev_login("ada@example.com").await;
    let unknown = app
        .post(
            "/projects",
            Some(&token),
            &json!({ "name": "Shop", "owner_id": Uuid::now_v7() }),
        )
        .await;
    let body = problem(
        unknown,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("owner_id"))
    );
    let missing = app
        .post("/projects", Some(&token), &json!({ "description": "x" }))
        .await;
    let body = problem(
        missing,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(body["detail"].as_str().is_some_and(|d| d.contains("name")));
    let malformed = app
        .post_raw(
            "/projects",
            Some(&token),
            Some("application/json"),
            "{\"name\": \"Shop\",}",
        )
        .await;
    problem(malformed, StatusCode::BAD_REQUEST, "bad_request").await;
    let form = app
        .post_raw(
            "/projects",
            Some(&token),
            Some("application/x-www-form-urlencoded"),
            "name=Shop",
        )
        .await;
    problem(
        form,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
    let untyped = app
        .post_raw("/projects", Some(&token), None, "{\"name\": \"Shop\"}")
        .await;
    problem(
        untyped,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
    let created = app.create_project(&token, "Shop").await;
    let put = app
        .request(
            Method::PUT,
            &format!("/projects/{}", created["id"].as_str().expect("id")),
            Some(&token),
        )
        .header("content-type", "text/plain")
        .body("{\"name\": \"Store\"}")
        .send()
        .await
        .expect("PUT");
    problem(
        put,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
    // Only the one valid request created anything, and the refused PUT changed nothing.
    let list = json_body(app.get("/projects", Some(&token)).await, StatusCode::OK).await;
    assert_eq!(list["items"].as_array().expect("items").len(), 1);
    assert_eq!(list["items"][0]["name"], "Shop");
}

async fn every_project_route_requires_a_valid_token(app: TestApp) {
    let token = app.dev_login("ada@example.com").await;
    let id = app.create_project(&token, "Shop").await["id"]
        .as_str()
        .expect("id")
        .to_string();
    let path = format!("/projects/{id}");
    for bad in [None, Some("garbage")] {
        problem(
            app.get("/projects", bad).await,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        )
        .await;
        problem(
            app.post("/projects", bad, &json!({ "name": "X" })).await,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        )
        .await;
        problem(
            app.get(&path, bad).await,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        )
        .await;
        problem(
            app.put(&path, bad, &json!({ "name": "X" })).await,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        )
        .await;
        problem(
            app.delete(&path, bad).await,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        )
        .await;
    }
    // Still there, unchanged.
    let project = json_body(app.get(&path, Some(&token)).await, StatusCode::OK).await;
    assert_eq!(project["name"], "Shop");
}

async fn another_users_project_is_404_and_not_listed(app: TestApp) {
    let ada = app.dev_login("ada@example.com").await;
    let grace = app.dev_login("grace@example.com").await;
    let id = app.create_project(&ada, "Private").await["id"]
        .as_str()
        .expect("id")
        .to_string();
    let path = format!("/projects/{id}");
    problem(
        app.get(&path, Some(&grace)).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    problem(
        app.put(&path, Some(&grace), &json!({ "name": "Mine" }))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    problem(
        app.delete(&path, Some(&grace)).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let list = json_body(app.get("/projects", Some(&grace)).await, StatusCode::OK).await;
    assert_eq!(list["items"], json!([]));
    let project = json_body(app.get(&path, Some(&ada)).await, StatusCode::OK).await;
    assert_eq!(project["name"], "Private", "untouched by the other user");
}

async fn a_malformed_project_id_is_404(app: TestApp) {
    let token = app.dev_login("ada@example.com").await;
    for id in ["not-a-uuid", "123", "%FF"] {
        let path = format!("/projects/{id}");
        problem(
            app.get(&path, Some(&token)).await,
            StatusCode::NOT_FOUND,
            "not_found",
        )
        .await;
        problem(
            app.put(&path, Some(&token), &json!({ "name": "X" })).await,
            StatusCode::NOT_FOUND,
            "not_found",
        )
        .await;
        problem(
            app.delete(&path, Some(&token)).await,
            StatusCode::NOT_FOUND,
            "not_found",
        )
        .await;
    }
    problem(
        app.get(&format!("/projects/{}", Uuid::now_v7()), Some(&token))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}

async fn listing_45_projects_by_20_gives_pages_of_20_20_and_5(app: TestApp) {
    let token = app.dev_login("ada@example.com").await;
    let other = app.dev_login("grace@example.com").await;
    app.create_project(&other, "Not yours").await;
    let mut created = Vec::new();
    for i in 0..45 {
        let project = app.create_project(&token, &format!("Project {i:02}")).await;
        created.push(project["id"].as_str().expect("id").to_string());
    }
    let (items, sizes) = app.read_all("/projects", &token, 20).await;
    assert_eq!(sizes, [20, 20, 5]);
    let ids: Vec<_> = items
        .iter()
        .map(|p| p["id"].as_str().expect("id").to_string())
        .collect();
    created.reverse();
    assert_eq!(ids, created, "every project once, newest first");
    // Without `limit` a page has 20 items.
    let first = json_body(app.get("/projects", Some(&token)).await, StatusCode::OK).await;
    assert_eq!(first["items"].as_array().expect("items").len(), 20);
    assert!(first["next_cursor"].is_string());
    // A page that holds everything has no next cursor.
    let all = json_body(
        app.get("/projects?limit=100", Some(&token)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(all["items"].as_array().expect("items").len(), 45);
    assert_eq!(all["next_cursor"], Value::Null);
}

async fn a_bad_limit_or_cursor_is_400(app: TestApp) {
    let token = app.dev_login("ada@example.com").await;
    for query in [
        "limit=0",
        "limit=101",
        "limit=-1",
        "limit=ten",
        "cursor=nonsense",
        "cursor=cDpub3QtYS11dWlk",
    ] {
        problem(
            app.get(&format!("/projects?{query}"), Some(&token)).await,
            StatusCode::BAD_REQUEST,
            "bad_request",
        )
        .await;
    }
    let ok = json_body(
        app.get("/projects?limit=1", Some(&token)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(ok["items"], json!([]));
    assert_eq!(ok["next_cursor"], Value::Null);
}

async fn updating_a_project_changes_only_what_is_sent(app: TestApp) {
    let token = app.dev_login("ada@example.com").await;
    let created = json_body(
        app.post(
            "/projects",
            Some(&token),
            &json!({ "name": "Shop", "description": "First" }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let path = format!("/projects/{}", created["id"].as_str().expect("id"));
    let renamed = json_body(
        app.put(&path, Some(&token), &json!({ "name": " Store " }))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(renamed["name"], "Store");
    assert_eq!(renamed["description"], "First", "absent means unchanged");
    assert_eq!(renamed["id"], created["id"]);
    assert_eq!(renamed["created_at"], created["created_at"]);
    assert!(timestamp(&renamed["updated_at"]) >= timestamp(&created["updated_at"]));
    let described = json_body(
        app.put(&path, Some(&token), &json!({ "description": "Second" }))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(described["name"], "Store");
    assert_eq!(described["description"], "Second");
    let cleared = json_body(
        app.put(&path, Some(&token), &json!({ "description": null }))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(cleared["description"], Value::Null);
    let read = json_body(app.get(&path, Some(&token)).await, StatusCode::OK).await;
    assert_eq!(read["description"], Value::Null);
    assert_eq!(read["name"], "Store");
    for (body, fields) in [
        (json!({}), vec![""]),
        (json!({ "name": null }), vec!["name"]),
        (json!({ "name": "" }), vec!["name"]),
        (
            json!({ "name": "", "description": "d".repeat(2001) }),
            vec!["name", "description"],
        ),
    ] {
        let p = problem(
            app.put(&path, Some(&token), &body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_eq!(error_fields(&p), fields, "{p}");
    }
    problem(
        app.put(
            &path,
            Some(&token),
            &json!({ "name": "X", "spec_count": 3 }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
}

async fn renaming_a_project_to_a_taken_name_is_409(app: TestApp) {
    let token = app.dev_login("ada@example.com").await;
    app.create_project(&token, "Shop").await;
    let other = app.create_project(&token, "Library").await;
    let path = format!("/projects/{}", other["id"].as_str().expect("id"));
    problem(
        app.put(&path, Some(&token), &json!({ "name": "Shop" }))
            .await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    // Keeping its own name is not a conflict.
    json_body(
        app.put(&path, Some(&token), &json!({ "name": "Library" }))
            .await,
        StatusCode::OK,
    )
    .await;
}

async fn deleting_a_project_answers_204_and_it_is_gone(app: TestApp) {
    let token = app.dev_login("ada@example.com").await;
    let keep = app.create_project(&token, "Keep").await;
    let gone = app.create_project(&token, "Gone").await;
    let path = format!("/projects/{}", gone["id"].as_str().expect("id"));
    let response = app.delete(&path, Some(&token)).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(response.bytes().await.expect("body").is_empty());
    problem(
        app.get(&path, Some(&token)).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    problem(
        app.delete(&path, Some(&token)).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let list = json_body(app.get("/projects", Some(&token)).await, StatusCode::OK).await;
    assert_eq!(list["items"].as_array().expect("items").len(), 1);
    assert_eq!(list["items"][0]["id"], keep["id"]);
    // The name is free again.
    app.create_project(&token, "Gone").await;
}
