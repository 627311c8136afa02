//! The traffic writer on PostgreSQL: multi-row statements through sqlx, under sea-orm, whose
//! values are bound by reference. sea-orm's `Statement` owns and then clones every value, and
//! sqlx's `QueryBuilder` formats each placeholder; together they cost the writer a quarter of its
//! time.

use sea_orm::sqlx::postgres::PgArguments;
use sea_orm::sqlx::{self, Arguments, Encode, Postgres, Type};
use sea_orm::{DatabaseConnection, DbErr, EntityName, RuntimeErr};

use super::super::summary::Summary;
use super::super::TrafficRecord;
use crate::entities::{
    traffic_class_rollup, traffic_ip_rollup, traffic_latency_rollup, traffic_log, traffic_rollup,
};

/// Most rows in one statement: keeps every statement well under PostgreSQL's 65,535 bound values.
const ROWS_PER_STATEMENT: usize = 1000;

/// Inserts `rows` and adds them to the rollups, in one transaction (so the raw rows and the
/// rollups never disagree) and statements of at most `batch` rows.
pub async fn write(
    db: &DatabaseConnection,
    rows: &[TrafficRecord],
    batch: usize,
) -> Result<(), DbErr> {
    let batch = batch.clamp(1, ROWS_PER_STATEMENT);
    let mut txn = db
        .get_postgres_connection_pool()
        .begin()
        .await
        .map_err(sqlx_error)?;
    for chunk in rows.chunks(batch) {
        let summary = Summary::of(chunk);
        for (sql, args) in statements(chunk, &summary)? {
            sqlx::query_with(&sql, args)
                .execute(&mut *txn)
                .await
                .map_err(sqlx_error)?;
        }
    }
    txn.commit().await.map_err(sqlx_error)
}

fn sqlx_error(e: sqlx::Error) -> DbErr {
    DbErr::Exec(RuntimeErr::SqlxError(e))
}

/// A multi-row `INSERT` being written: its SQL and its bound values.
struct Insert<'a> {
    table: &'a str,
    sql: String,
    args: PgArguments,
    rows: usize,
    in_row: usize,
    /// For a rollup: its unique key and the columns a conflicting row adds to.
    upsert: Option<(&'a [&'a str], &'a [&'a str])>,
}

impl<'a> Insert<'a> {
    /// `INSERT INTO table (columns) VALUES `, for `rows` rows of `columns.len()` values.
    fn new(table: &'a str, columns: &[&str], rows: usize) -> Self {
        let mut sql = String::with_capacity(64 + rows * columns.len() * 6);
        sql.push_str("INSERT INTO ");
        sql.push_str(table);
        sql.push_str(" (");
        sql.push_str(&columns.join(", "));
        sql.push_str(") VALUES ");
        let mut args = PgArguments::default();
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
    fn bind<T: 'a + Encode<'a, Postgres> + Type<Postgres>>(
        &mut self,
        value: T,
    ) -> Result<&mut Self, DbErr> {
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
    fn finish(mut self) -> (String, PgArguments) {
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

/// The statements that store `rows`, with their values: the raw rows, then the four rollups'
/// upserts.
fn statements<'a>(
    rows: &'a [TrafficRecord],
    summary: &'a Summary<'a>,
) -> Result<[(String, PgArguments); 5], DbErr> {
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
    let mut raw = Insert::new(traffic_log::Entity.table_name(), &columns, rows.len());
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

    let mut per_minute = Insert::rollup(
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

    let mut latencies = Insert::rollup(
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

    let mut per_address = Insert::rollup(
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

    let mut per_class = Insert::rollup(
        traffic_class_rollup::Entity.table_name(),
        &["user_id", "minute", "key_id", "status_class", "error_class"],
        &["requests"],
        summary.per_class.len(),
    );
    for c in &summary.per_class {
        per_class
            .bind(c.user)?
            .bind(c.minute)?
            .bind(c.key)?
            .bind(c.status_class)?
            .bind(c.error_class)?
            .bind(c.requests)?
            .end_row();
    }

    Ok([
        raw.finish(),
        per_minute.finish(),
        latencies.finish(),
        per_address.finish(),
        per_class.finish(),
    ])
}
