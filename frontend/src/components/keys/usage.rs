//! A key's last 24 hours on the keys page: an hourly sparkline (inline SVG), the request count and
//! error rate, and how long the key has been unused.

use chrono::{DateTime, Utc};
use keygate_types::keys::KeyHourlyUsage;
use yew::prelude::*;

/// Sparkline size in SVG units: one 4-unit column per hour.
const WIDTH: i64 = 96;
const HEIGHT: i64 = 24;

/// "never used", "used today", "unused for 1 day", "unused for N days".
pub fn idle_text(last_used: Option<&DateTime<Utc>>, now: &DateTime<Utc>) -> String {
    match last_used.map(|at| (*now - *at).num_days()) {
        None => "never used".to_owned(),
        Some(days) if days <= 0 => "used today".to_owned(),
        Some(1) => "unused for 1 day".to_owned(),
        Some(days) => format!("unused for {days} days"),
    }
}

/// Errors as a share of requests: `4.2%`, or `–` without requests.
pub fn error_rate(requests: i64, errors: i64) -> String {
    if requests <= 0 {
        return "–".to_owned();
    }
    let permille = errors * 1000 / requests;
    format!("{}.{}%", permille / 10, permille % 10)
}

/// One column per hour, oldest on the left: requests in blue, their errors in red at the base.
fn sparkline(usage: &KeyHourlyUsage) -> Html {
    let peak = usage.requests.iter().copied().max().unwrap_or(0).max(1);
    let hours = usage.requests.len() as i64;
    let scale = |n: i64| if n > 0 { (n * HEIGHT / peak).max(1) } else { 0 };
    let columns = usage.requests.iter().zip(&usage.errors).enumerate().map(|(i, (&n, &e))| {
        let x = i as i64 * 4;
        let (h, eh) = (scale(n), scale(e));
        let ago = hours - i as i64;
        let label = format!("{ago}-{} h ago: {n} requests, {e} errors", ago - 1);
        html! {
            <g>
                <title>{ label }</title>
                <rect class="spark-hit" x={x.to_string()} y="0" width="4" height={HEIGHT.to_string()} />
                <rect class="spark-req" x={x.to_string()} y={(HEIGHT - h).to_string()} width="3" height={h.to_string()} />
                <rect class="spark-err" x={x.to_string()} y={(HEIGHT - eh).to_string()} width="3" height={eh.to_string()} />
            </g>
        }
    });
    html! {
        <svg class="spark" viewBox={format!("0 0 {WIDTH} {HEIGHT}")} width="96" height="24" role="img"
             aria-label="requests per hour over the last 24 hours" data-testid="key-sparkline">
            <line class="spark-base" x1="0" y1={HEIGHT.to_string()} x2={WIDTH.to_string()} y2={HEIGHT.to_string()} />
            { for columns }
        </svg>
    }
}

/// The "Last 24 h" cell: sparkline, requests and error rate; a dash while usage is unknown.
pub fn usage_cell(usage: Option<&KeyHourlyUsage>) -> Html {
    let Some(usage) = usage else {
        return html! { <span class="muted">{ "–" }</span> };
    };
    let requests: i64 = usage.requests.iter().sum();
    let errors: i64 = usage.errors.iter().sum();
    if requests == 0 {
        return html! { <small class="muted" data-testid="key-requests">{ "no requests" }</small> };
    }
    let class = if errors > 0 {
        "spark-errors bad"
    } else {
        "spark-errors"
    };
    html! {
        <div class="key-usage">
            { sparkline(usage) }
            <small data-testid="key-requests">{ format!("{requests} req") }</small>
            <small class={class} data-testid="key-error-rate" title={format!("{errors} of {requests} answers were errors (status 400 or more)")}>
                { format!("{} errors", error_rate(requests, errors)) }
            </small>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;

    #[test]
    fn idle_time_counts_whole_days_since_the_last_use() {
        let now = Utc::now();
        assert_eq!(idle_text(None, &now), "never used");
        assert_eq!(
            idle_text(Some(&(now - Duration::hours(23))), &now),
            "used today"
        );
        assert_eq!(
            idle_text(Some(&(now - Duration::hours(30))), &now),
            "unused for 1 day"
        );
        assert_eq!(
            idle_text(Some(&(now - Duration::days(9))), &now),
            "unused for 9 days"
        );
    }

    #[test]
    fn the_error_rate_is_a_share_of_requests_to_a_tenth_of_a_percent() {
        assert_eq!(error_rate(0, 0), "–");
        assert_eq!(error_rate(3, 1), "33.3%");
        assert_eq!(error_rate(1000, 42), "4.2%");
        assert_eq!(error_rate(5, 0), "0.0%");
    }
}
