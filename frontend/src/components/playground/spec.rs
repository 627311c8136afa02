//! The Playground's endpoint list, read from the server's OpenAPI document at run time.
//!
//! Only the parts the page needs are parsed: each operation's id, tag, summary, path, example
//! body and request schema. An operation is listed when its request body takes an `apikey`
//! field (every `/api/v1` call and the TradingView webhook); session routes are left out.

use serde::Deserialize;
use serde_json::Value;

use crate::json_entries::{entries, get};

/// The slice of an OpenAPI 3.1 document the Playground reads.
#[derive(Debug, Deserialize)]
pub struct Document {
    #[serde(default, deserialize_with = "entries")]
    paths: Vec<(String, PathItem)>,
    #[serde(default)]
    components: Components,
    #[serde(default)]
    tags: Vec<Tag>,
}

#[derive(Debug, Default, Deserialize)]
struct Components {
    #[serde(default, deserialize_with = "entries")]
    schemas: Vec<(String, Schema)>,
}

#[derive(Debug, Deserialize)]
struct Tag {
    name: String,
    #[serde(default)]
    description: Option<String>,
}

#[derive(Debug, Deserialize)]
struct PathItem {
    #[serde(default)]
    post: Option<Operation>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Operation {
    operation_id: String,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    request_body: Option<RequestBody>,
}

#[derive(Debug, Deserialize)]
struct RequestBody {
    #[serde(default)]
    description: Option<String>,
    #[serde(default, deserialize_with = "entries")]
    content: Vec<(String, MediaType)>,
}

#[derive(Debug, Deserialize)]
struct MediaType {
    #[serde(default)]
    schema: Option<Schema>,
    #[serde(default)]
    example: Option<Value>,
}

/// `type` is a name or a list of names (`["string", "null"]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum TypeName {
    One(String),
    Many(Vec<String>),
}

/// A JSON Schema, reduced to what a field description needs.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Schema {
    #[serde(rename = "$ref", default)]
    reference: Option<String>,
    #[serde(rename = "type", default)]
    kind: Option<TypeName>,
    #[serde(default, deserialize_with = "entries")]
    properties: Vec<(String, Schema)>,
    #[serde(default)]
    required: Vec<String>,
    #[serde(rename = "enum", default)]
    allowed: Vec<Value>,
    #[serde(default)]
    one_of: Vec<Schema>,
    #[serde(default)]
    any_of: Vec<Schema>,
    #[serde(default)]
    items: Option<Box<Schema>>,
    #[serde(default)]
    description: Option<String>,
}

/// One field of a request body, as shown beside the editor.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldDoc {
    /// The JSON name.
    pub name: String,
    /// Accepted JSON types, e.g. `number | string`.
    pub kind: String,
    /// Whether the body must carry it.
    pub required: bool,
    /// The allowed values, when the schema lists them.
    pub allowed: Vec<String>,
    /// The schema's description.
    pub description: Option<String>,
}

/// One operation the Playground can send.
#[derive(Debug, Clone, PartialEq)]
pub struct Endpoint {
    /// The OpenAPI `operationId` (what deep links name).
    pub id: String,
    /// The request path, e.g. `/api/v1/placeorder`.
    pub path: String,
    /// The group it is listed under.
    pub tag: String,
    /// One line on what it does.
    pub summary: String,
    /// Longer notes (rules, e.g. for `exit_only` keys), if any.
    pub description: Option<String>,
    /// The request body's description.
    pub body_note: Option<String>,
    /// The example request body.
    pub example: Option<Value>,
    /// The body's fields.
    pub fields: Vec<FieldDoc>,
}

impl Endpoint {
    /// The short name: the path after `/api/v1/` (or the last segment), as the SDK names it.
    pub fn short_name(&self) -> &str {
        self.path
            .strip_prefix("/api/v1/")
            .unwrap_or_else(|| self.path.rsplit('/').next().unwrap_or(&self.path))
    }

    /// Whether it places, changes or cancels orders or switches the ledger (a `read` key may not).
    pub fn needs_trade(&self) -> bool {
        self.tag == "orders"
            || matches!(self.id.as_str(), "toggle_analyzer" | "tradingview_webhook")
    }

    /// Whether a request may reach the live ledger with an order (ask first when the analyzer
    /// is off).
    pub fn places_orders(&self) -> bool {
        self.tag == "orders" || self.id == "tradingview_webhook"
    }

    /// Whether `query` (lower case) matches its name, id, path or summary.
    pub fn matches(&self, query: &str) -> bool {
        query.is_empty()
            || [&self.id, &self.path, &self.summary]
                .iter()
                .any(|text| text.to_ascii_lowercase().contains(query))
    }
}

/// A tag with its endpoints, in the document's tag order.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// The tag name.
    pub tag: String,
    /// The tag's description.
    pub description: Option<String>,
    /// Its endpoints, in path order.
    pub endpoints: Vec<Endpoint>,
}

/// Reads the document's text into groups of endpoints.
pub fn parse(text: &str) -> Result<Vec<Group>, String> {
    let document: Document = serde_json::from_str(text)
        .map_err(|e| format!("The OpenAPI document could not be read ({e})."))?;
    Ok(groups(&document))
}

