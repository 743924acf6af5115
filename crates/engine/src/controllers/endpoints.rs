//! The endpoints controller, the EndpointSlice controller and the API server's `kubernetes` endpoint
//! reconciler: which pods stand behind each Service.
//!
//! Sources: k/k `pkg/controller/endpoint/endpoints_controller.go` (`syncService`, `addEndpointSubset`),
//! `staging/src/k8s.io/endpointslice` (`reconciler.go`, `utils.go` `podToEndpoint`, `ShouldPodBeInEndpoints`,
//! `trigger_time_tracker.go`) and `pkg/controlplane/reconcilers/lease.go`, all v1.34.
//!
//! - A pod stands behind a Service when the Service has a selector that matches its labels, it has an IP, it
//!   is not terminal (Succeeded/Failed), and — for Endpoints only — it is not terminating (unless the Service
//!   publishes not-ready addresses).
//! - Endpoints: ready pods under `addresses`, others under `notReadyAddresses`, repacked into subsets by port
//!   set, addresses sorted by IP. EndpointSlices: every such pod, terminating ones included, with
//!   `ready = publishNotReadyAddresses || (serving && !terminating)`, `serving` = the pod's Ready condition.
//! - Simplifications (stated, not hidden): one slice per distinct port set (the real reconciler also splits at
//!   100 endpoints per slice), endpoints in a slice sorted by IP (the real order follows the informer cache),
//!   and ports within a subset sorted by name where the real controller orders them by a hash.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    EndpointAddress, EndpointPort as CorePort, EndpointSubset, Endpoints, ObjectReference, Pod, Service, ServicePort,
};
use k8s_openapi::api::discovery::v1::{Endpoint, EndpointConditions, EndpointPort, EndpointSlice};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::clock::{api_time, sim_millis, Millis};
use crate::cluster::Cluster;
use crate::controllers::revisions::{controller_ref, phase, pod_ready};
use crate::event_log::Change;
use crate::object::{Kind, Object};
use crate::store::ObjectKey;
use crate::topology::NodeRole;
use crate::util::sort::StableSort;

pub const LABEL_SERVICE_NAME: &str = "kubernetes.io/service-name";
pub const LABEL_SLICE_MANAGED_BY: &str = "endpointslice.kubernetes.io/managed-by";
pub const SLICE_CONTROLLER: &str = "endpointslice-controller.k8s.io";
pub const LABEL_ENDPOINTS_MANAGED_BY: &str = "endpoints.kubernetes.io/managed-by";
pub const ENDPOINTS_CONTROLLER: &str = "endpoint-controller";
pub const LABEL_HEADLESS: &str = "service.kubernetes.io/headless";
pub const TRIGGER_TIME: &str = "endpoints.kubernetes.io/last-change-trigger-time";
/// The port the API servers listen on (kubeadm's `bindPort`).
pub const APISERVER_PORT: i32 = 6443;

/// `TriggerTimeTracker`'s memory for one Service: the trigger times it last saw.
#[derive(Clone, Debug, Default)]
pub struct TriggerState {
    pods: BTreeMap<String, Millis>,
    service: Option<Millis>,
}

/// What the two controllers remember between syncs (each has its own tracker, as in kube-controller-manager).
#[derive(Clone, Debug, Default)]
pub struct EndpointsState {
    endpoints: BTreeMap<(String, String), TriggerState>,
    slices: BTreeMap<(String, String), TriggerState>,
}

/// `ComputeEndpointLastChangeTriggerTime`: the earliest trigger time (a pod's Ready transition, the Service's
/// creation) that changed since the last sync, or none.
///
/// First sync of a Service created at 5 s with a pod ready at 9 s → 5 s; the pod turning unready at 30 s
/// afterwards → 30 s; a sync where nothing moved → none (the annotation is then removed on the next write).
fn trigger_time(state: &mut TriggerState, service_created: Millis, pods: &[(&str, Option<Millis>)]) -> Option<Millis> {
    let mut min: Option<Millis> = None;
    let mut seen = BTreeMap::new();
    for (name, t) in pods {
        let Some(t) = *t else { continue };
        seen.insert(name.to_string(), t);
        if state.pods.get(*name).is_none_or(|last| t > *last) {
            min = Some(min.map_or(t, |m| m.min(t)));
        }
    }
    if state.service.is_none_or(|last| service_created > last) {
        min = Some(min.map_or(service_created, |m| m.min(service_created)));
    }
    state.pods = seen;
    state.service = Some(service_created);
    min
}

