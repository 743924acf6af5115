//! The kubelet of every node and the container runtime behind it.
//!
//! Each running node's kubelet watches the pods bound to it (`spec.nodeName`), and for each: allocates the
//! pod's IP from the node's podCIDR (Flannel's host-local IPAM), pulls images (one at a time, with simulated
//! durations and a per-node image cache), creates and starts containers in the real order (init containers
//! one by one, then the app containers), runs their programs, probes them, restarts them by the pod's
//! `restartPolicy` with CrashLoopBackOff's back-off, stops them gracefully when the pod is deleted, and writes
//! the pod's status and Events exactly as the real kubelet words them.
//!
//! Runtime state that is not in the API (processes, filesystems, logs, back-off entries) lives here, in
//! ordered maps; the API sees it only through what the kubelet writes. A stopped node's kubelet does nothing:
//! its pods keep their last reported status, as on a real cluster.

pub mod container;
pub mod host;
pub mod images;
pub mod programs;
pub mod static_pods;
pub mod status;
pub mod volumes;

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::Pod;

use crate::clock::Millis;
use crate::cluster::Cluster;
use crate::error::ApiError;
use crate::event_log::Change;
use crate::object::{Kind, Object};
use crate::runtime::fs::MemFs;
use crate::store::ObjectKey;

pub use container::{ContainerRun, LogLine, Stream};

/// How long after a change the kubelet's pod worker notices it (PLEG's relist period is 1 s).
pub const RELIST_MS: Millis = 1_000;
/// How long creating a pod sandbox (pause container, network namespace, CNI ADD) takes.
pub const SANDBOX_MS: Millis = 300;

/// All kubelets, by node name.
#[derive(Clone, Debug)]
pub struct Kubelets {
    pub nodes: BTreeMap<String, NodeAgent>,
    /// The store's resourceVersion up to which pod changes have been looked at.
    pub seen_rv: u64,
    /// Timed work: (instant, node, pod uid).
    pub wakeups: BTreeSet<(Millis, String, String)>,
    /// Look at every pod on the next pass (first pass, a node booted).
    pub full_scan: bool,
}

impl Default for Kubelets {
    fn default() -> Self {
        Kubelets { nodes: BTreeMap::new(), seen_rv: 0, wakeups: BTreeSet::new(), full_scan: true }
    }
}

/// One node's kubelet and container runtime.
#[derive(Clone, Debug, Default)]
pub struct NodeAgent {
    /// Images in the node's containerd store (full names: `docker.io/library/nginx:1.27`).
    pub images: BTreeSet<String>,
    /// Pods the kubelet runs, by UID.
    pub pods: BTreeMap<String, PodRun>,
    /// Image pulls are serialised (`serializeImagePulls: true`): the next may start at this instant.
    pub pull_free_at: Millis,
    /// host-local IPAM: the last allocated host number in the node's /24 and the ones in use.
    pub last_ip: u8,
    pub ips_in_use: BTreeSet<u8>,
    /// The node's own filesystem (`minikube ssh`, hostPath volumes).
    pub host_fs: MemFs,
}

/// A pod as its kubelet runs it.
#[derive(Clone, Debug)]
pub struct PodRun {
    pub namespace: String,
    pub name: String,
    pub uid: String,
    pub ip: Option<String>,
    /// When the kubelet admitted the pod (`status.startTime`).
    pub started_at: Millis,
    pub sandbox_ready_at: Millis,
    pub init: Vec<ContainerRun>,
    pub containers: Vec<ContainerRun>,
    /// The pod's volumes (emptyDir, configMap, secret, projected, …) by name, plus the kubelet's own files.
    pub volumes: BTreeMap<String, MemFs>,
    /// Graceful deletion in progress: SIGKILL for anything still running at this instant.
    pub kill_deadline: Option<Millis>,
    /// Condition type → (status, last transition), so transition times survive status rewrites.
    pub transitions: BTreeMap<String, (String, Millis)>,
    /// The claims the pod mounts (for the event log's "unmounted" when the sandbox goes).
    pub claims: Vec<String>,
    /// Volumes that could not be set up yet: no sandbox until the next attempt succeeds.
    pub mount_wait: Option<MountWait>,
    /// The next periodic pod sync that rewrites configMap/secret/projected/downwardAPI volumes whose source
    /// changed since they were written (set only while such a change is pending).
    pub volume_sync_at: Option<Millis>,
}

