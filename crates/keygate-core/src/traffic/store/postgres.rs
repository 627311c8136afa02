//! The traffic writer on PostgreSQL: connections of its own (not the pool's, which the requests
//! need), one per transaction in flight, and per transaction one `COPY traffic_logs FROM STDIN`
//! in PostgreSQL's binary format for the raw rows, then one upsert per rollup table with every sum
//! bound as an array (`UNNEST`), so a transaction of 10,000 rows is six statements whatever its
//! size.
//!
//! The multi-row `INSERT`s this replaces bound ten values per row and had PostgreSQL parse and plan
//! a new statement of up to 10,000 placeholders per 1,000 rows; under a ~150,000 req/s ping load
//! they wrote about a quarter of the rows and the queue dropped the rest. Binary `COPY` needs no
//! escaping at all (every value goes as its length and its bytes), so tabs, backslashes, newlines
//! and any Unicode in a path reach the table as they were.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sea_orm::sqlx::postgres::{PgConnectOptions, PgConnection};
use sea_orm::sqlx::{self, Connection};
use sea_orm::{DbErr, RuntimeErr};
use tokio::sync::Mutex;

use super::super::summary::Summary;
use super::super::TrafficRecord;

/// How long opening the writer's connection may take before the batch counts as failed.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

const COPY_ROWS: &str = "COPY traffic_logs (ts, method, path, status, duration_us, client_ip, \
    user_id, key_id, request_id, error_class) FROM STDIN (FORMAT binary)";

/// Columns per raw row, as `COPY_ROWS` lists them.
const COLUMNS: i16 = 10;

const ADD_ENDPOINTS: &str = "INSERT INTO traffic_rollups AS t \
    (user_id, span, minute, method, path, requests, errors, server_errors) \
    SELECT * FROM UNNEST($1::int8[], $2::int8[], $3::int8[], $4::text[], $5::text[], \
    $6::int8[], $7::int8[], $8::int8[]) \
    ON CONFLICT (user_id, span, minute, method, path) DO UPDATE SET \
    requests = t.requests + excluded.requests, errors = t.errors + excluded.errors, \
    server_errors = t.server_errors + excluded.server_errors";

const ADD_LATENCIES: &str = "INSERT INTO traffic_latency_rollups AS t \
    (user_id, span, hour, method, path, lat_bucket, requests) \
    SELECT * FROM UNNEST($1::int8[], $2::int8[], $3::int8[], $4::text[], $5::text[], \
    $6::int4[], $7::int8[]) \
    ON CONFLICT (user_id, span, hour, method, path, lat_bucket) DO UPDATE SET \
    requests = t.requests + excluded.requests";

const ADD_ADDRESSES: &str = "INSERT INTO traffic_ip_rollups AS t \
    (user_id, span, hour, client_ip, requests) \
    SELECT * FROM UNNEST($1::int8[], $2::int8[], $3::int8[], $4::text[], $5::int8[]) \
    ON CONFLICT (user_id, span, hour, client_ip) DO UPDATE SET \
    requests = t.requests + excluded.requests";

const ADD_CLASSES: &str = "INSERT INTO traffic_class_rollups AS t \
    (user_id, span, minute, key_id, status_class, error_class, requests) \
    SELECT * FROM UNNEST($1::int8[], $2::int8[], $3::int8[], $4::int8[], $5::int4[], \
    $6::text[], $7::int8[]) \
    ON CONFLICT (user_id, span, minute, key_id, status_class, error_class) DO UPDATE SET \
    requests = t.requests + excluded.requests";

const ADD_MINUTES: &str = "INSERT INTO traffic_minute_totals AS t \
    (user_id, minute, requests, errors, server_errors) \
    SELECT * FROM UNNEST($1::int8[], $2::int8[], $3::int8[], $4::int8[], $5::int8[]) \
    ON CONFLICT (user_id, minute) DO UPDATE SET \
    requests = t.requests + excluded.requests, errors = t.errors + excluded.errors, \
    server_errors = t.server_errors + excluded.server_errors";

/// The writer's connections to PostgreSQL: one per transaction in flight (the writer keeps up to
/// `KEYGATE_TRAFFIC_CONNECTIONS` of them), each opened on first use and again after a failed
/// write (which may have left it broken or mid-protocol).
#[derive(Clone)]
pub struct PgStore(Arc<Inner>);

struct Inner {
    options: PgConnectOptions,
    /// Connections no write is using.
    idle: Mutex<Vec<PgConnection>>,
}

