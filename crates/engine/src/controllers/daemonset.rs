//! The DaemonSet controller (`pkg/controller/daemon`): one pod per eligible node.
//!
//! A node is eligible when the pod the DaemonSet would put there matches it (`spec.nodeSelector`, required
//! node affinity) and tolerates its NoSchedule/NoExecute taints; a pod already there may stay while it
//! tolerates the NoExecute ones (`NodeShouldRunDaemonPod`). Each pod is pinned to its node by required node
//! affinity `metadata.name In [node]` and carries the tolerations the controller adds
//! (`AddOrUpdateDaemonPodTolerations`); the scheduler binds it. Updates roll node by node within
//! `maxUnavailable` (or surge a second pod within `maxSurge`), or wait for pods to be deleted (`OnDelete`).

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::apps::v1::{DaemonSet, DaemonSetStatus};
use k8s_openapi::api::core::v1::{
    Affinity, Node, NodeAffinity, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, Pod, PodSpec, Toleration,
};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::revisions::{
    controlled_by, controller_ref, go_json, new_revision, phase, pod_available, pod_from_template, pod_ready,
    revision_data, revision_name, scaled_value, template_patch, REVISION_LABEL,
};
use super::rollout::compute_hash;
use crate::cluster::Cluster;
use crate::object::{Kind, Object};
use crate::recorder::Reporter;
use crate::scheduler::affinity::{required_node_affinity_matches, tolerations_tolerate};
use crate::util::sort::StableSort;

const CONTROLLER: &str = "daemonset-controller";

/// `AddOrUpdateDaemonPodTolerations`: what every daemon pod tolerates, in the order the controller adds
/// them, so that node problems and cordons do not evict or exclude it. `network-unavailable` only for
/// `hostNetwork` pods (they do not need the pod network).
pub fn add_daemon_tolerations(spec: &mut PodSpec) {
    let mut wanted = vec![
        ("node.kubernetes.io/not-ready", "NoExecute"),
        ("node.kubernetes.io/unreachable", "NoExecute"),
        ("node.kubernetes.io/disk-pressure", "NoSchedule"),
        ("node.kubernetes.io/memory-pressure", "NoSchedule"),
        ("node.kubernetes.io/pid-pressure", "NoSchedule"),
        ("node.kubernetes.io/unschedulable", "NoSchedule"),
    ];
    if spec.host_network == Some(true) {
        wanted.push(("node.kubernetes.io/network-unavailable", "NoSchedule"));
    }
    let tolerations = spec.tolerations.get_or_insert_with(Vec::new);
    for (key, effect) in wanted {
        let t = Toleration {
            key: Some(key.to_string()),
            operator: Some("Exists".to_string()),
            effect: Some(effect.to_string()),
            value: None,
            toleration_seconds: None,
        };
        // `AddOrUpdateTolerationInPodSpec`: a toleration with the same key, operator, value and effect is
        // replaced, anything else is kept and the new one appended.
        let same = |o: &Toleration| {
            o.key == t.key
                && o.effect == t.effect
                && o.operator.as_deref().unwrap_or("Equal") == "Exists"
                && o.value.as_deref().unwrap_or_default().is_empty()
        };
        match tolerations.iter_mut().find(|o| same(o)) {
            Some(o) => *o = t,
            None => tolerations.push(t),
        }
    }
}

/// `ReplaceDaemonSetPodNodeNameNodeAffinity`: the pod's required node affinity becomes exactly
/// `metadata.name In [node]` (the controller checked the template's own terms already).
pub fn pin_to_node(spec: &mut PodSpec, node: &str) {
    let selector = NodeSelector {
        node_selector_terms: vec![NodeSelectorTerm {
            match_expressions: None,
            match_fields: Some(vec![NodeSelectorRequirement {
                key: "metadata.name".into(),
                operator: "In".into(),
                values: Some(vec![node.to_string()]),
            }]),
        }],
    };
    let affinity = spec.affinity.get_or_insert_with(Affinity::default);
    let na = affinity.node_affinity.get_or_insert_with(NodeAffinity::default);
    na.required_during_scheduling_ignored_during_execution = Some(selector);
}

/// The node a daemon pod belongs to (`util.GetTargetNodeName`): its `nodeName`, or the node its affinity pins.
pub fn target_node(pod: &Pod) -> Option<String> {
    let spec = pod.spec.as_ref()?;
    if let Some(n) = spec.node_name.clone().filter(|n| !n.is_empty()) {
        return Some(n);
    }
    let terms = &spec.affinity.as_ref()?.node_affinity.as_ref()?.required_during_scheduling_ignored_during_execution;
    terms.as_ref()?.node_selector_terms.iter().find_map(|t| {
        t.match_fields.iter().flatten().find_map(|r| {
            (r.key == "metadata.name" && r.operator == "In")
                .then(|| r.values.as_ref().and_then(|v| v.first().cloned()))
                .flatten()
        })
    })
}

