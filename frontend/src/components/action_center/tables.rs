//! The pending items (with Approve and Reject) and the decided ones.

use chrono::{DateTime, Utc};
use keygate_types::action_center::{PendingOrder, PendingState};
use yew::prelude::*;

use crate::format::{local_time, local_time_or};

/// What the user asked to do with a pending item.
#[derive(Debug, Clone, PartialEq)]
pub enum PendingAction {
    /// Execute it now.
    Approve(PendingOrder),
    /// Drop it, with a reason.
    Reject(PendingOrder),
}

/// `12m 05s` until `at` (from `now`), or `expired`.
pub fn expires_in(at: &DateTime<Utc>, now: &DateTime<Utc>) -> String {
    let secs = (*at - *now).num_seconds();
    if secs <= 0 {
        return "expired".to_owned();
    }
    format!("{}m {:02}s", secs / 60, secs % 60)
}

fn price(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_owned(), |p| format!("{p:.2}"))
}

fn quantity(item: &PendingOrder) -> String {
    item.quantity
        .map_or_else(|| "—".to_owned(), |q| q.to_string())
}

fn text(value: &Option<String>) -> String {
    value.clone().unwrap_or_else(|| "—".to_owned())
}

/// The price move since queueing, in percent, as shown next to the prices.
fn move_text(item: &PendingOrder) -> Html {
    match (item.reference_price, item.current_price) {
        (Some(reference), Some(current)) if reference > 0.0 => {
            let pct = (current - reference) / reference * 100.0;
            html! { <small class="muted">{ format!(" ({pct:+.2}%)") }</small> }
        }
        _ => html! {},
    }
}

/// What the row calls the order: the op, plus the instrument when it names one.
fn what(item: &PendingOrder) -> String {
    match (&item.symbol, &item.exchange) {
        (Some(symbol), Some(exchange)) => format!("{symbol} ({exchange})"),
        _ => item.op.clone(),
    }
}

/// Properties of [`PendingTable`].
#[derive(Properties, PartialEq)]
pub struct PendingTableProps {
    /// The pending items.
    pub items: Vec<PendingOrder>,
    /// Called when a row's button is used.
    pub on_action: Callback<PendingAction>,
    /// Disables the buttons while a decision is being sent.
    #[prop_or_default]
    pub busy: bool,
    /// The item the page was opened for (`?item=`), highlighted.
    #[prop_or_default]
    pub highlight: Option<i64>,
}

/// The row's element id (the page scrolls to it) and, for the highlighted item, its class.
fn anchor(item: &PendingOrder, highlight: Option<i64>) -> (String, Option<&'static str>) {
    (
        format!("item-{}", item.id),
        (highlight == Some(item.id)).then_some("row-highlight"),
    )
}

/// Pending items: symbol, action, quantity, price type, key, queued at, expires in, reference vs
/// current price, and Approve / Reject buttons.
pub fn pending_table(props: &PendingTableProps) -> Html {
    if props.items.is_empty() {
        return html! {
            <p class="empty" data-testid="pending-empty">
                { "Nothing waiting. Orders from semi-auto keys appear here for your approval." }
            </p>
        };
    }
    let now = Utc::now();
    let row = |item: &PendingOrder| {
        let approve = {
            let item = item.clone();
            props
                .on_action
                .reform(move |_: MouseEvent| PendingAction::Approve(item.clone()))
        };
        let reject = {
            let item = item.clone();
            props
                .on_action
                .reform(move |_: MouseEvent| PendingAction::Reject(item.clone()))
        };
        let (id, row_class) = anchor(item, props.highlight);
        html! {
            <tr data-testid="pending-row" data-id={item.id.to_string()} {id} class={classes!(row_class)}>
                <td><strong>{ what(item) }</strong><br /><small class="muted">{ &item.op }</small></td>
                <td>{ text(&item.action) }</td>
                <td>{ quantity(item) }</td>
                <td>{ text(&item.pricetype) }{ " / " }{ text(&item.product) }</td>
                <td>{ text(&item.key_name) }
                    if item.ledger == "analyze" { <span class="tag">{ "analyzer" }</span> }
                </td>
                <td>{ local_time(&item.created_at) }</td>
                <td data-testid="expires-in">{ expires_in(&item.expires_at, &now) }</td>
                <td>{ price(item.reference_price) }{ " → " }{ price(item.current_price) }{ move_text(item) }</td>
                <td>
                    <div class="actions">
                        <button type="button" class="btn btn-small btn-primary" data-testid="approve"
                                disabled={props.busy} onclick={approve}>{ "Approve" }</button>
                        <button type="button" class="btn btn-small btn-danger" data-testid="reject"
                                disabled={props.busy} onclick={reject}>{ "Reject" }</button>
                    </div>
                </td>
            </tr>
        }
    };
    html! {
        <div class="table-wrap">
            <table class="table" data-testid="pending-table">
                <thead>
                    <tr>
                        <th>{ "Order" }</th><th>{ "Action" }</th><th>{ "Qty" }</th>
                        <th>{ "Type / product" }</th><th>{ "Key" }</th><th>{ "Queued" }</th>
                        <th>{ "Expires in" }</th><th>{ "Reference → current" }</th><th>{ "Decide" }</th>
                    </tr>
                </thead>
                <tbody>{ for props.items.iter().map(row) }</tbody>
            </table>
        </div>
    }
}

