//! Volume sources: `describeVolumes` (pods and templates) and the `Source:` of a PersistentVolume.
//! The long tail of in-tree storage plugins lives in `plugins`.

use engine::api::api::core::v1::{
    PersistentVolumeClaim, PersistentVolumeClaimTemplate, PersistentVolumeSpec, ProjectedVolumeSource, Volume,
};
use serde_json::Value;

use super::plugins::*;
use super::quantity::Qty;
use super::storage::print_persistent_volume_claim;
use super::tabwriter::{PrefixWriter, LEVEL_0, LEVEL_1, LEVEL_2, LEVEL_3};
use super::text::opt;

/// `describeVolumes`.
pub fn describe_volumes(w: &mut PrefixWriter, volumes: Option<&Vec<Volume>>, space: &str) {
    let volumes = volumes.map(Vec::as_slice).unwrap_or_default();
    if volumes.is_empty() {
        w.write(LEVEL_0, &format!("{space}Volumes:\t<none>\n"));
        return;
    }
    w.write(LEVEL_0, &format!("{space}Volumes:\n"));
    let name_indent = if space.is_empty() { "" } else { " " };
    for v in volumes {
        w.write(LEVEL_1, &format!("{name_indent}{}:\n", v.name));
        describe_volume_source(w, v);
    }
}

fn describe_volume_source(w: &mut PrefixWriter, v: &Volume) {
    let json = |src: &dyn erased::Json| src.json();
    if let Some(h) = &v.host_path {
        host_path(w, &h.path, h.type_.as_deref());
    } else if let Some(e) = &v.empty_dir {
        let size = e.size_limit.as_ref().map(Qty::of).filter(|q| q.cmp_value(&Qty::default()).is_gt());
        let size = size.map(|q| q.to_string()).unwrap_or_else(|| "<unset>".to_string());
        w.write(LEVEL_2, "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n");
        w.write(LEVEL_2, &format!("Medium:\t{}\n", opt(&e.medium)));
        w.write(LEVEL_2, &format!("SizeLimit:\t{size}\n"));
    } else if let Some(g) = &v.gce_persistent_disk {
        legacy(w, GCE, &json(g));
    } else if let Some(a) = &v.aws_elastic_block_store {
        legacy(w, AWS, &json(a));
    } else if let Some(g) = &v.git_repo {
        legacy(w, GIT_REPO, &json(g));
    } else if let Some(s) = &v.secret {
        w.write(LEVEL_2, "Type:\tSecret (a volume populated by a Secret)\n");
        w.write(LEVEL_2, &format!("SecretName:\t{}\n", opt(&s.secret_name)));
        w.write(LEVEL_2, &format!("Optional:\t{}\n", s.optional.unwrap_or(false)));
    } else if let Some(c) = &v.config_map {
        w.write(LEVEL_2, "Type:\tConfigMap (a volume populated by a ConfigMap)\n");
        w.write(LEVEL_2, &format!("Name:\t{}\n", c.name));
        w.write(LEVEL_2, &format!("Optional:\t{}\n", c.optional.unwrap_or(false)));
    } else if let Some(n) = &v.nfs {
        legacy(w, NFS, &json(n));
    } else if let Some(i) = &v.iscsi {
        legacy(w, ISCSI, &json(i));
    } else if let Some(g) = &v.glusterfs {
        legacy(w, GLUSTERFS, &json(g));
    } else if let Some(c) = &v.persistent_volume_claim {
        w.write(
            LEVEL_2,
            "Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n",
        );
        w.write(LEVEL_2, &format!("ClaimName:\t{}\n", c.claim_name));
        w.write(LEVEL_2, &format!("ReadOnly:\t{}\n", c.read_only.unwrap_or(false)));
    } else if let Some(e) = &v.ephemeral {
        w.write(
            LEVEL_2,
            "Type:\tEphemeralVolume (an inline specification for a volume that gets created and deleted with the pod)\n",
        );
        if let Some(t) = &e.volume_claim_template {
            ephemeral_claim(w, t);
        }
    } else if let Some(r) = &v.rbd {
        legacy(w, RBD, &json(r));
    } else if let Some(q) = &v.quobyte {
        legacy(w, QUOBYTE, &json(q));
    } else if let Some(d) = &v.downward_api {
        w.write(LEVEL_2, "Type:\tDownwardAPI (a volume populated by information about the pod)\n");
        w.write(LEVEL_2, "Items:\n");
        for item in d.items.iter().flatten() {
            if let Some(f) = &item.field_ref {
                w.write(LEVEL_3, &format!("{} -> {}\n", f.field_path, item.path));
            }
            if let Some(r) = &item.resource_field_ref {
                w.write(LEVEL_3, &format!("{} -> {}\n", r.resource, item.path));
            }
        }
    } else if let Some(a) = &v.azure_disk {
        legacy(w, AZURE_DISK, &json(a));
    } else if let Some(s) = &v.vsphere_volume {
        legacy(w, VSPHERE, &json(s));
    } else if let Some(c) = &v.cinder {
        legacy(w, CINDER, &json(c));
    } else if let Some(p) = &v.photon_persistent_disk {
        legacy(w, PHOTON, &json(p));
    } else if let Some(p) = &v.portworx_volume {
        legacy(w, PORTWORX, &json(p));
    } else if let Some(s) = &v.scale_io {
        legacy(w, SCALE_IO, &json(s));
    } else if let Some(c) = &v.cephfs {
        legacy(w, CEPHFS, &json(c));
    } else if let Some(s) = &v.storageos {
        legacy(w, STORAGEOS, &json(s));
    } else if let Some(f) = &v.fc {
        fc(w, &json(f));
    } else if let Some(a) = &v.azure_file {
        legacy(w, AZURE_FILE, &json(a));
    } else if let Some(f) = &v.flex_volume {
        legacy(w, FLEX, &json(f));
    } else if let Some(f) = &v.flocker {
        legacy(w, FLOCKER, &json(f));
    } else if let Some(p) = &v.projected {
        projected(w, p);
    } else if let Some(c) = &v.csi {
        w.write(LEVEL_2, "Type:\tCSI (a Container Storage Interface (CSI) volume source)\n");
        w.write(LEVEL_2, &format!("Driver:\t{}\n", c.driver));
        w.write(LEVEL_2, &format!("FSType:\t{}\n", opt(&c.fs_type)));
        w.write(LEVEL_2, &format!("ReadOnly:\t{}\n", c.read_only.unwrap_or(false)));
        csi_attributes(w, &json(c));
    } else if let Some(i) = &v.image {
        w.write(LEVEL_2, "Type:\tImage (a container image or OCI artifact)\n");
        w.write(LEVEL_2, &format!("Reference:\t{}\n", opt(&i.reference)));
        w.write(LEVEL_2, &format!("PullPolicy:\t{}\n", opt(&i.pull_policy)));
    } else {
        w.write(LEVEL_1, "<unknown>\n");
    }
}

