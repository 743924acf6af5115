//! The kube-scheduler as a pure plugin framework (`pkg/scheduler`): a [`Snapshot`] of the nodes with the pods
//! bound to them goes in with the pod to place, a [`Decision`] comes out — which node, and for every node
//! looked at, the filter that turned it down (with the scheduler's own reason text) or its score from each
//! score plugin. Nothing here touches the cluster; [`component`] is the part that reads the store, binds and
//! records events.
//!
//! The cycle follows `schedule_one.go` with the default profile of v1.34:
//! - PreFilter/Filter plugins in the profile's order: NodeUnschedulable, NodeName, TaintToleration,
//!   NodeAffinity, NodePorts, NodeResourcesFit, VolumeBinding (a hook, see [`VolumeBinding`]),
//!   PodTopologySpread, InterPodAffinity. A node stops at its first failing filter.
//! - Nodes are visited round-robin from where the previous cycle stopped, until
//!   `numFeasibleNodesToFind` nodes fit (all of them below 100 nodes).
//! - One feasible node is taken without scoring; otherwise Score plugins with the profile's weights
//!   (TaintToleration 3, NodeAffinity 2, NodeResourcesFit 1, PodTopologySpread 2, InterPodAffinity 2,
//!   NodeResourcesBalancedAllocation 1, ImageLocality 1), each normalised to 0–100 as upstream does.
//! - The host is the best total, ties broken by reservoir sampling with the engine's [`Rng`].
//! - With no feasible node, the PostFilter plugins (DynamicResources, DefaultPreemption) run for the message:
//!   see [`message`].

pub(crate) mod affinity;
pub mod component;
mod filters;
pub mod message;
pub mod resources;
mod scores;

use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::api::core::v1::{Node, Pod};
use serde::Serialize;

pub use affinity::Labels;
use affinity::PodAffinityTerms;
pub use resources::Resources;

use crate::apiserver::selectors::LabelSelector;
use crate::rng::Rng;

/// `minFeasibleNodesToFind`: below this many nodes every node is examined.
pub const MIN_FEASIBLE_NODES_TO_FIND: usize = 100;
/// `minFeasibleNodesPercentageToFind`.
pub const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND: i64 = 5;
/// `framework.MaxNodeScore`.
pub const MAX_NODE_SCORE: i64 = 100;

/// A host port a container binds (`fwk.HostPortInfo` entry): `0.0.0.0` and `TCP` when unset.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HostPort {
    pub ip: String,
    pub protocol: String,
    pub port: i32,
}

/// The ports a pod asks the node for: containers' and sidecars' `hostPort`s.
pub fn pod_host_ports(pod: &Pod) -> Vec<HostPort> {
    let Some(spec) = pod.spec.as_ref() else { return Vec::new() };
    let sidecars = spec.init_containers.iter().flatten().filter(|c| c.restart_policy.as_deref() == Some("Always"));
    spec.containers
        .iter()
        .chain(sidecars)
        .flat_map(|c| c.ports.iter().flatten())
        .filter_map(|p| {
            let port = p.host_port.filter(|p| *p > 0)?;
            Some(HostPort {
                ip: p.host_ip.clone().filter(|s| !s.is_empty()).unwrap_or_else(|| "0.0.0.0".into()),
                protocol: p.protocol.clone().filter(|s| !s.is_empty()).unwrap_or_else(|| "TCP".into()),
                port,
            })
        })
        .collect()
}

/// A pod already bound to a node, as the snapshot keeps it (`fwk.PodInfo`).
#[derive(Clone, Debug)]
pub struct PodInfo {
    pub namespace: String,
    pub name: String,
    pub uid: String,
    pub labels: Labels,
    pub requests: Resources,
    pub non_zero_requests: Resources,
    pub host_ports: Vec<HostPort>,
    pub priority: i32,
    pub terminating: bool,
    /// `podWithAffinity`: it has pod affinity or anti-affinity.
    pub has_affinity: bool,
    pub terms: Arc<PodAffinityTerms>,
}

impl PodInfo {
    pub fn from_pod(pod: &Pod) -> PodInfo {
        let affinity = pod.spec.as_ref().and_then(|s| s.affinity.as_ref());
        PodInfo {
            namespace: pod.metadata.namespace.clone().unwrap_or_default(),
            name: pod.metadata.name.clone().unwrap_or_default(),
            uid: pod.metadata.uid.clone().unwrap_or_default(),
            labels: pod.metadata.labels.clone().unwrap_or_default(),
            requests: resources::pod_requests(pod, false),
            non_zero_requests: resources::pod_requests(pod, true),
            host_ports: pod_host_ports(pod),
            priority: pod.spec.as_ref().and_then(|s| s.priority).unwrap_or(0),
            terminating: pod.metadata.deletion_timestamp.is_some(),
            has_affinity: affinity.is_some_and(|a| a.pod_affinity.is_some() || a.pod_anti_affinity.is_some()),
            terms: Arc::new(PodAffinityTerms::of(pod)),
        }
    }
}

