//! The REST tab: pick an operation, edit its body, send it with the chosen key, read the answer.

use keygate_types::keys::{OrderMode, Scope};
use serde::Serialize;
use web_sys::HtmlTextAreaElement;
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use super::body::{self, KeyPlace};
use super::endpoints::{endpoint_list, field_table, ListView};
use super::extras::{history_panel, snippet_panel, HistoryView, SnippetView};
use super::history::{self, HistoryEntry};
use super::key::ChosenKey;
use super::response::ResponseView;
use super::spec::{self, Endpoint, Group};
use crate::api::playground::{self as calls, Exchange};
use crate::api::ApiError;
use crate::app::Route;
use crate::components::{alert, error_alert, modal, AlertKind};
use crate::hooks::{expire_on_unauthorized, use_remote, use_session, Remote};
use crate::json_entries::get;

/// `?op=` of a deep link.
#[derive(Serialize)]
struct OpQuery<'a> {
    op: &'a str,
}

/// Properties of [`RestTab`].
#[derive(Properties, PartialEq)]
pub struct RestTabProps {
    /// The chosen key.
    pub chosen: ChosenKey,
    /// Stores a freshly revealed secret.
    pub on_revealed: Callback<(i64, String)>,
    /// The operation named by the URL (`?op=`): an operationId or the path's short name.
    pub initial_op: Option<String>,
}

async fn load_groups() -> Result<Vec<Group>, ApiError> {
    let text = calls::openapi_document().await?;
    spec::parse(&text).map_err(|message| ApiError {
        status: 0,
        message,
        fields: Default::default(),
    })
}

/// Finds an operation by id or short name.
fn find<'a>(groups: &'a [Group], name: &str) -> Option<&'a Endpoint> {
    groups
        .iter()
        .flat_map(|g| &g.endpoints)
        .find(|e| e.id == name || e.short_name() == name)
}

