//! Order requests, orders and trades.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::num::serialize_qty;
use super::{Action, Exchange, OrderStatus, PriceType, Product};

/// A new order, already parsed from the wire (the API layer does schema validation; the broker
/// enforces trading rules).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderRequest {
    /// The caller's strategy tag.
    pub strategy: String,
    /// Trading symbol, e.g. `RELIANCE`, `NIFTY24NOV26FUT`, `BTCUSDT`.
    pub symbol: String,
    /// Exchange segment.
    pub exchange: Exchange,
    /// BUY or SELL.
    pub action: Action,
    /// How it is priced.
    pub pricetype: PriceType,
    /// Margin regime.
    pub product: Product,
    /// Quantity (> 0; fractional only on CRYPTO).
    #[serde(serialize_with = "serialize_qty")]
    pub quantity: f64,
    /// Limit price (LIMIT and SL), else 0.
    pub price: f64,
    /// Trigger price (SL and SL-M), else 0.
    pub trigger_price: f64,
    /// Disclosed quantity (kept, not used by the paper market).
    pub disclosed_quantity: i64,
}

/// What an order may do to the account's exposure. `ReduceOnly` (an `exit_only` key's orders) is
/// checked by the broker under the account's lock, together with the placement, so two
/// concurrent exits cannot both pass a check made before either was placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Exposure {
    /// May open, add to or reverse a position.
    #[default]
    Any,
    /// May only reduce an existing net position: opposite side and, with the working orders
    /// already on that side, at most its size.
    ReduceOnly,
}

/// A change to a working order: its price type, quantity, price and trigger price (a LIMIT
/// chased to MARKET fills at once). Side, product and instrument stay those of the order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModifyRequest {
    /// The order to change.
    pub orderid: String,
    /// New price type (the price is kept only for LIMIT and SL, the trigger only for SL and
    /// SL-M, as when placing).
    pub pricetype: PriceType,
    /// New quantity.
    #[serde(serialize_with = "serialize_qty")]
    pub quantity: f64,
    /// New limit price.
    pub price: f64,
    /// New trigger price.
    pub trigger_price: f64,
    /// New disclosed quantity.
    pub disclosed_quantity: i64,
}

/// An order as the order book shows it (the sandbox's richer row).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Order {
    /// `YYMMDD` (IST) + 8 digits.
    pub orderid: String,
    /// The strategy tag it was placed with.
    pub strategy: String,
    /// Trading symbol.
    pub symbol: String,
    /// Exchange segment.
    pub exchange: Exchange,
    /// BUY or SELL.
    pub action: Action,
    /// How it is priced.
    pub pricetype: PriceType,
    /// Margin regime.
    pub product: Product,
    /// Ordered quantity.
    #[serde(serialize_with = "serialize_qty")]
    pub quantity: f64,
    /// Limit price (0 for MARKET and SL-M).
    pub price: f64,
    /// Trigger price (0 unless SL/SL-M).
    pub trigger_price: f64,
    /// Disclosed quantity.
    pub disclosed_quantity: i64,
    /// Lifecycle state.
    pub order_status: OrderStatus,
    /// Quantity filled so far (fills are all-or-nothing).
    #[serde(serialize_with = "serialize_qty")]
    pub filled_quantity: f64,
    /// Quantity still working.
    #[serde(serialize_with = "serialize_qty")]
    pub pending_quantity: f64,
    /// Fill price, 0 until complete.
    pub average_price: f64,
    /// Why it was rejected, if it was.
    pub rejection_reason: Option<String>,
    /// Margin held for it while it works (internal, not on the wire).
    #[serde(skip_serializing, default)]
    pub blocked_margin: f64,
    /// When it was placed.
    pub timestamp: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// One fill.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trade {
    /// Trade id (`T` + the order id: fills are all-or-nothing, so one trade per order).
    pub tradeid: String,
    /// The order it filled.
    pub orderid: String,
    /// Strategy tag.
    pub strategy: String,
    /// Trading symbol.
    pub symbol: String,
    /// Exchange segment.
    pub exchange: Exchange,
    /// BUY or SELL.
    pub action: Action,
    /// Margin regime.
    pub product: Product,
    /// Filled quantity.
    #[serde(serialize_with = "serialize_qty")]
    pub quantity: f64,
    /// Fill price.
    pub average_price: f64,
    /// quantity × price, 2 dp.
    pub trade_value: f64,
    /// When it filled.
    pub timestamp: DateTime<Utc>,
}
