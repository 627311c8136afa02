//! Broker data in the contract's wire shapes (§5.8–§5.17), as typed answers: each shape is a
//! struct that serialises to the wire and describes itself to the OpenAPI document, so the
//! documented `data` of every account and market-data answer is the one the server sends.
//!
//! The live ledger answers in the live shapes; the analyzer's sandbox adds its extra fields (the
//! `Option` fields below, absent on the live ledger). Times are shown in IST, money at 2 dp,
//! whole quantities as JSON integers ([`Qty`]).

use chrono::{DateTime, NaiveDateTime, Utc};
use keygate_broker::num::round2;
use keygate_broker::{
    Action, Depth, DepthLevel, Exchange, Funds, Holding, Ledger, Order, OrderStatus, Position,
    PriceType, Product, Quote, Trade,
};
use serde::{Serialize, Serializer};
use utoipa::ToSchema;

/// Money at 2 dp, without a negative zero.
fn money(x: f64) -> f64 {
    round2(x) + 0.0
}

/// The time in IST (UTC+05:30, no daylight saving).
fn ist(t: &DateTime<Utc>) -> NaiveDateTime {
    t.naive_utc() + chrono::Duration::minutes(330)
}

fn sandbox<T>(ledger: Ledger, value: impl FnOnce() -> T) -> Option<T> {
    (ledger == Ledger::Analyze).then(value)
}

/// A quantity as the wire shows it: a JSON integer when whole (crypto quantities may be
/// fractional).
#[derive(Debug, Clone, Copy, PartialEq, ToSchema)]
pub struct Qty(pub f64);

impl Serialize for Qty {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.0.fract() == 0.0 && self.0.abs() < 9.0e15 {
            serializer.serialize_i64(self.0 as i64)
        } else {
            serializer.serialize_f64(self.0)
        }
    }
}

/// An order book row (§5.10); §5.8's order status adds `average_price`.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderRow {
    /// `BUY` or `SELL`.
    #[schema(value_type = String)]
    pub action: Action,
    /// Exchange segment.
    #[schema(value_type = String)]
    pub exchange: Exchange,
    /// `open`, `complete`, `cancelled`, `rejected` or `trigger pending`.
    #[schema(value_type = String)]
    pub order_status: OrderStatus,
    /// The order id.
    pub orderid: String,
    /// Limit price (0 for MARKET orders).
    pub price: f64,
    /// Price type.
    #[schema(value_type = String)]
    pub pricetype: PriceType,
    /// Product.
    #[schema(value_type = String)]
    pub product: Product,
    /// Ordered quantity.
    pub quantity: Qty,
    /// Trading symbol.
    pub symbol: String,
    /// IST: `22-Nov-2026 13:58:03` live, `2026-11-22 13:58:03` in the analyzer.
    pub timestamp: String,
    /// Trigger price (0 when none).
    pub trigger_price: f64,
    /// Average fill price (order status, and the analyzer's book).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub average_price: Option<f64>,
    /// Filled quantity (analyzer only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filled_quantity: Option<Qty>,
    /// Quantity still to fill (analyzer only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending_quantity: Option<Qty>,
    /// Why the order was rejected, or empty (analyzer only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rejection_reason: Option<String>,
    /// The strategy tag sent with the order (analyzer only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strategy: Option<String>,
}

impl OrderRow {
    /// `o` as `ledger`'s book shows it.
    pub fn new(o: &Order, ledger: Ledger) -> Self {
        let price = if o.pricetype == PriceType::Market {
            0.0
        } else {
            money(o.price)
        };
        let format = match ledger {
            Ledger::Live => "%d-%b-%Y %H:%M:%S",
            Ledger::Analyze => "%Y-%m-%d %H:%M:%S",
        };
        Self {
            action: o.action,
            exchange: o.exchange,
            order_status: o.order_status,
            orderid: o.orderid.clone(),
            price,
            pricetype: o.pricetype,
            product: o.product,
            quantity: Qty(o.quantity),
            symbol: o.symbol.clone(),
            timestamp: ist(&o.timestamp).format(format).to_string(),
            trigger_price: money(o.trigger_price),
            average_price: sandbox(ledger, || money(o.average_price)),
            filled_quantity: sandbox(ledger, || Qty(o.filled_quantity)),
            pending_quantity: sandbox(ledger, || Qty(o.pending_quantity)),
            rejection_reason: sandbox(ledger, || o.rejection_reason.clone().unwrap_or_default()),
            strategy: sandbox(ledger, || o.strategy.clone()),
        }
    }

