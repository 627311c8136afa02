//! The signed-in user of a browser session. State-changing requests must also carry the session's
//! CSRF token in `X-CSRF-Token`, which a cross-site page cannot read.

use std::future::Future;
use std::pin::Pin;

use actix_session::{Session, SessionExt};
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use keygate_core::entities::user;
use keygate_core::users;
use subtle::ConstantTimeEq;

use super::session_store::USER_ID;
use crate::error::ApiError;
use crate::state::AppState;
use crate::traffic_log::Caller;

/// Session key of the CSRF token.
const CSRF: &str = "csrf";
/// Header the SPA sends the CSRF token in.
pub const CSRF_HEADER: &str = "X-CSRF-Token";

/// A signed-in user; for unsafe methods, also a checked CSRF token.
#[derive(Clone)]
pub struct SessionUser {
    /// The account.
    pub user: user::Model,
    /// The session's CSRF token, for the SPA.
    pub csrf_token: String,
}

keygate_types::redacted_debug!(SessionUser { user } secret { csrf_token });

/// A signed-in admin.
#[derive(Debug, Clone)]
pub struct AdminUser(pub SessionUser);

/// Starts a fresh session for `user` (a new session key, against fixation) and returns its CSRF
/// token.
pub fn start_session(session: &Session, user: &user::Model) -> Result<String, ApiError> {
    session.renew();
    let csrf = keygate_core::random::random_hex(32).map_err(ApiError::internal)?;
    session
        .insert(USER_ID, user.id)
        .and_then(|()| session.insert(CSRF, &csrf))
        .map_err(ApiError::internal)?;
    Ok(csrf)
}

async fn extract(req: HttpRequest) -> Result<SessionUser, ApiError> {
    let session = req.get_session();
    let user_id: Option<i64> = session.get(USER_ID).ok().flatten();
    let csrf: Option<String> = session.get(CSRF).ok().flatten();
    let (Some(user_id), Some(csrf)) = (user_id, csrf) else {
        return Err(ApiError::unauthenticated());
    };
    if !req.method().is_safe() {
        let sent = req
            .headers()
            .get(CSRF_HEADER)
            .map(|v| v.as_bytes())
            .unwrap_or_default();
        if !bool::from(sent.ct_eq(csrf.as_bytes())) {
            return Err(ApiError::forbidden(
                "Missing or invalid CSRF token: send the token from /api/auth/session in the X-CSRF-Token header",
            ));
        }
    }
    let state = req.app_data::<web::Data<AppState>>().ok_or_else(|| {
        ApiError::internal("the SessionUser extractor needs web::Data<AppState> in the app data")
    })?;
    match users::find_by_id(&state.db, user_id).await? {
        Some(user) => {
            req.extensions_mut().insert(Caller {
                user_id: user.id,
                key_id: None,
            });
            Ok(SessionUser {
                user,
                csrf_token: csrf,
            })
        }
        None => {
            session.purge();
            Err(ApiError::unauthenticated())
        }
    }
}

impl FromRequest for SessionUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        Box::pin(extract(req.clone()))
    }
}

impl FromRequest for AdminUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let user = extract(req).await?;
            if !user.user.is_admin {
                return Err(ApiError::forbidden("Only administrators may do this"));
            }
            Ok(AdminUser(user))
        })
    }
}
