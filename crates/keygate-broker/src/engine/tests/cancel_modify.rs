use super::*;
use crate::error::{BrokerError, RuleViolation};
use Action::{Buy, Sell};
use PriceType::{Limit, Market, Sl, SlM};
use Product::{Cnc, Mis};

fn modify(
    orderid: &str,
    pricetype: PriceType,
    quantity: f64,
    price: f64,
    trigger: f64,
) -> ModifyRequest {
    ModifyRequest {
        orderid: orderid.into(),
        pricetype,
        quantity,
        price,
        trigger_price: trigger,
        disclosed_quantity: 0,
    }
}

#[test]
fn only_working_orders_can_be_cancelled() {
    let mut a = account();
    let i = equity("WIPRO", Exchange::Nse);
    let q = quote(&i, 250.0);
    let done = a
        .place(&req(&i, Buy, Market, Mis, 1.0), &i, &q, now())
        .unwrap();
    assert_eq!(
        a.cancel(&done.orderid, now()).unwrap_err().to_string(),
        "Cannot cancel order in complete status"
    );
    let open = a
        .place(
            &with_price(req(&i, Buy, Limit, Mis, 1.0), 200.0, 0.0),
            &i,
            &q,
            now(),
        )
        .unwrap();
    let c = a.cancel(&open.orderid, now()).unwrap();
    assert_eq!(
        (c.order_status, c.pending_quantity),
        (OrderStatus::Cancelled, 0.0)
    );
    assert_eq!(
        a.cancel(&open.orderid, now()).unwrap_err(),
        BrokerError::Rule(RuleViolation::CannotCancel(OrderStatus::Cancelled))
    );
    let missing = a.cancel("26112200000000", now()).unwrap_err();
    assert_eq!(missing.to_string(), "Order 26112200000000 not found");
    assert_eq!(missing.kind(), crate::error::ErrorKind::NotFound);
    // A cancelled order never fills.
    assert!(a.process_tick(&quote(&i, 150.0), now()).is_empty());
    assert_balanced(&a);
}

#[test]
fn modify_changes_quantity_price_and_trigger_of_working_orders_only() {
    let mut a = account();
    let i = equity("WIPRO", Exchange::Nse);
    let q = quote(&i, 250.0);
    let o = a
        .place(
            &with_price(req(&i, Buy, Limit, Mis, 10.0), 200.0, 0.0),
            &i,
            &q,
            now(),
        )
        .unwrap();
    let m = a
        .modify(&modify(&o.orderid, Limit, 20.0, 210.0, 0.0), &i, &q, now())
        .unwrap();
    assert_eq!(
        (m.quantity, m.price, m.order_status),
        (20.0, 210.0, OrderStatus::Open)
    );
    assert_eq!(m.blocked_margin, 0.2 * 20.0 * 210.0);
    assert_eq!(a.state().used_margin, 840.0);
    // Modified into the market: fills at once at the ask.
    let m = a
        .modify(&modify(&o.orderid, Limit, 20.0, 260.0, 0.0), &i, &q, now())
        .unwrap();
    assert_eq!(
        (m.order_status, m.average_price),
        (OrderStatus::Complete, 250.05)
    );
    assert_eq!(
        a.modify(&modify(&o.orderid, Limit, 1.0, 1.0, 0.0), &i, &q, now())
            .unwrap_err()
            .to_string(),
        "Cannot modify order in complete status"
    );
    assert!(matches!(
        a.modify(&modify("nope", Limit, 1.0, 1.0, 0.0), &i, &q, now()),
        Err(BrokerError::OrderNotFound(_))
    ));
    assert_balanced(&a);
}

