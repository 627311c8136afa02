//! `webhook_deliveries`: digests of recently accepted webhook alerts, for idempotency.

use sea_orm::entity::prelude::*;

/// A row of `webhook_deliveries`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_deliveries")]
pub struct Model {
    /// SHA-256 (hex) of the key id and the normalised payload.
    #[sea_orm(primary_key, auto_increment = false)]
    pub digest: String,
    /// When a delivery with this digest was last accepted.
    pub seen_at: DateTimeUtc,
}

/// No navigable relations are needed.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
