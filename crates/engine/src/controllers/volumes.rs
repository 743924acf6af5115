//! Persistent storage: the PersistentVolume controller (k/k `pkg/controller/volume/persistentvolume`:
//! `syncClaim`, `syncVolume`, `bind`, `reclaimVolume`), the PVC and PV protection controllers
//! (`pkg/controller/volume/pvcprotection`, `pvprotection`) and minikube's hostPath provisioner (the
//! `storage-provisioner` addon, `pkg/storage/storage_provisioner.go`, driven by
//! sig-storage-lib-external-provisioner).
//!
//! The controller reacts to every change at once, and resyncs every 15 s as the real one does
//! (`--pvclaimbinder-sync-period`): a claim that stays Pending repeats its event then (`(x3 over 30s)`).
//! Every write is in the event log with its cause, so the page can draw a timeline per volume.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    HostPathVolumeSource, Node, ObjectReference, PersistentVolume, PersistentVolumeClaim, PersistentVolumeSpec, Pod,
};
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity as ApiQuantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::addons::{MINIKUBE_PROVISIONER, PROVISIONER_LOCK, STORAGE_PROVISIONER_IMAGE};
use crate::admission::quantity::Quantity;
use crate::apiserver::selectors::LabelSelector;
use crate::apiserver::{Request, Verb};
use crate::clock::{api_time, Millis};
use crate::cluster::Cluster;
use crate::object::{Kind, Object};
use crate::recorder::Reporter;
use crate::rng::Rng;
use crate::store::{ObjectKey, Store};

pub const PVC_PROTECTION: &str = "kubernetes.io/pvc-protection";
pub const PV_PROTECTION: &str = "kubernetes.io/pv-protection";
pub const ANN_BIND_COMPLETED: &str = "pv.kubernetes.io/bind-completed";
pub const ANN_BOUND_BY_CONTROLLER: &str = "pv.kubernetes.io/bound-by-controller";
pub const ANN_PROVISIONED_BY: &str = "pv.kubernetes.io/provisioned-by";
pub const ANN_STORAGE_PROVISIONER: &str = "volume.kubernetes.io/storage-provisioner";
pub const ANN_BETA_STORAGE_PROVISIONER: &str = "volume.beta.kubernetes.io/storage-provisioner";
pub const ANN_SELECTED_NODE: &str = "volume.kubernetes.io/selected-node";
pub const ANN_IS_DEFAULT_CLASS: &str = "storageclass.kubernetes.io/is-default-class";
pub const ANN_BETA_IS_DEFAULT_CLASS: &str = "storageclass.beta.kubernetes.io/is-default-class";
/// The minikube provisioner's identity annotation (its Delete only touches PVs carrying its own identity).
pub const ANN_HOSTPATH_IDENTITY: &str = "hostPathProvisionerIdentity";
/// Where the minikube provisioner makes each claim's directory: `/tmp/hostpath-provisioner/<ns>/<claim>`.
pub const HOSTPATH_ROOT: &str = "/tmp/hostpath-provisioner";
/// client-go's leader record annotation on an Endpoints lock (`resourcelock.LeaderElectionRecordAnnotationKey`).
pub const ANN_LEADER: &str = "control-plane.alpha.kubernetes.io/leader";

const CONTROLLER: &str = "persistentvolume-controller";
/// The expand controller's event source.
const EXPAND_CONTROLLER: &str = "volume_expand";
const PVC_PROTECTION_CONTROLLER: &str = "pvc-protection-controller";
const PV_PROTECTION_CONTROLLER: &str = "pv-protection-controller";
const PROVISIONER_ACTOR: &str = "storage-provisioner";
/// `--pvclaimbinder-sync-period` (default 15 s).
pub const RESYNC_MS: Millis = 15_000;

/// What the storage side remembers between syncs: the running provisioner process and which claim events
/// were already reported in the current resync period.
#[derive(Clone, Debug)]
pub struct VolumeState {
    /// The minikube provisioner process the storage side last saw running (none while its pod is gone or its
    /// node stopped).
    pub provisioner: Option<Provisioner>,
    /// When the leader-election lock is free for a new provisioner: `leaseDurationSeconds` (15 s) after the last
    /// leader stopped renewing (0: free).
    lock_free_at: Millis,
    /// Claim uid → (resync period, resourceVersion) of its last sync: a claim is synced (and may report
    /// events) when it changed or a resync period began, as the controller's informer and resync do.
    synced: BTreeMap<String, (u64, String)>,
    /// Whether the claim being synced is due (set by `sync_claim`).
    due: bool,
    /// A side stream of the seed for each provisioner start's uuids, so they do not shift other random names.
    rng: Rng,
    /// The expand controller's memory: claim uid → the resourceVersion it last reported `ExternalExpanding` for.
    expanding: BTreeMap<String, String>,
    /// Recycles in progress: volume name → the recycler pod's uid and the names of its Events already passed on
    /// to the volume (`RecycleVolumeByWatchingPodUntilCompletion` watches both).
    recycling: BTreeMap<String, Recycling>,
    /// Volume name → the resync period of its last failed recycle: the controller retries at each sync of a
    /// Failed volume, here once a resync period.
    recycle_failed: BTreeMap<String, u64>,
}

/// One recycle operation: its pod and the pod's Events forwarded so far.
#[derive(Clone, Debug, Default)]
struct Recycling {
    pod_uid: String,
    forwarded: std::collections::BTreeSet<String>,
}

/// One start of minikube's provisioner (`/storage-provisioner` in a container of its image).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Provisioner {
    /// The pod (`kube-system/storage-provisioner`) and the container instance: (pod uid, restart count).
    pub pod: String,
    pub instance: (String, i32),
    /// The node it runs on (hostNetwork: its hostname is the node's), whose `/tmp/hostpath-provisioner` it uses.
    pub node: String,
    /// `hostPathProvisionerIdentity`: a UUID drawn at each start (`NewHostPathProvisioner`); a restarted
    /// provisioner ignores the Released volumes an earlier start provisioned, as the real one does.
    pub identity: String,
    /// Its leader-election identity `<hostname>_<uuid>`; its events' source is `k8s.io/minikube-hostpath_` + this.
    pub holder: String,
    /// Whether it holds the lock (only the leader provisions and deletes).
    pub leading: bool,
}

impl Provisioner {
    /// The event source of everything it records.
    pub fn source(&self) -> String {
        format!("{MINIKUBE_PROVISIONER}_{}", self.holder)
    }
}

impl VolumeState {
    pub fn new(seed: u64) -> VolumeState {
        VolumeState {
            provisioner: None,
            lock_free_at: 0,
            synced: BTreeMap::new(),
            due: false,
            rng: Rng::new(seed ^ 0x5707_a6e0_0000_0001),
            expanding: BTreeMap::new(),
            recycling: BTreeMap::new(),
            recycle_failed: BTreeMap::new(),
        }
    }
}

/// The primary control-plane node, where minikube's `storage-provisioner` pod runs in the default cluster.
/// A pod on another node mounts that node's own directory of the same path, as in a real multi-node
/// minikube, where hostPath volumes are per node.
pub const PRIMARY_NODE: &str = "control-plane-1";
/// The provisioner's leader election (sig-storage-lib-external-provisioner's defaults): lease 15 s.
const PROVISIONER_LEASE_MS: Millis = 15_000;

fn ann<'a>(meta: &'a ObjectMeta, key: &str) -> Option<&'a str> {
    meta.annotations.as_ref().and_then(|a| a.get(key)).map(String::as_str)
}

fn set_ann(meta: &mut ObjectMeta, key: &str, value: &str) {
    meta.annotations.get_or_insert_with(BTreeMap::new).insert(key.to_string(), value.to_string());
}

/// `GetPersistentVolumeClaimClass`: the beta annotation wins over the field; none is `""`.
pub fn claim_class(claim: &PersistentVolumeClaim) -> String {
    if let Some(c) = ann(&claim.metadata, "volume.beta.kubernetes.io/storage-class") {
        return c.to_string();
    }
    claim.spec.as_ref().and_then(|s| s.storage_class_name.clone()).unwrap_or_default()
}

/// `GetPersistentVolumeClass`.
pub fn volume_class(pv: &PersistentVolume) -> String {
    if let Some(c) = ann(&pv.metadata, "volume.beta.kubernetes.io/storage-class") {
        return c.to_string();
    }
    pv.spec.as_ref().and_then(|s| s.storage_class_name.clone()).unwrap_or_default()
}

fn requested(claim: &PersistentVolumeClaim) -> Quantity {
    claim
        .spec
        .as_ref()
        .and_then(|s| s.resources.as_ref())
        .and_then(|r| r.requests.as_ref())
        .and_then(|r| r.get("storage"))
        .and_then(|q| Quantity::parse(&q.0).ok())
        .unwrap_or_else(Quantity::zero)
}

fn capacity(pv: &PersistentVolume) -> Quantity {
    pv.spec
        .as_ref()
        .and_then(|s| s.capacity.as_ref())
        .and_then(|c| c.get("storage"))
        .and_then(|q| Quantity::parse(&q.0).ok())
        .unwrap_or_else(Quantity::zero)
}

fn claim_modes(claim: &PersistentVolumeClaim) -> Vec<String> {
    claim.spec.as_ref().and_then(|s| s.access_modes.clone()).unwrap_or_default()
}

fn volume_modes(pv: &PersistentVolume) -> Vec<String> {
    pv.spec.as_ref().and_then(|s| s.access_modes.clone()).unwrap_or_default()
}

fn phase_of(pv: &PersistentVolume) -> String {
    pv.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default()
}

fn claim_phase(claim: &PersistentVolumeClaim) -> String {
    claim.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default()
}

fn claim_key(claim: &PersistentVolumeClaim) -> String {
    format!(
        "{}/{}",
        claim.metadata.namespace.as_deref().unwrap_or_default(),
        claim.metadata.name.as_deref().unwrap_or_default()
    )
}

/// `IsVolumeBoundToClaim`: the claimRef names the claim, and its uid (if set) is the claim's.
pub fn is_volume_bound_to_claim(pv: &PersistentVolume, claim: &PersistentVolumeClaim) -> bool {
    let Some(r) = pv.spec.as_ref().and_then(|s| s.claim_ref.as_ref()) else { return false };
    if r.name != claim.metadata.name || r.namespace != claim.metadata.namespace {
        return false;
    }
    match r.uid.as_deref().filter(|u| !u.is_empty()) {
        Some(uid) => claim.metadata.uid.as_deref() == Some(uid),
        None => true,
    }
}

