//! The OpenAlgo-compatible trading and data API, `/api/v1`, authorised by API keys only. Every
//! path answers POST with and without a trailing slash, and never redirects.
//!
//! Each endpoint's body type is the raw JSON object (minus `apikey`), so validation can follow
//! marshmallow's rules and messages (`crate::openalgo`). The [`ApiCall`] extractor has already
//! verified the key, counted the call in its rate-limit category and checked the permission.

pub mod account;
pub mod analyzer;
pub mod data;
pub mod orders;
pub mod ping;

use actix_web::web;
use keygate_core::keys::Permission;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::auth::{ApiCall, ApiRequest};
use crate::rate_limit::RateCategory;

/// Declares an endpoint's body: the raw JSON object, with the permission and rate category the
/// route needs.
macro_rules! v1_body {
    ($(#[$m:meta])* $name:ident, $perm:expr, $cat:expr) => {
        $(#[$m])*
        #[derive(Debug, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub serde_json::Map<String, serde_json::Value>);

        impl $crate::auth::ApiRequest for $name {
            const PERMISSION: keygate_core::keys::Permission = $perm;
            const CATEGORY: $crate::rate_limit::RateCategory = $cat;
        }
    };
}
pub(crate) use v1_body;

/// A body read by an account or data route (read scope, data rate category).
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct ReadBody(pub Map<String, Value>);

impl ApiRequest for ReadBody {
    const PERMISSION: Permission = Permission::Read;
    const CATEGORY: RateCategory = RateCategory::Data;
}

/// A read call.
pub type ReadCall = ApiCall<ReadBody>;

/// Wires `/api/v1/*`.
///
/// Mounted at the app level, ahead of the session-authenticated `/api` scope, so the hot path
/// carries no session or CORS middleware.
pub fn configure(cfg: &mut web::ServiceConfig) {
    let routes: [(&str, actix_web::Route); 19] = [
        ("ping", web::post().to(ping::ping)),
        ("placeorder", web::post().to(orders::place_order)),
        ("placesmartorder", web::post().to(orders::place_smart_order)),
        ("modifyorder", web::post().to(orders::modify_order)),
        ("cancelorder", web::post().to(orders::cancel_order)),
        ("cancelallorder", web::post().to(orders::cancel_all_orders)),
        ("closeposition", web::post().to(orders::close_position)),
        ("orderstatus", web::post().to(account::order_status)),
        ("openposition", web::post().to(account::open_position)),
        ("orderbook", web::post().to(account::order_book)),
        ("tradebook", web::post().to(account::trade_book)),
        ("positionbook", web::post().to(account::position_book)),
        ("holdings", web::post().to(account::holdings)),
        ("funds", web::post().to(account::funds)),
        ("quotes", web::post().to(data::quotes)),
        ("multiquotes", web::post().to(data::multi_quotes)),
        ("depth", web::post().to(data::depth)),
        ("analyzer", web::post().to(analyzer::analyzer_status)),
        ("analyzer/toggle", web::post().to(analyzer::toggle_analyzer)),
    ];
    let mut scope = web::scope("/api/v1").default_service(web::to(not_found));
    for (name, route) in routes {
        scope =
            scope.service(web::resource([format!("/{name}"), format!("/{name}/")]).route(route));
    }
    cfg.service(scope);
}

async fn not_found() -> actix_web::HttpResponse {
    actix_web::HttpResponse::NotFound().json(keygate_types::ErrorBody::new("Not found"))
}