/// The volume manager's retry state while a pod's volumes fail to mount.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MountWait {
    /// Attempts made so far (each failed one emitted `FailedMount`).
    pub attempts: u32,
    pub next_try: Millis,
}

/// The kubelet's `syncFrequency` (1 min): how often a running pod is synced, which is when its
/// configMap/secret/projected/downwardAPI volumes pick up changes.
pub const SYNC_FREQUENCY_MS: Millis = 60_000;

impl PodRun {
    pub fn all_containers(&self) -> impl Iterator<Item = &ContainerRun> {
        self.init.iter().chain(self.containers.iter())
    }

    pub fn container(&self, name: &str) -> Option<&ContainerRun> {
        self.all_containers().find(|c| c.name == name)
    }

    /// Init containers that are done (exited 0) in order.
    pub fn initialized(&self) -> bool {
        self.init.iter().all(|c| c.succeeded_once())
    }
}

/// The API server's check that a pod has the named container.
fn check_container(p: &Pod, container: &str, pod: &str) -> Result<(), ApiError> {
    let spec = p.spec.clone().unwrap_or_default();
    let exists = spec.containers.iter().chain(spec.init_containers.iter().flatten()).any(|c| c.name == container);
    if exists {
        Ok(())
    } else {
        Err(ApiError::new(400, "BadRequest", format!("container {container} is not valid for pod {pod}")))
    }
}

/// The kubelet's answer to an exec in a container that is not running, as kubectl words it (the client adds
/// `unable to upgrade connection: ` to the kubelet's `container not found ("NAME")`).
fn exec_container_not_found(container: &str) -> ApiError {
    ApiError::new(400, "BadRequest", format!("unable to upgrade connection: container not found (\"{container}\")"))
}

impl Cluster {
    pub fn kubelets(&self) -> &Kubelets {
        &self.kubelets
    }

    /// The runtime view of a pod (containers, logs, filesystems), if a kubelet runs it.
    pub fn pod_run(&self, namespace: &str, name: &str) -> Option<(&str, &PodRun)> {
        let pod = self.store.get(&ObjectKey::new(Kind::Pod, namespace, name))?;
        let uid = pod.metadata().uid.as_deref()?;
        let node = match pod {
            Object::Pod(p) => p.spec.as_ref()?.node_name.as_deref()?,
            _ => return None,
        };
        let agent = self.kubelets.nodes.get(node)?;
        agent.pods.get(uid).map(|run| (node, run))
    }

    /// The log of a container (`previous`: of its last terminated instance), as `pods/log` serves it.
    pub fn container_logs(
        &self,
        namespace: &str,
        pod: &str,
        container: &str,
        previous: bool,
    ) -> Result<Vec<LogLine>, ApiError> {
        let obj = self
            .store
            .get(&ObjectKey::new(Kind::Pod, namespace, pod))
            .ok_or_else(|| ApiError::not_found(Kind::Pod, pod))?;
        let Object::Pod(p) = obj else { return Err(ApiError::not_found(Kind::Pod, pod)) };
        check_container(p, container, pod)?;
        let run = self.pod_run(namespace, pod).map(|(_, r)| r);
        let c = run.and_then(|r| r.container(container));
        if previous {
            return match c {
                Some(c) if c.restart_count > 0 || c.last_terminated.is_some() => Ok(c.previous_logs.clone()),
                _ => Err(ApiError::new(
                    400,
                    "BadRequest",
                    format!("previous terminated container \"{container}\" in pod \"{pod}\" not found"),
                )),
            };
        }
        match c {
            Some(c) if c.container_id.is_some() => Ok(c.logs.clone()),
            _ => {
                let why = match c.map(|c| c.waiting.0.as_str()) {
                    Some("ErrImagePull") | Some("ImagePullBackOff") => "trying and failing to pull image".to_string(),
                    Some(reason) => reason.to_string(),
                    None => "ContainerCreating".to_string(),
                };
                Err(ApiError::new(
                    400,
                    "BadRequest",
                    format!("container \"{container}\" in pod \"{pod}\" is waiting to start: {why}"),
                ))
            }
        }
    }

