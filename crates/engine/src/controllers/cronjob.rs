//! The CronJob controller (`pkg/controller/cronjob`, v1.34: `cronjob_controllerv2.go` and `utils.go`).
//!
//! Each sync first prunes finished Jobs beyond the history limits (`cleanupFinishedJobs`), then
//! (`syncCronJob`) reconciles `status.active` with the CronJob's Jobs (`SawCompletedJob`, `MissingJob`,
//! `UnexpectedJob`, `lastSuccessfulTime`), and, unless the CronJob is suspended or being deleted, starts the
//! most recent unmet schedule time: too late for `startingDeadlineSeconds` → `MissSchedule`; already started →
//! nothing; `Forbid` with an active Job → `JobAlreadyActive`; `Replace` → the active Jobs are deleted first; then
//! the Job `NAME-<minutes since the Unix epoch>` is created. The real controller is woken by its informers (the
//! CronJob or one of its Jobs changed) and by `requeueAfter` (the next schedule time plus 100 ms); here a sync
//! runs when what it reads changed or its requeue instant has come, so its events fire as often as a real
//! cluster's.
//!
//! Times are the kube-controller-manager's: with no `timeZone` its local zone, which in a kubeadm cluster (a
//! distroless image without `TZ`) is UTC. A `timeZone` is any IANA zone (`admission::tz`, daylight saving time
//! included); validation refuses other names, so the controller's `UnknownTimeZone` event is only reachable
//! through a schedule's `CRON_TZ=`.

use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::ObjectReference;
use serde_json::json;

use crate::admission::cron::{parse_standard, Schedule};
use crate::admission::tz::{load_location, Zone};
use crate::apiserver::{Body, Propagation, Request, Verb};
use crate::clock::{api_time, sim_millis, Millis, EPOCH_UNIX_SECONDS};
use crate::cluster::Cluster;
use crate::controllers::job::job_finished;
use crate::event_log::Change;
use crate::object::{Kind, Object};
use crate::recorder::Reporter;
use crate::store::ObjectKey;
use crate::util::sort::StableSort;

const ACTOR: &str = "cronjob-controller";
/// `nextScheduleDelta`: the requeue lands this long after the schedule time.
pub const NEXT_SCHEDULE_DELTA_MS: Millis = 100;
/// `batchv1.CronJobScheduledTimestampAnnotation`.
pub const SCHEDULED_TIMESTAMP_ANNOTATION: &str = "batch.kubernetes.io/cronjob-scheduled-timestamp";

/// What the controller remembers of a CronJob between syncs (the work queue's view of it).
#[derive(Clone, Debug, Default)]
pub struct CronMemo {
    /// The resource versions the last sync read (the CronJob's, then its Jobs'): a change is an informer event.
    seen: String,
    /// `requeueAfter`, as an instant.
    requeue_at: Option<Millis>,
}

/// How many schedule times `mostRecentScheduleTime` counted as missed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Missed {
    None,
    Few,
    Many,
}

/// A simulated instant as Unix milliseconds, the time line schedules are read on.
pub fn unix_ms(t: Millis) -> i64 {
    EPOCH_UNIX_SECONDS * 1000 + t as i64
}

fn sim_of(unix_ms: i64) -> Millis {
    (unix_ms - EPOCH_UNIX_SECONDS * 1000).max(0) as Millis
}

/// `Schedule.Next` on Unix milliseconds (robfig drops the sub-second part of its argument).
fn next_ms(schedule: &Schedule, zone: &Zone, t: i64) -> Option<i64> {
    schedule.next_in(t.div_euclid(1000), zone).map(|s| s * 1000)
}

