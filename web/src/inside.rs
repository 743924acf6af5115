//! The Network and DNS tabs: Services with their live endpoints, and every request and lookup replayed from
//! the engine's traces, hop by hop (view models in `playground::views`).

use playground::views::{self, TraceView};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::i18n::{Key, Lang};
use crate::netmap::NetMap;
use crate::state::AppState;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub state: UseReducerHandle<AppState>,
}

/// How many traces each tab keeps on screen, newest first.
const SHOWN: usize = 8;
/// How many pods the Network picture draws per node (the drawn request's first).
const PODS_PER_NODE: usize = 6;

fn trace_html(t: &TraceView, action: Option<Html>) -> Html {
    let seconds = t.at_ms as f64 / 1000.0;
    html! {
        <li class="trace" data-trace={t.seq.to_string()} data-outcome={t.outcome.clone()}>
            <p class="trace-title">
                <span class="when">{format!("t={seconds:.1}s")}</span>{" "}
                {t.title.clone()}{" → "}<strong>{t.outcome.clone()}</strong>
                { for action }
            </p>
            <ol class="steps">
                { for t.steps.iter().map(|s| html! {
                    <li class={classes!("step", s.kind)} data-hop={s.kind} data-node={s.node.clone().unwrap_or_default()}>
                        {s.text.clone()}
                    </li>
                }) }
            </ol>
        </li>
    }
}

/// Which request the Network picture draws and how far: the newest unless one was chosen, the whole path
/// unless a replay is stepping through it.
#[derive(Clone, Debug, Default, PartialEq)]
struct Replay {
    chosen: Option<u64>,
    step: Option<usize>,
    playing: bool,
}

enum ReplayAction {
    Choose(u64),
    /// From the first hop, one hop a tick.
    Play,
    /// The next hop of a path with this many steps; the replay stops at the last.
    Tick(usize),
    Previous(usize),
    Next(usize),
    Whole,
}

impl Reducible for Replay {
    type Action = ReplayAction;
    fn reduce(self: std::rc::Rc<Self>, action: ReplayAction) -> std::rc::Rc<Self> {
        let mut r = (*self).clone();
        match action {
            ReplayAction::Choose(seq) => r = Replay { chosen: Some(seq), step: None, playing: false },
            ReplayAction::Play => {
                r.step = Some(0);
                r.playing = true;
            }
            ReplayAction::Tick(len) => {
                let next = r.step.map_or(0, |s| s + 1);
                if next + 1 >= len {
                    r.playing = false;
                }
                r.step = Some(next.min(len.saturating_sub(1)));
            }
            ReplayAction::Previous(len) => {
                r.playing = false;
                // The whole path is as far as the last hop: back from there, or from the hop shown.
                r.step = Some(r.step.unwrap_or(len.saturating_sub(1)).saturating_sub(1));
            }
            ReplayAction::Next(len) => {
                r.playing = false;
                r.step = Some(r.step.map_or(0, |s| (s + 1).min(len.saturating_sub(1))));
            }
            ReplayAction::Whole => {
                r.playing = false;
                r.step = None;
            }
        }
        std::rc::Rc::new(r)
    }
}

/// How long each hop stays lit while a replay plays.
const HOP_MS: u32 = 900;

