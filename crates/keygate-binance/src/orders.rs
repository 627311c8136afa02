//! Orders between keygate's types and Binance's.
//!
//! - keygate order ids are `SYMBOL-ORDERID` (`BTCUSDT-28457`): Binance looks orders up per pair,
//!   and the `Broker` trait names an order by its id alone.
//! - Every order carries a `newClientOrderId` `kg<product>-<32 hex>`: derived from the caller's
//!   request id when there is one (so a retried request names the same order), else random. The
//!   product letter lets orders read back from the exchange report the product they were placed
//!   with (spot has none; `MIS` for orders placed elsewhere). A modify's replacement order gets
//!   an id derived from the old one ([`replacement_client_id`]).

use chrono::{DateTime, Utc};
use keygate_broker::num::round_qty;
use keygate_broker::{
    Action, BrokerError, Exchange, Order, OrderRequest, OrderStatus, PriceType, Product, Trade,
};
use sha2::{Digest, Sha256};

use crate::sign::Params;
use crate::wire::{ExchangeOrder, ExchangeStatus, ExchangeTrade, OrderType, Side};

/// A keygate order id, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRef {
    /// The pair.
    pub symbol: String,
    /// Binance's order id.
    pub order_id: u64,
}

impl OrderRef {
    /// Parses `SYMBOL-ORDERID`; anything else is an order that cannot exist.
    pub fn parse(orderid: &str) -> Result<Self, BrokerError> {
        let not_found = || BrokerError::OrderNotFound(orderid.to_owned());
        let (symbol, id) = orderid.rsplit_once('-').ok_or_else(not_found)?;
        let symbol_ok = !symbol.is_empty()
            && symbol.len() <= 20
            && symbol
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        match id.parse() {
            Ok(order_id) if symbol_ok => Ok(Self {
                symbol: symbol.to_owned(),
                order_id,
            }),
            _ => Err(not_found()),
        }
    }

    /// The keygate id.
    pub fn id(symbol: &str, order_id: u64) -> String {
        format!("{symbol}-{order_id}")
    }
}

/// The client order id of an order: from the caller's request id when given, else random.
pub fn client_order_id(product: Product, request_id: Option<&str>) -> String {
    let letter = match product {
        Product::Nrml => 'n',
        Product::Mis | Product::Cnc => 'm',
    };
    let body = match request_id {
        Some(id) => {
            let digest = Sha256::digest(format!("keygate-order:{id}").as_bytes());
            hex::encode(&digest[..16])
        }
        None => uuid::Uuid::new_v4().simple().to_string(),
    };
    format!("kg{letter}-{body}")
}

/// The client order id of the order that replaces `old` (a modify): derived from `old`, so a
/// modify retried after a lost answer names the same replacement, and with `old`'s product
/// letter.
pub fn replacement_client_id(old: &str) -> String {
    let letter = match product_of(old) {
        Product::Nrml => 'n',
        Product::Mis | Product::Cnc => 'm',
    };
    let digest = Sha256::digest(format!("keygate-modify:{old}").as_bytes());
    format!("kg{letter}-{}", hex::encode(&digest[..16]))
}

/// The product an order was placed with, read from its client order id.
pub fn product_of(client_order_id: &str) -> Product {
    if client_order_id.starts_with("kgn-") {
        Product::Nrml
    } else {
        Product::Mis
    }
}

/// The placement parameters of a request (symbol, side, type and the prices its type takes).
pub fn placement(request: &OrderRequest, client_id: &str) -> Params {
    let side = match request.action {
        Action::Buy => "BUY",
        Action::Sell => "SELL",
    };
    let base = Params::new()
        .with("symbol", &request.symbol)
        .with("side", side)
        .with("newClientOrderId", client_id)
        .with("newOrderRespType", "RESULT");
    let quantity = decimal(request.quantity);
    match request.pricetype {
        PriceType::Market => base.with("type", "MARKET").with("quantity", quantity),
        PriceType::Limit => base
            .with("type", "LIMIT")
            .with("timeInForce", "GTC")
            .with("quantity", quantity)
            .with("price", decimal(request.price)),
        PriceType::Sl => base
            .with("type", "STOP_LOSS_LIMIT")
            .with("timeInForce", "GTC")
            .with("quantity", quantity)
            .with("price", decimal(request.price))
            .with("stopPrice", decimal(request.trigger_price)),
        PriceType::SlM => base
            .with("type", "STOP_LOSS")
            .with("quantity", quantity)
            .with("stopPrice", decimal(request.trigger_price)),
    }
}

/// A decimal as Binance reads it: no exponent, no trailing zeros.
pub fn decimal(x: f64) -> String {
    let text = format!("{:.8}", round_qty(x));
    let text = text.trim_end_matches('0').trim_end_matches('.');
    text.to_owned()
}

fn time(ms: Option<i64>) -> DateTime<Utc> {
    ms.and_then(DateTime::from_timestamp_millis)
        .unwrap_or_else(Utc::now)
}

