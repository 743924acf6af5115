//! What the apiserver adds to objects on create beyond defaults: allocated Service IPs and node ports, and
//! what the ServiceAccount admission plugin does to pods. These need the cluster's RNG and store, which
//! plain defaulting does not have.

use k8s_openapi::api::core::v1::{
    ConfigMapProjection, DownwardAPIProjection, DownwardAPIVolumeFile, KeyToPath, ObjectFieldSelector,
    ProjectedVolumeSource, ServiceAccountTokenProjection, Volume, VolumeMount, VolumeProjection,
};

use crate::cluster::Cluster;
use crate::error::ApiError;
use crate::object::{Kind, Object};
use crate::store::ObjectKey;

/// First address of the Service CIDR 10.96.0.0/12, as a number.
const SERVICE_CIDR_BASE: u32 = (10 << 24) | (96 << 16);
const SERVICE_CIDR_SIZE: u32 = 1 << 20;
/// Addresses below this offset are the "static" band, left for Services that ask for a fixed IP
/// (`kubernetes` at .1, `kube-dns` at .10); dynamic allocations draw from above it, as the real allocator does.
const STATIC_BAND: u32 = 256;
pub const NODE_PORT_MIN: i32 = 30000;
pub const NODE_PORT_MAX: i32 = 32767;

pub const SERVICE_ACCOUNT_MOUNT: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

