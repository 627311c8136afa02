//! The Bruno and Postman collections: the committed files equal the generator's output, and the
//! Playground's download routes serve them (session only, never cached), filling in one of the
//! caller's own keys only when asked, audited as a reveal.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use keygate_tests::{assert_error, json_body, new_client, spawn_app, TestApp};

use crate::process::cli;
use reqwest::Response;
use serde_json::{json, Value};

const COMMITTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../collections");
const REGENERATE: &str = "cargo run -p keygate -- collections";
const BASE: &str = "/api/playground/collections";

/// Every file under `dir`, by path relative to `root` (`/`-separated).
fn files_under(root: &Path, dir: &Path, found: &mut BTreeMap<String, String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path: PathBuf = entry.unwrap().path();
        if path.is_dir() {
            files_under(root, &path, found);
        } else {
            let relative = path.strip_prefix(root).unwrap().to_string_lossy();
            let relative = relative.replace(std::path::MAIN_SEPARATOR, "/");
            found.insert(relative, std::fs::read_to_string(&path).unwrap_or_default());
        }
    }
}

fn committed() -> BTreeMap<String, String> {
    generated_under(Path::new(COMMITTED))
}

/// The generator's files under `root` (its `bruno/` and `postman/`).
fn generated_under(root: &Path) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    for dir in ["bruno", "postman"] {
        files_under(root, &root.join(dir), &mut found);
    }
    found
}

#[test]
fn the_committed_collections_match_the_generator() {
    let generated: BTreeMap<String, String> = keygate_api::collections::committed_files()
        .unwrap_or_else(|e| panic!("the collections cannot be generated: {e}"))
        .into_iter()
        .map(|f| (f.path, f.contents))
        .collect();
    let committed = committed();
    for (path, contents) in &generated {
        match committed.get(path) {
            None => panic!("collections/{path} is missing; regenerate with: {REGENERATE}"),
            Some(c) if c != contents => {
                panic!("collections/{path} is out of date; regenerate with: {REGENERATE}")
            }
            Some(_) => {}
        }
    }
    if let Some(extra) = committed.keys().find(|p| !generated.contains_key(*p)) {
        panic!("collections/{extra} is not generated any more; regenerate with: {REGENERATE}");
    }
}

#[tokio::test]
async fn keygate_collections_writes_the_committed_files_and_removes_stale_ones() {
    let out = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(out.path().join("bruno/gone")).unwrap();
    std::fs::write(out.path().join("bruno/gone/old.bru"), "meta {}\n").unwrap();
    std::fs::write(out.path().join("notes.txt"), "mine\n").unwrap();
    let dir = out.path().to_str().unwrap();

    let output = cli(&Default::default(), &["collections", "--out", dir], "").await;

    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(generated_under(out.path()), committed());
    assert!(
        out.path().join("notes.txt").exists(),
        "files outside bruno/ and postman/ stay"
    );
}

async fn signed_in_app() -> TestApp {
    let app = spawn_app().await;
    app.setup_admin("admin").await;
    app
}

fn header(response: &Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// Every entry of a zip, by name.
fn unzip(bytes: &[u8]) -> BTreeMap<String, String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes.to_vec())).unwrap();
    let mut files = BTreeMap::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let mut text = String::new();
        entry.read_to_string(&mut text).unwrap();
        files.insert(entry.name().to_owned(), text);
    }
    files
}

/// The download's text: the JSON file, or the zip's entries joined.
async fn download_text(response: Response) -> String {
    let zip = header(&response, "content-type") == "application/zip";
    let bytes = response.bytes().await.unwrap();
    if zip {
        unzip(&bytes).into_values().collect()
    } else {
        String::from_utf8(bytes.to_vec()).unwrap()
    }
}

#[tokio::test]
async fn the_download_list_names_the_bruno_zip_and_both_postman_files() {
    let app = signed_in_app().await;

    let response = app.get(BASE).await;

    assert_eq!(response.status(), 200);
    let list = json_body(response).await;
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "keygate-bruno.zip",
            "keygate.postman_collection.json",
            "keygate.postman_environment.json"
        ]
    );
    assert_eq!(list[0]["url"], format!("{BASE}/keygate-bruno.zip"));
    assert_eq!(list[0]["media_type"], "application/zip");
}

