//! The cluster as plain data for views: what the topology draws, nothing it must compute itself.
//!
//! Besides nodes and pods it carries what the picture explains with: each node's components (the control
//! plane's static pods and the leader among them, kubelet, kube-proxy, Flannel and the container runtime) and
//! whether they run, the etcd quorum, the pods waiting in the scheduler's queue with its reason, the Services
//! with their ready endpoints, who owns each pod (Deployment → ReplicaSet → Pod), and which pods the event log
//! shows changing just now (the page animates those).

use std::collections::BTreeMap;

use engine::api::api::core::v1::Pod;
use engine::controllers::leader_election::Component;
use engine::machines::Quorum;
use engine::topology::CONTROL_PLANE_LABEL;
use engine::{Cluster, Kind, Object};

/// How long, in simulated milliseconds, a change in the event log counts as "just now".
pub const RECENT_MS: u64 = 2_000;

/// A part of a node the topology draws as a chip: a control-plane component, kubelet, kube-proxy, Flannel or
/// the container runtime.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ComponentView {
    /// `etcd`, `kube-apiserver`, `kube-scheduler`, `kube-controller-manager`, `kubelet`, `kube-proxy`,
    /// `kube-flannel`, `containerd`.
    pub name: &'static str,
    /// The pod that runs it (`kube-system/etcd-control-plane-1`), for the components that are pods.
    pub pod: Option<String>,
    /// That pod's `status.phase` (CONTRACT §5 `data-phase` on every pod, chips included), else `""`.
    pub phase: String,
    /// Running and ready on a running machine.
    pub healthy: bool,
    /// The scheduler or controller-manager instance holding the leader Lease.
    pub leader: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeView {
    pub name: String,
    /// `control-plane` or `worker` (CONTRACT §5 `data-role`).
    pub role: &'static str,
    /// `Ready` or `NotReady` (CONTRACT §5 `data-status`).
    pub status: &'static str,
    pub internal_ip: String,
    pub pod_cidr: String,
    /// Whether the machine runs (`minikube node stop` stops it; the Node object notices later).
    pub running: bool,
    /// Cordoned (`spec.unschedulable`).
    pub unschedulable: bool,
    pub components: Vec<ComponentView>,
}

/// A pod as the topology draws it (CONTRACT §5: `data-pod`, `data-phase`, `data-node`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodView {
    pub namespace: String,
    pub name: String,
    /// The node it is bound to (`""` while the scheduler has not placed it).
    pub node: String,
    /// `status.phase`: Pending, Running, Succeeded, Failed.
    pub phase: String,
    /// What `kubectl get pods` shows in STATUS (ContainerCreating, CrashLoopBackOff, Terminating, …).
    pub status: String,
    pub ip: String,
    pub ready: String,
    pub restarts: i32,
    pub containers: Vec<String>,
    /// The top of its owner chain (`Deployment/web`, `StatefulSet/db`, `Node/control-plane-1`), or `""`.
    pub owner: String,
    /// The owner between it and the top (`ReplicaSet/web-7d9f8c6b5`), or `""`.
    pub via: String,
    /// Whether it runs a control-plane component, kube-proxy or Flannel: drawn as its node's chip.
    pub infrastructure: bool,
    /// What the event log shows happening to it in the last [`RECENT_MS`]: `created` (it appeared then),
    /// `updated`, or `""`.
    pub recent: &'static str,
    /// Who acted on it last and why (`kubelet: status updated`).
    pub recent_reason: String,
}

/// etcd as a whole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EtcdView {
    pub up: usize,
    pub total: usize,
    /// `healthy`, `lost` (members up but no majority) or `down` (no control plane runs).
    pub state: &'static str,
}

/// A pod the scheduler has not placed, with why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueuedPod {
    /// `namespace/name`.
    pub pod: String,
    /// The scheduler's last FailedScheduling message, or `""` before its first attempt.
    pub reason: String,
}

