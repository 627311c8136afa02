//! Account administration: only admins list and create accounts.

use keygate_core::entities::user;
use keygate_tests::{assert_error, json_body, spawn_app, PASSWORD};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

#[tokio::test]
async fn an_admin_creates_a_user_who_can_then_sign_in() {
    let app = spawn_app().await;
    app.setup_admin("admin").await;

    let response = app
        .post(
            "/api/users",
            &json!({"username": "bob", "password": PASSWORD}),
        )
        .await;

    assert_eq!(response.status(), 201);
    let created = json_body(response).await;
    assert_eq!(created["username"], "bob");
    assert_eq!(created["is_admin"], false);
    assert!(created.get("password_hash").is_none(), "{created}");
    let stored = user::Entity::find()
        .filter(user::Column::Username.eq("bob"))
        .one(&app.db)
        .await
        .unwrap()
        .expect("bob is stored");
    assert!(!stored.is_admin);
    let listed = json_body(app.get("/api/users").await).await;
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["admin", "bob"]);
    let bob = app.signed_in("bob").await;
    assert_eq!(bob.get("/api/auth/session").await.status(), 200);
}

#[tokio::test]
async fn a_taken_username_is_refused() {
    let app = spawn_app().await;
    app.setup_admin("admin").await;
    app.create_user("bob", false).await;

    let response = app
        .post(
            "/api/users",
            &json!({"username": "bob", "password": "some other password"}),
        )
        .await;

    assert_error(response, 409).await;
    assert_eq!(
        app.new_browser()
            .login("bob", "some other password")
            .await
            .0,
        401
    );
}

#[tokio::test]
async fn a_user_with_a_weak_password_is_refused_with_a_field_error() {
    let app = spawn_app().await;
    app.setup_admin("admin").await;

    let response = app
        .post(
            "/api/users",
            &json!({"username": "bob", "password": "short"}),
        )
        .await;

    let body = assert_error(response, 400).await;
    assert!(body["errors"]["password"].is_array(), "{body}");
}

#[tokio::test]
async fn a_non_admin_may_neither_list_nor_create_users() {
    let app = spawn_app().await;
    app.setup_admin("admin").await;
    app.create_user("bob", false).await;
    let bob = app.signed_in("bob").await;

    assert_error(bob.get("/api/users").await, 403).await;
    let response = bob
        .post(
            "/api/users",
            &json!({"username": "carol", "password": PASSWORD}),
        )
        .await;
    assert_error(response, 403).await;
    let carol = user::Entity::find()
        .filter(user::Column::Username.eq("carol"))
        .one(&app.db)
        .await
        .unwrap();
    assert!(carol.is_none());
}

#[tokio::test]
async fn an_admin_created_by_an_admin_may_manage_users() {
    let app = spawn_app().await;
    app.setup_admin("admin").await;
    app.create_user("root2", true).await;
    let second_admin = app.signed_in("root2").await;

    assert_eq!(second_admin.get("/api/users").await.status(), 200);
    let response = second_admin
        .post(
            "/api/users",
            &json!({"username": "carol", "password": PASSWORD}),
        )
        .await;
    assert_eq!(response.status(), 201);
}
