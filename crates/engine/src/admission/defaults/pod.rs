//! Defaults for pod specs, wherever they appear (Pods and the templates of every workload), as the generated
//! defaulters of `pkg/apis/core/v1/zz_generated.defaults.go` call `SetDefaults_PodSpec`, `SetDefaults_Container`,
//! `SetDefaults_Volume`, `SetDefaults_Probe`, … from `pkg/apis/core/v1/defaults.go`; plus what only a Pod gets
//! (`SetDefaults_Pod`) and the pod mutations of the default admission plugins (ServiceAccount, Priority,
//! DefaultTolerationSeconds).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Container, ContainerPort, EnvVar, HTTPGetAction, LifecycleHandler, PersistentVolumeClaimSpec, PodSecurityContext,
    PodSpec, Probe, ResourceRequirements, Toleration, Volume,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity as Qty;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::admission::image::pull_policy_for;
use crate::admission::quantity::default_resource_list;

/// `SetDefaults_PodSpec` and the nested defaulters a pod template gets (no `SetDefaults_Pod`: templates do not
/// get `enableServiceLinks` or requests copied from limits, which is why Deployments do not show them).
pub fn default_pod_spec(spec: &mut PodSpec) {
    if spec.dns_policy.as_deref().unwrap_or_default().is_empty() {
        spec.dns_policy = Some("ClusterFirst".to_string());
    }
    if spec.restart_policy.as_deref().unwrap_or_default().is_empty() {
        spec.restart_policy = Some("Always".to_string());
    }
    if spec.security_context.is_none() {
        spec.security_context = Some(PodSecurityContext::default());
    }
    if spec.termination_grace_period_seconds.is_none() {
        spec.termination_grace_period_seconds = Some(30);
    }
    if spec.scheduler_name.as_deref().unwrap_or_default().is_empty() {
        spec.scheduler_name = Some("default-scheduler".to_string());
    }
    // The v1 API carries the deprecated `serviceAccount` as a mirror of `serviceAccountName` (conversion in
    // pkg/apis/core/v1/conversion.go fills one from the other), so every stored pod spec shows both.
    if spec.service_account_name.as_deref().unwrap_or_default().is_empty() {
        if let Some(sa) = spec.service_account.clone().filter(|s| !s.is_empty()) {
            spec.service_account_name = Some(sa);
        }
    }
    spec.service_account = spec.service_account_name.clone().filter(|s| !s.is_empty());

    for volume in spec.volumes.iter_mut().flatten() {
        default_volume(volume);
    }
    for c in spec.init_containers.iter_mut().flatten() {
        default_container(c);
    }
    for c in spec.containers.iter_mut() {
        default_container(c);
    }
    for ec in spec.ephemeral_containers.iter_mut().flatten() {
        // Ephemeral containers get the container defaults (`SetDefaults_EphemeralContainer`).
        if ec.image_pull_policy.as_deref().unwrap_or_default().is_empty() {
            ec.image_pull_policy = Some(pull_policy_for(ec.image.as_deref().unwrap_or_default()).to_string());
        }
        if ec.termination_message_path.as_deref().unwrap_or_default().is_empty() {
            ec.termination_message_path = Some("/dev/termination-log".to_string());
        }
        if ec.termination_message_policy.as_deref().unwrap_or_default().is_empty() {
            ec.termination_message_policy = Some("File".to_string());
        }
        default_ports(ec.ports.as_deref_mut());
        default_env(ec.env.as_deref_mut());
        default_resources(&mut ec.resources);
    }
    if let Some(overhead) = spec.overhead.as_mut() {
        default_resource_list(overhead);
    }
}

/// `SetDefaults_Pod` (only for Pod objects) followed by the pod-spec defaults.
pub fn default_pod(spec: &mut PodSpec) {
    // Requests default to limits when only limits are given, per resource (regular and init containers).
    for c in spec.containers.iter_mut().chain(spec.init_containers.iter_mut().flatten()) {
        if let Some(res) = c.resources.as_mut() {
            if let Some(limits) = res.limits.clone() {
                let requests = res.requests.get_or_insert_with(BTreeMap::new);
                for (k, v) in limits {
                    requests.entry(k).or_insert(v);
                }
            }
        }
    }
    if spec.enable_service_links.is_none() {
        spec.enable_service_links = Some(true);
    }
    if spec.host_network == Some(true) {
        // With host networking every container port is also a host port.
        for c in spec.containers.iter_mut().chain(spec.init_containers.iter_mut().flatten()) {
            for p in c.ports.iter_mut().flatten() {
                if p.host_port.unwrap_or(0) == 0 {
                    p.host_port = Some(p.container_port);
                }
            }
        }
    }
    default_pod_spec(spec);
}

