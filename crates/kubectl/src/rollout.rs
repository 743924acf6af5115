//! `kubectl rollout status|history|undo|restart|pause|resume` (`k8s.io/kubectl/pkg/cmd/rollout` and
//! `polymorphichelpers`): all six for Deployments; status, history, undo and restart for StatefulSets and
//! DaemonSets (history and undo read their ControllerRevisions); kubectl's own errors for the rest (pause and
//! resume of a StatefulSet, any rollout of a Pod or a Service). `status` watches: simulated time passes while it
//! waits, and it prints the status line for every change of the object, as the real watch does.

use engine::api::api::apps::v1::{ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet};
use engine::apiserver::{PatchType, Request, Verb};
use engine::controllers::revisions;
use engine::{Cluster, Kind, Object};
use serde_json::{json, Value};

use crate::builder::parse_args;
use crate::client::{send, server_error};
use crate::flags::{flag, FlagKind, FlagSpec, Parsed};
use crate::Output;

pub const FLAGS: &[FlagSpec] = &[
    flag("watch", Some('w'), FlagKind::Bool),
    flag("revision", None, FlagKind::String),
    flag("to-revision", None, FlagKind::String),
    flag("timeout", None, FlagKind::String),
    flag("selector", Some('l'), FlagKind::String),
];

const REVISION: &str = "deployment.kubernetes.io/revision";
const CHANGE_CAUSE: &str = "kubernetes.io/change-cause";
const HASH_LABEL: &str = "pod-template-hash";

/// How long `rollout status` without `--timeout` lets simulated time run before giving up. Real kubectl
/// waits until interrupted; a terminal in a page cannot be interrupted, so the wait is bounded (every
/// Deployment with the default progressDeadlineSeconds of 600 has reported by then).
const STATUS_WAIT_CAP_MS: u64 = 15 * 60 * 1000;

fn help() -> Output {
    Output::error(
        "Manage the rollout of one or many resources.\n\n Valid resource types include:\n\n  *  deployments\n  *  \
daemonsets\n  *  statefulsets\n\nAvailable Commands:\n  history       View rollout history\n  pause         Mark the \
provided resource as paused\n  restart       Restart a resource\n  resume        Resume a paused resource\n  status        \
Show the status of the rollout\n  undo          Undo a previous rollout\n\nUsage:\n  kubectl rollout SUBCOMMAND [options]\n",
    )
}

pub fn run(cluster: &mut Cluster, flags: &Parsed, namespace: &str) -> Output {
    let Some((sub, rest)) = flags.args.split_first() else { return help() };
    let sub = sub.as_str();
    if !matches!(sub, "status" | "history" | "undo" | "restart" | "pause" | "resume") {
        return Output::error(format!(
            "error: unknown command \"{}\"\nSee 'kubectl rollout -h' for help and examples\n",
            flags.args.join(" ")
        ));
    }
    if rest.is_empty() {
        // As kubectl v1.34 prints it (checked against the real binary).
        return Output::error("error: required resource not specified\n");
    }
    let selection = match parse_args(rest) {
        Ok(s) => s,
        Err(e) => return Output::error(e),
    };
    let mut out = Output::default();
    for (kind, names) in selection {
        if names.is_empty() {
            out.fail("error: resource(s) were provided, but no name was specified\n");
            continue;
        }
        for name in names {
            let got = send(cluster, Request::new(Verb::Get, kind).namespace(namespace).name(&name)).object();
            let obj = match got {
                Ok(o) => o,
                Err(e) => {
                    out.fail(server_error(&e, None));
                    continue;
                }
            };
            let rolls_out = matches!(obj.kind(), Kind::Deployment | Kind::StatefulSet | Kind::DaemonSet);
            let res = match (sub, obj) {
                // `StatusViewerFor`, `HistoryViewerFor` and `RollbackerFor` know the three workload kinds only.
                ("status", obj) if !rolls_out => Output::error(format!(
                    "error: no status viewer has been implemented for {}\n",
                    obj.kind().info().kind
                )),
                ("history", obj) if !rolls_out => Output::error(format!(
                    "error: no history viewer has been implemented for \"{}\"\n",
                    obj.kind().info().kind
                )),
                ("undo", obj) if !rolls_out => Output::error(format!(
                    "error: no rollbacker has been implemented for \"{}\"\n",
                    obj.kind().info().kind
                )),
                ("restart", obj) if !rolls_out => Output::error(format!(
                    "error: {} \"{}\" restarting is not supported\n",
                    resource_string(obj.kind()),
                    obj.name()
                )),
                ("status", obj) => status(cluster, flags, obj),
                ("restart", obj) => restart(cluster, &obj),
                ("history", Object::Deployment(d)) => history(cluster, flags, &d),
                ("undo", Object::Deployment(d)) => undo(cluster, flags, &d),
                ("pause", Object::Deployment(d)) => pause_resume(cluster, &d, true),
                ("resume", Object::Deployment(d)) => pause_resume(cluster, &d, false),
                ("history", obj) => set_history(cluster, flags, &obj),
                ("undo", obj) => set_undo(cluster, flags, &obj),
                // `defaultObjectPauser` / `defaultObjectResumer` know Deployments only; the error names the
                // resource as `pause.go` formats it.
                (_, obj) => Output::error(format!(
                    "error: {} \"{}\" {} is not supported\n",
                    resource_string(obj.kind()),
                    obj.name(),
                    if sub == "pause" { "pausing" } else { "resuming" }
                )),
            };
            out.stdout.push_str(&res.stdout);
            if res.exit_code != 0 {
                out.fail(res.stderr);
            }
        }
    }
    out
}