/// `mostRecentScheduleTime`: from the last schedule time (else the creation time), raised to `now −
/// startingDeadlineSeconds` when `deadline` is given, the most recent schedule time not after `now` and how many
/// were missed, estimated as the real controller does from the gap between the first two. Returns (earliest,
/// most recent, missed); `Err` when two schedule times are less than a second apart (a schedule that never
/// fires, such as `0 0 31 2 *`).
///
/// Worked examples (`*/1 * * * *`, times in seconds): earliest 0, now 30 → (0, None, None); now 60.1 → (0,
/// Some(60), None); now 185 → (0, Some(180), Few) (3 missed); earliest 0, now 7200, deadline 200 → earliest
/// becomes 7000, most recent 7200; earliest 0, now 101 min → Many (101 missed).
pub fn most_recent_schedule_time(
    schedule: &Schedule,
    zone: &Zone,
    earliest: i64,
    deadline_seconds: Option<i64>,
    now: i64,
) -> Result<(i64, Option<i64>, Missed), String> {
    let mut earliest = earliest;
    if let Some(d) = deadline_seconds {
        earliest = earliest.max(now - d * 1000);
    }
    let too_close = || "time difference between two schedules is less than 1 second".to_string();
    let Some(t1) = next_ms(schedule, zone, earliest) else { return Err(too_close()) };
    if now < t1 {
        return Ok((earliest, None, Missed::None));
    }
    let Some(t2) = next_ms(schedule, zone, t1) else { return Err(too_close()) };
    if now < t2 {
        return Ok((earliest, Some(t1), Missed::None));
    }
    let between = (t2 - t1) / 1000;
    if between < 1 {
        return Err(too_close());
    }
    let elapsed = (now - t1) / 1000;
    let missed = elapsed / between + 1;
    let potential = t1 + (missed - 2) * between * 1000;
    let mut most_recent = None;
    let mut t = next_ms(schedule, zone, potential);
    while let Some(at) = t.filter(|at| *at <= now) {
        most_recent = Some(at);
        t = next_ms(schedule, zone, at);
    }
    let missed = match missed {
        m if m > 100 => Missed::Many,
        m if m > 0 => Missed::Few,
        _ => Missed::None,
    };
    Ok((earliest, most_recent, missed))
}

/// `nextScheduleTimeDuration`, as an instant: the schedule time after the most recent one (ignoring the
/// starting deadline), plus [`NEXT_SCHEDULE_DELTA_MS`].
///
/// Example (`*/5 * * * *`, created at 0, never scheduled): now 0 → 300.1 s; now 301 s (one missed) → 600.1 s.
pub fn next_schedule_at(schedule: &Schedule, zone: &Zone, earliest: i64, now: i64) -> Option<i64> {
    let from = match most_recent_schedule_time(schedule, zone, earliest, None, now) {
        Err(_) => now,
        Ok((e, None, Missed::None)) => e,
        Ok((_, None, _)) => now,
        Ok((_, Some(m), _)) => m,
    };
    next_ms(schedule, zone, from).map(|t| t + NEXT_SCHEDULE_DELTA_MS as i64)
}

/// `getJobName`: the CronJob's name and the scheduled time in minutes since the Unix epoch.
///
/// Example: `hello` scheduled at 2025-08-27T00:01:00Z (Unix 1756252860) → `hello-29270881`.
pub fn job_name(cron_job: &str, scheduled_unix_ms: i64) -> String {
    format!("{cron_job}-{}", scheduled_unix_ms.div_euclid(1000) / 60)
}

/// Go's `Format(time.RFC3339)` of a Unix instant in a zone `offset` seconds east (`Z` for offset 0).
///
/// Examples: (1756252860 s, 0) → `2025-08-27T00:01:00Z`; (same, −18000) → `2025-08-26T19:01:00-05:00`.
pub fn rfc3339_in(unix_ms: i64, offset: i64) -> String {
    let local = unix_ms.div_euclid(1000) + offset;
    let (y, mo, d) = crate::runtime::shell::text::civil_from_days(local.div_euclid(86_400));
    let s = local.rem_euclid(86_400);
    let zone = if offset == 0 {
        "Z".to_string()
    } else {
        let sign = if offset < 0 { '-' } else { '+' };
        format!("{sign}{:02}:{:02}", offset.abs() / 3600, offset.abs() % 3600 / 60)
    };
    format!("{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}{zone}", s / 3600, s % 3600 / 60, s % 60)
}

/// Go's `UTC().Format(time.RFC1123Z)`: `Wed, 27 Aug 2025 00:01:00 +0000`.
pub fn rfc1123z_utc(unix_ms: i64) -> String {
    let secs = unix_ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let (y, mo, d) = crate::runtime::shell::text::civil_from_days(days);
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let s = secs.rem_euclid(86_400);
    format!(
        "{}, {d:02} {} {y:04} {:02}:{:02}:{:02} +0000",
        DAYS[days.rem_euclid(7) as usize],
        MONTHS[mo as usize - 1],
        s / 3600,
        s % 3600 / 60,
        s % 60
    )
}

