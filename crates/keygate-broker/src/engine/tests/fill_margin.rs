//! Margin is taken at the price an order actually trades at: a marketable LIMIT fills at the
//! touch, and a resting order may fill at a price worse than the one it was margined on.

use super::*;
use crate::error::ErrorKind;
use Action::Sell;
use PriceType::Limit;
use Product::Mis;

#[test]
fn a_marketable_sell_limit_is_margined_at_the_bid_not_its_limit() {
    let mut a = account();
    let i = equity("SBIN", Exchange::Nse);
    let dodge = with_price(req(&i, Sell, Limit, Mis, 1_000_000.0), 0.05, 0.0);
    let err = a.place(&dodge, &i, &quote(&i, 500.0), now()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BadRequest);
    // 20% of 1,000,000 × the bid 499.95, not of 1,000,000 × 0.05.
    assert_eq!(
        err.to_string(),
        "Insufficient funds. Required: ₹99990000.00, Available: ₹10000000.00"
    );
    assert!(a.orders().is_empty());
    assert_eq!(a.state().available_cash, DEFAULT_STARTING_CAPITAL);
}

#[test]
fn a_modify_that_makes_a_limit_marketable_is_margined_at_the_touch() {
    let mut a = Account::open(1, Ledger::Live, 200_000.0, now());
    let i = equity("SBIN", Exchange::Nse);
    let q = quote(&i, 500.0);
    let resting = with_price(req(&i, Sell, Limit, Mis, 1_000.0), 600.0, 0.0);
    let o = a.place(&resting, &i, &q, now()).unwrap();
    assert_eq!(o.order_status, OrderStatus::Open);
    let change = ModifyRequest {
        orderid: o.orderid.clone(),
        pricetype: PriceType::Limit,
        quantity: 100_000.0,
        price: 0.05,
        trigger_price: 0.0,
        disclosed_quantity: 0,
    };
    let err = a.modify(&change, &i, &q, now()).unwrap_err();
    assert!(err.to_string().starts_with("Insufficient funds"), "{err}");
    let kept = a.order(&o.orderid).unwrap();
    assert_eq!((kept.quantity, kept.price), (1_000.0, 600.0));
    assert!(a.state().available_cash >= 0.0);
    assert_balanced(&a);
}

#[test]
fn a_resting_order_the_account_cannot_carry_at_its_fill_price_is_rejected_not_filled() {
    let mut a = Account::open(1, Ledger::Live, 100_000.0, now());
    let i = equity("SBIN", Exchange::Nse);
    // Rests at 400 (bid 299.95) with 80,000 blocked.
    let resting = with_price(req(&i, Sell, Limit, Mis, 1_000.0), 400.0, 0.0);
    let o = a.place(&resting, &i, &quote(&i, 300.0), now()).unwrap();
    assert_eq!(a.state().available_cash, 20_000.0);

    // The market gaps to 1,000: a fill at the bid would need 199,990 of margin.
    let filled = a.process_tick(&quote(&i, 1_000.0), now());
    assert!(filled.is_empty());
    let rejected = a.order(&o.orderid).unwrap();
    assert_eq!(rejected.order_status, OrderStatus::Rejected);
    assert_eq!(
        rejected.rejection_reason.as_deref(),
        Some("Insufficient funds. Required: ₹199990.00, Available: ₹100000.00")
    );
    assert!(a.trades().is_empty());
    assert_eq!(
        (a.state().available_cash, a.state().used_margin),
        (100_000.0, 0.0)
    );
    assert_balanced(&a);
}

#[test]
fn a_resting_order_the_account_can_carry_still_fills_at_the_touch() {
    let mut a = Account::open(1, Ledger::Live, 100_000.0, now());
    let i = equity("SBIN", Exchange::Nse);
    let resting = with_price(req(&i, Sell, Limit, Mis, 100.0), 400.0, 0.0);
    let o = a.place(&resting, &i, &quote(&i, 300.0), now()).unwrap();
    assert_eq!(a.process_tick(&quote(&i, 450.0), now()), vec![o.orderid]);
    let p = a.positions().next().unwrap();
    assert_eq!((p.quantity, p.average_price), (-100.0, 449.95));
    assert_balanced(&a);
}
