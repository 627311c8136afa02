//! What a batch of traffic rows adds to the rollups: request and error counts per endpoint and
//! per API key, status class and error class, in blocks from a minute to a day; latency histograms
//! per endpoint and counts per client address, in blocks from an hour to a day (the block lengths
//! are [`spans`](super::spans)); and request totals per minute. Each is counted for the row's user
//! and for everyone ([`ALL_USERS`]).
//!
//! This runs for every row under load, so rows are keyed by small interned ids rather than by
//! cloned strings, and a batch is first added up into a few [`Cell`]s (one hash per row) from
//! which the three rollups are summed. Maps keyed by those ids use the fast Fx hash; the interners,
//! keyed by what clients send (paths, addresses), keep std's keyed hash.

use std::collections::HashMap;
use std::net::IpAddr;

use rustc_hash::FxHashMap;

use super::spans::{block_start, HOUR_SPANS, MINUTE_SPANS};
use super::{latency_bucket, TrafficRecord};

/// The rollups' `user_id` for everyone's totals (each request is counted for its user and here),
/// so the admin's stats read one user's worth of rollup rows through the same indexes.
pub const ALL_USERS: i64 = -1;

/// Longest stored path.
const MAX_PATH: usize = 255;
/// Longest stored method (the column's width: an extension method may be longer, and PostgreSQL
/// would refuse the whole batch for it).
const MAX_METHOD: usize = 16;

/// `text` cut to `max` bytes on a character boundary.
fn cut(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Small ids for the distinct values of a batch. Consecutive rows mostly repeat the last value,
/// which is answered without hashing.
struct Interner<T> {
    ids: HashMap<T, usize>,
    values: Vec<T>,
    last: Option<(T, usize)>,
}

impl<T: std::hash::Hash + Eq + Copy> Interner<T> {
    fn new() -> Self {
        Self {
            ids: HashMap::new(),
            values: Vec::new(),
            last: None,
        }
    }

    fn id(&mut self, value: T) -> usize {
        if let Some((last, id)) = self.last {
            if last == value {
                return id;
            }
        }
        let id = *self.ids.entry(value).or_insert_with(|| {
            self.values.push(value);
            self.values.len() - 1
        });
        self.last = Some((value, id));
        id
    }
}

/// The finest grain the rollups need: requests of one user, minute, endpoint, client address,
/// latency bucket, key, status class and error class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Cell {
    minute: i64,
    user: i64,
    endpoint: usize,
    address: usize,
    bucket: i32,
    key: i64,
    status_class: i32,
    error_class: Option<&'static str>,
}

/// A rollup row's key and counts; `endpoint` and `address` index [`Summary::endpoints`] and
/// [`Summary::addresses`]. `minute` and `hour` are a block's start, `span` its length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EndpointCounts {
    pub minute: i64,
    pub span: i64,
    pub user: i64,
    pub endpoint: usize,
    pub requests: i64,
    pub errors: i64,
    pub server_errors: i64,
}

/// Requests of one user, block of hours and endpoint in one latency bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LatencyCount {
    pub hour: i64,
    pub span: i64,
    pub user: i64,
    pub endpoint: usize,
    pub bucket: i32,
    pub requests: i64,
}

/// Requests of one user and block of hours from one client address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AddressCount {
    pub hour: i64,
    pub span: i64,
    pub user: i64,
    pub address: usize,
    pub requests: i64,
}

/// Requests of one user and block of minutes with one key (0: none), status class and error
/// class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClassCount {
    pub minute: i64,
    pub span: i64,
    pub user: i64,
    pub key: i64,
    pub status_class: i32,
    /// Empty when the request had none.
    pub error_class: &'static str,
    pub requests: i64,
}

/// Requests of one user and minute over every endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MinuteTotal {
    pub minute: i64,
    pub user: i64,
    pub requests: i64,
    pub errors: i64,
    pub server_errors: i64,
}

/// A batch's rows as they are stored, and its rollup sums, each sorted by the rollup's unique key
/// so that concurrent writers (several instances on one PostgreSQL) lock rollup rows in the same
/// order and cannot deadlock.
pub struct Summary<'a> {
    /// `(method, path)` of each endpoint id.
    pub endpoints: Vec<(&'a str, &'a str)>,
    /// The text of each address id.
    pub addresses: Vec<String>,
    /// Per row: its endpoint id and address id.
    pub row_ids: Vec<(usize, usize)>,
    pub per_endpoint: Vec<EndpointCounts>,
    pub latencies: Vec<LatencyCount>,
    pub per_address: Vec<AddressCount>,
    pub per_class: Vec<ClassCount>,
    pub per_minute: Vec<MinuteTotal>,
}

