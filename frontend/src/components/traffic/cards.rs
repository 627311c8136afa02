//! The stat cards over the charts.

use keygate_types::traffic::TrafficStats;
use yew::prelude::*;

use super::text;

fn card(label: &str, value: String, note: Option<String>, testid: &'static str) -> Html {
    let long = value.chars().count() > 12;
    html! {
        <div class="stat-card" data-testid={testid}>
            <span class="stat-label">{ label.to_owned() }</span>
            <strong class={classes!("stat-value", long.then_some("stat-value-long"))}>{ value }</strong>
            if let Some(note) = note { <span class="stat-note">{ note }</span> }
        </div>
    }
}

/// Requests, error rate, 5xx, latency percentiles and the peak minute; a warning when the
/// server dropped rows.
pub fn stat_cards(stats: &TrafficStats, by_key: bool) -> Html {
    let peak = stats
        .per_minute
        .iter()
        .map(|m| m.requests)
        .max()
        .unwrap_or(0);
    let precision = if by_key {
        "this key's calls, ±7 % (log buckets)"
    } else {
        "over whole hours, ±7 % (log buckets)"
    };
    let l = &stats.latency;
    html! {
        <>
            if stats.dropped_rows > 0 {
                <div class="alert alert-warning" role="status" data-testid="dropped-rows">
                    { format!("This server dropped {} log rows since it started because the writer's queue was full: the log and these figures miss them.", text::count(stats.dropped_rows as i64)) }
                </div>
            }
            <div class="stat-cards">
                { card("Requests", text::count(stats.requests), None, "stat-requests") }
                { card("Error rate", text::percent(stats.error_rate), Some(format!("{} with status ≥ 400", text::count(stats.errors))), "stat-error-rate") }
                { card("5xx", text::count(stats.server_errors), None, "stat-5xx") }
                { card("p50 / p95 / p99", format!("{} / {} / {}", text::latency(l.p50_us), text::latency(l.p95_us), text::latency(l.p99_us)), Some(precision.to_owned()), "stat-latency") }
                { card("Peak", format!("{} /min", text::count(peak)), None, "stat-peak") }
            </div>
        </>
    }
}