/// What the default-enabled admission plugins change on a Pod before validation:
/// - ServiceAccount (`plugin/pkg/admission/serviceaccount`): `serviceAccountName: default` when unset. It also
///   mounts the `kube-api-access-<5 random chars>` projected volume into every container; that needs the
///   cluster's RNG, so the API server layer adds it, not this function.
/// - Priority (`plugin/pkg/admission/priority`): with no PriorityClass named and no global default class,
///   `priority: 0` and `preemptionPolicy: PreemptLowerPriority`.
/// - DefaultTolerationSeconds (`plugin/pkg/admission/defaulttolerationseconds`): NoExecute tolerations of
///   `node.kubernetes.io/not-ready` and `…/unreachable` for 300s, unless the pod already tolerates them.
pub fn admit_pod(spec: &mut PodSpec) {
    if spec.service_account_name.as_deref().unwrap_or_default().is_empty() {
        spec.service_account_name = Some("default".to_string());
        spec.service_account = Some("default".to_string());
    }
    if spec.priority_class_name.as_deref().unwrap_or_default().is_empty() && spec.priority.is_none() {
        spec.priority = Some(0);
    }
    // The two built-in PriorityClasses (`scheduling.SystemPriorityClasses`).
    if spec.priority.is_none() {
        spec.priority = match spec.priority_class_name.as_deref() {
            Some("system-cluster-critical") => Some(2_000_000_000),
            Some("system-node-critical") => Some(2_000_001_000),
            _ => None,
        };
    }
    if spec.preemption_policy.is_none() {
        spec.preemption_policy = Some("PreemptLowerPriority".to_string());
    }
    let tolerates = |tolerations: &[Toleration], key: &str| {
        tolerations.iter().any(|t| {
            let k = t.key.as_deref().unwrap_or_default();
            let e = t.effect.as_deref().unwrap_or_default();
            (k == key || k.is_empty()) && (e == "NoExecute" || e.is_empty())
        })
    };
    let existing = spec.tolerations.clone().unwrap_or_default();
    let mut added = Vec::new();
    for key in ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"] {
        if !tolerates(&existing, key) {
            added.push(Toleration {
                key: Some(key.to_string()),
                operator: Some("Exists".to_string()),
                effect: Some("NoExecute".to_string()),
                toleration_seconds: Some(300),
                value: None,
            });
        }
    }
    if !added.is_empty() {
        spec.tolerations.get_or_insert_with(Vec::new).extend(added);
    }
}

/// `SetDefaults_Container` plus the nested port, env, resource, probe and lifecycle defaults.
fn default_container(c: &mut Container) {
    if c.image_pull_policy.as_deref().unwrap_or_default().is_empty() {
        c.image_pull_policy = Some(pull_policy_for(c.image.as_deref().unwrap_or_default()).to_string());
    }
    if c.termination_message_path.as_deref().unwrap_or_default().is_empty() {
        c.termination_message_path = Some("/dev/termination-log".to_string());
    }
    if c.termination_message_policy.as_deref().unwrap_or_default().is_empty() {
        c.termination_message_policy = Some("File".to_string());
    }
    default_ports(c.ports.as_deref_mut());
    default_env(c.env.as_deref_mut());
    default_resources(&mut c.resources);
    for probe in [&mut c.liveness_probe, &mut c.readiness_probe, &mut c.startup_probe].into_iter().flatten() {
        default_probe(probe);
    }
    if let Some(lifecycle) = c.lifecycle.as_mut() {
        for handler in [&mut lifecycle.post_start, &mut lifecycle.pre_stop].into_iter().flatten() {
            default_lifecycle_handler(handler);
        }
    }
}

fn default_ports(ports: Option<&mut [ContainerPort]>) {
    for p in ports.into_iter().flatten() {
        if p.protocol.as_deref().unwrap_or_default().is_empty() {
            p.protocol = Some("TCP".to_string());
        }
    }
}

