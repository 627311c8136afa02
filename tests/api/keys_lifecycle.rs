//! Rolling and revoking keys: the old secret stops at once (or after its grace period), the key
//! keeps its settings, and a revoked key stays revoked.

use std::time::Duration;

use keygate_core::entities::key_event;
use keygate_tests::{assert_error, is_key, json_body, spawn_app_with_key, TestApp};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Value};

use crate::process::within;

const INVALID_KEY: &str = "Invalid openalgo apikey";

async fn roll(app: &TestApp, id: i64, body: Value) -> (String, Value) {
    let response = app.post(&format!("/api/keys/{id}/roll"), &body).await;
    assert_eq!(response.status(), 200, "roll");
    let cache = response.headers()[reqwest::header::CACHE_CONTROL]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cache.contains("no-store"), "{cache}");
    let body = json_body(response).await;
    (
        body["api_key"].as_str().unwrap().to_owned(),
        body["key"].clone(),
    )
}

#[tokio::test]
async fn rolling_without_grace_stops_the_old_secret_at_once_and_keeps_the_settings() {
    let (app, old, id) = spawn_app_with_key(&[], json!({
        "name": "bot", "scopes": ["trade"], "order_mode": "semi_auto", "ip_allowlist": ["127.0.0.0/8"]
    }))
    .await;
    assert_eq!(
        app.ping(&old).await,
        200,
        "the old key is cached before the roll"
    );

    let (new, key) = roll(&app, id, json!({})).await;

    assert!(is_key(&new));
    assert_ne!(new, old);
    assert_eq!(
        app.v1("ping", &old, json!({})).await,
        (403, json!({"status": "error", "message": INVALID_KEY}))
    );
    assert_eq!(app.ping(&new).await, 200);
    assert_eq!(key["id"], id);
    assert_eq!(key["name"], "bot");
    assert_eq!(key["scopes"], json!(["trade"]));
    assert_eq!(key["order_mode"], "semi_auto");
    assert_eq!(key["ip_allowlist"], json!(["127.0.0.0/8"]));
    assert_eq!(key["state"], "active");
    assert_eq!(key["grace"], Value::Null);
    assert_eq!(
        key["masked_key"],
        format!("{}…{}", &new[..4], &new[60..]).as_str()
    );
    let revealed = json_body(
        app.post(&format!("/api/keys/{id}/reveal"), &json!({}))
            .await,
    )
    .await;
    assert_eq!(revealed["api_key"], new.as_str());
}

#[tokio::test]
async fn rolling_with_grace_keeps_both_secrets_working_and_reports_the_old_one() {
    let (app, old, id) = spawn_app_with_key(&[], json!({"name": "k"})).await;
    assert_eq!(app.ping(&old).await, 200);

    let (new, key) = roll(&app, id, json!({"grace_seconds": 60})).await;

    assert_eq!(key["state"], "in_grace");
    assert_eq!(
        key["grace"]["old_masked_key"],
        format!("{}…{}", &old[..4], &old[60..]).as_str()
    );
    assert_eq!(key["grace"]["old_used_from"], json!([]));
    let until: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(key["grace"]["grace_until"].clone()).unwrap();
    let left = until - chrono::Utc::now();
    assert!(
        left > chrono::Duration::seconds(50) && left <= chrono::Duration::seconds(60),
        "{left}"
    );
    assert_eq!(app.ping(&new).await, 200);
    assert_eq!(app.ping(&old).await, 200);
    let listed = json_body(app.get("/api/keys").await).await;
    assert_eq!(listed[0]["state"], "in_grace");
    assert_eq!(
        listed[0]["grace"]["old_masked_key"],
        key["grace"]["old_masked_key"]
    );

    let app = &app;
    let reported = within(Duration::from_secs(5), move || async move {
        let grace = &app.key_summary(id).await["grace"];
        grace["old_used_from"]
            .as_array()
            .is_some_and(|ips| ips.contains(&json!("127.0.0.1")))
            && grace["old_last_used_at"].is_string()
    })
    .await;
    assert!(
        reported.is_some(),
        "use of the old secret not reported within 5 s"
    );
}

#[tokio::test]
async fn the_old_secret_stops_when_its_grace_period_ends() {
    let (app, old, id) = spawn_app_with_key(&[], json!({"name": "k"})).await;

    let (new, _) = roll(&app, id, json!({"grace_seconds": 1})).await;

    assert_eq!(app.ping(&old).await, 200, "still in its grace period");
    let app = &app;
    let ended = within(Duration::from_secs(4), move || async move {
        app.key_summary(id).await["state"] == "active"
    })
    .await;
    assert!(ended.is_some(), "the grace period did not end");
    assert_eq!(
        app.ping(&old).await,
        403,
        "the old secret stopped with its grace period"
    );
    assert_eq!(app.ping(&new).await, 200);
    let key = app.key_summary(id).await;
    assert_eq!(key["state"], "active");
    assert_eq!(key["grace"], Value::Null);
}

