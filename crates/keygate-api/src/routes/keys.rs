//! The owner's API keys: create, list, reveal, roll, revoke, update, order mode, audit trail, and
//! the last 24 hours' usage of every key (from the traffic rollups).
//! Session-authenticated, with CSRF on every change; an API key never authorises these routes.

use actix_web::http::header::{CacheControl, CacheDirective};
use actix_web::{web, HttpResponse};
use chrono::Utc;
use keygate_core::keys::Actor;
use keygate_core::traffic::key_usage;
use keygate_types::keys::{
    ApiKeyCreated, ApiKeySummary, CreateApiKey, KeyEvent, KeysUsage, RevealedApiKey, RollApiKey,
    SetOrderMode, UpdateApiKey,
};
use keygate_types::ErrorBody;
use serde::Deserialize;

use crate::auth::SessionUser;
use crate::client_ip::ClientIp;
use crate::error::ApiError;
use crate::state::AppState;

/// The owner acting over HTTP, for the audit trails.
pub(crate) fn actor(user: &SessionUser, ip: ClientIp) -> Actor {
    Actor {
        user_id: user.user.id,
        name: user.user.username.clone(),
        ip: Some(ip.0.to_string()),
    }
}

/// Answers that carry a plaintext key must never be cached.
fn no_store() -> CacheControl {
    CacheControl(vec![CacheDirective::NoStore])
}

/// The signed-in user's keys (never the plaintext).
#[utoipa::path(
    get,
    path = "/api/keys",
    tag = "keys",
    responses(
        (status = 200, description = "the user's keys", body = [ApiKeySummary]),
        (status = 401, description = "not signed in", body = ErrorBody),
    )
)]
pub async fn list_api_keys(
    state: web::Data<AppState>,
    user: SessionUser,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(state.keys.list(user.user.id).await?))
}

/// Issues a key, bound to the broker connection `broker_connection_id` (absent or `null`: the
/// paper account). The answer shows the full key this once.
#[utoipa::path(
    post,
    path = "/api/keys",
    tag = "keys",
    request_body = CreateApiKey,
    params(("X-CSRF-Token" = String, Header, description = "the session's CSRF token")),
    responses(
        (status = 201, description = "the key, with its plaintext shown once", body = ApiKeyCreated),
        (status = 400, description = "invalid name, scopes, allowlist or expiry, or a duplicate name", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "missing or wrong CSRF token", body = ErrorBody),
        (status = 404, description = "`broker_connection_id` is not one of the user's broker connections", body = ErrorBody),
        (status = 409, description = "the per-user key limit is reached", body = ErrorBody),
        (status = 422, description = "the broker connection is `invalid`; the message gives the exchange's reason", body = ErrorBody),
    )
)]
pub async fn create_api_key(
    state: web::Data<AppState>,
    user: SessionUser,
    ip: ClientIp,
    body: web::Json<CreateApiKey>,
) -> Result<HttpResponse, ApiError> {
    let (plain, key) = state
        .keys
        .create(&actor(&user, ip), body.into_inner())
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(no_store())
        .json(ApiKeyCreated {
            api_key: plain.expose().to_owned(),
            key,
        }))
}

/// One of the user's keys.
#[utoipa::path(
    get,
    path = "/api/keys/{id}",
    tag = "keys",
    params(("id" = i64, Path, description = "key id")),
    responses(
        (status = 200, description = "the key", body = ApiKeySummary),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 404, description = "no such key of this user", body = ErrorBody),
    )
)]
pub async fn get_api_key(
    state: web::Data<AppState>,
    user: SessionUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(state.keys.get(user.user.id, *id).await?))
}

/// Changes a key's name, scopes, order mode, allowlist, expiry or broker binding
/// (`broker_connection_id`: an id binds, `null` binds back to the paper account, absent leaves
/// it). A binding takes effect on the key's next call, in every server process.
#[utoipa::path(
    patch,
    path = "/api/keys/{id}",
    tag = "keys",
    request_body = UpdateApiKey,
    params(
        ("id" = i64, Path, description = "key id"),
        ("X-CSRF-Token" = String, Header, description = "the session's CSRF token"),
    ),
    responses(
        (status = 200, description = "the changed key", body = ApiKeySummary),
        (status = 400, description = "invalid input", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "missing or wrong CSRF token", body = ErrorBody),
        (status = 404, description = "no such key of this user, or `broker_connection_id` is not one of the user's broker connections", body = ErrorBody),
        (status = 422, description = "the broker connection is `invalid`; the message gives the exchange's reason", body = ErrorBody),
    )
)]
pub async fn update_api_key(
    state: web::Data<AppState>,
    user: SessionUser,
    ip: ClientIp,
    id: web::Path<i64>,
    body: web::Json<UpdateApiKey>,
) -> Result<HttpResponse, ApiError> {
    let key = state
        .keys
        .update(&actor(&user, ip), *id, body.into_inner())
        .await?;
    Ok(HttpResponse::Ok().json(key))
}

/// Switches a key between `auto` and `semi_auto`. Requests in flight keep their mode.
#[utoipa::path(
    put,
    path = "/api/keys/{id}/mode",
    tag = "keys",
    request_body = SetOrderMode,
    params(
        ("id" = i64, Path, description = "key id"),
        ("X-CSRF-Token" = String, Header, description = "the session's CSRF token"),
    ),
    responses(
        (status = 200, description = "the changed key", body = ApiKeySummary),
        (status = 400, description = "invalid mode", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "missing or wrong CSRF token", body = ErrorBody),
        (status = 404, description = "no such key of this user", body = ErrorBody),
    )
)]
pub async fn set_api_key_mode(
    state: web::Data<AppState>,
    user: SessionUser,
    ip: ClientIp,
    id: web::Path<i64>,
    body: web::Json<SetOrderMode>,
) -> Result<HttpResponse, ApiError> {
    let key = state
        .keys
        .set_mode(&actor(&user, ip), *id, body.order_mode)
        .await?;
    Ok(HttpResponse::Ok().json(key))
}

