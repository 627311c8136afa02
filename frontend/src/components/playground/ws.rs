//! The WebSocket tab: the feed URL from the session info (`/ws` on this origin unless the server
//! names a public one), authenticated with the chosen key; subscribe in
//! LTP, Quote or Depth mode; a live log and the latest tick per symbol.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{CloseEvent, Event, HtmlInputElement, HtmlSelectElement, MessageEvent, WebSocket};
use yew::platform::spawn_local;
use yew::prelude::*;

use super::body::KEY_PLACEHOLDER;
use super::key::ChosenKey;
use super::ws_state::{Conn, LogEntry, LogKind, WsAction, WsState};
use crate::api::ApiError;
use crate::components::error_alert;
use crate::hooks::{expire_on_unauthorized, use_session};

/// Ready-made subscriptions: (label, symbol, exchange, mode).
const TEMPLATES: [(&str, &str, &str, u8); 4] = [
    ("RELIANCE · LTP", "RELIANCE", "NSE", 1),
    ("SBIN · Quote", "SBIN", "NSE", 2),
    ("INFY · Depth", "INFY", "NSE", 3),
    ("NIFTY index · LTP", "NIFTY", "NSE_INDEX", 1),
];

/// Exchanges offered in the form.
const EXCHANGES: [&str; 8] = [
    "NSE",
    "BSE",
    "NFO",
    "BFO",
    "MCX",
    "CDS",
    "NSE_INDEX",
    "BSE_INDEX",
];

fn mode_name(mode: u8) -> &'static str {
    match mode {
        1 => "LTP",
        2 => "Quote",
        _ => "Depth",
    }
}

/// An open socket and the handlers it calls (kept alive as long as the socket).
struct Socket {
    ws: WebSocket,
    _on_open: Closure<dyn FnMut(Event)>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
    _on_error: Closure<dyn FnMut(Event)>,
}

impl Drop for Socket {
    fn drop(&mut self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        self.ws.set_onerror(None);
        let _ = self.ws.close();
    }
}

fn now() -> f64 {
    js_sys::Date::now()
}

/// Opens the socket to `url`; authenticates with `key` as soon as it is open.
fn open(url: &str, key: String, state: UseReducerDispatcher<WsState>) -> Result<Socket, String> {
    let ws = WebSocket::new(url).map_err(|_| format!("The browser refused to open {url}."))?;
    state.dispatch(WsAction::Note(format!("connecting to {url}"), now()));
    let on_open = {
        let (ws, state) = (ws.clone(), state.clone());
        Closure::<dyn FnMut(Event)>::new(move |_: Event| {
            state.dispatch(WsAction::Opened);
            let frame = format!(r#"{{"action":"authenticate","api_key":"{key}"}}"#);
            match ws.send_with_str(&frame) {
                Ok(()) => {
                    state.dispatch(WsAction::Sent(frame.replace(&key, KEY_PLACEHOLDER), now()))
                }
                Err(_) => state.dispatch(WsAction::Failed(
                    "could not send the authentication".into(),
                    now(),
                )),
            }
        })
    };
    let on_message = {
        let state = state.clone();
        Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let text = e
                .data()
                .as_string()
                .unwrap_or_else(|| "(a binary frame)".to_owned());
            state.dispatch(WsAction::Received(text, now()));
        })
    };
    let on_close = {
        let state = state.clone();
        Closure::<dyn FnMut(CloseEvent)>::new(move |e: CloseEvent| {
            state.dispatch(WsAction::Closed(e.code(), e.reason(), now()));
        })
    };
    let on_error = Closure::<dyn FnMut(Event)>::new(move |_: Event| {
        state.dispatch(WsAction::Failed(
            "the connection failed (see the close code)".into(),
            now(),
        ));
    });
    ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    ws.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    Ok(Socket {
        ws,
        _on_open: on_open,
        _on_message: on_message,
        _on_close: on_close,
        _on_error: on_error,
    })
}

/// Properties of [`WsTab`].
#[derive(Properties, PartialEq)]
pub struct WsTabProps {
    /// The chosen key.
    pub chosen: ChosenKey,
    /// Stores a freshly revealed secret.
    pub on_revealed: Callback<(i64, String)>,
}

