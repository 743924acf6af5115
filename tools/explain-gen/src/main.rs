//! Regenerates `crates/engine/src/schema_data/types.txt`, the field documentation `kubectl explain` prints.
//!
//! The descriptions come from the official Kubernetes v1.34 OpenAPI definitions, as k8s-openapi 0.29 (feature
//! `v1_34`) exposes them through its `schemars` feature. Run by hand from the workspace root after bumping
//! k8s-openapi:
//!
//! ```text
//! cargo run --manifest-path tools/explain-gen/Cargo.toml -- crates/engine/src/schema_data/types.txt
//! ```
//!
//! With `--openapi DIR` it also writes OpenAPI v3 documents shaped as a v1.34 apiserver serves them
//! (`DIR/api/v1.json`, `DIR/apis/apps/v1.json`, …), so the output can be compared with a real kubectl pointed at a
//! stand-in server (`tools/explain-gen/fake_openapi_server.py`).
//!
//! The data file is line based so the wasm build parses it with a few lines of code and no extra dependency:
//!
//! ```text
//! K<TAB>kind<TAB>group<TAB>version<TAB>type                one line per supported kind
//! T<TAB>type<TAB>description                               one line per named type, followed by its fields
//! F<TAB>name<TAB>printed type<TAB>r?<TAB>target type<TAB>description<TAB>enum values joined by '|'
//! ```
//!
//! Type names drop the common `io.k8s.` prefix. In descriptions `\` is written `\\`, a newline `\n` and a tab `\t`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use k8s_openapi::api::{apps, batch, coordination, core, discovery, policy, storage};
use serde_json::{json, Map, Value};

/// The supported kinds with their group and version, in `engine::Kind::ALL` order.
fn kinds(generator: &mut schemars::SchemaGenerator) -> Vec<(&'static str, &'static str, &'static str, String)> {
    macro_rules! kinds {
        ($( $kind:literal, $group:literal, $version:literal, $ty:ty; )*) => {
            vec![$( ($kind, $group, $version, reference(&generator.subschema_for::<$ty>())) ),*]
        };
    }
    kinds! {
        "ConfigMap", "", "v1", core::v1::ConfigMap;
        "Endpoints", "", "v1", core::v1::Endpoints;
        "Event", "", "v1", core::v1::Event;
        "Namespace", "", "v1", core::v1::Namespace;
        "Node", "", "v1", core::v1::Node;
        "PersistentVolumeClaim", "", "v1", core::v1::PersistentVolumeClaim;
        "PersistentVolume", "", "v1", core::v1::PersistentVolume;
        "Pod", "", "v1", core::v1::Pod;
        "Secret", "", "v1", core::v1::Secret;
        "ServiceAccount", "", "v1", core::v1::ServiceAccount;
        "Service", "", "v1", core::v1::Service;
        "ControllerRevision", "apps", "v1", apps::v1::ControllerRevision;
        "DaemonSet", "apps", "v1", apps::v1::DaemonSet;
        "Deployment", "apps", "v1", apps::v1::Deployment;
        "ReplicaSet", "apps", "v1", apps::v1::ReplicaSet;
        "StatefulSet", "apps", "v1", apps::v1::StatefulSet;
        "CronJob", "batch", "v1", batch::v1::CronJob;
        "Job", "batch", "v1", batch::v1::Job;
        "Lease", "coordination.k8s.io", "v1", coordination::v1::Lease;
        "EndpointSlice", "discovery.k8s.io", "v1", discovery::v1::EndpointSlice;
        "PodDisruptionBudget", "policy", "v1", policy::v1::PodDisruptionBudget;
        "StorageClass", "storage.k8s.io", "v1", storage::v1::StorageClass;
    }
}

/// The definition name a `$ref` schema points at (`#/components/schemas/<name>`).
fn reference(schema: &impl serde::Serialize) -> String {
    let value = serde_json::to_value(schema).unwrap_or_default();
    ref_name(&value).unwrap_or_default()
}

fn ref_name(schema: &Value) -> Option<String> {
    let r = schema.get("$ref")?.as_str()?;
    Some(r.rsplit('/').next().unwrap_or(r).to_string())
}

fn short(name: &str) -> &str {
    name.strip_prefix("io.k8s.").unwrap_or(name)
}

fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('\n', "\\n").replace('\t', "\\t")
}

/// The type kubectl prints for a property, as the plaintext template's `typeGuess` computes it.
fn type_guess(schema: &Value, defs: &Map<String, Value>) -> String {
    if let Some(items) = schema.get("items") {
        return format!("[]{}", type_guess(items, defs));
    }
    if let Some(add) = schema.get("additionalProperties").filter(|a| a.is_object()) {
        return format!("map[string]{}", type_guess(add, defs));
    }
    if let Some(name) = ref_name(schema) {
        // A named type prints its name when it is an object (or has no type, like Quantity); a named
        // primitive such as Time prints its primitive type.
        return match defs.get(&name).and_then(|d| d.get("type")).and_then(Value::as_str) {
            None | Some("object") => name.rsplit('.').next().unwrap_or("Object").to_string(),
            Some(t) => t.to_string(),
        };
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("object") | None => "Object".to_string(),
        Some(t) => t.to_string(),
    }
}

