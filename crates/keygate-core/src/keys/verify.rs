//! Verification of a presented API key: the hot path of every `/api/v1` call.
//!
//! Order: format check → this thread's memo of keys verified in the last second → the set of
//! digests that can verify ([`super::digests`]) → verified-key cache (keyed by the lookup digest,
//! never the plaintext) → one indexed query by lookup digest → one Argon2 verify of that single
//! row → state, expiry, grace and IP allowlist. An unknown key therefore costs no database query
//! and no Argon2 at all (nor any memory: nothing is remembered about it), and a valid key on a
//! cold cache one query and exactly one Argon2, whatever the number of stored keys.
//!
//! The memo spares the hot keys the shared cache's bookkeeping (hashing, its access log and the
//! maintenance it triggers): every entry carries the verifier's invalidation generation, so a
//! revoked or rolled key is never answered from it, and it lasts a second, so the cache still sees
//! every hot key's use. Last-used data is noted once a second per key, address and thread.
//!
//! A caller that proves a key by a credential of its own (a ChartInk webhook token names its key)
//! asks [`KeyVerifier::verify_key_id`] (`by_id.rs`): the same state checks, through the same
//! `decide`, with a cache by key id that the same [`KeyVerifier::invalidate_key`] empties.

mod by_id;

use std::cell::RefCell;
use std::collections::HashSet;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use keygate_types::keys::OrderMode;
use rustc_hash::FxHashMap;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use super::digests::{Digest, DigestSet};
use super::policy::{self, Scopes};
use super::secret::{KeyCrypto, PlainApiKey};
use super::usage::UsageRecorder;
use crate::entities::{api_key, api_key_secret};
use crate::error::CoreResult;
use crate::per_thread::ShardedCounter;

/// Who is calling with a valid key: what handlers get from the extractor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Identity {
    /// The key's owner.
    pub user_id: i64,
    /// The key.
    pub key_id: i64,
    /// The secret presented (the current one, or a rolled one in its grace period).
    pub secret_id: i64,
    /// What the key may do.
    pub scopes: Scopes,
    /// The key's order mode at the time of this request.
    pub order_mode: OrderMode,
    /// The broker connection the key is bound to (`None`: the owner's paper account).
    pub broker_connection_id: Option<i64>,
}

/// Why a presented key was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Missing, malformed, unknown, revoked, or a rolled secret past its grace period.
    Invalid,
    /// Past its expiry time.
    Expired,
    /// The client address is not in the key's allowlist.
    IpNotAllowed,
    /// The database could not be asked; the caller answers 503.
    Unavailable,
}

/// Verifications answered from a cache ([`KeyVerifier::cache_hits`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheHits {
    /// From the calling worker thread's one-second memo.
    pub memo: u64,
    /// From the cache shared by every thread.
    pub shared: u64,
}

/// A verified secret as cached: everything needed to decide a request without the database.
#[derive(Debug)]
struct CachedKey {
    identity: Identity,
    revoked: bool,
    retired: bool,
    grace_until: Option<DateTime<Utc>>,
    expires_at: Option<DateTime<Utc>>,
    allowlist: policy::Allowlist,
}

impl CachedKey {
    /// The cached form of `key`, presented with `secret` (`None` when the key was proved by
    /// another credential: nothing retired, no grace, `secret_id` 0).
    fn of(key: &api_key::Model, secret: Option<&api_key_secret::Model>) -> Self {
        CachedKey {
            identity: Identity {
                user_id: key.user_id,
                key_id: key.id,
                secret_id: secret.map_or(0, |s| s.id),
                scopes: Scopes::from_db(&key.scopes),
                order_mode: policy::order_mode_from_db(&key.order_mode),
                broker_connection_id: key.broker_connection_id,
            },
            revoked: key.revoked_at.is_some(),
            retired: secret.is_some_and(|s| s.retired_at.is_some()),
            grace_until: secret.and_then(|s| s.grace_until),
            expires_at: key.expires_at,
            allowlist: policy::allowlist_from_db(&key.ip_allowlist),
        }
    }
}

/// How long a thread answers a key from its memo before it asks the shared cache again.
const MEMO_FOR: Duration = Duration::from_secs(1);
/// Most keys in one thread's memo (it is emptied when full).
const MEMO_KEYS: usize = 1024;

/// A key this thread verified lately.
struct Recent {
    /// The verifier's generation when the key was read from the cache.
    generation: u64,
    cached: Arc<CachedKey>,
    fresh_until: Instant,
    /// The address and Unix second of the last use this thread noted.
    noted: Option<(IpAddr, i64)>,
}

/// Whether a cached key lets a call from `ip` through at `now`.
fn decide(cached: &CachedKey, ip: IpAddr, now: DateTime<Utc>) -> Result<Identity, Refusal> {
    if cached.revoked || (cached.retired && cached.grace_until.is_none_or(|g| g <= now)) {
        return Err(Refusal::Invalid);
    }
    if cached.expires_at.is_some_and(|e| e <= now) {
        return Err(Refusal::Expired);
    }
    if !policy::ip_allowed(&cached.allowlist, ip) {
        return Err(Refusal::IpNotAllowed);
    }
    Ok(cached.identity)
}

