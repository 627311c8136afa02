//! What every handler can reach: the database, the settings and the long-lived services.

use std::sync::Arc;

use keygate_core::keys::{KeyStore, KeyVerifier, UsageRecorder};
use keygate_core::Settings;
use sea_orm::DatabaseConnection;

use keygate_core::traffic::TrafficSink;

use crate::ip_governor::IpLimits;
use crate::login_limit::LoginLimiter;
use crate::rate_limit::RateLimits;
use keygate_core::ban_monitor::SecurityMonitor;

/// Shared application state, registered once as `web::Data<AppState>`.
pub struct AppState {
    /// The connection pool.
    pub db: DatabaseConnection,
    /// The loaded settings.
    pub settings: Arc<Settings>,
    /// Key management.
    pub keys: Arc<KeyStore>,
    /// The credentials vault: the users' broker connections.
    pub brokers: Arc<keygate_core::brokers::BrokerStore>,
    /// Key verification for `/api/v1`.
    pub verifier: Arc<KeyVerifier>,
    /// Last-used tracking, flushed in the background.
    pub usage: Arc<UsageRecorder>,
    /// Sign-in throttling.
    pub login_limiter: LoginLimiter,
    /// Per-key limits and the `/api/v1` limit per address.
    pub rate_limits: RateLimits,
    /// The per-IP limits enforced as middleware (session API, sign-in, webhooks).
    pub ip_limits: Arc<IpLimits>,
    /// The Redis connection every limit above decides through when `KEYGATE_REDIS_URL` is set
    /// (its [`health`](crate::shared_limit::SharedLimits::health): up, error count).
    pub shared_limits: Option<Arc<crate::shared_limit::SharedLimits>>,
    /// The traffic log's queue to its background writer.
    pub traffic: Arc<TrafficSink>,
    /// Invalid-key counting and bans.
    pub security: Arc<SecurityMonitor>,
    /// The simulated market: quotes, depth and the tick broadcast the WebSocket feed reads.
    pub market: Arc<keygate_broker::Market>,
    /// The broker every `/api/v1` order and account call goes to (the paper broker by default).
    pub broker: Arc<dyn keygate_broker::Broker>,
    /// Each bound key's connection: its broker (through `trading`) and its feed's market data.
    pub connections: Arc<keygate_core::brokers::Brokers>,
    /// The trading service every order-changing call goes through (and the ledger choice).
    pub trading: Arc<keygate_core::trading::Trading>,
    /// Open WebSocket feed connections per address and per key (both listeners).
    pub ws_connections: Arc<crate::ws::limits::WsConnections>,
}
