//! Asking the exchange about a key pair, with signed calls (account information and the API-key
//! restrictions), and what keygate makes of the answer. Nothing here stores anything.

use keygate_binance::{BinanceSpot, KeyPermissions};
use keygate_broker::BrokerError;

use super::credentials::ExchangeCredentials;
use crate::error::{CoreError, CoreResult};

/// What the exchange said about a key pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The key may trade spot and cannot withdraw.
    Accepted(KeyPermissions),
    /// The exchange refused the key, or it can withdraw or cannot trade spot (`reason` says
    /// which, never quoting the credentials); `permissions` when the exchange reported them.
    Refused {
        /// Why, in words the owner can act on.
        reason: String,
        /// What the key may do, if the exchange said.
        permissions: Option<KeyPermissions>,
    },
}

/// Validates a key pair against a Binance spot endpoint. An exchange that cannot be reached or
/// answers out of contract is an [`CoreError::Upstream`] (the cause goes to the log only).
pub async fn check_binance(
    base_url: &str,
    credentials: &ExchangeCredentials,
) -> CoreResult<Verdict> {
    let spot = BinanceSpot::new(credentials.binance_config(base_url))
        .map_err(|e| CoreError::Internal(anyhow::anyhow!("binance client: {e}")))?;
    match spot.validate().await {
        Ok(permissions) => Ok(match permissions.refusal() {
            None => Verdict::Accepted(permissions),
            Some(refusal) => Verdict::Refused {
                reason: refusal.to_string(),
                permissions: Some(permissions),
            },
        }),
        Err(e @ (BrokerError::Credentials(_) | BrokerError::Exchange { .. })) => {
            Ok(Verdict::Refused {
                reason: e.to_string(),
                permissions: None,
            })
        }
        Err(e) => {
            log::warn!("broker check at {base_url} failed: {e}");
            Err(CoreError::Upstream(format!(
                "The exchange at {base_url} could not be reached or did not answer as expected; try again later"
            )))
        }
    }
}
