//! Compute resources and security contexts of containers and pods, from core `validation.go`:
//! `validateResourceRequirements` with `validateContainerResourceName`, `ValidateResourceQuantityValue`,
//! `ValidateSecurityContext`, `validatePodSpecSecurityContext`, and the seccomp/AppArmor profile checks.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    AppArmorProfile, PodSecurityContext, ResourceRequirements, SeccompProfile, SecurityContext,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity as Qty;

use super::json_of;
use crate::admission::field::{forbidden, invalid, not_supported, required, BadValue, FieldError, GoJson, Path};
use crate::admission::names::{inclusive_range_error, is_qualified_name};
use crate::admission::quantity::Quantity;

/// `helper.IsStandardResourceName`: the names that need no domain prefix.
const STANDARD_RESOURCES: [&str; 20] = [
    "cpu",
    "memory",
    "ephemeral-storage",
    "requests.cpu",
    "requests.memory",
    "requests.ephemeral-storage",
    "limits.cpu",
    "limits.memory",
    "limits.ephemeral-storage",
    "pods",
    "services",
    "replicationcontrollers",
    "resourcequotas",
    "secrets",
    "configmaps",
    "persistentvolumeclaims",
    "requests.storage",
    "storage",
    "services.nodeports",
    "services.loadbalancers",
];

/// `helper.IsNativeResource`: no domain, or a `kubernetes.io/` one.
fn is_native(name: &str) -> bool {
    !name.contains('/') || name.contains("kubernetes.io/")
}

fn is_huge_pages(name: &str) -> bool {
    name.starts_with("hugepages-")
}

/// `helper.IsExtendedResourceName`.
fn is_extended(name: &str) -> bool {
    !is_native(name) && !name.starts_with("requests.") && is_qualified_name(&format!("requests.{name}")).is_empty()
}

/// `helper.IsOvercommitAllowed`: native resources except huge pages may request less than their limit.
fn overcommit_allowed(name: &str) -> bool {
    is_native(name) && !is_huge_pages(name)
}

/// `helper.IsIntegerResourceName`.
fn is_integer_resource(name: &str) -> bool {
    const INTEGER: [&str; 9] = [
        "pods",
        "resourcequotas",
        "services",
        "replicationcontrollers",
        "secrets",
        "configmaps",
        "persistentvolumeclaims",
        "services.nodeports",
        "services.loadbalancers",
    ];
    INTEGER.contains(&name) || is_extended(name)
}

/// `validateResourceName`: a qualified name, and without a prefix one of the standard names.
fn validate_resource_name(name: &str, path: &Path) -> Vec<FieldError> {
    let errs: Vec<FieldError> =
        is_qualified_name(name).into_iter().map(|m| invalid(path, BadValue::Str(name.to_string()), &m)).collect();
    if !errs.is_empty() {
        return errs;
    }
    if !name.contains('/') && !STANDARD_RESOURCES.contains(&name) && !is_huge_pages(name) {
        return vec![invalid(path, BadValue::typed(name), "must be a standard resource type or fully qualified")];
    }
    errs
}

/// `validateContainerResourceName`.
fn validate_container_resource_name(name: &str, path: &Path) -> Vec<FieldError> {
    let mut errs = validate_resource_name(name, path);
    if !name.contains('/') {
        if !matches!(name, "cpu" | "memory" | "ephemeral-storage") && !is_huge_pages(name) {
            errs.push(invalid(path, BadValue::typed(name), "must be a standard resource for containers"));
        }
    } else if !is_native(name) && !is_extended(name) {
        errs.push(invalid(path, BadValue::typed(name), "doesn't follow extended resource name standard"));
    }
    errs
}

/// `ValidateNonnegativeQuantity`: the value is the quantity's canonical string.
pub fn non_negative_quantity(q: &Quantity, path: &Path) -> Vec<FieldError> {
    if q.is_negative() {
        vec![invalid(path, BadValue::Str(q.canonical()), "must be greater than or equal to 0")]
    } else {
        Vec::new()
    }
}

/// `ValidatePositiveQuantityValue`.
pub fn positive_quantity(q: &Quantity, path: &Path) -> Vec<FieldError> {
    if q.is_negative() || q.is_zero() {
        vec![invalid(path, BadValue::Str(q.canonical()), "must be greater than zero")]
    } else {
        Vec::new()
    }
}

/// `ValidateResourceQuantityValue`: non-negative, and whole for integer resources. A `resource.Quantity`
/// marshals to its canonical string, which is how the integer error prints it.
pub fn validate_quantity_value(resource: &str, q: &Quantity, path: &Path) -> Vec<FieldError> {
    let mut errs = non_negative_quantity(q, path);
    if is_integer_resource(resource) && q.milli_value() % 1000 != 0 {
        errs.push(invalid(path, BadValue::Json(GoJson::Str(q.canonical())), "must be an integer"));
    }
    errs
}