    /// What `pods/exec` checks before it connects to the container: the pod exists, names `container`, the
    /// container is running and its node answers. Returns the node and the pod's UID.
    pub fn exec_target(&self, namespace: &str, pod: &str, container: &str) -> Result<(String, String), ApiError> {
        let obj = self
            .store
            .get(&ObjectKey::new(Kind::Pod, namespace, pod))
            .ok_or_else(|| ApiError::not_found(Kind::Pod, pod))?;
        let Object::Pod(p) = obj else { return Err(ApiError::not_found(Kind::Pod, pod)) };
        check_container(p, container, pod)?;
        let (node, uid) = match self.pod_run(namespace, pod) {
            Some((node, run)) if run.container(container).is_some_and(|c| c.is_running()) => {
                (node.to_string(), run.uid.clone())
            }
            _ => return Err(exec_container_not_found(container)),
        };
        if !self.machines.get(&node).is_some_and(|m| m.running) {
            return Err(ApiError::new(
                500,
                "InternalError",
                format!(
                    "error dialing backend: dial tcp {}:10250: connect: no route to host",
                    self.machines.get(&node).map(|m| m.plan.internal_ip.clone()).unwrap_or_default()
                ),
            ));
        }
        Ok((node, uid))
    }

    /// `kubectl exec`: runs `argv` in a running container and waits for it (simulated time does not move).
    pub fn exec(
        &mut self,
        namespace: &str,
        pod: &str,
        container: &str,
        argv: &[String],
    ) -> Result<host::ExecResult, ApiError> {
        self.exec_tty(namespace, pod, container, argv, false)
    }

    /// [`Cluster::exec`] with `tty`: whether the command's output goes to a terminal (`kubectl exec -t`), which
    /// programs such as curl notice (no progress meter then).
    pub fn exec_tty(
        &mut self,
        namespace: &str,
        pod: &str,
        container: &str,
        argv: &[String],
        tty: bool,
    ) -> Result<host::ExecResult, ApiError> {
        let (node, uid) = self.exec_target(namespace, pod, container)?;
        let Some(Object::Pod(p)) = self.store.get(&ObjectKey::new(Kind::Pod, namespace, pod)).cloned() else {
            return Err(ApiError::not_found(Kind::Pod, pod));
        };
        let not_found = || exec_container_not_found(container);
        let now = self.clock.now();
        let mut run = self.kubelets.nodes.get_mut(&node).and_then(|a| a.pods.remove(&uid)).ok_or_else(not_found)?;
        let hostname = p.spec.as_ref().and_then(|s| s.hostname.clone()).unwrap_or_else(|| pod.to_string());
        let ip = run.ip.clone().unwrap_or_default();
        let in_init = run.init.iter().position(|c| c.name == container);
        let result = match in_init {
            Some(i) => {
                let mut c = run.init.remove(i);
                let r = host::exec_in(self, &node, &p, &mut run, &mut c, argv, &hostname, &ip, now, None, tty);
                run.init.insert(i, c);
                r
            }
            None => {
                let i = run.containers.iter().position(|c| c.name == container).unwrap_or(0);
                let mut c = run.containers.remove(i);
                let r = host::exec_in(self, &node, &p, &mut run, &mut c, argv, &hostname, &ip, now, None, tty);
                run.containers.insert(i, c);
                r
            }
        };
        self.ensure_agent(&node).pods.insert(uid, run);
        self.record(
            "kubectl",
            Change::Updated,
            &ObjectKey::new(Kind::Pod, namespace, pod),
            &format!("exec in container {container}: {}", argv.join(" ")),
        );
        Ok(result)
    }

    pub(crate) fn ensure_agent(&mut self, node: &str) -> &mut NodeAgent {
        self.kubelets.nodes.entry(node.to_string()).or_default()
    }

