//! Every metric's name, and its help text (`# HELP` in the exposition). `docs/METRICS.md` lists
//! the same names with their labels.

use ::metrics::Unit;

/// Counter: requests the traffic log recorded, by `class`, `route`, `method` and `status`.
pub const HTTP_REQUESTS: &str = "keygate_http_requests_total";
/// Histogram (seconds): time to the response head, by `class` and `route`.
pub const HTTP_REQUEST_DURATION: &str = "keygate_http_request_duration_seconds";
/// Counter: verifications of known keys answered from a cache, by `cache` (`memo`, `shared`).
pub const KEY_CACHE_HITS: &str = "keygate_key_cache_hits_total";
/// Counter: known-looking keys the caches did not hold, looked up in the database.
pub const KEY_CACHE_MISSES: &str = "keygate_key_cache_misses_total";
/// Counter: Argon2 verifications of API keys.
pub const KEY_ARGON2_RUNS: &str = "keygate_key_argon2_runs_total";
/// Counter: traffic-log rows written to the database.
pub const TRAFFIC_ROWS_WRITTEN: &str = "keygate_traffic_rows_written_total";
/// Counter: traffic-log rows dropped (a full queue, or a failed write).
pub const TRAFFIC_ROWS_DROPPED: &str = "keygate_traffic_rows_dropped_total";
/// Counter: requests with an invalid API key.
pub const INVALID_KEY_ATTEMPTS: &str = "keygate_invalid_key_attempts_total";
/// Counter: address bans this process's monitor issued.
pub const BANS_ISSUED: &str = "keygate_bans_issued_total";
/// Gauge: address groups banned now.
pub const BANS_ACTIVE: &str = "keygate_bans_active";
/// Counter: requests refused because their address is banned.
pub const BANNED_REQUESTS: &str = "keygate_banned_requests_total";
/// Gauge: open market-data WebSocket connections.
pub const WS_CONNECTIONS: &str = "keygate_ws_connections";
/// Counter: WebSocket frames, by `direction` (`received`, `sent`).
pub const WS_FRAMES: &str = "keygate_ws_frames_total";
/// Counter: exchange market-stream sockets lost or not opened (the feed of bound keys).
pub const MARKET_STREAM_LOSSES: &str = "keygate_market_stream_losses_total";
/// Gauge: exchange market-stream connections lost or unreachable now.
pub const MARKET_STREAMS_DOWN: &str = "keygate_market_streams_down";
/// Gauge: Action Center items waiting for a decision.
pub const ACTION_CENTER_PENDING: &str = "keygate_action_center_pending";
/// Counter: failed Redis calls of the shared rate limiter.
pub const REDIS_ERRORS: &str = "keygate_redis_errors_total";
/// Gauge: 1 while rate limits are shared through Redis, else 0.
pub const SHARED_LIMITS_UP: &str = "keygate_shared_limits_up";

/// Describes every metric to the current recorder.
pub(super) fn describe_all() {
    use ::metrics::{describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        HTTP_REQUESTS,
        "Requests the traffic log recorded, by route class, route template, method and status class"
    );
    describe_histogram!(
        HTTP_REQUEST_DURATION,
        Unit::Seconds,
        "Time from a request's arrival to its response head, by route class and route template"
    );
    describe_counter!(
        KEY_CACHE_HITS,
        "API key verifications answered from a cache (memo: the worker thread's one-second memo; shared: the verified-key cache)"
    );
    describe_counter!(
        KEY_CACHE_MISSES,
        "API keys in the digest set that no cache held, looked up in the database"
    );
    describe_counter!(KEY_ARGON2_RUNS, "Argon2id verifications of API keys");
    describe_counter!(
        TRAFFIC_ROWS_WRITTEN,
        "Traffic-log rows written to the database"
    );
    describe_counter!(
        TRAFFIC_ROWS_DROPPED,
        "Traffic-log rows dropped: a worker's queue was full, or a write failed"
    );
    describe_counter!(INVALID_KEY_ATTEMPTS, "Requests with an invalid API key");
    describe_counter!(BANS_ISSUED, "Address bans this process's monitor issued");
    describe_gauge!(
        BANS_ACTIVE,
        "Address groups banned now (every process's bans)"
    );
    describe_counter!(
        BANNED_REQUESTS,
        "Requests refused because their address group is banned"
    );
    describe_gauge!(WS_CONNECTIONS, "Open market-data WebSocket connections");
    describe_counter!(WS_FRAMES, "Market-data WebSocket frames, by direction");
    describe_counter!(
        MARKET_STREAM_LOSSES,
        "Exchange market-stream sockets lost or not opened (reconnected with backoff)"
    );
    describe_gauge!(
        MARKET_STREAMS_DOWN,
        "Exchange market-stream connections lost or unreachable now"
    );
    describe_gauge!(
        ACTION_CENTER_PENDING,
        "Action Center items of every user waiting for a decision"
    );
    describe_counter!(
        REDIS_ERRORS,
        "Failed Redis calls of the shared rate limiter (limits fell back to this process)"
    );
    describe_gauge!(
        SHARED_LIMITS_UP,
        "1 while rate limits are shared through Redis, 0 while they are local to this process"
    );
}
