//! One connection's subscriptions: which (symbol, exchange) it follows in which modes, from its
//! key's feed source.
//!
//! - Paper market: the market ticks a symbol while anyone watches it, so a symbol is watched once
//!   per connection while it has any mode.
//! - An exchange's market streams (a key bound to a `binance_spot` connection): each followed
//!   pair holds a `Watch` on the exchange's one shared upstream socket: its ticker, and its depth
//!   stream while Depth is among its modes. Releasing the last watch of a stream unsubscribes it
//!   upstream.
//!
//! Every watch is released when the connection ends (on drop) or its source changes.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use keygate_binance::stream::Watch;
use keygate_broker::{Exchange, Market};
use keygate_core::brokers::FeedSource;
use keygate_types::brokers::BrokerKind;

use super::protocol::Mode;

type Key = (Exchange, String);

/// A followed symbol: its modes, and its exchange watch (none on paper).
struct Followed {
    modes: BTreeSet<Mode>,
    watch: Option<(Watch, bool)>,
}

/// A connection's subscriptions.
pub struct Subscriptions {
    market: Arc<Market>,
    source: FeedSource,
    by_symbol: HashMap<Key, Followed>,
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

/// The refusal of another exchange than CRYPTO on an exchange's market streams.
pub fn crypto_only(exchange: Exchange) -> String {
    format!(
        "This key's market data comes from its exchange connection, which streams CRYPTO pairs only (not {})",
        exchange.as_str()
    )
}

/// The broker name the feed reports for a source.
pub fn broker_name(source: &FeedSource) -> &'static str {
    match source {
        FeedSource::Paper => super::protocol::BROKER,
        FeedSource::Exchange(_) => BrokerKind::BinanceSpot.as_str(),
    }
}

/// True when both are the same source (paper, or the same exchange stream).
pub fn same_source(a: &FeedSource, b: &FeedSource) -> bool {
    match (a, b) {
        (FeedSource::Paper, FeedSource::Paper) => true,
        (FeedSource::Exchange(a), FeedSource::Exchange(b)) => Arc::ptr_eq(a, b),
        _ => false,
    }
}

impl Subscriptions {
    /// No subscriptions yet, on the paper market; at most `max` (symbol, exchange, mode) entries.
    pub fn new(market: Arc<Market>, max: usize) -> Self {
        Self {
            market,
            source: FeedSource::Paper,
            by_symbol: HashMap::new(),
            count: 0,
            max,
        }
    }

    /// Where ticks come from.
    pub fn source(&self) -> &FeedSource {
        &self.source
    }

    /// Follows another source from now on; what was subscribed is dropped (and returned).
    pub fn set_source(&mut self, source: FeedSource) -> Vec<(Exchange, String, Mode)> {
        let removed = self.clear();
        self.source = source;
        removed
    }

    /// The new exchange watch a symbol needs for `modes` when its current one (with depth or
    /// not: `current`) does not fit; `None` when it fits or the source is paper.
    fn rewatch(
        &self,
        exchange: Exchange,
        symbol: &str,
        modes: &BTreeSet<Mode>,
        current: Option<bool>,
    ) -> Result<Option<(Watch, bool)>, AddError> {
        let FeedSource::Exchange(stream) = &self.source else {
            return Ok(None);
        };
        if exchange != Exchange::Crypto {
            return Err(AddError::Market(crypto_only(exchange)));
        }
        let depth = modes.contains(&Mode::Depth);
        if current == Some(depth) {
            return Ok(None);
        }
        stream
            .watch(symbol, depth)
            .map(|w| Some((w, depth)))
            .map_err(|e| AddError::Market(e.to_string()))
    }

    /// Adds `mode` for a symbol (already checked against the source). Adding one twice is fine.
    pub fn add(&mut self, exchange: Exchange, symbol: &str, mode: Mode) -> Result<(), AddError> {
        let key = (exchange, symbol.to_owned());
        let current = self.by_symbol.get(&key);
        if current.is_some_and(|f| f.modes.contains(&mode)) {
            return Ok(());
        }
        if self.count >= self.max {
            return Err(AddError::Limit(self.max));
        }
        let followed = current.is_some();
        let mut modes = current.map(|f| f.modes.clone()).unwrap_or_default();
        modes.insert(mode);
        let had = current.and_then(|f| f.watch.as_ref().map(|w| w.1));
        let watch = self.rewatch(exchange, symbol, &modes, had)?;
        if !followed && matches!(self.source, FeedSource::Paper) {
            self.market
                .watch(symbol, exchange)
                .map_err(|e| AddError::Market(e.to_string()))?;
        }
        let entry = self.by_symbol.entry(key).or_insert_with(|| Followed {
            modes: BTreeSet::new(),
            watch: None,
        });
        entry.modes = modes;
        if watch.is_some() {
            // The new watch was taken before the old one drops here: shared streams stay.
            entry.watch = watch;
        }
        self.count += 1;
        Ok(())
    }

    /// Removes `mode` for a symbol; false when it was not subscribed.
    pub fn remove(&mut self, exchange: Exchange, symbol: &str, mode: Mode) -> bool {
        let key = (exchange, symbol.to_owned());
        let Some(followed) = self.by_symbol.get_mut(&key) else {
            return false;
        };
        if !followed.modes.remove(&mode) {
            return false;
        }
        self.count -= 1;
        if followed.modes.is_empty() {
            self.by_symbol.remove(&key);
            self.release(&key);
            return true;
        }
        // Depth dropped: follow the pair without its depth stream.
        let modes = followed.modes.clone();
        let had = followed.watch.as_ref().map(|w| w.1);
        if let Ok(Some(watch)) = self.rewatch(exchange, symbol, &modes, had) {
            if let Some(followed) = self.by_symbol.get_mut(&key) {
                followed.watch = Some(watch);
            }
        }
        true
    }

    /// Releases a paper watch (exchange watches release on drop).
    fn release(&self, (exchange, symbol): &Key) {
        if matches!(self.source, FeedSource::Paper) {
            self.market.unwatch(symbol, *exchange);
        }
    }

    /// Removes everything; returns what was removed.
    pub fn clear(&mut self) -> Vec<(Exchange, String, Mode)> {
        let mut removed = Vec::with_capacity(self.count);
        let followed: Vec<(Key, Followed)> = self.by_symbol.drain().collect();
        for (key, f) in followed {
            self.release(&key);
            let (exchange, symbol) = key;
            removed.extend(f.modes.into_iter().map(|m| (exchange, symbol.clone(), m)));
        }
        self.count = 0;
        removed.sort_by(|a, b| (&a.1, a.0.as_str(), a.2).cmp(&(&b.1, b.0.as_str(), b.2)));
        removed
    }

    /// The modes a symbol is subscribed in, if any.
    pub fn modes(&self, exchange: Exchange, symbol: &str) -> Option<&BTreeSet<Mode>> {
        // Ticks are rare per symbol; the allocation of a key per lookup is not worth avoiding.
        self.by_symbol
            .get(&(exchange, symbol.to_owned()))
            .map(|f| &f.modes)
    }

    /// True when nothing is subscribed.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }
}

impl Drop for Subscriptions {
    fn drop(&mut self) {
        for key in self.by_symbol.keys() {
            self.release(key);
        }
    }
}
