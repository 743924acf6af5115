//! The terminal: a command line with history (↑/↓), Tab completion (`playground::complete`), Ctrl-C,
//! Ctrl-L, `help`, and an output log that scrolls to the newest line.

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
    let following = props.state.inner.borrow().following.is_some();

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
                    if line.trim() == "help" {
                        let output = l.t(Key::HelpText).lines().map(String::from).collect();
                        state.dispatch(Action::Echo { line: Some(line), output, remember: true });
                    } else {
                        state.dispatch(Action::Exec(line));
                    }
                }
                // Tab completes; on an empty line it moves the focus as usual, so the keyboard can leave.
                "Tab" if !e.shift_key() && !e.ctrl_key() && !e.alt_key() && !input.value().is_empty() => {
                    e.prevent_default();
                    let value = input.value();
                    let at16 = input.selection_start().ok().flatten().unwrap_or(u32::MAX) as usize;
                    let at = byte_index(&value, at16);
                    let completion = {
                        let inner = state.inner.borrow();
                        playground::complete::complete(&inner.playground, &value, at)
                    };
                    let (line, new_at) = playground::complete::apply(&value, at, &completion);
                    if line != value {
                        input.set_value(&line);
                        let pos = utf16_len(&line[..new_at]);
                        let _ = input.set_selection_range(pos, pos);
                    }
                    if completion.candidates.len() > 1 {
                        // As bash lists them on a double Tab: the line, the candidates, the line again.
                        let output = columns(&completion.candidates, LIST_WIDTH);
                        state.dispatch(Action::Echo { line: Some(line), output, remember: false });
                    }
                }
                // Ctrl-C abandons the line (`^C`, as a shell echoes it) unless text is selected to copy.
                "c" if e.ctrl_key() && !e.alt_key() && !e.meta_key() && !has_selection(&input) => {
                    e.prevent_default();
                    if state.inner.borrow().following.is_some() {
                        state.dispatch(Action::Interrupt);
                        return;
                    }
                    let line = input.value();
                    input.set_value("");
                    *cursor.borrow_mut() = None;
                    state.dispatch(Action::Echo {
                        line: Some(format!("{line}^C")),
                        output: Vec::new(),
                        remember: false,
                    });
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
                    placeholder={if following { l.t(Key::FollowingHint) } else { l.t(Key::TerminalPlaceholder) }} {onkeydown} {onpaste} />
            </div>
        </section>
    }
}

/// Characters a completion list fills per line before wrapping.
const LIST_WIDTH: usize = 72;

/// Whether text is selected in the input or elsewhere on the page (Ctrl-C copies it then).
fn has_selection(input: &HtmlInputElement) -> bool {
    let in_input = matches!(
        (input.selection_start(), input.selection_end()),
        (Ok(Some(a)), Ok(Some(b))) if a != b
    );
    let on_page = web_sys::window()
        .and_then(|w| w.get_selection().ok().flatten())
        .is_some_and(|s| !String::from(s.to_string()).is_empty());
    in_input || on_page
}

/// The byte index in `s` of the UTF-16 position `at` the DOM reports (clamped to the end).
pub fn byte_index(s: &str, at: usize) -> usize {
    let mut units = 0;
    for (i, c) in s.char_indices() {
        if units >= at {
            return i;
        }
        units += c.len_utf16();
    }
    s.len()
}

fn utf16_len(s: &str) -> u32 {
    s.encode_utf16().count() as u32
}

/// Candidates laid out in columns as bash lists them: as many equal columns as fit in `width`, filled
/// down each column first.
pub fn columns(candidates: &[String], width: usize) -> Vec<String> {
    let col = candidates.iter().map(|c| c.chars().count()).max().unwrap_or(0) + 2;
    let per_line = (width / col).max(1);
    let rows = candidates.len().div_ceil(per_line);
    (0..rows)
        .map(|r| {
            let cells: Vec<&String> = (0..per_line).filter_map(|c| candidates.get(c * rows + r)).collect();
            let mut line = String::new();
            for (i, cell) in cells.iter().enumerate() {
                line.push_str(cell);
                if i + 1 < cells.len() {
                    line.push_str(&" ".repeat(col - cell.chars().count()));
                }
            }
            line
        })
        .collect()
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
    use super::{byte_index, columns, history_step};

    #[test]
    fn candidates_fill_columns_downwards() {
        let c: Vec<String> = ["apply", "create", "delete", "describe", "get"].iter().map(|s| s.to_string()).collect();
        assert_eq!(columns(&c, 30), ["apply     delete    get", "create    describe"]);
        assert_eq!(columns(&c, 5), ["apply", "create", "delete", "describe", "get"]);
    }

    #[test]
    fn dom_positions_are_utf16() {
        assert_eq!(byte_index("kubectl", 3), 3);
        assert_eq!(byte_index("é x", 1), 2);
        assert_eq!(byte_index("abc", 99), 3);
    }

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
