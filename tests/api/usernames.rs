//! Usernames: one account per name whatever its case, and a checked form at every entry.

use chrono::Utc;
use keygate_core::entities::user;
use keygate_core::{db, password};
use keygate_tests::{assert_error, json_body, spawn_app, TestDatabase, PASSWORD};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde_json::json;

#[tokio::test]
async fn usernames_are_case_insensitive_and_stored_lower_case() {
    let app = spawn_app().await;
    app.setup_admin("admin").await;

    let created = app
        .post(
            "/api/users",
            &json!({"username": "Bob", "password": PASSWORD}),
        )
        .await;
    assert_eq!(created.status(), 201);
    assert_eq!(json_body(created).await["username"], "bob");
    let again = app
        .post(
            "/api/users",
            &json!({"username": "BOB", "password": PASSWORD}),
        )
        .await;
    assert_error(again, 409).await;

    let browser = app.new_browser();
    assert_eq!(browser.login("BoB", PASSWORD).await.0, 200);
}

#[tokio::test]
async fn an_account_stored_with_capitals_signs_in_in_any_case() {
    let app = spawn_app().await;
    app.setup_admin("admin").await;
    let now = Utc::now();
    user::ActiveModel {
        username: Set("Carol".into()),
        password_hash: Set(password::hash(PASSWORD.as_bytes(), None).unwrap()),
        is_admin: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();

    assert_eq!(app.new_browser().login("carol", PASSWORD).await.0, 200);
    assert_eq!(app.new_browser().login("CAROL", PASSWORD).await.0, 200);
    let taken = app
        .post(
            "/api/users",
            &json!({"username": "carol", "password": PASSWORD}),
        )
        .await;
    assert_error(taken, 409).await;
}

#[tokio::test]
async fn sign_in_with_a_malformed_username_is_a_400_field_error() {
    let app = spawn_app().await;
    app.setup_admin("admin").await;

    for username in [
        "x".repeat(5000),
        "has space".into(),
        "ab".into(),
        "émile".into(),
    ] {
        let response = app
            .new_browser()
            .client
            .post(app.url("/api/auth/login"))
            .json(&json!({"username": username, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        let body = assert_error(response, 400).await;
        assert!(body["errors"]["username"].is_array(), "{body}");
    }
}

#[tokio::test]
async fn the_migration_stops_clearly_on_names_that_differ_only_in_case() {
    let database = TestDatabase::create().await;
    let conn = database.connect().await;
    // Back to the schema before the case-insensitive index, with two clashing accounts.
    conn.execute_unprepared("DROP INDEX idx_users_username_lower")
        .await
        .unwrap();
    conn.execute_unprepared(
        "DELETE FROM seaql_migrations WHERE version LIKE '%add_case_insensitive_username_index'",
    )
    .await
    .unwrap();
    for name in ["Dave", "dave"] {
        let now = Utc::now();
        user::ActiveModel {
            username: Set(name.into()),
            password_hash: Set("x".into()),
            is_admin: Set(false),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&conn)
        .await
        .unwrap();
    }

    let error = db::migrate(&conn)
        .await
        .expect_err("the clash stops the migration");

    let text = error.to_string();
    assert!(
        text.contains("Dave") && text.contains("dave") && text.contains("differ only in case"),
        "{text}"
    );
}
