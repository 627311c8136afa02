//! Storage for browser sessions. The HTTP layer's session store calls these; the table is keyed by
//! the SHA-256 of the cookie's session key, so a database dump cannot be replayed as cookies.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};

use crate::entities::session;
use crate::error::CoreResult;

/// Hex SHA-256 of a session key: the table's primary key.
pub fn session_id(session_key: &str) -> String {
    hex::encode(Sha256::digest(session_key.as_bytes()))
}

/// The state of a live session, if it exists and has not expired.
pub async fn load(db: &impl ConnectionTrait, session_key: &str) -> CoreResult<Option<String>> {
    Ok(session::Entity::find_by_id(session_id(session_key))
        .filter(session::Column::ExpiresAt.gt(Utc::now()))
        .one(db)
        .await?
        .map(|s| s.state))
}

/// Inserts or replaces a session.
pub async fn save(
    db: &impl ConnectionTrait,
    session_key: &str,
    user_id: Option<i64>,
    state: String,
    expires_at: DateTime<Utc>,
) -> CoreResult<()> {
    let row = session::ActiveModel {
        id: Set(session_id(session_key)),
        user_id: Set(user_id),
        state: Set(state),
        expires_at: Set(expires_at),
    };
    session::Entity::insert(row)
        .on_conflict(
            OnConflict::column(session::Column::Id)
                .update_columns([
                    session::Column::UserId,
                    session::Column::State,
                    session::Column::ExpiresAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// True when the session row exists (used to refuse updating a session that was ended meanwhile).
pub async fn exists(db: &impl ConnectionTrait, session_key: &str) -> CoreResult<bool> {
    Ok(session::Entity::find_by_id(session_id(session_key))
        .one(db)
        .await?
        .is_some())
}

/// Moves a session's expiry.
pub async fn touch(
    db: &impl ConnectionTrait,
    session_key: &str,
    expires_at: DateTime<Utc>,
) -> CoreResult<()> {
    session::Entity::update_many()
        .col_expr(session::Column::ExpiresAt, expires_at.into())
        .filter(session::Column::Id.eq(session_id(session_key)))
        .exec(db)
        .await?;
    Ok(())
}

/// Ends a session.
pub async fn delete(db: &impl ConnectionTrait, session_key: &str) -> CoreResult<()> {
    session::Entity::delete_by_id(session_id(session_key))
        .exec(db)
        .await?;
    Ok(())
}

/// Removes expired sessions.
pub async fn purge_expired(db: &impl ConnectionTrait) -> CoreResult<u64> {
    Ok(session::Entity::delete_many()
        .filter(session::Column::ExpiresAt.lte(Utc::now()))
        .exec(db)
        .await?
        .rows_affected)
}
