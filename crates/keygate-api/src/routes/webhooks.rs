//! Alert webhooks: TradingView and ChartInk alerts become orders under the key's scopes and order
//! mode (`semi_auto` keys queue them in the Action Center).
//!
//! - `POST /api/webhook/tradingview`: OpenAlgo's TradingView alert JSON (`apikey`, `strategy`,
//!   `symbol`, `action`, `quantity`, `exchange`, `product`, `pricetype`; numbers may be strings;
//!   the key may also come in `X-API-KEY`). With `position_size` it is a smart order.
//! - `POST /api/webhook/chartink/{token}`: ChartInk's scan payload. ChartInk can carry no key, and
//!   keys never go in URLs, so the path holds a per-key **webhook token** (see
//!   [`keygate_core::action_center::webhook_tokens`]) whose settings say what to order; the owner
//!   manages it under `/api/chartink/tokens` (session + CSRF).
//!
//! Idempotency: the same alert (digest of the key id and the normalised payload) delivered again
//! within `KEYGATE_WEBHOOK_DEDUP_SECS` (default 60) is ignored and answered 200 with
//! `"message":"Duplicate alert ignored"`. Both routes are rate-limited per client IP in the
//! `webhook` category, and per key in the `orders` category.

pub mod alerts;
pub mod chartink;
pub mod tokens;

use actix_web::web;

use crate::ip_governor::IpGovernors;

pub use alerts::tradingview_webhook;
pub use chartink::chartink_webhook;
pub use tokens::{create_chartink_token, list_chartink_tokens, revoke_chartink_token};

/// `path` with a ChartInk webhook token replaced by `[token]`, for logs and the traffic log
/// (the token is a credential, even if a narrow one).
pub fn redact_path(path: &str) -> std::borrow::Cow<'_, str> {
    const PREFIX: &str = "/api/webhook/chartink/";
    match path.strip_prefix(PREFIX) {
        Some(rest) if !rest.is_empty() => {
            let tail = rest.find('/').map_or("", |i| &rest[i..]);
            format!("{PREFIX}[token]{tail}").into()
        }
        _ => path.into(),
    }
}

/// Wires `/api/webhook/*` (public, token or key authenticated, under the `webhook` per-IP
/// limits; unknown paths there count too) and `/api/chartink/tokens` (session).
pub fn configure(cfg: &mut web::ServiceConfig, webhook_limits: &IpGovernors) {
    cfg.service(
        web::scope("/webhook")
            .wrap(webhook_limits.layer())
            .service(
                web::resource(["/tradingview", "/tradingview/"])
                    .route(web::post().to(tradingview_webhook)),
            )
            .service(
                web::resource(["/chartink/{token}", "/chartink/{token}/"])
                    .route(web::post().to(chartink_webhook)),
            ),
    )
    .service(
        web::resource("/chartink/tokens")
            .route(web::get().to(list_chartink_tokens))
            .route(web::post().to(create_chartink_token)),
    )
    .service(
        web::resource("/chartink/tokens/{key_id}").route(web::delete().to(revoke_chartink_token)),
    );
}
