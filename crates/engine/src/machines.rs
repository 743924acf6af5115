//! The machines under the cluster: which nodes exist and whether they are running, and the etcd members on
//! the control-plane nodes. This is the infrastructure `minikube node …` acts on; it is not an API object.
//!
//! etcd runs as one member per control-plane node. With fewer than a majority of members up, etcd has no
//! quorum and every API request fails as a real apiserver's would (`etcdserver: request timed out`); with
//! every control-plane node down there is no apiserver to answer at all.

use std::collections::BTreeMap;

use crate::clock::Millis;
use crate::topology::{NodePlan, NodeRole};

/// The address clients reach the API server at: minikube's HA virtual IP in front of the control planes.
pub const API_SERVER_ENDPOINT: &str = "192.168.49.254:8443";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Machine {
    pub plan: NodePlan,
    pub running: bool,
    /// When it stopped, while it is stopped.
    pub stopped_at: Option<Millis>,
}

#[derive(Clone, Debug, Default)]
pub struct Machines {
    pub(crate) by_name: BTreeMap<String, Machine>,
    /// How many nodes have ever been added; the next one gets the next IP and podCIDR.
    pub(crate) added: usize,
}

/// The state of etcd as a whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quorum {
    /// A majority of members is up.
    Healthy { up: usize, total: usize },
    /// Members are up but fewer than a majority: reads and writes time out.
    Lost { up: usize, total: usize },
    /// No control-plane node runs: nothing answers on the API endpoint.
    NoApiServer,
}

impl Machines {
    pub fn get(&self, name: &str) -> Option<&Machine> {
        self.by_name.get(name)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Machine> {
        self.by_name.values()
    }

    /// Every API request asks this, so it looks only at the control-plane machines: they are all named
    /// `control-plane-N` ([`Machines::next_name`], the default topology), a range of the ordered map.
    /// The names of the control-plane machines that run (where kube-apiserver, the scheduler and the
    /// controller-manager have processes).
    pub fn running_control_planes(&self) -> Vec<String> {
        self.iter()
            .filter(|m| m.running && m.plan.role == NodeRole::ControlPlane)
            .map(|m| m.plan.name.clone())
            .collect()
    }

    pub fn quorum(&self) -> Quorum {
        let (mut up, mut total) = (0, 0);
        let members = self
            .by_name
            .range::<str, _>((std::ops::Bound::Included("control-plane-"), std::ops::Bound::Excluded("control-plane.")))
            .map(|(_, m)| m)
            .filter(|m| m.plan.role == NodeRole::ControlPlane);
        for m in members {
            total += 1;
            up += usize::from(m.running);
        }
        if up == 0 {
            Quorum::NoApiServer
        } else if up * 2 > total {
            Quorum::Healthy { up, total }
        } else {
            Quorum::Lost { up, total }
        }
    }

    /// The next node name for a role: `worker-3`, `control-plane-4`, …
    pub fn next_name(&self, role: NodeRole) -> String {
        self.next_name_from(role, 1).0
    }

    /// [`Machines::next_name`] searching from number `from` on (no free name lies below it), with the number
    /// taken: several joins in a row continue where the last one stopped instead of scanning every name again.
    pub fn next_name_from(&self, role: NodeRole, from: usize) -> (String, usize) {
        let prefix = match role {
            NodeRole::ControlPlane => "control-plane-",
            NodeRole::Worker => "worker-",
        };
        let mut n = from.max(1);
        while self.by_name.contains_key(&format!("{prefix}{n}")) {
            n += 1;
        }
        (format!("{prefix}{n}"), n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::topology::default_nodes;

    fn machines() -> Machines {
        let mut m = Machines::default();
        for plan in default_nodes() {
            m.by_name.insert(plan.name.clone(), Machine { plan, running: true, stopped_at: None });
        }
        m
    }

    #[test]
    fn quorum_needs_a_majority_of_control_planes() {
        let mut m = machines();
        assert_eq!(m.quorum(), Quorum::Healthy { up: 3, total: 3 });
        m.by_name.get_mut("worker-1").unwrap().running = false;
        assert_eq!(m.quorum(), Quorum::Healthy { up: 3, total: 3 });
        m.by_name.get_mut("control-plane-1").unwrap().running = false;
        assert_eq!(m.quorum(), Quorum::Healthy { up: 2, total: 3 });
        m.by_name.get_mut("control-plane-2").unwrap().running = false;
        assert_eq!(m.quorum(), Quorum::Lost { up: 1, total: 3 });
        m.by_name.get_mut("control-plane-3").unwrap().running = false;
        assert_eq!(m.quorum(), Quorum::NoApiServer);
    }

    #[test]
    fn next_names_fill_the_first_gap() {
        let mut m = machines();
        assert_eq!(m.next_name(NodeRole::Worker), "worker-3");
        m.by_name.remove("worker-1");
        assert_eq!(m.next_name(NodeRole::Worker), "worker-1");
        assert_eq!(m.next_name(NodeRole::ControlPlane), "control-plane-4");
    }
}
