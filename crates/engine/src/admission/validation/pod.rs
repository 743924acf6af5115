//! Pods and pod templates, from core `validation.go`: `ValidatePodSpec` (in its order), `ValidatePodCreate`,
//! `ValidatePodTemplateSpec`, `ValidateTolerations` and `ValidatePodUpdate`.
//!
//! Not modelled: affinity terms, sysctls, DNS search domains, Windows host-process rules and resource claims
//! (accepted without checks). The pod update message ends, in Go, with a `cmp.Diff` of the two specs whose
//! format go-cmp randomises on purpose; it is left off here.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use k8s_openapi::api::core::v1::{Pod, PodSpec, PodTemplateSpec, Toleration};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::container::{dns_label, validate_containers, validate_init_containers};
use super::meta::{
    validate_annotations, validate_label_name, validate_label_selector, validate_labels, validate_object_meta,
};
use super::resources::validate_pod_security_context;
use super::volumes::validate_volumes;
use super::{json_of, semantic_eq};
use crate::admission::field::{
    duplicate, forbidden, invalid, not_supported, required, BadValue, FieldError, GoJson, Path,
};
use crate::admission::names::{
    inclusive_range_error, is_qualified_name, is_valid_label_value, validate_name, NameRule,
};

/// The fields `ValidatePodUpdate` lets a user change (`updatablePodSpecFieldsNoResources`).
const UPDATABLE_POD_FIELDS: [&str; 5] = [
    "`spec.containers[*].image`",
    "`spec.initContainers[*].image`",
    "`spec.activeDeadlineSeconds`",
    "`spec.tolerations` (only additions to existing tolerations)",
    "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
];

const POD_DELETION_COST: &str = "controller.kubernetes.io/pod-deletion-cost";

fn subdomain(value: &str, path: &Path) -> Vec<FieldError> {
    validate_name(NameRule::Subdomain, value, false)
        .into_iter()
        .map(|m| invalid(path, BadValue::Str(value.to_string()), &m))
        .collect()
}

/// `validation.IsValidIP`.
fn valid_ip(value: &str, path: &Path) -> Vec<FieldError> {
    if value.parse::<IpAddr>().is_ok() {
        Vec::new()
    } else {
        vec![invalid(
            path,
            BadValue::Str(value.to_string()),
            "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
        )]
    }
}

/// `ValidatePodSpecificAnnotations`: the deletion cost must parse as an int32.
fn pod_annotations(annotations: Option<&BTreeMap<String, String>>, path: &Path) -> Vec<FieldError> {
    match annotations.and_then(|a| a.get(POD_DELETION_COST)) {
        Some(v) if v.parse::<i32>().is_err() => {
            vec![invalid(&path.key(POD_DELETION_COST), BadValue::Str(v.clone()), "must be a 32bit integer")]
        }
        _ => Vec::new(),
    }
}

/// A toleration as Go's `json.Marshal` renders the internal `core.Toleration` (no JSON tags, every field).
fn toleration_json(t: &Toleration) -> GoJson {
    let s = |v: &Option<String>| GoJson::Str(v.clone().unwrap_or_default());
    GoJson::Object(vec![
        ("Key".into(), s(&t.key)),
        ("Operator".into(), s(&t.operator)),
        ("Value".into(), s(&t.value)),
        ("Effect".into(), s(&t.effect)),
        ("TolerationSeconds".into(), t.toleration_seconds.map_or(GoJson::Null, GoJson::Int)),
    ])
}

/// `validateTaintEffect`.
pub fn taint_effect(effect: &str, allow_empty: bool, path: &Path) -> Vec<FieldError> {
    if !allow_empty && effect.is_empty() {
        return vec![required(path, "")];
    }
    match effect {
        "NoSchedule" | "PreferNoSchedule" | "NoExecute" => Vec::new(),
        other => vec![not_supported(path, BadValue::typed(other), &["NoSchedule", "PreferNoSchedule", "NoExecute"])],
    }
}

