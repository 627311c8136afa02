//! `pending_orders.body` holds the queued call as the serde-tagged `TradeRequest` of keygate-core
//! (`{"op":"placeorder", ...fields}`), so an approval replays it as one typed value. Rows queued
//! before held only the fields (the name was in `op`): this puts the name into the body, on
//! SQLite and PostgreSQL alike (both concatenate text with `||` and take `substr`).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        // `{}` becomes `{"op":"x"}`; `{"a":1}` becomes `{"op":"x","a":1}`. Op names are the
        // endpoints' (lowercase letters only), so nothing needs escaping.
        db.execute_unprepared(
            "UPDATE pending_orders SET body = '{\"op\":\"' || op || '\"' || \
             CASE WHEN body = '{}' THEN '}' ELSE ',' || substr(body, 2) END \
             WHERE body LIKE '{%' AND body NOT LIKE '{\"op\":%'",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Back to the fields alone: drop the leading `"op":"x"` member.
        let db = manager.get_connection();
        db.execute_unprepared(
            "UPDATE pending_orders SET body = CASE \
             WHEN body = '{\"op\":\"' || op || '\"}' THEN '{}' \
             ELSE '{' || substr(body, length('{\"op\":\"' || op || '\"') + 2) END \
             WHERE body LIKE '{\"op\":%'",
        )
        .await?;
        Ok(())
    }
}
