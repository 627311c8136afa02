//! Login throttling: attempts are limited per client IP and per username (by default 5 a minute
//! and 25 an hour each), so neither one address nor a botnet aimed at one account can guess
//! passwords quickly.

use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::ApiError;

/// Keyed limiters for login attempts.
pub struct LoginLimiter {
    windows: Vec<(DefaultKeyedRateLimiter<String>, String)>,
}

impl LoginLimiter {
    /// `per_minute` and `per_hour` attempts per IP and per username; 0 turns a window off.
    pub fn new(per_minute: u32, per_hour: u32) -> Self {
        let mut windows = Vec::new();
        if let Some(n) = NonZeroU32::new(per_minute) {
            windows.push((RateLimiter::keyed(Quota::per_minute(n)), format!("{n} per 1 minute")));
        }
        if let Some(n) = NonZeroU32::new(per_hour) {
            windows.push((RateLimiter::keyed(Quota::per_hour(n)), format!("{n} per 1 hour")));
        }
        Self { windows }
    }

    /// Counts one attempt from `ip` for `username`; refuses with 429 once a window is full.
    pub fn check(&self, ip: IpAddr, username: &str) -> Result<(), ApiError> {
        let keys = [
            format!("ip:{ip}"),
            format!("user:{}", username.trim().to_lowercase()),
        ];
        for (limiter, label) in &self.windows {
            for key in &keys {
                if let Err(not_until) = limiter.check_key(key) {
                    let wait = not_until.wait_time_from(DefaultClock::default().now());
                    return Err(ApiError::RateLimited {
                        limit: format!("{label} for sign-in attempts"),
                        retry_after: wait.as_secs().max(1),
                    });
                }
            }
        }
        Ok(())
    }

    /// Forgets keys whose windows are full again, bounding memory.
    pub fn shrink(&self) {
        for (limiter, _) in &self.windows {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}