fn default_env(env: Option<&mut [EnvVar]>) {
    for var in env.into_iter().flatten() {
        if let Some(field_ref) = var.value_from.as_mut().and_then(|v| v.field_ref.as_mut()) {
            if field_ref.api_version.as_deref().unwrap_or_default().is_empty() {
                field_ref.api_version = Some("v1".to_string());
            }
        }
    }
}

/// `resources` is a non-pointer struct in Go, so it is always written (`resources: {}`), and its lists are
/// rounded to milli precision.
fn default_resources(resources: &mut Option<ResourceRequirements>) {
    let res = resources.get_or_insert_with(ResourceRequirements::default);
    for list in [&mut res.limits, &mut res.requests].into_iter().flatten() {
        default_resource_list(list);
    }
}

/// `SetDefaults_Probe`, `SetDefaults_HTTPGetAction` and the declarative `grpc.service: ""`.
fn default_probe(p: &mut Probe) {
    for (field, default) in [
        (&mut p.timeout_seconds, 1),
        (&mut p.period_seconds, 10),
        (&mut p.success_threshold, 1),
        (&mut p.failure_threshold, 3),
    ] {
        if field.unwrap_or(0) == 0 {
            *field = Some(default);
        }
    }
    if let Some(http) = p.http_get.as_mut() {
        default_http_get(http);
    }
    if let Some(grpc) = p.grpc.as_mut() {
        if grpc.service.is_none() {
            grpc.service = Some(String::new());
        }
    }
}

fn default_lifecycle_handler(h: &mut LifecycleHandler) {
    if let Some(http) = h.http_get.as_mut() {
        default_http_get(http);
    }
}

fn default_http_get(http: &mut HTTPGetAction) {
    if http.path.as_deref().unwrap_or_default().is_empty() {
        http.path = Some("/".to_string());
    }
    if http.scheme.as_deref().unwrap_or_default().is_empty() {
        http.scheme = Some("HTTP".to_string());
    }
}

/// Whether a volume names no source at all (`ptr.AllPtrFieldsNil(&obj.VolumeSource)`).
fn has_no_source(v: &Volume) -> bool {
    v.aws_elastic_block_store.is_none()
        && v.azure_disk.is_none()
        && v.azure_file.is_none()
        && v.cephfs.is_none()
        && v.cinder.is_none()
        && v.config_map.is_none()
        && v.csi.is_none()
        && v.downward_api.is_none()
        && v.empty_dir.is_none()
        && v.ephemeral.is_none()
        && v.fc.is_none()
        && v.flex_volume.is_none()
        && v.flocker.is_none()
        && v.gce_persistent_disk.is_none()
        && v.git_repo.is_none()
        && v.glusterfs.is_none()
        && v.host_path.is_none()
        && v.image.is_none()
        && v.iscsi.is_none()
        && v.nfs.is_none()
        && v.persistent_volume_claim.is_none()
        && v.photon_persistent_disk.is_none()
        && v.portworx_volume.is_none()
        && v.projected.is_none()
        && v.quobyte.is_none()
        && v.rbd.is_none()
        && v.scale_io.is_none()
        && v.secret.is_none()
        && v.storageos.is_none()
        && v.vsphere_volume.is_none()
}

/// 0644, the default file mode of secret, configMap, downwardAPI and projected volumes.
const DEFAULT_MODE: i32 = 0o644;

