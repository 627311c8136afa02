//! The OpenAPI schemas of the `/api/v1` bodies, read off the validator itself: each body's
//! reader (`requests::*_fields`) is run once on a describing [`Fields`], which notes every field
//! it is asked for (name, kind, required, bound) instead of reading it. So the document cannot
//! drift from what the server accepts: a field added to a reader appears in its schema.
//!
//! Each kind's schema accepts exactly what [`Fields`] accepts (numbers as JSON numbers or numeric
//! strings, marshmallow's boolean spellings, no unknown fields), with two gaps a schema cannot
//! express: a numeric string that overflows (or a positive one that underflows to 0), and the
//! cross-field rule that only CRYPTO quantities may be fractional.

use std::borrow::Cow;

use utoipa::openapi::schema::{
    AdditionalProperties, AnyOfBuilder, ArrayBuilder, ObjectBuilder, OneOfBuilder, Schema, Type,
};
use utoipa::openapi::RefOr;

use super::field_doc::{Bound, FieldDoc, Kind};
use super::requests;
use super::schema::Fields;

/// The whitespace [`Fields`] trims off numeric strings.
const WS: &str = r"[ \t\n\r\v\f]*";
const MANTISSA: &str = r"([0-9]+(\.[0-9]*)?|\.[0-9]+)";
const MANTISSA_NONZERO: &str = r"([0-9]*[1-9][0-9]*(\.[0-9]*)?|[0-9]*\.[0-9]*[1-9][0-9]*)";
const MANTISSA_ZERO: &str = r"(0+(\.0*)?|\.0+)";
const EXPONENT: &str = r"([eE][+-]?[0-9]+)?";
const DIGITS: &str = r"[0-9_]*[0-9][0-9_]*";
const ZEROS: &str = r"[0_]*0[0_]*";
/// marshmallow's boolean spellings (ASCII case-insensitive).
const BOOL_SPELLINGS: &str = r"^([Tt]([Rr][Uu][Ee])?|[Yy]([Ee][Ss])?|[Oo]([Nn]|[Ff][Ff])|1|[Ff]([Aa][Ll][Ss][Ee])?|[Nn]([Oo])?|0)$";
/// The key in the documented examples: a placeholder of the right form (send your own, in the body
/// or the X-API-KEY header).
pub const EXAMPLE_KEY: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
/// An API key: 64 lowercase hex digits.
pub const API_KEY_PATTERN: &str = "^[0-9a-f]{64}$";

/// The pattern of a numeric string a `Float` field accepts within `bound`.
pub fn float_pattern(bound: Option<Bound>) -> String {
    let body = match bound {
        None => format!("[+-]?{MANTISSA}"),
        Some(Bound::Positive) => format!(r"\+?{MANTISSA_NONZERO}"),
        Some(Bound::NonNegative) => format!(r"(\+?{MANTISSA}|-{MANTISSA_ZERO})"),
    };
    format!("^{WS}{body}{EXPONENT}{WS}$")
}

/// The pattern of an integer string an `Int` field accepts within `bound`.
pub fn int_pattern(bound: Option<Bound>) -> String {
    let body = match bound {
        None => format!("_*([+-]_*)?{DIGITS}"),
        Some(Bound::Positive) => r"_*(\+_*)?[0-9_]*[1-9][0-9_]*".to_owned(),
        Some(Bound::NonNegative) => format!(r"_*((\+_*)?{DIGITS}|-{ZEROS})"),
    };
    format!("^{WS}{body}{WS}$")
}

fn string_with_pattern(pattern: String) -> Schema {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(pattern))
        .into()
}

fn number(bound: Option<Bound>, truncated: bool) -> Schema {
    let builder = ObjectBuilder::new().schema_type(Type::Number);
    match (bound, truncated) {
        (None, _) => builder,
        (Some(Bound::Positive), false) => builder.exclusive_minimum(Some(0)),
        (Some(Bound::NonNegative), false) => builder.minimum(Some(0)),
        // An Int truncates a float: -0.5 is 0.
        (Some(Bound::Positive), true) => builder.minimum(Some(1)),
        (Some(Bound::NonNegative), true) => builder.exclusive_minimum(Some(-1)),
    }
    .into()
}

fn one_of(choices: impl IntoIterator<Item = Schema>, description: &str) -> Schema {
    choices
        .into_iter()
        .fold(OneOfBuilder::new(), |b, s| b.item(s))
        .description(Some(description))
        .into()
}

fn bound_text(bound: Option<Bound>) -> &'static str {
    match bound {
        None => "",
        Some(Bound::Positive) => ", more than 0",
        Some(Bound::NonNegative) => ", 0 or more",
    }
}

