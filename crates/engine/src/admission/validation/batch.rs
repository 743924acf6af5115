//! Jobs and CronJobs, from `pkg/apis/batch/validation/validation.go`: `ValidateJob` (with the generated
//! selector checks), `validateJobSpec`, `ValidateJobSpecUpdate`, `ValidateCronJobCreate`/`Update`.
//!
//! Pod failure and success policies are accepted without their detailed rules. A time zone is checked for
//! shape only (Go also loads it from the tz database, which this sans-IO engine does not carry).

use k8s_openapi::api::batch::v1::{CronJob, Job, JobSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::meta::{non_negative, selector_json, validate_label_selector, validate_object_meta, Selector};
use super::pod::validate_pod_template;
use super::{immutable, json_of};
use crate::admission::cron::parse_standard;
use crate::admission::field::{invalid, not_supported, required, BadValue, FieldError, GoJson, Path};
use crate::admission::names::{is_dns1123_label, NameRule};

/// The labels the job controller's selector generation puts on a Job's pods.
pub const CONTROLLER_UID_LABEL: &str = "batch.kubernetes.io/controller-uid";
pub const JOB_NAME_LABEL: &str = "batch.kubernetes.io/job-name";
pub const LEGACY_CONTROLLER_UID_LABEL: &str = "controller-uid";
pub const LEGACY_JOB_NAME_LABEL: &str = "job-name";

fn labels_value(meta: &ObjectMeta) -> BadValue {
    BadValue::Json(meta.labels.as_ref().map_or(GoJson::Null, GoJson::string_map))
}

/// `ValidateHasLabel`.
fn has_label(meta: &ObjectMeta, path: &Path, key: &str, expected: &str) -> Vec<FieldError> {
    let lpath = path.child("labels").key(key);
    match meta.labels.as_ref().and_then(|l| l.get(key)) {
        None => vec![required(&lpath, &format!("must be '{expected}'"))],
        Some(v) if v != expected => vec![invalid(&lpath, labels_value(meta), &format!("must be '{expected}'"))],
        Some(_) => Vec::new(),
    }
}

/// `validateGeneratedSelector`: unless `manualSelector` is true, the selector and pod labels must be the
/// ones the apiserver generated from the Job's uid (see `admission::prepare_job_selector`).
fn generated_selector(job: &Job) -> Vec<FieldError> {
    let spec = job.spec.clone().unwrap_or_default();
    if spec.manual_selector == Some(true) || spec.selector.is_none() {
        return Vec::new();
    }
    let mut errs = Vec::new();
    let uid = job.metadata.uid.clone().unwrap_or_default();
    let name = job.metadata.name.clone().unwrap_or_default();
    if uid.is_empty() {
        errs.push(required(&Path::new("metadata").child("uid"), ""));
    }
    let meta = spec.template.metadata.clone().unwrap_or_default();
    let tpath = Path::new("spec").child("template").child("metadata");
    errs.extend(has_label(&meta, &tpath, LEGACY_CONTROLLER_UID_LABEL, &uid));
    errs.extend(has_label(&meta, &tpath, LEGACY_JOB_NAME_LABEL, &name));
    errs.extend(has_label(&meta, &tpath, CONTROLLER_UID_LABEL, &uid));
    errs.extend(has_label(&meta, &tpath, JOB_NAME_LABEL, &name));
    let expected: std::collections::BTreeMap<String, String> = [
        (CONTROLLER_UID_LABEL, &uid),
        (JOB_NAME_LABEL, &name),
        (LEGACY_CONTROLLER_UID_LABEL, &uid),
        (LEGACY_JOB_NAME_LABEL, &name),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.clone()))
    .collect();
    if let Ok(sel) = Selector::from(spec.selector.as_ref()) {
        if !sel.matches(Some(&expected)) {
            let value = spec.selector.as_ref().map_or(GoJson::Null, selector_json);
            errs.push(invalid(
                &Path::new("spec").child("selector"),
                BadValue::Json(value),
                "`selector` not auto-generated",
            ));
        }
    }
    errs
}

