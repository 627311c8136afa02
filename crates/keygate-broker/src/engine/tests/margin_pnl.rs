use super::*;
use Action::{Buy, Sell};
use PriceType::{Limit, Market, SlM};
use Product::{Cnc, Mis, Nrml};

#[test]
fn realised_and_unrealised_pnl_follow_the_average_price() {
    let mut a = account();
    let i = equity("TCS", Exchange::Nse);
    a.place(
        &req(&i, Buy, Market, Mis, 10.0),
        &i,
        &quote(&i, 99.95),
        now(),
    )
    .unwrap(); // @100.00
    a.place(
        &req(&i, Buy, Market, Mis, 10.0),
        &i,
        &quote(&i, 109.95),
        now(),
    )
    .unwrap(); // @110.00
    let p = a.positions().next().unwrap().clone();
    assert_eq!((p.quantity, p.average_price), (20.0, 105.0));
    let views = a.position_views(&|_: &str, _| Some((107.0, 1.0)));
    assert_eq!((views[0].unrealized_pnl, views[0].pnl), (40.0, 40.0));
    // Sell 5 at the bid 120: realised 5 × 15.
    a.place(
        &req(&i, Sell, Market, Mis, 5.0),
        &i,
        &quote(&i, 120.05),
        now(),
    )
    .unwrap();
    let p = a.positions().next().unwrap().clone();
    assert_eq!(
        (p.quantity, p.average_price, p.realized_pnl),
        (15.0, 105.0, 75.0)
    );
    assert_eq!(a.state().realized_pnl, 75.0);
    // Flip to short: close 15 (+15 × -5) and open 5 short at 100.
    a.place(
        &req(&i, Sell, Market, Mis, 20.0),
        &i,
        &quote(&i, 100.05),
        now(),
    )
    .unwrap();
    let p = a.positions().next().unwrap().clone();
    assert_eq!(
        (p.quantity, p.average_price, p.realized_pnl),
        (-5.0, 100.0, 0.0)
    );
    let views = a.position_views(&|_: &str, _| Some((90.0, 1.0)));
    assert_eq!(views[0].unrealized_pnl, 50.0);
    let funds = a.funds_view(&|_: &str, _| Some((90.0, 1.0)));
    assert_eq!(
        (funds.m2mrealized, funds.m2munrealized, funds.totalpnl),
        (0.0, 50.0, 50.0)
    );
    assert_eq!(funds.grossexposure, 450.0);
    // Cover: flat, closed position stays listed with quantity 0.
    a.place(
        &req(&i, Buy, Market, Mis, 5.0),
        &i,
        &quote(&i, 89.95),
        now(),
    )
    .unwrap();
    let views = a.position_views(&|_: &str, _| Some((90.0, 1.0)));
    assert_eq!(
        (views[0].quantity, views[0].realized_pnl, views[0].pnl),
        (0.0, 50.0, 50.0)
    );
    assert_eq!(a.state().used_margin, 0.0);
    assert_eq!(a.state().available_cash, 10_000_050.0);
    assert_balanced(&a);
}

#[test]
fn margin_is_20_percent_for_mis_100_for_cnc_and_12_for_futures() {
    let i = equity("RELIANCE", Exchange::Nse);
    let mut a = account();
    a.place(
        &req(&i, Buy, Market, Mis, 100.0),
        &i,
        &quote(&i, 999.95),
        now(),
    )
    .unwrap();
    assert_eq!(a.state().used_margin, 20_000.0);
    a.place(
        &req(&i, Buy, Market, Cnc, 10.0),
        &i,
        &quote(&i, 999.95),
        now(),
    )
    .unwrap();
    assert_eq!(a.state().used_margin, 30_000.0);
    let f = future();
    a.place(
        &req(&f, Sell, Market, Nrml, 65.0),
        &f,
        &quote(&f, 26000.05),
        now(),
    )
    .unwrap();
    assert_eq!(a.state().used_margin, 30_000.0 + 0.12 * 65.0 * 26000.0);
    assert_eq!(
        a.state().available_cash,
        10_000_000.0 - a.state().used_margin
    );
    assert_balanced(&a);
}

#[test]
fn margin_is_blocked_while_an_order_works_and_released_on_cancel() {
    let mut a = account();
    let i = equity("HDFCBANK", Exchange::Nse);
    let o = a
        .place(
            &with_price(req(&i, Buy, Limit, Mis, 100.0), 900.0, 0.0),
            &i,
            &quote(&i, 1000.0),
            now(),
        )
        .unwrap();
    assert_eq!(o.blocked_margin, 18_000.0);
    assert_eq!(a.state().available_cash, 9_982_000.0);
    let sl = a
        .place(
            &with_price(req(&i, Sell, SlM, Mis, 10.0), 0.0, 950.0),
            &i,
            &quote(&i, 1000.0),
            now(),
        )
        .unwrap();
    assert_eq!(sl.blocked_margin, 1_900.0);
    a.cancel(&o.orderid, now()).unwrap();
    a.cancel(&sl.orderid, now()).unwrap();
    assert_eq!(
        (a.state().available_cash, a.state().used_margin),
        (10_000_000.0, 0.0)
    );
    assert_balanced(&a);
}

#[test]
fn reducing_orders_need_no_margin_and_exits_release_it() {
    let mut a = Account::open(1, Ledger::Live, 30_000.0, now());
    let i = equity("LT", Exchange::Nse);
    a.place(
        &req(&i, Buy, Market, Mis, 100.0),
        &i,
        &quote(&i, 999.95),
        now(),
    )
    .unwrap();
    assert_eq!(a.state().available_cash, 10_000.0);
    // Selling 100 only closes: allowed although 20% of it (20,000) exceeds free cash.
    a.place(
        &req(&i, Sell, Market, Mis, 100.0),
        &i,
        &quote(&i, 1000.05),
        now(),
    )
    .unwrap();
    assert_eq!(
        (a.state().used_margin, a.state().available_cash),
        (0.0, 30_000.0)
    );
    assert_balanced(&a);
}

#[test]
fn insufficient_funds_refuses_the_order_without_storing_it() {
    let mut a = Account::open(1, Ledger::Analyze, 10_000.0, now());
    let i = equity("MRF", Exchange::Nse);
    let err = a
        .place(
            &req(&i, Buy, Market, Cnc, 1.0),
            &i,
            &quote(&i, 149_999.95),
            now(),
        )
        .unwrap_err();
    assert_eq!(err.kind(), crate::error::ErrorKind::BadRequest);
    assert_eq!(
        err.to_string(),
        "Insufficient funds. Required: ₹150000.00, Available: ₹10000.00"
    );
    assert!(a.orders().is_empty());
    assert_eq!(a.state().available_cash, 10_000.0);
}

#[test]
fn every_changed_row_is_reported_once_for_saving() {
    let mut a = account();
    let first = a.take_changes().unwrap();
    assert!(first.is_new);
    assert!(a.take_changes().is_none());
    let i = equity("INFY", Exchange::Nse);
    a.place(
        &req(&i, Buy, Market, Cnc, 2.0),
        &i,
        &quote(&i, 100.0),
        now(),
    )
    .unwrap();
    let c = a.take_changes().unwrap();
    assert!(!c.is_new);
    assert_eq!(
        (
            c.orders.len(),
            c.trades.len(),
            c.positions.len(),
            c.holdings.len()
        ),
        (1, 1, 1, 1)
    );
    assert_eq!(c.state.order_seq, 1);
    assert!(a.take_changes().is_none());
}
