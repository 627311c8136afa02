//! `modifyorder` changing an order's price type on both ledgers: a LIMIT chased to MARKET fills
//! at the market, re-checked for funds and (for an `exit_only` key) the reduce-only rule.

use serde_json::{json, Value};

use crate::v1_support::{app_with_keys, far_limit, market, net, orderid};
use keygate_tests::TestApp;

/// The modify body that turns `placed` (a placement body) into a MARKET order of `quantity`.
fn to_market(placed: &Value, id: &str, quantity: &str) -> Value {
    let mut modify = placed.clone();
    modify["orderid"] = json!(id);
    modify["pricetype"] = json!("MARKET");
    modify["price"] = json!("0");
    modify["quantity"] = json!(quantity);
    modify["disclosed_quantity"] = json!("0");
    modify["trigger_price"] = json!("0");
    modify
}

async fn status_of(app: &TestApp, key: &str, id: &str) -> Value {
    let (status, s) = app
        .v1(
            "orderstatus",
            key,
            json!({"orderid": id, "strategy": "test"}),
        )
        .await;
    assert_eq!(status, 200, "{s}");
    s["data"].clone()
}

#[tokio::test]
async fn a_limit_modified_to_market_fills_at_the_market_on_both_ledgers() {
    let (app, k) = app_with_keys().await;
    for (ledger, symbol) in [("live", "INFY"), ("analyze", "TCS")] {
        if ledger == "analyze" {
            let (status, on) = app
                .v1("analyzer/toggle", &k.trade, json!({"mode": true}))
                .await;
            assert_eq!(status, 200, "{on}");
        }
        let body = far_limit(&app, &k.trade, symbol, "BUY", "2").await;
        let id = orderid(&app.v1("placeorder", &k.trade, body.clone()).await);
        assert_eq!(status_of(&app, &k.trade, &id).await["order_status"], "open");

        let (status, answer) = app
            .v1("modifyorder", &k.trade, to_market(&body, &id, "3"))
            .await;
        assert_eq!(status, 200, "{ledger}: {answer}");
        assert_eq!(answer["orderid"], id.as_str(), "{ledger}");
        let order = status_of(&app, &k.trade, &id).await;
        assert_eq!(order["order_status"], "complete", "{ledger}: {order}");
        assert_eq!(order["pricetype"], "MARKET", "{ledger}: {order}");
        assert_eq!(order["quantity"], 3, "{ledger}: {order}");
        let limit: f64 = body["price"].as_str().unwrap().parse().unwrap();
        let filled = order["average_price"].as_f64().unwrap();
        assert!(
            filled > limit,
            "{ledger}: filled at {filled}, not the limit {limit}"
        );
        assert_eq!(net(&app, &k.trade, symbol).await, 3, "{ledger}");
    }
}

#[tokio::test]
async fn a_modify_to_market_the_funds_cannot_carry_is_refused_and_the_order_kept() {
    let (app, k) = app_with_keys().await;
    let body = far_limit(&app, &k.trade, "RELIANCE", "BUY", "1").await;
    let limit: f64 = body["price"].as_str().unwrap().parse().unwrap();
    // At half the market the order blocks 20 % × quantity × limit: about three quarters of
    // the 1 crore of capital; at the market it would need about one and a half.
    let quantity = (7_500_000.0 / (0.2 * limit)).floor().to_string();
    let mut big = body.clone();
    big["quantity"] = json!(quantity);
    let id = orderid(&app.v1("placeorder", &k.trade, big.clone()).await);

    let (status, refused) = app
        .v1("modifyorder", &k.trade, to_market(&big, &id, &quantity))
        .await;
    assert_eq!(status, 400, "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .starts_with("Insufficient funds"),
        "{refused}"
    );
    let order = status_of(&app, &k.trade, &id).await;
    assert_eq!(
        (&order["order_status"], &order["pricetype"]),
        (&json!("open"), &json!("LIMIT")),
        "{order}"
    );
}

#[tokio::test]
async fn an_exit_only_key_may_chase_an_exit_to_market_but_not_past_the_position() {
    let (app, k) = app_with_keys().await;
    orderid(
        &app.v1("placeorder", &k.trade, market("HDFCBANK", "BUY", "5"))
            .await,
    );
    let exit = far_limit(&app, &k.exit, "HDFCBANK", "SELL", "2").await;
    let id = orderid(&app.v1("placeorder", &k.exit, exit.clone()).await);

    let (status, refused) = app
        .v1("modifyorder", &k.exit, to_market(&exit, &id, "6"))
        .await;
    assert_eq!(status, 403, "{refused}");
    assert_eq!(status_of(&app, &k.exit, &id).await["pricetype"], "LIMIT");

    let (status, answer) = app
        .v1("modifyorder", &k.exit, to_market(&exit, &id, "5"))
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        status_of(&app, &k.exit, &id).await["order_status"],
        "complete"
    );
    assert_eq!(net(&app, &k.exit, "HDFCBANK").await, 0);
}
