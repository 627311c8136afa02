//! The paper ledgers survive a restart: a new `PaperBroker` over the same database sees the same
//! orders, trades, positions, holdings and funds.

use std::sync::Arc;

use keygate_broker::paper::PaperConfig;
use keygate_broker::*;
use keygate_core::paper::{analyze_mode, set_analyze_mode, SqlLedgerStore};
use sea_orm::DatabaseConnection;

use keygate_testdb::TestDatabase;

use crate::{create_user, market};

async fn broker(db: DatabaseConnection, market: Arc<Market>) -> PaperBroker {
    PaperBroker::new(
        market,
        Arc::new(SqlLedgerStore::new(db)),
        PaperConfig::default(),
    )
    .await
    .expect("broker starts")
}

fn order(
    symbol: &str,
    exchange: Exchange,
    action: Action,
    pricetype: PriceType,
    product: Product,
    quantity: f64,
) -> OrderRequest {
    OrderRequest {
        strategy: "persist".into(),
        symbol: symbol.into(),
        exchange,
        action,
        pricetype,
        product,
        quantity,
        price: 0.0,
        trigger_price: 0.0,
        disclosed_quantity: 0,
    }
}

#[derive(Debug, PartialEq)]
struct Snapshot {
    orders: Vec<Order>,
    trades: Vec<Trade>,
    positions: Vec<(String, Exchange, Product, f64, f64, f64)>,
    holdings: Vec<(String, Exchange, f64, f64)>,
    funds: (f64, f64, f64, f64),
}

async fn snapshot(b: &PaperBroker, user: i64, ledger: Ledger) -> Snapshot {
    let funds = b.funds(user, ledger).await.unwrap();
    Snapshot {
        orders: b.order_book(user, ledger).await.unwrap(),
        trades: b.trade_book(user, ledger).await.unwrap(),
        positions: b
            .positions(user, ledger)
            .await
            .unwrap()
            .into_iter()
            .map(|p| {
                (
                    p.symbol,
                    p.exchange,
                    p.product,
                    p.quantity,
                    p.average_price,
                    p.realized_pnl,
                )
            })
            .collect(),
        holdings: b
            .holdings(user, ledger)
            .await
            .unwrap()
            .into_iter()
            .map(|h| (h.symbol, h.exchange, h.quantity, h.average_price))
            .collect(),
        funds: (
            funds.availablecash,
            funds.utiliseddebits,
            funds.m2mrealized,
            funds.starting_capital,
        ),
    }
}