fn ready_transition(pod: &Pod) -> Option<Millis> {
    let c = pod.status.as_ref()?.conditions.as_ref()?.iter().find(|c| c.type_ == "Ready")?;
    c.last_transition_time.as_ref().map(sim_millis)
}

fn pod_ip(pod: &Pod) -> Option<&str> {
    pod.status.as_ref()?.pod_ip.as_deref().filter(|ip| !ip.is_empty())
}

/// `ShouldPodBeInEndpoints(pod, includeTerminating)`.
pub fn should_pod_be_in_endpoints(pod: &Pod, include_terminating: bool) -> bool {
    if matches!(phase(pod), "Succeeded" | "Failed") || pod_ip(pod).is_none() {
        return false;
    }
    include_terminating || pod.metadata.deletion_timestamp.is_none()
}

/// `podutil.FindPort`: a numeric targetPort as is; a named one from the pod's container ports (same
/// protocol), or none when no container declares it.
pub fn find_port(pod: &Pod, sp: &ServicePort) -> Option<i32> {
    match &sp.target_port {
        None => Some(sp.port),
        Some(IntOrString::Int(n)) => Some(*n),
        Some(IntOrString::String(name)) => {
            let protocol = sp.protocol.as_deref().unwrap_or("TCP");
            pod.spec.as_ref()?.containers.iter().flat_map(|c| c.ports.iter().flatten()).find_map(|p| {
                (p.name.as_deref() == Some(name.as_str()) && p.protocol.as_deref().unwrap_or("TCP") == protocol)
                    .then_some(p.container_port)
            })
        }
    }
}

/// `ShouldSetHostname`: the pod names itself (`spec.hostname`) inside this Service (`spec.subdomain`).
fn should_set_hostname(pod: &Pod, svc: &Service) -> bool {
    let spec = pod.spec.as_ref();
    spec.and_then(|s| s.hostname.as_deref()).is_some_and(|h| !h.is_empty())
        && spec.and_then(|s| s.subdomain.as_deref()) == svc.metadata.name.as_deref()
        && pod.metadata.namespace == svc.metadata.namespace
}

fn target_ref(pod: &Pod) -> ObjectReference {
    ObjectReference {
        kind: Some("Pod".into()),
        name: pod.metadata.name.clone(),
        namespace: pod.metadata.namespace.clone(),
        uid: pod.metadata.uid.clone(),
        ..Default::default()
    }
}

fn selects(svc: &Service, pod: &Pod) -> bool {
    let Some(selector) = svc.spec.as_ref().and_then(|s| s.selector.as_ref()) else { return false };
    let labels = pod.metadata.labels.as_ref();
    selector.iter().all(|(k, v)| labels.and_then(|l| l.get(k)) == Some(v))
}

fn is_headless(svc: &Service) -> bool {
    svc.spec.as_ref().and_then(|s| s.cluster_ip.as_deref()) == Some("None")
}

fn publish_not_ready(svc: &Service) -> bool {
    svc.spec.as_ref().and_then(|s| s.publish_not_ready_addresses).unwrap_or(false)
}