impl Cluster {
    pub(crate) fn mutate_on_create(&mut self, obj: &mut Object) -> Result<(), ApiError> {
        match obj {
            Object::Service(svc) => self.allocate_service(svc),
            Object::Pod(pod) => self.admit_service_account(pod),
            Object::PersistentVolumeClaim(pvc) => {
                self.admit_claim(pvc);
                Ok(())
            }
            Object::PersistentVolume(pv) => {
                // StorageObjectInUseProtection, and the PV strategy's `lastPhaseTransitionTime` for `Pending`.
                add_finalizer(&mut pv.metadata, crate::controllers::volumes::PV_PROTECTION);
                let status = pv.status.get_or_insert_with(Default::default);
                status.last_phase_transition_time = Some(crate::clock::api_time(self.clock.now()));
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// The Service REST update's allocations: a Service turning NodePort or LoadBalancer gets node ports (each
    /// port keeps the one it had, matched by port and protocol), and a LoadBalancer turning `externalTrafficPolicy:
    /// Local` gets a health-check node port.
    pub(crate) fn mutate_on_update(&mut self, current: &Object, obj: &mut Object) {
        let (Object::Service(old), Object::Service(svc)) = (current, obj) else { return };
        let old_spec = old.spec.clone().unwrap_or_default();
        let Some(spec) = svc.spec.as_mut() else { return };
        let kind = spec.type_.clone().unwrap_or_else(|| "ClusterIP".into());
        let old_kind = old_spec.type_.clone().unwrap_or_else(|| "ClusterIP".into());
        // `dropTypeDependentFields`: what the old type needed and the new one does not goes, unless the client
        // changed it (then validation has its say).
        let node_ports = |s: &k8s_openapi::api::core::v1::ServiceSpec| -> Vec<Option<i32>> {
            s.ports.iter().flatten().map(|p| p.node_port).collect()
        };
        let needs_node_ports = |k: &str| k == "NodePort" || k == "LoadBalancer";
        if needs_node_ports(&old_kind) && !needs_node_ports(&kind) && node_ports(spec) == node_ports(&old_spec) {
            for p in spec.ports.iter_mut().flatten() {
                p.node_port = None;
            }
        }
        let needs_hc = |k: &str, s: &k8s_openapi::api::core::v1::ServiceSpec| {
            k == "LoadBalancer" && s.external_traffic_policy.as_deref() == Some("Local")
        };
        if needs_hc(&old_kind, &old_spec)
            && !needs_hc(&kind, spec)
            && spec.health_check_node_port == old_spec.health_check_node_port
        {
            spec.health_check_node_port = None;
        }
        if old_kind == "LoadBalancer" && kind != "LoadBalancer" {
            if spec.allocate_load_balancer_node_ports == old_spec.allocate_load_balancer_node_ports {
                spec.allocate_load_balancer_node_ports = None;
            }
            if spec.load_balancer_class == old_spec.load_balancer_class {
                spec.load_balancer_class = None;
            }
        }
        if !needs_node_ports(&kind) && spec.external_traffic_policy == old_spec.external_traffic_policy {
            spec.external_traffic_policy = None;
        }
        if !needs_node_ports(&kind) {
            return;
        }
        let mut used = self.used_node_ports();
        for port in spec.ports.iter_mut().flatten() {
            if port.node_port.is_some() {
                continue;
            }
            let kept = old_spec.ports.iter().flatten().find(|o| o.port == port.port && o.protocol == port.protocol);
            let p = match kept.and_then(|o| o.node_port) {
                Some(p) => p,
                None => self.free_node_port(&used),
            };
            port.node_port = Some(p);
            used.push(p);
        }
        let local = spec.external_traffic_policy.as_deref() == Some("Local");
        if kind == "LoadBalancer" && local && spec.health_check_node_port.unwrap_or(0) == 0 {
            let p = match old_spec.health_check_node_port.filter(|p| *p != 0) {
                Some(p) => p,
                None => self.free_node_port(&used),
            };
            spec.health_check_node_port = Some(p);
        }
    }

    /// The DefaultStorageClass admission plugin (a claim with no `storageClassName` at all gets the default
    /// class; `""` asks for none) and StorageObjectInUseProtection (the `kubernetes.io/pvc-protection`
    /// finalizer).
    fn admit_claim(&self, pvc: &mut k8s_openapi::api::core::v1::PersistentVolumeClaim) {
        let spec = pvc.spec.get_or_insert_with(Default::default);
        let beta = pvc
            .metadata
            .annotations
            .as_ref()
            .is_some_and(|a| a.contains_key("volume.beta.kubernetes.io/storage-class"));
        if spec.storage_class_name.is_none() && !beta {
            spec.storage_class_name = crate::controllers::volumes::default_class(&self.store);
        }
        add_finalizer(&mut pvc.metadata, crate::controllers::volumes::PVC_PROTECTION);
    }

    /// The PersistentVolumeClaimResize validating admission plugin
    /// (`plugin/pkg/admission/storage/persistentvolume/resize`), run after validation: a claim's storage
    /// request may grow only while it is Bound and its class (the same before and after) has
    /// `allowVolumeExpansion: true`.
    pub(crate) fn admit_claim_resize(&self, current: &Object, obj: &Object) -> Result<(), ApiError> {
        let (Object::PersistentVolumeClaim(old), Object::PersistentVolumeClaim(new)) = (current, obj) else {
            return Ok(());
        };
        let size = |c: &k8s_openapi::api::core::v1::PersistentVolumeClaim| {
            let q = c.spec.as_ref().and_then(|s| s.resources.as_ref()).and_then(|r| r.requests.as_ref());
            q.and_then(|r| r.get("storage")).map(|q| crate::admission::quantity::Quantity::parse(&q.0))
        };
        let zero = crate::admission::quantity::Quantity::zero();
        let (old_size, new_size) =
            (size(old).and_then(Result::ok).unwrap_or(zero), size(new).and_then(Result::ok).unwrap_or(zero));
        if new_size.cmp_value(&old_size) != std::cmp::Ordering::Greater {
            return Ok(());
        }
        let name = new.metadata.name.clone().unwrap_or_default();
        if old.status.as_ref().and_then(|s| s.phase.as_deref()) != Some("Bound") {
            return Err(ApiError::forbidden(format!(
                "persistentvolumeclaims \"{name}\" is forbidden: Only bound persistent volume claims can be expanded"
            )));
        }
        let (class, old_class) =
            (crate::controllers::volumes::claim_class(new), crate::controllers::volumes::claim_class(old));
        let allowed = !class.is_empty()
            && class == old_class
            && matches!(
                self.store.get(&ObjectKey::new(Kind::StorageClass, "", &class)),
                Some(Object::StorageClass(sc)) if sc.allow_volume_expansion == Some(true)
            );
        if allowed {
            return Ok(());
        }
        Err(ApiError::forbidden(format!(
            "persistentvolumeclaims \"{name}\" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize"
        )))
    }

    fn used_cluster_ips(&self) -> Vec<String> {
        self.store
            .list(Kind::Service, None)
            .filter_map(|o| match o {
                Object::Service(s) => s.spec.as_ref().and_then(|s| s.cluster_ip.clone()),
                _ => None,
            })
            .collect()
    }

    fn used_node_ports(&self) -> Vec<i32> {
        self.store
            .list(Kind::Service, None)
            .filter_map(|o| match o {
                Object::Service(s) => s.spec.as_ref().and_then(|s| s.ports.clone()),
                _ => None,
            })
            .flatten()
            .filter_map(|p| p.node_port)
            .chain(self.store.list(Kind::Service, None).filter_map(|o| match o {
                Object::Service(s) => s.spec.as_ref().and_then(|s| s.health_check_node_port),
                _ => None,
            }))
            .collect()
    }

    /// A random node port from the range that `used` does not hold.
    fn free_node_port(&mut self, used: &[i32]) -> i32 {
        loop {
            let p = NODE_PORT_MIN + self.rng.below((NODE_PORT_MAX - NODE_PORT_MIN + 1) as u64) as i32;
            if !used.contains(&p) {
                break p;
            }
        }
    }

    fn allocate_service(&mut self, svc: &mut k8s_openapi::api::core::v1::Service) -> Result<(), ApiError> {
        let name = svc.metadata.name.clone().unwrap_or_default();
        let spec = svc.spec.get_or_insert_with(Default::default);
        let kind = spec.type_.clone().unwrap_or_else(|| "ClusterIP".into());
        if kind == "ExternalName" {
            return Ok(());
        }
        let used = self.used_cluster_ips();
        match spec.cluster_ip.as_deref() {
            Some("None") => spec.cluster_ips = Some(vec!["None".into()]),
            Some(ip) if !ip.is_empty() => {
                if used.iter().any(|u| u == ip) {
                    return Err(ApiError::new(
                        422,
                        "Invalid",
                        format!(
                            "Service \"{name}\" is invalid: spec.clusterIPs: Invalid value: []string{{\"{ip}\"}}: failed to allocate IP {ip}: provided IP is already allocated"
                        ),
                    ));
                }
                spec.cluster_ips = Some(vec![ip.to_string()]);
            }
            _ => {
                let ip = loop {
                    let offset = STATIC_BAND + self.rng.below((SERVICE_CIDR_SIZE - STATIC_BAND - 1) as u64) as u32;
                    let ip = std::net::Ipv4Addr::from(SERVICE_CIDR_BASE + offset).to_string();
                    if !used.contains(&ip) {
                        break ip;
                    }
                };
                spec.cluster_ip = Some(ip.clone());
                spec.cluster_ips = Some(vec![ip]);
            }
        }
        if kind == "NodePort" || kind == "LoadBalancer" {
            let mut used = self.used_node_ports();
            for port in spec.ports.iter_mut().flatten() {
                match port.node_port {
                    Some(p) if used.contains(&p) => {
                        return Err(ApiError::new(
                            422,
                            "Invalid",
                            format!(
                                "Service \"{name}\" is invalid: spec.ports[0].nodePort: Invalid value: {p}: provided port is already allocated"
                            ),
                        ))
                    }
                    Some(p) => used.push(p),
                    None => {
                        let p = self.free_node_port(&used);
                        port.node_port = Some(p);
                        used.push(p);
                    }
                }
            }
            // A LoadBalancer with `externalTrafficPolicy: Local` also gets a health-check port from the same range,
            // for the load balancer to ask each node whether it has local endpoints.
            let local = spec.external_traffic_policy.as_deref() == Some("Local");
            if kind == "LoadBalancer" && local && spec.health_check_node_port.unwrap_or(0) == 0 {
                let p = self.free_node_port(&used);
                spec.health_check_node_port = Some(p);
            }
        }
        Ok(())
    }

    /// The ServiceAccount admission plugin: the pod runs as `default` unless it names another account, the
    /// account must exist, and its API token is mounted through a projected `kube-api-access-*` volume.
    fn admit_service_account(&mut self, pod: &mut k8s_openapi::api::core::v1::Pod) -> Result<(), ApiError> {
        // Mirror pods (a kubelet's static pods) are left alone.
        if pod.metadata.annotations.as_ref().is_some_and(|a| a.contains_key("kubernetes.io/config.mirror")) {
            return Ok(());
        }
        let ns = pod.metadata.namespace.clone().unwrap_or_default();
        let name = pod.metadata.name.clone().unwrap_or_default();
        let spec = pod.spec.get_or_insert_with(Default::default);
        let account = spec.service_account_name.clone().filter(|s| !s.is_empty()).unwrap_or_else(|| "default".into());
        if self.store.get(&ObjectKey::new(Kind::ServiceAccount, &ns, &account)).is_none() {
            return Err(ApiError::forbidden(format!(
                "pods \"{name}\" is forbidden: error looking up service account {ns}/{account}: serviceaccount \"{account}\" not found"
            )));
        }
        spec.service_account_name = Some(account.clone());
        spec.service_account = Some(account);
        if spec.automount_service_account_token == Some(false) {
            return Ok(());
        }
        let already = spec
            .containers
            .iter()
            .any(|c| c.volume_mounts.iter().flatten().any(|m| m.mount_path == SERVICE_ACCOUNT_MOUNT));
        if already {
            return Ok(());
        }
        let volume_name = format!("kube-api-access-{}", self.rng.name_suffix(5));
        spec.volumes.get_or_insert_with(Vec::new).push(Volume {
            name: volume_name.clone(),
            projected: Some(ProjectedVolumeSource {
                default_mode: Some(420),
                sources: Some(vec![
                    VolumeProjection {
                        service_account_token: Some(ServiceAccountTokenProjection {
                            expiration_seconds: Some(3607),
                            path: "token".into(),
                            ..Default::default()
                        }),
                        ..Default::default()
                    },
                    VolumeProjection {
                        config_map: Some(ConfigMapProjection {
                            name: "kube-root-ca.crt".into(),
                            items: Some(vec![KeyToPath { key: "ca.crt".into(), path: "ca.crt".into(), mode: None }]),
                            ..Default::default()
                        }),
                        ..Default::default()
                    },
                    VolumeProjection {
                        downward_api: Some(DownwardAPIProjection {
                            items: Some(vec![DownwardAPIVolumeFile {
                                path: "namespace".into(),
                                field_ref: Some(ObjectFieldSelector {
                                    api_version: Some("v1".into()),
                                    field_path: "metadata.namespace".into(),
                                }),
                                ..Default::default()
                            }]),
                        }),
                        ..Default::default()
                    },
                ]),
            }),
            ..Default::default()
        });
        let mount = VolumeMount {
            name: volume_name,
            mount_path: SERVICE_ACCOUNT_MOUNT.into(),
            read_only: Some(true),
            ..Default::default()
        };
        for c in spec.containers.iter_mut().chain(spec.init_containers.iter_mut().flatten()) {
            c.volume_mounts.get_or_insert_with(Vec::new).push(mount.clone());
        }
        Ok(())
    }
}

fn add_finalizer(meta: &mut k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta, name: &str) {
    let list = meta.finalizers.get_or_insert_with(Vec::new);
    if !list.iter().any(|f| f == name) {
        list.push(name.to_string());
    }
}
