//! Two keygate processes on one database each cache a user's paper account: two `PaperBroker`s
//! over the same database stand for them. Neither may lose or duplicate the other's orders.

use std::collections::HashSet;
use std::sync::Arc;

use keygate_broker::paper::PaperConfig;
use keygate_broker::*;
use keygate_core::paper::SqlLedgerStore;
use sea_orm::DatabaseConnection;

use keygate_testdb::TestDatabase;

use crate::{create_user, market};

async fn process(db: DatabaseConnection, market: Arc<Market>) -> PaperBroker {
    PaperBroker::new(
        market,
        Arc::new(SqlLedgerStore::new(db)),
        PaperConfig::default(),
    )
    .await
    .expect("broker starts")
}

fn resting_buy() -> OrderRequest {
    OrderRequest {
        strategy: "fleet".into(),
        symbol: "NHPC".into(),
        exchange: Exchange::Nse,
        action: Action::Buy,
        pricetype: PriceType::Limit,
        product: Product::Mis,
        quantity: 1.0,
        price: 1.0,
        trigger_price: 0.0,
        disclosed_quantity: 0,
    }
}

fn ids(orders: &[Order]) -> Vec<String> {
    orders.iter().map(|o| o.orderid.clone()).collect()
}

#[tokio::test]
async fn orders_placed_through_two_processes_in_turn_are_all_kept_with_distinct_ids() {
    let test_db = TestDatabase::create().await;
    let conn = test_db.connect().await;
    let alice = create_user(&conn, "alice").await;
    let market = market();
    let a = process(conn, market.clone()).await;
    let b = process(test_db.connect().await, market).await;
    let mut placed = Vec::new();
    for turn in 0..6 {
        let broker = if turn % 2 == 0 { &a } else { &b };
        let order = broker
            .place_order(alice, Ledger::Live, resting_buy(), Exposure::Any)
            .await
            .expect("placed");
        placed.push(order.orderid);
    }
    assert_eq!(placed.iter().collect::<HashSet<_>>().len(), 6, "{placed:?}");
    for broker in [&a, &b] {
        let book = broker.order_book(alice, Ledger::Live).await.unwrap();
        assert_eq!(ids(&book), placed, "each process lists every order");
    }
    // The margin of all six is blocked in the one account, whichever process reads it.
    let funds = [
        a.funds(alice, Ledger::Live).await.unwrap(),
        b.funds(alice, Ledger::Live).await.unwrap(),
    ];
    assert_eq!(funds[0].availablecash, funds[1].availablecash);
}

#[tokio::test]
async fn orders_placed_through_two_processes_at_once_are_all_kept() {
    let test_db = TestDatabase::create().await;
    let conn = test_db.connect().await;
    let alice = create_user(&conn, "alice").await;
    let market = market();
    let a = Arc::new(process(conn, market.clone()).await);
    let b = Arc::new(process(test_db.connect().await, market).await);
    let mut tasks = Vec::new();
    for broker in [a.clone(), b.clone()] {
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            for _ in 0..10 {
                let order = broker
                    .place_order(alice, Ledger::Live, resting_buy(), Exposure::Any)
                    .await
                    .expect("placed");
                mine.push(order.orderid);
            }
            mine
        }));
    }
    let mut placed = HashSet::new();
    for task in tasks {
        placed.extend(task.await.unwrap());
    }
    assert_eq!(placed.len(), 20, "20 orders, 20 distinct ids");
    for broker in [&a, &b] {
        let book = broker.order_book(alice, Ledger::Live).await.unwrap();
        assert_eq!(ids(&book).into_iter().collect::<HashSet<_>>(), placed);
    }
}
