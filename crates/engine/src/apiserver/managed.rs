//! Field ownership: `metadata.managedFields` as k8s.io/apiserver's fieldmanager records it, and server-side
//! apply (structured-merge-diff's `Updater.Apply`).
//!
//! A [`FieldSet`] is a set of field paths kept as a trie, encoded as `FieldsV1`: `f:<field>` for a struct field
//! or map key, `k:{"key":value,…}` for an item of an associative list (keys sorted by name), `v:<json>` for an
//! item of a set list, `.` for "this node itself is in the set" when it also has children, `{}` for a leaf.
//! Which paths are members follows `typed.ToFieldSet` and `typed.Compare`: leaves (scalars, atomic lists, maps
//! and structs), list items, keys of granular maps (`labels`), empty or null values, and any map entry or list
//! item that was absent from the previous object (`Compare` reports it as added).
//!
//! Entries merge per manager, operation, apiVersion (for updates) and subresource, like the fieldmanager's
//! manager identifier; an update takes what it changed from every other manager (an update never conflicts),
//! fields removed from the object leave every set, and the entry's time moves only when the write took fields.
//!
//! Lean storage: the encoded `fieldsV1` is kept in the stored object as one compact JSON string
//! (`FieldsV1(Value::String)`), about the bytes a real apiserver keeps in etcd, and expanded into the object
//! clients read by [`expand`] (called by `Object::to_json`). A pod's set as a tree of `serde_json` maps would
//! cost several kilobytes per pod.
//!
//! Sources: sigs.k8s.io/structured-merge-diff/v4 (`fieldpath`, `typed/tofieldset.go`, `typed/compare`,
//! `merge/update.go`), k8s.io/apiserver `pkg/util/managedfields/internal` (`stripmeta.go`, `managedfieldsupdater.go`,
//! `fieldmanager.go`'s `sortEncodedManagedFields`, `conflict.go`), the `+listType`/`+listMapKey`/`+structType`/
//! `+mapType` markers of k8s.io/api.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{FieldsV1, ManagedFieldsEntry, Time};
use serde_json::{Map, Value};

use crate::object::Kind;
use crate::util::sort::StableSort;

/// A set of field paths (a trie). The root is never a member.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldSet {
    member: bool,
    children: BTreeMap<String, FieldSet>,
}

impl FieldSet {
    pub fn is_empty(&self) -> bool {
        !self.member && self.children.values().all(FieldSet::is_empty)
    }

    fn child(&mut self, pe: String) -> &mut FieldSet {
        self.children.entry(pe).or_default()
    }

    /// Inserts the path `pes` (path elements such as `f:spec`, `k:{"name":"a"}`).
    pub fn insert(&mut self, pes: &[&str]) {
        let mut node = self;
        for pe in pes {
            node = node.child(pe.to_string());
        }
        node.member = true;
    }

    pub fn contains(&self, pes: &[&str]) -> bool {
        let mut node = self;
        for pe in pes {
            match node.children.get(*pe) {
                Some(n) => node = n,
                None => return false,
            }
        }
        node.member
    }

    pub fn union(&mut self, other: &FieldSet) {
        self.member |= other.member;
        for (k, v) in &other.children {
            self.child(k.clone()).union(v);
        }
    }

    /// Removes the members of `other`, telling whether any was a member here (when none was, a set without
    /// empty nodes, such as a decoded one, is unchanged).
    pub fn difference(&mut self, other: &FieldSet) -> bool {
        let took = self.remove_members(other);
        self.prune_empty();
        took
    }

    fn remove_members(&mut self, other: &FieldSet) -> bool {
        let mut took = false;
        if other.member && self.member {
            self.member = false;
            took = true;
        }
        for (k, v) in &other.children {
            if let Some(mine) = self.children.get_mut(k) {
                took |= mine.remove_members(v);
            }
        }
        took
    }

    pub fn intersection(&self, other: &FieldSet) -> FieldSet {
        let mut out = FieldSet { member: self.member && other.member, children: BTreeMap::new() };
        for (k, v) in &self.children {
            if let Some(o) = other.children.get(k) {
                let i = v.intersection(o);
                if !i.is_empty() {
                    out.children.insert(k.clone(), i);
                }
            }
        }
        out
    }

    fn prune_empty(&mut self) {
        self.children.retain(|_, c| {
            c.prune_empty();
            !c.is_empty()
        });
    }

    /// Keeps only the subtree under `pe` (e.g. `f:status`), or removes it (`keep == false`).
    fn filter_top(&mut self, pe: &str, keep: bool) {
        if keep {
            self.children.retain(|k, _| k == pe);
        } else {
            self.children.remove(pe);
        }
    }

    /// Every member path, in order (for conflict messages).
    pub fn paths(&self) -> Vec<Vec<String>> {
        let mut out = Vec::new();
        fn walk(node: &FieldSet, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
            if node.member && !prefix.is_empty() {
                out.push(prefix.clone());
            }
            for (k, v) in &node.children {
                prefix.push(k.clone());
                walk(v, prefix, out);
                prefix.pop();
            }
        }
        walk(self, &mut Vec::new(), &mut out);
        out
    }

