//! The topology picture, drawn from the engine's snapshot: control-plane nodes above with their components
//! (etcd, kube-apiserver, kube-scheduler, kube-controller-manager; the leaders starred) and the etcd quorum,
//! workers below; on every node kubelet, kube-proxy, Flannel and containerd, and its pods coloured by the
//! workload that owns them; the scheduler's queue of pods it could not place yet, with why; the Services with a
//! line to each ready endpoint. Pods the event log shows changing just now animate. Everything opens in the
//! inspector on click or Enter.

use playground::inspect::{Kind, Target};
use playground::{ComponentView, NodeView, PodView, ServiceView, Snapshot};
use yew::prelude::*;

use crate::i18n::{Key, Lang};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub snapshot: Snapshot,
    pub on_select: Callback<Target>,
}

const NODE_W: i32 = 232;
const GAP: i32 = 24;
const ROW_LABEL_H: i32 = 28;
const HEADER_H: i32 = 62;
const CHIP_W: i32 = 52;
const CHIP_H: i32 = 18;
const CHIPS_PER_ROW: i32 = 4;
const POD_W: i32 = 68;
const POD_H: i32 = 22;
const PODS_PER_ROW: usize = 3;
/// Pods drawn per node; the rest are counted.
const MAX_PODS: usize = 12;
const QUEUE_W: i32 = 260;
const QUEUE_ROWS: usize = 5;
const SERVICE_W: i32 = 150;
const SERVICE_H: i32 = 48;
const MAX_SERVICES: usize = 8;

/// Colours for owners (Okabe–Ito, safe for colour-blind eyes); the owner's name is in every title too.
const OWNER_COLOURS: [&str; 7] = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"];

/// A node's box: where it goes and how tall it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodeBox {
    pub x: i32,
    pub y: i32,
    pub h: i32,
}

/// The whole picture's geometry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    pub nodes: Vec<NodeBox>,
    /// The top of the bottom row (scheduler queue, Services).
    pub bottom_y: i32,
    pub width: i32,
    pub height: i32,
}

fn component_rows(n: &NodeView) -> i32 {
    (n.components.len() as i32 + CHIPS_PER_ROW - 1) / CHIPS_PER_ROW
}

fn pod_rows(pods: usize) -> i32 {
    pods.min(MAX_PODS).div_ceil(PODS_PER_ROW).max(1) as i32 + i32::from(pods > MAX_PODS)
}

/// Height of a node box holding `pods` drawn pods.
fn node_height(n: &NodeView, pods: usize) -> i32 {
    HEADER_H + component_rows(n) * (CHIP_H + 4) + 6 + pod_rows(pods) * (POD_H + 4) + 8
}

/// One row per role in the snapshot's order, each row as tall as its tallest node; then the bottom row.
/// `pods_on[i]` is how many pods node `i` draws.
pub fn layout(nodes: &[NodeView], pods_on: &[usize]) -> Layout {
    let mut row_h = [0i32; 2];
    let mut per_row = [0i32; 2];
    let rows: Vec<usize> = nodes.iter().map(|n| usize::from(n.role != "control-plane")).collect();
    for (i, n) in nodes.iter().enumerate() {
        row_h[rows[i]] = row_h[rows[i]].max(node_height(n, pods_on.get(i).copied().unwrap_or(0)));
    }
    let row_y = [ROW_LABEL_H, ROW_LABEL_H + row_h[0] + GAP + ROW_LABEL_H];
    let boxes = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let row = rows[i];
            let x = GAP + per_row[row] * (NODE_W + GAP);
            per_row[row] += 1;
            NodeBox { x, y: row_y[row], h: node_height(n, pods_on.get(i).copied().unwrap_or(0)) }
        })
        .collect();
    let columns = per_row[0].max(per_row[1]).max(1);
    let bottom_y = row_y[1] + row_h[1] + GAP + ROW_LABEL_H;
    let queue_h = 30 + QUEUE_ROWS as i32 * 20;
    let width = (GAP + columns * (NODE_W + GAP)).max(GAP + QUEUE_W + GAP + 3 * (SERVICE_W + 16));
    Layout { nodes: boxes, bottom_y, width, height: bottom_y + queue_h.max(SERVICE_H) + GAP }
}

