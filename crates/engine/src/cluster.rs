//! The simulated cluster: store, clock, RNG and event log, advanced one phase at a time.
//!
//! [`Cluster`] is the only owner of mutable cluster state. Time moves only through [`Cluster::step`]; every
//! random choice draws from the one seeded [`Rng`]. Phase order of a step (grows as components arrive):
//! 1. the clock advances.

use k8s_openapi::api::core::v1::{Namespace, NamespaceStatus, Node};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::clock::{Clock, Millis};
use crate::error::ApiError;
use crate::event_log::{Change, EventLog, LogEntry};
use crate::machines::{Machine, Machines};
use crate::object::{Kind, Object};
use crate::rng::Rng;
use crate::store::{ObjectKey, Store};
use crate::topology::{default_nodes, node_object, plan_node, NodeRole};

/// Namespaces a kubeadm cluster with Flannel has from the start (CONTRACT §3).
pub const SYSTEM_NAMESPACES: &[&str] = &["default", "kube-flannel", "kube-node-lease", "kube-public", "kube-system"];

pub struct Cluster {
    pub(crate) seed: u64,
    pub(crate) clock: Clock,
    pub(crate) rng: Rng,
    pub(crate) store: Store,
    pub(crate) log: EventLog,
    pub(crate) machines: Machines,
    pub(crate) scheduler: crate::scheduler::component::SchedulerState,
    pub(crate) kubelets: crate::kubelet::Kubelets,
    /// The event recorder's correlation index: (namespace, object uid, reason, message, source) → Event name.
    pub(crate) event_index: std::collections::BTreeMap<(String, String, String, String, String), String>,
    /// The workload controllers' memory between syncs (retry back-off).
    pub(crate) workloads: crate::controllers::WorkloadState,
    /// DaemonSet/StatefulSet controller state the API does not hold (revisions, the pod GC's quarantine).
    pub(crate) apps: crate::controllers::revisions::AppsState,
    /// True while the default cluster is being built: what runs at time 0 has been running since before the
    /// session began (no sandbox delay for its pods).
    pub(crate) booting: bool,
    /// Field ownership bookkeeping (`apiserver::managed`): true while `handle` runs (the API layer records
    /// managedFields itself), and the last store version whose managedFields were recorded.
    pub(crate) fields: crate::apiserver::FieldTracking,
    /// Who may lead kube-scheduler and kube-controller-manager (`controllers::leader_election`).
    pub(crate) leaders: crate::controllers::leader_election::LeaderElection,
    pub(crate) apiserver_identities: crate::controllers::apiserver_identity::ApiServerIdentities,
    /// The network's own state: endpoint controllers' memory, its side stream of random numbers, traces.
    pub(crate) network: crate::network::NetworkState,
    /// The PV controller's and the minikube provisioner's memory (`controllers::volumes`).
    pub(crate) volumes: crate::controllers::volumes::VolumeState,
}

