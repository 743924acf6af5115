//! The Storage tab: StorageClasses, PersistentVolumes and claims with their phases and bindings (PV ↔ PVC ↔
//! StorageClass ↔ Pod), a timeline per volume and claim from the engine's event log, and every pod's volumes
//! with their mount paths (view models in `playground::views`).

use playground::views::{self, TimelineStep};
use yew::prelude::*;

use crate::i18n::{Key, Lang};
use crate::state::AppState;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub state: UseReducerHandle<AppState>,
}

fn timeline_html(l: Lang, label: &str, steps: &[TimelineStep]) -> Html {
    html! {
        <ol class="timeline" aria-label={format!("{} {label}", l.t(Key::Timeline))}>
            { for steps.iter().map(|s| html! {
                <li class={classes!("tl", s.step)} data-event={s.step}>
                    <span class="when">{format!("t={:.1}s", s.at_ms as f64 / 1000.0)}</span>{" "}
                    <strong>{s.step}</strong>{" "}<span class="actor">{s.actor.clone()}</span>{": "}{s.text.clone()}
                </li>
            }) }
        </ol>
    }
}

fn or_dash(s: &str) -> String {
    if s.is_empty() {
        "—".to_string()
    } else {
        s.to_string()
    }
}

#[function_component(StorageView)]
pub fn storage_view(props: &Props) -> Html {
    let l = use_context::<Lang>().unwrap_or_default();
    let inner = props.state.inner.borrow();
    let view = views::storage(inner.playground.cluster());
    let user_pods: Vec<_> = view.pods.iter().filter(|p| !p.namespace.starts_with("kube-")).collect();
    html! {
        <div class="inside storage">
            <h2>{l.t(Key::StorageClasses)}</h2>
            <table class="services" aria-label={l.t(Key::StorageClasses)}>
                <thead><tr><th>{l.t(Key::ColName)}</th><th>{l.t(Key::ColProvisioner)}</th>
                    <th>{l.t(Key::ColReclaim)}</th><th>{l.t(Key::ColBindingMode)}</th></tr></thead>
                <tbody>
                { for view.classes.iter().map(|c| html! {
                    <tr data-class={c.name.clone()}>
                        <td>{c.name.clone()}{ if c.default { format!(" {}", l.t(Key::DefaultClass)) } else { String::new() } }</td>
                        <td>{c.provisioner.clone()}</td><td>{c.reclaim_policy.clone()}</td><td>{c.binding_mode.clone()}</td>
                    </tr>
                }) }
                </tbody>
            </table>

            <h2>{l.t(Key::Claims)}</h2>
            { if view.claims.is_empty() {
                html! { <p class="hint">{l.t(Key::NoClaims)}</p> }
            } else {
                html! {
                    <ul class="cards" aria-label={l.t(Key::Claims)}>
                    { for view.claims.iter().map(|c| {
                        let key = format!("{}/{}", c.namespace, c.name);
                        html! {
                            <li class="card" data-claim={key.clone()} data-phase={c.phase.clone()}
                                data-volume={c.volume.clone().unwrap_or_default()} data-pods={c.pods.join(" ")}>
                                <p class="card-title">
                                    <strong>{key.clone()}</strong>{" "}
                                    <span class={classes!("phase", c.phase.to_lowercase())}>{c.phase.clone()}</span>
                                </p>
                                <dl class="facts">
                                    <dt>{l.t(Key::ColVolume)}</dt><dd>{c.volume.clone().unwrap_or_else(|| l.t(Key::NotBound).to_string())}</dd>
                                    <dt>{l.t(Key::ColClass)}</dt><dd>{or_dash(&c.class)}</dd>
                                    <dt>{l.t(Key::ColCapacity)}</dt><dd>{or_dash(&c.capacity)}{" "}{c.access_modes.clone()}</dd>
                                    <dt>{l.t(Key::ColPods)}</dt>
                                    <dd>{ if c.pods.is_empty() { l.t(Key::NoPods).to_string() } else { c.pods.join(", ") } }</dd>
                                </dl>
                                { timeline_html(l, &key, &c.timeline) }
                            </li>
                        }
                    }) }
                    </ul>
                }
            } }

            <h2>{l.t(Key::PersistentVolumes)}</h2>
            { if view.volumes.is_empty() {
                html! { <p class="hint">{l.t(Key::NoVolumes)}</p> }
            } else {
                html! {
                    <ul class="cards" aria-label={l.t(Key::PersistentVolumes)}>
                    { for view.volumes.iter().map(|v| html! {
                        <li class="card" data-pv={v.name.clone()} data-phase={v.phase.clone()}
                            data-claim={v.claim.clone().unwrap_or_default()}>
                            <p class="card-title">
                                <strong>{v.name.clone()}</strong>{" "}
                                <span class={classes!("phase", v.phase.to_lowercase())}>{v.phase.clone()}</span>
                            </p>
                            <dl class="facts">
                                <dt>{l.t(Key::ColClaim)}</dt><dd>{v.claim.clone().unwrap_or_else(|| l.t(Key::NotBound).to_string())}</dd>
                                <dt>{l.t(Key::ColClass)}</dt><dd>{or_dash(&v.class)}</dd>
                                <dt>{l.t(Key::ColCapacity)}</dt><dd>{or_dash(&v.capacity)}{" "}{v.access_modes.clone()}</dd>
                                <dt>{l.t(Key::ColReclaim)}</dt><dd>{or_dash(&v.reclaim_policy)}</dd>
                                <dt>{l.t(Key::ColSource)}</dt><dd>{or_dash(&v.source)}</dd>
                            </dl>
                            { timeline_html(l, &v.name, &v.timeline) }
                        </li>
                    }) }
                    </ul>
                }
            } }

            <h2>{l.t(Key::PodVolumes)}</h2>
            <p class="hint">{l.t(Key::SystemPodsHidden)}</p>
            <table class="services pod-volumes" aria-label={l.t(Key::PodVolumes)}>
                <thead><tr><th>{"Pod"}</th><th>{l.t(Key::ColNode)}</th><th>{l.t(Key::ColVolume)}</th>
                    <th>{l.t(Key::ColType)}</th><th>{l.t(Key::ColSource)}</th><th>{l.t(Key::ColMounts)}</th></tr></thead>
                <tbody>
                { for user_pods.iter().flat_map(|p| p.volumes.iter().map(move |v| html! {
                    <tr data-pod={format!("{}/{}", p.namespace, p.name)} data-volume-kind={v.kind}>
                        <td>{format!("{}/{}", p.namespace, p.name)}</td><td>{or_dash(&p.node)}</td>
                        <td>{v.name.clone()}</td><td>{v.kind}</td><td>{or_dash(&v.source)}</td>
                        <td>{v.mounts.join(", ")}</td>
                    </tr>
                })) }
                </tbody>
            </table>
        </div>
    }
}
