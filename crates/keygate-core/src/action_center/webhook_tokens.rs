//! ChartInk webhook tokens. ChartInk posts a fixed payload to a URL and can carry neither a
//! header nor a body field of our choosing, and API keys must never appear in URLs (they leak into
//! logs). So a key's owner creates a **webhook token**: a separate random id (`ck_` + 48 hex) that
//! goes into the URL path instead. keygate stores only its SHA-256, the key it acts for and the
//! order settings ChartInk cannot express (action, exchange, product, price type, quantity).
//!
//! A token is a narrow capability: it can only place the configured orders for the scanned stocks,
//! and every request is subject to the key's state (revoked or expired keys stop their token),
//! scopes and order mode. Rotating replaces it (the old one stops at once); revoking deletes it.
//! At most one token per key.

use std::str::FromStr;

use chrono::Utc;
use keygate_broker::{Action, Exchange, OrderRequest, PriceType, Product};
use keygate_types::action_center::{ChartinkSettings, ChartinkToken};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use sha2::{Digest, Sha256};

use crate::entities::{api_key, webhook_token};
use crate::error::{CoreError, CoreResult};
use crate::trading::request::TradeRequest;

/// Prefix of every token, so scanners and people recognise it.
pub const TOKEN_PREFIX: &str = "ck_";

fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A token's order settings, parsed once: what each stock of a scan becomes
/// ([`ChartinkOrder::request`]). Built from the owner's settings when the token is made, and from
/// the stored row when an alert arrives ([`ChartinkOrder::of_row`]), by the same checks.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartinkOrder {
    strategy: String,
    action: Action,
    exchange: Exchange,
    product: Product,
    pricetype: PriceType,
    quantity: f64,
}

impl ChartinkOrder {
    /// The settings of a stored token. They were checked when it was written; a row that no
    /// longer passes is refused with the same field errors (400), and no stock is ordered.
    pub fn of_row(row: &webhook_token::Model) -> CoreResult<Self> {
        check(&ChartinkSettings {
            key_id: row.key_id,
            strategy: Some(row.strategy.clone()),
            action: row.action.clone(),
            exchange: Some(row.exchange.clone()),
            product: Some(row.product.clone()),
            pricetype: Some(row.pricetype.clone()),
            quantity: row.quantity,
        })
    }

    /// The order for one scanned stock; a LIMIT order is priced at the stock's trigger price
    /// (0, which the broker refuses, when ChartInk sent none).
    pub fn request(&self, symbol: &str, trigger_price: Option<f64>) -> TradeRequest {
        let price = match self.pricetype {
            PriceType::Limit => trigger_price.unwrap_or(0.0),
            _ => 0.0,
        };
        TradeRequest::Place(OrderRequest {
            strategy: self.strategy.clone(),
            symbol: symbol.to_owned(),
            exchange: self.exchange,
            action: self.action,
            pricetype: self.pricetype,
            product: self.product,
            quantity: self.quantity,
            price,
            trigger_price: 0.0,
            disclosed_quantity: 0,
        })
    }
}

fn check(settings: &ChartinkSettings) -> CoreResult<ChartinkOrder> {
    let strategy = settings
        .strategy
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or("ChartInk")
        .to_owned();
    if strategy.chars().count() > 64 || strategy.chars().any(char::is_control) {
        return Err(CoreError::field(
            "strategy",
            "must be at most 64 characters",
        ));
    }
    let action = Action::from_str(settings.action.trim())
        .map_err(|_| CoreError::field("action", "Must be one of: BUY, SELL."))?;
    let exchange = Exchange::from_str(settings.exchange.as_deref().unwrap_or("NSE").trim())
        .map_err(|_| CoreError::field("exchange", "Not a valid exchange."))?;
    let product = Product::from_str(settings.product.as_deref().unwrap_or("MIS").trim())
        .map_err(|_| CoreError::field("product", "Must be one of: MIS, NRML, CNC."))?;
    let pricetype = match settings.pricetype.as_deref().unwrap_or("MARKET").trim() {
        "MARKET" => PriceType::Market,
        "LIMIT" => PriceType::Limit,
        _ => {
            return Err(CoreError::field(
                "pricetype",
                "Must be one of: MARKET, LIMIT.",
            ))
        }
    };
    if !(settings.quantity.is_finite() && settings.quantity > 0.0) {
        return Err(CoreError::field(
            "quantity",
            "Quantity must be a positive number.",
        ));
    }
    // placeorder's rule (marshmallow's post_load): whole quantities outside CRYPTO.
    if exchange != Exchange::Crypto && settings.quantity.fract() != 0.0 {
        return Err(CoreError::field(
            "quantity",
            format!(
                "Fractional quantity ({}) is not allowed for non-crypto exchanges.",
                settings.quantity
            ),
        ));
    }
    Ok(ChartinkOrder {
        strategy,
        action,
        exchange,
        product,
        pricetype,
        quantity: settings.quantity,
    })
}

