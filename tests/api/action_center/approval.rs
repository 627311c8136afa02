//! Approval executes the stored call once, on the ledger of queueing time, and records the outcome.

use super::*;

/// The order ids in the user's orderbook (read with any of their keys).
pub async fn orderbook_ids(app: &TestApp, key: &str) -> Vec<String> {
    let (status, body) = app.v1("orderbook", key, json!({})).await;
    assert_eq!(status, 200, "{body}");
    body["data"]["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["orderid"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn approving_executes_the_stored_order_and_records_the_broker_order_id_and_status() {
    let (app, key, _) = app_with_semi_auto_key().await;
    let (status, body) = app
        .v1(
            "placeorder",
            &key,
            json!({"strategy": "Python", "symbol": "SBIN", "action": "BUY", "exchange": "NSE",
                   "pricetype": "MARKET", "product": "MIS", "quantity": "2"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let id = body["pending_order_id"]
        .as_i64()
        .expect("queued by the v1 endpoint");
    assert!(
        orderbook_ids(&app, &key).await.is_empty(),
        "nothing runs before approval"
    );

    let response = approve(&app, id, json!({})).await;
    assert_eq!(response.status(), 200);
    let item = json_body(response).await;
    assert_eq!(item["state"], "approved", "{item}");
    let order_id = item["broker_order_id"]
        .as_str()
        .expect("order id")
        .to_owned();
    assert_eq!(
        item["broker_status"], "complete",
        "a MARKET order fills at once"
    );
    assert_eq!(item["response"]["orderid"], order_id.as_str());
    assert_eq!(orderbook_ids(&app, &key).await, vec![order_id]);
    assert_error(approve(&app, id, json!({})).await, 409).await;
    assert_eq!(orderbook_ids(&app, &key).await.len(), 1, "executed once");
}

#[tokio::test]
async fn approval_runs_against_the_ledger_of_queueing_time() {
    let (app, key, _) = app_with_semi_auto_key().await;
    let (auto, _) = app
        .create_key(json!({"name": "auto", "scopes": ["trade"], "order_mode": "auto"}))
        .await;
    let (status, body) = app
        .v1("analyzer/toggle", &auto, json!({"mode": true}))
        .await;
    assert_eq!(status, 200, "{body}");
    let id = queued(&app, &key, "SBIN").await;
    let (status, body) = app
        .v1("analyzer/toggle", &auto, json!({"mode": false}))
        .await;
    assert_eq!(status, 200, "{body}");

    let item = json_body(approve(&app, id, json!({})).await).await;
    assert_eq!(item["ledger"], "analyze");
    assert_eq!(item["state"], "approved", "{item}");
    assert_eq!(item["response"]["mode"], "analyze");
    assert!(
        orderbook_ids(&app, &key).await.is_empty(),
        "nothing on the live ledger"
    );
}

#[tokio::test]
async fn a_broker_refusal_at_approval_is_recorded_as_failed() {
    let (app, key, _) = app_with_semi_auto_key().await;
    let (status, body) = app
        .v1(
            "placeorder",
            &key,
            json!({"strategy": "Python", "symbol": "SBIN", "action": "BUY", "exchange": "NSE",
                   "pricetype": "MARKET", "product": "NRML", "quantity": "1"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let id = body["pending_order_id"].as_i64().unwrap();
    let item = json_body(approve(&app, id, json!({})).await).await;
    assert_eq!(item["state"], "failed", "{item}");
    assert!(
        item["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{item}"
    );
    assert_eq!(item["broker_order_id"], Value::Null);
}
