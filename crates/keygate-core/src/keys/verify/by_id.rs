//! Verification of a key named by id, for callers that prove the key by a credential of its own
//! (a ChartInk webhook token maps to its key). The rules are [`super::KeyVerifier::verify`]'s:
//! the same `decide` (revoked, expiry, IP allowlist) on the same cached form of the key, kept in a
//! cache by key id that [`super::KeyVerifier::invalidate_key`] empties with the other one, and the
//! same race rule: a row read while an invalidation ran answers this call but is not kept.
//! No secret was presented, so the identity's `secret_id` is 0 and no last use is noted here.

use std::net::IpAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use chrono::Utc;
use sea_orm::EntityTrait;

use super::{decide, CachedKey, Identity, KeyVerifier, Refusal};
use crate::entities::api_key;

impl KeyVerifier {
    /// Checks key `key_id`, already proved by another credential, for a call from `ip`: an
    /// unknown or revoked key is [`Refusal::Invalid`], then expiry and the IP allowlist, exactly
    /// as for a presented secret. A hot key costs no database query.
    pub async fn verify_key_id(&self, key_id: i64, ip: IpAddr) -> Result<Identity, Refusal> {
        let cached = match self.by_key_id.get(&key_id).await {
            Some(hit) => hit,
            None => {
                let generation = self.generation.load(Ordering::Acquire);
                let loaded = self
                    .by_key_id
                    .try_get_with(key_id, self.fetch_key(key_id))
                    .await
                    .map_err(|refusal| *refusal)?;
                if self.generation.load(Ordering::Acquire) != generation {
                    self.by_key_id.invalidate(&key_id).await;
                }
                loaded
            }
        };
        decide(&cached, ip, Utc::now())
    }

    async fn fetch_key(&self, key_id: i64) -> Result<Arc<CachedKey>, Refusal> {
        self.db_lookups.fetch_add(1, Ordering::Relaxed);
        let key = api_key::Entity::find_by_id(key_id)
            .one(&self.db)
            .await
            .map_err(|e| {
                log::error!("key lookup by id failed: {e}");
                Refusal::Unavailable
            })?
            .ok_or(Refusal::Invalid)?;
        Ok(Arc::new(CachedKey::of(&key, None)))
    }
}
