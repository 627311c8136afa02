use serde_json::Value;

use super::downloads::Download;
use super::operations::V1Document;
use super::plan::{build, Step, PLAN};
use super::*;
use crate::openalgo::describe::EXAMPLE_KEY;

fn document() -> V1Document {
    V1Document::read(&ApiDoc::openapi()).unwrap()
}

#[test]
fn the_plan_places_every_v1_operation_and_nothing_else() {
    let doc = document();
    let collection = keygate_collection().unwrap();
    let names: Vec<&str> = collection.folders.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["utilities", "data", "orders", "account"]);
    for endpoint in doc.operations.keys() {
        let path = format!("/api/v1/{endpoint}");
        assert!(
            collection
                .folders
                .iter()
                .flat_map(|f| &f.requests)
                .any(|r| r.path == path),
            "{path} is in the collection"
        );
    }
    assert!(doc.operations.keys().all(|e| !e.starts_with("webhook")));
}

#[test]
fn an_operation_missing_from_the_plan_is_an_error() {
    let doc = document();
    let plan: Vec<Step> = PLAN
        .iter()
        .filter(|s| s.endpoint != "funds")
        .copied()
        .collect();
    assert_eq!(
        build(&doc, &plan),
        Err(CollectionError::Unplanned("funds".to_owned()))
    );
}

#[test]
fn an_order_id_sent_before_one_is_captured_is_an_error() {
    let doc = document();
    let plan: Vec<Step> = PLAN
        .iter()
        .filter(|s| s.endpoint != "placeorder")
        .copied()
        .chain(PLAN.iter().filter(|s| s.endpoint == "placeorder").copied())
        .collect();
    assert_eq!(
        build(&doc, &plan),
        Err(CollectionError::OrderIdNotCaptured(
            "modifyorder".to_owned()
        ))
    );
}

#[test]
fn a_tag_split_over_two_places_is_an_error() {
    let doc = document();
    let mut plan = PLAN.to_vec();
    let ping = plan.remove(0);
    plan.push(ping);
    assert_eq!(
        build(&doc, &plan),
        Err(CollectionError::SplitTag("utilities".to_owned()))
    );
}

#[test]
fn the_order_flow_places_modifies_and_cancels_one_working_order() {
    let collection = keygate_collection().unwrap();
    let orders = collection
        .folders
        .iter()
        .find(|f| f.name == "orders")
        .unwrap();
    let names: Vec<&str> = orders.requests.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "placeorder",
            "modifyorder",
            "cancelorder",
            "placesmartorder",
            "cancelallorder",
            "closeposition"
        ]
    );
    let place = &orders.requests[0];
    assert!(place.captures_orderid);
    let body = place.body.to_pretty_json();
    assert!(body.contains("\"pricetype\": \"LIMIT\""), "{body}");
    assert!(body.contains("\"price\": \"40\""), "{body}");
    for request in &orders.requests[1..3] {
        assert!(
            request
                .body
                .to_pretty_json()
                .contains("\"orderid\": \"{{orderid}}\""),
            "{}",
            request.name
        );
    }
}

#[test]
fn the_order_status_inspection_expects_the_cancelled_order() {
    let files = committed_files().unwrap();
    let bruno = files
        .iter()
        .find(|f| f.path == "bruno/account/orderstatus.bru")
        .unwrap();
    assert!(bruno
        .contents
        .contains("  res.body.data.order_status: eq cancelled\n"));
    assert!(bruno.contents.contains("\"orderid\": \"{{orderid}}\""));
    let postman = files
        .iter()
        .find(|f| f.path == "postman/keygate.postman_collection.json")
        .unwrap();
    assert!(postman
        .contents
        .contains("pm.expect(pm.response.json().data.order_status).to.eql(\\\"cancelled\\\");"));
}

#[test]
fn the_analyzer_is_switched_on_then_back_off() {
    let collection = keygate_collection().unwrap();
    let bodies: Vec<String> = collection.folders[0]
        .requests
        .iter()
        .filter(|r| r.path.ends_with("analyzer/toggle"))
        .map(|r| r.body.to_pretty_json())
        .collect();
    assert_eq!(bodies.len(), 2);
    assert!(bodies[0].contains("\"mode\": true"));
    assert!(bodies[1].contains("\"mode\": false"));
}