/// `FindMatchingVolume` (`pkg/controller/volume/persistentvolume/util`), for the controller (no node):
/// a volume pre-bound to the claim wins if it is big enough; otherwise the smallest unbound volume with
/// the claim's class, volume mode, labels (selector), a superset of its access modes and at least the
/// requested capacity. With `delay_binding` (a WaitForFirstConsumer class) unbound volumes are left to the
/// scheduler.
///
/// Worked example: a 1Gi RWO claim of class `manual` against `pv-a` (5Gi RWO manual), `pv-b` (2Gi RWO
/// manual) and `pv-c` (1Gi RWX manual) binds `pv-b`: `pv-c` lacks RWO, and `pv-b` is the smaller fit.
pub fn find_matching_volume<'a>(
    claim: &PersistentVolumeClaim,
    volumes: &'a [PersistentVolume],
    delay_binding: bool,
) -> Option<&'a PersistentVolume> {
    let want = requested(claim);
    let class = claim_class(claim);
    let spec = claim.spec.clone().unwrap_or_default();
    let mode = spec.volume_mode.clone().unwrap_or_else(|| "Filesystem".into());
    let selector = spec.selector.as_ref().map(LabelSelector::from_api);
    let modes = claim_modes(claim);
    let mut best: Option<&PersistentVolume> = None;
    for pv in volumes {
        let vspec = pv.spec.clone().unwrap_or_default();
        if vspec.volume_mode.clone().unwrap_or_else(|| "Filesystem".into()) != mode {
            continue;
        }
        if pv.metadata.deletion_timestamp.is_some() {
            continue;
        }
        let size = capacity(pv);
        if is_volume_bound_to_claim(pv, claim) {
            if size.cmp_value(&want).is_lt() {
                continue;
            }
            return Some(pv);
        }
        if vspec.claim_ref.is_some() || delay_binding {
            continue;
        }
        if size.cmp_value(&want).is_lt() || volume_class(pv) != class {
            continue;
        }
        if selector.as_ref().is_some_and(|s| !s.matches(pv.metadata.labels.as_ref())) {
            continue;
        }
        let offered = volume_modes(pv);
        if !modes.iter().all(|m| offered.contains(m)) {
            continue;
        }
        if best.is_none_or(|b| capacity(b).cmp_value(&size).is_gt()) {
            best = Some(pv);
        }
    }
    best
}

/// `GetDefaultClass` of the DefaultStorageClass plugin: among classes annotated as default, the newest
/// (then the first by name).
pub fn default_class(store: &Store) -> Option<String> {
    let mut defaults: Vec<(Millis, String)> = store
        .list(Kind::StorageClass, None)
        .filter(|o| {
            let m = o.metadata();
            ann(m, ANN_IS_DEFAULT_CLASS) == Some("true") || ann(m, ANN_BETA_IS_DEFAULT_CLASS) == Some("true")
        })
        .map(|o| {
            (o.metadata().creation_timestamp.as_ref().map(crate::clock::sim_millis).unwrap_or(0), o.name().to_string())
        })
        .collect();
    defaults.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    defaults.into_iter().next().map(|(_, n)| n)
}

/// Pods (names) in the claim's namespace that reference it in a volume, with whether each is scheduled.
pub fn pods_using(store: &Store, claim: &PersistentVolumeClaim) -> Vec<(String, bool, bool)> {
    let ns = claim.metadata.namespace.as_deref().unwrap_or_default();
    let name = claim.metadata.name.as_deref().unwrap_or_default();
    store
        .list(Kind::Pod, Some(ns))
        .filter_map(|o| match o {
            Object::Pod(p) => {
                let spec = p.spec.as_ref()?;
                let uses = spec
                    .volumes
                    .iter()
                    .flatten()
                    .any(|v| v.persistent_volume_claim.as_ref().is_some_and(|c| c.claim_name == name));
                let phase = p.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default();
                let done = phase == "Succeeded" || phase == "Failed";
                uses.then(|| (p.metadata.name.clone().unwrap_or_default(), spec.node_name.is_some(), done))
            }
            _ => None,
        })
        .collect()
}

fn claim_ref(claim: &PersistentVolumeClaim) -> ObjectReference {
    ObjectReference {
        api_version: Some("v1".into()),
        kind: Some("PersistentVolumeClaim".into()),
        name: claim.metadata.name.clone(),
        namespace: claim.metadata.namespace.clone(),
        resource_version: claim.metadata.resource_version.clone(),
        uid: claim.metadata.uid.clone(),
        ..Default::default()
    }
}

impl Cluster {
    fn storage_class(&self, name: &str) -> Option<StorageClass> {
        match self.store.get(&ObjectKey::new(Kind::StorageClass, "", name)) {
            Some(Object::StorageClass(sc)) => Some((**sc).clone()),
            _ => None,
        }
    }

    fn all_volumes(&self) -> Vec<PersistentVolume> {
        self.store
            .list(Kind::PersistentVolume, None)
            .filter_map(|o| match o {
                Object::PersistentVolume(pv) => Some((**pv).clone()),
                _ => None,
            })
            .collect()
    }

    fn claim_event(&mut self, claim: &PersistentVolumeClaim, type_: &str, reason: &str, message: &str, source: &str) {
        if self.volumes.due {
            let obj = Object::from(claim.clone());
            self.emit_event(&obj, type_, reason, message, &Reporter::component(source));
        }
    }

    /// The PV controller, the protection controllers and the minikube provisioner, in one pass.
    pub(super) fn reconcile_volumes(&mut self) {
        self.observe_provisioner();
        let claims: Vec<ObjectKey> = self.store.list(Kind::PersistentVolumeClaim, None).map(ObjectKey::of).collect();
        for key in &claims {
            self.sync_claim(key);
        }
        if self.volumes.synced.len() > claims.len() {
            let live: std::collections::BTreeSet<String> =
                self.store.list(Kind::PersistentVolumeClaim, None).filter_map(|o| o.metadata().uid.clone()).collect();
            self.volumes.synced.retain(|uid, _| live.contains(uid));
        }
        let volumes: Vec<ObjectKey> = self.store.list(Kind::PersistentVolume, None).map(ObjectKey::of).collect();
        for key in &volumes {
            self.sync_volume(key);
        }
        self.run_hostpath_provisioner();
        self.expand_claims();
        self.protect_claims();
        self.protect_volumes();
    }

    /// The next resync instant while some claim waits (its Pending event repeats then).
    pub(crate) fn volume_wakeup(&self) -> Option<Millis> {
        let waiting = self
            .store
            .list(Kind::PersistentVolumeClaim, None)
            .any(|o| matches!(o, Object::PersistentVolumeClaim(c) if claim_phase(c) == "Pending"));
        let resync = waiting.then(|| (self.clock.now() / RESYNC_MS + 1) * RESYNC_MS);
        let lock = self.volumes.provisioner.as_ref().filter(|p| !p.leading).map(|_| self.volumes.lock_free_at);
        resync.into_iter().chain(lock).min()
    }

    /// The minikube provisioner process running now: a running container of its image in a `kube-system` pod
    /// on a running machine, as (pod, (pod uid, restart count), node). With several, the first by name.
    fn running_provisioner(&self) -> Option<(String, (String, i32), String)> {
        let repository = crate::kubelet::images::parse(STORAGE_PROVISIONER_IMAGE).ok()?.repository;
        self.store.list(Kind::Pod, Some("kube-system")).find_map(|o| {
            let Object::Pod(p) = o else { return None };
            let spec = p.spec.as_ref()?;
            let container = spec.containers.iter().find(|c| {
                crate::kubelet::images::parse(c.image.as_deref().unwrap_or_default())
                    .is_ok_and(|r| r.repository == repository)
            })?;
            let node = spec.node_name.clone()?;
            if !self.machines.get(&node).is_some_and(|m| m.running) {
                return None;
            }
            let uid = p.metadata.uid.clone()?;
            let run = self.kubelets.nodes.get(&node)?.pods.get(&uid)?.container(&container.name)?;
            matches!(run.stage, crate::kubelet::container::Stage::Running { .. })
                .then(|| (format!("kube-system/{}", o.name()), (uid, run.restart_count), node))
        })
    }

    /// Follows the provisioner process: a new start draws its identities and, once the lock is free (at once,
    /// or 15 s after the last leader stopped renewing), takes the leader-election lock; a stopped one leaves
    /// claims Pending (only `ExternalProvisioning` repeats) until another runs.
    fn observe_provisioner(&mut self) {
        let now = self.clock.now();
        let running = self.running_provisioner();
        let same = match (&self.volumes.provisioner, &running) {
            (Some(p), Some((_, instance, _))) => p.instance == *instance,
            _ => false,
        };
        if !same {
            if let Some(old) = self.volumes.provisioner.take() {
                if old.leading {
                    // Simplified: its last renewal is taken as now (a real leader renews every 2 s).
                    self.volumes.lock_free_at = now + PROVISIONER_LEASE_MS;
                }
            }
            if let Some((pod, instance, node)) = running {
                let identity = self.volumes.rng.uuid();
                let holder = format!("{node}_{}", self.volumes.rng.uuid());
                self.volumes.provisioner = Some(Provisioner { pod, instance, node, identity, holder, leading: false });
            }
        }
        let Some(p) = self.volumes.provisioner.clone() else { return };
        if p.leading || now < self.volumes.lock_free_at {
            return;
        }
        self.take_provisioner_lock(&p);
        if let Some(p) = self.volumes.provisioner.as_mut() {
            p.leading = true;
        }
    }

