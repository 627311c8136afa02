//! Labelled form fields that show their own validation problems.
//!
//! Plain functions rather than components: they hold no state, and every
//! `#[function_component]` adds its own copy of Yew's component machinery to the WebAssembly.

use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

/// What a labelled field shows; draw it with [`Field::input`] or [`Field::text_area`].
#[derive(Default)]
pub struct Field {
    /// Element id and name (also what browser tests select on).
    pub id: AttrValue,
    /// Visible label.
    pub label: AttrValue,
    /// Current value.
    pub value: AttrValue,
    /// Called with the new value on every keystroke.
    pub oninput: Callback<String>,
    /// `type` of an `<input>` (`text` when absent).
    pub input_type: Option<AttrValue>,
    /// `autocomplete` attribute of an `<input>`.
    pub autocomplete: Option<AttrValue>,
    /// Placeholder text of a `<textarea>`.
    pub placeholder: Option<AttrValue>,
    /// Short help under the field.
    pub hint: Option<AttrValue>,
    /// Problems with the current value.
    pub errors: Vec<String>,
    /// Whether an `<input>` must be filled in.
    pub required: bool,
}

impl Field {
    /// A labelled `<input>`.
    pub fn input(self) -> Html {
        let oninput = self
            .oninput
            .reform(|e: InputEvent| e.target_unchecked_into::<HtmlInputElement>().value());
        let invalid = !self.errors.is_empty();
        let input_type = self.input_type.clone();
        let control = html! {
            <input
                id={self.id.clone()}
                name={self.id.clone()}
                type={input_type.unwrap_or(AttrValue::Static("text"))}
                value={self.value.clone()}
                autocomplete={self.autocomplete.clone()}
                required={self.required}
                aria-invalid={invalid.then_some("true")}
                {oninput}
            />
        };
        self.wrap(control)
    }

    /// A labelled `<textarea>`.
    pub fn text_area(self) -> Html {
        let oninput = self
            .oninput
            .reform(|e: InputEvent| e.target_unchecked_into::<HtmlTextAreaElement>().value());
        let invalid = !self.errors.is_empty();
        let control = html! {
            <textarea
                id={self.id.clone()}
                name={self.id.clone()}
                rows="3"
                value={self.value.clone()}
                placeholder={self.placeholder.clone()}
                aria-invalid={invalid.then_some("true")}
                {oninput}
            />
        };
        self.wrap(control)
    }

    /// `control` with the label above it and the hint and problems below.
    fn wrap(self, control: Html) -> Html {
        let invalid = !self.errors.is_empty();
        html! {
            <div class={classes!("field", invalid.then_some("invalid"))}>
                <label for={self.id}>{ self.label }</label>
                { control }
                if let Some(text) = self.hint {
                    <small class="hint">{ text }</small>
                }
                { error_list(&self.errors) }
            </div>
        }
    }
}

/// The problems with a field, or nothing.
pub fn error_list(errors: &[String]) -> Html {
    if errors.is_empty() {
        return html! {};
    }
    html! {
        <ul class="field-errors">
            { for errors.iter().map(|e| html! { <li>{ e.clone() }</li> }) }
        </ul>
    }
}