/// A Service and the pods (or nodes, for hostNetwork endpoints) its ready endpoints are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceView {
    pub namespace: String,
    pub name: String,
    pub type_: String,
    pub cluster_ip: String,
    pub ports: String,
    /// The ready endpoints' addresses.
    pub endpoints: Vec<String>,
}

/// One workload and the pods it owns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnerView {
    /// `Deployment/web`.
    pub owner: String,
    pub namespace: String,
    /// The ReplicaSets between it and its pods (`ReplicaSet/web-7d9f8c6b5`).
    pub via: Vec<String>,
    /// `namespace/name` of each pod.
    pub pods: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    pub time_ms: u64,
    pub nodes: Vec<NodeView>,
    pub pods: Vec<PodView>,
    pub etcd: EtcdView,
    pub queue: Vec<QueuedPod>,
    pub services: Vec<ServiceView>,
    /// The workloads outside kube-system and kube-flannel, in order of owner.
    pub owners: Vec<OwnerView>,
}

/// Components kubeadm runs as static pods on every control-plane node.
const STATIC_COMPONENTS: [&str; 4] = ["etcd", "kube-apiserver", "kube-scheduler", "kube-controller-manager"];

fn pod_ready(pod: &Pod) -> bool {
    pod.status.iter().flat_map(|s| s.conditions.iter().flatten()).any(|c| c.type_ == "Ready" && c.status == "True")
}

/// The controller owner reference of an object, as `Kind/name`.
fn controller_of(obj: &Object) -> Option<(String, String)> {
    obj.metadata()
        .owner_references
        .iter()
        .flatten()
        .find(|r| r.controller == Some(true))
        .map(|r| (r.kind.clone(), r.name.clone()))
}

/// Which node-level part a kube-system or kube-flannel pod is, if it is one.
fn infrastructure_part(pod: &Pod) -> Option<&'static str> {
    let ns = pod.metadata.namespace.as_deref().unwrap_or_default();
    let name = pod.metadata.name.as_deref().unwrap_or_default();
    let node = pod.spec.as_ref().and_then(|s| s.node_name.as_deref()).unwrap_or_default();
    if ns == "kube-flannel" && name.starts_with("kube-flannel-ds-") {
        return Some("kube-flannel");
    }
    if ns != "kube-system" {
        return None;
    }
    if name.starts_with("kube-proxy-") {
        return Some("kube-proxy");
    }
    STATIC_COMPONENTS.into_iter().find(|c| !node.is_empty() && name == format!("{c}-{node}"))
}

