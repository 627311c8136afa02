//! The `class` and `route` labels of a logged path. The route is the path's template in the
//! OpenAPI document (`/api/keys/{id}`), never the path itself, so ids, addresses and tokens in
//! paths cannot grow the number of series; the document is generated from the handlers, so every
//! route the server serves is in it.

use std::collections::{BTreeMap, HashSet};

use actix_web::dev::ResourceDef;
use serde::de::IgnoredAny;
use serde::Deserialize;

use crate::request_path::{NON_CANONICAL, UNKNOWN_ROUTE};
use crate::route_class::RouteClass;

/// The route label of a logged path that no documented route matches (none should).
pub const UNDOCUMENTED: &str = "<undocumented>";

/// A path's labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteLabels<'a> {
    /// The kind of route ([`class_name`]), or `unmatched` for paths no route matched.
    pub class: &'static str,
    /// The route's template, or the fixed path the traffic log stores for unmatched ones.
    pub route: &'a str,
}

/// The `class` label of a route class.
pub fn class_name(class: RouteClass) -> &'static str {
    match class {
        RouteClass::ApiV1 => "api_v1",
        RouteClass::Webhook => "webhook",
        RouteClass::TrafficLog => "traffic_log",
        RouteClass::SessionApi => "session_api",
        RouteClass::WebSocket => "websocket",
        RouteClass::Docs => "docs",
        RouteClass::OpenApiDoc => "openapi_doc",
        RouteClass::Health => "health",
        RouteClass::App => "app",
    }
}

/// The committed OpenAPI document. Its paths are read instead of building the document with
/// `ApiDoc::openapi()`: that build leaves ~5 MB of freed memory resident in an idle server
/// (docs/PERFORMANCE.md, "Resident memory"). `tests/api/openapi.rs` fails whenever the committed
/// document differs from the generated one, and the test below checks the paths themselves.
const COMMITTED_DOC: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../openapi/openapi.json"
));

/// The one part of the document the labels need: its path keys.
#[derive(Deserialize)]
struct DocumentPaths {
    paths: BTreeMap<String, IgnoredAny>,
}

/// The documented routes: static paths by text, templates with parameters in order.
pub struct RouteTemplates {
    fixed: HashSet<String>,
    templated: Vec<(ResourceDef, String)>,
}

impl RouteTemplates {
    /// The templates of every path in the OpenAPI document.
    pub fn from_openapi() -> Self {
        let document: DocumentPaths = serde_json::from_str(COMMITTED_DOC)
            .expect("openapi/openapi.json is the generated JSON");
        let mut fixed = HashSet::new();
        let mut templated = Vec::new();
        for path in document.paths.into_keys() {
            if path.contains('{') {
                templated.push((ResourceDef::new(path.as_str()), path));
            } else {
                fixed.insert(path);
            }
        }
        Self { fixed, templated }
    }

    /// The labels of a path as the traffic log stores it (the webhook token already redacted;
    /// `<unknown>` and `<non-canonical>` for paths no route matched). A static route wins over a
    /// template (`/api/keys/usage` is not `/api/keys/{id}`); one trailing slash is ignored, as
    /// every `/api/v1` and webhook route answers both spellings.
    pub fn labels<'a>(&'a self, path: &'a str) -> RouteLabels<'a> {
        if path == UNKNOWN_ROUTE || path == NON_CANONICAL {
            return RouteLabels {
                class: "unmatched",
                route: path,
            };
        }
        let trimmed = match path.strip_suffix('/') {
            Some(rest) if !rest.is_empty() => rest,
            _ => path,
        };
        let route = self.fixed.get(trimmed).map(String::as_str).or_else(|| {
            self.templated
                .iter()
                .find(|(def, _)| def.is_match(trimmed))
                .map(|(_, template)| template.as_str())
        });
        RouteLabels {
            class: class_name(RouteClass::of(trimmed)),
            route: route.unwrap_or(UNDOCUMENTED),
        }
    }
}

#[cfg(test)]
mod tests {
    use utoipa::OpenApi;

    use super::*;
    use crate::openapi::ApiDoc;

    #[test]
    fn the_committed_document_has_the_generated_paths() {
        let committed: DocumentPaths = serde_json::from_str(COMMITTED_DOC).unwrap();
        let committed: Vec<String> = committed.paths.into_keys().collect();
        let generated: Vec<String> = ApiDoc::openapi().paths.paths.into_keys().collect();
        assert_eq!(
            committed, generated,
            "regenerate it: cargo run -p keygate -- openapi > openapi/openapi.json"
        );
    }

    #[test]
    fn paths_get_their_documented_template_and_class() {
        let templates = RouteTemplates::from_openapi();
        for (path, class, route) in [
            ("/api/v1/ping", "api_v1", "/api/v1/ping"),
            ("/api/v1/ping/", "api_v1", "/api/v1/ping"),
            (
                "/api/keys/17/revoke",
                "session_api",
                "/api/keys/{id}/revoke",
            ),
            ("/api/keys/usage", "session_api", "/api/keys/usage"),
            ("/api/keys/3", "session_api", "/api/keys/{id}"),
            (
                "/api/security/bans/2001:db8::",
                "session_api",
                "/api/security/bans/{ip}",
            ),
            (
                "/api/webhook/chartink/[token]",
                "webhook",
                "/api/webhook/chartink/{token}",
            ),
            (
                "/api/webhook/tradingview/",
                "webhook",
                "/api/webhook/tradingview",
            ),
            ("/health", "health", "/health"),
            ("<unknown>", "unmatched", "<unknown>"),
            ("<non-canonical>", "unmatched", "<non-canonical>"),
            ("/api/nothing/here", "session_api", UNDOCUMENTED),
        ] {
            assert_eq!(
                templates.labels(path),
                RouteLabels { class, route },
                "{path}"
            );
        }
    }
}
