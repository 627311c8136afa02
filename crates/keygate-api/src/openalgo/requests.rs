//! The request schemas of §5, one function per endpoint: field order, requiredness, defaults,
//! ranges and their custom messages exactly as OpenAlgo's marshmallow schemas have them.

use keygate_broker::{Exchange, OrderRequest, Product};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::schema::{Fields, Invalid};

/// `VALID_EXCHANGES`, in the contract's order.
pub const EXCHANGES: &[&str] = &[
    "NSE",
    "NFO",
    "CDS",
    "BSE",
    "BFO",
    "BCD",
    "MCX",
    "NCDEX",
    "NCO",
    "NSE_INDEX",
    "BSE_INDEX",
    "MCX_INDEX",
    "GLOBAL_INDEX",
    "CRYPTO",
];
/// Order sides (lowercase accepted, uppercased by parsing).
pub const ACTIONS: &[&str] = &["BUY", "SELL", "buy", "sell"];
/// Price types.
pub const PRICE_TYPES: &[&str] = &["MARKET", "LIMIT", "SL", "SL-M"];
/// Products.
pub const PRODUCTS: &[&str] = &["MIS", "NRML", "CNC"];

/// `placesmartorder`'s validated body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SmartOrder {
    /// The order as given (its action and quantity apply only when target and position are 0).
    #[serde(flatten)]
    pub order: OrderRequest,
    /// The target net position.
    pub position_size: f64,
}

/// `modifyorder`'s validated body (the paper broker changes quantity, prices only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModifyOrder {
    /// The order to change.
    pub orderid: String,
    /// The order as it should become.
    #[serde(flatten)]
    pub order: OrderRequest,
}

/// A body naming one order: `cancelorder`, `orderstatus`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderRef {
    /// The order.
    pub orderid: String,
    /// Strategy tag.
    pub strategy: String,
}

/// A body with only a strategy tag: `cancelallorder`, `closeposition`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StrategyOnly {
    /// Strategy tag.
    pub strategy: String,
}

/// `openposition`'s validated body (`exchange` is any string upstream).
#[derive(Debug, Clone, PartialEq)]
pub struct OpenPosition {
    /// Trading symbol.
    pub symbol: String,
    /// Exchange, as given.
    pub exchange: String,
    /// Product.
    pub product: Product,
}

/// A (symbol, exchange) pair: `quotes`, `depth`, multiquotes items.
#[derive(Debug, Clone, PartialEq)]
pub struct SymbolRef {
    /// Trading symbol.
    pub symbol: String,
    /// Exchange.
    pub exchange: Exchange,
}

const QTY_POSITIVE: &str = "Quantity must be a positive number.";
const QTY_NON_NEGATIVE: &str = "Quantity must be a non-negative number.";
const PRICE: &str = "Price must be a non-negative number.";
const TRIGGER: &str = "Trigger price must be a non-negative number.";
const DISCLOSED: &str = "Disclosed quantity must be a non-negative integer.";

fn range<T: PartialOrd + Copy>(
    f: &mut Fields,
    name: &str,
    v: Option<T>,
    ok: impl Fn(T) -> bool,
    message: &str,
) -> Option<T> {
    match v {
        Some(x) if !ok(x) => {
            f.error(name, message);
            None
        }
        other => other,
    }
}

