//! The inspector: one object as kubectl shows it (`get -o yaml`, `describe`, its Events), for a pod the
//! scheduler's last decision node by node, and what a learner can do to it from the page. Every action is a
//! command line the page runs like typed input, so it is echoed in the terminal, kept in the session log and
//! replayed with it.

use engine::scheduler::Decision;
pub use engine::Kind;
use engine::{Cluster, Object};
use kubectl::describe::{self, Lookup};

/// Which object: a kind and where it lives (`namespace` is empty for cluster-scoped kinds).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub kind: Kind,
    pub namespace: String,
    pub name: String,
}

impl Target {
    pub fn new(kind: Kind, namespace: &str, name: &str) -> Target {
        let namespace = if kind.info().namespaced { namespace.to_string() } else { String::new() };
        Target { kind, namespace, name: name.to_string() }
    }

    /// A pod given as `namespace/name`.
    pub fn pod(key: &str) -> Option<Target> {
        let (namespace, name) = key.split_once('/')?;
        Some(Target::new(Kind::Pod, namespace, name))
    }

    /// From an owner reference's or the event log's kind name (`ReplicaSet`) and an object name.
    pub fn named(kind: &str, namespace: &str, name: &str) -> Option<Target> {
        let kind = Kind::ALL.iter().copied().find(|k| k.info().kind == kind)?;
        Some(Target::new(kind, namespace, name))
    }

    /// `pod/web-7d9f8c6b5-x2x8k`, `deployment.apps/web`: how kubectl names it.
    pub fn title(&self) -> String {
        format!("{}/{}", self.kind.info().qualified_singular(), self.name)
    }

    /// ` -n NAMESPACE` outside `default`, for the commands actions run.
    fn namespace_flag(&self) -> String {
        if self.namespace.is_empty() || self.namespace == "default" {
            String::new()
        } else {
            format!(" -n {}", self.namespace)
        }
    }

    /// `kubectl scale deployment/web --replicas=N`.
    pub fn scale_command(&self, replicas: u32) -> String {
        format!(
            "kubectl scale {}/{} --replicas={replicas}{}",
            self.kind.info().singular,
            self.name,
            self.namespace_flag()
        )
    }
}

/// Something the inspector offers to do, as the command it runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InspectAction {
    /// `delete`, `stop`, `start`, `cordon`, `uncordon`, `drain`: for labels and tests.
    pub id: &'static str,
    pub command: String,
}

/// One node in the scheduler's last decision about a pod.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeVerdictView {
    pub node: String,
    /// `NodeAffinity: node(s) didn't match Pod's node affinity/selector`, or `""` when it passed every filter.
    pub rejected_by: String,
    /// `NodeResourcesFit 92, ImageLocality 0, …` for the nodes that were scored.
    pub scores: String,
    pub total: i64,
    pub chosen: bool,
}

/// The scheduler's last decision about a pod, as the inspector lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchedulingView {
    pub message: String,
    pub nodes: Vec<NodeVerdictView>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inspection {
    pub target: Target,
    /// `kubectl get -o yaml`.
    pub yaml: String,
    /// `kubectl describe`.
    pub describe: String,
    /// The Events about it (`NAMESPACE` and `kubectl get events`' columns).
    pub event_headers: Vec<&'static str>,
    pub events: Vec<Vec<String>>,
    /// Its controller (`ReplicaSet/web-7d9f8c6b5`), to jump to.
    pub controller: Option<Target>,
    /// For a pod, how the scheduler placed it (or why it could not).
    pub scheduling: Option<SchedulingView>,
    /// `spec.replicas` of a kind that scales.
    pub replicas: Option<i32>,
    pub actions: Vec<InspectAction>,
}

/// Related objects for describe, read from the store.
struct StoreLookup<'a>(&'a Cluster);

impl Lookup for StoreLookup<'_> {
    fn list(&self, kind: Kind, namespace: Option<&str>) -> Vec<Object> {
        self.0.store().list(kind, namespace).cloned().collect()
    }
}

/// The Events shown at most.
const EVENT_ROWS: usize = 40;

/// The object as the inspector shows it, or `None` when it no longer exists.
pub fn inspect(cluster: &Cluster, target: &Target) -> Option<Inspection> {
    let obj = cluster.get(target.kind, &target.namespace, &target.name).ok()?;
    let yaml = kubectl::output::yaml::to_yaml(&kubectl::printing::printed_json(obj)).unwrap_or_default();
    let describe = describe::describe(obj, &StoreLookup(cluster), cluster.now());
    let (event_headers, events) =
        crate::views::object_events(cluster, target.kind, &target.namespace, &target.name, EVENT_ROWS);
    let controller = obj
        .metadata()
        .owner_references
        .iter()
        .flatten()
        .find(|r| r.controller == Some(true))
        .and_then(|r| Target::named(&r.kind, &target.namespace, &r.name));
    let scheduling = match obj {
        Object::Pod(_) => cluster.scheduling_decision(&target.namespace, &target.name).map(scheduling_view),
        _ => None,
    };
    let replicas = match obj {
        Object::Deployment(d) => Some(d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)),
        Object::ReplicaSet(r) => Some(r.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)),
        Object::StatefulSet(s) => Some(s.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)),
        _ => None,
    };
    Some(Inspection {
        target: target.clone(),
        yaml,
        describe,
        event_headers,
        events,
        controller,
        scheduling,
        replicas,
        actions: actions(cluster, target, obj),
    })
}

