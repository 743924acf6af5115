//! Node status: running kubelets keep their node `Ready`; the node lifecycle controller marks a node whose
//! kubelet stopped posting status `Unknown` after `node-monitor-grace-period` (50 s) and taints it
//! `node.kubernetes.io/unreachable` (NoSchedule and NoExecute).

use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::api::core::v1::{Node, Taint};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta, OwnerReference};

use crate::clock::{api_time, Millis};
use crate::cluster::Cluster;
use crate::event_log::Change;
use crate::object::{Kind, Object};
use crate::recorder::Reporter;
use crate::store::ObjectKey;

pub const NODE_LEASE_NAMESPACE: &str = "kube-node-lease";
/// kubelet renews its lease every quarter of `nodeLeaseDurationSeconds` (40 s).
pub const LEASE_RENEW_MS: Millis = 10_000;

/// kube-controller-manager `--node-monitor-grace-period` (v1.32+).
pub const NODE_MONITOR_GRACE_MS: Millis = 50_000;
pub const UNREACHABLE_TAINT: &str = "node.kubernetes.io/unreachable";

impl Cluster {
    /// When a stopped node's grace period runs out next (the node lifecycle controller then acts). Lease
    /// renewals need no wake-up of their own: a renewal is dated to the last 10 s tick whenever the
    /// controllers next run, so a long `sleep` does not have to stop every ten simulated seconds.
    pub(crate) fn node_status_wakeup(&self) -> Option<Millis> {
        let now = self.clock.now();
        self.machines.iter().filter_map(|m| m.stopped_at).map(|t| t + NODE_MONITOR_GRACE_MS).filter(|t| *t > now).min()
    }

    /// Each running kubelet holds a Lease in `kube-node-lease` named after its node and renews it every
    /// 10 s; the node lifecycle controller reads it as the node's heartbeat.
    pub(super) fn renew_node_leases(&mut self) {
        let now = self.clock.now();
        let running: Vec<String> = self.machines.iter().filter(|m| m.running).map(|m| m.plan.name.clone()).collect();
        for name in running {
            let key = ObjectKey::new(Kind::Lease, NODE_LEASE_NAMESPACE, &name);
            let node_uid =
                self.store.get(&ObjectKey::new(Kind::Node, "", &name)).and_then(|n| n.metadata().uid.clone());
            let Some(node_uid) = node_uid else { continue };
            let current = self.store.get_shared(&key);
            match current.as_deref() {
                Some(Object::Lease(lease)) => {
                    let last = lease
                        .spec
                        .as_ref()
                        .and_then(|s| s.renew_time.as_ref())
                        .map(|t| crate::clock::sim_millis(&t.0.into()))
                        .unwrap_or(0);
                    if now < last + LEASE_RENEW_MS {
                        continue;
                    }
                    let mut lease = lease.clone();
                    let spec = lease.spec.get_or_insert_with(Default::default);
                    let last = spec.renew_time.as_ref().map(|t| crate::clock::sim_millis(&t.0.into())).unwrap_or(0);
                    if now < last + LEASE_RENEW_MS {
                        continue;
                    }
                    // The kubelet renewed on every 10 s tick since; the latest of those is what shows.
                    let ticks = (now - last) / LEASE_RENEW_MS;
                    spec.renew_time = Some(MicroTime(api_time(last + ticks * LEASE_RENEW_MS).0));
                    self.store.replace(Object::from(*lease));
                }
                _ => {
                    let lease = Lease {
                        metadata: ObjectMeta {
                            name: Some(name.clone()),
                            namespace: Some(NODE_LEASE_NAMESPACE.into()),
                            owner_references: Some(vec![OwnerReference {
                                api_version: "v1".into(),
                                kind: "Node".into(),
                                name: name.clone(),
                                uid: node_uid,
                                ..Default::default()
                            }]),
                            ..Default::default()
                        },
                        spec: Some(LeaseSpec {
                            holder_identity: Some(name.clone()),
                            lease_duration_seconds: Some(40),
                            renew_time: Some(MicroTime(api_time(now).0)),
                            ..Default::default()
                        }),
                    };
                    let _ = self.create("kubelet", Object::from(lease), "kubelet took its node lease");
                }
            }
        }
    }

