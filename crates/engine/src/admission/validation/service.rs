//! Services, from core `validation.go`: `ValidateService` (in its order, with `validateServicePort`,
//! `ValidateServiceClusterIPsRelatedFields` and the traffic-policy checks) and `ValidateServiceUpdate`.
//!
//! In the real apiserver, cluster IPs and node ports are allocated (`BeginCreate`) before validation runs,
//! so the API layer calls these after allocating; the allocator's own errors are in `admission::node_port_*`.

use std::collections::BTreeSet;
use std::net::IpAddr;

use k8s_openapi::api::core::v1::{Service, ServicePort, ServiceSpec};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::container::dns_label;
use super::meta::{validate_labels, validate_object_meta};
use super::probes::port_num_or_name;
use crate::admission::field::{
    duplicate, forbidden, invalid, not_supported, required, BadValue, FieldError, GoJson, Path,
};
use crate::admission::names::{is_qualified_name, is_valid_port_num, validate_name, NameRule};

const IP_MSG: &str = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)";

fn is_headless(spec: &ServiceSpec) -> bool {
    spec.cluster_ips.as_deref().is_some_and(|ips| ips.len() == 1 && ips.first().is_some_and(|ip| ip == "None"))
}

fn type_of(spec: &ServiceSpec) -> &str {
    spec.type_.as_deref().unwrap_or_default()
}

fn ips_json(spec: &ServiceSpec) -> BadValue {
    BadValue::Json(GoJson::string_list(spec.cluster_ips.iter().flatten()))
}

/// The internal `core.ServicePort` key of the duplicate-port error, as `json.Marshal` renders it.
fn port_key_json(p: &ServicePort) -> GoJson {
    GoJson::Object(vec![
        ("Name".into(), GoJson::Str(String::new())),
        ("Protocol".into(), GoJson::Str(p.protocol.clone().unwrap_or_default())),
        ("AppProtocol".into(), GoJson::Null),
        ("Port".into(), GoJson::Int(i64::from(p.port))),
        ("TargetPort".into(), GoJson::Int(0)),
        ("NodePort".into(), GoJson::Int(0)),
    ])
}

/// `validateServicePort`.
fn validate_port(p: &ServicePort, require_name: bool, names: &mut BTreeSet<String>, path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let name = p.name.as_deref().unwrap_or_default();
    if require_name && name.is_empty() {
        errs.push(required(&path.child("name"), ""));
    } else if !name.is_empty() {
        errs.extend(dns_label(name, &path.child("name")));
        if !names.insert(name.to_string()) {
            errs.push(duplicate(&path.child("name"), BadValue::Str(name.to_string())));
        }
    }
    for m in is_valid_port_num(i64::from(p.port)) {
        errs.push(invalid(&path.child("port"), BadValue::Int(i64::from(p.port)), &m));
    }
    errs.extend(super::container::validate_protocol(
        p.protocol.as_deref().unwrap_or_default(),
        &path.child("protocol"),
    ));
    errs.extend(port_num_or_name(&p.target_port.clone().unwrap_or(IntOrString::Int(0)), &path.child("targetPort")));
    if let Some(app) = &p.app_protocol {
        errs.extend(
            is_qualified_name(app)
                .into_iter()
                .map(|m| invalid(&path.child("appProtocol"), BadValue::Str(app.clone()), &m)),
        );
    }
    errs
}

