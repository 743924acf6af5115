//! Environment variables of containers, from core `validation.go`: `ValidateEnv` (with the relaxed name rule),
//! `ValidateEnvFrom`, and the downward-API field selectors shared with downward-API volumes
//! (`validateObjectFieldSelector`, `validateContainerResourceFieldSelector`).

use k8s_openapi::api::core::v1::{EnvFromSource, EnvVar, ObjectFieldSelector, ResourceFieldSelector};

use crate::admission::field::{invalid, not_supported, required, BadValue, FieldError, Path};
use crate::admission::names::{is_config_map_key, is_qualified_name, is_relaxed_env_var_name, validate_name, NameRule};
use crate::admission::quantity::Quantity;

/// The pod fields an env var may read (`validEnvDownwardAPIFieldPathExpressions`, sorted).
const ENV_FIELD_PATHS: [&str; 9] = [
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
    "spec.nodeName",
    "spec.serviceAccountName",
    "status.hostIP",
    "status.hostIPs",
    "status.podIP",
    "status.podIPs",
];
/// The pod fields a downward-API volume file may read.
pub const VOLUME_FIELD_PATHS: [&str; 5] =
    ["metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace", "metadata.uid"];
/// The container resources a resource field selector may read.
const RESOURCE_FIELD_PATHS: [&str; 6] = [
    "limits.cpu",
    "limits.ephemeral-storage",
    "limits.memory",
    "requests.cpu",
    "requests.ephemeral-storage",
    "requests.memory",
];

/// `ValidateEnv` with the relaxed name rule (RelaxedEnvironmentVariableValidation, GA in v1.34).
pub fn validate_env(vars: &[EnvVar], path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (i, var) in vars.iter().enumerate() {
        let vpath = path.index(i);
        if var.name.is_empty() {
            errs.push(required(&vpath.child("name"), ""));
        } else {
            for m in is_relaxed_env_var_name(&var.name) {
                errs.push(invalid(&vpath.child("name"), BadValue::Str(var.name.clone()), &m));
            }
        }
        let Some(from) = &var.value_from else { continue };
        let fpath = vpath.child("valueFrom");
        let mut sources = 0;
        if let Some(f) = &from.field_ref {
            sources += 1;
            errs.extend(validate_field_selector(f, &ENV_FIELD_PATHS, &fpath.child("fieldRef")));
        }
        if let Some(r) = &from.resource_field_ref {
            sources += 1;
            errs.extend(validate_resource_field_selector(r, false, &fpath.child("resourceFieldRef")));
        }
        for (field, selector) in [
            ("configMapKeyRef", from.config_map_key_ref.as_ref().map(|s| (&s.name, &s.key))),
            ("secretKeyRef", from.secret_key_ref.as_ref().map(|s| (&s.name, &s.key))),
        ] {
            if let Some((name, key)) = selector {
                sources += 1;
                errs.extend(validate_key_selector(name, key, &fpath.child(field)));
            }
        }
        if sources == 0 {
            errs.push(invalid(
                &fpath,
                BadValue::Str(String::new()),
                "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`",
            ));
        } else if !var.value.as_deref().unwrap_or_default().is_empty() {
            errs.push(invalid(&fpath, BadValue::Str(String::new()), "may not be specified when `value` is not empty"));
        } else if sources > 1 {
            errs.push(invalid(
                &fpath,
                BadValue::Str(String::new()),
                "may not have more than one field specified at a time",
            ));
        }
    }
    errs
}

/// `validateConfigMapKeySelector` / `validateSecretKeySelector`: the name is checked as a subdomain (an empty
/// name fails that check), the key as a config key.
fn validate_key_selector(name: &str, key: &str, path: &Path) -> Vec<FieldError> {
    let mut errs: Vec<FieldError> = validate_name(NameRule::Subdomain, name, false)
        .into_iter()
        .map(|m| invalid(&path.child("name"), BadValue::Str(name.to_string()), &m))
        .collect();
    if key.is_empty() {
        errs.push(required(&path.child("key"), ""));
    } else {
        errs.extend(
            is_config_map_key(key).into_iter().map(|m| invalid(&path.child("key"), BadValue::Str(key.to_string()), &m)),
        );
    }
    errs
}

/// `ValidateEnvFrom`.
pub fn validate_env_from(sources: &[EnvFromSource], path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (i, s) in sources.iter().enumerate() {
        let spath = path.index(i);
        if let Some(prefix) = s.prefix.as_deref().filter(|p| !p.is_empty()) {
            errs.extend(
                is_relaxed_env_var_name(prefix)
                    .into_iter()
                    .map(|m| invalid(&spath.child("prefix"), BadValue::Str(prefix.to_string()), &m)),
            );
        }
        let mut count = 0;
        for (field, name) in [
            ("configMapRef", s.config_map_ref.as_ref().map(|r| r.name.clone())),
            ("secretRef", s.secret_ref.as_ref().map(|r| r.name.clone())),
        ] {
            let Some(name) = name else { continue };
            count += 1;
            let npath = spath.child(field).child("name");
            if name.is_empty() {
                errs.push(required(&npath, ""));
            } else {
                errs.extend(
                    validate_name(NameRule::Subdomain, &name, true)
                        .into_iter()
                        .map(|m| invalid(&npath, BadValue::Str(name.clone()), &m)),
                );
            }
        }
        if count == 0 {
            errs.push(invalid(
                path,
                BadValue::Str(String::new()),
                "must specify one of: `configMapRef` or `secretRef`",
            ));
        } else if count > 1 {
            errs.push(invalid(
                path,
                BadValue::Str(String::new()),
                "may not have more than one field specified at a time",
            ));
        }
    }
    errs
}

