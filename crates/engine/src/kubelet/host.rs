//! The world a container's shell sees ([`shell::Host`]): its filesystem (image, writable layer, volumes),
//! its log, and a network that reaches other pods' servers by pod IP, Service name or ClusterIP. Probes run
//! through the same paths.
//!
//! Requests to other pods cannot change them while this container runs (the kubelet holds it apart), so
//! their side effects — an nginx access-log line — are collected and applied afterwards.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Pod, Probe};

use crate::clock::Millis;
use crate::cluster::Cluster;
use crate::object::{Kind, Object};
use crate::runtime::fs::{Fs, LayeredFs, MemFs, Mount};
use crate::runtime::shell::{
    self, ConnectOutcome, DnsAnswer, DnsOutcome, HttpOutcome, HttpRequest, PingOutcome, Poll, QueryType,
};

use crate::network::dns::{self, Answer, ResolvConf, CLUSTER_DNS};
use crate::network::internet::{self, Listener};
use crate::network::proxy::{self, ServicePortRule};
use crate::network::{in_cidr, FirewallChange, FirewallRule, Hop, Trace, TraceKind};

use super::container::{resolve_port, ContainerRun, Process, Stream};
use super::programs::{NonHttp, Server};
use super::status::ETC_VOLUME;
use super::PodRun;

/// Busybox applets a container command may name directly (`command: ["sleep", "3600"]`).
const APPLETS: &[&str] = &[
    "echo", "cat", "ls", "touch", "rm", "mkdir", "sleep", "date", "env", "printenv", "hostname", "wget", "nslookup",
    "ping", "nc", "true", "false", "printf", "grep", "head", "tail", "wc", "seq", "expr", "cp", "mv", "kill", "ps",
    "test", "tee", "id", "whoami", "uname", "pwd", "sort", "uniq", "cut", "tr", "sed", "awk", "yes", "watch", "top",
    "base64",
];

pub fn is_applet(name: &str) -> bool {
    APPLETS.contains(&name)
}

/// Something a request did to another pod, applied after the container's turn.
#[derive(Clone, Debug)]
pub enum Effect {
    /// A log line for `container` of the pod with `uid` on `node`.
    Log { node: String, uid: String, container: String, line: String, at: Millis },
    /// A request or lookup's path, for the network's trace log.
    Trace(Trace),
    /// kube-proxy's session-affinity memory: this client went to this endpoint at this instant.
    Affinity { service_port: String, client: String, endpoint: String, at: Millis },
    /// A node's `iptables` changed its filter table.
    Firewall { node: String, change: FirewallChange },
}

/// A server somewhere in the cluster, found by IP and port.
struct Target<'c> {
    server: &'c Server,
    node: String,
    uid: String,
    container: String,
    fs: ReadView<'c>,
    hostname: String,
}

/// A read-only view of another container's files (its image, its layer, and its pod's volumes).
struct ReadView<'c> {
    base: &'c MemFs,
    upper: &'c MemFs,
    volumes: &'c BTreeMap<String, MemFs>,
    mounts: Vec<Mount>,
}

impl ReadView<'_> {
    fn read(&self, path: &str) -> Option<String> {
        read_through(self.base, self.upper, self.volumes, &self.mounts, path)
    }

    fn modified(&self, path: &str) -> Option<Millis> {
        modified_through(self.upper, self.volumes, &self.mounts, path)
    }
}

/// The deepest mount covering `path` in the container, with the path inside its volume (under `subPath`).
fn mount_of<'a>(mounts: &'a [Mount], path: &str) -> Option<(&'a Mount, String)> {
    let m = mounts
        .iter()
        .filter(|m| path == m.path || m.path == "/" || path.starts_with(&format!("{}/", m.path)))
        .max_by_key(|m| m.path.len())?;
    let rest = &path[m.path.len().min(path.len())..];
    Some((m, crate::runtime::fs::normalize("/", &format!("/{}/{}", m.sub_path, rest))))
}

/// When `path` was last written in the container (a mount or its writable layer); `None` for a file that came
/// with the image (or none at all).
fn modified_through(upper: &MemFs, volumes: &BTreeMap<String, MemFs>, mounts: &[Mount], path: &str) -> Option<Millis> {
    match mount_of(mounts, path) {
        Some((m, inner)) => volumes.get(&m.volume)?.stat(&inner).ok().map(|s| s.mtime),
        None => upper.stat(path).ok().map(|s| s.mtime),
    }
}

/// Reads `path` as the container sees it: the deepest mount covering it, else the layer, else the image.
fn read_through(
    base: &MemFs,
    upper: &MemFs,
    volumes: &BTreeMap<String, MemFs>,
    mounts: &[Mount],
    path: &str,
) -> Option<String> {
    match mount_of(mounts, path) {
        Some((m, inner)) => volumes.get(&m.volume)?.read(&inner).ok(),
        None => upper.read(path).ok().or_else(|| base.read(path).ok()),
    }
}

/// The text of the file at `path` as container `container` of a pod the kubelet runs sees it (its mounts,
/// else its writable layer, else the image), without running anything: for lesson checks. `None` when there is
/// no such container or file.
pub fn read_container_file(pod: &Pod, run: &super::PodRun, container: &str, path: &str) -> Option<String> {
    let c = run.container(container)?;
    read_through(&c.base, &c.upper, &run.volumes, &mounts_of(pod, container), path)
}

/// The mounts of a container: its volumeMounts plus the kubelet's `/etc/hosts`, `/etc/resolv.conf` and
/// `/etc/hostname`.
pub fn mounts_of(pod: &Pod, container: &str) -> Vec<Mount> {
    let spec = pod.spec.clone().unwrap_or_default();
    let c = spec.init_containers.iter().flatten().chain(spec.containers.iter()).find(|c| c.name == container);
    let mut mounts = vec![
        Mount::new("/etc/hosts", ETC_VOLUME).sub_path("hosts"),
        Mount::new("/etc/resolv.conf", ETC_VOLUME).sub_path("resolv.conf"),
        Mount::new("/etc/hostname", ETC_VOLUME).sub_path("hostname"),
    ];
    for m in c.and_then(|c| c.volume_mounts.clone()).unwrap_or_default() {
        let mut mount = Mount::new(&m.mount_path, &m.name);
        if let Some(sub) = m.sub_path.filter(|s| !s.is_empty()) {
            // A subPath of a volume that follows its source is a copy taken at mount time (never updated).
            let follows = spec.volumes.iter().flatten().any(|v| v.name == m.name && super::volumes::auto_updates(v));
            if follows {
                mount = Mount::new(&m.mount_path, &super::volumes::frozen_key(&m.name));
            }
            mount = mount.sub_path(&sub);
        }
        if m.read_only == Some(true) {
            mount = mount.read_only();
        }
        mounts.push(mount);
    }
    mounts
}

/// The container's world while its shell (or an exec, or a probe) runs.
pub struct ContainerHost<'a> {
    pub now: Millis,
    pub fs: LayeredFs<'a>,
    pub out: Vec<(Stream, String)>,
    pub hostname: String,
    pub namespace: String,
    pub pod_ip: String,
    /// The other containers of the same pod (for `localhost`).
    pub siblings: &'a [ContainerRun],
    pub cluster: &'a Cluster,
    pub effects: Vec<Effect>,
    pub node: String,
    pub uid: String,
    seq: u64,
    pod_name: String,
    /// The container the process runs in.
    container: String,
    /// The trace being built for the current request or lookup.
    trace: Option<Trace>,
    /// Session-affinity choices made during this turn (applied to the cluster afterwards).
    affinity: BTreeMap<(String, String), (String, Millis)>,
    /// The source address the server of the current connection sees (after Flannel's and kube-proxy's
    /// masquerades), when it is not this container's own address.
    seen_src: Option<String>,
    /// The version of the image's `curl`, when it ships one.
    pub curl: Option<String>,
    /// Whether the command's standard output is a terminal (`kubectl exec -t`).
    pub tty: bool,
    /// The server this very container runs, if any (`kubectl exec` into nginx, then `curl localhost`).
    pub own: Option<Server>,
}

