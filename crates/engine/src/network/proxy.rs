//! kube-proxy in iptables mode (k/k `pkg/proxy/iptables/proxier.go`, v1.34): the rules it programs on every
//! node from Services and EndpointSlices, and the choice those rules make for one connection.
//!
//! Per Service port with a ClusterIP: a `KUBE-SERVICES` rule matching `ClusterIP:port` jumps to the Service's
//! `KUBE-SVC-<hash>` chain, which marks traffic from outside the pod network for masquerade and then jumps to
//! one `KUBE-SEP-<hash>` chain per endpoint — endpoint `i` of `n` taken with probability `1/(n-i)`, the last
//! unconditionally, so each is equally likely — whose rule DNATs to `podIP:targetPort`. NodePorts go through
//! `KUBE-NODEPORTS` → `KUBE-EXT-<hash>` → the same `KUBE-SVC-` chain. A Service port with no endpoints gets a
//! REJECT rule in the filter table instead (the client sees "connection refused").
//!
//! Traffic policies: with `internalTrafficPolicy: Local` the ClusterIP jumps to `KUBE-SVL-<hash>`, holding only
//! the endpoints on the node the packet is on, and with none there the filter table DROPs it (`"… has no local
//! endpoints"`: the client times out). With `externalTrafficPolicy: Local`, `KUBE-EXT-` sends pod traffic and
//! the node's own traffic to `KUBE-SVC-` (masquerading the node's), and everything else — a client outside the
//! pod network reaching this node — to `KUBE-SVL-` without masquerade, so the endpoint sees the client's
//! address; a node with no local endpoint DROPs it. So the rules differ per node ([`nat_save`] takes the node).
//!
//! Simplified (stated): `iptables` on a node shows kube-proxy's nat chains only (not its filter-table REJECT
//! and DROP rules); a node's local endpoints are its ready ones (kube-proxy falls back to serving terminating
//! local endpoints when no local one is ready).

use std::collections::BTreeMap;

use crate::cluster::Cluster;
use crate::controllers::endpoints::LABEL_SERVICE_NAME;
use crate::object::{Kind, Object};
use crate::util::sha256::{base32, sha256};
use crate::util::sort::StableSort;

/// The pod network kube-proxy is told about (`--cluster-cidr`, kubeadm's podSubnet for Flannel).
pub const CLUSTER_CIDR: &str = "10.244.0.0/16";

/// One endpoint in a Service port's chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointRule {
    pub ip: String,
    pub port: i32,
    /// `KUBE-SEP-…`
    pub chain: String,
    /// The `--probability` iptables prints for this rule (`0.33333333349`); `None` for the last rule.
    pub probability: Option<String>,
    /// The pod behind the address, when the slice names one (`namespace/name`).
    pub pod: Option<String>,
    /// The endpoint's `nodeName` in its slice.
    pub node: Option<String>,
}

/// What kube-proxy programs for one Service port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServicePortRule {
    pub namespace: String,
    pub service: String,
    /// `ServicePortName.String()`: `default/web:http`, or `default/web` for an unnamed port.
    pub name: String,
    /// `TCP`, `UDP`, `SCTP`.
    pub protocol: String,
    pub cluster_ip: String,
    pub port: i32,
    pub node_port: Option<i32>,
    /// `KUBE-SVC-…`
    pub svc_chain: String,
    /// `KUBE-EXT-…` (used with a NodePort or a load-balancer address).
    pub ext_chain: String,
    /// `status.loadBalancer.ingress` addresses (what `minikube tunnel` assigns).
    pub load_balancer_ips: Vec<String>,
    /// `sessionAffinity: ClientIP`: how long a client sticks to its endpoint, in seconds.
    pub affinity_seconds: Option<i32>,
    /// `KUBE-SVL-…`: the chain of the node-local endpoints (used by a `Local` traffic policy).
    pub local_chain: String,
    /// `internalTrafficPolicy: Local`.
    pub internal_local: bool,
    /// `externalTrafficPolicy: Local` (only meaningful with a NodePort or a load-balancer address).
    pub external_local: bool,
    pub endpoints: Vec<EndpointRule>,
}

