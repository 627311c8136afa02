//! Approval runs an item under its key as the key is now: a revoked, expired or narrowed key
//! cannot have its queued orders executed, and an `exit_only` key's queued exits count the items
//! approved before them.

use keygate_core::entities::api_key;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};

use super::*;
use crate::v1_support::{market, net};

/// An app whose admin owns an `auto` trade key and a `semi_auto` key with `scopes`; returns the
/// app, the trade key, the semi-auto key and its id.
async fn app_with(scopes: Value) -> (TestApp, String, String, i64) {
    let (app, trade, _) = spawn_app_with_key(
        &[("KEYGATE_RATE_ORDERS", "off"), ("KEYGATE_RATE_DATA", "off")],
        json!({"name": "trade", "scopes": ["trade"], "order_mode": "auto"}),
    )
    .await;
    let (semi, id) = app
        .create_key(json!({"name": "semi", "scopes": scopes, "order_mode": "semi_auto"}))
        .await;
    (app, trade, semi, id)
}

/// Queues `body` as a placeorder of `key`; returns the pending id.
async fn queue(app: &TestApp, key: &str, body: Value) -> i64 {
    let (status, answer) = app.v1("placeorder", key, body).await;
    assert_eq!(status, 200, "{answer}");
    answer["pending_order_id"].as_i64().expect("queued")
}

async fn item(app: &TestApp, id: i64) -> Value {
    list(app, "")
        .await
        .into_iter()
        .find(|i| i["id"] == id)
        .expect("the item is listed")
}

#[tokio::test]
async fn two_queued_exits_of_an_exit_only_key_against_one_position_execute_only_once() {
    let (app, trade, exit, _) = app_with(json!(["exit_only"])).await;
    let (status, body) = app
        .v1("placeorder", &trade, market("SBIN", "BUY", "100"))
        .await;
    assert_eq!(status, 200, "{body}");
    let first = queue(&app, &exit, market("SBIN", "SELL", "100")).await;
    let second = queue(&app, &exit, market("SBIN", "SELL", "100")).await;

    let approved = json_body(approve(&app, first, json!({"confirm": true})).await).await;
    assert_eq!(approved["state"], "approved", "{approved}");
    assert_eq!(net(&app, &trade, "SBIN").await, 0);

    let refused = assert_error(approve(&app, second, json!({"confirm": true})).await, 403).await;
    let message = refused["message"].as_str().expect("a message");
    assert!(message.contains("exit_only"), "{refused}");
    let second = item(&app, second).await;
    assert_eq!(second["state"], "failed", "{second}");
    assert_eq!(second["error"].as_str(), Some(message), "{second}");
    assert_eq!(
        net(&app, &trade, "SBIN").await,
        0,
        "never reversed to short"
    );
}

#[tokio::test]
async fn revoking_a_key_rejects_its_pending_items() {
    let (app, _, semi, key_id) = app_with(json!(["trade"])).await;
    let id = queue(&app, &semi, market("SBIN", "BUY", "1")).await;
    let response = app
        .post(&format!("/api/keys/{key_id}/revoke"), &json!({}))
        .await;
    assert_eq!(response.status(), 200);

    let rejected = item(&app, id).await;
    assert_eq!(rejected["state"], "rejected", "{rejected}");
    assert_eq!(rejected["reason"], "key revoked", "{rejected}");
    assert_error(approve(&app, id, json!({"confirm": true})).await, 409).await;
}

#[tokio::test]
async fn an_item_whose_key_lost_its_trading_scope_is_refused_at_approval() {
    let (app, trade, semi, key_id) = app_with(json!(["trade"])).await;
    let id = queue(&app, &semi, market("SBIN", "BUY", "1")).await;
    let response = app
        .send(
            reqwest::Method::PATCH,
            &format!("/api/keys/{key_id}"),
            &json!({"scopes": ["read"]}),
        )
        .await;
    assert_eq!(response.status(), 200);

    let refused = assert_error(approve(&app, id, json!({"confirm": true})).await, 403).await;
    assert!(
        refused["message"].as_str().unwrap().contains("scope"),
        "{refused}"
    );
    assert_eq!(item(&app, id).await["state"], "failed");
    assert_eq!(net(&app, &trade, "SBIN").await, 0, "nothing executed");
}

#[tokio::test]
async fn an_item_whose_key_expired_is_refused_at_approval() {
    let (app, trade, semi, key_id) = app_with(json!(["trade"])).await;
    let id = queue(&app, &semi, market("SBIN", "BUY", "1")).await;
    let key = api_key::Entity::find_by_id(key_id)
        .one(&app.db)
        .await
        .expect("query")
        .expect("the key");
    let mut expired: api_key::ActiveModel = key.into();
    expired.expires_at = Set(Some(chrono::Utc::now() - chrono::Duration::minutes(1)));
    expired.update(&app.db).await.expect("update");

    let refused = assert_error(approve(&app, id, json!({"confirm": true})).await, 403).await;
    assert!(
        refused["message"].as_str().unwrap().contains("expired"),
        "{refused}"
    );
    let failed = item(&app, id).await;
    assert_eq!(failed["state"], "failed", "{failed}");
    assert_eq!(net(&app, &trade, "SBIN").await, 0, "nothing executed");
}
