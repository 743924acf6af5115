//! The network as data: the hops of one cross-node request and of one DNS search walk (snapshot-checked in
//! `traces/*.txt`), and invariants over a run of Services and pods coming and going — ClusterIPs unique, every
//! Endpoints address a ready pod the Service selects, every EndpointSlice endpoint a pod it selects.

use std::collections::BTreeSet;
use std::path::Path;

use engine::network::{Trace, TraceKind};
use engine::{Kind, Object};
use playground::Playground;

const SETUP: &str = "kubectl create deployment web --image=nginx --replicas=2
kubectl expose deployment web --port=80
kubectl run client --image=busybox --restart=Never -- sleep 3600
sleep 30
";

fn render(t: &Trace) -> String {
    let what = match &t.kind {
        TraceKind::Connect { host, port } => format!("connect {host}:{port}"),
        TraceKind::Lookup { name } => format!("lookup {name}"),
    };
    let mut out = format!("#{} at {} ms: {} from {} → {}\n", t.seq, t.at_ms, what, t.client, t.outcome);
    for (i, h) in t.hops.iter().enumerate() {
        out.push_str(&format!("  {}. {}\n", i + 1, h.describe()));
    }
    out
}

fn traces_after(p: &mut Playground, command: &str) -> String {
    let before = p.cluster().traces().len();
    p.exec(command).expect("script line");
    p.cluster().traces()[before..].iter().map(render).collect()
}

