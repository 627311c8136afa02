use std::sync::atomic::Ordering;
use std::sync::Arc;

use keygate_broker::*;
use Action::{Buy, Sell};
use PriceType::{Limit, Market, SlM};
use Product::{Cnc, Mis};

use crate::{order, Harness};

#[tokio::test]
async fn market_data_and_instruments_are_served_through_the_trait_object() {
    let h = Harness::new().await;
    let broker: Arc<dyn Broker> = h.broker.clone();
    assert_eq!(broker.name(), "paper");
    let q = broker.quote("RELIANCE", Exchange::Nse).await.unwrap();
    assert!(q.bid < q.ask && q.ltp > 0.0);
    let d = broker.depth("RELIANCE", Exchange::Bse).await.unwrap();
    assert_eq!((d.bids.len(), d.asks.len()), (5, 5));
    let json = serde_json::to_value(&d).unwrap();
    for key in [
        "ltp",
        "open",
        "high",
        "low",
        "prev_close",
        "volume",
        "oi",
        "ltq",
        "totalbuyqty",
        "totalsellqty",
    ] {
        assert!(json.get(key).is_some(), "depth JSON lacks {key}: {json}");
    }
    let i = broker
        .instrument("NIFTY24NOV26FUT", Exchange::Nfo)
        .await
        .unwrap();
    assert_eq!(i.lot_size, 65.0);
    let err = broker.quote("NOSUCH", Exchange::Nse).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BadRequest);
    assert!(err
        .to_string()
        .starts_with("Symbol 'NOSUCH' not found for exchange 'NSE'."));
    let err = broker
        .place_order(
            1,
            Ledger::Live,
            order("NOSUCH", Exchange::Nse, Buy, Market, Mis, 1.0),
            Exposure::Any,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, BrokerError::SymbolNotFound { .. }));
}

#[tokio::test]
async fn ledgers_and_users_are_separate_accounts() {
    let h = Harness::new().await;
    let b = &h.broker;
    b.place_order(
        1,
        Ledger::Live,
        order("INFY", Exchange::Nse, Buy, Market, Cnc, 10.0),
        Exposure::Any,
    )
    .await
    .unwrap();
    assert_eq!(b.order_book(1, Ledger::Live).await.unwrap().len(), 1);
    assert!(b.order_book(1, Ledger::Analyze).await.unwrap().is_empty());
    assert!(b.order_book(2, Ledger::Live).await.unwrap().is_empty());
    assert_eq!(b.holdings(1, Ledger::Live).await.unwrap().len(), 1);
    assert_eq!(
        b.funds(2, Ledger::Analyze).await.unwrap().availablecash,
        10_000_000.0
    );
    assert!(b.funds(1, Ledger::Live).await.unwrap().availablecash < 10_000_000.0);
}

#[tokio::test]
async fn smart_orders_bring_the_position_to_its_target() {
    let h = Harness::new().await;
    let b = h.broker.as_ref();
    let req = || order("SBIN", Exchange::Nse, Buy, Market, Mis, 0.0);
    let SmartOrderOutcome::Placed(o) = b
        .place_smart_order(1, Ledger::Analyze, req(), 10.0, Exposure::Any)
        .await
        .unwrap()
    else {
        panic!("expected an order");
    };
    assert_eq!((o.action, o.quantity), (Buy, 10.0));
    assert_eq!(
        b.place_smart_order(1, Ledger::Analyze, req(), 10.0, Exposure::Any)
            .await
            .unwrap(),
        SmartOrderOutcome::AlreadyMatched
    );
    let SmartOrderOutcome::Placed(o) = b
        .place_smart_order(1, Ledger::Analyze, req(), -5.0, Exposure::Any)
        .await
        .unwrap()
    else {
        panic!("expected an order");
    };
    assert_eq!((o.action, o.quantity), (Sell, 15.0));
    b.place_smart_order(1, Ledger::Analyze, req(), 0.0, Exposure::Any)
        .await
        .unwrap();
    assert_eq!(
        b.place_smart_order(1, Ledger::Analyze, req(), 0.0, Exposure::Any)
            .await
            .unwrap(),
        SmartOrderOutcome::NothingToDo
    );
    let p = &b.positions(1, Ledger::Analyze).await.unwrap()[0];
    assert_eq!(p.quantity, 0.0);
}

