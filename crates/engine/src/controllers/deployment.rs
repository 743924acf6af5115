//! The Deployment controller (`pkg/controller/deployment`): one ReplicaSet per pod template, named
//! `<deployment>-<pod-template-hash>`; rollouts by RollingUpdate (maxSurge / maxUnavailable, see `rollout`) or
//! Recreate; proportional scaling when the size changes mid-rollout; pausing; revision annotations and
//! `revisionHistoryLimit`; the Available and Progressing conditions with `progressDeadlineSeconds`.
//!
//! Each sync follows `syncDeployment`: claim ReplicaSets, then paused / scaling event → `sync`, else
//! `rolloutRecreate` / `rolloutRolling`, each ending with the status write.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, DeploymentCondition, DeploymentStatus, ReplicaSet, ReplicaSetSpec};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::Value;

use super::replicaset::{controller_ref, new_controller_ref, phase, selector_text};
use super::rollout::{self, Strategy};
use crate::apiserver::selectors::LabelSelector;
use crate::apiserver::{Request, Verb};
use crate::clock::{api_time, sim_millis, Millis};
use crate::cluster::Cluster;
use crate::object::{Kind, Object};
use crate::recorder::Reporter;
use crate::store::ObjectKey;
use crate::util::sort::StableSort;

pub(crate) const DEPLOY_CONTROLLER: &str = "deployment-controller";
pub const REVISION: &str = "deployment.kubernetes.io/revision";
pub const REVISION_HISTORY: &str = "deployment.kubernetes.io/revision-history";
pub const DESIRED_REPLICAS: &str = "deployment.kubernetes.io/desired-replicas";
pub const MAX_REPLICAS: &str = "deployment.kubernetes.io/max-replicas";
pub const HASH_LABEL: &str = "pod-template-hash";

/// Annotations a Deployment does not copy onto its ReplicaSets (`skipCopyAnnotation`).
const SKIP_COPY: &[&str] = &[
    "kubectl.kubernetes.io/last-applied-configuration",
    REVISION,
    REVISION_HISTORY,
    DESIRED_REPLICAS,
    MAX_REPLICAS,
    "deprecated.deployment.rollback.to",
];

fn replicas_of(d: &Deployment) -> i32 {
    d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)
}

pub fn strategy_of(d: &Deployment) -> Strategy {
    let strategy = d.spec.as_ref().and_then(|s| s.strategy.clone()).unwrap_or_default();
    if strategy.type_.as_deref() == Some("Recreate") {
        return Strategy::Recreate;
    }
    let ru = strategy.rolling_update.unwrap_or_default();
    let (surge, unavailable) =
        rollout::resolve_fenceposts(ru.max_surge.as_ref(), ru.max_unavailable.as_ref(), replicas_of(d));
    Strategy::Rolling { surge, unavailable }
}

fn spec_replicas(rs: &ReplicaSet) -> i32 {
    rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)
}

fn status_replicas(rs: &ReplicaSet) -> i32 {
    rs.status.as_ref().map_or(0, |s| s.replicas)
}

fn available(rs: &ReplicaSet) -> i32 {
    rs.status.as_ref().and_then(|s| s.available_replicas).unwrap_or(0)
}

fn ready(rs: &ReplicaSet) -> i32 {
    rs.status.as_ref().and_then(|s| s.ready_replicas).unwrap_or(0)
}

fn name_of(meta: &ObjectMeta) -> String {
    meta.name.clone().unwrap_or_default()
}

/// `deploymentutil.Revision`: the revision annotation, 0 when absent or not a number.
pub fn revision(meta: &ObjectMeta) -> i64 {
    meta.annotations.as_ref().and_then(|a| a.get(REVISION)).and_then(|r| r.parse().ok()).unwrap_or(0)
}

fn annotation_i32(rs: &ReplicaSet, key: &str) -> Option<i32> {
    rs.metadata.annotations.as_ref()?.get(key)?.parse().ok()
}

fn created_key(rs: &ReplicaSet) -> (Millis, String) {
    (rs.metadata.creation_timestamp.as_ref().map(sim_millis).unwrap_or(0), name_of(&rs.metadata))
}

/// A template as JSON with the `pod-template-hash` label removed and empty maps and lists dropped (apimachinery's
/// semantic equality counts nil and empty as equal).
fn template_ignoring_hash(t: Option<&PodTemplateSpec>) -> Value {
    fn prune(v: &mut Value) -> bool {
        match v {
            Value::Object(m) => {
                m.retain(|_, x| !prune(x));
                m.is_empty()
            }
            Value::Array(a) => {
                for x in a.iter_mut() {
                    prune(x);
                }
                a.is_empty()
            }
            Value::Null => true,
            _ => false,
        }
    }
    let mut v = serde_json::to_value(t.cloned().unwrap_or_default()).unwrap_or(Value::Null);
    if let Some(labels) = v.pointer_mut("/metadata/labels").and_then(Value::as_object_mut) {
        labels.remove(HASH_LABEL);
    }
    prune(&mut v);
    v
}

/// `EqualIgnoreHash`.
pub fn equal_ignore_hash(a: Option<&PodTemplateSpec>, b: Option<&PodTemplateSpec>) -> bool {
    template_ignoring_hash(a) == template_ignoring_hash(b)
}

/// The `pod-template-hash` of a Deployment's template (see [`rollout::compute_hash`]).
pub fn template_hash(template: &PodTemplateSpec, collision_count: Option<i32>) -> String {
    rollout::compute_hash(&serde_json::to_vec(template).unwrap_or_default(), collision_count)
}

fn has_progress_deadline(d: &Deployment) -> bool {
    d.spec.as_ref().and_then(|s| s.progress_deadline_seconds).is_some_and(|p| p != i32::MAX)
}

fn condition<'a>(status: &'a DeploymentStatus, type_: &str) -> Option<&'a DeploymentCondition> {
    status.conditions.iter().flatten().find(|c| c.type_ == type_)
}

fn remove_condition(status: &mut DeploymentStatus, type_: &str) {
    if let Some(c) = status.conditions.as_mut() {
        c.retain(|c| c.type_ != type_);
        if c.is_empty() {
            status.conditions = None;
        }
    }
}

fn new_condition(type_: &str, status: &str, reason: &str, message: String, now: Millis) -> DeploymentCondition {
    DeploymentCondition {
        type_: type_.into(),
        status: status.into(),
        reason: Some(reason.into()),
        message: Some(message),
        last_update_time: Some(api_time(now)),
        last_transition_time: Some(api_time(now)),
    }
}

