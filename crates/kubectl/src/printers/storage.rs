//! Storage: `printPersistentVolume`, `printPersistentVolumeClaim` and `printStorageClass`.

use std::collections::BTreeMap;

use engine::api::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use engine::api::api::storage::v1::StorageClass;
use engine::api::apimachinery::pkg::api::resource::Quantity;
use engine::api::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use engine::clock::Millis;

use super::quantity::canonical;
use super::{col, since, wide, Col};

pub(super) const PV_COLUMNS: &[Col] = &[
    col("NAME"),
    col("CAPACITY"),
    col("ACCESS MODES"),
    col("RECLAIM POLICY"),
    col("STATUS"),
    col("CLAIM"),
    col("STORAGECLASS"),
    col("VOLUMEATTRIBUTESCLASS"),
    col("REASON"),
    col("AGE"),
    wide("VOLUMEMODE"),
];

pub(super) const PVC_COLUMNS: &[Col] = &[
    col("NAME"),
    col("STATUS"),
    col("VOLUME"),
    col("CAPACITY"),
    col("ACCESS MODES"),
    col("STORAGECLASS"),
    col("VOLUMEATTRIBUTESCLASS"),
    col("AGE"),
    wide("VOLUMEMODE"),
];

pub(super) const STORAGE_CLASS_COLUMNS: &[Col] = &[
    col("NAME"),
    col("PROVISIONER"),
    col("RECLAIMPOLICY"),
    col("VOLUMEBINDINGMODE"),
    col("ALLOWVOLUMEEXPANSION"),
    col("AGE"),
];

/// The deprecated annotation that, when present, overrides `storageClassName` in these columns.
const BETA_STORAGE_CLASS: &str = "volume.beta.kubernetes.io/storage-class";

/// `GetAccessModesAsString`: the modes present, always in the order RWO, ROX, RWX, RWOP.
fn access_modes(modes: Option<&Vec<String>>) -> String {
    let modes = modes.map(Vec::as_slice).unwrap_or_default();
    [("ReadWriteOnce", "RWO"), ("ReadOnlyMany", "ROX"), ("ReadWriteMany", "RWX"), ("ReadWriteOncePod", "RWOP")]
        .iter()
        .filter(|(mode, _)| modes.iter().any(|m| m == mode))
        .map(|(_, short)| *short)
        .collect::<Vec<_>>()
        .join(",")
}

/// The `storage` entry of a resource list as `Quantity.String()` prints it (`0` when missing).
fn storage(resources: Option<&BTreeMap<String, Quantity>>) -> String {
    resources.and_then(|r| r.get("storage")).map_or_else(|| "0".to_string(), |q| canonical(&q.0))
}

fn beta_class(meta: &ObjectMeta) -> Option<String> {
    meta.annotations.as_ref()?.get(BETA_STORAGE_CLASS).cloned()
}

fn or_unset(s: Option<&String>) -> String {
    s.cloned().unwrap_or_else(|| "<unset>".to_string())
}

pub(super) fn pv_cells(pv: &PersistentVolume, now: Millis) -> Vec<String> {
    let spec = pv.spec.clone().unwrap_or_default();
    let status = pv.status.clone().unwrap_or_default();
    let claim = spec
        .claim_ref
        .as_ref()
        .map(|c| format!("{}/{}", c.namespace.as_deref().unwrap_or_default(), c.name.as_deref().unwrap_or_default()))
        .unwrap_or_default();
    let phase = if pv.metadata.deletion_timestamp.is_some() {
        "Terminating".to_string()
    } else {
        status.phase.unwrap_or_default()
    };
    vec![
        pv.metadata.name.clone().unwrap_or_default(),
        storage(spec.capacity.as_ref()),
        access_modes(spec.access_modes.as_ref()),
        spec.persistent_volume_reclaim_policy.clone().unwrap_or_default(),
        phase,
        claim,
        beta_class(&pv.metadata).or(spec.storage_class_name.clone()).unwrap_or_default(),
        or_unset(spec.volume_attributes_class_name.as_ref()),
        status.reason.unwrap_or_default(),
        since(pv.metadata.creation_timestamp.as_ref(), now),
        or_unset(spec.volume_mode.as_ref()),
    ]
}

