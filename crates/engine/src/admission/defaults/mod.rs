//! Defaulting: what the apiserver fills in between decoding a request and validating it. `set_defaults` is the
//! scheme defaulting (`SetObjectDefaults_*` of `pkg/apis/*/v1`), run on every create and update and again
//! whenever an object is read back from storage; `admit` adds the deterministic mutations of the default
//! admission plugins; `prepare_for_create` is what the registry strategies' `PrepareForCreate` do once, on
//! create only (fresh status, generation 1, the namespace finalizer, the pod QoS class).

mod pod;
mod workloads;

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    ClientIPConfig, NamespaceSpec, NamespaceStatus, PersistentVolumeClaimStatus, PersistentVolumeStatus, PodSpec,
    PodStatus, Service, ServiceStatus, SessionAffinityConfig,
};

use crate::admission::quantity::Quantity;
use crate::object::Object;

pub use pod::default_target_port;

/// Scheme defaulting for any object (`SetObjectDefaults_<Kind>`). Idempotent.
pub fn set_defaults(obj: &mut Object) {
    match obj {
        Object::Pod(p) => pod::default_pod(p.spec.get_or_insert_with(PodSpec::default)),
        Object::Deployment(d) => workloads::deployment(d),
        Object::ReplicaSet(rs) => workloads::replica_set(rs),
        Object::StatefulSet(s) => workloads::stateful_set(s),
        Object::DaemonSet(ds) => workloads::daemon_set(ds),
        Object::Job(j) => workloads::job(j),
        Object::CronJob(c) => workloads::cron_job(c),
        Object::Service(s) => service(s),
        // pkg/apis/core/v1/defaults.go SetDefaults_Secret. Decoding also folds `stringData` into `data`
        // (Convert_v1_Secret_To_core_Secret), so the stored object never carries `stringData`.
        Object::Secret(s) => {
            if let Some(strings) = s.string_data.take() {
                let data = s.data.get_or_insert_with(BTreeMap::new);
                for (k, v) in strings {
                    data.insert(k, k8s_openapi::ByteString(v.into_bytes()));
                }
            }
            if s.type_.as_deref().unwrap_or_default().is_empty() {
                s.type_ = Some("Opaque".to_string());
            }
        }
        // SetDefaults_Namespace (the name label) and SetDefaults_NamespaceStatus.
        Object::Namespace(ns) => {
            if let Some(name) = ns.metadata.name.clone().filter(|n| !n.is_empty()) {
                ns.metadata
                    .labels
                    .get_or_insert_with(BTreeMap::new)
                    .insert("kubernetes.io/metadata.name".to_string(), name);
            }
            let status = ns.status.get_or_insert_with(NamespaceStatus::default);
            if status.phase.as_deref().unwrap_or_default().is_empty() {
                status.phase = Some("Active".to_string());
            }
        }
        // SetDefaults_PersistentVolume plus the source defaulters; capacity rounded like any resource list.
        Object::PersistentVolume(pv) => {
            let status = pv.status.get_or_insert_with(PersistentVolumeStatus::default);
            if status.phase.as_deref().unwrap_or_default().is_empty() {
                status.phase = Some("Pending".to_string());
            }
            let spec = pv.spec.get_or_insert_with(Default::default);
            if spec.persistent_volume_reclaim_policy.as_deref().unwrap_or_default().is_empty() {
                spec.persistent_volume_reclaim_policy = Some("Retain".to_string());
            }
            spec.volume_mode.get_or_insert_with(|| "Filesystem".to_string());
            pod::default_quantities(&mut spec.capacity);
            if let Some(hp) = spec.host_path.as_mut() {
                hp.type_.get_or_insert_with(String::new);
            }
        }
        // SetDefaults_PersistentVolumeClaim and SetDefaults_PersistentVolumeClaimSpec.
        Object::PersistentVolumeClaim(pvc) => {
            let status = pvc.status.get_or_insert_with(PersistentVolumeClaimStatus::default);
            if status.phase.as_deref().unwrap_or_default().is_empty() {
                status.phase = Some("Pending".to_string());
            }
            pod::default_quantities(&mut status.capacity);
            pod::default_pvc_spec(pvc.spec.get_or_insert_with(Default::default));
        }
        // pkg/apis/storage/v1/defaults.go SetDefaults_StorageClass.
        Object::StorageClass(sc) => {
            sc.reclaim_policy.get_or_insert_with(|| "Delete".to_string());
            sc.volume_binding_mode.get_or_insert_with(|| "Immediate".to_string());
        }
        // SetDefaults_Endpoints: port protocol TCP.
        Object::Endpoints(ep) => {
            for port in ep.subsets.iter_mut().flatten().flat_map(|s| s.ports.iter_mut().flatten()) {
                port.protocol.get_or_insert_with(|| "TCP".to_string());
            }
        }
        // pkg/apis/discovery/v1/defaults.go SetDefaults_EndpointPort: name "" and protocol TCP.
        Object::EndpointSlice(es) => {
            for port in es.ports.iter_mut().flatten() {
                port.name.get_or_insert_with(String::new);
                port.protocol.get_or_insert_with(|| "TCP".to_string());
            }
        }
        // SetDefaults_NodeStatus: allocatable copies capacity when absent.
        Object::Node(n) => {
            if let Some(status) = n.status.as_mut() {
                pod::default_quantities(&mut status.capacity);
                if status.allocatable.is_none() && status.capacity.is_some() {
                    status.allocatable = status.capacity.clone();
                }
                pod::default_quantities(&mut status.allocatable);
            }
        }
        // ConfigMap's only defaulter makes `data` a non-nil empty map, which Go's `omitempty` never writes;
        // ServiceAccount, Event, Lease, PodDisruptionBudget and ControllerRevision have no v1 defaulters.
        Object::ConfigMap(_)
        | Object::ControllerRevision(_)
        | Object::ServiceAccount(_)
        | Object::Event(_)
        | Object::Lease(_)
        | Object::PodDisruptionBudget(_) => {}
    }
}