impl Cluster {
    /// The default cluster of CONTRACT §3, running at simulated time 0.
    pub fn new(seed: u64) -> Cluster {
        let mut cluster = Cluster {
            seed,
            clock: Clock::default(),
            rng: Rng::new(seed),
            store: Store::default(),
            log: EventLog::default(),
            machines: Machines::default(),
            scheduler: Default::default(),
            kubelets: Default::default(),
            event_index: Default::default(),
            workloads: Default::default(),
            apps: Default::default(),
            booting: true,
            fields: Default::default(),
            leaders: crate::controllers::leader_election::LeaderElection::new(seed),
            apiserver_identities: crate::controllers::apiserver_identity::ApiServerIdentities::new(seed),
            network: crate::network::NetworkState::new(seed),
            volumes: crate::controllers::volumes::VolumeState::new(seed),
        };
        for name in SYSTEM_NAMESPACES {
            let ns = Namespace {
                metadata: ObjectMeta {
                    name: Some(name.to_string()),
                    labels: Some([("kubernetes.io/metadata.name".to_string(), name.to_string())].into()),
                    ..Default::default()
                },
                status: Some(NamespaceStatus { phase: Some("Active".into()), ..Default::default() }),
                ..Default::default()
            };
            cluster
                .create("kubeadm", ns.into(), "created at cluster bootstrap")
                .expect("bootstrap namespaces are distinct");
        }
        for plan in default_nodes() {
            cluster.machines.added += 1;
            cluster
                .machines
                .by_name
                .insert(plan.name.clone(), Machine { plan: plan.clone(), running: true, stopped_at: None });
            cluster.preload_images(&plan.name, plan.role);
            let node = node_object(&plan, 0, &mut cluster.rng);
            cluster
                .create("kubelet", node.into(), "kubelet registered its node")
                .expect("bootstrap nodes are distinct");
        }
        cluster.install_addons();
        cluster.install_node_addons();
        cluster.settle();
        cluster.install_storage_class();
        cluster.install_storage_provisioner();
        cluster.booting = false;
        cluster
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    pub fn now(&self) -> Millis {
        self.clock.now()
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn log(&self) -> &EventLog {
        &self.log
    }

    /// Advances simulated time by `ms`, running every component's phase in the fixed order above.
    ///
    /// Time moves from one wake-up to the next (a grace period running out, a timer firing), so that
    /// everything happens at its own simulated instant however long the step is.
    pub fn step(&mut self, ms: Millis) {
        let target = self.clock.now().saturating_add(ms);
        // Each pass either reaches the target or passes a wake-up, which the settle consumes; the bound only
        // guards against a component that keeps asking to be woken at the same instant.
        for _ in 0..100_000 {
            let now = self.clock.now();
            let next = self.next_wakeup().filter(|t| *t > now && *t < target).unwrap_or(target);
            self.clock.advance(next - now);
            self.settle();
            if next >= target {
                return;
            }
        }
        self.clock.advance(target - self.clock.now());
        self.settle();
    }

    /// Advances time to the next instant at which some component acts (at most `limit` ms): what a client
    /// waiting for a change (`kubectl wait`, `kubectl delete --wait`) lets pass before it looks again.
    pub fn step_to_next_change(&mut self, limit: Millis) {
        let now = self.clock.now();
        let next = self.next_wakeup().filter(|t| *t > now).map_or(limit, |t| (t - now).min(limit));
        self.step(next.max(1));
    }

    /// The earliest future instant at which some component has something to do on its own.
    /// Components without a leader have nothing to do on their own; an instant already past (a stopped
    /// node's grace period) is no wake-up.
    fn next_wakeup(&self) -> Option<Millis> {
        use crate::controllers::leader_election::Component;
        let now = self.clock.now();
        let controllers = self.leads(Component::ControllerManager);
        let scheduler = self.leads(Component::Scheduler);
        [
            self.node_status_wakeup().filter(|_| controllers),
            self.kubelet_wakeup(),
            self.scheduler_wakeup().filter(|_| scheduler),
            self.job_wakeup().filter(|_| controllers),
            self.cron_job_wakeup().filter(|_| controllers),
            self.taint_eviction_wakeup().filter(|_| controllers),
            self.replica_set_wakeup().filter(|_| controllers),
            self.deployment_wakeup().filter(|_| controllers),
            self.apps_wakeup().filter(|_| controllers),
            self.disruption_wakeup().filter(|_| controllers),
            self.volume_wakeup().filter(|_| controllers),
            self.leader_election_wakeup(),
        ]
        .into_iter()
        .flatten()
        .filter(|t| *t > now)
        .min()
    }

    /// The images a node's container store holds when it joins (see `kubelet::static_pods::preloaded_images`),
    /// and the machine image's `/tmp` (mode 1777; the storage-provisioner pod mounts it).
    fn preload_images(&mut self, node: &str, role: NodeRole) {
        let agent = self.ensure_agent(node);
        agent.images.extend(crate::kubelet::static_pods::preloaded_images(role));
        crate::kubelet::volumes::make_dir(&mut agent.host_fs, "/tmp", 0o1777);
    }

    pub fn machines(&self) -> &Machines {
        &self.machines
    }

    /// `minikube node stop`: the machine halts. Its kubelet stops posting status (the node turns `Unknown`
    /// after the grace period) and, on a control-plane node, its etcd member and API server stop.
    pub fn stop_node(&mut self, name: &str) -> Result<(), String> {
        let now = self.clock.now();
        let m = self
            .machines
            .by_name
            .get_mut(name)
            .ok_or_else(|| format!("retrieving node: Could not find node {name}"))?;
        if m.running {
            m.running = false;
            m.stopped_at = Some(now);
            self.leaders.forget(name);
            self.record_machine(name, "the machine was stopped (minikube node stop)");
        }
        Ok(())
    }

    /// `minikube node start`: the machine boots and its kubelet posts Ready again.
    pub fn start_node(&mut self, name: &str) -> Result<(), String> {
        let m = self
            .machines
            .by_name
            .get_mut(name)
            .ok_or_else(|| format!("retrieving node: Could not find node {name}"))?;
        if !m.running {
            m.running = true;
            m.stopped_at = None;
            self.record_machine(name, "the machine was started (minikube node start)");
            self.restart_sandboxes(name);
        }
        self.settle();
        Ok(())
    }

    /// `minikube node add [--control-plane]`: a new machine joins with the next free IP and podCIDR.
    pub fn add_node(&mut self, role: NodeRole) -> Result<String, String> {
        let name = self.join_node(role)?;
        self.settle();
        Ok(name)
    }

    /// `count` machines join at once (benchmarks and large classroom clusters); the controllers settle once.
    pub fn add_nodes(&mut self, role: NodeRole, count: usize) -> Result<Vec<String>, String> {
        let mut from = 1;
        let mut names = Vec::with_capacity(count);
        for _ in 0..count {
            let (name, n) = self.machines.next_name_from(role, from);
            from = n + 1;
            names.push(self.join_named_node(role, name)?);
        }
        self.settle();
        Ok(names)
    }

    fn join_node(&mut self, role: NodeRole) -> Result<String, String> {
        let name = self.machines.next_name(role);
        self.join_named_node(role, name)
    }

    fn join_named_node(&mut self, role: NodeRole, name: String) -> Result<String, String> {
        let plan = plan_node(&name, role, self.machines.added);
        self.machines.added += 1;
        self.machines.by_name.insert(name.clone(), Machine { plan: plan.clone(), running: true, stopped_at: None });
        self.preload_images(&name, role);
        // The new kubelet looks at every pod: some may already be bound to its node's name.
        self.kubelets.full_scan = true;
        let node = node_object(&plan, self.clock.now(), &mut self.rng);
        self.create("kubelet", node.into(), "kubelet registered its node").map_err(|e| e.message)?;
        Ok(name)
    }

    /// `minikube node delete`: the machine and its Node object go away.
    pub fn delete_node(&mut self, name: &str) -> Result<(), String> {
        if self.machines.by_name.remove(name).is_none() {
            return Err(format!("retrieving node: Could not find node {name}"));
        }
        self.kubelets.nodes.remove(name);
        self.leaders.forget(name);
        let key = ObjectKey::new(Kind::Node, "", name);
        if self.store.remove(&key).is_some() {
            self.record(
                "minikube",
                Change::Deleted,
                &key,
                "the node was removed from the cluster (minikube node delete)",
            );
        }
        self.settle();
        Ok(())
    }

    fn record_machine(&mut self, name: &str, reason: &str) {
        let key = ObjectKey::new(Kind::Node, "", name);
        self.record("minikube", Change::Updated, &key, reason);
    }

    pub fn get(&self, kind: Kind, namespace: &str, name: &str) -> Result<&Object, ApiError> {
        self.store.get(&ObjectKey::new(kind, namespace, name)).ok_or_else(|| ApiError::not_found(kind, name))
    }

    pub fn nodes(&self) -> impl Iterator<Item = &Node> {
        self.store.list(Kind::Node, None).filter_map(Object::as_node)
    }

    /// Creates an object on behalf of `actor`, recording it in the event log.
    pub fn create(&mut self, actor: &str, obj: Object, reason: &str) -> Result<&Object, ApiError> {
        let now = self.clock.now();
        let key = ObjectKey::of(&obj);
        self.store.create(obj, now, &mut self.rng)?;
        self.log.record(LogEntry {
            seq: 0,
            at_ms: now,
            actor: actor.to_string(),
            change: Change::Created,
            kind: key.kind,
            namespace: key.namespace.clone(),
            name: key.name.clone(),
            reason: reason.to_string(),
        });
        self.track_fields(actor, &key);
        Ok(self.store.get(&key).expect("just created"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_cluster_has_five_ready_nodes_at_time_zero() {
        let cluster = Cluster::new(0);
        assert_eq!(cluster.now(), 0);
        let names: Vec<_> = cluster.nodes().map(|n| n.metadata.name.clone().unwrap()).collect();
        assert_eq!(names, ["control-plane-1", "control-plane-2", "control-plane-3", "worker-1", "worker-2"]);
        assert_eq!(cluster.store().list(Kind::Namespace, None).count(), SYSTEM_NAMESPACES.len());
    }

    #[test]
    fn the_same_seed_builds_the_same_cluster() {
        let a = Cluster::new(9);
        let b = Cluster::new(9);
        let json = |c: &Cluster| c.nodes().map(|n| serde_json::to_string(n).unwrap()).collect::<Vec<_>>();
        assert_eq!(json(&a), json(&b));
        assert_ne!(json(&a), json(&Cluster::new(10)));
    }

    #[test]
    fn every_bootstrap_object_is_in_the_log() {
        let cluster = Cluster::new(0);
        let entries = cluster.log().entries();
        assert!(entries.iter().all(|e| e.at_ms == 0));
        // Namespaces and nodes first, in order.
        assert_eq!(entries[SYSTEM_NAMESPACES.len() + 4].name, "worker-2");
        // Every stored object was created in the log: leases, ServiceAccounts, root CAs, static pods, events.
        for obj in cluster.store().all() {
            assert!(
                entries.iter().any(|e| e.change == Change::Created && e.kind == obj.kind() && e.name == obj.name()),
                "{:?} {} has no creation entry",
                obj.kind(),
                obj.name()
            );
        }
        // The kubelets run the static control-plane pods and kube-proxy's daemon pods from time 0.
        let running = cluster
            .store()
            .list(Kind::Pod, Some("kube-system"))
            .filter(|p| p.to_json()["status"]["phase"] == "Running")
            .count();
        // The static control-plane pods, the two CoreDNS replicas, kube-proxy on every node (Flannel runs in
        // its own namespace) and minikube's storage-provisioner.
        assert_eq!(running, 12 + 2 + 5 + 1);
        assert_eq!(cluster.log().since(entries.len() as u64 - 2).len(), 1);
    }

    #[test]
    fn step_moves_only_simulated_time() {
        let mut cluster = Cluster::new(0);
        cluster.step(2500);
        assert_eq!(cluster.now(), 2500);
        assert!(cluster.get(Kind::Node, "", "worker-1").is_ok());
        assert_eq!(
            cluster.get(Kind::Node, "", "worker-9").unwrap_err().to_string(),
            "Error from server (NotFound): nodes \"worker-9\" not found"
        );
    }
}