/// The REST tab.
#[function_component(RestTab)]
pub fn rest_tab(props: &RestTabProps) -> Html {
    let session = use_session();
    let navigator = use_navigator();
    let groups = use_remote(0, load_groups);
    let selected = use_state(|| props.initial_op.clone());
    let search = use_state(String::new);
    // The collapsed tags (a few; a vector costs less WebAssembly than a `BTreeSet`).
    let collapsed = use_state(Vec::<String>::new);
    // (operation id, body) pairs: a vector costs less WebAssembly than a `HashMap`.
    let drafts = use_state(Vec::<(String, String)>::new);
    let check_error = use_state(|| None::<String>);
    let busy = use_state(|| false);
    let result = use_state(|| None::<(String, Result<Exchange, ApiError>)>);
    let analyzer = use_state(|| None::<bool>);
    let analyzer_error = use_state(|| None::<ApiError>);
    let confirm = use_state(|| false);
    let history_list = use_state(history::load);
    let history_query = use_state(String::new);
    let snippet = use_state(|| None::<body::Snippet>);
    let snippet_key = use_state(|| false);

    // A link to another operation while the page is open (`?op=` changed).
    {
        let selected = selected.clone();
        use_effect_with(props.initial_op.clone(), move |op| {
            if op.is_some() && *op != *selected {
                selected.set(op.clone());
            }
        });
    }
    let place = props.chosen.place;
    // Switching body/header rewrites every draft's `apikey` field.
    {
        let drafts = drafts.clone();
        use_effect_with(place, move |place| {
            let rewritten: Vec<(String, String)> = drafts
                .iter()
                .map(|(op, text)| (op.clone(), body::switch_place(text, *place)))
                .collect();
            if rewritten != *drafts {
                drafts.set(rewritten);
            }
        });
    }
    // A new key means a new user's analyzer state may apply.
    {
        let analyzer = analyzer.clone();
        use_effect_with(props.chosen.name(), move |_| analyzer.set(None));
    }

    let all: &[Group] = match &*groups {
        Remote::Loaded(Ok(groups)) => groups,
        _ => &[],
    };
    let current: Option<Endpoint> = selected
        .as_deref()
        .and_then(|name| find(all, name))
        .or_else(|| find(all, "ping"))
        .or_else(|| all.first().and_then(|g| g.endpoints.first()))
        .cloned();
    let draft = current.as_ref().map(|e| {
        get(&drafts, &e.id)
            .cloned()
            .unwrap_or_else(|| body::from_example(e.example.as_ref(), place))
    });
    let blocked = current.as_ref().and_then(|e| props.chosen.blocked(e));

    let on_select = {
        let (selected, navigator, check_error) =
            (selected.clone(), navigator.clone(), check_error.clone());
        Callback::from(move |id: String| {
            check_error.set(None);
            if let Some(navigator) = &navigator {
                let _ = navigator.replace_with_query(&Route::Playground, &OpQuery { op: &id });
            }
            selected.set(Some(id));
        })
    };
    let set_draft = {
        let (drafts, current) = (drafts.clone(), current.clone());
        Callback::from(move |text: String| {
            if let Some(e) = &current {
                let mut next = (*drafts).clone();
                keep_draft(&mut next, &e.id, text);
                drafts.set(next);
            }
        })
    };

    // Sends the current draft; `confirmed` skips the live-ledger question.
    let send = {
        let (chosen, on_revealed) = (props.chosen.clone(), props.on_revealed.clone());
        let (current, draft, blocked) = (current.clone(), draft.clone(), blocked.is_some());
        let (busy, result, check_error, analyzer, confirm, history_list) = (
            busy.clone(),
            result.clone(),
            check_error.clone(),
            analyzer.clone(),
            confirm.clone(),
            history_list.clone(),
        );
        let session = session.clone();
        let csrf = session.csrf().unwrap_or_default().to_owned();
        Callback::from(move |confirmed: bool| {
            let (Some(endpoint), Some(text)) = (current.clone(), draft.clone()) else {
                return;
            };
            if blocked || *busy {
                return;
            }
            if let Err(problem) = body::check(&text) {
                check_error.set(Some(problem));
                return;
            }
            check_error.set(None);
            confirm.set(false);
            busy.set(true);
            let (chosen, on_revealed, csrf) = (chosen.clone(), on_revealed.clone(), csrf.clone());
            let (busy, result, analyzer, confirm, history_list) = (
                busy.clone(),
                result.clone(),
                analyzer.clone(),
                confirm.clone(),
                history_list.clone(),
            );
            let session = session.clone();
            spawn_local(async move {
                let op = endpoint.id.clone();
                let key = match chosen.obtain(&csrf, &on_revealed).await {
                    Ok(key) => key,
                    Err(error) => {
                        expire_on_unauthorized(&session, &error);
                        result.set(Some((op, Err(error))));
                        busy.set(false);
                        return;
                    }
                };
                if endpoint.places_orders()
                    && !confirmed
                    && chosen.order_mode() != Some(OrderMode::SemiAuto)
                {
                    let analyze = match *analyzer {
                        Some(on) => Some(on),
                        None => calls::analyzer_status(&key).await.ok(),
                    };
                    analyzer.set(analyze);
                    // Unknown counts as live: ask rather than guess.
                    if analyze != Some(true) {
                        confirm.set(true);
                        busy.set(false);
                        return;
                    }
                }
                let header = (chosen.place == KeyPlace::Header).then_some(key.as_str());
                let answer = calls::send(&endpoint.path, body::fill_key(&text, &key), header).await;
                if let Ok(exchange) = &answer {
                    let entry = HistoryEntry {
                        at_ms: js_sys::Date::now(),
                        op: op.clone(),
                        path: endpoint.path.clone(),
                        body: body::strip_key(&text, Some(&key)),
                        key_name: chosen.name(),
                        status: exchange.status,
                        elapsed_ms: exchange.elapsed_ms,
                    };
                    history_list.set(history::push(history::load(), entry));
                }
                result.set(Some((op, answer)));
                busy.set(false);
            });
        })
    };

    let on_keydown = {
        let send = send.clone();
        Callback::from(move |e: KeyboardEvent| {
            if (e.ctrl_key() || e.meta_key()) && e.key() == "Enter" {
                e.prevent_default();
                send.emit(false);
            }
        })
    };
    let oninput =
        set_draft.reform(|e: InputEvent| e.target_unchecked_into::<HtmlTextAreaElement>().value());
    let prettify = {
        let (set_draft, draft, check_error) =
            (set_draft.clone(), draft.clone(), check_error.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(text) = &draft {
                match body::check(text) {
                    Ok(_) => {
                        check_error.set(None);
                        set_draft.emit(body::prettify(text));
                    }
                    Err(problem) => check_error.set(Some(problem)),
                }
            }
        })
    };
    let reset = {
        let (set_draft, current, check_error) =
            (set_draft.clone(), current.clone(), check_error.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(e) = &current {
                check_error.set(None);
                set_draft.emit(body::from_example(e.example.as_ref(), place));
            }
        })
    };

    // Live/Analyze badge: check, and toggle.
    let analyzer_call = |toggle: bool| {
        let (chosen, on_revealed) = (props.chosen.clone(), props.on_revealed.clone());
        let (analyzer, analyzer_error, busy) =
            (analyzer.clone(), analyzer_error.clone(), busy.clone());
        let session = session.clone();
        let csrf = session.csrf().unwrap_or_default().to_owned();
        Callback::from(move |_: MouseEvent| {
            let (chosen, on_revealed, csrf) = (chosen.clone(), on_revealed.clone(), csrf.clone());
            let (analyzer, analyzer_error, busy) =
                (analyzer.clone(), analyzer_error.clone(), busy.clone());
            busy.set(true);
            let session = session.clone();
            spawn_local(async move {
                let answer = match chosen.obtain(&csrf, &on_revealed).await {
                    Ok(key) if toggle => {
                        calls::toggle_analyzer(&key, !(*analyzer).unwrap_or(false)).await
                    }
                    Ok(key) => calls::analyzer_status(&key).await,
                    Err(error) => Err(error),
                };
                match answer {
                    Ok(on) => {
                        analyzer.set(Some(on));
                        analyzer_error.set(None);
                    }
                    Err(error) => {
                        expire_on_unauthorized(&session, &error);
                        analyzer_error.set(Some(error));
                    }
                }
                busy.set(false);
            });
        })
    };

    let ledger = html! {
        <div class="pg-ledger" data-testid="ledger">
            { match *analyzer {
                Some(true) => html! { <span class="status warn" data-testid="ledger-mode">{ "Analyze (sandbox)" }</span> },
                Some(false) => html! { <span class="status ok" data-testid="ledger-mode">{ "Live" }</span> },
                None => html! { <span class="status muted" data-testid="ledger-mode">{ "Ledger unknown" }</span> },
            } }
            if analyzer.is_none() {
                <button type="button" class="btn btn-small" data-testid="ledger-check" disabled={*busy} onclick={analyzer_call(false)}>{ "Check" }</button>
            } else {
                <button type="button" class="btn btn-small" data-testid="ledger-toggle" disabled={*busy} onclick={analyzer_call(true)}
                        title="Calls /api/v1/analyzer/toggle with the chosen key">
                    { if *analyzer == Some(true) { "Switch to live" } else { "Switch to analyze" } }
                </button>
            }
        </div>
    };

    let on_search = {
        let search = search.clone();
        Callback::from(move |text: String| search.set(text))
    };
    let on_toggle = {
        let collapsed = collapsed.clone();
        Callback::from(move |tag: String| {
            let mut next = (*collapsed).clone();
            match next.iter().position(|t| *t == tag) {
                Some(at) => {
                    next.remove(at);
                }
                None => next.push(tag),
            }
            collapsed.set(next);
        })
    };
    let list = groups.view(|groups| {
        endpoint_list(ListView {
            groups,
            search: &search,
            collapsed: &collapsed,
            selected: current.as_ref().map(|e| e.id.as_str()),
            key: &props.chosen,
            on_search: on_search.clone(),
            on_toggle: on_toggle.clone(),
            on_select: on_select.clone(),
        })
    });

    let exit_only_note = current.as_ref().is_some_and(|e| {
        e.places_orders()
            && props
                .chosen
                .scopes()
                .is_some_and(|s| s.contains(&Scope::ExitOnly) && !s.contains(&Scope::Trade))
    });
    let semi_auto_note = current.as_ref().is_some_and(|e| e.places_orders())
        && props.chosen.order_mode() == Some(OrderMode::SemiAuto);

    let editor = match (&current, &draft) {
        (Some(endpoint), Some(text)) => {
            let send_click = send.reform(|_: MouseEvent| false);
            let answer = match &*result {
                Some((op, answer)) if *op == endpoint.id => Some(answer.clone()),
                _ => None,
            };
            html! {
                <div class="pg-main" onkeydown={on_keydown}>
                    <div class="pg-op-head">
                        <h2><span class="method">{ "POST" }</span>{ " " }<code data-testid="op-path">{ endpoint.path.clone() }</code></h2>
                        { ledger }
                    </div>
                    <p>{ endpoint.summary.clone() }</p>
                    if let Some(text) = &endpoint.description { <p class="muted pg-desc">{ text.clone() }</p> }
                    { error_alert((*analyzer_error).clone(), "ledger-error") }
                    if let Some(reason) = &blocked {
                        { alert(AlertKind::Warning, Some("op-blocked"), html! { <> { reason.clone() } </> }) }
                    }
                    if exit_only_note {
                        { alert(AlertKind::Info, Some("exit-only-note"), html! { <> { "exit_only key: it may cancel orders, close positions and place orders that reduce an open position of the same symbol, exchange and product (opposite side, at most its size). An order that would open or add to a position is refused with 403." } </> }) }
                    }
                    if semi_auto_note {
                        { alert(AlertKind::Info, Some("semi-auto-note"), html! { <> { "Semi-auto key: orders are not executed at once but queued in the Action Center for your approval." } </> }) }
                    }
                    <div class="pg-editor-row">
                        <div class="pg-editor">
                            <label for="pg-body">{ "Request body (JSON)" }</label>
                            <textarea id="pg-body" class="pg-textarea" spellcheck="false" rows="14" data-testid="body-editor"
                                      value={text.clone()} {oninput} aria-invalid={check_error.is_some().then_some("true")} />
                            <small class="hint">
                                { match place {
                                    KeyPlace::Body => format!("{} is replaced by the chosen key when sending; the key is never stored.", body::KEY_PLACEHOLDER),
                                    KeyPlace::Header => "The key goes in the X-API-KEY header.".to_owned(),
                                } }
                                if let Some(note) = &endpoint.body_note { <br />{ note.clone() } }
                            </small>
                            if let Some(problem) = &*check_error {
                                { alert(AlertKind::Error, Some("body-error"), html! { <> { problem.clone() } </> }) }
                            }
                            <div class="pg-actions">
                                <button type="button" class="btn btn-primary" data-testid="send" disabled={*busy || blocked.is_some()}
                                        onclick={send_click} title="Ctrl+Enter">
                                    { if *busy { "Sending…" } else { "Send" } }
                                </button>
                                <button type="button" class="btn" data-testid="prettify" onclick={prettify}>{ "Prettify" }</button>
                                <button type="button" class="btn" data-testid="reset-body" onclick={reset}>{ "Reset to example" }</button>
                                <span class="hint">{ "Ctrl+Enter sends" }</span>
                            </div>
                        </div>
                        { field_table(&endpoint.fields) }
                    </div>
                    { match answer {
                        Some(Ok(exchange)) => html! { <ResponseView {exchange} /> },
                        Some(Err(error)) => html! { { error_alert(Some(error), "send-error") } },
                        None => html! { <p class="muted" data-testid="no-response">{ "Send the request to see the answer here." }</p> },
                    } }
                    { snippet_panel(SnippetView {
                        endpoint,
                        body: text,
                        chosen: &props.chosen,
                        kind: *snippet,
                        with_key: *snippet_key,
                        on_kind: { let s = snippet.clone(); Callback::from(move |k| s.set(k)) },
                        on_with_key: { let s = snippet_key.clone(); Callback::from(move |v| s.set(v)) },
                    }) }
                </div>
            }
        }
        _ => {
            // While loading or failed, the list's place says so; an empty document is said here.
            match &*groups {
                Remote::Loaded(Ok(_)) => html! {
                    <p class="empty">{ "The server's OpenAPI document lists no operation that takes an API key." }</p>
                },
                _ => html! {},
            }
        }
    };

    let reopen = {
        let (selected, drafts, navigator) = (selected.clone(), drafts.clone(), navigator.clone());
        Callback::from(move |entry: HistoryEntry| {
            let mut next = (*drafts).clone();
            keep_draft(&mut next, &entry.op, body::switch_place(&entry.body, place));
            drafts.set(next);
            if let Some(navigator) = &navigator {
                let _ =
                    navigator.replace_with_query(&Route::Playground, &OpQuery { op: &entry.op });
            }
            selected.set(Some(entry.op));
        })
    };
    let clear_history = {
        let history_list = history_list.clone();
        Callback::from(move |_: MouseEvent| {
            history::save(&[]);
            history_list.set(Vec::new());
        })
    };

    let confirm_dialog = if *confirm {
        let cancel = {
            let confirm = confirm.clone();
            Callback::from(move |_: MouseEvent| confirm.set(false))
        };
        let go = send.reform(|_: MouseEvent| true);
        html! {
                    { modal("Send this order to the live ledger?".into(), "live-confirm", None, html! { <>
                        <p>{ "The analyzer is off (or could not be checked): this order goes to your live ledger, as a bot's would." }</p>
                        <div class="dialog-actions">
                            <button type="button" class="btn" data-testid="live-cancel" onclick={cancel}>{ "Cancel" }</button>
                            <button type="button" class="btn btn-danger" data-testid="live-confirm-send" onclick={go}>{ "Send live order" }</button>
                        </div>

        </> }) }
                }
    } else {
        html! {}
    };

    html! {
        <>
            <div class="pg-rest">
                { list }
                { editor }
            </div>
            { history_panel(HistoryView {
                entries: &history_list,
                query: &history_query,
                on_query: { let q = history_query.clone(); Callback::from(move |v| q.set(v)) },
                on_open: reopen,
                on_clear: clear_history,
            }) }
            { confirm_dialog }
        </>
    }
}

/// Keeps `text` as operation `op`'s draft body.
fn keep_draft(drafts: &mut Vec<(String, String)>, op: &str, text: String) {
    match drafts.iter_mut().find(|(known, _)| known == op) {
        Some((_, draft)) => *draft = text,
        None => drafts.push((op.to_owned(), text)),
    }
}
