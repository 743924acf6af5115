//! The Network tab's picture: each node with its pods, the veth pair joining each pod to the node's `cni0`
//! bridge, kube-proxy's rules, `flannel.1` and `eth0` on the node network; and one traced request drawn on it,
//! hop by hop. What each step touches comes from the engine's trace (`playground::views::path_elements`);
//! the picture only lays it out and lights it up.

use playground::views::{NetNode, TraceView};
use yew::prelude::*;

use crate::i18n::{Key, Lang};

const NODE_W: i32 = 220;
const GAP: i32 = 20;
const POD_ROW: i32 = 32;
const POD_TOP: i32 = 44;
const BOX_H: i32 = 28;
const INTERNET_W: i32 = 130;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub nodes: Vec<NetNode>,
    /// The trace drawn on the picture, if any.
    pub trace: Option<TraceView>,
    /// The step shown: `None` draws the whole path.
    pub step: Option<usize>,
}

/// How an element of the picture stands in the drawn path.
#[derive(Clone, Copy, PartialEq)]
enum Lit {
    Off,
    /// Touched by an earlier step.
    Seen,
    /// Touched by the step shown.
    On,
    /// Where the packet stopped.
    Failed,
}

/// The state of element `id` after the steps up to `upto` (inclusive) of `trace`; `None` draws the whole
/// path, every element touched lit.
fn lit_of(trace: Option<&TraceView>, upto: Option<usize>) -> impl Fn(&str) -> Lit + '_ {
    move |id: &str| {
        let Some(t) = trace else { return Lit::Off };
        let last = upto.unwrap_or(t.steps.len().saturating_sub(1));
        let mut lit = Lit::Off;
        for s in t.steps.iter().take(last + 1) {
            let here = s.elements.iter().any(|e| e == id);
            // A failed step that names nothing drawn stops the packet where the step before left it.
            if s.failed && (here || (s.elements.is_empty() && lit == Lit::On)) {
                lit = Lit::Failed;
            } else if here {
                lit = Lit::On;
            } else if lit == Lit::On {
                lit = Lit::Seen;
            }
        }
        if upto.is_none() && lit == Lit::Seen {
            Lit::On
        } else {
            lit
        }
    }
}

fn lit_class(lit: Lit) -> &'static str {
    match lit {
        Lit::Off => "",
        Lit::Seen => "seen",
        Lit::On => "on",
        Lit::Failed => "failed",
    }
}

/// At most `n` characters of `s`, with an ellipsis when cut.
pub(crate) fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

/// The height of a node's drawing with `pods` rows.
fn node_height(pods: usize) -> i32 {
    let bar_end = POD_TOP + pods.max(1) as i32 * POD_ROW - 6;
    bar_end + 24 + 36 + BOX_H + 10
}

#[function_component(NetMap)]
pub fn net_map(props: &Props) -> Html {
    let l = use_context::<Lang>().unwrap_or_default();
    let scroller = use_node_ref();
    {
        // Keep the hop shown in view: the picture is wider than the panel with more than two nodes.
        let scroller = scroller.clone();
        let key = (props.trace.as_ref().map(|t| t.seq), props.step);
        use_effect_with(key, move |_| {
            if let Some(div) = scroller.cast::<web_sys::Element>() {
                if let Ok(Some(on)) = div.query_selector(".on, .failed") {
                    let (d, o) = (div.get_bounding_client_rect(), on.get_bounding_client_rect());
                    let centre = o.left() - d.left() + f64::from(div.scroll_left()) + o.width() / 2.0;
                    div.set_scroll_left((centre - d.width() / 2.0).max(0.0) as i32);
                }
            }
        });
    }
    let lit = lit_of(props.trace.as_ref(), props.step);
    let rows = props.nodes.iter().map(|n| n.pods.len() + usize::from(n.more > 0)).max().unwrap_or(1);
    let height = node_height(rows);
    let bus_y = height + 24;
    let nodes_w = GAP + props.nodes.len() as i32 * (NODE_W + GAP);
    // Beyond the node network: the simulated internet, through the host's gateway.
    let width = nodes_w + INTERNET_W + GAP;
    let x_of = |i: usize| GAP + i as i32 * (NODE_W + GAP);
    let eth0_cx = |x: i32| x + 164;
    let eth0_bottom = height - 10;
    let nodes = props.nodes.iter().enumerate().map(|(i, n)| node(n, x_of(i), height, &lit, l));
    // The node network between each pair of nodes a step crossed.
    let wires: Vec<(String, i32, i32)> = props
        .trace
        .iter()
        .flat_map(|t| t.steps.iter().flat_map(|s| s.elements.iter()))
        .filter_map(|e| {
            let (a, b) = e.strip_prefix("wire:")?.split_once('>')?;
            let xa = props.nodes.iter().position(|n| n.name == a).map(x_of)?;
            let xb = props.nodes.iter().position(|n| n.name == b).map(x_of)?;
            Some((e.clone(), eth0_cx(xa), eth0_cx(xb)))
        })
        .fold(Vec::new(), |mut v, w| {
            if !v.iter().any(|(id, _, _)| *id == w.0) {
                v.push(w);
            }
            v
        });
    let (first, last) = (eth0_cx(x_of(0)), eth0_cx(x_of(props.nodes.len().saturating_sub(1))));
    html! {
        <div class="netmap-scroll" ref={scroller}>
        <svg class="netmap" role="img" aria-label={l.t(Key::NetworkPicture)} width={width.to_string()}
            height={(bus_y + 26).to_string()} viewBox={format!("0 0 {width} {}", bus_y + 26)}>
            <title>{ l.t(Key::NetworkPictureDescription) }</title>
            { for nodes }
            <line class="bus" x1={first.to_string()} x2={last.to_string()} y1={bus_y.to_string()} y2={bus_y.to_string()} />
            <text class="bus-label" x={GAP.to_string()} y={(bus_y + 18).to_string()}>{ l.t(Key::NodeNetwork) }</text>
            <line class="link" x1={last.to_string()} x2={nodes_w.to_string()} y1={bus_y.to_string()} y2={bus_y.to_string()} />
            <g class={classes!("el", "internet", lit_class(lit("internet")))} data-el="internet">
                <title>{ l.t(Key::InternetTitle) }</title>
                <rect x={nodes_w.to_string()} y={(bus_y - 17).to_string()} width={INTERNET_W.to_string()} height="34" rx="17" />
                <text x={(nodes_w + 14).to_string()} y={(bus_y + 4).to_string()}>{ l.t(Key::Internet) }</text>
            </g>
            { for wires.iter().map(|(id, xa, xb)| html! {
                <path class={classes!("wire", lit_class(lit(id)))} data-el={id.clone()}
                    d={format!("M{xa},{eth0_bottom} L{xa},{bus_y} L{xb},{bus_y} L{xb},{eth0_bottom}")} />
            }) }
        </svg>
        </div>
    }
}

