//! The Job controller (`pkg/controller/job`, v1.34) and the TTL-after-finished controller.
//!
//! A Job owns its pods through a controller ownerReference and the `batch.kubernetes.io/job-tracking`
//! finalizer: a finished pod is first listed in `status.uncountedTerminatedPods`, then its finalizer is removed,
//! then it is moved into the `succeeded`/`failed` counters, so no pod is counted twice or lost. The controller
//! keeps `parallelism` pods active (fewer when fewer completions remain), waits the pod-failure back-off after
//! failures, and ends the Job with `SuccessCriteriaMet` → `Complete` or `FailureTarget` → `Failed`
//! (`BackoffLimitExceeded`, `DeadlineExceeded`, `PodFailurePolicy`) once no pod is still terminating.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::batch::v1::{Job, JobCondition, JobStatus, PodFailurePolicy, UncountedTerminatedPods};
use k8s_openapi::api::core::v1::{EnvVar, EnvVarSource, ObjectFieldSelector, Pod};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};

use crate::apiserver::selectors::LabelSelector;
use crate::apiserver::{Propagation, Request, Verb};
use crate::clock::{api_time, sim_millis, Millis};
use crate::cluster::Cluster;
use crate::event_log::Change;
use crate::object::{Kind, Object};
use crate::recorder::Reporter;
use crate::store::ObjectKey;
use crate::util::sort::StableSort;

pub const JOB_TRACKING_FINALIZER: &str = "batch.kubernetes.io/job-tracking";
pub const COMPLETION_INDEX_KEY: &str = "batch.kubernetes.io/job-completion-index";
const ACTOR: &str = "job-controller";
const TTL_ACTOR: &str = "ttl-after-finished-controller";

/// `DefaultJobPodFailureBackOff`.
pub const POD_FAILURE_BACKOFF_MS: Millis = 10_000;
/// `MaxJobPodFailureBackOff` in v1.34's `job_controller.go` is 10 minutes. The Job concept page still says "capped
/// at six minutes", the value of the older `MaxJobBackOff` (FACTS F5.3); the code is what a cluster does.
pub const MAX_POD_FAILURE_BACKOFF_MS: Millis = 600_000;

/// `getRemainingTimeForFailuresCount`'s delay: 10 s doubled for each failure after the first since the last
/// success, capped at 10 minutes. No failures, no delay.
///
/// Worked examples: 0 → 0 s, 1 → 10 s, 2 → 20 s, 3 → 40 s, 6 → 320 s, 7 → 600 s (640 capped), 30 → 600 s.
pub fn pod_failure_backoff(failures: u32) -> Millis {
    if failures == 0 {
        return 0;
    }
    let mut delay = POD_FAILURE_BACKOFF_MS;
    for _ in 1..failures {
        delay *= 2;
        if delay >= MAX_POD_FAILURE_BACKOFF_MS {
            return MAX_POD_FAILURE_BACKOFF_MS;
        }
    }
    delay
}

/// How long pod creation still waits: the back-off for `failures` minus the time since the last failure.
///
/// Example: 3 failures (40 s), the last at t=100 s, now t=125 s → 15 s left; at t=140 s → 0.
pub fn remaining_backoff(failures: u32, last_failure: Millis, now: Millis) -> Millis {
    let delay = pod_failure_backoff(failures);
    (last_failure + delay).saturating_sub(now)
}

/// `wantActive` of `manageJob`: how many pods should run. With `completions`, never more than the completions
/// still missing; a work-queue Job (no completions) runs `parallelism` pods until one succeeds, then creates no
/// more.
///
/// Examples (parallelism, completions, succeeded, active) → want: (2, Some(5), 4, 1) → 1; (3, Some(5), 0, 0) → 3;
/// (3, None, 0, 0) → 3; (3, None, 1, 2) → 2.
pub fn want_active(parallelism: i32, completions: Option<i32>, succeeded: i32, active: i32) -> i32 {
    match completions {
        None if succeeded > 0 => active,
        None => parallelism,
        Some(c) => (c - succeeded).clamp(0, parallelism.max(0)),
    }
}

/// The `completedIndexes` format (`orderedIntervals.String`): sorted indexes, each run of consecutive indexes
/// written `first-last`.
///
/// Examples: {} → ""; {0} → "0"; {0,1} → "0-1"; {0,1,2,4,6,7} → "0-2,4,6-7".
pub fn format_indexes(indexes: &BTreeSet<i32>) -> String {
    let mut parts = Vec::new();
    let mut iter = indexes.iter().copied().peekable();
    while let Some(first) = iter.next() {
        let mut last = first;
        while iter.peek() == Some(&(last + 1)) {
            last = iter.next().unwrap_or(last);
        }
        parts.push(if first == last { first.to_string() } else { format!("{first}-{last}") });
    }
    parts.join(",")
}

