//! `/api/v1` order endpoints on the live ledger: placing, status, modify, cancel, smart orders,
//! cancel-all, close; and what each scope and order mode may do.

use serde_json::json;

use crate::v1_support::{app_with_keys, app_with_keys_and, far_limit, market, net, orderid};

#[tokio::test]
async fn a_market_order_fills_and_shows_in_every_book() {
    let (app, k) = app_with_keys().await;

    let placed = app
        .v1("placeorder", &k.trade, market("RELIANCE", "buy", "2"))
        .await;
    let id = orderid(&placed);
    assert_eq!(
        placed.1,
        json!({"orderid": id, "status": "success"}),
        "live answers carry no mode"
    );

    let (status, s) = app
        .v1(
            "orderstatus",
            &k.trade,
            json!({"orderid": id, "strategy": "test"}),
        )
        .await;
    assert_eq!(status, 200, "{s}");
    assert_eq!(s["data"]["order_status"], "complete");
    assert_eq!(s["data"]["action"], "BUY");
    assert_eq!(s["data"]["quantity"], 2);
    assert_eq!(s["data"]["price"], 0.0);
    assert!(s["data"]["average_price"].as_f64().unwrap() > 0.0);
    assert!(s.get("mode").is_none());

    let (_, book) = app.v1("orderbook", &k.trade, json!({})).await;
    assert_eq!(book["data"]["orders"][0]["orderid"], id.as_str());
    assert_eq!(book["data"]["statistics"]["total_buy_orders"], 1);
    assert_eq!(book["data"]["statistics"]["total_completed_orders"], 1);
    let (_, trades) = app.v1("tradebook", &k.trade, json!({})).await;
    assert_eq!(trades["data"][0]["orderid"], id.as_str());
    assert_eq!(trades["data"][0]["quantity"], 2);
    let (_, positions) = app.v1("positionbook", &k.trade, json!({})).await;
    assert_eq!(positions["data"][0]["symbol"], "RELIANCE");
    assert_eq!(positions["data"][0]["quantity"], 2);
    assert_eq!(net(&app, &k.trade, "RELIANCE").await, 2);
    let (_, funds) = app.v1("funds", &k.trade, json!({})).await;
    let used: f64 = funds["data"]["utiliseddebits"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(used > 0.0, "{funds}");
}

#[tokio::test]
async fn a_resting_limit_order_can_be_modified_then_cancelled_once() {
    let (app, k) = app_with_keys().await;
    let body = far_limit(&app, &k.trade, "INFY", "BUY", "3").await;
    let id = orderid(&app.v1("placeorder", &k.trade, body.clone()).await);
    let (_, s) = app
        .v1(
            "orderstatus",
            &k.trade,
            json!({"orderid": id, "strategy": "test"}),
        )
        .await;
    assert_eq!(s["data"]["order_status"], "open");

    let mut modify = body.clone();
    modify["orderid"] = json!(id);
    modify["quantity"] = json!("5");
    modify["disclosed_quantity"] = json!("0");
    modify["trigger_price"] = json!("0");
    let (status, m) = app.v1("modifyorder", &k.trade, modify).await;
    assert_eq!(
        (status, m.clone()),
        (200, json!({"orderid": id, "status": "success"}))
    );
    let (_, s) = app
        .v1(
            "orderstatus",
            &k.trade,
            json!({"orderid": id, "strategy": "test"}),
        )
        .await;
    assert_eq!(s["data"]["quantity"], 5);

    let cancel = json!({"orderid": id, "strategy": "test"});
    assert_eq!(
        app.v1("cancelorder", &k.trade, cancel.clone()).await,
        (200, json!({"orderid": id, "status": "success"}))
    );
    let (status, again) = app.v1("cancelorder", &k.trade, cancel).await;
    assert_eq!(
        (status, again["message"].as_str().unwrap()),
        (400, "Cannot cancel order in cancelled status")
    );
    let (status, missing) = app
        .v1(
            "cancelorder",
            &k.trade,
            json!({"orderid": "1", "strategy": "t"}),
        )
        .await;
    assert_eq!(
        (status, missing),
        (
            404,
            json!({"status": "error", "message": "Order 1 not found"})
        )
    );
    let (status, empty) = app
        .v1(
            "cancelorder",
            &k.trade,
            json!({"orderid": "", "strategy": "t"}),
        )
        .await;
    assert_eq!(
        (status, empty["message"].as_str().unwrap()),
        (400, "Order ID is missing")
    );
}

#[tokio::test]
async fn smart_orders_move_the_position_to_the_target() {
    let (app, k) = app_with_keys().await;
    let mut smart = market("SBIN", "BUY", "1");
    smart["position_size"] = json!("5");
    orderid(&app.v1("placesmartorder", &k.trade, smart.clone()).await);
    assert_eq!(net(&app, &k.trade, "SBIN").await, 5);

    assert_eq!(
        app.v1("placesmartorder", &k.trade, smart.clone()).await,
        (
            200,
            json!({"message": "Positions Already Matched. No Action needed.", "status": "success"})
        )
    );
    smart["position_size"] = json!(-2);
    orderid(&app.v1("placesmartorder", &k.trade, smart).await);
    assert_eq!(net(&app, &k.trade, "SBIN").await, -2);
}

#[tokio::test]
async fn cancel_all_and_close_position_clear_the_account() {
    let (app, k) = app_with_keys().await;
    orderid(
        &app.v1("placeorder", &k.trade, market("TCS", "BUY", "1"))
            .await,
    );
    orderid(
        &app.v1("placeorder", &k.trade, market("ITC", "SELL", "4"))
            .await,
    );
    let resting = orderid(
        &app.v1(
            "placeorder",
            &k.trade,
            far_limit(&app, &k.trade, "TCS", "BUY", "1").await,
        )
        .await,
    );

    let (status, all) = app
        .v1("cancelallorder", &k.trade, json!({"strategy": "test"}))
        .await;
    assert_eq!(status, 200, "{all}");
    assert_eq!(all["canceled_orders"], json!([resting]));
    assert_eq!(all["failed_cancellations"], json!([]));
    assert_eq!(
        all["message"],
        "Canceled 1 orders. Failed to cancel 0 orders."
    );

    assert_eq!(
        app.v1("closeposition", &k.trade, json!({"strategy": "test"}))
            .await,
        (
            200,
            json!({"message": "All Open Positions Squared Off", "status": "success"})
        )
    );
    assert_eq!(net(&app, &k.trade, "TCS").await, 0);
    assert_eq!(net(&app, &k.trade, "ITC").await, 0);
}

#[tokio::test]
async fn an_unknown_symbol_gets_the_contracts_400() {
    let (app, k) = app_with_keys().await;
    let (status, body) = app
        .v1("placeorder", &k.trade, market("NOSUCHCO", "BUY", "1"))
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        body["message"],
        "Symbol 'NOSUCHCO' not found for exchange 'NSE'. Please verify the symbol name and ensure master contracts are downloaded."
    );
}

