//! What the DaemonSet and StatefulSet controllers share: the hash that names a template's revision
//! (`controller-revision-hash`), the revision history the engine keeps in place of ControllerRevision objects,
//! a pod built from a template with its controller reference (`controller.GetPodFromTemplate`), pod readiness
//! and availability (`podutil.IsPodReady`, `IsPodAvailable`), and `intstr.GetScaledValueFromIntOrPercent`.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Pod, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::apiserver::{Propagation, Request, Verb};
use crate::clock::{sim_millis, Millis};
use crate::cluster::Cluster;
use crate::object::{Kind, Object};
use crate::store::ObjectKey;

/// Controller state the API does not hold. A real cluster keeps a StatefulSet's revisions as
/// ControllerRevision objects; the engine has no such kind, so the templates live here, by set uid and
/// revision name. The pod garbage collector's quarantine of vanished nodes lives here too.
#[derive(Clone, Debug, Default)]
pub struct AppsState {
    pub sts_revisions: BTreeMap<String, BTreeMap<String, PodTemplateSpec>>,
    /// Node name → the instant the pod GC first saw pods bound to it while the Node object was gone.
    pub missing_nodes: BTreeMap<String, Millis>,
}

/// FNV-1a, 32 bits (Go's `hash/fnv.New32a`), which `controller.HashControllerRevision` uses.
///
/// `fnv32a(b"") == 0x811c9dc5`, `fnv32a(b"a") == 0xe40c292c`.
pub fn fnv32a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5u32, |h, b| (h ^ u32::from(*b)).wrapping_mul(0x0100_0193))
}

/// `rand.SafeEncodeString`: each byte becomes a character of `bcdfghjklmnpqrstvwxz2456789` (byte modulo 27),
/// so that no vowels make words and no `0`/`1` look like `o`/`l`. Digits map to `4…9bcdf`.
///
/// `safe_encode("0123456789") == "456789bcdf"`.
pub fn safe_encode(s: &str) -> String {
    const ALPHANUMS: &[u8] = crate::rng::NAME_ALPHABET;
    s.bytes().map(|b| ALPHANUMS[b as usize % ALPHANUMS.len()] as char).collect()
}

/// The hash naming a template's revision: the decimal FNV-1a of the revision's data, safe-encoded, as
/// `HashControllerRevision` does. The data hashed is the template's JSON (the real controller hashes the
/// ControllerRevision's patch bytes, so the letters differ from a real cluster's; the shape is the same).
pub fn revision_hash(template: &PodTemplateSpec) -> String {
    let json = serde_json::to_vec(template).unwrap_or_default();
    safe_encode(&fnv32a(&json).to_string())
}

