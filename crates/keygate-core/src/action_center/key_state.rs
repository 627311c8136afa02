//! A queued item runs under its key's authority as it stands when the item is approved, not as
//! it stood when the item was queued: [`scopes_for_approval`] re-reads the key, and revoking a
//! key rejects its pending items ([`reject_for_key`], called in the revocation's transaction).

use chrono::Utc;
use keygate_types::action_center::PendingState;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::entities::{api_key, pending_order};
use crate::error::{CoreError, CoreResult};
use crate::keys::{Permission, Scopes};

/// The reason recorded on the pending items of a revoked key.
pub const KEY_REVOKED: &str = "key revoked";
/// Who decided items that keygate rejected itself.
const DECIDED_BY_KEYGATE: &str = "keygate";

/// What a key allows now, for executing one of its queued calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApprovingKey {
    /// The key's scopes now.
    pub scopes: Scopes,
    /// The broker connection the key is bound to now (`None`: paper).
    pub broker_connection_id: Option<i64>,
}

/// The user's key `key_id` now, if it may still have a queued call executed: it must exist,
/// belong to the user, be neither revoked nor expired, and hold `trade` or `exit_only`.
/// Otherwise `Forbidden`, saying which.
pub async fn scopes_for_approval(
    db: &impl ConnectionTrait,
    user_id: i64,
    key_id: i64,
) -> CoreResult<ApprovingKey> {
    let key = api_key::Entity::find_by_id(key_id)
        .filter(api_key::Column::UserId.eq(user_id))
        .one(db)
        .await?
        .ok_or_else(|| refused("its API key no longer exists"))?;
    if key.revoked_at.is_some() {
        return Err(refused("its API key has been revoked"));
    }
    if key.expires_at.is_some_and(|at| at <= Utc::now()) {
        return Err(refused("its API key has expired"));
    }
    let scopes = Scopes::from_db(&key.scopes);
    if !scopes.allows(Permission::Exit) {
        return Err(refused(
            "its API key no longer has the trade or exit_only scope",
        ));
    }
    Ok(ApprovingKey {
        scopes,
        broker_connection_id: key.broker_connection_id,
    })
}

fn refused(why: &str) -> CoreError {
    CoreError::Forbidden(format!("This order can no longer be executed: {why}"))
}

/// Rejects every pending item of `key_id` with `reason`; returns how many. Run it in the
/// transaction that revokes the key, so no approval can claim an item of a revoked key.
pub async fn reject_for_key(
    db: &impl ConnectionTrait,
    key_id: i64,
    reason: &str,
) -> CoreResult<u64> {
    use pending_order::Column as C;
    let done = pending_order::Entity::update_many()
        .col_expr(C::State, Expr::value(PendingState::Rejected.as_str()))
        .col_expr(C::Reason, Expr::value(reason.to_owned()))
        .col_expr(C::DecidedAt, Expr::value(Utc::now()))
        .col_expr(C::DecidedBy, Expr::value(DECIDED_BY_KEYGATE))
        .filter(C::KeyId.eq(key_id))
        .filter(C::State.eq(PendingState::Pending.as_str()))
        .exec(db)
        .await?;
    Ok(done.rows_affected)
}