#[tokio::test]
async fn a_read_key_gets_403_on_every_order_changing_endpoint_and_reads_freely() {
    let (app, k) = app_with_keys().await;
    let changing = [
        ("placeorder", market("SBIN", "BUY", "1")),
        (
            "placesmartorder",
            json!({"strategy": "t", "symbol": "SBIN", "exchange": "NSE", "action": "BUY", "quantity": 1, "position_size": 1}),
        ),
        ("modifyorder", json!({})),
        ("cancelorder", json!({"orderid": "1", "strategy": "t"})),
        ("cancelallorder", json!({"strategy": "t"})),
        ("closeposition", json!({"strategy": "t"})),
        ("analyzer/toggle", json!({"mode": true})),
    ];
    for (name, body) in changing {
        let (status, answer) = app.v1(name, &k.read, body).await;
        assert_eq!(status, 403, "{name}: {answer}");
        assert!(
            answer["message"].as_str().unwrap().contains("scope"),
            "{name}: {answer}"
        );
    }
    for name in [
        "orderbook",
        "tradebook",
        "positionbook",
        "holdings",
        "funds",
        "analyzer",
        "ping",
    ] {
        let (status, answer) = app.v1(name, &k.read, json!({})).await;
        assert_eq!(status, 200, "{name}: {answer}");
    }
}