impl<'a> ContainerHost<'a> {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        cluster: &'a Cluster,
        node: &str,
        pod: &Pod,
        base: &'a MemFs,
        upper: &'a mut MemFs,
        volumes: &'a mut BTreeMap<String, MemFs>,
        siblings: &'a [ContainerRun],
        container: &str,
        pod_ip: &str,
        hostname: &str,
        now: Millis,
    ) -> ContainerHost<'a> {
        ContainerHost {
            now,
            fs: LayeredFs::new(base, upper, volumes, mounts_of(pod, container)),
            out: Vec::new(),
            hostname: hostname.to_string(),
            namespace: pod.metadata.namespace.clone().unwrap_or_default(),
            pod_ip: pod_ip.to_string(),
            siblings,
            cluster,
            effects: Vec::new(),
            node: node.to_string(),
            uid: pod.metadata.uid.clone().unwrap_or_default(),
            seq: 0,
            pod_name: pod.metadata.name.clone().unwrap_or_default(),
            container: container.to_string(),
            trace: None,
            affinity: BTreeMap::new(),
            seen_src: None,
            curl: None,
            tty: false,
            own: None,
        }
    }

    /// Names and addresses to an IP: literal IPs, `localhost`, then the pod's resolver.
    fn resolve(&mut self, host: &str) -> Option<String> {
        if host == "localhost" || host == "127.0.0.1" {
            return Some("127.0.0.1".into());
        }
        if crate::network::parse_ipv4(host).is_some() {
            return Some(host.to_string());
        }
        match self.lookup_traced(host, QueryType::A) {
            DnsOutcome::Answers { answers, .. } => answers.into_iter().find_map(|a| match a {
                DnsAnswer::Found { addresses, .. } | DnsAnswer::Cname { addresses, .. } => addresses.into_iter().next(),
                DnsAnswer::NxDomain { .. } | DnsAnswer::Ptr { .. } | DnsAnswer::Srv { .. } => None,
            }),
            DnsOutcome::TimedOut => None,
        }
    }

    /// A uniform number in [0, 1) for the `i`-th random rule of this request: iptables' `statistic` match,
    /// derived from the instant, the client and a per-container counter so replays choose the same.
    fn draw(&self, i: usize) -> f64 {
        let h = super::images::digest_hex(&format!("{}/{}/{}/{i}", self.now, self.pod_ip, self.seq));
        let v = u64::from_str_radix(&h[..13], 16).unwrap_or(0);
        v as f64 / (1u64 << 52) as f64
    }

    fn begin_trace(&mut self, kind: TraceKind) {
        let pod = (!self.namespace.is_empty()).then(|| self.client());
        let hops = vec![Hop::Source { node: self.node.clone(), pod, ip: self.pod_ip.clone() }];
        self.trace = Some(Trace { seq: 0, at_ms: self.now, client: self.client(), kind, hops, outcome: String::new() });
    }

    fn client(&self) -> String {
        if self.namespace.is_empty() {
            format!("node/{}", self.node)
        } else {
            format!("{}/{}", self.namespace, self.pod_name)
        }
    }

    /// A node's own shell or a hostNetwork pod: traffic starts in the node's network namespace.
    fn on_host_network(&self) -> bool {
        self.cluster.machines.get(&self.node).is_some_and(|m| m.plan.internal_ip == self.pod_ip)
    }

    fn hop(&mut self, hop: Hop) {
        if let Some(t) = &mut self.trace {
            t.hops.push(hop);
        }
    }

    fn end_trace(&mut self, outcome: &str) {
        if let Some(mut t) = self.trace.take() {
            t.outcome = outcome.to_string();
            self.effects.push(Effect::Trace(t));
        }
    }

    /// The node whose pod network holds `ip`, or whose own address it is.
    fn node_of(&self, ip: &str) -> Option<(String, String)> {
        self.cluster.machines.iter().find_map(|m| {
            (m.plan.internal_ip == ip || in_cidr(ip, &m.plan.pod_cidr))
                .then(|| (m.plan.name.clone(), m.plan.internal_ip.clone()))
        })
    }

    /// Out of the pod: across its veth pair to the node's cni0 bridge, where the node's iptables (kube-proxy's
    /// rules) see the packet.
    fn cross_to_bridge(&mut self) {
        if self.on_host_network() {
            return;
        }
        let cidr = self.cluster.machines.get(&self.node).map(|m| m.plan.pod_cidr.clone()).unwrap_or_default();
        let gateway = gateway_of(&cidr);
        self.hop(Hop::Bridge { node: self.node.clone(), bridge: "cni0".into(), gateway });
    }

    /// Once the destination is a pod address: VXLAN across nodes when it lives on another node.
    ///
    /// Between nodes the packet meets the nodes' filter tables (the sender's OUTPUT, the receiver's INPUT, which
    /// see the node addresses of the VXLAN packet): `Some(target)` when a learner's rule stops it.
    fn path_to(&mut self, ip: &str) -> Option<String> {
        let from = self.node.clone();
        self.path_from(&from, ip)
    }

    /// [`Self::path_to`] from `from` (the node whose rules rewrote the destination, for a NodePort or hostPort of
    /// another node).
    fn path_from(&mut self, from: &str, ip: &str) -> Option<String> {
        let (to_node, to_ip) = self.node_of(ip)?;
        if to_node == from {
            return None;
        }
        let from_ip = self.cluster.machines.get(from).map(|m| m.plan.internal_ip.clone()).unwrap_or_default();
        if let Some((node, rule)) = self.cluster.firewall_verdict(from, &from_ip, &to_node, &to_ip) {
            self.hop(Hop::Filtered { node, rule: rule.spec() });
            return Some(rule.target);
        }
        if to_ip != ip {
            self.hop(Hop::Vxlan {
                from_node: from.to_string(),
                to_node,
                outer_src: from_ip,
                outer_dst: to_ip,
                inner_src: self.seen_src.clone().unwrap_or_else(|| self.pod_ip.clone()),
                inner_dst: ip.to_string(),
            });
        }
        None
    }

    /// A pod on the node with address `ip` that asked for `hostPort: port`: (namespace/name, pod IP,
    /// containerPort).
    fn host_port(&self, ip: &str, port: u16) -> Option<(String, String, u16)> {
        let (node, node_ip) = self.node_of(ip)?;
        if node_ip != ip {
            return None;
        }
        self.cluster.store.list(Kind::Pod, None).find_map(|o| {
            let Object::Pod(p) = o else { return None };
            let spec = p.spec.as_ref()?;
            if spec.node_name.as_deref() != Some(node.as_str()) || p.metadata.deletion_timestamp.is_some() {
                return None;
            }
            let cp = spec
                .containers
                .iter()
                .flat_map(|c| c.ports.iter().flatten())
                .find(|cp| cp.host_port == Some(port as i32) && cp.protocol.as_deref().unwrap_or("TCP") == "TCP")?;
            let pod_ip = p.status.as_ref()?.pod_ip.clone()?;
            Some((format!("{}/{}", o.namespace(), o.name()), pod_ip, u16::try_from(cp.container_port).ok()?))
        })
    }

    fn pod_name_at(&self, ip: &str) -> Option<String> {
        self.cluster.kubelets.nodes.values().find_map(|a| {
            a.pods.values().find(|r| r.ip.as_deref() == Some(ip)).map(|r| format!("{}/{}", r.namespace, r.name))
        })
    }

    /// The resolver: reads this container's `/etc/resolv.conf`, sends each candidate name to the nameserver
    /// (through kube-proxy to a CoreDNS pod for the cluster DNS), and records the walk as a trace.
    fn lookup_traced(&mut self, name: &str, qtype: QueryType) -> DnsOutcome {
        let rc = ResolvConf::parse(&self.fs.read("/etc/resolv.conf").unwrap_or_default());
        self.begin_trace(TraceKind::Lookup { name: name.to_string() });
        let Some(server) = rc.nameservers.first().cloned() else {
            self.end_trace("no nameserver in /etc/resolv.conf");
            return DnsOutcome::TimedOut;
        };
        let dots = name.trim_end_matches('.').matches('.').count();
        self.hop(Hop::Resolver {
            search: rc.search.clone(),
            ndots: rc.ndots,
            nameserver: server.clone(),
            dots,
            search_first: !name.ends_with('.') && dots < rc.ndots,
        });
        if server == CLUSTER_DNS {
            self.cross_to_bridge();
            let rules = proxy::service_rules(self.cluster);
            let Some(rule) = proxy::find_rule(&rules, &server, 53, "UDP", &[]).cloned() else {
                self.hop(Hop::Unreachable { ip: server });
                self.end_trace("timed out");
                return DnsOutcome::TimedOut;
            };
            if rule.endpoints.is_empty() {
                // No CoreDNS pod is ready: the query goes unanswered until the resolver gives up.
                self.hop(Hop::NoEndpoints {
                    node: self.node.clone(),
                    service: rule.name.clone(),
                    destination: format!("{server}:53"),
                });
                self.end_trace("timed out: no CoreDNS endpoint is ready");
                return DnsOutcome::TimedOut;
            }
            self.seq += 1;
            let i = proxy::pick_endpoint(&rule, |i| self.draw(i)).unwrap_or(0);
            let ep = rule.endpoints[i].clone();
            let route = proxy::Route {
                ext_chain: None,
                chain: rule.svc_chain.clone(),
                endpoints: rule.endpoints.clone(),
                masquerade: false,
                reason: String::new(),
            };
            self.hop(kube_proxy_hop(&self.node, &rule, &route, i, &format!("{server}:53"), None));
            if self.path_to(&ep.ip).is_some() {
                // Dropped or rejected on the way to CoreDNS: the resolver hears nothing and gives up.
                self.end_trace("timed out: the query was filtered");
                return DnsOutcome::TimedOut;
            }
            self.hop(Hop::Deliver {
                node: self.node_of(&ep.ip).map(|n| n.0).unwrap_or_default(),
                pod: ep.pod,
                ip: ep.ip,
                port: 53,
            });
        } else {
            self.hop(Hop::Deliver { node: String::new(), pod: None, ip: server.clone(), port: 53 });
        }
        let mut last = name.to_string();
        // A reverse lookup asks for exactly the in-addr.arpa name; other queries walk the search list.
        let candidates = if qtype == QueryType::Ptr { vec![(name.to_string(), None)] } else { rc.candidates(name) };
        for (query, domain) in candidates {
            self.hop(Hop::Query { query: query.clone(), server: server.clone(), search_domain: domain });
            let answer = if server != CLUSTER_DNS && (query.ends_with(".cluster.local") || qtype != QueryType::A) {
                // The node's resolver knows neither cluster names nor the cluster's addresses.
                Answer::NxDomain
            } else if qtype == QueryType::Srv {
                dns::answer_srv(self.cluster, &query)
            } else {
                dns::answer(self.cluster, &query)
            };
            self.hop(Hop::Answer { query: query.clone(), answer: answer.describe() });
            last = query.clone();
            match answer {
                Answer::A(addresses) => {
                    self.end_trace(&addresses.join(", "));
                    return DnsOutcome::Answers { server, answers: vec![DnsAnswer::Found { name: query, addresses }] };
                }
                Answer::Cname(target, addresses) => {
                    self.end_trace(&format!("CNAME {target}"));
                    return DnsOutcome::Answers {
                        server,
                        answers: vec![DnsAnswer::Cname { name: query, target, addresses }],
                    };
                }
                Answer::Ptr(targets) => {
                    self.end_trace(&format!("PTR {}", targets.join(", ")));
                    return DnsOutcome::Answers { server, answers: vec![DnsAnswer::Ptr { name: query, targets }] };
                }
                Answer::Srv(records) => {
                    self.end_trace(&format!("{} SRV records", records.len()));
                    return DnsOutcome::Answers { server, answers: vec![DnsAnswer::Srv { name: query, records }] };
                }
                Answer::NxDomain => {}
            }
        }
        let _ = last;
        self.end_trace("NXDOMAIN");
        DnsOutcome::Answers { server, answers: vec![DnsAnswer::NxDomain { name: name.to_string() }] }
    }

    /// The server behind `ip:port`: through kube-proxy's rules when it is a Service address (a ClusterIP, or a
    /// node address with a NodePort), then across the pod network to the pod. Records the hops.
    fn connect(&mut self, ip: &str, port: u16) -> Result<(String, u16, Option<Target<'a>>), HttpOutcome> {
        if ip == "127.0.0.1" {
            let found = self.siblings.iter().find_map(|c| match &c.process {
                Some(Process::Native(s)) if s.listens(port) && c.is_running() => Some((c, s)),
                _ => None,
            });
            self.hop(Hop::Deliver { node: self.node.clone(), pod: Some(self.client()), ip: "127.0.0.1".into(), port });
            return Ok(("127.0.0.1".into(), port, found.map(|(c, s)| self.local_target(c, s))));
        }
        self.cross_to_bridge();
        let rules = proxy::service_rules(self.cluster);
        let node_ips: Vec<String> = self.cluster.machines.iter().map(|m| m.plan.internal_ip.clone()).collect();
        let mut dest = (ip.to_string(), port);
        // A NodePort or hostPort of another node is rewritten by that node's rules: the packet first travels to it.
        let mut at_node = self.node.clone();
        if let Some((node, node_ip)) = self.node_of(ip).filter(|(n, node_ip)| node_ip == ip && *n != self.node) {
            match self.path_to(&node_ip).as_deref() {
                Some("REJECT") => return Err(HttpOutcome::Refused { ip: ip.to_string(), port }),
                Some(_) => return Err(HttpOutcome::TimedOut { ip: ip.to_string(), port }),
                None => at_node = node,
            }
        }
        self.seen_src = None;
        if let Some(rule) = proxy::find_rule(&rules, ip, port, "TCP", &node_ips).cloned() {
            if rule.endpoints.is_empty() {
                self.hop(Hop::NoEndpoints {
                    node: at_node.clone(),
                    service: rule.name.clone(),
                    destination: format!("{ip}:{port}"),
                });
                return Err(HttpOutcome::Refused { ip: ip.to_string(), port });
            }
            // How the rewriting node's rules see the source: a pod (`-s 10.244.0.0/16`), the node itself
            // (`--src-type LOCAL`), or outside — a packet from another node, which Flannel masqueraded to that
            // node's address if a pod sent it.
            let external = rule.cluster_ip != ip && !rule.load_balancer_ips.iter().any(|l| l == ip);
            let source = if at_node != self.node {
                proxy::Source::Outside
            } else if self.on_host_network() {
                proxy::Source::ThisNode
            } else {
                proxy::Source::Pod
            };
            let route = match rule.route(&at_node, external, source) {
                Ok(route) => route,
                Err(dropped) => {
                    self.hop(Hop::Dropped {
                        node: at_node.clone(),
                        service: rule.name.clone(),
                        destination: format!("{ip}:{port}"),
                        policy: dropped.policy.to_string(),
                        comment: dropped.comment,
                    });
                    return Err(HttpOutcome::TimedOut { ip: ip.to_string(), port });
                }
            };
            let chosen = ServicePortRule { endpoints: route.endpoints.clone(), ..rule.clone() };
            self.seq += 1;
            let key = (rule.name.clone(), self.pod_ip.clone());
            let sticky = rule
                .affinity_seconds
                .and_then(|secs| {
                    let (ep, at) = self.affinity.get(&key).or_else(|| self.cluster.network.affinity.get(&key))?;
                    (self.now <= at + secs.max(0) as Millis * 1000).then(|| ep.clone())
                })
                .and_then(|ep| chosen.endpoints.iter().position(|e| format!("{}:{}", e.ip, e.port) == ep));
            let i = match sticky {
                Some(i) => i,
                None => proxy::pick_endpoint(&chosen, |i| self.draw(i)).unwrap_or(0),
            };
            let ep = chosen.endpoints[i].clone();
            // The address the endpoint sees: MASQUERADE picks the outgoing interface's (cni0 for an endpoint on
            // the rewriting node, flannel.1 for another node's); without it, the packet's source as it arrived.
            let rewriting_cidr =
                self.cluster.machines.get(&at_node).map(|m| m.plan.pod_cidr.clone()).unwrap_or_default();
            let snat = route.masquerade.then(|| {
                if ep.node.as_deref() == Some(at_node.as_str()) {
                    gateway_of(&rewriting_cidr)
                } else {
                    rewriting_cidr.split('/').next().unwrap_or_default().to_string()
                }
            });
            self.seen_src = match &snat {
                Some(a) => Some(a.clone()),
                None if at_node != self.node => {
                    self.cluster.machines.get(&self.node).map(|m| m.plan.internal_ip.clone())
                }
                None => None,
            };
            let mut hop = kube_proxy_hop(&at_node, &rule, &route, i, &format!("{ip}:{port}"), snat);
            if let (Some(_), Hop::KubeProxy { probability, .. }) = (sticky, &mut hop) {
                *probability = "session affinity".into();
            }
            self.hop(hop);
            dest = (ep.ip.clone(), u16::try_from(ep.port).unwrap_or(0));
            if rule.affinity_seconds.is_some() {
                let endpoint = format!("{}:{}", ep.ip, ep.port);
                self.affinity.insert(key.clone(), (endpoint.clone(), self.now));
                self.effects.push(Effect::Affinity { service_port: key.0, client: key.1, endpoint, at: self.now });
            }
        } else if let Some((pod, pod_ip, container_port)) = self.host_port(ip, port) {
            // The CNI portmap plugin's DNAT for a container's hostPort (from another node, the packet arrives with
            // the client node's address: Flannel masquerades pod traffic leaving the pod network).
            if at_node != self.node {
                self.seen_src = self.cluster.machines.get(&self.node).map(|m| m.plan.internal_ip.clone());
            }
            self.hop(Hop::HostPort {
                node: self.node_of(ip).map(|n| n.0).unwrap_or_default(),
                host_port: port,
                pod,
                endpoint: format!("{pod_ip}:{container_port}"),
            });
            dest = (pod_ip, container_port);
        } else if rules.iter().any(|r| r.cluster_ip == ip) {
            // A ClusterIP on a port the Service does not have: no rule matches and nothing answers.
            self.hop(Hop::Unreachable { ip: ip.to_string() });
            return Err(HttpOutcome::TimedOut { ip: ip.to_string(), port });
        }
        match self.path_from(&at_node, &dest.0).as_deref() {
            Some("REJECT") => return Err(HttpOutcome::Refused { ip: ip.to_string(), port }),
            Some(_) => return Err(HttpOutcome::TimedOut { ip: ip.to_string(), port }),
            None => {}
        }
        let target = self.pod_target(&dest.0, dest.1);
        if target.is_none() && !self.ip_exists(&dest.0) {
            self.hop(Hop::Unreachable { ip: dest.0.clone() });
            return Err(HttpOutcome::TimedOut { ip: ip.to_string(), port });
        }
        let node = self.node_of(&dest.0).map(|n| n.0).unwrap_or_default();
        if target.is_some() {
            self.hop(Hop::Deliver { node, pod: self.pod_name_at(&dest.0), ip: dest.0.clone(), port: dest.1 });
        } else {
            self.hop(Hop::Refused { ip: dest.0.clone(), port: dest.1 });
        }
        Ok((ip.to_string(), port, target))
    }

    fn ip_exists(&self, ip: &str) -> bool {
        self.cluster.kubelets.nodes.values().any(|a| a.pods.values().any(|r| r.ip.as_deref() == Some(ip)))
            || self.cluster.machines.iter().any(|m| m.plan.internal_ip == ip)
    }

    fn local_target(&self, c: &'a ContainerRun, s: &'a Server) -> Target<'a> {
        // The sibling shares this pod's volumes, which this host holds (its mounts are applied over them in
        // `http`); `volumes` stays empty here.
        let key = crate::store::ObjectKey::new(Kind::Pod, &self.namespace, &self.pod_name);
        let mounts = match self.cluster.store.get(&key) {
            Some(Object::Pod(pod)) => mounts_of(pod, &c.name),
            _ => Vec::new(),
        };
        Target {
            server: s,
            node: self.node.clone(),
            uid: self.uid.clone(),
            container: c.name.clone(),
            fs: ReadView { base: &c.base, upper: &c.upper, volumes: EMPTY_VOLUMES(), mounts },
            hostname: self.hostname.clone(),
        }
    }

    fn pod_target(&self, ip: &str, port: u16) -> Option<Target<'a>> {
        let cluster = self.cluster;
        for (node, agent) in &cluster.kubelets.nodes {
            for run in agent.pods.values() {
                if run.ip.as_deref() != Some(ip) {
                    continue;
                }
                let pod = match cluster.store.get(&crate::store::ObjectKey::new(Kind::Pod, &run.namespace, &run.name)) {
                    Some(Object::Pod(p)) => p,
                    _ => continue,
                };
                for c in &run.containers {
                    if let Some(Process::Native(s)) = &c.process {
                        if s.listens(port) && c.is_running() {
                            let hostname =
                                pod.spec.as_ref().and_then(|s| s.hostname.clone()).unwrap_or(run.name.clone());
                            return Some(Target {
                                server: s,
                                node: node.clone(),
                                uid: run.uid.clone(),
                                container: c.name.clone(),
                                fs: ReadView {
                                    base: &c.base,
                                    upper: &c.upper,
                                    volumes: &run.volumes,
                                    mounts: mounts_of(pod, &c.name),
                                },
                                hostname,
                            });
                        }
                    }
                }
            }
        }
        None
    }

    /// Takes a packet for `ip:port` on the simulated internet out of the cluster: across the bridge, through
    /// Flannel's masquerade (a pod's address becomes its node's), out of the node's default route. Returns what
    /// listens there, recording a hop that says the packet was dropped when nothing does.
    fn leave_cluster(&mut self, ip: &str, port: u16) -> Option<Listener> {
        self.cross_to_bridge();
        let node_ip = self.cluster.machines.get(&self.node).map(|m| m.plan.internal_ip.clone()).unwrap_or_default();
        if !self.on_host_network() {
            self.hop(Hop::Masquerade { node: self.node.clone(), from: self.pod_ip.clone(), to: node_ip });
        }
        let name = internet::names_of(ip).first().copied().unwrap_or_default().to_string();
        let hop = Hop::Internet {
            node: self.node.clone(),
            gateway: internet::GATEWAY.into(),
            name,
            ip: ip.to_string(),
            port,
        };
        self.hop(hop);
        let listener = internet::listener(ip, port);
        match listener {
            Some(_) => self.hop(Hop::Deliver { node: String::new(), pod: None, ip: ip.to_string(), port }),
            None => self.hop(Hop::Unreachable { ip: ip.to_string() }),
        }
        listener
    }

    /// An HTTP request to a server on the simulated internet (no access log of ours records it).
    fn http_internet(&mut self, ip: String, port: u16, method: &str) -> HttpOutcome {
        match self.leave_cluster(&ip, port) {
            Some(Listener::ExamplePage) => {
                let answer = internet::example_page(self.now);
                self.end_trace(&format!("HTTP {} {}", answer.status, reason_phrase(answer.status)));
                let body = if method == "HEAD" { String::new() } else { answer.body };
                HttpOutcome::Response {
                    ip,
                    port,
                    status: answer.status,
                    reason: reason_phrase(answer.status).into(),
                    headers: answer.headers,
                    body,
                }
            }
            Some(Listener::Tcp) => {
                self.end_trace("no HTTP answer: timed out");
                HttpOutcome::TimedOut { ip, port }
            }
            None => {
                self.end_trace("timed out");
                HttpOutcome::TimedOut { ip, port }
            }
        }
    }

    /// A request to the server of this very container, over `localhost`: it reads the files as this container
    /// sees them and writes its access-log line into this container's log.
    fn http_own(&mut self, server: &Server, port: u16, path: &str, method: &str, agent: &str) -> HttpOutcome {
        let ip = "127.0.0.1".to_string();
        self.hop(Hop::Deliver { node: self.node.clone(), pod: Some(self.client()), ip: ip.clone(), port });
        if !server.speaks_http() {
            self.end_trace("no HTTP answer: timed out");
            return HttpOutcome::TimedOut { ip, port };
        }
        let answer = {
            let fs = &self.fs;
            server.http_get(path, self.now, &self.hostname, &|p: &str| fs.read(p).ok())
        };
        let modified = server
            .served_file(path)
            .and_then(|f| modified_through(self.fs.upper, self.fs.volumes, &self.fs.mounts, &f));
        let headers = server.response_headers(path, answer.status, answer.body.len(), self.now, modified);
        let body = if method == "HEAD" { String::new() } else { answer.body };
        self.end_trace(&format!("HTTP {} {}", answer.status, reason_phrase(answer.status)));
        if let Some(line) = server.access_log(&ip, method, path, answer.status, body.len(), agent, self.now) {
            self.effects.push(Effect::Log {
                node: self.node.clone(),
                uid: self.uid.clone(),
                container: self.container.clone(),
                line,
                at: self.now,
            });
        }
        let reason = reason_phrase(answer.status).into();
        HttpOutcome::Response { ip, port, status: answer.status, reason, headers, body }
    }

    fn http(&mut self, url: &str, method: &str, agent: &str) -> HttpOutcome {
        let (rest, default_port) = match url.split_once("://") {
            Some(("https", r)) => (r, 443),
            Some((_, r)) => (r, 80),
            None => (url, 80),
        };
        let (hostport, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) => (h, p.parse().unwrap_or(default_port)),
            None => (hostport, default_port),
        };
        let Some(ip) = self.resolve(host) else { return HttpOutcome::BadAddress };
        self.begin_trace(TraceKind::Connect { host: host.to_string(), port });
        if internet::is_internet(&ip) {
            return self.http_internet(ip, port, method);
        }
        if let Some(server) = self.own.clone().filter(|s| ip == "127.0.0.1" && s.listens(port)) {
            return self.http_own(&server, port, path, method, agent);
        }
        let (ip, port, target) = match self.connect(&ip, port) {
            Ok(t) => t,
            Err(e) => {
                self.end_trace(outcome_words(&e));
                return e;
            }
        };
        let Some(t) = target else {
            self.end_trace("connection refused");
            return HttpOutcome::Refused { ip, port };
        };
        if !t.server.speaks_http() {
            let reply = t.server.on_http_request(self.now);
            if let Some(line) = reply.as_ref().and_then(|(_, l)| l.clone()) {
                self.effects.push(Effect::Log {
                    node: t.node.clone(),
                    uid: t.uid.clone(),
                    container: t.container.clone(),
                    line,
                    at: self.now,
                });
            }
            return match reply {
                Some((NonHttp::Closes, _)) => {
                    self.end_trace("no HTTP answer: the server closed the connection");
                    HttpOutcome::EmptyReply { ip, port }
                }
                Some((NonHttp::Greets, _)) => {
                    self.end_trace("no HTTP answer: the server greeted in its own protocol");
                    HttpOutcome::NotHttp { ip, port }
                }
                None => {
                    self.end_trace("no HTTP answer: timed out");
                    HttpOutcome::TimedOut { ip, port }
                }
            };
        }
        let local_read;
        let answer = if ip == "127.0.0.1" && t.uid == self.uid {
            // A sibling container: read through this pod's volumes as the sibling mounts them.
            local_read = |p: &str| read_through(t.fs.base, t.fs.upper, self.fs.volumes, &t.fs.mounts, p);
            t.server.http_get(path, self.now, &t.hostname, &local_read)
        } else {
            t.server.http_get(path, self.now, &t.hostname, &|p: &str| t.fs.read(p))
        };
        let src = if ip == "127.0.0.1" {
            "127.0.0.1".to_string()
        } else {
            self.seen_src.clone().unwrap_or_else(|| self.pod_ip.clone())
        };
        let modified = t.server.served_file(path).and_then(|f| {
            if ip == "127.0.0.1" && t.uid == self.uid {
                modified_through(t.fs.upper, self.fs.volumes, &t.fs.mounts, &f)
            } else {
                t.fs.modified(&f)
            }
        });
        let headers = t.server.response_headers(path, answer.status, answer.body.len(), self.now, modified);
        let body = if method == "HEAD" { String::new() } else { answer.body };
        self.end_trace(&format!("HTTP {} {}", answer.status, reason_phrase(answer.status)));
        if let Some(line) = t.server.access_log(&src, method, path, answer.status, body.len(), agent, self.now) {
            self.effects.push(Effect::Log {
                node: t.node.clone(),
                uid: t.uid.clone(),
                container: t.container.clone(),
                line,
                at: self.now,
            });
        }
        HttpOutcome::Response {
            ip,
            port,
            status: answer.status,
            reason: reason_phrase(answer.status).into(),
            headers,
            body,
        }
    }
}

