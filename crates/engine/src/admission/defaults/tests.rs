//! Table tests for the defaults of the non-workload kinds, the create-time preparation and the QoS class.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Container, Namespace, PersistentVolume, PersistentVolumeClaim, PersistentVolumeSpec, Pod, PodSpec,
    ResourceRequirements, Secret, Service, ServicePort, ServiceSpec,
};
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity as Qty;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::*;

fn svc(spec: ServiceSpec) -> Object {
    Object::from(Service { metadata: ObjectMeta::default(), spec: Some(spec), status: None })
}

fn svc_spec(obj: &Object) -> ServiceSpec {
    match obj {
        Object::Service(s) => s.spec.clone().unwrap_or_default(),
        _ => ServiceSpec::default(),
    }
}

#[test]
fn service_defaults() {
    let port = ServicePort { port: 80, ..Default::default() };
    let mut obj = svc(ServiceSpec {
        ports: Some(vec![port.clone()]),
        selector: Some([("app".into(), "web".into())].into()),
        ..Default::default()
    });
    set_defaults(&mut obj);
    let spec = svc_spec(&obj);
    assert_eq!(spec.type_.as_deref(), Some("ClusterIP"));
    assert_eq!(spec.session_affinity.as_deref(), Some("None"));
    assert_eq!(spec.internal_traffic_policy.as_deref(), Some("Cluster"));
    assert_eq!(spec.external_traffic_policy, None);
    assert_eq!(spec.ip_family_policy.as_deref(), Some("SingleStack"));
    assert_eq!(spec.ip_families, Some(vec!["IPv4".to_string()]));
    let p = &spec.ports.unwrap_or_default()[0];
    assert_eq!((p.protocol.as_deref(), p.target_port.clone()), (Some("TCP"), Some(IntOrString::Int(80))));

    let mut lb = svc(ServiceSpec { type_: Some("LoadBalancer".into()), ports: Some(vec![port]), ..Default::default() });
    set_defaults(&mut lb);
    let spec = svc_spec(&lb);
    assert_eq!(spec.external_traffic_policy.as_deref(), Some("Cluster"));
    assert_eq!(spec.allocate_load_balancer_node_ports, Some(true));

    let mut affinity = svc(ServiceSpec { session_affinity: Some("ClientIP".into()), ..Default::default() });
    set_defaults(&mut affinity);
    let timeout = svc_spec(&affinity).session_affinity_config.and_then(|c| c.client_ip).and_then(|c| c.timeout_seconds);
    assert_eq!(timeout, Some(10800));

    let mut headless = svc(ServiceSpec { cluster_ip: Some("None".into()), ..Default::default() });
    set_defaults(&mut headless);
    let spec = svc_spec(&headless);
    assert_eq!(spec.cluster_ips, Some(vec!["None".to_string()]));
    assert_eq!(spec.ip_family_policy.as_deref(), Some("RequireDualStack"));

    let mut external = svc(ServiceSpec {
        type_: Some("ExternalName".into()),
        external_name: Some("db.example.com".into()),
        ..Default::default()
    });
    set_defaults(&mut external);
    let spec = svc_spec(&external);
    assert_eq!((spec.ip_families, spec.ip_family_policy, spec.internal_traffic_policy), (None, None, None));
}

