//! `webhook_tokens`: a key's ChartInk webhook token (digest only) and its order settings.

use sea_orm::entity::prelude::*;

/// A row of `webhook_tokens`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_tokens")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The key's owner.
    pub user_id: i64,
    /// The key whose state, scopes and order mode apply (one token per key).
    #[sea_orm(unique)]
    pub key_id: i64,
    /// SHA-256 (hex) of the token.
    #[sea_orm(unique)]
    pub digest: String,
    /// The token's first characters, to recognise it.
    pub hint: String,
    /// The `strategy` orders are placed under.
    pub strategy: String,
    /// `BUY` or `SELL`.
    pub action: String,
    /// The exchange of the scanned stocks.
    pub exchange: String,
    /// `MIS`, `CNC` or `NRML`.
    pub product: String,
    /// `MARKET` or `LIMIT` (at the trigger price).
    pub pricetype: String,
    /// Quantity per stock.
    pub quantity: f64,
    /// Creation (or last rotation) time.
    pub created_at: DateTimeUtc,
    /// Last accepted alert.
    pub last_used_at: Option<DateTimeUtc>,
}

/// No navigable relations are needed.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
