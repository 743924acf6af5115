//! Volumes whose data lives in the node's own filesystem (`NodeAgent::host_fs`): `hostPath` volumes and
//! claims bound to hostPath PersistentVolumes (minikube's provisioner makes those). A pod works on a copy of
//! the directory ([`PodRun::volumes`]) that is refreshed from the node before each turn of its processes and
//! written back after it, so every pod on the node that mounts the directory, and `minikube ssh`, sees the
//! same files, and the files outlive the pod.

use k8s_openapi::api::core::v1::{Pod, Volume};

use crate::clock::Millis;
use crate::cluster::Cluster;
use crate::event_log::Change;
use crate::object::{Kind, Object};
use crate::runtime::fs::{Fs, MemFs};
use crate::store::{ObjectKey, Store};

use super::PodRun;

/// The node directory behind a pod volume, if it is one: a hostPath volume's path, or the hostPath of the
/// PersistentVolume its claim is bound to.
pub fn host_dir(store: &Store, namespace: &str, volume: &Volume) -> Option<String> {
    if let Some(h) = &volume.host_path {
        return Some(h.path.clone());
    }
    let claim = volume.persistent_volume_claim.as_ref()?;
    let Some(Object::PersistentVolumeClaim(pvc)) =
        store.get(&ObjectKey::new(Kind::PersistentVolumeClaim, namespace, &claim.claim_name))
    else {
        return None;
    };
    let pv_name = pvc.spec.as_ref()?.volume_name.clone()?;
    match store.get(&ObjectKey::new(Kind::PersistentVolume, "", &pv_name)) {
        Some(Object::PersistentVolume(pv)) => pv.spec.as_ref()?.host_path.as_ref().map(|h| h.path.clone()),
        _ => None,
    }
}

/// (volume name, node directory) of every host-backed volume of the pod.
pub fn host_volumes(store: &Store, pod: &Pod) -> Vec<(String, String)> {
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    pod.spec
        .iter()
        .flat_map(|s| s.volumes.iter().flatten())
        .filter_map(|v| host_dir(store, &ns, v).map(|d| (v.name.clone(), d)))
        .collect()
}

/// `mkdir -p` with a mode (the provisioner makes its directories 0777).
pub fn make_dir(fs: &mut MemFs, path: &str, mode: u32) {
    let _ = fs.mkdir_all(path, 0);
    fs.set_mode(path, mode);
}

/// `rm -rf path`.
pub fn remove(fs: &mut MemFs, path: &str) {
    fs.remove_tree(path);
}

/// The pod's copies of its host-backed volumes, taken afresh from the node.
pub fn refresh(cluster: &Cluster, node: &str, pod: &Pod, run: &mut PodRun) {
    let Some(agent) = cluster.kubelets.nodes.get(node) else { return };
    for (name, dir) in host_volumes(&cluster.store, pod) {
        let fresh = agent.host_fs.subtree(&dir);
        if run.volumes.get(&name) != Some(&fresh) {
            run.volumes.insert(name, fresh);
        }
    }
}

/// Writes the pod's copies of its host-backed volumes back to the node.
pub fn write_back(cluster: &mut Cluster, node: &str, pod: &Pod, run: &PodRun) {
    let dirs = host_volumes(&cluster.store, pod);
    if dirs.is_empty() {
        return;
    }
    let fs = &mut cluster.ensure_agent(node).host_fs;
    for (name, dir) in dirs {
        if let Some(vol) = run.volumes.get(&name) {
            if fs.subtree(&dir) != *vol {
                fs.graft(&dir, vol);
            }
        }
    }
}

