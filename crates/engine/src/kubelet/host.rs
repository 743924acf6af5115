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
use crate::runtime::shell::{self, ConnectOutcome, DnsAnswer, DnsOutcome, HttpOutcome, PingOutcome, Poll};

use super::container::{resolve_port, ContainerRun, Process, Stream};
use super::programs::Server;
use super::status::ETC_VOLUME;
use super::PodRun;

/// Busybox applets a container command may name directly (`command: ["sleep", "3600"]`).
const APPLETS: &[&str] = &[
    "echo", "cat", "ls", "touch", "rm", "mkdir", "sleep", "date", "env", "printenv", "hostname", "wget", "nslookup",
    "ping", "nc", "true", "false", "printf", "grep", "head", "tail", "wc", "seq", "expr", "cp", "mv", "kill", "ps",
    "test", "tee", "id", "whoami", "uname", "pwd", "sort", "uniq", "cut", "tr", "sed", "awk", "yes", "watch", "top",
];

pub fn is_applet(name: &str) -> bool {
    APPLETS.contains(&name)
}

/// Something a request did to another pod, applied after the container's turn.
#[derive(Clone, Debug)]
pub enum Effect {
    /// A log line for `container` of the pod with `uid` on `node`.
    Log { node: String, uid: String, container: String, line: String, at: Millis },
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
}