/// `ValidateTolerations`.
pub fn validate_tolerations(tolerations: &[Toleration], path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (i, t) in tolerations.iter().enumerate() {
        let tpath = path.index(i);
        let key = t.key.as_deref().unwrap_or_default();
        let op = t.operator.as_deref().unwrap_or_default();
        let value = t.value.as_deref().unwrap_or_default();
        let effect = t.effect.as_deref().unwrap_or_default();
        if !key.is_empty() {
            errs.extend(validate_label_name(key, &tpath.child("key")));
        }
        if key.is_empty() && op != "Exists" {
            errs.push(invalid(
                &tpath.child("operator"),
                BadValue::typed(op),
                "operator must be Exists when `key` is empty, which means \"match all values and all keys\"",
            ));
        }
        if t.toleration_seconds.is_some() && effect != "NoExecute" {
            errs.push(invalid(
                &tpath.child("effect"),
                BadValue::typed(effect),
                "effect must be 'NoExecute' when `tolerationSeconds` is set",
            ));
        }
        match op {
            "Equal" | "" => {
                let msgs = is_valid_label_value(value);
                if !msgs.is_empty() {
                    errs.push(invalid(&tpath.child("operator"), BadValue::Str(value.to_string()), &msgs.join(";")));
                }
            }
            "Exists" => {
                if !value.is_empty() {
                    errs.push(invalid(
                        &tpath.child("operator"),
                        BadValue::Json(toleration_json(t)),
                        "value must be empty when `operator` is 'Exists'",
                    ));
                }
            }
            other => errs.push(not_supported(&tpath.child("operator"), BadValue::typed(other), &["Equal", "Exists"])),
        }
        if !effect.is_empty() {
            errs.extend(taint_effect(effect, true, &tpath.child("effect")));
        }
    }
    errs
}

