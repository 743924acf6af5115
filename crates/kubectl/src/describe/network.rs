//! Services and their endpoints: Service (whose `Endpoints:` line kubectl builds from EndpointSlices,
//! not from the Endpoints object), Endpoints and EndpointSlice.

use engine::api::api::core::v1::{Endpoints, LoadBalancerIngress, Service};
use engine::api::api::discovery::v1::EndpointSlice;
use engine::api::apimachinery::pkg::util::intstr::IntOrString;
use engine::{Kind, Object};

use super::events::{self, EventQuery};
use super::tabwriter::{PrefixWriter, LEVEL_0, LEVEL_1, LEVEL_2, LEVEL_3};
use super::text::{annotations_multiline, format_labels, labels_multiline, opt};
use super::Ctx;

/// The EndpointSlices labelled `kubernetes.io/service-name=<name>` in the namespace.
fn slices_of(ctx: &Ctx, namespace: &str, name: &str) -> Vec<EndpointSlice> {
    ctx.list(Kind::EndpointSlice, Some(namespace), |o| match o {
        Object::EndpointSlice(s) => Some(*s),
        _ => None,
    })
    .into_iter()
    .filter(|s| s.metadata.labels.as_ref().and_then(|l| l.get("kubernetes.io/service-name")).is_some_and(|v| v == name))
    .collect()
}

/// `formatEndpointSlices`: ready addresses of the port named `port_name` (every endpoint for slices
/// without ports), at most three and then `+ N more...`.
fn format_endpoint_slices(slices: &[EndpointSlice], port_name: &str) -> String {
    if slices.is_empty() {
        return "<none>".to_string();
    }
    const MAX: usize = 3;
    let (mut list, mut more, mut count) = (Vec::new(), false, 0usize);
    let ready =
        |e: &engine::api::api::discovery::v1::Endpoint| e.conditions.as_ref().and_then(|c| c.ready).unwrap_or(true);
    for slice in slices {
        let ports = slice.ports.as_deref().unwrap_or_default();
        if ports.is_empty() {
            for e in &slice.endpoints {
                if list.len() == MAX {
                    more = true;
                }
                if !ready(e) {
                    continue;
                }
                if !more {
                    list.push(e.addresses.first().cloned().unwrap_or_default());
                }
                count += 1;
            }
            continue;
        }
        for port in ports.iter().filter(|p| opt(&p.name) == port_name) {
            for e in &slice.endpoints {
                if list.len() == MAX {
                    more = true;
                }
                if !ready(e) {
                    continue;
                }
                if !more {
                    let addr = e.addresses.first().map(String::as_str).unwrap_or_default();
                    let host = if addr.contains(':') { format!("[{addr}]") } else { addr.to_string() };
                    list.push(format!("{host}:{}", port.port.unwrap_or(0)));
                }
                count += 1;
            }
        }
    }
    let joined = list.join(",");
    if more {
        format!("{joined} + {} more...", count.saturating_sub(MAX))
    } else {
        joined
    }
}

