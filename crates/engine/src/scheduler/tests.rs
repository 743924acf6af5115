//! Table tests for the framework, its plugins and the message builder.

use std::sync::Arc;

use k8s_openapi::api::core::v1::{Node, Pod};
use serde_json::json;

use super::filters::{self, CycleState};
use super::message::{histogram, FitError};
use super::scores;
use super::*;

fn node(name: &str, extra: serde_json::Value) -> Node {
    let mut n = json!({
        "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}},
        "spec": {},
        "status": {"allocatable": {"cpu": "2", "memory": "4Gi", "pods": "110"}}
    });
    merge(&mut n, extra);
    serde_json::from_value(n).unwrap()
}

fn pod(name: &str, extra: serde_json::Value) -> Pod {
    let mut p = json!({
        "metadata": {"name": name, "namespace": "default", "uid": format!("uid-{name}")},
        "spec": {"containers": [{"name": "c", "image": "nginx"}]}
    });
    merge(&mut p, extra);
    serde_json::from_value(p).unwrap()
}

fn merge(a: &mut serde_json::Value, b: serde_json::Value) {
    match (a, b) {
        (serde_json::Value::Object(a), serde_json::Value::Object(b)) => {
            for (k, v) in b {
                merge(a.entry(k).or_insert(serde_json::Value::Null), v);
            }
        }
        (a, b) => *a = b,
    }
}

fn info(n: Node, pods: &[Pod]) -> NodeInfo {
    let mut i = NodeInfo::new(Arc::new(n));
    for p in pods {
        i.add_pod(PodInfo::from_pod(p));
    }
    i
}

fn snapshot(nodes: Vec<Node>, pods: &[Pod]) -> Snapshot {
    Snapshot::new(nodes.into_iter().map(Arc::new), pods.iter())
}