/// Mutations of the default admission plugins that need nothing but the object itself (pods only; see
/// `pod::admit_pod`). Idempotent, so the API layer may run it on update as the plugins do.
pub fn admit(obj: &mut Object) {
    if let Object::Pod(p) = obj {
        pod::admit_pod(p.spec.get_or_insert_with(PodSpec::default));
    }
}

/// `SetDefaults_Service`, plus the normalizations the Service strategy and IP allocator make before validation
/// (`pkg/registry/core/service`): `clusterIPs` mirrors `clusterIP`, and IP family fields are filled for a
/// single-stack IPv4 cluster. The ClusterIP and NodePort numbers themselves are allocated by the API server
/// layer, which owns the allocators.
fn service(s: &mut Service) {
    let spec = s.spec.get_or_insert_with(Default::default);
    if spec.session_affinity.as_deref().unwrap_or_default().is_empty() {
        spec.session_affinity = Some("None".to_string());
    }
    match spec.session_affinity.as_deref() {
        Some("None") => spec.session_affinity_config = None,
        Some("ClientIP") => {
            let has_timeout = spec
                .session_affinity_config
                .as_ref()
                .and_then(|c| c.client_ip.as_ref())
                .and_then(|c| c.timeout_seconds)
                .is_some();
            if !has_timeout {
                spec.session_affinity_config =
                    Some(SessionAffinityConfig { client_ip: Some(ClientIPConfig { timeout_seconds: Some(10800) }) });
            }
        }
        _ => {}
    }
    if spec.type_.as_deref().unwrap_or_default().is_empty() {
        spec.type_ = Some("ClusterIP".to_string());
    }
    for port in spec.ports.iter_mut().flatten() {
        if port.protocol.as_deref().unwrap_or_default().is_empty() {
            port.protocol = Some("TCP".to_string());
        }
        default_target_port(port.port, &mut port.target_port);
    }
    let ty = spec.type_.clone().unwrap_or_default();
    let externally_accessible = ty == "LoadBalancer"
        || ty == "NodePort"
        || (ty == "ClusterIP" && spec.external_ips.as_ref().is_some_and(|ips| !ips.is_empty()));
    if externally_accessible && spec.external_traffic_policy.as_deref().unwrap_or_default().is_empty() {
        spec.external_traffic_policy = Some("Cluster".to_string());
    }
    if spec.internal_traffic_policy.is_none() && matches!(ty.as_str(), "NodePort" | "LoadBalancer" | "ClusterIP") {
        spec.internal_traffic_policy = Some("Cluster".to_string());
    }
    if ty == "LoadBalancer" {
        spec.allocate_load_balancer_node_ports.get_or_insert(true);
    }
    if ty != "ExternalName" {
        // Strategy: clusterIPs[0] follows clusterIP when only clusterIP was given.
        if let Some(ip) = spec.cluster_ip.clone().filter(|ip| !ip.is_empty()) {
            if spec.cluster_ips.as_ref().is_none_or(|ips| ips.is_empty()) {
                spec.cluster_ips = Some(vec![ip]);
            }
        }
        // Allocator: headless Services without a selector get RequireDualStack, all others SingleStack; the
        // families are those the cluster has, which for this single-stack cluster is IPv4 alone.
        let headless = spec.cluster_ip.as_deref() == Some("None");
        let selectorless = spec.selector.as_ref().is_none_or(|s| s.is_empty());
        if spec.ip_family_policy.is_none() {
            let policy = if headless && selectorless { "RequireDualStack" } else { "SingleStack" };
            spec.ip_family_policy = Some(policy.to_string());
        }
        if spec.ip_families.as_ref().is_none_or(|f| f.is_empty()) {
            spec.ip_families = Some(vec!["IPv4".to_string()]);
        }
    }
}