/// Serialising any API type to its JSON, for the table-driven printers.
mod erased {
    pub trait Json {
        fn json(&self) -> serde_json::Value;
    }
    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> serde_json::Value {
            serde_json::to_value(self).unwrap_or_default()
        }
    }
}

fn host_path(w: &mut PrefixWriter, path: &str, type_: Option<&str>) {
    w.write(LEVEL_2, "Type:\tHostPath (bare host directory volume)\n");
    w.write(LEVEL_2, &format!("Path:\t{path}\n"));
    w.write(LEVEL_2, &format!("HostPathType:\t{}\n", type_.unwrap_or("<none>")));
}

/// `printProjectedVolumeSource`. Since v1.33 a secret or config map source is followed by its
/// `Optional:` flag (in v1.32 the config map line read `ConfigMapOptional: <nil>`).
fn projected(w: &mut PrefixWriter, p: &ProjectedVolumeSource) {
    w.write(LEVEL_2, "Type:\tProjected (a volume that contains injected data from multiple sources)\n");
    for source in p.sources.iter().flatten() {
        if let Some(s) = &source.secret {
            w.write(LEVEL_2, &format!("SecretName:\t{}\n", s.name));
            w.write(LEVEL_2, &format!("Optional:\t{}\n", s.optional.unwrap_or(false)));
        } else if source.downward_api.is_some() {
            w.write(LEVEL_2, "DownwardAPI:\ttrue\n");
        } else if let Some(c) = &source.config_map {
            w.write(LEVEL_2, &format!("ConfigMapName:\t{}\n", c.name));
            w.write(LEVEL_2, &format!("Optional:\t{}\n", c.optional.unwrap_or(false)));
        } else if let Some(t) = &source.service_account_token {
            w.write(LEVEL_2, &format!("TokenExpirationSeconds:\t{}\n", t.expiration_seconds.unwrap_or(0)));
        }
    }
}

fn ephemeral_claim(w: &mut PrefixWriter, t: &PersistentVolumeClaimTemplate) {
    let pvc = PersistentVolumeClaim {
        metadata: t.metadata.clone().unwrap_or_default(),
        spec: Some(t.spec.clone()),
        status: None,
    };
    w.nest(LEVEL_2, |w| print_persistent_volume_claim(w, &pvc, false, 0));
}

/// `printCSIPersistentVolumeAttributesMultiline`. (Continuation lines carry the level indentation
/// twice, as in Go, which writes the indentation strings through an indenting writer.)
fn csi_attributes(w: &mut PrefixWriter, j: &Value) {
    w.write(LEVEL_2, "VolumeAttributes:\t");
    let attrs: Vec<(String, String)> = j
        .get("volumeAttributes")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
        .collect();
    if attrs.is_empty() {
        w.write_line("<none>");
        return;
    }
    for (i, (k, v)) in attrs.iter().enumerate() {
        if i != 0 {
            w.write(LEVEL_2, "");
            w.write(LEVEL_2, "\t");
        }
        w.write(LEVEL_2, &format!("{}\n", super::text::shorten(&format!("{k}={v}"), 140)));
    }
}

