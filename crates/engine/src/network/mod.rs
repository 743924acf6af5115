//! The cluster network as data: kube-proxy's rules (`proxy`), CoreDNS and the pod resolver (`dns`), and the
//! traces every request and lookup leaves (`trace`), which the page replays hop by hop.
//!
//! The model follows a kubeadm cluster with Flannel (FACTS §8, §9, §11): each pod has its own network namespace
//! with `eth0`, the host end of its veth pair on the node's `cni0` bridge (`10.244.N.1`); traffic to another
//! node's podCIDR leaves through `flannel.1` (VXLAN, VNI 1, UDP 8472 between node IPs); a Service's ClusterIP
//! exists only as kube-proxy's iptables rules on every node, which DNAT to one endpoint picked at random with
//! the rules' probabilities.

pub mod dns;
pub mod internet;
pub mod proxy;
pub mod trace;
pub mod tunnel;

use std::collections::BTreeMap;

use crate::clock::Millis;
use crate::controllers::endpoints::EndpointsState;
use crate::rng::Rng;

pub use trace::{Hop, Trace, TraceKind};

/// The network's state inside the cluster.
#[derive(Clone, Debug)]
pub struct NetworkState {
    /// A side stream of random numbers for endpoint objects' names and uids and for kube-proxy's choices, so
    /// traffic does not shift the names of everything created afterwards.
    pub(crate) rng: Rng,
    pub(crate) endpoints: EndpointsState,
    pub(crate) traces: Vec<Trace>,
    pub(crate) tunnel: Option<tunnel::Tunnel>,
    /// kube-proxy's `recent` lists for session affinity: (service port, client IP) → (endpoint, last seen).
    pub(crate) affinity: BTreeMap<(String, String), (String, Millis)>,
    /// Rules a learner added to a node's filter table (`iptables -A INPUT -s 192.168.49.6 -j DROP`), by node.
    pub(crate) firewall: BTreeMap<String, Vec<FirewallRule>>,
}

/// One rule of a node's filter table: traffic in (`INPUT`) or out (`OUTPUT`) that matches the addresses is
/// dropped (`DROP`: the sender times out) or rejected (`REJECT`: the sender is refused).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FirewallRule {
    pub chain: String,
    pub source: Option<String>,
    pub destination: Option<String>,
    pub target: String,
}

impl FirewallRule {
    /// `-A INPUT -s 192.168.49.6/32 -j DROP`, as `iptables -S` prints it.
    pub fn spec(&self) -> String {
        let mut s = self.chain.clone();
        let with_mask = |a: &str| if a.contains('/') { a.to_string() } else { format!("{a}/32") };
        if let Some(a) = &self.source {
            s.push_str(&format!(" -s {}", with_mask(a)));
        }
        if let Some(a) = &self.destination {
            s.push_str(&format!(" -d {}", with_mask(a)));
        }
        s.push_str(&format!(" -j {}", self.target));
        s
    }

    fn matches(&self, src: &str, dst: &str) -> bool {
        let hit = |rule: &Option<String>, ip: &str| match rule {
            None => true,
            Some(a) if a.contains('/') => in_cidr(ip, a),
            Some(a) => a == ip,
        };
        hit(&self.source, src) && hit(&self.destination, dst)
    }
}

impl NetworkState {
    pub fn new(seed: u64) -> Self {
        NetworkState {
            rng: Rng::new(seed ^ 0x6e65_7477_6f72_6b00),
            endpoints: Default::default(),
            traces: Vec::new(),
            tunnel: None,
            affinity: BTreeMap::new(),
            firewall: BTreeMap::new(),
        }
    }
}

impl crate::Cluster {
    /// Every request and DNS lookup made so far, in order (`seq` from 0).
    pub fn traces(&self) -> &[Trace] {
        &self.network.traces
    }

    pub(crate) fn record_trace(&mut self, mut trace: Trace) {
        trace.seq = self.network.traces.len() as u64;
        self.network.traces.push(trace);
    }

    /// The filter rules a learner added on `node`, in order.
    pub fn firewall(&self, node: &str) -> &[FirewallRule] {
        self.network.firewall.get(node).map(Vec::as_slice).unwrap_or_default()
    }

    /// The rule that stops a packet from `src` (on `from_node`) to `dst` (on `to_node`): the sender's OUTPUT
    /// chain, then the receiver's INPUT chain. Returns the node and the rule.
    pub fn firewall_verdict(
        &self,
        from_node: &str,
        src: &str,
        to_node: &str,
        dst: &str,
    ) -> Option<(String, FirewallRule)> {
        let find = |node: &str, chain: &str| {
            self.firewall(node).iter().find(|r| r.chain == chain && r.matches(src, dst)).cloned()
        };
        find(from_node, "OUTPUT")
            .map(|r| (from_node.to_string(), r))
            .or_else(|| find(to_node, "INPUT").map(|r| (to_node.to_string(), r)))
    }

    pub(crate) fn change_firewall(&mut self, node: &str, change: FirewallChange) {
        let rules = self.network.firewall.entry(node.to_string()).or_default();
        match change {
            FirewallChange::Append(r) => rules.push(r),
            FirewallChange::Insert(r) => rules.insert(0, r),
            FirewallChange::Delete(r) => {
                if let Some(i) = rules.iter().position(|x| *x == r) {
                    rules.remove(i);
                }
            }
            FirewallChange::Flush(chain) => rules.retain(|r| chain.as_ref().is_some_and(|c| *c != r.chain)),
        }
    }

    pub(crate) fn remember_affinity(&mut self, service_port: String, client: String, endpoint: String, at: Millis) {
        self.network.affinity.insert((service_port, client), (endpoint, at));
    }
}

/// A change a node's `iptables` makes to its filter table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FirewallChange {
    Append(FirewallRule),
    Insert(FirewallRule),
    Delete(FirewallRule),
    /// `-F [CHAIN]`: every rule, or the chain's.
    Flush(Option<String>),
}

/// Whether `ip` lies in the IPv4 CIDR `cidr` (`10.244.3.7` in `10.244.3.0/24`).
pub fn in_cidr(ip: &str, cidr: &str) -> bool {
    let Some((net, bits)) = cidr.split_once('/') else { return false };
    let (Some(a), Some(n), Ok(bits)) = (parse_ipv4(ip), parse_ipv4(net), bits.parse::<u32>()) else { return false };
    if bits > 32 {
        return false;
    }
    let mask = if bits == 0 { 0 } else { u32::MAX << (32 - bits) };
    a & mask == n & mask
}

pub fn parse_ipv4(ip: &str) -> Option<u32> {
    let parts: Vec<&str> = ip.split('.').collect();
    if parts.len() != 4 {
        return None;
    }
    let mut v = 0u32;
    for p in parts {
        v = (v << 8) | p.parse::<u8>().ok()? as u32;
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_membership() {
        assert!(in_cidr("10.244.3.7", "10.244.3.0/24"));
        assert!(!in_cidr("10.244.4.7", "10.244.3.0/24"));
        assert!(in_cidr("10.100.0.1", "10.96.0.0/12"));
        assert!(!in_cidr("10.112.0.1", "10.96.0.0/12"));
        assert!(!in_cidr("web", "10.96.0.0/12"));
    }
}