    /// §5.8 `data`: the row, with `average_price` (0 until the order is complete) on both ledgers.
    pub fn status(o: &Order, ledger: Ledger) -> Self {
        let average = if o.order_status == OrderStatus::Complete {
            money(o.average_price)
        } else {
            0.0
        };
        Self {
            average_price: Some(average),
            ..Self::new(o, ledger)
        }
    }
}

/// §5.10 `statistics`.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderStatistics {
    /// BUY orders.
    pub total_buy_orders: usize,
    /// Completed orders.
    pub total_completed_orders: usize,
    /// Open orders.
    pub total_open_orders: usize,
    /// Rejected orders.
    pub total_rejected_orders: usize,
    /// SELL orders.
    pub total_sell_orders: usize,
    /// Stop orders waiting for their trigger (analyzer only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_trigger_pending_orders: Option<usize>,
}

/// §5.10 `data`: orders and statistics.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderBook {
    /// Every order, oldest first.
    pub orders: Vec<OrderRow>,
    /// Counts over them.
    pub statistics: OrderStatistics,
}

impl OrderBook {
    /// `orders` as `ledger`'s book shows them.
    pub fn new(orders: &[Order], ledger: Ledger) -> Self {
        let count = |f: &dyn Fn(&Order) -> bool| orders.iter().filter(|o| f(o)).count();
        let status = |s: OrderStatus| count(&|o| o.order_status == s);
        Self {
            orders: orders.iter().map(|o| OrderRow::new(o, ledger)).collect(),
            statistics: OrderStatistics {
                total_buy_orders: count(&|o| o.action == Action::Buy),
                total_completed_orders: status(OrderStatus::Complete),
                total_open_orders: status(OrderStatus::Open),
                total_rejected_orders: status(OrderStatus::Rejected),
                total_sell_orders: count(&|o| o.action == Action::Sell),
                total_trigger_pending_orders: sandbox(ledger, || {
                    status(OrderStatus::TriggerPending)
                }),
            },
        }
    }
}

/// A §5.11 trade book row.
#[derive(Debug, Serialize, ToSchema)]
pub struct TradeRow {
    /// `BUY` or `SELL`.
    #[schema(value_type = String)]
    pub action: Action,
    /// Fill price.
    pub average_price: f64,
    /// Exchange segment.
    #[schema(value_type = String)]
    pub exchange: Exchange,
    /// The order it filled.
    pub orderid: String,
    /// Product.
    #[schema(value_type = String)]
    pub product: Product,
    /// Filled quantity.
    pub quantity: Qty,
    /// Trading symbol.
    pub symbol: String,
    /// IST: `13:58:03` live, `2026-11-22 13:58:03` in the analyzer.
    pub timestamp: String,
    /// quantity × price, 2 dp.
    pub trade_value: f64,
    /// Fill price again (analyzer only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price: Option<f64>,
    /// The order's strategy tag (analyzer only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strategy: Option<String>,
    /// The fill's id (analyzer only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tradeid: Option<String>,
}

impl TradeRow {
    /// `t` as `ledger`'s trade book shows it.
    pub fn new(t: &Trade, ledger: Ledger) -> Self {
        let format = match ledger {
            Ledger::Live => "%H:%M:%S",
            Ledger::Analyze => "%Y-%m-%d %H:%M:%S",
        };
        Self {
            action: t.action,
            average_price: money(t.average_price),
            exchange: t.exchange,
            orderid: t.orderid.clone(),
            product: t.product,
            quantity: Qty(t.quantity),
            symbol: t.symbol.clone(),
            timestamp: ist(&t.timestamp).format(format).to_string(),
            trade_value: money(t.trade_value),
            price: sandbox(ledger, || money(t.average_price)),
            strategy: sandbox(ledger, || t.strategy.clone()),
            tradeid: sandbox(ledger, || t.tradeid.clone()),
        }
    }
}