/// Where a connection to a Service address comes from, as the rules of the node rewriting it see the source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// A pod address (`-s 10.244.0.0/16`, kube-proxy's local detector).
    Pod,
    /// The node itself (`-m addrtype --src-type LOCAL`): its shell or a hostNetwork pod on it.
    ThisNode,
    /// Anything else: another node, or a pod on another node masqueraded to its node's address by Flannel.
    Outside,
}

/// The path kube-proxy's rules on one node give one connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// `KUBE-EXT-…` when the connection came in on a NodePort or load-balancer address.
    pub ext_chain: Option<String>,
    /// The chain whose `KUBE-SEP-` jumps were taken: `KUBE-SVC-…` or `KUBE-SVL-…`.
    pub chain: String,
    /// The endpoints that chain holds, with that chain's probabilities.
    pub endpoints: Vec<EndpointRule>,
    /// Whether the packet was marked for masquerade (`KUBE-MARK-MASQ`): the endpoint sees a node address.
    pub masquerade: bool,
    /// Why, in the rules' own words (`pod traffic for default/web external destinations`, …).
    pub reason: String,
}

/// A connection kube-proxy's rules drop: the filter table's `"… has no local endpoints" -j DROP`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dropped {
    /// `internalTrafficPolicy` or `externalTrafficPolicy`.
    pub policy: &'static str,
    /// The rule's comment: `default/web has no local endpoints`.
    pub comment: String,
}

impl ServicePortRule {
    /// A NodePort or a load-balancer address exists (`ExternallyAccessible`).
    pub fn externally_accessible(&self) -> bool {
        self.node_port.is_some() || !self.load_balancer_ips.is_empty()
    }

    /// `UsesClusterEndpoints`: a `KUBE-SVC-` chain exists.
    pub fn uses_cluster_chain(&self) -> bool {
        !self.internal_local || self.externally_accessible()
    }

    /// `UsesLocalEndpoints`: a `KUBE-SVL-` chain exists (on nodes with local endpoints).
    pub fn uses_local_policy(&self) -> bool {
        self.internal_local || (self.external_local && self.externally_accessible())
    }

    /// The endpoints on `node`, with the probabilities of the `KUBE-SVL-` chain (`1/n` among them).
    ///
    /// Example: three endpoints, two on worker-1 → on worker-1 `0.50000000000` then the last rule; on
    /// control-plane-1 none.
    pub fn local_endpoints(&self, node: &str) -> Vec<EndpointRule> {
        let mut local: Vec<EndpointRule> =
            self.endpoints.iter().filter(|e| e.node.as_deref() == Some(node)).cloned().collect();
        let n = local.len();
        for (i, e) in local.iter_mut().enumerate() {
            e.probability = (i + 1 < n).then(|| printed_probability(n - i));
        }
        local
    }

    fn cluster_route(&self, ext_chain: Option<String>, masquerade: bool, reason: String) -> Route {
        Route { ext_chain, chain: self.svc_chain.clone(), endpoints: self.endpoints.clone(), masquerade, reason }
    }

    fn no_local(&self, policy: &'static str) -> Dropped {
        Dropped { policy, comment: format!("{} has no local endpoints", self.name) }
    }

