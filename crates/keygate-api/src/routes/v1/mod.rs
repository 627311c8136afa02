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

use std::sync::Arc;

use actix_web::web;
use keygate_broker::{Broker, Ledger};
use keygate_core::keys::Permission;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::auth::{ApiCall, ApiRequest};
use crate::error::ApiError;
use crate::rate_limit::RateCategory;
use crate::route_class::API_V1;
use crate::state::AppState;

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
/// The resources sit at the app level rather than in a `/api/v1` scope, which would add a boxed
/// service call (an allocation and a dynamic dispatch) to every call; the scope after them only
/// answers unknown `/api/v1` paths with the JSON 404. The figure: `docs/PERFORMANCE.md`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    post(cfg, "ping", ping::ping);
    post(cfg, "placeorder", orders::place_order);
    post(cfg, "placesmartorder", orders::place_smart_order);
    post(cfg, "modifyorder", orders::modify_order);
    post(cfg, "cancelorder", orders::cancel_order);
    post(cfg, "cancelallorder", orders::cancel_all_orders);
    post(cfg, "closeposition", orders::close_position);
    post(cfg, "orderstatus", account::order_status);
    post(cfg, "openposition", account::open_position);
    post(cfg, "orderbook", account::order_book);
    post(cfg, "tradebook", account::trade_book);
    post(cfg, "positionbook", account::position_book);
    post(cfg, "holdings", account::holdings);
    post(cfg, "funds", account::funds);
    post(cfg, "quotes", data::quotes);
    post(cfg, "multiquotes", data::multi_quotes);
    post(cfg, "depth", data::depth);
    post(cfg, "analyzer", analyzer::analyzer_status);
    post(cfg, "analyzer/toggle", analyzer::toggle_analyzer);
    cfg.service(web::scope(API_V1).default_service(web::to(not_found)));
}

/// Adds `POST /api/v1/{name}` and `POST /api/v1/{name}/`.
fn post<F, Args>(cfg: &mut web::ServiceConfig, name: &str, handler: F)
where
    F: actix_web::Handler<Args> + Clone,
    Args: actix_web::FromRequest + 'static,
    F::Output: actix_web::Responder + 'static,
{
    cfg.service(web::resource(format!("{API_V1}/{name}")).route(web::post().to(handler.clone())))
        .service(web::resource(format!("{API_V1}/{name}/")).route(web::post().to(handler)));
}

async fn not_found() -> actix_web::HttpResponse {
    crate::json::respond(
        actix_web::http::StatusCode::NOT_FOUND,
        keygate_types::ErrorBody::new("Not found"),
    )
}

/// The ledger a key's account and data calls read now, and the broker that holds it: the key's
/// broker connection, or paper (unbound keys and the analyzer's sandbox). A connection that is
/// gone or invalid refuses the call (403), never answered from paper in its place.
pub(crate) async fn account_of(
    state: &AppState,
    user_id: i64,
    connection: Option<i64>,
) -> Result<(Ledger, Arc<dyn Broker>), ApiError> {
    let ledger = state.trading.ledger_for(user_id).await?;
    let broker = state
        .trading
        .broker_for(connection, ledger)
        .await
        .map_err(|refusal| crate::openalgo::trade::refused(ledger, refusal))?;
    Ok((ledger, broker))
}
