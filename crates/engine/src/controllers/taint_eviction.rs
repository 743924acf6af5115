//! What happens to pods when their node goes away, as three kube-controller-manager loops do it:
//!
//! - the node lifecycle controller's `MarkPodsNotReady`: once a node is `Unknown`, its pods' `Ready` condition
//!   turns `False` (Warning `NodeNotReady` `Node is not ready` on each pod);
//! - the taint-eviction controller (`pkg/controller/tainteviction`): a pod on a node with `NoExecute` taints it
//!   does not tolerate is deleted at once; one tolerating them for `tolerationSeconds` (300 s by the
//!   DefaultTolerationSeconds admission plugin) is deleted when the shortest of those runs out, counted from the
//!   taint's `timeAdded`; pods tolerating them without a limit stay. Before deleting it marks the pod with the
//!   `DisruptionTarget` condition and records `TaintManagerEviction`. A pod on an unreachable node then stays
//!   `Terminating` until its kubelet comes back and stops it, or the node is deleted;
//! - the pod garbage collector (`pkg/controller/podgc`): pods bound to a node that no longer exists are marked
//!   failed and deleted with grace period 0, and terminated pods above `--terminated-pod-gc-threshold` (12500)
//!   are deleted oldest first.

use k8s_openapi::api::core::v1::{Pod, PodCondition, Taint, Toleration};

use crate::clock::{api_time, sim_millis, Millis};
use crate::cluster::Cluster;
use crate::event_log::Change;
use crate::object::{Kind, Object};
use crate::recorder::Reporter;
use crate::scheduler::affinity::tolerates;
use crate::store::ObjectKey;
use crate::util::sort::StableSort;

/// kube-controller-manager `--terminated-pod-gc-threshold`.
pub const TERMINATED_POD_GC_THRESHOLD: usize = 12_500;

/// When the taint-eviction controller deletes a pod, given the node's `NoExecute` taints (with the instant each
/// was added) and the pod's tolerations: `Some(instant)`, or `None` if the pod may stay for ever.
///
/// `getMinTolerationTime`: every taint must be tolerated (else: at once, the first taint's time); among the
/// matching tolerations the shortest `tolerationSeconds` wins (none set: for ever; negative: at once).
///
/// Example: the unreachable taint added at 50 s and the default toleration of 300 s → `Some(350 s)`; no
/// toleration → `Some(50 s)`; a DaemonSet pod's toleration without seconds → `None`.
pub fn eviction_instant(taints: &[(Taint, Millis)], tolerations: &[Toleration]) -> Option<Millis> {
    let mut at: Option<Millis> = None;
    let mut forever = true;
    for (taint, added) in taints {
        let matching: Vec<&Toleration> = tolerations.iter().filter(|t| tolerates(t, taint)).collect();
        if matching.is_empty() {
            return Some(*added);
        }
        // The shortest limit among the tolerations of this taint; one without a limit tolerates it for ever.
        let secs = matching.iter().filter_map(|t| t.toleration_seconds).min();
        if matching.iter().any(|t| t.toleration_seconds.is_none()) && secs.is_none() {
            continue;
        }
        if let Some(s) = secs {
            forever = false;
            let when = added + s.max(0) as u64 * 1000;
            at = Some(at.map_or(when, |a| a.min(when)));
        }
    }
    if forever {
        None
    } else {
        at
    }
}

fn no_execute_taints(cluster: &Cluster, node: &str) -> Vec<(Taint, Millis)> {
    let Some(Object::Node(n)) = cluster.store.get(&ObjectKey::new(Kind::Node, "", node)) else { return Vec::new() };
    n.spec
        .as_ref()
        .and_then(|s| s.taints.clone())
        .unwrap_or_default()
        .into_iter()
        .filter(|t| t.effect == "NoExecute")
        .map(|t| {
            let at = t.time_added.as_ref().map(sim_millis).unwrap_or(0);
            (t, at)
        })
        .collect()
}

fn node_of(pod: &Pod) -> Option<&str> {
    pod.spec.as_ref()?.node_name.as_deref()
}

/// Copies of the pods bound to a node for which `wanted(pod, node)` holds (only those are cloned: these passes
/// run on every settle and usually find nothing to do).
fn pods_bound(cluster: &Cluster, wanted: impl Fn(&Pod, &str) -> bool) -> Vec<Pod> {
    cluster
        .store
        .list(Kind::Pod, None)
        .filter_map(|o| match o {
            Object::Pod(p) if node_of(p).is_some_and(|n| wanted(p, n)) => Some((**p).clone()),
            _ => None,
        })
        .collect()
}

fn set_condition(pod: &mut Pod, cond: PodCondition) {
    let conds = pod.status.get_or_insert_with(Default::default).conditions.get_or_insert_with(Vec::new);
    match conds.iter_mut().find(|c| c.type_ == cond.type_) {
        Some(c) => *c = cond,
        None => conds.push(cond),
    }
}

impl Cluster {
    pub(super) fn reconcile_lost_pods(&mut self) {
        self.mark_pods_not_ready();
        self.evict_for_taints();
        self.collect_pods();
    }

