//! PersistentVolumes, PersistentVolumeClaims (core `validation.go`: `ValidatePersistentVolumeSpec`,
//! `ValidatePersistentVolumeClaimSpec` and their updates) and StorageClasses
//! (`pkg/apis/storage/validation/validation.go`).
//!
//! Update messages that Go ends with a `cmp.Diff` of the old and new spec stop before the diff here: go-cmp
//! deliberately randomises its output format, so no client can depend on it.

use k8s_openapi::api::core::v1::{
    PersistentVolume, PersistentVolumeClaim, PersistentVolumeClaimSpec, PersistentVolumeSpec,
};
use k8s_openapi::api::storage::v1::StorageClass;

use super::meta::{validate_label_selector, validate_object_meta};
use super::resources::{parse_qty, positive_quantity, validate_quantity_value};
use super::volume_files::csi_driver_name;
use super::{immutable, json_of};
use crate::admission::field::{
    forbidden, invalid, not_supported, required, too_long, BadValue, FieldError, GoJson, Path,
};
use crate::admission::names::{is_qualified_name, validate_name, NameRule};

const ACCESS_MODES: [&str; 4] = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"];
const VOLUME_MODES: [&str; 2] = ["Block", "Filesystem"];

/// The access-mode rules shared by PVs and PVCs.
fn access_modes(modes: &[String], path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let (mut once_pod, mut other) = (false, false);
    for m in modes {
        if !ACCESS_MODES.contains(&m.as_str()) {
            errs.push(not_supported(path, BadValue::typed(m), &ACCESS_MODES));
        }
        if m == "ReadWriteOncePod" {
            once_pod = true;
        } else if ACCESS_MODES.contains(&m.as_str()) {
            other = true;
        }
    }
    if once_pod && other {
        errs.push(forbidden(path, "may not use ReadWriteOncePod with other access modes"));
    }
    errs
}

fn class_name(name: &str, path: &Path) -> Vec<FieldError> {
    validate_name(NameRule::Subdomain, name, false)
        .into_iter()
        .map(|m| invalid(path, BadValue::Str(name.to_string()), &m))
        .collect()
}

/// `ValidatePersistentVolumeClaimSpec`.
pub fn validate_pvc_spec(spec: &PersistentVolumeClaimSpec, path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let modes = spec.access_modes.clone().unwrap_or_default();
    if modes.is_empty() {
        errs.push(required(&path.child("accessModes"), "at least 1 access mode is required"));
    }
    errs.extend(validate_label_selector(spec.selector.as_ref(), &path.child("selector")));
    errs.extend(access_modes(&modes, &path.child("accessModes")));
    let storage_path = path.child("resources").key("storage");
    match spec.resources.as_ref().and_then(|r| r.requests.as_ref()).and_then(|r| r.get("storage")) {
        None => errs.push(required(&storage_path, "")),
        Some(q) => {
            let q = parse_qty(q);
            let positive = positive_quantity(&q, &storage_path);
            if positive.is_empty() {
                errs.extend(validate_quantity_value("storage", &q, &storage_path));
            } else {
                errs.extend(positive);
            }
        }
    }
    if let Some(class) = spec.storage_class_name.as_deref().filter(|c| !c.is_empty()) {
        errs.extend(class_name(class, &path.child("storageClassName")));
    }
    if let Some(mode) = spec.volume_mode.as_deref().filter(|m| !VOLUME_MODES.contains(m)) {
        errs.push(not_supported(&path.child("volumeMode"), BadValue::typed(mode), &VOLUME_MODES));
    }
    for (field, source) in [
        ("dataSource", spec.data_source.as_ref().map(|d| (d.name.clone(), d.kind.clone(), d.api_group.clone()))),
        ("dataSourceRef", spec.data_source_ref.as_ref().map(|d| (d.name.clone(), d.kind.clone(), d.api_group.clone()))),
    ] {
        let Some((name, kind, group)) = source else { continue };
        let dpath = path.child(field);
        if name.is_empty() {
            errs.push(required(&dpath.child("name"), ""));
        }
        if kind.is_empty() {
            errs.push(required(&dpath.child("kind"), ""));
        }
        let group = group.unwrap_or_default();
        if group.is_empty() && kind != "PersistentVolumeClaim" {
            errs.push(invalid(
                &dpath,
                BadValue::Str(kind),
                "must be 'PersistentVolumeClaim' when referencing the default apiGroup",
            ));
        }
        if !group.is_empty() {
            errs.extend(class_name(&group, &dpath.child("apiGroup")));
        }
    }
    errs
}

/// `ValidatePersistentVolumeClaim`.
pub fn validate_pvc(pvc: &PersistentVolumeClaim) -> Vec<FieldError> {
    let mut errs = validate_object_meta(&pvc.metadata, true, NameRule::Subdomain);
    errs.extend(validate_pvc_spec(&pvc.spec.clone().unwrap_or_default(), &Path::new("spec")));
    errs
}

