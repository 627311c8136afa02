//! A small marshmallow look-alike: OpenAlgo validates `/api/v1` bodies with marshmallow schemas,
//! and clients (the SDK, Bruno, TradingView templates) depend on what those accept. This reads a
//! JSON object field by field, in schema order, with marshmallow's coercions and messages:
//!
//! - numbers come as JSON numbers or numeric strings; NaN/Infinity and booleans are refused;
//! - an `Int` takes `5`, `"5"` or `5.7` (truncated) but not `"5.0"`;
//! - a `Str` refuses numbers; `null` is "Field may not be null."; unknown fields are refused.
//!
//! Every problem is collected (not only the first), so the answer names all of them.

use std::str::FromStr;

use serde_json::{Map, Value};

use super::field_doc::{Bound, FieldDoc, Kind};

/// marshmallow's standard messages.
pub mod msg {
    /// A required field is absent.
    pub const MISSING: &str = "Missing data for required field.";
    /// `null` given.
    pub const NULL: &str = "Field may not be null.";
    /// A field the schema does not know.
    pub const UNKNOWN: &str = "Unknown field.";
    /// A string field got something else.
    pub const NOT_STRING: &str = "Not a valid string.";
    /// A float field got something else.
    pub const NOT_NUMBER: &str = "Not a valid number.";
    /// An int field got something else.
    pub const NOT_INTEGER: &str = "Not a valid integer.";
    /// NaN or infinity.
    pub const SPECIAL: &str = "Special numeric values (nan or infinity) are not permitted.";
    /// A boolean field got something else.
    pub const NOT_BOOLEAN: &str = "Not a valid boolean.";
    /// A list field got something else.
    pub const NOT_LIST: &str = "Not a valid list.";
    /// An empty list where one item is needed.
    pub const SHORT_LIST: &str = "Shorter than minimum length 1.";
    /// A nested item that is not an object.
    pub const INVALID_INPUT: &str = "Invalid input type.";
}

/// What went wrong with one field: messages, or (for list items) nested problems by key.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    /// Messages about the field itself.
    Messages(Vec<String>),
    /// Problems inside a nested value (`{"0": {"exchange": [...]}}`).
    Nested(Vec<(String, Problem)>),
}

/// The problems of a whole body, in schema order (unknown fields last).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Invalid(pub Vec<(String, Problem)>);

impl Invalid {
    /// True when nothing is wrong.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `field: message` lines joined with `; ` (nested paths dotted: `symbols.0.exchange`).
    pub fn message(&self) -> String {
        self.flat()
            .iter()
            .map(|(field, msgs)| format!("{field}: {}", msgs.join(" ")))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// `{path: [messages]}` with dotted paths for nested problems.
    pub fn flat(&self) -> Vec<(String, Vec<String>)> {
        fn walk(prefix: &str, items: &[(String, Problem)], out: &mut Vec<(String, Vec<String>)>) {
            for (key, problem) in items {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                match problem {
                    Problem::Messages(m) => out.push((path, m.clone())),
                    Problem::Nested(inner) => walk(&path, inner, out),
                }
            }
        }
        let mut out = Vec::new();
        walk("", &self.0, &mut out);
        out
    }
}

/// A body being read. Each accessor removes its field, records any problem and returns the value
/// when it is valid (or the default when it is absent).
///
/// Made with [`Fields::describe`], it reads nothing and instead notes what each accessor was asked
/// for: the OpenAPI schema of a body is the validator's own list of fields (`describe.rs`).
#[derive(Debug)]
pub struct Fields {
    map: Map<String, Value>,
    problems: Vec<(String, Problem)>,
    docs: Option<Vec<FieldDoc>>,
}

/// The whitespace a numeric string may carry around it (ASCII, as the documented pattern says).
fn is_blank(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c')
}

fn trim_blank(s: &str) -> &str {
    s.trim_matches(is_blank)
}

fn is_special(s: &str) -> bool {
    let t = trim_blank(s)
        .trim_start_matches(['+', '-'])
        .to_ascii_lowercase();
    matches!(t.as_str(), "nan" | "inf" | "infinity")
}

impl Fields {
    /// Starts reading `map`.
    pub fn new(map: Map<String, Value>) -> Self {
        Self {
            map,
            problems: Vec::new(),
            docs: None,
        }
    }

    /// A reader that only notes the fields asked for (see [`Fields::into_docs`]).
    pub fn describe() -> Self {
        Self {
            map: Map::new(),
            problems: Vec::new(),
            docs: Some(Vec::new()),
        }
    }

    /// The fields a describing reader was asked for, in schema order.
    pub fn into_docs(self) -> Vec<FieldDoc> {
        self.docs.unwrap_or_default()
    }

    fn note(&mut self, name: &str, kind: Kind, required: bool) {
        if let Some(docs) = &mut self.docs {
            docs.push(FieldDoc {
                name: name.to_owned(),
                kind,
                required,
                bound: None,
            });
        }
    }

