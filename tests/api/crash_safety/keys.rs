//! The key-management load of the crash-safety test, and what must hold of its keys after the
//! restart.
//!
//! A change the server never answered is in doubt: the kill may have come after its commit and
//! before its answer (the wider that gap, the busier the machine). Either outcome is right then,
//! but exactly one of them, whole; which one is read back from the restarted server.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use keygate_tests::Browser;
use keygate_types::keys::{ApiKeySummary, KeyEvent, KeyState, RevealedApiKey};
use serde_json::json;

use super::{send, v1};

/// What the key-management client was told before the kill.
#[derive(Default)]
pub struct KeyLedger {
    /// Key id → its current secret, for keys whose creation and every later change was answered.
    pub live: HashMap<i64, String>,
    /// Secrets replaced by an acknowledged roll (no grace) or of acknowledged revoked keys.
    pub dead: Vec<String>,
    /// The change sent but not answered when the server died.
    in_doubt: Option<InDoubt>,
}

/// The ledger the load writes and the checks read.
pub type SharedLedger = Arc<Mutex<KeyLedger>>;

/// A roll or revoke the server never answered; its key is in neither `live` nor `dead`.
enum InDoubt {
    /// Key `id` was being rolled away from its acknowledged secret `old`.
    Roll { id: i64, old: String },
    /// Key `id`, whose acknowledged secret is `secret`, was being revoked.
    Revoke { id: i64, secret: String },
}

impl KeyLedger {
    /// A change of key `id` is about to be sent: until it is answered, which of its secrets
    /// works is not known.
    fn doubt(&mut self, id: i64, change: InDoubt) {
        self.live.remove(&id);
        self.in_doubt = Some(change);
    }

    /// The change sent on key `id` was answered 200: `retired` stops, `current` (if the key
    /// was not revoked) works.
    fn done(&mut self, id: i64, retired: String, current: Option<String>) {
        self.in_doubt = None;
        self.dead.push(retired);
        if let Some(current) = current {
            self.live.insert(id, current);
        }
    }

    /// The change sent on key `id` was answered with an error: nothing changed, so `secret` is
    /// still its acknowledged one.
    fn refused(&mut self, id: i64, secret: String) {
        self.in_doubt = None;
        self.live.insert(id, secret);
    }

    /// Every secret the client was given, for the log sweep.
    pub fn secrets(&self) -> impl Iterator<Item = &str> {
        let doubtful = self.in_doubt.as_ref().map(|change| match change {
            InDoubt::Roll { old, .. } => old.as_str(),
            InDoubt::Revoke { secret, .. } => secret.as_str(),
        });
        self.live
            .values()
            .chain(&self.dead)
            .map(String::as_str)
            .chain(doubtful)
    }

    /// Checks on the restarted server at `address` (with `admin` signed in there, the keys'
    /// owner) that every live secret works, the change in doubt went one way whole, and every
    /// dead secret is refused. Returns the secret it revealed, for the log sweep.
    pub async fn check(&self, address: &str, admin: &Browser) -> Option<String> {
        let server = Restarted { address, admin };
        for (id, secret) in &self.live {
            server
                .expect_ping(*id, secret, 200, "its acknowledged secret")
                .await;
        }
        let revealed = match &self.in_doubt {
            Some(change) => server.settle(change).await,
            None => None,
        };
        for secret in &self.dead {
            let (status, body) = v1(address, "ping", secret, json!({})).await.expect("ping");
            assert_eq!(
                status, 403,
                "a rolled-away or revoked secret works again: {body}"
            );
        }
        revealed
    }
}