/// `ValidateServiceClusterIPsRelatedFields`.
fn cluster_ip_fields(spec: &ServiceSpec, path: &Path) -> Vec<FieldError> {
    if type_of(spec) == "ExternalName" {
        return Vec::new();
    }
    let mut errs = Vec::new();
    let ips = spec.cluster_ips.clone().unwrap_or_default();
    let ips_path = path.child("clusterIPs");
    match spec.cluster_ip.as_deref().filter(|ip| !ip.is_empty()) {
        Some(ip) => match ips.first() {
            None => errs.push(required(&ips_path, "")),
            Some(first) if first != ip => {
                errs.push(invalid(&ips_path, ips_json(spec), "first value must match `clusterIP`"))
            }
            Some(_) => {}
        },
        None if !ips.is_empty() => {
            errs.push(invalid(&ips_path, ips_json(spec), "must be empty when `clusterIP` is not specified"))
        }
        None => {}
    }
    let mut seen = BTreeSet::new();
    for (i, fam) in spec.ip_families.iter().flatten().enumerate() {
        if fam != "IPv4" && fam != "IPv6" {
            errs.push(not_supported(&path.child("ipFamilies").index(i), BadValue::typed(fam), &["IPv4", "IPv6"]));
        }
        if !seen.insert(fam.clone()) {
            errs.push(duplicate(&path.child("ipFamilies").index(i), BadValue::typed(fam)));
        }
    }
    if let Some(policy) = spec.ip_family_policy.as_deref() {
        let supported = ["PreferDualStack", "RequireDualStack", "SingleStack"];
        if !supported.contains(&policy) {
            errs.push(not_supported(&path.child("ipFamilyPolicy"), BadValue::typed(policy), &supported));
        }
    }
    let mut bad_ips = false;
    for (i, ip) in ips.iter().enumerate() {
        if i == 0 && ip == "None" {
            if ips.len() > 1 {
                bad_ips = true;
                errs.push(invalid(&ips_path, ips_json(spec), "'None' must be the first and only value"));
            }
            continue;
        }
        if ip.parse::<IpAddr>().is_err() {
            bad_ips = true;
            errs.push(invalid(&ips_path.index(i), BadValue::Str(ip.clone()), IP_MSG));
        }
    }
    if ips.len() > 2 {
        errs.push(invalid(&ips_path, ips_json(spec), "may only hold up to 2 values"));
    }
    if bad_ips {
        return errs;
    }
    let parsed: Vec<IpAddr> = ips.iter().filter_map(|ip| ip.parse().ok()).collect();
    if ips.len() > 1 {
        let v4 = parsed.iter().filter(|ip| ip.is_ipv4()).count();
        if v4 != 1 || parsed.len() != 2 {
            errs.push(invalid(&ips_path, ips_json(spec), "may specify no more than one IP for each IP family"));
        }
    }
    if !is_headless(spec) {
        for (i, (ip, fam)) in parsed.iter().zip(spec.ip_families.iter().flatten()).enumerate() {
            if fam == "IPv4" && ip.is_ipv6() {
                let msg = format!("expected an IPv4 value as indicated by `ipFamilies[{i}]`");
                errs.push(invalid(&ips_path.index(i), BadValue::Str(ip.to_string()), &msg));
            }
            if fam == "IPv6" && !ip.is_ipv6() {
                let msg = format!("expected an IPv6 value as indicated by `ipFamilies[{i}]`");
                errs.push(invalid(&ips_path.index(i), BadValue::Str(ip.to_string()), &msg));
            }
        }
    }
    errs
}

