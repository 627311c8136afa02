use super::*;
use Action::{Buy, Sell};
use PriceType::{Limit, Market, Sl, SlM};
use Product::{Cnc, Mis, Nrml};

#[test]
fn market_orders_fill_at_once_at_the_ask_for_buy_and_the_bid_for_sell() {
    let mut a = account();
    let i = equity("RELIANCE", Exchange::Nse);
    let buy = a
        .place(
            &req(&i, Buy, Market, Mis, 10.0),
            &i,
            &quote(&i, 100.0),
            now(),
        )
        .unwrap();
    assert_eq!(buy.order_status, OrderStatus::Complete);
    assert_eq!(
        (buy.average_price, buy.filled_quantity, buy.pending_quantity),
        (100.05, 10.0, 0.0)
    );
    assert_eq!(buy.price, 0.0);
    let sell = a
        .place(
            &req(&i, Sell, Market, Mis, 4.0),
            &i,
            &quote(&i, 100.0),
            now(),
        )
        .unwrap();
    assert_eq!(sell.average_price, 99.95);
    assert_eq!(a.trades().len(), 2);
    assert_eq!(a.trades()[0].trade_value, 1000.5);
    assert_eq!(a.trades()[1].tradeid, format!("T{}", sell.orderid));
    assert_balanced(&a);
}

#[test]
fn a_marketable_limit_fills_at_once_at_the_touch() {
    let mut a = account();
    let i = equity("INFY", Exchange::Nse);
    let o = a
        .place(
            &with_price(req(&i, Buy, Limit, Mis, 1.0), 101.0, 0.0),
            &i,
            &quote(&i, 100.0),
            now(),
        )
        .unwrap();
    assert_eq!(
        (o.order_status, o.average_price, o.price),
        (OrderStatus::Complete, 100.05, 101.0)
    );
}

#[test]
fn a_resting_limit_stays_open_until_a_later_quote_crosses_it() {
    let mut a = account();
    let i = equity("INFY", Exchange::Nse);
    let o = a
        .place(
            &with_price(req(&i, Buy, Limit, Mis, 2.0), 99.0, 0.0),
            &i,
            &quote(&i, 100.0),
            now(),
        )
        .unwrap();
    assert_eq!(o.order_status, OrderStatus::Open);
    assert!(a.process_tick(&quote(&i, 99.5), now()).is_empty());
    // Ask 99.05 is still above 99.
    assert!(a.process_tick(&quote(&i, 99.0), now()).is_empty());
    let filled = a.process_tick(&quote(&i, 98.9), now());
    assert_eq!(filled, vec![o.orderid.clone()]);
    let done = a.order(&o.orderid).unwrap();
    assert_eq!(
        (done.order_status, done.average_price),
        (OrderStatus::Complete, 98.95)
    );
    // Quotes of other symbols never touch it.
    let mut b = account();
    b.place(
        &with_price(req(&i, Sell, Limit, Mis, 1.0), 101.0, 0.0),
        &i,
        &quote(&i, 100.0),
        now(),
    )
    .unwrap();
    assert!(b
        .process_tick(&quote(&equity("TCS", Exchange::Nse), 200.0), now())
        .is_empty());
    assert_eq!(b.process_tick(&quote(&i, 101.1), now()).len(), 1);
    assert_balanced(&a);
    assert_balanced(&b);
}

#[test]
fn sl_m_triggers_when_ltp_crosses_and_fills_at_market() {
    let mut a = account();
    let i = equity("SBIN", Exchange::Nse);
    let o = a
        .place(
            &with_price(req(&i, Sell, SlM, Mis, 5.0), 0.0, 95.0),
            &i,
            &quote(&i, 100.0),
            now(),
        )
        .unwrap();
    assert_eq!(o.order_status, OrderStatus::TriggerPending);
    assert_eq!((o.price, o.trigger_price), (0.0, 95.0));
    assert!(a.process_tick(&quote(&i, 95.05), now()).is_empty());
    assert_eq!(a.process_tick(&quote(&i, 94.9), now()).len(), 1);
    let done = a.order(&o.orderid).unwrap();
    assert_eq!(
        (done.order_status, done.average_price),
        (OrderStatus::Complete, 94.85)
    );
    assert_balanced(&a);
}

