//! The client → server half of the feed's protocol (OpenAlgo's `websocket_proxy`, contract §9):
//! parsing a text frame into a [`Request`], and the error frames (which carry no `type` field).

use keygate_broker::Exchange;
use serde_json::{json, Map, Value};

/// The broker name the feed reports.
pub const BROKER: &str = "paper";

/// A subscription mode. Ticks carry it as an integer, acknowledgements as its label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mode {
    /// 1: last traded price.
    Ltp = 1,
    /// 2: quote (the default).
    Quote = 2,
    /// 3: five-level depth.
    Depth = 3,
}

impl Mode {
    /// Every mode, lowest first.
    pub const ALL: [Mode; 3] = [Mode::Ltp, Mode::Quote, Mode::Depth];

    /// The integer ticks carry.
    pub fn number(self) -> u8 {
        self as u8
    }

    /// The label acknowledgements carry.
    pub fn label(self) -> &'static str {
        match self {
            Mode::Ltp => "LTP",
            Mode::Quote => "Quote",
            Mode::Depth => "Depth",
        }
    }

    /// `1`/`2`/`3` or a label in any case; absent means Quote. Anything else (booleans, other
    /// numbers, other strings) is refused.
    pub fn parse(value: Option<&Value>) -> Result<Mode, String> {
        let Some(value) = value.filter(|v| !v.is_null()) else {
            return Ok(Mode::Quote);
        };
        let parsed = match value {
            Value::Number(n) => match n.as_u64() {
                Some(1) => Some(Mode::Ltp),
                Some(2) => Some(Mode::Quote),
                Some(3) => Some(Mode::Depth),
                _ => None,
            },
            Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                "ltp" => Some(Mode::Ltp),
                "quote" => Some(Mode::Quote),
                "depth" => Some(Mode::Depth),
                _ => None,
            },
            _ => None,
        };
        parsed.ok_or_else(|| {
            format!("Invalid mode: {value}. Use 1 (LTP), 2 (Quote) or 3 (Depth), or their names")
        })
    }
}

/// The depth levels the paper market has.
pub const SUPPORTED_DEPTH: u64 = 5;

/// One instrument named in a subscribe or unsubscribe request.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// The symbol as sent, without a `:<levels>` suffix.
    pub symbol: String,
    /// The exchange as sent.
    pub exchange: String,
    /// Requested depth levels (`depth`, or a `SYMBOL:<levels>` suffix); 5 by default.
    pub depth: u64,
}

/// An API key as a client sent it in `authenticate`; `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct PresentedKey(pub String);

impl std::fmt::Debug for PresentedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PresentedKey([redacted])")
    }
}

/// A request the client sent.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// `authenticate` / `auth` with `api_key` or `apikey` (None when neither is a string).
    Authenticate(Option<PresentedKey>),
    /// `subscribe`.
    Subscribe(Vec<Item>, Mode),
    /// `unsubscribe` (mode defaults to Quote).
    Unsubscribe(Vec<Item>, Mode),
    /// `unsubscribe_all`.
    UnsubscribeAll,
    /// `ping`, with the client's `timestamp` and `_pingId` to echo.
    Ping {
        /// The client's `timestamp`, echoed as `client_timestamp`.
        timestamp: Value,
        /// The client's `_pingId`, echoed when sent.
        ping_id: Option<Value>,
    },
    /// `get_broker_info`.
    BrokerInfo,
    /// `get_supported_brokers`.
    SupportedBrokers,
    /// `subscribe_orders`.
    SubscribeOrders,
    /// `unsubscribe_orders`.
    UnsubscribeOrders,
}

impl Request {
    /// True for the requests that need an authenticated connection.
    pub fn needs_auth(&self) -> bool {
        matches!(
            self,
            Request::Subscribe(..)
                | Request::Unsubscribe(..)
                | Request::UnsubscribeAll
                | Request::BrokerInfo
                | Request::SubscribeOrders
                | Request::UnsubscribeOrders
        )
    }
}

/// A refused frame: its error code and message.
#[derive(Debug, Clone, PartialEq)]
pub struct Refused {
    /// `INVALID_JSON`, `INVALID_ACTION`, `INVALID_MODE` or `INVALID_PARAMETERS`.
    pub code: &'static str,
    /// The human-readable reason.
    pub message: String,
}

