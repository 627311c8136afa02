//! The traffic log for its owner (an admin sees everyone's): list with filters and cursor
//! pagination, stats over a time range, and a CSV export streamed page by page in constant memory.
//! These routes are not themselves logged.

use actix_web::http::header::{ContentDisposition, DispositionParam, DispositionType};
use actix_web::{web, HttpResponse};
use chrono::{Duration, Utc};
use keygate_core::traffic::breakdown::{self, Scope};
use keygate_core::traffic::query::{self, LogQuery};
use keygate_core::traffic::{key_stats, stats};
use keygate_core::CoreError;
use keygate_types::traffic::{SecurityStats, StatsQuery, TrafficFilter, TrafficPage, TrafficStats};
use keygate_types::ErrorBody;

use crate::auth::SessionUser;
use crate::error::ApiError;
use crate::route_class::TRAFFIC;
use crate::state::AppState;

/// Rows per page the export reads.
const EXPORT_PAGE: u64 = 1000;

/// The rows a user may see: an admin everyone's (or the user asked for), anyone else their own.
fn scope(user: &SessionUser, requested: Option<i64>) -> Result<Option<i64>, ApiError> {
    if user.user.is_admin {
        return Ok(requested);
    }
    match requested {
        Some(other) if other != user.user.id => Err(ApiError::forbidden(
            "Only administrators may see other users' traffic",
        )),
        _ => Ok(Some(user.user.id)),
    }
}

/// The traffic log, newest first, one page at a time.
#[utoipa::path(
    get,
    path = "/api/traffic",
    tag = "traffic",
    params(TrafficFilter),
    responses(
        (status = 200, description = "a page of the log", body = TrafficPage),
        (status = 400, description = "invalid filter or cursor", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "another user's traffic, and not an admin", body = ErrorBody),
        (status = 429, description = "too many requests from this IP", body = ErrorBody),
    )
)]
pub async fn list_traffic(
    state: web::Data<AppState>,
    user: SessionUser,
    filter: web::Query<TrafficFilter>,
) -> Result<HttpResponse, ApiError> {
    let query = LogQuery::new(&filter, scope(&user, filter.user_id)?)?;
    Ok(HttpResponse::Ok().json(query.page(&state.db).await?))
}

/// Totals, error rate, per-endpoint latency percentiles, requests per minute, top client IPs,
/// status-class, error-class and per-key breakdowns for a time range (whole minutes), for
/// everything the caller may see or for one API key (`key_id`). Admins also get the security
/// monitor's figures.
#[utoipa::path(
    get,
    path = "/api/traffic/stats",
    tag = "traffic",
    params(StatsQuery),
    responses(
        (status = 200, description = "the stats", body = TrafficStats),
        (status = 400, description = "invalid time range", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "another user's traffic, and not an admin", body = ErrorBody),
        (status = 429, description = "too many requests from this IP", body = ErrorBody),
    )
)]
pub async fn get_traffic_stats(
    state: web::Data<AppState>,
    user: SessionUser,
    range: web::Query<StatsQuery>,
) -> Result<HttpResponse, ApiError> {
    let to = range.to.unwrap_or_else(Utc::now);
    let from = range.from.unwrap_or(to - Duration::hours(1));
    if from >= to {
        return Err(ApiError::bad_request("`from` must be before `to`"));
    }
    if to - from > Duration::days(400) {
        return Err(ApiError::bad_request("The range may span at most 400 days"));
    }
    let user_scope = scope(&user, range.user_id)?;
    let db = stats::snapshot(&state.db).await?;
    let classes = breakdown::breakdown(
        &db,
        from,
        to,
        Scope {
            user: user_scope,
            key: range.key_id,
        },
    )
    .await?;
    let figures = match range.key_id {
        None => stats::range_stats(&db, from, to, user_scope).await?,
        Some(key) => {
            let key_figures = key_stats::key_figures(&db, from, to, user_scope, key).await?;
            let (from_minute, to_minute) = breakdown::minute_range(from, to);
            stats::RangeStats {
                from: query::from_millis(from_minute * 60_000),
                to: query::from_millis(to_minute * 60_000),
                requests: classes.requests,
                errors: classes.errors,
                server_errors: classes.server_errors,
                latency: key_figures.latency,
                endpoints: key_figures.endpoints,
                per_minute: breakdown::key_minutes(&db, from, to, user_scope, key).await?,
                top_ips: key_figures.top_ips,
            }
        }
    };
    db.commit().await.map_err(CoreError::from)?;
    let security = if user.user.is_admin {
        Some(SecurityStats {
            active_bans: state.security.active_bans().await?,
            invalid_key_attempts: state.security.invalid_total(),
            attempts_by_ip: state.security.attempts_by_ip(),
            banned_requests: state.security.banned_requests(),
            argon2_runs: state.verifier.argon2_runs(),
        })
    } else {
        None
    };
    let error_rate = if figures.requests > 0 {
        figures.errors as f64 / figures.requests as f64
    } else {
        0.0
    };
    Ok(HttpResponse::Ok().json(TrafficStats {
        from: figures.from,
        to: figures.to,
        requests: figures.requests,
        errors: figures.errors,
        server_errors: figures.server_errors,
        error_rate,
        latency: figures.latency,
        endpoints: figures.endpoints,
        per_minute: figures.per_minute,
        top_ips: figures.top_ips,
        status_classes: classes.status_classes,
        error_classes: classes.error_classes,
        keys: classes.keys,
        dropped_rows: state.traffic.dropped(),
        security,
    }))
}