/// The Endpoints object's subsets for a Service and its selected pods (`syncService`, then `RepackSubsets`).
pub fn endpoint_subsets(svc: &Service, pods: &[&Pod]) -> Vec<EndpointSubset> {
    let tolerate = publish_not_ready(svc);
    let ports = svc.spec.as_ref().and_then(|s| s.ports.clone()).unwrap_or_default();
    // Port set (name, port, protocol) → (ready addresses, not-ready addresses).
    type PortKey = Vec<(String, i32, String)>;
    let mut groups: BTreeMap<PortKey, (Vec<EndpointAddress>, Vec<EndpointAddress>)> = BTreeMap::new();
    for pod in pods {
        if !should_pod_be_in_endpoints(pod, tolerate) {
            continue;
        }
        let Some(ip) = pod_ip(pod) else { continue };
        let addr = EndpointAddress {
            ip: ip.to_string(),
            node_name: pod.spec.as_ref().and_then(|s| s.node_name.clone()),
            target_ref: Some(target_ref(pod)),
            hostname: should_set_hostname(pod, svc)
                .then(|| pod.spec.as_ref().and_then(|s| s.hostname.clone()))
                .flatten(),
        };
        let ready = tolerate || pod_ready(pod);
        let mut place = |key: PortKey| {
            let g = groups.entry(key).or_default();
            if ready {
                g.0.push(addr.clone());
            } else {
                g.1.push(addr.clone());
            }
        };
        if ports.is_empty() {
            // "Allow headless service not to have ports."
            if is_headless(svc) {
                place(Vec::new());
            }
            continue;
        }
        for sp in &ports {
            let Some(n) = find_port(pod, sp) else { continue };
            place(vec![(sp.name.clone().unwrap_or_default(), n, sp.protocol.clone().unwrap_or("TCP".into()))]);
        }
    }
    // RepackSubsets: each address with every port it serves, then one subset per distinct port set; addresses
    // in byte order of their IP strings (`LessEndpointAddress`).
    let mut per_address: BTreeMap<(String, bool), (EndpointAddress, PortKey)> = BTreeMap::new();
    for (key, (ready, not_ready)) in groups {
        for (a, r) in ready.into_iter().map(|a| (a, true)).chain(not_ready.into_iter().map(|a| (a, false))) {
            let e = per_address.entry((a.ip.clone(), r)).or_insert_with(|| (a, Vec::new()));
            e.1.extend(key.iter().cloned());
        }
    }
    let mut by_ports: BTreeMap<PortKey, (Vec<EndpointAddress>, Vec<EndpointAddress>)> = BTreeMap::new();
    for ((_, ready), (addr, mut ports)) in per_address {
        ports.stable_sort();
        ports.dedup();
        let entry = by_ports.entry(ports).or_default();
        if ready {
            entry.0.push(addr);
        } else {
            entry.1.push(addr);
        }
    }
    by_ports
        .into_iter()
        .map(|(ports, (ready, not_ready))| EndpointSubset {
            addresses: (!ready.is_empty()).then_some(ready),
            not_ready_addresses: (!not_ready.is_empty()).then_some(not_ready),
            ports: (!ports.is_empty()).then(|| {
                ports
                    .into_iter()
                    .map(|(name, port, protocol)| CorePort {
                        name: (!name.is_empty()).then_some(name),
                        port,
                        protocol: Some(protocol),
                        ..Default::default()
                    })
                    .collect()
            }),
        })
        .collect()
}

/// `podToEndpoint`.
fn pod_to_endpoint(pod: &Pod, svc: &Service) -> Endpoint {
    let serving = pod_ready(pod);
    let terminating = pod.metadata.deletion_timestamp.is_some();
    let ready = publish_not_ready(svc) || (serving && !terminating);
    Endpoint {
        addresses: vec![pod_ip(pod).unwrap_or_default().to_string()],
        conditions: Some(EndpointConditions {
            ready: Some(ready),
            serving: Some(serving),
            terminating: Some(terminating),
        }),
        hostname: should_set_hostname(pod, svc).then(|| pod.spec.as_ref().and_then(|s| s.hostname.clone())).flatten(),
        node_name: pod.spec.as_ref().and_then(|s| s.node_name.clone()),
        target_ref: Some(target_ref(pod)),
        ..Default::default()
    }
}