/// `ValidatePodSpec`. `pod_name` is set for pods (not templates): ephemeral volume PVC names use it.
pub fn validate_pod_spec(spec: &PodSpec, pod_name: Option<&str>, path: &Path) -> Vec<FieldError> {
    let grace = spec.termination_grace_period_seconds;
    let restart = spec.restart_policy.as_deref().unwrap_or_default();
    let (vols, mut errs) =
        validate_volumes(spec.volumes.as_deref().unwrap_or_default(), pod_name, &path.child("volumes"));
    errs.extend(validate_containers(&spec.containers, &vols, grace, restart, &path.child("containers")));
    let init = spec.init_containers.as_deref().unwrap_or_default();
    errs.extend(validate_init_containers(init, &spec.containers, &vols, grace, restart, &path.child("initContainers")));
    if spec.host_network == Some(true) {
        // validatePodHostNetworkDeps: with the host's network, a host port is the container port.
        for (i, c) in spec.containers.iter().enumerate() {
            for (j, p) in c.ports.iter().flatten().enumerate() {
                let hp = p.host_port.unwrap_or(0);
                if hp != 0 && hp != p.container_port {
                    let ppath = path.child("containers").index(i).child("ports").index(j).child("hostPort");
                    errs.push(invalid(
                        &ppath,
                        BadValue::Int(i64::from(hp)),
                        "must match `containerPort` when `hostNetwork` is true",
                    ));
                }
            }
        }
    }
    match restart {
        "Always" | "OnFailure" | "Never" => {}
        "" => errs.push(required(&path.child("restartPolicy"), "")),
        other => errs.push(not_supported(
            &path.child("restartPolicy"),
            BadValue::typed(other),
            &["Always", "OnFailure", "Never"],
        )),
    }
    let dns_policy = spec.dns_policy.as_deref().unwrap_or_default();
    match dns_policy {
        "ClusterFirstWithHostNet" | "ClusterFirst" | "Default" | "None" => {}
        "" => errs.push(required(&path.child("dnsPolicy"), "")),
        other => errs.push(not_supported(
            &path.child("dnsPolicy"),
            BadValue::typed(other),
            &["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"],
        )),
    }
    errs.extend(unmasked_proc_mounts(spec, path));
    errs.extend(validate_labels(spec.node_selector.as_ref(), &path.child("nodeSelector")));
    let sc_path = path.child("securityContext");
    errs.extend(validate_pod_security_context(spec.security_context.as_ref(), &sc_path));
    if spec.share_process_namespace == Some(true) && spec.host_pid == Some(true) {
        errs.push(invalid(
            &sc_path.child("shareProcessNamespace"),
            BadValue::Bool(true),
            "ShareProcessNamespace and HostPID cannot both be enabled",
        ));
    }
    errs.extend(dns_config(spec, dns_policy, &path.child("dnsConfig")));
    for (i, gate) in spec.readiness_gates.iter().flatten().enumerate() {
        let gpath = path.child("readinessGates").index(i).child("conditionType");
        errs.extend(
            is_qualified_name(&gate.condition_type)
                .into_iter()
                .map(|m| invalid(&gpath, BadValue::Str(gate.condition_type.clone()), &m)),
        );
    }
    let mut gates = BTreeSet::new();
    for (i, gate) in spec.scheduling_gates.iter().flatten().enumerate() {
        let gpath = path.child("schedulingGates").index(i).child("name");
        errs.extend(
            is_qualified_name(&gate.name).into_iter().map(|m| invalid(&gpath, BadValue::Str(gate.name.clone()), &m)),
        );
        if !gates.insert(gate.name.clone()) {
            errs.push(duplicate(&gpath, BadValue::Str(gate.name.clone())));
        }
    }
    errs.extend(topology_spread(spec, &path.child("topologySpreadConstraints")));
    if let Some(sa) = spec.service_account_name.as_deref().filter(|s| !s.is_empty()) {
        errs.extend(subdomain(sa, &path.child("serviceAccountName")));
    }
    if let Some(node) = spec.node_name.as_deref().filter(|s| !s.is_empty()) {
        errs.extend(subdomain(node, &path.child("nodeName")));
    }
    if let Some(ads) = spec.active_deadline_seconds.filter(|v| *v < 1 || *v > i64::from(i32::MAX)) {
        errs.push(invalid(
            &path.child("activeDeadlineSeconds"),
            BadValue::Int(ads),
            &inclusive_range_error(1, i64::from(i32::MAX)),
        ));
    }
    for (field, value) in [("hostname", &spec.hostname), ("subdomain", &spec.subdomain)] {
        if let Some(v) = value.as_deref().filter(|v| !v.is_empty()) {
            errs.extend(dns_label(v, &path.child(field)));
        }
    }
    errs.extend(validate_tolerations(spec.tolerations.as_deref().unwrap_or_default(), &path.child("tolerations")));
    for (i, alias) in spec.host_aliases.iter().flatten().enumerate() {
        let apath = path.child("hostAliases").index(i);
        errs.extend(valid_ip(&alias.ip, &apath.child("ip")));
        for (j, host) in alias.hostnames.iter().flatten().enumerate() {
            errs.extend(subdomain(host, &apath.child("hostnames").index(j)));
        }
    }
    if let Some(pc) = spec.priority_class_name.as_deref().filter(|s| !s.is_empty()) {
        errs.extend(subdomain(pc, &path.child("priorityClassName")));
    }
    if let Some(rc) = &spec.runtime_class_name {
        errs.extend(subdomain(rc, &path.child("runtimeClassName")));
    }
    match spec.preemption_policy.as_deref() {
        None | Some("PreemptLowerPriority" | "Never") => {}
        Some("") => errs.push(required(&path.child("preemptionPolicy"), "")),
        Some(other) => errs.push(not_supported(
            &path.child("preemptionPolicy"),
            BadValue::typed(other),
            &["PreemptLowerPriority", "Never"],
        )),
    }
    if let Some(os) = &spec.os {
        if os.name.is_empty() {
            errs.push(required(&path.child("os").child("name"), "cannot be empty"));
        } else if os.name != "linux" && os.name != "windows" {
            errs.push(not_supported(&path.child("os"), BadValue::typed(&os.name), &["linux", "windows"]));
        }
    }
    errs
}

