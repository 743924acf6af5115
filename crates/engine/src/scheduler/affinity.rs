//! Matching helpers shared by the plugins: node selector terms (`nodeaffinity.NodeSelector`), tolerations
//! (`v1helper.TolerationsTolerateTaint`), label selectors with the scheduler's nil-means-nothing rule and pod
//! affinity terms (`framework.AffinityTerm`).

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{
    Node, NodeSelectorRequirement, NodeSelectorTerm, Pod, PodAffinityTerm, Taint, Toleration,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector as ApiLabelSelector;

use crate::apiserver::selectors::LabelSelector;

pub type Labels = BTreeMap<String, String>;

/// A selector built with `metav1.LabelSelectorAsSelector`: a nil selector selects nothing, an empty one
/// everything.
#[derive(Clone, Debug, PartialEq)]
pub struct Selector(pub Option<LabelSelector>);

impl Selector {
    pub fn of(sel: Option<&ApiLabelSelector>) -> Selector {
        Selector(sel.map(LabelSelector::from_api))
    }

    pub fn matches(&self, labels: &Labels) -> bool {
        self.0.as_ref().is_some_and(|s| s.matches(Some(labels)))
    }
}

/// `v1.Toleration.ToleratesTaint`.
pub fn tolerates(t: &Toleration, taint: &Taint) -> bool {
    if t.effect.as_deref().is_some_and(|e| !e.is_empty() && e != taint.effect) {
        return false;
    }
    if t.key.as_deref().is_some_and(|k| !k.is_empty() && k != taint.key) {
        return false;
    }
    match t.operator.as_deref().unwrap_or("") {
        "" | "Equal" => t.value.as_deref().unwrap_or("") == taint.value.as_deref().unwrap_or(""),
        "Exists" => true,
        _ => false,
    }
}

pub fn tolerations_tolerate(tolerations: &[Toleration], taint: &Taint) -> bool {
    tolerations.iter().any(|t| tolerates(t, taint))
}

/// `FindMatchingUntoleratedTaint` with the NoSchedule/NoExecute filter the scheduler uses.
pub fn untolerated_taint<'a>(taints: &'a [Taint], tolerations: &[Toleration]) -> Option<&'a Taint> {
    taints
        .iter()
        .filter(|t| t.effect == "NoSchedule" || t.effect == "NoExecute")
        .find(|t| !tolerations_tolerate(tolerations, t))
}

fn requirement_matches(r: &NodeSelectorRequirement, value: Option<&str>) -> bool {
    let values = r.values.as_deref().unwrap_or_default();
    match r.operator.as_str() {
        "In" => value.is_some_and(|v| values.iter().any(|x| x == v)),
        "NotIn" => value.is_none_or(|v| !values.iter().any(|x| x == v)),
        "Exists" => value.is_some(),
        "DoesNotExist" => value.is_none(),
        "Gt" | "Lt" => {
            let (Some(v), [want]) = (value.and_then(|v| v.parse::<i64>().ok()), values) else { return false };
            let Ok(want) = want.parse::<i64>() else { return false };
            if r.operator == "Gt" {
                v > want
            } else {
                v < want
            }
        }
        _ => false,
    }
}

/// One node selector term: its expressions (on labels) and fields (`metadata.name`) all hold. An empty term
/// matches nothing.
pub fn term_matches(term: &NodeSelectorTerm, node: &Node) -> bool {
    let exprs = term.match_expressions.as_deref().unwrap_or_default();
    let fields = term.match_fields.as_deref().unwrap_or_default();
    if exprs.is_empty() && fields.is_empty() {
        return false;
    }
    let labels = node.metadata.labels.as_ref();
    exprs.iter().all(|r| requirement_matches(r, labels.and_then(|l| l.get(&r.key)).map(String::as_str)))
        && fields.iter().all(|r| {
            let v = (r.key == "metadata.name").then(|| node.metadata.name.as_deref().unwrap_or_default());
            requirement_matches(r, v)
        })
}

/// `nodeaffinity.GetRequiredNodeAffinity(pod).Match(node)`: `spec.nodeSelector` and the required node
/// affinity terms (ORed) both hold.
pub fn required_node_affinity_matches(pod: &Pod, node: &Node) -> bool {
    let Some(spec) = pod.spec.as_ref() else { return true };
    if let Some(sel) = &spec.node_selector {
        let labels = node.metadata.labels.as_ref();
        if !sel.iter().all(|(k, v)| labels.and_then(|l| l.get(k)) == Some(v)) {
            return false;
        }
    }
    let required = spec
        .affinity
        .as_ref()
        .and_then(|a| a.node_affinity.as_ref())
        .and_then(|na| na.required_during_scheduling_ignored_during_execution.as_ref());
    match required {
        Some(ns) => ns.node_selector_terms.iter().any(|t| term_matches(t, node)),
        None => true,
    }
}

