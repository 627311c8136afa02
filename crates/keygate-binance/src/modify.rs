//! Modify on Binance spot: `POST /api/v3/order/cancelReplace` with
//! `cancelReplaceMode=STOP_ON_FAILURE`, one signed request that cancels the working order and
//! places its replacement (not tried when the cancel is refused).
//!
//! - The new price type must be LIMIT or SL (`STOP_LOSS_LIMIT`); side, pair and product are the
//!   old order's. The contract's price rules and the pair's filters are checked before anything
//!   is sent, so a bad modify leaves the order working.
//! - The replacement is a new exchange order: the modify answers its order id. Its client order
//!   id is derived from the old one, so after a lost answer the replacement is looked up by it
//!   before the request is sent again.
//! - `-2022` (cancel refused, nothing placed): the order stopped working, reported as the
//!   contract's `Cannot modify order in <status> status`. `-2021` after a cancel that succeeded
//!   (the replacement refused, e.g. the balance): the old order is gone, and the error says so.

use keygate_broker::num::round_qty;
use keygate_broker::{
    BrokerError, Exchange, Exposure, ModifyRequest, Order, OrderRequest, PriceType, RuleViolation,
};
use reqwest::Method;

use crate::client::{Call, Failure};
use crate::errors::{map_error, Subject};
use crate::orders::{placement, replacement_client_id, to_order, OrderRef};
use crate::spot::{check_request, BinanceSpot};
use crate::wire::{ApiErrorBody, CancelReplaceParts, ExchangeOrder, PartResponse, Side};

/// The cancel was refused; the new order was not tried.
const CANCEL_REPLACE_FAILED: i64 = -2022;
/// One part succeeded and the other was refused.
const CANCEL_REPLACE_PARTIALLY_FAILED: i64 = -2021;

impl BinanceSpot {
    /// The working order a modify names, and the order request that would replace it (checked
    /// against the contract's rules and the pair's filters).
    pub(crate) async fn replacement(
        &self,
        request: &ModifyRequest,
    ) -> Result<(ExchangeOrder, OrderRequest), BrokerError> {
        let r = OrderRef::parse(&request.orderid)?;
        let old = self.exchange_order(&r, &request.orderid).await?;
        let current = to_order(&old, "");
        if !current.order_status.is_working() {
            return Err(RuleViolation::CannotModify(current.order_status).into());
        }
        if !matches!(request.pricetype, PriceType::Limit | PriceType::Sl) {
            return Err(BrokerError::Unsupported(
                "Binance spot modifies orders into LIMIT or SL orders only: cancel the order and place a new one".into(),
            ));
        }
        let next = OrderRequest {
            strategy: String::new(),
            symbol: old.symbol.clone(),
            exchange: Exchange::Crypto,
            action: current.action,
            pricetype: request.pricetype,
            product: current.product,
            quantity: request.quantity,
            price: request.price,
            trigger_price: match request.pricetype {
                PriceType::Sl => request.trigger_price,
                _ => 0.0,
            },
            disclosed_quantity: 0,
        };
        check_request(&next)?;
        self.rules(&next.symbol)
            .await?
            .check(next.quantity, Some(next.price))?;
        Ok((old, next))
    }

    /// Spot's reduce-only rule for a replacement: a SELL of at most the free base balance plus
    /// what the old order (a working SELL) holds.
    pub(crate) async fn reduce_only_replacing(
        &self,
        old: &ExchangeOrder,
        next: &OrderRequest,
    ) -> Result<(), BrokerError> {
        let released = match old.side {
            Side::Sell => round_qty(old.orig_qty - old.executed_qty),
            Side::Buy => 0.0,
        };
        self.reduce_only(next, released).await
    }

    /// Modifies a working order by `cancelReplace` (see the module docs); answers the
    /// replacement.
    pub(crate) async fn modify(
        &self,
        request: &ModifyRequest,
        exposure: Exposure,
    ) -> Result<Order, BrokerError> {
        let (old, next) = self.replacement(request).await?;
        if exposure == Exposure::ReduceOnly {
            self.reduce_only_replacing(&old, &next).await?;
        }
        let client_id = replacement_client_id(&old.client_order_id);
        let params = placement(&next, &client_id)
            .with("cancelReplaceMode", "STOP_ON_FAILURE")
            .with("cancelOrderId", old.order_id);
        let call = Call::signed(Method::POST, "/api/v3/order/cancelReplace", 1, params);
        let answer = match self.client.call::<CancelReplaceParts>(&call).await {
            Err(Failure::Unknown(why)) => {
                log::warn!("binance: {why}; looking replacement {client_id} up before any retry");
                match self.find_by_client_id(&old.symbol, &client_id).await? {
                    Some(found) => return Ok(to_order(&found, "")),
                    None => self.client.call::<CancelReplaceParts>(&call).await,
                }
            }
            other => other,
        };
        match answer {
            Ok(parts) => match parts.new_order_response {
                Some(PartResponse::Done(order)) => Ok(to_order(&order, "")),
                _ => Err(BrokerError::Unavailable(
                    "cancelReplace answered success without the new order".into(),
                )),
            },
            Err(Failure::Refused(body)) => Err(self.refusal(body, &request.orderid, &old).await),
            Err(f) => Err(f.into_broker(Subject::Order(&request.orderid))),
        }
    }

    /// A refused `cancelReplace` in the contract's words.
    async fn refusal(&self, body: ApiErrorBody, orderid: &str, old: &ExchangeOrder) -> BrokerError {
        let refused = |response: &Option<PartResponse>| match response {
            Some(PartResponse::Refused(part)) => Some(part.clone()),
            _ => None,
        };
        let (cancel, placed) = match body.data.as_deref() {
            Some(parts) => (
                refused(&parts.cancel_response),
                refused(&parts.new_order_response),
            ),
            None => (None, None),
        };
        match body.code {
            CANCEL_REPLACE_FAILED => {
                // Most often the order filled or was cancelled since it was read.
                let r = OrderRef {
                    symbol: old.symbol.clone(),
                    order_id: old.order_id,
                };
                match self.exchange_order(&r, orderid).await {
                    Ok(now) => {
                        let status = to_order(&now, "").order_status;
                        if status.is_working() {
                            map_error(cancel.unwrap_or(body), Subject::Order(orderid))
                        } else {
                            RuleViolation::CannotModify(status).into()
                        }
                    }
                    Err(e) => e,
                }
            }
            CANCEL_REPLACE_PARTIALLY_FAILED => {
                let why = placed.unwrap_or(body);
                BrokerError::Exchange {
                    code: why.code,
                    message: format!(
                        "order {orderid} was cancelled, but its replacement was refused: {}",
                        why.msg
                    ),
                }
            }
            _ => map_error(body, Subject::Symbol(&old.symbol)),
        }
    }
}
