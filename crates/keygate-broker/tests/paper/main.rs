//! keygate-broker's integration tests (one binary): `PaperBroker` through the object-safe
//! `Broker` trait, over a `MemoryStore` and a simulated clock.

mod broker;
mod reduce_only;

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use keygate_broker::engine::{AccountChanges, AccountParts};
use keygate_broker::paper::{Clock, PaperConfig};
use keygate_broker::*;

/// 2026-11-23 04:00 UTC (09:30 IST), a Monday.
pub const START_MS: i64 = 1_795_406_400_000;

/// A store that can be told to fail every save.
#[derive(Default)]
pub struct FlakyStore {
    /// The real store underneath.
    pub inner: MemoryStore,
    /// When set, `save` fails.
    pub fail: AtomicBool,
}

#[async_trait]
impl LedgerStore for FlakyStore {
    async fn load(&self, user_id: i64, ledger: Ledger) -> Result<Option<AccountParts>, StoreError> {
        self.inner.load(user_id, ledger).await
    }

    async fn revision(&self, user_id: i64, ledger: Ledger) -> Result<Option<i64>, StoreError> {
        self.inner.revision(user_id, ledger).await
    }

    async fn save(&self, changes: &AccountChanges) -> Result<SaveOutcome, StoreError> {
        if self.fail.load(Ordering::SeqCst) {
            return Err(StoreError("disk on fire".into()));
        }
        self.inner.save(changes).await
    }

    async fn accounts_with_working_orders(&self) -> Result<Vec<(i64, Ledger)>, StoreError> {
        self.inner.accounts_with_working_orders().await
    }
}

/// A paper broker with its simulated clock and store.
pub struct Harness {
    /// The broker.
    pub broker: Arc<PaperBroker>,
    /// Simulated time, epoch ms.
    pub time: Arc<AtomicI64>,
    /// Its store.
    pub store: Arc<FlakyStore>,
}

impl Harness {
    /// A fresh broker with ₹1 crore accounts at `START_MS`.
    pub async fn new() -> Self {
        let master =
            InstrumentMaster::builtin(NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()).unwrap();
        let market = Arc::new(Market::new(Arc::new(master), 64));
        let store = Arc::new(FlakyStore::default());
        let time = Arc::new(AtomicI64::new(START_MS));
        let t = time.clone();
        let clock: Clock = Arc::new(move || -> DateTime<Utc> {
            Utc.timestamp_millis_opt(t.load(Ordering::SeqCst)).unwrap()
        });
        let broker = PaperBroker::new(market, store.clone(), PaperConfig::default())
            .await
            .unwrap()
            .with_clock(clock);
        Self {
            broker: Arc::new(broker),
            time,
            store,
        }
    }

    /// Moves the simulated clock forward.
    pub fn advance(&self, ms: i64) {
        self.time.fetch_add(ms, Ordering::SeqCst);
    }
}

/// A MIS/CNC/NRML order request with no prices.
pub fn order(
    symbol: &str,
    exchange: Exchange,
    action: Action,
    pricetype: PriceType,
    product: Product,
    quantity: f64,
) -> OrderRequest {
    OrderRequest {
        strategy: "it".into(),
        symbol: symbol.into(),
        exchange,
        action,
        pricetype,
        product,
        quantity,
        price: 0.0,
        trigger_price: 0.0,
        disclosed_quantity: 0,
    }
}
