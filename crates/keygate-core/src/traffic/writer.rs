//! The background writer: the middleware hands rows to [`TrafficSink::record`], which never waits
//! (a full queue drops the row and counts it), and one task inserts them every `flush_ms`, in
//! one transaction. When a backlog builds up, one transaction takes up to
//! [`BATCHES_PER_TRANSACTION`] batches and the next round starts at once, so the writer catches up
//! with fewer commits. At shutdown it takes everything queued before it ends.
//!
//! On PostgreSQL up to `KEYGATE_TRAFFIC_CONNECTIONS` transactions are in flight at once, each on a
//! connection of its own: while one commits or waits for its server process to be scheduled, the
//! next one's `COPY` already runs, and on a machine whose cores are all busy the writer's work gets
//! more than one server process's share of them. Every batch is still one transaction, raw rows
//! and roll-ups together; transactions in flight lock the roll-up rows they share in the same
//! order (the sums are sorted), as two instances writing at once do, so a later one's upserts wait
//! for an earlier one's commit but never deadlock with it. SQLite has one writer: one at a time.
//!
//! The queue is sharded: each thread appends to its own shard's buffer under a lock that only the
//! writer's swap (once per flush) ever contends, so a request touches no memory that the other
//! workers write. A shared channel cost every request a few atomic operations on cache lines that
//! bounced between the cores.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

use super::{TrafficRecord, TrafficStore};
use crate::config::TrafficSettings;
use crate::per_thread::{shard_index, SHARDS};

/// Most batches written in one transaction when rows are waiting.
pub const BATCHES_PER_TRANSACTION: usize = 20;

/// One shard: its own cache lines, so neighbouring shards' threads do not write the same line.
#[derive(Debug, Default)]
#[repr(align(128))]
struct Shard(Mutex<Vec<TrafficRecord>>);

impl Shard {
    fn lock(&self) -> MutexGuard<'_, Vec<TrafficRecord>> {
        // A panic while holding the lock can only have happened mid-push: the rows are intact.
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The sending side, shared by every worker.
#[derive(Debug)]
pub struct TrafficSink {
    shards: Box<[Shard]>,
    /// Most rows one shard holds; beyond it rows are dropped. Per shard rather than in all, so
    /// that no counter is shared by every request.
    per_shard: usize,
    dropped: AtomicU64,
    written: AtomicU64,
}

impl TrafficSink {
    /// A sink where each thread may have `queue` rows waiting.
    fn new(queue: usize) -> Self {
        Self {
            shards: (0..SHARDS).map(|_| Shard::default()).collect(),
            per_shard: queue.max(1),
            dropped: AtomicU64::new(0),
            written: AtomicU64::new(0),
        }
    }

