//! Deployments, ReplicaSets, StatefulSets and DaemonSets, from `pkg/apis/apps/validation/validation.go`, plus
//! the selector immutability of the apps/v1 registry strategies (`ValidateImmutableField(spec.selector)`).
//!
//! Struct values in messages (a whole strategy, a rolling-update block) are rendered as Go marshals the
//! internal types: Go field names, every field present.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::meta::{non_negative, present, selector_json, validate_label_selector, validate_object_meta, Selector};
use super::pod::{template_meta, validate_pod_template};
use super::{json_of, semantic_eq};
use crate::admission::field::{forbidden, invalid, not_supported, required, BadValue, FieldError, GoJson, Path};
use crate::admission::names::{is_dns1123_label, is_valid_percent, NameRule};

/// An `intstr.IntOrString` as it marshals (a bare number or a string).
pub fn int_or_string_json(v: Option<&IntOrString>) -> GoJson {
    match v {
        None => GoJson::Int(0),
        Some(IntOrString::Int(i)) => GoJson::Int(i64::from(*i)),
        Some(IntOrString::String(s)) => GoJson::Str(s.clone()),
    }
}

fn labels_json(labels: Option<&BTreeMap<String, String>>) -> GoJson {
    labels.map_or(GoJson::Null, GoJson::string_map)
}

/// `ValidatePositiveIntOrPercent`.
pub fn positive_int_or_percent(v: Option<&IntOrString>, path: &Path) -> Vec<FieldError> {
    match v {
        Some(IntOrString::String(s)) => {
            is_valid_percent(s).into_iter().map(|m| invalid(path, BadValue::Json(GoJson::Str(s.clone())), &m)).collect()
        }
        Some(IntOrString::Int(i)) => non_negative(i64::from(*i), path),
        None => Vec::new(),
    }
}

/// `getPercentValue`: the number of a `"25%"` string.
fn percent_value(v: Option<&IntOrString>) -> Option<i64> {
    match v {
        Some(IntOrString::String(s)) if is_valid_percent(s).is_empty() => s.trim_end_matches('%').parse().ok(),
        _ => None,
    }
}

/// `getIntOrPercentValue`.
pub fn int_or_percent_value(v: Option<&IntOrString>) -> i64 {
    match v {
        Some(IntOrString::Int(i)) => i64::from(*i),
        other => percent_value(other).unwrap_or(0),
    }
}

/// `IsNotMoreThan100Percent`.
pub fn not_more_than_100_percent(v: Option<&IntOrString>, path: &Path) -> Vec<FieldError> {
    match percent_value(v) {
        Some(p) if p > 100 => {
            vec![invalid(path, BadValue::Json(int_or_string_json(v)), "must not be greater than 100%")]
        }
        _ => Vec::new(),
    }
}

/// The selector checks shared by Deployments, ReplicaSets and StatefulSets: required, valid, not empty.
fn selector_checks(sel: Option<&LabelSelector>, kind: &str, path: &Path) -> Vec<FieldError> {
    let spath = path.child("selector");
    match sel {
        None => vec![required(&spath, "")],
        Some(s) => {
            let mut errs = validate_label_selector(Some(s), &spath);
            if s.match_labels.as_ref().is_none_or(|m| m.is_empty())
                && s.match_expressions.as_ref().is_none_or(|e| e.is_empty())
            {
                errs.push(invalid(
                    &spath,
                    BadValue::Json(selector_json(s)),
                    &format!("empty selector is invalid for {kind}"),
                ));
            }
            errs
        }
    }
}

/// The template must carry the labels the selector selects.
fn selector_matches_template(selector: &Selector, template: Option<&PodTemplateSpec>, path: &Path) -> Vec<FieldError> {
    let labels = template.and_then(|t| t.metadata.as_ref()).and_then(|m| m.labels.as_ref());
    if !selector.is_empty() && !selector.matches(labels) {
        let lpath = path.child("metadata").child("labels");
        vec![invalid(&lpath, BadValue::Json(labels_json(labels)), "`selector` does not match template `labels`")]
    } else {
        Vec::new()
    }
}

