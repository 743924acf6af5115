//! Table tests for Jobs and CronJobs: defaulted manifests (Jobs with their generated selector) and the
//! exact messages.

use serde_json::{json, Value};

use super::*;
use crate::admission::{apply_defaults, prepare_job_selector};
use crate::object::Object;

fn job(spec: Value) -> Job {
    let manifest = json!({"metadata": {"name": "pi", "namespace": "default", "uid": "u-1"}, "spec": spec});
    let mut o = Object::from(serde_json::from_value::<Job>(manifest).unwrap_or_default());
    apply_defaults(&mut o);
    match o {
        Object::Job(mut j) => {
            prepare_job_selector(&mut j);
            *j
        }
        _ => Job::default(),
    }
}

fn cron(name: &str, spec: Value) -> CronJob {
    let manifest = json!({"metadata": {"name": name, "namespace": "default"}, "spec": spec});
    let mut o = Object::from(serde_json::from_value::<CronJob>(manifest).unwrap_or_default());
    apply_defaults(&mut o);
    match o {
        Object::CronJob(c) => *c,
        _ => CronJob::default(),
    }
}

fn pod_template(restart: &str) -> Value {
    json!({"spec": {"restartPolicy": restart, "containers": [{"name": "pi", "image": "perl"}]}})
}

#[test]
fn job_messages() {
    let cases: Vec<(Job, Vec<&str>)> = vec![
        (job(json!({"template": pod_template("Never")})), vec![]),
        (
            job(json!({"template": pod_template("Always")})),
            vec!["spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\""],
        ),
        (
            job(json!({"template": {"spec": {"containers": [{"name": "pi", "image": "perl"}]}}})),
            vec!["spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\""],
        ),
        (
            job(json!({"template": pod_template("Sometimes")})),
            vec![
                "spec.template.spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\"",
                "spec.template.spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"OnFailure\", \"Never\"",
            ],
        ),
        (
            job(json!({"completions": -1, "parallelism": -2, "template": pod_template("Never")})),
            vec![
                "spec.parallelism: Invalid value: -2: must be greater than or equal to 0",
                "spec.completions: Invalid value: -1: must be greater than or equal to 0",
            ],
        ),
    ];
    for (j, want) in cases {
        let got: Vec<String> = validate_job(&j).iter().map(|e| e.to_string()).collect();
        assert_eq!(got, want);
    }
}

#[test]
fn job_update_keeps_template() {
    let mut old = job(json!({"template": pod_template("Never")}));
    old.metadata.resource_version = Some("1".into());
    let mut new = old.clone();
    if let Some(c) = new.spec.as_mut().and_then(|s| s.template.spec.as_mut()).and_then(|s| s.containers.first_mut()) {
        c.image = Some("perl:5".into());
    }
    let got: Vec<String> = validate_job_update(&new, &old).iter().map(|e| e.body()).collect();
    assert_eq!(got.len(), 1);
    assert!(got[0].starts_with("Invalid value: {"), "{}", got[0]);
    assert!(got[0].ends_with("}: field is immutable"), "{}", got[0]);
    let mut suspended = old.clone();
    if let Some(s) = suspended.spec.as_mut() {
        s.parallelism = Some(3);
    }
    assert!(validate_job_update(&suspended, &old).is_empty());
}

#[test]
fn cron_job_messages() {
    let template = json!({"spec": {"template": pod_template("OnFailure")}});
    let cases: Vec<(CronJob, Vec<String>)> = vec![
        (cron("tick", json!({"schedule": "*/5 * * * *", "jobTemplate": template})), vec![]),
        (cron("tick", json!({"jobTemplate": template})), vec!["spec.schedule: Required value".into()]),
        (
            cron("tick", json!({"schedule": "every minute", "jobTemplate": template})),
            vec!["spec.schedule: Invalid value: \"every minute\": expected exactly 5 fields, found 2: [every minute]".into()],
        ),
        (
            cron("tick", json!({"schedule": "61 * * * *", "jobTemplate": template})),
            vec!["spec.schedule: Invalid value: \"61 * * * *\": end of range (61) above maximum (59): 61".into()],
        ),
        (
            cron("tick", json!({"schedule": "CRON_TZ=UTC 0 * * * *", "jobTemplate": template})),
            vec!["spec.schedule: Invalid value: \"CRON_TZ=UTC 0 * * * *\": cannot use TZ or CRON_TZ in schedule, use timeZone field instead".into()],
        ),
        (
            cron("tick", json!({"schedule": "@hourly", "concurrencyPolicy": "Sometimes", "jobTemplate": template})),
            vec!["spec.concurrencyPolicy: Unsupported value: \"Sometimes\": supported values: \"Allow\", \"Forbid\", \"Replace\"".into()],
        ),
        (
            cron(&"a".repeat(53), json!({"schedule": "@daily", "jobTemplate": template})),
            vec![format!("metadata.name: Invalid value: \"{}\": must be no more than 52 characters", "a".repeat(53))],
        ),
        (
            cron("tick", json!({"schedule": "@daily", "timeZone": "Local", "jobTemplate": template})),
            vec!["spec.timeZone: Invalid value: \"Local\": timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones".into()],
        ),
    ];
    for (c, want) in cases {
        let got: Vec<String> = validate_cron_job(&c).iter().map(|e| e.to_string()).collect();
        assert_eq!(got, want);
    }
}
