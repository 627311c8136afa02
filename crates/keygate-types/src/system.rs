//! Health and first-run setup status.

use serde::{Deserialize, Serialize};

/// Answer of `GET /health`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    /// `"ok"` when the database answers, `"degraded"` otherwise.
    pub status: String,
    /// Whether a trivial query against the database succeeded.
    pub database: bool,
    /// The keygate version serving the request.
    pub version: String,
}

/// Answer of `GET /api/setup`: whether the first account still has to be created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetupStatus {
    /// True while no user exists; the SPA then shows the setup page.
    pub needs_setup: bool,
}
