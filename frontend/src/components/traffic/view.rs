//! What the Traffic Logs page shows, as kept in the page's URL query: the time range and every
//! filter. [`TrafficView::snapshot`] fixes a relative range to absolute times when the page
//! loads, so the table, the stats and the CSV export all cover exactly the same rows.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// The time presets, as `(query value, label, length)`.
pub const PRESETS: [(&str, &str, i64); 4] = [
    ("15m", "15 min", 15),
    ("1h", "1 h", 60),
    ("24h", "24 h", 24 * 60),
    ("7d", "7 d", 7 * 24 * 60),
];

/// The page's URL query. Absent fields are no filter; `range` absent means the last hour.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrafficView {
    /// A preset (`15m`, `1h`, `24h`, `7d`) or `custom` (then `from`/`to`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub range: Option<String>,
    /// Custom range start (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Custom range end (RFC 3339); absent: now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// `2xx` .. `5xx`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// API key id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<i64>,
    /// Exact path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Path prefix (the "endpoint" box).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// Client IP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// User id (admins).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<i64>,
    /// HTTP method.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Error class.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Minimum latency, milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_ms: Option<u32>,
    /// Request id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rid: Option<String>,
    /// Auto-refresh period in seconds (5, 15 or 30); absent: off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh: Option<u32>,
}

/// A view fixed to absolute times.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// Start.
    pub from: DateTime<Utc>,
    /// End (exclusive).
    pub to: DateTime<Utc>,
    /// The view.
    pub view: TrafficView,
}

fn rfc3339(time: &DateTime<Utc>) -> String {
    keygate_types::rfc3339::format(time)
}

fn parse_time(raw: Option<&str>) -> Option<DateTime<Utc>> {
    raw.and_then(|t| keygate_types::rfc3339::parse(t).ok())
}

impl TrafficView {
    /// The range's query value (`1h` when unset or unknown).
    pub fn range_name(&self) -> &str {
        match self.range.as_deref() {
            Some(name) if name == "custom" || PRESETS.iter().any(|p| p.0 == name) => name,
            _ => "1h",
        }
    }

    /// The view with absolute times, `now` being the end of a preset range.
    pub fn snapshot(&self, now: DateTime<Utc>) -> Snapshot {
        let (from, to) = if self.range_name() == "custom" {
            let to = parse_time(self.to.as_deref()).unwrap_or(now);
            let from = parse_time(self.from.as_deref()).unwrap_or(to - Duration::hours(1));
            (from, to)
        } else {
            let minutes = PRESETS
                .iter()
                .find(|p| p.0 == self.range_name())
                .map_or(60, |p| p.2);
            (now - Duration::minutes(minutes), now)
        };
        Snapshot {
            from,
            to,
            view: self.clone(),
        }
    }

    /// Whether any filter other than the time range is set.
    pub fn filtered(&self) -> bool {
        let cleared = TrafficView {
            range: self.range.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
            refresh: self.refresh,
            ..TrafficView::default()
        };
        *self != cleared
    }
}

impl Snapshot {
    /// The list's (and the export's) query parameters.
    pub fn list_query(&self) -> Vec<(&'static str, String)> {
        let v = &self.view;
        let mut pairs = vec![("from", rfc3339(&self.from)), ("to", rfc3339(&self.to))];
        let mut text = |name: &'static str, value: &Option<String>| {
            if let Some(value) = value.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                pairs.push((name, value.to_owned()));
            }
        };
        text("status_class", &v.status);
        text("path", &v.path);
        text("path_prefix", &v.prefix);
        text("ip", &v.ip);
        text("method", &v.method);
        text("error_class", &v.error);
        text("request_id", &v.rid);
        if let Some(key) = v.key {
            pairs.push(("key_id", key.to_string()));
        }
        if let Some(user) = v.user {
            pairs.push(("user_id", user.to_string()));
        }
        if let Some(ms) = v.min_ms.filter(|ms| *ms > 0) {
            pairs.push(("min_duration_ms", ms.to_string()));
        }
        pairs
    }

    /// The stats' query parameters (they take the range, the user and the key).
    pub fn stats_query(&self) -> Vec<(&'static str, String)> {
        let mut pairs = vec![("from", rfc3339(&self.from)), ("to", rfc3339(&self.to))];
        if let Some(key) = self.view.key {
            pairs.push(("key_id", key.to_string()));
        }
        if let Some(user) = self.view.user {
            pairs.push(("user_id", user.to_string()));
        }
        pairs
    }

    /// The list's filters for rows that arrived after this snapshot (the "new rows" check).
    pub fn newer_query(&self) -> Vec<(&'static str, String)> {
        let mut pairs: Vec<_> = self
            .list_query()
            .into_iter()
            .filter(|(name, _)| *name != "from" && *name != "to")
            .collect();
        pairs.push(("from", rfc3339(&self.to)));
        pairs.push(("limit", "500".to_owned()));
        pairs
    }

    /// Whether the range follows the clock (a preset), so newer rows belong to it.
    pub fn live(&self) -> bool {
        self.view.range_name() != "custom"
    }
}