/// `ValidatePodTemplateSpecForReplicaSet` (Deployments and ReplicaSets).
fn template_for_replica_set(
    template: Option<&PodTemplateSpec>,
    selector: &Selector,
    kind: &str,
    path: &Path,
) -> Vec<FieldError> {
    let mut errs = selector_matches_template(selector, template, path);
    errs.extend(validate_pod_template(template, path));
    errs.extend(restart_always_and_no_deadline(template, kind, path, false));
    errs
}

/// Workload pods run forever: restartPolicy Always and no activeDeadlineSeconds.
fn restart_always_and_no_deadline(
    template: Option<&PodTemplateSpec>,
    kind: &str,
    path: &Path,
    invalid_deadline: bool,
) -> Vec<FieldError> {
    let spec = template.and_then(|t| t.spec.as_ref());
    let mut errs = Vec::new();
    let restart = spec.and_then(|s| s.restart_policy.as_deref()).unwrap_or_default();
    if restart != "Always" {
        errs.push(not_supported(&path.child("spec").child("restartPolicy"), BadValue::typed(restart), &["Always"]));
    }
    if let Some(ads) = spec.and_then(|s| s.active_deadline_seconds) {
        let dpath = path.child("spec").child("activeDeadlineSeconds");
        let msg = format!("activeDeadlineSeconds in {kind} is not Supported");
        errs.push(if invalid_deadline {
            invalid(&dpath, BadValue::Json(GoJson::Int(ads)), &msg)
        } else {
            forbidden(&dpath, &msg)
        });
    }
    errs
}

fn selector_of(sel: Option<&LabelSelector>, path: &Path, detail: &str) -> Result<Selector, FieldError> {
    Selector::from(sel).map_err(|_| {
        let value = sel.map_or(GoJson::Null, selector_json);
        invalid(&path.child("selector"), BadValue::Json(value), detail)
    })
}

/// `ValidateDeployment` (`ValidateDeploymentSpec` with its strategy checks).
pub fn validate_deployment(d: &Deployment) -> Vec<FieldError> {
    let mut errs = validate_object_meta(&d.metadata, true, NameRule::Subdomain);
    let path = Path::new("spec");
    let spec = d.spec.clone().unwrap_or_default();
    errs.extend(non_negative(i64::from(spec.replicas.unwrap_or(0)), &path.child("replicas")));
    errs.extend(selector_checks(present(&spec.selector), "deployment", &path));
    match selector_of(present(&spec.selector), &path, "invalid label selector") {
        Err(e) => errs.push(e),
        Ok(sel) => {
            errs.extend(template_for_replica_set(Some(&spec.template), &sel, "ReplicaSet", &path.child("template")))
        }
    }
    let strategy = spec.strategy.clone().unwrap_or_default();
    let spath = path.child("strategy");
    let ty = strategy.type_.clone().unwrap_or_default();
    match ty.as_str() {
        "Recreate" => {
            if strategy.rolling_update.is_some() {
                errs.push(forbidden(
                    &spath.child("rollingUpdate"),
                    "may not be specified when strategy `type` is 'Recreate'",
                ));
            }
        }
        "RollingUpdate" => match &strategy.rolling_update {
            None => errs.push(required(&spath.child("rollingUpdate"), "this should be defaulted and never be nil")),
            Some(ru) => {
                let rpath = spath.child("rollingUpdate");
                let (mu, ms) = (ru.max_unavailable.as_ref(), ru.max_surge.as_ref());
                errs.extend(positive_int_or_percent(mu, &rpath.child("maxUnavailable")));
                errs.extend(positive_int_or_percent(ms, &rpath.child("maxSurge")));
                if int_or_percent_value(mu) == 0 && int_or_percent_value(ms) == 0 {
                    errs.push(invalid(
                        &rpath.child("maxUnavailable"),
                        BadValue::Json(int_or_string_json(mu)),
                        "may not be 0 when `maxSurge` is 0",
                    ));
                }
                errs.extend(not_more_than_100_percent(mu, &rpath.child("maxUnavailable")));
            }
        },
        _ => {
            let rolling = strategy.rolling_update.as_ref().map_or(GoJson::Null, |ru| {
                GoJson::Object(vec![
                    ("MaxUnavailable".into(), int_or_string_json(ru.max_unavailable.as_ref())),
                    ("MaxSurge".into(), int_or_string_json(ru.max_surge.as_ref())),
                ])
            });
            let value =
                GoJson::Object(vec![("Type".into(), GoJson::Str(ty.clone())), ("RollingUpdate".into(), rolling)]);
            errs.push(not_supported(&spath, BadValue::Json(value), &["Recreate", "RollingUpdate"]));
        }
    }
    let min_ready = i64::from(spec.min_ready_seconds.unwrap_or(0));
    errs.extend(non_negative(min_ready, &path.child("minReadySeconds")));
    if let Some(limit) = spec.revision_history_limit {
        errs.extend(non_negative(i64::from(limit), &path.child("revisionHistoryLimit")));
    }
    if let Some(pds) = spec.progress_deadline_seconds {
        errs.extend(non_negative(i64::from(pds), &path.child("progressDeadlineSeconds")));
        if i64::from(pds) <= min_ready {
            errs.push(invalid(
                &path.child("progressDeadlineSeconds"),
                BadValue::Json(GoJson::Int(i64::from(pds))),
                "must be greater than minReadySeconds",
            ));
        }
    }
    errs
}