/// The `hostUsers` half of `ValidateSecurityContext`'s procMount rule: an `Unmasked` /proc needs a user
/// namespace, so `hostUsers: false`. (Go reports it within each container's checks; here it follows them.)
fn unmasked_proc_mounts(spec: &PodSpec, path: &Path) -> Vec<FieldError> {
    if spec.host_users == Some(false) {
        return Vec::new();
    }
    let mut errs = Vec::new();
    for (field, list) in [("containers", Some(&spec.containers)), ("initContainers", spec.init_containers.as_ref())] {
        for (i, c) in list.into_iter().flatten().enumerate() {
            let pm = c.security_context.as_ref().and_then(|s| s.proc_mount.as_deref());
            if pm == Some("Unmasked") {
                let p = path.child(field).index(i).child("securityContext").child("procMount");
                errs.push(invalid(&p, BadValue::typed("Unmasked"), "`hostUsers` must be false to use `Unmasked`"));
            }
        }
    }
    errs
}

/// `validatePodDNSConfig` (nameserver count and addresses; search domains are not checked here).
fn dns_config(spec: &PodSpec, policy: &str, path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let Some(cfg) = &spec.dns_config else {
        if policy == "None" {
            errs.push(required(path, "must provide `dnsConfig` when `dnsPolicy` is None"));
        }
        return errs;
    };
    let servers = cfg.nameservers.clone().unwrap_or_default();
    if policy == "None" && servers.is_empty() {
        errs.push(required(
            &path.child("nameservers"),
            "must provide at least one DNS nameserver when `dnsPolicy` is None",
        ));
    }
    if servers.len() > 3 {
        errs.push(invalid(
            &path.child("nameservers"),
            BadValue::Json(GoJson::string_list(&servers)),
            "must not have more than 3 nameservers",
        ));
    }
    for (i, ns) in servers.iter().enumerate() {
        errs.extend(valid_ip(ns, &path.child("nameservers").index(i)));
    }
    errs
}

/// `validateTopologySpreadConstraints`.
fn topology_spread(spec: &PodSpec, path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let constraints = spec.topology_spread_constraints.as_deref().unwrap_or_default();
    for (i, c) in constraints.iter().enumerate() {
        let cpath = path.index(i);
        if c.max_skew <= 0 {
            errs.push(invalid(
                &cpath.child("maxSkew"),
                BadValue::Int(i64::from(c.max_skew)),
                "must be greater than zero",
            ));
        }
        if c.topology_key.is_empty() {
            errs.push(required(&cpath.child("topologyKey"), "can not be empty"));
        }
        if c.when_unsatisfiable != "DoNotSchedule" && c.when_unsatisfiable != "ScheduleAnyway" {
            errs.push(not_supported(
                &cpath.child("whenUnsatisfiable"),
                BadValue::typed(&c.when_unsatisfiable),
                &["DoNotSchedule", "ScheduleAnyway"],
            ));
        }
        let rest = constraints.get(i + 1..).unwrap_or_default();
        if rest.iter().any(|r| r.topology_key == c.topology_key && r.when_unsatisfiable == c.when_unsatisfiable) {
            let v = format!("{{{}, {}}}", c.topology_key, c.when_unsatisfiable);
            errs.push(duplicate(&cpath.child("{topologyKey, whenUnsatisfiable}"), BadValue::Str(v)));
        }
        if let Some(min) = c.min_domains {
            if min <= 0 {
                errs.push(invalid(
                    &cpath.child("minDomains"),
                    BadValue::Json(GoJson::Int(i64::from(min))),
                    "must be greater than zero",
                ));
            }
            if c.when_unsatisfiable != "DoNotSchedule" {
                let msg =
                    format!("can only use minDomains if whenUnsatisfiable=DoNotSchedule, not {}", c.when_unsatisfiable);
                errs.push(invalid(&cpath.child("minDomains"), BadValue::Json(GoJson::Int(i64::from(min))), &msg));
            }
        }
        for (field, policy) in
            [("nodeAffinityPolicy", &c.node_affinity_policy), ("nodeTaintsPolicy", &c.node_taints_policy)]
        {
            if let Some(p) = policy.as_deref().filter(|p| *p != "Honor" && *p != "Ignore") {
                errs.push(not_supported(&cpath.child(field), BadValue::typed(p), &["Honor", "Ignore"]));
            }
        }
        errs.extend(validate_label_selector(c.label_selector.as_ref(), &cpath.child("labelSelector")));
    }
    errs
}