fn actions(cluster: &Cluster, target: &Target, obj: &Object) -> Vec<InspectAction> {
    let act = |id: &'static str, command: String| InspectAction { id, command };
    match obj {
        Object::Node(node) => {
            let running = cluster.machines().get(&target.name).is_some_and(|m| m.running);
            let cordoned = node.spec.as_ref().and_then(|s| s.unschedulable).unwrap_or(false);
            let name = &target.name;
            vec![
                if running {
                    act("stop", format!("minikube node stop {name}"))
                } else {
                    act("start", format!("minikube node start {name}"))
                },
                if cordoned {
                    act("uncordon", format!("kubectl uncordon {name}"))
                } else {
                    act("cordon", format!("kubectl cordon {name}"))
                },
                act("drain", format!("kubectl drain {name} --ignore-daemonsets --delete-emptydir-data")),
            ]
        }
        Object::Namespace(_)
            if matches!(target.name.as_str(), "default" | "kube-system" | "kube-public" | "kube-node-lease") =>
        {
            Vec::new()
        }
        _ => vec![act(
            "delete",
            format!("kubectl delete {} {}{}", target.kind.info().singular, target.name, target.namespace_flag()),
        )],
    }
}

fn scheduling_view(d: &Decision) -> SchedulingView {
    SchedulingView {
        message: d.message.clone(),
        nodes: d
            .per_node
            .iter()
            .map(|v| NodeVerdictView {
                node: v.node.to_string(),
                rejected_by: v.filter_failed.as_ref().map(|(p, why)| format!("{p}: {why}")).unwrap_or_default(),
                scores: v.scores.iter().map(|(p, s)| format!("{p} {s}")).collect::<Vec<_>>().join(", "),
                total: v.total,
                chosen: d.node.as_deref() == Some(&*v.node),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Playground;

    #[test]
    fn a_pod_shows_yaml_describe_events_its_controller_and_the_schedulers_table() {
        let mut p = Playground::new(0);
        p.exec("kubectl create deployment web --image=nginx --replicas=1\nsleep 30").unwrap();
        let pod = p.snapshot().pods.into_iter().find(|p| p.name.starts_with("web-")).unwrap();
        let target = Target::new(Kind::Pod, "default", &pod.name);
        let seen = inspect(p.cluster(), &target).unwrap();
        assert!(seen.yaml.starts_with("apiVersion: v1\nkind: Pod\n"), "{}", seen.yaml);
        assert!(!seen.yaml.contains("managedFields"));
        assert!(seen.describe.starts_with(&format!("Name:             {}\n", pod.name)), "{}", seen.describe);
        let reasons: Vec<&str> = seen.events.iter().map(|r| r[3].as_str()).collect();
        assert_eq!(reasons[..2], ["Scheduled", "Pulling"], "{reasons:?}");
        assert_eq!(seen.controller.as_ref().map(|c| c.kind), Some(Kind::ReplicaSet));
        let sched = seen.scheduling.unwrap();
        assert!(sched.message.starts_with("Successfully assigned default/web-"), "{}", sched.message);
        assert_eq!(sched.nodes.iter().filter(|n| n.chosen).count(), 1);
        let cp = sched.nodes.iter().find(|n| n.node == "control-plane-1").unwrap();
        assert_eq!(
            cp.rejected_by,
            "TaintToleration: node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }"
        );
        assert_eq!(seen.actions, [InspectAction { id: "delete", command: format!("kubectl delete pod {}", pod.name) }]);
        assert_eq!(target.title(), format!("pod/{}", pod.name));
    }

    #[test]
    fn nodes_and_workloads_offer_their_actions() {
        let mut p = Playground::new(0);
        p.exec("kubectl create namespace prod\nkubectl create deployment api --image=nginx -n prod --replicas=2")
            .unwrap();
        let deploy = Target::named("Deployment", "prod", "api").unwrap();
        let seen = inspect(p.cluster(), &deploy).unwrap();
        assert_eq!(seen.replicas, Some(2));
        assert_eq!(deploy.scale_command(4), "kubectl scale deployment/api --replicas=4 -n prod");
        assert_eq!(seen.actions[0].command, "kubectl delete deployment api -n prod");
        assert_eq!(deploy.title(), "deployment.apps/api");

        let node = Target::new(Kind::Node, "ignored", "worker-2");
        assert_eq!(node.namespace, "");
        let ids: Vec<_> = inspect(p.cluster(), &node).unwrap().actions.iter().map(|a| a.id).collect();
        assert_eq!(ids, ["stop", "cordon", "drain"]);
        p.exec("minikube node stop worker-2\nkubectl cordon worker-2").unwrap();
        let actions = inspect(p.cluster(), &node).unwrap().actions;
        assert_eq!(actions[0].command, "minikube node start worker-2");
        assert_eq!(actions[1].command, "kubectl uncordon worker-2");

        assert!(inspect(p.cluster(), &Target::new(Kind::Pod, "default", "gone")).is_none());
        assert!(Target::named("Widget", "default", "x").is_none());
    }
}
