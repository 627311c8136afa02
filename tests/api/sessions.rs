//! Signing in and out: server-side sessions that really end, one answer for every wrong
//! credential, and throttled guessing.

use keygate_core::entities::session;
use keygate_tests::{assert_error, json_body, new_client, spawn_app, spawn_app_with, PASSWORD};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::json;

/// `GET /api/auth/session` from a cookie-less client presenting `cookie` by hand.
async fn session_status_with_cookie(address: &str, cookie: &str) -> u16 {
    new_client()
        .get(format!("{address}/api/auth/session"))
        .header(reqwest::header::COOKIE, cookie)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn signing_in_with_the_right_password_starts_a_working_session() {
    let app = spawn_app().await;
    app.setup_admin("admin").await;
    let browser = app.new_browser();

    let (status, body) = browser.login("admin", PASSWORD).await;

    assert_eq!(status, 200, "{body}");
    assert_eq!(body["user"]["username"], "admin");
    let session = browser.get("/api/auth/session").await;
    assert_eq!(session.status(), 200);
    let session = json_body(session).await;
    assert_eq!(session["user"]["username"], "admin");
    assert_eq!(session["csrf_token"], body["csrf_token"]);
    assert_eq!(browser.get("/api/keys").await.status(), 200);
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_same_site_strict() {
    let app = spawn_app().await;
    app.setup_admin("admin").await;

    let response = new_client()
        .post(app.url("/api/auth/login"))
        .json(&json!({"username": "admin", "password": PASSWORD}))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 200);
    let cookie = response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("keygate_session="))
        .expect("a session cookie");
    let lower = cookie.to_ascii_lowercase();
    assert!(lower.contains("httponly"), "{cookie}");
    assert!(lower.contains("samesite=strict"), "{cookie}");
    assert!(lower.contains("path=/"), "{cookie}");
}

#[tokio::test]
async fn signing_in_again_replaces_the_session_so_the_earlier_cookie_stops_working() {
    let app = spawn_app().await;
    app.setup_admin("admin").await;
    let earlier = app.browser.session_cookie().expect("a session cookie");

    assert_eq!(app.login("admin", PASSWORD).await.0, 200);

    let current = app.browser.session_cookie().expect("a session cookie");
    assert_ne!(current, earlier, "a new session key on every sign-in");
    assert_eq!(
        session_status_with_cookie(&app.address, &current).await,
        200
    );
    assert_eq!(
        session_status_with_cookie(&app.address, &earlier).await,
        401
    );
}

#[tokio::test]
async fn management_routes_refuse_a_client_without_a_session() {
    let app = spawn_app().await;
    app.setup_admin("admin").await;
    let stranger = app.new_browser();

    for path in [
        "/api/auth/session",
        "/api/keys",
        "/api/keys/events",
        "/api/users",
    ] {
        assert_error(stranger.get(path).await, 401).await;
    }
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_user_get_the_same_answer() {
    let app = spawn_app().await;
    app.setup_admin("admin").await;
    let browser = app.new_browser();

    let (wrong_password_status, wrong_password) =
        browser.login("admin", "not the password at all").await;
    let (unknown_user_status, unknown_user) = browser.login("nobody", PASSWORD).await;

    assert_eq!(wrong_password_status, 401);
    assert_eq!(unknown_user_status, 401);
    assert_eq!(wrong_password, unknown_user);
    assert_eq!(wrong_password["status"], "error");
    assert_eq!(browser.get("/api/auth/session").await.status(), 401);
}

#[tokio::test]
async fn logout_ends_the_session_on_the_server_so_a_copied_cookie_stops_working() {
    let app = spawn_app().await;
    app.setup_admin("admin").await;
    let copied = app.browser.session_cookie().expect("a session cookie");
    assert_eq!(
        session_status_with_cookie(&app.address, &copied).await,
        200,
        "the copied cookie works while the session lives"
    );
    let sessions_before = session::Entity::find().count(&app.db).await.unwrap();

    let response = app.post("/api/auth/logout", &json!({})).await;

    assert_eq!(response.status(), 200);
    assert_eq!(json_body(response).await["status"], "success");
    assert_eq!(session_status_with_cookie(&app.address, &copied).await, 401);
    assert_eq!(app.get("/api/auth/session").await.status(), 401);
    assert_eq!(
        session::Entity::find().count(&app.db).await.unwrap(),
        sessions_before - 1,
        "the session row is gone"
    );
}

#[tokio::test]
async fn changing_the_password_ends_every_session_of_the_user() {
    let app = spawn_app().await;
    app.setup_admin("admin").await;
    app.create_user("bob", false).await;
    let other_client = app.signed_in("admin").await;
    let bob = app.signed_in("bob").await;
    let copied = app.browser.session_cookie().expect("a session cookie");

    let response = app
        .post(
            "/api/auth/password",
            &json!({"current_password": PASSWORD, "new_password": "a brand new passphrase"}),
        )
        .await;

    assert_eq!(response.status(), 200);
    assert_eq!(app.get("/api/auth/session").await.status(), 401);
    assert_eq!(other_client.get("/api/auth/session").await.status(), 401);
    assert_eq!(session_status_with_cookie(&app.address, &copied).await, 401);
    assert_eq!(
        bob.get("/api/auth/session").await.status(),
        200,
        "other users' sessions live on"
    );
    let fresh = app.new_browser();
    assert_eq!(fresh.login("admin", PASSWORD).await.0, 401);
    assert_eq!(fresh.login("admin", "a brand new passphrase").await.0, 200);
}

#[tokio::test]
async fn a_password_change_with_the_wrong_current_password_is_refused() {
    let app = spawn_app().await;
    app.setup_admin("admin").await;

    let response = app
        .post(
            "/api/auth/password",
            &json!({"current_password": "not the password", "new_password": "a brand new passphrase"}),
        )
        .await;

    let body = assert_error(response, 400).await;
    assert!(body["errors"]["current_password"].is_array(), "{body}");
    assert_eq!(app.get("/api/auth/session").await.status(), 200);
    assert_eq!(app.new_browser().login("admin", PASSWORD).await.0, 200);
}

#[tokio::test]
async fn too_many_sign_in_attempts_are_refused_with_retry_after() {
    let app = spawn_app_with(&[("KEYGATE_LOGIN_PER_MINUTE", "3")]).await;
    app.setup_admin("admin").await;
    let browser = app.new_browser();
    for _ in 0..3 {
        assert_eq!(browser.login("admin", "wrong password!").await.0, 401);
    }

    let response = browser
        .client
        .post(app.url("/api/auth/login"))
        .json(&json!({"username": "admin", "password": PASSWORD}))
        .send()
        .await
        .unwrap();

    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .expect("a numeric Retry-After header");
    assert!((1..=60).contains(&retry_after), "Retry-After {retry_after}");
    assert_error(response, 429).await;
    assert_eq!(
        browser.get("/api/auth/session").await.status(),
        401,
        "even the right password is refused while throttled"
    );
}