/// Checks only pods get (not templates): no whitespace around images.
fn containers_only_for_pod(spec: &PodSpec, path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (field, list) in [("containers", Some(&spec.containers)), ("initContainers", spec.init_containers.as_ref())] {
        for (i, c) in list.into_iter().flatten().enumerate() {
            let image = c.image.as_deref().unwrap_or_default();
            if image.trim() != image {
                let ipath = path.child(field).index(i).child("image");
                errs.push(invalid(
                    &ipath,
                    BadValue::Str(image.to_string()),
                    "must not have leading or trailing whitespace",
                ));
            }
        }
    }
    errs
}

/// `validatePodMetadataAndSpec`.
fn pod_metadata_and_spec(pod: &Pod) -> Vec<FieldError> {
    let spec_path = Path::new("spec");
    let spec = pod.spec.clone().unwrap_or_default();
    let mut errs = validate_object_meta(&pod.metadata, true, NameRule::Subdomain);
    errs.extend(pod_annotations(pod.metadata.annotations.as_ref(), &Path::new("metadata").child("annotations")));
    errs.extend(validate_pod_spec(&spec, pod.metadata.name.as_deref(), &spec_path));
    if spec.service_account_name.as_deref().unwrap_or_default().is_empty() {
        for (vi, v) in spec.volumes.iter().flatten().enumerate() {
            for (si, src) in v.projected.iter().flat_map(|p| p.sources.iter().flatten()).enumerate() {
                if src.service_account_token.is_some() {
                    let p = spec_path
                        .child("volumes")
                        .index(vi)
                        .child("projected")
                        .child("sources")
                        .index(si)
                        .child("serviceAccountToken");
                    errs.push(forbidden(&p, "must not be specified when serviceAccountName is not set"));
                }
            }
        }
    }
    errs.extend(containers_only_for_pod(&spec, &spec_path));
    errs
}

/// `ValidatePodCreate`.
pub fn validate_pod(pod: &Pod) -> Vec<FieldError> {
    let mut errs = pod_metadata_and_spec(pod);
    let spec = pod.spec.clone().unwrap_or_default();
    if spec.ephemeral_containers.as_ref().is_some_and(|e| !e.is_empty()) {
        errs.push(forbidden(&Path::new("spec").child("ephemeralContainers"), "cannot be set on create"));
    }
    if !spec.node_name.as_deref().unwrap_or_default().is_empty()
        && spec.scheduling_gates.as_ref().is_some_and(|g| !g.is_empty())
    {
        errs.push(forbidden(
            &Path::new("spec").child("nodeName"),
            "cannot be set until all schedulingGates have been cleared",
        ));
    }
    errs
}

/// `ValidatePodTemplateSpec` as workloads call it (`path` is e.g. `spec.template`). Template labels are
/// reported under `<path>.labels`, not `<path>.metadata.labels`, exactly as Go does.
pub fn validate_pod_template(t: Option<&PodTemplateSpec>, path: &Path) -> Vec<FieldError> {
    let meta = t.and_then(|t| t.metadata.clone()).unwrap_or_default();
    let spec = t.and_then(|t| t.spec.clone()).unwrap_or_default();
    let mut errs = template_meta(&meta, path);
    errs.extend(pod_annotations(meta.annotations.as_ref(), &path.child("annotations")));
    errs.extend(validate_pod_spec(&spec, None, &path.child("spec")));
    if spec.ephemeral_containers.as_ref().is_some_and(|e| !e.is_empty()) {
        errs.push(forbidden(
            &path.child("spec").child("ephemeralContainers"),
            "ephemeral containers not allowed in pod template",
        ));
    }
    errs
}

/// Labels and annotations of an embedded template's metadata.
pub fn template_meta(meta: &ObjectMeta, path: &Path) -> Vec<FieldError> {
    let mut errs = validate_labels(meta.labels.as_ref(), &path.child("labels"));
    errs.extend(validate_annotations(meta.annotations.as_ref(), &path.child("annotations")));
    errs
}