    /// client-go's Endpoints lock: the `control-plane.alpha.kubernetes.io/leader` annotation of Endpoints
    /// `kube-system/k8s.io-minikube-hostpath` (created if missing) and the `LeaderElection` event. Simplified:
    /// the 2 s renewals are not written, so `renewTime` stays the acquisition instant.
    fn take_provisioner_lock(&mut self, p: &Provisioner) {
        let now = self.clock.now();
        let key = ObjectKey::new(Kind::Endpoints, "kube-system", PROVISIONER_LOCK);
        let current = self.store.get(&key).cloned();
        let previous: Option<serde_json::Value> =
            current.as_ref().and_then(|o| ann(o.metadata(), ANN_LEADER)).and_then(|r| serde_json::from_str(r).ok());
        let transitions = previous.as_ref().map_or(0, |r| {
            let n = r["leaderTransitions"].as_i64().unwrap_or(0);
            if r["holderIdentity"].as_str() == Some(p.holder.as_str()) {
                n
            } else {
                n + 1
            }
        });
        // Go's encoding of `LeaderElectionRecord`: fields in declaration order.
        let time = serde_json::to_value(api_time(now)).unwrap_or_default();
        let record = format!(
            r#"{{"holderIdentity":{},"leaseDurationSeconds":{},"acquireTime":{time},"renewTime":{time},"leaderTransitions":{transitions}}}"#,
            serde_json::Value::String(p.holder.clone()),
            PROVISIONER_LEASE_MS / 1000,
        );
        let why = format!("{} (pod {} on {}) became the provisioner's leader", p.holder, p.pod, p.node);
        let seq = self.log.entries().len() as u64;
        let res = match current {
            Some(mut obj) => {
                set_ann(obj.metadata_mut(), ANN_LEADER, &record);
                let req = Request::new(Verb::Update, Kind::Endpoints).namespace("kube-system").name(PROVISIONER_LOCK);
                self.handle(PROVISIONER_ACTOR, req.body(obj.to_json()))
            }
            None => {
                let body = serde_json::json!({"apiVersion": "v1", "kind": "Endpoints",
                    "metadata": {"name": PROVISIONER_LOCK, "namespace": "kube-system",
                        "annotations": {ANN_LEADER: record}}});
                self.handle(
                    PROVISIONER_ACTOR,
                    Request::new(Verb::Create, Kind::Endpoints).namespace("kube-system").body(body),
                )
            }
        };
        self.log.set_reason(seq, &why);
        if let Ok(crate::apiserver::Body::Object(lock)) = res.result {
            let msg = format!("{} became leader", p.holder);
            self.emit_event(&lock, "Normal", "LeaderElection", &msg, &Reporter::component(&p.source()));
        }
    }

    fn sync_claim(&mut self, key: &ObjectKey) {
        let Some(Object::PersistentVolumeClaim(claim)) = self.store.get(key).cloned() else { return };
        let uid = claim.metadata.uid.clone().unwrap_or_default();
        let period = self.clock.now() / RESYNC_MS;
        let rv = claim.metadata.resource_version.clone().unwrap_or_default();
        self.volumes.due = self.volumes.synced.get(&uid) != Some(&(period, rv));
        if ann(&claim.metadata, ANN_BIND_COMPLETED).is_none() {
            self.sync_unbound_claim(*claim);
        } else {
            self.sync_bound_claim(*claim);
        }
        if self.volumes.due {
            let rv = self.store.get(key).and_then(|o| o.metadata().resource_version.clone()).unwrap_or_default();
            self.volumes.synced.insert(uid, (period, rv));
        }
        self.volumes.due = false;
    }

    fn sync_unbound_claim(&mut self, claim: PersistentVolumeClaim) {
        let spec = claim.spec.clone().unwrap_or_default();
        let volumes = self.all_volumes();
        match spec.volume_name.clone().filter(|v| !v.is_empty()) {
            None => {
                let class = claim_class(&claim);
                let sc = self.storage_class(&class);
                let delay = sc.as_ref().and_then(|s| s.volume_binding_mode.as_deref()) == Some("WaitForFirstConsumer");
                if let Some(pv) = find_matching_volume(&claim, &volumes, delay).cloned() {
                    self.bind(pv, claim);
                    return;
                }
                let selected = ann(&claim.metadata, ANN_SELECTED_NODE).is_some();
                if delay && !selected {
                    self.emit_unbound_delay_event(&claim);
                } else if !class.is_empty() {
                    self.provision_claim(&claim, &class, sc.as_ref());
                    return;
                } else {
                    self.claim_event(
                        &claim,
                        "Normal",
                        "FailedBinding",
                        "no persistent volumes available for this claim and no storage class is set",
                        CONTROLLER,
                    );
                }
                self.update_claim_status(&claim, "Pending", None, "no volume matches the claim yet");
            }
            Some(name) => match volumes.iter().find(|v| v.metadata.name.as_deref() == Some(name.as_str())).cloned() {
                None => {
                    self.update_claim_status(
                        &claim,
                        "Pending",
                        None,
                        &format!("the requested volume {name} does not exist yet"),
                    );
                }
                Some(pv) => {
                    let unclaimed = pv.spec.as_ref().and_then(|s| s.claim_ref.as_ref()).is_none();
                    if unclaimed || is_volume_bound_to_claim(&pv, &claim) {
                        self.bind(pv, claim);
                    } else {
                        self.update_claim_status(
                            &claim,
                            "Pending",
                            None,
                            &format!("the requested volume {name} is bound to another claim"),
                        );
                    }
                }
            },
        }
    }

    /// `emitEventForUnboundDelayBindingClaim`.
    fn emit_unbound_delay_event(&mut self, claim: &PersistentVolumeClaim) {
        let pending: Vec<String> = pods_using(&self.store, claim)
            .into_iter()
            .filter(|(_, scheduled, _)| !scheduled)
            .map(|(n, _, _)| n)
            .collect();
        let (reason, message) = match pending.len() {
            0 => ("WaitForFirstConsumer", "waiting for first consumer to be created before binding".to_string()),
            1 => ("WaitForPodScheduled", format!("waiting for pod {} to be scheduled", pending[0])),
            _ => ("WaitForPodScheduled", format!("waiting for pods {} to be scheduled", pending.join(","))),
        };
        self.claim_event(claim, "Normal", reason, &message, CONTROLLER);
    }

    /// `provisionClaimOperation`: find the class's provisioner; an external one (anything not `kubernetes.io/…`)
    /// is told through the claim's annotations and the `ExternalProvisioning` event.
    fn provision_claim(&mut self, claim: &PersistentVolumeClaim, class: &str, sc: Option<&StorageClass>) {
        let Some(sc) = sc else {
            let msg = format!("storageclass.storage.k8s.io \"{class}\" not found");
            self.claim_event(claim, "Warning", "ProvisioningFailed", &msg, CONTROLLER);
            return;
        };
        let provisioner = sc.provisioner.clone();
        if provisioner.starts_with("kubernetes.io/") {
            // No in-tree provisioner is enabled in kube-controller-manager (kubernetes.io/no-provisioner among them).
            let msg = format!("no volume plugin matched name: {provisioner}");
            self.claim_event(claim, "Warning", "ProvisioningFailed", &msg, CONTROLLER);
            return;
        }
        let mut updated = claim.clone();
        set_ann(&mut updated.metadata, ANN_BETA_STORAGE_PROVISIONER, &provisioner);
        set_ann(&mut updated.metadata, ANN_STORAGE_PROVISIONER, &provisioner);
        let updated = if updated != *claim {
            let why = format!("waiting for the external provisioner {provisioner} (class {class})");
            match self.store_write(CONTROLLER, Object::from(updated), &why) {
                Some(Object::PersistentVolumeClaim(c)) => *c,
                _ => claim.clone(),
            }
        } else {
            updated
        };
        let msg = format!("Waiting for a volume to be created either by the external provisioner '{provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.");
        self.claim_event(&updated, "Normal", "ExternalProvisioning", &msg, CONTROLLER);
    }

    fn sync_bound_claim(&mut self, claim: PersistentVolumeClaim) {
        let name = claim.spec.as_ref().and_then(|s| s.volume_name.clone()).unwrap_or_default();
        if name.is_empty() {
            self.claim_lost(
                &claim,
                "ClaimLost",
                "Bound claim has lost reference to PersistentVolume. Data on the volume is lost!",
            );
            return;
        }
        let Some(Object::PersistentVolume(pv)) =
            self.store.get(&ObjectKey::new(Kind::PersistentVolume, "", &name)).cloned()
        else {
            self.claim_lost(
                &claim,
                "ClaimLost",
                "Bound claim has lost its PersistentVolume. Data on the volume is lost!",
            );
            return;
        };
        let r = pv.spec.as_ref().and_then(|s| s.claim_ref.clone());
        match r {
            None => self.bind(*pv, claim),
            Some(r) if r.uid == claim.metadata.uid => self.bind(*pv, claim),
            Some(_) => self.claim_lost(
                &claim,
                "ClaimMisbound",
                "Two claims are bound to the same volume, this one is bound incorrectly",
            ),
        }
    }

    fn claim_lost(&mut self, claim: &PersistentVolumeClaim, reason: &str, message: &str) {
        if claim_phase(claim) != "Lost" {
            let obj = Object::from(claim.clone());
            self.emit_event(&obj, "Warning", reason, message, &Reporter::component(CONTROLLER));
        }
        self.update_claim_status(claim, "Lost", None, message);
    }

    /// `bind`: the volume's claimRef (and `bound-by-controller` if the controller chose it), the volume
    /// `Bound`, the claim's volumeName with `bind-completed`, then the claim `Bound` with the volume's
    /// capacity and access modes.
    fn bind(&mut self, pv: PersistentVolume, claim: PersistentVolumeClaim) {
        let pv_name = pv.metadata.name.clone().unwrap_or_default();
        let ck = claim_key(&claim);
        let mut v = pv.clone();
        let chosen = !is_volume_bound_to_claim(&pv, &claim);
        let spec = v.spec.get_or_insert_with(PersistentVolumeSpec::default);
        let r = spec.claim_ref.clone().unwrap_or_default();
        if spec.claim_ref.is_none()
            || r.name != claim.metadata.name
            || r.namespace != claim.metadata.namespace
            || r.uid != claim.metadata.uid
        {
            spec.claim_ref = Some(claim_ref(&claim));
        }
        if chosen && ann(&v.metadata, ANN_BOUND_BY_CONTROLLER).is_none() {
            set_ann(&mut v.metadata, ANN_BOUND_BY_CONTROLLER, "yes");
        }
        let mut v = if v != pv {
            let why = format!("claimed by {ck}: the smallest matching volume for the claim");
            match self.store_write(CONTROLLER, Object::from(v), &why) {
                Some(Object::PersistentVolume(s)) => *s,
                _ => return,
            }
        } else {
            v
        };
        v = self.update_volume_phase(&v, "Bound", "", &format!("bound to {ck}")).unwrap_or(v);
        let mut c = claim.clone();
        let spec = c.spec.get_or_insert_with(Default::default);
        if spec.volume_name.as_deref() != Some(pv_name.as_str()) {
            spec.volume_name = Some(pv_name.clone());
            if ann(&c.metadata, ANN_BOUND_BY_CONTROLLER).is_none() {
                set_ann(&mut c.metadata, ANN_BOUND_BY_CONTROLLER, "yes");
            }
        }
        if ann(&c.metadata, ANN_BIND_COMPLETED).is_none() {
            set_ann(&mut c.metadata, ANN_BIND_COMPLETED, "yes");
        }
        let c = if c != claim {
            match self.store_write(CONTROLLER, Object::from(c), &format!("bound to PersistentVolume {pv_name}")) {
                Some(Object::PersistentVolumeClaim(s)) => *s,
                _ => return,
            }
        } else {
            c
        };
        self.update_claim_status(&c, "Bound", Some(&v), &format!("bound to PersistentVolume {pv_name}"));
    }