#[test]
fn modify_rechecks_rules_and_funds_and_keeps_the_order_on_failure() {
    let mut a = Account::open(1, Ledger::Analyze, 10_000.0, now());
    let i = equity("WIPRO", Exchange::Nse);
    let q = quote(&i, 250.0);
    let o = a
        .place(
            &with_price(req(&i, Sell, Sl, Mis, 10.0), 240.0, 241.0),
            &i,
            &q,
            now(),
        )
        .unwrap();
    let err = a
        .modify(&modify(&o.orderid, Sl, 10.0, 0.0, 241.0), &i, &q, now())
        .unwrap_err();
    assert_eq!(err.to_string(), "SL orders require price");
    let err = a
        .modify(&modify(&o.orderid, Sl, 1000.0, 240.0, 241.0), &i, &q, now())
        .unwrap_err();
    assert!(err.to_string().starts_with("Insufficient funds"), "{err}");
    let kept = a.order(&o.orderid).unwrap();
    assert_eq!((kept.quantity, kept.blocked_margin), (10.0, 480.0));
    let m = a
        .modify(&modify(&o.orderid, Sl, 20.0, 239.0, 240.0), &i, &q, now())
        .unwrap();
    assert_eq!(
        (m.order_status, m.price, m.trigger_price),
        (OrderStatus::TriggerPending, 239.0, 240.0)
    );
    assert_balanced(&a);
}

#[test]
fn a_limit_modified_to_market_fills_at_once_at_the_touch() {
    let mut a = account();
    let i = equity("WIPRO", Exchange::Nse);
    let q = quote(&i, 250.0);
    let o = a
        .place(
            &with_price(req(&i, Buy, Limit, Mis, 10.0), 200.0, 0.0),
            &i,
            &q,
            now(),
        )
        .unwrap();
    assert_eq!(a.state().used_margin, 0.2 * 10.0 * 200.0);
    let m = a
        .modify(&modify(&o.orderid, Market, 10.0, 200.0, 0.0), &i, &q, now())
        .unwrap();
    assert_eq!(
        (m.pricetype, m.order_status, m.price, m.average_price),
        (Market, OrderStatus::Complete, 0.0, 250.05)
    );
    assert_eq!(a.trades().len(), 1);
    assert_eq!(a.state().used_margin, 0.2 * 10.0 * 250.05);
    assert_balanced(&a);
}

#[test]
fn a_modify_to_market_the_account_cannot_carry_is_refused_and_keeps_the_order() {
    let mut a = Account::open(1, Ledger::Live, 10_000.0, now());
    let i = equity("WIPRO", Exchange::Nse);
    let q = quote(&i, 250.0);
    // Resting at 100: 40 × 100 × 20 % = 800 blocked; 250 at the ask would need 12,502.50.
    let o = a
        .place(
            &with_price(req(&i, Buy, Limit, Mis, 40.0), 100.0, 0.0),
            &i,
            &q,
            now(),
        )
        .unwrap();
    let err = a
        .modify(&modify(&o.orderid, Market, 250.0, 0.0, 0.0), &i, &q, now())
        .unwrap_err();
    assert!(err.to_string().starts_with("Insufficient funds"), "{err}");
    let kept = a.order(&o.orderid).unwrap();
    assert_eq!(
        (kept.pricetype, kept.quantity, kept.order_status),
        (Limit, 40.0, OrderStatus::Open)
    );
    assert_eq!(kept.blocked_margin, 800.0);
    assert!(a.trades().is_empty());
    assert_balanced(&a);
}

