//! Workload controllers: `printDeployment`, `printReplicaSet`, `printStatefulSet`, `printDaemonSet`,
//! `printJob` and `printCronJob`.

use engine::api::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use engine::api::api::batch::v1::{CronJob, Job, JobCondition};
use engine::api::api::core::v1::{Container, PodTemplateSpec};
use engine::clock::Millis;

use super::selector::{format_label_selector, format_labels, selector_string};
use super::{col, container_cells, human_signed, human_since, instant_ms, since, wide, Col};

const CONTAINERS_IMAGES_SELECTOR: [Col; 3] = [wide("CONTAINERS"), wide("IMAGES"), wide("SELECTOR")];

pub(super) const DEPLOYMENT_COLUMNS: &[Col] = &[
    col("NAME"),
    col("READY"),
    col("UP-TO-DATE"),
    col("AVAILABLE"),
    col("AGE"),
    CONTAINERS_IMAGES_SELECTOR[0],
    CONTAINERS_IMAGES_SELECTOR[1],
    CONTAINERS_IMAGES_SELECTOR[2],
];

pub(super) const REPLICA_SET_COLUMNS: &[Col] = &[
    col("NAME"),
    col("DESIRED"),
    col("CURRENT"),
    col("READY"),
    col("AGE"),
    CONTAINERS_IMAGES_SELECTOR[0],
    CONTAINERS_IMAGES_SELECTOR[1],
    CONTAINERS_IMAGES_SELECTOR[2],
];

pub(super) const STATEFUL_SET_COLUMNS: &[Col] =
    &[col("NAME"), col("READY"), col("AGE"), wide("CONTAINERS"), wide("IMAGES")];

pub(super) const DAEMON_SET_COLUMNS: &[Col] = &[
    col("NAME"),
    col("DESIRED"),
    col("CURRENT"),
    col("READY"),
    col("UP-TO-DATE"),
    col("AVAILABLE"),
    col("NODE SELECTOR"),
    col("AGE"),
    CONTAINERS_IMAGES_SELECTOR[0],
    CONTAINERS_IMAGES_SELECTOR[1],
    CONTAINERS_IMAGES_SELECTOR[2],
];

pub(super) const JOB_COLUMNS: &[Col] = &[
    col("NAME"),
    col("STATUS"),
    col("COMPLETIONS"),
    col("DURATION"),
    col("AGE"),
    CONTAINERS_IMAGES_SELECTOR[0],
    CONTAINERS_IMAGES_SELECTOR[1],
    CONTAINERS_IMAGES_SELECTOR[2],
];

pub(super) const CRON_JOB_COLUMNS: &[Col] = &[
    col("NAME"),
    col("SCHEDULE"),
    col("TIMEZONE"),
    col("SUSPEND"),
    col("ACTIVE"),
    col("LAST SCHEDULE"),
    col("AGE"),
    CONTAINERS_IMAGES_SELECTOR[0],
    CONTAINERS_IMAGES_SELECTOR[1],
    CONTAINERS_IMAGES_SELECTOR[2],
];

fn template_containers(t: Option<&PodTemplateSpec>) -> &[Container] {
    t.and_then(|t| t.spec.as_ref()).map(|s| s.containers.as_slice()).unwrap_or_default()
}

pub(super) fn deployment_cells(d: &Deployment, now: Millis) -> Vec<String> {
    let spec = d.spec.as_ref();
    let status = d.status.clone().unwrap_or_default();
    let (names, images) = container_cells(template_containers(spec.map(|s| &s.template)));
    // printDeployment prints the selector itself: empty rather than `<none>`, `<invalid>` on error.
    let selector = selector_string(spec.map(|s| &s.selector)).unwrap_or_else(|()| "<invalid>".to_string());
    vec![
        d.metadata.name.clone().unwrap_or_default(),
        format!("{}/{}", status.ready_replicas.unwrap_or(0), spec.and_then(|s| s.replicas).unwrap_or(0)),
        status.updated_replicas.unwrap_or(0).to_string(),
        status.available_replicas.unwrap_or(0).to_string(),
        since(d.metadata.creation_timestamp.as_ref(), now),
        names,
        images,
        selector,
    ]
}

pub(super) fn replica_set_cells(rs: &ReplicaSet, now: Millis) -> Vec<String> {
    let spec = rs.spec.as_ref();
    let status = rs.status.clone().unwrap_or_default();
    let (names, images) = container_cells(template_containers(spec.and_then(|s| s.template.as_ref())));
    vec![
        rs.metadata.name.clone().unwrap_or_default(),
        spec.and_then(|s| s.replicas).unwrap_or(0).to_string(),
        status.replicas.to_string(),
        status.ready_replicas.unwrap_or(0).to_string(),
        since(rs.metadata.creation_timestamp.as_ref(), now),
        names,
        images,
        format_label_selector(spec.map(|s| &s.selector)),
    ]
}

