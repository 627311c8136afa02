//! Listing the traffic log: filters, newest first, cursor pagination by `(ts, id)`. The CSV export
//! walks the same pages.

use std::net::IpAddr;

use chrono::{DateTime, TimeZone, Utc};
use keygate_types::traffic::{TrafficEntry, TrafficFilter, TrafficPage};
use sea_orm::{ConnectionTrait, DbBackend};

use crate::entities::traffic_log;
use crate::error::{CoreError, CoreResult};

mod plan;
#[cfg(test)]
mod tests;
mod walk;

use walk::Walk;

/// Default page size.
pub const DEFAULT_LIMIT: u32 = 50;
/// Largest page size.
pub const MAX_LIMIT: u32 = 500;

/// A validated filter: `user` is the scope (None for an admin looking at everyone).
#[derive(Debug, Clone, Default)]
pub struct LogQuery {
    user: Option<i64>,
    from_ms: Option<i64>,
    to_ms: Option<i64>,
    path: Option<String>,
    path_prefix: Option<String>,
    method: Option<String>,
    status: Option<(i32, i32)>,
    error_class: Option<String>,
    min_duration_us: Option<i64>,
    request_id: Option<String>,
    key_id: Option<i64>,
    ip: Option<String>,
    cursor: Option<(i64, i64)>,
    limit: u64,
}

/// Longest accepted path prefix (paths are stored cut at 255 bytes).
const MAX_PREFIX: usize = 255;
/// Largest accepted minimum latency: a day, in milliseconds.
const MAX_MIN_DURATION_MS: u32 = 86_400_000;

/// `raw` trimmed, or None when it is absent or blank.
fn present(raw: Option<&str>) -> Option<&str> {
    raw.map(str::trim).filter(|s| !s.is_empty())
}

/// An HTTP method name: 1 to 16 ASCII letters, upper-cased.
fn parse_method(raw: &str) -> CoreResult<String> {
    if raw.len() <= 16 && raw.bytes().all(|b| b.is_ascii_alphabetic()) {
        Ok(raw.to_ascii_uppercase())
    } else {
        Err(CoreError::field(
            "method",
            "must be an HTTP method such as GET or POST",
        ))
    }
}

/// An error class as the log writes them: 1 to 32 lowercase letters and `_`.
fn parse_error_class(raw: &str) -> CoreResult<String> {
    if raw.len() <= 32 && raw.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
        Ok(raw.to_owned())
    } else {
        Err(CoreError::field(
            "error_class",
            "must be an error class such as invalid_key (lowercase letters and _)",
        ))
    }
}

/// A request id: 1 to 32 hex digits, lower-cased (the log writes 20).
fn parse_request_id(raw: &str) -> CoreResult<String> {
    if raw.len() <= 32 && raw.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(raw.to_ascii_lowercase())
    } else {
        Err(CoreError::field(
            "request_id",
            "must be hex digits, as in X-Request-Id",
        ))
    }
}