#[test]
fn traces_of_a_request_and_a_search_walk() {
    let mut p = Playground::new(0);
    p.exec(SETUP).expect("setup");
    let client_node = match p.cluster().get(Kind::Pod, "default", "client") {
        Ok(Object::Pod(pod)) => pod.spec.as_ref().and_then(|s| s.node_name.clone()).unwrap_or_default(),
        _ => panic!("client pod"),
    };
    let mut request = traces_after(&mut p, "kubectl exec client -- wget -qO- -T 2 http://web");
    assert!(request.contains("KUBE-SVC-"), "{request}");
    // And straight to the web pod on another node than the client's: across flannel.1.
    let remote = p.cluster().store().list(Kind::Pod, Some("default")).find_map(|o| match o {
        Object::Pod(pod)
            if pod.metadata.name.as_deref().is_some_and(|n| n.starts_with("web-"))
                && pod.spec.as_ref().and_then(|s| s.node_name.as_deref()) != Some(client_node.as_str()) =>
        {
            pod.status.as_ref().and_then(|s| s.pod_ip.clone())
        }
        _ => None,
    });
    let remote = remote.expect("a web pod on another node than the client's");
    request += &traces_after(&mut p, &format!("kubectl exec client -- wget -qO- -T 2 http://{remote}"));
    assert!(request.contains("VXLAN"), "{request}");
    let walk = traces_after(&mut p, "kubectl exec client -- nslookup kubernetes.default");
    assert!(walk.contains("search domain default.svc.cluster.local"), "{walk}");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("traces");
    let mut failures = Vec::new();
    let text = format!("client runs on {client_node}\n{request}");
    failures.extend(tests::check_snapshot(&dir.join("request.txt"), &text));
    failures.extend(tests::check_snapshot(&dir.join("search-walk.txt"), &walk));
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Traffic policies in the traces: `KUBE-SVL-` for internalTrafficPolicy Local and its DROP on a node without
/// an endpoint, `KUBE-EXT-` → `KUBE-SVL-` keeping the client's address for externalTrafficPolicy Local, and the
/// masquerade of a node's own traffic.
#[test]
fn traces_of_traffic_policies() {
    let script = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/trafficpolicy.sh"))
        .expect("trafficpolicy.sh");
    let setup = &script[..script.find("sleep 30\n").expect("setup") + 9];
    let mut p = Playground::new(0);
    p.exec(setup).expect("setup");
    let mut text = traces_after(&mut p, "kubectl exec near -- wget -qO- -T 2 http://web-local/");
    text += &traces_after(&mut p, "kubectl exec far -- wget -qO- -T 2 http://web-local/");
    text += &traces_after(&mut p, "minikube ssh -n worker-2 -- curl -s -m 2 http://192.168.49.5:30080/");
    text += &traces_after(&mut p, "minikube ssh -n worker-1 -- curl -s -m 2 http://192.168.49.6:30080/");
    text += &traces_after(&mut p, "minikube ssh -n worker-2 -- curl -s -m 2 http://192.168.49.6:30080/");
    text += &traces_after(&mut p, "kubectl exec far -- wget -qO- -T 2 http://192.168.49.6:30080/");
    assert!(text.contains("KUBE-SVL-") && text.contains("has no local endpoints"), "{text}");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("traces");
    if let Some(failure) = tests::check_snapshot(&dir.join("traffic-policy.txt"), &text) {
        panic!("{failure}");
    }
}

/// Leaving the cluster: a pod's request to example.com crosses the bridge, is masqueraded to its node's address
/// by Flannel's rule and goes out through the node's gateway; from a node itself there is no masquerade; a
/// port nothing listens on out there times out.
#[test]
fn traces_to_the_internet() {
    let mut p = Playground::new(0);
    p.exec(SETUP).expect("setup");
    let mut text = traces_after(&mut p, "kubectl exec client -- wget -qO- -T 2 http://example.com");
    text += &traces_after(&mut p, "minikube ssh -n worker-1 -- curl -sI http://example.com");
    text += &traces_after(&mut p, "kubectl exec client -- nc -z -w 2 example.com 22");
    assert!(text.contains("masquerade") && text.contains("for example.com (93.184.215.14:80)"), "{text}");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("traces");
    if let Some(failure) = tests::check_snapshot(&dir.join("internet.txt"), &text) {
        panic!("{failure}");
    }
}

#[test]
fn endpoints_hold_only_ready_selected_pods_and_cluster_ips_are_unique() {
    let mut p = Playground::new(3);
    let steps = [
        "kubectl create deployment a --image=nginx --replicas=3",
        "kubectl expose deployment a --port=80",
        "kubectl create deployment b --image=nginx:no-such-tag --replicas=2",
        "kubectl expose deployment b --port=8080 --target-port=80",
        "sleep 20",
        "kubectl scale deployment a --replicas=1",
        "kubectl create service nodeport c --tcp=80:80",
        "sleep 5",
        "kubectl delete pod -l app=a --wait=false",
        "sleep 40",
        "kubectl scale deployment a --replicas=4",
        "sleep 30",
    ];
    for step in steps {
        p.exec(step).expect("script line");
        let c = p.cluster();
        let mut ips = BTreeSet::new();
        for o in c.store().list(Kind::Service, None) {
            let Object::Service(s) = o else { continue };
            if let Some(ip) = s.spec.as_ref().and_then(|s| s.cluster_ip.clone()).filter(|ip| ip != "None") {
                assert!(ips.insert(ip.clone()), "ClusterIP {ip} given twice (after {step})");
            }
        }
        for o in c.store().list(Kind::Endpoints, None) {
            let Object::Endpoints(ep) = o else { continue };
            for s in ep.subsets.iter().flatten() {
                for a in s.addresses.iter().flatten() {
                    let pod = a.target_ref.as_ref().and_then(|r| r.name.clone());
                    let Some(Ok(Object::Pod(pod))) = pod.map(|n| c.get(Kind::Pod, o.namespace(), &n)) else {
                        continue; // the kubernetes Endpoints list API servers, not pods
                    };
                    let ready = pod
                        .status
                        .as_ref()
                        .and_then(|s| s.conditions.as_ref())
                        .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True"));
                    assert!(ready && pod.metadata.deletion_timestamp.is_none(), "{} is not ready (after {step})", a.ip);
                    assert_eq!(pod.status.as_ref().and_then(|s| s.pod_ip.clone()).as_deref(), Some(a.ip.as_str()));
                }
            }
        }
        for o in c.store().list(Kind::EndpointSlice, None) {
            let Object::EndpointSlice(s) = o else { continue };
            for e in &s.endpoints {
                let Some(name) = e.target_ref.as_ref().and_then(|r| r.name.clone()) else { continue };
                assert!(c.get(Kind::Pod, o.namespace(), &name).is_ok(), "slice names a pod that is gone: {name}");
            }
        }
    }
}