/// The short label of a component chip.
fn chip_label(name: &str) -> &'static str {
    match name {
        "etcd" => "etcd",
        "kube-apiserver" => "api",
        "kube-scheduler" => "sched",
        "kube-controller-manager" => "ctrl-mgr",
        "kubelet" => "kubelet",
        "kube-proxy" => "proxy",
        "kube-flannel" => "flannel",
        _ => "runtime",
    }
}

/// Shortens a name to `n` characters with an ellipsis.
fn short(name: &str, n: usize) -> String {
    if name.chars().count() <= n {
        name.to_string()
    } else {
        let mut s: String = name.chars().take(n - 1).collect();
        s.push('…');
        s
    }
}

/// The pod chip's mark: phase in a shape, not colour alone.
fn pod_mark(p: &PodView) -> &'static str {
    match (p.phase.as_str(), p.status.as_str()) {
        (_, "Terminating") => "◍",
        ("Running", _) if p.ready.split_once('/').is_some_and(|(a, b)| a == b) => "●",
        ("Running", _) => "◐",
        ("Succeeded", _) => "✓",
        ("Failed", _) => "✕",
        _ => "◌",
    }
}

/// `Enter`/`Space` on a focused picture element acts like a click.
fn on_key(select: Callback<Target>, target: Target) -> Callback<KeyboardEvent> {
    Callback::from(move |e: KeyboardEvent| {
        if e.key() == "Enter" || e.key() == " " {
            e.prevent_default();
            select.emit(target.clone());
        }
    })
}

fn on_click(select: Callback<Target>, target: Target) -> Callback<MouseEvent> {
    Callback::from(move |_: MouseEvent| select.emit(target.clone()))
}

