//! Worked examples of strategic merge patches and `kubectl apply`, end to end: the patch kubectl computes
//! (`three_way_merge_patch`) and what the apiserver makes of it (`strategic_merge_patch`).

use super::*;
use serde_json::{json, Value};

const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// A Deployment `web` as the apiserver returns it: defaults filled in, status set, `extra` merged over it.
fn live_deployment(containers: Value, extra: Value) -> Value {
    let base = json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default", "uid": "u-1", "generation": 1, "labels": {"app": "web"}},
        "spec": {
            "replicas": 3, "selector": {"matchLabels": {"app": "web"}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": containers, "restartPolicy": "Always"}}
        },
        "status": {"replicas": 3, "conditions": [{"type": "Available", "status": "True"}]}
    });
    json_merge_patch(&base, &extra)
}

/// A manifest as kubectl sends it in `modified`: with the new last-applied annotation (the manifest itself).
fn manifest(spec: Value) -> (Value, Value) {
    let config = json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"annotations": {}, "labels": {"app": "web"}, "name": "web", "namespace": "default"},
        "spec": spec
    });
    let mut modified = config.clone();
    modified["metadata"]["annotations"][LAST_APPLIED] = Value::String(format!("{config}\n"));
    (config, modified)
}

fn template(containers: Value) -> Value {
    json!({"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": containers}}})
}

/// The live object after a previous `kubectl apply` of `config`.
fn applied(live: Value, config: &Value) -> Value {
    let annotation = json!({"metadata": {"annotations": {LAST_APPLIED: format!("{config}\n")}}});
    json_merge_patch(&live, &annotation)
}

/// kubectl apply: the patch, and the object the server makes of it.
fn apply(original: &Value, modified: &Value, current: &Value) -> (Value, Value) {
    let patch = three_way_merge_patch(Some(original), modified, current).unwrap();
    let result = strategic_merge_patch(current, &patch).unwrap();
    (patch, result)
}

fn without_annotation(mut patch: Value) -> Value {
    if let Some(metadata) = patch.get_mut("metadata").and_then(Value::as_object_mut) {
        metadata.remove("annotations");
        if metadata.is_empty() {
            patch.as_object_mut().map(|p| p.remove("metadata"));
        }
    }
    patch
}

/// The request `kubectl apply -f apply-demo-v2.yaml` sent (captured from kubectl v1.32 in
/// shared/k8s/kubectl-truth/out/08-apply-configured.txt): the label added, the annotation replaced.
#[test]
fn apply_matches_captured_kubectl_request() {
    let v1 = r#"{"apiVersion":"v1","kind":"Pod","metadata":{"annotations":{},"labels":{"app":"apply-demo"},"name":"apply-demo","namespace":"default"},"spec":{"containers":[{"image":"nginx:1.27","name":"nginx","ports":[{"containerPort":80}]}]}}"#;
    let v2 = r#"{"apiVersion":"v1","kind":"Pod","metadata":{"annotations":{},"labels":{"app":"apply-demo","tier":"frontend"},"name":"apply-demo","namespace":"default"},"spec":{"containers":[{"image":"nginx:1.27","name":"nginx","ports":[{"containerPort":80}]}]}}"#;
    let original: Value = serde_json::from_str(v1).unwrap();
    let mut modified: Value = serde_json::from_str(v2).unwrap();
    modified["metadata"]["annotations"][LAST_APPLIED] = json!(format!("{v2}\n"));
    let current = json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "apply-demo", "namespace": "default", "uid": "3c1f", "resourceVersion": "812",
            "labels": {"app": "apply-demo"}, "annotations": {LAST_APPLIED: format!("{v1}\n")}},
        "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27", "imagePullPolicy": "IfNotPresent",
            "ports": [{"containerPort": 80, "protocol": "TCP"}], "resources": {}}],
            "restartPolicy": "Always", "dnsPolicy": "ClusterFirst"},
        "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}
    });
    let captured = r#"{"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"annotations\":{},\"labels\":{\"app\":\"apply-demo\",\"tier\":\"frontend\"},\"name\":\"apply-demo\",\"namespace\":\"default\"},\"spec\":{\"containers\":[{\"image\":\"nginx:1.27\",\"name\":\"nginx\",\"ports\":[{\"containerPort\":80}]}]}}\n"},"labels":{"tier":"frontend"}}}"#;
    let patch = three_way_merge_patch(Some(&original), &modified, &current).unwrap();
    assert_eq!(patch, serde_json::from_str::<Value>(captured).unwrap());
    // Applying the same manifest again changes nothing: kubectl prints `unchanged` and sends no PATCH.
    let after = strategic_merge_patch(&current, &patch).unwrap();
    assert!(is_empty_patch(&three_way_merge_patch(Some(&modified_config(&modified)), &modified, &after).unwrap()));
}

