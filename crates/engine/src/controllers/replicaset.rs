//! The ReplicaSet controller (`pkg/controller/replicaset`): keeps `spec.replicas` active pods matching the
//! selector. It adopts matching orphans and releases pods whose labels stop matching (ControllerRefManager),
//! creates pods from the template with `generateName: <rs>-`, deletes the pods ranked first by
//! `controller.ActivePodsWithRanks` when there are too many, and writes `status`. Terminating and finished pods
//! do not count (`FilterActivePods`).

use std::cmp::Ordering;
use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{ReplicaSet, ReplicaSetStatus};
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};

use crate::apiserver::selectors::LabelSelector;
use crate::apiserver::{Request, Verb};
use crate::clock::{sim_millis, Millis};
use crate::cluster::Cluster;
use crate::event_log::Change;
use crate::object::{Kind, Object};
use crate::recorder::Reporter;
use crate::store::ObjectKey;
use crate::util::sort::StableSort;

pub(crate) const RS_CONTROLLER: &str = "replicaset-controller";

/// `burstReplicas`: at most this many creations or deletions per sync.
const BURST_REPLICAS: usize = 500;

/// The workqueue's per-item back-off after a failed sync (`ItemExponentialFailureRateLimiter(5ms, 1000s)`).
pub fn failure_backoff_ms(failures: u32) -> Millis {
    5u64.saturating_mul(1u64 << failures.min(30)).min(1_000_000)
}

/// State the workload controllers keep between syncs (their workqueues' memory): failures per object uid.
#[derive(Clone, Debug, Default)]
pub struct WorkloadState {
    /// uid → (failures so far, instant of the next retry).
    pub(crate) retry: BTreeMap<String, (u32, Millis)>,
    /// The CronJob controller's work queue: uid → what its last sync read and when it is requeued.
    pub(crate) cron: BTreeMap<String, super::cronjob::CronMemo>,
    /// The resourceVersion at the start of the garbage collector's last pass, when that pass found nothing to
    /// do: until a change that could give it work, its next passes are skipped.
    pub(crate) gc_idle_since: Option<u64>,
}

/// The controller reference of an object: its owner reference with `controller: true`.
pub(crate) fn controller_ref(meta: &ObjectMeta) -> Option<&OwnerReference> {
    meta.owner_references.iter().flatten().find(|r| r.controller == Some(true))
}