/// `ValidatePersistentVolumeClaimUpdate`: only `volumeName` (once, by the binder) and, for bound claims, the
/// storage request may change; the request may not shrink. Whether the class allows expansion at all
/// (`allowVolumeExpansion`) is the PersistentVolumeClaimResize admission plugin's check, which needs the
/// StorageClass and so belongs to the API server layer.
pub fn validate_pvc_update(new: &PersistentVolumeClaim, old: &PersistentVolumeClaim) -> Vec<FieldError> {
    let mut errs = validate_pvc(new);
    let mut new_spec = new.spec.clone().unwrap_or_default();
    let mut old_spec = old.spec.clone().unwrap_or_default();
    if old_spec.volume_name.as_deref().unwrap_or_default().is_empty() {
        old_spec.volume_name = new_spec.volume_name.clone();
    }
    // The upgrade path from "no class" to a class is allowed (validateStorageClassUpgradeFromNil).
    let beta = "volume.beta.kubernetes.io/storage-class";
    let old_annotation = old.metadata.annotations.as_ref().and_then(|a| a.get(beta)).cloned();
    if let (None, Some(new_class)) = (&old_spec.storage_class_name, &new_spec.storage_class_name) {
        if old_annotation.as_ref().is_none_or(|a| a == new_class) {
            new_spec.storage_class_name = None;
        }
    }
    let bound = new.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Bound");
    let storage = |s: &PersistentVolumeClaimSpec| {
        s.resources.as_ref().and_then(|r| r.requests.as_ref()).and_then(|r| r.get("storage")).cloned()
    };
    let (old_size, new_size) = (storage(&old_spec), storage(&new_spec));
    if bound {
        if let Some(requests) = new_spec.resources.as_mut().and_then(|r| r.requests.as_mut()) {
            match &old_size {
                Some(q) => {
                    requests.insert("storage".to_string(), q.clone());
                }
                None => {
                    requests.remove("storage");
                }
            }
        }
        if new_spec.volume_attributes_class_name.is_some() {
            new_spec.volume_attributes_class_name = old_spec.volume_attributes_class_name.clone();
        }
    }
    if json_of(&new_spec) != json_of(&old_spec) {
        errs.push(forbidden(
            &Path::new("spec"),
            "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims",
        ));
    }
    let zero = crate::admission::quantity::Quantity::zero();
    let old_q = old_size.as_ref().map(parse_qty).unwrap_or(zero);
    let new_q = new_size.as_ref().map(parse_qty).unwrap_or(zero);
    if new_q.cmp_value(&old_q) == std::cmp::Ordering::Less {
        // RecoverVolumeExpansionFailure is on by default in v1.34: shrinking is allowed down to (but not
        // including) the capacity the volume reports.
        let status =
            old.status.as_ref().and_then(|s| s.capacity.as_ref()).and_then(|c| c.get("storage")).map(parse_qty);
        if new_q.cmp_value(&status.unwrap_or(zero)) != std::cmp::Ordering::Greater {
            let p = Path::new("spec").child("resources").child("requests").child("storage");
            errs.push(forbidden(&p, "field can not be less than status.capacity"));
        }
    }
    let (nm, om) =
        (new.spec.as_ref().and_then(|s| s.volume_mode.clone()), old.spec.as_ref().and_then(|s| s.volume_mode.clone()));
    errs.extend(immutable(&nm, &om, &Path::new("volumeMode")));
    errs
}