    /// The route on `node` for a connection to the ClusterIP (`external == false`) or to a NodePort or
    /// load-balancer address (`external == true`) from `source`. Assumes the Service has endpoints.
    ///
    /// | traffic | policy Cluster | policy Local |
    /// |---|---|---|
    /// | ClusterIP | `KUBE-SVC-` (masquerade unless from a pod) | `KUBE-SVL-`, DROP without local endpoints |
    /// | external, from a pod | `KUBE-EXT-` → `KUBE-SVC-`, masquerade | `KUBE-EXT-` → `KUBE-SVC-`, source kept |
    /// | external, from this node | same, masquerade | `KUBE-EXT-` → `KUBE-SVC-`, masquerade |
    /// | external, from outside | same, masquerade | `KUBE-EXT-` → `KUBE-SVL-`, source kept; DROP without local |
    pub fn route(&self, node: &str, external: bool, source: Source) -> Result<Route, Dropped> {
        if !external {
            let masquerade = source != Source::Pod;
            let why = if masquerade { "from outside the pod network: masqueraded" } else { "from a pod: source kept" };
            if !self.internal_local {
                return Ok(self.cluster_route(None, masquerade, format!("{} cluster IP, {why}", self.name)));
            }
            let endpoints = self.local_endpoints(node);
            if endpoints.is_empty() {
                return Err(self.no_local("internalTrafficPolicy"));
            }
            let reason = format!("internalTrafficPolicy: Local, endpoints on {node} only; {why}");
            return Ok(Route { ext_chain: None, chain: self.local_chain.clone(), endpoints, masquerade, reason });
        }
        let ext = Some(self.ext_chain.clone());
        if !self.external_local {
            return Ok(self.cluster_route(
                ext,
                true,
                format!("masquerade traffic for {} external destinations", self.name),
            ));
        }
        match source {
            Source::Pod => {
                Ok(self.cluster_route(ext, false, format!("pod traffic for {} external destinations", self.name)))
            }
            Source::ThisNode => Ok(self.cluster_route(
                ext,
                true,
                format!("masquerade LOCAL traffic for {} external destinations", self.name),
            )),
            Source::Outside => {
                let endpoints = self.local_endpoints(node);
                if endpoints.is_empty() {
                    return Err(self.no_local("externalTrafficPolicy"));
                }
                let reason = format!("externalTrafficPolicy: Local, endpoints on {node} only; client address kept");
                Ok(Route { ext_chain: ext, chain: self.local_chain.clone(), endpoints, masquerade: false, reason })
            }
        }
    }
}

/// `portProtoHash`: the first 16 characters of base32(sha256(name + protocol)).
pub fn port_proto_hash(service_port_name: &str, protocol_lower: &str) -> String {
    base32(&sha256(format!("{service_port_name}{protocol_lower}").as_bytes()))[..16].to_string()
}

/// `servicePortEndpointChainName`.
pub fn endpoint_chain(service_port_name: &str, protocol_lower: &str, endpoint: &str) -> String {
    let h = base32(&sha256(format!("{service_port_name}{protocol_lower}{endpoint}").as_bytes()));
    format!("KUBE-SEP-{}", &h[..16])
}

/// The probability iptables prints for kube-proxy's `--probability %0.10f` of `1/n`: xt_statistic stores
/// `lround(p * 2^31)` and prints it back with 11 decimals (`1/3` → `0.33333333349`, `1/2` → `0.50000000000`).
pub fn printed_probability(n: usize) -> String {
    let requested: f64 = format!("{:.10}", 1.0 / n as f64).parse().unwrap_or(0.0);
    let stored = (requested * 2_147_483_648.0).round();
    format!("{:.11}", stored / 2_147_483_648.0)
}