impl<'a> Summary<'a> {
    /// Adds up `rows`.
    pub fn of(rows: &'a [TrafficRecord]) -> Self {
        let mut endpoints: Interner<(&str, &str)> = Interner::new();
        let mut addresses: Interner<IpAddr> = Interner::new();
        let mut address_text = Vec::new();
        let mut row_ids = Vec::with_capacity(rows.len());
        // Per cell: requests, errors (>= 400), server errors (>= 500).
        let mut cells: FxHashMap<Cell, [i64; 3]> = FxHashMap::default();
        for r in rows {
            let endpoint = endpoints.id((cut(&r.method, MAX_METHOD), cut(&r.path, MAX_PATH)));
            let address = addresses.id(r.client_ip);
            if address == address_text.len() {
                address_text.push(r.client_ip.to_string());
            }
            row_ids.push((endpoint, address));
            let cell = Cell {
                minute: r.ts_ms.div_euclid(60_000),
                user: r.user_id.unwrap_or(0),
                endpoint,
                address,
                bucket: latency_bucket(r.duration_us),
                key: r.key_id.unwrap_or(0),
                status_class: i32::from(r.status / 100),
                error_class: r.error_class,
            };
            let sums = cells.entry(cell).or_default();
            sums[0] += 1;
            sums[1] += i64::from(r.status >= 400);
            sums[2] += i64::from(r.status >= 500);
        }
        // Keyed as each rollup's unique key orders its columns (after the user): span, start,
        // then the rest, so that sorting the keys sorts the rows as that key does.
        let mut per_endpoint: FxHashMap<(i64, i64, i64, usize), [i64; 3]> = FxHashMap::default();
        let mut latencies: FxHashMap<(i64, i64, i64, usize, i32), i64> = FxHashMap::default();
        let mut per_address: FxHashMap<(i64, i64, i64, usize), i64> = FxHashMap::default();
        type ClassKey = (i64, i64, i64, i64, i32, &'static str);
        let mut per_class: FxHashMap<ClassKey, i64> = FxHashMap::default();
        let mut per_minute: FxHashMap<(i64, i64), [i64; 3]> = FxHashMap::default();
        let add = |sums: &mut [i64; 3], more: [i64; 3]| {
            for (sum, n) in sums.iter_mut().zip(more) {
                *sum += n;
            }
        };
        for (cell, counts) in cells {
            let n = counts[0];
            let hour = cell.minute.div_euclid(60);
            for user in [cell.user, ALL_USERS] {
                add(per_minute.entry((user, cell.minute)).or_default(), counts);
                for span in MINUTE_SPANS {
                    let start = block_start(cell.minute, span);
                    add(
                        per_endpoint
                            .entry((user, span, start, cell.endpoint))
                            .or_default(),
                        counts,
                    );
                    let error_class = cell.error_class.unwrap_or_default();
                    *per_class
                        .entry((user, span, start, cell.key, cell.status_class, error_class))
                        .or_default() += n;
                }
                for span in HOUR_SPANS {
                    let start = block_start(hour, span);
                    *latencies
                        .entry((user, span, start, cell.endpoint, cell.bucket))
                        .or_default() += n;
                    *per_address
                        .entry((user, span, start, cell.address))
                        .or_default() += n;
                }
            }
        }
        let endpoint = |id: usize| endpoints.values[id];
        let mut per_endpoint: Vec<EndpointCounts> = per_endpoint
            .into_iter()
            .map(
                |((user, span, minute, endpoint), [requests, errors, server_errors])| {
                    EndpointCounts {
                        minute,
                        span,
                        user,
                        endpoint,
                        requests,
                        errors,
                        server_errors,
                    }
                },
            )
            .collect();
        per_endpoint.sort_unstable_by_key(|c| (c.user, c.span, c.minute, endpoint(c.endpoint)));
        let mut latencies: Vec<LatencyCount> = latencies
            .into_iter()
            .map(
                |((user, span, hour, endpoint, bucket), requests)| LatencyCount {
                    hour,
                    span,
                    user,
                    endpoint,
                    bucket,
                    requests,
                },
            )
            .collect();
        latencies
            .sort_unstable_by_key(|c| (c.user, c.span, c.hour, endpoint(c.endpoint), c.bucket));
        let mut per_address: Vec<AddressCount> = per_address
            .into_iter()
            .map(|((user, span, hour, address), requests)| AddressCount {
                hour,
                span,
                user,
                address,
                requests,
            })
            .collect();
        per_address.sort_unstable_by(|a, b| {
            let key = |c: &AddressCount| (c.user, c.span, c.hour, address_text[c.address].as_str());
            key(a).cmp(&key(b))
        });
        let mut per_class: Vec<(ClassKey, i64)> = per_class.into_iter().collect();
        per_class.sort_unstable();
        let per_class = per_class
            .into_iter()
            .map(
                |((user, span, minute, key, status_class, error_class), requests)| ClassCount {
                    minute,
                    span,
                    user,
                    key,
                    status_class,
                    error_class,
                    requests,
                },
            )
            .collect();
        let mut per_minute: Vec<((i64, i64), [i64; 3])> = per_minute.into_iter().collect();
        per_minute.sort_unstable();
        let per_minute = per_minute
            .into_iter()
            .map(
                |((user, minute), [requests, errors, server_errors])| MinuteTotal {
                    minute,
                    user,
                    requests,
                    errors,
                    server_errors,
                },
            )
            .collect();
        Self {
            endpoints: endpoints.values,
            addresses: address_text,
            row_ids,
            per_endpoint,
            latencies,
            per_address,
            per_class,
            per_minute,
        }
    }
}
