//! One symbol's simulated price process: a mean-reverting random walk in log price (a discrete
//! Ornstein–Uhlenbeck process) around the instrument's reference price, one step every
//! [`STEP_MS`]. The stream of random numbers is seeded from `EXCHANGE:SYMBOL`, and a state advanced
//! to a time `t` is the same however the advance was split, so the process is deterministic and
//! `advance_to` is a pure function of (instrument, creation time, t).

use crate::instruments::{Instrument, InstrumentKind};
use crate::types::num::{round_qty, round_to_tick};
use crate::types::{Depth, DepthLevel, Quote};

use super::rng::{mix, seed_of, SplitMix64};

/// Length of one step of the process, in milliseconds.
pub const STEP_MS: i64 = 500;
/// The most steps one advance simulates (a symbol left alone for hours jumps instead of replaying).
pub const MAX_STEPS: i64 = 2_000;
/// Mean-reversion speed per step (half-life ≈ 6,900 steps ≈ 1 hour).
const KAPPA: f64 = 1.0e-4;

/// Per-step volatility and half-spread (as a fraction of price) for an asset class.
fn params(kind: InstrumentKind) -> (f64, f64) {
    match kind {
        InstrumentKind::Equity => (2.0e-4, 2.0e-4),
        InstrumentKind::Index | InstrumentKind::Future => (1.0e-4, 0.5e-4),
        InstrumentKind::Crypto => (4.0e-4, 0.5e-4),
    }
}

/// The live state of one symbol.
#[derive(Debug, Clone, PartialEq)]
pub struct SymbolState {
    seed: u64,
    rng: SplitMix64,
    ln_ref: f64,
    ln_price: f64,
    steps: u64,
    /// Time of the last step (epoch ms).
    pub last_ms: i64,
    ltp: f64,
    open: f64,
    high: f64,
    low: f64,
    prev_close: f64,
    volume: f64,
    ltq: f64,
    oi: f64,
}

impl SymbolState {
    /// A fresh state for `inst`, as of `now_ms`: previous close and open are drawn around the
    /// reference price.
    pub fn new(inst: &Instrument, now_ms: i64) -> Self {
        let seed = seed_of(&format!("{}:{}", inst.exchange, inst.symbol));
        let mut rng = SplitMix64::new(seed);
        let tick = inst.tick_size;
        let reference = inst.reference_price;
        let prev_close = round_to_tick(reference * (1.0 + 0.008 * rng.normal()), tick).max(tick);
        let open = round_to_tick(prev_close * (1.0 + 0.004 * rng.normal()), tick).max(tick);
        let base = typical_trade(inst);
        let oi = if inst.kind == InstrumentKind::Future {
            (inst.lot_size * (80_000.0 + 40_000.0 * rng.next_f64())).round()
        } else {
            0.0
        };
        Self {
            seed,
            ln_ref: reference.ln(),
            ln_price: open.ln(),
            steps: 0,
            last_ms: now_ms - now_ms.rem_euclid(STEP_MS),
            ltp: open,
            open,
            high: open,
            low: open,
            prev_close,
            volume: round_qty(base * (500.0 + 500.0 * rng.next_f64())),
            ltq: base,
            oi,
            rng,
        }
    }

    /// Advances the process to `now_ms`; returns how many steps it took.
    pub fn advance_to(&mut self, inst: &Instrument, now_ms: i64) -> i64 {
        let due = (now_ms - self.last_ms).div_euclid(STEP_MS);
        if due <= 0 {
            return 0;
        }
        let steps = due.min(MAX_STEPS);
        let (sigma, _) = params(inst.kind);
        let base = typical_trade(inst);
        for _ in 0..steps {
            let z = self.rng.normal();
            self.ln_price += KAPPA * (self.ln_ref - self.ln_price) + sigma * z;
            self.ltp = round_to_tick(self.ln_price.exp(), inst.tick_size).max(inst.tick_size);
            self.high = self.high.max(self.ltp);
            self.low = self.low.min(self.ltp);
            let size = base * (0.2 + 2.0 * self.rng.next_f64());
            self.ltq = round_qty(((size / inst.lot_size).round().max(1.0)) * inst.lot_size);
            self.volume = round_qty(self.volume + self.ltq);
            self.steps += 1;
        }
        self.last_ms += due * STEP_MS;
        steps
    }

    /// The quote now.
    pub fn quote(&self, inst: &Instrument) -> Quote {
        let (bid, ask) = if inst.kind == InstrumentKind::Index {
            (0.0, 0.0)
        } else {
            let (_, half) = params(inst.kind);
            let ticks = (self.ltp * half / inst.tick_size).round().max(1.0);
            let bid = round_to_tick(self.ltp - ticks * inst.tick_size, inst.tick_size);
            let ask = round_to_tick(self.ltp + ticks * inst.tick_size, inst.tick_size);
            (bid.max(inst.tick_size), ask)
        };
        Quote {
            symbol: inst.symbol.clone(),
            exchange: inst.exchange,
            ltp: self.ltp,
            bid,
            ask,
            open: self.open,
            high: self.high,
            low: self.low,
            prev_close: self.prev_close,
            volume: self.volume,
            ltq: self.ltq,
            oi: self.oi,
            timestamp: self.last_ms,
        }
    }

    /// Five levels each side, stepping one tick away from the touch; quantities are a pure hash of
    /// (symbol, step, level), so the same state always shows the same book.
    pub fn depth(&self, inst: &Instrument) -> Depth {
        let quote = self.quote(inst);
        let base = typical_trade(inst) * 4.0;
        let level = |side: u64, i: u64, price: f64| {
            if quote.bid == 0.0 {
                return DepthLevel {
                    price: 0.0,
                    quantity: 0.0,
                    orders: 0,
                };
            }
            let h = mix(self.seed ^ self.steps.wrapping_mul(31) ^ (side << 8) ^ i);
            let factor = 0.3 + (h % 1000) as f64 / 400.0;
            let qty = ((base * factor / inst.lot_size).round().max(1.0)) * inst.lot_size;
            DepthLevel {
                price: round_to_tick(price, inst.tick_size),
                quantity: round_qty(qty),
                orders: 1 + (h >> 20) as u32 % 25,
            }
        };
        let bids: Vec<DepthLevel> = (0..5u64)
            .map(|i| level(0, i, quote.bid - i as f64 * inst.tick_size))
            .collect();
        let asks: Vec<DepthLevel> = (0..5u64)
            .map(|i| level(1, i, quote.ask + i as f64 * inst.tick_size))
            .collect();
        let totalbuyqty = round_qty(bids.iter().map(|l| l.quantity).sum::<f64>() * 40.0);
        let totalsellqty = round_qty(asks.iter().map(|l| l.quantity).sum::<f64>() * 40.0);
        Depth {
            quote,
            bids,
            asks,
            totalbuyqty,
            totalsellqty,
        }
    }
}

/// A typical trade size: about ₹50,000 of notional (whole lots; at least one lot).
fn typical_trade(inst: &Instrument) -> f64 {
    let lots = (50_000.0 / (inst.reference_price * inst.lot_size)).max(1.0);
    round_qty(lots.round().max(1.0) * inst.lot_size)
}

#[cfg(test)]
mod tests;
