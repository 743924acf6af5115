//! Time controls: Pause, Play, Step and Speed, and the current simulated time.

use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::state::{Action, AppState, SPEEDS};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub state: UseReducerHandle<AppState>,
}

#[function_component(TimeControls)]
pub fn time_controls(props: &Props) -> Html {
    let inner = props.state.inner.borrow();
    let running = inner.running;
    let speed = inner.speed;
    let now = inner.playground.now();
    let on = |action: fn() -> Action| {
        let state = props.state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(action()))
    };
    let onchange = {
        let state = props.state.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            if let Ok(s) = select.value().parse::<f64>() {
                state.dispatch(Action::SetSpeed(s));
            }
        })
    };
    html! {
        <div class="time" role="group" aria-label="Simulated time">
            <span class="clock" aria-live="off" title="Simulated time since the cluster started">
                { format!("t = {}", clock_text(now)) }
            </span>
            <button onclick={on(|| Action::Pause)} disabled={!running} aria-label="Pause">{"Pause"}</button>
            <button onclick={on(|| Action::Play)} disabled={running} aria-label="Play">{"Play"}</button>
            <button onclick={on(|| Action::Step)} aria-label="Step" title="Advance one simulated second">{"Step"}</button>
            <label class="speed">
                <span>{"Speed"}</span>
                <select aria-label="Speed" {onchange}>
                    { for SPEEDS.iter().map(|s| html! {
                        <option value={s.to_string()} selected={*s == speed}>{ format!("{s}×") }</option>
                    }) }
                </select>
            </label>
        </div>
    }
}

/// Simulated time as `h:mm:ss`.
pub fn clock_text(ms: u64) -> String {
    let s = ms / 1000;
    format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

#[cfg(test)]
mod tests {
    #[test]
    fn clock_text() {
        assert_eq!(super::clock_text(0), "0:00:00");
        assert_eq!(super::clock_text(3_723_999), "1:02:03");
    }
}
