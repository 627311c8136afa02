//! API-key verification benchmark: warm (cached) verification, cold verification of a valid key with
//! 1, 1,000 and 100,000 stored keys (must stay flat: exactly one Argon2 each), and an unknown key
//! with 100,000 stored keys (no Argon2 and no database query at all). Runs on a SQLite file, or on PostgreSQL when
//! `BENCH_DATABASE_URL` names one (a fresh database is created on it).
//!
//! `cargo bench -p keygate-core --bench verify`

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use criterion::{criterion_group, criterion_main, Criterion};
use keygate_core::config::Settings;
use keygate_core::entities::{api_key, api_key_secret, user};
use keygate_core::keys::{Actor, KeyCrypto, KeyStore, KeyVerifier, PlainApiKey, UsageRecorder};
use keygate_core::{db, password};
use keygate_types::keys::{CreateApiKey, OrderMode, Scope};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseConnection, EntityTrait, Set};

const IP: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

struct Fixture {
    verifier: Arc<KeyVerifier>,
    key: String,
    key_id: i64,
    _dir: Option<tempfile::TempDir>,
}

async fn database() -> (DatabaseConnection, Option<tempfile::TempDir>) {
    if let Ok(base) = std::env::var("BENCH_DATABASE_URL") {
        let name = format!("kgbench_{}", std::process::id());
        let admin = db::connect(&base).await.expect("connect");
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name}"))
            .await
            .expect("drop");
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create");
        let (prefix, _) = base.rsplit_once('/').expect("url with database");
        let db = db::connect(&format!("{prefix}/{name}"))
            .await
            .expect("connect");
        return (db, None);
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("bench.db").display()
    );
    (db::connect(&url).await.expect("connect"), Some(dir))
}

/// A database with `stored` keys: one real key made through the key store, the rest filler rows
/// with distinct lookup digests (their hashes are never verified: only the looked-up row is).
async fn fixture(stored: usize) -> Fixture {
    let (db, dir) = database().await;
    db::migrate(&db).await.expect("migrate");
    let settings = Settings::from_lookup(|name| match name {
        "API_KEY_PEPPER" => Some("bench-pepper-0123456789abcdef0123456789abcdef".into()),
        "KEYGATE_FERNET_KEYS" => Some("cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=".into()),
        "KEYGATE_SESSION_SECRET" => Some("bench-session-secret-0123456789abcdef0123".into()),
        "KEYGATE_MAX_KEYS_PER_USER" => Some("1000000".into()),
        _ => None,
    })
    .expect("settings");
    let crypto = Arc::new(KeyCrypto::new(&settings.secrets).expect("crypto"));
    let verifier = Arc::new(KeyVerifier::new(
        db.clone(),
        crypto.clone(),
        Arc::new(UsageRecorder::default()),
    ));
    let store = KeyStore::new(db.clone(), crypto.clone(), verifier.clone(), 1_000_000);
    let now = Utc::now();
    let owner = user::ActiveModel {
        username: Set("bench".into()),
        password_hash: Set(password::DUMMY_HASH.clone()),
        is_admin: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&db)
    .await
    .expect("user");
    let filler_hash = crypto
        .hash(&PlainApiKey::generate().unwrap())
        .await
        .expect("hash");
    for chunk_start in (0..stored.saturating_sub(1)).step_by(1000) {
        let chunk_end = (chunk_start + 1000).min(stored - 1);
        let keys: Vec<api_key::ActiveModel> = (chunk_start..chunk_end)
            .map(|i| api_key::ActiveModel {
                user_id: Set(owner.id),
                name: Set(format!("filler-{i}")),
                scopes: Set("read".into()),
                order_mode: Set("auto".into()),
                ip_allowlist: Set("[]".into()),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            })
            .collect();
        let first_id = api_key::Entity::insert_many(keys)
            .exec(&db)
            .await
            .expect("fillers")
            .last_insert_id
            - (chunk_end - chunk_start) as i64
            + 1;
        let secrets: Vec<api_key_secret::ActiveModel> = (chunk_start..chunk_end)
            .enumerate()
            .map(|(n, _)| {
                let plain = PlainApiKey::generate().unwrap();
                api_key_secret::ActiveModel {
                    key_id: Set(first_id + n as i64),
                    lookup_digest: Set(crypto.lookup_digest(plain.expose())),
                    argon2_hash: Set(filler_hash.clone()),
                    encrypted: Set(crypto.encrypt(&plain)),
                    masked: Set(plain.masked()),
                    created_at: Set(now),
                    used_from: Set("[]".into()),
                    ..Default::default()
                }
            })
            .collect();
        api_key_secret::Entity::insert_many(secrets)
            .exec(&db)
            .await
            .expect("filler secrets");
    }
    let actor = Actor {
        user_id: owner.id,
        name: "bench".into(),
        ip: None,
    };
    let (plain, summary) = store
        .create(
            &actor,
            CreateApiKey {
                name: "bench-key".into(),
                scopes: vec![Scope::Trade],
                order_mode: OrderMode::Auto,
                expires_at: None,
                ip_allowlist: vec![],
                broker_connection_id: None,
            },
        )
        .await
        .expect("create key");
    // As the server's change follower does at start: every stored digest into the set.
    verifier.load_digests().await.expect("load digests");
    Fixture {
        verifier,
        key: plain.expose().to_owned(),
        key_id: summary.id,
        _dir: dir,
    }
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");

    let small = rt.block_on(fixture(1));
    rt.block_on(small.verifier.verify(&small.key, IP))
        .expect("valid");
    c.bench_function("warm verification (cached key)", |b| {
        b.to_async(&rt)
            .iter(|| async { small.verifier.verify(&small.key, IP).await.expect("valid") })
    });

    let mut cold = c.benchmark_group("cold verification of a valid key");
    cold.sample_size(10)
        .measurement_time(Duration::from_secs(4));
    for stored in [1usize, 1_000, 100_000] {
        let started = Instant::now();
        let fx = rt.block_on(fixture(stored));
        eprintln!("seeded {stored} keys in {:.1?}", started.elapsed());
        let before = fx.verifier.argon2_runs();
        let mut calls = 0u64;
        cold.bench_function(format!("{stored} stored keys"), |b| {
            b.to_async(&rt).iter(|| {
                calls += 1;
                fx.verifier.invalidate_key(fx.key_id);
                async { fx.verifier.verify(&fx.key, IP).await.expect("valid") }
            })
        });
        let runs = fx.verifier.argon2_runs() - before;
        eprintln!("{stored} stored keys: {runs} Argon2 verifications for {calls} cold calls");
        assert_eq!(runs, calls, "a cold valid key must cost exactly one Argon2");
    }
    cold.finish();

    let big = rt.block_on(fixture(100_000));
    let before = big.verifier.argon2_runs();
    let lookups_before = big.verifier.db_lookups();
    let mut calls = 0u64;
    c.bench_function("unknown key, 100000 stored keys", |b| {
        b.to_async(&rt).iter(|| {
            calls += 1;
            let unknown = PlainApiKey::generate().unwrap();
            let verifier = big.verifier.clone();
            async move {
                assert!(verifier.verify(unknown.expose(), IP).await.is_err());
            }
        })
    });
    let runs = big.verifier.argon2_runs() - before;
    eprintln!("unknown keys: {runs} Argon2 verifications for {calls} calls");
    assert_eq!(runs, 0, "an unknown key must cost no Argon2");
    let lookups = big.verifier.db_lookups() - lookups_before;
    assert_eq!(lookups, 0, "an unknown key must cost no database query");
}

criterion_group!(benches, bench);
criterion_main!(benches);
