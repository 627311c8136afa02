//! Per-thread shards for figures every request touches: a thread writes only its own shard (a
//! cache line of its own), so counting costs the hot path no line that another core writes. The
//! traffic queue ([`crate::traffic::writer`]) and the verifier's cache-hit count
//! ([`ShardedCounter`]) shard this way. Readers add the shards up, off the request path.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// Shards: at least the number of threads that work at once, so threads rarely share one.
pub const SHARDS: usize = 16;

/// This thread's shard number, handed out in turn as threads first ask.
pub fn shard_index() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    thread_local! {
        static INDEX: usize = NEXT.fetch_add(1, Ordering::Relaxed) % SHARDS;
    }
    INDEX.with(|i| *i)
}

/// One shard's count, alone on its cache lines.
#[derive(Debug, Default)]
#[repr(align(128))]
struct Slot(AtomicU64);

/// A counter bumped by many threads at once: each adds to its own shard (an atomic add on a line
/// no other core writes, unless more than [`SHARDS`] threads count), and [`ShardedCounter::sum`]
/// reads them all.
#[derive(Debug)]
pub struct ShardedCounter {
    slots: Box<[Slot]>,
}

impl Default for ShardedCounter {
    fn default() -> Self {
        Self {
            slots: (0..SHARDS).map(|_| Slot::default()).collect(),
        }
    }
}

impl ShardedCounter {
    /// Adds `n` to this thread's shard.
    pub fn add(&self, n: u64) {
        self.slots[shard_index()].0.fetch_add(n, Ordering::Relaxed);
    }

    /// The total over every shard.
    pub fn sum(&self) -> u64 {
        self.slots.iter().map(|s| s.0.load(Ordering::Relaxed)).sum()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn counts_from_many_threads_add_up() {
        let counter = Arc::new(ShardedCounter::default());
        let threads: Vec<_> = (0..20)
            .map(|_| {
                let counter = counter.clone();
                std::thread::spawn(move || (0..1000).for_each(|_| counter.add(1)))
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        counter.add(5);
        assert_eq!(counter.sum(), 20_005);
    }
}
