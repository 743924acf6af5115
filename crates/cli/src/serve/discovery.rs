//! What the server says about itself: `/version`, API discovery (aggregated `apidiscovery.k8s.io/v2` and the
//! legacy `APIVersions`/`APIGroupList`/`APIResourceList` documents) and the OpenAPI documents kubectl reads
//! before `apply` and `create -f`.
//!
//! Everything is derived from [`Kind::ALL`], so a kind added to the engine is served without touching this file.

use engine::Kind;
use serde_json::{json, Value};

/// The `Content-Type` of an aggregated discovery answer; kubectl only accepts it under this exact type.
pub const AGGREGATED_CONTENT_TYPE: &str = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

/// The `Content-Type` kubectl expects from `/openapi/v2`.
pub const OPENAPI_V2_CONTENT_TYPE: &str = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";

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

/// The subresources the engine's kinds have on a real server (advertised so discovery looks real; the server
/// answers `status` and `scale` through the object itself).
fn subresources(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Deployment | Kind::ReplicaSet | Kind::StatefulSet => &["scale", "status"],
        Kind::Pod
        | Kind::Node
        | Kind::Namespace
        | Kind::Service
        | Kind::DaemonSet
        | Kind::Job
        | Kind::CronJob
        | Kind::PersistentVolume
        | Kind::PersistentVolumeClaim
        | Kind::PodDisruptionBudget => &["status"],
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
            let response_kind = if *s == "scale" {
                json!({"group": "autoscaling", "version": "v1", "kind": "Scale"})
            } else {
                json!({"group": "", "version": "", "kind": i.kind})
            };
            json!({"subresource": s, "responseKind": response_kind, "verbs": ["get", "patch", "update"]})
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
            let sub_kind = if *sub == "scale" { "Scale" } else { i.kind };
            resources.push(json!({
                "name": format!("{}/{sub}", i.plural), "singularName": "", "namespaced": i.namespaced,
                "kind": sub_kind, "verbs": ["get", "patch", "update"],
            }));
        }
    }
    let group_version = if group.is_empty() { version.to_string() } else { format!("{group}/{version}") };
    let mut doc = json!({"kind": "APIResourceList", "groupVersion": group_version, "resources": resources});
    if !group.is_empty() {
        doc["apiVersion"] = json!("v1");
    }
    Some(doc)
}

/// The path of a group-version's OpenAPI v3 document: `api/v1`, `apis/apps/v1`.
fn openapi_path(group: &str, version: &str) -> String {
    if group.is_empty() {
        format!("api/{version}")
    } else {
        format!("apis/{group}/{version}")
    }
}

/// `/openapi/v3`: one document per served group-version. The hash only has to change when the document does,
/// and the documents are fixed for a build.
pub fn openapi_v3_index() -> Value {
    let paths: serde_json::Map<String, Value> = group_versions()
        .into_iter()
        .map(|(g, v)| {
            let path = openapi_path(g, v);
            let url = format!("/openapi/v3/{path}?hash=KUBEGROUND{}", env!("CARGO_PKG_VERSION").replace('.', ""));
            (path, json!({"serverRelativeURL": url}))
        })
        .collect();
    json!({"paths": paths})
}

/// `/openapi/v3/<path>`: the PATCH operation of each kind with its group-version-kind and the `fieldValidation`
/// parameter. That is what kubectl looks for to leave validation to the server (`?fieldValidation=Strict`)
/// instead of validating client-side. There are no schemas: kubectl then computes `apply`'s strategic merge
/// patches from its compiled-in types, which gives the same patches for the built-in kinds.
pub fn openapi_v3(path: &str) -> Option<Value> {
    let (group, version) = group_versions().into_iter().find(|(g, v)| openapi_path(g, v) == path)?;
    let prefix = if group.is_empty() { format!("/api/{version}") } else { format!("/apis/{group}/{version}") };
    let mut paths = serde_json::Map::new();
    for kind in kinds_in(group, version) {
        let i = kind.info();
        let object_path = if i.namespaced {
            format!("{prefix}/namespaces/{{namespace}}/{}/{{name}}", i.plural)
        } else {
            format!("{prefix}/{}/{{name}}", i.plural)
        };
        let param =
            |name: &str| json!({"name": name, "in": "query", "schema": {"type": "string", "uniqueItems": true}});
        let gvk = json!({"group": group, "version": version, "kind": i.kind});
        paths.insert(
            object_path,
            json!({
                "patch": {
                    "operationId": format!("patch{}", i.kind),
                    "parameters": [param("dryRun"), param("fieldManager"), param("fieldValidation"), param("force")],
                    "responses": {"200": {"description": "OK"}},
                    "x-kubernetes-action": "patch",
                    "x-kubernetes-group-version-kind": gvk,
                }
            }),
        );
    }
    Some(json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": "v1.34.0"},
        "paths": paths,
        "components": {"schemas": {}}
    }))
}

/// `/openapi/v2` as a gnostic protobuf document holding only `swagger: "2.0"`: valid, with no definitions, so a
/// client falling back to it finds no schema and skips client-side validation.
pub fn openapi_v2() -> Vec<u8> {
    vec![0x0a, 0x03, b'2', b'.', b'0']
}
