//! The Action Center (orders of `semi_auto` keys waiting for their owner) and ChartInk webhook
//! tokens: what the management routes answer and accept.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Where a queued order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PendingState {
    /// Waiting for approval.
    Pending,
    /// Approved; being sent to the broker right now.
    Executing,
    /// Approved and executed; see `broker_order_id` and `broker_status`.
    Approved,
    /// Approved, but the broker refused it; see `error`.
    Failed,
    /// Rejected by the owner; see `reason`.
    Rejected,
    /// Not decided in time.
    Expired,
}

impl PendingState {
    /// Every state, pending first.
    pub const ALL: [PendingState; 6] = [
        PendingState::Pending,
        PendingState::Executing,
        PendingState::Approved,
        PendingState::Failed,
        PendingState::Rejected,
        PendingState::Expired,
    ];

    /// The wire (and stored) name.
    pub fn as_str(self) -> &'static str {
        match self {
            PendingState::Pending => "pending",
            PendingState::Executing => "executing",
            PendingState::Approved => "approved",
            PendingState::Failed => "failed",
            PendingState::Rejected => "rejected",
            PendingState::Expired => "expired",
        }
    }

    /// Parses the wire name.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

/// A queued call of a `semi_auto` key, with its outcome once decided.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PendingOrder {
    /// The `pending_order_id` the client was given.
    pub id: i64,
    /// The key that sent it.
    pub key_id: i64,
    /// That key's name (None when the key was deleted).
    pub key_name: Option<String>,
    /// The endpoint: `placeorder`, `placesmartorder`, `modifyorder`, `cancelorder`,
    /// `cancelallorder` or `closeposition`.
    pub op: String,
    /// `live` or `analyze`: the ledger it runs against (the one that applied when it was queued).
    pub ledger: String,
    /// Where it stands.
    pub state: PendingState,
    /// The symbol, when the call names one.
    pub symbol: Option<String>,
    /// The exchange, when the call names one.
    pub exchange: Option<String>,
    /// `BUY` or `SELL`, when the call has one.
    pub action: Option<String>,
    /// The quantity, when the call has one.
    pub quantity: Option<f64>,
    /// `MARKET`, `LIMIT`, `SL` or `SL-M`, when the call has one.
    pub pricetype: Option<String>,
    /// `MIS`, `CNC` or `NRML`, when the call has one.
    pub product: Option<String>,
    /// The whole stored request (without the key).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub request: Value,
    /// The market price when it was queued.
    pub reference_price: Option<f64>,
    /// The market price now (pending items only).
    pub current_price: Option<f64>,
    /// When it was queued.
    #[serde(with = "crate::rfc3339")]
    pub created_at: DateTime<Utc>,
    /// When it stops being approvable.
    #[serde(with = "crate::rfc3339")]
    pub expires_at: DateTime<Utc>,
    /// When it was decided.
    #[serde(default, with = "crate::rfc3339::option")]
    pub decided_at: Option<DateTime<Utc>>,
    /// Who decided.
    pub decided_by: Option<String>,
    /// The rejection reason.
    pub reason: Option<String>,
    /// Why the approved call failed.
    pub error: Option<String>,
    /// The broker's order id.
    pub broker_order_id: Option<String>,
    /// The broker's order status (`complete`, `open`, ...).
    pub broker_status: Option<String>,
    /// What the execution answered (the endpoint's JSON).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub response: Option<Value>,
}

/// Body of an approval.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ApproveOrder {
    /// Approve even though the price moved more than the configured limit since queueing.
    #[serde(default)]
    pub confirm: bool,
}

/// Body of a rejection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RejectOrder {
    /// Why (1 to 500 characters).
    pub reason: String,
}

/// The 409 an approval gets when the price moved too much; repeat with `confirm: true`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PriceMoveWarning {
    /// Always `error`.
    pub status: String,
    /// A readable summary with the figures.
    pub message: String,
    /// Always `price_moved`.
    pub code: String,
    /// The price when queued.
    pub reference_price: f64,
    /// The price now.
    pub current_price: f64,
    /// |current − reference| / reference × 100.
    pub move_pct: f64,
    /// The configured limit (`KEYGATE_APPROVAL_MAX_MOVE_PCT`).
    pub max_move_pct: f64,
    /// `{"confirm": [message]}`: the field to set to approve anyway (so clients that read the
    /// usual error envelope see what to change).
    pub errors: std::collections::BTreeMap<String, Vec<String>>,
}

/// The order settings of a ChartInk webhook token (ChartInk alerts carry only stock names).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChartinkSettings {
    /// The key whose scopes and order mode apply.
    pub key_id: i64,
    /// Strategy name on the orders, default `ChartInk`.
    #[serde(default)]
    pub strategy: Option<String>,
    /// `BUY` or `SELL`.
    pub action: String,
    /// Exchange of the scanned stocks, default `NSE`.
    #[serde(default)]
    pub exchange: Option<String>,
    /// `MIS` (default), `CNC` or `NRML`.
    #[serde(default)]
    pub product: Option<String>,
    /// `MARKET` (default) or `LIMIT` (at the alert's trigger price).
    #[serde(default)]
    pub pricetype: Option<String>,
    /// Quantity per stock (> 0).
    pub quantity: f64,
}

/// A ChartInk webhook token as listed (never the token itself).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChartinkToken {
    /// The key it acts for.
    pub key_id: i64,
    /// That key's name.
    pub key_name: Option<String>,
    /// The token's first characters.
    pub hint: String,
    /// Strategy name on the orders.
    pub strategy: String,
    /// `BUY` or `SELL`.
    pub action: String,
    /// Exchange.
    pub exchange: String,
    /// Product.
    pub product: String,
    /// Price type.
    pub pricetype: String,
    /// Quantity per stock.
    pub quantity: f64,
    /// Creation (or last rotation) time.
    #[serde(with = "crate::rfc3339")]
    pub created_at: DateTime<Utc>,
    /// Last accepted alert.
    #[serde(default, with = "crate::rfc3339::option")]
    pub last_used_at: Option<DateTime<Utc>>,
}

/// A new or rotated token: shown this once.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChartinkTokenCreated {
    /// The token (store it in ChartInk's webhook URL; keygate keeps only a digest).
    pub token: String,
    /// The path to give ChartInk, after your keygate's address: `/api/webhook/chartink/<token>`.
    pub webhook_path: String,
    /// The settings.
    pub settings: ChartinkToken,
}

crate::redacted_debug!(ChartinkTokenCreated { webhook_path, settings } secret { token });
