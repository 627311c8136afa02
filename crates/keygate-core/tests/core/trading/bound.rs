//! Keys bound to an exchange connection: their orders go to that exchange (the mock), their
//! sandbox stays on paper, an approval checks the price and executes on the key's exchange, and a connection that
//! turned invalid refuses the call instead of trading on paper.

use std::sync::Arc;
use std::time::Duration;

use keygate_binance::mock::{spot_only, MockExchange, MOCK_KEY, MOCK_SECRET};
use keygate_binance::orders::client_order_id;
use keygate_binance::wire::ApiRestrictions;
use keygate_binance::BinanceSpot;
use keygate_broker::*;
use keygate_core::brokers::{BrokerStore, Brokers};
use keygate_core::config::SecretSettings;
use keygate_core::entities::api_key;
use keygate_core::keys::{Actor, KeyCrypto};
use keygate_core::trading::approval::Approval;
use keygate_core::trading::*;
use keygate_types::action_center::PendingState;
use keygate_types::brokers::{BrokerKind, CreateBrokerConnection};
use keygate_types::keys::{OrderMode, Scope};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use secrecy::SecretString;

use super::*;

/// A desk whose trading service reaches a mock exchange through one connection of the user.
struct Bound {
    desk: Desk,
    mock: MockExchange,
    store: BrokerStore,
    connection: i64,
    actor: Actor,
}

async fn bound() -> Bound {
    let mut desk = Desk::paper().await;
    let secrets = SecretSettings {
        pepper: SecretString::from("p".repeat(40)),
        fernet_keys: SecretString::from(fernet::Fernet::generate_key()),
        session_secret: SecretString::from("s".repeat(40)),
        file: None,
    };
    let crypto = Arc::new(KeyCrypto::new(&secrets).unwrap());
    let store = BrokerStore::new(desk.db.clone(), crypto.clone());
    let mock = MockExchange::start().unwrap();
    let actor = Actor {
        user_id: desk.user_id,
        name: "trader".into(),
        ip: None,
    };
    let connection = store
        .create(
            &actor,
            CreateBrokerConnection {
                kind: BrokerKind::BinanceSpot,
                label: "main".into(),
                base_url: Some(mock.url().into()),
                api_key: Some(MOCK_KEY.into()),
                api_secret: Some(MOCK_SECRET.into()),
            },
        )
        .await
        .unwrap()
        .id;
    let registry = Brokers::new(desk.db.clone(), crypto, desk.broker.clone(), Duration::ZERO);
    desk.trading =
        Trading::new(desk.db.clone(), desk.broker.clone(), RULES).with_brokers(Arc::new(registry));
    Bound {
        desk,
        mock,
        store,
        connection,
        actor,
    }
}

impl Bound {
    /// A key of the user bound to the connection (in the database too, for approvals).
    async fn caller(&self, mode: OrderMode) -> Caller {
        let mut caller = self.desk.caller(&[Scope::Trade], mode).await;
        api_key::Entity::update_many()
            .col_expr(
                api_key::Column::BrokerConnectionId,
                Expr::value(self.connection),
            )
            .filter(api_key::Column::Id.eq(caller.key_id))
            .exec(&self.desk.db)
            .await
            .unwrap();
        caller.broker_connection_id = Some(self.connection);
        caller
    }
}

fn btc_limit_buy() -> TradeRequest {
    TradeRequest::Place(OrderRequest {
        strategy: "bound".into(),
        symbol: "BTCUSDT".into(),
        exchange: Exchange::Crypto,
        action: Action::Buy,
        pricetype: PriceType::Limit,
        product: Product::Mis,
        quantity: 0.001,
        price: 40_000.0,
        trigger_price: 0.0,
        disclosed_quantity: 0,
    })
}