/// Shared order fields; `quantity_zero_ok` for smart orders; `all_required` for modify.
fn order_fields(
    f: &mut Fields,
    quantity_zero_ok: bool,
    all_required: bool,
) -> Option<OrderRequest> {
    fn opt<T>(all_required: bool, d: T) -> Option<T> {
        if all_required {
            None
        } else {
            Some(d)
        }
    }
    let strategy = f.string("strategy", true);
    let exchange = f.choice::<Exchange>("exchange", EXCHANGES, None);
    let symbol = f.string("symbol", true);
    let action = f.choice("action", ACTIONS, None);
    let pricetype = f.choice(
        "pricetype",
        PRICE_TYPES,
        opt(all_required, keygate_broker::PriceType::Market),
    );
    let product = f.choice("product", PRODUCTS, opt(all_required, Product::Mis));
    let quantity = f.float("quantity", None);
    let quantity = if quantity_zero_ok {
        range(f, "quantity", quantity, |q| q >= 0.0, QTY_NON_NEGATIVE)
    } else {
        range(f, "quantity", quantity, |q| q > 0.0, QTY_POSITIVE)
    };
    let price = f.float("price", opt(all_required, 0.0));
    let price = range(f, "price", price, |p| p >= 0.0, PRICE);
    let trigger = f.float("trigger_price", opt(all_required, 0.0));
    let trigger = range(f, "trigger_price", trigger, |p| p >= 0.0, TRIGGER);
    let disclosed = f.int(
        "disclosed_quantity",
        if all_required { None } else { Some(0) },
    );
    let disclosed = range(f, "disclosed_quantity", disclosed, |d| d >= 0, DISCLOSED);
    Some(OrderRequest {
        strategy: strategy?,
        symbol: symbol?,
        exchange: exchange?,
        action: action?,
        pricetype: pricetype?,
        product: product?,
        quantity: quantity?,
        price: price?,
        trigger_price: trigger?,
        disclosed_quantity: disclosed?,
    })
}

/// marshmallow's post_load: a fractional quantity outside CRYPTO is refused (only once the rest
/// of the body is valid, as upstream).
fn whole_quantity(order: &OrderRequest) -> Result<(), Invalid> {
    if order.exchange != Exchange::Crypto && order.quantity.fract() != 0.0 {
        let mut f = Fields::new(Map::new());
        f.error(
            "quantity",
            format!(
                "Fractional quantity ({}) is not allowed for non-crypto exchanges.",
                order.quantity
            ),
        );
        return f.finish();
    }
    Ok(())
}

fn done<T>(f: Fields, v: Option<T>) -> Result<T, Invalid> {
    f.finish()?;
    v.ok_or_else(Invalid::default)
}

/// §5.2 placeorder.
pub fn place_order(body: Map<String, Value>) -> Result<OrderRequest, Invalid> {
    let mut f = Fields::new(body);
    let order = order_fields(&mut f, false, false);
    let _underlying_ltp = f.float_or_null("underlying_ltp");
    let order = done(f, order)?;
    whole_quantity(&order)?;
    Ok(order)
}

/// §5.3 placesmartorder.
pub fn smart_order(body: Map<String, Value>) -> Result<SmartOrder, Invalid> {
    let mut f = Fields::new(body);
    let order = order_fields(&mut f, true, false);
    let position_size = f.float("position_size", None);
    let order = done(f, order)?;
    whole_quantity(&order)?;
    Ok(SmartOrder {
        order,
        position_size: position_size.unwrap_or_default(),
    })
}

/// §5.4 modifyorder: every field required.
pub fn modify_order(body: Map<String, Value>) -> Result<ModifyOrder, Invalid> {
    let mut f = Fields::new(body);
    let orderid = f.string("orderid", true);
    let order = order_fields(&mut f, false, true);
    let order = done(f, order)?;
    whole_quantity(&order)?;
    Ok(ModifyOrder {
        orderid: orderid.unwrap_or_default(),
        order,
    })
}

/// §5.5 cancelorder and §5.8 orderstatus.
pub fn order_ref(body: Map<String, Value>) -> Result<OrderRef, Invalid> {
    let mut f = Fields::new(body);
    let strategy = f.string("strategy", true);
    let orderid = f.string("orderid", true);
    let v = strategy
        .zip(orderid)
        .map(|(strategy, orderid)| OrderRef { orderid, strategy });
    done(f, v)
}

/// §5.6 cancelallorder and §5.7 closeposition.
pub fn strategy_only(body: Map<String, Value>) -> Result<StrategyOnly, Invalid> {
    let mut f = Fields::new(body);
    let strategy = f.string("strategy", true);
    done(f, strategy.map(|strategy| StrategyOnly { strategy }))
}

