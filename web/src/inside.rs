//! The Network and DNS tabs: Services with their live endpoints, and every request and lookup replayed from
//! the engine's traces, hop by hop (view models in `playground::views`).

use playground::views::{self, TraceView};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::i18n::{Key, Lang};
use crate::state::AppState;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub state: UseReducerHandle<AppState>,
}

/// How many traces each tab keeps on screen, newest first.
const SHOWN: usize = 8;

fn trace_html(t: &TraceView) -> Html {
    let seconds = t.at_ms as f64 / 1000.0;
    html! {
        <li class="trace" data-trace={t.seq.to_string()} data-outcome={t.outcome.clone()}>
            <p class="trace-title">
                <span class="when">{format!("t={seconds:.1}s")}</span>{" "}
                {t.title.clone()}{" → "}<strong>{t.outcome.clone()}</strong>
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

#[function_component(NetworkView)]
pub fn network_view(props: &Props) -> Html {
    let l = use_context::<Lang>().unwrap_or_default();
    let inner = props.state.inner.borrow();
    let cluster = inner.playground.cluster();
    let services = views::services(cluster);
    let traces = views::latest_traces(cluster, false, SHOWN);
    html! {
        <div class="inside">
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
                html! { <ol class="traces" aria-label={l.t(Key::Requests)}>{ for traces.iter().map(trace_html) }</ol> }
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
                Some(w) => html! { <ol class="traces what-if" aria-label={l.t(Key::TryName)}>{ trace_html(w) }</ol> },
                None => html! { <p class="hint">{l.t(Key::TryNameHint)}</p> },
            } }
            <h2>{l.t(Key::Lookups)}</h2>
            { if traces.is_empty() {
                html! { <p class="hint">{l.t(Key::LookupsHint)}</p> }
            } else {
                html! { <ol class="traces" aria-label={l.t(Key::Lookups)}>{ for traces.iter().map(trace_html) }</ol> }
            } }
        </div>
    }
}
