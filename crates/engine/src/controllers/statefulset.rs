//! The StatefulSet controller (`pkg/controller/statefulset`, `updateStatefulSet`).
//!
//! Pods have stable names (`web-0`, `web-1`, …), a hostname and the governing Service as subdomain, and one
//! PersistentVolumeClaim per claim template (`www-web-0`), created before the pod and kept when the pod goes
//! (`persistentVolumeClaimRetentionPolicy` Retain/Retain by default). With `OrderedReady` the controller
//! creates one pod at a time, each once its predecessors are Running and Ready, and removes pods from the
//! highest ordinal down, one at a time; with `Parallel` it creates and deletes without waiting. A
//! RollingUpdate replaces pods from the highest ordinal down to `partition`, one at a time, each after the
//! one before is healthy again; `OnDelete` leaves that to whoever deletes the pods.

use k8s_openapi::api::apps::v1::{StatefulSet, StatefulSetStatus};
use k8s_openapi::api::core::v1::{
    PersistentVolumeClaim, PersistentVolumeClaimVolumeSource, Pod, PodTemplateSpec, Volume,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;

use super::revisions::{
    controlled_by, controller_ref, go_json, hash_revision, new_revision, phase, pod_available, pod_from_template,
    pod_ready, revision_data, revision_name, revision_template, template_patch,
};
use crate::apiserver::{Request, Verb};
use crate::cluster::Cluster;
use crate::object::{Kind, Object};
use crate::recorder::Reporter;
use crate::store::ObjectKey;
use crate::util::sort::StableSort;

const CONTROLLER: &str = "statefulset-controller";
pub const POD_NAME_LABEL: &str = "statefulset.kubernetes.io/pod-name";
pub const POD_INDEX_LABEL: &str = "apps.kubernetes.io/pod-index";
pub use super::revisions::REVISION_LABEL;

/// `getPodName`: `web` and 0 → `web-0`.
pub fn pod_name(set: &str, ordinal: i32) -> String {
    format!("{set}-{ordinal}")
}

/// `getPersistentVolumeClaimName`: template `www`, set `web`, ordinal 0 → `www-web-0`.
pub fn claim_name(template: &str, set: &str, ordinal: i32) -> String {
    format!("{template}-{set}-{ordinal}")
}

/// `getParentNameAndOrdinal` for a given set: the ordinal of `web-3` in `web` is 3; `web-x`, `webs-1` and
/// `other-0` have none.
pub fn ordinal_of(set: &str, pod: &str) -> Option<i32> {
    let (parent, ord) = pod.rsplit_once('-')?;
    if parent != set || ord.is_empty() || !ord.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    ord.parse().ok()
}

/// Pods in ordinal range `[start, start + replicas)` are replicas, the others condemned (`podInOrdinalRange`).
///
/// | replicas | start | ordinal | in range |
/// |----------|-------|---------|----------|
/// | 3        | 0     | 2       | yes      |
/// | 3        | 0     | 3       | no       |
/// | 2        | 5     | 6       | yes      |
pub fn in_ordinal_range(ordinal: i32, start: i32, replicas: i32) -> bool {
    ordinal >= start && ordinal < start + replicas
}

fn is_terminating(p: &Pod) -> bool {
    p.metadata.deletion_timestamp.is_some()
}

fn running_and_ready(p: &Pod) -> bool {
    phase(p) == "Running" && pod_ready(p)
}

fn healthy(p: Option<&Pod>) -> bool {
    p.is_some_and(|p| running_and_ready(p) && !is_terminating(p))
}

fn revision_of(p: &Pod) -> &str {
    p.metadata.labels.as_ref().and_then(|l| l.get(REVISION_LABEL)).map(String::as_str).unwrap_or_default()
}

fn name_of(p: &Pod) -> String {
    p.metadata.name.clone().unwrap_or_default()
}

/// What `updateStatefulSet` does to a set this pass, in order: the controller stops at the first blocking step
/// in `OrderedReady` mode.
struct Pass {
    set: StatefulSet,
    obj: Object,
    name: String,
    ns: String,
    monotonic: bool,
    min_ready: i32,
    current_revision: String,
    update_revision: String,
    current_template: PodTemplateSpec,
    collision_count: i32,
}

impl Cluster {
    pub(super) fn reconcile_stateful_sets(&mut self) {
        let sets: Vec<StatefulSet> = self
            .store
            .list(Kind::StatefulSet, None)
            .filter_map(|o| match o {
                Object::StatefulSet(s) => Some((**s).clone()),
                _ => None,
            })
            .collect();
        for set in sets {
            self.sync_stateful_set(set);
        }
    }

    fn stateful_pods(&self, set: &StatefulSet) -> Vec<(i32, Pod)> {
        let uid = set.metadata.uid.as_deref().unwrap_or_default();
        let name = set.metadata.name.as_deref().unwrap_or_default();
        let ns = set.metadata.namespace.as_deref().unwrap_or_default();
        self.store
            .list(Kind::Pod, Some(ns))
            .filter_map(|o| match o {
                Object::Pod(p) if controlled_by(p, uid) => Some((ordinal_of(name, o.name())?, (**p).clone())),
                _ => None,
            })
            .collect()
    }

    fn sync_stateful_set(&mut self, set: StatefulSet) {
        let spec = set.spec.clone().unwrap_or_default();
        let name = set.metadata.name.clone().unwrap_or_default();
        let ns = set.metadata.namespace.clone().unwrap_or_default();
        let obj = Object::from(set.clone());
        let deleting = set.metadata.deletion_timestamp.is_some();
        // `getStatefulSetRevisions`: the revision of the template as it is now, and the one the set's pods were
        // last all at. A set being deleted only has its status updated, from the revisions it has.
        if !deleting {
            self.adopt_orphans(CONTROLLER, &obj, &spec.selector, &|p: &Pod| {
                ordinal_of(&name, p.metadata.name.as_deref().unwrap_or_default()).is_some()
            });
        }
        let revisions = self.controlled_revisions(&obj);
        let collision_count = set.status.as_ref().and_then(|s| s.collision_count).unwrap_or(0);
        let (update, collision_count) = if deleting {
            let data = go_json(&template_patch(&spec.template));
            (revisions.iter().rev().find(|r| revision_data(r) == data).or(revisions.last()).cloned(), collision_count)
        } else {
            self.stateful_update_revision(&obj, &name, &revisions, collision_count)
        };
        let Some(update) = update else { return };
        let update_revision = update.metadata.name.clone().unwrap_or_default();
        let stored_current = set.status.as_ref().and_then(|s| s.current_revision.clone());
        let current = revisions.iter().find(|r| r.metadata.name.is_some() && r.metadata.name == stored_current);
        let current = current.unwrap_or(&update);
        let current_revision = current.metadata.name.clone().unwrap_or_default();
        let current_template = revision_template(current).unwrap_or_else(|| spec.template.clone());
        let pass = Pass {
            obj,
            name: name.clone(),
            ns: ns.clone(),
            monotonic: spec.pod_management_policy.as_deref() != Some("Parallel"),
            min_ready: spec.min_ready_seconds.unwrap_or(0),
            current_revision,
            update_revision,
            current_template,
            collision_count,
            set,
        };
        if deleting {
            self.update_stateful_set_status(&pass);
            return;
        }
        self.update_stateful_set(&pass);
        self.update_stateful_set_status(&pass);
        self.truncate_stateful_history(&pass);
    }

    /// The update revision: the newest revision when it holds the current template; an older equal one
    /// renumbered as the newest (a rollback); else a new revision `<set>-<hash>`.
    fn stateful_update_revision(
        &mut self,
        obj: &Object,
        name: &str,
        revisions: &[k8s_openapi::api::apps::v1::ControllerRevision],
        collision_count: i32,
    ) -> (Option<k8s_openapi::api::apps::v1::ControllerRevision>, i32) {
        let Object::StatefulSet(set) = obj else { return (None, collision_count) };
        let template = set.spec.clone().unwrap_or_default().template;
        let data = go_json(&template_patch(&template));
        let next = revisions.last().map_or(1, |r| r.revision + 1);
        let equal = revisions.iter().rev().find(|r| revision_data(r) == data);
        match equal {
            Some(eq) if revisions.last().map(|r| &r.metadata.name) == Some(&eq.metadata.name) => {
                (Some(eq.clone()), collision_count)
            }
            Some(eq) => {
                let why = format!(
                    "StatefulSet {name}: the template is that of revision {} again: it becomes revision {next}",
                    eq.revision
                );
                (Some(self.renumber_revision(CONTROLLER, eq, next, &why)), collision_count)
            }
            None => {
                let hash = hash_revision(&data, Some(collision_count));
                let cr = new_revision(obj, &template, revision_name(name, &hash), &hash, next);
                let why = format!("StatefulSet {name}: its template changed: revision {next}");
                let hash = |c: Option<i32>| hash_revision(&data, c);
                let (created, count) = self.create_revision(CONTROLLER, name, cr, Some(collision_count), &hash, &why);
                (created, count.unwrap_or(collision_count))
            }
        }
    }

    /// `truncateHistory`: revisions neither current, updated nor worn by a pod are history; the oldest go
    /// beyond `revisionHistoryLimit` (10 by default).
    fn truncate_stateful_history(&mut self, pass: &Pass) {
        let limit = pass.set.spec.as_ref().and_then(|s| s.revision_history_limit).unwrap_or(10).max(0) as usize;
        let mut live: std::collections::BTreeSet<String> =
            [pass.current_revision.clone(), pass.update_revision.clone()].into();
        live.extend(self.stateful_pods(&pass.set).iter().map(|(_, p)| revision_of(p).to_string()));
        let history: Vec<_> = self
            .controlled_revisions(&pass.obj)
            .into_iter()
            .filter(|r| !live.contains(r.metadata.name.as_deref().unwrap_or_default()))
            .collect();
        if history.len() <= limit {
            return;
        }
        for r in &history[..history.len() - limit] {
            let why = format!(
                "StatefulSet {}: revision {} is beyond revisionHistoryLimit {limit} and no pod runs it",
                pass.name, r.revision
            );
            let rname = r.metadata.name.clone().unwrap_or_default();
            self.controller_delete(CONTROLLER, Kind::ControllerRevision, &pass.ns, &rname, &why);
        }
    }

    fn update_stateful_set(&mut self, pass: &Pass) {
        let spec = pass.set.spec.clone().unwrap_or_default();
        let replicas = spec.replicas.unwrap_or(1).max(0);
        let start = spec.ordinals.as_ref().and_then(|o| o.start).unwrap_or(0);
        let now = self.clock.now();
        let mut slots: Vec<Option<Pod>> = vec![None; replicas as usize];
        let mut condemned: Vec<(i32, Pod)> = Vec::new();
        for (ord, pod) in self.stateful_pods(&pass.set) {
            if in_ordinal_range(ord, start, replicas) {
                slots[(ord - start) as usize] = Some(pod);
            } else {
                condemned.push((ord, pod));
            }
        }
        condemned.stable_sort_by_key(|c| std::cmp::Reverse(c.0));
        // The first unhealthy pod: a replica (missing ones count), else the lowest condemned one.
        let first_unhealthy: Option<String> = slots
            .iter()
            .enumerate()
            .find(|(_, p)| !healthy(p.as_ref()))
            .map(|(i, _)| pod_name(&pass.name, start + i as i32))
            .or_else(|| condemned.iter().rev().find(|(_, p)| !healthy(Some(p))).map(|(_, p)| name_of(p)));

        // Replicas, lowest ordinal first.
        #[allow(clippy::needless_range_loop)] // a slot is refilled after its failed pod is deleted
        for i in 0..slots.len() {
            let ord = start + i as i32;
            if let Some(p) = slots[i].clone() {
                if matches!(phase(&p), "Failed" | "Succeeded") {
                    let (type_, reason, what) = if phase(&p) == "Failed" {
                        ("Warning", "RecreatingFailedPod", "failed")
                    } else {
                        ("Normal", "RecreatingTerminatedPod", "terminated")
                    };
                    let msg = format!("StatefulSet {}/{} is recreating {what} Pod {}", pass.ns, pass.name, name_of(&p));
                    self.emit_event(&pass.obj, type_, reason, &msg, &Reporter::component(CONTROLLER));
                    self.delete_stateful_pod(pass, &p, &format!("pod {} {what}: recreating it", name_of(&p)));
                    slots[i] = self.get(Kind::Pod, &pass.ns, &name_of(&p)).ok().and_then(|o| match o {
                        Object::Pod(p) => Some((**p).clone()),
                        _ => None,
                    });
                    if slots[i].is_some() {
                        return;
                    }
                }
            }
            let Some(p) = slots[i].clone() else {
                let created = self.create_stateful_pod(pass, ord, start);
                if pass.monotonic || !created {
                    return;
                }
                continue;
            };
            if phase(&p) == "Pending" {
                self.create_missing_claims(pass, &p, ord);
            }
            if pass.monotonic
                && (is_terminating(&p) || !running_and_ready(&p) || !pod_available(&p, pass.min_ready, now))
            {
                return;
            }
        }

        // Condemned pods, highest ordinal first.
        let retention_scaled = spec
            .persistent_volume_claim_retention_policy
            .as_ref()
            .and_then(|r| r.when_scaled.as_deref())
            .unwrap_or("Retain")
            .to_string();
        for (ord, p) in &condemned {
            if is_terminating(p) {
                if pass.monotonic {
                    return;
                }
                continue;
            }
            let first = first_unhealthy.as_deref() == Some(name_of(p).as_str());
            if pass.monotonic && !first && (!running_and_ready(p) || !pod_available(p, pass.min_ready, now)) {
                return;
            }
            if retention_scaled == "Delete" {
                self.claims_owned_by_pod(pass, p, *ord);
            }
            self.delete_stateful_pod(pass, p, &format!("scale down to {replicas}: pod {} goes first", name_of(p)));
            if pass.monotonic {
                return;
            }
        }

        let strategy = spec.update_strategy.clone().unwrap_or_default();
        if strategy.type_.as_deref() == Some("OnDelete") {
            return;
        }
        // Rolling update: the highest ordinal not at the update revision goes; wait for unhealthy ones.
        let partition = strategy.rolling_update.and_then(|r| r.partition).unwrap_or(0).max(0) as usize;
        let slots = self.stateful_slots(&pass.set, start, replicas);
        for target in (partition..slots.len()).rev() {
            let Some(p) = &slots[target] else { return };
            if revision_of(p) != pass.update_revision && !is_terminating(p) {
                let why =
                    format!("rolling update to {}: pod {} is at {}", pass.update_revision, name_of(p), revision_of(p));
                self.delete_stateful_pod(pass, p, &why);
                return;
            }
            if !healthy(Some(p)) {
                return;
            }
        }
    }

    fn stateful_slots(&self, set: &StatefulSet, start: i32, replicas: i32) -> Vec<Option<Pod>> {
        let mut slots: Vec<Option<Pod>> = vec![None; replicas as usize];
        for (ord, pod) in self.stateful_pods(set) {
            if in_ordinal_range(ord, start, replicas) {
                slots[(ord - start) as usize] = Some(pod);
            }
        }
        slots
    }

    /// `newVersionedStatefulSetPod` and `CreateStatefulPod`: claims first, then the pod. Ordinals below the
    /// partition are created at the current revision, the others at the update revision.
    fn create_stateful_pod(&mut self, pass: &Pass, ord: i32, start: i32) -> bool {
        let spec = pass.set.spec.clone().unwrap_or_default();
        let strategy = spec.update_strategy.clone().unwrap_or_default();
        let partition = strategy.rolling_update.as_ref().and_then(|r| r.partition).unwrap_or(0);
        let at_current = strategy.type_.as_deref() == Some("RollingUpdate") && ord < start + partition;
        let (template, revision) = if at_current {
            (&pass.current_template, &pass.current_revision)
        } else {
            (&spec.template, &pass.update_revision)
        };
        let name = pod_name(&pass.name, ord);
        let mut pod = pod_from_template(template, &pass.ns, controller_ref(&pass.obj));
        pod.metadata.name = Some(name.clone());
        let labels = pod.metadata.labels.get_or_insert_with(Default::default);
        labels.insert(POD_NAME_LABEL.into(), name.clone());
        labels.insert(POD_INDEX_LABEL.into(), ord.to_string());
        labels.insert(REVISION_LABEL.into(), revision.clone());
        let pod_spec = pod.spec.get_or_insert_with(Default::default);
        pod_spec.hostname = Some(name.clone());
        if let Some(service) = spec.service_name.clone().filter(|s| !s.is_empty()) {
            pod_spec.subdomain = Some(service);
        }
        // `updateStorage`: one volume per claim template, then the template's other volumes.
        let claims: Vec<String> =
            spec.volume_claim_templates.iter().flatten().filter_map(|t| t.metadata.name.clone()).collect();
        if !claims.is_empty() {
            let mut volumes: Vec<Volume> = claims
                .iter()
                .map(|c| Volume {
                    name: c.clone(),
                    persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
                        claim_name: claim_name(c, &pass.name, ord),
                        read_only: None,
                    }),
                    ..Default::default()
                })
                .collect();
            volumes.extend(pod_spec.volumes.take().into_iter().flatten().filter(|v| !claims.contains(&v.name)));
            pod_spec.volumes = Some(volumes);
        }
        if !self.create_missing_claims(pass, &pod, ord) {
            return false;
        }
        let why = format!("StatefulSet {} has no pod with ordinal {ord}: created {name}", pass.name);
        if self.create_controlled_pod(CONTROLLER, pod, &why).is_none() {
            return false;
        }
        let msg = format!("create Pod {name} in StatefulSet {} successful", pass.name);
        self.emit_event(&pass.obj, "Normal", "SuccessfulCreate", &msg, &Reporter::component(CONTROLLER));
        true
    }

    /// `createPersistentVolumeClaims`: each claim of the pod that does not exist yet. With `whenDeleted:
    /// Delete` the claim is owned by the set, so it goes with it.
    fn create_missing_claims(&mut self, pass: &Pass, pod: &Pod, ord: i32) -> bool {
        let spec = pass.set.spec.clone().unwrap_or_default();
        let pod_name = name_of(pod);
        let when_deleted = spec
            .persistent_volume_claim_retention_policy
            .as_ref()
            .and_then(|r| r.when_deleted.clone())
            .unwrap_or_else(|| "Retain".into());
        let match_labels = spec.selector.match_labels.clone().unwrap_or_default();
        for template in spec.volume_claim_templates.iter().flatten() {
            let Some(tname) = template.metadata.name.clone() else { continue };
            let cname = claim_name(&tname, &pass.name, ord);
            if self.store.get(&ObjectKey::new(Kind::PersistentVolumeClaim, &pass.ns, &cname)).is_some() {
                continue;
            }
            let mut claim: PersistentVolumeClaim = template.clone();
            claim.metadata.name = Some(cname.clone());
            claim.metadata.namespace = Some(pass.ns.clone());
            claim.metadata.labels.get_or_insert_with(Default::default).extend(match_labels.clone());
            if when_deleted == "Delete" {
                let mut owner = controller_ref(&pass.obj);
                owner.block_owner_deletion = Some(true);
                claim.metadata.owner_references = Some(vec![owner]);
            }
            claim.status = None;
            let seq = self.log.entries().len() as u64;
            let req = Request::new(Verb::Create, Kind::PersistentVolumeClaim)
                .namespace(pass.ns.clone())
                .body(Object::from(claim).to_json());
            if let Err(e) = self.handle(CONTROLLER, req).result {
                let msg = format!(
                    "create Claim {cname} for Pod {pod_name} in StatefulSet {} failed error: {}",
                    pass.name, e.message
                );
                self.emit_event(&pass.obj, "Warning", "FailedCreate", &msg, &Reporter::component(CONTROLLER));
                return false;
            }
            self.log.set_reason(
                seq,
                &format!(
                    "StatefulSet {}: claim template {tname} for pod {pod_name} (kept when the pod goes)",
                    pass.name
                ),
            );
            let msg = format!("create Claim {cname} Pod {pod_name} in StatefulSet {} success", pass.name);
            self.emit_event(&pass.obj, "Normal", "SuccessfulCreate", &msg, &Reporter::component(CONTROLLER));
        }
        true
    }

    /// `whenScaled: Delete`: a condemned pod's claims get the pod as owner, so they go with it.
    fn claims_owned_by_pod(&mut self, pass: &Pass, pod: &Pod, ord: i32) {
        let spec = pass.set.spec.clone().unwrap_or_default();
        for template in spec.volume_claim_templates.iter().flatten() {
            let Some(tname) = template.metadata.name.as_deref() else { continue };
            let key = ObjectKey::new(Kind::PersistentVolumeClaim, &pass.ns, &claim_name(tname, &pass.name, ord));
            let Some(current) = self.store.get(&key).cloned() else { continue };
            let uid = pod.metadata.uid.clone().unwrap_or_default();
            if current.metadata().owner_references.iter().flatten().any(|r| r.uid == uid) {
                continue;
            }
            let mut claim = current.clone();
            claim.metadata_mut().owner_references.get_or_insert_with(Vec::new).push(OwnerReference {
                api_version: "v1".into(),
                kind: "Pod".into(),
                name: name_of(pod),
                uid,
                ..Default::default()
            });
            let _ =
                self.write_update(CONTROLLER, current, claim, false, "whenScaled: Delete: the claim goes with its pod");
        }
    }

    fn delete_stateful_pod(&mut self, pass: &Pass, pod: &Pod, why: &str) {
        let name = name_of(pod);
        self.controller_delete(CONTROLLER, Kind::Pod, &pass.ns, &name, &format!("StatefulSet {}: {why}", pass.name));
        let msg = format!("delete Pod {name} in StatefulSet {} successful", pass.name);
        self.emit_event(&pass.obj, "Normal", "SuccessfulDelete", &msg, &Reporter::component(CONTROLLER));
    }

    /// `updateStatus` and `completeRollingUpdate`.
    fn update_stateful_set_status(&mut self, pass: &Pass) {
        let Ok(Object::StatefulSet(set)) = self.get(Kind::StatefulSet, &pass.ns, &pass.name).cloned() else { return };
        let now = self.clock.now();
        let (mut replicas, mut ready, mut available, mut current, mut updated) = (0, 0, 0, 0, 0);
        for (_, p) in self.stateful_pods(&set) {
            replicas += 1;
            if running_and_ready(&p) {
                ready += 1;
                if pod_available(&p, pass.min_ready, now) {
                    available += 1;
                }
            }
            if !is_terminating(&p) {
                if revision_of(&p) == pass.current_revision {
                    current += 1;
                }
                if revision_of(&p) == pass.update_revision {
                    updated += 1;
                }
            }
        }
        let old = set.status.clone().unwrap_or_default();
        let mut status = StatefulSetStatus {
            observed_generation: set.metadata.generation,
            replicas,
            ready_replicas: (ready > 0).then_some(ready),
            available_replicas: Some(available),
            current_replicas: (current > 0).then_some(current),
            updated_replicas: (updated > 0).then_some(updated),
            current_revision: Some(pass.current_revision.clone()),
            update_revision: Some(pass.update_revision.clone()),
            collision_count: Some(pass.collision_count),
            conditions: old.conditions.clone(),
        };
        let rolling = set.spec.as_ref().and_then(|s| s.update_strategy.as_ref()).and_then(|s| s.type_.as_deref())
            == Some("RollingUpdate");
        if rolling && updated == replicas && ready == replicas {
            status.current_revision = status.update_revision.clone();
            status.current_replicas = status.updated_replicas;
        }
        if set.status.as_ref() == Some(&status) {
            return;
        }
        let why = format!(
            "StatefulSet {}: {replicas} pods, {ready} ready, {updated} at revision {}",
            pass.name, pass.update_revision
        );
        let mut updated_set = (*set).clone();
        updated_set.status = Some(status);
        self.write_workload_status(CONTROLLER, Object::from(updated_set), &why);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_ordinals() {
        assert_eq!(pod_name("web", 0), "web-0");
        assert_eq!(claim_name("www", "web", 0), "www-web-0");
        let table = [("web-3", Some(3)), ("web-10", Some(10)), ("web-x", None), ("webs-1", None), ("web-", None)];
        for (pod, want) in table {
            assert_eq!(ordinal_of("web", pod), want, "{pod}");
        }
        assert_eq!(ordinal_of("my-web", "my-web-2"), Some(2));
        assert!(in_ordinal_range(2, 0, 3));
        assert!(!in_ordinal_range(3, 0, 3));
        assert!(in_ordinal_range(6, 5, 2));
        assert!(!in_ordinal_range(4, 5, 2));
    }
}