/// `metav1.NewControllerRef`.
pub(crate) fn new_controller_ref(kind: &str, meta: &ObjectMeta) -> OwnerReference {
    OwnerReference {
        api_version: "apps/v1".into(),
        kind: kind.into(),
        name: meta.name.clone().unwrap_or_default(),
        uid: meta.uid.clone().unwrap_or_default(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }
}

pub(crate) fn phase(pod: &Pod) -> &str {
    pod.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or_default()
}

/// `controller.IsPodActive`: not finished and not being deleted.
pub(crate) fn is_active(pod: &Pod) -> bool {
    !matches!(phase(pod), "Succeeded" | "Failed") && pod.metadata.deletion_timestamp.is_none()
}

/// When the pod's `Ready` condition turned True, if it is ready (`podutil.IsPodReady`).
pub(crate) fn ready_since(pod: &Pod) -> Option<Millis> {
    let cond = pod.status.as_ref()?.conditions.as_ref()?.iter().find(|c| c.type_ == "Ready")?;
    (cond.status == "True").then(|| cond.last_transition_time.as_ref().map(sim_millis).unwrap_or(0))
}

/// `podutil.IsPodAvailable`: ready for more than `min_ready_seconds` (strictly, as `Before(now)`).
pub(crate) fn is_available(pod: &Pod, min_ready_seconds: i32, now: Millis) -> bool {
    match ready_since(pod) {
        None => false,
        Some(_) if min_ready_seconds <= 0 => true,
        Some(t) => t + min_ready_seconds as u64 * 1000 < now,
    }
}

/// The instant a ready pod becomes available, when it is not yet.
pub(crate) fn available_at(pod: &Pod, min_ready_seconds: i32, now: Millis) -> Option<Millis> {
    let t = ready_since(pod)?;
    let at = t + min_ready_seconds.max(0) as u64 * 1000 + 1;
    (min_ready_seconds > 0 && at > now).then_some(at)
}

fn max_restarts(pod: &Pod) -> i32 {
    pod.status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .into_iter()
        .flatten()
        .map(|c| c.restart_count)
        .max()
        .unwrap_or(0)
}

fn deletion_cost(pod: &Pod) -> i32 {
    pod.metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get("controller.kubernetes.io/pod-deletion-cost"))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn created(pod: &Pod) -> Millis {
    pod.metadata.creation_timestamp.as_ref().map(sim_millis).unwrap_or(0)
}

/// `logarithmicRankDiff`: ages compared on a log₂ scale of nanoseconds (LogarithmicScaleDown, on by default),
/// so pods of about the same age count as equally old.
fn log_rank(t: Millis, now: Millis) -> i64 {
    let d = now.saturating_sub(t) as f64 * 1e6;
    if d > 0.0 {
        d.log2() as i64
    } else {
        -1
    }
}

/// `controller.ActivePodsWithRanks.Less`: `Less` means "delete first". `rank` is the number of related active
/// pods on the same node.
///
/// In order: unassigned before assigned; Pending before Unknown before Running; not ready before ready;
/// lower pod-deletion-cost first; more related pods on the same node first; ready for less time first (log
/// scale); more container restarts first; newer first (log scale); then by uid.
pub(crate) fn delete_first(a: (&Pod, usize), b: (&Pod, usize), now: Millis) -> Ordering {
    let node = |p: &Pod| p.spec.as_ref().and_then(|s| s.node_name.clone()).unwrap_or_default();
    let (na, nb) = (node(a.0), node(b.0));
    if na != nb && (na.is_empty() || nb.is_empty()) {
        return if na.is_empty() { Ordering::Less } else { Ordering::Greater };
    }
    let ord = |p: &Pod| match phase(p) {
        "Pending" => 0,
        "Unknown" => 1,
        "Running" => 2,
        _ => 3,
    };
    if ord(a.0) != ord(b.0) {
        return ord(a.0).cmp(&ord(b.0));
    }
    let (ra, rb) = (ready_since(a.0), ready_since(b.0));
    if ra.is_some() != rb.is_some() {
        return if ra.is_none() { Ordering::Less } else { Ordering::Greater };
    }
    if deletion_cost(a.0) != deletion_cost(b.0) {
        return deletion_cost(a.0).cmp(&deletion_cost(b.0));
    }
    if a.1 != b.1 {
        return b.1.cmp(&a.1);
    }
    let uid = |p: &Pod| p.metadata.uid.clone().unwrap_or_default();
    if let (Some(ta), Some(tb)) = (ra, rb) {
        if ta != tb {
            let diff = log_rank(ta, now) - log_rank(tb, now);
            return if diff == 0 { uid(a.0).cmp(&uid(b.0)) } else { diff.cmp(&0) };
        }
    }
    if max_restarts(a.0) != max_restarts(b.0) {
        return max_restarts(b.0).cmp(&max_restarts(a.0));
    }
    let (ca, cb) = (created(a.0), created(b.0));
    if ca != cb {
        let diff = log_rank(ca, now) - log_rank(cb, now);
        return if diff == 0 { uid(a.0).cmp(&uid(b.0)) } else { diff.cmp(&0) };
    }
    Ordering::Equal
}

/// Why a pod was chosen for deletion, in a learner's words.
fn deletion_why(pod: &Pod) -> &'static str {
    if pod.spec.as_ref().and_then(|s| s.node_name.as_deref()).is_none() {
        "not yet scheduled"
    } else if phase(pod) != "Running" {
        "not running yet"
    } else if ready_since(pod).is_none() {
        "not ready"
    } else {
        "ranked first: the most doubled-up and most recently ready"
    }
}

