//! The typed order-changing requests: what `/api/v1`, the webhooks and the Action Center hand the
//! trading service, already validated. [`TradeRequest`] is serde-tagged (`"op"`, the endpoint's
//! name), so a queued call is stored and replayed exactly as it was validated.

use keygate_broker::{ModifyRequest, OrderRequest};
use serde::{Deserialize, Serialize};

/// `placesmartorder`'s validated body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SmartOrder {
    /// The order as given (its action and quantity apply only when target and position are 0).
    #[serde(flatten)]
    pub order: OrderRequest,
    /// The target net position.
    pub position_size: f64,
}

/// `modifyorder`'s validated body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModifyOrder {
    /// The order to change.
    pub orderid: String,
    /// The order as it should become.
    #[serde(flatten)]
    pub order: OrderRequest,
}

impl ModifyOrder {
    /// The broker's change request.
    pub fn broker_request(&self) -> ModifyRequest {
        ModifyRequest {
            orderid: self.orderid.clone(),
            pricetype: self.order.pricetype,
            quantity: self.order.quantity,
            price: self.order.price,
            trigger_price: self.order.trigger_price,
            disclosed_quantity: self.order.disclosed_quantity,
        }
    }
}

/// A body naming one order: `cancelorder`, `orderstatus`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderRef {
    /// The order.
    pub orderid: String,
    /// Strategy tag.
    pub strategy: String,
}

/// A body with only a strategy tag: `cancelallorder`, `closeposition`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StrategyOnly {
    /// Strategy tag.
    pub strategy: String,
}

/// One order-changing call, validated. Stored in the Action Center as
/// `{"op":"placeorder", ...the request's fields}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op")]
pub enum TradeRequest {
    /// `placeorder`.
    #[serde(rename = "placeorder")]
    Place(OrderRequest),
    /// `placesmartorder`.
    #[serde(rename = "placesmartorder")]
    Smart(SmartOrder),
    /// `modifyorder`.
    #[serde(rename = "modifyorder")]
    Modify(ModifyOrder),
    /// `cancelorder`.
    #[serde(rename = "cancelorder")]
    Cancel(OrderRef),
    /// `cancelallorder`.
    #[serde(rename = "cancelallorder")]
    CancelAll(StrategyOnly),
    /// `closeposition`.
    #[serde(rename = "closeposition")]
    Close(StrategyOnly),
}

impl TradeRequest {
    /// The endpoint's name, as the serde tag spells it (shown in the Action Center's list).
    pub fn endpoint(&self) -> &'static str {
        match self {
            TradeRequest::Place(_) => "placeorder",
            TradeRequest::Smart(_) => "placesmartorder",
            TradeRequest::Modify(_) => "modifyorder",
            TradeRequest::Cancel(_) => "cancelorder",
            TradeRequest::CancelAll(_) => "cancelallorder",
            TradeRequest::Close(_) => "closeposition",
        }
    }

    /// The order it places or changes (its instrument gives the reference price), if any.
    pub fn order(&self) -> Option<&OrderRequest> {
        match self {
            TradeRequest::Place(order) => Some(order),
            TradeRequest::Smart(smart) => Some(&smart.order),
            TradeRequest::Modify(modify) => Some(&modify.order),
            TradeRequest::Cancel(_) | TradeRequest::CancelAll(_) | TradeRequest::Close(_) => None,
        }
    }

    /// The request's own fields without the tag, as the Action Center shows them.
    pub fn fields(&self) -> serde_json::Result<serde_json::Value> {
        match self {
            TradeRequest::Place(order) => serde_json::to_value(order),
            TradeRequest::Smart(smart) => serde_json::to_value(smart),
            TradeRequest::Modify(modify) => serde_json::to_value(modify),
            TradeRequest::Cancel(r) => serde_json::to_value(r),
            TradeRequest::CancelAll(s) | TradeRequest::Close(s) => serde_json::to_value(s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use keygate_broker::{Action, Exchange, PriceType, Product};

    fn order() -> OrderRequest {
        OrderRequest {
            strategy: "s".into(),
            symbol: "SBIN".into(),
            exchange: Exchange::Nse,
            action: Action::Buy,
            pricetype: PriceType::Market,
            product: Product::Mis,
            quantity: 1.0,
            price: 0.0,
            trigger_price: 0.0,
            disclosed_quantity: 0,
        }
    }

    #[test]
    fn every_kind_round_trips_through_its_tagged_form() {
        let all = [
            TradeRequest::Place(order()),
            TradeRequest::Smart(SmartOrder {
                order: order(),
                position_size: 5.0,
            }),
            TradeRequest::Modify(ModifyOrder {
                orderid: "1".into(),
                order: order(),
            }),
            TradeRequest::Cancel(OrderRef {
                orderid: "1".into(),
                strategy: "s".into(),
            }),
            TradeRequest::CancelAll(StrategyOnly {
                strategy: "s".into(),
            }),
            TradeRequest::Close(StrategyOnly {
                strategy: "s".into(),
            }),
        ];
        for request in all {
            let stored = serde_json::to_string(&request).unwrap();
            assert!(stored.contains(&format!("\"op\":\"{}\"", request.endpoint())));
            assert_eq!(
                serde_json::from_str::<TradeRequest>(&stored).unwrap(),
                request
            );
            assert!(request.fields().unwrap().get("op").is_none());
        }
    }
}
