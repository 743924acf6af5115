//! The OpenAPI documents, generated from the engine's API schema ([`engine::schema`]: every type of the supported
//! kinds with its fields, their types and documentation) and its strategic-merge-patch tags
//! ([`engine::patch::merge_strategy`]).
//!
//! * `/openapi/v3` lists one document per group-version; `/openapi/v3/api/v1`, `/openapi/v3/apis/apps/v1`, …
//!   hold the PATCH operation of each kind (with the `fieldValidation` parameter, which is how kubectl learns that
//!   the server validates fields itself and sends `?fieldValidation=Strict`) and the schemas reachable from the
//!   group-version's kinds, shaped as a v1.34 apiserver shapes them (`allOf: [{$ref}]` beside a description), so
//!   that the real `kubectl explain` renders exactly what the playground's `kubectl explain` prints.
//! * `/openapi/v2` is the Swagger 2.0 document with every definition, as JSON for clients that accept JSON and
//!   as gnostic protobuf (`application/com.github.proto-openapi.spec.v2@v1.0+protobuf`), the only form kubectl
//!   asks for (`kubectl explain --output=plaintext-openapiv2`, and apply's patch metadata).
//!
//! The PATCH operations carry no request body: kubectl then computes `apply`'s strategic merge patches from its
//! compiled-in types (the same tags these schemas carry), not from the served schema.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::OnceLock;

use engine::patch::{merge_strategy, ListStrategy, PatchMeta};
use engine::schema::{self, Docs, FieldDoc};
use serde_json::{json, Map, Value};

/// Definitions are named as the apiserver names them: the Go package path with `io.k8s.` in front.
fn full_name(short: &str) -> String {
    format!("io.k8s.{short}")
}

/// Which OpenAPI version a schema is written for: v3 refers to `#/components/schemas/` and wraps a described
/// reference in `allOf`; v2 refers to `#/definitions/` with the description beside the `$ref`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Version {
    V2,
    V3,
}

impl Version {
    fn reference(self, short: &str) -> String {
        match self {
            Version::V2 => format!("#/definitions/{}", full_name(short)),
            Version::V3 => format!("#/components/schemas/{}", full_name(short)),
        }
    }
}

/// What the schema data does not say directly, worked out once.
struct Facts {
    /// Named types that are primitives on the wire (`Time` is a string), from how fields referring to them print.
    primitive: HashMap<&'static str, &'static str>,
    /// The strategic-merge-patch tags of `(type, field)`.
    patch: HashMap<(&'static str, &'static str), PatchMeta>,
}

fn facts() -> &'static Facts {
    static FACTS: OnceLock<Facts> = OnceLock::new();
    FACTS.get_or_init(|| {
        let docs = schema::docs();
        let mut primitive = HashMap::new();
        for ty in docs.types.values() {
            for field in &ty.fields {
                let Some(target) = field.target else { continue };
                let base = base_type(field.ty);
                if base != last_segment(target) {
                    primitive.insert(target, base);
                }
            }
        }
        let mut patch = HashMap::new();
        for kind in &docs.kinds {
            let mut path = Vec::new();
            let mut stack = vec![kind.ty];
            collect_patch_tags(docs, kind.kind, kind.ty, &mut path, &mut stack, &mut patch);
        }
        Facts { primitive, patch }
    })
}

/// Walks a kind's types and records each field whose path carries a patch tag.
fn collect_patch_tags(
    docs: &'static Docs<'static>,
    kind: &str,
    ty: &'static str,
    path: &mut Vec<&'static str>,
    stack: &mut Vec<&'static str>,
    out: &mut HashMap<(&'static str, &'static str), PatchMeta>,
) {
    let Some(doc) = docs.type_doc(ty) else { return };
    for field in &doc.fields {
        path.push(field.name);
        let meta = merge_strategy(kind, path);
        if meta != PatchMeta::default() {
            out.entry((ty, field.name)).or_insert(meta);
        }
        if let Some(target) = field.target.filter(|t| !stack.contains(t)) {
            stack.push(target);
            collect_patch_tags(docs, kind, target, path, stack, out);
            stack.pop();
        }
        path.pop();
    }
}

/// `[]Container` → `Container`, `map[string]Quantity` → `Quantity`.
fn base_type(printed: &str) -> &str {
    let mut t = printed;
    loop {
        if let Some(rest) = t.strip_prefix("[]") {
            t = rest;
        } else if let Some(rest) = t.strip_prefix("map[string]") {
            t = rest;
        } else {
            return t;
        }
    }
}

