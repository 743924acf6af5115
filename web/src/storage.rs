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

/// A box of the storage graph: a pod that mounts a claim, a claim, a volume or a class, in its column.
#[derive(Clone, Debug, PartialEq)]
struct GraphNode {
    /// `pod:NS/NAME`, `pvc:NS/NAME`, `pv:NAME`, `sc:NAME`
    id: String,
    col: usize,
    row: usize,
    label: String,
    /// The phase (`Bound`, `Pending`, `Released`, `Running`…); empty for a class.
    phase: String,
}

/// A line of the storage graph: a pod mounts a claim, a claim is bound to a volume, a volume belongs to a
/// class, or a claim not bound yet waits on its class (`wants`).
#[derive(Clone, Debug, PartialEq)]
struct GraphEdge {
    from: String,
    to: String,
    kind: &'static str,
}

/// The graph of the learner's storage: pods (those that mount a claim), claims, volumes and classes in four
/// columns, each column in the view's order, with what joins them.
fn graph(view: &views::StorageView) -> (Vec<GraphNode>, Vec<GraphEdge>) {
    let mut nodes: Vec<GraphNode> = Vec::new();
    let mut edges = Vec::new();
    let short = |ns: &str, name: &str| if ns == "default" { name.to_string() } else { format!("{ns}/{name}") };
    let add = |nodes: &mut Vec<GraphNode>, id: String, col: usize, label: String, phase: String| {
        let row = nodes.iter().filter(|n| n.col == col).count();
        nodes.push(GraphNode { id, col, row, label, phase });
    };
    for p in &view.pods {
        let claims: Vec<&str> = p
            .volumes
            .iter()
            .filter(|v| v.kind == "persistentVolumeClaim")
            .map(|v| v.source.trim_end_matches(" (ro)"))
            .collect();
        if claims.is_empty() {
            continue;
        }
        let id = format!("pod:{}/{}", p.namespace, p.name);
        for c in claims {
            edges.push(GraphEdge { from: id.clone(), to: format!("pvc:{}/{c}", p.namespace), kind: "mounts" });
        }
        add(&mut nodes, id, 0, short(&p.namespace, &p.name), p.phase.clone());
    }
    for c in &view.claims {
        let id = format!("pvc:{}/{}", c.namespace, c.name);
        match &c.volume {
            Some(v) => edges.push(GraphEdge { from: id.clone(), to: format!("pv:{v}"), kind: "bound" }),
            None if !c.class.is_empty() => {
                edges.push(GraphEdge { from: id.clone(), to: format!("sc:{}", c.class), kind: "wants" })
            }
            None => {}
        }
        add(&mut nodes, id, 1, short(&c.namespace, &c.name), c.phase.clone());
    }
    for v in &view.volumes {
        let id = format!("pv:{}", v.name);
        if !v.class.is_empty() {
            edges.push(GraphEdge { from: id.clone(), to: format!("sc:{}", v.class), kind: "class" });
        }
        add(&mut nodes, id, 2, v.name.clone(), v.phase.clone());
    }
    for c in &view.classes {
        add(&mut nodes, format!("sc:{}", c.name), 3, c.name.clone(), String::new());
    }
    // A line to something not drawn (a claim deleted under its pod) is left out.
    edges.retain(|e| nodes.iter().any(|n| n.id == e.to));
    (nodes, edges)
}

const COL_W: i32 = 200;
const BOX_W: i32 = 176;
const BOX_H: i32 = 34;
const ROW_H: i32 = 44;
const TOP: i32 = 24;

