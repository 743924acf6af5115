//! Service networking: `printService`, `printEndpoints` and `printEndpointSlice`.

use std::collections::BTreeSet;

use engine::api::api::core::v1::{Endpoints, Service};
use engine::api::api::discovery::v1::EndpointSlice;
use engine::clock::Millis;

use super::selector::format_labels;
use super::{col, since, wide, Col};

pub(super) const SERVICE_COLUMNS: &[Col] =
    &[col("NAME"), col("TYPE"), col("CLUSTER-IP"), col("EXTERNAL-IP"), col("PORT(S)"), col("AGE"), wide("SELECTOR")];

pub(super) const ENDPOINTS_COLUMNS: &[Col] = &[col("NAME"), col("ENDPOINTS"), col("AGE")];

pub(super) const ENDPOINT_SLICE_COLUMNS: &[Col] =
    &[col("NAME"), col("ADDRESSTYPE"), col("PORTS"), col("ENDPOINTS"), col("AGE")];

/// How many addresses or ports a list shows before ` + N more...`.
const MAX_LISTED: usize = 3;

pub(super) fn service_cells(svc: &Service, now: Millis) -> Vec<String> {
    let spec = svc.spec.clone().unwrap_or_default();
    // `clusterIPs[0]`; the API keeps `clusterIP` equal to it, so fall back to that if the list is missing.
    let cluster_ip = spec
        .cluster_ips
        .as_ref()
        .and_then(|ips| ips.first().cloned())
        .or_else(|| spec.cluster_ip.clone().filter(|ip| !ip.is_empty()))
        .unwrap_or_else(|| "<none>".to_string());
    let ports: Vec<String> = spec
        .ports
        .iter()
        .flatten()
        .map(|p| {
            let protocol = p.protocol.as_deref().unwrap_or_default();
            match p.node_port.filter(|n| *n > 0) {
                Some(node_port) => format!("{}:{node_port}/{protocol}", p.port),
                None => format!("{}/{protocol}", p.port),
            }
        })
        .collect();
    let ports = if ports.is_empty() { "<none>".to_string() } else { ports.join(",") };
    vec![
        svc.metadata.name.clone().unwrap_or_default(),
        spec.type_.clone().unwrap_or_default(),
        cluster_ip,
        external_ip(svc),
        ports,
        since(svc.metadata.creation_timestamp.as_ref(), now),
        format_labels(spec.selector.as_ref()),
    ]
}

/// `getServiceExternalIP` as the apiserver calls it (wide, so the load-balancer list is never clipped).
fn external_ip(svc: &Service) -> String {
    let spec = svc.spec.clone().unwrap_or_default();
    let external_ips = spec.external_ips.unwrap_or_default();
    match spec.type_.as_deref().unwrap_or_default() {
        "ClusterIP" | "NodePort" if external_ips.is_empty() => "<none>".to_string(),
        "ClusterIP" | "NodePort" => external_ips.join(","),
        "LoadBalancer" => {
            // Each ingress point by IP, else hostname; deduplicated and sorted (a Go string set).
            let ingress: BTreeSet<String> = svc
                .status
                .as_ref()
                .and_then(|s| s.load_balancer.as_ref())
                .and_then(|lb| lb.ingress.as_ref())
                .into_iter()
                .flatten()
                .filter_map(|i| {
                    i.ip.clone().filter(|ip| !ip.is_empty()).or_else(|| i.hostname.clone().filter(|h| !h.is_empty()))
                })
                .collect();
            let mut all: Vec<String> = ingress.into_iter().collect();
            all.extend(external_ips);
            if all.is_empty() {
                "<pending>".to_string()
            } else {
                all.join(",")
            }
        }
        "ExternalName" => spec.external_name.unwrap_or_default(),
        _ => "<unknown>".to_string(),
    }
}

/// `formatEndpoints`: `ip:port` for every ready address and port (just the IP for a subset without ports),
/// the first three then ` + N more...`; `<none>` without subsets.
pub(super) fn endpoints_cells(ep: &Endpoints, now: Millis) -> Vec<String> {
    let subsets = ep.subsets.as_deref().unwrap_or_default();
    let text = if subsets.is_empty() {
        "<none>".to_string()
    } else {
        let mut list: Vec<String> = Vec::new();
        let mut count = 0;
        for ss in subsets {
            let addresses = ss.addresses.as_deref().unwrap_or_default();
            let ports = ss.ports.as_deref().unwrap_or_default();
            if ports.is_empty() {
                count += addresses.len();
                list.extend(addresses.iter().map(|a| a.ip.clone()).take(MAX_LISTED.saturating_sub(list.len())));
                continue;
            }
            for port in ports {
                count += addresses.len();
                let room = MAX_LISTED.saturating_sub(list.len());
                list.extend(addresses.iter().take(room).map(|a| join_host_port(&a.ip, port.port)));
            }
        }
        with_more(list, count, "")
    };
    vec![ep.metadata.name.clone().unwrap_or_default(), text, since(ep.metadata.creation_timestamp.as_ref(), now)]
}

