//! User management (admins only).

use keygate_types::account::{CreateUser, User};

use super::client::Call;
use super::ApiError;

/// `GET /api/users`.
pub async fn list() -> Result<Vec<User>, ApiError> {
    Call::get("/api/users").fetch().await
}

/// `POST /api/users`.
pub async fn create(csrf: &str, body: &CreateUser) -> Result<User, ApiError> {
    Call::post("/api/users").csrf(csrf).fetch_with(body).await
}
