//! Managing a user's broker connections: add (checked against the exchange first), list,
//! re-check, relabel, delete. Each change appends to the connections' audit trail in the same
//! transaction. Credentials are sealed before they reach the database and opened only to ask
//! the exchange.

use std::sync::Arc;

use chrono::Utc;
use keygate_binance::{KeyPermissions, PRODUCTION_URL};
use keygate_types::brokers::{
    BrokerConnection, BrokerKind, BrokerPermissions, ConnectionStatus, CreateBrokerConnection,
    RelabelBrokerConnection,
};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set, SqlErr, TransactionTrait,
};

use super::audit::{self, EventKind};
use super::credentials::ExchangeCredentials;
use super::exchange::{check_binance, Verdict};
use super::input::{parse_base_url, parse_label};
use crate::entities::{api_key, broker_connection};
use crate::error::{CoreError, CoreResult};
use crate::keys::{Actor, KeyCrypto};

/// The credentials vault.
pub struct BrokerStore {
    db: DatabaseConnection,
    crypto: Arc<KeyCrypto>,
}

impl BrokerStore {
    /// A store over `db`, sealing with the API keys' Fernet key ring.
    pub fn new(db: DatabaseConnection, crypto: Arc<KeyCrypto>) -> Self {
        Self { db, crypto }
    }

