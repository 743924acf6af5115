//! The small kinds: ConfigMaps, Secrets, ServiceAccounts, Namespaces, Nodes, Endpoints (core
//! `validation.go`), Events (`legacyValidateEvent`), Leases (`pkg/apis/coordination/validation`),
//! EndpointSlices (`pkg/apis/discovery/validation`) and PodDisruptionBudgets (`pkg/apis/policy/validation`).

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{ConfigMap, Endpoints, Event, Namespace, Node, Secret, ServiceAccount, Taint};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::policy::v1::PodDisruptionBudget;

use super::apps::{int_or_string_json, not_more_than_100_percent, positive_int_or_percent};
use super::container::dns_label;
use super::immutable;
use super::meta::{selector_json, validate_label_name, validate_label_selector, validate_object_meta};
use super::pod::taint_effect;
use crate::admission::field::{
    duplicate, forbidden, invalid, not_supported, required, too_long, BadValue, FieldError, GoJson, Path,
};
use crate::admission::names::{
    is_config_map_key, is_qualified_name, is_valid_label_value, is_valid_port_num, validate_name, NameRule,
};

/// `core.MaxSecretSize`: 1 MiB for a ConfigMap's or Secret's data together.
const MAX_SECRET_SIZE: usize = 1024 * 1024;
const IMMUTABLE_SET: &str = "field is immutable when `immutable` is set";

fn config_keys<'a>(keys: impl Iterator<Item = &'a String>, path: &Path) -> Vec<FieldError> {
    keys.flat_map(|k| {
        is_config_map_key(k).into_iter().map(move |m| invalid(&path.key(k), BadValue::Str(k.clone()), &m))
    })
    .collect()
}

/// `ValidateConfigMap`. An oversized ConfigMap is reported against the whole object, which Go writes as
/// `field.NewPath("")` and so prints `[]`.
pub fn validate_config_map(cm: &ConfigMap) -> Vec<FieldError> {
    let mut errs = validate_object_meta(&cm.metadata, true, NameRule::Subdomain);
    let data = cm.data.clone().unwrap_or_default();
    let binary = cm.binary_data.clone().unwrap_or_default();
    let mut size = 0usize;
    let data_path = Path::new("data");
    for (k, v) in &data {
        errs.extend(config_keys(std::iter::once(k), &data_path));
        if binary.contains_key(k) {
            errs.push(invalid(&data_path.key(k), BadValue::Str(k.clone()), "duplicate of key present in binaryData"));
        }
        size += v.len();
    }
    for (k, v) in &binary {
        errs.extend(config_keys(std::iter::once(k), &Path::new("binaryData")));
        size += v.0.len();
    }
    if size > MAX_SECRET_SIZE {
        errs.push(too_long(&Path::empty_root(), MAX_SECRET_SIZE));
    }
    errs
}

/// `ValidateConfigMapUpdate`.
pub fn validate_config_map_update(new: &ConfigMap, old: &ConfigMap) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if old.immutable == Some(true) {
        if new.immutable != Some(true) {
            errs.push(forbidden(&Path::new("immutable"), IMMUTABLE_SET));
        }
        if new.data.clone().unwrap_or_default() != old.data.clone().unwrap_or_default() {
            errs.push(forbidden(&Path::new("data"), IMMUTABLE_SET));
        }
        if new.binary_data.clone().unwrap_or_default() != old.binary_data.clone().unwrap_or_default() {
            errs.push(forbidden(&Path::new("binaryData"), IMMUTABLE_SET));
        }
    }
    errs.extend(validate_config_map(new));
    errs
}

/// What Go's `json.Unmarshal` into a map says about bytes that are not a JSON object (the common cases).
fn json_object_error(bytes: &[u8]) -> Option<String> {
    match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(serde_json::Value::Object(_)) => None,
        Ok(v) => {
            let kind = match v {
                serde_json::Value::Array(_) => "array",
                serde_json::Value::String(_) => "string",
                serde_json::Value::Number(_) => "number",
                serde_json::Value::Bool(_) => "bool",
                _ => return None,
            };
            Some(format!("json: cannot unmarshal {kind} into Go value of type map[string]interface {{}}"))
        }
        Err(e) if e.is_eof() => Some("unexpected end of JSON input".to_string()),
        Err(e) => {
            let first = bytes.iter().copied().find(|b| !b" \t\r\n".contains(b));
            match first {
                Some(c) if !b"{[\"-0123456789tfn".contains(&c) => {
                    Some(format!("invalid character '{}' looking for beginning of value", char::from(c)))
                }
                _ => Some(e.to_string()),
            }
        }
    }
}