/// `byJobStartTime`: started Jobs first, oldest start first, names breaking ties.
fn by_start_time(a: &Job, b: &Job) -> std::cmp::Ordering {
    let start = |j: &Job| j.status.as_ref().and_then(|s| s.start_time.as_ref()).map(sim_millis);
    match (start(a), start(b)) {
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (Some(_), None) => std::cmp::Ordering::Less,
        (x, y) if x == y => a.metadata.name.cmp(&b.metadata.name),
        (x, y) => x.cmp(&y),
    }
}

fn job_of(o: &Object) -> Option<Job> {
    match o {
        Object::Job(j) => Some((**j).clone()),
        _ => None,
    }
}

fn uid(j: &Job) -> String {
    j.metadata.uid.clone().unwrap_or_default()
}

fn name(j: &Job) -> String {
    j.metadata.name.clone().unwrap_or_default()
}

impl Cluster {
    /// The CronJob controller's pass: every CronJob whose inputs changed or whose requeue instant has come.
    pub(super) fn reconcile_cron_jobs(&mut self) {
        let now = self.clock.now();
        let cron_jobs: Vec<CronJob> = self
            .store
            .list(Kind::CronJob, None)
            .filter_map(|o| match o {
                Object::CronJob(c) => Some((**c).clone()),
                _ => None,
            })
            .collect();
        let live: Vec<String> = cron_jobs.iter().map(|c| c.metadata.uid.clone().unwrap_or_default()).collect();
        self.workloads.cron.retain(|uid, _| live.contains(uid));
        for cj in cron_jobs {
            let jobs = self.cron_job_jobs(&cj);
            let seen = std::iter::once(cj.metadata.resource_version.clone().unwrap_or_default())
                .chain(
                    jobs.iter()
                        .map(|j| format!("{}={}", name(j), j.metadata.resource_version.as_deref().unwrap_or(""))),
                )
                .collect::<Vec<_>>()
                .join(",");
            let key = cj.metadata.uid.clone().unwrap_or_default();
            let memo = self.workloads.cron.get(&key).cloned().unwrap_or_default();
            let due = memo.requeue_at.is_some_and(|t| t <= now);
            if memo.seen == seen && !due {
                continue;
            }
            let requeue_at = self.sync_cron_job(cj.clone(), jobs);
            // Whatever the sync wrote is read back as the next "seen", so a sync's own writes do not wake it.
            let jobs = self.cron_job_jobs(&cj);
            let rv = self
                .store
                .get(&ObjectKey::new(Kind::CronJob, cj.metadata.namespace.as_deref().unwrap_or(""), &name_of(&cj)))
                .and_then(|o| o.metadata().resource_version.clone())
                .unwrap_or_default();
            let seen = std::iter::once(rv)
                .chain(
                    jobs.iter()
                        .map(|j| format!("{}={}", name(j), j.metadata.resource_version.as_deref().unwrap_or(""))),
                )
                .collect::<Vec<_>>()
                .join(",");
            self.workloads.cron.insert(key, CronMemo { seen, requeue_at });
        }
    }

    /// `getJobsToBeReconciled`: the namespace's Jobs whose controller reference names this CronJob.
    fn cron_job_jobs(&self, cj: &CronJob) -> Vec<Job> {
        let ns = cj.metadata.namespace.clone().unwrap_or_default();
        let cj_name = name_of(cj);
        self.store
            .list(Kind::Job, Some(&ns))
            .filter_map(job_of)
            .filter(|j| {
                j.metadata.owner_references.iter().flatten().any(|r| r.controller == Some(true) && r.name == cj_name)
            })
            .collect()
    }

    /// `sync`: cleanup, then `syncCronJob`, then one status update. Returns the requeue instant.
    fn sync_cron_job(&mut self, cj: CronJob, jobs: Vec<Job>) -> Option<Millis> {
        let mut copy = cj.clone();
        let mut reasons = Vec::new();
        self.cleanup_finished_jobs(&mut copy, &jobs, &mut reasons);
        let requeue = self.sync_schedule(&mut copy, &jobs, &mut reasons);
        if copy.status != cj.status {
            let key = ObjectKey::new(Kind::CronJob, cj.metadata.namespace.as_deref().unwrap_or(""), &name_of(&cj));
            if let Some(Object::CronJob(current)) = self.store.get(&key) {
                let mut updated = (**current).clone();
                updated.status = copy.status;
                self.store.replace(Object::from(updated));
                let reason = if reasons.is_empty() { "status updated".to_string() } else { reasons.join("; ") };
                self.record(ACTOR, Change::Updated, &key, &format!("status: {reason}"));
            }
        }
        requeue
    }