fn cp(name: &str) -> Node {
    node(
        name,
        json!({"metadata": {"labels": {"node-role.kubernetes.io/control-plane": ""}},
               "spec": {"taints": [{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]}}),
    )
}

fn default_cluster() -> Vec<Node> {
    vec![
        cp("control-plane-1"),
        cp("control-plane-2"),
        cp("control-plane-3"),
        node("worker-1", json!({})),
        node("worker-2", json!({})),
    ]
}

fn run(snap: &Snapshot, p: &Pod) -> Decision {
    schedule(
        snap,
        &PodToSchedule { pod: p, default_spread_selector: None },
        &Profile::default(),
        &mut Cursor::default(),
        &mut Rng::new(0),
    )
}

#[test]
fn node_unschedulable_filter() {
    let cordoned = info(node("n", json!({"spec": {"unschedulable": true}})), &[]);
    let s = filters::node_unschedulable(&pod("p", json!({})), &cordoned).unwrap();
    assert_eq!((s.plugin.as_str(), s.reasons[0].as_str()), ("NodeUnschedulable", "node(s) were unschedulable"));
    let tolerant = pod(
        "p",
        json!({"spec": {"tolerations": [{"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"}]}}),
    );
    assert!(filters::node_unschedulable(&tolerant, &cordoned).is_none());
    assert!(filters::node_unschedulable(&pod("p", json!({})), &info(node("n", json!({})), &[])).is_none());
}

#[test]
fn node_name_filter() {
    let p = pod("p", json!({"spec": {"nodeName": "a"}}));
    assert!(filters::node_name(&p, &info(node("a", json!({})), &[])).is_none());
    assert_eq!(
        filters::node_name(&p, &info(node("b", json!({})), &[])).unwrap().reasons,
        ["node(s) didn't match the requested node name"]
    );
}

#[test]
fn taint_toleration_filter() {
    let cases: &[(serde_json::Value, Option<&str>)] = &[
        (json!({}), Some("node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }")),
        (
            json!({"spec": {"tolerations": [{"key": "node-role.kubernetes.io/control-plane", "operator": "Exists", "effect": "NoSchedule"}]}}),
            None,
        ),
        (json!({"spec": {"tolerations": [{"operator": "Exists"}]}}), None),
        (
            json!({"spec": {"tolerations": [{"key": "node-role.kubernetes.io/control-plane", "operator": "Exists", "effect": "NoExecute"}]}}),
            Some("node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }"),
        ),
    ];
    for (spec, want) in cases {
        let got = filters::taint_toleration(&pod("p", spec.clone()), &info(cp("cp"), &[]));
        assert_eq!(got.map(|s| s.reasons[0].clone()).as_deref(), *want, "{spec}");
    }
    let valued = node(
        "n",
        json!({"spec": {"taints": [
        {"key": "soft", "value": "x", "effect": "PreferNoSchedule"},
        {"key": "gpu", "value": "true", "effect": "NoSchedule"}]}}),
    );
    let s = filters::taint_toleration(&pod("p", json!({})), &info(valued.clone(), &[])).unwrap();
    assert_eq!(s.reasons, ["node(s) had untolerated taint {gpu: true}"]);
    assert_eq!(s.code, Code::UnschedulableAndUnresolvable);
    let eq = pod("p", json!({"spec": {"tolerations": [{"key": "gpu", "operator": "Equal", "value": "true"}]}}));
    assert!(filters::taint_toleration(&eq, &info(valued, &[])).is_none());
}

#[test]
fn node_affinity_filter() {
    let n = info(node("n", json!({"metadata": {"labels": {"disk": "ssd", "gen": "5"}}})), &[]);
    let cases: &[(serde_json::Value, bool)] = &[
        (json!({}), true),
        (json!({"spec": {"nodeSelector": {"disk": "ssd"}}}), true),
        (json!({"spec": {"nodeSelector": {"disk": "hdd"}}}), false),
        (
            json!({"spec": {"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
            {"matchExpressions": [{"key": "disk", "operator": "In", "values": ["hdd"]}]},
            {"matchExpressions": [{"key": "gen", "operator": "Gt", "values": ["4"]}]}]}}}}}),
            true,
        ),
        (
            json!({"spec": {"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
            {"matchExpressions": [{"key": "zone", "operator": "Exists"}]}]}}}}}),
            false,
        ),
        (
            json!({"spec": {"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
            {"matchExpressions": [{"key": "zone", "operator": "DoesNotExist"}, {"key": "disk", "operator": "NotIn", "values": ["hdd"]}]}]}}}}}),
            true,
        ),
        (
            json!({"spec": {"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
            {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["n"]}]}]}}}}}),
            true,
        ),
        (
            json!({"spec": {"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{}]}}}}}),
            false,
        ),
    ];
    for (spec, fits) in cases {
        let got = filters::node_affinity(&pod("p", spec.clone()), &n);
        assert_eq!(got.is_none(), *fits, "{spec}");
        if let Some(s) = got {
            assert_eq!(s.reasons, ["node(s) didn't match Pod's node affinity/selector"]);
        }
    }
}

#[test]
fn node_resources_fit_filter() {
    let busy = pod(
        "busy",
        json!({"spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": "1500m", "memory": "1Gi"}}}]}}),
    );
    let n = info(node("n", json!({})), &[busy]);
    let want = |cpu: &str, mem: &str| {
        let p = pod(
            "p",
            json!({"spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": cpu, "memory": mem}}}]}}),
        );
        filters::node_resources_fit(&resources::pod_requests(&p, false), &n)
    };
    assert!(want("500m", "3Gi").is_none());
    let s = want("600m", "100Mi").unwrap();
    assert_eq!((s.reasons.clone(), s.code), (vec!["Insufficient cpu".to_string()], Code::Unschedulable));
    let s = want("1", "4Gi").unwrap();
    assert_eq!(s.reasons, ["Insufficient cpu", "Insufficient memory"]);
    // More than the whole node: preemption cannot help.
    assert_eq!(want("3", "1Mi").unwrap().code, Code::UnschedulableAndUnresolvable);
    // The pod count counts even for pods that request nothing.
    let full = info(node("n", json!({"status": {"allocatable": {"pods": "1"}}})), &[pod("x", json!({}))]);
    let s = filters::node_resources_fit(&Resources::default(), &full).unwrap();
    assert_eq!(s.reasons, ["Too many pods"]);
}

