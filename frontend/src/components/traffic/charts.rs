//! Charts drawn as inline SVG (no JavaScript library): requests per minute stacked by outcome,
//! the status mix, and bar lists. Every bar is focusable and filters the log when clicked or
//! when Enter is pressed on it.

use chrono::{DateTime, Duration, Utc};
use keygate_types::traffic::{MinuteCount, StatusClassCount};
use yew::prelude::*;

use super::text;
use super::view::Filter;

/// Width of the SVG coordinate space.
const WIDTH: f64 = 720.0;
/// Most bars in the per-minute chart: longer ranges are drawn in wider buckets.
const MAX_BARS: i64 = 120;

/// Calls `then` on click and on Enter or Space.
fn activate<T: Clone + 'static>(
    value: T,
    then: &Callback<T>,
) -> (Callback<MouseEvent>, Callback<KeyboardEvent>) {
    let click = {
        let value = value.clone();
        then.reform(move |_: MouseEvent| value.clone())
    };
    let then = then.clone();
    let key = Callback::from(move |e: KeyboardEvent| {
        if e.key() == "Enter" || e.key() == " " {
            e.prevent_default();
            then.emit(value.clone());
        }
    });
    (click, key)
}

/// One bucket of the per-minute chart.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Bucket {
    /// Successful (< 400).
    pub ok: i64,
    /// 4xx.
    pub client: i64,
    /// 5xx.
    pub server: i64,
}

impl Bucket {
    fn total(&self) -> i64 {
        self.ok + self.client + self.server
    }
}

/// The minutes of `[from, to)` in buckets of `width` minutes (at most [`MAX_BARS`] of them),
/// every minute without requests counted as zero.
pub fn buckets(
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    minutes: &[MinuteCount],
) -> (i64, Vec<Bucket>) {
    let span = ((to - from).num_minutes()).max(1);
    let width = (span + MAX_BARS - 1) / MAX_BARS;
    let count = (span + width - 1) / width;
    let mut out = vec![Bucket::default(); count as usize];
    for m in minutes {
        let index = (m.minute - from).num_minutes().div_euclid(width);
        if let Some(bucket) = usize::try_from(index).ok().and_then(|i| out.get_mut(i)) {
            bucket.server += m.server_errors;
            bucket.client += m.errors - m.server_errors;
            bucket.ok += m.requests - m.errors;
        }
    }
    (width, out)
}

/// Requests per minute (or per bucket of minutes), stacked success / 4xx / 5xx.
pub fn per_minute_chart(
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    minutes: &[MinuteCount],
    now: &DateTime<Utc>,
    on_bucket: &Callback<(DateTime<Utc>, i64)>,
) -> Html {
    let (width, bars) = buckets(from, to, minutes);
    let height = 140.0;
    let max = bars.iter().map(Bucket::total).max().unwrap_or(0).max(1) as f64;
    let step = WIDTH / bars.len().max(1) as f64;
    let unit = if width == 1 {
        "minute".to_owned()
    } else {
        format!("{width} minutes")
    };
    let bar = |(i, b): (usize, &Bucket)| {
        let start = from + Duration::minutes(i as i64 * width);
        let x = i as f64 * step;
        let w = (step - 1.0).max(0.5);
        let scale = |n: i64| n as f64 / max * height;
        let (ok, client, server) = (scale(b.ok), scale(b.client), scale(b.server));
        let label = format!(
            "{}: {} requests ({} 4xx, {} 5xx)",
            text::local(&start, now),
            b.total(),
            b.client,
            b.server
        );
        let (onclick, onkeydown) = activate((start, width), on_bucket);
        html! {
            <g class="bar" tabindex="0" role="button" aria-label={label.clone()} {onclick} {onkeydown}
               data-testid="minute-bar">
                <title>{ label }</title>
                <rect class="hit" x={x.to_string()} y="0" width={step.to_string()} height={height.to_string()} />
                <rect class="seg-ok" x={x.to_string()} y={(height - ok).to_string()} width={w.to_string()} height={ok.to_string()} />
                <rect class="seg-4xx" x={x.to_string()} y={(height - ok - client).to_string()} width={w.to_string()} height={client.to_string()} />
                <rect class="seg-5xx" x={x.to_string()} y={(height - ok - client - server).to_string()} width={w.to_string()} height={server.to_string()} />
            </g>
        }
    };
    html! {
        <figure class="chart" data-testid="chart-per-minute">
            <figcaption>
                { format!("Requests per {unit} (peak {})", text::count(max as i64)) }
                <span class="legend"><i class="seg-ok"></i>{ "success" }<i class="seg-4xx"></i>{ "4xx" }<i class="seg-5xx"></i>{ "5xx" }</span>
            </figcaption>
            <svg viewBox={format!("0 0 {WIDTH} {height}")} width="100%" preserveAspectRatio="none"
                 role="group" aria-label="Requests over time; choose a bar to show its rows">
                <line class="axis" x1="0" x2={WIDTH.to_string()} y1={height.to_string()} y2={height.to_string()} />
                { for bars.iter().enumerate().map(bar) }
            </svg>
            <div class="ticks"><span>{ text::local(&from, now) }</span><span>{ text::local(&to, now) }</span></div>
        </figure>
    }
}

