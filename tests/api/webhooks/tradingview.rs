//! TradingView alerts: shapes, modes, scopes, duplicates, bad payloads, rate limits.

use super::*;

#[tokio::test]
async fn a_tradingview_alert_with_numbers_as_strings_is_queued_for_a_semi_auto_key() {
    let (app, key, _) = app_with_semi_auto_key().await;
    let (status, body) = alert(&app, &key, "RELIANCE", "3").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["mode"], "semi_auto");
    let items = pending(&app).await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["symbol"], "RELIANCE");
    assert_eq!(items[0]["request"]["quantity"], 3);
    assert_eq!(items[0]["request"]["strategy"], "TV");
}

#[tokio::test]
async fn the_same_alert_twice_within_the_window_is_ignored_and_says_so() {
    let (app, key, _) = app_with_semi_auto_key().await;
    let (_, first) = alert(&app, &key, "SBIN", "1").await;
    assert!(first["pending_order_id"].is_i64());

    let (status, second) = alert(&app, &key, "SBIN", "1").await;
    assert_eq!(status, 200);
    assert_eq!(second["status"], "success");
    assert_eq!(second["message"], DUPLICATE);
    assert_eq!(second["duplicate"], true);
    let (_, different) = alert(&app, &key, "SBIN", "2").await;
    assert!(different["pending_order_id"].is_i64(), "{different}");
    assert_eq!(pending(&app).await.len(), 2);
}

#[tokio::test]
async fn the_dedup_window_can_be_turned_off() {
    let app = keygate_tests::spawn_app_with(&[("KEYGATE_WEBHOOK_DEDUP_SECS", "0")]).await;
    app.setup_admin("admin").await;
    let (key, _) = app
        .create_key(json!({"name": "bot", "scopes": ["trade"], "order_mode": "semi_auto"}))
        .await;
    alert(&app, &key, "SBIN", "1").await;
    let (_, again) = alert(&app, &key, "SBIN", "1").await;
    assert!(again["pending_order_id"].is_i64(), "{again}");
}