/// `ValidateService`.
pub fn validate_service(svc: &Service) -> Vec<FieldError> {
    let mut errs = validate_object_meta(&svc.metadata, true, NameRule::Dns1035);
    let path = Path::new("spec");
    let spec = svc.spec.clone().unwrap_or_default();
    let ty = type_of(&spec).to_string();
    let ports = spec.ports.clone().unwrap_or_default();
    if ports.is_empty() && !is_headless(&spec) && ty != "ExternalName" {
        errs.push(required(&path.child("ports"), ""));
    }
    let first_ip = || BadValue::Str(spec.cluster_ips.iter().flatten().next().cloned().unwrap_or_default());
    match ty.as_str() {
        "LoadBalancer" if is_headless(&spec) => {
            errs.push(invalid(
                &path.child("clusterIPs").index(0),
                first_ip(),
                "may not be set to 'None' for LoadBalancer services",
            ));
        }
        "NodePort" if is_headless(&spec) => {
            errs.push(invalid(
                &path.child("clusterIPs").index(0),
                first_ip(),
                "may not be set to 'None' for NodePort services",
            ));
        }
        "ExternalName" => {
            for (field, set) in [
                ("clusterIPs", spec.cluster_ips.as_ref().is_some_and(|v| !v.is_empty())),
                ("ipFamilies", spec.ip_families.as_ref().is_some_and(|v| !v.is_empty())),
                ("ipFamilyPolicy", spec.ip_family_policy.is_some()),
            ] {
                if set {
                    errs.push(forbidden(&path.child(field), "may not be set for ExternalName services"));
                }
            }
            let name = spec.external_name.clone().unwrap_or_default();
            let cname = name.strip_suffix('.').unwrap_or(&name);
            if cname.is_empty() {
                errs.push(required(&path.child("externalName"), ""));
            } else {
                let msgs = validate_name(NameRule::Subdomain, cname, false);
                errs.extend(
                    msgs.into_iter()
                        .map(|m| invalid(&path.child("externalName"), BadValue::Str(cname.to_string()), &m)),
                );
            }
        }
        _ => {}
    }
    let mut names = BTreeSet::new();
    for (i, p) in ports.iter().enumerate() {
        errs.extend(validate_port(p, ports.len() > 1, &mut names, &path.child("ports").index(i)));
    }
    if spec.selector.is_some() {
        errs.extend(validate_labels(spec.selector.as_ref(), &path.child("selector")));
    }
    let affinity = spec.session_affinity.as_deref().unwrap_or_default();
    match affinity {
        "" => errs.push(required(&path.child("sessionAffinity"), "")),
        "ClientIP" | "None" => {}
        other => {
            errs.push(not_supported(&path.child("sessionAffinity"), BadValue::typed(other), &["ClientIP", "None"]))
        }
    }
    let cfg_path = path.child("sessionAffinityConfig");
    if affinity == "ClientIP" {
        let when = "when session affinity type is ClientIP";
        let client = spec.session_affinity_config.as_ref().map(|c| c.client_ip.as_ref());
        match client {
            None => errs.push(required(&cfg_path, when)),
            Some(None) => errs.push(required(&cfg_path.child("clientIP"), when)),
            Some(Some(c)) => match c.timeout_seconds {
                None => errs.push(required(&cfg_path.child("clientIP").child("timeoutSeconds"), when)),
                Some(t) if t <= 0 || t > 86400 => errs.push(invalid(
                    &cfg_path.child("clientIP").child("timeoutSeconds"),
                    BadValue::Json(GoJson::Int(i64::from(t))),
                    "must be greater than 0 and less than 86400",
                )),
                Some(_) => {}
            },
        }
    } else if affinity == "None" && spec.session_affinity_config.is_some() {
        errs.push(forbidden(&cfg_path, "must not be set when session affinity is None"));
    }
    errs.extend(cluster_ip_fields(&spec, &path));
    for (i, ip) in spec.external_ips.iter().flatten().enumerate() {
        if ip.parse::<IpAddr>().is_err() {
            errs.push(invalid(&path.child("externalIPs").index(i), BadValue::Str(ip.clone()), IP_MSG));
        }
    }
    let types = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
    if ty.is_empty() {
        errs.push(required(&path.child("type"), ""));
    } else if !types.contains(&ty.as_str()) {
        errs.push(not_supported(&path.child("type"), BadValue::typed(&ty), &types));
    }
    if ty == "ClusterIP" {
        for (i, p) in ports.iter().enumerate() {
            if p.node_port.unwrap_or(0) != 0 {
                errs.push(forbidden(
                    &path.child("ports").index(i).child("nodePort"),
                    "may not be used when `type` is 'ClusterIP'",
                ));
            }
        }
    }
    let mut node_ports = BTreeSet::new();
    for (i, p) in ports.iter().enumerate() {
        let np = p.node_port.unwrap_or(0);
        if np != 0 && !node_ports.insert((p.protocol.clone(), np)) {
            errs.push(duplicate(&path.child("ports").index(i).child("nodePort"), BadValue::Int(i64::from(np))));
        }
    }
    let mut seen_ports = BTreeSet::new();
    for (i, p) in ports.iter().enumerate() {
        if !seen_ports.insert((p.protocol.clone(), p.port)) {
            errs.push(duplicate(&path.child("ports").index(i), BadValue::Json(port_key_json(p))));
        }
    }
    if spec.load_balancer_source_ranges.as_ref().is_some_and(|r| !r.is_empty()) && ty != "LoadBalancer" {
        errs.push(forbidden(&path.child("LoadBalancerSourceRanges"), "may only be used when `type` is 'LoadBalancer'"));
    }
    if spec.allocate_load_balancer_node_ports.is_some() && ty != "LoadBalancer" {
        errs.push(forbidden(
            &path.child("allocateLoadBalancerNodePorts"),
            "may only be used when `type` is 'LoadBalancer'",
        ));
    }
    if ty == "LoadBalancer" && spec.allocate_load_balancer_node_ports.is_none() {
        errs.push(required(&Path::new("allocateLoadBalancerNodePorts"), ""));
    }
    if let Some(class) = &spec.load_balancer_class {
        let cpath = path.child("loadBalancerClass");
        if ty == "LoadBalancer" {
            errs.extend(
                is_qualified_name(class).into_iter().map(|m| invalid(&cpath, BadValue::Str(class.clone()), &m)),
            );
        } else {
            errs.push(forbidden(&cpath, "may only be used when `type` is 'LoadBalancer'"));
        }
    }
    errs.extend(traffic_policies(&spec, &ty, &path));
    errs
}