/// `ValidateSecret` with the per-type required keys.
pub fn validate_secret(s: &Secret) -> Vec<FieldError> {
    let mut errs = validate_object_meta(&s.metadata, true, NameRule::Subdomain);
    let data_path = Path::new("data");
    let data = s.data.clone().unwrap_or_default();
    errs.extend(config_keys(data.keys(), &data_path));
    if data.values().map(|v| v.0.len()).sum::<usize>() > MAX_SECRET_SIZE {
        errs.push(too_long(&data_path, MAX_SECRET_SIZE));
    }
    let need = |key: &str| required(&data_path.key(key), "");
    match s.type_.as_deref().unwrap_or_default() {
        "kubernetes.io/service-account-token" => {
            let name = s.metadata.annotations.as_ref().and_then(|a| a.get("kubernetes.io/service-account.name"));
            if name.is_none_or(|n| n.is_empty()) {
                errs.push(required(
                    &Path::new("metadata").child("annotations").key("kubernetes.io/service-account.name"),
                    "",
                ));
            }
        }
        "kubernetes.io/dockercfg" | "kubernetes.io/dockerconfigjson" => {
            let key =
                if s.type_.as_deref() == Some("kubernetes.io/dockercfg") { ".dockercfg" } else { ".dockerconfigjson" };
            match data.get(key) {
                None => errs.push(need(key)),
                Some(bytes) => {
                    if let Some(msg) = json_object_error(&bytes.0) {
                        errs.push(invalid(
                            &data_path.key(key),
                            BadValue::Str("<secret contents redacted>".into()),
                            &msg,
                        ));
                    }
                }
            }
        }
        // Either key may be empty, but one of them must be there.
        "kubernetes.io/basic-auth" if !data.contains_key("username") && !data.contains_key("password") => {
            errs.push(need("username"));
            errs.push(need("password"));
        }
        "kubernetes.io/ssh-auth" if data.get("ssh-privatekey").is_none_or(|v| v.0.is_empty()) => {
            errs.push(need("ssh-privatekey"));
        }
        "kubernetes.io/tls" => {
            for key in ["tls.crt", "tls.key"] {
                if !data.contains_key(key) {
                    errs.push(need(key));
                }
            }
        }
        _ => {}
    }
    errs
}

/// `ValidateSecretUpdate`: the type never changes; an immutable Secret's data neither.
pub fn validate_secret_update(new: &Secret, old: &Secret) -> Vec<FieldError> {
    let mut errs = immutable(&new.type_, &old.type_, &Path::new("type"));
    if old.immutable == Some(true) {
        if new.immutable != Some(true) {
            errs.push(forbidden(&Path::new("immutable"), IMMUTABLE_SET));
        }
        if new.data.clone().unwrap_or_default() != old.data.clone().unwrap_or_default() {
            errs.push(forbidden(&Path::new("data"), IMMUTABLE_SET));
        }
    }
    errs.extend(validate_secret(new));
    errs
}

/// `ValidateServiceAccount`.
pub fn validate_service_account(sa: &ServiceAccount) -> Vec<FieldError> {
    validate_object_meta(&sa.metadata, true, NameRule::Subdomain)
}

/// `ValidateNamespace`: the name is a DNS label; spec finalizers are qualified names (or `kubernetes`).
pub fn validate_namespace(ns: &Namespace) -> Vec<FieldError> {
    let mut errs = validate_object_meta(&ns.metadata, false, NameRule::Label);
    let path = Path::new("spec").child("finalizers");
    for f in ns.spec.as_ref().and_then(|s| s.finalizers.as_ref()).into_iter().flatten() {
        errs.extend(is_qualified_name(f).into_iter().map(|m| invalid(&path, BadValue::Str(f.clone()), &m)));
        if !f.contains('/') && f != "kubernetes" {
            errs.push(invalid(
                &path,
                BadValue::Str(f.clone()),
                "name is neither a standard finalizer name nor is it fully qualified",
            ));
        }
    }
    errs
}

fn taint_json(t: &Taint) -> GoJson {
    GoJson::Object(vec![
        ("Key".into(), GoJson::Str(t.key.clone())),
        ("Value".into(), GoJson::Str(t.value.clone().unwrap_or_default())),
        ("Effect".into(), GoJson::Str(t.effect.clone())),
        ("TimeAdded".into(), t.time_added.as_ref().map_or(GoJson::Null, |_| super::json_of(&t.time_added))),
    ])
}