fn field_schema(doc: &FieldDoc) -> Schema {
    match &doc.kind {
        Kind::Str => ObjectBuilder::new().schema_type(Type::String).into(),
        Kind::Choice(allowed) => ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(allowed.iter().copied()))
            .into(),
        Kind::Float => one_of(
            [number(doc.bound, false), string_with_pattern(float_pattern(doc.bound))],
            &format!("a number or a numeric string{}", bound_text(doc.bound)),
        ),
        Kind::FloatOrNull => one_of(
            [
                ObjectBuilder::new().schema_type(Type::Null).into(),
                number(None, false),
                string_with_pattern(float_pattern(None)),
            ],
            "a number, a numeric string, or null",
        ),
        Kind::Int => one_of(
            [number(doc.bound, true), string_with_pattern(int_pattern(doc.bound))],
            &format!(
                "a whole number, or an integer string (a JSON fraction is truncated){}",
                bound_text(doc.bound)
            ),
        ),
        Kind::Bool => one_of(
            [
                ObjectBuilder::new().schema_type(Type::Boolean).into(),
                ObjectBuilder::new()
                    .schema_type(Type::Number)
                    .enum_values(Some([0, 1]))
                    .into(),
                string_with_pattern(BOOL_SPELLINGS.to_owned()),
            ],
            "a boolean, 0 or 1, or \"true\"/\"false\", \"yes\"/\"no\", \"on\"/\"off\", \"t\"/\"f\", \"y\"/\"n\", \"1\"/\"0\" (any case)",
        ),
        Kind::List(items) => ArrayBuilder::new()
            .items(RefOr::T(object_schema(items, false)))
            .min_items(Some(1))
            .into(),
    }
}

fn object_schema(docs: &[FieldDoc], with_key: bool) -> Schema {
    let mut builder = ObjectBuilder::new()
        .schema_type(Type::Object)
        .additional_properties(Some(AdditionalProperties::FreeForm(false)));
    if with_key {
        builder = builder.property(
            "apikey",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(API_KEY_PATTERN))
                .description(Some(
                    "Your API key. Optional when the X-API-KEY header carries it (the header \
                     wins; a body key next to it must still be well formed).",
                )),
        );
    }
    for doc in docs {
        builder = builder.property(&doc.name, field_schema(doc));
        if doc.required {
            builder = builder.required(&doc.name);
        }
    }
    builder.into()
}

/// The schema of the body `reader` validates (plus the optional `apikey`).
pub fn body_schema<T>(reader: fn(&mut Fields) -> Option<T>) -> Schema {
    let mut fields = Fields::describe();
    reader(&mut fields);
    object_schema(&fields.into_docs(), true)
}

/// Declares a body type whose schema is its reader's [`body_schema`].
macro_rules! v1_body_schema {
    ($($(#[$m:meta])* $name:ident => $reader:path;)+) => {$(
        $(#[$m])*
        #[derive(Debug)]
        pub struct $name;

        impl utoipa::PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                RefOr::T(body_schema($reader))
            }
        }

        impl utoipa::ToSchema for $name {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }
        }
    )+};
}

v1_body_schema! {
    /// placeorder's body.
    PlaceOrderBody => requests::place_order_fields;
    /// placesmartorder's body.
    PlaceSmartOrderBody => requests::smart_order_fields;
    /// modifyorder's body: every field required.
    ModifyOrderBody => requests::modify_order_fields;
    /// cancelorder's and orderstatus's body.
    OrderRefBody => requests::order_ref_fields;
    /// cancelallorder's and closeposition's body.
    StrategyBody => requests::strategy_only_fields;
    /// openposition's body.
    OpenPositionBody => requests::open_position_fields;
    /// The body of a call that needs nothing but the key (ping, books, funds, analyzer status).
    KeyOnlyBody => requests::empty_fields;
    /// quotes' and depth's body.
    SymbolBody => requests::symbol_ref_fields;
    /// multiquotes' body.
    SymbolListBody => requests::symbol_list_fields;
    /// analyzer/toggle's body.
    ToggleBody => requests::toggle_fields;
}

/// The fields the TradingView webhook fills in when an alert leaves them out.
pub const ALERT_DEFAULTED: &[&str] = &["strategy"];

/// A TradingView alert: placeorder's body, or (with `position_size`) placesmartorder's, each
/// with the fields in [`ALERT_DEFAULTED`] optional.
#[derive(Debug)]
pub struct TradingViewAlertBody;

impl utoipa::PartialSchema for TradingViewAlertBody {
    fn schema() -> RefOr<Schema> {
        let optional = |mut schema: Schema| {
            if let Schema::Object(object) = &mut schema {
                object
                    .required
                    .retain(|name| !ALERT_DEFAULTED.contains(&name.as_str()));
            }
            schema
        };
        // The two never both match (only the second has `position_size`, and requires it), so
        // anyOf says the same as oneOf; schemathesis builds sounder negative cases from anyOf.
        RefOr::T(
            AnyOfBuilder::new()
                .item(optional(body_schema(requests::place_order_fields)))
                .item(optional(body_schema(requests::smart_order_fields)))
                .description(Some(
                    "placeorder's fields, or placesmartorder's (with `position_size`)",
                ))
                .into(),
        )
    }
}

impl utoipa::ToSchema for TradingViewAlertBody {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("TradingViewAlertBody")
    }
}

#[cfg(test)]
mod tests;