/// `ValidateReplicaSet`. Go's empty-selector message says "deployment" here too.
pub fn validate_replica_set(rs: &ReplicaSet) -> Vec<FieldError> {
    let mut errs = validate_object_meta(&rs.metadata, true, NameRule::Subdomain);
    let path = Path::new("spec");
    let spec = rs.spec.clone().unwrap_or_default();
    errs.extend(non_negative(i64::from(spec.replicas.unwrap_or(0)), &path.child("replicas")));
    errs.extend(non_negative(i64::from(spec.min_ready_seconds.unwrap_or(0)), &path.child("minReadySeconds")));
    errs.extend(selector_checks(present(&spec.selector), "deployment", &path));
    match selector_of(present(&spec.selector), &path, "invalid label selector") {
        Err(e) => errs.push(e),
        Ok(sel) => {
            errs.extend(template_for_replica_set(spec.template.as_ref(), &sel, "ReplicaSet", &path.child("template")))
        }
    }
    errs
}

/// `ValidateStatefulSetSpec`. The pod template's spec is not validated for StatefulSets (only its labels and
/// annotations), as in Go.
fn stateful_set_spec(s: &StatefulSet) -> Vec<FieldError> {
    let path = Path::new("spec");
    let spec = s.spec.clone().unwrap_or_default();
    let mut errs = Vec::new();
    if let Some(name) = spec.service_name.as_deref().filter(|n| !n.is_empty()) {
        errs.extend(
            is_dns1123_label(name)
                .into_iter()
                .map(|m| invalid(&path.child("serviceName"), BadValue::Str(name.to_string()), &m)),
        );
    }
    match spec.pod_management_policy.as_deref().unwrap_or_default() {
        "" => errs.push(required(&path.child("podManagementPolicy"), "")),
        "OrderedReady" | "Parallel" => {}
        other => errs.push(invalid(
            &path.child("podManagementPolicy"),
            BadValue::typed(other),
            "must be 'OrderedReady' or 'Parallel'",
        )),
    }
    let strategy = spec.update_strategy.clone().unwrap_or_default();
    let upath = path.child("updateStrategy");
    let rolling_json = |ru: Option<&k8s_openapi::api::apps::v1::RollingUpdateStatefulSetStrategy>| {
        ru.map_or(GoJson::Null, |ru| {
            GoJson::Object(vec![
                ("Partition".into(), GoJson::Int(i64::from(ru.partition.unwrap_or(0)))),
                (
                    "MaxUnavailable".into(),
                    ru.max_unavailable.as_ref().map_or(GoJson::Null, |m| int_or_string_json(Some(m))),
                ),
            ])
        })
    };
    match strategy.type_.as_deref().unwrap_or_default() {
        "" => errs.push(required(&upath, "")),
        "OnDelete" => {
            if let Some(ru) = &strategy.rolling_update {
                errs.push(invalid(
                    &upath.child("rollingUpdate"),
                    BadValue::Json(rolling_json(Some(ru))),
                    "only allowed for updateStrategy 'RollingUpdate'",
                ));
            }
        }
        "RollingUpdate" => {
            if let Some(ru) = &strategy.rolling_update {
                let rpath = upath.child("rollingUpdate");
                errs.extend(non_negative(i64::from(ru.partition.unwrap_or(0)), &rpath.child("partition")));
                if let Some(mu) = &ru.max_unavailable {
                    let mpath = rpath.child("maxUnavailable");
                    errs.extend(positive_int_or_percent(Some(mu), &mpath));
                    if int_or_percent_value(Some(mu)) == 0 {
                        errs.push(invalid(&mpath, BadValue::Json(int_or_string_json(Some(mu))), "cannot be 0"));
                    }
                    errs.extend(not_more_than_100_percent(Some(mu), &mpath));
                }
            }
        }
        other => {
            let value = GoJson::Object(vec![
                ("Type".into(), GoJson::Str(other.to_string())),
                ("RollingUpdate".into(), rolling_json(strategy.rolling_update.as_ref())),
            ]);
            errs.push(invalid(&upath, BadValue::Json(value), "must be 'RollingUpdate' or 'OnDelete'"));
        }
    }
    if let Some(policy) = &spec.persistent_volume_claim_retention_policy {
        let ppath = path.child("persistentVolumeClaimRetentionPolicy");
        for (field, value) in [("whenDeleted", &policy.when_deleted), ("whenScaled", &policy.when_scaled)] {
            let v = value.as_deref().unwrap_or_default();
            if v != "Retain" && v != "Delete" {
                errs.push(not_supported(&ppath.child(field), BadValue::typed(v), &["Retain", "Delete"]));
            }
        }
    }
    errs.extend(non_negative(i64::from(spec.replicas.unwrap_or(0)), &path.child("replicas")));
    if let Some(ord) = &spec.ordinals {
        errs.extend(non_negative(i64::from(ord.start.unwrap_or(0)), &path.child("ordinals.start")));
    }
    errs.extend(selector_checks(present(&spec.selector), "statefulset", &path));
    let tpath = path.child("template");
    match selector_of(present(&spec.selector), &path, "") {
        Err(e) => errs.push(e),
        Ok(sel) => {
            errs.extend(selector_matches_template(&sel, Some(&spec.template), &tpath));
            errs.extend(template_meta(&spec.template.metadata.clone().unwrap_or_default(), &tpath));
        }
    }
    errs.extend(restart_always_and_no_deadline(Some(&spec.template), "StatefulSet", &tpath, false));
    errs.extend(non_negative(i64::from(spec.min_ready_seconds.unwrap_or(0)), &path.child("minReadySeconds")));
    errs
}