#[tokio::test]
async fn each_download_without_a_key_is_the_committed_collection_and_never_cached() {
    let app = signed_in_app().await;
    let committed = committed();

    let zip = app.get(&format!("{BASE}/keygate-bruno.zip")).await;
    assert_eq!(zip.status(), 200);
    assert_eq!(header(&zip, "content-type"), "application/zip");
    assert!(header(&zip, "cache-control").contains("no-store"));
    assert!(header(&zip, "content-disposition").contains("attachment"));
    let entries = unzip(&zip.bytes().await.unwrap());
    let bruno: BTreeMap<String, String> = committed
        .iter()
        .filter_map(|(p, c)| Some((format!("keygate/{}", p.strip_prefix("bruno/")?), c.clone())))
        .collect();
    assert_eq!(entries, bruno);

    for name in [
        "keygate.postman_collection.json",
        "keygate.postman_environment.json",
    ] {
        let response = app.get(&format!("{BASE}/{name}")).await;
        assert_eq!(response.status(), 200, "{name}");
        assert_eq!(header(&response, "content-type"), "application/json");
        assert!(header(&response, "cache-control").contains("no-store"));
        let text = response.text().await.unwrap();
        assert_eq!(text, committed[&format!("postman/{name}")], "{name}");
    }
}

#[tokio::test]
async fn a_key_is_filled_in_only_when_asked_and_audited_as_a_reveal() {
    let app = signed_in_app().await;
    let (plain, id) = app.create_key(json!({"name": "bruno"})).await;
    let (_, other_id) = app.create_key(json!({"name": "unused"})).await;

    for name in [
        "keygate-bruno.zip",
        "keygate.postman_collection.json",
        "keygate.postman_environment.json",
    ] {
        let without = app.get(&format!("{BASE}/{name}")).await;
        assert!(!download_text(without).await.contains(&plain), "{name}");

        let with = app.get(&format!("{BASE}/{name}?key_id={id}")).await;
        assert_eq!(with.status(), 200, "{name}");
        assert!(header(&with, "cache-control").contains("no-store"));
        assert!(download_text(with).await.contains(&plain), "{name}");
    }

    let reveals: Vec<Value> = app
        .events()
        .await
        .into_iter()
        .filter(|e| e["event"] == "revealed")
        .collect();
    assert_eq!(reveals.len(), 3, "{reveals:?}");
    assert!(reveals.iter().all(|e| e["key_id"] == id));
    assert!(reveals.iter().all(|e| e["key_id"] != other_id));
}

#[tokio::test]
async fn another_users_key_id_is_not_found() {
    let app = signed_in_app().await;
    app.create_user("bob", false).await;
    let bob = app.signed_in("bob").await;
    let (bobs_key, bobs_id) = bob.create_key(json!({"name": "mine"})).await;

    let response = app
        .get(&format!(
            "{BASE}/keygate.postman_environment.json?key_id={bobs_id}"
        ))
        .await;

    let body = assert_error(response, 404).await;
    assert!(!body.to_string().contains(&bobs_key));
}

#[tokio::test]
async fn a_cross_site_request_is_refused_a_key_and_nothing_is_revealed() {
    let app = signed_in_app().await;
    let (plain, id) = app.create_key(json!({"name": "k"})).await;
    let url = app.url(&format!("{BASE}/keygate.postman_environment.json"));

    for site in ["cross-site", "same-site"] {
        let response = app
            .browser
            .client
            .get(format!("{url}?key_id={id}"))
            .header("Sec-Fetch-Site", site)
            .send()
            .await
            .unwrap();
        let body = assert_error(response, 403).await;
        assert!(!body.to_string().contains(&plain));
    }
    let keyless = app
        .browser
        .client
        .get(&url)
        .header("Sec-Fetch-Site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(keyless.status(), 200);
    let same_origin = app
        .browser
        .client
        .get(format!("{url}?key_id={id}"))
        .header("Sec-Fetch-Site", "same-origin")
        .send()
        .await
        .unwrap();
    assert!(download_text(same_origin).await.contains(&plain));
    let reveals = app
        .events()
        .await
        .into_iter()
        .filter(|e| e["event"] == "revealed")
        .count();
    assert_eq!(reveals, 1);
}

#[tokio::test]
async fn a_revoked_key_a_malformed_key_id_and_an_unknown_name_are_refused() {
    let app = signed_in_app().await;
    let (_, id) = app.create_key(json!({"name": "gone"})).await;
    let revoked = app
        .post(&format!("/api/keys/{id}/revoke"), &json!({}))
        .await;
    assert_eq!(revoked.status(), 200);

    let env = format!("{BASE}/keygate.postman_environment.json");
    assert_error(app.get(&format!("{env}?key_id={id}")).await, 409).await;
    assert_error(app.get(&format!("{env}?key_id=abc")).await, 400).await;
    assert_error(app.get(&format!("{BASE}/keygate.zip")).await, 404).await;
}

#[tokio::test]
async fn without_a_session_the_list_and_the_downloads_are_unauthorised() {
    let app = signed_in_app().await;
    let (_, id) = app.create_key(json!({"name": "k"})).await;

    for path in [
        BASE.to_owned(),
        format!("{BASE}/keygate-bruno.zip"),
        format!("{BASE}/keygate.postman_environment.json?key_id={id}"),
    ] {
        let response = new_client().get(app.url(&path)).send().await.unwrap();
        assert_error(response, 401).await;
    }
}
