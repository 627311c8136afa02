//! The WebSocket tab's state: connection status, the capped message log and the latest tick
//! per symbol. Pure (no browser calls) so it is unit-tested.

use std::collections::VecDeque;
use std::rc::Rc;

use serde::{Deserialize, Serialize};
use yew::Reducible;

/// At most this many log lines are kept (older ones are dropped).
pub const LOG_LIMIT: usize = 500;

/// Where the connection stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Conn {
    /// Not connected yet.
    Idle,
    /// Opening the socket (or revealing the key).
    Connecting,
    /// Open, authentication sent.
    Open,
    /// The server accepted the key.
    Authenticated,
    /// Closed, with the close code and reason.
    Closed {
        /// The close code (e.g. 4403 when the key was revoked).
        code: u16,
        /// The server's reason.
        reason: String,
    },
}

/// Who a log line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogKind {
    /// Sent by this page.
    Sent,
    /// Received from the server.
    Received,
    /// An error frame, or a socket error.
    Error,
    /// What the page did (connecting, closed…).
    System,
}

/// One log line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogEntry {
    /// Increasing number.
    pub id: u64,
    /// Milliseconds since the epoch.
    pub at_ms: f64,
    /// Who it came from.
    pub kind: LogKind,
    /// The frame's text (keys replaced by a placeholder for sent frames).
    pub text: String,
}

/// The latest tick of one symbol.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    /// `market_data` mode (1 LTP, 2 Quote, 3 Depth).
    pub mode: u8,
    /// Last traded price.
    pub ltp: Option<f64>,
    /// Day change in percent (quote mode).
    pub change_percent: Option<f64>,
    /// Volume (quote mode).
    pub volume: Option<f64>,
    /// Best bid and ask (depth mode).
    pub best: Option<(f64, f64)>,
    /// When it arrived.
    pub at_ms: f64,
    /// How many ticks arrived for the symbol.
    pub count: u64,
}

/// The fields of a server frame the tab reads.
#[derive(Debug, Default, Deserialize)]
struct Frame {
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    symbol: Option<String>,
    #[serde(default)]
    exchange: Option<String>,
    #[serde(default)]
    mode: Option<u8>,
    #[serde(default)]
    data: Option<TickData>,
    #[serde(default)]
    client_timestamp: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
struct TickData {
    #[serde(default)]
    ltp: Option<f64>,
    #[serde(default)]
    change_percent: Option<f64>,
    #[serde(default)]
    volume: Option<f64>,
    #[serde(default)]
    depth: Option<Depth>,
}

#[derive(Debug, Default, Deserialize)]
struct Depth {
    #[serde(default)]
    buy: Vec<Level>,
    #[serde(default)]
    sell: Vec<Level>,
}

#[derive(Debug, Deserialize)]
struct Level {
    price: f64,
}

/// The whole tab's state.
#[derive(Debug, Clone, PartialEq)]
pub struct WsState {
    /// The connection.
    pub conn: Conn,
    /// Shown log lines, oldest first.
    pub log: VecDeque<LogEntry>,
    /// Lines that arrived while paused (shown as "N new").
    pub held: VecDeque<LogEntry>,
    /// Whether the log is paused.
    pub paused: bool,
    /// Latest tick per (exchange, symbol), sorted by it (a vector, not a `BTreeMap`: one
    /// B-tree instantiation costs ~5 KB of WebAssembly).
    pub ticks: Vec<((String, String), Tick)>,
    /// The last ping's round trip.
    pub latency_ms: Option<f64>,
    next_id: u64,
}

impl Default for WsState {
    fn default() -> Self {
        Self {
            conn: Conn::Idle,
            log: VecDeque::new(),
            held: VecDeque::new(),
            paused: false,
            ticks: Vec::new(),
            latency_ms: None,
            next_id: 0,
        }
    }
}

/// Changes to [`WsState`].
#[derive(Debug, Clone, PartialEq)]
pub enum WsAction {
    /// Connecting started.
    Connecting,
    /// The socket opened.
    Opened,
    /// A frame arrived at `at_ms`.
    Received(String, f64),
    /// A frame was sent.
    Sent(String, f64),
    /// Something failed.
    Failed(String, f64),
    /// A note from the page.
    Note(String, f64),
    /// The socket closed.
    Closed(u16, String, f64),
    /// Pause or resume the log.
    TogglePause,
    /// Empty the log.
    Clear,
}

impl WsState {
    fn add(&mut self, kind: LogKind, text: String, at_ms: f64) {
        self.next_id += 1;
        let entry = LogEntry {
            id: self.next_id,
            at_ms,
            kind,
            text,
        };
        let target = if self.paused {
            &mut self.held
        } else {
            &mut self.log
        };
        target.push_back(entry);
        while target.len() > LOG_LIMIT {
            target.pop_front();
        }
    }