fn last_segment(name: &str) -> &str {
    name.rsplit('.').next().unwrap_or(name)
}

/// The schema of a value printed as `printed` leading to the named type `target`, without description.
fn value_schema(printed: &str, target: Option<&str>, version: Version) -> Value {
    if let Some(rest) = printed.strip_prefix("[]") {
        return json!({"type": "array", "items": value_schema(rest, target, version)});
    }
    if let Some(rest) = printed.strip_prefix("map[string]") {
        return json!({"type": "object", "additionalProperties": value_schema(rest, target, version)});
    }
    match target {
        Some(t) => json!({"$ref": version.reference(t)}),
        None if printed == "Object" => json!({"type": "object"}),
        None => json!({"type": printed}),
    }
}

fn field_schema(owner: &str, field: &FieldDoc<'static>, version: Version) -> Value {
    let mut schema = value_schema(field.ty, field.target, version);
    if !field.description.is_empty() {
        if version == Version::V3 && schema.get("$ref").is_some() {
            schema = json!({"allOf": [schema]});
        }
        schema["description"] = json!(field.description);
    }
    if !field.enum_values.is_empty() {
        schema["enum"] = json!(field.enum_values);
    }
    if let Some(meta) = facts().patch.get(&(owner, field.name)) {
        let strategy = match (meta.list, meta.retain_keys) {
            (ListStrategy::Replace, true) => "retainKeys",
            (_, true) => "merge,retainKeys",
            _ => "merge",
        };
        schema["x-kubernetes-patch-strategy"] = json!(strategy);
        if let ListStrategy::MergeByKey(key) = meta.list {
            schema["x-kubernetes-patch-merge-key"] = json!(key);
        }
    }
    schema
}

/// The definition of the named type `name`.
fn type_schema(name: &'static str, version: Version) -> Value {
    let docs = schema::docs();
    let Some(doc) = docs.type_doc(name) else { return json!({}) };
    let mut schema = Map::new();
    if !doc.description.is_empty() {
        schema.insert("description".into(), json!(doc.description));
    }
    if doc.fields.is_empty() {
        // A type without fields is a primitive (Time), or a free-form value (Quantity, IntOrString: no type).
        if let Some(p) = facts().primitive.get(name) {
            schema.insert("type".into(), json!(p));
        } else if name.ends_with("FieldsV1") {
            schema.insert("type".into(), json!("object"));
        }
    } else {
        schema.insert("type".into(), json!("object"));
        let required: Vec<&str> = doc.fields.iter().filter(|f| f.required).map(|f| f.name).collect();
        if !required.is_empty() {
            schema.insert("required".into(), json!(required));
        }
        let properties: Map<String, Value> =
            doc.fields.iter().map(|f| (f.name.to_string(), field_schema(name, f, version))).collect();
        schema.insert("properties".into(), Value::Object(properties));
    }
    let gvks: Vec<Value> = docs
        .kinds
        .iter()
        .filter(|k| k.ty == name)
        .map(|k| json!({"group": k.group, "kind": k.kind, "version": k.version}))
        .collect();
    if !gvks.is_empty() {
        schema.insert("x-kubernetes-group-version-kind".into(), Value::Array(gvks));
    }
    Value::Object(schema)
}

/// Every named type reachable from `roots`, in name order.
fn reachable(roots: impl IntoIterator<Item = &'static str>) -> BTreeSet<&'static str> {
    let docs = schema::docs();
    let mut seen = BTreeSet::new();
    let mut todo: Vec<&'static str> = roots.into_iter().collect();
    while let Some(ty) = todo.pop() {
        if !seen.insert(ty) {
            continue;
        }
        if let Some(doc) = docs.type_doc(ty) {
            todo.extend(doc.fields.iter().filter_map(|f| f.target));
        }
    }
    seen
}

/// The group-versions served, core first, in the order of the schema's kinds.
fn group_versions() -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<(&str, &str)> = Vec::new();
    for kind in &schema::docs().kinds {
        if !out.contains(&(kind.group, kind.version)) {
            out.push((kind.group, kind.version));
        }
    }
    out
}

/// The path of a group-version's OpenAPI v3 document: `api/v1`, `apis/apps/v1`.
fn v3_path(group: &str, version: &str) -> String {
    if group.is_empty() {
        format!("api/{version}")
    } else {
        format!("apis/{group}/{version}")
    }
}

/// Changes whenever the documents can: they are fixed for a build.
fn hash() -> String {
    format!("KUBEGROUND{}", env!("CARGO_PKG_VERSION").replace('.', ""))
}

