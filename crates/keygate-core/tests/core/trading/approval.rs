//! Approval under the key as it is now, a failing broker, the price-move check and deciding once.

use chrono::Utc;
use keygate_broker::*;
use keygate_core::entities::api_key;
use keygate_core::trading::approval::Approval;
use keygate_core::trading::*;
use keygate_core::CoreError;
use keygate_types::action_center::PendingState;
use keygate_types::keys::{OrderMode, Scope};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};

use super::*;

async fn queue_a_buy(desk: &Desk, caller: &Caller, trigger: Option<f64>) -> i64 {
    let buy = TradeRequest::Place(order(Action::Buy, PriceType::Market, 1.0, 0.0));
    match desk.trading.submit(caller, buy, trigger).await.unwrap() {
        Outcome::Queued(id) => id,
        other => panic!("expected a queued item, got {other:?}"),
    }
}

async fn change_key(desk: &Desk, key_id: i64, change: impl FnOnce(&mut api_key::ActiveModel)) {
    let row = api_key::Entity::find_by_id(key_id)
        .one(&desk.db)
        .await
        .unwrap()
        .unwrap();
    let mut row: api_key::ActiveModel = row.into();
    change(&mut row);
    row.update(&desk.db).await.unwrap();
}

async fn approve(desk: &Desk, id: i64) -> (PendingState, Option<Refusal>, Option<String>) {
    let approval = desk
        .trading
        .approve(desk.user_id, id, "trader", true, &PlainAnswers)
        .await
        .unwrap();
    let Approval::Decided { item, refused } = approval else {
        panic!("confirmed approvals decide");
    };
    (item.state, refused.map(|(_, r)| r), item.error)
}

#[tokio::test]
async fn approval_after_the_key_was_revoked_or_lost_its_scope_is_refused() {
    let desk = Desk::paper().await;
    for change in ["revoke", "read only"] {
        let caller = desk.caller(&[Scope::Trade], OrderMode::SemiAuto).await;
        let id = queue_a_buy(&desk, &caller, None).await;
        change_key(&desk, caller.key_id, |row| match change {
            "revoke" => row.revoked_at = Set(Some(Utc::now())),
            _ => row.scopes = Set("read".into()),
        })
        .await;
        let (state, refused, error) = approve(&desk, id).await;
        assert_eq!(state, PendingState::Failed, "{change}");
        assert!(
            matches!(refused, Some(Refusal::Key(_))),
            "{change}: {refused:?}"
        );
        assert!(
            error.unwrap().contains("can no longer be executed"),
            "{change}"
        );
    }
    let book = desk
        .broker
        .order_book(desk.user_id, Ledger::Live)
        .await
        .unwrap();
    assert!(book.is_empty(), "nothing reached the broker");
}

#[tokio::test]
async fn a_failing_broker_leaves_the_item_failed_and_nothing_half_done() {
    let desk = Desk::failing().await;
    let semi = desk.caller(&[Scope::Trade], OrderMode::SemiAuto).await;
    // Without a trigger price the broker's price is needed: refused, nothing queued.
    let buy = TradeRequest::Place(order(Action::Buy, PriceType::Market, 1.0, 0.0));
    let outcome = desk.trading.submit(&semi, buy, None).await.unwrap();
    assert!(matches!(
        outcome,
        Outcome::Refused {
            refusal: Refusal::Broker(_),
            ..
        }
    ));
    assert!(desk.nothing_queued().await);

    let id = queue_a_buy(&desk, &semi, Some(100.0)).await;
    let (state, refused, error) = approve(&desk, id).await;
    assert_eq!(state, PendingState::Failed);
    assert!(matches!(
        refused,
        Some(Refusal::Broker(BrokerError::Store(_)))
    ));
    assert_eq!(error.as_deref(), Some(down().to_string().as_str()));
    let items = desk.trading.list(desk.user_id, None).await.unwrap();
    assert_eq!(items[0].broker_order_id, None);

    let auto = desk.caller(&[Scope::Trade], OrderMode::Auto).await;
    let close = TradeRequest::Close(StrategyOnly {
        strategy: "s".into(),
    });
    let outcome = desk.trading.submit(&auto, close, None).await.unwrap();
    assert!(matches!(
        outcome,
        Outcome::Refused {
            refusal: Refusal::Broker(_),
            ..
        }
    ));
}

#[tokio::test]
async fn a_price_move_beyond_the_limit_waits_for_confirmation() {
    let desk = Desk::paper().await;
    let semi = desk.caller(&[Scope::Trade], OrderMode::SemiAuto).await;
    let ltp = desk.broker.quote("SBIN", Exchange::Nse).await.unwrap().ltp;
    let id = queue_a_buy(&desk, &semi, Some(ltp * 2.0)).await;
    let approval = desk
        .trading
        .approve(desk.user_id, id, "trader", false, &PlainAnswers)
        .await
        .unwrap();
    let Approval::PriceMoved(moved) = approval else {
        panic!("a 50% move needs confirmation");
    };
    assert!(
        moved.pct > 40.0 && moved.max == RULES.max_move_pct,
        "{moved:?}"
    );
    let (state, refused, _) = approve(&desk, id).await;
    assert_eq!((state, refused.is_none()), (PendingState::Approved, true));
}

#[tokio::test]
async fn an_item_is_decided_once_even_when_approvals_race() {
    let desk = Desk::paper().await;
    let semi = desk.caller(&[Scope::Trade], OrderMode::SemiAuto).await;
    let id = queue_a_buy(&desk, &semi, None).await;
    let approve = || {
        desk.trading
            .approve(desk.user_id, id, "trader", true, &PlainAnswers)
    };
    let (a, b) = tokio::join!(approve(), approve());
    let conflicts = [&a, &b]
        .iter()
        .filter(|r| matches!(r, Err(CoreError::Conflict(_))))
        .count();
    assert_eq!(conflicts, 1, "{a:?} {b:?}");
    assert_eq!(desk.net(Ledger::Live, "SBIN").await, 1.0);
}
