//! The domain layer's error type. The API crate maps each variant to an HTTP status in one place.

use std::collections::BTreeMap;

/// What a service call can fail with.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// Input failed validation; the map names each bad field.
    #[error("{message}")]
    Validation {
        /// A readable summary.
        message: String,
        /// Field name to its problems.
        errors: BTreeMap<String, Vec<String>>,
    },
    /// The thing asked for does not exist (or belongs to someone else).
    #[error("{0}")]
    NotFound(String),
    /// The request conflicts with the current state (a duplicate name, setup already done).
    #[error("{0}")]
    Conflict(String),
    /// Wrong credentials. The message never says which part was wrong.
    #[error("Invalid username or password")]
    InvalidCredentials,
    /// The caller may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// Well-formed input the outside world refused (an exchange refusing credentials, or a key
    /// with permissions keygate does not accept); the message says why.
    #[error("{0}")]
    Unprocessable(String),
    /// An upstream service (an exchange) could not be reached or answered out of contract. The
    /// message says so without internal detail; the cause is logged where it happened.
    #[error("{0}")]
    Upstream(String),
    /// A database failure; the cause is logged, never shown.
    #[error("database error")]
    Database(#[from] sea_orm::DbErr),
    /// Any other internal failure; the cause is logged, never shown.
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

impl CoreError {
    /// A validation error about one field.
    pub fn field(field: &str, problem: impl Into<String>) -> Self {
        let problem = problem.into();
        let mut errors = BTreeMap::new();
        errors.insert(field.to_owned(), vec![problem.clone()]);
        CoreError::Validation {
            message: format!("{field}: {problem}"),
            errors,
        }
    }
}

/// Shorthand for service results.
pub type CoreResult<T> = Result<T, CoreError>;
