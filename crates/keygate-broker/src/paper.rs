//! `PaperBroker`: the [`Broker`] over the engine, the simulated market and a [`LedgerStore`].
//!
//! Each (user, ledger) account is loaded once and cached behind its own `tokio::sync::Mutex`, so
//! operations on one account are serialised while different accounts run in parallel. The cache
//! is checked against the stored revision before each use and saves are compare-and-set on it,
//! so processes sharing a database see and keep each other's changes. Every
//! operation first catches the account's working orders up with the market, then applies the
//! engine call and saves its changes in one store transaction; if saving fails the cached account
//! is dropped (the next call reloads the last saved state) and the call answers `Store`. Checks
//! that depend on the account (reduce-only, margin) run inside that lock with the change itself.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, SubsecRound, Utc};

use crate::broker::{Broker, ReduceOnlyCheck, SmartOrderOutcome};
use crate::engine::smart::{smart_order, SmartDecision};
use crate::engine::{Account, ReducingOrder, DEFAULT_STARTING_CAPITAL};
use crate::error::BrokerError;
use crate::instruments::Instrument;
use crate::market::Market;
use crate::store::{LedgerStore, SaveOutcome};
use crate::types::num::round_qty;
use crate::types::{
    CancelAllOutcome, CloseAllOutcome, Depth, Exchange, Exposure, Funds, Holding, Ledger,
    ModifyRequest, Order, OrderRequest, Position, Quote, Trade,
};

/// Settings of the paper broker.
#[derive(Debug, Clone, PartialEq)]
pub struct PaperConfig {
    /// Cash a new account starts with (default ₹1 crore).
    pub starting_capital: f64,
}

impl Default for PaperConfig {
    fn default() -> Self {
        Self {
            starting_capital: DEFAULT_STARTING_CAPITAL,
        }
    }
}

type Slot = Arc<tokio::sync::Mutex<Option<Account>>>;

/// Runs of one operation that may find the account saved by another process meanwhile before
/// the operation gives up (each such run lost a race that took a few milliseconds).
const MAX_STALE_RETRIES: usize = 8;

/// Where the broker reads the time (replaceable in tests).
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// The paper broker.
pub struct PaperBroker {
    market: Arc<Market>,
    store: Arc<dyn LedgerStore>,
    config: PaperConfig,
    accounts: Mutex<HashMap<(i64, Ledger), Slot>>,
    working: Mutex<HashSet<(i64, Ledger)>>,
    clock: Clock,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn store_err(e: crate::store::StoreError) -> BrokerError {
    BrokerError::Store(e.0)
}

impl PaperBroker {
    /// A paper broker; reads from the store which accounts have working orders, so the matcher
    /// resumes them after a restart.
    pub async fn new(
        market: Arc<Market>,
        store: Arc<dyn LedgerStore>,
        config: PaperConfig,
    ) -> Result<Self, BrokerError> {
        let working = store
            .accounts_with_working_orders()
            .await
            .map_err(store_err)?;
        Ok(Self {
            market,
            store,
            config,
            accounts: Mutex::new(HashMap::new()),
            working: Mutex::new(working.into_iter().collect()),
            clock: Arc::new(Utc::now),
        })
    }

    /// Replaces the clock (tests drive the market and the matcher with a simulated time).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    fn now(&self) -> DateTime<Utc> {
        // Millisecond precision: what every database keeps exactly, so a reload compares equal.
        (self.clock)().trunc_subsecs(3)
    }

    /// The market this broker trades on.
    pub fn market(&self) -> &Arc<Market> {
        &self.market
    }

    fn slot(&self, user_id: i64, ledger: Ledger) -> Slot {
        lock(&self.accounts)
            .entry((user_id, ledger))
            .or_default()
            .clone()
    }

    fn catch_up(&self, account: &mut Account, now: DateTime<Utc>) {
        for (symbol, exchange) in account.working_symbols() {
            if let Ok(q) = self
                .market
                .quote_at(&symbol, exchange, now.timestamp_millis())
            {
                account.process_tick(&q, now);
            }
        }
    }

