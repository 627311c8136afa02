//! The last state of each pair a stream connection follows, and the [`Depth`] ticks built from
//! it: the `@ticker` gives the quote, `@depth5` the levels (and the touch, fresher than the
//! ticker's). Nothing is published for a pair before its first ticker.

use std::collections::HashMap;
use std::sync::Arc;

use keygate_broker::market::Tick;
use keygate_broker::{Depth, DepthLevel, Exchange, Quote};

use super::wire::{PartialDepth, TickerEvent};

#[derive(Debug, Default)]
struct PairState {
    quote: Option<Quote>,
    bids: Vec<DepthLevel>,
    asks: Vec<DepthLevel>,
}

/// Each followed pair's last quote and levels.
#[derive(Debug, Default)]
pub struct Books {
    pairs: HashMap<String, PairState>,
}

fn levels(side: &[(String, String)]) -> Option<Vec<DepthLevel>> {
    side.iter()
        .take(5)
        .map(|(price, quantity)| {
            Some(DepthLevel {
                price: price.parse().ok()?,
                quantity: quantity.parse().ok()?,
                orders: 0,
            })
        })
        .collect()
}

impl Books {
    /// Takes a ticker; returns the pair's tick.
    pub fn ticker(&mut self, t: &TickerEvent) -> Option<Tick> {
        let pair = self.pairs.entry(t.symbol.clone()).or_default();
        let (bid, ask) = match (pair.bids.first(), pair.asks.first()) {
            (Some(b), Some(a)) => (b.price, a.price),
            _ => (t.bid, t.ask),
        };
        pair.quote = Some(Quote {
            symbol: t.symbol.clone(),
            exchange: Exchange::Crypto,
            ltp: t.last,
            bid,
            ask,
            open: t.open,
            high: t.high,
            low: t.low,
            prev_close: t.prev_close,
            volume: t.volume,
            ltq: t.last_qty,
            oi: 0.0,
            timestamp: t.time,
        });
        tick(pair)
    }

    /// Takes the levels of `symbol`; returns its tick once its quote is known. Levels that are
    /// not numbers are dropped (the previous ones stay).
    pub fn depth(&mut self, symbol: &str, d: &PartialDepth, now_ms: i64) -> Option<Tick> {
        let pair = self.pairs.entry(symbol.to_owned()).or_default();
        let (Some(bids), Some(asks)) = (levels(&d.bids), levels(&d.asks)) else {
            log::warn!("binance stream: {symbol} depth levels are not numbers; dropped");
            return None;
        };
        pair.bids = bids;
        pair.asks = asks;
        let quote = pair.quote.as_mut()?;
        if let (Some(b), Some(a)) = (pair.bids.first(), pair.asks.first()) {
            quote.bid = b.price;
            quote.ask = a.price;
        }
        quote.timestamp = quote.timestamp.max(now_ms);
        tick(pair)
    }

    /// Forgets a pair no longer followed.
    pub fn forget(&mut self, symbol: &str) {
        self.pairs.remove(symbol);
    }

    /// The last tick of a pair, if its quote is known.
    pub fn last(&self, symbol: &str) -> Option<Tick> {
        tick(self.pairs.get(symbol)?)
    }
}

fn tick(pair: &PairState) -> Option<Tick> {
    let quote = pair.quote.clone()?;
    Some(Arc::new(Depth {
        quote,
        totalbuyqty: pair.bids.iter().map(|l| l.quantity).sum(),
        totalsellqty: pair.asks.iter().map(|l| l.quantity).sum(),
        bids: pair.bids.clone(),
        asks: pair.asks.clone(),
    }))
}
