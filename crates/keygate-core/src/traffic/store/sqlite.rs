//! The traffic writer on SQLite: a connection of its own, driven through rusqlite with multi-row
//! statements prepared once, on a blocking thread.
//!
//! sqlx's SQLite driver runs each statement on the connection's own thread, so it copies every
//! bound string to send it there, and its multi-row statements were formatted, parsed and bound
//! anew for each batch. Here the statements are prepared once and reused, and values are bound
//! where they lie. Measured with `benches/traffic_write.rs` (300,000 rows, CPU time of the whole
//! bench process, 3 runs each): 0.63–0.76 s instead of 1.02–1.18 s through sqlx.

use std::path::Path;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use rusqlite::{params, Connection, OpenFlags, TransactionBehavior};
use sea_orm::DbErr;

use super::super::summary::Summary;
use super::super::TrafficRecord;
use crate::db::SQLITE_BUSY_TIMEOUT;

/// Rows per `INSERT`: one statement per row would reopen a cursor on the table and on each index
/// and seek from their roots every time; a multi-row statement appends through open cursors.
const ROWS_PER_INSERT: usize = 100;

/// Values per stored row.
const COLUMNS: usize = 10;

/// The `INSERT` of `rows` rows. `OR FAIL`: inside a transaction SQLite gives a multi-row statement
/// that may abort a statement journal (a temporary copy of every page it changes, so that it alone
/// can be undone); `OR FAIL` keeps the rows before a failing one instead, which needs no journal
/// and halves the file writes. The whole transaction is then rolled back, so nothing partial is
/// ever committed.
fn insert_sql(rows: usize) -> String {
    let mut sql = String::from(
        "INSERT OR FAIL INTO traffic_logs (ts, method, path, status, duration_us, client_ip, \
         user_id, key_id, request_id, error_class) VALUES ",
    );
    for i in 0..rows {
        sql.push_str(if i == 0 { "" } else { ", " });
        sql.push_str("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    }
    sql
}

/// The full-size `INSERT`, formatted once: the statement cache is looked up by its text.
static FULL_INSERT: LazyLock<String> = LazyLock::new(|| insert_sql(ROWS_PER_INSERT));

const ADD_ENDPOINT: &str = "INSERT INTO traffic_rollups \
    (user_id, span, minute, method, path, requests, errors, server_errors) \
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
    ON CONFLICT (user_id, span, minute, method, path) DO UPDATE SET \
    requests = requests + excluded.requests, errors = errors + excluded.errors, \
    server_errors = server_errors + excluded.server_errors";

const ADD_LATENCY: &str = "INSERT INTO traffic_latency_rollups \
    (user_id, span, hour, method, path, lat_bucket, requests) \
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
    ON CONFLICT (user_id, span, hour, method, path, lat_bucket) DO UPDATE SET \
    requests = requests + excluded.requests";

const ADD_ADDRESS: &str = "INSERT INTO traffic_ip_rollups \
    (user_id, span, hour, client_ip, requests) VALUES (?1, ?2, ?3, ?4, ?5) \
    ON CONFLICT (user_id, span, hour, client_ip) DO UPDATE SET \
    requests = requests + excluded.requests";

const ADD_CLASS: &str = "INSERT INTO traffic_class_rollups \
    (user_id, span, minute, key_id, status_class, error_class, requests) \
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
    ON CONFLICT (user_id, span, minute, key_id, status_class, error_class) DO UPDATE SET \
    requests = requests + excluded.requests";

const ADD_MINUTE: &str = "INSERT INTO traffic_minute_totals \
    (user_id, minute, requests, errors, server_errors) VALUES (?1, ?2, ?3, ?4, ?5) \
    ON CONFLICT (user_id, minute) DO UPDATE SET \
    requests = requests + excluded.requests, errors = errors + excluded.errors, \
    server_errors = server_errors + excluded.server_errors";

/// The writer's connection to the SQLite file (whose schema is already migrated).
#[derive(Debug, Clone)]
pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
}

impl SqliteStore {
    /// Opens `file` with the pool's settings: in WAL mode (kept in the file) NORMAL
    /// synchronisation, and a busy timeout so that another writer (the pool, a second keygate
    /// process, the CLI) is waited for rather than failed.
    pub fn open(file: &Path) -> Result<Self, DbErr> {
        let conn = Connection::open_with_flags(
            file,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .and_then(|conn| {
            conn.busy_timeout(SQLITE_BUSY_TIMEOUT)?;
            conn.pragma_update(None, "synchronous", "NORMAL")?;
            Ok(conn)
        })
        .map_err(|e| store_error("cannot open the traffic log's SQLite file", e))?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// Inserts `rows` and adds them to the rollups in one transaction, on a blocking thread.
    pub async fn write(&self, rows: Vec<TrafficRecord>) -> Result<(), DbErr> {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            // A panic mid-write dropped its transaction, which rolled back: the connection is fine.
            let mut conn = conn.lock().unwrap_or_else(PoisonError::into_inner);
            write_in(&mut conn, &rows).map_err(|e| store_error("cannot write traffic rows", e))
        })
        .await
        .map_err(|e| DbErr::Custom(format!("the traffic write stopped: {e}")))?
    }
}

fn write_in(conn: &mut Connection, rows: &[TrafficRecord]) -> rusqlite::Result<()> {
    let summary = Summary::of(rows);
    let endpoint = |id: usize| summary.endpoints[id];
    let address = |id: usize| summary.addresses[id].as_str();
    // Immediate: the write lock is taken (or waited for) at the start, never half-way through.
    let txn = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    {
        for (group, ids) in rows
            .chunks(ROWS_PER_INSERT)
            .zip(summary.row_ids.chunks(ROWS_PER_INSERT))
        {
            // Prepared once per size: every group but a transaction's last has the full size.
            let mut insert = if group.len() == ROWS_PER_INSERT {
                txn.prepare_cached(&FULL_INSERT)?
            } else {
                txn.prepare_cached(&insert_sql(group.len()))?
            };
            for (i, (r, &(e, a))) in group.iter().zip(ids).enumerate() {
                let (method, path) = endpoint(e);
                let first = i * COLUMNS + 1;
                insert.raw_bind_parameter(first, r.ts_ms)?;
                insert.raw_bind_parameter(first + 1, method)?;
                insert.raw_bind_parameter(first + 2, path)?;
                insert.raw_bind_parameter(first + 3, r.status)?;
                let duration = i64::try_from(r.duration_us).unwrap_or(i64::MAX);
                insert.raw_bind_parameter(first + 4, duration)?;
                insert.raw_bind_parameter(first + 5, address(a))?;
                insert.raw_bind_parameter(first + 6, r.user_id)?;
                insert.raw_bind_parameter(first + 7, r.key_id)?;
                insert.raw_bind_parameter(first + 8, r.request_id.as_str())?;
                insert.raw_bind_parameter(first + 9, r.error_class)?;
            }
            insert.raw_execute()?;
        }
        let mut add = txn.prepare_cached(ADD_ENDPOINT)?;
        for c in &summary.per_endpoint {
            let (method, path) = endpoint(c.endpoint);
            add.execute(params![
                c.user,
                c.span,
                c.minute,
                method,
                path,
                c.requests,
                c.errors,
                c.server_errors
            ])?;
        }
        let mut add = txn.prepare_cached(ADD_LATENCY)?;
        for c in &summary.latencies {
            let (method, path) = endpoint(c.endpoint);
            add.execute(params![
                c.user, c.span, c.hour, method, path, c.bucket, c.requests
            ])?;
        }
        let mut add = txn.prepare_cached(ADD_ADDRESS)?;
        for c in &summary.per_address {
            add.execute(params![
                c.user,
                c.span,
                c.hour,
                address(c.address),
                c.requests
            ])?;
        }
        let mut add = txn.prepare_cached(ADD_CLASS)?;
        for c in &summary.per_class {
            add.execute(params![
                c.user,
                c.span,
                c.minute,
                c.key,
                c.status_class,
                c.error_class,
                c.requests
            ])?;
        }
        let mut add = txn.prepare_cached(ADD_MINUTE)?;
        for c in &summary.per_minute {
            add.execute(params![
                c.user,
                c.minute,
                c.requests,
                c.errors,
                c.server_errors
            ])?;
        }
    }
    txn.commit()
}

fn store_error(what: &str, e: rusqlite::Error) -> DbErr {
    DbErr::Custom(format!("{what}: {e}"))
}
