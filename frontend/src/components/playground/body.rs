//! Request bodies in the editor: the key placeholder, prettifying, the JSON check, and the
//! code snippets (curl, Python `requests`, the `openalgo` SDK).
//!
//! The editor never holds the key itself: it holds [`KEY_PLACEHOLDER`], replaced by the chosen
//! key only in the request that is sent. Drafts and history therefore stay free of secrets.

use serde_json::{Map, Value};

/// Stands for the chosen key in the editor, in drafts and in history.
pub const KEY_PLACEHOLDER: &str = "{{apikey}}";

/// Where the key travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyPlace {
    /// The body field `apikey` (OpenAlgo's way).
    Body,
    /// The `X-API-KEY` header.
    Header,
}

/// The editor text for an operation's example: pretty JSON with the key placeholder in
/// `apikey` (body mode) or without `apikey` (header mode).
pub fn from_example(example: Option<&Value>, place: KeyPlace) -> String {
    let value = example
        .cloned()
        .unwrap_or_else(|| Value::Object(Map::new()));
    pretty(&with_key_field(value, place))
}

/// Adds or removes the `apikey` field of an object body for `place`; other bodies are kept.
pub fn with_key_field(value: Value, place: KeyPlace) -> Value {
    match value {
        Value::Object(mut fields) => {
            match place {
                KeyPlace::Body => {
                    fields.insert(
                        "apikey".to_owned(),
                        Value::String(KEY_PLACEHOLDER.to_owned()),
                    );
                }
                KeyPlace::Header => {
                    fields.remove("apikey");
                }
            }
            Value::Object(sort_key_first(fields))
        }
        other => other,
    }
}

/// Rewrites an editor text for `place` when it is a JSON object; anything else is returned as is.
pub fn switch_place(text: &str, place: KeyPlace) -> String {
    match serde_json::from_str::<Value>(text) {
        Ok(value @ Value::Object(_)) => pretty(&with_key_field(value, place)),
        _ => text.to_owned(),
    }
}

/// `apikey` first, the rest in their order (readability only).
fn sort_key_first(fields: Map<String, Value>) -> Map<String, Value> {
    let mut sorted = Map::new();
    if let Some(key) = fields.get("apikey") {
        sorted.insert("apikey".to_owned(), key.clone());
    }
    for (name, value) in fields {
        if name != "apikey" {
            sorted.insert(name, value);
        }
    }
    sorted
}

/// Two-space indented JSON.
pub fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}

/// The JSON check before sending: `Ok` with the parsed body, or a message naming line and column.
pub fn check(text: &str) -> Result<Value, String> {
    if text.trim().is_empty() {
        return Ok(Value::Object(Map::new()));
    }
    serde_json::from_str(text).map_err(|e| {
        format!(
            "The body is not valid JSON: {} (line {}, column {}).",
            e.to_string().split(" at line").next().unwrap_or_default(),
            e.line(),
            e.column()
        )
    })
}

/// Pretty-prints a JSON text, or returns it unchanged when it is not JSON.
pub fn prettify(text: &str) -> String {
    serde_json::from_str::<Value>(text).map_or_else(|_| text.to_owned(), |v| pretty(&v))
}

/// The body that goes on the wire: the placeholder replaced by `key`.
pub fn fill_key(text: &str, key: &str) -> String {
    text.replace(KEY_PLACEHOLDER, key)
}

/// A body safe to keep: any occurrence of `key` and any literal `apikey` value become the
/// placeholder.
pub fn strip_key(text: &str, key: Option<&str>) -> String {
    let text = match key {
        Some(key) if !key.is_empty() => text.replace(key, KEY_PLACEHOLDER),
        _ => text.to_owned(),
    };
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(mut fields)) if fields.contains_key("apikey") => {
            fields.insert(
                "apikey".to_owned(),
                Value::String(KEY_PLACEHOLDER.to_owned()),
            );
            pretty(&Value::Object(fields))
        }
        _ => text,
    }
}

/// Shows a key as its first and last four characters.
pub fn mask(key: &str) -> String {
    if key.len() <= 8 || !key.is_ascii() {
        return "••••".to_owned();
    }
    format!("{}…{}", &key[..4], &key[key.len() - 4..])
}