    /// `updateClaimStatus`: the phase, and the volume's access modes and capacity (or none).
    fn update_claim_status(
        &mut self,
        claim: &PersistentVolumeClaim,
        phase: &str,
        pv: Option<&PersistentVolume>,
        why: &str,
    ) {
        let mut c = claim.clone();
        let status = c.status.get_or_insert_with(Default::default);
        status.phase = Some(phase.to_string());
        match pv {
            None => {
                if phase != "Lost" {
                    status.access_modes = None;
                    status.capacity = None;
                }
            }
            Some(pv) => {
                let spec = pv.spec.clone().unwrap_or_default();
                status.access_modes = spec.access_modes.clone();
                status.capacity = spec.capacity.clone();
            }
        }
        if c != *claim {
            self.store_write(CONTROLLER, Object::from(c), &format!("claim {phase}: {why}"));
        }
    }

    /// `updateVolumePhase`: phase and message, with `lastPhaseTransitionTime` when the phase changes.
    fn update_volume_phase(
        &mut self,
        pv: &PersistentVolume,
        phase: &str,
        message: &str,
        why: &str,
    ) -> Option<PersistentVolume> {
        let old = pv.status.clone().unwrap_or_default();
        if old.phase.as_deref() == Some(phase) && old.message.as_deref().unwrap_or_default() == message {
            return None;
        }
        let mut v = pv.clone();
        let status = v.status.get_or_insert_with(Default::default);
        if status.phase.as_deref() != Some(phase) {
            status.last_phase_transition_time = Some(api_time(self.clock.now()));
        }
        status.phase = Some(phase.to_string());
        status.message = (!message.is_empty()).then(|| message.to_string());
        match self.store_write(CONTROLLER, Object::from(v), &format!("volume {phase}: {why}")) {
            Some(Object::PersistentVolume(s)) => Some(*s),
            _ => None,
        }
    }

    /// A controller's write straight to the store (spec or status), logged with its cause.
    fn store_write(&mut self, actor: &str, obj: Object, why: &str) -> Option<Object> {
        self.write_object_status(actor, obj, why)
    }

    fn sync_volume(&mut self, key: &ObjectKey) {
        let Some(Object::PersistentVolume(pv)) = self.store.get(key).cloned() else { return };
        let pv = *pv;
        let Some(r) = pv.spec.as_ref().and_then(|s| s.claim_ref.clone()) else {
            self.update_volume_phase(&pv, "Available", "", "no claim refers to it");
            return;
        };
        if r.uid.as_deref().unwrap_or_default().is_empty() {
            self.update_volume_phase(&pv, "Available", "", "reserved (pre-bound) for a claim that is not bound yet");
            return;
        }
        let ns = r.namespace.clone().unwrap_or_default();
        let name = r.name.clone().unwrap_or_default();
        let claim = match self.store.get(&ObjectKey::new(Kind::PersistentVolumeClaim, &ns, &name)) {
            Some(Object::PersistentVolumeClaim(c)) if c.metadata.uid == r.uid => Some((**c).clone()),
            _ => None,
        };
        let Some(claim) = claim else {
            let phase = phase_of(&pv);
            let pv = if phase != "Released" && phase != "Failed" {
                let why = format!("its claim {ns}/{name} was deleted; reclaim policy {}", reclaim_policy(&pv));
                self.update_volume_phase(&pv, "Released", "", &why).unwrap_or(pv)
            } else {
                pv
            };
            self.reclaim_volume(pv);
            return;
        };
        let bound_name = claim.spec.as_ref().and_then(|s| s.volume_name.clone()).unwrap_or_default();
        if bound_name.is_empty() {
            // The claim's sync finishes the binding.
            return;
        }
        if Some(&bound_name) == pv.metadata.name.as_ref() {
            self.update_volume_phase(&pv, "Bound", "", &format!("bound to {ns}/{name}"));
            return;
        }
        // The claim is bound to another volume.
        if ann(&pv.metadata, ANN_PROVISIONED_BY).is_some() && reclaim_policy(&pv) == "Delete" {
            let pv = if !matches!(phase_of(&pv).as_str(), "Released" | "Failed") {
                self.update_volume_phase(&pv, "Released", "", "provisioned for a claim that bound another volume")
                    .unwrap_or(pv)
            } else {
                pv
            };
            self.reclaim_volume(pv);
        } else {
            self.unbind_volume(pv, "its claim is bound to another volume");
        }
    }

    /// `unbindVolume`: a volume the controller bound loses its claimRef; one a user pre-bound keeps it
    /// without the uid. Either way it is Available again.
    fn unbind_volume(&mut self, pv: PersistentVolume, why: &str) {
        let mut v = pv.clone();
        if ann(&v.metadata, ANN_BOUND_BY_CONTROLLER).is_some() {
            if let Some(spec) = v.spec.as_mut() {
                spec.claim_ref = None;
            }
            if let Some(a) = v.metadata.annotations.as_mut() {
                a.remove(ANN_BOUND_BY_CONTROLLER);
                if a.is_empty() {
                    v.metadata.annotations = None;
                }
            }
        } else if let Some(r) = v.spec.as_mut().and_then(|s| s.claim_ref.as_mut()) {
            r.uid = None;
        }
        let v = match self.store_write(CONTROLLER, Object::from(v), &format!("unbound: {why}")) {
            Some(Object::PersistentVolume(s)) => *s,
            _ => pv,
        };
        self.update_volume_phase(&v, "Available", "", why);
    }

    /// `reclaimVolume`: Retain keeps the volume Released; Recycle runs a recycler pod for a hostPath or NFS
    /// volume and makes it Available ([`Cluster::recycle_volume`]); Delete deletes it, or leaves it to its
    /// external provisioner.
    fn reclaim_volume(&mut self, pv: PersistentVolume) {
        let name = pv.metadata.name.clone().unwrap_or_default();
        let obj = Object::from(pv.clone());
        match reclaim_policy(&pv).as_str() {
            "Recycle" => self.recycle_volume(pv),
            "Delete" => {
                let provisioned = ann(&pv.metadata, ANN_PROVISIONED_BY).unwrap_or_default().to_string();
                if !provisioned.is_empty() && !provisioned.starts_with("kubernetes.io/") {
                    // An external provisioner deletes it (for minikube's: `run_hostpath_provisioner`).
                    return;
                }
                if pv.metadata.deletion_timestamp.is_some() {
                    return;
                }
                let err = match pv.spec.as_ref().and_then(|s| s.host_path.as_ref()).map(|h| h.path.clone()) {
                    // The hostPath deleter (`host_path.go`) only removes paths under /tmp (in
                    // kube-controller-manager's own filesystem: the nodes' directories are left as they are).
                    Some(p) if p.len() > 5 && p.starts_with("/tmp/") => None,
                    Some(p) => Some(format!("host_path deleter only supports /tmp/.+ but received provided {p}")),
                    None => Some("no deletable volume plugin matched".to_string()),
                };
                match err {
                    Some(msg) => {
                        if self.update_volume_phase(&pv, "Failed", &msg, "Delete reclaim policy failed").is_some() {
                            self.emit_event(
                                &obj,
                                "Warning",
                                "VolumeFailedDelete",
                                &msg,
                                &Reporter::component(CONTROLLER),
                            );
                        }
                    }
                    None => {
                        self.delete_volume_object(CONTROLLER, &name, "reclaim policy Delete: its claim was deleted");
                    }
                }
            }
            _ => {}
        }
    }

