//! Building and running the server: binds its own listener (port 0 allowed, for tests), wires
//! middleware and routes, and starts the background tasks.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_cors::Cors;
use actix_session::config::{CookieContentSecurity, PersistentSession};
use actix_session::SessionMiddleware;
use actix_web::cookie::{Key, SameSite};
use actix_web::dev::{Server, ServerHandle};
use actix_web::http::{header, Method};
use actix_web::{middleware, web, App, HttpResponse, HttpServer};
use keygate_core::brokers::registry::RECHECK as BROKER_RECHECK;
use keygate_core::brokers::{BrokerStore, Brokers};
use keygate_core::keys::changes::{self, ChangeFollower};
use keygate_core::keys::{KeyCrypto, KeyStore, KeyVerifier, UsageRecorder};
use keygate_core::trading::{ApprovalRules, Trading};
use keygate_core::traffic::{self, TrafficStore, TrafficWriter};
use keygate_core::{db, sessions, Settings};
use keygate_types::ErrorBody;
use sea_orm::DatabaseConnection;
use secrecy::ExposeSecret;
use sha2::{Digest, Sha512};

use crate::auth::session_store::DbSessionStore;
use crate::client_ip::TrustedProxies;
use crate::errors_config;
use crate::ip_governor::{limit_per_ip, IpLimits};
use crate::login_limit::LoginLimiter;
use crate::metrics::{self, Metrics, RequestMetrics};
use crate::rate_limit::RateLimits;
use crate::route_class;
use crate::routes;
use crate::security_headers::SecurityHeaders;
use crate::shared_limit::SharedLimits;
use crate::state::AppState;
use crate::traffic_log;
use crate::ws;
use keygate_core::ban_monitor::SecurityMonitor;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "keygate_session";
const SESSION_HOURS: i64 = 12;

/// A built, bound server, ready to run.
pub struct Application {
    port: u16,
    server: Server,
    ws_port: Option<u16>,
    ws_server: Option<Server>,
    metrics_port: Option<u16>,
    metrics_server: Option<Server>,
    state: web::Data<AppState>,
    traffic_writer: TrafficWriter,
    paper_tasks: Vec<tokio::task::JoinHandle<()>>,
    /// A pool of its own for the work that runs after the HTTP server stops (see `build_with`).
    background_db: DatabaseConnection,
}