/// The slices a Service should have: per distinct port set, its endpoints (in byte order of their IPs). A Service whose
/// selector matches nothing gets one placeholder slice with neither ports nor endpoints.
pub fn desired_slices(svc: &Service, pods: &[&Pod]) -> Vec<(Vec<EndpointPort>, Vec<Endpoint>)> {
    let ports = svc.spec.as_ref().and_then(|s| s.ports.clone()).unwrap_or_default();
    let mut groups: BTreeMap<Vec<(String, i32, String)>, Vec<Endpoint>> = BTreeMap::new();
    for pod in pods {
        if !should_pod_be_in_endpoints(pod, true) {
            continue;
        }
        let key: Vec<(String, i32, String)> = ports
            .iter()
            .filter_map(|sp| {
                find_port(pod, sp)
                    .map(|n| (sp.name.clone().unwrap_or_default(), n, sp.protocol.clone().unwrap_or("TCP".into())))
            })
            .collect();
        groups.entry(key).or_default().push(pod_to_endpoint(pod, svc));
    }
    if groups.is_empty() {
        return vec![(Vec::new(), Vec::new())];
    }
    groups
        .into_iter()
        .map(|(key, mut eps)| {
            eps.stable_sort_by(|a, b| a.addresses[0].cmp(&b.addresses[0]));
            let ports = key
                .into_iter()
                .map(|(name, port, protocol)| EndpointPort {
                    name: Some(name),
                    port: Some(port),
                    protocol: Some(protocol),
                    ..Default::default()
                })
                .collect();
            (ports, eps)
        })
        .collect()
}

/// Sorts dotted quads numerically (10.244.3.10 after 10.244.3.9).
pub fn ip_sort_key(ip: &str) -> Vec<u32> {
    ip.split('.').map(|p| p.parse().unwrap_or(0)).collect()
}

fn service_labels(svc: &Service) -> BTreeMap<String, String> {
    svc.metadata.labels.clone().unwrap_or_default()
}

impl Cluster {
    /// Both controllers over every Service (they run in kube-controller-manager).
    pub(super) fn reconcile_service_endpoints(&mut self) {
        let services: Vec<Service> = self
            .store
            .list(Kind::Service, None)
            .filter_map(|o| match o {
                Object::Service(s) => Some((**s).clone()),
                _ => None,
            })
            .collect();
        for svc in &services {
            self.sync_endpoints(svc);
            self.sync_endpoint_slices(svc);
        }
        self.remove_orphaned_endpoints(&services);
    }

    fn selected_pods(&self, svc: &Service) -> Vec<Pod> {
        let ns = svc.metadata.namespace.as_deref().unwrap_or_default();
        self.store
            .list(Kind::Pod, Some(ns))
            .filter_map(|o| match o {
                Object::Pod(p) if selects(svc, p) => Some((**p).clone()),
                _ => None,
            })
            .collect()
    }

