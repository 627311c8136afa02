//! The socket task of one [`MarketStream`]: connect with the whole stream set, keep it in step
//! with the watches, publish what arrives, and reconnect (see the module docs of `stream`).

use std::collections::BTreeSet;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::sync::mpsc;
use tokio::time::{sleep, sleep_until, timeout, Instant};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{connect_async, MaybeTlsStream, WebSocketStream};

use super::wire::{Envelope, Incoming, Method, Payload, Request};
use super::{pair_of, MarketStream, StreamEvent, StreamStatus};

/// Least time between two requests on a socket (Binance allows five incoming messages a second,
/// pongs included).
const REQUEST_SPACING: Duration = Duration::from_millis(250);

type Socket = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

/// How a session ended.
enum Ended {
    /// Nothing is watched any more.
    Unwatched,
    /// The planned reconnect before the 24-hour limit.
    Renew,
    /// Lost (why).
    Lost(String),
}

/// The stream set now, or `None` (and the task's end recorded) when nothing is watched.
fn wanted_or_stop(stream: &MarketStream) -> Option<Vec<String>> {
    let mut inner = stream.lock();
    if inner.refs.is_empty() {
        inner.changed = None;
        inner.status = StreamStatus::Idle;
        return None;
    }
    Some(inner.refs.keys().cloned().collect())
}

/// Records a loss; publishes it when the stream was not already down (each retry that fails
/// is logged, not published again).
fn lost(stream: &MarketStream, why: String) {
    stream.losses.fetch_add(1, Ordering::Relaxed);
    log::warn!(
        "binance stream {}: unreachable ({why}); reconnecting",
        stream.url
    );
    let was_down = {
        let mut inner = stream.lock();
        let was_down = matches!(inner.status, StreamStatus::Down(_));
        inner.status = StreamStatus::Down(why.clone());
        was_down
    };
    if !was_down {
        stream.publish(StreamEvent::Down(why));
    }
}

/// Runs until nothing is watched.
pub(super) async fn run(stream: Arc<MarketStream>, mut changed: mpsc::UnboundedReceiver<()>) {
    let config = stream.config.clone();
    let mut backoff = config.backoff_min;
    while let Some(names) = wanted_or_stop(&stream) {
        // Changes signalled before this connect are in the set read just now.
        while changed.try_recv().is_ok() {}
        let url = format!("{}/stream?streams={}", stream.url, names.join("/"));
        let failure = match timeout(config.connect_timeout, connect_async(url.as_str())).await {
            Ok(Ok((socket, _))) => {
                log::info!(
                    "binance stream {}: connected ({} streams)",
                    stream.url,
                    names.len()
                );
                stream.lock().status = StreamStatus::Up;
                stream.publish(StreamEvent::Up);
                backoff = config.backoff_min;
                match session(&stream, socket, names, &mut changed).await {
                    Ended::Unwatched | Ended::Renew => continue,
                    Ended::Lost(why) => why,
                }
            }
            Ok(Err(e)) => format!("could not connect: {e}"),
            Err(_) => "connecting timed out".to_owned(),
        };
        lost(&stream, failure);
        sleep(backoff).await;
        backoff = (backoff * 2).min(config.backoff_max);
    }
}

/// Serves one open socket, subscribed to `names`, until it ends.
async fn session(
    stream: &MarketStream,
    mut socket: Socket,
    names: Vec<String>,
    changed: &mut mpsc::UnboundedReceiver<()>,
) -> Ended {
    let config = &stream.config;
    let renew_at = Instant::now() + config.max_session;
    let mut silent_since = Instant::now();
    let mut live: BTreeSet<String> = names.into_iter().collect();
    let mut last_request = Instant::now();
    let mut next_id: u64 = 1;
    loop {
        let silence_deadline = silent_since + config.silence_limit;
        tokio::select! {
            frame = socket.next() => match frame {
                Some(Ok(Message::Text(text))) => {
                    silent_since = Instant::now();
                    take(stream, text.as_str());
                }
                // tungstenite answers pings itself (the pong goes out with the next read).
                Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Binary(_) | Message::Frame(_))) => {
                    silent_since = Instant::now();
                }
                Some(Ok(Message::Close(frame))) => {
                    let why = frame.map_or_else(|| "closed by the exchange".to_owned(), |f| {
                        format!("closed by the exchange ({} {})", u16::from(f.code), f.reason)
                    });
                    return Ended::Lost(why);
                }
                Some(Err(e)) => return Ended::Lost(format!("read failed: {e}")),
                None => return Ended::Lost("connection ended".to_owned()),
            },
            signal = changed.recv() => {
                if signal.is_none() {
                    return Ended::Unwatched;
                }
                // Let a burst of changes gather into one request per method.
                sleep_until(last_request + REQUEST_SPACING).await;
                while changed.try_recv().is_ok() {}
                let wanted: BTreeSet<String> = stream.lock().refs.keys().cloned().collect();
                if wanted.is_empty() {
                    let _ = socket.close(None).await;
                    return Ended::Unwatched;
                }
                let requests = [
                    (Method::Subscribe, wanted.difference(&live).cloned().collect::<Vec<_>>()),
                    (Method::Unsubscribe, live.difference(&wanted).cloned().collect()),
                ];
                for (method, params) in requests {
                    if params.is_empty() {
                        continue;
                    }
                    sleep_until(last_request + REQUEST_SPACING).await;
                    let request = Request { method, params, id: next_id };
                    next_id += 1;
                    let Ok(text) = serde_json::to_string(&request) else {
                        return Ended::Lost("request not serialisable".to_owned());
                    };
                    if let Err(e) = socket.send(Message::text(text)).await {
                        return Ended::Lost(format!("write failed: {e}"));
                    }
                    last_request = Instant::now();
                }
                live = wanted;
            },
            _ = sleep_until(silence_deadline) => {
                return Ended::Lost(format!("no frame for {} s", config.silence_limit.as_secs()));
            },
            _ = sleep_until(renew_at) => {
                log::info!("binance stream {}: renewing before the 24-hour disconnect", stream.url);
                let _ = socket.close(None).await;
                return Ended::Renew;
            },
        }
    }
}

/// Publishes one text frame's data.
fn take(stream: &MarketStream, text: &str) {
    let incoming = match serde_json::from_str::<Incoming>(text) {
        Ok(incoming) => incoming,
        Err(e) => {
            log::warn!("binance stream {}: unreadable frame ({e})", stream.url);
            return;
        }
    };
    let tick = match incoming {
        Incoming::Data(Envelope { stream: name, data }) => {
            let mut inner = stream.lock();
            if !inner.refs.contains_key(&name) {
                // Data still in flight after an UNSUBSCRIBE.
                return;
            }
            match data {
                Payload::Ticker(t) => inner.books.ticker(&t),
                Payload::Depth(d) => {
                    let now = chrono::Utc::now().timestamp_millis();
                    inner.books.depth(&pair_of(&name), &d, now)
                }
            }
        }
        Incoming::Reply(reply) => {
            if let Some(error) = reply.error {
                log::warn!(
                    "binance stream {}: request {} refused: {} (code {})",
                    stream.url,
                    reply.id,
                    error.msg,
                    error.code
                );
            }
            None
        }
    };
    if let Some(tick) = tick {
        stream.publish(StreamEvent::Tick(tick));
    }
}
