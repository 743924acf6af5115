//! DNS: the pod's resolver (its `/etc/resolv.conf`: search list, `ndots`) and CoreDNS's `kubernetes` plugin
//! answering from Services and EndpointSlices (FACTS §9), with names outside `cluster.local` forwarded to a
//! small simulated internet.
//!
//! Records: `svc.ns.svc.cluster.local` → the ClusterIP, or for a headless Service the ready endpoint IPs;
//! `hostname.svc.ns.svc.cluster.local` for endpoints with a hostname (StatefulSet pods behind their headless
//! Service); ExternalName → a CNAME to `spec.externalName`; `a-b-c-d.ns.pod.cluster.local` (`pods insecure`);
//! anything else in the zone is NXDOMAIN. SRV records `_port._proto.svc.ns.svc.cluster.local` for named
//! ports; PTR records under `in-addr.arpa` for ClusterIPs and endpoint addresses (other addresses fall through
//! to the upstream resolver, which knows none of them here).

use crate::cluster::Cluster;
use crate::controllers::endpoints::LABEL_SERVICE_NAME;
use crate::object::{Kind, Object};
use crate::store::ObjectKey;

/// The cluster's DNS Service address (kubeadm's `clusterDNS`).
pub const CLUSTER_DNS: &str = "10.96.0.10";
pub const CLUSTER_DOMAIN: &str = "cluster.local";

/// The simulated internet CoreDNS forwards to (through the node's resolver, minikube's 192.168.49.1). These
/// addresses are the playground's own, not the real ones.
pub const UPSTREAM: &[(&str, &str)] = &[
    ("example.com", "93.184.215.14"),
    ("www.example.com", "93.184.215.14"),
    ("example.org", "93.184.215.15"),
    ("db.example.com", "203.0.113.10"),
    ("api.example.com", "203.0.113.20"),
];

/// What `/etc/resolv.conf` says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvConf {
    pub search: Vec<String>,
    pub nameservers: Vec<String>,
    pub ndots: usize,
}

impl ResolvConf {
    /// Parses resolv.conf as glibc/musl do: `search` (last wins), `nameserver` (up to 3), `options ndots:N`
    /// (default 1).
    pub fn parse(text: &str) -> ResolvConf {
        let mut rc = ResolvConf { search: Vec::new(), nameservers: Vec::new(), ndots: 1 };
        for line in text.lines() {
            let mut words = line.split_whitespace();
            match words.next() {
                Some("search") | Some("domain") => rc.search = words.map(str::to_string).collect(),
                Some("nameserver") => {
                    if let Some(ns) = words.next() {
                        if rc.nameservers.len() < 3 {
                            rc.nameservers.push(ns.to_string());
                        }
                    }
                }
                Some("options") => {
                    for o in words {
                        if let Some(n) = o.strip_prefix("ndots:").and_then(|n| n.parse::<usize>().ok()) {
                            rc.ndots = n.min(15);
                        }
                    }
                }
                _ => {}
            }
        }
        rc
    }

    /// The names the resolver tries, in order, each with the search domain that built it: with fewer dots
    /// than `ndots` the search list first and the name as given last; otherwise the name first. A trailing
    /// dot means the name is absolute.
    ///
    /// `web` from `default` (ndots 5) → `web.default.svc.cluster.local`, `web.svc.cluster.local`,
    /// `web.cluster.local`, `web`.
    pub fn candidates(&self, name: &str) -> Vec<(String, Option<String>)> {
        if let Some(abs) = name.strip_suffix('.') {
            return vec![(abs.to_string(), None)];
        }
        let searched = self.search.iter().map(|d| (format!("{name}.{d}"), Some(d.clone())));
        if name.matches('.').count() >= self.ndots {
            std::iter::once((name.to_string(), None)).chain(searched).collect()
        } else {
            searched.chain(std::iter::once((name.to_string(), None))).collect()
        }
    }
}

