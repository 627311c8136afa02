//! The audit trail of broker connections: who added, checked, relabelled or deleted which
//! connection, when, from where. Mirrors the keys' trail (`keys::audit`).

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};

use crate::entities::{broker_connection, broker_event};
use crate::error::CoreResult;
use crate::keys::Actor;

/// What happened to a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// Added (after the exchange accepted the credentials).
    Created,
    /// Checked against the exchange again.
    Checked,
    /// Given a new label.
    Relabelled,
    /// Deleted with its credentials.
    Deleted,
}

impl EventKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Created => "created",
            EventKind::Checked => "checked",
            EventKind::Relabelled => "relabelled",
            EventKind::Deleted => "deleted",
        }
    }
}

/// Appends an event (inside the caller's transaction).
pub async fn record(
    db: &impl ConnectionTrait,
    actor: &Actor,
    connection: &broker_connection::Model,
    kind: EventKind,
    detail: Option<String>,
) -> CoreResult<()> {
    broker_event::ActiveModel {
        user_id: Set(connection.user_id),
        connection_id: Set(connection.id),
        label: Set(connection.label.clone()),
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