/// Reads `path` as the container sees it: the deepest mount covering it, else the layer, else the image.
fn read_through(
    base: &MemFs,
    upper: &MemFs,
    volumes: &BTreeMap<String, MemFs>,
    mounts: &[Mount],
    path: &str,
) -> Option<String> {
    let mount = mounts
        .iter()
        .filter(|m| path == m.path || m.path == "/" || path.starts_with(&format!("{}/", m.path)))
        .max_by_key(|m| m.path.len());
    match mount {
        Some(m) => {
            let rest = &path[m.path.len().min(path.len())..];
            let inner = crate::runtime::fs::normalize("/", &format!("/{}/{}", m.sub_path, rest));
            volumes.get(&m.volume)?.read(&inner).ok()
        }
        None => upper.read(path).ok().or_else(|| base.read(path).ok()),
    }
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
        }
    }

    /// Names and addresses to an IP: literal IPs, `localhost`, then the DNS walk.
    fn resolve(&self, host: &str) -> Option<String> {
        if host == "localhost" || host == "127.0.0.1" {
            return Some("127.0.0.1".into());
        }
        if host.split('.').count() == 4 && host.split('.').all(|p| p.parse::<u8>().is_ok()) {
            return Some(host.to_string());
        }
        match dns_walk(self.cluster, &self.namespace, host) {
            DnsOutcome::Answers { answers, .. } => answers.into_iter().find_map(|a| match a {
                DnsAnswer::Found { addresses, .. } => addresses.into_iter().next(),
                DnsAnswer::NxDomain { .. } => None,
            }),
            DnsOutcome::TimedOut => None,
        }
    }

    /// The server behind `ip:port`: a Service's ClusterIP goes to one of its ready endpoints (chosen as
    /// iptables' random rule would, from a hash of the request), a pod IP to the pod.
    fn connect(&mut self, ip: &str, port: u16) -> Result<(String, u16, Option<Target<'a>>), HttpOutcome> {
        let cluster = self.cluster;
        if ip == "127.0.0.1" {
            let found = self.siblings.iter().find_map(|c| match &c.process {
                Some(Process::Native(s)) if s.listens(port) && c.is_running() => Some((c, s)),
                _ => None,
            });
            return Ok(("127.0.0.1".into(), port, found.map(|(c, s)| self.local_target(c, s))));
        }
        // A Service's ClusterIP.
        for obj in cluster.store.list(Kind::Service, None) {
            let Object::Service(svc) = obj else { continue };
            let Some(spec) = &svc.spec else { continue };
            if spec.cluster_ip.as_deref() != Some(ip) {
                continue;
            }
            let Some(sp) = spec.ports.iter().flatten().find(|p| p.port == port as i32) else {
                return Err(HttpOutcome::TimedOut { ip: ip.to_string(), port });
            };
            let ns = svc.metadata.namespace.clone().unwrap_or_default();
            let selector = spec.selector.clone().unwrap_or_default();
            if selector.is_empty() {
                return Err(HttpOutcome::TimedOut { ip: ip.to_string(), port });
            }
            let mut endpoints = Vec::new();
            for p in cluster.store.list(Kind::Pod, Some(&ns)) {
                let Object::Pod(pod) = p else { continue };
                let labels = pod.metadata.labels.clone().unwrap_or_default();
                if !selector.iter().all(|(k, v)| labels.get(k) == Some(v)) || pod.metadata.deletion_timestamp.is_some()
                {
                    continue;
                }
                let ready = pod
                    .status
                    .as_ref()
                    .and_then(|s| s.conditions.as_ref())
                    .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True"));
                let Some(pip) = pod.status.as_ref().and_then(|s| s.pod_ip.clone()) else { continue };
                if !ready {
                    continue;
                }
                let target_port = match &sp.target_port {
                    Some(t) => pod.spec.as_ref().and_then(|s| s.containers.iter().find_map(|c| resolve_port(t, c))),
                    None => Some(port),
                }
                .unwrap_or(port);
                endpoints.push((pip, target_port));
            }
            if endpoints.is_empty() {
                // iptables rejects a Service without endpoints.
                return Err(HttpOutcome::Refused { ip: ip.to_string(), port });
            }
            self.seq += 1;
            let pick = (super::images::digest_hex(&format!("{}/{}/{ip}/{}", self.now, self.pod_ip, self.seq))
                .bytes()
                .fold(0u64, |a, b| a.wrapping_mul(31).wrapping_add(b as u64))
                % endpoints.len() as u64) as usize;
            let (pip, tport) = endpoints[pick].clone();
            let target = self.pod_target(&pip, tport);
            return Ok((ip.to_string(), port, target));
        }
        let target = self.pod_target(ip, port);
        if target.is_none() && !self.ip_exists(ip) {
            return Err(HttpOutcome::TimedOut { ip: ip.to_string(), port });
        }
        Ok((ip.to_string(), port, target))
    }

    fn ip_exists(&self, ip: &str) -> bool {
        self.cluster.kubelets.nodes.values().any(|a| a.pods.values().any(|r| r.ip.as_deref() == Some(ip)))
            || self.cluster.machines.iter().any(|m| m.plan.internal_ip == ip)
    }

    fn local_target(&self, c: &'a ContainerRun, s: &'a Server) -> Target<'a> {
        // The sibling shares this pod's volumes, which this host holds; it reads its own layers only.
        Target {
            server: s,
            node: self.node.clone(),
            uid: self.uid.clone(),
            container: c.name.clone(),
            fs: ReadView { base: &c.base, upper: &c.upper, volumes: EMPTY_VOLUMES(), mounts: Vec::new() },
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

    fn http(&mut self, url: &str, agent: &str) -> HttpOutcome {
        let rest = url.strip_prefix("http://").unwrap_or(url);
        let (hostport, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) => (h, p.parse().unwrap_or(80)),
            None => (hostport, 80),
        };
        let Some(ip) = self.resolve(host) else { return HttpOutcome::BadAddress };
        let (ip, port, target) = match self.connect(&ip, port) {
            Ok(t) => t,
            Err(e) => return e,
        };
        let Some(t) = target else { return HttpOutcome::Refused { ip, port } };
        if !t.server.speaks_http() {
            return HttpOutcome::TimedOut { ip, port };
        }
        let local_read;
        let answer = if t.fs.mounts.is_empty() && t.uid == self.uid {
            // A sibling container: read through this pod's volumes as the sibling mounts them.
            local_read = |p: &str| read_through(t.fs.base, t.fs.upper, self.fs.volumes, &[], p);
            t.server.http_get(path, self.now, &t.hostname, &local_read)
        } else {
            t.server.http_get(path, self.now, &t.hostname, &|p: &str| t.fs.read(p))
        };
        let src = if ip == "127.0.0.1" { "127.0.0.1".to_string() } else { self.pod_ip.clone() };
        if let Some(line) = t.server.access_log(&src, path, answer.status, answer.body.len(), agent, self.now) {
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
            body: answer.body,
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

/// CoreDNS's answer for `name` asked from a pod in `namespace`, walking the resolv.conf search list
/// (`<ns>.svc.cluster.local svc.cluster.local cluster.local`, ndots 5) as the resolver does.
pub fn dns_walk(cluster: &Cluster, namespace: &str, name: &str) -> DnsOutcome {
    let name = name.trim_end_matches('.');
    let dots = name.matches('.').count();
    let search = [format!("{namespace}.svc.cluster.local"), "svc.cluster.local".into(), "cluster.local".into()];
    let mut candidates: Vec<String> = Vec::new();
    if dots >= 5 {
        candidates.push(name.to_string());
    }
    candidates.extend(search.iter().map(|s| format!("{name}.{s}")));
    if dots < 5 {
        candidates.push(name.to_string());
    }
    for fqdn in &candidates {
        if let Some(addresses) = resolve_cluster_name(cluster, fqdn) {
            return DnsOutcome::Answers {
                server: "10.96.0.10".into(),
                answers: vec![DnsAnswer::Found { name: fqdn.clone(), addresses }],
            };
        }
    }
    DnsOutcome::Answers { server: "10.96.0.10".into(), answers: vec![DnsAnswer::NxDomain { name: name.to_string() }] }
}

/// The kubernetes plugin's records: `svc.ns.svc.cluster.local` (ClusterIP, or ready pod IPs when
/// headless), `host.subdomain.ns.svc.cluster.local` and `a-b-c-d.ns.pod.cluster.local`.
fn resolve_cluster_name(cluster: &Cluster, fqdn: &str) -> Option<Vec<String>> {
    let base = fqdn.strip_suffix(".cluster.local")?;
    let parts: Vec<&str> = base.split('.').collect();
    match parts.as_slice() {
        [svc, ns, "svc"] => {
            let obj = cluster.store.get(&crate::store::ObjectKey::new(Kind::Service, ns, svc))?;
            let Object::Service(s) = obj else { return None };
            let spec = s.spec.clone().unwrap_or_default();
            match spec.cluster_ip.as_deref() {
                Some("None") => {
                    let selector = spec.selector.unwrap_or_default();
                    let ips: Vec<String> = cluster
                        .store
                        .list(Kind::Pod, Some(ns))
                        .filter_map(|o| match o {
                            Object::Pod(p)
                                if !selector.is_empty()
                                    && selector
                                        .iter()
                                        .all(|(k, v)| p.metadata.labels.as_ref().and_then(|l| l.get(k)) == Some(v)) =>
                            {
                                p.status.as_ref().and_then(|s| s.pod_ip.clone())
                            }
                            _ => None,
                        })
                        .collect();
                    (!ips.is_empty()).then_some(ips)
                }
                Some(ip) if !ip.is_empty() => Some(vec![ip.to_string()]),
                _ => None,
            }
        }
        [host, sub, ns, "svc"] => cluster.store.list(Kind::Pod, Some(ns)).find_map(|o| match o {
            Object::Pod(p) => {
                let spec = p.spec.as_ref()?;
                let hn = spec.hostname.clone().unwrap_or(p.metadata.name.clone().unwrap_or_default());
                (hn == *host && spec.subdomain.as_deref() == Some(*sub))
                    .then(|| p.status.as_ref().and_then(|s| s.pod_ip.clone()))
                    .flatten()
                    .map(|ip| vec![ip])
            }
            _ => None,
        }),
        [dashed, _ns, "pod"] => {
            let ip = dashed.replace('-', ".");
            (ip.split('.').count() == 4 && ip.split('.').all(|p| p.parse::<u8>().is_ok())).then(|| vec![ip])
        }
        _ => None,
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
        self.http(url, "Wget")
    }
    fn lookup(&mut self, name: &str) -> DnsOutcome {
        dns_walk(self.cluster, &self.namespace, name)
    }
    fn tcp_connect(&mut self, host: &str, port: u16) -> ConnectOutcome {
        let Some(ip) = self.resolve(host) else { return ConnectOutcome::BadAddress };
        match self.connect(&ip, port) {
            Ok((ip, _, Some(_))) => ConnectOutcome::Open { ip },
            Ok((ip, _, None)) => ConnectOutcome::Refused { ip },
            Err(HttpOutcome::Refused { ip, .. }) => ConnectOutcome::Refused { ip },
            Err(HttpOutcome::TimedOut { ip, .. }) | Err(HttpOutcome::Unreachable { ip, .. }) => {
                ConnectOutcome::TimedOut { ip }
            }
            Err(_) => ConnectOutcome::BadAddress,
        }
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
    let (poll, out, effects) = run_once(cluster, &node, &pod, run, c, p, pod_ip, hostname, now);
    super::volumes::write_back(cluster, &node, &pod, run);
    for (stream, text) in out {
        c.log(now, stream, &text);
    }
    apply_effects(cluster, effects);
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
) -> (Poll, Vec<(Stream, String)>, Vec<Effect>) {
    super::volumes::refresh(cluster, node, pod, run);
    let base = c.base.clone();
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
    let poll = process.run(&mut host);
    (poll, std::mem::take(&mut host.out), std::mem::take(&mut host.effects))
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
        let result = exec_in(cluster, &node, &pod, run, c, &argv, hostname, pod_ip, now, Some(timeout));
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
        if let Some(line) = server.access_log(&node_ip, &path, answer.status, answer.body.len(), "kube-probe/1.34", now)
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
    } else if has_shell && is_applet(base_name) {
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
    let env = super::status::container_env(
        cluster,
        pod,
        &pod.spec.as_ref().and_then(|s| s.containers.iter().find(|x| x.name == c.name).cloned()).unwrap_or_default(),
        pod_ip,
        node,
    )
    .unwrap_or_default();
    let mut process = shell::Process::new(program, vec!["sh".into()], env);
    let deadline = now + timeout.unwrap_or(60_000);
    let mut at = now;
    let mut output = ExecResult::default();
    let result;
    let mut effects = Vec::new();
    loop {
        let (poll, out, eff) = run_once(cluster, node, pod, run, c, &mut process, pod_ip, hostname, at);
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
    apply_effects(cluster, effects);
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
    hostname: String,
    out: Vec<(Stream, String)>,
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
        let fs = &mut self.ensure_agent(node).host_fs;
        let mut at = now;
        let mut output = ExecResult::default();
        loop {
            let mut host = NodeHost { now: at, fs: &mut *fs, hostname: node.to_string(), out: Vec::new() };
            let poll = process.run(&mut host);
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
                    return Ok(output);
                }
                Poll::SleepUntil(t) if t <= now + 60_000 => at = t.max(at + 1),
                Poll::SleepUntil(_) => {
                    output.code =
                        Err("command did not finish within 60s of simulated time; kubeground stops it".into());
                    return Ok(output);
                }
            }
        }
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
