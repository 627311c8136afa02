//! The credentials vault against the mock exchange: a key pair is checked with signed calls
//! before anything is stored, refused keys leave no trace, stored credentials are sealed and
//! survive a Fernet rotation, and a connection keys are bound to cannot be deleted.

use std::sync::Arc;

use chrono::Utc;
use keygate_binance::mock::{spot_only, Endpoint, Fault, MockExchange, MOCK_KEY, MOCK_SECRET};
use keygate_binance::wire::ApiRestrictions;
use keygate_core::brokers::BrokerStore;
use keygate_core::config::{SecretSettings, FERNET_VAR};
use keygate_core::entities::{api_key, broker_connection, broker_event};
use keygate_core::keys::rotation::rotate_fernet;
use keygate_core::keys::{Actor, KeyCrypto, KeyStore, KeyVerifier, UsageRecorder};
use keygate_core::CoreError;
use keygate_types::brokers::{
    BrokerKind, BrokerPermissions, ConnectionStatus, CreateBrokerConnection,
    RelabelBrokerConnection,
};
use keygate_types::keys::{CreateApiKey, OrderMode, Scope};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, DatabaseConnection, EntityTrait};
use secrecy::SecretString;

use keygate_testdb::TestDatabase;

use crate::create_user;

/// A database, a mock exchange, the store and one user acting on it.
struct Vault {
    db: DatabaseConnection,
    secrets: SecretSettings,
    store: BrokerStore,
    mock: MockExchange,
    actor: Actor,
    _guard: TestDatabase,
}

fn secrets(fernet_keys: String) -> SecretSettings {
    SecretSettings {
        pepper: SecretString::from("p".repeat(40)),
        fernet_keys: SecretString::from(fernet_keys),
        session_secret: SecretString::from("s".repeat(40)),
        file: None,
    }
}

impl Vault {
    async fn new() -> Self {
        let guard = TestDatabase::create().await;
        let db = guard.connect().await;
        let user_id = create_user(&db, "trader").await;
        let secrets = secrets(fernet::Fernet::generate_key());
        let store = BrokerStore::new(db.clone(), Arc::new(KeyCrypto::new(&secrets).unwrap()));
        Self {
            db,
            secrets,
            store,
            mock: MockExchange::start().expect("mock starts"),
            actor: Actor {
                user_id,
                name: "trader".into(),
                ip: None,
            },
            _guard: guard,
        }
    }

    fn binance(&self, label: &str, key: &str, secret: &str) -> CreateBrokerConnection {
        CreateBrokerConnection {
            kind: BrokerKind::BinanceSpot,
            label: label.into(),
            base_url: Some(self.mock.url().to_owned()),
            api_key: Some(key.into()),
            api_secret: Some(secret.into()),
        }
    }

    async fn rows(&self) -> Vec<broker_connection::Model> {
        broker_connection::Entity::find()
            .all(&self.db)
            .await
            .unwrap()
    }

    async fn events(&self) -> Vec<String> {
        broker_event::Entity::find()
            .all(&self.db)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.event)
            .collect()
    }

    async fn bind_key(&self, name: &str, connection: i64) -> api_key::Model {
        let now = Utc::now();
        api_key::ActiveModel {
            user_id: Set(self.actor.user_id),
            name: Set(name.into()),
            scopes: Set("read,trade".into()),
            order_mode: Set("auto".into()),
            ip_allowlist: Set("[]".into()),
            created_at: Set(now),
            updated_at: Set(now),
            broker_connection_id: Set(Some(connection)),
            ..Default::default()
        }
        .insert(&self.db)
        .await
        .unwrap()
    }
}

const WITHDRAW_KEY: &str = "withdraw-key-0000000000000001";
const NO_SPOT_KEY: &str = "no-spot-key-00000000000000002";
const OTHER_SECRET: &str = "another-secret-000000000000000000000009";

#[tokio::test]
async fn a_spot_only_key_is_checked_then_stored_sealed_and_shown_masked() {
    let v = Vault::new().await;
    let made = v
        .store
        .create(&v.actor, v.binance(" main ", MOCK_KEY, MOCK_SECRET))
        .await
        .unwrap();
    assert_eq!(made.label, "main");
    assert_eq!(made.status, ConnectionStatus::Valid);
    assert_eq!(
        made.permissions,
        BrokerPermissions {
            spot: true,
            margin: false,
            futures: false
        }
    );
    assert_eq!(made.api_key_masked.as_deref(), Some("mock…0000"));
    assert_eq!(made.base_url.as_deref(), Some(v.mock.url()));
    assert!(made.checked_at.is_some());
    assert_eq!(v.mock.count(Endpoint::ApiRestrictions), 1);
    assert_eq!(v.store.list(v.actor.user_id).await.unwrap(), vec![made]);
    let row = &v.rows().await[0];
    for sealed in [&row.api_key_sealed, &row.secret_sealed] {
        let sealed = sealed.as_deref().unwrap();
        assert!(!sealed.contains(MOCK_SECRET) && !sealed.contains(MOCK_KEY));
    }
    assert_eq!(v.events().await, ["created"]);
}

