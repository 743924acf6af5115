//! The disruption controller (`pkg/controller/disruption`, `trySync`): keeps every PodDisruptionBudget's status
//! — how many of its pods are expected (`expectedPods`), healthy (`currentHealthy`), must stay healthy
//! (`desiredHealthy`), and how many may be disrupted now (`disruptionsAllowed`) — which the eviction
//! subresource ([`Cluster::evict`](crate::apiserver::eviction)) reads and decrements.
//!
//! The expected count is the number of matching pods for an integer `minAvailable`; for a percentage or any
//! `maxUnavailable` it is the summed scale of the pods' controllers (`getExpectedScale`: Deployment,
//! ReplicaSet, StatefulSet — kinds without a scale subresource make the sync fail, and the controller's
//! fail-safe writes `disruptionsAllowed: 0` with reason `SyncFailed`). Pods named in `status.disruptedPods`
//! (evictions approved by the API server) do not count as healthy for two minutes (`DeletionTimeout`) unless
//! they are already being deleted.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, LabelSelector, Time};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::revisions::{pod_ready, scaled_value};
use crate::admission::validation::meta::Selector;
use crate::clock::{api_time, sim_millis, Millis};
use crate::cluster::Cluster;
use crate::object::{Kind, Object};
use crate::recorder::Reporter;
use crate::store::ObjectKey;

const CONTROLLER: &str = "disruption-controller";
/// The recorder's `source.component` (`NewRecorder(…, EventSource{Component: "controllermanager"})`).
const EVENT_SOURCE: &str = "controllermanager";
/// `DeletionTimeout`: how long an approved eviction keeps its pod out of the healthy count.
pub const DELETION_TIMEOUT_MS: Millis = 120_000;

/// `pdbhelper.UpdateDisruptionAllowedCondition`: `DisruptionAllowed` True/`SufficientPods` while disruptions
/// are allowed, False/`InsufficientPods` otherwise; `apimeta.SetStatusCondition` keeps the transition time
/// while the status stays the same.
pub fn update_disruption_allowed_condition(status: &mut PodDisruptionBudgetStatus, now: Millis) {
    let (value, reason) =
        if status.disruptions_allowed > 0 { ("True", "SufficientPods") } else { ("False", "InsufficientPods") };
    set_status_condition(
        status.conditions.get_or_insert_with(Vec::new),
        Condition {
            type_: "DisruptionAllowed".into(),
            status: value.into(),
            reason: reason.into(),
            message: String::new(),
            observed_generation: status.observed_generation,
            last_transition_time: api_time(now),
        },
    );
}

/// `apimeta.SetStatusCondition`: a new condition is appended; an existing one takes the new status, reason,
/// message and observed generation, and a new transition time only when its status changes.
fn set_status_condition(conds: &mut Vec<Condition>, cond: Condition) {
    match conds.iter_mut().find(|c| c.type_ == cond.type_) {
        Some(c) => {
            if c.status != cond.status {
                c.last_transition_time = cond.last_transition_time.clone();
            }
            c.status = cond.status;
            c.reason = cond.reason;
            c.message = cond.message;
            c.observed_generation = cond.observed_generation;
        }
        None => conds.push(cond),
    }
}

/// `pdbhelper.ConditionsAreUpToDate`.
fn conditions_up_to_date(pdb: &PodDisruptionBudget) -> bool {
    let status = pdb.status.clone().unwrap_or_default();
    let Some(c) = status.conditions.iter().flatten().find(|c| c.type_ == "DisruptionAllowed") else { return false };
    if status.observed_generation != pdb.metadata.generation {
        return false;
    }
    if status.disruptions_allowed > 0 {
        c.status == "True" && c.reason == "SufficientPods"
    } else {
        c.status == "False" && c.reason == "InsufficientPods"
    }
}

/// `updatePdbStatus`'s arithmetic: disruptions allowed are the healthy pods above the desired count, and none
/// while the budget expects no pods (so a budget whose pods have not appeared yet is safe).
///
/// | current | desired | expected | allowed |
/// |---------|---------|----------|---------|
/// | 3       | 2       | 3        | 1       |
/// | 2       | 2       | 3        | 0       |
/// | 1       | 2       | 3        | 0       |
/// | 1       | 0       | 0        | 0       |
pub fn disruptions_allowed(current_healthy: i32, desired_healthy: i32, expected: i32) -> i32 {
    let allowed = current_healthy - desired_healthy;
    if expected <= 0 || allowed <= 0 {
        0
    } else {
        allowed
    }
}

