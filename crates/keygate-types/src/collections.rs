//! The Playground's downloads: keygate's Bruno and Postman collections of `/api/v1`.

use serde::{Deserialize, Serialize};

/// One downloadable collection file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CollectionDownload {
    /// The file name, e.g. `keygate-bruno.zip`.
    pub name: String,
    /// What it is, in words.
    pub title: String,
    /// Its media type (`application/zip` or `application/json`).
    pub media_type: String,
    /// Where to GET it; add `?key_id=<id>` (one of your keys) to have that key filled in.
    pub url: String,
}
