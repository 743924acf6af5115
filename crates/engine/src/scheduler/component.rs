//! The kube-scheduler as a component of the cluster: its queue, its informer (the store's change history),
//! binding, the pod's `PodScheduled` condition and the `Scheduled` / `FailedScheduling` events.
//!
//! Queue semantics (`internal/queue/scheduling_queue.go`, v1.34 defaults):
//! - New pods (empty `nodeName`, `schedulerName: default-scheduler`, no scheduling gates, not being deleted)
//!   go to the active queue, ordered by priority, then by when they were queued.
//! - A pod no node takes waits among the unschedulable pods until a cluster event that may help the plugins
//!   that rejected it (a node added or its labels/taints/allocatable changed, an assigned pod deleted or
//!   finished, an assigned pod added for the affinity/spread plugins, the pod itself updated), or until it
//!   has waited 5 minutes (`podMaxInUnschedulablePodsDuration`, checked every 30 s).
//! - Requeued pods wait out their backoff (1 s doubling per attempt, at most 10 s) unless the active queue is
//!   empty: with `SchedulerPopFromBackoffQ` (beta, on since v1.33) an idle scheduler takes them at once.
//! - Every attempt that fails records one FailedScheduling event; repeats of the same message fold into the
//!   event's series, as the events.k8s.io recorder does.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use k8s_openapi::api::core::v1::{Event, EventSeries, ObjectReference, Pod, PodCondition};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};

use super::{schedule, Cursor, Decision, PodToSchedule, Profile, Snapshot};
use crate::apiserver::selectors::{LabelSelector, Requirement};
use crate::clock::{api_time, Millis, EPOCH_UNIX_SECONDS};
use crate::cluster::Cluster;
use crate::error::ApiError;
use crate::event_log::Change;
use crate::object::{Kind, Object};
use crate::store::{ObjectKey, WatchEventType};
use crate::util::sort::StableSort;

pub const SCHEDULER_NAME: &str = "default-scheduler";
/// `podInitialBackoffDuration`.
pub const INITIAL_BACKOFF_MS: Millis = 1_000;
/// `podMaxBackoffDuration`.
pub const MAX_BACKOFF_MS: Millis = 10_000;
/// `podMaxInUnschedulablePodsDuration`.
pub const MAX_UNSCHEDULABLE_MS: Millis = 300_000;
/// How often `flushUnschedulablePodsLeftover` runs.
pub const FLUSH_PERIOD_MS: Millis = 30_000;
/// How many decisions the cluster keeps for the UI.
pub const MAX_DECISIONS: usize = 1024;
/// The scheduler instance that reports events: `<schedulerName>-<hostname>` of the one holding the leader
/// lease (the first control-plane node's until a failover).
fn reporting_instance(leader: Option<String>) -> String {
    format!("{SCHEDULER_NAME}-{}", leader.as_deref().unwrap_or("control-plane-1"))
}

/// Plugins a cluster event can help.
const NODE_PLUGINS: &[&str] = &[
    "NodeUnschedulable",
    "NodeName",
    "TaintToleration",
    "NodeAffinity",
    "NodePorts",
    "NodeResourcesFit",
    "VolumeBinding",
    "PodTopologySpread",
    "InterPodAffinity",
];
const POD_DELETE_PLUGINS: &[&str] =
    &["NodeResourcesFit", "NodePorts", "InterPodAffinity", "PodTopologySpread", "VolumeRestrictions"];
const POD_ADD_PLUGINS: &[&str] = &["InterPodAffinity", "PodTopologySpread"];

/// A queued pod's sort key: (0 active / 1 backoff, -priority, queued at, resourceVersion, key).
type QueueEntry = (u8, i64, Millis, u64, (String, String));

/// A pod that failed to schedule and waits.
#[derive(Clone, Debug)]
struct Waiting {
    uid: String,
    attempts: u32,
    last_attempt: Millis,
    /// The plugins that rejected it (`UnschedulablePlugins`).
    plugins: BTreeSet<String>,
    /// The resourceVersion of our own last write to the pod, so that it does not count as an update.
    own_rv: String,
    /// Moved back to the queue by a cluster event or the 5-minute flush.
    moved: bool,
}

