//! The eviction subresource against the disruption controller's status.

use serde_json::{json, Value};

use crate::apiserver::{Request, RequestOptions, Verb};
use crate::object::{Kind, Object};
use crate::Cluster;

fn create(c: &mut Cluster, kind: Kind, body: Value) {
    let res = c.handle("test", Request::new(Verb::Create, kind).namespace("default").body(body));
    res.result.expect("created");
    c.settle();
}

fn web(c: &mut Cluster, replicas: i32) {
    create(
        c,
        Kind::Deployment,
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
                "template": {"metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]}}}}),
    );
}

fn pdb(c: &mut Cluster, name: &str, spec: Value) {
    create(
        c,
        Kind::PodDisruptionBudget,
        json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
        "metadata": {"name": name}, "spec": spec}),
    );
}

fn status(c: &Cluster, name: &str) -> Value {
    c.get(Kind::PodDisruptionBudget, "default", name).unwrap().to_json()["status"].clone()
}

fn live_pods(c: &Cluster) -> Vec<String> {
    c.store()
        .list(Kind::Pod, Some("default"))
        .filter(|o| o.metadata().deletion_timestamp.is_none())
        .map(|o| o.name().to_string())
        .collect()
}

#[test]
fn the_controller_fills_the_status() {
    let mut c = Cluster::new(1);
    web(&mut c, 3);
    pdb(&mut c, "web-pdb", json!({"minAvailable": 2, "selector": {"matchLabels": {"app": "web"}}}));
    // Not ready yet: nothing may be disrupted.
    let s = status(&c, "web-pdb");
    assert_eq!(
        (s["expectedPods"].clone(), s["currentHealthy"].clone(), s["disruptionsAllowed"].clone()),
        (json!(3), json!(0), json!(0))
    );
    assert_eq!(s["conditions"][0]["reason"], "InsufficientPods");
    c.step(30_000);
    let s = status(&c, "web-pdb");
    assert_eq!(s["currentHealthy"], 3);
    assert_eq!(s["desiredHealthy"], 2);
    assert_eq!(s["disruptionsAllowed"], 1);
    assert_eq!(s["observedGeneration"], 1);
    assert_eq!(s["conditions"][0]["type"], "DisruptionAllowed");
    assert_eq!(s["conditions"][0]["status"], "True");
    assert_eq!(s["conditions"][0]["reason"], "SufficientPods");
    // A percentage of the Deployment's scale, rounded up.
    pdb(&mut c, "half", json!({"maxUnavailable": "50%", "selector": {"matchLabels": {"app": "web"}}}));
    let s = status(&c, "half");
    assert_eq!(
        (s["expectedPods"].clone(), s["desiredHealthy"].clone(), s["disruptionsAllowed"].clone()),
        (json!(3), json!(1), json!(2))
    );
}

#[test]
fn evictions_use_up_the_budget_then_are_refused() {
    let mut c = Cluster::new(2);
    web(&mut c, 3);
    pdb(&mut c, "web-pdb", json!({"minAvailable": 2, "selector": {"matchLabels": {"app": "web"}}}));
    c.step(30_000);
    let pods = live_pods(&c);
    c.evict("test", "default", &pods[0], &RequestOptions::default()).unwrap();
    let evicted = c.get(Kind::Pod, "default", &pods[0]).unwrap().to_json();
    assert!(evicted["metadata"]["deletionTimestamp"].is_string());
    let conds = evicted["status"]["conditions"].as_array().unwrap();
    let target = conds.iter().find(|c| c["type"] == "DisruptionTarget").unwrap();
    assert_eq!(
        (target["reason"].as_str(), target["message"].as_str()),
        (Some("EvictionByEvictionAPI"), Some("Eviction API: evicting"))
    );
    c.settle();
    assert_eq!(status(&c, "web-pdb")["disruptionsAllowed"], 0);
    let e = c.evict("test", "default", &pods[1], &RequestOptions::default()).unwrap_err();
    assert_eq!((e.code, e.reason, e.message.as_str()), (429, "TooManyRequests", super::VIOLATES_BUDGET));
    assert_eq!(e.causes[0].reason, "DisruptionBudget");
    assert_eq!(e.causes[0].message, "The disruption budget web-pdb needs 2 healthy pods and has 2 currently");
    // The replacement becomes ready: one disruption allowed again.
    c.step(40_000);
    assert_eq!(status(&c, "web-pdb")["disruptionsAllowed"], 1);
    assert!(status(&c, "web-pdb").get("disruptedPods").is_none());
    c.evict("test", "default", &pods[1], &RequestOptions::default()).unwrap();
    // A dry run takes nothing.
    c.step(40_000);
    let pods = live_pods(&c);
    let dry = RequestOptions { dry_run: true, ..Default::default() };
    c.evict("test", "default", &pods[0], &dry).unwrap();
    assert_eq!(status(&c, "web-pdb")["disruptionsAllowed"], 1);
    assert!(c.get(Kind::Pod, "default", &pods[0]).unwrap().metadata().deletion_timestamp.is_none());
}

#[test]
fn unprotected_missing_and_doubly_covered_pods() {
    let mut c = Cluster::new(3);
    web(&mut c, 2);
    c.step(30_000);
    let pods = live_pods(&c);
    c.evict("test", "default", &pods[0], &RequestOptions::default()).unwrap();
    let e = c.evict("test", "default", "nope", &RequestOptions::default()).unwrap_err();
    assert_eq!(e.message, "pods \"nope\" not found");
    pdb(&mut c, "a", json!({"maxUnavailable": 1, "selector": {"matchLabels": {"app": "web"}}}));
    pdb(&mut c, "b", json!({"minAvailable": 1, "selector": {"matchLabels": {"app": "web"}}}));
    let e = c.evict("test", "default", &pods[1], &RequestOptions::default()).unwrap_err();
    assert_eq!(e.code, 500);
    assert_eq!(
        e.message,
        "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support."
    );
}

#[test]
fn daemon_pods_cannot_be_counted_by_percentage() {
    let mut c = Cluster::new(4);
    create(
        &mut c,
        Kind::DaemonSet,
        json!({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent"},
            "spec": {"selector": {"matchLabels": {"app": "agent"}},
                "template": {"metadata": {"labels": {"app": "agent"}},
                    "spec": {"containers": [{"name": "a", "image": "nginx:1.27"}]}}}}),
    );
    pdb(&mut c, "agent", json!({"maxUnavailable": "10%", "selector": {"matchLabels": {"app": "agent"}}}));
    let s = status(&c, "agent");
    assert_eq!(s["disruptionsAllowed"], 0);
    assert_eq!(s["conditions"][0]["reason"], "SyncFailed");
    assert_eq!(s["conditions"][0]["message"], "daemonsets.apps does not implement the scale subresource");
    // No pods at all.
    pdb(&mut c, "empty", json!({"minAvailable": 1, "selector": {"matchLabels": {"app": "none"}}}));
    let events: Vec<String> = c
        .store()
        .list(Kind::Event, Some("default"))
        .filter_map(|o| match o {
            Object::Event(e) => {
                Some(format!("{} {}", e.reason.clone().unwrap_or_default(), e.message.clone().unwrap_or_default()))
            }
            _ => None,
        })
        .collect();
    assert!(events.contains(&"NoPods No matching pods found".to_string()), "{events:?}");
}
