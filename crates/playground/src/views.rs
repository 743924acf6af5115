//! View models for the page's tabs: the Services with their addresses and live endpoints and the engine's
//! traces turned into numbered steps (Network, DNS); StorageClasses, volumes, claims and the pods that mount
//! them with a timeline per volume from the event log (Storage); and the story of the last command from the
//! event log beside the Events list (Events). Plain data, so the page only lays it out and tests read it.

use engine::event_log::{Change, LogEntry};
use engine::network::{Hop, Trace, TraceKind};
use engine::store::ObjectKey;
use engine::util::sort::StableSort;
use engine::{Cluster, Kind, Object};

/// One Service as the Network tab lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceRow {
    /// `namespace/name`
    pub name: String,
    pub kind: String,
    pub cluster_ip: String,
    /// `80/TCP`, `80:30080/TCP`, joined by commas.
    pub ports: String,
    /// The addresses of the ready endpoints from the EndpointSlices (`10.244.3.2`), each once.
    pub endpoints: Vec<String>,
}

/// One step of a trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepView {
    /// `source`, `bridge`, `kube-proxy`, `no-endpoints`, `dropped`, `vxlan`, `hostport`, `deliver`, `refused`, `unreachable`, `filtered`,
    /// `resolver`, `query`, `answer`: what kind of hop, for styling and tests.
    pub kind: &'static str,
    /// The node it happens on, when there is one.
    pub node: Option<String>,
    pub text: String,
    /// What the step touches in the Network picture, in order (see [`path_elements`]): `pod:NS/NAME`,
    /// `veth:NS/NAME`, `cni0:NODE`, `iptables:NODE`, `flannel:NODE`, `eth0:NODE`, `wire:FROM>TO`, `internet`.
    pub elements: Vec<String>,
    /// The packet stopped here (rejected, dropped, refused, unreachable).
    pub failed: bool,
}

impl StepView {
    /// A step that touches nothing drawn (the resolver's reasoning, a query, an answer).
    fn plain(kind: &'static str, text: String) -> StepView {
        StepView { kind, node: None, text, elements: Vec::new(), failed: false }
    }
}

/// One traced request or lookup.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceView {
    pub seq: u64,
    pub at_ms: u64,
    /// `wget web:80 from default/client` / `nslookup web from default/client`.
    pub title: String,
    pub outcome: String,
    pub steps: Vec<StepView>,
}

fn step(hop: &Hop) -> StepView {
    let (kind, node) = match hop {
        Hop::Source { node, .. } => ("source", Some(node.clone())),
        Hop::Bridge { node, .. } => ("bridge", Some(node.clone())),
        Hop::KubeProxy { node, .. } => ("kube-proxy", Some(node.clone())),
        Hop::NoEndpoints { node, .. } => ("no-endpoints", Some(node.clone())),
        Hop::Dropped { node, .. } => ("dropped", Some(node.clone())),
        Hop::HostPort { node, .. } => ("hostport", Some(node.clone())),
        Hop::Vxlan { from_node, .. } => ("vxlan", Some(from_node.clone())),
        Hop::Deliver { node, .. } => ("deliver", (!node.is_empty()).then(|| node.clone())),
        Hop::Masquerade { node, .. } => ("masquerade", Some(node.clone())),
        Hop::Internet { node, .. } => ("internet", Some(node.clone())),
        Hop::Refused { .. } => ("refused", None),
        Hop::Unreachable { .. } => ("unreachable", None),
        Hop::Filtered { node, .. } => ("filtered", Some(node.clone())),
        Hop::Resolver { .. } => ("resolver", None),
        Hop::Query { .. } => ("query", None),
        Hop::Answer { .. } => ("answer", None),
    };
    StepView { kind, node, text: hop.describe(), elements: Vec::new(), failed: false }
}

/// What each hop touches in the Network picture, and whether the packet stopped there. The picture draws
/// each node with its pods (each joined to `cni0` by its veth pair), kube-proxy's rules, `flannel.1` and
/// `eth0`; `wire:A>B` is the node network between two nodes' `eth0`. A packet that reaches another node
/// without VXLAN (a node's own address, a NodePort of another node) crosses that wire too. `owner_of_ip`
/// names what answers at an address (`pod:NS/NAME` or `eth0:NODE`), for a refused connection.
///
/// A cross-node request, worked through: `Source{pod client}` → `[pod:default/client]`; `Bridge` →
/// `[veth:default/client, cni0:worker-2]`; `KubeProxy` → `[iptables:worker-2]`; `Vxlan` worker-2 → worker-1 →
/// `[flannel:worker-2, eth0:worker-2, wire:worker-2>worker-1, eth0:worker-1, flannel:worker-1]`;
/// `Deliver{pod web}` → `[cni0:worker-1, veth:default/web, pod:default/web]`.
pub fn path_elements(hops: &[Hop], owner_of_ip: &dyn Fn(&str) -> Option<String>) -> Vec<(Vec<String>, bool)> {
    let mut source_pod: Option<&str> = None;
    let mut at: Option<&str> = None;
    let mut out = Vec::with_capacity(hops.len());
    // Onto `node`, over the node network from the node the packet was on, if another.
    fn arrive<'a>(at: &mut Option<&'a str>, node: &'a str, els: &mut Vec<String>) {
        if let Some(prev) = *at {
            if !prev.is_empty() && !node.is_empty() && prev != node {
                els.extend([format!("eth0:{prev}"), format!("wire:{prev}>{node}"), format!("eth0:{node}")]);
            }
        }
        *at = Some(node);
    }
    for hop in hops {
        let mut els = Vec::new();
        let mut failed = false;
        match hop {
            Hop::Source { node, pod, .. } => {
                at = Some(node);
                match pod {
                    Some(p) => {
                        source_pod = Some(p);
                        els.push(format!("pod:{p}"));
                    }
                    None => els.push(format!("eth0:{node}")),
                }
            }
            Hop::Bridge { node, .. } => {
                els.extend(source_pod.map(|p| format!("veth:{p}")));
                els.push(format!("cni0:{node}"));
                at = Some(node);
            }
            Hop::KubeProxy { node, .. } | Hop::HostPort { node, .. } => {
                arrive(&mut at, node, &mut els);
                els.push(format!("iptables:{node}"));
            }
            Hop::NoEndpoints { node, .. } | Hop::Dropped { node, .. } | Hop::Filtered { node, .. } => {
                arrive(&mut at, node, &mut els);
                els.push(format!("iptables:{node}"));
                failed = true;
            }
            Hop::Vxlan { from_node, to_node, .. } => {
                els.extend([
                    format!("flannel:{from_node}"),
                    format!("eth0:{from_node}"),
                    format!("wire:{from_node}>{to_node}"),
                    format!("eth0:{to_node}"),
                    format!("flannel:{to_node}"),
                ]);
                at = Some(to_node);
            }
            Hop::Deliver { node, pod, ip, .. } if !node.is_empty() => {
                arrive(&mut at, node, &mut els);
                match pod {
                    // `localhost` inside the client pod: it never leaves the pod's network namespace.
                    Some(p) if ip.starts_with("127.") => els.push(format!("pod:{p}")),
                    Some(p) => els.extend([format!("cni0:{node}"), format!("veth:{p}"), format!("pod:{p}")]),
                    None => els.push(format!("eth0:{node}")),
                }
            }
            Hop::Refused { ip, .. } => {
                els.extend(owner_of_ip(ip));
                failed = true;
            }
            Hop::Unreachable { .. } => failed = true,
            // Flannel's masquerade rule on the node rewrites the pod's address to the node's on the way out.
            Hop::Masquerade { node, .. } => {
                arrive(&mut at, node, &mut els);
                els.push(format!("iptables:{node}"));
            }
            Hop::Internet { node, .. } => {
                arrive(&mut at, node, &mut els);
                els.extend([format!("eth0:{node}"), "internet".to_string()]);
            }
            _ => {}
        }
        out.push((els, failed));
    }
    out
}

