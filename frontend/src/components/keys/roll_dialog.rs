//! Confirms a roll and chooses how long the old secret keeps working.

use keygate_types::keys::{ApiKeyCreated, ApiKeySummary, RollApiKey};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::api;
use crate::components::{error_alert, modal};
use crate::hooks::use_mutation;

/// Properties of [`RollDialog`].
#[derive(Properties, PartialEq)]
pub struct RollDialogProps {
    /// The key to roll.
    pub target: ApiKeySummary,
    /// Called with the new secret after the roll.
    pub on_done: Callback<ApiKeyCreated>,
    /// Called when the user changes their mind.
    pub on_cancel: Callback<()>,
}

/// Grace choices: seconds and label.
const GRACE: [(u32, &str); 3] = [
    (0, "Stop the old key now"),
    (3_600, "Keep the old key working for 1 hour"),
    (86_400, "Keep the old key working for 24 hours"),
];

/// "Roll key?" with a choice between stopping the old key now and a grace period.
#[function_component(RollDialog)]
pub fn roll_dialog(props: &RollDialogProps) -> Html {
    let mutation = use_mutation();
    let grace = use_state(|| 0u32);
    let confirm = {
        let (mutation, grace, id, on_done) = (
            mutation.clone(),
            grace.clone(),
            props.target.id,
            props.on_done.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let body = RollApiKey {
                grace_seconds: *grace,
            };
            let on_done = on_done.clone();
            mutation.run(
                move |csrf| async move { api::keys::roll(&csrf, id, &body).await },
                move |created| on_done.emit(created),
            );
        })
    };
    let option = |(seconds, label): &(u32, &'static str)| {
        let seconds = *seconds;
        let id = format!("roll-grace-{seconds}");
        let onchange = {
            let grace = grace.clone();
            Callback::from(move |e: Event| {
                if e.target_unchecked_into::<HtmlInputElement>().checked() {
                    grace.set(seconds);
                }
            })
        };
        html! {
            <label class="check" for={id.clone()}>
                <input type="radio" name="roll-grace" id={id} checked={*grace == seconds} {onchange} />
                <span>{ *label }</span>
            </label>
        }
    };
    let cancel = props.on_cancel.reform(|_: MouseEvent| ());
    html! {
            { modal(format!("Roll key \"{}\"?", props.target.name).into(), "roll-dialog", None, html! { <>
                <p>
                    { "A new secret replaces " }<code class="masked">{ &props.target.masked_key }</code>
                    { ". Scopes, mode and allowlist stay the same. The new secret is shown once." }
                </p>
                <fieldset class="field">
                    <legend>{ "The old key" }</legend>
                    <div class="checks">{ for GRACE.iter().map(option) }</div>
                    <small class="hint">
                        { "A grace period lets your bots switch over; the key list shows which addresses still use the old key." }
                    </small>
                </fieldset>
                { error_alert(mutation.error(), "error") }
                <div class="dialog-actions">
                    <button type="button" class="btn" onclick={cancel}>{ "Cancel" }</button>
                    <button type="button" class="btn btn-primary" data-testid="roll-confirm"
                            disabled={mutation.busy()} onclick={confirm}>
                        { "Roll key" }
                    </button>
                </div>

    </> }) }
        }
}