#[test]
fn node_ports_filter() {
    let with_port = |name: &str, ip: Option<&str>| {
        let mut port = json!({"containerPort": 80, "hostPort": 8080});
        if let Some(ip) = ip {
            port["hostIP"] = json!(ip);
        }
        pod(name, json!({"spec": {"containers": [{"name": "c", "ports": [port]}]}}))
    };
    let n = info(node("n", json!({})), &[with_port("a", Some("10.0.0.1"))]);
    let check = |p: &Pod| filters::node_ports(&pod_host_ports(p), &n);
    assert_eq!(
        check(&with_port("b", None)).unwrap().reasons,
        ["node(s) didn't have free ports for the requested pod ports"]
    );
    assert!(check(&with_port("b", Some("10.0.0.1"))).is_some());
    assert!(check(&with_port("b", Some("10.0.0.2"))).is_none());
    assert!(check(&pod("b", json!({}))).is_none());
}

#[test]
fn inter_pod_affinity_filter() {
    let zone = |name: &str, z: &str| node(name, json!({"metadata": {"labels": {"zone": z}}}));
    let web = pod("web", json!({"metadata": {"labels": {"app": "web"}}, "spec": {"nodeName": "a"}}));
    let snap = snapshot(vec![zone("a", "z1"), zone("b", "z2")], std::slice::from_ref(&web));
    let check = |p: &Pod, n: usize| {
        let st = CycleState::pre_filter(&snap, p);
        filters::inter_pod_affinity(&st.affinity, &snap, p, &snap.nodes[n]).map(|s| s.reasons[0].clone())
    };
    let term = json!([{"labelSelector": {"matchLabels": {"app": "web"}}, "topologyKey": "zone"}]);
    let aff = pod(
        "p",
        json!({"spec": {"affinity": {"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": term}}}}),
    );
    assert_eq!(check(&aff, 0), None);
    assert_eq!(check(&aff, 1).as_deref(), Some("node(s) didn't match pod affinity rules"));
    let anti = pod(
        "p",
        json!({"spec": {"affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": term}}}}),
    );
    assert_eq!(check(&anti, 0).as_deref(), Some("node(s) didn't match pod anti-affinity rules"));
    assert_eq!(check(&anti, 1), None);
    // An existing pod's anti-affinity keeps matching pods out of its zone.
    let guard = pod(
        "guard",
        json!({"spec": {"nodeName": "b", "affinity": {"podAntiAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": [{"labelSelector": {"matchLabels": {"app": "db"}}, "topologyKey": "zone"}]}}}}),
    );
    let snap = snapshot(vec![zone("a", "z1"), zone("b", "z2")], &[guard]);
    let db = pod("db", json!({"metadata": {"labels": {"app": "db"}}}));
    let st = CycleState::pre_filter(&snap, &db);
    assert_eq!(
        filters::inter_pod_affinity(&st.affinity, &snap, &db, &snap.nodes[1]).unwrap().reasons,
        ["node(s) didn't satisfy existing pods anti-affinity rules"]
    );
    assert!(filters::inter_pod_affinity(&st.affinity, &snap, &db, &snap.nodes[0]).is_none());
    // The first pod of a self-affine group may go anywhere.
    let first = pod(
        "first",
        json!({"metadata": {"labels": {"app": "cache"}}, "spec": {"affinity": {"podAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": [{"labelSelector": {"matchLabels": {"app": "cache"}}, "topologyKey": "zone"}]}}}}),
    );
    let st = CycleState::pre_filter(&snap, &first);
    assert!(filters::inter_pod_affinity(&st.affinity, &snap, &first, &snap.nodes[0]).is_none());
}