/// ControllerRevisions: one per template, an old template's revision renumbered on rollback, history cut to
/// `revisionHistoryLimit`, and the set's status naming them.
#[cfg(test)]
mod revision_history {
    use crate::apiserver::{PatchType, Request, RequestOptions, Verb};
    use crate::object::{Kind, Object};
    use crate::Cluster;
    use serde_json::json;

    fn set_image(c: &mut Cluster, image: &str) {
        let body = json!({"spec": {"template": {"spec": {"containers": [{"name": "c", "image": image}]}}}});
        let opts = RequestOptions { patch_type: Some(PatchType::Strategic), ..Default::default() };
        let req =
            Request::new(Verb::Patch, Kind::StatefulSet).namespace("default").name("web").body(body).options(opts);
        c.handle("kubectl", req).result.unwrap();
        c.step(60_000);
    }

    /// (revision number, image) of each revision, oldest first.
    fn history(c: &Cluster) -> Vec<(i64, String)> {
        let Ok(set) = c.get(Kind::StatefulSet, "default", "web").cloned() else { return Vec::new() };
        c.controlled_revisions(&set)
            .iter()
            .map(|r| {
                let t = super::revision_template(r).unwrap();
                (r.revision, t.spec.unwrap().containers[0].image.clone().unwrap())
            })
            .collect()
    }