impl Snapshot {
    pub fn of(cluster: &Cluster) -> Snapshot {
        let now = cluster.now();
        let recent = recent_pod_changes(cluster);
        let pods: Vec<(&Object, &Pod)> = cluster
            .store()
            .list(Kind::Pod, None)
            .filter_map(|o| match o {
                Object::Pod(p) => Some((o, p.as_ref())),
                _ => None,
            })
            .collect();
        let lookup = |kind: Kind, ns: &str, name: &str| cluster.get(kind, ns, name).ok();
        let pod_views: Vec<PodView> = pods
            .iter()
            .map(|(o, p)| {
                let status = p.status.clone().unwrap_or_default();
                let statuses = status.container_statuses.clone().unwrap_or_default();
                let row = kubectl::printers::cells(o, now);
                let namespace = o.namespace().to_string();
                let (mut owner, mut via) = (String::new(), String::new());
                if let Some((kind, name)) = controller_of(o) {
                    owner = format!("{kind}/{name}");
                    if kind == "ReplicaSet" {
                        if let Some((top_kind, top)) =
                            lookup(Kind::ReplicaSet, &namespace, &name).and_then(controller_of)
                        {
                            via = std::mem::replace(&mut owner, format!("{top_kind}/{top}"));
                        }
                    }
                }
                let (recent, recent_reason) = recent
                    .get(&(namespace.as_str(), o.name()))
                    .map(|(c, r)| (*c, r.clone()))
                    .unwrap_or(("", String::new()));
                PodView {
                    name: o.name().to_string(),
                    node: p.spec.as_ref().and_then(|s| s.node_name.clone()).unwrap_or_default(),
                    phase: status.phase.clone().unwrap_or_default(),
                    status: row.get(2).cloned().unwrap_or_default(),
                    ip: status.pod_ip.clone().unwrap_or_default(),
                    ready: row.get(1).cloned().unwrap_or_default(),
                    restarts: statuses.iter().map(|c| c.restart_count).sum(),
                    containers: p.spec.iter().flat_map(|s| s.containers.iter().map(|c| c.name.clone())).collect(),
                    owner,
                    via,
                    infrastructure: infrastructure_part(p).is_some(),
                    recent,
                    recent_reason,
                    namespace,
                }
            })
            .collect();
        let nodes = cluster.nodes().map(|node| node_view(cluster, node, &pods)).collect();
        let etcd = match cluster.machines().quorum() {
            Quorum::Healthy { up, total } => EtcdView { up, total, state: "healthy" },
            Quorum::Lost { up, total } => EtcdView { up, total, state: "lost" },
            Quorum::NoApiServer => {
                let total = cluster.nodes().filter(|n| is_control_plane(n)).count();
                EtcdView { up: 0, total, state: "down" }
            }
        };
        let queue = pods
            .iter()
            .filter(|(_, p)| engine::scheduler::component::wants_scheduling(p))
            .map(|(o, p)| QueuedPod {
                pod: format!("{}/{}", o.namespace(), o.name()),
                reason: p
                    .status
                    .iter()
                    .flat_map(|s| s.conditions.iter().flatten())
                    .find(|c| c.type_ == "PodScheduled" && c.status == "False")
                    .and_then(|c| c.message.clone())
                    .unwrap_or_default(),
            })
            .collect();
        let services = crate::views::services(cluster)
            .into_iter()
            .map(|s| {
                let (namespace, name) = s.name.split_once('/').unwrap_or(("", &s.name));
                ServiceView {
                    namespace: namespace.to_string(),
                    name: name.to_string(),
                    type_: s.kind,
                    cluster_ip: s.cluster_ip,
                    ports: s.ports,
                    endpoints: s.endpoints,
                }
            })
            .collect();
        let owners = owners(&pod_views);
        Snapshot { time_ms: now, nodes, pods: pod_views, etcd, queue, services, owners }
    }

    /// The pod `namespace/name`, if it exists.
    pub fn pod(&self, key: &str) -> Option<&PodView> {
        self.pods.iter().find(|p| key.split_once('/') == Some((p.namespace.as_str(), p.name.as_str())))
    }
}

fn is_control_plane(node: &engine::api::api::core::v1::Node) -> bool {
    node.metadata.labels.as_ref().is_some_and(|l| l.contains_key(CONTROL_PLANE_LABEL))
}

fn node_view(cluster: &Cluster, node: &engine::api::api::core::v1::Node, pods: &[(&Object, &Pod)]) -> NodeView {
    let name = node.metadata.name.clone().unwrap_or_default();
    let status = node.status.clone().unwrap_or_default();
    let ready = status.conditions.iter().flatten().any(|c| c.type_ == "Ready" && c.status == "True");
    let control_plane = is_control_plane(node);
    let running = cluster.machines().get(&name).is_some_and(|m| m.running);
    let mut parts: BTreeMap<&'static str, (&Object, &Pod)> = BTreeMap::new();
    for (o, p) in pods {
        if p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(name.as_str()) {
            if let Some(part) = infrastructure_part(p) {
                parts.insert(part, (o, p));
            }
        }
    }
    let pod_part = |part: &'static str, leader: bool| {
        let found = parts.get(part);
        ComponentView {
            name: part,
            pod: found.map(|(o, _)| format!("{}/{}", o.namespace(), o.name())),
            phase: found.and_then(|(_, p)| p.status.as_ref()?.phase.clone()).unwrap_or_default(),
            healthy: running && found.is_some_and(|(_, p)| pod_ready(p)),
            leader,
        }
    };
    let leads = |c: Component| cluster.leader(c).as_deref() == Some(name.as_str());
    let mut components = Vec::new();
    if control_plane {
        components.push(pod_part("etcd", false));
        components.push(pod_part("kube-apiserver", false));
        components.push(pod_part("kube-scheduler", leads(Component::Scheduler)));
        components.push(pod_part("kube-controller-manager", leads(Component::ControllerManager)));
    }
    components.push(ComponentView {
        name: "kubelet",
        pod: None,
        phase: String::new(),
        healthy: running,
        leader: false,
    });
    components.push(pod_part("kube-proxy", false));
    components.push(pod_part("kube-flannel", false));
    components.push(ComponentView {
        name: "containerd",
        pod: None,
        phase: String::new(),
        healthy: running,
        leader: false,
    });
    NodeView {
        role: if control_plane { "control-plane" } else { "worker" },
        status: if ready { "Ready" } else { "NotReady" },
        internal_ip: status
            .addresses
            .iter()
            .flatten()
            .find(|a| a.type_ == "InternalIP")
            .map(|a| a.address.clone())
            .unwrap_or_default(),
        pod_cidr: node.spec.as_ref().and_then(|s| s.pod_cidr.clone()).unwrap_or_default(),
        running,
        unschedulable: node.spec.as_ref().and_then(|s| s.unschedulable).unwrap_or(false),
        components,
        name,
    }
}