    /// The endpoints controller's `syncService`.
    fn sync_endpoints(&mut self, svc: &Service) {
        let ns = svc.metadata.namespace.clone().unwrap_or_default();
        let name = svc.metadata.name.clone().unwrap_or_default();
        if name == "kubernetes" && ns == "default" {
            return; // the API server's reconciler owns it
        }
        if svc.spec.as_ref().and_then(|s| s.selector.as_ref()).is_none() {
            return; // "services without a selector receive no endpoints from this controller"
        }
        let pods = self.selected_pods(svc);
        let refs: Vec<&Pod> = pods.iter().collect();
        let subsets = endpoint_subsets(svc, &refs);
        let created = svc.metadata.creation_timestamp.as_ref().map(sim_millis).unwrap_or(0);
        let times: Vec<(&str, Option<Millis>)> =
            pods.iter().map(|p| (p.metadata.name.as_deref().unwrap_or_default(), ready_transition(p))).collect();
        let trigger = trigger_time(
            self.network.endpoints.endpoints.entry((ns.clone(), name.clone())).or_default(),
            created,
            &times,
        );
        let mut labels = service_labels(svc);
        labels.insert(LABEL_ENDPOINTS_MANAGED_BY.into(), ENDPOINTS_CONTROLLER.into());
        if is_headless(svc) {
            labels.insert(LABEL_HEADLESS.into(), String::new());
        }
        let key = ObjectKey::new(Kind::Endpoints, &ns, &name);
        let subsets_opt = (!subsets.is_empty()).then_some(subsets);
        match self.store.get(&key) {
            Some(Object::Endpoints(cur)) => {
                if cur.subsets == subsets_opt && cur.metadata.labels.as_ref() == Some(&labels) {
                    return;
                }
                let mut next = (**cur).clone();
                next.subsets = subsets_opt;
                next.metadata.labels = Some(labels);
                set_trigger_time(&mut next.metadata, trigger);
                let why = endpoints_reason(&name, &next.subsets);
                self.write_workload_status(ENDPOINTS_CONTROLLER, Object::from(next), &why);
            }
            _ => {
                let ep = Endpoints {
                    metadata: ObjectMeta {
                        name: Some(name.clone()),
                        namespace: Some(ns.clone()),
                        labels: Some(labels),
                        annotations: trigger.map(|t| [(TRIGGER_TIME.to_string(), api_time(t).0.to_string())].into()),
                        ..Default::default()
                    },
                    subsets: subsets_opt,
                };
                let why = endpoints_reason(&name, &ep.subsets);
                self.network_create(ENDPOINTS_CONTROLLER, Object::from(ep), &ns, &why);
            }
        }
    }

    /// The EndpointSlice controller's reconciler: keep one slice per port set, update in place, create what is
    /// missing (`<service>-<5 random>`), delete the rest.
    fn sync_endpoint_slices(&mut self, svc: &Service) {
        let ns = svc.metadata.namespace.clone().unwrap_or_default();
        let name = svc.metadata.name.clone().unwrap_or_default();
        if name == "kubernetes" && ns == "default" {
            return;
        }
        let external = svc.spec.as_ref().and_then(|s| s.type_.as_deref()) == Some("ExternalName");
        let has_selector = svc.spec.as_ref().and_then(|s| s.selector.as_ref()).is_some();
        let existing: Vec<EndpointSlice> = self
            .store
            .list(Kind::EndpointSlice, Some(&ns))
            .filter_map(|o| match o {
                Object::EndpointSlice(s)
                    if s.metadata.labels.as_ref().and_then(|l| l.get(LABEL_SERVICE_NAME)) == Some(&name)
                        && s.metadata.labels.as_ref().and_then(|l| l.get(LABEL_SLICE_MANAGED_BY))
                            == Some(&SLICE_CONTROLLER.to_string()) =>
                {
                    Some((**s).clone())
                }
                _ => None,
            })
            .collect();
        if external || !has_selector {
            for s in existing {
                let why = format!("Service {name} no longer selects pods: its EndpointSlice goes");
                self.network_delete(
                    SLICE_CONTROLLER,
                    Kind::EndpointSlice,
                    &ns,
                    s.metadata.name.as_deref().unwrap_or(""),
                    &why,
                );
            }
            return;
        }
        let pods = self.selected_pods(svc);
        let refs: Vec<&Pod> = pods.iter().collect();
        let desired = desired_slices(svc, &refs);
        let created = svc.metadata.creation_timestamp.as_ref().map(sim_millis).unwrap_or(0);
        let times: Vec<(&str, Option<Millis>)> =
            pods.iter().map(|p| (p.metadata.name.as_deref().unwrap_or_default(), ready_transition(p))).collect();
        let trigger =
            trigger_time(self.network.endpoints.slices.entry((ns.clone(), name.clone())).or_default(), created, &times);
        let mut labels = service_labels(svc);
        labels.insert(LABEL_SERVICE_NAME.into(), name.clone());
        labels.insert(LABEL_SLICE_MANAGED_BY.into(), SLICE_CONTROLLER.into());
        if is_headless(svc) {
            labels.insert(LABEL_HEADLESS.into(), String::new());
        }
        let mut unused: Vec<EndpointSlice> = existing;
        for (ports, endpoints) in desired {
            let ports_opt = (!ports.is_empty()).then_some(ports);
            // Prefer the slice that already carries this port set, then any slice left over.
            let pos =
                unused.iter().position(|s| s.ports == ports_opt).or(if unused.is_empty() { None } else { Some(0) });
            let why = slice_reason(&name, &endpoints);
            match pos.map(|i| unused.remove(i)) {
                Some(cur) => {
                    if cur.ports == ports_opt
                        && cur.endpoints == endpoints
                        && cur.metadata.labels.as_ref() == Some(&labels)
                    {
                        continue;
                    }
                    let mut next = cur.clone();
                    next.ports = ports_opt;
                    next.endpoints = endpoints;
                    next.metadata.labels = Some(labels.clone());
                    next.metadata.generation = Some(next.metadata.generation.unwrap_or(1) + 1);
                    set_trigger_time(&mut next.metadata, trigger);
                    self.write_workload_status(SLICE_CONTROLLER, Object::from(next), &why);
                }
                None => {
                    let slice = EndpointSlice {
                        metadata: ObjectMeta {
                            generate_name: Some(format!("{name}-")),
                            namespace: Some(ns.clone()),
                            labels: Some(labels.clone()),
                            annotations: trigger
                                .map(|t| [(TRIGGER_TIME.to_string(), api_time(t).0.to_string())].into()),
                            owner_references: Some(vec![controller_ref(&Object::from(svc.clone()))]),
                            ..Default::default()
                        },
                        address_type: "IPv4".into(),
                        endpoints,
                        ports: ports_opt,
                    };
                    self.network_create(SLICE_CONTROLLER, Object::from(slice), &ns, &why);
                }
            }
        }
        for s in unused {
            let why = format!("Service {name} needs fewer EndpointSlices");
            self.network_delete(
                SLICE_CONTROLLER,
                Kind::EndpointSlice,
                &ns,
                s.metadata.name.as_deref().unwrap_or(""),
                &why,
            );
        }
    }

