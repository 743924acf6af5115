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
//! Simplified (stated): every node has the same rules (externalTrafficPolicy/internalTrafficPolicy `Local`
//! and session affinity are not programmed), and `iptables` on a node shows kube-proxy's chains only.

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
    pub endpoints: Vec<EndpointRule>,
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
                    let pod = e
                        .target_ref
                        .as_ref()
                        .and_then(|r| Some(format!("{}/{}", r.namespace.clone().unwrap_or_default(), r.name.clone()?)));
                    for ip in &e.addresses {
                        let entry = (ip.clone(), port, pod.clone());
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
                .map(|(i, (ip, port, pod))| EndpointRule {
                    chain: endpoint_chain(&spn, &lower, &format!("{ip}:{port}")),
                    probability: (i + 1 < n).then(|| printed_probability(n - i)),
                    ip,
                    port,
                    pod,
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

/// `iptables -t nat -S [CHAIN]` for kube-proxy's chains (policy lines first when no chain is named). `None`
/// when the chain does not exist.
pub fn nat_save(rules: &[ServicePortRule], chain: Option<&str>) -> Option<String> {
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
        services.push(format!(
            "-A KUBE-SERVICES -d {}/32 -p {p} -m comment --comment {} -m {p} --dport {} -j {}",
            r.cluster_ip,
            c(&format!("{} cluster IP", r.name)),
            r.port,
            r.svc_chain
        ));
        for lb in &r.load_balancer_ips {
            services.push(format!(
                "-A KUBE-SERVICES -d {lb}/32 -p {p} -m comment --comment {} -m {p} --dport {} -j {}",
                c(&format!("{} loadbalancer IP", r.name)),
                r.port,
                r.ext_chain
            ));
        }
        if r.node_port.is_some() || !r.load_balancer_ips.is_empty() {
            per_service.push((
                r.ext_chain.clone(),
                vec![
                    format!(
                        "-A {} -m comment --comment {} -j KUBE-MARK-MASQ",
                        r.ext_chain,
                        c(&format!("masquerade traffic for {} external destinations", r.name))
                    ),
                    format!("-A {} -j {}", r.ext_chain, r.svc_chain),
                ],
            ));
        }
        if let Some(np) = r.node_port {
            nodeports.push(format!(
                "-A KUBE-NODEPORTS -p {p} -m comment --comment {} -m {p} --dport {np} -j {}",
                c(&r.name),
                r.ext_chain
            ));
        }
        let mut svc_lines = vec![format!(
            "-A {} ! -s {CLUSTER_CIDR} -d {}/32 -p {p} -m comment --comment {} -m {p} --dport {} -j KUBE-MARK-MASQ",
            r.svc_chain,
            r.cluster_ip,
            c(&format!("{} cluster IP", r.name)),
            r.port
        )];
        // Session affinity (kube-proxy's `recent` match rules, printed in libxt_recent's save order: the command,
        // --seconds, --reap, then --name, --mask, --rsource): a client seen within the timeout goes back to the
        // endpoint it had.
        let recent =
            |cmd: &str, chain: &str| format!("-m recent {cmd} --name {chain} --mask 255.255.255.255 --rsource");
        if let Some(secs) = r.affinity_seconds {
            for e in &r.endpoints {
                svc_lines.push(format!(
                    "-A {} -m comment --comment {} {} -j {}",
                    r.svc_chain,
                    c(&format!("{} -> {}:{}", r.name, e.ip, e.port)),
                    recent(&format!("--rcheck --seconds {secs} --reap"), &e.chain),
                    e.chain
                ));
            }
        }
        for e in &r.endpoints {
            let stat = e
                .probability
                .as_ref()
                .map(|pr| format!(" -m statistic --mode random --probability {pr}"))
                .unwrap_or_default();
            svc_lines.push(format!(
                "-A {} -m comment --comment {}{stat} -j {}",
                r.svc_chain,
                c(&format!("{} -> {}:{}", r.name, e.ip, e.port)),
                e.chain
            ));
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
        per_service.push((r.svc_chain.clone(), svc_lines));
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
            endpoints: (0..3)
                .map(|i| EndpointRule {
                    ip: format!("10.244.3.{i}"),
                    port: 80,
                    chain: String::new(),
                    probability: None,
                    pod: None,
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
}
