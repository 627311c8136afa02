//! What names one placement at the broker, so that the same call made twice (a client retrying
//! after a timeout, an Action Center item approved again) places at most one order: an exchange
//! derives its client order id from it and answers the order already placed under it.

use std::str::FromStr;

/// A caller's `X-Request-Id`, in the alphabet and length Binance allows for a client order id
/// (`^[.A-Z:/a-z0-9_-]{1,36}$`), so it can name an order at any exchange keygate speaks to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(String);

/// The longest request id.
pub const REQUEST_ID_MAX: usize = 36;

/// Why a request id is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("X-Request-Id must be 1 to {REQUEST_ID_MAX} characters of A-Z a-z 0-9 . : / _ -")]
pub struct InvalidRequestId;

impl FromStr for RequestId {
    type Err = InvalidRequestId;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let allowed = |b: u8| b.is_ascii_alphanumeric() || b".:/_-".contains(&b);
        if s.is_empty() || s.len() > REQUEST_ID_MAX || !s.bytes().all(allowed) {
            return Err(InvalidRequestId);
        }
        Ok(Self(s.to_owned()))
    }
}

impl RequestId {
    /// The id as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The idempotency basis of one placement: the broker names the order after it (an exchange's
/// client order id is derived from it), so a second placement with the same basis answers the
/// first order instead of placing another. Brokers without client ids (paper) ignore it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientOrderKey(String);

impl ClientOrderKey {
    /// A request's: its `X-Request-Id`, scoped to the key that sent it (two keys bound to the
    /// same account may pick the same id).
    pub fn request(key_id: i64, request_id: &RequestId) -> Self {
        Self(format!("key-{key_id}:{}", request_id.as_str()))
    }

    /// An Action Center item's approval: `action-center-<item id>`, the same however many times
    /// it is approved.
    pub fn action_center(item_id: i64) -> Self {
        Self(format!("action-center-{item_id}"))
    }

    /// The basis as the broker hashes it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_binances_client_id_alphabet() {
        for ok in ["a", "req-1", "A.b:c/d_e-f", &"x".repeat(36)] {
            assert_eq!(ok.parse::<RequestId>().unwrap().as_str(), ok);
        }
        for bad in ["", " a", "a b", "é", "a?b", "a+b", &"x".repeat(37)] {
            assert_eq!(bad.parse::<RequestId>(), Err(InvalidRequestId), "{bad:?}");
        }
    }

    #[test]
    fn keys_are_scoped_and_stable() {
        let id: RequestId = "r1".parse().unwrap();
        assert_eq!(ClientOrderKey::request(7, &id).as_str(), "key-7:r1");
        assert_ne!(
            ClientOrderKey::request(7, &id),
            ClientOrderKey::request(8, &id)
        );
        assert_eq!(ClientOrderKey::action_center(5).as_str(), "action-center-5");
    }
}
