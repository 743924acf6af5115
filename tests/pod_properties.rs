//! Property test for the scheduler and kubelets: random sequences of pod creations and deletions, node
//! stops, starts, additions and deletions, and time steps. After every operation the invariants hold:
//! - a pod is bound to at most one node, and at most one kubelet runs it;
//! - no node has more than 110 pods bound that are not finished;
//! - no kubelet runs pods of a node that was deleted, and no stopped node's kubelet changes anything;
//! - live pods (not host-network) have distinct IPs, each inside their node's podCIDR;
//! - the same seed and the same operations give the same cluster, byte for byte.
//!
//! `PROPERTY_CASES` sets how many random sequences run (default 12; CI's short run uses the default).

use std::collections::{BTreeMap, BTreeSet};

use engine::apiserver::{Request, Verb};
use engine::rng::Rng;
use engine::topology::NodeRole;
use engine::{Cluster, Kind, Object};

#[derive(Clone, Debug)]
enum Op {
    Create { name: String, image: &'static str, node: Option<String> },
    Delete { index: u64, force: bool },
    StopNode(String),
    StartNode(String),
    AddNode,
    DeleteNode(String),
    Step(u64),
}

const IMAGES: &[&str] = &["nginx:1.27", "busybox:1.36", "redis:7", "nginx:no-such-tag", "registry.k8s.io/pause:3.10"];
const NODES: &[&str] = &["control-plane-1", "control-plane-2", "control-plane-3", "worker-1", "worker-2", "worker-3"];

fn random_ops(rng: &mut Rng, len: usize) -> Vec<Op> {
    (0..len)
        .map(|i| match rng.below(20) {
            0..=7 => Op::Create {
                name: format!("p{i}"),
                image: IMAGES[rng.below(IMAGES.len() as u64) as usize],
                // Some pods name their node, bypassing the scheduler, as a learner may.
                node: (rng.below(6) == 0).then(|| NODES[rng.below(NODES.len() as u64) as usize].to_string()),
            },
            8..=10 => Op::Delete { index: rng.below(1000), force: rng.below(3) == 0 },
            11 => Op::StopNode(NODES[rng.below(NODES.len() as u64) as usize].to_string()),
            12 => Op::StartNode(NODES[rng.below(NODES.len() as u64) as usize].to_string()),
            13 => Op::AddNode,
            14 => Op::DeleteNode(NODES[3 + rng.below(3) as usize].to_string()),
            _ => Op::Step(rng.below(90_000)),
        })
        .collect()
}

fn apply(cluster: &mut Cluster, op: &Op) {
    match op {
        Op::Create { name, image, node } => {
            let mut spec = serde_json::json!({"containers": [{"name": "c", "image": image,
                "command": if image.starts_with("busybox") { serde_json::json!(["sh", "-c", "echo up; sleep 40; exit 1"]) } else { serde_json::Value::Null }}]});
            if spec["containers"][0]["command"].is_null() {
                spec["containers"][0].as_object_mut().unwrap().remove("command");
            }
            if let Some(n) = node {
                spec["nodeName"] = serde_json::json!(n);
            }
            let body = serde_json::json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec});
            let _ = cluster.handle("test", Request::new(Verb::Create, Kind::Pod).namespace("default").body(body));
        }
        Op::Delete { index, force } => {
            let names: Vec<String> =
                cluster.store().list(Kind::Pod, Some("default")).map(|o| o.name().to_string()).collect();
            if names.is_empty() {
                return;
            }
            let name = &names[*index as usize % names.len()];
            let mut req = Request::new(Verb::Delete, Kind::Pod).namespace("default").name(name.clone());
            if *force {
                req.options.grace_period_seconds = Some(0);
            }
            let _ = cluster.handle("test", req);
        }
        Op::StopNode(n) => {
            let _ = cluster.stop_node(n);
        }
        Op::StartNode(n) => {
            let _ = cluster.start_node(n);
        }
        Op::AddNode => {
            if cluster.machines().iter().count() < 7 {
                let _ = cluster.add_node(NodeRole::Worker);
            }
        }
        Op::DeleteNode(n) => {
            let _ = cluster.delete_node(n);
        }
        Op::Step(ms) => cluster.step(*ms),
    }
    cluster.settle();
}

