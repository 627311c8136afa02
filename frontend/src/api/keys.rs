//! The signed-in user's API keys and their audit trail.

use keygate_types::keys::{
    ApiKeyCreated, ApiKeySummary, CreateApiKey, KeyEvent, KeysUsage, RevealedApiKey, RollApiKey,
    SetOrderMode, UpdateApiKey,
};

use super::client::Call;
use super::ApiError;

/// `GET /api/keys`.
pub async fn list() -> Result<Vec<ApiKeySummary>, ApiError> {
    Call::get("/api/keys").fetch().await
}

/// `POST /api/keys`: the answer holds the plaintext key, shown once.
pub async fn create(csrf: &str, body: &CreateApiKey) -> Result<ApiKeyCreated, ApiError> {
    Call::post("/api/keys").csrf(csrf).fetch_with(body).await
}

/// `POST /api/keys/{id}/reveal`: the full key (the server records the reveal).
pub async fn reveal(csrf: &str, id: i64) -> Result<RevealedApiKey, ApiError> {
    Call::post(&format!("/api/keys/{id}/reveal"))
        .csrf(csrf)
        .fetch()
        .await
}

/// `POST /api/keys/{id}/roll`: a new secret, shown once; the old one may keep working for a while.
pub async fn roll(csrf: &str, id: i64, body: &RollApiKey) -> Result<ApiKeyCreated, ApiError> {
    Call::post(&format!("/api/keys/{id}/roll"))
        .csrf(csrf)
        .fetch_with(body)
        .await
}

/// `PUT /api/keys/{id}/mode`.
pub async fn set_mode(csrf: &str, id: i64, body: &SetOrderMode) -> Result<(), ApiError> {
    Call::put(&format!("/api/keys/{id}/mode"))
        .csrf(csrf)
        .run_with(body)
        .await
}

/// `PATCH /api/keys/{id}`.
pub async fn update(csrf: &str, id: i64, body: &UpdateApiKey) -> Result<(), ApiError> {
    Call::patch(&format!("/api/keys/{id}"))
        .csrf(csrf)
        .run_with(body)
        .await
}

/// `POST /api/keys/{id}/revoke`.
pub async fn revoke(csrf: &str, id: i64) -> Result<(), ApiError> {
    Call::post(&format!("/api/keys/{id}/revoke"))
        .csrf(csrf)
        .run()
        .await
}

/// `GET /api/keys/events`: the audit trail of all the user's keys, newest first.
pub async fn events() -> Result<Vec<KeyEvent>, ApiError> {
    Call::get("/api/keys/events").fetch().await
}

/// `GET /api/keys/usage`: every key's requests and errors per hour over the last 24 hours.
pub async fn usage() -> Result<KeysUsage, ApiError> {
    Call::get("/api/keys/usage").fetch().await
}