/// Go's `net.JoinHostPort`: IPv6 addresses go in brackets.
fn join_host_port(host: &str, port: i32) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// The first three of `count` items joined, ` + N more...` for the rest, and `empty` for none at all.
fn with_more(list: Vec<String>, count: usize, empty: &str) -> String {
    let joined = list.join(",");
    if count > MAX_LISTED {
        format!("{joined} + {} more...", count - MAX_LISTED)
    } else if joined.is_empty() {
        empty.to_string()
    } else {
        joined
    }
}

/// `printEndpointSlice`: ports by number (else name, else `*`) and all endpoint addresses, each list
/// cut after three and `<unset>` when empty.
pub(super) fn endpoint_slice_cells(slice: &EndpointSlice, now: Millis) -> Vec<String> {
    let ports: Vec<String> = slice
        .ports
        .iter()
        .flatten()
        .map(|p| match (p.port, &p.name) {
            (Some(port), _) => port.to_string(),
            (None, Some(name)) => name.clone(),
            (None, None) => "*".to_string(),
        })
        .collect();
    let port_count = ports.len();
    let addresses: Vec<String> = slice.endpoints.iter().flat_map(|e| e.addresses.iter().cloned()).collect();
    let address_count = addresses.len();
    vec![
        slice.metadata.name.clone().unwrap_or_default(),
        slice.address_type.clone(),
        with_more(ports.into_iter().take(MAX_LISTED).collect(), port_count, "<unset>"),
        with_more(addresses.into_iter().take(MAX_LISTED).collect(), address_count, "<unset>"),
        since(slice.metadata.creation_timestamp.as_ref(), now),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::api::api::core::v1::{
        EndpointAddress, EndpointPort, EndpointSubset, LoadBalancerIngress, LoadBalancerStatus, ServicePort,
        ServiceSpec, ServiceStatus,
    };
    use engine::api::api::discovery::v1::{Endpoint, EndpointPort as SlicePort};
    use engine::api::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    fn svc(
        type_: &str,
        cluster_ip: Option<&str>,
        ports: &[(i32, i32)],
        ingress: &[(&str, &str)],
        external: &[&str],
    ) -> Service {
        Service {
            metadata: ObjectMeta { name: Some("web".into()), ..Default::default() },
            spec: Some(ServiceSpec {
                type_: Some(type_.into()),
                cluster_ip: cluster_ip.map(Into::into),
                cluster_ips: cluster_ip.map(|ip| vec![ip.into()]),
                ports: Some(
                    ports
                        .iter()
                        .map(|(port, node_port)| ServicePort {
                            port: *port,
                            node_port: (*node_port != 0).then_some(*node_port),
                            protocol: Some("TCP".into()),
                            ..Default::default()
                        })
                        .collect(),
                ),
                external_ips: (!external.is_empty()).then(|| external.iter().map(|s| s.to_string()).collect()),
                selector: Some([("app".to_string(), "web".to_string())].into()),
                ..Default::default()
            }),
            status: Some(ServiceStatus {
                load_balancer: Some(LoadBalancerStatus {
                    ingress: Some(
                        ingress
                            .iter()
                            .map(|(ip, host)| LoadBalancerIngress {
                                ip: (!ip.is_empty()).then(|| ip.to_string()),
                                hostname: (!host.is_empty()).then(|| host.to_string()),
                                ..Default::default()
                            })
                            .collect(),
                    ),
                }),
                ..Default::default()
            }),
        }
    }

    #[test]
    fn service_rows() {
        let cases = [
            (
                svc("ClusterIP", Some("10.96.0.1"), &[(443, 0)], &[], &[]),
                ["ClusterIP", "10.96.0.1", "<none>", "443/TCP"],
            ),
            (svc("ClusterIP", Some("None"), &[(5432, 0)], &[], &[]), ["ClusterIP", "None", "<none>", "5432/TCP"]),
            (
                svc("ClusterIP", Some("10.96.0.9"), &[], &[], &["192.0.2.1", "192.0.2.2"]),
                ["ClusterIP", "10.96.0.9", "192.0.2.1,192.0.2.2", "<none>"],
            ),
            (
                svc("NodePort", Some("10.96.0.2"), &[(80, 30080), (443, 30443)], &[], &[]),
                ["NodePort", "10.96.0.2", "<none>", "80:30080/TCP,443:30443/TCP"],
            ),
            (
                svc("LoadBalancer", Some("10.96.0.3"), &[(80, 31000)], &[], &[]),
                ["LoadBalancer", "10.96.0.3", "<pending>", "80:31000/TCP"],
            ),
            (
                svc(
                    "LoadBalancer",
                    Some("10.96.0.3"),
                    &[(80, 31000)],
                    &[("203.0.113.9", ""), ("203.0.113.2", "")],
                    &[],
                ),
                ["LoadBalancer", "10.96.0.3", "203.0.113.2,203.0.113.9", "80:31000/TCP"],
            ),
            (
                svc(
                    "LoadBalancer",
                    Some("10.96.0.3"),
                    &[(80, 31000)],
                    &[("", "a1b2c3.elb.us-east-1.amazonaws.com")],
                    &[],
                ),
                ["LoadBalancer", "10.96.0.3", "a1b2c3.elb.us-east-1.amazonaws.com", "80:31000/TCP"],
            ),
            (
                svc("LoadBalancer", Some("10.96.0.3"), &[(80, 31000)], &[("203.0.113.2", "")], &["192.0.2.1"]),
                ["LoadBalancer", "10.96.0.3", "203.0.113.2,192.0.2.1", "80:31000/TCP"],
            ),
            (svc("ExternalName", None, &[], &[], &[]), ["ExternalName", "<none>", "", "<none>"]),
            (svc("Weird", None, &[], &[], &[]), ["Weird", "<none>", "<unknown>", "<none>"]),
        ];
        for (s, want) in cases {
            let c = service_cells(&s, 0);
            assert_eq!([c[1].as_str(), c[2].as_str(), c[3].as_str(), c[4].as_str()], want);
            assert_eq!(c[6], "app=web");
        }
        let mut external_name = svc("ExternalName", None, &[], &[], &[]);
        external_name.spec.as_mut().unwrap().external_name = Some("db.example.com".into());
        assert_eq!(service_cells(&external_name, 0)[3], "db.example.com");
        let mut only_cluster_ip = svc("ClusterIP", Some("10.96.0.5"), &[], &[], &[]);
        only_cluster_ip.spec.as_mut().unwrap().cluster_ips = None;
        assert_eq!(service_cells(&only_cluster_ip, 0)[2], "10.96.0.5");
        assert_eq!(
            service_cells(&Service::default(), 0),
            ["", "", "<none>", "<unknown>", "<none>", "<unknown>", "<none>"]
        );
    }

    fn subset(ips: &[&str], ports: &[i32]) -> EndpointSubset {
        EndpointSubset {
            addresses: Some(
                ips.iter().map(|ip| EndpointAddress { ip: ip.to_string(), ..Default::default() }).collect(),
            ),
            ports: Some(ports.iter().map(|p| EndpointPort { port: *p, ..Default::default() }).collect()),
            ..Default::default()
        }
    }

    #[test]
    fn endpoints_list_three_then_more() {
        let ep = |subsets: Option<Vec<EndpointSubset>>| Endpoints { subsets, ..Default::default() };
        let many: Vec<String> = (1..=10).map(|i| format!("10.244.1.{i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        let cases = [
            (ep(None), "<none>"),
            (ep(Some(vec![])), "<none>"),
            (ep(Some(vec![subset(&[], &[80])])), ""),
            (ep(Some(vec![subset(&["10.244.1.4", "10.244.3.4"], &[5432])])), "10.244.1.4:5432,10.244.3.4:5432"),
            (ep(Some(vec![subset(&many, &[80])])), "10.244.1.1:80,10.244.1.2:80,10.244.1.3:80 + 7 more..."),
            (
                ep(Some(vec![subset(&["10.0.0.1", "10.0.0.2"], &[80, 443])])),
                "10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 1 more...",
            ),
            (ep(Some(vec![subset(&["10.0.0.1"], &[]), subset(&["fd00::1"], &[53])])), "10.0.0.1,[fd00::1]:53"),
        ];
        for (e, want) in cases {
            assert_eq!(endpoints_cells(&e, 0)[1], want);
        }
    }

    #[test]
    fn endpoint_slices() {
        let slice = |ports: Option<Vec<SlicePort>>, addresses: Vec<Vec<&str>>| EndpointSlice {
            address_type: "IPv4".into(),
            ports,
            endpoints: addresses
                .into_iter()
                .map(|a| Endpoint { addresses: a.into_iter().map(Into::into).collect(), ..Default::default() })
                .collect(),
            ..Default::default()
        };
        let port = |n: Option<i32>, name: Option<&str>| SlicePort {
            port: n,
            name: name.map(Into::into),
            ..Default::default()
        };
        let cases = [
            (slice(None, vec![]), ["IPv4", "<unset>", "<unset>"]),
            (
                slice(Some(vec![port(Some(80), None)]), vec![vec!["10.244.1.7"], vec!["10.244.3.6"]]),
                ["IPv4", "80", "10.244.1.7,10.244.3.6"],
            ),
            (
                slice(
                    Some(vec![port(None, Some("http")), port(None, None), port(Some(1), None), port(Some(2), None)]),
                    vec![vec!["a", "b", "c", "d", "e"]],
                ),
                ["IPv4", "http,*,1 + 1 more...", "a,b,c + 2 more..."],
            ),
        ];
        for (s, want) in cases {
            let c = endpoint_slice_cells(&s, 0);
            assert_eq!([c[1].as_str(), c[2].as_str(), c[3].as_str()], want);
        }
    }
}