#[allow(non_snake_case)]
fn EMPTY_VOLUMES() -> &'static BTreeMap<String, MemFs> {
    static EMPTY: std::sync::OnceLock<BTreeMap<String, MemFs>> = std::sync::OnceLock::new();
    EMPTY.get_or_init(BTreeMap::new)
}

fn reason_phrase(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "",
    }
}

/// `10.244.3.1`: the cni0 bridge's address, the first of the node's podCIDR.
fn gateway_of(cidr: &str) -> String {
    let net = cidr.split('/').next().unwrap_or_default();
    match net.rsplit_once('.') {
        Some((head, _)) => format!("{head}.1"),
        None => String::new(),
    }
}

fn kube_proxy_hop(
    node: &str,
    rule: &ServicePortRule,
    route: &proxy::Route,
    i: usize,
    destination: &str,
    snat: Option<String>,
) -> Hop {
    let ep = &route.endpoints[i];
    Hop::KubeProxy {
        node: node.to_string(),
        service: rule.name.clone(),
        destination: destination.to_string(),
        ext_chain: route.ext_chain.clone(),
        svc_chain: route.chain.clone(),
        sep_chain: ep.chain.clone(),
        endpoint: format!("{}:{}", ep.ip, ep.port),
        candidates: route.endpoints.len(),
        probability: ep.probability.clone().unwrap_or_default(),
        rule: route.reason.clone(),
        snat,
    }
}