/// One row of a bar list.
pub struct BarRow {
    /// Label.
    pub label: String,
    /// Length of the bar (relative to the longest).
    pub value: i64,
    /// The value as shown.
    pub shown: String,
    /// What clicking filters by.
    pub filter: Option<Filter>,
    /// CSS class of the bar.
    pub tone: &'static str,
}

/// Horizontal bars, in the order given: each a button (label, SVG bar, value) that filters by
/// its value.
pub fn bar_list(
    title: &str,
    testid: &'static str,
    rows: Vec<BarRow>,
    on_filter: &Callback<Filter>,
) -> Html {
    let max = rows.iter().map(|r| r.value).max().unwrap_or(1).max(1) as f64;
    let row = |row: &BarRow| {
        let percent = (row.value as f64 / max * 100.0).max(0.5);
        let full = format!("{}: {}", row.label, row.shown);
        let body = html! {
            <>
                <span class="bar-label">{ row.label.clone() }</span>
                <svg class="bar-track" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
                    <rect class={row.tone} x="0" y="0" width={format!("{percent:.2}")} height="10" />
                </svg>
                <span class="bar-value">{ row.shown.clone() }</span>
            </>
        };
        match &row.filter {
            Some(filter) => {
                let filter = filter.clone();
                let onclick = on_filter.reform(move |_: MouseEvent| filter.clone());
                html! {
                    <li><button type="button" class="bar-row" title={format!("{full} (show only these rows)")} {onclick}>{ body }</button></li>
                }
            }
            None => html! { <li><div class="bar-row" title={full}>{ body }</div></li> },
        }
    };
    html! {
        <figure class="chart" data-testid={testid}>
            <figcaption>{ title.to_owned() }</figcaption>
            if rows.is_empty() {
                <p class="empty">{ "Nothing in this range." }</p>
            } else {
                <ul class="bar-list">{ for rows.iter().map(row) }</ul>
            }
        </figure>
    }
}

/// The CSS class of a status class's colour.
pub fn tone_of_class(class: &str) -> &'static str {
    match class.as_bytes().first() {
        Some(b'5') => "seg-5xx",
        Some(b'4') => "seg-4xx",
        Some(b'3') => "seg-3xx",
        _ => "seg-ok",
    }
}

/// The share of each status class, as one stacked bar.
pub fn status_mix(classes: &[StatusClassCount], on_filter: &Callback<Filter>) -> Html {
    let total: i64 = classes.iter().map(|c| c.requests).sum();
    if total == 0 {
        return html! {
            <figure class="chart" data-testid="chart-status-mix">
                <figcaption>{ "Status mix" }</figcaption>
                <p class="empty">{ "Nothing in this range." }</p>
            </figure>
        };
    }
    let mut x = 0.0;
    let segment = |c: &StatusClassCount| {
        let w = c.requests as f64 / total as f64 * WIDTH;
        let label = format!(
            "{}: {} ({})",
            c.class,
            text::count(c.requests),
            text::percent(c.requests as f64 / total as f64)
        );
        let (onclick, onkeydown) = activate(Filter::Status(c.class.clone()), on_filter);
        let out = html! {
            <g class="bar" tabindex="0" role="button" aria-label={label.clone()} {onclick} {onkeydown}>
                <title>{ label }</title>
                <rect class={tone_of_class(&c.class)} x={x.to_string()} y="0" width={w.max(1.0).to_string()} height="24" />
            </g>
        };
        x += w;
        out
    };
    let bars: Vec<Html> = classes.iter().map(segment).collect();
    html! {
        <figure class="chart" data-testid="chart-status-mix">
            <figcaption>{ "Status mix" }</figcaption>
            <svg viewBox={format!("0 0 {WIDTH} 24")} width="100%" preserveAspectRatio="none" role="group" aria-label="Status mix">
                { for bars }
            </svg>
            <p class="legend">
                { for classes.iter().map(|c| html! {
                    <span><i class={tone_of_class(&c.class)}></i>{ format!("{} {} ({})", c.class, text::count(c.requests), text::percent(c.requests as f64 / total as f64)) }</span>
                }) }
            </p>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn empty_minutes_are_zero_and_long_ranges_use_wider_buckets() {
        let from = Utc.with_ymd_and_hms(2030, 1, 2, 12, 0, 0).unwrap();
        let minute = |m: i64, requests, errors, server_errors| MinuteCount {
            minute: from + Duration::minutes(m),
            requests,
            errors,
            server_errors,
        };
        let (width, bars) = buckets(from, from + Duration::minutes(15), &[minute(3, 10, 4, 1)]);
        assert_eq!((width, bars.len()), (1, 15));
        assert_eq!(
            bars[3],
            Bucket {
                ok: 6,
                client: 3,
                server: 1
            }
        );
        assert_eq!(bars.iter().filter(|b| b.total() == 0).count(), 14);

        let week = from + Duration::days(7);
        let (width, bars) = buckets(from, week, &[minute(0, 1, 0, 0), minute(84, 2, 2, 2)]);
        assert_eq!(width, 84);
        assert_eq!(bars.len(), 120);
        assert_eq!(bars[0].ok, 1);
        assert_eq!(bars[1].server, 2);
    }
}
