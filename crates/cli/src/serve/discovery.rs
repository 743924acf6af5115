//! What the server says about itself: `/version`, API discovery (aggregated `apidiscovery.k8s.io/v2` and the
//! legacy `APIVersions`/`APIGroupList`/`APIResourceList` documents); the OpenAPI documents are in [`super::openapi`].
//!
//! Everything is derived from [`Kind::ALL`], so a kind added to the engine is served without touching this file.

use engine::Kind;
use serde_json::{json, Value};

/// The `Content-Type` of an aggregated discovery answer; kubectl only accepts it under this exact type.
pub const AGGREGATED_CONTENT_TYPE: &str = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

pub fn version() -> Value {
    json!({
        "major": "1", "minor": "34", "emulationMajor": "1", "emulationMinor": "34",
        "minCompatibilityMajor": "1", "minCompatibilityMinor": "33",
        "gitVersion": "v1.34.0", "gitCommit": "f28b4c9efbca5c5c0af716d9f2d5702667ee8a45",
        "gitTreeState": "clean", "buildDate": "2025-08-27T10:09:16Z", "goVersion": "go1.24.6",
        "compiler": "gc", "platform": "linux/amd64"
    })
}

const VERBS: &[&str] = &["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

/// The kinds `kubectl get all` lists (the `all` category).
fn in_all_category(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Pod
            | Kind::Service
            | Kind::DaemonSet
            | Kind::Deployment
            | Kind::ReplicaSet
            | Kind::StatefulSet
            | Kind::CronJob
            | Kind::Job
    )
}

/// A subresource as discovery lists it: name, response kind (group, version, kind; empty group and version mean
/// the parent's) and verbs.
struct Sub {
    name: &'static str,
    group: &'static str,
    version: &'static str,
    kind: Option<&'static str>,
    verbs: &'static [&'static str],
}

const GPU: &[&str] = &["get", "patch", "update"];

const fn sub(name: &'static str, kind: Option<&'static str>, verbs: &'static [&'static str]) -> Sub {
    Sub { name, group: "", version: "", kind, verbs }
}

const STATUS: Sub = sub("status", None, GPU);

/// The pod subresources the server answers (`binding`, `ephemeralcontainers`, `portforward`, `proxy` and
/// `resize` are not served, so not advertised).
const POD_SUBRESOURCES: &[Sub] = &[
    sub("attach", Some("PodAttachOptions"), &["create", "get"]),
    Sub { name: "eviction", group: "policy", version: "v1", kind: Some("Eviction"), verbs: &["create"] },
    sub("exec", Some("PodExecOptions"), &["create", "get"]),
    sub("log", None, &["get"]),
    STATUS,
];

/// The subresources the engine's kinds have on a real server (advertised so discovery looks real; the server
/// answers `status` and `scale` through the object itself).
fn subresources(kind: Kind) -> &'static [Sub] {
    const SCALE: &[Sub] =
        &[Sub { name: "scale", group: "autoscaling", version: "v1", kind: Some("Scale"), verbs: GPU }, STATUS];
    match kind {
        Kind::Deployment | Kind::ReplicaSet | Kind::StatefulSet => SCALE,
        Kind::Pod => POD_SUBRESOURCES,
        Kind::Node
        | Kind::Namespace
        | Kind::Service
        | Kind::DaemonSet
        | Kind::Job
        | Kind::CronJob
        | Kind::PersistentVolume
        | Kind::PersistentVolumeClaim
        | Kind::PodDisruptionBudget => &[STATUS],
        _ => &[],
    }
}

/// The group-versions served, core first, in the order of [`Kind::ALL`].
fn group_versions() -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<(&str, &str)> = Vec::new();
    for kind in Kind::ALL {
        let i = kind.info();
        if !out.contains(&(i.group, i.version)) {
            out.push((i.group, i.version));
        }
    }
    out
}

fn kinds_in(group: &str, version: &str) -> Vec<Kind> {
    let mut kinds: Vec<Kind> =
        Kind::ALL.iter().copied().filter(|k| k.info().group == group && k.info().version == version).collect();
    kinds.sort_by_key(|k| k.info().plural);
    kinds
}