fn modified_config(modified: &Value) -> Value {
    serde_json::from_str(modified["metadata"]["annotations"][LAST_APPLIED].as_str().unwrap_or("{}")).unwrap()
}

/// Worked examples of `kubectl apply`: (name, last applied, new manifest spec, live object before,
/// expected patch without the annotation, the fields to check in the result).
#[test]
fn kubectl_apply_examples() {
    let app = |image: &str, env: Value| json!({"name": "app", "image": image, "env": env});
    let env_ab = json!([{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]);
    let env_a = json!([{"name": "A", "value": "1"}]);
    let defaults = json!({"imagePullPolicy": "IfNotPresent", "terminationMessagePath": "/dev/termination-log"});
    let with_defaults = |c: Value| json_merge_patch(&defaults, &c);
    type Check = fn(&Value);
    let cases: Vec<(&str, Value, Value, Value, Value, Check)> = vec![
        (
            "removing an env var from the manifest deletes it",
            template(json!([app("nginx:1", env_ab.clone())])),
            template(json!([app("nginx:1", env_a.clone())])),
            live_deployment(json!([with_defaults(app("nginx:1", env_ab.clone()))]), json!({})),
            json!({"spec": {"template": {"spec": {
                "$setElementOrder/containers": [{"name": "app"}],
                "containers": [{"$setElementOrder/env": [{"name": "A"}], "env": [{"$patch": "delete", "name": "B"}], "name": "app"}]
            }}}}),
            |r| assert_eq!(r["spec"]["template"]["spec"]["containers"][0]["env"], json!([{"name": "A", "value": "1"}])),
        ),
        (
            "changing an image keeps a container someone else added",
            template(json!([app("nginx:1", env_a.clone())])),
            template(json!([app("nginx:2", env_a.clone())])),
            live_deployment(
                json!([with_defaults(app("nginx:1", env_a.clone())), {"name": "sidecar", "image": "envoy"}]),
                json!({}),
            ),
            json!({"spec": {"template": {"spec": {
                "$setElementOrder/containers": [{"name": "app"}],
                "containers": [{"image": "nginx:2", "name": "app"}]
            }}}}),
            |r| {
                let containers = &r["spec"]["template"]["spec"]["containers"];
                assert_eq!(containers[0]["image"], "nginx:2");
                assert_eq!(containers[0]["imagePullPolicy"], "IfNotPresent");
                assert_eq!(containers[1], json!({"name": "sidecar", "image": "envoy"}));
            },
        ),
        (
            "a label added by kubectl label survives apply",
            template(json!([app("nginx:1", env_a.clone())])),
            template(json!([app("nginx:1", env_a.clone())])),
            live_deployment(
                json!([with_defaults(app("nginx:1", env_a.clone()))]),
                json!({"metadata": {"labels": {"team": "blue"}}}),
            ),
            json!({}),
            |r| assert_eq!(r["metadata"]["labels"], json!({"app": "web", "team": "blue"})),
        ),
        (
            "replicas removed from the manifest are deleted (the server then defaults them)",
            json_merge_patch(&template(json!([app("nginx:1", env_a.clone())])), &json!({"replicas": 3})),
            template(json!([app("nginx:1", env_a.clone())])),
            live_deployment(json!([with_defaults(app("nginx:1", env_a.clone()))]), json!({})),
            json!({"spec": {"replicas": null}}),
            |r| assert_eq!(r["spec"].get("replicas"), None),
        ),
        (
            "ports merge by containerPort, in the manifest's order",
            template(json!([{"name": "app", "image": "nginx:1", "ports": [{"containerPort": 80}]}])),
            template(
                json!([{"name": "app", "image": "nginx:1", "ports": [{"containerPort": 80}, {"containerPort": 443}]}]),
            ),
            live_deployment(
                json!([with_defaults(
                    json!({"name": "app", "image": "nginx:1", "ports": [{"containerPort": 80, "protocol": "TCP"}]})
                )]),
                json!({}),
            ),
            json!({"spec": {"template": {"spec": {
                "$setElementOrder/containers": [{"name": "app"}],
                "containers": [{"$setElementOrder/ports": [{"containerPort": 80}, {"containerPort": 443}], "name": "app", "ports": [{"containerPort": 443}]}]
            }}}}),
            |r| {
                assert_eq!(
                    r["spec"]["template"]["spec"]["containers"][0]["ports"],
                    json!([{"containerPort": 80, "protocol": "TCP"}, {"containerPort": 443}])
                )
            },
        ),
        (
            "switching the strategy to Recreate clears rollingUpdate ($retainKeys)",
            template(json!([app("nginx:1", env_a.clone())])),
            json_merge_patch(
                &template(json!([app("nginx:1", env_a.clone())])),
                &json!({"strategy": {"type": "Recreate"}}),
            ),
            live_deployment(json!([with_defaults(app("nginx:1", env_a.clone()))]), json!({})),
            json!({"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}}),
            |r| assert_eq!(r["spec"]["strategy"], json!({"type": "Recreate"})),
        ),
        (
            "a volume's source switches kind ($retainKeys on volumes)",
            json_merge_patch(
                &template(json!([app("nginx:1", env_a.clone())])),
                &json!({"template": {"spec": {"volumes": [{"name": "data", "emptyDir": {}}]}}}),
            ),
            json_merge_patch(
                &template(json!([app("nginx:1", env_a.clone())])),
                &json!({"template": {"spec": {"volumes": [{"name": "data", "configMap": {"name": "cfg"}}]}}}),
            ),
            live_deployment(
                json!([with_defaults(app("nginx:1", env_a.clone()))]),
                json!({"spec": {"template": {"spec": {"volumes": [{"name": "data", "emptyDir": {}}]}}}}),
            ),
            json!({"spec": {"template": {"spec": {
                "$setElementOrder/volumes": [{"name": "data"}],
                "volumes": [{"$retainKeys": ["configMap", "name"], "configMap": {"name": "cfg"}, "emptyDir": null, "name": "data"}]
            }}}}),
            |r| {
                assert_eq!(
                    r["spec"]["template"]["spec"]["volumes"],
                    json!([{"name": "data", "configMap": {"name": "cfg"}}])
                )
            },
        ),
    ];
    for (name, last_spec, new_spec, live, want_patch, check) in cases {
        let (last, _) = manifest(last_spec);
        let (_, modified) = manifest(new_spec);
        let current = applied(live, &last);
        let (patch, result) = apply(&last, &modified, &current);
        assert_eq!(without_annotation(patch.clone()), want_patch, "{name}");
        if last != modified_config(&modified) {
            assert_eq!(
                patch["metadata"]["annotations"][LAST_APPLIED], modified["metadata"]["annotations"][LAST_APPLIED],
                "{name}"
            );
        } else {
            // Same manifest again: kubectl prints `unchanged`, whatever others changed.
            assert!(is_empty_patch(&patch), "{name}");
        }
        check(&result);
        // The status and server-set metadata are untouched.
        assert_eq!(result["status"], current["status"], "{name}");
        assert_eq!(result["metadata"]["uid"], "u-1", "{name}");
    }
}

#[test]
fn retain_keys_from_both_sides_must_agree() {
    // The last apply set rollingUpdate explicitly: it is deleted by name and by $retainKeys.
    let spec = |strategy: Value| {
        json_merge_patch(&template(json!([{"name": "app", "image": "x"}])), &json!({"strategy": strategy}))
    };
    let (last, _) = manifest(spec(json!({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}})));
    let (_, modified) = manifest(spec(json!({"type": "Recreate"})));
    let current = applied(
        live_deployment(
            json!([{"name": "app", "image": "x"}]),
            json!({"spec": {"strategy": {"rollingUpdate": {"maxSurge": 1}}}}),
        ),
        &last,
    );
    let (patch, result) = apply(&last, &modified, &current);
    assert_eq!(
        patch["spec"],
        json!({"strategy": {"$retainKeys": ["type"], "rollingUpdate": null, "type": "Recreate"}})
    );
    assert_eq!(result["spec"]["strategy"], json!({"type": "Recreate"}));
}

/// `kubectl patch` (strategic, the default) worked examples: (name, live pod spec, patch spec, result spec).
#[test]
fn kubectl_strategic_patches() {
    let pod = |spec: Value| json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec});
    let two = json!({"containers": [{"name": "a", "image": "x"}, {"name": "b", "image": "y"}]});
    let cases = [
        // The docs' example (tasks/manage-kubernetes-objects/update-api-object-kubectl-patch): the new
        // container comes out first, the live one after it.
        (
            "a new container is merged in, before the live ones",
            json!({"containers": [{"name": "patch-demo-ctr", "image": "nginx"}], "tolerations": [{"key": "dedicated", "value": "test-team", "effect": "NoSchedule"}]}),
            json!({"containers": [{"name": "patch-demo-ctr-2", "image": "redis"}]}),
            json!({"containers": [{"name": "patch-demo-ctr-2", "image": "redis"}, {"name": "patch-demo-ctr", "image": "nginx"}],
                "tolerations": [{"key": "dedicated", "value": "test-team", "effect": "NoSchedule"}]}),
        ),
        (
            "tolerations have no patch strategy: replaced",
            json!({"tolerations": [{"key": "dedicated", "value": "test-team", "effect": "NoSchedule"}]}),
            json!({"tolerations": [{"effect": "NoSchedule", "key": "disktype", "value": "ssd"}]}),
            json!({"tolerations": [{"effect": "NoSchedule", "key": "disktype", "value": "ssd"}]}),
        ),
        (
            "kubectl set image (captured request): one image changes, in place",
            two.clone(),
            json!({"$setElementOrder/containers": [{"name": "a"}, {"name": "b"}], "containers": [{"image": "x2", "name": "b"}]}),
            json!({"containers": [{"name": "a", "image": "x"}, {"name": "b", "image": "x2"}]}),
        ),
        (
            "$patch: delete removes a container",
            two.clone(),
            json!({"containers": [{"name": "a", "$patch": "delete"}]}),
            json!({"containers": [{"name": "b", "image": "y"}]}),
        ),
        (
            "$patch: replace replaces the whole list",
            two.clone(),
            json!({"containers": [{"name": "c", "image": "z"}, {"$patch": "replace"}]}),
            json!({"containers": [{"name": "c", "image": "z"}]}),
        ),
        (
            "$setElementOrder alone reorders",
            two.clone(),
            json!({"$setElementOrder/containers": [{"name": "b"}, {"name": "a"}]}),
            json!({"containers": [{"name": "b", "image": "y"}, {"name": "a", "image": "x"}]}),
        ),
        (
            "null deletes a field; nulls with nothing to delete are dropped",
            json!({"containers": [{"name": "a", "image": "x", "args": ["-v"]}]}),
            json!({"containers": [{"name": "a", "args": null}], "nodeSelector": {"disk": null, "zone": "a"}}),
            json!({"containers": [{"name": "a", "image": "x"}], "nodeSelector": {"zone": "a"}}),
        ),
        (
            "$patch: replace on a map replaces it",
            json!({"nodeSelector": {"disk": "ssd"}}),
            json!({"nodeSelector": {"$patch": "replace", "zone": "a"}}),
            json!({"nodeSelector": {"zone": "a"}}),
        ),
        (
            "$patch: delete on a map empties it",
            json!({"nodeSelector": {"disk": "ssd"}}),
            json!({"nodeSelector": {"$patch": "delete"}}),
            json!({"nodeSelector": {}}),
        ),
    ];
    for (name, live, patch, want) in cases {
        let result = strategic_merge_patch(&pod(live), &json!({"spec": patch})).unwrap();
        assert_eq!(result, pod(want), "{name}");
    }
}

