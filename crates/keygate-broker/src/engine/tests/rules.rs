use super::*;
use crate::error::{BrokerError, RuleViolation};
use Action::{Buy, Sell};
use PriceType::{Limit, Market, Sl, SlM};
use Product::{Cnc, Mis, Nrml};

fn rule(r: Result<Order, BrokerError>) -> RuleViolation {
    match r {
        Err(BrokerError::Rule(v)) => v,
        other => panic!("expected a rule violation, got {other:?}"),
    }
}

#[test]
fn the_sandbox_product_rules_hold() {
    let mut a = account();
    let nse = equity("RELIANCE", Exchange::Nse);
    let bse = equity("RELIANCE", Exchange::Bse);
    let fut = future();
    let btc = crypto();
    let q = |i: &Instrument| quote(i, 100.0);
    assert_eq!(
        rule(a.place(&req(&nse, Buy, Market, Nrml, 1.0), &nse, &q(&nse), now())).to_string(),
        "NRML product not allowed for NSE equity segment. Use CNC for delivery or MIS for intraday."
    );
    assert_eq!(
        rule(a.place(&req(&bse, Buy, Market, Nrml, 1.0), &bse, &q(&bse), now())),
        RuleViolation::NrmlOnEquity(Exchange::Bse)
    );
    assert_eq!(
        rule(a.place(&req(&fut, Buy, Market, Cnc, 65.0), &fut, &q(&fut), now())).to_string(),
        "CNC product not allowed for NFO derivatives segment. Use NRML for carryforward or MIS for intraday."
    );
    assert_eq!(
        rule(a.place(&req(&btc, Buy, Market, Cnc, 1.0), &btc, &q(&btc), now())),
        RuleViolation::CncOnDerivatives(Exchange::Crypto)
    );
    assert!(a.orders().is_empty());
}

#[test]
fn prices_and_triggers_are_required_by_pricetype() {
    let mut a = account();
    let i = equity("INFY", Exchange::Nse);
    let q = quote(&i, 100.0);
    let msg = |r| rule(r).to_string();
    assert_eq!(
        msg(a.place(&req(&i, Buy, Limit, Mis, 1.0), &i, &q, now())),
        "LIMIT orders require price"
    );
    assert_eq!(
        msg(a.place(
            &with_price(req(&i, Buy, Sl, Mis, 1.0), 0.0, 101.0),
            &i,
            &q,
            now()
        )),
        "SL orders require price"
    );
    assert_eq!(
        msg(a.place(
            &with_price(req(&i, Buy, Sl, Mis, 1.0), 101.0, 0.0),
            &i,
            &q,
            now()
        )),
        "SL orders require trigger_price"
    );
    assert_eq!(
        msg(a.place(&req(&i, Sell, SlM, Mis, 1.0), &i, &q, now())),
        "SL-M orders require trigger_price"
    );
    // MARKET ignores stray prices.
    let o = a
        .place(
            &with_price(req(&i, Buy, Market, Mis, 1.0), 5.0, 6.0),
            &i,
            &q,
            now(),
        )
        .unwrap();
    assert_eq!((o.price, o.trigger_price), (0.0, 0.0));
}

#[test]
fn futures_trade_in_whole_lots_and_equities_in_whole_shares() {
    let mut a = account();
    let f = future();
    let q = quote(&f, 26000.0);
    assert_eq!(
        rule(a.place(&req(&f, Buy, Market, Nrml, 100.0), &f, &q, now())).to_string(),
        "Quantity must be in multiples of lot size 65"
    );
    let o = a
        .place(&req(&f, Buy, Market, Mis, 130.0), &f, &q, now())
        .unwrap();
    assert_eq!(o.order_status, OrderStatus::Complete);
    let i = equity("INFY", Exchange::Nse);
    assert_eq!(
        rule(a.place(
            &req(&i, Buy, Market, Mis, 1.5),
            &i,
            &quote(&i, 100.0),
            now()
        ))
        .to_string(),
        "Fractional quantity (1.5) is not allowed for non-crypto exchanges."
    );
    assert_eq!(
        rule(a.place(
            &req(&i, Buy, Market, Mis, 0.0),
            &i,
            &quote(&i, 100.0),
            now()
        )),
        RuleViolation::QuantityNotPositive
    );
}

#[test]
fn indices_cannot_be_traded() {
    let mut a = account();
    let mut idx = equity("NIFTY", Exchange::NseIndex);
    idx.kind = crate::instruments::InstrumentKind::Index;
    let r = a.place(
        &req(&idx, Buy, Market, Mis, 1.0),
        &idx,
        &quote(&idx, 26000.0),
        now(),
    );
    assert!(matches!(rule(r), RuleViolation::IndexNotTradable { .. }));
}
