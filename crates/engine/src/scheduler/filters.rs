//! PreFilter and Filter plugins of the default profile, with the reason strings of v1.34.0.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{Pod, Taint, TopologySpreadConstraint};

use super::affinity::{
    required_node_affinity_matches, tolerations_tolerate, untolerated_taint, AffinityTerm, Labels, PodAffinityTerms,
    Selector,
};
use super::resources::{pod_requests, Resources};
use super::{pod_host_ports, Code, HostPort, NodeInfo, PodInfo, Profile, Snapshot, Status};
use crate::apiserver::selectors::Requirement;

pub const ERR_NODE_NAME: &str = "node(s) didn't match the requested node name";
pub const ERR_UNSCHEDULABLE: &str = "node(s) were unschedulable";
pub const ERR_NODE_AFFINITY: &str = "node(s) didn't match Pod's node affinity/selector";
pub const ERR_AFFINITY_CONFLICT: &str = "pod affinity terms conflict";
pub const ERR_NODE_PORTS: &str = "node(s) didn't have free ports for the requested pod ports";
pub const ERR_POD_AFFINITY: &str = "node(s) didn't match pod affinity rules";
pub const ERR_POD_ANTI_AFFINITY: &str = "node(s) didn't match pod anti-affinity rules";
pub const ERR_EXISTING_ANTI_AFFINITY: &str = "node(s) didn't satisfy existing pods anti-affinity rules";
pub const ERR_SPREAD: &str = "node(s) didn't match pod topology spread constraints";
pub const ERR_SPREAD_LABEL: &str = "node(s) didn't match pod topology spread constraints (missing required label)";
pub const UNSCHEDULABLE_TAINT: &str = "node.kubernetes.io/unschedulable";
pub const HOSTNAME_LABEL: &str = "kubernetes.io/hostname";

/// What the PreFilter plugins decided for the whole cycle.
pub enum PreFilter {
    AllNodes,
    /// Only these nodes can be considered (NodeAffinity with `matchFields: metadata.name`).
    Nodes(BTreeSet<String>),
    Failed(Status),
}

/// A topology spread constraint as the plugin processes it.
#[derive(Clone, Debug)]
pub struct SpreadConstraint {
    pub max_skew: i64,
    pub topology_key: String,
    pub selector: Selector,
    pub min_domains: i64,
    pub honor_node_affinity: bool,
    pub honor_node_taints: bool,
}

impl SpreadConstraint {
    /// `filterTopologySpreadConstraints` for one constraint (`matchLabelKeys` merged into the selector).
    pub fn new(c: &TopologySpreadConstraint, pod_labels: &Labels) -> SpreadConstraint {
        let mut selector = Selector::of(c.label_selector.as_ref());
        if let Some(sel) = selector.0.as_mut() {
            for k in c.match_label_keys.iter().flatten() {
                if let Some(v) = pod_labels.get(k) {
                    sel.requirements.push(Requirement::In(k.clone(), vec![v.clone()]));
                }
            }
        }
        SpreadConstraint {
            max_skew: i64::from(c.max_skew),
            topology_key: c.topology_key.clone(),
            selector,
            min_domains: i64::from(c.min_domains.unwrap_or(1)),
            honor_node_affinity: c.node_affinity_policy.as_deref() != Some("Ignore"),
            honor_node_taints: c.node_taints_policy.as_deref() == Some("Honor"),
        }
    }

    /// `matchNodeInclusionPolicies`.
    pub fn includes(&self, pod: &Pod, node: &NodeInfo) -> bool {
        if self.honor_node_affinity && !required_node_affinity_matches(pod, &node.node) {
            return false;
        }
        if self.honor_node_taints {
            let taints = node_taints(node);
            if untolerated_taint(taints, tolerations(pod)).is_some() {
                return false;
            }
        }
        true
    }
}

pub fn node_taints(node: &NodeInfo) -> &[Taint] {
    node.node.spec.as_ref().and_then(|s| s.taints.as_deref()).unwrap_or_default()
}