/// A trace as numbered steps.
pub fn trace_view(t: &Trace) -> TraceView {
    trace_view_in(t, &|_| None)
}

/// A trace as numbered steps, with what each step touches in the Network picture.
pub fn trace_view_in(t: &Trace, owner_of_ip: &dyn Fn(&str) -> Option<String>) -> TraceView {
    let title = match &t.kind {
        TraceKind::Connect { host, port } => format!("connect to {host}:{port} from {}", t.client),
        TraceKind::Lookup { name } => format!("lookup of {name} from {}", t.client),
    };
    TraceView {
        seq: t.seq,
        at_ms: t.at_ms,
        title,
        outcome: t.outcome.clone(),
        steps: t
            .hops
            .iter()
            .zip(path_elements(&t.hops, owner_of_ip))
            .map(|(hop, (elements, failed))| StepView { elements, failed, ..step(hop) })
            .collect(),
    }
}

/// What answers at each address now: `pod:NS/NAME` for a pod IP, `eth0:NODE` for a node's address.
fn address_owners(cluster: &Cluster) -> std::collections::BTreeMap<String, String> {
    let mut owners = std::collections::BTreeMap::new();
    for node in cluster.nodes() {
        for a in node.status.iter().flat_map(|s| s.addresses.iter().flatten()) {
            if a.type_ == "InternalIP" {
                owners.insert(a.address.clone(), format!("eth0:{}", node.metadata.name.clone().unwrap_or_default()));
            }
        }
    }
    for o in cluster.store().list(Kind::Pod, None) {
        let Object::Pod(p) = o else { continue };
        if let Some(ip) = p.status.as_ref().and_then(|s| s.pod_ip.clone()) {
            owners.entry(ip).or_insert_with(|| format!("pod:{}/{}", o.namespace(), o.name()));
        }
    }
    owners
}

/// The latest `limit` traces of one kind (connections when `lookups` is false), newest first.
pub fn latest_traces(cluster: &Cluster, lookups: bool, limit: usize) -> Vec<TraceView> {
    let owners = address_owners(cluster);
    cluster
        .traces()
        .iter()
        .rev()
        .filter(|t| matches!(t.kind, TraceKind::Lookup { .. }) == lookups)
        .take(limit)
        .map(|t| trace_view_in(t, &|ip| owners.get(ip).cloned()))
        .collect()
}

/// What a pod with `dnsPolicy: ClusterFirst` in `namespace` would see looking `name` up, worked out without
/// a pod and without changing anything (the DNS tab's "try a name"): its resolv.conf, the ndots decision,
/// each name the resolver would send to CoreDNS in order with CoreDNS's answer, until one answers. Which
/// CoreDNS pod answers is kube-proxy's random choice, so the step names the ready ones it picks among; with
/// none ready the query times out, as it would.
pub fn dns_walk(cluster: &Cluster, namespace: &str, name: &str) -> TraceView {
    use engine::network::dns::{self, Answer, ResolvConf, CLUSTER_DNS};
    let name = name.trim();
    let namespace = if namespace.trim().is_empty() { "default" } else { namespace.trim() };
    let resolv =
        format!("search {namespace}.svc.cluster.local svc.cluster.local cluster.local\nnameserver {CLUSTER_DNS}\noptions ndots:5\n");
    let rc = ResolvConf::parse(&resolv);
    let dots = name.trim_end_matches('.').matches('.').count();
    let search_first = !name.ends_with('.') && dots < rc.ndots;
    let mut steps = vec![StepView::plain(
        "resolver",
        format!(
            "resolv.conf: search {}; nameserver {CLUSTER_DNS}; options ndots:{} — \"{name}\" has {dots} dot(s), {}",
            rc.search.join(" "),
            rc.ndots,
            if name.ends_with('.') {
                "a fully qualified name: asked as it is".to_string()
            } else if search_first {
                format!("fewer than {}: the search domains first, then the name as it is", rc.ndots)
            } else {
                format!("at least {}: the name as it is first, then the search domains", rc.ndots)
            }
        ),
    )];
    let title = format!("lookup of {name} from a pod in namespace {namespace} (not sent: worked out)");
    let rules = engine::network::proxy::service_rules(cluster);
    let coredns = engine::network::proxy::find_rule(&rules, CLUSTER_DNS, 53, "UDP", &[]);
    let ready: Vec<String> = coredns
        .map(|r| r.endpoints.iter().map(|e| format!("{} ({})", e.pod.clone().unwrap_or_default(), e.ip)).collect())
        .unwrap_or_default();
    if ready.is_empty() {
        steps.push(StepView::plain(
            "no-endpoints",
            format!("kube-dns {CLUSTER_DNS}:53 has no ready CoreDNS endpoint: every query goes unanswered"),
        ));
        return TraceView { seq: 0, at_ms: cluster.now(), title, outcome: "timed out".into(), steps };
    }
    steps.push(StepView::plain(
        "kube-proxy",
        format!("kube-dns {CLUSTER_DNS}:53 → kube-proxy picks one ready CoreDNS pod at random: {}", ready.join(", ")),
    ));
    let candidates = rc.candidates(name);
    for (query, domain) in candidates {
        steps.push(StepView::plain(
            "query",
            match &domain {
                Some(d) => format!("{query}? (search domain {d})"),
                None => format!("{query}? (as it is)"),
            },
        ));
        let answer = dns::answer(cluster, &query);
        steps.push(StepView::plain("answer", format!("{query}: {}", answer.describe())));
        let outcome = match &answer {
            Answer::A(ips) => Some(ips.join(", ")),
            Answer::Cname(target, _) => Some(format!("CNAME {target}")),
            Answer::Ptr(names) => Some(format!("PTR {}", names.join(", "))),
            Answer::Srv(records) => Some(format!("{} SRV records", records.len())),
            Answer::NxDomain => None,
        };
        if let Some(outcome) = outcome {
            return TraceView { seq: 0, at_ms: cluster.now(), title, outcome, steps };
        }
    }
    TraceView { seq: 0, at_ms: cluster.now(), title, outcome: "NXDOMAIN".into(), steps }
}