    /// The compact `FieldsV1` JSON text of the set: the bytes of `to_fields_v1().to_string()`, written
    /// without building the JSON value (e.g. `{"f:metadata":{"f:labels":{".":{},"f:app":{}}}}`).
    pub fn to_fields_v1_string(&self) -> String {
        let mut out = String::with_capacity(256);
        self.write_fields_v1(&mut out);
        out
    }

    fn write_fields_v1(&self, out: &mut String) {
        out.push('{');
        let mut first = true;
        if self.member && !self.children.is_empty() {
            out.push_str("\".\":{}");
            first = false;
        }
        for (k, v) in &self.children {
            if !first {
                out.push(',');
            }
            first = false;
            write_json_str(out, k);
            out.push(':');
            v.write_fields_v1(out);
        }
        out.push('}');
    }

    /// The `FieldsV1` JSON of the set.
    pub fn to_fields_v1(&self) -> Value {
        let mut map = Map::new();
        if self.member && !self.children.is_empty() {
            map.insert(".".into(), Value::Object(Map::new()));
        }
        for (k, v) in &self.children {
            map.insert(k.clone(), v.to_fields_v1());
        }
        Value::Object(map)
    }

    /// Reads a `FieldsV1` JSON object (or its compact string form).
    pub fn from_fields_v1(v: &Value) -> FieldSet {
        match v {
            Value::String(s) => serde_json::from_str::<FieldSet>(s).unwrap_or_default(),
            Value::Object(map) => {
                let mut set = FieldSet { member: map.is_empty(), children: BTreeMap::new() };
                for (k, c) in map {
                    if k == "." {
                        set.member = true;
                    } else {
                        set.children.insert(k.clone(), FieldSet::from_fields_v1(c));
                    }
                }
                set
            }
            _ => FieldSet::default(),
        }
    }
}

/// A JSON string literal as serde_json writes it (the same escapes as a key of a serialized map).
fn write_json_str(out: &mut String, s: &str) {
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\' && b < 0x7f) {
        out.push('"');
        out.push_str(s);
        out.push('"');
    } else {
        out.push_str(&serde_json::to_string(s).expect("a string always serializes"));
    }
}

