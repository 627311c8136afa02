//! `Brokers`: the broker a key's calls go to. No connection (or a `paper` one) and the
//! analyzer's sandbox ledger always go to the paper broker; a `binance_spot` connection gets one
//! `BinanceSpot`, built from its sealed credentials on first use and kept.
//!
//! Order of work: the kept broker, if its row was read less than `recheck` ago (no database
//! work on the hot path) → the row (one query by primary key) → the kept broker again if the
//! row's `updated_at` has not moved (a relabel or re-check bumps it; the credentials never change
//! in place) → a new `BinanceSpot`. A connection that is gone or `invalid` is refused (fail
//! closed), never sent to paper in its place.
//!
//! The feed of a key ([`Brokers::feed_for`]): the paper market, or for a `binance_spot`
//! connection the market streams of its exchange (one shared [`MarketStream`] per stream URL);
//! a connection that is gone is refused.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use keygate_binance::stream::{MarketStream, MarketStreams};
use keygate_binance::BinanceSpot;
use keygate_broker::{Broker, Ledger};
use keygate_types::brokers::{BrokerKind, ConnectionStatus};
use sea_orm::{DatabaseConnection, EntityTrait};

use super::credentials::ExchangeCredentials;
use crate::entities::broker_connection;
use crate::error::{CoreError, CoreResult};
use crate::keys::KeyCrypto;

/// How long a kept broker is used without reading its row again.
pub const RECHECK: Duration = Duration::from_secs(2);

struct Kept {
    updated_at: DateTime<Utc>,
    read_at: Instant,
    broker: Arc<dyn Broker>,
}

/// Where a key's market-data feed comes from.
#[derive(Debug, Clone)]
pub enum FeedSource {
    /// The simulated market.
    Paper,
    /// The market streams of the key's exchange.
    Exchange(Arc<MarketStream>),
}

/// The brokers of every connection in use, the paper broker, and the exchanges' market streams.
pub struct Brokers {
    db: DatabaseConnection,
    crypto: Arc<KeyCrypto>,
    paper: Arc<dyn Broker>,
    recheck: Duration,
    kept: Mutex<HashMap<i64, Kept>>,
    streams: MarketStreams,
}

impl Brokers {
    /// A registry over `db` (connections sealed with `crypto`) beside the `paper` broker; a kept
    /// broker's row is read again after `recheck` ([`RECHECK`] in the server).
    pub fn new(
        db: DatabaseConnection,
        crypto: Arc<KeyCrypto>,
        paper: Arc<dyn Broker>,
        recheck: Duration,
    ) -> Self {
        Self {
            db,
            crypto,
            paper,
            recheck,
            kept: Mutex::new(HashMap::new()),
            streams: MarketStreams::default(),
        }
    }

    /// Every exchange's market streams (for their health figures).
    pub fn market_streams(&self) -> &MarketStreams {
        &self.streams
    }

    /// Where the feed of a key bound to `connection` gets its market data (`None`: paper).
    pub async fn feed_for(&self, connection: Option<i64>) -> CoreResult<FeedSource> {
        let Some(id) = connection else {
            return Ok(FeedSource::Paper);
        };
        let row = broker_connection::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or_else(gone)?;
        match (BrokerKind::parse(&row.kind), row.base_url) {
            (Some(BrokerKind::BinanceSpot), Some(base_url)) => {
                Ok(FeedSource::Exchange(self.streams.for_base(&base_url)))
            }
            (Some(BrokerKind::BinanceSpot), None) => Err(CoreError::Internal(anyhow::anyhow!(
                "broker connection {id} has no base URL"
            ))),
            _ => Ok(FeedSource::Paper),
        }
    }

    /// The paper broker.
    pub fn paper(&self) -> &Arc<dyn Broker> {
        &self.paper
    }

    /// The broker for a key bound to `connection` (`None`: the owner's paper account) on
    /// `ledger` (the analyzer's sandbox stays on paper).
    pub async fn broker_for(
        &self,
        connection: Option<i64>,
        ledger: Ledger,
    ) -> CoreResult<Arc<dyn Broker>> {
        let Some(id) = connection else {
            return Ok(self.paper.clone());
        };
        if ledger == Ledger::Analyze {
            return Ok(self.paper.clone());
        }
        if let Some(broker) = self.kept_fresh(id) {
            return Ok(broker);
        }
        let row = broker_connection::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or_else(gone)?;
        if BrokerKind::parse(&row.kind) == Some(BrokerKind::Paper) {
            return Ok(self.paper.clone());
        }
        if ConnectionStatus::parse(&row.status) == Some(ConnectionStatus::Invalid) {
            self.forget(id);
            return Err(CoreError::Forbidden(format!(
                "the key's broker connection '{}' is invalid ({}); check it again once fixed",
                row.label,
                row.reason.as_deref().unwrap_or("no reason recorded")
            )));
        }
        if let Some(broker) = self.kept_same(id, row.updated_at) {
            return Ok(broker);
        }
        let (Some(base_url), Some(credentials)) = (
            row.base_url.as_deref(),
            ExchangeCredentials::open(&self.crypto, &row)?,
        ) else {
            return Err(CoreError::Internal(anyhow::anyhow!(
                "broker connection {id} has no credentials"
            )));
        };
        let spot = BinanceSpot::new(credentials.binance_config(base_url))
            .map_err(|e| CoreError::Internal(anyhow::anyhow!("binance client: {e}")))?;
        let broker: Arc<dyn Broker> = Arc::new(spot);
        self.lock().insert(
            id,
            Kept {
                updated_at: row.updated_at,
                read_at: Instant::now(),
                broker: broker.clone(),
            },
        );
        Ok(broker)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Kept>> {
        self.kept
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn kept_fresh(&self, id: i64) -> Option<Arc<dyn Broker>> {
        let kept = self.lock();
        let k = kept.get(&id)?;
        (k.read_at.elapsed() < self.recheck).then(|| k.broker.clone())
    }

    fn kept_same(&self, id: i64, updated_at: DateTime<Utc>) -> Option<Arc<dyn Broker>> {
        let mut kept = self.lock();
        let k = kept.get_mut(&id)?;
        if k.updated_at != updated_at {
            return None;
        }
        k.read_at = Instant::now();
        Some(k.broker.clone())
    }

    fn forget(&self, id: i64) {
        self.lock().remove(&id);
    }
}

fn gone() -> CoreError {
    CoreError::Forbidden("the key's broker connection no longer exists; bind the key again".into())
}