impl Application {
    /// Connects to the database, applies migrations, binds `settings.bind` and wires everything.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let db = db::connect(&settings.database_url).await?;
        db::migrate(&db).await?;
        let listener = TcpListener::bind(settings.bind)?;
        Self::build_with(settings, db, listener).await
    }

    /// Wires a server over an open database and listener.
    pub async fn build_with(
        settings: Settings,
        db: DatabaseConnection,
        listener: TcpListener,
    ) -> anyhow::Result<Self> {
        let port = listener.local_addr()?.port();
        // Bound first, so a taken feed port fails start-up before any task is spawned.
        let ws_listener = settings
            .ws
            .bind
            .map(|addr| {
                TcpListener::bind(addr).map_err(|e| {
                    anyhow::anyhow!("cannot listen on KEYGATE_WS_BIND {addr} ({e}); set another address, or `off`")
                })
            })
            .transpose()?;
        let metrics_listener = settings
            .metrics
            .bind
            .map(|addr| {
                TcpListener::bind(addr).map_err(|e| {
                    anyhow::anyhow!("cannot listen on KEYGATE_METRICS_BIND {addr} ({e}); set another address, or `off`")
                })
            })
            .transpose()?;
        // Counted only when something can scrape them.
        let metrics = (metrics_listener.is_some() || settings.metrics.public).then(Metrics::new);
        // Each actix worker runs its own tokio runtime, and a pooled PostgreSQL connection belongs
        // to the runtime that opened it: once the workers stop, their connections fail. The writes
        // that must still happen then (the traffic flush, last-used data) use a pool opened here,
        // on the runtime that outlives the server.
        let background_db = db::connect(&settings.database_url).await?;
        let traffic_store = TrafficStore::open(background_db.clone(), &settings.database_url)?;
        let observer = metrics
            .clone()
            .map(|m| Arc::new(RequestMetrics::new(m)) as Arc<dyn traffic::BatchObserver>);
        let (traffic, traffic_writer) =
            TrafficWriter::start(traffic_store, &settings.traffic, observer);
        let (market, paper) = build_paper(&db).await?;
        let broker: Arc<dyn keygate_broker::Broker> = paper.clone();
        // Started here, on the runtime that outlives the server's workers (see above).
        let shared_limits = match &settings.shared_limits {
            Some(shared) => Some(SharedLimits::start(shared).await?),
            None => None,
        };
        let state = web::Data::new(build_state(
            settings,
            db,
            traffic,
            market,
            broker,
            shared_limits,
        )?);
        let paper_tasks = vec![
            state
                .market
                .clone()
                .spawn_ticker(Duration::from_millis(500)),
            paper.spawn_matcher(Duration::from_millis(500)),
        ];
        spawn_background_tasks(&state).await?;
        let public_metrics = metrics.clone().filter(|_| state.settings.metrics.public);
        let server = serve(state.clone(), listener, public_metrics)?;
        let (ws_port, ws_server) = match ws_listener {
            Some(ws_listener) => {
                let ws_port = ws_listener.local_addr()?.port();
                (Some(ws_port), Some(ws::serve(state.clone(), ws_listener)?))
            }
            None => (None, None),
        };
        let (metrics_port, metrics_server) = match (metrics_listener, &metrics) {
            (Some(metrics_listener), Some(metrics)) => {
                metrics.spawn_upkeep();
                let port = metrics_listener.local_addr()?.port();
                let server =
                    metrics::serve::serve(state.clone(), metrics.clone(), metrics_listener)?;
                (Some(port), Some(server))
            }
            _ => {
                if let Some(metrics) = &metrics {
                    metrics.spawn_upkeep();
                }
                (None, None)
            }
        };
        Ok(Self {
            port,
            server,
            ws_port,
            ws_server,
            metrics_port,
            metrics_server,
            state,
            traffic_writer,
            paper_tasks,
            background_db,
        })
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The port of the WebSocket feed's own listener (`KEYGATE_WS_BIND`), unless it is `off`.
    pub fn ws_port(&self) -> Option<u16> {
        self.ws_port
    }

    /// The port of the metrics listener (`KEYGATE_METRICS_BIND`), unless it is `off`.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics_port
    }

    /// The shared state (tests read counters from it).
    pub fn state(&self) -> web::Data<AppState> {
        self.state.clone()
    }

    /// A handle that stops the server (gracefully or not), as SIGINT/SIGTERM would.
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Runs until SIGINT/SIGTERM (actix's graceful shutdown, or [`Application::handle`]), then
    /// writes every queued traffic row and flushes last-used data.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        // The metrics listener stops with the HTTP server.
        let metrics_server = self.metrics_server.map(|server| {
            let handle = server.handle();
            (handle, tokio::spawn(server))
        });
        let result = match self.ws_server {
            Some(ws_server) => {
                let ws_handle = ws_server.handle();
                let ws_task = tokio::spawn(ws_server);
                let result = self.server.await;
                // The feed stops with the HTTP server (a signal stops both anyway).
                ws_handle.stop(true).await;
                if let Ok(Err(e)) = ws_task.await {
                    log::warn!("the WebSocket listener stopped with an error: {e}");
                }
                result
            }
            None => self.server.await,
        };
        if let Some((handle, task)) = metrics_server {
            handle.stop(true).await;
            if let Ok(Err(e)) = task.await {
                log::warn!("the metrics listener stopped with an error: {e}");
            }
        }
        // The paper market's ticker and matcher: every matcher pass saves in one transaction,
        // so stopping between (or inside) passes loses nothing committed.
        for task in &self.paper_tasks {
            task.abort();
        }
        self.traffic_writer.shutdown().await;
        if let Err(e) = self.state.usage.flush(&self.background_db).await {
            log::warn!("could not write last-used data at shutdown: {e}");
        }
        result
    }
}

/// The simulated market and the paper broker over the database's ledgers.
async fn build_paper(
    db: &DatabaseConnection,
) -> anyhow::Result<(
    Arc<keygate_broker::Market>,
    Arc<keygate_broker::PaperBroker>,
)> {
    let today_ist = (chrono::Utc::now() + chrono::Duration::minutes(330)).date_naive();
    let master = keygate_broker::InstrumentMaster::builtin(today_ist)?;
    let market = Arc::new(keygate_broker::Market::new(Arc::new(master), 1024));
    let store = Arc::new(keygate_core::paper::SqlLedgerStore::new(db.clone()));
    let paper = keygate_broker::PaperBroker::new(
        market.clone(),
        store,
        keygate_broker::paper::PaperConfig::default(),
    )
    .await
    .map_err(|e| anyhow::anyhow!("could not start the paper broker: {e}"))?;
    Ok((market, Arc::new(paper)))
}

