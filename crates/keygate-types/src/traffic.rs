//! The traffic log, its stats and the security monitor's bans.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One logged request. Never a body, a header value or a key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrafficEntry {
    /// Row id.
    pub id: i64,
    /// When the request arrived.
    #[serde(with = "crate::rfc3339")]
    pub at: DateTime<Utc>,
    /// HTTP method.
    pub method: String,
    /// Path, without the query string.
    pub path: String,
    /// Response status.
    pub status: u16,
    /// Time until the response was ready, in microseconds.
    pub duration_us: i64,
    /// Client address.
    pub client_ip: String,
    /// The calling user, when known.
    pub user_id: Option<i64>,
    /// The API key used, for `/api/v1` calls.
    pub key_id: Option<i64>,
    /// The `X-Request-Id` of the response.
    pub request_id: String,
    /// For errors, a short class: `invalid_key`, `banned`, `rate_limited`, `forbidden`, ...
    pub error_class: Option<String>,
}

/// A page of the traffic log, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrafficPage {
    /// The entries.
    pub items: Vec<TrafficEntry>,
    /// Pass as `cursor` for the next (older) page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Filters of the traffic log (list and CSV export).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct TrafficFilter {
    /// Only requests at or after this time (RFC 3339).
    #[serde(default, with = "crate::rfc3339::option")]
    pub from: Option<DateTime<Utc>>,
    /// Only requests before this time (RFC 3339).
    #[serde(default, with = "crate::rfc3339::option")]
    pub to: Option<DateTime<Utc>>,
    /// Only this exact path.
    pub path: Option<String>,
    /// Only paths that start with this (e.g. `/api/v1/`), at most 255 characters.
    pub path_prefix: Option<String>,
    /// Only this HTTP method (e.g. `POST`; any case).
    pub method: Option<String>,
    /// Only this status class: `2xx`, `3xx`, `4xx` or `5xx`.
    pub status_class: Option<String>,
    /// Only this error class (`invalid_key`, `rate_limited`, ...: lowercase letters and `_`).
    pub error_class: Option<String>,
    /// Only requests that took at least this many milliseconds.
    #[cfg_attr(feature = "openapi", param(maximum = 86_400_000))]
    pub min_duration_ms: Option<u32>,
    /// Only the request with this `X-Request-Id` (hex digits).
    pub request_id: Option<String>,
    /// Only calls with this API key.
    pub key_id: Option<i64>,
    /// Only requests from this client IP.
    pub ip: Option<String>,
    /// Admins only: only this user's requests.
    pub user_id: Option<i64>,
    /// From a previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Page size, 1 to 500 (default 50).
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 500))]
    pub limit: Option<u32>,
}

/// Time range of the stats.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct StatsQuery {
    /// Start (RFC 3339), rounded down to the minute; default one hour before `to`.
    #[serde(default, with = "crate::rfc3339::option")]
    pub from: Option<DateTime<Utc>>,
    /// End (RFC 3339, exclusive), rounded up to the minute; default now.
    #[serde(default, with = "crate::rfc3339::option")]
    pub to: Option<DateTime<Utc>>,
    /// Admins only: only this user's requests.
    pub user_id: Option<i64>,
    /// Only calls with this API key: totals, breakdowns and requests per minute from the
    /// rollups, endpoints (with latency percentiles) and client IPs from the key's own rows.
    pub key_id: Option<i64>,
}

/// Per-endpoint figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EndpointStats {
    /// HTTP method.
    pub method: String,
    /// Path.
    pub path: String,
    /// Requests.
    pub requests: i64,
    /// Of which answered with status 400 or above.
    pub errors: i64,
    /// Median latency in microseconds, over the whole hours the range touches (within 7%:
    /// latencies are kept in log-scale buckets per hour).
    pub p50_us: i64,
    /// 95th percentile latency in microseconds.
    pub p95_us: i64,
    /// 99th percentile latency in microseconds.
    pub p99_us: i64,
}

/// Latency percentiles over every endpoint, in microseconds: from log-scale buckets (within 7%)
/// over the whole hours the range touches (with `key_id`: exactly over the range).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LatencyPercentiles {
    /// Median.
    pub p50_us: i64,
    /// 95th percentile.
    pub p95_us: i64,
    /// 99th percentile.
    pub p99_us: i64,
}