    /// Notes that `name` must also satisfy `bound` (a describing reader only).
    pub fn note_bound(&mut self, name: &str, bound: Bound) {
        if let Some(doc) = self
            .docs
            .as_mut()
            .and_then(|docs| docs.iter_mut().rev().find(|d| d.name == name))
        {
            doc.bound = Some(bound);
        }
    }

    /// Records a problem with `name`.
    pub fn error(&mut self, name: &str, message: impl Into<String>) {
        let message = message.into();
        match self.problems.iter_mut().find(|(n, _)| n == name) {
            Some((_, Problem::Messages(m))) => m.push(message),
            _ => self
                .problems
                .push((name.to_owned(), Problem::Messages(vec![message]))),
        }
    }

    /// True when `name` already has a problem.
    pub fn has_error(&self, name: &str) -> bool {
        self.problems.iter().any(|(n, _)| n == name)
    }

    /// Takes the raw value; records "missing"/"null" problems. `Ok(None)` = absent and optional.
    fn raw(&mut self, name: &str, required: bool) -> Option<Value> {
        match self.map.remove(name) {
            None => {
                if required {
                    self.error(name, msg::MISSING);
                }
                None
            }
            Some(Value::Null) => {
                self.error(name, msg::NULL);
                None
            }
            Some(v) => Some(v),
        }
    }

    /// A `Str` field.
    pub fn string(&mut self, name: &str, required: bool) -> Option<String> {
        self.note(name, Kind::Str, required);
        self.read_string(name, required)
    }

    fn read_string(&mut self, name: &str, required: bool) -> Option<String> {
        match self.raw(name, required)? {
            Value::String(s) => Some(s),
            _ => {
                self.error(name, msg::NOT_STRING);
                None
            }
        }
    }

    /// A `Str` field restricted to `allowed` (case-sensitive), parsed into `T`; `default` when
    /// absent (`None` = required).
    pub fn choice<T: FromStr>(
        &mut self,
        name: &str,
        allowed: &'static [&'static str],
        default: Option<T>,
    ) -> Option<T> {
        let required = default.is_none();
        self.note(name, Kind::Choice(allowed), required);
        let Some(s) = self.read_string(name, required) else {
            return if self.has_error(name) { None } else { default };
        };
        match allowed
            .contains(&s.as_str())
            .then(|| s.parse::<T>().ok())
            .flatten()
        {
            Some(v) => Some(v),
            None => {
                self.error(name, format!("Must be one of: {}.", allowed.join(", ")));
                None
            }
        }
    }

    /// A `Float` field; `default` when absent (`None` = required).
    pub fn float(&mut self, name: &str, default: Option<f64>) -> Option<f64> {
        self.note(name, Kind::Float, default.is_none());
        let Some(v) = self.raw(name, default.is_none()) else {
            return if self.has_error(name) { None } else { default };
        };
        self.read_float(name, &v)
    }

    /// A nullable optional `Float` (`underlying_ltp`).
    pub fn float_or_null(&mut self, name: &str) -> Option<f64> {
        self.note(name, Kind::FloatOrNull, false);
        match self.map.remove(name) {
            None | Some(Value::Null) => None,
            Some(v) => self.read_float(name, &v),
        }
    }

    fn read_float(&mut self, name: &str, v: &Value) -> Option<f64> {
        let parsed = match v {
            Value::Number(n) => n.as_f64(),
            Value::String(s) if is_special(s) => {
                self.error(name, msg::SPECIAL);
                return None;
            }
            Value::String(s) => trim_blank(s).parse::<f64>().ok(),
            _ => None,
        };
        match parsed {
            Some(x) if x.is_finite() => Some(x),
            Some(_) => {
                self.error(name, msg::SPECIAL);
                None
            }
            None => {
                self.error(name, msg::NOT_NUMBER);
                None
            }
        }
    }

    /// An `Int` field; `default` when absent (`None` = required).
    pub fn int(&mut self, name: &str, default: Option<i64>) -> Option<i64> {
        self.note(name, Kind::Int, default.is_none());
        let Some(v) = self.raw(name, default.is_none()) else {
            return if self.has_error(name) { None } else { default };
        };
        let parsed = match &v {
            Value::Number(n) => n.as_i64().or_else(|| {
                n.as_f64()
                    .filter(|x| x.is_finite() && x.abs() < 9.0e18)
                    .map(|x| x.trunc() as i64)
            }),
            Value::String(s) => trim_blank(s).replace('_', "").parse::<i64>().ok(),
            _ => None,
        };
        if parsed.is_none() {
            self.error(name, msg::NOT_INTEGER);
        }
        parsed
    }

    /// A required `Boolean` with marshmallow's truthy/falsy spellings.
    pub fn boolean(&mut self, name: &str) -> Option<bool> {
        self.note(name, Kind::Bool, true);
        let v = self.raw(name, true)?;
        let parsed = match &v {
            Value::Bool(b) => Some(*b),
            Value::Number(n) => match n.as_f64() {
                Some(1.0) => Some(true),
                Some(0.0) => Some(false),
                _ => None,
            },
            Value::String(s) => match s.to_ascii_lowercase().as_str() {
                "true" | "t" | "yes" | "y" | "on" | "1" => Some(true),
                "false" | "f" | "no" | "n" | "off" | "0" => Some(false),
                _ => None,
            },
            _ => None,
        };
        if parsed.is_none() {
            self.error(name, msg::NOT_BOOLEAN);
        }
        parsed
    }

