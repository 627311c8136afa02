//! Each request kind, on both ledgers: executed at once for an `auto` key, queued with the
//! broker's price for a `semi_auto` key and executed as stored when approved.

use keygate_broker::*;
use keygate_core::trading::approval::Approval;
use keygate_core::trading::*;
use keygate_types::action_center::PendingState;
use keygate_types::keys::{OrderMode, Scope};

use super::*;

fn executed(outcome: Outcome, ledger: Ledger) -> Executed {
    match outcome {
        Outcome::Executed {
            ledger: on,
            executed,
        } => {
            assert_eq!(on, ledger);
            executed
        }
        other => panic!("expected an execution, got {other:?}"),
    }
}

fn strategy() -> StrategyOnly {
    StrategyOnly {
        strategy: "service".into(),
    }
}

#[tokio::test]
async fn every_kind_executes_at_once_for_an_auto_key_on_either_ledger() {
    let desk = Desk::paper().await;
    for ledger in LEDGERS {
        use_ledger(&desk, ledger).await;
        let caller = desk.caller(&[Scope::Trade], OrderMode::Auto).await;
        assert_eq!(caller.ledger, ledger);
        let submit = |request| desk.trading.submit(&caller, request, None);

        let buy = order(Action::Buy, PriceType::Market, 2.0, 0.0);
        let placed = executed(submit(TradeRequest::Place(buy)).await.unwrap(), ledger);
        assert!(
            matches!(placed, Executed::Placed(ref o) if o.order_status == OrderStatus::Complete)
        );
        assert_eq!(desk.net(ledger, "SBIN").await, 2.0);

        let smart = SmartOrder {
            order: order(Action::Buy, PriceType::Market, 1.0, 0.0),
            position_size: 5.0,
        };
        let smart = executed(submit(TradeRequest::Smart(smart)).await.unwrap(), ledger);
        assert!(matches!(
            smart,
            Executed::Smart(SmartOrderOutcome::Placed(_))
        ));
        assert_eq!(desk.net(ledger, "SBIN").await, 5.0);

        let resting = executed(
            submit(TradeRequest::Place(resting_buy(&desk).await))
                .await
                .unwrap(),
            ledger,
        );
        let orderid = resting.orderid().unwrap().to_owned();
        let modify = ModifyOrder {
            orderid: orderid.clone(),
            order: order(Action::Buy, PriceType::Market, 1.0, 0.0),
        };
        let modified = executed(submit(TradeRequest::Modify(modify)).await.unwrap(), ledger);
        assert_eq!(modified.orderid(), Some(orderid.as_str()));
        assert_eq!(desk.net(ledger, "SBIN").await, 6.0, "LIMIT to MARKET fills");

        let resting = executed(
            submit(TradeRequest::Place(resting_buy(&desk).await))
                .await
                .unwrap(),
            ledger,
        );
        let cancel = OrderRef {
            orderid: resting.orderid().unwrap().to_owned(),
            strategy: "service".into(),
        };
        let cancelled = executed(submit(TradeRequest::Cancel(cancel)).await.unwrap(), ledger);
        assert!(
            matches!(cancelled, Executed::Cancelled(ref o) if o.order_status == OrderStatus::Cancelled)
        );

        submit(TradeRequest::Place(resting_buy(&desk).await))
            .await
            .unwrap();
        let all = executed(
            submit(TradeRequest::CancelAll(strategy())).await.unwrap(),
            ledger,
        );
        assert!(matches!(all, Executed::CancelledAll(ref o) if o.canceled_orders.len() == 1));
        assert_eq!(all.orders(), 1);

        let closed = executed(
            submit(TradeRequest::Close(strategy())).await.unwrap(),
            ledger,
        );
        assert!(matches!(closed, Executed::Closed(ref o) if o.closed_positions() == 1));
        assert_eq!(desk.net(ledger, "SBIN").await, 0.0);
    }
}

#[tokio::test]
async fn the_ledgers_do_not_see_each_other() {
    let desk = Desk::paper().await;
    use_ledger(&desk, Ledger::Analyze).await;
    let caller = desk.caller(&[Scope::Trade], OrderMode::Auto).await;
    let buy = order(Action::Buy, PriceType::Market, 3.0, 0.0);
    desk.trading
        .submit(&caller, TradeRequest::Place(buy), None)
        .await
        .unwrap();
    assert_eq!(desk.net(Ledger::Analyze, "SBIN").await, 3.0);
    assert_eq!(desk.net(Ledger::Live, "SBIN").await, 0.0);
}