/// The WebSocket tab.
#[function_component(WsTab)]
pub fn ws_tab(props: &WsTabProps) -> Html {
    let session = use_session();
    let state = use_reducer(WsState::default);
    let socket = use_mut_ref(|| None::<Socket>);
    let error = use_state(|| None::<ApiError>);
    let symbol = use_state(|| "RELIANCE".to_owned());
    let exchange = use_state(|| "NSE".to_owned());
    let mode = use_state(|| 1u8);
    let search = use_state(String::new);
    {
        // Leaving the page closes the socket.
        let socket = socket.clone();
        use_effect_with((), move |_| move || drop(socket.borrow_mut().take()));
    }

    let connected = matches!(state.conn, Conn::Open | Conn::Authenticated);
    let connect = {
        let (chosen, on_revealed) = (props.chosen.clone(), props.on_revealed.clone());
        let (socket, error, dispatcher) = (socket.clone(), error.clone(), state.dispatcher());
        let session = session.clone();
        let csrf = session.csrf().unwrap_or_default().to_owned();
        // The URL the server named in the session info (`KEYGATE_WS_PUBLIC_URL` or `/ws` here).
        let url = session.ws_url().unwrap_or_default().to_owned();
        Callback::from(move |_: MouseEvent| {
            let (chosen, on_revealed, csrf) = (chosen.clone(), on_revealed.clone(), csrf.clone());
            let url = url.clone();
            let (socket, error, dispatcher) = (socket.clone(), error.clone(), dispatcher.clone());
            error.set(None);
            dispatcher.dispatch(WsAction::Connecting);
            let session = session.clone();
            spawn_local(async move {
                let key = match chosen.obtain(&csrf, &on_revealed).await {
                    Ok(key) => key,
                    Err(e) => {
                        dispatcher.dispatch(WsAction::Closed(0, "no key".into(), now()));
                        expire_on_unauthorized(&session, &e);
                        error.set(Some(e));
                        return;
                    }
                };
                drop(socket.borrow_mut().take());
                match open(&url, key, dispatcher.clone()) {
                    Ok(opened) => *socket.borrow_mut() = Some(opened),
                    Err(problem) => {
                        dispatcher.dispatch(WsAction::Failed(problem.clone(), now()));
                        dispatcher.dispatch(WsAction::Closed(0, problem, now()));
                    }
                }
            });
        })
    };
    let disconnect = {
        let socket = socket.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(s) = socket.borrow().as_ref() {
                let _ = s.ws.close_with_code_and_reason(1000, "closed by the user");
            }
        })
    };
    let send_frame = {
        let (socket, dispatcher) = (socket.clone(), state.dispatcher());
        Rc::new(move |frame: String| send(&socket, &dispatcher, frame))
    };
    let subscribe = |action: &'static str| {
        let (send_frame, symbol, exchange, mode) = (
            send_frame.clone(),
            symbol.clone(),
            exchange.clone(),
            mode.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let frame = serde_json::json!({
                "action": action, "symbol": symbol.trim().to_ascii_uppercase(), "exchange": *exchange, "mode": *mode, "depth": 5
            });
            send_frame(frame.to_string());
        })
    };
    let unsubscribe_all = {
        let send_frame = send_frame.clone();
        Callback::from(move |_: MouseEvent| {
            send_frame(r#"{"action":"unsubscribe_all"}"#.to_owned())
        })
    };
    let ping = {
        let send_frame = send_frame.clone();
        Callback::from(move |_: MouseEvent| {
            send_frame(format!(
                r#"{{"action":"ping","timestamp":{}}}"#,
                now() as u64
            ))
        })
    };
    let template = |(label, sym, exch, m): (&'static str, &'static str, &'static str, u8)| {
        let (symbol, exchange, mode) = (symbol.clone(), exchange.clone(), mode.clone());
        let onclick = Callback::from(move |_: MouseEvent| {
            symbol.set(sym.to_owned());
            exchange.set(exch.to_owned());
            mode.set(m);
        });
        html! { <button type="button" class="btn btn-small" {onclick}>{ label }</button> }
    };
    let on_symbol = {
        let symbol = symbol.clone();
        Callback::from(move |e: InputEvent| {
            symbol.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let on_exchange = {
        let exchange = exchange.clone();
        Callback::from(move |e: Event| {
            exchange.set(e.target_unchecked_into::<HtmlSelectElement>().value())
        })
    };
    let on_mode = {
        let mode = mode.clone();
        Callback::from(move |e: Event| {
            mode.set(
                e.target_unchecked_into::<HtmlSelectElement>()
                    .value()
                    .parse()
                    .unwrap_or(1),
            )
        })
    };
    let on_search = {
        let search = search.clone();
        Callback::from(move |e: InputEvent| {
            search.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let pause = {
        let dispatcher = state.dispatcher();
        Callback::from(move |_: MouseEvent| dispatcher.dispatch(WsAction::TogglePause))
    };
    let clear = {
        let dispatcher = state.dispatcher();
        Callback::from(move |_: MouseEvent| dispatcher.dispatch(WsAction::Clear))
    };
    let export = {
        let log: Vec<LogEntry> = state.log.iter().chain(&state.held).cloned().collect();
        Callback::from(move |_: MouseEvent| download_json("keygate-websocket-log.json", &log))
    };

    let status = match &state.conn {
        Conn::Idle => {
            html! { <span class="status muted" data-testid="ws-status">{ "Not connected" }</span> }
        }
        Conn::Connecting => {
            html! { <span class="status muted" data-testid="ws-status">{ "Connecting…" }</span> }
        }
        Conn::Open => {
            html! { <span class="status warn" data-testid="ws-status">{ "Open, authenticating…" }</span> }
        }
        Conn::Authenticated => {
            html! { <span class="status ok" data-testid="ws-status">{ "Connected" }</span> }
        }
        Conn::Closed { code, reason } => html! {
            <span class="status bad" data-testid="ws-status">{ format!("Closed {code}{}", if reason.is_empty() { String::new() } else { format!(": {reason}") }) }</span>
        },
    };
    let query = search.trim().to_ascii_lowercase();
    let lines: Vec<&LogEntry> = state
        .log
        .iter()
        .rev()
        .filter(|e| query.is_empty() || e.text.to_ascii_lowercase().contains(&query))
        .collect();

    html! {
        <div class="pg-ws" data-testid="ws-tab">
            <div class="card">
                <div class="pg-ws-bar">
                    { status }
                    if connected {
                        <button type="button" class="btn" data-testid="ws-disconnect" onclick={disconnect}>{ "Disconnect" }</button>
                        <button type="button" class="btn" data-testid="ws-ping" onclick={ping}>{ "Ping" }</button>
                    } else {
                        <button type="button" class="btn btn-primary" data-testid="ws-connect" onclick={connect}
                                disabled={state.conn == Conn::Connecting}>{ "Connect" }</button>
                    }
                    if let Some(ms) = state.latency_ms {
                        <span data-testid="ws-latency">{ format!("ping {ms:.0} ms") }</span>
                    }
                    <span class="hint" data-testid="ws-url">{ session.ws_url().unwrap_or_default() }</span>
                </div>
                { error_alert((*error).clone(), "ws-error") }
                <div class="pg-templates">
                    <span class="muted">{ "Templates: " }</span>
                    { for TEMPLATES.iter().map(|t| template(*t)) }
                </div>
                <div class="pg-sub-form">
                    <div class="field">
                        <label for="ws-symbol">{ "Symbol" }</label>
                        <input id="ws-symbol" type="text" value={(*symbol).clone()} oninput={on_symbol} />
                    </div>
                    <div class="field">
                        <label for="ws-exchange">{ "Exchange" }</label>
                        <select id="ws-exchange" onchange={on_exchange}>
                            { for EXCHANGES.iter().map(|x| html! { <option value={*x} selected={*exchange == *x}>{ *x }</option> }) }
                        </select>
                    </div>
                    <div class="field">
                        <label for="ws-mode">{ "Mode" }</label>
                        <select id="ws-mode" onchange={on_mode}>
                            { for [1u8, 2, 3].iter().map(|m| html! { <option value={m.to_string()} selected={*mode == *m}>{ mode_name(*m) }</option> }) }
                        </select>
                    </div>
                    <div class="pg-actions">
                        <button type="button" class="btn btn-primary" data-testid="ws-subscribe" disabled={state.conn != Conn::Authenticated}
                                onclick={subscribe("subscribe")}>{ "Subscribe" }</button>
                        <button type="button" class="btn" data-testid="ws-unsubscribe" disabled={state.conn != Conn::Authenticated}
                                onclick={subscribe("unsubscribe")}>{ "Unsubscribe" }</button>
                        <button type="button" class="btn" disabled={state.conn != Conn::Authenticated} onclick={unsubscribe_all}>{ "Unsubscribe all" }</button>
                    </div>
                </div>
            </div>
            <div class="card">
                <h2>{ "Latest tick per symbol" }</h2>
                { tick_table(&state) }
            </div>
            <div class="card">
                <div class="pg-log-bar">
                    <h2 class="inline">{ "Messages" }</h2>
                    <input type="search" placeholder="Search messages" aria-label="Search messages" value={(*search).clone()} oninput={on_search} />
                    <button type="button" class="btn btn-small" data-testid="ws-pause" onclick={pause} aria-pressed={state.paused.to_string()}>
                        { if state.paused { format!("Resume ({} new)", state.held.len()) } else { "Pause".to_owned() } }
                    </button>
                    <button type="button" class="btn btn-small" onclick={clear}>{ "Clear" }</button>
                    <button type="button" class="btn btn-small" data-testid="ws-export" onclick={export}>{ "Export JSON" }</button>
                </div>
                if lines.is_empty() {
                    <p class="empty">{ if state.log.is_empty() { "No messages yet: connect, then subscribe." } else { "No message matches." } }</p>
                } else {
                    <ol class="pg-log" data-testid="ws-log">
                        { for lines.iter().take(200).map(|e| log_line(e)) }
                    </ol>
                }
                <small class="hint">{ format!("Newest first; the last {} messages are kept.", super::ws_state::LOG_LIMIT) }</small>
            </div>
        </div>
    }
}

fn send(
    socket: &Rc<RefCell<Option<Socket>>>,
    state: &UseReducerDispatcher<WsState>,
    frame: String,
) {
    match socket.borrow().as_ref() {
        Some(s) if s.ws.send_with_str(&frame).is_ok() => {
            state.dispatch(WsAction::Sent(frame, now()))
        }
        _ => state.dispatch(WsAction::Failed("not connected".into(), now())),
    }
}

fn log_line(entry: &LogEntry) -> Html {
    let (label, class) = match entry.kind {
        LogKind::Sent => ("sent", "sent"),
        LogKind::Received => ("recv", "recv"),
        LogKind::Error => ("error", "error"),
        LogKind::System => ("system", "system"),
    };
    let date = js_sys::Date::new(&entry.at_ms.into());
    let time = format!(
        "{:02}:{:02}:{:02}.{:03}",
        date.get_hours(),
        date.get_minutes(),
        date.get_seconds(),
        date.get_milliseconds()
    );
    html! {
        <li class={classes!("pg-log-line", class)} data-kind={label}>
            <span class="muted">{ time }</span>{ " " }<span class="pg-log-kind">{ label }</span>{ " " }<code>{ entry.text.clone() }</code>
        </li>
    }
}

fn tick_table(state: &WsState) -> Html {
    if state.ticks.is_empty() {
        return html! { <p class="empty" data-testid="ticks-empty">{ "No ticks yet." }</p> };
    }
    let number = |v: Option<f64>| v.map_or_else(|| "—".to_owned(), |v| format!("{v:.2}"));
    html! {
        <div class="table-wrap">
            <table class="table table-compact" data-testid="ticks">
                <thead><tr><th>{ "Symbol" }</th><th>{ "Mode" }</th><th>{ "LTP" }</th><th>{ "Change %" }</th><th>{ "Volume" }</th><th>{ "Bid / ask" }</th><th>{ "Ticks" }</th></tr></thead>
                <tbody>
                    { for state.ticks.iter().map(|((exchange, symbol), t)| html! {
                        <tr data-testid="tick-row" data-symbol={symbol.clone()}>
                            <td>{ format!("{exchange}:{symbol}") }</td>
                            <td>{ mode_name(t.mode) }</td>
                            <td data-testid="tick-ltp">{ number(t.ltp) }</td>
                            <td>{ number(t.change_percent) }</td>
                            <td>{ t.volume.map_or_else(|| "—".to_owned(), |v| format!("{v:.0}")) }</td>
                            <td>{ t.best.map_or_else(|| "—".to_owned(), |(b, a)| format!("{b:.2} / {a:.2}")) }</td>
                            <td>{ t.count }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        </div>
    }
}

/// Offers `value` as a JSON file download.
fn download_json<T: serde::Serialize>(name: &str, value: &T) {
    let Ok(text) = serde_json::to_string_pretty(value) else {
        return;
    };
    let parts = js_sys::Array::of1(&text.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/json");
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    if let Some(anchor) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("a").ok())
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        anchor.set_href(&url);
        anchor.set_download(name);
        anchor.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}