/// A §5.12 position book row.
#[derive(Debug, Serialize, ToSchema)]
pub struct PositionRow {
    /// Average entry price of the open quantity (0 when flat).
    pub average_price: f64,
    /// Exchange segment.
    #[schema(value_type = String)]
    pub exchange: Exchange,
    /// Last traded price.
    pub ltp: f64,
    /// Total P&L.
    pub pnl: f64,
    /// Product.
    #[schema(value_type = String)]
    pub product: Product,
    /// Net quantity: positive long, negative short, 0 once closed.
    pub quantity: Qty,
    /// Trading symbol.
    pub symbol: String,
    /// Lot size (analyzer only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lot_size: Option<Qty>,
    /// P&L as a percentage of the open cost (analyzer only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pnlpercent: Option<f64>,
    /// P&L booked today (analyzer only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub today_realized_pnl: Option<f64>,
    /// Today's total P&L (analyzer only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_pnl_today: Option<f64>,
    /// P&L of the open quantity (analyzer only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unrealized_pnl: Option<f64>,
}

/// The analyzer's position totals, beside `data` in its position book answer.
#[derive(Debug)]
pub struct PositionTotals {
    /// Sum of `pnl`.
    pub total_pnl: f64,
    /// Sum of today's P&L.
    pub total_pnl_today: f64,
    /// Sum of today's booked P&L.
    pub total_today_realized_pnl: f64,
    /// Sum of unrealised P&L.
    pub total_unrealized_pnl: f64,
}

/// §5.12: the rows, and (analyzer) the totals.
pub fn position_book(
    positions: &[Position],
    ledger: Ledger,
) -> (Vec<PositionRow>, Option<PositionTotals>) {
    let rows = positions
        .iter()
        .map(|p| PositionRow {
            average_price: money(p.average_price),
            exchange: p.exchange,
            ltp: money(p.ltp),
            pnl: money(p.pnl),
            product: p.product,
            quantity: Qty(p.quantity),
            symbol: p.symbol.clone(),
            lot_size: sandbox(ledger, || Qty(p.lot_size)),
            pnlpercent: sandbox(ledger, || money(p.pnlpercent)),
            today_realized_pnl: sandbox(ledger, || money(p.realized_pnl)),
            total_pnl_today: sandbox(ledger, || money(p.pnl)),
            unrealized_pnl: sandbox(ledger, || money(p.unrealized_pnl)),
        })
        .collect();
    let sum = |f: fn(&Position) -> f64| money(positions.iter().map(f).sum());
    let totals = sandbox(ledger, || PositionTotals {
        total_pnl: sum(|p| p.pnl),
        total_pnl_today: sum(|p| p.pnl),
        total_today_realized_pnl: sum(|p| p.realized_pnl),
        total_unrealized_pnl: sum(|p| p.unrealized_pnl),
    });
    (rows, totals)
}

/// A §5.13 holdings row.
#[derive(Debug, Serialize, ToSchema)]
pub struct HoldingRow {
    /// Exchange segment.
    #[schema(value_type = String)]
    pub exchange: Exchange,
    /// P&L.
    pub pnl: f64,
    /// P&L as a percentage of the cost.
    pub pnlpercent: f64,
    /// Product (`CNC`).
    #[schema(value_type = String)]
    pub product: Product,
    /// Quantity held.
    pub quantity: Qty,
    /// Trading symbol.
    pub symbol: String,
    /// Average cost (analyzer only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub average_price: Option<f64>,
    /// Value at the last price (analyzer only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_value: Option<f64>,
    /// Last traded price (analyzer only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ltp: Option<f64>,
    /// Always `null` in the analyzer (absent live).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub settlement_date: Option<Option<String>>,
}

