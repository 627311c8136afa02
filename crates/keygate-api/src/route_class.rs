//! The one place a request path is classified by what serves it. Every middleware that treats
//! kinds of paths differently (the traffic log, the body deadline, the `/api/v1` per-address
//! limit, the security headers) asks [`RouteClass::of`] once per request, through the traffic
//! middleware, instead of matching prefixes of its own. The route table mounts its scopes with the
//! constants below (`startup.rs`, `routes/v1`, `routes/webhooks.rs`, `routes/traffic.rs`,
//! `routes/health.rs`, `ws/`), so the two cannot drift; prefixes match whole segments at a time:
//! `/api/v1x` is not under `/api/v1`. `tests/api/route_classes.rs` checks every path of the
//! OpenAPI document against its operation's tag.

/// Where the session-authenticated API scope is mounted.
pub const API: &str = "/api";
/// Where `/api/v1` (the OpenAlgo API) is mounted: at the app level, ahead of the [`API`] scope.
pub const API_V1: &str = "/api/v1";
/// The alert webhooks' scope inside [`API`] (`/api/webhook`).
pub const WEBHOOKS: &str = "/webhook";
/// The ChartInk webhook inside [`WEBHOOKS`]; the next segment is the webhook token.
pub const CHARTINK_WEBHOOK: &str = "/chartink";
/// The traffic log's own routes inside [`API`] (`/api/traffic`).
pub const TRAFFIC: &str = "/traffic";
/// The market-data WebSocket on the HTTP listener.
pub const WEBSOCKET: &str = "/ws";
/// Swagger UI.
pub const DOCS: &str = "/docs";
/// Where the OpenAPI document is served.
pub const OPENAPI_DOC: &str = "/api-docs";
/// The health check.
pub const HEALTH: &str = "/health";

use std::borrow::Cow;

/// What kind of route a path belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteClass {
    /// `/api/v1` and below: OpenAlgo's API, authenticated by an API key.
    ApiV1,
    /// `/api/webhook/...`: TradingView and ChartInk alerts.
    Webhook,
    /// `/api/traffic/...`: the traffic log's own routes (never logged themselves).
    TrafficLog,
    /// The rest of `/api`: the session-authenticated management API.
    SessionApi,
    /// `/ws`: the market-data WebSocket upgrade.
    WebSocket,
    /// `/docs/...`: Swagger UI.
    Docs,
    /// `/api-docs/...`: the OpenAPI document.
    OpenApiDoc,
    /// `/health`.
    Health,
    /// Everything else: the web app's files and its client-side routes.
    App,
}

