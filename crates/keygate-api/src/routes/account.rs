//! Signing in and out, the current session, and password changes.

use actix_session::Session;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use keygate_core::config::is_authority;
use keygate_core::users;
use keygate_types::account::{ChangePassword, Credentials, MessageBody, SessionInfo, User};
use keygate_types::ErrorBody;

use crate::auth::session_user::start_session;
use crate::auth::SessionUser;
use crate::client_ip::ClientIp;
use crate::error::ApiError;
use crate::ip_governor::IpGovernors;
use crate::state::AppState;

/// The feed URL for the session info: `KEYGATE_WS_PUBLIC_URL`, else `/ws` on the host the request
/// named (its `Host`, or the HTTP/2 authority), else on the HTTP listener's address. `wss://` when
/// cookies are `Secure` (the server is reached over TLS). The host is checked, never echoed as
/// sent, and only ever returned to the client that sent it.
pub(crate) fn feed_url(state: &AppState, req: &HttpRequest) -> String {
    if let Some(url) = &state.settings.ws.public_url {
        return url.as_str().to_owned();
    }
    let scheme = if state.settings.cookie_secure {
        "wss"
    } else {
        "ws"
    };
    let named = req
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| req.uri().authority().map(|a| a.as_str()))
        .filter(|host| is_authority(host));
    match named {
        Some(host) => format!("{scheme}://{host}/ws"),
        None => format!("{scheme}://{}/ws", state.settings.bind),
    }
}

/// The answer of setup, sign-in and the session route.
pub(crate) fn session_info(
    state: &AppState,
    req: &HttpRequest,
    user: User,
    csrf_token: String,
) -> SessionInfo {
    SessionInfo {
        user,
        csrf_token,
        ws_url: feed_url(state, req),
    }
}

/// Signs in with a username and password. A wrong username and a wrong password get the same
/// answer; a name that cannot be a username gets 400. Attempts are limited per client address
/// and per username.
#[utoipa::path(
    post,
    path = "/api/auth/login",
    tag = "account",
    request_body = Credentials,
    responses(
        (status = 200, description = "signed in", body = SessionInfo),
        (status = 400, description = "malformed body, or not a possible username", body = ErrorBody),
        (status = 401, description = "wrong username or password", body = ErrorBody),
        (status = 429, description = "too many attempts", body = ErrorBody),
    )
)]
pub async fn login(
    state: web::Data<AppState>,
    session: Session,
    req: HttpRequest,
    ip: ClientIp,
    body: web::Json<Credentials>,
) -> Result<HttpResponse, ApiError> {
    state.login_limiter.check(&req, &body.username).await?;
    let user = users::authenticate(&state.db, &body.username, &body.password).await?;
    let csrf_token = start_session(&session, &user)?;
    log::info!("user {} signed in from {}", user.id, ip.0);
    Ok(HttpResponse::Ok().json(session_info(&state, &req, user.into(), csrf_token)))
}

/// The signed-in user, the CSRF token for state-changing requests and the market-data feed's URL.
#[utoipa::path(
    get,
    path = "/api/auth/session",
    tag = "account",
    responses(
        (status = 200, description = "the current session", body = SessionInfo),
        (status = 401, description = "not signed in", body = ErrorBody),
    )
)]
pub async fn get_session(
    state: web::Data<AppState>,
    req: HttpRequest,
    current: SessionUser,
) -> HttpResponse {
    HttpResponse::Ok().json(session_info(
        &state,
        &req,
        current.user.into(),
        current.csrf_token,
    ))
}

/// Ends the session on the server; the cookie stops working everywhere.
#[utoipa::path(
    post,
    path = "/api/auth/logout",
    tag = "account",
    params(("X-CSRF-Token" = String, Header, description = "the session's CSRF token")),
    responses(
        (status = 200, description = "signed out", body = MessageBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "missing or wrong CSRF token", body = ErrorBody),
    )
)]
pub async fn logout(_current: SessionUser, session: Session) -> HttpResponse {
    session.purge();
    HttpResponse::Ok().json(MessageBody::new("Signed out"))
}

/// Changes the password and ends every session of the account, this one included. Attempts count
/// against the account's and the address's sign-in limits, so a stolen session cannot guess the
/// current password faster than the sign-in form allows.
#[utoipa::path(
    post,
    path = "/api/auth/password",
    tag = "account",
    request_body = ChangePassword,
    params(("X-CSRF-Token" = String, Header, description = "the session's CSRF token")),
    responses(
        (status = 200, description = "changed; sign in again", body = MessageBody),
        (status = 400, description = "wrong current password or weak new one", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "missing or wrong CSRF token", body = ErrorBody),
        (status = 429, description = "too many attempts", body = ErrorBody),
    )
)]
pub async fn change_password(
    state: web::Data<AppState>,
    current: SessionUser,
    session: Session,
    req: HttpRequest,
    body: web::Json<ChangePassword>,
) -> Result<HttpResponse, ApiError> {
    state
        .login_limiter
        .check(&req, &current.user.username)
        .await?;
    users::change_password(
        &state.db,
        current.user.id,
        &body.current_password,
        &body.new_password,
    )
    .await?;
    session.purge();
    Ok(HttpResponse::Ok().json(MessageBody::new(
        "Password changed; every session of this account has ended. Sign in again.",
    )))
}

/// Wires `/api/auth/*`; sign-in and password changes share the `login` per-IP limits.
pub fn configure(cfg: &mut web::ServiceConfig, login_limits: &IpGovernors) {
    cfg.service(
        web::scope("/auth")
            .service(
                web::resource("/login")
                    .wrap(login_limits.layer())
                    .route(web::post().to(login)),
            )
            .service(web::resource("/session").route(web::get().to(get_session)))
            .service(web::resource("/logout").route(web::post().to(logout)))
            .service(
                web::resource("/password")
                    .wrap(login_limits.layer())
                    .route(web::post().to(change_password)),
            ),
    );
}