fn what(d: &Deployment) -> String {
    format!("deployment.apps/{}", d.metadata.name.as_deref().unwrap_or_default())
}

/// `DeploymentStatusViewer.Status`: the line to print, whether the rollout is done, or an error.
pub fn deployment_status(d: &Deployment, revision: Option<i64>) -> Result<(String, bool), String> {
    let name = d.metadata.name.as_deref().unwrap_or_default();
    if let Some(want) = revision.filter(|r| *r > 0) {
        let have = annotation_revision(&d.metadata);
        if have != want {
            return Err(format!("desired revision ({want}) is different from the running revision ({have})"));
        }
    }
    let status = d.status.clone().unwrap_or_default();
    if d.metadata.generation.unwrap_or(0) > status.observed_generation.unwrap_or(0) {
        return Ok(("Waiting for deployment spec update to be observed...\n".into(), false));
    }
    let progressing = status.conditions.iter().flatten().find(|c| c.type_ == "Progressing");
    if progressing.is_some_and(|c| c.reason.as_deref() == Some("ProgressDeadlineExceeded")) {
        return Err(format!("deployment \"{name}\" exceeded its progress deadline"));
    }
    let g = |x: Option<i32>| x.unwrap_or(0);
    let replicas = d.spec.as_ref().and_then(|s| s.replicas);
    let (updated, total, available) = (g(status.updated_replicas), g(status.replicas), g(status.available_replicas));
    if let Some(r) = replicas.filter(|r| updated < *r) {
        return Ok((
            format!("Waiting for deployment \"{name}\" rollout to finish: {updated} out of {r} new replicas have been updated...\n"),
            false,
        ));
    }
    if total > updated {
        return Ok((
            format!(
                "Waiting for deployment \"{name}\" rollout to finish: {} old replicas are pending termination...\n",
                total - updated
            ),
            false,
        ));
    }
    if available < updated {
        return Ok((
            format!("Waiting for deployment \"{name}\" rollout to finish: {available} of {updated} updated replicas are available...\n"),
            false,
        ));
    }
    Ok((format!("deployment \"{name}\" successfully rolled out\n"), true))
}

/// The status line of any kind `rollout status` watches (`StatusViewerFor`).
fn object_status(obj: &Object, revision: Option<i64>) -> Result<(String, bool), String> {
    match obj {
        Object::Deployment(d) => deployment_status(d, revision),
        Object::StatefulSet(s) => statefulset_status(s),
        Object::DaemonSet(d) => daemonset_status(d),
        other => Err(format!("no status viewer has been implemented for {}", other.kind().info().kind)),
    }
}

/// `DaemonSetStatusViewer.Status` (the revision is ignored, as kubectl does).
///
/// 3 nodes scheduled, 1 updated → `Waiting for daemon set "x" rollout to finish: 1 out of 3 new pods have been
/// updated...`; all 3 updated, 2 available → `… 2 of 3 updated pods are available...`.
pub fn daemonset_status(d: &DaemonSet) -> Result<(String, bool), String> {
    let name = d.metadata.name.as_deref().unwrap_or_default();
    let strategy = d.spec.as_ref().and_then(|s| s.update_strategy.as_ref()).and_then(|u| u.type_.as_deref());
    if strategy != Some("RollingUpdate") {
        return Err("rollout status is only available for RollingUpdate strategy type".into());
    }
    let status = d.status.clone().unwrap_or_default();
    if d.metadata.generation.unwrap_or(0) > status.observed_generation.unwrap_or(0) {
        return Ok(("Waiting for daemon set spec update to be observed...\n".into(), false));
    }
    let desired = status.desired_number_scheduled;
    let updated = status.updated_number_scheduled.unwrap_or(0);
    let available = status.number_available.unwrap_or(0);
    if updated < desired {
        return Ok((
            format!("Waiting for daemon set \"{name}\" rollout to finish: {updated} out of {desired} new pods have been updated...\n"),
            false,
        ));
    }
    if available < desired {
        return Ok((
            format!("Waiting for daemon set \"{name}\" rollout to finish: {available} of {desired} updated pods are available...\n"),
            false,
        ));
    }
    Ok((format!("daemon set \"{name}\" successfully rolled out\n"), true))
}