/// CoreDNS's answer to one query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// A records.
    A(Vec<String>),
    /// A CNAME (ExternalName), with the addresses it resolves to upstream, if any.
    Cname(String, Vec<String>),
    NxDomain,
    /// PTR records (a reverse lookup).
    Ptr(Vec<String>),
    /// SRV records: (priority, weight, port, target).
    Srv(Vec<(u16, u16, u16, String)>),
}

/// `d.c.b.a.in-addr.arpa` for `a.b.c.d`.
pub fn reverse_name(ip: &str) -> String {
    let mut octets: Vec<&str> = ip.split('.').collect();
    octets.reverse();
    format!("{}.in-addr.arpa", octets.join("."))
}

impl Answer {
    pub fn describe(&self) -> String {
        match self {
            Answer::Ptr(names) => format!("PTR {}", names.join(", ")),
            Answer::Srv(records) => format!(
                "SRV {}",
                records.iter().map(|(p, w, port, t)| format!("{p} {w} {port} {t}")).collect::<Vec<_>>().join(", ")
            ),
            Answer::A(ips) => format!("A {}", ips.join(", ")),
            Answer::Cname(target, ips) if ips.is_empty() => format!("CNAME {target}"),
            Answer::Cname(target, ips) => format!("CNAME {target} → A {}", ips.join(", ")),
            Answer::NxDomain => "NXDOMAIN".into(),
        }
    }
}

fn upstream(name: &str) -> Option<String> {
    UPSTREAM.iter().find(|(n, _)| *n == name).map(|(_, ip)| ip.to_string())
}

/// The ready endpoint addresses of a Service from its EndpointSlices (ready, or all of them when the Service
/// publishes not-ready addresses — the slice's `ready` already says so), with their hostnames.
fn slice_endpoints(cluster: &Cluster, ns: &str, svc: &str) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    for o in cluster.store.list(Kind::EndpointSlice, Some(ns)) {
        let Object::EndpointSlice(s) = o else { continue };
        if s.metadata.labels.as_ref().and_then(|l| l.get(LABEL_SERVICE_NAME)).map(String::as_str) != Some(svc) {
            continue;
        }
        for e in &s.endpoints {
            if e.conditions.as_ref().and_then(|c| c.ready).unwrap_or(true) {
                for a in &e.addresses {
                    if !out.iter().any(|(ip, _)| ip == a) {
                        out.push((a.clone(), e.hostname.clone()));
                    }
                }
            }
        }
    }
    out
}

/// What CoreDNS answers for `fqdn`: from the cluster's objects inside `cluster.local`, from the simulated
/// internet outside it (NXDOMAIN for names it does not know).
pub fn answer(cluster: &Cluster, fqdn: &str) -> Answer {
    let fqdn = fqdn.trim_end_matches('.').to_ascii_lowercase();
    if let Some(reversed) = fqdn.strip_suffix(".in-addr.arpa") {
        return reverse(cluster, reversed);
    }
    let Some(base) = fqdn.strip_suffix(&format!(".{CLUSTER_DOMAIN}")) else {
        return upstream(&fqdn).map(|ip| Answer::A(vec![ip])).unwrap_or(Answer::NxDomain);
    };
    let parts: Vec<&str> = base.split('.').collect();
    match parts.as_slice() {
        [svc, ns, "svc"] => {
            let Some(Object::Service(s)) = cluster.store.get(&ObjectKey::new(Kind::Service, ns, svc)) else {
                return Answer::NxDomain;
            };
            let spec = s.spec.clone().unwrap_or_default();
            if spec.type_.as_deref() == Some("ExternalName") {
                let target = spec.external_name.unwrap_or_default();
                let ips = match answer(cluster, &target) {
                    Answer::A(ips) => ips,
                    Answer::Cname(_, ips) => ips,
                    Answer::NxDomain | Answer::Ptr(_) | Answer::Srv(_) => Vec::new(),
                };
                return Answer::Cname(target, ips);
            }
            match spec.cluster_ip.as_deref() {
                Some("None") => {
                    let ips: Vec<String> = slice_endpoints(cluster, ns, svc).into_iter().map(|(ip, _)| ip).collect();
                    if ips.is_empty() {
                        Answer::NxDomain
                    } else {
                        Answer::A(ips)
                    }
                }
                Some(ip) if !ip.is_empty() => Answer::A(vec![ip.to_string()]),
                _ => Answer::NxDomain,
            }
        }
        [host, svc, ns, "svc"] => {
            // A dashed pod IP behind the Service, or an endpoint's hostname.
            let eps = slice_endpoints(cluster, ns, svc);
            let by_ip = host.replace('-', ".");
            eps.into_iter()
                .find(|(ip, h)| h.as_deref() == Some(*host) || *ip == by_ip)
                .map(|(ip, _)| Answer::A(vec![ip]))
                .unwrap_or(Answer::NxDomain)
        }
        [dashed, _ns, "pod"] => {
            let ip = dashed.replace('-', ".");
            if crate::network::parse_ipv4(&ip).is_some() {
                Answer::A(vec![ip])
            } else {
                Answer::NxDomain
            }
        }
        _ => Answer::NxDomain,
    }
}

