//! The strategic-merge-patch schema of the supported kinds: which fields carry `patchStrategy` /
//! `patchMergeKey` struct tags in k8s.io/api (core/v1, apps/v1, batch/v1, policy/v1) and k8s.io/apimachinery
//! (ObjectMeta). The apiserver reads these tags by reflection (`PatchMetaFromStruct`); kubectl apply reads the
//! same facts from OpenAPI (`x-kubernetes-patch-strategy`, `x-kubernetes-patch-merge-key`).
//!
//! Only the path from each kind down to a tagged field is modelled. Every other field is [`Ty::Plain`]: its
//! objects merge key by key and its lists are replaced whole, which is exactly what an untagged field does.
//! Lists without a tag (tolerations, node taints, `ServiceAccount.imagePullSecrets`, EndpointSlice endpoints,
//! …) are replaced, whatever their server-side-apply `listType`.

/// How a patch combines a list field with the live list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ListStrategy {
    /// No `patchStrategy`: the patch's list replaces the live one.
    #[default]
    Replace,
    /// `patchStrategy:"merge"` on a list of scalars (`finalizers`, `podCIDRs`): union, without duplicates;
    /// removals go in a `$deleteFromPrimitiveList/<field>` list.
    MergePrimitives,
    /// `patchStrategy:"merge" patchMergeKey:"<key>"`: items are matched by the key and merged.
    MergeByKey(&'static str),
}

/// The patch metadata of one field.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PatchMeta {
    pub list: ListStrategy,
    /// `patchStrategy:"retainKeys"` (alone on `Deployment.spec.strategy`, with `merge` on `volumes`,
    /// `resourceClaims` and `resourceClaimStatuses`): a `$retainKeys` list in the patch clears every other key.
    pub retain_keys: bool,
}

impl PatchMeta {
    pub(crate) fn is_merge(&self) -> bool {
        self.list != ListStrategy::Replace
    }

    /// The merge key, empty when there is none (as `patchMergeKey` reads in Go).
    pub(crate) fn merge_key(&self) -> &'static str {
        match self.list {
            ListStrategy::MergeByKey(key) => key,
            _ => "",
        }
    }
}

/// A Go struct type on the way to tagged fields; `Plain` is any type below which nothing is tagged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ty {
    Plain,
    /// A kind whose only tagged fields are in `metadata` (ConfigMap, Secret, PersistentVolume, …).
    MetaOnly,
    ObjectMeta,
    Pod,
    PodSpec,
    PodStatus,
    Container,
    PodTemplateSpec,
    /// PodTemplate (the kind): `template`.
    PodTemplate,
    Deployment,
    DeploymentSpec,
    /// ReplicaSet, StatefulSet, DaemonSet, ReplicationController: `spec.template`, `status.conditions`.
    Workload,
    WorkloadSpec,
    Job,
    JobSpec,
    CronJob,
    CronJobSpec,
    JobTemplateSpec,
    Service,
    ServiceSpec,
    Node,
    NodeSpec,
    NodeStatus,
    ServiceAccount,
    /// Namespace, PersistentVolumeClaim, PodDisruptionBudget: `status.conditions` merged by `type`.
    StatusConditions,
    ConditionsStatus,
}

impl Ty {
    /// The Go kind `PatchMetaFromStruct.Name()` reports, used in one error message.
    pub(crate) fn go_kind(self) -> &'static str {
        match self {
            Ty::Plain => "string",
            _ => "struct",
        }
    }
}

