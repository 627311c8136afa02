//! `paper_positions`: net positions of a paper account per (symbol, exchange, product).

use sea_orm::entity::prelude::*;

/// A row of `paper_positions`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "paper_positions")]
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
    /// MIS, NRML or CNC.
    pub product: String,
    /// Net quantity (negative = short).
    pub quantity: f64,
    /// Average entry price of the open quantity.
    pub average_price: f64,
    /// Realised P&L.
    pub realized_pnl: f64,
    /// Margin the open quantity holds.
    pub margin: f64,
    /// Last change.
    pub updated_at: DateTimeUtc,
}

/// No navigable relations are needed.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
