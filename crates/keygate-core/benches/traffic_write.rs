//! Throughput of the traffic writer's database step (`TrafficStore::write`): rows shaped like the
//! load benchmark's (one endpoint, one client, one key), in transactions of 10,000 rows, as the
//! writer takes them under load. Prints rows per second and CPU time per row on a fresh SQLite
//! file.
//!
//! `cargo bench -p keygate-core --bench traffic_write [-- rows]`

use std::net::{IpAddr, Ipv4Addr};
use std::time::Instant;

use keygate_core::db;
use keygate_core::traffic::{TrafficRecord, TrafficStore};

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

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let rows: u64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(300_000);
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}/w.db?mode=rwc", dir.path().display());
    let conn = db::connect(&url).await?;
    db::migrate(&conn).await?;
    let store = TrafficStore::open(conn, &url)?;
    let batch: Vec<TrafficRecord> = (0..rows).map(row).collect();
    let (started, cpu_before) = (Instant::now(), cpu_seconds());
    for txn_rows in batch.chunks(500 * 20) {
        store.write(txn_rows).await?;
    }
    let secs = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds()
        .zip(cpu_before)
        .map(|(after, before)| after - before);
    println!(
        "traffic write: {rows} rows in {secs:.2} s = {:.0} rows/s ({:.2} µs/row); CPU {}",
        rows as f64 / secs,
        secs * 1e6 / rows as f64,
        cpu.map_or("unknown".into(), |c| format!(
            "{:.2} µs/row",
            c * 1e6 / rows as f64
        )),
    );
    Ok(())
}

/// CPU time this process has used (user + system, all threads), where /proc tells it. The writer
/// runs on several threads, so wall time alone hides what it costs a loaded server.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    let mut fields = stat.rsplit_once(')')?.1.split_whitespace().skip(11);
    let ticks: f64 = fields.next()?.parse::<f64>().ok()? + fields.next()?.parse::<f64>().ok()?;
    Some(ticks / 100.0) // /proc counts in USER_HZ, 100 a second on Linux
}
