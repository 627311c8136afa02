//! What each client request does, and its answer (contract §9).

use std::sync::Arc;

use keygate_binance::stream::StreamStatus;
use keygate_broker::market::{now_ms, Tick};
use keygate_broker::{Exchange, Ledger};
use keygate_core::brokers::FeedSource;
use keygate_core::keys::{Identity, Refusal};
use keygate_core::CoreError;
use secrecy::SecretString;
use serde_json::{json, Value};

use super::connection::{reason, stream_down_frame, Authed, Connection, End};
use super::frames;
use super::protocol::{self, error_frame, Item, Mode, Request, BROKER, SUPPORTED_DEPTH};
use super::subscriptions::{crypto_only, same_source, AddError};

fn with_request_id(mut frame: Value, request_id: Option<&Value>) -> Value {
    if let Some(id) = request_id {
        frame["request_id"] = id.clone();
    }
    frame
}

/// Handles one text frame.
pub(super) async fn handle(conn: &mut Connection, text: &str) -> Result<(), End> {
    let parsed = protocol::parse(text);
    let id = parsed.request_id.as_ref();
    let request = match parsed.request {
        Ok(request) => request,
        Err(refused) => return conn.send(&error_frame(refused.code, &refused.message, id)),
    };
    if request.needs_auth() && conn.authed.is_none() {
        return conn.send(&error_frame(
            "NOT_AUTHENTICATED",
            "You must authenticate first",
            id,
        ));
    }
    match request {
        Request::Authenticate(key) => authenticate(conn, key.map(|k| k.0), id).await,
        Request::Subscribe(items, mode) => subscribe(conn, &items, mode, id).await,
        Request::Unsubscribe(items, mode) => unsubscribe(conn, &items, mode, id),
        Request::UnsubscribeAll => unsubscribe_all(conn, id),
        Request::Ping { timestamp, ping_id } => {
            let mut pong = json!({
                "type": "pong",
                "status": "success",
                "server_timestamp": now_ms(),
                "client_timestamp": timestamp,
            });
            if let Some(ping_id) = ping_id {
                pong["_pingId"] = ping_id;
            }
            conn.send(&with_request_id(pong, id))
        }
        Request::BrokerInfo => {
            let user_id = conn
                .authed
                .as_ref()
                .map(|a| a.identity.user_id.to_string());
            conn.send(&with_request_id(
                json!({
                    "type": "broker_info",
                    "status": "success",
                    "broker": conn.broker_name(),
                    "adapter_status": "connected",
                    "user_id": user_id,
                }),
                id,
            ))
        }
        Request::SupportedBrokers => conn.send(&with_request_id(
            json!({"type": "supported_brokers", "status": "success", "brokers": [BROKER], "count": 1}),
            id,
        )),
        // Order updates are not streamed (the SDK does not use them): the acknowledgements are
        // sent so clients that ask do not stall.
        Request::SubscribeOrders => conn.send(&with_request_id(
            json!({"type": "subscribe_orders", "status": "success", "message": "Subscribed to order updates"}),
            id,
        )),
        Request::UnsubscribeOrders => conn.send(&with_request_id(
            json!({"type": "unsubscribe_orders", "status": "success", "message": "Unsubscribed from order updates"}),
            id,
        )),
    }
}