thread_local! {
    /// Per thread, keyed by verifier (tests run several in one process) and lookup digest (an HMAC
    /// under the server's pepper, so clients cannot aim at the fast hash's collisions).
    static RECENT: RefCell<FxHashMap<(u64, Digest), Recent>> = RefCell::new(FxHashMap::default());
}

/// Verifies API keys against the set of live digests and a cache, and records their use.
pub struct KeyVerifier {
    /// Tells this verifier's memo entries from other verifiers' in the same thread.
    id: u64,
    db: DatabaseConnection,
    crypto: Arc<KeyCrypto>,
    verified: moka::future::Cache<Digest, Arc<CachedKey>>,
    /// Keys proved by another credential ([`KeyVerifier::verify_key_id`]), by key id.
    by_key_id: moka::future::Cache<i64, Arc<CachedKey>>,
    /// Every digest that can verify; empty (refusing with "unavailable") until loaded.
    digests: DigestSet,
    /// Bumped on every invalidation, so a load that raced with one is not kept.
    generation: AtomicU64,
    argon2_runs: AtomicU64,
    db_lookups: AtomicU64,
    /// Calls answered from a thread's memo: counted per thread, since every hot call is one.
    memo_hits: ShardedCounter,
    /// Calls answered from the shared cache (at most one a second per key and thread).
    shared_hits: AtomicU64,
    usage: Arc<UsageRecorder>,
    /// Change-sequence numbers written by this process, which the follower must not replay.
    local_changes: Mutex<HashSet<i64>>,
}

impl KeyVerifier {
    /// A verifier over `db`, with empty caches. It answers [`Refusal::Unavailable`] until
    /// [`KeyVerifier::load_digests`] has run (the change follower does it when it starts).
    pub fn new(db: DatabaseConnection, crypto: Arc<KeyCrypto>, usage: Arc<UsageRecorder>) -> Self {
        static NEXT_ID: AtomicU64 = AtomicU64::new(0);
        Self {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            db,
            crypto,
            verified: moka::future::Cache::builder()
                .max_capacity(100_000)
                // A safety net only: changes reach the cache through invalidation within a second.
                .time_to_live(Duration::from_secs(600))
                .support_invalidation_closures()
                .build(),
            by_key_id: moka::future::Cache::builder()
                .max_capacity(10_000)
                .time_to_live(Duration::from_secs(600))
                .support_invalidation_closures()
                .build(),
            digests: DigestSet::default(),
            generation: AtomicU64::new(0),
            argon2_runs: AtomicU64::new(0),
            db_lookups: AtomicU64::new(0),
            memo_hits: ShardedCounter::default(),
            shared_hits: AtomicU64::new(0),
            usage,
            local_changes: Mutex::new(HashSet::new()),
        }
    }

    /// How many Argon2 verifications this verifier has run (for tests and benchmarks).
    pub fn argon2_runs(&self) -> u64 {
        self.argon2_runs.load(Ordering::Relaxed)
    }

    /// How many key lookups this verifier has sent to the database (for tests and benchmarks).
    pub fn db_lookups(&self) -> u64 {
        self.db_lookups.load(Ordering::Relaxed)
    }

    /// How many well-formed, known keys were answered from a cache since start: from a worker
    /// thread's one-second memo, and from the shared cache (for metrics). A key the cache did not
    /// hold is a [`KeyVerifier::db_lookups`].
    pub fn cache_hits(&self) -> CacheHits {
        CacheHits {
            memo: self.memo_hits.sum(),
            shared: self.shared_hits.load(Ordering::Relaxed),
        }
    }

    /// Checks a presented key from client address `ip`.
    pub async fn verify(&self, raw: &str, ip: IpAddr) -> Result<Identity, Refusal> {
        if !PlainApiKey::is_well_formed(raw) {
            return Err(Refusal::Invalid);
        }
        let digest = self.crypto.lookup_digest_bytes(raw);
        // Read before the cache, so an entry read across an invalidation is stored as stale.
        let generation = self.generation.load(Ordering::Acquire);
        let now = Utc::now();
        // A hit is decided inside the memo, on the borrowed entry: cloning its `Arc` would write
        // the reference count, a cache line every worker thread shares.
        let memo = RECENT.with_borrow(|recent| {
            recent
                .get(&(self.id, digest))
                .filter(|r| r.generation == generation && r.fresh_until > Instant::now())
                .map(|r| (decide(&r.cached, ip, now), r.noted))
        });
        let (decision, noted) = match memo {
            Some(hit) => {
                self.memo_hits.add(1);
                hit
            }
            None => {
                // Before the box below: an unknown key allocates nothing.
                self.check_digest_set(&digest, now)?;
                // Boxed: the cache's and the loader's futures are large, and unboxed they would
                // make every call's future (copied into the request's box) as large.
                let cached = Box::pin(self.shared_lookup(raw, digest)).await?;
                let decision = decide(&cached, ip, now);
                RECENT.with_borrow_mut(|recent| {
                    if recent.len() >= MEMO_KEYS {
                        recent.clear();
                    }
                    recent.insert(
                        (self.id, digest),
                        Recent {
                            generation,
                            cached,
                            fresh_until: Instant::now() + MEMO_FOR,
                            noted: None,
                        },
                    );
                });
                (decision, None)
            }
        };
        let identity = decision?;
        let second = now.timestamp();
        if noted != Some((ip, second)) {
            self.usage.record(identity.secret_id, ip, now);
            RECENT.with_borrow_mut(|recent| {
                if let Some(r) = recent.get_mut(&(self.id, digest)) {
                    r.noted = Some((ip, second));
                }
            });
        }
        Ok(identity)
    }

