//! The cluster's controllers. Each is a level-triggered reconciler: it reads the store, compares what is with
//! what should be, and writes through the API server (`Cluster::handle`) like any client. Controllers never
//! call each other; they meet only in the store, which is also what the event log shows a learner.
//!
//! [`Cluster::settle`] runs them in a fixed order until nothing changes, without moving the clock: work a real
//! cluster does within milliseconds of a write is done before the next command.

pub mod apiserver_identity;
pub mod cronjob;
mod daemonset;
mod deployment;
pub mod disruption;
pub mod endpoints;
mod garbage_collector;
pub mod job;
pub mod leader_election;
mod namespace;
mod node_lifecycle;
mod replicaset;
pub mod rollout;
pub mod taint_eviction;

pub use replicaset::WorkloadState;
mod podgc;
pub mod revisions;
mod serviceaccount;
mod statefulset;
pub mod volumes;

use crate::clock::Millis;
use crate::cluster::Cluster;
use crate::object::Kind;

/// Upper bound on reconcile rounds per settle, so a controller bug cannot hang the page.
const MAX_ROUNDS: usize = 64;

impl Cluster {
    /// Runs every controller until the store stops changing (at most [`MAX_ROUNDS`] rounds).
    /// Whether a controller that last looked at store version `seen.0` (and whose next time-driven instant was
    /// `seen.1`) has anything new to see: a change of one of `kinds` since, or that instant reached. Real
    /// controllers act on watch events; a settle that only renewed leases gives them none.
    pub(crate) fn has_news(&self, seen: Option<(u64, Option<Millis>)>, kinds: &[Kind]) -> bool {
        self.has_news_where(seen, |o| kinds.contains(&o.kind()))
    }

    /// [`Cluster::has_news`] for a controller that watches only the changed objects `watched` accepts.
    pub(crate) fn has_news_where(
        &self,
        seen: Option<(u64, Option<Millis>)>,
        watched: impl Fn(&crate::object::Object) -> bool,
    ) -> bool {
        let Some((rv, due)) = seen else { return true };
        let changed = match self.store.changes_since(rv) {
            Some(mut changes) => changes.any(|c| watched(&c.object)),
            None => true,
        };
        changed || due.is_some_and(|t| self.clock.now() >= t)
    }

    pub fn settle(&mut self) {
        // Without a working API server (etcd quorum lost) no controller can read or write anything.
        if !matches!(self.machines.quorum(), crate::machines::Quorum::Healthy { .. }) {
            return;
        }
        // Once per settle, outside the rounds: a lease renewal must not cost another round of every controller.
        self.elect_leaders();
        self.reconcile_apiserver_identity_leases();
        let controllers = self.leads(leader_election::Component::ControllerManager);
        let scheduler = self.leads(leader_election::Component::Scheduler);
        for _ in 0..MAX_ROUNDS {
            let before = self.store.resource_version();
            self.reconcile_node_status(controllers);
            self.renew_node_leases();
            if controllers {
                self.reconcile_namespaces();
                self.reconcile_service_accounts();
                self.collect_garbage();
                self.reconcile_deployments();
                self.reconcile_replica_sets();
                self.reconcile_lost_pods();
                self.reconcile_jobs();
                self.reconcile_cron_jobs();
                self.collect_orphaned_pods();
                self.reconcile_daemon_sets();
                self.reconcile_stateful_sets();
                self.reconcile_disruption_budgets();
                self.reconcile_volumes();
                self.reconcile_service_endpoints();
            }
            self.reconcile_apiserver_endpoints();
            self.reconcile_tunnel();
            if scheduler {
                self.reconcile_scheduling();
            }
            self.run_kubelets();
            if self.store.resource_version() == before {
                return;
            }
        }
    }
}
