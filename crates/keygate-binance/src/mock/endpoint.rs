//! The endpoints the mock serves, with Binance's weights and which are signed.

use actix_web::http::Method;

/// The endpoints the mock serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `GET /api/v3/time`
    Time,
    /// `GET /api/v3/exchangeInfo`
    ExchangeInfo,
    /// `GET /api/v3/ticker/24hr`
    Ticker24h,
    /// `GET /api/v3/ticker/price`
    TickerPrice,
    /// `GET /api/v3/depth`
    Depth,
    /// `POST /api/v3/order`
    NewOrder,
    /// `GET /api/v3/order`
    GetOrder,
    /// `POST /api/v3/order/cancelReplace`
    CancelReplace,
    /// `DELETE /api/v3/order`
    CancelOrder,
    /// `GET /api/v3/openOrders`
    OpenOrders,
    /// `DELETE /api/v3/openOrders`
    CancelOpenOrders,
    /// `GET /api/v3/myTrades`
    MyTrades,
    /// `GET /api/v3/account`
    Account,
    /// `GET /sapi/v1/account/apiRestrictions`
    ApiRestrictions,
}

impl Endpoint {
    pub(super) fn route(method: &Method, path: &str) -> Option<Self> {
        use Endpoint::*;
        Some(match (method.as_str(), path) {
            ("GET", "/api/v3/time") => Time,
            ("GET", "/api/v3/exchangeInfo") => ExchangeInfo,
            ("GET", "/api/v3/ticker/24hr") => Ticker24h,
            ("GET", "/api/v3/ticker/price") => TickerPrice,
            ("GET", "/api/v3/depth") => Depth,
            ("POST", "/api/v3/order") => NewOrder,
            ("GET", "/api/v3/order") => GetOrder,
            ("POST", "/api/v3/order/cancelReplace") => CancelReplace,
            ("DELETE", "/api/v3/order") => CancelOrder,
            ("GET", "/api/v3/openOrders") => OpenOrders,
            ("DELETE", "/api/v3/openOrders") => CancelOpenOrders,
            ("GET", "/api/v3/myTrades") => MyTrades,
            ("GET", "/api/v3/account") => Account,
            ("GET", "/sapi/v1/account/apiRestrictions") => ApiRestrictions,
            _ => return None,
        })
    }

    /// Binance's published request weight.
    pub fn weight(self) -> u32 {
        use Endpoint::*;
        match self {
            Time | NewOrder | CancelReplace | CancelOrder | CancelOpenOrders | ApiRestrictions => 1,
            Ticker24h => 2,
            GetOrder | TickerPrice => 4,
            Depth => 5,
            OpenOrders => 80,
            ExchangeInfo | MyTrades | Account => 20,
        }
    }

    pub(super) fn signed(self) -> bool {
        use Endpoint::*;
        !matches!(self, Time | ExchangeInfo | Ticker24h | TickerPrice | Depth)
    }
}