#[tokio::test]
async fn a_restarted_paper_broker_sees_the_same_ledgers() {
    let test_db = TestDatabase::create().await;
    let conn = test_db.connect().await;
    let alice = create_user(&conn, "alice").await;
    let bob = create_user(&conn, "bob").await;
    let b = broker(conn, market()).await;
    use Action::*;
    use PriceType::*;
    use Product::*;

    b.place_order(
        alice,
        Ledger::Live,
        order("RELIANCE", Exchange::Nse, Buy, Market, Cnc, 10.0),
        Exposure::Any,
    )
    .await
    .unwrap();
    b.place_order(
        alice,
        Ledger::Live,
        order("RELIANCE", Exchange::Nse, Sell, Market, Cnc, 4.0),
        Exposure::Any,
    )
    .await
    .unwrap();
    b.place_order(
        alice,
        Ledger::Live,
        order("TCS", Exchange::Bse, Sell, Market, Mis, 3.0),
        Exposure::Any,
    )
    .await
    .unwrap();
    b.place_order(
        alice,
        Ledger::Live,
        order("BTCUSDT", Exchange::Crypto, Buy, Market, Nrml, 0.005),
        Exposure::Any,
    )
    .await
    .unwrap();
    let mut resting = order("INFY", Exchange::Nse, Buy, Limit, Mis, 5.0);
    resting.price = 1.0;
    let resting = b
        .place_order(alice, Ledger::Live, resting, Exposure::Any)
        .await
        .unwrap();
    assert_eq!(resting.order_status, OrderStatus::Open);
    let mut stop = order("WIPRO", Exchange::Nse, Buy, SlM, Mis, 3.0);
    stop.trigger_price = 1_000_000.0;
    let stop = b
        .place_order(alice, Ledger::Live, stop, Exposure::Any)
        .await
        .unwrap();
    assert_eq!(stop.order_status, OrderStatus::TriggerPending);
    let mut cancelled = order("SBIN", Exchange::Nse, Sell, Limit, Mis, 1.0);
    cancelled.price = 1_000_000.0;
    let cancelled = b
        .place_order(alice, Ledger::Live, cancelled, Exposure::Any)
        .await
        .unwrap();
    b.cancel_order(alice, Ledger::Live, &cancelled.orderid)
        .await
        .unwrap();
    let rejected = b
        .place_order(
            alice,
            Ledger::Live,
            order("ITC", Exchange::Nse, Sell, Market, Cnc, 1.0),
            Exposure::Any,
        )
        .await
        .unwrap_err();
    assert_eq!(rejected.kind(), ErrorKind::Rejected);
    let modify = ModifyRequest {
        orderid: resting.orderid.clone(),
        pricetype: PriceType::Limit,
        quantity: 6.0,
        price: 2.0,
        trigger_price: 0.0,
        disclosed_quantity: 0,
    };
    b.modify_order(alice, Ledger::Live, modify, Exposure::Any)
        .await
        .unwrap();
    let fut = b
        .market()
        .master()
        .iter()
        .find(|i| i.exchange == Exchange::Nfo && i.symbol.starts_with("NIFTY"))
        .unwrap()
        .symbol
        .clone();
    b.place_order(
        alice,
        Ledger::Analyze,
        order(&fut, Exchange::Nfo, Sell, Market, Nrml, 65.0),
        Exposure::Any,
    )
    .await
    .unwrap();
    b.place_order(
        bob,
        Ledger::Analyze,
        order("HDFCBANK", Exchange::Nse, Buy, Market, Mis, 7.0),
        Exposure::Any,
    )
    .await
    .unwrap();

    let before = [
        snapshot(&b, alice, Ledger::Live).await,
        snapshot(&b, alice, Ledger::Analyze).await,
        snapshot(&b, bob, Ledger::Analyze).await,
    ];
    assert_eq!(before[0].orders.len(), 8);
    assert_eq!(before[0].trades.len(), 4);
    assert_eq!(before[0].holdings.len(), 1);
    assert_eq!(before[1].orders.len(), 1);
    assert!(before[0].funds.1 > 0.0);
    drop(b);

    // "Restart": a new connection, a new market, a new broker.
    let b2 = broker(test_db.connect().await, market()).await;
    assert_eq!(
        b2.match_working().await,
        1,
        "alice's live ledger has working orders"
    );
    let after = [
        snapshot(&b2, alice, Ledger::Live).await,
        snapshot(&b2, alice, Ledger::Analyze).await,
        snapshot(&b2, bob, Ledger::Analyze).await,
    ];
    assert_eq!(before, after);
    let o = b2
        .order_status(alice, Ledger::Live, &resting.orderid)
        .await
        .unwrap();
    assert_eq!((o.quantity, o.price, o.blocked_margin), (6.0, 2.0, 2.4));
    // The restored ledger keeps working: the stop can be cancelled and its margin comes back.
    b2.cancel_order(alice, Ledger::Live, &stop.orderid)
        .await
        .unwrap();
    let funds = b2.funds(alice, Ledger::Live).await.unwrap();
    assert!(funds.utiliseddebits < after[0].funds.1);
    // A third start sees the cancellation.
    let b3 = broker(test_db.connect().await, market()).await;
    let o = b3
        .order_status(alice, Ledger::Live, &stop.orderid)
        .await
        .unwrap();
    assert_eq!(o.order_status, OrderStatus::Cancelled);
}

#[tokio::test]
async fn the_analyzer_flag_is_per_user_and_persisted() {
    let test_db = TestDatabase::create().await;
    let conn = test_db.connect().await;
    let alice = create_user(&conn, "alice").await;
    let bob = create_user(&conn, "bob").await;
    assert!(!analyze_mode(&conn, alice).await.unwrap());
    set_analyze_mode(&conn, alice, true).await.unwrap();
    set_analyze_mode(&conn, alice, true).await.unwrap();
    let again = test_db.connect().await;
    assert!(analyze_mode(&again, alice).await.unwrap());
    assert!(!analyze_mode(&again, bob).await.unwrap());
    set_analyze_mode(&again, alice, false).await.unwrap();
    assert!(!analyze_mode(&conn, alice).await.unwrap());
}
