//! Binding a key to a broker connection: its orders and account calls go to that connection's
//! broker from the next call on (the change sequence drops the key from every process's cache).

use chrono::Utc;
use keygate_types::keys::ApiKeySummary;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, TransactionTrait};

use super::super::audit::{self, EventKind};
use super::KeyStore;
use crate::entities::{api_key, broker_connection};
use crate::error::{CoreError, CoreResult};
use crate::keys::Actor;

impl KeyStore {
    /// Binds the owner's key to the owner's connection `connection` (`None`: back to the paper
    /// account). Another user's connection is not found.
    pub async fn bind(
        &self,
        actor: &Actor,
        key_id: i64,
        connection: Option<i64>,
    ) -> CoreResult<ApiKeySummary> {
        let key = self.owned(actor.user_id, key_id).await?;
        let label = match connection {
            None => "paper".to_owned(),
            Some(id) => {
                broker_connection::Entity::find_by_id(id)
                    .filter(broker_connection::Column::UserId.eq(actor.user_id))
                    .one(&self.db)
                    .await?
                    .ok_or_else(|| {
                        CoreError::NotFound(format!("broker connection {id} not found"))
                    })?
                    .label
            }
        };
        if key.broker_connection_id == connection {
            return self.summary(key).await;
        }
        let mut active: api_key::ActiveModel = key.into();
        active.broker_connection_id = Set(connection);
        active.updated_at = Set(Utc::now());
        let txn = self.db.begin().await?;
        // A connection deleted meanwhile: the foreign key refuses the update.
        let key = active.update(&txn).await?;
        audit::record(
            &txn,
            actor,
            &key,
            EventKind::Updated,
            Some(format!("broker {label}")),
        )
        .await?;
        self.commit_change(txn, key.id, None).await?;
        self.summary(key).await
    }
}
