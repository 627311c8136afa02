//! The mock's endpoints: one typed [`Endpoint`] per Binance path and method, each with its
//! weight and security, answered from the shared [`Shared`] state.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

use super::endpoint::Endpoint;
use super::query::{verify_signed, Query};
use super::replace::cancel_replace;
use super::state::{working, MockError, NewOrder as Placement};
use super::{Fault, Recorded, Shared};
use crate::wire::{self as w, OrderBook, OrderType, Side};

pub(super) fn json<T: Serialize>(value: &T) -> Result<String, MockError> {
    serde_json::to_string(value).map_err(|_| {
        MockError::with_status(
            500,
            -1000,
            "An unknown error occurred while processing the request.",
        )
    })
}

/// Every request lands here.
pub async fn handle(req: HttpRequest, shared: web::Data<Shared>) -> HttpResponse {
    let now = shared.server_now();
    let Some(endpoint) = Endpoint::route(req.method(), req.path()) else {
        return HttpResponse::NotFound().finish();
    };
    let (used, over, fault) = shared.admit(endpoint, now);
    let answer = |status: u16, body: String| {
        let mut r = HttpResponse::build(
            StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        );
        r.insert_header(("X-MBX-USED-WEIGHT-1M", used.to_string()))
            .content_type("application/json");
        r.body(body)
    };
    let error = |e: MockError| {
        let body = json(&e.body).unwrap_or_default();
        answer(e.status, body)
    };
    if let Some(retry_after) = over {
        shared.record(Recorded {
            endpoint,
            server_time: now,
            status: 429,
        });
        let mut r = error(MockError::with_status(429, -1003, "Too much request weight used; current limit is 6000 request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API."));
        r.headers_mut().insert(
            actix_web::http::header::RETRY_AFTER,
            actix_web::http::header::HeaderValue::from(retry_after),
        );
        return r;
    }
    let mut stall_after = None;
    match fault {
        Some(Fault::Fail { status, code, msg }) => {
            shared.record(Recorded {
                endpoint,
                server_time: now,
                status,
            });
            return error(MockError::with_status(status, code, msg));
        }
        Some(Fault::RateLimit {
            status,
            retry_after_s,
        }) => {
            shared.record(Recorded {
                endpoint,
                server_time: now,
                status,
            });
            let mut r = error(MockError::with_status(
                status,
                -1003,
                "Way too many requests; IP banned until later.",
            ));
            r.headers_mut().insert(
                actix_web::http::header::RETRY_AFTER,
                actix_web::http::header::HeaderValue::from(retry_after_s),
            );
            return r;
        }
        Some(Fault::Stall(d)) => {
            shared.record(Recorded {
                endpoint,
                server_time: now,
                status: 503,
            });
            tokio::time::sleep(d).await;
            return error(MockError::with_status(503, -1007, "Timeout waiting for response from backend server. Send status unknown; execution status unknown."));
        }
        Some(Fault::AcceptThenStall(d)) => stall_after = Some(d),
        None => {}
    }
    let result = run(&shared, endpoint, &req, now);
    let status = result.as_ref().map_or_else(|e| e.status, |_| 200);
    shared.record(Recorded {
        endpoint,
        server_time: now,
        status,
    });
    if let Some(d) = stall_after {
        tokio::time::sleep(d).await;
    }
    match result {
        Ok(body) => answer(200, body),
        Err(e) => error(e),
    }
}

