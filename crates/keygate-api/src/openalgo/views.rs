//! Broker data in the contract's wire shapes (§5.8–§5.17). The live ledger answers in the live
//! shapes; the analyzer's sandbox adds its extra fields. Times are shown in IST, money at 2 dp,
//! whole quantities as JSON integers.

use chrono::{DateTime, NaiveDateTime, Utc};
use keygate_broker::num::round2;
use keygate_broker::{
    Depth, DepthLevel, Funds, Holding, Ledger, Order, OrderStatus, Position, PriceType, Quote,
    Trade,
};
use serde_json::{json, Map, Value};

/// Money at 2 dp, without a negative zero.
fn money(x: f64) -> f64 {
    round2(x) + 0.0
}

/// The time in IST (UTC+05:30, no daylight saving).
fn ist(t: &DateTime<Utc>) -> NaiveDateTime {
    t.naive_utc() + chrono::Duration::minutes(330)
}

/// A quantity as the wire shows it: an integer when whole.
pub fn qty(q: f64) -> Value {
    if q.fract() == 0.0 && q.abs() < 9.0e15 {
        json!(q as i64)
    } else {
        json!(q)
    }
}

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// An order book row.
pub fn order_row(o: &Order, ledger: Ledger) -> Map<String, Value> {
    let price = if o.pricetype == PriceType::Market {
        0.0
    } else {
        money(o.price)
    };
    let mut row = obj(json!({
        "action": o.action.as_str(),
        "exchange": o.exchange.as_str(),
        "order_status": o.order_status.as_str(),
        "orderid": o.orderid,
        "price": price,
        "pricetype": o.pricetype.as_str(),
        "product": o.product.as_str(),
        "quantity": qty(o.quantity),
        "symbol": o.symbol,
        "trigger_price": money(o.trigger_price),
    }));
    match ledger {
        Ledger::Live => {
            row.insert(
                "timestamp".into(),
                json!(ist(&o.timestamp).format("%d-%b-%Y %H:%M:%S").to_string()),
            );
        }
        Ledger::Analyze => {
            row.insert(
                "timestamp".into(),
                json!(ist(&o.timestamp).format("%Y-%m-%d %H:%M:%S").to_string()),
            );
            row.insert("average_price".into(), json!(money(o.average_price)));
            row.insert("filled_quantity".into(), qty(o.filled_quantity));
            row.insert("pending_quantity".into(), qty(o.pending_quantity));
            row.insert(
                "rejection_reason".into(),
                json!(o.rejection_reason.clone().unwrap_or_default()),
            );
            row.insert("strategy".into(), json!(o.strategy));
        }
    }
    row
}

/// §5.10 `data`: orders and statistics.
pub fn order_book(orders: &[Order], ledger: Ledger) -> Value {
    let count = |f: &dyn Fn(&Order) -> bool| orders.iter().filter(|o| f(o)).count();
    let mut stats = obj(json!({
        "total_buy_orders": count(&|o| o.action == keygate_broker::Action::Buy),
        "total_sell_orders": count(&|o| o.action == keygate_broker::Action::Sell),
        "total_completed_orders": count(&|o| o.order_status == OrderStatus::Complete),
        "total_open_orders": count(&|o| o.order_status == OrderStatus::Open),
        "total_rejected_orders": count(&|o| o.order_status == OrderStatus::Rejected),
    }));
    if ledger == Ledger::Analyze {
        stats.insert(
            "total_trigger_pending_orders".into(),
            json!(count(&|o| o.order_status == OrderStatus::TriggerPending)),
        );
    }
    let rows: Vec<Value> = orders
        .iter()
        .map(|o| Value::Object(order_row(o, ledger)))
        .collect();
    json!({"orders": rows, "statistics": stats})
}

/// §5.8 `data`: the order book row plus `average_price` (and the sandbox's extras).
pub fn order_status(o: &Order, ledger: Ledger) -> Value {
    let mut row = order_row(o, ledger);
    let avg = if o.order_status == OrderStatus::Complete {
        money(o.average_price)
    } else {
        0.0
    };
    row.insert("average_price".into(), json!(avg));
    Value::Object(row)
}

/// §5.11 rows.
pub fn trade_book(trades: &[Trade], ledger: Ledger) -> Value {
    trades
        .iter()
        .map(|t| {
            let mut row = obj(json!({
                "action": t.action.as_str(),
                "average_price": money(t.average_price),
                "exchange": t.exchange.as_str(),
                "orderid": t.orderid,
                "product": t.product.as_str(),
                "quantity": qty(t.quantity),
                "symbol": t.symbol,
                "trade_value": money(t.trade_value),
            }));
            match ledger {
                Ledger::Live => {
                    row.insert(
                        "timestamp".into(),
                        json!(ist(&t.timestamp).format("%H:%M:%S").to_string()),
                    );
                }
                Ledger::Analyze => {
                    row.insert(
                        "timestamp".into(),
                        json!(ist(&t.timestamp).format("%Y-%m-%d %H:%M:%S").to_string()),
                    );
                    row.insert("tradeid".into(), json!(t.tradeid));
                    row.insert("price".into(), json!(money(t.average_price)));
                    row.insert("strategy".into(), json!(t.strategy));
                }
            }
            Value::Object(row)
        })
        .collect()
}