fn storage_graph(l: Lang, view: &views::StorageView) -> Html {
    let (nodes, edges) = graph(view);
    let rows = nodes.iter().map(|n| n.row + 1).max().unwrap_or(1) as i32;
    let (width, height) = (4 * COL_W + 10, TOP + rows * ROW_H + 6);
    let at =
        |id: &str| nodes.iter().find(|n| n.id == id).map(|n| (10 + n.col as i32 * COL_W, TOP + n.row as i32 * ROW_H));
    let headings = [Key::ColPods, Key::Claims, Key::PersistentVolumes, Key::StorageClasses];
    html! {
        <div class="netmap-scroll">
        <svg class="storage-graph" role="img" aria-label={l.t(Key::StorageGraph)} width={width.to_string()} height={height.to_string()}
            viewBox={format!("0 0 {width} {height}")}>
            <title>{ l.t(Key::StorageGraphDescription) }</title>
            { for headings.iter().enumerate().map(|(i, k)| html! {
                <text class="heading" x={(10 + i as i32 * COL_W).to_string()} y="14">{ l.t(*k) }</text>
            }) }
            { for edges.iter().filter_map(|e| {
                let ((fx, fy), (tx, ty)) = (at(&e.from)?, at(&e.to)?);
                let (x1, y1, x2, y2) = (fx + BOX_W, fy + BOX_H / 2, tx, ty + BOX_H / 2);
                let mid = (x1 + x2) / 2;
                Some(html! {
                    <path class={classes!("edge", e.kind)} data-from={e.from.clone()} data-to={e.to.clone()}
                        d={format!("M{x1},{y1} C{mid},{y1} {mid},{y2} {x2},{y2}")} />
                })
            }) }
            { for nodes.iter().map(|n| {
                let (x, y) = at(&n.id).unwrap_or_default();
                html! {
                    <g class={classes!("gnode", n.phase.to_lowercase())} data-id={n.id.clone()} data-phase={n.phase.clone()}>
                        <title>{ format!("{} {}", n.id, n.phase) }</title>
                        <rect x={x.to_string()} y={y.to_string()} width={BOX_W.to_string()} height={BOX_H.to_string()} rx="5" />
                        <text x={(x + 6).to_string()} y={(y + 14).to_string()}>{ crate::netmap::clip(&n.label, 28) }</text>
                        <text class="phase-text" x={(x + 6).to_string()} y={(y + 27).to_string()}>{ n.phase.clone() }</text>
                    </g>
                }
            }) }
        </svg>
        </div>
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
            <h2>{l.t(Key::StorageGraph)}</h2>
            { storage_graph(l, &view) }
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

#[cfg(test)]
mod tests {
    use super::*;
    use playground::views::{ClaimRow, ClassRow, PodVolume, PodVolumes, VolumeRow};

    #[test]
    fn the_graph_joins_pods_claims_volumes_and_classes() {
        let class = |name: &str| ClassRow {
            name: name.into(),
            provisioner: String::new(),
            reclaim_policy: String::new(),
            binding_mode: String::new(),
            default: false,
        };
        let claim = |name: &str, volume: Option<&str>, phase: &str| ClaimRow {
            namespace: "default".into(),
            name: name.into(),
            phase: phase.into(),
            volume: volume.map(str::to_string),
            class: "standard".into(),
            capacity: String::new(),
            access_modes: String::new(),
            pods: Vec::new(),
            timeline: Vec::new(),
        };
        let view = views::StorageView {
            classes: vec![class("standard")],
            volumes: vec![VolumeRow {
                name: "pvc-1".into(),
                capacity: String::new(),
                access_modes: String::new(),
                reclaim_policy: String::new(),
                phase: "Bound".into(),
                claim: Some("default/data".into()),
                class: "standard".into(),
                source: String::new(),
                timeline: Vec::new(),
            }],
            claims: vec![claim("data", Some("pvc-1"), "Bound"), claim("later", None, "Pending")],
            pods: vec![
                PodVolumes {
                    namespace: "default".into(),
                    name: "db".into(),
                    node: "worker-1".into(),
                    phase: "Running".into(),
                    volumes: vec![PodVolume {
                        name: "d".into(),
                        kind: "persistentVolumeClaim",
                        source: "data (ro)".into(),
                        mounts: Vec::new(),
                    }],
                },
                PodVolumes {
                    namespace: "default".into(),
                    name: "plain".into(),
                    node: "worker-1".into(),
                    phase: "Running".into(),
                    volumes: Vec::new(),
                },
            ],
        };
        let (nodes, edges) = graph(&view);
        let ids: Vec<(&str, usize, usize)> = nodes.iter().map(|n| (n.id.as_str(), n.col, n.row)).collect();
        assert_eq!(
            ids,
            [
                ("pod:default/db", 0, 0),
                ("pvc:default/data", 1, 0),
                ("pvc:default/later", 1, 1),
                ("pv:pvc-1", 2, 0),
                ("sc:standard", 3, 0)
            ],
            "a pod without claims is not drawn"
        );
        let lines: Vec<(&str, &str, &str)> = edges.iter().map(|e| (e.from.as_str(), e.to.as_str(), e.kind)).collect();
        assert_eq!(
            lines,
            [
                ("pod:default/db", "pvc:default/data", "mounts"),
                ("pvc:default/data", "pv:pvc-1", "bound"),
                ("pvc:default/later", "sc:standard", "wants"),
                ("pv:pvc-1", "sc:standard", "class"),
            ]
        );
    }
}