pub(crate) fn labels_of(meta: &ObjectMeta) -> Option<&BTreeMap<String, String>> {
    meta.labels.as_ref()
}

pub(crate) fn selector_text(sel: &k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector) -> String {
    let mut parts: Vec<String> = sel.match_labels.iter().flatten().map(|(k, v)| format!("{k}={v}")).collect();
    for e in sel.match_expressions.iter().flatten() {
        parts.push(format!("{} {} ({})", e.key, e.operator, e.values.clone().unwrap_or_default().join(",")));
    }
    parts.join(",")
}

impl Cluster {
    /// Amends the reason of the event-log entry just written (a write through the API records a generic one).
    pub(crate) fn amend_reason(&mut self, reason: String) {
        self.log.amend_last_reason(reason);
    }

    /// Writes an object's status as a controller does (`UpdateStatus`), if it changed.
    pub(crate) fn write_object_status(&mut self, actor: &str, obj: Object, reason: &str) -> Option<Object> {
        let key = ObjectKey::of(&obj);
        let current = self.store.get(&key)?;
        if *current == obj {
            return None;
        }
        let stored = self.store.replace(obj).clone();
        self.record(actor, Change::Updated, &key, reason);
        Some(stored)
    }

    pub(super) fn reconcile_replica_sets(&mut self) {
        // Like the real controller, which syncs on ReplicaSet and pod events: a settle with neither, and no
        // pod's availability come due, has nothing for it.
        if !self.has_news(self.apps.replica_sets_seen, &[Kind::ReplicaSet, Kind::Pod, Kind::Namespace]) {
            return;
        }
        // Its own writes are news for its next pass, as a real controller's watch delivers them back.
        let before = self.store.resource_version();
        let keys: Vec<ObjectKey> = self.store.list(Kind::ReplicaSet, None).map(ObjectKey::of).collect();
        for key in keys {
            self.sync_replica_set(&key);
        }
        self.apps.replica_sets_seen = Some((before, self.replica_set_wakeup()));
    }

