//! Issuing keys, listing them and revealing them: the plaintext is shown on creation and on an
//! audited reveal, never in a list, and never stored.

use std::time::Duration;

use keygate_core::entities::api_key_secret;
use keygate_tests::{assert_error, is_key, json_body, spawn_app, spawn_app_with, TestApp};
use sea_orm::EntityTrait;
use serde_json::{json, Value};

use crate::process::within;

async fn signed_in_app() -> TestApp {
    let app = spawn_app().await;
    app.setup_admin("admin").await;
    app
}

fn cache_control(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(reqwest::header::CACHE_CONTROL)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_new_key_is_64_lowercase_hex_shown_once_with_safe_defaults() {
    let app = signed_in_app().await;

    let response = app.post("/api/keys", &json!({"name": "tradingview"})).await;

    assert_eq!(response.status(), 201);
    assert!(cache_control(&response).contains("no-store"));
    let body = json_body(response).await;
    let plain = body["api_key"].as_str().unwrap();
    assert!(is_key(plain), "{plain}");
    let key = &body["key"];
    let masked = format!("{}…{}", &plain[..4], &plain[60..]);
    assert_eq!(key["masked_key"], masked.as_str());
    assert_eq!(key["name"], "tradingview");
    assert_eq!(key["scopes"], json!(["read"]));
    assert_eq!(key["order_mode"], "auto");
    assert_eq!(key["ip_allowlist"], json!([]));
    assert_eq!(key["state"], "active");
    assert_eq!(key["expires_at"], Value::Null);
    assert_eq!(key["last_used_at"], Value::Null);
    assert_eq!(app.ping(plain).await, 200);
}

#[tokio::test]
async fn the_database_holds_only_derived_forms_of_the_key() {
    let app = signed_in_app().await;
    let (plain, _) = app.create_key(json!({"name": "k"})).await;

    let secrets = api_key_secret::Entity::find().all(&app.db).await.unwrap();

    assert_eq!(secrets.len(), 1);
    let row = format!("{:?}", secrets[0]);
    assert!(
        !row.contains(&plain),
        "a stored column holds the plaintext: {row}"
    );
    assert!(secrets[0].argon2_hash.starts_with("$argon2id$"));
}

#[tokio::test]
async fn two_keys_never_share_a_secret() {
    let app = signed_in_app().await;

    let (first, _) = app.create_key(json!({"name": "one"})).await;
    let (second, _) = app.create_key(json!({"name": "two"})).await;

    assert_ne!(first, second);
}

#[tokio::test]
async fn a_key_is_created_with_the_scopes_mode_allowlist_and_expiry_asked_for() {
    let app = signed_in_app().await;
    let expiry = "2099-01-01T00:00:00Z";

    let response = app
        .post(
            "/api/keys",
            &json!({
                "name": "bot",
                "scopes": ["exit_only", "trade", "trade"],
                "order_mode": "semi_auto",
                "ip_allowlist": ["10.0.0.7", "192.168.1.99/24", "2001:db8::/32"],
                "expires_at": expiry,
            }),
        )
        .await;

    assert_eq!(response.status(), 201);
    let key = json_body(response).await["key"].clone();
    assert_eq!(key["scopes"], json!(["trade", "exit_only"]));
    assert_eq!(key["order_mode"], "semi_auto");
    assert_eq!(
        key["ip_allowlist"],
        json!(["10.0.0.7/32", "192.168.1.0/24", "2001:db8::/32"])
    );
    let stored: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(key["expires_at"].clone()).unwrap();
    assert_eq!(
        stored,
        expiry.parse::<chrono::DateTime<chrono::Utc>>().unwrap()
    );
}

#[tokio::test]
async fn a_key_needs_a_name() {
    let app = signed_in_app().await;

    for name in ["", "   ", &"n".repeat(65), "tab\there"] {
        let response = app.post("/api/keys", &json!({"name": name})).await;
        let body = assert_error(response, 400).await;
        assert!(body["errors"]["name"].is_array(), "{name:?}: {body}");
    }
    assert_error(app.post("/api/keys", &json!({})).await, 400).await;
    assert_eq!(json_body(app.get("/api/keys").await).await, json!([]));
}

#[tokio::test]
async fn a_name_is_unique_per_user_but_another_user_may_reuse_it() {
    let app = signed_in_app().await;
    app.create_user("bob", false).await;
    app.create_key(json!({"name": "k"})).await;

    let duplicate = app.post("/api/keys", &json!({"name": "k"})).await;
    let padded = app.post("/api/keys", &json!({"name": "  k  "})).await;
    let bob = app.signed_in("bob").await;
    let bobs = bob.post("/api/keys", &json!({"name": "k"})).await;

    let body = assert_error(duplicate, 400).await;
    assert!(body["errors"]["name"].is_array(), "{body}");
    assert_error(padded, 400).await;
    assert_eq!(bobs.status(), 201);
    assert_eq!(
        json_body(app.get("/api/keys").await)
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn an_invalid_allowlist_entry_is_refused() {
    let app = signed_in_app().await;

    for entry in ["example.com", "10.0.0.0/33", "300.1.1.1", ""] {
        let response = app
            .post(
                "/api/keys",
                &json!({"name": "k", "ip_allowlist": ["127.0.0.1", entry]}),
            )
            .await;
        let body = assert_error(response, 400).await;
        assert!(
            body["errors"]["ip_allowlist"].is_array(),
            "{entry:?}: {body}"
        );
    }
    assert_eq!(json_body(app.get("/api/keys").await).await, json!([]));
}

#[tokio::test]
async fn an_expiry_in_the_past_is_refused() {
    let app = signed_in_app().await;
    let past = (chrono::Utc::now() - chrono::Duration::minutes(1)).to_rfc3339();

    let response = app
        .post("/api/keys", &json!({"name": "k", "expires_at": past}))
        .await;

    let body = assert_error(response, 400).await;
    assert!(body["errors"]["expires_at"].is_array(), "{body}");
}

#[tokio::test]
async fn a_user_may_hold_only_the_configured_number_of_live_keys() {
    let app = spawn_app_with(&[("KEYGATE_MAX_KEYS_PER_USER", "2")]).await;
    app.setup_admin("admin").await;
    app.create_user("bob", false).await;
    app.create_key(json!({"name": "one"})).await;
    let (_, second) = app.create_key(json!({"name": "two"})).await;

    let third = app.post("/api/keys", &json!({"name": "three"})).await;

    assert_error(third, 409).await;
    let bob = app.signed_in("bob").await;
    assert_eq!(
        bob.post("/api/keys", &json!({"name": "one"}))
            .await
            .status(),
        201,
        "the cap is per user"
    );
    let revoke = app
        .post(&format!("/api/keys/{second}/revoke"), &json!({}))
        .await;
    assert_eq!(revoke.status(), 200);
    assert_eq!(
        app.post("/api/keys", &json!({"name": "three"}))
            .await
            .status(),
        201,
        "revoked keys do not count"
    );
}

#[tokio::test]
async fn the_key_list_never_contains_the_plaintext() {
    let app = signed_in_app().await;
    let (plain, _) = app.create_key(json!({"name": "k"})).await;
    assert_eq!(app.ping(&plain).await, 200);

    let response = app.get("/api/keys").await;

    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    assert!(!text.contains(&plain), "{text}");
    let list: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(list[0]["name"], "k");
    assert_eq!(list[0]["state"], "active");
    let single = app
        .get(&format!("/api/keys/{}", list[0]["id"]))
        .await
        .text()
        .await
        .unwrap();
    assert!(!single.contains(&plain));
}

#[tokio::test]
async fn the_list_shows_when_and_from_where_a_key_was_last_used() {
    let app = signed_in_app().await;
    let (plain, id) = app.create_key(json!({"name": "k"})).await;
    assert_eq!(app.key_summary(id).await["last_used_at"], Value::Null);

    assert_eq!(app.ping(&plain).await, 200);

    let app = &app;
    let seen = within(Duration::from_secs(5), move || async move {
        app.key_summary(id).await["last_used_ip"] == "127.0.0.1"
    })
    .await;
    assert!(seen.is_some(), "last use not shown within 5 s");
    let key = app.key_summary(id).await;
    assert!(key["last_used_at"].is_string(), "{key}");
}

#[tokio::test]
async fn revealing_a_key_returns_the_same_plaintext_uncacheable_and_audited() {
    let app = signed_in_app().await;
    let (plain, id) = app.create_key(json!({"name": "k"})).await;

    let response = app
        .post(&format!("/api/keys/{id}/reveal"), &json!({}))
        .await;

    assert_eq!(response.status(), 200);
    assert!(cache_control(&response).contains("no-store"));
    assert_eq!(json_body(response).await, json!({ "api_key": plain }));
    let events = app.events().await;
    let revealed = events
        .iter()
        .find(|e| e["event"] == "revealed")
        .expect("a revealed event");
    assert_eq!(revealed["key_id"], id);
    assert_eq!(revealed["actor"], "admin");
    assert_eq!(revealed["ip"], "127.0.0.1");
}
