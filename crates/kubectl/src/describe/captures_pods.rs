//! Pods and nodes compared byte for byte with real kubectl's output (`testdata/`, captured from
//! kubectl v1.32.4 against a v1.34 API server). Objects come from the JSON that server returned, with
//! every timestamp shifted by the same amount to the run the capture is from, or are rebuilt from what
//! the capture shows; events are rebuilt from their ages.

use serde_json::{json, Value};

use engine::Object;

use super::testutil::{ago, event, now_at, object, shift_times, Objects};
use super::{describe, describe_many};

/// kubectl v1.33 added `Optional:` to a projected volume's config map source (kubernetes#129457); the
/// captures are from v1.32, which printed `ConfigMapOptional: <nil>` there.
fn as_v134(capture: &str) -> String {
    let old = "    ConfigMapOptional:       <nil>\n";
    assert!(capture.contains(old), "capture has the v1.32 projected volume line");
    capture.replace(old, "    Optional:                false\n")
}

fn sample(json: &str, shift: i64) -> Value {
    let mut v: Value = serde_json::from_str(json).expect("sample JSON parses");
    shift_times(&mut v, shift);
    v
}

fn pod_event(
    pod: (&str, &str),
    n: u32,
    type_: &str,
    reason: &str,
    msg: &str,
    from: &str,
    times: (&str, &str, i32),
) -> Object {
    let name = format!("{}.{n:02}", pod.0);
    event(&name, ("Pod", "default", pod.0, pod.1), type_, reason, msg, from, times.0, times.1, times.2)
}

#[test]
fn running_pod() {
    let pod = object(sample(include_str!("testdata/obj-web-7d9f8c6b5-x2x8k.json"), -297));
    let now = "2026-11-27T06:08:17Z";
    let p = ("web-7d9f8c6b5-x2x8k", "331f25de-b675-4a83-bf44-06bda7bce76b");
    let (start, pulled) = ("2026-11-27T05:55:53Z", "2026-11-27T05:55:58Z");
    let mut objects = vec![pod.clone()];
    let pulled_msg =
        "Successfully pulled image \"nginx:1.27\" in 5.189s (5.189s including waiting). Image size: 72195292 bytes.";
    for (n, reason, msg, from, at) in [
        (1, "Scheduled", "Successfully assigned default/web-7d9f8c6b5-x2x8k to worker-1", "default-scheduler", start),
        (2, "Pulling", "Pulling image \"nginx:1.27\"", "kubelet", start),
        (3, "Pulled", pulled_msg, "kubelet", pulled),
        (4, "Created", "Created container: nginx", "kubelet", pulled),
        (5, "Started", "Started container nginx", "kubelet", pulled),
    ] {
        objects.push(pod_event(p, n, "Normal", reason, msg, from, (at, at, 1)));
    }
    let out = describe(&pod, &Objects(objects), now_at(now));
    assert_eq!(out, as_v134(include_str!("testdata/01-describe-pod-running.txt")));
}

fn crashloop_events(now: &str) -> Vec<Object> {
    let p = ("api-5f6d8b7c4-m9k2p", "9de3cfdd-c8a9-4e26-81f3-17abf26d1dc2");
    let t = |first: i64, last: i64, count: i32| (ago(now, first), ago(now, last), count);
    let rows = [
        ("Normal", "Scheduled", "Successfully assigned default/api-5f6d8b7c4-m9k2p to worker-1", "default-scheduler", t(190, 190, 1)),
        ("Normal", "Pulling", "Pulling image \"busybox:1.36\"", "kubelet", t(189, 189, 1)),
        (
            "Normal",
            "Pulled",
            "Successfully pulled image \"busybox:1.36\" in 1.873s (1.873s including waiting). Image size: 2152262 bytes.",
            "kubelet",
            t(187, 187, 1),
        ),
        ("Normal", "Created", "Created container: api", "kubelet", t(187, 64, 5)),
        ("Normal", "Started", "Started container api", "kubelet", t(187, 64, 5)),
        ("Normal", "Pulled", "Container image \"busybox:1.36\" already present on machine", "kubelet", t(170, 64, 4)),
        (
            "Warning",
            "BackOff",
            "Back-off restarting failed container api in pod api-5f6d8b7c4-m9k2p_default(9de3cfdd-c8a9-4e26-81f3-17abf26d1dc2)",
            "kubelet",
            t(178, 8, 13),
        ),
    ];
    rows.into_iter()
        .enumerate()
        .map(|(i, (type_, reason, msg, from, (first, last, count)))| {
            pod_event(p, i as u32, type_, reason, msg, from, (&first, &last, count))
        })
        .collect()
}

