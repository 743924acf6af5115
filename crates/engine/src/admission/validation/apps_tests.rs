//! Table tests for the apps/v1 kinds: each case is a defaulted manifest and the exact messages.

use serde_json::{json, Value};

use super::*;
use crate::admission::apply_defaults;
use crate::admission::validation::{validate_create, validate_update};
use crate::object::Object;

/// A defaulted object of `kind` from a manifest body (metadata name `web` in `default`).
fn obj(kind: &str, spec: Value) -> Object {
    let manifest = json!({"metadata": {"name": "web", "namespace": "default"}, "spec": spec});
    let mut o = match kind {
        "Deployment" => serde_json::from_value::<Deployment>(manifest).map(Object::from),
        "ReplicaSet" => serde_json::from_value::<ReplicaSet>(manifest).map(Object::from),
        "StatefulSet" => serde_json::from_value::<StatefulSet>(manifest).map(Object::from),
        _ => serde_json::from_value::<DaemonSet>(manifest).map(Object::from),
    }
    .unwrap_or_else(|_| Object::from(Deployment::default()));
    apply_defaults(&mut o);
    o
}

fn template(labels: Value) -> Value {
    json!({"metadata": {"labels": labels}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}})
}

fn messages(o: &Object) -> Vec<String> {
    validate_create(o).iter().map(|e| e.to_string()).collect()
}

#[test]
fn workload_create_messages() {
    let sel = json!({"matchLabels": {"app": "web"}});
    let cases: Vec<(Object, Vec<&str>)> = vec![
        (obj("Deployment", json!({"selector": sel, "template": template(json!({"app": "web"}))})), vec![]),
        (
            obj("Deployment", json!({"selector": sel, "template": template(json!({"app": "x"}))})),
            vec!["spec.template.metadata.labels: Invalid value: {\"app\":\"x\"}: `selector` does not match template `labels`"],
        ),
        (
            obj("Deployment", json!({"template": template(json!({"app": "x"}))})),
            vec!["spec.selector: Required value", "spec.template.metadata.labels: Invalid value: {\"app\":\"x\"}: `selector` does not match template `labels`"],
        ),
        (
            obj("Deployment", json!({"replicas": -1, "selector": sel, "template": template(json!({"app": "web"}))})),
            vec!["spec.replicas: Invalid value: -1: must be greater than or equal to 0"],
        ),
        (
            obj("Deployment", json!({"selector": sel, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"restartPolicy": "Never", "containers": [{"name": "web", "image": "nginx"}]}}})),
            vec!["spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\""],
        ),
        (
            obj("Deployment", json!({"selector": sel, "template": template(json!({"app": "web"})), "strategy": {"rollingUpdate": {"maxSurge": 0, "maxUnavailable": 0}}})),
            vec!["spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0"],
        ),
        (
            obj("Deployment", json!({"selector": sel, "template": template(json!({"app": "web"})), "strategy": {"rollingUpdate": {"maxUnavailable": "150%"}}})),
            vec!["spec.strategy.rollingUpdate.maxUnavailable: Invalid value: \"150%\": must not be greater than 100%"],
        ),
        (
            obj("Deployment", json!({"selector": sel, "template": template(json!({"app": "web"})), "minReadySeconds": 700})),
            vec!["spec.progressDeadlineSeconds: Invalid value: 600: must be greater than minReadySeconds"],
        ),
        (
            obj("ReplicaSet", json!({"selector": sel, "template": template(json!({"app": "web"}))})),
            vec![],
        ),
        (
            obj("StatefulSet", json!({"selector": sel, "serviceName": "web", "template": template(json!({"app": "web"}))})),
            vec![],
        ),
        (
            obj("StatefulSet", json!({"selector": sel, "template": template(json!({"app": "db"}))})),
            vec!["spec.template.metadata.labels: Invalid value: {\"app\":\"db\"}: `selector` does not match template `labels`"],
        ),
        (obj("DaemonSet", json!({"selector": sel, "template": template(json!({"app": "web"}))})), vec![]),
        (
            obj("DaemonSet", json!({"selector": sel, "template": template(json!({"app": "web"})), "updateStrategy": {"rollingUpdate": {"maxSurge": 1}}})),
            vec!["spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero"],
        ),
    ];
    for (o, want) in cases {
        assert_eq!(messages(&o), want);
    }
}

#[test]
fn workload_update_messages() {
    let sel = json!({"matchLabels": {"app": "web"}});
    let with_rv = |mut o: Object| {
        o.metadata_mut().resource_version = Some("1".into());
        o
    };
    let old =
        with_rv(obj("Deployment", json!({"selector": sel, "template": template(json!({"app": "web", "tier": "a"}))})));
    let new = with_rv(obj(
        "Deployment",
        json!({"selector": {"matchLabels": {"app": "web", "tier": "a"}}, "template": template(json!({"app": "web", "tier": "a"}))}),
    ));
    let got: Vec<String> = validate_update(&old, &new).iter().map(|e| e.to_string()).collect();
    assert_eq!(
        got,
        ["spec.selector: Invalid value: {\"matchLabels\":{\"app\":\"web\",\"tier\":\"a\"}}: field is immutable"]
    );
    let old = with_rv(obj(
        "StatefulSet",
        json!({"selector": sel, "serviceName": "a", "template": template(json!({"app": "web"}))}),
    ));
    let new = with_rv(obj(
        "StatefulSet",
        json!({"selector": sel, "serviceName": "b", "template": template(json!({"app": "web"}))}),
    ));
    let got: Vec<String> = validate_update(&old, &new).iter().map(|e| e.to_string()).collect();
    assert_eq!(got, ["spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"]);
}
