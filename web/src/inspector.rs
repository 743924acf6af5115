//! The inspector: the object a learner clicked in a picture, as kubectl shows it (describe, YAML, its Events;
//! for a pod the scheduler's table node by node), a link to its controller, and buttons that act on it. Every
//! action runs a command line through the terminal (echoed, kept in the session, replayed with it).

use playground::inspect::{self, Target};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::i18n::{Key, Lang};
use crate::state::{Action, AppState};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub state: UseReducerHandle<AppState>,
    pub target: Target,
    pub on_select: Callback<Target>,
    pub on_close: Callback<()>,
}

/// The inspector's own tabs.
const VIEWS: &[(&str, Key)] = &[
    ("describe", Key::ViewDescribe),
    ("yaml", Key::ViewYaml),
    ("events", Key::TabEvents),
    ("scheduler", Key::ViewScheduler),
];

fn action_label(id: &str) -> Key {
    match id {
        "stop" => Key::ActStop,
        "start" => Key::ActStart,
        "cordon" => Key::ActCordon,
        "uncordon" => Key::ActUncordon,
        "drain" => Key::ActDrain,
        _ => Key::ActDelete,
    }
}

#[function_component(Inspector)]
pub fn inspector(props: &Props) -> Html {
    let l = use_context::<Lang>().unwrap_or_default();
    let view = use_state(|| "describe");
    let replicas = use_state(|| None::<u32>);
    let aside = use_node_ref();
    {
        // A new object starts on Describe with its own replica count, and takes the focus (Esc closes).
        let (view, replicas, aside) = (view.clone(), replicas.clone(), aside.clone());
        use_effect_with(props.target.clone(), move |_| {
            view.set("describe");
            replicas.set(None);
            if let Some(el) = aside.cast::<web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        });
    }
    {
        // Esc closes it from anywhere but a text field (the editors and the terminal keep their own Esc).
        let on_close = props.on_close.clone();
        use_effect_with((), move |_| {
            let listener = web_sys::window().and_then(|w| w.document()).map(|document| {
                gloo::events::EventListener::new(&document, "keydown", move |e| {
                    let Some(e) = wasm_bindgen::JsCast::dyn_ref::<KeyboardEvent>(e) else { return };
                    let typing = e
                        .target()
                        .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
                        .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
                    if e.key() == "Escape" && !typing {
                        on_close.emit(());
                    }
                })
            });
            move || drop(listener)
        });
    }
    let inner = props.state.inner.borrow();
    let seen = inspect::inspect(inner.playground.cluster(), &props.target);
    let title = props.target.title();
    let namespace =
        (!matches!(props.target.namespace.as_str(), "" | "default")).then(|| format!(" -n {}", props.target.namespace));
    let close = {
        let on_close = props.on_close.clone();
        Callback::from(move |_: MouseEvent| on_close.emit(()))
    };
    let run = |command: String| {
        let state = props.state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(Action::Act(command.clone())))
    };
    let body = match &seen {
        None => html! { <p class="hint" data-gone="true">{ l.t(Key::ObjectGone) }</p> },
        Some(seen) => {
            let views: Vec<&(&str, Key)> =
                VIEWS.iter().filter(|(id, _)| *id != "scheduler" || seen.scheduling.is_some()).collect();
            let current = if views.iter().any(|(id, _)| *id == *view) { *view } else { "describe" };
            let content = match current {
                "yaml" => html! { <pre class="inspect-text" data-view="yaml">{ seen.yaml.clone() }</pre> },
                "events" if seen.events.is_empty() => html! { <p class="hint">{ l.t(Key::NoEvents) }</p> },
                "events" => html! {
                    <table class="services kube-events" data-view="events">
                        <thead><tr>{ for seen.event_headers.iter().map(|h| html! { <th>{*h}</th> }) }</tr></thead>
                        <tbody>{ for seen.events.iter().map(|r| html! {
                            <tr>{ for r.iter().map(|c| html! { <td>{c.clone()}</td> }) }</tr>
                        }) }</tbody>
                    </table>
                },
                "scheduler" => scheduling(seen.scheduling.as_ref(), l),
                _ => html! { <pre class="inspect-text" data-view="describe">{ seen.describe.clone() }</pre> },
            };
            let scale = seen.replicas.map(|current_replicas| {
                let value = replicas.unwrap_or(current_replicas.max(0) as u32);
                let oninput = {
                    let replicas = replicas.clone();
                    Callback::from(move |e: InputEvent| {
                        let input: HtmlInputElement = e.target_unchecked_into();
                        replicas.set(input.value().parse::<u32>().ok().map(|n| n.min(100)));
                    })
                };
                html! {
                    <span class="scale">
                        <label>
                            <span>{ l.t(Key::Replicas) }</span>
                            <input type="number" min="0" max="100" aria-label={l.t(Key::Replicas)}
                                value={value.to_string()} {oninput} />
                        </label>
                        <button data-action="scale" onclick={run(props.target.scale_command(value))}>{ l.t(Key::Scale) }</button>
                    </span>
                }
            });
            html! {
                <>
                    <div class="inspector-tabs" role="group" aria-label={l.t(Key::InspectorViews)}>
                    { for views.iter().map(|(id, key)| {
                        let onclick = {
                            let view = view.clone();
                            let id: &'static str = id;
                            Callback::from(move |_: MouseEvent| view.set(id))
                        };
                        html! {
                            <button class="tab" aria-pressed={(current == *id).to_string()} data-view-button={*id} {onclick}>
                                { l.t(*key) }
                            </button>
                        }
                    }) }
                    </div>
                    <div class="inspector-actions" role="group" aria-label={l.t(Key::InspectorActions)}>
                        { for seen.actions.iter().map(|a| html! {
                            <button data-action={a.id} title={a.command.clone()} onclick={run(a.command.clone())}>
                                { l.t(action_label(a.id)) }
                            </button>
                        }) }
                        { scale.unwrap_or_default() }
                        { match &seen.controller {
                            Some(c) => {
                                let on_select = props.on_select.clone();
                                let target = c.clone();
                                let text = l.fmt(Key::ControlledBy, &[&c.title()]);
                                html! {
                                    <button class="link" data-controller={c.title()}
                                        onclick={Callback::from(move |_: MouseEvent| on_select.emit(target.clone()))}>{ text }</button>
                                }
                            }
                            None => html! {},
                        } }
                    </div>
                    { content }
                </>
            }
        }
    };
    html! {
        <aside class="inspector" ref={aside} tabindex="-1" aria-label={l.t(Key::Inspector)} data-inspecting={title.clone()}>
            <header>
                <h2>{ format!("{title}{}", namespace.unwrap_or_default()) }</h2>
                <button class="close" aria-label={l.t(Key::CloseInspector)} title={l.t(Key::CloseInspector)} onclick={close}>{"✕"}</button>
            </header>
            { body }
        </aside>
    }
}