    /// `recycleVolumeOperation` with the hostPath and NFS recyclers (`RecycleVolumeByWatchingPodUntilCompletion`):
    /// a `recycler-for-<pv>` pod in `default` scrubs the volume; its Events are passed on to the volume as
    /// `RecyclerPod` events; when it succeeds it is deleted, the volume gets `VolumeRecycled` and is Available
    /// again. A hostPath volume is scrubbed on the node the scheduler picks for the pod, as in a real cluster
    /// (hostPath recycling is "for testing and development purposes only"). Other plugins have no recycler:
    /// the volume is Failed with `VolumeFailedRecycle`.
    fn recycle_volume(&mut self, pv: PersistentVolume) {
        let name = pv.metadata.name.clone().unwrap_or_default();
        let obj = Object::from(pv.clone());
        let period = self.clock.now() / RESYNC_MS;
        if self.volumes.recycle_failed.get(&name) == Some(&period) {
            return;
        }
        let Some(template) = recycler_pod(&pv) else {
            self.fail_recycle(
                &pv,
                "No recycler plugin found for the volume!",
                "Recycle: no recycler plugin for this volume type",
            );
            return;
        };
        let pod_name = format!("recycler-for-{name}");
        let key = ObjectKey::new(Kind::Pod, "default", &pod_name);
        let pod = match self.store.get(&key) {
            Some(Object::Pod(p)) => Some((**p).clone()),
            _ => None,
        };
        let Some(state) = self.volumes.recycling.get(&name).cloned() else {
            if pod.is_some() {
                // Someone else's pod of that name: the recycler deletes it and tries again later.
                self.delete_recycler_pod(&pod_name, "a pod of the recycler's name already existed");
                self.fail_recycle(&pv, "Recycle failed: old recycler pod found, will retry later", "Recycle: old pod");
                return;
            }
            let req = Request::new(Verb::Create, Kind::Pod).namespace("default").body(Object::from(template).to_json());
            let seq = self.log.entries().len() as u64;
            let created = self.handle(CONTROLLER, req).result;
            self.log.set_reason(seq, &format!("recycle volume {name} (reclaim policy Recycle): its claim was deleted"));
            if let Ok(crate::apiserver::Body::Object(o)) = created {
                let pod_uid = o.metadata().uid.clone().unwrap_or_default();
                self.volumes.recycling.insert(name, Recycling { pod_uid, ..Default::default() });
            }
            return;
        };
        let pod = pod.filter(|p| p.metadata.uid.as_deref() == Some(state.pod_uid.as_str()));
        // The pod's new Events, in the order they were recorded, become the volume's `RecyclerPod` events.
        let fresh: Vec<(String, String, String)> = self
            .store
            .list(Kind::Event, Some("default"))
            .filter_map(|o| match o {
                Object::Event(e)
                    if e.involved_object.name.as_deref() == Some(pod_name.as_str())
                        && e.involved_object.uid.as_deref() == Some(state.pod_uid.as_str())
                        && !state.forwarded.contains(o.name()) =>
                {
                    Some((
                        o.name().to_string(),
                        e.type_.clone().unwrap_or_default(),
                        e.message.clone().unwrap_or_default(),
                    ))
                }
                _ => None,
            })
            .collect();
        for (event, type_, message) in fresh {
            self.emit_event(
                &obj,
                &type_,
                "RecyclerPod",
                &format!("Recycler pod: {message}"),
                &Reporter::component(CONTROLLER),
            );
            if let Some(r) = self.volumes.recycling.get_mut(&name) {
                r.forwarded.insert(event);
            }
        }
        let Some(pod) = pod else {
            self.volumes.recycling.remove(&name);
            self.fail_recycle(
                &pv,
                "Recycle failed: failed to recycle volume: recycler pod was deleted",
                "Recycle: pod deleted",
            );
            return;
        };
        let status = pod.status.clone().unwrap_or_default();
        match status.phase.as_deref() {
            Some("Succeeded") => {
                self.volumes.recycling.remove(&name);
                self.delete_recycler_pod(&pod_name, "the recycler pod succeeded");
                self.emit_event(&obj, "Normal", "VolumeRecycled", "Volume recycled", &Reporter::component(CONTROLLER));
                let pv = match self.store.get(&ObjectKey::new(Kind::PersistentVolume, "", &name)) {
                    Some(Object::PersistentVolume(v)) => (**v).clone(),
                    _ => pv,
                };
                self.unbind_volume(pv, "recycled (Recycle reclaim policy)");
            }
            Some("Failed") => {
                self.volumes.recycling.remove(&name);
                self.delete_recycler_pod(&pod_name, "the recycler pod failed");
                let why = status.message.filter(|m| !m.is_empty());
                let why = why.unwrap_or_else(|| "pod failed, pod.Status.Message unknown.".to_string());
                self.fail_recycle(
                    &pv,
                    &format!("Recycle failed: failed to recycle volume: {why}"),
                    "Recycle: pod failed",
                );
            }
            _ => {}
        }
    }

    /// `updateVolumePhaseWithEvent(Failed, Warning, VolumeFailedRecycle, message)`.
    fn fail_recycle(&mut self, pv: &PersistentVolume, message: &str, why: &str) {
        let name = pv.metadata.name.clone().unwrap_or_default();
        self.volumes.recycle_failed.insert(name, self.clock.now() / RESYNC_MS);
        if let Some(v) = self.update_volume_phase(pv, "Failed", message, why) {
            self.emit_event(
                &Object::from(v),
                "Warning",
                "VolumeFailedRecycle",
                message,
                &Reporter::component(CONTROLLER),
            );
        }
    }

    fn delete_recycler_pod(&mut self, pod_name: &str, why: &str) {
        let req = Request::new(Verb::Delete, Kind::Pod).namespace("default").name(pod_name);
        let seq = self.log.entries().len() as u64;
        let _ = self.handle(CONTROLLER, req);
        self.log.set_reason(seq, why);
    }

    fn delete_volume_object(&mut self, actor: &str, name: &str, why: &str) {
        let req = Request::new(Verb::Delete, Kind::PersistentVolume).name(name);
        let seq = self.log.entries().len() as u64;
        let _ = self.handle(actor, req);
        self.log.set_reason(seq, why);
    }

    /// minikube's hostPath provisioner: for each claim of its class waiting for it (and, with
    /// WaitForFirstConsumer, for a selected node), a directory and a `pvc-<uid>` PV bound to the claim;
    /// for each Released PV of its own with reclaim Delete, the directory and the PV go.
    fn run_hostpath_provisioner(&mut self) {
        let Some(provisioner) = self.volumes.provisioner.clone().filter(|p| p.leading) else { return };
        let claims: Vec<PersistentVolumeClaim> = self
            .store
            .list(Kind::PersistentVolumeClaim, None)
            .filter_map(|o| match o {
                Object::PersistentVolumeClaim(c) => Some((**c).clone()),
                _ => None,
            })
            .filter(|c| {
                ann(&c.metadata, ANN_STORAGE_PROVISIONER).or(ann(&c.metadata, ANN_BETA_STORAGE_PROVISIONER))
                    == Some(MINIKUBE_PROVISIONER)
                    && c.spec.as_ref().and_then(|s| s.volume_name.as_deref()).unwrap_or_default().is_empty()
                    && c.metadata.deletion_timestamp.is_none()
            })
            .collect();
        for claim in claims {
            let uid = claim.metadata.uid.clone().unwrap_or_default();
            let pv_name = format!("pvc-{uid}");
            if self.store.get(&ObjectKey::new(Kind::PersistentVolume, "", &pv_name)).is_some() {
                continue;
            }
            let class = claim_class(&claim);
            let Some(sc) = self.storage_class(&class).filter(|s| s.provisioner == MINIKUBE_PROVISIONER) else {
                continue;
            };
            let wffc = sc.volume_binding_mode.as_deref() == Some("WaitForFirstConsumer");
            if wffc && ann(&claim.metadata, ANN_SELECTED_NODE).is_none() {
                continue;
            }
            self.provision_hostpath(&provisioner, &claim, &sc, &pv_name);
        }
        let released: Vec<PersistentVolume> = self
            .all_volumes()
            .into_iter()
            .filter(|v| {
                phase_of(v) == "Released"
                    && reclaim_policy(v) == "Delete"
                    && ann(&v.metadata, ANN_PROVISIONED_BY) == Some(MINIKUBE_PROVISIONER)
                    && ann(&v.metadata, ANN_HOSTPATH_IDENTITY) == Some(provisioner.identity.as_str())
                    && v.metadata.deletion_timestamp.is_none()
            })
            .collect();
        for pv in released {
            let name = pv.metadata.name.clone().unwrap_or_default();
            if let Some(path) = pv.spec.as_ref().and_then(|s| s.host_path.as_ref()).map(|h| h.path.clone()) {
                let fs = &mut self.ensure_agent(&provisioner.node).host_fs;
                crate::kubelet::volumes::remove(fs, &path);
            }
            let claim =
                pv.spec.as_ref().and_then(|s| s.claim_ref.as_ref()).map(|r| {
                    format!("{}/{}", r.namespace.clone().unwrap_or_default(), r.name.clone().unwrap_or_default())
                });
            let why = format!(
                "{MINIKUBE_PROVISIONER} deleted the volume and its directory on {} (claim {} gone, reclaim policy Delete)",
                provisioner.node,
                claim.unwrap_or_default()
            );
            self.delete_volume_object(PROVISIONER_ACTOR, &name, &why);
        }
    }

    fn provision_hostpath(&mut self, p: &Provisioner, claim: &PersistentVolumeClaim, sc: &StorageClass, pv_name: &str) {
        let ns = claim.metadata.namespace.clone().unwrap_or_default();
        let name = claim.metadata.name.clone().unwrap_or_default();
        let source = p.source();
        let obj = Object::from(claim.clone());
        let msg = format!("External provisioner is provisioning volume for claim \"{ns}/{name}\"");
        self.emit_event(&obj, "Normal", "Provisioning", &msg, &Reporter::component(&source));
        let path = format!("{HOSTPATH_ROOT}/{ns}/{name}");
        {
            let fs = &mut self.ensure_agent(&p.node).host_fs;
            crate::kubelet::volumes::make_dir(fs, &path, 0o777);
        }
        let spec = claim.spec.clone().unwrap_or_default();
        let storage = spec
            .resources
            .as_ref()
            .and_then(|r| r.requests.as_ref())
            .and_then(|r| r.get("storage").cloned())
            .unwrap_or_else(|| ApiQuantity("0".into()));
        let pv = PersistentVolume {
            metadata: ObjectMeta {
                name: Some(pv_name.to_string()),
                annotations: Some(
                    [
                        (ANN_HOSTPATH_IDENTITY.to_string(), p.identity.clone()),
                        (ANN_PROVISIONED_BY.to_string(), MINIKUBE_PROVISIONER.to_string()),
                    ]
                    .into(),
                ),
                ..Default::default()
            },
            spec: Some(PersistentVolumeSpec {
                access_modes: spec.access_modes.clone(),
                capacity: Some([("storage".to_string(), storage)].into()),
                claim_ref: Some(claim_ref(claim)),
                host_path: Some(HostPathVolumeSource { path: path.clone(), type_: None }),
                mount_options: sc.mount_options.clone(),
                persistent_volume_reclaim_policy: Some(sc.reclaim_policy.clone().unwrap_or_else(|| "Delete".into())),
                storage_class_name: sc.metadata.name.clone(),
                volume_mode: spec.volume_mode.clone(),
                ..Default::default()
            }),
            status: None,
        };
        let body = Object::from(pv).to_json();
        let seq = self.log.entries().len() as u64;
        let res = self.handle(PROVISIONER_ACTOR, Request::new(Verb::Create, Kind::PersistentVolume).body(body));
        match res.result {
            Ok(_) => {
                self.log.set_reason(
                    seq,
                    &format!(
                        "{MINIKUBE_PROVISIONER} provisioned it for claim {ns}/{name}: directory {path} on {}",
                        p.node
                    ),
                );
                let msg = format!("Successfully provisioned volume {pv_name}");
                self.emit_event(&obj, "Normal", "ProvisioningSucceeded", &msg, &Reporter::component(&source));
            }
            Err(e) => {
                let msg = format!(
                    "failed to provision volume with StorageClass \"{}\": {}",
                    sc.metadata.name.clone().unwrap_or_default(),
                    e.message
                );
                self.emit_event(&obj, "Warning", "ProvisioningFailed", &msg, &Reporter::component(&source));
            }
        }
    }