impl std::fmt::Debug for PgStore {
    // The options hold the database password: only say what this is.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PgStore")
    }
}

impl PgStore {
    /// The store for the database at `url` (connected at the first write).
    pub fn open(url: &str) -> Result<Self, DbErr> {
        let options = PgConnectOptions::from_str(url)
            .map_err(|_| DbErr::Custom("the PostgreSQL URL is not valid".into()))?
            .application_name("keygate traffic writer");
        Ok(Self(Arc::new(Inner {
            options,
            idle: Mutex::new(Vec::new()),
        })))
    }

    /// Inserts `rows` and adds them to the rollups, in one transaction (so the raw rows and the
    /// rollups never disagree), on an idle connection or a new one when every one is busy.
    pub async fn write(&self, rows: &[TrafficRecord]) -> Result<(), DbErr> {
        let idle = self.0.idle.lock().await.pop();
        let mut conn = match idle {
            Some(conn) => conn,
            None => {
                tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect_with(&self.0.options))
                    .await
                    .map_err(|_| {
                        DbErr::Custom("the traffic writer could not connect in time".into())
                    })?
                    .map_err(sqlx_error)?
            }
        };
        let result = write_in(&mut conn, rows).await;
        // After a failure the transaction rolled back, but the connection itself may be broken:
        // it is dropped, and a later write opens a fresh one.
        if result.is_ok() {
            self.0.idle.lock().await.push(conn);
        }
        result
    }
}

async fn write_in(conn: &mut PgConnection, rows: &[TrafficRecord]) -> Result<(), DbErr> {
    let summary = Summary::of(rows);
    let data = copy_data(rows, &summary)?;
    let mut txn = conn.begin().await.map_err(sqlx_error)?;
    let mut copy = txn.copy_in_raw(COPY_ROWS).await.map_err(sqlx_error)?;
    // A failed send leaves the copy to be aborted when it is dropped, and the transaction to roll
    // back when it is.
    copy.send(data).await.map_err(sqlx_error)?;
    copy.finish().await.map_err(sqlx_error)?;
    add_to_rollups(&mut txn, &summary).await?;
    txn.commit().await.map_err(sqlx_error)
}

/// The five rollup upserts of a batch, each one statement with its columns bound as arrays.
/// The sums are sorted by each rollup's unique key (see [`Summary`]), so two instances writing at
/// once lock rollup rows in the same order.
async fn add_to_rollups(conn: &mut PgConnection, summary: &Summary<'_>) -> Result<(), DbErr> {
    let method = |id: usize| summary.endpoints[id].0;
    let path = |id: usize| summary.endpoints[id].1;
    let address = |id: usize| summary.addresses[id].as_str();

    let e = &summary.per_endpoint;
    sqlx::query(ADD_ENDPOINTS)
        .bind(e.iter().map(|c| c.user).collect::<Vec<_>>())
        .bind(e.iter().map(|c| c.span).collect::<Vec<_>>())
        .bind(e.iter().map(|c| c.minute).collect::<Vec<_>>())
        .bind(e.iter().map(|c| method(c.endpoint)).collect::<Vec<_>>())
        .bind(e.iter().map(|c| path(c.endpoint)).collect::<Vec<_>>())
        .bind(e.iter().map(|c| c.requests).collect::<Vec<_>>())
        .bind(e.iter().map(|c| c.errors).collect::<Vec<_>>())
        .bind(e.iter().map(|c| c.server_errors).collect::<Vec<_>>())
        .execute(&mut *conn)
        .await
        .map_err(sqlx_error)?;

    let l = &summary.latencies;
    sqlx::query(ADD_LATENCIES)
        .bind(l.iter().map(|c| c.user).collect::<Vec<_>>())
        .bind(l.iter().map(|c| c.span).collect::<Vec<_>>())
        .bind(l.iter().map(|c| c.hour).collect::<Vec<_>>())
        .bind(l.iter().map(|c| method(c.endpoint)).collect::<Vec<_>>())
        .bind(l.iter().map(|c| path(c.endpoint)).collect::<Vec<_>>())
        .bind(l.iter().map(|c| c.bucket).collect::<Vec<_>>())
        .bind(l.iter().map(|c| c.requests).collect::<Vec<_>>())
        .execute(&mut *conn)
        .await
        .map_err(sqlx_error)?;

    let a = &summary.per_address;
    sqlx::query(ADD_ADDRESSES)
        .bind(a.iter().map(|c| c.user).collect::<Vec<_>>())
        .bind(a.iter().map(|c| c.span).collect::<Vec<_>>())
        .bind(a.iter().map(|c| c.hour).collect::<Vec<_>>())
        .bind(a.iter().map(|c| address(c.address)).collect::<Vec<_>>())
        .bind(a.iter().map(|c| c.requests).collect::<Vec<_>>())
        .execute(&mut *conn)
        .await
        .map_err(sqlx_error)?;

    let c = &summary.per_class;
    sqlx::query(ADD_CLASSES)
        .bind(c.iter().map(|c| c.user).collect::<Vec<_>>())
        .bind(c.iter().map(|c| c.span).collect::<Vec<_>>())
        .bind(c.iter().map(|c| c.minute).collect::<Vec<_>>())
        .bind(c.iter().map(|c| c.key).collect::<Vec<_>>())
        .bind(c.iter().map(|c| c.status_class).collect::<Vec<_>>())
        .bind(c.iter().map(|c| c.error_class).collect::<Vec<_>>())
        .bind(c.iter().map(|c| c.requests).collect::<Vec<_>>())
        .execute(&mut *conn)
        .await
        .map_err(sqlx_error)?;

    let m = &summary.per_minute;
    sqlx::query(ADD_MINUTES)
        .bind(m.iter().map(|c| c.user).collect::<Vec<_>>())
        .bind(m.iter().map(|c| c.minute).collect::<Vec<_>>())
        .bind(m.iter().map(|c| c.requests).collect::<Vec<_>>())
        .bind(m.iter().map(|c| c.errors).collect::<Vec<_>>())
        .bind(m.iter().map(|c| c.server_errors).collect::<Vec<_>>())
        .execute(&mut *conn)
        .await
        .map_err(sqlx_error)?;
    Ok(())
}