/// `/openapi/v3`: one document per served group-version.
pub fn v3_index() -> Value {
    let paths: Map<String, Value> = group_versions()
        .into_iter()
        .map(|(g, v)| {
            let path = v3_path(g, v);
            let url = format!("/openapi/v3/{path}?hash={}", hash());
            (path, json!({"serverRelativeURL": url}))
        })
        .collect();
    json!({"paths": paths})
}

/// `patchCoreV1NamespacedPod`, `patchStorageV1StorageClass`: the apiserver's operation ids.
fn operation_id(group: &str, version: &str, namespaced: bool, kind: &str) -> String {
    let camel = |s: &str| {
        let mut c = s.chars();
        c.next().map(|f| f.to_uppercase().chain(c).collect::<String>()).unwrap_or_default()
    };
    let group = if group.is_empty() { "Core" } else { group.split('.').next().unwrap_or(group) };
    let scope = if namespaced { "Namespaced" } else { "" };
    format!("patch{}{}{scope}{kind}", camel(group), camel(version))
}

/// The PATCH operation of a kind's object path, with the parameters kubectl looks for.
fn patch_operations(group: &str, version: &str) -> Map<String, Value> {
    let prefix = if group.is_empty() { format!("/api/{version}") } else { format!("/apis/{group}/{version}") };
    let mut paths = Map::new();
    for kind in engine::Kind::ALL.iter().filter(|k| k.info().group == group && k.info().version == version) {
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
                    "operationId": operation_id(group, version, i.namespaced, i.kind),
                    "parameters": [param("dryRun"), param("fieldManager"), param("fieldValidation"), param("force")],
                    "responses": {"200": {"description": "OK"}},
                    "x-kubernetes-action": "patch",
                    "x-kubernetes-group-version-kind": gvk,
                }
            }),
        );
    }
    paths
}

/// `/openapi/v3/<path>`, if `path` names a served group-version.
pub fn v3(path: &str) -> Option<&'static [u8]> {
    static DOCS: OnceLock<BTreeMap<String, Vec<u8>>> = OnceLock::new();
    let docs = DOCS.get_or_init(|| {
        group_versions()
            .into_iter()
            .map(|(group, version)| {
                let roots =
                    schema::docs().kinds.iter().filter(|k| k.group == group && k.version == version).map(|k| k.ty);
                let schemas: Map<String, Value> =
                    reachable(roots).into_iter().map(|t| (full_name(t), type_schema(t, Version::V3))).collect();
                let doc = json!({
                    "openapi": "3.0.0",
                    "info": {"title": "Kubernetes", "version": "v1.34.0"},
                    "paths": patch_operations(group, version),
                    "components": {"schemas": schemas},
                });
                (v3_path(group, version), serde_json::to_vec(&doc).unwrap_or_default())
            })
            .collect()
    });
    docs.get(path).map(Vec::as_slice)
}

/// The Swagger 2.0 document as JSON.
pub fn v2_json() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| {
        let roots = schema::docs().kinds.iter().map(|k| k.ty);
        let definitions: Map<String, Value> =
            reachable(roots).into_iter().map(|t| (full_name(t), type_schema(t, Version::V2))).collect();
        let mut paths = Map::new();
        for (g, v) in group_versions() {
            paths.extend(patch_operations(g, v).into_iter().map(|(path, mut item)| {
                // v2 parameters carry their type directly.
                if let Some(params) = item.pointer_mut("/patch/parameters").and_then(Value::as_array_mut) {
                    for p in params {
                        p["type"] = json!("string");
                        p.as_object_mut().map(|m| m.remove("schema"));
                    }
                }
                (path, item)
            }));
        }
        json!({
            "swagger": "2.0",
            "info": {"title": "Kubernetes", "version": "v1.34.0"},
            "paths": paths,
            "definitions": definitions,
        })
    })
}

/// The Swagger 2.0 document as gnostic's `openapi.v2.Document` protobuf.
pub fn v2_protobuf() -> &'static [u8] {
    static DOC: OnceLock<Vec<u8>> = OnceLock::new();
    DOC.get_or_init(|| gnostic::document(v2_json()))
}

/// The gnostic `openapi_v2` protobuf messages this server writes (field numbers from `OpenAPIv2.proto`).
mod gnostic {
    use serde_json::{Map, Value};