    #[test]
    fn revisions_follow_the_template() {
        let mut c = Cluster::new(1);
        let sts = json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "web"},
            "spec": {"selector": {"matchLabels": {"app": "web"}}, "serviceName": "web", "replicas": 1,
                "revisionHistoryLimit": 1,
                "template": {"metadata": {"labels": {"app": "web"}}, "spec": {
                    "containers": [{"name": "c", "image": "nginx:1.25"}]}}}});
        c.handle("kubectl", Request::new(Verb::Create, Kind::StatefulSet).namespace("default").body(sts))
            .result
            .unwrap();
        c.step(30_000);
        assert_eq!(history(&c), [(1, "nginx:1.25".to_string())]);
        set_image(&mut c, "nginx:1.26");
        set_image(&mut c, "nginx:1.25");
        // Back to the first template: its revision is renumbered, not copied.
        assert_eq!(history(&c), [(2, "nginx:1.26".to_string()), (3, "nginx:1.25".to_string())]);
        set_image(&mut c, "nginx:1.27");
        // Limit 1: besides the live revision (4), one old one stays.
        assert_eq!(history(&c), [(3, "nginx:1.25".to_string()), (4, "nginx:1.27".to_string())]);
        let obj = c.get(Kind::StatefulSet, "default", "web").cloned().unwrap();
        let names: Vec<String> = c.controlled_revisions(&obj).iter().filter_map(|r| r.metadata.name.clone()).collect();
        let Object::StatefulSet(set) = obj else { panic!() };
        let status = set.status.unwrap();
        assert_eq!(status.update_revision.as_ref(), names.last());
        assert_eq!(status.current_revision, status.update_revision);
        // Deleting the set takes its revisions with it.
        c.handle("kubectl", Request::new(Verb::Delete, Kind::StatefulSet).namespace("default").name("web"))
            .result
            .unwrap();
        c.settle();
        assert_eq!(c.store().list(Kind::ControllerRevision, Some("default")).count(), 0);
    }

    /// Deleted with `propagationPolicy: Orphan` and created again with the same selector, a set adopts its
    /// revisions and pods: the revision equal to the template is reused with its number, and no pod is replaced.
    #[test]
    fn a_recreated_set_adopts_its_orphaned_revisions_and_pods() {
        use crate::apiserver::Propagation;
        let mut c = Cluster::new(1);
        let sts = |image: &str| {
            json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "web"},
                "spec": {"selector": {"matchLabels": {"app": "web"}}, "serviceName": "web", "replicas": 2,
                    "template": {"metadata": {"labels": {"app": "web"}}, "spec": {
                        "containers": [{"name": "c", "image": image}]}}}})
        };
        let create = |c: &mut Cluster, image: &str| {
            c.handle("kubectl", Request::new(Verb::Create, Kind::StatefulSet).namespace("default").body(sts(image)))
                .result
                .unwrap();
            c.settle();
        };
        create(&mut c, "nginx:1.25");
        c.step(30_000);
        set_image(&mut c, "nginx:1.26");
        let uids = |c: &Cluster| -> Vec<String> {
            c.store().list(Kind::Pod, Some("default")).filter_map(|o| o.metadata().uid.clone()).collect()
        };
        let pods_before = uids(&c);
        let opts = RequestOptions { propagation: Some(Propagation::Orphan), ..Default::default() };
        c.handle(
            "kubectl",
            Request::new(Verb::Delete, Kind::StatefulSet).namespace("default").name("web").options(opts),
        )
        .result
        .unwrap();
        c.settle();
        assert_eq!(c.store().list(Kind::ControllerRevision, Some("default")).count(), 2);
        create(&mut c, "nginx:1.26");
        c.step(10_000);
        assert_eq!(history(&c), [(1, "nginx:1.25".to_string()), (2, "nginx:1.26".to_string())]);
        assert_eq!(uids(&c), pods_before);
        let Ok(Object::StatefulSet(set)) = c.get(Kind::StatefulSet, "default", "web").cloned() else { panic!() };
        let status = set.status.unwrap();
        assert_eq!((status.replicas, status.ready_replicas), (2, Some(2)));
        assert_eq!(status.current_revision, status.update_revision);
        let uid = set.metadata.uid.unwrap();
        for o in c.store().list(Kind::Pod, Some("default")) {
            let Object::Pod(p) = o else { continue };
            assert!(super::controlled_by(p, &uid), "{:?}", p.metadata.name);
        }
    }
}

