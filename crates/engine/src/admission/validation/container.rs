//! Container validation from core `pkg/apis/core/validation/validation.go`: `validateContainers`,
//! `validateInitContainers`, `validateContainerCommon` and what they call here (ports, volume mounts, pull
//! policy, resize policy). Env vars are in `env.rs`, probes and lifecycle handlers in `probes.rs`, resources
//! and security contexts in `resources.rs`.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{Container, ContainerPort, ContainerResizePolicy, VolumeMount};

use super::env::{validate_env, validate_env_from};
use super::probes::{validate_lifecycle, validate_probes};
use super::resources::{validate_resource_requirements, validate_security_context};
use crate::admission::field::{
    duplicate, forbidden, invalid, not_found, not_supported, required, BadValue, FieldError, Path,
};
use crate::admission::names::{is_dns1123_label, is_valid_port_name, is_valid_port_num};

/// What container checks need to know about each pod volume, by name.
#[derive(Clone, Copy, Debug, Default)]
pub struct VolumeInfo {
    pub claim_backed: bool,
    pub image: bool,
}

pub type Volumes = BTreeMap<String, VolumeInfo>;

/// `ValidateDNS1123Label`.
pub fn dns_label(value: &str, path: &Path) -> Vec<FieldError> {
    is_dns1123_label(value).into_iter().map(|m| invalid(path, BadValue::Str(value.to_string()), &m)).collect()
}

/// `validateContainers`: the regular containers of a pod spec.
pub fn validate_containers(
    containers: &[Container],
    volumes: &Volumes,
    grace: Option<i64>,
    restart: &str,
    path: &Path,
) -> Vec<FieldError> {
    if containers.is_empty() {
        return vec![required(path, "")];
    }
    let mut errs = Vec::new();
    let mut names = BTreeSet::new();
    for (i, c) in containers.iter().enumerate() {
        let cpath = path.index(i);
        errs.extend(validate_container_common(c, volumes, &cpath, restart));
        if !names.insert(c.name.clone()) {
            errs.push(duplicate(&cpath.child("name"), BadValue::Str(c.name.clone())));
        }
        if let Some(lifecycle) = &c.lifecycle {
            errs.extend(validate_lifecycle(
                lifecycle.post_start.as_ref(),
                lifecycle.pre_stop.as_ref(),
                grace,
                &cpath.child("lifecycle"),
            ));
        }
        errs.extend(validate_probes(c, &cpath));
        if c.restart_policy.is_some() {
            errs.push(forbidden(&cpath.child("restartPolicy"), "may not be set for non-init containers"));
        }
    }
    errs.extend(host_port_conflicts(containers, path));
    errs
}

/// `validateInitContainers`.
pub fn validate_init_containers(
    init: &[Container],
    regular: &[Container],
    volumes: &Volumes,
    grace: Option<i64>,
    restart: &str,
    path: &Path,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut names: BTreeSet<String> = regular.iter().map(|c| c.name.clone()).collect();
    for (i, c) in init.iter().enumerate() {
        let cpath = path.index(i);
        errs.extend(validate_container_common(c, volumes, &cpath, restart));
        let mut sidecar = false;
        if let Some(policy) = &c.restart_policy {
            if policy == "Always" {
                sidecar = true;
            } else {
                errs.push(not_supported(&cpath.child("restartPolicy"), BadValue::typed(policy), &["Always"]));
            }
        }
        if names.contains(&c.name) {
            errs.push(duplicate(&cpath.child("name"), BadValue::Str(c.name.clone())));
        } else if !c.name.is_empty() {
            names.insert(c.name.clone());
        }
        // Init containers run one at a time, so host ports only clash within one of them.
        errs.extend(host_port_conflicts(std::slice::from_ref(c), path));
        if sidecar {
            if let Some(lifecycle) = &c.lifecycle {
                errs.extend(validate_lifecycle(
                    lifecycle.post_start.as_ref(),
                    lifecycle.pre_stop.as_ref(),
                    grace,
                    &cpath.child("lifecycle"),
                ));
            }
            errs.extend(validate_probes(c, &cpath));
        } else {
            let msg = "may not be set for init containers without restartPolicy=Always";
            if c.lifecycle.is_some() {
                errs.push(forbidden(&cpath.child("lifecycle"), msg));
            }
            for (field, probe) in [
                ("livenessProbe", &c.liveness_probe),
                ("readinessProbe", &c.readiness_probe),
                ("startupProbe", &c.startup_probe),
            ] {
                if probe.is_some() {
                    errs.push(forbidden(&cpath.child(field), msg));
                }
            }
        }
    }
    errs
}