pub fn tolerations(pod: &Pod) -> &[k8s_openapi::api::core::v1::Toleration] {
    pod.spec.as_ref().and_then(|s| s.tolerations.as_deref()).unwrap_or_default()
}

/// `nodeLabelsMatchSpreadConstraints`: the node has every topology key.
pub fn has_all_keys(labels: Option<&Labels>, constraints: &[SpreadConstraint]) -> bool {
    constraints.iter().all(|c| labels.is_some_and(|l| l.contains_key(&c.topology_key)))
}

/// `countPodsMatchSelector`: pods of the namespace, not terminating, matching the selector.
pub fn count_matching(pods: &[PodInfo], selector: &Selector, namespace: &str) -> i64 {
    pods.iter().filter(|p| !p.terminating && p.namespace == namespace && selector.matches(&p.labels)).count() as i64
}

/// The PodTopologySpread PreFilter state for the pod's `DoNotSchedule` constraints.
#[derive(Default)]
pub struct SpreadState {
    pub constraints: Vec<SpreadConstraint>,
    /// Per constraint: matching pods per topology value.
    pub matches: Vec<BTreeMap<String, i64>>,
}

impl SpreadState {
    fn new(snapshot: &Snapshot, pod: &Pod) -> SpreadState {
        let labels = pod.metadata.labels.clone().unwrap_or_default();
        let constraints: Vec<SpreadConstraint> = pod
            .spec
            .as_ref()
            .and_then(|s| s.topology_spread_constraints.as_ref())
            .into_iter()
            .flatten()
            .filter(|c| c.when_unsatisfiable == "DoNotSchedule")
            .map(|c| SpreadConstraint::new(c, &labels))
            .collect();
        if constraints.is_empty() {
            return SpreadState::default();
        }
        let ns = pod.metadata.namespace.as_deref().unwrap_or_default();
        let mut matches = vec![BTreeMap::new(); constraints.len()];
        for node in &snapshot.nodes {
            if !has_all_keys(node.labels(), &constraints) {
                continue;
            }
            for (i, c) in constraints.iter().enumerate() {
                if !c.includes(pod, node) {
                    continue;
                }
                let value = node.labels().and_then(|l| l.get(&c.topology_key)).cloned().unwrap_or_default();
                *matches[i].entry(value).or_insert(0) += count_matching(&node.pods, &c.selector, ns);
            }
        }
        SpreadState { constraints, matches }
    }

    /// `minMatchNum`: the global minimum, or 0 while fewer than `minDomains` domains exist.
    fn min_match(&self, i: usize) -> i64 {
        let m = &self.matches[i];
        if (m.len() as i64) < self.constraints[i].min_domains {
            return 0;
        }
        m.values().copied().min().unwrap_or(i64::from(i32::MAX))
    }
}

/// The InterPodAffinity PreFilter state: counts per (topology key, value).
#[derive(Default)]
pub struct AffinityState {
    pub terms: PodAffinityTerms,
    pub affinity_counts: BTreeMap<(String, String), i64>,
    pub anti_affinity_counts: BTreeMap<(String, String), i64>,
    pub existing_anti_affinity_counts: BTreeMap<(String, String), i64>,
}

