//! `exit_only` keys: exits race under the account's lock, and a call that could not run now is
//! refused before it is queued.

use keygate_broker::*;
use keygate_core::trading::*;
use keygate_types::keys::{OrderMode, Scope};

use super::*;

fn refused_reduce_only(outcome: &Outcome) -> bool {
    matches!(
        outcome,
        Outcome::Refused {
            refusal: Refusal::Broker(BrokerError::ReduceOnly(_)),
            ..
        }
    )
}

#[tokio::test]
async fn two_exits_racing_one_position_one_executes() {
    let desk = Desk::paper().await;
    for ledger in LEDGERS {
        use_ledger(&desk, ledger).await;
        let trader = desk.caller(&[Scope::Trade], OrderMode::Auto).await;
        let exits = desk.caller(&[Scope::ExitOnly], OrderMode::Auto).await;
        let buy = order(Action::Buy, PriceType::Market, 1.0, 0.0);
        desk.trading
            .submit(&trader, TradeRequest::Place(buy), None)
            .await
            .unwrap();
        let sell = || TradeRequest::Place(order(Action::Sell, PriceType::Market, 1.0, 0.0));
        let (a, b) = tokio::join!(
            desk.trading.submit(&exits, sell(), None),
            desk.trading.submit(&exits, sell(), None),
        );
        let outcomes = [a.unwrap(), b.unwrap()];
        let done = outcomes
            .iter()
            .filter(|o| matches!(o, Outcome::Executed { .. }))
            .count();
        let refused = outcomes.iter().filter(|o| refused_reduce_only(o)).count();
        assert_eq!((done, refused), (1, 1), "{outcomes:?}");
        assert_eq!(desk.net(ledger, "SBIN").await, 0.0, "never reversed");
    }
}

#[tokio::test]
async fn an_exit_only_opening_is_refused_before_it_is_queued() {
    let desk = Desk::paper().await;
    let semi = desk.caller(&[Scope::ExitOnly], OrderMode::SemiAuto).await;
    let buy = order(Action::Buy, PriceType::Market, 1.0, 0.0);
    let outcome = desk
        .trading
        .submit(&semi, TradeRequest::Place(buy), None)
        .await
        .unwrap();
    assert!(refused_reduce_only(&outcome), "{outcome:?}");
    assert!(desk.nothing_queued().await);
    // Cancel-all and close need no position: they queue.
    let close = TradeRequest::Close(StrategyOnly {
        strategy: "s".into(),
    });
    let queued = desk.trading.submit(&semi, close, None).await.unwrap();
    assert!(matches!(queued, Outcome::Queued(_)), "{queued:?}");
}

#[tokio::test]
async fn an_unknown_symbol_is_refused_before_it_is_queued() {
    let desk = Desk::paper().await;
    let semi = desk.caller(&[Scope::Trade], OrderMode::SemiAuto).await;
    let mut unknown = order(Action::Buy, PriceType::Market, 1.0, 0.0);
    unknown.symbol = "NOSUCHSYMBOL".into();
    let outcome = desk
        .trading
        .submit(&semi, TradeRequest::Place(unknown), None)
        .await
        .unwrap();
    assert!(matches!(
        outcome,
        Outcome::Refused {
            refusal: Refusal::Broker(BrokerError::SymbolNotFound { .. }),
            ..
        }
    ));
    assert!(desk.nothing_queued().await);
}
