//! One connection's subscriptions: which (symbol, exchange) it follows in which modes. The market
//! ticks a symbol while anyone watches it, so a symbol is watched once per connection while it has
//! any mode, and every watch is released when the connection ends (on drop).

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use keygate_broker::{Exchange, Market};

use super::protocol::Mode;

type Key = (Exchange, String);

/// A connection's subscriptions.
pub struct Subscriptions {
    market: Arc<Market>,
    by_symbol: HashMap<Key, BTreeSet<Mode>>,
    count: usize,
    max: usize,
}

/// Why a subscription was not added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddError {
    /// The per-connection limit is reached.
    Limit(usize),
    /// The market refused to watch the symbol (unknown): its message.
    Market(String),
}

impl Subscriptions {
    /// No subscriptions yet; at most `max` (symbol, exchange, mode) entries.
    pub fn new(market: Arc<Market>, max: usize) -> Self {
        Self {
            market,
            by_symbol: HashMap::new(),
            count: 0,
            max,
        }
    }

    /// Adds `mode` for a symbol (already known to the market). Adding one twice is fine.
    pub fn add(&mut self, exchange: Exchange, symbol: &str, mode: Mode) -> Result<(), AddError> {
        let key = (exchange, symbol.to_owned());
        if let Some(modes) = self.by_symbol.get_mut(&key) {
            if modes.contains(&mode) {
                return Ok(());
            }
            if self.count >= self.max {
                return Err(AddError::Limit(self.max));
            }
            modes.insert(mode);
            self.count += 1;
            return Ok(());
        }
        if self.count >= self.max {
            return Err(AddError::Limit(self.max));
        }
        self.market
            .watch(symbol, exchange)
            .map_err(|e| AddError::Market(e.to_string()))?;
        self.by_symbol.insert(key, BTreeSet::from([mode]));
        self.count += 1;
        Ok(())
    }

    /// Removes `mode` for a symbol; false when it was not subscribed.
    pub fn remove(&mut self, exchange: Exchange, symbol: &str, mode: Mode) -> bool {
        let key = (exchange, symbol.to_owned());
        let Some(modes) = self.by_symbol.get_mut(&key) else {
            return false;
        };
        if !modes.remove(&mode) {
            return false;
        }
        self.count -= 1;
        if modes.is_empty() {
            self.by_symbol.remove(&key);
            self.market.unwatch(symbol, exchange);
        }
        true
    }

    /// Removes everything; returns what was removed.
    pub fn clear(&mut self) -> Vec<(Exchange, String, Mode)> {
        let mut removed = Vec::with_capacity(self.count);
        for ((exchange, symbol), modes) in self.by_symbol.drain() {
            self.market.unwatch(&symbol, exchange);
            removed.extend(modes.into_iter().map(|m| (exchange, symbol.clone(), m)));
        }
        self.count = 0;
        removed.sort_by(|a, b| (&a.1, a.0.as_str(), a.2).cmp(&(&b.1, b.0.as_str(), b.2)));
        removed
    }

    /// The modes a symbol is subscribed in, if any.
    pub fn modes(&self, exchange: Exchange, symbol: &str) -> Option<&BTreeSet<Mode>> {
        // Ticks are rare per symbol; the allocation of a key per lookup is not worth avoiding.
        self.by_symbol.get(&(exchange, symbol.to_owned()))
    }

    /// True when nothing is subscribed.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }
}

impl Drop for Subscriptions {
    fn drop(&mut self) {
        for (exchange, symbol) in self.by_symbol.keys() {
            self.market.unwatch(symbol, *exchange);
        }
    }
}
