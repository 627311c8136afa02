use chrono::NaiveDate;

use super::*;
use crate::instruments::InstrumentMaster;
use crate::types::Exchange;

fn inst(symbol: &str, exchange: Exchange) -> std::sync::Arc<Instrument> {
    InstrumentMaster::builtin(NaiveDate::from_ymd_opt(2026, 11, 22).unwrap())
        .unwrap()
        .lookup(symbol, exchange)
        .unwrap()
}

const T0: i64 = 1_795_000_000_000;

#[test]
fn advancing_in_pieces_equals_advancing_at_once() {
    let i = inst("RELIANCE", Exchange::Nse);
    let mut a = SymbolState::new(&i, T0);
    let mut b = a.clone();
    a.advance_to(&i, T0 + 60_000);
    for k in 1..=120 {
        b.advance_to(&i, T0 + k * 500 + 17);
    }
    assert_eq!(a.quote(&i), b.quote(&i));
    assert_eq!(a.depth(&i), b.depth(&i));
}

#[test]
fn the_process_is_seeded_by_the_symbol() {
    let r = inst("RELIANCE", Exchange::Nse);
    let t = inst("TCS", Exchange::Nse);
    let mut a = SymbolState::new(&r, T0);
    let mut b = SymbolState::new(&r, T0 + 3);
    a.advance_to(&r, T0 + 10_000);
    b.advance_to(&r, T0 + 10_003);
    assert_eq!(a.quote(&r).ltp, b.quote(&r).ltp);
    let mut c = SymbolState::new(&t, T0);
    c.advance_to(&t, T0 + 10_000);
    assert_ne!(c.quote(&t).ltp, a.quote(&r).ltp);
}

#[test]
fn prices_stay_near_the_reference_and_quotes_are_consistent() {
    for (symbol, exchange) in [
        ("RELIANCE", Exchange::Nse),
        ("YESBANK", Exchange::Bse),
        ("BTCUSDT", Exchange::Crypto),
        ("NIFTY24NOV26FUT", Exchange::Nfo),
    ] {
        let i = inst(symbol, exchange);
        let mut s = SymbolState::new(&i, T0);
        let mut vol = s.quote(&i).volume;
        for k in 1..50 {
            s.advance_to(&i, T0 + k * 1_000_000);
            let q = s.quote(&i);
            assert!(q.bid < q.ltp && q.ltp < q.ask, "{q:?}");
            assert!(q.low <= q.ltp && q.ltp <= q.high, "{q:?}");
            assert!(q.volume > vol);
            vol = q.volume;
            let dev = (q.ltp / i.reference_price - 1.0).abs();
            assert!(dev < 0.15, "{symbol} drifted {dev}");
        }
        let d = s.depth(&i);
        assert_eq!((d.bids.len(), d.asks.len()), (5, 5));
        assert_eq!(d.bids[0].price, d.quote.bid);
        assert!(d.asks[4].price > d.asks[0].price && d.bids[4].price < d.bids[0].price);
        assert!(d.bids.iter().all(|l| l.quantity > 0.0 && l.orders > 0));
        if exchange == Exchange::Nfo {
            assert!(d.quote.oi > 0.0);
            assert_eq!(d.bids[0].quantity % 65.0, 0.0);
        }
    }
}

#[test]
fn crypto_trades_in_fractional_sizes() {
    let i = inst("BTCUSDT", Exchange::Crypto);
    let mut s = SymbolState::new(&i, T0);
    s.advance_to(&i, T0 + 5_000);
    let q = s.quote(&i);
    assert!(q.ltq.fract() != 0.0, "{}", q.ltq);
}

#[test]
fn indices_have_no_book() {
    let i = inst("NIFTY", Exchange::NseIndex);
    let s = SymbolState::new(&i, T0);
    let q = s.quote(&i);
    assert_eq!((q.bid, q.ask), (0.0, 0.0));
    assert!(s
        .depth(&i)
        .bids
        .iter()
        .all(|l| l.price == 0.0 && l.quantity == 0.0));
}