    fn cron_event(&mut self, cj: &CronJob, type_: &str, reason: &str, message: &str) {
        let key = ObjectKey::new(Kind::CronJob, cj.metadata.namespace.as_deref().unwrap_or(""), &name_of(cj));
        let obj = self.store.get(&key).cloned().unwrap_or_else(|| Object::from(cj.clone()));
        self.emit_event(&obj, type_, reason, message, &Reporter::component(ACTOR));
    }

    /// `cleanupFinishedJobs` / `removeOldestJobs`: finished Jobs beyond `successfulJobsHistoryLimit` and
    /// `failedJobsHistoryLimit` go, oldest start first.
    fn cleanup_finished_jobs(&mut self, cj: &mut CronJob, jobs: &[Job], reasons: &mut Vec<String>) {
        let spec = cj.spec.clone().unwrap_or_default();
        let mut succeeded = Vec::new();
        let mut failed = Vec::new();
        for j in jobs {
            match job_finished(j) {
                Some((t, _)) if t == "Complete" => succeeded.push(j.clone()),
                Some(_) => failed.push(j.clone()),
                None => {}
            }
        }
        for (mut list, limit, what) in [
            (succeeded, spec.successful_jobs_history_limit, "successfulJobsHistoryLimit"),
            (failed, spec.failed_jobs_history_limit, "failedJobsHistoryLimit"),
        ] {
            let Some(limit) = limit else { continue };
            let excess = list.len() as i64 - i64::from(limit);
            if excess <= 0 {
                continue;
            }
            list.stable_sort_by(by_start_time);
            for j in list.iter().take(excess as usize) {
                let because = format!("{what} is {limit}: deleted the oldest finished job {}", name(j));
                self.delete_cron_job_job(cj, j, &because);
                reasons.push(because);
            }
        }
    }

    /// `deleteJob`: the Job goes (background propagation), then its entry in `status.active`.
    fn delete_cron_job_job(&mut self, cj: &mut CronJob, j: &Job, because: &str) -> bool {
        let key = ObjectKey::new(Kind::Job, j.metadata.namespace.as_deref().unwrap_or(""), &name(j));
        let Some(current) = self.store.get(&key).cloned() else {
            self.cron_event(
                cj,
                "Warning",
                "FailedDelete",
                &format!("Deleted job: {}", crate::error::ApiError::not_found(Kind::Job, &name(j)).message),
            );
            return false;
        };
        self.delete_object(ACTOR, current, Some(Propagation::Background));
        self.log.amend_last_reason(because.to_string());
        delete_from_active(cj, &uid(j));
        self.cron_event(cj, "Normal", "SuccessfulDelete", &format!("Deleted job {}", name(j)));
        true
    }