    /// The expand controller (`pkg/controller/volume/expand`, `syncHandler`): a Bound claim whose storage request
    /// exceeds its `status.capacity` needs its volume grown. No volume plugin in kube-controller-manager can
    /// expand a hostPath (or any) volume here, so it leaves the claim to an external resizer with the
    /// `ExternalExpanding` warning. minikube runs no resizer (its hostPath provisioner cannot expand), so
    /// nothing else happens, as on a real minikube: the request stays above the capacity, no condition is set,
    /// and the claim may be brought back down to just above its capacity (RecoverVolumeExpansionFailure).
    fn expand_claims(&mut self) {
        let pending: Vec<(PersistentVolumeClaim, String)> = self
            .store
            .list(Kind::PersistentVolumeClaim, None)
            .filter_map(|o| match o {
                Object::PersistentVolumeClaim(c) => Some((**c).clone()),
                _ => None,
            })
            .filter(|c| claim_phase(c) == "Bound" && c.metadata.deletion_timestamp.is_none())
            .filter(|c| {
                let capacity = c.status.as_ref().and_then(|s| s.capacity.as_ref()).and_then(|m| m.get("storage"));
                let capacity = capacity.and_then(|q| Quantity::parse(&q.0).ok()).unwrap_or_else(Quantity::zero);
                requested(c).cmp_value(&capacity) == std::cmp::Ordering::Greater
            })
            .map(|c| {
                let rv = c.metadata.resource_version.clone().unwrap_or_default();
                (c, rv)
            })
            .collect();
        let live: std::collections::BTreeSet<String> =
            pending.iter().filter_map(|(c, _)| c.metadata.uid.clone()).collect();
        self.volumes.expanding.retain(|uid, _| live.contains(uid));
        for (claim, rv) in pending {
            let uid = claim.metadata.uid.clone().unwrap_or_default();
            if self.volumes.expanding.get(&uid) == Some(&rv) {
                continue;
            }
            self.volumes.expanding.insert(uid, rv);
            let obj = Object::from(claim);
            let msg = "waiting for an external controller to expand this PVC";
            self.emit_event(&obj, "Warning", "ExternalExpanding", msg, &Reporter::component(EXPAND_CONTROLLER));
        }
    }

    /// The PVC protection controller: a claim being deleted keeps `kubernetes.io/pvc-protection` while a
    /// scheduled pod uses it.
    fn protect_claims(&mut self) {
        let deleting: Vec<PersistentVolumeClaim> = self
            .store
            .list(Kind::PersistentVolumeClaim, None)
            .filter_map(|o| match o {
                Object::PersistentVolumeClaim(c)
                    if c.metadata.deletion_timestamp.is_some()
                        && c.metadata.finalizers.iter().flatten().any(|f| f == PVC_PROTECTION) =>
                {
                    Some((**c).clone())
                }
                _ => None,
            })
            .collect();
        for claim in deleting {
            // Informed guess: pods that have finished (Succeeded/Failed) no longer hold the claim.
            let users: Vec<String> = pods_using(&self.store, &claim)
                .into_iter()
                .filter(|(_, s, done)| *s && !done)
                .map(|(n, _, _)| n)
                .collect();
            if !users.is_empty() {
                continue;
            }
            let mut c = claim.clone();
            c.metadata.finalizers.get_or_insert_with(Vec::new).retain(|f| f != PVC_PROTECTION);
            let current = Object::from(claim);
            let why = "no pod uses the claim any more: finalizer kubernetes.io/pvc-protection removed";
            let seq = self.log.entries().len() as u64;
            let _ = self.write_update(PVC_PROTECTION_CONTROLLER, current, Object::from(c), false, why);
            self.log.set_reason(seq, why);
        }
    }

    /// The PV protection controller: a volume being deleted keeps `kubernetes.io/pv-protection` while Bound.
    fn protect_volumes(&mut self) {
        let deleting: Vec<PersistentVolume> = self
            .all_volumes()
            .into_iter()
            .filter(|v| {
                v.metadata.deletion_timestamp.is_some()
                    && v.metadata.finalizers.iter().flatten().any(|f| f == PV_PROTECTION)
                    && phase_of(v) != "Bound"
            })
            .collect();
        for pv in deleting {
            let mut v = pv.clone();
            v.metadata.finalizers.get_or_insert_with(Vec::new).retain(|f| f != PV_PROTECTION);
            let why = "the volume is not bound: finalizer kubernetes.io/pv-protection removed";
            let seq = self.log.entries().len() as u64;
            let _ = self.write_update(PV_PROTECTION_CONTROLLER, Object::from(pv), Object::from(v), false, why);
            self.log.set_reason(seq, why);
        }
    }
}

/// The scheduler's VolumeBinding plugin over the store (`pkg/scheduler/framework/plugins/volumebinding`).
pub struct StoreVolumeBinding<'a> {
    pub store: &'a Store,
}

/// The claims a pod's volumes name, in volume order.
fn pod_claims(store: &Store, pod: &Pod) -> Vec<(String, Option<PersistentVolumeClaim>)> {
    let ns = pod.metadata.namespace.as_deref().unwrap_or_default();
    pod.spec
        .iter()
        .flat_map(|s| s.volumes.iter().flatten())
        .filter_map(|v| v.persistent_volume_claim.as_ref().map(|c| c.claim_name.clone()))
        .map(|name| {
            let claim = match store.get(&ObjectKey::new(Kind::PersistentVolumeClaim, ns, &name)) {
                Some(Object::PersistentVolumeClaim(c)) => Some((**c).clone()),
                _ => None,
            };
            (name, claim)
        })
        .collect()
}

fn class_of(store: &Store, claim: &PersistentVolumeClaim) -> Option<StorageClass> {
    match store.get(&ObjectKey::new(Kind::StorageClass, "", &claim_class(claim))) {
        Some(Object::StorageClass(sc)) => Some((**sc).clone()),
        _ => None,
    }
}

fn delayed(store: &Store, claim: &PersistentVolumeClaim) -> bool {
    class_of(store, claim).and_then(|s| s.volume_binding_mode).as_deref() == Some("WaitForFirstConsumer")
}

fn unbound(claim: &PersistentVolumeClaim) -> bool {
    claim.spec.as_ref().and_then(|s| s.volume_name.as_deref()).unwrap_or_default().is_empty()
}

/// Whether the volume's required node affinity admits the node.
fn volume_fits_node(pv: &PersistentVolume, node: &Node) -> bool {
    match pv.spec.as_ref().and_then(|s| s.node_affinity.as_ref()).and_then(|a| a.required.as_ref()) {
        Some(sel) => sel.node_selector_terms.iter().any(|t| crate::scheduler::affinity::term_matches(t, node)),
        None => true,
    }
}

fn volumes_in(store: &Store) -> Vec<PersistentVolume> {
    store
        .list(Kind::PersistentVolume, None)
        .filter_map(|o| match o {
            Object::PersistentVolume(pv) => Some((**pv).clone()),
            _ => None,
        })
        .collect()
}

/// The unbound volume a delayed claim would get on `node` (`FindMatchingVolume` with a node).
fn match_on_node(store: &Store, claim: &PersistentVolumeClaim, node: &Node) -> Option<PersistentVolume> {
    let fitting: Vec<PersistentVolume> = volumes_in(store).into_iter().filter(|v| volume_fits_node(v, node)).collect();
    find_matching_volume(claim, &fitting, false).cloned()
}

impl crate::scheduler::VolumeBinding for StoreVolumeBinding<'_> {
    fn pre_filter(&self, pod: &Pod) -> Result<(), String> {
        let claims = pod_claims(self.store, pod);
        let mut immediate = false;
        for (name, claim) in &claims {
            let Some(claim) = claim else { return Err(format!("persistentvolumeclaim \"{name}\" not found")) };
            if claim_phase(claim) == "Lost" {
                let volume = claim.spec.as_ref().and_then(|s| s.volume_name.clone()).unwrap_or_default();
                return Err(format!(
                    "persistentvolumeclaim \"{name}\" bound to non-existent persistentvolume \"{volume}\""
                ));
            }
            if claim.metadata.deletion_timestamp.is_some() {
                return Err(format!("persistentvolumeclaim \"{name}\" is being deleted"));
            }
            if unbound(claim) && !delayed(self.store, claim) {
                immediate = true;
            }
        }
        if immediate {
            return Err("pod has unbound immediate PersistentVolumeClaims".into());
        }
        Ok(())
    }

    /// ReadWriteOncePod: a claim with that mode that a scheduled pod already uses turns every node down
    /// (`ErrReasonReadWriteOncePodConflict`; the count is cluster-wide, as the plugin's PreFilter makes it).
    fn restrictions(&self, pod: &Pod, _node: &crate::scheduler::NodeInfo) -> Result<(), String> {
        for (_, claim) in pod_claims(self.store, pod) {
            let Some(claim) = claim else { continue };
            if !claim_modes(&claim).iter().any(|m| m == "ReadWriteOncePod") {
                continue;
            }
            let users = pods_using(self.store, &claim);
            let others = users.iter().filter(|(name, scheduled, done)| {
                *scheduled && !done && Some(name.as_str()) != pod.metadata.name.as_deref()
            });
            if others.count() > 0 {
                return Err(ERR_RWOP_CONFLICT.into());
            }
        }
        Ok(())
    }

    fn filter(&self, pod: &Pod, node: &crate::scheduler::NodeInfo) -> Result<(), String> {
        let node = node.node.as_ref();
        let node_name = node.metadata.name.as_deref().unwrap_or_default();
        for (_, claim) in pod_claims(self.store, pod) {
            let Some(claim) = claim else { continue };
            if unbound(&claim) {
                if let Some(selected) = ann(&claim.metadata, ANN_SELECTED_NODE) {
                    if selected != node_name {
                        return Err(ERR_BIND_CONFLICT.into());
                    }
                    continue;
                }
                if match_on_node(self.store, &claim, node).is_some() {
                    continue;
                }
                let provisioner = class_of(self.store, &claim).map(|s| s.provisioner).unwrap_or_default();
                if provisioner.is_empty() || provisioner == "kubernetes.io/no-provisioner" {
                    return Err(ERR_BIND_CONFLICT.into());
                }
                continue;
            }
            let pv_name = claim.spec.as_ref().and_then(|s| s.volume_name.clone()).unwrap_or_default();
            match self.store.get(&ObjectKey::new(Kind::PersistentVolume, "", &pv_name)) {
                Some(Object::PersistentVolume(pv)) => {
                    if !volume_fits_node(pv, node) {
                        return Err("node(s) had volume node affinity conflict".into());
                    }
                }
                _ => return Err("node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)".into()),
            }
        }
        Ok(())
    }
}