fn groups(document: &Document) -> Vec<Group> {
    let mut endpoints = Vec::new();
    for (path, item) in &document.paths {
        let Some(op) = &item.post else { continue };
        let Some(body) = &op.request_body else {
            continue;
        };
        let Some(media) = get(&body.content, "application/json") else {
            continue;
        };
        let fields = media
            .schema
            .as_ref()
            .map(|s| fields_of(s, &document.components.schemas))
            .unwrap_or_default();
        if !fields.iter().any(|f| f.name == "apikey") {
            continue;
        }
        endpoints.push(Endpoint {
            id: op.operation_id.clone(),
            path: path.clone(),
            tag: op
                .tags
                .first()
                .cloned()
                .unwrap_or_else(|| "other".to_owned()),
            summary: op
                .summary
                .clone()
                .unwrap_or_else(|| op.operation_id.clone()),
            description: op.description.clone(),
            body_note: body.description.clone(),
            example: media.example.clone(),
            fields,
        });
    }
    let mut order: Vec<(String, Option<String>)> = document
        .tags
        .iter()
        .map(|t| (t.name.clone(), t.description.clone()))
        .collect();
    for endpoint in &endpoints {
        if !order.iter().any(|(name, _)| *name == endpoint.tag) {
            order.push((endpoint.tag.clone(), None));
        }
    }
    order
        .into_iter()
        .filter_map(|(tag, description)| {
            let members: Vec<Endpoint> =
                endpoints.iter().filter(|e| e.tag == tag).cloned().collect();
            (!members.is_empty()).then_some(Group {
                tag,
                description,
                endpoints: members,
            })
        })
        .collect()
}

/// Follows `$ref` and skips a `null` alternative (`oneOf: [null, X]` is an optional X).
fn resolve<'a>(schema: &'a Schema, named: &'a [(String, Schema)]) -> &'a Schema {
    let mut current = schema;
    for _ in 0..8 {
        if let Some(name) = current
            .reference
            .as_deref()
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
        {
            match get(named, name) {
                Some(next) => current = next,
                None => return current,
            }
            continue;
        }
        let non_null: Vec<&Schema> = current.one_of.iter().filter(|s| !is_null(s)).collect();
        if current.properties.is_empty() && non_null.len() == 1 && current.one_of.len() == 2 {
            current = non_null[0];
            continue;
        }
        return current;
    }
    current
}

fn is_null(schema: &Schema) -> bool {
    matches!(&schema.kind, Some(TypeName::One(t)) if t == "null")
}

/// The fields of an object schema; for `anyOf` objects, the union (required only when every
/// variant requires it).
fn fields_of(schema: &Schema, named: &[(String, Schema)]) -> Vec<FieldDoc> {
    let schema = resolve(schema, named);
    if !schema.any_of.is_empty() && schema.properties.is_empty() {
        let variants: Vec<Vec<FieldDoc>> =
            schema.any_of.iter().map(|v| fields_of(v, named)).collect();
        let mut merged: Vec<FieldDoc> = Vec::new();
        for field in variants.iter().flatten() {
            if merged.iter().any(|m| m.name == field.name) {
                continue;
            }
            let required = variants
                .iter()
                .all(|v| v.iter().any(|f| f.name == field.name && f.required));
            merged.push(FieldDoc {
                required,
                ..field.clone()
            });
        }
        return sort_fields(merged);
    }
    let fields = schema
        .properties
        .iter()
        .map(|(name, property)| {
            let property = resolve(property, named);
            FieldDoc {
                name: name.clone(),
                kind: kind_of(property, named),
                required: schema.required.contains(name),
                allowed: allowed_of(property, named),
                description: property.description.clone(),
            }
        })
        .collect();
    sort_fields(fields)
}

/// Required fields first, `apikey` leading; otherwise by name.
fn sort_fields(mut fields: Vec<FieldDoc>) -> Vec<FieldDoc> {
    fields.sort_by(|a, b| {
        (b.name == "apikey", b.required, &a.name).cmp(&(a.name == "apikey", a.required, &b.name))
    });
    fields
}

fn kind_of(schema: &Schema, named: &[(String, Schema)]) -> String {
    let schema = resolve(schema, named);
    let alternatives = if schema.one_of.is_empty() {
        &schema.any_of
    } else {
        &schema.one_of
    };
    if !alternatives.is_empty() {
        let mut names: Vec<String> = Vec::new();
        for kind in alternatives.iter().map(|a| kind_of(a, named)) {
            if !names.contains(&kind) {
                names.push(kind);
            }
        }
        return names.join(" | ");
    }
    match &schema.kind {
        Some(TypeName::One(t)) if t == "array" => match &schema.items {
            Some(items) => format!("array of {}", kind_of(items, named)),
            None => "array".to_owned(),
        },
        Some(TypeName::One(t)) => t.clone(),
        Some(TypeName::Many(ts)) => ts.join(" | "),
        None if !schema.properties.is_empty() => "object".to_owned(),
        None => "any".to_owned(),
    }
}

