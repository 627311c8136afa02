//! The trading service: the one pipeline every order-changing call goes through, whichever door
//! it came in by (`/api/v1`, the TradingView and ChartInk webhooks, Action Center approval).
//!
//! It takes a validated [`TradeRequest`] and a [`Caller`], and answers a typed [`Outcome`]. It
//! owns the ledger choice ([`Trading::ledger_for`], cached), the `exit_only` rule (enforced by
//! the broker under the account's lock: [`exposure_for`]), the reference price of a queued call
//! (always from the broker), queueing for `semi_auto` keys and approval ([`approval`]). It
//! reaches the broker only through the [`Broker`] trait. It lives in keygate-core, not a crate of
//! its own, because the Action Center it queues into stores [`TradeRequest`]s and lives here.

mod analyzer;
pub mod approval;
mod exit_only;
pub mod outcome;
pub mod request;

use std::sync::Arc;
use std::time::Duration;

use keygate_broker::{Broker, BrokerError, ClientOrderKey, Exposure, Ledger, RequestId};
use keygate_types::keys::OrderMode;
use sea_orm::DatabaseConnection;

pub use analyzer::AnalyzerCache;
pub use exit_only::exposure_for;
pub use outcome::{Executed, Outcome, Refusal};
pub use request::{ModifyOrder, OrderRef, SmartOrder, StrategyOnly, TradeRequest};

use crate::action_center::{self, QueueRequest};
use crate::brokers::Brokers;
use crate::error::{CoreError, CoreResult};
use crate::keys::{Identity, Scopes};

/// Who is calling: the key's owner, the key, what it may do, its order mode, the ledger its
/// calls go to now, and what names this call's order at the broker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The key's owner.
    pub user_id: i64,
    /// The key.
    pub key_id: i64,
    /// The key's scopes.
    pub scopes: Scopes,
    /// `auto` executes at once, `semi_auto` queues in the Action Center.
    pub order_mode: OrderMode,
    /// The ledger (live, or the analyzer's sandbox).
    pub ledger: Ledger,
    /// The broker connection the key is bound to (`None`: the owner's paper account).
    pub broker_connection_id: Option<i64>,
    /// The idempotency basis of the order this call places (the request's `X-Request-Id`):
    /// the same call again answers the order already placed instead of placing another, on a
    /// broker that names orders (an exchange's client order id). `None`: a fresh one each time.
    pub order_key: Option<ClientOrderKey>,
}

impl Caller {
    /// The caller whose orders are named by the request id `id` (scoped to its key).
    pub fn with_request_id(mut self, id: Option<&RequestId>) -> Self {
        self.order_key = id.map(|id| ClientOrderKey::request(self.key_id, id));
        self
    }
}

/// The Action Center's rules for approvals.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ApprovalRules {
    /// How long a queued call may wait.
    pub pending_ttl: Duration,
    /// The largest price move (percent) approved without `confirm`.
    pub max_move_pct: f64,
}

/// The trading service (one per process).
pub struct Trading {
    db: DatabaseConnection,
    broker: Arc<dyn Broker>,
    brokers: Option<Arc<Brokers>>,
    analyzer: AnalyzerCache,
    rules: ApprovalRules,
}

impl Trading {
    /// The service over `db` and `broker`.
    pub fn new(db: DatabaseConnection, broker: Arc<dyn Broker>, rules: ApprovalRules) -> Self {
        Self {
            db,
            broker,
            brokers: None,
            analyzer: AnalyzerCache::default(),
            rules,
        }
    }

    /// Sends the calls of keys bound to a broker connection to that connection's broker
    /// (without it, such calls are refused: never sent to paper in its place).
    pub fn with_brokers(mut self, brokers: Arc<Brokers>) -> Self {
        self.brokers = Some(brokers);
        self
    }

    /// The broker for a key bound to `connection` on `ledger`: the paper broker for unbound keys
    /// and the analyzer's sandbox, else the connection's ([`Brokers::broker_for`]). A connection
    /// that is gone or invalid refuses the call.
    pub async fn broker_for(
        &self,
        connection: Option<i64>,
        ledger: Ledger,
    ) -> Result<Arc<dyn Broker>, Refusal> {
        if connection.is_none() || ledger == Ledger::Analyze {
            return Ok(self.broker.clone());
        }
        let Some(brokers) = &self.brokers else {
            return Err(Refusal::Key(
                "this keygate cannot reach the key's broker connection".into(),
            ));
        };
        brokers
            .broker_for(connection, ledger)
            .await
            .map_err(|e| match e {
                CoreError::Forbidden(why) => Refusal::Key(why),
                other => {
                    log::error!("broker for connection {connection:?}: {other:?}");
                    Refusal::Broker(BrokerError::Unavailable(
                        "the key's broker connection could not be opened".into(),
                    ))
                }
            })
    }

    /// The ledger the user's order and account calls go to now: `Analyze` while the analyzer
    /// is on.
    pub async fn ledger_for(&self, user_id: i64) -> CoreResult<Ledger> {
        let on = match self.analyzer.get(user_id) {
            Some(on) => on,
            None => {
                let on = crate::paper::analyze_mode(&self.db, user_id).await?;
                self.analyzer.put(user_id, on);
                on
            }
        };
        Ok(if on { Ledger::Analyze } else { Ledger::Live })
    }