/// Parses `completedIndexes` (`0-2,4`) back into a set; malformed parts are skipped.
pub fn parse_indexes(text: &str) -> BTreeSet<i32> {
    let mut out = BTreeSet::new();
    for part in text.split(',').filter(|p| !p.is_empty()) {
        match part.split_once('-') {
            Some((a, b)) => {
                if let (Ok(a), Ok(b)) = (a.parse::<i32>(), b.parse::<i32>()) {
                    out.extend(a..=b);
                }
            }
            None => {
                if let Ok(i) = part.parse() {
                    out.insert(i);
                }
            }
        }
    }
    out
}

/// What the controller reads off one of its pods.
#[derive(Clone, Debug)]
struct PodView {
    pod: Pod,
    name: String,
    uid: String,
    phase: String,
    deleting: bool,
    tracked: bool,
    ready: bool,
    scheduled: bool,
    created: Millis,
    /// `getFinishedTime`: the last container's finish, else when the pod was deleted.
    finished_at: Option<Millis>,
    restarts: i32,
    index: Option<i32>,
}

impl PodView {
    fn of(pod: &Pod, now: Millis) -> PodView {
        let status = pod.status.clone().unwrap_or_default();
        let statuses: Vec<_> =
            status.init_container_statuses.iter().flatten().chain(status.container_statuses.iter().flatten()).collect();
        let finished_at = statuses
            .iter()
            .filter_map(|c| c.state.as_ref()?.terminated.as_ref()?.finished_at.as_ref())
            .map(sim_millis)
            .max()
            .or_else(|| {
                // getFinishTimeFromDeletionTimestamp: when the deletion was asked for (timestamp minus grace).
                let grace = pod.metadata.deletion_grace_period_seconds.unwrap_or(0).max(0) as u64 * 1000;
                pod.metadata.deletion_timestamp.as_ref().map(|t| sim_millis(t).saturating_sub(grace).min(now))
            });
        PodView {
            name: pod.metadata.name.clone().unwrap_or_default(),
            uid: pod.metadata.uid.clone().unwrap_or_default(),
            phase: status.phase.clone().unwrap_or_default(),
            deleting: pod.metadata.deletion_timestamp.is_some(),
            tracked: pod.metadata.finalizers.iter().flatten().any(|f| f == JOB_TRACKING_FINALIZER),
            ready: status.conditions.iter().flatten().any(|c| c.type_ == "Ready" && c.status == "True"),
            scheduled: pod.spec.as_ref().and_then(|s| s.node_name.as_ref()).is_some(),
            created: pod.metadata.creation_timestamp.as_ref().map(sim_millis).unwrap_or(0),
            finished_at,
            restarts: statuses.iter().map(|c| c.restart_count).sum(),
            index: pod
                .metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get(COMPLETION_INDEX_KEY))
                .and_then(|i| i.parse().ok()),
            pod: pod.clone(),
        }
    }

    fn terminal(&self) -> bool {
        self.phase == "Succeeded" || self.phase == "Failed"
    }

    fn active(&self) -> bool {
        !self.terminal() && !self.deleting
    }

    fn terminating(&self) -> bool {
        self.deleting && !self.terminal()
    }
}

/// The condition a sync decided the Job ends with (before the terminal one is written).
#[derive(Clone, Debug)]
struct Finish {
    type_: &'static str,
    reason: String,
    message: String,
}

fn condition(conds: &[JobCondition], type_: &str) -> Option<JobCondition> {
    conds.iter().find(|c| c.type_ == type_ && c.status == "True").cloned()
}

/// `IsJobFinished`: a `Complete` or `Failed` condition that is true.
pub fn job_finished(job: &Job) -> Option<(String, Millis)> {
    let conds = job.status.as_ref().and_then(|s| s.conditions.clone()).unwrap_or_default();
    conds
        .iter()
        .find(|c| (c.type_ == "Complete" || c.type_ == "Failed") && c.status == "True")
        .map(|c| (c.type_.clone(), c.last_transition_time.as_ref().map(sim_millis).unwrap_or(0)))
}

/// `matchPodFailurePolicy`: the first rule matching a failed pod decides. Returns (FailJob message, counts
/// against backoffLimit).
fn match_pod_failure_policy(policy: &PodFailurePolicy, pod: &Pod) -> (Option<String>, bool) {
    let status = pod.status.clone().unwrap_or_default();
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    let name = pod.metadata.name.clone().unwrap_or_default();
    for (i, rule) in policy.rules.iter().enumerate() {
        if let Some(req) = &rule.on_exit_codes {
            let matched =
                status.init_container_statuses.iter().flatten().chain(status.container_statuses.iter().flatten()).find(
                    |c| {
                        let Some(code) = c.state.as_ref().and_then(|s| s.terminated.as_ref()).map(|t| t.exit_code)
                        else {
                            return false;
                        };
                        let name_ok = req.container_name.as_deref().is_none_or(|n| n == c.name);
                        let listed = req.values.contains(&code);
                        name_ok && code != 0 && (if req.operator == "In" { listed } else { !listed })
                    },
                );
            if let Some(c) = matched {
                let code = c.state.as_ref().and_then(|s| s.terminated.as_ref()).map_or(0, |t| t.exit_code);
                match rule.action.as_str() {
                    "Ignore" => return (None, false),
                    "Count" => return (None, true),
                    "FailJob" => {
                        let msg = format!(
                            "Container {} for pod {ns}/{name} failed with exit code {code} matching FailJob rule at index {i}",
                            c.name
                        );
                        return (Some(msg), true);
                    }
                    _ => return (None, true),
                }
            }
        } else if let Some(patterns) = &rule.on_pod_conditions {
            let hit = patterns
                .iter()
                .find(|p| status.conditions.iter().flatten().any(|c| c.type_ == p.type_ && c.status == p.status));
            if let Some(p) = hit {
                match rule.action.as_str() {
                    "Ignore" => return (None, false),
                    "Count" => return (None, true),
                    "FailJob" => {
                        let msg =
                            format!("Pod {ns}/{name} has condition {} matching FailJob rule at index {i}", p.type_);
                        return (Some(msg), true);
                    }
                    _ => return (None, true),
                }
            }
        }
    }
    (None, true)
}