#[function_component(Topology)]
pub fn topology(props: &Props) -> Html {
    let l = use_context::<Lang>().unwrap_or_default();
    let snap = &props.snapshot;
    let nodes = &snap.nodes;
    let drawn: Vec<Vec<&PodView>> =
        nodes.iter().map(|n| snap.pods.iter().filter(|p| p.node == n.name && !p.infrastructure).collect()).collect();
    let counts: Vec<usize> = drawn.iter().map(Vec::len).collect();
    let geo = layout(nodes, &counts);
    let owner_colour =
        |owner: &str| snap.owners.iter().position(|o| o.owner == owner).map(|i| OWNER_COLOURS[i % OWNER_COLOURS.len()]);
    // Where each drawn pod chip's centre is, for the Services' lines.
    let mut pod_at: Vec<(&str, i32, i32)> = Vec::new();
    for ((n, b), pods) in nodes.iter().zip(&geo.nodes).zip(&drawn) {
        let top = b.y + HEADER_H + component_rows(n) * (CHIP_H + 4) + 6;
        for (i, p) in pods.iter().take(MAX_PODS).enumerate() {
            let (col, row) = ((i % PODS_PER_ROW) as i32, (i / PODS_PER_ROW) as i32);
            if !p.ip.is_empty() {
                pod_at.push((
                    p.ip.as_str(),
                    b.x + 12 + col * (POD_W + 4) + POD_W / 2,
                    top + row * (POD_H + 4) + POD_H / 2,
                ));
            }
        }
    }
    let control_planes = nodes.iter().filter(|n| n.role == "control-plane").count();
    let (all, workers) = (nodes.len().to_string(), (nodes.len() - control_planes).to_string());
    let description = l.fmt(Key::TopologyDescription, &[&all, &control_planes.to_string(), &workers]);
    let etcd = &snap.etcd;
    let quorum_text = match etcd.state {
        "healthy" => l.fmt(Key::EtcdHealthy, &[&etcd.up.to_string(), &etcd.total.to_string()]),
        "lost" => l.fmt(Key::EtcdLost, &[&etcd.up.to_string(), &etcd.total.to_string()]),
        _ => l.t(Key::EtcdDown).to_string(),
    };
    let worker_label_y = geo.nodes.iter().zip(nodes).find(|(_, n)| n.role != "control-plane").map(|(b, _)| b.y - 10);
    let services: Vec<&ServiceView> = snap.services.iter().take(MAX_SERVICES).collect();
    let service_x = |i: usize| GAP + QUEUE_W + GAP + i as i32 * (SERVICE_W + 16);
    let lines = services.iter().enumerate().flat_map(|(i, s)| {
        let (sx, sy) = (service_x(i) + SERVICE_W / 2, geo.bottom_y);
        let pod_at = &pod_at;
        let geo = &geo;
        s.endpoints.iter().filter_map(move |ip| {
            // A pod's address, else a node's (host-network endpoints such as the API servers).
            let (px, py) = pod_at.iter().find(|(a, _, _)| *a == ip).map(|(_, x, y)| (*x, *y)).or_else(|| {
                nodes.iter().zip(&geo.nodes).find(|(n, _)| n.internal_ip == *ip).map(|(_, b)| (b.x + NODE_W / 2, b.y + b.h))
            })?;
            let mid = (sy + py) / 2;
            Some(html! {
                <path class="endpoint-line" data-service={format!("{}/{}", s.namespace, s.name)} data-endpoint={ip.clone()}
                    d={format!("M{sx},{sy} C{sx},{mid} {px},{mid} {px},{py}")} />
            })
        })
    });
    html! {
        <div class="topology-view">
        <svg class="topology" role="img" aria-label={l.t(Key::ClusterTopology)} viewBox={format!("0 0 {} {}", geo.width, geo.height)}
            preserveAspectRatio="xMinYMin meet">
            <title>{ description }</title>
            <text class="row-label" x={GAP.to_string()} y="18">{l.t(Key::ControlPlane)}</text>
            <text class={classes!("etcd-quorum", etcd.state)} data-etcd={etcd.state} x={(GAP + 150).to_string()} y="18">{ quorum_text }</text>
            if let Some(y) = worker_label_y {
                <text class="row-label" x={GAP.to_string()} y={y.to_string()}>{l.t(Key::Workers)}</text>
            }
            { for nodes.iter().zip(&geo.nodes).zip(&drawn).map(|((n, b), pods)| node_box(n, pods, *b, l, &props.on_select, &owner_colour)) }
            { queue(snap, geo.bottom_y, l, &props.on_select) }
            <text class="row-label" x={service_x(0).to_string()} y={(geo.bottom_y - 10).to_string()}>{l.t(Key::Services)}</text>
            { for services.iter().enumerate().map(|(i, s)| service_box(s, service_x(i), geo.bottom_y, &props.on_select)) }
            if snap.services.len() > MAX_SERVICES {
                <text class="pod-more" x={service_x(MAX_SERVICES - 1).to_string()} y={(geo.bottom_y + SERVICE_H + 14).to_string()}>
                    { l.fmt(Key::PodsMore, &[&(snap.services.len() - MAX_SERVICES).to_string()]) }
                </text>
            }
            <g class="endpoint-lines" aria-hidden="true">{ for lines }</g>
        </svg>
        { owners_legend(snap, l, &props.on_select) }
        </div>
    }
}

