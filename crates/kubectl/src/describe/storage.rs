//! Storage: PersistentVolume, PersistentVolumeClaim (with the pods that use it) and StorageClass.

use engine::api::api::core::v1::{
    NodeSelectorRequirement, PersistentVolume, PersistentVolumeClaim, Pod, TopologySelectorLabelRequirement,
    VolumeNodeAffinity,
};
use engine::api::api::storage::v1::StorageClass;
use engine::api::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use engine::{Kind, Object};

use super::events::{self, EventQuery};
use super::quantity::show;
use super::tabwriter::{PrefixWriter, LEVEL_0, LEVEL_1, LEVEL_2};
use super::text::{
    annotations_multiline, bool_ptr, date, format_labels, go_slice, labels_multiline, opt, pods_multiline, since,
};
use super::volumes::describe_pv_source;
use super::Ctx;

const BETA_STORAGE_CLASS: &str = "volume.beta.kubernetes.io/storage-class";

/// `storageutil.GetAccessModesAsString`: `RWO,ROX,RWX,RWOP` in that order, duplicates once.
pub fn access_modes(modes: Option<&Vec<String>>) -> String {
    let modes = modes.map(Vec::as_slice).unwrap_or_default();
    [("ReadWriteOnce", "RWO"), ("ReadOnlyMany", "ROX"), ("ReadWriteMany", "RWX"), ("ReadWriteOncePod", "RWOP")]
        .iter()
        .filter(|(mode, _)| modes.iter().any(|m| m == mode))
        .map(|(_, short)| *short)
        .collect::<Vec<_>>()
        .join(",")
}

/// `GetPersistentVolumeClaimClass`: the beta annotation wins over the field.
pub fn claim_class(meta: &ObjectMeta, class: Option<&String>) -> String {
    if let Some(c) = meta.annotations.as_ref().and_then(|a| a.get(BETA_STORAGE_CLASS)) {
        return c.clone();
    }
    class.cloned().unwrap_or_default()
}

fn finalizers(meta: &ObjectMeta) -> String {
    go_slice(meta.finalizers.as_deref().unwrap_or_default())
}

