//! The market-data feed's URL in the session info: `/ws` on the address the browser used (a URL
//! that really serves the feed), `wss://` behind TLS, `KEYGATE_WS_PUBLIC_URL` when configured,
//! and never a `Host` that is not a host.

use keygate_tests::{json_body, new_client, spawn_app, spawn_app_with, PASSWORD};
use serde_json::json;

use crate::ws_client::Ws;

#[tokio::test]
async fn setup_sign_in_and_the_session_name_ws_on_the_address_used_and_it_serves_the_feed() {
    let app = spawn_app().await;
    let setup = app.setup_admin("admin").await;
    let expected = app.address.replacen("http://", "ws://", 1) + "/ws";
    assert_eq!(setup["ws_url"], expected.as_str(), "{setup}");
    let (status, login) = app.new_browser().login("admin", PASSWORD).await;
    assert_eq!(status, 200);
    assert_eq!(login["ws_url"], expected.as_str());
    let session = json_body(app.get("/api/auth/session").await).await;
    assert_eq!(session["ws_url"], expected.as_str());

    let (key, _) = app.create_key(json!({"name": "feed"})).await;
    let mut ws = Ws::connect(&expected).await;
    let reply = ws
        .ask(json!({"action": "authenticate", "api_key": key}))
        .await;
    assert_eq!(reply["status"], "success", "{reply}");
}

#[tokio::test]
async fn a_configured_public_url_is_what_the_session_names() {
    let app = spawn_app_with(&[("KEYGATE_WS_PUBLIC_URL", "wss://feed.example.com/ws")]).await;
    let setup = app.setup_admin("admin").await;
    assert_eq!(setup["ws_url"], "wss://feed.example.com/ws");
    let session = json_body(app.get("/api/auth/session").await).await;
    assert_eq!(session["ws_url"], "wss://feed.example.com/ws");
}

#[tokio::test]
async fn a_server_behind_tls_names_a_wss_url() {
    let app = spawn_app_with(&[("KEYGATE_COOKIE_SECURE", "true")]).await;
    let setup = app.setup_admin("admin").await;
    let expected = app.address.replacen("http://", "wss://", 1) + "/ws";
    assert_eq!(setup["ws_url"], expected.as_str(), "{setup}");
}

#[tokio::test]
async fn a_host_header_that_is_not_a_host_is_never_echoed() {
    let app = spawn_app().await;
    app.setup_admin("admin").await;
    let response = new_client()
        .post(app.url("/api/auth/login"))
        .header(reqwest::header::HOST, "evil.example/<script>")
        .json(&json!({"username": "admin", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body = json_body(response).await;
    let url = body["ws_url"].as_str().unwrap();
    assert!(url.starts_with("ws://127.0.0.1:"), "{url}");
    assert!(url.ends_with("/ws") && !url.contains("evil"), "{url}");
}
