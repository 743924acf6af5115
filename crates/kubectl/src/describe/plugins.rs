//! The in-tree storage plugins' volume sources (GCE, AWS, NFS, iSCSI, Ceph, Cinder, Azure...): each
//! prints a title and fixed `Label: value` lines, so they are tables over the source's JSON, with
//! each value formatted as Go's `%v` formats the field's type (a nil secret reference is `nil`, a
//! present one `&LocalObjectReference{Name:x,}` as the generated `String()` methods print it).

use serde_json::Value;

use super::tabwriter::{PrefixWriter, LEVEL_2};
use super::text::go_slice;

/// `printFCVolumeSource`: the LUN is `<none>` when unset.
pub fn fc(w: &mut PrefixWriter, j: &Value) {
    let lun = j.get("lun").and_then(Value::as_i64).map(|l| l.to_string()).unwrap_or_else(|| "<none>".into());
    let wwns: Vec<&str> =
        j.get("targetWWNs").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
    w.write(LEVEL_2, "Type:\tFC (a Fibre Channel disk)\n");
    w.write(LEVEL_2, &format!("TargetWWNs:\t{}\n", wwns.join(", ")));
    w.write(LEVEL_2, &format!("LUN:\t{lun}\n"));
    w.write(LEVEL_2, &format!("FSType:\t{}\n", field(j, F::S("fsType"))));
    w.write(LEVEL_2, &format!("ReadOnly:\t{}\n", field(j, F::B("readOnly"))));
}

