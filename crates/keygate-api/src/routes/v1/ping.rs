//! `POST /api/v1/ping`: checks that a key works.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use serde::Serialize;

use crate::auth::ApiCall;
use crate::error::ApiError;
use crate::openalgo::{self, requests};
use keygate_types::ErrorBody;

/// Body of ping: nothing but the key (`apikey`, or the `X-API-KEY` header).
pub type PingRequest = super::ReadBody;

/// What ping answers inside `data`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PingData {
    /// Always `pong`.
    pub message: &'static str,
    /// The broker behind this keygate.
    pub broker: &'static str,
}

/// Ping's answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PingResponse {
    /// Always `success`.
    pub status: &'static str,
    /// The pong.
    pub data: PingData,
}

/// Answers `pong` when the key is valid.
#[utoipa::path(
    post,
    path = "/api/v1/ping",
    tag = "utilities",
    request_body(content = Option<crate::openalgo::describe::KeyOnlyBody>, description = "`{\"apikey\": \"<64 hex>\"}`, or an empty body with the X-API-KEY header",
        example = json!({"apikey": crate::openalgo::describe::EXAMPLE_KEY})),
    security(("api_key_header" = []), ()),
    responses(
        (status = 200, description = "the key works", body = PingResponse,
            example = json!({"status": "success", "data": {"message": "pong", "broker": "paper"}})),
        (status = 400, description = "malformed body or unknown fields", body = ErrorBody),
        (status = 401, description = "`Authorization: Bearer` is not supported", body = ErrorBody),
        (status = 403, description = "invalid, revoked or expired key, or IP not allowed", body = ErrorBody,
            example = json!({"status": "error", "message": "Invalid openalgo apikey"})),
    )
)]
pub async fn ping(call: ApiCall<PingRequest>) -> Result<HttpResponse, ApiError> {
    requests::empty(call.body.0).map_err(|i| openalgo::invalid(i, false))?;
    Ok(crate::json::respond(
        StatusCode::OK,
        PingResponse {
            status: "success",
            data: PingData {
                message: "pong",
                broker: "paper",
            },
        },
    ))
}