#[test]
fn primitive_lists_and_retain_keys() {
    let cm = json!({"kind": "ConfigMap", "metadata": {"name": "c", "finalizers": ["a", "b"]}, "data": {"k": "v"}});
    let added = strategic_merge_patch(&cm, &json!({"metadata": {"finalizers": ["c", "a"]}})).unwrap();
    assert_eq!(added["metadata"]["finalizers"], json!(["c", "a", "b"]));
    let removed =
        strategic_merge_patch(&cm, &json!({"metadata": {"$deleteFromPrimitiveList/finalizers": ["a"]}})).unwrap();
    assert_eq!(removed["metadata"]["finalizers"], json!(["b"]));
    // An apply that drops a finalizer from the manifest.
    let modified = json!({"kind": "ConfigMap", "metadata": {"name": "c", "finalizers": ["b"]}});
    let patch = three_way_merge_patch(Some(&cm), &modified, &cm).unwrap();
    assert_eq!(
        patch,
        json!({"data": null, "metadata": {"$deleteFromPrimitiveList/finalizers": ["a"], "$setElementOrder/finalizers": ["b"]}})
    );
    assert_eq!(
        strategic_merge_patch(&cm, &patch).unwrap(),
        json!({"kind": "ConfigMap", "metadata": {"name": "c", "finalizers": ["b"]}})
    );
}

