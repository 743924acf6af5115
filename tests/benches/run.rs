//! Scheduler and kubelet at scale (prints figures; not a timed test): `NODES` nodes (default 5,000) join, then
//! `PODS` pods (default 150,000) are created, scheduled, pulled, started and brought to Running in simulated
//! time. Run with `cargo bench -p tests --bench run` (`NODES=… PODS=…` to change the sizes).

use std::time::Instant;

use engine::apiserver::{Request, Verb};
use engine::topology::NodeRole;
use engine::{Cluster, Kind, Object};

fn main() {
    let nodes: usize = std::env::var("NODES").ok().and_then(|v| v.parse().ok()).unwrap_or(5_000);
    let pods: usize = std::env::var("PODS").ok().and_then(|v| v.parse().ok()).unwrap_or(150_000);
    let mut cluster = Cluster::new(0);
    let t = Instant::now();
    cluster.add_nodes(NodeRole::Worker, nodes.saturating_sub(5)).expect("nodes");
    println!("{nodes} nodes joined: {:.2} s", t.elapsed().as_secs_f64());

    let t = Instant::now();
    for i in 0..pods {
        let pod = serde_json::json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": format!("web-{i}"), "labels": {"app": "web"}},
            "spec": {"containers": [{"name": "app", "image": "registry.k8s.io/pause:3.10.1",
                "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}}}]}
        });
        cluster
            .handle("bench", Request::new(Verb::Create, Kind::Pod).namespace("default").body(pod))
            .object()
            .expect("pod");
    }
    println!("{pods} pods created: {:.2} s", t.elapsed().as_secs_f64());

    let t = Instant::now();
    cluster.settle();
    let scheduled = count(&cluster, |p| p.spec.as_ref().and_then(|s| s.node_name.as_ref()).is_some());
    let secs = t.elapsed().as_secs_f64();
    println!(
        "scheduled {scheduled} pods: {secs:.2} s ({:.0} pods/s), kubelets admitted them in the same pass",
        scheduled as f64 / secs
    );

    let t = Instant::now();
    let start = cluster.now();
    let mut running = 0;
    while running < pods && cluster.now() - start < 600_000 {
        cluster.step(1_000);
        running = count(&cluster, |p| p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running"));
    }
    println!(
        "{running} pods Running after {:.0} s of simulated time: {:.2} s wall",
        (cluster.now() - start) as f64 / 1000.0,
        t.elapsed().as_secs_f64()
    );
}

fn count(cluster: &Cluster, f: impl Fn(&engine::api::api::core::v1::Pod) -> bool) -> usize {
    cluster
        .store()
        .list(Kind::Pod, Some("default"))
        .filter(|o| match o {
            Object::Pod(p) => f(p),
            _ => false,
        })
        .count()
}