/// What a snippet shows in place of the key.
pub const SNIPPET_KEY: &str = "YOUR_API_KEY";

/// Which snippet to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Snippet {
    /// A shell `curl` command.
    Curl,
    /// Python with `requests`.
    Python,
    /// The `openalgo` Python SDK.
    Sdk,
}

/// A snippet sending `body` (editor text) to `origin + path`, with `key` (or [`SNIPPET_KEY`]).
pub fn snippet(
    kind: Snippet,
    origin: &str,
    path: &str,
    body: &str,
    place: KeyPlace,
    key: &str,
) -> String {
    let url = format!("{origin}{path}");
    let filled = prettify(&fill_key(body, key));
    match kind {
        Snippet::Curl => {
            let header = match place {
                KeyPlace::Header => format!(" \\\n  -H 'X-API-KEY: {key}'"),
                KeyPlace::Body => String::new(),
            };
            let compact = serde_json::from_str::<Value>(&filled)
                .map_or_else(|_| filled.clone(), |v| v.to_string());
            format!(
                "curl -sS -X POST '{url}' \\\n  -H 'Content-Type: application/json'{header} \\\n  -d '{}'",
                compact.replace('\'', "'\\''")
            )
        }
        Snippet::Python => {
            let headers = match place {
                KeyPlace::Header => format!("{{\"X-API-KEY\": \"{key}\"}}"),
                KeyPlace::Body => "{}".to_owned(),
            };
            format!(
                "import requests\n\nbody = {}\nresponse = requests.post(\"{url}\", json=body, headers={headers}, timeout=10)\nprint(response.status_code, response.json())",
                python_literal(&filled)
            )
        }
        Snippet::Sdk => sdk_call(origin, path, &filled, key),
    }
}

/// JSON text as a Python literal (true/false/null spelled the Python way).
fn python_literal(json: &str) -> String {
    match serde_json::from_str::<Value>(json) {
        Ok(value) => python_value(&value, 0),
        Err(_) => format!("{json:?}"),
    }
}

fn python_value(value: &Value, indent: usize) -> String {
    let pad = "    ".repeat(indent + 1);
    let close = "    ".repeat(indent);
    match value {
        Value::Null => "None".to_owned(),
        Value::Bool(true) => "True".to_owned(),
        Value::Bool(false) => "False".to_owned(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => Value::String(s.clone()).to_string(),
        Value::Array(items) if items.is_empty() => "[]".to_owned(),
        Value::Array(items) => {
            let inner: Vec<String> = items
                .iter()
                .map(|v| format!("{pad}{}", python_value(v, indent + 1)))
                .collect();
            format!("[\n{},\n{close}]", inner.join(",\n"))
        }
        Value::Object(fields) if fields.is_empty() => "{}".to_owned(),
        Value::Object(fields) => {
            let inner: Vec<String> = fields
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{pad}{}: {}",
                        Value::String(k.clone()),
                        python_value(v, indent + 1)
                    )
                })
                .collect();
            format!("{{\n{},\n{close}}}", inner.join(",\n"))
        }
    }
}

/// The SDK method for a path (§10 of the contract), if the SDK has one.
fn sdk_method(path: &str) -> Option<&'static str> {
    Some(match path.strip_prefix("/api/v1/")? {
        "placeorder" => "placeorder",
        "placesmartorder" => "placesmartorder",
        "modifyorder" => "modifyorder",
        "cancelorder" => "cancelorder",
        "cancelallorder" => "cancelallorder",
        "closeposition" => "closeposition",
        "orderstatus" => "orderstatus",
        "openposition" => "openposition",
        "orderbook" => "orderbook",
        "tradebook" => "tradebook",
        "positionbook" => "positionbook",
        "holdings" => "holdings",
        "funds" => "funds",
        "quotes" => "quotes",
        "multiquotes" => "multiquotes",
        "depth" => "depth",
        "analyzer" => "analyzerstatus",
        "analyzer/toggle" => "analyzertoggle",
        _ => return None,
    })
}