async fn paper_orders(desk: &Desk, ledger: Ledger) -> usize {
    desk.broker
        .order_book(desk.user_id, ledger)
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn a_bound_keys_orders_are_placed_and_cancelled_on_its_exchange_not_on_paper() {
    let b = bound().await;
    let caller = b.caller(OrderMode::Auto).await;
    let outcome = b
        .desk
        .trading
        .submit(&caller, btc_limit_buy(), None)
        .await
        .unwrap();
    let Outcome::Executed {
        executed: Executed::Placed(order),
        ..
    } = outcome
    else {
        panic!("{outcome:?}");
    };
    assert_eq!(b.mock.orders().len(), 1);
    assert_eq!(paper_orders(&b.desk, Ledger::Live).await, 0);
    let cancel = TradeRequest::Cancel(OrderRef {
        strategy: "bound".into(),
        orderid: order.orderid.clone(),
    });
    let outcome = b.desk.trading.submit(&caller, cancel, None).await.unwrap();
    assert!(matches!(outcome, Outcome::Executed { .. }), "{outcome:?}");
}

#[tokio::test]
async fn the_analyzer_sandbox_of_a_bound_key_stays_on_paper() {
    let b = bound().await;
    use_ledger(&b.desk, Ledger::Analyze).await;
    let caller = b.caller(OrderMode::Auto).await;
    assert_eq!(caller.ledger, Ledger::Analyze);
    let outcome = b
        .desk
        .trading
        .submit(&caller, btc_limit_buy(), None)
        .await
        .unwrap();
    assert!(matches!(outcome, Outcome::Executed { .. }), "{outcome:?}");
    assert!(b.mock.orders().is_empty());
    assert_eq!(paper_orders(&b.desk, Ledger::Analyze).await, 1);
}

#[tokio::test]
async fn an_approved_item_of_a_bound_key_executes_on_its_exchange() {
    let b = bound().await;
    let caller = b.caller(OrderMode::SemiAuto).await;
    let outcome = b
        .desk
        .trading
        .submit(&caller, btc_limit_buy(), None)
        .await
        .unwrap();
    let Outcome::Queued(id) = outcome else {
        panic!("{outcome:?}");
    };
    assert!(b.mock.orders().is_empty());
    let approval = b
        .desk
        .trading
        .approve(b.desk.user_id, id, "trader", false, &PlainAnswers)
        .await
        .unwrap();
    // Unconfirmed: the price now is the exchange's, as the reference was (not paper's).
    let Approval::Decided { item, refused } = approval else {
        panic!("price moved: {approval:?}");
    };
    assert_eq!(
        (item.state, refused.is_none()),
        (PendingState::Approved, true)
    );
    assert_eq!(b.mock.orders().len(), 1);
    assert_eq!(
        b.mock.orders()[0].client_order_id,
        client_order_id(Product::Mis, Some(&format!("action-center-{id}")))
    );
    assert_eq!(paper_orders(&b.desk, Ledger::Live).await, 0);
}

#[tokio::test]
async fn an_approval_whose_order_already_reached_the_exchange_does_not_place_another() {
    let b = bound().await;
    let caller = b.caller(OrderMode::SemiAuto).await;
    let outcome = b
        .desk
        .trading
        .submit(&caller, btc_limit_buy(), None)
        .await
        .unwrap();
    let Outcome::Queued(id) = outcome else {
        panic!("{outcome:?}");
    };
    // An earlier approval placed the order and was lost before it was recorded.
    let TradeRequest::Place(order) = btc_limit_buy() else {
        unreachable!()
    };
    let exchange = BinanceSpot::new(b.mock.config()).unwrap();
    let key = ClientOrderKey::action_center(id);
    let earlier = exchange
        .place_order_keyed(b.desk.user_id, Ledger::Live, order, Exposure::Any, &key)
        .await
        .unwrap();
    let approval = b
        .desk
        .trading
        .approve(b.desk.user_id, id, "trader", true, &PlainAnswers)
        .await
        .unwrap();
    let Approval::Decided { item, refused } = approval else {
        panic!("{approval:?}");
    };
    assert!(refused.is_none(), "{refused:?}");
    assert_eq!(
        item.broker_order_id.as_deref(),
        Some(earlier.orderid.as_str())
    );
    assert_eq!(b.mock.orders().len(), 1);
}

#[tokio::test]
async fn the_same_request_id_places_one_order_at_the_exchange_and_another_id_a_second() {
    let b = bound().await;
    let first: RequestId = "retry-1".parse().unwrap();
    let caller = b
        .caller(OrderMode::Auto)
        .await
        .with_request_id(Some(&first));
    let mut orderids = Vec::new();
    for _ in 0..2 {
        let outcome = b
            .desk
            .trading
            .submit(&caller, btc_limit_buy(), None)
            .await
            .unwrap();
        let Outcome::Executed {
            executed: Executed::Placed(order),
            ..
        } = outcome
        else {
            panic!("{outcome:?}");
        };
        orderids.push(order.orderid);
    }
    assert_eq!(orderids[0], orderids[1]);
    assert_eq!(b.mock.orders().len(), 1);
    let second: RequestId = "retry-2".parse().unwrap();
    let caller = caller.with_request_id(Some(&second));
    let outcome = b
        .desk
        .trading
        .submit(&caller, btc_limit_buy(), None)
        .await
        .unwrap();
    assert!(matches!(outcome, Outcome::Executed { .. }), "{outcome:?}");
    assert_eq!(b.mock.orders().len(), 2);
}

#[tokio::test]
async fn a_connection_turned_invalid_refuses_the_call_and_nothing_trades() {
    let b = bound().await;
    let caller = b.caller(OrderMode::Auto).await;
    b.mock.add_key(
        MOCK_KEY,
        MOCK_SECRET,
        ApiRestrictions {
            enable_withdrawals: true,
            ..spot_only()
        },
    );
    b.store.check(&b.actor, b.connection).await.unwrap();
    let outcome = b
        .desk
        .trading
        .submit(&caller, btc_limit_buy(), None)
        .await
        .unwrap();
    assert!(
        matches!(
            outcome,
            Outcome::Refused {
                refusal: Refusal::Key(_),
                ..
            }
        ),
        "{outcome:?}"
    );
    assert!(b.mock.orders().is_empty());
    assert_eq!(paper_orders(&b.desk, Ledger::Live).await, 0);
}