/// §5.12: the rows, and (sandbox) the top-level totals to add next to `data`.
pub fn position_book(positions: &[Position], ledger: Ledger) -> (Value, Map<String, Value>) {
    let rows: Vec<Value> = positions
        .iter()
        .map(|p| {
            let mut row = obj(json!({
                "average_price": money(p.average_price),
                "exchange": p.exchange.as_str(),
                "ltp": money(p.ltp),
                "pnl": money(p.pnl),
                "product": p.product.as_str(),
                "quantity": qty(p.quantity),
                "symbol": p.symbol,
            }));
            if ledger == Ledger::Analyze {
                row.insert("pnlpercent".into(), json!(money(p.pnlpercent)));
                row.insert("unrealized_pnl".into(), json!(money(p.unrealized_pnl)));
                row.insert("today_realized_pnl".into(), json!(money(p.realized_pnl)));
                row.insert("total_pnl_today".into(), json!(money(p.pnl)));
                row.insert("lot_size".into(), qty(p.lot_size));
            }
            Value::Object(row)
        })
        .collect();
    let mut totals = Map::new();
    if ledger == Ledger::Analyze {
        let sum = |f: fn(&Position) -> f64| money(positions.iter().map(f).sum());
        totals.insert("total_pnl".into(), json!(sum(|p| p.pnl)));
        totals.insert(
            "total_unrealized_pnl".into(),
            json!(sum(|p| p.unrealized_pnl)),
        );
        totals.insert(
            "total_today_realized_pnl".into(),
            json!(sum(|p| p.realized_pnl)),
        );
        totals.insert("total_pnl_today".into(), json!(sum(|p| p.pnl)));
    }
    (Value::Array(rows), totals)
}

/// §5.13 `data`: holdings and statistics.
pub fn holdings(holdings: &[Holding], ledger: Ledger) -> Value {
    let rows: Vec<Value> = holdings
        .iter()
        .map(|h| {
            let mut row = obj(json!({
                "exchange": h.exchange.as_str(),
                "pnl": money(h.pnl),
                "pnlpercent": money(h.pnlpercent),
                "product": h.product.as_str(),
                "quantity": qty(h.quantity),
                "symbol": h.symbol,
            }));
            if ledger == Ledger::Analyze {
                row.insert("average_price".into(), json!(money(h.average_price)));
                row.insert("ltp".into(), json!(money(h.ltp)));
                row.insert("current_value".into(), json!(money(h.current_value)));
                row.insert("settlement_date".into(), Value::Null);
            }
            Value::Object(row)
        })
        .collect();
    let value: f64 = holdings.iter().map(|h| h.current_value).sum();
    let invested: f64 = holdings.iter().map(|h| h.quantity * h.average_price).sum();
    let pnl = value - invested;
    let pct = if invested > 0.0 {
        pnl / invested * 100.0
    } else {
        0.0
    };
    json!({"holdings": rows, "statistics": {
        "totalholdingvalue": money(value),
        "totalinvvalue": money(invested),
        "totalpnlpercentage": money(pct),
        "totalprofitandloss": money(pnl),
    }})
}

/// §5.14 `data`: "%.2f" strings live, floats plus extras in the sandbox.
pub fn funds(f: &Funds, ledger: Ledger) -> Value {
    let base = [
        ("availablecash", f.availablecash),
        ("collateral", f.collateral),
        ("m2mrealized", f.m2mrealized),
        ("m2munrealized", f.m2munrealized),
        ("utiliseddebits", f.utiliseddebits),
    ];
    match ledger {
        Ledger::Live => Value::Object(
            base.iter()
                .map(|(k, v)| ((*k).to_owned(), json!(format!("{:.2}", money(*v)))))
                .collect(),
        ),
        Ledger::Analyze => {
            let mut m: Map<String, Value> = base
                .iter()
                .map(|(k, v)| ((*k).to_owned(), json!(money(*v))))
                .collect();
            m.insert(
                "total_realized_pnl".into(),
                json!(money(f.total_realized_pnl)),
            );
            m.insert("today_realized_pnl".into(), json!(money(f.m2mrealized)));
            m.insert("grossexposure".into(), json!(money(f.grossexposure)));
            m.insert("totalpnl".into(), json!(money(f.totalpnl)));
            m.insert("last_reset".into(), Value::Null);
            m.insert("reset_count".into(), json!(0));
            Value::Object(m)
        }
    }
}

/// §5.15 `data`.
pub fn quote(q: &Quote) -> Value {
    json!({
        "ask": q.ask, "bid": q.bid, "high": q.high, "low": q.low, "ltp": q.ltp, "oi": qty(q.oi),
        "open": q.open, "prev_close": q.prev_close, "volume": qty(q.volume),
    })
}

fn levels(levels: &[DepthLevel]) -> Vec<Value> {
    let mut out: Vec<Value> = levels
        .iter()
        .take(5)
        .map(|l| json!({"price": l.price, "quantity": qty(l.quantity)}))
        .collect();
    while out.len() < 5 {
        out.push(json!({"price": 0, "quantity": 0}));
    }
    out
}

/// §5.17 `data`: five levels a side, padded with zeros.
pub fn depth(d: &Depth) -> Value {
    let q = &d.quote;
    json!({
        "asks": levels(&d.asks), "bids": levels(&d.bids), "high": q.high, "low": q.low,
        "ltp": q.ltp, "ltq": qty(q.ltq), "oi": qty(q.oi), "open": q.open,
        "prev_close": q.prev_close, "totalbuyqty": qty(d.totalbuyqty),
        "totalsellqty": qty(d.totalsellqty), "volume": qty(q.volume),
    })
}
