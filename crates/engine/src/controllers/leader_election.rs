//! Leader election of kube-scheduler and kube-controller-manager (client-go `tools/leaderelection` with a
//! `LeaseLock`). Every control-plane node runs both as static pods, but only the instance holding the Lease
//! `kube-system/kube-scheduler` (`kube-system/kube-controller-manager`) works; the others wait as candidates.
//!
//! What the real package does, with the components' defaults (`--leader-elect-lease-duration=15s`,
//! `--leader-elect-renew-deadline=10s`, `--leader-elect-retry-period=2s`):
//! - The identity is `<hostname>_<uuid>`, a new uuid per process start (`makeLeaderElectionConfig`).
//! - `tryAcquireOrRenew` writes `holderIdentity`, `leaseDurationSeconds`, `acquireTime` (kept while the holder
//!   renews), `renewTime` and `leaseTransitions` (+1 when the holder changes) (`LeaderElectionRecordToLeaseSpec`).
//! - The leader renews every retry period (2 s). A candidate takes the lease once it has seen no change for
//!   `leaseDurationSeconds`, and then records the Event `LeaderElection` `<identity> became leader` about the
//!   Lease (`LeaseLock.RecordEvent`), from `default-scheduler` or `kube-controller-manager`.
//!
//! Simplifications (documented, not invented): renewals are written lazily, like the kubelet's node leases —
//! whenever the controllers run, `renewTime` is set to the latest 2 s tick since the last renewal (capped at
//! the instant the holder's machine stopped), so a long `sleep` does not stop every two simulated seconds and
//! the store is not written between commands. A candidate takes an expired lease exactly at `renewTime + 15 s`
//! (a real one notices on its next jittered 2–4.4 s retry, so real failovers take 15–20 s). Which candidate wins
//! is drawn from a side random stream. Renewals failing while etcd has no quorum (a real leader then exits
//! after its 10 s renew deadline and its static pod restarts) are not simulated.

use std::collections::BTreeMap;

use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};

use crate::clock::{api_time, sim_millis, Millis};
use crate::cluster::Cluster;
use crate::event_log::Change;
use crate::object::{Kind, Object};
use crate::recorder::Reporter;
use crate::rng::Rng;
use crate::store::ObjectKey;
use crate::topology::NodeRole;

/// `--leader-elect-lease-duration` of both components.
pub const LEASE_DURATION_MS: Millis = 15_000;
/// `--leader-elect-retry-period`: how often the leader renews.
pub const RETRY_PERIOD_MS: Millis = 2_000;
pub const LEADER_ELECTION_NAMESPACE: &str = "kube-system";

/// The two components that elect a leader, with the event source their leader election records under
/// (the scheduler's is its profile's `schedulerName`).
pub const COMPONENTS: [(Component, &str, &str); 2] = [
    (Component::Scheduler, "kube-scheduler", "default-scheduler"),
    (Component::ControllerManager, "kube-controller-manager", "kube-controller-manager"),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Component {
    Scheduler,
    ControllerManager,
}

impl Component {
    /// The Lease's name (`kube-scheduler`, `kube-controller-manager`).
    pub fn lease_name(self) -> &'static str {
        COMPONENTS.iter().find(|c| c.0 == self).map(|c| c.1).unwrap_or_default()
    }

    fn event_source(self) -> &'static str {
        COMPONENTS.iter().find(|c| c.0 == self).map(|c| c.2).unwrap_or_default()
    }
}

/// Who may lead: the identity of each component's process on each running control-plane node.
#[derive(Clone, Debug)]
pub struct LeaderElection {
    /// (component, node) → identity of the running process.
    identities: BTreeMap<(Component, String), String>,
    /// The last identity that held each lease (to recreate a deleted lease as its holder would).
    holders: BTreeMap<Component, String>,
    /// Which component has a working leader after the last election pass.
    active: BTreeMap<Component, bool>,
    /// A side stream for identities, uids and the winner of a failover, so that leader election does not
    /// shift the names every other component draws from the cluster's RNG.
    rng: Rng,
}

