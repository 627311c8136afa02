//! The trading service without HTTP: a real database, the paper broker (or one that fails), and
//! callers built as a verified key would make them.

mod approval;
mod bound;
mod exit_only;
mod kinds;
mod stored_rows;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use keygate_broker::*;
use keygate_core::entities::api_key;
use keygate_core::keys::Scopes;
use keygate_core::paper::SqlLedgerStore;
use keygate_core::trading::approval::Answers;
use keygate_core::trading::{ApprovalRules, Caller, Executed, Refusal, Trading};
use keygate_types::keys::{OrderMode, Scope};
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait};
use serde_json::{json, Value};

use keygate_testdb::TestDatabase;

use crate::{create_user, market};

/// The approval rules of the tests: a long TTL, the default move limit.
pub const RULES: ApprovalRules = ApprovalRules {
    pending_ttl: Duration::from_secs(900),
    max_move_pct: 2.0,
};

/// A database, a broker over it, the service, and one user.
pub struct Desk {
    pub db: DatabaseConnection,
    pub broker: Arc<dyn Broker>,
    pub trading: Trading,
    pub user_id: i64,
    _guard: TestDatabase,
}

impl Desk {
    /// Whether the user's Action Center holds no item.
    pub async fn nothing_queued(&self) -> bool {
        self.trading
            .list(self.user_id, None)
            .await
            .unwrap()
            .is_empty()
    }

    /// Over the paper broker.
    pub async fn paper() -> Self {
        let guard = TestDatabase::create().await;
        let db = guard.connect().await;
        let store = Arc::new(SqlLedgerStore::new(db.clone()));
        let broker = PaperBroker::new(market(), store, paper::PaperConfig::default())
            .await
            .expect("broker starts");
        Self::over(guard, db, Arc::new(broker)).await
    }

    /// Over a broker whose every call fails.
    pub async fn failing() -> Self {
        let guard = TestDatabase::create().await;
        let db = guard.connect().await;
        Self::over(guard, db, Arc::new(FailingBroker)).await
    }

    /// Over `broker`, on a database already migrated.
    pub async fn over(
        guard: TestDatabase,
        db: DatabaseConnection,
        broker: Arc<dyn Broker>,
    ) -> Self {
        let user_id = create_user(&db, "trader").await;
        let trading = Trading::new(db.clone(), broker.clone(), RULES);
        Self {
            db,
            broker,
            trading,
            user_id,
            _guard: guard,
        }
    }

    /// A key of the user with `scopes` and `mode`, and its caller on the user's ledger now.
    pub async fn caller(&self, scopes: &[Scope], mode: OrderMode) -> Caller {
        let names: Vec<&str> = scopes
            .iter()
            .map(|s| match s {
                Scope::Read => "read",
                Scope::Trade => "trade",
                Scope::ExitOnly => "exit_only",
            })
            .collect();
        let now = Utc::now();
        // Only the columns set are written and only the id read back, so this also works on a
        // schema migrated part of the way (stored_rows.rs).
        let key_id = api_key::Entity::insert(api_key::ActiveModel {
            user_id: Set(self.user_id),
            name: Set(format!("key{}", rand::random::<u32>())),
            scopes: Set(names.join(",")),
            order_mode: Set(mode.as_str().to_owned()),
            ip_allowlist: Set("[]".to_owned()),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        })
        .exec(&self.db)
        .await
        .expect("insert key")
        .last_insert_id;
        Caller {
            user_id: self.user_id,
            key_id,
            scopes: Scopes::from_list(scopes),
            order_mode: mode,
            ledger: self.trading.ledger_for(self.user_id).await.expect("ledger"),
            broker_connection_id: None,
            order_key: None,
        }
    }

    /// The user's net position in `symbol` (NSE, MIS) on `ledger`.
    pub async fn net(&self, ledger: Ledger, symbol: &str) -> f64 {
        let positions = self.broker.positions(self.user_id, ledger).await.unwrap();
        positions
            .iter()
            .filter(|p| p.symbol == symbol && p.product == Product::Mis)
            .map(|p| p.quantity)
            .sum()
    }
}

/// Both ledgers, each with the analyzer set to match.
pub const LEDGERS: [Ledger; 2] = [Ledger::Live, Ledger::Analyze];

