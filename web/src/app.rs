//! The page layout: header with the simulated clock, the language and Reset; the Lesson panel (collapsible, left
//! of the views), the visual area (tabs) and the terminal.

use gloo::timers::callback::Interval;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::editor::Editor;
use crate::events::EventsView;
use crate::i18n::{Key, Lang};
use crate::inside::{DnsView, NetworkView};
use crate::inspector::Inspector;
use crate::lesson::LessonPanel;
use crate::manifest::ManifestEditor;
use crate::persist;
use crate::state::{Action, AppState};
use crate::storage::StorageView;
use crate::terminal::Terminal;
use crate::time::TimeControls;
use crate::topology::Topology;
use playground::inspect::Target;

/// How often the page advances simulated time, in real milliseconds.
const TICK_MS: u64 = 100;

/// The tabs in order (CONTRACT §5), with their labels.
const TABS: &[(&str, Key)] = &[
    ("topology", Key::TabTopology),
    ("network", Key::TabNetwork),
    ("dns", Key::TabDns),
    ("storage", Key::TabStorage),
    ("events", Key::TabEvents),
];

/// The tab ←/→/Home/End moves to from tab `i` of `n` (WAI-ARIA tabs: wrapping at both ends).
pub fn tab_step(i: usize, n: usize, key: &str) -> Option<usize> {
    match key {
        "ArrowRight" => Some((i + 1) % n),
        "ArrowLeft" => Some((i + n - 1) % n),
        "Home" => Some(0),
        "End" => Some(n - 1),
        _ => None,
    }
}

/// The language the learner chose before, else the browser's.
fn initial_lang() -> Lang {
    if let Some(tag) = persist::load_lang() {
        return Lang::from_tag(&tag);
    }
    let browser = web_sys::window().and_then(|w| w.navigator().language()).unwrap_or_default();
    Lang::from_tag(&browser)
}