/// `validateJobSpec`: the part shared by Jobs and CronJob job templates.
fn job_spec(spec: &JobSpec, path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (field, value) in [
        ("parallelism", spec.parallelism.map(i64::from)),
        ("completions", spec.completions.map(i64::from)),
        ("activeDeadlineSeconds", spec.active_deadline_seconds),
        ("backoffLimit", spec.backoff_limit.map(i64::from)),
        ("ttlSecondsAfterFinished", spec.ttl_seconds_after_finished.map(i64::from)),
        ("backoffLimitPerIndex", spec.backoff_limit_per_index.map(i64::from)),
    ] {
        if let Some(v) = value {
            errs.extend(non_negative(v, &path.child(field)));
        }
    }
    if let Some(m) = spec.max_failed_indexes {
        errs.extend(non_negative(i64::from(m), &path.child("maxFailedIndexes")));
        if spec.backoff_limit_per_index.is_none() {
            errs.push(required(&path.child("backoffLimitPerIndex"), "when maxFailedIndexes is specified"));
        }
    }
    let mode = spec.completion_mode.as_deref();
    if let Some(m) = mode {
        if m != "NonIndexed" && m != "Indexed" {
            errs.push(not_supported(&path.child("completionMode"), BadValue::typed(m), &["NonIndexed", "Indexed"]));
        }
        if m == "Indexed" {
            if spec.completions.is_none() {
                errs.push(required(&path.child("completions"), "when completion mode is Indexed"));
            }
            if let Some(p) = spec.parallelism.filter(|p| *p > 100_000) {
                errs.push(invalid(
                    &path.child("parallelism"),
                    BadValue::Int(i64::from(p)),
                    "must be less than or equal to 100000 when completion mode is Indexed",
                ));
            }
            if let (Some(c), Some(m)) = (spec.completions, spec.max_failed_indexes) {
                if m > c {
                    errs.push(invalid(
                        &path.child("maxFailedIndexes"),
                        BadValue::Int(i64::from(m)),
                        "must be less than or equal to completions",
                    ));
                }
            }
        }
    }
    if mode.is_none_or(|m| m == "NonIndexed") {
        if let Some(b) = spec.backoff_limit_per_index {
            errs.push(invalid(
                &path.child("backoffLimitPerIndex"),
                BadValue::Int(i64::from(b)),
                "requires indexed completion mode",
            ));
        }
        if let Some(m) = spec.max_failed_indexes {
            errs.push(invalid(
                &path.child("maxFailedIndexes"),
                BadValue::Int(i64::from(m)),
                "requires indexed completion mode",
            ));
        }
    }
    if let Some(rp) = spec.pod_replacement_policy.as_deref() {
        let rpath = path.child("podReplacementPolicy");
        if spec.pod_failure_policy.is_some() {
            if rp != "Failed" {
                errs.push(not_supported(&rpath, BadValue::typed(rp), &["Failed"]));
            }
        } else if rp != "Failed" && rp != "TerminatingOrFailed" {
            errs.push(not_supported(&rpath, BadValue::typed(rp), &["Failed", "TerminatingOrFailed"]));
        }
    }
    let tpath = path.child("template");
    errs.extend(validate_pod_template(Some(&spec.template), &tpath));
    let restart = spec.template.spec.as_ref().and_then(|s| s.restart_policy.as_deref()).unwrap_or_default();
    let rpath = tpath.child("spec").child("restartPolicy");
    match restart {
        "Always" | "" => errs.push(required(&rpath, "valid values: \"OnFailure\", \"Never\"")),
        "OnFailure" if spec.pod_failure_policy.is_some() => {
            errs.push(invalid(
                &rpath,
                BadValue::typed(restart),
                "only \"Never\" is supported when podFailurePolicy is specified",
            ));
        }
        "OnFailure" | "Never" => {}
        other => errs.push(not_supported(&rpath, BadValue::typed(other), &["OnFailure", "Never"])),
    }
    errs
}

/// `ValidateJobSpec`: the shared rules plus the selector, which must select the template's labels.
fn validate_job_spec(spec: &JobSpec, path: &Path) -> Vec<FieldError> {
    let mut errs = job_spec(spec, path);
    match &spec.selector {
        None => errs.push(required(&path.child("selector"), "")),
        Some(s) => errs.extend(validate_label_selector(Some(s), &path.child("selector"))),
    }
    if let Ok(sel) = Selector::from(spec.selector.as_ref()) {
        let labels = spec.template.metadata.as_ref().and_then(|m| m.labels.as_ref());
        if !sel.matches(labels) {
            let value = BadValue::Json(labels.map_or(GoJson::Null, GoJson::string_map));
            errs.push(invalid(
                &path.child("template").child("metadata").child("labels"),
                value,
                "`selector` does not match template `labels`",
            ));
        }
    }
    errs
}