/// The change per pod among the event log's entries of the last [`RECENT_MS`], read from the end.
fn recent_pod_changes(cluster: &Cluster) -> BTreeMap<(&str, &str), (&'static str, String)> {
    let now = cluster.now();
    let mut out = BTreeMap::new();
    for e in cluster.log().entries().iter().rev() {
        if e.at_ms + RECENT_MS < now {
            break;
        }
        if e.kind != Kind::Pod {
            continue;
        }
        let change = match e.change {
            engine::event_log::Change::Created => "created",
            engine::event_log::Change::Updated => "updated",
            engine::event_log::Change::Deleted => continue,
        };
        // The newest entry says who acted last; a creation in the window marks the pod as new.
        let entry = out
            .entry((e.namespace.as_str(), e.name.as_str()))
            .or_insert_with(|| (change, format!("{}: {}", e.actor, e.reason)));
        if change == "created" {
            entry.0 = change;
        }
    }
    out
}

/// The workloads of the learner's namespaces, each with the ReplicaSets between it and its pods.
fn owners(pods: &[PodView]) -> Vec<OwnerView> {
    let mut by_owner: BTreeMap<(String, String), OwnerView> = BTreeMap::new();
    for p in pods {
        if p.owner.is_empty() || p.infrastructure || p.owner.starts_with("Node/") {
            continue;
        }
        let entry = by_owner.entry((p.namespace.clone(), p.owner.clone())).or_insert_with(|| OwnerView {
            owner: p.owner.clone(),
            namespace: p.namespace.clone(),
            via: Vec::new(),
            pods: Vec::new(),
        });
        if !p.via.is_empty() && !entry.via.contains(&p.via) {
            entry.via.push(p.via.clone());
        }
        entry.pods.push(format!("{}/{}", p.namespace, p.name));
    }
    by_owner.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Playground;

    #[test]
    fn snapshot_of_the_default_cluster() {
        let snap = Snapshot::of(&Cluster::new(0));
        let roles: Vec<_> = snap.nodes.iter().map(|n| (n.name.as_str(), n.role, n.status)).collect();
        assert_eq!(
            roles,
            [
                ("control-plane-1", "control-plane", "Ready"),
                ("control-plane-2", "control-plane", "Ready"),
                ("control-plane-3", "control-plane", "Ready"),
                ("worker-1", "worker", "Ready"),
                ("worker-2", "worker", "Ready"),
            ]
        );
        assert_eq!(snap.nodes[4].internal_ip, "192.168.49.6");
        assert_eq!(snap.nodes[4].pod_cidr, "10.244.4.0/24");
        assert_eq!(snap.etcd, EtcdView { up: 3, total: 3, state: "healthy" });
        let cp1: Vec<_> = snap.nodes[0].components.iter().map(|c| (c.name, c.healthy)).collect();
        assert_eq!(
            cp1,
            [
                ("etcd", true),
                ("kube-apiserver", true),
                ("kube-scheduler", true),
                ("kube-controller-manager", true),
                ("kubelet", true),
                ("kube-proxy", true),
                ("kube-flannel", true),
                ("containerd", true),
            ]
        );
        assert_eq!(snap.nodes[0].components[0].pod.as_deref(), Some("kube-system/etcd-control-plane-1"));
        let leaders: Vec<_> =
            snap.nodes.iter().flat_map(|n| n.components.iter().filter(|c| c.leader).map(|c| c.name)).collect();
        assert_eq!(leaders.len(), 2, "one scheduler and one controller-manager lead: {leaders:?}");
        assert_eq!(snap.nodes[3].components.len(), 4, "a worker: kubelet, kube-proxy, Flannel, containerd");
        // Components are chips; CoreDNS and minikube's storage-provisioner (a bare pod) are pods like any other.
        let pods: Vec<_> = snap.pods.iter().filter(|p| !p.infrastructure).map(|p| p.name.as_str()).collect();
        assert!(pods.iter().all(|p| p.starts_with("coredns-") || *p == "storage-provisioner"), "{pods:?}");
        assert_eq!(pods.len(), 3, "{pods:?}");
        let provisioner = snap.pods.iter().find(|p| p.name == "storage-provisioner").unwrap();
        assert_eq!((provisioner.node.as_str(), provisioner.owner.as_str()), ("control-plane-1", ""));
        let coredns = snap.pods.iter().find(|p| p.name.starts_with("coredns-")).unwrap();
        assert_eq!(coredns.owner, "Deployment/coredns");
        assert!(coredns.via.starts_with("ReplicaSet/coredns-"));
        assert!(snap.owners.iter().all(|o| o.namespace != "kube-flannel"));
        let names: Vec<_> = snap.services.iter().map(|s| format!("{}/{}", s.namespace, s.name)).collect();
        assert_eq!(names, ["default/kubernetes", "kube-system/kube-dns"]);
        assert!(snap.queue.is_empty());
    }

    #[test]
    fn owners_queue_recent_changes_and_stopped_nodes() {
        let mut p = Playground::new(0);
        p.exec(
            "kubectl create deployment web --image=nginx --replicas=2\n\
             kubectl apply -f - <<EOF\napiVersion: v1\nkind: Pod\nmetadata:\n  name: big\nspec:\n  nodeSelector:\n    disk: ssd\n  containers:\n  - name: c\n    image: nginx\nEOF\nsleep 30",
        )
        .unwrap();
        let snap = p.snapshot();
        let web = snap.owners.iter().find(|o| o.owner == "Deployment/web").expect("web owner");
        assert_eq!(web.pods.len(), 2);
        assert_eq!(web.via.len(), 1);
        assert_eq!(snap.queue.len(), 1, "{:?}", snap.queue);
        assert_eq!(snap.queue[0].pod, "default/big");
        assert!(snap.queue[0].reason.contains("didn't match Pod's node affinity/selector"), "{}", snap.queue[0].reason);
        assert!(snap.pods.iter().all(|p| p.recent.is_empty()), "nothing changed in the last 2 s");
        p.exec("kubectl scale deployment web --replicas=3").unwrap();
        let snap = p.snapshot();
        assert!(
            snap.pods.iter().any(|p| p.recent == "created" && p.owner == "Deployment/web"),
            "{:?}",
            snap.pods.iter().map(|p| (&p.name, p.recent, &p.recent_reason)).collect::<Vec<_>>()
        );
        p.exec("minikube node stop worker-2\nminikube node stop control-plane-1\nminikube node stop control-plane-2")
            .unwrap();
        let snap = p.snapshot();
        let w2 = snap.nodes.iter().find(|n| n.name == "worker-2").unwrap();
        assert!(!w2.running && w2.components.iter().all(|c| !c.healthy));
        assert_eq!(snap.etcd, EtcdView { up: 1, total: 3, state: "lost" });
    }
}