#[test]
fn bodies_send_the_apikey_variable_first_and_nest_with_two_spaces() {
    let collection = keygate_collection().unwrap();
    let multiquotes = collection
        .folders
        .iter()
        .flat_map(|f| &f.requests)
        .find(|r| r.name == "multiquotes")
        .unwrap();
    let body = multiquotes.body.to_pretty_json();
    assert!(
        body.starts_with("{\n  \"apikey\": \"{{apikey}}\",\n"),
        "{body}"
    );
    assert!(
        body.contains("\n  \"symbols\": [\n    {\n      \"exchange\": \"NSE\","),
        "{body}"
    );
    let parsed: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(parsed["symbols"][1]["symbol"], "INFY");
}

#[test]
fn no_committed_file_holds_a_key() {
    for file in committed_files().unwrap() {
        assert!(!file.contents.contains(EXAMPLE_KEY), "{}", file.path);
        let hex_run = file
            .contents
            .split(|c: char| !c.is_ascii_hexdigit())
            .any(|run| run.len() >= 64);
        assert!(!hex_run, "{} holds something key-shaped", file.path);
    }
}

#[test]
fn bruno_requests_assert_success_and_keep_the_order_id() {
    let files = committed_files().unwrap();
    let place = files
        .iter()
        .find(|f| f.path == "bruno/orders/placeorder.bru")
        .unwrap();
    for expected in [
        "url: {{host}}/api/v1/placeorder",
        "vars:post-response {\n  orderid: res.body.orderid\n}",
        "assert {\n  res.status: eq 200\n  res.body.status: eq success\n  res.body.orderid: isString\n}",
        "docs {\n  Places an order.",
    ] {
        assert!(place.contents.contains(expected), "{expected}\n{}", place.contents);
    }
    let env = files
        .iter()
        .find(|f| f.path == "bruno/environments/local.bru")
        .unwrap();
    assert_eq!(
        env.contents,
        "vars {\n  host: http://127.0.0.1:5000\n  apikey: \n}\n"
    );
    let folders: Vec<&str> = files
        .iter()
        .filter(|f| f.path.ends_with("/folder.bru"))
        .map(|f| f.path.as_str())
        .collect();
    assert_eq!(folders.len(), 4, "{folders:?}");
}

#[test]
fn the_postman_collection_is_v2_1_with_tests_on_every_request() {
    let collection = keygate_collection().unwrap();
    let json: Value = serde_json::from_str(&postman::collection_json(&collection, None)).unwrap();
    assert_eq!(
        json["info"]["schema"],
        "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
    );
    let folders = json["item"].as_array().unwrap();
    assert_eq!(folders.len(), 4);
    let mut requests = 0;
    for folder in folders {
        for item in folder["item"].as_array().unwrap() {
            requests += 1;
            let exec = item["event"][0]["script"]["exec"].as_array().unwrap();
            assert!(exec
                .iter()
                .any(|l| l.as_str().unwrap().contains("to.have.status(200)")));
            let raw = item["request"]["body"]["raw"].as_str().unwrap();
            let body: Value = serde_json::from_str(raw).unwrap();
            assert_eq!(body["apikey"], "{{apikey}}");
            assert!(item["request"]["url"]["raw"]
                .as_str()
                .unwrap()
                .starts_with("{{host}}/api/v1/"));
        }
    }
    assert_eq!(requests, PLAN.len());
}

#[test]
fn a_key_is_filled_in_only_when_given() {
    let collection = keygate_collection().unwrap();
    let key = "ab".repeat(32);
    for download in Download::ALL {
        let without = download.render(&collection, None).unwrap();
        let with = download.render(&collection, Some(&key)).unwrap();
        let text = |bytes: &[u8]| match download {
            Download::BrunoZip => unzip_all(bytes),
            _ => String::from_utf8(bytes.to_vec()).unwrap(),
        };
        assert!(!text(&without).contains(&key), "{download:?}");
        assert!(text(&with).contains(&key), "{download:?}");
    }
}

#[test]
fn the_bruno_zip_holds_the_collection_under_one_folder() {
    let collection = keygate_collection().unwrap();
    let bytes = Download::BrunoZip.render(&collection, None).unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let names: Vec<String> = archive.file_names().map(str::to_owned).collect();
    assert!(
        names.contains(&"keygate/bruno.json".to_owned()),
        "{names:?}"
    );
    assert!(names.iter().all(|n| n.starts_with("keygate/")), "{names:?}");
    let mut env = String::new();
    std::io::Read::read_to_string(
        &mut archive.by_name("keygate/environments/local.bru").unwrap(),
        &mut env,
    )
    .unwrap();
    assert!(env.contains("host: http://127.0.0.1:5000"));
}

fn unzip_all(bytes: &[u8]) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut all = String::new();
    for i in 0..archive.len() {
        std::io::Read::read_to_string(&mut archive.by_index(i).unwrap(), &mut all).unwrap();
    }
    all
}
