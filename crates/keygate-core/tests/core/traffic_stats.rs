//! Stats read from the roll-ups' blocks (a minute to a day) equal the raw rows added up, for
//! ranges that start and end anywhere: mid-minute, across midnight, exactly on a day, over days.

use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, Ipv4Addr};

use chrono::{DateTime, Utc};
use keygate_core::traffic::breakdown::{breakdown, Scope};
use keygate_core::traffic::stats::range_stats;
use keygate_core::traffic::{latency_bucket, percentiles, TrafficRecord, TrafficStore};
use keygate_testdb::TestDatabase;

/// Midnight UTC, 2026-09-23: the rows cover the three days after it.
const DAY0_MS: i64 = 1_790_121_600_000;
const DAY_MS: i64 = 86_400_000;

/// A small deterministic generator (xorshift).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn rows(count: usize) -> Vec<TrafficRecord> {
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let mut rows: Vec<TrafficRecord> = (0..count)
        .map(|n| {
            let status = [200, 200, 200, 403, 429, 500][rng.below(6) as usize];
            TrafficRecord {
                ts_ms: DAY0_MS + rng.below(3 * DAY_MS as u64) as i64,
                method: "POST".into(),
                path: ["/api/v1/ping", "/api/v1/funds", "/api/v1/quotes"][rng.below(3) as usize]
                    .into(),
                status,
                duration_us: 20 + rng.below(300) * rng.below(300),
                client_ip: IpAddr::V4(Ipv4Addr::new(10, 0, 0, rng.below(30) as u8)),
                user_id: [Some(1), Some(2), None][rng.below(3) as usize],
                key_id: [Some(7), Some(8), None][rng.below(3) as usize],
                request_id: format!("{n:020x}").into(),
                error_class: match status {
                    403 => Some("invalid_key"),
                    429 => Some("rate_limited"),
                    500 => Some("internal"),
                    _ => None,
                },
            }
        })
        .collect();
    rows.sort_by_key(|r| r.ts_ms);
    rows
}

fn at(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).expect("a time in range")
}

/// What the stats of `[from, to)` must say, added up from the raw rows: counts over the range
/// widened to whole minutes, latencies and addresses over the whole hours it touches.
struct Expected {
    totals: [i64; 3],
    /// Requests and errors per path.
    endpoints: BTreeMap<String, [i64; 2]>,
    minutes: Vec<(i64, [i64; 3])>,
    latency: [u64; 3],
    top_ips: Vec<(String, i64)>,
    status_classes: Vec<(String, i64)>,
    error_classes: BTreeMap<String, i64>,
    keys: BTreeMap<i64, [i64; 3]>,
}

fn expected(rows: &[TrafficRecord], from_ms: i64, to_ms: i64, user: Option<i64>) -> Expected {
    let from_minute = from_ms.div_euclid(60_000);
    let to_minute = (to_ms + 59_999).div_euclid(60_000);
    let (from_hour, to_hour) = (from_minute.div_euclid(60), (to_minute + 59).div_euclid(60));
    let mine = |r: &&TrafficRecord| user.is_none_or(|u| r.user_id == Some(u));
    let mut e = Expected {
        totals: [0; 3],
        endpoints: BTreeMap::new(),
        minutes: Vec::new(),
        latency: [0; 3],
        top_ips: Vec::new(),
        status_classes: Vec::new(),
        error_classes: BTreeMap::new(),
        keys: BTreeMap::new(),
    };
    let mut minutes: BTreeMap<i64, [i64; 3]> = BTreeMap::new();
    let mut classes: BTreeMap<u16, i64> = BTreeMap::new();
    let mut histogram: BTreeMap<i32, i64> = BTreeMap::new();
    let mut ips: HashMap<String, i64> = HashMap::new();
    for r in rows.iter().filter(mine) {
        let minute = r.ts_ms.div_euclid(60_000);
        let hour = minute.div_euclid(60);
        if (from_hour..to_hour).contains(&hour) {
            *histogram.entry(latency_bucket(r.duration_us)).or_default() += 1;
            *ips.entry(r.client_ip.to_string()).or_default() += 1;
        }
        if !(from_minute..to_minute).contains(&minute) {
            continue;
        }
        let counts = [1, i64::from(r.status >= 400), i64::from(r.status >= 500)];
        let add = |sums: &mut [i64; 3]| {
            for (sum, n) in sums.iter_mut().zip(counts) {
                *sum += n;
            }
        };
        add(&mut e.totals);
        let endpoint = e.endpoints.entry(r.path.to_string()).or_default();
        endpoint[0] += 1;
        endpoint[1] += counts[1];
        add(minutes.entry(minute).or_default());
        *classes.entry(r.status / 100).or_default() += 1;
        if let Some(class) = r.error_class {
            *e.error_classes.entry(class.to_owned()).or_default() += 1;
        }
        if let Some(key) = r.key_id {
            add(e.keys.entry(key).or_default());
        }
    }
    e.minutes = minutes.into_iter().collect();
    let histogram: Vec<(i32, i64)> = histogram.into_iter().collect();
    let p = percentiles(&histogram, &[0.5, 0.95, 0.99]);
    e.latency = [p[0], p[1], p[2]];
    let mut ips: Vec<(String, i64)> = ips.into_iter().collect();
    ips.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    ips.truncate(10);
    e.top_ips = ips;
    e.status_classes = classes
        .into_iter()
        .map(|(class, n)| (format!("{class}xx"), n))
        .collect();
    e
}

