//! [`BinanceSpot`]: one Binance spot connection. This file holds the calls that are more than one
//! request (idempotent placement, pair filters, key validation); `broker.rs` maps the `Broker`
//! trait onto them.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use keygate_broker::{
    BrokerError, Exchange, Order, OrderRequest, PriceType, Product, RuleViolation,
};
use reqwest::Method;

use crate::client::{Call, Client, Failure};
use crate::config::BinanceConfig;
use crate::errors::{Subject, NEW_ORDER_REJECTED, NO_SUCH_ORDER};
use crate::filters::SymbolRules;
use crate::orders::{client_order_id, placement, to_order};
use crate::sign::Params;
use crate::validate::KeyPermissions;
use crate::wire::{Account, ApiRestrictions, ExchangeInfo, ExchangeOrder};

/// One Binance spot connection (one API key pair): a `Broker` for the `Live` ledger of the user
/// it belongs to. The analyzer's sandbox stays on the paper broker: an `Analyze` call is refused
/// with [`BrokerError::Unsupported`]. The `user_id` argument of the trait is not used: the
/// caller picks the connection bound to the user's key.
#[derive(Debug)]
pub struct BinanceSpot {
    pub(crate) client: Client,
    rules: RwLock<HashMap<String, Arc<SymbolRules>>>,
}

impl BinanceSpot {
    /// A connection (sends nothing until the first call).
    pub fn new(config: BinanceConfig) -> Result<Self, BrokerError> {
        Ok(Self {
            client: Client::new(config)?,
            rules: RwLock::new(HashMap::new()),
        })
    }

    /// Measures the server-time offset now; returns it in ms. Signed calls do this themselves on
    /// first use and after a `-1021`.
    pub async fn sync_time(&self) -> Result<i64, BrokerError> {
        self.client
            .sync_time()
            .await
            .map_err(|f| f.into_broker(Subject::Account))
    }

    /// The request weight the exchange last reported for the current minute.
    pub async fn used_weight(&self) -> u32 {
        self.client.used_weight().await
    }

    /// The filters of a pair (`exchangeInfo`, fetched once per pair and kept).
    pub async fn rules(&self, symbol: &str) -> Result<Arc<SymbolRules>, BrokerError> {
        if let Some(rules) = self.cached_rules(symbol) {
            return Ok(rules);
        }
        let not_found = || BrokerError::SymbolNotFound {
            symbol: symbol.to_owned(),
            exchange: Exchange::Crypto,
        };
        let valid = !symbol.is_empty()
            && symbol.len() <= 20
            && symbol
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if !valid {
            return Err(not_found());
        }
        let info: ExchangeInfo = self
            .client
            .call(&Call::public(
                "/api/v3/exchangeInfo",
                20,
                Params::new().with("symbol", symbol),
            ))
            .await
            .map_err(|f| f.into_broker(Subject::Symbol(symbol)))?;
        let info = info
            .symbols
            .iter()
            .find(|s| s.symbol == symbol)
            .ok_or_else(not_found)?;
        let rules = Arc::new(SymbolRules::from_info(info));
        if let Ok(mut cache) = self.rules.write() {
            cache.insert(symbol.to_owned(), rules.clone());
        }
        Ok(rules)
    }

    fn cached_rules(&self, symbol: &str) -> Option<Arc<SymbolRules>> {
        self.rules.read().ok()?.get(symbol).cloned()
    }

