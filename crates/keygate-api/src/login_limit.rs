//! Login throttling, the `login` rate category (by default 5 a minute and 25 an hour,
//! `KEYGATE_RATE_LOGIN`), so neither one address nor a botnet aimed at one account can guess
//! passwords quickly. Per client address group it is actix-governor middleware on the sign-in and
//! password-change routes ([`crate::ip_governor`]); per account it is counted here, once the body
//! is parsed. Password changes count against the same budgets as sign-in: a stolen session must
//! not become a faster way to guess the current password.
//!
//! The per-account key is the username as it would be stored ([`users::parse_username`]:
//! trimmed, at most 32 characters of a small alphabet), lowercased: a name that could never be an
//! account is refused with 400 before it is counted, so a client cannot fill the limiter with
//! arbitrarily long or many distinct keys cheaply.

use std::sync::Arc;

use actix_web::HttpMessage;
use keygate_core::config::RateWindow;
use keygate_core::users;

use crate::error::ApiError;
use crate::rate_limit::{self, Windows};
use crate::shared_limit::SharedLimits;

/// Keyed limiters for sign-in attempts per account.
pub struct LoginLimiter {
    windows: Windows<String>,
}

impl LoginLimiter {
    /// Limits for the configured windows (shared through `shared` when it is set); none turns
    /// login limiting off.
    pub fn new(windows: &[RateWindow], shared: Option<&Arc<SharedLimits>>) -> Self {
        Self {
            windows: Windows::new(windows).shared(shared, "login_user"),
        }
    }

    /// Counts one attempt for `username` (400 when it cannot be a username); refuses with 429
    /// once a window is full. The figures for the `RateLimit-*` headers are left in `req`'s
    /// extensions.
    pub async fn check(&self, req: &impl HttpMessage, username: &str) -> Result<(), ApiError> {
        let key = users::validate_username(username)?.as_str().to_owned();
        rate_limit::record(req, self.windows.check(&key, " for sign-in attempts").await)
    }

    /// Forgets keys whose windows are full again, bounding memory.
    pub fn shrink(&self) {
        self.windows.shrink();
    }
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;
    use actix_web::ResponseError;

    use super::*;

    #[tokio::test]
    async fn an_impossible_username_is_refused_before_it_is_counted() {
        let windows = keygate_core::config::parse_windows("X", "1/min").unwrap();
        let limiter = LoginLimiter::new(&windows, None);
        let req = TestRequest::default().to_http_request();
        let long = "a".repeat(100_000);
        for name in [long.as_str(), "", "a b", "admin\u{0}"] {
            let error = limiter.check(&req, name).await.unwrap_err();
            assert_eq!(error.status_code(), 400, "{name:.20}");
        }
        assert_eq!(limiter.windows.key_count(), 0, "nothing was keyed");
        limiter.check(&req, "Admin").await.unwrap();
        let refused = limiter.check(&req, " admin ").await.unwrap_err();
        assert_eq!(
            refused.status_code(),
            429,
            "one budget per account, any case"
        );
    }
}