pub(super) fn stateful_set_cells(sts: &StatefulSet, now: Millis) -> Vec<String> {
    let spec = sts.spec.as_ref();
    let ready = sts.status.as_ref().and_then(|s| s.ready_replicas).unwrap_or(0);
    let (names, images) = container_cells(template_containers(spec.map(|s| &s.template)));
    vec![
        sts.metadata.name.clone().unwrap_or_default(),
        format!("{ready}/{}", spec.and_then(|s| s.replicas).unwrap_or(0)),
        since(sts.metadata.creation_timestamp.as_ref(), now),
        names,
        images,
    ]
}

pub(super) fn daemon_set_cells(ds: &DaemonSet, now: Millis) -> Vec<String> {
    let spec = ds.spec.as_ref();
    let status = ds.status.clone().unwrap_or_default();
    let template = spec.map(|s| &s.template);
    let node_selector = template.and_then(|t| t.spec.as_ref()).and_then(|s| s.node_selector.as_ref());
    let (names, images) = container_cells(template_containers(template));
    vec![
        ds.metadata.name.clone().unwrap_or_default(),
        status.desired_number_scheduled.to_string(),
        status.current_number_scheduled.to_string(),
        status.number_ready.to_string(),
        status.updated_number_scheduled.unwrap_or(0).to_string(),
        status.number_available.unwrap_or(0).to_string(),
        format_labels(node_selector),
        since(ds.metadata.creation_timestamp.as_ref(), now),
        names,
        images,
        format_label_selector(spec.map(|s| &s.selector)),
    ]
}

/// `hasJobCondition`: the first condition of the type decides.
fn has_condition(conditions: &[JobCondition], type_: &str) -> bool {
    conditions.iter().find(|c| c.type_ == type_).is_some_and(|c| c.status == "True")
}

pub(super) fn job_cells(job: &Job, now: Millis) -> Vec<String> {
    let spec = job.spec.as_ref();
    let status = job.status.clone().unwrap_or_default();
    let succeeded = status.succeeded.unwrap_or(0);
    let completions = match spec.and_then(|s| s.completions) {
        Some(c) => format!("{succeeded}/{c}"),
        None => match spec.and_then(|s| s.parallelism).unwrap_or(0) {
            p if p > 1 => format!("{succeeded}/1 of {p}"),
            _ => format!("{succeeded}/1"),
        },
    };
    // Running (or failed, which sets no completionTime) jobs count up to now.
    let duration = match (&status.start_time, &status.completion_time) {
        (None, _) => String::new(),
        (Some(start), None) => human_since(instant_ms(&start.0), now),
        (Some(start), Some(end)) => human_signed(instant_ms(&end.0).saturating_sub(instant_ms(&start.0))),
    };
    let conditions = status.conditions.as_deref().unwrap_or_default();
    let state = if has_condition(conditions, "Complete") {
        "Complete"
    } else if has_condition(conditions, "Failed") {
        "Failed"
    } else if job.metadata.deletion_timestamp.is_some() {
        "Terminating"
    } else if has_condition(conditions, "Suspended") {
        "Suspended"
    } else if has_condition(conditions, "FailureTarget") {
        "FailureTarget"
    } else {
        "Running"
    };
    let (names, images) = container_cells(template_containers(spec.map(|s| &s.template)));
    vec![
        job.metadata.name.clone().unwrap_or_default(),
        state.to_string(),
        completions,
        duration,
        since(job.metadata.creation_timestamp.as_ref(), now),
        names,
        images,
        format_label_selector(spec.and_then(|s| s.selector.as_ref())),
    ]
}