fn allowed_of(schema: &Schema, named: &[(String, Schema)]) -> Vec<String> {
    let schema = resolve(schema, named);
    let mut values: Vec<String> = schema.allowed.iter().map(value_text).collect();
    for alternative in schema.one_of.iter().chain(&schema.any_of) {
        for value in allowed_of(alternative, named) {
            if !values.contains(&value) {
                values.push(value);
            }
        }
    }
    values
}

fn value_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r##"{
      "openapi": "3.1.0",
      "tags": [{"name": "orders", "description": "Orders"}, {"name": "utilities"}],
      "paths": {
        "/api/keys": {"post": {"operationId": "create_api_key", "tags": ["keys"],
          "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/CreateApiKey"}}}}}},
        "/api/v1/ping": {"post": {"operationId": "ping", "tags": ["utilities"], "summary": "Pong.",
          "requestBody": {"content": {"application/json": {
            "schema": {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/KeyOnlyBody"}]},
            "example": {"apikey": "x"}}}}}},
        "/api/v1/placeorder": {"post": {"operationId": "place_order", "tags": ["orders"], "summary": "Places an order.",
          "requestBody": {"content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/PlaceOrderBody"},
            "example": {"apikey": "x", "symbol": "NHPC"}}}}}}
      },
      "components": {"schemas": {
        "CreateApiKey": {"type": "object", "properties": {"name": {"type": "string"}}},
        "KeyOnlyBody": {"type": "object", "properties": {"apikey": {"type": "string", "pattern": "^[0-9a-f]{64}$"}}},
        "PlaceOrderBody": {"type": "object", "required": ["symbol", "action"], "properties": {
          "apikey": {"type": "string"},
          "action": {"type": "string", "enum": ["BUY", "SELL"]},
          "symbol": {"type": "string"},
          "quantity": {"oneOf": [{"type": "number"}, {"type": "string"}]},
          "mode": {"oneOf": [{"type": "boolean"}, {"type": "number", "enum": [0, 1]}]}
        }}
      }}
    }"##;

    #[test]
    fn only_operations_taking_a_key_are_listed_in_tag_order() {
        let groups = parse(DOC).unwrap();
        let tags: Vec<&str> = groups.iter().map(|g| g.tag.as_str()).collect();
        assert_eq!(tags, ["orders", "utilities"]);
        assert_eq!(groups[0].endpoints[0].id, "place_order");
        assert_eq!(groups[0].endpoints[0].short_name(), "placeorder");
        assert!(groups[0].endpoints[0].needs_trade());
        assert!(!groups[1].endpoints[0].needs_trade());
    }

    #[test]
    fn fields_carry_type_required_and_allowed_values() {
        let groups = parse(DOC).unwrap();
        let fields = &groups[0].endpoints[0].fields;
        let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["apikey", "action", "symbol", "mode", "quantity"]);
        let action = &fields[1];
        assert!(action.required);
        assert_eq!(action.allowed, ["BUY", "SELL"]);
        assert_eq!(fields[4].kind, "number | string");
        assert!(!fields[4].required);
        assert_eq!(fields[3].allowed, ["0", "1"]);
    }

    #[test]
    fn a_nullable_reference_is_followed() {
        let groups = parse(DOC).unwrap();
        let ping = &groups[1].endpoints[0];
        assert_eq!(ping.fields.len(), 1);
        assert_eq!(ping.fields[0].kind, "string");
        assert_eq!(ping.example, Some(serde_json::json!({"apikey": "x"})));
    }

    #[test]
    fn search_covers_name_and_path() {
        let groups = parse(DOC).unwrap();
        let order = &groups[0].endpoints[0];
        assert!(order.matches("placeorder"));
        assert!(order.matches("place_order"));
        assert!(!order.matches("funds"));
    }

    #[test]
    fn the_server_document_lists_the_v1_operations_with_their_fields() {
        let groups = parse(include_str!("../../../../openapi/openapi.json")).unwrap();
        let tags: Vec<&str> = groups.iter().map(|g| g.tag.as_str()).collect();
        assert!(
            tags.contains(&"orders") && tags.contains(&"utilities"),
            "{tags:?}"
        );
        assert!(!tags.contains(&"keys"), "session routes are not listed");
        let all: Vec<&Endpoint> = groups.iter().flat_map(|g| &g.endpoints).collect();
        for name in [
            "ping",
            "funds",
            "placeorder",
            "analyzer",
            "analyzer/toggle",
            "multiquotes",
        ] {
            assert!(all.iter().any(|e| e.short_name() == name), "{name} missing");
        }
        let place = all.iter().find(|e| e.id == "place_order").unwrap();
        assert!(place.needs_trade() && place.example.is_some());
        let action = place.fields.iter().find(|f| f.name == "action").unwrap();
        assert!(action.required && action.allowed.contains(&"BUY".to_owned()));
        let funds = all.iter().find(|e| e.short_name() == "funds").unwrap();
        assert!(!funds.needs_trade());
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(parse("not json").is_err());
    }
}