impl LogQuery {
    /// Checks `filter`; `user` restricts the rows to one user's.
    pub fn new(filter: &TrafficFilter, user: Option<i64>) -> CoreResult<Self> {
        let status = match filter.status_class.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(class) => {
                let digit = class
                    .strip_suffix("xx")
                    .or_else(|| class.strip_suffix("XX"))
                    .and_then(|d| d.parse::<i32>().ok())
                    .filter(|d| (1..=5).contains(d))
                    .ok_or_else(|| {
                        CoreError::field("status_class", "must be 1xx, 2xx, 3xx, 4xx or 5xx")
                    })?;
                Some((digit * 100, digit * 100 + 100))
            }
        };
        let ip = match filter
            .ip
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(raw) => Some(
                raw.parse::<IpAddr>()
                    .map_err(|_| CoreError::field("ip", "is not an IP address"))?
                    .to_canonical()
                    .to_string(),
            ),
        };
        let cursor = match filter.cursor.as_deref().filter(|c| !c.is_empty()) {
            None => None,
            Some(raw) => Some(parse_cursor(raw).ok_or_else(|| {
                CoreError::field("cursor", "is not a cursor from a previous page")
            })?),
        };
        let path_prefix = match filter.path_prefix.as_deref().filter(|p| !p.is_empty()) {
            Some(prefix) if prefix.len() > MAX_PREFIX => {
                return Err(CoreError::field(
                    "path_prefix",
                    "may be at most 255 bytes long",
                ))
            }
            prefix => prefix.map(str::to_owned),
        };
        let method = present(filter.method.as_deref())
            .map(parse_method)
            .transpose()?;
        let error_class = present(filter.error_class.as_deref())
            .map(parse_error_class)
            .transpose()?;
        let request_id = present(filter.request_id.as_deref())
            .map(parse_request_id)
            .transpose()?;
        let min_duration_us = match filter.min_duration_ms {
            Some(ms) if ms > MAX_MIN_DURATION_MS => {
                return Err(CoreError::field(
                    "min_duration_ms",
                    "may be at most 86400000 (a day)",
                ))
            }
            Some(0) | None => None,
            Some(ms) => Some(i64::from(ms) * 1000),
        };
        let limit = filter.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(CoreError::field("limit", "must be between 1 and 500"));
        }
        Ok(Self {
            user,
            from_ms: filter.from.map(|t| t.timestamp_millis()),
            to_ms: filter.to.map(|t| t.timestamp_millis()),
            path: filter.path.clone().filter(|p| !p.is_empty()),
            path_prefix,
            method,
            status,
            error_class,
            min_duration_us,
            request_id,
            key_id: filter.key_id,
            ip,
            cursor,
            limit: u64::from(limit),
        })
    }

    /// Changes the page size (the export reads bigger pages).
    pub fn with_limit(mut self, limit: u64) -> Self {
        self.limit = limit.max(1);
        self
    }

    /// Whether only the rare rows (status >= 300) can match: an error class is only ever
    /// written for errors.
    fn unusual_only(&self) -> bool {
        self.status.is_some_and(|(low, _)| low >= walk::UNUSUAL_LOW) || self.error_class.is_some()
    }

    /// One page, newest first; `next_cursor` is set when older rows remain.
    pub async fn page(&self, db: &impl ConnectionTrait) -> CoreResult<TrafficPage> {
        let walks = if db.get_database_backend() == DbBackend::Sqlite {
            self.sqlite_walks(db).await?
        } else {
            vec![Walk::Planner]
        };
        let mut rows = Vec::new();
        for walk in &walks {
            rows.extend(self.select(walk).all(db).await?);
        }
        if walks.len() > 1 {
            rows.sort_unstable_by_key(|r| std::cmp::Reverse((r.ts, r.id)));
        }
        let more = rows.len() as u64 > self.limit;
        rows.truncate(self.limit as usize);
        let next_cursor = more
            .then(|| rows.last().map(|r| format!("{}.{}", r.ts, r.id)))
            .flatten();
        Ok(TrafficPage {
            items: rows.into_iter().map(entry).collect(),
            next_cursor,
        })
    }

    /// The query for the page after `page` (None when it was the last).
    pub fn after(&self, page: &TrafficPage) -> Option<Self> {
        let cursor = parse_cursor(page.next_cursor.as_deref()?)?;
        Some(Self {
            cursor: Some(cursor),
            ..self.clone()
        })
    }
}

fn parse_cursor(raw: &str) -> Option<(i64, i64)> {
    let (ts, id) = raw.split_once('.')?;
    Some((ts.parse().ok()?, id.parse().ok()?))
}

/// Unix milliseconds as a time.
pub fn from_millis(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

fn entry(row: traffic_log::Model) -> TrafficEntry {
    TrafficEntry {
        id: row.id,
        at: from_millis(row.ts),
        method: row.method,
        path: row.path,
        status: u16::try_from(row.status).unwrap_or(0),
        duration_us: row.duration_us,
        client_ip: row.client_ip,
        user_id: row.user_id,
        key_id: row.key_id,
        request_id: row.request_id,
        error_class: row.error_class,
    }
}

/// The CSV header line of the export.
pub const CSV_HEADER: &str =
    "id,time,method,path,status,duration_us,client_ip,user_id,key_id,request_id,error_class\n";

/// Appends one entry as a CSV line (RFC 4180 quoting where needed).
pub fn csv_line(out: &mut String, e: &TrafficEntry) {
    use std::fmt::Write;
    let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    let _ = writeln!(
        out,
        "{},{},{},{},{},{},{},{},{},{},{}",
        e.id,
        e.at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        csv_field(&e.method),
        csv_field(&e.path),
        e.status,
        e.duration_us,
        csv_field(&e.client_ip),
        opt(e.user_id),
        opt(e.key_id),
        csv_field(&e.request_id),
        csv_field(e.error_class.as_deref().unwrap_or_default()),
    );
}

fn csv_field(value: &str) -> String {
    // A leading =, +, - or @ would make a spreadsheet evaluate the cell: quote and prefix it.
    let formula = value.starts_with(['=', '+', '-', '@']);
    if formula || value.contains([',', '"', '\n', '\r']) {
        let prefix = if formula { "'" } else { "" };
        format!("\"{prefix}{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}