fn outcome_words(e: &HttpOutcome) -> &'static str {
    match e {
        HttpOutcome::Refused { .. } => "connection refused",
        HttpOutcome::TimedOut { .. } | HttpOutcome::Unreachable { .. } => "timed out",
        _ => "failed",
    }
}

impl shell::Host for ContainerHost<'_> {
    fn now(&self) -> Millis {
        self.now
    }
    fn fs(&mut self) -> &mut dyn Fs {
        &mut self.fs
    }
    fn stdout(&mut self, text: &str) {
        self.out.push((Stream::Stdout, text.to_string()));
    }
    fn stderr(&mut self, text: &str) {
        self.out.push((Stream::Stderr, text.to_string()));
    }
    fn hostname(&self) -> String {
        self.hostname.clone()
    }
    fn http_get(&mut self, url: &str, _timeout_ms: Millis) -> HttpOutcome {
        // busybox wget's words for a server that closes or answers in another protocol are not simulated: it
        // waits out its timeout as before.
        match self.http(url, "GET", "Wget") {
            HttpOutcome::EmptyReply { ip, port } | HttpOutcome::NotHttp { ip, port } => {
                HttpOutcome::TimedOut { ip, port }
            }
            other => other,
        }
    }
    fn http_request(&mut self, request: &HttpRequest) -> HttpOutcome {
        self.http(&request.url, &request.method, &request.agent)
    }
    fn curl_version(&self) -> Option<String> {
        self.curl.clone()
    }
    fn stdout_is_tty(&self) -> bool {
        self.tty
    }
    fn lookup(&mut self, name: &str, qtype: QueryType) -> DnsOutcome {
        self.lookup_traced(name, qtype)
    }
    fn tcp_connect(&mut self, host: &str, port: u16) -> ConnectOutcome {
        let Some(ip) = self.resolve(host) else { return ConnectOutcome::BadAddress };
        self.begin_trace(TraceKind::Connect { host: host.to_string(), port });
        if internet::is_internet(&ip) {
            let (outcome, words) = match self.leave_cluster(&ip, port) {
                Some(_) => (ConnectOutcome::Open { ip }, "open"),
                None => (ConnectOutcome::TimedOut { ip }, "timed out"),
            };
            self.end_trace(words);
            return outcome;
        }
        if ip == "127.0.0.1" && self.own.as_ref().is_some_and(|s| s.listens(port)) {
            self.hop(Hop::Deliver { node: self.node.clone(), pod: Some(self.client()), ip: ip.clone(), port });
            self.end_trace("open");
            return ConnectOutcome::Open { ip };
        }
        let (outcome, words) = match self.connect(&ip, port) {
            Ok((ip, _, Some(_))) => (ConnectOutcome::Open { ip }, "open"),
            Ok((ip, _, None)) => (ConnectOutcome::Refused { ip }, "connection refused"),
            Err(HttpOutcome::Refused { ip, .. }) => (ConnectOutcome::Refused { ip }, "connection refused"),
            Err(HttpOutcome::TimedOut { ip, .. }) | Err(HttpOutcome::Unreachable { ip, .. }) => {
                (ConnectOutcome::TimedOut { ip }, "timed out")
            }
            Err(_) => (ConnectOutcome::BadAddress, "bad address"),
        };
        self.end_trace(words);
        outcome
    }
    fn ping(&mut self, host: &str) -> PingOutcome {
        let Some(ip) = self.resolve(host) else { return PingOutcome::BadAddress };
        let is_service = self.cluster.store.list(Kind::Service, None).any(|o| match o {
            Object::Service(s) => s.spec.as_ref().and_then(|s| s.cluster_ip.as_deref()) == Some(ip.as_str()),
            _ => false,
        });
        if is_service || !(ip == "127.0.0.1" || self.ip_exists(&ip)) {
            return PingOutcome::NoReply { ip };
        }
        PingOutcome::Reply { ip, ttl: 64, rtt_us: 80 }
    }
}