impl AffinityState {
    fn new(snapshot: &Snapshot, pod: &Pod) -> AffinityState {
        let terms = PodAffinityTerms::of(pod);
        let ns = pod.metadata.namespace.clone().unwrap_or_default();
        let labels = pod.metadata.labels.clone().unwrap_or_default();
        let pod_ns_labels = snapshot.namespace_labels.get(&ns);
        let mut s = AffinityState { terms, ..Default::default() };
        // Without required terms of its own, only pods with affinity can say anything about the pod.
        let all_pods = !s.terms.required_affinity.is_empty() || !s.terms.required_anti_affinity.is_empty();
        let nodes: Box<dyn Iterator<Item = &NodeInfo>> = if all_pods {
            Box::new(snapshot.nodes.iter())
        } else {
            Box::new(snapshot.affinity_nodes.iter().map(|i| &snapshot.nodes[*i]))
        };
        for node in nodes {
            let Some(node_labels) = node.labels() else { continue };
            for existing in &node.pods {
                let ex_ns_labels = snapshot.namespace_labels.get(&existing.namespace);
                // Existing pods' required anti-affinity against the incoming pod.
                for t in &existing.terms.required_anti_affinity {
                    if t.matches(&ns, &labels, pod_ns_labels) {
                        if let Some(v) = node_labels.get(&t.topology_key) {
                            *s.existing_anti_affinity_counts.entry((t.topology_key.clone(), v.clone())).or_default() +=
                                1;
                        }
                    }
                }
                // The incoming pod's required affinity: an existing pod must match all terms.
                if !s.terms.required_affinity.is_empty()
                    && s.terms
                        .required_affinity
                        .iter()
                        .all(|t| t.matches(&existing.namespace, &existing.labels, ex_ns_labels))
                {
                    for t in &s.terms.required_affinity {
                        if let Some(v) = node_labels.get(&t.topology_key) {
                            *s.affinity_counts.entry((t.topology_key.clone(), v.clone())).or_default() += 1;
                        }
                    }
                }
                for t in &s.terms.required_anti_affinity {
                    if t.matches(&existing.namespace, &existing.labels, ex_ns_labels) {
                        if let Some(v) = node_labels.get(&t.topology_key) {
                            *s.anti_affinity_counts.entry((t.topology_key.clone(), v.clone())).or_default() += 1;
                        }
                    }
                }
            }
        }
        s
    }
}

/// Everything PreFilter computed once for the cycle (`CycleState`).
pub struct CycleState {
    pub pre_filter: PreFilter,
    pub requests: Resources,
    pub host_ports: Vec<HostPort>,
    pub spread: SpreadState,
    pub affinity: AffinityState,
}

impl CycleState {
    pub fn pre_filter(snapshot: &Snapshot, pod: &Pod) -> CycleState {
        CycleState {
            pre_filter: node_affinity_pre_filter(pod),
            requests: pod_requests(pod, false),
            host_ports: pod_host_ports(pod),
            spread: SpreadState::new(snapshot, pod),
            affinity: AffinityState::new(snapshot, pod),
        }
    }
}

/// NodeAffinity PreFilter: required terms that all name nodes (`matchFields` on `metadata.name` with `In`)
/// restrict the cycle to those nodes.
fn node_affinity_pre_filter(pod: &Pod) -> PreFilter {
    let terms = pod
        .spec
        .as_ref()
        .and_then(|s| s.affinity.as_ref())
        .and_then(|a| a.node_affinity.as_ref())
        .and_then(|na| na.required_during_scheduling_ignored_during_execution.as_ref())
        .map(|ns| ns.node_selector_terms.as_slice())
        .unwrap_or_default();
    if terms.is_empty() {
        return PreFilter::AllNodes;
    }
    let mut names: BTreeSet<String> = BTreeSet::new();
    for t in terms {
        let mut term_names: Option<BTreeSet<String>> = None;
        for r in t.match_fields.iter().flatten() {
            if r.key == "metadata.name" && r.operator == "In" {
                let s: BTreeSet<String> = r.values.iter().flatten().cloned().collect();
                term_names = Some(match term_names {
                    None => s,
                    Some(prev) => prev.intersection(&s).cloned().collect(),
                });
            }
        }
        match term_names {
            None => return PreFilter::AllNodes,
            Some(s) => names.extend(s),
        }
    }
    if names.is_empty() {
        PreFilter::Failed(Status::new("NodeAffinity", Code::UnschedulableAndUnresolvable, ERR_AFFINITY_CONFLICT))
    } else {
        PreFilter::Nodes(names)
    }
}

