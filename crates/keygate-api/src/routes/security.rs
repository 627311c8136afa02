//! The security monitor's bans (admins only): list, add, lift. A change reaches every keygate
//! process within a second.

use actix_web::{web, HttpResponse};
use keygate_core::bans;
use keygate_core::ip_group::IpGroup;
use keygate_types::account::MessageBody;
use keygate_types::traffic::{CreateBan, IpBan};
use keygate_types::ErrorBody;

use crate::auth::AdminUser;
use crate::error::{field_error, ApiError};
use crate::state::AppState;

/// An address, or an IPv6 /64: bans cover an IPv6 address's whole /64.
fn parse_ip(raw: &str) -> Result<IpGroup, ApiError> {
    raw.parse::<IpGroup>()
        .map_err(|_| field_error("ip", "is not an IP address (or an IPv6 /64)"))
}

/// Bans in force.
#[utoipa::path(
    get,
    path = "/api/security/bans",
    tag = "security",
    responses(
        (status = 200, description = "active bans, newest first", body = [IpBan]),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "not an admin", body = ErrorBody),
        (status = 429, description = "too many requests from this IP", body = ErrorBody),
    )
)]
pub async fn list_bans(
    state: web::Data<AppState>,
    _admin: AdminUser,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(state.security.active_bans().await?))
}

/// Bans an IP from `/api/v1` (403 before any key work).
#[utoipa::path(
    post,
    path = "/api/security/bans",
    tag = "security",
    request_body = CreateBan,
    params(("X-CSRF-Token" = String, Header, description = "the session's CSRF token")),
    responses(
        (status = 201, description = "the ban", body = IpBan),
        (status = 400, description = "invalid address or length", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "not an admin, or bad CSRF token", body = ErrorBody),
        (status = 429, description = "too many requests from this IP", body = ErrorBody),
    )
)]
pub async fn create_ban(
    state: web::Data<AppState>,
    admin: AdminUser,
    body: web::Json<CreateBan>,
) -> Result<HttpResponse, ApiError> {
    let ip = parse_ip(&body.ip)?;
    if body.seconds == Some(0) {
        return Err(field_error("seconds", "must be at least 1"));
    }
    let reason = body
        .reason
        .as_deref()
        .unwrap_or("banned by an administrator");
    let ban = bans::ban(
        &state.db,
        ip,
        &admin.0.user.username,
        reason,
        body.seconds,
        state.settings.bans.ban_secs,
    )
    .await?;
    state.security.insert_local(ip, ban.banned_until);
    log::warn!(
        "admin {} banned {ip} until {}",
        admin.0.user.id,
        ban.banned_until
    );
    Ok(HttpResponse::Created().json(ban))
}

/// Lifts the ban of an IP.
#[utoipa::path(
    delete,
    path = "/api/security/bans/{ip}",
    tag = "security",
    params(
        ("ip" = String, Path, description = "the banned address"),
        ("X-CSRF-Token" = String, Header, description = "the session's CSRF token"),
    ),
    responses(
        (status = 200, description = "lifted", body = MessageBody),
        (status = 400, description = "not an IP address", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "not an admin, or bad CSRF token", body = ErrorBody),
        (status = 404, description = "this address is not banned", body = ErrorBody),
        (status = 429, description = "too many requests from this IP", body = ErrorBody),
    )
)]
pub async fn lift_ban(
    state: web::Data<AppState>,
    admin: AdminUser,
    ip: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ip = parse_ip(&ip)?;
    bans::lift(&state.db, ip).await?;
    state.security.remove_local(ip);
    log::warn!("admin {} lifted the ban of {ip}", admin.0.user.id);
    Ok(HttpResponse::Ok().json(MessageBody::new(format!("The ban of {ip} is lifted"))))
}

/// Wires `/api/security`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/security/bans")
            .route(web::get().to(list_bans))
            .route(web::post().to(create_ban)),
    )
    .service(web::resource("/security/bans/{ip}").route(web::delete().to(lift_ban)));
}