/// An image present on a node (`fwk.ImageStateSummary`): its size and on how many nodes it is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ImageState {
    pub size: i64,
    pub num_nodes: usize,
}

/// Everything the scheduler knows about one node (`framework.NodeInfo`).
#[derive(Clone, Debug)]
pub struct NodeInfo {
    pub node: Arc<Node>,
    /// The node's name, shared by every verdict about it (no copy per scheduling cycle).
    pub shared_name: Arc<str>,
    pub pods: Vec<PodInfo>,
    /// Sum of the pods' requests.
    pub requested: Resources,
    /// Sum of the pods' requests with the scheduler's defaults for containers that ask nothing.
    pub non_zero_requested: Resources,
    pub allocatable: Resources,
    pub used_ports: Vec<HostPort>,
    /// How many of the pods have pod affinity or anti-affinity (`PodsWithAffinity`).
    pub pods_with_affinity: usize,
    /// Images present, by every name they are known by.
    pub images: BTreeMap<String, ImageState>,
}

impl NodeInfo {
    pub fn new(node: Arc<Node>) -> NodeInfo {
        let allocatable = Resources::from_list(node.status.as_ref().and_then(|s| s.allocatable.as_ref()));
        let shared_name: Arc<str> = Arc::from(node.metadata.name.as_deref().unwrap_or_default());
        NodeInfo {
            node,
            shared_name,
            pods: Vec::new(),
            requested: Resources::default(),
            non_zero_requested: Resources::default(),
            allocatable,
            used_ports: Vec::new(),
            pods_with_affinity: 0,
            images: BTreeMap::new(),
        }
    }

    pub fn name(&self) -> &str {
        self.node.metadata.name.as_deref().unwrap_or_default()
    }

    pub fn labels(&self) -> Option<&Labels> {
        self.node.metadata.labels.as_ref()
    }

    pub fn add_pod(&mut self, pod: PodInfo) {
        self.requested.add(&pod.requests);
        self.non_zero_requested.add(&pod.non_zero_requests);
        self.used_ports.extend(pod.host_ports.iter().cloned());
        self.pods_with_affinity += usize::from(pod.has_affinity);
        self.pods.push(pod);
    }

    pub fn remove_pod(&mut self, uid: &str) -> Option<PodInfo> {
        let i = self.pods.iter().position(|p| p.uid == uid)?;
        let pod = self.pods.remove(i);
        self.pods_with_affinity -= usize::from(pod.has_affinity);
        self.requested.sub(&pod.requests);
        self.non_zero_requested.sub(&pod.non_zero_requests);
        for hp in &pod.host_ports {
            if let Some(j) = self.used_ports.iter().position(|u| u == hp) {
                self.used_ports.remove(j);
            }
        }
        Some(pod)
    }
}

/// The cluster as one scheduling cycle sees it (`cache.Snapshot`).
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    pub nodes: Vec<NodeInfo>,
    /// Labels of each namespace, for affinity terms with a `namespaceSelector`.
    pub namespace_labels: BTreeMap<String, Labels>,
    by_name: BTreeMap<String, usize>,
    /// Indices (ascending) of the nodes with at least one pod with pod affinity or anti-affinity
    /// (`HavePodsWithAffinityNodeInfoList`): the InterPodAffinity plugin looks only at these unless the
    /// incoming pod has required terms of its own.
    pub affinity_nodes: Vec<usize>,
}