/// Random scale, template update and time-step sequences under OrderedReady: ordinals are unique, at most one
/// pod is starting at any time, and left alone the set settles on exactly `0..replicas`. (Terminating pods can
/// leave momentary holes, as on a real cluster: a rolling update's `web-2` and a scale-down's `web-3` may both
/// be terminating, and `web-2` go first.)
#[cfg(test)]
mod properties {
    use crate::apiserver::{PatchType, Request, RequestOptions, Verb};
    use crate::object::{Kind, Object};
    use crate::rng::Rng;
    use crate::Cluster;
    use serde_json::json;

    /// (all ordinals, live ordinals, live pods not yet Running and Ready).
    fn ordinals(c: &Cluster) -> (Vec<i32>, Vec<i32>, usize) {
        let (mut all, mut live, mut unready) = (Vec::new(), Vec::new(), 0);
        for o in c.store().list(Kind::Pod, Some("default")) {
            if let (Object::Pod(p), Some(ord)) = (o, super::ordinal_of("web", o.name())) {
                all.push(ord);
                if p.metadata.deletion_timestamp.is_none() {
                    live.push(ord);
                    if !super::running_and_ready(p) {
                        unready += 1;
                    }
                }
            }
        }
        all.sort();
        live.sort();
        (all, live, unready)
    }