    /// `syncCronJob`. Returns the requeue instant.
    fn sync_schedule(&mut self, cj: &mut CronJob, jobs: &[Job], reasons: &mut Vec<String>) -> Option<Millis> {
        let now = self.clock.now();
        let now_unix = unix_ms(now);
        let mut children = Vec::new();
        for j in jobs {
            children.push(uid(j));
            let found = cj
                .status
                .as_ref()
                .and_then(|s| s.active.as_ref())
                .is_some_and(|a| a.iter().any(|r| r.uid.as_deref() == Some(uid(j).as_str())));
            match job_finished(j) {
                None if !found => {
                    let msg = format!("Saw a job that the controller did not create or forgot: {}", name(j));
                    self.cron_event(cj, "Warning", "UnexpectedJob", &msg);
                }
                None => {}
                Some((condition, _)) => {
                    if found {
                        delete_from_active(cj, &uid(j));
                        let msg = format!("Saw completed job: {}, condition: {condition}", name(j));
                        self.cron_event(cj, "Normal", "SawCompletedJob", &msg);
                        reasons.push(format!("job {} finished ({condition}): removed from active", name(j)));
                    }
                    if condition == "Complete" {
                        let done = j.status.as_ref().and_then(|s| s.completion_time.clone());
                        let status = cj.status.get_or_insert_with(Default::default);
                        let later = match (&status.last_successful_time, &done) {
                            (None, _) => true,
                            (Some(last), Some(d)) => d.0 > last.0,
                            (Some(_), None) => false,
                        };
                        if later && done.is_some() {
                            status.last_successful_time = done;
                        }
                    }
                }
            }
        }
        let missing: Vec<ObjectReference> = cj
            .status
            .as_ref()
            .and_then(|s| s.active.as_ref())
            .into_iter()
            .flatten()
            .filter(|r| !children.contains(&r.uid.clone().unwrap_or_default()))
            .cloned()
            .collect();
        for r in missing {
            let ns = r.namespace.clone().unwrap_or_default();
            let job_name = r.name.clone().unwrap_or_default();
            if self.store.get(&ObjectKey::new(Kind::Job, &ns, &job_name)).is_none() {
                self.cron_event(cj, "Normal", "MissingJob", &format!("Active job went missing: {job_name}"));
                delete_from_active(cj, r.uid.as_deref().unwrap_or(""));
                reasons.push(format!("active job {job_name} is gone"));
            }
        }
        if cj.metadata.deletion_timestamp.is_some() {
            return None;
        }
        let spec = cj.spec.clone().unwrap_or_default();
        let zone = spec.time_zone.clone();
        let mut location = Zone::fixed(0);
        if let Some(tz) = &zone {
            match load_location(tz) {
                Ok(z) => location = z,
                Err(e) => {
                    self.cron_event(
                        cj,
                        "Warning",
                        "UnknownTimeZone",
                        &format!("invalid timeZone: {}: {e}", crate::admission::gotext::go_quote(tz)),
                    );
                    return None;
                }
            }
        }
        if spec.suspend == Some(true) {
            return None;
        }
        // formatSchedule: a TZ in the schedule is used as written (with a warning each sync).
        if spec.schedule.contains("TZ") {
            let msg = format!(
                "CRON_TZ or TZ used in schedule {} is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details",
                crate::admission::gotext::go_quote(&spec.schedule)
            );
            self.cron_event(cj, "Warning", "UnsupportedSchedule", &msg);
        }
        let parsed = parse_standard(&spec.schedule).and_then(|p| match &p.tz {
            Some(tz) => load_location(tz)
                .map(|z| (p.schedule.clone(), z))
                .map_err(|e| format!("provided bad location {tz}: {e}")),
            None => Ok((p.schedule, location.clone())),
        });
        let (schedule, sched_zone) = match parsed {
            Ok(s) => s,
            Err(e) => {
                let msg = format!("unparseable schedule: {} : {e}", crate::admission::gotext::go_quote(&spec.schedule));
                self.cron_event(cj, "Warning", "UnparseableSchedule", &msg);
                return None;
            }
        };
        let status = cj.status.clone().unwrap_or_default();
        let earliest = unix_ms(
            status.last_schedule_time.as_ref().or(cj.metadata.creation_timestamp.as_ref()).map(sim_millis).unwrap_or(0),
        );
        let requeue = |e: i64| next_schedule_at(&schedule, &sched_zone, e, now_unix).map(sim_of);
        // nextScheduleTime
        let scheduled = match most_recent_schedule_time(
            &schedule,
            &sched_zone,
            earliest,
            spec.starting_deadline_seconds,
            now_unix,
        ) {
            Ok((_, Some(t), missed)) if t <= now_unix => {
                if missed == Missed::Many {
                    self.cron_event(
                        cj,
                        "Warning",
                        "TooManyMissedTimes",
                        "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew",
                    );
                }
                t
            }
            Ok(_) => return requeue(earliest),
            Err(e) => {
                self.cron_event(
                    cj,
                    "Warning",
                    "InvalidSchedule",
                    &format!("invalid schedule: {} : {e}", spec.schedule),
                );
                return None;
            }
        };
        if let Some(d) = spec.starting_deadline_seconds {
            if scheduled + d * 1000 < now_unix {
                let msg = format!("Missed scheduled time to start a job: {}", rfc1123z_utc(scheduled));
                self.cron_event(cj, "Warning", "MissSchedule", &msg);
                return requeue(earliest);
            }
        }
        let ns = cj.metadata.namespace.clone().unwrap_or_default();
        let new_name = job_name(&name_of(cj), scheduled);
        let already = status.active.iter().flatten().any(|r| r.name.as_deref() == Some(new_name.as_str()))
            || status.last_schedule_time.as_ref().map(|t| unix_ms(sim_millis(t))) == Some(scheduled);
        if already {
            return requeue(earliest);
        }
        let policy = spec.concurrency_policy.clone().unwrap_or_else(|| "Allow".into());
        let active_count = status.active.as_ref().map_or(0, Vec::len);
        if policy == "Forbid" && active_count > 0 {
            self.cron_event(
                cj,
                "Normal",
                "JobAlreadyActive",
                "Not starting job because prior execution is running and concurrency policy is Forbid",
            );
            self.log_decision(
                cj,
                &format!("skipped the run of {}: a job is still active (Forbid)", rfc3339_in(scheduled, 0)),
            );
            return requeue(earliest);
        }
        if policy == "Replace" {
            for r in status.active.iter().flatten() {
                let job_name = r.name.clone().unwrap_or_default();
                let Some(job) = self.store.get(&ObjectKey::new(Kind::Job, &ns, &job_name)).and_then(job_of) else {
                    let err = crate::error::ApiError::not_found(Kind::Job, &job_name);
                    self.cron_event(cj, "Warning", "FailedGet", &format!("Get job: {}", err.message));
                    return None;
                };
                let because = format!("Replace: job {job_name} was still running at the next schedule time");
                self.delete_cron_job_job(cj, &job, &because);
                reasons.push(because);
            }
        }
        // getJobFromTemplate2
        let template = spec.job_template.clone();
        let tmeta = template.metadata.clone().unwrap_or_default();
        let labels = tmeta.labels.clone().unwrap_or_default();
        let mut annotations = tmeta.annotations.clone().unwrap_or_default();
        annotations.insert(
            SCHEDULED_TIMESTAMP_ANNOTATION.into(),
            rfc3339_in(scheduled, offset_for_annotation(&zone, scheduled)),
        );
        let mut metadata = json!({
            "name": new_name,
            "namespace": ns,
            "annotations": annotations,
            "creationTimestamp": api_time(sim_of(scheduled)),
            "ownerReferences": [{
                "apiVersion": "batch/v1", "kind": "CronJob", "name": name_of(cj),
                "uid": cj.metadata.uid.clone().unwrap_or_default(),
                "controller": true, "blockOwnerDeletion": true,
            }],
        });
        if !labels.is_empty() {
            metadata["labels"] = json!(labels);
        }
        let body = json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": metadata, "spec": template.spec});
        let req = Request::new(Verb::Create, Kind::Job).namespace(&ns).body(body);
        let created = match self.handle(ACTOR, req).result {
            Ok(Body::Object(o)) => {
                self.log.amend_last_reason(format!(
                    "CronJob {} is scheduled `{}`: the run of {} is due",
                    name_of(cj),
                    spec.schedule,
                    rfc3339_in(scheduled, 0)
                ));
                self.cron_event(cj, "Normal", "SuccessfulCreate", &format!("Created job {}", o.name()));
                job_of(&o)
            }
            Ok(_) => None,
            Err(e) if e.reason == "AlreadyExists" => {
                let existing = self.store.get(&ObjectKey::new(Kind::Job, &ns, &new_name)).and_then(job_of);
                let ours = existing.as_ref().is_some_and(|j| {
                    j.metadata
                        .owner_references
                        .iter()
                        .flatten()
                        .any(|r| r.controller == Some(true) && Some(&r.uid) == cj.metadata.uid.as_ref())
                });
                if !ours {
                    return None;
                }
                let j = existing?;
                let listed = cj
                    .status
                    .as_ref()
                    .and_then(|s| s.active.as_ref())
                    .is_some_and(|a| a.iter().any(|r| r.uid.as_deref() == j.metadata.uid.as_deref()));
                if listed {
                    return None;
                }
                Some(j)
            }
            Err(e) => {
                if !e.causes.iter().any(|c| c.reason == "NamespaceTerminating") {
                    self.cron_event(cj, "Warning", "FailedCreate", &format!("Error creating job: {}", e.message));
                }
                return None;
            }
        };
        let job = created?;
        let status = cj.status.get_or_insert_with(Default::default);
        status.active.get_or_insert_with(Vec::new).push(ObjectReference {
            api_version: Some("batch/v1".into()),
            kind: Some("Job".into()),
            name: job.metadata.name.clone(),
            namespace: job.metadata.namespace.clone(),
            uid: job.metadata.uid.clone(),
            resource_version: job.metadata.resource_version.clone(),
            field_path: None,
        });
        status.last_schedule_time = Some(api_time(sim_of(scheduled)));
        reasons.push(format!("started job {} for the run of {}", name(&job), rfc3339_in(scheduled, 0)));
        let earliest = scheduled;
        requeue(earliest)
    }

