//! The versioned object store behind the API server: what etcd is to a real cluster.
//!
//! Objects are kept in key order (kind, namespace, name), which is the order a real apiserver lists them in.
//! Every write takes the next `resourceVersion`; creation stamps `uid` and `creationTimestamp` from the
//! cluster's RNG and clock. The store never decides anything on its own: callers (the API layer, controllers)
//! say what to write.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::clock::{api_time, Millis};
use crate::error::ApiError;
use crate::object::{Kind, Object};
use crate::rng::Rng;

/// Where an object lives: kind, namespace ("" for cluster-scoped kinds) and name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectKey {
    pub kind: Kind,
    pub namespace: String,
    pub name: String,
}

impl ObjectKey {
    pub fn new(kind: Kind, namespace: &str, name: &str) -> ObjectKey {
        ObjectKey { kind, namespace: namespace.to_string(), name: name.to_string() }
    }

    pub fn of(obj: &Object) -> ObjectKey {
        ObjectKey::new(obj.kind(), obj.namespace(), obj.name())
    }
}

/// What a watch reports for a change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WatchEventType {
    Added,
    Modified,
    Deleted,
}

/// One change in the store's history, as a watch delivers it.
#[derive(Clone, Debug)]
pub struct Change {
    pub resource_version: u64,
    pub kind: WatchEventType,
    /// The object after the change (for deletions: as it was last stored, with the deletion's version).
    pub object: Arc<Object>,
    /// The object before the change (`None` for a creation), as etcd's `prevKV`: a watch with a selector needs
    /// it to report an object that stops matching as `DELETED` and one that starts matching as `ADDED`.
    pub prev: Option<Arc<Object>>,
}

/// How many changes the store remembers for watches; older ones are compacted away, as etcd does, and a
/// watch from before them gets `410 Gone` (`too old resource version`).
pub const HISTORY_LIMIT: usize = 100_000;

#[derive(Clone, Debug, Default)]
pub struct Store {
    /// Recent changes in order, for watches (bounded by [`HISTORY_LIMIT`]).
    history: std::collections::VecDeque<Change>,
    resource_version: u64,
    /// Shared so that lists hand out objects without copying them; a write replaces the whole `Arc`.
    objects: BTreeMap<ObjectKey, Arc<Object>>,
}

impl Store {
    /// The resourceVersion of the latest write.
    pub fn resource_version(&self) -> u64 {
        self.resource_version
    }

    /// The stored object itself, shared: a clone of the `Arc`, not of the object.
    pub fn get_shared(&self, key: &ObjectKey) -> Option<Arc<Object>> {
        self.objects.get(key).cloned()
    }

    pub fn get(&self, key: &ObjectKey) -> Option<&Object> {
        self.objects.get(key).map(Arc::as_ref)
    }