/// `StatefulSetStatusViewer.Status`. The API server always defaults `rollingUpdate.partition` to 0, so a
/// RollingUpdate StatefulSet reports the partitioned messages even without a partition, exactly as real kubectl
/// does: 3 replicas, partition 1, 1 updated → `Waiting for partitioned roll out to finish: 1 out of 2 new pods
/// have been updated...`.
pub fn statefulset_status(s: &StatefulSet) -> Result<(String, bool), String> {
    let spec = s.spec.clone().unwrap_or_default();
    let strategy = spec.update_strategy.as_ref().and_then(|u| u.type_.as_deref());
    if strategy != Some("RollingUpdate") {
        return Err("rollout status is only available for RollingUpdate strategy type".into());
    }
    let status = s.status.clone().unwrap_or_default();
    let observed = status.observed_generation.unwrap_or(0);
    if observed == 0 || s.metadata.generation.unwrap_or(0) > observed {
        return Ok(("Waiting for statefulset spec update to be observed...\n".into(), false));
    }
    let ready = status.ready_replicas.unwrap_or(0);
    if let Some(r) = spec.replicas.filter(|r| ready < *r) {
        return Ok((format!("Waiting for {} pods to be ready...\n", r - ready), false));
    }
    let updated = status.updated_replicas.unwrap_or(0);
    if let Some(rolling) = spec.update_strategy.as_ref().and_then(|u| u.rolling_update.as_ref()) {
        if let (Some(r), Some(p)) = (spec.replicas, rolling.partition) {
            if updated < r - p {
                return Ok((
                    format!(
                        "Waiting for partitioned roll out to finish: {updated} out of {} new pods have been updated...\n",
                        r - p
                    ),
                    false,
                ));
            }
        }
        return Ok((format!("partitioned roll out complete: {updated} new pods have been updated...\n"), true));
    }
    let update = status.update_revision.unwrap_or_default();
    let current = status.current_revision.unwrap_or_default();
    if update != current {
        return Ok((
            format!("waiting for statefulset rolling update to complete {updated} pods at revision {update}...\n"),
            false,
        ));
    }
    Ok((
        format!(
            "statefulset rolling update complete {} pods at revision {current}...\n",
            status.current_replicas.unwrap_or(0)
        ),
        true,
    ))
}

/// `kubectl rollout pause` names the resource as `pause.go` does: the plural, then `.group` if any.
fn resource_string(kind: Kind) -> String {
    let info = kind.info();
    if info.group.is_empty() {
        info.plural.to_string()
    } else {
        format!("{}.{}", info.plural, info.group)
    }
}

fn annotation_revision(meta: &engine::api::apimachinery::pkg::apis::meta::v1::ObjectMeta) -> i64 {
    meta.annotations.as_ref().and_then(|a| a.get(REVISION)).and_then(|r| r.parse().ok()).unwrap_or(0)
}

