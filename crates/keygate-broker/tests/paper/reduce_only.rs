//! Reduce-only orders (an `exit_only` key's) are checked under the account's lock, together
//! with the placement: concurrent exits cannot all pass a check made before any was placed.

use keygate_broker::*;
use Action::{Buy, Sell};
use PriceType::{Limit, Market};
use Product::Mis;

use crate::{order, Harness};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_reduce_only_exits_close_a_position_exactly_once() {
    let h = Harness::new().await;
    let long = order("NHPC", Exchange::Nse, Buy, Market, Mis, 100.0);
    h.broker
        .place_order(5, Ledger::Live, long, Exposure::Any)
        .await
        .unwrap();
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let b = h.broker.clone();
            let exit = order("NHPC", Exchange::Nse, Sell, Market, Mis, 100.0);
            tokio::spawn(async move {
                b.place_order(5, Ledger::Live, exit, Exposure::ReduceOnly)
                    .await
            })
        })
        .collect();
    let mut placed = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => placed += 1,
            Err(e) => assert_eq!(e.kind(), ErrorKind::Forbidden, "{e}"),
        }
    }
    assert_eq!(placed, 1);
    let p = &h.broker.positions(5, Ledger::Live).await.unwrap()[0];
    assert_eq!(p.quantity, 0.0);
}

#[tokio::test]
async fn reduce_only_smart_orders_and_modifies_may_not_open_or_grow_an_exit() {
    let h = Harness::new().await;
    let b = &h.broker;
    let long = order("NHPC", Exchange::Nse, Buy, Market, Mis, 10.0);
    b.place_order(6, Ledger::Live, long, Exposure::Any)
        .await
        .unwrap();
    // A smart order to a larger long (a BUY) or past flat (a reversal) is refused.
    let smart = order("NHPC", Exchange::Nse, Sell, Market, Mis, 1.0);
    for target in [20.0, -5.0] {
        let err = b
            .place_smart_order(6, Ledger::Live, smart.clone(), target, Exposure::ReduceOnly)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Forbidden, "{target}: {err}");
        let call = ReduceOnlyCheck::Smart {
            request: &smart,
            position_size: target,
        };
        assert!(b.check_reduce_only(6, Ledger::Live, call).await.is_err());
    }
    // A resting exit of 4 may not grow past the position.
    let quote = b.quote("NHPC", Exchange::Nse).await.unwrap();
    let mut exit = order("NHPC", Exchange::Nse, Sell, Limit, Mis, 4.0);
    exit.price = (quote.ltp * 2.0).round();
    let resting = b
        .place_order(6, Ledger::Live, exit.clone(), Exposure::ReduceOnly)
        .await
        .unwrap();
    let mut grow = ModifyRequest {
        orderid: resting.orderid,
        pricetype: PriceType::Limit,
        quantity: 11.0,
        price: exit.price,
        trigger_price: 0.0,
        disclosed_quantity: 0,
    };
    let err = b
        .modify_order(6, Ledger::Live, grow.clone(), Exposure::ReduceOnly)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);
    assert!(b
        .check_reduce_only(6, Ledger::Live, ReduceOnlyCheck::Modify(&grow))
        .await
        .is_err());
    grow.quantity = 10.0;
    b.modify_order(6, Ledger::Live, grow, Exposure::ReduceOnly)
        .await
        .unwrap();
    // A smart order to flat now would sell 10 more with 10 working: refused.
    let err = b
        .place_smart_order(6, Ledger::Live, smart, 0.0, Exposure::ReduceOnly)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);
}
