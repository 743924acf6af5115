use serde_json::json;

use super::*;
use crate::apiserver::{Request, RequestOptions, Verb};
use crate::Cluster;

fn create(c: &mut Cluster, kind: Kind, manager: &str, body: Value) -> crate::Object {
    let opts = RequestOptions { field_manager: Some(manager.into()), ..Default::default() };
    c.handle("kubectl", Request::new(Verb::Create, kind).namespace("default").body(body).options(opts))
        .object()
        .expect("create")
}

fn fields_of(obj: &crate::Object, manager: &str) -> Value {
    let json = obj.to_json();
    let entries = json["metadata"]["managedFields"].as_array().cloned().unwrap_or_default();
    entries.into_iter().find(|e| e["manager"] == manager).map(|e| e["fieldsV1"].clone()).unwrap_or(Value::Null)
}

/// `kubectl create deployment nginx --image=nginx` on a real apiserver (a captured `kubectl get deploy -o yaml`):
/// the defaults are the creator's, the fields the admission plugins add are no one's.
#[test]
fn a_created_deployment_is_encoded_as_a_real_apiserver_does() {
    let mut c = Cluster::new(0);
    let body = json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "nginx", "labels": {"app": "nginx"}},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "nginx"}}, "strategy": {},
            "template": {"metadata": {"labels": {"app": "nginx"}},
                "spec": {"containers": [{"name": "nginx", "image": "nginx", "resources": {}}]}}},
        "status": {}});
    let d = create(&mut c, Kind::Deployment, "kubectl-create", body);
    let want = json!({
      "f:metadata": {"f:labels": {".": {}, "f:app": {}}},
      "f:spec": {
        "f:progressDeadlineSeconds": {}, "f:replicas": {}, "f:revisionHistoryLimit": {}, "f:selector": {},
        "f:strategy": {"f:rollingUpdate": {".": {}, "f:maxSurge": {}, "f:maxUnavailable": {}}, "f:type": {}},
        "f:template": {
          "f:metadata": {"f:labels": {".": {}, "f:app": {}}},
          "f:spec": {
            "f:containers": {"k:{\"name\":\"nginx\"}": {".": {}, "f:image": {}, "f:imagePullPolicy": {}, "f:name": {},
              "f:resources": {}, "f:terminationMessagePath": {}, "f:terminationMessagePolicy": {}}},
            "f:dnsPolicy": {}, "f:restartPolicy": {}, "f:schedulerName": {}, "f:securityContext": {},
            "f:terminationGracePeriodSeconds": {}}}}});
    assert_eq!(fields_of(&d, "kubectl-create"), want);
    let entry = &d.to_json()["metadata"]["managedFields"][0];
    assert_eq!(entry["operation"], "Update");
    assert_eq!(entry["apiVersion"], "apps/v1");
    assert_eq!(entry["fieldsType"], "FieldsV1");
    assert_eq!(entry["time"], "2025-08-27T00:00:00Z");
}

/// `kubectl create configmap`/`secret`: a map field absent from the empty object is itself a member (`.`).
#[test]
fn maps_of_a_created_secret_are_members() {
    let mut c = Cluster::new(0);
    let body = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "basic-auth"},
        "data": {"auth": "Z2RoYQ=="}, "type": "Opaque"});
    let s = create(&mut c, Kind::Secret, "kubectl-create", body);
    assert_eq!(fields_of(&s, "kubectl-create"), json!({"f:data": {".": {}, "f:auth": {}}, "f:type": {}}));
}

#[test]
fn list_items_are_keyed_by_their_list_map_keys() {
    let pod = json!({"spec": {"containers": [{"name": "web", "ports": [{"containerPort": 80, "protocol": "TCP"}]}]},
        "metadata": {"finalizers": ["a/b"], "ownerReferences": [{"uid": "u1", "name": "x"}]}});
    let set = object_set(&pod).to_fields_v1();
    let c = &set["f:spec"]["f:containers"]["k:{\"name\":\"web\"}"];
    assert_eq!(c["f:ports"]["k:{\"containerPort\":80,\"protocol\":\"TCP\"}"]["f:protocol"], json!({}));
    assert_eq!(set["f:metadata"]["f:finalizers"]["v:\"a/b\""], json!({}));
    assert_eq!(set["f:metadata"]["f:ownerReferences"]["k:{\"uid\":\"u1\"}"][".".to_string()], json!({}));
}

