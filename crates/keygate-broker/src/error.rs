//! The broker layer's errors. Every message a client can see is the contract's exact text (§5, §7);
//! `kind()` tells the API layer which HTTP status family to answer with.

use crate::types::{Action, Exchange, OrderStatus, PriceType, Product, Segment};

/// The HTTP-ish class of a broker error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// 400: the request breaks a trading rule or names an unknown symbol.
    BadRequest,
    /// 403: a reduce-only order would open, add to or reverse a position.
    Forbidden,
    /// 404: the order does not exist in this ledger.
    NotFound,
    /// 400 with an `orderid`: the order was stored as `rejected`.
    Rejected,
    /// 500: storage or another internal failure (its text is for the log only).
    Internal,
}

/// A sandbox trading rule that a request breaks (§7). `Display` is the contract's message.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RuleViolation {
    /// NRML on a cash-equity exchange.
    #[error("NRML product not allowed for {0} equity segment. Use CNC for delivery or MIS for intraday.")]
    NrmlOnEquity(Exchange),
    /// CNC on a derivatives or crypto exchange.
    #[error("CNC product not allowed for {0} derivatives segment. Use NRML for carryforward or MIS for intraday.")]
    CncOnDerivatives(Exchange),
    /// LIMIT or SL without a price.
    #[error("{0} orders require price")]
    PriceRequired(PriceType),
    /// SL or SL-M without a trigger price.
    #[error("{0} orders require trigger_price")]
    TriggerPriceRequired(PriceType),
    /// Quantity ≤ 0.
    #[error("Quantity must be a positive number.")]
    QuantityNotPositive,
    /// A fractional quantity outside CRYPTO.
    #[error("Fractional quantity ({0}) is not allowed for non-crypto exchanges.")]
    FractionalQuantity(f64),
    /// Not a multiple of the lot size (or, on CRYPTO, of the quantity step).
    #[error("Quantity must be in multiples of lot size {0}")]
    LotSize(f64),
    /// Not enough free cash for the margin.
    #[error("Insufficient funds. Required: ₹{required:.2}, Available: ₹{available:.2}")]
    InsufficientFunds {
        /// Margin the order needs.
        required: f64,
        /// Free cash.
        available: f64,
    },
    /// A CNC SELL larger than the holdings not already promised to other CNC SELL orders.
    #[error("Insufficient holdings to sell {required} {symbol}: {available} available")]
    InsufficientHoldings {
        /// The symbol.
        symbol: String,
        /// Quantity the order sells.
        required: f64,
        /// Holdings free to sell.
        available: f64,
    },
    /// Modify of an order that is no longer working.
    #[error("Cannot modify order in {0} status")]
    CannotModify(OrderStatus),
    /// Cancel of an order that is no longer working.
    #[error("Cannot cancel order in {0} status")]
    CannotCancel(OrderStatus),
    /// A price off the instrument's tick grid (a real exchange's price filter).
    #[error("Price must be in multiples of tick size {0}")]
    TickSize(f64),
    /// A quantity outside the exchange's allowed range for the symbol.
    #[error("Quantity must be between {min} and {max}")]
    QuantityRange {
        /// Smallest quantity accepted.
        min: f64,
        /// Largest quantity accepted.
        max: f64,
    },
    /// An order worth less than the exchange's minimum (price × quantity).
    #[error("Order value {value} is below the minimum order value {min}")]
    MinNotional {
        /// The order's price × quantity.
        value: f64,
        /// The exchange's minimum.
        min: f64,
    },
    /// Orders on an index.
    #[error("Cannot place orders on index {symbol} ({exchange}): indices are not tradable")]
    IndexNotTradable {
        /// The index.
        symbol: String,
        /// Its exchange.
        exchange: Exchange,
    },
}

/// A reduce-only order ([`crate::Exposure::ReduceOnly`]) that would open, add to or reverse a
/// position. `Display` gives the figures: the order against the net position it would trade.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{action} {quantity} {symbol} {exchange} {product} against a net position of {net}{}", working_note(*.working))]
pub struct ReduceOnlyViolation {
    /// Side of the order.
    pub action: Action,
    /// Its quantity.
    pub quantity: f64,
    /// Its symbol.
    pub symbol: String,
    /// Its exchange.
    pub exchange: Exchange,
    /// Its product.
    pub product: Product,
    /// The signed net position (for CNC longs, at least the holdings).
    pub net: f64,
    /// Quantity of other working orders on the order's side.
    pub working: f64,
}

fn working_note(working: f64) -> String {
    if working > 0.0 {
        format!(" with {working} already working on that side")
    } else {
        String::new()
    }
}

