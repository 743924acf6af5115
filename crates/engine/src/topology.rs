//! The default cluster a fresh session starts with (CONTRACT §3): three control-plane nodes and two
//! workers on minikube's Docker network, each with its own Flannel pod subnet.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Node, NodeAddress, NodeCondition, NodeDaemonEndpoints, NodeSpec, NodeStatus, NodeSystemInfo, Taint,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::clock::{api_time, Millis};
use crate::rng::Rng;

pub const KUBERNETES_VERSION: &str = "v1.34.0";
pub const CONTROL_PLANE_LABEL: &str = "node-role.kubernetes.io/control-plane";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeRole {
    ControlPlane,
    Worker,
}

/// What distinguishes one node of the topology from another.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodePlan {
    pub name: String,
    pub role: NodeRole,
    /// The node's address on the cluster network (minikube's 192.168.49.0/24).
    pub internal_ip: String,
    /// The node's pod subnet, carved from Flannel's 10.244.0.0/16.
    pub pod_cidr: String,
}

/// The `index`-th node ever added (0-based) gets `192.168.49.{index+2}` and `10.244.{index}.0/24`. Beyond what
/// one /24 of node addresses and Flannel's 10.244.0.0/16 hold (only benchmarks get there), addresses continue
/// in the next blocks (`192.168.50.2`, `10.245.0.0/24`, …) so that every address stays valid.
pub fn plan_node(name: &str, role: NodeRole, index: usize) -> NodePlan {
    NodePlan {
        name: name.to_string(),
        role,
        internal_ip: format!("192.168.{}.{}", 49 + index / 252, index % 252 + 2),
        pod_cidr: format!("10.{}.{}.0/24", 244 + index / 256, index % 256),
    }
}

/// The five nodes of CONTRACT §3, in the order they join.
pub fn default_nodes() -> Vec<NodePlan> {
    let names = [
        ("control-plane-1", NodeRole::ControlPlane),
        ("control-plane-2", NodeRole::ControlPlane),
        ("control-plane-3", NodeRole::ControlPlane),
        ("worker-1", NodeRole::Worker),
        ("worker-2", NodeRole::Worker),
    ];
    names.iter().enumerate().map(|(i, (name, role))| plan_node(name, *role, i)).collect()
}

fn quantities(pairs: &[(&str, &str)]) -> BTreeMap<String, Quantity> {
    pairs.iter().map(|(k, v)| (k.to_string(), Quantity(v.to_string()))).collect()
}

fn condition(kind: &str, status: &str, reason: &str, message: &str, at: Millis) -> NodeCondition {
    NodeCondition {
        type_: kind.to_string(),
        status: status.to_string(),
        reason: Some(reason.to_string()),
        message: Some(message.to_string()),
        last_heartbeat_time: Some(api_time(at)),
        last_transition_time: Some(api_time(at)),
    }
}