/// Parses a quantity that decoding accepted; an unparseable one counts as zero (the decoder rejects those
/// before validation runs, so this only keeps validation total).
pub fn parse_qty(q: &Qty) -> Quantity {
    Quantity::parse(&q.0).unwrap_or_else(|_| Quantity::zero())
}

/// `helper.IsHugePageResourceValueDivisible`: a whole, positive number of pages.
fn huge_pages_divisible(name: &str, q: &Quantity) -> bool {
    let Some(size) = name.strip_prefix("hugepages-").and_then(|s| Quantity::parse(s).ok()) else {
        return false;
    };
    let (page, value) = (size.value(), q.value());
    page > 0 && value >= 0 && value % page == 0
}

/// `ValidateContainerResourceRequirements` (limits first, then requests; Go walks maps in random order,
/// here they go in key order).
pub fn validate_resource_requirements(req: Option<&ResourceRequirements>, path: &Path) -> Vec<FieldError> {
    let Some(req) = req else { return Vec::new() };
    let empty = BTreeMap::new();
    let limits = req.limits.as_ref().unwrap_or(&empty);
    let requests = req.requests.as_ref().unwrap_or(&empty);
    let (lim_path, req_path) = (path.child("limits"), path.child("requests"));
    let mut errs = Vec::new();
    let (mut cpu_or_memory, mut huge_pages) = (false, false);
    for (name, qty) in limits {
        let fpath = lim_path.key(name);
        let q = parse_qty(qty);
        errs.extend(validate_container_resource_name(name, &fpath));
        errs.extend(validate_quantity_value(name, &q, &fpath));
        if is_huge_pages(name) {
            huge_pages = true;
            if !huge_pages_divisible(name, &q) {
                let msg = format!("{} is not positive integer multiple of {name}", q.canonical());
                errs.push(invalid(&fpath, BadValue::Str(q.canonical()), &msg));
            }
        }
        cpu_or_memory |= name == "cpu" || name == "memory";
    }
    for (name, qty) in requests {
        let fpath = req_path.key(name);
        let q = parse_qty(qty);
        errs.extend(validate_container_resource_name(name, &fpath));
        errs.extend(validate_quantity_value(name, &q, &fpath));
        match limits.get(name).map(parse_qty) {
            Some(limit) => {
                let ord = q.cmp_value(&limit);
                if ord != std::cmp::Ordering::Equal && !overcommit_allowed(name) {
                    let msg = format!("must be equal to {name} limit of {}", limit.canonical());
                    errs.push(invalid(&req_path, BadValue::Str(q.canonical()), &msg));
                } else if ord == std::cmp::Ordering::Greater {
                    let msg = format!("must be less than or equal to {name} limit of {}", limit.canonical());
                    errs.push(invalid(&req_path, BadValue::Str(q.canonical()), &msg));
                }
            }
            None if !overcommit_allowed(name) => {
                errs.push(required(&lim_path, "Limit must be set for non overcommitable resources"));
            }
            None => {}
        }
        if is_huge_pages(name) {
            huge_pages = true;
            if !huge_pages_divisible(name, &q) {
                let msg = format!("{} is not positive integer multiple of {name}", q.canonical());
                errs.push(invalid(&fpath, BadValue::Str(q.canonical()), &msg));
            }
        }
        cpu_or_memory |= name == "cpu" || name == "memory";
    }
    if huge_pages && !cpu_or_memory {
        errs.push(forbidden(path, "HugePages require cpu or memory"));
    }
    errs
}

/// `IsValidUserID` / `IsValidGroupID`: 0 to MaxInt32.
fn id_errors(value: i64, path: &Path) -> Vec<FieldError> {
    if (0..=i64::from(i32::MAX)).contains(&value) {
        Vec::new()
    } else {
        vec![invalid(path, BadValue::Int(value), &inclusive_range_error(0, i64::from(i32::MAX)))]
    }
}

/// `validateSeccompProfileField`.
fn validate_seccomp(sp: Option<&SeccompProfile>, path: &Path) -> Vec<FieldError> {
    let Some(sp) = sp else { return Vec::new() };
    let mut errs = Vec::new();
    let types = ["Localhost", "RuntimeDefault", "Unconfined"];
    match sp.type_.as_str() {
        "" => errs.push(required(&path.child("type"), "type is required when seccompProfile is set")),
        t if !types.contains(&t) => errs.push(not_supported(&path.child("type"), BadValue::typed(t), &types)),
        _ => {}
    }
    if sp.type_ == "Localhost" {
        match sp.localhost_profile.as_deref() {
            None => errs.push(required(&path.child("localhostProfile"), "must be set when seccomp type is Localhost")),
            Some(p) => errs.extend(super::container::local_descending_path(p, &path.child("localhostProfile"))),
        }
    } else if sp.localhost_profile.is_some() {
        errs.push(invalid(
            &path.child("localhostProfile"),
            BadValue::Json(json_of(sp)),
            "can only be set when seccomp type is Localhost",
        ));
    }
    errs
}