/// How one field of a legacy plugin prints with `%v`, by its Go type.
#[derive(Clone, Copy)]
pub enum F {
    /// A string (`""` when absent).
    S(&'static str),
    /// A bool.
    B(&'static str),
    /// An integer.
    I(&'static str),
    /// A `[]string`: `[a b]`.
    List(&'static str),
    /// A `map[string]string`: `map[k:v]`.
    Map(&'static str),
    /// A `*LocalObjectReference`.
    LocalRef(&'static str),
    /// A `*SecretReference`.
    SecretRef(&'static str),
    /// A pointer that kubectl dereferences, with the API default it always has.
    Deref(&'static str, &'static str),
    /// A pointer printed as its value or `alt` (`<none>`, `<unset>`).
    Or(&'static str, &'static str),
    /// The `namespace` or `name` inside a secret reference.
    RefPart(&'static str, &'static str),
}

pub fn field(j: &Value, f: F) -> String {
    let get = |k: &str| j.get(k).filter(|v| !v.is_null());
    let scalar = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    match f {
        F::S(k) => get(k).map(scalar).unwrap_or_default(),
        F::B(k) => get(k).and_then(Value::as_bool).unwrap_or(false).to_string(),
        F::I(k) => get(k).map(scalar).unwrap_or_else(|| "0".into()),
        F::List(k) => {
            let items: Vec<String> = get(k).and_then(Value::as_array).into_iter().flatten().map(scalar).collect();
            go_slice(&items)
        }
        F::Map(k) => {
            let pairs: Vec<String> = get(k)
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(|(k, v)| format!("{k}:{}", scalar(v)))
                .collect();
            format!("map[{}]", pairs.join(" "))
        }
        F::LocalRef(k) => match get(k) {
            Some(r) => format!("&LocalObjectReference{{Name:{},}}", field(r, F::S("name"))),
            None => "nil".into(),
        },
        F::SecretRef(k) => match get(k) {
            Some(r) => format!(
                "&SecretReference{{Name:{},Namespace:{},}}",
                field(r, F::S("name")),
                field(r, F::S("namespace"))
            ),
            None => "nil".into(),
        },
        F::Deref(k, default) => get(k).map(scalar).unwrap_or_else(|| default.into()),
        F::Or(k, alt) => get(k).map(scalar).unwrap_or_else(|| alt.into()),
        F::RefPart(k, part) => get(k).map(|r| field(r, F::S(part))).unwrap_or_default(),
    }
}

pub type Plugin = (&'static str, &'static [(&'static str, F)]);

pub fn legacy(w: &mut PrefixWriter, (title, fields): Plugin, j: &Value) {
    w.write(LEVEL_2, &format!("Type:\t{title}\n"));
    for (label, f) in fields {
        w.write(LEVEL_2, &format!("{label}\t{}\n", field(j, *f)));
    }
}

pub const GCE: Plugin = (
    "GCEPersistentDisk (a Persistent Disk resource in Google Compute Engine)",
    &[
        ("PDName:", F::S("pdName")),
        ("FSType:", F::S("fsType")),
        ("Partition:", F::I("partition")),
        ("ReadOnly:", F::B("readOnly")),
    ],
);
pub const AWS: Plugin = (
    "AWSElasticBlockStore (a Persistent Disk resource in AWS)",
    &[
        ("VolumeID:", F::S("volumeID")),
        ("FSType:", F::S("fsType")),
        ("Partition:", F::I("partition")),
        ("ReadOnly:", F::B("readOnly")),
    ],
);
pub const GIT_REPO: Plugin = (
    "GitRepo (a volume that is pulled from git when the pod is created)",
    &[("Repository:", F::S("repository")), ("Revision:", F::S("revision"))],
);
pub const NFS: Plugin = (
    "NFS (an NFS mount that lasts the lifetime of a pod)",
    &[("Server:", F::S("server")), ("Path:", F::S("path")), ("ReadOnly:", F::B("readOnly"))],
);
pub const ISCSI: Plugin = (
    "ISCSI (an ISCSI Disk resource that is attached to a kubelet's host machine and then exposed to the pod)",
    &[
        ("TargetPortal:", F::S("targetPortal")),
        ("IQN:", F::S("iqn")),
        ("Lun:", F::I("lun")),
        ("ISCSIInterface", F::S("iscsiInterface")),
        ("FSType:", F::S("fsType")),
        ("ReadOnly:", F::B("readOnly")),
        ("Portals:", F::List("portals")),
        ("DiscoveryCHAPAuth:", F::B("chapAuthDiscovery")),
        ("SessionCHAPAuth:", F::B("chapAuthSession")),
        ("SecretRef:", F::LocalRef("secretRef")),
        ("InitiatorName:", F::Or("initiatorName", "<none>")),
    ],
);
pub const ISCSI_PV: Plugin = (
    ISCSI.0,
    &[
        ("TargetPortal:", F::S("targetPortal")),
        ("IQN:", F::S("iqn")),
        ("Lun:", F::I("lun")),
        ("ISCSIInterface", F::S("iscsiInterface")),
        ("FSType:", F::S("fsType")),
        ("ReadOnly:", F::B("readOnly")),
        ("Portals:", F::List("portals")),
        ("DiscoveryCHAPAuth:", F::B("chapAuthDiscovery")),
        ("SessionCHAPAuth:", F::B("chapAuthSession")),
        ("SecretRef:", F::SecretRef("secretRef")),
        ("InitiatorName:", F::Or("initiatorName", "<none>")),
    ],
);
pub const GLUSTERFS: Plugin = (
    "Glusterfs (a Glusterfs mount on the host that shares a pod's lifetime)",
    &[("EndpointsName:", F::S("endpoints")), ("Path:", F::S("path")), ("ReadOnly:", F::B("readOnly"))],
);
pub const GLUSTERFS_PV: Plugin = (
    GLUSTERFS.0,
    &[
        ("EndpointsName:", F::S("endpoints")),
        ("EndpointsNamespace:", F::Or("endpointsNamespace", "<unset>")),
        ("Path:", F::S("path")),
        ("ReadOnly:", F::B("readOnly")),
    ],
);
pub const RBD_FIELDS: [(&str, F); 8] = [
    ("CephMonitors:", F::List("monitors")),
    ("RBDImage:", F::S("image")),
    ("FSType:", F::S("fsType")),
    ("RBDPool:", F::S("pool")),
    ("RadosUser:", F::S("user")),
    ("Keyring:", F::S("keyring")),
    ("SecretRef:", F::LocalRef("secretRef")),
    ("ReadOnly:", F::B("readOnly")),
];
pub const RBD: Plugin = ("RBD (a Rados Block Device mount on the host that shares a pod's lifetime)", &RBD_FIELDS);
pub const RBD_PV: Plugin = (
    RBD.0,
    &[
        ("CephMonitors:", F::List("monitors")),
        ("RBDImage:", F::S("image")),
        ("FSType:", F::S("fsType")),
        ("RBDPool:", F::S("pool")),
        ("RadosUser:", F::S("user")),
        ("Keyring:", F::S("keyring")),
        ("SecretRef:", F::SecretRef("secretRef")),
        ("ReadOnly:", F::B("readOnly")),
    ],
);
pub const QUOBYTE: Plugin = (
    "Quobyte (a Quobyte mount on the host that shares a pod's lifetime)",
    &[("Registry:", F::S("registry")), ("Volume:", F::S("volume")), ("ReadOnly:", F::B("readOnly"))],
);
pub const AZURE_DISK: Plugin = (
    "AzureDisk (an Azure Data Disk mount on the host and bind mount to the pod)",
    &[
        ("DiskName:", F::S("diskName")),
        ("DiskURI:", F::S("diskURI")),
        ("Kind: ", F::Deref("kind", "Shared")),
        ("FSType:", F::Deref("fsType", "ext4")),
        ("CachingMode:", F::Deref("cachingMode", "ReadWrite")),
        ("ReadOnly:", F::B("readOnly")),
    ],
);
pub const VSPHERE: Plugin = (
    "vSphereVolume (a Persistent Disk resource in vSphere)",
    &[
        ("VolumePath:", F::S("volumePath")),
        ("FSType:", F::S("fsType")),
        ("StoragePolicyName:", F::S("storagePolicyName")),
    ],
);
pub const CINDER: Plugin = (
    "Cinder (a Persistent Disk resource in OpenStack)",
    &[
        ("VolumeID:", F::S("volumeID")),
        ("FSType:", F::S("fsType")),
        ("ReadOnly:", F::B("readOnly")),
        ("SecretRef:", F::LocalRef("secretRef")),
    ],
);
pub const CINDER_PV: Plugin = (
    CINDER.0,
    &[
        ("VolumeID:", F::S("volumeID")),
        ("FSType:", F::S("fsType")),
        ("ReadOnly:", F::B("readOnly")),
        ("SecretRef:", F::SecretRef("secretRef")),
    ],
);
pub const PHOTON: Plugin = (
    "PhotonPersistentDisk (a Persistent Disk resource in photon platform)",
    &[("PdID:", F::S("pdID")), ("FSType:", F::S("fsType"))],
);
pub const PORTWORX: Plugin = ("PortworxVolume (a Portworx Volume resource)", &[("VolumeID:", F::S("volumeID"))]);
pub const SCALE_IO: Plugin = (
    "ScaleIO (a persistent volume backed by a block device in ScaleIO)",
    &[
        ("Gateway:", F::S("gateway")),
        ("System:", F::S("system")),
        ("Protection Domain:", F::S("protectionDomain")),
        ("Storage Pool:", F::S("storagePool")),
        ("Storage Mode:", F::S("storageMode")),
        ("VolumeName:", F::S("volumeName")),
        ("FSType:", F::S("fsType")),
        ("ReadOnly:", F::B("readOnly")),
    ],
);
pub const SCALE_IO_PV: Plugin = (
    SCALE_IO.0,
    &[
        ("Gateway:", F::S("gateway")),
        ("System:", F::S("system")),
        ("Protection Domain:", F::S("protectionDomain")),
        ("Storage Pool:", F::S("storagePool")),
        ("Storage Mode:", F::S("storageMode")),
        ("VolumeName:", F::S("volumeName")),
        ("SecretName:", F::RefPart("secretRef", "name")),
        ("SecretNamespace:", F::RefPart("secretRef", "namespace")),
        ("FSType:", F::S("fsType")),
        ("ReadOnly:", F::B("readOnly")),
    ],
);
pub const CEPHFS: Plugin = (
    "CephFS (a CephFS mount on the host that shares a pod's lifetime)",
    &[
        ("Monitors:", F::List("monitors")),
        ("Path:", F::S("path")),
        ("User:", F::S("user")),
        ("SecretFile:", F::S("secretFile")),
        ("SecretRef:", F::LocalRef("secretRef")),
        ("ReadOnly:", F::B("readOnly")),
    ],
);
pub const CEPHFS_PV: Plugin = (
    CEPHFS.0,
    &[
        ("Monitors:", F::List("monitors")),
        ("Path:", F::S("path")),
        ("User:", F::S("user")),
        ("SecretFile:", F::S("secretFile")),
        ("SecretRef:", F::SecretRef("secretRef")),
        ("ReadOnly:", F::B("readOnly")),
    ],
);
pub const STORAGEOS: Plugin = (
    "StorageOS (a StorageOS Persistent Disk resource)",
    &[
        ("VolumeName:", F::S("volumeName")),
        ("VolumeNamespace:", F::S("volumeNamespace")),
        ("FSType:", F::S("fsType")),
        ("ReadOnly:", F::B("readOnly")),
    ],
);
pub const AZURE_FILE: Plugin = (
    "AzureFile (an Azure File Service mount on the host and bind mount to the pod)",
    &[("SecretName:", F::S("secretName")), ("ShareName:", F::S("shareName")), ("ReadOnly:", F::B("readOnly"))],
);
pub const AZURE_FILE_PV: Plugin = (
    AZURE_FILE.0,
    &[
        ("SecretName:", F::S("secretName")),
        ("SecretNamespace:", F::S("secretNamespace")),
        ("ShareName:", F::S("shareName")),
        ("ReadOnly:", F::B("readOnly")),
    ],
);
pub const FLEX: Plugin = (
    "FlexVolume (a generic volume resource that is provisioned/attached using an exec based plugin)",
    &[
        ("Driver:", F::S("driver")),
        ("FSType:", F::S("fsType")),
        ("SecretRef:", F::LocalRef("secretRef")),
        ("ReadOnly:", F::B("readOnly")),
        ("Options:", F::Map("options")),
    ],
);
pub const FLEX_PV: Plugin = (
    FLEX.0,
    &[
        ("Driver:", F::S("driver")),
        ("FSType:", F::S("fsType")),
        ("SecretRef:", F::SecretRef("secretRef")),
        ("ReadOnly:", F::B("readOnly")),
        ("Options:", F::Map("options")),
    ],
);
pub const FLOCKER: Plugin = (
    "Flocker (a Flocker volume mounted by the Flocker agent)",
    &[("DatasetName:", F::S("datasetName")), ("DatasetUUID:", F::S("datasetUUID"))],
);
