//! Time controls: Pause, Play, Step, Run until idle and Speed, and the current simulated time.

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::i18n::{Key, Lang};
use crate::state::{Action, AppState, SPEEDS};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub state: UseReducerHandle<AppState>,
}

#[function_component(TimeControls)]
pub fn time_controls(props: &Props) -> Html {
    let l = use_context::<Lang>().unwrap_or_default();
    let inner = props.state.inner.borrow();
    let running = inner.running;
    let speed = inner.speed;
    let now = inner.playground.now();
    let live_now = inner.live_now();
    let rewound = inner.live.is_some();
    let in_lesson = inner.lesson.is_some();
    let on_scrub = {
        let state = props.state.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Ok(at) = input.value().parse::<u64>() {
                state.dispatch(Action::Rewind(at));
            }
        })
    };
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
        <div class="time" role="group" aria-label={l.t(Key::SimulatedTime)}>
            <span class="clock" aria-live="off" title={l.t(Key::ClockTitle)}>
                { format!("t = {}", clock_text(now)) }
            </span>
            <button onclick={on(|| Action::Pause)} disabled={!running} aria-label={l.t(Key::Pause)}>{l.t(Key::Pause)}</button>
            <button onclick={on(|| Action::Play)} disabled={running} aria-label={l.t(Key::Play)}>{l.t(Key::Play)}</button>
            <button onclick={on(|| Action::Step)} aria-label={l.t(Key::Step)} title={l.t(Key::StepTitle)}>{l.t(Key::Step)}</button>
            <button class="idle" onclick={on(|| Action::RunUntilIdle)} disabled={rewound} title={l.t(Key::RunUntilIdleTitle)}>{l.t(Key::RunUntilIdle)}</button>
            // The timeline: rewinding replays the session from its seed up to the chosen moment (not in lessons).
            <input type="range" class="scrubber" aria-label={l.t(Key::Timeline)} title={l.t(Key::TimelineTitle)}
                min="0" max={live_now.to_string()} step="1000" value={now.to_string()} disabled={in_lesson}
                aria-valuetext={format!("t = {}", clock_text(now))} onchange={on_scrub} />
            if rewound {
                <span class="rewound" role="status">{ l.fmt(Key::Rewound, &[&clock_text(now), &clock_text(live_now)]) }</span>
                <button onclick={on(|| Action::BackToNow)}>{l.t(Key::BackToNow)}</button>
                <button onclick={on(|| Action::ContinueFromHere)}>{l.t(Key::ContinueFromHere)}</button>
            }
            <label class="speed">
                <span>{l.t(Key::Speed)}</span>
                <select aria-label={l.t(Key::Speed)} {onchange}>
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
