//! Pod volumes, from core `validation.go`: `ValidateVolumes` and `validateVolumeSource` with the checks of each
//! volume source. The order of sources (and so which one is reported as "more than 1 volume type") is the
//! order of `validateVolumeSource`, including its historical path quirks (`downwarAPI`, `persistentDisk`).

use std::collections::BTreeSet;

use k8s_openapi::api::core::v1::Volume;

use super::container::{dns_label, local_descending_path, no_backsteps, validate_pull_policy, VolumeInfo, Volumes};
use super::resources::parse_qty;
use super::volume_files::{csi_driver_name, downward_api_file, file_mode, key_to_path, projected, requireds};
use crate::admission::field::{duplicate, forbidden, invalid, not_supported, required, BadValue, FieldError, Path};
use crate::admission::names::{inclusive_range_error, validate_name, NameRule};

const MORE_THAN_ONE: &str = "may not specify more than 1 volume type";

/// `ValidateVolumes`: each volume's source, then its name; a volume with errors is not usable by mounts.
/// `pod_name` is the pod's own name (generic ephemeral volumes create a PVC named `<pod>-<volume>`).
pub fn validate_volumes(volumes: &[Volume], pod_name: Option<&str>, path: &Path) -> (Volumes, Vec<FieldError>) {
    let mut errs = Vec::new();
    let mut names = BTreeSet::new();
    let mut known = Volumes::new();
    let created_pvcs: BTreeSet<String> = match pod_name.filter(|n| !n.is_empty()) {
        Some(pod) => volumes.iter().filter(|v| v.ephemeral.is_some()).map(|v| format!("{pod}-{}", v.name)).collect(),
        None => BTreeSet::new(),
    };
    for (i, vol) in volumes.iter().enumerate() {
        let vpath = path.index(i);
        let name_path = vpath.child("name");
        let mut el = validate_volume_source(vol, &vpath, &vol.name, pod_name);
        if vol.name.is_empty() {
            el.push(required(&name_path, ""));
        } else {
            el.extend(dns_label(&vol.name, &name_path));
        }
        if names.contains(&vol.name) {
            el.push(duplicate(&name_path, BadValue::Str(vol.name.clone())));
        }
        if el.is_empty() {
            names.insert(vol.name.clone());
            let info = VolumeInfo {
                claim_backed: vol.persistent_volume_claim.is_some() || vol.ephemeral.is_some(),
                image: vol.image.is_some(),
            };
            known.insert(vol.name.clone(), info);
        } else {
            errs.extend(el);
        }
        if let Some(claim) = vol.persistent_volume_claim.as_ref().filter(|c| created_pvcs.contains(&c.claim_name)) {
            errs.push(invalid(
                &vpath.child("persistentVolumeClaim").child("claimName"),
                BadValue::Str(claim.claim_name.clone()),
                "must not reference a PVC that gets created for an ephemeral volume",
            ));
        }
    }
    (known, errs)
}

fn partition(p: Option<i32>, path: &Path) -> Vec<FieldError> {
    match p {
        Some(p) if !(0..=255).contains(&p) => {
            vec![invalid(path, BadValue::Int(i64::from(p)), &inclusive_range_error(1, 255))]
        }
        _ => Vec::new(),
    }
}