#[tokio::test]
async fn a_blank_order_id_is_refused_before_the_broker() {
    let desk = Desk::paper().await;
    let caller = desk.caller(&[Scope::Trade], OrderMode::Auto).await;
    let cancel = OrderRef {
        orderid: "  ".into(),
        strategy: "s".into(),
    };
    let outcome = desk
        .trading
        .submit(&caller, TradeRequest::Cancel(cancel), None)
        .await
        .unwrap();
    assert!(matches!(
        outcome,
        Outcome::Refused {
            refusal: Refusal::OrderIdMissing,
            ..
        }
    ));
}

#[tokio::test]
async fn every_kind_queues_for_a_semi_auto_key_and_runs_as_stored_when_approved() {
    let desk = Desk::paper().await;
    for ledger in LEDGERS {
        use_ledger(&desk, ledger).await;
        let caller = desk.caller(&[Scope::Trade], OrderMode::SemiAuto).await;
        let requests = [
            TradeRequest::Place(order(Action::Buy, PriceType::Market, 2.0, 0.0)),
            TradeRequest::Smart(SmartOrder {
                order: order(Action::Buy, PriceType::Market, 1.0, 0.0),
                position_size: 4.0,
            }),
            TradeRequest::CancelAll(strategy()),
            TradeRequest::Close(strategy()),
        ];
        let ltp = desk.broker.quote("SBIN", Exchange::Nse).await.unwrap().ltp;
        for request in requests {
            let has_order = request.order().is_some();
            let endpoint = request.endpoint();
            let outcome = desk.trading.submit(&caller, request, None).await.unwrap();
            let Outcome::Queued(id) = outcome else {
                panic!("expected a queued item, got {outcome:?}");
            };
            let items = desk.trading.list(desk.user_id, None).await.unwrap();
            let item = items.iter().find(|i| i.id == id).unwrap();
            assert_eq!(
                (item.op.as_str(), item.ledger.as_str()),
                (endpoint, ledger.as_str())
            );
            assert!(item.request.get("op").is_none(), "{}", item.request);
            match item.reference_price {
                Some(price) if has_order => assert!((price - ltp).abs() / ltp < 0.05),
                None if !has_order => {}
                other => panic!("reference {other:?} for {endpoint}"),
            }
            let approval = desk
                .trading
                .approve(desk.user_id, id, "trader", true, &PlainAnswers)
                .await
                .unwrap();
            let Approval::Decided { item, refused } = approval else {
                panic!("approved with confirm");
            };
            assert!(refused.is_none(), "{endpoint}: {refused:?}");
            assert_eq!(item.state, PendingState::Approved, "{endpoint}");
        }
        assert_eq!(desk.net(ledger, "SBIN").await, 0.0, "closed at the end");
        let book = desk.broker.order_book(desk.user_id, ledger).await.unwrap();
        assert_eq!(
            book.len(),
            3,
            "place, smart and close each placed one order"
        );
    }
}

#[tokio::test]
async fn a_queued_modify_and_cancel_replay_against_the_order_they_name() {
    let desk = Desk::paper().await;
    let auto = desk.caller(&[Scope::Trade], OrderMode::Auto).await;
    let semi = desk.caller(&[Scope::Trade], OrderMode::SemiAuto).await;
    let mut ids = Vec::new();
    for _ in 0..2 {
        let placed = desk
            .trading
            .submit(&auto, TradeRequest::Place(resting_buy(&desk).await), None)
            .await
            .unwrap();
        ids.push(executed(placed, Ledger::Live).orderid().unwrap().to_owned());
    }
    let modify = TradeRequest::Modify(ModifyOrder {
        orderid: ids[0].clone(),
        order: order(Action::Buy, PriceType::Market, 1.0, 0.0),
    });
    let cancel = TradeRequest::Cancel(OrderRef {
        orderid: ids[1].clone(),
        strategy: "s".into(),
    });
    for request in [modify, cancel] {
        let Outcome::Queued(id) = desk.trading.submit(&semi, request, None).await.unwrap() else {
            panic!("queued");
        };
        let Approval::Decided { item, refused } = desk
            .trading
            .approve(desk.user_id, id, "trader", true, &PlainAnswers)
            .await
            .unwrap()
        else {
            panic!("decided");
        };
        assert!(refused.is_none());
        assert_eq!(item.state, PendingState::Approved);
    }
    let first = desk
        .broker
        .order_status(desk.user_id, Ledger::Live, &ids[0])
        .await
        .unwrap();
    let second = desk
        .broker
        .order_status(desk.user_id, Ledger::Live, &ids[1])
        .await
        .unwrap();
    assert_eq!(first.order_status, OrderStatus::Complete);
    assert_eq!(second.order_status, OrderStatus::Cancelled);
}
