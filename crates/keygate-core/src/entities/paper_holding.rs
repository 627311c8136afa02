//! `paper_holdings`: CNC holdings of a paper account per (symbol, exchange).

use sea_orm::entity::prelude::*;

/// A row of `paper_holdings`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "paper_holdings")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Owner (`users.id`).
    pub user_id: i64,
    /// `live` or `analyze`.
    pub ledger: String,
    /// Trading symbol.
    pub symbol: String,
    /// Exchange.
    pub exchange: String,
    /// Shares held.
    pub quantity: f64,
    /// Average cost.
    pub average_price: f64,
    /// Last change.
    pub updated_at: DateTimeUtc,
}

/// No navigable relations are needed.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