#[test]
fn crash_looping_pod() {
    let pod = object(sample(include_str!("testdata/obj-api-5f6d8b7c4-m9k2p.json"), -296));
    let now = "2026-11-27T06:08:16Z";
    let mut objects = crashloop_events(now);
    objects.push(pod.clone());
    let out = describe(&pod, &Objects(objects), now_at(now));
    assert_eq!(out, as_v134(include_str!("testdata/02-describe-pod-crashloop.txt")));
}

#[test]
fn pods_by_label_is_the_same_layout_for_one_match() {
    let pod = object(sample(include_str!("testdata/obj-api-5f6d8b7c4-m9k2p.json"), -278));
    let now = "2026-11-27T06:08:34Z";
    let out = describe_many(std::slice::from_ref(&pod), &Objects(crashloop_events(now)), now_at(now));
    assert_eq!(out, as_v134(include_str!("testdata/05-describe-pods-by-label.txt")));
}

#[test]
fn liveness_probe_pod_with_the_servers_events() {
    // The real event list kubectl was served, shifted like the pod.
    let pod = object(sample(include_str!("testdata/obj-liveness-exec.json"), -295));
    let list = sample(include_str!("testdata/events-for-pod.json"), -295);
    let mut objects: Vec<Object> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| {
            let mut e = e.clone();
            e["kind"] = json!("Event");
            object(e)
        })
        .collect();
    objects.push(pod.clone());
    let out = describe(&pod, &Objects(objects), now_at("2026-11-27T06:08:17Z"));
    assert_eq!(out, as_v134(include_str!("testdata/02-describe-pod-liveness.txt")));
}

#[test]
fn several_objects_are_separated_by_two_blank_lines() {
    let a = object(json!({"kind": "Secret", "apiVersion": "v1", "metadata": {"name": "a", "namespace": "default"}}));
    let b = object(json!({"kind": "Secret", "apiVersion": "v1", "metadata": {"name": "b", "namespace": "default"}}));
    let out = describe_many(&[a.clone(), b.clone()], &Objects::default(), 0);
    let one = describe(&a, &Objects::default(), 0);
    assert_eq!(out, format!("{one}\n\n{}", describe(&b, &Objects::default(), 0)));
    assert!(out.contains("Data\n====\n\n\nName:         b\n"));
}

/// A pod on `node` with the given requests and limits, created `age` seconds before `now`.
fn node_pod(ns: &str, name: &str, node: &str, now: &str, age: i64, requests: Value, limits: Value) -> Object {
    object(json!({
        "kind": "Pod", "apiVersion": "v1",
        "metadata": {"name": name, "namespace": ns, "creationTimestamp": ago(now, age)},
        "spec": {"nodeName": node, "containers": [{"name": "c", "image": "x", "resources": {"requests": requests, "limits": limits}}]},
        "status": {"phase": "Running"},
    }))
}

fn lease(node: &str, renew: &str) -> Object {
    object(json!({
        "kind": "Lease", "apiVersion": "coordination.k8s.io/v1",
        "metadata": {"name": node, "namespace": "kube-node-lease"},
        "spec": {"holderIdentity": node, "leaseDurationSeconds": 40, "renewTime": renew.replace('Z', ".000000Z")},
    }))
}

#[test]
fn not_ready_node_with_pods_lease_and_events() {
    let node = object(sample(include_str!("testdata/obj-node-worker-2.json"), -292));
    let now = "2026-11-27T06:08:20Z";
    let (d, h) = (86_400, 3_600);
    let uid = "29ca784f-3fb3-4851-8e20-ed55373bfb99";
    let objects = vec![
        node.clone(),
        lease("worker-2", "2026-11-27T06:03:30Z"),
        node_pod(
            "default",
            "log-shipper-5c6b7d8f9-qx4zt",
            "worker-2",
            now,
            3 * d + 60,
            json!({"cpu": "50m", "memory": "100Mi"}),
            json!({"memory": "200Mi"}),
        ),
        node_pod(
            "kube-system",
            "kindnet-r7v4t",
            "worker-2",
            now,
            41 * d + h,
            json!({"cpu": "100m", "memory": "50Mi"}),
            json!({"cpu": "100m", "memory": "50Mi"}),
        ),
        node_pod("kube-system", "kube-proxy-9wq8d", "worker-2", now, 41 * d + h, json!({}), json!({})),
        // A pod elsewhere and a finished pod here are not counted.
        node_pod("default", "elsewhere", "worker-1", now, 60, json!({"cpu": "1"}), json!({})),
        object(json!({"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "done", "namespace": "default"},
            "spec": {"nodeName": "worker-2", "containers": []}, "status": {"phase": "Succeeded"}})),
        // The kubelet records node events against the node's name, controllers against its uid.
        event(
            "worker-2.a",
            ("Node", "", "worker-2", "worker-2"),
            "Normal",
            "NodeHasSufficientMemory",
            "Node worker-2 status is now: NodeHasSufficientMemory",
            "kubelet",
            &ago(now, 41 * d + h),
            &ago(now, 45 * 60),
            3,
        ),
        event(
            "worker-2.b",
            ("Node", "", "worker-2", uid),
            "Normal",
            "NodeNotReady",
            "Node worker-2 status is now: NodeNotReady",
            "node-controller",
            &ago(now, 250),
            &ago(now, 250),
            1,
        ),
    ];
    let out = describe(&node, &Objects(objects), now_at(now));
    assert_eq!(out, include_str!("testdata/04-describe-node-worker-2.txt"));
}

