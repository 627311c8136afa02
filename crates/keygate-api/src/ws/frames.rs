//! The server → client `market_data` frames (contract §9): one envelope, mode-specific `data`.
//!
//! The paper market publishes a full book per tick; each subscriber gets it cut down to the mode
//! it subscribed with, tagged with that mode as a JSON integer (the SDK dispatches on it).

use keygate_broker::{Depth, DepthLevel};
use serde_json::{json, Value};

use super::protocol::Mode;

/// A quantity as the wire shows it: whole numbers as integers, fractions (crypto) as floats.
fn qty(value: f64) -> Value {
    if value.fract() == 0.0 && value.abs() < 9.0e15 {
        json!(value as i64)
    } else {
        json!(value)
    }
}

fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

fn levels(levels: &[DepthLevel], count: usize) -> Vec<Value> {
    (0..count)
        .map(|i| match levels.get(i) {
            Some(l) => json!({"price": l.price, "quantity": qty(l.quantity), "orders": l.orders}),
            // An index has no book: the levels are padded, as `/depth` pads them.
            None => json!({"price": 0.0, "quantity": 0, "orders": 0}),
        })
        .collect()
}

/// The `data` of a tick in `mode`.
pub fn data(tick: &Depth, mode: Mode) -> Value {
    let q = &tick.quote;
    match mode {
        Mode::Ltp => json!({"ltp": q.ltp, "timestamp": q.timestamp, "ltt": q.timestamp}),
        Mode::Quote => {
            let change = round2(q.ltp - q.prev_close);
            let change_percent = if q.prev_close > 0.0 {
                round2(change / q.prev_close * 100.0)
            } else {
                0.0
            };
            json!({
                "ltp": q.ltp,
                "open": q.open,
                "high": q.high,
                "low": q.low,
                "close": q.prev_close,
                "volume": qty(q.volume),
                "last_trade_quantity": qty(q.ltq),
                // The simulation keeps no traded value, so this is the session's typical price.
                "avg_trade_price": round2((q.high + q.low + q.ltp) / 3.0),
                "change": change,
                "change_percent": change_percent,
                "bid": q.bid,
                "ask": q.ask,
                "oi": qty(q.oi),
                "timestamp": q.timestamp,
            })
        }
        Mode::Depth => json!({
            "ltp": q.ltp,
            "open": q.open,
            "high": q.high,
            "low": q.low,
            "close": q.prev_close,
            "volume": qty(q.volume),
            "oi": qty(q.oi),
            "totalbuyqty": qty(tick.totalbuyqty),
            "totalsellqty": qty(tick.totalsellqty),
            "timestamp": q.timestamp,
            "depth": {
                "buy": levels(&tick.bids, super::protocol::SUPPORTED_DEPTH as usize),
                "sell": levels(&tick.asks, super::protocol::SUPPORTED_DEPTH as usize),
            },
        }),
    }
}

/// The whole `market_data` frame, serialised, naming the `broker` it comes from.
pub fn market_data(tick: &Depth, mode: Mode, broker: &str) -> String {
    json!({
        "type": "market_data",
        "symbol": tick.quote.symbol,
        "exchange": tick.quote.exchange,
        "mode": mode.number(),
        "broker": broker,
        "data": data(tick, mode),
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ws::protocol::BROKER;
    use keygate_broker::{Exchange, Quote};

    fn tick() -> Depth {
        let level = |price| DepthLevel {
            price,
            quantity: 10.0,
            orders: 2,
        };
        Depth {
            quote: Quote {
                symbol: "INFY".into(),
                exchange: Exchange::Nse,
                ltp: 101.0,
                bid: 100.95,
                ask: 101.05,
                open: 100.0,
                high: 102.0,
                low: 99.0,
                prev_close: 100.0,
                volume: 1234.0,
                ltq: 5.0,
                oi: 0.0,
                timestamp: 1_700_000_000_000,
            },
            bids: vec![level(100.95)],
            asks: vec![level(101.05)],
            totalbuyqty: 10.0,
            totalsellqty: 10.0,
        }
    }

    #[test]
    fn ticks_carry_an_integer_mode_and_the_fields_of_that_mode() {
        let frame: Value = serde_json::from_str(&market_data(&tick(), Mode::Ltp, BROKER)).unwrap();
        assert_eq!(frame["mode"], json!(1));
        assert_eq!(frame["exchange"], "NSE");
        assert_eq!(frame["data"]["ltp"], json!(101.0));
        assert!(frame["data"].get("depth").is_none());

        let quote = data(&tick(), Mode::Quote);
        assert_eq!(quote["change"], json!(1.0));
        assert_eq!(quote["change_percent"], json!(1.0));
        assert_eq!(quote["volume"], json!(1234));

        let depth = data(&tick(), Mode::Depth);
        let buy = depth["depth"]["buy"].as_array().unwrap();
        assert_eq!(buy.len(), 5);
        assert_eq!(buy[0]["orders"], json!(2));
        assert_eq!(buy[4]["price"], json!(0.0));
    }
}
