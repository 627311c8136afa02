//! Items queued before the Action Center stored the tagged `TradeRequest` (the name in `op`, the
//! fields alone in `body`) load, show and replay after the migration that tags them.

use std::sync::Arc;

use chrono::Utc;
use keygate_broker::*;
use keygate_core::entities::pending_order;
use keygate_core::paper::SqlLedgerStore;
use keygate_core::trading::approval::Approval;
use keygate_core::trading::TradeRequest;
use keygate_types::action_center::PendingState;
use keygate_types::keys::{OrderMode, Scope};
use migration::{Migrator, MigratorTrait};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};

use super::*;

/// Bodies exactly as the old code wrote them (serde_json's sorted keys).
const OLD_PLACE: &str = r#"{"action":"BUY","disclosed_quantity":0,"exchange":"NSE","price":0.0,"pricetype":"MARKET","product":"MIS","quantity":1,"strategy":"old","symbol":"SBIN","trigger_price":0.0}"#;
const OLD_CLOSE: &str = r#"{"strategy":"old"}"#;

#[tokio::test]
async fn rows_queued_in_the_old_shape_load_and_replay_after_the_migration() {
    let guard = TestDatabase::empty().await;
    let db = guard.connect().await;
    let before_tagging = Migrator::migrations()
        .iter()
        .position(|m| m.name() == "m20261203_000030_tag_pending_order_requests")
        .expect("the tagging migration is listed") as u32;
    Migrator::up(&db, Some(before_tagging)).await.unwrap();
    let store = Arc::new(SqlLedgerStore::new(db.clone()));
    let broker = PaperBroker::new(market(), store, paper::PaperConfig::default())
        .await
        .unwrap();
    let desk = Desk::over(guard, db.clone(), Arc::new(broker)).await;
    let user_id = desk.user_id;
    let key_id = desk
        .caller(&[Scope::Trade], OrderMode::SemiAuto)
        .await
        .key_id;
    let mut ids = Vec::new();
    for (op, body) in [("placeorder", OLD_PLACE), ("closeposition", OLD_CLOSE)] {
        let row = pending_order::ActiveModel {
            user_id: Set(user_id),
            key_id: Set(key_id),
            ledger: Set("live".into()),
            op: Set(op.into()),
            body: Set(body.into()),
            reference_price: Set(None),
            state: Set("pending".into()),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&db)
        .await
        .unwrap();
        ids.push(row.id);
    }
    Migrator::up(&db, None).await.unwrap();

    let stored = pending_order::Entity::find_by_id(ids[0])
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    let request: TradeRequest = serde_json::from_str(&stored.body).unwrap();
    assert!(
        matches!(request, TradeRequest::Place(ref o) if o.symbol == "SBIN" && o.quantity == 1.0)
    );
    let stored = pending_order::Entity::find_by_id(ids[1])
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    let request: TradeRequest = serde_json::from_str(&stored.body).unwrap();
    assert!(matches!(request, TradeRequest::Close(ref s) if s.strategy == "old"));

    let items = desk.trading.list(user_id, None).await.unwrap();
    let place = items.iter().find(|i| i.id == ids[0]).unwrap();
    assert_eq!(
        place.request,
        serde_json::from_str::<serde_json::Value>(OLD_PLACE).unwrap()
    );
    assert_eq!(
        (place.symbol.as_deref(), place.action.as_deref()),
        (Some("SBIN"), Some("BUY"))
    );
    for id in ids {
        let approval = desk
            .trading
            .approve(user_id, id, "trader", true, &PlainAnswers)
            .await
            .unwrap();
        let Approval::Decided { item, refused } = approval else {
            panic!("decided");
        };
        assert!(refused.is_none(), "{refused:?}");
        assert_eq!(item.state, PendingState::Approved);
    }
    assert_eq!(
        desk.net(Ledger::Live, "SBIN").await,
        0.0,
        "bought, then closed"
    );
    let book = desk.broker.order_book(user_id, Ledger::Live).await.unwrap();
    assert_eq!(book.len(), 2);
}
