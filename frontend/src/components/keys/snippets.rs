//! Ready-to-paste uses of one key: a TradingView alert, curl, the `openalgo` Python SDK and a
//! `.env` file. The key is shown masked; "Reveal in snippets" fetches it through the audited reveal
//! route and keeps it in this component's state only (never stored in the browser).

use keygate_types::keys::{ApiKeySummary, KeyState};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::api;
use crate::components::error_alert;
use crate::components::CopyButton;
use crate::hooks::{use_mutation, use_session};

/// One snippet: heading, `data-testid`, a line above it, the text.
#[derive(Debug, Clone, PartialEq)]
pub struct Snippet {
    /// What it is for.
    pub title: &'static str,
    /// `data-testid` of its text.
    pub testid: &'static str,
    /// Where it goes.
    pub note: String,
    /// The text to paste.
    pub text: String,
}

/// The four snippets for `key` (plaintext or masked) on a server at `origin` with its feed at
/// `ws_url`.
pub fn snippets(key: &str, origin: &str, ws_url: &str) -> [Snippet; 4] {
    [
        Snippet {
            title: "TradingView alert",
            testid: "key-snippet-tradingview",
            note: format!("Webhook URL: {origin}/api/webhook/tradingview — alert message:"),
            text: format!(
                r#"{{"apikey":"{key}","strategy":"TV","symbol":"SBIN","action":"BUY","exchange":"NSE","pricetype":"MARKET","product":"MIS","quantity":"1"}}"#
            ),
        },
        Snippet {
            title: "curl",
            testid: "key-snippet-curl",
            note: "The key in the X-API-KEY header:".to_owned(),
            text: format!(
                "curl -s -X POST {origin}/api/v1/funds \\\n  -H 'Content-Type: application/json' \\\n  -H 'X-API-KEY: {key}' \\\n  -d '{{}}'"
            ),
        },
        Snippet {
            title: "Python (openalgo SDK)",
            testid: "key-snippet-python",
            note: "pip install openalgo, then:".to_owned(),
            text: format!(
                "from openalgo import api\n\nclient = api(api_key=\"{key}\", host=\"{origin}\", ws_url=\"{ws_url}\")\nprint(client.funds())"
            ),
        },
        Snippet {
            title: ".env",
            testid: "key-snippet-env",
            note: "For scripts that read their settings from the environment:".to_owned(),
            text: format!("OPENALGO_API_KEY={key}\nOPENALGO_HOST={origin}\nOPENALGO_WS_URL={ws_url}"),
        },
    ]
}

/// Properties of [`KeySnippets`].
#[derive(Properties, PartialEq)]
pub struct KeySnippetsProps {
    /// The user's keys; revoked ones are left out.
    pub keys: Vec<ApiKeySummary>,
}

/// A key picker, the reveal switch and the four snippets.
#[function_component(KeySnippets)]
pub fn key_snippets(props: &KeySnippetsProps) -> Html {
    let session = use_session();
    let reveal = use_mutation();
    let chosen = use_state(|| None::<i64>);
    // The revealed plaintext and the key it belongs to.
    let revealed = use_state(|| None::<(i64, String)>);
    let usable: Vec<&ApiKeySummary> = props
        .keys
        .iter()
        .filter(|k| k.state != KeyState::Revoked)
        .collect();
    let Some(key) = chosen
        .and_then(|id| usable.iter().find(|k| k.id == id))
        .or(usable.first())
        .copied()
    else {
        return html! {};
    };
    let plaintext = revealed
        .as_ref()
        .filter(|(id, _)| *id == key.id)
        .map(|(_, text)| text.clone());
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    let ws_url = session.ws_url().unwrap_or_default();
    let shown = plaintext.as_deref().unwrap_or(&key.masked_key);
    let on_pick = {
        let (chosen, revealed) = (chosen.clone(), revealed.clone());
        Callback::from(move |e: Event| {
            let value = e.target_unchecked_into::<HtmlSelectElement>().value();
            revealed.set(None);
            chosen.set(value.parse().ok());
        })
    };
    let on_reveal = {
        let (reveal, revealed, id) = (reveal.clone(), revealed.clone(), key.id);
        let shown = plaintext.is_some();
        Callback::from(move |_: MouseEvent| {
            if shown {
                revealed.set(None);
                return;
            }
            let revealed = revealed.clone();
            reveal.run(
                move |csrf| async move { api::keys::reveal(&csrf, id).await },
                move |answer| revealed.set(Some((id, answer.api_key))),
            );
        })
    };
    let block = |s: Snippet| {
        html! {
            <div class="snippet">
                <h3>{ s.title }</h3>
                <p class="hint">{ s.note }</p>
                <pre data-testid={s.testid}>{ s.text.clone() }</pre>
                <CopyButton text={s.text} testid={format!("{}-copy", s.testid)} />
            </div>
        }
    };
    html! {
        <div class="card" data-testid="key-snippets">
            <div class="card-header snippets-header">
                <h2>{ "Use a key" }</h2>
                <div class="snippet-bar">
                    <label for="snippet-key" class="muted">{ "Key" }</label>
                    <select id="snippet-key" data-testid="key-snippet-key" onchange={on_pick}>
                        { for usable.iter().map(|k| html! {
                            <option value={k.id.to_string()} selected={k.id == key.id}>{ &k.name }</option>
                        }) }
                    </select>
                    <button type="button" class="btn btn-small" data-testid="key-snippet-reveal"
                            disabled={reveal.busy()} onclick={on_reveal}>
                        { if plaintext.is_some() { "Mask key" } else { "Reveal key in snippets" } }
                    </button>
                </div>
            </div>
            <p class="hint">
                { "The key is masked. Revealing fetches it in full through the audited reveal (recorded in the key's audit trail) and keeps it on this page only, until you mask it or leave." }
            </p>
            { error_alert(reveal.error(), "key-snippet-error") }
            <div class="snippets">
                { for snippets(shown, &origin, ws_url).into_iter().map(block) }
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_snippet_carries_the_key_and_the_server_address() {
        let all = snippets("KEY", "http://127.0.0.1:5000", "ws://127.0.0.1:5000/ws");
        for s in &all {
            assert!(s.text.contains("KEY"), "{}", s.title);
        }
        assert!(all[0]
            .note
            .contains("http://127.0.0.1:5000/api/webhook/tradingview"));
        assert!(all[1].text.contains("-H 'X-API-KEY: KEY'"));
        assert!(all[2].text.contains("ws_url=\"ws://127.0.0.1:5000/ws\""));
        assert_eq!(
            all[3].text,
            "OPENALGO_API_KEY=KEY\nOPENALGO_HOST=http://127.0.0.1:5000\nOPENALGO_WS_URL=ws://127.0.0.1:5000/ws"
        );
        let alert: serde_json::Value = serde_json::from_str(&all[0].text).unwrap();
        assert_eq!(alert["apikey"], "KEY");
    }
}
