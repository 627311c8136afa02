//! The OpenAlgo-compatible trading and data API, `/api/v1`, authorised by API keys only. Every
//! path answers with and without a trailing slash, and never redirects.

pub mod ping;

use actix_web::web;

/// Wires `/api/v1/*`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/v1").service(
            web::resource(["/ping", "/ping/"]).route(web::post().to(ping::ping)),
        ),
    );
}