/// Every Service with its ClusterIP, ports and ready endpoints.
pub fn services(cluster: &Cluster) -> Vec<ServiceRow> {
    let rules = engine::network::proxy::service_rules(cluster);
    cluster
        .store()
        .list(Kind::Service, None)
        .filter_map(|o| {
            let Object::Service(s) = o else { return None };
            let spec = s.spec.clone().unwrap_or_default();
            let name = format!("{}/{}", o.namespace(), o.name());
            let ports = spec
                .ports
                .iter()
                .flatten()
                .map(|p| {
                    let proto = p.protocol.clone().unwrap_or_else(|| "TCP".into());
                    match p.node_port {
                        Some(np) => format!("{}:{np}/{proto}", p.port),
                        None => format!("{}/{proto}", p.port),
                    }
                })
                .collect::<Vec<_>>()
                .join(",");
            let mut endpoints: Vec<String> = Vec::new();
            for r in rules.iter().filter(|r| r.namespace == o.namespace() && r.service == o.name()) {
                for e in &r.endpoints {
                    if !endpoints.contains(&e.ip) {
                        endpoints.push(e.ip.clone());
                    }
                }
            }
            Some(ServiceRow {
                name,
                kind: spec.type_.unwrap_or_else(|| "ClusterIP".into()),
                cluster_ip: spec.cluster_ip.unwrap_or_default(),
                ports,
                endpoints,
            })
        })
        .collect()
}

/// A pod in the Network picture.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetPod {
    /// `namespace/name`
    pub key: String,
    pub ip: String,
    /// In the node's own network namespace (`hostNetwork: true`): the node's address, no veth.
    pub host_network: bool,
    /// Every container ready (an endpoint of its Services).
    pub ready: bool,
}

/// A node in the Network picture: its address on the node network, its pod range, the `cni0` bridge and
/// `flannel.1` addresses Flannel gives it (`10.244.N.1` and `10.244.N.0`), and its pods with an address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetNode {
    pub name: String,
    pub ip: String,
    pub pod_cidr: String,
    pub bridge: String,
    pub vtep: String,
    pub running: bool,
    pub pods: Vec<NetPod>,
    /// Pods with an address not drawn (beyond `per_node`).
    pub more: usize,
}

/// The address of host `n` in a `/24` like `10.244.3.0/24` (`10.244.3.n`); empty without a range.
fn host_in(cidr: &str, n: u8) -> String {
    let Some((net, _)) = cidr.split_once('/') else { return String::new() };
    match net.rsplit_once('.') {
        Some((prefix, _)) => format!("{prefix}.{n}"),
        None => String::new(),
    }
}

/// The nodes of the Network picture, each with at most `per_node` pods: those in `focus` (a trace's pods)
/// first, then the learner's pods, then the system's, each group by name.
pub fn net_nodes(snapshot: &crate::Snapshot, focus: &[String], per_node: usize) -> Vec<NetNode> {
    snapshot
        .nodes
        .iter()
        .map(|n| {
            let mut pods: Vec<(u8, NetPod)> = snapshot
                .pods
                .iter()
                .filter(|p| p.node == n.name && !p.ip.is_empty())
                .map(|p| {
                    let key = format!("{}/{}", p.namespace, p.name);
                    let rank = if focus.contains(&key) {
                        0
                    } else if !p.infrastructure && p.namespace != "kube-system" {
                        1
                    } else {
                        2
                    };
                    let ready = p.ready.split_once('/').is_some_and(|(a, b)| a == b && a != "0");
                    (rank, NetPod { host_network: p.ip == n.internal_ip, key, ip: p.ip.clone(), ready })
                })
                .collect();
            pods.stable_sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.key.cmp(&b.1.key)));
            let more = pods.len().saturating_sub(per_node);
            pods.truncate(per_node);
            NetNode {
                name: n.name.clone(),
                ip: n.internal_ip.clone(),
                pod_cidr: n.pod_cidr.clone(),
                bridge: host_in(&n.pod_cidr, 1),
                vtep: host_in(&n.pod_cidr, 0),
                running: n.running,
                pods: pods.into_iter().map(|(_, p)| p).collect(),
                more,
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------------------
// Storage

/// A StorageClass as the Storage tab lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClassRow {
    pub name: String,
    pub provisioner: String,
    pub reclaim_policy: String,
    pub binding_mode: String,
    /// Marked default by `storageclass.kubernetes.io/is-default-class: "true"`.
    pub default: bool,
}

/// One event-log entry about a volume or claim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimelineStep {
    pub seq: u64,
    pub at_ms: u64,
    pub actor: String,
    /// `created`, `provisioned`, `bound`, `mounted`, `unmounted`, `released`, `deleted` or `updated`.
    pub step: &'static str,
    pub text: String,
}

/// A PersistentVolume (or one that is gone, known from the event log only).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VolumeRow {
    pub name: String,
    pub capacity: String,
    pub access_modes: String,
    pub reclaim_policy: String,
    /// `status.phase`, or `Deleted` when only the event log still knows it.
    pub phase: String,
    /// `namespace/name` of the claim in its claimRef.
    pub claim: Option<String>,
    pub class: String,
    /// Where its data lives (`hostPath /tmp/hostpath-provisioner/default/data`).
    pub source: String,
    pub timeline: Vec<TimelineStep>,
}

/// A PersistentVolumeClaim with the volume it is bound to and the pods that use it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimRow {
    pub namespace: String,
    pub name: String,
    /// `status.phase` (`Pending`, `Bound`, `Lost`), `Terminating` while deleted but in use, or `Deleted`.
    pub phase: String,
    pub volume: Option<String>,
    pub class: String,
    /// The capacity bound (`status.capacity`), else the request.
    pub capacity: String,
    pub access_modes: String,
    /// `namespace/name` of the pods whose volumes name the claim.
    pub pods: Vec<String>,
    pub timeline: Vec<TimelineStep>,
}

/// One volume of a pod and where its containers mount it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodVolume {
    pub name: String,
    /// `emptyDir`, `hostPath`, `configMap`, `secret`, `persistentVolumeClaim`, `projected`, `downwardAPI`, …
    pub kind: &'static str,
    /// What it is made from: the claim, ConfigMap or Secret name, the host path, the medium.
    pub source: String,
    /// `container:/path` (with ` (ro)` when read-only), one per mount.
    pub mounts: Vec<String>,
}

