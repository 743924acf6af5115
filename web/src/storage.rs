//! The Storage tab: StorageClasses, PersistentVolumes and claims with their phases and bindings (PV ↔ PVC ↔
//! StorageClass ↔ Pod), a timeline per volume and claim from the engine's event log, and every pod's volumes
//! with their mount paths and a read-only browser of each volume's files as the kubelet holds them, at the
//! moment shown (the timeline's rewound moment too) (view models in `playground::views`).

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

/// The volume being browsed: (namespace, pod, volume).
type Browsing = Option<(String, String, String)>;

fn files_html(
    l: Lang,
    pg: &playground::Playground,
    browsing: &UseStateHandle<Browsing>,
    open: &UseStateHandle<Option<String>>,
) -> Html {
    let Some((ns, pod, volume)) = (**browsing).clone() else { return html! {} };
    let title = l.fmt(Key::FilesOf, &[&volume, &format!("{ns}/{pod}")]);
    let close = {
        let (browsing, open) = (browsing.clone(), open.clone());
        Callback::from(move |_: MouseEvent| {
            browsing.set(None);
            open.set(None);
        })
    };
    let body = match views::volume_files(pg.cluster(), &ns, &pod, &volume) {
        None => html! { <p class="hint">{ l.t(Key::VolumeUnavailable) }</p> },
        Some(files) if files.is_empty() => html! { <p class="hint">{ l.t(Key::VolumeEmpty) }</p> },
        Some(files) => {
            let shown = files.iter().find(|f| open.as_deref() == Some(f.path.as_str()));
            html! {
                <>
                <ul class="volume-files">
                { for files.iter().map(|f| {
                    let onclick = {
                        let (open, path) = (open.clone(), f.path.clone());
                        Callback::from(move |_: MouseEvent| open.set(Some(path.clone())))
                    };
                    html! {
                        <li data-file={f.path.clone()}>
                            <button class="link" aria-pressed={(open.as_deref() == Some(f.path.as_str())).to_string()} {onclick}>{ f.path.clone() }</button>
                            <span class="file-meta">{ format!(" {} {} B", f.mode, f.size) }</span>
                        </li>
                    }
                }) }
                </ul>
                { match shown {
                    Some(f) => html! { <pre class="inspect-text file-contents" aria-label={f.path.clone()}>{ f.contents.clone() }</pre> },
                    None => html! {},
                } }
                </>
            }
        }
    };
    html! {
        <section class="file-browser" aria-label={title.clone()} data-browsing={format!("{ns}/{pod}/{volume}")}>
            <h3>{ title }{" "}<button onclick={close}>{ l.t(Key::CloseFiles) }</button></h3>
            { body }
        </section>
    }
}

#[function_component(StorageView)]
pub fn storage_view(props: &Props) -> Html {
    let l = use_context::<Lang>().unwrap_or_default();
    let browsing = use_state(|| None::<(String, String, String)>);
    let open_file = use_state(|| None::<String>);
    let (browse_ref, open_ref) = (&browsing, &open_file);
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
                    <th>{l.t(Key::ColType)}</th><th>{l.t(Key::ColSource)}</th><th>{l.t(Key::ColMounts)}</th><th>{l.t(Key::ColFiles)}</th></tr></thead>
                <tbody>
                { for user_pods.iter().flat_map(|p| p.volumes.iter().map(move |v| html! {
                    <tr data-pod={format!("{}/{}", p.namespace, p.name)} data-volume-kind={v.kind}>
                        <td>{format!("{}/{}", p.namespace, p.name)}</td><td>{or_dash(&p.node)}</td>
                        <td>{v.name.clone()}</td><td>{v.kind}</td><td>{or_dash(&v.source)}</td>
                        <td>{v.mounts.join(", ")}</td>
                        <td>{{
                            let onclick = {
                                let (browsing, open_file) = (browse_ref.clone(), open_ref.clone());
                                let key = (p.namespace.clone(), p.name.clone(), v.name.clone());
                                Callback::from(move |_: MouseEvent| {
                                    browsing.set(Some(key.clone()));
                                    open_file.set(None);
                                })
                            };
                            html! { <button aria-label={l.fmt(Key::BrowseVolume, &[&v.name, &format!("{}/{}", p.namespace, p.name)])} {onclick}>{ l.t(Key::Browse) }</button> }
                        }}</td>
                    </tr>
                })) }
                </tbody>
            </table>
            { files_html(l, &inner.playground, &browsing, &open_file) }
        </div>
    }
}
