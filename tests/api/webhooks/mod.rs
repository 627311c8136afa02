//! Alert webhooks: TradingView's JSON and ChartInk's scan payload (through a per-key webhook
//! token) become orders under the key's state, scopes and order mode; duplicates within the window
//! are ignored and say so; bad payloads get the 4xx envelope.

use keygate_core::entities::traffic_log;
use keygate_tests::{assert_error, json_body, new_client, spawn_app_with_key, TestApp};
use reqwest::Method;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};

use crate::action_center::approval::orderbook_ids;
use crate::action_center::{alert, app_with_semi_auto_key};

pub const DUPLICATE: &str = "Duplicate alert ignored";

pub async fn post(app: &TestApp, path: &str, body: Value) -> reqwest::Response {
    new_client()
        .post(app.url(path))
        .json(&body)
        .send()
        .await
        .expect("request")
}

pub async fn pending(app: &TestApp) -> Vec<Value> {
    let response = app.get("/api/action-center?state=pending").await;
    serde_json::from_value(json_body(response).await).unwrap()
}

/// Creates a ChartInk token for `key_id` with `settings`; returns the token and the answer.
pub async fn chartink_token(app: &TestApp, key_id: i64, settings: Value) -> (String, Value) {
    let mut body = settings;
    body["key_id"] = json!(key_id);
    let response = app.post("/api/chartink/tokens", &body).await;
    assert_eq!(response.status(), 201, "create token");
    let created = json_body(response).await;
    (created["token"].as_str().unwrap().to_owned(), created)
}

pub fn scan(stocks: &str, prices: &str) -> Value {
    json!({
        "stocks": stocks, "trigger_prices": prices, "triggered_at": "2:34 pm",
        "scan_name": "Breakout", "scan_url": "breakout", "alert_name": "Breakout alert",
        "webhook_url": "https://example.invalid/hook"
    })
}

mod chartink;
mod tradingview;
