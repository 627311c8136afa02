//! Stores N API keys (default 100,000) for an existing user in seconds, for benchmarks that need
//! many stored keys (the server's digest set and its memory). The keys are real rows with real
//! lookup digests and Fernet copies under the configured secrets, but share one Argon2 hash (their
//! plaintexts are thrown away: they only have to exist, never to verify), so seeding skips 100,000
//! Argon2 runs. Reads the same settings as `keygate` (environment, data directory).
//!
//! Usage: `seed-keys <username> [count]`
#![forbid(unsafe_code)]

use std::time::Instant;

use chrono::Utc;
use keygate_core::config::Settings;
use keygate_core::entities::{api_key, api_key_secret, user};
use keygate_core::keys::{KeyCrypto, PlainApiKey};
use keygate_core::{db, password};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait};

/// Keys per insert (each key binds 9 values, its secret 7: well under SQLite's 32,766).
const CHUNK: usize = 1000;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let username = args
        .next()
        .ok_or_else(|| anyhow::anyhow!("usage: seed-keys <username> [count]"))?;
    let count: usize = args.next().map_or(Ok(100_000), |a| a.parse())?;
    let settings = Settings::from_env()?;
    let conn = db::connect(&settings.database_url).await?;
    db::migrate(&conn).await?;
    let owner = user::Entity::find()
        .filter(user::Column::Username.eq(&username))
        .one(&conn)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no user named '{username}'"))?;
    let crypto = KeyCrypto::new(&settings.secrets)?;
    let shared_hash = password::DUMMY_HASH.clone();
    let started = Instant::now();
    let now = Utc::now();
    let tag = now.timestamp_millis();
    for start in (0..count).step_by(CHUNK) {
        let end = (start + CHUNK).min(count);
        let txn = conn.begin().await?;
        let before = api_key::Entity::find()
            .order_by_desc(api_key::Column::Id)
            .one(&txn)
            .await?
            .map_or(0, |k| k.id);
        let keys = (start..end).map(|i| api_key::ActiveModel {
            user_id: Set(owner.id),
            name: Set(format!("seeded-{tag}-{i}")),
            scopes: Set("read".into()),
            order_mode: Set("auto".into()),
            ip_allowlist: Set("[]".into()),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        });
        api_key::Entity::insert_many(keys).exec(&txn).await?;
        // Ids are read back (`last_insert_id` arithmetic is not portable), by name, so a key
        // another session inserted meanwhile is not given a secret.
        let inserted = api_key::Entity::find()
            .filter(api_key::Column::Id.gt(before))
            .filter(api_key::Column::UserId.eq(owner.id))
            .all(&txn)
            .await?;
        let mut secrets = Vec::with_capacity(end - start);
        for key in inserted
            .iter()
            .filter(|k| is_in_chunk(&k.name, tag, start, end))
        {
            let plain = PlainApiKey::generate()?;
            secrets.push(api_key_secret::ActiveModel {
                key_id: Set(key.id),
                lookup_digest: Set(crypto.lookup_digest(plain.expose())),
                argon2_hash: Set(shared_hash.clone()),
                encrypted: Set(crypto.encrypt(&plain)),
                masked: Set(plain.masked()),
                created_at: Set(now),
                used_from: Set("[]".into()),
                ..Default::default()
            });
        }
        api_key_secret::Entity::insert_many(secrets)
            .exec(&txn)
            .await?;
        txn.commit().await?;
    }
    eprintln!(
        "stored {count} keys for '{username}' in {:.1?}",
        started.elapsed()
    );
    Ok(())
}

/// True when `name` is `seeded-<tag>-<i>` with `start <= i < end`.
fn is_in_chunk(name: &str, tag: i64, start: usize, end: usize) -> bool {
    name.strip_prefix(&format!("seeded-{tag}-"))
        .and_then(|i| i.parse::<usize>().ok())
        .is_some_and(|i| (start..end).contains(&i))
}
