//! The editor `kubectl edit` opens: the object as YAML under kubectl's header comment. Save hands the text
//! to the playground (which patches the object, or reopens the buffer with the reasons it was refused);
//! Cancel saves it unchanged, which kubectl reports as `Edit cancelled, no changes made.`

use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

use crate::i18n::{Key, Lang};
use crate::state::{Action, AppState};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub state: UseReducerHandle<AppState>,
}

#[function_component(Editor)]
pub fn editor(props: &Props) -> Html {
    let l = use_context::<Lang>().unwrap_or_default();
    let area_ref = use_node_ref();
    let (title, buffer) = {
        let inner = props.state.inner.borrow();
        match inner.playground.editing() {
            Some(edit) => (edit.title(), edit.buffer().to_string()),
            None => return html! {},
        }
    };
    // The textarea is left uncontrolled (no `value` attribute): the page re-renders ten times a second as
    // simulated time runs, which must not reset what the learner is typing. Its text is set when the editor
    // opens and when a refused save reopens it with a new buffer.
    {
        let area_ref = area_ref.clone();
        use_effect_with(buffer.clone(), move |buffer| {
            if let Some(area) = area_ref.cast::<HtmlTextAreaElement>() {
                area.set_value(buffer);
                let _ = area.focus();
            }
        });
    }
    let save = {
        let state = props.state.clone();
        let area_ref = area_ref.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(area) = area_ref.cast::<HtmlTextAreaElement>() {
                state.dispatch(Action::SaveEdit(area.value()));
            }
        })
    };
    let cancel = {
        let state = props.state.clone();
        let buffer = buffer.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(Action::SaveEdit(buffer.clone())))
    };
    let onkeydown = {
        let state = props.state.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "s" && (e.ctrl_key() || e.meta_key()) {
                e.prevent_default();
                let area: HtmlTextAreaElement = e.target_unchecked_into();
                state.dispatch(Action::SaveEdit(area.value()));
            }
        })
    };
    html! {
        <section class="editor" role="dialog" aria-label={format!("kubectl edit {title}")}>
            <header class="editor-bar">
                <span class="editor-title">{ format!("kubectl edit — {title}") }</span>
                <span class="editor-actions">
                    <button class="editor-save" onclick={save}>{l.t(Key::Save)}</button>
                    <button class="editor-cancel" onclick={cancel}>{l.t(Key::Cancel)}</button>
                </span>
            </header>
            <textarea ref={area_ref} class="editor-text" spellcheck="false" autocapitalize="off"
                aria-label={l.t(Key::ObjectBeingEdited)} {onkeydown} />
        </section>
    }
}
