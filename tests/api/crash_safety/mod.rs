//! Crash safety: a keygate process killed with SIGKILL in the middle of order, key-management and
//! approval traffic loses nothing it acknowledged. Every order, fill, key change and approval that
//! was answered with success before the kill is there after a restart on the same database, and
//! neither process logged a secret on the way.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use keygate_tests::{
    base_env, new_client, Browser, TestDatabase, FERNET_KEY, PASSWORD, PEPPER, SESSION_SECRET,
};
use serde_json::{json, Value};

use crate::process::KeygateProcess;
use crate::v1_support::market;

mod keys;

use keys::{manage_keys, SharedLedger};

/// How long the load runs before the kill.
const LOAD_BEFORE_KILL: Duration = Duration::from_secs(3);
/// A wrong password tried once: it must not reach the log either.
const WRONG_PASSWORD: &str = "not the password 5c1f0e";
/// Order-placing clients running at once.
const ORDER_CLIENTS: usize = 4;

/// What the order clients were told succeeded before the kill (the key client keeps a
/// [`keys::KeyLedger`]).
#[derive(Default)]
struct Acknowledged {
    /// Order ids of MARKET orders answered 200 (each fills at once).
    orders: Vec<String>,
    /// Pending ids answered 200 on approval → the broker order id they got.
    approvals: HashMap<i64, String>,
}

type Shared = Arc<Mutex<Acknowledged>>;

fn env_of(database: &TestDatabase) -> HashMap<String, String> {
    let mut env = base_env(&database.url);
    for (name, value) in [
        ("KEYGATE_RATE_ORDERS", "off"),
        ("KEYGATE_RATE_DATA", "off"),
        ("KEYGATE_RATE_DEFAULT", "off"),
        ("KEYGATE_MAX_KEYS_PER_USER", "10000"),
        ("KEYGATE_RATE_API_PER_IP", "off"),
        // Every dead secret is tried after the restart: with bans on, the 20th refusal would ban
        // this address, and every later secret would be refused for that, not for itself.
        ("KEYGATE_BAN_THRESHOLD", "0"),
    ] {
        env.insert(name.to_owned(), value.to_owned());
    }
    env
}

async fn v1(address: &str, name: &str, key: &str, mut body: Value) -> Option<(u16, Value)> {
    body["apikey"] = json!(key);
    let response = new_client()
        .post(format!("{address}/api/v1/{name}"))
        .json(&body)
        .send()
        .await
        .ok()?;
    let status = response.status().as_u16();
    Some((status, response.json().await.ok()?))
}

/// Places MARKET orders until the server goes away.
async fn place_orders(address: String, key: String, acked: Shared) {
    loop {
        let Some((status, body)) =
            v1(&address, "placeorder", &key, market("SBIN", "BUY", "1")).await
        else {
            return;
        };
        if status == 200 {
            let id = body["orderid"].as_str().expect("orderid").to_owned();
            acked.lock().unwrap().orders.push(id);
        }
    }
}

async fn send(browser: &Browser, path: &str, body: Value) -> Option<(u16, Value)> {
    let mut request = browser.client.post(browser.url(path)).json(&body);
    if let Some(token) = browser.csrf_token() {
        request = request.header("X-CSRF-Token", token);
    }
    let response = request.send().await.ok()?;
    let status = response.status().as_u16();
    Some((status, response.json().await.ok()?))
}

/// Queues orders with a `semi_auto` key and approves them until the server goes away.
async fn queue_and_approve(browser: Browser, key: String, acked: Shared) {
    loop {
        let Some((200, queued)) = v1(
            &browser.address,
            "placeorder",
            &key,
            market("INFY", "BUY", "1"),
        )
        .await
        else {
            return;
        };
        let pending = queued["pending_order_id"].as_i64().expect("queued");
        let path = format!("/api/action-center/{pending}/approve");
        let Some((status, item)) = send(&browser, &path, json!({"confirm": true})).await else {
            return;
        };
        if status == 200 {
            let order = item["broker_order_id"]
                .as_str()
                .expect("order id")
                .to_owned();
            acked.lock().unwrap().approvals.insert(pending, order);
        }
    }
}

async fn signed_in(address: &str) -> Browser {
    let browser = Browser::new(address);
    let (status, body) = browser.login("admin", PASSWORD).await;
    assert_eq!(status, 200, "login: {body}");
    browser
}