    /// Refuses a digest no live secret has, without the database.
    fn check_digest_set(&self, digest: &Digest, now: DateTime<Utc>) -> Result<(), Refusal> {
        match self.digests.may_verify(digest, now.timestamp()) {
            Ok(true) => Ok(()),
            Ok(false) => Err(Refusal::Invalid),
            Err(_not_loaded) => {
                log::error!("a key was presented before the digest set was loaded");
                Err(Refusal::Unavailable)
            }
        }
    }

    /// The shared cache, then the database.
    async fn shared_lookup(&self, raw: &str, digest: Digest) -> Result<Arc<CachedKey>, Refusal> {
        if let Some(hit) = self.verified.get(&digest).await {
            self.shared_hits.fetch_add(1, Ordering::Relaxed);
            return Ok(hit);
        }
        self.load(raw, digest).await
    }

    async fn load(&self, raw: &str, digest: Digest) -> Result<Arc<CachedKey>, Refusal> {
        let generation = self.generation.load(Ordering::Acquire);
        let loaded = self
            .verified
            .try_get_with(digest, self.fetch_and_verify(raw, &digest))
            .await;
        let cached = loaded.map_err(|refusal| *refusal)?;
        if self.generation.load(Ordering::Acquire) != generation {
            // An invalidation ran while this row was read: answer this request with it, but do
            // not keep it.
            self.verified.invalidate(&digest).await;
        }
        Ok(cached)
    }

    async fn fetch_and_verify(
        &self,
        raw: &str,
        digest: &Digest,
    ) -> Result<Arc<CachedKey>, Refusal> {
        self.db_lookups.fetch_add(1, Ordering::Relaxed);
        let row = api_key_secret::Entity::find()
            .filter(api_key_secret::Column::LookupDigest.eq(hex::encode(digest)))
            .find_also_related(api_key::Entity)
            .one(&self.db)
            .await
            .map_err(|e| {
                log::error!("key lookup failed: {e}");
                Refusal::Unavailable
            })?;
        let Some((secret, Some(key))) = row else {
            return Err(Refusal::Invalid);
        };
        self.argon2_runs.fetch_add(1, Ordering::Relaxed);
        if !self.crypto.verify(raw, secret.argon2_hash.clone()).await {
            log::error!(
                "key {} matched by digest but not by hash: pepper changed?",
                key.id
            );
            return Err(Refusal::Invalid);
        }
        Ok(Arc::new(CachedKey::of(&key, Some(&secret))))
    }

    /// Loads the set of digests that can verify (at start; until then every key is refused as
    /// unavailable). Returns how many secrets it holds.
    pub async fn load_digests(&self) -> CoreResult<usize> {
        self.digests.load(&self.db).await
    }

    /// Re-reads the secrets of `key_ids` into the digest set (the follower, for every change).
    pub async fn refresh_digests(&self, key_ids: &[i64]) -> CoreResult<()> {
        self.digests.refresh(&self.db, key_ids).await
    }

    /// Adds a secret this process just issued, so it works here before the follower sees it.
    pub(crate) fn add_secret(&self, digest: &Digest) {
        self.digests.add_current(digest);
    }

    /// Drops the digests of secrets whose grace period has ended.
    pub fn prune_digests(&self) {
        self.digests.prune(Utc::now());
    }

    /// Notes that change `change_id` was made by this process (before it commits, so the follower
    /// cannot see it first).
    pub fn note_local_change(&self, change_id: i64) {
        let mut local = self.local_changes.lock().unwrap_or_else(|p| p.into_inner());
        // Ids of transactions that rolled back are never read back; keep the set bounded anyway.
        if local.len() > 10_000 {
            local.clear();
        }
        local.insert(change_id);
    }

    /// True (once) when change `change_id` was made by this process.
    pub fn take_local_change(&self, change_id: i64) -> bool {
        self.local_changes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&change_id)
    }

    /// Drops every cached secret of `key_id`. Called after a local change, and by the change poller
    /// for other processes' ones.
    pub fn invalidate_key(&self, key_id: i64) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        if let Err(e) = self
            .verified
            .invalidate_entries_if(move |_, cached| cached.identity.key_id == key_id)
        {
            log::error!("cache invalidation failed, clearing it: {e}");
            self.verified.invalidate_all();
        }
        if let Err(e) = self
            .by_key_id
            .invalidate_entries_if(move |id, _| *id == key_id)
        {
            log::error!("cache invalidation failed, clearing it: {e}");
            self.by_key_id.invalidate_all();
        }
    }
}
