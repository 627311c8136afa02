//! Modify by `cancelReplace`: LIMIT and SL orders replaced, the contract's checks before any
//! request, the exchange's part failures, a lost answer, and the reduce-only rule.

use std::time::Duration;

use keygate_binance::mock::{Endpoint, Fault};
use keygate_binance::orders::replacement_client_id;
use keygate_binance::BinanceSpot;
use keygate_broker::{
    Action, Broker, BrokerError, ErrorKind, Exposure, Ledger, ModifyRequest, Order, OrderRequest,
    OrderStatus, PriceType,
};

use crate::{btc, setup};

const LIVE: Ledger = Ledger::Live;

/// User 1 places `order` on the live ledger, with no reduce-only rule.
async fn place(spot: &BinanceSpot, order: OrderRequest) -> Order {
    spot.place_order(1, LIVE, order, Exposure::Any)
        .await
        .expect("the order is placed")
}

/// User 1 modifies an order on the live ledger, with no reduce-only rule.
async fn replace(spot: &BinanceSpot, request: ModifyRequest) -> Result<Order, BrokerError> {
    spot.modify_order(1, LIVE, request, Exposure::Any).await
}

fn modify(
    order: &Order,
    pricetype: PriceType,
    quantity: f64,
    price: f64,
    trigger: f64,
) -> ModifyRequest {
    ModifyRequest {
        orderid: order.orderid.clone(),
        pricetype,
        quantity,
        price,
        trigger_price: trigger,
        disclosed_quantity: 0,
    }
}

#[tokio::test]
async fn a_limit_order_is_replaced_at_its_new_price_and_quantity() {
    let (mock, spot) = setup();
    let old = place(
        &spot,
        btc(Action::Buy, PriceType::Limit, 0.01, 40_000.0, 0.0),
    )
    .await;
    let new = replace(&spot, modify(&old, PriceType::Limit, 0.02, 39_000.0, 0.0))
        .await
        .unwrap();
    assert_ne!(
        new.orderid, old.orderid,
        "the replacement is a new exchange order"
    );
    assert_eq!(new.order_status, OrderStatus::Open);
    assert_eq!(
        (new.action, new.price, new.quantity),
        (Action::Buy, 39_000.0, 0.02)
    );
    assert_eq!(new.product, old.product);
    let status = spot.order_status(1, LIVE, &old.orderid).await.unwrap();
    assert_eq!(status.order_status, OrderStatus::Cancelled);
    let book = spot.order_book(1, LIVE).await.unwrap();
    assert_eq!(
        book.iter().map(|o| &o.orderid).collect::<Vec<_>>(),
        [&new.orderid]
    );
    assert_eq!(
        mock.balance("USDT"),
        (9_220.0, 780.0),
        "the new order holds 0.02 × 39 000"
    );
    let orders = mock.orders();
    assert_eq!(
        orders[1].client_order_id,
        replacement_client_id(&orders[0].client_order_id)
    );
    assert_eq!(mock.count(Endpoint::CancelReplace), 1);
    assert_eq!(mock.count(Endpoint::NewOrder), 1);
}

#[tokio::test]
async fn a_stop_limit_order_keeps_waiting_for_its_new_trigger() {
    let (mock, spot) = setup();
    let old = place(
        &spot,
        btc(Action::Sell, PriceType::Sl, 0.1, 44_000.0, 45_000.0),
    )
    .await;
    let new = replace(&spot, modify(&old, PriceType::Sl, 0.2, 43_000.0, 44_000.0))
        .await
        .unwrap();
    assert_eq!(new.order_status, OrderStatus::TriggerPending);
    assert_eq!(
        (new.pricetype, new.price, new.trigger_price),
        (PriceType::Sl, 43_000.0, 44_000.0)
    );
    assert_eq!(mock.balance("BTC"), (0.3, 0.2));
    // The replacement can be modified in turn (its own derived client id).
    let third = replace(&spot, modify(&new, PriceType::Limit, 0.2, 52_000.0, 0.0))
        .await
        .unwrap();
    assert_eq!(
        (third.pricetype, third.order_status),
        (PriceType::Limit, OrderStatus::Open)
    );
    assert_eq!(mock.count(Endpoint::CancelReplace), 2);
}