/// At admission: the node directories exist (the runtime makes a missing hostPath directory, as containerd
/// does for a bind mount's source), and each claim's mount is in the event log.
pub fn mount(cluster: &mut Cluster, node: &str, pod: &Pod) {
    let vols = host_volumes(&cluster.store, pod);
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    let name = pod.metadata.name.clone().unwrap_or_default();
    for (vol, dir) in &vols {
        let type_ = pod
            .spec
            .iter()
            .flat_map(|s| s.volumes.iter().flatten())
            .find(|v| &v.name == vol)
            .and_then(|v| v.host_path.as_ref())
            .and_then(|h| h.type_.clone())
            .unwrap_or_default();
        let fs = &mut cluster.ensure_agent(node).host_fs;
        match type_.as_str() {
            // `FileOrCreate` makes an empty file (0644) when nothing is there.
            "FileOrCreate" if !fs.exists(dir) => {
                if let Some((parent, _)) = dir.rsplit_once('/').filter(|(p, _)| !p.is_empty()) {
                    let _ = fs.mkdir_all(parent, 0);
                }
                let _ = fs.write(dir, "", crate::runtime::fs::WriteMode::Truncate, 0);
            }
            // The type check passed, so what must exist does.
            "Directory" | "File" | "FileOrCreate" | "Socket" | "CharDevice" | "BlockDevice" => {}
            // `DirectoryOrCreate`, and no type: the directory is made (by the plugin, or by the runtime for the
            // bind mount's source).
            _ if !fs.is_dir(dir) => {
                let _ = fs.mkdir_all(dir, 0);
            }
            _ => {}
        }
        let claim = pod
            .spec
            .iter()
            .flat_map(|s| s.volumes.iter().flatten())
            .find(|v| &v.name == vol)
            .and_then(|v| v.persistent_volume_claim.as_ref().map(|c| c.claim_name.clone()));
        if let Some(claim) = claim {
            let key = ObjectKey::new(Kind::PersistentVolumeClaim, &ns, &claim);
            let why = format!("mounted into pod {name} on {node} (volume {vol}: {node}:{dir})");
            cluster.record(&format!("kubelet/{node}"), Change::Updated, &key, &why);
        }
    }
}

/// The gitRepo plugin's refusal when its feature gate is off, as it is by default from v1.33.
pub const GIT_REPO_DISABLED: &str = "git-repo volume plugin has been disabled; if necessary, it may be re-enabled by \
     enabling the feature-gate `GitRepoVolumeDriver`";