#[tokio::test]
async fn stats_over_any_range_equal_the_raw_rows_added_up() {
    let test_db = TestDatabase::create().await;
    let db = test_db.connect().await;
    let store = TrafficStore::open(db.clone(), &test_db.url).expect("store opens");
    let rows = rows(6_000);
    for part in rows.chunks(1_000) {
        store.write(part).await.expect("rows written");
    }

    let h = 3_600_000;
    let ranges = [
        // A day and a minute ending mid-minute, as the stats page asks for the last 24 hours.
        (DAY0_MS + 10 * h + 1_234, DAY0_MS + DAY_MS + 10 * h + 61_234),
        // Exactly one UTC day, and two.
        (DAY0_MS + DAY_MS, DAY0_MS + 2 * DAY_MS),
        (DAY0_MS, DAY0_MS + 2 * DAY_MS),
        // Across midnight, starting and ending off the four-hour blocks.
        (
            DAY0_MS + DAY_MS - 5 * h - 17 * 60_000,
            DAY0_MS + DAY_MS + 7 * h + 3 * 60_000,
        ),
        // Within one hour, within one minute, and empty.
        (
            DAY0_MS + 30 * h + 5 * 60_000,
            DAY0_MS + 30 * h + 50 * 60_000,
        ),
        (DAY0_MS + 40 * h + 1, DAY0_MS + 40 * h + 2),
        (DAY0_MS + 40 * h, DAY0_MS + 40 * h),
        // All three days and beyond.
        (DAY0_MS - DAY_MS, DAY0_MS + 5 * DAY_MS),
    ];
    for (from_ms, to_ms) in ranges {
        for user in [None, Some(1), Some(2)] {
            let what = format!("[{from_ms}, {to_ms}) user {user:?}");
            let want = expected(&rows, from_ms, to_ms, user);
            let stats = range_stats(&db, at(from_ms), at(to_ms), user)
                .await
                .expect("stats");
            let totals = [stats.requests, stats.errors, stats.server_errors];
            assert_eq!(totals, want.totals, "totals of {what}");
            let endpoints: BTreeMap<String, [i64; 2]> = stats
                .endpoints
                .iter()
                .map(|e| (e.path.clone(), [e.requests, e.errors]))
                .collect();
            assert_eq!(endpoints, want.endpoints, "endpoints of {what}");
            let minutes: Vec<(i64, [i64; 3])> = stats
                .per_minute
                .iter()
                .map(|m| {
                    let counts = [m.requests, m.errors, m.server_errors];
                    (m.minute.timestamp() / 60, counts)
                })
                .collect();
            assert_eq!(minutes, want.minutes, "per minute of {what}");
            let latency = [
                stats.latency.p50_us as u64,
                stats.latency.p95_us as u64,
                stats.latency.p99_us as u64,
            ];
            assert_eq!(latency, want.latency, "latency of {what}");
            let top_ips: Vec<(String, i64)> = stats
                .top_ips
                .iter()
                .map(|i| (i.ip.clone(), i.requests))
                .collect();
            assert_eq!(top_ips, want.top_ips, "top addresses of {what}");

            let scope = Scope { user, key: None };
            let split = breakdown(&db, at(from_ms), at(to_ms), scope)
                .await
                .expect("breakdown");
            let totals = [split.requests, split.errors, split.server_errors];
            assert_eq!(totals, want.totals, "breakdown totals of {what}");
            let classes: Vec<(String, i64)> = split
                .status_classes
                .iter()
                .map(|c| (c.class.clone(), c.requests))
                .collect();
            assert_eq!(classes, want.status_classes, "status classes of {what}");
            let errors: BTreeMap<String, i64> = split
                .error_classes
                .iter()
                .map(|c| (c.error_class.clone(), c.requests))
                .collect();
            assert_eq!(errors, want.error_classes, "error classes of {what}");
            let keys: BTreeMap<i64, [i64; 3]> = split
                .keys
                .iter()
                .map(|k| (k.key_id, [k.requests, k.errors, k.server_errors]))
                .collect();
            assert_eq!(keys, want.keys, "keys of {what}");
        }
    }
}