/// A pod with its volumes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodVolumes {
    pub namespace: String,
    pub name: String,
    pub node: String,
    pub phase: String,
    pub volumes: Vec<PodVolume>,
}

/// Everything the Storage tab shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StorageView {
    pub classes: Vec<ClassRow>,
    pub volumes: Vec<VolumeRow>,
    pub claims: Vec<ClaimRow>,
    pub pods: Vec<PodVolumes>,
}

/// What a volume or claim log entry means for its timeline, read from the change and the reason the
/// controllers wrote (`volumes.rs`, the kubelet's mount and teardown).
pub fn timeline_step(change: Change, reason: &str) -> &'static str {
    let lower = reason.to_lowercase();
    match change {
        Change::Deleted => "deleted",
        _ if lower.contains("unmounted") => "unmounted",
        _ if lower.contains("mounted into") => "mounted",
        _ if lower.contains("provisioned it") => "provisioned",
        _ if lower.contains("released") => "released",
        _ if lower.contains("deleted the volume") => "deleted",
        _ if lower.contains("bound to") || lower.contains("claimed by") => "bound",
        Change::Created => "created",
        Change::Updated => "updated",
    }
}

fn timeline(entries: &[LogEntry], kind: Kind, namespace: &str, name: &str) -> Vec<TimelineStep> {
    entries
        .iter()
        .filter(|e| e.kind == kind && e.namespace == namespace && e.name == name)
        .map(|e| TimelineStep {
            seq: e.seq,
            at_ms: e.at_ms,
            actor: e.actor.clone(),
            step: timeline_step(e.change, &e.reason),
            text: e.reason.clone(),
        })
        // Status writes that only restate the phase add nothing to the story.
        .filter(|s| s.step != "updated" || !s.text.is_empty())
        .collect()
}

fn quantity(
    map: Option<&std::collections::BTreeMap<String, engine::api::apimachinery::pkg::api::resource::Quantity>>,
) -> String {
    map.and_then(|m| m.get("storage")).map(|q| q.0.clone()).unwrap_or_default()
}