    /// Places an order once. With a `request_id` the client order id is derived from it and an
    /// order already placed under it is returned instead of placing another (a retried request);
    /// without one it is random. After a timeout or a 5xx the order is looked up by its client
    /// id and placed again only if the exchange has no such order.
    pub async fn place(
        &self,
        request: &OrderRequest,
        request_id: Option<&str>,
    ) -> Result<Order, BrokerError> {
        check_request(request)?;
        let rules = self.rules(&request.symbol).await?;
        let price =
            matches!(request.pricetype, PriceType::Limit | PriceType::Sl).then_some(request.price);
        rules.check(request.quantity, price)?;
        let client_id = client_order_id(request.product, request_id);
        let symbol = request.symbol.as_str();
        if request_id.is_some() {
            if let Some(found) = self.find_by_client_id(symbol, &client_id).await? {
                return Ok(to_order(&found, &request.strategy));
            }
        }
        let call = Call::signed(
            Method::POST,
            "/api/v3/order",
            1,
            placement(request, &client_id),
        );
        let placed = match self.client.call::<ExchangeOrder>(&call).await {
            Err(Failure::Unknown(why)) => {
                log::warn!("binance: {why}; looking order {client_id} up before any retry");
                match self.find_by_client_id(symbol, &client_id).await? {
                    Some(found) => Ok(found),
                    None => self.client.call::<ExchangeOrder>(&call).await,
                }
            }
            Err(Failure::Refused(body))
                if body.code == NEW_ORDER_REJECTED && body.msg.starts_with("Duplicate order") =>
            {
                match self.find_by_client_id(symbol, &client_id).await? {
                    Some(found) => Ok(found),
                    None => Err(Failure::Refused(body)),
                }
            }
            other => other,
        };
        placed
            .map(|o| to_order(&o, &request.strategy))
            .map_err(|f| f.into_broker(Subject::Symbol(symbol)))
    }

    /// The order placed under `client_id`, if the exchange has one.
    pub async fn find_by_client_id(
        &self,
        symbol: &str,
        client_id: &str,
    ) -> Result<Option<ExchangeOrder>, BrokerError> {
        let call = Call::signed(
            Method::GET,
            "/api/v3/order",
            4,
            Params::new()
                .with("symbol", symbol)
                .with("origClientOrderId", client_id),
        );
        match self.client.call::<ExchangeOrder>(&call).await {
            Ok(order) => Ok(Some(order)),
            Err(Failure::Refused(body)) if body.code == NO_SUCH_ORDER => Ok(None),
            Err(f) => Err(f.into_broker(Subject::Symbol(symbol))),
        }
    }

    /// The account (`GET /api/v3/account`).
    pub(crate) async fn account(&self) -> Result<Account, BrokerError> {
        self.client
            .call(&Call::signed(
                Method::GET,
                "/api/v3/account",
                20,
                Params::new(),
            ))
            .await
            .map_err(|f| f.into_broker(Subject::Account))
    }

    /// Checks the credentials against the exchange (account information, then the key's
    /// restrictions) and returns what the key may do. A vault stores a key only when this
    /// succeeds and [`KeyPermissions::refusal`] is `None`.
    pub async fn validate(&self) -> Result<KeyPermissions, BrokerError> {
        let account = self.account().await?;
        let restrictions: ApiRestrictions = self
            .client
            .call(&Call::signed(
                Method::GET,
                "/sapi/v1/account/apiRestrictions",
                1,
                Params::new(),
            ))
            .await
            .map_err(|f| f.into_broker(Subject::Account))?;
        Ok(KeyPermissions::new(&account, &restrictions))
    }
}

/// The contract's order rules that hold on Binance spot before any filter.
pub(crate) fn check_request(request: &OrderRequest) -> Result<(), BrokerError> {
    if request.exchange != Exchange::Crypto {
        return Err(BrokerError::SymbolNotFound {
            symbol: request.symbol.clone(),
            exchange: request.exchange,
        });
    }
    if request.product == Product::Cnc {
        return Err(RuleViolation::CncOnDerivatives(Exchange::Crypto).into());
    }
    let t = request.pricetype;
    if matches!(t, PriceType::Limit | PriceType::Sl) && request.price <= 0.0 {
        return Err(RuleViolation::PriceRequired(t).into());
    }
    if matches!(t, PriceType::Sl | PriceType::SlM) && request.trigger_price <= 0.0 {
        return Err(RuleViolation::TriggerPriceRequired(t).into());
    }
    Ok(())
}