/// `ValidateStatefulSet`: StatefulSet names are DNS labels (they prefix pod hostnames).
pub fn validate_stateful_set(s: &StatefulSet) -> Vec<FieldError> {
    let mut errs = validate_object_meta(&s.metadata, true, NameRule::Label);
    errs.extend(stateful_set_spec(s));
    errs
}

/// `ValidateStatefulSetUpdate`: only replicas, ordinals, template, update strategy, PVC retention policy and
/// minReadySeconds may change. The name is not revalidated (older names may be subdomains).
pub fn validate_stateful_set_update(new: &StatefulSet, old: &StatefulSet) -> Vec<FieldError> {
    let mut errs = stateful_set_spec(new);
    let (mut n, o) = (new.spec.clone().unwrap_or_default(), old.spec.clone().unwrap_or_default());
    n.replicas = o.replicas;
    n.template = o.template.clone();
    n.update_strategy = o.update_strategy.clone();
    n.min_ready_seconds = o.min_ready_seconds;
    n.ordinals = o.ordinals.clone();
    n.revision_history_limit = o.revision_history_limit;
    n.persistent_volume_claim_retention_policy = o.persistent_volume_claim_retention_policy.clone();
    if !semantic_eq(&json_of(&n), &json_of(&o)) {
        errs.push(forbidden(
            &Path::new("spec"),
            "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
        ));
    }
    errs
}