#[tokio::test]
async fn uses_of_the_old_secret_from_before_the_roll_are_not_reported_as_uses_since_the_roll() {
    let (app, old, id) = spawn_app_with_key(&[], json!({"name": "k"})).await;
    assert_eq!(
        app.ping(&old).await,
        200,
        "a use before the roll, not yet written"
    );

    let (_, key) = roll(&app, id, json!({"grace_seconds": 3600})).await;
    app.state.usage.flush(&app.db).await.unwrap();

    assert_eq!(key["grace"]["old_used_from"], json!([]));
    let grace = &app.key_summary(id).await["grace"];
    assert_eq!(
        grace["old_last_used_at"],
        Value::Null,
        "no use since the roll: {grace}"
    );
    assert_eq!(
        grace["old_used_from"],
        json!([]),
        "old_used_from lists only addresses that used the old secret since the roll: {grace}"
    );
}

#[tokio::test]
async fn rolling_again_ends_an_earlier_grace_period_at_once() {
    let (app, first, id) = spawn_app_with_key(&[], json!({"name": "k"})).await;
    let (second, _) = roll(&app, id, json!({"grace_seconds": 3600})).await;
    assert_eq!(app.ping(&first).await, 200);

    let (third, key) = roll(&app, id, json!({"grace_seconds": 3600})).await;

    assert_eq!(
        app.ping(&first).await,
        403,
        "the first secret's grace ended"
    );
    assert_eq!(app.ping(&second).await, 200);
    assert_eq!(app.ping(&third).await, 200);
    assert_eq!(
        key["grace"]["old_masked_key"],
        format!("{}…{}", &second[..4], &second[60..]).as_str()
    );
}

#[tokio::test]
async fn a_grace_period_over_a_day_is_refused() {
    let (app, old, id) = spawn_app_with_key(&[], json!({"name": "k"})).await;

    let response = app
        .post(
            &format!("/api/keys/{id}/roll"),
            &json!({"grace_seconds": 86_401}),
        )
        .await;

    let body = assert_error(response, 400).await;
    assert!(body["errors"]["grace_seconds"].is_array(), "{body}");
    assert_eq!(app.ping(&old).await, 200, "the key was not rolled");
    let (_, key) = roll(&app, id, json!({"grace_seconds": 86_400})).await;
    assert_eq!(key["state"], "in_grace", "a day is allowed");
}

#[tokio::test]
async fn revoking_stops_the_key_at_once() {
    let (app, plain, id) = spawn_app_with_key(&[], json!({"name": "k"})).await;
    assert_eq!(
        app.ping(&plain).await,
        200,
        "the key is cached before the revoke"
    );

    let response = app
        .post(&format!("/api/keys/{id}/revoke"), &json!({}))
        .await;

    assert_eq!(response.status(), 200);
    let key = json_body(response).await;
    assert_eq!(key["state"], "revoked");
    assert!(key["revoked_at"].is_string());
    assert_eq!(
        app.v1("ping", &plain, json!({})).await,
        (403, json!({"status": "error", "message": INVALID_KEY}))
    );
    assert_eq!(
        json_body(app.get("/api/keys").await).await[0]["state"],
        "revoked"
    );
}

#[tokio::test]
async fn revoking_also_stops_an_old_secret_in_its_grace_period() {
    let (app, old, id) = spawn_app_with_key(&[], json!({"name": "k"})).await;
    let (new, _) = roll(&app, id, json!({"grace_seconds": 3600})).await;
    assert_eq!(app.ping(&old).await, 200);

    let response = app
        .post(&format!("/api/keys/{id}/revoke"), &json!({}))
        .await;

    assert_eq!(response.status(), 200);
    assert_eq!(app.ping(&old).await, 403);
    assert_eq!(app.ping(&new).await, 403);
    assert_eq!(app.key_summary(id).await["grace"], Value::Null);
}

#[tokio::test]
async fn revoking_twice_is_harmless() {
    let (app, plain, id) = spawn_app_with_key(&[], json!({"name": "k"})).await;
    let first = json_body(
        app.post(&format!("/api/keys/{id}/revoke"), &json!({}))
            .await,
    )
    .await;

    let response = app
        .post(&format!("/api/keys/{id}/revoke"), &json!({}))
        .await;

    assert_eq!(response.status(), 200);
    let second = json_body(response).await;
    assert_eq!(second["state"], "revoked");
    assert_eq!(
        second["revoked_at"], first["revoked_at"],
        "the first revocation time stays"
    );
    let revoked_events = key_event::Entity::find()
        .filter(key_event::Column::Event.eq("revoked"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(revoked_events, 1);
    assert_eq!(app.ping(&plain).await, 403);
}

#[tokio::test]
async fn a_revoked_key_can_be_neither_rolled_nor_revealed() {
    let (app, plain, id) = spawn_app_with_key(&[], json!({"name": "k"})).await;
    app.post(&format!("/api/keys/{id}/revoke"), &json!({}))
        .await;

    let rolled = app.post(&format!("/api/keys/{id}/roll"), &json!({})).await;
    let revealed = app
        .post(&format!("/api/keys/{id}/reveal"), &json!({}))
        .await;

    assert_error(rolled, 409).await;
    let body = assert_error(revealed, 409).await;
    assert!(!body.to_string().contains(&plain));
    assert_eq!(app.ping(&plain).await, 403);
    assert_eq!(app.key_summary(id).await["state"], "revoked");
}