/// The schema root of a kind, or `None` for kinds without a strategic-merge schema (custom resources).
pub(crate) fn root(kind: &str) -> Option<Ty> {
    Some(match kind {
        "Pod" => Ty::Pod,
        "PodTemplate" => Ty::PodTemplate,
        "Deployment" => Ty::Deployment,
        "ReplicaSet" | "StatefulSet" | "DaemonSet" | "ReplicationController" => Ty::Workload,
        "Job" => Ty::Job,
        "CronJob" => Ty::CronJob,
        "Service" => Ty::Service,
        "Node" => Ty::Node,
        "ServiceAccount" => Ty::ServiceAccount,
        "Namespace" | "PersistentVolumeClaim" | "PodDisruptionBudget" => Ty::StatusConditions,
        "ConfigMap" | "Secret" | "PersistentVolume" | "StorageClass" | "Endpoints" | "EndpointSlice" | "Event"
        | "Lease" | "ControllerRevision" => Ty::MetaOnly,
        _ => return None,
    })
}

const fn by_key(key: &'static str) -> PatchMeta {
    PatchMeta { list: ListStrategy::MergeByKey(key), retain_keys: false }
}

const fn by_key_retaining(key: &'static str) -> PatchMeta {
    PatchMeta { list: ListStrategy::MergeByKey(key), retain_keys: true }
}

const PRIMITIVES: PatchMeta = PatchMeta { list: ListStrategy::MergePrimitives, retain_keys: false };
const RETAIN_KEYS: PatchMeta = PatchMeta { list: ListStrategy::Replace, retain_keys: true };
const NONE: PatchMeta = PatchMeta { list: ListStrategy::Replace, retain_keys: false };

/// The type and patch metadata of field `name` of a value of type `ty` (list items are transparent: the type
/// of `containers` is `Container`).
pub(crate) fn field(ty: Ty, name: &str) -> (Ty, PatchMeta) {
    use Ty::*;
    match (ty, name) {
        (
            MetaOnly | Pod | PodTemplate | Deployment | Workload | Job | CronJob | Service | Node | ServiceAccount
            | StatusConditions | PodTemplateSpec | JobTemplateSpec,
            "metadata",
        ) => (ObjectMeta, NONE),
        (ObjectMeta, "finalizers") => (Plain, PRIMITIVES),
        (ObjectMeta, "ownerReferences") => (Plain, by_key("uid")),

        (Pod, "spec") | (PodTemplateSpec, "spec") => (PodSpec, NONE),
        (Pod, "status") => (PodStatus, NONE),
        (PodSpec, "containers" | "initContainers" | "ephemeralContainers") => (Container, by_key("name")),
        (PodSpec, "volumes") => (Plain, by_key_retaining("name")),
        (PodSpec, "imagePullSecrets") => (Plain, by_key("name")),
        (PodSpec, "hostAliases") => (Plain, by_key("ip")),
        (PodSpec, "topologySpreadConstraints") => (Plain, by_key("topologyKey")),
        (PodSpec, "resourceClaims") => (Plain, by_key_retaining("name")),
        (PodSpec, "schedulingGates") => (Plain, by_key("name")),
        (Container, "ports") => (Plain, by_key("containerPort")),
        (Container, "env") => (Plain, by_key("name")),
        (Container, "volumeMounts") => (Plain, by_key("mountPath")),
        (Container, "volumeDevices") => (Plain, by_key("devicePath")),
        (PodStatus, "conditions") => (Plain, by_key("type")),
        (PodStatus, "podIPs" | "hostIPs") => (Plain, by_key("ip")),
        (PodStatus, "resourceClaimStatuses") => (Plain, by_key_retaining("name")),

        (PodTemplate, "template") | (DeploymentSpec | WorkloadSpec | JobSpec, "template") => (PodTemplateSpec, NONE),
        (Deployment, "spec") => (DeploymentSpec, NONE),
        (DeploymentSpec, "strategy") => (Plain, RETAIN_KEYS),
        (Workload, "spec") => (WorkloadSpec, NONE),
        (Job, "spec") | (JobTemplateSpec, "spec") => (JobSpec, NONE),
        (CronJob, "spec") => (CronJobSpec, NONE),
        (CronJobSpec, "jobTemplate") => (JobTemplateSpec, NONE),
        (Deployment | Workload | Job | Service | StatusConditions, "status") => (ConditionsStatus, NONE),
        (ConditionsStatus, "conditions") => (Plain, by_key("type")),

        (Service, "spec") => (ServiceSpec, NONE),
        (ServiceSpec, "ports") => (Plain, by_key("port")),
        (Node, "spec") => (NodeSpec, NONE),
        (Node, "status") => (NodeStatus, NONE),
        (NodeSpec, "podCIDRs") => (Plain, PRIMITIVES),
        (NodeStatus, "conditions" | "addresses") => (Plain, by_key("type")),
        (ServiceAccount, "secrets") => (Plain, by_key("name")),
        _ => (Plain, NONE),
    }
}