fn build_state(
    settings: Settings,
    db: DatabaseConnection,
    traffic: Arc<traffic::TrafficSink>,
    market: Arc<keygate_broker::Market>,
    broker: Arc<dyn keygate_broker::Broker>,
    shared_limits: Option<Arc<SharedLimits>>,
) -> anyhow::Result<AppState> {
    let crypto = Arc::new(KeyCrypto::new(&settings.secrets)?);
    let usage = Arc::new(UsageRecorder::default());
    let verifier = Arc::new(KeyVerifier::new(db.clone(), crypto.clone(), usage.clone()));
    let brokers = Arc::new(BrokerStore::new(db.clone(), crypto.clone()));
    let registry = Arc::new(Brokers::new(
        db.clone(),
        crypto.clone(),
        broker.clone(),
        BROKER_RECHECK,
    ));
    let keys = Arc::new(KeyStore::new(
        db.clone(),
        crypto,
        verifier.clone(),
        settings.max_keys_per_user,
    ));
    let rules = ApprovalRules {
        pending_ttl: Duration::from_secs(settings.action_center.pending_ttl_secs),
        max_move_pct: settings.action_center.max_move_pct,
    };
    let trading =
        Arc::new(Trading::new(db.clone(), broker.clone(), rules).with_brokers(registry.clone()));
    Ok(AppState {
        market,
        broker,
        connections: registry,
        trading,
        ws_connections: ws::limits::WsConnections::new(&settings.ws),
        login_limiter: LoginLimiter::new(&settings.rate_limits.login, shared_limits.as_ref()),
        rate_limits: RateLimits::new(&settings.rate_limits, shared_limits.as_ref()),
        ip_limits: Arc::new(IpLimits::new(
            &settings.rate_limits,
            &settings.trusted_proxies,
            shared_limits.as_ref(),
        )),
        shared_limits,
        traffic,
        security: Arc::new(SecurityMonitor::new(db.clone(), settings.bans.clone())),
        settings: Arc::new(settings),
        db,
        keys,
        brokers,
        verifier,
        usage,
    })
}

async fn spawn_background_tasks(state: &web::Data<AppState>) -> anyhow::Result<()> {
    let follower = ChangeFollower::start(state.db.clone(), state.verifier.clone()).await?;
    tokio::spawn(follower.run(Duration::from_millis(state.settings.key_poll_ms)));

    let flush_state = state.clone();
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(Duration::from_secs(2));
        loop {
            ticker.tick().await;
            if let Err(e) = flush_state.usage.flush(&flush_state.db).await {
                log::warn!("could not write last-used data: {e}");
            }
        }
    });

    let bans = state.clone();
    bans.security.refresh().await?;
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(Duration::from_secs(1));
        loop {
            ticker.tick().await;
            if let Err(e) = bans.security.refresh().await {
                log::warn!("could not read the ban list: {e}");
            }
        }
    });

    let daily = state.clone();
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(Duration::from_secs(86_400));
        loop {
            ticker.tick().await;
            let days = daily.settings.traffic.retention_days;
            match traffic::purge_older_than(&daily.db, days).await {
                Ok(0) => {}
                Ok(n) => log::info!("purged {n} traffic rows older than {days} days"),
                Err(e) => log::warn!("could not purge old traffic rows: {e}"),
            }
        }
    });

    let hourly = state.clone();
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(Duration::from_secs(3600));
        loop {
            ticker.tick().await;
            hourly.login_limiter.shrink();
            hourly.rate_limits.shrink();
            hourly.ip_limits.shrink();
            match hourly.security.purge_expired().await {
                Ok(0) => {}
                Ok(n) => log::info!("purged {n} ended IP bans"),
                Err(e) => log::warn!("could not purge ended IP bans: {e}"),
            }
            if let Err(e) = sessions::purge_expired(&hourly.db).await {
                log::warn!("could not purge expired sessions: {e}");
            }
            if let Err(e) = changes::purge_old(&hourly.db).await {
                log::warn!("could not purge old key changes: {e}");
            }
        }
    });
    Ok(())
}

fn session_key(settings: &Settings) -> Key {
    // `Key` wants 64 bytes; SHA-512 stretches any 32+ character secret to exactly that.
    let digest = Sha512::digest(settings.secrets.session_secret.expose_secret().as_bytes());
    Key::from(&digest)
}

