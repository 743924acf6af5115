//! Score plugins of the default profile, each with its normalisation (`NormalizeScore`), in profile order.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Pod;

use super::affinity::{term_matches, tolerates, AffinityTerm, Labels, PodAffinityTerms};
use super::filters::{count_matching, has_all_keys, tolerations, CycleState, SpreadConstraint, HOSTNAME_LABEL};
use super::resources::{pod_requests, Resources};
use super::{NodeInfo, PodToSchedule, Snapshot, MAX_NODE_SCORE};
use crate::apiserver::selectors::LabelSelector;

/// `helper.DefaultNormalizeScore`: scale to 0–100 by the maximum; `reverse` turns high raw scores low.
pub fn default_normalize(scores: &mut [i64], reverse: bool) {
    let max = scores.iter().copied().max().unwrap_or(0);
    if max == 0 {
        if reverse {
            scores.iter_mut().for_each(|s| *s = MAX_NODE_SCORE);
        }
        return;
    }
    for s in scores.iter_mut() {
        let v = MAX_NODE_SCORE * *s / max;
        *s = if reverse { MAX_NODE_SCORE - v } else { v };
    }
}

/// TaintToleration: the number of PreferNoSchedule taints the pod does not tolerate (fewer is better).
pub fn taint_toleration(pod: &Pod, node: &NodeInfo) -> i64 {
    let prefer = |t: &&k8s_openapi::api::core::v1::Toleration| {
        t.effect.as_deref().is_none_or(|e| e.is_empty() || e == "PreferNoSchedule")
    };
    super::filters::node_taints(node)
        .iter()
        .filter(|t| {
            t.effect == "PreferNoSchedule" && !tolerations(pod).iter().filter(prefer).any(|tol| tolerates(tol, t))
        })
        .count() as i64
}

/// NodeAffinity: the sum of the weights of the preferred terms the node matches.
pub fn node_affinity(pod: &Pod, node: &NodeInfo) -> i64 {
    preferred_node_terms(pod)
        .iter()
        .filter(|t| t.weight != 0 && term_matches(&t.preference, &node.node))
        .map(|t| i64::from(t.weight))
        .sum()
}

fn preferred_node_terms(pod: &Pod) -> &[k8s_openapi::api::core::v1::PreferredSchedulingTerm] {
    pod.spec
        .as_ref()
        .and_then(|s| s.affinity.as_ref())
        .and_then(|a| a.node_affinity.as_ref())
        .and_then(|n| n.preferred_during_scheduling_ignored_during_execution.as_deref())
        .unwrap_or_default()
}

/// `leastRequestedScore`.
fn least_requested(requested: i64, capacity: i64) -> i64 {
    if capacity == 0 || requested > capacity {
        return 0;
    }
    (capacity - requested) * MAX_NODE_SCORE / capacity
}

/// NodeResourcesFit, LeastAllocated over cpu and memory (weight 1 each), with non-zero requests.
pub fn least_allocated(pod_non_zero: &Resources, node: &NodeInfo) -> i64 {
    let pairs = [
        (node.non_zero_requested.milli_cpu + pod_non_zero.milli_cpu, node.allocatable.milli_cpu),
        (node.non_zero_requested.memory + pod_non_zero.memory, node.allocatable.memory),
    ];
    let (mut sum, mut weights) = (0, 0);
    for (req, cap) in pairs {
        if cap == 0 {
            continue;
        }
        sum += least_requested(req, cap);
        weights += 1;
    }
    if weights == 0 {
        0
    } else {
        sum / weights
    }
}

/// NodeResourcesBalancedAllocation: `(1 - std) * 100` of the cpu and memory fractions, with actual requests.
pub fn balanced_allocation(pod_req: &Resources, node: &NodeInfo) -> i64 {
    let pairs = [
        (node.requested.milli_cpu + pod_req.milli_cpu, node.allocatable.milli_cpu),
        (node.requested.memory + pod_req.memory, node.allocatable.memory),
    ];
    let mut fractions = [0.0; 2];
    let mut len = 0;
    for (req, cap) in pairs.iter().filter(|(_, cap)| *cap != 0) {
        fractions[len] = (*req as f64 / *cap as f64).min(1.0);
        len += 1;
    }
    let fractions = &fractions[..len];
    let std = if fractions.len() == 2 {
        ((fractions[0] - fractions[1]) / 2.0).abs()
    } else if fractions.len() > 2 {
        let mean = fractions.iter().sum::<f64>() / fractions.len() as f64;
        (fractions.iter().map(|f| (f - mean) * (f - mean)).sum::<f64>() / fractions.len() as f64).sqrt()
    } else {
        0.0
    };
    ((1.0 - std) * MAX_NODE_SCORE as f64) as i64
}

