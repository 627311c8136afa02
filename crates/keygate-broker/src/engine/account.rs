//! One paper account (a user's ledger) in memory, with change tracking so every engine operation's
//! writes can be persisted together.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::types::{Exchange, Ledger, Order, Product, Trade};

/// The default starting capital: ₹1 crore.
pub const DEFAULT_STARTING_CAPITAL: f64 = 10_000_000.0;

/// The account row: funds and the order-id sequence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountState {
    /// Owner.
    pub user_id: i64,
    /// Which ledger.
    pub ledger: Ledger,
    /// Capital the account started with.
    pub starting_capital: f64,
    /// Free cash.
    pub available_cash: f64,
    /// Margin blocked by working orders and open positions.
    pub used_margin: f64,
    /// Realised P&L since the account was opened.
    pub realized_pnl: f64,
    /// Last order sequence number used for ids.
    pub order_seq: i64,
    /// When the account was opened.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// The stored row's revision this state was loaded at (0 before the first save). Every save
    /// raises it by one, and a store writes only over the revision it expects, so a process
    /// whose copy went stale (another process saved meanwhile) reloads instead of overwriting.
    pub revision: i64,
}

/// Key of a position: (symbol, exchange, product).
pub type PositionKey = (String, Exchange, Product);

/// A stored net position.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PositionState {
    /// Trading symbol.
    pub symbol: String,
    /// Exchange segment.
    pub exchange: Exchange,
    /// Margin regime.
    pub product: Product,
    /// Net quantity (negative = short).
    pub quantity: f64,
    /// Average entry price of the open quantity (0 when flat).
    pub average_price: f64,
    /// P&L booked by closing trades.
    pub realized_pnl: f64,
    /// Margin the open quantity holds.
    pub margin: f64,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// A stored CNC holding (quantity 0 once sold out; views skip those).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HoldingState {
    /// Trading symbol.
    pub symbol: String,
    /// Exchange segment.
    pub exchange: Exchange,
    /// Shares held.
    pub quantity: f64,
    /// Average cost.
    pub average_price: f64,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// Everything a store holds for one account, to rebuild it.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountParts {
    /// The account row.
    pub state: AccountState,
    /// Orders, any order (sorted by time on load).
    pub orders: Vec<Order>,
    /// Trades, any order.
    pub trades: Vec<Trade>,
    /// Positions.
    pub positions: Vec<PositionState>,
    /// Holdings.
    pub holdings: Vec<HoldingState>,
}

/// The rows an operation changed; a store writes them in one transaction. Orders, positions and
/// holdings are upserts; trades are always new.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountChanges {
    /// The account row (always written).
    pub state: AccountState,
    /// True when the account row does not exist yet.
    pub is_new: bool,
    /// Orders created or changed.
    pub orders: Vec<Order>,
    /// New trades.
    pub trades: Vec<Trade>,
    /// Positions created or changed.
    pub positions: Vec<PositionState>,
    /// Holdings created or changed.
    pub holdings: Vec<HoldingState>,
}

#[derive(Debug, Clone, Default, PartialEq)]
struct Dirty {
    account: bool,
    orders: BTreeSet<usize>,
    trades_from: Option<usize>,
    positions: BTreeSet<PositionKey>,
    holdings: BTreeSet<(Exchange, String)>,
}

/// One paper account.
#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    pub(crate) state: AccountState,
    pub(crate) orders: Vec<Order>,
    index: HashMap<String, usize>,
    pub(crate) trades: Vec<Trade>,
    pub(crate) positions: BTreeMap<PositionKey, PositionState>,
    pub(crate) holdings: BTreeMap<(Exchange, String), HoldingState>,
    dirty: Dirty,
    is_new: bool,
}

impl Account {
    /// A new, empty account with `starting_capital` of free cash.
    pub fn open(user_id: i64, ledger: Ledger, starting_capital: f64, now: DateTime<Utc>) -> Self {
        let state = AccountState {
            user_id,
            ledger,
            starting_capital,
            available_cash: starting_capital,
            used_margin: 0.0,
            realized_pnl: 0.0,
            order_seq: 0,
            created_at: now,
            updated_at: now,
            revision: 0,
        };
        let mut account = Self::from_parts(AccountParts {
            state,
            orders: Vec::new(),
            trades: Vec::new(),
            positions: Vec::new(),
            holdings: Vec::new(),
        });
        account.is_new = true;
        account.dirty.account = true;
        account
    }