/// `buildIngressString`.
fn ingress_string(ingress: &[LoadBalancerIngress]) -> String {
    ingress
        .iter()
        .map(|i| match i.ip.as_deref().filter(|ip| !ip.is_empty()) {
            Some(ip) => match &i.ip_mode {
                Some(mode) => format!("{ip} ({mode})"),
                None => ip.to_string(),
            },
            None => opt(&i.hostname).to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `describeService`.
pub fn describe_service(svc: &Service, ctx: &Ctx) -> String {
    let spec = svc.spec.clone().unwrap_or_default();
    let (name, ns) = (opt(&svc.metadata.name), opt(&svc.metadata.namespace));
    let slices = slices_of(ctx, ns, name);
    let mut w = PrefixWriter::new();
    w.write(LEVEL_0, &format!("Name:\t{name}\n"));
    w.write(LEVEL_0, &format!("Namespace:\t{ns}\n"));
    labels_multiline(&mut w, "Labels", svc.metadata.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", svc.metadata.annotations.as_ref());
    w.write(LEVEL_0, &format!("Selector:\t{}\n", format_labels(spec.selector.as_ref())));
    w.write(LEVEL_0, &format!("Type:\t{}\n", opt(&spec.type_)));
    if let Some(policy) = &spec.ip_family_policy {
        w.write(LEVEL_0, &format!("IP Family Policy:\t{policy}\n"));
    }
    let list_or_none = |l: &Option<Vec<String>>| match l.as_ref().filter(|l| !l.is_empty()) {
        Some(l) => l.join(","),
        None => "<none>".to_string(),
    };
    w.write(LEVEL_0, &format!("IP Families:\t{}\n", list_or_none(&spec.ip_families)));
    w.write(LEVEL_0, &format!("IP:\t{}\n", opt(&spec.cluster_ip)));
    w.write(LEVEL_0, &format!("IPs:\t{}\n", list_or_none(&spec.cluster_ips)));
    if let Some(ips) = spec.external_ips.as_ref().filter(|l| !l.is_empty()) {
        w.write(LEVEL_0, &format!("External IPs:\t{}\n", ips.join(",")));
    }
    if !opt(&spec.load_balancer_ip).is_empty() {
        w.write(LEVEL_0, &format!("Desired LoadBalancer IP:\t{}\n", opt(&spec.load_balancer_ip)));
    }
    if !opt(&spec.external_name).is_empty() {
        w.write(LEVEL_0, &format!("External Name:\t{}\n", opt(&spec.external_name)));
    }
    let ingress = svc.status.as_ref().and_then(|s| s.load_balancer.as_ref()).and_then(|lb| lb.ingress.as_ref());
    if let Some(ingress) = ingress.filter(|i| !i.is_empty()) {
        w.write(LEVEL_0, &format!("LoadBalancer Ingress:\t{}\n", ingress_string(ingress)));
    }
    for port in spec.ports.iter().flatten() {
        let port_name = opt(&port.name);
        let shown = if port_name.is_empty() { "<unset>" } else { port_name };
        let protocol = opt(&port.protocol);
        w.write(LEVEL_0, &format!("Port:\t{shown}\t{}/{protocol}\n", port.port));
        let target = match &port.target_port {
            Some(IntOrString::String(s)) => s.clone(),
            Some(IntOrString::Int(i)) => i.to_string(),
            None => "0".to_string(),
        };
        w.write(LEVEL_0, &format!("TargetPort:\t{target}/{protocol}\n"));
        if let Some(node_port) = port.node_port.filter(|p| *p != 0) {
            w.write(LEVEL_0, &format!("NodePort:\t{shown}\t{node_port}/{protocol}\n"));
        }
        w.write(LEVEL_0, &format!("Endpoints:\t{}\n", format_endpoint_slices(&slices, port_name)));
    }
    w.write(LEVEL_0, &format!("Session Affinity:\t{}\n", opt(&spec.session_affinity)));
    if !opt(&spec.external_traffic_policy).is_empty() {
        w.write(LEVEL_0, &format!("External Traffic Policy:\t{}\n", opt(&spec.external_traffic_policy)));
    }
    if let Some(policy) = &spec.internal_traffic_policy {
        w.write(LEVEL_0, &format!("Internal Traffic Policy:\t{policy}\n"));
    }
    if let Some(port) = spec.health_check_node_port.filter(|p| *p != 0) {
        w.write(LEVEL_0, &format!("HealthCheck NodePort:\t{port}\n"));
    }
    if let Some(ranges) = spec.load_balancer_source_ranges.as_ref().filter(|r| !r.is_empty()) {
        w.write(LEVEL_0, &format!("LoadBalancer Source Ranges:\t{}\n", ranges.join(",")));
    }
    if let Some(td) = spec.traffic_distribution.as_deref().filter(|t| !t.is_empty()) {
        w.write(LEVEL_0, &format!("Traffic Distribution:\t{td}\n"));
    }
    events::section(&mut w, ctx, &EventQuery::of(&svc.metadata, "Service"));
    w.finish()
}

/// `describeEndpoints`.
pub fn describe_endpoints(ep: &Endpoints, ctx: &Ctx) -> String {
    let mut w = PrefixWriter::new();
    w.write(LEVEL_0, &format!("Name:\t{}\n", opt(&ep.metadata.name)));
    w.write(LEVEL_0, &format!("Namespace:\t{}\n", opt(&ep.metadata.namespace)));
    labels_multiline(&mut w, "Labels", ep.metadata.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", ep.metadata.annotations.as_ref());
    w.write(LEVEL_0, "Subsets:\n");
    for subset in ep.subsets.iter().flatten() {
        let ips = |list: &Option<Vec<engine::api::api::core::v1::EndpointAddress>>| {
            let joined = list.iter().flatten().map(|a| a.ip.as_str()).collect::<Vec<_>>().join(",");
            if joined.is_empty() {
                "<none>".to_string()
            } else {
                joined
            }
        };
        w.write(LEVEL_1, &format!("Addresses:\t{}\n", ips(&subset.addresses)));
        w.write(LEVEL_1, &format!("NotReadyAddresses:\t{}\n", ips(&subset.not_ready_addresses)));
        if let Some(ports) = subset.ports.as_ref().filter(|p| !p.is_empty()) {
            w.write(LEVEL_1, "Ports:\n");
            w.write(LEVEL_2, "Name\tPort\tProtocol\n");
            w.write(LEVEL_2, "----\t----\t--------\n");
            for p in ports {
                let name = if opt(&p.name).is_empty() { "<unset>" } else { opt(&p.name) };
                w.write(LEVEL_2, &format!("{name}\t{}\t{}\n", p.port, opt(&p.protocol)));
            }
        }
        w.write(LEVEL_0, "\n");
    }
    events::section(&mut w, ctx, &EventQuery::of(&ep.metadata, "Endpoints"));
    w.finish()
}

/// `describeEndpointSliceV1`.
pub fn describe_endpoint_slice(eps: &EndpointSlice, ctx: &Ctx) -> String {
    let mut w = PrefixWriter::new();
    w.write(LEVEL_0, &format!("Name:\t{}\n", opt(&eps.metadata.name)));
    w.write(LEVEL_0, &format!("Namespace:\t{}\n", opt(&eps.metadata.namespace)));
    labels_multiline(&mut w, "Labels", eps.metadata.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", eps.metadata.annotations.as_ref());
    w.write(LEVEL_0, &format!("AddressType:\t{}\n", eps.address_type));
    match eps.ports.as_ref().filter(|p| !p.is_empty()) {
        None => w.write(LEVEL_0, "Ports: <unset>\n"),
        Some(ports) => {
            w.write(LEVEL_0, "Ports:\n");
            w.write(LEVEL_1, "Name\tPort\tProtocol\n");
            w.write(LEVEL_1, "----\t----\t--------\n");
            for p in ports {
                let name = if opt(&p.name).is_empty() { "<unset>" } else { opt(&p.name) };
                let num = p.port.map(|n| n.to_string()).unwrap_or_else(|| "<unset>".to_string());
                w.write(LEVEL_1, &format!("{name}\t{num}\t{}\n", opt(&p.protocol)));
            }
        }
    }
    if eps.endpoints.is_empty() {
        w.write(LEVEL_0, "Endpoints: <none>\n");
    } else {
        w.write(LEVEL_0, "Endpoints:\n");
        for e in &eps.endpoints {
            let addresses = if e.addresses.is_empty() { "<none>".to_string() } else { e.addresses.join(", ") };
            w.write(LEVEL_1, &format!("- Addresses:\t{addresses}\n"));
            w.write(LEVEL_2, "Conditions:\n");
            let ready =
                e.conditions.as_ref().and_then(|c| c.ready).map(|r| r.to_string()).unwrap_or_else(|| "<unset>".into());
            w.write(LEVEL_3, &format!("Ready:\t{ready}\n"));
            w.write(LEVEL_2, &format!("Hostname:\t{}\n", e.hostname.as_deref().unwrap_or("<unset>")));
            if let Some(t) = &e.target_ref {
                w.write(LEVEL_2, &format!("TargetRef:\t{}/{}\n", opt(&t.kind), opt(&t.name)));
            }
            w.write(LEVEL_2, &format!("NodeName:\t{}\n", e.node_name.as_deref().unwrap_or("<unset>")));
            w.write(LEVEL_2, &format!("Zone:\t{}\n", e.zone.as_deref().unwrap_or("<unset>")));
        }
    }
    events::section(&mut w, ctx, &EventQuery::of(&eps.metadata, "EndpointSlice"));
    w.finish()
}
