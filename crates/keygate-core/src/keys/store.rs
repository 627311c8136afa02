//! Managing keys: create, list, reveal, roll, revoke, update, change mode. Each change runs in one
//! transaction that also appends to the audit trail and the change sequence, then drops the key
//! from this process's cache at once (other processes follow the sequence). The key's summary
//! that answers a change is read inside its transaction: nothing that can fail runs after the
//! commit, so a change answered with an error did not happen (a roll whose new secret was never
//! shown cannot have retired the old one).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use keygate_types::keys::{
    ApiKeySummary, BoundConnection, CreateApiKey, GraceInfo, KeyEvent, KeyState, OrderMode,
    UpdateApiKey,
};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set, SqlErr, TransactionTrait,
};

mod binding;

use super::audit::{self, Actor, EventKind};
use super::changes::record_change;
use super::digests::Digest;
use super::policy::{self, Scopes};
use super::secret::{KeyCrypto, PlainApiKey};
use super::verify::KeyVerifier;
use crate::entities::{api_key, api_key_secret, user};
use crate::error::{CoreError, CoreResult};

/// Longest grace period for a rolled secret (24 h).
pub const MAX_GRACE_SECONDS: u32 = 86_400;

/// The key-management service.
pub struct KeyStore {
    db: DatabaseConnection,
    crypto: Arc<KeyCrypto>,
    verifier: Arc<KeyVerifier>,
    max_keys_per_user: u32,
}

impl KeyStore {
    /// A store over `db` that keeps `verifier`'s cache in step with its changes.
    pub fn new(
        db: DatabaseConnection,
        crypto: Arc<KeyCrypto>,
        verifier: Arc<KeyVerifier>,
        max_keys_per_user: u32,
    ) -> Self {
        Self {
            db,
            crypto,
            verifier,
            max_keys_per_user,
        }
    }

