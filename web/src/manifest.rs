//! The manifest editor (CONTRACT §5: a text area named `Manifest editor` and a button `Apply`): YAML with line
//! numbers and highlighting, Tab indenting (Esc then Tab leaves the editor), a starting template for each kind,
//! and Apply running `kubectl apply -f -` on the text (every document), its error marked on the line it points
//! at. The text is kept in the editor across re-renders; the pure parts live in `playground::manifest`.

use playground::manifest::{error_line, highlight, TEMPLATES};
use web_sys::{HtmlElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::i18n::{Key, Lang};
use crate::state::{Action, AppState};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub state: UseReducerHandle<AppState>,
}

#[function_component(ManifestEditor)]
pub fn manifest_editor(props: &Props) -> Html {
    let l = use_context::<Lang>().unwrap_or_default();
    let text = use_state(String::new);
    let open = use_state(|| true);
    let escaped = use_mut_ref(|| false);
    let area_ref = use_node_ref();
    let code_ref = use_node_ref();
    let gutter_ref = use_node_ref();
    let result = props.state.inner.borrow().manifest_result.clone();

    let oninput = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| {
            let area: HtmlTextAreaElement = e.target_unchecked_into();
            text.set(area.value());
        })
    };
    let apply = {
        let state = props.state.clone();
        let text = text.clone();
        Callback::from(move |_: ()| {
            if !text.trim().is_empty() {
                state.dispatch(Action::ApplyManifest((*text).clone()));
            }
        })
    };
    let onkeydown = {
        let text = text.clone();
        let apply = apply.clone();
        let escaped = escaped.clone();
        Callback::from(move |e: KeyboardEvent| {
            let was_escaped = std::mem::replace(&mut *escaped.borrow_mut(), e.key() == "Escape");
            if e.key() == "Enter" && (e.ctrl_key() || e.meta_key()) {
                e.prevent_default();
                apply.emit(());
            } else if e.key() == "Tab" && !e.shift_key() && !was_escaped {
                // Two spaces at the caret; Esc then Tab moves on, so the keyboard is never trapped here.
                e.prevent_default();
                let area: HtmlTextAreaElement = e.target_unchecked_into();
                let value = area.value();
                let start = area.selection_start().ok().flatten().unwrap_or(0) as usize;
                let end = area.selection_end().ok().flatten().unwrap_or(0) as usize;
                let chars: Vec<char> = value.chars().collect();
                let (start, end) = (start.min(chars.len()), end.min(chars.len()));
                let next: String = chars[..start]
                    .iter()
                    .chain("  ".chars().collect::<Vec<_>>().iter())
                    .chain(chars[end..].iter())
                    .collect();
                area.set_value(&next);
                let caret = (start + 2) as u32;
                let _ = area.set_selection_range(caret, caret);
                text.set(next);
            }
        })
    };
    let onscroll = {
        let code_ref = code_ref.clone();
        let gutter_ref = gutter_ref.clone();
        Callback::from(move |e: Event| {
            let area: HtmlTextAreaElement = e.target_unchecked_into();
            if let Some(code) = code_ref.cast::<HtmlElement>() {
                code.set_scroll_top(area.scroll_top());
                code.set_scroll_left(area.scroll_left());
            }
            if let Some(g) = gutter_ref.cast::<HtmlElement>() {
                g.set_scroll_top(area.scroll_top());
            }
        })
    };
    let on_template = {
        let text = text.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            let kind = select.value();
            if let Some((_, yaml)) = TEMPLATES.iter().find(|(k, _)| *k == kind) {
                let replace = text.trim().is_empty()
                    || web_sys::window()
                        .and_then(|w| w.confirm_with_message(l.t(Key::TemplateReplace)).ok())
                        .unwrap_or(false);
                if replace {
                    text.set(yaml.to_string());
                }
            }
            select.set_value("");
        })
    };
    let toggle = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(!*open))
    };
    let on_apply_click = {
        let apply = apply.clone();
        Callback::from(move |_: MouseEvent| apply.emit(()))
    };

    let marked = result.as_ref().filter(|(ok, _)| !ok).and_then(|(_, err)| error_line(&text, err));
    let lines: Vec<&str> = text.split('\n').collect();
    html! {
        <section class={classes!("manifest", (!*open).then_some("closed"))} aria-label={l.t(Key::ManifestRegion)}>
            <header class="manifest-bar">
                <button class="manifest-toggle" aria-expanded={open.to_string()} onclick={toggle}>
                    { if *open { "▾ " } else { "▸ " } }{l.t(Key::ManifestRegion)}
                </button>
                { if *open { html! {
                    <span class="manifest-actions">
                        <select aria-label={l.t(Key::Template)} title={l.t(Key::Template)} onchange={on_template}>
                            <option value="" selected=true>{l.t(Key::TemplatePick)}</option>
                            { for TEMPLATES.iter().map(|(k, _)| html! { <option value={*k}>{*k}</option> }) }
                        </select>
                        <button class="manifest-apply" onclick={on_apply_click} title="Ctrl+Enter">{l.t(Key::Apply)}</button>
                    </span>
                } } else { html! {} } }
            </header>
            { if *open { html! {
                <>
                <div class="manifest-body">
                    <pre class="gutter" ref={gutter_ref} aria-hidden="true">
                        { for (1..=lines.len()).map(|n| html! {
                            <span class={classes!("ln", (marked == Some(n)).then_some("err"))}>{n}{"\n"}</span>
                        }) }
                    </pre>
                    <div class="code-wrap">
                        <pre class="code" ref={code_ref} aria-hidden="true">
                            { for lines.iter().enumerate().map(|(i, line)| html! {
                                <span class={classes!("line", (marked == Some(i + 1)).then_some("err"))}>
                                    { for highlight(line).into_iter().map(|(t, s)| html! { <span class={t.class()}>{s}</span> }) }
                                    {"\n"}
                                </span>
                            }) }
                        </pre>
                        <textarea ref={area_ref} class="code-input" spellcheck="false" autocapitalize="off" autocomplete="off"
                            wrap="off" aria-label={l.t(Key::ManifestEditor)} placeholder={l.t(Key::ManifestPlaceholder)}
                            value={(*text).clone()} {oninput} {onkeydown} {onscroll} />
                    </div>
                </div>
                { match &result {
                    Some((true, out)) => html! { <p class="manifest-result ok" role="status">{out.clone()}</p> },
                    Some((false, err)) => html! {
                        <p class="manifest-result error" role="alert">
                            { marked.map(|n| l.fmt(Key::ErrorAtLine, &[&n.to_string()])).unwrap_or_default() }{err.clone()}
                        </p>
                    },
                    None => html! {},
                } }
                </>
            } } else { html! {} } }
        </section>
    }
}
