//! Prometheus metrics (issue 20), named and explained in `docs/METRICS.md`.
//!
//! Order of work, chosen so that the request path does nothing new:
//! - requests and latencies are counted from the traffic writer's batches ([`requests`]): the
//!   traffic middleware already measures every request and hands a row to the writer's task, which
//!   shows each batch to [`RequestMetrics`] before writing it;
//! - every other figure is a counter the service keeps anyway (Argon2 runs, cache hits, rows
//!   written and dropped, bans, WebSocket frames) or a size (open sockets, the Action Center's
//!   queue), read when `/metrics` is scraped ([`Metrics::render`]). The one count added to the hot
//!   path, the verifier's memo hits, is kept per thread (`keygate_core::per_thread`).
//!
//! Each [`crate::Application`] has a recorder of its own rather than the process-wide one that
//! the `metrics` macros default to, so apps in one process (the tests) never mix their figures;
//! handles are registered through [`::metrics::with_local_recorder`].

mod names;
pub mod requests;
mod routes;
pub mod serve;

use std::sync::Arc;
use std::time::Duration;

use ::metrics::{Counter, Gauge};
use keygate_core::action_center;
use metrics_exporter_prometheus::{
    Matcher, PrometheusBuilder, PrometheusHandle, PrometheusRecorder,
};

pub use names::*;
pub use requests::RequestMetrics;

use crate::state::AppState;

/// Upper bounds of the latency histogram's buckets, in seconds: 100 µs to 10 s.
const LATENCY_BUCKETS: [f64; 16] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    5.0, 10.0,
];

/// How often histogram samples are folded into their buckets when nobody scrapes (a scrape folds
/// them too), so that they cannot pile up.
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

/// One app's metrics: its recorder and the handles of the figures read at scrape time.
pub struct Metrics {
    recorder: PrometheusRecorder,
    handle: PrometheusHandle,
    read: ReadOnScrape,
    /// `keygate_redis_errors_total`: Redis calls of the shared rate limiter that failed, read
    /// from its health ([`crate::shared_limit::SharedLimitHealth`]) on every scrape.
    redis_errors: Counter,
    /// `keygate_shared_limits_up`: 1 while rate limits are shared through Redis, 0 while they are
    /// local to this process (no `KEYGATE_REDIS_URL`, or Redis unreachable); read like the above.
    shared_limits_up: Gauge,
}

/// Handles set from the service's own counters on every scrape.
struct ReadOnScrape {
    key_cache_memo_hits: Counter,
    key_cache_shared_hits: Counter,
    key_cache_misses: Counter,
    argon2_runs: Counter,
    rows_written: Counter,
    rows_dropped: Counter,
    invalid_keys: Counter,
    bans_issued: Counter,
    banned_requests: Counter,
    bans_active: Gauge,
    ws_connections: Gauge,
    ws_frames_received: Counter,
    ws_frames_sent: Counter,
    market_stream_losses: Counter,
    market_streams_down: Gauge,
    action_center_pending: Gauge,
}