    fn receive(&mut self, text: String, at_ms: f64) {
        let frame: Frame = serde_json::from_str(&text).unwrap_or_default();
        let is_error = frame.status.as_deref() == Some("error");
        match frame.kind.as_deref() {
            Some("auth") if !is_error => self.conn = Conn::Authenticated,
            Some("pong") => {
                if let Some(sent) = frame.client_timestamp {
                    self.latency_ms = Some((at_ms - sent).max(0.0));
                }
            }
            Some("market_data") => {
                if let (Some(symbol), Some(exchange)) = (frame.symbol, frame.exchange) {
                    let data = frame.data.unwrap_or_default();
                    let key = (exchange, symbol);
                    let slot = self.ticks.binary_search_by(|(known, _)| known.cmp(&key));
                    let count = slot.map_or(0, |at| self.ticks[at].1.count) + 1;
                    let best = data
                        .depth
                        .as_ref()
                        .and_then(|d| Some((d.buy.first()?.price, d.sell.first()?.price)));
                    let tick = Tick {
                        mode: frame.mode.unwrap_or(0),
                        ltp: data.ltp,
                        change_percent: data.change_percent,
                        volume: data.volume,
                        best,
                        at_ms,
                        count,
                    };
                    match slot {
                        Ok(at) => self.ticks[at].1 = tick,
                        Err(at) => self.ticks.insert(at, (key, tick)),
                    }
                }
            }
            _ => {}
        }
        let kind = if is_error {
            LogKind::Error
        } else {
            LogKind::Received
        };
        self.add(kind, text, at_ms);
    }
}

impl Reducible for WsState {
    type Action = WsAction;

    fn reduce(self: Rc<Self>, action: WsAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            WsAction::Connecting => {
                next.conn = Conn::Connecting;
                next.latency_ms = None;
            }
            WsAction::Opened => next.conn = Conn::Open,
            WsAction::Received(text, at) => next.receive(text, at),
            WsAction::Sent(text, at) => next.add(LogKind::Sent, text, at),
            WsAction::Failed(text, at) => next.add(LogKind::Error, text, at),
            WsAction::Note(text, at) => next.add(LogKind::System, text, at),
            WsAction::Closed(code, reason, at) => {
                let note = if reason.is_empty() {
                    format!("closed with code {code}")
                } else {
                    format!("closed with code {code}: {reason}")
                };
                next.add(LogKind::System, note, at);
                next.conn = Conn::Closed { code, reason };
            }
            WsAction::TogglePause => {
                if next.paused {
                    let held = std::mem::take(&mut next.held);
                    next.paused = false;
                    for entry in held {
                        next.log.push_back(entry);
                    }
                    while next.log.len() > LOG_LIMIT {
                        next.log.pop_front();
                    }
                } else {
                    next.paused = true;
                }
            }
            WsAction::Clear => {
                next.log.clear();
                next.held.clear();
            }
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(state: WsState, actions: Vec<WsAction>) -> WsState {
        let mut state = Rc::new(state);
        for action in actions {
            state = state.reduce(action);
        }
        (*state).clone()
    }

    #[test]
    fn ticks_keep_the_latest_per_symbol() {
        let tick = |ltp: f64| {
            WsAction::Received(
                format!(
                    r#"{{"type":"market_data","symbol":"SBIN","exchange":"NSE","mode":1,"data":{{"ltp":{ltp}}}}}"#
                ),
                1.0,
            )
        };
        let state = run(WsState::default(), vec![tick(800.0), tick(801.5)]);
        assert_eq!(state.ticks.len(), 1);
        let (key, latest) = &state.ticks[0];
        assert_eq!(key, &("NSE".to_owned(), "SBIN".to_owned()));
        assert_eq!(latest.ltp, Some(801.5));
        assert_eq!(latest.count, 2);
        assert_eq!(state.log.len(), 2);
    }

    #[test]
    fn auth_pong_errors_and_close_are_understood() {
        let state = run(
            WsState::default(),
            vec![
                WsAction::Opened,
                WsAction::Received(r#"{"type":"auth","status":"success"}"#.into(), 10.0),
                WsAction::Received(
                    r#"{"type":"pong","status":"success","client_timestamp":100}"#.into(),
                    142.0,
                ),
                WsAction::Received(
                    r#"{"status":"error","code":"INVALID_ACTION"}"#.into(),
                    150.0,
                ),
            ],
        );
        assert_eq!(state.conn, Conn::Authenticated);
        assert_eq!(state.latency_ms, Some(42.0));
        assert_eq!(state.log.back().unwrap().kind, LogKind::Error);
        let closed = run(
            state,
            vec![WsAction::Closed(
                4403,
                "api key no longer valid".into(),
                200.0,
            )],
        );
        assert_eq!(
            closed.conn,
            Conn::Closed {
                code: 4403,
                reason: "api key no longer valid".into()
            }
        );
    }

    #[test]
    fn pause_holds_new_lines_and_the_log_is_capped() {
        let mut actions = vec![WsAction::TogglePause];
        actions.extend((0..3).map(|i| WsAction::Note(format!("n{i}"), 0.0)));
        let paused = run(WsState::default(), actions);
        assert!(paused.log.is_empty());
        assert_eq!(paused.held.len(), 3);
        let resumed = run(paused, vec![WsAction::TogglePause]);
        assert_eq!(resumed.log.len(), 3);
        let many = run(
            WsState::default(),
            (0..LOG_LIMIT + 20)
                .map(|i| WsAction::Note(i.to_string(), 0.0))
                .collect(),
        );
        assert_eq!(many.log.len(), LOG_LIMIT);
        assert_eq!(many.log.front().unwrap().text, "20");
    }
}