/// `ValidateNode` (metadata and taints).
pub fn validate_node(n: &Node) -> Vec<FieldError> {
    let mut errs = validate_object_meta(&n.metadata, false, NameRule::Subdomain);
    let path = Path::new("spec").child("taints");
    let mut seen: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (i, t) in n.spec.as_ref().and_then(|s| s.taints.as_ref()).into_iter().flatten().enumerate() {
        let tpath = path.index(i);
        errs.extend(validate_label_name(&t.key, &tpath.child("key")));
        let value = t.value.clone().unwrap_or_default();
        let msgs = is_valid_label_value(&value);
        if !msgs.is_empty() {
            errs.push(invalid(&tpath.child("value"), BadValue::Str(value), &msgs.join(";")));
        }
        errs.extend(taint_effect(&t.effect, false, &tpath.child("effect")));
        if !seen.entry(t.effect.clone()).or_default().insert(t.key.clone()) {
            let mut e = duplicate(&tpath, BadValue::Json(taint_json(t)));
            e.detail = "taints must be unique by key and effect pair".to_string();
            errs.push(e);
        }
    }
    errs
}

fn ip_address(ip: &str, path: &Path) -> Vec<FieldError> {
    match ip.parse::<IpAddr>() {
        Err(_) => vec![
            invalid(
                path,
                BadValue::Str(ip.to_string()),
                "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
            ),
            invalid(path, BadValue::Str(ip.to_string()), "must be a valid IP address"),
        ],
        Ok(addr) => {
            let mut errs = Vec::new();
            if addr.is_unspecified() {
                errs.push(invalid(path, BadValue::Str(ip.to_string()), &format!("may not be unspecified ({ip})")));
            }
            if addr.is_loopback() {
                errs.push(invalid(
                    path,
                    BadValue::Str(ip.to_string()),
                    "may not be in the loopback range (127.0.0.0/8, ::1/128)",
                ));
            }
            let link_local = match addr {
                IpAddr::V4(v4) => v4.is_link_local(),
                IpAddr::V6(v6) => (v6.segments()[0] & 0xffc0) == 0xfe80,
            };
            if link_local {
                errs.push(invalid(
                    path,
                    BadValue::Str(ip.to_string()),
                    "may not be in the link-local range (169.254.0.0/16, fe80::/10)",
                ));
            }
            errs
        }
    }
}

/// `ValidateEndpoints` with `validateEndpointSubsets`.
pub fn validate_endpoints(ep: &Endpoints) -> Vec<FieldError> {
    let mut errs = validate_object_meta(&ep.metadata, true, NameRule::Subdomain);
    for (i, ss) in ep.subsets.iter().flatten().enumerate() {
        let spath = Path::new("subsets").index(i);
        let (ready, not_ready) =
            (ss.addresses.clone().unwrap_or_default(), ss.not_ready_addresses.clone().unwrap_or_default());
        if ready.is_empty() && not_ready.is_empty() {
            errs.push(required(&spath, "must specify `addresses` or `notReadyAddresses`"));
        }
        for (field, list) in [("addresses", &ready), ("notReadyAddresses", &not_ready)] {
            for (j, a) in list.iter().enumerate() {
                let apath = spath.child(field).index(j);
                errs.extend(ip_address(&a.ip, &apath.child("ip")));
                if let Some(h) = a.hostname.as_deref().filter(|h| !h.is_empty()) {
                    errs.extend(dns_label(h, &apath.child("hostname")));
                }
                if let Some(node) = &a.node_name {
                    errs.extend(
                        validate_name(NameRule::Subdomain, node, false)
                            .into_iter()
                            .map(|m| invalid(&apath.child("nodeName"), BadValue::Str(node.clone()), &m)),
                    );
                }
            }
        }
        let ports = ss.ports.clone().unwrap_or_default();
        for (j, p) in ports.iter().enumerate() {
            let ppath = spath.child("ports").index(j);
            let name = p.name.clone().unwrap_or_default();
            if ports.len() > 1 && name.is_empty() {
                errs.push(required(&ppath.child("name"), ""));
            } else if !name.is_empty() {
                errs.extend(dns_label(&name, &ppath.child("name")));
            }
            errs.extend(
                is_valid_port_num(i64::from(p.port))
                    .into_iter()
                    .map(|m| invalid(&ppath.child("port"), BadValue::Int(i64::from(p.port)), &m)),
            );
            errs.extend(super::container::validate_protocol(
                p.protocol.as_deref().unwrap_or_default(),
                &ppath.child("protocol"),
            ));
        }
    }
    errs
}

