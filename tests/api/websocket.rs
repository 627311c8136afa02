//! The market-data WebSocket feed (contract §9), driven with a real WebSocket client on the feed's
//! own listener and at `/ws` on the HTTP port.

use std::time::Duration;

use keygate_tests::{spawn_app_with_key, TestApp};
use serde_json::{json, Value};
use tokio_tungstenite::connect_async;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message;

use crate::ws_client::{Ws, WAIT};

/// An app with an admin and a key; returns the app, the key and its id.
async fn app_with_key(overrides: &[(&str, &str)]) -> (TestApp, String, i64) {
    spawn_app_with_key(overrides, json!({"name": "feed"})).await
}

/// A socket on the feed's own listener, authenticated with `key`.
async fn authenticated(app: &TestApp, key: &str) -> Ws {
    let mut ws = Ws::connect(&app.ws_address).await;
    let reply = ws
        .ask(json!({"action": "authenticate", "api_key": key}))
        .await;
    assert_eq!(reply["status"], "success", "{reply}");
    ws
}

fn assert_error_frame(frame: &Value, code: &str) {
    assert_eq!(frame["status"], "error", "{frame}");
    assert_eq!(frame["code"], code, "{frame}");
    assert!(
        frame.get("type").is_none(),
        "error frames carry no type: {frame}"
    );
    assert!(frame["message"].as_str().is_some_and(|m| !m.is_empty()));
}

#[tokio::test]
async fn a_valid_key_authenticates_on_the_feed_port_and_at_ws_on_the_http_port() {
    let (app, key, _) = app_with_key(&[]).await;

    let mut own = Ws::connect(&app.ws_address).await;
    let reply = own
        .ask(json!({"action": "authenticate", "api_key": key}))
        .await;
    assert_eq!(reply["type"], "auth");
    assert_eq!(reply["status"], "success");
    assert_eq!(reply["message"], "Authentication successful");
    assert_eq!(reply["broker"], "paper");
    assert_eq!(
        reply["supported_features"],
        json!({"ltp": true, "quote": true, "depth": true})
    );
    assert!(reply["user_id"].is_string());

    let http_ws = app.address.replacen("http://", "ws://", 1) + "/ws";
    let mut proxied = Ws::connect(&http_ws).await;
    let reply = proxied.ask(json!({"type": "auth", "apikey": key})).await;
    assert_eq!(
        reply["type"], "auth",
        "Bruno's spelling is accepted: {reply}"
    );
    assert_eq!(reply["status"], "success");
}

#[tokio::test]
async fn a_wrong_or_missing_key_gets_an_authentication_error_and_no_access() {
    let (app, _, _) = app_with_key(&[]).await;
    let mut ws = Ws::connect(&app.ws_address).await;

    let reply = ws
        .ask(json!({"action": "authenticate", "api_key": "ab".repeat(32)}))
        .await;
    assert_error_frame(&reply, "AUTHENTICATION_ERROR");
    assert_eq!(reply["message"], "Invalid API key");

    let reply = ws.ask(json!({"action": "authenticate"})).await;
    assert_error_frame(&reply, "AUTHENTICATION_ERROR");
    assert_eq!(reply["message"], "API key is required");

    let reply = ws
        .ask(json!({"action": "subscribe", "symbol": "INFY", "exchange": "NSE"}))
        .await;
    assert_error_frame(&reply, "NOT_AUTHENTICATED");
}

#[tokio::test]
async fn only_ping_and_supported_brokers_work_before_authentication() {
    let (app, _, _) = app_with_key(&[]).await;
    let mut ws = Ws::connect(&app.ws_address).await;

    for action in [
        "subscribe",
        "unsubscribe",
        "unsubscribe_all",
        "get_broker_info",
        "subscribe_orders",
    ] {
        let reply = ws
            .ask(json!({"action": action, "symbol": "INFY", "exchange": "NSE"}))
            .await;
        assert_error_frame(&reply, "NOT_AUTHENTICATED");
        assert_eq!(reply["message"], "You must authenticate first");
    }
    let reply = ws.ask(json!({"action": "get_supported_brokers"})).await;
    assert_eq!(
        reply,
        json!({"type": "supported_brokers", "status": "success", "brokers": ["paper"], "count": 1})
    );
    let reply = ws.ask(json!({"action": "ping", "timestamp": 5})).await;
    assert_eq!(reply["type"], "pong");
}

