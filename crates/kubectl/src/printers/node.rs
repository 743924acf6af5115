//! Cluster-scoped infrastructure: `printNode` and `printNamespace`.

use engine::api::api::core::v1::{Namespace, Node};
use engine::clock::Millis;

use super::{col, since, wide, Col};
use engine::util::sort::StableSort;

pub(super) const NODE_COLUMNS: &[Col] = &[
    col("NAME"),
    col("STATUS"),
    col("ROLES"),
    col("AGE"),
    col("VERSION"),
    wide("INTERNAL-IP"),
    wide("EXTERNAL-IP"),
    wide("OS-IMAGE"),
    wide("KERNEL-VERSION"),
    wide("CONTAINER-RUNTIME"),
];

pub(super) const NAMESPACE_COLUMNS: &[Col] = &[col("NAME"), col("STATUS"), col("AGE")];

pub(super) fn node_cells(node: &Node, now: Millis) -> Vec<String> {
    let name = node.metadata.name.clone().unwrap_or_default();
    let status = node.status.clone().unwrap_or_default();
    let mut state: Vec<&str> = Vec::new();
    if let Some(ready) = status.conditions.iter().flatten().find(|c| c.type_ == "Ready") {
        state.push(if ready.status == "True" { "Ready" } else { "NotReady" });
    }
    if state.is_empty() {
        state.push("Unknown");
    }
    if node.spec.as_ref().and_then(|s| s.unschedulable).unwrap_or(false) {
        state.push("SchedulingDisabled");
    }
    let roles = node_roles(node);
    let info = status.node_info.clone().unwrap_or_default();
    let address = |kind: &str| {
        status
            .addresses
            .iter()
            .flatten()
            .find(|a| a.type_ == kind)
            .map(|a| a.address.clone())
            .unwrap_or_else(|| "<none>".to_string())
    };
    let or_unknown = |s: String| {
        if s.is_empty() {
            "<unknown>".to_string()
        } else {
            s
        }
    };
    vec![
        name,
        state.join(","),
        if roles.is_empty() { "<none>".to_string() } else { roles.join(",") },
        since(node.metadata.creation_timestamp.as_ref(), now),
        info.kubelet_version.clone(),
        address("InternalIP"),
        address("ExternalIP"),
        or_unknown(info.os_image),
        or_unknown(info.kernel_version),
        or_unknown(info.container_runtime_version),
    ]
}

/// Roles from `node-role.kubernetes.io/<role>` label keys and the `kubernetes.io/role` label value, sorted.
pub fn node_roles(node: &Node) -> Vec<String> {
    let mut roles: Vec<String> = Vec::new();
    for (key, value) in node.metadata.labels.iter().flatten() {
        if let Some(role) = key.strip_prefix("node-role.kubernetes.io/") {
            if !role.is_empty() {
                roles.push(role.to_string());
            }
        } else if key == "kubernetes.io/role" && !value.is_empty() {
            roles.push(value.clone());
        }
    }
    roles.stable_sort();
    roles.dedup();
    roles
}

pub(super) fn namespace_cells(ns: &Namespace, now: Millis) -> Vec<String> {
    vec![
        ns.metadata.name.clone().unwrap_or_default(),
        ns.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default(),
        since(ns.metadata.creation_timestamp.as_ref(), now),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::api::api::core::v1::{NamespaceStatus, NodeCondition, NodeSpec, NodeStatus};
    use engine::api::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    fn node(labels: &[(&str, &str)], ready: Option<&str>, unschedulable: bool) -> Node {
        Node {
            metadata: ObjectMeta {
                name: Some("n1".into()),
                labels: Some(labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()),
                ..Default::default()
            },
            spec: Some(NodeSpec { unschedulable: Some(unschedulable), ..Default::default() }),
            status: Some(NodeStatus {
                conditions: ready
                    .map(|s| vec![NodeCondition { type_: "Ready".into(), status: s.into(), ..Default::default() }]),
                ..Default::default()
            }),
        }
    }

    #[test]
    fn node_status_and_roles() {
        let cases = [
            (node(&[], Some("True"), false), "Ready", "<none>"),
            (node(&[], Some("False"), false), "NotReady", "<none>"),
            (node(&[], Some("Unknown"), true), "NotReady,SchedulingDisabled", "<none>"),
            (node(&[], None, false), "Unknown", "<none>"),
            (
                node(&[("node-role.kubernetes.io/control-plane", "")], Some("True"), true),
                "Ready,SchedulingDisabled",
                "control-plane",
            ),
            (
                node(&[("kubernetes.io/role", "gpu"), ("node-role.kubernetes.io/infra", "x")], Some("True"), false),
                "Ready",
                "gpu,infra",
            ),
        ];
        for (n, status, roles) in cases {
            let c = node_cells(&n, 0);
            assert_eq!((c[1].as_str(), c[2].as_str()), (status, roles));
            assert_eq!(c[3], "<unknown>", "no creationTimestamp");
            assert_eq!(&c[5..], ["<none>", "<none>", "<unknown>", "<unknown>", "<unknown>"]);
        }
        let bare = Node::default();
        assert_eq!(node_cells(&bare, 0)[..3], ["", "Unknown", "<none>"]);
    }

    #[test]
    fn namespace_phase() {
        let ns = Namespace {
            metadata: ObjectMeta { name: Some("dev".into()), ..Default::default() },
            status: Some(NamespaceStatus { phase: Some("Terminating".into()), ..Default::default() }),
            ..Default::default()
        };
        assert_eq!(namespace_cells(&ns, 0), ["dev", "Terminating", "<unknown>"]);
        assert_eq!(namespace_cells(&Namespace::default(), 0), ["", "", "<unknown>"]);
    }
}
