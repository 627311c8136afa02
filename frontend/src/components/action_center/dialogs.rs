//! Dialogs of the Action Center: the price-move confirmation and the rejection reason.

use keygate_types::action_center::PendingOrder;
use yew::prelude::*;

use crate::api;
use crate::components::{error_alert, modal, Field};
use crate::hooks::use_mutation;

/// Properties of [`ConfirmMoveDialog`].
#[derive(Properties, PartialEq)]
pub struct ConfirmMoveDialogProps {
    /// The item to approve.
    pub target: PendingOrder,
    /// The server's warning (the figures).
    pub warning: AttrValue,
    /// Called with the decided item after the confirmed approval.
    pub on_done: Callback<PendingOrder>,
    /// Called when the user changes their mind.
    pub on_cancel: Callback<()>,
}

/// "The price moved": approve anyway (`confirm: true`) or leave it pending.
#[function_component(ConfirmMoveDialog)]
pub fn confirm_move_dialog(props: &ConfirmMoveDialogProps) -> Html {
    let mutation = use_mutation();
    let confirm = {
        let (mutation, id, on_done) = (mutation.clone(), props.target.id, props.on_done.clone());
        Callback::from(move |_: MouseEvent| {
            let on_done = on_done.clone();
            mutation.run(
                move |csrf| async move { api::action_center::approve(&csrf, id, true).await },
                move |item| on_done.emit(item),
            );
        })
    };
    let cancel = props.on_cancel.reform(|_: MouseEvent| ());
    html! {
            { modal("The price has moved".into(), "confirm-move-dialog", None, html! { <>
                <p data-testid="move-warning">{ props.warning.clone() }</p>
                <p>{ "Approve anyway to execute the order at today's market, or keep it pending." }</p>
                { error_alert(mutation.error(), "error") }
                <div class="dialog-actions">
                    <button type="button" class="btn" onclick={cancel}>{ "Keep pending" }</button>
                    <button type="button" class="btn btn-primary" data-testid="confirm-approve"
                            disabled={mutation.busy()} onclick={confirm}>
                        { "Approve anyway" }
                    </button>
                </div>

    </> }) }
        }
}

/// Properties of [`RejectDialog`].
#[derive(Properties, PartialEq)]
pub struct RejectDialogProps {
    /// The item to reject.
    pub target: PendingOrder,
    /// Called with the rejected item.
    pub on_done: Callback<PendingOrder>,
    /// Called when the user changes their mind.
    pub on_cancel: Callback<()>,
}

/// "Reject order?" with a reason.
#[function_component(RejectDialog)]
pub fn reject_dialog(props: &RejectDialogProps) -> Html {
    let mutation = use_mutation();
    let reason = use_state(String::new);
    let oninput = {
        let reason = reason.clone();
        Callback::from(move |value: String| reason.set(value))
    };
    let confirm = {
        let (mutation, id, on_done, reason) = (
            mutation.clone(),
            props.target.id,
            props.on_done.clone(),
            reason.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let text = (*reason).trim().to_owned();
            if text.is_empty() {
                mutation.fail(api::ApiError::invalid("reason", "Give a reason."));
                return;
            }
            let on_done = on_done.clone();
            mutation.run(
                move |csrf| async move { api::action_center::reject(&csrf, id, text).await },
                move |item| on_done.emit(item),
            );
        })
    };
    let cancel = props.on_cancel.reform(|_: MouseEvent| ());
    let error = mutation.error();
    html! {
            { modal(format!("Reject pending order {}?", props.target.id).into(), "reject-dialog", None, html! { <>
                { Field { id: "reject-reason".into(), label: "Reason".into(),
                    value: (*reason).clone().into(), oninput,
                    placeholder: Some("e.g. outside my trading plan".into()),
                    errors: api::field_errors(&error, "reason"), ..Field::default() }.text_area() }
                { error_alert(error.filter(|e| e.field("reason").is_empty()), "error") }
                <div class="dialog-actions">
                    <button type="button" class="btn" onclick={cancel}>{ "Cancel" }</button>
                    <button type="button" class="btn btn-danger" data-testid="reject-confirm"
                            disabled={mutation.busy()} onclick={confirm}>
                        { "Reject order" }
                    </button>
                </div>

    </> }) }
        }
}
