//! The mock's market streams: Binance's combined-stream endpoint `/stream?streams=` on the
//! mock's own port (what `stream::stream_url` maps a non-Binance base URL to).
//!
//! Every 100 ms each subscribed `<pair>@ticker` and `<pair>@depth5@100ms` gets the pair's state
//! from the mock's book (so a test that moves a price sees it arrive); `SUBSCRIBE` and
//! `UNSUBSCRIBE` change a socket's set and are answered `{"result":null,"id":n}`. The server
//! pings every second and counts the pongs. A test can stop the streams: open sockets are closed
//! and new ones refused (503) until they are started again.

use std::collections::BTreeSet;
use std::time::Duration;

use actix_web::{web, HttpRequest, HttpResponse};
use actix_ws::{Message, MessageStream, Session};

use super::{lock, Shared};
use crate::stream::wire::{
    Envelope, Method, PartialDepth, Payload, Reply, Request, StreamError, TickerEvent,
};

/// The streams' switch and counters.
#[derive(Debug, Default)]
pub(super) struct StreamControl {
    pub stopped: bool,
    /// Bumped by a stop: sockets of an older generation close.
    pub generation: u64,
    /// Sockets opened so far.
    pub connects: u64,
    /// Pongs received for the server's pings.
    pub pongs: u64,
    /// `SUBSCRIBE` / `UNSUBSCRIBE` requests received.
    pub requests: u64,
}

/// `GET /stream?streams=a/b`: upgrades, unless the streams are stopped.
pub(super) async fn upgrade(
    req: HttpRequest,
    body: web::Payload,
    shared: web::Data<Shared>,
) -> HttpResponse {
    let generation = {
        let mut control = lock(&shared.streams);
        if control.stopped {
            return HttpResponse::ServiceUnavailable().finish();
        }
        control.connects += 1;
        control.generation
    };
    let names: BTreeSet<String> =
        web::Query::<Vec<(String, String)>>::from_query(req.query_string())
            .map(|q| q.into_inner())
            .unwrap_or_default()
            .into_iter()
            .filter(|(k, _)| k == "streams")
            .flat_map(|(_, v)| v.split('/').map(str::to_owned).collect::<Vec<_>>())
            .filter(|n| !n.is_empty())
            .collect();
    match actix_ws::handle(&req, body) {
        Ok((response, session, messages)) => {
            actix_web::rt::spawn(serve(
                shared.into_inner(),
                session,
                messages,
                names,
                generation,
            ));
            response
        }
        Err(e) => HttpResponse::from_error(e),
    }
}

/// A stream's frame from the book now, if it names a pair the mock has.
fn frame(shared: &Shared, name: &str, now: i64) -> Option<String> {
    let (pair, kind) = name.split_once('@')?;
    let book = shared.book();
    let p = book.pairs.get(&pair.to_ascii_uppercase())?;
    let data = match kind {
        "ticker" => Payload::Ticker(TickerEvent {
            event: "24hrTicker".into(),
            time: now,
            symbol: p.info.symbol.clone(),
            last: p.last,
            last_qty: p.rules.min_qty,
            bid: p.bid,
            ask: p.ask,
            open: p.last,
            high: p.ask,
            low: p.bid,
            prev_close: p.last,
            volume: 0.0,
        }),
        "depth5@100ms" | "depth5" => {
            let tick = p.rules.tick_size;
            let level = |i: usize, px: f64| (format!("{px:.8}"), format!("{:.8}", (i + 1) as f64));
            Payload::Depth(PartialDepth {
                last_update_id: now as u64,
                bids: (0..5).map(|i| level(i, p.bid - tick * i as f64)).collect(),
                asks: (0..5).map(|i| level(i, p.ask + tick * i as f64)).collect(),
            })
        }
        _ => return None,
    };
    serde_json::to_string(&Envelope {
        stream: name.to_owned(),
        data,
    })
    .ok()
}

/// Answers a live request, changing `names`.
fn answer(text: &str, names: &mut BTreeSet<String>) -> String {
    let reply = match serde_json::from_str::<Request>(text) {
        Ok(request) => {
            match request.method {
                Method::Subscribe => names.extend(request.params),
                Method::Unsubscribe => {
                    for name in &request.params {
                        names.remove(name);
                    }
                }
            }
            Reply {
                result: None,
                error: None,
                id: request.id,
            }
        }
        Err(_) => Reply {
            result: None,
            error: Some(StreamError {
                code: 3,
                msg: "Invalid JSON: expected a method, params and id".into(),
            }),
            id: 0,
        },
    };
    serde_json::to_string(&reply).unwrap_or_default()
}

async fn serve(
    shared: std::sync::Arc<Shared>,
    mut session: Session,
    mut messages: MessageStream,
    mut names: BTreeSet<String>,
    generation: u64,
) {
    let mut publish = tokio::time::interval(Duration::from_millis(100));
    let mut ping = tokio::time::interval(Duration::from_secs(1));
    loop {
        tokio::select! {
            _ = publish.tick() => {
                let open = {
                    let control = lock(&shared.streams);
                    !control.stopped && control.generation == generation
                };
                if !open {
                    let _ = session.close(None).await;
                    return;
                }
                let now = shared.server_now();
                for name in &names {
                    if let Some(text) = frame(&shared, name, now) {
                        if session.text(text).await.is_err() {
                            return;
                        }
                    }
                }
            }
            _ = ping.tick() => {
                if session.ping(b"mock").await.is_err() {
                    return;
                }
            }
            message = messages.recv() => match message {
                Some(Ok(Message::Text(text))) => {
                    lock(&shared.streams).requests += 1;
                    if session.text(answer(&text, &mut names)).await.is_err() {
                        return;
                    }
                }
                Some(Ok(Message::Ping(bytes))) => {
                    if session.pong(&bytes).await.is_err() {
                        return;
                    }
                }
                Some(Ok(Message::Pong(_))) => lock(&shared.streams).pongs += 1,
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return,
                Some(Ok(_)) => {}
            }
        }
    }
}