    fn sync_replica_set(&mut self, key: &ObjectKey) {
        let Some(Object::ReplicaSet(rs)) = self.store.get(key).cloned() else { return };
        let rs = *rs;
        let now = self.clock.now();
        let uid = rs.metadata.uid.clone().unwrap_or_default();
        let name = rs.metadata.name.clone().unwrap_or_default();
        let ns = rs.metadata.namespace.clone().unwrap_or_default();
        let spec = rs.spec.clone().unwrap_or_default();
        let selector = LabelSelector::from_api(&spec.selector);
        let deleting = rs.metadata.deletion_timestamp.is_some();
        let desired = spec.replicas.unwrap_or(1).max(0) as usize;

        // claimPods over the active pods of the namespace.
        let active: Vec<Pod> = self
            .store
            .list(Kind::Pod, Some(&ns))
            .filter_map(|o| match o {
                Object::Pod(p) if is_active(p) => Some((**p).clone()),
                _ => None,
            })
            .collect();
        let mut mine: Vec<Pod> = Vec::new();
        for pod in active {
            let matches = !spec.selector.match_labels.as_ref().is_none_or(|m| m.is_empty())
                || spec.selector.match_expressions.as_ref().is_some_and(|e| !e.is_empty());
            let matches = matches && selector.matches(labels_of(&pod.metadata));
            match controller_ref(&pod.metadata) {
                Some(r) if r.uid == uid => {
                    if matches {
                        mine.push(pod);
                    } else if !deleting {
                        let sel = selector_text(&spec.selector);
                        self.set_pod_owner(
                            &pod,
                            None,
                            &uid,
                            format!(
                                "ReplicaSet {name} released pod {}: its labels no longer match the selector {sel}",
                                pod.metadata.name.as_deref().unwrap_or_default()
                            ),
                        );
                    }
                }
                Some(_) => {}
                None if matches && !deleting => {
                    let sel = selector_text(&spec.selector);
                    let pod_name = pod.metadata.name.clone().unwrap_or_default();
                    if let Some(p) = self.set_pod_owner(
                        &pod,
                        Some(new_controller_ref("ReplicaSet", &rs.metadata)),
                        &uid,
                        format!(
                            "ReplicaSet {name} adopted pod {pod_name}: it has no controller and its labels match the selector {sel}"
                        ),
                    ) {
                        mine.push(p);
                    }
                }
                None => {}
            }
        }

        let retry_at = self.workloads.retry.get(&uid).map(|r| r.1);
        let mut failed = None;
        if !deleting && retry_at.is_none_or(|t| t <= now) {
            if mine.len() < desired {
                let missing = (desired - mine.len()).min(BURST_REPLICAS);
                for _ in 0..missing {
                    match self.create_replica_pod(&rs, mine.len(), desired) {
                        Ok(pod) => mine.push(pod),
                        Err(e) => {
                            failed = Some(e);
                            break;
                        }
                    }
                }
            } else if mine.len() > desired {
                let diff = (mine.len() - desired).min(BURST_REPLICAS);
                let related = self.related_pods(&rs);
                let mut on_node: BTreeMap<String, usize> = BTreeMap::new();
                for p in related.iter().filter(|p| is_active(p)) {
                    *on_node
                        .entry(p.spec.as_ref().and_then(|s| s.node_name.clone()).unwrap_or_default())
                        .or_default() += 1;
                }
                let rank = |p: &Pod| {
                    on_node
                        .get(p.spec.as_ref().and_then(|s| s.node_name.as_deref()).unwrap_or_default())
                        .copied()
                        .unwrap_or(0)
                };
                let mut ranked: Vec<(Pod, usize)> = mine.iter().map(|p| (p.clone(), rank(p))).collect();
                if diff < ranked.len() {
                    ranked.stable_sort_by(|a, b| delete_first((&a.0, a.1), (&b.0, b.1), now));
                }
                let have = mine.len();
                for (pod, _) in ranked.into_iter().take(diff) {
                    let pod_name = pod.metadata.name.clone().unwrap_or_default();
                    let key = ObjectKey::new(Kind::Pod, &ns, &pod_name);
                    let Some(current) = self.store.get(&key).cloned() else { continue };
                    self.delete_object(RS_CONTROLLER, current, None);
                    self.amend_reason(format!(
                        "ReplicaSet {name} has {have} of {desired} pods: deleted {pod_name} ({})",
                        deletion_why(&pod)
                    ));
                    let about = Object::from(rs.clone());
                    self.emit_event(
                        &about,
                        "Normal",
                        "SuccessfulDelete",
                        &format!("Deleted pod: {pod_name}"),
                        &Reporter::component(RS_CONTROLLER),
                    );
                    mine.retain(|p| p.metadata.name.as_deref() != Some(pod_name.as_str()));
                }
            }
        }
        match failed {
            Some(message) => {
                let failures = self.workloads.retry.get(&uid).map_or(0, |r| r.0);
                self.workloads.retry.insert(uid.clone(), (failures + 1, now + failure_backoff_ms(failures)));
                let about = Object::from(rs.clone());
                self.emit_event(
                    &about,
                    "Warning",
                    "FailedCreate",
                    &format!("Error creating: {message}"),
                    &Reporter::component(RS_CONTROLLER),
                );
            }
            None => {
                if retry_at.is_none_or(|t| t <= now) {
                    self.workloads.retry.remove(&uid);
                }
            }
        }

        // calculateStatus + updateReplicaSetStatus.
        let min_ready = spec.min_ready_seconds.unwrap_or(0);
        let template_selector = LabelSelector {
            requirements: spec
                .template
                .as_ref()
                .and_then(|t| t.metadata.as_ref())
                .and_then(|m| m.labels.as_ref())
                .into_iter()
                .flatten()
                .map(|(k, v)| crate::apiserver::selectors::Requirement::Equals(k.clone(), v.clone()))
                .collect(),
        };
        let fully = mine.iter().filter(|p| template_selector.matches(labels_of(&p.metadata))).count() as i32;
        let ready = mine.iter().filter(|p| ready_since(p).is_some()).count() as i32;
        let available = mine.iter().filter(|p| is_available(p, min_ready, now)).count() as i32;
        let Some(Object::ReplicaSet(current)) = self.store.get(key).cloned() else { return };
        let mut updated = *current;
        let old = updated.status.clone().unwrap_or_default();
        let nz = |n: i32| (n != 0).then_some(n);
        let status = ReplicaSetStatus {
            replicas: mine.len() as i32,
            fully_labeled_replicas: nz(fully),
            ready_replicas: nz(ready),
            available_replicas: nz(available),
            observed_generation: updated.metadata.generation,
            conditions: old.conditions.clone(),
            terminating_replicas: None,
        };
        if updated.status.as_ref() != Some(&status) {
            let why = format!(
                "ReplicaSet {name} status: {} pods, {} ready, {} available (desired {desired})",
                status.replicas, ready, available
            );
            updated.status = Some(status);
            self.write_object_status(RS_CONTROLLER, Object::from(updated), &why);
        }
    }