/// Runs a container's shell process up to now. Returns its exit code if it ended.
#[allow(clippy::too_many_arguments)]
pub(super) fn run_shell(
    cluster: &mut Cluster,
    run: &mut PodRun,
    c: &mut ContainerRun,
    p: &mut shell::Process,
    hostname: &str,
    pod_ip: &str,
    now: Millis,
) -> Option<i32> {
    if c.shell_wake > now {
        return None;
    }
    let key = crate::store::ObjectKey::new(Kind::Pod, &run.namespace, &run.name);
    let Some(Object::Pod(pod)) = cluster.store.get(&key).cloned() else { return None };
    let node = pod.spec.as_ref().and_then(|s| s.node_name.clone()).unwrap_or_default();
    let (poll, out, effects) = run_once(cluster, &node, &pod, run, c, p, pod_ip, hostname, now, false);
    super::volumes::write_back(cluster, &node, &pod, run);
    for (stream, text) in out {
        c.log(now, stream, &text);
    }
    apply_effects_held(cluster, run, c, effects);
    match poll {
        Poll::Exited(code) => Some(code),
        Poll::SleepUntil(t) => {
            c.shell_wake = t;
            None
        }
    }
}

/// One turn of a shell process in container `c` of `run` at `at`: what it answers, what it printed, and what
/// it did to other pods (applied by the caller once the container is back in place).
#[allow(clippy::too_many_arguments)]
fn run_once(
    cluster: &Cluster,
    node: &str,
    pod: &Pod,
    run: &mut PodRun,
    c: &mut ContainerRun,
    process: &mut shell::Process,
    pod_ip: &str,
    hostname: &str,
    at: Millis,
    tty: bool,
) -> (Poll, Vec<(Stream, String)>, Vec<Effect>) {
    super::volumes::refresh(cluster, node, pod, run);
    let base = c.base.clone();
    let own = match &c.process {
        Some(Process::Native(s)) => Some(s.clone()),
        _ => None,
    };
    let siblings: &[ContainerRun] = &run.containers;
    let mut host = ContainerHost::new(
        cluster,
        node,
        pod,
        &base,
        &mut c.upper,
        &mut run.volumes,
        siblings,
        &c.name,
        pod_ip,
        hostname,
        at,
    );
    host.curl = super::images::parse(&c.image).ok().and_then(|r| super::images::curl_version(&r));
    host.own = own;
    host.tty = tty;
    let poll = process.run(&mut host);
    (poll, std::mem::take(&mut host.out), std::mem::take(&mut host.effects))
}

