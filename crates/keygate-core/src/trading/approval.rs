//! Action Center approval: check the price move, claim the item exactly once, re-check its key
//! as it is now, execute the stored [`TradeRequest`] as it was queued (its order named
//! `action-center-<item id>` at the broker, so it is placed at most once), record the outcome. Also
//! the list (with current prices from the broker) and rejection, so the routes only adapt.

use std::str::FromStr;

use keygate_broker::{Broker, ClientOrderKey, Exchange, Ledger};
use keygate_types::action_center::{PendingOrder, PendingState};
use sea_orm::EntityTrait;
use serde_json::Value;

use super::{exposure_for, Executed, Refusal, Trading};
use crate::action_center::{self, move_pct};
use crate::entities::api_key;
use crate::error::{CoreError, CoreResult};

/// The answers the Action Center records for an outcome: the HTTP crate's OpenAlgo shapes.
pub trait Answers: Sync {
    /// The success body of an executed call.
    fn executed(&self, ledger: Ledger, executed: &Executed) -> Value;
    /// The message of a refusal, and its error body where the contract has one.
    fn refused(&self, ledger: Ledger, refusal: &Refusal) -> (String, Option<Value>);
}

/// The market moved more than the limit since the item was queued: approve with `confirm`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PriceMove {
    /// The price recorded when queued.
    pub reference: f64,
    /// The broker's price now.
    pub current: f64,
    /// The move, in percent.
    pub pct: f64,
    /// The limit, in percent.
    pub max: f64,
}

/// What an approval did.
#[derive(Debug)]
pub enum Approval {
    /// Nothing: the price moved too far (see [`PriceMove`]).
    PriceMoved(PriceMove),
    /// The item was decided: `approved`, or `failed` with `refused` saying why.
    Decided {
        /// The item as recorded.
        item: Box<PendingOrder>,
        /// The refusal and its ledger, when it failed.
        refused: Option<(Ledger, Refusal)>,
    },
}

impl Trading {
    /// The price now of an item's instrument on its key's broker (the one its reference price
    /// came from), when it names one the broker knows.
    async fn current_price(&self, item: &PendingOrder) -> Option<f64> {
        let exchange = Exchange::from_str(item.exchange.as_deref()?).ok()?;
        let ledger = if item.ledger == Ledger::Analyze.as_str() {
            Ledger::Analyze
        } else {
            Ledger::Live
        };
        let connection = api_key::Entity::find_by_id(item.key_id)
            .one(&self.db)
            .await
            .ok()
            .flatten()
            .and_then(|key| key.broker_connection_id);
        let broker = self.broker_for(connection, ledger).await.ok()?;
        let quote = broker.quote(item.symbol.as_deref()?, exchange).await;
        quote
            .ok()
            .map(|q| q.ltp)
            .filter(|p| p.is_finite() && *p > 0.0)
    }

    /// The user's items, newest first (only `state` when given); pending ones carry the
    /// broker's price now.
    pub async fn list(
        &self,
        user_id: i64,
        state: Option<PendingState>,
    ) -> CoreResult<Vec<PendingOrder>> {
        let ttl = self.rules.pending_ttl;
        let mut items = action_center::list(&self.db, user_id, state, ttl).await?;
        for item in items
            .iter_mut()
            .filter(|i| i.state == PendingState::Pending)
        {
            item.current_price = self.current_price(item).await;
        }
        Ok(items)
    }

    /// Rejects a pending item with a reason; it is never executed.
    pub async fn reject(
        &self,
        user_id: i64,
        id: i64,
        reason: &str,
        decided_by: &str,
    ) -> CoreResult<PendingOrder> {
        let ttl = self.rules.pending_ttl;
        action_center::reject(&self.db, user_id, id, ttl, reason, decided_by).await
    }

    /// Approves a pending item (see the module's steps). Unless `confirm`, a price move beyond
    /// the limit answers [`Approval::PriceMoved`] and decides nothing. A second approval, or one
    /// of a decided or expired item, is a `Conflict`.
    pub async fn approve(
        &self,
        user_id: i64,
        id: i64,
        decided_by: &str,
        confirm: bool,
        answers: &dyn Answers,
    ) -> CoreResult<Approval> {
        let ttl = self.rules.pending_ttl;
        let item = action_center::get(&self.db, user_id, id, ttl).await?;
        if item.state == PendingState::Pending && !confirm {
            if let Some(moved) = self.price_move(&item).await {
                return Ok(Approval::PriceMoved(moved));
            }
        }
        let claimed = action_center::claim(&self.db, user_id, id, ttl, decided_by).await?;
        let ledger = claimed.ledger;
        let key = action_center::scopes_for_approval(&self.db, user_id, claimed.key_id).await;
        let mut broker = self.broker.clone();
        let done = match key {
            Ok(key) => match self.broker_for(key.broker_connection_id, ledger).await {
                Ok(bound) => {
                    broker = bound;
                    let exposure = exposure_for(key.scopes);
                    let key = ClientOrderKey::action_center(id);
                    let request = &claimed.request;
                    self.execute(
                        broker.as_ref(),
                        user_id,
                        ledger,
                        request,
                        exposure,
                        Some(&key),
                    )
                    .await
                }
                Err(refusal) => Err(refusal),
            },
            Err(CoreError::Forbidden(why)) => Err(Refusal::Key(why)),
            Err(other) => {
                action_center::record_failure(&self.db, id, "Internal server error", None).await?;
                return Err(other);
            }
        };
        let refused = self
            .record(broker.as_ref(), user_id, id, ledger, done, answers)
            .await?;
        let item = action_center::get(&self.db, user_id, id, ttl).await?;
        Ok(Approval::Decided {
            item: Box::new(item),
            refused,
        })
    }

    async fn price_move(&self, item: &PendingOrder) -> Option<PriceMove> {
        let max = self.rules.max_move_pct;
        let reference = item.reference_price?;
        let current = self.current_price(item).await?;
        let pct = move_pct(reference, current).filter(|pct| *pct > max)?;
        Some(PriceMove {
            reference,
            current,
            pct,
            max,
        })
    }

    /// Records a claimed item's outcome: the broker's order id and its status now (or
    /// `success`) when executed, the refusal otherwise.
    async fn record(
        &self,
        broker: &dyn Broker,
        user_id: i64,
        id: i64,
        ledger: Ledger,
        done: Result<Executed, Refusal>,
        answers: &dyn Answers,
    ) -> CoreResult<Option<(Ledger, Refusal)>> {
        match done {
            Ok(executed) => {
                let answer = answers.executed(ledger, &executed);
                let orderid = executed.orderid().map(str::to_owned);
                let status = match &orderid {
                    Some(orderid) => broker
                        .order_status(user_id, ledger, orderid)
                        .await
                        .ok()
                        .map(|order| order.order_status.as_str().to_owned()),
                    None => None,
                };
                let status = status.or_else(|| Some("success".to_owned()));
                action_center::record_success(&self.db, id, orderid, status, &answer).await?;
                Ok(None)
            }
            Err(refusal) => {
                let (message, body) = answers.refused(ledger, &refusal);
                action_center::record_failure(&self.db, id, &message, body.as_ref()).await?;
                Ok(Some((ledger, refusal)))
            }
        }
    }
}
