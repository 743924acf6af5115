//! Property test for the workload controllers: random sequences of scale, set-image, pod deletion, node stop,
//! node start and time-step operations over a Deployment (RollingUpdate, maxSurge 1, maxUnavailable 1), a
//! StatefulSet (OrderedReady), a DaemonSet and a Job (parallelism 2, completions 8). After every operation:
//! - the Deployment never has more than `replicas + maxSurge` live (not terminating) pods;
//! - once the Deployment has been fully available, and while only image changes and time steps follow, at
//!   least `replicas - maxUnavailable` pods stay available through the rollouts. Scaling, deleting a pod and a
//!   node stopping or starting legitimately break this bound (the Deployment is not what disrupted the pods),
//!   so after one of those the bound applies again only once the Deployment is fully available again with
//!   every worker running (a stopped node's pods stay Ready for 50 s, then turn unready);
//! - the StatefulSet's live pods carry distinct ordinals, and with the same proviso (no pod deletion or node
//!   failure since it was last complete) they are gap-free, `0..n`;
//! - no node ever runs two live pods of the DaemonSet;
//! - the Job never has more active pods than its parallelism;
//! - the same seed and operations give the same cluster, byte for byte.
//!
//! `PROPERTY_CASES` sets how many random sequences run (default 3, which runs in well under a minute in a
//! debug build).

use std::collections::{BTreeMap, BTreeSet};

use engine::apiserver::{PatchType, Request, RequestOptions, Verb};
use engine::controllers::revisions::pod_available;
use engine::rng::Rng;
use engine::{Cluster, Kind, Object};
use serde_json::{json, Value};

const MAX_SURGE: i64 = 1;
const MAX_UNAVAILABLE: i64 = 1;
const WORKERS: &[&str] = &["worker-1", "worker-2"];
const IMAGES: &[&str] = &["nginx:1.27", "nginx:1.28", "nginx:no-such-tag"];

#[derive(Clone, Debug)]
enum Target {
    Deployment,
    StatefulSet,
    DaemonSet,
}

#[derive(Clone, Debug)]
enum Op {
    Scale(Target, i64),
    SetImage(Target, &'static str),
    DeletePod(u64),
    StopNode(&'static str),
    StartNode(&'static str),
    Step(u64),
}

fn random_ops(rng: &mut Rng, len: usize) -> Vec<Op> {
    (0..len)
        .map(|_| match rng.below(20) {
            0..=1 => Op::Scale(Target::Deployment, 1 + rng.below(5) as i64),
            2 => Op::Scale(Target::StatefulSet, rng.below(5) as i64),
            3..=4 => Op::SetImage(Target::Deployment, IMAGES[rng.below(3) as usize]),
            5 => Op::SetImage(Target::StatefulSet, IMAGES[rng.below(2) as usize]),
            6 => Op::SetImage(Target::DaemonSet, IMAGES[rng.below(2) as usize]),
            7..=8 => Op::DeletePod(rng.below(1000)),
            9 => Op::StopNode(WORKERS[rng.below(2) as usize]),
            10 => Op::StartNode(WORKERS[rng.below(2) as usize]),
            _ => Op::Step(rng.below(40_000)),
        })
        .collect()
}

fn template(app: &str) -> Value {
    json!({"metadata": {"labels": {"app": app}},
        "spec": {"terminationGracePeriodSeconds": 5, "containers": [{"name": "c", "image": "nginx:1.27"}]}})
}

fn setup(cluster: &mut Cluster) {
    let objects = [
        (
            Kind::Deployment,
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}}, "template": template("web"),
                "strategy": {"type": "RollingUpdate",
                    "rollingUpdate": {"maxSurge": MAX_SURGE, "maxUnavailable": MAX_UNAVAILABLE}}}}),
        ),
        (
            Kind::StatefulSet,
            json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db"},
            "spec": {"replicas": 2, "serviceName": "db", "selector": {"matchLabels": {"app": "db"}},
                "template": template("db")}}),
        ),
        (
            Kind::DaemonSet,
            json!({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent"},
            "spec": {"selector": {"matchLabels": {"app": "agent"}}, "template": template("agent")}}),
        ),
        (
            Kind::Job,
            json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "batch"},
            "spec": {"parallelism": 2, "completions": 8, "backoffLimit": 100, "template": {"spec": {
                "restartPolicy": "Never",
                "containers": [{"name": "c", "image": "busybox:1.36", "command": ["sh", "-c", "sleep 15"]}]}}}}),
        ),
    ];
    for (kind, body) in objects {
        cluster.handle("test", Request::new(Verb::Create, kind).namespace("default").body(body)).result.unwrap();
        cluster.settle();
    }
}