/// `SetDeploymentCondition`: nothing when status and reason are unchanged; the transition time kept when only
/// the reason changes; the condition moves to the end of the list.
fn set_condition(status: &mut DeploymentStatus, mut cond: DeploymentCondition) {
    if let Some(cur) = condition(status, &cond.type_) {
        if cur.status == cond.status && cur.reason == cond.reason {
            return;
        }
        if cur.status == cond.status {
            cond.last_transition_time = cur.last_transition_time.clone();
        }
    }
    remove_condition(status, &cond.type_);
    status.conditions.get_or_insert_with(Vec::new).push(cond);
}

/// `DeploymentComplete`.
fn deployment_complete(d: &Deployment, s: &DeploymentStatus) -> bool {
    let r = replicas_of(d);
    s.updated_replicas.unwrap_or(0) == r
        && s.replicas.unwrap_or(0) == r
        && s.available_replicas.unwrap_or(0) == r
        && s.observed_generation.unwrap_or(0) >= d.metadata.generation.unwrap_or(0)
}

/// `DeploymentProgressing`: more updated, ready or available pods, or fewer old ones, than last time.
fn deployment_progressing(d: &Deployment, new: &DeploymentStatus) -> bool {
    let old = d.status.clone().unwrap_or_default();
    let g = |x: Option<i32>| x.unwrap_or(0);
    let old_old = g(old.replicas) - g(old.updated_replicas);
    let new_old = g(new.replicas) - g(new.updated_replicas);
    g(new.updated_replicas) > g(old.updated_replicas)
        || new_old < old_old
        || g(new.ready_replicas) > g(old.ready_replicas)
        || g(new.available_replicas) > g(old.available_replicas)
}

/// `DeploymentTimedOut`: no progress for `progressDeadlineSeconds` since the Progressing condition's last update.
fn deployment_timed_out(d: &Deployment, s: &DeploymentStatus, now: Millis) -> bool {
    let Some(c) = condition(s, "Progressing") else { return false };
    match c.reason.as_deref() {
        Some("NewReplicaSetAvailable") => false,
        Some("ProgressDeadlineExceeded") => true,
        _ => {
            let from = c.last_update_time.as_ref().map(sim_millis).unwrap_or(0);
            let deadline = d.spec.as_ref().and_then(|s| s.progress_deadline_seconds).unwrap_or(600).max(0) as u64;
            from + deadline * 1000 < now
        }
    }
}

impl Cluster {
    pub(super) fn reconcile_deployments(&mut self) {
        // Like the real controller, which syncs on Deployment, ReplicaSet and pod events (and its progress
        // deadline): a settle without them has nothing for it.
        let watched = [Kind::Deployment, Kind::ReplicaSet, Kind::Pod, Kind::Namespace];
        if !self.has_news(self.apps.deployments_seen, &watched) {
            return;
        }
        // Its own writes are news for its next pass, as a real controller's watch delivers them back.
        let before = self.store.resource_version();
        let keys: Vec<ObjectKey> = self.store.list(Kind::Deployment, None).map(ObjectKey::of).collect();
        for key in keys {
            self.sync_deployment(&key);
        }
        self.apps.deployments_seen = Some((before, self.deployment_wakeup()));
    }

    /// When a rollout without progress will hit its deadline.
    pub(crate) fn deployment_wakeup(&self) -> Option<Millis> {
        let now = self.clock.now();
        self.store
            .list(Kind::Deployment, None)
            .filter_map(|o| match o {
                Object::Deployment(d) => Some(d),
                _ => None,
            })
            .filter(|d| has_progress_deadline(d) && !d.spec.as_ref().and_then(|s| s.paused).unwrap_or(false))
            .filter_map(|d| {
                let st = d.status.as_ref()?;
                let c = condition(st, "Progressing")?;
                if matches!(c.reason.as_deref(), Some("NewReplicaSetAvailable" | "ProgressDeadlineExceeded")) {
                    return None;
                }
                let deadline = d.spec.as_ref()?.progress_deadline_seconds?.max(0) as u64;
                Some(c.last_update_time.as_ref().map(sim_millis).unwrap_or(0) + deadline * 1000 + 1)
            })
            .filter(|t| *t > now)
            .min()
    }

    fn sync_deployment(&mut self, key: &ObjectKey) {
        let Some(Object::Deployment(d)) = self.store.get(key).cloned() else { return };
        let mut d = *d;
        let mut rss = self.claim_replica_sets(&d);
        if d.metadata.deletion_timestamp.is_some() {
            let new = find_new(&d, &rss);
            self.sync_deployment_status(&mut d, &rss, new);
            return;
        }
        self.check_paused_conditions(&mut d);
        if d.spec.as_ref().and_then(|s| s.paused).unwrap_or(false) {
            self.sync_scale(&mut d, &mut rss);
            return;
        }
        if self.all_replica_sets_and_sync_revision(&mut d, &mut rss, false).is_err() {
            return;
        }
        let replicas = replicas_of(&d);
        // isScalingEvent: an active ReplicaSet (one with replicas) was sized for another replica count.
        let scaling = rss
            .iter()
            .any(|rs| spec_replicas(rs) > 0 && annotation_i32(rs, DESIRED_REPLICAS).is_some_and(|x| x != replicas));
        if scaling {
            self.sync_scale(&mut d, &mut rss);
            return;
        }
        match strategy_of(&d) {
            Strategy::Recreate => self.rollout_recreate(&mut d, &mut rss),
            Strategy::Rolling { .. } => self.rollout_rolling(&mut d, &mut rss),
        }
    }

    /// `ClaimReplicaSets`: adopts orphaned ReplicaSets the selector matches, releases owned ones it no longer does.
    fn claim_replica_sets(&mut self, d: &Deployment) -> Vec<ReplicaSet> {
        let ns = d.metadata.namespace.clone().unwrap_or_default();
        let uid = d.metadata.uid.clone().unwrap_or_default();
        let name = name_of(&d.metadata);
        let sel_api = d.spec.clone().unwrap_or_default().selector;
        let selector = LabelSelector::from_api(&sel_api);
        let deleting = d.metadata.deletion_timestamp.is_some();
        let all: Vec<ReplicaSet> = self
            .store
            .list(Kind::ReplicaSet, Some(&ns))
            .filter_map(|o| match o {
                Object::ReplicaSet(rs) => Some((**rs).clone()),
                _ => None,
            })
            .collect();
        let mut owned = Vec::new();
        for rs in all {
            let matches = !selector.requirements.is_empty() && selector.matches(rs.metadata.labels.as_ref());
            let rs_name = name_of(&rs.metadata);
            match controller_ref(&rs.metadata) {
                Some(r) if r.uid == uid => {
                    if matches || deleting {
                        owned.push(rs);
                    } else {
                        let why = format!(
                            "Deployment {name} released ReplicaSet {rs_name}: its labels no longer match the selector {}",
                            selector_text(&sel_api)
                        );
                        self.set_rs_owner(&rs, false, d, &why);
                    }
                }
                None if matches && !deleting && rs.metadata.deletion_timestamp.is_none() => {
                    let why = format!(
                        "Deployment {name} adopted ReplicaSet {rs_name}: it has no controller and its labels match the selector {}",
                        selector_text(&sel_api)
                    );
                    if let Some(rs) = self.set_rs_owner(&rs, true, d, &why) {
                        owned.push(rs);
                    }
                }
                _ => {}
            }
        }
        owned
    }

