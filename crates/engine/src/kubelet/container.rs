//! One container's life under the kubelet: image, create, start, run, probe, stop, restart.
//!
//! Each container is a small state machine ([`Stage`]) advanced to the cluster's current instant by
//! [`advance`]. Every transition happens at its own simulated instant (`wake_at` tells the cluster when), and
//! every one the real kubelet reports comes with its Event, worded as the kubelet words it.

use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::api::core::v1::{Container, Pod, Probe};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::clock::Millis;
use crate::cluster::Cluster;
use crate::event_log::Change;
use crate::object::{Kind, Object};
use crate::recorder::Reporter;
use crate::runtime::fs::MemFs;
use crate::runtime::shell;
use crate::store::ObjectKey;

use super::images::{self, Behaviour};
use super::programs::{self, Launch, Server};
use super::{PodRun, RELIST_MS, SANDBOX_MS};

/// CrashLoopBackOff and image pull back-off: 10 s doubling to 300 s (kubelet `MaxContainerBackOff`); an entry
/// unused for twice the maximum starts over.
pub const BACKOFF_INITIAL_MS: Millis = 10_000;
pub const BACKOFF_MAX_MS: Millis = 300_000;

/// client-go's `flowcontrol.Backoff` entry for one container.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    pub period: Millis,
    pub last_update: Millis,
}

impl Backoff {
    /// `IsInBackOffSince(eventTime)`: still waiting at `now` for an event (a container's exit) at `event`.
    ///
    /// ```
    /// use engine::kubelet::container::Backoff;
    /// let b = Backoff { period: 10_000, last_update: 5_000 };
    /// assert!(b.in_backoff_since(6_000, 12_000));   // 6 s after the exit, 10 s are due
    /// assert!(!b.in_backoff_since(6_000, 16_000));
    /// ```
    pub fn in_backoff_since(&self, event: Millis, now: Millis) -> bool {
        if event.saturating_sub(self.last_update) > 2 * BACKOFF_MAX_MS {
            return false;
        }
        now.saturating_sub(event) < self.period
    }

    /// `Next(eventTime)`: the first failure waits 10 s, each further one twice as long up to 300 s; an entry
    /// not touched for 10 minutes starts over.
    ///
    /// ```
    /// use engine::kubelet::container::Backoff;
    /// let periods: Vec<u64> = std::iter::successors(Some(Backoff::next(None, 0)), |b| Some(Backoff::next(Some(*b), 1)))
    ///     .take(7).map(|b| b.period / 1000).collect();
    /// assert_eq!(periods, [10, 20, 40, 80, 160, 300, 300]);
    /// assert_eq!(Backoff::next(Some(Backoff { period: 300_000, last_update: 0 }), 700_000).period, 10_000);
    /// ```
    pub fn next(entry: Option<Backoff>, event: Millis) -> Backoff {
        match entry {
            Some(b) if event.saturating_sub(b.last_update) <= 2 * BACKOFF_MAX_MS => {
                Backoff { period: (b.period * 2).min(BACKOFF_MAX_MS), last_update: event }
            }
            _ => Backoff { period: BACKOFF_INITIAL_MS, last_update: event },
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// One line of a container's log (CRI log format keeps a timestamp and the stream per line).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLine {
    pub at: Millis,
    pub stream: Stream,
    /// The text, ending in `\n` unless the program has not finished the line.
    pub text: String,
}

/// How a container ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Terminated {
    pub exit_code: i32,
    pub reason: String,
    pub message: Option<String>,
    pub started_at: Millis,
    pub finished_at: Millis,
}

/// Where a container is in its life.
#[derive(Clone, Debug)]
pub enum Stage {
    /// Waiting for its turn: the sandbox, or an init container before it.
    Blocked,
    /// Ready to make sure its image is there.
    Image,
    /// The image is there: create and start the container now.
    Ready,
    /// An image pull in flight, finishing at `done_at`.
    Pulling { began: Millis, requested: Millis, done_at: Millis, ok: bool },
    /// Created and started; its program runs.
    Running { started_at: Millis },
    /// Its program exited; the kubelet notices at the next relist.
    Exited { at: Millis },
    /// Waiting out CrashLoopBackOff until the instant.
    CrashBackOff { until: Millis },
    /// Waiting out an image pull back-off until the instant.
    PullBackOff { until: Millis },
    /// It will not run again (finished under restartPolicy Never/OnFailure, or the pod is going away).
    Done,
    /// A configuration error (missing ConfigMap key, bad image name) retried at the next sync.
    ConfigError { retry_at: Millis },
}

/// What runs inside a started container.
#[derive(Clone, Debug)]
pub enum Process {
    Native(Server),
    Shell(Box<shell::Process>),
    /// A program that prints and exits at the instant with the code.
    Exiting {
        code: i32,
        at: Millis,
    },
    /// A program holding more memory than the container's limit: the kernel's OOM killer ends it at the
    /// instant (exit 137, reason `OOMKilled`).
    OomKilled {
        at: Millis,
    },
}

/// Probe bookkeeping for one probe of a container.
#[derive(Clone, Debug, Default)]
pub struct ProbeState {
    pub next_at: Millis,
    pub successes: i32,
    pub failures: i32,
}

#[derive(Clone, Debug)]
pub struct ContainerRun {
    pub name: String,
    pub init: bool,
    /// The image as the pod spec names it.
    pub image: String,
    pub stage: Stage,
    /// What the API shows as the container's state (`waiting` reason/message while not running).
    pub waiting: (String, Option<String>),
    pub restart_count: i32,
    pub current: Option<Terminated>,
    pub last_terminated: Option<Terminated>,
    pub crash_backoff: Option<Backoff>,
    pub pull_backoff: Option<Backoff>,
    pub logs: Vec<LogLine>,
    pub previous_logs: Vec<LogLine>,
    pub process: Option<Process>,
    /// The image's filesystem and this container instance's writable layer (lost on restart).
    pub base: Arc<MemFs>,
    pub upper: MemFs,
    pub container_id: Option<String>,
    pub image_id: Option<String>,
    pub ready: bool,
    pub started: bool,
    pub liveness: ProbeState,
    pub readiness: ProbeState,
    pub startup: ProbeState,
    /// SIGKILL at this instant (graceful stop under way), with the reason the stop happened.
    pub stopping: Option<(Millis, StopReason)>,
    pub wake_at: Option<Millis>,
    /// When the shell process asked to be resumed.
    pub shell_wake: Millis,
    /// The environment this container instance was created with (fixed for its life: a ConfigMap changed later
    /// reaches it only when the container is created again).
    pub env: BTreeMap<String, String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    Liveness,
    Startup,
    PodDeletion,
}

impl ContainerRun {
    fn new(c: &Container, init: bool) -> ContainerRun {
        ContainerRun {
            name: c.name.clone(),
            init,
            image: c.image.clone().unwrap_or_default(),
            stage: Stage::Blocked,
            waiting: (if init { "PodInitializing" } else { "ContainerCreating" }.to_string(), None),
            restart_count: 0,
            current: None,
            last_terminated: None,
            crash_backoff: None,
            pull_backoff: None,
            logs: Vec::new(),
            previous_logs: Vec::new(),
            process: None,
            base: Arc::new(MemFs::new()),
            upper: MemFs::new(),
            env: BTreeMap::new(),
            container_id: None,
            image_id: None,
            ready: false,
            started: false,
            liveness: ProbeState::default(),
            readiness: ProbeState::default(),
            startup: ProbeState::default(),
            stopping: None,
            wake_at: None,
            shell_wake: 0,
        }
    }