fn target_kind(t: &Target) -> (Kind, &'static str) {
    match t {
        Target::Deployment => (Kind::Deployment, "web"),
        Target::StatefulSet => (Kind::StatefulSet, "db"),
        Target::DaemonSet => (Kind::DaemonSet, "agent"),
    }
}

fn patch(cluster: &mut Cluster, t: &Target, body: Value) {
    let (kind, name) = target_kind(t);
    let opts = RequestOptions { patch_type: Some(PatchType::Merge), ..Default::default() };
    let req = Request::new(Verb::Patch, kind).namespace("default").name(name).body(body).options(opts);
    cluster.handle("test", req).result.unwrap();
}

fn apply(cluster: &mut Cluster, op: &Op) {
    match op {
        Op::Scale(t, n) => patch(cluster, t, json!({"spec": {"replicas": n}})),
        Op::SetImage(t, image) => {
            patch(cluster, t, json!({"spec": {"template": {"spec": {"containers": [{"name": "c", "image": image}]}}}}))
        }
        Op::DeletePod(index) => {
            let names: Vec<String> =
                cluster.store().list(Kind::Pod, Some("default")).map(|o| o.name().to_string()).collect();
            if !names.is_empty() {
                let name = names[*index as usize % names.len()].clone();
                let _ = cluster.handle("test", Request::new(Verb::Delete, Kind::Pod).namespace("default").name(name));
            }
        }
        Op::StopNode(n) => {
            let _ = cluster.stop_node(n);
        }
        Op::StartNode(n) => {
            let _ = cluster.start_node(n);
        }
        Op::Step(ms) => cluster.step(*ms),
    }
    cluster.settle();
}

/// Live (not terminating) pods of the `default` namespace with label `app`.
fn live_pods<'a>(cluster: &'a Cluster, app: &'a str) -> impl Iterator<Item = &'a engine::api::api::core::v1::Pod> {
    cluster.store().list(Kind::Pod, Some("default")).filter_map(move |o| match o {
        Object::Pod(p)
            if p.metadata.deletion_timestamp.is_none()
                && p.metadata.labels.as_ref().and_then(|l| l.get("app")).map(String::as_str) == Some(app) =>
        {
            Some(&**p)
        }
        _ => None,
    })
}

fn replicas(cluster: &Cluster, kind: Kind, name: &str) -> i64 {
    cluster.get(kind, "default", name).unwrap().to_json()["spec"]["replicas"].as_i64().unwrap_or(1)
}

/// What the checks remember between operations: whether each workload is "undisturbed" (complete since the
/// last operation that may legitimately break its bounds).
#[derive(Default)]
struct Memory {
    deployment_steady: bool,
    set_steady: bool,
    /// Workers stopped and not started again: their pods turn unready 50 s later, so no workload counts as
    /// undisturbed while one is down.
    stopped: BTreeSet<&'static str>,
}

