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

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Snapshot {
    pub time_ms: u64,
    pub nodes: Vec<NodeView>,
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
        Snapshot { time_ms: cluster.now(), nodes }
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
