//! Table tests for ConfigMaps, Secrets, Namespaces, Nodes, PDBs and the storage kinds.

use serde_json::{json, Value};

use super::*;
use crate::admission::apply_defaults;
use crate::admission::validation::{validate_create, validate_update};
use crate::object::Object;

fn obj(kind: &str, body: Value) -> Object {
    let mut manifest = json!({"metadata": {"name": "x", "namespace": "default", "resourceVersion": "1"}});
    if let (Some(m), Some(b)) = (manifest.as_object_mut(), body.as_object()) {
        for (k, v) in b {
            m.insert(k.clone(), v.clone());
        }
    }
    let cluster_scoped = |mut m: Value| {
        if let Some(meta) = m["metadata"].as_object_mut() {
            meta.remove("namespace");
        }
        m
    };
    let parsed = match kind {
        "ConfigMap" => serde_json::from_value::<ConfigMap>(manifest).map(Object::from),
        "Secret" => serde_json::from_value::<Secret>(manifest).map(Object::from),
        "Namespace" => serde_json::from_value::<Namespace>(cluster_scoped(manifest)).map(Object::from),
        "Node" => serde_json::from_value::<Node>(cluster_scoped(manifest)).map(Object::from),
        "PodDisruptionBudget" => serde_json::from_value::<PodDisruptionBudget>(manifest).map(Object::from),
        "PersistentVolumeClaim" => {
            serde_json::from_value::<k8s_openapi::api::core::v1::PersistentVolumeClaim>(manifest).map(Object::from)
        }
        "PersistentVolume" => {
            serde_json::from_value::<k8s_openapi::api::core::v1::PersistentVolume>(cluster_scoped(manifest))
                .map(Object::from)
        }
        _ => serde_json::from_value::<k8s_openapi::api::storage::v1::StorageClass>(cluster_scoped(manifest))
            .map(Object::from),
    };
    let mut o = parsed.unwrap_or_else(|_| Object::from(ConfigMap::default()));
    apply_defaults(&mut o);
    o
}

fn messages(o: &Object) -> Vec<String> {
    validate_create(o).iter().map(|e| e.to_string()).collect()
}

#[test]
fn create_messages() {
    let big = "x".repeat(1024 * 1024 + 1);
    let cases: Vec<(Object, Vec<&str>)> = vec![
        (obj("ConfigMap", json!({"data": {"a.b-c_d": "1"}})), vec![]),
        (
            obj("ConfigMap", json!({"data": {"a b": "1"}})),
            vec!["data[a b]: Invalid value: \"a b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"],
        ),
        (obj("ConfigMap", json!({"data": {"k": big}})), vec!["[]: Too long: may not be more than 1048576 bytes"]),
        (
            obj("Secret", json!({"type": "kubernetes.io/tls", "stringData": {"tls.crt": "c"}})),
            vec!["data[tls.key]: Required value"],
        ),
        (
            obj("Secret", json!({"type": "kubernetes.io/dockerconfigjson", "stringData": {".dockerconfigjson": "{"}})),
            vec!["data[.dockerconfigjson]: Invalid value: \"<secret contents redacted>\": unexpected end of JSON input"],
        ),
        (
            obj("Secret", json!({"type": "kubernetes.io/dockerconfigjson", "stringData": {".dockerconfigjson": "x"}})),
            vec!["data[.dockerconfigjson]: Invalid value: \"<secret contents redacted>\": invalid character 'x' looking for beginning of value"],
        ),
        (
            obj("Secret", json!({"type": "kubernetes.io/basic-auth"})),
            vec!["data[username]: Required value", "data[password]: Required value"],
        ),
        (
            obj("Secret", json!({"type": "kubernetes.io/service-account-token"})),
            vec!["metadata.annotations[kubernetes.io/service-account.name]: Required value"],
        ),
        (
            obj("Namespace", json!({"metadata": {"name": "my.ns"}})),
            vec!["metadata.name: Invalid value: \"my.ns\": must not contain dots"],
        ),
        (
            obj("Node", json!({"spec": {"taints": [{"key": "k", "effect": "Sometimes"}]}})),
            vec!["spec.taints[0].effect: Unsupported value: \"Sometimes\": supported values: \"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\""],
        ),
        (
            obj("PodDisruptionBudget", json!({"spec": {"minAvailable": "120%", "selector": {"matchLabels": {"app": "web"}}}})),
            vec!["spec.minAvailable: Invalid value: \"120%\": must not be greater than 100%"],
        ),
        (
            obj("PersistentVolumeClaim", json!({"spec": {}})),
            vec!["spec.accessModes: Required value: at least 1 access mode is required", "spec.resources[storage]: Required value"],
        ),
        (
            obj("PersistentVolumeClaim", json!({"spec": {"accessModes": ["ReadWriteSometimes"], "resources": {"requests": {"storage": "0"}}}})),
            vec![
                "spec.accessModes: Unsupported value: \"ReadWriteSometimes\": supported values: \"ReadOnlyMany\", \"ReadWriteMany\", \"ReadWriteOnce\", \"ReadWriteOncePod\"",
                "spec.resources[storage]: Invalid value: \"0\": must be greater than zero",
            ],
        ),
        (
            obj("PersistentVolume", json!({"spec": {"accessModes": ["ReadWriteOnce"], "capacity": {"storage": "1Gi"}}})),
            vec!["spec: Required value: must specify a volume type"],
        ),
        (obj("StorageClass", json!({"provisioner": ""})), vec!["provisioner: Required value"]),
    ];
    for (o, want) in cases {
        assert_eq!(messages(&o), want);
    }
}

#[test]
fn update_messages() {
    let old = obj("ConfigMap", json!({"immutable": true, "data": {"a": "1"}}));
    let new = obj("ConfigMap", json!({"immutable": true, "data": {"a": "2"}}));
    let got: Vec<String> = validate_update(&old, &new).iter().map(|e| e.to_string()).collect();
    assert_eq!(got, ["data: Forbidden: field is immutable when `immutable` is set"]);
    let old = obj("Secret", json!({"type": "Opaque"}));
    let new = obj("Secret", json!({"type": "kubernetes.io/basic-auth", "stringData": {"username": "u"}}));
    let got: Vec<String> = validate_update(&old, &new).iter().map(|e| e.to_string()).collect();
    assert_eq!(got, ["type: Invalid value: \"kubernetes.io/basic-auth\": field is immutable"]);
    let claim = |size: &str| {
        obj(
            "PersistentVolumeClaim",
            json!({"spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}}}}),
        )
    };
    let got: Vec<String> = validate_update(&claim("1Gi"), &claim("2Gi")).iter().map(|e| e.to_string()).collect();
    assert_eq!(got, ["spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims"]);
    let sc = |p: &str| obj("StorageClass", json!({"provisioner": p}));
    let got: Vec<String> = validate_update(&sc("a.io/x"), &sc("b.io/x")).iter().map(|e| e.to_string()).collect();
    assert_eq!(got, ["provisioner: Forbidden: updates to provisioner are forbidden."]);
    let mut renamed = obj("ConfigMap", json!({}));
    renamed.metadata_mut().name = Some("y".into());
    renamed.metadata_mut().resource_version = None;
    let got: Vec<String> =
        validate_update(&obj("ConfigMap", json!({})), &renamed).iter().map(|e| e.to_string()).collect();
    assert_eq!(
        got,
        [
            "metadata.resourceVersion: Invalid value: \"\": must be specified for an update",
            "metadata.name: Invalid value: \"y\": field is immutable"
        ]
    );
}
