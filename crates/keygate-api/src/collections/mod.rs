//! Bruno and Postman collections of the `/api/v1` operations, generated from the OpenAPI document
//! (`crate::openapi::ApiDoc`), so they cannot drift from the API: `keygate collections` writes them
//! (committed under `collections/`, a test fails when they drift), and the Playground's download
//! routes (`routes::collections`) serve them, optionally with the caller's key filled in.
//!
//! `operations` reads the document into a small typed model, `plan` puts the operations in a run
//! order that is safe on the paper broker, `bruno` and `postman` write the files, `downloads`
//! packs them for the web app.

pub mod bruno;
pub mod downloads;
pub mod operations;
pub mod plan;
pub mod postman;

#[cfg(test)]
mod tests;

use utoipa::OpenApi;

use crate::openapi::ApiDoc;

/// The `host` the committed environments name (keygate's default listener).
pub const DEFAULT_HOST: &str = "http://127.0.0.1:5000";

/// Why the collections could not be made from the document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CollectionError {
    /// An `/api/v1` path has an operation other than POST, or no POST.
    #[error("{0}: /api/v1 operations must be POST only")]
    NotPostOnly(String),
    /// An operation lacks something the collections need.
    #[error("{path} needs {what} in the OpenAPI document")]
    Missing {
        /// The path.
        path: String,
        /// What is missing.
        what: &'static str,
    },
    /// An operation the run plan does not place.
    #[error(
        "/api/v1/{0} is not in the collections' run plan (keygate-api src/collections/plan.rs)"
    )]
    Unplanned(String),
    /// A plan step names an operation the document lacks.
    #[error("the run plan names /api/v1/{0}, which the OpenAPI document lacks")]
    UnknownEndpoint(String),
    /// A tag's steps are not next to each other (a folder would run twice).
    #[error("the run plan's `{0}` steps are not together")]
    SplitTag(String),
    /// A step sends `orderid` before any step captured one.
    #[error("`{0}` sends an order id before any step captured one")]
    OrderIdNotCaptured(String),
}

/// A generated file: its path (relative, `/`-separated) and contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// The path under the output directory.
    pub path: String,
    /// The text.
    pub contents: String,
}

impl GeneratedFile {
    fn new(path: impl Into<String>, contents: String) -> Self {
        Self {
            path: path.into(),
            contents,
        }
    }
}

/// keygate's collection (tool-neutral), from its own OpenAPI document.
pub fn keygate_collection() -> Result<plan::Collection, CollectionError> {
    let doc = operations::V1Document::read(&ApiDoc::openapi())?;
    plan::build(&doc, plan::PLAN)
}

/// Every committed file: `bruno/…` and `postman/…`, without a key.
pub fn committed_files() -> Result<Vec<GeneratedFile>, CollectionError> {
    let collection = keygate_collection()?;
    let mut files: Vec<GeneratedFile> = bruno::files(&collection, None)
        .into_iter()
        .map(|f| GeneratedFile::new(format!("bruno/{}", f.path), f.contents))
        .collect();
    files.push(GeneratedFile::new(
        "postman/keygate.postman_collection.json",
        postman::collection_json(&collection, None),
    ));
    files.push(GeneratedFile::new(
        "postman/keygate.postman_environment.json",
        postman::environment_json(None),
    ));
    Ok(files)
}
