//! Traces: the path one request or one DNS lookup took, hop by hop, as plain data for the page.

use crate::clock::Millis;

/// What was traced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TraceKind {
    /// A TCP connection (an HTTP request, `nc -z`) to `host:port`.
    Connect { host: String, port: u16 },
    /// A DNS lookup of `name` through the pod's resolver.
    Lookup { name: String },
}

/// One hop of a trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Hop {
    /// The packet leaves the client's network namespace (`eth0` of a pod, or the node itself).
    Source { node: String, pod: Option<String>, ip: String },
    /// Across the pod's veth pair onto the node's `cni0` bridge (gateway `10.244.N.1`).
    Bridge { node: String, bridge: String, gateway: String },
    /// kube-proxy's rules on `node` matched `service` (`default/web:http`) and DNATed to `endpoint`, chosen
    /// with `probability` among `candidates` (the rule `KUBE-SVC-…` → `KUBE-SEP-…`); an empty probability
    /// means the last rule, taken when none before it matched, and `session affinity` the client's earlier
    /// endpoint. A NodePort or load-balancer address first passes `ext_chain` (`KUBE-EXT-…`); `svc_chain` is
    /// the chain whose jumps were taken (`KUBE-SVC-…`, or `KUBE-SVL-…` under a `Local` traffic policy), `rule`
    /// says why in the rules' words, and `snat` is the address the endpoint sees when the packet was
    /// masqueraded (`None`: the client's own address is kept).
    KubeProxy {
        node: String,
        service: String,
        destination: String,
        ext_chain: Option<String>,
        svc_chain: String,
        sep_chain: String,
        endpoint: String,
        candidates: usize,
        probability: String,
        rule: String,
        snat: Option<String>,
    },
    /// A `Local` traffic policy on `node` and no endpoint of the Service there: the filter table's
    /// `"… has no local endpoints" -j DROP` drops the packet and the client times out.
    Dropped { node: String, service: String, destination: String, policy: String, comment: String },
    /// The CNI portmap plugin on `node` sent `hostPort` to a pod's container port.
    HostPort { node: String, host_port: u16, pod: String, endpoint: String },
    /// kube-proxy's rules on `node` rejected the connection: the Service has no ready endpoints.
    NoEndpoints { node: String, service: String, destination: String },
    /// Encapsulated by `flannel.1` (VXLAN VNI 1, UDP 8472) from one node IP to another.
    Vxlan {
        from_node: String,
        to_node: String,
        outer_src: String,
        outer_dst: String,
        inner_src: String,
        inner_dst: String,
    },
    /// Flannel's `FLANNEL-POSTRTG` rule on `node` (`-j MASQUERADE`) rewrote the pod's source address `from` to
    /// the node's `to`: the packet leaves the pod network for an address outside the cluster.
    Masquerade { node: String, from: String, to: String },
    /// The packet left the cluster through `node`'s default route (minikube's Docker network gateway) for
    /// `name` at `ip:port` on the simulated internet.
    Internet { node: String, gateway: String, name: String, ip: String, port: u16 },
    /// Delivered to the destination's network namespace.
    Deliver { node: String, pod: Option<String>, ip: String, port: u16 },
    /// Nothing listens at the destination (TCP RST: connection refused).
    Refused { ip: String, port: u16 },
    /// A filter rule a learner added on `node` stopped the packet (`DROP`: no answer; `REJECT`: refused).
    Filtered { node: String, rule: String },
    /// No route or nothing answers: the client waits out its timeout.
    Unreachable { ip: String },
    /// The resolver read `/etc/resolv.conf`: its search list, `ndots` and nameserver, and what the dots in the
    /// name decided (search list first, or the name as given first).
    Resolver { search: Vec<String>, ndots: usize, nameserver: String, dots: usize, search_first: bool },
    /// The resolver asked `server` for `query` (a name built from the search list, or the name as given).
    Query { query: String, server: String, search_domain: Option<String> },
    /// CoreDNS's answer to one query: addresses, a CNAME, NXDOMAIN or a forward upstream.
    Answer { query: String, answer: String },
}

/// One traced request or lookup.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trace {
    pub seq: u64,
    pub at_ms: Millis,
    /// `namespace/pod` or `node/NAME` that made the request.
    pub client: String,
    pub kind: TraceKind,
    pub hops: Vec<Hop>,
    /// The result in a few words (`200 OK`, `connection refused`, `NXDOMAIN`, `10.96.0.10`).
    pub outcome: String,
}