/// The scheduler's state across settles.
#[derive(Clone, Debug, Default)]
pub struct SchedulerState {
    cursor: Cursor,
    watched_rv: u64,
    node_signatures: BTreeMap<String, u64>,
    waiting: BTreeMap<(String, String), Waiting>,
    decisions: BTreeMap<(String, String), Decision>,
    decision_order: VecDeque<(String, String)>,
    /// The pods that want scheduling (`wants_scheduling`), kept from the watched changes instead of listing
    /// every pod on each pass; `None` until the first pass or after the history was compacted (a relist).
    pending: Option<BTreeSet<(String, String)>>,
}

impl SchedulerState {
    fn remember(&mut self, key: (String, String), decision: Decision) {
        if self.decisions.insert(key.clone(), decision).is_none() {
            self.decision_order.push_back(key);
            while self.decision_order.len() > MAX_DECISIONS {
                if let Some(old) = self.decision_order.pop_front() {
                    self.decisions.remove(&old);
                }
            }
        }
    }

    fn requeue(&mut self, plugins: &[&str]) {
        for w in self.waiting.values_mut() {
            if w.plugins.iter().any(|p| plugins.contains(&p.as_str())) {
                w.moved = true;
            }
        }
    }
}

/// `backoff = 1s * 2^(attempts-1)`, capped at 10 s.
pub fn backoff_ms(attempts: u32) -> Millis {
    let shift = attempts.saturating_sub(1).min(20);
    (INITIAL_BACKOFF_MS << shift).min(MAX_BACKOFF_MS)
}

/// The first 30-second flush tick at which a pod that last failed at `last_attempt` has waited longer than
/// 5 minutes.
pub fn flush_at(last_attempt: Millis) -> Millis {
    ((last_attempt + MAX_UNSCHEDULABLE_MS) / FLUSH_PERIOD_MS + 1) * FLUSH_PERIOD_MS
}

fn node_signature(obj: &Object) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    if let Object::Node(n) = obj {
        n.metadata.labels.hash(&mut h);
        let spec = n.spec.as_ref();
        spec.and_then(|s| s.unschedulable).hash(&mut h);
        for t in spec.and_then(|s| s.taints.as_ref()).into_iter().flatten() {
            (&t.key, &t.value, &t.effect).hash(&mut h);
        }
        for (k, v) in n.status.as_ref().and_then(|s| s.allocatable.as_ref()).into_iter().flatten() {
            (k, &v.0).hash(&mut h);
        }
    }
    h.finish()
}

fn pod_of(obj: &Object) -> Option<&Pod> {
    match obj {
        Object::Pod(p) => Some(p),
        _ => None,
    }
}

fn node_name(pod: &Pod) -> &str {
    pod.spec.as_ref().and_then(|s| s.node_name.as_deref()).unwrap_or_default()
}

fn is_terminal(pod: &Pod) -> bool {
    matches!(pod.status.as_ref().and_then(|s| s.phase.as_deref()), Some("Succeeded" | "Failed"))
}

/// Whether the default scheduler is responsible for placing this pod now.
pub fn wants_scheduling(pod: &Pod) -> bool {
    let spec = pod.spec.as_ref();
    node_name(pod).is_empty()
        && spec.and_then(|s| s.scheduler_name.as_deref()).unwrap_or(SCHEDULER_NAME) == SCHEDULER_NAME
        && spec.and_then(|s| s.scheduling_gates.as_ref()).is_none_or(Vec::is_empty)
        && pod.metadata.deletion_timestamp.is_none()
        && !is_terminal(pod)
}

fn pod_key(pod: &Pod) -> (String, String) {
    (pod.metadata.namespace.clone().unwrap_or_default(), pod.metadata.name.clone().unwrap_or_default())
}

impl Cluster {
    /// The last scheduling decision about a pod (kept for the most recent [`MAX_DECISIONS`] pods).
    pub fn scheduling_decision(&self, namespace: &str, name: &str) -> Option<&Decision> {
        self.scheduler.decisions.get(&(namespace.to_string(), name.to_string()))
    }