/// Reads `FieldsV1` JSON text straight into a set, as [`FieldSet::from_fields_v1`] reads its JSON value: `{}`
/// is a member leaf, `"."` marks the node itself, other keys are children (a later duplicate key replaces an
/// earlier one, as in a JSON map).
impl<'de> serde::Deserialize<'de> for FieldSet {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = FieldSet;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a FieldsV1 object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<FieldSet, A::Error> {
                let mut set = FieldSet::default();
                let mut empty = true;
                while let Some(k) = map.next_key::<String>()? {
                    empty = false;
                    if k == "." {
                        map.next_value::<serde::de::IgnoredAny>()?;
                        set.member = true;
                    } else {
                        let child = map.next_value::<FieldSet>()?;
                        set.children.insert(k, child);
                    }
                }
                if empty {
                    set.member = true;
                }
                Ok(set)
            }
            // Any other JSON value below an object reads as the empty set, as `from_fields_v1` reads it.
            fn visit_bool<E>(self, _: bool) -> Result<FieldSet, E> {
                Ok(FieldSet::default())
            }
            fn visit_i64<E>(self, _: i64) -> Result<FieldSet, E> {
                Ok(FieldSet::default())
            }
            fn visit_u64<E>(self, _: u64) -> Result<FieldSet, E> {
                Ok(FieldSet::default())
            }
            fn visit_f64<E>(self, _: f64) -> Result<FieldSet, E> {
                Ok(FieldSet::default())
            }
            fn visit_str<E>(self, s: &str) -> Result<FieldSet, E> {
                Ok(serde_json::from_str::<FieldSet>(s).unwrap_or_default())
            }
            fn visit_unit<E>(self) -> Result<FieldSet, E> {
                Ok(FieldSet::default())
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<FieldSet, A::Error> {
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(FieldSet::default())
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// How structured-merge-diff treats a value at some path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    /// A struct: declared fields, each a child; the struct itself is a member only when empty.
    Struct,
    /// A granular map (`map[string]string` such as `labels`): every key is a member.
    Map,
    /// Replaced as a whole: scalars, `+listType=atomic` lists, `+structType=atomic` structs.
    Atomic,
    /// `+listType=map` with these keys.
    ListMap(&'static [&'static str]),
    /// `+listType=set`.
    ListSet,
}

/// The shape of field `name` below the fields `parents` (field names from the root; list items are
/// transparent), for a value `v`. Lists are atomic unless listed here; objects are structs unless listed as
/// maps. The markers are those of k8s.io/api v1.34.
fn shape(parents: &[&str], name: &str, v: &Value) -> Shape {
    let parent = parents.last().copied().unwrap_or("");
    match v {
        Value::Array(_) => match (parent, name) {
            ("metadata", "finalizers") => Shape::ListSet,
            ("metadata", "ownerReferences") => Shape::ListMap(&["uid"]),
            (_, "containers" | "initContainers" | "ephemeralContainers") => Shape::ListMap(&["name"]),
            ("spec", "ports") if parents.len() == 1 => Shape::ListMap(&["port", "protocol"]),
            (_, "ports") if parents.contains(&"containers") || parents.contains(&"initContainers") => {
                Shape::ListMap(&["containerPort", "protocol"])
            }
            (_, "env") => Shape::ListMap(&["name"]),
            (_, "volumeMounts") => Shape::ListMap(&["mountPath"]),
            (_, "volumeDevices") => Shape::ListMap(&["devicePath"]),
            ("spec", "volumes" | "imagePullSecrets" | "schedulingGates" | "resourceClaims") => {
                Shape::ListMap(&["name"])
            }
            ("spec", "hostAliases") => Shape::ListMap(&["ip"]),
            ("spec", "topologySpreadConstraints") => Shape::ListMap(&["topologyKey", "whenUnsatisfiable"]),
            ("status", "conditions") if !parents.contains(&"template") => Shape::ListMap(&["type"]),
            ("status", "addresses") => Shape::ListMap(&["type"]),
            ("status", "podIPs" | "hostIPs") => Shape::ListMap(&["ip"]),
            ("spec", "podCIDRs") => Shape::ListSet,
            _ => Shape::Atomic,
        },
        Value::Object(_) => match (parent, name) {
            (_, "selector") => {
                // LabelSelector is `+structType=atomic`; a Service's selector is `+mapType=atomic`.
                Shape::Atomic
            }
            (_, "labels" | "annotations" | "nodeSelector" | "limits" | "requests" | "capacity" | "allocatable")
            | ("", "data" | "binaryData" | "stringData") => Shape::Map,
            ("affinity", "nodeAffinity") => Shape::Struct,
            (_, "requiredDuringSchedulingIgnoredDuringExecution") if parent == "nodeAffinity" => Shape::Atomic,
            _ => Shape::Struct,
        },
        _ => Shape::Atomic,
    }
}

/// The path element of a list item: `k:{…}` for associative lists, `v:<json>` for sets.
fn item_pe(shape: Shape, item: &Value, index: usize) -> String {
    match shape {
        Shape::ListMap(keys) => {
            let mut k = Map::new();
            for key in keys {
                if let Some(v) = item.get(*key) {
                    k.insert((*key).to_string(), v.clone());
                }
            }
            format!("k:{}", Value::Object(k))
        }
        Shape::ListSet => format!("v:{item}"),
        _ => format!("i:{index}"),
    }
}

fn is_leafy(v: &Value) -> bool {
    v.is_null() || v.as_object().is_some_and(Map::is_empty)
}

/// `typed.ToFieldSet` of the fields of `obj` (a struct at `parents`).
fn struct_set(obj: &Map<String, Value>, parents: &mut Vec<&'static str>, out: &mut FieldSet, granular_map: bool) {
    for (k, v) in obj {
        let node = out.child(format!("f:{k}"));
        let name = intern(k);
        value_set(v, parents, name, node);
        if is_leafy(v) || granular_map {
            node.member = true;
        }
    }
}

/// The set of one field's value, inserted at `node`.
fn value_set(v: &Value, parents: &mut Vec<&'static str>, name: &'static str, node: &mut FieldSet) {
    match (shape(parents, name, v), v) {
        (Shape::Atomic, _) => node.member = true,
        (Shape::Struct | Shape::Map, Value::Object(m)) => {
            parents.push(name);
            struct_set(m, parents, node, shape(&parents[..parents.len() - 1], name, v) == Shape::Map);
            parents.pop();
        }
        (s @ (Shape::ListMap(_) | Shape::ListSet), Value::Array(items)) => {
            parents.push(name);
            for (i, item) in items.iter().enumerate() {
                let child = node.child(item_pe(s, item, i));
                child.member = true;
                if let (Shape::ListMap(_), Value::Object(m)) = (s, item) {
                    struct_set(m, parents, child, false);
                }
            }
            parents.pop();
        }
        _ => node.member = true,
    }
}

/// Field names as `&'static str` for the schema lookups (only the names the schema matches on matter).
fn intern(name: &str) -> &'static str {
    const NAMES: &[&str] = &[
        "metadata",
        "spec",
        "status",
        "template",
        "containers",
        "initContainers",
        "ephemeralContainers",
        "ports",
        "env",
        "volumeMounts",
        "volumeDevices",
        "volumes",
        "imagePullSecrets",
        "schedulingGates",
        "resourceClaims",
        "hostAliases",
        "topologySpreadConstraints",
        "conditions",
        "addresses",
        "podIPs",
        "hostIPs",
        "podCIDRs",
        "finalizers",
        "ownerReferences",
        "selector",
        "labels",
        "annotations",
        "nodeSelector",
        "limits",
        "requests",
        "capacity",
        "allocatable",
        "data",
        "binaryData",
        "stringData",
        "affinity",
        "nodeAffinity",
        "requiredDuringSchedulingIgnoredDuringExecution",
        "jobTemplate",
        "resources",
    ];
    NAMES.iter().copied().find(|n| *n == name).unwrap_or("")
}

