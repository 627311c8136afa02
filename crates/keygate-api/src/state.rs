//! What every handler can reach: the database, the settings and the long-lived services.

use std::sync::Arc;

use keygate_core::keys::{KeyStore, KeyVerifier, UsageRecorder};
use keygate_core::Settings;
use sea_orm::DatabaseConnection;

use crate::login_limit::LoginLimiter;

/// Shared application state, registered once as `web::Data<AppState>`.
pub struct AppState {
    /// The connection pool.
    pub db: DatabaseConnection,
    /// The loaded settings.
    pub settings: Arc<Settings>,
    /// Key management.
    pub keys: Arc<KeyStore>,
    /// Key verification for `/api/v1`.
    pub verifier: Arc<KeyVerifier>,
    /// Last-used tracking, flushed in the background.
    pub usage: Arc<UsageRecorder>,
    /// Sign-in throttling.
    pub login_limiter: LoginLimiter,
}