/// `legacyValidateEvent` for core/v1 Events without an eventTime: the involved object's namespace must be the
/// Event's (or empty for an Event in `default`).
pub fn validate_event(ev: &Event) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let ns = ev.metadata.namespace.clone().unwrap_or_default();
    let involved = ev.involved_object.namespace.clone().unwrap_or_default();
    if ev.event_time.is_none() {
        let ok = if involved.is_empty() { ns.is_empty() || ns == "default" } else { ns == involved };
        if !ok {
            errs.push(invalid(
                &Path::new("involvedObject").child("namespace"),
                BadValue::Str(involved),
                "does not match event.namespace",
            ));
        }
    }
    errs.extend(
        validate_name(NameRule::Subdomain, &ns, false)
            .into_iter()
            .map(|m| invalid(&Path::new("namespace"), BadValue::Str(ns.clone()), &m)),
    );
    errs
}

/// `ValidateLease`.
pub fn validate_lease(l: &Lease) -> Vec<FieldError> {
    let mut errs = validate_object_meta(&l.metadata, true, NameRule::Subdomain);
    let path = Path::new("spec");
    let spec = l.spec.clone().unwrap_or_default();
    if let Some(d) = spec.lease_duration_seconds.filter(|d| *d <= 0) {
        errs.push(invalid(
            &path.child("leaseDurationSeconds"),
            BadValue::Json(GoJson::Int(i64::from(d))),
            "must be greater than 0",
        ));
    }
    if let Some(t) = spec.lease_transitions.filter(|t| *t < 0) {
        errs.push(invalid(
            &path.child("leaseTransitions"),
            BadValue::Json(GoJson::Int(i64::from(t))),
            "must be greater than or equal to 0",
        ));
    }
    errs
}

/// `ValidateEndpointSliceCreate` (metadata and address type).
pub fn validate_endpoint_slice(es: &EndpointSlice) -> Vec<FieldError> {
    let mut errs = validate_object_meta(&es.metadata, true, NameRule::Subdomain);
    let types = ["FQDN", "IPv4", "IPv6"];
    if !types.contains(&es.address_type.as_str()) {
        errs.push(not_supported(&Path::new("addressType"), BadValue::typed(&es.address_type), &types));
    }
    errs
}

/// `ValidateEndpointSliceUpdate`: the address type is fixed.
pub fn validate_endpoint_slice_update(new: &EndpointSlice, old: &EndpointSlice) -> Vec<FieldError> {
    let mut errs = validate_endpoint_slice(new);
    errs.extend(immutable(&new.address_type, &old.address_type, &Path::new("addressType")));
    errs
}

/// `ValidatePodDisruptionBudget` (`ValidatePodDisruptionBudgetSpec`).
pub fn validate_pdb(pdb: &PodDisruptionBudget) -> Vec<FieldError> {
    let mut errs = validate_object_meta(&pdb.metadata, true, NameRule::Subdomain);
    let path = Path::new("spec");
    let spec = pdb.spec.clone().unwrap_or_default();
    if spec.min_available.is_some() && spec.max_unavailable.is_some() {
        let opt = |v: &Option<k8s_openapi::apimachinery::pkg::util::intstr::IntOrString>| {
            v.as_ref().map_or(GoJson::Null, |v| int_or_string_json(Some(v)))
        };
        let value = GoJson::Object(vec![
            ("MinAvailable".into(), opt(&spec.min_available)),
            ("Selector".into(), spec.selector.as_ref().map_or(GoJson::Null, selector_json)),
            ("MaxUnavailable".into(), opt(&spec.max_unavailable)),
            (
                "UnhealthyPodEvictionPolicy".into(),
                spec.unhealthy_pod_eviction_policy.clone().map_or(GoJson::Null, GoJson::Str),
            ),
        ]);
        errs.push(invalid(&path, BadValue::Json(value), "minAvailable and maxUnavailable cannot be both set"));
    }
    for (field, value) in
        [("minAvailable", spec.min_available.as_ref()), ("maxUnavailable", spec.max_unavailable.as_ref())]
    {
        if value.is_some() {
            errs.extend(positive_int_or_percent(value, &path.child(field)));
            errs.extend(not_more_than_100_percent(value, &path.child(field)));
        }
    }
    errs.extend(validate_label_selector(spec.selector.as_ref(), &path.child("selector")));
    if let Some(p) =
        spec.unhealthy_pod_eviction_policy.as_deref().filter(|p| *p != "AlwaysAllow" && *p != "IfHealthyBudget")
    {
        errs.push(not_supported(
            &path.child("unhealthyPodEvictionPolicy"),
            BadValue::typed(p),
            &["AlwaysAllow", "IfHealthyBudget"],
        ));
    }
    errs
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