#[test]
fn strategic_patch_errors() {
    let deploy = live_deployment(json!([{"name": "a", "image": "x"}]), json!({}));
    let containers = |c: Value| json!({"spec": {"template": {"spec": {"containers": c}}}});
    let cases = [
        (containers(json!([{"image": "y"}])), "map: map[image:y] does not contain declared merge key: name"),
        (containers(json!([{"name": "a", "$patch": "merge"}])), "merging lists cannot yet be specified in the patch"),
        (
            containers(json!([{"name": "a", "$patch": "remove"}])),
            "unknown patch type: remove in map: map[$patch:remove name:a]",
        ),
        (containers(json!(["a"])), "list element types are not identical: [[map[image:x name:a]] [a]]"),
        (json!({"metadata": {"$patch": 1}}), "unknown patch type: %!s(int64=1) in map: map[$patch:1]"),
        (
            json!({"spec": {"strategy": {"$retainKeys": ["type"], "rollingUpdate": {}}}}),
            "invalid patch format of retainKeys",
        ),
        (json!({"spec": {"$setElementOrder": []}}), "invalid patch format of setElementOrder list"),
        (json!({"metadata": {"$deleteFromPrimitiveList": []}}), "invalid patch format of primitive list"),
        (
            json!({"spec": {"template": {"spec": {"$setElementOrder/containers": [{"name": "a"}], "containers": [{"name": "z"}]}}}}),
            "the order in patch list:\n[map[name:z]]\n doesn't match $setElementOrder list:\n[map[name:a]]",
        ),
        (json!([1]), "json: cannot unmarshal array into Go value of type map[string]interface {}"),
    ];
    for (patch, want) in cases {
        assert_eq!(strategic_merge_patch(&deploy, &patch), Err(want.to_string()), "{patch}");
    }
    let widget = json!({"kind": "Widget", "metadata": {"name": "w"}});
    assert_eq!(strategic_merge_patch(&widget, &json!({})), Err(ERR_STRATEGIC_NOT_SUPPORTED.to_string()));
}