/// An exchange order as keygate's `Order`.
pub fn to_order(o: &ExchangeOrder, strategy: &str) -> Order {
    let pricetype = match o.order_type {
        OrderType::Market => PriceType::Market,
        OrderType::Limit | OrderType::LimitMaker => PriceType::Limit,
        OrderType::StopLossLimit | OrderType::TakeProfitLimit => PriceType::Sl,
        OrderType::StopLoss | OrderType::TakeProfit => PriceType::SlM,
    };
    let stop = matches!(pricetype, PriceType::Sl | PriceType::SlM);
    let order_status = match o.status {
        ExchangeStatus::New if stop => OrderStatus::TriggerPending,
        ExchangeStatus::PendingNew
        | ExchangeStatus::New
        | ExchangeStatus::PartiallyFilled
        | ExchangeStatus::PendingCancel => OrderStatus::Open,
        ExchangeStatus::Filled => OrderStatus::Complete,
        ExchangeStatus::Canceled | ExchangeStatus::Expired | ExchangeStatus::ExpiredInMatch => {
            OrderStatus::Cancelled
        }
        ExchangeStatus::Rejected => OrderStatus::Rejected,
    };
    let average_price = if o.executed_qty > 0.0 {
        o.cummulative_quote_qty / o.executed_qty
    } else {
        0.0
    };
    Order {
        orderid: OrderRef::id(&o.symbol, o.order_id),
        strategy: strategy.to_owned(),
        symbol: o.symbol.clone(),
        exchange: Exchange::Crypto,
        action: side(o.side),
        pricetype,
        product: product_of(&o.client_order_id),
        quantity: o.orig_qty,
        price: o.price,
        trigger_price: o.stop_price.unwrap_or(0.0),
        disclosed_quantity: 0,
        order_status,
        filled_quantity: o.executed_qty,
        pending_quantity: if order_status.is_working() {
            round_qty(o.orig_qty - o.executed_qty)
        } else {
            0.0
        },
        average_price,
        rejection_reason: None,
        blocked_margin: 0.0,
        timestamp: time(o.time.or(o.transact_time)),
        updated_at: time(o.update_time.or(o.transact_time)),
    }
}

fn side(s: Side) -> Action {
    match s {
        Side::Buy => Action::Buy,
        Side::Sell => Action::Sell,
    }
}

/// A fill as keygate's `Trade`.
pub fn to_trade(t: &ExchangeTrade) -> Trade {
    Trade {
        tradeid: format!("{}-{}", t.symbol, t.id),
        orderid: OrderRef::id(&t.symbol, t.order_id),
        strategy: String::new(),
        symbol: t.symbol.clone(),
        exchange: Exchange::Crypto,
        action: if t.is_buyer {
            Action::Buy
        } else {
            Action::Sell
        },
        product: Product::Mis,
        quantity: t.qty,
        average_price: t.price,
        trade_value: keygate_broker::num::round2(t.quote_qty),
        timestamp: time(Some(t.time)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_ids_round_trip_and_garbage_is_not_found() {
        let r = OrderRef::parse("BTCUSDT-28457").unwrap();
        assert_eq!((r.symbol.as_str(), r.order_id), ("BTCUSDT", 28457));
        for bad in [
            "28457",
            "btcusdt-1",
            "BTCUSDT-",
            "-1",
            "BTCUSDT-x",
            "BTC USDT-1",
        ] {
            assert_eq!(
                OrderRef::parse(bad),
                Err(BrokerError::OrderNotFound(bad.into()))
            );
        }
    }

    #[test]
    fn client_ids_are_stable_per_request_id_and_fit_binances_limit() {
        let a = client_order_id(Product::Mis, Some("req-1"));
        assert_eq!(a, client_order_id(Product::Mis, Some("req-1")));
        assert_ne!(a, client_order_id(Product::Mis, Some("req-2")));
        assert_ne!(
            client_order_id(Product::Mis, None),
            client_order_id(Product::Mis, None)
        );
        assert_eq!(a.len(), 36);
        assert_eq!(
            product_of(&client_order_id(Product::Nrml, None)),
            Product::Nrml
        );
    }

    #[test]
    fn replacement_ids_are_stable_distinct_and_keep_the_product() {
        let old = client_order_id(Product::Nrml, Some("req-1"));
        let next = replacement_client_id(&old);
        assert_eq!(next, replacement_client_id(&old));
        assert_ne!(next, old);
        assert_ne!(replacement_client_id(&next), next);
        assert_eq!(product_of(&next), Product::Nrml);
        assert_eq!(next.len(), 36);
        assert_eq!(product_of(&replacement_client_id("web_abc")), Product::Mis);
    }

    #[test]
    fn decimals_are_written_without_exponent_or_trailing_zeros() {
        assert_eq!(decimal(0.00001), "0.00001");
        assert_eq!(decimal(50_000.0), "50000");
        assert_eq!(decimal(0.1 + 0.2), "0.3");
    }
}