/// CoreDNS's `kubernetes` plugin for `in-addr.arpa`: a ClusterIP names its Service; an endpoint address names
/// itself under each Service it serves (`hostname` or the dashed address). Anything else falls through to the
/// upstream resolver, which knows no private address here: NXDOMAIN.
fn reverse(cluster: &Cluster, reversed: &str) -> Answer {
    let mut octets: Vec<&str> = reversed.split('.').collect();
    octets.reverse();
    let ip = octets.join(".");
    if crate::network::parse_ipv4(&ip).is_none() {
        return Answer::NxDomain;
    }
    let mut names = Vec::new();
    for o in cluster.store.list(Kind::Service, None) {
        let Object::Service(s) = o else { continue };
        let ips = s.spec.as_ref().and_then(|s| s.cluster_ips.clone()).unwrap_or_default();
        if ips.contains(&ip) {
            names.push(format!("{}.{}.svc.{CLUSTER_DOMAIN}", o.name(), o.namespace()));
        }
    }
    if names.is_empty() {
        for o in cluster.store.list(Kind::EndpointSlice, None) {
            let Object::EndpointSlice(s) = o else { continue };
            let Some(svc) = s.metadata.labels.as_ref().and_then(|l| l.get(LABEL_SERVICE_NAME)) else { continue };
            for e in s.endpoints.iter().filter(|e| e.addresses.contains(&ip)) {
                let host = e.hostname.clone().unwrap_or_else(|| ip.replace('.', "-"));
                let name = format!("{host}.{svc}.{}.svc.{CLUSTER_DOMAIN}", o.namespace());
                if !names.contains(&name) {
                    names.push(name);
                }
            }
        }
    }
    if names.is_empty() {
        Answer::NxDomain
    } else {
        Answer::Ptr(names)
    }
}