    /// When the scheduler next has something to do on its own: a waiting pod's 5-minute flush.
    pub(crate) fn scheduler_wakeup(&self) -> Option<Millis> {
        self.scheduler.waiting.values().filter(|w| !w.moved).map(|w| flush_at(w.last_attempt)).min()
    }

    /// Reads what changed since the last pass and moves waiting pods back to the queue.
    fn scheduler_watch(&mut self) {
        let state = &mut self.scheduler;
        let changes: Option<Vec<(WatchEventType, Arc<Object>)>> =
            self.store.changes_since(state.watched_rv).map(|it| {
                it.filter(|c| {
                    matches!(
                        c.object.kind(),
                        Kind::Node
                            | Kind::Pod
                            | Kind::PersistentVolumeClaim
                            | Kind::PersistentVolume
                            | Kind::StorageClass
                    )
                })
                .map(|c| (c.kind, c.object.clone()))
                .collect()
            });
        state.watched_rv = self.store.resource_version();
        let Some(changes) = changes else {
            // The history was compacted: like a relist, everything may have changed.
            state.waiting.values_mut().for_each(|w| w.moved = true);
            state.pending = None;
            return;
        };
        if let Some(pending) = &mut state.pending {
            for (kind, obj) in &changes {
                let Some(pod) = pod_of(obj) else { continue };
                let key = pod_key(pod);
                if *kind != WatchEventType::Deleted && wants_scheduling(pod) {
                    pending.insert(key);
                } else {
                    pending.remove(&key);
                }
            }
        }
        for (kind, obj) in changes {
            if obj.kind() == Kind::Node {
                let name = obj.name().to_string();
                if kind == WatchEventType::Deleted {
                    state.node_signatures.remove(&name);
                    state.requeue(&["PodTopologySpread"]);
                    continue;
                }
                let sig = node_signature(&obj);
                if state.node_signatures.insert(name, sig) != Some(sig) {
                    state.requeue(NODE_PLUGINS);
                }
                continue;
            }
            if matches!(obj.kind(), Kind::PersistentVolumeClaim | Kind::PersistentVolume | Kind::StorageClass) {
                // VolumeBinding's events (its queueing hints are not modelled: any storage change may help).
                state.requeue(&["VolumeBinding", "VolumeRestrictions"]);
                continue;
            }
            let Some(pod) = pod_of(&obj) else { continue };
            let key = pod_key(pod);
            if node_name(pod).is_empty() {
                match kind {
                    WatchEventType::Deleted => {
                        state.waiting.remove(&key);
                    }
                    _ => {
                        if let Some(w) = state.waiting.get_mut(&key) {
                            if pod.metadata.resource_version.as_deref() != Some(w.own_rv.as_str()) {
                                w.moved = true;
                            }
                        }
                    }
                }
            } else if kind == WatchEventType::Deleted || is_terminal(pod) {
                state.requeue(POD_DELETE_PLUGINS);
            } else {
                state.waiting.remove(&key);
                state.requeue(POD_ADD_PLUGINS);
            }
        }
    }