/// `getExpectedPodCount`'s second half: the desired healthy count from the spec and the expected count.
/// `maxUnavailable` (integer or percentage, rounded up) is taken from the expected count; a percentage
/// `minAvailable` is rounded up; an integer `minAvailable` is itself.
///
/// | spec                  | expected | desired |
/// |-----------------------|----------|---------|
/// | `minAvailable: 2`     | 3        | 2       |
/// | `minAvailable: 50%`   | 3        | 2       |
/// | `maxUnavailable: 1`   | 3        | 2       |
/// | `maxUnavailable: 50%` | 3        | 1       |
/// | `maxUnavailable: 5`   | 3        | 0       |
pub fn desired_healthy(
    min_available: Option<&IntOrString>,
    max_unavailable: Option<&IntOrString>,
    expected: i32,
) -> i32 {
    if let Some(max) = max_unavailable {
        (expected - scaled_value(max, expected, true)).max(0)
    } else if let Some(min) = min_available {
        scaled_value(min, expected, true)
    } else {
        0
    }
}

/// Go's `%v` of a `*metav1.LabelSelector` (its generated `String()`), as the `UnmanagedPods` event prints it.
/// (From the generated.pb.go layout; an informed reconstruction, not a capture.)
pub fn go_selector_string(sel: Option<&LabelSelector>) -> String {
    let Some(sel) = sel else { return "nil".into() };
    let labels: String = sel.match_labels.iter().flatten().map(|(k, v)| format!("{k}: {v},")).collect();
    let exprs: String = sel
        .match_expressions
        .iter()
        .flatten()
        .map(|e| {
            format!(
                "LabelSelectorRequirement{{Key:{},Operator:{},Values:[{}],}},",
                e.key,
                e.operator,
                e.values.clone().unwrap_or_default().join(" ")
            )
        })
        .collect();
    format!("&LabelSelector{{MatchLabels:map[string]string{{{labels}}},MatchExpressions:[]LabelSelectorRequirement{{{exprs}}},}}")
}

/// The pods a budget covers (`getPodsForPdb`): its namespace's pods matching its selector. A nil selector
/// matches nothing, an empty one everything.
pub(crate) fn pods_for_pdb(cluster: &Cluster, pdb: &PodDisruptionBudget) -> Vec<Pod> {
    let ns = pdb.metadata.namespace.clone().unwrap_or_default();
    let Ok(selector) = Selector::from(pdb.spec.as_ref().and_then(|s| s.selector.as_ref())) else { return Vec::new() };
    cluster
        .store()
        .list(Kind::Pod, Some(&ns))
        .filter_map(|o| match o {
            Object::Pod(p) if selector.matches(p.metadata.labels.as_ref()) => Some((**p).clone()),
            _ => None,
        })
        .collect()
}

impl Cluster {
    pub(super) fn reconcile_disruption_budgets(&mut self) {
        let keys: Vec<ObjectKey> = self.store.list(Kind::PodDisruptionBudget, None).map(ObjectKey::of).collect();
        for key in keys {
            self.sync_pdb(&key);
        }
    }

    /// The next instant an approved eviction's two minutes run out, when a budget's counts change on their own.
    pub(crate) fn disruption_wakeup(&self) -> Option<Millis> {
        let now = self.clock.now();
        self.store
            .list(Kind::PodDisruptionBudget, None)
            .filter_map(|o| match o {
                Object::PodDisruptionBudget(p) => p.status.as_ref()?.disrupted_pods.clone(),
                _ => None,
            })
            .flat_map(|m| m.into_values())
            .flat_map(|t| {
                let end = sim_millis(&t) + DELETION_TIMEOUT_MS;
                [end, end + 1]
            })
            .filter(|t| *t > now)
            .min()
    }