    pub fn is_running(&self) -> bool {
        matches!(self.stage, Stage::Running { .. })
    }

    pub fn succeeded_once(&self) -> bool {
        self.current.as_ref().is_some_and(|t| t.exit_code == 0) && !self.is_running()
    }

    pub fn log(&mut self, at: Millis, stream: Stream, text: &str) {
        let mut rest = text;
        // Continue a line the program left unfinished on the same stream.
        if let Some(last) = self.logs.last_mut() {
            if last.stream == stream && !last.text.ends_with('\n') {
                let (head, tail) = match rest.find('\n') {
                    Some(i) => rest.split_at(i + 1),
                    None => (rest, ""),
                };
                last.text.push_str(head);
                rest = tail;
            }
        }
        while !rest.is_empty() {
            let (line, tail) = match rest.find('\n') {
                Some(i) => rest.split_at(i + 1),
                None => (rest, ""),
            };
            self.logs.push(LogLine { at, stream, text: line.to_string() });
            rest = tail;
        }
    }

    /// Logs whole lines (a native program's output).
    fn log_lines(&mut self, at: Millis, lines: &[String]) {
        for l in lines {
            self.log(at, Stream::Stdout, &format!("{l}\n"));
        }
    }
}

/// The pod's spec for container `name` (init or app).
fn spec_of<'p>(pod: &'p Pod, name: &str) -> Option<&'p Container> {
    let spec = pod.spec.as_ref()?;
    spec.init_containers.iter().flatten().chain(spec.containers.iter()).find(|c| c.name == name)
}

/// The kubelet admits a pod: sandbox, IP, volumes, and container records in spec order.
pub(super) fn admit(cluster: &mut Cluster, node: &str, pod: &Pod, ip: Option<String>, now: Millis) -> PodRun {
    let no_spec;
    let spec = match &pod.spec {
        Some(spec) => spec,
        None => {
            no_spec = k8s_openapi::api::core::v1::PodSpec::default();
            &no_spec
        }
    };
    let init: Vec<ContainerRun> = spec.init_containers.iter().flatten().map(|c| ContainerRun::new(c, true)).collect();
    let containers: Vec<ContainerRun> = spec.containers.iter().map(|c| ContainerRun::new(c, false)).collect();
    let mount_wait = volume_wait(cluster, node, pod, 1, now);
    let volumes = if mount_wait.is_none() {
        super::volumes::mount(cluster, node, pod);
        super::status::volumes_for(cluster, node, pod, ip.as_deref().unwrap_or_default())
    } else {
        BTreeMap::new()
    };
    let mut run = PodRun {
        namespace: pod.metadata.namespace.clone().unwrap_or_default(),
        name: pod.metadata.name.clone().unwrap_or_default(),
        uid: pod.metadata.uid.clone().unwrap_or_default(),
        ip,
        started_at: now,
        sandbox_ready_at: if cluster.booting { now } else { now + SANDBOX_MS },
        init,
        containers,
        volumes,
        kill_deadline: None,
        transitions: BTreeMap::new(),
        claims: spec
            .volumes
            .iter()
            .flatten()
            .filter_map(|v| v.persistent_volume_claim.as_ref().map(|c| c.claim_name.clone()))
            .collect(),
        mount_wait,
        volume_sync_at: None,
    };
    super::volumes::refresh(cluster, node, pod, &mut run);
    run
}

/// Whether the pod must wait for its volumes, after attempt `attempts`: a claim the volume manager cannot
/// process yet (missing, being deleted, not bound) fails the pod's sync with one kubelet `FailedMount`, retried
/// after the pod worker's back-off; otherwise each volume whose set-up fails reports its own `FailedMount`,
/// retried with the operation executor's exponential back-off.
fn volume_wait(cluster: &mut Cluster, node: &str, pod: &Pod, attempts: u32, now: Millis) -> Option<super::MountWait> {
    let claims = super::volumes::claim_errors(cluster, pod);
    if !claims.is_empty() {
        let obj = Object::from(pod.clone());
        let message = super::volumes::claim_wait_message(&claims);
        cluster.emit_event(&obj, "Warning", "FailedMount", &message, &Reporter::kubelet(node));
        return Some(super::MountWait { attempts, next_try: now + super::volumes::POD_SYNC_BACKOFF_MS });
    }
    let failures = super::volumes::setup_errors(cluster, node, pod);
    if failures.is_empty() {
        return None;
    }
    report_mount_failures(cluster, node, pod, &failures);
    Some(super::MountWait { attempts, next_try: now + super::volumes::mount_backoff(attempts) })
}

