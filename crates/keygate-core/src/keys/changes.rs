//! The key-change sequence: every change to a key appends a row to `key_changes`, and every keygate
//! process polls it so a key rolled or revoked anywhere (another process, the CLI) is refused
//! everywhere within a second. Polling goes through the connection pool, so it heals by itself
//! after a lost connection.
//!
//! The follower also keeps the verifier's digest set current: it loads it at start and re-reads
//! the secrets of every key it sees change (this process's changes too: the store adds a new
//! secret's digest at once, but only this re-read drops the ones a roll or revoke ended).

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

use super::verify::KeyVerifier;
use crate::entities::key_change;
use crate::error::CoreResult;

/// PostgreSQL may commit sequence numbers out of order; re-reading this many numbers below the
/// highest one seen catches a change that committed late.
const REREAD_WINDOW: i64 = 256;

/// Appends "key `key_id` changed" (inside the caller's transaction); returns the sequence number.
pub async fn record_change(db: &impl ConnectionTrait, key_id: i64) -> CoreResult<i64> {
    let row = key_change::ActiveModel {
        key_id: Set(key_id),
        changed_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(row.id)
}

/// How often the follower drops digests whose grace period has ended.
const PRUNE_EVERY: Duration = Duration::from_secs(600);

/// Follows `key_changes`, invalidates the verifier's cache for each change it sees and keeps its
/// digest set current.
pub struct ChangeFollower {
    db: DatabaseConnection,
    verifier: Arc<KeyVerifier>,
    highest: i64,
    seen: BTreeSet<i64>,
}

impl ChangeFollower {
    /// Starts following from the current end of the sequence, then loads the verifier's digest
    /// set: changes already there are not replayed (a fresh process has nothing cached yet, and
    /// the set is read after the sequence, so it holds them all).
    pub async fn start(db: DatabaseConnection, verifier: Arc<KeyVerifier>) -> CoreResult<Self> {
        let mut follower = Self {
            db,
            verifier,
            highest: 0,
            seen: BTreeSet::new(),
        };
        let highest = key_change::Entity::find()
            .order_by_desc(key_change::Column::Id)
            .one(&follower.db)
            .await?
            .map_or(0, |c| c.id);
        follower.highest = highest;
        for row in follower.recent().await? {
            follower.seen.insert(row.id);
        }
        let digests = follower.verifier.load_digests().await?;
        log::debug!("{digests} key secrets can verify");
        Ok(follower)
    }

    async fn recent(&self) -> CoreResult<Vec<key_change::Model>> {
        Ok(key_change::Entity::find()
            .filter(key_change::Column::Id.gt(self.highest - REREAD_WINDOW))
            .order_by_asc(key_change::Column::Id)
            .limit(10_000)
            .all(&self.db)
            .await?)
    }

    /// Reads new changes once; returns how many cache invalidations it made. A failure leaves the
    /// changes unseen, so the next poll acts on them.
    pub async fn poll(&mut self) -> CoreResult<usize> {
        let rows = self.recent().await?;
        let new: Vec<&key_change::Model> = rows
            .iter()
            .filter(|row| !self.seen.contains(&row.id))
            .collect();
        let mut changed_keys: Vec<i64> = new.iter().map(|row| row.key_id).collect();
        changed_keys.sort_unstable();
        changed_keys.dedup();
        if !changed_keys.is_empty() {
            self.verifier.refresh_digests(&changed_keys).await?;
        }
        let mut invalidated = 0;
        for row in new {
            self.seen.insert(row.id);
            // This process's own changes already invalidated its cache when they were made;
            // doing it again would throw away a key verified since and cost a second Argon2.
            if !self.verifier.take_local_change(row.id) {
                self.verifier.invalidate_key(row.key_id);
                invalidated += 1;
            }
        }
        if let Some(last) = rows.last() {
            self.highest = self.highest.max(last.id);
        }
        self.seen = self.seen.split_off(&(self.highest - REREAD_WINDOW));
        Ok(invalidated)
    }

    /// Polls every `interval` until the task is dropped, logging (not failing on) errors.
    pub async fn run(mut self, interval: Duration) {
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut failing = false;
        let mut pruned = Instant::now();
        loop {
            ticker.tick().await;
            if pruned.elapsed() >= PRUNE_EVERY {
                self.verifier.prune_digests();
                pruned = Instant::now();
            }
            match self.poll().await {
                Ok(_) if failing => {
                    log::info!("key-change polling recovered");
                    failing = false;
                }
                Ok(_) => {}
                Err(e) if !failing => {
                    log::warn!("key-change polling failed (will retry): {e}");
                    failing = true;
                }
                Err(_) => {}
            }
        }
    }
}

/// Removes change rows older than a day: followers only ever re-read the most recent ones.
pub async fn purge_old(db: &impl ConnectionTrait) -> CoreResult<u64> {
    let cutoff = Utc::now() - chrono::Duration::days(1);
    Ok(key_change::Entity::delete_many()
        .filter(key_change::Column::ChangedAt.lt(cutoff))
        .exec(db)
        .await?
        .rows_affected)
}
