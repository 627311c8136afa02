//! The Action Center: orders from semi-auto keys waiting for the user's decision, and the history
//! of decisions. Approving executes the order; when the price moved more than the server's limit
//! since queueing, a dialog asks for confirmation first. `?item=<id>` (the Playground's link for a
//! semi-auto key's order) scrolls to that item and highlights it.

use keygate_types::action_center::{PendingOrder, PendingState};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api;
use crate::components::action_center::{
    history_table, pending_table, ChartinkTokens, ConfirmMoveDialog, HistoryTableProps,
    PendingAction, PendingTableProps, RejectDialog,
};
use crate::components::{alert, error_alert, AlertKind};
use crate::hooks::{use_mutation, use_remote, Remote};

/// The dialog open over the page, if any.
#[derive(Clone, PartialEq)]
enum Dialog {
    ConfirmMove(PendingOrder, String),
    Reject(PendingOrder),
}

/// What a decided item's notice says.
fn outcome(item: &PendingOrder) -> (AlertKind, String) {
    match item.state {
        PendingState::Approved => (
            AlertKind::Success,
            format!(
                "Order {} executed: broker order {} ({}).",
                item.id,
                item.broker_order_id.as_deref().unwrap_or("—"),
                item.broker_status.as_deref().unwrap_or("—")
            ),
        ),
        PendingState::Failed => (
            AlertKind::Error,
            format!(
                "Order {} was approved but the broker refused it: {}",
                item.id,
                item.error.as_deref().unwrap_or("unknown error")
            ),
        ),
        PendingState::Rejected => (AlertKind::Success, format!("Order {} rejected.", item.id)),
        _ => (
            AlertKind::Info,
            format!("Order {} is {:?}.", item.id, item.state),
        ),
    }
}

/// The Action Center's address for one item (the Playground links a queued order here).
pub fn item_href(id: i64) -> String {
    format!("/action-center?item={id}")
}

/// The item named by a query string such as `?item=12` (read by hand: a serde query type would
/// cost the wasm a deserializer of its own).
fn item_of(query: &str) -> Option<i64> {
    query
        .trim_start_matches('?')
        .split('&')
        .find_map(|pair| pair.strip_prefix("item="))
        .and_then(|id| id.parse().ok())
}

/// `/action-center`.
#[function_component(ActionCenterPage)]
pub fn action_center_page() -> Html {
    let version = use_state(|| 0u32);
    let items = use_remote(*version, api::action_center::list);
    let dialog = use_state(|| None::<Dialog>);
    let notice = use_state(|| None::<(AlertKind, String)>);
    let approval = use_mutation();
    let highlight = use_location().and_then(|l| item_of(l.query_str()));
    // Whether the list holds the highlighted item: None until the list is loaded.
    let found = match &*items {
        Remote::Loaded(Ok(items)) => highlight.map(|id| items.iter().any(|i| i.id == id)),
        _ => None,
    };
    use_effect_with((highlight, found), |(highlight, found)| {
        if let (Some(id), Some(true)) = (highlight, found) {
            let row = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id(&format!("item-{id}")));
            if let Some(row) = row {
                row.scroll_into_view();
            }
        }
    });

    let decided = {
        let (version, dialog, notice) = (version.clone(), dialog.clone(), notice.clone());
        Callback::from(move |item: PendingOrder| {
            dialog.set(None);
            notice.set(Some(outcome(&item)));
            version.set(*version + 1);
        })
    };
    let on_action = {
        let (dialog, approval, decided, notice) = (
            dialog.clone(),
            approval.clone(),
            decided.clone(),
            notice.clone(),
        );
        Callback::from(move |action: PendingAction| match action {
            PendingAction::Approve(item) => {
                notice.set(None);
                let (decided, dialog, id) = (decided.clone(), dialog.clone(), item.id);
                approval.run(
                    move |csrf| async move {
                        match api::action_center::approve(&csrf, id, false).await {
                            // The price moved: ask before approving with `confirm`.
                            Err(e) if e.status == 409 && !e.field("confirm").is_empty() => {
                                dialog.set(Some(Dialog::ConfirmMove(item, e.message.clone())));
                                Ok(None)
                            }
                            other => other.map(Some),
                        }
                    },
                    move |item: Option<PendingOrder>| {
                        if let Some(item) = item {
                            decided.emit(item);
                        }
                    },
                );
            }
            PendingAction::Reject(item) => dialog.set(Some(Dialog::Reject(item))),
        })
    };
    let reload = {
        let version = version.clone();
        Callback::from(move |_: MouseEvent| version.set(*version + 1))
    };
    let close = {
        let dialog = dialog.clone();
        Callback::from(move |()| dialog.set(None))
    };
    let open_dialog = match (*dialog).clone() {
        None => html! {},
        Some(Dialog::ConfirmMove(item, warning)) => html! {
            <ConfirmMoveDialog target={item} {warning} on_done={decided.clone()} on_cancel={close} />
        },
        Some(Dialog::Reject(item)) => html! {
            <RejectDialog target={item} on_done={decided.clone()} on_cancel={close} />
        },
    };
    let busy = approval.busy();

    html! {
        <section class="page" data-testid="action-center-page">
            <header class="page-header">
                <h1>{ "Action Center" }</h1>
                <p class="muted">{ "Orders from semi-auto keys wait here until you approve or reject them. Pending orders expire if nobody decides in time." }</p>
            </header>
            if let Some((kind, message)) = (*notice).clone() {
                { alert(kind, Some("action-center-notice"), html! { <> { message } </> }) }
            }
            { error_alert(approval.error(), "error") }
            if let (Some(id), Some(false)) = (highlight, found) {
                { alert(AlertKind::Info, Some("item-missing"), html! { <>{ format!("Item #{id} is not in your Action Center.") }</> }) }
            }
            <div class="card">
                <div class="card-header">
                    <h2>{ "Pending" }</h2>
                    <button type="button" class="btn btn-small" data-testid="refresh" onclick={reload}>{ "Refresh" }</button>
                </div>
                { items.view(|items| {
                    let pending: Vec<PendingOrder> = items.iter().filter(|i| i.state == PendingState::Pending).cloned().collect();
                    html! { { pending_table(&PendingTableProps { items: pending, on_action: on_action.clone(), busy, highlight }) } }
                }) }
            </div>
            <div class="card">
                <h2>{ "History" }</h2>
                { items.view(|items| {
                    let done: Vec<PendingOrder> = items.iter().filter(|i| i.state != PendingState::Pending).cloned().collect();
                    html! { { history_table(&HistoryTableProps { items: done, highlight }) } }
                }) }
            </div>
            <ChartinkTokens />
            { open_dialog }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_item_comes_from_the_query_and_round_trips_through_its_link() {
        assert_eq!(item_of("?item=12"), Some(12));
        assert_eq!(item_of("?x=1&item=7"), Some(7));
        assert_eq!(item_of(""), None);
        assert_eq!(item_of("?item=abc"), None);
        assert_eq!(item_of(item_href(42).split_once('?').unwrap().1), Some(42));
    }
}