/// `describePersistentVolume`.
pub fn describe_persistent_volume(pv: &PersistentVolume, ctx: &Ctx) -> String {
    let mut w = PrefixWriter::new();
    let spec = pv.spec.clone().unwrap_or_default();
    let status = pv.status.clone().unwrap_or_default();
    w.write(LEVEL_0, &format!("Name:\t{}\n", opt(&pv.metadata.name)));
    labels_multiline(&mut w, "Labels", pv.metadata.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", pv.metadata.annotations.as_ref());
    w.write(LEVEL_0, &format!("Finalizers:\t{}\n", finalizers(&pv.metadata)));
    w.write(LEVEL_0, &format!("StorageClass:\t{}\n", claim_class(&pv.metadata, spec.storage_class_name.as_ref())));
    if pv.metadata.deletion_timestamp.is_some() {
        w.write(
            LEVEL_0,
            &format!("Status:\tTerminating (lasts {})\n", since(pv.metadata.deletion_timestamp.as_ref(), ctx.now_ms)),
        );
    } else {
        w.write(LEVEL_0, &format!("Status:\t{}\n", opt(&status.phase)));
    }
    let claim = spec.claim_ref.as_ref().map(|c| format!("{}/{}", opt(&c.namespace), opt(&c.name))).unwrap_or_default();
    w.write(LEVEL_0, &format!("Claim:\t{claim}\n"));
    w.write(LEVEL_0, &format!("Reclaim Policy:\t{}\n", opt(&spec.persistent_volume_reclaim_policy)));
    w.write(LEVEL_0, &format!("Access Modes:\t{}\n", access_modes(spec.access_modes.as_ref())));
    if let Some(mode) = &spec.volume_mode {
        w.write(LEVEL_0, &format!("VolumeMode:\t{mode}\n"));
    }
    let capacity = spec.capacity.as_ref().and_then(|c| c.get("storage")).map(show).unwrap_or_else(|| "0".into());
    w.write(LEVEL_0, &format!("Capacity:\t{capacity}\n"));
    node_affinity(&mut w, spec.node_affinity.as_ref());
    w.write(LEVEL_0, &format!("Message:\t{}\n", opt(&status.message)));
    w.write(LEVEL_0, "Source:\n");
    describe_pv_source(&mut w, &spec);
    events::section(&mut w, ctx, &EventQuery::of(&pv.metadata, "PersistentVolume"));
    w.finish()
}

/// `printVolumeNodeAffinity`.
fn node_affinity(w: &mut PrefixWriter, affinity: Option<&VolumeNodeAffinity>) {
    w.write(LEVEL_0, "Node Affinity:\t");
    let Some(required) = affinity.and_then(|a| a.required.as_ref()) else {
        w.write_line("<none>");
        return;
    };
    w.write_line("");
    w.write(LEVEL_1, "Required Terms:\t");
    if required.node_selector_terms.is_empty() {
        w.write_line("<none>");
        return;
    }
    w.write_line("");
    for (i, term) in required.node_selector_terms.iter().enumerate() {
        node_selector_terms(
            w,
            LEVEL_2,
            &format!("Term {i}"),
            "\t",
            term.match_expressions.as_deref().unwrap_or_default(),
        );
    }
}

/// `printNodeSelectorTermsMultilineWithIndent`: `key in [a, b]`, one requirement per line.
fn node_selector_terms(w: &mut PrefixWriter, level: usize, title: &str, inner: &str, reqs: &[NodeSelectorRequirement]) {
    w.write(level, &format!("{title}:{inner}"));
    if reqs.is_empty() {
        w.write_line("<none>");
        return;
    }
    for (i, req) in reqs.iter().enumerate() {
        if i != 0 {
            w.write(level, inner);
        }
        let mut expr = format!("{} {}", req.key, req.operator.to_lowercase());
        if let Some(values) = req.values.as_ref().filter(|v| !v.is_empty()) {
            expr = format!("{expr} [{}]", values.join(", "));
        }
        w.write(LEVEL_0, &format!("{expr}\n"));
    }
}

/// `printPersistentVolumeClaim`; `full` is false for an ephemeral volume's claim template, which has no
/// name, status or finalizers worth showing.
pub fn print_persistent_volume_claim(w: &mut PrefixWriter, pvc: &PersistentVolumeClaim, full: bool, now_ms: u64) {
    let spec = pvc.spec.clone().unwrap_or_default();
    let status = pvc.status.clone().unwrap_or_default();
    if full {
        w.write(LEVEL_0, &format!("Name:\t{}\n", opt(&pvc.metadata.name)));
        w.write(LEVEL_0, &format!("Namespace:\t{}\n", opt(&pvc.metadata.namespace)));
    }
    w.write(LEVEL_0, &format!("StorageClass:\t{}\n", claim_class(&pvc.metadata, spec.storage_class_name.as_ref())));
    if full {
        if pvc.metadata.deletion_timestamp.is_some() {
            let age = since(pvc.metadata.deletion_timestamp.as_ref(), now_ms);
            w.write(LEVEL_0, &format!("Status:\tTerminating (lasts {age})\n"));
        } else {
            w.write(LEVEL_0, &format!("Status:\t{}\n", opt(&status.phase)));
        }
    }
    let volume = opt(&spec.volume_name);
    w.write(LEVEL_0, &format!("Volume:\t{volume}\n"));
    labels_multiline(w, "Labels", pvc.metadata.labels.as_ref());
    annotations_multiline(w, "Annotations", pvc.metadata.annotations.as_ref());
    if full {
        w.write(LEVEL_0, &format!("Finalizers:\t{}\n", finalizers(&pvc.metadata)));
    }
    let (mut capacity, mut modes) = (String::new(), String::new());
    if !volume.is_empty() {
        modes = access_modes(status.access_modes.as_ref());
        capacity = status.capacity.as_ref().and_then(|c| c.get("storage")).map(show).unwrap_or_else(|| "0".into());
    }
    w.write(LEVEL_0, &format!("Capacity:\t{capacity}\n"));
    w.write(LEVEL_0, &format!("Access Modes:\t{modes}\n"));
    if let Some(mode) = &spec.volume_mode {
        w.write(LEVEL_0, &format!("VolumeMode:\t{mode}\n"));
    }
    if let Some(ds) = &spec.data_source {
        w.write(LEVEL_0, "DataSource:\n");
        if let Some(group) = &ds.api_group {
            w.write(LEVEL_1, &format!("APIGroup:\t{group}\n"));
        }
        w.write(LEVEL_1, &format!("Kind:\t{}\n", ds.kind));
        w.write(LEVEL_1, &format!("Name:\t{}\n", ds.name));
    }
}

/// `getPodsForPVC`: pods of the namespace with a volume of this claim (once per such volume), then
/// pods that own the claim.
fn pods_for_claim(pvc: &PersistentVolumeClaim, ctx: &Ctx) -> Vec<Pod> {
    let ns = opt(&pvc.metadata.namespace);
    let name = opt(&pvc.metadata.name);
    let all: Vec<Pod> = ctx.list(Kind::Pod, Some(ns), |o| match o {
        Object::Pod(p) => Some(*p),
        _ => None,
    });
    let mut pods: Vec<Pod> = Vec::new();
    for pod in &all {
        for v in pod.spec.iter().flat_map(|s| s.volumes.iter().flatten()) {
            if v.persistent_volume_claim.as_ref().is_some_and(|c| c.claim_name == name) {
                pods.push(pod.clone());
            }
        }
    }
    for owner in pvc.metadata.owner_references.iter().flatten().filter(|o| o.kind == "Pod") {
        let Some(owner_pod) = all.iter().find(|p| opt(&p.metadata.uid) == owner.uid) else { continue };
        if !pods.iter().any(|p| p.metadata.uid == owner_pod.metadata.uid) {
            pods.push(owner_pod.clone());
        }
    }
    pods
}

/// `describePersistentVolumeClaim`.
pub fn describe_persistent_volume_claim(pvc: &PersistentVolumeClaim, ctx: &Ctx) -> String {
    let mut w = PrefixWriter::new();
    print_persistent_volume_claim(&mut w, pvc, true, ctx.now_ms);
    let pods = pods_for_claim(pvc, ctx);
    let refs: Vec<&Pod> = pods.iter().collect();
    pods_multiline(&mut w, "Used By", &refs);
    let conditions = pvc.status.as_ref().and_then(|s| s.conditions.as_ref()).filter(|c| !c.is_empty());
    if let Some(conditions) = conditions {
        w.write(LEVEL_0, "Conditions:\n");
        w.write(LEVEL_1, "Type\tStatus\tLastProbeTime\tLastTransitionTime\tReason\tMessage\n");
        w.write(LEVEL_1, "----\t------\t-----------------\t------------------\t------\t-------\n");
        for c in conditions {
            w.write(
                LEVEL_1,
                &format!(
                    "{} \t{} \t{} \t{} \t{} \t{}\n",
                    c.type_,
                    c.status,
                    date(c.last_probe_time.as_ref()),
                    date(c.last_transition_time.as_ref()),
                    opt(&c.reason),
                    opt(&c.message)
                ),
            );
        }
    }
    events::section(&mut w, ctx, &EventQuery::of(&pvc.metadata, "PersistentVolumeClaim"));
    w.finish()
}

/// `storageutil.IsDefaultAnnotationText`.
fn is_default_class(meta: &ObjectMeta) -> &'static str {
    let a = meta.annotations.as_ref();
    let is = |k: &str| a.and_then(|a| a.get(k)).is_some_and(|v| v == "true");
    if is("storageclass.kubernetes.io/is-default-class") || is("storageclass.beta.kubernetes.io/is-default-class") {
        "Yes"
    } else {
        "No"
    }
}

