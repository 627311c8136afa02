//! One WebSocket connection: a single task that reads the client's frames, the market's ticks and
//! its timers, and a writer task behind a bounded queue.
//!
//! - Nothing here can hold up the market: ticks come from a `broadcast` channel (the market, or
//!   the key's exchange market stream, never waits for a receiver), and every frame is queued with `try_send`. A client that lets its queue
//!   fill up is disconnected (close 1008 "slow consumer") instead of being waited for.
//! - The key is re-checked every `KEYGATE_WS_KEY_CHECK_MS` (1 s) through the verifier, which answers
//!   from its cache. Revoking or rolling a key invalidates that cache in every process within a
//!   second, so the next check refuses the key and the socket is closed (4403). The same check
//!   catches expiry, the end of a roll's grace period and allowlist changes, which no event
//!   announces. A connected socket therefore counts as use of its key (last-used stays current).

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use actix_web::web;
use actix_ws::{AggregatedMessage, AggregatedMessageStream, CloseCode, CloseReason, Session};
use tokio::sync::mpsc;
use tokio::time::{interval_at, sleep, Instant};

use super::connection::{reason, Connection, End, Feed, FeedItem, Out};
use super::handlers;
use super::limits::{IpSlot, WsConnections};
use super::protocol::error_frame;
use super::subscriptions::Subscriptions;
use crate::state::AppState;

/// Frames a client may send per second: a fixed one-second window.
struct MessageBudget {
    max: u32,
    window_start: Instant,
    used: u32,
}

impl MessageBudget {
    fn new(max: u32) -> Self {
        Self {
            max,
            window_start: Instant::now(),
            used: 0,
        }
    }

    /// Counts a frame received at `now`; false once the window's budget is spent.
    fn take(&mut self, now: Instant) -> bool {
        if now.duration_since(self.window_start) >= Duration::from_secs(1) {
            self.window_start = now;
            self.used = 0;
        }
        self.used += 1;
        self.used <= self.max
    }
}

/// Writes queued frames to the socket until the queue closes or a close frame is written.
async fn write(
    mut session: Session,
    mut queue: mpsc::Receiver<Out>,
    connections: Arc<WsConnections>,
) {
    while let Some(out) = queue.recv().await {
        let sent = match out {
            Out::Text(text) => session.text(text).await,
            Out::Ping => session.ping(b"").await,
            Out::Pong(bytes) => session.pong(&bytes).await,
            Out::Close(reason) => {
                let _ = session.close(reason).await;
                return;
            }
        };
        if sent.is_err() {
            return;
        }
        connections.frames.sent();
    }
    let _ = session.close(None).await;
}

/// Runs one connection to its end.
pub async fn run(
    state: web::Data<AppState>,
    // Held until the connection ends: its place in its address's connection count.
    _slot: IpSlot,
    ip: IpAddr,
    session: Session,
    mut stream: AggregatedMessageStream,
) {
    let settings = state.settings.ws.clone();
    let (outbox, queue) = mpsc::channel(settings.send_queue);
    let writer = actix_web::rt::spawn(write(session, queue, state.ws_connections.clone()));
    let mut conn = Connection {
        subs: Subscriptions::new(state.market.clone(), settings.max_subscriptions),
        state,
        ip,
        outbox,
        authed: None,
        ticks: None,
    };

    let ping_every = Duration::from_millis(settings.ping_interval_ms);
    let silence_limit = ping_every + Duration::from_millis(settings.ping_timeout_ms);
    let check_every = Duration::from_millis(settings.key_check_ms);
    let grace = sleep(Duration::from_millis(settings.auth_grace_ms));
    tokio::pin!(grace);
    let mut heartbeat = interval_at(Instant::now() + ping_every, ping_every);
    let mut key_check = interval_at(Instant::now() + check_every, check_every);
    let mut last_seen = Instant::now();
    let mut budget = MessageBudget::new(settings.max_messages_per_sec);

    let end = loop {
        let step = tokio::select! {
            message = stream.recv() => match message {
                Some(Ok(message)) => {
                    conn.state.ws_connections.frames.received();
                    last_seen = Instant::now();
                    if budget.take(last_seen) { match message {
                        AggregatedMessage::Text(text) => handlers::handle(&mut conn, &text).await,
                        AggregatedMessage::Binary(bytes) => match std::str::from_utf8(&bytes) {
                            Ok(text) => handlers::handle(&mut conn, text).await,
                            Err(_) => conn.send(&error_frame("INVALID_JSON", "Invalid JSON message", None)),
                        },
                        AggregatedMessage::Ping(bytes) => conn.push(Out::Pong(bytes)),
                        AggregatedMessage::Pong(_) => Ok(()),
                        AggregatedMessage::Close(reason) => Err(End::Client(reason)),
                    } } else {
                        too_many_messages(&conn, settings.max_messages_per_sec)
                    }
                }
                // A protocol error or the end of the stream: the client is gone.
                _ => Err(End::Client(None)),
            },
            item = Feed::next(&mut conn.ticks) => match item {
                FeedItem::Tick(tick) => conn.deliver(&tick),
                FeedItem::Down(why) => conn.stream_down(&why),
                FeedItem::Nothing => Ok(()),
                FeedItem::Closed => Err(End::Close(reason(1011, "market feed stopped"))),
            },
            _ = heartbeat.tick() => {
                if last_seen.elapsed() > silence_limit {
                    Err(End::Close(reason(1011, "keepalive ping timeout")))
                } else {
                    conn.push(Out::Ping)
                }
            },
            _ = key_check.tick(), if conn.authed.is_some() => conn.recheck().await,
            _ = &mut grace, if conn.authed.is_none() => {
                Err(End::Close(reason(4401, "auth timeout")))
            },
        };
        if let Err(end) = step {
            break end;
        }
    };

    let close = match end {
        End::Client(reason) => reason,
        End::Close(reason) => Some(reason),
        End::SlowConsumer => Some(CloseReason {
            code: CloseCode::Policy,
            description: Some("slow consumer".to_owned()),
        }),
    };
    // Release the market watches before waiting on the client.
    drop(conn.subs);
    drop(conn.ticks);
    let queued =
        tokio::time::timeout(Duration::from_secs(1), conn.outbox.send(Out::Close(close))).await;
    drop(conn.outbox);
    if !matches!(queued, Ok(Ok(()))) {
        // The client is not reading: stop writing to it; dropping the session ends the socket.
        writer.abort();
        return;
    }
    if tokio::time::timeout(Duration::from_secs(2), writer)
        .await
        .is_err()
    {
        log::debug!("websocket writer did not finish closing in time");
    }
}

/// Ends a connection that sent more frames than its budget allows.
fn too_many_messages(conn: &Connection, max: u32) -> Result<(), End> {
    conn.send(&error_frame(
        "RATE_LIMITED",
        &format!("Too many messages: at most {max} per second"),
        None,
    ))?;
    Err(End::Close(CloseReason {
        code: CloseCode::Policy,
        description: Some("message rate limit exceeded".to_owned()),
    }))
}
