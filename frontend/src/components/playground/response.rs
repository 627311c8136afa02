//! The answer to a Playground request: status, time, size, headers and the body.

use serde::Deserialize;
use yew::prelude::*;
use yew_router::history::{BrowserHistory, History};

use super::body::prettify;
use crate::api::playground::Exchange;
use crate::components::CopyButton;
use crate::pages::action_center::item_href;

/// Headers shown first, in this order, when present.
const KEY_HEADERS: [&str; 6] = [
    "x-request-id",
    "ratelimit-limit",
    "ratelimit-remaining",
    "ratelimit-reset",
    "ratelimit-policy",
    "retry-after",
];

/// The fields of an answer the page reacts to.
#[derive(Debug, Default, Deserialize)]
struct Notable {
    /// A semi-auto key's order waits in the Action Center.
    #[serde(default)]
    pending_order_id: Option<i64>,
    /// `analyze` when the sandbox ledger answered.
    #[serde(default)]
    mode: Option<String>,
}

/// Properties of [`ResponseView`].
#[derive(Properties, PartialEq)]
pub struct ResponseViewProps {
    /// The answer.
    pub exchange: Exchange,
}

/// CSS modifier of a status class.
fn status_class(status: u16) -> &'static str {
    match status {
        200..=299 => "ok",
        400..=499 => "warn",
        _ => "bad",
    }
}

/// Bytes as text.
fn size_text(bytes: usize) -> String {
    if bytes < 1024 {
        format!("{bytes} B")
    } else {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    }
}

/// A link to the queued item in the Action Center, followed inside the app. The router's history
/// is pushed directly with the path (a `Link` with a query type would add a serializer to the wasm).
fn item_link(id: i64) -> Html {
    let href = item_href(id);
    let onclick = {
        let href = href.clone();
        Callback::from(move |e: MouseEvent| {
            e.prevent_default();
            BrowserHistory::new().push(href.clone());
        })
    };
    html! {
        <a {href} {onclick} data-testid="semi-auto-link">{ "Approve or reject it in the Action Center →" }</a>
    }
}

/// Status line, headers and body with a pretty/raw switch and copy.
#[function_component(ResponseView)]
pub fn response_view(props: &ResponseViewProps) -> Html {
    let raw = use_state(|| false);
    let exchange = &props.exchange;
    let notable: Notable = serde_json::from_str(&exchange.body).unwrap_or_default();
    let shown = if *raw {
        exchange.body.clone()
    } else {
        prettify(&exchange.body)
    };
    let toggle = {
        let raw = raw.clone();
        Callback::from(move |_: MouseEvent| raw.set(!*raw))
    };
    let key_headers: Vec<(&str, &str)> = KEY_HEADERS
        .iter()
        .filter_map(|name| exchange.header(name).map(|v| (*name, v)))
        .collect();
    html! {
        <div class="card pg-response" data-testid="response" aria-live="polite">
            <div class="pg-status-line">
                <span class={classes!("status", status_class(exchange.status))} data-testid="response-status">
                    { format!("{} {}", exchange.status, exchange.status_text) }
                </span>
                <span data-testid="response-time">{ format!("{:.0} ms", exchange.elapsed_ms) }</span>
                <span data-testid="response-size">{ size_text(exchange.body.len()) }</span>
                if notable.mode.as_deref() == Some("analyze") {
                    <span class="badge badge-warn">{ "answered by the analyzer (sandbox)" }</span>
                }
            </div>
            if let Some(id) = notable.pending_order_id {
                <div class="alert alert-info" role="status" data-testid="semi-auto-queued">
                    { format!("This semi-auto key's order is queued as item #{id}. ") }
                    { item_link(id) }
                </div>
            }
            if !key_headers.is_empty() {
                <dl class="pg-headers" data-testid="response-key-headers">
                    { for key_headers.iter().map(|(n, v)| html! { <><dt>{ *n }</dt><dd><code>{ *v }</code></dd></> }) }
                </dl>
            }
            <details class="pg-all-headers">
                <summary>{ format!("All response headers ({})", exchange.headers.len()) }</summary>
                <dl class="pg-headers">
                    { for exchange.headers.iter().map(|(n, v)| html! { <><dt>{ n.clone() }</dt><dd><code>{ v.clone() }</code></dd></> }) }
                </dl>
            </details>
            <div class="pg-body-bar">
                <button type="button" class="btn btn-small" data-testid="response-raw" onclick={toggle} aria-pressed={raw.to_string()}>
                    { if *raw { "Pretty" } else { "Raw" } }
                </button>
                <CopyButton text={exchange.body.clone()} testid="response-copy" />
            </div>
            <pre class="pg-pre" data-testid="response-body">{ if shown.is_empty() { "(empty body)".to_owned() } else { shown } }</pre>
        </div>
    }
}
