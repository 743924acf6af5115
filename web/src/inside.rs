//! The Network and DNS tabs: Services with their live endpoints, and every request and lookup replayed from
//! the engine's traces, hop by hop (view models in `playground::views`).

use playground::views::{self, TraceView};
use yew::prelude::*;

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
    let inner = props.state.inner.borrow();
    let cluster = inner.playground.cluster();
    let services = views::services(cluster);
    let traces = views::latest_traces(cluster, false, SHOWN);
    html! {
        <div class="inside">
            <h2>{"Services"}</h2>
            <table class="services" aria-label="Services">
                <thead><tr><th>{"Service"}</th><th>{"Type"}</th><th>{"ClusterIP"}</th><th>{"Ports"}</th><th>{"Ready endpoints"}</th></tr></thead>
                <tbody>
                { for services.iter().map(|s| html! {
                    <tr data-service={s.name.clone()}>
                        <td>{s.name.clone()}</td><td>{s.kind.clone()}</td><td>{s.cluster_ip.clone()}</td>
                        <td>{s.ports.clone()}</td>
                        <td>{ if s.endpoints.is_empty() { "none".to_string() } else { s.endpoints.join(", ") } }</td>
                    </tr>
                }) }
                </tbody>
            </table>
            <h2>{"Requests"}</h2>
            { if traces.is_empty() {
                html! { <p class="hint">{"Run a request from a pod (kubectl exec POD -- wget -qO- http://SERVICE) and its path appears here, hop by hop."}</p> }
            } else {
                html! { <ol class="traces" aria-label="Requests">{ for traces.iter().map(trace_html) }</ol> }
            } }
        </div>
    }
}

#[function_component(DnsView)]
pub fn dns_view(props: &Props) -> Html {
    let inner = props.state.inner.borrow();
    let traces = views::latest_traces(inner.playground.cluster(), true, SHOWN);
    html! {
        <div class="inside">
            <h2>{"Lookups"}</h2>
            { if traces.is_empty() {
                html! { <p class="hint">{"Look a name up from a pod (kubectl exec POD -- nslookup NAME) and the resolver's walk through its search list appears here."}</p> }
            } else {
                html! { <ol class="traces" aria-label="Lookups">{ for traces.iter().map(trace_html) }</ol> }
            } }
        </div>
    }
}