/// `validateContainerCommon`.
pub fn validate_container_common(c: &Container, volumes: &Volumes, path: &Path, restart: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if c.name.is_empty() {
        errs.push(required(&path.child("name"), ""));
    } else {
        errs.extend(dns_label(&c.name, &path.child("name")));
    }
    if c.image.as_deref().unwrap_or_default().is_empty() {
        errs.push(required(&path.child("image"), ""));
    }
    match c.termination_message_policy.as_deref().unwrap_or_default() {
        "File" | "FallbackToLogsOnError" => {}
        "" => errs.push(required(&path.child("terminationMessagePolicy"), "")),
        other => errs.push(not_supported(
            &path.child("terminationMessagePolicy"),
            BadValue::typed(other),
            &["File", "FallbackToLogsOnError"],
        )),
    }
    errs.extend(validate_ports(c.ports.as_deref().unwrap_or_default(), &path.child("ports")));
    errs.extend(validate_env(c.env.as_deref().unwrap_or_default(), &path.child("env")));
    errs.extend(validate_env_from(c.env_from.as_deref().unwrap_or_default(), &path.child("envFrom")));
    errs.extend(validate_volume_mounts(c, volumes, &path.child("volumeMounts")));
    errs.extend(validate_pull_policy(
        c.image_pull_policy.as_deref().unwrap_or_default(),
        &path.child("imagePullPolicy"),
    ));
    errs.extend(validate_resource_requirements(c.resources.as_ref(), &path.child("resources")));
    errs.extend(resize_policy(c.resize_policy.as_deref().unwrap_or_default(), restart, &path.child("resizePolicy")));
    errs.extend(validate_security_context(c.security_context.as_ref(), &path.child("securityContext")));
    errs
}

/// `validateResizePolicy`: cpu and memory at most once each, a known restart policy, and no restarts for a
/// pod that never restarts.
fn resize_policy(policies: &[ContainerResizePolicy], restart: &str, path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, p) in policies.iter().enumerate() {
        if !seen.insert(p.resource_name.clone()) {
            errs.push(duplicate(&path.index(i), BadValue::typed(&p.resource_name)));
        }
        match p.resource_name.as_str() {
            "cpu" | "memory" => {}
            "" => errs.push(required(path, "")),
            other => errs.push(not_supported(path, BadValue::typed(other), &["cpu", "memory"])),
        }
        match p.restart_policy.as_str() {
            "NotRequired" | "RestartContainer" => {}
            "" => errs.push(required(path, "")),
            other => errs.push(not_supported(path, BadValue::typed(other), &["NotRequired", "RestartContainer"])),
        }
        if restart == "Never" && p.restart_policy != "NotRequired" {
            let value = BadValue::typed(&p.restart_policy);
            errs.push(invalid(path, value, "must be 'NotRequired' when `restartPolicy` is 'Never'"));
        }
    }
    errs
}

/// `validatePullPolicy`.
pub fn validate_pull_policy(policy: &str, path: &Path) -> Vec<FieldError> {
    match policy {
        "Always" | "IfNotPresent" | "Never" => Vec::new(),
        "" => vec![required(path, "")],
        other => vec![not_supported(path, BadValue::typed(other), &["Always", "IfNotPresent", "Never"])],
    }
}

/// `validateContainerPorts`.
fn validate_ports(ports: &[ContainerPort], path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut names = BTreeSet::new();
    for (i, p) in ports.iter().enumerate() {
        let ppath = path.index(i);
        if let Some(name) = p.name.as_deref().filter(|n| !n.is_empty()) {
            let msgs = is_valid_port_name(name);
            if !msgs.is_empty() {
                errs.extend(msgs.iter().map(|m| invalid(&ppath.child("name"), BadValue::Str(name.to_string()), m)));
            } else if !names.insert(name.to_string()) {
                errs.push(duplicate(&ppath.child("name"), BadValue::Str(name.to_string())));
            }
        }
        if p.container_port == 0 {
            errs.push(required(&ppath.child("containerPort"), ""));
        } else {
            for m in is_valid_port_num(i64::from(p.container_port)) {
                errs.push(invalid(&ppath.child("containerPort"), BadValue::Int(i64::from(p.container_port)), &m));
            }
        }
        if let Some(hp) = p.host_port.filter(|&hp| hp != 0) {
            for m in is_valid_port_num(i64::from(hp)) {
                errs.push(invalid(&ppath.child("hostPort"), BadValue::Int(i64::from(hp)), &m));
            }
        }
        errs.extend(validate_protocol(p.protocol.as_deref().unwrap_or_default(), &ppath.child("protocol")));
    }
    errs
}

/// A port protocol: required, one of TCP, UDP, SCTP (listed sorted, as `sets.List` does).
pub fn validate_protocol(protocol: &str, path: &Path) -> Vec<FieldError> {
    match protocol {
        "TCP" | "UDP" | "SCTP" => Vec::new(),
        "" => vec![required(path, "")],
        other => vec![not_supported(path, BadValue::typed(other), &["SCTP", "TCP", "UDP"])],
    }
}

/// `AccumulateUniqueHostPorts`: the same protocol/hostIP/hostPort twice is a duplicate.
fn host_port_conflicts(containers: &[Container], path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut seen = BTreeSet::new();
    for (ci, c) in containers.iter().enumerate() {
        for (pi, p) in c.ports.iter().flatten().enumerate() {
            let hp = p.host_port.unwrap_or(0);
            if hp == 0 {
                continue;
            }
            let key = format!(
                "{}/{}/{}",
                p.protocol.as_deref().unwrap_or_default(),
                p.host_ip.as_deref().unwrap_or_default(),
                hp
            );
            if !seen.insert(key.clone()) {
                errs.push(duplicate(&path.index(ci).child("ports").index(pi).child("hostPort"), BadValue::Str(key)));
            }
        }
    }
    errs
}