/// One `FailedMount` warning per volume that failed, as the operation executor reports each failed
/// `MountVolume.SetUp`.
fn report_mount_failures(cluster: &mut Cluster, node: &str, pod: &Pod, failures: &[(String, String)]) {
    let obj = Object::from(pod.clone());
    for (volume, error) in failures {
        let message = format!("MountVolume.SetUp failed for volume \"{volume}\" : {error}");
        cluster.emit_event(&obj, "Warning", "FailedMount", &message, &Reporter::kubelet(node));
    }
}

/// The volume manager tries a failing pod's volumes again when the back-off allows; once every volume sets up,
/// the sandbox is created. Returns whether the pod may go on.
fn retry_mounts(cluster: &mut Cluster, node: &str, pod: &Pod, run: &mut PodRun, now: Millis) -> bool {
    let Some(wait) = run.mount_wait.clone() else { return true };
    if now < wait.next_try {
        return false;
    }
    if let Some(next) = volume_wait(cluster, node, pod, wait.attempts + 1, now) {
        run.mount_wait = Some(next);
        return false;
    }
    super::volumes::mount(cluster, node, pod);
    run.volumes = super::status::volumes_for(cluster, node, pod, run.ip.as_deref().unwrap_or_default());
    super::volumes::refresh(cluster, node, pod, run);
    run.mount_wait = None;
    run.sandbox_ready_at = now + SANDBOX_MS;
    let key = ObjectKey::new(Kind::Pod, run.namespace.as_str(), run.name.as_str());
    let why = format!("{node}: volumes set up after {} failed attempts; sandbox created", wait.attempts);
    cluster.record("kubelet", Change::Updated, &key, &why);
    true
}

/// The periodic pod sync rewrites the volumes that follow their sources (configMap, secret, projected,
/// downwardAPI) from the objects as they are now. Files reached through a `subPath` mount keep what they had.
fn sync_volumes(cluster: &mut Cluster, node: &str, pod: &Pod, run: &mut PodRun) {
    run.volume_sync_at = None;
    let fresh = super::status::volumes_for(cluster, node, pod, run.ip.as_deref().unwrap_or_default());
    let key = ObjectKey::new(Kind::Pod, run.namespace.as_str(), run.name.as_str());
    for v in pod.spec.iter().flat_map(|s| s.volumes.iter().flatten()).filter(|v| super::volumes::auto_updates(v)) {
        let Some(new) = fresh.get(&v.name) else { continue };
        if run.volumes.get(&v.name) == Some(new) {
            continue;
        }
        run.volumes.insert(v.name.clone(), new.clone());
        let why = format!("{node}: the pod sync rewrote volume {} from its source", v.name);
        cluster.record("kubelet", Change::Updated, &key, &why);
    }
}

/// Everything a container's transitions need to know about its pod.
struct PodCtx {
    node: String,
    restart_policy: String,
    grace_ms: Millis,
    deleting: bool,
    pod_ip: String,
    hostname: String,
    pod_ref: String,
}

/// Advances every container of `run` to the cluster's current instant.
pub(super) fn advance(cluster: &mut Cluster, node: &str, pod: &Pod, run: &mut PodRun) {
    let now = cluster.clock.now();
    let no_spec;
    let spec = match &pod.spec {
        Some(spec) => spec,
        None => {
            no_spec = k8s_openapi::api::core::v1::PodSpec::default();
            &no_spec
        }
    };
    let grace_s =
        pod.metadata.deletion_grace_period_seconds.or(spec.termination_grace_period_seconds).unwrap_or(30).max(0)
            as Millis;
    let ctx = PodCtx {
        node: node.to_string(),
        restart_policy: spec.restart_policy.clone().unwrap_or_else(|| "Always".into()),
        grace_ms: grace_s * 1000,
        deleting: pod.metadata.deletion_timestamp.is_some(),
        pod_ip: run.ip.clone().unwrap_or_default(),
        hostname: spec.hostname.clone().unwrap_or_else(|| run.name.clone()),
        pod_ref: format!("{}_{}({})", run.name, run.namespace, run.uid),
    };
    if ctx.deleting && run.kill_deadline.is_none() {
        run.kill_deadline = Some(now + ctx.grace_ms);
    }
    if run.mount_wait.is_some() && (ctx.deleting || !retry_mounts(cluster, node, pod, run, now)) {
        return;
    }
    if run.volume_sync_at.is_some_and(|t| now >= t) && !ctx.deleting {
        sync_volumes(cluster, node, pod, run);
    }
    if now < run.sandbox_ready_at {
        return;
    }
    // Init containers one at a time; each must exit 0 before the next starts.
    let mut gate_open = true;
    for i in 0..run.init.len() {
        let mut c = std::mem::replace(&mut run.init[i], ContainerRun::new(&Container::default(), true));
        if gate_open && matches!(c.stage, Stage::Blocked) {
            c.stage = Stage::Image;
        }
        if gate_open {
            step_container(cluster, pod, run, &mut c, &ctx, now);
        }
        gate_open = gate_open && c.succeeded_once();
        run.init[i] = c;
    }
    for i in 0..run.containers.len() {
        let mut c = std::mem::replace(&mut run.containers[i], ContainerRun::new(&Container::default(), false));
        if gate_open && matches!(c.stage, Stage::Blocked) {
            c.stage = Stage::Image;
        }
        if gate_open {
            step_container(cluster, pod, run, &mut c, &ctx, now);
        }
        run.containers[i] = c;
    }
    // Probes run after the programs have had their say at this instant.
    for i in 0..run.containers.len() {
        let mut c = std::mem::replace(&mut run.containers[i], ContainerRun::new(&Container::default(), false));
        if let Some(container) = spec_of(pod, &c.name).cloned() {
            probe_container(cluster, pod, run, &mut c, &container, &ctx, now);
        }
        run.containers[i] = c;
    }
    for c in run.init.iter_mut().chain(run.containers.iter_mut()) {
        c.wake_at = next_wake(c, now);
    }
}

