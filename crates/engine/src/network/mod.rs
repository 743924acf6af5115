//! The cluster network as data: kube-proxy's rules (`proxy`), CoreDNS and the pod resolver (`dns`), and the
//! traces every request and lookup leaves (`trace`), which the page replays hop by hop.
//!
//! The model follows a kubeadm cluster with Flannel (FACTS §8, §9, §11): each pod has its own network namespace
//! with `eth0`, the host end of its veth pair on the node's `cni0` bridge (`10.244.N.1`); traffic to another
//! node's podCIDR leaves through `flannel.1` (VXLAN, VNI 1, UDP 8472 between node IPs); a Service's ClusterIP
//! exists only as kube-proxy's iptables rules on every node, which DNAT to one endpoint picked at random with
//! the rules' probabilities.

pub mod dns;
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
}

impl NetworkState {
    pub fn new(seed: u64) -> Self {
        NetworkState {
            rng: Rng::new(seed ^ 0x6e65_7477_6f72_6b00),
            endpoints: Default::default(),
            traces: Vec::new(),
            tunnel: None,
            affinity: BTreeMap::new(),
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

    pub(crate) fn remember_affinity(&mut self, service_port: String, client: String, endpoint: String, at: Millis) {
        self.network.affinity.insert((service_port, client), (endpoint, at));
    }
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
