//! Workload controllers: Deployment (with its new and old ReplicaSets), ReplicaSet, StatefulSet,
//! DaemonSet, Job and CronJob.
//!
//! Where Go dereferences a pointer the API server always defaults (`spec.replicas`), an absent value is
//! shown as that default.

use engine::api::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use engine::api::api::batch::v1::{CronJob, Job, JobTemplateSpec};
use engine::api::api::core::v1::{PersistentVolumeClaim, Pod, PodTemplateSpec};
use engine::api::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use engine::{Kind, Object};
use serde_json::Value;

use super::containers::{describe_pod_template, int_or_string};
use super::events::{self, EventQuery};
use super::quantity::show;
use super::selector::{format_label_selector, selector_text, Selector};
use super::storage::claim_class;
use super::tabwriter::{PrefixWriter, LEVEL_0, LEVEL_1};
use super::text::{
    annotations_multiline, controller_of, controller_uid, date, format_labels, go_slice, human_between,
    labels_multiline, labels_multiline_with_indent, opt, rfc1123z,
};
use super::Ctx;
use engine::util::sort::StableSort;

const TEMPLATE_HASH_LABEL: &str = "pod-template-hash";

/// The selector as `Selector:` shows it with `%s` (an invalid one shows Go's conversion error).
fn selector_line(ls: Option<&LabelSelector>) -> String {
    selector_text(ls).unwrap_or_else(|e| e)
}

fn name_ns(w: &mut PrefixWriter, meta: &ObjectMeta) {
    w.write(LEVEL_0, &format!("Name:\t{}\n", opt(&meta.name)));
    w.write(LEVEL_0, &format!("Namespace:\t{}\n", opt(&meta.namespace)));
}

/// `getPodStatusForController`: pods selected by `selector` and controlled by `uid`, by phase
/// (running, waiting, succeeded, failed).
fn pod_phases(ctx: &Ctx, meta: &ObjectMeta, selector: Option<&LabelSelector>) -> (u32, u32, u32, u32) {
    let Ok(sel) = Selector::from_label_selector(selector) else { return (0, 0, 0, 0) };
    let uid = opt(&meta.uid);
    let pods: Vec<Pod> = ctx.list(Kind::Pod, Some(opt(&meta.namespace)), |o| match o {
        Object::Pod(p) => Some(*p),
        _ => None,
    });
    let mut counts = (0, 0, 0, 0);
    for pod in pods.iter().filter(|p| sel.matches(p.metadata.labels.as_ref())) {
        if controller_uid(&pod.metadata) != Some(uid) {
            continue;
        }
        match pod.status.as_ref().and_then(|s| s.phase.as_deref()) {
            Some("Running") => counts.0 += 1,
            Some("Pending") => counts.1 += 1,
            Some("Succeeded") => counts.2 += 1,
            Some("Failed") => counts.3 += 1,
            _ => {}
        }
    }
    counts
}

fn pods_status_line(counts: (u32, u32, u32, u32)) -> String {
    format!("{} Running / {} Waiting / {} Succeeded / {} Failed\n", counts.0, counts.1, counts.2, counts.3)
}

/// A pod template without its `pod-template-hash` label, for `EqualIgnoreHash`.
fn template_ignoring_hash(t: Option<&PodTemplateSpec>) -> Value {
    let mut v = serde_json::to_value(t).unwrap_or_default();
    if let Some(labels) = v.pointer_mut("/metadata/labels").and_then(Value::as_object_mut) {
        labels.remove(TEMPLATE_HASH_LABEL);
        if labels.is_empty() {
            if let Some(meta) = v.pointer_mut("/metadata").and_then(Value::as_object_mut) {
                meta.remove("labels");
            }
        }
    }
    v
}