/// The next instant this container has something to do (strictly after `now`).
fn next_wake(c: &ContainerRun, now: Millis) -> Option<Millis> {
    let stage = match &c.stage {
        Stage::Pulling { done_at, .. } => Some(*done_at),
        Stage::Exited { at } => Some(at + RELIST_MS),
        // A failed pull shows ErrImagePull until the pod worker's next sync finds it in back-off.
        Stage::PullBackOff { until } if c.waiting.0 == "ErrImagePull" => {
            Some(until.saturating_sub(c.pull_backoff.map_or(0, |b| b.period)) + RELIST_MS)
        }
        Stage::CrashBackOff { until } | Stage::PullBackOff { until } => Some(*until),
        Stage::ConfigError { retry_at } => Some(*retry_at),
        Stage::Running { .. } => {
            let process = match &c.process {
                Some(Process::Exiting { at, .. } | Process::OomKilled { at }) => Some(*at),
                Some(Process::Shell(_)) => Some(c.shell_wake).filter(|t| *t > 0),
                _ => None,
            };
            // Probes pause while the container is being stopped.
            let probes = [&c.liveness, &c.readiness, &c.startup]
                .iter()
                .map(|p| p.next_at)
                .filter(|t| *t > 0 && c.stopping.is_none())
                .min();
            [process, probes, c.stopping.map(|s| s.0)].into_iter().flatten().filter(|t| *t > now).min()
        }
        _ => None,
    };
    stage.filter(|t| *t > now)
}

fn emit(cluster: &mut Cluster, pod: &Pod, type_: &str, reason: &str, message: &str, node: &str) {
    let key = ObjectKey::new(
        Kind::Pod,
        pod.metadata.namespace.as_deref().unwrap_or_default(),
        pod.metadata.name.as_deref().unwrap_or_default(),
    );
    let about = cluster.store.get_shared(&key).unwrap_or_else(|| std::sync::Arc::new(Object::from(pod.clone())));
    cluster.emit_event(&about, type_, reason, message, &Reporter::kubelet(node));
}

/// Go's `time.Duration` text for whole milliseconds: `1.873s`, `512ms`, `1m20s`.
pub fn go_duration(ms: Millis) -> String {
    if ms < 1000 {
        return format!("{ms}ms");
    }
    let secs = ms / 1000;
    let frac = ms % 1000;
    let sec_text = |s: u64| {
        if frac == 0 {
            format!("{s}s")
        } else {
            format!("{s}.{}s", format!("{frac:03}").trim_end_matches('0'))
        }
    };
    if secs < 60 {
        sec_text(secs)
    } else if secs < 3600 {
        format!("{}m{}", secs / 60, sec_text(secs % 60))
    } else {
        format!("{}h{}m{}", secs / 3600, secs % 3600 / 60, sec_text(secs % 60))
    }
}

fn step_container(cluster: &mut Cluster, pod: &Pod, run: &mut PodRun, c: &mut ContainerRun, ctx: &PodCtx, now: Millis) {
    let Some(spec) = spec_of(pod, &c.name).cloned() else { return };
    // Bounded: each pass makes a transition or stops.
    for _ in 0..16 {
        if ctx.deleting {
            stop_for_deletion(cluster, pod, c, ctx, now);
            if !c.is_running() {
                if !matches!(c.stage, Stage::Exited { .. }) {
                    c.stage = Stage::Done;
                } else if let Stage::Exited { .. } = c.stage {
                    c.stage = Stage::Done;
                }
                return;
            }
        }
        match c.stage.clone() {
            Stage::Blocked | Stage::Done => return,
            Stage::Image | Stage::ConfigError { .. } => {
                if let Stage::ConfigError { retry_at } = c.stage {
                    if now < retry_at {
                        return;
                    }
                }
                if !ensure_image(cluster, pod, c, &spec, ctx, now) {
                    return;
                }
            }
            Stage::Pulling { began, requested, done_at, ok } => {
                if now < done_at {
                    return;
                }
                let image = c.image.clone();
                if ok {
                    let r = images::parse(&image).expect("pull started only for parsed images");
                    cluster.ensure_agent(&ctx.node).images.insert(r.full_name());
                    let info = r.info().expect("published images are in the catalogue");
                    let took = go_duration(done_at - began);
                    let with_wait = go_duration(done_at - requested);
                    emit(
                        cluster,
                        pod,
                        "Normal",
                        "Pulled",
                        &format!(
                            "Successfully pulled image \"{image}\" in {took} ({with_wait} including waiting). Image size: {} bytes.",
                            info.size_bytes
                        ),
                        &ctx.node,
                    );
                    c.pull_backoff = None;
                    c.stage = Stage::Ready;
                } else {
                    let r = images::parse(&image).expect("pull started only for parsed images");
                    let err = images::pull_error(&r);
                    emit(
                        cluster,
                        pod,
                        "Warning",
                        "Failed",
                        &format!("Failed to pull image \"{image}\": rpc error: code = NotFound desc = {err}"),
                        &ctx.node,
                    );
                    emit(cluster, pod, "Warning", "Failed", "Error: ErrImagePull", &ctx.node);
                    c.waiting = ("ErrImagePull".into(), Some(format!("rpc error: code = NotFound desc = {err}")));
                    let b = Backoff::next(c.pull_backoff, now);
                    c.pull_backoff = Some(b);
                    // The pod worker's next sync finds the pull in back-off.
                    c.stage = Stage::PullBackOff { until: now + b.period };
                    c.wake_at = Some(now + RELIST_MS);
                    return;
                }
            }
            Stage::Ready => {
                start(cluster, pod, run, c, &spec, ctx, now);
                if matches!(c.stage, Stage::Ready) {
                    return;
                }
            }
            Stage::PullBackOff { until } => {
                if c.waiting.0 == "ErrImagePull"
                    && now >= until.saturating_sub(c.pull_backoff.map_or(0, |b| b.period)) + RELIST_MS
                {
                    c.waiting = ("ImagePullBackOff".into(), Some(format!("Back-off pulling image \"{}\"", c.image)));
                    emit(
                        cluster,
                        pod,
                        "Normal",
                        "BackOff",
                        &format!("Back-off pulling image \"{}\"", c.image),
                        &ctx.node,
                    );
                    emit(cluster, pod, "Warning", "Failed", "Error: ImagePullBackOff", &ctx.node);
                }
                if now < until {
                    return;
                }
                c.stage = Stage::Image;
            }
            Stage::Running { .. } => {
                run_process(cluster, pod, run, c, ctx, now);
                if c.is_running() {
                    return;
                }
            }
            Stage::Exited { at } => {
                if now < at + RELIST_MS {
                    return;
                }
                let term = c.current.clone().expect("exited containers have a termination record");
                let restart = match ctx.restart_policy.as_str() {
                    _ if c.init && ctx.restart_policy == "Always" => term.exit_code != 0,
                    "Always" => true,
                    "OnFailure" => term.exit_code != 0,
                    _ => false,
                };
                if !restart {
                    c.stage = Stage::Done;
                    return;
                }
                // kuberuntime's doBackOff, keyed by the exit time.
                if let Some(b) = c.crash_backoff.filter(|b| b.in_backoff_since(term.finished_at, now)) {
                    let until = term.finished_at + b.period;
                    enter_crash_backoff(cluster, pod, c, ctx, b, until);
                    return;
                }
                c.crash_backoff = Some(Backoff::next(c.crash_backoff, term.finished_at));
                c.restart_count += 1;
                c.stage = Stage::Image;
            }
            Stage::CrashBackOff { until } => {
                if now < until {
                    return;
                }
                let term = c.current.clone().expect("back-off follows an exit");
                c.crash_backoff = Some(Backoff::next(c.crash_backoff, term.finished_at));
                c.restart_count += 1;
                c.stage = Stage::Image;
            }
        }
    }
}

