//! Requests and latencies, counted from the traffic writer's batches
//! ([`keygate_core::traffic::BatchObserver`]) in the writer's task, off the request path. A batch
//! is first grouped by method and path (one hash per row), then each group's labels are found
//! once and its counts added to the recorder's series.

use std::collections::HashMap;
use std::sync::Arc;

use keygate_core::traffic::{BatchObserver, TrafficRecord};

use super::routes::RouteTemplates;
use super::{Metrics, HTTP_REQUESTS, HTTP_REQUEST_DURATION};

/// The `method` labels: the standard methods; any other is `other`, so that made-up methods
/// cannot grow the number of series.
const METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

fn method_label(method: &str) -> &'static str {
    METHODS
        .iter()
        .find(|m| **m == method)
        .copied()
        .unwrap_or("other")
}

/// The `status` label of each hundred: `1xx` .. `5xx` (and `other` beyond).
const STATUS_CLASSES: [&str; 6] = ["1xx", "2xx", "3xx", "4xx", "5xx", "other"];

/// Counts each batch's requests into an app's [`Metrics`].
pub struct RequestMetrics {
    metrics: Arc<Metrics>,
    routes: RouteTemplates,
}

impl RequestMetrics {
    /// The observer for `metrics`.
    pub fn new(metrics: Arc<Metrics>) -> Self {
        Self {
            metrics,
            routes: RouteTemplates::from_openapi(),
        }
    }
}

/// One method and path's rows in a batch.
#[derive(Default)]
struct Group {
    per_status: [u64; STATUS_CLASSES.len()],
    durations_us: Vec<u64>,
}

fn status_index(status: u16) -> usize {
    match status / 100 {
        n @ 1..=5 => usize::from(n - 1),
        _ => STATUS_CLASSES.len() - 1,
    }
}

impl BatchObserver for RequestMetrics {
    fn observe(&self, rows: &[TrafficRecord]) {
        // Keyed by text clients chose (ids in paths): std's keyed hash.
        let mut groups: HashMap<(&str, &str), Group> = HashMap::new();
        for row in rows {
            let group = groups.entry((&row.method, &row.path)).or_default();
            group.per_status[status_index(row.status)] += 1;
            group.durations_us.push(row.duration_us);
        }
        self.metrics.with_recorder(|| {
            for ((method, path), group) in groups {
                let labels = self.routes.labels(path);
                for (status, n) in STATUS_CLASSES.iter().zip(group.per_status) {
                    if n > 0 {
                        ::metrics::counter!(
                            HTTP_REQUESTS,
                            "class" => labels.class,
                            "route" => labels.route.to_owned(),
                            "method" => method_label(method),
                            "status" => *status,
                        )
                        .increment(n);
                    }
                }
                let histogram = ::metrics::histogram!(
                    HTTP_REQUEST_DURATION,
                    "class" => labels.class,
                    "route" => labels.route.to_owned(),
                );
                for us in group.durations_us {
                    histogram.record(us as f64 / 1e6);
                }
            }
        });
    }
}