impl Refused {
    fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

/// A parsed frame: the request and the `request_id` to echo.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// What was asked.
    pub request: Result<Request, Refused>,
    /// The client's `request_id`, echoed in the answer.
    pub request_id: Option<Value>,
}

/// Parses one text frame.
pub fn parse(text: &str) -> Parsed {
    let object = match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(object)) => object,
        Ok(_) => {
            return Parsed {
                request: Err(Refused::new(
                    "INVALID_JSON",
                    "Message must be a JSON object",
                )),
                request_id: None,
            }
        }
        Err(_) => {
            return Parsed {
                request: Err(Refused::new("INVALID_JSON", "Invalid JSON message")),
                request_id: None,
            }
        }
    };
    Parsed {
        request_id: object.get("request_id").cloned(),
        request: request(&object),
    }
}

fn request(object: &Map<String, Value>) -> Result<Request, Refused> {
    let action = object
        .get("action")
        .filter(|v| !v.is_null())
        .or_else(|| object.get("type"));
    let name = action.and_then(Value::as_str).unwrap_or_default();
    Ok(match name {
        "authenticate" | "auth" => Request::Authenticate(
            ["api_key", "apikey"]
                .iter()
                .find_map(|f| object.get(*f).and_then(Value::as_str))
                .map(|key| PresentedKey(key.to_owned())),
        ),
        "subscribe" => {
            let mode =
                Mode::parse(object.get("mode")).map_err(|m| Refused::new("INVALID_MODE", m))?;
            Request::Subscribe(items(object)?, mode)
        }
        "unsubscribe" => {
            let mode =
                Mode::parse(object.get("mode")).map_err(|m| Refused::new("INVALID_MODE", m))?;
            Request::Unsubscribe(items(object)?, mode)
        }
        "unsubscribe_all" => Request::UnsubscribeAll,
        "ping" => Request::Ping {
            timestamp: object.get("timestamp").cloned().unwrap_or(Value::Null),
            ping_id: object.get("_pingId").cloned(),
        },
        "get_broker_info" => Request::BrokerInfo,
        "get_supported_brokers" => Request::SupportedBrokers,
        "subscribe_orders" => Request::SubscribeOrders,
        "unsubscribe_orders" => Request::UnsubscribeOrders,
        _ => {
            let shown = match action {
                None | Some(Value::Null) => "None".to_owned(),
                Some(Value::String(s)) => s.chars().take(64).collect(),
                Some(other) => other.to_string().chars().take(64).collect(),
            };
            return Err(Refused::new(
                "INVALID_ACTION",
                format!("Invalid action: {shown}"),
            ));
        }
    })
}

/// Most instruments one request may name.
const MAX_ITEMS: usize = 1000;

fn items(object: &Map<String, Value>) -> Result<Vec<Item>, Refused> {
    let default_depth = match object.get("depth") {
        None | Some(Value::Null) => SUPPORTED_DEPTH,
        Some(v) => depth_of(v)?,
    };
    let raw: Vec<&Map<String, Value>> = match object.get("symbols") {
        Some(Value::Array(list)) => list
            .iter()
            .map(|v| {
                v.as_object().ok_or_else(|| {
                    Refused::new(
                        "INVALID_PARAMETERS",
                        "Each entry of symbols must be an object with symbol and exchange",
                    )
                })
            })
            .collect::<Result<_, _>>()?,
        Some(Value::Null) | None if object.contains_key("symbol") => vec![object],
        Some(Value::Null) | None => Vec::new(),
        Some(_) => {
            return Err(Refused::new(
                "INVALID_PARAMETERS",
                "symbols must be a list of {symbol, exchange}",
            ))
        }
    };
    if raw.is_empty() {
        return Err(Refused::new(
            "INVALID_PARAMETERS",
            "At least one symbol must be specified",
        ));
    }
    if raw.len() > MAX_ITEMS {
        return Err(Refused::new(
            "INVALID_PARAMETERS",
            format!("At most {MAX_ITEMS} symbols per request"),
        ));
    }
    raw.into_iter()
        .map(|entry| {
            let text = |field: &str| -> Result<String, Refused> {
                match entry.get(field) {
                    Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.trim().to_owned()),
                    _ => Err(Refused::new(
                        "INVALID_PARAMETERS",
                        format!("Each subscription needs a non-empty string `{field}`"),
                    )),
                }
            };
            let mut symbol = text("symbol")?;
            let exchange = text("exchange")?;
            let mut depth = match entry.get("depth") {
                None | Some(Value::Null) => default_depth,
                Some(v) => depth_of(v)?,
            };
            // Bruno's 50-level example asks for depth in the symbol: `RELIANCE:50`.
            if let Some((base, levels)) = symbol.rsplit_once(':') {
                if let Ok(levels) = levels.parse::<u64>() {
                    depth = levels;
                    symbol = base.to_owned();
                }
            }
            Ok(Item {
                symbol,
                exchange,
                depth,
            })
        })
        .collect()
}