/// The pod the DaemonSet would run on a node (`NewPod`): its template with the daemon tolerations.
fn new_pod_spec(ds: &DaemonSet) -> PodSpec {
    let mut spec = ds.spec.as_ref().and_then(|s| s.template.spec.clone()).unwrap_or_default();
    add_daemon_tolerations(&mut spec);
    spec
}

/// `NodeShouldRunDaemonPod`: (should a daemon pod run here, may one already here keep running).
///
/// | node                              | template                      | result          |
/// |-----------------------------------|-------------------------------|-----------------|
/// | worker, no taints                 | anything                      | (true, true)    |
/// | control plane `NoSchedule` taint  | no toleration                 | (false, true)   |
/// | control plane `NoSchedule` taint  | `operator: Exists`            | (true, true)    |
/// | label `disk=hdd`                  | `nodeSelector: disk=ssd`      | (false, false)  |
/// | taint `dedicated=x:NoExecute`     | no toleration                 | (false, false)  |
pub fn node_should_run(node: &Node, ds: &DaemonSet) -> (bool, bool) {
    let spec = new_pod_spec(ds);
    let name = node.metadata.name.as_deref().unwrap_or_default();
    if spec.node_name.as_deref().is_some_and(|n| !n.is_empty() && n != name) {
        return (false, false);
    }
    let pod = Pod { spec: Some(spec.clone()), ..Default::default() };
    if !required_node_affinity_matches(&pod, node) {
        return (false, false);
    }
    let taints = node.spec.as_ref().and_then(|s| s.taints.clone()).unwrap_or_default();
    let tolerations = spec.tolerations.unwrap_or_default();
    let untolerated = |effects: &[&str]| {
        taints.iter().any(|t| effects.contains(&t.effect.as_str()) && !tolerations_tolerate(&tolerations, t))
    };
    if untolerated(&["NoSchedule", "NoExecute"]) {
        return (false, !untolerated(&["NoExecute"]));
    }
    (true, true)
}

/// `updatedDesiredNodeCounts`: (maxSurge, maxUnavailable) of a rolling update over `desired` nodes, both
/// percentages rounded up; when both come out 0 the controller allows 1 unavailable.
///
/// | maxSurge | maxUnavailable | desired | result |
/// |----------|----------------|---------|--------|
/// | 0        | 1              | 5       | (0, 1) |
/// | 0        | 25%            | 5       | (0, 2) |
/// | 20%      | 0              | 5       | (1, 0) |
/// | 0        | 0%             | 5       | (0, 1) |
pub fn rolling_budget(max_surge: &IntOrString, max_unavailable: &IntOrString, desired: i32) -> (i32, i32) {
    let surge = scaled_value(max_surge, desired, true);
    let mut unavailable = scaled_value(max_unavailable, desired, true);
    if desired > 0 && surge == 0 && unavailable == 0 {
        unavailable = 1;
    }
    (surge, unavailable)
}

/// `util.GetTemplateGeneration`: the `deprecated.daemonset.template.generation` annotation.
pub fn template_generation(ds: &DaemonSet) -> i64 {
    ds.metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(crate::admission::defaults::DS_TEMPLATE_GENERATION))
        .and_then(|g| g.parse().ok())
        .unwrap_or(1)
}

fn creation_key(p: &Pod) -> (String, String) {
    (
        p.metadata.creation_timestamp.as_ref().map(|t| t.0.to_string()).unwrap_or_default(),
        p.metadata.name.clone().unwrap_or_default(),
    )
}

fn pod_name(p: &Pod) -> String {
    p.metadata.name.clone().unwrap_or_default()
}

fn is_updated(p: &Pod, hash: &str, generation: i64) -> bool {
    let labels = p.metadata.labels.as_ref();
    let get = |k: &str| labels.and_then(|l| l.get(k)).map(String::as_str);
    get("controller-revision-hash") == Some(hash) || get("pod-template-generation") == Some(&generation.to_string())
}

/// `findUpdatedPodsOnNode`: the node's one new and one old pod (terminating pods ignored); `None` when there
/// are several of either.
fn updated_and_old<'p>(
    pods: &'p [SharedPod],
    hash: &str,
    generation: i64,
) -> Option<(Option<&'p Pod>, Option<&'p Pod>)> {
    let (mut new, mut old) = (None, None);
    for p in pods.iter().filter(|p| p.metadata.deletion_timestamp.is_none()) {
        let slot = if is_updated(p, hash, generation) { &mut new } else { &mut old };
        if slot.is_some() {
            return None;
        }
        *slot = Some(&**p);
    }
    Some((new, old))
}

/// A pod as the store shares it (no copy per sync); reads as a `Pod`.
#[derive(Clone)]
struct SharedPod(std::sync::Arc<Object>);

impl std::ops::Deref for SharedPod {
    type Target = Pod;
    fn deref(&self) -> &Pod {
        match self.0.as_ref() {
            Object::Pod(p) => p,
            _ => unreachable!("SharedPod holds pods only"),
        }
    }
}