/// Turns the analyzer on for `Analyze`, off for `Live`.
pub async fn use_ledger(desk: &Desk, ledger: Ledger) {
    let on = ledger == Ledger::Analyze;
    desk.trading.set_analyzer(desk.user_id, on).await.unwrap();
}

/// An NSE MIS order of `quantity` SBIN.
pub fn order(action: Action, pricetype: PriceType, quantity: f64, price: f64) -> OrderRequest {
    OrderRequest {
        strategy: "service".into(),
        symbol: "SBIN".into(),
        exchange: Exchange::Nse,
        action,
        pricetype,
        product: Product::Mis,
        quantity,
        price,
        trigger_price: 0.0,
        disclosed_quantity: 0,
    }
}

/// A BUY LIMIT well below the market, so it stays working.
pub async fn resting_buy(desk: &Desk) -> OrderRequest {
    let ltp = desk.broker.quote("SBIN", Exchange::Nse).await.unwrap().ltp;
    order(Action::Buy, PriceType::Limit, 1.0, (ltp * 0.8).floor())
}

/// Answers that say only what the tests look at.
pub struct PlainAnswers;

impl Answers for PlainAnswers {
    fn executed(&self, _: Ledger, executed: &Executed) -> Value {
        json!({ "orderid": executed.orderid() })
    }

    fn refused(&self, _: Ledger, refusal: &Refusal) -> (String, Option<Value>) {
        let message = match refusal {
            Refusal::Broker(e) => e.to_string(),
            Refusal::Key(why) => why.clone(),
            other => format!("{other:?}"),
        };
        (message, None)
    }
}

/// A broker whose storage is down: every call fails.
pub struct FailingBroker;

/// The failure.
pub fn down() -> BrokerError {
    BrokerError::Store("the ledger store is down".into())
}

#[async_trait]
impl Broker for FailingBroker {
    fn name(&self) -> &str {
        "failing"
    }
    async fn place_order(
        &self,
        _: i64,
        _: Ledger,
        _: OrderRequest,
        _: Exposure,
    ) -> Result<Order, BrokerError> {
        Err(down())
    }
    async fn modify_order(
        &self,
        _: i64,
        _: Ledger,
        _: ModifyRequest,
        _: Exposure,
    ) -> Result<Order, BrokerError> {
        Err(down())
    }
    async fn check_reduce_only(
        &self,
        _: i64,
        _: Ledger,
        _: ReduceOnlyCheck<'_>,
    ) -> Result<(), BrokerError> {
        Err(down())
    }
    async fn cancel_order(&self, _: i64, _: Ledger, _: &str) -> Result<Order, BrokerError> {
        Err(down())
    }
    async fn cancel_all(&self, _: i64, _: Ledger) -> Result<CancelAllOutcome, BrokerError> {
        Err(down())
    }
    async fn close_all_positions(&self, _: i64, _: Ledger) -> Result<CloseAllOutcome, BrokerError> {
        Err(down())
    }
    async fn order_status(&self, _: i64, _: Ledger, _: &str) -> Result<Order, BrokerError> {
        Err(down())
    }
    async fn order_book(&self, _: i64, _: Ledger) -> Result<Vec<Order>, BrokerError> {
        Err(down())
    }
    async fn trade_book(&self, _: i64, _: Ledger) -> Result<Vec<Trade>, BrokerError> {
        Err(down())
    }
    async fn positions(&self, _: i64, _: Ledger) -> Result<Vec<Position>, BrokerError> {
        Err(down())
    }
    async fn holdings(&self, _: i64, _: Ledger) -> Result<Vec<Holding>, BrokerError> {
        Err(down())
    }
    async fn funds(&self, _: i64, _: Ledger) -> Result<Funds, BrokerError> {
        Err(down())
    }
    async fn quote(&self, _: &str, _: Exchange) -> Result<Quote, BrokerError> {
        Err(down())
    }
    async fn depth(&self, _: &str, _: Exchange) -> Result<Depth, BrokerError> {
        Err(down())
    }
    async fn instrument(&self, _: &str, _: Exchange) -> Result<Arc<Instrument>, BrokerError> {
        Err(down())
    }
}