fn status(cluster: &mut Cluster, flags: &Parsed, obj: Object) -> Output {
    let watch = !flags.has("watch") || flags.bool("watch");
    let revision = match flags.string("revision").map(str::parse::<i64>) {
        None => None,
        Some(Ok(r)) => Some(r),
        Some(Err(_)) => {
            let v = flags.string("revision").unwrap_or_default();
            return Output::error(format!(
                "Error: invalid argument \"{v}\" for \"--revision\" flag: strconv.ParseInt: parsing \"{v}\": invalid syntax\nSee 'kubectl rollout status --help' for usage.\n"
            ));
        }
    };
    let timeout = match flags.string("timeout") {
        None => None,
        Some(t) => match crate::wait::parse_duration(t) {
            Some(0) => None,
            Some(ms) => Some(ms),
            None => {
                return Output::error(format!(
                    "Error: invalid argument \"{t}\" for \"--timeout\" flag: time: invalid duration \"{t}\"\nSee 'kubectl rollout status --help' for usage.\n"
                ))
            }
        },
    };
    let (kind, ns, name) = (obj.kind(), obj.namespace().to_string(), obj.name().to_string());
    let start = cluster.now();
    let deadline = start + timeout.unwrap_or(STATUS_WAIT_CAP_MS);
    let mut out = Output::default();
    // The first event of the watch is the object as it is now (UntilWithSync's initial list).
    let mut versions: Vec<Object> = vec![obj];
    let mut last_rv: u64 = cluster.store().resource_version();
    loop {
        for version in versions.drain(..) {
            match object_status(&version, revision) {
                Err(e) => {
                    out.fail(format!("error: {e}\n"));
                    return out;
                }
                Ok((line, done)) => {
                    out.stdout.push_str(&line);
                    if done || !watch {
                        return out;
                    }
                }
            }
        }
        if cluster.now() >= deadline {
            if timeout.is_some() {
                out.fail("error: timed out waiting for the condition\n");
            } else {
                out.fail(format!(
                    "error: kubeground stopped waiting after {} minutes of simulated time; real kubectl would go on \
waiting until interrupted\n",
                    STATUS_WAIT_CAP_MS / 60_000
                ));
            }
            return out;
        }
        cluster.step_to_next_change(deadline - cluster.now());
        // Every change of the Deployment since the last look, in order (the watch's Modified events).
        let changes: Vec<(bool, Object)> = match cluster.store().changes_since(last_rv) {
            Some(changes) => changes
                .filter(|c| c.object.kind() == kind && c.object.name() == name && c.object.namespace() == ns)
                .map(|c| (c.kind == engine::store::WatchEventType::Deleted, (*c.object).clone()))
                .collect(),
            None => match cluster.get(kind, &ns, &name) {
                Ok(o) => vec![(false, o.clone())],
                Err(_) => vec![(true, Object::from(Deployment::default()))],
            },
        };
        last_rv = cluster.store().resource_version();
        for (deleted, obj) in changes {
            if deleted {
                out.fail("error: object has been deleted\n");
                return out;
            }
            versions.push(obj);
        }
    }
}

/// The ReplicaSets a Deployment controls (`deploymentutil.GetAllReplicaSets`).
fn replica_sets(cluster: &mut Cluster, d: &Deployment) -> Vec<ReplicaSet> {
    let uid = d.metadata.uid.clone().unwrap_or_default();
    let ns = d.metadata.namespace.clone().unwrap_or_default();
    let items = send(cluster, Request::new(Verb::List, Kind::ReplicaSet).namespace(&ns)).list().unwrap_or_default();
    items
        .iter()
        .filter_map(|o| match o.as_ref() {
            Object::ReplicaSet(rs)
                if rs
                    .metadata
                    .owner_references
                    .iter()
                    .flatten()
                    .any(|r| r.controller == Some(true) && r.uid == uid) =>
            {
                Some((**rs).clone())
            }
            _ => None,
        })
        .collect()
}

/// `--revision` (or `--to-revision`) as pflag parses an int64, or its error.
fn revision_flag(flags: &Parsed, name: &str, command: &str) -> Result<i64, Output> {
    match flags.string(name).map(str::parse) {
        None => Ok(0),
        Some(Ok(r)) => Ok(r),
        Some(Err(_)) => {
            let v = flags.string(name).unwrap_or_default();
            Err(Output::error(format!(
                "Error: invalid argument \"{v}\" for \"--{name}\" flag: strconv.ParseInt: parsing \"{v}\": invalid syntax\nSee 'kubectl rollout {command} --help' for usage.\n"
            )))
        }
    }
}