/// Runs the filters in profile order; the first failure decides (`RunFilterPlugins`).
pub fn run_filters(
    state: &CycleState,
    snapshot: &Snapshot,
    node: &NodeInfo,
    pod: &Pod,
    profile: &Profile,
) -> Option<Status> {
    node_unschedulable(pod, node)
        .or_else(|| node_name(pod, node))
        .or_else(|| taint_toleration(pod, node))
        .or_else(|| node_affinity(pod, node))
        .or_else(|| node_ports(&state.host_ports, node))
        .or_else(|| node_resources_fit(&state.requests, node))
        .or_else(|| {
            profile
                .volume_binding
                .restrictions(pod, node)
                .err()
                .map(|r| Status::new("VolumeRestrictions", Code::Unschedulable, r))
        })
        .or_else(|| {
            profile
                .volume_binding
                .filter(pod, node)
                .err()
                .map(|r| Status::new("VolumeBinding", Code::UnschedulableAndUnresolvable, r))
        })
        .or_else(|| pod_topology_spread(&state.spread, pod, node))
        .or_else(|| inter_pod_affinity(&state.affinity, snapshot, pod, node))
}

/// NodeUnschedulable: a cordoned node takes only pods tolerating `node.kubernetes.io/unschedulable`.
pub fn node_unschedulable(pod: &Pod, node: &NodeInfo) -> Option<Status> {
    let cordoned = node.node.spec.as_ref().and_then(|s| s.unschedulable).unwrap_or(false);
    if !cordoned {
        return None;
    }
    let taint = Taint { key: UNSCHEDULABLE_TAINT.into(), effect: "NoSchedule".into(), ..Default::default() };
    (cordoned && !tolerations_tolerate(tolerations(pod), &taint))
        .then(|| Status::new("NodeUnschedulable", Code::UnschedulableAndUnresolvable, ERR_UNSCHEDULABLE))
}

/// NodeName: a pod naming a node fits only there.
pub fn node_name(pod: &Pod, node: &NodeInfo) -> Option<Status> {
    let want = pod.spec.as_ref().and_then(|s| s.node_name.as_deref()).unwrap_or_default();
    (!want.is_empty() && want != node.name())
        .then(|| Status::new("NodeName", Code::UnschedulableAndUnresolvable, ERR_NODE_NAME))
}

/// TaintToleration: the first NoSchedule/NoExecute taint the pod does not tolerate, named in the reason
/// (v1.34.0 wording; later patch releases print `node(s) had untolerated taint(s)`).
pub fn taint_toleration(pod: &Pod, node: &NodeInfo) -> Option<Status> {
    let taint = untolerated_taint(node_taints(node), tolerations(pod))?;
    let reason = format!("node(s) had untolerated taint {{{}: {}}}", taint.key, taint.value.as_deref().unwrap_or(""));
    Some(Status::new("TaintToleration", Code::UnschedulableAndUnresolvable, reason))
}

/// NodeAffinity: `spec.nodeSelector` and required node affinity.
pub fn node_affinity(pod: &Pod, node: &NodeInfo) -> Option<Status> {
    (!required_node_affinity_matches(pod, &node.node))
        .then(|| Status::new("NodeAffinity", Code::UnschedulableAndUnresolvable, ERR_NODE_AFFINITY))
}

/// `HostPortInfo.CheckConflict`: `0.0.0.0` conflicts with every address.
fn port_conflict(used: &[HostPort], want: &HostPort) -> bool {
    used.iter().any(|u| {
        u.protocol == want.protocol
            && u.port == want.port
            && (want.ip == "0.0.0.0" || u.ip == "0.0.0.0" || u.ip == want.ip)
    })
}

/// NodePorts: the pod's host ports must be free on the node.
pub fn node_ports(want: &[HostPort], node: &NodeInfo) -> Option<Status> {
    want.iter()
        .any(|p| port_conflict(&node.used_ports, p))
        .then(|| Status::new("NodePorts", Code::Unschedulable, ERR_NODE_PORTS))
}

