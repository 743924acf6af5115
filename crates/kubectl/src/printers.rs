//! Table columns and cells for each kind, as the apiserver's table printers (k/k `pkg/printers/internalversion`)
//! fill them for `kubectl get`.

use engine::api::api::core::v1::Node;
use engine::clock::{sim_millis, Millis};
use engine::{Kind, Object};

use crate::duration::human;

/// A printed table: header cells, then one row per object. `wide` columns are included only with `-o wide`.
pub struct Columns {
    pub names: Vec<&'static str>,
    /// How many leading columns are printed without `-o wide`.
    pub narrow: usize,
}

pub fn columns(kind: Kind) -> Columns {
    match kind {
        Kind::Node => Columns {
            names: vec![
                "NAME",
                "STATUS",
                "ROLES",
                "AGE",
                "VERSION",
                "INTERNAL-IP",
                "EXTERNAL-IP",
                "OS-IMAGE",
                "KERNEL-VERSION",
                "CONTAINER-RUNTIME",
            ],
            narrow: 5,
        },
        Kind::Namespace => Columns { names: vec!["NAME", "STATUS", "AGE"], narrow: 3 },
        _ => Columns { names: vec!["NAME", "AGE"], narrow: 2 },
    }
}

/// All cells of `obj`'s row (narrow and wide), at simulated time `now`.
pub fn cells(obj: &Object, now: Millis) -> Vec<String> {
    let age = age(obj, now);
    match obj {
        Object::Node(node) => node_cells(node, age),
        Object::Namespace(ns) => {
            let phase = ns.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default();
            vec![obj.name().to_string(), phase, age]
        }
        _ => vec![obj.name().to_string(), age],
    }
}

/// AGE: time since `creationTimestamp`, or `<unknown>` without one.
pub fn age(obj: &Object, now: Millis) -> String {
    match &obj.metadata().creation_timestamp {
        Some(t) => human(now.saturating_sub(sim_millis(t))),
        None => "<unknown>".to_string(),
    }
}

fn node_cells(node: &Node, age: String) -> Vec<String> {
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
        age,
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
    roles.sort();
    roles.dedup();
    roles
}

/// `--show-labels`: `k=v` pairs joined by commas in key order, or `<none>`.
pub fn labels_cell(obj: &Object) -> String {
    match &obj.metadata().labels {
        Some(labels) if !labels.is_empty() => {
            labels.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",")
        }
        _ => "<none>".to_string(),
    }
}
