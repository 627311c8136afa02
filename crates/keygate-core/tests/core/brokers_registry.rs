//! The registry of brokers behind bound keys: paper for unbound keys, paper connections and the
//! analyzer's sandbox; one kept `BinanceSpot` per exchange connection (rebuilt when its row
//! changes); a connection that is gone or invalid refused, never replaced by paper.

use std::sync::Arc;
use std::time::Duration;

use keygate_binance::mock::{spot_only, MockExchange, MOCK_KEY, MOCK_SECRET};
use keygate_binance::wire::ApiRestrictions;
use keygate_broker::{paper, Broker, Ledger, PaperBroker};
use keygate_core::brokers::{BrokerStore, Brokers};
use keygate_core::config::SecretSettings;
use keygate_core::keys::{Actor, KeyCrypto};
use keygate_core::paper::SqlLedgerStore;
use keygate_core::CoreError;
use keygate_types::brokers::{BrokerKind, CreateBrokerConnection, RelabelBrokerConnection};
use secrecy::SecretString;

use crate::{create_user, market, TestDb};

#[tokio::test]
async fn bound_keys_reach_their_exchange_and_everything_else_stays_on_paper() {
    let (_guard, db) = TestDb::create().await;
    let user_id = create_user(&db, "trader").await;
    let actor = Actor {
        user_id,
        name: "trader".into(),
        ip: None,
    };
    let secrets = SecretSettings {
        pepper: SecretString::from("p".repeat(40)),
        fernet_keys: SecretString::from(fernet::Fernet::generate_key()),
        session_secret: SecretString::from("s".repeat(40)),
        file: None,
    };
    let crypto = Arc::new(KeyCrypto::new(&secrets).unwrap());
    let store = BrokerStore::new(db.clone(), crypto.clone());
    let paper: Arc<dyn Broker> = Arc::new(
        PaperBroker::new(
            market(),
            Arc::new(SqlLedgerStore::new(db.clone())),
            paper::PaperConfig::default(),
        )
        .await
        .unwrap(),
    );
    let brokers = Brokers::new(db.clone(), crypto, paper.clone(), Duration::ZERO);
    let mock = MockExchange::start().unwrap();
    let spot = store
        .create(
            &actor,
            CreateBrokerConnection {
                kind: BrokerKind::BinanceSpot,
                label: "main".into(),
                base_url: Some(mock.url().into()),
                api_key: Some(MOCK_KEY.into()),
                api_secret: Some(MOCK_SECRET.into()),
            },
        )
        .await
        .unwrap();
    let sim = store
        .create(
            &actor,
            CreateBrokerConnection {
                kind: BrokerKind::Paper,
                label: "sim".into(),
                base_url: None,
                api_key: None,
                api_secret: None,
            },
        )
        .await
        .unwrap();

    for (connection, ledger) in [
        (None, Ledger::Live),
        (Some(sim.id), Ledger::Live),
        (Some(spot.id), Ledger::Analyze),
    ] {
        let broker = brokers.broker_for(connection, ledger).await.unwrap();
        assert!(Arc::ptr_eq(&broker, &paper), "{connection:?} {ledger:?}");
    }
    let live = brokers
        .broker_for(Some(spot.id), Ledger::Live)
        .await
        .unwrap();
    assert!(!Arc::ptr_eq(&live, &paper));
    let funds = live.funds(user_id, Ledger::Live).await.unwrap();
    assert_eq!(funds.availablecash, 10_000.0);
    let again = brokers
        .broker_for(Some(spot.id), Ledger::Live)
        .await
        .unwrap();
    assert!(
        Arc::ptr_eq(&live, &again),
        "kept while the row is unchanged"
    );
    store
        .relabel(
            &actor,
            spot.id,
            RelabelBrokerConnection {
                label: "renamed".into(),
            },
        )
        .await
        .unwrap();
    let rebuilt = brokers
        .broker_for(Some(spot.id), Ledger::Live)
        .await
        .unwrap();
    assert!(
        !Arc::ptr_eq(&live, &rebuilt),
        "rebuilt after the row changed"
    );

    mock.add_key(
        MOCK_KEY,
        MOCK_SECRET,
        ApiRestrictions {
            enable_withdrawals: true,
            ..spot_only()
        },
    );
    store.check(&actor, spot.id).await.unwrap();
    let e = brokers
        .broker_for(Some(spot.id), Ledger::Live)
        .await
        .err()
        .expect("an invalid connection is refused");
    assert!(matches!(e, CoreError::Forbidden(_)), "{e:?}");
    let e = brokers
        .broker_for(Some(spot.id + 1000), Ledger::Live)
        .await
        .err()
        .expect("a missing connection is refused");
    assert!(matches!(e, CoreError::Forbidden(_)), "{e:?}");
}