impl Cluster {
    /// The Job controller's pass over every Job, then the TTL-after-finished controller's.
    pub(super) fn reconcile_jobs(&mut self) {
        let jobs: Vec<Job> = self
            .store
            .list(Kind::Job, None)
            .filter_map(|o| match o {
                Object::Job(j) => Some((**j).clone()),
                _ => None,
            })
            .collect();
        let live: BTreeMap<String, bool> = jobs
            .iter()
            .map(|j| (j.metadata.uid.clone().unwrap_or_default(), j.metadata.deletion_timestamp.is_some()))
            .collect();
        self.release_orphaned_job_pods(&live);
        for job in jobs {
            if job.metadata.deletion_timestamp.is_some() {
                continue;
            }
            self.sync_job(job);
        }
        self.expire_finished_jobs();
    }

    /// Pods still carrying the tracking finalizer whose Job is gone or being deleted get it removed, so the
    /// garbage collector's deletion can finish (`removeTrackingFinalizersFromAllPods`).
    fn release_orphaned_job_pods(&mut self, live: &BTreeMap<String, bool>) {
        let stuck: Vec<Object> = self
            .store
            .list(Kind::Pod, None)
            .filter(|o| o.metadata().finalizers.iter().flatten().any(|f| f == JOB_TRACKING_FINALIZER))
            .filter(|o| {
                let owner = o
                    .metadata()
                    .owner_references
                    .iter()
                    .flatten()
                    .find(|r| r.kind == "Job" && r.controller == Some(true));
                owner.is_none_or(|r| live.get(&r.uid).is_none_or(|deleting| *deleting))
            })
            .cloned()
            .collect();
        for pod in stuck {
            self.remove_tracking_finalizer(pod, "its Job is gone or being deleted: tracking finalizer removed");
        }
    }

    fn remove_tracking_finalizer(&mut self, current: Object, reason: &str) {
        let mut obj = current.clone();
        let kept: Vec<String> =
            obj.metadata().finalizers.iter().flatten().filter(|f| *f != JOB_TRACKING_FINALIZER).cloned().collect();
        obj.metadata_mut().finalizers = (!kept.is_empty()).then_some(kept);
        let _ = self.write_update(ACTOR, current, obj, false, reason);
    }

    fn job_pods(&self, job: &Job) -> Vec<PodView> {
        let now = self.clock.now();
        let uid = job.metadata.uid.clone().unwrap_or_default();
        let ns = job.metadata.namespace.clone().unwrap_or_default();
        let selector = job.spec.as_ref().and_then(|s| s.selector.as_ref()).map(LabelSelector::from_api);
        self.store
            .list(Kind::Pod, Some(&ns))
            .filter_map(|o| match o {
                Object::Pod(p) => Some(p),
                _ => None,
            })
            .filter(|p| {
                p.metadata.owner_references.iter().flatten().any(|r| r.uid == uid && r.controller == Some(true))
            })
            .filter(|p| selector.as_ref().is_none_or(|s| s.matches(p.metadata.labels.as_ref())))
            .map(|p| PodView::of(p, now))
            .collect()
    }