/// §5.13 `statistics`.
#[derive(Debug, Serialize, ToSchema)]
pub struct HoldingStatistics {
    /// Value at last prices.
    pub totalholdingvalue: f64,
    /// Cost.
    pub totalinvvalue: f64,
    /// P&L as a percentage of the cost.
    pub totalpnlpercentage: f64,
    /// P&L.
    pub totalprofitandloss: f64,
}

/// §5.13 `data`: holdings and statistics.
#[derive(Debug, Serialize, ToSchema)]
pub struct Holdings {
    /// One row per holding.
    pub holdings: Vec<HoldingRow>,
    /// Totals.
    pub statistics: HoldingStatistics,
}

impl Holdings {
    /// `held` as `ledger` shows it.
    pub fn new(held: &[Holding], ledger: Ledger) -> Self {
        let value: f64 = held.iter().map(|h| h.current_value).sum();
        let invested: f64 = held.iter().map(|h| h.quantity * h.average_price).sum();
        let pnl = value - invested;
        let pct = if invested > 0.0 {
            pnl / invested * 100.0
        } else {
            0.0
        };
        Self {
            holdings: held
                .iter()
                .map(|h| HoldingRow {
                    exchange: h.exchange,
                    pnl: money(h.pnl),
                    pnlpercent: money(h.pnlpercent),
                    product: h.product,
                    quantity: Qty(h.quantity),
                    symbol: h.symbol.clone(),
                    average_price: sandbox(ledger, || money(h.average_price)),
                    current_value: sandbox(ledger, || money(h.current_value)),
                    ltp: sandbox(ledger, || money(h.ltp)),
                    settlement_date: sandbox(ledger, || None),
                })
                .collect(),
            statistics: HoldingStatistics {
                totalholdingvalue: money(value),
                totalinvvalue: money(invested),
                totalpnlpercentage: money(pct),
                totalprofitandloss: money(pnl),
            },
        }
    }
}

/// §5.14 `data` on the live ledger: `"%.2f"` strings.
#[derive(Debug, Serialize, ToSchema)]
pub struct LiveFunds {
    /// Cash available for new orders.
    pub availablecash: String,
    /// Collateral.
    pub collateral: String,
    /// Realised mark-to-market.
    pub m2mrealized: String,
    /// Unrealised mark-to-market.
    pub m2munrealized: String,
    /// Margin in use.
    pub utiliseddebits: String,
}

/// §5.14 `data` in the analyzer: numbers, plus its extras.
#[derive(Debug, Serialize, ToSchema)]
pub struct SandboxFunds {
    /// Cash available for new orders.
    pub availablecash: f64,
    /// Collateral.
    pub collateral: f64,
    /// Realised mark-to-market.
    pub m2mrealized: f64,
    /// Unrealised mark-to-market.
    pub m2munrealized: f64,
    /// Margin in use.
    pub utiliseddebits: f64,
    /// Realised P&L since the sandbox started.
    pub total_realized_pnl: f64,
    /// Realised P&L today.
    pub today_realized_pnl: f64,
    /// Gross exposure.
    pub grossexposure: f64,
    /// Total P&L.
    pub totalpnl: f64,
    /// Always `null`: the sandbox is never reset on a schedule.
    pub last_reset: Option<String>,
    /// Always 0.
    pub reset_count: u32,
}

/// §5.14 `data`: the live or the analyzer's shape.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum FundsView {
    /// Live ledger.
    Live(LiveFunds),
    /// Analyzer.
    Sandbox(SandboxFunds),
}