/// The set of every field of an object (`typed.ToFieldSet`), before stripping.
pub fn object_set(obj: &Value) -> FieldSet {
    let mut out = FieldSet::default();
    if let Value::Object(m) = obj {
        struct_set(m, &mut Vec::new(), &mut out, false);
    }
    out
}

/// `typed.Compare`: what was added or modified, and what was removed, between `old` and `new`.
pub fn compare(old: &Value, new: &Value) -> (FieldSet, FieldSet) {
    let mut changed = FieldSet::default();
    let mut removed = FieldSet::default();
    if let (Value::Object(o), Value::Object(n)) = (old, new) {
        compare_struct(o, n, &mut Vec::new(), &mut changed, &mut removed, false);
    }
    (changed, removed)
}

fn compare_struct(
    old: &Map<String, Value>,
    new: &Map<String, Value>,
    parents: &mut Vec<&'static str>,
    changed: &mut FieldSet,
    removed: &mut FieldSet,
    granular_map: bool,
) {
    for (k, nv) in new {
        let ov = old.get(k);
        if ov == Some(nv) {
            // Equal values: `compare_value` finds nothing (and an equal granular map entry is no change).
            continue;
        }
        let pe = format!("f:{k}");
        let name = intern(k);
        match ov {
            None => {
                // Added: the entry and every map entry and list item below it.
                let node = changed.child(pe);
                value_set(nv, parents, name, node);
                mark_all(node);
                node.member = true;
            }
            Some(ov) => {
                let mut c = FieldSet::default();
                let mut r = FieldSet::default();
                compare_value(ov, nv, parents, name, &mut c, &mut r);
                if granular_map && ov != nv {
                    c.member = true;
                }
                if !c.is_empty() {
                    changed.children.insert(pe.clone(), c);
                }
                if !r.is_empty() {
                    removed.children.insert(pe, r);
                }
            }
        }
    }
    for k in old.keys() {
        if !new.contains_key(k) {
            removed.child(format!("f:{k}")).member = true;
        }
    }
}

fn compare_value(
    old: &Value,
    new: &Value,
    parents: &mut Vec<&'static str>,
    name: &'static str,
    changed: &mut FieldSet,
    removed: &mut FieldSet,
) {
    if old == new {
        return;
    }
    let s = shape(parents, name, new);
    // A null (a Go nil slice or pointer of the empty object) compares as an empty list or struct.
    let (empty_list, empty_map) = (Value::Array(Vec::new()), Value::Object(Map::new()));
    let old = match (old, new) {
        (Value::Null, Value::Array(_)) => &empty_list,
        (Value::Null, Value::Object(_)) if s != Shape::Atomic => &empty_map,
        _ => old,
    };
    match (s, old, new) {
        (Shape::Struct | Shape::Map, Value::Object(o), Value::Object(n)) if !(o.is_empty() && n.is_empty()) => {
            parents.push(name);
            compare_struct(o, n, parents, changed, removed, s == Shape::Map);
            parents.pop();
        }
        (Shape::ListMap(_) | Shape::ListSet, Value::Array(o), Value::Array(n)) => {
            parents.push(name);
            let old_items: BTreeMap<String, &Value> =
                o.iter().enumerate().map(|(i, item)| (item_pe(s, item, i), item)).collect();
            let mut seen = std::collections::BTreeSet::new();
            for (i, item) in n.iter().enumerate() {
                let pe = item_pe(s, item, i);
                seen.insert(pe.clone());
                match old_items.get(&pe) {
                    None => {
                        let child = changed.child(pe);
                        child.member = true;
                        if let (Shape::ListMap(_), Value::Object(m)) = (s, item) {
                            struct_set(m, parents, child, false);
                            mark_all(child);
                        }
                    }
                    Some(old_item) => {
                        if let (Shape::ListMap(_), Value::Object(om), Value::Object(nm)) = (s, old_item, item) {
                            let mut c = FieldSet::default();
                            let mut r = FieldSet::default();
                            compare_struct(om, nm, parents, &mut c, &mut r, false);
                            if !c.is_empty() {
                                changed.children.insert(pe.clone(), c);
                            }
                            if !r.is_empty() {
                                removed.children.insert(pe, r);
                            }
                        }
                    }
                }
            }
            for pe in old_items.keys() {
                if !seen.contains(pe) {
                    removed.child(pe.clone()).member = true;
                }
            }
            parents.pop();
        }
        _ => changed.member = true,
    }
}

/// Everything below a newly added node was added too, so every map entry and list item is a member
/// (`Compare`'s post-item hook reports each).
fn mark_all(node: &mut FieldSet) {
    for c in node.children.values_mut() {
        c.member = true;
        mark_all(c);
    }
}

/// `stripmeta.go`: the fields no manager owns.
fn strip(set: &mut FieldSet) {
    set.children.remove("f:apiVersion");
    set.children.remove("f:kind");
    if let Some(meta) = set.children.get_mut("f:metadata") {
        meta.member = false;
        for f in [
            "name",
            "namespace",
            "creationTimestamp",
            "selfLink",
            "uid",
            "clusterName",
            "generation",
            "managedFields",
            "resourceVersion",
        ] {
            meta.children.remove(&format!("f:{f}"));
        }
    }
    set.prune_empty();
}