/// The named type a property leads to, through arrays and maps.
fn target(schema: &Value) -> Option<String> {
    if let Some(items) = schema.get("items") {
        return target(items);
    }
    if let Some(add) = schema.get("additionalProperties").filter(|a| a.is_object()) {
        return target(add);
    }
    ref_name(schema)
}

fn data_file(kinds: &[(&str, &str, &str, String)], defs: &Map<String, Value>) -> String {
    let mut out = String::new();
    for (kind, group, version, ty) in kinds {
        let _ = writeln!(out, "K\t{kind}\t{group}\t{version}\t{}", short(ty));
    }
    for (name, def) in defs {
        let desc = def.get("description").and_then(Value::as_str).unwrap_or("");
        let _ = writeln!(out, "T\t{}\t{}", short(name), escape(desc));
        let required: Vec<&str> =
            def.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
        let Some(props) = def.get("properties").and_then(Value::as_object) else { continue };
        // kubectl ranges over a Go map: fields print in sorted order.
        let sorted: BTreeMap<&String, &Value> = props.iter().collect();
        for (field, schema) in sorted {
            let enums: Vec<String> = schema
                .get("enum")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|v| v.as_str().map_or_else(|| v.to_string(), String::from))
                .collect();
            let _ = writeln!(
                out,
                "F\t{field}\t{}\t{}\t{}\t{}\t{}",
                type_guess(schema, defs),
                if required.contains(&field.as_str()) { "r" } else { "" },
                target(schema).as_deref().map(short).unwrap_or(""),
                escape(schema.get("description").and_then(Value::as_str).unwrap_or("")),
                enums.join("|"),
            );
        }
    }
    out
}

/// Rewrites k8s-openapi's `{"$ref", "description"}` properties into the apiserver's
/// `{"description", "allOf": [{"$ref"}]}`, so kubectl sees the same shapes as from a real v1.34 server.
fn server_shape(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => {
            let mut out: Map<String, Value> = map.iter().map(|(k, v)| (k.clone(), server_shape(v))).collect();
            if out.contains_key("$ref") && out.contains_key("description") {
                let r = out.remove("$ref").unwrap_or_default();
                out.insert("allOf".into(), json!([{ "$ref": r }]));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(server_shape).collect()),
        other => other.clone(),
    }
}

fn write_openapi(dir: &str, kinds: &[(&str, &str, &str, String)], defs: &Map<String, Value>) -> std::io::Result<()> {
    let mut schemas = Map::new();
    for (name, def) in defs {
        let mut def = server_shape(def);
        if let Some((kind, group, version, _)) = kinds.iter().find(|k| &k.3 == name) {
            def["x-kubernetes-group-version-kind"] = json!([{ "group": group, "kind": kind, "version": version }]);
        }
        schemas.insert(name.clone(), def);
    }
    let mut docs: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    for (kind, group, version, _) in kinds {
        let prefix = if group.is_empty() { format!("api/{version}") } else { format!("apis/{group}/{version}") };
        let plural = plural(kind);
        let op = json!({ "get": { "x-kubernetes-group-version-kind": { "group": group, "kind": kind, "version": version } } });
        docs.entry(prefix.clone()).or_default().insert(format!("/{prefix}/{plural}"), op);
    }
    for (prefix, paths) in docs {
        let doc = json!({ "openapi": "3.0.0", "paths": paths, "components": { "schemas": schemas } });
        let path = format!("{dir}/{prefix}.json");
        if let Some(parent) = std::path::Path::new(&path).parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, serde_json::to_string(&doc).unwrap_or_default())?;
    }
    Ok(())
}

fn plural(kind: &str) -> String {
    let lower = kind.to_lowercase();
    match lower.as_str() {
        "endpoints" => lower,
        "storageclass" => "storageclasses".into(),
        "networkpolicy" => "networkpolicies".into(),
        "poddisruptionbudget" => "poddisruptionbudgets".into(),
        _ => format!("{lower}s"),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(out_path) = args.first() else {
        eprintln!("usage: explain-gen OUT.txt [--openapi DIR]");
        std::process::exit(2);
    };
    let mut generator = schemars::generate::SchemaSettings::openapi3().into_generator();
    let kinds = kinds(&mut generator);
    let mut defs = generator.definitions().clone();
    // k8s-openapi lists `metadata` as required on every resource type because its Rust field is not optional;
    // the apiserver's schemas do not, and kubectl would print `-required-` for it.
    for (_, _, _, ty) in &kinds {
        if let Some(Value::Array(required)) = defs.get_mut(ty).and_then(|d| d.get_mut("required")) {
            required.retain(|r| r != "metadata");
        }
    }
    let data = data_file(&kinds, &defs);
    if let Err(e) = std::fs::write(out_path, &data) {
        eprintln!("writing {out_path}: {e}");
        std::process::exit(1);
    }
    eprintln!("{out_path}: {} types, {} bytes", defs.len(), data.len());
    if let Some(pos) = args.iter().position(|a| a == "--openapi") {
        let Some(dir) = args.get(pos + 1) else {
            eprintln!("--openapi needs a directory");
            std::process::exit(2);
        };
        if let Err(e) = write_openapi(dir, &kinds, &defs) {
            eprintln!("writing {dir}: {e}");
            std::process::exit(1);
        }
    }
}