/// `ValidateJob`. Expects the selector already generated (`admission::prepare_job_selector`), as the
/// apiserver generates it in `PrepareForCreate`.
pub fn validate_job(job: &Job) -> Vec<FieldError> {
    let mut errs = validate_object_meta(&job.metadata, true, NameRule::Subdomain);
    errs.extend(generated_selector(job));
    let spec = job.spec.clone().unwrap_or_default();
    errs.extend(validate_job_spec(&spec, &Path::new("spec")));
    if spec.completion_mode.as_deref() == Some("Indexed") {
        if let Some(c) = spec.completions.filter(|c| *c > 0) {
            let name = job.metadata.name.clone().unwrap_or_default();
            let host = format!("{name}-{}", c - 1);
            if !is_dns1123_label(&host).is_empty() {
                let msg = format!("will not able to create pod with invalid DNS label: {host}");
                errs.push(invalid(&Path::new("metadata").child("name"), BadValue::Str(name), &msg));
            }
        }
    }
    errs
}

/// `ValidateJobSpecUpdate`: completions (for non-indexed Jobs), selector, template, completion mode and the
/// failure/success policies are fixed. While a Job is suspended and has never started, its template's
/// scheduling directives (node selector, affinity, tolerations, labels, annotations, gates) may change.
pub fn validate_job_update(new: &Job, old: &Job) -> Vec<FieldError> {
    let (n, o) = (new.spec.clone().unwrap_or_default(), old.spec.clone().unwrap_or_default());
    let path = Path::new("spec");
    let mut errs = validate_job_spec(&n, &path);
    let indexed = n.completion_mode.as_deref() == Some("Indexed");
    if !indexed {
        errs.extend(immutable(&n.completions, &o.completions, &path.child("completions")));
    } else if n.completions != o.completions {
        if let Some(c) = n.completions.filter(|c| Some(*c) != n.parallelism) {
            errs.push(invalid(
                &path.child("completions"),
                BadValue::Json(GoJson::Int(i64::from(c))),
                "can only be modified in tandem with spec.parallelism",
            ));
        }
    }
    let (ns, os) = (n.selector.as_ref().map(selector_json), o.selector.as_ref().map(selector_json));
    if ns != os {
        errs.push(invalid(&path.child("selector"), BadValue::Json(ns.unwrap_or(GoJson::Null)), "field is immutable"));
    }
    let mut old_template = o.template.clone();
    let never_started = old.status.as_ref().and_then(|s| s.start_time.as_ref()).is_none();
    if o.suspend == Some(true) && never_started {
        let (nt, ot) = (n.template.clone(), &mut old_template);
        let om = ot.metadata.get_or_insert_with(Default::default);
        om.labels = nt.metadata.as_ref().and_then(|m| m.labels.clone());
        om.annotations = nt.metadata.as_ref().and_then(|m| m.annotations.clone());
        if let (Some(os), Some(ns)) = (ot.spec.as_mut(), nt.spec.as_ref()) {
            os.node_selector = ns.node_selector.clone();
            os.tolerations = ns.tolerations.clone();
            os.scheduling_gates = ns.scheduling_gates.clone();
            let node_affinity = ns.affinity.as_ref().and_then(|a| a.node_affinity.clone());
            match (&ns.affinity, os.affinity.as_mut()) {
                (None, Some(a)) => {
                    a.node_affinity = None;
                    if a.pod_affinity.is_none() && a.pod_anti_affinity.is_none() {
                        os.affinity = None;
                    }
                }
                (Some(_), None) => {
                    os.affinity = Some(k8s_openapi::api::core::v1::Affinity { node_affinity, ..Default::default() })
                }
                (Some(_), Some(a)) => a.node_affinity = node_affinity,
                (None, None) => {}
            }
        }
    }
    if !super::semantic_eq(&json_of(&n.template), &json_of(&old_template)) {
        errs.push(invalid(&path.child("template"), BadValue::Json(json_of(&n.template)), "field is immutable"));
    }
    errs.extend(immutable(&n.completion_mode, &o.completion_mode, &path.child("completionMode")));
    errs.extend(immutable(&n.pod_failure_policy, &o.pod_failure_policy, &path.child("podFailurePolicy")));
    errs.extend(immutable(&n.backoff_limit_per_index, &o.backoff_limit_per_index, &path.child("backoffLimitPerIndex")));
    errs.extend(immutable(&n.managed_by, &o.managed_by, &path.child("managedBy")));
    errs.extend(immutable(&n.success_policy, &o.success_policy, &path.child("successPolicy")));
    errs
}