/// Requests in one minute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MinuteCount {
    /// Start of the minute.
    #[serde(with = "crate::rfc3339")]
    pub minute: DateTime<Utc>,
    /// Requests.
    pub requests: i64,
    /// Of which errors (status 400 or above).
    pub errors: i64,
    /// Of which server errors (status 500 or above).
    pub server_errors: i64,
}

/// Requests from one client IP.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IpCount {
    /// Client address.
    pub ip: String,
    /// Requests.
    pub requests: i64,
}

/// Requests in one status class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusClassCount {
    /// `1xx` to `5xx`.
    pub class: String,
    /// Requests.
    pub requests: i64,
}

/// Requests with one error class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorClassCount {
    /// The class (`invalid_key`, `rate_limited`, ...).
    pub error_class: String,
    /// Requests.
    pub requests: i64,
}

/// One API key's requests in the range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyUsage {
    /// The key.
    pub key_id: i64,
    /// Its name (absent when the key no longer exists).
    pub name: Option<String>,
    /// Requests.
    pub requests: i64,
    /// Of which with status 400 or above.
    pub errors: i64,
    /// Of which with status 500 or above.
    pub server_errors: i64,
}

/// Invalid-key attempts counted for one client IP in the current window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IpAttempts {
    /// Client address.
    pub ip: String,
    /// Attempts in the window.
    pub attempts: u32,
}

/// The security monitor's figures (admins only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SecurityStats {
    /// Bans in force.
    pub active_bans: Vec<IpBan>,
    /// Invalid-key attempts this process has seen since it started.
    pub invalid_key_attempts: u64,
    /// IPs with invalid-key attempts in the current window, most first (at most 20).
    pub attempts_by_ip: Vec<IpAttempts>,
    /// Requests refused because their IP was banned, since start.
    pub banned_requests: u64,
    /// Argon2 verifications run since start (unknown keys never cost one).
    pub argon2_runs: u64,
}

/// Stats over a time range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrafficStats {
    /// Start of the range (whole minute).
    #[serde(with = "crate::rfc3339")]
    pub from: DateTime<Utc>,
    /// End of the range, exclusive (whole minute).
    #[serde(with = "crate::rfc3339")]
    pub to: DateTime<Utc>,
    /// Requests.
    pub requests: i64,
    /// Of which with status 400 or above.
    pub errors: i64,
    /// Of which with status 500 or above.
    pub server_errors: i64,
    /// `errors / requests`, 0 when there were none.
    pub error_rate: f64,
    /// Latency percentiles over all endpoints.
    pub latency: LatencyPercentiles,
    /// Per endpoint, busiest first.
    pub endpoints: Vec<EndpointStats>,
    /// Requests per minute, for minutes that had any.
    pub per_minute: Vec<MinuteCount>,
    /// The busiest client IPs (at most 10), over the whole hours the range touches (with
    /// `key_id`: exactly over the range, from the key's rows).
    pub top_ips: Vec<IpCount>,
    /// Requests per status class, classes with none left out, `1xx` first.
    pub status_classes: Vec<StatusClassCount>,
    /// Requests per error class, most first.
    pub error_classes: Vec<ErrorClassCount>,
    /// Requests per API key, busiest first (calls without a key are not counted here).
    pub keys: Vec<KeyUsage>,
    /// Log rows this process dropped because the writer's queue was full, since start.
    pub dropped_rows: u64,
    /// Bans and invalid-key attempts; admins only.
    pub security: Option<SecurityStats>,
}

/// An IP ban.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IpBan {
    /// The banned address.
    pub ip: String,
    /// Why.
    pub reason: String,
    /// How many times this address has been banned.
    pub offences: i32,
    /// `monitor`, or the admin who banned it.
    pub banned_by: String,
    /// When this ban started.
    #[serde(with = "crate::rfc3339")]
    pub banned_at: DateTime<Utc>,
    /// When it ends.
    #[serde(with = "crate::rfc3339")]
    pub banned_until: DateTime<Utc>,
}

/// Body of `POST /api/security/bans`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateBan {
    /// The address to ban (IPv4 or IPv6).
    pub ip: String,
    /// How long, in seconds (default: the configured ban length, doubled per earlier offence).
    pub seconds: Option<u64>,
    /// Why (shown in the list).
    pub reason: Option<String>,
}
