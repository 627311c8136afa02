//! `paper_trades`: the fills of a paper account (insert-only).

use sea_orm::entity::prelude::*;

/// A row of `paper_trades`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "paper_trades")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Owner (`users.id`).
    pub user_id: i64,
    /// `live` or `analyze`.
    pub ledger: String,
    /// Trade id, unique per (user, ledger).
    pub tradeid: String,
    /// The order it filled.
    pub orderid: String,
    /// Strategy tag.
    pub strategy: String,
    /// Trading symbol.
    pub symbol: String,
    /// Exchange.
    pub exchange: String,
    /// BUY or SELL.
    pub action: String,
    /// MIS, NRML or CNC.
    pub product: String,
    /// Filled quantity.
    pub quantity: f64,
    /// Fill price.
    pub price: f64,
    /// quantity × price.
    pub trade_value: f64,
    /// When it filled.
    pub created_at: DateTimeUtc,
}

/// No navigable relations are needed.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
