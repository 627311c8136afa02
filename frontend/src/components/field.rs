//! Labelled form fields that show their own validation problems.

use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

/// Properties of [`InputField`].
#[derive(Properties, PartialEq)]
pub struct InputFieldProps {
    /// Element id (also what browser tests select on).
    pub id: AttrValue,
    /// Visible label.
    pub label: AttrValue,
    /// Current value.
    pub value: AttrValue,
    /// Called with the new value on every keystroke.
    pub oninput: Callback<String>,
    /// `type` attribute.
    #[prop_or(AttrValue::Static("text"))]
    pub input_type: AttrValue,
    /// `autocomplete` attribute.
    #[prop_or_default]
    pub autocomplete: Option<AttrValue>,
    /// Short help under the field.
    #[prop_or_default]
    pub hint: Option<AttrValue>,
    /// Problems with the current value.
    #[prop_or_default]
    pub errors: Vec<String>,
    /// Whether the field must be filled in.
    #[prop_or_default]
    pub required: bool,
}

/// A labelled `<input>`.
#[function_component(InputField)]
pub fn input_field(props: &InputFieldProps) -> Html {
    let oninput = props
        .oninput
        .reform(|e: InputEvent| e.target_unchecked_into::<HtmlInputElement>().value());
    let invalid = !props.errors.is_empty();
    html! {
        <div class={classes!("field", invalid.then_some("invalid"))}>
            <label for={props.id.clone()}>{ props.label.clone() }</label>
            <input
                id={props.id.clone()}
                name={props.id.clone()}
                type={props.input_type.clone()}
                value={props.value.clone()}
                autocomplete={props.autocomplete.clone()}
                required={props.required}
                aria-invalid={invalid.then_some("true")}
                {oninput}
            />
            { hint(&props.hint) }
            { error_list(&props.errors) }
        </div>
    }
}

/// Properties of [`TextAreaField`].
#[derive(Properties, PartialEq)]
pub struct TextAreaFieldProps {
    /// Element id.
    pub id: AttrValue,
    /// Visible label.
    pub label: AttrValue,
    /// Current value.
    pub value: AttrValue,
    /// Called with the new value on every keystroke.
    pub oninput: Callback<String>,
    /// Placeholder text.
    #[prop_or_default]
    pub placeholder: Option<AttrValue>,
    /// Short help under the field.
    #[prop_or_default]
    pub hint: Option<AttrValue>,
    /// Problems with the current value.
    #[prop_or_default]
    pub errors: Vec<String>,
}

/// A labelled `<textarea>`.
#[function_component(TextAreaField)]
pub fn text_area_field(props: &TextAreaFieldProps) -> Html {
    let oninput = props
        .oninput
        .reform(|e: InputEvent| e.target_unchecked_into::<HtmlTextAreaElement>().value());
    let invalid = !props.errors.is_empty();
    html! {
        <div class={classes!("field", invalid.then_some("invalid"))}>
            <label for={props.id.clone()}>{ props.label.clone() }</label>
            <textarea
                id={props.id.clone()}
                name={props.id.clone()}
                rows="3"
                value={props.value.clone()}
                placeholder={props.placeholder.clone()}
                aria-invalid={invalid.then_some("true")}
                {oninput}
            />
            { hint(&props.hint) }
            { error_list(&props.errors) }
        </div>
    }
}

fn hint(hint: &Option<AttrValue>) -> Html {
    match hint {
        Some(text) => html! { <small class="hint">{ text.clone() }</small> },
        None => html! {},
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