fn check(cluster: &Cluster, op: &Op, mem: &mut Memory, case: u64, i: usize) {
    let at = format!("case {case} op {i} ({op:?}) at {} ms", cluster.now());
    match op {
        Op::StopNode(n) => {
            mem.stopped.insert(n);
        }
        Op::StartNode(n) => {
            mem.stopped.remove(n);
        }
        _ => {}
    }
    let nodes_up = mem.stopped.is_empty();
    let now = cluster.now();
    // Deployment.
    let r = replicas(cluster, Kind::Deployment, "web");
    let phase_ok = |p: &engine::api::api::core::v1::Pod| {
        !matches!(p.status.as_ref().and_then(|s| s.phase.as_deref()), Some("Succeeded" | "Failed"))
    };
    let web: Vec<_> = live_pods(cluster, "web").filter(|p| phase_ok(p)).collect();
    assert!(web.len() as i64 <= r + MAX_SURGE, "{at}: {} live pods for {r} replicas", web.len());
    let available = web.iter().filter(|p| pod_available(p, 0, now)).count() as i64;
    if matches!(op, Op::Scale(Target::Deployment, _) | Op::DeletePod(_) | Op::StopNode(_) | Op::StartNode(_)) {
        mem.deployment_steady = false;
    }
    if mem.deployment_steady {
        assert!(available >= r - MAX_UNAVAILABLE, "{at}: only {available} of {r} pods available during a rollout");
    }
    if nodes_up && available == r && web.len() as i64 == r {
        mem.deployment_steady = true;
    }
    // StatefulSet.
    let n = replicas(cluster, Kind::StatefulSet, "db");
    let mut ordinals: Vec<i64> = live_pods(cluster, "db")
        .filter_map(|p| p.metadata.name.as_deref()?.strip_prefix("db-")?.parse().ok())
        .collect();
    ordinals.sort();
    let distinct: BTreeSet<i64> = ordinals.iter().copied().collect();
    assert_eq!(distinct.len(), ordinals.len(), "{at}: duplicate StatefulSet ordinals {ordinals:?}");
    if matches!(op, Op::DeletePod(_) | Op::StopNode(_) | Op::StartNode(_)) {
        mem.set_steady = false;
    }
    if mem.set_steady {
        let want: Vec<i64> = (0..ordinals.len() as i64).collect();
        assert_eq!(ordinals, want, "{at}: StatefulSet ordinals have a gap");
    }
    if nodes_up && ordinals == (0..n).collect::<Vec<_>>() {
        mem.set_steady = true;
    }
    // DaemonSet: at most one live pod per node.
    let mut per_node: BTreeMap<String, usize> = BTreeMap::new();
    for p in live_pods(cluster, "agent") {
        if let Some(node) = p.spec.as_ref().and_then(|s| s.node_name.clone()) {
            *per_node.entry(node).or_default() += 1;
        }
    }
    assert!(per_node.values().all(|c| *c <= 1), "{at}: two daemon pods on one node: {per_node:?}");
    // Job: active pods never above parallelism.
    let active = cluster
        .store()
        .list(Kind::Pod, Some("default"))
        .filter(|o| {
            let j = o.to_json();
            j["metadata"]["labels"]["job-name"] == "batch"
                && j["metadata"]["deletionTimestamp"].is_null()
                && !matches!(j["status"]["phase"].as_str(), Some("Succeeded" | "Failed"))
        })
        .count();
    assert!(active <= 2, "{at}: {active} active Job pods for parallelism 2");
}

fn fingerprint(cluster: &Cluster) -> String {
    let objects: Vec<String> = cluster.store().all().map(|o| o.to_json().to_string()).collect();
    format!("{}\n{}", cluster.now(), objects.join("\n"))
}

#[test]
fn workload_invariants_hold_after_every_operation() {
    let cases: u64 = std::env::var("PROPERTY_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(3);
    for case in 0..cases {
        let mut rng = Rng::new(7000 + case);
        let ops = random_ops(&mut rng, 40);
        let mut cluster = Cluster::new(case);
        setup(&mut cluster);
        let mut mem = Memory::default();
        for (i, op) in ops.iter().enumerate() {
            apply(&mut cluster, op);
            check(&cluster, op, &mut mem, case, i);
        }
        // Determinism: the same seed and operations rebuild the same cluster.
        let mut again = Cluster::new(case);
        setup(&mut again);
        for op in &ops {
            apply(&mut again, op);
        }
        assert_eq!(fingerprint(&cluster), fingerprint(&again), "case {case} is not deterministic");
    }
}