impl Snapshot {
    /// Nodes in the given order, with each pod that has a `nodeName` among them counted on its node (pods
    /// that finished, `Succeeded` or `Failed`, hold nothing).
    pub fn new<'a>(nodes: impl IntoIterator<Item = Arc<Node>>, pods: impl IntoIterator<Item = &'a Pod>) -> Snapshot {
        let mut infos: Vec<NodeInfo> = nodes.into_iter().map(NodeInfo::new).collect();
        let index: BTreeMap<String, usize> = infos.iter().enumerate().map(|(i, n)| (n.name().to_string(), i)).collect();
        for pod in pods {
            let Some(node) = pod.spec.as_ref().and_then(|s| s.node_name.as_deref()).filter(|n| !n.is_empty()) else {
                continue;
            };
            let phase = pod.status.as_ref().and_then(|s| s.phase.as_deref());
            if matches!(phase, Some("Succeeded" | "Failed")) {
                continue;
            }
            if let Some(&i) = index.get(node) {
                infos[i].add_pod(PodInfo::from_pod(pod));
            }
        }
        // Image states: every name of every image on a node, with on how many nodes it is.
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for n in &infos {
            for img in n.node.status.as_ref().and_then(|s| s.images.as_ref()).into_iter().flatten() {
                for name in img.names.iter().flatten() {
                    *counts.entry(name.clone()).or_default() += 1;
                }
            }
        }
        for n in &mut infos {
            let images = n.node.status.as_ref().and_then(|s| s.images.clone()).unwrap_or_default();
            for img in images {
                for name in img.names.iter().flatten() {
                    let state = ImageState { size: img.size_bytes.unwrap_or(0), num_nodes: counts[name] };
                    n.images.insert(name.clone(), state);
                }
            }
        }
        let affinity_nodes = (0..infos.len()).filter(|i| infos[*i].pods_with_affinity > 0).collect();
        Snapshot { nodes: infos, namespace_labels: BTreeMap::new(), by_name: index, affinity_nodes }
    }

    pub fn node_index(&self, name: &str) -> Option<usize> {
        match self.by_name.get(name) {
            Some(&i) if self.nodes.get(i).is_some_and(|n| n.name() == name) => Some(i),
            _ => self.nodes.iter().position(|n| n.name() == name),
        }
    }

    /// The scheduler's cache "assumes" a pod on its node as soon as it picks it, before the binding lands.
    pub fn assume(&mut self, node: usize, pod: &Pod) {
        self.nodes[node].add_pod(PodInfo::from_pod(pod));
        if self.nodes[node].pods_with_affinity > 0 {
            if let Err(at) = self.affinity_nodes.binary_search(&node) {
                self.affinity_nodes.insert(at, node);
            }
        }
    }
}

/// The VolumeBinding filter as a hook the storage side implements: can the pod's volumes be bound and
/// used on this node? The default says yes to everything.
pub trait VolumeBinding {
    /// The plugin's PreFilter: `Err(reason)` stops the cycle for every node (a claim missing, being
    /// deleted, or unbound in Immediate mode).
    fn pre_filter(&self, _pod: &Pod) -> Result<(), String> {
        Ok(())
    }
    /// `Err(reason)` turns the node down with that reason (e.g. `node(s) didn't find available persistent
    /// volumes to bind`); `resolvable` says whether preemption could help (it never can for volumes).
    fn filter(&self, pod: &Pod, node: &NodeInfo) -> Result<(), String>;
    /// The VolumeRestrictions filter (it runs before VolumeBinding): `Err(reason)` turns the node down with
    /// a status preemption may help (`Unschedulable`), as for a ReadWriteOncePod claim another pod uses.
    fn restrictions(&self, _pod: &Pod, _node: &NodeInfo) -> Result<(), String> {
        Ok(())
    }
}

/// The default [`VolumeBinding`]: every node fits.
pub struct AllVolumesFit;

impl VolumeBinding for AllVolumesFit {
    fn filter(&self, _pod: &Pod, _node: &NodeInfo) -> Result<(), String> {
        Ok(())
    }
}

/// A filter's verdict code (`fwk.Code`): whether preemption could help.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Code {
    Unschedulable,
    UnschedulableAndUnresolvable,
}

/// A failing status: which plugin, its code and its reasons (the text that ends up in the message).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Status {
    pub plugin: String,
    pub code: Code,
    pub reasons: Vec<String>,
}

impl Status {
    pub fn new(plugin: &str, code: Code, reason: impl Into<String>) -> Status {
        Status { plugin: plugin.to_string(), code, reasons: vec![reason.into()] }
    }
}

/// How many score plugins the default profile has.
pub const SCORE_PLUGINS: usize = 7;