    /// Endpoints whose Service is gone are deleted by the endpoints controller (slices go with their owner
    /// through the garbage collector).
    fn remove_orphaned_endpoints(&mut self, services: &[Service]) {
        let live: std::collections::BTreeSet<(String, String)> = services
            .iter()
            .map(|s| (s.metadata.namespace.clone().unwrap_or_default(), s.metadata.name.clone().unwrap_or_default()))
            .collect();
        let orphans: Vec<(String, String)> = self
            .store
            .list(Kind::Endpoints, None)
            .filter(|o| {
                o.metadata().labels.as_ref().and_then(|l| l.get(LABEL_ENDPOINTS_MANAGED_BY)).map(String::as_str)
                    == Some(ENDPOINTS_CONTROLLER)
            })
            .map(|o| (o.namespace().to_string(), o.name().to_string()))
            .filter(|k| !live.contains(k))
            .collect();
        for (ns, name) in orphans {
            self.network.endpoints.endpoints.remove(&(ns.clone(), name.clone()));
            self.network.endpoints.slices.remove(&(ns.clone(), name.clone()));
            let why = format!("Service {name} was deleted");
            self.network_delete(ENDPOINTS_CONTROLLER, Kind::Endpoints, &ns, &name, &why);
        }
    }

    /// The API server's lease endpoint reconciler: Endpoints and EndpointSlice `kubernetes` list the API
    /// servers that run (the control-plane nodes whose machines are up).
    pub(super) fn reconcile_apiserver_endpoints(&mut self) {
        let mut ips: Vec<String> = self
            .machines
            .iter()
            .filter(|m| m.plan.role == NodeRole::ControlPlane && m.running)
            .map(|m| m.plan.internal_ip.clone())
            .collect();
        ips.stable_sort_by_key(|ip| ip_sort_key(ip));
        if self.store.get(&ObjectKey::new(Kind::Service, "default", "kubernetes")).is_none() {
            return;
        }
        let ep = Endpoints {
            metadata: ObjectMeta {
                name: Some("kubernetes".into()),
                namespace: Some("default".into()),
                labels: Some([("endpointslice.kubernetes.io/skip-mirror".to_string(), "true".to_string())].into()),
                ..Default::default()
            },
            subsets: (!ips.is_empty()).then(|| {
                vec![EndpointSubset {
                    addresses: Some(
                        ips.iter().map(|ip| EndpointAddress { ip: ip.clone(), ..Default::default() }).collect(),
                    ),
                    ports: Some(vec![CorePort {
                        name: Some("https".into()),
                        port: APISERVER_PORT,
                        protocol: Some("TCP".into()),
                        ..Default::default()
                    }]),
                    ..Default::default()
                }]
            }),
        };
        let slice = EndpointSlice {
            metadata: ObjectMeta {
                name: Some("kubernetes".into()),
                namespace: Some("default".into()),
                labels: Some([(LABEL_SERVICE_NAME.to_string(), "kubernetes".to_string())].into()),
                ..Default::default()
            },
            address_type: "IPv4".into(),
            endpoints: ips
                .iter()
                .map(|ip| Endpoint {
                    addresses: vec![ip.clone()],
                    conditions: Some(EndpointConditions { ready: Some(true), ..Default::default() }),
                    ..Default::default()
                })
                .collect(),
            ports: Some(vec![EndpointPort {
                name: Some("https".into()),
                port: Some(APISERVER_PORT),
                protocol: Some("TCP".into()),
                ..Default::default()
            }]),
        };
        let why = format!("the API servers that run: {}", if ips.is_empty() { "none".into() } else { ips.join(", ") });
        for want in [Object::from(ep), Object::from(slice)] {
            let key = ObjectKey::of(&want);
            match self.store.get(&key).cloned() {
                Some(cur) => {
                    let mut next = want.clone();
                    *next.metadata_mut() = cur.metadata().clone();
                    if cur == next {
                        continue;
                    }
                    self.write_workload_status("kube-apiserver", next, &why);
                }
                None => self.network_create("kube-apiserver", want, "default", &why),
            }
        }
    }