fn node(n: &NetNode, x: i32, height: i32, lit: &dyn Fn(&str) -> Lit, l: Lang) -> Html {
    let rows = n.pods.len().max(1) as i32;
    let bar_end = POD_TOP + rows * POD_ROW - 6;
    let rules_y = bar_end + 24;
    let iface_y = rules_y + 36;
    let el = |id: String| {
        let class = lit_class(lit(&id));
        (id, class)
    };
    let (cni0, cni0_lit) = el(format!("cni0:{}", n.name));
    let (rules, rules_lit) = el(format!("iptables:{}", n.name));
    let (flannel, flannel_lit) = el(format!("flannel:{}", n.name));
    let (eth0, eth0_lit) = el(format!("eth0:{}", n.name));
    let pods = n.pods.iter().enumerate().map(|(i, p)| {
        let y = POD_TOP + i as i32 * POD_ROW;
        let (pod_id, pod_lit) = el(format!("pod:{}", p.key));
        let (veth_id, veth_lit) = el(format!("veth:{}", p.key));
        let name = p.key.split_once('/').map(|(_, n)| n).unwrap_or(&p.key);
        html! {
            <>
            <g class={classes!("el", "net-pod", pod_lit, p.ready.then_some("ready"), p.host_network.then_some("host-network"))}
                data-el={pod_id} data-ip={p.ip.clone()}>
                <title>{ format!("{} {}", p.key, p.ip) }</title>
                <rect x={(x + 8).to_string()} y={y.to_string()} width="132" height="26" rx="4" />
                <text x={(x + 14).to_string()} y={(y + 11).to_string()}>{ clip(name, 22) }</text>
                <text class="addr" x={(x + 14).to_string()} y={(y + 22).to_string()}>
                    { if p.host_network { format!("{} ({})", p.ip, l.t(Key::HostNetwork)) } else { p.ip.clone() } }
                </text>
            </g>
            if !p.host_network {
                <line class={classes!("el", "veth", veth_lit)} data-el={veth_id} x1={(x + 140).to_string()} x2={(x + 168).to_string()}
                    y1={(y + 13).to_string()} y2={(y + 13).to_string()} />
            }
            </>
        }
    });
    html! {
        <g class={classes!("net-node", (!n.running).then_some("stopped"))} data-node={n.name.clone()}>
            <rect class="frame" x={x.to_string()} y="0" width={NODE_W.to_string()} height={height.to_string()} rx="8" />
            <text class="node-name" x={(x + 10).to_string()} y="18">{ n.name.clone() }</text>
            <text class="addr" x={(x + 10).to_string()} y="32">{ l.fmt(Key::PodRange, &[&n.pod_cidr]) }</text>
            { for pods }
            if n.more > 0 {
                <text class="more" x={(x + 10).to_string()} y={(bar_end + 14).to_string()}>
                    { l.fmt(Key::PodsMore, &[&n.more.to_string()]) }
                </text>
            }
            <g class={classes!("el", "cni0", cni0_lit)} data-el={cni0}>
                <title>{ format!("cni0 {}", n.bridge) }</title>
                <rect x={(x + 168).to_string()} y={POD_TOP.to_string()} width="10" height={(bar_end - POD_TOP).to_string()} />
                <text class="addr" x={(x + 212).to_string()} y={(bar_end + 14).to_string()} text-anchor="end">
                    { format!("cni0 {}", n.bridge) }
                </text>
            </g>
            <line class="link" x1={(x + 173).to_string()} x2={(x + 173).to_string()} y1={(bar_end + 16).to_string()} y2={rules_y.to_string()} />
            <g class={classes!("el", "rules", rules_lit)} data-el={rules}>
                <rect x={(x + 8).to_string()} y={rules_y.to_string()} width="204" height="24" rx="4" />
                <text x={(x + 14).to_string()} y={(rules_y + 16).to_string()}>{ l.t(Key::KubeProxyRules) }</text>
            </g>
            <line class="link" x1={(x + 56).to_string()} x2={(x + 56).to_string()} y1={(rules_y + 24).to_string()} y2={iface_y.to_string()} />
            <line class="link" x1={(x + 164).to_string()} x2={(x + 164).to_string()} y1={(rules_y + 24).to_string()} y2={iface_y.to_string()} />
            <line class="link" x1={(x + 104).to_string()} x2={(x + 116).to_string()} y1={(iface_y + 14).to_string()} y2={(iface_y + 14).to_string()} />
            <g class={classes!("el", "flannel", flannel_lit)} data-el={flannel}>
                <title>{ l.t(Key::FlannelTitle) }</title>
                <rect x={(x + 8).to_string()} y={iface_y.to_string()} width="96" height={BOX_H.to_string()} rx="4" />
                <text x={(x + 14).to_string()} y={(iface_y + 12).to_string()}>{"flannel.1"}</text>
                <text class="addr" x={(x + 14).to_string()} y={(iface_y + 23).to_string()}>{ n.vtep.clone() }</text>
            </g>
            <g class={classes!("el", "eth0", eth0_lit)} data-el={eth0}>
                <rect x={(x + 116).to_string()} y={iface_y.to_string()} width="96" height={BOX_H.to_string()} rx="4" />
                <text x={(x + 122).to_string()} y={(iface_y + 12).to_string()}>{"eth0"}</text>
                <text class="addr" x={(x + 122).to_string()} y={(iface_y + 23).to_string()}>{ n.ip.clone() }</text>
            </g>
            <line class="link" x1={(x + 164).to_string()} x2={(x + 164).to_string()} y1={(iface_y + BOX_H).to_string()} y2={(height + 24).to_string()} />
        </g>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use playground::views::StepView;

    fn step(elements: &[&str], failed: bool) -> StepView {
        StepView {
            kind: "x",
            node: None,
            text: String::new(),
            elements: elements.iter().map(|e| e.to_string()).collect(),
            failed,
        }
    }

    fn trace(steps: Vec<StepView>) -> TraceView {
        TraceView { seq: 1, at_ms: 0, title: String::new(), outcome: String::new(), steps }
    }

    #[test]
    fn a_step_lights_its_elements_and_keeps_the_earlier_ones_seen() {
        let t = trace(vec![step(&["pod:a"], false), step(&["veth:a", "cni0:n"], false), step(&["iptables:n"], false)]);
        let at = |step: Option<usize>, id: &str| lit_of(Some(&t), step)(id);
        assert!(at(Some(0), "pod:a") == Lit::On);
        assert!(at(Some(0), "cni0:n") == Lit::Off);
        assert!(at(Some(1), "pod:a") == Lit::Seen);
        assert!(at(Some(1), "cni0:n") == Lit::On);
        assert!(at(Some(2), "iptables:n") == Lit::On);
        // The whole path: everything touched is lit.
        assert!(["pod:a", "cni0:n", "iptables:n"].iter().all(|id| at(None, id) == Lit::On));
        assert!(at(None, "eth0:n") == Lit::Off);
    }

    #[test]
    fn a_failed_step_marks_where_the_packet_stopped() {
        let dropped = trace(vec![step(&["pod:a"], false), step(&["iptables:n"], true)]);
        assert!(lit_of(Some(&dropped), None)("iptables:n") == Lit::Failed);
        // Unreachable names nothing drawn: the element the packet was at is marked.
        let lost = trace(vec![step(&["pod:a"], false), step(&["cni0:n"], false), step(&[], true)]);
        assert!(lit_of(Some(&lost), Some(2))("cni0:n") == Lit::Failed);
        assert!(lit_of(Some(&lost), Some(1))("cni0:n") == Lit::On);
    }

    #[test]
    fn long_names_are_clipped() {
        assert_eq!(clip("web-7957885594-ldxzn", 22), "web-7957885594-ldxzn");
        assert_eq!(clip("coredns-944884566-8hfhp-long-name", 10), "coredns-9…");
    }
}