/// §5.9 openposition.
pub fn open_position(body: Map<String, Value>) -> Result<OpenPosition, Invalid> {
    let mut f = Fields::new(body);
    let _strategy = f.string("strategy", true);
    let symbol = f.string("symbol", true);
    let exchange = f.string("exchange", true);
    let product = f.choice("product", PRODUCTS, None);
    let v = (|| {
        Some(OpenPosition {
            symbol: symbol?,
            exchange: exchange?,
            product: product?,
        })
    })();
    done(f, v)
}

/// Bodies with nothing but the key: ping, the books, holdings, funds, analyzer status.
pub fn empty(body: Map<String, Value>) -> Result<(), Invalid> {
    Fields::new(body).finish()
}

fn symbol_fields(f: &mut Fields) -> Option<SymbolRef> {
    let symbol = f.string("symbol", true);
    let exchange = f.choice("exchange", EXCHANGES, None);
    Some(SymbolRef {
        symbol: symbol?,
        exchange: exchange?,
    })
}

/// §5.15 quotes and §5.17 depth.
pub fn symbol_ref(body: Map<String, Value>) -> Result<SymbolRef, Invalid> {
    let mut f = Fields::new(body);
    let v = symbol_fields(&mut f);
    done(f, v)
}

/// §5.16 multiquotes.
pub fn symbol_list(body: Map<String, Value>) -> Result<Vec<SymbolRef>, Invalid> {
    let mut f = Fields::new(body);
    let v = f.list_of("symbols", symbol_fields);
    done(f, v)
}

/// §5.18 analyzer/toggle.
pub fn toggle(body: Map<String, Value>) -> Result<bool, Invalid> {
    let mut f = Fields::new(body);
    let v = f.boolean("mode");
    done(f, v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use keygate_broker::{Action, PriceType};
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn the_sdks_placeorder_body_loads_with_defaults() {
        let o = place_order(obj(
            json!({"strategy":"Python","symbol":"NHPC","action":"buy",
            "exchange":"NSE","quantity":"1"}),
        ))
        .unwrap();
        assert_eq!(
            (o.action, o.pricetype, o.product, o.quantity),
            (Action::Buy, PriceType::Market, Product::Mis, 1.0)
        );
    }

    #[test]
    fn fractional_quantities_are_refused_outside_crypto_only() {
        let body =
            json!({"strategy":"s","symbol":"X","action":"BUY","exchange":"NSE","quantity":1.5});
        assert_eq!(
            place_order(obj(body)).unwrap_err().message(),
            "quantity: Fractional quantity (1.5) is not allowed for non-crypto exchanges."
        );
        let crypto = json!({"strategy":"s","symbol":"BTCUSDT","action":"BUY","exchange":"CRYPTO","quantity":"0.5"});
        assert_eq!(place_order(obj(crypto)).unwrap().quantity, 0.5);
    }

    #[test]
    fn modify_requires_every_field_in_schema_order() {
        let inv = modify_order(obj(json!({"extra": 1}))).unwrap_err();
        let names: Vec<String> = inv.flat().into_iter().map(|(n, _)| n).collect();
        assert_eq!(
            names,
            [
                "orderid",
                "strategy",
                "exchange",
                "symbol",
                "action",
                "pricetype",
                "product",
                "quantity",
                "price",
                "trigger_price",
                "disclosed_quantity",
                "extra"
            ]
        );
    }

    #[test]
    fn multiquotes_items_are_checked_one_by_one() {
        let inv =
            symbol_list(obj(json!({"symbols":[{"symbol":"A","exchange":"nse"}, 5]}))).unwrap_err();
        assert_eq!(
            inv.message(),
            "symbols.0.exchange: Must be one of: NSE, NFO, CDS, BSE, BFO, BCD, MCX, NCDEX, NCO, NSE_INDEX, BSE_INDEX, MCX_INDEX, GLOBAL_INDEX, CRYPTO.; symbols.1._schema: Invalid input type."
        );
    }
}
