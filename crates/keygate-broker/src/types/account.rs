//! Account views: positions, holdings, funds, and the outcomes of the bulk operations.

use serde::{Deserialize, Serialize};

use super::num::serialize_qty;
use super::{Exchange, Product};

/// A net position per (symbol, exchange, product), valued at the current LTP.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Position {
    /// Trading symbol.
    pub symbol: String,
    /// Exchange segment.
    pub exchange: Exchange,
    /// Margin regime.
    pub product: Product,
    /// Net quantity: positive long, negative short, 0 once closed (closed rows stay listed).
    #[serde(serialize_with = "serialize_qty")]
    pub quantity: f64,
    /// Average entry price of the open quantity (0 when flat).
    pub average_price: f64,
    /// Last traded price.
    pub ltp: f64,
    /// Total P&L: realised + unrealised, 2 dp.
    pub pnl: f64,
    /// pnl as a percentage of the open cost (0 when flat), 2 dp.
    pub pnlpercent: f64,
    /// (ltp − average) × quantity, 2 dp.
    pub unrealized_pnl: f64,
    /// P&L booked by closing trades, 2 dp.
    pub realized_pnl: f64,
    /// The instrument's lot size.
    #[serde(serialize_with = "serialize_qty")]
    pub lot_size: f64,
}

/// A delivery (CNC) holding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Holding {
    /// Trading symbol.
    pub symbol: String,
    /// Exchange segment.
    pub exchange: Exchange,
    /// Always CNC.
    pub product: Product,
    /// Shares held.
    #[serde(serialize_with = "serialize_qty")]
    pub quantity: f64,
    /// Average cost.
    pub average_price: f64,
    /// Last traded price.
    pub ltp: f64,
    /// quantity × ltp, 2 dp.
    pub current_value: f64,
    /// (ltp − average) × quantity, 2 dp.
    pub pnl: f64,
    /// pnl as a percentage of cost, 2 dp.
    pub pnlpercent: f64,
}

/// Funds, in the sandbox's shape (floats, 2 dp).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Funds {
    /// Cash not blocked as margin.
    pub availablecash: f64,
    /// Always 0 in the paper account.
    pub collateral: f64,
    /// Realised P&L.
    pub m2mrealized: f64,
    /// Unrealised P&L of open positions at current prices.
    pub m2munrealized: f64,
    /// Margin blocked by working orders and open positions.
    pub utiliseddebits: f64,
    /// Realised P&L since the account was opened.
    pub total_realized_pnl: f64,
    /// Sum of |quantity| × ltp over open positions.
    pub grossexposure: f64,
    /// Realised + unrealised.
    pub totalpnl: f64,
    /// The capital the account started with.
    pub starting_capital: f64,
}

/// A working order `cancel_all` could not cancel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CancelFailure {
    /// The order.
    pub orderid: String,
    /// Why.
    pub message: String,
}

/// What `cancel_all` did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CancelAllOutcome {
    /// Ids of the orders cancelled.
    pub canceled_orders: Vec<String>,
    /// Orders that could not be cancelled.
    pub failed_cancellations: Vec<CancelFailure>,
}

/// What `close_all_positions` did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CloseAllOutcome {
    /// Ids of the square-off orders placed (one per closed position).
    pub orderids: Vec<String>,
    /// Positions that could not be closed, with the reason.
    pub failed: Vec<CancelFailure>,
}

impl CloseAllOutcome {
    /// How many positions were closed.
    pub fn closed_positions(&self) -> usize {
        self.orderids.len()
    }
}