/// `ValidateAppArmorProfileField`.
fn validate_app_armor(profile: Option<&AppArmorProfile>, path: &Path) -> Vec<FieldError> {
    let Some(p) = profile else { return Vec::new() };
    let mut errs = Vec::new();
    let lpath = path.child("localhostProfile");
    match p.type_.as_str() {
        "Localhost" => match p.localhost_profile.as_deref() {
            None => errs.push(required(&lpath, "must be set when AppArmor type is Localhost")),
            Some(l) if l.trim() != l => {
                errs.push(invalid(&lpath, BadValue::Str(l.to_string()), "must not be padded with whitespace"));
            }
            Some("") => errs.push(required(&lpath, "must be set when AppArmor type is Localhost")),
            Some(_) => {}
        },
        "RuntimeDefault" | "Unconfined" => {
            if let Some(l) = &p.localhost_profile {
                errs.push(invalid(
                    &lpath,
                    BadValue::Json(GoJson::Str(l.clone())),
                    "can only be set when AppArmor type is Localhost",
                ));
            }
        }
        "" => errs.push(required(&path.child("type"), "type is required when appArmorProfile is set")),
        t => errs.push(not_supported(
            &path.child("type"),
            BadValue::typed(t),
            &["Localhost", "RuntimeDefault", "Unconfined"],
        )),
    }
    errs
}

/// `ValidateSecurityContext` for a container. Privileged containers are allowed (kube-apiserver runs with
/// `--allow-privileged=true` in kubeadm and kind clusters). The whole-context value of the privilege
/// escalation errors is rendered from the v1 type; Go renders its internal type (see the module report).
pub fn validate_security_context(sc: Option<&SecurityContext>, path: &Path) -> Vec<FieldError> {
    let Some(sc) = sc else { return Vec::new() };
    let mut errs = Vec::new();
    if let Some(u) = sc.run_as_user {
        errs.extend(id_errors(u, &path.child("runAsUser")));
    }
    if let Some(g) = sc.run_as_group {
        errs.extend(id_errors(g, &path.child("runAsGroup")));
    }
    if let Some(pm) = sc.proc_mount.as_deref() {
        if pm != "Default" && pm != "Unmasked" {
            errs.push(not_supported(&path.child("procMount"), BadValue::typed(pm), &["Default", "Unmasked"]));
        }
        // Unmasked also needs `hostUsers: false`, a pod-level field: `pod::unmasked_proc_mounts` checks it.
    }
    errs.extend(validate_seccomp(sc.seccomp_profile.as_ref(), &path.child("seccompProfile")));
    if sc.allow_privilege_escalation == Some(false) {
        if sc.privileged == Some(true) {
            errs.push(invalid(
                path,
                BadValue::Json(json_of(sc)),
                "cannot set `allowPrivilegeEscalation` to false and `privileged` to true",
            ));
        }
        let adds = sc.capabilities.as_ref().and_then(|c| c.add.as_ref());
        for cap in adds.into_iter().flatten() {
            if cap == "CAP_SYS_ADMIN" {
                errs.push(invalid(
                    path,
                    BadValue::Json(json_of(sc)),
                    "cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN",
                ));
            }
        }
    }
    errs.extend(validate_app_armor(sc.app_armor_profile.as_ref(), &path.child("appArmorProfile")));
    errs
}

