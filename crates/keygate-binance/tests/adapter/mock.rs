//! The mock itself refuses what Binance refuses, in Binance's shapes, so the adapter's passing
//! tests mean something.

use keygate_binance::config::ApiSecret;
use keygate_binance::mock::{MockExchange, MOCK_KEY, MOCK_SECRET};
use keygate_binance::sign::{signed_query, Params};

/// Sends a request and answers (status, weight header, body).
async fn send(
    method: reqwest::Method,
    url: String,
    key: Option<&str>,
) -> (u16, Option<String>, String) {
    let mut request = reqwest::Client::new().request(method, url);
    if let Some(key) = key {
        request = request.header("X-MBX-APIKEY", key);
    }
    let response = request.send().await.unwrap();
    let weight = response
        .headers()
        .get("X-MBX-USED-WEIGHT-1M")
        .map(|v| v.to_str().unwrap().to_owned());
    (
        response.status().as_u16(),
        weight,
        response.text().await.unwrap(),
    )
}

fn signed(mock: &MockExchange, path: &str, params: &Params, secret: &str, age_ms: i64) -> String {
    let query = signed_query(
        &ApiSecret::new(secret),
        params,
        mock.server_now() - age_ms,
        5_000,
    );
    format!("{}{path}?{query}", mock.url())
}

#[tokio::test]
async fn the_mock_refuses_bad_keys_signatures_timestamps_and_parameters_in_binances_shapes() {
    let mock = MockExchange::start().unwrap();
    let get = reqwest::Method::GET;
    let none = Params::new();
    let (status, weight, body) = send(
        get.clone(),
        signed(&mock, "/api/v3/account", &none, MOCK_SECRET, 0),
        None,
    )
    .await;
    assert_eq!(
        (status, body.as_str()),
        (401, r#"{"code":-2014,"msg":"API-key format invalid."}"#)
    );
    assert!(weight.is_some(), "every answer reports the weight used");
    let (status, _, body) = send(
        get.clone(),
        signed(&mock, "/api/v3/account", &none, "not-the-secret", 0),
        Some(MOCK_KEY),
    )
    .await;
    assert_eq!(
        (status, body.as_str()),
        (
            400,
            r#"{"code":-1022,"msg":"Signature for this request is not valid."}"#
        )
    );
    let (status, _, body) = send(
        get.clone(),
        signed(&mock, "/api/v3/account", &none, MOCK_SECRET, 10_000),
        Some(MOCK_KEY),
    )
    .await;
    assert_eq!(
        (status, body.as_str()),
        (
            400,
            r#"{"code":-1021,"msg":"Timestamp for this request is outside of the recvWindow."}"#
        )
    );
    let extra = Params::new().with("foo", 1);
    let (_, _, body) = send(
        get.clone(),
        signed(&mock, "/api/v3/account", &extra, MOCK_SECRET, 0),
        Some(MOCK_KEY),
    )
    .await;
    assert_eq!(
        body,
        r#"{"code":-1104,"msg":"Not all sent parameters were read; read '2' parameter(s) but was sent '3'."}"#
    );
    let order = Params::new()
        .with("symbol", "BTCUSDT")
        .with("side", "BUY")
        .with("type", "LIMIT")
        .with("timeInForce", "GTC")
        .with("price", "40000");
    let (_, _, body) = send(
        reqwest::Method::POST,
        signed(&mock, "/api/v3/order", &order, MOCK_SECRET, 0),
        Some(MOCK_KEY),
    )
    .await;
    assert_eq!(
        body,
        r#"{"code":-1102,"msg":"Mandatory parameter 'quantity' was not sent, was empty/null, or malformed."}"#
    );
    let (status, _, body) = send(
        get,
        signed(&mock, "/api/v3/account", &none, MOCK_SECRET, 0),
        Some(MOCK_KEY),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(mock.orders().is_empty());
}