    fn sync_job(&mut self, mut job: Job) {
        let now = self.clock.now();
        let name = job.metadata.name.clone().unwrap_or_default();
        let ns = job.metadata.namespace.clone().unwrap_or_default();
        if job_finished(&job).is_some() {
            return;
        }
        let spec = job.spec.clone().unwrap_or_default();
        let before = job.status.clone();
        let status = job.status.get_or_insert_with(JobStatus::default);
        let uncounted = status.uncounted_terminated_pods.get_or_insert_with(UncountedTerminatedPods::default);
        let uncounted_succeeded: BTreeSet<String> = uncounted.succeeded.iter().flatten().cloned().collect();
        let uncounted_failed: BTreeSet<String> = uncounted.failed.iter().flatten().cloned().collect();
        let pods = self.job_pods(&job);
        let status = job.status.as_mut().expect("set above");
        let indexed = spec.completion_mode.as_deref() == Some("Indexed");
        let only_failed = spec.pod_replacement_policy.as_deref() == Some("Failed");
        let policy = spec.pod_failure_policy.clone();
        let backoff_limit = spec.backoff_limit.unwrap_or(6);
        let parallelism = spec.parallelism.unwrap_or(1);
        let suspended = spec.suspend == Some(true);
        // `isPodFailed`: a deleted pod that did not succeed counts as failed unless only Failed pods are replaced.
        let is_failed = |p: &PodView| p.phase == "Failed" || (!only_failed && p.deleting && p.phase != "Succeeded");

        let newly_succeeded: Vec<&PodView> =
            pods.iter().filter(|p| p.tracked && p.phase == "Succeeded" && !uncounted_failed.contains(&p.uid)).collect();
        let newly_failed: Vec<&PodView> =
            pods.iter().filter(|p| p.tracked && p.phase != "Succeeded" && is_failed(p)).collect();
        let counted_failures = |ps: &[&PodView]| -> i32 {
            ps.iter().filter(|p| policy.as_ref().is_none_or(|pol| match_pod_failure_policy(pol, &p.pod).1)).count()
                as i32
        };
        let new_succeeded_uids: BTreeSet<&str> = newly_succeeded.iter().map(|p| p.uid.as_str()).collect();
        let mut succeeded = status.succeeded.unwrap_or(0)
            + newly_succeeded.iter().filter(|p| !uncounted_succeeded.contains(&p.uid)).count() as i32
            + uncounted_succeeded.len() as i32;
        let failed = status.failed.unwrap_or(0)
            + counted_failures(
                &newly_failed.iter().filter(|p| !uncounted_failed.contains(&p.uid)).copied().collect::<Vec<_>>(),
            )
            + uncounted_failed.len() as i32;
        let mut active = pods.iter().filter(|p| p.active()).count() as i32;
        let mut terminating = pods.iter().filter(|p| p.terminating()).count() as i32;
        let mut ready = pods.iter().filter(|p| p.active() && p.ready).count() as i32;
        if status.start_time.is_none() && !suspended {
            status.start_time = Some(api_time(now));
        }
        let start = status.start_time.as_ref().map(sim_millis).unwrap_or(now);

        // Completed indexes of an Indexed Job: those recorded plus the newly succeeded pods' indexes.
        let completions = spec.completions;
        let mut done_indexes = parse_indexes(status.completed_indexes.as_deref().unwrap_or_default());
        if indexed {
            let limit = completions.unwrap_or(0);
            for p in &newly_succeeded {
                if let Some(i) = p.index.filter(|i| *i < limit) {
                    done_indexes.insert(i);
                }
            }
            succeeded = done_indexes.len() as i32;
        }

        let conds = status.conditions.clone().unwrap_or_default();
        let mut finish: Option<Finish> = None;
        if let Some(c) = condition(&conds, "SuccessCriteriaMet") {
            finish = Some(Finish {
                type_: "SuccessCriteriaMet",
                reason: c.reason.unwrap_or_default(),
                message: c.message.unwrap_or_default(),
            });
        } else if let Some(c) = condition(&conds, "FailureTarget") {
            finish = Some(Finish {
                type_: "FailureTarget",
                reason: c.reason.unwrap_or_default(),
                message: c.message.unwrap_or_default(),
            });
        } else if let Some(msg) = policy.as_ref().and_then(|pol| {
            pods.iter().filter(|p| p.phase == "Failed").find_map(|p| match_pod_failure_policy(pol, &p.pod).0)
        }) {
            finish = Some(Finish { type_: "FailureTarget", reason: "PodFailurePolicy".into(), message: msg });
        }
        if finish.is_none() {
            let on_failure = spec.template.spec.as_ref().and_then(|s| s.restart_policy.as_deref()) == Some("OnFailure");
            // `pastBackoffLimitOnFailure`: container restarts of pending and running pods.
            let restarts: i32 =
                pods.iter().filter(|p| p.phase == "Running" || p.phase == "Pending").map(|p| p.restarts).sum();
            let past_on_failure =
                on_failure && if backoff_limit == 0 { restarts > 0 } else { restarts >= backoff_limit };
            if failed > backoff_limit || past_on_failure {
                finish = Some(Finish {
                    type_: "FailureTarget",
                    reason: "BackoffLimitExceeded".into(),
                    message: "Job has reached the specified backoff limit".into(),
                });
            } else if let Some(deadline) = spec.active_deadline_seconds.filter(|_| !suspended) {
                if now >= start + deadline.max(0) as u64 * 1000 {
                    finish = Some(Finish {
                        type_: "FailureTarget",
                        reason: "DeadlineExceeded".into(),
                        message: "Job was active longer than specified deadline".into(),
                    });
                }
            }
        }

        let job_obj = Object::from(job.clone());
        if finish.is_some() {
            // deleteActivePods: the finalizers stay; the next passes count the pods as failed.
            for p in pods.iter().filter(|p| p.active()) {
                self.delete_job_pod(&job_obj, p, &format!("Job {name} is failing: active pod {} deleted", p.name));
                active -= 1;
                terminating += 1;
                if p.ready {
                    ready -= 1;
                }
            }
        } else {
            // manageJob.
            let active_pods: Vec<&PodView> = pods.iter().filter(|p| p.active()).collect();
            let want = if suspended { 0 } else { want_active(parallelism, completions, succeeded, active) };
            let blocked = if only_failed { terminating } else { 0 };
            if active > want {
                let mut ranked = active_pods.clone();
                // controller.ActivePods: unscheduled, pending, not ready and newer pods go first.
                ranked
                    .stable_sort_by_key(|p| (p.scheduled, p.phase == "Running", p.ready, std::cmp::Reverse(p.created)));
                let why = if suspended { "the Job is suspended" } else { "more pods are active than needed" };
                for p in ranked.into_iter().take((active - want) as usize) {
                    self.delete_job_pod(&job_obj, p, &format!("Job {name}: {why}; deleted {}", p.name));
                    active -= 1;
                    terminating += 1;
                    if p.ready {
                        ready -= 1;
                    }
                }
            } else if active + blocked < want {
                let (failures, last) = failures_since_success(&pods, &is_failed);
                let wait = remaining_backoff(failures, last, now);
                if wait == 0 {
                    let mut to_create: Vec<Option<i32>> = Vec::new();
                    if indexed {
                        let busy: BTreeSet<i32> = active_pods.iter().filter_map(|p| p.index).collect();
                        let limit = completions.unwrap_or(0);
                        to_create.extend(
                            (0..limit)
                                .filter(|i| !done_indexes.contains(i) && !busy.contains(i))
                                .take((want - active - blocked) as usize)
                                .map(Some),
                        );
                    } else {
                        to_create.extend(std::iter::repeat_n(None, (want - active - blocked) as usize));
                    }
                    for index in to_create {
                        let because = format!("Job {name} wants {want} active pods and has {active}");
                        if self.create_job_pod(&job, index, &because) {
                            active += 1;
                        }
                    }
                }
            }
            let complete = match completions {
                None => succeeded > 0 && active == 0,
                Some(c) => succeeded >= c && active == 0,
            };
            if complete {
                finish = Some(Finish {
                    type_: "SuccessCriteriaMet",
                    reason: "CompletionsReached".into(),
                    message: "Reached expected number of succeeded pods".into(),
                });
            }
        }

        // trackJobStatusAndRemoveFinalizers.
        let mut job = self.current_job(&ns, &name).unwrap_or(job);
        let status = job.status.get_or_insert_with(JobStatus::default);
        if status.start_time.is_none() && !suspended {
            status.start_time = Some(api_time(start));
        }
        status.active = (active > 0).then_some(active);
        status.ready = Some(ready.max(0));
        status.terminating = Some(terminating.max(0));
        let mut conds = status.conditions.clone().unwrap_or_default();
        if let Some(f) = &finish {
            if condition(&conds, f.type_).is_none() {
                conds.push(new_condition(f.type_, &f.reason, &f.message, now));
            }
        }
        status.conditions = (!conds.is_empty()).then_some(conds.clone());
        let to_count: Vec<&PodView> = pods
            .iter()
            .filter(|p| p.tracked)
            .filter(|p| {
                p.phase == "Succeeded"
                    || is_failed(p)
                    || (finish.as_ref().is_some_and(|f| f.type_ == "FailureTarget") && p.deleting)
            })
            .collect();
        let uncounted = status.uncounted_terminated_pods.get_or_insert_with(UncountedTerminatedPods::default);
        for p in &to_count {
            let (list, counts) = if p.phase == "Succeeded" {
                (&mut uncounted.succeeded, !indexed)
            } else {
                let counts = policy.as_ref().is_none_or(|pol| match_pod_failure_policy(pol, &p.pod).1);
                (&mut uncounted.failed, counts)
            };
            let list = list.get_or_insert_with(Vec::new);
            if counts && !list.contains(&p.uid) {
                list.push(p.uid.clone());
            }
        }
        if indexed {
            status.completed_indexes = Some(format_indexes(&done_indexes));
        }
        let pending_uncounted = uncounted.succeeded.as_ref().is_some_and(|v| !v.is_empty())
            || uncounted.failed.as_ref().is_some_and(|v| !v.is_empty());
        if pending_uncounted || !to_count.is_empty() {
            self.write_job_status(
                job.clone(),
                &format!("Job {name}: finished pods recorded in uncountedTerminatedPods"),
            );
            for p in &to_count {
                if let Some(current) = self.store.get(&ObjectKey::new(Kind::Pod, &ns, &p.name)).cloned() {
                    let why = format!(
                        "Job {name} counted the pod ({}): tracking finalizer removed",
                        if p.phase == "Succeeded" { "succeeded" } else { "failed" }
                    );
                    self.remove_tracking_finalizer(current, &why);
                }
            }
            let status = job.status.as_mut().expect("set");
            let uncounted = status.uncounted_terminated_pods.get_or_insert_with(Default::default);
            if !indexed {
                let s = uncounted.succeeded.take().unwrap_or_default().len() as i32;
                status.succeeded = Some(status.succeeded.unwrap_or(0) + s).filter(|n| *n > 0);
            } else {
                uncounted.succeeded = None;
                status.succeeded = Some(succeeded).filter(|n| *n > 0);
            }
            let f = uncounted.failed.take().unwrap_or_default().len() as i32;
            status.failed = Some(status.failed.unwrap_or(0) + f).filter(|n| *n > 0);
        } else if indexed {
            status.succeeded = Some(succeeded).filter(|n| *n > 0);
        }
        let _ = new_succeeded_uids;
        // enactJobFinished: the terminal condition once nothing is uncounted or still terminating.
        let mut finished_now = None;
        if let Some(f) = &finish {
            let status = job.status.as_mut().expect("set");
            if terminating == 0 {
                let final_type = if f.type_ == "SuccessCriteriaMet" { "Complete" } else { "Failed" };
                let conds = status.conditions.get_or_insert_with(Vec::new);
                if condition(conds, final_type).is_none() {
                    conds.push(new_condition(final_type, &f.reason, &f.message, now));
                    if final_type == "Complete" {
                        status.completion_time = Some(api_time(now));
                    }
                    finished_now = Some((final_type, f.clone()));
                }
            }
        }
        if job.status != before {
            let why = match &finished_now {
                Some(("Complete", _)) => format!("Job {name} completed: {succeeded} pods succeeded"),
                Some((_, f)) => format!("Job {name} failed: {}", f.message),
                None => format!("Job {name} status: {active} active, {succeeded} succeeded, {failed} failed"),
            };
            self.write_job_status(job.clone(), &why);
        }
        if let Some((type_, f)) = finished_now {
            let obj = Object::from(job);
            if type_ == "Complete" {
                self.emit_event(&obj, "Normal", "Completed", "Job completed", &Reporter::component(ACTOR));
            } else {
                self.emit_event(&obj, "Warning", &f.reason, &f.message, &Reporter::component(ACTOR));
            }
        }
    }