/// Gives a key a new secret. The old one stops at once, or after `grace_seconds` (max 86400).
#[utoipa::path(
    post,
    path = "/api/keys/{id}/roll",
    tag = "keys",
    request_body = RollApiKey,
    params(
        ("id" = i64, Path, description = "key id"),
        ("X-CSRF-Token" = String, Header, description = "the session's CSRF token"),
    ),
    responses(
        (status = 200, description = "the new secret, shown once", body = ApiKeyCreated),
        (status = 400, description = "grace period out of range", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "missing or wrong CSRF token", body = ErrorBody),
        (status = 404, description = "no such key of this user", body = ErrorBody),
        (status = 409, description = "the key is revoked", body = ErrorBody),
    )
)]
pub async fn roll_api_key(
    state: web::Data<AppState>,
    user: SessionUser,
    ip: ClientIp,
    id: web::Path<i64>,
    body: web::Json<RollApiKey>,
) -> Result<HttpResponse, ApiError> {
    let (plain, key) = state
        .keys
        .roll(&actor(&user, ip), *id, body.grace_seconds)
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(no_store())
        .json(ApiKeyCreated {
            api_key: plain.expose().to_owned(),
            key,
        }))
}

/// Shows the full key (decrypted), e.g. for TradingView set-up. Audit-logged.
#[utoipa::path(
    post,
    path = "/api/keys/{id}/reveal",
    tag = "keys",
    params(
        ("id" = i64, Path, description = "key id"),
        ("X-CSRF-Token" = String, Header, description = "the session's CSRF token"),
    ),
    responses(
        (status = 200, description = "the full key", body = RevealedApiKey),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "missing or wrong CSRF token", body = ErrorBody),
        (status = 404, description = "no such key of this user", body = ErrorBody),
        (status = 409, description = "the key is revoked", body = ErrorBody),
    )
)]
pub async fn reveal_api_key(
    state: web::Data<AppState>,
    user: SessionUser,
    ip: ClientIp,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let plain = state.keys.reveal(&actor(&user, ip), *id).await?;
    Ok(HttpResponse::Ok()
        .insert_header(no_store())
        .json(RevealedApiKey {
            api_key: plain.expose().to_owned(),
        }))
}

/// Stops a key for good, in every keygate process within a second.
#[utoipa::path(
    post,
    path = "/api/keys/{id}/revoke",
    tag = "keys",
    params(
        ("id" = i64, Path, description = "key id"),
        ("X-CSRF-Token" = String, Header, description = "the session's CSRF token"),
    ),
    responses(
        (status = 200, description = "the revoked key", body = ApiKeySummary),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "missing or wrong CSRF token", body = ErrorBody),
        (status = 404, description = "no such key of this user", body = ErrorBody),
    )
)]
pub async fn revoke_api_key(
    state: web::Data<AppState>,
    user: SessionUser,
    ip: ClientIp,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(state.keys.revoke(&actor(&user, ip), *id).await?))
}

/// Filter for the audit trail.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct EventFilter {
    /// Only this key's events.
    pub key_id: Option<i64>,
}

/// The audit trail of the user's keys, newest first (at most 500).
#[utoipa::path(
    get,
    path = "/api/keys/events",
    tag = "keys",
    params(EventFilter),
    responses(
        (status = 200, description = "key events", body = [KeyEvent]),
        (status = 400, description = "invalid filter", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
    )
)]
pub async fn list_key_events(
    state: web::Data<AppState>,
    user: SessionUser,
    filter: web::Query<EventFilter>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(state.keys.events(user.user.id, filter.key_id).await?))
}

/// Every key of the signed-in user with its requests and errors (status 400 or more) per hour over
/// the last 24 hours, oldest hour first; keys without traffic get zeros. Read from the traffic
/// log's per-minute rollups, so it is as fresh as the traffic writer (within a second or so).
#[utoipa::path(
    get,
    path = "/api/keys/usage",
    tag = "keys",
    responses(
        (status = 200, description = "hourly usage per key", body = KeysUsage),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 429, description = "too many requests from this IP", body = ErrorBody),
    )
)]
pub async fn get_keys_usage(
    state: web::Data<AppState>,
    user: SessionUser,
) -> Result<HttpResponse, ApiError> {
    let usage = key_usage::hourly_usage(&state.db, user.user.id, Utc::now()).await?;
    Ok(HttpResponse::Ok().json(usage))
}

/// Wires `/api/keys/*`. One resource per path, so a wrong method gets 405, not 404.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/keys")
            .service(
                web::resource("")
                    .route(web::get().to(list_api_keys))
                    .route(web::post().to(create_api_key)),
            )
            .service(web::resource("/events").route(web::get().to(list_key_events)))
            .service(web::resource("/usage").route(web::get().to(get_keys_usage)))
            .service(
                web::resource("/{id}")
                    .route(web::get().to(get_api_key))
                    .route(web::patch().to(update_api_key)),
            )
            .service(web::resource("/{id}/mode").route(web::put().to(set_api_key_mode)))
            .service(web::resource("/{id}/roll").route(web::post().to(roll_api_key)))
            .service(web::resource("/{id}/reveal").route(web::post().to(reveal_api_key)))
            .service(web::resource("/{id}/revoke").route(web::post().to(revoke_api_key))),
    );
}
