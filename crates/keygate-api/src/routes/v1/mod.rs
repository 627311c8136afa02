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
/// Mounted first at the app level, ahead of the session-authenticated `/api` scope, so the hot path
/// carries no session or CORS middleware. Each path is two static resources (with and without the
/// trailing slash): a resource with two patterns would be matched by a regex set on every call.
pub fn configure(cfg: &mut web::ServiceConfig) {
    let scope = web::scope("/api/v1").default_service(web::to(not_found));
    let scope = post(scope, "ping", ping::ping);
    let scope = post(scope, "placeorder", orders::place_order);
    let scope = post(scope, "placesmartorder", orders::place_smart_order);
    let scope = post(scope, "modifyorder", orders::modify_order);
    let scope = post(scope, "cancelorder", orders::cancel_order);
    let scope = post(scope, "cancelallorder", orders::cancel_all_orders);
    let scope = post(scope, "closeposition", orders::close_position);
    let scope = post(scope, "orderstatus", account::order_status);
    let scope = post(scope, "openposition", account::open_position);
    let scope = post(scope, "orderbook", account::order_book);
    let scope = post(scope, "tradebook", account::trade_book);
    let scope = post(scope, "positionbook", account::position_book);
    let scope = post(scope, "holdings", account::holdings);
    let scope = post(scope, "funds", account::funds);
    let scope = post(scope, "quotes", data::quotes);
    let scope = post(scope, "multiquotes", data::multi_quotes);
    let scope = post(scope, "depth", data::depth);
    let scope = post(scope, "analyzer", analyzer::analyzer_status);
    let scope = post(scope, "analyzer/toggle", analyzer::toggle_analyzer);
    cfg.service(scope);
}

/// Adds `POST /{name}` and `POST /{name}/` to `scope`.
fn post<F, Args>(scope: actix_web::Scope, name: &str, handler: F) -> actix_web::Scope
where
    F: actix_web::Handler<Args> + Clone,
    Args: actix_web::FromRequest + 'static,
    F::Output: actix_web::Responder + 'static,
{
    scope
        .service(web::resource(format!("/{name}")).route(web::post().to(handler.clone())))
        .service(web::resource(format!("/{name}/")).route(web::post().to(handler)))
}

async fn not_found() -> actix_web::HttpResponse {
    actix_web::HttpResponse::NotFound().json(keygate_types::ErrorBody::new("Not found"))
}
