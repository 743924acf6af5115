//! Scale benchmark (prints figures; not a timed test): create many pods through the API, then list them as
//! `kubectl get pods -A` does. Run with `cargo bench -p tests --bench scale` (`PODS=N` to change the count).

use std::time::Instant;

use engine::apiserver::{Request, Verb};
use engine::{Cluster, Kind};

fn main() {
    let pods: usize = std::env::var("PODS").ok().and_then(|v| v.parse().ok()).unwrap_or(150_000);
    let namespaces = 100;
    let mut cluster = Cluster::new(0);
    let t = Instant::now();
    for n in 0..namespaces {
        let ns =
            serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": format!("team-{n}")}});
        cluster.handle("bench", Request::new(Verb::Create, Kind::Namespace).body(ns)).object().expect("namespace");
    }
    cluster.settle();
    for i in 0..pods {
        let ns = format!("team-{}", i % namespaces);
        let pod = serde_json::json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": format!("web-{i}"), "labels": {"app": "web", "shard": (i % 7).to_string()}},
            "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27", "ports": [{"containerPort": 80}]}]}
        });
        cluster.handle("bench", Request::new(Verb::Create, Kind::Pod).namespace(ns).body(pod)).object().expect("pod");
    }
    let create = t.elapsed();
    println!(
        "created {pods} pods in {namespaces} namespaces: {:.2} s ({:.1} µs per pod)",
        create.as_secs_f64(),
        create.as_micros() as f64 / pods as f64
    );

    let t = Instant::now();
    let listed = cluster.handle("bench", Request::new(Verb::List, Kind::Pod)).list().expect("list").len();
    println!("API list of {listed} pods (all namespaces): {:.0} ms", t.elapsed().as_secs_f64() * 1000.0);

    // The two phases of printing the table, as `kubectl get pods` runs them.
    let items = cluster.handle("bench", Request::new(Verb::List, Kind::Pod)).list().expect("list");
    let options = kubectl::printing::TableOptions {
        no_headers: false,
        show_labels: false,
        show_namespace: true,
        show_kind: false,
        label_columns: Vec::new(),
    };
    let t = Instant::now();
    let table = kubectl::printing::table(&items, cluster.now(), false, &options);
    println!("table cells for {} pods: {:.0} ms", table.rows() - 1, t.elapsed().as_secs_f64() * 1000.0);
    let t = Instant::now();
    let text = table.render();
    println!("table layout: {:.0} ms ({} bytes)", t.elapsed().as_secs_f64() * 1000.0, text.len());

    let args: Vec<String> = ["get", "pods", "-A"].iter().map(|s| s.to_string()).collect();
    let mut best = f64::MAX;
    let mut bytes = 0;
    for _ in 0..3 {
        let t = Instant::now();
        let out = kubectl::run(&mut cluster, &args, &kubectl::Io::none());
        best = best.min(t.elapsed().as_secs_f64());
        bytes = out.stdout.len();
    }
    println!("kubectl get pods -A over {pods} pods: {:.0} ms (best of 3), {bytes} bytes printed", best * 1000.0);

    for output in ["wide", "name"] {
        let args: Vec<String> = ["get", "pods", "-A", "-o", output].iter().map(|s| s.to_string()).collect();
        let mut best = f64::MAX;
        let mut bytes = 0;
        for _ in 0..3 {
            let t = Instant::now();
            let out = kubectl::run(&mut cluster, &args, &kubectl::Io::none());
            best = best.min(t.elapsed().as_secs_f64());
            bytes = out.stdout.len();
        }
        println!("kubectl get pods -A -o {output}: {:.0} ms (best of 3), {bytes} bytes printed", best * 1000.0);
    }

    let args: Vec<String> = ["get", "pods", "-n", "team-7", "-l", "shard=3"].iter().map(|s| s.to_string()).collect();
    let t = Instant::now();
    let out = kubectl::run(&mut cluster, &args, &kubectl::Io::none());
    println!(
        "kubectl get pods -n team-7 -l shard=3: {:.1} ms, {} rows",
        t.elapsed().as_secs_f64() * 1000.0,
        out.stdout.lines().count().saturating_sub(1)
    );

    scheduling_throughput(pods);
}

/// The scheduler's pure framework alone: `pods` pods placed one after another on 5,000 nodes (each pod
/// assumed on its node before the next cycle, as the scheduler cache does).
fn scheduling_throughput(pods: usize) {
    use std::sync::Arc;

    use engine::api::api::core::v1::{Node, Pod};
    use engine::scheduler::{schedule, Cursor, PodToSchedule, Profile, Snapshot};

    let nodes: usize = std::env::var("NODES").ok().and_then(|v| v.parse().ok()).unwrap_or(5_000);
    let node_list: Vec<Arc<Node>> = (0..nodes)
        .map(|i| {
            let name = format!("node-{i:05}");
            Arc::new(
                serde_json::from_value(serde_json::json!({
                    "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}},
                    "status": {"allocatable": {"cpu": "16", "memory": "64Gi", "pods": "110"}}
                }))
                .expect("node"),
            )
        })
        .collect();
    let template: Pod = serde_json::from_value(serde_json::json!({
        "metadata": {"namespace": "default", "labels": {"app": "web"}},
        "spec": {"containers": [{"name": "c", "image": "nginx:1.27",
                 "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}}}]}
    }))
    .expect("pod");
    let mut snapshot = Snapshot::new(node_list, std::iter::empty());
    let mut cursor = Cursor::default();
    let mut rng = engine::rng::Rng::new(0);
    let profile = Profile::default();
    let t = Instant::now();
    let mut bound = 0;
    for i in 0..pods {
        let mut pod = template.clone();
        pod.metadata.name = Some(format!("web-{i}"));
        pod.metadata.uid = Some(format!("uid-{i}"));
        let input = PodToSchedule { pod: &pod, default_spread_selector: None };
        let decision = schedule(&snapshot, &input, &profile, &mut cursor, &mut rng);
        if let Some(node) = decision.node.as_deref().and_then(|n| snapshot.node_index(n)) {
            snapshot.assume(node, &pod);
            bound += 1;
        }
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "scheduler framework: {bound}/{pods} pods on {nodes} nodes in {secs:.2} s ({:.0} pods/s)",
        pods as f64 / secs
    );
}
