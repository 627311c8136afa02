//! The REST tab's side panels: code snippets and the request history. Plain functions.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::body::{self, KeyPlace, Snippet};
use super::history::{HistoryEntry, HISTORY_LIMIT};
use super::key::ChosenKey;
use super::spec::Endpoint;
use crate::components::CopyButton;

/// What the snippet panel needs.
pub struct SnippetView<'a> {
    /// The open operation.
    pub endpoint: &'a Endpoint,
    /// The editor's text.
    pub body: &'a str,
    /// The chosen key.
    pub chosen: &'a ChosenKey,
    /// The snippet shown, if any.
    pub kind: Option<Snippet>,
    /// Whether the real key is written into the snippet.
    pub with_key: bool,
    /// Show another snippet (or none).
    pub on_kind: Callback<Option<Snippet>>,
    /// Include the key or not.
    pub on_with_key: Callback<bool>,
}

/// "Copy as" curl, Python requests or the openalgo SDK, the key masked unless asked.
pub fn snippet_panel(view: SnippetView<'_>) -> Html {
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    let button = |kind: Snippet, label: &'static str, testid: &'static str| {
        let on = view.kind == Some(kind);
        let onclick = view
            .on_kind
            .reform(move |_: MouseEvent| (!on).then_some(kind));
        html! {
            <button type="button" class={classes!("seg", on.then_some("on"))} aria-pressed={on.to_string()}
                    data-testid={testid} {onclick}>{ label }</button>
        }
    };
    let secret = view.chosen.known_secret().filter(|_| view.with_key);
    let key = secret.unwrap_or(body::SNIPPET_KEY);
    let text = view.kind.map(|kind| {
        body::snippet(
            kind,
            &origin,
            &view.endpoint.path,
            view.body,
            view.chosen.place,
            key,
        )
    });
    let on_with_key = view
        .on_with_key
        .reform(|e: Event| e.target_unchecked_into::<HtmlInputElement>().checked());
    html! {
        <div class="pg-snippets">
            <div class="segmented" role="group" aria-label="Copy as">
                <span class="muted">{ "Copy as " }</span>
                { button(Snippet::Curl, "curl", "snippet-curl") }
                { button(Snippet::Python, "Python requests", "snippet-python") }
                { button(Snippet::Sdk, "openalgo SDK", "snippet-sdk") }
            </div>
            if let Some(text) = text {
                <label class="check">
                    <input type="checkbox" checked={view.with_key} onchange={on_with_key}
                           disabled={view.chosen.known_secret().is_none()} data-testid="snippet-with-key" />
                    { " Include the full key" }
                    if view.chosen.known_secret().is_none() { <span class="muted">{ " (after the first Send)" }</span> }
                </label>
                <pre class="pg-pre" data-testid="snippet-text">{ text.clone() }</pre>
                <CopyButton text={text} testid="snippet-copy" />
                if view.chosen.place == KeyPlace::Body && view.kind == Some(Snippet::Sdk) {
                    <small class="hint">{ " The SDK always sends the key in the body." }</small>
                }
            }
        </div>
    }
}

/// What the history panel needs.
pub struct HistoryView<'a> {
    /// Newest first.
    pub entries: &'a [HistoryEntry],
    /// The search text.
    pub query: &'a str,
    /// Search text changed.
    pub on_query: Callback<String>,
    /// Re-open an entry in the editor.
    pub on_open: Callback<HistoryEntry>,
    /// Forget every entry.
    pub on_clear: Callback<MouseEvent>,
}

/// A time as `HH:MM:SS` in the browser's zone.
fn clock(at_ms: f64) -> String {
    let date = js_sys::Date::new(&at_ms.into());
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date(),
        date.get_hours(),
        date.get_minutes(),
        date.get_seconds()
    )
}

/// The last requests, searchable, each re-openable.
pub fn history_panel(view: HistoryView<'_>) -> Html {
    let query = view.query.trim().to_ascii_lowercase();
    let oninput = view
        .on_query
        .reform(|e: InputEvent| e.target_unchecked_into::<HtmlInputElement>().value());
    let matching: Vec<&HistoryEntry> = view.entries.iter().filter(|e| e.matches(&query)).collect();
    html! {
        <details class="card pg-history" data-testid="history">
            <summary><h2 class="inline">{ format!("History ({})", view.entries.len()) }</h2></summary>
            <p class="hint">{ format!("The last {HISTORY_LIMIT} requests sent from this browser, stored in it without keys.") }</p>
            <div class="pg-history-bar">
                <input type="search" placeholder="Search path, key name, body or status" aria-label="Search history"
                       data-testid="history-search" value={view.query.to_owned()} {oninput} />
                <button type="button" class="btn btn-small" data-testid="history-clear" onclick={view.on_clear}
                        disabled={view.entries.is_empty()}>{ "Clear" }</button>
            </div>
            if matching.is_empty() {
                <p class="empty" data-testid="history-empty">
                    { if view.entries.is_empty() { "Nothing sent yet." } else { "No request matches." } }
                </p>
            } else {
                <div class="table-wrap">
                    <table class="table table-compact">
                        <thead><tr><th>{ "Sent" }</th><th>{ "Path" }</th><th>{ "Key" }</th><th>{ "Status" }</th><th>{ "Time" }</th><th></th></tr></thead>
                        <tbody>
                            { for matching.iter().take(HISTORY_LIMIT).map(|entry| {
                                let open = { let e = (*entry).clone(); view.on_open.reform(move |_: MouseEvent| e.clone()) };
                                let class = match entry.status { 200..=299 => "ok", 400..=499 => "warn", _ => "bad" };
                                html! {
                                    <tr data-testid="history-row">
                                        <td class="nowrap">{ clock(entry.at_ms) }</td>
                                        <td><code>{ entry.path.clone() }</code></td>
                                        <td>{ entry.key_name.clone() }</td>
                                        <td><span class={classes!("status", class)}>{ entry.status }</span></td>
                                        <td class="nowrap">{ format!("{:.0} ms", entry.elapsed_ms) }</td>
                                        <td><button type="button" class="btn btn-small" data-testid="history-open" onclick={open}>{ "Open" }</button></td>
                                    </tr>
                                }
                            }) }
                        </tbody>
                    </table>
                </div>
            }
        </details>
    }
}