pub(super) fn cron_job_cells(cj: &CronJob, now: Millis) -> Vec<String> {
    let spec = cj.spec.as_ref();
    let status = cj.status.as_ref();
    let job_spec = spec.and_then(|s| s.job_template.spec.as_ref());
    let last_schedule = match status.and_then(|s| s.last_schedule_time.as_ref()) {
        Some(t) => since(Some(t), now),
        None => "<none>".to_string(),
    };
    // printBoolPtr: an unset pointer prints `<unset>`.
    let suspend = match spec.and_then(|s| s.suspend) {
        Some(true) => "True",
        Some(false) => "False",
        None => "<unset>",
    };
    let (names, images) = container_cells(template_containers(job_spec.map(|s| &s.template)));
    vec![
        cj.metadata.name.clone().unwrap_or_default(),
        spec.map(|s| s.schedule.clone()).unwrap_or_default(),
        spec.and_then(|s| s.time_zone.clone()).unwrap_or_else(|| "<none>".to_string()),
        suspend.to_string(),
        status.and_then(|s| s.active.as_ref()).map_or(0, Vec::len).to_string(),
        last_schedule,
        since(cj.metadata.creation_timestamp.as_ref(), now),
        names,
        images,
        format_label_selector(job_spec.and_then(|s| s.selector.as_ref())),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::api::api::apps::v1::{
        DaemonSetSpec, DaemonSetStatus, DeploymentSpec, DeploymentStatus, ReplicaSetSpec, ReplicaSetStatus,
        StatefulSetSpec, StatefulSetStatus,
    };
    use engine::api::api::batch::v1::{CronJobSpec, CronJobStatus, JobSpec, JobStatus, JobTemplateSpec};
    use engine::api::api::core::v1::{ObjectReference, PodSpec};
    use engine::api::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
    use engine::clock::api_time;

    const S: Millis = 1000;
    const NOW: Millis = 3 * 3600 * S;

    fn meta(name: &str, created: Millis) -> ObjectMeta {
        ObjectMeta { name: Some(name.into()), creation_timestamp: Some(api_time(created)), ..Default::default() }
    }

    fn template(containers: &[(&str, &str)], node_selector: &[(&str, &str)]) -> PodTemplateSpec {
        PodTemplateSpec {
            spec: Some(PodSpec {
                containers: containers
                    .iter()
                    .map(|(n, i)| Container { name: n.to_string(), image: Some(i.to_string()), ..Default::default() })
                    .collect(),
                node_selector: (!node_selector.is_empty())
                    .then(|| node_selector.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    fn selector(pairs: &[(&str, &str)]) -> LabelSelector {
        LabelSelector {
            match_labels: Some(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()),
            ..Default::default()
        }
    }

    #[test]
    fn deployments() {
        let d = Deployment {
            metadata: meta("web", NOW - 190 * S),
            spec: Some(DeploymentSpec {
                replicas: Some(3),
                selector: selector(&[("app", "web")]),
                template: template(&[("nginx", "nginx:1.27"), ("log", "busybox")], &[]),
                ..Default::default()
            }),
            status: Some(DeploymentStatus {
                ready_replicas: Some(2),
                updated_replicas: Some(1),
                available_replicas: Some(2),
                ..Default::default()
            }),
        };
        assert_eq!(
            deployment_cells(&d, NOW),
            ["web", "2/3", "1", "2", "3m10s", "nginx,log", "nginx:1.27,busybox", "app=web"]
        );
        let bare = deployment_cells(&Deployment::default(), NOW);
        assert_eq!(bare, ["", "0/0", "0", "0", "<unknown>", "", "", ""]);
    }

    #[test]
    fn replica_sets_stateful_sets_daemon_sets() {
        let rs = ReplicaSet {
            metadata: meta("api-5f6d8b7c4", NOW - 190 * S),
            spec: Some(ReplicaSetSpec {
                replicas: Some(1),
                selector: selector(&[("pod-template-hash", "5f6d8b7c4"), ("app", "api")]),
                template: Some(template(&[("api", "busybox:1.36")], &[])),
                ..Default::default()
            }),
            status: Some(ReplicaSetStatus { replicas: 1, ready_replicas: None, ..Default::default() }),
        };
        let want =
            ["api-5f6d8b7c4", "1", "1", "0", "3m10s", "api", "busybox:1.36", "app=api,pod-template-hash=5f6d8b7c4"];
        assert_eq!(replica_set_cells(&rs, NOW), want);
        assert_eq!(replica_set_cells(&ReplicaSet::default(), NOW)[7], "<none>");

        let sts = StatefulSet {
            metadata: meta("db", 0),
            spec: Some(StatefulSetSpec {
                replicas: Some(2),
                template: template(&[("postgres", "postgres:16")], &[]),
                ..Default::default()
            }),
            status: Some(StatefulSetStatus { ready_replicas: Some(1), replicas: 2, ..Default::default() }),
        };
        assert_eq!(stateful_set_cells(&sts, NOW), ["db", "1/2", "3h", "postgres", "postgres:16"]);

        let ds = DaemonSet {
            metadata: meta("kube-proxy", 0),
            spec: Some(DaemonSetSpec {
                selector: selector(&[("k8s-app", "kube-proxy")]),
                template: template(
                    &[("kube-proxy", "registry.k8s.io/kube-proxy:v1.34.0")],
                    &[("kubernetes.io/os", "linux")],
                ),
                ..Default::default()
            }),
            status: Some(DaemonSetStatus {
                desired_number_scheduled: 4,
                current_number_scheduled: 4,
                number_ready: 3,
                updated_number_scheduled: Some(4),
                number_available: Some(3),
                ..Default::default()
            }),
        };
        let want = [
            "kube-proxy",
            "4",
            "4",
            "3",
            "4",
            "3",
            "kubernetes.io/os=linux",
            "3h",
            "kube-proxy",
            "registry.k8s.io/kube-proxy:v1.34.0",
            "k8s-app=kube-proxy",
        ];
        assert_eq!(daemon_set_cells(&ds, NOW), want);
        assert_eq!(daemon_set_cells(&DaemonSet::default(), NOW)[6], "<none>");
    }

    fn job(
        completions: Option<i32>,
        parallelism: Option<i32>,
        conditions: &[(&str, &str)],
        start: Option<Millis>,
        end: Option<Millis>,
    ) -> Job {
        Job {
            metadata: meta("pi", NOW - 47 * 60 * S),
            spec: Some(JobSpec {
                completions,
                parallelism,
                template: template(&[("pi", "perl:5.34.0")], &[]),
                ..Default::default()
            }),
            status: Some(JobStatus {
                succeeded: Some(1),
                start_time: start.map(api_time),
                completion_time: end.map(api_time),
                conditions: Some(
                    conditions
                        .iter()
                        .map(|(t, s)| JobCondition {
                            type_: t.to_string(),
                            status: s.to_string(),
                            ..Default::default()
                        })
                        .collect(),
                ),
                ..Default::default()
            }),
        }
    }

    #[test]
    fn jobs() {
        let started = Some(NOW - 47 * 60 * S);
        let cases = [
            (
                job(Some(1), Some(1), &[("Complete", "True")], Some(NOW - 185 * S), Some(NOW - 178 * S)),
                ["Complete", "1/1", "7s"],
            ),
            (
                job(Some(1), Some(1), &[("FailureTarget", "True"), ("Failed", "True")], started, None),
                ["Failed", "1/1", "47m"],
            ),
            (job(Some(5), Some(2), &[], started, None), ["Running", "1/5", "47m"]),
            (job(None, Some(3), &[], None, None), ["Running", "1/1 of 3", ""]),
            (job(None, None, &[], None, None), ["Running", "1/1", ""]),
            (job(Some(1), None, &[("Suspended", "True")], None, None), ["Suspended", "1/1", ""]),
            (job(Some(1), None, &[("Suspended", "False")], None, None), ["Running", "1/1", ""]),
            (job(Some(1), None, &[("FailureTarget", "True")], started, None), ["FailureTarget", "1/1", "47m"]),
            (job(Some(1), None, &[("SuccessCriteriaMet", "True")], started, None), ["Running", "1/1", "47m"]),
        ];
        for (j, want) in cases {
            let c = job_cells(&j, NOW);
            assert_eq!([c[1].as_str(), c[2].as_str(), c[3].as_str()], want);
            assert_eq!(c[4..7], ["47m", "pi", "perl:5.34.0"]);
            assert_eq!(c[7], "<none>");
        }
        let mut deleting = job(Some(1), None, &[], started, None);
        deleting.metadata.deletion_timestamp = Some(api_time(NOW));
        assert_eq!(job_cells(&deleting, NOW)[1], "Terminating");
        assert_eq!(job_cells(&Job::default(), NOW)[..5], ["", "Running", "0/1", "", "<unknown>"]);
    }

    #[test]
    fn cron_jobs() {
        let cj = CronJob {
            metadata: meta("hello", 0),
            spec: Some(CronJobSpec {
                schedule: "*/5 * * * *".into(),
                suspend: Some(false),
                job_template: JobTemplateSpec {
                    spec: Some(JobSpec { template: template(&[("hello", "busybox:1.36")], &[]), ..Default::default() }),
                    ..Default::default()
                },
                ..Default::default()
            }),
            status: Some(CronJobStatus {
                last_schedule_time: Some(api_time(NOW - 185 * S)),
                active: Some(vec![ObjectReference::default()]),
                ..Default::default()
            }),
        };
        let want = ["hello", "*/5 * * * *", "<none>", "False", "1", "3m5s", "3h", "hello", "busybox:1.36", "<none>"];
        assert_eq!(cron_job_cells(&cj, NOW), want);
        let mut tz = cj.clone();
        let spec = tz.spec.as_mut().unwrap();
        spec.time_zone = Some("Etc/UTC".into());
        spec.suspend = Some(true);
        tz.status = None;
        assert_eq!(cron_job_cells(&tz, NOW)[2..6], ["Etc/UTC", "True", "0", "<none>"]);
        assert_eq!(cron_job_cells(&CronJob::default(), NOW)[..6], ["", "", "<none>", "<unset>", "0", "<none>"]);
    }
}