#[test]
fn paths_print_as_fieldpath_does() {
    let pes = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(path_string(&pes(&["f:spec", "f:replicas"])), ".spec.replicas");
    assert_eq!(
        path_string(&pes(&["f:spec", "f:containers", "k:{\"name\":\"sample-container\"}", "f:image"])),
        ".spec.containers[name=\"sample-container\"].image"
    );
    assert_eq!(path_string(&pes(&["f:metadata", "f:labels", "f:app"])), ".metadata.labels.app");
}

#[test]
fn the_manager_of_a_client_without_field_manager_is_its_user_agent_prefix() {
    assert_eq!(manager_for_actor("kubectl/v1.34.0 (linux/amd64) kubernetes/abc"), "kubectl");
    assert_eq!(manager_for_actor("replicaset-controller"), "kube-controller-manager");
    assert_eq!(manager_for_actor("default-scheduler"), "kube-scheduler");
    assert_eq!(manager_for_actor("kubelet"), "kubelet");
    assert_eq!(manager_for_actor("Go-http-client/1.1"), "Go-http-client");
}

fn apply(c: &mut Cluster, manager: &str, force: bool, body: Value) -> Result<crate::Object, crate::ApiError> {
    let opts = RequestOptions {
        field_manager: Some(manager.into()),
        force,
        patch_type: Some(crate::apiserver::PatchType::Apply),
        ..Default::default()
    };
    let name = body["metadata"]["name"].as_str().unwrap().to_string();
    c.handle(
        "kubectl",
        Request::new(Verb::Patch, Kind::Deployment).namespace("default").name(name).body(body).options(opts),
    )
    .object()
}

fn web(replicas: i64, image: &str) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "nginx", "image": image}]}}}})
}

#[test]
fn server_side_apply_creates_conflicts_and_forces() {
    let mut c = Cluster::new(0);
    let d = apply(&mut c, "kubectl", false, web(2, "nginx:1.27")).expect("created by apply");
    let mine = fields_of(&d, "kubectl");
    assert_eq!(mine["f:spec"]["f:replicas"], json!({}));
    // Defaults belong to no one.
    assert!(mine["f:spec"].get("f:progressDeadlineSeconds").is_none());
    // Another manager changes replicas by an update: it takes the field.
    let opts = RequestOptions {
        field_manager: Some("kubectl-edit".into()),
        patch_type: Some(crate::apiserver::PatchType::Merge),
        ..Default::default()
    };
    c.handle(
        "kubectl",
        Request::new(Verb::Patch, Kind::Deployment)
            .namespace("default")
            .name("web")
            .body(json!({"spec": {"replicas": 5}}))
            .options(opts),
    )
    .object()
    .unwrap();
    // Re-applying the same value for replicas conflicts.
    let err = apply(&mut c, "kubectl", false, web(2, "nginx:1.27")).unwrap_err();
    assert_eq!(err.code, 409);
    assert_eq!(
        err.message,
        "Apply failed with 1 conflict: conflict with \"kubectl-edit\" using apps/v1: .spec.replicas"
    );
    // Agreeing with the live value is no conflict: both own it.
    let d = apply(&mut c, "kubectl", false, web(5, "nginx:1.27")).expect("co-owned");
    assert_eq!(fields_of(&d, "kubectl-edit")["f:spec"]["f:replicas"], json!({}));
    // Forcing takes it.
    let d = apply(&mut c, "kubectl", true, web(3, "nginx:1.27")).expect("forced");
    assert_eq!(d.to_json()["spec"]["replicas"], 3);
    assert_eq!(fields_of(&d, "kubectl-edit"), Value::Null);
    // A field the applier drops and no one else owns goes.
    let mut less = web(3, "nginx:1.27");
    less["metadata"]["labels"] = json!({"tier": "web"});
    apply(&mut c, "kubectl", false, less.clone()).unwrap();
    less["metadata"].as_object_mut().unwrap().remove("labels");
    let d = apply(&mut c, "kubectl", false, less).unwrap();
    assert!(d.to_json()["metadata"].get("labels").is_none(), "{}", d.to_json()["metadata"]);
}

