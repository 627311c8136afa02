//! Number helpers. Money is `f64` rounded to 2 dp at every step that the contract shows (the wire
//! carries floats anyway, and a paper ledger of ~1e7 with 2 dp is far inside f64's exact range);
//! prices are kept on their instrument's tick grid; quantities are rounded to 8 dp so fractional
//! crypto sums do not drift.

use serde::Serializer;

/// Rounds money to 2 decimal places.
pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Rounds a quantity to 8 decimal places (whole quantities stay whole).
pub fn round_qty(x: f64) -> f64 {
    (x * 1e8).round() / 1e8
}

/// Rounds a price to the nearest multiple of `tick` (and removes binary noise).
pub fn round_to_tick(price: f64, tick: f64) -> f64 {
    if tick <= 0.0 {
        return price;
    }
    let decimals = tick_decimals(tick);
    let factor = 10f64.powi(decimals);
    ((price / tick).round() * tick * factor).round() / factor
}

/// How many decimals a tick size has (0.05 → 2, 0.0001 → 4).
pub fn tick_decimals(tick: f64) -> i32 {
    let mut d = 0;
    while d < 10 && ((tick * 10f64.powi(d)).round() - tick * 10f64.powi(d)).abs() > 1e-9 {
        d += 1;
    }
    d
}

/// True when `qty` is a whole multiple of `step` (within float noise).
pub fn is_multiple(qty: f64, step: f64) -> bool {
    if step <= 0.0 {
        return true;
    }
    let n = qty / step;
    (n - n.round()).abs() < 1e-6
}

/// Serialises a quantity as a JSON integer when it is whole, else as a float (the contract shows
/// `"quantity":1`, crypto needs `0.5`).
pub fn serialize_qty<S: Serializer>(qty: &f64, s: S) -> Result<S::Ok, S::Error> {
    if qty.fract() == 0.0 && qty.abs() < 9.0e15 {
        s.serialize_i64(*qty as i64)
    } else {
        s.serialize_f64(*qty)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_snap_to_the_tick_grid_without_float_noise() {
        assert_eq!(round_to_tick(100.03, 0.05), 100.05);
        assert_eq!(round_to_tick(100.02, 0.05), 100.0);
        assert_eq!(round_to_tick(0.123456, 0.0001), 0.1235);
        assert_eq!(round_to_tick(25912.37, 0.1), 25912.4);
        assert_eq!(tick_decimals(0.05), 2);
        assert_eq!(tick_decimals(0.00001), 5);
        assert_eq!(round2(1.005 + 0.001), 1.01);
        assert!(is_multiple(150.0, 75.0) && !is_multiple(100.0, 75.0));
        assert!(is_multiple(0.3, 0.001) && !is_multiple(0.0005, 0.001));
    }
}