/// `ValidatePodUpdate` (after `ValidateObjectMetaUpdate`, which the caller runs).
pub fn validate_pod_update(new: &Pod, old: &Pod) -> Vec<FieldError> {
    let mut errs = pod_metadata_and_spec(new);
    let spec_path = Path::new("spec");
    let new_spec = new.spec.clone().unwrap_or_default();
    let old_spec = old.spec.clone().unwrap_or_default();
    let new_init = new_spec.init_containers.clone().unwrap_or_default();
    let old_init = old_spec.init_containers.clone().unwrap_or_default();
    for (field, n, o) in
        [("containers", &new_spec.containers, &old_spec.containers), ("initContainers", &new_init, &old_init)]
    {
        let cpath = spec_path.child(field);
        if n.len() != o.len() {
            errs.push(forbidden(&cpath, "pod updates may not add or remove containers"));
            return errs;
        }
        for (i, c) in n.iter().enumerate() {
            let image = c.image.as_deref().unwrap_or_default();
            if image.is_empty() {
                errs.push(required(&cpath.index(i).child("image"), ""));
            }
            if image.trim() != image {
                errs.push(invalid(
                    &cpath.index(i).child("image"),
                    BadValue::Str(image.to_string()),
                    "must not have leading or trailing whitespace",
                ));
            }
        }
    }
    let ads_path = spec_path.child("activeDeadlineSeconds");
    match (new_spec.active_deadline_seconds, old_spec.active_deadline_seconds) {
        (Some(n), _) if n < 0 || n > i64::from(i32::MAX) => {
            errs.push(invalid(&ads_path, BadValue::Int(n), &inclusive_range_error(0, i64::from(i32::MAX))));
            return errs;
        }
        (Some(n), Some(o)) if o < n => {
            errs.push(invalid(&ads_path, BadValue::Int(n), "must be less than or equal to previous value"));
            return errs;
        }
        (None, Some(_)) => {
            errs.push(invalid(&ads_path, BadValue::null(), "must not update from a positive integer to nil value"))
        }
        _ => {}
    }
    let new_tol = new_spec.tolerations.clone().unwrap_or_default();
    let tpath = spec_path.child("tolerations");
    let all_kept =
        old_spec.tolerations.iter().flatten().all(|o| {
            new_tol.iter().any(|n| Toleration { toleration_seconds: n.toleration_seconds, ..o.clone() } == *n)
        });
    if all_kept {
        errs.extend(validate_tolerations(&new_tol, &tpath));
    } else {
        errs.push(forbidden(&tpath, "existing toleration can not be modified except its tolerationSeconds"));
    }
    let new_gates = new_spec.scheduling_gates.clone().unwrap_or_default();
    let old_gates = old_spec.scheduling_gates.clone().unwrap_or_default();
    if let Some(added) = new_gates.iter().find(|g| !old_gates.contains(g)) {
        let msg = format!("only deletion is allowed, but found new scheduling gate '{}'", added.name);
        errs.push(forbidden(&spec_path.child("schedulingGates"), &msg));
    }
    // Munge the updatable fields back to the old values; anything left that differs is forbidden.
    let mut munged = new_spec.clone();
    for (c, o) in munged.containers.iter_mut().zip(&old_spec.containers) {
        c.image = o.image.clone();
    }
    for (c, o) in munged.init_containers.iter_mut().flatten().zip(&old_init) {
        c.image = o.image.clone();
    }
    munged.active_deadline_seconds = old_spec.active_deadline_seconds;
    munged.scheduling_gates = old_spec.scheduling_gates.clone();
    munged.tolerations = old_spec.tolerations.clone();
    if old_spec.termination_grace_period_seconds.is_some_and(|g| g < 0)
        && munged.termination_grace_period_seconds == Some(1)
    {
        munged.termination_grace_period_seconds = old_spec.termination_grace_period_seconds;
    }
    if !semantic_eq(&json_of(&munged), &json_of(&old_spec)) {
        let msg = format!("pod updates may not change fields other than {}", UPDATABLE_POD_FIELDS.join(","));
        errs.push(forbidden(&spec_path, &msg));
    }
    errs
}

#[cfg(test)]
#[path = "pod_tests.rs"]
mod tests;