#[test]
fn ready_node_sums_requests_and_limits() {
    let mut node = sample(include_str!("testdata/obj-node-worker-2.json"), 0);
    let cond = |type_: &str, status: &str, since: &str, reason: &str, message: &str| {
        json!({"type": type_, "status": status, "lastHeartbeatTime": "2026-11-27T06:07:46Z",
               "lastTransitionTime": since, "reason": reason, "message": message})
    };
    node["metadata"]["name"] = json!("worker-1");
    node["metadata"]["uid"] = json!("f26ba5fe-fe63-4897-9067-bfdc2a1d5905");
    node["metadata"]["creationTimestamp"] = json!("2026-10-17T03:08:21Z");
    node["metadata"]["labels"]["kubernetes.io/hostname"] = json!("worker-1");
    node["spec"] = json!({"podCIDR": "10.244.3.0/24", "podCIDRs": ["10.244.3.0/24"]});
    node["status"]["conditions"] = json!([
        cond(
            "MemoryPressure",
            "False",
            "2026-10-17T03:08:41Z",
            "KubeletHasSufficientMemory",
            "kubelet has sufficient memory available"
        ),
        cond(
            "DiskPressure",
            "False",
            "2026-10-17T03:08:41Z",
            "KubeletHasNoDiskPressure",
            "kubelet has no disk pressure"
        ),
        cond(
            "PIDPressure",
            "False",
            "2026-10-17T03:08:41Z",
            "KubeletHasSufficientPID",
            "kubelet has sufficient PID available"
        ),
        cond("Ready", "True", "2026-10-17T03:09:01Z", "KubeletReady", "kubelet is posting ready status"),
    ]);
    node["status"]["addresses"] =
        json!([{"type": "InternalIP", "address": "192.168.49.5"}, {"type": "Hostname", "address": "worker-1"}]);
    node["status"]["nodeInfo"]["machineID"] = json!("3753663e351a128eb714dfbe4c6b4f78");
    node["status"]["nodeInfo"]["systemUUID"] = json!("c5a7bcec-d6ad-4888-a154-e5e1da1ee107");
    node["status"]["nodeInfo"]["bootID"] = json!("b8d7005c-d611-4a40-9688-7cb7ae926862");
    let node = object(node);
    let now = "2026-11-27T06:08:20Z";
    let mut objects = vec![
        node.clone(),
        lease("worker-1", "2026-11-27T06:08:17Z"),
        node_pod(
            "default",
            "api-5f6d8b7c4-m9k2p",
            "worker-1",
            now,
            190,
            json!({"cpu": "100m", "memory": "64Mi"}),
            json!({"memory": "128Mi"}),
        ),
        node_pod(
            "default",
            "db-1",
            "worker-1",
            now,
            5 * 86_400 + 23 * 3_600 + 60,
            json!({"cpu": "250m", "memory": "256Mi"}),
            json!({"cpu": "500m", "memory": "512Mi"}),
        ),
    ];
    for suffix in ["8fzrn", "dx7wm", "kp5jq", "s2vxf", "x2x8k"] {
        objects.push(node_pod(
            "default",
            &format!("web-7d9f8c6b5-{suffix}"),
            "worker-1",
            now,
            747,
            json!({}),
            json!({}),
        ));
    }
    let out = describe(&node, &Objects(objects), now_at(now));
    assert_eq!(out, include_str!("testdata/04-describe-node-worker-1.txt"));
}

#[test]
fn a_node_without_lease_or_allocatable() {
    let node = object(json!({"kind": "Node", "apiVersion": "v1", "metadata": {"name": "bare"}}));
    let out = describe(&node, &Objects(vec![node.clone()]), 0);
    assert!(
        out.contains("Lease:              Failed to get lease: leases.coordination.k8s.io \"bare\" not found\n"),
        "{out}"
    );
    assert!(out.contains("Addresses:\nSystem Info:\n"), "{out}");
    assert!(out.ends_with("Events:              <none>\n"), "{out}");
}