fn node_box(
    node: &NodeView,
    pods: &[&PodView],
    b: NodeBox,
    l: Lang,
    select: &Callback<Target>,
    colour: &dyn Fn(&str) -> Option<&'static str>,
) -> Html {
    let ready = node.status == "Ready";
    let class = classes!(
        "node",
        node.role,
        if ready { "ready" } else { "not-ready" },
        (!node.running).then_some("stopped"),
        node.unschedulable.then_some("cordoned")
    );
    let target = Target::new(Kind::Node, "", &node.name);
    let mut state = if ready { "● Ready".to_string() } else { "▲ NotReady".to_string() };
    if node.unschedulable {
        state.push_str(", SchedulingDisabled");
    }
    if !node.running {
        state.push_str(&format!(" — {}", l.t(Key::MachineStopped)));
    }
    let chips_top = HEADER_H;
    let pods_top = HEADER_H + component_rows(node) * (CHIP_H + 4) + 6;
    let more = pods.len().saturating_sub(MAX_PODS);
    html! {
        <g class={class} data-node={node.name.clone()} data-role={node.role} data-status={node.status}
            data-running={node.running.to_string()} transform={format!("translate({},{})", b.x, b.y)}>
            <g class="node-frame" tabindex="0" role="button" aria-label={l.fmt(Key::InspectNode, &[&node.name])}
                onclick={on_click(select.clone(), target.clone())} onkeydown={on_key(select.clone(), target)}>
                <title>{ format!("{} ({}), {}", node.name, node.role, state) }</title>
                <rect width={NODE_W.to_string()} height={b.h.to_string()} rx="8" />
                <text class="node-name" x="12" y="22">{ node.name.clone() }</text>
                <text class="node-status" x="12" y="40">{ state }</text>
                <text class="node-detail" x="12" y="56">{ format!("{} · {}", node.internal_ip, node.pod_cidr) }</text>
            </g>
            { for node.components.iter().enumerate().map(|(i, c)| component_chip(c, &node.name, i as i32, chips_top, l, select)) }
            { for pods.iter().take(MAX_PODS).enumerate().map(|(i, p)| pod_chip(p, i, pods_top, l, select, colour(&p.owner))) }
            if more > 0 {
                <text class="pod-more" x="12" y={(pods_top + pod_rows(pods.len()) * (POD_H + 4) - 8).to_string()}>
                    { l.fmt(Key::PodsMore, &[&more.to_string()]) }
                </text>
            }
        </g>
    }
}

fn component_chip(c: &ComponentView, node: &str, i: i32, top: i32, l: Lang, select: &Callback<Target>) -> Html {
    let (col, row) = (i % CHIPS_PER_ROW, i / CHIPS_PER_ROW);
    let (x, y) = (12 + col * (CHIP_W + 2), top + row * (CHIP_H + 4));
    let health = if c.healthy { l.t(Key::ComponentUp) } else { l.t(Key::ComponentDown) };
    let leader = if c.leader { format!(", {}", l.t(Key::Leader)) } else { String::new() };
    let label = format!(
        "{}{}",
        if c.leader {
            "★"
        } else if c.healthy {
            ""
        } else {
            "✕"
        },
        chip_label(c.name)
    );
    let title = format!("{}: {health}{leader}", c.name);
    let class = classes!("component", if c.healthy { "up" } else { "down" }, c.leader.then_some("leader"));
    let inner = html! {
        <>
            <title>{ title.clone() }</title>
            <rect width={CHIP_W.to_string()} height={CHIP_H.to_string()} rx="3" />
            <text x="4" y="13">{ label }</text>
        </>
    };
    match c.pod.as_deref().and_then(Target::pod) {
        Some(target) => html! {
            // A pod too (CONTRACT §5: every pod has data-pod, data-phase and data-node).
            <g class={class} data-component={c.name} data-health={if c.healthy { "up" } else { "down" }}
                data-leader={c.leader.to_string()} data-pod={c.pod.clone()} data-phase={c.phase.clone()}
                data-node={node.to_string()} transform={format!("translate({x},{y})")} tabindex="0" role="button"
                aria-label={title} onclick={on_click(select.clone(), target.clone())} onkeydown={on_key(select.clone(), target)}>
                { inner }
            </g>
        },
        None => html! {
            <g class={class} data-component={c.name} data-health={if c.healthy { "up" } else { "down" }}
                data-leader="false" transform={format!("translate({x},{y})")}>
                { inner }
            </g>
        },
    }
}

