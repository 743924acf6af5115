//! Table tests for pod and container validation: each case is a pod manifest (JSON, defaulted as the
//! apiserver defaults it) and the exact messages the apiserver answers with.

use k8s_openapi::api::core::v1::Pod;
use serde_json::{json, Value};

use super::*;
use crate::admission::apply_defaults;
use crate::object::Object;

const SUBDOMAIN_TAIL: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_TAIL: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

/// A defaulted pod from a manifest whose `spec` is merged over one nginx container.
fn pod(name: &str, spec: Value) -> Pod {
    let mut base = json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"containers": [{"name": "web", "image": "nginx"}]}
    });
    if let (Some(b), Some(extra)) = (base["spec"].as_object_mut(), spec.as_object()) {
        for (k, v) in extra {
            b.insert(k.clone(), v.clone());
        }
    }
    let parsed: Pod = serde_json::from_value(base).unwrap_or_default();
    let mut obj = Object::from(parsed);
    apply_defaults(&mut obj);
    match obj {
        Object::Pod(p) => *p,
        _ => Pod::default(),
    }
}

fn messages(p: &Pod) -> Vec<String> {
    validate_pod(p).iter().map(|e| e.to_string()).collect()
}

#[test]
fn pod_create_messages() {
    let sub = |v: &str| format!("metadata.name: Invalid value: \"{v}\": {SUBDOMAIN_TAIL}");
    let cases: Vec<(Pod, Vec<String>)> = vec![
        (pod("web", json!({})), vec![]),
        (pod("My_Pod", json!({})), vec![sub("My_Pod")]),
        (pod("web", json!({"containers": []})), vec!["spec.containers: Required value".into()]),
        (
            pod("web", json!({"containers": [{"name": "web"}]})),
            vec!["spec.containers[0].image: Required value".into()],
        ),
        (
            pod("web", json!({"containers": [{"name": "Web", "image": "nginx"}]})),
            vec![format!("spec.containers[0].name: Invalid value: \"Web\": {LABEL_TAIL}")],
        ),
        (
            pod("web", json!({"containers": [{"name": "a", "image": "x"}, {"name": "a", "image": "y"}]})),
            vec!["spec.containers[1].name: Duplicate value: \"a\"".into()],
        ),
        (
            pod("web", json!({"containers": [{"name": "a", "image": "x"}], "initContainers": [{"name": "a", "image": "y"}]})),
            vec!["spec.initContainers[0].name: Duplicate value: \"a\"".into()],
        ),
        (
            pod("web", json!({"restartPolicy": "Sometimes"})),
            vec!["spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\"".into()],
        ),
        (
            pod("web", json!({"dnsPolicy": "Cluster"})),
            vec!["spec.dnsPolicy: Unsupported value: \"Cluster\": supported values: \"ClusterFirstWithHostNet\", \"ClusterFirst\", \"Default\", \"None\"".into()],
        ),
        (
            pod("web", json!({"containers": [{"name": "web", "image": "nginx", "imagePullPolicy": "Sometimes"}]})),
            vec!["spec.containers[0].imagePullPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"IfNotPresent\", \"Never\"".into()],
        ),
        (
            pod("web", json!({"containers": [{"name": "web", "image": "nginx", "ports": [{"containerPort": 70000, "name": "this-name-is-too-long", "protocol": "HTTP"}]}]})),
            vec![
                "spec.containers[0].ports[0].name: Invalid value: \"this-name-is-too-long\": must be no more than 15 characters".into(),
                "spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive".into(),
                "spec.containers[0].ports[0].protocol: Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\"".into(),
            ],
        ),
        (
            pod("web", json!({"containers": [{"name": "web", "image": "nginx", "env": [{"name": "A=B", "value": "x"}, {"name": ""}]}]})),
            vec![
                "spec.containers[0].env[0].name: Invalid value: \"A=B\": a valid environment variable name must consist only of printable ASCII characters other than '='".into(),
                "spec.containers[0].env[1].name: Required value".into(),
            ],
        ),
        (
            pod("web", json!({"containers": [{"name": "web", "image": "nginx", "volumeMounts": [{"name": "x", "mountPath": "/x"}]}]})),
            vec!["spec.containers[0].volumeMounts[0].name: Not found: \"x\"".into()],
        ),
        (
            pod("web", json!({"containers": [{"name": "web", "image": "nginx", "resources": {"requests": {"cpu": "2"}, "limits": {"cpu": "1"}}}]})),
            vec!["spec.containers[0].resources.requests: Invalid value: \"2\": must be less than or equal to cpu limit of 1".into()],
        ),
        (
            pod("web", json!({"containers": [{"name": "web", "image": "nginx", "livenessProbe": {"periodSeconds": 5}}]})),
            vec!["spec.containers[0].livenessProbe: Required value: must specify a handler type".into()],
        ),
        (
            pod("web", json!({"containers": [{"name": "web", "image": "nginx", "readinessProbe": {"exec": {"command": ["true"]}, "tcpSocket": {"port": 80}}}]})),
            vec!["spec.containers[0].readinessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type".into()],
        ),
        (
            pod("web", json!({"containers": [{"name": "web", "image": " nginx"}]})),
            vec!["spec.containers[0].image: Invalid value: \" nginx\": must not have leading or trailing whitespace".into()],
        ),
        (
            pod("web", json!({"tolerations": [{"operator": "Equal", "value": "x"}]})),
            vec!["spec.tolerations[0].operator: Invalid value: \"Equal\": operator must be Exists when `key` is empty, which means \"match all values and all keys\"".into()],
        ),
        (
            pod("web", json!({"activeDeadlineSeconds": 0})),
            vec!["spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive".into()],
        ),
        (
            pod("web", json!({"ephemeralContainers": [{"name": "debug", "image": "busybox"}]})),
            vec!["spec.ephemeralContainers: Forbidden: cannot be set on create".into()],
        ),
    ];
    for (p, want) in cases {
        assert_eq!(messages(&p), want);
    }
}

