//! Market data: quotes and 5-level depth, as `/quotes` and `/depth` show them.

use serde::{Deserialize, Serialize};

use super::num::serialize_qty;
use super::Exchange;

/// A top-of-book snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quote {
    /// Trading symbol.
    pub symbol: String,
    /// Exchange segment.
    pub exchange: Exchange,
    /// Last traded price.
    pub ltp: f64,
    /// Best bid.
    pub bid: f64,
    /// Best ask.
    pub ask: f64,
    /// Session open.
    pub open: f64,
    /// Session high.
    pub high: f64,
    /// Session low.
    pub low: f64,
    /// Previous close.
    pub prev_close: f64,
    /// Session volume.
    #[serde(serialize_with = "serialize_qty")]
    pub volume: f64,
    /// Last traded quantity.
    #[serde(serialize_with = "serialize_qty")]
    pub ltq: f64,
    /// Open interest (futures only, else 0).
    #[serde(serialize_with = "serialize_qty")]
    pub oi: f64,
    /// Epoch milliseconds of this snapshot.
    pub timestamp: i64,
}

impl Quote {
    /// The price a market order on `action` side fills at: the ask for BUY, the bid for SELL.
    pub fn touch(&self, action: super::Action) -> f64 {
        match action {
            super::Action::Buy => self.ask,
            super::Action::Sell => self.bid,
        }
    }
}

/// One price level.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DepthLevel {
    /// Price.
    pub price: f64,
    /// Quantity resting at that price.
    #[serde(serialize_with = "serialize_qty")]
    pub quantity: f64,
    /// Number of orders at that price.
    pub orders: u32,
}

/// Five levels each side plus the quote's session fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Depth {
    /// The quote this depth belongs to.
    #[serde(flatten)]
    pub quote: Quote,
    /// Bids, best first (5 levels).
    pub bids: Vec<DepthLevel>,
    /// Asks, best first (5 levels).
    pub asks: Vec<DepthLevel>,
    /// Sum of bid quantities.
    #[serde(serialize_with = "serialize_qty")]
    pub totalbuyqty: f64,
    /// Sum of ask quantities.
    #[serde(serialize_with = "serialize_qty")]
    pub totalsellqty: f64,
}