#[test]
fn pod_topology_spread_filter() {
    let on = |name: &str, n: &str| pod(name, json!({"metadata": {"labels": {"app": "web"}}, "spec": {"nodeName": n}}));
    let snap = snapshot(vec![node("a", json!({})), node("b", json!({})), serde_json::from_value(json!({"metadata": {"name": "c"}, "status": {"allocatable": {"cpu": "2", "memory": "4Gi", "pods": "110"}}})).unwrap()], &[on("w1", "a"), on("w2", "a")]);
    let p = pod(
        "p",
        json!({"metadata": {"labels": {"app": "web"}}, "spec": {"topologySpreadConstraints": [
        {"maxSkew": 1, "topologyKey": "kubernetes.io/hostname", "whenUnsatisfiable": "DoNotSchedule", "labelSelector": {"matchLabels": {"app": "web"}}}]}}),
    );
    let st = CycleState::pre_filter(&snap, &p);
    assert_eq!(
        filters::pod_topology_spread(&st.spread, &p, &snap.nodes[0]).unwrap().reasons,
        ["node(s) didn't match pod topology spread constraints"]
    );
    assert!(filters::pod_topology_spread(&st.spread, &p, &snap.nodes[1]).is_none());
    let s = filters::pod_topology_spread(&st.spread, &p, &snap.nodes[2]).unwrap();
    assert_eq!(s.reasons, ["node(s) didn't match pod topology spread constraints (missing required label)"]);
    assert_eq!(s.code, Code::UnschedulableAndUnresolvable);
}

#[test]
fn volume_binding_hook_turns_nodes_down() {
    struct NoVolumes;
    impl VolumeBinding for NoVolumes {
        fn filter(&self, _pod: &Pod, node: &NodeInfo) -> Result<(), String> {
            if node.name() == "worker-1" {
                Err("node(s) didn't find available persistent volumes to bind".into())
            } else {
                Ok(())
            }
        }
    }
    let snap = snapshot(default_cluster(), &[]);
    let profile = Profile { percentage_of_nodes_to_score: 0, volume_binding: &NoVolumes };
    let p = pod("p", json!({}));
    let d = schedule(
        &snap,
        &PodToSchedule { pod: &p, default_spread_selector: None },
        &profile,
        &mut Cursor::default(),
        &mut Rng::new(0),
    );
    assert_eq!(d.node.as_deref(), Some("worker-2"));
}

#[test]
fn score_plugins() {
    // TaintToleration: PreferNoSchedule taints not tolerated, reversed.
    let mut v = vec![0, 1, 2];
    scores::default_normalize(&mut v, true);
    assert_eq!(v, [100, 50, 0]);
    let mut v = vec![0, 0];
    scores::default_normalize(&mut v, false);
    assert_eq!(v, [0, 0]);
    let tainted = info(node("n", json!({"spec": {"taints": [{"key": "k", "effect": "PreferNoSchedule"}]}})), &[]);
    assert_eq!(scores::taint_toleration(&pod("p", json!({})), &tainted), 1);
    assert_eq!(
        scores::taint_toleration(
            &pod("p", json!({"spec": {"tolerations": [{"key": "k", "operator": "Exists"}]}})),
            &tainted
        ),
        0
    );

    // NodeAffinity preferred: sum of matching weights.
    let pref = pod(
        "p",
        json!({"spec": {"affinity": {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
        {"weight": 5, "preference": {"matchExpressions": [{"key": "disk", "operator": "In", "values": ["ssd"]}]}},
        {"weight": 2, "preference": {"matchExpressions": [{"key": "kubernetes.io/hostname", "operator": "Exists"}]}}]}}}}),
    );
    assert_eq!(
        scores::node_affinity(&pref, &info(node("n", json!({"metadata": {"labels": {"disk": "ssd"}}})), &[])),
        7
    );
    assert_eq!(scores::node_affinity(&pref, &info(node("n", json!({})), &[])), 2);

    // LeastAllocated with non-zero requests: an empty node, a 100m/200Mi pod on 2 CPU / 4Gi.
    let empty = info(node("n", json!({})), &[]);
    let nz = resources::pod_requests(&pod("p", json!({})), true);
    // cpu (2000-100)*100/2000 = 95, memory (4096-200)*100/4096 = 95 -> 95
    assert_eq!(scores::least_allocated(&nz, &empty), 95);
    // BalancedAllocation: 1 CPU and 1Gi on 2 CPU / 4Gi: fractions .5 and .25, std .125 -> 87.
    let req = resources::pod_requests(
        &pod(
            "p",
            json!({"spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": "1", "memory": "1Gi"}}}]}}),
        ),
        false,
    );
    assert_eq!(scores::balanced_allocation(&req, &empty), 87);

    // ImageLocality: a 500 MB image on 1 of 2 nodes for a one-container pod.
    let mut with_image = info(node("n", json!({})), &[]);
    with_image.images.insert("nginx:latest".into(), ImageState { size: 500 * 1024 * 1024, num_nodes: 1 });
    // 250 MB scaled: (250-23)*100/(1000-23) = 23
    assert_eq!(scores::image_locality(&pod("p", json!({})), &with_image, 2), 23);
    assert_eq!(scores::image_locality(&pod("p", json!({})), &empty, 2), 0);
}

