//! The persistence boundary of the paper broker. A store loads a whole account and saves the rows
//! one engine operation changed, atomically, and only over the revision it was loaded at (several
//! keygate processes may share one database, each with the account cached). `keygate-core::paper::SqlLedgerStore` implements it
//! on SQLite/PostgreSQL; [`MemoryStore`] is for tests and ephemeral use.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;

use crate::engine::{AccountChanges, AccountParts};
use crate::types::Ledger;

/// A store failure (its text is for the log, not for clients).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct StoreError(pub String);

/// What a save did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveOutcome {
    /// Written: the account row is now at `changes.state.revision + 1`.
    Saved,
    /// Nothing written: the stored account is not at `changes.state.revision` any more (another
    /// process saved it, or opened it first). The caller reloads and runs the operation again.
    Stale,
}

/// Where paper accounts live.
#[async_trait]
pub trait LedgerStore: Send + Sync {
    /// Loads an account, or None if it was never opened.
    async fn load(&self, user_id: i64, ledger: Ledger) -> Result<Option<AccountParts>, StoreError>;

    /// The stored account's revision (None if it was never opened): one small read, so a cached
    /// account is checked before each use.
    async fn revision(&self, user_id: i64, ledger: Ledger) -> Result<Option<i64>, StoreError>;

    /// Writes one operation's changes in a single transaction (all or nothing), only when the
    /// stored account is still at `changes.state.revision` (a new account: not stored yet).
    async fn save(&self, changes: &AccountChanges) -> Result<SaveOutcome, StoreError>;

    /// Accounts that have working (open or trigger pending) orders, for the matcher after a
    /// restart.
    async fn accounts_with_working_orders(&self) -> Result<Vec<(i64, Ledger)>, StoreError>;
}

/// An in-memory store.
#[derive(Debug, Default)]
pub struct MemoryStore {
    accounts: Mutex<HashMap<(i64, Ledger), AccountParts>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(i64, Ledger), AccountParts>> {
        self.accounts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn upsert<T: Clone>(rows: &mut Vec<T>, row: &T, same: impl Fn(&T, &T) -> bool) {
    match rows.iter_mut().find(|r| same(r, row)) {
        Some(r) => *r = row.clone(),
        None => rows.push(row.clone()),
    }
}

#[async_trait]
impl LedgerStore for MemoryStore {
    async fn load(&self, user_id: i64, ledger: Ledger) -> Result<Option<AccountParts>, StoreError> {
        Ok(self.lock().get(&(user_id, ledger)).cloned())
    }

    async fn revision(&self, user_id: i64, ledger: Ledger) -> Result<Option<i64>, StoreError> {
        Ok(self
            .lock()
            .get(&(user_id, ledger))
            .map(|p| p.state.revision))
    }

    async fn save(&self, c: &AccountChanges) -> Result<SaveOutcome, StoreError> {
        let mut accounts = self.lock();
        let key = (c.state.user_id, c.state.ledger);
        let stored = accounts.get(&key).map(|p| p.state.revision);
        let expected = (!c.is_new).then_some(c.state.revision);
        if stored != expected {
            return Ok(SaveOutcome::Stale);
        }
        let parts = accounts.entry(key).or_insert_with(|| AccountParts {
            state: c.state.clone(),
            orders: Vec::new(),
            trades: Vec::new(),
            positions: Vec::new(),
            holdings: Vec::new(),
        });
        parts.state = c.state.clone();
        parts.state.revision += 1;
        for o in &c.orders {
            upsert(&mut parts.orders, o, |a, b| a.orderid == b.orderid);
        }
        parts.trades.extend(c.trades.iter().cloned());
        for p in &c.positions {
            upsert(&mut parts.positions, p, |a, b| {
                (&a.symbol, a.exchange, a.product) == (&b.symbol, b.exchange, b.product)
            });
        }
        for h in &c.holdings {
            upsert(&mut parts.holdings, h, |a, b| {
                (&a.symbol, a.exchange) == (&b.symbol, b.exchange)
            });
        }
        Ok(SaveOutcome::Saved)
    }

    async fn accounts_with_working_orders(&self) -> Result<Vec<(i64, Ledger)>, StoreError> {
        Ok(self
            .lock()
            .iter()
            .filter(|(_, p)| p.orders.iter().any(|o| o.order_status.is_working()))
            .map(|(k, _)| *k)
            .collect())
    }
}
