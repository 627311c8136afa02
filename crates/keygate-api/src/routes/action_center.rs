//! The Action Center: the signed-in user's queued `semi_auto` calls, approved or rejected here.
//! Session-authenticated, CSRF on every change; another user's item answers 404.
//!
//! Thin adapters over the trading service ([`keygate_core::trading::approval`]). Approval
//! executes the stored request as it was queued, against the ledger recorded then, under the
//! item's key as it is now: a key that is gone, revoked, expired or without `trade`/`exit_only`
//! refuses it (403), and an `exit_only` key's order runs
//! reduce-only, so it counts the items approved before it. Before that it compares the broker's
//! price with the one recorded at queueing: a move beyond `KEYGATE_APPROVAL_MAX_MOVE_PCT` answers
//! 409 with the figures, unless the request says `"confirm": true`. An item is decided exactly
//! once (see [`keygate_core::action_center::claim`]).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse, ResponseError};
use keygate_core::trading::approval::Approval;
use keygate_types::action_center::{
    ApproveOrder, PendingOrder, PendingState, PriceMoveWarning, RejectOrder,
};
use keygate_types::ErrorBody;
use serde::Deserialize;

use crate::auth::SessionUser;
use crate::error::ApiError;
use crate::openalgo::trade::{refused, OpenAlgoAnswers};
use crate::state::AppState;

/// Filter of the list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PendingFilter {
    /// Only items in this state (`pending`, `executing`, `approved`, `failed`, `rejected`,
    /// `expired`); all when absent.
    pub state: Option<PendingState>,
}

/// The user's queued calls and their history, newest first (at most 500). Pending items carry
/// the current market price next to the one recorded when they were queued.
#[utoipa::path(
    get,
    path = "/api/action-center",
    tag = "action-center",
    params(PendingFilter),
    responses(
        (status = 200, description = "the items", body = [PendingOrder]),
        (status = 400, description = "invalid filter", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
    )
)]
pub async fn list_pending_orders(
    state: web::Data<AppState>,
    user: SessionUser,
    filter: web::Query<PendingFilter>,
) -> Result<HttpResponse, ApiError> {
    let items = state.trading.list(user.user.id, filter.state).await?;
    Ok(HttpResponse::Ok().json(items))
}

/// Approves a pending item: executes the stored call now and records the broker's order id and
/// status (state `approved`), or the error (state `failed`). The item's key must still exist, be
/// neither revoked nor expired and hold `trade` or `exit_only`; an `exit_only` key's order must
/// still only reduce the position (counting what was approved before it). Otherwise the answer
/// is 403 with the reason, and the item is `failed` with that reason.
#[utoipa::path(
    post,
    path = "/api/action-center/{id}/approve",
    tag = "action-center",
    request_body = ApproveOrder,
    params(
        ("id" = i64, Path, description = "pending order id"),
        ("X-CSRF-Token" = String, Header, description = "the session's CSRF token"),
    ),
    responses(
        (status = 200, description = "the decided item (`approved`, or `failed` with the broker's error)", body = PendingOrder),
        (status = 400, description = "malformed body", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "missing or wrong CSRF token, or the item's key can no longer execute it (gone, revoked, expired, lacks the scope, or an exit_only order that no longer only reduces the position): the item is then `failed` with that reason", body = ErrorBody),
        (status = 404, description = "no such item of this user", body = ErrorBody),
        (status = 409, description = "already decided or expired (ErrorBody), or the price moved more than the limit since queueing: repeat with `confirm: true` (PriceMoveWarning)", body = PriceMoveWarning),
    )
)]
pub async fn approve_pending_order(
    state: web::Data<AppState>,
    user: SessionUser,
    id: web::Path<i64>,
    body: web::Json<ApproveOrder>,
) -> Result<HttpResponse, ApiError> {
    let (user_id, id, by) = (user.user.id, *id, &user.user.username);
    let approval = state
        .trading
        .approve(user_id, id, by, body.confirm, &OpenAlgoAnswers)
        .await?;
    match approval {
        Approval::PriceMoved(moved) => {
            let (reference, current, pct, max) =
                (moved.reference, moved.current, moved.pct, moved.max);
            let message = format!(
                "The price moved {pct:.2}% since this order was queued ({reference} → {current}), more than the {max}% limit: approve again with \"confirm\": true to execute anyway"
            );
            Ok(HttpResponse::Conflict().json(PriceMoveWarning {
                status: "error".into(),
                errors: [("confirm".to_owned(), vec![message.clone()])].into(),
                message,
                code: "price_moved".into(),
                reference_price: reference,
                current_price: current,
                move_pct: (pct * 100.0).round() / 100.0,
                max_move_pct: max,
            }))
        }
        Approval::Decided {
            item,
            refused: failure,
        } => {
            // A key that may no longer do this answers 403 (the item is `failed` all the same).
            if let Some((ledger, refusal)) = failure {
                let error = refused(ledger, refusal);
                if error.status_code() == StatusCode::FORBIDDEN {
                    return Err(error);
                }
            }
            Ok(HttpResponse::Ok().json(item))
        }
    }
}

/// Rejects a pending item with a reason; it is never executed.
#[utoipa::path(
    post,
    path = "/api/action-center/{id}/reject",
    tag = "action-center",
    request_body = RejectOrder,
    params(
        ("id" = i64, Path, description = "pending order id"),
        ("X-CSRF-Token" = String, Header, description = "the session's CSRF token"),
    ),
    responses(
        (status = 200, description = "the rejected item", body = PendingOrder),
        (status = 400, description = "missing or too long reason", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "missing or wrong CSRF token", body = ErrorBody),
        (status = 404, description = "no such item of this user", body = ErrorBody),
        (status = 409, description = "already decided or expired", body = ErrorBody),
    )
)]
pub async fn reject_pending_order(
    state: web::Data<AppState>,
    user: SessionUser,
    id: web::Path<i64>,
    body: web::Json<RejectOrder>,
) -> Result<HttpResponse, ApiError> {
    let item = state
        .trading
        .reject(user.user.id, *id, &body.reason, &user.user.username)
        .await?;
    Ok(HttpResponse::Ok().json(item))
}

/// Wires `/api/action-center/*`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/action-center")
            .service(web::resource("").route(web::get().to(list_pending_orders)))
            .service(web::resource("/{id}/approve").route(web::post().to(approve_pending_order)))
            .service(web::resource("/{id}/reject").route(web::post().to(reject_pending_order))),
    );
}
