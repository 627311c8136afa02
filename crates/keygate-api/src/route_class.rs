//! The one place a request path is classified by what serves it. Every middleware that treats
//! kinds of paths differently (the traffic log, the body deadline, the `/api/v1` per-address
//! limit, the security headers) asks [`RouteClass::of`] once per request, through the traffic
//! middleware, instead of matching prefixes of its own. The prefixes are the ones the route table
//! mounts (`startup.rs`, `routes/v1`, `routes/webhooks.rs`, `ws/`), matched whole segments at a
//! time: `/api/v1x` is not under `/api/v1`.

/// Where `/api/v1` (the OpenAlgo API) is mounted.
pub const API_V1: &str = "/api/v1";
/// Where the session-authenticated API scope is mounted.
pub const API: &str = "/api";
/// Where the alert webhooks are mounted (inside [`API`]).
pub const WEBHOOKS: &str = "/api/webhook";
/// Where the traffic log's own routes are mounted (inside [`API`]).
pub const TRAFFIC: &str = "/api/traffic";
/// The market-data WebSocket on the HTTP listener.
pub const WEBSOCKET: &str = "/ws";
/// Swagger UI.
pub const DOCS: &str = "/docs";
/// Where the OpenAPI document is served.
pub const OPENAPI_DOC: &str = "/api-docs";
/// The health check.
pub const HEALTH: &str = "/health";

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

/// Whether `path` is `prefix` or below it (a whole segment: `/api/v1x` is not under `/api/v1`).
fn under(path: &str, prefix: &str) -> bool {
    path.strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

impl RouteClass {
    /// Classifies a (canonical) request path.
    pub fn of(path: &str) -> Self {
        if under(path, API) {
            if under(path, API_V1) {
                RouteClass::ApiV1
            } else if under(path, WEBHOOKS) {
                RouteClass::Webhook
            } else if under(path, TRAFFIC) {
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
}