    fn current_job(&self, ns: &str, name: &str) -> Option<Job> {
        match self.store.get(&ObjectKey::new(Kind::Job, ns, name)) {
            Some(Object::Job(j)) => Some((**j).clone()),
            _ => None,
        }
    }

    fn write_job_status(&mut self, job: Job, reason: &str) {
        let key = ObjectKey::new(
            Kind::Job,
            job.metadata.namespace.as_deref().unwrap_or_default(),
            job.metadata.name.as_deref().unwrap_or_default(),
        );
        let Some(Object::Job(current)) = self.store.get(&key) else { return };
        if current.status == job.status {
            return;
        }
        let mut updated = (**current).clone();
        updated.status = job.status;
        self.store.replace(Object::from(updated));
        self.record(ACTOR, Change::Updated, &key, reason);
    }

    fn delete_job_pod(&mut self, job: &Object, p: &PodView, reason: &str) {
        let ns = job.namespace().to_string();
        let Some(current) = self.store.get(&ObjectKey::new(Kind::Pod, &ns, &p.name)).cloned() else { return };
        self.delete_object_with_grace(ACTOR, current, Some(Propagation::Background), None);
        self.log.amend_last_reason(reason.to_string());
        self.emit_event(
            job,
            "Normal",
            "SuccessfulDelete",
            &format!("Deleted pod: {}", p.name),
            &Reporter::component(ACTOR),
        );
    }