#[tokio::test]
async fn the_key_may_come_in_the_header_but_never_the_url() {
    let (app, key, _) = app_with_semi_auto_key().await;
    let response = new_client()
        .post(app.url("/api/webhook/tradingview/"))
        .header("X-API-KEY", &key)
        .json(&json!({"symbol": "SBIN", "action": "buy", "exchange": "NSE", "quantity": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(json_body(response).await["pending_order_id"].is_i64());
    let in_url = new_client()
        .post(app.url(&format!("/api/webhook/tradingview?apikey={key}")))
        .json(&json!({"symbol": "SBIN", "action": "BUY", "exchange": "NSE", "quantity": 1}))
        .send()
        .await
        .unwrap();
    assert_error(in_url, 400).await;
}

#[tokio::test]
async fn tradingview_alerts_respect_the_keys_scopes_and_validity() {
    let (app, read, _) = spawn_app_with_key(
        &[],
        json!({"name": "r", "scopes": ["read"], "order_mode": "semi_auto"}),
    )
    .await;
    let (exit, _) = app
        .create_key(json!({"name": "x", "scopes": ["exit_only"], "order_mode": "semi_auto"}))
        .await;
    let (status, body) = alert(&app, &read, "SBIN", "1").await;
    assert_eq!(status, 403, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("trade"),
        "{body}"
    );
    let (status, body) = alert(&app, &exit, "SBIN", "1").await;
    assert_eq!(status, 403, "an exit_only key may not open: {body}");
    assert!(
        body["message"].as_str().unwrap().contains("exit_only"),
        "{body}"
    );
    let (status, body) = alert(&app, &"0".repeat(64), "SBIN", "1").await;
    assert_eq!(
        (status, body["message"].as_str()),
        (403, Some("Invalid openalgo apikey"))
    );
    let missing = post(&app, "/api/webhook/tradingview", json!({"symbol": "SBIN"})).await;
    assert_error(missing, 403).await;
    assert!(pending(&app).await.is_empty());
}

#[tokio::test]
async fn bad_tradingview_payloads_get_the_400_envelope_naming_the_fields() {
    let (app, key, _) = app_with_semi_auto_key().await;
    let malformed = new_client()
        .post(app.url("/api/webhook/tradingview"))
        .header("X-API-KEY", &key)
        .header("Content-Type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_error(malformed, 400).await;
    let cases = [
        (
            json!({"action": "BUY", "exchange": "NSE", "quantity": "1"}),
            "symbol",
        ),
        (
            json!({"symbol": "SBIN", "action": "HOLD", "exchange": "NSE", "quantity": "1"}),
            "action",
        ),
        (
            json!({"symbol": "SBIN", "action": "BUY", "exchange": "NYSE", "quantity": "1"}),
            "exchange",
        ),
        (
            json!({"symbol": "SBIN", "action": "BUY", "exchange": "NSE", "quantity": "abc"}),
            "quantity",
        ),
        (
            json!({"symbol": "SBIN", "action": "BUY", "exchange": "NSE", "quantity": "0"}),
            "quantity",
        ),
        (
            json!({"symbol": "SBIN", "action": "BUY", "exchange": "NSE", "quantity": "1.5"}),
            "quantity",
        ),
        (
            json!({"symbol": "SBIN", "action": "BUY", "exchange": "NSE", "quantity": true}),
            "quantity",
        ),
        (
            json!({"symbol": 5, "action": "BUY", "exchange": "NSE", "quantity": "1"}),
            "symbol",
        ),
        (
            json!({"symbol": "SBIN", "action": "BUY", "exchange": "NSE", "quantity": "1", "price": "-1"}),
            "price",
        ),
    ];
    for (mut body, field) in cases {
        body["apikey"] = json!(key);
        let response = post(&app, "/api/webhook/tradingview", body.clone()).await;
        let error = assert_error(response, 400).await;
        assert!(error["errors"][field].is_array(), "{body} → {error}");
    }
    let unknown = post(
        &app,
        "/api/webhook/tradingview",
        json!({"apikey": key, "symbol": "SBIN", "action": "BUY", "exchange": "NSE", "quantity": "1", "target": "5"}),
    )
    .await;
    assert_error(unknown, 400).await;
    assert!(pending(&app).await.is_empty());
}

#[tokio::test]
async fn a_tradingview_alert_with_position_size_is_a_smart_order() {
    let (app, key, _) = app_with_semi_auto_key().await;
    let response = post(
        &app,
        "/api/webhook/tradingview",
        json!({"apikey": key, "symbol": "SBIN", "action": "BUY", "exchange": "NSE", "quantity": "0", "position_size": "5"}),
    )
    .await;
    assert_eq!(response.status(), 200);
    let items = pending(&app).await;
    assert_eq!(items[0]["op"], "placesmartorder");
    assert_eq!(items[0]["request"]["position_size"], 5.0);
}

#[tokio::test]
async fn an_auto_keys_tradingview_alert_places_the_order_at_once() {
    let (app, key, _) = spawn_app_with_key(
        &[],
        json!({"name": "auto", "scopes": ["trade"], "order_mode": "auto"}),
    )
    .await;
    let (status, body) = alert(&app, &key, "SBIN", "1").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "success");
    let order_id = body["orderid"].as_str().expect("orderid").to_owned();
    assert_eq!(orderbook_ids(&app, &key).await, vec![order_id]);
    let (_, again) = alert(&app, &key, "SBIN", "1").await;
    assert_eq!(again["message"], DUPLICATE);
    assert_eq!(orderbook_ids(&app, &key).await.len(), 1);
    let unknown = alert(&app, &key, "NOSUCHSYMBOL", "1").await;
    assert_eq!(unknown.0, 400, "{}", unknown.1);
}

#[tokio::test]
async fn an_exit_only_key_may_send_alerts_that_reduce_a_position() {
    let (app, trade, _) = spawn_app_with_key(
        &[],
        json!({"name": "t", "scopes": ["trade"], "order_mode": "auto"}),
    )
    .await;
    let (exit, _) = app
        .create_key(json!({"name": "x", "scopes": ["exit_only"], "order_mode": "auto"}))
        .await;
    assert_eq!(alert(&app, &trade, "SBIN", "2").await.0, 200);
    let (status, body) = post(
        &app,
        "/api/webhook/tradingview",
        json!({"apikey": exit, "symbol": "SBIN", "action": "SELL", "exchange": "NSE", "quantity": "2"}),
    )
    .await
    .json::<Value>()
    .await
    .map(|b| (b["status"].clone(), b))
    .unwrap();
    assert_eq!(status, "success", "{body}");
    assert_eq!(orderbook_ids(&app, &trade).await.len(), 2);
}

#[tokio::test]
async fn webhooks_are_rate_limited_per_client_ip_in_the_webhook_category() {
    let app = keygate_tests::spawn_app_with(&[("KEYGATE_RATE_WEBHOOK", "2/min")]).await;
    app.setup_admin("admin").await;
    let (key, _) = app
        .create_key(json!({"name": "bot", "scopes": ["trade"], "order_mode": "semi_auto"}))
        .await;
    assert_eq!(alert(&app, &key, "SBIN", "1").await.0, 200);
    assert_eq!(alert(&app, &key, "SBIN", "2").await.0, 200);
    let (status, body) = alert(&app, &key, "SBIN", "3").await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["status"], "error");
    assert_eq!(
        app.get("/api/action-center").await.status(),
        200,
        "management routes have their own budget"
    );
}