    /// `MarkPodsNotReady` for every node whose Ready condition is `Unknown`.
    fn mark_pods_not_ready(&mut self) {
        let now = self.clock.now();
        let unknown: Vec<String> = self
            .nodes()
            .filter(|n| {
                n.status
                    .as_ref()
                    .and_then(|s| s.conditions.as_ref())
                    .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "Unknown"))
            })
            .filter_map(|n| n.metadata.name.clone())
            .collect();
        if unknown.is_empty() {
            return;
        }
        for mut pod in pods_bound(self, |_, node| unknown.iter().any(|u| u == node)) {
            let node = node_of(&pod).unwrap_or_default().to_string();
            let conds = pod.status.as_ref().and_then(|s| s.conditions.clone()).unwrap_or_default();
            let Some(mut ready) = conds.into_iter().find(|c| c.type_ == "Ready" && c.status == "True") else {
                continue;
            };
            ready.status = "False".into();
            ready.last_transition_time = Some(api_time(now));
            set_condition(&mut pod, ready);
            let key = ObjectKey::new(
                Kind::Pod,
                pod.metadata.namespace.as_deref().unwrap_or_default(),
                pod.metadata.name.as_deref().unwrap_or_default(),
            );
            let stored = self.store.replace(Object::from(pod)).clone();
            self.record(
                "node-lifecycle-controller",
                Change::Updated,
                &key,
                &format!("node {node} stopped posting status: the pod's Ready condition is False"),
            );
            self.emit_event(
                &stored,
                "Warning",
                "NodeNotReady",
                "Node is not ready",
                &Reporter::component("node-controller"),
            );
        }
    }

    /// The taint-eviction controller's pass: delete every pod whose NoExecute toleration has run out.
    fn evict_for_taints(&mut self) {
        let now = self.clock.now();
        let tainted: std::collections::BTreeSet<String> = self
            .nodes()
            .filter(|n| {
                n.spec
                    .as_ref()
                    .and_then(|s| s.taints.as_ref())
                    .is_some_and(|t| t.iter().any(|t| t.effect == "NoExecute"))
            })
            .filter_map(|n| n.metadata.name.clone())
            .collect();
        if tainted.is_empty() {
            return;
        }
        for pod in pods_bound(self, |p, node| p.metadata.deletion_timestamp.is_none() && tainted.contains(node)) {
            let node = node_of(&pod).unwrap_or_default().to_string();
            let taints = no_execute_taints(self, &node);
            if taints.is_empty() {
                continue;
            }
            let tolerations = pod.spec.as_ref().and_then(|s| s.tolerations.clone()).unwrap_or_default();
            let Some(at) = eviction_instant(&taints, &tolerations) else { continue };
            if at > now {
                continue;
            }
            let ns = pod.metadata.namespace.clone().unwrap_or_default();
            let name = pod.metadata.name.clone().unwrap_or_default();
            let key = ObjectKey::new(Kind::Pod, &ns, &name);
            let mut marked = pod.clone();
            set_condition(
                &mut marked,
                PodCondition {
                    type_: "DisruptionTarget".into(),
                    status: "True".into(),
                    reason: Some("DeletionByTaintManager".into()),
                    message: Some("Taint manager: deleting due to NoExecute taint".into()),
                    last_transition_time: Some(api_time(now)),
                    ..Default::default()
                },
            );
            let stored = self.store.replace(Object::from(marked)).clone();
            let taint_names: Vec<String> = taints.iter().map(|(t, _)| format!("{}:NoExecute", t.key)).collect();
            self.record(
                "taint-eviction-controller",
                Change::Updated,
                &key,
                &format!(
                    "node {node} has taint {} the pod no longer tolerates: DisruptionTarget",
                    taint_names.join(", ")
                ),
            );
            self.emit_event(
                &stored,
                "Normal",
                "TaintManagerEviction",
                &format!("Marking for deletion Pod {ns}/{name}"),
                &Reporter::component("taint-eviction-controller"),
            );
            self.delete_object_with_grace("taint-eviction-controller", stored, None, None);
            self.log.amend_last_reason(format!(
                "evicted: the toleration of {} on node {node} ran out",
                taint_names.join(", ")
            ));
        }
    }

    /// The pod garbage collector: orphaned pods (node gone) and terminated pods above the threshold.
    fn collect_pods(&mut self) {
        let now = self.clock.now();
        let nodes: std::collections::BTreeSet<String> = self.nodes().filter_map(|n| n.metadata.name.clone()).collect();
        for mut pod in pods_bound(self, |_, node| !nodes.contains(node)) {
            let node = node_of(&pod).unwrap_or_default().to_string();
            let ns = pod.metadata.namespace.clone().unwrap_or_default();
            let name = pod.metadata.name.clone().unwrap_or_default();
            let key = ObjectKey::new(Kind::Pod, &ns, &name);
            // markFailedAndDeletePod: phase Failed with the DisruptionTarget condition, then grace period 0.
            let phase = pod.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default();
            if phase != "Succeeded" && phase != "Failed" {
                pod.status.get_or_insert_with(Default::default).phase = Some("Failed".into());
                set_condition(
                    &mut pod,
                    PodCondition {
                        type_: "DisruptionTarget".into(),
                        status: "True".into(),
                        reason: Some("DeletionByPodGC".into()),
                        message: Some("PodGC: node no longer exists".into()),
                        last_transition_time: Some(api_time(now)),
                        ..Default::default()
                    },
                );
            }
            if pod.metadata.deletion_timestamp.is_some()
                && pod.metadata.deletion_grace_period_seconds == Some(0)
                && pod.metadata.finalizers.as_ref().is_some_and(|f| !f.is_empty())
            {
                continue;
            }
            let stored = self.store.replace(Object::from(pod)).clone();
            self.delete_object_with_grace("pod-garbage-collector", stored, None, Some(0));
            if let Some(Object::Pod(p)) = self.store.get(&key).cloned() {
                // Kept by a finalizer: deleted with grace 0 once it goes.
                if p.metadata.deletion_timestamp.is_none() || p.metadata.deletion_grace_period_seconds != Some(0) {
                    let mut p = (*p).clone();
                    p.metadata.deletion_timestamp.get_or_insert_with(|| api_time(now));
                    p.metadata.deletion_grace_period_seconds = Some(0);
                    self.store.replace(Object::from(p));
                }
            }
            self.log.amend_last_reason(format!("node {node} no longer exists: orphaned pod force-deleted"));
        }
        // gcTerminated: only above the threshold, oldest first.
        let finished = |o: &&Object| {
            o.metadata().deletion_timestamp.is_none()
                && matches!(o, Object::Pod(p) if matches!(
                    p.status.as_ref().and_then(|s| s.phase.as_deref()),
                    Some("Succeeded" | "Failed")
                ))
        };
        if self.store.list(Kind::Pod, None).filter(finished).count() > TERMINATED_POD_GC_THRESHOLD {
            let mut terminated: Vec<(Millis, Object)> = self
                .store
                .list(Kind::Pod, None)
                .filter(finished)
                .map(|o| (o.metadata().creation_timestamp.as_ref().map(sim_millis).unwrap_or(0), o.clone()))
                .collect();
            terminated.stable_sort_by_key(|(t, _)| *t);
            let excess = terminated.len() - TERMINATED_POD_GC_THRESHOLD;
            for (_, pod) in terminated.into_iter().take(excess) {
                self.delete_object_with_grace("pod-garbage-collector", pod, None, Some(0));
                self.log.amend_last_reason(format!(
                    "more than {TERMINATED_POD_GC_THRESHOLD} terminated pods: the oldest is deleted"
                ));
            }
        }
    }

    /// The next instant a toleration runs out.
    pub(crate) fn taint_eviction_wakeup(&self) -> Option<Millis> {
        let now = self.clock.now();
        let tainted: std::collections::BTreeMap<String, Vec<(Taint, Millis)>> = self
            .nodes()
            .filter_map(|n| n.metadata.name.clone())
            .map(|n| (n.clone(), no_execute_taints(self, &n)))
            .filter(|(_, t)| !t.is_empty())
            .collect();
        if tainted.is_empty() {
            return None;
        }
        self.store
            .list(Kind::Pod, None)
            .filter_map(|o| match o {
                Object::Pod(p) if p.metadata.deletion_timestamp.is_none() => {
                    let taints = tainted.get(node_of(p)?)?;
                    let tolerations = p.spec.as_ref().and_then(|s| s.tolerations.clone()).unwrap_or_default();
                    eviction_instant(taints, &tolerations)
                }
                _ => None,
            })
            .filter(|t| *t > now)
            .min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn taint(key: &str) -> Taint {
        Taint { key: key.into(), effect: "NoExecute".into(), ..Default::default() }
    }

    fn tol(key: &str, secs: Option<i64>) -> Toleration {
        Toleration {
            key: Some(key.into()),
            operator: Some("Exists".into()),
            effect: Some("NoExecute".into()),
            toleration_seconds: secs,
            ..Default::default()
        }
    }

    #[test]
    fn eviction_instants_follow_the_shortest_toleration() {
        let unreachable = "node.kubernetes.io/unreachable";
        let not_ready = "node.kubernetes.io/not-ready";
        let t = [(taint(unreachable), 50_000)];
        let table: Vec<(Vec<Toleration>, Option<Millis>)> = vec![
            (vec![], Some(50_000)),
            (vec![tol(not_ready, Some(300))], Some(50_000)),
            (vec![tol(not_ready, Some(300)), tol(unreachable, Some(300))], Some(350_000)),
            (vec![tol(unreachable, Some(60)), tol(unreachable, Some(300))], Some(110_000)),
            (vec![tol(unreachable, None)], None),
            (vec![tol(unreachable, Some(-5))], Some(50_000)),
        ];
        for (tolerations, want) in table {
            assert_eq!(eviction_instant(&t, &tolerations), want, "{tolerations:?}");
        }
    }
}
