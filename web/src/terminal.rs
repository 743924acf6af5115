//! The terminal: a command line with history (↑/↓) and an output log that scrolls to the newest line.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::i18n::{Key, Lang};
use crate::state::{Action, AppState, LineKind};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub state: UseReducerHandle<AppState>,
}

#[function_component(Terminal)]
pub fn terminal(props: &Props) -> Html {
    let l = use_context::<Lang>().unwrap_or_default();
    let input_ref = use_node_ref();
    let output_ref = use_node_ref();
    // Position in the history while browsing with ↑/↓ (None: editing a new line).
    let cursor = use_mut_ref(|| None::<usize>);
    let line_count = props.state.inner.borrow().lines.len();

    {
        let output_ref = output_ref.clone();
        use_effect_with(line_count, move |_| {
            if let Some(el) = output_ref.cast::<web_sys::Element>() {
                el.set_scroll_top(el.scroll_height());
            }
        });
    }

    let onkeydown = {
        let state = props.state.clone();
        let cursor = cursor.clone();
        Callback::from(move |e: KeyboardEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            match e.key().as_str() {
                "Enter" => {
                    e.prevent_default();
                    let line = input.value();
                    input.set_value("");
                    *cursor.borrow_mut() = None;
                    state.dispatch(Action::Exec(line));
                }
                "ArrowUp" | "ArrowDown" => {
                    e.prevent_default();
                    let history = state.inner.borrow().history.clone();
                    let next = history_step(history.len(), *cursor.borrow(), e.key() == "ArrowUp");
                    *cursor.borrow_mut() = next;
                    input.set_value(next.map(|i| history[i].as_str()).unwrap_or(""));
                }
                "l" if e.ctrl_key() => {
                    e.prevent_default();
                    state.dispatch(Action::Clear);
                }
                _ => {}
            }
        })
    };

    // A paste of several lines (a heredoc with its manifest) runs as a terminal runs pasted lines: what
    // was typed before it, then every pasted line, at once.
    let onpaste = {
        let state = props.state.clone();
        let cursor = cursor.clone();
        Callback::from(move |e: Event| {
            let Ok(e) = wasm_bindgen::JsCast::dyn_into::<web_sys::ClipboardEvent>(e) else { return };
            let text = e.clipboard_data().and_then(|d| d.get_data("text/plain").ok()).unwrap_or_default();
            if !text.contains('\n') {
                return;
            }
            e.prevent_default();
            let input: HtmlInputElement = e.target_unchecked_into();
            let typed = input.value();
            input.set_value("");
            *cursor.borrow_mut() = None;
            state.dispatch(Action::Exec(format!("{typed}{}", text.replace("\r\n", "\n"))));
        })
    };

    let focus_input = {
        let input_ref = input_ref.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(input) = input_ref.cast::<HtmlInputElement>() {
                let _ = input.focus();
            }
        })
    };

    let inner = props.state.inner.borrow();
    html! {
        <section class="terminal" aria-label={l.t(Key::Terminal)} onclick={focus_input}>
            <div class="terminal-output" role="log" aria-label={l.t(Key::TerminalOutput)} aria-live="polite" ref={output_ref}>
                { for inner.lines.iter().map(|l| {
                    let class = match l.kind {
                        LineKind::Command => "line command",
                        LineKind::Stdout => "line stdout",
                        LineKind::Stderr => "line stderr",
                    };
                    html! { <pre class={class}>{ l.text.clone() }</pre> }
                }) }
            </div>
            <div class="terminal-prompt">
                <span class="prompt" aria-hidden="true">{"$"}</span>
                <input ref={input_ref} class="terminal-input" type="text" aria-label={l.t(Key::TerminalInput)}
                    autocomplete="off" autocapitalize="off" spellcheck="false" autofocus=true
                    placeholder={l.t(Key::TerminalPlaceholder)} {onkeydown} {onpaste} />
            </div>
        </section>
    }
}

/// The history entry ↑ (`up`) or ↓ moves to from `cursor` in a history of `len` entries; `None` is the
/// empty new line below the newest entry.
pub fn history_step(len: usize, cursor: Option<usize>, up: bool) -> Option<usize> {
    match (cursor, up) {
        (_, _) if len == 0 => None,
        (None, true) => Some(len - 1),
        (Some(i), true) => Some(i.saturating_sub(1)),
        (None, false) => None,
        (Some(i), false) if i + 1 < len => Some(i + 1),
        (Some(_), false) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::history_step;

    #[test]
    fn history_walks_up_stops_at_oldest_and_returns_to_an_empty_line() {
        assert_eq!(history_step(0, None, true), None);
        assert_eq!(history_step(3, None, true), Some(2));
        assert_eq!(history_step(3, Some(2), true), Some(1));
        assert_eq!(history_step(3, Some(0), true), Some(0));
        assert_eq!(history_step(3, Some(1), false), Some(2));
        assert_eq!(history_step(3, Some(2), false), None);
        assert_eq!(history_step(3, None, false), None);
    }
}
