//! The request schemas of §5, one function per endpoint: field order, requiredness, defaults,
//! ranges and their custom messages exactly as OpenAlgo's marshmallow schemas have them.

use keygate_broker::{Exchange, OrderRequest, Product};
pub use keygate_core::trading::{ModifyOrder, OrderRef, SmartOrder, StrategyOnly};
use serde_json::{Map, Value};

use super::field_doc::Bound;
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

fn range<T: Copy + Into<f64>>(
    f: &mut Fields,
    name: &str,
    v: Option<T>,
    bound: Bound,
    message: &str,
) -> Option<T> {
    f.note_bound(name, bound);
    match v {
        Some(x) if !bound.holds(x.into()) => {
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
        range(
            f,
            "quantity",
            quantity,
            Bound::NonNegative,
            QTY_NON_NEGATIVE,
        )
    } else {
        range(f, "quantity", quantity, Bound::Positive, QTY_POSITIVE)
    };
    let price = f.float("price", opt(all_required, 0.0));
    let price = range(f, "price", price, Bound::NonNegative, PRICE);
    let trigger = f.float("trigger_price", opt(all_required, 0.0));
    let trigger = range(f, "trigger_price", trigger, Bound::NonNegative, TRIGGER);
    let disclosed = f.int(
        "disclosed_quantity",
        if all_required { None } else { Some(0) },
    );
    let disclosed = range(
        f,
        "disclosed_quantity",
        disclosed.map(Whole),
        Bound::NonNegative,
        DISCLOSED,
    )
    .map(|w| w.0);
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

/// An `Int` field's value, compared with a [`Bound`] as a number.
#[derive(Debug, Clone, Copy)]
struct Whole(i64);

impl From<Whole> for f64 {
    fn from(w: Whole) -> f64 {
        w.0 as f64
    }
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

/// Reads `body` with `reader` (one of the `*_fields` functions below).
fn load<T>(body: Map<String, Value>, reader: fn(&mut Fields) -> Option<T>) -> Result<T, Invalid> {
    let mut f = Fields::new(body);
    let v = reader(&mut f);
    done(f, v)
}

/// §5.2 placeorder's fields.
pub fn place_order_fields(f: &mut Fields) -> Option<OrderRequest> {
    let order = order_fields(f, false, false);
    let _underlying_ltp = f.float_or_null("underlying_ltp");
    order
}

/// §5.2 placeorder.
pub fn place_order(body: Map<String, Value>) -> Result<OrderRequest, Invalid> {
    let order = load(body, place_order_fields)?;
    whole_quantity(&order)?;
    Ok(order)
}

/// §5.3 placesmartorder's fields.
pub fn smart_order_fields(f: &mut Fields) -> Option<SmartOrder> {
    let order = order_fields(f, true, false);
    let position_size = f.float("position_size", None);
    Some(SmartOrder {
        order: order?,
        position_size: position_size?,
    })
}

/// §5.3 placesmartorder.
pub fn smart_order(body: Map<String, Value>) -> Result<SmartOrder, Invalid> {
    let smart = load(body, smart_order_fields)?;
    whole_quantity(&smart.order)?;
    Ok(smart)
}

/// §5.4 modifyorder's fields: every one required.
pub fn modify_order_fields(f: &mut Fields) -> Option<ModifyOrder> {
    let orderid = f.string("orderid", true);
    let order = order_fields(f, false, true);
    Some(ModifyOrder {
        orderid: orderid?,
        order: order?,
    })
}

/// §5.4 modifyorder.
pub fn modify_order(body: Map<String, Value>) -> Result<ModifyOrder, Invalid> {
    let modify = load(body, modify_order_fields)?;
    whole_quantity(&modify.order)?;
    Ok(modify)
}

/// §5.5 cancelorder's and §5.8 orderstatus's fields.
pub fn order_ref_fields(f: &mut Fields) -> Option<OrderRef> {
    let strategy = f.string("strategy", true);
    let orderid = f.string("orderid", true);
    strategy
        .zip(orderid)
        .map(|(strategy, orderid)| OrderRef { orderid, strategy })
}

/// §5.5 cancelorder and §5.8 orderstatus.
pub fn order_ref(body: Map<String, Value>) -> Result<OrderRef, Invalid> {
    load(body, order_ref_fields)
}

/// §5.6 cancelallorder's and §5.7 closeposition's fields.
pub fn strategy_only_fields(f: &mut Fields) -> Option<StrategyOnly> {
    let strategy = f.string("strategy", true);
    strategy.map(|strategy| StrategyOnly { strategy })
}

/// §5.6 cancelallorder and §5.7 closeposition.
pub fn strategy_only(body: Map<String, Value>) -> Result<StrategyOnly, Invalid> {
    load(body, strategy_only_fields)
}

/// §5.9 openposition's fields.
pub fn open_position_fields(f: &mut Fields) -> Option<OpenPosition> {
    let _strategy = f.string("strategy", true);
    let symbol = f.string("symbol", true);
    let exchange = f.string("exchange", true);
    let product = f.choice("product", PRODUCTS, None);
    Some(OpenPosition {
        symbol: symbol?,
        exchange: exchange?,
        product: product?,
    })
}

/// §5.9 openposition.
pub fn open_position(body: Map<String, Value>) -> Result<OpenPosition, Invalid> {
    load(body, open_position_fields)
}

/// The fields of a body with nothing but the key: none.
pub fn empty_fields(_: &mut Fields) -> Option<()> {
    Some(())
}

/// Bodies with nothing but the key: ping, the books, holdings, funds, analyzer status.
pub fn empty(body: Map<String, Value>) -> Result<(), Invalid> {
    load(body, empty_fields)
}

fn symbol_fields(f: &mut Fields) -> Option<SymbolRef> {
    let symbol = f.string("symbol", true);
    let exchange = f.choice("exchange", EXCHANGES, None);
    Some(SymbolRef {
        symbol: symbol?,
        exchange: exchange?,
    })
}

/// §5.15 quotes' and §5.17 depth's fields.
pub fn symbol_ref_fields(f: &mut Fields) -> Option<SymbolRef> {
    symbol_fields(f)
}

/// §5.15 quotes and §5.17 depth.
pub fn symbol_ref(body: Map<String, Value>) -> Result<SymbolRef, Invalid> {
    load(body, symbol_ref_fields)
}

/// §5.16 multiquotes' fields.
pub fn symbol_list_fields(f: &mut Fields) -> Option<Vec<SymbolRef>> {
    f.list_of("symbols", symbol_fields)
}

/// §5.16 multiquotes.
pub fn symbol_list(body: Map<String, Value>) -> Result<Vec<SymbolRef>, Invalid> {
    load(body, symbol_list_fields)
}

/// §5.18 analyzer/toggle's fields.
pub fn toggle_fields(f: &mut Fields) -> Option<bool> {
    f.boolean("mode")
}

/// §5.18 analyzer/toggle.
pub fn toggle(body: Map<String, Value>) -> Result<bool, Invalid> {
    load(body, toggle_fields)
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
