//! Turning a stored row into what the Action Center shows.

use std::time::Duration;

use keygate_types::action_center::{PendingOrder, PendingState};
use serde_json::Value;

use crate::entities::pending_order;

/// The order-describing fields of a request, where it has them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OrderSummary {
    /// `symbol`.
    pub symbol: Option<String>,
    /// `exchange`.
    pub exchange: Option<String>,
    /// `action`, upper-cased.
    pub action: Option<String>,
    /// `quantity` (a number or a numeric string).
    pub quantity: Option<f64>,
    /// `pricetype`.
    pub pricetype: Option<String>,
    /// `product`.
    pub product: Option<String>,
    /// `price`.
    pub price: Option<f64>,
}

fn text(body: &Value, field: &str) -> Option<String> {
    body.get(field)?.as_str().map(str::to_owned)
}

fn number(body: &Value, field: &str) -> Option<f64> {
    match body.get(field)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|n: &f64| n.is_finite())
}

/// Reads the order fields of a request body.
pub fn order_summary(body: &Value) -> OrderSummary {
    OrderSummary {
        symbol: text(body, "symbol"),
        exchange: text(body, "exchange"),
        action: text(body, "action").map(|a| a.to_ascii_uppercase()),
        quantity: number(body, "quantity"),
        pricetype: text(body, "pricetype"),
        product: text(body, "product"),
        price: number(body, "price"),
    }
}

pub(super) fn to_view(
    row: pending_order::Model,
    key_name: Option<String>,
    ttl: Duration,
) -> PendingOrder {
    let request: Value = serde_json::from_str(&row.body).unwrap_or(Value::Null);
    let summary = order_summary(&request);
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
        symbol: summary.symbol,
        exchange: summary.exchange,
        action: summary.action,
        quantity: summary.quantity,
        pricetype: summary.pricetype,
        product: summary.product,
        request,
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