#[tokio::test]
async fn an_exit_only_key_may_reduce_cancel_and_close_but_never_open_or_add() {
    let (app, k) = app_with_keys().await;
    // Nothing to reduce yet: opening is refused.
    let (status, refused) = app
        .v1("placeorder", &k.exit, market("HDFCBANK", "BUY", "1"))
        .await;
    assert_eq!(status, 403, "{refused}");
    assert!(refused["message"].as_str().unwrap().contains("exit_only"));

    orderid(
        &app.v1("placeorder", &k.trade, market("HDFCBANK", "BUY", "10"))
            .await,
    );
    // Adding and reversing are refused; reducing works.
    assert_eq!(
        app.v1("placeorder", &k.exit, market("HDFCBANK", "BUY", "1"))
            .await
            .0,
        403
    );
    assert_eq!(
        app.v1("placeorder", &k.exit, market("HDFCBANK", "SELL", "11"))
            .await
            .0,
        403
    );
    orderid(
        &app.v1("placeorder", &k.exit, market("HDFCBANK", "sell", "4"))
            .await,
    );
    assert_eq!(net(&app, &k.exit, "HDFCBANK").await, 6);

    // Working exits on the same side count against the position.
    let resting = orderid(
        &app.v1(
            "placeorder",
            &k.exit,
            far_limit(&app, &k.exit, "HDFCBANK", "SELL", "5").await,
        )
        .await,
    );
    assert_eq!(
        app.v1("placeorder", &k.exit, market("HDFCBANK", "SELL", "2"))
            .await
            .0,
        403
    );
    // ... and a modify may not grow an exit beyond the position.
    let mut grow = far_limit(&app, &k.exit, "HDFCBANK", "SELL", "7").await;
    grow["orderid"] = json!(resting);
    grow["disclosed_quantity"] = json!(0);
    grow["trigger_price"] = json!(0);
    assert_eq!(app.v1("modifyorder", &k.exit, grow.clone()).await.0, 403);
    grow["quantity"] = json!("6");
    assert_eq!(app.v1("modifyorder", &k.exit, grow).await.0, 200);

    // Smart orders: only targets between 0 and the position.
    let mut smart = market("HDFCBANK", "BUY", "1");
    smart["position_size"] = json!(20);
    assert_eq!(
        app.v1("placesmartorder", &k.exit, smart.clone()).await.0,
        403
    );
    assert_eq!(
        app.v1(
            "cancelorder",
            &k.exit,
            json!({"orderid": resting, "strategy": "t"})
        )
        .await
        .0,
        200
    );
    smart["position_size"] = json!(2);
    orderid(&app.v1("placesmartorder", &k.exit, smart).await);
    assert_eq!(net(&app, &k.exit, "HDFCBANK").await, 2);

    assert_eq!(
        app.v1("cancelallorder", &k.exit, json!({"strategy": "t"}))
            .await
            .0,
        200
    );
    assert_eq!(
        app.v1("closeposition", &k.exit, json!({"strategy": "t"}))
            .await
            .0,
        200
    );
    assert_eq!(net(&app, &k.exit, "HDFCBANK").await, 0);
}

