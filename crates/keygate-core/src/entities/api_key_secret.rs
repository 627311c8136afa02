//! `api_key_secrets`: the derived forms of one secret of a key. The current secret has no
//! `retired_at`; a rolled one keeps working until `grace_until`.

use sea_orm::entity::prelude::*;

/// A row of `api_key_secrets`.
#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_key_secrets")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The key this secret belongs to.
    pub key_id: i64,
    /// Hex HMAC-SHA256 of the secret under a pepper-derived key; unique, for the one indexed lookup.
    #[sea_orm(unique)]
    pub lookup_digest: String,
    /// Argon2id PHC string of the secret, keyed with the pepper.
    pub argon2_hash: String,
    /// Fernet token of the secret, so its owner can reveal it.
    pub encrypted: String,
    /// First 4 and last 4 characters.
    pub masked: String,
    /// When this secret was issued.
    pub created_at: DateTimeUtc,
    /// When a roll replaced it.
    pub retired_at: Option<DateTimeUtc>,
    /// A retired secret works until this time.
    pub grace_until: Option<DateTimeUtc>,
    /// Last successful use.
    pub last_used_at: Option<DateTimeUtc>,
    /// Client address of the last use.
    pub last_used_ip: Option<String>,
    /// JSON array of the client addresses seen using this secret (at most 20).
    pub used_from: String,
}

keygate_types::redacted_debug!(Model { id, key_id, masked, created_at, retired_at, grace_until, last_used_at, last_used_ip, used_from } secret { lookup_digest, argon2_hash, encrypted });

/// A secret belongs to a key.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The owning key.
    #[sea_orm(
        belongs_to = "super::api_key::Entity",
        from = "Column::KeyId",
        to = "super::api_key::Column::Id"
    )]
    Key,
}

impl Related<super::api_key::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Key.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