/// The reset fields of the main resource and its `status` subresource: writes to one never own fields of the other.
fn filter_subresource(set: &mut FieldSet, kind: Kind, subresource: &str) {
    if !super::handler::has_status_subresource(kind) {
        return;
    }
    set.filter_top("f:status", subresource == "status");
}

/// The object as a freshly decoded empty object of its type serializes in Go (`New()` then to unstructured):
/// non-pointer struct fields are there even when empty, so `Compare` does not report them as added. Used as
/// the "live" object of a create.
fn zero_object(kind: Kind) -> Value {
    use serde_json::json;
    let template = json!({"metadata": {}, "spec": {"containers": null}});
    match kind {
        Kind::Pod => json!({"metadata": {}, "spec": {"containers": null}, "status": {}}),
        Kind::Deployment => {
            json!({"metadata": {}, "spec": {"selector": null, "template": template, "strategy": {}}, "status": {}})
        }
        Kind::ReplicaSet | Kind::Job => json!({"metadata": {}, "spec": {"template": template}, "status": {}}),
        Kind::StatefulSet | Kind::DaemonSet => {
            json!({"metadata": {}, "spec": {"selector": null, "template": template, "updateStrategy": {}}, "status": {}})
        }
        Kind::CronJob => {
            json!({"metadata": {}, "spec": {"jobTemplate": {"metadata": {}, "spec": {"template": template}}}, "status": {}})
        }
        Kind::Service => json!({"metadata": {}, "spec": {}, "status": {"loadBalancer": {}}}),
        Kind::Namespace | Kind::PersistentVolumeClaim | Kind::PersistentVolume | Kind::PodDisruptionBudget => {
            json!({"metadata": {}, "spec": {}, "status": {}})
        }
        Kind::Node => {
            json!({"metadata": {}, "spec": {}, "status": {"daemonEndpoints": {"kubeletEndpoint": {}}, "nodeInfo": {}}})
        }
        Kind::Lease => json!({"metadata": {}, "spec": {}}),
        Kind::Event => json!({"metadata": {}, "involvedObject": {}, "source": {}}),
        _ => json!({"metadata": {}}),
    }
}

/// The object as the apiserver holds it in Go: the stored JSON with the empty structs Go always serializes
/// (`status: {}`, …) where they are absent, or the empty object itself for a create.
fn with_zero(kind: Kind, obj: Option<&Value>) -> Value {
    let zero = zero_object(kind);
    match obj {
        None => zero,
        Some(o) => {
            let mut o = o.clone();
            fill_zero(&mut o, &zero);
            o
        }
    }
}

/// [`with_zero`] of an object the caller no longer needs, filled in place instead of copied.
fn into_with_zero(kind: Kind, obj: Option<Value>) -> Value {
    match obj {
        None => with_zero(kind, None),
        Some(mut o) => {
            let zero = zero_object(kind);
            fill_zero(&mut o, &zero);
            o
        }
    }
}

fn fill_zero(target: &mut Value, zero: &Value) {
    if let (Value::Object(t), Value::Object(z)) = (target, zero) {
        for (k, zv) in z {
            match t.get_mut(k) {
                Some(tv) => fill_zero(tv, zv),
                None if zv.is_object() => {
                    t.insert(k.clone(), zv.clone());
                }
                None => {}
            }
        }
    }
}

/// One `managedFields` entry, decoded.
#[derive(Clone, Debug)]
pub struct Entry {
    pub manager: String,
    pub apply: bool,
    pub api_version: String,
    pub subresource: String,
    pub time: Option<Time>,
    pub set: FieldSet,
    /// The stored `fieldsV1` text `set` was decoded from, while `set` is unchanged: [`encode`] reuses it
    /// instead of writing the set again. Whatever changes `set` clears it.
    encoded: Option<String>,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Entry) -> bool {
        self.manager == other.manager
            && self.apply == other.apply
            && self.api_version == other.api_version
            && self.subresource == other.subresource
            && self.time == other.time
            && self.set == other.set
    }
}

impl Entry {
    fn same_identity(&self, manager: &str, apply: bool, api_version: &str, subresource: &str) -> bool {
        self.manager == manager
            && self.apply == apply
            && (apply || self.api_version == api_version)
            && self.subresource == subresource
    }

    /// `printManager` of the conflict error: `"kubectl-client-side-apply" using apps/v1`, `"kubectl" with
    /// subresource "scale" using apps/v1`, or just `"kubectl"` for an applier. The manager identifier it
    /// prints never carries a time.
    pub fn describe(&self) -> String {
        let mut s = format!("{:?}", self.manager);
        if !self.subresource.is_empty() {
            s = format!("{s} with subresource {:?}", self.subresource);
        }
        if !self.apply {
            s = format!("{s} using {}", self.api_version);
        }
        s
    }
}

/// Decodes an object's `managedFields` as the store holds them: each entry keeps its stored `fieldsV1` text, to
/// be written back unchanged when the write leaves the entry alone.
pub fn decode(entries: Option<&Vec<ManagedFieldsEntry>>) -> Vec<Entry> {
    decode_stored(entries, true)
}

