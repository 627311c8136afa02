//! The market-data WebSocket feed, wire-compatible with OpenAlgo's `websocket_proxy` (contract §9),
//! so the `openalgo` SDK's `connect()`/`subscribe_*` and Bruno work unchanged.
//!
//! It is served twice over the same code: on its own listener `KEYGATE_WS_BIND` (default
//! `127.0.0.1:8765`, where the SDK looks; any path upgrades) and at `/ws` on the HTTP port (what a
//! reverse proxy exposes as `wss://host/ws`).
//!
//! - [`protocol`]: parsing client frames, modes, error frames.
//! - [`handlers`]: what each request does and answers.
//! - [`session`]: the per-connection loop (auth grace, heartbeats, key re-checks, ticks) and the
//!   writer behind the send queue.
//! - [`connection`]: a connection's state (send queue, key, tick stream), which the loop and the
//!   handlers both use.
//! - [`subscriptions`]: a connection's (symbol, exchange, mode) set and its market watches.
//! - [`frames`]: `market_data` frames per mode.
//! - [`limits`]: open connections per address and per key.

mod connection;
mod frames;
mod handlers;
pub mod limits;
pub mod protocol;
mod session;
mod subscriptions;

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::middleware;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use keygate_types::ErrorBody;

use crate::client_ip::ClientIp;
use crate::errors_config;
use crate::route_class::WEBSOCKET;
use crate::state::AppState;

/// Largest client message accepted (a subscribe with a long `symbols` list fits easily).
const MAX_MESSAGE_BYTES: usize = 256 * 1024;

/// Upgrades the request to a WebSocket and runs the connection.
pub async fn upgrade(
    req: HttpRequest,
    body: web::Payload,
    state: web::Data<AppState>,
) -> actix_web::Result<HttpResponse> {
    let ip = ClientIp::of(&req, &state.settings.trusted_proxies).0;
    if state.security.is_banned(ip) {
        return Ok(HttpResponse::Forbidden().json(ErrorBody::new(
            "Too many invalid API keys from this address",
        )));
    }
    let Some(slot) = state.ws_connections.claim_ip(ip) else {
        return Ok(HttpResponse::TooManyRequests().json(ErrorBody::new(format!(
            "Too many WebSocket connections from this address (at most {})",
            state.ws_connections.max_per_ip()
        ))));
    };
    let (response, session, stream) = actix_ws::handle(&req, body)?;
    let stream = stream
        .max_frame_size(MAX_MESSAGE_BYTES)
        .aggregate_continuations()
        .max_continuation_size(MAX_MESSAGE_BYTES);
    actix_web::rt::spawn(session::run(state, slot, ip, session, stream));
    Ok(response)
}

/// Wires `GET /ws` on the HTTP server.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource([WEBSOCKET.to_owned(), format!("{WEBSOCKET}/")])
            .route(web::get().to(upgrade)),
    );
}

/// Starts the feed's own server on `listener`: every path upgrades.
pub fn serve(state: web::Data<AppState>, listener: TcpListener) -> anyhow::Result<Server> {
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .wrap(middleware::from_fn(errors_config::side_listener_answer))
            .default_service(web::to(upgrade))
    })
    .listen(listener)?
    // Open feeds do not hold a shutdown up: the clients reconnect.
    .shutdown_timeout(1)
    .run();
    Ok(server)
}
