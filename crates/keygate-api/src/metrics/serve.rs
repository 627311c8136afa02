//! `GET /metrics`: on a listener of its own (`KEYGATE_METRICS_BIND`, default `127.0.0.1:9100`)
//! and, with `KEYGATE_METRICS_PUBLIC=true`, on the main HTTP port too. The handler gets the app's
//! [`Metrics`] when the route is wired, not from the app data, so it cannot miss them.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::middleware;
use actix_web::{web, App, HttpResponse, HttpServer};
use keygate_types::ErrorBody;

use super::Metrics;
use crate::errors_config;
use crate::state::AppState;

/// Where the metrics are served.
pub const PATH: &str = "/metrics";
/// The exposition format's content type.
const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Wires `GET /metrics` answering from `metrics`.
pub fn configure(cfg: &mut web::ServiceConfig, metrics: Arc<Metrics>) {
    cfg.service(
        web::resource(PATH).route(web::get().to(move |state: web::Data<AppState>| {
            let metrics = metrics.clone();
            async move {
                HttpResponse::Ok()
                    .content_type(CONTENT_TYPE)
                    .body(metrics.render(&state).await)
            }
        })),
    );
}

/// Starts the metrics listener's server on `listener`: `/metrics`, and 404 for everything else.
/// One worker: a scrape every few seconds needs no more.
pub fn serve(
    state: web::Data<AppState>,
    metrics: Arc<Metrics>,
    listener: TcpListener,
) -> anyhow::Result<Server> {
    let server = HttpServer::new(move || {
        let metrics = metrics.clone();
        App::new()
            .app_data(state.clone())
            .wrap(middleware::from_fn(errors_config::side_listener_answer))
            .configure(|cfg| configure(cfg, metrics))
            .default_service(web::to(|| async {
                HttpResponse::NotFound().json(ErrorBody::new("Not found"))
            }))
    })
    .workers(1)
    .listen(listener)?
    .shutdown_timeout(1)
    .run();
    Ok(server)
}