#[tokio::test]
async fn bad_modifies_are_refused_before_any_replace_and_leave_the_order_working() {
    let (mock, spot) = setup();
    let old = place(
        &spot,
        btc(Action::Buy, PriceType::Limit, 0.01, 40_000.0, 0.0),
    )
    .await;
    let cases = [
        (
            modify(&old, PriceType::Limit, 0.01, 40_000.005, 0.0),
            "Price must be in multiples of tick size 0.01",
        ),
        (
            modify(&old, PriceType::Limit, 0.000015, 40_000.0, 0.0),
            "Quantity must be in multiples of lot size 0.00001",
        ),
        (
            modify(&old, PriceType::Limit, 0.01, 0.0, 0.0),
            "LIMIT orders require price",
        ),
        (
            modify(&old, PriceType::Sl, 0.01, 40_000.0, 0.0),
            "SL orders require trigger_price",
        ),
    ];
    for (request, message) in cases {
        let e = replace(&spot, request).await.unwrap_err();
        assert_eq!(e.to_string(), message);
        assert_eq!(e.kind(), ErrorKind::BadRequest);
    }
    let e = replace(&spot, modify(&old, PriceType::Market, 0.01, 0.0, 0.0))
        .await
        .unwrap_err();
    assert!(matches!(e, BrokerError::Unsupported(_)), "{e}");
    let e = spot
        .modify_order(
            1,
            Ledger::Analyze,
            modify(&old, PriceType::Limit, 0.01, 39_000.0, 0.0),
            Exposure::Any,
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("paper broker"), "{e}");
    assert_eq!(mock.count(Endpoint::CancelReplace), 0);
    let status = spot.order_status(1, LIVE, &old.orderid).await.unwrap();
    assert_eq!(status.order_status, OrderStatus::Open);
}

#[tokio::test]
async fn an_order_no_longer_working_cannot_be_modified() {
    let (mock, spot) = setup();
    let old = place(
        &spot,
        btc(Action::Buy, PriceType::Limit, 0.01, 40_000.0, 0.0),
    )
    .await;
    spot.cancel_order(1, LIVE, &old.orderid).await.unwrap();
    let e = replace(&spot, modify(&old, PriceType::Limit, 0.01, 39_000.0, 0.0))
        .await
        .unwrap_err();
    assert_eq!(e.to_string(), "Cannot modify order in cancelled status");
    let mut unknown = modify(&old, PriceType::Limit, 0.01, 39_000.0, 0.0);
    unknown.orderid = "BTCUSDT-999".into();
    let e = replace(&spot, unknown).await.unwrap_err();
    assert_eq!(e, BrokerError::OrderNotFound("BTCUSDT-999".into()));
    assert_eq!(mock.count(Endpoint::CancelReplace), 0);
}

#[tokio::test]
async fn a_replacement_the_exchange_refuses_after_the_cancel_is_reported_as_such() {
    let (mock, spot) = setup();
    let old = place(
        &spot,
        btc(Action::Buy, PriceType::Limit, 0.01, 40_000.0, 0.0),
    )
    .await;
    // 1 BTC at 40 000 is more than the 10 000 USDT the account has: -2021, the cancel done.
    let e = replace(&spot, modify(&old, PriceType::Limit, 1.0, 40_000.0, 0.0))
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "The exchange refused the request: order {} was cancelled, but its replacement was refused: Account has insufficient balance for requested action. (code -2010)",
            old.orderid
        )
    );
    assert_eq!(e.kind(), ErrorKind::BadRequest);
    let status = spot.order_status(1, LIVE, &old.orderid).await.unwrap();
    assert_eq!(status.order_status, OrderStatus::Cancelled);
    assert_eq!(mock.balance("USDT"), (10_000.0, 0.0));
}

