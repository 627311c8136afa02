//! First-run setup, sign-in, sign-out and password changes.

use keygate_types::account::{ChangePassword, Credentials, SessionInfo};
use keygate_types::system::SetupStatus;

use super::client::Call;
use super::ApiError;

/// `GET /api/setup`: whether the first account still has to be created.
pub async fn setup_status() -> Result<SetupStatus, ApiError> {
    Call::get("/api/setup").fetch().await
}

/// `POST /api/setup`: creates the first (admin) account and signs it in.
pub async fn setup(credentials: &Credentials) -> Result<SessionInfo, ApiError> {
    Call::post("/api/setup").fetch_with(credentials).await
}

/// `GET /api/auth/session`: the signed-in user, or a 401 error.
pub async fn session() -> Result<SessionInfo, ApiError> {
    Call::get("/api/auth/session").fetch().await
}

/// `POST /api/auth/login`.
pub async fn login(credentials: &Credentials) -> Result<SessionInfo, ApiError> {
    Call::post("/api/auth/login").fetch_with(credentials).await
}

/// `POST /api/auth/logout`: ends the session.
pub async fn logout(csrf: &str) -> Result<(), ApiError> {
    Call::post("/api/auth/logout").csrf(csrf).run().await
}

/// `POST /api/auth/password`: on success the server ends the session.
pub async fn change_password(csrf: &str, body: &ChangePassword) -> Result<(), ApiError> {
    Call::post("/api/auth/password")
        .csrf(csrf)
        .run_with(body)
        .await
}