    fn set_rs_owner(&mut self, rs: &ReplicaSet, adopt: bool, d: &Deployment, why: &str) -> Option<ReplicaSet> {
        let uid = d.metadata.uid.clone().unwrap_or_default();
        let mut copy = rs.clone();
        let mut refs = copy.metadata.owner_references.take().unwrap_or_default();
        refs.retain(|r| r.uid != uid);
        if adopt {
            refs.push(new_controller_ref("Deployment", &d.metadata));
        }
        copy.metadata.owner_references = (!refs.is_empty()).then_some(refs);
        self.update_rs(copy, why)
    }

    /// Writes a ReplicaSet's metadata and spec through the API; the stored result.
    fn update_rs(&mut self, rs: ReplicaSet, why: &str) -> Option<ReplicaSet> {
        let key = ObjectKey::new(
            Kind::ReplicaSet,
            rs.metadata.namespace.as_deref().unwrap_or_default(),
            rs.metadata.name.as_deref().unwrap_or_default(),
        );
        let current = self.store.get(&key).cloned()?;
        match self.write_update(DEPLOY_CONTROLLER, current, Object::from(rs), false, why) {
            Ok(Object::ReplicaSet(rs)) => Some(*rs),
            _ => None,
        }
    }

    /// `UpdateStatus` of a Deployment (which, as in the real registry, also writes its annotations).
    fn write_deployment_status(&mut self, d: &mut Deployment, why: &str) {
        let key = ObjectKey::new(
            Kind::Deployment,
            d.metadata.namespace.as_deref().unwrap_or_default(),
            d.metadata.name.as_deref().unwrap_or_default(),
        );
        let Some(Object::Deployment(current)) = self.store.get(&key).cloned() else { return };
        let mut updated = *current;
        updated.status = d.status.clone();
        updated.metadata.annotations = d.metadata.annotations.clone();
        if let Some(Object::Deployment(stored)) =
            self.write_object_status(DEPLOY_CONTROLLER, Object::from(updated), why)
        {
            *d = *stored;
        }
    }

    fn check_paused_conditions(&mut self, d: &mut Deployment) {
        if !has_progress_deadline(d) {
            return;
        }
        let status = d.status.clone().unwrap_or_default();
        let cond = condition(&status, "Progressing");
        if cond.is_some_and(|c| c.reason.as_deref() == Some("ProgressDeadlineExceeded")) {
            return;
        }
        let paused_exists = cond.is_some_and(|c| c.reason.as_deref() == Some("DeploymentPaused"));
        let paused = d.spec.as_ref().and_then(|s| s.paused).unwrap_or(false);
        let now = self.clock.now();
        let name = name_of(&d.metadata);
        let (reason, message, why) = if paused && !paused_exists {
            (
                "DeploymentPaused",
                "Deployment is paused",
                format!("Deployment {name} was paused: no rollout until resumed"),
            )
        } else if !paused && paused_exists {
            ("DeploymentResumed", "Deployment is resumed", format!("Deployment {name} was resumed"))
        } else {
            return;
        };
        let mut st = status.clone();
        set_condition(&mut st, new_condition("Progressing", "Unknown", reason, message.into(), now));
        d.status = Some(st);
        self.write_deployment_status(d, &why);
    }

