//! The page layout: header with the simulated clock, the visual area (tabs) and the terminal.

use gloo::timers::callback::Interval;
use yew::prelude::*;

use crate::editor::Editor;
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
    html! {
        <div class="app">
            <header class="bar">
                <h1 class="brand">{"kubeground"}</h1>
                <TimeControls state={state.clone()} />
            </header>
            <main class="workspace">
                <section class="visual" aria-label="Views">
                    <div role="tablist" aria-label="Views" class="tabs">
                        <button role="tab" id="tab-topology" aria-selected="true" aria-controls="panel-topology" class="tab">
                            {"Topology"}
                        </button>
                    </div>
                    <div role="tabpanel" id="panel-topology" aria-labelledby="tab-topology" class="panel">
                        <Topology snapshot={snapshot} />
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
