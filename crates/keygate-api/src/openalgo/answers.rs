//! The `/api/v1` success answers: [`V1Success`], the shape every one shares (`"status":
//! "success"`, `"mode": "analyze"` only on the analyzer's ledger, the operation's fields beside
//! them), for the order routes whose fields its example shows; and the typed answers of the
//! account and market-data routes ([`V1Data`] and the others below), whose `data` the document
//! describes field by field.

use std::borrow::Cow;

use keygate_broker::{Exchange, Ledger, Position};
use serde::Serialize;
use utoipa::ToSchema;

use super::views::{position_book, PositionRow, Qty, QuoteView};

use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;

/// A `/api/v1` 200 answer.
#[derive(Debug)]
pub struct V1Success;

impl utoipa::PartialSchema for V1Success {
    fn schema() -> RefOr<Schema> {
        RefOr::T(
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .description(Some(
                    "`status` is always `success`; `mode` is `analyze` only while the analyzer \
                     is on; the operation's fields (see its example) come beside them.",
                ))
                .property(
                    "status",
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .enum_values(Some(["success"])),
                )
                .required("status")
                .property(
                    "mode",
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .enum_values(Some(["analyze"])),
                )
                .into(),
        )
    }
}

impl utoipa::ToSchema for V1Success {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("V1Success")
    }
}

/// The `status` of every success answer.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub enum Success {
    /// `success`.
    #[serde(rename = "success")]
    Success,
}

/// The `mode` of an answer served from the analyzer's ledger.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub enum AnalyzeMode {
    /// `analyze`.
    #[serde(rename = "analyze")]
    Analyze,
}

fn mode_of(ledger: Ledger) -> Option<AnalyzeMode> {
    (ledger == Ledger::Analyze).then_some(AnalyzeMode::Analyze)
}

/// `{"status":"success","data":...}`, with `"mode":"analyze"` on the analyzer's ledger: the
/// account routes' answers, typed so the document shows each one's `data`.
#[derive(Debug, Serialize, ToSchema)]
pub struct V1Data<T> {
    /// Always `success`.
    pub status: Success,
    /// `analyze` while the analyzer is on; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<AnalyzeMode>,
    /// The operation's data.
    pub data: T,
}

impl<T> V1Data<T> {
    /// `data` as served from `ledger`.
    pub fn new(ledger: Ledger, data: T) -> Self {
        Self {
            status: Success::Success,
            mode: mode_of(ledger),
            data,
        }
    }

    /// `data` from the market, which has no ledger and never a `mode`.
    pub fn market(data: T) -> Self {
        Self::new(Ledger::Live, data)
    }
}

/// §5.12's answer: the rows, and in the analyzer its totals beside them.
#[derive(Debug, Serialize, ToSchema)]
pub struct PositionBookAnswer {
    /// Always `success`.
    pub status: Success,
    /// `analyze` while the analyzer is on; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<AnalyzeMode>,
    /// One row per position (closed ones with quantity 0).
    pub data: Vec<PositionRow>,
    /// Sum of `pnl` (analyzer only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_pnl: Option<f64>,
    /// Sum of today's P&L (analyzer only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_pnl_today: Option<f64>,
    /// Sum of today's booked P&L (analyzer only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_today_realized_pnl: Option<f64>,
    /// Sum of unrealised P&L (analyzer only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_unrealized_pnl: Option<f64>,
}

impl PositionBookAnswer {
    /// `positions` as `ledger` shows them.
    pub fn new(positions: &[Position], ledger: Ledger) -> Self {
        let (data, totals) = position_book(positions, ledger);
        Self {
            status: Success::Success,
            mode: mode_of(ledger),
            data,
            total_pnl: totals.as_ref().map(|t| t.total_pnl),
            total_pnl_today: totals.as_ref().map(|t| t.total_pnl_today),
            total_today_realized_pnl: totals.as_ref().map(|t| t.total_today_realized_pnl),
            total_unrealized_pnl: totals.as_ref().map(|t| t.total_unrealized_pnl),
        }
    }
}

/// §5.9's answer: the net quantity of one position.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpenPositionAnswer {
    /// Always `success`.
    pub status: Success,
    /// `analyze` while the analyzer is on; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<AnalyzeMode>,
    /// Net quantity: positive long, negative short, 0 when flat or unknown.
    pub quantity: Qty,
}

impl OpenPositionAnswer {
    /// `quantity` as served from `ledger`.
    pub fn new(ledger: Ledger, quantity: f64) -> Self {
        Self {
            status: Success::Success,
            mode: mode_of(ledger),
            quantity: Qty(quantity),
        }
    }
}

/// One symbol's result in §5.16's multiquotes answer: its quote, or why there is none.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuoteResult {
    /// The symbol asked for.
    pub symbol: String,
    /// Its exchange.
    #[schema(value_type = String)]
    pub exchange: Exchange,
    /// The quote (absent when `error` is set).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<QuoteView>,
    /// Why there is no quote (unknown symbol).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// §5.16's answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct MultiQuotesAnswer {
    /// Always `success`.
    pub status: Success,
    /// Unknown symbols first, then the quotes, each in the order asked.
    pub results: Vec<QuoteResult>,
}
