//! Changing a key's settings, and the audit trail of every change.

use std::time::Duration;

use keygate_tests::{assert_error, json_body, spawn_app_with_key, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

use crate::process::within;

async fn patch(app: &TestApp, id: i64, body: Value) -> reqwest::Response {
    app.send(Method::PATCH, &format!("/api/keys/{id}"), &body)
        .await
}

#[tokio::test]
async fn a_key_can_be_renamed_rescoped_and_restricted_without_changing_its_secret() {
    let (app, plain, id) = spawn_app_with_key(&[], json!({"name": "k"})).await;

    let response = patch(
        &app,
        id,
        json!({
            "name": "renamed",
            "scopes": ["trade"],
            "ip_allowlist": ["127.0.0.1"],
            "expires_at": "2099-06-01T12:00:00Z",
        }),
    )
    .await;

    assert_eq!(response.status(), 200);
    let key = json_body(response).await;
    assert_eq!(key["name"], "renamed");
    assert_eq!(key["scopes"], json!(["trade"]));
    assert_eq!(key["ip_allowlist"], json!(["127.0.0.1/32"]));
    assert!(key["expires_at"]
        .as_str()
        .unwrap()
        .starts_with("2099-06-01T12:00:00"));
    assert_eq!(app.key_summary(id).await, key);
    assert_eq!(app.ping(&plain).await, 200, "the secret is unchanged");
}

#[tokio::test]
async fn an_absent_field_is_left_alone_and_a_null_expiry_clears_it() {
    let (app, plain, id) = spawn_app_with_key(
        &[],
        json!({
            "name": "k", "scopes": ["exit_only"], "expires_at": "2099-01-01T00:00:00Z"
        }),
    )
    .await;

    let renamed = json_body(patch(&app, id, json!({"name": "other"})).await).await;
    assert_eq!(renamed["scopes"], json!(["exit_only"]));
    assert!(renamed["expires_at"].is_string(), "an absent expiry stays");

    let cleared = patch(&app, id, json!({"expires_at": null})).await;

    assert_eq!(cleared.status(), 200);
    let cleared = json_body(cleared).await;
    assert_eq!(cleared["expires_at"], Value::Null);
    assert_eq!(cleared["name"], "other");
    assert_eq!(app.ping(&plain).await, 200);
}

#[tokio::test]
async fn invalid_changes_are_refused_and_change_nothing() {
    let (app, _, id) = spawn_app_with_key(&[], json!({"name": "k"})).await;
    app.create_key(json!({"name": "taken"})).await;
    let before = app.key_summary(id).await;
    let past = (chrono::Utc::now() - chrono::Duration::minutes(1)).to_rfc3339();

    let cases = [
        (json!({"name": "taken"}), "name"),
        (json!({"name": ""}), "name"),
        (json!({"scopes": []}), "scopes"),
        (json!({"ip_allowlist": ["not an ip"]}), "ip_allowlist"),
        (json!({"expires_at": past}), "expires_at"),
    ];
    for (body, field) in cases {
        let error = assert_error(patch(&app, id, body.clone()).await, 400).await;
        assert!(error["errors"][field].is_array(), "{body}: {error}");
    }
    assert_error(patch(&app, id, json!({"owner": 2})).await, 400).await;

    assert_eq!(app.key_summary(id).await, before);
}

#[tokio::test]
async fn the_order_mode_is_set_with_put() {
    let (app, plain, id) = spawn_app_with_key(&[], json!({"name": "k"})).await;

    let response = app
        .send(
            Method::PUT,
            &format!("/api/keys/{id}/mode"),
            &json!({"order_mode": "semi_auto"}),
        )
        .await;

    assert_eq!(response.status(), 200);
    assert_eq!(json_body(response).await["order_mode"], "semi_auto");
    assert_eq!(app.key_summary(id).await["order_mode"], "semi_auto");
    let invalid = app
        .send(
            Method::PUT,
            &format!("/api/keys/{id}/mode"),
            &json!({"order_mode": "manual"}),
        )
        .await;
    assert_error(invalid, 400).await;
    assert_eq!(app.ping(&plain).await, 200);
}

#[tokio::test]
async fn a_key_past_its_new_expiry_is_refused_and_listed_as_expired() {
    let (app, plain, id) = spawn_app_with_key(&[], json!({"name": "k"})).await;
    assert_eq!(app.ping(&plain).await, 200);
    let soon = (chrono::Utc::now() + chrono::Duration::seconds(2)).to_rfc3339();

    assert_eq!(
        patch(&app, id, json!({"expires_at": soon})).await.status(),
        200
    );

    assert_eq!(app.ping(&plain).await, 200, "cached with its new expiry");

    let app = &app;
    let expired = within(Duration::from_secs(5), move || async move {
        app.key_summary(id).await["state"] == "expired"
    })
    .await;
    assert!(expired.is_some(), "the key is not listed as expired");
    let (status, body) = app.v1("ping", &plain, json!({})).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["status"], "error");
}

#[tokio::test]
async fn every_change_appears_in_the_audit_trail_with_its_actor() {
    let (app, _, id) = spawn_app_with_key(&[], json!({"name": "k"})).await;
    app.post(&format!("/api/keys/{id}/reveal"), &json!({}))
        .await;
    patch(&app, id, json!({"scopes": ["trade"]})).await;
    app.send(
        Method::PUT,
        &format!("/api/keys/{id}/mode"),
        &json!({"order_mode": "semi_auto"}),
    )
    .await;
    app.post(&format!("/api/keys/{id}/roll"), &json!({})).await;
    app.post(&format!("/api/keys/{id}/revoke"), &json!({}))
        .await;

    let events = app.events().await;

    let kinds: Vec<&str> = events
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "revoked",
            "rolled",
            "mode_changed",
            "updated",
            "revealed",
            "created"
        ],
        "newest first"
    );
    for event in &events {
        assert_eq!(event["key_id"], id);
        assert_eq!(event["key_name"], "k");
        assert_eq!(event["actor"], "admin");
        assert_eq!(event["ip"], "127.0.0.1");
    }
    let filtered = json_body(app.get(&format!("/api/keys/events?key_id={id}")).await).await;
    assert_eq!(filtered.as_array().unwrap().len(), 6);
    let other = json_body(
        app.get(&format!("/api/keys/events?key_id={}", id + 1))
            .await,
    )
    .await;
    assert_eq!(other, json!([]));
}

#[tokio::test]
async fn a_change_that_changes_nothing_is_not_audited() {
    let (app, _, id) = spawn_app_with_key(&[], json!({"name": "k"})).await;

    let response = patch(&app, id, json!({"name": "k", "scopes": ["read"]})).await;

    assert_eq!(response.status(), 200);
    let kinds: Vec<Value> = app
        .events()
        .await
        .iter()
        .map(|e| e["event"].clone())
        .collect();
    assert_eq!(kinds, [json!("created")]);
}