impl Cluster {
    pub(super) fn reconcile_daemon_sets(&mut self) {
        // Like the real controller, which syncs on watch events of DaemonSets, pods, nodes and revisions: a
        // settle where none of those changed (a lease renewal) and no pod's availability came due is skipped.
        // A sync reads only the pods of its DaemonSet's namespace, so pods elsewhere are no news.
        let watched = [Kind::DaemonSet, Kind::Node, Kind::ControllerRevision, Kind::Namespace];
        let namespaces: BTreeSet<&str> = self
            .store
            .list(Kind::DaemonSet, None)
            .map(|ds| ds.metadata().namespace.as_deref().unwrap_or_default())
            .collect();
        let news = self.has_news_where(self.apps.daemon_sets_seen, |o| {
            watched.contains(&o.kind())
                || (o.kind() == Kind::Pod && namespaces.contains(o.metadata().namespace.as_deref().unwrap_or_default()))
        });
        if !news {
            return;
        }
        // Its own writes are news for its next pass, as a real controller's watch delivers them back.
        let before = self.store.resource_version();
        self.sync_all_daemon_sets();
        self.apps.daemon_sets_seen = Some((before, self.apps_wakeup()));
    }

    fn sync_all_daemon_sets(&mut self) {
        let sets: Vec<DaemonSet> = self
            .store
            .list(Kind::DaemonSet, None)
            .filter_map(|o| match o {
                Object::DaemonSet(ds) => Some((**ds).clone()),
                _ => None,
            })
            .collect();
        for ds in sets {
            self.sync_daemon_set(ds);
        }
    }

    /// The DaemonSet's pods by the node they belong to, oldest first; pods that finished and are being deleted
    /// no longer count (`getNodesToDaemonPods` without deleted terminal pods).
    fn daemon_pods_by_node(&self, ds: &DaemonSet) -> BTreeMap<String, Vec<SharedPod>> {
        let uid = ds.metadata.uid.as_deref().unwrap_or_default();
        let ns = ds.metadata.namespace.as_deref().unwrap_or_default();
        let mut by_node: BTreeMap<String, Vec<SharedPod>> = BTreeMap::new();
        for o in self.store.list_shared(Kind::Pod, Some(ns)) {
            let Object::Pod(p) = o.as_ref() else { continue };
            if !controlled_by(p, uid) {
                continue;
            }
            let terminal = matches!(phase(p), "Succeeded" | "Failed");
            if terminal && p.metadata.deletion_timestamp.is_some() {
                continue;
            }
            if let Some(node) = target_node(p) {
                by_node.entry(node).or_default().push(SharedPod(o.clone()));
            }
        }
        for pods in by_node.values_mut() {
            pods.stable_sort_by_key(|p| creation_key(p));
        }
        by_node
    }

    fn sync_daemon_set(&mut self, ds: DaemonSet) {
        if ds.metadata.deletion_timestamp.is_some() {
            return;
        }
        let nodes: Vec<Node> = self.nodes().cloned().collect();
        let spec = ds.spec.clone().unwrap_or_default();
        self.adopt_orphans(CONTROLLER, &Object::from(ds.clone()), &spec.selector, &|_| true);
        let Some((hash, old)) = self.construct_daemon_history(&ds) else { return };
        let generation = template_generation(&ds);
        let by_node = self.daemon_pods_by_node(&ds);
        let name = ds.metadata.name.clone().unwrap_or_default();
        // `util.AllowsSurge`: maxSurge scaled against one node is at least 1.
        let surge_allowed = spec.update_strategy.as_ref().is_some_and(|s| {
            s.type_.as_deref() == Some("RollingUpdate")
                && s.rolling_update
                    .as_ref()
                    .and_then(|r| r.max_surge.as_ref())
                    .is_some_and(|m| scaled_value(m, 1, true) > 0)
        });

        // manage: which nodes need a pod, which pods must go.
        let mut needing: Vec<String> = Vec::new();
        let mut to_delete: Vec<(Pod, String)> = Vec::new();
        let mut failed_events = Vec::new();
        for node in &nodes {
            let node_name = node.metadata.name.clone().unwrap_or_default();
            let (should_run, should_continue) = node_should_run(node, &ds);
            let pods = by_node.get(&node_name);
            if should_run && pods.is_none() {
                needing.push(node_name);
            } else if should_continue {
                let mut running: Vec<&Pod> = Vec::new();
                for p in pods.into_iter().flatten().filter(|p| p.metadata.deletion_timestamp.is_none()) {
                    if phase(p) == "Failed" || phase(p) == "Succeeded" {
                        if phase(p) == "Failed" {
                            failed_events.push(format!(
                                "Found failed daemon pod {}/{} on node {node_name}, will try to kill it",
                                p.metadata.namespace.as_deref().unwrap_or_default(),
                                pod_name(p)
                            ));
                        }
                        to_delete.push((Pod::clone(p), format!("daemon pod on {node_name} {}: replaced", phase(p))));
                    } else {
                        running.push(p);
                    }
                }
                if running.len() > 1 {
                    if !surge_allowed {
                        for p in &running[1..] {
                            to_delete.push(((*p).clone(), format!("more than one daemon pod on {node_name}")));
                        }
                    } else {
                        let (mut oldest_new, mut oldest_old) = (None, None);
                        for p in &running {
                            let slot = if is_updated(p, &hash, generation) { &mut oldest_new } else { &mut oldest_old };
                            if slot.is_none() {
                                *slot = Some(*p);
                            } else {
                                to_delete.push(((*p).clone(), format!("more than one daemon pod on {node_name}")));
                            }
                        }
                        if let (Some(new), Some(old)) = (oldest_new, oldest_old) {
                            let mrs = spec.min_ready_seconds.unwrap_or(0);
                            if !pod_ready(old) || pod_available(new, mrs, self.clock.now()) {
                                to_delete.push((old.clone(), format!("its replacement on {node_name} is available")));
                            }
                        }
                    }
                }
            } else if let Some(pods) = pods {
                for p in pods.iter().filter(|p| p.metadata.deletion_timestamp.is_none()) {
                    to_delete.push((Pod::clone(p), format!("node {node_name} is no longer eligible for it")));
                }
            }
        }
        // Pods pinned to nodes that are gone and never scheduled (`getUnscheduledPodsWithoutNode`).
        for (node_name, pods) in &by_node {
            if nodes.iter().any(|n| n.metadata.name.as_deref() == Some(node_name.as_str())) {
                continue;
            }
            for p in pods {
                let unscheduled = p.spec.as_ref().and_then(|s| s.node_name.as_deref()).unwrap_or_default().is_empty();
                if unscheduled && p.metadata.deletion_timestamp.is_none() {
                    to_delete.push((Pod::clone(p), format!("node {node_name} no longer exists")));
                }
            }
        }
        let obj = Object::from(ds.clone());
        for msg in failed_events {
            self.emit_event(&obj, "Warning", "FailedDaemonPod", &msg, &Reporter::component(CONTROLLER));
        }
        let acted = !needing.is_empty() || !to_delete.is_empty();
        self.sync_daemon_nodes(&ds, &hash, to_delete, needing);

        // Rolling update, once what manage did is visible (the controller's expectations).
        let rolling = spec.update_strategy.as_ref().is_some_and(|s| s.type_.as_deref() == Some("RollingUpdate"));
        if !acted && rolling {
            self.daemon_rolling_update(&ds, &nodes, &hash, generation);
        }
        self.cleanup_daemon_history(&ds, old);
        self.update_daemon_set_status(&name, &ds.metadata.namespace.clone().unwrap_or_default(), &hash);
    }

