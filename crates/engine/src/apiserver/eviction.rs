//! The `pods/eviction` subresource (`pkg/registry/core/pod/storage/eviction.go`): a delete that respects
//! PodDisruptionBudgets. `kubectl drain` and `kubeground serve`'s `POST …/pods/NAME/eviction` both come here.
//!
//! A pod that is not running (Pending, Succeeded, Failed) or already terminating is deleted without looking
//! at budgets (`canIgnorePDB`). Otherwise the one budget whose selector matches the pod decides: none → delete;
//! more than one → 500; an unready pod is deleted without using up the budget while the budget is met (or
//! always, with `unhealthyPodEvictionPolicy: AlwaysAllow`); a ready pod needs `disruptionsAllowed > 0`, which
//! the eviction decrements, noting the pod in `status.disruptedPods` (`checkAndDecrement`) — else 429
//! `TooManyRequests` with a `DisruptionBudget` cause. The pod then gets the `DisruptionTarget` condition
//! (`EvictionByEvictionAPI`) and is deleted gracefully (`addConditionAndDeletePod`).

use k8s_openapi::api::core::v1::{Pod, PodCondition};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;

use super::RequestOptions;
use crate::admission::validation::meta::Selector;
use crate::clock::api_time;
use crate::cluster::Cluster;
use crate::controllers::disruption::update_disruption_allowed_condition;
use crate::controllers::revisions::{phase, pod_ready};
use crate::error::{ApiError, StatusCause};
use crate::event_log::Change;
use crate::object::{Kind, Object};
use crate::store::ObjectKey;

/// The message of every eviction refused to protect a budget.
pub const VIOLATES_BUDGET: &str = "Cannot evict pod as it would violate the pod's disruption budget.";

/// 429 `TooManyRequests` with one `DisruptionBudget` cause (`errors.NewTooManyRequests` plus the cause).
fn too_many_requests(cause: String) -> ApiError {
    let mut e = ApiError::new(429, "TooManyRequests", VIOLATES_BUDGET);
    e.causes.push(StatusCause { reason: "DisruptionBudget".into(), message: cause, field: String::new() });
    e
}

/// `canIgnorePDB`: terminal, pending or terminating pods have no budget to respect.
fn can_ignore_pdb(pod: &Pod) -> bool {
    matches!(phase(pod), "Succeeded" | "Failed" | "Pending") || pod.metadata.deletion_timestamp.is_some()
}

impl Cluster {
    /// Evicts one pod as `POST /api/v1/namespaces/NS/pods/NAME/eviction` does, on behalf of `actor`, with the
    /// Eviction's delete options (grace period, dry run). `Ok` is the `Success` Status (201); errors are the
    /// apiserver's: 404 for a missing pod, 429 when a budget forbids it, 500 for several budgets. The caller
    /// settles the cluster afterwards, as after [`Cluster::handle`].
    pub fn evict(
        &mut self,
        actor: &str,
        namespace: &str,
        name: &str,
        options: &RequestOptions,
    ) -> Result<(), ApiError> {
        if let Some(e) = self.unavailable_error() {
            return Err(e);
        }
        let key = ObjectKey::new(Kind::Pod, namespace, name);
        let Some(Object::Pod(pod)) = self.store.get(&key).cloned() else {
            return Err(ApiError::not_found(Kind::Pod, name));
        };
        let pod = *pod;
        if can_ignore_pdb(&pod) {
            let why = if pod.metadata.deletion_timestamp.is_some() {
                "already terminating".to_string()
            } else {
                format!("phase {}", phase(&pod))
            };
            self.add_condition_and_delete(
                actor,
                pod,
                options,
                &format!("evicted ({why}: no disruption budget applies)"),
            );
            return Ok(());
        }
        let pdbs = self.pdbs_for_pod(&pod);
        if pdbs.len() > 1 {
            return Err(ApiError::new(
                500,
                "",
                "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
            ));
        }
        let Some(pdb) = pdbs.into_iter().next() else {
            self.add_condition_and_delete(actor, pod, options, "evicted (no disruption budget covers the pod)");
            return Ok(());
        };
        let pdb_name = pdb.metadata.name.clone().unwrap_or_default();
        let status = pdb.status.clone().unwrap_or_default();
        if !pod_ready(&pod) {
            let always =
                pdb.spec.as_ref().and_then(|s| s.unhealthy_pod_eviction_policy.as_deref()) == Some("AlwaysAllow");
            if always || (status.current_healthy >= status.desired_healthy && status.desired_healthy > 0) {
                let reason = format!("evicted (not ready, so not counted by PodDisruptionBudget {pdb_name})");
                self.add_condition_and_delete(actor, pod, options, &reason);
                return Ok(());
            }
        }
        self.check_and_decrement(actor, &pod, pdb, options.dry_run)?;
        let reason =
            format!("evicted (PodDisruptionBudget {pdb_name} allowed {} disruption(s))", status.disruptions_allowed);
        self.add_condition_and_delete(actor, pod, options, &reason);
        Ok(())
    }

    /// The error every request gets while the API server cannot serve (as [`Cluster::handle`] answers).
    fn unavailable_error(&self) -> Option<ApiError> {
        match self.machines.quorum() {
            crate::machines::Quorum::Healthy { .. } => None,
            crate::machines::Quorum::Lost { .. } => Some(ApiError::new(500, "", "etcdserver: request timed out")),
            crate::machines::Quorum::NoApiServer => Some(ApiError::new(
                0,
                "",
                format!(
                    "The connection to the server {} was refused - did you specify the right host or port?",
                    crate::machines::API_SERVER_ENDPOINT
                ),
            )),
        }
    }