fn summary(row: webhook_token::Model, key_name: Option<String>) -> ChartinkToken {
    ChartinkToken {
        key_id: row.key_id,
        key_name,
        hint: row.hint,
        strategy: row.strategy,
        action: row.action,
        exchange: row.exchange,
        product: row.product,
        pricetype: row.pricetype,
        quantity: row.quantity,
        created_at: row.created_at,
        last_used_at: row.last_used_at,
    }
}

async fn owned_key(
    db: &impl ConnectionTrait,
    user_id: i64,
    key_id: i64,
) -> CoreResult<api_key::Model> {
    api_key::Entity::find_by_id(key_id)
        .filter(api_key::Column::UserId.eq(user_id))
        .one(db)
        .await?
        .ok_or_else(|| CoreError::NotFound(format!("No API key {key_id}")))
}

/// Creates the key's token, or rotates it (the old token stops at once) with new settings.
/// Returns the token, shown this once.
pub async fn create_or_rotate(
    db: &impl ConnectionTrait,
    user_id: i64,
    settings: &ChartinkSettings,
) -> CoreResult<(String, ChartinkToken)> {
    let checked = check(settings)?;
    let key = owned_key(db, user_id, settings.key_id).await?;
    if key.revoked_at.is_some() {
        return Err(CoreError::Conflict("The key is revoked".into()));
    }
    let token = format!(
        "{TOKEN_PREFIX}{}",
        crate::random::random_hex(24).map_err(|e| CoreError::Internal(e.into()))?
    );
    webhook_token::Entity::delete_many()
        .filter(webhook_token::Column::KeyId.eq(key.id))
        .exec(db)
        .await?;
    let row = webhook_token::ActiveModel {
        user_id: Set(user_id),
        key_id: Set(key.id),
        digest: Set(digest(&token)),
        hint: Set(token.chars().take(7).collect()),
        strategy: Set(checked.strategy),
        action: Set(checked.action.as_str().to_owned()),
        exchange: Set(checked.exchange.as_str().to_owned()),
        product: Set(checked.product.as_str().to_owned()),
        pricetype: Set(checked.pricetype.as_str().to_owned()),
        quantity: Set(checked.quantity),
        created_at: Set(Utc::now()),
        last_used_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok((token, summary(row, Some(key.name))))
}

/// The user's tokens (never the tokens themselves), by key id.
pub async fn list(db: &impl ConnectionTrait, user_id: i64) -> CoreResult<Vec<ChartinkToken>> {
    let rows = webhook_token::Entity::find()
        .filter(webhook_token::Column::UserId.eq(user_id))
        .order_by_asc(webhook_token::Column::KeyId)
        .all(db)
        .await?;
    let names: std::collections::HashMap<i64, String> = api_key::Entity::find()
        .filter(api_key::Column::UserId.eq(user_id))
        .all(db)
        .await?
        .into_iter()
        .map(|k| (k.id, k.name))
        .collect();
    Ok(rows
        .into_iter()
        .map(|row| {
            let name = names.get(&row.key_id).cloned();
            summary(row, name)
        })
        .collect())
}

/// Deletes the key's token; it stops at once.
pub async fn revoke(db: &impl ConnectionTrait, user_id: i64, key_id: i64) -> CoreResult<()> {
    let done = webhook_token::Entity::delete_many()
        .filter(webhook_token::Column::UserId.eq(user_id))
        .filter(webhook_token::Column::KeyId.eq(key_id))
        .exec(db)
        .await?;
    if done.rows_affected == 0 {
        return Err(CoreError::NotFound(format!(
            "No webhook token for key {key_id}"
        )));
    }
    Ok(())
}

/// The token's row, when the token is known (any well-formed or not). Its key's state is the
/// verifier's to check (`KeyVerifier::verify_key_id`).
pub async fn resolve(
    db: &impl ConnectionTrait,
    token: &str,
) -> CoreResult<Option<webhook_token::Model>> {
    if !token.starts_with(TOKEN_PREFIX) || token.len() > 128 {
        return Ok(None);
    }
    Ok(webhook_token::Entity::find()
        .filter(webhook_token::Column::Digest.eq(digest(token)))
        .one(db)
        .await?)
}

/// Notes an accepted alert.
pub async fn touch(db: &impl ConnectionTrait, id: i64) -> CoreResult<()> {
    webhook_token::Entity::update_many()
        .col_expr(
            webhook_token::Column::LastUsedAt,
            sea_orm::sea_query::Expr::value(Utc::now()),
        )
        .filter(webhook_token::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}
