//! The instrument master: every symbol the paper market quotes and trades.
//!
//! Shipped as data (`data/*.csv`, embedded at compile time, parsed once at start-up by
//! [`InstrumentMaster::builtin`]): cash equities listed on both NSE and BSE, the NSE/BSE indices,
//! NIFTY/BANKNIFTY monthly futures generated from the calendar (see [`futures`]), and crypto pairs.
//! Reference prices are recent levels written from general knowledge, **not live data**; see the
//! crate README.

mod data;
pub mod futures;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use data::DataError;

use crate::error::BrokerError;
use crate::types::num::round_to_tick;
use crate::types::Exchange;

/// What kind of instrument a symbol is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InstrumentKind {
    /// A cash equity.
    Equity,
    /// An index (quotable, not tradable).
    Index,
    /// An index future.
    Future,
    /// A crypto pair.
    Crypto,
}

/// One tradable (or quotable) symbol.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Instrument {
    /// OpenAlgo trading symbol.
    pub symbol: String,
    /// Exchange segment.
    pub exchange: Exchange,
    /// Display name.
    pub name: String,
    /// Kind.
    pub kind: InstrumentKind,
    /// Lot size; on CRYPTO the smallest quantity step.
    pub lot_size: f64,
    /// Price tick.
    pub tick_size: f64,
    /// Reference price the simulated market reverts to (not live).
    pub reference_price: f64,
    /// Expiry (futures only).
    pub expiry: Option<NaiveDate>,
    /// Underlying symbol (futures only).
    pub underlying: Option<String>,
}

/// Tick size for a cash equity: ₹0.01 below ₹250, else ₹0.05 (the simplified NSE/BSE schedule).
pub fn equity_tick(price: f64) -> f64 {
    if price < 250.0 {
        0.01
    } else {
        0.05
    }
}

/// All instruments, keyed by (exchange, symbol).
#[derive(Debug, Clone, Default)]
pub struct InstrumentMaster {
    by_key: HashMap<(Exchange, String), Arc<Instrument>>,
}

impl InstrumentMaster {
    /// Parses the shipped data and generates the futures listed on `today` (an IST date).
    pub fn builtin(today: NaiveDate) -> Result<Self, DataError> {
        let mut master = Self::default();
        for row in data::rows("equities.csv", data::EQUITIES, 2)? {
            let symbol = row.text(0)?;
            let price = row.positive(1)?;
            let tick = equity_tick(price);
            for exchange in [Exchange::Nse, Exchange::Bse] {
                master.insert(Instrument {
                    symbol: symbol.to_owned(),
                    exchange,
                    name: symbol.to_owned(),
                    kind: InstrumentKind::Equity,
                    lot_size: 1.0,
                    tick_size: tick,
                    reference_price: round_to_tick(price, tick),
                    expiry: None,
                    underlying: None,
                });
            }
        }
        for row in data::rows("indices.csv", data::INDICES, 5)? {
            let tick = row.positive(3)?;
            master.insert(Instrument {
                symbol: row.text(0)?.to_owned(),
                exchange: row.exchange(1)?,
                name: row.text(4)?.to_owned(),
                kind: InstrumentKind::Index,
                lot_size: 1.0,
                tick_size: tick,
                reference_price: round_to_tick(row.positive(2)?, tick),
                expiry: None,
                underlying: None,
            });
        }
        for row in data::rows("index_futures.csv", data::INDEX_FUTURES, 5)? {
            let underlying = row.text(0)?;
            let index = master
                .lookup(underlying, row.exchange(1)?)
                .map_err(|e| DataError {
                    file: "index_futures.csv",
                    line: 0,
                    message: e.to_string(),
                })?;
            let (index_price, exchange) = (index.reference_price, row.exchange(2)?);
            let (lot, tick) = (row.positive(3)?, row.positive(4)?);
            for expiry in futures::monthly_expiries(today, 3) {
                let price = futures::carried_price(index_price, today, expiry);
                master.insert(Instrument {
                    symbol: futures::futures_symbol(underlying, expiry),
                    exchange,
                    name: format!("{underlying} {} FUT", expiry.format("%d-%b-%Y")),
                    kind: InstrumentKind::Future,
                    lot_size: lot,
                    tick_size: tick,
                    reference_price: round_to_tick(price, tick),
                    expiry: Some(expiry),
                    underlying: Some(underlying.to_owned()),
                });
            }
        }
        for row in data::rows("crypto.csv", data::CRYPTO, 5)? {
            let tick = row.positive(2)?;
            master.insert(Instrument {
                symbol: row.text(0)?.to_owned(),
                exchange: Exchange::Crypto,
                name: row.text(4)?.to_owned(),
                kind: InstrumentKind::Crypto,
                lot_size: row.positive(3)?,
                tick_size: tick,
                reference_price: round_to_tick(row.positive(1)?, tick),
                expiry: None,
                underlying: None,
            });
        }
        Ok(master)
    }

    /// Adds or replaces an instrument.
    pub fn insert(&mut self, instrument: Instrument) {
        self.by_key.insert(
            (instrument.exchange, instrument.symbol.clone()),
            Arc::new(instrument),
        );
    }

    /// Looks a symbol up, or answers the contract's "Symbol 'X' not found" error.
    pub fn lookup(&self, symbol: &str, exchange: Exchange) -> Result<Arc<Instrument>, BrokerError> {
        self.by_key
            .get(&(exchange, symbol.to_owned()))
            .cloned()
            .ok_or_else(|| BrokerError::SymbolNotFound {
                symbol: symbol.to_owned(),
                exchange,
            })
    }

    /// How many instruments an exchange has.
    pub fn count(&self, exchange: Exchange) -> usize {
        self.by_key.keys().filter(|(e, _)| *e == exchange).count()
    }

    /// Every instrument (unordered).
    pub fn iter(&self) -> impl Iterator<Item = &Arc<Instrument>> {
        self.by_key.values()
    }

    /// Total number of instruments.
    pub fn len(&self) -> usize {
        self.by_key.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }
}

#[cfg(test)]
mod tests;