/// The `Source:` block of a PersistentVolume (`describePersistentVolume`'s switch).
pub fn describe_pv_source(w: &mut PrefixWriter, spec: &PersistentVolumeSpec) {
    let json = |src: &dyn erased::Json| src.json();
    if let Some(h) = &spec.host_path {
        host_path(w, &h.path, h.type_.as_deref());
    } else if let Some(g) = &spec.gce_persistent_disk {
        legacy(w, GCE, &json(g));
    } else if let Some(a) = &spec.aws_elastic_block_store {
        legacy(w, AWS, &json(a));
    } else if let Some(n) = &spec.nfs {
        legacy(w, NFS, &json(n));
    } else if let Some(i) = &spec.iscsi {
        legacy(w, ISCSI_PV, &json(i));
    } else if let Some(g) = &spec.glusterfs {
        legacy(w, GLUSTERFS_PV, &json(g));
    } else if let Some(r) = &spec.rbd {
        legacy(w, RBD_PV, &json(r));
    } else if let Some(q) = &spec.quobyte {
        legacy(w, QUOBYTE, &json(q));
    } else if let Some(v) = &spec.vsphere_volume {
        legacy(w, VSPHERE, &json(v));
    } else if let Some(c) = &spec.cinder {
        legacy(w, CINDER_PV, &json(c));
    } else if let Some(a) = &spec.azure_disk {
        legacy(w, AZURE_DISK, &json(a));
    } else if let Some(p) = &spec.photon_persistent_disk {
        legacy(w, PHOTON, &json(p));
    } else if let Some(p) = &spec.portworx_volume {
        legacy(w, PORTWORX, &json(p));
    } else if let Some(s) = &spec.scale_io {
        legacy(w, SCALE_IO_PV, &json(s));
    } else if let Some(l) = &spec.local {
        w.write(LEVEL_2, "Type:\tLocalVolume (a persistent volume backed by local storage on a node)\n");
        w.write(LEVEL_2, &format!("Path:\t{}\n", l.path));
    } else if let Some(c) = &spec.cephfs {
        legacy(w, CEPHFS_PV, &json(c));
    } else if let Some(s) = &spec.storageos {
        legacy(w, STORAGEOS, &json(s));
    } else if let Some(f) = &spec.fc {
        fc(w, &json(f));
    } else if let Some(a) = &spec.azure_file {
        legacy(w, AZURE_FILE_PV, &json(a));
    } else if let Some(f) = &spec.flex_volume {
        legacy(w, FLEX_PV, &json(f));
    } else if let Some(f) = &spec.flocker {
        legacy(w, FLOCKER, &json(f));
    } else if let Some(c) = &spec.csi {
        w.write(LEVEL_2, "Type:\tCSI (a Container Storage Interface (CSI) volume source)\n");
        w.write(LEVEL_2, &format!("Driver:\t{}\n", c.driver));
        w.write(LEVEL_2, &format!("FSType:\t{}\n", opt(&c.fs_type)));
        w.write(LEVEL_2, &format!("VolumeHandle:\t{}\n", c.volume_handle));
        w.write(LEVEL_2, &format!("ReadOnly:\t{}\n", c.read_only.unwrap_or(false)));
        csi_attributes(w, &json(c));
    } else {
        w.write(LEVEL_1, "<unknown>\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::api::api::core::v1::{EmptyDirVolumeSource, NFSVolumeSource, SecretVolumeSource};

    fn volumes_text(volumes: Vec<Volume>) -> String {
        let mut w = PrefixWriter::new();
        describe_volumes(&mut w, Some(&volumes), "");
        w.finish()
    }

    #[test]
    fn common_sources() {
        let out = volumes_text(vec![
            Volume { name: "cache".into(), empty_dir: Some(EmptyDirVolumeSource::default()), ..Default::default() },
            Volume {
                name: "creds".into(),
                secret: Some(SecretVolumeSource { secret_name: Some("db".into()), ..Default::default() }),
                ..Default::default()
            },
            Volume {
                name: "share".into(),
                nfs: Some(NFSVolumeSource { server: "nfs.local".into(), path: "/export".into(), read_only: None }),
                ..Default::default()
            },
            Volume { name: "odd".into(), ..Default::default() },
        ]);
        assert_eq!(
            out,
            "Volumes:
  cache:
    Type:       EmptyDir (a temporary directory that shares a pod's lifetime)
    Medium:     
    SizeLimit:  <unset>
  creds:
    Type:        Secret (a volume populated by a Secret)
    SecretName:  db
    Optional:    false
  share:
    Type:      NFS (an NFS mount that lasts the lifetime of a pod)
    Server:    nfs.local
    Path:      /export
    ReadOnly:  false
  odd:
  <unknown>
"
        );
    }
}
