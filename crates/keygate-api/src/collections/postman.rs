//! The Postman collection (format v2.1: a folder per tag, each request with its body, docs and
//! tests) and its environment. Both run under newman as they are.

use serde::Serialize;

use super::plan::{Collection, Request, ORDERID_VARIABLE};
use super::DEFAULT_HOST;

/// The v2.1 schema every Postman collection names.
const SCHEMA: &str = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json";

#[derive(Serialize)]
struct PostmanCollection<'a> {
    info: Info<'a>,
    item: Vec<FolderItem<'a>>,
    variable: Vec<Variable<'a>>,
}

#[derive(Serialize)]
struct Info<'a> {
    name: &'a str,
    description: &'a str,
    schema: &'a str,
}

#[derive(Serialize)]
struct FolderItem<'a> {
    name: &'a str,
    description: &'a str,
    item: Vec<RequestItem<'a>>,
}

#[derive(Serialize)]
struct RequestItem<'a> {
    name: &'a str,
    event: [Event; 1],
    request: PostmanRequest<'a>,
}

#[derive(Serialize)]
struct Event {
    listen: &'static str,
    script: Script,
}

#[derive(Serialize)]
struct Script {
    #[serde(rename = "type")]
    kind: &'static str,
    exec: Vec<String>,
}

#[derive(Serialize)]
struct PostmanRequest<'a> {
    method: &'static str,
    header: [Header; 1],
    body: RawBody,
    url: Url,
    description: &'a str,
}

#[derive(Serialize)]
struct Header {
    key: &'static str,
    value: &'static str,
}

#[derive(Serialize)]
struct RawBody {
    mode: &'static str,
    raw: String,
    options: RawOptions,
}

#[derive(Serialize)]
struct RawOptions {
    raw: RawLanguage,
}

#[derive(Serialize)]
struct RawLanguage {
    language: &'static str,
}

#[derive(Serialize)]
struct Url {
    raw: String,
    host: [&'static str; 1],
    path: Vec<String>,
}

#[derive(Serialize)]
struct Variable<'a> {
    key: &'a str,
    value: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
}

#[derive(Serialize)]
struct Environment<'a> {
    name: &'a str,
    values: Vec<EnvironmentValue<'a>>,
    _postman_variable_scope: &'a str,
}

#[derive(Serialize)]
struct EnvironmentValue<'a> {
    key: &'a str,
    value: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    enabled: bool,
}

/// The collection as pretty JSON with a trailing newline. `apikey` fills the collection's
/// `apikey` variable (empty when `None`; an environment's value takes precedence).
pub fn collection_json(collection: &Collection, apikey: Option<&str>) -> String {
    let postman = PostmanCollection {
        info: Info {
            name: &collection.name,
            description: &collection.description,
            schema: SCHEMA,
        },
        item: collection
            .folders
            .iter()
            .map(|folder| FolderItem {
                name: &folder.name,
                description: &folder.description,
                item: folder.requests.iter().map(request_item).collect(),
            })
            .collect(),
        variable: vec![
            Variable {
                key: "host",
                value: DEFAULT_HOST,
                kind: "string",
            },
            Variable {
                key: "apikey",
                value: apikey.unwrap_or_default(),
                kind: "string",
            },
            Variable {
                key: ORDERID_VARIABLE,
                value: "",
                kind: "string",
            },
        ],
    };
    pretty(&postman)
}

/// The environment (`host`, and `apikey` as a secret, empty when `None`) as pretty JSON.
pub fn environment_json(apikey: Option<&str>) -> String {
    pretty(&Environment {
        name: "keygate local",
        values: vec![
            EnvironmentValue {
                key: "host",
                value: DEFAULT_HOST,
                kind: "default",
                enabled: true,
            },
            EnvironmentValue {
                key: "apikey",
                value: apikey.unwrap_or_default(),
                kind: "secret",
                enabled: true,
            },
        ],
        _postman_variable_scope: "environment",
    })
}

fn pretty(value: &impl Serialize) -> String {
    let mut json = serde_json::to_string_pretty(value).unwrap_or_default();
    json.push('\n');
    json
}

fn request_item(request: &Request) -> RequestItem<'_> {
    RequestItem {
        name: &request.name,
        event: [Event {
            listen: "test",
            script: Script {
                kind: "text/javascript",
                exec: tests(request),
            },
        }],
        request: PostmanRequest {
            method: "POST",
            header: [Header {
                key: "Content-Type",
                value: "application/json",
            }],
            body: RawBody {
                mode: "raw",
                raw: request.body.to_pretty_json(),
                options: RawOptions {
                    raw: RawLanguage { language: "json" },
                },
            },
            url: Url {
                raw: format!("{{{{host}}}}{}", request.path),
                host: ["{{host}}"],
                path: request
                    .path
                    .trim_start_matches('/')
                    .split('/')
                    .map(str::to_owned)
                    .collect(),
            },
            description: &request.docs,
        },
    }
}

/// The request's test script: status 200 and `status` equal to `success` (as the Bruno
/// assertions), and for a placement, the order id kept in the collection variable.
fn tests(request: &Request) -> Vec<String> {
    let mut lines: Vec<String> = [
        "pm.test(\"res.status is 200\", function () {",
        "    pm.response.to.have.status(200);",
        "});",
        "pm.test(\"res.body.status is success\", function () {",
        "    pm.expect(pm.response.json().status).to.eql(\"success\");",
        "});",
    ]
    .map(str::to_owned)
    .to_vec();
    for (path, value) in &request.checks {
        lines.extend([
            format!("pm.test(\"res.body.{path} is {value}\", function () {{"),
            format!(
                "    pm.expect(pm.response.json().{path}).to.eql({});",
                serde_json::Value::String(value.clone())
            ),
            "});".to_owned(),
        ]);
    }
    if request.captures_orderid {
        lines.extend([
            "pm.test(\"res.body.orderid is a string\", function () {".to_owned(),
            "    pm.expect(pm.response.json().orderid).to.be.a(\"string\");".to_owned(),
            "});".to_owned(),
            format!(
                "pm.collectionVariables.set(\"{ORDERID_VARIABLE}\", pm.response.json().orderid);"
            ),
        ]);
    }
    lines
}
