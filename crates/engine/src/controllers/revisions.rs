//! What the DaemonSet and StatefulSet controllers share: their revision history as ControllerRevision objects
//! (`pkg/controller/history`: the template patch each revision stores, the hash that names it, listing, creating
//! with collision handling, renumbering and deleting), a pod built from a template with its controller reference (`controller.GetPodFromTemplate`), pod readiness
//! and availability (`podutil.IsPodReady`, `IsPodAvailable`), and `intstr.GetScaledValueFromIntOrPercent`.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::ControllerRevision;
use k8s_openapi::api::core::v1::{Pod, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use k8s_openapi::apimachinery::pkg::runtime::RawExtension;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::apiserver::{Propagation, Request, Verb};
use crate::clock::{sim_millis, Millis};
use crate::cluster::Cluster;
use crate::object::{Kind, Object};
use crate::store::ObjectKey;

/// Controller state the API does not hold: the pod garbage collector's quarantine of vanished nodes.
#[derive(Clone, Debug, Default)]
pub struct AppsState {
    /// Node name → the instant the pod GC first saw pods bound to it while the Node object was gone.
    pub missing_nodes: BTreeMap<String, Millis>,
    /// The store's resourceVersion after the DaemonSet controller's last pass, and the next instant time alone
    /// can change its answer (a pod turning available): with neither reached, a pass has nothing new to see.
    pub daemon_sets_seen: Option<(u64, Option<Millis>)>,
    /// The same for the ReplicaSet controller and the Deployment controller.
    pub replica_sets_seen: Option<(u64, Option<Millis>)>,
    pub deployments_seen: Option<(u64, Option<Millis>)>,
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

/// The label naming a revision's hash on ControllerRevisions and on the pods made from them.
pub const REVISION_LABEL: &str = "controller-revision-hash";

/// Go's `json.Marshal` of a JSON value: object keys sorted (serde_json's map is ordered), no spaces, and
/// `<`, `>`, `&` escaped as `\u003c`, `\u003e`, `\u0026` (Go's HTML-safe default; those characters can only
/// occur inside strings, so replacing them in the output is exact).
///
/// `{"b":"<x>","a":1}` → `{"a":1,"b":"\u003cx\u003e"}`.
pub fn go_json(v: &serde_json::Value) -> String {
    let s = serde_json::to_string(v).unwrap_or_default();
    s.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// `getPatch` of the StatefulSet and DaemonSet controllers: the revision's data, a strategic merge patch that
/// replaces the whole pod template, `{"spec":{"template":{…,"$patch":"replace"}}}`.
pub fn template_patch(template: &PodTemplateSpec) -> serde_json::Value {
    let mut t = serde_json::to_value(template).unwrap_or_default();
    if let Some(m) = t.as_object_mut() {
        m.insert("$patch".into(), "replace".into());
    }
    serde_json::json!({"spec": {"template": t}})
}

/// The bytes of a revision's data as the controllers compare them (`bytes.Equal(patch, history.Data.Raw)`).
pub fn revision_data(cr: &ControllerRevision) -> String {
    cr.data.as_ref().map(|d| go_json(&d.0)).unwrap_or_default()
}

/// The pod template a revision holds: its patch's template without the `$patch` directive.
pub fn revision_template(cr: &ControllerRevision) -> Option<PodTemplateSpec> {
    let mut t = cr.data.as_ref()?.0.pointer("/spec/template")?.clone();
    t.as_object_mut()?.remove("$patch");
    serde_json::from_value(t).ok()
}

/// `history.HashControllerRevision`: FNV-1a over the data's bytes, then the collision count as 4
/// little-endian bytes when there is one, the decimal sum safe-encoded. The StatefulSet controller always
/// passes a count (0 at first), so its names are those of a real cluster for the same stored template.
pub fn hash_revision(data: &str, collision_count: Option<i32>) -> String {
    let mut bytes = data.as_bytes().to_vec();
    if let Some(c) = collision_count {
        bytes.extend_from_slice(&(c as u32).to_le_bytes());
    }
    safe_encode(&fnv32a(&bytes).to_string())
}

/// `history.ControllerRevisionName`: `<parent>-<hash>`, the parent cut to 223 characters.
pub fn revision_name(parent: &str, hash: &str) -> String {
    let prefix: String = parent.chars().take(223).collect();
    format!("{prefix}-{hash}")
}

/// A new revision (`history.NewControllerRevision` / the DaemonSet's `snapshot`): the template's labels plus
/// the hash label, the set's annotations, a controller reference, the data and its number.
pub fn new_revision(
    owner: &Object,
    template: &PodTemplateSpec,
    name: String,
    hash: &str,
    revision: i64,
) -> ControllerRevision {
    let mut labels = template.metadata.as_ref().and_then(|m| m.labels.clone()).unwrap_or_default();
    labels.insert(REVISION_LABEL.into(), hash.to_string());
    ControllerRevision {
        metadata: ObjectMeta {
            name: Some(name),
            namespace: Some(owner.namespace().to_string()),
            labels: Some(labels),
            annotations: owner.metadata().annotations.clone(),
            owner_references: Some(vec![controller_ref(owner)]),
            ..Default::default()
        },
        data: Some(RawExtension(template_patch(template))),
        revision,
    }
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
    /// The ControllerRevisions `owner` controls, oldest revision first (`history.SortControllerRevisions`:
    /// by revision, then creation time, then name).
    pub fn controlled_revisions(&self, owner: &Object) -> Vec<ControllerRevision> {
        let uid = owner.metadata().uid.clone().unwrap_or_default();
        let mut out: Vec<ControllerRevision> = self
            .store
            .list(Kind::ControllerRevision, Some(owner.namespace()))
            .filter_map(|o| match o {
                Object::ControllerRevision(cr)
                    if cr
                        .metadata
                        .owner_references
                        .iter()
                        .flatten()
                        .any(|r| r.controller == Some(true) && r.uid == uid) =>
                {
                    Some((**cr).clone())
                }
                _ => None,
            })
            .collect();
        use crate::util::sort::StableSort;
        out.stable_sort_by_key(|r| {
            (r.revision, r.metadata.creation_timestamp.as_ref().map(|t| t.0.to_string()), r.metadata.name.clone())
        });
        out
    }

    /// The adopting half of `ControllerRefManager.ClaimControllerRevisions` and `ClaimPods` for the StatefulSet
    /// and DaemonSet controllers (StatefulSet's `adoptOrphanRevisions` and `getPodsForStatefulSet`, DaemonSet's
    /// `controlledHistories` and `getDaemonPods`): ControllerRevisions and pods in `owner`'s namespace without a
    /// controller, not being deleted, whose labels `selector` matches (and, for pods, that `member` accepts: a
    /// StatefulSet claims only `<set>-<ordinal>`) get `owner`'s controller reference, by a patch as the real
    /// managers write it, and no Event. So a set deleted with `--cascade=orphan` and created again with the same
    /// selector takes back its history (an equal revision is reused, numbers continue) and its pods. An empty
    /// selector adopts nothing. A set being deleted adopts nothing.
    pub(crate) fn adopt_orphans(
        &mut self,
        controller: &str,
        owner: &Object,
        selector: &k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector,
        member: &dyn Fn(&Pod) -> bool,
    ) {
        if owner.metadata().deletion_timestamp.is_some() {
            return;
        }
        let parsed = crate::apiserver::selectors::LabelSelector::from_api(selector);
        if parsed.requirements.is_empty() {
            return;
        }
        let text = super::replicaset::selector_text(selector);
        let owner_kind = owner.kind().info().kind;
        let owner_name = owner.name().to_string();
        let orphans: Vec<Object> = [Kind::ControllerRevision, Kind::Pod]
            .into_iter()
            .flat_map(|kind| self.store.list(kind, Some(owner.namespace())))
            .filter(|o| {
                let meta = o.metadata();
                meta.deletion_timestamp.is_none()
                    && !meta.owner_references.iter().flatten().any(|r| r.controller == Some(true))
                    && parsed.matches(meta.labels.as_ref())
                    && match o {
                        Object::Pod(p) => member(p),
                        _ => true,
                    }
            })
            .cloned()
            .collect();
        for current in orphans {
            let mut adopted = current.clone();
            let meta = adopted.metadata_mut();
            meta.owner_references.get_or_insert_with(Vec::new).push(controller_ref(owner));
            let why = format!(
                "{owner_kind} {owner_name} adopted {} {}: it has no controller and its labels match the selector {text}",
                if current.kind() == Kind::Pod { "pod".to_string() } else { current.kind().info().kind.to_string() },
                current.name()
            );
            let _ = self.write_update(controller, current, adopted, false, &why);
        }
    }

    /// `CreateControllerRevision`: creates `cr` named `<parent>-<hash>` (`hash` of the collision count); when
    /// that name is taken by other data the collision count goes up and the name is hashed again. Returns the
    /// revision (the existing one when its data is equal) and the collision count used.
    pub(crate) fn create_revision(
        &mut self,
        controller: &str,
        parent: &str,
        mut cr: ControllerRevision,
        mut collision_count: Option<i32>,
        hash: &dyn Fn(Option<i32>) -> String,
        why: &str,
    ) -> (Option<ControllerRevision>, Option<i32>) {
        let data = revision_data(&cr);
        let ns = cr.metadata.namespace.clone().unwrap_or_default();
        for _ in 0..16 {
            let hash = hash(collision_count);
            cr.metadata.name = Some(revision_name(parent, &hash));
            cr.metadata.labels.get_or_insert_with(Default::default).insert(REVISION_LABEL.into(), hash);
            let seq = self.log.entries().len() as u64;
            let req = Request::new(Verb::Create, Kind::ControllerRevision)
                .namespace(ns.clone())
                .body(Object::from(cr.clone()).to_json());
            match self.handle(controller, req).result {
                Ok(_) => {
                    self.log.set_reason(seq, why);
                    let created = self.store.get(&ObjectKey::new(
                        Kind::ControllerRevision,
                        &ns,
                        cr.metadata.name.as_deref().unwrap_or_default(),
                    ));
                    return (
                        created.and_then(|o| match o {
                            Object::ControllerRevision(c) => Some((**c).clone()),
                            _ => None,
                        }),
                        collision_count,
                    );
                }
                Err(e) if e.reason == "AlreadyExists" => {
                    let key =
                        ObjectKey::new(Kind::ControllerRevision, &ns, cr.metadata.name.as_deref().unwrap_or_default());
                    if let Some(Object::ControllerRevision(existing)) = self.store.get(&key) {
                        if revision_data(existing) == data {
                            return (Some((**existing).clone()), collision_count);
                        }
                    }
                    collision_count = Some(collision_count.unwrap_or(0) + 1);
                }
                Err(_) => return (None, collision_count),
            }
        }
        (None, collision_count)
    }

    /// `UpdateControllerRevision`: gives an existing revision a new number (a rollback to it).
    pub(crate) fn renumber_revision(
        &mut self,
        controller: &str,
        cr: &ControllerRevision,
        revision: i64,
        why: &str,
    ) -> ControllerRevision {
        let key = ObjectKey::new(
            Kind::ControllerRevision,
            cr.metadata.namespace.as_deref().unwrap_or_default(),
            cr.metadata.name.as_deref().unwrap_or_default(),
        );
        let mut updated = cr.clone();
        updated.revision = revision;
        if let Some(current) = self.store.get(&key).cloned() {
            if let Ok(Object::ControllerRevision(c)) =
                self.write_update(controller, current, Object::from(updated.clone()), false, why)
            {
                return *c;
            }
        }
        updated
    }

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
        let h = hash_revision("{}", Some(0));
        assert!(h.chars().all(|c| "456789bcdf".contains(c)), "{h}");
        assert_ne!(hash_revision("{}", Some(0)), hash_revision("{}", Some(1)));
        assert_eq!(hash_revision("{}", None), safe_encode(&fnv32a(b"{}").to_string()));
        assert_eq!(revision_name("web", "6d8f9c8b4c"), "web-6d8f9c8b4c");
        assert_eq!(revision_name(&"x".repeat(300), "h").len(), 225);
    }

    #[test]
    fn go_json_sorts_keys_and_escapes_html() {
        let v = serde_json::json!({"b": "<x>&", "a": 1});
        assert_eq!(go_json(&v), r#"{"a":1,"b":"\u003cx\u003e\u0026"}"#);
    }

    #[test]
    fn the_template_patch_round_trips() {
        let t: PodTemplateSpec = serde_json::from_value(serde_json::json!({
            "metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]}}))
        .unwrap();
        let patch = template_patch(&t);
        assert_eq!(
            go_json(&patch),
            r#"{"spec":{"template":{"$patch":"replace","metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"image":"nginx:1.27","name":"nginx"}]}}}}"#
        );
        let cr = ControllerRevision { data: Some(RawExtension(patch)), ..Default::default() };
        assert_eq!(revision_template(&cr), Some(t));
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