/// `ErrReasonReadWriteOncePodConflict` of the VolumeRestrictions plugin.
pub const ERR_RWOP_CONFLICT: &str =
    "node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode";

/// `ErrReasonBindConflict` of the VolumeBinding plugin.
pub const ERR_BIND_CONFLICT: &str = "node(s) didn't find available persistent volumes to bind";

impl Cluster {
    /// VolumeBinding's PreBind for the node the scheduler chose: each delayed claim still unbound gets a
    /// volume reserved for it (the volume's claimRef) or, with none, the `selected-node` annotation that
    /// starts provisioning. True once every claim of the pod is bound: then the pod may be bound too.
    pub(crate) fn prebind_volumes(&mut self, pod: &Pod, node: &str) -> bool {
        let claims = pod_claims(&self.store, pod);
        let mut ready = true;
        let Some(node_obj) = self.store.get(&ObjectKey::new(Kind::Node, "", node)).and_then(Object::as_node).cloned()
        else {
            return true;
        };
        let pod_name = pod.metadata.name.clone().unwrap_or_default();
        for (_, claim) in claims {
            let Some(claim) = claim else { continue };
            if !unbound(&claim) {
                if claim_phase(&claim) != "Bound" {
                    ready = false;
                }
                continue;
            }
            ready = false;
            if !delayed(&self.store, &claim) || ann(&claim.metadata, ANN_SELECTED_NODE).is_some() {
                continue;
            }
            let reserved = volumes_in(&self.store).into_iter().any(|v| is_volume_bound_to_claim(&v, &claim));
            if reserved {
                continue;
            }
            let ck = claim_key(&claim);
            if let Some(mut pv) = match_on_node(&self.store, &claim, &node_obj) {
                pv.spec.get_or_insert_with(Default::default).claim_ref = Some(claim_ref(&claim));
                set_ann(&mut pv.metadata, ANN_BOUND_BY_CONTROLLER, "yes");
                let why = format!("reserved for claim {ck} of pod {pod_name}, scheduled to {node}");
                self.store_write("default-scheduler", Object::from(pv), &why);
            } else {
                let mut c = claim.clone();
                set_ann(&mut c.metadata, ANN_SELECTED_NODE, node);
                let why = format!("first consumer {pod_name} scheduled to {node}: provision the volume there");
                self.store_write("default-scheduler", Object::from(c), &why);
            }
        }
        ready
    }
}

/// `GetWarningsForPersistentVolume` (the part kubeground's volumes can meet): Recycle is deprecated.
pub fn warnings_for(obj: &Object) -> Vec<String> {
    match obj {
        Object::PersistentVolume(pv) if reclaim_policy(pv) == "Recycle" => vec![
            "spec.persistentVolumeReclaimPolicy: The Recycle reclaim policy is deprecated. Instead, the recommended approach is to use dynamic provisioning.".to_string(),
        ],
        _ => Vec::new(),
    }
}

/// The recycler image and scrub of k/k `NewPersistentVolumeRecyclerPodTemplate` (the newest stored source;
/// kubernetes#117283 made the scrub `find -delete`).
pub const RECYCLER_IMAGE: &str = "registry.k8s.io/build-image/debian-base:bookworm-v1.0.2";
pub const RECYCLER_SCRUB: &str =
    "test -e /scrub && find /scrub -mindepth 1 -delete && test -z \"$(ls -A /scrub)\" || exit 1";

/// `CalculateTimeoutForVolume`: `increment` seconds per whole GiB of capacity, at least `minimum`.
///
/// kube-controller-manager's defaults: hostPath 60 s minimum and 30 s per GiB, NFS 300 s and 30 s.
/// `recycler_timeout(1 GiB, 60, 30)` is 60, `recycler_timeout(10 GiB, 60, 30)` is 300,
/// `recycler_timeout(500 MiB, 300, 30)` is 300.
pub fn recycler_timeout(bytes: i128, minimum: i64, increment: i64) -> i64 {
    let gib = (bytes / (1 << 30)) as i64;
    (gib * increment).max(minimum)
}

/// The recycler pod for a hostPath or NFS volume (`hostPath`/`nfs` `Recycle`: the template with the volume's
/// source and a timeout for its size, named `recycler-for-<pv>`), or None for a plugin without a recycler.
fn recycler_pod(pv: &PersistentVolume) -> Option<Pod> {
    use k8s_openapi::api::core::v1::{Container, NFSVolumeSource, PodSpec, Volume, VolumeMount};
    let spec = pv.spec.as_ref()?;
    let bytes = capacity(pv).value();
    let (volume, timeout) = if let Some(h) = &spec.host_path {
        let source = HostPathVolumeSource { path: h.path.clone(), type_: None };
        (Volume { name: "vol".into(), host_path: Some(source), ..Default::default() }, recycler_timeout(bytes, 60, 30))
    } else if let Some(n) = &spec.nfs {
        let source = NFSVolumeSource { server: n.server.clone(), path: n.path.clone(), read_only: n.read_only };
        (Volume { name: "vol".into(), nfs: Some(source), ..Default::default() }, recycler_timeout(bytes, 300, 30))
    } else {
        return None;
    };
    Some(Pod {
        metadata: ObjectMeta {
            name: Some(format!("recycler-for-{}", pv.metadata.name.as_deref().unwrap_or_default())),
            namespace: Some("default".into()),
            ..Default::default()
        },
        spec: Some(PodSpec {
            active_deadline_seconds: Some(timeout),
            restart_policy: Some("Never".into()),
            volumes: Some(vec![volume]),
            containers: vec![Container {
                name: "pv-recycler".into(),
                image: Some(RECYCLER_IMAGE.into()),
                command: Some(vec!["/bin/sh".into()]),
                args: Some(vec!["-c".into(), RECYCLER_SCRUB.into()]),
                volume_mounts: Some(vec![VolumeMount {
                    name: "vol".into(),
                    mount_path: "/scrub".into(),
                    ..Default::default()
                }]),
                ..Default::default()
            }],
            ..Default::default()
        }),
        status: None,
    })
}