#[function_component(NetworkView)]
pub fn network_view(props: &Props) -> Html {
    let l = use_context::<Lang>().unwrap_or_default();
    let replay = use_reducer(Replay::default);
    let inner = props.state.inner.borrow();
    let cluster = inner.playground.cluster();
    let services = views::services(cluster);
    let traces = views::latest_traces(cluster, false, SHOWN);
    let shown = replay.chosen.and_then(|seq| traces.iter().find(|t| t.seq == seq)).or(traces.first()).cloned();
    let len = shown.as_ref().map_or(0, |t| t.steps.len());
    {
        let dispatcher = replay.dispatcher();
        use_effect_with((replay.playing, len), move |(playing, len)| {
            let len = *len;
            let interval = playing.then(|| {
                gloo::timers::callback::Interval::new(HOP_MS, move || dispatcher.dispatch(ReplayAction::Tick(len)))
            });
            move || drop(interval)
        });
    }
    let focus: Vec<String> = shown
        .iter()
        .flat_map(|t| t.steps.iter().flat_map(|s| s.elements.iter()))
        .filter_map(|e| e.strip_prefix("pod:").map(str::to_string))
        .collect();
    let nodes = views::net_nodes(&inner.playground.snapshot(), &focus, PODS_PER_NODE);
    let step = replay.step.filter(|s| *s < len);
    let caption = shown.as_ref().map(|t| match step {
        Some(i) => l.fmt(Key::HopOf, &[&(i + 1).to_string(), &len.to_string(), &t.steps[i].text]),
        None => l.fmt(Key::WholePathOf, &[&t.title, &len.to_string(), &t.outcome]),
    });
    let act = |action: fn(usize) -> ReplayAction| {
        let replay = replay.clone();
        Callback::from(move |_: MouseEvent| replay.dispatch(action(len)))
    };
    let chosen_seq = shown.as_ref().map(|t| t.seq);
    let trace_item = |t: &TraceView| {
        let seq = t.seq;
        let choose = {
            let replay = replay.clone();
            Callback::from(move |_: MouseEvent| replay.dispatch(ReplayAction::Choose(seq)))
        };
        let pressed = chosen_seq == Some(seq);
        trace_html(
            t,
            Some(html! {
                <button class="show-trace" aria-pressed={pressed.to_string()} onclick={choose}>{l.t(Key::ShowOnPicture)}</button>
            }),
        )
    };
    html! {
        <div class="inside">
            <h2>{l.t(Key::NetworkPicture)}</h2>
            <NetMap nodes={nodes} trace={shown.clone()} step={step} />
            if let Some(caption) = caption {
                <div class="replay-controls">
                    <button class="replay" onclick={act(|_| ReplayAction::Play)}>{l.t(Key::ReplayHops)}</button>
                    <button class="previous-hop" onclick={act(ReplayAction::Previous)}>{l.t(Key::PreviousHop)}</button>
                    <button class="next-hop" onclick={act(ReplayAction::Next)}>{l.t(Key::NextHop)}</button>
                    <button class="whole-path" onclick={act(|_| ReplayAction::Whole)}>{l.t(Key::WholePath)}</button>
                    <p class="hop-caption" aria-live="polite" data-step={step.map(|s| (s + 1).to_string()).unwrap_or_default()}>{caption}</p>
                </div>
            }
            <h2>{l.t(Key::Services)}</h2>
            <table class="services" aria-label={l.t(Key::Services)}>
                <thead><tr><th>{l.t(Key::ColService)}</th><th>{l.t(Key::ColType)}</th><th>{l.t(Key::ColClusterIp)}</th>
                    <th>{l.t(Key::ColPorts)}</th><th>{l.t(Key::ColReadyEndpoints)}</th></tr></thead>
                <tbody>
                { for services.iter().map(|s| html! {
                    <tr data-service={s.name.clone()}>
                        <td>{s.name.clone()}</td><td>{s.kind.clone()}</td><td>{s.cluster_ip.clone()}</td>
                        <td>{s.ports.clone()}</td>
                        <td>{ if s.endpoints.is_empty() { l.t(Key::NoEndpoints).to_string() } else { s.endpoints.join(", ") } }</td>
                    </tr>
                }) }
                </tbody>
            </table>
            <h2>{l.t(Key::Requests)}</h2>
            { if traces.is_empty() {
                html! { <p class="hint">{l.t(Key::RequestsHint)}</p> }
            } else {
                html! { <ol class="traces" aria-label={l.t(Key::Requests)}>{ for traces.iter().map(trace_item) }</ol> }
            } }
        </div>
    }
}

#[function_component(DnsView)]
pub fn dns_view(props: &Props) -> Html {
    let l = use_context::<Lang>().unwrap_or_default();
    // "Try a name": the walk a pod in that namespace would make, worked out without a pod.
    let tried = use_state(|| None::<(String, String)>);
    let name_ref = use_node_ref();
    let ns_ref = use_node_ref();
    let onsubmit = {
        let (tried, name_ref, ns_ref) = (tried.clone(), name_ref.clone(), ns_ref.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let value = |r: &NodeRef| r.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            let name = value(&name_ref);
            if !name.trim().is_empty() {
                tried.set(Some((value(&ns_ref), name)));
            }
        })
    };
    let inner = props.state.inner.borrow();
    let traces = views::latest_traces(inner.playground.cluster(), true, SHOWN);
    let walk = tried.as_ref().map(|(ns, name)| views::dns_walk(inner.playground.cluster(), ns, name));
    html! {
        <div class="inside">
            <h2>{l.t(Key::TryName)}</h2>
            <form class="try-name" aria-label={l.t(Key::TryName)} {onsubmit}>
                <label>{l.t(Key::NameToLookUp)}{" "}
                    <input ref={name_ref} type="text" aria-label={l.t(Key::NameToLookUp)} placeholder="web.prod" spellcheck="false" />
                </label>
                <label>{l.t(Key::FromNamespace)}{" "}
                    <input ref={ns_ref} type="text" aria-label={l.t(Key::FromNamespace)} placeholder="default" spellcheck="false" />
                </label>
                <button type="submit">{l.t(Key::LookUp)}</button>
            </form>
            { match &walk {
                Some(w) => html! { <ol class="traces what-if" aria-label={l.t(Key::TryName)}>{ trace_html(w, None) }</ol> },
                None => html! { <p class="hint">{l.t(Key::TryNameHint)}</p> },
            } }
            <h2>{l.t(Key::Lookups)}</h2>
            { if traces.is_empty() {
                html! { <p class="hint">{l.t(Key::LookupsHint)}</p> }
            } else {
                html! { <ol class="traces" aria-label={l.t(Key::Lookups)}>{ for traces.iter().map(|t| trace_html(t, None)) }</ol> }
            } }
        </div>
    }
}
