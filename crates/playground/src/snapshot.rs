//! The cluster as plain data for views: what the topology draws, nothing it must compute itself.

use engine::topology::CONTROL_PLANE_LABEL;
use engine::Cluster;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NodeView {
    pub name: String,
    /// `control-plane` or `worker` (CONTRACT §5 `data-role`).
    pub role: &'static str,
    /// `Ready` or `NotReady` (CONTRACT §5 `data-status`).
    pub status: &'static str,
    pub internal_ip: String,
    pub pod_cidr: String,
}

/// A pod as the topology draws it (CONTRACT §5: `data-pod`, `data-phase`, `data-node`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PodView {
    pub namespace: String,
    pub name: String,
    /// The node it is bound to (`""` while the scheduler has not placed it).
    pub node: String,
    /// `status.phase`: Pending, Running, Succeeded, Failed.
    pub phase: String,
    /// What `kubectl get pods` shows in STATUS (ContainerCreating, CrashLoopBackOff, Terminating, …).
    pub status: String,
    pub ip: String,
    pub ready: String,
    pub restarts: i32,
    pub containers: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Snapshot {
    pub time_ms: u64,
    pub nodes: Vec<NodeView>,
    pub pods: Vec<PodView>,
}

impl Snapshot {
    pub fn of(cluster: &Cluster) -> Snapshot {
        let nodes = cluster
            .nodes()
            .map(|node| {
                let labels = node.metadata.labels.clone().unwrap_or_default();
                let status = node.status.clone().unwrap_or_default();
                let ready = status.conditions.iter().flatten().any(|c| c.type_ == "Ready" && c.status == "True");
                NodeView {
                    name: node.metadata.name.clone().unwrap_or_default(),
                    role: if labels.contains_key(CONTROL_PLANE_LABEL) { "control-plane" } else { "worker" },
                    status: if ready { "Ready" } else { "NotReady" },
                    internal_ip: status
                        .addresses
                        .iter()
                        .flatten()
                        .find(|a| a.type_ == "InternalIP")
                        .map(|a| a.address.clone())
                        .unwrap_or_default(),
                    pod_cidr: node.spec.as_ref().and_then(|s| s.pod_cidr.clone()).unwrap_or_default(),
                }
            })
            .collect();
        let pods = cluster
            .store()
            .list(engine::Kind::Pod, None)
            .filter_map(|o| match o {
                engine::Object::Pod(p) => Some((o, p)),
                _ => None,
            })
            .map(|(o, p)| {
                let status = p.status.clone().unwrap_or_default();
                let statuses = status.container_statuses.clone().unwrap_or_default();
                let row = kubectl::printers::cells(o, cluster.now());
                PodView {
                    namespace: p.metadata.namespace.clone().unwrap_or_default(),
                    name: p.metadata.name.clone().unwrap_or_default(),
                    node: p.spec.as_ref().and_then(|s| s.node_name.clone()).unwrap_or_default(),
                    phase: status.phase.clone().unwrap_or_default(),
                    status: row.get(2).cloned().unwrap_or_default(),
                    ip: status.pod_ip.clone().unwrap_or_default(),
                    ready: row.get(1).cloned().unwrap_or_default(),
                    restarts: statuses.iter().map(|c| c.restart_count).sum(),
                    containers: p.spec.iter().flat_map(|s| s.containers.iter().map(|c| c.name.clone())).collect(),
                }
            })
            .collect();
        Snapshot { time_ms: cluster.now(), nodes, pods }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_of_the_default_cluster() {
        let snap = Snapshot::of(&Cluster::new(0));
        let roles: Vec<_> = snap.nodes.iter().map(|n| (n.name.as_str(), n.role, n.status)).collect();
        assert_eq!(
            roles,
            [
                ("control-plane-1", "control-plane", "Ready"),
                ("control-plane-2", "control-plane", "Ready"),
                ("control-plane-3", "control-plane", "Ready"),
                ("worker-1", "worker", "Ready"),
                ("worker-2", "worker", "Ready"),
            ]
        );
        assert_eq!(snap.nodes[4].internal_ip, "192.168.49.6");
        assert_eq!(snap.nodes[4].pod_cidr, "10.244.4.0/24");
    }
}