    /// Adds a connection. A `binance_spot` key pair is checked against the exchange first: a
    /// refused key, one that can withdraw or one that cannot trade spot is
    /// [`CoreError::Unprocessable`], an unreachable exchange [`CoreError::Upstream`]; either way
    /// nothing is stored.
    pub async fn create(
        &self,
        actor: &Actor,
        input: CreateBrokerConnection,
    ) -> CoreResult<BrokerConnection> {
        let label = parse_label(&input.label)?;
        let now = Utc::now();
        let mut row = broker_connection::ActiveModel {
            user_id: Set(actor.user_id),
            kind: Set(input.kind.as_str().to_owned()),
            label: Set(label.clone()),
            base_url: Set(None),
            api_key_sealed: Set(None),
            secret_sealed: Set(None),
            api_key_masked: Set(None),
            status: Set(ConnectionStatus::Unchecked.as_str().to_owned()),
            reason: Set(None),
            perm_spot: Set(false),
            perm_margin: Set(false),
            perm_futures: Set(false),
            checked_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        match input.kind {
            BrokerKind::Paper => {
                for (field, given) in [
                    ("base_url", input.base_url.is_some()),
                    ("api_key", input.api_key.is_some()),
                    ("api_secret", input.api_secret.is_some()),
                ] {
                    if given {
                        return Err(CoreError::field(field, "is not used by the paper broker"));
                    }
                }
                self.ensure_label_free(actor.user_id, &label).await?;
            }
            BrokerKind::BinanceSpot => {
                let base_url = match &input.base_url {
                    Some(raw) => parse_base_url(raw)?,
                    None => PRODUCTION_URL.to_owned(),
                };
                let credentials = ExchangeCredentials::parse(
                    input.api_key.as_deref(),
                    input.api_secret.as_deref(),
                )?;
                self.ensure_label_free(actor.user_id, &label).await?;
                let permissions = match check_binance(&base_url, &credentials).await? {
                    Verdict::Accepted(permissions) => permissions,
                    Verdict::Refused { reason, .. } => {
                        return Err(CoreError::Unprocessable(format!(
                            "{reason}. Nothing was stored."
                        )))
                    }
                };
                let sealed = credentials.seal(&self.crypto);
                row.base_url = Set(Some(base_url));
                row.api_key_sealed = Set(Some(sealed.api_key));
                row.secret_sealed = Set(Some(sealed.secret));
                row.api_key_masked = Set(Some(sealed.masked));
                row.status = Set(ConnectionStatus::Valid.as_str().to_owned());
                set_permissions(&mut row, &permissions);
                row.checked_at = Set(Some(now));
            }
        }
        let txn = self.db.begin().await?;
        let connection = row.insert(&txn).await.map_err(label_conflict)?;
        audit::record(
            &txn,
            actor,
            &connection,
            EventKind::Created,
            Some(format!("kind {}", connection.kind)),
        )
        .await?;
        txn.commit().await?;
        view(connection)
    }

    /// The owner's connections, oldest first; the API key masked, never the secret.
    pub async fn list(&self, user_id: i64) -> CoreResult<Vec<BrokerConnection>> {
        broker_connection::Entity::find()
            .filter(broker_connection::Column::UserId.eq(user_id))
            .order_by_asc(broker_connection::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(view)
            .collect()
    }

    /// The owner's connection with this label.
    pub async fn find_by_label(
        &self,
        user_id: i64,
        label: &str,
    ) -> CoreResult<broker_connection::Model> {
        broker_connection::Entity::find()
            .filter(broker_connection::Column::UserId.eq(user_id))
            .filter(broker_connection::Column::Label.eq(label.trim()))
            .one(&self.db)
            .await?
            .ok_or_else(|| {
                CoreError::NotFound(format!("no broker connection labelled '{}'", label.trim()))
            })
    }

    /// One of the owner's connections (another user's is not found).
    pub async fn owned(&self, user_id: i64, id: i64) -> CoreResult<broker_connection::Model> {
        broker_connection::Entity::find_by_id(id)
            .filter(broker_connection::Column::UserId.eq(user_id))
            .one(&self.db)
            .await?
            .ok_or_else(|| not_found(id))
    }

    /// Checks a connection against the exchange again and records what it found: `valid`, or
    /// `invalid` with the reason. An unreachable exchange is [`CoreError::Upstream`] and leaves
    /// the status as it was. A paper connection needs no check and is answered as it is.
    pub async fn check(&self, actor: &Actor, id: i64) -> CoreResult<BrokerConnection> {
        let connection = self.owned(actor.user_id, id).await?;
        let (Some(base_url), Some(credentials)) = (
            connection.base_url.clone(),
            ExchangeCredentials::open(&self.crypto, &connection)?,
        ) else {
            return view(connection);
        };
        let verdict = check_binance(&base_url, &credentials).await?;
        let now = Utc::now();
        let mut row: broker_connection::ActiveModel = connection.into();
        let detail = match &verdict {
            Verdict::Accepted(permissions) => {
                row.status = Set(ConnectionStatus::Valid.as_str().to_owned());
                row.reason = Set(None);
                set_permissions(&mut row, permissions);
                "valid".to_owned()
            }
            Verdict::Refused {
                reason,
                permissions,
            } => {
                row.status = Set(ConnectionStatus::Invalid.as_str().to_owned());
                row.reason = Set(Some(reason.clone()));
                if let Some(permissions) = permissions {
                    set_permissions(&mut row, permissions);
                }
                format!("invalid: {reason}")
            }
        };
        row.checked_at = Set(Some(now));
        row.updated_at = Set(now);
        let txn = self.db.begin().await?;
        let connection = row.update(&txn).await.map_err(|e| match e {
            DbErr::RecordNotUpdated => not_found(id),
            e => CoreError::Database(e),
        })?;
        audit::record(&txn, actor, &connection, EventKind::Checked, Some(detail)).await?;
        txn.commit().await?;
        view(connection)
    }

    /// Gives a connection a new label (unique among the owner's).
    pub async fn relabel(
        &self,
        actor: &Actor,
        id: i64,
        input: RelabelBrokerConnection,
    ) -> CoreResult<BrokerConnection> {
        let label = parse_label(&input.label)?;
        let connection = self.owned(actor.user_id, id).await?;
        if connection.label == label {
            return view(connection);
        }
        let old = connection.label.clone();
        let mut row: broker_connection::ActiveModel = connection.into();
        row.label = Set(label.clone());
        row.updated_at = Set(Utc::now());
        let txn = self.db.begin().await?;
        let connection = row.update(&txn).await.map_err(|e| match e {
            DbErr::RecordNotUpdated => not_found(id),
            e => label_conflict(e),
        })?;
        audit::record(
            &txn,
            actor,
            &connection,
            EventKind::Relabelled,
            Some(format!("was '{old}'")),
        )
        .await?;
        txn.commit().await?;
        view(connection)
    }

    /// Deletes a connection and its sealed credentials. Refused (409, naming them) while
    /// unrevoked keys are bound to it; revoked keys bound to it are unbound first.
    pub async fn delete(&self, actor: &Actor, id: i64) -> CoreResult<()> {
        let connection = self.owned(actor.user_id, id).await?;
        let txn = self.db.begin().await?;
        let bound = api_key::Entity::find()
            .filter(api_key::Column::BrokerConnectionId.eq(id))
            .order_by_asc(api_key::Column::Id)
            .all(&txn)
            .await?;
        let live: Vec<&str> = bound
            .iter()
            .filter(|k| k.revoked_at.is_none())
            .map(|k| k.name.as_str())
            .collect();
        if !live.is_empty() {
            return Err(bound_keys(&connection.label, &live));
        }
        api_key::Entity::update_many()
            .col_expr(
                api_key::Column::BrokerConnectionId,
                Expr::value(Option::<i64>::None),
            )
            .filter(api_key::Column::BrokerConnectionId.eq(id))
            .filter(api_key::Column::RevokedAt.is_not_null())
            .exec(&txn)
            .await?;
        let deleted = broker_connection::Entity::delete_by_id(id)
            .exec(&txn)
            .await
            .map_err(|e| match e.sql_err() {
                // A key bound meanwhile: the constraint refuses, and so does the answer.
                Some(SqlErr::ForeignKeyConstraintViolation(_)) => CoreError::Conflict(format!(
                    "keys were bound to '{}' meanwhile; list them and try again",
                    connection.label
                )),
                _ => CoreError::Database(e),
            })?;
        if deleted.rows_affected != 1 {
            return Err(not_found(id));
        }
        audit::record(&txn, actor, &connection, EventKind::Deleted, None).await?;
        txn.commit().await?;
        Ok(())
    }

    async fn ensure_label_free(&self, user_id: i64, label: &str) -> CoreResult<()> {
        let taken = broker_connection::Entity::find()
            .filter(broker_connection::Column::UserId.eq(user_id))
            .filter(broker_connection::Column::Label.eq(label))
            .one(&self.db)
            .await?
            .is_some();
        if taken {
            return Err(duplicate_label());
        }
        Ok(())
    }
}

/// The owner's view of a stored connection.
pub fn view(row: broker_connection::Model) -> CoreResult<BrokerConnection> {
    let corrupt = |what: &str| {
        CoreError::Internal(anyhow::anyhow!(
            "broker connection {} has an unknown {what}",
            row.id
        ))
    };
    let kind = BrokerKind::parse(&row.kind).ok_or_else(|| corrupt("kind"))?;
    let status = ConnectionStatus::parse(&row.status).ok_or_else(|| corrupt("status"))?;
    Ok(BrokerConnection {
        id: row.id,
        kind,
        label: row.label,
        base_url: row.base_url,
        api_key_masked: row.api_key_masked,
        status,
        reason: row.reason,
        checked_at: row.checked_at,
        permissions: BrokerPermissions {
            spot: row.perm_spot,
            margin: row.perm_margin,
            futures: row.perm_futures,
        },
        created_at: row.created_at,
    })
}

fn set_permissions(row: &mut broker_connection::ActiveModel, permissions: &KeyPermissions) {
    row.perm_spot = Set(permissions.spot_trading);
    row.perm_margin = Set(permissions.margin);
    row.perm_futures = Set(permissions.futures);
}

fn not_found(id: i64) -> CoreError {
    CoreError::NotFound(format!("broker connection {id} not found"))
}

fn bound_keys(label: &str, names: &[&str]) -> CoreError {
    CoreError::Conflict(format!(
        "'{label}' cannot be deleted while keys are bound to it: {}; bind them to another \
         connection (or paper) or revoke them first",
        names.join(", ")
    ))
}

fn duplicate_label() -> CoreError {
    CoreError::field(
        "label",
        "you already have a broker connection with this label",
    )
}

fn label_conflict(err: DbErr) -> CoreError {
    if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) {
        duplicate_label()
    } else {
        CoreError::Database(err)
    }
}