impl Metrics {
    /// A recorder with every fixed metric registered and described.
    pub fn new() -> Arc<Self> {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full(HTTP_REQUEST_DURATION.into()),
                &LATENCY_BUCKETS,
            )
            .expect("the latency buckets are not empty")
            .build_recorder();
        let handle = recorder.handle();
        let (read, redis_errors, shared_limits_up) =
            ::metrics::with_local_recorder(&recorder, || {
                names::describe_all();
                let read = ReadOnScrape {
                    key_cache_memo_hits: ::metrics::counter!(KEY_CACHE_HITS, "cache" => "memo"),
                    key_cache_shared_hits: ::metrics::counter!(KEY_CACHE_HITS, "cache" => "shared"),
                    key_cache_misses: ::metrics::counter!(KEY_CACHE_MISSES),
                    argon2_runs: ::metrics::counter!(KEY_ARGON2_RUNS),
                    rows_written: ::metrics::counter!(TRAFFIC_ROWS_WRITTEN),
                    rows_dropped: ::metrics::counter!(TRAFFIC_ROWS_DROPPED),
                    invalid_keys: ::metrics::counter!(INVALID_KEY_ATTEMPTS),
                    bans_issued: ::metrics::counter!(BANS_ISSUED),
                    banned_requests: ::metrics::counter!(BANNED_REQUESTS),
                    bans_active: ::metrics::gauge!(BANS_ACTIVE),
                    ws_connections: ::metrics::gauge!(WS_CONNECTIONS),
                    ws_frames_received: ::metrics::counter!(WS_FRAMES, "direction" => "received"),
                    ws_frames_sent: ::metrics::counter!(WS_FRAMES, "direction" => "sent"),
                    market_stream_losses: ::metrics::counter!(MARKET_STREAM_LOSSES),
                    market_streams_down: ::metrics::gauge!(MARKET_STREAMS_DOWN),
                    action_center_pending: ::metrics::gauge!(ACTION_CENTER_PENDING),
                };
                (
                    read,
                    ::metrics::counter!(REDIS_ERRORS),
                    ::metrics::gauge!(SHARED_LIMITS_UP),
                )
            });
        Arc::new(Self {
            recorder,
            handle,
            read,
            redis_errors,
            shared_limits_up,
        })
    }

    /// Folds histogram samples into their buckets every few seconds, for as long as the runtime
    /// runs.
    pub fn spawn_upkeep(self: &Arc<Self>) {
        let metrics = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(UPKEEP_EVERY);
            loop {
                ticker.tick().await;
                match metrics.upgrade() {
                    Some(metrics) => metrics.handle.run_upkeep(),
                    None => break,
                }
            }
        });
    }

    /// Runs `f` with this app's recorder as the one the `metrics` macros use.
    fn with_recorder<T>(&self, f: impl FnOnce() -> T) -> T {
        ::metrics::with_local_recorder(&self.recorder, f)
    }

    /// Reads the figures kept by the services into their metrics, then renders every metric in
    /// Prometheus' text format.
    pub async fn render(&self, state: &AppState) -> String {
        let read = &self.read;
        let hits = state.verifier.cache_hits();
        read.key_cache_memo_hits.absolute(hits.memo);
        read.key_cache_shared_hits.absolute(hits.shared);
        read.key_cache_misses.absolute(state.verifier.db_lookups());
        read.argon2_runs.absolute(state.verifier.argon2_runs());
        read.rows_written.absolute(state.traffic.written());
        read.rows_dropped.absolute(state.traffic.dropped());
        read.invalid_keys.absolute(state.security.invalid_total());
        read.bans_issued.absolute(state.security.bans_issued());
        read.banned_requests
            .absolute(state.security.banned_requests());
        read.bans_active
            .set(state.security.active_ban_count() as f64);
        read.ws_connections.set(state.ws_connections.open() as f64);
        let (received, sent) = state.ws_connections.frames.totals();
        read.ws_frames_received.absolute(received);
        read.ws_frames_sent.absolute(sent);
        let streams = state.connections.market_streams();
        read.market_stream_losses.absolute(streams.losses());
        read.market_streams_down.set(streams.down() as f64);
        let ttl = Duration::from_secs(state.settings.action_center.pending_ttl_secs);
        let pending = match action_center::pending_count(&state.db, ttl).await {
            Ok(n) => n as f64,
            Err(e) => {
                // The other figures are still worth a scrape; NaN says this one is unknown.
                log::warn!("metrics: could not count the Action Center's pending items: {e}");
                f64::NAN
            }
        };
        read.action_center_pending.set(pending);
        let health = state.shared_limits.as_ref().map(|limits| limits.health());
        self.redis_errors.absolute(health.map_or(0, |h| h.errors()));
        self.shared_limits_up
            .set(if health.is_some_and(|h| h.is_up()) {
                1.0
            } else {
                0.0
            });
        self.handle.render()
    }
}