    /// Issues a new key, bound to `input.broker_connection_id` (see [`KeyStore::bind`]'s rules);
    /// the plaintext is returned this once.
    pub async fn create(
        &self,
        actor: &Actor,
        input: CreateApiKey,
    ) -> CoreResult<(PlainApiKey, ApiKeySummary)> {
        let now = Utc::now();
        let name = policy::parse_name(&input.name)?;
        let scopes = if input.scopes.is_empty() {
            Scopes::from_list(&[keygate_types::keys::Scope::Read])
        } else {
            policy::parse_scopes(&input.scopes)?
        };
        let allowlist = policy::parse_allowlist(&input.ip_allowlist)?;
        let expires_at = policy::parse_expiry(input.expires_at, now)?;
        self.ensure_name_free(actor.user_id, &name, None).await?;
        let connection = self
            .bindable(actor.user_id, input.broker_connection_id)
            .await?;
        let plain = PlainApiKey::generate()?;
        let hash = self.crypto.hash(&plain).await?;

        let txn = self.db.begin().await?;
        // Counted under the owner's row lock: two creates at the cap cannot both see room.
        lock_row::<user::Entity>(&txn, user::Column::Id, actor.user_id).await?;
        let live = api_key::Entity::find()
            .filter(api_key::Column::UserId.eq(actor.user_id))
            .filter(api_key::Column::RevokedAt.is_null())
            .count(&txn)
            .await?;
        if live >= u64::from(self.max_keys_per_user) {
            return Err(CoreError::Conflict(format!(
                "you already have {live} active keys, the most allowed; revoke one first"
            )));
        }
        let key = api_key::ActiveModel {
            user_id: Set(actor.user_id),
            name: Set(name),
            scopes: Set(scopes.to_db()),
            order_mode: Set(input.order_mode.as_str().to_owned()),
            ip_allowlist: Set(policy::allowlist_to_db(&allowlist)),
            expires_at: Set(expires_at),
            revoked_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            broker_connection_id: Set(input.broker_connection_id),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(|e| write_error(e, input.broker_connection_id))?;
        let digest = self.insert_secret(&txn, key.id, &plain, hash, now).await?;
        let mut detail = format!("scopes {}, mode {}", key.scopes, key.order_mode);
        if connection.is_some() {
            detail = format!("{detail}, {}", binding::binding_detail(connection.as_ref()));
        }
        audit::record(&txn, actor, &key, EventKind::Created, Some(detail)).await?;
        let key_id = key.id;
        let summary = self.summary(&txn, key).await?;
        self.commit_change(txn, key_id, Some(digest)).await?;
        Ok((plain, summary))
    }

    /// The owner's keys, oldest first. Never the plaintext.
    pub async fn list(&self, user_id: i64) -> CoreResult<Vec<ApiKeySummary>> {
        let keys = api_key::Entity::find()
            .filter(api_key::Column::UserId.eq(user_id))
            .order_by_asc(api_key::Column::Id)
            .find_with_related(api_key_secret::Entity)
            .all(&self.db)
            .await?;
        let connections = binding::bound_all(&self.db, user_id).await?;
        let now = Utc::now();
        Ok(keys
            .into_iter()
            .map(|(key, secrets)| {
                let broker = key
                    .broker_connection_id
                    .and_then(|id| connections.get(&id).cloned());
                summarize(key, &secrets, broker, now)
            })
            .collect())
    }

    /// One of the owner's keys.
    pub async fn get(&self, user_id: i64, key_id: i64) -> CoreResult<ApiKeySummary> {
        let key = self.owned(user_id, key_id).await?;
        self.summary(&self.db, key).await
    }

    /// The owner's key with this name.
    pub async fn find_by_name(&self, user_id: i64, name: &str) -> CoreResult<api_key::Model> {
        api_key::Entity::find()
            .filter(api_key::Column::UserId.eq(user_id))
            .filter(api_key::Column::Name.eq(name.trim()))
            .one(&self.db)
            .await?
            .ok_or_else(|| CoreError::NotFound(format!("no key named '{}'", name.trim())))
    }

    /// Decrypts the current secret for its owner; audit-logged.
    pub async fn reveal(&self, actor: &Actor, key_id: i64) -> CoreResult<PlainApiKey> {
        let key = self.owned(actor.user_id, key_id).await?;
        if key.revoked_at.is_some() {
            return Err(CoreError::Conflict("this key is revoked".into()));
        }
        let secret = self.current_secret(&self.db, key.id).await?;
        let plain = self.crypto.decrypt(&secret.encrypted)?;
        audit::record(&self.db, actor, &key, EventKind::Revealed, None).await?;
        Ok(plain)
    }

    /// Gives a key a new secret. The old one stops at once, or after `grace_seconds` (at most 24 h).
    /// A secret still in an earlier grace period stops now.
    pub async fn roll(
        &self,
        actor: &Actor,
        key_id: i64,
        grace_seconds: u32,
    ) -> CoreResult<(PlainApiKey, ApiKeySummary)> {
        if grace_seconds > MAX_GRACE_SECONDS {
            return Err(CoreError::field(
                "grace_seconds",
                format!("must be between 0 and {MAX_GRACE_SECONDS}"),
            ));
        }
        let key = self.owned(actor.user_id, key_id).await?;
        if key.revoked_at.is_some() {
            return Err(CoreError::Conflict("a revoked key cannot be rolled".into()));
        }
        let plain = PlainApiKey::generate()?;
        let hash = self.crypto.hash(&plain).await?;
        let now = Utc::now();
        let grace_until =
            (grace_seconds > 0).then(|| now + chrono::Duration::seconds(grace_seconds.into()));

        let txn = self.db.begin().await?;
        // The key's row lock orders concurrent rolls and revokes: each reads the secret the one
        // before it made current, so exactly one current secret remains and every rolled-away
        // one is retired (the partial unique index on current secrets backs this up).
        if !lock_row::<api_key::Entity>(&txn, api_key::Column::Id, key.id).await? {
            return Err(CoreError::NotFound(format!("API key {key_id} not found")));
        }
        let key = api_key::Entity::find_by_id(key.id)
            .one(&txn)
            .await?
            .ok_or_else(|| CoreError::NotFound(format!("API key {key_id} not found")))?;
        if key.revoked_at.is_some() {
            return Err(CoreError::Conflict("a revoked key cannot be rolled".into()));
        }
        end_grace(&txn, key.id, now).await?;
        let current = self.current_secret(&txn, key.id).await?;
        // Retire exactly the secret read above, and only while it is still current.
        let retired = api_key_secret::Entity::update_many()
            .col_expr(api_key_secret::Column::RetiredAt, Expr::value(now))
            .col_expr(api_key_secret::Column::GraceUntil, Expr::value(grace_until))
            .col_expr(api_key_secret::Column::UsedFrom, Expr::value("[]"))
            .filter(api_key_secret::Column::Id.eq(current.id))
            .filter(api_key_secret::Column::RetiredAt.is_null())
            .exec(&txn)
            .await?;
        if retired.rows_affected != 1 {
            return Err(concurrent_change());
        }
        let digest = self
            .insert_secret(&txn, key.id, &plain, hash, now)
            .await
            .map_err(|e| match e {
                CoreError::Database(db) if is_unique_violation(&db) => concurrent_change(),
                other => other,
            })?;
        let key = touch(&txn, key, now).await?;
        let detail = match grace_until {
            Some(until) => format!("old secret works until {}", until.to_rfc3339()),
            None => "old secret stopped at once".to_owned(),
        };
        audit::record(&txn, actor, &key, EventKind::Rolled, Some(detail)).await?;
        let key_id = key.id;
        let summary = self.summary(&txn, key).await?;
        self.commit_change(txn, key_id, Some(digest)).await?;
        Ok((plain, summary))
    }

    /// Stops a key for good, everywhere. Revoking a revoked key changes nothing.
    pub async fn revoke(&self, actor: &Actor, key_id: i64) -> CoreResult<ApiKeySummary> {
        let key = self.owned(actor.user_id, key_id).await?;
        if key.revoked_at.is_some() {
            return self.summary(&self.db, key).await;
        }
        let now = Utc::now();
        let txn = self.db.begin().await?;
        lock_row::<api_key::Entity>(&txn, api_key::Column::Id, key.id).await?;
        end_grace(&txn, key.id, now).await?;
        let mut active: api_key::ActiveModel = key.into();
        active.revoked_at = Set(Some(now));
        active.updated_at = Set(now);
        let key = active.update(&txn).await?;
        crate::action_center::reject_for_key(&txn, key.id, crate::action_center::KEY_REVOKED)
            .await?;
        audit::record(&txn, actor, &key, EventKind::Revoked, None).await?;
        let key_id = key.id;
        let summary = self.summary(&txn, key).await?;
        self.commit_change(txn, key_id, None).await?;
        Ok(summary)
    }

    /// Changes name, scopes, order mode, allowlist, expiry and/or the broker binding (see
    /// [`KeyStore::bind`]'s rules).
    pub async fn update(
        &self,
        actor: &Actor,
        key_id: i64,
        input: UpdateApiKey,
    ) -> CoreResult<ApiKeySummary> {
        let key = self.owned(actor.user_id, key_id).await?;
        let now = Utc::now();
        let mut changed = Vec::new();
        let mut active: api_key::ActiveModel = key.clone().into();
        if let Some(name) = &input.name {
            let name = policy::parse_name(name)?;
            if name != key.name {
                self.ensure_name_free(actor.user_id, &name, Some(key.id))
                    .await?;
                changed.push(format!("name '{}' -> '{name}'", key.name));
                active.name = Set(name);
            }
        }
        if let Some(scopes) = &input.scopes {
            let scopes = policy::parse_scopes(scopes)?.to_db();
            if scopes != key.scopes {
                changed.push(format!("scopes {} -> {scopes}", key.scopes));
                active.scopes = Set(scopes);
            }
        }
        if let Some(mode) = input.order_mode {
            if mode.as_str() != key.order_mode {
                changed.push(format!("mode {} -> {}", key.order_mode, mode.as_str()));
                active.order_mode = Set(mode.as_str().to_owned());
            }
        }
        if let Some(list) = &input.ip_allowlist {
            let list = policy::allowlist_to_db(&policy::parse_allowlist(list)?);
            if list != key.ip_allowlist {
                changed.push(format!("allowlist {list}"));
                active.ip_allowlist = Set(list);
            }
        }
        if let Some(expiry) = input.expires_at {
            let expiry = policy::parse_expiry(expiry, now)?;
            if expiry != key.expires_at {
                changed.push(match expiry {
                    Some(t) => format!("expires {}", t.to_rfc3339()),
                    None => "no expiry".to_owned(),
                });
                active.expires_at = Set(expiry);
            }
        }
        let mut new_connection = None;
        if let Some(target) = input.broker_connection_id {
            if target != key.broker_connection_id {
                let connection = self.bindable(actor.user_id, target).await?;
                changed.push(binding::binding_detail(connection.as_ref()));
                active.broker_connection_id = Set(target);
                new_connection = target;
            }
        }
        if changed.is_empty() {
            return self.summary(&self.db, key).await;
        }
        let kind = if changed.len() == 1 && changed[0].starts_with("mode ") {
            EventKind::ModeChanged
        } else {
            EventKind::Updated
        };
        active.updated_at = Set(now);
        let txn = self.db.begin().await?;
        let key = active
            .update(&txn)
            .await
            .map_err(|e| write_error(e, new_connection))?;
        audit::record(&txn, actor, &key, kind, Some(changed.join("; "))).await?;
        let key_id = key.id;
        let summary = self.summary(&txn, key).await?;
        self.commit_change(txn, key_id, None).await?;
        Ok(summary)
    }

    /// Changes the order mode; requests already in flight keep the mode they started with.
    pub async fn set_mode(
        &self,
        actor: &Actor,
        key_id: i64,
        mode: OrderMode,
    ) -> CoreResult<ApiKeySummary> {
        let input = UpdateApiKey {
            order_mode: Some(mode),
            ..Default::default()
        };
        self.update(actor, key_id, input).await
    }

    /// The owner's key events, newest first.
    pub async fn events(&self, user_id: i64, key_id: Option<i64>) -> CoreResult<Vec<KeyEvent>> {
        audit::list(&self.db, user_id, key_id, 500).await
    }

    /// Appends to the change sequence, commits, and drops the key from this process's cache. A
    /// new secret's digest joins the digest set at once, so the key works here immediately; the
    /// digests a change ended leave it when the follower re-reads the key (until then the cache
    /// and the database refuse them).
    async fn commit_change(
        &self,
        txn: DatabaseTransaction,
        key_id: i64,
        new_secret: Option<Digest>,
    ) -> CoreResult<()> {
        let change_id = record_change(&txn, key_id).await?;
        self.verifier.note_local_change(change_id);
        txn.commit().await?;
        if let Some(digest) = &new_secret {
            self.verifier.add_secret(digest);
        }
        self.verifier.invalidate_key(key_id);
        Ok(())
    }

    async fn owned(&self, user_id: i64, key_id: i64) -> CoreResult<api_key::Model> {
        api_key::Entity::find_by_id(key_id)
            .filter(api_key::Column::UserId.eq(user_id))
            .one(&self.db)
            .await?
            .ok_or_else(|| CoreError::NotFound(format!("API key {key_id} not found")))
    }

    async fn ensure_name_free(
        &self,
        user_id: i64,
        name: &str,
        except: Option<i64>,
    ) -> CoreResult<()> {
        let clash = api_key::Entity::find()
            .filter(api_key::Column::UserId.eq(user_id))
            .filter(api_key::Column::Name.eq(name))
            .one(&self.db)
            .await?;
        match clash {
            Some(k) if Some(k.id) != except => Err(duplicate_name()),
            _ => Ok(()),
        }
    }

    async fn current_secret(
        &self,
        db: &impl ConnectionTrait,
        key_id: i64,
    ) -> CoreResult<api_key_secret::Model> {
        api_key_secret::Entity::find()
            .filter(api_key_secret::Column::KeyId.eq(key_id))
            .filter(api_key_secret::Column::RetiredAt.is_null())
            .one(db)
            .await?
            .ok_or_else(|| {
                CoreError::Internal(anyhow::anyhow!("key {key_id} has no current secret"))
            })
    }

    async fn insert_secret(
        &self,
        db: &impl ConnectionTrait,
        key_id: i64,
        plain: &PlainApiKey,
        hash: String,
        now: DateTime<Utc>,
    ) -> CoreResult<Digest> {
        let digest = self.crypto.lookup_digest_bytes(plain.expose());
        api_key_secret::ActiveModel {
            key_id: Set(key_id),
            lookup_digest: Set(hex::encode(digest)),
            argon2_hash: Set(hash),
            encrypted: Set(self.crypto.encrypt(plain)),
            masked: Set(plain.masked()),
            created_at: Set(now),
            used_from: Set("[]".into()),
            ..Default::default()
        }
        .insert(db)
        .await?;
        Ok(digest)
    }

    async fn summary(
        &self,
        db: &impl ConnectionTrait,
        key: api_key::Model,
    ) -> CoreResult<ApiKeySummary> {
        let secrets = api_key_secret::Entity::find()
            .filter(api_key_secret::Column::KeyId.eq(key.id))
            .all(db)
            .await?;
        let broker = binding::bound_one(db, key.broker_connection_id).await?;
        Ok(summarize(key, &secrets, broker, Utc::now()))
    }
}

/// Takes the write lock on one row for the rest of the transaction (PostgreSQL: that row's lock;
/// SQLite: the database's write lock, taken before anything is read, so a transaction never reads
/// a state another writer changes before it writes). Done as an update that changes nothing,
/// which both databases lock alike. False when the row does not exist.
async fn lock_row<E: EntityTrait>(
    txn: &DatabaseTransaction,
    pk: E::Column,
    id: i64,
) -> CoreResult<bool> {
    let result = E::update_many()
        .col_expr(pk, Expr::col(pk).into())
        .filter(pk.eq(id))
        .exec(txn)
        .await?;
    Ok(result.rows_affected == 1)
}

fn concurrent_change() -> CoreError {
    CoreError::Conflict("the key was changed at the same time; try again".into())
}

fn is_unique_violation(err: &DbErr) -> bool {
    matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

/// Ends the grace period of every retired secret of a key.
async fn end_grace(db: &impl ConnectionTrait, key_id: i64, now: DateTime<Utc>) -> CoreResult<()> {
    api_key_secret::Entity::update_many()
        .col_expr(api_key_secret::Column::GraceUntil, Expr::value(now))
        .filter(api_key_secret::Column::KeyId.eq(key_id))
        .filter(api_key_secret::Column::RetiredAt.is_not_null())
        .filter(api_key_secret::Column::GraceUntil.gt(now))
        .exec(db)
        .await?;
    Ok(())
}

async fn touch(
    db: &impl ConnectionTrait,
    key: api_key::Model,
    now: DateTime<Utc>,
) -> CoreResult<api_key::Model> {
    let mut active: api_key::ActiveModel = key.into();
    active.updated_at = Set(now);
    Ok(active.update(db).await?)
}

fn duplicate_name() -> CoreError {
    CoreError::Validation {
        message: "name: you already have a key with this name".into(),
        errors: [(
            "name".to_owned(),
            vec!["you already have a key with this name".to_owned()],
        )]
        .into_iter()
        .collect(),
    }
}

/// Two requests racing for one name: the unique index decides, and the loser hears why.
fn name_conflict(err: DbErr) -> CoreError {
    if is_unique_violation(&err) {
        duplicate_name()
    } else {
        CoreError::Database(err)
    }
}

/// A failed insert or update of a key that set `connection`: a connection deleted meanwhile is
/// not found, a name taken meanwhile is a duplicate.
fn write_error(err: DbErr, connection: Option<i64>) -> CoreError {
    binding::connection_gone(&err, connection).unwrap_or_else(|| name_conflict(err))
}

fn summarize(
    key: api_key::Model,
    secrets: &[api_key_secret::Model],
    broker: Option<BoundConnection>,
    now: DateTime<Utc>,
) -> ApiKeySummary {
    let current = secrets.iter().find(|s| s.retired_at.is_none());
    let in_grace = secrets
        .iter()
        .filter(|s| s.retired_at.is_some() && s.grace_until.is_some_and(|g| g > now))
        .max_by_key(|s| s.id);
    let state = if key.revoked_at.is_some() {
        KeyState::Revoked
    } else if key.expires_at.is_some_and(|e| e <= now) {
        KeyState::Expired
    } else if in_grace.is_some() {
        KeyState::InGrace
    } else {
        KeyState::Active
    };
    let grace = in_grace
        .filter(|_| key.revoked_at.is_none())
        .map(|old| GraceInfo {
            old_masked_key: old.masked.clone(),
            grace_until: old.grace_until.unwrap_or(now),
            old_last_used_at: old
                .last_used_at
                .filter(|t| old.retired_at.is_some_and(|r| *t >= r)),
            old_used_from: serde_json::from_str(&old.used_from).unwrap_or_default(),
        });
    ApiKeySummary {
        id: key.id,
        scopes: Scopes::from_db(&key.scopes).to_list(),
        order_mode: policy::order_mode_from_db(&key.order_mode),
        ip_allowlist: serde_json::from_str(&key.ip_allowlist).unwrap_or_default(),
        masked_key: current.map(|s| s.masked.clone()).unwrap_or_default(),
        last_used_at: current.and_then(|s| s.last_used_at),
        last_used_ip: current.and_then(|s| s.last_used_ip.clone()),
        name: key.name,
        state,
        created_at: key.created_at,
        expires_at: key.expires_at,
        revoked_at: key.revoked_at,
        grace,
        broker_connection: broker,
    }
}