fn enter_crash_backoff(
    cluster: &mut Cluster,
    pod: &Pod,
    c: &mut ContainerRun,
    ctx: &PodCtx,
    b: Backoff,
    until: Millis,
) {
    let msg = format!("back-off {} restarting failed container={} pod={}", go_duration(b.period), c.name, ctx.pod_ref);
    c.waiting = ("CrashLoopBackOff".into(), Some(msg));
    emit(
        cluster,
        pod,
        "Warning",
        "BackOff",
        &format!("Back-off restarting failed container {} in pod {}", c.name, ctx.pod_ref),
        &ctx.node,
    );
    c.stage = Stage::CrashBackOff { until };
}

/// EnsureImageExists: returns true when the container moved on (pull started or container started).
fn ensure_image(
    cluster: &mut Cluster,
    pod: &Pod,
    c: &mut ContainerRun,
    spec: &Container,
    ctx: &PodCtx,
    now: Millis,
) -> bool {
    let image = c.image.clone();
    let r = match images::parse(&image) {
        Ok(r) => r,
        Err(e) => {
            let msg = format!("Failed to apply default image tag \"{image}\": {e}");
            emit(cluster, pod, "Warning", "InspectFailed", &msg, &ctx.node);
            emit(cluster, pod, "Warning", "Failed", "Error: InvalidImageName", &ctx.node);
            c.waiting = ("InvalidImageName".into(), Some(msg));
            c.stage = Stage::ConfigError { retry_at: now + BACKOFF_INITIAL_MS };
            return false;
        }
    };
    let policy = spec.image_pull_policy.clone().unwrap_or_else(|| "IfNotPresent".into());
    let agent = cluster.ensure_agent(&ctx.node);
    let present = agent.images.contains(&r.full_name());
    if policy == "Never" && !present {
        let msg = format!("Container image \"{image}\" is not present with pull policy of Never");
        emit(cluster, pod, "Warning", "ErrImageNeverPull", &msg, &ctx.node);
        emit(cluster, pod, "Warning", "Failed", "Error: ErrImageNeverPull", &ctx.node);
        c.waiting = ("ErrImageNeverPull".into(), Some(msg));
        c.stage = Stage::ConfigError { retry_at: now + BACKOFF_INITIAL_MS };
        return false;
    }
    if present && policy != "Always" {
        emit(
            cluster,
            pod,
            "Normal",
            "Pulled",
            &format!("Container image \"{image}\" already present on machine"),
            &ctx.node,
        );
        c.pull_backoff = None;
        c.stage = Stage::Ready;
        return true;
    }
    // Pull (an `Always` pull of a present image only re-checks the manifest, which is quick).
    let ok = images::published(&r);
    let duration = match (ok, present) {
        (true, true) => 350,
        (true, false) => images::pull_millis(r.info().map_or(0, |i| i.size_bytes)),
        (false, _) => 600,
    };
    let agent = cluster.ensure_agent(&ctx.node);
    let began = agent.pull_free_at.max(now);
    let done_at = began + duration;
    agent.pull_free_at = done_at;
    emit(cluster, pod, "Normal", "Pulling", &format!("Pulling image \"{image}\""), &ctx.node);
    c.stage = Stage::Pulling { began, requested: now, done_at, ok };
    true
}