    /// `getAllReplicaSetsAndSyncRevision`: the index of the new ReplicaSet (created when `create` and missing),
    /// with revision annotations brought up to date. `Err` when creating it failed.
    fn all_replica_sets_and_sync_revision(
        &mut self,
        d: &mut Deployment,
        rss: &mut Vec<ReplicaSet>,
        create: bool,
    ) -> Result<Option<usize>, ()> {
        let new = find_new(d, rss);
        let max_old = rss
            .iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != new)
            .map(|(_, rs)| revision(&rs.metadata))
            .max()
            .unwrap_or(0);
        let new_revision = max_old + 1;
        let now = self.clock.now();
        let name = name_of(&d.metadata);
        if let Some(i) = new {
            let mut copy = rss[i].clone();
            let annotations_updated = set_new_rs_annotations(d, &mut copy, new_revision, true);
            let min_ready = d.spec.as_ref().and_then(|s| s.min_ready_seconds);
            let spec = copy.spec.get_or_insert_with(Default::default);
            if annotations_updated || spec.min_ready_seconds != min_ready {
                spec.min_ready_seconds = min_ready;
                let why = format!(
                    "Deployment {name}: ReplicaSet {} carries its current pod template (revision {new_revision}); annotations updated",
                    name_of(&copy.metadata)
                );
                if let Some(stored) = self.update_rs(copy, &why) {
                    rss[i] = stored;
                }
                return Ok(Some(i));
            }
            let rev = revision(&rss[i].metadata).to_string();
            let mut needs = set_deployment_revision(d, &rev);
            let mut status = d.status.clone().unwrap_or_default();
            if has_progress_deadline(d) && condition(&status, "Progressing").is_none() {
                let msg = format!("Found new replica set \"{}\"", name_of(&rss[i].metadata));
                set_condition(&mut status, new_condition("Progressing", "True", "FoundNewReplicaSet", msg, now));
                d.status = Some(status);
                needs = true;
            }
            if needs {
                self.write_deployment_status(d, &format!("Deployment {name} is at revision {rev}"));
            }
            return Ok(Some(i));
        }
        if !create {
            return Ok(None);
        }
        // Create the new ReplicaSet.
        let spec = d.spec.clone().unwrap_or_default();
        let collision = d.status.as_ref().and_then(|s| s.collision_count);
        let hash = template_hash(&spec.template, collision);
        let rs_name = format!("{name}-{hash}");
        let ns = d.metadata.namespace.clone().unwrap_or_default();
        let mut template = spec.template.clone();
        let tmeta = template.metadata.get_or_insert_with(Default::default);
        tmeta.labels.get_or_insert_with(BTreeMap::new).insert(HASH_LABEL.into(), hash.clone());
        let mut selector = spec.selector.clone();
        selector.match_labels.get_or_insert_with(BTreeMap::new).insert(HASH_LABEL.into(), hash.clone());
        let strategy = strategy_of(d);
        let replicas = replicas_of(d);
        let all: i32 = rss.iter().map(spec_replicas).sum();
        let count = rollout::new_rs_new_replicas(strategy, replicas, all, 0);
        let mut rs = ReplicaSet {
            metadata: ObjectMeta {
                name: Some(rs_name.clone()),
                namespace: Some(ns.clone()),
                owner_references: Some(vec![new_controller_ref("Deployment", &d.metadata)]),
                labels: template.metadata.as_ref().and_then(|m| m.labels.clone()),
                ..Default::default()
            },
            spec: Some(ReplicaSetSpec {
                replicas: Some(count),
                min_ready_seconds: spec.min_ready_seconds,
                selector,
                template: Some(template),
            }),
            status: None,
        };
        set_new_rs_annotations(d, &mut rs, new_revision, false);
        let req = Request::new(Verb::Create, Kind::ReplicaSet).namespace(&ns).body(Object::from(rs).to_json());
        let (created, already) = match self.handle(DEPLOY_CONTROLLER, req).object() {
            Ok(Object::ReplicaSet(rs)) => {
                let why = match strategy {
                    Strategy::Rolling { surge, .. } => format!(
                        "Deployment {name} has a new pod template (revision {new_revision}): created ReplicaSet {rs_name} \
with {count} replicas (at most {replicas} + maxSurge {surge} = {} pods in all, {all} exist)",
                        replicas + surge
                    ),
                    Strategy::Recreate => format!(
                        "Deployment {name} has a new pod template (revision {new_revision}) and every old pod is gone: \
created ReplicaSet {rs_name} with {count} replicas (Recreate)"
                    ),
                };
                self.amend_reason(why);
                (*rs, false)
            }
            Ok(_) => return Err(()),
            Err(e) if e.code == 409 => {
                let existing = match self.store.get(&ObjectKey::new(Kind::ReplicaSet, &ns, &rs_name)) {
                    Some(Object::ReplicaSet(rs)) => (**rs).clone(),
                    _ => return Err(()),
                };
                let ours = controller_ref(&existing.metadata).is_some_and(|r| Some(&r.uid) == d.metadata.uid.as_ref());
                if ours
                    && equal_ignore_hash(Some(&spec.template), existing.spec.as_ref().and_then(|s| s.template.as_ref()))
                {
                    (existing, true)
                } else {
                    // A hash collision: count it so that the next hash differs.
                    let mut status = d.status.clone().unwrap_or_default();
                    status.collision_count = Some(status.collision_count.unwrap_or(0) + 1);
                    d.status = Some(status);
                    self.write_deployment_status(
                        d,
                        &format!("Deployment {name}: ReplicaSet name {rs_name} is taken by another template; collisionCount raised"),
                    );
                    return Err(());
                }
            }
            Err(e) => {
                let msg = format!("Failed to create new replica set \"{rs_name}\": {}", e.message);
                if has_progress_deadline(d) {
                    let mut status = d.status.clone().unwrap_or_default();
                    set_condition(
                        &mut status,
                        new_condition("Progressing", "False", "ReplicaSetCreateError", msg.clone(), now),
                    );
                    d.status = Some(status);
                    self.write_deployment_status(d, &msg);
                }
                let about = Object::from(d.clone());
                self.emit_event(
                    &about,
                    "Warning",
                    "ReplicaSetCreateError",
                    &msg,
                    &Reporter::component(DEPLOY_CONTROLLER),
                );
                return Err(());
            }
        };
        if !already && count > 0 {
            let about = Object::from(d.clone());
            let msg = format!("Scaled up replica set {rs_name} from 0 to {count}");
            self.emit_event(&about, "Normal", "ScalingReplicaSet", &msg, &Reporter::component(DEPLOY_CONTROLLER));
        }
        let mut needs = set_deployment_revision(d, &new_revision.to_string());
        if !already && has_progress_deadline(d) {
            let mut status = d.status.clone().unwrap_or_default();
            let msg = format!("Created new replica set \"{rs_name}\"");
            set_condition(&mut status, new_condition("Progressing", "True", "NewReplicaSetCreated", msg, now));
            d.status = Some(status);
            needs = true;
        }
        if needs {
            self.write_deployment_status(d, &format!("Deployment {name} is at revision {new_revision}"));
        }
        rss.push(created);
        Ok(Some(rss.len() - 1))
    }

    /// `scaleReplicaSet`: sets the size and the desired/max-replicas annotations; a `ScalingReplicaSet` event when
    /// the size changed.
    fn scale_rs(
        &mut self,
        d: &Deployment,
        rss: &mut [ReplicaSet],
        i: usize,
        to: i32,
        op: Option<&str>,
        cause: &str,
    ) -> bool {
        let replicas = replicas_of(d);
        let max = replicas + strategy_of(d).max_surge();
        let from = spec_replicas(&rss[i]);
        let size_needs = from != to;
        let annotations_need = annotation_i32(&rss[i], DESIRED_REPLICAS) != Some(replicas)
            || annotation_i32(&rss[i], MAX_REPLICAS) != Some(max);
        if !size_needs && !annotations_need {
            return false;
        }
        let op = op.unwrap_or(if from < to { "up" } else { "down" });
        let mut copy = rss[i].clone();
        copy.spec.get_or_insert_with(Default::default).replicas = Some(to);
        set_replicas_annotations(&mut copy, replicas, max);
        let rs_name = name_of(&copy.metadata);
        let name = name_of(&d.metadata);
        let why = if size_needs {
            format!("Deployment {name} scaled {op} ReplicaSet {rs_name} from {from} to {to}: {cause}")
        } else {
            format!(
                "Deployment {name} annotated ReplicaSet {rs_name} with its size ({replicas} desired, {max} at most)"
            )
        };
        let Some(stored) = self.update_rs(copy, &why) else { return false };
        rss[i] = stored;
        if size_needs {
            let about = Object::from(d.clone());
            let msg = format!("Scaled {op} replica set {rs_name} from {from} to {to}");
            self.emit_event(&about, "Normal", "ScalingReplicaSet", &msg, &Reporter::component(DEPLOY_CONTROLLER));
        }
        size_needs
    }

    fn scale_rs_and_record(&mut self, d: &Deployment, rss: &mut [ReplicaSet], i: usize, to: i32, cause: &str) -> bool {
        if spec_replicas(&rss[i]) == to {
            return false;
        }
        self.scale_rs(d, rss, i, to, None, cause)
    }

    /// `sync`: for paused deployments and scaling events: scale (proportionally), prune when paused, status.
    fn sync_scale(&mut self, d: &mut Deployment, rss: &mut Vec<ReplicaSet>) {
        let Ok(new) = self.all_replica_sets_and_sync_revision(d, rss, false) else { return };
        self.scale(d, rss, new);
        if d.spec.as_ref().and_then(|s| s.paused).unwrap_or(false) {
            self.cleanup_deployment(d, rss, new);
        }
        self.sync_deployment_status(d, rss, new);
    }

    /// `scale`: one active ReplicaSet takes the whole size; a saturated new one retires the old; otherwise
    /// every active ReplicaSet gets its proportional share (see `rollout::proportion`).
    fn scale(&mut self, d: &Deployment, rss: &mut [ReplicaSet], new: Option<usize>) {
        let replicas = replicas_of(d);
        let name = name_of(&d.metadata);
        let active: Vec<usize> = (0..rss.len()).filter(|i| spec_replicas(&rss[*i]) > 0).collect();
        // FindActiveOrLatest.
        let target = match active.len() {
            0 if new.is_some() => new,
            0 => (0..rss.len()).max_by_key(|i| created_key(&rss[*i])),
            1 => Some(active[0]),
            _ => None,
        };
        if let Some(i) = target {
            if spec_replicas(&rss[i]) != replicas {
                let cause = format!("the Deployment was scaled to {replicas} and this is its only active ReplicaSet");
                self.scale_rs_and_record(d, rss, i, replicas, &cause);
            }
            return;
        }
        // IsSaturated.
        if let Some(n) = new {
            let rs = &rss[n];
            if spec_replicas(rs) == replicas
                && annotation_i32(rs, DESIRED_REPLICAS) == Some(replicas)
                && available(rs) == replicas
            {
                for i in active.into_iter().filter(|i| *i != n) {
                    self.scale_rs_and_record(d, rss, i, 0, "the new ReplicaSet is saturated");
                }
                return;
            }
        }
        let strategy = strategy_of(d);
        if strategy == Strategy::Recreate {
            return;
        }
        let mut all = active;
        let total: i32 = all.iter().map(|i| spec_replicas(&rss[*i])).sum();
        let allowed = if replicas > 0 { replicas + strategy.max_surge() } else { 0 };
        let to_add = allowed - total;
        let op = match to_add {
            x if x > 0 => {
                // ReplicaSetsBySizeNewer: larger first, then newer first.
                all.stable_sort_by(|a, b| {
                    spec_replicas(&rss[*b])
                        .cmp(&spec_replicas(&rss[*a]))
                        .then(created_key(&rss[*b]).cmp(&created_key(&rss[*a])))
                });
                "up"
            }
            x if x < 0 => {
                // ReplicaSetsBySizeOlder: larger first, then older first.
                all.stable_sort_by(|a, b| {
                    spec_replicas(&rss[*b])
                        .cmp(&spec_replicas(&rss[*a]))
                        .then(created_key(&rss[*a]).cmp(&created_key(&rss[*b])))
                });
                "down"
            }
            _ => "",
        };
        let status_replicas_d = d.status.as_ref().and_then(|s| s.replicas).unwrap_or(0);
        let mut added = 0;
        let mut sizes: Vec<i32> = Vec::new();
        for i in &all {
            let rs = &rss[*i];
            let share = if to_add != 0 {
                rollout::proportion(
                    spec_replicas(rs),
                    replicas,
                    annotation_i32(rs, MAX_REPLICAS),
                    status_replicas_d,
                    allowed,
                    to_add,
                    added,
                )
            } else {
                0
            };
            added += share;
            sizes.push(spec_replicas(rs) + share);
        }
        for (k, i) in all.iter().enumerate() {
            if k == 0 && to_add != 0 {
                sizes[0] = (sizes[0] + to_add - added).max(0);
            }
            let cause = format!(
                "proportional scaling: Deployment {name} now wants {replicas} replicas (at most {allowed} pods), \
shared among its active ReplicaSets by size"
            );
            let op = (!op.is_empty()).then_some(op);
            self.scale_rs(d, rss, *i, sizes[k], op, &cause);
        }
    }

    /// `rolloutRolling`.
    fn rollout_rolling(&mut self, d: &mut Deployment, rss: &mut Vec<ReplicaSet>) {
        let Ok(Some(new)) = self.all_replica_sets_and_sync_revision(d, rss, true) else { return };
        if self.reconcile_new_rs(d, rss, new) || self.reconcile_old_rss(d, rss, new) {
            self.sync_rollout_status(d, rss, Some(new));
            return;
        }
        if deployment_complete(d, &d.status.clone().unwrap_or_default()) {
            self.cleanup_deployment(d, rss, Some(new));
        }
        self.sync_rollout_status(d, rss, Some(new));
    }

    /// `reconcileNewReplicaSet`.
    fn reconcile_new_rs(&mut self, d: &Deployment, rss: &mut [ReplicaSet], new: usize) -> bool {
        let replicas = replicas_of(d);
        let size = spec_replicas(&rss[new]);
        if size == replicas {
            return false;
        }
        if size > replicas {
            return self.scale_rs_and_record(d, rss, new, replicas, "the new ReplicaSet is larger than the Deployment");
        }
        let strategy = strategy_of(d);
        let all: i32 = rss.iter().map(spec_replicas).sum();
        let to = rollout::new_rs_new_replicas(strategy, replicas, all, size);
        let cause = format!(
            "rolling update: at most {replicas} + maxSurge {} = {} pods may exist, {all} do",
            strategy.max_surge(),
            replicas + strategy.max_surge()
        );
        self.scale_rs_and_record(d, rss, new, to, &cause)
    }

    /// `reconcileOldReplicaSets`: unhealthy old pods first, then as many available ones as maxUnavailable allows.
    fn reconcile_old_rss(&mut self, d: &Deployment, rss: &mut [ReplicaSet], new: usize) -> bool {
        let mut old: Vec<usize> = (0..rss.len()).filter(|i| *i != new && spec_replicas(&rss[*i]) > 0).collect();
        if old.iter().map(|i| spec_replicas(&rss[*i])).sum::<i32>() == 0 {
            return false;
        }
        old.stable_sort_by_key(|i| created_key(&rss[*i]));
        let replicas = replicas_of(d);
        let max_unavailable = strategy_of(d).max_unavailable(replicas);
        let all: i32 = rss.iter().map(spec_replicas).sum();
        let new_unavailable = spec_replicas(&rss[new]) - available(&rss[new]);
        let budget = rollout::max_scaled_down(replicas, max_unavailable, all, new_unavailable);
        if budget <= 0 {
            return false;
        }
        // cleanupUnhealthyReplicas.
        let mut cleaned = 0;
        for &i in &old {
            if cleaned >= budget {
                break;
            }
            let (size, avail) = (spec_replicas(&rss[i]), available(&rss[i]));
            if size == 0 || size == avail {
                continue;
            }
            let down = (budget - cleaned).min(size - avail);
            let cause = format!("rolling update: {} of its pods are not available, so they go first", size - avail);
            self.scale_rs_and_record(d, rss, i, size - down, &cause);
            cleaned += down;
        }
        // scaleDownOldReplicaSetsForRollingUpdate.
        let min_available = replicas - max_unavailable;
        let all_available: i32 = rss.iter().map(available).sum();
        let total = rollout::rolling_scale_down_count(replicas, max_unavailable, all_available);
        let mut scaled = 0;
        if all_available > min_available {
            for &i in &old {
                if scaled >= total {
                    break;
                }
                let size = spec_replicas(&rss[i]);
                if size == 0 {
                    continue;
                }
                let down = size.min(total - scaled);
                let cause = format!(
                    "rolling update: {all_available} pods are available and {replicas} − maxUnavailable {max_unavailable} = \
{min_available} must stay available"
                );
                self.scale_rs_and_record(d, rss, i, size - down, &cause);
                scaled += down;
            }
        }
        cleaned + scaled > 0
    }

    /// `rolloutRecreate`: every old pod gone (not just terminating) before the new ReplicaSet scales up.
    fn rollout_recreate(&mut self, d: &mut Deployment, rss: &mut Vec<ReplicaSet>) {
        let Ok(mut new) = self.all_replica_sets_and_sync_revision(d, rss, false) else { return };
        let mut scaled_down = false;
        for i in 0..rss.len() {
            if Some(i) != new && spec_replicas(&rss[i]) > 0 {
                scaled_down |=
                    self.scale_rs_and_record(d, rss, i, 0, "Recreate: every old pod goes before new ones start");
            }
        }
        if scaled_down || self.old_pods_running(d, rss, new) {
            self.sync_rollout_status(d, rss, new);
            return;
        }
        if new.is_none() {
            match self.all_replica_sets_and_sync_revision(d, rss, true) {
                Ok(n) => new = n,
                Err(()) => return,
            }
        }
        let Some(n) = new else { return };
        let replicas = replicas_of(d);
        self.scale_rs_and_record(d, rss, n, replicas, "Recreate: the old pods are gone");
        if deployment_complete(d, &d.status.clone().unwrap_or_default()) {
            self.cleanup_deployment(d, rss, new);
        }
        self.sync_rollout_status(d, rss, new);
    }

    /// `oldPodsRunning`: old ReplicaSets still report pods, or some pod they control has not finished.
    fn old_pods_running(&self, d: &Deployment, rss: &[ReplicaSet], new: Option<usize>) -> bool {
        let old: Vec<&ReplicaSet> = rss.iter().enumerate().filter(|(i, _)| Some(*i) != new).map(|(_, r)| r).collect();
        if old.iter().map(|rs| status_replicas(rs)).sum::<i32>() > 0 {
            return true;
        }
        let uids: Vec<String> = old.iter().filter_map(|rs| rs.metadata.uid.clone()).collect();
        self.store.list(Kind::Pod, d.metadata.namespace.as_deref()).any(|o| match o {
            Object::Pod(p) => {
                controller_ref(&p.metadata).is_some_and(|r| uids.contains(&r.uid))
                    && !matches!(phase(p), "Succeeded" | "Failed")
            }
            _ => false,
        })
    }

    /// `cleanupDeployment`: old ReplicaSets beyond `revisionHistoryLimit`, lowest revision first, if empty.
    fn cleanup_deployment(&mut self, d: &Deployment, rss: &[ReplicaSet], new: Option<usize>) {
        let Some(limit) = d.spec.as_ref().and_then(|s| s.revision_history_limit) else { return };
        let mut cleanable: Vec<&ReplicaSet> = rss
            .iter()
            .enumerate()
            .filter(|(i, rs)| Some(*i) != new && rs.metadata.deletion_timestamp.is_none())
            .map(|(_, rs)| rs)
            .collect();
        let diff = cleanable.len() as i32 - limit;
        if diff <= 0 {
            return;
        }
        cleanable.stable_sort_by_key(|rs| (revision(&rs.metadata), created_key(rs)));
        let name = name_of(&d.metadata);
        let doomed: Vec<ReplicaSet> = cleanable.into_iter().take(diff as usize).cloned().collect();
        for rs in doomed {
            let observed = rs.status.as_ref().and_then(|s| s.observed_generation).unwrap_or(0);
            if status_replicas(&rs) != 0 || spec_replicas(&rs) != 0 || rs.metadata.generation.unwrap_or(0) > observed {
                continue;
            }
            let key = ObjectKey::of(&Object::from(rs.clone()));
            let Some(current) = self.store.get(&key).cloned() else { continue };
            self.delete_object(DEPLOY_CONTROLLER, current, None);
            self.amend_reason(format!(
                "Deployment {name} keeps revisionHistoryLimit={limit} old ReplicaSets: deleted {} (revision {})",
                name_of(&rs.metadata),
                revision(&rs.metadata)
            ));
        }
    }

    /// `calculateStatus`.
    fn calculate_status(&self, d: &Deployment, rss: &[ReplicaSet], new: Option<usize>) -> DeploymentStatus {
        let replicas = replicas_of(d);
        let avail: i32 = rss.iter().map(available).sum();
        let total: i32 = rss.iter().map(spec_replicas).sum();
        let nz = |n: i32| (n != 0).then_some(n);
        let old = d.status.clone().unwrap_or_default();
        let mut status = DeploymentStatus {
            observed_generation: d.metadata.generation,
            replicas: nz(rss.iter().map(status_replicas).sum()),
            updated_replicas: nz(new.map_or(0, |n| status_replicas(&rss[n]))),
            ready_replicas: nz(rss.iter().map(ready).sum()),
            available_replicas: nz(avail),
            unavailable_replicas: nz((total - avail).max(0)),
            collision_count: old.collision_count,
            conditions: old.conditions.clone(),
            terminating_replicas: None,
        };
        let now = self.clock.now();
        let cond = if avail >= replicas - strategy_of(d).max_unavailable(replicas) {
            new_condition(
                "Available",
                "True",
                "MinimumReplicasAvailable",
                "Deployment has minimum availability.".into(),
                now,
            )
        } else {
            new_condition(
                "Available",
                "False",
                "MinimumReplicasUnavailable",
                "Deployment does not have minimum availability.".into(),
                now,
            )
        };
        set_condition(&mut status, cond);
        status
    }

    /// `syncDeploymentStatus`.
    fn sync_deployment_status(&mut self, d: &mut Deployment, rss: &[ReplicaSet], new: Option<usize>) {
        let status = self.calculate_status(d, rss, new);
        if d.status.as_ref() == Some(&status) {
            return;
        }
        let why = status_summary(d, &status);
        d.status = Some(status);
        self.write_deployment_status(d, &why);
    }

    /// `syncRolloutStatus`: status plus the Progressing condition (progress, completion, deadline).
    fn sync_rollout_status(&mut self, d: &mut Deployment, rss: &[ReplicaSet], new: Option<usize>) {
        let now = self.clock.now();
        let mut status = self.calculate_status(d, rss, new);
        if !has_progress_deadline(d) {
            remove_condition(&mut status, "Progressing");
        }
        let old = d.status.clone().unwrap_or_default();
        let current = condition(&old, "Progressing").cloned();
        let complete = status.replicas == status.updated_replicas
            && current.as_ref().is_some_and(|c| c.reason.as_deref() == Some("NewReplicaSetAvailable"));
        let name = name_of(&d.metadata);
        let subject = match new {
            Some(n) => format!("ReplicaSet \"{}\"", name_of(&rss[n].metadata)),
            None => format!("Deployment \"{name}\""),
        };
        if has_progress_deadline(d) && !complete {
            if deployment_complete(d, &status) {
                let msg = format!("{subject} has successfully progressed.");
                set_condition(&mut status, new_condition("Progressing", "True", "NewReplicaSetAvailable", msg, now));
            } else if deployment_progressing(d, &status) {
                let msg = format!("{subject} is progressing.");
                let mut cond = new_condition("Progressing", "True", "ReplicaSetUpdated", msg, now);
                if let Some(cur) = &current {
                    if cur.status == "True" {
                        cond.last_transition_time = cur.last_transition_time.clone();
                    }
                    remove_condition(&mut status, "Progressing");
                }
                set_condition(&mut status, cond);
            } else if deployment_timed_out(d, &status, now) {
                let msg = format!("{subject} has timed out progressing.");
                set_condition(&mut status, new_condition("Progressing", "False", "ProgressDeadlineExceeded", msg, now));
            }
        }
        remove_condition(&mut status, "ReplicaFailure");
        if d.status.as_ref() == Some(&status) {
            return;
        }
        let mut why = status_summary(d, &status);
        let reason = |s: &DeploymentStatus| condition(s, "Progressing").and_then(|c| c.reason.clone());
        if reason(&status) != reason(&old) {
            if let Some(r) = reason(&status) {
                why.push_str(&format!("; Progressing: {r}"));
            }
        }
        d.status = Some(status);
        self.write_deployment_status(d, &why);
    }
}

