//! The contract's enumerations (§4), with their exact wire spellings. Each has `as_str` (the wire
//! form) and `FromStr` (strict, case-sensitive, except `Action`, which also takes `buy`/`sell`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A wire value that is not one of an enumeration's spellings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{value}' is not a valid {kind}")]
pub struct UnknownVariant {
    /// Which enumeration.
    pub kind: &'static str,
    /// The value that was given.
    pub value: String,
}

macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident, $kind:literal, { $($(#[$vmeta:meta])* $variant:ident => $wire:literal $(| $alias:literal)*),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $wire $(, alias = $alias)*)] $variant),+
        }

        impl $name {
            /// Every variant, in the contract's order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The wire spelling.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $wire),+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownVariant;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($wire $(| $alias)* => Ok($name::$variant),)+
                    _ => Err(UnknownVariant { kind: $kind, value: s.to_owned() }),
                }
            }
        }
    };
}

wire_enum!(
    /// An exchange segment (`VALID_EXCHANGES`, in the contract's order).
    Exchange, "exchange", {
        /// NSE cash equities.
        Nse => "NSE",
        /// NSE futures and options.
        Nfo => "NFO",
        /// NSE currency derivatives.
        Cds => "CDS",
        /// BSE cash equities.
        Bse => "BSE",
        /// BSE futures and options.
        Bfo => "BFO",
        /// BSE currency derivatives.
        Bcd => "BCD",
        /// MCX commodities.
        Mcx => "MCX",
        /// NCDEX commodities.
        Ncdex => "NCDEX",
        /// NSE commodities.
        Nco => "NCO",
        /// NSE indices (not tradable).
        NseIndex => "NSE_INDEX",
        /// BSE indices (not tradable).
        BseIndex => "BSE_INDEX",
        /// MCX indices (not tradable).
        McxIndex => "MCX_INDEX",
        /// Global indices (not tradable).
        GlobalIndex => "GLOBAL_INDEX",
        /// Crypto pairs (fractional quantities).
        Crypto => "CRYPTO",
    }
);

/// What kind of market an exchange is, for the sandbox's product and margin rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment {
    /// Cash equities (NSE, BSE).
    Equity,
    /// Futures, options, currency and commodity derivatives.
    Derivative,
    /// Crypto pairs.
    Crypto,
    /// Indices: quotable, never tradable.
    Index,
}

impl Exchange {
    /// The exchange's segment.
    pub fn segment(self) -> Segment {
        match self {
            Exchange::Nse | Exchange::Bse => Segment::Equity,
            Exchange::Crypto => Segment::Crypto,
            Exchange::NseIndex
            | Exchange::BseIndex
            | Exchange::McxIndex
            | Exchange::GlobalIndex => Segment::Index,
            _ => Segment::Derivative,
        }
    }

    /// True when quantities may be fractional (CRYPTO only).
    pub fn allows_fractional(self) -> bool {
        self == Exchange::Crypto
    }
}

wire_enum!(
    /// The order's side. Lowercase `buy`/`sell` are accepted on input; output is uppercase.
    Action, "action", {
        /// Buy.
        Buy => "BUY" | "buy",
        /// Sell.
        Sell => "SELL" | "sell",
    }
);

impl Action {
    /// +1 for BUY, -1 for SELL.
    pub fn sign(self) -> f64 {
        match self {
            Action::Buy => 1.0,
            Action::Sell => -1.0,
        }
    }

    /// The other side.
    pub fn opposite(self) -> Action {
        match self {
            Action::Buy => Action::Sell,
            Action::Sell => Action::Buy,
        }
    }
}

wire_enum!(
    /// How the order is priced.
    PriceType, "pricetype", {
        /// Fill at once at the touch.
        Market => "MARKET",
        /// Fill at `price` or better.
        Limit => "LIMIT",
        /// Stop-loss limit: at `trigger_price` becomes a LIMIT at `price`.
        Sl => "SL",
        /// Stop-loss market: at `trigger_price` becomes a MARKET order.
        SlM => "SL-M",
    }
);

wire_enum!(
    /// The product (margin regime).
    Product, "product", {
        /// Intraday.
        Mis => "MIS",
        /// Carry-forward derivatives.
        Nrml => "NRML",
        /// Cash and carry (equity delivery).
        Cnc => "CNC",
    }
);

wire_enum!(
    /// An order's lifecycle state.
    OrderStatus, "order_status", {
        /// A LIMIT order waiting for the price to cross.
        Open => "open",
        /// An SL/SL-M order waiting for its trigger.
        TriggerPending => "trigger pending",
        /// Filled.
        Complete => "complete",
        /// Refused by a rule (the order row keeps the reason).
        Rejected => "rejected",
        /// Cancelled by the user.
        Cancelled => "cancelled",
    }
);

impl OrderStatus {
    /// True for `open` and `trigger pending`: the order may still fill, be modified or cancelled.
    pub fn is_working(self) -> bool {
        matches!(self, OrderStatus::Open | OrderStatus::TriggerPending)
    }
}

wire_enum!(
    /// Which ledger of a user a call works on: the live one (the user's broker; the paper broker by
    /// default) or the analyzer's sandbox.
    Ledger, "ledger", {
        /// The user's live account.
        Live => "live",
        /// The analyzer (sandbox) account.
        Analyze => "analyze",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_spellings_round_trip_through_serde_and_from_str() {
        for ex in Exchange::ALL {
            let json = serde_json::to_string(ex).unwrap();
            assert_eq!(json, format!("\"{}\"", ex.as_str()));
            assert_eq!(ex.as_str().parse::<Exchange>().unwrap(), *ex);
        }
        assert_eq!(Exchange::ALL.len(), 14);
        assert_eq!(Exchange::ALL[9].as_str(), "NSE_INDEX");
        assert_eq!(serde_json::to_string(&PriceType::SlM).unwrap(), "\"SL-M\"");
        assert_eq!(
            serde_json::to_string(&OrderStatus::TriggerPending).unwrap(),
            "\"trigger pending\""
        );
        assert_eq!(
            serde_json::from_str::<Action>("\"buy\"").unwrap(),
            Action::Buy
        );
        assert_eq!("sell".parse::<Action>().unwrap(), Action::Sell);
        assert!("nse".parse::<Exchange>().is_err());
        assert!("Market".parse::<PriceType>().is_err());
    }
}
