//! The Bruno collection: `bruno.json`, `collection.bru`, a folder per tag (`folder.bru` with its
//! run position) holding one `.bru` file per request, and `environments/local.bru`.

use serde::Serialize;

use super::plan::{Collection, Request, ORDERID_VARIABLE};
use super::{GeneratedFile, DEFAULT_HOST};

#[derive(Serialize)]
struct BrunoJson<'a> {
    version: &'a str,
    name: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    ignore: [&'a str; 2],
}

/// The collection's files, paths relative to the collection's root. `apikey` fills the
/// environment's `apikey` (empty when `None`).
pub fn files(collection: &Collection, apikey: Option<&str>) -> Vec<GeneratedFile> {
    let manifest = BrunoJson {
        version: "1",
        name: &collection.name,
        kind: "collection",
        ignore: ["node_modules", ".git"],
    };
    let mut manifest = serde_json::to_string_pretty(&manifest).unwrap_or_default();
    manifest.push('\n');
    let mut files = vec![
        GeneratedFile::new("bruno.json", manifest),
        GeneratedFile::new("collection.bru", block("docs", &collection.description)),
    ];
    for (i, folder) in collection.folders.iter().enumerate() {
        let meta = format!("meta {{\n  name: {}\n  seq: {}\n}}\n", folder.name, i + 1);
        files.push(GeneratedFile::new(
            format!("{}/folder.bru", folder.name),
            format!("{meta}\n{}", block("docs", &folder.description)),
        ));
        for (j, request) in folder.requests.iter().enumerate() {
            files.push(GeneratedFile::new(
                format!("{}/{}.bru", folder.name, request.file_stem),
                request_file(request, j + 1),
            ));
        }
    }
    files.push(GeneratedFile::new(
        "environments/local.bru",
        format!(
            "vars {{\n  host: {DEFAULT_HOST}\n  apikey: {}\n}}\n",
            apikey.unwrap_or_default()
        ),
    ));
    files
}

fn request_file(request: &Request, seq: usize) -> String {
    let mut out = format!(
        "meta {{\n  name: {}\n  type: http\n  seq: {seq}\n}}\n\n",
        request.name
    );
    out.push_str(&format!(
        "post {{\n  url: {{{{host}}}}{}\n  body: json\n  auth: none\n}}\n\n",
        request.path
    ));
    out.push_str(&block("body:json", &request.body.to_pretty_json()));
    let mut asserts = String::from("res.status: eq 200\nres.body.status: eq success");
    if request.captures_orderid {
        out.push('\n');
        out.push_str(&block(
            "vars:post-response",
            &format!("{ORDERID_VARIABLE}: res.body.orderid"),
        ));
        asserts.push_str("\nres.body.orderid: isString");
    }
    for (path, value) in &request.checks {
        asserts.push_str(&format!("\nres.body.{path}: eq {value}"));
    }
    out.push('\n');
    out.push_str(&block("assert", &asserts));
    out.push('\n');
    out.push_str(&block("docs", &request.docs));
    out
}

/// A `.bru` block: `name {`, the text indented by two spaces (blank lines left blank), `}`.
fn block(name: &str, text: &str) -> String {
    let mut out = format!("{name} {{\n");
    for line in text.lines() {
        if !line.trim().is_empty() {
            out.push_str("  ");
            out.push_str(line);
        }
        out.push('\n');
    }
    out.push_str("}\n");
    out
}