const MB: i64 = 1024 * 1024;
const MIN_THRESHOLD: i64 = 23 * MB;
const MAX_CONTAINER_THRESHOLD: i64 = 1000 * MB;

/// `normalizedImageName`: an image without a tag is `:latest`.
fn normalized_image(name: &str) -> String {
    if name.rfind(':').map(|i| i as i64).unwrap_or(-1) <= name.rfind('/').map(|i| i as i64).unwrap_or(-1) {
        format!("{name}:latest")
    } else {
        name.to_string()
    }
}

/// ImageLocality: the sizes of the pod's images already on the node, scaled by how widely spread they
/// are, mapped between 23 MB and 1000 MB per container.
#[cfg(test)]
pub fn image_locality(pod: &Pod, node: &NodeInfo, total_nodes: usize) -> i64 {
    image_locality_of(&pod_images(pod), node, total_nodes)
}

/// The pod's containers' images (init containers first), normalised; `None` for a container without one.
fn pod_images(pod: &Pod) -> Vec<Option<String>> {
    let Some(spec) = pod.spec.as_ref() else { return Vec::new() };
    spec.init_containers
        .iter()
        .flatten()
        .chain(spec.containers.iter())
        .map(|c| c.image.as_deref().map(normalized_image))
        .collect()
}

/// [`image_locality`] with the pod's images normalised once per cycle.
fn image_locality_of(images: &[Option<String>], node: &NodeInfo, total_nodes: usize) -> i64 {
    if images.is_empty() {
        return 0;
    }
    let mut sum: i64 = 0;
    for image in images.iter().flatten() {
        if let Some(state) = node.images.get(image) {
            let spread = state.num_nodes as f64 / total_nodes as f64;
            sum += (state.size as f64 * spread) as i64;
        }
    }
    let max = MAX_CONTAINER_THRESHOLD * images.len() as i64;
    let sum = sum.clamp(MIN_THRESHOLD, max.max(MIN_THRESHOLD));
    if max <= MIN_THRESHOLD {
        return 0;
    }
    MAX_NODE_SCORE * (sum - MIN_THRESHOLD) / (max - MIN_THRESHOLD)
}

/// InterPodAffinity PreScore: weights per (topology key, value) from the pod's preferred terms and from
/// existing pods' terms about it. `None` when there is nothing to score (the plugin skips).
pub fn inter_pod_affinity_topology(
    snapshot: &Snapshot,
    pod: &Pod,
    terms: &PodAffinityTerms,
) -> Option<BTreeMap<(String, String), i64>> {
    let has_constraints = !terms.preferred_affinity.is_empty() || !terms.preferred_anti_affinity.is_empty();
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    let labels = pod.metadata.labels.clone().unwrap_or_default();
    let ns_labels = snapshot.namespace_labels.get(&ns);
    let mut out: BTreeMap<(String, String), i64> = BTreeMap::new();
    let mut add = |t: &AffinityTerm, node_labels: &Labels, w: i64| {
        if let Some(v) = node_labels.get(&t.topology_key) {
            *out.entry((t.topology_key.clone(), v.clone())).or_default() += w;
        }
    };
    let nodes: Box<dyn Iterator<Item = &NodeInfo>> = if has_constraints {
        Box::new(snapshot.nodes.iter())
    } else {
        Box::new(snapshot.affinity_nodes.iter().map(|i| &snapshot.nodes[*i]))
    };
    for node in nodes {
        let Some(node_labels) = node.labels().filter(|l| !l.is_empty()) else { continue };
        for existing in node.pods.iter().filter(|p| has_constraints || p.has_affinity) {
            let ex_ns = snapshot.namespace_labels.get(&existing.namespace);
            for t in &terms.preferred_affinity {
                if t.matches(&existing.namespace, &existing.labels, ex_ns) {
                    add(t, node_labels, t.weight);
                }
            }
            for t in &terms.preferred_anti_affinity {
                if t.matches(&existing.namespace, &existing.labels, ex_ns) {
                    add(t, node_labels, -t.weight);
                }
            }
            // hardPodAffinityWeight: 1.
            for t in &existing.terms.required_affinity {
                if t.matches(&ns, &labels, ns_labels) {
                    add(t, node_labels, 1);
                }
            }
            for t in &existing.terms.preferred_affinity {
                if t.matches(&ns, &labels, ns_labels) {
                    add(t, node_labels, t.weight);
                }
            }
            for t in &existing.terms.preferred_anti_affinity {
                if t.matches(&ns, &labels, ns_labels) {
                    add(t, node_labels, -t.weight);
                }
            }
        }
    }
    (!out.is_empty()).then_some(out)
}