/// The rules for every Service port, ordered by Service then port (as the page lists them).
pub fn service_rules(cluster: &Cluster) -> Vec<ServicePortRule> {
    // Slices by (namespace, service).
    let mut slices: BTreeMap<(String, String), Vec<&k8s_openapi::api::discovery::v1::EndpointSlice>> = BTreeMap::new();
    for o in cluster.store.list(Kind::EndpointSlice, None) {
        let Object::EndpointSlice(s) = o else { continue };
        let Some(svc) = s.metadata.labels.as_ref().and_then(|l| l.get(LABEL_SERVICE_NAME)) else { continue };
        slices.entry((o.namespace().to_string(), svc.clone())).or_default().push(s);
    }
    let mut out = Vec::new();
    for o in cluster.store.list(Kind::Service, None) {
        let Object::Service(svc) = o else { continue };
        let Some(spec) = &svc.spec else { continue };
        let Some(cluster_ip) = spec.cluster_ip.clone().filter(|ip| !ip.is_empty() && ip != "None") else { continue };
        if spec.type_.as_deref() == Some("ExternalName") {
            continue;
        }
        let ns = o.namespace().to_string();
        let name = o.name().to_string();
        for sp in spec.ports.iter().flatten() {
            let port_name = sp.name.clone().unwrap_or_default();
            let spn = if port_name.is_empty() { format!("{ns}/{name}") } else { format!("{ns}/{name}:{port_name}") };
            let protocol = sp.protocol.clone().unwrap_or_else(|| "TCP".into());
            let lower = protocol.to_lowercase();
            // Ready endpoints; with none ready, serving terminating ones (ProxyTerminatingEndpoints).
            let mut ready = Vec::new();
            let mut serving_terminating = Vec::new();
            for s in slices.get(&(ns.clone(), name.clone())).into_iter().flatten() {
                let Some(ep_port) = s.ports.iter().flatten().find(|p| p.name.clone().unwrap_or_default() == port_name)
                else {
                    continue;
                };
                let Some(port) = ep_port.port else { continue };
                for e in &s.endpoints {
                    let c = e.conditions.clone().unwrap_or_default();
                    let node = e.node_name.clone();
                    let pod = e
                        .target_ref
                        .as_ref()
                        .and_then(|r| Some(format!("{}/{}", r.namespace.clone().unwrap_or_default(), r.name.clone()?)));
                    for ip in &e.addresses {
                        let entry = (ip.clone(), port, pod.clone(), node.clone());
                        if c.ready.unwrap_or(true) {
                            ready.push(entry);
                        } else if c.serving.unwrap_or(false) && c.terminating.unwrap_or(false) {
                            serving_terminating.push(entry);
                        }
                    }
                }
            }
            let mut chosen = if ready.is_empty() { serving_terminating } else { ready };
            chosen.stable_sort_by(|a, b| format!("{}:{}", a.0, a.1).cmp(&format!("{}:{}", b.0, b.1)));
            chosen.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
            let n = chosen.len();
            let endpoints = chosen
                .into_iter()
                .enumerate()
                .map(|(i, (ip, port, pod, node))| EndpointRule {
                    chain: endpoint_chain(&spn, &lower, &format!("{ip}:{port}")),
                    probability: (i + 1 < n).then(|| printed_probability(n - i)),
                    ip,
                    port,
                    pod,
                    node,
                })
                .collect();
            let hash = port_proto_hash(&spn, &lower);
            let load_balancer_ips = if spec.type_.as_deref() == Some("LoadBalancer") {
                svc.status
                    .as_ref()
                    .and_then(|s| s.load_balancer.as_ref())
                    .and_then(|lb| lb.ingress.as_ref())
                    .map(|ing| ing.iter().filter_map(|i| i.ip.clone()).collect())
                    .unwrap_or_default()
            } else {
                Vec::new()
            };
            let affinity_seconds = (spec.session_affinity.as_deref() == Some("ClientIP")).then(|| {
                spec.session_affinity_config
                    .as_ref()
                    .and_then(|c| c.client_ip.as_ref())
                    .and_then(|c| c.timeout_seconds)
                    .unwrap_or(10800)
            });
            out.push(ServicePortRule {
                namespace: ns.clone(),
                service: name.clone(),
                name: spn,
                protocol,
                cluster_ip: cluster_ip.clone(),
                port: sp.port,
                node_port: sp.node_port.filter(|_| matches!(spec.type_.as_deref(), Some("NodePort" | "LoadBalancer"))),
                svc_chain: format!("KUBE-SVC-{hash}"),
                ext_chain: format!("KUBE-EXT-{hash}"),
                load_balancer_ips,
                affinity_seconds,
                local_chain: format!("KUBE-SVL-{hash}"),
                internal_local: spec.internal_traffic_policy.as_deref() == Some("Local"),
                external_local: spec.external_traffic_policy.as_deref() == Some("Local"),
                endpoints,
            });
        }
    }
    out
}

/// The rule a connection to `ip:port` (a ClusterIP) or `node_ip:nodePort` matches, if any.
pub fn find_rule<'a>(
    rules: &'a [ServicePortRule],
    ip: &str,
    port: u16,
    protocol: &str,
    node_ips: &[String],
) -> Option<&'a ServicePortRule> {
    let proto = |r: &&ServicePortRule| r.protocol == protocol;
    let by_address = |r: &&ServicePortRule| r.cluster_ip == ip || r.load_balancer_ips.iter().any(|l| l == ip);
    rules.iter().filter(proto).find(|r| by_address(r) && r.port == port as i32).or_else(|| {
        node_ips
            .iter()
            .any(|n| n == ip)
            .then(|| rules.iter().filter(proto).find(|r| r.node_port == Some(port as i32)))
            .flatten()
    })
}

