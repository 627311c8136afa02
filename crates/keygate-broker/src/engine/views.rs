//! Valuing an account at current prices: positions, holdings and funds as the API shows them.

use crate::types::num::round2;
use crate::types::{Exchange, Funds, Holding, Position, Product};

use super::account::Account;

/// What a view needs to know about a symbol now: its LTP and lot size.
pub trait PriceSource {
    /// (ltp, lot size), or None when it cannot be priced (the average price is used instead).
    fn price(&self, symbol: &str, exchange: Exchange) -> Option<(f64, f64)>;
}

impl<F: Fn(&str, Exchange) -> Option<(f64, f64)>> PriceSource for F {
    fn price(&self, symbol: &str, exchange: Exchange) -> Option<(f64, f64)> {
        self(symbol, exchange)
    }
}

fn pct(part: f64, whole: f64) -> f64 {
    if whole.abs() < 1e-12 {
        0.0
    } else {
        round2(part / whole * 100.0)
    }
}

impl Account {
    /// Positions valued at `prices` (closed ones included with quantity 0).
    pub fn position_views(&self, prices: &impl PriceSource) -> Vec<Position> {
        self.positions
            .values()
            .map(|p| {
                let (ltp, lot) = prices
                    .price(&p.symbol, p.exchange)
                    .unwrap_or((p.average_price, 1.0));
                let unrealized = round2((ltp - p.average_price) * p.quantity);
                let pnl = round2(unrealized + p.realized_pnl);
                Position {
                    symbol: p.symbol.clone(),
                    exchange: p.exchange,
                    product: p.product,
                    quantity: p.quantity,
                    average_price: round2(p.average_price),
                    ltp,
                    pnl,
                    pnlpercent: pct(unrealized, p.average_price * p.quantity.abs()),
                    unrealized_pnl: unrealized,
                    realized_pnl: p.realized_pnl,
                    lot_size: lot,
                }
            })
            .collect()
    }

    /// CNC holdings with a non-zero quantity, valued at `prices`.
    pub fn holding_views(&self, prices: &impl PriceSource) -> Vec<Holding> {
        self.holdings
            .values()
            .filter(|h| h.quantity != 0.0)
            .map(|h| {
                let ltp = prices
                    .price(&h.symbol, h.exchange)
                    .map_or(h.average_price, |(ltp, _)| ltp);
                let cost = h.average_price * h.quantity;
                let pnl = round2((ltp - h.average_price) * h.quantity);
                Holding {
                    symbol: h.symbol.clone(),
                    exchange: h.exchange,
                    product: Product::Cnc,
                    quantity: h.quantity,
                    average_price: round2(h.average_price),
                    ltp,
                    current_value: round2(ltp * h.quantity),
                    pnl,
                    pnlpercent: pct(pnl, cost),
                }
            })
            .collect()
    }

    /// Funds, with unrealised P&L and exposure at `prices`.
    pub fn funds_view(&self, prices: &impl PriceSource) -> Funds {
        let views = self.position_views(prices);
        let unrealized = round2(views.iter().map(|p| p.unrealized_pnl).sum());
        let exposure = round2(views.iter().map(|p| p.quantity.abs() * p.ltp).sum());
        let s = &self.state;
        Funds {
            availablecash: round2(s.available_cash),
            collateral: 0.0,
            m2mrealized: round2(s.realized_pnl),
            m2munrealized: unrealized,
            utiliseddebits: round2(s.used_margin),
            total_realized_pnl: round2(s.realized_pnl),
            grossexposure: exposure,
            totalpnl: round2(s.realized_pnl + unrealized),
            starting_capital: round2(s.starting_capital),
        }
    }
}