    /// Objects of one kind, in one namespace or (with `None`) in all, in key order.
    pub fn list<'a>(&'a self, kind: Kind, namespace: Option<&'a str>) -> impl Iterator<Item = &'a Object> + 'a {
        self.list_shared(kind, namespace).map(Arc::as_ref)
    }

    /// Like [`Store::list`], handing out shared references that outlive the borrow of the store.
    pub fn list_shared<'a>(
        &'a self,
        kind: Kind,
        namespace: Option<&'a str>,
    ) -> impl Iterator<Item = &'a Arc<Object>> + 'a {
        let start = ObjectKey::new(kind, namespace.unwrap_or(""), "");
        self.objects
            .range(start..)
            .take_while(move |(k, _)| k.kind == kind && namespace.is_none_or(|ns| k.namespace == ns))
            .map(|(_, o)| o)
    }

    /// Stores a new object, stamping `uid`, `resourceVersion` and `creationTimestamp`.
    pub fn create(&mut self, mut obj: Object, now: Millis, rng: &mut Rng) -> Result<&Object, ApiError> {
        let key = ObjectKey::of(&obj);
        if self.objects.contains_key(&key) {
            return Err(ApiError::already_exists(key.kind, &key.name));
        }
        self.resource_version += 1;
        let meta = obj.metadata_mut();
        // The API layer assigns the uid before admission (a Job's selector is built from it).
        if meta.uid.is_none() {
            meta.uid = Some(rng.uuid());
        }
        meta.resource_version = Some(self.resource_version.to_string());
        meta.creation_timestamp = Some(api_time(now));
        let stored = Arc::new(obj);
        self.remember(WatchEventType::Added, stored.clone(), None);
        Ok(self.objects.entry(key).or_insert(stored))
    }

    fn remember(&mut self, kind: WatchEventType, object: Arc<Object>, prev: Option<Arc<Object>>) {
        if self.history.len() == HISTORY_LIMIT {
            self.history.pop_front();
        }
        self.history.push_back(Change { resource_version: self.resource_version, kind, object, prev });
    }

    /// Changes after `resource_version` in order, or `None` when that version was compacted away.
    pub fn changes_since(&self, resource_version: u64) -> Option<impl Iterator<Item = &Change>> {
        let oldest = self.history.front().map(|c| c.resource_version).unwrap_or(self.resource_version + 1);
        if resource_version + 1 < oldest && resource_version < self.resource_version {
            return None;
        }
        // The history is in version order: start at the first later change instead of filtering them all.
        let start = self.history.partition_point(|c| c.resource_version <= resource_version);
        Some(self.history.range(start..))
    }

    /// The oldest resourceVersion a watch can still start from: the one just before the oldest change remembered.
    pub fn oldest_watchable(&self) -> u64 {
        self.history.front().map_or(self.resource_version, |c| c.resource_version - 1)
    }

    /// Replaces a stored object (same key), taking the next `resourceVersion`.
    pub fn replace(&mut self, mut obj: Object) -> &Object {
        let key = ObjectKey::of(&obj);
        self.resource_version += 1;
        obj.metadata_mut().resource_version = Some(self.resource_version.to_string());
        let stored = Arc::new(obj);
        let prev = self.objects.insert(key.clone(), stored.clone());
        self.remember(WatchEventType::Modified, stored, prev);
        &self.objects[&key]
    }

    /// The latest change, if any.
    pub fn latest_change(&self) -> Option<&Change> {
        self.history.back()
    }

    /// Rewrites the object of the latest change in place (same `resourceVersion`): the API layer's field
    /// manager completing a write it did not make itself (`managedFields` of a controller's write).
    pub fn amend_latest(&mut self, obj: Object) {
        let key = ObjectKey::of(&obj);
        let stored = Arc::new(obj);
        if let Some(last) = self.history.back_mut() {
            last.object = stored.clone();
        }
        self.objects.insert(key, stored);
    }

    /// [`Store::amend_latest`] with the latest change's object changed by `amend`: in place when nothing but the
    /// store holds it (no copy of the whole object), else on a copy.
    pub fn amend_latest_with(&mut self, amend: impl FnOnce(&mut Object)) {
        let Some(last) = self.history.back_mut() else { return };
        let key = ObjectKey::of(&last.object);
        // The map lets its reference go for a moment, so that the history's may be the only one.
        drop(self.objects.remove(&key));
        amend(Arc::make_mut(&mut last.object));
        self.objects.insert(key, last.object.clone());
    }

    /// Removes an object; a removal is a write, so it takes a `resourceVersion` too.
    pub fn remove(&mut self, key: &ObjectKey) -> Option<Object> {
        let removed = self.objects.remove(key)?;
        self.resource_version += 1;
        let mut last = (*removed).clone();
        last.metadata_mut().resource_version = Some(self.resource_version.to_string());
        self.remember(WatchEventType::Deleted, Arc::new(last), Some(removed.clone()));
        Some(Arc::unwrap_or_clone(removed))
    }

    /// Every stored object in key order.
    pub fn all(&self) -> impl Iterator<Item = &Object> {
        self.objects.values().map(Arc::as_ref)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{Namespace, Node};
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    fn named<T: Default>(name: &str, set: impl FnOnce(&mut T, ObjectMeta)) -> T {
        let mut t = T::default();
        set(&mut t, ObjectMeta { name: Some(name.into()), ..Default::default() });
        t
    }

    #[test]
    fn create_stamps_metadata_and_bumps_the_version() {
        let mut store = Store::default();
        let mut rng = Rng::new(0);
        let ns: Namespace = named("dev", |n: &mut Namespace, m| n.metadata = m);
        let created = store.create(ns.into(), 3000, &mut rng).unwrap();
        assert_eq!(created.metadata().resource_version.as_deref(), Some("1"));
        assert!(created.metadata().uid.is_some());
        assert_eq!(store.resource_version(), 1);
    }

    /// The amended object is what both a get and the latest change show; a reader holding the object from
    /// before keeps the object it had.
    #[test]
    fn amending_the_latest_change_in_place_spares_earlier_readers() {
        let mut store = Store::default();
        let mut rng = Rng::new(0);
        let node: Node = named("a", |n: &mut Node, m| n.metadata = m);
        store.create(node.into(), 0, &mut rng).unwrap();
        let key = ObjectKey::new(Kind::Node, "", "a");
        let held = store.get_shared(&key).unwrap();
        store.amend_latest_with(|o| o.metadata_mut().generate_name = Some("x".into()));
        assert_eq!(held.metadata().generate_name, None);
        assert_eq!(store.get(&key).unwrap().metadata().generate_name.as_deref(), Some("x"));
        assert_eq!(store.latest_change().unwrap().object.metadata().generate_name.as_deref(), Some("x"));
        drop(held);
        store.amend_latest_with(|o| o.metadata_mut().generate_name = Some("y".into()));
        assert_eq!(store.get(&key).unwrap().metadata().generate_name.as_deref(), Some("y"));
        assert_eq!(store.latest_change().unwrap().object.metadata().generate_name.as_deref(), Some("y"));
        assert_eq!(store.resource_version(), 1);
    }

    #[test]
    fn duplicate_names_are_refused() {
        let mut store = Store::default();
        let mut rng = Rng::new(0);
        let node: Node = named("a", |n: &mut Node, m| n.metadata = m);
        store.create(node.clone().into(), 0, &mut rng).unwrap();
        let err = store.create(node.into(), 0, &mut rng).unwrap_err();
        assert_eq!(err.to_string(), "Error from server (AlreadyExists): nodes \"a\" already exists");
        assert_eq!(store.resource_version(), 1);
    }

    #[test]
    fn changes_are_kept_in_order_for_watches() {
        let mut store = Store::default();
        let mut rng = Rng::new(0);
        store.create(named("a", |n: &mut Node, m| n.metadata = m).into(), 0, &mut rng).unwrap();
        let a = store.get(&ObjectKey::new(Kind::Node, "", "a")).unwrap().clone();
        store.replace(a);
        store.remove(&ObjectKey::new(Kind::Node, "", "a"));
        let seen: Vec<_> = store.changes_since(0).unwrap().map(|c| (c.resource_version, c.kind)).collect();
        assert_eq!(seen, [(1, WatchEventType::Added), (2, WatchEventType::Modified), (3, WatchEventType::Deleted)]);
        assert_eq!(store.changes_since(2).unwrap().count(), 1);
        assert_eq!(store.changes_since(3).unwrap().count(), 0);
        let prev: Vec<_> = store
            .changes_since(0)
            .unwrap()
            .map(|c| c.prev.as_ref().map(|p| p.metadata().resource_version.clone()))
            .collect();
        assert_eq!(
            prev,
            [None, Some(Some("1".into())), Some(Some("2".into()))],
            "each change keeps the object before it"
        );
    }

    #[test]
    fn old_changes_are_compacted_away() {
        let mut store = Store::default();
        let mut rng = Rng::new(0);
        store.create(named("a", |n: &mut Node, m| n.metadata = m).into(), 0, &mut rng).unwrap();
        for _ in 0..HISTORY_LIMIT {
            let a = store.get(&ObjectKey::new(Kind::Node, "", "a")).unwrap().clone();
            store.replace(a);
        }
        assert_eq!(store.oldest_watchable(), 1);
        assert!(store.changes_since(0).is_none());
        assert_eq!(store.changes_since(1).unwrap().count(), HISTORY_LIMIT);
    }

    #[test]
    fn lists_are_per_kind_and_sorted_by_name() {
        let mut store = Store::default();
        let mut rng = Rng::new(0);
        for name in ["b", "a", "c"] {
            store.create(named(name, |n: &mut Node, m| n.metadata = m).into(), 0, &mut rng).unwrap();
        }
        store.create(named("x", |n: &mut Namespace, m| n.metadata = m).into(), 0, &mut rng).unwrap();
        let names: Vec<_> = store.list(Kind::Node, None).map(|o| o.name().to_string()).collect();
        assert_eq!(names, ["a", "b", "c"]);
        assert_eq!(store.list(Kind::Namespace, None).count(), 1);
    }
}
