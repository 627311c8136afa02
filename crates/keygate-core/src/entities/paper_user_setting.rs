//! `paper_user_settings`: per-user trading settings: the analyzer flag.

use sea_orm::entity::prelude::*;

/// A row of `paper_user_settings`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "paper_user_settings")]
pub struct Model {
    /// The user (`users.id`), primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i64,
    /// True while the analyzer (sandbox) mode is on.
    pub analyze_mode: bool,
    /// Last change.
    pub updated_at: DateTimeUtc,
}

/// No navigable relations are needed.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
