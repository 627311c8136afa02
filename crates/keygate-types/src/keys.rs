//! API keys: what the owner sends to create, change and roll them, and what the server shows back.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};

use crate::brokers::BrokerKind;

/// What a key may do on `/api/v1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Account and market data only.
    Read,
    /// Read, plus place, modify and cancel orders.
    Trade,
    /// Read, plus cancel orders and close positions; never open or add to a position.
    /// (`exit-only` is accepted too.)
    #[serde(alias = "exit-only")]
    ExitOnly,
}

impl Scope {
    /// The wire name (`read`, `trade`, `exit_only`).
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Trade => "trade",
            Scope::ExitOnly => "exit_only",
        }
    }
}

/// What happens to an order a key sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OrderMode {
    /// Orders execute at once.
    #[default]
    Auto,
    /// Orders wait in the Action Center until the owner approves or rejects them.
    /// (`semi-auto` is accepted too.)
    #[serde(alias = "semi-auto")]
    SemiAuto,
}

impl OrderMode {
    /// The wire name (`auto`, `semi_auto`).
    pub fn as_str(self) -> &'static str {
        match self {
            OrderMode::Auto => "auto",
            OrderMode::SemiAuto => "semi_auto",
        }
    }
}

/// Where a key stands now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum KeyState {
    /// The current secret works.
    Active,
    /// Past its expiry time.
    Expired,
    /// Revoked by its owner or an operator.
    Revoked,
    /// Rolled with a grace period that has not ended: the old secret still works too.
    InGrace,
}

/// Body of `POST /api/keys`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "name": "TradingView strategy A", "scopes": ["read", "trade"], "order_mode": "auto",
    "ip_allowlist": ["203.0.113.7"], "broker_connection_id": 3
})))]
#[serde(deny_unknown_fields)]
pub struct CreateApiKey {
    /// 1 to 64 characters, unique among the owner's keys.
    pub name: String,
    /// At least one scope. Defaults to `["read"]`.
    #[serde(default)]
    pub scopes: Vec<Scope>,
    /// Defaults to `auto`.
    #[serde(default)]
    pub order_mode: OrderMode,
    /// The key stops working at this time (must be in the future).
    #[serde(default, with = "crate::rfc3339::option")]
    pub expires_at: Option<DateTime<Utc>>,
    /// IPv4/IPv6 addresses or CIDR blocks the key may be used from; empty allows any address.
    #[serde(default)]
    pub ip_allowlist: Vec<String>,
    /// The id of one of the owner's broker connections (`GET /api/brokers`) the key trades on;
    /// absent or `null`: the owner's paper account. An `invalid` connection is refused.
    #[serde(default)]
    pub broker_connection_id: Option<i64>,
}

/// Body of `PATCH /api/keys/{id}`: every field is optional; absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "scopes": ["read", "trade"], "expires_at": null, "broker_connection_id": 3
})))]
#[serde(deny_unknown_fields)]
pub struct UpdateApiKey {
    /// New name, unique among the owner's keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New scopes (at least one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<Scope>>,
    /// New order mode; requests already in flight keep the mode they started with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_mode: Option<OrderMode>,
    /// New allowlist; an empty list allows any address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_allowlist: Option<Vec<String>>,
    /// New expiry; `null` removes the expiry, an absent field leaves it unchanged.
    #[serde(
        default,
        with = "crate::rfc3339::present",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<DateTime<Utc>>))]
    pub expires_at: Option<Option<DateTime<Utc>>>,
    /// Bind the key to one of the owner's broker connections (its id); `null` binds it back to
    /// the paper account, an absent field leaves the binding unchanged. The key's next call goes
    /// to the new broker. An `invalid` connection is refused.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub broker_connection_id: Option<Option<i64>>,
}

/// serde: a field that is present, as `null` or a value (with `default`, absent is `None`).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Body of `PUT /api/keys/{id}/mode`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetOrderMode {
    /// The new mode.
    pub order_mode: OrderMode,
}

/// Body of `POST /api/keys/{id}/roll`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RollApiKey {
    /// How long the old secret keeps working, 0 to 86400 seconds. 0 or absent stops it at once.
    #[serde(default)]
    pub grace_seconds: u32,
}

/// The old secret of a key rolled with a grace period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GraceInfo {
    /// First 4 and last 4 characters of the old secret.
    pub old_masked_key: String,
    /// The old secret stops working at this time.
    #[serde(with = "crate::rfc3339")]
    pub grace_until: DateTime<Utc>,
    /// Last time the old secret was used since the roll.
    #[serde(default, with = "crate::rfc3339::option")]
    pub old_last_used_at: Option<DateTime<Utc>>,
    /// Client addresses that used the old secret since the roll (at most 20).
    pub old_used_from: Vec<String>,
}