    /// Queues a row without waiting; if this thread's share of the queue is full, the row is
    /// counted as dropped.
    pub fn record(&self, row: TrafficRecord) {
        let mut shard = self.shards[shard_index()].lock();
        if shard.len() < self.per_shard {
            shard.push(row);
        } else {
            drop(shard);
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

    /// Moves every queued row to the end of `out` (giving each shard a spare buffer, so the
    /// workers do not regrow theirs).
    fn take_into(&self, out: &mut Vec<TrafficRecord>, spare: &mut Vec<TrafficRecord>) {
        for shard in self.shards.iter() {
            std::mem::swap(&mut *shard.lock(), spare);
            out.append(spare);
        }
    }
}

/// Sees every batch of rows the writer takes from the queue, in the writer's task and before they
/// are written: the request metrics are counted here, so that the request path does nothing new
/// for them. Rows dropped because a queue was full never reach it.
pub trait BatchObserver: Send + Sync {
    /// Called with each batch, sorted by time.
    fn observe(&self, rows: &[TrafficRecord]);
}

/// The running writer task; [`TrafficWriter::shutdown`] flushes and ends it.
#[derive(Debug)]
pub struct TrafficWriter {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl TrafficWriter {
    /// Starts the writer over `store`, showing every batch to `observer` when there is one;
    /// returns the sink for the middleware and the writer handle.
    pub fn start(
        store: TrafficStore,
        settings: &TrafficSettings,
        observer: Option<Arc<dyn BatchObserver>>,
    ) -> (Arc<TrafficSink>, Self) {
        let (stop, stopped) = watch::channel(false);
        let sink = Arc::new(TrafficSink::new(settings.queue));
        let in_flight = store.concurrent_writes(settings.connections);
        let task = tokio::spawn(run(
            store,
            stopped,
            sink.clone(),
            observer,
            Pace {
                most: settings.batch * BATCHES_PER_TRANSACTION,
                flush: Duration::from_millis(settings.flush_ms),
                in_flight,
            },
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

/// How the writer takes and writes rows.
struct Pace {
    /// Most rows in one transaction.
    most: usize,
    /// Sleep between rounds when no backlog waits.
    flush: Duration,
    /// Most transactions in flight at once.
    in_flight: usize,
}

async fn run(
    store: TrafficStore,
    mut stopped: watch::Receiver<bool>,
    sink: Arc<TrafficSink>,
    observer: Option<Arc<dyn BatchObserver>>,
    pace: Pace,
) {
    // The writer sleeps on a timer rather than waiting for rows: a sender never has to wake it (no
    // cross-thread wake-up per request), and rows wait at most `flush` before they are written.
    let mut spare = Vec::new();
    let mut writes = JoinSet::new();
    let mut backlog = false;
    loop {
        let mut stopping = *stopped.borrow();
        if !backlog && !stopping {
            tokio::select! {
                _ = tokio::time::sleep(pace.flush) => {}
                _ = stopped.changed() => stopping = true,
            }
        }
        // After a stop, the server has stopped taking requests: this takes everything queued.
        let mut rows = Vec::new();
        sink.take_into(&mut rows, &mut spare);
        // Shard after shard, the rows are runs in time order: merged back into one (the sort finds
        // the runs), they are appended at the end of the time-ordered indexes instead of being
        // inserted in their middle (measured: a third more database time per row).
        rows.sort_by_key(|r| r.ts_ms);
        if let Some(observer) = &observer {
            if !rows.is_empty() {
                observer.observe(&rows);
            }
        }
        backlog = rows.len() >= pace.most;
        for chunk in transactions(rows, pace.most) {
            while writes.len() >= pace.in_flight {
                finished(writes.join_next().await);
            }
            writes.spawn(write(store.clone(), chunk, sink.clone()));
        }
        if stopping {
            while let Some(result) = writes.join_next().await {
                finished(Some(result));
            }
            break;
        }
    }
}

/// `rows` cut into transactions of at most `most` rows, in order (moved whole when they fit one).
fn transactions(rows: Vec<TrafficRecord>, most: usize) -> Vec<Vec<TrafficRecord>> {
    if rows.len() <= most {
        return if rows.is_empty() {
            Vec::new()
        } else {
            vec![rows]
        };
    }
    let mut rows = rows.into_iter();
    std::iter::from_fn(|| Some(rows.by_ref().take(most).collect::<Vec<_>>()))
        .take_while(|chunk| !chunk.is_empty())
        .collect()
}

/// Reports a write task that did not end normally (its rows are then neither written nor counted).
fn finished(result: Option<Result<(), tokio::task::JoinError>>) {
    if let Some(Err(e)) = result {
        log::error!("a traffic write ended abnormally: {e}");
    }
}

async fn write(store: TrafficStore, chunk: Vec<TrafficRecord>, sink: Arc<TrafficSink>) {
    let n = chunk.len() as u64;
    let result = store.write(chunk).await;
    match result {
        Ok(()) => {
            sink.written.fetch_add(n, Ordering::Relaxed);
        }
        Err(e) => {
            log::error!("could not write {n} traffic rows: {e}");
            sink.dropped.fetch_add(n, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::net::{IpAddr, Ipv4Addr};

    use super::*;

    fn row(n: usize) -> TrafficRecord {
        TrafficRecord {
            ts_ms: n as i64,
            method: "GET".into(),
            path: "/health".into(),
            status: 200,
            duration_us: 1,
            client_ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
            user_id: None,
            key_id: None,
            request_id: format!("{n:020x}").into(),
            error_class: None,
        }
    }

    #[test]
    fn a_full_queue_drops_and_counts_rows_and_taking_them_makes_room() {
        let sink = TrafficSink::new(3);
        for n in 0..5 {
            sink.record(row(n));
        }
        assert_eq!(sink.dropped(), 2);
        let (mut rows, mut spare) = (Vec::new(), Vec::new());
        sink.take_into(&mut rows, &mut spare);
        assert_eq!(rows.iter().map(|r| r.ts_ms).collect::<Vec<_>>(), [0, 1, 2]);
        sink.record(row(5));
        rows.clear();
        sink.take_into(&mut rows, &mut spare);
        assert_eq!(rows.len(), 1);
        assert_eq!(sink.dropped(), 2);
    }

    #[test]
    fn a_backlog_is_cut_into_transactions_in_order() {
        let cut = |n: usize, most: usize| {
            transactions((0..n).map(row).collect(), most)
                .iter()
                .map(|t| t.iter().map(|r| r.ts_ms).collect::<Vec<_>>())
                .collect::<Vec<_>>()
        };
        assert!(cut(0, 3).is_empty());
        assert_eq!(cut(3, 3), [vec![0, 1, 2]]);
        assert_eq!(cut(7, 3), [vec![0, 1, 2], vec![3, 4, 5], vec![6]]);
    }

    #[test]
    fn threads_queue_in_their_own_shards_and_every_row_is_taken() {
        let sink = Arc::new(TrafficSink::new(1000));
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let sink = sink.clone();
                std::thread::spawn(move || {
                    for n in 0..500 {
                        sink.record(row(t * 1000 + n));
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        let (mut rows, mut spare) = (Vec::new(), Vec::new());
        sink.take_into(&mut rows, &mut spare);
        assert_eq!(rows.len(), 2000, "four threads of 500 fit their own shares");
        assert_eq!(sink.dropped(), 0);
    }
}
