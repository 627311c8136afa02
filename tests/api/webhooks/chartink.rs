//! ChartInk alerts through per-key webhook tokens: management, modes, state, scopes, payloads, logs.

use super::*;

#[tokio::test]
async fn a_chartink_token_is_shown_once_and_listed_only_by_its_hint() {
    let (app, _, key_id) = app_with_semi_auto_key().await;
    let (token, created) =
        chartink_token(&app, key_id, json!({"action": "BUY", "quantity": 2})).await;
    assert!(token.starts_with("ck_") && token.len() == 51, "{token}");
    assert_eq!(
        created["webhook_path"],
        format!("/api/webhook/chartink/{token}")
    );
    assert_eq!(created["settings"]["exchange"], "NSE");
    assert_eq!(created["settings"]["product"], "MIS");
    assert_eq!(created["settings"]["pricetype"], "MARKET");
    assert_eq!(created["settings"]["strategy"], "ChartInk");
    let list = json_body(app.get("/api/chartink/tokens").await).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["key_name"], "bot");
    assert_eq!(list[0]["hint"], &token[..7]);
    assert!(!list.to_string().contains(&token));
}

#[tokio::test]
async fn a_chartink_scan_queues_one_order_per_stock_for_a_semi_auto_key() {
    let (app, _, key_id) = app_with_semi_auto_key().await;
    let (token, _) = chartink_token(
        &app,
        key_id,
        json!({"action": "SELL", "quantity": 3, "product": "MIS"}),
    )
    .await;

    let response = post(
        &app,
        &format!("/api/webhook/chartink/{token}"),
        scan("SBIN, RELIANCE", "812.5,2450.1"),
    )
    .await;
    assert_eq!(response.status(), 200);
    let body = json_body(response).await;
    assert_eq!(body["status"], "success");
    let results = body["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["symbol"], "SBIN");
    assert_eq!(results[0]["mode"], "semi_auto");
    assert!(results[1]["pending_order_id"].is_i64());
    let items = pending(&app).await;
    assert_eq!(items.len(), 2);
    let sbin = items.iter().find(|i| i["symbol"] == "SBIN").unwrap();
    assert_eq!(sbin["action"], "SELL");
    assert_eq!(sbin["quantity"], 3.0);
    assert_eq!(
        sbin["reference_price"], 812.5,
        "the trigger price is the reference"
    );
    assert_eq!(sbin["request"]["strategy"], "ChartInk");

    let again = post(
        &app,
        &format!("/api/webhook/chartink/{token}"),
        scan("SBIN, RELIANCE", "812.5,2450.1"),
    )
    .await;
    assert_eq!(json_body(again).await["message"], DUPLICATE);
    assert_eq!(pending(&app).await.len(), 2);
    let listed = json_body(app.get("/api/chartink/tokens").await).await;
    assert!(listed[0]["last_used_at"].is_string());
}

#[tokio::test]
async fn rotating_stops_the_old_token_and_revoking_stops_the_new_one() {
    let (app, _, key_id) = app_with_semi_auto_key().await;
    let (old, _) = chartink_token(&app, key_id, json!({"action": "BUY", "quantity": 1})).await;
    let (new, _) = chartink_token(&app, key_id, json!({"action": "BUY", "quantity": 4})).await;
    assert_ne!(old, new);

    let refused = post(
        &app,
        &format!("/api/webhook/chartink/{old}"),
        scan("SBIN", "800"),
    )
    .await;
    let body = assert_error(refused, 403).await;
    assert_eq!(body["message"], "Invalid webhook token");
    let accepted = post(
        &app,
        &format!("/api/webhook/chartink/{new}"),
        scan("SBIN", "800"),
    )
    .await;
    assert_eq!(accepted.status(), 200);
    assert_eq!(pending(&app).await[0]["quantity"], 4.0);

    let revoked = app
        .send(
            Method::DELETE,
            &format!("/api/chartink/tokens/{key_id}"),
            &json!({}),
        )
        .await;
    assert_eq!(revoked.status(), 204);
    assert_error(
        post(
            &app,
            &format!("/api/webhook/chartink/{new}"),
            scan("TCS", "1"),
        )
        .await,
        403,
    )
    .await;
    assert_error(
        app.send(
            Method::DELETE,
            &format!("/api/chartink/tokens/{key_id}"),
            &json!({}),
        )
        .await,
        404,
    )
    .await;
    assert_error(
        post(&app, "/api/webhook/chartink/not-a-token", scan("TCS", "1")).await,
        403,
    )
    .await;
}

#[tokio::test]
async fn a_chartink_token_follows_its_keys_state_and_scopes() {
    let (app, _, read_id) = spawn_app_with_key(
        &[],
        json!({"name": "r", "scopes": ["read"], "order_mode": "semi_auto"}),
    )
    .await;
    let (read_token, _) =
        chartink_token(&app, read_id, json!({"action": "BUY", "quantity": 1})).await;
    let body = assert_error(
        post(
            &app,
            &format!("/api/webhook/chartink/{read_token}"),
            scan("SBIN", "1"),
        )
        .await,
        403,
    )
    .await;
    assert!(
        body["message"].as_str().unwrap().contains("trade"),
        "{body}"
    );

    let (_, trade_id) = app
        .create_key(json!({"name": "t", "scopes": ["trade"], "order_mode": "semi_auto"}))
        .await;
    let (token, _) = chartink_token(&app, trade_id, json!({"action": "BUY", "quantity": 1})).await;
    let revoke = app
        .post(&format!("/api/keys/{trade_id}/revoke"), &json!({}))
        .await;
    assert_eq!(revoke.status(), 200);
    assert_error(
        post(
            &app,
            &format!("/api/webhook/chartink/{token}"),
            scan("SBIN", "1"),
        )
        .await,
        403,
    )
    .await;
    let recreate = app
        .post(
            "/api/chartink/tokens",
            &json!({"key_id": trade_id, "action": "BUY", "quantity": 1}),
        )
        .await;
    assert_error(recreate, 409).await;

    let (_, listed_id) = app
        .create_key(json!({"name": "ip", "scopes": ["trade"], "order_mode": "semi_auto", "ip_allowlist": ["10.0.0.0/8"]}))
        .await;
    let (ip_token, _) =
        chartink_token(&app, listed_id, json!({"action": "BUY", "quantity": 1})).await;
    assert_error(
        post(
            &app,
            &format!("/api/webhook/chartink/{ip_token}"),
            scan("SBIN", "1"),
        )
        .await,
        403,
    )
    .await;
    assert!(pending(&app).await.is_empty());
}

#[tokio::test]
async fn chartink_token_management_checks_input_ownership_and_csrf() {
    let (app, _, key_id) = app_with_semi_auto_key().await;
    for bad in [
        json!({"key_id": key_id, "action": "HOLD", "quantity": 1}),
        json!({"key_id": key_id, "action": "BUY", "quantity": 0}),
        json!({"key_id": key_id, "action": "BUY", "quantity": 1, "exchange": "NYSE"}),
        json!({"key_id": key_id, "action": "BUY", "quantity": 1, "pricetype": "SL"}),
        json!({"key_id": key_id, "action": "BUY"}),
        json!({"key_id": key_id, "action": "BUY", "quantity": 1, "apikey": "x"}),
    ] {
        assert_error(app.post("/api/chartink/tokens", &bad).await, 400).await;
    }
    assert_error(
        app.post(
            "/api/chartink/tokens",
            &json!({"key_id": 999, "action": "BUY", "quantity": 1}),
        )
        .await,
        404,
    )
    .await;
    app.create_user("bob", false).await;
    let bob = app.signed_in("bob").await;
    assert_error(
        bob.post(
            "/api/chartink/tokens",
            &json!({"key_id": key_id, "action": "BUY", "quantity": 1}),
        )
        .await,
        404,
    )
    .await;
    let no_csrf = app
        .browser
        .client
        .post(app.url("/api/chartink/tokens"))
        .json(&json!({"key_id": key_id, "action": "BUY", "quantity": 1}))
        .send()
        .await
        .unwrap();
    assert_error(no_csrf, 403).await;
    assert_eq!(
        json_body(app.get("/api/chartink/tokens").await).await,
        json!([])
    );
}

#[tokio::test]
async fn bad_chartink_payloads_get_the_400_envelope() {
    let (app, _, key_id) = app_with_semi_auto_key().await;
    let (token, _) = chartink_token(&app, key_id, json!({"action": "BUY", "quantity": 1})).await;
    let path = format!("/api/webhook/chartink/{token}");
    let malformed = new_client()
        .post(app.url(&path))
        .header("Content-Type", "application/json")
        .body("stocks=SBIN")
        .send()
        .await
        .unwrap();
    assert_error(malformed, 400).await;
    let body = assert_error(post(&app, &path, json!({"stocks": " , "})).await, 400).await;
    assert!(body["errors"]["stocks"].is_array(), "{body}");
    assert_error(post(&app, &path, json!({"stocks": 5})).await, 400).await;
    assert_error(post(&app, &path, json!([])).await, 400).await;
    assert!(pending(&app).await.is_empty());
}

#[tokio::test]
async fn the_chartink_token_never_reaches_the_traffic_log() {
    let app = keygate_tests::spawn_app_with(&[("KEYGATE_TRAFFIC_FLUSH_MS", "20")]).await;
    app.setup_admin("admin").await;
    let (_, key_id) = app
        .create_key(json!({"name": "bot", "scopes": ["trade"], "order_mode": "semi_auto"}))
        .await;
    let (token, _) = chartink_token(&app, key_id, json!({"action": "BUY", "quantity": 1})).await;
    let accepted = post(
        &app,
        &format!("/api/webhook/chartink/{token}"),
        scan("SBIN", "1"),
    )
    .await;
    assert_eq!(accepted.status(), 200);

    let webhook_rows = || {
        traffic_log::Entity::find()
            .filter(traffic_log::Column::Path.starts_with("/api/webhook/chartink/"))
            .one(&app.db)
    };
    crate::process::within(std::time::Duration::from_secs(10), || async {
        webhook_rows().await.unwrap().is_some()
    })
    .await
    .expect("the webhook call is logged");
    let logged = webhook_rows().await.unwrap().unwrap();
    assert_eq!(logged.path, "/api/webhook/chartink/[token]");
    assert_eq!(logged.key_id, Some(key_id));
    let all = traffic_log::Entity::find().all(&app.db).await.unwrap();
    assert!(all.iter().all(|row| !row.path.contains(&token)));
}

#[tokio::test]
async fn an_auto_keys_chartink_scan_places_one_order_per_stock() {
    let (app, key, key_id) = spawn_app_with_key(
        &[],
        json!({"name": "auto", "scopes": ["trade"], "order_mode": "auto"}),
    )
    .await;
    let (token, _) = chartink_token(&app, key_id, json!({"action": "BUY", "quantity": 1})).await;
    let response = post(
        &app,
        &format!("/api/webhook/chartink/{token}"),
        scan("SBIN,RELIANCE,NOSUCH", "1,2,3"),
    )
    .await;
    assert_eq!(response.status(), 200);
    let body = json_body(response).await;
    let results = body["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    assert!(results[0]["orderid"].is_string(), "{body}");
    assert!(results[1]["orderid"].is_string(), "{body}");
    assert_eq!(results[2]["status"], "error", "{body}");
    assert_eq!(results[2]["symbol"], "NOSUCH");
    assert_eq!(orderbook_ids(&app, &key).await.len(), 2);
}

#[tokio::test]
async fn each_stock_of_a_scan_counts_as_one_orders_call_of_its_key() {
    let app = keygate_tests::spawn_app_with(&[("KEYGATE_RATE_ORDERS", "3/min")]).await;
    app.setup_admin("admin").await;
    let (key, key_id) = app
        .create_key(json!({"name": "auto", "scopes": ["trade"], "order_mode": "auto"}))
        .await;
    let (token, _) = chartink_token(&app, key_id, json!({"action": "BUY", "quantity": 1})).await;
    let response = post(
        &app,
        &format!("/api/webhook/chartink/{token}"),
        scan("SBIN,RELIANCE,INFY,TCS", "1,2,3,4"),
    )
    .await;
    assert_eq!(response.status(), 200);
    let body = json_body(response).await;
    let results = body["results"].as_array().unwrap();
    assert_eq!(results.len(), 4, "{body}");
    for placed in &results[..3] {
        assert!(placed["orderid"].is_string(), "{body}");
    }
    assert_eq!(results[3]["status"], "error", "{body}");
    assert_eq!(results[3]["symbol"], "TCS");
    assert_eq!(
        results[3]["message"], "Rate limit exceeded: 3 per 1 minute",
        "{body}"
    );
    assert_eq!(orderbook_ids(&app, &key).await.len(), 3);
    // The key's budget is spent: its next order call is refused.
    let (status, _) = app
        .v1(
            "placeorder",
            &key,
            json!({"strategy": "t", "symbol": "SBIN", "exchange": "NSE", "action": "BUY",
                   "product": "MIS", "pricetype": "MARKET", "quantity": 1}),
        )
        .await;
    assert_eq!(status, 429);
}

#[tokio::test]
async fn a_chartink_token_is_checked_by_the_key_verifier_cached_and_invalidated_with_its_key() {
    let (app, _, key_id) = spawn_app_with_key(
        &[],
        json!({"name": "auto", "scopes": ["trade"], "order_mode": "auto"}),
    )
    .await;
    let (token, _) = chartink_token(&app, key_id, json!({"action": "BUY", "quantity": 1})).await;
    let path = format!("/api/webhook/chartink/{token}");
    let lookups = app.state.verifier.db_lookups();

    let first = post(&app, &path, scan("SBIN", "1")).await;
    assert_eq!(first.status(), 200, "{}", json_body(first).await);
    assert_eq!(app.state.verifier.db_lookups(), lookups + 1);
    // A hot key is answered from the verifier's cache.
    let second = post(&app, &path, scan("RELIANCE", "2")).await;
    assert_eq!(second.status(), 200, "{}", json_body(second).await);
    assert_eq!(app.state.verifier.db_lookups(), lookups + 1);

    // Restricting the key invalidates it at once: the next alert is refused as an /api/v1
    // call with the key would be.
    let restrict = app
        .send(
            Method::PATCH,
            &format!("/api/keys/{key_id}"),
            &json!({"ip_allowlist": ["10.0.0.0/8"]}),
        )
        .await;
    assert_eq!(restrict.status(), 200);
    let body = assert_error(post(&app, &path, scan("TCS", "3")).await, 403).await;
    assert_eq!(
        body["message"],
        "This API key may not be used from this IP address"
    );
    assert_eq!(app.state.verifier.db_lookups(), lookups + 2);
}