/// The label and status class of a decided state.
pub fn state_label(state: PendingState) -> (&'static str, &'static str) {
    match state {
        PendingState::Pending => ("Pending", "warn"),
        PendingState::Executing => ("Executing", "warn"),
        PendingState::Approved => ("Approved", "ok"),
        PendingState::Failed => ("Failed", "bad"),
        PendingState::Rejected => ("Rejected", "bad"),
        PendingState::Expired => ("Expired", "muted"),
    }
}

/// Properties of [`HistoryTable`].
#[derive(Properties, PartialEq)]
pub struct HistoryTableProps {
    /// The decided items, newest first.
    pub items: Vec<PendingOrder>,
    /// The item the page was opened for (`?item=`), highlighted.
    pub highlight: Option<i64>,
}

/// Decided items: outcome, broker order id and status, or the reason / error.
pub fn history_table(props: &HistoryTableProps) -> Html {
    if props.items.is_empty() {
        return html! { <p class="empty" data-testid="history-empty">{ "No decisions yet." }</p> };
    }
    let row = |item: &PendingOrder| {
        let (label, class) = state_label(item.state);
        let detail = match item.state {
            PendingState::Approved => format!(
                "order {} ({})",
                text(&item.broker_order_id),
                text(&item.broker_status)
            ),
            PendingState::Failed => text(&item.error),
            PendingState::Rejected => text(&item.reason),
            _ => String::new(),
        };
        let (id, row_class) = anchor(item, props.highlight);
        html! {
            <tr data-testid="history-row" data-id={item.id.to_string()} {id} class={classes!(row_class)}>
                <td><span class={classes!("status", class)} data-testid="history-state">{ label }</span></td>
                <td><strong>{ what(item) }</strong><br /><small class="muted">{ &item.op }</small></td>
                <td>{ text(&item.action) }{ " " }{ quantity(item) }</td>
                <td>{ text(&item.key_name) }</td>
                <td>{ local_time(&item.created_at) }</td>
                <td>{ local_time_or(item.decided_at.as_ref(), "—") }
                    if let Some(by) = &item.decided_by { <br /><small class="muted">{ by }</small> }
                </td>
                <td data-testid="history-detail">{ detail }</td>
            </tr>
        }
    };
    html! {
        <div class="table-wrap">
            <table class="table table-compact" data-testid="history-table">
                <thead>
                    <tr>
                        <th>{ "Outcome" }</th><th>{ "Order" }</th><th>{ "Side / qty" }</th>
                        <th>{ "Key" }</th><th>{ "Queued" }</th><th>{ "Decided" }</th><th>{ "Detail" }</th>
                    </tr>
                </thead>
                <tbody>{ for props.items.iter().map(row) }</tbody>
            </table>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_counts_down_in_minutes_and_seconds() {
        let now = Utc::now();
        assert_eq!(
            expires_in(&(now + chrono::Duration::seconds(125)), &now),
            "2m 05s"
        );
        assert_eq!(expires_in(&now, &now), "expired");
    }
}