    /// `constructHistory`: the revision holding the current template (created as `<ds>-<hash>` if there is none,
    /// renumbered as the newest if it is an older one: a rollback) and the older revisions. Returns the current
    /// revision's hash label, which the DaemonSet's new pods carry.
    fn construct_daemon_history(
        &mut self,
        ds: &DaemonSet,
    ) -> Option<(String, Vec<k8s_openapi::api::apps::v1::ControllerRevision>)> {
        let obj = Object::from(ds.clone());
        let name = ds.metadata.name.clone().unwrap_or_default();
        let template = ds.spec.clone().unwrap_or_default().template;
        let data = go_json(&template_patch(&template));
        let (current, old): (Vec<_>, Vec<_>) =
            self.controlled_revisions(&obj).into_iter().partition(|r| revision_data(r) == data);
        let next = old.iter().map(|r| r.revision).max().unwrap_or(0) + 1;
        let cur = match current.last() {
            None => {
                let collision_count = ds.status.as_ref().and_then(|s| s.collision_count);
                let template_json = serde_json::to_vec(&template).unwrap_or_default();
                let hash = compute_hash(&template_json, collision_count);
                let cr = new_revision(&obj, &template, revision_name(&name, &hash), &hash, next);
                let why = format!("DaemonSet {name}: its template changed: revision {next}");
                let hash = |c: Option<i32>| compute_hash(&template_json, c);
                let (cr, used) = self.create_revision(CONTROLLER, &name, cr, collision_count, &hash, &why);
                if used != collision_count {
                    // `snapshot`: the name `<ds>-<hash>` was taken by other data, so the controller bumped
                    // `status.collisionCount` (UpdateStatus) and hashed again with it.
                    self.bump_daemon_collision_count(ds, used);
                }
                cr?
            }
            Some(cur) if cur.revision < next => {
                let why = format!(
                    "DaemonSet {name}: the template is that of revision {} again: it becomes revision {next}",
                    cur.revision
                );
                self.renumber_revision(CONTROLLER, cur, next, &why)
            }
            Some(cur) => cur.clone(),
        };
        let labels = cur.metadata.labels.as_ref();
        let hash = labels.and_then(|l| l.get(REVISION_LABEL)).cloned().or(cur.metadata.name.clone())?;
        Some((hash, old))
    }

    /// Writes the collision count a revision's name was finally hashed with to the DaemonSet's status, as
    /// `snapshot` does (one bump per collision; the engine retries at once rather than on a requeue).
    fn bump_daemon_collision_count(&mut self, ds: &DaemonSet, count: Option<i32>) {
        let (ns, name) =
            (ds.metadata.namespace.as_deref().unwrap_or_default(), ds.metadata.name.as_deref().unwrap_or_default());
        let Ok(Object::DaemonSet(current)) = self.get(Kind::DaemonSet, ns, name).cloned() else { return };
        let mut updated = (*current).clone();
        updated.status.get_or_insert_with(Default::default).collision_count = count;
        let why = format!(
            "DaemonSet {name}: found a hash collision for its revision name: collisionCount is now {}",
            count.unwrap_or(0)
        );
        self.write_workload_status(CONTROLLER, Object::from(updated), &why);
    }

