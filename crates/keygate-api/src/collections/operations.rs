//! What the collections read off the OpenAPI document: the `/api/v1` operations, each with its
//! tag, its text and its request example. Only `/api/v1` is read: those are the operations an API
//! key authenticates, which is what Bruno and Postman users drive. The management routes take a
//! browser session and a CSRF token, and the webhooks are TradingView's and ChartInk's call shape
//! (ChartInk's through a token minted in a session), so neither belongs in a key-driven collection.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use utoipa::openapi::path::Operation;
use utoipa::openapi::OpenApi;

use super::CollectionError;

/// The prefix of the key-authenticated operations.
pub const V1_PREFIX: &str = "/api/v1/";

/// One `/api/v1` operation as documented.
#[derive(Debug, Clone, PartialEq)]
pub struct V1Operation {
    /// The endpoint's name after `/api/v1/` (`placeorder`, `analyzer/toggle`).
    pub endpoint: String,
    /// Its first tag (the folder it goes in).
    pub tag: String,
    /// The first paragraph of its documentation.
    pub summary: String,
    /// The rest of its documentation, if any.
    pub description: Option<String>,
    /// The documented request example without its `apikey` (the collections send `{{apikey}}`).
    pub example: Map<String, Value>,
}

/// The parts of the OpenAPI document the collections are made of.
#[derive(Debug, Clone, PartialEq)]
pub struct V1Document {
    /// The API's title (the collections' name).
    pub title: String,
    /// The API's description (the collections' documentation).
    pub description: Option<String>,
    /// Tag name to tag description.
    pub tags: BTreeMap<String, String>,
    /// The operations by endpoint name.
    pub operations: BTreeMap<String, V1Operation>,
}

impl V1Document {
    /// Reads the `/api/v1` operations of `doc`. Every one must be a POST with a JSON request
    /// example that is an object carrying `apikey`, and must have a tag and a summary.
    pub fn read(doc: &OpenApi) -> Result<Self, CollectionError> {
        let mut operations = BTreeMap::new();
        for (path, item) in &doc.paths.paths {
            let Some(endpoint) = path.strip_prefix(V1_PREFIX) else {
                continue;
            };
            let others = [&item.get, &item.put, &item.delete, &item.patch];
            if others.iter().any(|op| op.is_some()) {
                return Err(CollectionError::NotPostOnly(path.clone()));
            }
            let op = item
                .post
                .as_ref()
                .ok_or_else(|| CollectionError::NotPostOnly(path.clone()))?;
            operations.insert(endpoint.to_owned(), read_operation(path, endpoint, op)?);
        }
        let tags = doc
            .tags
            .iter()
            .flatten()
            .map(|t| (t.name.clone(), t.description.clone().unwrap_or_default()))
            .collect();
        Ok(Self {
            title: doc.info.title.clone(),
            description: doc.info.description.clone(),
            tags,
            operations,
        })
    }
}

fn read_operation(
    path: &str,
    endpoint: &str,
    op: &Operation,
) -> Result<V1Operation, CollectionError> {
    let missing = |what: &'static str| CollectionError::Missing {
        path: path.to_owned(),
        what,
    };
    let tag = op
        .tags
        .as_ref()
        .and_then(|t| t.first())
        .ok_or_else(|| missing("a tag"))?;
    let summary = op.summary.clone().ok_or_else(|| missing("a summary"))?;
    let example = op
        .request_body
        .as_ref()
        .and_then(|body| body.content.get("application/json"))
        .and_then(|content| content.example.as_ref())
        .ok_or_else(|| missing("a JSON request example"))?;
    let Value::Object(fields) = example else {
        return Err(missing("a JSON object as its request example"));
    };
    let mut fields = fields.clone();
    if fields.remove("apikey").is_none() {
        return Err(missing("`apikey` in its request example"));
    }
    Ok(V1Operation {
        endpoint: endpoint.to_owned(),
        tag: tag.clone(),
        summary,
        description: op.description.clone().filter(|d| !d.trim().is_empty()),
        example: fields,
    })
}
