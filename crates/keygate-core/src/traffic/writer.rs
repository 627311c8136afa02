//! The background writer: the middleware hands rows to a bounded channel ([`TrafficSink::record`]
//! never waits; a full channel drops the row and counts it) and one task inserts them every
//! `flush_ms`, in statements of up to `batch` rows. When a backlog builds up, one transaction takes
//! up to [`BATCHES_PER_TRANSACTION`] batches and the next round starts at once, so the writer
//! catches up with fewer commits. At shutdown it drains the channel before it ends.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sea_orm::DatabaseConnection;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use super::{write_rows, TrafficRecord};
use crate::config::TrafficSettings;

/// Most batches written in one transaction when rows are waiting.
pub const BATCHES_PER_TRANSACTION: usize = 20;

/// The sending side, shared by every worker.
#[derive(Debug)]
pub struct TrafficSink {
    tx: mpsc::Sender<TrafficRecord>,
    dropped: AtomicU64,
    written: Arc<AtomicU64>,
}

impl TrafficSink {
    /// Queues a row without waiting; if the queue is full (or the writer gone) the row is counted
    /// as dropped.
    pub fn record(&self, row: TrafficRecord) {
        if self.tx.try_send(row).is_err() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Rows dropped since start (queue full, or a failed write).
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Rows written since start.
    pub fn written(&self) -> u64 {
        self.written.load(Ordering::Relaxed)
    }
}

/// The running writer task; [`TrafficWriter::shutdown`] flushes and ends it.
#[derive(Debug)]
pub struct TrafficWriter {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl TrafficWriter {
    /// Starts the writer over `db`; returns the sink for the middleware and the writer handle.
    pub fn start(db: DatabaseConnection, settings: &TrafficSettings) -> (Arc<TrafficSink>, Self) {
        let (tx, rx) = mpsc::channel(settings.queue);
        let (stop, stopped) = watch::channel(false);
        let sink = Arc::new(TrafficSink {
            tx,
            dropped: AtomicU64::new(0),
            written: Arc::new(AtomicU64::new(0)),
        });
        let task = tokio::spawn(run(
            db,
            rx,
            stopped,
            sink.clone(),
            settings.batch,
            Duration::from_millis(settings.flush_ms),
        ));
        (sink, Self { stop, task })
    }

    /// Writes everything still queued, then ends the task.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        if let Err(e) = self.task.await {
            log::error!("traffic writer ended abnormally: {e}");
        }
    }
}

async fn run(
    db: DatabaseConnection,
    mut rx: mpsc::Receiver<TrafficRecord>,
    mut stopped: watch::Receiver<bool>,
    sink: Arc<TrafficSink>,
    batch: usize,
    flush: Duration,
) {
    // The writer sleeps on a timer rather than on the channel: a sender never has to wake it (no
    // cross-thread wake-up per request), and rows wait at most `flush` before they are written.
    let most = batch * BATCHES_PER_TRANSACTION;
    let mut buf = Vec::with_capacity(most);
    let mut stopping = false;
    while !stopping {
        if rx.len() < most {
            tokio::select! {
                _ = tokio::time::sleep(flush) => {}
                _ = stopped.changed() => stopping = true,
            }
        }
        // After a stop, the server has stopped taking requests: take everything still queued.
        while buf.len() < most || stopping {
            match rx.try_recv() {
                Ok(row) => buf.push(row),
                Err(_) => break,
            }
            if buf.len() >= most {
                write(&db, &mut buf, &sink, batch).await;
            }
        }
        write(&db, &mut buf, &sink, batch).await;
        if rx.is_closed() && rx.is_empty() {
            break;
        }
    }
}

async fn write(
    db: &DatabaseConnection,
    buf: &mut Vec<TrafficRecord>,
    sink: &TrafficSink,
    batch: usize,
) {
    if buf.is_empty() {
        return;
    }
    let result = write_rows(db, buf, batch).await;
    let n = buf.len() as u64;
    match result {
        Ok(()) => {
            sink.written.fetch_add(n, Ordering::Relaxed);
        }
        Err(e) => {
            log::error!("could not write {n} traffic rows: {e}");
            sink.dropped.fetch_add(n, Ordering::Relaxed);
        }
    }
    buf.clear();
}