fn cors(settings: &Settings) -> Cors {
    settings
        .cors_origins
        .iter()
        .fold(Cors::default(), |cors, origin| cors.allowed_origin(origin))
        .allowed_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allowed_headers([
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::HeaderName::from_static("x-csrf-token"),
            crate::auth::api_key::API_KEY_HEADER,
        ])
        .supports_credentials()
        .max_age(3600)
}

fn serve(
    state: web::Data<AppState>,
    listener: TcpListener,
    public_metrics: Option<Arc<Metrics>>,
) -> anyhow::Result<Server> {
    let settings = state.settings.clone();
    let key = session_key(&settings);
    let store = DbSessionStore::new(state.db.clone());
    let feed_origin = settings.ws.public_url.as_ref().map(|url| url.origin());
    let security_headers =
        SecurityHeaders::new(&settings.static_dir, settings.cookie_secure, feed_origin);
    let ip_limits = state.ip_limits.clone();
    let trusted_proxies = TrustedProxies(settings.trusted_proxies.as_slice().into());
    let api_doc = routes::api_doc::ServedApiDoc::default();
    let server = HttpServer::new(move || {
        let session = SessionMiddleware::builder(store.clone(), key.clone())
            .cookie_name(SESSION_COOKIE.to_owned())
            .cookie_secure(settings.cookie_secure)
            .cookie_http_only(true)
            .cookie_same_site(SameSite::Strict)
            .cookie_content_security(CookieContentSecurity::Private)
            .session_lifecycle(
                PersistentSession::default()
                    .session_ttl(actix_web::cookie::time::Duration::hours(SESSION_HOURS)),
            )
            .build();
        let static_dir = settings.static_dir.clone();
        App::new()
            .app_data(state.clone())
            .app_data(trusted_proxies.clone())
            .app_data(errors_config::json_config(settings.max_body_bytes))
            .app_data(web::PayloadConfig::new(settings.max_body_bytes))
            .app_data(errors_config::path_config())
            .app_data(errors_config::query_config())
            // The traffic layer is given what it needs here, not through the app data.
            .wrap(traffic_log::TrafficLayer::new(state.clone(), security_headers).into_middleware())
            .wrap(middleware::Condition::new(
                // The access log costs an allocation or two per request even when info logging
                // is off; the traffic log records every request anyway.
                log::log_enabled!(log::Level::Info),
                // `%r` would log ChartInk webhook tokens, which travel in the path.
                middleware::Logger::new("%a \"%{request}xi\" %s %b %Dms")
                    .custom_request_replace("request", |req| {
                        format!(
                            "{} {} {:?}",
                            req.method(),
                            route_class::redact_path(req.path()),
                            req.version()
                        )
                    })
                    .exclude(route_class::HEALTH),
            ))
            // The trading API first: the router tries services in order, and these are its
            // busiest paths.
            .configure(routes::v1::configure)
            .configure(routes::health::configure)
            .configure(ws::configure)
            .configure(|cfg| routes::api_doc::configure(cfg, &api_doc))
            .service(
                // Layers run outside in: CORS (preflights cost no budget), the per-IP limits
                // (actix-governor, then Redis when shared; a refusal costs no session lookup),
                // then the session.
                limit_per_ip!(
                    web::scope(route_class::API)
                        .wrap(session)
                        .configure(routes::setup::configure)
                        .configure(|cfg| routes::account::configure(cfg, &ip_limits.login))
                        .configure(routes::users::configure)
                        .configure(routes::keys::configure)
                        .configure(routes::brokers::configure)
                        .configure(routes::action_center::configure)
                        .configure(|cfg| routes::webhooks::configure(cfg, &ip_limits.webhook))
                        .configure(routes::traffic::configure)
                        .configure(routes::security::configure)
                        .configure(routes::collections::configure)
                        .default_service(web::to(|| async {
                            HttpResponse::NotFound().json(ErrorBody::new("Not found"))
                        })),
                    ip_limits.default
                )
                .wrap(cors(&settings)),
            )
            .configure(|cfg| {
                if let Some(metrics) = public_metrics.clone() {
                    metrics::serve::configure(cfg, metrics);
                }
            })
            .configure(|cfg| routes::spa::configure(cfg, &static_dir))
    })
    .listen(listener)?
    .shutdown_timeout(10)
    .run();
    Ok(server)
}
