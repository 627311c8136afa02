use super::*;

fn master() -> InstrumentMaster {
    InstrumentMaster::builtin(NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()).unwrap()
}

#[test]
fn shipped_data_parses_with_at_least_500_equities_on_each_cash_exchange() {
    let m = master();
    assert!(m.count(Exchange::Nse) >= 500, "{}", m.count(Exchange::Nse));
    assert!(m.count(Exchange::Bse) >= 500, "{}", m.count(Exchange::Bse));
    assert!(m.count(Exchange::Crypto) >= 10);
    assert_eq!(m.count(Exchange::Nfo), 6);
    let reliance = m.lookup("RELIANCE", Exchange::Nse).unwrap();
    assert_eq!((reliance.lot_size, reliance.tick_size), (1.0, 0.05));
    assert!(m.lookup("RELIANCE", Exchange::Bse).is_ok());
    assert_eq!(m.lookup("YESBANK", Exchange::Nse).unwrap().tick_size, 0.01);
}

#[test]
fn every_instrument_has_a_positive_price_on_its_tick_grid() {
    for i in master().iter() {
        assert!(
            i.reference_price > 0.0 && i.tick_size > 0.0 && i.lot_size > 0.0,
            "{i:?}"
        );
        let steps = i.reference_price / i.tick_size;
        assert!((steps - steps.round()).abs() < 1e-6, "{i:?}");
    }
}

#[test]
fn index_futures_are_generated_for_the_current_and_next_expiries() {
    let m = master();
    let fut = m.lookup("NIFTY24NOV26FUT", Exchange::Nfo).unwrap();
    assert_eq!(fut.lot_size, 65.0);
    assert_eq!(fut.kind, InstrumentKind::Future);
    let index = m.lookup("NIFTY", Exchange::NseIndex).unwrap();
    assert!(fut.reference_price >= index.reference_price);
    assert!(m.lookup("NIFTY29DEC26FUT", Exchange::Nfo).is_ok());
    assert_eq!(
        m.lookup("BANKNIFTY29DEC26FUT", Exchange::Nfo)
            .unwrap()
            .lot_size,
        30.0
    );
    assert!(m.lookup("BANKNIFTY", Exchange::NseIndex).is_ok());
}

#[test]
fn unknown_symbols_get_the_contracts_message() {
    let err = master().lookup("NOPE", Exchange::Nse).unwrap_err();
    assert_eq!(err.to_string(), "Symbol 'NOPE' not found for exchange 'NSE'. Please verify the symbol name and ensure master contracts are downloaded.");
}

#[test]
fn crypto_pairs_allow_fractional_steps() {
    let btc = master().lookup("BTCUSDT", Exchange::Crypto).unwrap();
    assert_eq!(btc.lot_size, 0.001);
}
