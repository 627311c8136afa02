//! `api_keys`: a key's settings. Its secrets live in `api_key_secrets`.

use sea_orm::entity::prelude::*;

/// A row of `api_keys`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_keys")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The owner.
    pub user_id: i64,
    /// Unique per owner.
    pub name: String,
    /// Comma-separated scope names (`read,trade`).
    pub scopes: String,
    /// `auto` or `semi_auto`.
    pub order_mode: String,
    /// JSON array of addresses and CIDR blocks; empty allows any.
    pub ip_allowlist: String,
    /// The key stops working at this time.
    pub expires_at: Option<DateTimeUtc>,
    /// Set when the key was revoked.
    pub revoked_at: Option<DateTimeUtc>,
    /// Creation time.
    pub created_at: DateTimeUtc,
    /// Last change of the settings or the secret.
    pub updated_at: DateTimeUtc,
    /// The broker connection the key trades on; `None`: the owner's paper account.
    pub broker_connection_id: Option<i64>,
}

/// A key has secrets.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The key's current and in-grace secrets.
    #[sea_orm(has_many = "super::api_key_secret::Entity")]
    Secrets,
}

impl Related<super::api_key_secret::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Secrets.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