/// `statefulSetHistory` / `daemonSetHistory`: the ControllerRevisions the set controls.
fn set_revisions(cluster: &mut Cluster, set: &Object) -> Vec<ControllerRevision> {
    let uid = set.metadata().uid.clone().unwrap_or_default();
    let req = Request::new(Verb::List, Kind::ControllerRevision).namespace(set.namespace());
    let items = send(cluster, req).list().unwrap_or_default();
    items
        .iter()
        .filter_map(|o| match o.as_ref() {
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
        .collect()
}

fn set_what(set: &Object) -> String {
    format!("{}/{}", set.kind().info().qualified_singular(), set.name())
}

/// `StatefulSetHistoryViewer` / `DaemonSetHistoryViewer` through `printHistory`: the revisions with the
/// change-cause annotation each carries, or one revision's pod template.
fn set_history(cluster: &mut Cluster, flags: &Parsed, set: &Object) -> Output {
    let revision = match revision_flag(flags, "revision", "history") {
        Ok(r) => r,
        Err(e) => return e,
    };
    let info: std::collections::BTreeMap<i64, ControllerRevision> =
        set_revisions(cluster, set).into_iter().map(|r| (r.revision, r)).collect();
    let body = if info.is_empty() {
        "No rollout history found.".to_string()
    } else if revision > 0 {
        match info.get(&revision) {
            Some(cr) => crate::describe::pod_template_raw(revisions::revision_template(cr).as_ref()),
            None => return Output::error("error: unable to find the specified revision\n"),
        }
    } else {
        let mut rows = vec![vec!["REVISION".to_string(), "CHANGE-CAUSE".to_string()]];
        for (r, cr) in &info {
            let cause = cr.metadata.annotations.as_ref().and_then(|a| a.get(CHANGE_CAUSE)).filter(|c| !c.is_empty());
            rows.push(vec![r.to_string(), cause.cloned().unwrap_or_else(|| "<none>".into())]);
        }
        let width = rows.iter().map(|r| r[0].len()).max().unwrap_or(0) + 2;
        rows.iter().map(|r| format!("{:<width$}{}\n", r[0], r[1])).collect()
    };
    let with = if revision > 0 { format!("with revision #{revision}") } else { String::new() };
    Output::ok(format!("{} {with}\n{body}\n", set_what(set)))
}

/// `StatefulSetRollbacker` / `DaemonSetRollbacker`: the wanted revision's data (a patch replacing the pod
/// template) applied as a strategic merge patch, unless the set's template already is that revision's.
fn set_undo(cluster: &mut Cluster, flags: &Parsed, set: &Object) -> Output {
    let to = match revision_flag(flags, "to-revision", "undo") {
        Ok(r) => r,
        Err(e) => return e,
    };
    if to < 0 {
        return Output::error(format!("error: unable to find specified revision {to} in history\n"));
    }
    let mut history = set_revisions(cluster, set);
    if to == 0 && history.len() <= 1 {
        return Output::error("error: no last revision to roll back to\n");
    }
    // `findHistory`: the given revision, or the one before the newest.
    let target = if to == 0 {
        history.sort_by_key(|r| r.revision);
        history.get(history.len() - 2).cloned()
    } else {
        history.iter().find(|r| r.revision == to).cloned()
    };
    let Some(target) = target else {
        return Output::error(format!("error: unable to find specified revision {to} in history\n"));
    };
    let template = match set {
        Object::StatefulSet(s) => s.spec.as_ref().map(|s| s.template.clone()),
        Object::DaemonSet(d) => d.spec.as_ref().map(|s| s.template.clone()),
        _ => None,
    }
    .unwrap_or_default();
    let current = revisions::go_json(&revisions::template_patch(&template));
    if current == revisions::revision_data(&target) {
        return Output::ok(format!(
            "{} skipped rollback (current template already matches revision {to})\n",
            set_what(set)
        ));
    }
    let patch = target.data.as_ref().map(|d| d.0.clone()).unwrap_or_default();
    let req =
        Request::new(Verb::Patch, set.kind()).namespace(set.namespace()).name(set.name()).body(patch).options(
            engine::apiserver::RequestOptions { patch_type: Some(PatchType::Strategic), ..Default::default() },
        );
    match send(cluster, req).object() {
        Ok(_) => Output::ok(format!("{} rolled back\n", set_what(set))),
        Err(e) => Output::error(format!("error: failed restoring revision {to}: {}\n", e.message)),
    }
}

fn history(cluster: &mut Cluster, flags: &Parsed, d: &Deployment) -> Output {
    let revision = match revision_flag(flags, "revision", "history") {
        Ok(r) => r,
        Err(e) => return e,
    };
    let mut info: std::collections::BTreeMap<i64, engine::api::api::core::v1::PodTemplateSpec> = Default::default();
    for rs in replica_sets(cluster, d) {
        let Some(v) = rs.metadata.annotations.as_ref().and_then(|a| a.get(REVISION)).and_then(|r| r.parse().ok())
        else {
            continue;
        };
        let mut template = rs.spec.as_ref().and_then(|s| s.template.clone()).unwrap_or_default();
        if let Some(cause) =
            rs.metadata.annotations.as_ref().and_then(|a| a.get(CHANGE_CAUSE)).filter(|c| !c.is_empty())
        {
            template
                .metadata
                .get_or_insert_with(Default::default)
                .annotations
                .get_or_insert_with(Default::default)
                .insert(CHANGE_CAUSE.into(), cause.clone());
        }
        info.insert(v, template);
    }
    let body = if info.is_empty() {
        "No rollout history found.".to_string()
    } else if revision > 0 {
        match info.get(&revision) {
            Some(t) => crate::describe::pod_template_raw(Some(t)),
            None => return Output::error("error: unable to find the specified revision\n"),
        }
    } else {
        let mut rows = vec![vec!["REVISION".to_string(), "CHANGE-CAUSE".to_string()]];
        for (r, t) in &info {
            let cause = t
                .metadata
                .as_ref()
                .and_then(|m| m.annotations.as_ref())
                .and_then(|a| a.get(CHANGE_CAUSE))
                .cloned()
                .unwrap_or_else(|| "<none>".into());
            rows.push(vec![r.to_string(), cause]);
        }
        let width = rows.iter().map(|r| r[0].len()).max().unwrap_or(0) + 2;
        rows.iter().map(|r| format!("{:<width$}{}\n", r[0], r[1])).collect()
    };
    let with = if revision > 0 { format!("with revision #{revision}") } else { String::new() };
    Output::ok(format!("{} {with}\n{body}\n", what(d)))
}

fn template_without_hash(t: Option<&engine::api::api::core::v1::PodTemplateSpec>) -> Value {
    let mut v = serde_json::to_value(t.cloned().unwrap_or_default()).unwrap_or(Value::Null);
    if let Some(labels) = v.pointer_mut("/metadata/labels").and_then(Value::as_object_mut) {
        labels.remove(HASH_LABEL);
    }
    v
}

/// `DeploymentRollbacker.Rollback`: the Deployment's template and annotations replaced by those of the
/// ReplicaSet of the wanted revision (the previous one by default), with a JSON patch.
fn undo(cluster: &mut Cluster, flags: &Parsed, d: &Deployment) -> Output {
    let to: i64 = match flags.string("to-revision").map(str::parse) {
        None => 0,
        Some(Ok(r)) => r,
        Some(Err(_)) => {
            let v = flags.string("to-revision").unwrap_or_default();
            return Output::error(format!(
                "Error: invalid argument \"{v}\" for \"--to-revision\" flag: strconv.ParseInt: parsing \"{v}\": invalid syntax\nSee 'kubectl rollout undo --help' for usage.\n"
            ));
        }
    };
    let name = d.metadata.name.clone().unwrap_or_default();
    if to < 0 {
        return Output::error(format!("error: unable to find specified revision {to} in history\n"));
    }
    let rss = replica_sets(cluster, d);
    let mut target: Option<&ReplicaSet> = None;
    let (mut latest, mut latest_rev, mut previous, mut previous_rev) = (None, -1i64, None, -1i64);
    for rs in &rss {
        let Some(v) =
            rs.metadata.annotations.as_ref().and_then(|a| a.get(REVISION)).and_then(|r| r.parse::<i64>().ok())
        else {
            continue;
        };
        if to == 0 {
            if latest_rev < v {
                previous_rev = latest_rev;
                previous = latest;
                latest_rev = v;
                latest = Some(rs);
            } else if previous_rev < v {
                previous_rev = v;
                previous = Some(rs);
            }
        } else if to == v {
            target = Some(rs);
            break;
        }
    }
    let rs = match (to, target, previous) {
        (0, _, Some(p)) => p,
        (0, _, None) => return Output::error(format!("error: no rollout history found for deployment \"{name}\"\n")),
        (_, Some(t), _) => t,
        _ => return Output::error(format!("error: unable to find specified revision {to} in history\n")),
    };
    if d.spec.as_ref().and_then(|s| s.paused).unwrap_or(false) {
        return Output::error(
            "error: you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again\n",
        );
    }
    let rs_template = rs.spec.as_ref().and_then(|s| s.template.as_ref());
    if template_without_hash(rs_template) == template_without_hash(d.spec.as_ref().map(|s| &s.template)) {
        let v = annotation_revision(&rs.metadata);
        return Output::ok(format!("{} skipped rollback (current template already matches revision {v})\n", what(d)));
    }
    let template = template_without_hash(rs_template);
    let skip = [
        "kubectl.kubernetes.io/last-applied-configuration",
        REVISION,
        "deployment.kubernetes.io/revision-history",
        "deployment.kubernetes.io/desired-replicas",
        "deployment.kubernetes.io/max-replicas",
        "deprecated.deployment.rollback.to",
    ];
    let mut annotations = serde_json::Map::new();
    for (k, v) in d.metadata.annotations.iter().flatten() {
        if skip.contains(&k.as_str()) {
            annotations.insert(k.clone(), json!(v));
        }
    }
    for (k, v) in rs.metadata.annotations.iter().flatten() {
        if !skip.contains(&k.as_str()) {
            annotations.insert(k.clone(), json!(v));
        }
    }
    let patch = json!([
        {"op": "replace", "path": "/spec/template", "value": template},
        {"op": "replace", "path": "/metadata/annotations", "value": annotations},
    ]);
    let ns = d.metadata.namespace.clone().unwrap_or_default();
    let req = Request::new(Verb::Patch, Kind::Deployment)
        .namespace(ns)
        .name(&name)
        .body(patch)
        .options(engine::apiserver::RequestOptions { patch_type: Some(PatchType::Json), ..Default::default() });
    match send(cluster, req).object() {
        Ok(_) => Output::ok(format!("{} rolled back\n", what(d))),
        Err(e) => Output::error(format!(
            "error: failed restoring revision {}: {}\n",
            annotation_revision(&rs.metadata),
            e.message
        )),
    }
}

fn strategic_patch(cluster: &mut Cluster, obj: &Object, patch: Value) -> Result<(), String> {
    let req =
        Request::new(Verb::Patch, obj.kind()).namespace(obj.namespace()).name(obj.name()).body(patch).options(
            engine::apiserver::RequestOptions { patch_type: Some(PatchType::Strategic), ..Default::default() },
        );
    send(cluster, req).object().map(|_| ()).map_err(|e| server_error(&e, None))
}

/// `rollout restart`: the template annotation `kubectl.kubernetes.io/restartedAt` set to now (RFC 3339).
fn restart(cluster: &mut Cluster, obj: &Object) -> Output {
    let name = obj.name().to_string();
    let template = match obj {
        Object::Deployment(d) => {
            if d.spec.as_ref().and_then(|s| s.paused).unwrap_or(false) {
                return Output::error(format!(
                    "error: deployments.apps \"{name}\" can't restart paused deployment (run rollout resume first)\n"
                ));
            }
            d.spec.as_ref().map(|s| &s.template)
        }
        Object::StatefulSet(s) => s.spec.as_ref().map(|s| &s.template),
        Object::DaemonSet(d) => d.spec.as_ref().map(|s| &s.template),
        _ => None,
    };
    let now = engine::clock::api_time(cluster.now());
    let stamp = now.0.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
    let current = template
        .and_then(|t| t.metadata.as_ref())
        .and_then(|m| m.annotations.as_ref())
        .and_then(|a| a.get("kubectl.kubernetes.io/restartedAt"));
    if current == Some(&stamp) {
        return Output::error(format!(
            "error: failed to create patch for {name}: if restart has already been triggered within the past second, please wait before attempting to trigger another\n"
        ));
    }
    let patch =
        json!({"spec": {"template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": stamp}}}}});
    match strategic_patch(cluster, obj, patch) {
        Ok(()) => Output::ok(format!("{} restarted\n", object_what(obj))),
        Err(e) => Output::error(e),
    }
}

