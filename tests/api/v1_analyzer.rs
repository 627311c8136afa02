//! `/api/v1/analyzer`: per-user sandbox mode, `mode` keys, and who may toggle it.

use serde_json::json;

use crate::v1_support::{app_with_keys, market, orderid};

const SEMI_AUTO: &str = "Operation analyzer/toggle is not allowed in Semi-Auto mode. This operation can only be performed by the client via the UI. This restriction ensures SEBI Research Analyst compliance where mode switching is a client-only decision.";

#[tokio::test]
async fn toggling_the_analyzer_moves_the_users_calls_to_the_sandbox_and_back() {
    let (app, k) = app_with_keys().await;
    assert_eq!(
        app.v1("analyzer", &k.read, json!({})).await,
        (
            200,
            json!({"status": "success", "data": {"analyze_mode": false, "mode": "live", "total_logs": 0}})
        )
    );
    let (status, on) = app
        .v1("analyzer/toggle", &k.trade, json!({"mode": "on"}))
        .await;
    assert_eq!(status, 200, "{on}");
    assert_eq!(
        on["data"],
        json!({"analyze_mode": true, "message": "Analyzer mode switched to analyze", "mode": "analyze", "total_logs": 0})
    );

    // Every key of the user now works on the sandbox.
    let placed = app
        .v1("placeorder", &k.trade, market("SBIN", "BUY", "1"))
        .await;
    let id = orderid(&placed);
    assert_eq!(
        placed.1,
        json!({"mode": "analyze", "orderid": id, "status": "success"})
    );
    let (_, book) = app.v1("orderbook", &k.read, json!({})).await;
    assert_eq!(book["mode"], "analyze");
    let row = &book["data"]["orders"][0];
    for extra in [
        "average_price",
        "filled_quantity",
        "pending_quantity",
        "rejection_reason",
        "strategy",
    ] {
        assert!(
            row.get(extra).is_some(),
            "sandbox rows carry {extra}: {row}"
        );
    }
    assert_eq!(
        book["data"]["statistics"]["total_trigger_pending_orders"],
        0
    );
    let (_, funds) = app.v1("funds", &k.read, json!({})).await;
    assert_eq!(funds["mode"], "analyze");
    assert!(funds["data"]["availablecash"].is_f64());
    let (_, positions) = app.v1("positionbook", &k.read, json!({})).await;
    assert_eq!(positions["mode"], "analyze");
    assert!(positions.get("total_pnl").is_some());
    // Market data never carries a mode.
    let (_, quote) = app
        .v1(
            "quotes",
            &k.read,
            json!({"symbol": "SBIN", "exchange": "NSE"}),
        )
        .await;
    assert!(quote.get("mode").is_none());
    // Sandbox rules answer 400 with the mode.
    let mut nrml = market("SBIN", "BUY", "1");
    nrml["product"] = json!("NRML");
    assert_eq!(
        app.v1("placeorder", &k.trade, nrml).await,
        (
            400,
            json!({"status": "error", "mode": "analyze",
            "message": "NRML product not allowed for NSE equity segment. Use CNC for delivery or MIS for intraday."})
        )
    );
    assert_eq!(
        app.v1("analyzer", &k.read, json!({})).await.1["data"]["total_logs"],
        1
    );

    // Back to live: the live ledger never saw the sandbox order.
    let (_, off) = app
        .v1("analyzer/toggle", &k.trade, json!({"mode": false}))
        .await;
    assert_eq!(off["data"]["message"], "Analyzer mode switched to live");
    let (_, live) = app.v1("orderbook", &k.read, json!({})).await;
    assert!(live.get("mode").is_none());
    assert_eq!(live["data"]["orders"], json!([]));
}

#[tokio::test]
async fn the_analyzer_is_per_user() {
    let (app, k) = app_with_keys().await;
    app.create_user("bob", false).await;
    let bob = app.signed_in("bob").await;
    let (bob_key, _) = bob
        .create_key(json!({"name": "b", "scopes": ["trade"]}))
        .await;
    assert_eq!(
        app.v1("analyzer/toggle", &k.trade, json!({"mode": true}))
            .await
            .0,
        200
    );
    let (_, bobs) = app.v1("analyzer", &bob_key, json!({})).await;
    assert_eq!(bobs["data"]["analyze_mode"], false);
    let placed = app
        .v1("placeorder", &bob_key, market("SBIN", "BUY", "1"))
        .await;
    assert!(placed.1.get("mode").is_none(), "{}", placed.1);
}

#[tokio::test]
async fn validation_errors_carry_the_mode_where_the_contract_says() {
    let (app, k) = app_with_keys().await;
    app.v1("analyzer/toggle", &k.trade, json!({"mode": true}))
        .await;
    let (status, cancel) = app
        .v1("cancelorder", &k.trade, json!({"strategy": "t"}))
        .await;
    assert_eq!(status, 400);
    assert_eq!(cancel["mode"], "analyze");
    let (status, place) = app
        .v1("placeorder", &k.trade, json!({"strategy": "t"}))
        .await;
    assert_eq!(status, 400);
    assert!(
        place.get("mode").is_none(),
        "placeorder's validation errors never carry a mode"
    );
    let (status, funds) = app.v1("funds", &k.read, json!({"x": 1})).await;
    assert_eq!(status, 400);
    assert!(funds.get("mode").is_none());
}

#[tokio::test]
async fn only_an_auto_trade_key_may_toggle() {
    let (app, k) = app_with_keys().await;
    assert_eq!(
        app.v1("analyzer/toggle", &k.semi, json!({"mode": true}))
            .await,
        (403, json!({"status": "error", "message": SEMI_AUTO}))
    );
    assert_eq!(
        app.v1("analyzer/toggle", &k.exit, json!({"mode": true}))
            .await
            .0,
        403
    );
    assert_eq!(
        app.v1("analyzer/toggle", &k.read, json!({"mode": true}))
            .await
            .0,
        403
    );
    assert_eq!(
        app.v1("analyzer", &k.semi, json!({})).await.1["data"]["analyze_mode"],
        false
    );
}

#[tokio::test]
async fn semi_auto_calls_are_queued_even_in_analyzer_mode() {
    let (app, k) = app_with_keys().await;
    app.v1("analyzer/toggle", &k.trade, json!({"mode": true}))
        .await;
    let (status, queued) = app
        .v1("placeorder", &k.semi, market("SBIN", "BUY", "1"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(queued["mode"], "semi_auto");
    assert!(queued["pending_order_id"].is_i64());
}