#[tokio::test]
async fn keys_that_can_withdraw_or_cannot_trade_spot_are_refused_and_nothing_is_stored() {
    let v = Vault::new().await;
    v.mock.add_key(
        WITHDRAW_KEY,
        OTHER_SECRET,
        ApiRestrictions {
            enable_withdrawals: true,
            ..spot_only()
        },
    );
    v.mock.add_key(
        NO_SPOT_KEY,
        OTHER_SECRET,
        ApiRestrictions {
            enable_spot_and_margin_trading: false,
            ..spot_only()
        },
    );
    for (key, why) in [
        (WITHDRAW_KEY, "allows withdrawals"),
        (NO_SPOT_KEY, "cannot trade spot"),
    ] {
        match v
            .store
            .create(&v.actor, v.binance("x", key, OTHER_SECRET))
            .await
        {
            Err(CoreError::Unprocessable(message)) => {
                assert!(message.contains(why), "{message}");
                assert!(!message.contains(OTHER_SECRET), "{message}");
            }
            other => panic!("{key}: {other:?}"),
        }
    }
    assert!(v.rows().await.is_empty());
    assert!(v.events().await.is_empty());
}

#[tokio::test]
async fn a_key_the_exchange_rejects_is_refused_with_its_reason_and_never_echoed() {
    let v = Vault::new().await;
    match v
        .store
        .create(&v.actor, v.binance("main", MOCK_KEY, OTHER_SECRET))
        .await
    {
        Err(CoreError::Unprocessable(message)) => {
            assert!(message.contains("Signature"), "{message}");
            assert!(!message.contains(OTHER_SECRET), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert!(v.rows().await.is_empty());
}

#[tokio::test]
async fn an_unreachable_exchange_is_an_upstream_error_and_stores_nothing() {
    let v = Vault::new().await;
    let mut input = v.binance("main", MOCK_KEY, MOCK_SECRET);
    // A port nothing listens on: bound, then released.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    input.base_url = Some(url);
    match v.store.create(&v.actor, input).await {
        Err(CoreError::Upstream(message)) => assert!(message.contains("could not be reached")),
        other => panic!("{other:?}"),
    }
    assert!(v.rows().await.is_empty());
}

#[tokio::test]
async fn bad_input_is_refused_before_the_exchange_is_asked() {
    let v = Vault::new().await;
    let mut cases = vec![
        v.binance("paper", MOCK_KEY, MOCK_SECRET),
        v.binance("", MOCK_KEY, MOCK_SECRET),
        v.binance("main", "short", MOCK_SECRET),
        v.binance("main", MOCK_KEY, "has spaces in the secret"),
    ];
    let mut url = v.binance("main", MOCK_KEY, MOCK_SECRET);
    url.base_url = Some("https://user:pass@example.com".into());
    cases.push(url);
    let mut paper = v.binance("sim", MOCK_KEY, MOCK_SECRET);
    paper.kind = BrokerKind::Paper;
    cases.push(paper);
    for input in cases {
        let e = v.store.create(&v.actor, input).await.unwrap_err();
        assert!(matches!(e, CoreError::Validation { .. }), "{e:?}");
    }
    assert!(v.mock.requests().is_empty());
    assert!(v.rows().await.is_empty());
}

#[tokio::test]
async fn a_paper_connection_needs_no_credentials_and_no_check() {
    let v = Vault::new().await;
    let paper = CreateBrokerConnection {
        kind: BrokerKind::Paper,
        label: "sim".into(),
        base_url: None,
        api_key: None,
        api_secret: None,
    };
    let made = v.store.create(&v.actor, paper).await.unwrap();
    assert_eq!(
        (made.kind, made.status, made.api_key_masked),
        (BrokerKind::Paper, ConnectionStatus::Unchecked, None)
    );
    let checked = v.store.check(&v.actor, made.id).await.unwrap();
    assert_eq!(checked.status, ConnectionStatus::Unchecked);
    assert!(v.mock.requests().is_empty());
}

#[tokio::test]
async fn a_check_records_invalid_with_the_reason_and_an_unreachable_exchange_changes_nothing() {
    let v = Vault::new().await;
    let made = v
        .store
        .create(&v.actor, v.binance("main", MOCK_KEY, MOCK_SECRET))
        .await
        .unwrap();
    // The owner turns withdrawals on for the key at the exchange.
    v.mock.add_key(
        MOCK_KEY,
        MOCK_SECRET,
        ApiRestrictions {
            enable_withdrawals: true,
            enable_margin: true,
            ..spot_only()
        },
    );
    let checked = v.store.check(&v.actor, made.id).await.unwrap();
    assert_eq!(checked.status, ConnectionStatus::Invalid);
    assert!(checked.reason.as_deref().unwrap().contains("withdrawals"));
    assert!(checked.permissions.margin);
    v.mock.push_fault(Fault::Fail {
        status: 503,
        code: -1001,
        msg: "Internal error; unable to process your request. Please try again.".into(),
    });
    let e = v.store.check(&v.actor, made.id).await.unwrap_err();
    assert!(matches!(e, CoreError::Upstream(_)), "{e:?}");
    assert_eq!(v.store.list(v.actor.user_id).await.unwrap(), vec![checked]);
    v.mock.add_key(MOCK_KEY, MOCK_SECRET, spot_only());
    let again = v.store.check(&v.actor, made.id).await.unwrap();
    assert_eq!(
        (again.status, again.reason),
        (ConnectionStatus::Valid, None)
    );
    assert_eq!(v.events().await, ["created", "checked", "checked"]);
}

#[tokio::test]
async fn labels_are_unique_per_user_and_another_users_connection_is_not_found() {
    let v = Vault::new().await;
    let a = v
        .store
        .create(&v.actor, v.binance("a", MOCK_KEY, MOCK_SECRET))
        .await
        .unwrap();
    let b = v
        .store
        .create(&v.actor, v.binance("b", MOCK_KEY, MOCK_SECRET))
        .await
        .unwrap();
    let dup = v
        .store
        .create(&v.actor, v.binance("a", MOCK_KEY, MOCK_SECRET))
        .await;
    assert!(matches!(dup, Err(CoreError::Validation { .. })), "{dup:?}");
    let relabel = |label: &str| RelabelBrokerConnection {
        label: label.into(),
    };
    let e = v
        .store
        .relabel(&v.actor, b.id, relabel("a"))
        .await
        .unwrap_err();
    assert!(matches!(e, CoreError::Validation { .. }), "{e:?}");
    let renamed = v
        .store
        .relabel(&v.actor, a.id, relabel("main"))
        .await
        .unwrap();
    assert_eq!(renamed.label, "main");

    let other = Actor {
        user_id: create_user(&v.db, "someone-else").await,
        name: "someone-else".into(),
        ip: None,
    };
    for e in [
        v.store.check(&other, a.id).await.unwrap_err(),
        v.store
            .relabel(&other, a.id, relabel("mine"))
            .await
            .unwrap_err(),
        v.store.delete(&other, a.id).await.unwrap_err(),
    ] {
        assert!(matches!(e, CoreError::NotFound(_)), "{e:?}");
    }
    assert!(v.store.list(other.user_id).await.unwrap().is_empty());
    assert_eq!(v.rows().await.len(), 2);
}

#[tokio::test]
async fn a_connection_with_bound_keys_cannot_be_deleted_and_the_refusal_names_them() {
    let v = Vault::new().await;
    let made = v
        .store
        .create(&v.actor, v.binance("main", MOCK_KEY, MOCK_SECRET))
        .await
        .unwrap();
    let bot = v.bind_key("bot-one", made.id).await;
    v.bind_key("bot-two", made.id).await;
    match v.store.delete(&v.actor, made.id).await {
        Err(CoreError::Conflict(message)) => {
            assert!(message.contains("bot-one, bot-two"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    // The database refuses too, whatever the store checks.
    assert!(broker_connection::Entity::delete_by_id(made.id)
        .exec(&v.db)
        .await
        .is_err());
    api_key::Entity::delete_by_id(bot.id)
        .exec(&v.db)
        .await
        .unwrap();
    let mut two: api_key::ActiveModel = api_key::Entity::find()
        .one(&v.db)
        .await
        .unwrap()
        .unwrap()
        .into();
    two.revoked_at = Set(Some(Utc::now()));
    let two = two.update(&v.db).await.unwrap();
    // Only a revoked key is left: it is unbound, the connection goes.
    v.store.delete(&v.actor, made.id).await.unwrap();
    assert!(v.rows().await.is_empty());
    let two = api_key::Entity::find_by_id(two.id)
        .one(&v.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(two.broker_connection_id, None);
    assert_eq!(v.events().await, ["created", "deleted"]);
}

#[tokio::test]
async fn rotating_the_fernet_key_reseals_the_credentials_under_the_new_key() {
    let v = Vault::new().await;
    let made = v
        .store
        .create(&v.actor, v.binance("main", MOCK_KEY, MOCK_SECRET))
        .await
        .unwrap();
    let before = v.rows().await[0].clone();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("secrets.env");
    let done = rotate_fernet(&v.db, &v.secrets, &file).await.unwrap();
    assert_eq!(done.connections, 1);
    let after = v.rows().await[0].clone();
    assert_ne!(after.secret_sealed, before.secret_sealed);
    // Only the new key: the credentials must have been re-encrypted to open.
    let list = dotenvy::from_path_iter(&file)
        .unwrap()
        .filter_map(Result::ok)
        .find(|(k, _)| k == FERNET_VAR)
        .unwrap()
        .1;
    let newest = list.split(',').next().unwrap().to_owned();
    let store = BrokerStore::new(
        v.db.clone(),
        Arc::new(KeyCrypto::new(&secrets(newest)).unwrap()),
    );
    let checked = store.check(&v.actor, made.id).await.unwrap();
    assert_eq!(checked.status, ConnectionStatus::Valid);
    assert_eq!(v.mock.count(Endpoint::ApiRestrictions), 2);
}

#[tokio::test]
async fn a_key_binds_only_to_its_owners_connection_and_paper_unbinds_it() {
    let v = Vault::new().await;
    let crypto = Arc::new(KeyCrypto::new(&v.secrets).unwrap());
    let verifier = Arc::new(KeyVerifier::new(
        v.db.clone(),
        crypto.clone(),
        Arc::new(UsageRecorder::default()),
    ));
    let keys = KeyStore::new(v.db.clone(), crypto, verifier, 10);
    let input = CreateApiKey {
        name: "bot".into(),
        scopes: vec![Scope::Trade],
        order_mode: OrderMode::Auto,
        expires_at: None,
        ip_allowlist: Vec::new(),
        broker_connection_id: None,
    };
    let (_, key) = keys.create(&v.actor, input).await.unwrap();
    let mine = v
        .store
        .create(&v.actor, v.binance("main", MOCK_KEY, MOCK_SECRET))
        .await
        .unwrap();
    let other = Actor {
        user_id: create_user(&v.db, "someone-else").await,
        name: "someone-else".into(),
        ip: None,
    };
    let theirs = v
        .store
        .create(&other, v.binance("theirs", MOCK_KEY, MOCK_SECRET))
        .await
        .unwrap();
    let bound = |id: i64| {
        let db = v.db.clone();
        async move {
            api_key::Entity::find_by_id(id)
                .one(&db)
                .await
                .unwrap()
                .unwrap()
                .broker_connection_id
        }
    };
    let e = keys
        .bind(&v.actor, key.id, Some(theirs.id))
        .await
        .unwrap_err();
    assert!(matches!(e, CoreError::NotFound(_)), "{e:?}");
    assert_eq!(bound(key.id).await, None);
    let e = keys
        .bind(&other, key.id, Some(theirs.id))
        .await
        .unwrap_err();
    assert!(matches!(e, CoreError::NotFound(_)), "{e:?}");
    keys.bind(&v.actor, key.id, Some(mine.id)).await.unwrap();
    assert_eq!(bound(key.id).await, Some(mine.id));
    keys.bind(&v.actor, key.id, None).await.unwrap();
    assert_eq!(bound(key.id).await, None);

    // An invalid connection is refused, to bind and to create on; the key stays where it was.
    let mut row: broker_connection::ActiveModel = broker_connection::Entity::find_by_id(mine.id)
        .one(&v.db)
        .await
        .unwrap()
        .unwrap()
        .into();
    row.status = Set("invalid".into());
    row.reason = Set(Some(
        "Invalid API-key, IP, or permissions for action.".into(),
    ));
    row.update(&v.db).await.unwrap();
    let e = keys
        .bind(&v.actor, key.id, Some(mine.id))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, CoreError::Unprocessable(m) if m.contains("Invalid API-key")),
        "{e:?}"
    );
    assert_eq!(bound(key.id).await, None);
    let input = CreateApiKey {
        name: "bot-two".into(),
        scopes: vec![Scope::Trade],
        order_mode: OrderMode::Auto,
        expires_at: None,
        ip_allowlist: Vec::new(),
        broker_connection_id: Some(mine.id),
    };
    let e = keys.create(&v.actor, input).await.unwrap_err();
    assert!(matches!(e, CoreError::Unprocessable(_)), "{e:?}");
    assert_eq!(keys.list(v.actor.user_id).await.unwrap().len(), 1);
}