#[tokio::test]
async fn the_matcher_triggers_resting_stops_as_the_market_moves() {
    let h = Harness::new().await;
    let b = &h.broker;
    let q = b.quote("BTCUSDT", Exchange::Crypto).await.unwrap();
    let mut up = order("BTCUSDT", Exchange::Crypto, Buy, SlM, Mis, 0.01);
    up.trigger_price = q.ltp + 0.5;
    let mut down = order("BTCUSDT", Exchange::Crypto, Sell, SlM, Mis, 0.01);
    down.trigger_price = q.ltp - 0.5;
    let up = b
        .place_order(7, Ledger::Live, up, Exposure::Any)
        .await
        .unwrap();
    let down = b
        .place_order(7, Ledger::Live, down, Exposure::Any)
        .await
        .unwrap();
    let mut rounds = 0;
    loop {
        h.advance(1_000);
        b.match_working().await;
        let book = b.order_book(7, Ledger::Live).await.unwrap();
        if book.iter().any(|o| o.order_status == OrderStatus::Complete) {
            let filled = book
                .iter()
                .find(|o| o.order_status == OrderStatus::Complete)
                .unwrap();
            assert!(filled.orderid == up.orderid || filled.orderid == down.orderid);
            break;
        }
        rounds += 1;
        assert!(
            rounds < 3_600,
            "no stop triggered within an hour of simulated time"
        );
    }
    assert_eq!(b.trade_book(7, Ledger::Live).await.unwrap().len(), 1);
    let out = b.cancel_all(7, Ledger::Live).await.unwrap();
    assert_eq!(out.canceled_orders.len(), 1);
    let closed = b.close_all_positions(7, Ledger::Live).await.unwrap();
    assert_eq!(closed.closed_positions(), 1);
    let funds = b.funds(7, Ledger::Live).await.unwrap();
    assert_eq!(funds.utiliseddebits, 0.0);
    assert_eq!(
        funds.availablecash,
        funds.starting_capital + funds.m2mrealized
    );
}

#[tokio::test]
async fn a_failed_save_changes_nothing() {
    let h = Harness::new().await;
    let b = &h.broker;
    let mut resting = order("TCS", Exchange::Nse, Buy, Limit, Mis, 1.0);
    resting.price = 10.0;
    let o = b
        .place_order(3, Ledger::Live, resting, Exposure::Any)
        .await
        .unwrap();
    h.store.fail.store(true, Ordering::SeqCst);
    let err = b
        .cancel_order(3, Ledger::Live, &o.orderid)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Internal);
    h.store.fail.store(false, Ordering::SeqCst);
    let again = b.order_status(3, Ledger::Live, &o.orderid).await.unwrap();
    assert_eq!(again.order_status, OrderStatus::Open);
    b.cancel_order(3, Ledger::Live, &o.orderid).await.unwrap();
    assert_eq!(b.funds(3, Ledger::Live).await.unwrap().utiliseddebits, 0.0);
}

#[tokio::test]
async fn the_ticker_broadcasts_watched_symbols_in_real_time() {
    let h = Harness::new().await;
    let market = h.broker.market().clone();
    let mut ticks = market.subscribe();
    market.watch("ETHUSDT", Exchange::Crypto).unwrap();
    let ticker = market
        .clone()
        .spawn_ticker(std::time::Duration::from_millis(100));
    let tick = tokio::time::timeout(std::time::Duration::from_secs(5), ticks.recv())
        .await
        .expect("a tick within 5 s")
        .unwrap();
    ticker.abort();
    assert_eq!(
        (tick.quote.symbol.as_str(), tick.quote.exchange),
        ("ETHUSDT", Exchange::Crypto)
    );
    assert_eq!(tick.bids.len(), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_orders_on_one_account_are_serialised() {
    let h = Harness::new().await;
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let b = h.broker.clone();
            tokio::spawn(async move {
                b.place_order(
                    9,
                    Ledger::Analyze,
                    order("NHPC", Exchange::Nse, Buy, Market, Mis, 100.0),
                    Exposure::Any,
                )
                .await
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let b = &h.broker;
    let book = b.order_book(9, Ledger::Analyze).await.unwrap();
    assert_eq!(book.len(), 20);
    let ids: std::collections::HashSet<_> = book.iter().map(|o| &o.orderid).collect();
    assert_eq!(ids.len(), 20);
    let p = &b.positions(9, Ledger::Analyze).await.unwrap()[0];
    assert_eq!(p.quantity, 2000.0);
    let stored = h
        .store
        .inner
        .load(9, Ledger::Analyze)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((stored.orders.len(), stored.trades.len()), (20, 20));
    let f = b.funds(9, Ledger::Analyze).await.unwrap();
    assert_eq!(f.availablecash + f.utiliseddebits, f.starting_capital);
}
