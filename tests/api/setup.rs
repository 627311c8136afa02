//! First-run setup: the first account becomes the admin, once.

use keygate_core::entities::user;
use keygate_tests::{assert_error, json_body, spawn_app, PASSWORD};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{json, Value};

async fn setup_status(app: &keygate_tests::TestApp) -> Value {
    let response = app.get("/api/setup").await;
    assert_eq!(response.status(), 200);
    json_body(response).await
}

#[tokio::test]
async fn a_fresh_database_needs_setup() {
    let app = spawn_app().await;

    assert_eq!(setup_status(&app).await, json!({"needs_setup": true}));
}

#[tokio::test]
async fn setup_creates_the_admin_and_signs_it_in() {
    let app = spawn_app().await;

    let body = app.setup_admin("admin").await;

    assert_eq!(body["user"]["username"], "admin");
    assert_eq!(body["user"]["is_admin"], true);
    assert_eq!(body["csrf_token"].as_str().map(str::len), Some(64));
    let session = app.get("/api/auth/session").await;
    assert_eq!(session.status(), 200);
    assert_eq!(json_body(session).await["user"]["username"], "admin");
    assert_eq!(setup_status(&app).await, json!({"needs_setup": false}));
    let stored = user::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert!(stored[0].is_admin);
    assert!(
        stored[0].password_hash.starts_with("$argon2id$"),
        "the password is stored as an Argon2id hash"
    );
}

#[tokio::test]
async fn a_second_setup_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    app.setup_admin("admin").await;

    let intruder = app.new_browser();
    let response = intruder
        .client
        .post(app.url("/api/setup"))
        .json(&json!({"username": "mallory", "password": "another long password"}))
        .send()
        .await
        .unwrap();

    assert_error(response, 409).await;
    let stored = user::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].username, "admin");
    assert_eq!(intruder.get("/api/auth/session").await.status(), 401);
    assert_eq!(intruder.login("admin", PASSWORD).await.0, 200);
}

#[tokio::test]
async fn setup_with_a_weak_password_is_refused_with_a_field_error() {
    let app = spawn_app().await;

    let response = app
        .browser
        .client
        .post(app.url("/api/setup"))
        .json(&json!({"username": "admin", "password": "short"}))
        .send()
        .await
        .unwrap();

    let body = assert_error(response, 400).await;
    assert!(body["errors"]["password"].is_array(), "{body}");
    assert_eq!(user::Entity::find().count(&app.db).await.unwrap(), 0);
    assert_eq!(setup_status(&app).await, json!({"needs_setup": true}));
}

#[tokio::test]
async fn setup_with_a_bad_username_is_refused_with_a_field_error() {
    let app = spawn_app().await;

    for username in ["ab", "has space", "x".repeat(33).as_str(), "émile"] {
        let response = app
            .browser
            .client
            .post(app.url("/api/setup"))
            .json(&json!({"username": username, "password": PASSWORD}))
            .send()
            .await
            .unwrap();

        let body = assert_error(response, 400).await;
        assert!(body["errors"]["username"].is_array(), "{username}: {body}");
    }
    assert_eq!(user::Entity::find().count(&app.db).await.unwrap(), 0);
}