#[tokio::test]
async fn a_semi_auto_key_queues_every_order_changing_call() {
    let (app, k) = app_with_keys().await;
    let resting = orderid(
        &app.v1(
            "placeorder",
            &k.trade,
            far_limit(&app, &k.trade, "WIPRO", "BUY", "1").await,
        )
        .await,
    );
    let mut modify = far_limit(&app, &k.trade, "WIPRO", "BUY", "2").await;
    modify["orderid"] = json!(resting);
    modify["disclosed_quantity"] = json!(0);
    modify["trigger_price"] = json!(0);
    let mut smart = market("WIPRO", "BUY", "1");
    smart["position_size"] = json!(3);
    let calls = [
        ("placeorder", market("WIPRO", "BUY", "1")),
        ("placesmartorder", smart),
        ("modifyorder", modify),
        ("cancelorder", json!({"orderid": resting, "strategy": "t"})),
        ("cancelallorder", json!({"strategy": "t"})),
        ("closeposition", json!({"strategy": "t"})),
    ];
    let mut ids = Vec::new();
    for (name, body) in calls {
        let (status, answer) = app.v1(name, &k.semi, body).await;
        assert_eq!(status, 200, "{name}: {answer}");
        assert_eq!(answer["status"], "success");
        assert_eq!(answer["mode"], "semi_auto");
        assert_eq!(
            answer["message"],
            "Order queued for approval in Action Center"
        );
        assert!(answer.get("orderid").is_none());
        ids.push(answer["pending_order_id"].as_i64().expect("pending id"));
    }
    ids.dedup();
    assert_eq!(ids.len(), 6, "each call is its own pending item");
    // Nothing reached the broker: only the trade key's resting order exists, still open.
    let (_, book) = app.v1("orderbook", &k.semi, json!({})).await;
    assert_eq!(book["data"]["orders"].as_array().unwrap().len(), 1);
    assert_eq!(book["data"]["orders"][0]["order_status"], "open");
    assert_eq!(book["data"]["orders"][0]["quantity"], 1);
    // Invalid bodies are refused before queueing.
    assert_eq!(
        app.v1("placeorder", &k.semi, json!({"symbol": "WIPRO"}))
            .await
            .0,
        400
    );
}

#[tokio::test]
async fn order_calls_count_in_the_orders_rate_category_and_the_rest_in_data() {
    let (app, k) = app_with_keys_and(&[
        ("KEYGATE_RATE_ORDERS", "2/min"),
        ("KEYGATE_RATE_DATA", "off"),
    ])
    .await;
    let cancel = json!({"orderid": "1", "strategy": "t"});
    assert_eq!(app.v1("cancelorder", &k.trade, cancel.clone()).await.0, 404);
    assert_eq!(
        app.v1("placeorder", &k.trade, market("SBIN", "BUY", "1"))
            .await
            .0,
        200
    );
    let (status, limited) = app.v1("modifyorder", &k.trade, json!({})).await;
    assert_eq!(status, 429, "{limited}");
    assert_eq!(app.v1("placesmartorder", &k.trade, json!({})).await.0, 429);
    // Cancel-all and close place or cancel orders: the orders category refuses them too.
    for name in ["cancelallorder", "closeposition"] {
        let (status, answer) = app.v1(name, &k.trade, json!({"strategy": "t"})).await;
        assert_eq!(status, 429, "{name}: {answer}");
    }
    // Data and account calls are in the data category.
    for name in ["funds", "orderbook"] {
        assert_eq!(app.v1(name, &k.trade, json!({})).await.0, 200, "{name}");
    }
}

#[tokio::test]
async fn crypto_quantities_may_be_fractional() {
    let (app, k) = app_with_keys().await;
    let body = json!({"strategy": "t", "symbol": "BTCUSDT", "exchange": "CRYPTO", "action": "BUY",
                      "product": "MIS", "quantity": "0.002"});
    orderid(&app.v1("placeorder", &k.trade, body).await);
    let (status, open) = app
        .v1(
            "openposition",
            &k.read,
            json!({"strategy": "t", "symbol": "BTCUSDT", "exchange": "CRYPTO", "product": "MIS"}),
        )
        .await;
    assert_eq!((status, open["quantity"].as_f64()), (200, Some(0.002)));
}

#[tokio::test]
async fn cancel_all_counts_one_orders_call_per_order_it_cancels_and_never_stops_halfway() {
    let (app, k) = app_with_keys_and(&[
        ("KEYGATE_RATE_ORDERS", "5/min"),
        ("KEYGATE_RATE_DATA", "off"),
    ])
    .await;
    for symbol in ["SBIN", "INFY", "TCS"] {
        let order = far_limit(&app, &k.trade, symbol, "BUY", "1").await;
        orderid(&app.v1("placeorder", &k.trade, order).await);
    }
    // Four calls so far; cancel-all cancels three orders, so it counts three: one past the budget,
    // yet every order is cancelled.
    let (status, answer) = app
        .v1("cancelallorder", &k.trade, json!({"strategy": "t"}))
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["canceled_orders"].as_array().unwrap().len(), 3);
    let (status, answer) = app
        .v1("placeorder", &k.trade, market("SBIN", "BUY", "1"))
        .await;
    assert_eq!(status, 429, "the budget is spent: {answer}");
}