/// `RWO,RWX` as kubectl prints access modes.
fn access_modes(modes: Option<&Vec<String>>) -> String {
    modes
        .into_iter()
        .flatten()
        .map(|m| match m.as_str() {
            "ReadWriteOnce" => "RWO",
            "ReadOnlyMany" => "ROX",
            "ReadWriteMany" => "RWX",
            "ReadWriteOncePod" => "RWOP",
            other => other,
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// Names of the objects of `kind` the event log has seen, in order of first appearance.
fn logged_names(entries: &[LogEntry], kind: Kind) -> Vec<(String, String)> {
    let mut seen: Vec<(String, String)> = Vec::new();
    for e in entries.iter().filter(|e| e.kind == kind) {
        let key = (e.namespace.clone(), e.name.clone());
        if !seen.contains(&key) {
            seen.push(key);
        }
    }
    seen
}

/// The Storage tab: classes, volumes and claims with their bindings and timelines, and every pod's volumes.
/// Volumes and claims that are gone stay listed as `Deleted` with their timeline, so a learner can read
/// how they ended.
pub fn storage(cluster: &Cluster) -> StorageView {
    let store = cluster.store();
    let log = cluster.log().entries();
    let classes = store
        .list(Kind::StorageClass, None)
        .filter_map(|o| {
            let Object::StorageClass(sc) = o else { return None };
            let annotations = sc.metadata.annotations.clone().unwrap_or_default();
            Some(ClassRow {
                name: o.name().to_string(),
                provisioner: sc.provisioner.clone(),
                reclaim_policy: sc.reclaim_policy.clone().unwrap_or_else(|| "Delete".into()),
                binding_mode: sc.volume_binding_mode.clone().unwrap_or_else(|| "Immediate".into()),
                default: annotations.get("storageclass.kubernetes.io/is-default-class").is_some_and(|v| v == "true"),
            })
        })
        .collect();

    let mut pods = Vec::new();
    let mut users: Vec<(String, String, String)> = Vec::new(); // (namespace, claim, pod)
    for o in store.list(Kind::Pod, None) {
        let Object::Pod(p) = o else { continue };
        let Some(spec) = &p.spec else { continue };
        let mut volumes = Vec::new();
        for v in spec.volumes.iter().flatten() {
            let (kind, source) = volume_source(v);
            if let Some(c) = &v.persistent_volume_claim {
                users.push((o.namespace().to_string(), c.claim_name.clone(), o.name().to_string()));
            }
            let mounts = spec
                .init_containers
                .iter()
                .flatten()
                .chain(spec.containers.iter())
                .flat_map(|c| {
                    c.volume_mounts.iter().flatten().filter(|m| m.name == v.name).map(|m| {
                        let ro = if m.read_only == Some(true) { " (ro)" } else { "" };
                        format!("{}:{}{ro}", c.name, m.mount_path)
                    })
                })
                .collect();
            volumes.push(PodVolume { name: v.name.clone(), kind, source, mounts });
        }
        // The ServiceAccount token every pod gets is shown too: it is a projected volume like any other.
        if !volumes.is_empty() {
            pods.push(PodVolumes {
                namespace: o.namespace().to_string(),
                name: o.name().to_string(),
                node: spec.node_name.clone().unwrap_or_default(),
                phase: p.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default(),
                volumes,
            });
        }
    }

    let mut claims = Vec::new();
    for (ns, name) in logged_names(log, Kind::PersistentVolumeClaim) {
        let timeline = timeline(log, Kind::PersistentVolumeClaim, &ns, &name);
        let claim_pods =
            users.iter().filter(|(n, c, _)| *n == ns && *c == name).map(|(n, _, p)| format!("{n}/{p}")).collect();
        let row = match store.get(&ObjectKey::new(Kind::PersistentVolumeClaim, &ns, &name)) {
            Some(Object::PersistentVolumeClaim(c)) => {
                let spec = c.spec.clone().unwrap_or_default();
                let status = c.status.clone().unwrap_or_default();
                let bound = quantity(status.capacity.as_ref());
                let phase = if c.metadata.deletion_timestamp.is_some() {
                    "Terminating".to_string()
                } else {
                    status.phase.unwrap_or_else(|| "Pending".into())
                };
                ClaimRow {
                    namespace: ns.clone(),
                    name: name.clone(),
                    phase,
                    volume: spec.volume_name.filter(|v| !v.is_empty()),
                    class: spec.storage_class_name.unwrap_or_default(),
                    capacity: if bound.is_empty() {
                        quantity(spec.resources.as_ref().and_then(|r| r.requests.as_ref()))
                    } else {
                        bound
                    },
                    access_modes: access_modes(spec.access_modes.as_ref()),
                    pods: claim_pods,
                    timeline,
                }
            }
            _ => ClaimRow {
                namespace: ns.clone(),
                name: name.clone(),
                phase: "Deleted".into(),
                volume: None,
                class: String::new(),
                capacity: String::new(),
                access_modes: String::new(),
                pods: claim_pods,
                timeline,
            },
        };
        claims.push(row);
    }

    let mut volumes = Vec::new();
    for (_, name) in logged_names(log, Kind::PersistentVolume) {
        let timeline = timeline(log, Kind::PersistentVolume, "", &name);
        let row = match store.get(&ObjectKey::new(Kind::PersistentVolume, "", &name)) {
            Some(Object::PersistentVolume(v)) => {
                let spec = v.spec.clone().unwrap_or_default();
                let claim = spec.claim_ref.as_ref().map(|r| {
                    format!("{}/{}", r.namespace.clone().unwrap_or_default(), r.name.clone().unwrap_or_default())
                });
                let source = match (&spec.host_path, &spec.local, &spec.nfs) {
                    (Some(h), _, _) => format!("hostPath {}", h.path),
                    (_, Some(l), _) => format!("local {}", l.path),
                    (_, _, Some(n)) => format!("nfs {}:{}", n.server, n.path),
                    _ => String::new(),
                };
                VolumeRow {
                    name: name.clone(),
                    capacity: quantity(spec.capacity.as_ref()),
                    access_modes: access_modes(spec.access_modes.as_ref()),
                    reclaim_policy: spec.persistent_volume_reclaim_policy.unwrap_or_else(|| "Retain".into()),
                    phase: v.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_else(|| "Pending".into()),
                    claim,
                    class: spec.storage_class_name.unwrap_or_default(),
                    source,
                    timeline,
                }
            }
            _ => VolumeRow {
                name: name.clone(),
                capacity: String::new(),
                access_modes: String::new(),
                reclaim_policy: String::new(),
                phase: "Deleted".into(),
                claim: None,
                class: String::new(),
                source: String::new(),
                timeline,
            },
        };
        volumes.push(row);
    }
    StorageView { classes, volumes, claims, pods }
}

/// A pod volume's type in the API's field name and what it is made from.
fn volume_source(v: &engine::api::api::core::v1::Volume) -> (&'static str, String) {
    if let Some(c) = &v.persistent_volume_claim {
        let ro = if c.read_only == Some(true) { " (ro)" } else { "" };
        return ("persistentVolumeClaim", format!("{}{ro}", c.claim_name));
    }
    if let Some(e) = &v.empty_dir {
        let medium = e.medium.clone().filter(|m| !m.is_empty()).unwrap_or_else(|| "node disk".into());
        return ("emptyDir", medium);
    }
    if let Some(h) = &v.host_path {
        return ("hostPath", h.path.clone());
    }
    if let Some(c) = &v.config_map {
        return ("configMap", c.name.clone());
    }
    if let Some(s) = &v.secret {
        return ("secret", s.secret_name.clone().unwrap_or_default());
    }
    if let Some(p) = &v.projected {
        let parts: Vec<String> = p
            .sources
            .iter()
            .flatten()
            .map(|s| {
                if s.service_account_token.is_some() {
                    "serviceAccountToken".to_string()
                } else if let Some(c) = &s.config_map {
                    format!("configMap {}", c.name)
                } else if let Some(c) = &s.secret {
                    format!("secret {}", c.name)
                } else if s.downward_api.is_some() {
                    "downwardAPI".to_string()
                } else {
                    "other".to_string()
                }
            })
            .collect();
        return ("projected", parts.join(", "));
    }
    if v.downward_api.is_some() {
        return ("downwardAPI", String::new());
    }
    if let Some(e) = &v.ephemeral {
        let class =
            e.volume_claim_template.as_ref().and_then(|t| t.spec.storage_class_name.clone()).unwrap_or_default();
        return ("ephemeral", class);
    }
    if let Some(n) = &v.nfs {
        return ("nfs", format!("{}:{}", n.server, n.path));
    }
    ("other", String::new())
}

/// One file of a pod's volume, as the Storage tab's file browser lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VolumeFile {
    /// The path inside the volume (`/index.html`).
    pub path: String,
    pub size: u64,
    /// `-rw-r--r--`, as `ls -l` prints the permission bits.
    pub mode: String,
    /// The contents (the first [`FILE_PREVIEW_BYTES`] bytes).
    pub contents: String,
}

/// How much of a file the browser shows.
pub const FILE_PREVIEW_BYTES: usize = 64 * 1024;

/// `ls -l`'s permission string of a regular file's mode bits: 0o644 → `-rw-r--r--`.
pub fn mode_string(mode: u32) -> String {
    let mut s = String::from("-");
    for shift in [6, 3, 0] {
        let bits = (mode >> shift) & 7;
        s.push(if bits & 4 != 0 { 'r' } else { '-' });
        s.push(if bits & 2 != 0 { 'w' } else { '-' });
        s.push(if bits & 1 != 0 { 'x' } else { '-' });
    }
    s
}

/// The files of volume `volume` of a running pod as its kubelet holds them (emptyDir, configMap, secret,
/// projected and downwardAPI files, and the node directory behind a hostPath or claim as the pod last saw
/// it), in path order; `None` when no kubelet runs the pod or it has no such volume. Read-only: the page
/// browses; it never writes.
pub fn volume_files(cluster: &Cluster, namespace: &str, pod: &str, volume: &str) -> Option<Vec<VolumeFile>> {
    use engine::runtime::fs::Fs;
    let (_, run) = cluster.pod_run(namespace, pod)?;
    let fs = run.volumes.get(volume)?;
    Some(
        fs.files()
            .map(|(path, data)| {
                let mut end = data.len().min(FILE_PREVIEW_BYTES);
                while !data.is_char_boundary(end) {
                    end -= 1;
                }
                VolumeFile {
                    path: path.to_string(),
                    size: data.len() as u64,
                    mode: mode_string(fs.stat(path).map(|s| s.mode).unwrap_or(0o644)),
                    contents: data[..end].to_string(),
                }
            })
            .collect(),
    )
}

// ---------------------------------------------------------------------------------------------------------
// Events: what just happened

/// One thing an actor did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoryStep {
    pub seq: u64,
    pub at_ms: u64,
    /// `created`, `updated` or `deleted`.
    pub change: &'static str,
    /// The object's kind (`ReplicaSet`).
    pub kind: &'static str,
    /// `namespace/name`, or the name of a cluster-scoped object.
    pub object: String,
    pub reason: String,
}

/// Consecutive steps of one actor (`kubectl`, `deployment-controller`, `scheduler`, `kubelet/worker-1`, …).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoryGroup {
    pub actor: String,
    pub steps: Vec<StoryStep>,
}