/// [`apply_effects`] while the kubelet holds `run` (and its container `c`) apart from the cluster: log lines for
/// this pod's own containers (a request to `localhost`) are written here.
fn apply_effects_held(cluster: &mut Cluster, run: &mut PodRun, c: &mut ContainerRun, effects: Vec<Effect>) {
    let mut rest = Vec::new();
    for e in effects {
        match e {
            Effect::Log { uid, container, line, at, .. } if uid == run.uid => {
                if c.name == container {
                    c.log(at, Stream::Stdout, &format!("{line}\n"));
                } else if let Some(s) = run.containers.iter_mut().find(|s| s.name == container) {
                    s.log(at, Stream::Stdout, &format!("{line}\n"));
                }
            }
            other => rest.push(other),
        }
    }
    apply_effects(cluster, rest);
}

pub(crate) fn apply_effects(cluster: &mut Cluster, effects: Vec<Effect>) {
    for e in effects {
        match e {
            Effect::Log { node, uid, container, line, at } => {
                if let Some(run) = cluster.kubelets.nodes.get_mut(&node).and_then(|a| a.pods.get_mut(&uid)) {
                    if let Some(c) = run.containers.iter_mut().find(|c| c.name == container) {
                        c.log(at, Stream::Stdout, &format!("{line}\n"));
                    }
                }
            }
            Effect::Trace(t) => cluster.record_trace(t),
            Effect::Affinity { service_port, client, endpoint, at } => {
                cluster.remember_affinity(service_port, client, endpoint, at)
            }
            Effect::Firewall { node, change } => cluster.change_firewall(&node, change),
        }
    }
}

/// Runs one probe. `Err` carries the text after `Liveness probe failed: `.
pub(super) fn run_probe(
    cluster: &mut Cluster,
    run: &mut PodRun,
    c: &mut ContainerRun,
    probe: &Probe,
    pod_ip: &str,
    hostname: &str,
    now: Millis,
) -> Result<(), String> {
    let timeout = probe.timeout_seconds.unwrap_or(1).max(1) as Millis * 1000;
    let key = crate::store::ObjectKey::new(Kind::Pod, &run.namespace, &run.name);
    let Some(Object::Pod(pod)) = cluster.store.get(&key).cloned() else { return Ok(()) };
    let spec_c =
        pod.spec.as_ref().and_then(|s| s.containers.iter().find(|x| x.name == c.name).cloned()).unwrap_or_default();
    let node = pod.spec.as_ref().and_then(|s| s.node_name.clone()).unwrap_or_default();
    if let Some(exec) = &probe.exec {
        let argv = exec.command.clone().unwrap_or_default();
        let result = exec_in(cluster, &node, &pod, run, c, &argv, hostname, pod_ip, now, Some(timeout), false);
        return match result.code {
            Ok(0) => Ok(()),
            Ok(_) => Err(result.combined.trim_end().to_string()),
            Err(msg) => Err(msg),
        };
    }
    let find = |port: u16, c: &ContainerRun, run: &PodRun| -> Option<Server> {
        std::iter::once(c).chain(run.containers.iter()).find_map(|x| match &x.process {
            Some(Process::Native(s)) if x.is_running() && s.listens(port) => Some(s.clone()),
            _ => None,
        })
    };
    if let Some(h) = &probe.http_get {
        let port = resolve_port(&h.port, &spec_c).unwrap_or(0);
        let host = h.host.clone().unwrap_or_else(|| pod_ip.to_string());
        let path = h.path.clone().unwrap_or_else(|| "/".into());
        let scheme = h.scheme.clone().unwrap_or_else(|| "HTTP".into()).to_lowercase();
        let url = format!("{scheme}://{host}:{port}{path}");
        let Some(server) = find(port, c, run) else {
            return Err(format!("Get \"{url}\": dial tcp {host}:{port}: connect: connection refused"));
        };
        if !server.speaks_http() {
            return Err(format!(
                "Get \"{url}\": net/http: HTTP/1.x transport connection broken: malformed HTTP response"
            ));
        }
        let mounts = mounts_of(&pod, &c.name);
        let answer = {
            let read = |p: &str| read_through(&c.base, &c.upper, &run.volumes, &mounts, p);
            server.http_get(&path, now, hostname, &read)
        };
        let node_ip = cluster.machines.get(&node).map(|m| m.plan.internal_ip.clone()).unwrap_or_default();
        if let Some(line) =
            server.access_log(&node_ip, "GET", &path, answer.status, answer.body.len(), "kube-probe/1.34", now)
        {
            c.log(now, Stream::Stdout, &format!("{line}\n"));
        }
        return if (200..400).contains(&answer.status) {
            Ok(())
        } else {
            Err(format!("HTTP probe failed with statuscode: {}", answer.status))
        };
    }
    if let Some(t) = &probe.tcp_socket {
        let port = resolve_port(&t.port, &spec_c).unwrap_or(0);
        let host = t.host.clone().unwrap_or_else(|| pod_ip.to_string());
        return match find(port, c, run) {
            Some(_) => Ok(()),
            None => Err(format!("dial tcp {host}:{port}: connect: connection refused")),
        };
    }
    if let Some(g) = &probe.grpc {
        let port = u16::try_from(g.port).unwrap_or(0);
        return match find(port, c, run) {
            Some(_) => Ok(()),
            None => Err(format!(
                "timeout: failed to connect service \"{pod_ip}:{port}\" within {}s: context deadline exceeded",
                timeout / 1000
            )),
        };
    }
    Ok(())
}