    /// Runs `f` on the account (loaded or opened on first use) after catching it up with the
    /// market, then saves what changed, even when `f` failed (a rejected order is stored).
    ///
    /// Other keygate processes may share the database: the cached account is used only while the
    /// stored revision is the one it was loaded at (else it is reloaded first), and a save that
    /// finds the account moved on meanwhile ([`SaveOutcome::Stale`]) discards this run, reloads
    /// and runs `f` again, so two processes never overwrite each other's orders.
    async fn with_account<T>(
        &self,
        user_id: i64,
        ledger: Ledger,
        mut f: impl FnMut(&mut Account, DateTime<Utc>) -> Result<T, BrokerError> + Send,
    ) -> Result<T, BrokerError> {
        let slot = self.slot(user_id, ledger);
        let mut guard = slot.lock().await;
        for _ in 0..MAX_STALE_RETRIES {
            let stored = self
                .store
                .revision(user_id, ledger)
                .await
                .map_err(store_err)?;
            if guard.as_ref().map(|a| a.state().revision) != stored {
                *guard = None;
            }
            let now = self.now();
            if guard.is_none() {
                let loaded = self.store.load(user_id, ledger).await.map_err(store_err)?;
                *guard = Some(match loaded {
                    Some(parts) => Account::from_parts(parts),
                    None => Account::open(user_id, ledger, self.config.starting_capital, now),
                });
            }
            let Some(account) = guard.as_mut() else {
                return Err(BrokerError::Store("account not loaded".into()));
            };
            self.catch_up(account, now);
            let result = f(account, now);
            let working = account.has_working_orders();
            if let Some(changes) = account.take_changes() {
                match self.store.save(&changes).await {
                    Ok(SaveOutcome::Saved) => account.mark_saved(),
                    Ok(SaveOutcome::Stale) => {
                        *guard = None;
                        continue;
                    }
                    Err(e) => {
                        log::error!("paper ledger save failed for user {user_id} ({ledger}): {e}");
                        *guard = None;
                        return Err(store_err(e));
                    }
                }
            }
            let mut set = lock(&self.working);
            if working {
                set.insert((user_id, ledger));
            } else {
                set.remove(&(user_id, ledger));
            }
            return result;
        }
        Err(BrokerError::Store(format!(
            "paper account of user {user_id} ({ledger}) kept changing in another process"
        )))
    }

    /// Matches the working orders of every account that has some against the current quotes and
    /// saves what changed; returns how many accounts were processed. Orders are matched against
    /// the quote at each run, so an excursion that starts and ends between two runs is missed.
    pub async fn match_working(&self) -> usize {
        let accounts: Vec<(i64, Ledger)> = lock(&self.working).iter().copied().collect();
        let mut touched = 0;
        for (user_id, ledger) in accounts {
            match self.with_account(user_id, ledger, |_, _| Ok(())).await {
                Ok(()) => touched += 1,
                Err(e) => log::warn!("paper matcher: user {user_id} ({ledger}): {e}"),
            }
        }
        touched
    }

    /// Runs [`PaperBroker::match_working`] every `period` until the task is aborted.
    pub fn spawn_matcher(self: Arc<Self>, period: Duration) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(period);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            loop {
                interval.tick().await;
                self.match_working().await;
            }
        })
    }

    fn priced(
        &self,
        symbol: &str,
        exchange: Exchange,
        now: DateTime<Utc>,
    ) -> Result<(Arc<Instrument>, Quote), BrokerError> {
        let inst = self.market.instrument(symbol, exchange)?;
        let quote = self
            .market
            .quote_at(symbol, exchange, now.timestamp_millis())?;
        Ok((inst, quote))
    }

    /// Places `request` on the locked account, first checking the reduce-only rule when
    /// `exposure` asks for it (same lock, so no other order slips in between).
    fn place_on(
        &self,
        account: &mut Account,
        request: &OrderRequest,
        exposure: Exposure,
        now: DateTime<Utc>,
    ) -> Result<Order, BrokerError> {
        let (inst, quote) = self.priced(&request.symbol, request.exchange, now)?;
        if exposure == Exposure::ReduceOnly {
            account.check_reduce_only(ReducingOrder::new(&inst, request), None)?;
        }
        account.place(request, &inst, &quote, now)
    }

    fn price_of(&self, symbol: &str, exchange: Exchange) -> Option<(f64, f64)> {
        let inst = self.market.instrument(symbol, exchange).ok()?;
        let now = self.now().timestamp_millis();
        let q = self.market.quote_at(symbol, exchange, now).ok()?;
        Some((q.ltp, inst.lot_size))
    }
}

