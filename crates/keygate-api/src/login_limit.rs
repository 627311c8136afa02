//! Login throttling, the `login` rate category: attempts are limited per client IP and per
//! username (by default 5 a minute and 25 an hour each, `KEYGATE_RATE_LOGIN`), so neither one
//! address nor a botnet aimed at one account can guess passwords quickly.

use std::net::IpAddr;

use actix_web::HttpMessage;
use keygate_core::config::RateWindow;

use crate::error::ApiError;
use crate::rate_limit::{self, Windows};

/// Keyed limiters for login attempts.
pub struct LoginLimiter {
    windows: Windows<String>,
}

impl LoginLimiter {
    /// Limits for the configured windows; none turns login limiting off.
    pub fn new(windows: &[RateWindow]) -> Self {
        Self {
            windows: Windows::new(windows),
        }
    }

    /// Counts one attempt from `ip` for `username`; refuses with 429 once a window is full. The
    /// figures for the `RateLimit-*` headers are left in `req`'s extensions.
    pub fn check(
        &self,
        req: &impl HttpMessage,
        ip: IpAddr,
        username: &str,
    ) -> Result<(), ApiError> {
        rate_limit::record(
            req,
            self.windows
                .check(&format!("ip:{ip}"), " for sign-in attempts"),
        )?;
        let user = format!("user:{}", username.trim().to_lowercase());
        rate_limit::record(req, self.windows.check(&user, " for sign-in attempts"))
    }

    /// Forgets keys whose windows are full again, bounding memory.
    pub fn shrink(&self) {
        self.windows.shrink();
    }
}