#[test]
fn inter_pod_affinity_and_spread_scores_prefer_the_right_nodes() {
    let web = pod("web", json!({"metadata": {"labels": {"app": "web"}}, "spec": {"nodeName": "worker-1"}}));
    let snap = snapshot(default_cluster(), &[web]);
    let p = pod(
        "p",
        json!({"metadata": {"labels": {"app": "web"}}, "spec": {"affinity": {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
        {"weight": 100, "podAffinityTerm": {"labelSelector": {"matchLabels": {"app": "web"}}, "topologyKey": "kubernetes.io/hostname"}}]}}}}),
    );
    let d = run(&snap, &p);
    assert_eq!(d.node.as_deref(), Some("worker-2"));
    let w2 = d.per_node.iter().find(|v| &*v.node == "worker-2").unwrap();
    assert!(w2.scores.contains(&("InterPodAffinity", 100)), "{:?}", w2.scores);

    // Default spreading (a Service selects app=web): worker-2 has none of them yet.
    let sel = crate::apiserver::selectors::LabelSelector::parse("app=web").unwrap();
    let q = pod("q", json!({"metadata": {"labels": {"app": "web"}}}));
    let d = schedule(
        &snap,
        &PodToSchedule { pod: &q, default_spread_selector: Some(&sel) },
        &Profile::default(),
        &mut Cursor::default(),
        &mut Rng::new(0),
    );
    let spread = |n: &str| {
        d.per_node.iter().find(|v| &*v.node == n).unwrap().scores.iter().find(|s| s.0 == "PodTopologySpread").unwrap().1
    };
    // worker-1: round(1 * ln(4) + 2) = 3, worker-2: 2; normalised 100 * (3 + 2 - s) / 3.
    assert_eq!((spread("worker-1"), spread("worker-2")), (66, 100));
    assert_eq!(d.node.as_deref(), Some("worker-2"));
}

#[test]
fn percentage_of_nodes_to_score() {
    assert_eq!(num_feasible_nodes_to_find(0, 5), 5);
    assert_eq!(num_feasible_nodes_to_find(0, 99), 99);
    assert_eq!(num_feasible_nodes_to_find(0, 100), 100);
    assert_eq!(num_feasible_nodes_to_find(0, 1000), 420); // 50 - 8 = 42 %
    assert_eq!(num_feasible_nodes_to_find(0, 5000), 500); // 50 - 40 = 10 %
    assert_eq!(num_feasible_nodes_to_find(0, 6000), 300); // 50 - 48 = 2 % -> 5 %
    assert_eq!(num_feasible_nodes_to_find(0, 150), 100); // 48 % of 150 = 72 -> at least 100
    assert_eq!(num_feasible_nodes_to_find(30, 1000), 300);
}