/// A pod inside its node: a mark for its state, its name, a stripe in its owner's colour; the rest in its title.
fn pod_chip(
    pod: &PodView,
    i: usize,
    top: i32,
    l: Lang,
    select: &Callback<Target>,
    colour: Option<&'static str>,
) -> Html {
    let (col, row) = ((i % PODS_PER_ROW) as i32, (i / PODS_PER_ROW) as i32);
    let (px, py) = (12 + col * (POD_W + 4), top + row * (POD_H + 4));
    let key = format!("{}/{}", pod.namespace, pod.name);
    let target = Target::new(Kind::Pod, &pod.namespace, &pod.name);
    let mut title = l.fmt(
        Key::PodTitle,
        &[
            &key,
            &pod.status,
            &pod.ready,
            if pod.ip.is_empty() { "<none>" } else { pod.ip.as_str() },
            &pod.restarts.to_string(),
        ],
    );
    if !pod.owner.is_empty() {
        title.push_str(&format!(
            "\n{}{}",
            if pod.via.is_empty() { String::new() } else { format!("{} ← ", pod.via) },
            pod.owner
        ));
    }
    if !pod.recent_reason.is_empty() {
        title.push_str(&format!("\n{}", pod.recent_reason));
    }
    let status_class = pod.status.to_lowercase().replace(':', "-");
    let class = classes!(
        "pod",
        pod.phase.to_lowercase(),
        status_class,
        (!pod.recent.is_empty()).then(|| format!("recent-{}", pod.recent))
    );
    html! {
        <g key={key.clone()} class={class} data-pod={key} data-phase={pod.phase.clone()} data-node={pod.node.clone()}
            data-status={pod.status.clone()} data-owner={pod.owner.clone()} data-recent={pod.recent}
            transform={format!("translate({px},{py})")} tabindex="0" role="button" aria-label={title.clone()}
            onclick={on_click(select.clone(), target.clone())} onkeydown={on_key(select.clone(), target)}>
            <title>{ title }</title>
            <rect class="pod-body" width={POD_W.to_string()} height={POD_H.to_string()} rx="4" />
            if let Some(c) = colour {
                <rect class="owner-stripe" width="4" height={POD_H.to_string()} rx="2" fill={c} />
            }
            <text x="7" y="15">{ format!("{}{}", pod_mark(pod), short(&pod.name, 8)) }</text>
        </g>
    }
}

/// The pods the scheduler has not placed, each with the start of its reason.
fn queue(snap: &Snapshot, y: i32, l: Lang, select: &Callback<Target>) -> Html {
    let more = snap.queue.len().saturating_sub(QUEUE_ROWS);
    html! {
        <g class="scheduler-queue" data-pending={snap.queue.len().to_string()} transform={format!("translate({GAP},{y})")}>
            <text class="row-label" x="0" y="-10">{ l.fmt(Key::SchedulerQueue, &[&snap.queue.len().to_string()]) }</text>
            <rect class="queue-frame" width={QUEUE_W.to_string()} height={(30 + QUEUE_ROWS as i32 * 20).to_string()} rx="8" />
            if snap.queue.is_empty() {
                <text class="node-detail" x="12" y="22">{ l.t(Key::QueueEmpty) }</text>
            }
            { for snap.queue.iter().take(QUEUE_ROWS).enumerate().map(|(i, q)| {
                let target = Target::pod(&q.pod);
                let reason = if q.reason.is_empty() { l.t(Key::WaitingForScheduler).to_string() } else { q.reason.clone() };
                let text = format!("◌ {} — {}", short(q.pod.split_once('/').map_or(&q.pod, |p| p.1), 14), short(&reason, 26));
                let title = format!("{}: {reason}", q.pod);
                match target {
                    Some(t) => html! {
                        <g class="queued" data-queued={q.pod.clone()} tabindex="0" role="button" aria-label={title.clone()}
                            onclick={on_click(select.clone(), t.clone())} onkeydown={on_key(select.clone(), t)}
                            transform={format!("translate(10,{})", 8 + i as i32 * 20)}>
                            <title>{ title }</title>
                            <text y="14">{ text }</text>
                        </g>
                    },
                    None => html! {},
                }
            }) }
            if more > 0 {
                <text class="pod-more" x="12" y={(30 + QUEUE_ROWS as i32 * 20 - 6).to_string()}>{ l.fmt(Key::PodsMore, &[&more.to_string()]) }</text>
            }
        </g>
    }
}

