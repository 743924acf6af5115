//! View models for the page's Network and DNS tabs: the Services with their addresses and live endpoints, and
//! the engine's traces turned into numbered steps. Plain data, so the page only lays it out and tests read it.

use engine::network::{Hop, Trace, TraceKind};
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
    /// `source`, `bridge`, `kube-proxy`, `no-endpoints`, `vxlan`, `hostport`, `deliver`, `refused`, `unreachable`, `filtered`,
    /// `resolver`, `query`, `answer`: what kind of hop, for styling and tests.
    pub kind: &'static str,
    /// The node it happens on, when there is one.
    pub node: Option<String>,
    pub text: String,
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
        Hop::HostPort { node, .. } => ("hostport", Some(node.clone())),
        Hop::Vxlan { from_node, .. } => ("vxlan", Some(from_node.clone())),
        Hop::Deliver { node, .. } => ("deliver", (!node.is_empty()).then(|| node.clone())),
        Hop::Refused { .. } => ("refused", None),
        Hop::Unreachable { .. } => ("unreachable", None),
        Hop::Filtered { node, .. } => ("filtered", Some(node.clone())),
        Hop::Resolver { .. } => ("resolver", None),
        Hop::Query { .. } => ("query", None),
        Hop::Answer { .. } => ("answer", None),
    };
    StepView { kind, node, text: hop.describe() }
}

/// A trace as numbered steps.
pub fn trace_view(t: &Trace) -> TraceView {
    let title = match &t.kind {
        TraceKind::Connect { host, port } => format!("connect to {host}:{port} from {}", t.client),
        TraceKind::Lookup { name } => format!("lookup of {name} from {}", t.client),
    };
    TraceView {
        seq: t.seq,
        at_ms: t.at_ms,
        title,
        outcome: t.outcome.clone(),
        steps: t.hops.iter().map(step).collect(),
    }
}

/// The latest `limit` traces of one kind (connections when `lookups` is false), newest first.
pub fn latest_traces(cluster: &Cluster, lookups: bool, limit: usize) -> Vec<TraceView> {
    cluster
        .traces()
        .iter()
        .rev()
        .filter(|t| matches!(t.kind, TraceKind::Lookup { .. }) == lookups)
        .take(limit)
        .map(trace_view)
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Playground;

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
}
