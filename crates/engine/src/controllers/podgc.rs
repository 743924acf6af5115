//! The pod garbage collector's orphan rule (`pkg/controller/podgc`, `gcOrphaned`): pods bound to a node
//! whose Node object is gone are force-deleted once the node has stayed gone for the quarantine period
//! (40 s), so a DaemonSet's pod leaves with its node after `minikube node delete`.

use crate::apiserver::Propagation;
use crate::clock::Millis;
use crate::cluster::Cluster;
use crate::object::{Kind, Object};
use crate::store::ObjectKey;

/// `quarantineTime`: how long a node must be missing before its pods are deleted. (The real collector
/// also runs only every 20 s, so a real pod goes 40–60 s after its node; here it goes at 40 s.)
pub const QUARANTINE_MS: Millis = 40_000;

impl Cluster {
    pub(super) fn collect_orphaned_pods(&mut self) {
        let now = self.clock.now();
        let mut orphans: Vec<(String, String, String)> = Vec::new();
        for o in self.store.list(Kind::Pod, None) {
            let Object::Pod(p) = o else { continue };
            let Some(node) = p.spec.as_ref().and_then(|s| s.node_name.clone()).filter(|n| !n.is_empty()) else {
                continue;
            };
            if self.store.get(&ObjectKey::new(Kind::Node, "", &node)).is_none() {
                orphans.push((node, o.namespace().to_string(), o.name().to_string()));
            }
        }
        let missing: std::collections::BTreeSet<&String> = orphans.iter().map(|(n, _, _)| n).collect();
        self.apps.missing_nodes.retain(|n, _| missing.contains(n));
        for (node, ns, name) in &orphans {
            let since = *self.apps.missing_nodes.entry(node.clone()).or_insert(now);
            if now < since + QUARANTINE_MS {
                continue;
            }
            let key = ObjectKey::new(Kind::Pod, ns, name);
            let Some(current) = self.store.get(&key).cloned() else { continue };
            // Force deletion: grace period 0, the object goes at once.
            let seq = self.log.entries().len() as u64;
            self.delete_object_with_grace("pod-garbage-collector", current, Some(Propagation::Background), Some(0));
            let reason = format!("node {node} no longer exists: the orphaned pod was force-deleted");
            self.log.set_reason(seq, &reason);
        }
    }
}