/// CoreDNS's SRV answer for `_port._proto.svc.ns.svc.cluster.local`: the Service's named port, pointing at the
/// Service name (one record, weight 100), or for a headless Service at each ready endpoint's name (weights
/// sharing 100).
pub fn answer_srv(cluster: &Cluster, fqdn: &str) -> Answer {
    let fqdn = fqdn.trim_end_matches('.').to_ascii_lowercase();
    let Some(base) = fqdn.strip_suffix(&format!(".{CLUSTER_DOMAIN}")) else { return Answer::NxDomain };
    let parts: Vec<&str> = base.split('.').collect();
    let [port_label, proto_label, svc, ns, "svc"] = parts.as_slice() else { return Answer::NxDomain };
    let (Some(port_name), Some(proto)) = (port_label.strip_prefix('_'), proto_label.strip_prefix('_')) else {
        return Answer::NxDomain;
    };
    let Some(Object::Service(s)) = cluster.store.get(&ObjectKey::new(Kind::Service, ns, svc)) else {
        return Answer::NxDomain;
    };
    let spec = s.spec.clone().unwrap_or_default();
    let Some(port) = spec.ports.iter().flatten().find(|p| {
        p.name.as_deref() == Some(port_name) && p.protocol.as_deref().unwrap_or("TCP").eq_ignore_ascii_case(proto)
    }) else {
        return Answer::NxDomain;
    };
    if spec.cluster_ip.as_deref() == Some("None") {
        // A headless Service's records carry the endpoints' port (the target port), from its slices.
        let target_port = cluster
            .store
            .list(Kind::EndpointSlice, Some(ns))
            .filter_map(|o| match o {
                Object::EndpointSlice(sl)
                    if sl.metadata.labels.as_ref().and_then(|l| l.get(LABEL_SERVICE_NAME)).map(String::as_str)
                        == Some(*svc) =>
                {
                    sl.ports.iter().flatten().find(|p| p.name.as_deref() == Some(port_name)).and_then(|p| p.port)
                }
                _ => None,
            })
            .next()
            .unwrap_or(port.port);
        let eps = slice_endpoints(cluster, ns, svc);
        if eps.is_empty() {
            return Answer::NxDomain;
        }
        let weight = (100 / eps.len()) as u16;
        let records = eps
            .into_iter()
            .map(|(ip, host)| {
                let host = host.unwrap_or_else(|| ip.replace('.', "-"));
                (0, weight, target_port as u16, format!("{host}.{svc}.{ns}.svc.{CLUSTER_DOMAIN}"))
            })
            .collect();
        return Answer::Srv(records);
    }
    Answer::Srv(vec![(0, 100, port.port as u16, format!("{svc}.{ns}.svc.{CLUSTER_DOMAIN}"))])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolv_conf_and_the_search_walk() {
        let rc = ResolvConf::parse(
            "search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n",
        );
        assert_eq!(rc.ndots, 5);
        assert_eq!(rc.nameservers, ["10.96.0.10"]);
        let names: Vec<String> = rc.candidates("web").into_iter().map(|c| c.0).collect();
        assert_eq!(names, ["web.default.svc.cluster.local", "web.svc.cluster.local", "web.cluster.local", "web"]);
        // Five dots or more: the name as given first.
        assert_eq!(rc.candidates("a.b.c.d.e.f")[0].0, "a.b.c.d.e.f");
        // Absolute.
        assert_eq!(rc.candidates("example.com.").len(), 1);
    }

    #[test]
    fn cluster_names() {
        let c = Cluster::new(1);
        assert_eq!(answer(&c, "kubernetes.default.svc.cluster.local"), Answer::A(vec!["10.96.0.1".into()]));
        assert_eq!(answer(&c, "kube-dns.kube-system.svc.cluster.local"), Answer::A(vec!["10.96.0.10".into()]));
        assert_eq!(answer(&c, "web.default.svc.cluster.local"), Answer::NxDomain);
        assert_eq!(answer(&c, "10-244-3-2.default.pod.cluster.local"), Answer::A(vec!["10.244.3.2".into()]));
        assert_eq!(answer(&c, "example.com"), Answer::A(vec!["93.184.215.14".into()]));
        assert_eq!(answer(&c, "nowhere.invalid"), Answer::NxDomain);
    }
}

#[cfg(test)]
mod reverse_tests {
    use super::*;

    #[test]
    fn reverse_names_reverse_the_octets() {
        assert_eq!(reverse_name("10.96.0.10"), "10.0.96.10.in-addr.arpa");
        assert_eq!(reverse_name("192.168.49.2"), "2.49.168.192.in-addr.arpa");
    }
}
