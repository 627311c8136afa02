//! How the Traffic Logs page writes times, latencies and statuses.

use chrono::{DateTime, Local, Timelike, Utc};

use crate::format::date_minute;

/// A time in the browser's zone: the time of day for today's, else with the date.
pub fn local(time: &DateTime<Utc>, now: &DateTime<Utc>) -> String {
    let local = time.with_timezone(&Local);
    let with_date = date_minute(&local, ' ');
    let seconds = local.second();
    if local.date_naive() == now.with_timezone(&Local).date_naive() {
        format!("{}:{seconds:02}", &with_date[with_date.len() - 5..])
    } else {
        format!("{with_date}:{seconds:02}")
    }
}

/// How long before `now` `time` was: `12 s ago`, `5 min ago`, `3 h ago`, `2 d ago`.
pub fn relative(time: &DateTime<Utc>, now: &DateTime<Utc>) -> String {
    let seconds = (*now - *time).num_seconds();
    match seconds {
        i64::MIN..=-1 => "just now".to_owned(),
        0..=59 => format!("{seconds} s ago"),
        60..=3599 => format!("{} min ago", seconds / 60),
        3600..=86_399 => format!("{} h ago", seconds / 3600),
        _ => format!("{} d ago", seconds / 86_400),
    }
}

/// The full UTC time (for hover titles).
pub fn utc(time: &DateTime<Utc>) -> String {
    keygate_types::rfc3339::format(time)
}

/// A duration in microseconds, in the unit that reads best.
pub fn latency(us: i64) -> String {
    match us {
        i64::MIN..=999 => format!("{us} µs"),
        1000..=9_999 => format!("{:.2} ms", us as f64 / 1000.0),
        10_000..=999_999 => format!("{:.1} ms", us as f64 / 1000.0),
        _ => format!("{:.2} s", us as f64 / 1_000_000.0),
    }
}

/// A count with thin separators every three digits.
pub fn count(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        out.insert(0, '-');
    }
    out
}

/// A fraction as a percentage with one decimal.
pub fn percent(fraction: f64) -> String {
    format!("{:.1} %", fraction * 100.0)
}

/// A status's class (`2xx`) and CSS modifier.
pub fn status_class(status: u16) -> (String, &'static str) {
    let class = format!("{}xx", status / 100);
    let tone = match status {
        500.. => "bad",
        400..=499 => "warn",
        300..=399 => "muted",
        _ => "ok",
    };
    (class, tone)
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;

    #[test]
    fn relative_times_pick_their_unit() {
        let now = Utc.with_ymd_and_hms(2030, 1, 2, 12, 0, 0).unwrap();
        assert_eq!(relative(&(now - Duration::seconds(12)), &now), "12 s ago");
        assert_eq!(relative(&(now - Duration::minutes(5)), &now), "5 min ago");
        assert_eq!(relative(&(now - Duration::hours(3)), &now), "3 h ago");
        assert_eq!(relative(&(now - Duration::days(2)), &now), "2 d ago");
        assert_eq!(relative(&(now + Duration::seconds(2)), &now), "just now");
    }

    #[test]
    fn latencies_counts_and_statuses_read_well() {
        assert_eq!(latency(850), "850 µs");
        assert_eq!(latency(1234), "1.23 ms");
        assert_eq!(latency(45_600), "45.6 ms");
        assert_eq!(latency(2_500_000), "2.50 s");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(count(12), "12");
        assert_eq!(status_class(503), ("5xx".to_owned(), "bad"));
        assert_eq!(status_class(429).1, "warn");
        assert_eq!(percent(0.1234), "12.3 %");
    }
}