/// `describeStorageClass`.
pub fn describe_storage_class(sc: &StorageClass, ctx: &Ctx) -> String {
    let mut w = PrefixWriter::new();
    w.write(LEVEL_0, &format!("Name:\t{}\n", opt(&sc.metadata.name)));
    w.write(LEVEL_0, &format!("IsDefaultClass:\t{}\n", is_default_class(&sc.metadata)));
    w.write(LEVEL_0, &format!("Annotations:\t{}\n", format_labels(sc.metadata.annotations.as_ref())));
    w.write(LEVEL_0, &format!("Provisioner:\t{}\n", sc.provisioner));
    w.write(LEVEL_0, &format!("Parameters:\t{}\n", format_labels(sc.parameters.as_ref())));
    w.write(LEVEL_0, &format!("AllowVolumeExpansion:\t{}\n", bool_ptr(sc.allow_volume_expansion)));
    match sc.mount_options.as_ref().filter(|m| !m.is_empty()) {
        None => w.write(LEVEL_0, "MountOptions:\t<none>\n"),
        Some(options) => {
            w.write(LEVEL_0, "MountOptions:\n");
            for o in options {
                w.write(LEVEL_1, &format!("{o}\n"));
            }
        }
    }
    if let Some(policy) = &sc.reclaim_policy {
        w.write(LEVEL_0, &format!("ReclaimPolicy:\t{policy}\n"));
    }
    if let Some(mode) = &sc.volume_binding_mode {
        w.write(LEVEL_0, &format!("VolumeBindingMode:\t{mode}\n"));
    }
    if let Some(terms) = &sc.allowed_topologies {
        w.write(LEVEL_0, "AllowedTopologies:\t");
        if terms.is_empty() {
            w.write_line("<none>");
        } else {
            w.write_line("");
            for (i, term) in terms.iter().enumerate() {
                topology_terms(
                    &mut w,
                    &format!("Term {i}"),
                    term.match_label_expressions.as_deref().unwrap_or_default(),
                );
            }
        }
    }
    events::section(&mut w, ctx, &EventQuery::of(&sc.metadata, "StorageClass"));
    w.finish()
}

/// `printTopologySelectorTermsMultilineWithIndent`.
fn topology_terms(w: &mut PrefixWriter, title: &str, reqs: &[TopologySelectorLabelRequirement]) {
    w.write(LEVEL_1, &format!("{title}:\t"));
    if reqs.is_empty() {
        w.write_line("<none>");
        return;
    }
    for (i, req) in reqs.iter().enumerate() {
        if i != 0 {
            w.write(LEVEL_1, "\t");
        }
        let mut expr = format!("{} in", req.key);
        if !req.values.is_empty() {
            expr = format!("{expr} [{}]", req.values.join(", "));
        }
        w.write(LEVEL_0, &format!("{expr}\n"));
    }
}