impl FundsView {
    /// `f` as `ledger` shows it.
    pub fn new(f: &Funds, ledger: Ledger) -> Self {
        let text = |x: f64| format!("{:.2}", money(x));
        match ledger {
            Ledger::Live => FundsView::Live(LiveFunds {
                availablecash: text(f.availablecash),
                collateral: text(f.collateral),
                m2mrealized: text(f.m2mrealized),
                m2munrealized: text(f.m2munrealized),
                utiliseddebits: text(f.utiliseddebits),
            }),
            Ledger::Analyze => FundsView::Sandbox(SandboxFunds {
                availablecash: money(f.availablecash),
                collateral: money(f.collateral),
                m2mrealized: money(f.m2mrealized),
                m2munrealized: money(f.m2munrealized),
                utiliseddebits: money(f.utiliseddebits),
                total_realized_pnl: money(f.total_realized_pnl),
                today_realized_pnl: money(f.m2mrealized),
                grossexposure: money(f.grossexposure),
                totalpnl: money(f.totalpnl),
                last_reset: None,
                reset_count: 0,
            }),
        }
    }
}

/// §5.15 `data`.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuoteView {
    /// Best ask.
    pub ask: f64,
    /// Best bid.
    pub bid: f64,
    /// Day high.
    pub high: f64,
    /// Day low.
    pub low: f64,
    /// Last traded price.
    pub ltp: f64,
    /// Open interest.
    pub oi: Qty,
    /// Day open.
    pub open: f64,
    /// Previous close.
    pub prev_close: f64,
    /// Day volume.
    pub volume: Qty,
}

impl From<&Quote> for QuoteView {
    fn from(q: &Quote) -> Self {
        Self {
            ask: q.ask,
            bid: q.bid,
            high: q.high,
            low: q.low,
            ltp: q.ltp,
            oi: Qty(q.oi),
            open: q.open,
            prev_close: q.prev_close,
            volume: Qty(q.volume),
        }
    }
}

/// One side's level in §5.17.
#[derive(Debug, Serialize, ToSchema)]
pub struct LevelView {
    /// Price (0 for padding).
    pub price: f64,
    /// Quantity (0 for padding).
    pub quantity: Qty,
}

fn levels(levels: &[DepthLevel]) -> Vec<LevelView> {
    let mut out: Vec<LevelView> = levels
        .iter()
        .take(5)
        .map(|l| LevelView {
            price: l.price,
            quantity: Qty(l.quantity),
        })
        .collect();
    while out.len() < 5 {
        out.push(LevelView {
            price: 0.0,
            quantity: Qty(0.0),
        });
    }
    out
}

/// §5.17 `data`: five levels a side, padded with zeros.
#[derive(Debug, Serialize, ToSchema)]
pub struct DepthView {
    /// Five ask levels, best first.
    pub asks: Vec<LevelView>,
    /// Five bid levels, best first.
    pub bids: Vec<LevelView>,
    /// Day high.
    pub high: f64,
    /// Day low.
    pub low: f64,
    /// Last traded price.
    pub ltp: f64,
    /// Last traded quantity.
    pub ltq: Qty,
    /// Open interest.
    pub oi: Qty,
    /// Day open.
    pub open: f64,
    /// Previous close.
    pub prev_close: f64,
    /// Total bid quantity.
    pub totalbuyqty: Qty,
    /// Total ask quantity.
    pub totalsellqty: Qty,
    /// Day volume.
    pub volume: Qty,
}

impl From<&Depth> for DepthView {
    fn from(d: &Depth) -> Self {
        let q = &d.quote;
        Self {
            asks: levels(&d.asks),
            bids: levels(&d.bids),
            high: q.high,
            low: q.low,
            ltp: q.ltp,
            ltq: Qty(q.ltq),
            oi: Qty(q.oi),
            open: q.open,
            prev_close: q.prev_close,
            totalbuyqty: Qty(d.totalbuyqty),
            totalsellqty: Qty(d.totalsellqty),
            volume: Qty(q.volume),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_quantities_are_integers_and_fractional_ones_stay_numbers() {
        assert_eq!(serde_json::to_string(&Qty(10.0)).unwrap(), "10");
        assert_eq!(serde_json::to_string(&Qty(-3.0)).unwrap(), "-3");
        assert_eq!(serde_json::to_string(&Qty(0.002)).unwrap(), "0.002");
    }
}