#[test]
fn metadata_messages() {
    let mut p = pod("web", json!({}));
    p.metadata.labels = Some([("app".to_string(), "-bad".to_string()), ("a/b/c".to_string(), "x".to_string())].into());
    p.metadata.namespace = None;
    let got = messages(&p);
    assert_eq!(got[0], "metadata.namespace: Required value");
    assert!(
        got[1].starts_with("metadata.labels: Invalid value: \"a/b/c\": a qualified name must consist of"),
        "{}",
        got[1]
    );
    assert!(
        got[2].starts_with(
            "metadata.labels: Invalid value: \"-bad\": a valid label must be an empty string or consist of"
        ),
        "{}",
        got[2]
    );
    let mut unnamed = pod("", json!({}));
    unnamed.metadata.name = None;
    assert_eq!(messages(&unnamed), ["metadata.name: Required value: name or generateName is required"]);
    unnamed.metadata.generate_name = Some("web-".to_string());
    assert_eq!(messages(&unnamed), Vec::<String>::new());
}

#[test]
fn pod_update_messages() {
    let mut old = pod("web", json!({}));
    old.metadata.resource_version = Some("1".into());
    old.metadata.uid = Some("u".into());
    let mut image_change = old.clone();
    if let Some(c) = image_change.spec.as_mut().and_then(|s| s.containers.first_mut()) {
        c.image = Some("nginx:1.27".into());
    }
    assert!(validate_pod_update(&image_change, &old).is_empty());
    let mut port_change = old.clone();
    if let Some(c) = port_change.spec.as_mut().and_then(|s| s.containers.first_mut()) {
        c.ports = Some(vec![k8s_openapi::api::core::v1::ContainerPort {
            container_port: 80,
            protocol: Some("TCP".into()),
            ..Default::default()
        }]);
    }
    let got: Vec<String> = validate_pod_update(&port_change, &old).iter().map(|e| e.to_string()).collect();
    assert_eq!(got, ["spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"]);
    let mut removed = old.clone();
    if let Some(s) = removed.spec.as_mut() {
        s.containers.push(s.containers[0].clone());
    }
    let got: Vec<String> = validate_pod_update(&removed, &old).iter().map(|e| e.to_string()).collect();
    assert_eq!(
        got,
        [
            "spec.containers[1].name: Duplicate value: \"web\"",
            "spec.containers: Forbidden: pod updates may not add or remove containers"
        ]
    );
}