/// What the registry strategies do on create only, before validation: status starts empty (pods start
/// `Pending` with their QoS class; namespaces `Active`; claims `Pending`), `metadata.generation` starts at 1 for
/// the kinds that track it, and a namespace always carries the `kubernetes` finalizer.
pub fn prepare_for_create(obj: &mut Object) {
    match obj {
        Object::Pod(p) => {
            p.metadata.generation = Some(1);
            let qos = p.spec.as_ref().map(qos_class).unwrap_or("BestEffort");
            p.status = Some(PodStatus {
                phase: Some("Pending".to_string()),
                qos_class: Some(qos.to_string()),
                ..Default::default()
            });
        }
        Object::Deployment(d) => {
            d.metadata.generation = Some(1);
            d.status = None;
        }
        Object::ReplicaSet(rs) => {
            rs.metadata.generation = Some(1);
            rs.status = None;
        }
        Object::StatefulSet(s) => {
            s.metadata.generation = Some(1);
            s.status = None;
        }
        Object::DaemonSet(ds) => {
            ds.metadata.generation = Some(1);
            ds.status = None;
            // apps/v1 carries the internal `spec.templateGeneration` in this annotation.
            ds.metadata
                .annotations
                .get_or_insert_with(Default::default)
                .insert(DS_TEMPLATE_GENERATION.to_string(), "1".to_string());
        }
        Object::Job(j) => {
            j.metadata.generation = Some(1);
            j.status = None;
        }
        Object::CronJob(c) => {
            c.metadata.generation = Some(1);
            c.status = None;
        }
        // `podDisruptionBudgetStrategy.PrepareForCreate`: a fresh (all-zero) status.
        Object::PodDisruptionBudget(p) => {
            p.metadata.generation = Some(1);
            p.status = Some(Default::default());
        }
        Object::Service(s) => s.status = Some(ServiceStatus::default()),
        Object::Namespace(ns) => {
            ns.status = Some(NamespaceStatus { phase: Some("Active".to_string()), conditions: None });
            let finalizers = &mut ns.spec.get_or_insert_with(NamespaceSpec::default).finalizers;
            let list = finalizers.get_or_insert_with(Vec::new);
            if !list.iter().any(|f| f == "kubernetes") {
                list.push("kubernetes".to_string());
            }
        }
        Object::PersistentVolumeClaim(pvc) => {
            pvc.status = Some(PersistentVolumeClaimStatus { phase: Some("Pending".to_string()), ..Default::default() });
        }
        Object::PersistentVolume(pv) => {
            // The strategy also stamps status.lastPhaseTransitionTime, which needs the clock: API layer.
            pv.status = Some(PersistentVolumeStatus { phase: Some("Pending".to_string()), ..Default::default() });
        }
        _ => {}
    }
}