fn check(cluster: &Cluster, after: &Op) {
    let nodes: BTreeSet<String> = cluster.nodes().filter_map(|n| n.metadata.name.clone()).collect();
    // At most one kubelet runs each pod.
    let mut runs: BTreeMap<String, String> = BTreeMap::new();
    for (node, agent) in &cluster.kubelets().nodes {
        assert!(nodes.contains(node), "after {after:?}: a kubelet of deleted node {node} is still running pods");
        for uid in agent.pods.keys() {
            if let Some(other) = runs.insert(uid.clone(), node.clone()) {
                panic!("after {after:?}: pod {uid} runs on {other} and {node}");
            }
        }
    }
    let mut per_node: BTreeMap<String, usize> = BTreeMap::new();
    let mut ips: BTreeMap<String, String> = BTreeMap::new();
    for obj in cluster.store().list(Kind::Pod, None) {
        let Object::Pod(p) = obj else { continue };
        let name = format!("{}/{}", obj.namespace(), obj.name());
        let status = p.status.clone().unwrap_or_default();
        let phase = status.phase.clone().unwrap_or_default();
        let spec = p.spec.clone().unwrap_or_default();
        if let Some(node) = &spec.node_name {
            if let Some(ran) = runs.get(p.metadata.uid.as_deref().unwrap_or_default()) {
                assert_eq!(ran, node, "after {after:?}: {name} is bound to {node} but runs on {ran}");
            }
            if phase != "Succeeded" && phase != "Failed" {
                *per_node.entry(node.clone()).or_default() += 1;
            }
        }
        let finished = phase == "Succeeded" || phase == "Failed" || p.metadata.deletion_timestamp.is_some();
        if let (Some(ip), false, false) = (status.pod_ip.clone(), spec.host_network.unwrap_or(false), finished) {
            if let Some(other) = ips.insert(ip.clone(), name.clone()) {
                panic!("after {after:?}: {name} and {other} share IP {ip}");
            }
            let node = spec.node_name.clone().unwrap_or_default();
            // Without etcd quorum nobody can write status: a pod may still show an IP from a deleted node of
            // the same name, as on a real cluster.
            let healthy = matches!(cluster.machines().quorum(), engine::machines::Quorum::Healthy { .. });
            if let (Some(m), true) = (cluster.machines().get(&node), healthy) {
                let prefix = m.plan.pod_cidr.trim_end_matches("0/24");
                assert!(ip.starts_with(prefix), "after {after:?}: {name} has {ip} outside {}", m.plan.pod_cidr);
            }
        }
    }
    for (node, count) in per_node {
        assert!(count <= 110, "after {after:?}: {count} pods on {node}");
    }
}

fn fingerprint(cluster: &Cluster) -> String {
    let objects: Vec<String> = cluster.store().all().map(|o| o.to_json().to_string()).collect();
    format!("{}\n{}", cluster.now(), objects.join("\n"))
}

#[test]
fn invariants_hold_after_every_operation() {
    let cases: u64 = std::env::var("PROPERTY_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(12);
    for case in 0..cases {
        let mut rng = Rng::new(1000 + case);
        let ops = random_ops(&mut rng, 60);
        let mut cluster = Cluster::new(case);
        for op in &ops {
            apply(&mut cluster, op);
            check(&cluster, op);
        }
        // Determinism: the same seed and operations rebuild the same cluster.
        let mut again = Cluster::new(case);
        for op in &ops {
            apply(&mut again, op);
        }
        assert_eq!(fingerprint(&cluster), fingerprint(&again), "case {case} is not deterministic");
    }
}

#[test]
fn a_full_node_turns_pods_away_with_too_many_pods() {
    // The two workers take 110 pods each, less what the cluster already runs there (kube-proxy, Flannel, …).
    let mut cluster = Cluster::new(3);
    let on = |cluster: &Cluster, node: &str| {
        cluster.store().list(Kind::Pod, None).filter(|o| o.to_json()["spec"]["nodeName"] == node).count()
    };
    let free = 220 - on(&cluster, "worker-1") - on(&cluster, "worker-2");
    for i in 0..free + 5 {
        apply(&mut cluster, &Op::Create { name: format!("p{i}"), image: "registry.k8s.io/pause:3.10", node: None });
    }
    let pending =
        cluster.store().list(Kind::Pod, Some("default")).filter(|o| o.to_json()["spec"]["nodeName"].is_null()).count();
    assert_eq!(pending, 5, "{free} pods fit on the two workers; five wait");
    assert_eq!((on(&cluster, "worker-1"), on(&cluster, "worker-2")), (110, 110));
    check(&cluster, &Op::Step(0));
}