    fn varint(out: &mut Vec<u8>, mut v: u64) {
        while v >= 0x80 {
            out.push((v as u8) | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }

    fn bytes(out: &mut Vec<u8>, field: u64, data: &[u8]) {
        varint(out, field << 3 | 2);
        varint(out, data.len() as u64);
        out.extend_from_slice(data);
    }

    fn string(out: &mut Vec<u8>, field: u64, s: &str) {
        if !s.is_empty() {
            bytes(out, field, s.as_bytes());
        }
    }

    /// `openapi.v2.Any` holding `value` as YAML (JSON is YAML).
    fn any(value: &Value) -> Vec<u8> {
        let mut out = Vec::new();
        string(&mut out, 2, &value.to_string());
        out
    }

    /// `NamedAny { name = 1; value = 2 }`.
    fn named_any(name: &str, value: &Value) -> Vec<u8> {
        let mut out = Vec::new();
        string(&mut out, 1, name);
        bytes(&mut out, 2, &any(value));
        out
    }

    fn named(name: &str, message: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        string(&mut out, 1, name);
        bytes(&mut out, 2, message);
        out
    }

    /// `openapi.v2.Schema`.
    pub fn schema(s: &Value) -> Vec<u8> {
        let mut out = Vec::new();
        let text = |key: &str| s.get(key).and_then(Value::as_str).unwrap_or("");
        string(&mut out, 1, text("$ref"));
        string(&mut out, 2, text("format"));
        string(&mut out, 4, text("description"));
        for r in s.get("required").and_then(Value::as_array).into_iter().flatten() {
            string(&mut out, 19, r.as_str().unwrap_or(""));
        }
        for e in s.get("enum").and_then(Value::as_array).into_iter().flatten() {
            bytes(&mut out, 20, &any(e));
        }
        if let Some(add) = s.get("additionalProperties") {
            let mut item = Vec::new();
            bytes(&mut item, 1, &schema(add));
            bytes(&mut out, 21, &item);
        }
        if let Some(t) = s.get("type").and_then(Value::as_str) {
            let mut item = Vec::new();
            string(&mut item, 1, t);
            bytes(&mut out, 22, &item);
        }
        if let Some(items) = s.get("items") {
            let mut item = Vec::new();
            bytes(&mut item, 1, &schema(items));
            bytes(&mut out, 23, &item);
        }
        for a in s.get("allOf").and_then(Value::as_array).into_iter().flatten() {
            bytes(&mut out, 24, &schema(a));
        }
        if let Some(props) = s.get("properties").and_then(Value::as_object) {
            bytes(&mut out, 25, &named_schemas(props));
        }
        if let Some(m) = s.as_object() {
            for (k, v) in m.iter().filter(|(k, _)| k.starts_with("x-")) {
                bytes(&mut out, 31, &named_any(k, v));
            }
        }
        out
    }

    /// `Properties` / `Definitions`: `repeated NamedSchema additional_properties = 1`.
    fn named_schemas(map: &Map<String, Value>) -> Vec<u8> {
        let mut out = Vec::new();
        for (name, s) in map {
            bytes(&mut out, 1, &named(name, &schema(s)));
        }
        out
    }

    /// `openapi.v2.Operation`: the operation id, the query parameters and the vendor extensions.
    fn operation(op: &Value) -> Vec<u8> {
        let mut out = Vec::new();
        string(&mut out, 5, op.get("operationId").and_then(Value::as_str).unwrap_or(""));
        for p in op.get("parameters").and_then(Value::as_array).into_iter().flatten() {
            // ParametersItem { Parameter = 1 } → Parameter { NonBodyParameter = 2 } →
            // NonBodyParameter { QueryParameterSubSchema = 3 } { in = 2, name = 4, type = 6 }.
            let mut query = Vec::new();
            string(&mut query, 2, "query");
            string(&mut query, 4, p.get("name").and_then(Value::as_str).unwrap_or(""));
            string(&mut query, 6, p.get("type").and_then(Value::as_str).unwrap_or("string"));
            let mut non_body = Vec::new();
            bytes(&mut non_body, 3, &query);
            let mut parameter = Vec::new();
            bytes(&mut parameter, 2, &non_body);
            let mut item = Vec::new();
            bytes(&mut item, 1, &parameter);
            bytes(&mut out, 8, &item);
        }
        if let Some(m) = op.as_object() {
            for (k, v) in m.iter().filter(|(k, _)| k.starts_with("x-")) {
                bytes(&mut out, 13, &named_any(k, v));
            }
        }
        out
    }

    /// `openapi.v2.Document`: swagger, info, paths (PATCH operations only) and definitions.
    pub fn document(doc: &Value) -> Vec<u8> {
        let mut out = Vec::new();
        string(&mut out, 1, doc["swagger"].as_str().unwrap_or("2.0"));
        let mut info = Vec::new();
        string(&mut info, 1, doc.pointer("/info/title").and_then(Value::as_str).unwrap_or(""));
        string(&mut info, 2, doc.pointer("/info/version").and_then(Value::as_str).unwrap_or(""));
        bytes(&mut out, 2, &info);
        let mut paths = Vec::new();
        for (path, item) in doc["paths"].as_object().into_iter().flatten() {
            let mut path_item = Vec::new();
            if let Some(patch) = item.get("patch") {
                bytes(&mut path_item, 8, &operation(patch));
            }
            bytes(&mut paths, 2, &named(path, &path_item));
        }
        bytes(&mut out, 8, &paths);
        if let Some(defs) = doc["definitions"].as_object() {
            bytes(&mut out, 9, &named_schemas(defs));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v3_doc(path: &str) -> Value {
        serde_json::from_slice(v3(path).expect("served")).expect("JSON")
    }

    #[test]
    fn the_v3_index_lists_every_group_version_and_each_document_is_served() {
        let index = v3_index();
        let paths = index["paths"].as_object().expect("paths");
        assert!(paths.contains_key("api/v1") && paths.contains_key("apis/apps/v1"));
        for path in paths.keys() {
            assert!(v3(path).is_some(), "{path}");
        }
        assert!(v3("apis/nothing/v1").is_none());
    }

    #[test]
    fn schemas_are_shaped_as_the_apiserver_shapes_them() {
        let doc = v3_doc("apis/apps/v1");
        let schemas = &doc["components"]["schemas"];
        let deployment = &schemas["io.k8s.api.apps.v1.Deployment"];
        assert_eq!(
            deployment["x-kubernetes-group-version-kind"],
            json!([{"group": "apps", "kind": "Deployment", "version": "v1"}])
        );
        let spec = &deployment["properties"]["spec"];
        assert_eq!(spec["allOf"], json!([{"$ref": "#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec"}]));
        assert_eq!(spec["description"], "Specification of the desired behavior of the Deployment.");
        assert_eq!(schemas["io.k8s.api.apps.v1.DeploymentSpec"]["required"], json!(["selector", "template"]));
        // Reached through the pod template; the core group's document is not needed to explain a Deployment.
        let containers = &schemas["io.k8s.api.core.v1.PodSpec"]["properties"]["containers"];
        assert_eq!(containers["items"], json!({"$ref": "#/components/schemas/io.k8s.api.core.v1.Container"}));
        assert_eq!(containers["x-kubernetes-patch-merge-key"], "name");
        assert_eq!(containers["x-kubernetes-patch-strategy"], "merge");
        let volumes = &schemas["io.k8s.api.core.v1.PodSpec"]["properties"]["volumes"];
        assert_eq!(volumes["x-kubernetes-patch-strategy"], "merge,retainKeys");
        assert_eq!(schemas["io.k8s.apimachinery.pkg.apis.meta.v1.Time"]["type"], "string");
        assert!(schemas["io.k8s.apimachinery.pkg.util.intstr.IntOrString"].get("type").is_none());
        let labels = &schemas["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]["properties"]["labels"];
        assert_eq!(labels["additionalProperties"], json!({"type": "string"}));
        // Only what the group's kinds reach.
        assert!(schemas.get("io.k8s.api.core.v1.Node").is_none());
        assert!(doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"].is_object());
    }

    #[test]
    fn v2_refers_to_definitions_with_the_description_beside_the_ref() {
        let doc = v2_json();
        let spec = &doc["definitions"]["io.k8s.api.core.v1.Pod"]["properties"]["spec"];
        assert_eq!(spec["$ref"], "#/definitions/io.k8s.api.core.v1.PodSpec");
        assert!(spec["description"].as_str().is_some_and(|d| !d.is_empty()));
    }

    #[test]
    fn v2_protobuf_starts_with_the_swagger_version_and_holds_every_definition() {
        let pb = v2_protobuf();
        assert_eq!(&pb[..5], &[0x0a, 0x03, b'2', b'.', b'0']);
        let needle = b"io.k8s.api.apps.v1.Deployment";
        assert!(pb.windows(needle.len()).any(|w| w == needle));
        // A schema with a type, a description and a required field, byte for byte.
        let s = gnostic::schema(&json!({"description": "d", "type": "object", "required": ["a"]}));
        assert_eq!(s, [0x22, 1, b'd', 0x9a, 0x01, 1, b'a', 0xb2, 0x01, 8, 0x0a, 6, b'o', b'b', b'j', b'e', b'c', b't']);
    }
}