/// `metav1.NewControllerRef`: the owner reference a controller puts on what it creates.
pub fn controller_ref(owner: &Object) -> OwnerReference {
    let info = owner.kind().info();
    OwnerReference {
        api_version: info.api_version(),
        kind: info.kind.to_string(),
        name: owner.name().to_string(),
        uid: owner.metadata().uid.clone().unwrap_or_default(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }
}

/// `controller.GetPodFromTemplate`: labels, annotations and finalizers of the template, its spec, and the
/// controller reference; the name is left to the caller (`generateName` or a fixed name).
pub fn pod_from_template(template: &PodTemplateSpec, namespace: &str, owner: OwnerReference) -> Pod {
    let meta = template.metadata.clone().unwrap_or_default();
    Pod {
        metadata: ObjectMeta {
            namespace: Some(namespace.to_string()),
            labels: meta.labels,
            annotations: meta.annotations,
            finalizers: meta.finalizers,
            owner_references: Some(vec![owner]),
            ..Default::default()
        },
        spec: template.spec.clone(),
        status: None,
    }
}

/// Whether `pod` is controlled by the object with `uid`.
pub fn controlled_by(pod: &Pod, uid: &str) -> bool {
    pod.metadata.owner_references.iter().flatten().any(|r| r.controller == Some(true) && r.uid == uid)
}

fn ready_condition(pod: &Pod) -> Option<&k8s_openapi::api::core::v1::PodCondition> {
    pod.status.as_ref()?.conditions.as_ref()?.iter().find(|c| c.type_ == "Ready")
}

/// `podutil.IsPodReady`.
pub fn pod_ready(pod: &Pod) -> bool {
    ready_condition(pod).is_some_and(|c| c.status == "True")
}

/// The instant a ready pod becomes available: ready since then plus `minReadySeconds`.
pub fn available_at(pod: &Pod, min_ready_seconds: i32) -> Option<Millis> {
    let c = ready_condition(pod).filter(|c| c.status == "True")?;
    let since = c.last_transition_time.as_ref().map(sim_millis).unwrap_or(0);
    Some(since + min_ready_seconds.max(0) as u64 * 1000)
}

/// `podutil.IsPodAvailable`: ready, and for at least `minReadySeconds`.
///
/// Ready since 10 s with `minReadySeconds: 5` → available at 15 s and after; with 0 → as soon as ready.
pub fn pod_available(pod: &Pod, min_ready_seconds: i32, now: Millis) -> bool {
    pod_ready(pod) && available_at(pod, min_ready_seconds).is_some_and(|t| min_ready_seconds <= 0 || now >= t)
}

pub fn phase(pod: &Pod) -> &str {
    pod.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or_default()
}

/// `intstr.GetScaledValueFromIntOrPercent`: an integer as is, a percentage of `total` rounded up or down.
///
/// | value | total | round up | result |
/// |-------|-------|----------|--------|
/// | `2`   | 10    | –        | 2      |
/// | `25%` | 10    | yes      | 3      |
/// | `25%` | 10    | no       | 2      |
/// | `10%` | 5     | yes      | 1      |
pub fn scaled_value(v: &IntOrString, total: i32, round_up: bool) -> i32 {
    match v {
        IntOrString::Int(n) => *n,
        IntOrString::String(s) => {
            let Some(p) = s.strip_suffix('%').and_then(|p| p.parse::<i64>().ok()) else { return 0 };
            let product = p * i64::from(total);
            let v = if round_up { (product + 99).div_euclid(100) } else { product.div_euclid(100) };
            v as i32
        }
    }
}

impl Cluster {
    /// Creates a pod through the API on behalf of a controller; the event log names the cause.
    pub(crate) fn create_controlled_pod(&mut self, controller: &str, pod: Pod, why: &str) -> Option<Pod> {
        let ns = pod.metadata.namespace.clone().unwrap_or_default();
        let body = Object::from(pod).to_json();
        let seq = self.log.entries().len() as u64;
        let res = self.handle(controller, Request::new(Verb::Create, Kind::Pod).namespace(ns).body(body));
        match res.object() {
            Ok(Object::Pod(p)) => {
                self.log.set_reason(seq, &why.replace("{name}", p.metadata.name.as_deref().unwrap_or_default()));
                Some(*p)
            }
            _ => None,
        }
    }

    /// Deletes an object (gracefully, for pods) on behalf of a controller; the event log names the cause.
    pub(crate) fn controller_delete(&mut self, controller: &str, kind: Kind, ns: &str, name: &str, why: &str) {
        let Some(current) = self.store.get(&ObjectKey::new(kind, ns, name)).cloned() else { return };
        let seq = self.log.entries().len() as u64;
        self.delete_object(controller, current, Some(Propagation::Background));
        self.log.set_reason(seq, why);
    }

    /// Writes `status` of a workload straight to the store (the status subresource), when it changed.
    pub(crate) fn write_workload_status(&mut self, controller: &str, updated: Object, why: &str) {
        let key = ObjectKey::of(&updated);
        if self.store.get(&key).is_some_and(|o| *o == updated) {
            return;
        }
        self.store.replace(updated);
        self.record(controller, crate::event_log::Change::Updated, &key, why);
    }

    /// The next instant a ready pod of a DaemonSet or StatefulSet with `minReadySeconds` becomes available.
    pub(crate) fn apps_wakeup(&self) -> Option<Millis> {
        let now = self.clock.now();
        let mut min_ready: BTreeMap<String, i32> = BTreeMap::new();
        for o in self.store.list(Kind::DaemonSet, None).chain(self.store.list(Kind::StatefulSet, None)) {
            let mrs = match o {
                Object::DaemonSet(ds) => ds.spec.as_ref().and_then(|s| s.min_ready_seconds),
                Object::StatefulSet(s) => s.spec.as_ref().and_then(|s| s.min_ready_seconds),
                _ => None,
            };
            if let (Some(m), Some(uid)) = (mrs.filter(|m| *m > 0), o.metadata().uid.clone()) {
                min_ready.insert(uid, m);
            }
        }
        let pods = if min_ready.is_empty() { None } else { Some(self.store.list(Kind::Pod, None)) };
        let availability = pods.into_iter().flatten().filter_map(|o| match o {
            Object::Pod(p) => {
                let owner = p.metadata.owner_references.iter().flatten().find(|r| r.controller == Some(true))?;
                available_at(p, *min_ready.get(&owner.uid)?)
            }
            _ => None,
        });
        let gc = self.apps.missing_nodes.values().map(|t| t + super::podgc::QUARANTINE_MS);
        availability.chain(gc).filter(|t| *t > now).min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_and_safe_encoding() {
        assert_eq!(fnv32a(b""), 0x811c_9dc5);
        assert_eq!(fnv32a(b"a"), 0xe40c_292c);
        assert_eq!(fnv32a(b"foobar"), 0xbf9c_f968);
        assert_eq!(safe_encode("0123456789"), "456789bcdf");
        let h = revision_hash(&PodTemplateSpec::default());
        assert!(h.chars().all(|c| "456789bcdf".contains(c)), "{h}");
    }

    #[test]
    fn scaled_values() {
        let pct = |s: &str| IntOrString::String(s.to_string());
        let table = [
            (IntOrString::Int(2), 10, true, 2),
            (pct("25%"), 10, true, 3),
            (pct("25%"), 10, false, 2),
            (pct("10%"), 5, true, 1),
            (pct("10%"), 5, false, 0),
            (pct("100%"), 5, true, 5),
            (pct("0%"), 5, true, 0),
        ];
        for (v, total, up, want) in table {
            assert_eq!(scaled_value(&v, total, up), want, "{v:?} of {total} (up: {up})");
        }
    }
}
