//! Engine unit tests: hand-made instruments and quotes, a fixed clock.

mod cancel_modify;
mod fill_margin;
mod fills;
mod margin_pnl;
mod reduce_only;
mod rules;

use chrono::{DateTime, Utc};

use super::*;
use crate::instruments::{Instrument, InstrumentKind};
use crate::types::*;

pub(super) fn now() -> DateTime<Utc> {
    "2026-11-22T04:00:00Z".parse().unwrap()
}

pub(super) fn account() -> Account {
    Account::open(1, Ledger::Analyze, DEFAULT_STARTING_CAPITAL, now())
}

pub(super) fn equity(symbol: &str, exchange: Exchange) -> Instrument {
    Instrument {
        symbol: symbol.into(),
        exchange,
        name: symbol.into(),
        kind: InstrumentKind::Equity,
        lot_size: 1.0,
        tick_size: 0.05,
        reference_price: 100.0,
        expiry: None,
        underlying: None,
    }
}

pub(super) fn future() -> Instrument {
    Instrument {
        symbol: "NIFTY24NOV26FUT".into(),
        exchange: Exchange::Nfo,
        kind: InstrumentKind::Future,
        lot_size: 65.0,
        ..equity("NIFTY24NOV26FUT", Exchange::Nfo)
    }
}

pub(super) fn crypto() -> Instrument {
    Instrument {
        kind: InstrumentKind::Crypto,
        lot_size: 0.001,
        tick_size: 0.1,
        ..equity("BTCUSDT", Exchange::Crypto)
    }
}

/// A quote with the given LTP and a one-tick spread either side (0.05).
pub(super) fn quote(inst: &Instrument, ltp: f64) -> Quote {
    Quote {
        symbol: inst.symbol.clone(),
        exchange: inst.exchange,
        ltp,
        bid: crate::types::num::round2(ltp - 0.05),
        ask: crate::types::num::round2(ltp + 0.05),
        open: ltp,
        high: ltp,
        low: ltp,
        prev_close: ltp,
        volume: 1000.0,
        ltq: 1.0,
        oi: 0.0,
        timestamp: 0,
    }
}

pub(super) fn req(
    inst: &Instrument,
    action: Action,
    pricetype: PriceType,
    product: Product,
    quantity: f64,
) -> OrderRequest {
    OrderRequest {
        strategy: "test".into(),
        symbol: inst.symbol.clone(),
        exchange: inst.exchange,
        action,
        pricetype,
        product,
        quantity,
        price: 0.0,
        trigger_price: 0.0,
        disclosed_quantity: 0,
    }
}

pub(super) fn with_price(mut r: OrderRequest, price: f64, trigger: f64) -> OrderRequest {
    r.price = price;
    r.trigger_price = trigger;
    r
}

/// Free cash + blocked margin always equals starting capital + realised P&L.
pub(super) fn assert_balanced(a: &Account) {
    let s = a.state();
    let lhs = crate::types::num::round2(s.available_cash + s.used_margin);
    let rhs = crate::types::num::round2(s.starting_capital + s.realized_pnl);
    assert!(
        (lhs - rhs).abs() < 0.011,
        "cash {lhs} != capital + pnl {rhs}"
    );
    let blocked: f64 = a.orders().iter().map(|o| o.blocked_margin).sum::<f64>()
        + a.positions().map(|p| p.margin).sum::<f64>();
    assert!(
        (blocked - s.used_margin).abs() < 0.011,
        "{blocked} vs {}",
        s.used_margin
    );
}