/// A pod affinity term as the scheduler processes it (`framework.AffinityTerm`).
#[derive(Clone, Debug)]
pub struct AffinityTerm {
    pub namespaces: BTreeSet<String>,
    pub namespace_selector: Selector,
    pub selector: Selector,
    pub topology_key: String,
    pub weight: i64,
}

impl AffinityTerm {
    /// `newAffinityTerm`: with neither namespaces nor a namespace selector, the term is about the pod's own
    /// namespace. `matchLabelKeys`/`mismatchLabelKeys` add the pod's own label values to the selector.
    pub fn new(pod: &Pod, term: &PodAffinityTerm, weight: i64) -> AffinityTerm {
        let ns = pod.metadata.namespace.clone().unwrap_or_default();
        let listed = term.namespaces.clone().unwrap_or_default();
        let namespaces = if listed.is_empty() && term.namespace_selector.is_none() {
            [ns].into_iter().collect()
        } else {
            listed.into_iter().collect()
        };
        let mut selector = Selector::of(term.label_selector.as_ref());
        if let Some(sel) = selector.0.as_mut() {
            let labels = pod.metadata.labels.clone().unwrap_or_default();
            use crate::apiserver::selectors::Requirement;
            for k in term.match_label_keys.iter().flatten() {
                if let Some(v) = labels.get(k) {
                    sel.requirements.push(Requirement::In(k.clone(), vec![v.clone()]));
                }
            }
            for k in term.mismatch_label_keys.iter().flatten() {
                if let Some(v) = labels.get(k) {
                    sel.requirements.push(Requirement::NotIn(k.clone(), vec![v.clone()]));
                }
            }
        }
        AffinityTerm {
            namespaces,
            namespace_selector: Selector::of(term.namespace_selector.as_ref()),
            selector,
            topology_key: term.topology_key.clone(),
            weight,
        }
    }

    /// `AffinityTerm.Matches`: the pod is in one of the term's namespaces and has matching labels.
    pub fn matches(&self, namespace: &str, labels: &Labels, ns_labels: Option<&Labels>) -> bool {
        (self.namespaces.contains(namespace) || ns_labels.is_some_and(|l| self.namespace_selector.matches(l)))
            && self.selector.matches(labels)
    }
}

/// The affinity terms of a pod, parsed once.
#[derive(Clone, Debug, Default)]
pub struct PodAffinityTerms {
    pub required_affinity: Vec<AffinityTerm>,
    pub required_anti_affinity: Vec<AffinityTerm>,
    pub preferred_affinity: Vec<AffinityTerm>,
    pub preferred_anti_affinity: Vec<AffinityTerm>,
}

impl PodAffinityTerms {
    pub fn of(pod: &Pod) -> PodAffinityTerms {
        let mut out = PodAffinityTerms::default();
        let Some(a) = pod.spec.as_ref().and_then(|s| s.affinity.as_ref()) else { return out };
        if let Some(pa) = &a.pod_affinity {
            for t in pa.required_during_scheduling_ignored_during_execution.iter().flatten() {
                out.required_affinity.push(AffinityTerm::new(pod, t, 1));
            }
            for t in pa.preferred_during_scheduling_ignored_during_execution.iter().flatten() {
                out.preferred_affinity.push(AffinityTerm::new(pod, &t.pod_affinity_term, i64::from(t.weight)));
            }
        }
        if let Some(pa) = &a.pod_anti_affinity {
            for t in pa.required_during_scheduling_ignored_during_execution.iter().flatten() {
                out.required_anti_affinity.push(AffinityTerm::new(pod, t, 1));
            }
            for t in pa.preferred_during_scheduling_ignored_during_execution.iter().flatten() {
                out.preferred_anti_affinity.push(AffinityTerm::new(pod, &t.pod_affinity_term, i64::from(t.weight)));
            }
        }
        out
    }

    pub fn is_empty(&self) -> bool {
        self.required_affinity.is_empty()
            && self.required_anti_affinity.is_empty()
            && self.preferred_affinity.is_empty()
            && self.preferred_anti_affinity.is_empty()
    }
}