fn depth_of(value: &Value) -> Result<u64, Refused> {
    let parsed = match value {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    };
    parsed.ok_or_else(|| Refused::new("INVALID_PARAMETERS", format!("Invalid depth: {value}")))
}

/// Parses the exchange of an item.
pub fn exchange_of(item: &Item) -> Result<Exchange, String> {
    item.exchange
        .parse()
        .map_err(|_| format!("Invalid exchange: {}", item.exchange))
}

/// An error frame: `{"status":"error","code":...,"message":...}` (no `type`), with the
/// `request_id` when the client sent one.
pub fn error_frame(code: &str, message: &str, request_id: Option<&Value>) -> Value {
    let mut frame = json!({"status": "error", "code": code, "message": message});
    if let Some(id) = request_id {
        frame["request_id"] = id.clone();
    }
    frame
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_are_numbers_or_labels_in_any_case_and_default_to_quote() {
        assert_eq!(Mode::parse(None), Ok(Mode::Quote));
        assert_eq!(Mode::parse(Some(&json!(1))), Ok(Mode::Ltp));
        assert_eq!(Mode::parse(Some(&json!("dEpTh"))), Ok(Mode::Depth));
        assert_eq!(Mode::parse(Some(&json!("Quote"))), Ok(Mode::Quote));
        for bad in [
            json!(true),
            json!(0),
            json!(4),
            json!(1.5),
            json!("full"),
            json!([1]),
        ] {
            assert!(Mode::parse(Some(&bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn action_may_be_sent_as_type_and_keys_as_apikey() {
        let parsed = parse(r#"{"type":"auth","apikey":"k"}"#);
        assert_eq!(
            parsed.request,
            Ok(Request::Authenticate(Some(PresentedKey("k".into()))))
        );
        let parsed = parse(r#"{"action":"authenticate","api_key":"k"}"#);
        assert_eq!(
            parsed.request,
            Ok(Request::Authenticate(Some(PresentedKey("k".into()))))
        );
    }

    #[test]
    fn subscribe_takes_one_symbol_or_a_list_and_a_depth_suffix() {
        let one = parse(
            r#"{"action":"subscribe","symbol":"INFY","exchange":"NSE","mode":1,"request_id":7}"#,
        );
        assert_eq!(one.request_id, Some(json!(7)));
        let Ok(Request::Subscribe(items, Mode::Ltp)) = one.request else {
            panic!("not a subscribe")
        };
        assert_eq!(items[0].symbol, "INFY");
        assert_eq!(items[0].depth, 5);
        let list = parse(
            r#"{"action":"subscribe","symbols":[{"symbol":"A","exchange":"NSE"},{"symbol":"RELIANCE:50","exchange":"NSE"}]}"#,
        );
        let Ok(Request::Subscribe(items, Mode::Quote)) = list.request else {
            panic!("not a subscribe")
        };
        assert_eq!(items.len(), 2);
        assert_eq!((items[1].symbol.as_str(), items[1].depth), ("RELIANCE", 50));
    }

    #[test]
    fn bad_frames_get_the_contract_codes() {
        let code = |text: &str| parse(text).request.unwrap_err().code;
        assert_eq!(code("{nope"), "INVALID_JSON");
        assert_eq!(code("[]"), "INVALID_JSON");
        assert_eq!(code(r#"{"action":"dance"}"#), "INVALID_ACTION");
        assert_eq!(code(r#"{}"#), "INVALID_ACTION");
        assert_eq!(
            code(r#"{"action":"subscribe","symbol":"A","exchange":"NSE","mode":true}"#),
            "INVALID_MODE"
        );
        assert_eq!(
            code(r#"{"action":"subscribe","symbols":[]}"#),
            "INVALID_PARAMETERS"
        );
        assert_eq!(code(r#"{"action":"subscribe"}"#), "INVALID_PARAMETERS");
    }
}
