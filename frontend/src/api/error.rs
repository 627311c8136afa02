//! [`ApiError`]: what the UI knows about a failed request.
//!
//! Every keygate error answer is the [`ErrorBody`] envelope, so a failure carries one readable
//! sentence for an alert plus, for validation failures, messages per form field.

use std::collections::BTreeMap;
use std::fmt;

use keygate_types::ErrorBody;

/// A request that did not succeed: the server's message, or one written here when the server
/// could not be reached or did not answer with the error envelope.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// HTTP status, or 0 when no answer arrived (or the check ran in the browser).
    pub status: u16,
    /// The sentence shown to the user.
    pub message: String,
    /// Field name to the problems with that field.
    pub fields: BTreeMap<String, Vec<String>>,
}

impl ApiError {
    /// The server answered with the error envelope.
    pub fn from_body(status: u16, body: ErrorBody) -> Self {
        Self {
            status,
            message: body.message,
            fields: body.errors.unwrap_or_default(),
        }
    }

    /// The server answered with a status but no envelope (a proxy, or a very early failure).
    pub fn from_status(status: u16) -> Self {
        let message = match status {
            401 => "You are not signed in, or your session has ended.".to_owned(),
            403 => "You are not allowed to do this.".to_owned(),
            404 => "Not found.".to_owned(),
            429 => "Too many requests. Wait a moment and try again.".to_owned(),
            500..=599 => format!("The keygate server had a problem (HTTP {status}). Try again."),
            _ => format!("The keygate server gave an unexpected answer (HTTP {status})."),
        };
        Self {
            status,
            message,
            fields: BTreeMap::new(),
        }
    }

    /// No answer at all: the server is down or the network failed.
    pub fn network() -> Self {
        Self {
            status: 0,
            message: "Could not reach the keygate server. Check that it is running and try again."
                .to_owned(),
            fields: BTreeMap::new(),
        }
    }

    /// The request could not be built, or a 2xx answer did not decode (front end and server
    /// disagree on a type).
    pub fn internal(detail: &str) -> Self {
        Self {
            status: 0,
            message: format!("Something went wrong in this page ({detail}). Reload and try again."),
            fields: BTreeMap::new(),
        }
    }

    /// A problem found in the browser before sending, tied to one field.
    pub fn invalid(field: &str, problem: impl Into<String>) -> Self {
        let problem = problem.into();
        // `insert` rather than `BTreeMap::from([..])`, which brings its own sort into the wasm.
        let mut fields = BTreeMap::new();
        fields.insert(field.to_owned(), vec![problem.clone()]);
        Self {
            status: 0,
            message: problem,
            fields,
        }
    }

    /// The problems reported for `field` (empty when none).
    pub fn field(&self, field: &str) -> Vec<String> {
        self.fields.get(field).cloned().unwrap_or_default()
    }

    /// True for 401: the session is gone and the user must sign in again.
    pub fn is_unauthorized(&self) -> bool {
        self.status == 401
    }
}

/// Problems for `field` from an optional error (what form fields take as their `errors` prop).
pub fn field_errors(error: &Option<ApiError>, field: &str) -> Vec<String> {
    error.as_ref().map(|e| e.field(field)).unwrap_or_default()
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_message_and_fields_are_kept() {
        let body: ErrorBody = serde_json::from_str(
            r#"{"status":"error","message":"Invalid input.","errors":{"name":["is taken"]}}"#,
        )
        .unwrap();
        let err = ApiError::from_body(422, body);
        assert_eq!(err.to_string(), "Invalid input.");
        assert_eq!(err.field("name"), vec!["is taken".to_owned()]);
        assert!(err.field("scopes").is_empty());
    }

    #[test]
    fn a_status_without_envelope_still_gets_a_sentence() {
        assert!(ApiError::from_status(429).message.contains("Too many"));
        assert!(ApiError::from_status(401).is_unauthorized());
    }
}
