//! Orders: placement of each type, status, books, cancels, filters and idempotent retries.

use std::time::Duration;

use keygate_binance::mock::{Endpoint, Fault, MockExchange};
use keygate_binance::BinanceSpot;
use keygate_broker::{
    Action, Broker, BrokerError, ErrorKind, Exchange, Exposure, Ledger, OrderStatus, PriceType,
};

use crate::{btc, setup};

const LIVE: Ledger = Ledger::Live;

#[tokio::test]
async fn a_market_buy_fills_and_shows_in_status_trades_and_holdings() {
    let (mock, spot) = setup();
    let order = spot
        .place_order(
            1,
            LIVE,
            btc(Action::Buy, PriceType::Market, 0.01, 0.0, 0.0),
            Exposure::Any,
        )
        .await
        .unwrap();
    assert_eq!(order.order_status, OrderStatus::Complete);
    assert_eq!(order.filled_quantity, 0.01);
    assert!(
        (order.average_price - 50_000.01).abs() < 1e-6,
        "{}",
        order.average_price
    );
    assert!(order.orderid.starts_with("BTCUSDT-"));
    let status = spot.order_status(1, LIVE, &order.orderid).await.unwrap();
    assert_eq!(status.order_status, OrderStatus::Complete);
    let trades = spot.trade_book(1, LIVE).await.unwrap();
    assert_eq!(trades.len(), 1);
    assert_eq!(trades[0].orderid, order.orderid);
    assert_eq!(mock.balance("BTC").0, 0.51);
    assert_eq!(mock.orders().len(), 1);
    assert!(mock.orders()[0].client_order_id.starts_with("kgm-"));
}

#[tokio::test]
async fn a_limit_order_rests_and_its_cancel_releases_the_funds() {
    let (mock, spot) = setup();
    let order = spot
        .place_order(
            1,
            LIVE,
            btc(Action::Buy, PriceType::Limit, 0.01, 40_000.0, 0.0),
            Exposure::Any,
        )
        .await
        .unwrap();
    assert_eq!(order.order_status, OrderStatus::Open);
    assert_eq!(mock.balance("USDT"), (9_600.0, 400.0));
    let book = spot.order_book(1, LIVE).await.unwrap();
    assert_eq!(book.len(), 1);
    assert_eq!(book[0].orderid, order.orderid);
    let cancelled = spot.cancel_order(1, LIVE, &order.orderid).await.unwrap();
    assert_eq!(cancelled.order_status, OrderStatus::Cancelled);
    assert_eq!(mock.balance("USDT"), (10_000.0, 0.0));
    let again = spot
        .cancel_order(1, LIVE, &order.orderid)
        .await
        .unwrap_err();
    assert_eq!(again.to_string(), "Cannot cancel order in cancelled status");
}

#[tokio::test]
async fn stop_orders_wait_for_their_trigger_and_cancel_all_cancels_them() {
    let (mock, spot) = setup();
    let sl = spot
        .place_order(
            1,
            LIVE,
            btc(Action::Sell, PriceType::Sl, 0.1, 44_000.0, 45_000.0),
            Exposure::Any,
        )
        .await
        .unwrap();
    assert_eq!(sl.order_status, OrderStatus::TriggerPending);
    assert_eq!(sl.trigger_price, 45_000.0);
    let slm = spot
        .place_order(
            1,
            LIVE,
            btc(Action::Sell, PriceType::SlM, 0.1, 0.0, 45_000.0),
            Exposure::Any,
        )
        .await
        .unwrap();
    assert_eq!(slm.pricetype, PriceType::SlM);
    assert_eq!(mock.balance("BTC"), (0.3, 0.2));
    let outcome = spot.cancel_all(1, LIVE).await.unwrap();
    assert_eq!(outcome.canceled_orders, vec![sl.orderid, slm.orderid]);
    assert!(outcome.failed_cancellations.is_empty());
    assert_eq!(mock.balance("BTC"), (0.5, 0.0));
    assert!(spot.order_book(1, LIVE).await.unwrap().is_empty());
}

#[tokio::test]
async fn filters_refuse_a_bad_lot_tick_or_value_before_any_order_is_sent() {
    let (mock, spot) = setup();
    spot.instrument("BTCUSDT", Exchange::Crypto).await.unwrap();
    let cases = [
        (
            btc(Action::Buy, PriceType::Limit, 0.000015, 40_000.0, 0.0),
            "Quantity must be in multiples of lot size 0.00001",
        ),
        (
            btc(Action::Buy, PriceType::Limit, 0.01, 40_000.005, 0.0),
            "Price must be in multiples of tick size 0.01",
        ),
        (
            btc(Action::Buy, PriceType::Limit, 0.0001, 40_000.0, 0.0),
            "Order value 4 is below the minimum order value 5",
        ),
        (
            btc(Action::Buy, PriceType::Limit, 0.01, 0.0, 0.0),
            "LIMIT orders require price",
        ),
        (
            btc(Action::Sell, PriceType::SlM, 0.01, 0.0, 0.0),
            "SL-M orders require trigger_price",
        ),
    ];
    for (request, message) in cases {
        let e = spot
            .place_order(1, LIVE, request, Exposure::Any)
            .await
            .unwrap_err();
        assert_eq!(e.to_string(), message);
        assert_eq!(e.kind(), ErrorKind::BadRequest);
    }
    assert_eq!(mock.count(Endpoint::NewOrder), 0);
}

