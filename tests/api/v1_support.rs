//! Shared set-up of the `/api/v1` tests: a server with an admin and one key per scope / mode.

use keygate_tests::{spawn_app_with_key, TestApp};
use serde_json::{json, Value};

/// One key per kind the tests need.
pub struct Keys {
    /// `trade`, auto.
    pub trade: String,
    /// `read` only.
    pub read: String,
    /// `exit_only`, auto.
    pub exit: String,
    /// `trade`, semi_auto.
    pub semi: String,
}

/// A fresh server (rate limits off) with an admin who owns the four keys.
pub async fn app_with_keys() -> (TestApp, Keys) {
    app_with_keys_and(&[("KEYGATE_RATE_ORDERS", "off"), ("KEYGATE_RATE_DATA", "off")]).await
}

/// A fresh server with these settings and an admin who owns the four keys.
pub async fn app_with_keys_and(settings: &[(&str, &str)]) -> (TestApp, Keys) {
    let (app, trade, _) =
        spawn_app_with_key(settings, json!({"name": "trade", "scopes": ["trade"]})).await;
    let (read, _) = app
        .create_key(json!({"name": "read", "scopes": ["read"]}))
        .await;
    let (exit, _) = app
        .create_key(json!({"name": "exit", "scopes": ["exit_only"]}))
        .await;
    let (semi, _) = app
        .create_key(json!({"name": "semi", "scopes": ["trade"], "order_mode": "semi_auto"}))
        .await;
    (
        app,
        Keys {
            trade,
            read,
            exit,
            semi,
        },
    )
}

/// A MARKET order body for `symbol` on NSE/MIS.
pub fn market(symbol: &str, action: &str, quantity: &str) -> Value {
    json!({"strategy": "test", "symbol": symbol, "exchange": "NSE", "action": action,
           "pricetype": "MARKET", "product": "MIS", "quantity": quantity})
}

/// A LIMIT order far from the market (never fills) for `symbol` on NSE/MIS.
pub async fn far_limit(
    app: &TestApp,
    key: &str,
    symbol: &str,
    action: &str,
    quantity: &str,
) -> Value {
    let (_, quote) = app
        .v1("quotes", key, json!({"symbol": symbol, "exchange": "NSE"}))
        .await;
    let ltp = quote["data"]["ltp"].as_f64().expect("ltp");
    let price = if action.eq_ignore_ascii_case("buy") {
        ltp * 0.5
    } else {
        ltp * 1.5
    };
    json!({"strategy": "test", "symbol": symbol, "exchange": "NSE", "action": action,
           "pricetype": "LIMIT", "product": "MIS", "quantity": quantity,
           "price": format!("{:.1}", price)})
}

/// The order id of a successful placement.
pub fn orderid(answer: &(u16, Value)) -> String {
    assert_eq!(answer.0, 200, "{}", answer.1);
    answer.1["orderid"]
        .as_str()
        .expect("orderid is a string")
        .to_owned()
}

/// The net quantity of (symbol, NSE, MIS) as openposition answers it.
pub async fn net(app: &TestApp, key: &str, symbol: &str) -> i64 {
    let (status, body) = app
        .v1(
            "openposition",
            key,
            json!({"strategy": "test", "symbol": symbol, "exchange": "NSE", "product": "MIS"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body["quantity"].as_i64().expect("integer quantity")
}
