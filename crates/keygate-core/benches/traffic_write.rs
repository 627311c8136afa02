//! Throughput of the traffic writer's database step (`write_rows`): rows shaped like the load
//! benchmark's (one endpoint, one client, one key), in statements of 500 rows and transactions of
//! 20 statements, as the writer takes them under load. Prints rows per second on a fresh SQLite file.
//!
//! `cargo bench -p keygate-core --bench traffic_write [-- rows]`

use std::net::{IpAddr, Ipv4Addr};
use std::time::Instant;

use keygate_core::db;
use keygate_core::traffic::{write_rows, TrafficRecord};

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
    let batch: Vec<TrafficRecord> = (0..rows).map(row).collect();
    let started = Instant::now();
    for txn_rows in batch.chunks(500 * 20) {
        write_rows(&conn, txn_rows, 500).await?;
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "traffic write_rows: {rows} rows in {secs:.2} s = {:.0} rows/s ({:.2} µs/row)",
        rows as f64 / secs,
        secs * 1e6 / rows as f64
    );
    Ok(())
}