    /// Adds (`Some`) or removes this controller's reference on a pod (adoption and release are patches).
    fn set_pod_owner(
        &mut self,
        pod: &Pod,
        owner: Option<OwnerReference>,
        owner_uid: &str,
        reason: String,
    ) -> Option<Pod> {
        let key = ObjectKey::new(
            Kind::Pod,
            pod.metadata.namespace.as_deref().unwrap_or_default(),
            pod.metadata.name.as_deref().unwrap_or_default(),
        );
        let current = self.store.get(&key).cloned()?;
        let mut obj = current.clone();
        let meta = obj.metadata_mut();
        let mut refs: Vec<OwnerReference> = meta.owner_references.clone().unwrap_or_default();
        refs.retain(|r| r.uid != owner_uid);
        if let Some(r) = owner {
            refs.push(r);
        }
        meta.owner_references = (!refs.is_empty()).then_some(refs);
        match self.write_update(RS_CONTROLLER, current, obj, false, &reason) {
            Ok(Object::Pod(p)) => Some(*p),
            _ => None,
        }
    }

    /// `getIndirectlyRelatedPods`: the active pods of every ReplicaSet with the same controller (or of this one).
    fn related_pods(&self, rs: &ReplicaSet) -> Vec<Pod> {
        let ns = rs.metadata.namespace.as_deref().unwrap_or_default();
        let owner = controller_ref(&rs.metadata).map(|r| r.uid.clone());
        let uids: Vec<String> = self
            .store
            .list(Kind::ReplicaSet, Some(ns))
            .filter(|o| match &owner {
                Some(u) => controller_ref(o.metadata()).is_some_and(|r| &r.uid == u),
                None => o.metadata().uid == rs.metadata.uid,
            })
            .filter_map(|o| o.metadata().uid.clone())
            .collect();
        self.store
            .list(Kind::Pod, Some(ns))
            .filter_map(|o| match o {
                Object::Pod(p) if controller_ref(&p.metadata).is_some_and(|r| uids.contains(&r.uid)) => {
                    Some((**p).clone())
                }
                _ => None,
            })
            .collect()
    }

