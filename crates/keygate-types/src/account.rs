//! Accounts and browser sessions.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Body of `POST /api/setup` and `POST /api/auth/login`.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    /// 3 to 32 characters: letters, digits, `.`, `_` and `-`.
    pub username: String,
    /// At least 12 characters when an account is created.
    pub password: String,
}

crate::redacted_debug!(Credentials { username } secret { password });

/// Body of `POST /api/users` (admins only).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    /// 3 to 32 characters: letters, digits, `.`, `_` and `-`.
    pub username: String,
    /// At least 12 characters.
    pub password: String,
    /// Whether the new user may manage other users.
    #[serde(default)]
    pub is_admin: bool,
}

crate::redacted_debug!(CreateUser { username, is_admin } secret { password });

/// Body of `POST /api/auth/password`.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    /// The password in use now.
    pub current_password: String,
    /// The new password, at least 12 characters.
    pub new_password: String,
}

crate::redacted_debug!(ChangePassword {  } secret { current_password, new_password });

/// A user as the API shows it (never the password hash).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    /// Database id.
    pub id: i64,
    /// Login name.
    pub username: String,
    /// Admins can create users.
    pub is_admin: bool,
    /// When the account was created.
    #[serde(with = "crate::rfc3339")]
    pub created_at: DateTime<Utc>,
}

/// The signed-in user and the CSRF token the SPA must send in `X-CSRF-Token` on every
/// state-changing request.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionInfo {
    /// The signed-in user.
    pub user: User,
    /// Token for the `X-CSRF-Token` header.
    pub csrf_token: String,
    /// The market-data WebSocket URL for this web app and the user's bots: `KEYGATE_WS_PUBLIC_URL`
    /// when the server has one, else `/ws` on the address this request reached (`wss://` when the
    /// server's cookies are `Secure`, i.e. it is served over TLS).
    pub ws_url: String,
}

crate::redacted_debug!(SessionInfo { user, ws_url } secret { csrf_token });

/// A plain success answer with a message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MessageBody {
    /// Always `"success"`.
    pub status: String,
    /// What happened.
    pub message: String,
}

impl MessageBody {
    /// A success envelope with a message.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            status: "success".to_owned(),
            message: message.into(),
        }
    }
}
