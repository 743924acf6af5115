//! The Lesson panel (CONTRACT §5: a region named `Lesson`, each step `data-step` with `data-state`): the lesson
//! map with what was finished, and while a lesson is played its steps, the current step's prose, the goals
//! ticking live as the cluster reaches them (the checks of `playground::lesson`), hints on demand, the
//! reference solution, reset and the way back to the sandbox.

use playground::lesson::{LessonState, ParVerdict, Score, StepState};
use yew::prelude::*;

use crate::i18n::{Key, Lang};
use crate::state::{Action, AppState};

thread_local! {
    /// The embedded curriculum, parsed once (the map is drawn on every clock tick).
    static CURRICULUM: Vec<lessons::Lesson> = lessons::all().unwrap_or_default();
}

/// Every lesson, in curriculum order (empty if the embedded data did not parse; a test guards that).
pub fn curriculum() -> Vec<lessons::Lesson> {
    CURRICULUM.with(|c| c.clone())
}

/// The lesson with this id (`None` for an unknown id or the sandbox).
pub fn lesson_by_id(id: &str) -> Option<lessons::Lesson> {
    CURRICULUM.with(|c| c.iter().find(|l| l.id == id && !l.is_sandbox()).cloned())
}

#[derive(Properties, PartialEq)]
pub struct Props {
    pub state: UseReducerHandle<AppState>,
    /// Asks the page to show a view (`topology`, `network`, …): the current step's, when it changes.
    pub on_view: Callback<&'static str>,
}

/// Prose with `code` spans (the lesson text format) as HTML; blank lines separate paragraphs.
fn prose(text: &str) -> Html {
    html! {
        { for text.split("\n\n").filter(|p| !p.trim().is_empty()).map(|para| html! {
            <p>{ for para.split('`').enumerate().map(|(i, part)| {
                if i % 2 == 1 { html! { <code>{part.to_string()}</code> } } else { html! { {part.to_string()} } }
            }) }</p>
        }) }
    }
}

#[function_component(LessonPanel)]
pub fn lesson_panel(props: &Props) -> Html {
    let l = use_context::<Lang>().unwrap_or_default();
    let open = use_state(|| true);
    let inner = props.state.inner.borrow();
    let view: Option<LessonState> =
        inner.lesson_view.as_ref().map(|[en, ja]| if l == Lang::Ja { ja.clone() } else { en.clone() });
    let finished = inner.finished_lessons.clone();
    drop(inner);

    // Follow the current step's view when the learner reaches a new step.
    {
        let key = view.as_ref().map(|v| (v.id.clone(), v.current));
        let step_view = view.as_ref().and_then(|v| v.current.map(|i| v.steps[i].view));
        let on_view = props.on_view.clone();
        use_effect_with(key, move |_| {
            if let Some(v) = step_view {
                on_view.emit(v);
            }
        });
    }

    let toggle = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(!*open))
    };
    let label = if *open { l.t(Key::HidePanel) } else { l.t(Key::ShowPanel) };
    let body = if !*open {
        html! {}
    } else if let Some(v) = view {
        lesson_html(&v, l, &props.state)
    } else {
        map_html(l, &finished, &props.state)
    };
    html! {
        <aside class={classes!("lesson-panel", (!*open).then_some("closed"))} role="region" aria-label={l.t(Key::LessonRegion)}>
            <div class="lesson-head">
                <button class="lesson-toggle" aria-expanded={open.to_string()} aria-label={label} title={label} onclick={toggle}>
                    { if *open { "«" } else { "»" } }
                </button>
                { if *open { html! { <h2>{l.t(Key::LessonRegion)}</h2> } } else { html! {} } }
            </div>
            { body }
        </aside>
    }
}

/// A challenge score in words: `3 commands, par 4: beaten by 1`.
fn score_text(score: Score, l: Lang) -> String {
    let (c, p) = (score.commands.to_string(), score.par.to_string());
    match score.verdict() {
        ParVerdict::Under => l.fmt(Key::ParBeaten, &[&c, &p, &(score.par - score.commands).to_string()]),
        ParVerdict::At => l.fmt(Key::ParMatched, &[&c, &p]),
        ParVerdict::Over => l.fmt(Key::ParOver, &[&c, &p, &(score.commands - score.par).to_string()]),
    }
}

/// A score as an element the tests can read: `data-commands`, `data-par`, `data-beaten`.
fn score_html(score: Score, class: &'static str, text: String) -> Html {
    html! {
        <p class={classes!("par", class, score.beaten().then_some("beaten"))} data-commands={score.commands.to_string()}
            data-par={score.par.to_string()} data-beaten={score.beaten().to_string()}>{text}</p>
    }
}

/// The lesson map: every lesson in curriculum order, finished ones marked.
fn map_html(l: Lang, finished: &[String], state: &UseReducerHandle<AppState>) -> Html {
    let lang = if l == Lang::Ja { lessons::Lang::Ja } else { lessons::Lang::En };
    let all = curriculum();
    html! {
        <div class="lesson-map">
            <h3>{l.t(Key::Lessons)}</h3>
            <p class="hint">{l.t(Key::LessonsIntro)}</p>
            <ol class="lesson-list">
            { for all.iter().filter(|x| !x.is_sandbox()).map(|lesson| {
                let id = lesson.id.clone();
                let done = finished.contains(&id);
                let onclick = {
                    let state = state.clone();
                    let id = id.clone();
                    Callback::from(move |_: MouseEvent| state.dispatch(Action::StartLesson(id.clone())))
                };
                html! {
                    <li data-lesson={id.clone()} data-finished={done.to_string()}>
                        <button class="lesson-pick" {onclick}>
                            <span class="lesson-number">{l.fmt(Key::LessonNumber, &[&lesson.order.to_string()])}</span>
                            {" "}<span class="lesson-title">{lesson.title(lang).to_string()}</span>
                            { if done { html! { <span class="lesson-done">{" ✓ "}{l.t(Key::LessonFinishedMark)}</span> } } else { html! {} } }
                        </button>
                        <p class="lesson-summary">{lesson.summary(lang).to_string()}</p>
                    </li>
                }
            }) }
            </ol>
        </div>
    }
}

