//! Throughput of the traffic writer's database step (`TrafficStore::write`): rows shaped like the
//! load benchmark's (one endpoint, one client, one key), in transactions of 10,000 rows, as the
//! writer takes them under load, after one such transaction to warm up. Prints rows per second
//! and this process's CPU time per row on a fresh database: a SQLite file, or a new PostgreSQL
//! database when `TEST_DATABASE_URL` names a server (see keygate-testdb), where it also prints the
//! CPU time of the writer's server process (its backend), read from `/proc`: on a machine whose
//! cores are busy with other work, CPU time per row is the figure that stays comparable.
//!
//! `[TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test] cargo bench -p keygate-core
//! --bench traffic_write [-- rows]`

use std::net::{IpAddr, Ipv4Addr};
use std::time::Instant;

use keygate_core::traffic::{TrafficRecord, TrafficStore};
use keygate_testdb::TestDatabase;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

// The server's allocator (see crates/keygate/src/main.rs), so the figures match it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn row(seq: u64) -> TrafficRecord {
    TrafficRecord {
        ts_ms: 1_790_000_000_000 + (seq / 60) as i64,
        method: "POST".into(),
        path: "/api/v1/ping".into(),
        status: 200,
        duration_us: 40 + seq % 50,
        client_ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
        user_id: Some(1),
        key_id: Some(1),
        request_id: format!("{seq:020x}").into(),
        error_class: None,
    }
}

/// Rows per transaction, as the writer takes a backlog (500-row batches, 20 to a transaction).
const TRANSACTION: usize = 500 * 20;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let rows: u64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(300_000);
    let database = TestDatabase::create().await;
    let conn = database.connect().await;
    let store = TrafficStore::open(conn.clone(), &database.url)?;
    let warm_up: Vec<TrafficRecord> = (0..TRANSACTION as u64).map(|n| row(rows + n)).collect();
    store.write(&warm_up).await?;
    let backends_before = writer_backends(&conn).await?;
    let batch: Vec<TrafficRecord> = (0..rows).map(row).collect();
    let transactions: Vec<Vec<TrafficRecord>> =
        batch.chunks(TRANSACTION).map(<[_]>::to_vec).collect();
    let connections = std::env::var("KEYGATE_TRAFFIC_CONNECTIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(4);
    let in_flight = store.concurrent_writes(connections);
    let (started, cpu_before) = (Instant::now(), cpu_seconds("self"));
    let backend_before = backends_before.as_deref().and_then(cpu_of);
    // As the writer does: up to `in_flight` transactions at once.
    let mut writes = tokio::task::JoinSet::new();
    for txn_rows in transactions {
        while writes.len() >= in_flight {
            writes.join_next().await.expect("a write in flight")??;
        }
        let store = store.clone();
        writes.spawn(async move { store.write(txn_rows).await });
    }
    while let Some(done) = writes.join_next().await {
        done??;
    }
    let secs = started.elapsed().as_secs_f64();
    let per_row = |after: Option<f64>, before: Option<f64>| {
        after.zip(before).map_or("unknown".into(), |(a, b)| {
            format!("{:.2} µs/row", (a - b) * 1e6 / rows as f64)
        })
    };
    let cpu = per_row(cpu_seconds("self"), cpu_before);
    // Every writer backend: the one that warmed up, and any opened since (counted whole).
    let backends = writer_backends(&conn).await?;
    let backend_cpu = backends.as_deref().map(|pids| {
        format!(
            "; PostgreSQL backend CPU {} ({} backends)",
            per_row(cpu_of(pids), backend_before),
            pids.len()
        )
    });
    println!(
        "traffic write ({in_flight} in flight): {rows} rows in {secs:.2} s = {:.0} rows/s ({:.2} µs/row); CPU {cpu}{}",
        rows as f64 / secs,
        secs * 1e6 / rows as f64,
        backend_cpu.unwrap_or_default(),
    );
    Ok(())
}

/// On PostgreSQL, the process ids of the writer's backends (its connections name themselves).
async fn writer_backends(conn: &DatabaseConnection) -> anyhow::Result<Option<Vec<String>>> {
    if conn.get_database_backend() != sea_orm::DbBackend::Postgres {
        return Ok(None);
    }
    let rows = conn
        .query_all(Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() \
             AND application_name = 'keygate traffic writer'",
        ))
        .await?;
    let pids = rows
        .iter()
        .map(|row| Ok(row.try_get::<i32>("", "pid")?.to_string()))
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(Some(pids))
}

/// CPU time of all of `pids` together.
fn cpu_of(pids: &[String]) -> Option<f64> {
    pids.iter().map(|pid| cpu_seconds(pid)).sum()
}

/// CPU time process `pid` (`self` for this one) has used (user + system, all threads), where /proc
/// tells it. The writer runs on several threads, so wall time alone hides what it costs a loaded
/// server.
fn cpu_seconds(pid: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    let mut fields = stat.rsplit_once(')')?.1.split_whitespace().skip(11);
    let ticks: f64 = fields.next()?.parse::<f64>().ok()? + fields.next()?.parse::<f64>().ok()?;
    Some(ticks / 100.0) // /proc counts in USER_HZ, 100 a second on Linux
}