/// Each score plugin's normalised score on one node, in profile order, kept inline (no allocation per node
/// and cycle); it reads as a slice of `(plugin, score)`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Scores {
    len: u8,
    items: [(&'static str, i64); SCORE_PLUGINS],
}

impl Scores {
    pub fn push(&mut self, plugin: &'static str, score: i64) {
        self.items[usize::from(self.len)] = (plugin, score);
        self.len += 1;
    }
}

impl std::ops::Deref for Scores {
    type Target = [(&'static str, i64)];
    fn deref(&self) -> &Self::Target {
        &self.items[..usize::from(self.len)]
    }
}

impl Serialize for Scores {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

fn serialize_str<S: serde::Serializer>(s: &Arc<str>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(s)
}

/// What happened on one node in a cycle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NodeVerdict {
    #[serde(serialize_with = "serialize_str")]
    pub node: Arc<str>,
    /// The first filter that turned the node down, with its reason(s) joined by `, `.
    pub filter_failed: Option<(String, String)>,
    /// Each score plugin's normalised score (0–100) before weighting; empty when the node was not scored.
    pub scores: Scores,
    /// Sum of the weighted scores.
    pub total: i64,
}

/// The outcome of one scheduling attempt, as data for the UI.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// `namespace/name`.
    pub pod: String,
    pub node: Option<String>,
    /// The nodes examined, in the order they were examined.
    pub per_node: Vec<NodeVerdict>,
    /// `Successfully assigned ns/pod to node`, or the FailedScheduling message.
    pub message: String,
    /// How many nodes the cycle looked at and how many fit.
    pub evaluated_nodes: usize,
    pub feasible_nodes: usize,
    /// Whether DefaultPreemption found nodes where evicting lower-priority pods would make room (the
    /// engine does not evict; the message is the one a real scheduler prints while it preempts).
    pub preemption_would_help: bool,
    /// The PreFilter plugin that rejected the pod for every node, if one did.
    pub pre_filter_plugin: Option<String>,
}

/// Options of the default profile that a caller may change.
pub struct Profile<'a> {
    /// `percentageOfNodesToScore`; 0 means the adaptive default.
    pub percentage_of_nodes_to_score: i64,
    pub volume_binding: &'a dyn VolumeBinding,
}

impl Default for Profile<'static> {
    fn default() -> Self {
        Profile { percentage_of_nodes_to_score: 0, volume_binding: &AllVolumesFit }
    }
}

/// What a scheduling cycle needs besides the snapshot.
pub struct PodToSchedule<'a> {
    pub pod: &'a Pod,
    /// The system-default spreading selector (`helper.DefaultSelector`: the selectors of the Services
    /// selecting the pod and of its ReplicaSet or StatefulSet). `None` or empty: no default spreading.
    pub default_spread_selector: Option<&'a LabelSelector>,
}

/// `numFeasibleNodesToFind`: all nodes below 100; otherwise `50 - nodes/125` percent (at least 5 %), and
/// never fewer than 100.
pub fn num_feasible_nodes_to_find(percentage: i64, num_all_nodes: usize) -> usize {
    if num_all_nodes < MIN_FEASIBLE_NODES_TO_FIND {
        return num_all_nodes;
    }
    let mut percentage = percentage;
    if percentage == 0 {
        percentage = (50 - num_all_nodes as i64 / 125).max(MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND);
    }
    let num = (num_all_nodes as i64 * percentage / 100) as usize;
    num.max(MIN_FEASIBLE_NODES_TO_FIND)
}

/// `selectHost`: the highest total wins; among equal totals each later one replaces the pick with
/// probability 1/k (reservoir sampling), so every tied node is equally likely.
pub fn select_host(totals: &[(usize, i64)], rng: &mut Rng) -> Option<usize> {
    let max = totals.iter().map(|(_, t)| *t).max()?;
    let mut count = 0;
    let mut selected = None;
    for (i, t) in totals {
        if *t != max {
            continue;
        }
        count += 1;
        if count == 1 || rng.below(count) == 0 {
            selected = Some(*i);
        }
    }
    selected
}

/// The scheduler's state across cycles: where the next cycle starts looking (`nextStartNodeIndex`).
#[derive(Clone, Debug, Default)]
pub struct Cursor {
    pub next_start_node_index: usize,
}