    /// `getPodDisruptionBudgets`: the budgets of the pod's namespace whose selector matches it. Unlike the
    /// disruption controller, an empty (or invalid) selector matches nothing here.
    pub fn pdbs_for_pod(&self, pod: &Pod) -> Vec<PodDisruptionBudget> {
        let ns = pod.metadata.namespace.clone().unwrap_or_default();
        self.store
            .list(Kind::PodDisruptionBudget, Some(&ns))
            .filter_map(|o| match o {
                Object::PodDisruptionBudget(p) => {
                    let sel = Selector::from(p.spec.as_ref().and_then(|s| s.selector.as_ref())).ok()?;
                    (!sel.is_empty() && !matches!(sel, Selector::Nothing) && sel.matches(pod.metadata.labels.as_ref()))
                        .then(|| (**p).clone())
                }
                _ => None,
            })
            .collect()
    }

    /// `checkAndDecrement`: refuse while the controller has not seen the budget's spec or no disruption is
    /// allowed; otherwise take one and note the pod in `disruptedPods` (not on a dry run).
    fn check_and_decrement(
        &mut self,
        actor: &str,
        pod: &Pod,
        mut pdb: PodDisruptionBudget,
        dry_run: bool,
    ) -> Result<(), ApiError> {
        let name = pdb.metadata.name.clone().unwrap_or_default();
        let now = self.clock.now();
        let status = pdb.status.get_or_insert_with(Default::default);
        if status.observed_generation.unwrap_or(0) < pdb.metadata.generation.unwrap_or(0) {
            // `createTooManyRequestsError` (it also suggests retrying after 10 s).
            return Err(too_many_requests(format!(
                "The disruption budget {name} is still being processed by the server."
            )));
        }
        if status.disruptions_allowed < 0 {
            let mut e = ApiError::forbidden(format!(
                "poddisruptionbudget.policy \"{name}\" is forbidden: pdb disruptions allowed is negative"
            ));
            e.details = Some(("poddisruptionbudget".into(), name));
            return Err(e);
        }
        if status.disruptions_allowed == 0 {
            return Err(too_many_requests(format!(
                "The disruption budget {name} needs {} healthy pods and has {} currently",
                status.desired_healthy, status.current_healthy
            )));
        }
        status.disruptions_allowed -= 1;
        if status.disruptions_allowed == 0 {
            update_disruption_allowed_condition(status, now);
        }
        if dry_run {
            return Ok(());
        }
        let pod_name = pod.metadata.name.clone().unwrap_or_default();
        status.disrupted_pods.get_or_insert_with(Default::default).insert(pod_name.clone(), api_time(now));
        let left = status.disruptions_allowed;
        let key =
            ObjectKey::new(Kind::PodDisruptionBudget, pdb.metadata.namespace.as_deref().unwrap_or_default(), &name);
        self.store.replace(Object::PodDisruptionBudget(Box::new(pdb)));
        self.record(
            actor,
            Change::Updated,
            &key,
            &format!("eviction of pod {pod_name} approved: {left} disruption(s) left, pod noted in disruptedPods"),
        );
        Ok(())
    }

    /// `addConditionAndDeletePod`: the `DisruptionTarget` condition (not on a dry run), then a graceful delete
    /// with the Eviction's options.
    fn add_condition_and_delete(&mut self, actor: &str, mut pod: Pod, options: &RequestOptions, reason: &str) {
        if options.dry_run {
            return;
        }
        let key = ObjectKey::new(
            Kind::Pod,
            pod.metadata.namespace.as_deref().unwrap_or_default(),
            pod.metadata.name.as_deref().unwrap_or_default(),
        );
        let now = self.clock.now();
        // `podutil.UpdatePodCondition`: a new condition is appended; an existing one keeps its transition time
        // unless its status changes.
        let conds = pod.status.get_or_insert_with(Default::default).conditions.get_or_insert_with(Vec::new);
        let cond = PodCondition {
            type_: "DisruptionTarget".into(),
            status: "True".into(),
            reason: Some("EvictionByEvictionAPI".into()),
            message: Some("Eviction API: evicting".into()),
            last_transition_time: Some(api_time(now)),
            ..Default::default()
        };
        let changed = match conds.iter_mut().find(|c| c.type_ == cond.type_) {
            Some(c) if c.status == cond.status => {
                let before = c.clone();
                c.reason = cond.reason;
                c.message = cond.message;
                *c != before
            }
            Some(c) => {
                *c = cond;
                true
            }
            None => {
                conds.push(cond);
                true
            }
        };
        let current = if changed {
            let stored = self.store.replace(Object::Pod(Box::new(pod))).clone();
            self.record(actor, Change::Updated, &key, "DisruptionTarget: EvictionByEvictionAPI");
            stored
        } else {
            Object::Pod(Box::new(pod))
        };
        self.delete_object_with_grace(actor, current, None, options.grace_period_seconds);
        self.log.amend_last_reason(reason.to_string());
    }
}

#[cfg(test)]
#[path = "eviction_tests.rs"]
mod tests;
