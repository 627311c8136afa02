//! Index futures generated from the calendar.
//!
//! Rule: NIFTY and BANKNIFTY monthly futures expire on the **last Tuesday of the month** (NSE's
//! schedule since September 2025). Exchange holidays are not modelled: a holiday Tuesday would in
//! reality move the expiry to the previous trading day. The master lists the current month's
//! contract (or next month's once this month's expiry has passed), the next and the far month,
//! as NSE does. Symbols follow OpenAlgo: underlying + `DD` + `MMM` + `YY` + `FUT`.

use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// Cost of carry used to derive a future's reference price from its index (annual, simple).
pub const CARRY_RATE: f64 = 0.065;

/// The last Tuesday of `year`-`month`.
pub fn last_tuesday(year: i32, month: u32) -> Option<NaiveDate> {
    let (ny, nm) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    let mut day = NaiveDate::from_ymd_opt(ny, nm, 1)?.pred_opt()?;
    while day.weekday() != Weekday::Tue {
        day -= Duration::days(1);
    }
    Some(day)
}

/// The next `count` monthly expiries on or after `today`.
pub fn monthly_expiries(today: NaiveDate, count: usize) -> Vec<NaiveDate> {
    let (mut year, mut month) = (today.year(), today.month());
    let mut out = Vec::with_capacity(count);
    while out.len() < count {
        if let Some(expiry) = last_tuesday(year, month) {
            if expiry >= today {
                out.push(expiry);
            }
        }
        if month == 12 {
            year += 1;
            month = 1;
        } else {
            month += 1;
        }
    }
    out
}

/// OpenAlgo's futures symbol, e.g. `NIFTY25NOV26FUT`.
pub fn futures_symbol(underlying: &str, expiry: NaiveDate) -> String {
    format!(
        "{underlying}{}FUT",
        expiry.format("%d%b%y").to_string().to_uppercase()
    )
}

/// A future's reference price: the index level carried to expiry.
pub fn carried_price(index_price: f64, today: NaiveDate, expiry: NaiveDate) -> f64 {
    let days = (expiry - today).num_days().max(0) as f64;
    index_price * (1.0 + CARRY_RATE * days / 365.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn last_tuesdays_match_the_calendar() {
        assert_eq!(last_tuesday(2026, 11), Some(d(2026, 11, 24)));
        assert_eq!(last_tuesday(2026, 12), Some(d(2026, 12, 29)));
        assert_eq!(last_tuesday(2026, 8), Some(d(2026, 8, 25)));
        assert_eq!(last_tuesday(2026, 3), Some(d(2026, 3, 31)));
        assert_eq!(last_tuesday(2027, 2), Some(d(2027, 2, 23)));
    }

    #[test]
    fn expiries_roll_to_next_month_once_this_months_has_passed() {
        assert_eq!(
            monthly_expiries(d(2026, 11, 22), 2),
            vec![d(2026, 11, 24), d(2026, 12, 29)]
        );
        // Expiry day itself still lists the expiring contract.
        assert_eq!(monthly_expiries(d(2026, 11, 24), 1), vec![d(2026, 11, 24)]);
        assert_eq!(
            monthly_expiries(d(2026, 11, 25), 3),
            vec![d(2026, 12, 29), d(2027, 1, 26), d(2027, 2, 23)]
        );
    }

    #[test]
    fn symbols_follow_the_openalgo_format() {
        assert_eq!(futures_symbol("NIFTY", d(2026, 8, 25)), "NIFTY25AUG26FUT");
        assert_eq!(
            futures_symbol("BANKNIFTY", d(2026, 12, 29)),
            "BANKNIFTY29DEC26FUT"
        );
        assert_eq!(futures_symbol("NIFTY", d(2027, 1, 5)), "NIFTY05JAN27FUT");
    }

    #[test]
    fn carry_raises_the_future_above_the_index() {
        let p = carried_price(26000.0, d(2026, 11, 22), d(2026, 12, 29));
        assert!(p > 26000.0 && p < 26200.0, "{p}");
    }
}