    #[test]
    fn ordered_ready_ordinals_are_unique_and_gap_free() {
        for seed in 0..6u64 {
            let mut c = Cluster::new(seed);
            let sts = json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "web"},
                "spec": {"selector": {"matchLabels": {"app": "web"}}, "serviceName": "web", "replicas": 2,
                    "template": {"metadata": {"labels": {"app": "web"}}, "spec": {
                        "terminationGracePeriodSeconds": 3,
                        "containers": [{"name": "c", "image": "busybox:1.36", "command": ["sh", "-c", "sleep 3600"]}]}}}});
            c.handle("kubectl", Request::new(Verb::Create, Kind::StatefulSet).namespace("default").body(sts))
                .result
                .unwrap();
            let mut rng = Rng::new(seed ^ 0x575);
            for step in 0..50 {
                let patch = |c: &mut Cluster, body: serde_json::Value| {
                    let opts = RequestOptions { patch_type: Some(PatchType::Merge), ..Default::default() };
                    let req = Request::new(Verb::Patch, Kind::StatefulSet)
                        .namespace("default")
                        .name("web")
                        .body(body)
                        .options(opts);
                    c.handle("kubectl", req).result.unwrap();
                    // As after every command of a session: the controllers react before anything else happens.
                    c.settle();
                };
                match rng.below(6) {
                    0 => patch(&mut c, json!({"spec": {"replicas": rng.below(6)}})),
                    1 => {
                        let image = ["busybox:1.36", "busybox:1.37"][rng.below(2) as usize];
                        let containers = json!([{"name": "c", "image": image, "command": ["sh", "-c", "sleep 3600"]}]);
                        patch(&mut c, json!({"spec": {"template": {"spec": {"containers": containers}}}}));
                    }
                    _ => c.step(rng.below(8_000)),
                }
                let (all, _, unready) = ordinals(&c);
                let mut unique = all.clone();
                unique.dedup();
                assert_eq!(unique, all, "seed {seed} step {step}: duplicate ordinals");
                // One pod at a time: never two live pods starting at once.
                assert!(unready <= 1, "seed {seed} step {step}: {unready} pods starting at once");
            }
            // Left alone, the set settles on exactly the ordinals 0..replicas.
            c.step(120_000);
            let Ok(Object::StatefulSet(set)) = c.get(Kind::StatefulSet, "default", "web") else { panic!() };
            let replicas = set.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
            let (all, live, unready) = ordinals(&c);
            assert_eq!((all.clone(), unready), ((0..replicas).collect::<Vec<_>>(), 0), "seed {seed}");
            assert_eq!(live, all);
        }
    }
}