    fn log_decision(&mut self, cj: &CronJob, reason: &str) {
        let key = ObjectKey::new(Kind::CronJob, cj.metadata.namespace.as_deref().unwrap_or(""), &name_of(cj));
        self.record(ACTOR, Change::Updated, &key, reason);
    }

    /// When some CronJob next needs its controller: its requeue instant.
    pub(crate) fn cron_job_wakeup(&self) -> Option<Millis> {
        let now = self.clock.now();
        self.workloads.cron.values().filter_map(|m| m.requeue_at).filter(|t| *t > now).min()
    }
}

/// The offset the scheduled-timestamp annotation is written with: that of `LoadLocation(timeZone or "")` at
/// the scheduled instant.
fn offset_for_annotation(zone: &Option<String>, scheduled_ms: i64) -> i64 {
    load_location(zone.as_deref().unwrap_or_default()).map_or(0, |z| z.offset_at(scheduled_ms.div_euclid(1000)))
}

fn name_of(cj: &CronJob) -> String {
    cj.metadata.name.clone().unwrap_or_default()
}

/// `deleteFromActiveList` (an empty list is left out, as `omitempty` serializes it).
fn delete_from_active(cj: &mut CronJob, uid: &str) {
    if let Some(status) = cj.status.as_mut() {
        if let Some(active) = status.active.as_mut() {
            active.retain(|r| r.uid.as_deref() != Some(uid));
            if active.is_empty() {
                status.active = None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = EPOCH_UNIX_SECONDS * 1000;

    fn every_minute() -> Schedule {
        parse_standard("*/1 * * * *").unwrap().schedule
    }

    #[test]
    fn most_recent_schedule_times() {
        let s = every_minute();
        let m = |e: i64, d: Option<i64>, now: i64| {
            most_recent_schedule_time(&s, &Zone::fixed(0), T0 + e, d, T0 + now).unwrap()
        };
        assert_eq!(m(0, None, 30_000), (T0, None, Missed::None));
        assert_eq!(m(0, None, 60_100), (T0, Some(T0 + 60_000), Missed::None));
        assert_eq!(m(0, None, 185_000), (T0, Some(T0 + 180_000), Missed::Few));
        assert_eq!(m(0, Some(200), 7_200_000), (T0 + 7_000_000, Some(T0 + 7_200_000), Missed::Few));
        assert_eq!(m(0, None, 101 * 60_000).2, Missed::Many);
        assert_eq!(m(0, None, 100 * 60_000).2, Missed::Few);
        let never = parse_standard("0 0 31 2 *").unwrap().schedule;
        assert_eq!(
            most_recent_schedule_time(&never, &Zone::fixed(0), T0, None, T0),
            Err("time difference between two schedules is less than 1 second".into())
        );
    }

    #[test]
    fn next_schedule_instants() {
        let s = parse_standard("*/5 * * * *").unwrap().schedule;
        assert_eq!(next_schedule_at(&s, &Zone::fixed(0), T0, T0), Some(T0 + 300_100));
        assert_eq!(next_schedule_at(&s, &Zone::fixed(0), T0, T0 + 301_000), Some(T0 + 600_100));
        assert_eq!(next_schedule_at(&s, &Zone::fixed(0), T0 + 300_000, T0 + 300_100), Some(T0 + 600_100));
    }

    #[test]
    fn names_and_timestamps() {
        assert_eq!(job_name("hello", T0 + 60_000), "hello-29270881");
        assert_eq!(rfc3339_in(T0 + 60_000, 0), "2025-08-27T00:01:00Z");
        assert_eq!(rfc3339_in(T0 + 60_000, -18_000), "2025-08-26T19:01:00-05:00");
        assert_eq!(rfc3339_in(T0, 5 * 3600 + 1800), "2025-08-27T05:30:00+05:30");
        assert_eq!(rfc1123z_utc(T0 + 60_000), "Wed, 27 Aug 2025 00:01:00 +0000");
    }
}