/// The raw rows in `COPY`'s binary format: a signature and two zero words (flags, header
/// extension), then per row its field count and each field as a 32-bit length (-1 for NULL)
/// followed by the value in network byte order, and a final -1.
fn copy_data(rows: &[TrafficRecord], summary: &Summary<'_>) -> Result<Vec<u8>, DbErr> {
    let mut out = Encoder(Vec::with_capacity(19 + rows.len() * 140 + 2));
    out.0.extend_from_slice(b"PGCOPY\n\xff\r\n\0");
    out.0.extend_from_slice(&0i32.to_be_bytes());
    out.0.extend_from_slice(&0i32.to_be_bytes());
    for (r, &(e, a)) in rows.iter().zip(&summary.row_ids) {
        let (method, path) = summary.endpoints[e];
        out.0.extend_from_slice(&COLUMNS.to_be_bytes());
        out.int8(Some(r.ts_ms));
        out.text(Some(method))?;
        out.text(Some(path))?;
        out.int4(i32::from(r.status));
        out.int8(Some(i64::try_from(r.duration_us).unwrap_or(i64::MAX)));
        out.text(Some(&summary.addresses[a]))?;
        out.int8(r.user_id);
        out.int8(r.key_id);
        out.text(Some(&r.request_id))?;
        out.text(r.error_class)?;
    }
    out.0.extend_from_slice(&(-1i16).to_be_bytes());
    Ok(out.0)
}

/// Appends binary `COPY` fields.
struct Encoder(Vec<u8>);

impl Encoder {
    const NULL: [u8; 4] = (-1i32).to_be_bytes();

    fn int4(&mut self, value: i32) {
        self.0.extend_from_slice(&4i32.to_be_bytes());
        self.0.extend_from_slice(&value.to_be_bytes());
    }

    fn int8(&mut self, value: Option<i64>) {
        match value {
            Some(value) => {
                self.0.extend_from_slice(&8i32.to_be_bytes());
                self.0.extend_from_slice(&value.to_be_bytes());
            }
            None => self.0.extend_from_slice(&Self::NULL),
        }
    }

    /// A text value: its UTF-8 bytes as they are (the server checks them against the database's
    /// encoding; PostgreSQL text cannot hold NUL, which HTTP paths cannot carry).
    fn text(&mut self, value: Option<&str>) -> Result<(), DbErr> {
        match value {
            Some(value) => {
                let len = i32::try_from(value.len())
                    .map_err(|_| DbErr::Custom("a traffic value is too long to store".into()))?;
                self.0.extend_from_slice(&len.to_be_bytes());
                self.0.extend_from_slice(value.as_bytes());
            }
            None => self.0.extend_from_slice(&Self::NULL),
        }
        Ok(())
    }
}

fn sqlx_error(e: sqlx::Error) -> DbErr {
    DbErr::Exec(RuntimeErr::SqlxError(e))
}