/// `ValidateVolumeMounts`. Several Go paths here are not indexed (`volumeMounts.subPath`); they are kept.
fn validate_volume_mounts(c: &Container, volumes: &Volumes, path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut mount_points = BTreeSet::new();
    let mounts: &[VolumeMount] = c.volume_mounts.as_deref().unwrap_or_default();
    let devices: BTreeMap<&str, &str> =
        c.volume_devices.iter().flatten().map(|d| (d.name.as_str(), d.device_path.as_str())).collect();
    for (i, m) in mounts.iter().enumerate() {
        let mpath = path.index(i);
        if m.name.is_empty() {
            errs.push(required(&mpath.child("name"), ""));
        }
        if !volumes.contains_key(&m.name) {
            errs.push(not_found(&mpath.child("name"), BadValue::Str(m.name.clone())));
        }
        if m.mount_path.is_empty() {
            errs.push(required(&mpath.child("mountPath"), ""));
        }
        if !mount_points.insert(m.mount_path.clone()) {
            errs.push(invalid(&mpath.child("mountPath"), BadValue::Str(m.mount_path.clone()), "must be unique"));
        }
        if devices.contains_key(m.name.as_str()) {
            errs.push(invalid(
                &mpath.child("name"),
                BadValue::Str(m.name.clone()),
                "must not already exist in volumeDevices",
            ));
        }
        if devices.values().any(|p| *p == m.mount_path) {
            errs.push(invalid(
                &mpath.child("mountPath"),
                BadValue::Str(m.mount_path.clone()),
                "must not already exist as a path in volumeDevices",
            ));
        }
        let sub_path = m.sub_path.as_deref().unwrap_or_default();
        let sub_expr = m.sub_path_expr.as_deref().unwrap_or_default();
        if volumes.get(&m.name).is_some_and(|v| v.image) {
            if !sub_path.is_empty() {
                errs.push(invalid(
                    &mpath.child("subPath"),
                    BadValue::Str(sub_path.to_string()),
                    "not allowed in image volume sources",
                ));
            }
            if !sub_expr.is_empty() {
                errs.push(invalid(
                    &mpath.child("subPathExpr"),
                    BadValue::Str(sub_expr.to_string()),
                    "not allowed in image volume sources",
                ));
            }
        }
        if !sub_path.is_empty() {
            errs.extend(local_descending_path(sub_path, &path.child("subPath")));
        }
        if !sub_expr.is_empty() {
            if !sub_path.is_empty() {
                errs.push(invalid(
                    &mpath.child("subPathExpr"),
                    BadValue::Str(sub_expr.to_string()),
                    "subPathExpr and subPath are mutually exclusive",
                ));
            }
            errs.extend(local_descending_path(sub_expr, &path.child("subPathExpr")));
        }
        if let Some(prop) = m.mount_propagation.as_deref() {
            let ppath = path.child("mountPropagation");
            if !["Bidirectional", "HostToContainer", "None"].contains(&prop) {
                errs.push(not_supported(&ppath, BadValue::typed(prop), &["Bidirectional", "HostToContainer", "None"]));
            }
            let privileged = c.security_context.as_ref().and_then(|s| s.privileged).unwrap_or(false);
            if prop == "Bidirectional" && !privileged {
                errs.push(forbidden(
                    &ppath,
                    "Bidirectional mount propagation is available only to privileged containers",
                ));
            }
        }
        if let Some(rro) = m.recursive_read_only.as_deref() {
            let rpath = path.child("recursiveReadOnly");
            match rro {
                "Disabled" => {}
                "Enabled" | "IfPossible" => {
                    if m.read_only != Some(true) {
                        errs.push(forbidden(&rpath, "may only be specified when readOnly is true"));
                    }
                    if m.mount_propagation.as_deref().is_some_and(|p| p != "None") {
                        errs.push(forbidden(
                            &rpath,
                            "may only be specified when mountPropagation is None or not specified",
                        ));
                    }
                }
                other => {
                    errs.push(not_supported(&rpath, BadValue::typed(other), &["Disabled", "Enabled", "IfPossible"]))
                }
            }
        }
    }
    errs
}

/// `validatePathNoBacksteps`: no `..` element (`filepath.ToSlash` is a no-op on Linux, so only `/` splits).
pub fn no_backsteps(target: &str, path: &Path) -> Vec<FieldError> {
    if target.split('/').any(|p| p == "..") {
        vec![invalid(path, BadValue::Str(target.to_string()), "must not contain '..'")]
    } else {
        Vec::new()
    }
}

/// `validateLocalDescendingPath`: relative and without `..`.
pub fn local_descending_path(target: &str, path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if target.starts_with('/') {
        errs.push(invalid(path, BadValue::Str(target.to_string()), "must be a relative path"));
    }
    errs.extend(no_backsteps(target, path));
    errs
}