fn service_box(s: &ServiceView, x: i32, y: i32, select: &Callback<Target>) -> Html {
    let key = format!("{}/{}", s.namespace, s.name);
    let target = Target::new(Kind::Service, &s.namespace, &s.name);
    let title = format!("Service {key} ({}) {} {} → {}", s.type_, s.cluster_ip, s.ports, s.endpoints.join(", "));
    html! {
        <g class={classes!("service", s.endpoints.is_empty().then_some("no-endpoints"))} data-service={key}
            data-endpoints={s.endpoints.len().to_string()} transform={format!("translate({x},{y})")} tabindex="0"
            role="button" aria-label={title.clone()} onclick={on_click(select.clone(), target.clone())}
            onkeydown={on_key(select.clone(), target)}>
            <title>{ title }</title>
            <rect width={SERVICE_W.to_string()} height={SERVICE_H.to_string()} rx="6" />
            <text class="node-name" x="8" y="18">{ short(&s.name, 18) }</text>
            <text class="node-detail" x="8" y="36">{ format!("{} {}", short(&s.type_, 9), s.cluster_ip) }</text>
        </g>
    }
}

/// The workloads (Deployment → ReplicaSet → pods) with their colours, as a list a screen reader reads too.
fn owners_legend(snap: &Snapshot, l: Lang, select: &Callback<Target>) -> Html {
    if snap.owners.iter().all(|o| o.namespace.starts_with("kube-")) {
        return html! {};
    }
    html! {
        <ul class="owners" aria-label={l.t(Key::Workloads)}>
        { for snap.owners.iter().enumerate().filter(|(_, o)| !o.namespace.starts_with("kube-")).map(|(i, o)| {
            let colour = OWNER_COLOURS[i % OWNER_COLOURS.len()];
            let target = o.owner.split_once('/').and_then(|(k, n)| Target::named(k, &o.namespace, n));
            let chain = o.via.iter().map(|v| format!(" → {v}")).collect::<String>();
            let count = if o.pods.len() == 1 { l.t(Key::PodCountOne).to_string() } else { l.fmt(Key::PodCount, &[&o.pods.len().to_string()]) };
            let text = format!("{}{chain} → {count}", o.owner);
            html! {
                <li data-owner={o.owner.clone()}>
                    <span class="swatch" style={format!("background:{colour}")} aria-hidden="true"></span>
                    { match target {
                        Some(t) => html! { <button class="link" onclick={on_click(select.clone(), t)}>{ text }</button> },
                        None => html! { <span>{ text }</span> },
                    } }
                    { if o.namespace != "default" { format!(" ({})", o.namespace) } else { String::new() } }
                </li>
            }
        }) }
        </ul>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(name: &str, role: &'static str, components: usize) -> NodeView {
        let c = ComponentView { name: "kubelet", pod: None, phase: String::new(), healthy: true, leader: false };
        NodeView {
            name: name.into(),
            role,
            status: "Ready",
            internal_ip: String::new(),
            pod_cidr: String::new(),
            running: true,
            unschedulable: false,
            components: vec![c; components],
        }
    }

    #[test]
    fn control_planes_share_the_top_row_workers_the_bottom() {
        let nodes = [node("cp1", "control-plane", 8), node("cp2", "control-plane", 8), node("w1", "worker", 4)];
        let geo = layout(&nodes, &[0, 2, 7]);
        assert_eq!(geo.nodes[0].y, geo.nodes[1].y);
        assert!(geo.nodes[2].y > geo.nodes[0].y + geo.nodes[0].h);
        assert_eq!(geo.nodes[2].x, geo.nodes[0].x);
        // Two chip rows on a control plane, one on a worker; three pods a row.
        assert_eq!(geo.nodes[0].h, HEADER_H + 2 * (CHIP_H + 4) + 6 + (POD_H + 4) + 8);
        assert_eq!(geo.nodes[2].h, HEADER_H + (CHIP_H + 4) + 6 + 3 * (POD_H + 4) + 8);
        assert!(geo.bottom_y > geo.nodes[2].y + geo.nodes[2].h);
    }

    #[test]
    fn names_shorten_with_an_ellipsis() {
        assert_eq!(short("web", 8), "web");
        assert_eq!(short("web-7d9f8c6b5-x2x8k", 8), "web-7d9…");
        assert_eq!(pod_rows(0), 1);
        assert_eq!(pod_rows(12), 4);
        assert_eq!(pod_rows(13), 5, "a line for the count of the rest");
    }
}