impl LeaderElection {
    /// The side stream is seeded from the session seed, so another seed elects other identities.
    pub(crate) fn new(seed: u64) -> Self {
        LeaderElection {
            identities: BTreeMap::new(),
            holders: BTreeMap::new(),
            active: BTreeMap::new(),
            rng: Rng::new(seed ^ 0x1ea5_e1ec_7104_0000),
        }
    }
}

impl LeaderElection {
    /// The node's machine stopped or went away: its processes are gone (a restart brings new identities).
    pub(crate) fn forget(&mut self, node: &str) {
        self.identities.retain(|(_, n), _| n != node);
    }
}

/// The latest renewal a holder that renews every [`RETRY_PERIOD_MS`] since `last` has made by `until`.
///
/// Worked examples: last 0, until 7 000 → 6 000; last 6 000, until 7 999 → 6 000; last 6 000, until 8 000 →
/// 8 000.
pub fn latest_renewal(last: Millis, until: Millis) -> Millis {
    if until <= last {
        return last;
    }
    last + (until - last) / RETRY_PERIOD_MS * RETRY_PERIOD_MS
}

/// When a candidate may take a lease whose holder stopped renewing: `leaseDurationSeconds` after the last
/// renewal. Example: renewed at 6 000 with 15 s → 21 000.
pub fn expiry(last_renewal: Millis, lease_duration_seconds: i32) -> Millis {
    last_renewal + u64::try_from(lease_duration_seconds.max(0)).unwrap_or(0) * 1000
}

/// The node a `<hostname>_<uuid>` identity runs on.
pub fn identity_node(identity: &str) -> &str {
    identity.rsplit_once('_').map_or(identity, |(host, _)| host)
}

fn micro(ms: Millis) -> MicroTime {
    MicroTime(api_time(ms).0)
}

fn micro_millis(t: &Option<MicroTime>) -> Millis {
    t.as_ref().map(|t| sim_millis(&t.0.into())).unwrap_or(0)
}

impl Cluster {
    /// The node whose `component` currently leads, if any instance does.
    pub fn leader(&self, component: Component) -> Option<String> {
        if !self.leaders.active.get(&component).copied().unwrap_or(false) {
            return None;
        }
        let key = ObjectKey::new(Kind::Lease, LEADER_ELECTION_NAMESPACE, component.lease_name());
        match self.store.get(&key) {
            Some(Object::Lease(l)) => {
                l.spec.as_ref().and_then(|s| s.holder_identity.as_deref()).map(|i| identity_node(i).to_string())
            }
            _ => None,
        }
    }

    /// Whether `component` has a leader working right now (decided by the last [`Cluster::elect_leaders`]).
    pub(crate) fn leads(&self, component: Component) -> bool {
        self.leaders.active.get(&component).copied().unwrap_or(false)
    }

    /// When a lease whose holder is gone expires and a candidate takes it.
    pub(crate) fn leader_election_wakeup(&self) -> Option<Millis> {
        let has_candidate = self.machines.iter().any(|m| m.running && m.plan.role == NodeRole::ControlPlane);
        if !has_candidate {
            return None;
        }
        COMPONENTS
            .iter()
            .filter(|c| !self.leads(c.0))
            .filter_map(|c| {
                let key = ObjectKey::new(Kind::Lease, LEADER_ELECTION_NAMESPACE, c.1);
                let Some(Object::Lease(l)) = self.store.get(&key) else { return None };
                let spec = l.spec.as_ref()?;
                let last = self.final_renewal(spec);
                Some(expiry(last, spec.lease_duration_seconds.unwrap_or(15)))
            })
            .min()
    }

    /// The renewal a holder that is no longer running had made before it stopped.
    fn final_renewal(&self, spec: &LeaseSpec) -> Millis {
        let last = micro_millis(&spec.renew_time);
        let node = spec.holder_identity.as_deref().map(identity_node).unwrap_or_default();
        match self.machines.get(node).and_then(|m| m.stopped_at) {
            Some(stopped) => latest_renewal(last, stopped),
            None => last,
        }
    }