/// How the apiserver answers each patch type's failures.
#[test]
fn apiserver_statuses() {
    let pod = json!({"kind": "Pod", "metadata": {"name": "p", "labels": {"a": "b"}}, "spec": {"containers": [{"name": "c"}]}});
    let status = |t: PatchType, patch: Value| apply_patch(&pod, t, &patch).map_err(|e| (e.code, e.reason, e.message));
    let rejected = "the server rejected our request due to an error in our request".to_string();
    assert_eq!(
        status(PatchType::Json, json!([{"op": "remove", "path": "/metadata/labels/x"}])),
        Err((422, "Invalid", rejected))
    );
    assert_eq!(
        status(PatchType::Json, json!({"op": "remove"})),
        Err((400, "BadRequest", "json: cannot unmarshal object into Go value of type jsonpatch.Patch".into()))
    );
    assert_eq!(status(PatchType::Merge, json!("x")), Err((400, "BadRequest", "Invalid JSON Patch".into())));
    assert_eq!(
        status(PatchType::Strategic, json!({"spec": {"containers": [{"image": "i"}]}})),
        Err((500, "", "map: map[image:i] does not contain declared merge key: name".into()))
    );
    assert_eq!(
        status(PatchType::Strategic, json!({"spec": {"$setElementOrder": []}})),
        Err((400, "BadRequest", "invalid patch format of setElementOrder list".into()))
    );
    let widget = json!({"kind": "Widget"});
    assert_eq!(apply_patch(&widget, PatchType::Strategic, &json!({})).map_err(|e| e.code), Err(415));
    let labeled = status(PatchType::Merge, json!({"metadata": {"labels": {"tier": "fe"}}})).unwrap();
    assert_eq!(labeled["metadata"]["labels"], json!({"a": "b", "tier": "fe"}));
    assert_eq!(
        PatchType::from_flag("strategic").map(PatchType::content_type),
        Some("application/strategic-merge-patch+json")
    );
}