    /// Creates one pod from the Job's template, as `podControl.CreatePodsWithGenerateName` does.
    fn create_job_pod(&mut self, job: &Job, index: Option<i32>, because: &str) -> bool {
        let name = job.metadata.name.clone().unwrap_or_default();
        let ns = job.metadata.namespace.clone().unwrap_or_default();
        let spec = job.spec.clone().unwrap_or_default();
        let template = spec.template;
        let tmeta = template.metadata.unwrap_or_default();
        let mut pod_spec = template.spec.unwrap_or_default();
        let mut labels = tmeta.labels.unwrap_or_default();
        let mut annotations = tmeta.annotations.unwrap_or_default();
        let generate_name = match index {
            Some(i) => {
                labels.insert(COMPLETION_INDEX_KEY.into(), i.to_string());
                annotations.insert(COMPLETION_INDEX_KEY.into(), i.to_string());
                if pod_spec.hostname.is_none() {
                    pod_spec.hostname = Some(format!("{name}-{i}"));
                }
                // addCompletionIndexEnvVariables: every container reads its index through the downward API.
                for c in pod_spec.init_containers.iter_mut().flatten().chain(pod_spec.containers.iter_mut()) {
                    let env = c.env.get_or_insert_with(Vec::new);
                    if !env.iter().any(|e| e.name == "JOB_COMPLETION_INDEX") {
                        env.push(EnvVar {
                            name: "JOB_COMPLETION_INDEX".into(),
                            value: None,
                            value_from: Some(EnvVarSource {
                                field_ref: Some(ObjectFieldSelector {
                                    api_version: None,
                                    field_path: format!("metadata.labels['{COMPLETION_INDEX_KEY}']"),
                                }),
                                ..Default::default()
                            }),
                        });
                    }
                }
                format!("{name}-{i}-")
            }
            None => format!("{name}-"),
        };
        let pod = Pod {
            metadata: ObjectMeta {
                generate_name: Some(generate_name),
                namespace: Some(ns.clone()),
                labels: (!labels.is_empty()).then_some(labels),
                annotations: (!annotations.is_empty()).then_some(annotations),
                finalizers: Some(vec![JOB_TRACKING_FINALIZER.into()]),
                owner_references: Some(vec![OwnerReference {
                    api_version: "batch/v1".into(),
                    kind: "Job".into(),
                    name: name.clone(),
                    uid: job.metadata.uid.clone().unwrap_or_default(),
                    controller: Some(true),
                    block_owner_deletion: Some(true),
                }]),
                ..Default::default()
            },
            spec: Some(pod_spec),
            status: None,
        };
        let req = Request::new(Verb::Create, Kind::Pod).namespace(&ns).body(Object::from(pod).to_json());
        match self.handle(ACTOR, req).result {
            Ok(body) => {
                let pod_name = match body {
                    crate::apiserver::Body::Object(o) => o.name().to_string(),
                    _ => String::new(),
                };
                self.log.amend_last_reason(format!("{because}: created {pod_name}"));
                if let Some(obj) = self.store.get(&ObjectKey::new(Kind::Job, &ns, &name)).cloned() {
                    self.emit_event(
                        &obj,
                        "Normal",
                        "SuccessfulCreate",
                        &format!("Created pod: {pod_name}"),
                        &Reporter::component(ACTOR),
                    );
                }
                true
            }
            Err(e) => {
                if let Some(obj) = self.store.get(&ObjectKey::new(Kind::Job, &ns, &name)).cloned() {
                    self.emit_event(
                        &obj,
                        "Warning",
                        "FailedCreate",
                        &format!("Error creating: {}", e.message),
                        &Reporter::component(ACTOR),
                    );
                }
                false
            }
        }
    }

