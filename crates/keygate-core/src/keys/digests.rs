//! The lookup digests that can verify, held in memory, so an unknown key is refused without a
//! database query: a flood of random keys then costs an HMAC and one hash-set probe each.
//!
//! The set holds every secret that is neither revoked nor past its grace period (expired keys stay
//! in: they are answered "expired", not "invalid"). It is loaded at start and kept current by the
//! change follower, which re-reads the secrets of every key it sees change; a secret created in
//! this process is added at once. A key created in another process (or by the CLI) is therefore
//! refused here until the follower's next poll (250 ms by default) sees it: the one window this
//! set opens, and it only ever refuses, never admits.
//!
//! The set only decides what is certainly unknown. A digest in it still goes through the cache or
//! the database and Argon2, so a stale entry (a key revoked a moment ago) is still refused.
//!
//! Each digest is kept as its first 128 bits (an HMAC under the pepper, so uniformly spread and
//! out of a client's control), with the Unix second its secret stops working: 24 bytes a secret,
//! about 3 MB for 100,000 keys.

use std::sync::RwLock;

use chrono::{DateTime, Utc};
use rustc_hash::FxHashMap;
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, FromQueryResult, JoinType,
    QueryFilter, QueryOrder, QuerySelect, RelationTrait, Select,
};

use crate::entities::{api_key, api_key_secret};
use crate::error::CoreResult;

/// The lookup digest of a key (HMAC-SHA256 under the pepper-derived key).
pub(crate) type Digest = [u8; 32];

/// Secrets read per query while loading, so the load never holds every row at once.
const LOAD_CHUNK: u64 = 1_000;
/// Keys per query when re-reading changed keys (bind parameters stay well under SQLite's limit).
const REFRESH_CHUNK: usize = 500;
/// `until` of a current secret: it works until it is rolled or revoked.
const FOREVER: i64 = i64::MAX;

/// The digests that can verify, by 128-bit prefix, with the Unix second each stops working.
#[derive(Default)]
pub(crate) struct DigestSet {
    /// `None` until loaded: verification refuses to guess before then.
    digests: RwLock<Option<FxHashMap<u128, i64>>>,
}

/// The set has not been loaded yet (the caller answers "unavailable", never "invalid").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NotLoaded;

fn prefix(digest: &Digest) -> u128 {
    let mut first = [0; 16];
    first.copy_from_slice(&digest[..16]);
    u128::from_le_bytes(first)
}

impl DigestSet {
    /// Whether a secret with `digest` may still work at Unix second `now`.
    pub(crate) fn may_verify(&self, digest: &Digest, now: i64) -> Result<bool, NotLoaded> {
        let digests = self.digests.read().unwrap_or_else(|p| p.into_inner());
        let digests = digests.as_ref().ok_or(NotLoaded)?;
        Ok(digests
            .get(&prefix(digest))
            .is_some_and(|until| *until > now))
    }

    /// Adds a secret this process just created (ignored before the set is loaded: the load reads
    /// it from the database).
    pub(crate) fn add_current(&self, digest: &Digest) {
        let mut digests = self.digests.write().unwrap_or_else(|p| p.into_inner());
        if let Some(digests) = digests.as_mut() {
            digests.insert(prefix(digest), FOREVER);
        }
    }

    /// Replaces the whole set with the secrets that can verify now; returns how many there are.
    pub(crate) async fn load(&self, db: &DatabaseConnection) -> CoreResult<usize> {
        let now = Utc::now();
        let mut loaded = FxHashMap::default();
        let mut after = 0;
        loop {
            let rows = secret_states()
                .filter(api_key::Column::RevokedAt.is_null())
                .filter(
                    Condition::any()
                        .add(api_key_secret::Column::RetiredAt.is_null())
                        .add(api_key_secret::Column::GraceUntil.gt(now)),
                )
                .filter(api_key_secret::Column::Id.gt(after))
                .order_by_asc(api_key_secret::Column::Id)
                .limit(LOAD_CHUNK)
                .into_model::<SecretState>()
                .all(db)
                .await?;
            let Some(last) = rows.last() else { break };
            after = last.id;
            for row in &rows {
                if let (Some(digest), Some(until)) = (row.digest(), row.works_until(now)) {
                    loaded.insert(prefix(&digest), until);
                }
            }
        }
        loaded.shrink_to_fit();
        let count = loaded.len();
        *self.digests.write().unwrap_or_else(|p| p.into_inner()) = Some(loaded);
        Ok(count)
    }

    /// Re-reads every secret of `key_ids` and adds or drops each one's digest.
    pub(crate) async fn refresh(&self, db: &DatabaseConnection, key_ids: &[i64]) -> CoreResult<()> {
        let mut states = Vec::new();
        for chunk in key_ids.chunks(REFRESH_CHUNK) {
            states.extend(
                secret_states()
                    .filter(api_key_secret::Column::KeyId.is_in(chunk.iter().copied()))
                    .into_model::<SecretState>()
                    .all(db)
                    .await?,
            );
        }
        let now = Utc::now();
        let mut digests = self.digests.write().unwrap_or_else(|p| p.into_inner());
        let Some(digests) = digests.as_mut() else {
            return Ok(());
        };
        for row in &states {
            let Some(digest) = row.digest() else { continue };
            match row.works_until(now) {
                Some(until) => digests.insert(prefix(&digest), until),
                None => digests.remove(&prefix(&digest)),
            };
        }
        Ok(())
    }

    /// Drops the secrets whose grace period has ended.
    pub(crate) fn prune(&self, now: DateTime<Utc>) {
        let now = now.timestamp();
        let mut digests = self.digests.write().unwrap_or_else(|p| p.into_inner());
        if let Some(digests) = digests.as_mut() {
            digests.retain(|_, until| *until > now);
        }
    }
}

/// What decides whether one secret can verify.
#[derive(Debug, FromQueryResult)]
struct SecretState {
    id: i64,
    lookup_digest: String,
    retired_at: Option<DateTime<Utc>>,
    grace_until: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
}

impl SecretState {
    fn digest(&self) -> Option<Digest> {
        let mut digest = [0; 32];
        match hex::decode_to_slice(&self.lookup_digest, &mut digest) {
            Ok(()) => Some(digest),
            Err(_) => {
                log::error!("secret {} has a malformed lookup digest", self.id);
                None
            }
        }
    }

    /// The Unix second this secret stops working, or `None` when it already has.
    fn works_until(&self, now: DateTime<Utc>) -> Option<i64> {
        if self.revoked_at.is_some() {
            return None;
        }
        match (self.retired_at, self.grace_until) {
            (None, _) => Some(FOREVER),
            // Rounded up: the set may admit a secret for part of a second too long (the cache or
            // the database then refuses it), never refuse one that still works.
            (Some(_), Some(grace)) if grace > now => {
                Some(grace.timestamp() + i64::from(grace.timestamp_subsec_nanos() > 0))
            }
            (Some(_), _) => None,
        }
    }
}

/// Secrets with their key's revocation, and nothing else (no hashes or ciphertexts).
fn secret_states() -> Select<api_key_secret::Entity> {
    api_key_secret::Entity::find()
        .select_only()
        .column(api_key_secret::Column::Id)
        .column(api_key_secret::Column::LookupDigest)
        .column(api_key_secret::Column::RetiredAt)
        .column(api_key_secret::Column::GraceUntil)
        .column_as(api_key::Column::RevokedAt, "revoked_at")
        .join(JoinType::InnerJoin, api_key_secret::Relation::Key.def())
}