/// What follows `prefix` in `path` when `path` is `prefix` or below it (a whole segment:
/// `/api/v1x` is not under `/api/v1`).
fn below<'a>(path: &'a str, prefix: &str) -> Option<&'a str> {
    path.strip_prefix(prefix)
        .filter(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Whether `path` is `prefix` or below it.
fn under(path: &str, prefix: &str) -> bool {
    below(path, prefix).is_some()
}

impl RouteClass {
    /// Classifies a (canonical) request path.
    pub fn of(path: &str) -> Self {
        if let Some(in_api) = below(path, API) {
            if under(path, API_V1) {
                RouteClass::ApiV1
            } else if under(in_api, WEBHOOKS) {
                RouteClass::Webhook
            } else if under(in_api, TRAFFIC) {
                RouteClass::TrafficLog
            } else {
                RouteClass::SessionApi
            }
        } else if under(path, WEBSOCKET) {
            RouteClass::WebSocket
        } else if under(path, DOCS) {
            RouteClass::Docs
        } else if under(path, OPENAPI_DOC) {
            RouteClass::OpenApiDoc
        } else if path == HEALTH {
            RouteClass::Health
        } else {
            RouteClass::App
        }
    }

    /// Whether the traffic log records these requests: the API, webhooks and health; not the web
    /// app's files, the docs, or the traffic routes themselves.
    pub fn is_logged(self) -> bool {
        matches!(
            self,
            RouteClass::ApiV1 | RouteClass::Webhook | RouteClass::SessionApi | RouteClass::Health
        )
    }

    /// Whether the traffic middleware must leave the body alone: `/api/v1` reads its own body
    /// under the same deadline ([`crate::auth::body::read`]), a WebSocket's is the stream.
    pub fn reads_own_body(self) -> bool {
        matches!(self, RouteClass::ApiV1 | RouteClass::WebSocket)
    }
}

/// `path` with a ChartInk webhook token replaced by `[token]`, for logs and the traffic log
/// (the token is a credential, even if a narrow one).
pub fn redact_path(path: &str) -> Cow<'_, str> {
    let token_and_tail = below(path, API)
        .and_then(|p| below(p, WEBHOOKS))
        .and_then(|p| below(p, CHARTINK_WEBHOOK))
        .and_then(|p| p.strip_prefix('/'))
        .filter(|rest| !rest.is_empty());
    match token_and_tail {
        Some(rest) => {
            let tail = rest.find('/').map_or("", |i| &rest[i..]);
            format!("{API}{WEBHOOKS}{CHARTINK_WEBHOOK}/[token]{tail}").into()
        }
        None => path.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::RouteClass::{self, *};

    #[test]
    fn every_mounted_prefix_gets_its_class() {
        for (path, class) in [
            ("/api/v1", ApiV1),
            ("/api/v1/", ApiV1),
            ("/api/v1/placeorder", ApiV1),
            ("/api/v1/analyzer/toggle", ApiV1),
            ("/api/webhook/tradingview", Webhook),
            ("/api/webhook/chartink/ck_abc", Webhook),
            ("/api/traffic", TrafficLog),
            ("/api/traffic/stats", TrafficLog),
            ("/api", SessionApi),
            ("/api/", SessionApi),
            ("/api/keys/3/revoke", SessionApi),
            ("/api/chartink/tokens", SessionApi),
            ("/ws", WebSocket),
            ("/ws/", WebSocket),
            ("/docs", Docs),
            ("/docs/index.html", Docs),
            ("/api-docs/openapi.json", OpenApiDoc),
            ("/health", Health),
            ("/", App),
            ("/keys", App),
            ("/app.js", App),
        ] {
            assert_eq!(RouteClass::of(path), class, "{path}");
        }
    }

    #[test]
    fn prefixes_match_whole_segments_only() {
        for (path, class) in [
            ("/api/v1x", SessionApi),
            ("/api/v10/ping", SessionApi),
            ("/api/webhooks", SessionApi),
            ("/api/trafficker", SessionApi),
            ("/apix", App),
            ("/wsx", App),
            ("/docsy", App),
            ("/health/x", App),
            ("/healthz", App),
            // There is no top-level webhook scope: it is an app path.
            ("/webhook/tradingview", App),
        ] {
            assert_eq!(RouteClass::of(path), class, "{path}");
        }
    }

    #[test]
    fn the_api_webhooks_and_health_are_logged_and_the_rest_is_not() {
        let logged: Vec<RouteClass> = [
            ApiV1, Webhook, TrafficLog, SessionApi, WebSocket, Docs, OpenApiDoc, Health, App,
        ]
        .into_iter()
        .filter(|c| c.is_logged())
        .collect();
        assert_eq!(logged, [ApiV1, Webhook, SessionApi, Health]);
        assert!(ApiV1.reads_own_body() && WebSocket.reads_own_body());
        assert!(!Webhook.reads_own_body() && !SessionApi.reads_own_body());
    }

    #[test]
    fn only_a_chartink_token_is_redacted() {
        use super::redact_path;
        for (path, logged) in [
            (
                "/api/webhook/chartink/ck_abc",
                "/api/webhook/chartink/[token]",
            ),
            (
                "/api/webhook/chartink/ck_abc/",
                "/api/webhook/chartink/[token]/",
            ),
            ("/api/webhook/chartink/", "/api/webhook/chartink/"),
            ("/api/webhook/chartink", "/api/webhook/chartink"),
            ("/api/webhook/tradingview", "/api/webhook/tradingview"),
            ("/api/chartink/tokens", "/api/chartink/tokens"),
        ] {
            assert_eq!(redact_path(path), logged, "{path}");
        }
    }
}