/// `statefulset.apps/web`: how kubectl names an object in its messages.
fn object_what(obj: &Object) -> String {
    let info = obj.kind().info();
    if info.group.is_empty() {
        format!("{}/{}", info.singular, obj.name())
    } else {
        format!("{}.{}/{}", info.singular, info.group, obj.name())
    }
}

fn pause_resume(cluster: &mut Cluster, d: &Deployment, pause: bool) -> Output {
    let name = d.metadata.name.clone().unwrap_or_default();
    let paused = d.spec.as_ref().and_then(|s| s.paused).unwrap_or(false);
    if paused == pause {
        let state = if pause { "is already paused" } else { "is not paused" };
        return Output::error(format!("error: deployments.apps \"{name}\" {state}\n"));
    }
    let patch = if pause { json!({"spec": {"paused": true}}) } else { json!({"spec": {"paused": null}}) };
    match strategic_patch(cluster, &Object::from(d.clone()), patch) {
        Ok(()) => Output::ok(format!("{} {}\n", what(d), if pause { "paused" } else { "resumed" })),
        Err(e) => Output::error(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::api::api::apps::v1::{DeploymentSpec, DeploymentStatus};
    use engine::api::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    fn d(replicas: i32, updated: i32, total: i32, available: i32) -> Deployment {
        Deployment {
            metadata: ObjectMeta { name: Some("web".into()), generation: Some(2), ..Default::default() },
            spec: Some(DeploymentSpec { replicas: Some(replicas), ..Default::default() }),
            status: Some(DeploymentStatus {
                observed_generation: Some(2),
                updated_replicas: Some(updated),
                replicas: Some(total),
                available_replicas: Some(available),
                ..Default::default()
            }),
        }
    }

    #[test]
    fn status_lines_match_kubectl() {
        let line = |x: Deployment| deployment_status(&x, None).unwrap().0;
        assert_eq!(
            line(d(3, 1, 4, 3)),
            "Waiting for deployment \"web\" rollout to finish: 1 out of 3 new replicas have been updated...\n"
        );
        assert_eq!(
            line(d(3, 3, 4, 3)),
            "Waiting for deployment \"web\" rollout to finish: 1 old replicas are pending termination...\n"
        );
        assert_eq!(
            line(d(3, 3, 3, 2)),
            "Waiting for deployment \"web\" rollout to finish: 2 of 3 updated replicas are available...\n"
        );
        assert_eq!(
            deployment_status(&d(3, 3, 3, 3), None).unwrap(),
            ("deployment \"web\" successfully rolled out\n".into(), true)
        );
        let mut unobserved = d(3, 3, 3, 3);
        unobserved.metadata.generation = Some(3);
        assert_eq!(line(unobserved), "Waiting for deployment spec update to be observed...\n");
        assert_eq!(
            deployment_status(&d(3, 3, 3, 3), Some(4)).unwrap_err(),
            "desired revision (4) is different from the running revision (0)"
        );
    }

    fn sts(replicas: i32, partition: Option<i32>, ready: i32, updated: i32) -> StatefulSet {
        use engine::api::api::apps::v1::{
            RollingUpdateStatefulSetStrategy, StatefulSetSpec, StatefulSetStatus, StatefulSetUpdateStrategy,
        };
        StatefulSet {
            metadata: ObjectMeta { name: Some("web".into()), generation: Some(2), ..Default::default() },
            spec: Some(StatefulSetSpec {
                replicas: Some(replicas),
                update_strategy: Some(StatefulSetUpdateStrategy {
                    type_: Some("RollingUpdate".into()),
                    rolling_update: Some(RollingUpdateStatefulSetStrategy { partition, ..Default::default() }),
                }),
                ..Default::default()
            }),
            status: Some(StatefulSetStatus {
                observed_generation: Some(2),
                ready_replicas: Some(ready),
                updated_replicas: Some(updated),
                ..Default::default()
            }),
        }
    }

    #[test]
    fn statefulset_lines_match_kubectl() {
        let line = |x: StatefulSet| statefulset_status(&x).unwrap();
        assert_eq!(line(sts(3, Some(0), 1, 3)), ("Waiting for 2 pods to be ready...\n".into(), false));
        assert_eq!(
            line(sts(3, Some(1), 3, 1)),
            ("Waiting for partitioned roll out to finish: 1 out of 2 new pods have been updated...\n".into(), false)
        );
        assert_eq!(
            line(sts(3, Some(0), 3, 3)),
            ("partitioned roll out complete: 3 new pods have been updated...\n".into(), true)
        );
        let mut unobserved = sts(3, Some(0), 3, 3);
        unobserved.metadata.generation = Some(3);
        assert_eq!(line(unobserved).0, "Waiting for statefulset spec update to be observed...\n");
        let mut on_delete = sts(3, None, 3, 3);
        on_delete.spec.as_mut().unwrap().update_strategy.as_mut().unwrap().type_ = Some("OnDelete".into());
        assert_eq!(
            statefulset_status(&on_delete).unwrap_err(),
            "rollout status is only available for RollingUpdate strategy type"
        );
    }

    #[test]
    fn daemonset_lines_match_kubectl() {
        use engine::api::api::apps::v1::{DaemonSetSpec, DaemonSetStatus, DaemonSetUpdateStrategy};
        let ds = |desired: i32, updated: i32, available: i32| DaemonSet {
            metadata: ObjectMeta { name: Some("agent".into()), generation: Some(1), ..Default::default() },
            spec: Some(DaemonSetSpec {
                update_strategy: Some(DaemonSetUpdateStrategy {
                    type_: Some("RollingUpdate".into()),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            status: Some(DaemonSetStatus {
                observed_generation: Some(1),
                desired_number_scheduled: desired,
                updated_number_scheduled: Some(updated),
                number_available: Some(available),
                ..Default::default()
            }),
        };
        let line = |x: DaemonSet| daemonset_status(&x).unwrap().0;
        assert_eq!(
            line(ds(3, 1, 3)),
            "Waiting for daemon set \"agent\" rollout to finish: 1 out of 3 new pods have been updated...\n"
        );
        assert_eq!(
            line(ds(3, 3, 2)),
            "Waiting for daemon set \"agent\" rollout to finish: 2 of 3 updated pods are available...\n"
        );
        assert_eq!(
            daemonset_status(&ds(3, 3, 3)).unwrap(),
            ("daemon set \"agent\" successfully rolled out\n".into(), true)
        );
    }
}
