//! The traffic log: what the HTTP middleware records per request ([`TrafficRecord`]), the background
//! writer that batches rows into the database off the request path ([`writer`]), and the queries
//! behind the log, its stats and its export ([`query`], [`stats`], [`breakdown`], [`key_stats`]),
//! and the API keys page's hourly usage per key ([`key_usage`]).
//!
//! Stats read per-minute rollups that the writer keeps next to the raw rows, so a stats query over
//! a million requests aggregates a few thousand rollup rows. Latencies are kept in log-scale
//! buckets (eight per power of two), so percentiles are exact to within about 6%.

pub mod breakdown;
pub mod key_stats;
pub mod key_usage;
pub mod query;
pub mod spans;
pub mod stats;
pub mod store;
mod summary;
pub mod writer;

use std::borrow::Cow;
use std::net::IpAddr;

use compact_str::CompactString;

pub use store::{purge_older_than, TrafficStore};
pub use writer::{BatchObserver, TrafficSink, TrafficWriter};

/// One request as the middleware saw it. Never a body, a header value or a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrafficRecord {
    /// Arrival, Unix milliseconds.
    pub ts_ms: i64,
    /// HTTP method (borrowed for the standard ones, so recording a request allocates less).
    pub method: Cow<'static, str>,
    /// Path without the query string (cut at 255 bytes). Inline up to 24 bytes, as every
    /// `/api/v1` path is: the row crosses to the writer's thread, and a heap string freed there
    /// would cost the worker's allocator a cross-thread free per request.
    pub path: CompactString,
    /// Response status.
    pub status: u16,
    /// Time to the response head, microseconds.
    pub duration_us: u64,
    /// Client address.
    pub client_ip: IpAddr,
    /// The calling user, when known.
    pub user_id: Option<i64>,
    /// The key used, when known.
    pub key_id: Option<i64>,
    /// The response's `X-Request-Id` (20 hex digits, inline).
    pub request_id: CompactString,
    /// For errors, a short class.
    pub error_class: Option<&'static str>,
}

/// Sub-buckets per power of two.
const SUB: u32 = 8;
/// Durations below this many microseconds get a bucket each.
const LINEAR: u64 = 2 * SUB as u64;

/// The latency bucket of a duration in microseconds: exact below 16 µs, then eight buckets per
/// power of two.
pub fn latency_bucket(us: u64) -> i32 {
    if us < LINEAR {
        return us as i32;
    }
    let exp = 63 - us.leading_zeros(); // >= 4
    let sub = (us >> (exp - 3)) & u64::from(SUB - 1);
    (LINEAR as u32 + (exp - 4) * SUB + sub as u32) as i32
}

/// The range `[low, high)` of durations in a bucket.
pub fn bucket_range(bucket: i32) -> (u64, u64) {
    let bucket = bucket.max(0) as u64;
    if bucket < LINEAR {
        return (bucket, bucket + 1);
    }
    let k = bucket - LINEAR;
    let exp = k / u64::from(SUB) + 4;
    let sub = k % u64::from(SUB);
    let shift = (exp - 3).min(60);
    ((8 + sub) << shift, (9 + sub) << shift)
}

/// The value reported for a bucket: the middle of its range.
pub fn bucket_value(bucket: i32) -> u64 {
    let (low, high) = bucket_range(bucket);
    low + (high - low - 1) / 2
}

/// Percentiles (`ps` as fractions, e.g. 0.5) of a histogram given as `(bucket, count)` sorted by
/// bucket. Each answer is the reported value of the bucket holding the ceil(p * n)-th smallest.
pub fn percentiles(histogram: &[(i32, i64)], ps: &[f64]) -> Vec<u64> {
    let total: i64 = histogram.iter().map(|(_, n)| *n).sum();
    ps.iter()
        .map(|p| {
            if total <= 0 {
                return 0;
            }
            let rank = ((p * total as f64).ceil() as i64).clamp(1, total);
            let mut seen = 0;
            for (bucket, n) in histogram {
                seen += n;
                if seen >= rank {
                    return bucket_value(*bucket);
                }
            }
            histogram.last().map_or(0, |(b, _)| bucket_value(*b))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_duration_falls_inside_its_bucket_and_within_seven_percent_of_its_value() {
        let mut last = 0;
        for us in (0..5000).chain([65_535, 1_000_000, 123_456_789, u32::MAX as u64 * 7]) {
            let b = latency_bucket(us);
            assert!(b >= last || us > 5000, "buckets grow with durations");
            last = b;
            let (low, high) = bucket_range(b);
            assert!(
                low <= us && us < high,
                "{us} not in bucket {b} = [{low},{high})"
            );
            let v = bucket_value(b) as f64;
            assert!(
                (v - us as f64).abs() <= (us as f64 * 0.07).max(1.0),
                "{us} vs {v}"
            );
        }
    }

    #[test]
    fn percentiles_pick_the_bucket_of_the_ranked_value() {
        let mut h: Vec<(i32, i64)> = Vec::new();
        for us in 1..=100u64 {
            let b = latency_bucket(us * 100);
            match h.last_mut() {
                Some((last, n)) if *last == b => *n += 1,
                _ => h.push((b, 1)),
            }
        }
        let p = percentiles(&h, &[0.5, 0.95, 0.99]);
        for (got, want) in p.iter().zip([5000.0, 9500.0, 9900.0]) {
            assert!((*got as f64 - want).abs() / want < 0.07, "{got} vs {want}");
        }
        assert_eq!(percentiles(&[], &[0.5]), [0]);
    }
}