    /// The earliest instant some kubelet has something to do.
    pub(crate) fn kubelet_wakeup(&self) -> Option<Millis> {
        let now = self.clock.now();
        self.kubelets
            .wakeups
            .iter()
            .filter(|(t, node, _)| *t > now && self.machines.get(node).is_some_and(|m| m.running))
            .map(|(t, _, _)| *t)
            .next()
    }

    /// One pass of every running kubelet. Like a real kubelet it works from what changed — the pods whose
    /// objects changed since its last pass (the store's watch history) and the pods whose own timers fired —
    /// and rescans everything only on its first pass, after a node boots, or when the history no longer
    /// reaches back far enough.
    pub(crate) fn run_kubelets(&mut self) {
        let now = self.clock.now();
        let running: BTreeSet<String> =
            self.machines.iter().filter(|m| m.running).map(|m| m.plan.name.clone()).collect();
        for node in &running {
            self.ensure_agent(node);
            self.sync_static_pods(node);
        }
        // Which pods to look at: (namespace, name), and the uids of pods whose objects went away.
        let mut keys: BTreeSet<(String, String)> = BTreeSet::new();
        let mut gone: Vec<(String, String)> = Vec::new();
        // ConfigMaps and Secrets that changed: (kind, namespace, name).
        let mut sources: BTreeSet<(Kind, String, String)> = BTreeSet::new();
        let scan_all = {
            let history = if self.kubelets.full_scan { None } else { self.store.changes_since(self.kubelets.seen_rv) };
            match history {
                Some(changes) => {
                    for ch in changes {
                        let kind = ch.object.kind();
                        if matches!(kind, Kind::ConfigMap | Kind::Secret) {
                            sources.insert((kind, ch.object.namespace().to_string(), ch.object.name().to_string()));
                        }
                        if kind != Kind::Pod {
                            continue;
                        }
                        let (ns, name) = (ch.object.namespace().to_string(), ch.object.name().to_string());
                        if ch.kind == crate::store::WatchEventType::Deleted {
                            if let Object::Pod(p) = ch.object.as_ref() {
                                let node = p.spec.as_ref().and_then(|s| s.node_name.clone()).unwrap_or_default();
                                gone.push((node, p.metadata.uid.clone().unwrap_or_default()));
                            }
                        }
                        keys.insert((ns, name));
                    }
                    false
                }
                None => true,
            }
        };
        if scan_all {
            {
                for o in self.store.list(Kind::Pod, None) {
                    keys.insert((o.namespace().to_string(), o.name().to_string()));
                }
                // Runtime records whose pods no longer exist.
                for (node, agent) in &self.kubelets.nodes {
                    for (uid, run) in &agent.pods {
                        let alive = match self.store.get(&ObjectKey::new(Kind::Pod, &run.namespace, &run.name)) {
                            Some(o) => o.metadata().uid.as_deref() == Some(uid.as_str()),
                            None => false,
                        };
                        if !alive {
                            gone.push((node.clone(), uid.clone()));
                        }
                    }
                }
            }
        }
        self.kubelets.full_scan = false;
        if !sources.is_empty() {
            self.queue_volume_syncs(&sources, now);
        }
        // Timers that fired.
        while let Some(first) = self.kubelets.wakeups.first().cloned() {
            if first.0 > now {
                break;
            }
            self.kubelets.wakeups.remove(&first);
            let (_, node, uid) = first;
            if let Some(run) = self.kubelets.nodes.get(&node).and_then(|a| a.pods.get(&uid)) {
                keys.insert((run.namespace.clone(), run.name.clone()));
            }
        }
        for (node, uid) in gone {
            if running.contains(&node) {
                let still_there = self.kubelets.nodes.get(&node).and_then(|a| a.pods.get(&uid)).is_some_and(|run| {
                    self.store
                        .get(&ObjectKey::new(Kind::Pod, &run.namespace, &run.name))
                        .is_some_and(|o| o.metadata().uid.as_deref() == Some(uid.as_str()))
                });
                if !still_there {
                    self.teardown(&node, &uid);
                }
            }
        }
        for (ns, name) in keys {
            let Some(obj) = self.store.get_shared(&ObjectKey::new(Kind::Pod, &ns, &name)) else { continue };
            let Object::Pod(pod) = obj.as_ref() else { continue };
            let Some(node) = pod.spec.as_ref().and_then(|s| s.node_name.clone()) else { continue };
            if !running.contains(&node) {
                continue;
            }
            let uid = pod.metadata.uid.clone().unwrap_or_default();
            self.sync_pod(&node, pod);
            self.schedule_wakeup(&node, &uid);
        }
        // What this pass wrote itself needs no second look.
        self.kubelets.seen_rv = self.store.resource_version();
    }