#[function_component(App)]
pub fn app() -> Html {
    let lang = use_state(initial_lang);
    let state = {
        let lang = *lang;
        use_reducer(move || AppState::restore(lang))
    };

    {
        let dispatcher = state.dispatcher();
        use_effect_with((), move |_| {
            let interval =
                Interval::new(TICK_MS as u32, move || dispatcher.dispatch(Action::Tick { real_ms: TICK_MS }));
            announce_ready();
            move || drop(interval)
        });
    }
    use_effect_with(*lang, |lang| {
        if let Some(html) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
            let _ = html.set_attribute("lang", lang.tag());
        }
    });
    // Classroom mode: large type and high contrast for projectors, on the root element, remembered.
    let classroom = use_state(persist::load_classroom);
    use_effect_with(*classroom, |on| {
        if let Some(html) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
            let _ = html.class_list().toggle_with_force("classroom", *on);
        }
    });
    let on_classroom = {
        let classroom = classroom.clone();
        Callback::from(move |_: MouseEvent| {
            persist::save_classroom(!*classroom);
            classroom.set(!*classroom);
        })
    };

    let l = *lang;
    let snapshot = state.inner.borrow().playground.snapshot();
    let tab = use_state(|| "topology");
    // The object open in the inspector (clicked in a picture or linked from a story).
    let selected = use_state(|| None::<Target>);
    let on_select = {
        let selected = selected.clone();
        Callback::from(move |t: Target| selected.set(Some(t)))
    };
    let on_close = {
        let selected = selected.clone();
        Callback::from(move |()| selected.set(None))
    };
    let current = TABS.iter().position(|(id, _)| *id == *tab).unwrap_or(0);
    let onkeydown = {
        let tab = tab.clone();
        Callback::from(move |e: KeyboardEvent| {
            if let Some(next) = tab_step(current, TABS.len(), &e.key()) {
                e.prevent_default();
                let id = TABS[next].0;
                tab.set(id);
                if let Some(el) = web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.get_element_by_id(&format!("tab-{id}")))
                    .and_then(|el| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(el).ok())
                {
                    let _ = el.focus();
                }
            }
        })
    };
    let on_view = {
        let tab = tab.clone();
        Callback::from(move |view: &'static str| {
            if TABS.iter().any(|(id, _)| *id == view) {
                tab.set(view);
            }
        })
    };
    let tab_button = |id: &'static str, key: Key| {
        let selected = *tab == id;
        let onclick = {
            let tab = tab.clone();
            Callback::from(move |_| tab.set(id))
        };
        html! {
            <button role="tab" id={format!("tab-{id}")} aria-selected={selected.to_string()}
                aria-controls={format!("panel-{id}")} tabindex={if selected { "0" } else { "-1" }} class="tab" {onclick}>
                {l.t(key)}
            </button>
        }
    };
    let on_lang = {
        let lang = lang.clone();
        let state = state.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            let chosen = Lang::from_tag(&select.value());
            persist::save_lang(chosen.tag());
            state.dispatch(Action::SetLang(chosen));
            lang.set(chosen);
        })
    };
    let on_reset = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| {
            let confirmed =
                web_sys::window().and_then(|w| w.confirm_with_message(l.t(Key::ResetConfirm)).ok()).unwrap_or(false);
            if confirmed {
                state.dispatch(Action::Reset { notice: l.t(Key::ResetDone).to_string() });
            }
        })
    };
    let on_share = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| {
            let url = persist::share_url(state.inner.borrow().playground.session());
            copy_to_clipboard(&url);
            let output = vec![l.t(Key::ShareCopied).to_string(), url];
            state.dispatch(Action::Echo { line: None, output, remember: false });
        })
    };
    let on_download = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| {
            let yaml = playground::export::manifests(state.inner.borrow().playground.cluster());
            let notice = if yaml.is_empty() {
                l.t(Key::NothingToDownload).to_string()
            } else {
                download(MANIFESTS_FILE, &yaml);
                let count = yaml.matches("\nkind: ").count() + usize::from(yaml.starts_with("kind: "));
                l.fmt(Key::Downloaded, &[&count.to_string(), MANIFESTS_FILE])
            };
            state.dispatch(Action::Echo { line: None, output: vec![notice], remember: false });
        })
    };
    let on_export = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| {
            let inner = state.inner.borrow();
            let session = inner.live.as_ref().unwrap_or(&inner.playground).session();
            let text = serde_json::to_string_pretty(session).unwrap_or_default();
            download_as(SESSION_FILE, "application/json", &text);
        })
    };
    let on_import = {
        let state = state.clone();
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
            input.set_value("");
            let state = state.clone();
            let read = wasm_bindgen::closure::Closure::<dyn FnMut(wasm_bindgen::JsValue)>::new(
                move |text: wasm_bindgen::JsValue| {
                    let text = text.as_string().unwrap_or_default();
                    match serde_json::from_str::<playground::Session>(&text) {
                        Ok(session) => {
                            let confirmed = web_sys::window()
                                .and_then(|w| w.confirm_with_message(l.t(Key::ImportConfirm)).ok())
                                .unwrap_or(false);
                            if confirmed {
                                state.dispatch(Action::ImportSession(session));
                            }
                        }
                        Err(why) => {
                            let output = vec![l.fmt(Key::SessionFileBroken, &[&why.to_string()])];
                            state.dispatch(Action::Echo { line: None, output, remember: false });
                        }
                    }
                },
            );
            let _ = file.text().then(&read);
            read.forget();
        })
    };
    html! {
        <ContextProvider<Lang> context={l}>
        <div class="app">
            <header class="bar">
                <h1 class="brand">{"kubeground"}</h1>
                <TimeControls state={state.clone()} />
                <div class="page-controls">
                    // CONTRACT §5: named `Language` in every language; each option in its own language.
                    <select aria-label={l.t(Key::Language)} title={l.t(Key::Language)} onchange={on_lang}>
                        <option value="en" lang="en" selected={l == Lang::En}>{"English"}</option>
                        <option value="ja" lang="ja" selected={l == Lang::Ja}>{"日本語"}</option>
                    </select>
                    <button class="classroom-toggle" aria-pressed={classroom.to_string()} title={l.t(Key::ClassroomTitle)}
                        onclick={on_classroom}>{l.t(Key::Classroom)}</button>
                    <button class="share" title={l.t(Key::ShareTitle)} onclick={on_share}>{l.t(Key::Share)}</button>
                    <button class="download" title={l.t(Key::DownloadTitle)} onclick={on_download}>{l.t(Key::DownloadManifests)}</button>
                    <button class="export" title={l.t(Key::ExportSessionTitle)} onclick={on_export}>{l.t(Key::ExportSession)}</button>
                    <label class="import button-like">
                        {l.t(Key::ImportSession)}
                        <input type="file" accept=".json,application/json" class="visually-hidden"
                            aria-label={l.t(Key::ImportSession)} onchange={on_import} />
                    </label>
                    <button class="reset" onclick={on_reset}>{l.t(Key::ResetCluster)}</button>
                </div>
            </header>
            <main class="workspace">
                <LessonPanel state={state.clone()} on_view={on_view} />
                <section class="visual" aria-label={l.t(Key::Views)}>
                    <div role="tablist" aria-label={l.t(Key::Views)} class="tabs" {onkeydown}>
                        { for TABS.iter().map(|(id, key)| tab_button(id, *key)) }
                    </div>
                    <div role="tabpanel" id={format!("panel-{}", *tab)} aria-labelledby={format!("tab-{}", *tab)} class="panel">
                        { match *tab {
                            "network" => html! { <NetworkView state={state.clone()} /> },
                            "dns" => html! { <DnsView state={state.clone()} /> },
                            "storage" => html! { <StorageView state={state.clone()} /> },
                            "events" => html! { <EventsView state={state.clone()} on_select={on_select.clone()} /> },
                            _ => html! { <Topology snapshot={snapshot} on_select={on_select.clone()} /> },
                        } }
                    </div>
                    if let Some(target) = (*selected).clone() {
                        <Inspector state={state.clone()} {target} on_select={on_select.clone()} {on_close} />
                    }
                    <ManifestEditor state={state.clone()} />
                    <Editor state={state.clone()} />
                </section>
                <Terminal state={state.clone()} />
            </main>
        </div>
        </ContextProvider<Lang>>
    }
}