/// The fast paths write and read the same `FieldsV1` text as the JSON value does: keys escaped as serde_json
/// escapes them, `.` first, `{}` leaves, and a string form read back into the same set.
#[test]
fn fields_v1_text_matches_the_json_value() {
    let texts = [
        r#"{}"#,
        r#"{"f:metadata":{"f:labels":{".":{},"f:app":{}}}}"#,
        r#"{"f:spec":{"f:containers":{"k:{\"name\":\"app\"}":{".":{},"f:image":{},"f:name":{}}}}}"#,
        r#"{"f:metadata":{"f:annotations":{"f:a\\b\u0001é":{}}},"f:status":{"f:conditions":{"k:{\"type\":\"Ready\"}":{".":{},"f:status":{}}}}}"#,
    ];
    for text in texts {
        let value: Value = serde_json::from_str(text).unwrap();
        let from_value = FieldSet::from_fields_v1(&value);
        let from_text = FieldSet::from_fields_v1(&Value::String(text.to_string()));
        assert_eq!(from_text, from_value, "{text}");
        assert_eq!(from_value.to_fields_v1_string(), from_value.to_fields_v1().to_string(), "{text}");
    }
    assert_eq!(FieldSet::from_fields_v1(&Value::String("not json".into())), FieldSet::default());
}

/// An entry no write touched keeps its stored text; one that lost a field is written again.
#[test]
fn untouched_entries_keep_their_text() {
    let text = r#"{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:x":{}}}"#;
    let stored = vec![ManagedFieldsEntry {
        api_version: Some("v1".into()),
        fields_type: Some("FieldsV1".into()),
        fields_v1: Some(FieldsV1(Value::String(text.into()))),
        manager: Some("a".into()),
        operation: Some("Update".into()),
        subresource: None,
        time: None,
    }];
    let same = encode(decode(Some(&stored))).unwrap();
    assert_eq!(same, stored);
    let mut entries = decode(Some(&stored));
    let mut gone = FieldSet::default();
    gone.insert(&["f:spec", "f:x"]);
    assert!(entries[0].set.difference(&gone));
    entries[0].encoded = None;
    let fewer = encode(entries).unwrap();
    assert_eq!(
        fewer[0].fields_v1,
        Some(FieldsV1(Value::String(r#"{"f:metadata":{"f:labels":{".":{},"f:app":{}}}}"#.into())))
    );
}

/// `fieldsV1` a client sends in its own form (here a string with spaces) is stored in the compact form: the
/// stored text an untouched entry keeps is only ever the server's own.
#[test]
fn client_sent_fields_are_stored_in_the_servers_form() {
    let mut c = Cluster::new(0);
    let body =
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "odd"}, "data": {"a": "1", "b": "2"}});
    let cm = create(&mut c, Kind::ConfigMap, "kubectl-create", body);
    // An update that brings its own entries, one of them in another form, and changes only `c`.
    let mut json = cm.to_json();
    json["metadata"]["managedFields"] = json!([{"manager": "someone", "operation": "Update", "apiVersion": "v1",
        "fieldsType": "FieldsV1", "fieldsV1": "{ \"f:data\" : { \"f:b\" : { } } }", "time": "2025-08-27T00:00:00Z"}]);
    json["data"]["c"] = json!("3");
    let opts = RequestOptions { field_manager: Some("editor".into()), ..Default::default() };
    let updated = c
        .handle(
            "kubectl",
            Request::new(Verb::Update, Kind::ConfigMap).namespace("default").name("odd").body(json).options(opts),
        )
        .object()
        .expect("update");
    assert_eq!(fields_of(&updated, "someone"), json!({"f:data": {"f:b": {}}}));
    let stored = c.get(Kind::ConfigMap, "default", "odd").unwrap().metadata().managed_fields.clone().unwrap();
    let someone = stored.iter().find(|e| e.manager.as_deref() == Some("someone")).unwrap();
    assert_eq!(someone.fields_v1.as_ref().unwrap().0, Value::String("{\"f:data\":{\"f:b\":{}}}".into()));
}
