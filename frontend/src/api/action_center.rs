//! The Action Center: the signed-in user's queued orders, approved or rejected here.

use keygate_types::action_center::{ApproveOrder, PendingOrder, RejectOrder};

use super::client::Call;
use super::ApiError;

/// `GET /api/action-center`: every item, newest first (the page splits pending from history).
pub async fn list() -> Result<Vec<PendingOrder>, ApiError> {
    Call::get("/api/action-center").fetch().await
}

/// `POST /api/action-center/{id}/approve`. A 409 whose error names the `confirm` field means the
/// price moved more than the limit: approve again with `confirm` to go ahead.
pub async fn approve(csrf: &str, id: i64, confirm: bool) -> Result<PendingOrder, ApiError> {
    Call::post(&format!("/api/action-center/{id}/approve"))
        .csrf(csrf)
        .fetch_with(&ApproveOrder { confirm })
        .await
}

/// `POST /api/action-center/{id}/reject`.
pub async fn reject(csrf: &str, id: i64, reason: String) -> Result<PendingOrder, ApiError> {
    Call::post(&format!("/api/action-center/{id}/reject"))
        .csrf(csrf)
        .fetch_with(&RejectOrder { reason })
        .await
}