/// `SetDefaults_Volume` and the defaulters of each volume source.
fn default_volume(v: &mut Volume) {
    if has_no_source(v) {
        v.empty_dir = Some(Default::default());
    }
    if let Some(image) = v.image.as_mut() {
        if image.pull_policy.as_deref().unwrap_or_default().is_empty() {
            // Image volumes: Always for `:latest`, IfNotPresent otherwise (an untagged reference counts as latest).
            image.pull_policy = Some(pull_policy_for(image.reference.as_deref().unwrap_or_default()).to_string());
        }
    }
    if let Some(hp) = v.host_path.as_mut() {
        hp.type_.get_or_insert_with(String::new);
    }
    if let Some(s) = v.secret.as_mut() {
        s.default_mode.get_or_insert(DEFAULT_MODE);
    }
    if let Some(cm) = v.config_map.as_mut() {
        cm.default_mode.get_or_insert(DEFAULT_MODE);
    }
    if let Some(d) = v.downward_api.as_mut() {
        d.default_mode.get_or_insert(DEFAULT_MODE);
        for item in d.items.iter_mut().flatten() {
            if let Some(f) = item.field_ref.as_mut() {
                f.api_version.get_or_insert_with(|| "v1".to_string());
            }
        }
    }
    if let Some(p) = v.projected.as_mut() {
        p.default_mode.get_or_insert(DEFAULT_MODE);
        for source in p.sources.iter_mut().flatten() {
            if let Some(d) = source.downward_api.as_mut() {
                for item in d.items.iter_mut().flatten() {
                    if let Some(f) = item.field_ref.as_mut() {
                        f.api_version.get_or_insert_with(|| "v1".to_string());
                    }
                }
            }
            if let Some(t) = source.service_account_token.as_mut() {
                t.expiration_seconds.get_or_insert(3600);
            }
        }
    }
    // Declarative `+default` values of the legacy in-tree volume sources (core/v1 types.go).
    if let Some(iscsi) = v.iscsi.as_mut() {
        iscsi.iscsi_interface.get_or_insert_with(|| "default".to_string());
    }
    if let Some(rbd) = v.rbd.as_mut() {
        rbd.pool.get_or_insert_with(|| "rbd".to_string());
        rbd.user.get_or_insert_with(|| "admin".to_string());
        rbd.keyring.get_or_insert_with(|| "/etc/ceph/keyring".to_string());
    }
    if let Some(az) = v.azure_disk.as_mut() {
        az.caching_mode.get_or_insert_with(|| "ReadWrite".to_string());
        az.fs_type.get_or_insert_with(|| "ext4".to_string());
        az.read_only.get_or_insert(false);
        az.kind.get_or_insert_with(|| "Shared".to_string());
    }
    if let Some(sio) = v.scale_io.as_mut() {
        sio.storage_mode.get_or_insert_with(|| "ThinProvisioned".to_string());
        sio.fs_type.get_or_insert_with(|| "xfs".to_string());
    }
    if let Some(spec) = v.ephemeral.as_mut().and_then(|e| e.volume_claim_template.as_mut()).map(|t| &mut t.spec) {
        default_pvc_spec(spec);
    }
}

/// `SetDefaults_PersistentVolumeClaimSpec` and its resource lists.
pub fn default_pvc_spec(spec: &mut PersistentVolumeClaimSpec) {
    if spec.volume_mode.is_none() {
        spec.volume_mode = Some("Filesystem".to_string());
    }
    if let Some(res) = spec.resources.as_mut() {
        for list in [&mut res.limits, &mut res.requests].into_iter().flatten() {
            default_resource_list(list);
        }
    }
}

/// Rounds a plain resource map (capacity, allocatable, …) as `SetDefaults_ResourceList` does.
pub fn default_quantities(list: &mut Option<BTreeMap<String, Qty>>) {
    if let Some(list) = list.as_mut() {
        default_resource_list(list);
    }
}