    /// Turns the user's analyzer on or off (and updates the cache at once).
    pub async fn set_analyzer(&self, user_id: i64, on: bool) -> CoreResult<()> {
        crate::paper::set_analyze_mode(&self.db, user_id, on).await?;
        self.analyzer.put(user_id, on);
        Ok(())
    }

    /// The caller a verified key makes, with the ledger that applies now.
    pub async fn caller(&self, identity: &Identity) -> CoreResult<Caller> {
        Ok(Caller {
            user_id: identity.user_id,
            key_id: identity.key_id,
            scopes: identity.scopes,
            order_mode: identity.order_mode,
            ledger: self.ledger_for(identity.user_id).await?,
            broker_connection_id: identity.broker_connection_id,
            order_key: None,
        })
    }

    /// Runs `request` for `caller`: executes it (`auto`), or queues it in the Action Center
    /// (`semi_auto`) with a reference price (`trigger_price` when the alert gave one, else the
    /// broker's last price, which also refuses an unknown symbol) after refusing an `exit_only`
    /// call that could not run now. Errors are the database's; refusals are an [`Outcome`].
    pub async fn submit(
        &self,
        caller: &Caller,
        request: TradeRequest,
        trigger_price: Option<f64>,
    ) -> CoreResult<Outcome> {
        let (user_id, ledger) = (caller.user_id, caller.ledger);
        let broker = match self.broker_for(caller.broker_connection_id, ledger).await {
            Ok(broker) => broker,
            Err(refusal) => return Ok(Outcome::Refused { ledger, refusal }),
        };
        let broker = broker.as_ref();
        if caller.order_mode != OrderMode::SemiAuto {
            let exposure = exposure_for(caller.scopes);
            let key = caller.order_key.as_ref();
            let done = self
                .execute(broker, user_id, ledger, &request, exposure, key)
                .await;
            return Ok(match done {
                Ok(executed) => Outcome::Executed { ledger, executed },
                Err(refusal) => Outcome::Refused { ledger, refusal },
            });
        }
        let refused = |refusal| Outcome::Refused { ledger, refusal };
        let reference_price = match (trigger_price, request.order()) {
            (Some(price), _) => Some(price),
            (None, Some(order)) => match broker.quote(&order.symbol, order.exchange).await {
                Ok(quote) => Some(quote.ltp),
                Err(e) => return Ok(refused(Refusal::Broker(e))),
            },
            (None, None) => None,
        };
        if let Err(e) = exit_only::check(broker, caller.scopes, user_id, ledger, &request).await {
            return Ok(refused(Refusal::Broker(e)));
        }
        let endpoint = request.endpoint();
        let queued = QueueRequest {
            user_id,
            key_id: caller.key_id,
            ledger,
            request,
            reference_price,
        };
        Ok(match action_center::queue(&self.db, queued).await {
            Ok(id) => Outcome::Queued(id),
            Err(e) => {
                log::error!("could not queue a {endpoint} call: {e}");
                refused(Refusal::NotQueued)
            }
        })
    }

    /// Executes `request` for `user_id` on `ledger` with what the key may do (`exposure`,
    /// enforced by the broker under the account's lock), its order named by `key` when given.
    /// Nothing is half-done: a refusal changed nothing.
    async fn execute(
        &self,
        broker: &dyn Broker,
        user_id: i64,
        ledger: Ledger,
        request: &TradeRequest,
        exposure: Exposure,
        key: Option<&ClientOrderKey>,
    ) -> Result<Executed, Refusal> {
        let executed = match (request, key) {
            (TradeRequest::Place(order), None) => broker
                .place_order(user_id, ledger, order.clone(), exposure)
                .await
                .map(Executed::Placed),
            (TradeRequest::Place(order), Some(key)) => broker
                .place_order_keyed(user_id, ledger, order.clone(), exposure, key)
                .await
                .map(Executed::Placed),
            (TradeRequest::Smart(smart), None) => broker
                .place_smart_order(
                    user_id,
                    ledger,
                    smart.order.clone(),
                    smart.position_size,
                    exposure,
                )
                .await
                .map(Executed::Smart),
            (TradeRequest::Smart(smart), Some(key)) => broker
                .place_smart_order_keyed(
                    user_id,
                    ledger,
                    smart.order.clone(),
                    smart.position_size,
                    exposure,
                    key,
                )
                .await
                .map(Executed::Smart),
            (TradeRequest::Modify(modify), _) => broker
                .modify_order(user_id, ledger, modify.broker_request(), exposure)
                .await
                .map(Executed::Modified),
            (TradeRequest::Cancel(r), _) if r.orderid.trim().is_empty() => {
                return Err(Refusal::OrderIdMissing)
            }
            (TradeRequest::Cancel(r), _) => broker
                .cancel_order(user_id, ledger, &r.orderid)
                .await
                .map(Executed::Cancelled),
            (TradeRequest::CancelAll(_), _) => broker
                .cancel_all(user_id, ledger)
                .await
                .map(Executed::CancelledAll),
            (TradeRequest::Close(_), _) => broker
                .close_all_positions(user_id, ledger)
                .await
                .map(Executed::Closed),
        };
        executed.map_err(Refusal::Broker)
    }
}