/// Decodes `managedFields` a client sent: their `fieldsV1` may be in any form (spaces, another key order), so
/// each entry is encoded afresh in the stored form.
pub fn decode_sent(entries: Option<&Vec<ManagedFieldsEntry>>) -> Vec<Entry> {
    decode_stored(entries, false)
}

fn decode_stored(entries: Option<&Vec<ManagedFieldsEntry>>, stored: bool) -> Vec<Entry> {
    entries
        .into_iter()
        .flatten()
        .map(|e| Entry {
            manager: e.manager.clone().unwrap_or_default(),
            apply: e.operation.as_deref() == Some("Apply"),
            api_version: e.api_version.clone().unwrap_or_default(),
            subresource: e.subresource.clone().unwrap_or_default(),
            time: e.time.clone(),
            set: e.fields_v1.as_ref().map(|f| FieldSet::from_fields_v1(&f.0)).unwrap_or_default(),
            encoded: match e.fields_v1.as_ref().map(|f| &f.0) {
                Some(Value::String(s)) if stored => Some(s.clone()),
                _ => None,
            },
        })
        .collect()
}

/// Encodes entries in the apiserver's order (`sortEncodedManagedFields`: operation, time, manager, apiVersion,
/// subresource), with `fieldsV1` in its compact stored form.
pub fn encode(mut entries: Vec<Entry>) -> Option<Vec<ManagedFieldsEntry>> {
    entries.retain(|e| !e.set.is_empty());
    if entries.is_empty() {
        return None;
    }
    let seconds = |t: &Option<Time>| t.as_ref().map(|t| t.0.as_second()).unwrap_or(0);
    entries.stable_sort_by(|a, b| {
        (!a.apply)
            .cmp(&!b.apply)
            .then(seconds(&a.time).cmp(&seconds(&b.time)))
            .then(a.manager.cmp(&b.manager))
            .then(a.api_version.cmp(&b.api_version))
            .then(a.subresource.cmp(&b.subresource))
    });
    Some(
        entries
            .into_iter()
            .map(|e| ManagedFieldsEntry {
                api_version: Some(e.api_version),
                fields_type: Some("FieldsV1".into()),
                fields_v1: Some(FieldsV1(Value::String(match e.encoded {
                    Some(text) => {
                        debug_assert_eq!(text, e.set.to_fields_v1().to_string(), "a stale encoded fieldsV1");
                        text
                    }
                    None => e.set.to_fields_v1_string(),
                }))),
                manager: Some(e.manager),
                operation: Some(if e.apply { "Apply" } else { "Update" }.into()),
                subresource: Some(e.subresource).filter(|s| !s.is_empty()),
                time: e.time,
            })
            .collect(),
    )
}

/// Turns the compact stored `fieldsV1` strings of an object's JSON back into the objects clients read.
pub fn expand(obj: &mut Value) {
    let Some(entries) = obj.pointer_mut("/metadata/managedFields").and_then(Value::as_array_mut) else {
        return;
    };
    for e in entries {
        if let Some(f) = e.get_mut("fieldsV1") {
            if let Value::String(s) = f {
                if let Ok(v) = serde_json::from_str::<Value>(s) {
                    *f = v;
                }
            }
        }
    }
}

/// What a write is: who, through which subresource, at which instant.
pub struct Writer<'a> {
    pub manager: &'a str,
    pub subresource: &'a str,
    pub api_version: &'a str,
    pub now: Time,
}

/// The managed fields after an update (or a create, with `old == None`) by `w`: `Updater.Update` under the
/// `managedFieldsUpdater`. `old` and `new` are the objects' JSON.
pub fn update(kind: Kind, old: Option<&Value>, new: &Value, entries: Vec<Entry>, w: &Writer) -> Vec<Entry> {
    update_all(kind, old, new, entries, std::slice::from_ref(w))
}

/// [`update`] by several writers in turn (the main resource, then `status`), comparing the objects once.
pub fn update_all(kind: Kind, old: Option<&Value>, new: &Value, entries: Vec<Entry>, writers: &[Writer]) -> Vec<Entry> {
    let (all_changed, removed) = changes(kind, old, new);
    apply_changes(kind, &all_changed, &removed, entries, writers)
}

/// What an update changed and removed (`Compare` of the live object, filled with its zero fields, and the new
/// one), without the fields the fieldmanager strips. Both empty: the update leaves every entry as it is.
pub fn changes(kind: Kind, old: Option<&Value>, new: &Value) -> (FieldSet, FieldSet) {
    changes_owned(kind, old.cloned(), new)
}

/// [`changes`] taking the old object's JSON by value (no copy of it is made).
pub fn changes_owned(kind: Kind, old: Option<Value>, new: &Value) -> (FieldSet, FieldSet) {
    let old = into_with_zero(kind, old);
    let (mut changed, mut removed) = compare(&old, new);
    strip(&mut changed);
    strip(&mut removed);
    (changed, removed)
}