fn status_summary(d: &Deployment, s: &DeploymentStatus) -> String {
    let g = |x: Option<i32>| x.unwrap_or(0);
    format!(
        "Deployment {} status: {} pods, {} up to date, {} available of {} desired",
        name_of(&d.metadata),
        g(s.replicas),
        g(s.updated_replicas),
        g(s.available_replicas),
        replicas_of(d)
    )
}

/// `FindNewReplicaSet`: the oldest ReplicaSet whose template equals the Deployment's, ignoring the hash label.
fn find_new(d: &Deployment, rss: &[ReplicaSet]) -> Option<usize> {
    let template = d.spec.as_ref().map(|s| &s.template);
    let mut order: Vec<usize> = (0..rss.len()).collect();
    order.stable_sort_by_key(|i| created_key(&rss[*i]));
    order.into_iter().find(|i| equal_ignore_hash(template, rss[*i].spec.as_ref().and_then(|s| s.template.as_ref())))
}

/// `SetDeploymentRevision`.
fn set_deployment_revision(d: &mut Deployment, revision: &str) -> bool {
    let ann = d.metadata.annotations.get_or_insert_with(BTreeMap::new);
    if ann.get(REVISION).map(String::as_str) == Some(revision) {
        return false;
    }
    ann.insert(REVISION.into(), revision.into());
    true
}

