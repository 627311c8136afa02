//! The owner's broker connections (the credentials vault): add, list, re-check, relabel,
//! delete. Session-authenticated, with CSRF on every change. No answer ever carries the exchange
//! secret; the API key only masked.

use actix_web::{web, HttpResponse};
use keygate_types::brokers::{BrokerConnection, CreateBrokerConnection, RelabelBrokerConnection};
use keygate_types::ErrorBody;

use super::keys::actor;
use crate::auth::SessionUser;
use crate::client_ip::ClientIp;
use crate::error::ApiError;
use crate::state::AppState;

/// The signed-in user's broker connections (API keys masked, secrets never).
#[utoipa::path(
    get,
    path = "/api/brokers",
    tag = "brokers",
    responses(
        (status = 200, description = "the user's connections", body = [BrokerConnection]),
        (status = 401, description = "not signed in", body = ErrorBody),
    )
)]
pub async fn list_broker_connections(
    state: web::Data<AppState>,
    user: SessionUser,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(state.brokers.list(user.user.id).await?))
}

/// Adds a connection. A `binance_spot` key pair is checked against the exchange first (signed
/// account and API-key-restriction calls); nothing is stored unless the exchange accepts it, the
/// key cannot withdraw, and it may trade spot.
#[utoipa::path(
    post,
    path = "/api/brokers",
    tag = "brokers",
    request_body = CreateBrokerConnection,
    params(("X-CSRF-Token" = String, Header, description = "the session's CSRF token")),
    responses(
        (status = 201, description = "the stored connection", body = BrokerConnection),
        (status = 400, description = "invalid kind, label, base URL or credentials, or a duplicate label", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "missing or wrong CSRF token", body = ErrorBody),
        (status = 422, description = "the exchange refused the key, or it can withdraw or cannot trade spot; nothing stored", body = ErrorBody),
        (status = 502, description = "the exchange could not be reached; nothing stored", body = ErrorBody),
    )
)]
pub async fn create_broker_connection(
    state: web::Data<AppState>,
    user: SessionUser,
    ip: ClientIp,
    body: web::Json<CreateBrokerConnection>,
) -> Result<HttpResponse, ApiError> {
    let connection = state
        .brokers
        .create(&actor(&user, ip), body.into_inner())
        .await?;
    Ok(HttpResponse::Created().json(connection))
}

/// Gives a connection a new label.
#[utoipa::path(
    patch,
    path = "/api/brokers/{id}",
    tag = "brokers",
    request_body = RelabelBrokerConnection,
    params(
        ("id" = i64, Path, description = "connection id"),
        ("X-CSRF-Token" = String, Header, description = "the session's CSRF token"),
    ),
    responses(
        (status = 200, description = "the relabelled connection", body = BrokerConnection),
        (status = 400, description = "invalid or duplicate label", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "missing or wrong CSRF token", body = ErrorBody),
        (status = 404, description = "no such connection of this user", body = ErrorBody),
    )
)]
pub async fn relabel_broker_connection(
    state: web::Data<AppState>,
    user: SessionUser,
    ip: ClientIp,
    id: web::Path<i64>,
    body: web::Json<RelabelBrokerConnection>,
) -> Result<HttpResponse, ApiError> {
    let connection = state
        .brokers
        .relabel(&actor(&user, ip), *id, body.into_inner())
        .await?;
    Ok(HttpResponse::Ok().json(connection))
}

/// Deletes a connection and its stored credentials; refused while keys are bound to it.
#[utoipa::path(
    delete,
    path = "/api/brokers/{id}",
    tag = "brokers",
    params(
        ("id" = i64, Path, description = "connection id"),
        ("X-CSRF-Token" = String, Header, description = "the session's CSRF token"),
    ),
    responses(
        (status = 204, description = "deleted"),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "missing or wrong CSRF token", body = ErrorBody),
        (status = 404, description = "no such connection of this user", body = ErrorBody),
        (status = 409, description = "keys are bound to the connection (named in the message)", body = ErrorBody),
    )
)]
pub async fn delete_broker_connection(
    state: web::Data<AppState>,
    user: SessionUser,
    ip: ClientIp,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    state.brokers.delete(&actor(&user, ip), *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Checks a connection against the exchange again and records the result (`valid`, or
/// `invalid` with the exchange's reason).
#[utoipa::path(
    post,
    path = "/api/brokers/{id}/check",
    tag = "brokers",
    params(
        ("id" = i64, Path, description = "connection id"),
        ("X-CSRF-Token" = String, Header, description = "the session's CSRF token"),
    ),
    responses(
        (status = 200, description = "the connection with its new status", body = BrokerConnection),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "missing or wrong CSRF token", body = ErrorBody),
        (status = 404, description = "no such connection of this user", body = ErrorBody),
        (status = 502, description = "the exchange could not be reached; the status is unchanged", body = ErrorBody),
    )
)]
pub async fn check_broker_connection(
    state: web::Data<AppState>,
    user: SessionUser,
    ip: ClientIp,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let connection = state.brokers.check(&actor(&user, ip), *id).await?;
    Ok(HttpResponse::Ok().json(connection))
}

/// Wires `/brokers` (inside the session-authenticated `/api` scope).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/brokers")
            .service(
                web::resource("")
                    .route(web::get().to(list_broker_connections))
                    .route(web::post().to(create_broker_connection)),
            )
            .service(
                web::resource("/{id}")
                    .route(web::patch().to(relabel_broker_connection))
                    .route(web::delete().to(delete_broker_connection)),
            )
            .service(web::resource("/{id}/check").route(web::post().to(check_broker_connection))),
    );
}
