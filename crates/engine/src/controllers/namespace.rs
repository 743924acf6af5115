//! The namespace controller: a namespace being deleted is emptied (every object in it deleted), then its
//! `kubernetes` finalizer is dropped and it disappears. Until then it shows `Terminating`.

use crate::apiserver::Propagation;
use crate::cluster::Cluster;
use crate::event_log::Change;
use crate::object::{Kind, Object};
use crate::store::ObjectKey;

impl Cluster {
    pub(super) fn reconcile_namespaces(&mut self) {
        let terminating: Vec<String> = self
            .store
            .list(Kind::Namespace, None)
            .filter(|ns| ns.metadata().deletion_timestamp.is_some())
            .map(|ns| ns.name().to_string())
            .collect();
        for ns in terminating {
            let contents: Vec<Object> = self
                .store
                .all()
                .filter(|o| {
                    o.kind().info().namespaced && o.namespace() == ns && o.metadata().deletion_timestamp.is_none()
                })
                .cloned()
                .collect();
            for obj in contents {
                self.delete_object("namespace-controller", obj, Some(Propagation::Background));
            }
            let empty = !self.store.all().any(|o| o.kind().info().namespaced && o.namespace() == ns);
            if empty {
                let key = ObjectKey::new(Kind::Namespace, "", &ns);
                self.store.remove(&key);
                self.record(
                    "namespace-controller",
                    Change::Deleted,
                    &key,
                    "namespace emptied; finalizer kubernetes removed",
                );
            }
        }
    }
}
