//! Broker connections (the credentials vault): what the owner sends to add, relabel and check
//! them, and what the server shows back: never the exchange secret, the API key only masked.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Which broker a connection reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BrokerKind {
    /// keygate's simulated broker (the user's paper account); needs no credentials.
    Paper,
    /// A Binance spot account, through its signed REST API.
    BinanceSpot,
}

impl BrokerKind {
    /// The wire and database name (`paper`, `binance_spot`).
    pub fn as_str(self) -> &'static str {
        match self {
            BrokerKind::Paper => "paper",
            BrokerKind::BinanceSpot => "binance_spot",
        }
    }

    /// Reads a wire or database name.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "paper" => Some(BrokerKind::Paper),
            "binance_spot" => Some(BrokerKind::BinanceSpot),
            _ => None,
        }
    }
}

/// What the last check against the exchange found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConnectionStatus {
    /// The exchange accepted the credentials and they may trade spot without withdrawals.
    Valid,
    /// The exchange refused the credentials, or they no longer meet keygate's rules (`reason`).
    Invalid,
    /// Never checked (paper connections need no check).
    Unchecked,
}

impl ConnectionStatus {
    /// The wire and database name.
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionStatus::Valid => "valid",
            ConnectionStatus::Invalid => "invalid",
            ConnectionStatus::Unchecked => "unchecked",
        }
    }

    /// Reads a wire or database name.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "valid" => Some(ConnectionStatus::Valid),
            "invalid" => Some(ConnectionStatus::Invalid),
            "unchecked" => Some(ConnectionStatus::Unchecked),
            _ => None,
        }
    }
}

/// What the exchange reported the API key may do (at the last successful check).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BrokerPermissions {
    /// Spot trading.
    pub spot: bool,
    /// Margin trading.
    pub margin: bool,
    /// Futures trading.
    pub futures: bool,
}

/// A connection as its owner sees it: the exchange API key masked, the secret never.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "id": 3, "kind": "binance_spot", "label": "main", "base_url": "https://api.binance.com",
    "api_key_masked": "your…s-it", "status": "valid", "reason": null,
    "checked_at": "2026-12-04T10:15:00Z",
    "permissions": {"spot": true, "margin": false, "futures": false},
    "created_at": "2026-12-04T10:15:00Z"
})))]
pub struct BrokerConnection {
    /// Database id.
    pub id: i64,
    /// Which broker.
    pub kind: BrokerKind,
    /// The owner's name for the connection, unique among theirs.
    pub label: String,
    /// The exchange's base URL (none for paper).
    pub base_url: Option<String>,
    /// First 4 and last 4 characters of the exchange API key (none for paper).
    pub api_key_masked: Option<String>,
    /// What the last check found.
    pub status: ConnectionStatus,
    /// Why the connection is invalid, in the exchange's words.
    pub reason: Option<String>,
    /// Time of the last check against the exchange.
    #[serde(default, with = "crate::rfc3339::option")]
    pub checked_at: Option<DateTime<Utc>>,
    /// What the key may do, as the exchange reported at the last successful check.
    pub permissions: BrokerPermissions,
    /// When the connection was added.
    #[serde(with = "crate::rfc3339")]
    pub created_at: DateTime<Utc>,
}

/// Body of `POST /api/brokers`. The credentials are checked against the exchange before anything
/// is stored: a key that can withdraw or cannot trade spot is refused (422).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "kind": "binance_spot", "label": "main", "base_url": "https://testnet.binance.vision",
    "api_key": "your-exchange-api-key-as-the-exchange-shows-it",
    "api_secret": "your-exchange-api-secret-shown-once-by-the-exchange"
})))]
#[serde(deny_unknown_fields)]
pub struct CreateBrokerConnection {
    /// Which broker.
    pub kind: BrokerKind,
    /// 1 to 64 characters, unique among the owner's connections (`paper` is reserved for the
    /// built-in paper account).
    pub label: String,
    /// For `binance_spot`: the exchange's base URL (http or https); Binance's production API
    /// when absent. Not allowed for `paper`.
    #[serde(default)]
    pub base_url: Option<String>,
    /// For `binance_spot`: the exchange API key. Not allowed for `paper`.
    #[serde(default)]
    pub api_key: Option<String>,
    /// For `binance_spot`: the exchange API secret. Never shown again. Not allowed for `paper`.
    #[serde(default)]
    pub api_secret: Option<String>,
}

crate::redacted_debug!(CreateBrokerConnection { kind, label, base_url } secret { api_key, api_secret });

/// Body of `PATCH /api/brokers/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"label": "main-account"})))]
#[serde(deny_unknown_fields)]
pub struct RelabelBrokerConnection {
    /// The new label, unique among the owner's connections.
    pub label: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back() {
        for kind in [BrokerKind::Paper, BrokerKind::BinanceSpot] {
            assert_eq!(BrokerKind::parse(kind.as_str()), Some(kind));
        }
        for status in [
            ConnectionStatus::Valid,
            ConnectionStatus::Invalid,
            ConnectionStatus::Unchecked,
        ] {
            assert_eq!(ConnectionStatus::parse(status.as_str()), Some(status));
        }
    }

    #[test]
    fn debug_of_a_create_body_shows_no_credential() {
        let body = CreateBrokerConnection {
            kind: BrokerKind::BinanceSpot,
            label: "main".into(),
            base_url: None,
            api_key: Some("key-value-never-shown".into()),
            api_secret: Some("secret-value-never-shown".into()),
        };
        let shown = format!("{body:?}");
        assert!(
            !shown.contains("never-shown") && shown.contains("main"),
            "{shown}"
        );
    }
}