    /// Schedules every pod that is due, in queue order. Called from `settle`.
    pub(crate) fn reconcile_scheduling(&mut self) {
        self.scheduler_watch();
        let now = self.clock.now();
        for w in self.scheduler.waiting.values_mut() {
            if !w.moved && now >= flush_at(w.last_attempt) {
                w.moved = true;
            }
        }
        if self.scheduler.pending.is_none() {
            let pending = self.store.list(Kind::Pod, None).filter_map(pod_of).filter(|p| wants_scheduling(p));
            self.scheduler.pending = Some(pending.map(pod_key).collect());
        }
        let mut queue: Vec<QueueEntry> = Vec::new();
        for key in self.scheduler.pending.iter().flatten() {
            let obj = self.store.get(&ObjectKey::new(Kind::Pod, &key.0, &key.1));
            let Some(pod) = obj.and_then(pod_of).filter(|p| wants_scheduling(p)) else { continue };
            let key = pod_key(pod);
            let uid = pod.metadata.uid.clone().unwrap_or_default();
            let priority = i64::from(pod.spec.as_ref().and_then(|s| s.priority).unwrap_or(0));
            let rv = pod.metadata.resource_version.as_deref().and_then(|r| r.parse().ok()).unwrap_or(0);
            let (group, queued_at) = match self.scheduler.waiting.get(&key).filter(|w| w.uid == uid) {
                Some(w) if !w.moved => continue,
                Some(w) => (u8::from(now < w.last_attempt + backoff_ms(w.attempts)), w.last_attempt),
                None => {
                    let created = pod.metadata.creation_timestamp.as_ref().map(crate::clock::sim_millis).unwrap_or(0);
                    (0, created)
                }
            };
            queue.push((group, -priority, queued_at, rv, key));
        }
        if queue.is_empty() {
            return;
        }
        // Active pods first; once the active queue is empty, backoff pods are taken at once
        // (SchedulerPopFromBackoffQ).
        queue.stable_sort();
        let mut snapshot = self.scheduling_snapshot();
        for (_, _, _, _, key) in queue {
            let Some(obj) = self.store.get_shared(&ObjectKey::new(Kind::Pod, &key.0, &key.1)) else { continue };
            let Object::Pod(pod) = obj.as_ref() else { continue };
            let selector = self.default_spread_selector(pod);
            let input = PodToSchedule { pod, default_spread_selector: selector.as_ref() };
            let volumes = crate::controllers::volumes::StoreVolumeBinding { store: &self.store };
            let profile = Profile { percentage_of_nodes_to_score: 0, volume_binding: &volumes };
            let decision = schedule(&snapshot, &input, &profile, &mut self.scheduler.cursor, &mut self.rng);
            match decision.node.clone() {
                // VolumeBinding's PreBind: the pod is bound once its delayed claims are (a later round).
                Some(node) if !self.prebind_volumes(pod, &node) => {}
                Some(node) => {
                    if self.bind_pod(&key.0, &key.1, &node).is_ok() {
                        if let Some(i) = snapshot.node_index(&node) {
                            snapshot.assume(i, pod);
                        }
                        self.scheduler.waiting.remove(&key);
                    }
                }
                None => self.record_scheduling_failure(pod, &decision),
            }
            self.scheduler.remember(key, decision);
        }
    }

    /// The snapshot of nodes (in store order) and bound pods.
    fn scheduling_snapshot(&self) -> Snapshot {
        let nodes: Vec<Arc<k8s_openapi::api::core::v1::Node>> =
            self.store.list(Kind::Node, None).filter_map(Object::as_node).map(|n| Arc::new(n.clone())).collect();
        let pods = self.store.list(Kind::Pod, None).filter_map(pod_of);
        let mut snapshot = Snapshot::new(nodes, pods);
        snapshot.namespace_labels = self
            .store
            .list(Kind::Namespace, None)
            .map(|ns| (ns.name().to_string(), ns.metadata().labels.clone().unwrap_or_default()))
            .collect();
        snapshot
    }

