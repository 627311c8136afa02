//! Turning a stored row into what the Action Center shows: the request's own fields and the
//! order it describes, read from the stored [`TradeRequest`].

use std::time::Duration;

use keygate_types::action_center::{PendingOrder, PendingState};
use serde_json::Value;

use crate::entities::pending_order;
use crate::trading::request::TradeRequest;

pub(super) fn to_view(
    row: pending_order::Model,
    key_name: Option<String>,
    ttl: Duration,
) -> PendingOrder {
    let stored: Option<TradeRequest> = serde_json::from_str(&row.body).ok();
    let order = stored.as_ref().and_then(TradeRequest::order);
    let request = stored.as_ref().and_then(|r| r.fields().ok());
    let expires_at = row.created_at + super::ttl_delta(ttl);
    let mut state = PendingState::parse(&row.state).unwrap_or(PendingState::Expired);
    if state == PendingState::Pending && expires_at <= chrono::Utc::now() {
        state = PendingState::Expired;
    }
    PendingOrder {
        id: row.id,
        key_id: row.key_id,
        key_name,
        op: row.op,
        ledger: row.ledger,
        state,
        symbol: order.map(|o| o.symbol.clone()),
        exchange: order.map(|o| o.exchange.as_str().to_owned()),
        action: order.map(|o| o.action.as_str().to_owned()),
        quantity: order.map(|o| o.quantity).filter(|q| q.is_finite()),
        pricetype: order.map(|o| o.pricetype.as_str().to_owned()),
        product: order.map(|o| o.product.as_str().to_owned()),
        request: request.unwrap_or(Value::Null),
        reference_price: row.reference_price,
        current_price: None,
        created_at: row.created_at,
        expires_at,
        decided_at: row.decided_at,
        decided_by: row.decided_by,
        reason: row.reason,
        error: row.error,
        broker_order_id: row.broker_order_id,
        broker_status: row.broker_status,
        response: row.response.and_then(|r| serde_json::from_str(&r).ok()),
    }
}
