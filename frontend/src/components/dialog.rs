//! A modal dialog drawn over the page.

use yew::prelude::*;

/// Properties of [`Modal`].
#[derive(Properties, PartialEq)]
pub struct ModalProps {
    /// Heading.
    pub title: AttrValue,
    /// `data-testid` of the dialog box.
    pub testid: AttrValue,
    /// Shows a × button that calls this.
    #[prop_or_default]
    pub on_close: Option<Callback<()>>,
    /// Body.
    pub children: Html,
}

/// A centred dialog over a dimmed page. It closes only through its own buttons, so a stray
/// click cannot lose a key that is shown once.
#[function_component(Modal)]
pub fn modal(props: &ModalProps) -> Html {
    let close = props.on_close.as_ref().map(|on_close| {
        let onclick = on_close.reform(|_: MouseEvent| ());
        html! {
            <button type="button" class="dialog-close" aria-label="Close" {onclick}>{ "×" }</button>
        }
    });
    html! {
        <div class="overlay">
            <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="dialog-title"
                 data-testid={props.testid.clone()}>
                <header class="dialog-header">
                    <h2 id="dialog-title">{ props.title.clone() }</h2>
                    { close }
                </header>
                <div class="dialog-body">{ props.children.clone() }</div>
            </div>
        </div>
    }
}