/// One scheduling cycle for `input.pod` over `snapshot` (`schedulePod`).
pub fn schedule(
    snapshot: &Snapshot,
    input: &PodToSchedule,
    profile: &Profile,
    cursor: &mut Cursor,
    rng: &mut Rng,
) -> Decision {
    let pod = input.pod;
    let key = format!(
        "{}/{}",
        pod.metadata.namespace.as_deref().unwrap_or_default(),
        pod.metadata.name.as_deref().unwrap_or_default()
    );
    let mut decision = Decision {
        pod: key.clone(),
        node: None,
        per_node: Vec::new(),
        message: String::new(),
        evaluated_nodes: 0,
        feasible_nodes: 0,
        preemption_would_help: false,
        pre_filter_plugin: None,
    };
    if snapshot.nodes.is_empty() {
        decision.message = "no nodes available to schedule pods".into();
        return decision;
    }
    let mut state = filters::CycleState::pre_filter(snapshot, pod);
    if !matches!(state.pre_filter, filters::PreFilter::Failed(_)) {
        if let Err(reason) = profile.volume_binding.pre_filter(pod) {
            state.pre_filter =
                filters::PreFilter::Failed(Status::new("VolumeBinding", Code::UnschedulableAndUnresolvable, reason));
        }
    }
    // PreFilter: NodeAffinity may narrow the nodes to those named by `matchFields: metadata.name`.
    let candidates: Vec<usize> = match &state.pre_filter {
        filters::PreFilter::Failed(status) => {
            decision.pre_filter_plugin = Some(status.plugin.clone());
            let fit = message::FitError {
                num_all_nodes: snapshot.nodes.len(),
                pre_filter_msg: status.reasons.join(", "),
                node_statuses: Vec::new(),
                absent_status: Some(status.clone()),
            };
            let post = message::post_filter(snapshot, pod, &fit, profile, input.default_spread_selector);
            decision.message = fit.message(&post.message);
            return decision;
        }
        filters::PreFilter::Nodes(names) => {
            (0..snapshot.nodes.len()).filter(|i| names.contains(snapshot.nodes[*i].name())).collect()
        }
        filters::PreFilter::AllNodes => (0..snapshot.nodes.len()).collect(),
    };
    let absent_status = (candidates.len() < snapshot.nodes.len()).then(|| {
        Status::new(
            "NodeAffinity",
            Code::UnschedulableAndUnresolvable,
            "node(s) didn't satisfy plugin(s) [NodeAffinity]",
        )
    });

    // Filter, round-robin from where the last cycle stopped (`findNodesThatPassFilters`): the start index
    // wraps over the nodes this cycle considers, and moves on by the nodes processed, modulo all nodes.
    let want = num_feasible_nodes_to_find(profile.percentage_of_nodes_to_score, candidates.len());
    let n = candidates.len();
    let start = if n == 0 { 0 } else { cursor.next_start_node_index % n };
    // The nodes processed, in the order they were examined, and the failing status of those turned down.
    let mut per_node: Vec<NodeVerdict> = Vec::with_capacity(want.min(n) + 8);
    let mut feasible: Vec<(usize, usize)> = Vec::with_capacity(want.min(n));
    let mut failed: Vec<(usize, Status)> = Vec::new();
    for i in 0..n {
        if feasible.len() >= want {
            break;
        }
        let idx = candidates[(start + i) % n];
        let info = &snapshot.nodes[idx];
        let status = filters::run_filters(&state, snapshot, info, pod, profile);
        let filter_failed = status.as_ref().map(|s| (s.plugin.clone(), s.reasons.join(", ")));
        per_node.push(NodeVerdict {
            node: info.shared_name.clone(),
            filter_failed,
            scores: Scores::default(),
            total: 0,
        });
        match status {
            None => feasible.push((per_node.len() - 1, idx)),
            Some(status) => failed.push((idx, status)),
        }
    }
    let processed = per_node.len();
    if n > 0 {
        cursor.next_start_node_index = (cursor.next_start_node_index + processed) % snapshot.nodes.len();
    }
    decision.evaluated_nodes = processed;
    decision.feasible_nodes = feasible.len();

    if feasible.is_empty() {
        let fit = message::FitError {
            num_all_nodes: snapshot.nodes.len(),
            pre_filter_msg: String::new(),
            node_statuses: failed.iter().map(|(i, s)| (snapshot.nodes[*i].name().to_string(), s.clone())).collect(),
            absent_status,
        };
        let post = message::post_filter(snapshot, pod, &fit, profile, input.default_spread_selector);
        decision.preemption_would_help = post.candidates > 0;
        decision.message = fit.message(&post.message);
        decision.per_node = per_node;
        return decision;
    }

    let chosen = if feasible.len() == 1 {
        feasible[0].1
    } else {
        let indices: Vec<usize> = feasible.iter().map(|(_, idx)| *idx).collect();
        let scored = scores::score_nodes(snapshot, &indices, input, &state);
        let mut totals = Vec::with_capacity(feasible.len());
        for (k, (pos, idx)) in feasible.iter().enumerate() {
            let v = &mut per_node[*pos];
            let mut total = 0;
            for (name, weight, s) in &scored {
                v.scores.push(name, s[k]);
                total += s[k] * weight;
            }
            v.total = total;
            totals.push((*idx, total));
        }
        select_host(&totals, rng).expect("at least two feasible nodes")
    };
    let node = snapshot.nodes[chosen].name().to_string();
    decision.message = format!("Successfully assigned {key} to {node}");
    decision.node = Some(node);
    decision.per_node = per_node;
    decision
}

#[cfg(test)]
mod tests;