/// `ValidatePersistentVolumeSpec` for a standalone PV (not an inline one).
fn validate_pv_spec(spec: &PersistentVolumeSpec, path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let modes = spec.access_modes.clone().unwrap_or_default();
    if modes.is_empty() {
        errs.push(required(&path.child("accessModes"), ""));
    }
    errs.extend(access_modes(&modes, &path.child("accessModes")));
    let capacity = spec.capacity.clone().unwrap_or_default();
    let cap_path = path.child("capacity");
    if capacity.is_empty() {
        errs.push(required(&cap_path, ""));
    }
    if !capacity.contains_key("storage") || capacity.len() > 1 {
        let value =
            GoJson::Object(capacity.iter().map(|(k, v)| (k.clone(), GoJson::Str(parse_qty(v).canonical()))).collect());
        errs.push(not_supported(&cap_path, BadValue::Json(value), &["storage"]));
    }
    for (name, q) in &capacity {
        let q = parse_qty(q);
        let value = q.value();
        if value < 0 {
            let v = i64::try_from(value).unwrap_or(i64::MIN);
            errs.push(invalid(&cap_path.key(name), BadValue::Int(v), "must be a valid resource quantity"));
        }
        errs.extend(positive_quantity(&q, &cap_path.key(name)));
    }
    if let Some(policy) = spec.persistent_volume_reclaim_policy.as_deref().filter(|p| !p.is_empty()) {
        let supported = ["Delete", "Recycle", "Retain"];
        if !supported.contains(&policy) {
            errs.push(not_supported(&path.child("persistentVolumeReclaimPolicy"), BadValue::typed(policy), &supported));
        }
    }
    let affinity = spec.node_affinity.is_some();
    if let Some(a) = &spec.node_affinity {
        if a.required.is_none() {
            errs.push(required(
                &path.child("nodeAffinity").child("required"),
                "must specify required node constraints",
            ));
        }
    }
    let sources: [(&str, bool); 20] = [
        ("hostPath", spec.host_path.is_some()),
        ("gcePersistentDisk", spec.gce_persistent_disk.is_some()),
        ("awsElasticBlockStore", spec.aws_elastic_block_store.is_some()),
        ("glusterfs", spec.glusterfs.is_some()),
        ("flocker", spec.flocker.is_some()),
        ("nfs", spec.nfs.is_some()),
        ("rbd", spec.rbd.is_some()),
        ("quobyte", spec.quobyte.is_some()),
        ("cephFS", spec.cephfs.is_some()),
        ("iscsi", spec.iscsi.is_some()),
        ("cinder", spec.cinder.is_some()),
        ("fc", spec.fc.is_some()),
        ("flexVolume", spec.flex_volume.is_some()),
        ("azureFile", spec.azure_file.is_some()),
        ("vsphereVolume", spec.vsphere_volume.is_some()),
        ("photonPersistentDisk", spec.photon_persistent_disk.is_some()),
        ("portworxVolume", spec.portworx_volume.is_some()),
        ("azureDisk", spec.azure_disk.is_some()),
        ("scaleIO", spec.scale_io.is_some()),
        ("local", spec.local.is_some()),
    ];
    let mut count = 0;
    // flexVolume is counted without the "more than 1" check in Go.
    for (field, present) in
        sources.into_iter().chain([("storageos", spec.storageos.is_some()), ("csi", spec.csi.is_some())])
    {
        if !present {
            continue;
        }
        if count > 0 && field != "flexVolume" {
            errs.push(forbidden(&path.child(field), "may not specify more than 1 volume type"));
            continue;
        }
        count += 1;
        errs.extend(pv_source_checks(spec, field, path, affinity));
    }
    if count == 0 {
        errs.push(required(path, "must specify a volume type"));
    }
    if let Some(hp) = &spec.host_path {
        let reclaim = spec.persistent_volume_reclaim_policy.as_deref() == Some("Recycle");
        if reclaim && hp.path.trim_end_matches('/').is_empty() && hp.path.starts_with('/') {
            errs.push(forbidden(
                &path.child("persistentVolumeReclaimPolicy"),
                "may not be 'recycle' for a hostPath mount of '/'",
            ));
        }
    }
    if let Some(class) = spec.storage_class_name.as_deref().filter(|c| !c.is_empty()) {
        errs.extend(class_name(class, &path.child("storageClassName")));
    }
    if let Some(mode) = spec.volume_mode.as_deref().filter(|m| !VOLUME_MODES.contains(m)) {
        errs.push(not_supported(&path.child("volumeMode"), BadValue::typed(mode), &VOLUME_MODES));
    }
    errs
}

/// The checks of the PV sources learners meet (hostPath, local, nfs, csi); the cloud sources only count.
fn pv_source_checks(spec: &PersistentVolumeSpec, field: &str, path: &Path, affinity: bool) -> Vec<FieldError> {
    let mut errs = Vec::new();
    match field {
        "hostPath" => {
            if let Some(hp) = &spec.host_path {
                let hpath = path.child("hostPath");
                if hp.path.is_empty() {
                    errs.push(required(&hpath.child("path"), ""));
                } else {
                    errs.extend(super::container::no_backsteps(&hp.path, &hpath.child("path")));
                }
            }
        }
        "local" => {
            if let Some(l) = &spec.local {
                let lpath = path.child("local").child("path");
                if l.path.is_empty() {
                    errs.push(required(&lpath, ""));
                } else {
                    errs.extend(super::container::no_backsteps(&l.path, &lpath));
                }
            }
            if !affinity {
                errs.push(required(&path.child("nodeAffinity"), "Local volume requires node affinity"));
            }
        }
        "nfs" => {
            if let Some(n) = &spec.nfs {
                let npath = path.child("nfs");
                if n.server.is_empty() {
                    errs.push(required(&npath.child("server"), ""));
                }
                if n.path.is_empty() {
                    errs.push(required(&npath.child("path"), ""));
                }
                if !n.path.starts_with('/') {
                    errs.push(invalid(&npath.child("path"), BadValue::Str(n.path.clone()), "must be an absolute path"));
                }
            }
        }
        "csi" => {
            if let Some(c) = &spec.csi {
                let cpath = path.child("csi");
                errs.extend(csi_driver_name(&c.driver, &cpath.child("driver")));
                if c.volume_handle.is_empty() {
                    errs.push(required(&cpath.child("volumeHandle"), ""));
                }
            }
        }
        _ => {}
    }
    errs
}