/// `validateServiceExternalTrafficPolicy`, `validateServiceInternalTrafficFieldsValue` and
/// `validateServiceTrafficDistribution`.
fn traffic_policies(spec: &ServiceSpec, ty: &str, path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let external_ips = spec.external_ips.as_ref().is_some_and(|e| !e.is_empty());
    let externally_accessible = ty == "LoadBalancer" || ty == "NodePort" || (ty == "ClusterIP" && external_ips);
    let etp = spec.external_traffic_policy.as_deref().unwrap_or_default();
    let etp_path = path.child("externalTrafficPolicy");
    if !externally_accessible {
        if !etp.is_empty() {
            errs.push(invalid(&etp_path, BadValue::typed(etp), "may only be set for externally-accessible services"));
        }
    } else if etp.is_empty() {
        errs.push(required(&etp_path, ""));
    } else if etp != "Cluster" && etp != "Local" {
        errs.push(not_supported(&etp_path, BadValue::typed(etp), &["Cluster", "Local"]));
    }
    let needs_health_check = ty == "LoadBalancer" && etp == "Local";
    let hc = spec.health_check_node_port.unwrap_or(0);
    let hc_path = path.child("healthCheckNodePort");
    if !needs_health_check {
        if hc != 0 {
            errs.push(invalid(
                &hc_path,
                BadValue::Int(i64::from(hc)),
                "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'",
            ));
        }
    } else if hc == 0 {
        errs.push(required(&hc_path, ""));
    } else {
        errs.extend(
            is_valid_port_num(i64::from(hc)).into_iter().map(|m| invalid(&hc_path, BadValue::Int(i64::from(hc)), &m)),
        );
    }
    let itp_path = path.child("internalTrafficPolicy");
    match spec.internal_traffic_policy.as_deref() {
        None if matches!(ty, "NodePort" | "LoadBalancer" | "ClusterIP") => errs.push(required(&itp_path, "")),
        Some(p) if p != "Cluster" && p != "Local" => {
            errs.push(not_supported(&itp_path, BadValue::typed(p), &["Cluster", "Local"]))
        }
        _ => {}
    }
    if let Some(td) = spec.traffic_distribution.as_deref().filter(|t| *t != "PreferClose") {
        errs.push(not_supported(&path.child("trafficDistribution"), BadValue::Str(td.to_string()), &["PreferClose"]));
    }
    errs
}