/// What a smart order for `request` would do against the account's position now.
fn smart_decision(account: &Account, request: &OrderRequest, position_size: f64) -> SmartDecision {
    let current = account
        .positions()
        .find(|p| {
            p.symbol == request.symbol
                && p.exchange == request.exchange
                && p.product == request.product
        })
        .map_or(0.0, |p| p.quantity);
    smart_order(position_size, current, request.action, request.quantity)
}

#[async_trait]
impl Broker for PaperBroker {
    fn name(&self) -> &str {
        "paper"
    }

    async fn place_order(
        &self,
        user_id: i64,
        ledger: Ledger,
        request: OrderRequest,
        exposure: Exposure,
    ) -> Result<Order, BrokerError> {
        self.with_account(user_id, ledger, |a, now| {
            self.place_on(a, &request, exposure, now)
        })
        .await
    }

    async fn modify_order(
        &self,
        user_id: i64,
        ledger: Ledger,
        request: ModifyRequest,
        exposure: Exposure,
    ) -> Result<Order, BrokerError> {
        self.with_account(user_id, ledger, |a, now| {
            let order = a
                .order(&request.orderid)
                .cloned()
                .ok_or_else(|| BrokerError::OrderNotFound(request.orderid.clone()))?;
            let (inst, quote) = self.priced(&order.symbol, order.exchange, now)?;
            if exposure == Exposure::ReduceOnly {
                let changed = ReducingOrder {
                    quantity: round_qty(request.quantity),
                    ..ReducingOrder::of(&order)
                };
                a.check_reduce_only(changed, Some(&order.orderid))?;
            }
            a.modify(&request, &inst, &quote, now)
        })
        .await
    }

    /// Reads the position and places the one order under the account's lock, so a
    /// reduce-only smart order is checked against the position it was computed from.
    async fn place_smart_order(
        &self,
        user_id: i64,
        ledger: Ledger,
        request: OrderRequest,
        position_size: f64,
        exposure: Exposure,
    ) -> Result<SmartOrderOutcome, BrokerError> {
        self.with_account(user_id, ledger, |a, now| {
            match smart_decision(a, &request, position_size) {
                SmartDecision::Place { action, quantity } => {
                    let order = OrderRequest {
                        action,
                        quantity,
                        ..request.clone()
                    };
                    let placed = self.place_on(a, &order, exposure, now)?;
                    Ok(SmartOrderOutcome::Placed(placed))
                }
                SmartDecision::AlreadyMatched => Ok(SmartOrderOutcome::AlreadyMatched),
                SmartDecision::NothingToDo => Ok(SmartOrderOutcome::NothingToDo),
            }
        })
        .await
    }

