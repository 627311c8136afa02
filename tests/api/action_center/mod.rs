//! The Action Center: a `semi_auto` key's orders wait for their owner, who approves (executing them
//! once, against the ledger of queueing time, after a price-move check) or rejects them; items
//! expire, and other users never see them.

use keygate_core::entities::pending_order;
use keygate_tests::{assert_error, json_body, new_client, spawn_app_with_key, TestApp};
use sea_orm::sea_query::SimpleExpr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};

/// An app whose admin owns a `semi_auto` trade key; returns it with the key's plaintext and id.
pub async fn app_with_semi_auto_key() -> (TestApp, String, i64) {
    spawn_app_with_key(
        &[],
        json!({"name": "bot", "scopes": ["trade"], "order_mode": "semi_auto"}),
    )
    .await
}

/// Sends a TradingView alert for `symbol` with `key`; returns status and body.
pub async fn alert(app: &TestApp, key: &str, symbol: &str, quantity: &str) -> (u16, Value) {
    let response = new_client()
        .post(app.url("/api/webhook/tradingview"))
        .json(&json!({
            "apikey": key, "strategy": "TV", "symbol": symbol, "action": "BUY",
            "exchange": "NSE", "pricetype": "MARKET", "product": "MIS", "quantity": quantity
        }))
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, json_body(response).await)
}

/// Queues one order through a semi-auto alert; returns its pending id.
pub async fn queued(app: &TestApp, key: &str, symbol: &str) -> i64 {
    let (status, body) = alert(app, key, symbol, "1").await;
    assert_eq!(status, 200, "{body}");
    body["pending_order_id"].as_i64().expect("pending_order_id")
}

pub async fn list(app: &TestApp, query: &str) -> Vec<Value> {
    let response = app.get(&format!("/api/action-center{query}")).await;
    assert_eq!(response.status(), 200, "list");
    serde_json::from_value(json_body(response).await).expect("a list")
}

pub async fn approve(app: &TestApp, id: i64, body: Value) -> reqwest::Response {
    app.post(&format!("/api/action-center/{id}/approve"), &body)
        .await
}

pub async fn set_column(app: &TestApp, id: i64, column: pending_order::Column, value: SimpleExpr) {
    pending_order::Entity::update_many()
        .col_expr(column, value)
        .filter(pending_order::Column::Id.eq(id))
        .exec(&app.db)
        .await
        .expect("update");
}

pub mod approval;
mod decisions;
mod key_state;