    /// The kubelets' part (posting `Ready`) always runs; the node lifecycle controller's part (taints,
    /// `Unknown`) only while kube-controller-manager has a leader (`controllers`).
    pub(super) fn reconcile_node_status(&mut self, controllers: bool) {
        let now = self.clock.now();
        let machines: Vec<(String, bool, Option<Millis>)> =
            self.machines.iter().map(|m| (m.plan.name.clone(), m.running, m.stopped_at)).collect();
        for (name, running, stopped_at) in machines {
            let key = ObjectKey::new(Kind::Node, "", &name);
            let Some(obj) = self.store.get_shared(&key) else { continue };
            let Object::Node(node) = obj.as_ref() else { continue };
            let ready = ready_status(node);
            if let Some(updated) = sync_unschedulable_taint(node, now).filter(|_| controllers) {
                self.store.replace(Object::from(updated));
                self.record("node-lifecycle-controller", Change::Updated, &key, "taint follows spec.unschedulable");
                continue;
            }
            let (actor, updated, reason) = if running && ready != "True" {
                ("kubelet", mark_ready(node, now), "kubelet is posting ready status again")
            } else if controllers
                && !running
                && ready == "True"
                && stopped_at.is_some_and(|t| now >= t + NODE_MONITOR_GRACE_MS)
            {
                ("node-lifecycle-controller", mark_unknown(node, now), "Kubelet stopped posting node status.")
            } else {
                continue;
            };
            let stored = self.store.replace(Object::from(updated)).clone();
            self.record(actor, Change::Updated, &key, reason);
            if actor == "kubelet" {
                self.emit_event(
                    &stored,
                    "Normal",
                    "NodeReady",
                    &format!("Node {name} status is now: NodeReady"),
                    &Reporter::kubelet(&name),
                );
            } else {
                self.emit_event(
                    &stored,
                    "Normal",
                    "NodeNotReady",
                    &format!("Node {name} status is now: NodeNotReady"),
                    &Reporter::component("node-controller"),
                );
            }
        }
    }
}

fn ready_status(node: &Node) -> String {
    node.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|c| c.iter().find(|c| c.type_ == "Ready"))
        .map(|c| c.status.clone())
        .unwrap_or_default()
}

fn mark_unknown(node: &Node, now: Millis) -> Node {
    let mut node = node.clone();
    for c in node.status.get_or_insert_with(Default::default).conditions.iter_mut().flatten() {
        c.status = "Unknown".into();
        c.reason = Some("NodeStatusUnknown".into());
        c.message = Some("Kubelet stopped posting node status.".into());
        c.last_transition_time = Some(api_time(now));
    }
    let taints = node.spec.get_or_insert_with(Default::default).taints.get_or_insert_with(Vec::new);
    for effect in ["NoSchedule", "NoExecute"] {
        if !taints.iter().any(|t| t.key == UNREACHABLE_TAINT && t.effect == effect) {
            taints.push(Taint {
                key: UNREACHABLE_TAINT.into(),
                effect: effect.into(),
                time_added: (effect == "NoExecute").then(|| api_time(now)),
                value: None,
            });
        }
    }
    node
}

fn mark_ready(node: &Node, now: Millis) -> Node {
    let mut node = node.clone();
    for c in node.status.get_or_insert_with(Default::default).conditions.iter_mut().flatten() {
        let (status, reason, message) = match c.type_.as_str() {
            "Ready" => ("True", "KubeletReady", "kubelet is posting ready status"),
            "MemoryPressure" => ("False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
            "DiskPressure" => ("False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
            "PIDPressure" => ("False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
            _ => continue,
        };
        c.status = status.into();
        c.reason = Some(reason.into());
        c.message = Some(message.into());
        c.last_heartbeat_time = Some(api_time(now));
        c.last_transition_time = Some(api_time(now));
    }
    if let Some(taints) = node.spec.as_mut().and_then(|s| s.taints.as_mut()) {
        taints.retain(|t| t.key != UNREACHABLE_TAINT && t.key != "node.kubernetes.io/not-ready");
    }
    if node.spec.as_ref().and_then(|s| s.taints.as_ref()).is_some_and(Vec::is_empty) {
        node.spec.as_mut().expect("spec").taints = None;
    }
    node
}

pub const UNSCHEDULABLE_TAINT: &str = "node.kubernetes.io/unschedulable";

/// TaintNodesByCondition: a cordoned node carries `node.kubernetes.io/unschedulable:NoSchedule`, an
/// uncordoned one does not. Returns the node to store when the taint has to change.
fn sync_unschedulable_taint(node: &Node, now: Millis) -> Option<Node> {
    let cordoned = node.spec.as_ref().and_then(|s| s.unschedulable).unwrap_or(false);
    let has = node
        .spec
        .as_ref()
        .and_then(|s| s.taints.as_ref())
        .is_some_and(|t| t.iter().any(|t| t.key == UNSCHEDULABLE_TAINT));
    if cordoned == has {
        return None;
    }
    let mut node = node.clone();
    let spec = node.spec.get_or_insert_with(Default::default);
    if cordoned {
        spec.taints.get_or_insert_with(Vec::new).push(Taint {
            key: UNSCHEDULABLE_TAINT.into(),
            effect: "NoSchedule".into(),
            time_added: Some(api_time(now)),
            value: None,
        });
    } else if let Some(taints) = spec.taints.as_mut() {
        taints.retain(|t| t.key != UNSCHEDULABLE_TAINT);
        if taints.is_empty() {
            spec.taints = None;
        }
    }
    Some(node)
}