/// Whether a log entry is background work that would bury the story: lease renewals and the events the
/// recorder writes (those are listed beside the story, in the Events list).
fn is_background(e: &LogEntry) -> bool {
    matches!(e.kind, Kind::Lease | Kind::Event)
}

/// When the event log last shows something other than background work (lease renewals, Events), or `None`
/// when it never did: what "run until idle" waits to go quiet.
pub fn last_activity(cluster: &Cluster) -> Option<u64> {
    cluster.log().entries().iter().rev().find(|e| !is_background(e)).map(|e| e.at_ms)
}

/// How long "run until idle" waits for the log to stay quiet, and the most it lets pass, in simulated ms.
pub const IDLE_QUIET_MS: u64 = 30_000;
pub const IDLE_LIMIT_MS: u64 = 600_000;

/// Whether "run until idle", started at `started_at`, is done: the event log has been quiet for
/// [`IDLE_QUIET_MS`] (counting from the start at the earliest) or [`IDLE_LIMIT_MS`] have passed. The page
/// steps one simulated second at a time until it is.
pub fn is_idle(cluster: &Cluster, started_at: u64) -> bool {
    let now = cluster.now();
    let last = last_activity(cluster).unwrap_or(0).max(started_at.saturating_sub(IDLE_QUIET_MS));
    now.saturating_sub(last) >= IDLE_QUIET_MS || now.saturating_sub(started_at) >= IDLE_LIMIT_MS
}

/// The event-log entries after position `from` (those a command caused and what followed from them, until
/// the next command), as an ordered story grouped by consecutive actor. `filter` keeps only the steps whose
/// `Kind namespace/name` contains it (case-insensitive); `limit` keeps the first steps.
pub fn story(cluster: &Cluster, from: u64, filter: &str, limit: usize) -> Vec<StoryGroup> {
    let filter = filter.trim().to_lowercase();
    let entries = cluster.log().entries();
    let start = (from as usize).min(entries.len());
    let mut groups: Vec<StoryGroup> = Vec::new();
    let steps = entries[start..]
        .iter()
        .filter(|e| !is_background(e))
        .map(|e| {
            let kind = e.kind.info().kind;
            let object = if e.namespace.is_empty() { e.name.clone() } else { format!("{}/{}", e.namespace, e.name) };
            let step = StoryStep {
                seq: e.seq,
                at_ms: e.at_ms,
                change: match e.change {
                    Change::Created => "created",
                    Change::Updated => "updated",
                    Change::Deleted => "deleted",
                },
                kind,
                object,
                reason: e.reason.clone(),
            };
            (e.actor.clone(), step)
        })
        .filter(|(_, s)| filter.is_empty() || format!("{} {}", s.kind, s.object).to_lowercase().contains(&filter))
        .take(limit);
    for (actor, step) in steps {
        match groups.last_mut() {
            Some(g) if g.actor == actor => g.steps.push(step),
            _ => groups.push(StoryGroup { actor, steps: vec![step] }),
        }
    }
    groups
}

/// The Events list as `kubectl get events -A` prints it (NAMESPACE, then kubectl's columns), ordered by
/// when each was last seen as `kubectl events` orders them; `filter` keeps the rows whose OBJECT contains
/// it; the newest `limit` rows.
pub fn events(cluster: &Cluster, filter: &str, limit: usize) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let filter = filter.trim().to_lowercase();
    events_where(cluster, limit, |_, row| {
        filter.is_empty() || row.get(4).is_some_and(|obj| obj.to_lowercase().contains(&filter))
    })
}

/// The Events about one object (its `involvedObject`), as [`events`] lists them.
pub fn object_events(
    cluster: &Cluster,
    kind: Kind,
    namespace: &str,
    name: &str,
    limit: usize,
) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let kind_name = kind.info().kind;
    events_where(cluster, limit, |ev, _| {
        let about = &ev.involved_object;
        about.kind.as_deref() == Some(kind_name)
            && about.name.as_deref() == Some(name)
            && about.namespace.as_deref().unwrap_or_default() == namespace
    })
}