    /// Pods that mount a changed ConfigMap or Secret (directly or projected) get their volumes rewritten at
    /// their next periodic sync: the next whole `syncFrequency` since their sandbox started.
    fn queue_volume_syncs(&mut self, sources: &BTreeSet<(Kind, String, String)>, now: Millis) {
        let mut due = Vec::new();
        for (node, agent) in &self.kubelets.nodes {
            for (uid, run) in &agent.pods {
                if run.mount_wait.is_some() || run.volume_sync_at.is_some() || run.sandbox_ready_at > now {
                    continue;
                }
                let Some(Object::Pod(pod)) = self.store.get(&ObjectKey::new(Kind::Pod, &run.namespace, &run.name))
                else {
                    continue;
                };
                let uses = |kind: Kind, name: &str| sources.contains(&(kind, run.namespace.clone(), name.to_string()));
                let mounts_changed = pod.spec.iter().flat_map(|s| s.volumes.iter().flatten()).any(|v| {
                    v.config_map.as_ref().is_some_and(|c| uses(Kind::ConfigMap, &c.name))
                        || v.secret
                            .as_ref()
                            .is_some_and(|c| uses(Kind::Secret, c.secret_name.as_deref().unwrap_or_default()))
                        || v.projected.iter().flat_map(|p| p.sources.iter().flatten()).any(|p| {
                            p.config_map.as_ref().is_some_and(|c| uses(Kind::ConfigMap, &c.name))
                                || p.secret.as_ref().is_some_and(|c| uses(Kind::Secret, &c.name))
                        })
                });
                if mounts_changed {
                    let periods = (now - run.sandbox_ready_at) / SYNC_FREQUENCY_MS + 1;
                    due.push((node.clone(), uid.clone(), run.sandbox_ready_at + periods * SYNC_FREQUENCY_MS));
                }
            }
        }
        for (node, uid, at) in due {
            if let Some(run) = self.kubelets.nodes.get_mut(&node).and_then(|a| a.pods.get_mut(&uid)) {
                run.volume_sync_at = Some(at);
            }
            self.kubelets.wakeups.insert((at, node, uid));
        }
    }

    /// A pod whose labels or annotations changed gets its downwardAPI files (plain or projected) rewritten at
    /// its next periodic sync, like configMap volumes (only checked for pods that have such volumes).
    fn queue_downward_sync(&mut self, node: &str, pod: &Pod, run: &mut PodRun, now: Millis) {
        let downward = |v: &k8s_openapi::api::core::v1::Volume| {
            v.downward_api.is_some()
                || v.projected.iter().flat_map(|p| p.sources.iter().flatten()).any(|s| s.downward_api.is_some())
        };
        let volumes: Vec<&k8s_openapi::api::core::v1::Volume> =
            pod.spec.iter().flat_map(|s| s.volumes.iter().flatten()).filter(|v| downward(v)).collect();
        if volumes.is_empty() || run.mount_wait.is_some() || run.volume_sync_at.is_some() || run.sandbox_ready_at > now
        {
            return;
        }
        let fresh = status::volumes_for(self, node, pod, run.ip.as_deref().unwrap_or_default());
        if volumes.iter().any(|v| fresh.get(&v.name) != run.volumes.get(&v.name)) {
            let periods = (now - run.sandbox_ready_at) / SYNC_FREQUENCY_MS + 1;
            run.volume_sync_at = Some(run.sandbox_ready_at + periods * SYNC_FREQUENCY_MS);
        }
    }