/// `validateTimeZone`: the name's form, then `time.LoadLocation` over the IANA zones (`admission::tz`).
fn time_zone(tz: Option<&String>, path: &Path) -> Vec<FieldError> {
    let Some(tz) = tz else { return Vec::new() };
    let value = BadValue::Json(GoJson::Str(tz.clone()));
    if tz.is_empty() {
        return vec![invalid(path, value, "timeZone must be nil or non-empty string")];
    }
    let part_ok = |p: &str| {
        !p.is_empty()
            && p.len() <= 14
            && p != "."
            && p != ".."
            && !p.starts_with('-')
            && p.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '+'))
    };
    if !tz.split('/').all(part_ok) {
        return vec![invalid(path, value, &format!("unknown time zone {tz}"))];
    }
    let mut errs = Vec::new();
    if tz.eq_ignore_ascii_case("Local") {
        errs.push(invalid(
            path,
            value.clone(),
            "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones",
        ));
    }
    // `LoadLocation("Local")` is the process's zone, not an error.
    if let Err(e) =
        crate::admission::tz::load_location(tz).map(|_| ()).or_else(|e| if tz == "Local" { Ok(()) } else { Err(e) })
    {
        errs.push(invalid(path, value, &e));
    }
    errs
}

/// `validateCronJobSpec`.
fn cron_job_spec(c: &CronJob, old: Option<&CronJob>) -> Vec<FieldError> {
    let path = Path::new("spec");
    let spec = c.spec.clone().unwrap_or_default();
    let old_spec = old.and_then(|o| o.spec.clone());
    let mut errs = Vec::new();
    let spath = path.child("schedule");
    if spec.schedule.is_empty() {
        errs.push(required(&spath, ""));
    } else {
        let allow_tz = old_spec.as_ref().is_some_and(|o| o.schedule.contains("TZ"));
        if let Err(e) = parse_standard(&spec.schedule) {
            errs.push(invalid(&spath, BadValue::Str(spec.schedule.clone()), &e));
        }
        if allow_tz && spec.schedule.contains("TZ") && spec.time_zone.is_some() {
            errs.push(invalid(
                &spath,
                BadValue::Str(spec.schedule.clone()),
                "cannot use both timeZone field and TZ or CRON_TZ in schedule",
            ));
        } else if !allow_tz && spec.schedule.contains("TZ") {
            errs.push(invalid(
                &spath,
                BadValue::Str(spec.schedule.clone()),
                "cannot use TZ or CRON_TZ in schedule, use timeZone field instead",
            ));
        }
    }
    if let Some(s) = spec.starting_deadline_seconds {
        errs.extend(non_negative(s, &path.child("startingDeadlineSeconds")));
    }
    if old_spec.as_ref().is_none_or(|o| o.time_zone != spec.time_zone) {
        errs.extend(time_zone(spec.time_zone.as_ref(), &path.child("timeZone")));
    }
    let cpath = path.child("concurrencyPolicy");
    match spec.concurrency_policy.as_deref().unwrap_or_default() {
        "Allow" | "Forbid" | "Replace" => {}
        "" => errs.push(required(&cpath, "")),
        other => errs.push(not_supported(&cpath, BadValue::typed(other), &["Allow", "Forbid", "Replace"])),
    }
    let jpath = path.child("jobTemplate");
    let job_spec_value = spec.job_template.spec.clone().unwrap_or_default();
    errs.extend(job_spec(&job_spec_value, &jpath.child("spec")));
    if let Some(sel) = &job_spec_value.selector {
        errs.push(invalid(
            &jpath.child("spec").child("selector"),
            BadValue::Json(selector_json(sel)),
            "`selector` will be auto-generated",
        ));
    }
    if job_spec_value.manual_selector == Some(true) {
        errs.push(not_supported(
            &jpath.child("spec").child("manualSelector"),
            BadValue::Json(GoJson::Bool(true)),
            &["nil", "false"],
        ));
    }
    for (field, value) in [
        ("successfulJobsHistoryLimit", spec.successful_jobs_history_limit),
        ("failedJobsHistoryLimit", spec.failed_jobs_history_limit),
    ] {
        if let Some(v) = value {
            errs.extend(non_negative(i64::from(v), &path.child(field)));
        }
    }
    errs
}

/// `ValidateCronJobCreate`: names leave room for the 11-character suffix of the Jobs it creates.
pub fn validate_cron_job(c: &CronJob) -> Vec<FieldError> {
    let mut errs = validate_object_meta(&c.metadata, true, NameRule::Subdomain);
    errs.extend(cron_job_spec(c, None));
    let name = c.metadata.name.clone().unwrap_or_default();
    if name.len() > 52 {
        errs.push(invalid(
            &Path::new("metadata").child("name"),
            BadValue::Str(name),
            "must be no more than 52 characters",
        ));
    }
    errs
}

/// `ValidateCronJobUpdate` (no name-length check, so old long names stay updatable).
pub fn validate_cron_job_update(new: &CronJob, old: &CronJob) -> Vec<FieldError> {
    cron_job_spec(new, Some(old))
}

#[cfg(test)]
#[path = "batch_tests.rs"]
mod tests;