/// `SetReplicasAnnotations`.
fn set_replicas_annotations(rs: &mut ReplicaSet, desired: i32, max: i32) -> bool {
    let ann = rs.metadata.annotations.get_or_insert_with(BTreeMap::new);
    let mut changed = false;
    for (k, v) in [(DESIRED_REPLICAS, desired), (MAX_REPLICAS, max)] {
        if ann.get(k) != Some(&v.to_string()) {
            ann.insert(k.into(), v.to_string());
            changed = true;
        }
    }
    changed
}

/// `SetNewReplicaSetAnnotations`: the Deployment's own annotations copied (change-cause among them), the revision
/// raised (keeping the old one in `revision-history` on a rollback), and, for a new ReplicaSet, its sizes.
fn set_new_rs_annotations(d: &Deployment, rs: &mut ReplicaSet, new_revision: i64, exists: bool) -> bool {
    let mut changed = false;
    let ann = rs.metadata.annotations.get_or_insert_with(BTreeMap::new);
    for (k, v) in d.metadata.annotations.iter().flatten() {
        if SKIP_COPY.contains(&k.as_str()) || ann.get(k) == Some(v) {
            continue;
        }
        ann.insert(k.clone(), v.clone());
        changed = true;
    }
    let old = ann.get(REVISION).cloned();
    let old_int = match old.as_deref() {
        None | Some("") => 0,
        Some(s) => match s.parse::<i64>() {
            Ok(n) => n,
            Err(_) => return false,
        },
    };
    if old_int < new_revision {
        ann.insert(REVISION.into(), new_revision.to_string());
        changed = true;
        if let Some(old) = old.filter(|o| !o.is_empty()) {
            let history = ann.get(REVISION_HISTORY).cloned().unwrap_or_default();
            let joined = if history.is_empty() { old } else { format!("{history},{old}") };
            ann.insert(REVISION_HISTORY.into(), joined);
        }
    }
    if !exists {
        let replicas = replicas_of(d);
        changed |= set_replicas_annotations(rs, replicas, replicas + strategy_of(d).max_surge());
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{Container, PodSpec};

    fn template(image: &str, hash: Option<&str>) -> PodTemplateSpec {
        let mut labels: BTreeMap<String, String> = [("app".to_string(), "web".to_string())].into();
        if let Some(h) = hash {
            labels.insert(HASH_LABEL.into(), h.into());
        }
        PodTemplateSpec {
            metadata: Some(ObjectMeta { labels: Some(labels), ..Default::default() }),
            spec: Some(PodSpec {
                containers: vec![Container { name: "nginx".into(), image: Some(image.into()), ..Default::default() }],
                ..Default::default()
            }),
        }
    }

    #[test]
    fn templates_compare_without_the_hash_label() {
        assert!(equal_ignore_hash(
            Some(&template("nginx:1.27", None)),
            Some(&template("nginx:1.27", Some("7d9f8c6b5")))
        ));
        assert!(!equal_ignore_hash(Some(&template("nginx:1.27", None)), Some(&template("nginx:1.28", None))));
        let mut empty = template("nginx:1.27", None);
        empty.metadata.as_mut().unwrap().annotations = Some(BTreeMap::new());
        assert!(equal_ignore_hash(Some(&empty), Some(&template("nginx:1.27", None))));
    }

    #[test]
    fn hashes_differ_by_template_and_collision_count() {
        let a = template_hash(&template("nginx:1.27", None), None);
        assert_eq!(a, template_hash(&template("nginx:1.27", None), None));
        assert_ne!(a, template_hash(&template("nginx:1.28", None), None));
        assert_ne!(a, template_hash(&template("nginx:1.27", None), Some(1)));
        assert!(a.chars().all(|c| "456789bcdf".contains(c)), "{a}");
    }

    #[test]
    fn conditions_keep_transition_times_and_move_to_the_end() {
        let mut s = DeploymentStatus::default();
        set_condition(&mut s, new_condition("Progressing", "True", "NewReplicaSetCreated", "a".into(), 0));
        set_condition(&mut s, new_condition("Available", "True", "MinimumReplicasAvailable", "b".into(), 1000));
        set_condition(&mut s, new_condition("Progressing", "True", "NewReplicaSetAvailable", "c".into(), 5000));
        let c = s.conditions.as_ref().unwrap();
        assert_eq!((c[0].type_.as_str(), c[1].type_.as_str()), ("Available", "Progressing"));
        assert_eq!(c[1].last_transition_time, Some(api_time(0)));
        assert_eq!(c[1].last_update_time, Some(api_time(5000)));
        // Same status and reason: nothing changes.
        set_condition(&mut s, new_condition("Available", "True", "MinimumReplicasAvailable", "b".into(), 9000));
        assert_eq!(s.conditions.as_ref().unwrap()[0].last_update_time, Some(api_time(1000)));
    }

    #[test]
    fn rollback_keeps_the_old_revision_in_history() {
        let d = Deployment {
            metadata: ObjectMeta {
                annotations: Some([("kubernetes.io/change-cause".to_string(), "why".to_string())].into()),
                ..Default::default()
            },
            ..Default::default()
        };
        let mut rs = ReplicaSet {
            metadata: ObjectMeta {
                annotations: Some([(REVISION.to_string(), "1".to_string())].into()),
                ..Default::default()
            },
            ..Default::default()
        };
        assert!(set_new_rs_annotations(&d, &mut rs, 3, true));
        let ann = rs.metadata.annotations.unwrap();
        assert_eq!(ann[REVISION], "3");
        assert_eq!(ann[REVISION_HISTORY], "1");
        assert_eq!(ann["kubernetes.io/change-cause"], "why");
    }
}

/// Random scale / update / delete sequences against a live cluster: the rolling-update guarantees hold.
#[cfg(test)]
mod properties {
    use super::*;
    use crate::controllers::replicaset::{is_active, is_available};
    use crate::rng::Rng;

    fn body(replicas: i32, image: &str, surge: Value, unavailable: Value) -> Value {
        serde_json::json!({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
            "spec":{"replicas":replicas,"selector":{"matchLabels":{"app":"web"}},
            "strategy":{"rollingUpdate":{"maxSurge":surge,"maxUnavailable":unavailable}},
            "template":{"metadata":{"labels":{"app":"web"}},
            "spec":{"containers":[{"name":"web","image":image}]}}}})
    }

    /// (replicas, maxSurge, maxUnavailable, active pods, available pods, complete).
    fn observe(c: &Cluster) -> (i32, i32, i32, i32, i32, bool) {
        let Ok(Object::Deployment(d)) = c.get(Kind::Deployment, "default", "web") else { panic!("gone") };
        let replicas = replicas_of(d);
        let strategy = strategy_of(d);
        let uids: Vec<String> = c
            .store
            .list(Kind::ReplicaSet, Some("default"))
            .filter(|o| controller_ref(o.metadata()).is_some_and(|r| Some(&r.uid) == d.metadata.uid.as_ref()))
            .filter_map(|o| o.metadata().uid.clone())
            .collect();
        let pods: Vec<&k8s_openapi::api::core::v1::Pod> = c
            .store
            .list(Kind::Pod, Some("default"))
            .filter_map(|o| match o {
                Object::Pod(p) if controller_ref(&p.metadata).is_some_and(|r| uids.contains(&r.uid)) => Some(&**p),
                _ => None,
            })
            .filter(|p| is_active(p))
            .collect();
        let available = pods.iter().filter(|p| is_available(p, 0, c.now())).count() as i32;
        let complete = deployment_complete(d, &d.status.clone().unwrap_or_default());
        (replicas, strategy.max_surge(), strategy.max_unavailable(replicas), pods.len() as i32, available, complete)
    }

    #[test]
    fn rolling_updates_keep_their_bounds_under_random_operations() {
        let images = ["nginx:1.25", "nginx:1.26", "nginx:1.27", "httpd:2.4", "redis:7"];
        let settings = [
            (serde_json::json!("25%"), serde_json::json!("25%")),
            (serde_json::json!(0), serde_json::json!(1)),
            (serde_json::json!(1), serde_json::json!(0)),
            (serde_json::json!("50%"), serde_json::json!(0)),
            (serde_json::json!(2), serde_json::json!(2)),
        ];
        let mut checked = 0;
        for seed in 0..6u64 {
            let mut rng = Rng::new(seed);
            let mut c = Cluster::new(seed);
            let (surge, unavailable) = settings[seed as usize % settings.len()].clone();
            let replicas = 1 + rng.below(6) as i32;
            let req = Request::new(Verb::Create, Kind::Deployment).namespace("default").body(body(
                replicas,
                images[0],
                surge,
                unavailable,
            ));
            assert!(c.handle("test", req).result.is_ok());
            let mut armed = false;
            for _ in 0..25 {
                match rng.below(6) {
                    0 => {
                        let image = images[rng.below(images.len() as u64) as usize];
                        let patch = serde_json::json!({"spec":{"template":{"spec":{"containers":[{"name":"web","image":image}]}}}});
                        let req =
                            Request::new(Verb::Patch, Kind::Deployment).namespace("default").name("web").body(patch);
                        assert!(c.handle("test", req).result.is_ok());
                    }
                    1 => {
                        let n = 1 + rng.below(8) as i32;
                        let patch = serde_json::json!({"spec":{"replicas":n}});
                        let req =
                            Request::new(Verb::Patch, Kind::Deployment).namespace("default").name("web").body(patch);
                        assert!(c.handle("test", req).result.is_ok());
                        armed = false;
                    }
                    2 => {
                        let pods: Vec<Object> = c.store.list(Kind::Pod, Some("default")).cloned().collect();
                        if !pods.is_empty() {
                            let victim = pods[rng.below(pods.len() as u64) as usize].clone();
                            c.delete_object("test", victim, None);
                            armed = false;
                        }
                    }
                    _ => {}
                }
                c.settle();
                for _ in 0..(1 + rng.below(40)) {
                    let (replicas, surge, max_unavailable, active, available, complete) = observe(&c);
                    assert!(
                        active <= replicas + surge,
                        "seed {seed}: {active} active pods > {replicas} + maxSurge {surge}"
                    );
                    if armed {
                        checked += 1;
                        assert!(
                            available >= replicas - max_unavailable,
                            "seed {seed}: {available} available < {replicas} − maxUnavailable {max_unavailable}"
                        );
                    }
                    if complete && available == replicas {
                        armed = true;
                    }
                    c.step(250);
                }
            }
        }
        assert!(checked > 100, "the availability bound was checked only {checked} times");
    }
}
