//! The security monitor: invalid-key attempts are counted per client address group (an IPv4
//! address or an IPv6 /64, [`IpGroup`]; in memory; the tried key is never kept);
//! `KEYGATE_BAN_THRESHOLD` of them within `KEYGATE_BAN_WINDOW_SECS` earn the group a ban of
//! `KEYGATE_BAN_SECS`, doubled for each earlier ban. Bans live in the database, so they survive
//! restarts and reach every process: each process keeps the active ones in memory, refreshed every
//! second, and checks a request against that copy before any key work.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use crate::bans;
use crate::config::BanSettings;
use crate::ip_group::IpGroup;
use chrono::{DateTime, Utc};
use keygate_types::traffic::{IpAttempts, IpBan};
use sea_orm::DatabaseConnection;

/// Invalid-key counting and the local copy of the ban list.
pub struct SecurityMonitor {
    db: DatabaseConnection,
    settings: BanSettings,
    banned: RwLock<HashMap<IpGroup, DateTime<Utc>>>,
    any_banned: AtomicBool,
    attempts: moka::sync::Cache<IpGroup, Arc<AtomicU32>>,
    invalid_total: AtomicU64,
    banned_requests: AtomicU64,
    bans_issued: AtomicU64,
}

impl SecurityMonitor {
    /// A monitor with an empty ban list (filled by [`SecurityMonitor::refresh`]).
    pub fn new(db: DatabaseConnection, settings: BanSettings) -> Self {
        Self {
            db,
            attempts: moka::sync::Cache::builder()
                .max_capacity(100_000)
                .time_to_live(Duration::from_secs(settings.window_secs))
                .build(),
            settings,
            banned: RwLock::new(HashMap::new()),
            any_banned: AtomicBool::new(false),
            invalid_total: AtomicU64::new(0),
            banned_requests: AtomicU64::new(0),
            bans_issued: AtomicU64::new(0),
        }
    }

    /// True (and counted) when `ip`'s group is banned now. Without bans this is one atomic load.
    pub fn is_banned(&self, ip: IpAddr) -> bool {
        if !self.any_banned.load(Ordering::Acquire) {
            return false;
        }
        let banned = self
            .banned
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&IpGroup::of(ip))
            .is_some_and(|until| *until > Utc::now());
        if banned {
            self.banned_requests.fetch_add(1, Ordering::Relaxed);
        }
        banned
    }

    /// Counts an invalid key from `ip`; at the threshold, bans its group (locally at once, in the
    /// database in the background).
    pub fn record_invalid(self: &Arc<Self>, ip: IpAddr) {
        let ip = IpGroup::of(ip);
        self.invalid_total.fetch_add(1, Ordering::Relaxed);
        let counter = self.attempts.get_with(ip, || Arc::new(AtomicU32::new(0)));
        let count = counter.fetch_add(1, Ordering::Relaxed) + 1;
        let threshold = self.settings.threshold;
        if threshold == 0 || count != threshold {
            return;
        }
        self.attempts.invalidate(&ip);
        self.bans_issued.fetch_add(1, Ordering::Relaxed);
        let provisional = Utc::now() + chrono::Duration::seconds(self.settings.ban_secs as i64);
        self.insert_local(ip, provisional);
        let monitor = self.clone();
        tokio::spawn(async move {
            let reason = format!(
                "{threshold} invalid API keys within {} seconds",
                monitor.settings.window_secs
            );
            match bans::ban(
                &monitor.db,
                ip,
                bans::MONITOR,
                &reason,
                None,
                monitor.settings.ban_secs,
            )
            .await
            {
                Ok(ban) => {
                    log::warn!("banned {ip} until {}: {reason}", ban.banned_until);
                    monitor.insert_local(ip, ban.banned_until);
                }
                Err(e) => log::error!("could not store the ban of {ip}: {e}"),
            }
        });
    }

    /// Adds or extends a ban in the local copy.
    pub fn insert_local(&self, ip: IpGroup, until: DateTime<Utc>) {
        let mut banned = self.banned.write().unwrap_or_else(|p| p.into_inner());
        banned.insert(ip, until);
        self.any_banned.store(true, Ordering::Release);
    }

    /// Drops a ban from the local copy (after an admin lifted it).
    pub fn remove_local(&self, ip: IpGroup) {
        let mut banned = self.banned.write().unwrap_or_else(|p| p.into_inner());
        banned.remove(&ip);
        self.attempts.invalidate(&ip);
        self.any_banned.store(!banned.is_empty(), Ordering::Release);
    }

    /// Replaces the local copy with the database's active bans.
    pub async fn refresh(&self) -> Result<(), crate::CoreError> {
        let active = bans::active(&self.db).await?;
        let mut fresh: HashMap<IpGroup, DateTime<Utc>> = HashMap::new();
        // Rows of single IPv6 addresses from before bans were grouped ban their whole /64.
        for ban in &active {
            if let Ok(group) = ban.ip.parse::<IpGroup>() {
                let until = fresh.entry(group).or_insert(ban.banned_until);
                *until = (*until).max(ban.banned_until);
            }
        }
        let mut banned = self.banned.write().unwrap_or_else(|p| p.into_inner());
        self.any_banned.store(!fresh.is_empty(), Ordering::Release);
        *banned = fresh;
        Ok(())
    }

    /// Active bans from the database.
    pub async fn active_bans(&self) -> Result<Vec<IpBan>, crate::CoreError> {
        bans::active(&self.db).await
    }

    /// Invalid-key attempts since start.
    pub fn invalid_total(&self) -> u64 {
        self.invalid_total.load(Ordering::Relaxed)
    }

    /// Requests refused for a ban since start.
    pub fn banned_requests(&self) -> u64 {
        self.banned_requests.load(Ordering::Relaxed)
    }

    /// Bans this process's monitor has issued since start.
    pub fn bans_issued(&self) -> u64 {
        self.bans_issued.load(Ordering::Relaxed)
    }

    /// Address groups banned now, in this process's copy of the ban list (every process's bans,
    /// within a second).
    pub fn active_ban_count(&self) -> usize {
        let now = Utc::now();
        self.banned
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .filter(|until| **until > now)
            .count()
    }

    /// Deletes ban rows that ended more than `KEYGATE_BAN_FORGET_DAYS` ago.
    pub async fn purge_expired(&self) -> Result<u64, crate::CoreError> {
        let days = u64::from(self.settings.forget_days);
        bans::purge_expired(&self.db, Duration::from_secs(days * 86_400)).await
    }

    /// Address groups with attempts in their current window, most first (at most 20).
    pub fn attempts_by_ip(&self) -> Vec<IpAttempts> {
        let mut list: Vec<IpAttempts> = self
            .attempts
            .iter()
            .map(|(ip, n)| IpAttempts {
                ip: ip.to_string(),
                attempts: n.load(Ordering::Relaxed),
            })
            .collect();
        list.sort_by(|a, b| b.attempts.cmp(&a.attempts).then_with(|| a.ip.cmp(&b.ip)));
        list.truncate(20);
        list
    }
}
