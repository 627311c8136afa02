//! The reduce-only rule an `exit_only` key's orders are placed under.

use super::*;
use crate::engine::ReducingOrder;
use crate::error::ErrorKind;
use Action::{Buy, Sell};
use PriceType::{Limit, Market};
use Product::{Cnc, Mis};

fn reducing(
    inst: &Instrument,
    action: Action,
    product: Product,
    quantity: f64,
) -> ReducingOrder<'_> {
    ReducingOrder {
        symbol: &inst.symbol,
        exchange: inst.exchange,
        product,
        action,
        quantity,
    }
}

#[test]
fn only_orders_that_reduce_the_position_pass_counting_working_orders_on_that_side() {
    let mut a = account();
    let i = equity("SBIN", Exchange::Nse);
    let q = quote(&i, 500.0);
    let flat = a
        .check_reduce_only(reducing(&i, Sell, Mis, 1.0), None)
        .unwrap_err();
    assert_eq!(flat.kind(), ErrorKind::Forbidden);
    a.place(&req(&i, Buy, Market, Mis, 100.0), &i, &q, now())
        .unwrap();

    assert!(a
        .check_reduce_only(reducing(&i, Sell, Mis, 100.0), None)
        .is_ok());
    assert!(
        a.check_reduce_only(reducing(&i, Buy, Mis, 1.0), None)
            .is_err(),
        "adds"
    );
    assert!(
        a.check_reduce_only(reducing(&i, Sell, Mis, 101.0), None)
            .is_err(),
        "reverses"
    );
    assert!(
        a.check_reduce_only(reducing(&i, Sell, Cnc, 1.0), None)
            .is_err(),
        "other product"
    );

    let resting = with_price(req(&i, Sell, Limit, Mis, 60.0), 900.0, 0.0);
    let o = a.place(&resting, &i, &q, now()).unwrap();
    let err = a
        .check_reduce_only(reducing(&i, Sell, Mis, 50.0), None)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "A reduce-only order may only reduce an existing position, never open, add to or reverse one \
         (SELL 50 SBIN NSE MIS against a net position of 100 with 60 already working on that side)"
    );
    assert!(a
        .check_reduce_only(reducing(&i, Sell, Mis, 40.0), None)
        .is_ok());
    // A modify of the working order itself does not count its old quantity.
    let grown = reducing(&i, Sell, Mis, 100.0);
    assert!(a.check_reduce_only(grown, Some(&o.orderid)).is_ok());
    assert!(a
        .check_reduce_only(reducing(&i, Sell, Mis, 101.0), Some(&o.orderid))
        .is_err());
}

#[test]
fn a_cnc_exit_may_sell_the_holdings() {
    let mut a = account();
    let i = equity("INFY", Exchange::Nse);
    a.place(
        &req(&i, Buy, Market, Cnc, 10.0),
        &i,
        &quote(&i, 100.0),
        now(),
    )
    .unwrap();
    assert!(a
        .check_reduce_only(reducing(&i, Sell, Cnc, 10.0), None)
        .is_ok());
    assert!(a
        .check_reduce_only(reducing(&i, Sell, Cnc, 11.0), None)
        .is_err());
}