    /// `cleanupHistory`: beyond `revisionHistoryLimit` (10 by default) old revisions go, oldest first, except
    /// those a pod still carries the hash of.
    fn cleanup_daemon_history(&mut self, ds: &DaemonSet, mut old: Vec<k8s_openapi::api::apps::v1::ControllerRevision>) {
        let limit = ds.spec.as_ref().and_then(|s| s.revision_history_limit).unwrap_or(10).max(0) as usize;
        if old.len() <= limit {
            return;
        }
        let mut to_kill = old.len() - limit;
        let uid = ds.metadata.uid.clone().unwrap_or_default();
        let ns = ds.metadata.namespace.clone().unwrap_or_default();
        let live: std::collections::BTreeSet<String> = self
            .store
            .list(Kind::Pod, Some(&ns))
            .filter_map(|o| match o {
                Object::Pod(p) if controlled_by(p, &uid) => p.metadata.labels.as_ref()?.get(REVISION_LABEL).cloned(),
                _ => None,
            })
            .collect();
        old.stable_sort_by_key(|r| r.revision);
        let name = ds.metadata.name.clone().unwrap_or_default();
        for r in old {
            if to_kill == 0 {
                break;
            }
            if r.metadata.labels.as_ref().and_then(|l| l.get(REVISION_LABEL)).is_some_and(|h| live.contains(h)) {
                continue;
            }
            let why = format!(
                "DaemonSet {name}: revision {} is beyond revisionHistoryLimit {limit} and no pod runs it",
                r.revision
            );
            let rname = r.metadata.name.clone().unwrap_or_default();
            self.controller_delete(CONTROLLER, Kind::ControllerRevision, &ns, &rname, &why);
            to_kill -= 1;
        }
    }

    /// `syncNodes`: deletes the condemned pods and creates one pod on each node needing one.
    fn sync_daemon_nodes(&mut self, ds: &DaemonSet, hash: &str, to_delete: Vec<(Pod, String)>, needing: Vec<String>) {
        let obj = Object::from(ds.clone());
        let name = ds.metadata.name.clone().unwrap_or_default();
        let ns = ds.metadata.namespace.clone().unwrap_or_default();
        let spec = ds.spec.clone().unwrap_or_default();
        for node in needing {
            let mut template = spec.template.clone();
            let meta = template.metadata.get_or_insert_with(Default::default);
            let labels = meta.labels.get_or_insert_with(Default::default);
            labels.insert("controller-revision-hash".into(), hash.to_string());
            labels.insert("pod-template-generation".into(), template_generation(ds).to_string());
            let mut pod = pod_from_template(&template, &ns, controller_ref(&obj));
            pod.metadata.generate_name = Some(format!("{name}-"));
            let pod_spec = pod.spec.get_or_insert_with(Default::default);
            add_daemon_tolerations(pod_spec);
            pin_to_node(pod_spec, &node);
            let why = format!("DaemonSet {name} has no pod on node {node}: created {{name}}");
            if let Some(p) = self.create_controlled_pod(CONTROLLER, pod, &why) {
                let msg = format!("Created pod: {}", pod_name(&p));
                self.emit_event(&obj, "Normal", "SuccessfulCreate", &msg, &Reporter::component(CONTROLLER));
            }
        }
        for (pod, why) in to_delete {
            let pname = pod_name(&pod);
            self.controller_delete(CONTROLLER, Kind::Pod, &ns, &pname, &format!("DaemonSet {name}: {why}"));
            let msg = format!("Deleted pod: {pname}");
            self.emit_event(&obj, "Normal", "SuccessfulDelete", &msg, &Reporter::component(CONTROLLER));
        }
    }

