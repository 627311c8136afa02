//! The one JSON error envelope every keygate error uses.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// `{"status":"error","message":"..."}`, plus `errors` for field-level validation failures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// Always `"error"`.
    pub status: String,
    /// A readable sentence that says what went wrong.
    pub message: String,
    /// Field name to the list of problems with that field, when the input failed validation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errors: Option<BTreeMap<String, Vec<String>>>,
}

impl ErrorBody {
    /// An envelope with only a message.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            status: "error".to_owned(),
            message: message.into(),
            errors: None,
        }
    }
}