/// `ValidateServiceUpdate` (without the metadata part, which the caller runs first): assigned cluster IPs
/// and IP families may not change, except to or from ExternalName.
pub fn validate_service_update(new: &Service, old: &Service) -> Vec<FieldError> {
    let (n, o) = (new.spec.clone().unwrap_or_default(), old.spec.clone().unwrap_or_default());
    let mut errs = Vec::new();
    let ips_path = Path::new("spec").child("clusterIPs");
    let external = type_of(&n) == "ExternalName" || type_of(&o) == "ExternalName";
    let (new_ips, old_ips) = (n.cluster_ips.clone().unwrap_or_default(), o.cluster_ips.clone().unwrap_or_default());
    let both_headless = is_headless(&n) && is_headless(&o);
    if !(external || both_headless) {
        if new_ips.len() == old_ips.len() {
            for (i, ip) in old_ips.iter().enumerate() {
                if new_ips.get(i) != Some(ip) {
                    errs.push(invalid(&ips_path.index(i), ips_json(&n), "may not change once set"));
                }
            }
        } else if old_ips.len() > new_ips.len() {
            if new_ips.is_empty() {
                errs.push(invalid(&ips_path.index(0), ips_json(&n), "primary clusterIP can not be unset"));
            } else if new_ips.first() != old_ips.first() {
                errs.push(invalid(&ips_path.index(0), ips_json(&n), "may not change once set"));
            }
            if new_ips.len() == 1 && n.ip_family_policy.as_deref() != Some("SingleStack") {
                let value = BadValue::Json(n.ip_family_policy.clone().map_or(GoJson::Null, GoJson::Str));
                errs.push(invalid(
                    &Path::new("spec").child("ipFamilyPolicy"),
                    value,
                    "must be set to 'SingleStack' when releasing the secondary clusterIP",
                ));
            }
        } else if !old_ips.is_empty() && new_ips.first() != old_ips.first() {
            errs.push(invalid(&ips_path.index(0), ips_json(&n), "may not change once set"));
        }
    }
    if !external && !is_headless(&n) && !is_headless(&o) {
        let (nf, of) = (n.ip_families.clone().unwrap_or_default(), o.ip_families.clone().unwrap_or_default());
        if nf.len() == of.len() && nf != of {
            for (a, b) in nf.iter().zip(&of) {
                if a != b {
                    errs.push(invalid(
                        &Path::new("spec").child("ipFamilies").index(0),
                        BadValue::Json(GoJson::string_list(&nf)),
                        "may not change once set",
                    ));
                }
            }
        }
    }
    if type_of(&n) == "LoadBalancer" && type_of(&o) == "LoadBalancer" && n.load_balancer_class != o.load_balancer_class
    {
        let value = BadValue::Json(n.load_balancer_class.clone().map_or(GoJson::Null, GoJson::Str));
        errs.push(invalid(&Path::new("spec").child("loadBalancerClass"), value, "may not change once set"));
    }
    let needs_hc =
        |s: &ServiceSpec| type_of(s) == "LoadBalancer" && s.external_traffic_policy.as_deref() == Some("Local");
    if needs_hc(&n) && needs_hc(&o) && n.health_check_node_port != o.health_check_node_port {
        errs.push(forbidden(&Path::new("spec").child("healthCheckNodePort"), "field is immutable"));
    }
    errs.extend(validate_service(new));
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    fn svc(name: &str, ty: &str, ports: Vec<ServicePort>) -> Service {
        let mut s = Service {
            metadata: ObjectMeta { name: Some(name.into()), namespace: Some("default".into()), ..Default::default() },
            spec: Some(ServiceSpec { type_: Some(ty.into()), ports: Some(ports), ..Default::default() }),
            ..Default::default()
        };
        let mut obj = crate::object::Object::from(s.clone());
        crate::admission::defaults::set_defaults(&mut obj);
        if let crate::object::Object::Service(d) = obj {
            s = *d;
        }
        s
    }

    fn port(name: &str, port: i32) -> ServicePort {
        ServicePort { name: (!name.is_empty()).then(|| name.to_string()), port, ..Default::default() }
    }

    #[test]
    fn service_messages() {
        let cases: Vec<(Service, Vec<&str>)> = vec![
            (svc("web", "ClusterIP", vec![port("", 80)]), vec![]),
            (svc("web", "ClusterIP", vec![]), vec!["spec.ports: Required value"]),
            (
                svc("web", "ClusterIP", vec![port("", 80), port("", 81)]),
                vec!["spec.ports[0].name: Required value", "spec.ports[1].name: Required value"],
            ),
            (
                svc("web", "ClusterIP", vec![port("", 0)]),
                vec![
                    "spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive",
                    "spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive",
                ],
            ),
            (
                svc("web", "Fancy", vec![port("", 80)]),
                vec!["spec.type: Unsupported value: \"Fancy\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\""],
            ),
            (
                svc("1web", "ClusterIP", vec![port("", 80)]),
                vec!["metadata.name: Invalid value: \"1web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"],
            ),
        ];
        for (s, want) in cases {
            let got: Vec<String> = validate_service(&s).iter().map(|e| e.to_string()).collect();
            assert_eq!(got, want);
        }
        let mut np = svc("web", "ClusterIP", vec![port("", 80)]);
        if let Some(p) = np.spec.as_mut().and_then(|s| s.ports.as_mut()).and_then(|p| p.first_mut()) {
            p.node_port = Some(30080);
        }
        let got: Vec<String> = validate_service(&np).iter().map(|e| e.to_string()).collect();
        assert_eq!(got, ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"]);
    }

    #[test]
    fn cluster_ip_is_immutable() {
        let mut old = svc("web", "ClusterIP", vec![port("", 80)]);
        if let Some(s) = old.spec.as_mut() {
            s.cluster_ip = Some("10.96.0.10".into());
            s.cluster_ips = Some(vec!["10.96.0.10".into()]);
        }
        let mut new = old.clone();
        if let Some(s) = new.spec.as_mut() {
            s.cluster_ip = Some("10.96.0.11".into());
            s.cluster_ips = Some(vec!["10.96.0.11".into()]);
        }
        let got: Vec<String> = validate_service_update(&new, &old).iter().map(|e| e.to_string()).collect();
        assert_eq!(got, ["spec.clusterIPs[0]: Invalid value: [\"10.96.0.11\"]: may not change once set"]);
    }
}