fn run(
    shared: &Shared,
    endpoint: Endpoint,
    req: &HttpRequest,
    now: i64,
) -> Result<String, MockError> {
    let raw = req.query_string();
    let mut q = if endpoint.signed() {
        let key = req
            .headers()
            .get("X-MBX-APIKEY")
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| MockError::with_status(401, -2014, "API-key format invalid."))?;
        let secret = shared
            .key(key)
            .ok_or_else(|| {
                MockError::with_status(
                    401,
                    -2015,
                    "Invalid API-key, IP, or permissions for action.",
                )
            })?
            .secret;
        verify_signed(raw, &secret, now)?
    } else {
        Query::parse(raw)?
    };
    let key = req
        .headers()
        .get("X-MBX-APIKEY")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let mut book = shared.book();
    use Endpoint::*;
    match endpoint {
        Time => {
            q.finish()?;
            Ok(format!("{{\"serverTime\":{now}}}"))
        }
        ExchangeInfo => {
            let symbol: Option<String> = q.opt("symbol")?;
            q.finish()?;
            let symbols = match symbol {
                Some(s) => vec![book.pair(&s)?.info.clone()],
                None => book.pairs.values().map(|p| p.info.clone()).collect(),
            };
            json(&w::ExchangeInfo { symbols })
        }
        Ticker24h => {
            let symbol: String = q.req("symbol")?;
            q.finish()?;
            let p = book.pair(&symbol)?;
            json(&w::Ticker24h {
                symbol,
                last_price: p.last,
                last_qty: p.rules.min_qty,
                bid_price: p.bid,
                ask_price: p.ask,
                open_price: p.last,
                high_price: p.ask,
                low_price: p.bid,
                prev_close_price: p.last,
                volume: 0.0,
                close_time: now,
            })
        }
        TickerPrice => {
            q.finish()?;
            let prices: Vec<w::TickerPrice> = book
                .pairs
                .values()
                .map(|p| w::TickerPrice {
                    symbol: p.info.symbol.clone(),
                    price: p.last,
                })
                .collect();
            json(&prices)
        }
        Depth => {
            let symbol: String = q.req("symbol")?;
            let limit: usize = q.opt("limit")?.unwrap_or(100);
            q.finish()?;
            let p = book.pair(&symbol)?;
            let tick = p.rules.tick_size;
            let level =
                |i: usize, px: f64| (format!("{:.8}", px), format!("{:.8}", (i + 1) as f64));
            json(&OrderBook {
                bids: (0..limit.min(5))
                    .map(|i| level(i, p.bid - tick * i as f64))
                    .collect(),
                asks: (0..limit.min(5))
                    .map(|i| level(i, p.ask + tick * i as f64))
                    .collect(),
            })
        }
        NewOrder => {
            let order = new_order(&mut q, now)?;
            q.finish()?;
            json(&book.place(order, now)?)
        }
        CancelReplace => {
            let order = new_order(&mut q, now)?;
            cancel_replace(&mut book, &mut q, order, now)
        }
        GetOrder | CancelOrder => {
            let symbol: String = q.req("symbol")?;
            let id: Option<u64> = q.opt("orderId")?;
            let client: Option<String> = q.opt("origClientOrderId")?;
            if id.is_none() && client.is_none() {
                return Err(MockError::bad(-1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!"));
            }
            q.finish()?;
            book.pair(&symbol)?;
            let found = book.find(&symbol, id, client.as_deref());
            match (endpoint, found) {
                (GetOrder, Some(i)) => json(&book.orders[i]),
                (GetOrder, None) => Err(MockError::bad(-2013, "Order does not exist.")),
                (_, Some(i)) => json(&book.cancel(i, now)?),
                (_, None) => Err(MockError::bad(-2011, "Unknown order sent.")),
            }
        }
        OpenOrders => {
            let symbol: Option<String> = q.opt("symbol")?;
            q.finish()?;
            let open: Vec<_> = book
                .orders
                .iter()
                .filter(|o| working(o.status) && symbol.as_ref().is_none_or(|s| s == &o.symbol))
                .cloned()
                .collect();
            json(&open)
        }
        CancelOpenOrders => {
            let symbol: String = q.req("symbol")?;
            q.finish()?;
            book.pair(&symbol)?;
            let open: Vec<usize> = (0..book.orders.len())
                .filter(|&i| book.orders[i].symbol == symbol && working(book.orders[i].status))
                .collect();
            if open.is_empty() {
                return Err(MockError::bad(-2011, "Unknown order sent."));
            }
            let cancelled = open
                .into_iter()
                .map(|i| book.cancel(i, now))
                .collect::<Result<Vec<_>, _>>()?;
            json(&cancelled)
        }
        MyTrades => {
            let symbol: String = q.req("symbol")?;
            q.finish()?;
            book.pair(&symbol)?;
            let trades: Vec<_> = book
                .trades
                .iter()
                .filter(|t| t.symbol == symbol)
                .cloned()
                .collect();
            json(&trades)
        }
        Account => {
            q.finish()?;
            let restrictions = shared.key(&key).map(|k| k.restrictions);
            json(&w::Account {
                can_trade: restrictions
                    .as_ref()
                    .is_some_and(|r| r.enable_spot_and_margin_trading),
                can_withdraw: true,
                permissions: vec!["SPOT".into()],
                balances: book.balances(),
            })
        }
        ApiRestrictions => {
            q.finish()?;
            let restrictions = shared.key(&key).map(|k| k.restrictions).ok_or_else(|| {
                MockError::with_status(
                    401,
                    -2015,
                    "Invalid API-key, IP, or permissions for action.",
                )
            })?;
            json(&restrictions)
        }
    }
}

/// Reads the parameters of a new order (`POST /api/v3/order`, and the new half of
/// `cancelReplace`).
pub(super) fn new_order(q: &mut Query, now: i64) -> Result<Placement, MockError> {
    let symbol: String = q.req("symbol")?;
    let side: Side = parse_wire(&q.req::<String>("side")?, -1117, "Invalid side.")?;
    let order_type: OrderType = parse_wire(&q.req::<String>("type")?, -1116, "Invalid orderType.")?;
    let client_id: String = q
        .opt("newClientOrderId")?
        .unwrap_or_else(|| format!("mock-{now}"));
    let _resp_type: Option<String> = q.opt("newOrderRespType")?;
    let quantity: f64 = q.req("quantity")?;
    let (price, stop_price, tif) = match order_type {
        OrderType::Market => (None, None, None),
        OrderType::Limit => (
            Some(q.req("price")?),
            None,
            Some(q.req::<String>("timeInForce")?),
        ),
        OrderType::StopLoss => (None, Some(q.req("stopPrice")?), None),
        OrderType::StopLossLimit => (
            Some(q.req("price")?),
            Some(q.req("stopPrice")?),
            Some(q.req::<String>("timeInForce")?),
        ),
        _ => return Err(MockError::bad(-1116, "Invalid orderType.")),
    };
    if tif.is_some_and(|t| t != "GTC" && t != "IOC" && t != "FOK") {
        return Err(MockError::bad(-1115, "Invalid timeInForce."));
    }
    Ok(Placement {
        symbol,
        side,
        order_type,
        quantity,
        price,
        stop_price,
        client_id,
    })
}

/// Reads an enumeration by its wire spelling (`BUY`, `STOP_LOSS_LIMIT`).
fn parse_wire<T: serde::de::DeserializeOwned>(
    text: &str,
    code: i64,
    msg: &str,
) -> Result<T, MockError> {
    use serde::de::IntoDeserializer;
    let de: serde::de::value::StrDeserializer<'_, serde::de::value::Error> =
        text.into_deserializer();
    T::deserialize(de).map_err(|_| MockError::bad(code, msg))
}