/// NodeResourcesFit (`fitsRequest`): pod count against `pods`, then each requested resource against what is
/// left of allocatable. A request larger than the whole node cannot be helped by preemption.
pub fn node_resources_fit(req: &Resources, node: &NodeInfo) -> Option<Status> {
    let mut reasons = Vec::new();
    let mut unresolvable = false;
    let alloc = &node.allocatable;
    let used = &node.requested;
    if node.pods.len() as i64 + 1 > alloc.pods {
        reasons.push("Too many pods".to_string());
    }
    if !req.is_zero() {
        let mut check = |name: &str, want: i64, cap: i64, used: i64| {
            if want > 0 && want > cap - used {
                reasons.push(format!("Insufficient {name}"));
                unresolvable |= want > cap;
            }
        };
        check("cpu", req.milli_cpu, alloc.milli_cpu, used.milli_cpu);
        check("memory", req.memory, alloc.memory, used.memory);
        check("ephemeral-storage", req.ephemeral_storage, alloc.ephemeral_storage, used.ephemeral_storage);
        for (name, want) in &req.scalar {
            let cap = alloc.scalar.get(name).copied().unwrap_or(0);
            check(name, *want, cap, used.scalar.get(name).copied().unwrap_or(0));
        }
    }
    if reasons.is_empty() {
        return None;
    }
    let code = if unresolvable { Code::UnschedulableAndUnresolvable } else { Code::Unschedulable };
    Some(Status { plugin: "NodeResourcesFit".into(), code, reasons })
}

/// PodTopologySpread (hard constraints): placing the pod must keep each domain within `maxSkew` of the
/// least loaded one.
pub fn pod_topology_spread(state: &SpreadState, pod: &Pod, node: &NodeInfo) -> Option<Status> {
    if state.constraints.is_empty() {
        return None;
    }
    let labels = pod.metadata.labels.clone().unwrap_or_default();
    for (i, c) in state.constraints.iter().enumerate() {
        let Some(value) = node.labels().and_then(|l| l.get(&c.topology_key)) else {
            return Some(Status::new("PodTopologySpread", Code::UnschedulableAndUnresolvable, ERR_SPREAD_LABEL));
        };
        let self_match = i64::from(c.selector.matches(&labels));
        let count = state.matches[i].get(value).copied().unwrap_or(0);
        if count + self_match - state.min_match(i) > c.max_skew {
            return Some(Status::new("PodTopologySpread", Code::Unschedulable, ERR_SPREAD));
        }
    }
    None
}

fn satisfies_pod_affinity(state: &AffinityState, pod: &Pod, node: &NodeInfo, snapshot: &Snapshot) -> bool {
    let terms = &state.terms.required_affinity;
    let mut pods_exist = true;
    for t in terms {
        match node.labels().and_then(|l| l.get(&t.topology_key)) {
            Some(v) => {
                if state.affinity_counts.get(&(t.topology_key.clone(), v.clone())).copied().unwrap_or(0) <= 0 {
                    pods_exist = false;
                }
            }
            None => return false,
        }
    }
    if pods_exist {
        return true;
    }
    // The first pod of a group with affinity to itself may go anywhere its terms' topologies exist.
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    let labels = pod.metadata.labels.clone().unwrap_or_default();
    let ns_labels = snapshot.namespace_labels.get(&ns);
    state.affinity_counts.is_empty() && terms.iter().all(|t: &AffinityTerm| t.matches(&ns, &labels, ns_labels))
}

/// InterPodAffinity: required affinity, required anti-affinity, and existing pods' anti-affinity.
pub fn inter_pod_affinity(state: &AffinityState, snapshot: &Snapshot, pod: &Pod, node: &NodeInfo) -> Option<Status> {
    if !satisfies_pod_affinity(state, pod, node, snapshot) {
        return Some(Status::new("InterPodAffinity", Code::UnschedulableAndUnresolvable, ERR_POD_AFFINITY));
    }
    for t in &state.terms.required_anti_affinity {
        if let Some(v) = node.labels().and_then(|l| l.get(&t.topology_key)) {
            if state.anti_affinity_counts.get(&(t.topology_key.clone(), v.clone())).copied().unwrap_or(0) > 0 {
                return Some(Status::new("InterPodAffinity", Code::Unschedulable, ERR_POD_ANTI_AFFINITY));
            }
        }
    }
    if !state.existing_anti_affinity_counts.is_empty() {
        for (k, v) in node.labels().into_iter().flatten() {
            if state.existing_anti_affinity_counts.get(&(k.clone(), v.clone())).copied().unwrap_or(0) > 0 {
                return Some(Status::new("InterPodAffinity", Code::Unschedulable, ERR_EXISTING_ANTI_AFFINITY));
            }
        }
    }
    None
}