/// Creates and starts the container (events `Created`, `Started`), then runs its program until it blocks.
fn start(
    cluster: &mut Cluster,
    pod: &Pod,
    run: &mut PodRun,
    c: &mut ContainerRun,
    spec: &Container,
    ctx: &PodCtx,
    now: Millis,
) {
    let r = images::parse(&c.image).expect("started only after a successful image check");
    let info = r.info().expect("published images are in the catalogue");
    // Environment first: a missing ConfigMap/Secret key stops the container from being created.
    let env = match super::status::container_env(cluster, pod, spec, &ctx.pod_ip, &ctx.node) {
        Ok(env) => env,
        Err(msg) => {
            emit(cluster, pod, "Warning", "Failed", &format!("Error: {msg}"), &ctx.node);
            c.waiting = ("CreateContainerConfigError".into(), Some(msg));
            c.stage = Stage::ConfigError { retry_at: now + BACKOFF_INITIAL_MS };
            return;
        }
    };
    c.image_id = Some(r.image_id());
    c.env = env.clone();
    let mut argv = resolve_argv(info, &super::status::expand_command_and_args(spec, &env));
    let curl = images::curl_version(&r).is_some();
    if info.repository == "docker.io/curlimages/curl" {
        // Its `/entrypoint.sh` (informed reading): a first word that is an option or no command runs curl with
        // all the words (`-- -s http://web`, `-- http://web`); a command runs as given (`-- sleep 3600`).
        if argv.first().is_some_and(|a| a == "/entrypoint.sh") {
            argv.remove(0);
        }
        let first = argv.first().map(|a| a.rsplit('/').next().unwrap_or(a).to_string()).unwrap_or_default();
        if first != "curl" && !SHELLS.contains(&first.as_str()) && !super::host::is_applet(&first) {
            argv.insert(0, "curl".into());
        }
    }
    let id = images::digest_hex(&format!("{}/{}/{}/{}", run.uid, c.name, c.restart_count, now));
    c.container_id = Some(format!("containerd://{id}"));
    c.base = Arc::new(super::status::image_fs(info));
    c.upper = MemFs::new();
    if !c.logs.is_empty() || c.restart_count > 0 {
        c.previous_logs = std::mem::take(&mut c.logs);
    }
    let launch = match classify(info, &argv, curl) {
        Exec::Shell { script, args } => match shell::Program::parse(&script) {
            Ok(program) => {
                let process = shell::Process::new(program, args, env.clone());
                c.shell_wake = 0;
                Ok(Process::Shell(Box::new(process)))
            }
            Err(e) => Err((2, vec![e])),
        },
        Exec::Native => match programs::launch(info.behaviour, &r, &argv, &env, now, &ctx.pod_ip) {
            // A program that allocates more than the memory limit is killed by the cgroup's OOM killer as soon
            // as it has touched the pages (kubelet sets memory.oom.group, so the whole container goes).
            Launch::Runs { logs, .. } | Launch::Exits { logs, .. }
                if programs::memory_demand(info.behaviour, &argv) > memory_limit(spec).unwrap_or(u64::MAX) =>
            {
                // What it printed on starting; never what it would have printed on finishing.
                c.log_lines(now, &logs[..logs.len().min(1)]);
                Ok(Process::OomKilled { at: now + OOM_AFTER_MS })
            }
            Launch::Runs { server, logs } => {
                c.log_lines(now, &logs);
                Ok(Process::Native(server))
            }
            Launch::Exits { code, logs, after_ms } => {
                c.log_lines(now + after_ms, &logs);
                Ok(Process::Exiting { code, at: now + after_ms })
            }
        },
        Exec::NotFound(bin) => {
            let msg = format!(
                "failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: exec: \"{bin}\": executable file not found in $PATH: unknown"
            );
            emit(cluster, pod, "Normal", "Created", &format!("Created container: {}", c.name), &ctx.node);
            emit(cluster, pod, "Warning", "Failed", &format!("Error: {msg}"), &ctx.node);
            c.current = Some(Terminated {
                exit_code: 128,
                reason: "StartError".into(),
                message: Some(msg),
                started_at: 0,
                finished_at: now,
            });
            c.rotate_last();
            c.stage = Stage::Exited { at: now };
            return;
        }
    };
    emit(cluster, pod, "Normal", "Created", &format!("Created container: {}", c.name), &ctx.node);
    emit(cluster, pod, "Normal", "Started", &format!("Started container {}", c.name), &ctx.node);
    c.rotate_last();
    c.current = None;
    c.started = false;
    c.ready = false;
    c.stopping = None;
    c.stage = Stage::Running { started_at: now };
    let probe_start =
        |p: &Option<Probe>| ProbeState { next_at: if p.is_some() { now } else { 0 }, successes: 0, failures: 0 };
    c.liveness = probe_start(&spec.liveness_probe);
    c.readiness = probe_start(&spec.readiness_probe);
    c.startup = probe_start(&spec.startup_probe);
    match launch {
        Ok(p) => c.process = Some(p),
        Err((code, lines)) => {
            for l in lines {
                c.log(now, Stream::Stderr, &format!("{l}\n"));
            }
            c.process = Some(Process::Exiting { code, at: now });
        }
    }
    run_process(cluster, pod, run, c, ctx, now);
}

impl ContainerRun {
    /// The termination record of the previous instance becomes `lastState`.
    fn rotate_last(&mut self) {
        if let Some(t) = self.current.take() {
            self.last_terminated = Some(t);
        }
    }
}

/// How a container's command line is run.
enum Exec {
    /// Through the image's shell: `script` is the `-c` text (or the command line quoted back together).
    Shell { script: String, args: Vec<String> },
    /// The image's own program.
    Native,
    /// No such executable in the image.
    NotFound(String),
}

/// How long a program takes to touch more memory than its limit allows before the OOM killer ends it (an
/// informed guess: `stress --vm-bytes 250M` faults its pages in well under a second).
const OOM_AFTER_MS: Millis = 200;

/// `resources.limits.memory` in bytes.
fn memory_limit(spec: &Container) -> Option<u64> {
    let q = spec.resources.as_ref()?.limits.as_ref()?.get("memory")?;
    let v = crate::admission::quantity::Quantity::parse(&q.0).ok()?.value();
    u64::try_from(v).ok()
}

/// ENTRYPOINT/CMD after the pod's `command`/`args`, as the runtime combines them.
fn resolve_argv(info: &images::ImageInfo, spec: &Container) -> Vec<String> {
    let image_argv: Vec<String> = info.default_argv.iter().map(|s| s.to_string()).collect();
    match (&spec.command, &spec.args) {
        (Some(cmd), args) if !cmd.is_empty() => cmd.iter().cloned().chain(args.iter().flatten().cloned()).collect(),
        (_, Some(args)) if !args.is_empty() => {
            // `args` replace the image's CMD but keep its ENTRYPOINT. Entrypoint-only images keep their first word.
            let entry: Vec<String> = match info.behaviour {
                Behaviour::Shell => Vec::new(),
                _ => image_argv.iter().take(1).cloned().collect(),
            };
            entry.into_iter().chain(args.iter().cloned()).collect()
        }
        _ => image_argv,
    }
}

