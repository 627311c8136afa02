//! actix-session storage in keygate's own database, so sessions are server-side on SQLite and
//! PostgreSQL alike: logout deletes the row, a password change deletes all of a user's rows, and a
//! copied cookie stops working with them.

use std::collections::HashMap;

use actix_session::storage::{
    generate_session_key, LoadError, SaveError, SessionKey, SessionStore, UpdateError,
};
use actix_web::cookie::time::Duration;
use chrono::{DateTime, Utc};
use keygate_core::sessions;
use sea_orm::DatabaseConnection;

/// Key under which the signed-in user's id is kept in the session state.
pub const USER_ID: &str = "user_id";

/// A `SessionStore` over the `sessions` table.
#[derive(Clone)]
pub struct DbSessionStore {
    db: DatabaseConnection,
}

impl DbSessionStore {
    /// A store over `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

fn expiry(ttl: &Duration) -> DateTime<Utc> {
    Utc::now() + chrono::Duration::seconds(ttl.whole_seconds())
}

fn user_id(state: &HashMap<String, String>) -> Option<i64> {
    state
        .get(USER_ID)
        .and_then(|v| serde_json::from_str(v).ok())
}

impl SessionStore for DbSessionStore {
    async fn load(
        &self,
        session_key: &SessionKey,
    ) -> Result<Option<HashMap<String, String>>, LoadError> {
        let Some(raw) = sessions::load(&self.db, session_key.as_ref())
            .await
            .map_err(|e| LoadError::Other(e.into()))?
        else {
            return Ok(None);
        };
        serde_json::from_str(&raw)
            .map(Some)
            .map_err(|e| LoadError::Deserialization(e.into()))
    }

    async fn save(
        &self,
        session_state: HashMap<String, String>,
        ttl: &Duration,
    ) -> Result<SessionKey, SaveError> {
        let state = serde_json::to_string(&session_state)
            .map_err(|e| SaveError::Serialization(e.into()))?;
        let key = generate_session_key();
        sessions::save(
            &self.db,
            key.as_ref(),
            user_id(&session_state),
            state,
            expiry(ttl),
        )
        .await
        .map_err(|e| SaveError::Other(e.into()))?;
        Ok(key)
    }

    async fn update(
        &self,
        session_key: SessionKey,
        session_state: HashMap<String, String>,
        ttl: &Duration,
    ) -> Result<SessionKey, UpdateError> {
        // A session ended meanwhile (logout elsewhere, password change) must not come back to
        // life: start a fresh one instead of re-inserting the old key.
        let alive = sessions::exists(&self.db, session_key.as_ref())
            .await
            .map_err(|e| UpdateError::Other(e.into()))?;
        if !alive {
            return self.save(session_state, ttl).await.map_err(|e| match e {
                SaveError::Serialization(e) => UpdateError::Serialization(e),
                SaveError::Other(e) => UpdateError::Other(e),
            });
        }
        let state = serde_json::to_string(&session_state)
            .map_err(|e| UpdateError::Serialization(e.into()))?;
        sessions::save(
            &self.db,
            session_key.as_ref(),
            user_id(&session_state),
            state,
            expiry(ttl),
        )
        .await
        .map_err(|e| UpdateError::Other(e.into()))?;
        Ok(session_key)
    }

    async fn update_ttl(
        &self,
        session_key: &SessionKey,
        ttl: &Duration,
    ) -> Result<(), anyhow::Error> {
        sessions::touch(&self.db, session_key.as_ref(), expiry(ttl)).await?;
        Ok(())
    }

    async fn delete(&self, session_key: &SessionKey) -> Result<(), anyhow::Error> {
        sessions::delete(&self.db, session_key.as_ref()).await?;
        Ok(())
    }
}