async fn authenticate(
    conn: &mut Connection,
    key: Option<String>,
    id: Option<&Value>,
) -> Result<(), End> {
    let Some(key) = key.filter(|k| !k.trim().is_empty()) else {
        return conn.send(&error_frame(
            "AUTHENTICATION_ERROR",
            "API key is required",
            id,
        ));
    };
    if conn.state.security.is_banned(conn.ip) {
        // Banned while connected (by failed attempts here or elsewhere): no more guesses.
        conn.send(&error_frame(
            "AUTHENTICATION_ERROR",
            "Too many invalid API keys from this address",
            id,
        ))?;
        return Err(End::Close(reason(1008, "address banned")));
    }
    let message = match conn.state.verifier.verify(&key, conn.ip).await {
        Ok(identity) => {
            let source = match conn
                .state
                .connections
                .feed_for(identity.broker_connection_id)
                .await
            {
                Ok(source) => source,
                Err(e) => {
                    return conn.send(&error_frame("BROKER_INIT_ERROR", &source_refusal(e), id))
                }
            };
            let same_user = conn
                .authed
                .as_ref()
                .is_none_or(|a| a.identity.user_id == identity.user_id);
            if !same_user || !same_source(conn.subs.source(), &source) {
                // Another user's key, or another market: nothing subscribed carries over.
                conn.subs.set_source(source);
                conn.sync_ticks();
            }
            let slot = match conn.authed.take() {
                Some(previous) if previous.slot.key_id() == identity.key_id => previous.slot,
                _ => match conn.state.ws_connections.claim_key(identity.key_id) {
                    Some(slot) => slot,
                    None => {
                        conn.send(&error_frame(
                            "CONNECTION_LIMIT",
                            &format!(
                                "Too many WebSocket connections for this API key (at most {})",
                                conn.state.ws_connections.max_per_key()
                            ),
                            id,
                        ))?;
                        return Err(End::Close(reason(
                            4429,
                            "too many connections for this api key",
                        )));
                    }
                },
            };
            conn.authed = Some(Authed {
                identity,
                key: SecretString::from(key),
                slot,
            });
            return conn.send(&with_request_id(
                auth_success(&identity, conn.broker_name()),
                id,
            ));
        }
        Err(Refusal::Invalid) => {
            conn.state.security.record_invalid(conn.ip);
            "Invalid API key"
        }
        Err(Refusal::Expired) => "API key has expired",
        Err(Refusal::IpNotAllowed) => "API key is not allowed from this IP address",
        Err(Refusal::Unavailable) => "Authentication is unavailable right now; try again",
    };
    conn.send(&error_frame("AUTHENTICATION_ERROR", message, id))
}

/// The symbol as the feed's source names it: the paper market's instrument, or the exchange's
/// pair, checked against the exchange through the key's broker (its `exchangeInfo`, kept per
/// pair) as an order's symbol is.
async fn canonical(conn: &Connection, item: &Item, exchange: Exchange) -> Result<String, String> {
    match conn.subs.source() {
        FeedSource::Paper => conn
            .state
            .market
            .instrument(&item.symbol, exchange)
            .map(|i| i.symbol.clone())
            .map_err(|e| e.to_string()),
        FeedSource::Exchange(_) => {
            if exchange != Exchange::Crypto {
                return Err(crypto_only(exchange));
            }
            let connection = conn
                .authed
                .as_ref()
                .and_then(|a| a.identity.broker_connection_id);
            let broker = conn
                .state
                .connections
                .broker_for(connection, Ledger::Live)
                .await
                .map_err(source_refusal)?;
            broker
                .instrument(&item.symbol.to_ascii_uppercase(), exchange)
                .await
                .map(|i| i.symbol.clone())
                .map_err(|e| e.to_string())
        }
    }
}

/// The snapshot of a just-subscribed symbol, if its source has one.
fn snapshot(conn: &Connection, symbol: &str, exchange: Exchange) -> Option<Tick> {
    match conn.subs.source() {
        FeedSource::Paper => conn.state.market.depth(symbol, exchange).ok().map(Arc::new),
        FeedSource::Exchange(stream) => stream.last(symbol),
    }
}

/// Why a key's feed source could not be found, in words a client may see.
fn source_refusal(e: CoreError) -> String {
    match e {
        CoreError::Forbidden(message) => message,
        other => {
            log::error!("websocket: the key's feed source: {other}");
            "The key's market data source could not be read; try again".to_owned()
        }
    }
}

/// Adds one item; the instrument's canonical symbol on success, the item's error otherwise.
async fn subscribe_one(
    conn: &mut Connection,
    item: &Item,
    mode: Mode,
) -> Result<(Exchange, String), String> {
    let exchange = protocol::exchange_of(item)?;
    if mode == Mode::Depth && item.depth != SUPPORTED_DEPTH {
        return Err(format!(
            "Depth level {} is not supported by {}; supported: {SUPPORTED_DEPTH}",
            item.depth,
            conn.broker_name()
        ));
    }
    let symbol = canonical(conn, item, exchange).await?;
    conn.subs
        .add(exchange, &symbol, mode)
        .map_err(|e| match e {
            AddError::Limit(max) => {
                format!("Subscription limit reached ({max} per connection)")
            }
            AddError::Market(message) => message,
        })?;
    Ok((exchange, symbol))
}

