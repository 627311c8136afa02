//! Binance's error codes mapped to `BrokerError`s with clear text. The exchange's own message is
//! kept (it never holds the secret: Binance does not echo the signature or the key).

use keygate_broker::{BrokerError, Exchange};

use crate::wire::ApiErrorBody;

/// Timestamp outside `recvWindow` (or ahead of the server): resynchronise the clock and retry.
pub const TIMESTAMP_OUTSIDE_WINDOW: i64 = -1021;
/// Unknown order on a lookup.
pub const NO_SUCH_ORDER: i64 = -2013;
/// A new order refused; `Duplicate order sent.` when its client id is still working.
pub const NEW_ORDER_REJECTED: i64 = -2010;

/// What a failed call was about, for the messages that name it.
#[derive(Debug, Clone, Copy)]
pub enum Subject<'a> {
    /// A call about a pair.
    Symbol(&'a str),
    /// A call about an order (its keygate id).
    Order(&'a str),
    /// An account-wide call.
    Account,
}

/// Maps an error body to a `BrokerError`.
pub fn map_error(body: ApiErrorBody, subject: Subject<'_>) -> BrokerError {
    match body.code {
        // Unknown symbol.
        -1121 => match subject {
            Subject::Symbol(symbol) => BrokerError::SymbolNotFound {
                symbol: symbol.to_owned(),
                exchange: Exchange::Crypto,
            },
            _ => exchange(body),
        },
        // Cancel of an order that is not working / lookup of an unknown order.
        -2011 | NO_SUCH_ORDER => match subject {
            Subject::Order(id) => BrokerError::OrderNotFound(id.to_owned()),
            _ => exchange(body),
        },
        // Bad key format, bad signature, key without the permission or from a refused IP.
        -2014 | -2015 | -1022 | -1002 => BrokerError::Credentials(body.msg),
        // Clock still off after a resynchronisation.
        TIMESTAMP_OUTSIDE_WINDOW => BrokerError::Unavailable(format!(
            "the exchange refused the request's timestamp even after resynchronising: {}",
            body.msg
        )),
        // Too many requests or orders, disconnected, internal errors: not the caller's fault.
        -1000 | -1001 | -1003 | -1006 | -1007 | -1008 | -1015 | -1016 => {
            BrokerError::Unavailable(format!("{} (code {})", body.msg, body.code))
        }
        // Filter failures (-1013), rejected orders (-2010: insufficient balance, ...),
        // bad parameters (-11xx) and the rest: the exchange's words, as a 400.
        _ => exchange(body),
    }
}

fn exchange(body: ApiErrorBody) -> BrokerError {
    BrokerError::Exchange {
        code: body.code,
        message: body.msg,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use keygate_broker::ErrorKind;

    fn body(code: i64, msg: &str) -> ApiErrorBody {
        ApiErrorBody::new(code, msg)
    }

    #[test]
    fn codes_map_to_the_errors_a_client_understands() {
        let e = map_error(body(-1121, "Invalid symbol."), Subject::Symbol("FOOUSDT"));
        assert_eq!(e.to_string(), "Symbol 'FOOUSDT' not found for exchange 'CRYPTO'. Please verify the symbol name and ensure master contracts are downloaded.");
        let e = map_error(
            body(-2011, "Unknown order sent."),
            Subject::Order("BTCUSDT-7"),
        );
        assert_eq!(e, BrokerError::OrderNotFound("BTCUSDT-7".into()));
        let e = map_error(
            body(-2015, "Invalid API-key, IP, or permissions for action."),
            Subject::Account,
        );
        assert_eq!(e.kind(), ErrorKind::Forbidden);
        assert_eq!(e.to_string(), "The exchange refused the connection's API key: Invalid API-key, IP, or permissions for action.");
        let e = map_error(
            body(
                -2010,
                "Account has insufficient balance for requested action.",
            ),
            Subject::Symbol("BTCUSDT"),
        );
        assert_eq!(e.kind(), ErrorKind::BadRequest);
        assert_eq!(e.to_string(), "The exchange refused the request: Account has insufficient balance for requested action. (code -2010)");
        let e = map_error(
            body(-1013, "Filter failure: LOT_SIZE"),
            Subject::Symbol("BTCUSDT"),
        );
        assert_eq!(e.kind(), ErrorKind::BadRequest);
        let e = map_error(
            body(
                -1021,
                "Timestamp for this request is outside of the recvWindow.",
            ),
            Subject::Account,
        );
        assert_eq!(e.kind(), ErrorKind::Internal);
    }
}
