//! Snapshots of the wire: the OpenAPI document and OpenAlgo's answers shaped from the trading
//! service's outcomes (executed, queued, refused) and the order book. A change to any of them
//! shows up as a diff of `snapshots/*.snap` to review: `INSTA_UPDATE=always` rewrites them.

use keygate_tests::TestApp;
use serde_json::{json, Value};

use crate::v1_support::{app_with_keys, market};

/// Fields whose values differ from run to run (ids and times).
const VARYING: &[&str] = &["orderid", "pending_order_id", "timestamp"];

/// `value` with every varying field's value replaced by its name in brackets.
fn stable(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let v = if VARYING.contains(&k.as_str()) && !v.is_null() {
                        json!(format!("[{k}]"))
                    } else {
                        stable(v)
                    };
                    (k, v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(stable).collect()),
        other => other,
    }
}

async fn answer(app: &TestApp, name: &str, key: &str, body: Value) -> Value {
    let (status, body) = app.v1(name, key, body).await;
    json!({ "status": status, "body": stable(body) })
}

#[test]
fn the_openapi_document() {
    let document: Value = serde_json::from_str(&keygate_api::openapi::openapi_json()).unwrap();
    insta::assert_json_snapshot!("openapi", document);
}

#[tokio::test]
async fn placeorder_executed_queued_and_refused_and_the_order_book() {
    let (app, k) = app_with_keys().await;
    let buy = market("RELIANCE", "BUY", "1");
    let executed = answer(&app, "placeorder", &k.trade, buy.clone()).await;
    insta::assert_json_snapshot!("placeorder_executed", executed);
    let queued = answer(&app, "placeorder", &k.semi, buy).await;
    insta::assert_json_snapshot!("placeorder_queued", queued);
    let opening = market("INFY", "BUY", "1");
    let refused = answer(&app, "placeorder", &k.exit, opening).await;
    insta::assert_json_snapshot!("placeorder_refused", refused);
    let book = answer(&app, "orderbook", &k.trade, json!({})).await;
    insta::assert_json_snapshot!("orderbook", book);
}