const SHELLS: &[&str] = &["sh", "bash", "ash", "dash"];

fn classify(info: &images::ImageInfo, argv: &[String], curl: bool) -> Exec {
    let Some(first) = argv.first() else { return Exec::Native };
    let base = first.rsplit('/').next().unwrap_or(first);
    if SHELLS.contains(&base) {
        if !info.has_shell {
            return Exec::NotFound(first.clone());
        }
        // `sh -c SCRIPT [NAME ARGS…]`, or `sh` alone (no terminal: reads nothing and exits 0).
        let mut rest = argv[1..].iter();
        let mut script = String::new();
        let mut args = vec![first.clone()];
        while let Some(a) = rest.next() {
            if a == "-c" {
                script = rest.next().cloned().unwrap_or_default();
                args = rest.by_ref().cloned().collect();
                if args.is_empty() {
                    args.push(first.clone());
                }
                break;
            } else if a.starts_with('-') {
                continue;
            } else {
                // `sh script.sh`: scripts from files are not simulated; it exits as a missing file would.
                script = format!("echo \"{base}: can't open '{a}': No such file or directory\" >&2; exit 2");
                break;
            }
        }
        return Exec::Shell { script, args };
    }
    let native = info.default_argv.first().map(|d| d.rsplit('/').next().unwrap_or(d)).unwrap_or_default();
    let native_names: &[&str] = match info.behaviour {
        Behaviour::Nginx => &["nginx", "docker-entrypoint.sh"],
        Behaviour::Httpd => &["httpd-foreground", "httpd"],
        Behaviour::Redis => &["redis-server", "docker-entrypoint.sh"],
        Behaviour::Postgres => &["postgres", "docker-entrypoint.sh"],
        Behaviour::Mysql => &["mysqld", "docker-entrypoint.sh"],
        Behaviour::Mongo => &["mongod", "docker-entrypoint.sh"],
        Behaviour::Perl => &["perl"],
        Behaviour::Agnhost => &["agnhost"],
        Behaviour::HttpEcho => &["http-echo"],
        Behaviour::Pause => &["pause"],
        Behaviour::Stress => &["stress"],
        // Flannel's images install files with `cp` in init containers (install-cni-plugin, install-cni).
        Behaviour::Component if info.has_shell => &["cp"],
        Behaviour::Component => &[],
        Behaviour::Shell => &[],
    };
    if base == native || native_names.contains(&base) {
        return Exec::Native;
    }
    if info.has_shell && (super::host::is_applet(base) || (curl && base == "curl")) {
        // A busybox applet as the command (`sleep 3600`, `echo hi`): run the words through the shell.
        return Exec::Shell {
            script: argv.iter().map(|a| super::host::quote(a)).collect::<Vec<_>>().join(" "),
            args: vec!["sh".into()],
        };
    }
    Exec::NotFound(first.clone())
}

/// Runs the container's program up to now; notes an exit.
fn run_process(cluster: &mut Cluster, pod: &Pod, run: &mut PodRun, c: &mut ContainerRun, ctx: &PodCtx, now: Millis) {
    let Stage::Running { started_at } = c.stage else { return };
    let mut reason = None;
    let exit = match c.process.take() {
        Some(Process::Exiting { code, at }) if now >= at => Some((code, None)),
        Some(Process::OomKilled { at }) if now >= at => {
            reason = Some("OOMKilled");
            Some((137, None))
        }
        Some(Process::Shell(mut p)) => {
            let outcome = super::host::run_shell(cluster, run, c, &mut p, ctx.hostname.as_str(), &ctx.pod_ip, now);
            c.process = Some(Process::Shell(p));
            outcome.map(|code| (code, None))
        }
        other => {
            c.process = other;
            None
        }
    };
    // SIGKILL when the grace period is over.
    let killed = c.stopping.is_some_and(|(deadline, _)| now >= deadline).then_some((137, None));
    let exit = exit.or(killed);
    if let Some((code, message)) = exit {
        c.process = None;
        c.ready = false;
        let reason = reason.unwrap_or(if code == 0 { "Completed" } else { "Error" });
        c.current = Some(Terminated { exit_code: code, reason: reason.into(), message, started_at, finished_at: now });
        c.stopping = None;
        c.stage = Stage::Exited { at: now };
        let _ = pod;
    }
}

/// Graceful stop for pod deletion: `Killing` event, SIGTERM (preStop is not simulated), SIGKILL at the
/// deadline.
fn stop_for_deletion(cluster: &mut Cluster, pod: &Pod, c: &mut ContainerRun, ctx: &PodCtx, now: Millis) {
    if !c.is_running() || c.stopping.is_some_and(|s| s.1 == StopReason::PodDeletion) {
        return;
    }
    emit(cluster, pod, "Normal", "Killing", &format!("Stopping container {}", c.name), &ctx.node);
    let deadline = now + ctx.grace_ms;
    terminate(c, deadline, StopReason::PodDeletion, now);
}

/// Sends SIGTERM: native servers exit at once (0), a shell may ignore it (PID 1 without a trap) until the
/// SIGKILL at `deadline`.
fn terminate(c: &mut ContainerRun, deadline: Millis, why: StopReason, now: Millis) {
    c.stopping = Some((deadline, why));
    match c.process.as_mut() {
        Some(Process::Native(_)) => c.process = Some(Process::Exiting { code: 0, at: now }),
        Some(Process::Exiting { .. } | Process::OomKilled { .. }) => {}
        Some(Process::Shell(p)) => match p.signal(shell::Signal::Term) {
            shell::SignalOutcome::Terminated(code) => c.process = Some(Process::Exiting { code, at: now }),
            // A trap runs at the next resume: resume now.
            shell::SignalOutcome::Pending => c.shell_wake = now,
            shell::SignalOutcome::Ignored => {}
        },
        None => {}
    }
    if deadline <= now {
        c.process = Some(Process::Exiting { code: 137, at: now });
    }
}

