//! The Events tab: "what just happened" — the event-log entries since the last command as an ordered story
//! grouped by the actor that acted (kubectl, controllers, the scheduler, kubelets), filterable by object —
//! and beside it the real Events list with `kubectl get events -A`'s columns (view models in
//! `playground::views`).

use playground::views;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::i18n::{Key, Lang};
use crate::state::AppState;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub state: UseReducerHandle<AppState>,
    /// Opens an object in the inspector.
    pub on_select: Callback<playground::inspect::Target>,
}

/// Steps of the story shown at most, and rows of the Events list.
const STORY_STEPS: usize = 300;
const EVENT_ROWS: usize = 60;

/// The step's object, as a button that opens it in the inspector while it exists.
fn object_link(kind: &str, object: &str, change: &str, select: &Callback<playground::inspect::Target>) -> Html {
    let text = format!("{kind} {object}");
    let (namespace, name) = object.split_once('/').unwrap_or(("", object));
    match playground::inspect::Target::named(kind, namespace, name).filter(|_| change != "deleted") {
        Some(target) => {
            let select = select.clone();
            html! {
                <button class="object link" onclick={Callback::from(move |_: MouseEvent| select.emit(target.clone()))}>{ text }</button>
            }
        }
        None => html! { <span class="object">{ text }</span> },
    }
}

#[function_component(EventsView)]
pub fn events_view(props: &Props) -> Html {
    let l = use_context::<Lang>().unwrap_or_default();
    let filter = use_state(String::new);
    let inner = props.state.inner.borrow();
    let cluster = inner.playground.cluster();
    let story = views::story(cluster, inner.story_from, &filter, STORY_STEPS + 1);
    let shown: usize = story.iter().map(|g| g.steps.len()).sum();
    let (headers, rows) = views::events(cluster, &filter, EVENT_ROWS);
    let oninput = {
        let filter = filter.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            filter.set(input.value());
        })
    };
    let change_word = |c: &str| match c {
        "created" => l.t(Key::Created),
        "deleted" => l.t(Key::Deleted),
        _ => l.t(Key::Updated),
    };
    let mut budget = STORY_STEPS;
    html! {
        <div class="inside events">
            <label class="filter">
                <span>{l.t(Key::FilterLabel)}</span>
                <input type="search" aria-label={l.t(Key::FilterLabel)} placeholder={l.t(Key::FilterPlaceholder)}
                    value={(*filter).clone()} {oninput} />
            </label>
            <div class="events-columns">
                <section class="story-column" aria-label={l.t(Key::WhatJustHappened)}>
                    <h2>{l.t(Key::WhatJustHappened)}</h2>
                    { if story.is_empty() {
                        html! { <p class="hint">{l.t(Key::StoryHint)}</p> }
                    } else {
                        html! {
                            <ol class="story" aria-label={l.t(Key::StoryList)}>
                            { for story.iter().filter_map(|g| {
                                if budget == 0 { return None; }
                                let steps: Vec<_> = g.steps.iter().take(budget).collect();
                                budget -= steps.len();
                                Some(html! {
                                    <li class="actor-group" data-actor={g.actor.clone()}>
                                        <h3 class="actor">{g.actor.clone()}</h3>
                                        <ol class="acts">
                                        { for steps.into_iter().map(|s| html! {
                                            <li class={classes!("act", s.change)} data-kind={s.kind} data-object={s.object.clone()}
                                                data-change={s.change}>
                                                <span class="when">{format!("t={:.1}s", s.at_ms as f64 / 1000.0)}</span>{" "}
                                                <strong>{change_word(s.change)}</strong>{" "}
                                                { object_link(s.kind, &s.object, s.change, &props.on_select) }
                                                <span class="reason">{s.reason.clone()}</span>
                                            </li>
                                        }) }
                                        </ol>
                                    </li>
                                })
                            }) }
                            </ol>
                        }
                    } }
                    { if shown > STORY_STEPS {
                        html! { <p class="hint">{l.fmt(Key::Truncated, &[&STORY_STEPS.to_string()])}</p> }
                    } else { html! {} } }
                </section>
                <section class="events-column" aria-label={l.t(Key::EventsList)}>
                    <h2>{l.t(Key::EventsList)}</h2>
                    { if rows.is_empty() {
                        html! { <p class="hint">{l.t(Key::NoEvents)}</p> }
                    } else {
                        html! {
                            <table class="services kube-events" aria-label={l.t(Key::EventsList)}>
                                <thead><tr>{ for headers.iter().map(|h| html! { <th>{*h}</th> }) }</tr></thead>
                                <tbody>
                                { for rows.iter().map(|r| html! {
                                    <tr data-reason={r.get(3).cloned().unwrap_or_default()}
                                        data-object={r.get(4).cloned().unwrap_or_default()}>
                                        { for r.iter().map(|c| html! { <td>{c.clone()}</td> }) }
                                    </tr>
                                }) }
                                </tbody>
                            </table>
                        }
                    } }
                </section>
            </div>
        </div>
    }
}