#[tokio::test]
async fn ltp_quote_and_depth_subscribers_receive_ticks_with_an_integer_mode() {
    let (app, key, _) = app_with_key(&[]).await;
    let mut ws = authenticated(&app, &key).await;

    let reply = ws
        .ask(json!({"action": "subscribe", "symbol": "INFY", "exchange": "NSE", "mode": 1, "depth": 5, "request_id": "r1"}))
        .await;
    assert_eq!(reply["type"], "subscribe");
    assert_eq!(reply["status"], "success");
    assert_eq!(reply["request_id"], "r1");
    assert_eq!(reply["message"], "Subscription processing complete");
    assert_eq!(
        reply["subscriptions"],
        json!([{"symbol": "INFY", "exchange": "NSE", "status": "success", "mode": "LTP", "depth": 5, "broker": "paper"}])
    );
    let reply = ws
        .ask(json!({"action": "subscribe", "symbol": "TCS", "exchange": "NSE", "mode": "quote"}))
        .await;
    assert_eq!(reply["subscriptions"][0]["mode"], "Quote");
    let reply = ws
        .ask(json!({"action": "subscribe", "symbols": [{"symbol": "RELIANCE", "exchange": "NSE"}], "mode": "DEPTH"}))
        .await;
    assert_eq!(reply["subscriptions"][0]["mode"], "Depth");

    let ltp = ws
        .frame_where(|f| f["type"] == "market_data" && f["symbol"] == "INFY")
        .await;
    assert_eq!(ltp["mode"], json!(1));
    assert_eq!(ltp["exchange"], "NSE");
    assert_eq!(ltp["broker"], "paper");
    assert!(ltp["data"]["ltp"].as_f64().is_some_and(|p| p > 0.0));
    assert!(ltp["data"]["timestamp"].is_i64());

    let quote = ws
        .frame_where(|f| f["type"] == "market_data" && f["symbol"] == "TCS")
        .await;
    assert_eq!(quote["mode"], json!(2));
    for field in [
        "ltp",
        "open",
        "high",
        "low",
        "close",
        "volume",
        "last_trade_quantity",
        "avg_trade_price",
        "change",
        "change_percent",
        "timestamp",
    ] {
        assert!(
            quote["data"][field].is_number(),
            "quote lacks {field}: {quote}"
        );
    }

    let depth = ws
        .frame_where(|f| f["type"] == "market_data" && f["symbol"] == "RELIANCE")
        .await;
    assert_eq!(depth["mode"], json!(3));
    assert!(depth["data"]["ltp"].is_number());
    for side in ["buy", "sell"] {
        let levels = depth["data"]["depth"][side].as_array().expect("levels");
        assert_eq!(levels.len(), 5);
        for level in levels {
            assert!(
                level["price"].is_number()
                    && level["quantity"].is_number()
                    && level["orders"].is_number()
            );
        }
    }

    // Later ticks keep coming (the ticker runs every 500 ms).
    let more = ws.ticks_for(Duration::from_millis(1600)).await;
    assert!(
        more.iter().any(|f| f["symbol"] == "INFY"),
        "no live INFY tick"
    );
}

#[tokio::test]
async fn a_symbol_followed_in_two_modes_gets_each_mode_its_own_frame() {
    let (app, key, _) = app_with_key(&[]).await;
    let mut ws = authenticated(&app, &key).await;
    for mode in [1, 3] {
        ws.ask(json!({"action": "subscribe", "symbol": "SBIN", "exchange": "NSE", "mode": mode}))
            .await;
    }
    let ticks = ws.ticks_for(Duration::from_millis(1600)).await;
    for mode in [1, 3] {
        assert!(
            ticks
                .iter()
                .any(|f| f["mode"] == json!(mode) && f["symbol"] == "SBIN"),
            "no mode {mode} frame"
        );
    }
    assert!(ticks
        .iter()
        .filter(|f| f["mode"] == json!(1))
        .all(|f| f["data"].get("depth").is_none()));
}

#[tokio::test]
async fn bad_modes_symbols_exchanges_and_depths_are_refused() {
    let (app, key, _) = app_with_key(&[]).await;
    let mut ws = authenticated(&app, &key).await;

    for mode in [json!(true), json!(4), json!("full")] {
        let reply = ws
            .ask(json!({"action": "subscribe", "symbol": "INFY", "exchange": "NSE", "mode": mode}))
            .await;
        assert_error_frame(&reply, "INVALID_MODE");
    }
    let reply = ws.ask(json!({"action": "subscribe", "symbols": []})).await;
    assert_error_frame(&reply, "INVALID_PARAMETERS");
    assert_eq!(reply["message"], "At least one symbol must be specified");

    let reply = ws
        .ask(json!({"action": "subscribe", "mode": 3, "symbols": [
            {"symbol": "INFY", "exchange": "NSE"},
            {"symbol": "NOPE", "exchange": "NSE"},
            {"symbol": "INFY", "exchange": "XYZ"},
            {"symbol": "TCS", "exchange": "NSE", "depth": 20},
            {"symbol": "RELIANCE:50", "exchange": "NSE"},
        ]}))
        .await;
    assert_eq!(reply["status"], "partial");
    let items = reply["subscriptions"].as_array().expect("items");
    assert_eq!(items[0]["status"], "success");
    assert_eq!(
        items[1]["message"],
        "Symbol 'NOPE' not found for exchange 'NSE'. Please verify the symbol name and ensure master contracts are downloaded."
    );
    for item in &items[1..] {
        assert_eq!(item["status"], "error", "{item}");
        assert_eq!(item["broker"], "paper");
    }
    assert!(items[3]["message"].as_str().unwrap().contains("20"));
    assert!(items[4]["message"].as_str().unwrap().contains("50"));
}

