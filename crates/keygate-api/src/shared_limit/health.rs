//! Whether shared limits are up, and how often Redis failed: plain atomics, read by whoever
//! exports them (logs, metrics) without touching Redis.

use std::fmt::Display;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// The state of the Redis connection behind shared rate limits.
#[derive(Debug, Default)]
pub struct SharedLimitHealth {
    up: AtomicBool,
    errors: AtomicU64,
}

impl SharedLimitHealth {
    /// True while decisions are made in Redis; false while each process decides locally.
    pub fn is_up(&self) -> bool {
        self.up.load(Ordering::Relaxed)
    }

    /// Failed Redis calls since start-up (decisions that fell back, and failed reconnects).
    pub fn errors(&self) -> u64 {
        self.errors.load(Ordering::Relaxed)
    }

    /// Counts a failed call; the first failure after being up logs one line.
    pub(super) fn failed(&self, why: &dyn Display) {
        self.errors.fetch_add(1, Ordering::Relaxed);
        if self.up.swap(false, Ordering::Relaxed) {
            log::warn!(
                "shared rate limits are down ({why}): each process limits locally until Redis answers again"
            );
        }
    }

    /// Marks Redis reachable again; logs one line when it was down.
    pub(super) fn recovered(&self) {
        if !self.up.swap(true, Ordering::Relaxed) {
            log::info!("shared rate limits are up: Redis answers");
        }
    }
}