    /// `trySync` for one budget, with `failSafe` when the expected count cannot be computed.
    fn sync_pdb(&mut self, key: &ObjectKey) {
        let Some(Object::PodDisruptionBudget(pdb)) = self.store.get(key).cloned() else { return };
        let pdb = *pdb;
        let now = self.clock.now();
        let pods = pods_for_pdb(self, &pdb);
        let spec = pdb.spec.clone().unwrap_or_default();
        let (expected, desired, unmanaged) = match self.expected_pod_count(&pdb, &pods) {
            Ok(v) => v,
            Err(err) => {
                self.pdb_fail_safe(pdb, &err);
                return;
            }
        };
        let (disrupted, expired) = build_disrupted_pod_map(&pods, &pdb, now);
        let current = count_healthy_pods(&pods, &disrupted, now);
        let allowed = disruptions_allowed(current, desired, expected);
        let old = pdb.status.clone().unwrap_or_default();
        let disrupted_opt = if disrupted.is_empty() { None } else { Some(disrupted.clone()) };
        let unchanged = old.current_healthy == current
            && old.desired_healthy == desired
            && old.expected_pods == expected
            && old.disruptions_allowed == allowed
            && old.disrupted_pods.clone().unwrap_or_default() == disrupted
            && old.observed_generation == pdb.metadata.generation
            && conditions_up_to_date(&pdb);
        for name in &expired {
            if let Some(pod) = self.store.get(&ObjectKey::new(Kind::Pod, key.namespace.as_str(), name)).cloned() {
                // The real message names the budget's namespace twice (`pdb.Namespace, pdb.Namespace`).
                let msg =
                    format!("Pod was expected by PDB {}/{} to be deleted but it wasn't", key.namespace, key.namespace);
                self.emit_event(&pod, "Warning", "NotDeleted", &msg, &Reporter::component(EVENT_SOURCE));
            }
        }
        if unchanged {
            return;
        }
        let obj = Object::PodDisruptionBudget(Box::new(pdb.clone()));
        // The real controller records these on every sync; here on the syncs that change the status.
        if pods.is_empty() {
            self.emit_event(&obj, "Normal", "NoPods", "No matching pods found", &Reporter::component(EVENT_SOURCE));
        }
        if !unmanaged.is_empty() {
            let msg = format!(
                "Pods selected by this PodDisruptionBudget (selector: {}) were found to be unmanaged. As a result, \
the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for \
these pods please set \".spec.minAvailable\" field of the PDB to an integer value.",
                go_selector_string(spec.selector.as_ref())
            );
            self.emit_event(&obj, "Warning", "UnmanagedPods", &msg, &Reporter::component(EVENT_SOURCE));
        }
        let mut status = PodDisruptionBudgetStatus {
            current_healthy: current,
            desired_healthy: desired,
            expected_pods: expected,
            disruptions_allowed: allowed,
            disrupted_pods: disrupted_opt,
            observed_generation: pdb.metadata.generation,
            conditions: old.conditions.clone(),
        };
        update_disruption_allowed_condition(&mut status, now);
        let mut updated = pdb;
        updated.status = Some(status);
        let reason = format!(
            "{current} of {expected} expected pods healthy, {desired} must stay: {allowed} disruption{} allowed",
            if allowed == 1 { "" } else { "s" }
        );
        self.write_object_status(CONTROLLER, Object::PodDisruptionBudget(Box::new(updated)), &reason);
    }

    /// `failSafe`: no disruptions, `DisruptionAllowed` False with reason `SyncFailed` and the error, plus the
    /// `CalculateExpectedPodCountFailed` Warning.
    fn pdb_fail_safe(&mut self, pdb: PodDisruptionBudget, err: &str) {
        let now = self.clock.now();
        let mut updated = pdb.clone();
        let status = updated.status.get_or_insert_with(Default::default);
        status.disruptions_allowed = 0;
        let observed = status.observed_generation;
        set_status_condition(
            status.conditions.get_or_insert_with(Vec::new),
            Condition {
                type_: "DisruptionAllowed".into(),
                status: "False".into(),
                reason: "SyncFailed".into(),
                message: err.to_string(),
                observed_generation: observed,
                last_transition_time: api_time(now),
            },
        );
        if updated == pdb {
            return;
        }
        let obj = Object::PodDisruptionBudget(Box::new(pdb));
        self.emit_event(
            &obj,
            "Warning",
            "CalculateExpectedPodCountFailed",
            &format!("Failed to calculate the number of expected pods: {err}"),
            &Reporter::component(EVENT_SOURCE),
        );
        let reason = format!("cannot count the expected pods ({err}): no disruptions allowed");
        self.write_object_status(CONTROLLER, Object::PodDisruptionBudget(Box::new(updated)), &reason);
    }