/// A lesson being played.
fn lesson_html(v: &LessonState, l: Lang, state: &UseReducerHandle<AppState>) -> Html {
    let reset = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(Action::ResetLesson))
    };
    let leave = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(Action::LeaveLesson))
    };
    let total = v.steps.len();
    html! {
        <div class="lesson" data-lesson={v.id.clone()} data-finished={v.finished.to_string()}>
            <h3 class="lesson-name">{v.title.clone()}</h3>
            <p class="lesson-summary">{v.summary.clone()}</p>
            { if v.score.is_some() { html! { <p class="hint">{l.t(Key::ParIntro)}</p> } } else { html! {} } }
            <ol class="lesson-steps">
            { for v.steps.iter().enumerate().map(|(i, s)| html! {
                <StepItem key={s.id.clone()} step={s.clone()} current={v.current == Some(i)} index={i} {total} lang={l} />
            }) }
            </ol>
            { if v.finished { html! { <p class="lesson-complete" role="status">{l.t(Key::LessonComplete)}</p> } } else { html! {} } }
            { match v.score {
                Some(score) if v.finished => score_html(score, "par-total", l.fmt(Key::ParTotal, &[&score_text(score, l)])),
                _ => html! {},
            } }
            <div class="lesson-actions">
                <button onclick={reset}>{l.t(Key::ResetLesson)}</button>
                <button onclick={leave}>{l.t(Key::LeaveLesson)}</button>
            </div>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct StepProps {
    step: StepState,
    current: bool,
    index: usize,
    total: usize,
    lang: Lang,
}

/// One step: its title and state; the current one also shows its prose, goals, hints and solution.
#[function_component(StepItem)]
fn step_item(p: &StepProps) -> Html {
    let l = p.lang;
    let hints_shown = use_state(|| 0usize);
    let solution = use_state(|| false);
    let s = &p.step;
    let state = s.status.as_str();
    let mark = if state == "done" {
        "✓"
    } else if p.current {
        "▶"
    } else {
        "○"
    };
    let state_text = if state == "done" { l.t(Key::StepDone) } else { l.t(Key::StepPending) };
    let details = if p.current {
        let more_hint = {
            let hints_shown = hints_shown.clone();
            Callback::from(move |_: MouseEvent| hints_shown.set(*hints_shown + 1))
        };
        let toggle_solution = {
            let solution = solution.clone();
            Callback::from(move |_: MouseEvent| solution.set(!*solution))
        };
        let shown = (*hints_shown).min(s.hints.len());
        html! {
            <div class="step-body">
                <p class="step-count">{l.fmt(Key::StepsOf, &[&(p.index + 1).to_string(), &p.total.to_string()])}</p>
                { prose(&s.text) }
                { match s.score() {
                    Some(score) => score_html(score, "par-live", l.fmt(Key::CommandsSoFar, &[&score.commands.to_string(), &score.par.to_string()])),
                    None => html! {},
                } }
                <h5>{l.t(Key::Goals)}</h5>
                <ul class="checks">
                { for s.checks.iter().map(|c| html! {
                    <li class={classes!("check", c.pass.then_some("pass"))} data-pass={c.pass.to_string()}>
                        <span aria-hidden="true">{ if c.pass { "✓ " } else { "○ " } }</span>{c.label.clone()}
                        { if !c.pass && !c.detail.is_empty() { html! { <small class="why">{" — "}{c.detail.clone()}</small> } } else { html! {} } }
                    </li>
                }) }
                </ul>
                { for s.hints.iter().take(shown).map(|h| html! { <div class="hint-text">{ prose(h) }</div> }) }
                <div class="step-actions">
                    { if shown < s.hints.len() {
                        html! { <button onclick={more_hint}>{ if shown == 0 { l.t(Key::HintButton) } else { l.t(Key::NextHint) } }</button> }
                    } else { html! {} } }
                    <button onclick={toggle_solution} aria-expanded={solution.to_string()}>
                        { if *solution { l.t(Key::HideSolution) } else { l.t(Key::ShowSolution) } }
                    </button>
                </div>
                { if *solution { html! { <pre class="solution">{s.solution.clone()}</pre> } } else { html! {} } }
            </div>
        }
    } else {
        match s.score() {
            Some(score) if state == "done" => score_html(score, "par-step", score_text(score, l)),
            _ => html! {},
        }
    };
    html! {
        <li class={classes!("lesson-step", p.current.then_some("current"))} data-step={s.id.clone()} data-state={state}
            aria-current={p.current.then_some("step")}>
            <h4><span aria-hidden="true">{mark}{" "}</span>{s.title.clone()}<span class="visually-hidden">{" ("}{state_text}{")"}</span></h4>
            { details }
        </li>
    }
}
