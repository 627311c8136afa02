//! Last-used tracking without a database write per request: uses are gathered in memory and written
//! in one batch every few seconds (and at shutdown).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};

use crate::entities::api_key_secret;
use crate::error::CoreResult;

/// Most distinct client addresses remembered per secret.
pub const MAX_USED_FROM: usize = 20;

#[derive(Debug)]
struct Usage {
    at: DateTime<Utc>,
    ip: IpAddr,
    /// Each distinct address with the time it was last seen.
    ips: Vec<(IpAddr, DateTime<Utc>)>,
}

/// Gathers key uses until the next flush.
#[derive(Debug, Default)]
pub struct UsageRecorder {
    pending: Mutex<HashMap<i64, Usage>>,
}

impl UsageRecorder {
    /// Notes that secret `secret_id` was used from `ip` at `at`.
    pub fn record(&self, secret_id: i64, ip: IpAddr, at: DateTime<Utc>) {
        let ip = ip.to_canonical();
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        let usage = pending.entry(secret_id).or_insert_with(|| Usage {
            at,
            ip,
            ips: Vec::new(),
        });
        usage.at = at;
        usage.ip = ip;
        if let Some((_, last)) = usage.ips.iter_mut().find(|(seen, _)| *seen == ip) {
            *last = at;
        } else if usage.ips.len() < MAX_USED_FROM {
            usage.ips.push((ip, at));
        }
    }

    /// Writes everything gathered so far. Uses that fail to write are logged and dropped: last-used
    /// data is advisory.
    pub async fn flush(&self, db: &impl ConnectionTrait) -> CoreResult<usize> {
        let batch = std::mem::take(&mut *self.pending.lock().unwrap_or_else(|p| p.into_inner()));
        let count = batch.len();
        for (secret_id, usage) in batch {
            let Some(row) = api_key_secret::Entity::find_by_id(secret_id)
                .one(db)
                .await?
            else {
                continue;
            };
            // A secret rolled since these uses were gathered only reports uses from after the
            // roll: its `used_from` says who still uses the old secret.
            let since = row.retired_at.unwrap_or(DateTime::<Utc>::MIN_UTC);
            if usage.at < since {
                continue;
            }
            let mut seen: Vec<String> = serde_json::from_str(&row.used_from).unwrap_or_default();
            for (ip, _) in usage.ips.iter().filter(|(_, t)| *t >= since) {
                let ip = ip.to_string();
                if seen.len() < MAX_USED_FROM && !seen.contains(&ip) {
                    seen.push(ip);
                }
            }
            let mut active: api_key_secret::ActiveModel = row.into();
            active.last_used_at = Set(Some(usage.at));
            active.last_used_ip = Set(Some(usage.ip.to_string()));
            active.used_from = Set(serde_json::to_string(&seen).unwrap_or_else(|_| "[]".into()));
            active.update(db).await?;
        }
        Ok(count)
    }
}