    /// The TTL-after-finished controller: a finished Job with `ttlSecondsAfterFinished` is deleted (foreground,
    /// so its pods go first) once that many seconds have passed since it finished.
    fn expire_finished_jobs(&mut self) {
        let now = self.clock.now();
        let expired: Vec<(Object, u64)> = self
            .store
            .list(Kind::Job, None)
            .filter(|o| o.metadata().deletion_timestamp.is_none())
            .filter_map(|o| match o {
                Object::Job(j) => {
                    let ttl = j.spec.as_ref()?.ttl_seconds_after_finished?;
                    let (_, at) = job_finished(j)?;
                    (now >= at + ttl.max(0) as u64 * 1000).then(|| (o.clone(), ttl.max(0) as u64))
                }
                _ => None,
            })
            .collect();
        for (job, ttl) in expired {
            let name = job.name().to_string();
            self.delete_object(TTL_ACTOR, job, Some(Propagation::Foreground));
            self.log.amend_last_reason(format!(
                "Job {name} finished more than ttlSecondsAfterFinished ({ttl}s) ago: deleted"
            ));
        }
    }

    /// When some Job next needs its controller on its own: a back-off ending, a deadline, a TTL running out.
    pub(crate) fn job_wakeup(&self) -> Option<Millis> {
        let now = self.clock.now();
        let mut next: Option<Millis> = None;
        let mut consider = |t: Millis| {
            if t > now {
                next = Some(next.map_or(t, |n: Millis| n.min(t)));
            }
        };
        for obj in self.store.list(Kind::Job, None) {
            let Object::Job(job) = obj else { continue };
            let spec = job.spec.clone().unwrap_or_default();
            if let Some((_, at)) = job_finished(job) {
                if let Some(ttl) = spec.ttl_seconds_after_finished {
                    consider(at + ttl.max(0) as u64 * 1000);
                }
                continue;
            }
            let status = job.status.clone().unwrap_or_default();
            if let (Some(d), Some(start)) = (spec.active_deadline_seconds, status.start_time.as_ref()) {
                consider(sim_millis(start) + d.max(0) as u64 * 1000);
            }
            let only_failed = spec.pod_replacement_policy.as_deref() == Some("Failed");
            let pods = self.job_pods(job);
            let is_failed = |p: &PodView| p.phase == "Failed" || (!only_failed && p.deleting && p.phase != "Succeeded");
            let (failures, last) = failures_since_success(&pods, &is_failed);
            if failures > 0 {
                consider(last + pod_failure_backoff(failures));
            }
        }
        next
    }
}

/// The back-off record (`newBackoffRecord`): failures since the last success and when the last one happened,
/// read off the Job's pods.
fn failures_since_success(pods: &[PodView], is_failed: &dyn Fn(&PodView) -> bool) -> (u32, Millis) {
    let last_success = pods.iter().filter(|p| p.phase == "Succeeded").filter_map(|p| p.finished_at).max();
    let failures: Vec<Millis> = pods
        .iter()
        .filter(|p| is_failed(p))
        .filter_map(|p| p.finished_at)
        .filter(|t| last_success.is_none_or(|s| *t > s))
        .collect();
    (failures.len() as u32, failures.iter().copied().max().unwrap_or(0))
}