#[tokio::test]
async fn a_cancel_the_exchange_refuses_leaves_nothing_placed() {
    let (mock, spot) = setup();
    let old = place(
        &spot,
        btc(Action::Buy, PriceType::Limit, 0.01, 40_000.0, 0.0),
    )
    .await;
    mock.push_fault_on(
        Endpoint::CancelReplace,
        Fault::Fail {
            status: 400,
            code: -2022,
            msg: "Order cancel-replace failed.".into(),
        },
    );
    let e = replace(&spot, modify(&old, PriceType::Limit, 0.01, 39_000.0, 0.0))
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "The exchange refused the request: Order cancel-replace failed. (code -2022)"
    );
    assert_eq!(mock.orders().len(), 1);
    let status = spot.order_status(1, LIVE, &old.orderid).await.unwrap();
    assert_eq!(
        (status.order_status, status.price),
        (OrderStatus::Open, 40_000.0)
    );
}

#[tokio::test]
async fn a_lost_answer_finds_the_replacement_instead_of_replacing_twice() {
    let (mock, spot) = setup();
    let old = place(
        &spot,
        btc(Action::Buy, PriceType::Limit, 0.01, 40_000.0, 0.0),
    )
    .await;
    mock.push_fault_on(
        Endpoint::CancelReplace,
        Fault::AcceptThenStall(Duration::from_secs(3)),
    );
    let new = replace(&spot, modify(&old, PriceType::Limit, 0.01, 39_000.0, 0.0))
        .await
        .unwrap();
    assert_eq!((new.order_status, new.price), (OrderStatus::Open, 39_000.0));
    assert_eq!(mock.orders().len(), 2, "one replacement");
    assert_eq!(mock.count(Endpoint::CancelReplace), 1);
    assert_eq!(
        new.orderid,
        format!("BTCUSDT-{}", mock.orders()[1].order_id)
    );
}

#[tokio::test]
async fn a_reduce_only_modify_may_resize_a_sell_within_the_holding() {
    let (mock, spot) = setup();
    let sell = spot
        .place_order(
            1,
            LIVE,
            btc(Action::Sell, PriceType::Limit, 0.5, 60_000.0, 0.0),
            Exposure::ReduceOnly,
        )
        .await
        .unwrap();
    assert_eq!(mock.balance("BTC"), (0.0, 0.5));
    // All 0.5 BTC is held by the order itself: the replacement may sell it again.
    let check = modify(&sell, PriceType::Limit, 0.5, 61_000.0, 0.0);
    spot.check_reduce_only(1, LIVE, keygate_broker::ReduceOnlyCheck::Modify(&check))
        .await
        .unwrap();
    let new = spot
        .modify_order(1, LIVE, check, Exposure::ReduceOnly)
        .await
        .unwrap();
    assert_eq!(new.price, 61_000.0);
    let e = spot
        .modify_order(
            1,
            LIVE,
            modify(&new, PriceType::Limit, 0.6, 61_000.0, 0.0),
            Exposure::ReduceOnly,
        )
        .await
        .unwrap_err();
    assert!(matches!(e, BrokerError::ReduceOnly(_)), "{e}");
    let buy = place(
        &spot,
        btc(Action::Buy, PriceType::Limit, 0.01, 40_000.0, 0.0),
    )
    .await;
    let e = spot
        .modify_order(
            1,
            LIVE,
            modify(&buy, PriceType::Limit, 0.01, 39_000.0, 0.0),
            Exposure::ReduceOnly,
        )
        .await
        .unwrap_err();
    assert!(matches!(e, BrokerError::ReduceOnly(_)), "{e}");
    assert_eq!(mock.count(Endpoint::CancelReplace), 1);
}