/// `validateVolumeSource`: exactly one source, each checked in Go's order.
fn validate_volume_source(s: &Volume, path: &Path, vol_name: &str, pod_name: Option<&str>) -> Vec<FieldError> {
    let mut errs = Vec::new();
    // emptyDir is first in Go's order, so it is counted without the "more than 1" check.
    let mut count = usize::from(s.empty_dir.is_some());
    if s.empty_dir.as_ref().and_then(|e| e.size_limit.as_ref()).map(parse_qty).is_some_and(|q| q.is_negative()) {
        errs.push(forbidden(
            &path.child("emptyDir").child("sizeLimit"),
            "SizeLimit field must be a valid resource quantity",
        ));
    }
    let mut bump =
        |present: bool, field: &str, check: &dyn Fn(&Path) -> Vec<FieldError>, errs: &mut Vec<FieldError>| {
            if !present {
                return;
            }
            if count > 0 {
                errs.push(forbidden(&path.child(field), MORE_THAN_ONE));
            } else {
                count += 1;
                errs.extend(check(path));
            }
        };
    bump(
        s.host_path.is_some(),
        "hostPath",
        &|p| {
            let hp = s.host_path.as_ref();
            let hpath = p.child("hostPath");
            match hp {
                Some(h) if h.path.is_empty() => vec![required(&hpath.child("path"), "")],
                Some(h) => {
                    let mut e = no_backsteps(&h.path, &hpath.child("path"));
                    let types = [
                        "",
                        "BlockDevice",
                        "CharDevice",
                        "Directory",
                        "DirectoryOrCreate",
                        "File",
                        "FileOrCreate",
                        "Socket",
                    ];
                    if let Some(t) = h.type_.as_deref().filter(|t| !types.contains(t)) {
                        e.push(not_supported(&hpath.child("type"), BadValue::typed(t), &types));
                    }
                    e
                }
                None => Vec::new(),
            }
        },
        &mut errs,
    );
    bump(
        s.git_repo.is_some(),
        "gitRepo",
        &|p| {
            let g = s.git_repo.as_ref();
            let gpath = p.child("gitRepo");
            let mut e = requireds(&gpath, &[("repository", g.is_some_and(|g| g.repository.is_empty()))]);
            e.extend(local_descending_path(
                g.and_then(|g| g.directory.as_deref()).unwrap_or_default(),
                &gpath.child("directory"),
            ));
            e
        },
        &mut errs,
    );
    bump(
        s.gce_persistent_disk.is_some(),
        "gcePersistentDisk",
        &|p| {
            let d = s.gce_persistent_disk.as_ref();
            let dpath = p.child("persistentDisk");
            let mut e = requireds(&dpath, &[("pdName", d.is_some_and(|d| d.pd_name.is_empty()))]);
            e.extend(partition(d.and_then(|d| d.partition), &dpath.child("partition")));
            e
        },
        &mut errs,
    );
    bump(
        s.aws_elastic_block_store.is_some(),
        "awsElasticBlockStore",
        &|p| {
            let d = s.aws_elastic_block_store.as_ref();
            let dpath = p.child("awsElasticBlockStore");
            let mut e = requireds(&dpath, &[("volumeID", d.is_some_and(|d| d.volume_id.is_empty()))]);
            e.extend(partition(d.and_then(|d| d.partition), &dpath.child("partition")));
            e
        },
        &mut errs,
    );
    bump(
        s.secret.is_some(),
        "secret",
        &|p| {
            let sec = s.secret.as_ref();
            let spath = p.child("secret");
            let mut e = requireds(
                &spath,
                &[("secretName", sec.is_some_and(|s| s.secret_name.as_deref().unwrap_or_default().is_empty()))],
            );
            e.extend(file_mode(sec.and_then(|s| s.default_mode), &spath.child("defaultMode")));
            for (i, kp) in sec.and_then(|s| s.items.as_ref()).into_iter().flatten().enumerate() {
                e.extend(key_to_path(kp, &spath.child("items").index(i)));
            }
            e
        },
        &mut errs,
    );
    bump(
        s.nfs.is_some(),
        "nfs",
        &|p| {
            let n = s.nfs.as_ref();
            let npath = p.child("nfs");
            let nfs_path = n.map(|n| n.path.clone()).unwrap_or_default();
            let mut e =
                requireds(&npath, &[("server", n.is_some_and(|n| n.server.is_empty())), ("path", nfs_path.is_empty())]);
            if !nfs_path.starts_with('/') {
                e.push(invalid(&npath.child("path"), BadValue::Str(nfs_path), "must be an absolute path"));
            }
            e
        },
        &mut errs,
    );
    bump(
        s.iscsi.is_some(),
        "iscsi",
        &|p| {
            let d = s.iscsi.as_ref();
            let ipath = p.child("iscsi");
            let mut e = requireds(
                &ipath,
                &[
                    ("targetPortal", d.is_some_and(|d| d.target_portal.is_empty())),
                    ("iqn", d.is_some_and(|d| d.iqn.is_empty())),
                ],
            );
            if let Some(lun) = d.map(|d| d.lun).filter(|l| !(0..=255).contains(l)) {
                e.push(invalid(&ipath.child("lun"), BadValue::Int(i64::from(lun)), &inclusive_range_error(0, 255)));
            }
            e
        },
        &mut errs,
    );
    bump(
        s.glusterfs.is_some(),
        "glusterfs",
        &|p| {
            let g = s.glusterfs.as_ref();
            requireds(
                &p.child("glusterfs"),
                &[
                    ("endpoints", g.is_some_and(|g| g.endpoints.is_empty())),
                    ("path", g.is_some_and(|g| g.path.is_empty())),
                ],
            )
        },
        &mut errs,
    );
    bump(
        s.flocker.is_some(),
        "flocker",
        &|p| {
            let f = s.flocker.as_ref();
            let name = f.and_then(|f| f.dataset_name.clone()).unwrap_or_default();
            let uuid = f.and_then(|f| f.dataset_uuid.clone()).unwrap_or_default();
            let fpath = p.child("flocker");
            let mut e = Vec::new();
            if name.is_empty() && uuid.is_empty() {
                e.push(required(&fpath, "one of datasetName and datasetUUID is required"));
            }
            if !name.is_empty() && !uuid.is_empty() {
                e.push(invalid(
                    &fpath,
                    BadValue::Str("resource".into()),
                    "datasetName and datasetUUID can not be specified simultaneously",
                ));
            }
            if name.contains('/') {
                e.push(invalid(&fpath.child("datasetName"), BadValue::Str(name), "must not contain '/'"));
            }
            e
        },
        &mut errs,
    );
    bump(
        s.persistent_volume_claim.is_some(),
        "persistentVolumeClaim",
        &|p| {
            let c = s.persistent_volume_claim.as_ref();
            requireds(&p.child("persistentVolumeClaim"), &[("claimName", c.is_some_and(|c| c.claim_name.is_empty()))])
        },
        &mut errs,
    );
    bump(
        s.rbd.is_some(),
        "rbd",
        &|p| {
            let r = s.rbd.as_ref();
            requireds(
                &p.child("rbd"),
                &[
                    ("monitors", r.is_some_and(|r| r.monitors.is_empty())),
                    ("image", r.is_some_and(|r| r.image.is_empty())),
                ],
            )
        },
        &mut errs,
    );
    bump(
        s.cinder.is_some(),
        "cinder",
        &|p| requireds(&p.child("cinder"), &[("volumeID", s.cinder.as_ref().is_some_and(|c| c.volume_id.is_empty()))]),
        &mut errs,
    );
    bump(
        s.cephfs.is_some(),
        "cephFS",
        &|p| requireds(&p.child("cephfs"), &[("monitors", s.cephfs.as_ref().is_some_and(|c| c.monitors.is_empty()))]),
        &mut errs,
    );
    bump(
        s.quobyte.is_some(),
        "quobyte",
        &|p| {
            let q = s.quobyte.as_ref();
            let qpath = p.child("quobyte");
            let mut e = Vec::new();
            if q.is_some_and(|q| q.registry.is_empty()) {
                e.push(required(
                    &qpath.child("registry"),
                    "must be a host:port pair or multiple pairs separated by commas",
                ));
            }
            e.extend(requireds(&qpath, &[("volume", q.is_some_and(|q| q.volume.is_empty()))]));
            e
        },
        &mut errs,
    );
    bump(
        s.downward_api.is_some(),
        "downwarAPI",
        &|p| {
            let d = s.downward_api.as_ref();
            let dpath = p.child("downwardAPI");
            let mut e = file_mode(d.and_then(|d| d.default_mode), &dpath.child("defaultMode"));
            for file in d.and_then(|d| d.items.as_ref()).into_iter().flatten() {
                e.extend(downward_api_file(file, &dpath));
            }
            e
        },
        &mut errs,
    );
    bump(
        s.fc.is_some(),
        "fc",
        &|p| {
            let f = s.fc.as_ref();
            let fpath = p.child("fc");
            let wwns = f.and_then(|f| f.target_wwns.clone()).unwrap_or_default();
            let wwids = f.and_then(|f| f.wwids.clone()).unwrap_or_default();
            let mut e = Vec::new();
            if wwns.is_empty() && wwids.is_empty() {
                e.push(required(&fpath.child("targetWWNs"), "must specify either targetWWNs or wwids, but not both"));
            }
            if !wwns.is_empty() && !wwids.is_empty() {
                e.push(invalid(
                    &fpath.child("targetWWNs"),
                    BadValue::Json(crate::admission::field::GoJson::string_list(&wwns)),
                    "targetWWNs and wwids can not be specified simultaneously",
                ));
            }
            if !wwns.is_empty() && f.and_then(|f| f.lun).is_none() {
                e.push(required(&fpath.child("lun"), "lun is required if targetWWNs is specified"));
            }
            e
        },
        &mut errs,
    );
    bump(
        s.flex_volume.is_some(),
        "flexVolume",
        &|p| {
            requireds(
                &p.child("flexVolume"),
                &[("driver", s.flex_volume.as_ref().is_some_and(|f| f.driver.is_empty()))],
            )
        },
        &mut errs,
    );
    bump(
        s.config_map.is_some(),
        "configMap",
        &|p| {
            let c = s.config_map.as_ref();
            let cpath = p.child("configMap");
            let mut e = requireds(&cpath, &[("name", c.is_some_and(|c| c.name.is_empty()))]);
            e.extend(file_mode(c.and_then(|c| c.default_mode), &cpath.child("defaultMode")));
            for (i, kp) in c.and_then(|c| c.items.as_ref()).into_iter().flatten().enumerate() {
                e.extend(key_to_path(kp, &cpath.child("items").index(i)));
            }
            e
        },
        &mut errs,
    );
    bump(
        s.azure_file.is_some(),
        "azureFile",
        &|p| {
            let a = s.azure_file.as_ref();
            requireds(
                &p.child("azureFile"),
                &[
                    ("secretName", a.is_some_and(|a| a.secret_name.is_empty())),
                    ("shareName", a.is_some_and(|a| a.share_name.is_empty())),
                ],
            )
        },
        &mut errs,
    );
    bump(
        s.vsphere_volume.is_some(),
        "vsphereVolume",
        &|p| {
            requireds(
                &p.child("vsphereVolume"),
                &[("volumePath", s.vsphere_volume.as_ref().is_some_and(|v| v.volume_path.is_empty()))],
            )
        },
        &mut errs,
    );
    bump(
        s.photon_persistent_disk.is_some(),
        "photonPersistentDisk",
        &|p| {
            requireds(
                &p.child("photonPersistentDisk"),
                &[("pdID", s.photon_persistent_disk.as_ref().is_some_and(|v| v.pd_id.is_empty()))],
            )
        },
        &mut errs,
    );
    bump(
        s.portworx_volume.is_some(),
        "portworxVolume",
        &|p| {
            requireds(
                &p.child("portworxVolume"),
                &[("volumeID", s.portworx_volume.as_ref().is_some_and(|v| v.volume_id.is_empty()))],
            )
        },
        &mut errs,
    );
    bump(
        s.azure_disk.is_some(),
        "azureDisk",
        &|p| {
            let a = s.azure_disk.as_ref();
            requireds(
                &p.child("azureDisk"),
                &[
                    ("diskName", a.is_some_and(|a| a.disk_name.is_empty())),
                    ("diskURI", a.is_some_and(|a| a.disk_uri.is_empty())),
                ],
            )
        },
        &mut errs,
    );
    bump(
        s.storageos.is_some(),
        "storageos",
        &|p| {
            let v = s.storageos.as_ref().and_then(|v| v.volume_name.clone()).unwrap_or_default();
            let spath = p.child("storageos").child("volumeName");
            if v.is_empty() {
                vec![required(&spath, "")]
            } else {
                dns_label(&v, &spath)
            }
        },
        &mut errs,
    );
    bump(
        s.projected.is_some(),
        "projected",
        &|p| s.projected.as_ref().map(|pr| projected(pr, &p.child("projected"))).unwrap_or_default(),
        &mut errs,
    );
    bump(
        s.scale_io.is_some(),
        "scaleIO",
        &|p| {
            let v = s.scale_io.as_ref();
            requireds(
                &p.child("scaleIO"),
                &[
                    ("gateway", v.is_some_and(|v| v.gateway.is_empty())),
                    ("system", v.is_some_and(|v| v.system.is_empty())),
                    ("volumeName", v.is_some_and(|v| v.volume_name.as_deref().unwrap_or_default().is_empty())),
                ],
            )
        },
        &mut errs,
    );
    bump(
        s.csi.is_some(),
        "csi",
        &|p| {
            let c = s.csi.as_ref();
            let cpath = p.child("csi");
            let mut e = csi_driver_name(c.map(|c| c.driver.as_str()).unwrap_or_default(), &cpath.child("driver"));
            if let Some(secret) = c.and_then(|c| c.node_publish_secret_ref.as_ref()) {
                let name = secret.name.clone();
                if name.is_empty() {
                    e.push(required(&cpath.child("nodePublishSecretRef").child("name"), ""));
                } else {
                    e.extend(
                        validate_name(NameRule::Subdomain, &name, false)
                            .into_iter()
                            .map(|m| invalid(&cpath.child("name"), BadValue::Str(name.clone()), &m)),
                    );
                }
            }
            e
        },
        &mut errs,
    );
    bump(
        s.ephemeral.is_some(),
        "ephemeral",
        &|p| {
            let epath = p.child("ephemeral");
            let mut e = match s.ephemeral.as_ref().and_then(|e| e.volume_claim_template.as_ref()) {
                None => vec![required(&epath.child("volumeClaimTemplate"), "")],
                Some(t) => {
                    let tpath = epath.child("volumeClaimTemplate");
                    let meta = t.metadata.clone().unwrap_or_default();
                    let mut e = super::meta::validate_annotations(
                        meta.annotations.as_ref(),
                        &tpath.child("metadata").child("annotations"),
                    );
                    e.extend(super::meta::validate_labels(
                        meta.labels.as_ref(),
                        &tpath.child("metadata").child("labels"),
                    ));
                    e.extend(super::storage::validate_pvc_spec(&t.spec, &tpath.child("spec")));
                    e
                }
            };
            if let Some(pod) = pod_name.filter(|n| !n.is_empty() && !vol_name.is_empty()) {
                let pvc = format!("{pod}-{vol_name}");
                for m in validate_name(NameRule::Subdomain, &pvc, false) {
                    e.push(invalid(
                        &p.child("name"),
                        BadValue::Str(vol_name.to_string()),
                        &format!("PVC name {}: {m}", crate::admission::gotext::go_quote(&pvc)),
                    ));
                }
            }
            e
        },
        &mut errs,
    );
    bump(
        s.image.is_some(),
        "image",
        &|p| {
            let i = s.image.as_ref();
            let ipath = p.child("image");
            let mut e = requireds(
                &ipath,
                &[("reference", i.is_some_and(|i| i.reference.as_deref().unwrap_or_default().is_empty()))],
            );
            e.extend(validate_pull_policy(
                i.and_then(|i| i.pull_policy.as_deref()).unwrap_or_default(),
                &ipath.child("pullPolicy"),
            ));
            e
        },
        &mut errs,
    );
    if count == 0 {
        errs.push(required(path, "must specify a volume type"));
    }
    errs
}

#[cfg(test)]
#[path = "volumes_tests.rs"]
mod tests;