#[test]
fn round_robin_start_moves_past_the_nodes_looked_at() {
    let nodes: Vec<Node> = (0..200).map(|i| node(&format!("n{i:03}"), json!({}))).collect();
    let snap = snapshot(nodes, &[]);
    let mut cursor = Cursor::default();
    let p = pod("p", json!({}));
    let d = schedule(
        &snap,
        &PodToSchedule { pod: &p, default_spread_selector: None },
        &Profile::default(),
        &mut cursor,
        &mut Rng::new(0),
    );
    // 200 nodes: 48 % = 96 -> 100 feasible wanted, the first 100 nodes are looked at.
    assert_eq!((d.evaluated_nodes, d.feasible_nodes, cursor.next_start_node_index), (100, 100, 100));
    assert_eq!(&*d.per_node[0].node, "n000");
    let d = schedule(
        &snap,
        &PodToSchedule { pod: &p, default_spread_selector: None },
        &Profile::default(),
        &mut cursor,
        &mut Rng::new(0),
    );
    assert_eq!(&*d.per_node[0].node, "n100");
    assert_eq!(cursor.next_start_node_index, 0);
}

#[test]
fn ties_are_broken_by_reservoir_sampling() {
    let mut rng = Rng::new(1);
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..50 {
        seen.insert(select_host(&[(0, 10), (1, 30), (2, 30), (3, 30)], &mut rng).unwrap());
    }
    assert_eq!(seen.into_iter().collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(select_host(&[(4, 1)], &mut rng), Some(4));
    assert_eq!(select_host(&[], &mut rng), None);
}

#[test]
fn histogram_sorts_as_go_sorts_strings() {
    let counts = [("Insufficient cpu".to_string(), 10), ("node(s) were unschedulable".to_string(), 2)].into();
    assert_eq!(histogram(&counts), ["10 Insufficient cpu", "2 node(s) were unschedulable"]);
}

#[test]
fn fit_error_message_layout() {
    let st = |plugin: &str, reason: &str| Status::new(plugin, Code::UnschedulableAndUnresolvable, reason);
    let fit = FitError {
        num_all_nodes: 3,
        pre_filter_msg: String::new(),
        node_statuses: vec![
            ("a".into(), st("NodeResourcesFit", "Insufficient cpu")),
            (
                "b".into(),
                Status {
                    plugin: "NodeResourcesFit".into(),
                    code: Code::Unschedulable,
                    reasons: vec!["Insufficient cpu".into(), "Insufficient memory".into()],
                },
            ),
        ],
        absent_status: Some(st("NodeAffinity", "node(s) didn't satisfy plugin(s) [NodeAffinity]")),
    };
    assert_eq!(
        fit.message("x"),
        "0/3 nodes are available: 1 Insufficient memory, 1 node(s) didn't satisfy plugin(s) [NodeAffinity], 2 Insufficient cpu. x"
    );
    let pre = FitError {
        num_all_nodes: 2,
        pre_filter_msg: "pod affinity terms conflict".into(),
        node_statuses: vec![],
        absent_status: None,
    };
    assert_eq!(pre.message(""), "0/2 nodes are available: pod affinity terms conflict.");
}

const NOT_HELPFUL_5: &str =
    "no new claims to deallocate, preemption: 0/5 nodes are available: 5 Preemption is not helpful for scheduling.";

#[test]
fn failed_scheduling_messages_of_the_default_cluster() {
    let snap = snapshot(default_cluster(), &[]);
    let nowhere = pod("p", json!({"spec": {"nodeSelector": {"disktype": "ssd"}}}));
    assert_eq!(
        run(&snap, &nowhere).message,
        format!("0/5 nodes are available: 2 node(s) didn't match Pod's node affinity/selector, 3 node(s) had untolerated taint {{node-role.kubernetes.io/control-plane: }}. {NOT_HELPFUL_5}")
    );
    let huge = pod("p", json!({"spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": "1500m"}}}]}}));
    let busy = |n: &str| {
        pod(
            &format!("busy-{n}"),
            json!({"spec": {"nodeName": n, "containers": [{"name": "c", "resources": {"requests": {"cpu": "1"}}}]}}),
        )
    };
    let snap = snapshot(default_cluster(), &[busy("worker-1"), busy("worker-2")]);
    let d = run(&snap, &huge);
    assert_eq!(
        d.message,
        "0/5 nodes are available: 2 Insufficient cpu, 3 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. \
         no new claims to deallocate, preemption: 0/5 nodes are available: 2 No preemption victims found for incoming pod, \
         3 Preemption is not helpful for scheduling."
    );
    assert_eq!(d.per_node.len(), 5);
    assert_eq!(d.per_node[3].filter_failed, Some(("NodeResourcesFit".to_string(), "Insufficient cpu".to_string())));
    // Lower-priority pods that could make room: the real scheduler preempts them; the message ends there.
    let important = pod(
        "p",
        json!({"spec": {"priority": 1000, "containers": [{"name": "c", "resources": {"requests": {"cpu": "1500m"}}}]}}),
    );
    let d = run(&snap, &important);
    assert!(d.preemption_would_help);
    assert_eq!(
        d.message,
        "0/5 nodes are available: 2 Insufficient cpu, 3 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }."
    );
    // Even an empty node would be too small: preemption is not helpful there.
    let giant = pod(
        "p",
        json!({"spec": {"priority": 1000, "containers": [{"name": "c", "resources": {"requests": {"cpu": "8"}}}]}}),
    );
    assert!(run(&snap, &giant).message.ends_with(NOT_HELPFUL_5));
    let never = pod("p", json!({"spec": {"preemptionPolicy": "Never", "nodeSelector": {"x": "y"}}}));
    assert!(run(&snap, &never)
        .message
        .ends_with(". no new claims to deallocate, preemption: not eligible due to preemptionPolicy=Never."));
}