    /// Queues the next instant the pod's kubelet has work for it.
    fn schedule_wakeup(&mut self, node: &str, uid: &str) {
        let now = self.clock.now();
        let Some(run) = self.kubelets.nodes.get(node).and_then(|a| a.pods.get(uid)) else { return };
        let next = run
            .all_containers()
            .filter_map(|c| c.wake_at)
            .chain(run.kill_deadline)
            .chain(Some(run.sandbox_ready_at))
            .chain(run.mount_wait.as_ref().map(|w| w.next_try))
            .chain(run.volume_sync_at)
            .filter(|t| *t > now)
            .min();
        if let Some(t) = next {
            self.kubelets.wakeups.insert((t, node.to_string(), uid.to_string()));
        }
    }

    /// After a node boots again its pods' sandboxes are gone: the kubelet re-creates each sandbox and
    /// restarts the containers that were running (their last state shows `Unknown`, exit code 255).
    pub(crate) fn restart_sandboxes(&mut self, node: &str) {
        self.kubelets.full_scan = true;
        let now = self.clock.now();
        let Some(agent) = self.kubelets.nodes.get_mut(node) else { return };
        let mut changed = Vec::new();
        for run in agent.pods.values_mut() {
            let mut any = false;
            for c in run.init.iter_mut().chain(run.containers.iter_mut()) {
                if let container::Stage::Running { started_at } = c.stage {
                    c.process = None;
                    c.ready = false;
                    c.stopping = None;
                    c.current = Some(container::Terminated {
                        exit_code: 255,
                        reason: "Unknown".into(),
                        message: None,
                        started_at,
                        finished_at: now,
                    });
                    c.stage = container::Stage::Exited { at: now };
                    any = true;
                }
            }
            if any {
                run.sandbox_ready_at = now + SANDBOX_MS;
                changed.push((run.namespace.clone(), run.name.clone()));
            }
        }
        for (ns, name) in changed {
            if let Some(pod) = self.store.get(&ObjectKey::new(Kind::Pod, &ns, &name)).cloned() {
                self.emit_event(
                    &pod,
                    "Normal",
                    "SandboxChanged",
                    "Pod sandbox changed, it will be killed and re-created.",
                    &crate::recorder::Reporter::kubelet(node),
                );
            }
        }
    }

    fn teardown(&mut self, node: &str, uid: &str) {
        let agent = self.ensure_agent(node);
        if let Some(run) = agent.pods.remove(uid) {
            if let Some(host) = run.ip.as_deref().and_then(|ip| ip.rsplit('.').next()).and_then(|h| h.parse().ok()) {
                agent.ips_in_use.remove(&host);
            }
            let key = ObjectKey::new(Kind::Pod, &run.namespace, &run.name);
            self.record("kubelet", Change::Updated, &key, &format!("{node}: sandbox removed, pod IP released"));
            for claim in &run.claims {
                let ckey = ObjectKey::new(Kind::PersistentVolumeClaim, &run.namespace, claim);
                let why = format!("unmounted from pod {} on {node} (sandbox removed)", run.name);
                self.record(&format!("kubelet/{node}"), Change::Updated, &ckey, &why);
            }
        }
    }

    /// Allocates the next free address of the node's /24 after the last one handed out (host-local's
    /// round-robin), skipping `.0`, the bridge's `.1` and the broadcast address.
    fn allocate_ip(&mut self, node: &str) -> Option<String> {
        let cidr = self.machines.get(node).map(|m| m.plan.pod_cidr.clone())?;
        let prefix = cidr.strip_suffix(".0/24")?.to_string();
        let agent = self.ensure_agent(node);
        let mut candidate = agent.last_ip;
        for _ in 0..254 {
            candidate = if !(2..254).contains(&candidate) { 2 } else { candidate + 1 };
            if !agent.ips_in_use.contains(&candidate) {
                agent.ips_in_use.insert(candidate);
                agent.last_ip = candidate;
                return Some(format!("{prefix}.{candidate}"));
            }
        }
        None
    }

