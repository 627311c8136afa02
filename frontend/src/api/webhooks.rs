//! ChartInk webhook tokens of the signed-in user's keys.

use keygate_types::action_center::{ChartinkSettings, ChartinkToken, ChartinkTokenCreated};

use super::client::Call;
use super::ApiError;

/// `GET /api/chartink/tokens`: settings and hints, never the tokens.
pub async fn list() -> Result<Vec<ChartinkToken>, ApiError> {
    Call::get("/api/chartink/tokens").fetch().await
}

/// `POST /api/chartink/tokens`: creates or rotates a key's token; the answer shows it once.
pub async fn create(csrf: &str, body: &ChartinkSettings) -> Result<ChartinkTokenCreated, ApiError> {
    Call::post("/api/chartink/tokens")
        .csrf(csrf)
        .fetch_with(body)
        .await
}

/// `DELETE /api/chartink/tokens/{key_id}`.
pub async fn revoke(csrf: &str, key_id: i64) -> Result<(), ApiError> {
    Call::delete(&format!("/api/chartink/tokens/{key_id}"))
        .csrf(csrf)
        .run()
        .await
}