/// A value to filter by, from a clicked cell or chart bar.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// HTTP method.
    Method(String),
    /// Exact path.
    Path(String),
    /// Status class (`4xx`).
    Status(String),
    /// Error class.
    ErrorClass(String),
    /// API key id.
    Key(i64),
    /// Client IP.
    Ip(String),
    /// User id.
    User(i64),
}

impl TrafficView {
    /// The view with `filter` added (replacing the same kind of filter).
    pub fn with(&self, filter: Filter) -> TrafficView {
        let mut view = self.clone();
        match filter {
            Filter::Method(m) => view.method = Some(m),
            Filter::Path(p) => {
                view.path = Some(p);
                view.prefix = None;
            }
            Filter::Status(s) => view.status = Some(s),
            Filter::ErrorClass(e) => view.error = Some(e),
            Filter::Key(k) => view.key = Some(k),
            Filter::Ip(ip) => view.ip = Some(ip),
            Filter::User(u) => view.user = Some(u),
        }
        view
    }
}

/// The view narrowed to the time bucket `[from, from + minutes)`.
pub fn with_bucket(view: &TrafficView, from: DateTime<Utc>, minutes: i64) -> TrafficView {
    TrafficView {
        range: Some("custom".into()),
        from: Some(rfc3339(&from)),
        to: Some(rfc3339(&(from + Duration::minutes(minutes)))),
        ..view.clone()
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2030, 1, 2, 12, 0, 0).unwrap()
    }

    #[test]
    fn a_preset_becomes_absolute_times_ending_now() {
        let view = TrafficView {
            range: Some("15m".into()),
            ..Default::default()
        };
        let snap = view.snapshot(now());
        assert_eq!(snap.to, now());
        assert_eq!(snap.from, now() - Duration::minutes(15));
        assert!(snap.live());
        let unknown = TrafficView {
            range: Some("1y".into()),
            ..Default::default()
        };
        assert_eq!(unknown.snapshot(now()).from, now() - Duration::hours(1));
    }

    #[test]
    fn every_filter_reaches_the_list_query_and_blank_ones_do_not() {
        let view = TrafficView {
            status: Some("4xx".into()),
            key: Some(7),
            path: Some(" ".into()),
            prefix: Some("/api/v1/".into()),
            ip: Some("10.0.0.1".into()),
            user: Some(2),
            method: Some("POST".into()),
            error: Some("invalid_key".into()),
            min_ms: Some(250),
            rid: Some("abc".into()),
            ..Default::default()
        };
        let snap = view.snapshot(now());
        let names: Vec<&str> = snap.list_query().iter().map(|p| p.0).collect();
        assert_eq!(
            names,
            [
                "from",
                "to",
                "status_class",
                "path_prefix",
                "ip",
                "method",
                "error_class",
                "request_id",
                "key_id",
                "user_id",
                "min_duration_ms"
            ]
        );
        let stats: Vec<&str> = snap.stats_query().iter().map(|p| p.0).collect();
        assert_eq!(stats, ["from", "to", "key_id", "user_id"]);
        assert!(view.filtered());
        assert!(!TrafficView::default().filtered());
    }

    #[test]
    fn a_custom_range_and_a_bucket_use_their_own_times() {
        let bucket = with_bucket(&TrafficView::default(), now(), 5);
        let snap = bucket.snapshot(now() + Duration::hours(3));
        assert_eq!(snap.from, now());
        assert_eq!(snap.to, now() + Duration::minutes(5));
        assert!(!snap.live());
    }
}
