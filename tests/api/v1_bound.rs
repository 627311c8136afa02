//! `/api/v1` with a key bound to a connection on the mock exchange: its orders reach the
//! exchange and its account views come from there, while an unbound key of the same user stays
//! on paper.

use keygate_binance::mock::MockExchange;
use keygate_tests::spawn_app;
use serde_json::json;

use crate::brokers::add_connection;

#[tokio::test]
async fn a_bound_keys_orders_and_books_are_its_exchanges_and_an_unbound_key_stays_on_paper() {
    let app = spawn_app().await;
    app.setup_admin("admin").await;
    let mock = MockExchange::start().unwrap();
    let connection = add_connection(&app, &mock, "main").await;
    let (bound, _) = app
        .create_key(
            json!({"name": "bound", "scopes": ["trade"], "broker_connection_id": connection}),
        )
        .await;
    let (paper, _) = app
        .create_key(json!({"name": "paper", "scopes": ["trade"]}))
        .await;

    let order = json!({
        "strategy": "bound", "symbol": "BTCUSDT", "action": "BUY", "exchange": "CRYPTO",
        "pricetype": "LIMIT", "product": "MIS", "quantity": "0.001", "price": "40000"
    });
    let (status, body) = app.v1("placeorder", &bound, order.clone()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(mock.orders().len(), 1);
    let (status, book) = app.v1("orderbook", &bound, json!({})).await;
    assert_eq!(status, 200, "{book}");
    assert_eq!(
        book["data"]["orders"].as_array().unwrap().len(),
        1,
        "{book}"
    );
    let (status, book) = app.v1("orderbook", &paper, json!({})).await;
    assert_eq!(status, 200, "{book}");
    assert!(
        book["data"]["orders"].as_array().unwrap().is_empty(),
        "{book}"
    );
    let (status, quote) = app
        .v1(
            "quotes",
            &bound,
            json!({"symbol": "ETHUSDT", "exchange": "CRYPTO"}),
        )
        .await;
    assert_eq!(status, 200, "{quote}");
    assert_eq!(quote["data"]["ltp"], 3000.0, "{quote}");
}

/// POSTs placeorder for `key` with `X-Request-Id: request_id`.
async fn place_with_request_id(
    app: &keygate_tests::TestApp,
    key: &str,
    request_id: &str,
) -> (u16, serde_json::Value) {
    let body = json!({
        "apikey": key, "strategy": "retry", "symbol": "BTCUSDT", "action": "BUY",
        "exchange": "CRYPTO", "pricetype": "LIMIT", "product": "MIS", "quantity": "0.001",
        "price": "40000"
    });
    let response = keygate_tests::new_client()
        .post(app.url("/api/v1/placeorder"))
        .header("X-Request-Id", request_id)
        .json(&body)
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or_default())
}

#[tokio::test]
async fn the_same_x_request_id_retried_places_one_order_at_the_exchange_and_a_bad_one_is_400() {
    let app = spawn_app().await;
    app.setup_admin("admin").await;
    let mock = MockExchange::start().unwrap();
    let connection = add_connection(&app, &mock, "main").await;
    let (key, _) = app
        .create_key(
            json!({"name": "bound", "scopes": ["trade"], "broker_connection_id": connection}),
        )
        .await;

    let (status, first) = place_with_request_id(&app, &key, "client-retry-1").await;
    assert_eq!(status, 200, "{first}");
    let (status, again) = place_with_request_id(&app, &key, "client-retry-1").await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(first["orderid"], again["orderid"]);
    assert_eq!(mock.orders().len(), 1);

    let (status, other) = place_with_request_id(&app, &key, "client-retry-2").await;
    assert_eq!(status, 200, "{other}");
    assert_ne!(first["orderid"], other["orderid"]);
    assert_eq!(mock.orders().len(), 2);

    for bad in ["has space", "a?b", &"x".repeat(37)] {
        let (status, body) = place_with_request_id(&app, &key, bad).await;
        assert_eq!(status, 400, "{bad:?}: {body}");
        assert_eq!(body["status"], "error", "{body}");
        assert!(
            body["message"].as_str().unwrap().contains("X-Request-Id"),
            "{body}"
        );
    }
    assert_eq!(mock.orders().len(), 2);
}
