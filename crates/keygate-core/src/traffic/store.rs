//! Writing traffic rows (raw rows plus their rollups) and purging old ones.
//!
//! This is the traffic writer's hot loop (tens of thousands of rows a second under load). It goes
//! to sqlx directly, under sea-orm, with multi-row statements whose values are bound by reference:
//! sea-orm's `Statement` owns and then clones every value, and sqlx's `QueryBuilder` formats each
//! placeholder; together they cost the writer a quarter of its time. The statements are the same
//! on SQLite and PostgreSQL apart from the placeholders, which sqlx's arguments write.

use sea_orm::sqlx::{self, Arguments, Database, Encode, Type};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityName, EntityTrait,
    QueryFilter, RuntimeErr,
};

use super::summary::Summary;
use super::TrafficRecord;
use crate::entities::{traffic_ip_rollup, traffic_latency_rollup, traffic_log, traffic_rollup};

/// Most rows in one statement: keeps every statement under SQLite's 32,766 bound values.
const ROWS_PER_STATEMENT: usize = 1000;

/// Inserts `rows` and adds them to the rollups, in one transaction (so the raw rows and the
/// rollups never disagree) and statements of at most `batch` rows.
pub async fn write_rows(
    db: &DatabaseConnection,
    rows: &[TrafficRecord],
    batch: usize,
) -> Result<(), DbErr> {
    if rows.is_empty() {
        return Ok(());
    }
    let batch = batch.clamp(1, ROWS_PER_STATEMENT);
    // The same steps per backend, spelled once in a macro: sqlx runs a query only for a concrete
    // database (its arguments' lifetimes cannot be proven generically), so only the statements
    // are built generically.
    macro_rules! write_in {
        ($pool:expr, $database:ty) => {{
            let mut txn = $pool.begin().await.map_err(sqlx_error)?;
            for chunk in rows.chunks(batch) {
                let summary = Summary::of(chunk);
                for (sql, args) in statements::<$database>(chunk, &summary)? {
                    sqlx::query_with(&sql, args)
                        .execute(&mut *txn)
                        .await
                        .map_err(sqlx_error)?;
                }
            }
            txn.commit().await.map_err(sqlx_error)
        }};
    }
    match db.get_database_backend() {
        DbBackend::Sqlite => write_in!(db.get_sqlite_connection_pool(), sqlx::Sqlite),
        DbBackend::Postgres => write_in!(db.get_postgres_connection_pool(), sqlx::Postgres),
        DbBackend::MySql => Err(DbErr::Custom("MySQL is not supported".into())),
    }
}

fn sqlx_error(e: sqlx::Error) -> DbErr {
    DbErr::Exec(RuntimeErr::SqlxError(e))
}

/// A multi-row `INSERT` being written: its SQL and its bound values.
struct Insert<'a, DB: Database> {
    table: &'a str,
    sql: String,
    args: DB::Arguments<'a>,
    rows: usize,
    in_row: usize,
    /// For a rollup: its unique key and the columns a conflicting row adds to.
    upsert: Option<(&'a [&'a str], &'a [&'a str])>,
}

impl<'a, DB: Database> Insert<'a, DB> {
    /// `INSERT INTO table (columns) VALUES `, for `rows` rows of `columns.len()` values.
    fn new(table: &'a str, columns: &[&str], rows: usize) -> Self {
        let mut sql = String::with_capacity(64 + rows * columns.len() * 6);
        // Inside a transaction, SQLite gives a multi-row statement that may abort a statement
        // journal: a temporary file holding a copy of every page the statement changes, so that
        // the statement alone can be undone. `OR FAIL` keeps the rows written before a failing
        // one instead, which needs no journal and halves the writer's file writes; the writer then
        // rolls the whole transaction back, so nothing partial is ever committed.
        sql.push_str(if DB::NAME == "SQLite" {
            "INSERT OR FAIL INTO "
        } else {
            "INSERT INTO "
        });
        sql.push_str(table);
        sql.push_str(" (");
        sql.push_str(&columns.join(", "));
        sql.push_str(") VALUES ");
        let mut args = DB::Arguments::default();
        args.reserve(rows * columns.len(), rows * columns.len() * 8);
        Self {
            table,
            sql,
            args,
            rows: 0,
            in_row: 0,
            upsert: None,
        }
    }