/// Min-max normalisation of InterPodAffinity.
fn min_max_normalize(scores: &mut [i64]) {
    let (min, max) = (scores.iter().copied().min().unwrap_or(0), scores.iter().copied().max().unwrap_or(0));
    let diff = max - min;
    for s in scores.iter_mut() {
        *s = if diff > 0 { (MAX_NODE_SCORE as f64 * ((*s - min) as f64 / diff as f64)) as i64 } else { 0 };
    }
}

/// PodTopologySpread scoring state (`preScoreState`).
struct SpreadScore {
    constraints: Vec<SpreadConstraint>,
    ignored: Vec<bool>,
    counts: Vec<BTreeMap<String, i64>>,
    weights: Vec<f64>,
}

fn spread_constraints(pod: &Pod, default_selector: Option<&LabelSelector>) -> (Vec<SpreadConstraint>, bool) {
    let labels = pod.metadata.labels.clone().unwrap_or_default();
    let explicit = pod.spec.as_ref().and_then(|s| s.topology_spread_constraints.as_deref()).unwrap_or_default();
    if !explicit.is_empty() {
        let cs = explicit
            .iter()
            .filter(|c| c.when_unsatisfiable == "ScheduleAnyway")
            .map(|c| SpreadConstraint::new(c, &labels))
            .collect();
        return (cs, true);
    }
    // System defaults: hostname (maxSkew 3) and zone (maxSkew 5), both ScheduleAnyway.
    let Some(sel) = default_selector.filter(|s| !s.requirements.is_empty()) else { return (Vec::new(), false) };
    let mk = |key: &str, skew| SpreadConstraint {
        max_skew: skew,
        topology_key: key.to_string(),
        selector: super::affinity::Selector(Some(sel.clone())),
        min_domains: 1,
        honor_node_affinity: true,
        honor_node_taints: false,
    };
    (vec![mk(HOSTNAME_LABEL, 3), mk("topology.kubernetes.io/zone", 5)], false)
}

fn spread_pre_score(
    snapshot: &Snapshot,
    pod: &Pod,
    feasible: &[usize],
    default_selector: Option<&LabelSelector>,
) -> Option<SpreadScore> {
    let (constraints, require_all) = spread_constraints(pod, default_selector);
    if constraints.is_empty() {
        return None;
    }
    let ns = pod.metadata.namespace.as_deref().unwrap_or_default();
    let mut ignored = vec![false; feasible.len()];
    let mut counts: Vec<BTreeMap<String, i64>> = vec![BTreeMap::new(); constraints.len()];
    for (k, idx) in feasible.iter().enumerate() {
        let node = &snapshot.nodes[*idx];
        if require_all && !has_all_keys(node.labels(), &constraints) {
            ignored[k] = true;
            continue;
        }
        for (i, c) in constraints.iter().enumerate() {
            if c.topology_key != HOSTNAME_LABEL {
                let v = node.labels().and_then(|l| l.get(&c.topology_key)).cloned().unwrap_or_default();
                counts[i].entry(v).or_insert(0);
            }
        }
    }
    let ignored_count = ignored.iter().filter(|i| **i).count();
    let weights = constraints
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let size = if c.topology_key == HOSTNAME_LABEL { feasible.len() - ignored_count } else { counts[i].len() };
            ((size + 2) as f64).ln()
        })
        .collect();
    for node in &snapshot.nodes {
        if require_all && !has_all_keys(node.labels(), &constraints) {
            continue;
        }
        for (i, c) in constraints.iter().enumerate() {
            if !c.includes(pod, node) {
                continue;
            }
            let v = node.labels().and_then(|l| l.get(&c.topology_key)).cloned().unwrap_or_default();
            if let Some(count) = counts[i].get_mut(&v) {
                *count += count_matching(&node.pods, &c.selector, ns);
            }
        }
    }
    Some(SpreadScore { constraints, ignored, counts, weights })
}