    /// Rebuilds an account from stored rows.
    pub fn from_parts(parts: AccountParts) -> Self {
        let mut orders = parts.orders;
        // Stable: rows of the same instant keep the store's (insertion) order.
        orders.sort_by_key(|o| o.timestamp);
        let mut trades = parts.trades;
        trades.sort_by_key(|t| t.timestamp);
        let index = orders
            .iter()
            .enumerate()
            .map(|(i, o)| (o.orderid.clone(), i))
            .collect();
        Self {
            state: parts.state,
            orders,
            index,
            trades,
            positions: parts
                .positions
                .into_iter()
                .map(|p| ((p.symbol.clone(), p.exchange, p.product), p))
                .collect(),
            holdings: parts
                .holdings
                .into_iter()
                .map(|h| ((h.exchange, h.symbol.clone()), h))
                .collect(),
            dirty: Dirty::default(),
            is_new: false,
        }
    }

    /// The account row.
    pub fn state(&self) -> &AccountState {
        &self.state
    }

    /// Every order, oldest first.
    pub fn orders(&self) -> &[Order] {
        &self.orders
    }

    /// Every trade, oldest first.
    pub fn trades(&self) -> &[Trade] {
        &self.trades
    }

    /// Stored positions (including closed ones).
    pub fn positions(&self) -> impl Iterator<Item = &PositionState> {
        self.positions.values()
    }

    /// Stored holdings (including sold-out ones).
    pub fn holdings(&self) -> impl Iterator<Item = &HoldingState> {
        self.holdings.values()
    }

    /// One order by id.
    pub fn order(&self, orderid: &str) -> Option<&Order> {
        self.index.get(orderid).map(|&i| &self.orders[i])
    }

    /// True when some order is still working (open or trigger pending).
    pub fn has_working_orders(&self) -> bool {
        self.orders.iter().any(|o| o.order_status.is_working())
    }

    /// The (symbol, exchange) pairs of working orders.
    pub fn working_symbols(&self) -> BTreeSet<(String, Exchange)> {
        self.orders
            .iter()
            .filter(|o| o.order_status.is_working())
            .map(|o| (o.symbol.clone(), o.exchange))
            .collect()
    }

    pub(crate) fn order_index(&self, orderid: &str) -> Option<usize> {
        self.index.get(orderid).copied()
    }

    pub(crate) fn push_order(&mut self, order: Order) -> usize {
        let i = self.orders.len();
        self.index.insert(order.orderid.clone(), i);
        self.orders.push(order);
        self.dirty.orders.insert(i);
        i
    }

    pub(crate) fn touch_order(&mut self, i: usize) {
        self.dirty.orders.insert(i);
    }

    pub(crate) fn push_trade(&mut self, trade: Trade) {
        self.dirty.trades_from.get_or_insert(self.trades.len());
        self.trades.push(trade);
    }

    pub(crate) fn touch_account(&mut self, now: DateTime<Utc>) {
        self.state.updated_at = now;
        self.dirty.account = true;
    }

    pub(crate) fn touch_position(&mut self, key: PositionKey) {
        self.dirty.positions.insert(key);
    }

    pub(crate) fn touch_holding(&mut self, key: (Exchange, String)) {
        self.dirty.holdings.insert(key);
    }

    /// Next order sequence number (the caller turns it into an id and checks for clashes).
    pub(crate) fn next_seq(&mut self) -> i64 {
        self.state.order_seq += 1;
        self.dirty.account = true;
        self.state.order_seq
    }

    /// True when an order id is already used.
    pub(crate) fn has_order(&self, orderid: &str) -> bool {
        self.index.contains_key(orderid)
    }

    /// True when nothing changed since the last `take_changes`.
    pub fn is_clean(&self) -> bool {
        self.dirty == Dirty::default()
    }

    /// Records that the store wrote the changes last taken: the stored row is one revision on.
    pub fn mark_saved(&mut self) {
        self.state.revision += 1;
    }

    /// The rows changed since the last call (None when nothing changed), and resets tracking.
    pub fn take_changes(&mut self) -> Option<AccountChanges> {
        if self.is_clean() {
            return None;
        }
        let dirty = std::mem::take(&mut self.dirty);
        let changes = AccountChanges {
            state: self.state.clone(),
            is_new: self.is_new,
            orders: dirty
                .orders
                .iter()
                .map(|&i| self.orders[i].clone())
                .collect(),
            trades: dirty
                .trades_from
                .map_or_else(Vec::new, |from| self.trades[from..].to_vec()),
            positions: dirty
                .positions
                .iter()
                .filter_map(|k| self.positions.get(k).cloned())
                .collect(),
            holdings: dirty
                .holdings
                .iter()
                .filter_map(|k| self.holdings.get(k).cloned())
                .collect(),
        };
        self.is_new = false;
        Some(changes)
    }
}