/// Whether a kind has a strategic-merge-patch schema here (the built-in kinds the cluster supports).
pub fn has_strategic_schema(kind: &str) -> bool {
    root(kind).is_some()
}

/// The patch metadata of the field at `path` (field names from the object root; list items are
/// transparent), e.g. `merge_strategy("Deployment", &["spec", "template", "spec", "containers", "env"])`
/// is a merge by `name`.
pub fn merge_strategy(kind: &str, path: &[&str]) -> PatchMeta {
    let Some(mut ty) = root(kind) else {
        return PatchMeta::default();
    };
    let mut meta = PatchMeta::default();
    for name in path {
        (ty, meta) = field(ty, name);
    }
    meta
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_of_the_supported_kinds() {
        let merge = |key| PatchMeta { list: ListStrategy::MergeByKey(key), retain_keys: false };
        let cases: &[(&str, &[&str], PatchMeta)] = &[
            ("Pod", &["spec", "containers"], merge("name")),
            ("Pod", &["spec", "initContainers", "env"], merge("name")),
            ("Pod", &["spec", "ephemeralContainers", "volumeMounts"], merge("mountPath")),
            ("Pod", &["spec", "containers", "ports"], merge("containerPort")),
            ("Pod", &["spec", "containers", "volumeDevices"], merge("devicePath")),
            ("Pod", &["spec", "volumes"], by_key_retaining("name")),
            ("Pod", &["spec", "tolerations"], NONE),
            ("Pod", &["spec", "containers", "args"], NONE),
            ("Pod", &["spec", "hostAliases"], merge("ip")),
            ("Pod", &["status", "conditions"], merge("type")),
            ("Pod", &["metadata", "finalizers"], PRIMITIVES),
            ("Pod", &["metadata", "ownerReferences"], merge("uid")),
            ("Deployment", &["spec", "template", "spec", "containers", "env"], merge("name")),
            ("Deployment", &["spec", "strategy"], RETAIN_KEYS),
            ("Deployment", &["status", "conditions"], merge("type")),
            ("DaemonSet", &["spec", "updateStrategy"], NONE),
            ("StatefulSet", &["spec", "template", "metadata", "finalizers"], PRIMITIVES),
            ("CronJob", &["spec", "jobTemplate", "spec", "template", "spec", "containers"], merge("name")),
            ("Job", &["status", "conditions"], merge("type")),
            ("Service", &["spec", "ports"], merge("port")),
            ("Node", &["spec", "taints"], NONE),
            ("Node", &["spec", "podCIDRs"], PRIMITIVES),
            ("Node", &["status", "addresses"], merge("type")),
            ("ServiceAccount", &["secrets"], merge("name")),
            ("ServiceAccount", &["imagePullSecrets"], NONE),
            ("EndpointSlice", &["endpoints"], NONE),
            ("ConfigMap", &["metadata", "finalizers"], PRIMITIVES),
            ("Widget", &["spec", "containers"], NONE),
        ];
        for (kind, path, want) in cases {
            assert_eq!(merge_strategy(kind, path), *want, "{kind} {path:?}");
        }
        assert!(has_strategic_schema("Lease"));
        assert!(!has_strategic_schema("Widget"));
    }
}