/// Runs `argv` in container `c` to completion (an exec probe or `kubectl exec`): `Ok(exit code)` with its
/// output, or `Err` with the runtime's message when the command cannot start. With a `timeout`, a command
/// still running after it fails as the kubelet's exec prober reports.
#[allow(clippy::too_many_arguments)]
pub fn exec_in(
    cluster: &mut Cluster,
    node: &str,
    pod: &Pod,
    run: &mut PodRun,
    c: &mut ContainerRun,
    argv: &[String],
    hostname: &str,
    pod_ip: &str,
    now: Millis,
    timeout: Option<Millis>,
    tty: bool,
) -> ExecResult {
    let image = super::images::parse(&c.image).ok();
    let info = image.as_ref().and_then(|r| r.info());
    let has_shell = info.is_some_and(|i| i.has_shell);
    let Some(first) = argv.first() else {
        return ExecResult { code: Err("no command specified".into()), ..Default::default() };
    };
    let base_name = first.rsplit('/').next().unwrap_or(first);
    let script = if ["sh", "bash", "ash", "dash"].contains(&base_name) && has_shell {
        match argv.iter().position(|a| a == "-c") {
            Some(i) => argv.get(i + 1).cloned().unwrap_or_default(),
            None => String::new(),
        }
    } else if has_shell
        && (is_applet(base_name)
            || (base_name == "curl" && image.as_ref().and_then(super::images::curl_version).is_some()))
    {
        argv.iter().map(|a| quote(a)).collect::<Vec<_>>().join(" ")
    } else {
        let msg = format!(
            "OCI runtime exec failed: exec failed: unable to start container process: exec: \"{first}\": executable file not found in $PATH: unknown"
        );
        return ExecResult { code: Err(msg), ..Default::default() };
    };
    let program = match shell::Program::parse(&script) {
        Ok(p) => p,
        Err(e) => {
            let text = format!("sh: {e}\n");
            return ExecResult { code: Ok(2), combined: text.clone(), stderr: text, ..Default::default() };
        }
    };
    // An exec'd process inherits the container's environment as it was created.
    let env = c.env.clone();
    let mut process = shell::Process::new(program, vec!["sh".into()], env);
    let deadline = now + timeout.unwrap_or(60_000);
    let mut at = now;
    let mut output = ExecResult::default();
    let result;
    let mut effects = Vec::new();
    loop {
        let (poll, out, eff) = run_once(cluster, node, pod, run, c, &mut process, pod_ip, hostname, at, tty);
        super::volumes::write_back(cluster, node, pod, run);
        effects.extend(eff);
        for (stream, text) in out {
            output.combined.push_str(&text);
            match stream {
                Stream::Stdout => output.stdout.push_str(&text),
                Stream::Stderr => output.stderr.push_str(&text),
            }
        }
        match poll {
            Poll::Exited(code) => {
                result = Ok(code);
                break;
            }
            Poll::SleepUntil(t) if t <= deadline => at = t.max(at + 1),
            Poll::SleepUntil(_) => {
                result = match timeout {
                    Some(t) => Err(format!("command timed out: \"{}\" timed out after {}s", argv.join(" "), t / 1000)),
                    None => Err("command did not finish within 60s of simulated time; kubeground stops it".into()),
                };
                break;
            }
        }
    }
    apply_effects_held(cluster, run, c, effects);
    output.code = result;
    output
}

/// What a command run in a container printed and how it ended (`Err`: it could not start, or timed out).
#[derive(Clone, Debug)]
pub struct ExecResult {
    pub code: Result<i32, String>,
    pub stdout: String,
    pub stderr: String,
    /// Both streams interleaved as written.
    pub combined: String,
}

impl Default for ExecResult {
    fn default() -> Self {
        ExecResult { code: Ok(0), stdout: String::new(), stderr: String::new(), combined: String::new() }
    }
}

/// Quotes a word for the shell when it needs it (`sleep 3600` stays as is, `a b` becomes `'a b'`).
pub(super) fn quote(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:,@%+".contains(c)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// A node's own machine as `minikube ssh` sees it: the node's filesystem and its hostname. The network
/// commands of the shell find nothing from here (not simulated on the host).
struct NodeHost<'a> {
    now: Millis,
    fs: &'a mut MemFs,
    cluster: &'a Cluster,
    /// Traces and other effects of the node's network requests, applied after the command.
    effects: Vec<Effect>,
    seq: u64,
    hostname: String,
    out: Vec<(Stream, String)>,
    /// kube-proxy's rules on this node, for `iptables`.
    rules: &'a [ServicePortRule],
    /// Inside `sudo`: `minikube ssh` logs in as `docker`, and iptables needs root.
    root: bool,
}

impl shell::Host for NodeHost<'_> {
    fn now(&self) -> Millis {
        self.now
    }
    fn fs(&mut self) -> &mut dyn Fs {
        self.fs
    }
    fn stdout(&mut self, text: &str) {
        self.out.push((Stream::Stdout, text.to_string()));
    }
    fn stderr(&mut self, text: &str) {
        self.out.push((Stream::Stderr, text.to_string()));
    }
    fn hostname(&self) -> String {
        self.hostname.clone()
    }
    /// minikube's kicbase is Ubuntu 22.04: curl 7.81.0.
    fn curl_version(&self) -> Option<String> {
        Some("7.81.0".into())
    }
    /// `minikube ssh` runs the command on a terminal (informed guess: its ssh client asks for one).
    fn stdout_is_tty(&self) -> bool {
        true
    }
    fn has_sudo(&self) -> bool {
        true
    }
    fn http_get(&mut self, url: &str, timeout_ms: Millis) -> HttpOutcome {
        self.with_network(|h| shell::Host::http_get(h, url, timeout_ms))
    }
    fn http_request(&mut self, request: &HttpRequest) -> HttpOutcome {
        self.with_network(|h| h.http(&request.url, &request.method, &request.agent))
    }
    fn lookup(&mut self, name: &str, qtype: QueryType) -> DnsOutcome {
        self.with_network(|h| h.lookup_traced(name, qtype))
    }
    fn tcp_connect(&mut self, host: &str, port: u16) -> ConnectOutcome {
        self.with_network(|h| shell::Host::tcp_connect(h, host, port))
    }
    fn ping(&mut self, host: &str) -> PingOutcome {
        self.with_network(|h| shell::Host::ping(h, host))
    }
    fn host_command(&mut self, name: &str, args: &[String]) -> Option<(String, String, i32)> {
        match name {
            "sudo" => match args.split_first() {
                // What the node answers itself (iptables) runs as root here; anything else goes back to the
                // shell, which runs it (the simulated node has no file permissions to lift).
                Some((cmd, rest)) => {
                    self.root = true;
                    let r = self.host_command(cmd, rest);
                    self.root = false;
                    r
                }
                None => Some((String::new(), "usage: sudo -h | -K | -k | -V\n".into(), 1)),
            },
            // The version in this message is an informed guess at the iptables of minikube's kicbase image.
            "iptables" if !self.root => Some((
                String::new(),
                "iptables v1.8.9 (legacy): can't initialize iptables table `nat': Permission denied (you must be root)\n\
                 Perhaps iptables or your kernel needs to be upgraded.\n"
                    .into(),
                3,
            )),
            "iptables" => Some(self.iptables(args)),
            _ => None,
        }
    }
}

impl NodeHost<'_> {
    /// Runs a network call from the node's own network namespace: a [`ContainerHost`] for a host-network
    /// client named after the node, whose resolver reads the node's `/etc/resolv.conf` (minikube's Docker
    /// network resolver, which knows nothing of cluster names).
    fn with_network<T>(&mut self, call: impl FnOnce(&mut ContainerHost<'_>) -> T) -> T {
        let node_ip = self.cluster.machines.get(&self.hostname).map(|m| m.plan.internal_ip.clone()).unwrap_or_default();
        let pod = Pod {
            metadata: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
                name: Some(self.hostname.clone()),
                ..Default::default()
            },
            spec: Some(k8s_openapi::api::core::v1::PodSpec {
                host_network: Some(true),
                node_name: Some(self.hostname.clone()),
                containers: vec![k8s_openapi::api::core::v1::Container { name: "node".into(), ..Default::default() }],
                ..Default::default()
            }),
            ..Default::default()
        };
        let resolv = self.fs.read("/etc/resolv.conf").unwrap_or_else(|_| NODE_RESOLV_CONF.to_string());
        let mut etc = MemFs::new();
        let _ = etc.write("/resolv.conf", &resolv, crate::runtime::fs::WriteMode::Truncate, 0);
        let mut volumes: BTreeMap<String, MemFs> = [(ETC_VOLUME.to_string(), etc)].into();
        let base = MemFs::new();
        let mut upper = MemFs::new();
        let mut host = ContainerHost::new(
            self.cluster,
            &self.hostname,
            &pod,
            &base,
            &mut upper,
            &mut volumes,
            &[],
            "node",
            &node_ip,
            &self.hostname,
            self.now,
        );
        host.seq = self.seq;
        let out = call(&mut host);
        self.seq = host.seq;
        self.effects.append(&mut host.effects);
        out
    }
}

