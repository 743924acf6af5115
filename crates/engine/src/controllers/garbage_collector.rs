//! The garbage collector: objects whose owners are gone are deleted (background propagation); owners being
//! deleted in the foreground wait for their dependents; with `orphan`, dependents are let go instead.

use crate::apiserver::Propagation;
use crate::cluster::Cluster;
use crate::object::Object;
use crate::store::ObjectKey;

impl Cluster {
    pub(super) fn collect_garbage(&mut self) {
        // A pass that found no orphan and no owner being deleted finds the same until an object is deleted,
        // gains or changes its owner references, or starts being deleted: skip the scans of every object.
        if let Some(rv) = self.workloads.gc_idle_since {
            let news = match self.store.changes_since(rv) {
                Some(mut changes) => changes.any(may_give_work),
                None => true,
            };
            if !news {
                return;
            }
        }
        let start = self.store.resource_version();
        // Owners being deleted, by uid, with the finalizer that says how.
        let deleting: Vec<(String, ObjectKey, bool, bool)> = self
            .store
            .all()
            .filter(|o| o.metadata().deletion_timestamp.is_some())
            .map(|o| {
                let f = o.metadata().finalizers.clone().unwrap_or_default();
                (
                    o.metadata().uid.clone().unwrap_or_default(),
                    ObjectKey::of(o),
                    f.iter().any(|x| x == "foregroundDeletion"),
                    f.iter().any(|x| x == "orphan"),
                )
            })
            .collect();

        // Dependents whose every owner is gone: delete them. (The uids are borrowed from the store, not copied.)
        let orphans: Vec<Object> = {
            let live_uids: std::collections::BTreeSet<&str> =
                self.store.all().filter_map(|o| o.metadata().uid.as_deref()).collect();
            self.store
                .all()
                .filter(|o| {
                    let refs = o.metadata().owner_references.as_deref().unwrap_or_default();
                    !refs.is_empty() && refs.iter().all(|r| !live_uids.contains(r.uid.as_str()))
                })
                .cloned()
                .collect()
        };
        self.workloads.gc_idle_since = (orphans.is_empty() && deleting.is_empty()).then_some(start);
        for obj in orphans {
            self.delete_object("garbage-collector", obj, Some(Propagation::Background));
        }

        for (uid, owner_key, foreground, orphan) in deleting {
            let dependents: Vec<Object> = self
                .store
                .all()
                .filter(|o| o.metadata().owner_references.iter().flatten().any(|r| r.uid == uid))
                .cloned()
                .collect();
            if orphan {
                for current in dependents {
                    let mut dep = current.clone();
                    let refs = dep.metadata().owner_references.clone().unwrap_or_default();
                    let kept: Vec<_> = refs.into_iter().filter(|r| r.uid != uid).collect();
                    dep.metadata_mut().owner_references = (!kept.is_empty()).then_some(kept);
                    let _ = self.write_update(
                        "garbage-collector",
                        current,
                        dep,
                        false,
                        "orphaned: owner deleted with orphan propagation",
                    );
                }
                self.drop_finalizer(&owner_key, "orphan");
            } else if foreground {
                if dependents.is_empty() {
                    self.drop_finalizer(&owner_key, "foregroundDeletion");
                } else {
                    for dep in dependents {
                        self.delete_object("garbage-collector", dep, Some(Propagation::Foreground));
                    }
                }
            }
        }
    }

    fn drop_finalizer(&mut self, key: &ObjectKey, finalizer: &str) {
        let Some(current) = self.store.get(key).cloned() else { return };
        let mut obj = current.clone();
        let kept: Vec<String> =
            obj.metadata().finalizers.iter().flatten().filter(|f| *f != finalizer).cloned().collect();
        obj.metadata_mut().finalizers = (!kept.is_empty()).then_some(kept);
        let _ = self.write_update("garbage-collector", current, obj, false, "dependents handled; finalizer removed");
    }
}

/// Whether a change can give the garbage collector work after a pass that found none: a deletion (dependents
/// may lose their owner), an object being deleted, or an object whose owner references are new or changed
/// (an owner may already be gone). Creations without owners and other updates cannot.
fn may_give_work(change: &crate::store::Change) -> bool {
    let meta = change.object.metadata();
    match change.kind {
        crate::store::WatchEventType::Deleted => true,
        _ => {
            meta.deletion_timestamp.is_some()
                || (meta.owner_references.as_ref().is_some_and(|r| !r.is_empty())
                    && change.prev.as_ref().is_none_or(|p| p.metadata().owner_references != meta.owner_references))
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::apiserver::{Request, Verb};
    use crate::object::Kind;
    use crate::store::ObjectKey;
    use crate::Cluster;

    fn config_map(c: &mut Cluster, name: &str, owner_uid: Option<&str>) -> String {
        let mut body = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}});
        if let Some(uid) = owner_uid {
            body["metadata"]["ownerReferences"] =
                json!([{"apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": uid}]);
        }
        let obj = c
            .handle("kubectl", Request::new(Verb::Create, Kind::ConfigMap).namespace("default").body(body))
            .object()
            .expect("create");
        obj.metadata().uid.clone().unwrap_or_default()
    }

    fn exists(c: &Cluster, name: &str) -> bool {
        c.store().get(&ObjectKey::new(Kind::ConfigMap, "default", name)).is_some()
    }

    /// After passes that found nothing, a deleted owner and a dependent created with an owner already gone
    /// still take their dependents with them.
    #[test]
    fn idle_passes_still_see_deleted_owners_and_orphans() {
        let mut c = Cluster::new(0);
        let owner = config_map(&mut c, "owner", None);
        config_map(&mut c, "dep", Some(&owner));
        c.settle();
        c.settle();
        assert!(exists(&c, "dep"));
        c.handle("kubectl", Request::new(Verb::Delete, Kind::ConfigMap).namespace("default").name("owner"))
            .object()
            .expect("delete");
        c.settle();
        assert!(!exists(&c, "dep"));
        c.settle();
        config_map(&mut c, "late", Some(&owner));
        c.settle();
        assert!(!exists(&c, "late"));
    }
}
