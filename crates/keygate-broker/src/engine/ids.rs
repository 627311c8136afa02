//! Order ids in the sandbox's format: the IST date as `YYMMDD` followed by 8 digits. The digits are
//! a hash of (user, ledger, sequence), so ids look random, never repeat within an account (the
//! engine re-draws on a clash) and are reproducible in tests.

use chrono::{DateTime, FixedOffset, Offset, Utc};

use crate::market::rng::mix;
use crate::types::Ledger;

/// India Standard Time (UTC+05:30; India has no daylight saving).
pub fn ist() -> FixedOffset {
    // 19,800 s is within FixedOffset's ±86,400 s range, so the fallback is never taken.
    FixedOffset::east_opt(5 * 3600 + 30 * 60).unwrap_or_else(|| Utc.fix())
}

/// The order id for sequence number `seq`.
pub fn order_id(now: DateTime<Utc>, user_id: i64, ledger: Ledger, seq: i64) -> String {
    let date = now.with_timezone(&ist()).format("%y%m%d");
    let salt = match ledger {
        Ledger::Live => 0x4c49_5645,
        Ledger::Analyze => 0x414e_4c5a,
    };
    let digits =
        mix((user_id as u64).wrapping_mul(0x9E37_79B9) ^ salt ^ ((seq as u64) << 20)) % 100_000_000;
    format!("{date}{digits:08}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_the_ist_date_and_eight_digits() {
        // 20:00 UTC on 21 Nov is already 22 Nov in India.
        let now = "2026-11-21T20:00:00Z".parse::<DateTime<Utc>>().unwrap();
        let id = order_id(now, 7, Ledger::Analyze, 1);
        assert_eq!(id.len(), 14);
        assert!(id.starts_with("261122"), "{id}");
        assert!(id.bytes().all(|b| b.is_ascii_digit()));
        assert_ne!(id, order_id(now, 7, Ledger::Analyze, 2));
        assert_ne!(id, order_id(now, 7, Ledger::Live, 1));
        assert_ne!(id, order_id(now, 8, Ledger::Analyze, 1));
        assert_eq!(id, order_id(now, 7, Ledger::Analyze, 1));
    }
}
