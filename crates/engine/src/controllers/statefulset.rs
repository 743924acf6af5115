//! The StatefulSet controller (`pkg/controller/statefulset`).

use crate::cluster::Cluster;

impl Cluster {
    pub(super) fn reconcile_stateful_sets(&mut self) {}
}
