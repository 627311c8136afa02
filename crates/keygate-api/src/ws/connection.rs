//! A WebSocket connection's state and its plumbing, shared by the per-connection loop
//! ([`super::session`]) and the request handlers ([`super::handlers`]): the bounded send queue
//! (a full queue ends the connection as a slow consumer), the authenticated key, the tick stream
//! held only while something is subscribed (the paper market's, or the key's exchange market
//! stream's, whose losses are told to the client), and the periodic key re-check.

use std::net::IpAddr;

use actix_web::web::{self, Bytes};
use actix_ws::{CloseCode, CloseReason};
use keygate_binance::stream::StreamEvent;
use keygate_broker::market::Tick;
use keygate_core::brokers::FeedSource;
use keygate_core::keys::{Identity, Refusal};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use tokio::sync::{broadcast, mpsc};

use super::frames;
use super::limits::KeySlot;
use super::protocol::error_frame;
use super::subscriptions::{broker_name, Subscriptions};
use crate::state::AppState;

/// A frame for the writer task.
pub(super) enum Out {
    Text(String),
    Ping,
    Pong(Bytes),
    Close(Option<CloseReason>),
}

/// How a connection ends.
pub(super) enum End {
    /// The client closed (its reason is echoed) or vanished.
    Client(Option<CloseReason>),
    /// The server closes with this reason.
    Close(CloseReason),
    /// The client did not keep up with its queue.
    SlowConsumer,
}

/// A close reason with an application code.
pub(super) fn reason(code: u16, description: &str) -> CloseReason {
    CloseReason {
        code: CloseCode::Other(code),
        description: Some(description.to_owned()),
    }
}

/// An authenticated connection's key.
pub(super) struct Authed {
    pub identity: Identity,
    /// Kept to re-check the key; never logged or sent.
    pub key: SecretString,
    /// The connection's place in its key's connection count.
    pub slot: KeySlot,
}

/// The tick stream a connection holds.
pub(super) enum Feed {
    /// The paper market's ticks.
    Paper(broadcast::Receiver<Tick>),
    /// The key's exchange market stream: ticks and its losses.
    Exchange(broadcast::Receiver<StreamEvent>),
}

/// The next thing a [`Feed`] has for the connection.
pub(super) enum FeedItem {
    /// A book to deliver.
    Tick(Tick),
    /// The exchange's stream is lost or unreachable (why).
    Down(String),
    /// Nothing to do (the stream is back, or this task fell behind and the missed ticks are
    /// stale anyway).
    Nothing,
    /// The source stopped.
    Closed,
}

impl Feed {
    /// Waits for the next item; never returns while there is no feed.
    pub async fn next(feed: &mut Option<Feed>) -> FeedItem {
        use broadcast::error::RecvError;
        match feed {
            None => std::future::pending().await,
            Some(Feed::Paper(rx)) => match rx.recv().await {
                Ok(tick) => FeedItem::Tick(tick),
                Err(RecvError::Lagged(_)) => FeedItem::Nothing,
                Err(RecvError::Closed) => FeedItem::Closed,
            },
            Some(Feed::Exchange(rx)) => match rx.recv().await {
                Ok(StreamEvent::Tick(tick)) => FeedItem::Tick(tick),
                Ok(StreamEvent::Down(why)) => FeedItem::Down(why),
                Ok(StreamEvent::Up) | Err(RecvError::Lagged(_)) => FeedItem::Nothing,
                Err(RecvError::Closed) => FeedItem::Closed,
            },
        }
    }
}

/// The error frame telling a client its exchange's market stream is unreachable.
pub(super) fn stream_down_frame(why: &str) -> Value {
    error_frame(
        "BROKER_CONNECTION_ERROR",
        &format!("The exchange's market stream is unreachable ({why}); reconnecting, and the subscriptions resume when it is back"),
        None,
    )
}

/// A connection's state.
pub(super) struct Connection {
    pub state: web::Data<AppState>,
    pub ip: IpAddr,
    pub outbox: mpsc::Sender<Out>,
    pub authed: Option<Authed>,
    pub subs: Subscriptions,
    /// The tick stream, held only while something is subscribed.
    pub ticks: Option<Feed>,
}

impl Connection {
    /// Queues a frame; a full queue ends the connection.
    pub fn send(&self, frame: &Value) -> Result<(), End> {
        self.push(Out::Text(frame.to_string()))
    }

    /// Queues an already serialised frame.
    pub fn send_text(&self, text: String) -> Result<(), End> {
        self.push(Out::Text(text))
    }

    /// Queues any frame for the writer.
    pub fn push(&self, out: Out) -> Result<(), End> {
        self.outbox.try_send(out).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => End::SlowConsumer,
            mpsc::error::TrySendError::Closed(_) => End::Client(None),
        })
    }

    /// Holds the tick stream exactly while something is subscribed.
    pub fn sync_ticks(&mut self) {
        if self.subs.is_empty() {
            self.ticks = None;
        } else if self.ticks.is_none() {
            self.ticks = Some(match self.subs.source() {
                FeedSource::Paper => Feed::Paper(self.state.market.subscribe()),
                FeedSource::Exchange(stream) => Feed::Exchange(stream.events()),
            });
        }
    }

    /// The broker name the feed reports (`paper`, or the key's exchange connection kind).
    pub fn broker_name(&self) -> &'static str {
        broker_name(self.subs.source())
    }

    /// Tells a subscribed client its exchange's market stream is lost.
    pub fn stream_down(&self, why: &str) -> Result<(), End> {
        if self.subs.is_empty() {
            return Ok(());
        }
        self.send(&stream_down_frame(why))
    }

    /// Sends a tick to every subscribed mode of its symbol.
    pub fn deliver(&self, tick: &Tick) -> Result<(), End> {
        let Some(modes) = self.subs.modes(tick.quote.exchange, &tick.quote.symbol) else {
            return Ok(());
        };
        // The market publishes full books, so every subscribed mode is served from one tick,
        // each frame tagged with its subscriber's mode.
        for mode in modes {
            self.push(Out::Text(frames::market_data(
                tick,
                *mode,
                self.broker_name(),
            )))?;
        }
        Ok(())
    }

    /// Re-checks the key; `Err` closes the connection.
    pub async fn recheck(&self) -> Result<(), End> {
        let Some(authed) = &self.authed else {
            return Ok(());
        };
        match self
            .state
            .verifier
            .verify(authed.key.expose_secret(), self.ip)
            .await
        {
            Ok(identity)
                if identity.key_id == authed.identity.key_id
                    && identity.broker_connection_id == authed.identity.broker_connection_id =>
            {
                Ok(())
            }
            // Bound to another connection: its feed's source changed with it.
            Ok(identity) if identity.key_id == authed.identity.key_id => {
                self.send(&error_frame(
                    "BROKER_INIT_ERROR",
                    "The API key was bound to another broker connection; connect and authenticate again",
                    None,
                ))?;
                Err(End::Close(reason(
                    4409,
                    "api key bound to another broker connection",
                )))
            }
            // The database is unreachable: keep serving, and check again next time.
            Err(Refusal::Unavailable) => Ok(()),
            _ => {
                self.send(&error_frame(
                    "AUTHENTICATION_ERROR",
                    "API key is no longer valid",
                    None,
                ))?;
                Err(End::Close(reason(4403, "api key no longer valid")))
            }
        }
    }
}