    /// One pass of every candidate's and leader's `tryAcquireOrRenew`: processes on stopped nodes are gone,
    /// new ones get an identity, leaders renew, and an expired lease goes to a candidate.
    pub(crate) fn elect_leaders(&mut self) {
        let now = self.clock.now();
        let running = self.machines.running_control_planes();
        self.leaders.identities.retain(|(_, node), _| running.contains(node));
        for (component, _, _) in COMPONENTS {
            for node in &running {
                if !self.leaders.identities.contains_key(&(component, node.clone())) {
                    let id = format!("{node}_{}", self.leaders.rng.uuid());
                    self.leaders.identities.insert((component, node.clone()), id);
                }
            }
        }
        for (component, name, _) in COMPONENTS {
            let active = self.elect(component, name, now, &running);
            self.leaders.active.insert(component, active);
        }
    }

    fn elect(&mut self, component: Component, name: &str, now: Millis, running: &[String]) -> bool {
        let key = ObjectKey::new(Kind::Lease, LEADER_ELECTION_NAMESPACE, name);
        let live: Vec<String> =
            running.iter().filter_map(|n| self.leaders.identities.get(&(component, n.clone())).cloned()).collect();
        let lease = match self.store.get(&key) {
            Some(Object::Lease(l)) => Some(l.as_ref().clone()),
            _ => None,
        };
        let Some(mut lease) = lease else {
            // No lease: the previous holder recreates it on its next renewal; otherwise the first candidate
            // to try creates it and becomes leader.
            let previous = self.leaders.holders.get(&component).filter(|h| live.contains(h)).cloned();
            let (identity, became) = match previous {
                Some(h) => (h, false),
                // While kubeadm builds the cluster the first control-plane node's components start first.
                None if self.booting => match live.first() {
                    Some(c) => (c.clone(), true),
                    None => return false,
                },
                None => match self.pick_candidate(&live) {
                    Some(c) => (c, true),
                    None => return false,
                },
            };
            let uid = self.leaders.rng.uuid();
            let lease = Lease {
                metadata: ObjectMeta {
                    name: Some(name.to_string()),
                    namespace: Some(LEADER_ELECTION_NAMESPACE.into()),
                    uid: Some(uid),
                    ..Default::default()
                },
                spec: Some(LeaseSpec {
                    holder_identity: Some(identity.clone()),
                    lease_duration_seconds: Some((LEASE_DURATION_MS / 1000) as i32),
                    acquire_time: Some(micro(now)),
                    renew_time: Some(micro(now)),
                    lease_transitions: Some(0),
                    ..Default::default()
                }),
            };
            let reason = if became {
                format!("{identity} became leader: no {name} lease existed, so the first candidate created it")
            } else {
                format!("{identity} recreated its {name} lease, which had been deleted")
            };
            let actor = component.event_source();
            let stored = match self.create(actor, Object::from(lease), &reason) {
                Ok(o) => o.clone(),
                Err(_) => return false,
            };
            self.leaders.holders.insert(component, identity.clone());
            if became {
                self.leader_event(component, &stored, &identity);
            }
            return true;
        };
        let spec = lease.spec.get_or_insert_with(Default::default);
        let holder = spec.holder_identity.clone().unwrap_or_default();
        if !holder.is_empty() && live.contains(&holder) {
            // The leader renews every retry period.
            let last = micro_millis(&spec.renew_time);
            let renewed = latest_renewal(last, now);
            if renewed > last {
                spec.renew_time = Some(micro(renewed));
                self.store.replace(Object::from(lease));
            }
            self.leaders.holders.insert(component, holder);
            return true;
        }
        // The holder is gone (its machine stopped or was deleted) or the lease is empty: what it renewed
        // last shows, and once that is older than the lease duration a candidate takes over.
        let last = micro_millis(&spec.renew_time);
        let final_renewal = self.final_renewal(spec);
        let expires = expiry(final_renewal, spec.lease_duration_seconds.unwrap_or(15));
        if !holder.is_empty() && now < expires {
            if final_renewal > last {
                spec.renew_time = Some(micro(final_renewal));
                self.store.replace(Object::from(lease));
            }
            return false;
        }
        let Some(identity) = self.pick_candidate(&live) else { return false };
        let transitions = spec.lease_transitions.unwrap_or(0);
        *spec = LeaseSpec {
            holder_identity: Some(identity.clone()),
            lease_duration_seconds: Some((LEASE_DURATION_MS / 1000) as i32),
            acquire_time: Some(micro(now)),
            renew_time: Some(micro(now)),
            lease_transitions: Some(if holder == identity { transitions } else { transitions + 1 }),
            ..Default::default()
        };
        let stored = self.store.replace(Object::from(lease)).clone();
        let reason = if holder.is_empty() {
            format!("{identity} became leader: the lease had no holder")
        } else {
            format!(
                "{identity} became leader: {holder} stopped renewing (its node {} is down) and the lease expired \
                 {} s after its last renewal",
                identity_node(&holder),
                (expires - final_renewal) / 1000
            )
        };
        self.record(component.event_source(), Change::Updated, &key, &reason);
        self.leaders.holders.insert(component, identity.clone());
        self.leader_event(component, &stored, &identity);
        true
    }