    /// A required list with at least one item; each item is read by `item` as a nested schema.
    pub fn list_of<T>(
        &mut self,
        name: &str,
        mut item: impl FnMut(&mut Fields) -> Option<T>,
    ) -> Option<Vec<T>> {
        if self.docs.is_some() {
            let mut nested = Fields::describe();
            item(&mut nested);
            self.note(name, Kind::List(nested.into_docs()), true);
            return None;
        }
        let items = match self.raw(name, true)? {
            Value::Array(a) => a,
            _ => {
                self.error(name, msg::NOT_LIST);
                return None;
            }
        };
        if items.is_empty() {
            self.error(name, msg::SHORT_LIST);
            return None;
        }
        let mut out = Vec::with_capacity(items.len());
        let mut nested = Vec::new();
        for (i, v) in items.into_iter().enumerate() {
            let Value::Object(map) = v else {
                nested.push((
                    i.to_string(),
                    Problem::Nested(vec![(
                        "_schema".into(),
                        Problem::Messages(vec![msg::INVALID_INPUT.into()]),
                    )]),
                ));
                continue;
            };
            let mut fields = Fields::new(map);
            let value = item(&mut fields);
            match fields.finish() {
                Ok(()) => out.extend(value),
                Err(inv) => nested.push((i.to_string(), Problem::Nested(inv.0))),
            }
        }
        if nested.is_empty() {
            Some(out)
        } else {
            self.problems
                .push((name.to_owned(), Problem::Nested(nested)));
            None
        }
    }

    /// Ends reading: any field left over is unknown (reported last, in name order).
    pub fn finish(mut self) -> Result<(), Invalid> {
        let unknown: Vec<String> = self.map.keys().cloned().collect();
        for name in unknown {
            self.error(&name, msg::UNKNOWN);
        }
        if self.problems.is_empty() {
            Ok(())
        } else {
            Err(Invalid(self.problems))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields(v: Value) -> Fields {
        Fields::new(v.as_object().cloned().unwrap_or_default())
    }

    #[test]
    fn numbers_follow_marshmallows_coercions() {
        let mut f =
            fields(json!({"a": "1.5", "b": 2, "c": "nan", "d": true, "e": "x", "f": "Infinity"}));
        assert_eq!(f.float("a", None), Some(1.5));
        assert_eq!(f.float("b", None), Some(2.0));
        assert_eq!(f.float("c", None), None);
        assert_eq!(f.float("d", None), None);
        assert_eq!(f.float("e", None), None);
        assert_eq!(f.float("f", None), None);
        assert_eq!(f.float("g", Some(0.0)), Some(0.0));
        let inv = f.finish().unwrap_err();
        assert_eq!(
            inv.flat(),
            vec![
                ("c".into(), vec![msg::SPECIAL.to_owned()]),
                ("d".into(), vec![msg::NOT_NUMBER.to_owned()]),
                ("e".into(), vec![msg::NOT_NUMBER.to_owned()]),
                ("f".into(), vec![msg::SPECIAL.to_owned()]),
            ]
        );
    }

    #[test]
    fn ints_truncate_floats_but_refuse_float_strings_and_booleans() {
        let mut f = fields(json!({"a": 5.7, "b": "5", "c": "5.0", "d": false}));
        assert_eq!(f.int("a", None), Some(5));
        assert_eq!(f.int("b", None), Some(5));
        assert_eq!(f.int("c", None), None);
        assert_eq!(f.int("d", None), None);
        assert_eq!(f.finish().unwrap_err().flat().len(), 2);
    }

    #[test]
    fn strings_refuse_numbers_and_null_and_unknown_fields_come_last() {
        let mut f = fields(json!({"zzz": 1, "orderid": 123, "strategy": null}));
        assert_eq!(f.string("orderid", true), None);
        assert_eq!(f.string("strategy", true), None);
        assert_eq!(f.string("symbol", true), None);
        assert_eq!(
            f.finish().unwrap_err().message(),
            "orderid: Not a valid string.; strategy: Field may not be null.; symbol: Missing data for required field.; zzz: Unknown field."
        );
    }

    #[test]
    fn choices_list_the_allowed_values_in_order() {
        let mut f = fields(json!({"p": "market"}));
        assert_eq!(f.choice::<String>("p", &["MARKET", "LIMIT"], None), None);
        assert_eq!(
            f.finish().unwrap_err().message(),
            "p: Must be one of: MARKET, LIMIT."
        );
    }

    #[test]
    fn booleans_take_the_usual_spellings() {
        for (v, want) in [
            (json!(true), Some(true)),
            (json!("off"), Some(false)),
            (json!(1), Some(true)),
            (json!("0"), Some(false)),
            (json!(2), None),
            (json!("maybe"), None),
        ] {
            let mut f = fields(json!({ "mode": v }));
            assert_eq!(f.boolean("mode"), want, "{v}");
        }
    }
}