    /// Creates through the API with the network side stream of random numbers, so generated names and uids
    /// of endpoint objects do not shift every other random name of a session.
    fn network_create(&mut self, actor: &str, obj: Object, ns: &str, why: &str) {
        let side = std::mem::replace(&mut self.rng, self.network.rng.clone());
        let seq = self.log.entries().len() as u64;
        self.controller_create(actor, obj, ns);
        self.log.set_reason(seq, why);
        self.network.rng = std::mem::replace(&mut self.rng, side);
    }

    fn network_delete(&mut self, actor: &str, kind: Kind, ns: &str, name: &str, why: &str) {
        let key = ObjectKey::new(kind, ns, name);
        if self.store.remove(&key).is_some() {
            self.record(actor, Change::Deleted, &key, why);
        }
    }
}

/// Sets the `last-change-trigger-time` annotation, or removes it when no trigger time changed.
fn set_trigger_time(meta: &mut ObjectMeta, trigger: Option<Millis>) {
    let mut ann = meta.annotations.take().unwrap_or_default();
    match trigger {
        Some(t) => ann.insert(TRIGGER_TIME.into(), api_time(t).0.to_string()),
        None => ann.remove(TRIGGER_TIME),
    };
    meta.annotations = (!ann.is_empty()).then_some(ann);
}

fn endpoints_reason(name: &str, subsets: &Option<Vec<EndpointSubset>>) -> String {
    let (mut ready, mut not_ready) = (0, 0);
    for s in subsets.iter().flatten() {
        ready += s.addresses.as_ref().map_or(0, Vec::len);
        not_ready += s.not_ready_addresses.as_ref().map_or(0, Vec::len);
    }
    format!("Service {name} selects {ready} ready and {not_ready} not-ready pods")
}