fn sdk_call(origin: &str, path: &str, body: &str, key: &str) -> String {
    let Some(method) = sdk_method(path) else {
        return format!(
            "# The openalgo SDK has no method for {path}: use the curl or Python snippet."
        );
    };
    let arguments = match serde_json::from_str::<Value>(body) {
        Ok(Value::Object(fields)) => fields
            .iter()
            .filter(|(name, _)| name.as_str() != "apikey")
            .map(|(name, value)| format!("    {name}={},", python_value(value, 1)))
            .collect::<Vec<_>>(),
        _ => Vec::new(),
    };
    let call = if arguments.is_empty() {
        format!("client.{method}()")
    } else {
        format!("client.{method}(\n{}\n)", arguments.join("\n"))
    };
    format!(
        "from openalgo import api\n\nclient = api(api_key=\"{key}\", host=\"{origin}\")\nprint({call})"
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const KEY: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn examples_get_the_placeholder_or_lose_the_field() {
        let example = json!({"symbol": "NHPC", "apikey": "real"});
        let body = from_example(Some(&example), KeyPlace::Body);
        assert!(
            body.starts_with("{\n  \"apikey\": \"{{apikey}}\""),
            "{body}"
        );
        let header = from_example(Some(&example), KeyPlace::Header);
        assert!(!header.contains("apikey"));
        assert_eq!(switch_place(&header, KeyPlace::Body), body);
        assert_eq!(switch_place("not json", KeyPlace::Body), "not json");
    }

    #[test]
    fn the_json_check_names_the_place() {
        let err = check("{\n  \"a\": 1,\n}").unwrap_err();
        assert!(err.contains("line 3"), "{err}");
        assert!(check("").is_ok());
        assert!(check("{\"a\": [1]}").is_ok());
    }

    #[test]
    fn keys_never_survive_stripping() {
        let sent = fill_key(
            "{\"apikey\": \"{{apikey}}\", \"note\": \"{{apikey}}\"}",
            KEY,
        );
        assert!(sent.contains(KEY));
        let kept = strip_key(&sent, Some(KEY));
        assert!(!kept.contains(KEY));
        let pasted = format!("{{\"apikey\": \"{}\"}}", "f".repeat(64));
        assert!(!strip_key(&pasted, None).contains(&"f".repeat(64)));
        assert_eq!(mask(KEY), "0123…cdef");
        assert_eq!(mask("short"), "••••");
    }

    #[test]
    fn snippets_hide_the_key_unless_given() {
        let body = "{\"apikey\": \"{{apikey}}\", \"symbol\": \"SBIN\", \"flag\": true}";
        let curl = snippet(
            Snippet::Curl,
            "http://h",
            "/api/v1/quotes",
            body,
            KeyPlace::Body,
            SNIPPET_KEY,
        );
        assert!(
            curl.contains("YOUR_API_KEY") && curl.contains("http://h/api/v1/quotes"),
            "{curl}"
        );
        let header = snippet(
            Snippet::Curl,
            "http://h",
            "/api/v1/ping",
            "{}",
            KeyPlace::Header,
            KEY,
        );
        assert!(header.contains(&format!("X-API-KEY: {KEY}")));
        let python = snippet(
            Snippet::Python,
            "http://h",
            "/api/v1/quotes",
            body,
            KeyPlace::Body,
            SNIPPET_KEY,
        );
        assert!(python.contains("\"flag\": True"), "{python}");
        let sdk = snippet(
            Snippet::Sdk,
            "http://h",
            "/api/v1/quotes",
            body,
            KeyPlace::Body,
            SNIPPET_KEY,
        );
        assert!(
            sdk.contains("client.quotes(")
                && sdk.contains("symbol=\"SBIN\"")
                && !sdk.contains("apikey="),
            "{sdk}"
        );
        let toggle = snippet(
            Snippet::Sdk,
            "http://h",
            "/api/v1/analyzer/toggle",
            "{\"mode\": true}",
            KeyPlace::Body,
            SNIPPET_KEY,
        );
        assert!(
            toggle.contains("client.analyzertoggle(\n    mode=True,"),
            "{toggle}"
        );
    }
}
