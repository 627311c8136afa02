//! The owner's ChartInk webhook tokens: list, create or rotate (the token is shown once), revoke.
//! Session-authenticated, CSRF on every change.

use actix_web::http::header::{CacheControl, CacheDirective};
use actix_web::{web, HttpResponse};
use keygate_core::action_center::webhook_tokens;
use keygate_types::action_center::{ChartinkSettings, ChartinkToken, ChartinkTokenCreated};
use keygate_types::ErrorBody;

use crate::auth::SessionUser;
use crate::error::ApiError;
use crate::route_class::{API, CHARTINK_WEBHOOK, WEBHOOKS};
use crate::state::AppState;

/// The user's ChartInk webhook tokens (never the tokens themselves).
#[utoipa::path(
    get,
    path = "/api/chartink/tokens",
    tag = "webhooks",
    responses(
        (status = 200, description = "the tokens' settings", body = [ChartinkToken]),
        (status = 401, description = "not signed in", body = ErrorBody),
    )
)]
pub async fn list_chartink_tokens(
    state: web::Data<AppState>,
    user: SessionUser,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(webhook_tokens::list(&state.db, user.user.id).await?))
}

/// Creates the key's ChartInk webhook token, or rotates it with new settings (the old token stops
/// at once). The answer shows the token this once; keygate keeps only its digest.
#[utoipa::path(
    post,
    path = "/api/chartink/tokens",
    tag = "webhooks",
    request_body = ChartinkSettings,
    params(("X-CSRF-Token" = String, Header, description = "the session's CSRF token")),
    responses(
        (status = 201, description = "the token, shown once, and its webhook path", body = ChartinkTokenCreated),
        (status = 400, description = "invalid settings", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "missing or wrong CSRF token", body = ErrorBody),
        (status = 404, description = "no such key of this user", body = ErrorBody),
        (status = 409, description = "the key is revoked", body = ErrorBody),
    )
)]
pub async fn create_chartink_token(
    state: web::Data<AppState>,
    user: SessionUser,
    body: web::Json<ChartinkSettings>,
) -> Result<HttpResponse, ApiError> {
    let (token, settings) =
        webhook_tokens::create_or_rotate(&state.db, user.user.id, &body).await?;
    Ok(HttpResponse::Created()
        .insert_header(CacheControl(vec![CacheDirective::NoStore]))
        .json(ChartinkTokenCreated {
            webhook_path: format!("{API}{WEBHOOKS}{CHARTINK_WEBHOOK}/{token}"),
            token,
            settings,
        }))
}

/// Revokes the key's ChartInk webhook token; it stops at once.
#[utoipa::path(
    delete,
    path = "/api/chartink/tokens/{key_id}",
    tag = "webhooks",
    params(
        ("key_id" = i64, Path, description = "the key whose token to revoke"),
        ("X-CSRF-Token" = String, Header, description = "the session's CSRF token"),
    ),
    responses(
        (status = 204, description = "revoked"),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "missing or wrong CSRF token", body = ErrorBody),
        (status = 404, description = "no token for this key of this user", body = ErrorBody),
    )
)]
pub async fn revoke_chartink_token(
    state: web::Data<AppState>,
    user: SessionUser,
    key_id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    webhook_tokens::revoke(&state.db, user.user.id, *key_id).await?;
    Ok(HttpResponse::NoContent().finish())
}
