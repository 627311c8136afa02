//! First-run setup: while no account exists, the first one (an admin) can be created here.

use actix_session::Session;
use actix_web::{web, HttpRequest, HttpResponse};
use keygate_core::users;
use keygate_types::account::{Credentials, SessionInfo};
use keygate_types::system::SetupStatus;
use keygate_types::ErrorBody;

use super::account::session_info;
use crate::auth::session_user::start_session;
use crate::error::ApiError;
use crate::state::AppState;

/// Whether the first account still has to be created.
#[utoipa::path(
    get,
    path = "/api/setup",
    tag = "account",
    responses((status = 200, description = "setup status", body = SetupStatus))
)]
pub async fn get_setup(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let needs_setup = users::count(&state.db).await? == 0;
    Ok(HttpResponse::Ok().json(SetupStatus { needs_setup }))
}

/// Creates the first (admin) account and signs it in. Refused once any account exists.
#[utoipa::path(
    post,
    path = "/api/setup",
    tag = "account",
    request_body = Credentials,
    responses(
        (status = 201, description = "the admin account, signed in", body = SessionInfo),
        (status = 400, description = "invalid username or password", body = ErrorBody),
        (status = 409, description = "setup is already complete", body = ErrorBody),
    )
)]
pub async fn create_setup(
    state: web::Data<AppState>,
    session: Session,
    req: HttpRequest,
    body: web::Json<Credentials>,
) -> Result<HttpResponse, ApiError> {
    let user = users::setup_first_user(&state.db, &body.username, &body.password).await?;
    log::info!("first-run setup created admin user {}", user.id);
    let csrf_token = start_session(&session, &user)?;
    Ok(HttpResponse::Created().json(session_info(&state, &req, user.into(), csrf_token)))
}

/// Wires `/api/setup`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/setup")
            .route(web::get().to(get_setup))
            .route(web::post().to(create_setup)),
    );
}