pub(super) fn pvc_cells(pvc: &PersistentVolumeClaim, now: Millis) -> Vec<String> {
    let spec = pvc.spec.clone().unwrap_or_default();
    let status = pvc.status.clone().unwrap_or_default();
    let phase = if pvc.metadata.deletion_timestamp.is_some() {
        "Terminating".to_string()
    } else {
        status.phase.clone().unwrap_or_default()
    };
    // Capacity and access modes come from the status, and only once the claim names a volume.
    let volume = spec.volume_name.clone().unwrap_or_default();
    let (capacity, modes) = if volume.is_empty() {
        (String::new(), String::new())
    } else {
        (storage(status.capacity.as_ref()), access_modes(status.access_modes.as_ref()))
    };
    vec![
        pvc.metadata.name.clone().unwrap_or_default(),
        phase,
        volume,
        capacity,
        modes,
        beta_class(&pvc.metadata).or(spec.storage_class_name.clone()).unwrap_or_default(),
        or_unset(spec.volume_attributes_class_name.as_ref()),
        since(pvc.metadata.creation_timestamp.as_ref(), now),
        or_unset(spec.volume_mode.as_ref()),
    ]
}

/// `storageutil.IsDefaultAnnotation`: the GA or the beta is-default-class annotation set to `"true"`.
fn is_default_class(meta: &ObjectMeta) -> bool {
    let annotations = meta.annotations.as_ref();
    ["storageclass.kubernetes.io/is-default-class", "storageclass.beta.kubernetes.io/is-default-class"]
        .iter()
        .any(|key| annotations.and_then(|a| a.get(*key)).is_some_and(|v| v == "true"))
}