#[tokio::test]
async fn unsubscribing_stops_the_ticks_of_that_symbol() {
    let (app, key, _) = app_with_key(&[]).await;
    let mut ws = authenticated(&app, &key).await;
    ws.ask(json!({"action": "subscribe", "symbol": "INFY", "exchange": "NSE", "mode": 1}))
        .await;
    ws.ask(json!({"action": "subscribe", "symbol": "TCS", "exchange": "NSE", "mode": 1}))
        .await;

    let reply = ws
        .ask(json!({"action": "unsubscribe", "symbol": "INFY", "exchange": "NSE", "mode": 1}))
        .await;
    assert_eq!(reply["type"], "unsubscribe");
    assert_eq!(reply["status"], "success");
    assert_eq!(reply["message"], "Unsubscription processing complete");
    assert_eq!(reply["successful"][0]["symbol"], "INFY");
    assert_eq!(reply["failed"], json!([]));

    let reply = ws
        .ask(json!({"action": "unsubscribe", "symbol": "WIPRO", "exchange": "NSE"}))
        .await;
    assert_eq!(reply["status"], "error");
    assert_eq!(reply["failed"][0]["symbol"], "WIPRO");

    let ticks = ws.ticks_for(Duration::from_millis(1600)).await;
    assert!(
        ticks.iter().all(|f| f["symbol"] != "INFY"),
        "INFY still ticking"
    );
    assert!(
        ticks.iter().any(|f| f["symbol"] == "TCS"),
        "TCS stopped too"
    );
}

#[tokio::test]
async fn unsubscribe_all_stops_every_tick() {
    let (app, key, _) = app_with_key(&[]).await;
    let mut ws = authenticated(&app, &key).await;
    ws.ask(json!({"action": "subscribe", "symbols": [
        {"symbol": "INFY", "exchange": "NSE"}, {"symbol": "BTCUSDT", "exchange": "CRYPTO"}
    ], "mode": 2}))
        .await;

    let reply = ws.ask(json!({"action": "unsubscribe_all"})).await;
    assert_eq!(reply["type"], "unsubscribe");
    assert_eq!(reply["status"], "success");
    assert_eq!(reply["successful"].as_array().map(Vec::len), Some(2));

    // Frames queued before the answer were read with it; nothing may follow.
    let ticks = ws.ticks_for(Duration::from_millis(1200)).await;
    assert!(ticks.is_empty(), "ticks after unsubscribe_all: {ticks:?}");
}

#[tokio::test]
async fn ping_gets_a_pong_echoing_the_client_timestamp_and_ping_id() {
    let (app, key, _) = app_with_key(&[]).await;
    let mut ws = authenticated(&app, &key).await;
    let reply = ws
        .ask(json!({"action": "ping", "timestamp": 1_700_000_000_123_i64, "_pingId": "p-1"}))
        .await;
    assert_eq!(reply["type"], "pong");
    assert_eq!(reply["status"], "success");
    assert_eq!(reply["client_timestamp"], json!(1_700_000_000_123_i64));
    assert_eq!(reply["_pingId"], "p-1");
    assert!(reply["server_timestamp"]
        .as_i64()
        .is_some_and(|t| t > 1_700_000_000_000));

    let info = ws.ask(json!({"action": "get_broker_info"})).await;
    assert_eq!(info["type"], "broker_info");
    assert_eq!(info["broker"], "paper");
    let orders = ws.ask(json!({"action": "subscribe_orders"})).await;
    assert_eq!(orders["type"], "subscribe_orders");
    assert_eq!(orders["message"], "Subscribed to order updates");
}