fn scheduling(view: Option<&inspect::SchedulingView>, l: Lang) -> Html {
    let Some(view) = view else { return html! {} };
    html! {
        <div data-view="scheduler">
            <p class="scheduling-message">{ view.message.clone() }</p>
            <table class="services scheduler-table" aria-label={l.t(Key::ViewScheduler)}>
                <thead><tr>
                    <th>{ l.t(Key::ColNode) }</th><th>{ l.t(Key::ColRejectedBy) }</th>
                    <th>{ l.t(Key::ColScores) }</th><th>{ l.t(Key::ColTotal) }</th>
                </tr></thead>
                <tbody>{ for view.nodes.iter().map(|n| html! {
                    <tr class={classes!(n.chosen.then_some("chosen"), (!n.rejected_by.is_empty()).then_some("rejected"))}
                        data-node={n.node.clone()} data-chosen={n.chosen.to_string()}>
                        <td>{ if n.chosen { format!("★ {}", n.node) } else { n.node.clone() } }</td>
                        <td>{ if n.rejected_by.is_empty() { "—".to_string() } else { n.rejected_by.clone() } }</td>
                        <td>{ n.scores.clone() }</td>
                        <td>{ if n.rejected_by.is_empty() { n.total.to_string() } else { String::new() } }</td>
                    </tr>
                }) }</tbody>
            </table>
        </div>
    }
}