/// The second half of [`update_all`]: the entries after writes that changed `all_changed` and removed `removed`.
pub fn apply_changes(
    kind: Kind,
    all_changed: &FieldSet,
    removed: &FieldSet,
    mut entries: Vec<Entry>,
    writers: &[Writer],
) -> Vec<Entry> {
    for w in writers {
        let mut changed = all_changed.clone();
        filter_subresource(&mut changed, kind, w.subresource);
        for e in &mut entries {
            let took = e.set.difference(&changed) | e.set.difference(removed);
            if took {
                e.encoded = None;
            }
        }
        if !changed.is_empty() {
            match entries.iter_mut().find(|e| e.same_identity(w.manager, false, w.api_version, w.subresource)) {
                Some(e) => {
                    e.set.union(&changed);
                    e.encoded = None;
                    e.time = Some(w.now.clone());
                }
                None => entries.push(Entry {
                    manager: w.manager.to_string(),
                    apply: false,
                    api_version: w.api_version.to_string(),
                    subresource: w.subresource.to_string(),
                    time: Some(w.now.clone()),
                    set: changed,
                    encoded: None,
                }),
            }
        }
        entries.retain(|e| !e.set.is_empty());
    }
    entries
}

/// One field another manager owns that an apply would change.
#[derive(Clone, Debug, PartialEq)]
pub struct Conflict {
    pub manager: String,
    pub path: String,
}

/// The apiserver's 409 for apply conflicts (`internal.NewConflictError`): the message of `getConflictMessage`
/// and one `FieldManagerConflict` cause per field.
pub fn conflict_error(conflicts: &[Conflict]) -> crate::error::ApiError {
    let message = if let [one] = conflicts {
        format!("Apply failed with 1 conflict: conflict with {}: {}", one.manager, one.path)
    } else {
        let mut by_manager: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for c in conflicts {
            by_manager.entry(&c.manager).or_default().push(&c.path);
        }
        let mut lines = Vec::new();
        for (m, paths) in by_manager {
            lines.push(format!("conflicts with {m}:"));
            lines.extend(paths.iter().map(|p| format!("- {p}")));
        }
        format!("Apply failed with {} conflicts: {}", conflicts.len(), lines.join("\n"))
    };
    let mut err = crate::error::ApiError::new(409, "Conflict", message);
    err.causes = conflicts
        .iter()
        .map(|c| crate::error::StatusCause {
            reason: "FieldManagerConflict".into(),
            message: format!("conflict with {}", c.manager),
            field: c.path.clone(),
        })
        .collect();
    err
}

/// `fieldpath.Path.String()`: `.spec.replicas`, `.spec.containers[name="nginx"].image`,
/// `.metadata.finalizers[="x"]`.
pub fn path_string(pes: &[String]) -> String {
    let mut s = String::new();
    for pe in pes {
        if let Some(f) = pe.strip_prefix("f:") {
            s.push('.');
            s.push_str(f);
        } else if let Some(k) = pe.strip_prefix("k:") {
            let fields: Vec<String> = serde_json::from_str::<Map<String, Value>>(k)
                .map(|m| m.iter().map(|(k, v)| format!("{k}={v}")).collect())
                .unwrap_or_default();
            s.push_str(&format!("[{}]", fields.join(",")));
        } else if let Some(v) = pe.strip_prefix("v:") {
            s.push_str(&format!("[={v}]"));
        } else if let Some(i) = pe.strip_prefix("i:") {
            s.push_str(&format!("[{i}]"));
        }
    }
    s
}

/// structured-merge-diff's merge of an applied configuration into the live object: structs and granular maps
/// merge key by key, associative lists item by item (live order, new items after), sets by union, everything
/// else is replaced by the configuration.
pub fn merge(live: &Value, config: &Value) -> Value {
    let mut out = live.clone();
    if let (Value::Object(_), Value::Object(c)) = (live, config) {
        merge_struct(out.as_object_mut().expect("object"), c, &mut Vec::new());
    } else {
        out = config.clone();
    }
    out
}

fn merge_struct(live: &mut Map<String, Value>, config: &Map<String, Value>, parents: &mut Vec<&'static str>) {
    for (k, cv) in config {
        let name = intern(k);
        let s = shape(parents, name, cv);
        match (s, live.get_mut(k), cv) {
            (Shape::Struct | Shape::Map, Some(Value::Object(lm)), Value::Object(cm)) => {
                parents.push(name);
                merge_struct(lm, cm, parents);
                parents.pop();
            }
            (Shape::ListMap(_) | Shape::ListSet, Some(Value::Array(la)), Value::Array(ca)) => {
                parents.push(name);
                for (i, item) in ca.iter().enumerate() {
                    let pe = item_pe(s, item, i);
                    let at = la.iter().enumerate().position(|(j, l)| item_pe(s, l, j) == pe);
                    match (at, s) {
                        (Some(j), Shape::ListMap(_)) => {
                            if let (Value::Object(lm), Value::Object(cm)) = (&mut la[j], item) {
                                merge_struct(lm, cm, parents);
                            } else {
                                la[j] = item.clone();
                            }
                        }
                        (Some(_), _) => {}
                        (None, _) => la.push(item.clone()),
                    }
                }
                parents.pop();
            }
            _ => {
                live.insert(k.clone(), cv.clone());
            }
        }
    }
}