    /// `rollingUpdate`: old pods go within `maxUnavailable`, or new pods surge within `maxSurge`.
    fn daemon_rolling_update(&mut self, ds: &DaemonSet, nodes: &[Node], hash: &str, generation: i64) {
        let spec = ds.spec.clone().unwrap_or_default();
        let ru = spec.update_strategy.and_then(|s| s.rolling_update).unwrap_or_default();
        let by_node = self.daemon_pods_by_node(ds);
        let now = self.clock.now();
        let mrs = spec.min_ready_seconds.unwrap_or(0);
        let desired = nodes.iter().filter(|n| node_should_run(n, ds).0).count() as i32;
        let (max_surge, max_unavailable) = rolling_budget(
            ru.max_surge.as_ref().unwrap_or(&IntOrString::Int(0)),
            ru.max_unavailable.as_ref().unwrap_or(&IntOrString::Int(1)),
            desired,
        );
        // Only nodes that should run the pod take part (`nodeToDaemonPods` restricted to them).
        let eligible: Vec<(String, &Vec<SharedPod>)> = nodes
            .iter()
            .filter(|n| node_should_run(n, ds).1)
            .filter_map(|n| {
                let name = n.metadata.name.clone()?;
                by_node.get(&name).map(|pods| (name, pods))
            })
            .collect();
        let mut to_delete: Vec<(Pod, String)> = Vec::new();
        let mut needing = Vec::new();
        if max_surge == 0 {
            let mut unavailable = 0;
            let mut replace_now = Vec::new();
            let mut candidates = Vec::new();
            for (node, pods) in &eligible {
                match updated_and_old(pods, hash, generation) {
                    None | Some((None, None)) | Some((Some(_), Some(_))) => unavailable += 1,
                    Some((Some(new), None)) => {
                        if !pod_available(new, mrs, now) {
                            unavailable += 1;
                        }
                    }
                    Some((None, Some(old))) => {
                        if !pod_available(old, mrs, now) {
                            replace_now
                                .push((old.clone(), format!("rolling update: old pod on {node} is unavailable")));
                        } else if unavailable < max_unavailable {
                            candidates.push((old.clone(), format!("rolling update: replacing the old pod on {node}")));
                        }
                    }
                }
            }
            let room = (max_unavailable - unavailable).clamp(0, candidates.len() as i32) as usize;
            to_delete.extend(replace_now);
            to_delete.extend(candidates.into_iter().take(room));
        } else {
            let mut surge = 0;
            for (node, pods) in &eligible {
                let Some((new, Some(old))) = updated_and_old(pods, hash, generation) else { continue };
                match new {
                    None => {
                        if !pod_available(old, mrs, now) {
                            needing.push(node.clone());
                        } else if surge < max_surge {
                            surge += 1;
                            needing.push(node.clone());
                        }
                    }
                    Some(new) => {
                        if !pod_available(new, mrs, now) {
                            surge += 1;
                        } else {
                            to_delete.push((old.clone(), format!("rolling update: new pod on {node} is available")));
                        }
                    }
                }
            }
        }
        self.sync_daemon_nodes(ds, hash, to_delete, needing);
    }

