//! Defaults of the workload kinds: Deployment, ReplicaSet, StatefulSet, DaemonSet
//! (`pkg/apis/apps/v1/defaults.go`) and Job, CronJob (`pkg/apis/batch/v1/defaults.go`), each followed by the
//! pod-template defaults their generated defaulters apply.

use k8s_openapi::api::apps::v1::{
    DaemonSet, DaemonSetUpdateStrategy, Deployment, DeploymentStrategy, ReplicaSet, RollingUpdateDaemonSet,
    RollingUpdateDeployment, RollingUpdateStatefulSetStrategy, StatefulSet,
    StatefulSetPersistentVolumeClaimRetentionPolicy, StatefulSetUpdateStrategy,
};
use k8s_openapi::api::batch::v1::{CronJob, Job, JobSpec};
use k8s_openapi::api::core::v1::{PersistentVolumeClaimStatus, PodSpec, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::pod::{default_pod_spec, default_pvc_spec};

fn default_template(template: &mut PodTemplateSpec) {
    default_pod_spec(template.spec.get_or_insert_with(PodSpec::default));
}

/// `SetDefaults_Deployment`.
pub fn deployment(d: &mut Deployment) {
    let spec = d.spec.get_or_insert_with(Default::default);
    spec.replicas.get_or_insert(1);
    let strategy = spec.strategy.get_or_insert_with(DeploymentStrategy::default);
    if strategy.type_.as_deref().unwrap_or_default().is_empty() {
        strategy.type_ = Some("RollingUpdate".to_string());
    }
    if strategy.type_.as_deref() == Some("RollingUpdate") {
        let ru = strategy.rolling_update.get_or_insert_with(RollingUpdateDeployment::default);
        ru.max_unavailable.get_or_insert_with(|| IntOrString::String("25%".to_string()));
        ru.max_surge.get_or_insert_with(|| IntOrString::String("25%".to_string()));
    }
    spec.revision_history_limit.get_or_insert(10);
    spec.progress_deadline_seconds.get_or_insert(600);
    default_template(&mut spec.template);
}

/// `SetDefaults_ReplicaSet`.
pub fn replica_set(rs: &mut ReplicaSet) {
    let spec = rs.spec.get_or_insert_with(Default::default);
    spec.replicas.get_or_insert(1);
    if let Some(template) = spec.template.as_mut() {
        default_template(template);
    }
}

/// `SetDefaults_StatefulSet`. The PVC retention policy is defaulted because StatefulSetAutoDeletePVC is GA;
/// `rollingUpdate.maxUnavailable` is not, because MaxUnavailableStatefulSet is off by default in v1.34.
pub fn stateful_set(s: &mut StatefulSet) {
    let spec = s.spec.get_or_insert_with(Default::default);
    if spec.pod_management_policy.as_deref().unwrap_or_default().is_empty() {
        spec.pod_management_policy = Some("OrderedReady".to_string());
    }
    let strategy = spec.update_strategy.get_or_insert_with(StatefulSetUpdateStrategy::default);
    if strategy.type_.as_deref().unwrap_or_default().is_empty() {
        strategy.type_ = Some("RollingUpdate".to_string());
        strategy.rolling_update.get_or_insert_with(RollingUpdateStatefulSetStrategy::default);
    }
    if strategy.type_.as_deref() == Some("RollingUpdate") {
        if let Some(ru) = strategy.rolling_update.as_mut() {
            ru.partition.get_or_insert(0);
        }
    }
    let retention = spec
        .persistent_volume_claim_retention_policy
        .get_or_insert_with(StatefulSetPersistentVolumeClaimRetentionPolicy::default);
    for policy in [&mut retention.when_deleted, &mut retention.when_scaled] {
        if policy.as_deref().unwrap_or_default().is_empty() {
            *policy = Some("Retain".to_string());
        }
    }
    spec.replicas.get_or_insert(1);
    spec.revision_history_limit.get_or_insert(10);
    default_template(&mut spec.template);
    // Claim templates get the PVC defaults, status phase included (`SetDefaults_PersistentVolumeClaim`).
    for claim in spec.volume_claim_templates.iter_mut().flatten() {
        default_pvc_spec(claim.spec.get_or_insert_with(Default::default));
        let status = claim.status.get_or_insert_with(PersistentVolumeClaimStatus::default);
        if status.phase.as_deref().unwrap_or_default().is_empty() {
            status.phase = Some("Pending".to_string());
        }
    }
}

/// `SetDefaults_DaemonSet`.
pub fn daemon_set(ds: &mut DaemonSet) {
    let spec = ds.spec.get_or_insert_with(Default::default);
    let strategy = spec.update_strategy.get_or_insert_with(DaemonSetUpdateStrategy::default);
    if strategy.type_.as_deref().unwrap_or_default().is_empty() {
        strategy.type_ = Some("RollingUpdate".to_string());
    }
    if strategy.type_.as_deref() == Some("RollingUpdate") {
        let ru = strategy.rolling_update.get_or_insert_with(RollingUpdateDaemonSet::default);
        ru.max_unavailable.get_or_insert(IntOrString::Int(1));
        ru.max_surge.get_or_insert(IntOrString::Int(0));
    }
    spec.revision_history_limit.get_or_insert(10);
    default_template(&mut spec.template);
}

/// The pod failure policy pattern default (`SetDefaults_PodFailurePolicyOnPodConditionsPattern`), which the
/// generated defaulters apply wherever a JobSpec appears, CronJob templates included.
fn default_pod_failure_policy(spec: &mut JobSpec) {
    for rule in spec.pod_failure_policy.iter_mut().flat_map(|p| p.rules.iter_mut()) {
        for pattern in rule.on_pod_conditions.iter_mut().flatten() {
            if pattern.status.is_empty() {
                pattern.status = "True".to_string();
            }
        }
    }
}

/// `SetDefaults_Job`. The selector and the controller-uid / job-name labels need the Job's uid, so they are
/// added on create by [`crate::admission::prepare_job_selector`], which the API server layer calls.
pub fn job(j: &mut Job) {
    let spec = j.spec.get_or_insert_with(Default::default);
    if spec.completions.is_none() && spec.parallelism.is_none() {
        spec.completions = Some(1);
        spec.parallelism = Some(1);
    }
    spec.parallelism.get_or_insert(1);
    if spec.backoff_limit.is_none() {
        spec.backoff_limit = Some(if spec.backoff_limit_per_index.is_some() { i32::MAX } else { 6 });
    }
    let template_labels = spec.template.metadata.as_ref().and_then(|m| m.labels.clone()).filter(|l| !l.is_empty());
    if let Some(labels) = template_labels {
        if j.metadata.labels.as_ref().is_none_or(|l| l.is_empty()) {
            j.metadata.labels = Some(labels);
        }
    }
    if spec.completion_mode.as_deref().unwrap_or_default().is_empty() {
        spec.completion_mode = Some("NonIndexed".to_string());
    }
    spec.suspend.get_or_insert(false);
    default_pod_failure_policy(spec);
    if spec.pod_replacement_policy.is_none() {
        let policy = if spec.pod_failure_policy.is_some() { "Failed" } else { "TerminatingOrFailed" };
        spec.pod_replacement_policy = Some(policy.to_string());
    }
    spec.manual_selector.get_or_insert(false);
    default_template(&mut spec.template);
}

/// `SetDefaults_CronJob`. The job template gets pod-template defaults, not the Job defaults: those apply when
/// the controller creates each Job.
pub fn cron_job(c: &mut CronJob) {
    let spec = c.spec.get_or_insert_with(Default::default);
    if spec.concurrency_policy.as_deref().unwrap_or_default().is_empty() {
        spec.concurrency_policy = Some("Allow".to_string());
    }
    spec.suspend.get_or_insert(false);
    spec.successful_jobs_history_limit.get_or_insert(3);
    spec.failed_jobs_history_limit.get_or_insert(1);
    let job_spec = spec.job_template.spec.get_or_insert_with(Default::default);
    default_pod_failure_policy(job_spec);
    default_template(&mut job_spec.template);
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::apps::v1::{DeploymentSpec, StatefulSetSpec};
    use k8s_openapi::api::core::v1::PersistentVolumeClaim;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    #[test]
    fn deployment_defaults() {
        let mut d = Deployment { spec: Some(DeploymentSpec::default()), ..Default::default() };
        deployment(&mut d);
        let spec = d.spec.unwrap_or_default();
        assert_eq!(spec.replicas, Some(1));
        assert_eq!(spec.revision_history_limit, Some(10));
        assert_eq!(spec.progress_deadline_seconds, Some(600));
        let strategy = spec.strategy.unwrap_or_default();
        assert_eq!(strategy.type_.as_deref(), Some("RollingUpdate"));
        let ru = strategy.rolling_update.unwrap_or_default();
        assert_eq!(ru.max_surge, Some(IntOrString::String("25%".into())));
        assert_eq!(ru.max_unavailable, Some(IntOrString::String("25%".into())));
        assert_eq!(spec.template.spec.and_then(|s| s.restart_policy).as_deref(), Some("Always"));
    }

    #[test]
    fn recreate_gets_no_rolling_update() {
        let strategy = DeploymentStrategy { type_: Some("Recreate".into()), rolling_update: None };
        let mut d = Deployment {
            spec: Some(DeploymentSpec { strategy: Some(strategy), ..Default::default() }),
            ..Default::default()
        };
        deployment(&mut d);
        assert!(d.spec.and_then(|s| s.strategy).and_then(|s| s.rolling_update).is_none());
    }

    #[test]
    fn statefulset_defaults() {
        let claim = PersistentVolumeClaim { metadata: ObjectMeta::default(), ..Default::default() };
        let mut s = StatefulSet {
            spec: Some(StatefulSetSpec { volume_claim_templates: Some(vec![claim]), ..Default::default() }),
            ..Default::default()
        };
        stateful_set(&mut s);
        let spec = s.spec.unwrap_or_default();
        assert_eq!(spec.pod_management_policy.as_deref(), Some("OrderedReady"));
        let strategy = spec.update_strategy.unwrap_or_default();
        assert_eq!(strategy.type_.as_deref(), Some("RollingUpdate"));
        assert_eq!(strategy.rolling_update.and_then(|r| r.partition), Some(0));
        let retention = spec.persistent_volume_claim_retention_policy.unwrap_or_default();
        assert_eq!(
            (retention.when_deleted.as_deref(), retention.when_scaled.as_deref()),
            (Some("Retain"), Some("Retain"))
        );
        let claim = &spec.volume_claim_templates.unwrap_or_default()[0];
        assert_eq!(claim.spec.as_ref().and_then(|s| s.volume_mode.as_deref()), Some("Filesystem"));
        assert_eq!(claim.status.as_ref().and_then(|s| s.phase.as_deref()), Some("Pending"));
    }

    #[test]
    fn daemonset_and_job_and_cronjob_defaults() {
        let mut ds = DaemonSet::default();
        daemon_set(&mut ds);
        let ru = ds.spec.and_then(|s| s.update_strategy).and_then(|u| u.rolling_update).unwrap_or_default();
        assert_eq!((ru.max_unavailable, ru.max_surge), (Some(IntOrString::Int(1)), Some(IntOrString::Int(0))));

        let mut j = Job::default();
        job(&mut j);
        let spec = j.spec.unwrap_or_default();
        assert_eq!((spec.completions, spec.parallelism, spec.backoff_limit), (Some(1), Some(1), Some(6)));
        assert_eq!(spec.completion_mode.as_deref(), Some("NonIndexed"));
        assert_eq!((spec.suspend, spec.manual_selector), (Some(false), Some(false)));
        assert_eq!(spec.pod_replacement_policy.as_deref(), Some("TerminatingOrFailed"));

        let mut work_queue =
            Job { spec: Some(JobSpec { parallelism: Some(3), ..Default::default() }), ..Default::default() };
        job(&mut work_queue);
        assert_eq!(work_queue.spec.and_then(|s| s.completions), None);

        let mut c = CronJob::default();
        cron_job(&mut c);
        let spec = c.spec.unwrap_or_default();
        assert_eq!(spec.concurrency_policy.as_deref(), Some("Allow"));
        assert_eq!((spec.successful_jobs_history_limit, spec.failed_jobs_history_limit), (Some(3), Some(1)));
        assert_eq!(spec.job_template.spec.and_then(|s| s.backoff_limit), None);
    }
}