#[test]
fn a_stop_modified_to_limit_stops_waiting_for_its_trigger_and_a_limit_to_stop_starts() {
    let mut a = account();
    let i = equity("WIPRO", Exchange::Nse);
    let q = quote(&i, 250.0);
    let stop = a
        .place(
            &with_price(req(&i, Sell, SlM, Mis, 10.0), 0.0, 240.0),
            &i,
            &q,
            now(),
        )
        .unwrap();
    assert_eq!(stop.order_status, OrderStatus::TriggerPending);
    let limit = a
        .modify(
            &modify(&stop.orderid, Limit, 10.0, 260.0, 240.0),
            &i,
            &q,
            now(),
        )
        .unwrap();
    assert_eq!(
        (
            limit.pricetype,
            limit.order_status,
            limit.price,
            limit.trigger_price
        ),
        (Limit, OrderStatus::Open, 260.0, 0.0)
    );
    let sl = a
        .modify(
            &modify(&stop.orderid, Sl, 10.0, 235.0, 240.0),
            &i,
            &q,
            now(),
        )
        .unwrap();
    assert_eq!(
        (sl.pricetype, sl.order_status, sl.price, sl.trigger_price),
        (Sl, OrderStatus::TriggerPending, 235.0, 240.0)
    );
    // Not triggered at 245; at 238 triggered, and the bid is through its limit.
    assert!(a.process_tick(&quote(&i, 245.0), now()).is_empty());
    assert_eq!(
        a.process_tick(&quote(&i, 238.0), now()),
        vec![stop.orderid.clone()]
    );
    // A change to SL without a trigger breaks the SL rule and changes nothing.
    let o = a
        .place(
            &with_price(req(&i, Buy, Limit, Mis, 1.0), 200.0, 0.0),
            &i,
            &q,
            now(),
        )
        .unwrap();
    let err = a
        .modify(&modify(&o.orderid, SlM, 1.0, 0.0, 0.0), &i, &q, now())
        .unwrap_err();
    assert_eq!(err.to_string(), "SL-M orders require trigger_price");
    assert_eq!(a.order(&o.orderid).unwrap().pricetype, Limit);
    assert_balanced(&a);
}

#[test]
fn cancel_all_cancels_every_working_order() {
    let mut a = account();
    let i = equity("WIPRO", Exchange::Nse);
    let q = quote(&i, 250.0);
    a.place(&req(&i, Buy, Market, Cnc, 5.0), &i, &q, now())
        .unwrap();
    let l = a
        .place(
            &with_price(req(&i, Buy, Limit, Mis, 1.0), 200.0, 0.0),
            &i,
            &q,
            now(),
        )
        .unwrap();
    let s = a
        .place(
            &with_price(req(&i, Sell, Sl, Cnc, 5.0), 230.0, 231.0),
            &i,
            &q,
            now(),
        )
        .unwrap();
    let out = a.cancel_all(now());
    assert_eq!(out.canceled_orders, vec![l.orderid, s.orderid]);
    assert!(out.failed_cancellations.is_empty());
    assert!(!a.has_working_orders());
    assert!(a.cancel_all(now()).canceled_orders.is_empty());
    assert_balanced(&a);
}

#[test]
fn close_all_squares_off_every_open_position_at_market() {
    let mut a = account();
    let i = equity("WIPRO", Exchange::Nse);
    let f = future();
    a.place(
        &req(&i, Buy, Market, Mis, 5.0),
        &i,
        &quote(&i, 250.0),
        now(),
    )
    .unwrap();
    a.place(
        &req(&i, Buy, Market, Cnc, 3.0),
        &i,
        &quote(&i, 250.0),
        now(),
    )
    .unwrap();
    a.place(
        &req(&f, Sell, Market, Mis, 65.0),
        &f,
        &quote(&f, 26000.0),
        now(),
    )
    .unwrap();
    let (wi, fi) = (i.clone(), f.clone());
    let out = a.close_all(
        "closeposition",
        |s, _| {
            let inst = if s == wi.symbol {
                wi.clone()
            } else {
                fi.clone()
            };
            let q = quote(&inst, if s == wi.symbol { 260.0 } else { 25900.0 });
            Some((std::sync::Arc::new(inst), q))
        },
        now(),
    );
    assert_eq!(out.closed_positions(), 3);
    assert!(a.positions().all(|p| p.quantity == 0.0));
    assert_eq!(a.holdings().next().unwrap().quantity, 0.0);
    assert_eq!(a.state().used_margin, 0.0);
    assert!(a.state().realized_pnl > 0.0);
    assert!(
        a.orders()
            .iter()
            .filter(|o| o.strategy == "closeposition")
            .count()
            == 3
    );
    assert_balanced(&a);
}