fn aggregated_resource(kind: Kind) -> Value {
    let i = kind.info();
    let mut r = json!({
        "resource": i.plural,
        "responseKind": {"group": "", "version": "", "kind": i.kind},
        "scope": if i.namespaced { "Namespaced" } else { "Cluster" },
        "singularResource": i.singular,
        "verbs": VERBS,
    });
    if !i.short_names.is_empty() {
        r["shortNames"] = json!(i.short_names);
    }
    if in_all_category(kind) {
        r["categories"] = json!(["all"]);
    }
    let subs: Vec<Value> = subresources(kind)
        .iter()
        .map(|s| {
            let response_kind = json!({"group": s.group, "version": s.version, "kind": s.kind.unwrap_or(i.kind)});
            json!({"subresource": s.name, "responseKind": response_kind, "verbs": s.verbs})
        })
        .collect();
    if !subs.is_empty() {
        r["subresources"] = Value::Array(subs);
    }
    r
}

/// `/api` (`core == true`) or `/apis` as an `APIGroupDiscoveryList`.
pub fn aggregated(core: bool) -> Value {
    let items: Vec<Value> = group_versions()
        .into_iter()
        .filter(|(g, _)| g.is_empty() == core)
        .map(|(group, version)| {
            let resources: Vec<Value> = kinds_in(group, version).into_iter().map(aggregated_resource).collect();
            let mut metadata = json!({"creationTimestamp": null});
            if !core {
                metadata["name"] = json!(group);
            }
            json!({
                "metadata": metadata,
                "versions": [{"version": version, "resources": resources, "freshness": "Current"}]
            })
        })
        .collect();
    json!({"kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": {}, "items": items})
}

/// Legacy `/api`.
pub fn api_versions(host: &str) -> Value {
    json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": host}]
    })
}

fn api_group(group: &str, version: &str) -> Value {
    let gv = json!({"groupVersion": format!("{group}/{version}"), "version": version});
    json!({"name": group, "versions": [gv.clone()], "preferredVersion": gv})
}

/// Legacy `/apis`.
pub fn api_group_list() -> Value {
    let groups: Vec<Value> =
        group_versions().into_iter().filter(|(g, _)| !g.is_empty()).map(|(g, v)| api_group(g, v)).collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

/// Legacy `/apis/<group>`, if the group is served.
pub fn group(name: &str) -> Option<Value> {
    let (g, v) = group_versions().into_iter().find(|(g, _)| !g.is_empty() && *g == name)?;
    let mut doc = api_group(g, v);
    doc["kind"] = json!("APIGroup");
    doc["apiVersion"] = json!("v1");
    Some(doc)
}

/// Legacy `/api/v1` or `/apis/<group>/<version>`, if served.
pub fn resource_list(group: &str, version: &str) -> Option<Value> {
    let kinds = kinds_in(group, version);
    if kinds.is_empty() {
        return None;
    }
    let mut resources = Vec::new();
    for kind in kinds {
        let i = kind.info();
        let mut r = json!({
            "name": i.plural, "singularName": i.singular, "namespaced": i.namespaced, "kind": i.kind,
            "verbs": VERBS,
        });
        if !i.short_names.is_empty() {
            r["shortNames"] = json!(i.short_names);
        }
        if in_all_category(kind) {
            r["categories"] = json!(["all"]);
        }
        resources.push(r);
        for sub in subresources(kind) {
            let mut r = json!({
                "name": format!("{}/{}", i.plural, sub.name), "singularName": "", "namespaced": i.namespaced,
            });
            if !sub.group.is_empty() {
                r["group"] = json!(sub.group);
                r["version"] = json!(sub.version);
            }
            r["kind"] = json!(sub.kind.unwrap_or(i.kind));
            r["verbs"] = json!(sub.verbs);
            resources.push(r);
        }
    }
    let group_version = if group.is_empty() { version.to_string() } else { format!("{group}/{version}") };
    let mut doc = json!({"kind": "APIResourceList", "groupVersion": group_version, "resources": resources});
    if !group.is_empty() {
        doc["apiVersion"] = json!("v1");
    }
    Some(doc)
}