    /// `updateDaemonSetStatus`.
    fn update_daemon_set_status(&mut self, name: &str, ns: &str, hash: &str) {
        let Ok(Object::DaemonSet(ds)) = self.get(Kind::DaemonSet, ns, name).cloned() else { return };
        let spec = ds.spec.clone().unwrap_or_default();
        let generation = template_generation(&ds);
        let by_node = self.daemon_pods_by_node(&ds);
        let now = self.clock.now();
        let mrs = spec.min_ready_seconds.unwrap_or(0);
        let (mut desired, mut current, mut ready, mut available, mut updated, mut misscheduled) = (0, 0, 0, 0, 0, 0);
        for node in self.nodes() {
            let (should_run, _) = node_should_run(node, &ds);
            let pods = by_node.get(node.metadata.name.as_deref().unwrap_or_default());
            match (should_run, pods.and_then(|p| p.first())) {
                (true, None) => desired += 1,
                (true, Some(pod)) => {
                    desired += 1;
                    current += 1;
                    if pod_ready(pod) {
                        ready += 1;
                        if pod_available(pod, mrs, now) {
                            available += 1;
                        }
                    }
                    if is_updated(pod, hash, generation) {
                        updated += 1;
                    }
                }
                (false, Some(_)) => misscheduled += 1,
                (false, None) => {}
            }
        }
        let old = ds.status.clone().unwrap_or_default();
        let status = DaemonSetStatus {
            current_number_scheduled: current,
            desired_number_scheduled: desired,
            number_misscheduled: misscheduled,
            number_ready: ready,
            number_available: (available > 0).then_some(available),
            number_unavailable: (desired - available > 0).then_some(desired - available),
            updated_number_scheduled: (updated > 0).then_some(updated),
            observed_generation: ds.metadata.generation,
            collision_count: old.collision_count,
            conditions: old.conditions.clone(),
        };
        if ds.status.as_ref() == Some(&status) {
            return;
        }
        let why = format!(
            "DaemonSet {name}: {current} of {desired} nodes scheduled, {ready} ready, {updated} up to date, \
             {available} available, {misscheduled} misscheduled"
        );
        let mut updated_ds = (*ds).clone();
        updated_ds.status = Some(status);
        self.write_workload_status(CONTROLLER, Object::from(updated_ds), &why);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::apps::v1::DaemonSetSpec;
    use k8s_openapi::api::core::v1::{NodeSpec, PodTemplateSpec, Taint};
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    fn node(labels: &[(&str, &str)], taints: &[(&str, &str)]) -> Node {
        Node {
            metadata: ObjectMeta {
                name: Some("n".into()),
                labels: Some(labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()),
                ..Default::default()
            },
            spec: Some(NodeSpec {
                taints: Some(
                    taints
                        .iter()
                        .map(|(k, e)| Taint { key: k.to_string(), effect: e.to_string(), ..Default::default() })
                        .collect(),
                ),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    fn ds(spec: PodSpec) -> DaemonSet {
        DaemonSet {
            spec: Some(DaemonSetSpec {
                template: PodTemplateSpec { spec: Some(spec), ..Default::default() },
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn should_run_table() {
        let cp = "node-role.kubernetes.io/control-plane";
        let exists_noschedule =
            Toleration { operator: Some("Exists".into()), effect: Some("NoSchedule".into()), ..Default::default() };
        let ssd = PodSpec { node_selector: Some([("disk".into(), "ssd".into())].into()), ..Default::default() };
        let table = [
            (node(&[], &[]), PodSpec::default(), (true, true)),
            (node(&[], &[(cp, "NoSchedule")]), PodSpec::default(), (false, true)),
            (
                node(&[], &[(cp, "NoSchedule")]),
                PodSpec { tolerations: Some(vec![exists_noschedule]), ..Default::default() },
                (true, true),
            ),
            (node(&[("disk", "hdd")], &[]), ssd.clone(), (false, false)),
            (node(&[("disk", "ssd")], &[]), ssd, (true, true)),
            (node(&[], &[("dedicated", "NoExecute")]), PodSpec::default(), (false, false)),
            // The controller's own tolerations: cordoned and unreachable nodes keep their daemon pods.
            (node(&[], &[("node.kubernetes.io/unschedulable", "NoSchedule")]), PodSpec::default(), (true, true)),
            (node(&[], &[("node.kubernetes.io/unreachable", "NoExecute")]), PodSpec::default(), (true, true)),
        ];
        for (i, (n, spec, want)) in table.into_iter().enumerate() {
            assert_eq!(node_should_run(&n, &ds(spec)), want, "row {i}");
        }
    }

    #[test]
    fn daemon_tolerations_in_order() {
        let mut spec = PodSpec { host_network: Some(true), ..Default::default() };
        add_daemon_tolerations(&mut spec);
        add_daemon_tolerations(&mut spec);
        let keys: Vec<_> = spec.tolerations.unwrap().iter().map(|t| t.key.clone().unwrap()).collect();
        assert_eq!(
            keys,
            [
                "node.kubernetes.io/not-ready",
                "node.kubernetes.io/unreachable",
                "node.kubernetes.io/disk-pressure",
                "node.kubernetes.io/memory-pressure",
                "node.kubernetes.io/pid-pressure",
                "node.kubernetes.io/unschedulable",
                "node.kubernetes.io/network-unavailable",
            ]
        );
        let mut plain = PodSpec::default();
        add_daemon_tolerations(&mut plain);
        assert_eq!(plain.tolerations.unwrap().len(), 6);
    }

    #[test]
    fn pinning_and_target_node() {
        let mut spec = PodSpec::default();
        pin_to_node(&mut spec, "worker-1");
        let pod = Pod { spec: Some(spec), ..Default::default() };
        assert_eq!(target_node(&pod).as_deref(), Some("worker-1"));
    }

    #[test]
    fn rolling_budgets() {
        let int = IntOrString::Int;
        let pct = |s: &str| IntOrString::String(s.into());
        assert_eq!(rolling_budget(&int(0), &int(1), 5), (0, 1));
        assert_eq!(rolling_budget(&int(0), &pct("25%"), 5), (0, 2));
        assert_eq!(rolling_budget(&pct("20%"), &int(0), 5), (1, 0));
        assert_eq!(rolling_budget(&int(0), &pct("0%"), 5), (0, 1));
        assert_eq!(rolling_budget(&int(0), &int(0), 0), (0, 0));
    }
}

/// Random sequences of node additions, deletions, cordons, label changes, template updates and time steps:
/// a DaemonSet never has two pods bound to (or pinned to) one node.
/// A ControllerRevision already holding the name `<ds>-<hash>` with other data: the controller bumps
/// `status.collisionCount` and names its revision with the hash of the new count.
#[cfg(test)]
mod collisions {
    use crate::apiserver::{Request, Verb};
    use crate::object::{Kind, Object};
    use crate::Cluster;
    use serde_json::json;

    #[test]
    fn a_taken_revision_name_bumps_the_collision_count() {
        let mut c = Cluster::new(1);
        let template = json!({"metadata": {"labels": {"app": "agent"}},
            "spec": {"containers": [{"name": "a", "image": "busybox:1.36", "command": ["sleep", "3600"]}]}});
        let ds = json!({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent"},
            "spec": {"selector": {"matchLabels": {"app": "agent"}}, "template": template}});
        // The template as the API server stores it (defaults applied) is what the controller hashes: read it
        // back from a dry run.
        let mut dry = Request::new(Verb::Create, Kind::DaemonSet).namespace("default").body(ds.clone());
        dry.options.dry_run = true;
        let Ok(Object::DaemonSet(stored)) = c.handle("kubectl", dry).object() else { panic!("dry run") };
        let stored_template = serde_json::to_vec(&stored.spec.unwrap().template).unwrap();
        let first = super::compute_hash(&stored_template, None);
        let squatter = json!({"apiVersion": "apps/v1", "kind": "ControllerRevision",
            "metadata": {"name": format!("agent-{first}"), "labels": {"app": "other"}},
            "data": {"spec": {"template": {"$patch": "replace"}}}, "revision": 1});
        c.handle("kubectl", Request::new(Verb::Create, Kind::ControllerRevision).namespace("default").body(squatter))
            .result
            .unwrap();
        c.handle("kubectl", Request::new(Verb::Create, Kind::DaemonSet).namespace("default").body(ds)).result.unwrap();
        c.step(5_000);
        let Ok(Object::DaemonSet(ds)) = c.get(Kind::DaemonSet, "default", "agent").cloned() else { panic!() };
        assert_eq!(ds.status.unwrap().collision_count, Some(1));
        let second = super::compute_hash(&stored_template, Some(1));
        assert_ne!(first, second);
        assert!(c.get(Kind::ControllerRevision, "default", &format!("agent-{second}")).is_ok());
        for o in c.store().list(Kind::Pod, Some("default")) {
            let labels = o.metadata().labels.clone().unwrap_or_default();
            assert_eq!(labels.get("controller-revision-hash"), Some(&second));
        }
    }
}

#[cfg(test)]
mod properties {
    use crate::apiserver::{PatchType, Request, RequestOptions, Verb};
    use crate::object::{Kind, Object};
    use crate::rng::Rng;
    use crate::topology::NodeRole;
    use crate::Cluster;
    use serde_json::json;

    fn pods_per_node(c: &Cluster) -> std::collections::BTreeMap<String, usize> {
        let mut count = std::collections::BTreeMap::new();
        for o in c.store().list(Kind::Pod, Some("default")) {
            if let Object::Pod(p) = o {
                if let Some(n) = super::target_node(p) {
                    *count.entry(n).or_insert(0) += 1;
                }
            }
        }
        count
    }

    #[test]
    fn never_two_daemon_pods_on_one_node() {
        for seed in 0..6u64 {
            let mut c = Cluster::new(seed);
            let ds = json!({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent"},
                "spec": {"selector": {"matchLabels": {"app": "agent"}}, "template": {
                    "metadata": {"labels": {"app": "agent"}},
                    "spec": {"nodeSelector": {"pool": "a"},
                        "containers": [{"name": "a", "image": "nginx:1.27"}]}}}});
            c.handle("kubectl", Request::new(Verb::Create, Kind::DaemonSet).namespace("default").body(ds))
                .result
                .unwrap();
            let mut rng = Rng::new(seed ^ 0xd5);
            let mut tag = 0;
            for _ in 0..40 {
                let nodes: Vec<String> = c.nodes().filter_map(|n| n.metadata.name.clone()).collect();
                let node = nodes[rng.below(nodes.len() as u64) as usize].clone();
                let patch = |c: &mut Cluster, kind: Kind, ns: &str, name: &str, body: serde_json::Value| {
                    let opts = RequestOptions { patch_type: Some(PatchType::Merge), ..Default::default() };
                    let req = Request::new(Verb::Patch, kind).namespace(ns).name(name).body(body).options(opts);
                    let _ = c.handle("kubectl", req);
                    // As after every command of a session: the controllers react before anything else happens.
                    c.settle();
                };
                match rng.below(7) {
                    0 => {
                        let _ = c.add_node(NodeRole::Worker);
                    }
                    1 if node.starts_with("worker-") && nodes.len() > 3 => {
                        let _ = c.delete_node(&node);
                    }
                    2 => patch(&mut c, Kind::Node, "", &node, json!({"metadata": {"labels": {"pool": "a"}}})),
                    3 => patch(&mut c, Kind::Node, "", &node, json!({"metadata": {"labels": {"pool": null}}})),
                    4 => patch(&mut c, Kind::Node, "", &node, json!({"spec": {"unschedulable": rng.below(2) == 0}})),
                    5 => {
                        tag = (tag + 1) % 3;
                        let image = ["nginx:1.27", "nginx:1.26", "nginx:1.25"][tag];
                        let spec =
                            json!({"spec": {"template": {"spec": {"containers": [{"name": "a", "image": image}]}}}});
                        patch(&mut c, Kind::DaemonSet, "default", "agent", spec);
                    }
                    _ => c.step(rng.below(40_000)),
                }
                for (node, n) in pods_per_node(&c) {
                    assert!(n <= 1, "seed {seed}: {n} daemon pods on {node}");
                }
            }
            // Left alone, it converges: one pod on each labelled node, none elsewhere.
            c.step(120_000);
            let labelled: Vec<String> = c
                .nodes()
                .filter(|n| n.metadata.labels.as_ref().is_some_and(|l| l.get("pool").is_some_and(|v| v == "a")))
                .filter(|n| {
                    n.spec
                        .as_ref()
                        .and_then(|s| s.taints.as_ref())
                        .is_none_or(|t| t.iter().all(|t| t.key != crate::topology::CONTROL_PLANE_LABEL))
                })
                .filter_map(|n| n.metadata.name.clone())
                .collect();
            let placed: Vec<String> = pods_per_node(&c).into_keys().collect();
            assert_eq!(placed, labelled, "seed {seed}");
        }
    }
}