    /// `getExpectedPodCount`: (expected, desired healthy, unmanaged pod names).
    fn expected_pod_count(&self, pdb: &PodDisruptionBudget, pods: &[Pod]) -> Result<(i32, i32, Vec<String>), String> {
        let spec = pdb.spec.clone().unwrap_or_default();
        let by_scale = spec.max_unavailable.is_some() || matches!(spec.min_available, Some(IntOrString::String(_)));
        if !by_scale {
            if spec.min_available.is_none() {
                return Ok((0, 0, Vec::new()));
            }
            let expected = pods.len() as i32;
            return Ok((expected, desired_healthy(spec.min_available.as_ref(), None, expected), Vec::new()));
        }
        let (expected, unmanaged) = self.expected_scale(pods)?;
        Ok((expected, desired_healthy(spec.min_available.as_ref(), spec.max_unavailable.as_ref(), expected), unmanaged))
    }

    /// `getExpectedScale`: the summed scale of the pods' controllers, each counted once; pods without a
    /// controller are unmanaged.
    fn expected_scale(&self, pods: &[Pod]) -> Result<(i32, Vec<String>), String> {
        let mut scales: BTreeMap<String, i32> = BTreeMap::new();
        let mut unmanaged = Vec::new();
        for pod in pods {
            let name = pod.metadata.name.clone().unwrap_or_default();
            let ns = pod.metadata.namespace.clone().unwrap_or_default();
            let Some(owner) = pod.metadata.owner_references.iter().flatten().find(|r| r.controller == Some(true))
            else {
                unmanaged.push(name);
                continue;
            };
            if scales.contains_key(&owner.uid) {
                continue;
            }
            match self.controller_scale(&ns, &owner.kind, &owner.api_version, &owner.name, &owner.uid)? {
                Some(scale) => {
                    scales.insert(owner.uid.clone(), scale);
                }
                None => return Err(format!("found no controllers for pod \"{name}\"")),
            }
        }
        Ok((scales.values().sum(), unmanaged))
    }

    /// The finders in order (`getPodDeployment`, `getPodReplicaSet`, `getPodStatefulSet`, `getScaleController`):
    /// a ReplicaSet of a Deployment counts the Deployment's replicas.
    fn controller_scale(
        &self,
        ns: &str,
        kind: &str,
        api_version: &str,
        name: &str,
        uid: &str,
    ) -> Result<Option<i32>, String> {
        let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
        let get = |k: Kind, n: &str| self.store.get(&ObjectKey::new(k, ns, n)).filter(|o| o.metadata().uid.is_some());
        match (kind, group) {
            ("ReplicaSet", "apps") => {
                let Some(Object::ReplicaSet(rs)) = get(Kind::ReplicaSet, name) else { return Ok(None) };
                if rs.metadata.uid.as_deref() != Some(uid) {
                    return Ok(None);
                }
                let rs_replicas = rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
                if let Some(d) = rs.metadata.owner_references.iter().flatten().find(|r| r.controller == Some(true)) {
                    if d.kind == "Deployment" {
                        if let Some(Object::Deployment(dep)) = get(Kind::Deployment, &d.name) {
                            if dep.metadata.uid.as_deref() == Some(d.uid.as_str()) {
                                return Ok(Some(dep.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)));
                            }
                        }
                        // The Deployment is gone: the scale finder reads the ReplicaSet's own scale.
                    }
                }
                Ok(Some(rs_replicas))
            }
            ("StatefulSet", "apps") => match get(Kind::StatefulSet, name) {
                Some(Object::StatefulSet(s)) if s.metadata.uid.as_deref() == Some(uid) => {
                    Ok(Some(s.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)))
                }
                _ => Ok(None),
            },
            ("Deployment", "apps") => match get(Kind::Deployment, name) {
                Some(Object::Deployment(d)) if d.metadata.uid.as_deref() == Some(uid) => {
                    Ok(Some(d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)))
                }
                _ => Ok(None),
            },
            _ => match Kind::ALL.iter().find(|k| k.info().kind == kind && k.info().group == group) {
                Some(k) => Err(format!("{} does not implement the scale subresource", k.info().qualified_plural())),
                // RESTMapping's NoKindMatchError (an informed guess at the wording).
                None => Err(format!("no matches for kind \"{kind}\" in version \"{api_version}\"")),
            },
        }
    }
}