async fn subscribe(
    conn: &mut Connection,
    items: &[Item],
    mode: Mode,
    id: Option<&Value>,
) -> Result<(), End> {
    let broker = conn.broker_name();
    let mut results = Vec::with_capacity(items.len());
    let mut added = Vec::new();
    for item in items {
        match subscribe_one(conn, item, mode).await {
            Ok(followed) => {
                results.push(json!({
                    "symbol": item.symbol,
                    "exchange": item.exchange,
                    "status": "success",
                    "mode": mode.label(),
                    "depth": item.depth,
                    "broker": broker,
                }));
                added.push(followed);
            }
            Err(message) => results.push(json!({
                "symbol": item.symbol,
                "exchange": item.exchange,
                "status": "error",
                "message": message,
                "broker": broker,
            })),
        }
    }
    conn.sync_ticks();
    let status = if added.len() == items.len() {
        "success"
    } else {
        "partial"
    };
    conn.send(&with_request_id(
        json!({
            "type": "subscribe",
            "status": status,
            "subscriptions": results,
            "message": "Subscription processing complete",
            "broker": broker,
        }),
        id,
    ))?;
    // A snapshot right away, so a subscriber need not wait for the next tick.
    for (exchange, symbol) in &added {
        if let Some(book) = snapshot(conn, symbol, *exchange) {
            conn.send_text(frames::market_data(&book, mode, broker))?;
        }
    }
    // Subscribed while the exchange's stream is down: say so now, not at the next loss.
    if let FeedSource::Exchange(stream) = conn.subs.source() {
        if let (StreamStatus::Down(why), false) = (stream.status(), added.is_empty()) {
            conn.send(&stream_down_frame(&why))?;
        }
    }
    Ok(())
}

fn unsubscribe_reply(
    successful: Vec<Value>,
    failed: Vec<Value>,
    broker: &str,
    id: Option<&Value>,
) -> Value {
    let status = match (successful.is_empty(), failed.is_empty()) {
        (_, true) => "success",
        (false, false) => "partial",
        (true, false) => "error",
    };
    with_request_id(
        json!({
            "type": "unsubscribe",
            "status": status,
            "message": "Unsubscription processing complete",
            "successful": successful,
            "failed": failed,
            "broker": broker,
        }),
        id,
    )
}

fn unsubscribe(
    conn: &mut Connection,
    items: &[Item],
    mode: Mode,
    id: Option<&Value>,
) -> Result<(), End> {
    let broker = conn.broker_name();
    let mut successful = Vec::new();
    let mut failed = Vec::new();
    for item in items {
        // Exchange pairs are followed in upper case (`btcusdt` names `BTCUSDT`).
        let symbol = match conn.subs.source() {
            FeedSource::Paper => item.symbol.clone(),
            FeedSource::Exchange(_) => item.symbol.to_ascii_uppercase(),
        };
        let removed = match protocol::exchange_of(item) {
            Ok(exchange) if conn.subs.remove(exchange, &symbol, mode) => Ok(()),
            Ok(_) => Err(format!(
                "Not subscribed to {} on {} in {} mode",
                item.symbol,
                item.exchange,
                mode.label()
            )),
            Err(message) => Err(message),
        };
        match removed {
            Ok(()) => successful.push(json!({
                "symbol": item.symbol, "exchange": item.exchange, "status": "success",
                "mode": mode.label(), "broker": broker,
            })),
            Err(message) => failed.push(json!({
                "symbol": item.symbol, "exchange": item.exchange, "status": "error",
                "message": message, "broker": broker,
            })),
        }
    }
    conn.sync_ticks();
    conn.send(&unsubscribe_reply(successful, failed, broker, id))
}

fn unsubscribe_all(conn: &mut Connection, id: Option<&Value>) -> Result<(), End> {
    let broker = conn.broker_name();
    let successful = conn
        .subs
        .clear()
        .into_iter()
        .map(|(exchange, symbol, mode)| {
            json!({
                "symbol": symbol, "exchange": exchange, "status": "success",
                "mode": mode.label(), "broker": broker,
            })
        })
        .collect();
    conn.sync_ticks();
    conn.send(&unsubscribe_reply(successful, Vec::new(), broker, id))
}

/// The frame answering a successful authentication.
fn auth_success(identity: &Identity, broker: &str) -> Value {
    json!({
        "type": "auth",
        "status": "success",
        "message": "Authentication successful",
        "broker": broker,
        "user_id": identity.user_id.to_string(),
        "supported_features": {"ltp": true, "quote": true, "depth": true},
    })
}