    async fn check_reduce_only(
        &self,
        user_id: i64,
        ledger: Ledger,
        call: ReduceOnlyCheck<'_>,
    ) -> Result<(), BrokerError> {
        self.with_account(user_id, ledger, |a, _| {
            let (request, replacing) = match call {
                ReduceOnlyCheck::Place(request) => (request.clone(), None),
                ReduceOnlyCheck::Smart {
                    request,
                    position_size,
                } => match smart_decision(a, request, position_size) {
                    SmartDecision::Place { action, quantity } => (
                        OrderRequest {
                            action,
                            quantity,
                            ..request.clone()
                        },
                        None,
                    ),
                    SmartDecision::AlreadyMatched | SmartDecision::NothingToDo => return Ok(()),
                },
                ReduceOnlyCheck::Modify(modify) => {
                    let order = a
                        .order(&modify.orderid)
                        .ok_or_else(|| BrokerError::OrderNotFound(modify.orderid.clone()))?;
                    let changed = ReducingOrder {
                        quantity: round_qty(modify.quantity),
                        ..ReducingOrder::of(order)
                    };
                    return a.check_reduce_only(changed, Some(&modify.orderid));
                }
            };
            let inst = self.market.instrument(&request.symbol, request.exchange)?;
            a.check_reduce_only(ReducingOrder::new(&inst, &request), replacing)
        })
        .await
    }

    async fn cancel_order(
        &self,
        user_id: i64,
        ledger: Ledger,
        orderid: &str,
    ) -> Result<Order, BrokerError> {
        self.with_account(user_id, ledger, |a, now| a.cancel(orderid, now))
            .await
    }

    async fn cancel_all(
        &self,
        user_id: i64,
        ledger: Ledger,
    ) -> Result<CancelAllOutcome, BrokerError> {
        self.with_account(user_id, ledger, |a, now| Ok(a.cancel_all(now)))
            .await
    }

    async fn close_all_positions(
        &self,
        user_id: i64,
        ledger: Ledger,
    ) -> Result<CloseAllOutcome, BrokerError> {
        self.with_account(user_id, ledger, |a, now| {
            Ok(a.close_all("closeposition", |s, e| self.priced(s, e, now).ok(), now))
        })
        .await
    }

    async fn order_status(
        &self,
        user_id: i64,
        ledger: Ledger,
        orderid: &str,
    ) -> Result<Order, BrokerError> {
        self.with_account(user_id, ledger, |a, _| {
            a.order(orderid)
                .cloned()
                .ok_or_else(|| BrokerError::OrderNotFound(orderid.to_owned()))
        })
        .await
    }

    async fn order_book(&self, user_id: i64, ledger: Ledger) -> Result<Vec<Order>, BrokerError> {
        self.with_account(user_id, ledger, |a, _| Ok(a.orders().to_vec()))
            .await
    }

    async fn trade_book(&self, user_id: i64, ledger: Ledger) -> Result<Vec<Trade>, BrokerError> {
        self.with_account(user_id, ledger, |a, _| Ok(a.trades().to_vec()))
            .await
    }

    async fn positions(&self, user_id: i64, ledger: Ledger) -> Result<Vec<Position>, BrokerError> {
        self.with_account(user_id, ledger, |a, _| {
            Ok(a.position_views(&|s: &str, e| self.price_of(s, e)))
        })
        .await
    }

    async fn holdings(&self, user_id: i64, ledger: Ledger) -> Result<Vec<Holding>, BrokerError> {
        self.with_account(user_id, ledger, |a, _| {
            Ok(a.holding_views(&|s: &str, e| self.price_of(s, e)))
        })
        .await
    }

    async fn funds(&self, user_id: i64, ledger: Ledger) -> Result<Funds, BrokerError> {
        self.with_account(user_id, ledger, |a, _| {
            Ok(a.funds_view(&|s: &str, e| self.price_of(s, e)))
        })
        .await
    }

    async fn quote(&self, symbol: &str, exchange: Exchange) -> Result<Quote, BrokerError> {
        self.market
            .quote_at(symbol, exchange, self.now().timestamp_millis())
    }

    async fn depth(&self, symbol: &str, exchange: Exchange) -> Result<Depth, BrokerError> {
        self.market
            .depth_at(symbol, exchange, self.now().timestamp_millis())
    }

    async fn instrument(
        &self,
        symbol: &str,
        exchange: Exchange,
    ) -> Result<Arc<Instrument>, BrokerError> {
        self.market.instrument(symbol, exchange)
    }
}