/// `deploymentutil.GetAllReplicaSetsInChunks`: the ReplicaSets the deployment selects and controls;
/// the new one is the oldest whose template matches the deployment's, all others are old.
fn replica_sets(d: &Deployment, ctx: &Ctx) -> (Vec<ReplicaSet>, Option<ReplicaSet>) {
    let spec = d.spec.clone().unwrap_or_default();
    let Ok(sel) = Selector::from_label_selector(Some(&spec.selector)) else { return (vec![], None) };
    let uid = opt(&d.metadata.uid);
    let mut owned: Vec<ReplicaSet> = ctx
        .list(Kind::ReplicaSet, Some(opt(&d.metadata.namespace)), |o| match o {
            Object::ReplicaSet(rs) => Some(*rs),
            _ => None,
        })
        .into_iter()
        .filter(|rs| sel.matches(rs.metadata.labels.as_ref()) && controller_uid(&rs.metadata) == Some(uid))
        .collect();
    owned.stable_sort_by(|a, b| {
        let key = |rs: &ReplicaSet| (rs.metadata.creation_timestamp.clone(), rs.metadata.name.clone());
        key(a).cmp(&key(b))
    });
    let wanted = template_ignoring_hash(Some(&spec.template));
    let new = owned
        .iter()
        .find(|rs| template_ignoring_hash(rs.spec.as_ref().and_then(|s| s.template.as_ref())) == wanted)
        .cloned();
    let old = owned.into_iter().filter(|rs| new.as_ref().is_none_or(|n| n.metadata.uid != rs.metadata.uid)).collect();
    (old, new)
}

/// `printReplicaSetsByLabels`.
fn replica_set_list(sets: &[ReplicaSet]) -> String {
    let list: Vec<String> = sets
        .iter()
        .map(|rs| {
            let current = rs.status.as_ref().map(|s| s.replicas).unwrap_or(0);
            let desired = rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
            format!("{} ({current}/{desired} replicas created)", opt(&rs.metadata.name))
        })
        .collect();
    if list.is_empty() {
        "<none>".to_string()
    } else {
        list.join(", ")
    }
}