/// A key as its owner sees it in a list: never the secret itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiKeySummary {
    /// Database id.
    pub id: i64,
    /// The owner's name for the key.
    pub name: String,
    /// First 4 and last 4 characters of the current secret, e.g. `1a2b…9f0e`.
    pub masked_key: String,
    /// What the key may do.
    pub scopes: Vec<Scope>,
    /// `auto` or `semi_auto`.
    pub order_mode: OrderMode,
    /// Addresses and CIDR blocks allowed to use the key; empty allows any.
    pub ip_allowlist: Vec<String>,
    /// Where the key stands now.
    pub state: KeyState,
    /// When the key was created.
    #[serde(with = "crate::rfc3339")]
    pub created_at: DateTime<Utc>,
    /// When the key stops working, if ever.
    #[serde(default, with = "crate::rfc3339::option")]
    pub expires_at: Option<DateTime<Utc>>,
    /// When the key was revoked.
    #[serde(default, with = "crate::rfc3339::option")]
    pub revoked_at: Option<DateTime<Utc>>,
    /// Last successful use of the current secret (updated within a few seconds).
    #[serde(default, with = "crate::rfc3339::option")]
    pub last_used_at: Option<DateTime<Utc>>,
    /// Client address of that last use.
    pub last_used_ip: Option<String>,
    /// Present while the previous secret is in its grace period.
    pub grace: Option<GraceInfo>,
    /// The broker connection the key's orders and account calls go to; `null`: the owner's
    /// paper account.
    pub broker_connection: Option<BoundConnection>,
}

/// The broker connection a key is bound to, as the key views show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "id": 3, "kind": "binance_spot", "label": "main"
})))]
pub struct BoundConnection {
    /// The connection's id (`GET /api/brokers`).
    pub id: i64,
    /// Which broker.
    pub kind: BrokerKind,
    /// The owner's name for the connection.
    pub label: String,
}

/// Answer of create and roll: the plaintext secret, shown this once.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiKeyCreated {
    /// The full 64-character key. Store it now: the list never shows it again.
    pub api_key: String,
    /// The key's settings.
    pub key: ApiKeySummary,
}

crate::redacted_debug!(ApiKeyCreated { key } secret { api_key });

/// Answer of `POST /api/keys/{id}/reveal`.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RevealedApiKey {
    /// The full 64-character key.
    pub api_key: String,
}

crate::redacted_debug!(RevealedApiKey {  } secret { api_key });

/// One entry of a key's audit trail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyEvent {
    /// Database id.
    pub id: i64,
    /// The key the event concerns.
    pub key_id: i64,
    /// The key's name at the time of the event.
    pub key_name: String,
    /// `created`, `revealed`, `rolled`, `revoked`, `updated` or `mode_changed`.
    pub event: String,
    /// Who did it: a username, or `cli` for the operator command line.
    pub actor: String,
    /// Client address of the request, when it came over HTTP.
    pub ip: Option<String>,
    /// What changed, in words.
    pub detail: Option<String>,
    /// When it happened.
    #[serde(with = "crate::rfc3339")]
    pub created_at: DateTime<Utc>,
}

/// Hourly buckets in [`KeysUsage`]: the last 24 hours.
pub const USAGE_HOURS: usize = 24;

/// Answer of `GET /api/keys/usage`: every key of the signed-in user with its requests over the
/// last 24 hours in hourly buckets, oldest first. Bucket `i` covers `[from + i h, from + (i+1) h)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeysUsage {
    /// Start of the first bucket: a whole minute, 24 hours before `to`.
    #[serde(with = "crate::rfc3339")]
    pub from: DateTime<Utc>,
    /// End of the last bucket (exclusive): the end of the minute the answer was made in.
    #[serde(with = "crate::rfc3339")]
    pub to: DateTime<Utc>,
    /// One entry per key of the user (revoked ones too), by key id.
    pub keys: Vec<KeyHourlyUsage>,
}

/// One key's last 24 hours.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyHourlyUsage {
    /// The key.
    pub key_id: i64,
    /// Requests made with the key, per hour (24 numbers, oldest first).
    pub requests: Vec<i64>,
    /// Of those, the answers with a status of 400 or more, per hour.
    pub errors: Vec<i64>,
}

#[cfg(test)]
mod tests {
    use super::UpdateApiKey;

    #[test]
    fn an_update_tells_leave_the_binding_from_unbind_from_bind() {
        let read = |json: &str| serde_json::from_str::<UpdateApiKey>(json).unwrap();
        assert_eq!(read("{}").broker_connection_id, None);
        assert_eq!(
            read(r#"{"broker_connection_id":null}"#).broker_connection_id,
            Some(None)
        );
        assert_eq!(
            read(r#"{"broker_connection_id":3}"#).broker_connection_id,
            Some(Some(3))
        );
        assert!(serde_json::from_str::<UpdateApiKey>(r#"{"broker_connection_id":"3"}"#).is_err());
        for update in [read("{}"), read(r#"{"broker_connection_id":null}"#)] {
            let again = serde_json::to_string(&update).unwrap();
            assert_eq!(read(&again), update, "{again}");
        }
    }
}