/// Runs the due probes of a running container.
fn probe_container(
    cluster: &mut Cluster,
    pod: &Pod,
    run: &mut PodRun,
    c: &mut ContainerRun,
    spec: &Container,
    ctx: &PodCtx,
    now: Millis,
) {
    let Stage::Running { started_at } = c.stage else { return };
    if c.stopping.is_some() {
        return;
    }
    let startup_done = spec.startup_probe.is_none() || c.started;
    if spec.startup_probe.is_none() && !c.started {
        c.started = true;
    }
    if spec.readiness_probe.is_none() && c.started {
        c.ready = true;
    }
    for which in [ProbeKind::Startup, ProbeKind::Liveness, ProbeKind::Readiness] {
        let probe = match which {
            ProbeKind::Startup => spec.startup_probe.as_ref(),
            ProbeKind::Liveness => spec.liveness_probe.as_ref(),
            ProbeKind::Readiness => spec.readiness_probe.as_ref(),
        };
        let Some(probe) = probe else { continue };
        if which != ProbeKind::Startup && !startup_done {
            continue;
        }
        if which == ProbeKind::Startup && c.started {
            continue;
        }
        let period = probe.period_seconds.unwrap_or(10).max(1) as Millis * 1000;
        let state = match which {
            ProbeKind::Startup => &mut c.startup,
            ProbeKind::Liveness => &mut c.liveness,
            ProbeKind::Readiness => &mut c.readiness,
        };
        if state.next_at == 0 {
            state.next_at = now;
        }
        // Catch up on every probe instant up to now (a long step still probes each period).
        let mut guard = 0;
        while state_next(c, which) <= now && guard < 10_000 {
            guard += 1;
            let at = state_next(c, which);
            set_next(c, which, at + period);
            let delay = probe.initial_delay_seconds.unwrap_or(0).max(0) as Millis * 1000;
            if at < started_at + delay {
                continue;
            }
            let result = super::host::run_probe(cluster, run, c, probe, &ctx.pod_ip, &ctx.hostname, now);
            let success_threshold = probe.success_threshold.unwrap_or(1).max(1);
            let failure_threshold = probe.failure_threshold.unwrap_or(3).max(1);
            let label = match which {
                ProbeKind::Startup => "Startup",
                ProbeKind::Liveness => "Liveness",
                ProbeKind::Readiness => "Readiness",
            };
            let st = state_mut(c, which);
            match result {
                Ok(()) => {
                    st.failures = 0;
                    st.successes += 1;
                    if st.successes >= success_threshold {
                        match which {
                            ProbeKind::Startup => c.started = true,
                            ProbeKind::Readiness => c.ready = true,
                            ProbeKind::Liveness => {}
                        }
                    }
                }
                Err(output) => {
                    st.successes = 0;
                    st.failures += 1;
                    let failures = st.failures;
                    emit(cluster, pod, "Warning", "Unhealthy", &format!("{label} probe failed: {output}"), &ctx.node);
                    if which == ProbeKind::Readiness {
                        if failures >= failure_threshold {
                            c.ready = false;
                        }
                        continue;
                    }
                    if failures >= failure_threshold {
                        let verb = if which == ProbeKind::Liveness { "liveness" } else { "startup" };
                        emit(
                            cluster,
                            pod,
                            "Normal",
                            "Killing",
                            &format!("Container {} failed {verb} probe, will be restarted", c.name),
                            &ctx.node,
                        );
                        let grace = probe
                            .termination_grace_period_seconds
                            .map(|s| s.max(1) as Millis * 1000)
                            .unwrap_or(ctx.grace_ms);
                        let why = if which == ProbeKind::Liveness { StopReason::Liveness } else { StopReason::Startup };
                        c.ready = false;
                        terminate(c, now + grace, why, now);
                        run_process(cluster, pod, run, c, ctx, now);
                        return;
                    }
                }
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ProbeKind {
    Startup,
    Liveness,
    Readiness,
}

fn state_mut(c: &mut ContainerRun, which: ProbeKind) -> &mut ProbeState {
    match which {
        ProbeKind::Startup => &mut c.startup,
        ProbeKind::Liveness => &mut c.liveness,
        ProbeKind::Readiness => &mut c.readiness,
    }
}

fn state_next(c: &ContainerRun, which: ProbeKind) -> Millis {
    match which {
        ProbeKind::Startup => c.startup.next_at,
        ProbeKind::Liveness => c.liveness.next_at,
        ProbeKind::Readiness => c.readiness.next_at,
    }
}

fn set_next(c: &mut ContainerRun, which: ProbeKind, at: Millis) {
    state_mut(c, which).next_at = at;
}

/// The port a probe's `port` names: a number, or a container port's name.
pub fn resolve_port(port: &IntOrString, spec: &Container) -> Option<u16> {
    match port {
        IntOrString::Int(n) => u16::try_from(*n).ok(),
        IntOrString::String(name) => spec
            .ports
            .iter()
            .flatten()
            .find(|p| p.name.as_deref() == Some(name.as_str()))
            .and_then(|p| u16::try_from(p.container_port).ok()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_print_as_go_does() {
        assert_eq!(go_duration(512), "512ms");
        assert_eq!(go_duration(1_873), "1.873s");
        assert_eq!(go_duration(2_200), "2.2s");
        assert_eq!(go_duration(10_000), "10s");
        assert_eq!(go_duration(80_000), "1m20s");
        assert_eq!(go_duration(300_000), "5m0s");
    }

    #[test]
    fn crash_loop_waits_follow_the_kubelet() {
        // Exit at 0 → restart at once; each later exit waits 10, 20, 40 … seconds after it.
        let mut entry = None;
        let mut waits = Vec::new();
        let mut t = 0;
        for _ in 0..8 {
            let exit = t;
            match entry {
                Some(b) if Backoff::in_backoff_since(&b, exit, exit) => {
                    let restart = exit + b.period;
                    waits.push(b.period / 1000);
                    entry = Some(Backoff::next(entry, exit));
                    t = restart;
                }
                _ => {
                    waits.push(0);
                    entry = Some(Backoff::next(entry, exit));
                }
            }
        }
        assert_eq!(waits, [0, 10, 20, 40, 80, 160, 300, 300]);
    }
}