/// The filtered log as CSV, newest first, streamed (the filters of the list; `cursor` and
/// `limit` are checked as the list checks them, then ignored).
#[utoipa::path(
    get,
    path = "/api/traffic/export",
    tag = "traffic",
    params(TrafficFilter),
    responses(
        (status = 200, description = "CSV with a header line", content_type = "text/csv", body = String),
        (status = 400, description = "invalid filter", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "another user's traffic, and not an admin", body = ErrorBody),
        (status = 429, description = "too many requests from this IP", body = ErrorBody),
    )
)]
pub async fn export_traffic(
    state: web::Data<AppState>,
    user: SessionUser,
    filter: web::Query<TrafficFilter>,
) -> Result<HttpResponse, ApiError> {
    let mut filter = filter.into_inner();
    let user_scope = scope(&user, filter.user_id)?;
    // The list's rules hold for every filter, even those the export then ignores.
    LogQuery::new(&filter, user_scope)?;
    filter.cursor = None;
    filter.limit = None;
    let first = LogQuery::new(&filter, user_scope)?.with_limit(EXPORT_PAGE);
    let db = state.db.clone();
    let pages = futures_util::stream::unfold(Some((first, true)), move |next| {
        let db = db.clone();
        async move {
            let (query, first) = next?;
            match query.page(&db).await {
                Ok(page) => {
                    let mut out = String::with_capacity(page.items.len() * 128 + 128);
                    if first {
                        out.push_str(query::CSV_HEADER);
                    }
                    for entry in &page.items {
                        query::csv_line(&mut out, entry);
                    }
                    let next = query.after(&page).map(|q| (q, false));
                    Some((Ok::<_, actix_web::Error>(web::Bytes::from(out)), next))
                }
                Err(e) => {
                    log::error!("traffic export failed: {e}");
                    Some((
                        Err(actix_web::error::ErrorInternalServerError("export failed")),
                        None,
                    ))
                }
            }
        }
    });
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename("traffic.csv".into())],
        })
        .streaming(pages))
}

/// Wires `/api/traffic`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource(TRAFFIC).route(web::get().to(list_traffic)))
        .service(web::resource(format!("{TRAFFIC}/stats")).route(web::get().to(get_traffic_stats)))
        .service(web::resource(format!("{TRAFFIC}/export")).route(web::get().to(export_traffic)));
}
