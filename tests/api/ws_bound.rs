//! The WebSocket feed of a key bound to a connection on the mock exchange: its subscriptions are
//! served from the exchange's market streams in the feed's shape, a lost stream is reported with
//! an error frame while the socket keeps serving, and a paper key of the same user stays on the
//! simulated market.

use std::time::Duration;

use keygate_binance::mock::MockExchange;
use keygate_core::entities::api_key;
use keygate_tests::{spawn_app, TestApp};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use crate::brokers::add_connection;
use crate::ws_client::Ws;

/// An app with a key bound to a connection on a fresh mock, and a paper key of the same user.
async fn bound_and_paper() -> (TestApp, MockExchange, String, String) {
    let app = spawn_app().await;
    app.setup_admin("admin").await;
    let mock = MockExchange::start().unwrap();
    let connection = add_connection(&app, &mock, "main").await;
    let (bound, bound_id) = app.create_key(json!({"name": "bound"})).await;
    let (paper, _) = app.create_key(json!({"name": "paper"})).await;
    api_key::Entity::update_many()
        .col_expr(api_key::Column::BrokerConnectionId, Expr::value(connection))
        .filter(api_key::Column::Id.eq(bound_id))
        .exec(&app.db)
        .await
        .unwrap();
    (app, mock, bound, paper)
}

/// A socket authenticated with `key`, whose feed reports `broker`.
async fn authenticated(app: &TestApp, key: &str, broker: &str) -> Ws {
    let mut ws = Ws::connect(&app.ws_address).await;
    let reply = ws
        .ask(json!({"action": "authenticate", "api_key": key}))
        .await;
    assert_eq!(reply["status"], "success", "{reply}");
    assert_eq!(reply["broker"], broker, "{reply}");
    ws
}

fn tick_of(symbol: &'static str, mode: u64) -> impl Fn(&Value) -> bool {
    move |f: &Value| f["type"] == "market_data" && f["symbol"] == symbol && f["mode"] == mode
}