    /// An insert into a rollup (columns `key` then `sums`) that, where a row with the same key is
    /// stored, adds each of `sums` to it.
    fn rollup(table: &'a str, key: &'a [&'a str], sums: &'a [&'a str], rows: usize) -> Self {
        let mut insert = Self::new(table, &[key, sums].concat(), rows);
        insert.upsert = Some((key, sums));
        insert
    }

    /// Adds the next value of the current row (the first one opens a row).
    fn bind<T: 'a + Encode<'a, DB> + Type<DB>>(&mut self, value: T) -> Result<&mut Self, DbErr> {
        self.sql.push_str(match (self.in_row, self.rows) {
            (0, 0) => "(",
            (0, _) => ", (",
            _ => ", ",
        });
        self.args
            .add(value)
            .map_err(|e| DbErr::Custom(format!("cannot bind a traffic value: {e}")))?;
        let _ = self.args.format_placeholder(&mut self.sql);
        self.in_row += 1;
        Ok(self)
    }

    /// Closes the current row.
    fn end_row(&mut self) {
        self.sql.push(')');
        self.in_row = 0;
        self.rows += 1;
    }

    /// The statement and its values, with a rollup's `ON CONFLICT (key) DO UPDATE` clause.
    fn finish(mut self) -> (String, DB::Arguments<'a>) {
        if let Some((key, sums)) = self.upsert {
            self.sql.push_str(" ON CONFLICT (");
            self.sql.push_str(&key.join(", "));
            self.sql.push_str(") DO UPDATE SET ");
            for (i, column) in sums.iter().enumerate() {
                if i > 0 {
                    self.sql.push_str(", ");
                }
                let table = self.table;
                self.sql
                    .push_str(&format!("{column} = {table}.{column} + excluded.{column}"));
            }
        }
        (self.sql, self.args)
    }
}

/// The statements that store `rows`, with their values: the raw rows, then the three rollups'
/// upserts.
fn statements<'a, DB>(
    rows: &'a [TrafficRecord],
    summary: &'a Summary<'a>,
) -> Result<[(String, DB::Arguments<'a>); 4], DbErr>
where
    DB: Database,
    i64: Encode<'a, DB> + Type<DB>,
    i32: Encode<'a, DB> + Type<DB>,
    Option<i64>: Encode<'a, DB> + Type<DB>,
    &'a str: Encode<'a, DB> + Type<DB>,
    Option<&'a str>: Encode<'a, DB> + Type<DB>,
{
    let endpoint = |id: usize| summary.endpoints[id];
    let address = |id: usize| summary.addresses[id].as_str();

    let columns = [
        "ts",
        "method",
        "path",
        "status",
        "duration_us",
        "client_ip",
        "user_id",
        "key_id",
        "request_id",
        "error_class",
    ];
    let mut raw = Insert::<DB>::new(traffic_log::Entity.table_name(), &columns, rows.len());
    for (r, &(e, a)) in rows.iter().zip(&summary.row_ids) {
        let (method, path) = endpoint(e);
        raw.bind(r.ts_ms)?
            .bind(method)?
            .bind(path)?
            .bind(i32::from(r.status))?
            .bind(i64::try_from(r.duration_us).unwrap_or(i64::MAX))?
            .bind(address(a))?
            .bind(r.user_id)?
            .bind(r.key_id)?
            .bind(r.request_id.as_str())?
            .bind(r.error_class)?
            .end_row();
    }

    let mut per_minute = Insert::<DB>::rollup(
        traffic_rollup::Entity.table_name(),
        &["minute", "user_id", "method", "path"],
        &["requests", "errors", "server_errors"],
        summary.per_minute.len(),
    );
    for c in &summary.per_minute {
        let (method, path) = endpoint(c.endpoint);
        per_minute
            .bind(c.minute)?
            .bind(c.user)?
            .bind(method)?
            .bind(path)?
            .bind(c.requests)?
            .bind(c.errors)?
            .bind(c.server_errors)?
            .end_row();
    }

    let mut latencies = Insert::<DB>::rollup(
        traffic_latency_rollup::Entity.table_name(),
        &["hour", "user_id", "method", "path", "lat_bucket"],
        &["requests"],
        summary.latencies.len(),
    );
    for c in &summary.latencies {
        let (method, path) = endpoint(c.endpoint);
        latencies
            .bind(c.hour)?
            .bind(c.user)?
            .bind(method)?
            .bind(path)?
            .bind(c.bucket)?
            .bind(c.requests)?
            .end_row();
    }

    let mut per_address = Insert::<DB>::rollup(
        traffic_ip_rollup::Entity.table_name(),
        &["hour", "user_id", "client_ip"],
        &["requests"],
        summary.per_address.len(),
    );
    for c in &summary.per_address {
        per_address
            .bind(c.hour)?
            .bind(c.user)?
            .bind(address(c.address))?
            .bind(c.requests)?
            .end_row();
    }

    Ok([
        raw.finish(),
        per_minute.finish(),
        latencies.finish(),
        per_address.finish(),
    ])
}

/// Deletes rows (and rollups) older than `days` days; returns how many raw rows went.
pub async fn purge_older_than(db: &impl ConnectionTrait, days: u32) -> Result<u64, DbErr> {
    let cutoff_ms = chrono::Utc::now().timestamp_millis() - i64::from(days) * 86_400_000;
    let cutoff_minute = cutoff_ms.div_euclid(60_000);
    let cutoff_hour = cutoff_ms.div_euclid(3_600_000);
    let removed = traffic_log::Entity::delete_many()
        .filter(traffic_log::Column::Ts.lt(cutoff_ms))
        .exec(db)
        .await?
        .rows_affected;
    traffic_rollup::Entity::delete_many()
        .filter(traffic_rollup::Column::Minute.lt(cutoff_minute))
        .exec(db)
        .await?;
    traffic_latency_rollup::Entity::delete_many()
        .filter(traffic_latency_rollup::Column::Hour.lt(cutoff_hour))
        .exec(db)
        .await?;
    traffic_ip_rollup::Entity::delete_many()
        .filter(traffic_ip_rollup::Column::Hour.lt(cutoff_hour))
        .exec(db)
        .await?;
    Ok(removed)
}