/// Creates, rolls and revokes keys until the server goes away.
pub async fn manage_keys(browser: Browser, ledger: SharedLedger) {
    for round in 0.. {
        let Some((201, created)) =
            send(&browser, "/api/keys", json!({"name": format!("k{round}")})).await
        else {
            return;
        };
        let id = created["key"]["id"].as_i64().expect("id");
        let first = created["api_key"].as_str().expect("api_key").to_owned();
        let old = first.clone();
        ledger.lock().unwrap().doubt(id, InDoubt::Roll { id, old });

        let path = format!("/api/keys/{id}/roll");
        let rolled = match send(&browser, &path, json!({"grace_seconds": 0})).await {
            Some((200, rolled)) => rolled,
            Some(_) => return ledger.lock().unwrap().refused(id, first),
            None => return,
        };
        let second = rolled["api_key"].as_str().expect("api_key").to_owned();
        if round % 3 != 0 {
            ledger.lock().unwrap().done(id, first, Some(second));
            continue;
        }
        {
            let mut ledger = ledger.lock().unwrap();
            ledger.done(id, first, None);
            let secret = second.clone();
            ledger.doubt(id, InDoubt::Revoke { id, secret });
        }
        let path = format!("/api/keys/{id}/revoke");
        match send(&browser, &path, json!({})).await {
            Some((200, _)) => {}
            Some(_) => return ledger.lock().unwrap().refused(id, second),
            None => return,
        }
        ledger.lock().unwrap().done(id, second, None);
    }
}

/// The restarted server and the keys' owner signed in there.
struct Restarted<'a> {
    address: &'a str,
    admin: &'a Browser,
}

impl Restarted<'_> {
    /// Reads which way the unanswered `change` went and checks the key's secrets accordingly.
    /// Returns the secret it revealed, if any.
    async fn settle(&self, change: &InDoubt) -> Option<String> {
        match change {
            InDoubt::Roll { id, old } => {
                let response = self
                    .admin
                    .post(&format!("/api/keys/{id}/reveal"), &json!({}))
                    .await;
                assert_eq!(response.status(), 200, "reveal key {id}");
                let current = response
                    .json::<RevealedApiKey>()
                    .await
                    .expect("revealed key")
                    .api_key;
                let committed = current != *old;
                println!("unanswered roll of key {id} at the kill; committed: {committed}");
                if committed {
                    let what = "the secret of its committed roll";
                    self.expect_ping(*id, &current, 200, what).await;
                    let what = "the secret its committed roll replaced";
                    self.expect_ping(*id, old, 403, what).await;
                } else {
                    let what = "its secret (the roll did not commit)";
                    self.expect_ping(*id, old, 200, what).await;
                }
                Some(current)
            }
            InDoubt::Revoke { id, secret } => {
                let state = self.key(*id).await.state;
                println!("unanswered revoke of key {id} at the kill; state now: {state:?}");
                let (status, what) = match state {
                    KeyState::Revoked => (403, "the secret of a key whose revoke committed"),
                    _ => (200, "its secret (the revoke did not commit)"),
                };
                self.expect_ping(*id, secret, status, what).await;
                None
            }
        }
    }

    /// Pings with `secret` of key `id` and asserts the status. A failure shows the answer, the
    /// key as the server sees it and its audit trail, which tell a lost change from a refusal
    /// for another reason (an expiry, the address, a ban).
    async fn expect_ping(&self, id: i64, secret: &str, status: u16, what: &str) {
        let (got, body) = v1(self.address, "ping", secret, json!({}))
            .await
            .expect("ping");
        if got == status {
            return;
        }
        let key = self.key(id).await;
        let events: Vec<KeyEvent> = self
            .admin
            .get(&format!("/api/keys/events?key_id={id}"))
            .await
            .json()
            .await
            .expect("key events");
        let events: Vec<String> = events
            .iter()
            .map(|e| format!("{} {} {:?}", e.created_at, e.event, e.detail))
            .collect();
        panic!(
            "key {id}: {what} answered {got}, not {status}: {body}\n\
             the key now: {key:?}\nits events, newest first: {events:#?}"
        );
    }

    async fn key(&self, id: i64) -> ApiKeySummary {
        let response = self.admin.get(&format!("/api/keys/{id}")).await;
        assert_eq!(response.status(), 200, "get key {id}");
        response.json().await.expect("key summary")
    }
}
