//! The OpenAPI document, generated from the handlers' `#[utoipa::path]` attributes. A committed
//! copy lives in `openapi/openapi.json`; a test fails when it drifts from this.

use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{Modify, OpenApi};

use crate::routes;

/// keygate's API description.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "keygate",
        description = "Self-hosted API-key gateway for algorithmic trading. `/api/v1` is wire-compatible with OpenAlgo's REST API and takes an API key (JSON body field `apikey` or header `X-API-KEY`). The management routes under `/api` take a browser session cookie and, for changes, the `X-CSRF-Token` header.",
        license(name = "AGPL-3.0-or-later")
    ),
    paths(
        routes::health::get_health,
        routes::setup::get_setup,
        routes::setup::create_setup,
        routes::account::login,
        routes::account::get_session,
        routes::account::logout,
        routes::account::change_password,
        routes::users::list_users,
        routes::users::create_user,
        routes::keys::list_api_keys,
        routes::keys::create_api_key,
        routes::keys::get_api_key,
        routes::keys::update_api_key,
        routes::keys::set_api_key_mode,
        routes::keys::roll_api_key,
        routes::keys::reveal_api_key,
        routes::keys::revoke_api_key,
        routes::keys::list_key_events,
        routes::keys::get_keys_usage,
        routes::brokers::list_broker_connections,
        routes::brokers::create_broker_connection,
        routes::brokers::relabel_broker_connection,
        routes::brokers::delete_broker_connection,
        routes::brokers::check_broker_connection,
        routes::action_center::list_pending_orders,
        routes::action_center::approve_pending_order,
        routes::action_center::reject_pending_order,
        routes::webhooks::alerts::tradingview_webhook,
        routes::webhooks::chartink::chartink_webhook,
        routes::webhooks::tokens::list_chartink_tokens,
        routes::webhooks::tokens::create_chartink_token,
        routes::webhooks::tokens::revoke_chartink_token,
        routes::v1::ping::ping,
        routes::v1::orders::place_order,
        routes::v1::orders::place_smart_order,
        routes::v1::orders::modify_order,
        routes::v1::orders::cancel_order,
        routes::v1::orders::cancel_all_orders,
        routes::v1::orders::close_position,
        routes::v1::account::order_status,
        routes::v1::account::open_position,
        routes::v1::account::order_book,
        routes::v1::account::trade_book,
        routes::v1::account::position_book,
        routes::v1::account::holdings,
        routes::v1::account::funds,
        routes::v1::data::quotes,
        routes::v1::data::multi_quotes,
        routes::v1::data::depth,
        routes::v1::analyzer::analyzer_status,
        routes::v1::analyzer::toggle_analyzer,
        routes::traffic::list_traffic,
        routes::traffic::get_traffic_stats,
        routes::traffic::export_traffic,
        routes::security::list_bans,
        routes::security::create_ban,
        routes::security::lift_ban,
        routes::collections::list_collection_downloads,
        routes::collections::download_collection,
    ),
    tags(
        (name = "orders", description = "OpenAlgo v1: placing, changing and cancelling orders (API key)"),
        (name = "data", description = "OpenAlgo v1: quotes and market depth (API key)"),
        (name = "utilities", description = "OpenAlgo v1: ping and the analyzer (API key)"),
        (name = "keys", description = "Managing your API keys (session)"),
        (name = "brokers", description = "Your broker connections: exchange credentials checked, sealed and shown only masked (session)"),
        (name = "action-center", description = "Approving or rejecting the orders of semi-auto keys (session)"),
        (name = "webhooks", description = "TradingView and ChartInk alerts, and ChartInk webhook tokens"),
        (name = "account", description = "OpenAlgo v1 account views: order status, books, holdings, funds (API key); and setup, sign-in and accounts (session)"),
        (name = "system", description = "Health"),
        (name = "traffic", description = "The traffic log and its stats (session)"),
        (name = "security", description = "IP bans for repeated invalid keys (admins)"),
        (name = "playground", description = "Bruno and Postman collections of /api/v1 to download, optionally with one of your keys filled in (session)"),
    ),
    modifiers(&SecuritySchemes, &CommonResponses)
)]
pub struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key_header",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-API-KEY",
                "Your 64-character keygate API key",
            ))),
        );
    }
}

/// The answers any operation may give before its handler runs (the traffic middleware's limits,
/// the body reader, the path check), added where a handler does not document its own.
struct CommonResponses;

/// (status, description, only for operations with a body, only for `/api/v1`)
const COMMON_RESPONSES: &[(&str, &str, bool, bool)] = &[
    ("400", "Malformed request: a non-canonical path, a key in the query string, or an unreadable body", false, false),
    ("401", "`Authorization: Bearer` is not supported: the key goes in the body field `apikey` or the X-API-KEY header", false, true),
    ("413", "Request body is too large", true, false),
    ("415", "A compressed request body (`Content-Encoding`) is refused", false, false),
    ("429", "Too many requests, per key or per client IP; `Retry-After` says when to try again", false, false),
];

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            let v1 = path.starts_with("/api/v1/");
            for op in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                let has_body = op.request_body.is_some();
                for (status, description, body_only, v1_only) in COMMON_RESPONSES {
                    if (*body_only && !has_body) || (*v1_only && !v1) {
                        continue;
                    }
                    op.responses
                        .responses
                        .entry((*status).to_owned())
                        .or_insert_with(|| RefOr::T(error_response(description)));
                }
            }
        }
    }
}

fn error_response(description: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build(),
        )
        .build()
}

/// The document as pretty JSON with a trailing newline (the committed form).
pub fn openapi_json() -> String {
    let mut json = ApiDoc::openapi()
        .to_pretty_json()
        .expect("the OpenAPI document serialises");
    json.push('\n');
    json
}
