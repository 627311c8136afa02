//! What an API key may do, as the exchange reports it, and whether keygate accepts it.

use crate::wire::{Account, ApiRestrictions};

/// The permissions of a key pair (`/api/v3/account` and `/sapi/v1/account/apiRestrictions`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct KeyPermissions {
    /// The key may trade spot (and the account may trade).
    pub spot_trading: bool,
    /// The key may use margin.
    pub margin: bool,
    /// The key may trade futures.
    pub futures: bool,
    /// The key may withdraw funds.
    pub withdrawals: bool,
    /// The key only works from whitelisted IPs.
    pub ip_restricted: bool,
}

/// Why keygate refuses a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KeyRefusal {
    /// Withdrawals are enabled: a leaked key could empty the account.
    #[error("This API key allows withdrawals: create a key without the withdrawal permission")]
    WithdrawalsEnabled,
    /// The key (or the account) cannot trade spot.
    #[error("This API key cannot trade spot: enable spot trading for it on the exchange")]
    NoSpotTrading,
}

impl KeyPermissions {
    /// Reads the two answers.
    pub fn new(account: &Account, restrictions: &ApiRestrictions) -> Self {
        Self {
            spot_trading: account.can_trade && restrictions.enable_spot_and_margin_trading,
            margin: restrictions.enable_margin,
            futures: restrictions.enable_futures,
            withdrawals: restrictions.enable_withdrawals,
            ip_restricted: restrictions.ip_restrict,
        }
    }

    /// Why the key must not be stored, if it must not (withdrawals first).
    pub fn refusal(&self) -> Option<KeyRefusal> {
        if self.withdrawals {
            Some(KeyRefusal::WithdrawalsEnabled)
        } else if !self.spot_trading {
            Some(KeyRefusal::NoSpotTrading)
        } else {
            None
        }
    }
}
