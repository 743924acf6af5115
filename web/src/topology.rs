//! The topology picture: control-plane nodes above, workers below, drawn from the engine's snapshot.

use playground::{NodeView, PodView, Snapshot};
use yew::prelude::*;

use crate::i18n::{Key, Lang};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub snapshot: Snapshot,
}

const NODE_W: i32 = 190;
const NODE_H: i32 = 96;
const GAP: i32 = 24;
const ROW_LABEL_H: i32 = 28;

/// Where each node's box goes: one row per role, in the snapshot's order. Returns (x, y) per node and the
/// picture's width and height.
pub fn layout(nodes: &[NodeView]) -> (Vec<(i32, i32)>, i32, i32) {
    let mut per_row = [0i32; 2];
    let positions = nodes
        .iter()
        .map(|n| {
            let row = usize::from(n.role != "control-plane");
            let x = GAP + per_row[row] * (NODE_W + GAP);
            per_row[row] += 1;
            (x, ROW_LABEL_H + row as i32 * (NODE_H + ROW_LABEL_H + GAP))
        })
        .collect();
    let columns = per_row[0].max(per_row[1]).max(1);
    (positions, GAP + columns * (NODE_W + GAP), 2 * (NODE_H + ROW_LABEL_H) + GAP + 8)
}

#[function_component(Topology)]
pub fn topology(props: &Props) -> Html {
    let l = use_context::<Lang>().unwrap_or_default();
    let nodes = &props.snapshot.nodes;
    let (positions, width, height) = layout(nodes);
    let control_planes = nodes.iter().filter(|n| n.role == "control-plane").count();
    let (all, workers) = (nodes.len().to_string(), (nodes.len() - control_planes).to_string());
    let description = l.fmt(Key::TopologyDescription, &[&all, &control_planes.to_string(), &workers]);
    html! {
        <svg class="topology" role="img" aria-label={l.t(Key::ClusterTopology)} viewBox={format!("0 0 {width} {height}")}
            preserveAspectRatio="xMinYMin meet">
            <title>{ description }</title>
            <text class="row-label" x={GAP.to_string()} y="18">{l.t(Key::ControlPlane)}</text>
            <text class="row-label" x={GAP.to_string()} y={(NODE_H + 2 * ROW_LABEL_H + GAP - 10).to_string()}>{l.t(Key::Workers)}</text>
            { for nodes.iter().zip(positions).map(|(n, (x, y))| node_box(n, &props.snapshot.pods, x, y, l)) }
        </svg>
    }
}

/// Pods shown per node box; the rest are counted.
const MAX_CHIPS: usize = 6;

fn node_box(node: &NodeView, pods: &[PodView], x: i32, y: i32, l: Lang) -> Html {
    let mine: Vec<&PodView> = pods.iter().filter(|p| p.node == node.name).collect();
    let chips = mine.iter().take(MAX_CHIPS).enumerate().map(|(i, p)| pod_chip(p, i, l));
    let more = mine.len().saturating_sub(MAX_CHIPS);
    let ready = node.status == "Ready";
    let class = classes!("node", node.role, if ready { "ready" } else { "not-ready" });
    html! {
        <g class={class} data-node={node.name.clone()} data-role={node.role} data-status={node.status}
            transform={format!("translate({x},{y})")}>
            <title>{ format!("{} ({}), {}", node.name, node.role, node.status) }</title>
            <rect width={NODE_W.to_string()} height={NODE_H.to_string()} rx="8" />
            <text class="node-name" x="12" y="24">{ node.name.clone() }</text>
            <text class="node-detail" x="12" y="46">{ l.fmt(Key::NodeIp, &[&node.internal_ip]) }</text>
            <text class="node-detail" x="12" y="64">{ l.fmt(Key::NodePods, &[&node.pod_cidr]) }</text>
            // Status in words and a shape, not colour alone.
            <text class="node-status" x="12" y="84">{ if ready { "● Ready" } else { "▲ NotReady" } }</text>
            { for chips }
            if more > 0 {
                <text class="pod-more" x="104" y="90">{ l.fmt(Key::PodsMore, &[&more.to_string()]) }</text>
            }
        </g>
    }
}

/// A pod inside its node: name, phase in words and shape (not colour alone), IP and restarts in its title.
fn pod_chip(pod: &PodView, i: usize, l: Lang) -> Html {
    let (col, row) = ((i % 2) as i32, (i / 2) as i32);
    let (px, py) = (104 + col * 42, 8 + row * 26);
    let mark = match pod.phase.as_str() {
        "Running" => "●",
        "Succeeded" => "✓",
        "Failed" => "✕",
        _ => "◌",
    };
    let short: String = pod.name.chars().take(5).collect();
    html! {
        <g class={classes!("pod", pod.phase.to_lowercase())} data-pod={format!("{}/{}", pod.namespace, pod.name)}
            data-phase={pod.phase.clone()} data-node={pod.node.clone()} transform={format!("translate({px},{py})")}>
            <title>{ l.fmt(Key::PodTitle, &[&format!("{}/{}", pod.namespace, pod.name), &pod.status, &pod.ready,
                if pod.ip.is_empty() { "<none>" } else { pod.ip.as_str() }, &pod.restarts.to_string()]) }</title>
            <rect width="38" height="22" rx="4" />
            <text x="3" y="15">{ format!("{mark}{short}") }</text>
        </g>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(name: &str, role: &'static str) -> NodeView {
        NodeView { name: name.into(), role, status: "Ready", internal_ip: String::new(), pod_cidr: String::new() }
    }

    #[test]
    fn control_planes_share_the_top_row_workers_the_bottom() {
        let nodes = [node("cp1", "control-plane"), node("cp2", "control-plane"), node("w1", "worker")];
        let (pos, width, _) = layout(&nodes);
        assert_eq!(pos[0].1, pos[1].1);
        assert!(pos[2].1 > pos[0].1);
        assert_eq!(pos[2].0, pos[0].0);
        assert_eq!(width, GAP + 2 * (NODE_W + GAP));
    }
}
