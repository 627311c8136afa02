//! Account administration (admins only).

use actix_web::{web, HttpResponse};
use keygate_core::users;
use keygate_types::account::{CreateUser, User};
use keygate_types::ErrorBody;

use crate::auth::AdminUser;
use crate::error::ApiError;
use crate::state::AppState;

/// Every account.
#[utoipa::path(
    get,
    path = "/api/users",
    tag = "account",
    responses(
        (status = 200, description = "all accounts", body = [User]),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "not an admin", body = ErrorBody),
    )
)]
pub async fn list_users(
    state: web::Data<AppState>,
    _admin: AdminUser,
) -> Result<HttpResponse, ApiError> {
    let list: Vec<User> = users::list(&state.db)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(HttpResponse::Ok().json(list))
}

/// Creates an account.
#[utoipa::path(
    post,
    path = "/api/users",
    tag = "account",
    request_body = CreateUser,
    params(("X-CSRF-Token" = String, Header, description = "the session's CSRF token")),
    responses(
        (status = 201, description = "the new account", body = User),
        (status = 400, description = "invalid username or password", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "not an admin, or bad CSRF token", body = ErrorBody),
        (status = 409, description = "username taken", body = ErrorBody),
    )
)]
pub async fn create_user(
    state: web::Data<AppState>,
    admin: AdminUser,
    body: web::Json<CreateUser>,
) -> Result<HttpResponse, ApiError> {
    let user = users::create_user(&state.db, &body.username, &body.password, body.is_admin).await?;
    log::info!("admin {} created user {}", admin.0.user.id, user.id);
    Ok(HttpResponse::Created().json(User::from(user)))
}

/// Wires `/api/users`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/users")
            .route(web::get().to(list_users))
            .route(web::post().to(create_user)),
    );
}