/// The target port a Service port gets when none is given: the port itself.
pub fn default_target_port(port: i32, target: &mut Option<IntOrString>) {
    let unset = match target {
        None => true,
        Some(IntOrString::Int(0)) => true,
        Some(IntOrString::String(s)) => s.is_empty(),
        Some(IntOrString::Int(_)) => false,
    };
    if unset {
        *target = Some(IntOrString::Int(port));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{EnvVarSource, ObjectFieldSelector, SecretVolumeSource};

    fn spec_with(container: Container) -> PodSpec {
        PodSpec { containers: vec![container], ..Default::default() }
    }

    #[test]
    fn pod_spec_defaults() {
        let mut spec = spec_with(Container {
            name: "web".into(),
            image: Some("nginx".into()),
            ports: Some(vec![ContainerPort { container_port: 80, ..Default::default() }]),
            env: Some(vec![EnvVar {
                name: "POD".into(),
                value_from: Some(EnvVarSource {
                    field_ref: Some(ObjectFieldSelector { field_path: "metadata.name".into(), api_version: None }),
                    ..Default::default()
                }),
                value: None,
            }]),
            liveness_probe: Some(Probe { http_get: Some(HTTPGetAction::default()), ..Default::default() }),
            ..Default::default()
        });
        spec.volumes = Some(vec![
            Volume { name: "scratch".into(), ..Default::default() },
            Volume { name: "s".into(), secret: Some(SecretVolumeSource::default()), ..Default::default() },
        ]);
        default_pod(&mut spec);
        assert_eq!(spec.dns_policy.as_deref(), Some("ClusterFirst"));
        assert_eq!(spec.restart_policy.as_deref(), Some("Always"));
        assert_eq!(spec.scheduler_name.as_deref(), Some("default-scheduler"));
        assert_eq!(spec.termination_grace_period_seconds, Some(30));
        assert_eq!(spec.enable_service_links, Some(true));
        assert!(spec.security_context.is_some());
        let c = &spec.containers[0];
        assert_eq!(c.image_pull_policy.as_deref(), Some("Always"));
        assert_eq!(c.termination_message_path.as_deref(), Some("/dev/termination-log"));
        assert_eq!(c.termination_message_policy.as_deref(), Some("File"));
        assert_eq!(c.resources, Some(ResourceRequirements::default()));
        assert_eq!(c.ports.as_ref().map(|p| p[0].protocol.clone()), Some(Some("TCP".into())));
        let env_ref = c.env.as_ref().and_then(|e| e[0].value_from.clone()).and_then(|v| v.field_ref);
        assert_eq!(env_ref.and_then(|f| f.api_version).as_deref(), Some("v1"));
        let probe = c.liveness_probe.clone().unwrap_or_default();
        assert_eq!(
            (probe.timeout_seconds, probe.period_seconds, probe.success_threshold, probe.failure_threshold),
            (Some(1), Some(10), Some(1), Some(3))
        );
        let http = probe.http_get.unwrap_or_default();
        assert_eq!((http.path.as_deref(), http.scheme.as_deref()), (Some("/"), Some("HTTP")));
        let vols = spec.volumes.clone().unwrap_or_default();
        assert!(vols[0].empty_dir.is_some());
        assert_eq!(vols[1].secret.as_ref().and_then(|s| s.default_mode), Some(420));
    }

    #[test]
    fn requests_copied_from_limits_only_for_pods() {
        let limits: BTreeMap<String, Qty> = [("cpu".to_string(), Qty("1000m".into()))].into();
        let container = Container {
            name: "c".into(),
            image: Some("busybox:1.36".into()),
            resources: Some(ResourceRequirements { limits: Some(limits), ..Default::default() }),
            ..Default::default()
        };
        let mut pod = spec_with(container.clone());
        default_pod(&mut pod);
        let res = pod.containers[0].resources.clone().unwrap_or_default();
        assert_eq!(res.requests.and_then(|r| r.get("cpu").cloned()), Some(Qty("1".into())));
        assert_eq!(pod.containers[0].image_pull_policy.as_deref(), Some("IfNotPresent"));
        let mut template = spec_with(container);
        default_pod_spec(&mut template);
        assert!(template.containers[0].resources.clone().unwrap_or_default().requests.is_none());
        assert!(template.enable_service_links.is_none());
    }

    #[test]
    fn admission_plugins() {
        let mut spec = spec_with(Container { name: "c".into(), ..Default::default() });
        admit_pod(&mut spec);
        assert_eq!(spec.service_account_name.as_deref(), Some("default"));
        assert_eq!(spec.service_account.as_deref(), Some("default"));
        assert_eq!(spec.priority, Some(0));
        assert_eq!(spec.preemption_policy.as_deref(), Some("PreemptLowerPriority"));
        let tolerations = spec.tolerations.clone().unwrap_or_default();
        let keys: Vec<_> = tolerations.iter().map(|t| t.key.clone().unwrap_or_default()).collect();
        assert_eq!(keys, ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"]);
        assert!(tolerations.iter().all(|t| t.toleration_seconds == Some(300)));
        // A pod that tolerates everything gets no extra tolerations; running admission twice adds nothing.
        let mut all = spec_with(Container::default());
        all.tolerations = Some(vec![Toleration { operator: Some("Exists".into()), ..Default::default() }]);
        admit_pod(&mut all);
        assert_eq!(all.tolerations.map(|t| t.len()), Some(1));
        admit_pod(&mut spec);
        assert_eq!(spec.tolerations.map(|t| t.len()), Some(2));
    }

    #[test]
    fn target_port_defaults_to_port() {
        let cases = [
            (None, IntOrString::Int(80)),
            (Some(IntOrString::Int(0)), IntOrString::Int(80)),
            (Some(IntOrString::String(String::new())), IntOrString::Int(80)),
            (Some(IntOrString::String("http".into())), IntOrString::String("http".into())),
            (Some(IntOrString::Int(8080)), IntOrString::Int(8080)),
        ];
        for (given, want) in cases {
            let mut t = given;
            default_target_port(80, &mut t);
            assert_eq!(t, Some(want));
        }
    }
}