impl Hop {
    /// One line a learner can read.
    pub fn describe(&self) -> String {
        match self {
            Hop::Source { node, pod, ip } => match pod {
                Some(p) => format!("leaves pod {p} ({ip}) on {node} through eth0"),
                None => format!("leaves node {node} ({ip})"),
            },
            Hop::Bridge { node, bridge, gateway } => format!("crosses the veth pair to {bridge} ({gateway}) on {node}"),
            Hop::KubeProxy {
                node,
                service,
                destination,
                ext_chain,
                svc_chain,
                sep_chain,
                endpoint,
                candidates,
                probability,
                rule,
                snat,
            } => {
                let how = if probability == "session affinity" {
                    "session affinity: this client's endpoint from before".to_string()
                } else if probability.is_empty() {
                    format!("the last of {candidates} rules, taken when none before it matched")
                } else {
                    format!("1 of {candidates}, random with probability {probability}")
                };
                let via = ext_chain.as_ref().map(|e| format!("{e} ({rule}) → ")).unwrap_or_default();
                let local = if ext_chain.is_none() && svc_chain.starts_with("KUBE-SVL-") {
                    format!(" ({rule})")
                } else {
                    String::new()
                };
                let source = match snat {
                    Some(a) => format!("; masqueraded, the endpoint sees {a}"),
                    None if ext_chain.is_some() => "; the client's address is kept".to_string(),
                    None => String::new(),
                };
                format!(
                    "kube-proxy's rules on {node}: {destination} is Service {service}; {via}{svc_chain}{local} jumped to \
                     {sep_chain} ({how}) and DNAT rewrote the destination to {endpoint}{source}"
                )
            }
            Hop::Dropped { node, service, destination, policy, comment } => format!(
                "kube-proxy's rules on {node}: {destination} is Service {service} with {policy}: Local and no endpoint \
                 on {node}; the filter rule \"{comment}\" drops it"
            ),
            Hop::HostPort { node, host_port, pod, endpoint } => {
                format!("the portmap rule on {node} sends hostPort {host_port} to pod {pod} at {endpoint}")
            }
            Hop::NoEndpoints { node, service, destination } => {
                format!("kube-proxy's rules on {node}: {destination} is Service {service}, which has no ready endpoints: rejected")
            }
            Hop::Vxlan { from_node, to_node, outer_src, outer_dst, inner_src, inner_dst } => format!(
                "flannel.1 on {from_node} wraps {inner_src} → {inner_dst} in VXLAN (UDP 8472, VNI 1) from {outer_src} to \
                 {outer_dst} ({to_node}), which unwraps it"
            ),
            Hop::Deliver { node, pod, ip, port } => match pod {
                Some(p) => format!("arrives at pod {p} ({ip}:{port}) on {node}"),
                None if node.is_empty() => format!("arrives at {ip}:{port}"),
                None => format!("arrives at {ip}:{port} on {node}"),
            },
            Hop::Masquerade { node, from, to } => format!(
                "Flannel's masquerade rule on {node} rewrites the source {from} to the node's address {to}: the \
                 packet leaves the pod network"
            ),
            Hop::Internet { node, gateway, name, ip, port } => format!(
                "leaves the cluster from {node} through the gateway {gateway} for {name} ({ip}:{port}) on the \
                 internet"
            ),
            Hop::Refused { ip, port } => format!("nothing listens on {ip}:{port}: connection refused"),
            Hop::Unreachable { ip } => format!("no answer from {ip}: the request times out"),
            Hop::Filtered { node, rule } => format!("the filter rule `-A {rule}` on {node} stops the packet"),
            Hop::Resolver { search, ndots, nameserver, dots, search_first } => {
                let order = if *search_first {
                    format!("{dots} dot(s) < ndots:{ndots}, so the search list comes first")
                } else {
                    format!("{dots} dot(s) ≥ ndots:{ndots}, so the name as given comes first")
                };
                let list = if search.is_empty() { "(none)".to_string() } else { search.join(" ") };
                format!("resolv.conf: nameserver {nameserver}, search {list}; {order}")
            }
            Hop::Query { query, server, search_domain } => match search_domain {
                Some(d) => format!("asks {server} for {query} (search domain {d})"),
                None => format!("asks {server} for {query} (the name as given)"),
            },
            Hop::Answer { query, answer } => format!("CoreDNS answers {query}: {answer}"),
        }
    }
}
