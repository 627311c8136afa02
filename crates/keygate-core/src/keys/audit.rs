//! The audit trail of key events: who did what to which key, when, from where.

use chrono::Utc;
use keygate_types::keys::KeyEvent;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use crate::entities::{api_key, key_event};
use crate::error::CoreResult;

/// Who acts on a key: the owner through the web UI, or an operator through the CLI.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The key owner's user id (the CLI acts on a named user's behalf).
    pub user_id: i64,
    /// A username, or `cli`.
    pub name: String,
    /// Client address, for HTTP requests.
    pub ip: Option<String>,
}

/// What happened to a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// Issued.
    Created,
    /// Decrypted and shown to its owner.
    Revealed,
    /// Given a new secret.
    Rolled,
    /// Stopped for good.
    Revoked,
    /// Name, scopes, allowlist or expiry changed.
    Updated,
    /// Order mode changed.
    ModeChanged,
}

impl EventKind {
    fn as_str(self) -> &'static str {
        match self {
            EventKind::Created => "created",
            EventKind::Revealed => "revealed",
            EventKind::Rolled => "rolled",
            EventKind::Revoked => "revoked",
            EventKind::Updated => "updated",
            EventKind::ModeChanged => "mode_changed",
        }
    }
}

/// Appends an event (inside the caller's transaction).
pub async fn record(
    db: &impl ConnectionTrait,
    actor: &Actor,
    key: &api_key::Model,
    kind: EventKind,
    detail: Option<String>,
) -> CoreResult<()> {
    key_event::ActiveModel {
        key_id: Set(key.id),
        user_id: Set(key.user_id),
        key_name: Set(key.name.clone()),
        event: Set(kind.as_str().to_owned()),
        actor: Set(actor.name.clone()),
        ip: Set(actor.ip.clone()),
        detail: Set(detail),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// A user's key events, newest first (at most `limit`), optionally for one key.
pub async fn list(
    db: &impl ConnectionTrait,
    user_id: i64,
    key_id: Option<i64>,
    limit: u64,
) -> CoreResult<Vec<KeyEvent>> {
    let mut query = key_event::Entity::find().filter(key_event::Column::UserId.eq(user_id));
    if let Some(key_id) = key_id {
        query = query.filter(key_event::Column::KeyId.eq(key_id));
    }
    Ok(query
        .order_by_desc(key_event::Column::Id)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(|e| KeyEvent {
            id: e.id,
            key_id: e.key_id,
            key_name: e.key_name,
            event: e.event,
            actor: e.actor,
            ip: e.ip,
            detail: e.detail,
            created_at: e.created_at,
        })
        .collect())
}