#[test]
fn daemonset_style_pods_only_look_at_their_node() {
    let snap = snapshot(default_cluster(), &[]);
    let pinned = pod(
        "ds",
        json!({"spec": {"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["control-plane-1"]}]}]}}}}}),
    );
    let d = run(&snap, &pinned);
    assert_eq!(d.evaluated_nodes, 1);
    assert_eq!(
        d.message,
        format!("0/5 nodes are available: 1 node(s) had untolerated taint {{node-role.kubernetes.io/control-plane: }}, 4 node(s) didn't satisfy plugin(s) [NodeAffinity]. {NOT_HELPFUL_5}")
    );
}

#[test]
fn one_feasible_node_is_taken_without_scoring() {
    let snap = snapshot(default_cluster(), &[]);
    let p = pod("p", json!({"spec": {"nodeSelector": {"kubernetes.io/hostname": "worker-2"}}}));
    let d = run(&snap, &p);
    assert_eq!(d.node.as_deref(), Some("worker-2"));
    assert_eq!(d.message, "Successfully assigned default/p to worker-2");
    assert!(d.per_node.iter().all(|v| v.scores.is_empty()));
    assert_eq!(d.feasible_nodes, 1);
}

#[test]
fn least_allocated_spreads_pods_over_the_workers() {
    let busy = pod(
        "busy",
        json!({"spec": {"nodeName": "worker-1", "containers": [{"name": "c", "resources": {"requests": {"cpu": "500m", "memory": "512Mi"}}}]}}),
    );
    let snap = snapshot(default_cluster(), &[busy]);
    let d = run(&snap, &pod("p", json!({})));
    assert_eq!(d.node.as_deref(), Some("worker-2"));
    let w = |n: &str| d.per_node.iter().find(|v| &*v.node == n).unwrap().clone();
    assert!(w("worker-2").total > w("worker-1").total);
    assert_eq!(w("worker-2").scores[0], ("TaintToleration", 100));
    // Best-effort pod: BalancedAllocation skips.
    assert!(!w("worker-2").scores.iter().any(|s| s.0 == "NodeResourcesBalancedAllocation"));
    assert!(serde_json::to_string(&d).unwrap().contains("\"per_node\""));
}