/// The name the exported manifests are saved under.
const MANIFESTS_FILE: &str = "kubeground-manifests.yaml";
/// The name an exported session is saved under.
const SESSION_FILE: &str = "kubeground-session.json";

/// Puts `text` on the clipboard when the browser allows it (a refusal is ignored: the terminal shows the
/// link too).
fn copy_to_clipboard(text: &str) {
    let Some(window) = web_sys::window() else { return };
    let promise = window.navigator().clipboard().write_text(text);
    let ignore = wasm_bindgen::closure::Closure::<dyn FnMut(wasm_bindgen::JsValue)>::new(|_| {});
    let _ = promise.catch(&ignore);
    ignore.forget();
}

/// Saves `text` as a YAML file named `name`.
fn download(name: &str, text: &str) {
    download_as(name, "application/yaml", text);
}

/// Saves `text` as a file named `name` through a temporary link (a `data:` URL: no Blob needed).
fn download_as(name: &str, mime: &str, text: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let Ok(a) = document.create_element("a") else { return };
    let href = format!("data:{mime};charset=utf-8,{}", js_sys::encode_uri_component(text));
    let _ = a.set_attribute("href", &href);
    let _ = a.set_attribute("download", name);
    if let Ok(a) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(a) {
        a.click();
    }
}

/// CONTRACT §5: the ready signal tests and tools wait for, once the (replayed) engine runs.
fn announce_ready() {
    let Some(window) = web_sys::window() else {
        return;
    };
    if let Some(body) = window.document().and_then(|d| d.body()) {
        let _ = body.dataset().set("clusterReady", "true");
    }
    if let Some(perf) = window.performance() {
        let _ = perf.mark("kubeground-ready");
    }
}

#[cfg(test)]
mod tests {
    use super::tab_step;

    #[test]
    fn arrows_move_between_tabs_and_wrap() {
        assert_eq!(tab_step(0, 5, "ArrowRight"), Some(1));
        assert_eq!(tab_step(4, 5, "ArrowRight"), Some(0));
        assert_eq!(tab_step(0, 5, "ArrowLeft"), Some(4));
        assert_eq!(tab_step(3, 5, "Home"), Some(0));
        assert_eq!(tab_step(1, 5, "End"), Some(4));
        assert_eq!(tab_step(1, 5, "Enter"), None);
    }
}