fn events_where(
    cluster: &Cluster,
    limit: usize,
    keep: impl Fn(&engine::api::api::core::v1::Event, &[String]) -> bool,
) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let now = cluster.now();
    let mut headers = vec!["NAMESPACE"];
    headers.extend(kubectl::printers::headers(Kind::Event, false));
    let mut rows: Vec<(engine::api::jiff::Timestamp, Vec<String>)> = cluster
        .store()
        .list(Kind::Event, None)
        .filter_map(|o| {
            let Object::Event(ev) = o else { return None };
            let when = ev
                .series
                .as_ref()
                .and_then(|s| s.last_observed_time.as_ref().map(|t| t.0))
                .or(ev.last_timestamp.as_ref().map(|t| t.0))
                .or(ev.event_time.as_ref().map(|t| t.0))
                .unwrap_or_default();
            let mut row = vec![o.namespace().to_string()];
            row.extend(kubectl::printers::row(o, now, false));
            keep(ev, &row).then_some((when, row))
        })
        .collect();
    rows.stable_sort_by_key(|(when, _)| *when);
    let skip = rows.len().saturating_sub(limit);
    (headers, rows.into_iter().skip(skip).map(|(_, r)| r).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Playground;

    #[test]
    fn a_name_tried_without_a_pod_walks_the_search_list() {
        let mut p = Playground::new(0);
        p.exec("kubectl create namespace prod\nkubectl create deployment web --image=nginx -n prod\nkubectl expose deployment web --port=80 -n prod\nsleep 10").unwrap();
        let log_before = p.cluster().log().entries().len();
        let walk = dns_walk(p.cluster(), "default", "web.prod");
        let kinds: Vec<&str> = walk.steps.iter().map(|s| s.kind).collect();
        assert_eq!(kinds, ["resolver", "kube-proxy", "query", "answer", "query", "answer"], "{walk:?}");
        assert!(walk.steps[0].text.contains("\"web.prod\" has 1 dot(s), fewer than 5: the search domains first"));
        assert_eq!(walk.steps[2].text, "web.prod.default.svc.cluster.local? (search domain default.svc.cluster.local)");
        assert_eq!(walk.steps[3].text, "web.prod.default.svc.cluster.local: NXDOMAIN");
        assert!(walk.steps[5].text.starts_with("web.prod.svc.cluster.local: A 10."), "{}", walk.steps[5].text);
        assert!(walk.outcome.starts_with("10."));
        let outside = dns_walk(p.cluster(), "default", "example.com");
        assert_eq!(outside.outcome, "93.184.215.14");
        assert_eq!(dns_walk(p.cluster(), "prod", "nothing-here").outcome, "NXDOMAIN");
        assert_eq!(p.cluster().log().entries().len(), log_before, "nothing changed");
        p.exec("kubectl scale deployment coredns -n kube-system --replicas=0\nsleep 30").unwrap();
        let down = dns_walk(p.cluster(), "default", "kubernetes");
        assert_eq!(down.outcome, "timed out");
    }

    #[test]
    fn the_file_browser_lists_a_volumes_files() {
        let mut p = Playground::new(0);
        p.exec(
            "kubectl create configmap site --from-literal=index.html=hello\n\
             kubectl apply -f - <<EOF\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: c\n    image: busybox\n    command: [\"sh\", \"-c\", \"echo note > /scratch/a.txt; sleep 3600\"]\n    volumeMounts:\n    - {name: scratch, mountPath: /scratch}\n    - {name: site, mountPath: /site}\n  volumes:\n  - name: scratch\n    emptyDir: {}\n  - name: site\n    configMap:\n      name: site\nEOF\nsleep 20",
        )
        .unwrap();
        let scratch = volume_files(p.cluster(), "default", "web", "scratch").expect("a running pod's volume");
        assert_eq!(
            scratch.iter().map(|f| (f.path.as_str(), f.size, f.contents.as_str())).collect::<Vec<_>>(),
            [("/a.txt", 5, "note\n")]
        );
        let site = volume_files(p.cluster(), "default", "web", "site").unwrap();
        assert!(site.iter().any(|f| f.path.ends_with("index.html") && f.contents == "hello"), "{site:?}");
        assert!(volume_files(p.cluster(), "default", "web", "nope").is_none());
        assert!(volume_files(p.cluster(), "default", "gone", "scratch").is_none());
        assert_eq!(mode_string(0o644), "-rw-r--r--");
        assert_eq!(mode_string(0o755), "-rwxr-xr-x");
    }

    #[test]
    fn run_until_idle_stops_once_the_log_is_quiet() {
        let mut p = Playground::new(0);
        p.exec("kubectl create deployment web --image=nginx --replicas=3").unwrap();
        let start = p.now();
        while !is_idle(p.cluster(), start) {
            p.step(1_000);
        }
        let passed = p.now() - start;
        let last = last_activity(p.cluster()).unwrap();
        assert!(passed < IDLE_LIMIT_MS, "went quiet before the limit: {passed} ms, last activity at {last}");
        assert!(
            (IDLE_QUIET_MS..IDLE_QUIET_MS + 1_000).contains(&(p.now() - last)),
            "stops within a second of 30 quiet seconds"
        );
        let ready = p.snapshot().pods.iter().filter(|p| p.name.starts_with("web-") && p.ready == "1/1").count();
        assert_eq!(ready, 3);
        // One merged step in the session log: replay rebuilds the same moment.
        assert_eq!(p.session().entries.len(), 2);
        // A quiet cluster stays put.
        let mut q = Playground::new(0);
        q.step(60_000);
        assert!(is_idle(q.cluster(), q.now()), "nothing but heartbeats in the last minute");
    }

    #[test]
    fn a_cross_node_request_walks_the_network_picture() {
        let mut p = Playground::new(0);
        // One web pod on worker-1, the client on worker-2: the request crosses the overlay.
        p.exec(
            "kubectl run web --image=nginx --overrides='{\"spec\":{\"nodeName\":\"worker-1\"}}'\n\
             kubectl run client --image=busybox --overrides='{\"spec\":{\"nodeName\":\"worker-2\"}}' -- sleep 3600\n\
             sleep 30",
        )
        .unwrap();
        let web_ip = p.snapshot().pod("default/web").map(|w| w.ip.clone()).unwrap();
        p.exec(&format!("kubectl exec client -- wget -qO- -T 2 http://{web_ip}\nkubectl exec client -- wget -qO- -T 2 http://{web_ip}:81")).unwrap();
        let traces = latest_traces(p.cluster(), false, 2);
        let [refused, ok] = &traces[..] else { panic!("{traces:?}") };
        let els: Vec<Vec<&str>> = ok.steps.iter().map(|s| s.elements.iter().map(String::as_str).collect()).collect();
        assert_eq!(
            els,
            [
                vec!["pod:default/client"],
                vec!["veth:default/client", "cni0:worker-2"],
                vec![
                    "flannel:worker-2",
                    "eth0:worker-2",
                    "wire:worker-2>worker-1",
                    "eth0:worker-1",
                    "flannel:worker-1"
                ],
                vec!["cni0:worker-1", "veth:default/web", "pod:default/web"],
            ],
            "{ok:?}"
        );
        assert!(ok.steps.iter().all(|s| !s.failed));
        let last = refused.steps.last().unwrap();
        assert_eq!((last.kind, last.failed), ("refused", true));
        assert_eq!(last.elements, ["pod:default/web"], "nothing listens on 81: the pod answers with a reset");

        // Out to the simulated internet: masqueraded on the client's node, then through the gateway.
        p.exec("kubectl exec client -- wget -qO- -T 2 http://example.com").unwrap();
        let out = &latest_traces(p.cluster(), false, 1)[0];
        let touched: Vec<&str> = out.steps.iter().flat_map(|s| s.elements.iter().map(String::as_str)).collect();
        assert_eq!(touched[touched.len() - 3..], ["iptables:worker-2", "eth0:worker-2", "internet"], "{out:#?}");

        let focus = vec!["default/web".to_string()];
        let nodes = net_nodes(&p.snapshot(), &focus, 1);
        let w1 = nodes.iter().find(|n| n.name == "worker-1").unwrap();
        assert_eq!(w1.pods.iter().map(|p| p.key.as_str()).collect::<Vec<_>>(), ["default/web"], "the focus first");
        assert!(w1.more > 0, "kube-proxy and flannel run there too");
        assert_eq!(w1.bridge, host_in(&w1.pod_cidr, 1));
        assert!(w1.bridge.starts_with("10.244.") && w1.bridge.ends_with(".1"), "{w1:?}");
        assert!(w1.vtep.ends_with(".0"));
        let proxy = net_nodes(&p.snapshot(), &[], 20)
            .into_iter()
            .flat_map(|n| n.pods)
            .find(|p| p.key.starts_with("kube-system/kube-proxy-"))
            .unwrap();
        assert!(proxy.host_network, "kube-proxy runs in the node's network namespace");
        assert_eq!(host_in("10.244.3.0/24", 1), "10.244.3.1");
        assert_eq!(host_in("", 1), "");
    }

    #[test]
    fn a_request_and_a_lookup_become_steps() {
        let mut p = Playground::new(0);
        p.exec(
            "kubectl create deployment web --image=nginx --replicas=2\nkubectl expose deployment web --port=80\n\
             kubectl run client --image=busybox --restart=Never -- sleep 3600\nsleep 30\n\
             kubectl exec client -- wget -qO- -T 2 http://web",
        )
        .unwrap();
        let connects = latest_traces(p.cluster(), false, 5);
        assert_eq!(connects.len(), 1);
        let kinds: Vec<&str> = connects[0].steps.iter().map(|s| s.kind).collect();
        assert_eq!(kinds[..3], ["source", "bridge", "kube-proxy"]);
        assert_eq!(*kinds.last().unwrap(), "deliver");
        assert_eq!(connects[0].outcome, "HTTP 200 OK");
        let lookups = latest_traces(p.cluster(), true, 5);
        let kinds: Vec<&str> = lookups[0].steps.iter().map(|s| s.kind).collect();
        assert!(kinds.contains(&"resolver") && kinds.contains(&"query") && kinds.contains(&"answer"), "{kinds:?}");
        let web = services(p.cluster()).into_iter().find(|s| s.name == "default/web").unwrap();
        assert_eq!(web.endpoints.len(), 2);
        assert_eq!(web.ports, "80/TCP");
    }

    fn pvc_and_pod(p: &mut Playground) {
        p.exec(
            "kubectl apply -f - <<EOF\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\nspec:\n  \
             accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n      storage: 1Gi\n---\napiVersion: v1\n\
             kind: Pod\nmetadata:\n  name: db\nspec:\n  containers:\n  - name: app\n    image: busybox\n    \
             command: [sleep, \"3600\"]\n    volumeMounts:\n    - {name: d, mountPath: /data}\n    \
             - {name: scratch, mountPath: /tmp, readOnly: true}\n  volumes:\n  - name: d\n    \
             persistentVolumeClaim: {claimName: data}\n  - name: scratch\n    emptyDir: {}\nEOF\nsleep 10",
        )
        .unwrap();
    }

    #[test]
    fn storage_binds_claim_volume_class_and_pod_with_a_timeline() {
        let mut p = Playground::new(0);
        pvc_and_pod(&mut p);
        let view = storage(p.cluster());
        let standard = view.classes.iter().find(|c| c.name == "standard").unwrap();
        assert!(standard.default);
        assert_eq!(standard.provisioner, "k8s.io/minikube-hostpath");
        let claim = view.claims.iter().find(|c| c.name == "data").unwrap();
        assert_eq!(claim.phase, "Bound");
        assert_eq!(claim.class, "standard");
        assert_eq!(claim.pods, ["default/db"]);
        assert_eq!(claim.access_modes, "RWO");
        let pv = claim.volume.clone().unwrap();
        assert!(pv.starts_with("pvc-"), "{pv}");
        let volume = view.volumes.iter().find(|v| v.name == pv).unwrap();
        assert_eq!(volume.phase, "Bound");
        assert_eq!(volume.claim.as_deref(), Some("default/data"));
        assert_eq!(volume.source, "hostPath /tmp/hostpath-provisioner/default/data");
        let steps: Vec<&str> = volume.timeline.iter().map(|s| s.step).collect();
        assert!(steps.contains(&"provisioned") && steps.contains(&"bound"), "{:#?}", volume.timeline);
        let steps: Vec<&str> = claim.timeline.iter().map(|s| s.step).collect();
        assert_eq!(steps.first(), Some(&"created"), "{:#?}", claim.timeline);
        assert!(steps.contains(&"bound") && steps.contains(&"mounted"), "{:#?}", claim.timeline);
        let db = view.pods.iter().find(|p| p.name == "db").unwrap();
        let kinds: Vec<(&str, &str)> = db.volumes.iter().map(|v| (v.name.as_str(), v.kind)).collect();
        assert_eq!(kinds[..2], [("d", "persistentVolumeClaim"), ("scratch", "emptyDir")]);
        assert_eq!(db.volumes[0].mounts, ["app:/data"]);
        assert_eq!(db.volumes[1].mounts, ["app:/tmp (ro)"]);
        assert!(db.volumes.iter().any(|v| v.kind == "projected" && v.source.contains("serviceAccountToken")));

        // The claim's and the volume's ends stay in the view.
        p.exec("kubectl delete pod db --grace-period=0 --force\nkubectl delete pvc data\nsleep 40").unwrap();
        let view = storage(p.cluster());
        let claim = view.claims.iter().find(|c| c.name == "data").unwrap();
        assert_eq!(claim.phase, "Deleted");
        let steps: Vec<&str> = claim.timeline.iter().map(|s| s.step).collect();
        assert!(steps.contains(&"unmounted") && steps.last() == Some(&"deleted"), "{:#?}", claim.timeline);
        let volume = view.volumes.iter().find(|v| v.name == pv).unwrap();
        assert_eq!(volume.phase, "Deleted");
        let steps: Vec<&str> = volume.timeline.iter().map(|s| s.step).collect();
        assert!(steps.contains(&"released") && steps.last() == Some(&"deleted"), "{:#?}", volume.timeline);
    }

    #[test]
    fn the_story_of_create_deployment_goes_from_kubectl_to_the_kubelet() {
        let mut p = Playground::new(0);
        let from = p.cluster().log().entries().len() as u64;
        p.exec("kubectl create deployment web --image=nginx --replicas=2\nsleep 20").unwrap();
        let groups = story(p.cluster(), from, "", 1000);
        let actors: Vec<&str> = groups.iter().map(|g| g.actor.as_str()).collect();
        let first =
            |a: &str| actors.iter().position(|x| x.starts_with(a)).unwrap_or_else(|| panic!("{a} in {actors:?}"));
        assert_eq!(actors[0], "kubectl");
        assert_eq!(groups[0].steps[0].kind, "Deployment");
        assert!(first("deployment-controller") < first("replicaset-controller"), "{actors:?}");
        assert!(first("replicaset-controller") < first("default-scheduler"), "{actors:?}");
        assert!(first("default-scheduler") < first("kubelet"), "{actors:?}");
        let rs = groups.iter().find(|g| g.actor == "deployment-controller").unwrap();
        assert_eq!(rs.steps[0].kind, "ReplicaSet");
        assert_eq!(rs.steps[0].change, "created");
        // Filtering keeps only one object's steps.
        let only = story(p.cluster(), from, "deployment default/web", 1000);
        assert!(only.iter().flat_map(|g| &g.steps).all(|s| s.kind == "Deployment"));
        let (headers, rows) = events(p.cluster(), "replicaset/", 50);
        assert_eq!(headers, ["NAMESPACE", "LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]);
        assert!(rows.iter().any(|r| r[3] == "SuccessfulCreate"), "{rows:?}");
    }
}