/// Hostile inputs give errors or results, never a panic (Go itself panics on some of these, e.g. a null item
/// in a merge list, and the apiserver turns that into a 500).
#[test]
fn never_panics() {
    let originals = [
        live_deployment(json!([{"name": "a", "image": "x", "ports": [{"containerPort": 80}]}, null]), json!({})),
        json!({"kind": "Pod", "metadata": {"finalizers": ["a", {"b": 1}, null]}, "spec": {"containers": [[]]}}),
        json!({"kind": "Pod", "spec": null}),
        json!([1, 2]),
        json!(null),
    ];
    let patches = [
        json!({"spec": {"template": {"spec": {"containers": [null, {"name": null}, {"$patch": "delete"}, [], 1]}}}}),
        json!({"spec": {"template": {"spec": {"$setElementOrder/containers": [null, 1, {"name": "a"}], "containers": "x"}}}}),
        json!({"spec": {"$setElementOrder/template": {"a": 1}, "$retainKeys": "x", "$deleteFromPrimitiveList/replicas": [1]}}),
        json!({"metadata": {"$deleteFromPrimitiveList/finalizers": [{"a": 1}], "finalizers": [[1]], "$retainKeys": [1, null]}}),
        json!({"spec": {"containers": [{"name": "a", "$patch": "replace"}, {"$patch": "delete", "name": "zz"}], "$patch": null}}),
        json!({"$patch": "replace"}),
        json!({"metadata": {"$setElementOrder/finalizers": ["z", "a"], "finalizers": ["a", "q"]}}),
        json!({"spec": {"template": {"spec": {"containers": [{"name": "a", "ports": [{"containerPort": 80, "$patch": "delete"}, {"protocol": "x"}]}]}}}}),
        json!([{"op": "move", "from": "/spec", "path": "/spec/x"}, {"op": "copy", "from": "", "path": "/-"}]),
        json!([{"op": "add", "path": "/spec/template/spec/containers/-9999999999999999999999", "value": 1}]),
        json!([{"op": "remove", "path": "/spec/template/spec/containers/-1/ports/-1"}, {"op": "test", "path": 5}]),
        json!(null),
        json!("x"),
    ];
    for original in &originals {
        for patch in &patches {
            let _ = strategic_merge_patch(original, patch);
            let _ = json_patch(original, patch);
            let _ = json_merge_patch(original, patch);
            for t in [PatchType::Json, PatchType::Merge, PatchType::Strategic] {
                let _ = apply_patch(original, t, patch);
            }
            let _ = three_way_merge_patch(Some(patch), original, original);
            let _ = three_way_merge_patch(Some(original), patch, original);
            let _ = three_way_merge_patch(None, original, patch);
        }
    }
}