#[tokio::test]
async fn nothing_acknowledged_is_lost_when_the_server_is_killed() {
    let database = TestDatabase::empty().await;
    let env = env_of(&database);
    let first = KeygateProcess::spawn(&env).await;
    let admin = Browser::new(&first.address);
    admin.setup_admin("admin").await;
    let (status, _) = Browser::new(&first.address)
        .login("admin", WRONG_PASSWORD)
        .await;
    assert_eq!(status, 401, "a wrong password is refused");
    let (trader, _) = admin
        .create_key(json!({"name": "trader", "scopes": ["trade"]}))
        .await;
    let (semi, _) = admin
        .create_key(json!({"name": "semi", "scopes": ["trade"], "order_mode": "semi_auto"}))
        .await;

    let acked = Shared::default();
    let ledger = SharedLedger::default();
    let mut load = Vec::new();
    for _ in 0..ORDER_CLIENTS {
        load.push(tokio::spawn(place_orders(
            first.address.clone(),
            trader.clone(),
            acked.clone(),
        )));
    }
    load.push(tokio::spawn(manage_keys(
        signed_in(&first.address).await,
        ledger.clone(),
    )));
    load.push(tokio::spawn(queue_and_approve(
        signed_in(&first.address).await,
        semi.clone(),
        acked.clone(),
    )));
    tokio::time::sleep(LOAD_BEFORE_KILL).await;
    let first_log = first.log();
    // Drop sends SIGKILL: no shutdown hook, no flush.
    tokio::task::spawn_blocking(move || drop(first))
        .await
        .unwrap();
    for task in load {
        task.await.expect("load task");
    }
    let acked = std::mem::take(&mut *acked.lock().unwrap());
    let ledger = std::mem::take(&mut *ledger.lock().unwrap());
    assert!(
        acked.orders.len() >= 5 && !ledger.dead.is_empty(),
        "too little load before the kill to prove anything: {} orders, {} rolled or revoked secrets",
        acked.orders.len(),
        ledger.dead.len()
    );
    println!(
        "acknowledged before the kill: {} orders, {} live keys, {} dead secrets, {} approvals",
        acked.orders.len(),
        ledger.live.len(),
        ledger.dead.len(),
        acked.approvals.len()
    );

    let second = KeygateProcess::spawn(&env).await;
    let (status, book) = v1(&second.address, "orderbook", &trader, json!({}))
        .await
        .expect("orderbook");
    assert_eq!(status, 200, "{book}");
    let complete: HashSet<&str> = book["data"]["orders"]
        .as_array()
        .expect("orders")
        .iter()
        .filter(|o| o["order_status"] == "complete")
        .filter_map(|o| o["orderid"].as_str())
        .collect();
    let (status, trades) = v1(&second.address, "tradebook", &trader, json!({}))
        .await
        .expect("tradebook");
    assert_eq!(status, 200, "{trades}");
    let filled: HashSet<&str> = trades["data"]
        .as_array()
        .expect("trades")
        .iter()
        .filter_map(|t| t["orderid"].as_str())
        .collect();
    for id in acked.orders.iter().chain(acked.approvals.values()) {
        assert!(
            complete.contains(id.as_str()),
            "order {id} lost or not complete"
        );
        assert!(filled.contains(id.as_str()), "fill of order {id} lost");
    }

    let admin = signed_in(&second.address).await;
    let revealed = ledger.check(&second.address, &admin).await;
    let items: Vec<Value> = admin
        .get("/api/action-center?state=approved")
        .await
        .json()
        .await
        .expect("list");
    let approved: HashMap<i64, &str> = items
        .iter()
        .filter_map(|i| Some((i["id"].as_i64()?, i["broker_order_id"].as_str()?)))
        .collect();
    for (pending, order) in &acked.approvals {
        assert_eq!(
            approved.get(pending).copied(),
            Some(order.as_str()),
            "approval of item {pending} lost"
        );
    }
    let mut log = first_log;
    log.extend(second.log());
    assert!(log.len() > 2, "the processes logged nothing to sweep");
    let mut secrets: Vec<&str> = vec![
        PASSWORD,
        WRONG_PASSWORD,
        PEPPER,
        FERNET_KEY,
        SESSION_SECRET,
        &trader,
        &semi,
    ];
    secrets.extend(ledger.secrets());
    secrets.extend(revealed.as_deref());
    for line in &log {
        for secret in &secrets {
            assert!(!line.contains(secret), "a secret in the server log: {line}");
        }
    }
}