/// An error from a `Broker` call.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BrokerError {
    /// No such instrument.
    #[error("Symbol '{symbol}' not found for exchange '{exchange}'. Please verify the symbol name and ensure master contracts are downloaded.")]
    SymbolNotFound {
        /// The symbol asked for.
        symbol: String,
        /// The exchange asked for.
        exchange: Exchange,
    },
    /// No such order in this ledger.
    #[error("Order {0} not found")]
    OrderNotFound(String),
    /// The request breaks a trading rule; nothing was stored.
    #[error(transparent)]
    Rule(#[from] RuleViolation),
    /// A reduce-only order would open, add to or reverse a position; nothing was stored.
    #[error("A reduce-only order may only reduce an existing position, never open, add to or reverse one ({0})")]
    ReduceOnly(ReduceOnlyViolation),
    /// The order was stored as `rejected` with this reason (e.g. a CNC SELL without holdings).
    #[error("{reason}")]
    Rejected {
        /// The rejected order's id.
        orderid: String,
        /// Why.
        reason: String,
    },
    /// The ledger store failed; the operation was not applied.
    #[error("ledger storage failed: {0}")]
    Store(String),
    /// The broker cannot do this at all (e.g. a real exchange asked for the analyzer's ledger).
    #[error("{0}")]
    Unsupported(String),
    /// A real exchange refused the request; `message` is the exchange's own text.
    #[error("The exchange refused the request: {message} (code {code})")]
    Exchange {
        /// The exchange's error code.
        code: i64,
        /// The exchange's message.
        message: String,
    },
    /// A real exchange refused the connection's credentials (bad key, signature, IP or
    /// permissions); the text never holds the secret.
    #[error("The exchange refused the connection's API key: {0}")]
    Credentials(String),
    /// A real exchange could not be reached or answered out of contract (timeout, 5xx, bad
    /// body); the order may or may not have reached it. Log-only text, like `Store`.
    #[error("exchange unavailable: {0}")]
    Unavailable(String),
}

impl BrokerError {
    /// The HTTP-ish class.
    pub fn kind(&self) -> ErrorKind {
        match self {
            BrokerError::SymbolNotFound { .. }
            | BrokerError::Rule(_)
            | BrokerError::Unsupported(_)
            | BrokerError::Exchange { .. } => ErrorKind::BadRequest,
            BrokerError::ReduceOnly(_) | BrokerError::Credentials(_) => ErrorKind::Forbidden,
            BrokerError::OrderNotFound(_) => ErrorKind::NotFound,
            BrokerError::Rejected { .. } => ErrorKind::Rejected,
            BrokerError::Store(_) | BrokerError::Unavailable(_) => ErrorKind::Internal,
        }
    }
}

/// Product rules of §7 for a segment, shared by validation and docs.
pub(crate) fn product_rule(exchange: Exchange, product: Product) -> Result<(), RuleViolation> {
    match (exchange.segment(), product) {
        (Segment::Equity, Product::Nrml) => Err(RuleViolation::NrmlOnEquity(exchange)),
        (Segment::Derivative | Segment::Crypto, Product::Cnc) => {
            Err(RuleViolation::CncOnDerivatives(exchange))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_the_contracts_exact_text() {
        let e = BrokerError::SymbolNotFound {
            symbol: "X".into(),
            exchange: Exchange::Nse,
        };
        assert_eq!(e.to_string(), "Symbol 'X' not found for exchange 'NSE'. Please verify the symbol name and ensure master contracts are downloaded.");
        assert_eq!(e.kind(), ErrorKind::BadRequest);
        assert_eq!(
            RuleViolation::NrmlOnEquity(Exchange::Nse).to_string(),
            "NRML product not allowed for NSE equity segment. Use CNC for delivery or MIS for intraday."
        );
        assert_eq!(
            RuleViolation::CncOnDerivatives(Exchange::Nfo).to_string(),
            "CNC product not allowed for NFO derivatives segment. Use NRML for carryforward or MIS for intraday."
        );
        assert_eq!(
            RuleViolation::PriceRequired(PriceType::Limit).to_string(),
            "LIMIT orders require price"
        );
        assert_eq!(
            RuleViolation::TriggerPriceRequired(PriceType::Sl).to_string(),
            "SL orders require trigger_price"
        );
        assert_eq!(
            RuleViolation::LotSize(75.0).to_string(),
            "Quantity must be in multiples of lot size 75"
        );
        assert_eq!(
            RuleViolation::LotSize(0.001).to_string(),
            "Quantity must be in multiples of lot size 0.001"
        );
        assert_eq!(
            RuleViolation::CannotModify(OrderStatus::Complete).to_string(),
            "Cannot modify order in complete status"
        );
        assert_eq!(
            RuleViolation::CannotCancel(OrderStatus::Cancelled).to_string(),
            "Cannot cancel order in cancelled status"
        );
        assert_eq!(
            RuleViolation::FractionalQuantity(1.5).to_string(),
            "Fractional quantity (1.5) is not allowed for non-crypto exchanges."
        );
        assert_eq!(
            BrokerError::OrderNotFound("1".into()).to_string(),
            "Order 1 not found"
        );
        assert_eq!(
            BrokerError::OrderNotFound("1".into()).kind(),
            ErrorKind::NotFound
        );
    }
}
