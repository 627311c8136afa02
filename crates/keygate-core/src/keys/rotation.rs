//! Rotating the server-side secrets without any key stopping to work.
//!
//! - Fernet: a new key goes first in `KEYGATE_FERNET_KEYS` (the old ones stay, so every stored
//!   copy still decrypts), the secrets file is updated, then every stored copy is re-encrypted
//!   with the new key in one transaction, the broker connections' sealed exchange credentials
//!   with them.
//! - Pepper: every key's Argon2 hash and lookup digest are rebuilt from its Fernet copy under a
//!   new pepper. The new file waits as `<file>.pending` (on disk) before the database commits, and
//!   moves over the old file (kept as a backup) after: a crash in between leaves the new pepper
//!   in that pending file, and the next `rotate-pepper` finds which pepper the database holds
//!   and finishes or discards the pending file accordingly. Hashes keyed with a pepper nobody
//!   has cannot happen.
//!
//! Running servers keep the secrets they started with: restart them after a rotation (for the
//! pepper, stop them first, since they cannot verify keys hashed under the new pepper).

use std::path::{Path, PathBuf};

use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, TransactionTrait,
};
use secrecy::{ExposeSecret, SecretString};

use super::secret::KeyCrypto;
use crate::config::secrets_file::{self, pending_path};
use crate::config::{SecretSettings, FERNET_VAR, PEPPER_VAR};
use crate::entities::{api_key_secret, broker_connection};
use crate::error::{CoreError, CoreResult};

/// What a rotation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotated {
    /// Stored key secrets rewritten (current, in grace and retired).
    pub secrets: u64,
    /// Broker connections whose sealed exchange credentials were rewritten (Fernet only).
    pub connections: u64,
    /// The copy of the previous secrets file, if there was one.
    pub backup: Option<PathBuf>,
    /// For the pepper: an interrupted earlier rotation was found and finished instead.
    pub resumed: bool,
}

/// Puts a new Fernet key first in `file` and re-encrypts every stored key copy with it.
pub async fn rotate_fernet(
    db: &DatabaseConnection,
    secrets: &SecretSettings,
    file: &Path,
) -> CoreResult<Rotated> {
    let mut keys = vec![fernet::Fernet::generate_key()];
    keys.extend(secrets.fernet_key_list());
    let list = keys.join(",");
    let next = SecretSettings {
        fernet_keys: SecretString::from(list.clone()),
        ..secrets.clone()
    };
    let crypto = KeyCrypto::new(&next)?;
    // The file first: its list still holds every old key, so all stored copies decrypt with it
    // whether or not the re-encryption below completes.
    let contents = secrets_file::updated_contents(file, &[(FERNET_VAR, &list)]).map_err(io)?;
    secrets_file::write_pending(file, &contents).map_err(io)?;
    let backup = secrets_file::commit_pending(file).map_err(io)?;

    let txn = db.begin().await?;
    let rows = api_key_secret::Entity::find()
        .order_by_asc(api_key_secret::Column::Id)
        .all(&txn)
        .await?;
    for row in &rows {
        let plain = crypto.decrypt(&row.encrypted)?;
        api_key_secret::Entity::update_many()
            .col_expr(
                api_key_secret::Column::Encrypted,
                Expr::value(crypto.encrypt(&plain)),
            )
            .filter(api_key_secret::Column::Id.eq(row.id))
            .exec(&txn)
            .await?;
    }
    let connections = reseal_connections(&txn, &crypto).await?;
    txn.commit().await?;
    Ok(Rotated {
        secrets: rows.len() as u64,
        connections,
        backup,
        resumed: false,
    })
}

/// Re-encrypts every broker connection's sealed exchange credentials with the first Fernet key.
async fn reseal_connections(txn: &DatabaseTransaction, crypto: &KeyCrypto) -> CoreResult<u64> {
    let rows = broker_connection::Entity::find()
        .filter(broker_connection::Column::ApiKeySealed.is_not_null())
        .order_by_asc(broker_connection::Column::Id)
        .all(txn)
        .await?;
    for row in &rows {
        let reseal = |token: &Option<String>| -> CoreResult<Option<String>> {
            token
                .as_deref()
                .map(|t| crypto.unseal(t).map(|plain| crypto.seal(&plain)))
                .transpose()
        };
        broker_connection::Entity::update_many()
            .col_expr(
                broker_connection::Column::ApiKeySealed,
                Expr::value(reseal(&row.api_key_sealed)?),
            )
            .col_expr(
                broker_connection::Column::SecretSealed,
                Expr::value(reseal(&row.secret_sealed)?),
            )
            .filter(broker_connection::Column::Id.eq(row.id))
            .exec(txn)
            .await?;
    }
    Ok(rows.len() as u64)
}