/// `ValidateDaemonSet` (`ValidateDaemonSetSpec` with `ValidateDaemonSetUpdateStrategy`).
pub fn validate_daemon_set(ds: &DaemonSet) -> Vec<FieldError> {
    let mut errs = validate_object_meta(&ds.metadata, true, NameRule::Subdomain);
    let path = Path::new("spec");
    let spec = ds.spec.clone().unwrap_or_default();
    let tpath = path.child("template");
    let selector = present(&spec.selector);
    errs.extend(validate_label_selector(selector, &path.child("selector")));
    if let Ok(sel) = Selector::from(selector) {
        let labels = spec.template.metadata.as_ref().and_then(|m| m.labels.as_ref());
        if !sel.matches(labels) {
            errs.push(invalid(
                &tpath.child("metadata").child("labels"),
                BadValue::Json(labels_json(labels)),
                "`selector` does not match template `labels`",
            ));
        }
    }
    // "empty selector is invalid for daemonset" cannot arise: an empty selector decodes as a missing one.
    errs.extend(validate_pod_template(Some(&spec.template), &tpath));
    errs.extend(restart_always_and_no_deadline(Some(&spec.template), "DaemonSet", &tpath, true));
    errs.extend(non_negative(i64::from(spec.min_ready_seconds.unwrap_or(0)), &path.child("minReadySeconds")));
    let strategy = spec.update_strategy.clone().unwrap_or_default();
    let spath = path.child("updateStrategy");
    match strategy.type_.as_deref().unwrap_or_default() {
        "OnDelete" => {}
        "RollingUpdate" => match &strategy.rolling_update {
            None => errs.push(required(&spath.child("rollingUpdate"), "")),
            Some(ru) => {
                let rpath = spath.child("rollingUpdate");
                let (mu, ms) = (ru.max_unavailable.as_ref(), ru.max_surge.as_ref());
                errs.extend(positive_int_or_percent(mu, &rpath.child("maxUnavailable")));
                errs.extend(positive_int_or_percent(ms, &rpath.child("maxSurge")));
                errs.extend(not_more_than_100_percent(mu, &rpath.child("maxUnavailable")));
                errs.extend(not_more_than_100_percent(ms, &rpath.child("maxSurge")));
                match (int_or_percent_value(mu) != 0, int_or_percent_value(ms) != 0) {
                    (true, true) => errs.push(invalid(
                        &rpath.child("maxSurge"),
                        BadValue::Json(int_or_string_json(ms)),
                        "may not be set when maxUnavailable is non-zero",
                    )),
                    (false, false) => {
                        errs.push(required(&rpath.child("maxUnavailable"), "cannot be 0 when maxSurge is 0"))
                    }
                    _ => {}
                }
            }
        },
        other => {
            let rolling = strategy.rolling_update.as_ref().map_or(GoJson::Null, |ru| {
                GoJson::Object(vec![
                    ("MaxUnavailable".into(), int_or_string_json(ru.max_unavailable.as_ref())),
                    ("MaxSurge".into(), int_or_string_json(ru.max_surge.as_ref())),
                ])
            });
            let value = GoJson::Object(vec![
                ("Type".into(), GoJson::Str(other.to_string())),
                ("RollingUpdate".into(), rolling),
            ]);
            errs.push(not_supported(&spath, BadValue::Json(value), &["RollingUpdate", "OnDelete"]));
        }
    }
    if let Some(limit) = spec.revision_history_limit {
        errs.extend(non_negative(i64::from(limit), &path.child("revisionHistoryLimit")));
    }
    errs
}

/// The apps/v1 strategies' `ValidateImmutableField(spec.selector)`.
pub fn selector_immutable(new: Option<&LabelSelector>, old: Option<&LabelSelector>) -> Vec<FieldError> {
    let (n, o) = (new.map_or(GoJson::Null, selector_json), old.map_or(GoJson::Null, selector_json));
    if n == o {
        Vec::new()
    } else {
        vec![invalid(&Path::new("spec").child("selector"), BadValue::Json(n), "field is immutable")]
    }
}

#[cfg(test)]
#[path = "apps_tests.rs"]
mod tests;

/// `ValidateControllerRevisionCreate`: a subdomain name, `data` present, `revision` not negative.
pub fn validate_controller_revision(cr: &ControllerRevision) -> Vec<FieldError> {
    let mut errs = validate_object_meta(&cr.metadata, true, NameRule::Subdomain);
    if cr.data.is_none() {
        errs.push(required(&Path::new("data"), "data is mandatory"));
    }
    errs.extend(non_negative(cr.revision, &Path::new("revision")));
    errs
}

/// `ValidateControllerRevisionUpdate`: as on create, and `data` may not change.
pub fn validate_controller_revision_update(new: &ControllerRevision, old: &ControllerRevision) -> Vec<FieldError> {
    let mut errs = validate_controller_revision(new);
    errs.extend(super::immutable(&new.data, &old.data, &Path::new("data")));
    errs
}