/// `ValidatePersistentVolume`: a cluster-scoped object named as a DNS subdomain.
pub fn validate_pv(pv: &PersistentVolume) -> Vec<FieldError> {
    let mut errs = validate_object_meta(&pv.metadata, false, NameRule::Subdomain);
    errs.extend(validate_pv_spec(&pv.spec.clone().unwrap_or_default(), &Path::new("spec")));
    errs
}

/// `ValidatePersistentVolumeUpdate`: the volume source and mode are fixed once created.
pub fn validate_pv_update(new: &PersistentVolume, old: &PersistentVolume) -> Vec<FieldError> {
    let mut errs = validate_pv(new);
    let source = |pv: &PersistentVolume| {
        let mut spec = pv.spec.clone().unwrap_or_default();
        // Everything that is not the PersistentVolumeSource union.
        spec.access_modes = None;
        spec.capacity = None;
        spec.claim_ref = None;
        spec.mount_options = None;
        spec.node_affinity = None;
        spec.persistent_volume_reclaim_policy = None;
        spec.storage_class_name = None;
        spec.volume_attributes_class_name = None;
        spec.volume_mode = None;
        json_of(&spec)
    };
    if source(new) != source(old) {
        errs.push(forbidden(
            &Path::new("spec").child("persistentvolumesource"),
            "spec.persistentvolumesource is immutable after creation",
        ));
    }
    let mode = |pv: &PersistentVolume| pv.spec.as_ref().and_then(|s| s.volume_mode.clone());
    errs.extend(immutable(&mode(new), &mode(old), &Path::new("volumeMode")));
    errs
}

/// `ValidateStorageClass`.
pub fn validate_storage_class(sc: &StorageClass) -> Vec<FieldError> {
    let mut errs = validate_object_meta(&sc.metadata, false, NameRule::Subdomain);
    let ppath = Path::new("provisioner");
    if sc.provisioner.is_empty() {
        errs.push(required(&ppath, ""));
    } else {
        let lower = sc.provisioner.to_lowercase();
        errs.extend(is_qualified_name(&lower).into_iter().map(|m| invalid(&ppath, BadValue::Str(lower.clone()), &m)));
    }
    let params = sc.parameters.clone().unwrap_or_default();
    let params_path = Path::new("parameters");
    if params.len() > 512 {
        errs.push(too_long(&params_path, 512));
    } else {
        let mut size = 0usize;
        for (k, v) in &params {
            if k.is_empty() {
                errs.push(invalid(&params_path, BadValue::Str(k.clone()), "field can not be empty."));
            }
            size += k.len() + v.len();
        }
        if size > 256 * 1024 {
            errs.push(too_long(&params_path, 256 * 1024));
        }
    }
    if let Some(policy) = sc.reclaim_policy.as_deref().filter(|p| !p.is_empty() && *p != "Delete" && *p != "Retain") {
        errs.push(not_supported(&Path::new("reclaimPolicy"), BadValue::typed(policy), &["Delete", "Retain"]));
    }
    match sc.volume_binding_mode.as_deref() {
        None => errs.push(required(&Path::new("volumeBindingMode"), "")),
        Some("Immediate" | "WaitForFirstConsumer") => {}
        Some(m) => errs.push(not_supported(
            &Path::new("volumeBindingMode"),
            BadValue::typed(m),
            &["Immediate", "WaitForFirstConsumer"],
        )),
    }
    errs
}

/// `ValidateStorageClassUpdate` (after the create rules, as the strategy runs them).
pub fn validate_storage_class_update(new: &StorageClass, old: &StorageClass) -> Vec<FieldError> {
    let mut errs = validate_storage_class(new);
    if new.parameters.clone().unwrap_or_default() != old.parameters.clone().unwrap_or_default() {
        errs.push(forbidden(&Path::new("parameters"), "updates to parameters are forbidden."));
    }
    if new.provisioner != old.provisioner {
        errs.push(forbidden(&Path::new("provisioner"), "updates to provisioner are forbidden."));
    }
    if new.reclaim_policy != old.reclaim_policy {
        errs.push(forbidden(&Path::new("reclaimPolicy"), "updates to reclaimPolicy are forbidden."));
    }
    errs.extend(immutable(&new.volume_binding_mode, &old.volume_binding_mode, &Path::new("volumeBindingMode")));
    errs
}