/// Why the kubelet cannot set the pod's volumes up yet: (volume name, the error after `MountVolume.SetUp failed
/// for volume "NAME" : `), as the volume plugins word them. A ConfigMap or Secret that does not exist (and is not
/// `optional`), an `items` key it lacks, or a hostPath whose node path is not of the declared `type`.
///
/// A pod whose `config` volume names ConfigMap `app` that nobody created gets
/// `("config", "configmap \"app\" not found")`; with the ConfigMap present but without key `a.conf` listed
/// in `items`: `("config", "configmap references non-existent config key: a.conf")`.
pub fn setup_errors(cluster: &Cluster, node: &str, pod: &Pod) -> Vec<(String, String)> {
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    let mut out = Vec::new();
    let host = cluster.kubelets.nodes.get(node).map(|a| &a.host_fs);
    for v in pod.spec.iter().flat_map(|s| s.volumes.iter().flatten()) {
        let mut errs: Vec<String> = Vec::new();
        let mut source = |kind: Kind, name: &str, optional: Option<bool>, keys: Vec<&str>| {
            let optional = optional.unwrap_or(false);
            let present: Option<Vec<String>> = match cluster.store.get(&ObjectKey::new(kind, &ns, name)) {
                Some(Object::ConfigMap(cm)) => Some(
                    cm.data
                        .iter()
                        .flat_map(|d| d.keys())
                        .chain(cm.binary_data.iter().flat_map(|d| d.keys()))
                        .cloned()
                        .collect(),
                ),
                Some(Object::Secret(s)) => Some(s.data.iter().flat_map(|d| d.keys()).cloned().collect()),
                _ => None,
            };
            let what = if kind == Kind::ConfigMap { "configmap" } else { "secret" };
            match present {
                None if !optional => errs.push(format!("{what} \"{name}\" not found")),
                None => {}
                Some(have) => {
                    if let Some(k) = keys.into_iter().find(|k| !have.iter().any(|h| h == k)).filter(|_| !optional) {
                        errs.push(if kind == Kind::ConfigMap {
                            format!("configmap references non-existent config key: {k}")
                        } else {
                            format!("references non-existent secret key: {k}")
                        });
                    }
                }
            }
        };
        let keys = |items: &Option<Vec<k8s_openapi::api::core::v1::KeyToPath>>| -> Vec<String> {
            items.iter().flatten().map(|i| i.key.clone()).collect()
        };
        if let Some(cm) = &v.config_map {
            let k = keys(&cm.items);
            source(Kind::ConfigMap, &cm.name, cm.optional, k.iter().map(String::as_str).collect());
        } else if let Some(s) = &v.secret {
            let k = keys(&s.items);
            source(
                Kind::Secret,
                s.secret_name.as_deref().unwrap_or_default(),
                s.optional,
                k.iter().map(String::as_str).collect(),
            );
        } else if let Some(p) = &v.projected {
            for src in p.sources.iter().flatten() {
                if let Some(cm) = &src.config_map {
                    let k = keys(&cm.items);
                    source(Kind::ConfigMap, &cm.name, cm.optional, k.iter().map(String::as_str).collect());
                }
                if let Some(s) = &src.secret {
                    let k = keys(&s.items);
                    source(Kind::Secret, &s.name, s.optional, k.iter().map(String::as_str).collect());
                }
            }
        } else if v.git_repo.is_some() {
            // The gitRepo plugin is off by default since v1.33 (feature gate `GitRepoVolumeDriver`), and its
            // mounter refuses with this text (pkg/volume/git_repo/git_repo.go).
            errs.push(GIT_REPO_DISABLED.into());
        } else if let (Some(h), Some(fs)) = (&v.host_path, host) {
            if let Some(e) = host_path_type_error(fs, &h.path, h.type_.as_deref().unwrap_or_default()) {
                errs.push(e);
            }
        }
        match errs.len() {
            0 => {}
            // The projected plugin returns its errors as one aggregate: `[a, b]` when there are several.
            1 => out.push((v.name.clone(), errs.remove(0))),
            _ => out.push((v.name.clone(), format!("[{}]", errs.join(", ")))),
        }
    }
    out
}

/// The volume manager's populator (`createVolumeSpec` → `getPVCExtractPV`): the pod's claim volumes that cannot
/// be processed yet, as (volume, error): a claim that is missing, being deleted or not bound.
pub fn claim_errors(cluster: &Cluster, pod: &Pod) -> Vec<(String, String)> {
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    let mut out = Vec::new();
    for v in pod.spec.iter().flat_map(|s| s.volumes.iter().flatten()) {
        let Some(c) = &v.persistent_volume_claim else { continue };
        let name = &c.claim_name;
        let err = match cluster.store.get(&ObjectKey::new(Kind::PersistentVolumeClaim, &ns, name)) {
            Some(Object::PersistentVolumeClaim(pvc)) => {
                let phase = pvc.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or_default();
                let volume = pvc.spec.as_ref().and_then(|s| s.volume_name.as_deref()).unwrap_or_default();
                if pvc.metadata.deletion_timestamp.is_some() {
                    Some("PVC is being deleted".to_string())
                } else if phase != "Bound" {
                    Some("PVC is not bound".to_string())
                } else if volume.is_empty() {
                    Some("PVC has empty pvc.Spec.VolumeName".to_string())
                } else {
                    None
                }
            }
            _ => Some(format!("failed to fetch PVC from API server: persistentvolumeclaims \"{name}\" not found")),
        };
        if let Some(e) = err {
            out.push((v.name.clone(), format!("error processing PVC {ns}/{name}: {e}")));
        }
    }
    out
}

