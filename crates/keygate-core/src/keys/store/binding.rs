//! Binding a key to a broker connection: its orders and account calls go to that connection's
//! broker from the next call on (the change sequence drops the key from every process's cache).
//! Create, update and `bind` all check the connection here: the owner's own, and not `invalid`.

use std::collections::HashMap;

use keygate_types::brokers::{BrokerKind, ConnectionStatus};
use keygate_types::keys::{ApiKeySummary, BoundConnection, UpdateApiKey};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, SqlErr};

use super::KeyStore;
use crate::entities::broker_connection;
use crate::error::{CoreError, CoreResult};
use crate::keys::Actor;

impl KeyStore {
    /// Binds the owner's key to the owner's connection `connection` (`None`: back to the paper
    /// account): an update of the binding alone.
    pub async fn bind(
        &self,
        actor: &Actor,
        key_id: i64,
        connection: Option<i64>,
    ) -> CoreResult<ApiKeySummary> {
        let input = UpdateApiKey {
            broker_connection_id: Some(connection),
            ..Default::default()
        };
        self.update(actor, key_id, input).await
    }

    /// The connection a key of `user_id` may be bound to: `None` (the paper account) always;
    /// another user's or an unknown id is [`CoreError::NotFound`], an `invalid` connection
    /// [`CoreError::Unprocessable`] with the exchange's reason.
    pub(super) async fn bindable(
        &self,
        user_id: i64,
        connection: Option<i64>,
    ) -> CoreResult<Option<broker_connection::Model>> {
        let Some(id) = connection else {
            return Ok(None);
        };
        let row = broker_connection::Entity::find_by_id(id)
            .filter(broker_connection::Column::UserId.eq(user_id))
            .one(&self.db)
            .await?
            .ok_or_else(|| connection_not_found(id))?;
        if ConnectionStatus::parse(&row.status) == Some(ConnectionStatus::Invalid) {
            return Err(CoreError::Unprocessable(format!(
                "broker connection '{}' is invalid ({}); check it again once fixed, or bind \
                 another one",
                row.label,
                row.reason.as_deref().unwrap_or("no reason recorded")
            )));
        }
        Ok(Some(row))
    }
}

/// The audit trail's words for a binding: `broker <label>`, `broker paper` when unbound.
pub(super) fn binding_detail(connection: Option<&broker_connection::Model>) -> String {
    format!(
        "broker {}",
        connection.map_or("paper", |c| c.label.as_str())
    )
}

/// The key views' form of a bound connection.
pub(super) fn bound(row: &broker_connection::Model) -> CoreResult<BoundConnection> {
    let kind = BrokerKind::parse(&row.kind).ok_or_else(|| {
        CoreError::Internal(anyhow::anyhow!(
            "broker connection {} has an unknown kind",
            row.id
        ))
    })?;
    Ok(BoundConnection {
        id: row.id,
        kind,
        label: row.label.clone(),
    })
}

/// The connection `id` of one key, for its view (`None`: the paper account).
pub(super) async fn bound_one(
    db: &impl ConnectionTrait,
    id: Option<i64>,
) -> CoreResult<Option<BoundConnection>> {
    let Some(id) = id else {
        return Ok(None);
    };
    let row = broker_connection::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| connection_not_found(id))?;
    bound(&row).map(Some)
}

/// Every connection of `user_id` by id, for a list of their keys.
pub(super) async fn bound_all(
    db: &impl ConnectionTrait,
    user_id: i64,
) -> CoreResult<HashMap<i64, BoundConnection>> {
    broker_connection::Entity::find()
        .filter(broker_connection::Column::UserId.eq(user_id))
        .all(db)
        .await?
        .iter()
        .map(|row| Ok((row.id, bound(row)?)))
        .collect()
}

/// A write that set `connection` and failed: a connection deleted since it was checked makes the
/// foreign key refuse, and the answer is that it is not found.
pub(super) fn connection_gone(err: &DbErr, connection: Option<i64>) -> Option<CoreError> {
    match (err.sql_err(), connection) {
        (Some(SqlErr::ForeignKeyConstraintViolation(_)), Some(id)) => {
            Some(connection_not_found(id))
        }
        _ => None,
    }
}

fn connection_not_found(id: i64) -> CoreError {
    CoreError::NotFound(format!("broker connection {id} not found"))
}