    /// `helper.DefaultSelector`: the selectors of the Services selecting the pod, and of its controlling
    /// ReplicaSet or StatefulSet.
    fn default_spread_selector(&self, pod: &Pod) -> Option<LabelSelector> {
        let ns = pod.metadata.namespace.as_deref().unwrap_or_default();
        let labels = pod.metadata.labels.clone().unwrap_or_default();
        let mut set: BTreeMap<String, String> = BTreeMap::new();
        for obj in self.store.list(Kind::Service, Some(ns)) {
            let Object::Service(svc) = obj else { continue };
            let Some(sel) = svc.spec.as_ref().and_then(|s| s.selector.as_ref()) else { continue };
            if sel.iter().all(|(k, v)| labels.get(k) == Some(v)) {
                set.extend(sel.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
        }
        let mut selector =
            LabelSelector { requirements: set.into_iter().map(|(k, v)| Requirement::Equals(k, v)).collect() };
        let owner = pod.metadata.owner_references.iter().flatten().find(|o| o.controller == Some(true));
        if let Some(owner) = owner {
            let kind = match (owner.api_version.as_str(), owner.kind.as_str()) {
                ("apps/v1", "ReplicaSet") => Some(Kind::ReplicaSet),
                ("apps/v1", "StatefulSet") => Some(Kind::StatefulSet),
                _ => None,
            };
            let sel = kind.and_then(|k| self.store.get(&ObjectKey::new(k, ns, &owner.name))).and_then(|o| match o {
                Object::ReplicaSet(rs) => rs.spec.as_ref().map(|s| s.selector.clone()),
                Object::StatefulSet(ss) => ss.spec.as_ref().map(|s| s.selector.clone()),
                _ => None,
            });
            if let Some(sel) = sel {
                selector.requirements.extend(LabelSelector::from_api(&sel).requirements);
            }
        }
        (!selector.requirements.is_empty()).then_some(selector)
    }

    /// The `pods/binding` subresource (`BindingREST.setPodNodeAndMetadata`): sets `spec.nodeName` and the
    /// `PodScheduled=True` condition in one write, refusing pods being deleted, already bound or gated.
    pub fn bind_pod(&mut self, namespace: &str, name: &str, node: &str) -> Result<(), ApiError> {
        let key = ObjectKey::new(Kind::Pod, namespace, name);
        let Some(Object::Pod(mut pod)) = self.store.get(&key).cloned() else {
            return Err(ApiError::not_found(Kind::Pod, name));
        };
        if pod.metadata.deletion_timestamp.is_some() {
            return Err(binding_conflict(name, format!("pod {name} is being deleted, cannot be assigned to a host")));
        }
        let current = node_name(&pod).to_string();
        if !current.is_empty() {
            return Err(binding_conflict(name, format!("pod {name} is already assigned to node \"{current}\"")));
        }
        if pod.spec.as_ref().and_then(|s| s.scheduling_gates.as_ref()).is_some_and(|g| !g.is_empty()) {
            return Err(binding_conflict(name, format!("pod {name} has non-empty .spec.schedulingGates")));
        }
        let now = self.clock.now();
        pod.spec.get_or_insert_with(Default::default).node_name = Some(node.to_string());
        set_condition(
            &mut pod,
            PodCondition { type_: "PodScheduled".into(), status: "True".into(), ..Default::default() },
            now,
        );
        let message = format!("Successfully assigned {namespace}/{name} to {node}");
        let stored = self.store.replace(Object::from(*pod)).clone();
        self.record(SCHEDULER_NAME, Change::Updated, &key, &message);
        self.emit_scheduler_event(&stored, "Normal", "Scheduled", "Binding", &message);
        Ok(())
    }

    fn record_scheduling_failure(&mut self, pod: &Pod, decision: &Decision) {
        let key = pod_key(pod);
        let now = self.clock.now();
        let mut updated = pod.clone();
        let cond = PodCondition {
            type_: "PodScheduled".into(),
            status: "False".into(),
            reason: Some("Unschedulable".into()),
            message: Some(decision.message.clone()),
            ..Default::default()
        };
        let changed = set_condition(&mut updated, cond, now);
        let okey = ObjectKey::new(Kind::Pod, &key.0, &key.1);
        let stored = if changed {
            let stored = self.store.replace(Object::from(updated)).clone();
            self.record(SCHEDULER_NAME, Change::Updated, &okey, &format!("FailedScheduling: {}", decision.message));
            stored
        } else {
            Object::from(pod.clone())
        };
        self.emit_scheduler_event(&stored, "Warning", "FailedScheduling", "Scheduling", &decision.message);
        let plugins: BTreeSet<String> =
            decision.per_node.iter().filter_map(|v| v.filter_failed.as_ref().map(|(p, _)| p.clone())).collect();
        let previous = self.scheduler.waiting.get(&key).filter(|w| Some(&w.uid) == pod.metadata.uid.as_ref());
        let attempts = previous.map(|w| w.attempts).unwrap_or(0) + 1;
        // With no node at all or a PreFilter failure, any node event may help.
        let plugins = match (&decision.pre_filter_plugin, plugins.is_empty()) {
            // A VolumeBinding PreFilter rejection waits for a storage event.
            (Some(p), _) if p == "VolumeBinding" => [p.clone()].into(),
            (_, true) => NODE_PLUGINS.iter().map(|p| p.to_string()).collect(),
            _ => plugins,
        };
        let waiting = Waiting {
            uid: pod.metadata.uid.clone().unwrap_or_default(),
            attempts,
            last_attempt: now,
            plugins,
            own_rv: stored.metadata().resource_version.clone().unwrap_or_default(),
            moved: false,
        };
        self.scheduler.waiting.insert(key, waiting);
    }

    /// Records an event as the scheduler's events.k8s.io recorder does: `eventTime`, `action`,
    /// `reportingController`/`reportingInstance` and no `source`; a repeat of the same event becomes a
    /// series (`count` from 2, `lastObservedTime`).
    fn emit_scheduler_event(&mut self, about: &Object, type_: &str, reason: &str, action: &str, message: &str) {
        let now = self.clock.now();
        let ns = about.namespace().to_string();
        let uid = about.metadata().uid.clone().unwrap_or_default();
        // Folding into a series looks the Event up in the recorder's index instead of scanning them all.
        let index_key = (ns.clone(), uid.clone(), reason.to_string(), message.to_string(), SCHEDULER_NAME.to_string());
        let existing = self.event_index.get(&index_key).and_then(|name| {
            match self.store.get(&ObjectKey::new(Kind::Event, &ns, name)) {
                Some(Object::Event(e)) => Some(e.clone()),
                _ => None,
            }
        });
        if let Some(mut event) = existing {
            let count = event.series.as_ref().and_then(|s| s.count).unwrap_or(1) + 1;
            event.series =
                Some(EventSeries { count: Some(count), last_observed_time: Some(MicroTime(api_time(now).0)) });
            let key = ObjectKey::new(Kind::Event, &ns, event.metadata.name.as_deref().unwrap_or_default());
            self.store.replace(Object::from(*event));
            self.record(SCHEDULER_NAME, Change::Updated, &key, reason);
            return;
        }
        let nanos =
            (EPOCH_UNIX_SECONDS as u128) * 1_000_000_000 + now as u128 * 1_000_000 + self.log.entries().len() as u128;
        let name = format!("{}.{nanos:x}", about.name());
        let event = Event {
            metadata: ObjectMeta { name: Some(name.clone()), namespace: Some(ns), ..Default::default() },
            involved_object: ObjectReference {
                api_version: Some("v1".into()),
                kind: Some("Pod".into()),
                name: Some(about.name().to_string()),
                namespace: Some(about.namespace().to_string()),
                uid: Some(uid),
                resource_version: about.metadata().resource_version.clone(),
                field_path: None,
            },
            reason: Some(reason.to_string()),
            message: Some(message.to_string()),
            type_: Some(type_.to_string()),
            action: Some(action.to_string()),
            event_time: Some(MicroTime(api_time(now).0)),
            reporting_component: Some(SCHEDULER_NAME.into()),
            reporting_instance: Some(reporting_instance(
                self.leader(crate::controllers::leader_election::Component::Scheduler),
            )),
            ..Default::default()
        };
        if self.create(SCHEDULER_NAME, Object::from(event), reason).is_ok() {
            self.event_index.insert(index_key, name);
        }
    }
}

/// `podutil.UpdatePodCondition`: replaces or appends the condition, keeping `lastTransitionTime` when the
/// status did not change. Returns whether anything changed.
fn set_condition(pod: &mut Pod, mut cond: PodCondition, now: Millis) -> bool {
    let conditions = pod.status.get_or_insert_with(Default::default).conditions.get_or_insert_with(Vec::new);
    match conditions.iter_mut().find(|c| c.type_ == cond.type_) {
        Some(old) => {
            cond.last_transition_time =
                if old.status == cond.status { old.last_transition_time.clone() } else { Some(api_time(now)) };
            if *old == cond {
                return false;
            }
            *old = cond;
        }
        None => {
            cond.last_transition_time = Some(api_time(now));
            conditions.push(cond);
        }
    }
    true
}

/// The 409 the binding subresource answers with.
fn binding_conflict(name: &str, detail: String) -> ApiError {
    ApiError::new(409, "Conflict", format!("Operation cannot be fulfilled on pods/binding \"{name}\": {detail}"))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::apiserver::{Request, Verb};

    fn create_pod(c: &mut Cluster, body: serde_json::Value) {
        let req = Request::new(Verb::Create, Kind::Pod).namespace("default").body(body);
        c.handle("kubectl", req).object().expect("pod created");
        c.settle();
    }

    fn nginx(name: &str, spec: serde_json::Value) -> serde_json::Value {
        let mut body = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}});
        if let (Some(s), Some(extra)) = (body["spec"].as_object_mut(), spec.as_object()) {
            s.extend(extra.clone());
        }
        body
    }

    fn pod(c: &Cluster, name: &str) -> Pod {
        match c.get(Kind::Pod, "default", name).unwrap() {
            Object::Pod(p) => (**p).clone(),
            _ => unreachable!(),
        }
    }

    fn events(c: &Cluster, name: &str) -> Vec<Event> {
        c.store()
            .list(Kind::Event, Some("default"))
            .filter_map(|o| match o {
                Object::Event(e) if e.involved_object.name.as_deref() == Some(name) => Some((**e).clone()),
                _ => None,
            })
            .collect()
    }

    fn condition(p: &Pod) -> PodCondition {
        p.status.as_ref().unwrap().conditions.iter().flatten().find(|c| c.type_ == "PodScheduled").unwrap().clone()
    }

    const NOWHERE: &str = "0/5 nodes are available: 2 node(s) didn't match Pod's node affinity/selector, 3 node(s) had \
        untolerated taint {node-role.kubernetes.io/control-plane: }. no new claims to deallocate, preemption: 0/5 nodes \
        are available: 5 Preemption is not helpful for scheduling.";

    #[test]
    fn a_pod_is_bound_to_a_worker_with_its_event_and_condition() {
        let mut c = Cluster::new(0);
        create_pod(&mut c, nginx("nginx", json!({})));
        let p = pod(&c, "nginx");
        let node = node_name(&p).to_string();
        assert!(node.starts_with("worker-"), "{node}");
        let cond = condition(&p);
        assert_eq!((cond.status.as_str(), cond.reason.as_deref()), ("True", None));
        let ev = events(&c, "nginx");
        assert_eq!(ev.len(), 1);
        assert_eq!(ev[0].reason.as_deref(), Some("Scheduled"));
        assert_eq!(ev[0].message.as_deref(), Some(format!("Successfully assigned default/nginx to {node}").as_str()));
        assert_eq!(ev[0].reporting_component.as_deref(), Some("default-scheduler"));
        assert_eq!(ev[0].action.as_deref(), Some("Binding"));
        let d = c.scheduling_decision("default", "nginx").unwrap();
        assert_eq!(d.node.as_deref(), Some(node.as_str()));
        assert_eq!(d.per_node.len(), 5);
        let entry =
            c.log().entries().iter().rev().find(|e| e.name == "nginx" && e.actor == "default-scheduler").unwrap();
        assert_eq!(entry.reason, format!("Successfully assigned default/nginx to {node}"));
        // Binding twice is refused as the apiserver refuses it.
        let err = c.bind_pod("default", "nginx", "worker-1").unwrap_err();
        assert!(err.message.contains("is already assigned to node"), "{}", err.message);
    }

    #[test]
    fn pods_spread_over_both_workers() {
        let mut c = Cluster::new(3);
        for i in 0..4 {
            create_pod(&mut c, nginx(&format!("web-{i}"), json!({})));
        }
        let nodes: BTreeSet<String> = (0..4).map(|i| node_name(&pod(&c, &format!("web-{i}"))).to_string()).collect();
        assert_eq!(nodes.into_iter().collect::<Vec<_>>(), ["worker-1", "worker-2"]);
    }

    #[test]
    fn an_unschedulable_pod_gets_one_event_per_attempt_and_is_retried_when_a_node_helps() {
        let mut c = Cluster::new(0);
        create_pod(&mut c, nginx("picky", json!({"nodeSelector": {"disktype": "ssd"}})));
        let p = pod(&c, "picky");
        assert_eq!(node_name(&p), "");
        let cond = condition(&p);
        assert_eq!(
            (cond.status.as_str(), cond.reason.as_deref(), cond.message.as_deref()),
            ("False", Some("Unschedulable"), Some(NOWHERE))
        );
        let ev = events(&c, "picky");
        assert_eq!(ev.len(), 1);
        assert_eq!((ev[0].type_.as_deref(), ev[0].reason.as_deref()), (Some("Warning"), Some("FailedScheduling")));
        assert_eq!(ev[0].message.as_deref(), Some(NOWHERE));
        // Settling again (another command) does not try again.
        c.settle();
        c.step(60_000);
        assert!(events(&c, "picky")[0].series.is_none());
        // A label change on a worker is a node update: the pod is retried and lands there.
        let mut n = match c.get(Kind::Node, "", "worker-2").unwrap() {
            Object::Node(n) => (**n).clone(),
            _ => unreachable!(),
        };
        n.metadata.labels.get_or_insert_with(Default::default).insert("disktype".into(), "ssd".into());
        let req = Request::new(Verb::Update, Kind::Node).name("worker-2").body(serde_json::to_value(&n).unwrap());
        c.handle("kubectl", req).object().unwrap();
        c.settle();
        let p = pod(&c, "picky");
        assert_eq!(node_name(&p), "worker-2");
        assert_eq!(condition(&p).status, "True");
        let reasons: Vec<_> = events(&c, "picky").iter().map(|e| e.reason.clone().unwrap()).collect();
        assert_eq!(reasons, ["FailedScheduling", "Scheduled"]);
    }

    #[test]
    fn a_waiting_pod_is_retried_after_five_minutes() {
        let mut c = Cluster::new(0);
        create_pod(&mut c, nginx("picky", json!({"nodeSelector": {"disktype": "ssd"}})));
        assert_eq!(c.scheduler_wakeup(), Some(330_000));
        c.step(329_000);
        assert!(events(&c, "picky")[0].series.is_none());
        c.step(1_000);
        let ev = &events(&c, "picky")[0];
        assert_eq!(ev.series.as_ref().and_then(|s| s.count), Some(2));
        // The condition did not change, so its transition time stays at the first failure.
        assert_eq!(condition(&pod(&c, "picky")).last_transition_time, Some(api_time(0)));
        assert_eq!(c.scheduler.waiting.values().next().unwrap().attempts, 2);
    }

    #[test]
    fn deleting_a_pod_frees_room_for_a_waiting_one() {
        let mut c = Cluster::new(0);
        let big = |name: &str| {
            nginx(
                name,
                json!({"containers": [{"name": "c", "image": "nginx", "resources": {"requests": {"cpu": "1500m"}}}]}),
            )
        };
        create_pod(&mut c, big("a"));
        create_pod(&mut c, big("b"));
        create_pod(&mut c, big("c"));
        assert_eq!(node_name(&pod(&c, "c")), "");
        let msg = condition(&pod(&c, "c")).message.unwrap();
        assert_eq!(
            msg,
            "0/5 nodes are available: 2 Insufficient cpu, 3 node(s) had untolerated taint \
             {node-role.kubernetes.io/control-plane: }. no new claims to deallocate, preemption: 0/5 nodes are \
             available: 2 No preemption victims found for incoming pod, 3 Preemption is not helpful for scheduling."
        );
        let freed = node_name(&pod(&c, "a")).to_string();
        let req = Request::new(Verb::Delete, Kind::Pod).namespace("default").name("a");
        c.handle("kubectl", req).object().unwrap();
        c.settle();
        assert_eq!(node_name(&pod(&c, "c")), freed);
    }

    #[test]
    fn gated_pods_and_other_schedulers_are_left_alone() {
        let mut c = Cluster::new(0);
        create_pod(&mut c, nginx("gated", json!({"schedulingGates": [{"name": "example.com/wait"}]})));
        create_pod(&mut c, nginx("other", json!({"schedulerName": "my-scheduler"})));
        assert_eq!(node_name(&pod(&c, "gated")), "");
        assert_eq!(node_name(&pod(&c, "other")), "");
        assert!(events(&c, "gated").is_empty() && events(&c, "other").is_empty());
    }

    #[test]
    fn backoff_doubles_to_ten_seconds() {
        assert_eq!([1, 2, 3, 4, 5, 9].map(backoff_ms), [1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
        assert_eq!(flush_at(0), 330_000);
        assert_eq!(flush_at(12_000), 330_000);
        assert_eq!(flush_at(30_000), 360_000);
    }
}
