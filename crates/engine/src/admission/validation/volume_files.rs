//! The file-producing parts of pod volumes, from core `validation.go`: the items of configMap and secret
//! volumes (`validateKeyToPath`), downward-API files, projected volumes (`validateProjectionSources`), file
//! modes, and the CSI driver name shared with PersistentVolumes.

use std::collections::BTreeSet;

use k8s_openapi::api::core::v1::{DownwardAPIVolumeFile, KeyToPath, ProjectedVolumeSource};

use super::container::local_descending_path;
use super::env::{validate_field_selector, validate_resource_field_selector, VOLUME_FIELD_PATHS};
use crate::admission::field::{forbidden, invalid, required, too_long, BadValue, FieldError, Path};
use crate::admission::names::is_dns1123_subdomain;

/// `fileModeErrorMsg`.
const FILE_MODE_ERROR: &str = "must be a number between 0 and 0777 (octal), both inclusive";

/// `Required` for each listed subfield that is empty.
pub fn requireds(path: &Path, fields: &[(&str, bool)]) -> Vec<FieldError> {
    fields.iter().filter(|(_, empty)| *empty).map(|(f, _)| required(&path.child(f), "")).collect()
}

/// A `defaultMode` or item `mode` must fit in 0-0777.
pub fn file_mode(mode: Option<i32>, path: &Path) -> Vec<FieldError> {
    match mode {
        Some(m) if !(0..=0o777).contains(&m) => vec![invalid(path, BadValue::Int(i64::from(m)), FILE_MODE_ERROR)],
        _ => Vec::new(),
    }
}

/// `ValidateCSIDriverName`.
pub fn csi_driver_name(driver: &str, path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if driver.is_empty() {
        errs.push(required(path, ""));
    }
    if driver.len() > 63 {
        errs.push(too_long(path, 63));
    }
    errs.extend(
        is_dns1123_subdomain(&driver.to_lowercase())
            .into_iter()
            .map(|m| invalid(path, BadValue::Str(driver.to_string()), &m)),
    );
    errs
}

/// `ValidateLocalNonReservedPath`.
fn local_non_reserved_path(target: &str, path: &Path) -> Vec<FieldError> {
    let mut errs = local_descending_path(target, path);
    if target.starts_with("..") && !target.starts_with("../") {
        errs.push(invalid(path, BadValue::Str(target.to_string()), "must not start with '..'"));
    }
    errs
}

/// `validateKeyToPath`.
pub fn key_to_path(kp: &KeyToPath, path: &Path) -> Vec<FieldError> {
    let mut errs = requireds(path, &[("key", kp.key.is_empty()), ("path", kp.path.is_empty())]);
    errs.extend(local_non_reserved_path(&kp.path, &path.child("path")));
    errs.extend(file_mode(kp.mode, &path.child("mode")));
    errs
}

/// `validateDownwardAPIVolumeFile`. Go passes the source's path, not an item index, so item errors print
/// as `downwardAPI.path` rather than `downwardAPI.items[0].path`.
pub fn downward_api_file(file: &DownwardAPIVolumeFile, path: &Path) -> Vec<FieldError> {
    let mut errs = requireds(path, &[("path", file.path.is_empty())]);
    errs.extend(local_non_reserved_path(&file.path, &path.child("path")));
    if let Some(f) = &file.field_ref {
        errs.extend(validate_field_selector(f, &VOLUME_FIELD_PATHS, &path.child("fieldRef")));
        if file.resource_field_ref.is_some() {
            errs.push(invalid(
                path,
                BadValue::Str("resource".into()),
                "fieldRef and resourceFieldRef can not be specified simultaneously",
            ));
        }
    } else if let Some(r) = &file.resource_field_ref {
        errs.extend(validate_resource_field_selector(r, true, &path.child("resourceFieldRef")));
    } else {
        errs.push(required(path, "one of fieldRef and resourceFieldRef is required"));
    }
    errs.extend(file_mode(file.mode, &path.child("mode")));
    errs
}

/// `validateProjectedVolumeSource` with `validateProjectionSources`.
pub fn projected(pr: &ProjectedVolumeSource, path: &Path) -> Vec<FieldError> {
    let mut errs = file_mode(pr.default_mode, &path.child("defaultMode"));
    let mut all_paths = BTreeSet::new();
    for (i, src) in pr.sources.iter().flatten().enumerate() {
        let spath = path.child("sources").index(i);
        let mut n = 0;
        for (field, name, items) in [
            ("secret", src.secret.as_ref().map(|s| s.name.clone()), src.secret.as_ref().and_then(|s| s.items.clone())),
            (
                "configMap",
                src.config_map.as_ref().map(|s| s.name.clone()),
                src.config_map.as_ref().and_then(|s| s.items.clone()),
            ),
        ] {
            let Some(name) = name else { continue };
            n += 1;
            let ppath = spath.child(field);
            if name.is_empty() {
                errs.push(required(&ppath.child("name"), ""));
            }
            for (j, kp) in items.iter().flatten().enumerate() {
                errs.extend(key_to_path(kp, &ppath.child("items").index(j)));
                if !kp.path.is_empty() && !all_paths.insert(kp.path.clone()) {
                    errs.push(invalid(path, BadValue::Str(name.clone()), "conflicting duplicate paths"));
                }
            }
        }
        if let Some(d) = &src.downward_api {
            n += 1;
            for file in d.items.iter().flatten() {
                errs.extend(downward_api_file(file, &spath.child("downwardAPI")));
                if !file.path.is_empty() && !all_paths.insert(file.path.clone()) {
                    errs.push(invalid(path, BadValue::Str(file.path.clone()), "conflicting duplicate paths"));
                }
            }
        }
        if let Some(t) = &src.service_account_token {
            n += 1;
            let tpath = spath.child("serviceAccountToken");
            let exp = t.expiration_seconds.unwrap_or(3600);
            if exp < 600 {
                errs.push(invalid(
                    &tpath.child("expirationSeconds"),
                    BadValue::Int(exp),
                    "may not specify a duration less than 10 minutes",
                ));
            }
            if exp > 1 << 32 {
                errs.push(invalid(
                    &tpath.child("expirationSeconds"),
                    BadValue::Int(exp),
                    "may not specify a duration larger than 2^32 seconds",
                ));
            }
            if t.path.is_empty() {
                errs.push(required(&path.child("path"), ""));
            } else {
                errs.extend(local_non_reserved_path(&t.path, &path.child("path")));
            }
        }
        if src.cluster_trust_bundle.is_some() {
            n += 1;
        }
        if n > 1 {
            errs.push(forbidden(&spath, "may not specify more than 1 volume type per source"));
        }
    }
    errs
}
