//! The page layout: header with the simulated clock, the visual area (tabs) and the terminal.

use gloo::timers::callback::Interval;
use yew::prelude::*;

use crate::editor::Editor;
use crate::inside::{DnsView, NetworkView};
use crate::state::{Action, AppState};
use crate::terminal::Terminal;
use crate::time::TimeControls;
use crate::topology::Topology;

/// How often the page advances simulated time, in real milliseconds.
const TICK_MS: u64 = 100;

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(AppState::default);

    {
        let dispatcher = state.dispatcher();
        use_effect_with((), move |_| {
            let interval =
                Interval::new(TICK_MS as u32, move || dispatcher.dispatch(Action::Tick { real_ms: TICK_MS }));
            announce_ready();
            move || drop(interval)
        });
    }

    let snapshot = state.inner.borrow().playground.snapshot();
    let tab = use_state(|| "topology");
    let tab_button = |id: &'static str, label: &'static str| {
        let selected = *tab == id;
        let onclick = {
            let tab = tab.clone();
            Callback::from(move |_| tab.set(id))
        };
        html! {
            <button role="tab" id={format!("tab-{id}")} aria-selected={selected.to_string()}
                aria-controls={format!("panel-{id}")} tabindex={if selected { "0" } else { "-1" }} class="tab" {onclick}>
                {label}
            </button>
        }
    };
    html! {
        <div class="app">
            <header class="bar">
                <h1 class="brand">{"kubeground"}</h1>
                <TimeControls state={state.clone()} />
            </header>
            <main class="workspace">
                <section class="visual" aria-label="Views">
                    <div role="tablist" aria-label="Views" class="tabs">
                        { tab_button("topology", "Topology") }
                        { tab_button("network", "Network") }
                        { tab_button("dns", "DNS") }
                    </div>
                    <div role="tabpanel" id={format!("panel-{}", *tab)} aria-labelledby={format!("tab-{}", *tab)} class="panel">
                        { match *tab {
                            "network" => html! { <NetworkView state={state.clone()} /> },
                            "dns" => html! { <DnsView state={state.clone()} /> },
                            _ => html! { <Topology snapshot={snapshot} /> },
                        } }
                    </div>
                    <Editor state={state.clone()} />
                </section>
                <Terminal state={state.clone()} />
            </main>
        </div>
    }
}

/// CONTRACT §5: the ready signal tests and tools wait for.
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