    fn sync_pod(&mut self, node: &str, pod: &Pod) {
        let uid = pod.metadata.uid.clone().unwrap_or_default();
        let now = self.clock.now();
        let phase = pod.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default();
        let known = self.kubelets.nodes[node].pods.contains_key(&uid);
        if !known {
            if phase == "Succeeded" || phase == "Failed" {
                return;
            }
            if pod.metadata.deletion_timestamp.is_some() {
                // Never started here: nothing to stop.
                self.finish_deletion(pod);
                return;
            }
            let host_network = pod.spec.as_ref().and_then(|s| s.host_network).unwrap_or(false);
            let ip = if host_network {
                self.machines.get(node).map(|m| m.plan.internal_ip.clone())
            } else {
                self.allocate_ip(node)
            };
            let run = container::admit(self, node, pod, ip, now);
            self.record(
                "kubelet",
                Change::Updated,
                &ObjectKey::new(Kind::Pod, run.namespace.as_str(), run.name.as_str()),
                &format!("{node}: pod admitted; sandbox created"),
            );
            self.ensure_agent(node).pods.insert(uid.clone(), run);
        }
        let Some(mut run) = self.ensure_agent(node).pods.remove(&uid) else { return };
        self.queue_downward_sync(node, pod, &mut run, now);
        container::advance(self, node, pod, &mut run);
        let deleting = pod.metadata.deletion_timestamp.is_some();
        let stopped = run.all_containers().all(|c| !c.is_running());
        let terminal_phase = status::phase(pod, &run);
        self.write_status(pod, &mut run);
        if deleting && stopped {
            self.ensure_agent(node).pods.insert(uid.clone(), run);
            self.finish_deletion(pod);
            self.teardown(node, &uid);
            return;
        }
        if matches!(terminal_phase.as_str(), "Succeeded" | "Failed") {
            // A finished pod keeps its record (logs) but its sandbox goes; its IP returns to the pool.
            if let Some(host) = run.ip.as_deref().and_then(|ip| ip.rsplit('.').next()).and_then(|h| h.parse().ok()) {
                if !pod.spec.as_ref().and_then(|s| s.host_network).unwrap_or(false) {
                    self.ensure_agent(node).ips_in_use.remove(&host);
                }
            }
        }
        self.ensure_agent(node).pods.insert(uid, run);
    }

    /// The kubelet's final delete (grace period 0) once every container of a terminating pod has stopped.
    fn finish_deletion(&mut self, pod: &Pod) {
        let key = ObjectKey::new(
            Kind::Pod,
            pod.metadata.namespace.as_deref().unwrap_or_default(),
            pod.metadata.name.as_deref().unwrap_or_default(),
        );
        let Some(current) = self.store.get(&key).cloned() else { return };
        if current.metadata().finalizers.as_ref().is_some_and(|f| !f.is_empty()) {
            // The apiserver keeps the object until its finalizers go, now with grace period 0.
            if current.metadata().deletion_grace_period_seconds != Some(0) {
                let mut obj = current;
                obj.metadata_mut().deletion_grace_period_seconds = Some(0);
                self.store.replace(obj);
                self.record("kubelet", Change::Updated, &key, "all containers stopped; waiting for finalizers");
            }
            return;
        }
        self.store.remove(&key);
        self.record(
            "kubelet",
            Change::Deleted,
            &key,
            "all containers stopped; the kubelet deleted the pod (grace period 0)",
        );
    }

    fn write_status(&mut self, pod: &Pod, run: &mut PodRun) {
        let now = self.clock.now();
        let new_status = status::build(self, pod, run, now);
        let key = ObjectKey::new(Kind::Pod, &run.namespace, &run.name);
        let Some(Object::Pod(current)) = self.store.get(&key) else { return };
        if current.status.as_ref() == Some(&new_status) {
            return;
        }
        let mut updated = (**current).clone();
        let was = updated.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default();
        let phase = new_status.phase.clone().unwrap_or_default();
        updated.status = Some(new_status);
        self.store.replace(Object::from(updated));
        let why = if was != phase { format!("status: phase {was} → {phase}") } else { "status updated".to_string() };
        self.record("kubelet", Change::Updated, &key, &why);
    }
}
