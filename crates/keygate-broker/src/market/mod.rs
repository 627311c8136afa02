//! The simulated market: lazily created per-symbol price processes, quotes and depth on demand,
//! and a real-time ticker that advances the *watched* symbols and broadcasts their ticks.
//!
//! Quotes for any of the ~1,200 instruments are cheap: a symbol's state is created on first use
//! and only advanced when someone asks for it or watches it.

pub mod process;
pub mod rng;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::sync::broadcast;

use crate::error::BrokerError;
use crate::instruments::{Instrument, InstrumentMaster};
use crate::types::{Depth, Exchange, Quote};

use process::SymbolState;

/// A tick event: the symbol's full book (its `quote` holds LTP and the session fields).
pub type Tick = Arc<Depth>;

type Key = (Exchange, String);

/// The paper market.
pub struct Market {
    master: Arc<InstrumentMaster>,
    states: Mutex<HashMap<Key, SymbolState>>,
    watched: Mutex<HashMap<Key, usize>>,
    ticks: broadcast::Sender<Tick>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves plain data behind; carry on with it.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl Market {
    /// A market over `master`. `capacity` bounds each tick subscriber's backlog.
    pub fn new(master: Arc<InstrumentMaster>, capacity: usize) -> Self {
        let (ticks, _) = broadcast::channel(capacity.max(16));
        Self {
            master,
            states: Mutex::new(HashMap::new()),
            watched: Mutex::new(HashMap::new()),
            ticks,
        }
    }

    /// The instrument master.
    pub fn master(&self) -> &Arc<InstrumentMaster> {
        &self.master
    }

    /// Looks up a symbol (the contract's error when unknown).
    pub fn instrument(
        &self,
        symbol: &str,
        exchange: Exchange,
    ) -> Result<Arc<Instrument>, BrokerError> {
        self.master.lookup(symbol, exchange)
    }

    fn with_state<R>(
        &self,
        symbol: &str,
        exchange: Exchange,
        now: i64,
        f: impl FnOnce(&SymbolState, &Instrument) -> R,
    ) -> Result<R, BrokerError> {
        let inst = self.master.lookup(symbol, exchange)?;
        let mut states = lock(&self.states);
        let state = states
            .entry((exchange, symbol.to_owned()))
            .or_insert_with(|| SymbolState::new(&inst, now));
        state.advance_to(&inst, now);
        Ok(f(state, &inst))
    }

    /// The quote as of `now` (epoch ms).
    pub fn quote_at(
        &self,
        symbol: &str,
        exchange: Exchange,
        now: i64,
    ) -> Result<Quote, BrokerError> {
        self.with_state(symbol, exchange, now, |s, i| s.quote(i))
    }

    /// The 5-level book as of `now` (epoch ms).
    pub fn depth_at(
        &self,
        symbol: &str,
        exchange: Exchange,
        now: i64,
    ) -> Result<Depth, BrokerError> {
        self.with_state(symbol, exchange, now, |s, i| s.depth(i))
    }

    /// The quote now.
    pub fn quote(&self, symbol: &str, exchange: Exchange) -> Result<Quote, BrokerError> {
        self.quote_at(symbol, exchange, now_ms())
    }

    /// The book now.
    pub fn depth(&self, symbol: &str, exchange: Exchange) -> Result<Depth, BrokerError> {
        self.depth_at(symbol, exchange, now_ms())
    }

    /// Starts ticking a symbol (reference-counted; pair with [`Market::unwatch`]).
    pub fn watch(&self, symbol: &str, exchange: Exchange) -> Result<(), BrokerError> {
        self.master.lookup(symbol, exchange)?;
        *lock(&self.watched)
            .entry((exchange, symbol.to_owned()))
            .or_insert(0) += 1;
        Ok(())
    }

    /// Stops ticking a symbol once every watcher has let go.
    pub fn unwatch(&self, symbol: &str, exchange: Exchange) {
        let mut watched = lock(&self.watched);
        let key = (exchange, symbol.to_owned());
        if let Some(n) = watched.get_mut(&key) {
            *n -= 1;
            if *n == 0 {
                watched.remove(&key);
            }
        }
    }

    /// A receiver of tick events for every watched symbol.
    pub fn subscribe(&self) -> broadcast::Receiver<Tick> {
        self.ticks.subscribe()
    }

    /// Advances every watched symbol to `now` and broadcasts a tick for each one that moved.
    /// Returns the ticks sent.
    pub fn tick_at(&self, now: i64) -> Vec<Tick> {
        let keys: Vec<Key> = lock(&self.watched).keys().cloned().collect();
        let mut out = Vec::with_capacity(keys.len());
        for (exchange, symbol) in keys {
            let Ok(inst) = self.master.lookup(&symbol, exchange) else {
                continue;
            };
            let mut states = lock(&self.states);
            let state = states
                .entry((exchange, symbol))
                .or_insert_with(|| SymbolState::new(&inst, now));
            if state.advance_to(&inst, now) > 0 {
                out.push(Arc::new(state.depth(&inst)));
            }
        }
        for tick in &out {
            // No subscribers is fine: the ticks are simply dropped.
            let _ = self.ticks.send(tick.clone());
        }
        out
    }

    /// Runs [`Market::tick_at`] every `period` until the task is aborted.
    pub fn spawn_ticker(self: Arc<Self>, period: Duration) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(period);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            loop {
                interval.tick().await;
                self.tick_at(now_ms());
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn market() -> Market {
        let master =
            InstrumentMaster::builtin(NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()).unwrap();
        Market::new(Arc::new(master), 64)
    }

    #[test]
    fn watched_symbols_tick_onto_the_broadcast_channel() {
        let m = market();
        let mut rx = m.subscribe();
        m.watch("INFY", Exchange::Nse).unwrap();
        m.quote_at("INFY", Exchange::Nse, 1_000_000).unwrap();
        m.quote_at("TCS", Exchange::Nse, 1_000_000).unwrap();
        let sent = m.tick_at(1_001_000);
        assert_eq!(sent.len(), 1);
        let tick = rx.try_recv().unwrap();
        assert_eq!(tick.quote.symbol, "INFY");
        assert_eq!(tick.quote.timestamp, 1_001_000);
        m.unwatch("INFY", Exchange::Nse);
        assert!(m.tick_at(1_002_000).is_empty());
    }

    #[test]
    fn unknown_symbols_cannot_be_quoted_or_watched() {
        let m = market();
        assert!(matches!(
            m.quote("NOPE", Exchange::Nse),
            Err(BrokerError::SymbolNotFound { .. })
        ));
        assert!(m.watch("NOPE", Exchange::Bse).is_err());
    }
}
