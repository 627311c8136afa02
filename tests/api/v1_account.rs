//! `/api/v1` account views: holdings, funds, positions, open position, order status errors.

use serde_json::json;

use crate::v1_support::{app_with_keys, market, orderid};

#[tokio::test]
async fn a_fresh_account_has_a_crore_and_empty_books() {
    let (app, k) = app_with_keys().await;
    let (status, funds) = app.v1("funds", &k.read, json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(
        funds,
        json!({"status": "success", "data": {"availablecash": "10000000.00", "collateral": "0.00",
            "m2mrealized": "0.00", "m2munrealized": "0.00", "utiliseddebits": "0.00"}})
    );
    assert_eq!(
        app.v1("tradebook", &k.read, json!({})).await,
        (200, json!({"status": "success", "data": []}))
    );
    assert_eq!(
        app.v1("positionbook", &k.read, json!({})).await,
        (200, json!({"status": "success", "data": []}))
    );
    let (_, book) = app.v1("orderbook", &k.read, json!({})).await;
    assert_eq!(book["data"]["orders"], json!([]));
    assert_eq!(
        book["data"]["statistics"],
        json!({"total_buy_orders": 0, "total_completed_orders": 0, "total_open_orders": 0,
               "total_rejected_orders": 0, "total_sell_orders": 0})
    );
    let (_, holdings) = app.v1("holdings", &k.read, json!({})).await;
    assert_eq!(holdings["data"]["holdings"], json!([]));
    assert_eq!(holdings["data"]["statistics"]["totalholdingvalue"], 0.0);
}

#[tokio::test]
async fn a_cnc_buy_becomes_a_holding() {
    let (app, k) = app_with_keys().await;
    let mut cnc = market("ITC", "BUY", "3");
    cnc["product"] = json!("CNC");
    orderid(&app.v1("placeorder", &k.trade, cnc).await);
    let (status, body) = app.v1("holdings", &k.read, json!({})).await;
    assert_eq!(status, 200, "{body}");
    let row = &body["data"]["holdings"][0];
    assert_eq!(
        (
            row["symbol"].as_str(),
            row["quantity"].as_i64(),
            row["product"].as_str()
        ),
        (Some("ITC"), Some(3), Some("CNC"))
    );
    assert!(
        row.get("average_price").is_none(),
        "live rows have the live shape"
    );
    assert!(
        body["data"]["statistics"]["totalinvvalue"]
            .as_f64()
            .unwrap()
            > 0.0
    );
}

#[tokio::test]
async fn open_position_answers_zero_for_nothing_and_the_net_quantity_otherwise() {
    let (app, k) = app_with_keys().await;
    let query = json!({"strategy": "t", "symbol": "ITC", "exchange": "NSE", "product": "MIS"});
    assert_eq!(
        app.v1("openposition", &k.read, query.clone()).await,
        (200, json!({"quantity": 0, "status": "success"}))
    );
    orderid(
        &app.v1("placeorder", &k.trade, market("ITC", "SELL", "7"))
            .await,
    );
    assert_eq!(
        app.v1("openposition", &k.read, query).await,
        (200, json!({"quantity": -7, "status": "success"}))
    );
}

#[tokio::test]
async fn order_status_of_an_unknown_order_is_404() {
    let (app, k) = app_with_keys().await;
    assert_eq!(
        app.v1(
            "orderstatus",
            &k.read,
            json!({"orderid": "42", "strategy": "t"})
        )
        .await,
        (
            404,
            json!({"status": "error", "message": "Order 42 not found"})
        )
    );
}

#[tokio::test]
async fn orders_and_positions_survive_a_restart() {
    let (app, k) = app_with_keys().await;
    let id = orderid(
        &app.v1("placeorder", &k.trade, market("ITC", "BUY", "2"))
            .await,
    );
    let keygate_tests::TestApp { database, .. } = app;

    let again = keygate_tests::spawn_on(database, &[]).await;
    let (status, s) = again
        .v1(
            "orderstatus",
            &k.read,
            json!({"orderid": id, "strategy": "t"}),
        )
        .await;
    assert_eq!(status, 200, "{s}");
    assert_eq!(s["data"]["order_status"], "complete");
    let (_, positions) = again.v1("positionbook", &k.read, json!({})).await;
    assert_eq!(positions["data"][0]["quantity"], 2);
}