/// `buildDisruptedPodMap`: the entries of `status.disruptedPods` still waiting for their pod's deletion; an
/// entry goes once its pod is deleting or gone, or after [`DELETION_TIMEOUT_MS`] (then named in `expired`).
fn build_disrupted_pod_map(
    pods: &[Pod],
    pdb: &PodDisruptionBudget,
    now: Millis,
) -> (BTreeMap<String, Time>, Vec<String>) {
    let mut result = BTreeMap::new();
    let mut expired = Vec::new();
    let Some(disrupted) = pdb.status.as_ref().and_then(|s| s.disrupted_pods.as_ref()) else {
        return (result, expired);
    };
    for pod in pods {
        if pod.metadata.deletion_timestamp.is_some() {
            continue;
        }
        let name = pod.metadata.name.clone().unwrap_or_default();
        let Some(at) = disrupted.get(&name) else { continue };
        if sim_millis(at) + DELETION_TIMEOUT_MS < now {
            expired.push(name);
        } else {
            result.insert(name, at.clone());
        }
    }
    (result, expired)
}

/// `countHealthyPods`: ready pods not being deleted and not about to be (approved within the last two minutes).
fn count_healthy_pods(pods: &[Pod], disrupted: &BTreeMap<String, Time>, now: Millis) -> i32 {
    pods.iter()
        .filter(|p| p.metadata.deletion_timestamp.is_none())
        .filter(|p| {
            let name = p.metadata.name.as_deref().unwrap_or_default();
            disrupted.get(name).is_none_or(|t| sim_millis(t) + DELETION_TIMEOUT_MS <= now)
        })
        .filter(|p| pod_ready(p))
        .count() as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_disruptions() {
        for (current, desired, expected, want) in [(3, 2, 3, 1), (2, 2, 3, 0), (1, 2, 3, 0), (1, 0, 0, 0), (5, 0, 5, 5)]
        {
            assert_eq!(disruptions_allowed(current, desired, expected), want, "{current} {desired} {expected}");
        }
    }

    #[test]
    fn desired_counts_round_as_the_controller_does() {
        let i = |n| IntOrString::Int(n);
        let s = |v: &str| IntOrString::String(v.into());
        assert_eq!(desired_healthy(Some(&i(2)), None, 3), 2);
        assert_eq!(desired_healthy(Some(&s("50%")), None, 3), 2);
        assert_eq!(desired_healthy(Some(&s("10%")), None, 5), 1);
        assert_eq!(desired_healthy(None, Some(&i(1)), 3), 2);
        assert_eq!(desired_healthy(None, Some(&s("50%")), 3), 1);
        assert_eq!(desired_healthy(None, Some(&i(5)), 3), 0);
        assert_eq!(desired_healthy(None, None, 3), 0);
    }

    #[test]
    fn selector_strings_as_go_prints_them() {
        let sel: LabelSelector = serde_json::from_value(serde_json::json!({"matchLabels": {"app": "web"}})).unwrap();
        assert_eq!(
            go_selector_string(Some(&sel)),
            "&LabelSelector{MatchLabels:map[string]string{app: web,},MatchExpressions:[]LabelSelectorRequirement{},}"
        );
        assert_eq!(go_selector_string(None), "nil");
    }

    #[test]
    fn the_condition_keeps_its_transition_time_while_unchanged() {
        let mut status = PodDisruptionBudgetStatus { disruptions_allowed: 1, ..Default::default() };
        update_disruption_allowed_condition(&mut status, 1000);
        update_disruption_allowed_condition(&mut status, 5000);
        let c = &status.conditions.as_ref().unwrap()[0];
        assert_eq!(
            (c.status.as_str(), c.reason.as_str(), c.last_transition_time.clone()),
            ("True", "SufficientPods", api_time(1000))
        );
        status.disruptions_allowed = 0;
        update_disruption_allowed_condition(&mut status, 9000);
        let c = &status.conditions.as_ref().unwrap()[0];
        assert_eq!(
            (c.status.as_str(), c.reason.as_str(), c.last_transition_time.clone()),
            ("False", "InsufficientPods", api_time(9000))
        );
    }
}