/// `validatePodSpecSecurityContext`. In v1 the host namespaces and `shareProcessNamespace` live in the pod
/// spec itself, so the pod spec validation checks those.
pub fn validate_pod_security_context(sc: Option<&PodSecurityContext>, path: &Path) -> Vec<FieldError> {
    let Some(sc) = sc else { return Vec::new() };
    let mut errs = Vec::new();
    if let Some(g) = sc.fs_group {
        errs.extend(id_errors(g, &path.child("fsGroup")));
    }
    if let Some(u) = sc.run_as_user {
        errs.extend(id_errors(u, &path.child("runAsUser")));
    }
    if let Some(g) = sc.run_as_group {
        errs.extend(id_errors(g, &path.child("runAsGroup")));
    }
    for (i, g) in sc.supplemental_groups.iter().flatten().enumerate() {
        errs.extend(id_errors(*g, &path.child("supplementalGroups").index(i)));
    }
    if let Some(policy) = sc.fs_group_change_policy.as_deref() {
        if policy != "OnRootMismatch" && policy != "Always" {
            let value = BadValue::Json(GoJson::Str(policy.to_string()));
            errs.push(not_supported(&path.child("fsGroupChangePolicy"), value, &["OnRootMismatch", "Always"]));
        }
    }
    errs.extend(validate_seccomp(sc.seccomp_profile.as_ref(), &path.child("seccompProfile")));
    errs.extend(validate_app_armor(sc.app_armor_profile.as_ref(), &path.child("appArmorProfile")));
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::Capabilities;

    fn reqs(limits: &[(&str, &str)], requests: &[(&str, &str)]) -> ResourceRequirements {
        let map = |items: &[(&str, &str)]| {
            Some(items.iter().map(|(k, v)| (k.to_string(), Qty(v.to_string()))).collect::<BTreeMap<_, _>>())
        };
        ResourceRequirements { limits: map(limits), requests: map(requests), ..Default::default() }
    }

    #[test]
    fn resource_requirement_messages() {
        let path = Path::new("spec").child("containers").index(0).child("resources");
        let cases: Vec<(ResourceRequirements, Vec<&str>)> = vec![
            (reqs(&[("cpu", "1")], &[("cpu", "1")]), vec![]),
            (
                reqs(&[("cpu", "1")], &[("cpu", "2")]),
                vec!["spec.containers[0].resources.requests: Invalid value: \"2\": must be less than or equal to cpu limit of 1"],
            ),
            (
                reqs(&[("memory", "64Mi")], &[("memory", "128Mi")]),
                vec!["spec.containers[0].resources.requests: Invalid value: \"128Mi\": must be less than or equal to memory limit of 64Mi"],
            ),
            (
                reqs(&[], &[("cpu", "-1")]),
                vec!["spec.containers[0].resources.requests[cpu]: Invalid value: \"-1\": must be greater than or equal to 0"],
            ),
            (
                reqs(&[], &[("example.com/gpu", "1")]),
                vec!["spec.containers[0].resources.limits: Required value: Limit must be set for non overcommitable resources"],
            ),
            (
                reqs(&[("example.com/gpu", "2")], &[("example.com/gpu", "1")]),
                vec!["spec.containers[0].resources.requests: Invalid value: \"1\": must be equal to example.com/gpu limit of 2"],
            ),
            (
                reqs(&[("example.com/gpu", "500m")], &[]),
                vec!["spec.containers[0].resources.limits[example.com/gpu]: Invalid value: \"500m\": must be an integer"],
            ),
            (
                reqs(&[("gpu", "1")], &[]),
                vec![
                    "spec.containers[0].resources.limits[gpu]: Invalid value: \"gpu\": must be a standard resource type or fully qualified",
                    "spec.containers[0].resources.limits[gpu]: Invalid value: \"gpu\": must be a standard resource for containers",
                ],
            ),
            (
                reqs(&[("hugepages-2Mi", "2Mi")], &[]),
                vec!["spec.containers[0].resources: Forbidden: HugePages require cpu or memory"],
            ),
        ];
        for (r, want) in cases {
            let got: Vec<String> =
                validate_resource_requirements(Some(&r), &path).iter().map(|e| e.to_string()).collect();
            assert_eq!(got, want);
        }
    }

    #[test]
    fn security_context_messages() {
        let path = Path::new("spec").child("containers").index(0).child("securityContext");
        let sc = SecurityContext { run_as_user: Some(-1), ..Default::default() };
        let got: Vec<String> = validate_security_context(Some(&sc), &path).iter().map(|e| e.to_string()).collect();
        assert_eq!(got, ["spec.containers[0].securityContext.runAsUser: Invalid value: -1: must be between 0 and 2147483647, inclusive"]);
        let sc = SecurityContext {
            allow_privilege_escalation: Some(false),
            privileged: Some(true),
            capabilities: Some(Capabilities { add: Some(vec!["CAP_SYS_ADMIN".into()]), drop: None }),
            ..Default::default()
        };
        let got: Vec<String> = validate_security_context(Some(&sc), &path).iter().map(|e| e.body()).collect();
        assert_eq!(got.len(), 2);
        assert!(got[0].ends_with(": cannot set `allowPrivilegeEscalation` to false and `privileged` to true"));
        let sc = SecurityContext {
            seccomp_profile: Some(SeccompProfile { type_: "Bogus".into(), localhost_profile: None }),
            ..Default::default()
        };
        let got: Vec<String> = validate_security_context(Some(&sc), &path).iter().map(|e| e.to_string()).collect();
        assert_eq!(got, ["spec.containers[0].securityContext.seccompProfile.type: Unsupported value: \"Bogus\": supported values: \"Localhost\", \"RuntimeDefault\", \"Unconfined\""]);
    }
}