/// The kubelet's `FailedMount` event when `WaitForAttachAndMount` returns the populator's errors (`PopPodErrors`:
/// sorted, joined by `; `) instead of waiting out its 2 min: the unmounted and unprocessed volumes in Go's `%v`
/// of a string slice. No volume of the simulated plugins needs attaching, so `unattached volumes=[]`.
///
/// `claim_wait_message(&[("data", "error processing PVC default/db: PVC is not bound")])` is
/// `Unable to attach or mount volumes: unmounted volumes=[data], unattached volumes=[], failed to process
/// volumes=[data]: error processing PVC default/db: PVC is not bound`.
pub fn claim_wait_message(errors: &[(String, String)]) -> String {
    let mut names: Vec<&str> = errors.iter().map(|(v, _)| v.as_str()).collect();
    names.sort_unstable();
    let mut errs: Vec<&str> = errors.iter().map(|(_, e)| e.as_str()).collect();
    errs.sort_unstable();
    errs.dedup();
    let names = names.join(" ");
    format!(
        "Unable to attach or mount volumes: unmounted volumes=[{names}], unattached volumes=[], failed to process \
         volumes=[{names}]: {}",
        errs.join("; ")
    )
}

/// The pod worker's wait before syncing a pod whose last sync failed (`backOffPeriod`, 10 s; the real one adds
/// up to 50 % jitter, which the playground leaves out).
pub const POD_SYNC_BACKOFF_MS: Millis = 10_000;

/// The hostPath plugin's type check (`checkTypeInternal`) against the node's filesystem. The `OrCreate` types
/// pass when the path is missing (the kubelet creates it); the node has no sockets or devices.
fn host_path_type_error(fs: &MemFs, path: &str, type_: &str) -> Option<String> {
    let is_dir = fs.is_dir(path);
    let is_file = fs.exists(path) && !is_dir;
    let fail = |what: &str| Some(format!("hostPath type check failed: {path} is not {what}"));
    match type_ {
        "DirectoryOrCreate" if !fs.exists(path) => None,
        "Directory" | "DirectoryOrCreate" if !is_dir => fail("a directory"),
        "FileOrCreate" if !fs.exists(path) => None,
        "File" | "FileOrCreate" if !is_file => fail("a file"),
        "Socket" => fail("a socket file"),
        "CharDevice" => fail("a character device"),
        "BlockDevice" => fail("a block device"),
        _ => None,
    }
}

/// The exponential back-off between two attempts to set up a failing volume (`nestedpendingoperations`: 500 ms,
/// doubling, at most 2 min 2 s): after attempt 1 the next is 500 ms later, after attempt 4 it is 4 s later.
pub fn mount_backoff(attempt: u32) -> Millis {
    const MAX: Millis = 122_000;
    500u64.saturating_mul(1u64 << attempt.saturating_sub(1).min(20)).min(MAX)
}

/// Volumes whose files the kubelet rewrites on its periodic pod sync when their source changes: configMap,
/// secret, projected and downwardAPI.
pub fn auto_updates(v: &Volume) -> bool {
    v.config_map.is_some() || v.secret.is_some() || v.projected.is_some() || v.downward_api.is_some()
}

/// The pod-internal volume behind `subPath` mounts of a volume that follows its source: a copy taken when the
/// volume was set up, which the periodic sync leaves alone (as a real kubelet's bind mount of the file does).
pub fn frozen_key(volume: &str) -> String {
    format!("\u{0}subpath:{volume}")
}

#[cfg(test)]
mod tests {