#[tokio::test]
async fn malformed_frames_and_unknown_actions_get_error_frames_and_keep_the_socket() {
    let (app, key, _) = app_with_key(&[]).await;
    let mut ws = authenticated(&app, &key).await;

    ws.send_raw("{not json").await;
    assert_error_frame(&ws.reply().await, "INVALID_JSON");
    let reply = ws.ask(json!({"action": "dance"})).await;
    assert_error_frame(&reply, "INVALID_ACTION");
    assert_eq!(reply["message"], "Invalid action: dance");

    let reply = ws.ask(json!({"action": "ping"})).await;
    assert_eq!(reply["type"], "pong", "the socket still works");
}

#[tokio::test]
async fn a_socket_that_does_not_authenticate_in_time_is_closed_with_4401() {
    let (app, _, _) = app_with_key(&[("KEYGATE_WS_AUTH_GRACE_MS", "300")]).await;
    let mut ws = Ws::connect(&app.ws_address).await;
    let close = ws.close_frame(WAIT).await.expect("a close frame");
    assert_eq!(close.code, CloseCode::from(4401));
    assert_eq!(close.reason.as_str(), "auth timeout");
}

#[tokio::test]
async fn an_authenticated_socket_outlives_the_grace_period() {
    let (app, key, _) = app_with_key(&[("KEYGATE_WS_AUTH_GRACE_MS", "300")]).await;
    let mut ws = authenticated(&app, &key).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    let reply = ws.ask(json!({"action": "ping"})).await;
    assert_eq!(reply["type"], "pong");
}

#[tokio::test]
async fn the_server_sends_protocol_pings() {
    let (app, key, _) = app_with_key(&[("KEYGATE_WS_PING_INTERVAL_MS", "200")]).await;
    let mut ws = authenticated(&app, &key).await;
    loop {
        match ws.message(WAIT).await {
            Some(Message::Ping(_)) => break,
            Some(_) => {}
            None => panic!("closed before a ping"),
        }
    }
}

#[tokio::test]
async fn revoking_a_key_closes_its_sockets_within_about_a_second() {
    let (app, key, id) = app_with_key(&[]).await;
    let mut ws = authenticated(&app, &key).await;
    ws.ask(json!({"action": "subscribe", "symbol": "INFY", "exchange": "NSE", "mode": 1}))
        .await;

    let revoked_at = tokio::time::Instant::now();
    let response = app
        .post(&format!("/api/keys/{id}/revoke"), &json!({}))
        .await;
    assert_eq!(response.status(), 200);

    let close = ws
        .close_frame(Duration::from_secs(3))
        .await
        .expect("a close frame");
    assert_eq!(close.code, CloseCode::from(4403));
    assert!(
        revoked_at.elapsed() < Duration::from_millis(2500),
        "closed after {:?}",
        revoked_at.elapsed()
    );
}

#[tokio::test]
async fn rolling_a_key_without_grace_closes_its_sockets() {
    let (app, key, id) = app_with_key(&[]).await;
    let mut ws = authenticated(&app, &key).await;
    let response = app.post(&format!("/api/keys/{id}/roll"), &json!({})).await;
    assert_eq!(response.status(), 200);
    let close = ws
        .close_frame(Duration::from_secs(3))
        .await
        .expect("a close frame");
    assert_eq!(close.code, CloseCode::from(4403));
}

#[tokio::test]
async fn a_client_that_stops_answering_pings_is_disconnected() {
    let (app, key, _) = app_with_key(&[
        ("KEYGATE_WS_PING_INTERVAL_MS", "200"),
        ("KEYGATE_WS_PING_TIMEOUT_MS", "200"),
    ])
    .await;
    let mut ws = authenticated(&app, &key).await;
    // Not reading means not answering the server's pings.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let close = ws.close_frame(WAIT).await.expect("a close frame");
    assert_eq!(close.code, CloseCode::Error);
    assert_eq!(close.reason.as_str(), "keepalive ping timeout");
}

#[tokio::test]
async fn repeated_invalid_keys_on_a_socket_earn_a_ban_that_closes_it() {
    let (app, key, _) = app_with_key(&[("KEYGATE_BAN_THRESHOLD", "3")]).await;
    let mut ws = Ws::connect(&app.ws_address).await;
    for _ in 0..3 {
        let reply = ws
            .ask(json!({"action": "authenticate", "api_key": "cd".repeat(32)}))
            .await;
        assert_eq!(reply["message"], "Invalid API key");
    }

    ws.send(json!({"action": "authenticate", "api_key": key}))
        .await;
    let close = ws.close_frame(WAIT).await.expect("a close frame");
    assert_eq!(close.code, CloseCode::Policy);

    let http_ws = app.address.replacen("http://", "ws://", 1) + "/ws";
    assert!(
        connect_async(&app.ws_address).await.is_err() && connect_async(&http_ws).await.is_err(),
        "a banned address cannot open a feed"
    );
}