/// Removes the field at `pes` from `obj` (a path of a set), leaving no empty map behind on the way.
fn remove_path(obj: &mut Value, pes: &[String]) {
    let Some((first, rest)) = pes.split_first() else { return };
    let matches = |pe: &str, item: &Value, i: usize| -> bool {
        if let Some(k) = pe.strip_prefix("k:") {
            serde_json::from_str::<Map<String, Value>>(k)
                .is_ok_and(|keys| keys.iter().all(|(key, v)| item.get(key) == Some(v)))
        } else if let Some(v) = pe.strip_prefix("v:") {
            serde_json::from_str::<Value>(v).is_ok_and(|v| &v == item)
        } else {
            pe.strip_prefix("i:").and_then(|n| n.parse::<usize>().ok()) == Some(i)
        }
    };
    match obj {
        Value::Object(m) => {
            let Some(f) = first.strip_prefix("f:") else { return };
            if rest.is_empty() {
                m.remove(f);
            } else if let Some(child) = m.get_mut(f) {
                remove_path(child, rest);
                let empty = match child {
                    Value::Object(c) => c.is_empty(),
                    Value::Array(a) => a.is_empty(),
                    _ => false,
                };
                if empty {
                    m.remove(f);
                }
            }
        }
        Value::Array(items) => {
            let Some(i) = items.iter().enumerate().position(|(i, item)| matches(first, item, i)) else { return };
            if rest.is_empty() {
                items.remove(i);
            } else {
                remove_path(&mut items[i], rest);
            }
        }
        _ => {}
    }
}

/// Server-side apply (`Updater.Apply`): merges `config` into `live` (the empty object when creating), drops
/// what this manager applied before and no longer does (unless someone else owns it), and moves ownership.
/// Returns the new object (before defaulting) and entries, or the conflicts when `force` is off.
pub fn apply(
    kind: Kind,
    live: Option<&Value>,
    config: &Value,
    entries: Vec<Entry>,
    w: &Writer,
    force: bool,
) -> Result<(Value, Vec<Entry>), Vec<Conflict>> {
    let live = &with_zero(kind, live);
    let mut config_set = object_set(config);
    strip(&mut config_set);
    filter_subresource(&mut config_set, kind, w.subresource);
    let mut merged = merge(live, config);
    let previous = entries.iter().find(|e| e.same_identity(w.manager, true, "", w.subresource)).map(|e| e.set.clone());
    if let Some(mut gone) = previous {
        gone.difference(&config_set);
        let mut others = FieldSet::default();
        for e in entries.iter().filter(|e| !e.same_identity(w.manager, true, "", w.subresource)) {
            others.union(&e.set);
        }
        for path in gone.paths() {
            let refs: Vec<&str> = path.iter().map(String::as_str).collect();
            if others.contains(&refs) || has_owned_below(&others, &refs) {
                continue;
            }
            remove_path(&mut merged, &path);
        }
    }
    let (mut changed, mut removed) = compare(live, &merged);
    strip(&mut changed);
    strip(&mut removed);
    let mut conflicts = Vec::new();
    let mut entries: Vec<Entry> =
        entries.into_iter().filter(|e| !e.same_identity(w.manager, true, "", w.subresource)).collect();
    for e in &entries {
        let clash = e.set.intersection(&changed);
        for p in clash.paths() {
            conflicts.push(Conflict { manager: e.describe(), path: path_string(&p) });
        }
    }
    if !conflicts.is_empty() && !force {
        return Err(conflicts);
    }
    for e in &mut entries {
        if e.set.difference(&changed) | e.set.difference(&removed) {
            e.encoded = None;
        }
    }
    entries.push(Entry {
        manager: w.manager.to_string(),
        apply: true,
        api_version: w.api_version.to_string(),
        subresource: w.subresource.to_string(),
        time: Some(w.now.clone()),
        set: config_set,
        encoded: None,
    });
    entries.retain(|e| !e.set.is_empty());
    Ok((merged, entries))
}

fn has_owned_below(set: &FieldSet, path: &[&str]) -> bool {
    let mut node = set;
    for pe in path {
        match node.children.get(*pe) {
            Some(n) => node = n,
            None => return false,
        }
    }
    !node.is_empty()
}

/// The field manager a request without `fieldManager` gets: the User-Agent up to its first `/`
/// (`prefixFromUserAgent`), which for the engine's own components is the binary they run in.
pub fn manager_for_actor(actor: &str) -> String {
    let prefix = actor.split('/').next().unwrap_or(actor);
    if prefix == "kubelet" || prefix.starts_with("kubelet-") {
        "kubelet".into()
    } else if prefix.ends_with("scheduler") || prefix.starts_with("default-scheduler") {
        "kube-scheduler".into()
    } else if prefix.ends_with("-controller") || prefix.ends_with("-publisher") || prefix == "kube-controller-manager" {
        "kube-controller-manager".into()
    } else {
        prefix.chars().filter(|c| !c.is_control()).take(128).collect()
    }
}

#[cfg(test)]
mod tests;