    #[test]
    fn claim_wait_messages_list_volumes_and_sorted_errors() {
        let one = [("data".to_string(), "error processing PVC default/db: PVC is not bound".to_string())];
        assert_eq!(
            claim_wait_message(&one),
            "Unable to attach or mount volumes: unmounted volumes=[data], unattached volumes=[], failed to process \
             volumes=[data]: error processing PVC default/db: PVC is not bound"
        );
        let two = [
            ("logs".to_string(), "error processing PVC default/b: PVC is being deleted".to_string()),
            ("data".to_string(), "error processing PVC default/a: PVC is not bound".to_string()),
        ];
        assert_eq!(
            claim_wait_message(&two),
            "Unable to attach or mount volumes: unmounted volumes=[data logs], unattached volumes=[], failed to \
             process volumes=[data logs]: error processing PVC default/a: PVC is not bound; error processing PVC \
             default/b: PVC is being deleted"
        );
    }
    use super::*;
    use crate::runtime::fs::WriteMode;

    #[test]
    fn a_git_repo_volume_is_refused_as_the_disabled_plugin_does() {
        use crate::apiserver::{Request, Verb};
        let mut c = Cluster::new(0);
        let body = serde_json::json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "site"}, "spec": {
            "volumes": [{"name": "src", "gitRepo": {"repository": "https://github.com/kubernetes/examples.git"}}],
            "containers": [{"name": "web", "image": "nginx", "volumeMounts": [{"name": "src", "mountPath": "/x"}]}]}});
        c.handle("kubectl", Request::new(Verb::Create, Kind::Pod).namespace("default").body(body)).object().unwrap();
        c.step(10_000);
        let Some(Object::Pod(pod)) = c.store.get(&ObjectKey::new(Kind::Pod, "default", "site")) else { panic!() };
        assert!(pod.status.as_ref().and_then(|s| s.pod_ip.as_ref()).is_none(), "no sandbox without the volume");
        let mounts: Vec<String> = c
            .store
            .list(Kind::Event, Some("default"))
            .filter_map(|o| match o {
                Object::Event(e) if e.reason.as_deref() == Some("FailedMount") => e.message.clone(),
                _ => None,
            })
            .collect();
        assert_eq!(
            mounts,
            ["MountVolume.SetUp failed for volume \"src\" : git-repo volume plugin has been disabled; if necessary, it \
              may be re-enabled by enabling the feature-gate `GitRepoVolumeDriver`"]
        );
    }

    #[test]
    fn mount_retries_back_off_like_nestedpendingoperations() {
        let waits: Vec<Millis> = (1..=10).map(mount_backoff).collect();
        assert_eq!(waits, [500, 1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 122_000, 122_000]);
        assert_eq!(mount_backoff(u32::MAX), 122_000);
    }

    #[test]
    fn host_path_types_are_checked_like_the_plugin() {
        let mut fs = MemFs::new();
        fs.mkdir_all("/data/dir", 0).unwrap();
        fs.write("/data/file", "x", WriteMode::Truncate, 0).unwrap();
        assert_eq!(host_path_type_error(&fs, "/data/dir", "Directory"), None);
        assert_eq!(
            host_path_type_error(&fs, "/data/none", "Directory").as_deref(),
            Some("hostPath type check failed: /data/none is not a directory")
        );
        assert_eq!(host_path_type_error(&fs, "/data/none", "DirectoryOrCreate"), None);
        assert_eq!(
            host_path_type_error(&fs, "/data/file", "DirectoryOrCreate").as_deref(),
            Some("hostPath type check failed: /data/file is not a directory")
        );
        assert_eq!(host_path_type_error(&fs, "/data/file", "File"), None);
        assert_eq!(
            host_path_type_error(&fs, "/data/dir", "FileOrCreate").as_deref(),
            Some("hostPath type check failed: /data/dir is not a file")
        );
        assert_eq!(host_path_type_error(&fs, "/data/none", "FileOrCreate"), None);
        assert_eq!(
            host_path_type_error(&fs, "/run/x.sock", "Socket").as_deref(),
            Some("hostPath type check failed: /run/x.sock is not a socket file")
        );
        assert_eq!(host_path_type_error(&fs, "/anything", ""), None);
    }
}