pub(super) fn storage_class_cells(sc: &StorageClass, now: Millis) -> Vec<String> {
    let mut name = sc.metadata.name.clone().unwrap_or_default();
    if is_default_class(&sc.metadata) {
        name.push_str(" (default)");
    }
    vec![
        name,
        sc.provisioner.clone(),
        sc.reclaim_policy.clone().unwrap_or_else(|| "Delete".to_string()),
        sc.volume_binding_mode.clone().unwrap_or_else(|| "Immediate".to_string()),
        if sc.allow_volume_expansion.unwrap_or(false) { "true" } else { "false" }.to_string(),
        since(sc.metadata.creation_timestamp.as_ref(), now),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::api::api::core::v1::{
        ObjectReference, PersistentVolumeClaimSpec, PersistentVolumeClaimStatus, PersistentVolumeSpec,
        PersistentVolumeStatus,
    };
    use engine::clock::api_time;

    fn strings(items: &[&str]) -> Option<Vec<String>> {
        Some(items.iter().map(|s| s.to_string()).collect())
    }

    fn storage_map(q: &str) -> Option<BTreeMap<String, Quantity>> {
        Some([("storage".to_string(), Quantity(q.to_string()))].into())
    }

    #[test]
    fn access_mode_order_and_dedup() {
        let cases: [(&[&str], &str); 4] = [
            (&[], ""),
            (&["ReadWriteOnce"], "RWO"),
            (&["ReadWriteMany", "ReadWriteOnce", "ReadWriteOnce"], "RWO,RWX"),
            (&["ReadWriteOncePod", "ReadOnlyMany"], "ROX,RWOP"),
        ];
        for (modes, want) in cases {
            assert_eq!(access_modes(strings(modes).as_ref()), want);
        }
    }

    #[test]
    fn persistent_volumes() {
        let pv = PersistentVolume {
            metadata: ObjectMeta {
                name: Some("pv-hostpath".into()),
                creation_timestamp: Some(api_time(0)),
                ..Default::default()
            },
            spec: Some(PersistentVolumeSpec {
                capacity: storage_map("10240Mi"),
                access_modes: strings(&["ReadWriteOnce"]),
                persistent_volume_reclaim_policy: Some("Retain".into()),
                claim_ref: Some(ObjectReference {
                    namespace: Some("default".into()),
                    name: Some("static-claim".into()),
                    ..Default::default()
                }),
                storage_class_name: Some("manual".into()),
                volume_mode: Some("Filesystem".into()),
                ..Default::default()
            }),
            status: Some(PersistentVolumeStatus { phase: Some("Bound".into()), ..Default::default() }),
        };
        let want = [
            "pv-hostpath",
            "10Gi",
            "RWO",
            "Retain",
            "Bound",
            "default/static-claim",
            "manual",
            "<unset>",
            "",
            "20d",
            "Filesystem",
        ];
        assert_eq!(pv_cells(&pv, 20 * 24 * 3600 * 1000), want);
        let mut deleting = pv.clone();
        deleting.metadata.deletion_timestamp = Some(api_time(0));
        deleting.metadata.annotations = Some([(BETA_STORAGE_CLASS.to_string(), "old".to_string())].into());
        let c = pv_cells(&deleting, 0);
        assert_eq!((c[4].as_str(), c[6].as_str()), ("Terminating", "old"));
        let bare = ["", "0", "", "", "", "", "", "<unset>", "", "<unknown>", "<unset>"];
        assert_eq!(pv_cells(&PersistentVolume::default(), 0), bare);
    }

    #[test]
    fn persistent_volume_claims() {
        let pending = PersistentVolumeClaim {
            metadata: ObjectMeta { name: Some("data-db-0".into()), ..Default::default() },
            spec: Some(PersistentVolumeClaimSpec {
                storage_class_name: Some("standard".into()),
                volume_mode: Some("Filesystem".into()),
                ..Default::default()
            }),
            status: Some(PersistentVolumeClaimStatus { phase: Some("Pending".into()), ..Default::default() }),
        };
        assert_eq!(
            pvc_cells(&pending, 0),
            ["data-db-0", "Pending", "", "", "", "standard", "<unset>", "<unknown>", "Filesystem"]
        );
        let mut bound = pending.clone();
        bound.spec.as_mut().unwrap().volume_name = Some("pvc-fae29bed".into());
        bound.spec.as_mut().unwrap().volume_attributes_class_name = Some("gold".into());
        bound.status = Some(PersistentVolumeClaimStatus {
            phase: Some("Bound".into()),
            capacity: storage_map("1Gi"),
            access_modes: strings(&["ReadWriteOnce"]),
            ..Default::default()
        });
        assert_eq!(pvc_cells(&bound, 0)[1..7], ["Bound", "pvc-fae29bed", "1Gi", "RWO", "standard", "gold"]);
        assert_eq!(
            pvc_cells(&PersistentVolumeClaim::default(), 0),
            ["", "", "", "", "", "", "<unset>", "<unknown>", "<unset>"]
        );
    }

    #[test]
    fn storage_classes() {
        let sc = |annotations: &[(&str, &str)]| StorageClass {
            metadata: ObjectMeta {
                name: Some("standard".into()),
                annotations: Some(annotations.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()),
                ..Default::default()
            },
            provisioner: "rancher.io/local-path".into(),
            ..Default::default()
        };
        let cases = [
            (sc(&[]), "standard"),
            (sc(&[("storageclass.kubernetes.io/is-default-class", "true")]), "standard (default)"),
            (sc(&[("storageclass.beta.kubernetes.io/is-default-class", "true")]), "standard (default)"),
            (sc(&[("storageclass.kubernetes.io/is-default-class", "True")]), "standard"),
        ];
        for (s, name) in cases {
            assert_eq!(
                storage_class_cells(&s, 0),
                [name, "rancher.io/local-path", "Delete", "Immediate", "false", "<unknown>"]
            );
        }
        let mut custom = sc(&[]);
        custom.reclaim_policy = Some("Retain".into());
        custom.volume_binding_mode = Some("WaitForFirstConsumer".into());
        custom.allow_volume_expansion = Some(true);
        assert_eq!(storage_class_cells(&custom, 0)[2..5], ["Retain", "WaitForFirstConsumer", "true"]);
    }
}