#[test]
fn sl_triggers_then_rests_as_a_limit_at_its_price() {
    let mut a = account();
    let i = equity("SBIN", Exchange::Nse);
    // Stop-buy above the market: trigger 105, limit 105.5.
    let o = a
        .place(
            &with_price(req(&i, Buy, Sl, Mis, 1.0), 105.5, 105.0),
            &i,
            &quote(&i, 100.0),
            now(),
        )
        .unwrap();
    assert_eq!(o.order_status, OrderStatus::TriggerPending);
    assert!(a.process_tick(&quote(&i, 104.9), now()).is_empty());
    // Gaps through both trigger and limit: triggered, but ask 106.05 > 105.5, so it rests open.
    assert!(a.process_tick(&quote(&i, 106.0), now()).is_empty());
    assert_eq!(a.order(&o.orderid).unwrap().order_status, OrderStatus::Open);
    assert_eq!(a.process_tick(&quote(&i, 105.4), now()).len(), 1);
    assert_eq!(a.order(&o.orderid).unwrap().average_price, 105.45);
    // An SL whose limit is marketable on trigger fills on the same tick.
    let o2 = a
        .place(
            &with_price(req(&i, Sell, Sl, Mis, 1.0), 99.0, 100.0),
            &i,
            &quote(&i, 101.0),
            now(),
        )
        .unwrap();
    assert_eq!(
        a.process_tick(&quote(&i, 99.9), now()),
        vec![o2.orderid.clone()]
    );
    assert_eq!(a.order(&o2.orderid).unwrap().average_price, 99.85);
    assert_balanced(&a);
}

#[test]
fn cnc_buys_become_holdings_at_once_and_cnc_sells_draw_them_down() {
    let mut a = account();
    let i = equity("ITC", Exchange::Bse);
    a.place(
        &req(&i, Buy, Market, Cnc, 10.0),
        &i,
        &quote(&i, 100.0),
        now(),
    )
    .unwrap();
    let h = a.holdings().next().unwrap();
    assert_eq!((h.quantity, h.average_price), (10.0, 100.05));
    a.place(
        &req(&i, Sell, Market, Cnc, 4.0),
        &i,
        &quote(&i, 110.0),
        now(),
    )
    .unwrap();
    assert_eq!(a.holdings().next().unwrap().quantity, 6.0);
    let views = a.holding_views(&|_: &str, _| Some((120.0, 1.0)));
    assert_eq!(views[0].pnl, round(6.0 * (120.0 - 100.05)));
    assert_balanced(&a);
}

fn round(x: f64) -> f64 {
    crate::types::num::round2(x)
}

#[test]
fn a_cnc_sell_without_holdings_is_stored_rejected_with_its_reason() {
    let mut a = account();
    let i = equity("ITC", Exchange::Nse);
    let err = a
        .place(
            &req(&i, Sell, Market, Cnc, 5.0),
            &i,
            &quote(&i, 100.0),
            now(),
        )
        .unwrap_err();
    let crate::error::BrokerError::Rejected { orderid, reason } = err else {
        panic!("expected a rejection, got {err:?}");
    };
    assert_eq!(reason, "Insufficient holdings to sell 5 ITC: 0 available");
    let stored = a.order(&orderid).unwrap();
    assert_eq!(stored.order_status, OrderStatus::Rejected);
    assert_eq!(stored.rejection_reason.as_deref(), Some(reason.as_str()));
    assert!(a.trades().is_empty());
    // Holdings promised to a working CNC SELL cannot be sold twice.
    a.place(
        &req(&i, Buy, Market, Cnc, 5.0),
        &i,
        &quote(&i, 100.0),
        now(),
    )
    .unwrap();
    a.place(
        &with_price(req(&i, Sell, Limit, Cnc, 5.0), 150.0, 0.0),
        &i,
        &quote(&i, 100.0),
        now(),
    )
    .unwrap();
    assert!(a
        .place(
            &req(&i, Sell, Market, Cnc, 1.0),
            &i,
            &quote(&i, 100.0),
            now()
        )
        .is_err());
    assert_balanced(&a);
}

#[test]
fn crypto_takes_fractional_quantities_in_its_step() {
    let mut a = account();
    let i = crypto();
    let o = a
        .place(
            &req(&i, Buy, Market, Nrml, 0.125),
            &i,
            &quote(&i, 100.0),
            now(),
        )
        .unwrap();
    assert_eq!(o.filled_quantity, 0.125);
    a.place(
        &req(&i, Sell, Market, Nrml, 0.025),
        &i,
        &quote(&i, 100.0),
        now(),
    )
    .unwrap();
    assert_eq!(a.positions().next().unwrap().quantity, 0.1);
    let err = a
        .place(
            &req(&i, Buy, Market, Nrml, 0.0005),
            &i,
            &quote(&i, 100.0),
            now(),
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Quantity must be in multiples of lot size 0.001"
    );
    assert_balanced(&a);
}

#[test]
fn order_ids_are_unique_and_in_the_sandbox_format() {
    let mut a = account();
    let i = equity("RELIANCE", Exchange::Nse);
    let mut ids = std::collections::HashSet::new();
    for _ in 0..50 {
        let o = a
            .place(
                &req(&i, Buy, Market, Mis, 1.0),
                &i,
                &quote(&i, 100.0),
                now(),
            )
            .unwrap();
        assert!(
            o.orderid.starts_with("261122") && o.orderid.len() == 14,
            "{}",
            o.orderid
        );
        assert!(ids.insert(o.orderid));
    }
}