#[tokio::test]
async fn a_bound_keys_feed_comes_from_its_exchanges_market_streams() {
    let (app, mock, bound, paper) = bound_and_paper().await;
    let mut ws = authenticated(&app, &bound, "binance_spot").await;
    let reply = ws
        .ask(json!({"action": "subscribe", "symbols": [
            {"symbol": "btcusdt", "exchange": "CRYPTO"}, {"symbol": "INFY", "exchange": "NSE"},
            {"symbol": "FOOUSDT", "exchange": "CRYPTO"}
        ], "mode": 1}))
        .await;
    assert_eq!(reply["status"], "partial", "{reply}");
    assert_eq!(reply["broker"], "binance_spot", "{reply}");
    assert_eq!(reply["subscriptions"][0]["status"], "success");
    assert_eq!(reply["subscriptions"][1]["status"], "error");
    let message = |i: usize| {
        reply["subscriptions"][i]["message"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert!(message(1).contains("CRYPTO pairs only"), "{reply}");
    // Pairs are checked against the exchange, as an order's symbol is.
    assert_eq!(reply["subscriptions"][2]["status"], "error");
    assert!(
        message(2).starts_with("Symbol 'FOOUSDT' not found"),
        "{reply}"
    );
    let ltp = ws.frame_where(tick_of("BTCUSDT", 1)).await;
    assert_eq!(ltp["exchange"], "CRYPTO");
    assert_eq!(ltp["broker"], "binance_spot");
    assert_eq!(ltp["data"]["ltp"], json!(50_000.0), "{ltp}");
    mock.set_last("BTCUSDT", 51_234.5);
    ws.frame_where(|f| tick_of("BTCUSDT", 1)(f) && f["data"]["ltp"] == json!(51_234.5))
        .await;

    let reply = ws
        .ask(json!({"action": "subscribe", "symbol": "ETHUSDT", "exchange": "CRYPTO", "mode": 3}))
        .await;
    assert_eq!(reply["status"], "success", "{reply}");
    let depth = ws
        .frame_where(|f| {
            tick_of("ETHUSDT", 3)(f) && f["data"]["depth"]["buy"][0]["quantity"] == json!(1)
        })
        .await;
    assert_eq!(
        depth["data"]["depth"]["buy"][0]["price"],
        json!(2_999.99),
        "{depth}"
    );
    assert_eq!(
        depth["data"]["depth"]["sell"][4]["price"],
        json!(3_000.05),
        "{depth}"
    );

    let reply = ws
        .ask(json!({"action": "unsubscribe", "symbol": "btcusdt", "exchange": "CRYPTO", "mode": 1}))
        .await;
    assert_eq!(reply["status"], "success", "{reply}");
    // Frames already queued may still arrive; then only ETHUSDT ticks.
    ws.ticks_for(Duration::from_millis(300)).await;
    let ticks = ws.ticks_for(Duration::from_millis(800)).await;
    assert!(ticks.iter().all(|f| f["symbol"] == "ETHUSDT"), "{ticks:?}");
    assert!(!ticks.is_empty());

    // The same user's paper key on another socket stays on the simulated market.
    let mut on_paper = authenticated(&app, &paper, "paper").await;
    let reply = on_paper
        .ask(json!({"action": "subscribe", "symbol": "INFY", "exchange": "NSE", "mode": 1}))
        .await;
    assert_eq!(reply["status"], "success", "{reply}");
    on_paper.frame_where(tick_of("INFY", 1)).await;
}

#[tokio::test]
async fn a_lost_market_stream_is_reported_and_the_socket_keeps_serving_until_it_is_back() {
    let (app, mock, bound, _) = bound_and_paper().await;
    let mut ws = authenticated(&app, &bound, "binance_spot").await;
    ws.ask(json!({"action": "subscribe", "symbol": "BTCUSDT", "exchange": "CRYPTO", "mode": 2}))
        .await;
    ws.frame_where(tick_of("BTCUSDT", 2)).await;
    mock.stop_streams();
    let down = ws.frame_where(|f| f["status"] == "error").await;
    assert_eq!(down["code"], "BROKER_CONNECTION_ERROR", "{down}");
    assert!(
        down.get("type").is_none(),
        "error frames carry no type: {down}"
    );
    assert!(
        down["message"].as_str().unwrap().contains("unreachable"),
        "{down}"
    );
    // Counted for the operator too.
    let samples = crate::metrics::scrape(&app).await;
    let figure = |name| crate::metrics::value(&samples, name, &[]).unwrap_or_default();
    assert_eq!(figure("keygate_market_streams_down"), 1.0);
    assert!(figure("keygate_market_stream_losses_total") >= 1.0);
    // The socket still answers while the stream is down.
    let pong = ws.ask(json!({"action": "ping", "timestamp": 7})).await;
    assert_eq!(pong["type"], "pong", "{pong}");
    mock.set_last("BTCUSDT", 49_000.0);
    mock.start_streams();
    let quote = ws
        .frame_where(|f| tick_of("BTCUSDT", 2)(f) && f["data"]["ltp"] == json!(49_000.0))
        .await;
    assert_eq!(quote["data"]["bid"], json!(48_999.99), "{quote}");
    let samples = crate::metrics::scrape(&app).await;
    assert_eq!(
        crate::metrics::value(&samples, "keygate_market_streams_down", &[]),
        Some(0.0)
    );
}

#[tokio::test]
async fn binding_the_key_elsewhere_closes_its_socket_so_the_client_reconnects_to_its_new_feed() {
    let (app, _mock, bound, _) = bound_and_paper().await;
    let mut ws = authenticated(&app, &bound, "binance_spot").await;
    ws.ask(json!({"action": "subscribe", "symbol": "BTCUSDT", "exchange": "CRYPTO", "mode": 1}))
        .await;
    let output = crate::process::cli(
        &keygate_tests::base_env(&app.database.url),
        &[
            "key", "bind", "--user", "admin", "--name", "bound", "--broker", "paper",
        ],
        "",
    )
    .await;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let close = ws
        .close_frame(Duration::from_secs(4))
        .await
        .expect("a close frame");
    assert_eq!(close.code, CloseCode::from(4409), "{close:?}");
    let mut again = authenticated(&app, &bound, "paper").await;
    let reply = again
        .ask(json!({"action": "subscribe", "symbol": "INFY", "exchange": "NSE", "mode": 1}))
        .await;
    assert_eq!(reply["status"], "success", "{reply}");
}