fn spread_score(s: &SpreadScore, k: usize, node: &NodeInfo, pod: &Pod) -> i64 {
    if s.ignored[k] {
        return 0;
    }
    let ns = pod.metadata.namespace.as_deref().unwrap_or_default();
    let mut score = 0.0;
    for (i, c) in s.constraints.iter().enumerate() {
        let Some(v) = node.labels().and_then(|l| l.get(&c.topology_key)) else { continue };
        let cnt = if c.topology_key == HOSTNAME_LABEL {
            count_matching(&node.pods, &c.selector, ns)
        } else {
            s.counts[i].get(v).copied().unwrap_or(0)
        };
        score += cnt as f64 * s.weights[i] + (c.max_skew - 1) as f64;
    }
    score.round() as i64
}

/// PodTopologySpread NormalizeScore: fewer matching pods is better; ignored nodes get 0.
fn spread_normalize(scores: &mut [i64], ignored: &[bool]) {
    let mut min = i64::MAX;
    let mut max = 0;
    for (s, ign) in scores.iter().zip(ignored) {
        if *ign {
            continue;
        }
        min = min.min(*s);
        max = max.max(*s);
    }
    for (s, ign) in scores.iter_mut().zip(ignored) {
        if *ign {
            *s = 0;
        } else if max == 0 {
            *s = MAX_NODE_SCORE;
        } else {
            *s = MAX_NODE_SCORE * (max + min - *s) / max;
        }
    }
}

/// Runs every score plugin over the feasible nodes: `(plugin, weight, normalised scores)` in profile order,
/// leaving out plugins whose PreScore skipped.
pub fn score_nodes(
    snapshot: &Snapshot,
    feasible: &[usize],
    input: &PodToSchedule,
    state: &CycleState,
) -> Vec<(&'static str, i64, Vec<i64>)> {
    let pod = input.pod;
    let nodes: Vec<&NodeInfo> = feasible.iter().map(|i| &snapshot.nodes[*i]).collect();
    let mut out = Vec::new();

    let mut tt: Vec<i64> = nodes.iter().map(|n| taint_toleration(pod, n)).collect();
    default_normalize(&mut tt, true);
    out.push(("TaintToleration", 3, tt));

    if !preferred_node_terms(pod).is_empty() {
        let mut na: Vec<i64> = nodes.iter().map(|n| node_affinity(pod, n)).collect();
        default_normalize(&mut na, false);
        out.push(("NodeAffinity", 2, na));
    }

    let non_zero = pod_requests(pod, true);
    out.push(("NodeResourcesFit", 1, nodes.iter().map(|n| least_allocated(&non_zero, n)).collect()));

    if let Some(s) = spread_pre_score(snapshot, pod, feasible, input.default_spread_selector) {
        let mut ps: Vec<i64> = nodes.iter().enumerate().map(|(k, n)| spread_score(&s, k, n, pod)).collect();
        spread_normalize(&mut ps, &s.ignored);
        out.push(("PodTopologySpread", 2, ps));
    }

    if let Some(topo) = inter_pod_affinity_topology(snapshot, pod, &state.affinity.terms) {
        let mut ipa: Vec<i64> = nodes
            .iter()
            .map(|n| {
                n.labels()
                    .into_iter()
                    .flatten()
                    .map(|(k, v)| topo.get(&(k.clone(), v.clone())).copied().unwrap_or(0))
                    .sum()
            })
            .collect();
        min_max_normalize(&mut ipa);
        out.push(("InterPodAffinity", 2, ipa));
    }

    // BalancedAllocation skips best-effort pods (kubernetes#129138).
    if state.requests.milli_cpu != 0 || state.requests.memory != 0 {
        out.push((
            "NodeResourcesBalancedAllocation",
            1,
            nodes.iter().map(|n| balanced_allocation(&state.requests, n)).collect(),
        ));
    }

    let total = snapshot.nodes.len();
    let images = pod_images(pod);
    out.push(("ImageLocality", 1, nodes.iter().map(|n| image_locality_of(&images, n, total)).collect()));
    out
}