/// A minikube node's `/etc/resolv.conf` (the Docker network's embedded resolver).
const NODE_RESOLV_CONF: &str = "nameserver 192.168.49.1\noptions edns0 trust-ad ndots:0\n";

impl NodeHost<'_> {
    /// `iptables` on a node: `-t nat -S [CHAIN]` lists kube-proxy's NAT rules; in the filter table, `-A|-I|-D
    /// INPUT|OUTPUT [-s ADDR] [-d ADDR] -j DROP|REJECT` and `-F [CHAIN]` change what the node lets through
    /// between nodes (a partition a learner makes), and `-S INPUT|OUTPUT` lists those rules.
    fn iptables(&mut self, args: &[String]) -> (String, String, i32) {
        let mut table = "filter".to_string();
        let mut op: Option<(String, Option<String>)> = None;
        let (mut source, mut destination, mut target) = (None, None, None);
        let mut i = 0;
        let next = |i: &mut usize| {
            *i += 1;
            args.get(*i).cloned()
        };
        while i < args.len() {
            let a = args[i].as_str();
            match a {
                "-t" | "--table" => table = next(&mut i).unwrap_or_default(),
                "-S" | "--list-rules" | "-F" | "--flush" | "-A" | "--append" | "-I" | "--insert" | "-D"
                | "--delete" => {
                    let chain = args.get(i + 1).filter(|c| !c.starts_with('-')).cloned();
                    if chain.is_some() {
                        i += 1;
                    }
                    // `-I CHAIN 1`: a position (only the first is simulated).
                    if matches!(a, "-I" | "--insert") && args.get(i + 1).is_some_and(|n| n.parse::<u32>().is_ok()) {
                        i += 1;
                    }
                    let short = match a {
                        "--list-rules" => "-S",
                        "--flush" => "-F",
                        "--append" => "-A",
                        "--insert" => "-I",
                        "--delete" => "-D",
                        other => other,
                    };
                    op = Some((short.to_string(), chain));
                }
                "-s" | "--source" => source = next(&mut i),
                "-d" | "--destination" => destination = next(&mut i),
                "-j" | "--jump" => target = next(&mut i),
                "-n" | "-v" | "--numeric" | "-w" => {}
                other if other.starts_with("-t") && other.len() > 2 => table = other[2..].to_string(),
                _ => return not_simulated(),
            }
            i += 1;
        }
        let Some((op, chain)) = op else { return not_simulated() };
        if table == "nat" {
            if op != "-S" {
                return not_simulated();
            }
            return match proxy::nat_save(self.rules, &self.hostname, chain.as_deref()) {
                Some(text) => (text, String::new(), 0),
                None => (String::new(), "iptables: No chain/target/match by that name.\n".into(), 1),
            };
        }
        if table != "filter" {
            return not_simulated();
        }
        let node = self.hostname.clone();
        let strip = |a: Option<String>| a.map(|a| a.strip_suffix("/32").map(str::to_string).unwrap_or(a));
        match op.as_str() {
            "-S" => {
                let Some(chain) = chain.filter(|c| c == "INPUT" || c == "OUTPUT") else { return not_simulated() };
                let mut out = format!("-P {chain} ACCEPT\n");
                for r in self.cluster.firewall(&node).iter().filter(|r| r.chain == chain) {
                    out.push_str(&format!("-A {}\n", r.spec()));
                }
                (out, String::new(), 0)
            }
            "-F" => {
                self.effects.push(Effect::Firewall { node, change: FirewallChange::Flush(chain) });
                (String::new(), String::new(), 0)
            }
            _ => {
                let Some(chain) = chain.filter(|c| c == "INPUT" || c == "OUTPUT") else { return not_simulated() };
                let Some(target) = target.filter(|t| t == "DROP" || t == "REJECT") else { return not_simulated() };
                let rule = FirewallRule { chain, source: strip(source), destination: strip(destination), target };
                let change = match op.as_str() {
                    "-A" => FirewallChange::Append(rule),
                    "-I" => FirewallChange::Insert(rule),
                    _ => {
                        if !self.cluster.firewall(&node).contains(&rule) {
                            return (
                                String::new(),
                                "iptables: Bad rule (does a matching rule exist in that chain?).\n".into(),
                                1,
                            );
                        }
                        FirewallChange::Delete(rule)
                    }
                };
                self.effects.push(Effect::Firewall { node, change });
                (
                    String::new(),
                    "kubeground: this rule filters traffic between nodes (pods' VXLAN packets, node to node); the \
                     kubelet's and the control plane's own traffic is not filtered in the simulation\n"
                        .into(),
                    0,
                )
            }
        }
    }
}

fn not_simulated() -> (String, String, i32) {
    (
        String::new(),
        "kubeground: on nodes only `iptables -t nat -S [CHAIN]` (kube-proxy's NAT rules) and filter rules \
         `-A|-I|-D INPUT|OUTPUT [-s ADDR] [-d ADDR] -j DROP|REJECT`, `-F`, `-S INPUT|OUTPUT` are simulated\n"
            .into(),
        2,
    )
}

/// Why `minikube ssh` could not run a command on a node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SshError {
    /// No such node (minikube: `Node NAME does not exist.`).
    NoNode,
    /// The node's machine is stopped (minikube: `"NAME" is not running`).
    Stopped,
}

impl Cluster {
    /// `minikube ssh -n NODE -- COMMAND`: runs `command` with the node's shell on the node's own filesystem
    /// (what the kubelet keeps there: static pod manifests on control-plane nodes, CNI files, hostPath data).
    /// Simulated time does not move; a command still sleeping after 60 s of its own time is stopped.
    pub fn ssh(&mut self, node: &str, command: &str) -> Result<ExecResult, SshError> {
        let machine = self.machines.get(node).ok_or(SshError::NoNode)?;
        if !machine.running {
            return Err(SshError::Stopped);
        }
        let now = self.clock.now();
        let program = match shell::Program::parse(command) {
            Ok(p) => p,
            Err(e) => {
                let text = format!("bash: {e}\n");
                return Ok(ExecResult { code: Ok(2), combined: text.clone(), stderr: text, ..Default::default() });
            }
        };
        let env: BTreeMap<String, String> = [
            ("HOME", "/home/docker"),
            ("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
            ("USER", "docker"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let mut process = shell::Process::new(program, vec!["bash".into()], env);
        let rules = proxy::service_rules(self);
        // The node's files leave the kubelet while the command runs, so the shell can reach the cluster's network
        // (which reads the cluster) at the same time; they go back afterwards.
        let mut fs = std::mem::take(&mut self.ensure_agent(node).host_fs);
        let mut at = now;
        let mut output = ExecResult::default();
        let mut effects = Vec::new();
        let mut seq = 0;
        loop {
            let mut host = NodeHost {
                now: at,
                fs: &mut fs,
                cluster: self,
                effects: Vec::new(),
                seq,
                hostname: node.to_string(),
                out: Vec::new(),
                rules: &rules,
                root: false,
            };
            let poll = process.run(&mut host);
            effects.append(&mut host.effects);
            seq = host.seq;
            for (stream, text) in host.out {
                output.combined.push_str(&text);
                match stream {
                    Stream::Stdout => output.stdout.push_str(&text),
                    Stream::Stderr => output.stderr.push_str(&text),
                }
            }
            match poll {
                Poll::Exited(code) => {
                    output.code = Ok(code);
                    break;
                }
                Poll::SleepUntil(t) if t <= now + 60_000 => at = t.max(at + 1),
                Poll::SleepUntil(_) => {
                    output.code =
                        Err("command did not finish within 60s of simulated time; kubeground stops it".into());
                    break;
                }
            }
        }
        self.ensure_agent(node).host_fs = fs;
        apply_effects(self, effects);
        Ok(output)
    }
}

#[cfg(test)]
mod ssh_tests {
    use super::*;

    #[test]
    fn ssh_runs_on_the_nodes_own_filesystem() {
        let mut c = Cluster::new(0);
        let r = c.ssh("control-plane-1", "hostname; ls /etc/kubernetes/manifests").unwrap();
        assert_eq!(r.code, Ok(0));
        assert_eq!(
            r.stdout,
            "control-plane-1\netcd.yaml\nkube-apiserver.yaml\nkube-controller-manager.yaml\nkube-scheduler.yaml\n"
        );
        assert_eq!(c.ssh("worker-9", "ls").unwrap_err(), SshError::NoNode);
        c.stop_node("worker-1").unwrap();
        assert_eq!(c.ssh("worker-1", "ls").unwrap_err(), SshError::Stopped);
    }
}