fn slice_reason(name: &str, endpoints: &[Endpoint]) -> String {
    let ready = endpoints.iter().filter(|e| e.conditions.as_ref().and_then(|c| c.ready) == Some(true)).count();
    format!("Service {name}: {ready} of {} endpoints ready", endpoints.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(name: &str, ip: &str, ready: bool) -> Pod {
        serde_json::from_value(json!({
            "metadata": {"name": name, "namespace": "default", "uid": format!("uid-{name}"), "labels": {"app": "web"}},
            "spec": {"nodeName": "worker-1", "containers": [{"name": "c", "image": "nginx",
                "ports": [{"name": "http", "containerPort": 8080}]}]},
            "status": {"phase": "Running", "podIP": ip,
                "conditions": [{"type": "Ready", "status": if ready { "True" } else { "False" }}]}
        }))
        .unwrap()
    }

    fn svc(extra: serde_json::Value) -> Service {
        let v = json!({"metadata": {"name": "web", "namespace": "default"},
            "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "protocol": "TCP", "targetPort": "http"}]}});
        let v = crate::patch::json_merge_patch(&v, &extra);
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn ready_pods_are_addresses_others_not_ready_addresses() {
        let (a, b, c) = (pod("a", "10.244.3.10", true), pod("b", "10.244.3.9", true), pod("c", "10.244.4.2", false));
        let subsets = endpoint_subsets(&svc(json!({})), &[&a, &b, &c]);
        assert_eq!(subsets.len(), 1);
        let ips = |v: &Option<Vec<EndpointAddress>>| v.iter().flatten().map(|a| a.ip.clone()).collect::<Vec<_>>();
        assert_eq!(ips(&subsets[0].addresses), ["10.244.3.10", "10.244.3.9"]);
        assert_eq!(ips(&subsets[0].not_ready_addresses), ["10.244.4.2"]);
        assert_eq!(subsets[0].ports.as_ref().unwrap()[0].port, 8080);
    }

    #[test]
    fn terminating_pods_leave_endpoints_but_stay_in_slices_as_not_ready() {
        let mut a = pod("a", "10.244.3.2", true);
        a.metadata.deletion_timestamp = Some(api_time(5000));
        assert!(endpoint_subsets(&svc(json!({})), &[&a]).is_empty());
        let slices = desired_slices(&svc(json!({})), &[&a]);
        let c = slices[0].1[0].conditions.clone().unwrap();
        assert_eq!((c.ready, c.serving, c.terminating), (Some(false), Some(true), Some(true)));
        // publishNotReadyAddresses keeps it ready in the slice and in Endpoints.
        let p = svc(json!({"spec": {"publishNotReadyAddresses": true}}));
        assert_eq!(desired_slices(&p, &[&a])[0].1[0].conditions.clone().unwrap().ready, Some(true));
        assert_eq!(endpoint_subsets(&p, &[&a]).len(), 1);
    }

    #[test]
    fn a_named_target_port_the_pod_lacks_leaves_the_pod_out_of_that_port() {
        let mut a = pod("a", "10.244.3.2", true);
        a.spec.as_mut().unwrap().containers[0].ports = None;
        assert!(endpoint_subsets(&svc(json!({})), &[&a]).is_empty());
        // No selected pod at all: the placeholder slice.
        assert_eq!(desired_slices(&svc(json!({})), &[]), vec![(Vec::new(), Vec::new())]);
    }

    #[test]
    fn trigger_time_is_the_earliest_change_since_the_last_sync() {
        let mut st = TriggerState::default();
        assert_eq!(trigger_time(&mut st, 5000, &[("a", Some(9000))]), Some(5000));
        assert_eq!(trigger_time(&mut st, 5000, &[("a", Some(9000))]), None);
        assert_eq!(trigger_time(&mut st, 5000, &[("a", Some(30000)), ("b", None)]), Some(30000));
    }
}
