//! `broker_connections`: a user's named connection to a broker. The exchange credentials are
//! Fernet tokens here (see `brokers::vault`), never plaintext.

use sea_orm::entity::prelude::*;

/// A row of `broker_connections`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "broker_connections")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The owner.
    pub user_id: i64,
    /// `paper` or `binance_spot`.
    pub kind: String,
    /// Unique per owner.
    pub label: String,
    /// The exchange's base URL (NULL for paper).
    pub base_url: Option<String>,
    /// Fernet token of the exchange API key (NULL for paper).
    pub api_key_sealed: Option<String>,
    /// Fernet token of the exchange API secret (NULL for paper).
    pub secret_sealed: Option<String>,
    /// First 4 and last 4 characters of the exchange API key.
    pub api_key_masked: Option<String>,
    /// `valid`, `invalid` or `unchecked`.
    pub status: String,
    /// Why the last check failed (the exchange's words).
    pub reason: Option<String>,
    /// The key may trade spot.
    pub perm_spot: bool,
    /// The key may use margin.
    pub perm_margin: bool,
    /// The key may trade futures.
    pub perm_futures: bool,
    /// Time of the last check against the exchange.
    pub checked_at: Option<DateTimeUtc>,
    /// Creation time.
    pub created_at: DateTimeUtc,
    /// Last change (label, status, credentials check).
    pub updated_at: DateTimeUtc,
}

/// No navigable relations are needed.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