    /// `GetPodFromTemplate` + create: a pod named `<rs>-<5 random characters>` by the apiserver.
    fn create_replica_pod(&mut self, rs: &ReplicaSet, have: usize, desired: usize) -> Result<Pod, String> {
        let name = rs.metadata.name.clone().unwrap_or_default();
        let ns = rs.metadata.namespace.clone().unwrap_or_default();
        let template = rs.spec.as_ref().and_then(|s| s.template.clone()).unwrap_or_default();
        let tmeta = template.metadata.unwrap_or_default();
        let pod = Pod {
            metadata: ObjectMeta {
                generate_name: Some(format!("{name}-")),
                labels: tmeta.labels,
                annotations: tmeta.annotations,
                finalizers: tmeta.finalizers,
                owner_references: Some(vec![new_controller_ref("ReplicaSet", &rs.metadata)]),
                ..Default::default()
            },
            spec: template.spec,
            status: None,
        };
        let req = Request::new(Verb::Create, Kind::Pod).namespace(&ns).body(Object::from(pod).to_json());
        match self.handle(RS_CONTROLLER, req).object() {
            Ok(Object::Pod(p)) => {
                let pod_name = p.metadata.name.clone().unwrap_or_default();
                self.amend_reason(format!("ReplicaSet {name} has {have} of {desired} pods: created {pod_name}"));
                let about = Object::from(rs.clone());
                self.emit_event(
                    &about,
                    "Normal",
                    "SuccessfulCreate",
                    &format!("Created pod: {pod_name}"),
                    &Reporter::component(RS_CONTROLLER),
                );
                Ok(*p)
            }
            Ok(_) => Err("unexpected answer".into()),
            Err(e) => Err(e.message),
        }
    }

