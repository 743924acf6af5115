//! Volumes whose data lives in the node's own filesystem (`NodeAgent::host_fs`): `hostPath` volumes and
//! claims bound to hostPath PersistentVolumes (minikube's provisioner makes those). A pod works on a copy of
//! the directory ([`PodRun::volumes`]) that is refreshed from the node before each turn of its processes and
//! written back after it, so every pod on the node that mounts the directory, and `minikube ssh`, sees the
//! same files, and the files outlive the pod.

use k8s_openapi::api::core::v1::{Pod, Volume};

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

/// Empties a directory, keeping it (the recycler's `rm -rf /scrub/*`).
pub fn scrub(fs: &mut MemFs, path: &str) {
    if fs.is_dir(path) {
        fs.graft(path, &MemFs::new());
    }
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
        let fs = &mut cluster.ensure_agent(node).host_fs;
        if !fs.is_dir(dir) {
            let _ = fs.mkdir_all(dir, 0);
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