#[tokio::test]
async fn exchange_refusals_and_unknown_ids_are_reported_clearly() {
    let (_mock, spot) = setup();
    let e = spot
        .place_order(
            1,
            LIVE,
            btc(Action::Buy, PriceType::Market, 1.0, 0.0, 0.0),
            Exposure::Any,
        )
        .await
        .unwrap_err();
    assert_eq!(e.to_string(), "The exchange refused the request: Account has insufficient balance for requested action. (code -2010)");
    for id in ["BTCUSDT-999", "nonsense", "BTCUSDT-"] {
        let e = spot.order_status(1, LIVE, id).await.unwrap_err();
        assert_eq!(e, BrokerError::OrderNotFound(id.into()));
    }
    let e = spot.cancel_order(1, LIVE, "ETHUSDT-5").await.unwrap_err();
    assert_eq!(e, BrokerError::OrderNotFound("ETHUSDT-5".into()));
}

#[tokio::test]
async fn a_timeout_after_the_order_was_accepted_finds_it_by_client_id() {
    let (mock, spot) = setup();
    // Time and the pair's filters first, so the fault meets the order.
    spot.instrument("BTCUSDT", Exchange::Crypto).await.unwrap();
    mock.push_fault(Fault::AcceptThenStall(Duration::from_secs(3)));
    let order = spot
        .place_order(
            1,
            LIVE,
            btc(Action::Buy, PriceType::Market, 0.01, 0.0, 0.0),
            Exposure::Any,
        )
        .await
        .unwrap();
    assert_eq!(order.order_status, OrderStatus::Complete);
    assert_eq!(mock.orders().len(), 1, "exactly one order on the exchange");
    assert_eq!(mock.count(Endpoint::NewOrder), 1);
    assert_eq!(mock.count(Endpoint::GetOrder), 1);
    assert_eq!(
        order.orderid,
        format!("BTCUSDT-{}", mock.orders()[0].order_id)
    );
}

#[tokio::test]
async fn a_timeout_before_the_exchange_ran_the_order_places_it_once() {
    let (mock, spot) = setup();
    // Time and the pair's filters first, so the fault meets the order.
    spot.instrument("BTCUSDT", Exchange::Crypto).await.unwrap();
    mock.push_fault(Fault::Stall(Duration::from_secs(2)));
    let order = spot
        .place_order(
            1,
            LIVE,
            btc(Action::Buy, PriceType::Market, 0.01, 0.0, 0.0),
            Exposure::Any,
        )
        .await
        .unwrap();
    assert_eq!(order.order_status, OrderStatus::Complete);
    assert_eq!(mock.orders().len(), 1);
    assert_eq!(
        mock.count(Endpoint::NewOrder),
        2,
        "the stalled send, then the real one"
    );
}

#[tokio::test]
async fn a_request_retried_with_its_request_id_returns_the_first_order() {
    let (mock, spot) = setup();
    let request = btc(Action::Buy, PriceType::Market, 0.01, 0.0, 0.0);
    let first = spot.place(&request, Some("req-42")).await.unwrap();
    let second = spot.place(&request, Some("req-42")).await.unwrap();
    assert_eq!(first.orderid, second.orderid);
    assert_eq!(mock.orders().len(), 1);
    let other = spot.place(&request, Some("req-43")).await.unwrap();
    assert_ne!(other.orderid, first.orderid);
    assert_eq!(mock.orders().len(), 2);
}

#[tokio::test]
async fn the_analyzer_ledger_is_refused_with_a_reason() {
    let (mock, spot) = setup();
    let e = spot
        .place_order(
            1,
            Ledger::Analyze,
            btc(Action::Buy, PriceType::Market, 0.01, 0.0, 0.0),
            Exposure::Any,
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("paper broker"), "{e}");
    assert_eq!(e.kind(), ErrorKind::BadRequest);
    assert!(spot.funds(1, Ledger::Analyze).await.is_err());
    assert!(mock.requests().is_empty(), "refused before any request");
}

#[tokio::test]
async fn a_reduce_only_order_may_sell_the_holding_but_never_buy() {
    let (mock, spot) = setup();
    let e = spot
        .place_order(
            1,
            LIVE,
            btc(Action::Buy, PriceType::Market, 0.01, 0.0, 0.0),
            Exposure::ReduceOnly,
        )
        .await
        .unwrap_err();
    assert!(matches!(e, BrokerError::ReduceOnly(_)), "{e}");
    let e = spot
        .place_order(
            1,
            LIVE,
            btc(Action::Sell, PriceType::Market, 0.6, 0.0, 0.0),
            Exposure::ReduceOnly,
        )
        .await
        .unwrap_err();
    assert!(matches!(e, BrokerError::ReduceOnly(_)), "{e}");
    let sold = spot
        .place_order(
            1,
            LIVE,
            btc(Action::Sell, PriceType::Market, 0.5, 0.0, 0.0),
            Exposure::ReduceOnly,
        )
        .await
        .unwrap();
    assert_eq!(sold.order_status, OrderStatus::Complete);
    assert_eq!(mock.balance("BTC").0, 0.0);
}

#[tokio::test]
async fn without_configured_pairs_the_trade_book_reads_the_pairs_of_the_assets_held() {
    let mock = MockExchange::start().unwrap();
    let mut config = mock.config();
    config.symbols.clear();
    let spot = BinanceSpot::new(config).unwrap();
    let order = spot
        .place_order(
            1,
            LIVE,
            btc(Action::Buy, PriceType::Market, 0.01, 0.0, 0.0),
            Exposure::Any,
        )
        .await
        .unwrap();
    let trades = spot.trade_book(1, LIVE).await.unwrap();
    assert_eq!(trades.len(), 1, "{trades:?}");
    assert_eq!(trades[0].orderid, order.orderid);
}