/// `metadata.labels['key']` is split into path and subscript (`fieldpath.SplitMaybeSubscriptedPath`).
fn split_subscript(path: &str) -> Option<(&str, &str)> {
    let inner = path.strip_suffix("']")?;
    let (p, sub) = inner.split_once("['")?;
    Some((p, sub))
}

/// `validateObjectFieldSelector` for env vars and downward API volume items.
pub fn validate_field_selector(f: &ObjectFieldSelector, allowed: &[&str], path: &Path) -> Vec<FieldError> {
    let version = f.api_version.as_deref().unwrap_or_default();
    if version.is_empty() {
        return vec![required(&path.child("apiVersion"), "")];
    }
    if f.field_path.is_empty() {
        return vec![required(&path.child("fieldPath"), "")];
    }
    // podshelper.ConvertDownwardAPIFieldLabel for pods of version v1.
    let conversion = if version != "v1" {
        Err(format!("unsupported pod version: {version}"))
    } else if let Some((p, _)) = split_subscript(&f.field_path) {
        if matches!(p, "metadata.annotations" | "metadata.labels") {
            Ok(())
        } else {
            Err(format!("field label does not support subscript: {}", f.field_path))
        }
    } else {
        let known = [
            "metadata.annotations",
            "metadata.labels",
            "metadata.name",
            "metadata.namespace",
            "metadata.uid",
            "spec.nodeName",
            "spec.restartPolicy",
            "spec.serviceAccountName",
            "spec.schedulerName",
            "status.phase",
            "status.hostIP",
            "status.hostIPs",
            "status.podIP",
            "status.podIPs",
            "spec.host",
        ];
        if known.contains(&f.field_path.as_str()) {
            Ok(())
        } else {
            Err(format!("field label not supported: {}", f.field_path))
        }
    };
    if let Err(e) = conversion {
        return vec![invalid(
            &path.child("fieldPath"),
            BadValue::Str(f.field_path.clone()),
            &format!("error converting fieldPath: {e}"),
        )];
    }
    let internal = if f.field_path == "spec.host" { "spec.nodeName" } else { f.field_path.as_str() };
    match split_subscript(internal) {
        Some(("metadata.annotations", sub)) => is_qualified_name(&sub.to_lowercase())
            .into_iter()
            .map(|m| invalid(path, BadValue::Str(sub.to_lowercase()), &m))
            .collect(),
        Some(("metadata.labels", sub)) => {
            is_qualified_name(sub).into_iter().map(|m| invalid(path, BadValue::Str(sub.to_string()), &m)).collect()
        }
        Some((p, _)) => vec![invalid(path, BadValue::Str(p.to_string()), "does not support subscript")],
        None if !allowed.contains(&internal) => {
            vec![not_supported(&path.child("fieldPath"), BadValue::Str(internal.to_string()), allowed)]
        }
        None => Vec::new(),
    }
}

/// `validateContainerResourceFieldSelector`.
pub fn validate_resource_field_selector(r: &ResourceFieldSelector, volume: bool, path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if volume && r.container_name.as_deref().unwrap_or_default().is_empty() {
        errs.push(required(&path.child("containerName"), ""));
    } else if r.resource.is_empty() {
        errs.push(required(&path.child("resource"), ""));
    } else if !RESOURCE_FIELD_PATHS.contains(&r.resource.as_str())
        && !r.resource.starts_with("requests.hugepages-")
        && !r.resource.starts_with("limits.hugepages-")
    {
        errs.push(not_supported(&path.child("resource"), BadValue::Str(r.resource.clone()), &RESOURCE_FIELD_PATHS));
    }
    let divisor = r.divisor.as_ref().and_then(|d| Quantity::parse(&d.0).ok()).filter(|d| !d.is_zero());
    if let Some(divisor) = divisor {
        let d = divisor.canonical();
        let byte_divisors = ["1", "1k", "1M", "1G", "1T", "1P", "1E", "1Ki", "1Mi", "1Gi", "1Ti", "1Pi", "1Ei"];
        let bytes_msg =
            "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the";
        let problem = match r.resource.as_str() {
            "limits.cpu" | "requests.cpu" if !["1m", "1"].contains(&d.as_str()) => {
                Some("only divisor's values 1m and 1 are supported with the cpu resource".to_string())
            }
            "limits.memory" | "requests.memory" if !byte_divisors.contains(&d.as_str()) => {
                Some(format!("{bytes_msg} memory resource"))
            }
            "limits.ephemeral-storage" | "requests.ephemeral-storage" if !byte_divisors.contains(&d.as_str()) => {
                Some(format!("{bytes_msg} local ephemeral storage resource"))
            }
            _ => None,
        };
        if let Some(msg) = problem {
            errs.push(invalid(&path.child("divisor"), BadValue::Str(r.resource.clone()), &msg));
        }
    }
    errs
}