    fn pick_candidate(&mut self, live: &[String]) -> Option<String> {
        match live.len() {
            0 => None,
            1 => Some(live[0].clone()),
            n => Some(live[self.leaders.rng.below(n as u64) as usize].clone()),
        }
    }

    /// `LeaseLock.RecordEvent("became leader")`. The Event's uid comes from the side stream too.
    fn leader_event(&mut self, component: Component, lease: &Object, identity: &str) {
        let side = std::mem::replace(&mut self.rng, self.leaders.rng.clone());
        self.emit_event(
            lease,
            "Normal",
            "LeaderElection",
            &format!("{identity} became leader"),
            &Reporter::component(component.event_source()),
        );
        self.leaders.rng = std::mem::replace(&mut self.rng, side);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renewals_fall_on_retry_ticks() {
        for (last, until, want) in
            [(0, 7_000, 6_000), (6_000, 7_999, 6_000), (6_000, 8_000, 8_000), (5_000, 4_000, 5_000)]
        {
            assert_eq!(latest_renewal(last, until), want, "{last} {until}");
        }
        assert_eq!(expiry(6_000, 15), 21_000);
        assert_eq!(identity_node("control-plane-2_0b1c-4d"), "control-plane-2");
    }

    #[test]
    fn the_first_control_plane_leads_from_time_zero() {
        let c = Cluster::new(0);
        assert_eq!(c.leader(Component::Scheduler).as_deref(), Some("control-plane-1"));
        assert_eq!(c.leader(Component::ControllerManager).as_deref(), Some("control-plane-1"));
        let Some(Object::Lease(l)) = c.store().get(&ObjectKey::new(Kind::Lease, "kube-system", "kube-scheduler"))
        else {
            panic!("no lease")
        };
        let spec = l.spec.as_ref().unwrap();
        assert!(spec.holder_identity.as_deref().unwrap().starts_with("control-plane-1_"));
        assert_eq!(spec.lease_duration_seconds, Some(15));
    }

    #[test]
    fn a_stopped_leader_is_replaced_after_the_lease_duration() {
        let mut c = Cluster::new(0);
        c.step(5_000);
        c.stop_node("control-plane-1").unwrap();
        c.step(1_000);
        assert_eq!(c.leader(Component::Scheduler), None);
        // Last renewal at 4 s: the lease expires at 19 s.
        c.step(12_999);
        assert_eq!(c.now(), 18_999);
        assert_eq!(c.leader(Component::Scheduler), None);
        c.step(1);
        let leader = c.leader(Component::Scheduler).expect("a candidate took over");
        assert_ne!(leader, "control-plane-1");
        let Some(Object::Lease(l)) = c.store().get(&ObjectKey::new(Kind::Lease, "kube-system", "kube-scheduler"))
        else {
            panic!("no lease")
        };
        assert_eq!(l.spec.as_ref().unwrap().lease_transitions, Some(1));
        // The old leader comes back as a candidate and stays one.
        c.start_node("control-plane-1").unwrap();
        c.step(30_000);
        assert_eq!(c.leader(Component::Scheduler), Some(leader));
    }
}
