//! Wire types (request and response bodies) shared by the keygate server and its Yew front end.
//!
//! This crate depends on neither actix nor sea-orm, so the WASM single-page app decodes exactly the
//! JSON the server encodes. With the `openapi` feature every type also derives `utoipa::ToSchema`.
#![forbid(unsafe_code)]

pub mod account;
pub mod action_center;
pub mod brokers;
pub mod collections;
pub mod error;
pub mod keys;
pub mod rfc3339;
pub mod system;
pub mod traffic;

pub use error::ErrorBody;

/// What `Debug` prints in place of a secret: `[redacted]`.
pub struct Redacted;

impl std::fmt::Debug for Redacted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Implements `Debug` for a struct that holds a password, key or token: the listed plain fields
/// are printed, the secret ones as `[redacted]`, so no `{:?}` in a log line can leak them.
///
/// ```
/// struct Login { user: String, password: String }
/// keygate_types::redacted_debug!(Login { user } secret { password });
/// let shown = format!("{:?}", Login { user: "bob".into(), password: "hunter2".into() });
/// assert!(shown.contains("bob") && !shown.contains("hunter2"));
/// ```
#[macro_export]
macro_rules! redacted_debug {
    ($ty:ident { $($shown:ident),* $(,)? } secret { $($hidden:ident),+ $(,)? }) => {
        impl ::std::fmt::Debug for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(stringify!($ty))
                    $(.field(stringify!($shown), &self.$shown))*
                    $(.field(stringify!($hidden), &$crate::Redacted))+
                    .finish()
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use crate::account::{ChangePassword, CreateUser, Credentials};
    use crate::keys::RevealedApiKey;

    #[test]
    fn debug_of_bodies_with_passwords_and_keys_shows_no_secret() {
        let secret = "s3cret-value-never-shown";
        let shown = [
            format!(
                "{:?}",
                Credentials {
                    username: "bob".into(),
                    password: secret.into()
                }
            ),
            format!(
                "{:?}",
                CreateUser {
                    username: "bob".into(),
                    password: secret.into(),
                    is_admin: false
                }
            ),
            format!(
                "{:?}",
                ChangePassword {
                    current_password: secret.into(),
                    new_password: secret.into()
                }
            ),
            format!(
                "{:?}",
                RevealedApiKey {
                    api_key: secret.into()
                }
            ),
        ];
        for text in shown {
            assert!(
                !text.contains(secret) && text.contains("[redacted]"),
                "{text}"
            );
        }
    }
}