fn reclaim_policy(pv: &PersistentVolume) -> String {
    pv.spec.as_ref().and_then(|s| s.persistent_volume_reclaim_policy.clone()).unwrap_or_else(|| "Retain".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recycler_timeouts_follow_calculate_timeout_for_volume() {
        const GIB: i128 = 1 << 30;
        let cases = [
            (GIB, 60, 30, 60),
            (2 * GIB, 60, 30, 60),
            (3 * GIB, 60, 30, 90),
            (10 * GIB, 60, 30, 300),
            (GIB / 2, 300, 30, 300),
            (20 * GIB, 300, 30, 600),
        ];
        for (bytes, minimum, increment, want) in cases {
            assert_eq!(recycler_timeout(bytes, minimum, increment), want, "{bytes} bytes");
        }
    }
    use serde_json::json;

    fn pv(name: &str, size: &str, modes: &[&str], class: &str) -> PersistentVolume {
        serde_json::from_value(json!({
            "metadata": {"name": name},
            "spec": {"capacity": {"storage": size}, "accessModes": modes, "storageClassName": class}
        }))
        .unwrap()
    }

    fn claim(size: &str, modes: &[&str], class: &str) -> PersistentVolumeClaim {
        serde_json::from_value(json!({
            "metadata": {"name": "c", "namespace": "default", "uid": "u1"},
            "spec": {"resources": {"requests": {"storage": size}}, "accessModes": modes, "storageClassName": class}
        }))
        .unwrap()
    }

    #[test]
    fn the_smallest_fitting_volume_wins() {
        let vols = [
            pv("pv-a", "5Gi", &["ReadWriteOnce"], "manual"),
            pv("pv-b", "2Gi", &["ReadWriteOnce"], "manual"),
            pv("pv-c", "1Gi", &["ReadWriteMany"], "manual"),
            pv("pv-d", "1Gi", &["ReadWriteOnce"], "other"),
            pv("pv-e", "500Mi", &["ReadWriteOnce"], "manual"),
        ];
        let c = claim("1Gi", &["ReadWriteOnce"], "manual");
        assert_eq!(find_matching_volume(&c, &vols, false).unwrap().metadata.name.as_deref(), Some("pv-b"));
        // WaitForFirstConsumer: unbound volumes are the scheduler's business.
        assert!(find_matching_volume(&c, &vols, true).is_none());
        // A volume offering RWO and RWX serves an RWO claim; a class-less claim needs a class-less volume.
        let vols = [pv("pv-x", "1Gi", &["ReadWriteOnce", "ReadWriteMany"], "")];
        assert!(find_matching_volume(&claim("1Gi", &["ReadWriteOnce"], ""), &vols, false).is_some());
        assert!(find_matching_volume(&claim("1Gi", &["ReadWriteOnce"], "manual"), &vols, false).is_none());
        assert!(find_matching_volume(&claim("2Gi", &["ReadWriteOnce"], ""), &vols, false).is_none());
    }

    #[test]
    fn a_volume_pre_bound_to_the_claim_wins_and_one_bound_elsewhere_never_matches() {
        let mut pre = pv("pv-big", "10Gi", &["ReadWriteOnce"], "manual");
        pre.spec.as_mut().unwrap().claim_ref =
            Some(ObjectReference { name: Some("c".into()), namespace: Some("default".into()), ..Default::default() });
        let mut other = pv("pv-small", "1Gi", &["ReadWriteOnce"], "manual");
        other.spec.as_mut().unwrap().claim_ref = Some(ObjectReference {
            name: Some("d".into()),
            namespace: Some("default".into()),
            uid: Some("u2".into()),
            ..Default::default()
        });
        let c = claim("1Gi", &["ReadWriteOnce"], "manual");
        let vols = [other.clone(), pre];
        assert_eq!(find_matching_volume(&c, &vols, true).unwrap().metadata.name.as_deref(), Some("pv-big"));
        assert!(find_matching_volume(&c, &[other], false).is_none());
    }
}

#[cfg(test)]
mod property_tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use crate::apiserver::{Request, Verb};
    use crate::cluster::Cluster;
    use crate::object::{Kind, Object};
    use crate::rng::Rng;

    /// Random sequences of volume and claim creations and deletions: a volume is bound to at most one claim,
    /// a Bound claim's volume points back at it, and no two claims hold the same volume.
    #[test]
    fn a_volume_is_bound_to_at_most_one_claim() {
        for seed in 0..6u64 {
            let mut c = Cluster::new(seed);
            let mut rng = Rng::new(seed + 100);
            let classes = ["manual", "standard", ""];
            let sizes = ["1Gi", "2Gi", "500Mi", "5Gi"];
            let modes = ["ReadWriteOnce", "ReadWriteMany"];
            for step in 0..40 {
                let pick = |rng: &mut Rng, xs: &[&'static str]| xs[rng.below(xs.len() as u64) as usize];
                match rng.below(5) {
                    0 | 1 => {
                        let body = json!({"apiVersion": "v1", "kind": "PersistentVolume",
                            "metadata": {"name": format!("pv-{step}")},
                            "spec": {"storageClassName": pick(&mut rng, &classes), "capacity": {"storage": pick(&mut rng, &sizes)},
                                "accessModes": [pick(&mut rng, &modes)],
                                "persistentVolumeReclaimPolicy": pick(&mut rng, &["Retain", "Delete"]),
                                "hostPath": {"path": format!("/tmp/pv-{step}")}}});
                        let _ = c.handle("kubectl", Request::new(Verb::Create, Kind::PersistentVolume).body(body));
                    }
                    2 | 3 => {
                        let body = json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                            "metadata": {"name": format!("claim-{}", rng.below(6))},
                            "spec": {"storageClassName": pick(&mut rng, &classes), "accessModes": [pick(&mut rng, &modes)],
                                "resources": {"requests": {"storage": pick(&mut rng, &sizes)}}}});
                        let _ = c.handle(
                            "kubectl",
                            Request::new(Verb::Create, Kind::PersistentVolumeClaim).namespace("default").body(body),
                        );
                    }
                    _ => {
                        let req = Request::new(Verb::Delete, Kind::PersistentVolumeClaim)
                            .namespace("default")
                            .name(format!("claim-{}", rng.below(6)));
                        let _ = c.handle("kubectl", req);
                    }
                }
                c.settle();
                c.step(1000 * rng.below(20));
                let mut holders: BTreeMap<String, String> = BTreeMap::new();
                for o in c.store().list(Kind::PersistentVolumeClaim, None) {
                    let Object::PersistentVolumeClaim(claim) = o else { continue };
                    let Some(v) = claim.spec.as_ref().and_then(|s| s.volume_name.clone()) else { continue };
                    let name = claim.metadata.name.clone().unwrap();
                    assert!(
                        holders.insert(v.clone(), name.clone()).is_none(),
                        "seed {seed} step {step}: {v} held twice"
                    );
                    if claim.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Bound") {
                        let Ok(Object::PersistentVolume(pv)) = c.get(Kind::PersistentVolume, "", &v) else {
                            panic!("seed {seed} step {step}: {name} bound to missing {v}")
                        };
                        let r = pv.spec.as_ref().and_then(|s| s.claim_ref.as_ref()).expect("claimRef");
                        assert_eq!(r.uid, claim.metadata.uid, "seed {seed} step {step}: {v} points elsewhere");
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod lifecycle_tests {
    use serde_json::json;

    use super::{claim_phase, MINIKUBE_PROVISIONER, PRIMARY_NODE};
    use crate::apiserver::{Request, Verb};
    use crate::cluster::Cluster;
    use crate::object::{Kind, Object};
    use crate::store::ObjectKey;

    /// The event log tells a claim's and its volume's story: provisioned, bound, mounted, released, deleted.
    #[test]
    fn every_volume_transition_is_in_the_event_log() {
        let mut c = Cluster::new(3);
        let start = c.log().entries().len();
        let claim = json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data"},
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}});
        let _ = c.handle(
            "kubectl",
            Request::new(Verb::Create, Kind::PersistentVolumeClaim).namespace("default").body(claim),
        );
        let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "a", "image": "busybox", "command": ["sh", "-c", "echo x > /d/f; sleep 100"],
                "volumeMounts": [{"name": "d", "mountPath": "/d"}]}],
                "volumes": [{"name": "d", "persistentVolumeClaim": {"claimName": "data"}}]}});
        let _ = c.handle("kubectl", Request::new(Verb::Create, Kind::Pod).namespace("default").body(pod));
        c.step(10_000);
        let _ = c.handle(
            "kubectl",
            Request::new(Verb::Delete, Kind::PersistentVolumeClaim).namespace("default").name("data"),
        );
        let _ = c.handle("kubectl", Request::new(Verb::Delete, Kind::Pod).namespace("default").name("p"));
        c.step(40_000);
        let story: Vec<String> = c.log().entries()[start..]
            .iter()
            .filter(|e| matches!(e.kind, Kind::PersistentVolume | Kind::PersistentVolumeClaim))
            .map(|e| format!("{:?} {} {}: {}", e.kind, e.actor, e.name.split('-').next().unwrap_or_default(), e.reason))
            .collect();
        let has = |needle: &str| story.iter().any(|s| s.contains(needle));
        assert!(has("waiting for the external provisioner k8s.io/minikube-hostpath"), "{story:#?}");
        assert!(has("k8s.io/minikube-hostpath provisioned it for claim default/data"), "{story:#?}");
        assert!(has("bound to PersistentVolume pvc-"), "{story:#?}");
        assert!(has("mounted into pod p on worker-"), "{story:#?}");
        assert!(has("unmounted from pod p on worker-"), "{story:#?}");
        assert!(has("no pod uses the claim any more"), "{story:#?}");
        assert!(has("volume Released: its claim default/data was deleted; reclaim policy Delete"), "{story:#?}");
        assert!(has("deleted the volume and its directory"), "{story:#?}");
        assert!(c.store().list(Kind::PersistentVolume, None).next().is_none());
    }

    fn claim_body(name: &str, class: Option<&str>, size: &str) -> serde_json::Value {
        let mut body = json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": name},
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}}}});
        if let Some(class) = class {
            body["spec"]["storageClassName"] = json!(class);
        }
        body
    }

    fn phase(c: &Cluster, name: &str) -> String {
        match c.store().get(&ObjectKey::new(Kind::PersistentVolumeClaim, "default", name)) {
            Some(Object::PersistentVolumeClaim(p)) => claim_phase(p),
            _ => String::new(),
        }
    }

    #[test]
    fn claims_wait_while_the_provisioner_pod_is_gone_and_a_new_one_leads_after_the_lock_expires() {
        let mut c = Cluster::new(0);
        assert!(c.volumes.provisioner.as_ref().is_some_and(|p| p.leading && p.node == PRIMARY_NODE));
        let del = Request::new(Verb::Delete, Kind::Pod).namespace("kube-system").name("storage-provisioner");
        assert!(c.handle("kubectl", del).result.is_ok());
        c.step(1_000);
        assert!(c.volumes.provisioner.is_none());
        let create = Request::new(Verb::Create, Kind::PersistentVolumeClaim).namespace("default");
        assert!(c.handle("kubectl", create.body(claim_body("data", None, "1Gi"))).result.is_ok());
        c.step(30_000);
        assert_eq!(phase(&c, "data"), "Pending");
        let waiting =
            c.store().list(Kind::Event, Some("default")).filter(|e| e.to_json()["reason"] == "ExternalProvisioning");
        assert!(waiting.map(|e| e.to_json()["count"].as_i64().unwrap_or(1)).sum::<i64>() >= 2);
        c.enable_storage_provisioner();
        c.step(2_000);
        assert_eq!(phase(&c, "data"), "Bound");
        let p = c.volumes.provisioner.clone().unwrap();
        assert!(p.leading && p.node.starts_with("worker-"), "{p:?}");
    }

    #[test]
    fn a_claim_grows_only_when_its_class_allows_expansion_and_then_waits_for_a_resizer() {
        let mut c = Cluster::new(0);
        let class = json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "growable"},
            "provisioner": MINIKUBE_PROVISIONER, "allowVolumeExpansion": true});
        assert!(c.handle("kubectl", Request::new(Verb::Create, Kind::StorageClass).body(class)).result.is_ok());
        for (name, class) in [("fixed", None), ("grow", Some("growable"))] {
            let create = Request::new(Verb::Create, Kind::PersistentVolumeClaim).namespace("default");
            assert!(c.handle("kubectl", create.body(claim_body(name, class, "1Gi"))).result.is_ok());
        }
        c.step(1_000);
        let grow = |c: &mut Cluster, name: &str, size: &str| {
            let mut body =
                c.store().get(&ObjectKey::new(Kind::PersistentVolumeClaim, "default", name)).unwrap().to_json();
            body["spec"]["resources"]["requests"]["storage"] = json!(size);
            let req = Request::new(Verb::Update, Kind::PersistentVolumeClaim).namespace("default").name(name);
            c.handle("kubectl", req.body(body)).result.map(|_| ())
        };
        let refused = grow(&mut c, "fixed", "2Gi").unwrap_err();
        assert_eq!(refused.code, 403);
        assert!(refused.message.ends_with("the storageclass that provisions the pvc must support resize"));
        assert!(grow(&mut c, "grow", "512Mi")
            .unwrap_err()
            .message
            .contains("field can not be less than status.capacity"));
        assert!(grow(&mut c, "grow", "2Gi").is_ok());
        c.step(30_000);
        let expanding: Vec<_> = c
            .store()
            .list(Kind::Event, Some("default"))
            .filter(|e| e.to_json()["reason"] == "ExternalExpanding")
            .collect();
        assert_eq!(expanding.len(), 1);
        assert_eq!(expanding[0].to_json()["count"], 1);
        let claim = c.store().get(&ObjectKey::new(Kind::PersistentVolumeClaim, "default", "grow")).unwrap().to_json();
        assert_eq!(claim["status"]["capacity"]["storage"], "1Gi");
    }
}