/// Walks the `KUBE-SVC-` chain as the kernel does: rule `i` matches when its own random draw falls under its
/// probability. `draw(i)` gives the i-th uniform number in [0, 1).
pub fn pick_endpoint(rule: &ServicePortRule, mut draw: impl FnMut(usize) -> f64) -> Option<usize> {
    let n = rule.endpoints.len();
    (0..n).find(|&i| i + 1 == n || draw(i) < 1.0 / (n - i) as f64)
}

/// `iptables -t nat -S [CHAIN]` for kube-proxy's chains on `node` (policy lines first when no chain is named).
/// `None` when the chain does not exist.
pub fn nat_save(rules: &[ServicePortRule], node: &str, chain: Option<&str>) -> Option<String> {
    let mut chains: Vec<(String, Vec<String>)> = Vec::new();
    let c = |s: &str| format!("\"{s}\"");
    chains.push((
        "PREROUTING".into(),
        vec!["-A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES".into()],
    ));
    chains.push(("INPUT".into(), Vec::new()));
    chains.push((
        "OUTPUT".into(),
        vec!["-A OUTPUT -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES".into()],
    ));
    chains.push((
        "POSTROUTING".into(),
        vec!["-A POSTROUTING -m comment --comment \"kubernetes postrouting rules\" -j KUBE-POSTROUTING".into()],
    ));
    let mut nodeports = Vec::new();
    let mut services = Vec::new();
    let mut per_service: Vec<(String, Vec<String>)> = Vec::new();
    for r in rules.iter().filter(|r| !r.endpoints.is_empty()) {
        let p = r.protocol.to_lowercase();
        let local = r.local_endpoints(node);
        let has_internal = !r.internal_local || !local.is_empty();
        let has_external = !r.external_local || !local.is_empty();
        let internal_chain = if r.internal_local { &r.local_chain } else { &r.svc_chain };
        let external_policy_chain = if r.external_local { &r.local_chain } else { &r.svc_chain };
        if has_internal {
            services.push(format!(
                "-A KUBE-SERVICES -d {}/32 -p {p} -m comment --comment {} -m {p} --dport {} -j {internal_chain}",
                r.cluster_ip,
                c(&format!("{} cluster IP", r.name)),
                r.port,
            ));
        }
        for lb in &r.load_balancer_ips {
            services.push(format!(
                "-A KUBE-SERVICES -d {lb}/32 -p {p} -m comment --comment {} -m {p} --dport {} -j {}",
                c(&format!("{} loadbalancer IP", r.name)),
                r.port,
                r.ext_chain
            ));
        }
        if r.externally_accessible() {
            let mut ext = Vec::new();
            if !r.external_local {
                ext.push(format!(
                    "-A {} -m comment --comment {} -j KUBE-MARK-MASQ",
                    r.ext_chain,
                    c(&format!("masquerade traffic for {} external destinations", r.name))
                ));
            } else {
                ext.push(format!(
                    "-A {} -s {CLUSTER_CIDR} -m comment --comment {} -j {}",
                    r.ext_chain,
                    c(&format!("pod traffic for {} external destinations", r.name)),
                    r.svc_chain
                ));
                ext.push(format!(
                    "-A {} -m comment --comment {} -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ",
                    r.ext_chain,
                    c(&format!("masquerade LOCAL traffic for {} external destinations", r.name))
                ));
                ext.push(format!(
                    "-A {} -m comment --comment {} -m addrtype --src-type LOCAL -j {}",
                    r.ext_chain,
                    c(&format!("route LOCAL traffic for {} external destinations", r.name)),
                    r.svc_chain
                ));
            }
            if has_external {
                ext.push(format!("-A {} -j {external_policy_chain}", r.ext_chain));
            }
            per_service.push((r.ext_chain.clone(), ext));
        }
        if let Some(np) = r.node_port {
            nodeports.push(format!(
                "-A KUBE-NODEPORTS -p {p} -m comment --comment {} -m {p} --dport {np} -j {}",
                c(&r.name),
                r.ext_chain
            ));
        }
        let masq_line = |chain: &str| {
            format!(
                "-A {chain} ! -s {CLUSTER_CIDR} -d {}/32 -p {p} -m comment --comment {} -m {p} --dport {} -j \
                 KUBE-MARK-MASQ",
                r.cluster_ip,
                c(&format!("{} cluster IP", r.name)),
                r.port
            )
        };
        // Session affinity (kube-proxy's `recent` match rules, printed in libxt_recent's save order: the command,
        // --seconds, --reap, then --name, --mask, --rsource): a client seen within the timeout goes back to the
        // endpoint it had.
        let recent =
            |cmd: &str, chain: &str| format!("-m recent {cmd} --name {chain} --mask 255.255.255.255 --rsource");
        let to_endpoints = |chain: &str, eps: &[EndpointRule], lines: &mut Vec<String>| {
            if let Some(secs) = r.affinity_seconds {
                for e in eps {
                    lines.push(format!(
                        "-A {chain} -m comment --comment {} {} -j {}",
                        c(&format!("{} -> {}:{}", r.name, e.ip, e.port)),
                        recent(&format!("--rcheck --seconds {secs} --reap"), &e.chain),
                        e.chain
                    ));
                }
            }
            for e in eps {
                let stat = e
                    .probability
                    .as_ref()
                    .map(|pr| format!(" -m statistic --mode random --probability {pr}"))
                    .unwrap_or_default();
                lines.push(format!(
                    "-A {chain} -m comment --comment {}{stat} -j {}",
                    c(&format!("{} -> {}:{}", r.name, e.ip, e.port)),
                    e.chain
                ));
            }
        };
        let mut reachable: Vec<&EndpointRule> = Vec::new();
        if r.uses_cluster_chain() {
            let mut svc_lines = Vec::new();
            if has_internal && *internal_chain == r.svc_chain {
                svc_lines.push(masq_line(&r.svc_chain));
            }
            to_endpoints(&r.svc_chain, &r.endpoints, &mut svc_lines);
            per_service.push((r.svc_chain.clone(), svc_lines));
            reachable.extend(r.endpoints.iter());
        }
        if r.uses_local_policy() && !local.is_empty() {
            let mut svl_lines = Vec::new();
            if has_internal && *internal_chain == r.local_chain {
                svl_lines.push(masq_line(&r.local_chain));
            }
            to_endpoints(&r.local_chain, &local, &mut svl_lines);
            per_service.push((r.local_chain.clone(), svl_lines));
            if reachable.is_empty() {
                reachable.extend(local.iter());
            }
        }
        for e in reachable {
            per_service.push((
                e.chain.clone(),
                vec![
                    format!("-A {} -s {}/32 -m comment --comment {} -j KUBE-MARK-MASQ", e.chain, e.ip, c(&r.name)),
                    format!(
                        "-A {} -p {p} -m comment --comment {}{} -m {p} -j DNAT --to-destination {}:{}",
                        e.chain,
                        c(&r.name),
                        if r.affinity_seconds.is_some() {
                            format!(" {}", recent("--set", &e.chain))
                        } else {
                            String::new()
                        },
                        e.ip,
                        e.port
                    ),
                ],
            ));
        }
    }
    services.push(
        "-A KUBE-SERVICES -m comment --comment \"kubernetes service nodeports; NOTE: this must be the last rule in \
         this chain\" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS"
            .into(),
    );
    chains.push(("KUBE-MARK-MASQ".into(), vec!["-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000".into()]));
    chains.push(("KUBE-NODEPORTS".into(), nodeports));
    chains.push((
        "KUBE-POSTROUTING".into(),
        vec![
            "-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN".into(),
            "-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0".into(),
            "-A KUBE-POSTROUTING -m comment --comment \"kubernetes service traffic requiring SNAT\" -j MASQUERADE \
             --random-fully"
                .into(),
        ],
    ));
    chains.push(("KUBE-SERVICES".into(), services));
    per_service.stable_sort_by(|a, b| a.0.cmp(&b.0));
    chains.extend(per_service);
    let builtin = ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"];
    match chain {
        Some(name) => {
            let (n, lines) = chains.iter().find(|(n, _)| n == name)?;
            let head = if builtin.contains(&n.as_str()) { format!("-P {n} ACCEPT") } else { format!("-N {n}") };
            Some(std::iter::once(head).chain(lines.iter().cloned()).map(|l| l + "\n").collect())
        }
        None => {
            let mut out: Vec<String> = builtin.iter().map(|b| format!("-P {b} ACCEPT")).collect();
            out.extend(chains.iter().filter(|(n, _)| !builtin.contains(&n.as_str())).map(|(n, _)| format!("-N {n}")));
            out.extend(chains.iter().flat_map(|(_, l)| l.iter().cloned()));
            Some(out.into_iter().map(|l| l + "\n").collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_names_match_kube_proxy() {
        // The `kubernetes` Service's chain is the same on every cluster.
        assert_eq!(port_proto_hash("default/kubernetes:https", "tcp"), "NPX46M4PTMTKRN6Y");
        // kube-dns's chains, well known from clusters everywhere.
        assert_eq!(port_proto_hash("kube-system/kube-dns:dns", "udp"), "TCOU7JCQXEZGVUNU");
        assert_eq!(port_proto_hash("kube-system/kube-dns:dns-tcp", "tcp"), "ERIFXISQEP7F7OF4");
    }

    #[test]
    fn probabilities_as_iptables_prints_them() {
        assert_eq!(printed_probability(2), "0.50000000000");
        assert_eq!(printed_probability(3), "0.33333333349");
        assert_eq!(printed_probability(4), "0.25000000000");
        assert_eq!(printed_probability(5), "0.20000000019");
    }

    #[test]
    fn each_endpoint_equally_likely() {
        let rule = ServicePortRule {
            namespace: "default".into(),
            service: "web".into(),
            name: "default/web".into(),
            protocol: "TCP".into(),
            cluster_ip: "10.96.0.20".into(),
            port: 80,
            node_port: None,
            svc_chain: String::new(),
            ext_chain: String::new(),
            load_balancer_ips: Vec::new(),
            affinity_seconds: None,
            local_chain: String::new(),
            internal_local: false,
            external_local: false,
            endpoints: (0..3)
                .map(|i| EndpointRule {
                    ip: format!("10.244.3.{i}"),
                    port: 80,
                    chain: String::new(),
                    probability: None,
                    pod: None,
                    node: None,
                })
                .collect(),
        };
        let mut rng = crate::rng::Rng::new(7);
        let mut counts = [0usize; 3];
        for _ in 0..30_000 {
            let i = pick_endpoint(&rule, |_| (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64).unwrap();
            counts[i] += 1;
        }
        assert!(counts.iter().all(|&c| (9_000..11_000).contains(&c)), "{counts:?}");
    }

    fn web(internal_local: bool, external_local: bool) -> ServicePortRule {
        let spn = "default/web";
        let hash = port_proto_hash(spn, "tcp");
        let eps = [("10.244.3.2", "worker-1"), ("10.244.3.3", "worker-1"), ("10.244.4.2", "worker-2")];
        let n = eps.len();
        ServicePortRule {
            namespace: "default".into(),
            service: "web".into(),
            name: spn.into(),
            protocol: "TCP".into(),
            cluster_ip: "10.96.0.20".into(),
            port: 80,
            node_port: Some(30080),
            svc_chain: format!("KUBE-SVC-{hash}"),
            ext_chain: format!("KUBE-EXT-{hash}"),
            load_balancer_ips: Vec::new(),
            affinity_seconds: None,
            local_chain: format!("KUBE-SVL-{hash}"),
            internal_local,
            external_local,
            endpoints: eps
                .iter()
                .enumerate()
                .map(|(i, (ip, node))| EndpointRule {
                    ip: ip.to_string(),
                    port: 80,
                    chain: endpoint_chain(spn, "tcp", &format!("{ip}:80")),
                    probability: (i + 1 < n).then(|| printed_probability(n - i)),
                    pod: None,
                    node: Some(node.to_string()),
                })
                .collect(),
        }
    }

    #[test]
    fn internal_traffic_policy_local_keeps_to_the_node() {
        let r = web(true, false);
        let route = r.route("worker-1", false, Source::Pod).unwrap();
        assert_eq!(route.chain, r.local_chain);
        assert_eq!(route.endpoints.len(), 2);
        assert_eq!(route.endpoints[0].probability.as_deref(), Some("0.50000000000"));
        assert!(!route.masquerade);
        let dropped = r.route("control-plane-1", false, Source::Pod).unwrap_err();
        assert_eq!(dropped.comment, "default/web has no local endpoints");
        assert_eq!(dropped.policy, "internalTrafficPolicy");
        // NodePort traffic keeps the Cluster policy.
        assert_eq!(r.route("control-plane-1", true, Source::Outside).unwrap().chain, r.svc_chain);
    }

    #[test]
    fn external_traffic_policy_local() {
        let r = web(false, true);
        // From outside, only this node's endpoints, source kept; none here → dropped.
        let route = r.route("worker-2", true, Source::Outside).unwrap();
        assert_eq!((route.chain.as_str(), route.endpoints.len(), route.masquerade), (r.local_chain.as_str(), 1, false));
        assert_eq!(r.route("worker-3", true, Source::Outside).unwrap_err().policy, "externalTrafficPolicy");
        // Pods and the node itself short-circuit to the cluster chain (the node's own traffic masqueraded).
        let pod = r.route("worker-3", true, Source::Pod).unwrap();
        assert_eq!((pod.chain.as_str(), pod.masquerade), (r.svc_chain.as_str(), false));
        assert_eq!(pod.reason, "pod traffic for default/web external destinations");
        let node = r.route("worker-3", true, Source::ThisNode).unwrap();
        assert_eq!((node.chain.as_str(), node.masquerade), (r.svc_chain.as_str(), true));
        // The ClusterIP is unaffected; Cluster policy masquerades external traffic.
        assert_eq!(r.route("worker-3", false, Source::Pod).unwrap().chain, r.svc_chain);
        assert!(web(false, false).route("worker-3", true, Source::Outside).unwrap().masquerade);
    }

    #[test]
    fn nat_rules_differ_per_node_under_local_policies() {
        let r = web(false, true);
        let (ext, svl) = (r.ext_chain.clone(), r.local_chain.clone());
        let on_w1 = nat_save(std::slice::from_ref(&r), "worker-1", Some(&ext)).unwrap();
        assert_eq!(
            on_w1,
            format!(
                "-N {ext}\n\
                 -A {ext} -s 10.244.0.0/16 -m comment --comment \"pod traffic for default/web external destinations\" -j {svc}\n\
                 -A {ext} -m comment --comment \"masquerade LOCAL traffic for default/web external destinations\" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ\n\
                 -A {ext} -m comment --comment \"route LOCAL traffic for default/web external destinations\" -m addrtype --src-type LOCAL -j {svc}\n\
                 -A {ext} -j {svl}\n",
                svc = r.svc_chain
            )
        );
        let svl_w1 = nat_save(std::slice::from_ref(&r), "worker-1", Some(&svl)).unwrap();
        assert_eq!(svl_w1.lines().count(), 3, "{svl_w1}");
        assert!(svl_w1.contains("--probability 0.50000000000"));
        // No local endpoint: no KUBE-SVL chain and EXT ends without the jump (the filter table drops the rest).
        assert_eq!(nat_save(std::slice::from_ref(&r), "worker-3", Some(&svl)), None);
        assert!(!nat_save(std::slice::from_ref(&r), "worker-3", Some(&ext)).unwrap().contains(&format!("-j {svl}")));
        // internalTrafficPolicy: Local: the ClusterIP jumps to KUBE-SVL where there are local endpoints only.
        let i = web(true, false);
        let all_w1 = nat_save(std::slice::from_ref(&i), "worker-1", None).unwrap();
        assert!(all_w1.contains(&format!("--dport 80 -j {}", i.local_chain)), "{all_w1}");
        let all_cp = nat_save(std::slice::from_ref(&i), "control-plane-1", None).unwrap();
        assert!(!all_cp.contains("cluster IP\" -m tcp --dport 80"), "{all_cp}");
    }
}