#[test]
fn other_core_defaults() {
    let mut secret = Object::from(Secret::default());
    set_defaults(&mut secret);
    assert!(matches!(&secret, Object::Secret(s) if s.type_.as_deref() == Some("Opaque")));

    let mut ns = Object::from(Namespace {
        metadata: ObjectMeta { name: Some("dev".into()), ..Default::default() },
        ..Default::default()
    });
    set_defaults(&mut ns);
    prepare_for_create(&mut ns);
    let Object::Namespace(n) = &ns else { panic!("kind changed") };
    assert_eq!(
        n.metadata.labels.as_ref().and_then(|l| l.get("kubernetes.io/metadata.name")).map(String::as_str),
        Some("dev")
    );
    assert_eq!(n.status.as_ref().and_then(|s| s.phase.as_deref()), Some("Active"));
    assert_eq!(n.spec.as_ref().and_then(|s| s.finalizers.clone()), Some(vec!["kubernetes".to_string()]));

    let capacity: BTreeMap<String, Qty> = [("storage".to_string(), Qty("1024Mi".into()))].into();
    let mut pv = Object::from(PersistentVolume {
        spec: Some(PersistentVolumeSpec { capacity: Some(capacity), ..Default::default() }),
        ..Default::default()
    });
    set_defaults(&mut pv);
    let Object::PersistentVolume(v) = &pv else { panic!("kind changed") };
    let spec = v.spec.clone().unwrap_or_default();
    assert_eq!(spec.persistent_volume_reclaim_policy.as_deref(), Some("Retain"));
    assert_eq!(spec.volume_mode.as_deref(), Some("Filesystem"));
    assert_eq!(spec.capacity.and_then(|c| c.get("storage").cloned()), Some(Qty("1Gi".into())));

    let mut pvc = Object::from(PersistentVolumeClaim::default());
    set_defaults(&mut pvc);
    let Object::PersistentVolumeClaim(c) = &pvc else { panic!("kind changed") };
    assert_eq!(c.spec.as_ref().and_then(|s| s.volume_mode.as_deref()), Some("Filesystem"));
    assert_eq!(c.status.as_ref().and_then(|s| s.phase.as_deref()), Some("Pending"));

    let mut sc = Object::from(StorageClass { provisioner: "x".into(), ..Default::default() });
    set_defaults(&mut sc);
    let Object::StorageClass(s) = &sc else { panic!("kind changed") };
    assert_eq!((s.reclaim_policy.as_deref(), s.volume_binding_mode.as_deref()), (Some("Delete"), Some("Immediate")));
}

fn pod_with(resources: &[(&str, &str, &str)]) -> PodSpec {
    // (resource, request, limit); empty strings mean "not set".
    let mut requests = BTreeMap::new();
    let mut limits = BTreeMap::new();
    for (name, req, lim) in resources {
        if !req.is_empty() {
            requests.insert(name.to_string(), Qty(req.to_string()));
        }
        if !lim.is_empty() {
            limits.insert(name.to_string(), Qty(lim.to_string()));
        }
    }
    let res = ResourceRequirements {
        requests: Some(requests).filter(|r| !r.is_empty()),
        limits: Some(limits).filter(|l| !l.is_empty()),
        ..Default::default()
    };
    PodSpec {
        containers: vec![Container { name: "c".into(), resources: Some(res), ..Default::default() }],
        ..Default::default()
    }
}

/// One container's resources as (name, request, limit); an empty string leaves that side unset.
type ResourceRows<'a> = Vec<(&'a str, &'a str, &'a str)>;

#[test]
fn qos_classes() {
    let cases: Vec<(ResourceRows, &str)> = vec![
        (vec![], "BestEffort"),
        (vec![("cpu", "100m", "")], "Burstable"),
        (vec![("cpu", "1", "1000m"), ("memory", "1Gi", "1Gi")], "Guaranteed"),
        (vec![("cpu", "", "1"), ("memory", "", "1Gi")], "Burstable"),
        (vec![("cpu", "500m", "1"), ("memory", "1Gi", "1Gi")], "Burstable"),
        (vec![("ephemeral-storage", "1Gi", "")], "BestEffort"),
    ];
    for (resources, want) in cases {
        assert_eq!(qos_class(&pod_with(&resources)), want, "{resources:?}");
    }
    // Limits-only pods become Guaranteed once defaulting copies limits into requests.
    let mut pod =
        Object::from(Pod { spec: Some(pod_with(&[("cpu", "", "1"), ("memory", "", "1Gi")])), ..Default::default() });
    set_defaults(&mut pod);
    prepare_for_create(&mut pod);
    let Object::Pod(p) = &pod else { panic!("kind changed") };
    let status = p.status.clone().unwrap_or_default();
    assert_eq!((status.phase.as_deref(), status.qos_class.as_deref()), (Some("Pending"), Some("Guaranteed")));
    assert_eq!(p.metadata.generation, Some(1));
}