/// `describeDeployment`.
pub fn describe_deployment(d: &Deployment, ctx: &Ctx) -> String {
    let spec = d.spec.clone().unwrap_or_default();
    let status = d.status.clone().unwrap_or_default();
    let mut w = PrefixWriter::new();
    name_ns(&mut w, &d.metadata);
    w.write(LEVEL_0, &format!("CreationTimestamp:\t{}\n", date(d.metadata.creation_timestamp.as_ref())));
    labels_multiline(&mut w, "Labels", d.metadata.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", d.metadata.annotations.as_ref());
    w.write(LEVEL_0, &format!("Selector:\t{}\n", selector_line(Some(&spec.selector))));
    w.write(
        LEVEL_0,
        &format!(
            "Replicas:\t{} desired | {} updated | {} total | {} available | {} unavailable\n",
            spec.replicas.unwrap_or(1),
            status.updated_replicas.unwrap_or(0),
            status.replicas.unwrap_or(0),
            status.available_replicas.unwrap_or(0),
            status.unavailable_replicas.unwrap_or(0)
        ),
    );
    let strategy = spec.strategy.clone().unwrap_or_default();
    w.write(LEVEL_0, &format!("StrategyType:\t{}\n", opt(&strategy.type_)));
    w.write(LEVEL_0, &format!("MinReadySeconds:\t{}\n", spec.min_ready_seconds.unwrap_or(0)));
    if let Some(ru) = &strategy.rolling_update {
        let show = |v: &Option<_>| v.as_ref().map(int_or_string).unwrap_or_else(|| "<nil>".to_string());
        w.write(
            LEVEL_0,
            &format!(
                "RollingUpdateStrategy:\t{} max unavailable, {} max surge\n",
                show(&ru.max_unavailable),
                show(&ru.max_surge)
            ),
        );
    }
    describe_pod_template(&mut w, Some(&spec.template));
    if let Some(conditions) = status.conditions.as_ref().filter(|c| !c.is_empty()) {
        w.write(LEVEL_0, "Conditions:\n  Type\tStatus\tReason\n");
        w.write(LEVEL_1, "----\t------\t------\n");
        for c in conditions {
            w.write(LEVEL_1, &format!("{} \t{}\t{}\n", c.type_, c.status, opt(&c.reason)));
        }
    }
    let (old, new) = replica_sets(d, ctx);
    if !old.is_empty() || new.is_some() {
        w.write(LEVEL_0, &format!("OldReplicaSets:\t{}\n", replica_set_list(&old)));
        w.write(LEVEL_0, &format!("NewReplicaSet:\t{}\n", replica_set_list(new.as_slice())));
    }
    events::section(&mut w, ctx, &EventQuery::of(&d.metadata, "Deployment"));
    w.finish()
}

/// `describeReplicaSet`.
pub fn describe_replica_set(rs: &ReplicaSet, ctx: &Ctx) -> String {
    let spec = rs.spec.clone().unwrap_or_default();
    let mut w = PrefixWriter::new();
    name_ns(&mut w, &rs.metadata);
    w.write(LEVEL_0, &format!("Selector:\t{}\n", format_label_selector(Some(&spec.selector))));
    labels_multiline(&mut w, "Labels", rs.metadata.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", rs.metadata.annotations.as_ref());
    if let Some(controller) = controller_of(&rs.metadata) {
        w.write(LEVEL_0, &format!("Controlled By:\t{controller}\n"));
    }
    let current = rs.status.as_ref().map(|s| s.replicas).unwrap_or(0);
    w.write(LEVEL_0, &format!("Replicas:\t{current} current / {} desired\n", spec.replicas.unwrap_or(1)));
    w.write(LEVEL_0, "Pods Status:\t");
    w.write(LEVEL_0, &pods_status_line(pod_phases(ctx, &rs.metadata, Some(&spec.selector))));
    describe_pod_template(&mut w, Some(&spec.template.clone().unwrap_or_default()));
    if let Some(conditions) = rs.status.as_ref().and_then(|s| s.conditions.as_ref()).filter(|c| !c.is_empty()) {
        w.write(LEVEL_0, "Conditions:\n  Type\tStatus\tReason\n");
        w.write(LEVEL_1, "----\t------\t------\n");
        for c in conditions {
            w.write(LEVEL_1, &format!("{} \t{}\t{}\n", c.type_, c.status, opt(&c.reason)));
        }
    }
    events::section(&mut w, ctx, &EventQuery::of(&rs.metadata, "ReplicaSet"));
    w.finish()
}

/// `describeStatefulSet`.
pub fn describe_stateful_set(s: &StatefulSet, ctx: &Ctx) -> String {
    let spec = s.spec.clone().unwrap_or_default();
    let mut w = PrefixWriter::new();
    name_ns(&mut w, &s.metadata);
    w.write(LEVEL_0, &format!("CreationTimestamp:\t{}\n", date(s.metadata.creation_timestamp.as_ref())));
    w.write(LEVEL_0, &format!("Selector:\t{}\n", selector_line(Some(&spec.selector))));
    labels_multiline(&mut w, "Labels", s.metadata.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", s.metadata.annotations.as_ref());
    let total = s.status.as_ref().map(|st| st.replicas).unwrap_or(0);
    w.write(LEVEL_0, &format!("Replicas:\t{} desired | {total} total\n", spec.replicas.unwrap_or(1)));
    let strategy = spec.update_strategy.clone().unwrap_or_default();
    w.write(LEVEL_0, &format!("Update Strategy:\t{}\n", opt(&strategy.type_)));
    if let Some(partition) = strategy.rolling_update.as_ref().and_then(|r| r.partition) {
        w.write(LEVEL_1, &format!("Partition:\t{partition}\n"));
        if let Some(max) = strategy.rolling_update.as_ref().and_then(|r| r.max_unavailable.as_ref()) {
            w.write(LEVEL_1, &format!("MaxUnavailable:\t{}\n", int_or_string(max)));
        }
    }
    w.write(LEVEL_0, "Pods Status:\t");
    w.write(LEVEL_0, &pods_status_line(pod_phases(ctx, &s.metadata, Some(&spec.selector))));
    describe_pod_template(&mut w, Some(&spec.template));
    volume_claim_templates(&mut w, spec.volume_claim_templates.as_deref().unwrap_or_default());
    events::section(&mut w, ctx, &EventQuery::of(&s.metadata, "StatefulSet"));
    w.finish()
}

/// `describeVolumeClaimTemplates`.
fn volume_claim_templates(w: &mut PrefixWriter, templates: &[PersistentVolumeClaim]) {
    if templates.is_empty() {
        w.write(LEVEL_0, "Volume Claims:\t<none>\n");
        return;
    }
    w.write(LEVEL_0, "Volume Claims:\n");
    for pvc in templates {
        let spec = pvc.spec.clone().unwrap_or_default();
        w.write(LEVEL_1, &format!("Name:\t{}\n", opt(&pvc.metadata.name)));
        w.write(LEVEL_1, &format!("StorageClass:\t{}\n", claim_class(&pvc.metadata, spec.storage_class_name.as_ref())));
        labels_multiline_with_indent(w, "  ", "Labels", "\t", pvc.metadata.labels.as_ref());
        labels_multiline_with_indent(w, "  ", "Annotations", "\t", pvc.metadata.annotations.as_ref());
        let capacity = spec.resources.as_ref().and_then(|r| r.requests.as_ref()).and_then(|r| r.get("storage"));
        w.write(LEVEL_1, &format!("Capacity:\t{}\n", capacity.map(show).unwrap_or_else(|| "<default>".into())));
        w.write(LEVEL_1, &format!("Access Modes:\t{}\n", go_slice(spec.access_modes.as_deref().unwrap_or_default())));
    }
}

/// `describeDaemonSet`. (Its `Number of Nodes ...` lines have no tab, so they do not align.)
pub fn describe_daemon_set(ds: &DaemonSet, ctx: &Ctx) -> String {
    let spec = ds.spec.clone().unwrap_or_default();
    let status = ds.status.clone().unwrap_or_default();
    let mut w = PrefixWriter::new();
    name_ns(&mut w, &ds.metadata);
    w.write(LEVEL_0, &format!("Selector:\t{}\n", selector_line(Some(&spec.selector))));
    let node_selector = spec.template.spec.as_ref().and_then(|s| s.node_selector.as_ref());
    w.write(LEVEL_0, &format!("Node-Selector:\t{}\n", format_labels(node_selector)));
    labels_multiline(&mut w, "Labels", ds.metadata.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", ds.metadata.annotations.as_ref());
    w.write(LEVEL_0, &format!("Desired Number of Nodes Scheduled: {}\n", status.desired_number_scheduled));
    w.write(LEVEL_0, &format!("Current Number of Nodes Scheduled: {}\n", status.current_number_scheduled));
    w.write(
        LEVEL_0,
        &format!("Number of Nodes Scheduled with Up-to-date Pods: {}\n", status.updated_number_scheduled.unwrap_or(0)),
    );
    w.write(
        LEVEL_0,
        &format!("Number of Nodes Scheduled with Available Pods: {}\n", status.number_available.unwrap_or(0)),
    );
    w.write(LEVEL_0, &format!("Number of Nodes Misscheduled: {}\n", status.number_misscheduled));
    w.write(
        LEVEL_0,
        &format!("Pods Status:\t{}", pods_status_line(pod_phases(ctx, &ds.metadata, Some(&spec.selector)))),
    );
    describe_pod_template(&mut w, Some(&spec.template));
    events::section(&mut w, ctx, &EventQuery::of(&ds.metadata, "DaemonSet"));
    w.finish()
}

/// `capIndexesListOrNone`: at most about `soft_limit` characters, cut after a comma.
fn cap_indexes(indexes: &str, soft_limit: usize) -> String {
    if indexes.is_empty() {
        return "<none>".to_string();
    }
    let bytes = indexes.as_bytes();
    let mut ix = soft_limit;
    while ix < bytes.len() && bytes[ix] != b',' {
        ix += 1;
    }
    if ix >= bytes.len() {
        indexes.to_string()
    } else {
        format!("{}...", &indexes[..=ix])
    }
}

/// `describeJob`.
pub fn describe_job(job: &Job, ctx: &Ctx) -> String {
    let spec = job.spec.clone().unwrap_or_default();
    let status = job.status.clone().unwrap_or_default();
    let mut w = PrefixWriter::new();
    name_ns(&mut w, &job.metadata);
    match selector_text(spec.selector.as_ref()) {
        Ok(s) => w.write(LEVEL_0, &format!("Selector:\t{s}\n")),
        Err(e) => w.write(LEVEL_0, &format!("Selector:\tFailed to get selector: {e}\n")),
    }
    labels_multiline(&mut w, "Labels", job.metadata.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", job.metadata.annotations.as_ref());
    if let Some(controller) = controller_of(&job.metadata) {
        w.write(LEVEL_0, &format!("Controlled By:\t{controller}\n"));
    }
    if let Some(p) = spec.parallelism {
        w.write(LEVEL_0, &format!("Parallelism:\t{p}\n"));
    }
    match spec.completions {
        Some(c) => w.write(LEVEL_0, &format!("Completions:\t{c}\n")),
        None => w.write(LEVEL_0, "Completions:\t<unset>\n"),
    }
    if let Some(mode) = &spec.completion_mode {
        w.write(LEVEL_0, &format!("Completion Mode:\t{mode}\n"));
    }
    if let Some(s) = spec.suspend {
        w.write(LEVEL_0, &format!("Suspend:\t{s}\n"));
    }
    if let Some(b) = spec.backoff_limit {
        w.write(LEVEL_0, &format!("Backoff Limit:\t{b}\n"));
    }
    if let Some(ttl) = spec.ttl_seconds_after_finished {
        w.write(LEVEL_0, &format!("TTL Seconds After Finished:\t{ttl}\n"));
    }
    if let Some(start) = &status.start_time {
        w.write(LEVEL_0, &format!("Start Time:\t{}\n", rfc1123z(&start.0)));
    }
    if let Some(done) = &status.completion_time {
        w.write(LEVEL_0, &format!("Completed At:\t{}\n", rfc1123z(&done.0)));
    }
    if let (Some(start), Some(done)) = (&status.start_time, &status.completion_time) {
        w.write(LEVEL_0, &format!("Duration:\t{}\n", human_between(&start.0, &done.0)));
    }
    if let Some(deadline) = spec.active_deadline_seconds {
        w.write(LEVEL_0, &format!("Active Deadline Seconds:\t{deadline}s\n"));
    }
    let (active, succeeded, failed) =
        (status.active.unwrap_or(0), status.succeeded.unwrap_or(0), status.failed.unwrap_or(0));
    match status.ready {
        None => {
            w.write(LEVEL_0, &format!("Pods Statuses:\t{active} Active / {succeeded} Succeeded / {failed} Failed\n"))
        }
        Some(ready) => w.write(
            LEVEL_0,
            &format!("Pods Statuses:\t{active} Active ({ready} Ready) / {succeeded} Succeeded / {failed} Failed\n"),
        ),
    }
    if spec.completion_mode.as_deref() == Some("Indexed") {
        w.write(LEVEL_0, &format!("Completed Indexes:\t{}\n", cap_indexes(opt(&status.completed_indexes), 50)));
    }
    describe_pod_template(&mut w, Some(&spec.template));
    events::section(&mut w, ctx, &EventQuery::of(&job.metadata, "Job"));
    w.finish()
}

/// `describeCronJob`.
pub fn describe_cron_job(cj: &CronJob, ctx: &Ctx) -> String {
    let spec = cj.spec.clone().unwrap_or_default();
    let status = cj.status.clone().unwrap_or_default();
    let mut w = PrefixWriter::new();
    name_ns(&mut w, &cj.metadata);
    labels_multiline(&mut w, "Labels", cj.metadata.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", cj.metadata.annotations.as_ref());
    w.write(LEVEL_0, &format!("Schedule:\t{}\n", spec.schedule));
    w.write(LEVEL_0, &format!("Concurrency Policy:\t{}\n", opt(&spec.concurrency_policy)));
    w.write(LEVEL_0, &format!("Suspend:\t{}\n", super::text::bool_ptr(spec.suspend)));
    let or_unset = |v: Option<String>| v.unwrap_or_else(|| "<unset>".to_string());
    w.write(
        LEVEL_0,
        &format!(
            "Successful Job History Limit:\t{}\n",
            or_unset(spec.successful_jobs_history_limit.map(|v| v.to_string()))
        ),
    );
    w.write(
        LEVEL_0,
        &format!("Failed Job History Limit:\t{}\n", or_unset(spec.failed_jobs_history_limit.map(|v| v.to_string()))),
    );
    w.write(
        LEVEL_0,
        &format!("Starting Deadline Seconds:\t{}\n", or_unset(spec.starting_deadline_seconds.map(|v| format!("{v}s")))),
    );
    job_template(&mut w, &spec.job_template);
    match &status.last_schedule_time {
        Some(t) => w.write(LEVEL_0, &format!("Last Schedule Time:\t{}\n", rfc1123z(&t.0))),
        None => w.write(LEVEL_0, "Last Schedule Time:\t<unset>\n"),
    }
    w.write(LEVEL_0, "Active Jobs:\t");
    let active = status.active.as_deref().unwrap_or_default();
    if active.is_empty() {
        w.write_line("<none>");
    } else {
        for (i, job) in active.iter().enumerate() {
            if i != 0 {
                w.write(LEVEL_0, ", ");
            }
            w.write(LEVEL_0, opt(&job.name));
        }
        w.write_line("");
    }
    events::section(&mut w, ctx, &EventQuery::of(&cj.metadata, "CronJob"));
    w.finish()
}

/// `describeJobTemplate`.
fn job_template(w: &mut PrefixWriter, t: &JobTemplateSpec) {
    let spec = t.spec.clone().unwrap_or_default();
    match &spec.selector {
        Some(s) => match selector_text(Some(s)) {
            Ok(text) => w.write(LEVEL_0, &format!("Selector:\t{text}\n")),
            Err(e) => w.write(LEVEL_0, &format!("Selector:\tFailed to get selector: {e}\n")),
        },
        None => w.write(LEVEL_0, "Selector:\t<unset>\n"),
    }
    let or_unset = |v: Option<i32>| v.map(|v| v.to_string()).unwrap_or_else(|| "<unset>".to_string());
    w.write(LEVEL_0, &format!("Parallelism:\t{}\n", or_unset(spec.parallelism)));
    w.write(LEVEL_0, &format!("Completions:\t{}\n", or_unset(spec.completions)));
    if let Some(deadline) = spec.active_deadline_seconds {
        w.write(LEVEL_0, &format!("Active Deadline Seconds:\t{deadline}s\n"));
    }
    describe_pod_template(w, Some(&spec.template));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completed_indexes_are_capped_after_a_comma() {
        assert_eq!(cap_indexes("", 50), "<none>");
        assert_eq!(cap_indexes("1-3,5", 50), "1-3,5");
        assert_eq!(cap_indexes("1,3,5,7", 2), "1,3,...");
    }
}