fn new_condition(type_: &str, reason: &str, message: &str, now: Millis) -> JobCondition {
    JobCondition {
        type_: type_.into(),
        status: "True".into(),
        last_probe_time: Some(api_time(now)),
        last_transition_time: Some(api_time(now)),
        reason: (!reason.is_empty()).then(|| reason.to_string()),
        message: (!message.is_empty()).then(|| message.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pod_failure_backoff_doubles_from_ten_seconds_to_ten_minutes() {
        let table = [(0, 0), (1, 10), (2, 20), (3, 40), (4, 80), (5, 160), (6, 320), (7, 600), (8, 600), (40, 600)];
        for (failures, secs) in table {
            assert_eq!(pod_failure_backoff(failures), secs * 1000, "{failures} failures");
        }
        assert_eq!(remaining_backoff(3, 100_000, 125_000), 15_000);
        assert_eq!(remaining_backoff(3, 100_000, 140_000), 0);
        assert_eq!(remaining_backoff(0, 100_000, 100_000), 0);
    }

    #[test]
    fn want_active_follows_manage_job() {
        let table = [
            ((2, Some(5), 4, 1), 1),
            ((3, Some(5), 0, 0), 3),
            ((3, Some(5), 5, 0), 0),
            ((3, None, 0, 0), 3),
            ((3, None, 1, 2), 2),
            ((1, Some(1), 0, 0), 1),
        ];
        for ((p, c, s, a), want) in table {
            assert_eq!(want_active(p, c, s, a), want, "{p} {c:?} {s} {a}");
        }
    }

    #[test]
    fn completed_indexes_round_trip() {
        let table: [(&[i32], &str); 5] =
            [(&[], ""), (&[0], "0"), (&[0, 1], "0-1"), (&[0, 1, 2, 4, 6, 7], "0-2,4,6-7"), (&[3, 5, 9], "3,5,9")];
        for (set, text) in table {
            let set: BTreeSet<i32> = set.iter().copied().collect();
            assert_eq!(format_indexes(&set), text);
            assert_eq!(parse_indexes(text), set);
        }
    }

    /// Property: whatever happens (pods failing, pods deleted, a node stopping, parallelism changed), a Job never
    /// has more active pods than its parallelism. Random sequences drawn from the engine's seeded RNG.
    #[test]
    fn jobs_never_exceed_parallelism() {
        use crate::apiserver::{Request, Verb};
        for seed in 0..12u64 {
            let mut cluster = Cluster::new(seed);
            let mut rng = crate::rng::Rng::new(seed ^ 0x5eed);
            let parallelism = 1 + rng.below(4) as i64;
            let completions = 1 + rng.below(8) as i64;
            let fails = rng.below(2) == 0;
            let body = serde_json::json!({
                "apiVersion": "batch/v1", "kind": "Job",
                "metadata": {"name": "p"},
                "spec": {"parallelism": parallelism, "completions": completions, "backoffLimit": 3,
                    "template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox:1.36",
                        "command": ["sh", "-c", if fails { "sleep 3; exit 1" } else { "sleep 4" }]}]}}}
            });
            let res = cluster.handle("test", Request::new(Verb::Create, Kind::Job).namespace("default").body(body));
            assert!(res.result.is_ok(), "{:?}", res.result.err());
            let mut limit = parallelism;
            for _ in 0..40 {
                match rng.below(6) {
                    0 => {
                        let pods: Vec<String> =
                            cluster.store().list(Kind::Pod, Some("default")).map(|p| p.name().to_string()).collect();
                        if !pods.is_empty() {
                            let name = pods[rng.below(pods.len() as u64) as usize].clone();
                            let _ = cluster
                                .handle("test", Request::new(Verb::Delete, Kind::Pod).namespace("default").name(name));
                        }
                    }
                    1 => {
                        limit = rng.below(5) as i64;
                        let patch = serde_json::json!({"spec": {"parallelism": limit}});
                        let req = Request::new(Verb::Patch, Kind::Job).namespace("default").name("p").body(patch);
                        assert!(cluster.handle("test", req).result.is_ok());
                    }
                    2 if rng.below(4) == 0 => {
                        let _ = cluster.stop_node("worker-1");
                    }
                    3 if rng.below(4) == 0 => {
                        let _ = cluster.start_node("worker-1");
                    }
                    _ => cluster.step(1_000 + rng.below(30_000)),
                }
                cluster.settle();
                let active = cluster
                    .store()
                    .list(Kind::Pod, Some("default"))
                    .filter(|p| p.metadata().deletion_timestamp.is_none())
                    .filter(|p| !matches!(p.to_json()["status"]["phase"].as_str(), Some("Succeeded" | "Failed")))
                    .count() as i64;
                assert!(active <= limit, "seed {seed}: {active} active pods, parallelism {limit}");
            }
        }
    }
}