    /// The next instant a ready pod of a ReplicaSet with `minReadySeconds` becomes available.
    pub(crate) fn replica_set_wakeup(&self) -> Option<Millis> {
        let now = self.clock.now();
        let mut next: Option<Millis> = self.workloads.retry.values().map(|r| r.1).filter(|t| *t > now).min();
        for o in self.store.list(Kind::ReplicaSet, None) {
            let Object::ReplicaSet(rs) = o else { continue };
            let min_ready = rs.spec.as_ref().and_then(|s| s.min_ready_seconds).unwrap_or(0);
            let st = rs.status.clone().unwrap_or_default();
            if min_ready <= 0 || st.ready_replicas == st.available_replicas {
                continue;
            }
            let uid = rs.metadata.uid.clone().unwrap_or_default();
            for p in self.store.list(Kind::Pod, rs.metadata.namespace.as_deref()) {
                let Object::Pod(p) = p else { continue };
                if controller_ref(&p.metadata).is_some_and(|r| r.uid == uid) && is_active(p) {
                    if let Some(t) = available_at(p, min_ready, now) {
                        next = Some(next.map_or(t, |n| n.min(t)));
                    }
                }
            }
        }
        next
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{PodCondition, PodSpec, PodStatus};

    fn pod(name: &str, node: Option<&str>, phase: &str, ready_at: Option<Millis>, created: Millis) -> Pod {
        Pod {
            metadata: ObjectMeta {
                name: Some(name.into()),
                uid: Some(name.into()),
                creation_timestamp: Some(crate::clock::api_time(created)),
                ..Default::default()
            },
            spec: Some(PodSpec { node_name: node.map(String::from), ..Default::default() }),
            status: Some(PodStatus {
                phase: Some(phase.into()),
                conditions: Some(vec![PodCondition {
                    type_: "Ready".into(),
                    status: if ready_at.is_some() { "True" } else { "False" }.into(),
                    last_transition_time: ready_at.map(crate::clock::api_time),
                    ..Default::default()
                }]),
                ..Default::default()
            }),
        }
    }

    #[test]
    fn scale_down_ranking_follows_active_pods_with_ranks() {
        let now = 3_600_000;
        let pods = [
            pod("ready-old", Some("w1"), "Running", Some(10_000), 0),
            pod("unscheduled", None, "Pending", None, 50_000),
            pod("pending", Some("w1"), "Pending", None, 40_000),
            pod("not-ready", Some("w2"), "Running", None, 30_000),
            pod("ready-new", Some("w2"), "Running", Some(3_000_000), 2_900_000),
        ];
        let mut ranked: Vec<(&Pod, usize)> = pods.iter().map(|p| (p, 1)).collect();
        ranked.stable_sort_by(|a, b| delete_first(*a, *b, now));
        let names: Vec<_> = ranked.iter().map(|(p, _)| p.metadata.name.as_deref().unwrap()).collect();
        assert_eq!(names, ["unscheduled", "pending", "not-ready", "ready-new", "ready-old"]);
    }

    #[test]
    fn doubled_up_pods_go_first_then_newer() {
        let now = 3_600_000;
        let a = pod("a", Some("w1"), "Running", Some(60_000), 0);
        let b = pod("b", Some("w2"), "Running", Some(60_000), 0);
        assert_eq!(delete_first((&a, 2), (&b, 1), now), Ordering::Less);
        // Same node load and readiness: the newer pod (by log-scale age) goes first.
        let old = pod("old", Some("w1"), "Running", Some(60_000), 0);
        let new = pod("new", Some("w1"), "Running", Some(60_000), 3_000_000);
        assert_eq!(delete_first((&new, 1), (&old, 1), now), Ordering::Less);
    }

    #[test]
    fn availability_waits_for_min_ready_seconds() {
        let p = pod("p", Some("w1"), "Running", Some(10_000), 0);
        assert!(is_available(&p, 0, 10_000));
        assert!(!is_available(&p, 5, 15_000));
        assert!(is_available(&p, 5, 15_001));
        assert_eq!(available_at(&p, 5, 12_000), Some(15_001));
        assert_eq!(failure_backoff_ms(0), 5);
        assert_eq!(failure_backoff_ms(3), 40);
        assert_eq!(failure_backoff_ms(40), 1_000_000);
    }

    #[test]
    fn every_decision_is_in_the_event_log_with_its_cause() {
        let mut c = Cluster::new(0);
        let body = serde_json::json!({"apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{"name":"front"},
            "spec":{"replicas":2,"selector":{"matchLabels":{"tier":"front"}},
            "template":{"metadata":{"labels":{"tier":"front"}},"spec":{"containers":[{"name":"n","image":"nginx:1.27"}]}}}});
        assert!(c
            .handle("test", Request::new(Verb::Create, Kind::ReplicaSet).namespace("default").body(body))
            .result
            .is_ok());
        c.settle();
        let reasons: Vec<&str> =
            c.log().entries().iter().filter(|e| e.actor == RS_CONTROLLER).map(|e| e.reason.as_str()).collect();
        assert!(
            reasons.iter().any(|r| r.starts_with("ReplicaSet front has 0 of 2 pods: created front-")),
            "{reasons:?}"
        );
        assert!(
            reasons.iter().any(|r| r.starts_with("ReplicaSet front has 1 of 2 pods: created front-")),
            "{reasons:?}"
        );
        let pods: Vec<String> = c.store.list(Kind::Pod, Some("default")).map(|p| p.name().to_string()).collect();
        assert_eq!(pods.len(), 2);
        assert!(pods.iter().all(|p| p.len() == "front-".len() + 5));
        let Ok(Object::Pod(p)) = c.get(Kind::Pod, "default", &pods[0]) else { panic!() };
        let r = &p.metadata.owner_references.as_ref().unwrap()[0];
        assert_eq!((r.kind.as_str(), r.controller, r.block_owner_deletion), ("ReplicaSet", Some(true), Some(true)));
        // An orphan with matching labels is adopted, then the excess pod goes.
        let orphan = serde_json::json!({"apiVersion":"v1","kind":"Pod","metadata":{"name":"stray","labels":{"tier":"front"}},
            "spec":{"containers":[{"name":"n","image":"nginx:1.27"}]}});
        assert!(c
            .handle("test", Request::new(Verb::Create, Kind::Pod).namespace("default").body(orphan))
            .result
            .is_ok());
        c.settle();
        let reasons: Vec<&str> =
            c.log().entries().iter().filter(|e| e.actor == RS_CONTROLLER).map(|e| e.reason.as_str()).collect();
        assert!(reasons.iter().any(|r| r.starts_with("ReplicaSet front adopted pod stray")), "{reasons:?}");
        assert!(
            reasons.iter().any(|r| r.starts_with("ReplicaSet front has 3 of 2 pods: deleted stray")),
            "{reasons:?}"
        );
    }
}
