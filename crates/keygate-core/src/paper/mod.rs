//! Persistence of the paper broker (`keygate-broker`): [`SqlLedgerStore`] keeps every paper
//! account (per user and ledger) in the database so nothing is lost on restart, and the per-user
//! analyzer flag lives here too.

mod convert;
mod store;

use chrono::Utc;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};

pub use store::SqlLedgerStore;

use crate::entities::paper_user_setting;
use crate::error::CoreResult;

/// True while the user's analyzer (sandbox) mode is on (off for users who never toggled it).
pub async fn analyze_mode(db: &impl ConnectionTrait, user_id: i64) -> CoreResult<bool> {
    Ok(paper_user_setting::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .is_some_and(|row| row.analyze_mode))
}

/// Turns the user's analyzer mode on or off.
pub async fn set_analyze_mode(db: &impl ConnectionTrait, user_id: i64, on: bool) -> CoreResult<()> {
    use paper_user_setting::Column as C;
    paper_user_setting::Entity::insert(paper_user_setting::ActiveModel {
        user_id: Set(user_id),
        analyze_mode: Set(on),
        updated_at: Set(Utc::now()),
    })
    .on_conflict(
        OnConflict::column(C::UserId)
            .update_columns([C::AnalyzeMode, C::UpdatedAt])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}