/// Rebuilds every stored key's hash and lookup digest under a new pepper, then moves the new
/// pepper into `file`. Finishes (or discards) an interrupted earlier run first.
pub async fn rotate_pepper(
    db: &DatabaseConnection,
    secrets: &SecretSettings,
    file: &Path,
) -> CoreResult<Rotated> {
    if let Some(done) = resume_pepper(db, secrets, file).await? {
        return Ok(done);
    }
    let pepper = crate::random::random_hex(32)
        .map_err(|e| CoreError::Internal(anyhow::anyhow!("OS random generator failed: {e}")))?;
    let old = KeyCrypto::new(secrets)?;
    let new = KeyCrypto::new(&SecretSettings {
        pepper: SecretString::from(pepper.clone()),
        ..secrets.clone()
    })?;

    // Argon2 for every key runs before the transaction, so it holds no lock that long.
    let rows = api_key_secret::Entity::find()
        .order_by_asc(api_key_secret::Column::Id)
        .all(db)
        .await?;
    let mut rebuilt = Vec::with_capacity(rows.len());
    for row in &rows {
        let plain = old.decrypt(&row.encrypted)?;
        if old.lookup_digest(plain.expose()) != row.lookup_digest {
            return Err(CoreError::Internal(anyhow::anyhow!(
                "stored key secret {} does not match the configured pepper; nothing changed",
                row.id
            )));
        }
        rebuilt.push((
            row,
            new.lookup_digest(plain.expose()),
            new.hash(&plain).await?,
        ));
    }

    let contents = secrets_file::updated_contents(file, &[(PEPPER_VAR, &pepper)]).map_err(io)?;
    secrets_file::write_pending(file, &contents).map_err(io)?;
    let committed = async {
        let txn = db.begin().await?;
        for (row, digest, hash) in &rebuilt {
            // Only the row as read: a roll or create meanwhile aborts the whole rotation.
            let done = api_key_secret::Entity::update_many()
                .col_expr(api_key_secret::Column::LookupDigest, Expr::value(digest))
                .col_expr(api_key_secret::Column::Argon2Hash, Expr::value(hash))
                .filter(api_key_secret::Column::Id.eq(row.id))
                .filter(api_key_secret::Column::LookupDigest.eq(&row.lookup_digest))
                .filter(api_key_secret::Column::Encrypted.eq(&row.encrypted))
                .exec(&txn)
                .await?;
            if done.rows_affected != 1 {
                return Err(changed_meanwhile());
            }
        }
        if api_key_secret::Entity::find().count(&txn).await? != rebuilt.len() as u64 {
            return Err(changed_meanwhile());
        }
        txn.commit().await?;
        Ok(())
    }
    .await;
    if let Err(e) = committed {
        let _ = std::fs::remove_file(pending_path(file));
        return Err(e);
    }
    let backup = secrets_file::commit_pending(file).map_err(io)?;
    Ok(Rotated {
        secrets: rebuilt.len() as u64,
        connections: 0,
        backup,
        resumed: false,
    })
}

/// A `<file>.pending` left by an interrupted pepper rotation: if the database already holds
/// hashes under its pepper, the rotation committed and the file is moved in (done); otherwise
/// it never committed and the pending file is discarded.
async fn resume_pepper(
    db: &DatabaseConnection,
    secrets: &SecretSettings,
    file: &Path,
) -> CoreResult<Option<Rotated>> {
    let pending = pending_path(file);
    if !pending.exists() {
        return Ok(None);
    }
    let pending_pepper = dotenvy::from_path_iter(&pending)
        .map_err(|e| {
            CoreError::Internal(anyhow::anyhow!("cannot read {}: {e}", pending.display()))
        })?
        .filter_map(Result::ok)
        .filter(|(k, _)| k == PEPPER_VAR)
        .map(|(_, v)| v)
        .last();
    let sample = api_key_secret::Entity::find()
        .order_by_asc(api_key_secret::Column::Id)
        .one(db)
        .await?;
    let committed = match (pending_pepper, sample) {
        (Some(pepper), Some(row)) if pepper.as_str() != secrets.pepper.expose_secret() => {
            let crypto = KeyCrypto::new(&SecretSettings {
                pepper: SecretString::from(pepper),
                ..secrets.clone()
            })?;
            let plain = crypto.decrypt(&row.encrypted)?;
            crypto.lookup_digest(plain.expose()) == row.lookup_digest
        }
        _ => false,
    };
    if !committed {
        std::fs::remove_file(&pending).map_err(io)?;
        return Ok(None);
    }
    let backup = secrets_file::commit_pending(file).map_err(io)?;
    let secrets = api_key_secret::Entity::find().count(db).await?;
    Ok(Some(Rotated {
        secrets,
        connections: 0,
        backup,
        resumed: true,
    }))
}

fn changed_meanwhile() -> CoreError {
    CoreError::Conflict(
        "keys changed during the rotation; nothing was changed. Stop the servers and run it again"
            .into(),
    )
}

fn io(e: std::io::Error) -> CoreError {
    CoreError::Internal(anyhow::anyhow!("secrets file: {e}"))
}