/// The Node object a kubelet registers for `plan`, Ready at `now`. Machine IDs come from `rng`.
pub fn node_object(plan: &NodePlan, now: Millis, rng: &mut Rng) -> Node {
    let mut labels: BTreeMap<String, String> = [
        ("beta.kubernetes.io/arch", "amd64"),
        ("beta.kubernetes.io/os", "linux"),
        ("kubernetes.io/arch", "amd64"),
        ("kubernetes.io/hostname", plan.name.as_str()),
        ("kubernetes.io/os", "linux"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let mut taints = Vec::new();
    if plan.role == NodeRole::ControlPlane {
        labels.insert(CONTROL_PLANE_LABEL.to_string(), String::new());
        labels.insert("node.kubernetes.io/exclude-from-external-load-balancers".to_string(), String::new());
        taints.push(Taint {
            key: CONTROL_PLANE_LABEL.to_string(),
            effect: "NoSchedule".to_string(),
            ..Default::default()
        });
    }
    let annotations = [
        ("kubeadm.alpha.kubernetes.io/cri-socket", "unix:///run/containerd/containerd.sock"),
        ("node.alpha.kubernetes.io/ttl", "0"),
        ("volumes.kubernetes.io/controller-managed-attach-detach", "true"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let machine_id = rng.uuid().replace('-', "");
    let resources = [
        ("cpu", "2"),
        ("ephemeral-storage", "20Gi"),
        ("hugepages-1Gi", "0"),
        ("hugepages-2Mi", "0"),
        ("memory", "4Gi"),
        ("pods", "110"),
    ];
    let mut allocatable = resources;
    // The kubelet holds back its default hard eviction threshold (memory.available < 100Mi).
    allocatable[4] = ("memory", "3996Mi");
    Node {
        metadata: ObjectMeta {
            name: Some(plan.name.clone()),
            labels: Some(labels),
            annotations: Some(annotations),
            ..Default::default()
        },
        spec: Some(NodeSpec {
            pod_cidr: Some(plan.pod_cidr.clone()),
            pod_cidrs: Some(vec![plan.pod_cidr.clone()]),
            taints: (!taints.is_empty()).then_some(taints),
            ..Default::default()
        }),
        status: Some(NodeStatus {
            addresses: Some(vec![
                NodeAddress { type_: "InternalIP".into(), address: plan.internal_ip.clone() },
                NodeAddress { type_: "Hostname".into(), address: plan.name.clone() },
            ]),
            capacity: Some(quantities(&resources)),
            allocatable: Some(quantities(&allocatable)),
            conditions: Some(vec![
                condition(
                    "MemoryPressure",
                    "False",
                    "KubeletHasSufficientMemory",
                    "kubelet has sufficient memory available",
                    now,
                ),
                condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure", now),
                condition(
                    "PIDPressure",
                    "False",
                    "KubeletHasSufficientPID",
                    "kubelet has sufficient PID available",
                    now,
                ),
                condition("Ready", "True", "KubeletReady", "kubelet is posting ready status", now),
            ]),
            daemon_endpoints: Some(NodeDaemonEndpoints {
                kubelet_endpoint: Some(k8s_openapi::api::core::v1::DaemonEndpoint { port: 10250 }),
            }),
            node_info: Some(NodeSystemInfo {
                architecture: "amd64".into(),
                boot_id: rng.uuid(),
                container_runtime_version: "containerd://2.1.3".into(),
                kernel_version: "6.8.0-1015-gcp".into(),
                kube_proxy_version: String::new(),
                kubelet_version: KUBERNETES_VERSION.into(),
                machine_id,
                operating_system: "linux".into(),
                os_image: "Ubuntu 24.04.2 LTS".into(),
                system_uuid: rng.uuid(),
                ..Default::default()
            }),
            ..Default::default()
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_topology_matches_the_contract() {
        let nodes = default_nodes();
        let summary: Vec<_> =
            nodes.iter().map(|n| (n.name.as_str(), n.internal_ip.as_str(), n.pod_cidr.as_str())).collect();
        assert_eq!(
            summary,
            [
                ("control-plane-1", "192.168.49.2", "10.244.0.0/24"),
                ("control-plane-2", "192.168.49.3", "10.244.1.0/24"),
                ("control-plane-3", "192.168.49.4", "10.244.2.0/24"),
                ("worker-1", "192.168.49.5", "10.244.3.0/24"),
                ("worker-2", "192.168.49.6", "10.244.4.0/24"),
            ]
        );
    }

    #[test]
    fn control_plane_nodes_are_labelled_and_tainted() {
        let mut rng = Rng::new(0);
        let plans = default_nodes();
        let cp = node_object(&plans[0], 0, &mut rng);
        assert!(cp.metadata.labels.as_ref().unwrap().contains_key(CONTROL_PLANE_LABEL));
        let taints = cp.spec.as_ref().unwrap().taints.as_ref().unwrap();
        assert_eq!((taints[0].key.as_str(), taints[0].effect.as_str()), (CONTROL_PLANE_LABEL, "NoSchedule"));
        let worker = node_object(&plans[3], 0, &mut rng);
        assert!(worker.spec.as_ref().unwrap().taints.is_none());
        assert!(!worker.metadata.labels.as_ref().unwrap().contains_key(CONTROL_PLANE_LABEL));
    }
}
