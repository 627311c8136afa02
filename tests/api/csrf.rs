//! CSRF: every state-changing session route needs the session's token in `X-CSRF-Token`; a
//! cross-site page, which cannot read the token, changes nothing.

use keygate_core::entities::{api_key, key_event};
use keygate_tests::{assert_error, spawn_app, spawn_app_with_key, Browser, TestApp};
use reqwest::Method;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{json, Value};

/// Sends `method path` with the session cookie, and with `token` as the CSRF header if given.
async fn send_with_token(
    browser: &Browser,
    method: Method,
    path: &str,
    body: &Value,
    token: Option<&str>,
) -> reqwest::Response {
    let mut request = browser.client.request(method, browser.url(path)).json(body);
    if let Some(token) = token {
        request = request.header("X-CSRF-Token", token);
    }
    request.send().await.unwrap()
}

async fn key_count(app: &TestApp) -> u64 {
    api_key::Entity::find().count(&app.db).await.unwrap()
}

#[tokio::test]
async fn creating_a_key_without_the_csrf_token_is_refused_and_creates_nothing() {
    let app = spawn_app().await;
    app.setup_admin("admin").await;

    let response = send_with_token(
        &app.browser,
        Method::POST,
        "/api/keys",
        &json!({"name": "k"}),
        None,
    )
    .await;

    let body = assert_error(response, 403).await;
    assert!(body["message"].as_str().unwrap().contains("CSRF"), "{body}");
    assert_eq!(key_count(&app).await, 0);
}

#[tokio::test]
async fn creating_a_key_with_a_wrong_csrf_token_is_refused_and_creates_nothing() {
    let app = spawn_app().await;
    app.setup_admin("admin").await;
    let real = app.browser.csrf_token().unwrap();
    let last = if real.ends_with('0') { '1' } else { '0' };
    let wrong = format!("{}{last}", &real[..real.len() - 1]);

    for token in [wrong.as_str(), "", "x"] {
        let response = send_with_token(
            &app.browser,
            Method::POST,
            "/api/keys",
            &json!({"name": "k"}),
            Some(token),
        )
        .await;
        assert_error(response, 403).await;
    }
    assert_eq!(key_count(&app).await, 0);
}

#[tokio::test]
async fn the_csrf_token_of_another_session_is_refused() {
    let app = spawn_app().await;
    app.setup_admin("admin").await;
    let other = app.signed_in("admin").await;
    let others_token = other.csrf_token().unwrap();
    assert_ne!(others_token, app.browser.csrf_token().unwrap());

    let response = send_with_token(
        &app.browser,
        Method::POST,
        "/api/keys",
        &json!({"name": "k"}),
        Some(&others_token),
    )
    .await;

    assert_error(response, 403).await;
    assert_eq!(key_count(&app).await, 0);
}

#[tokio::test]
async fn with_the_csrf_token_creating_a_key_succeeds() {
    let app = spawn_app().await;
    app.setup_admin("admin").await;
    let token = app.browser.csrf_token().unwrap();

    let response = send_with_token(
        &app.browser,
        Method::POST,
        "/api/keys",
        &json!({"name": "k"}),
        Some(&token),
    )
    .await;

    assert_eq!(response.status(), 201);
    assert_eq!(key_count(&app).await, 1);
}

#[tokio::test]
async fn logout_without_the_csrf_token_is_refused_and_the_session_survives() {
    let app = spawn_app().await;
    app.setup_admin("admin").await;

    let response = send_with_token(
        &app.browser,
        Method::POST,
        "/api/auth/logout",
        &json!({}),
        None,
    )
    .await;

    assert_error(response, 403).await;
    assert_eq!(app.get("/api/auth/session").await.status(), 200);
}

#[tokio::test]
async fn every_key_change_without_the_csrf_token_is_refused_and_changes_nothing() {
    let (app, plain, id) = spawn_app_with_key(&[], json!({"name": "k"})).await;
    let before = app.key_summary(id).await;
    let events_before = key_event::Entity::find().count(&app.db).await.unwrap();

    let attempts = [
        (
            Method::PATCH,
            format!("/api/keys/{id}"),
            json!({"name": "renamed"}),
        ),
        (
            Method::PUT,
            format!("/api/keys/{id}/mode"),
            json!({"order_mode": "semi_auto"}),
        ),
        (Method::POST, format!("/api/keys/{id}/roll"), json!({})),
        (Method::POST, format!("/api/keys/{id}/reveal"), json!({})),
        (Method::POST, format!("/api/keys/{id}/revoke"), json!({})),
        (
            Method::POST,
            "/api/users".to_owned(),
            json!({"username": "bob", "password": "long enough password"}),
        ),
        (
            Method::POST,
            "/api/auth/password".to_owned(),
            json!({"current_password": keygate_tests::PASSWORD, "new_password": "another long one"}),
        ),
    ];
    for (method, path, body) in attempts {
        let response = send_with_token(&app.browser, method.clone(), &path, &body, None).await;
        assert_error(response, 403).await;
    }

    assert_eq!(app.key_summary(id).await, before);
    assert_eq!(
        key_event::Entity::find().count(&app.db).await.unwrap(),
        events_before
    );
    assert_eq!(app.ping(&plain).await, 200);
    assert_eq!(app.get("/api/auth/session").await.status(), 200);
    assert_eq!(
        app.new_browser()
            .login("bob", "long enough password")
            .await
            .0,
        401
    );
}
