//! OpenAlgo wire compatibility for `/api/v1` (`shared/openalgo-api.md`): request validation with
//! marshmallow's semantics ([`schema`], [`requests`]), the contract's response shapes ([`views`]),
//! and the envelopes below.
//!
//! Validation errors (keygate's deliberate difference from upstream): the `message` is always a
//! readable string (`"quantity: Missing data for required field."`) and `errors` carries
//! `{field: [messages]}` (nested list items as dotted paths, `symbols.0.exchange`), for every
//! endpoint; upstream answers some endpoints with a Python-repr string instead. `mode` appears
//! exactly where the contract puts it: `"analyze"` on answers served from the analyzer's ledger.

pub mod answers;
pub mod describe;
pub mod field_doc;
pub mod requests;
pub mod schema;
pub mod trade;
pub mod views;

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use keygate_broker::{BrokerError, ErrorKind, Ledger};
use serde_json::{json, Map, Value};

use crate::error::ApiError;
use schema::Invalid;

/// `{"status":"success", ...fields}` plus `"mode":"analyze"` when served from the sandbox.
pub fn success(ledger: Ledger, fields: Value) -> Value {
    let mut body = match fields {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    body.insert("status".into(), json!("success"));
    if ledger == Ledger::Analyze {
        body.insert("mode".into(), json!("analyze"));
    }
    Value::Object(body)
}

/// 200 with a JSON body.
pub fn ok(body: impl serde::Serialize) -> HttpResponse {
    crate::json::respond(StatusCode::OK, body)
}

/// An error answer: `{"status":"error","message":...}` plus `extra`, plus `"mode":"analyze"`
/// when `mode` says so.
pub fn error(
    status: StatusCode,
    message: impl Into<String>,
    analyze: bool,
    extra: Map<String, Value>,
) -> ApiError {
    let mut body = extra;
    body.insert("status".into(), json!("error"));
    body.insert("message".into(), json!(message.into()));
    if analyze {
        body.insert("mode".into(), json!("analyze"));
    }
    ApiError::Reply {
        status,
        body: Value::Object(body),
    }
}

/// A 400 for a body that failed validation; `analyze` adds `"mode":"analyze"` (the endpoints
/// where the contract's sandbox does so).
pub fn invalid(inv: Invalid, analyze: bool) -> ApiError {
    let errors: Map<String, Value> = inv.flat().into_iter().map(|(k, v)| (k, json!(v))).collect();
    let mut extra = Map::new();
    extra.insert("errors".into(), Value::Object(errors));
    error(StatusCode::BAD_REQUEST, inv.message(), analyze, extra)
}

/// A broker failure: rule violations and unknown symbols 400, reduce-only refusals (an
/// `exit_only` key's) 403, unknown orders 404, stored rejections 400 with their `orderid`,
/// storage failures 500 (cause logged, not shown).
pub fn broker_error(e: BrokerError, ledger: Ledger) -> ApiError {
    let analyze = ledger == Ledger::Analyze;
    let mut extra = Map::new();
    let status = match e.kind() {
        ErrorKind::BadRequest => StatusCode::BAD_REQUEST,
        ErrorKind::Forbidden => {
            if let BrokerError::ReduceOnly(figures) = &e {
                // Only an exit_only key's orders are placed reduce-only: say so in its words.
                return error(
                    StatusCode::FORBIDDEN,
                    format!(
                        "This API key is exit_only: it may only reduce an existing position, never open, add to or reverse one ({figures})"
                    ),
                    analyze,
                    extra,
                );
            }
            StatusCode::FORBIDDEN
        }
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::Rejected => {
            if let BrokerError::Rejected { orderid, .. } = &e {
                extra.insert("orderid".into(), json!(orderid));
            }
            StatusCode::BAD_REQUEST
        }
        ErrorKind::Internal => {
            log::error!("broker failure: {e}");
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "An unexpected error occurred",
                analyze,
                Map::new(),
            );
        }
    };
    error(status, e.to_string(), analyze, extra)
}

/// Market data failures (§5.15): unknown symbols 400 with the broker's text, anything else 500
/// with `fallback` (`"Failed to fetch quotes"`).
pub fn data_error(e: BrokerError, fallback: &str) -> ApiError {
    match e.kind() {
        ErrorKind::Internal => {
            log::error!("market data failure: {e}");
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                fallback,
                false,
                Map::new(),
            )
        }
        ErrorKind::NotFound => error(StatusCode::NOT_FOUND, e.to_string(), false, Map::new()),
        _ => error(StatusCode::BAD_REQUEST, e.to_string(), false, Map::new()),
    }
}