/// The annotation in which apps/v1 carries a DaemonSet's `templateGeneration`.
pub const DS_TEMPLATE_GENERATION: &str = "deprecated.daemonset.template.generation";

/// The DaemonSet strategy's `PrepareForUpdate`: a changed pod template bumps `templateGeneration` (the
/// controller labels pods `pod-template-generation` with it); anything else keeps the stored one.
pub fn prepare_daemon_set_update(old: &Object, new: &mut Object) {
    let (Object::DaemonSet(old), Object::DaemonSet(new)) = (old, new) else { return };
    let stored: i64 = old
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(DS_TEMPLATE_GENERATION))
        .and_then(|g| g.parse().ok())
        .unwrap_or(1);
    let template = |d: &k8s_openapi::api::apps::v1::DaemonSet| d.spec.as_ref().map(|s| s.template.clone());
    let generation = if template(old) != template(new) { stored + 1 } else { stored };
    new.metadata
        .annotations
        .get_or_insert_with(Default::default)
        .insert(DS_TEMPLATE_GENERATION.to_string(), generation.to_string());
}

/// `qos.ComputePodQOS` over regular and init containers (pod-level resources are not modelled).
pub fn qos_class(spec: &PodSpec) -> &'static str {
    let mut requests: BTreeMap<&str, Quantity> = BTreeMap::new();
    let mut limits: BTreeMap<&str, Quantity> = BTreeMap::new();
    let mut guaranteed = true;
    let positive = |q: &Quantity| !q.is_zero() && !q.is_negative();
    for c in spec.containers.iter().chain(spec.init_containers.iter().flatten()) {
        let res = c.resources.clone().unwrap_or_default();
        for (name, q) in res.requests.iter().flatten() {
            if let (Some(name), Ok(q)) = (qos_resource(name), Quantity::parse(&q.0)) {
                if positive(&q) {
                    let sum = requests.get(name).map_or(q, |prev| prev.add(&q));
                    requests.insert(name, sum);
                }
            }
        }
        let mut found = Vec::new();
        for (name, q) in res.limits.iter().flatten() {
            if let (Some(name), Ok(q)) = (qos_resource(name), Quantity::parse(&q.0)) {
                if positive(&q) {
                    found.push(name);
                    let sum = limits.get(name).map_or(q, |prev| prev.add(&q));
                    limits.insert(name, sum);
                }
            }
        }
        if !(found.contains(&"cpu") && found.contains(&"memory")) {
            guaranteed = false;
        }
    }
    if requests.is_empty() && limits.is_empty() {
        return "BestEffort";
    }
    if guaranteed {
        guaranteed = requests.iter().all(|(name, req)| limits.get(name).is_some_and(|l| l.cmp_value(req).is_eq()));
    }
    if guaranteed && requests.len() == limits.len() {
        "Guaranteed"
    } else {
        "Burstable"
    }
}

fn qos_resource(name: &str) -> Option<&'static str> {
    match name {
        "cpu" => Some("cpu"),
        "memory" => Some("memory"),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
