//! `GET /health`: liveness and database reachability, without authentication.

use actix_web::{web, HttpResponse};
use keygate_types::system::Health;

use crate::state::AppState;

/// Reports whether keygate and its database answer.
#[utoipa::path(
    get,
    path = "/health",
    tag = "system",
    responses(
        (status = 200, description = "keygate and its database answer", body = Health),
        (status = 503, description = "the database does not answer", body = Health),
    )
)]
pub async fn get_health(state: web::Data<AppState>) -> HttpResponse {
    let database = keygate_core::db::is_reachable(&state.db).await;
    let body = Health {
        status: if database { "ok" } else { "degraded" }.to_owned(),
        database,
        version: env!("CARGO_PKG_VERSION").to_owned(),
    };
    if database {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

/// Wires `/health`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource(crate::route_class::HEALTH).route(web::get().to(get_health)));
}
