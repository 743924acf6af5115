//! Configuration, networking and storage objects compared byte for byte with real kubectl's output
//! (see `captures_pods`), and the kinds without a capture checked against describe.go's layout.

use serde_json::json;

use engine::Object;

use super::testutil::{ago, event, now_at, object, Objects};
use super::{describe, describe_prefix_matches};

#[test]
fn config_map_in_key_order() {
    let cm = object(json!({
        "kind": "ConfigMap", "apiVersion": "v1",
        "metadata": {"name": "app-config", "namespace": "default", "uid": "75be5c68-f642-48ca-a49e-7e6a746d434c",
            "labels": {"app": "web"}},
        "data": {"app.properties": "color=blue\nmode=production\nmax_connections=100\n", "LOG_LEVEL": "info"},
        "binaryData": {"logo.png": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="},
    }));
    let out = describe(&cm, &Objects(vec![cm.clone()]), 0);
    // kubectl ranges over a Go map, so its key order is random; this capture printed `app.properties`
    // first. Key order (`LOG_LEVEL` first) is the other order real kubectl prints.
    let capture = include_str!("testdata/05-describe-configmap-app-config.txt");
    let props = "app.properties:\n----\ncolor=blue\nmode=production\nmax_connections=100\n\n\n";
    let level = "LOG_LEVEL:\n----\ninfo\n\n";
    assert!(capture.contains(&format!("{props}{level}")));
    assert_eq!(out, capture.replace(&format!("{props}{level}"), &format!("{level}{props}")));
}

fn secret(name: &str, type_: &str, labels: serde_json::Value, data: serde_json::Value) -> Object {
    object(json!({"kind": "Secret", "apiVersion": "v1", "type": type_, "data": data,
        "metadata": {"name": name, "namespace": "default", "labels": labels}}))
}

#[test]
fn secrets_show_sizes_not_values() {
    let db = secret(
        "db-credentials",
        "Opaque",
        json!({"app": "db"}),
        json!({"password": "czNjcjN0LXBhc3N3MHJk", "username": "cG9zdGdyZXM="}),
    );
    assert_eq!(describe(&db, &Objects::default(), 0), include_str!("testdata/05-describe-secret-db-credentials.txt"));
    let tls = secret(
        "web-tls",
        "kubernetes.io/tls",
        json!({}),
        json!({"tls.crt": format!("{}eHg=", "eHh4".repeat(26)), "tls.key": format!("{}eXk=", "eXl5".repeat(36))}),
    );
    assert_eq!(describe(&tls, &Objects::default(), 0), include_str!("testdata/05-describe-secret-web-tls.txt"));
    let token = secret(
        "sa-token",
        "kubernetes.io/service-account-token",
        json!({}),
        json!({"token": "ZXlKaGJHYw==", "ca.crt": "AAAA"}),
    );
    let out = describe(&token, &Objects::default(), 0);
    assert!(out.ends_with("Data\n====\nca.crt:  3 bytes\ntoken:   eyJhbGc\n"), "{out}");
}

fn service(name: &str, uid: &str, cluster_ip: &str, port_name: Option<&str>, port: i32) -> Object {
    let mut p = json!({"protocol": "TCP", "port": port, "targetPort": port});
    if let Some(n) = port_name {
        p["name"] = json!(n);
    }
    object(json!({
        "kind": "Service", "apiVersion": "v1",
        "metadata": {"name": name, "namespace": "default", "uid": uid, "labels": {"app": name}},
        "spec": {"ports": [p], "selector": {"app": name}, "clusterIP": cluster_ip, "clusterIPs": [cluster_ip],
            "type": "ClusterIP", "sessionAffinity": "None", "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack",
            "internalTrafficPolicy": "Cluster"},
    }))
}

fn slice(service: &str, port_name: &str, port: i32, ips: &[&str], ready: bool) -> Object {
    let endpoints: Vec<_> = ips.iter().map(|ip| json!({"addresses": [ip], "conditions": {"ready": ready}})).collect();
    object(json!({
        "kind": "EndpointSlice", "apiVersion": "discovery.k8s.io/v1", "addressType": "IPv4",
        "metadata": {"name": format!("{service}-{}", if ready { "a" } else { "b" }), "namespace": "default",
            "labels": {"kubernetes.io/service-name": service}},
        "ports": [{"name": port_name, "port": port, "protocol": "TCP"}],
        "endpoints": endpoints,
    }))
}

#[test]
fn service_endpoints_come_from_endpoint_slices() {
    let web = service("web", "1120df71-5a35-46c4-9e24-dd0349a6fae6", "10.104.81.113", None, 80);
    let ips = [
        "10.244.1.7",
        "10.244.1.8",
        "10.244.1.9",
        "10.244.2.4",
        "10.244.2.5",
        "10.244.3.5",
        "10.244.3.6",
        "10.244.3.7",
        "10.244.3.8",
        "10.244.3.9",
    ];
    let objects = vec![web.clone(), slice("web", "", 80, &ips, true), slice("web", "", 80, &["10.244.9.9"], false)];
    assert_eq!(describe(&web, &Objects(objects), 0), include_str!("testdata/05-describe-service-web.txt"));
    let db = service("db", "42eb91e3-a6ff-44fe-b965-11f6f0427202", "None", Some("postgres"), 5432);
    let objects = vec![db.clone(), slice("db", "postgres", 5432, &["10.244.1.4", "10.244.3.4"], true)];
    assert_eq!(describe(&db, &Objects(objects), 0), include_str!("testdata/05-describe-service-db-headless.txt"));
}

#[test]
fn host_path_persistent_volume() {
    let pv = object(json!({
        "kind": "PersistentVolume", "apiVersion": "v1",
        "metadata": {"name": "pv-hostpath", "uid": "515c6d9e-e397-4713-8750-6d154e756542", "labels": {"type": "local"},
            "annotations": {"pv.kubernetes.io/bound-by-controller": "yes"}, "finalizers": ["kubernetes.io/pv-protection"]},
        "spec": {"capacity": {"storage": "10Gi"}, "hostPath": {"path": "/mnt/data", "type": ""},
            "accessModes": ["ReadWriteOnce"], "claimRef": {"kind": "PersistentVolumeClaim", "namespace": "default", "name": "static-claim"},
            "persistentVolumeReclaimPolicy": "Retain", "storageClassName": "manual", "volumeMode": "Filesystem"},
        "status": {"phase": "Bound"},
    }));
    assert_eq!(describe(&pv, &Objects(vec![pv.clone()]), 0), include_str!("testdata/05-describe-pv-hostpath.txt"));
}

fn claim(
    name: &str,
    class: &str,
    volume: &str,
    size: &str,
    labels: serde_json::Value,
    annotations: serde_json::Value,
) -> Object {
    object(json!({
        "kind": "PersistentVolumeClaim", "apiVersion": "v1",
        "metadata": {"name": name, "namespace": "default", "labels": labels, "annotations": annotations,
            "finalizers": ["kubernetes.io/pvc-protection"]},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}},
            "storageClassName": class, "volumeName": volume, "volumeMode": "Filesystem"},
        "status": {"phase": "Bound", "accessModes": ["ReadWriteOnce"], "capacity": {"storage": size}},
    }))
}

#[test]
fn claims_list_the_pods_using_them() {
    let bound = json!({"pv.kubernetes.io/bind-completed": "yes", "pv.kubernetes.io/bound-by-controller": "yes"});
    let mut provisioned = bound.clone();
    provisioned["volume.beta.kubernetes.io/storage-provisioner"] = json!("rancher.io/local-path");
    provisioned["volume.kubernetes.io/selected-node"] = json!("worker-3");
    provisioned["volume.kubernetes.io/storage-provisioner"] = json!("rancher.io/local-path");
    let data = claim(
        "data-db-0",
        "standard",
        "pvc-fae29bed-528f-421d-8835-87ff8fd1d406",
        "1Gi",
        json!({"app": "db"}),
        provisioned,
    );
    let db0 = object(json!({"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "db-0", "namespace": "default"},
        "spec": {"containers": [], "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "data-db-0"}}]}}));
    let other = object(json!({"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "web", "namespace": "default"},
        "spec": {"containers": [], "volumes": [{"name": "x", "persistentVolumeClaim": {"claimName": "static-claim-2"}}]}}));
    let objects = Objects(vec![data.clone(), db0, other]);
    assert_eq!(describe(&data, &objects, 0), include_str!("testdata/05-describe-pvc-data-db-0.txt"));
    let stat = claim("static-claim", "manual", "pv-hostpath", "10Gi", json!({}), bound);
    assert_eq!(describe(&stat, &objects, 0), include_str!("testdata/05-describe-pvc-static-claim.txt"));
}

#[test]
fn namespace_service_account_and_prefix_matches() {
    let ns = object(json!({"kind": "Namespace", "apiVersion": "v1",
        "metadata": {"name": "default", "labels": {"kubernetes.io/metadata.name": "default"}}, "status": {"phase": "Active"}}));
    assert_eq!(
        describe(&ns, &Objects::default(), 0),
        "Name:         default\nLabels:       kubernetes.io/metadata.name=default\nAnnotations:  <none>\nStatus:       Active\n\n\
         No resource quota.\n\nNo LimitRange resource.\n"
    );
    let sa = object(json!({"kind": "ServiceAccount", "apiVersion": "v1",
        "metadata": {"name": "builder", "namespace": "default", "uid": "sa-1"},
        "secrets": [{"name": "builder-token"}, {"name": "gone"}], "imagePullSecrets": [{"name": "registry"}]}));
    let token = object(json!({"kind": "Secret", "apiVersion": "v1", "type": "kubernetes.io/service-account-token",
        "metadata": {"name": "builder-token", "namespace": "default",
            "annotations": {"kubernetes.io/service-account.name": "builder", "kubernetes.io/service-account.uid": "sa-1"}}}));
    let registry =
        object(json!({"kind": "Secret", "apiVersion": "v1", "metadata": {"name": "registry", "namespace": "default"}}));
    let want = "Name:                builder
Namespace:           default
Labels:              <none>
Annotations:         <none>
Image pull secrets:  registry
Mountable secrets:   builder-token
                     gone (not found)
Tokens:              builder-token
Events:              <none>
";
    let objects = Objects(vec![sa.clone(), token, registry]);
    assert_eq!(describe(&sa, &objects, 0), want);
    let two = describe_prefix_matches(&[ns.clone(), ns.clone()], &objects, 0);
    let one = describe(&ns, &objects, 0);
    assert_eq!(two, format!("{one}\n{one}\n"));
}

#[test]
fn endpoints_slices_storage_classes_and_budgets() {
    let ep = object(
        json!({"kind": "Endpoints", "apiVersion": "v1", "metadata": {"name": "db", "namespace": "default"},
        "subsets": [{"addresses": [{"ip": "10.244.1.4"}], "ports": [{"name": "postgres", "port": 5432, "protocol": "TCP"}]}]}),
    );
    let want = "Name:         db\nNamespace:    default\nLabels:       <none>\nAnnotations:  <none>\nSubsets:\n  \
                Addresses:          10.244.1.4\n  NotReadyAddresses:  <none>\n  Ports:\n    Name      Port  Protocol\n    \
                ----      ----  --------\n    postgres  5432  TCP\n\nEvents:  <none>\n";
    assert_eq!(describe(&ep, &Objects::default(), 0), want);

    let es = slice("db", "postgres", 5432, &["10.244.1.4"], true);
    let want = "Name:         db-a\nNamespace:    default\nLabels:       kubernetes.io/service-name=db\nAnnotations:  <none>\n\
                AddressType:  IPv4\nPorts:\n  Name      Port  Protocol\n  ----      ----  --------\n  postgres  5432  TCP\n\
                Endpoints:\n  - Addresses:  10.244.1.4\n    Conditions:\n      Ready:   true\n    Hostname:  <unset>\n    \
                NodeName:  <unset>\n    Zone:      <unset>\nEvents:        <none>\n";
    assert_eq!(describe(&es, &Objects::default(), 0), want);

    let sc = object(json!({"kind": "StorageClass", "apiVersion": "storage.k8s.io/v1",
        "metadata": {"name": "standard", "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
        "provisioner": "rancher.io/local-path", "reclaimPolicy": "Delete", "volumeBindingMode": "WaitForFirstConsumer"}));
    let want = "Name:                  standard\nIsDefaultClass:        Yes\n\
                Annotations:           storageclass.kubernetes.io/is-default-class=true\nProvisioner:           rancher.io/local-path\n\
                Parameters:            <none>\nAllowVolumeExpansion:  <unset>\nMountOptions:          <none>\n\
                ReclaimPolicy:         Delete\nVolumeBindingMode:     WaitForFirstConsumer\nEvents:                <none>\n";
    assert_eq!(describe(&sc, &Objects::default(), 0), want);

    let pdb = object(json!({"kind": "PodDisruptionBudget", "apiVersion": "policy/v1",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {"minAvailable": 2, "selector": {"matchLabels": {"app": "web"}}},
        "status": {"disruptionsAllowed": 1, "currentHealthy": 3, "desiredHealthy": 2, "expectedPods": 3}}));
    let want = "Name:           web\nNamespace:      default\nMin available:  2\nSelector:       app=web\nStatus:\n    \
                Allowed disruptions:  1\n    Current:              3\n    Desired:              2\n    Total:                3\n\
                Events:                   <none>\n";
    assert_eq!(describe(&pdb, &Objects::default(), 0), want);
}

#[test]
fn leases_and_events_use_the_generic_describer() {
    let lease = object(json!({"kind": "Lease", "apiVersion": "coordination.k8s.io/v1",
        "metadata": {"name": "worker-1", "namespace": "kube-node-lease", "uid": "l-1", "resourceVersion": "7",
            "creationTimestamp": "2025-08-27T00:00:00Z"},
        "spec": {"holderIdentity": "worker-1", "leaseDurationSeconds": 40, "renewTime": "2025-08-27T00:00:30.000000Z"}}));
    let want = "Name:         worker-1\nNamespace:    kube-node-lease\nLabels:       <none>\nAnnotations:  <none>\n\
                API Version:  coordination.k8s.io/v1\nKind:         Lease\nMetadata:\n  \
                Creation Timestamp:  2025-08-27T00:00:00Z\n  Resource Version:    7\n  UID:                 l-1\nSpec:\n  \
                Holder Identity:         worker-1\n  Lease Duration Seconds:  40\n  \
                Renew Time:              2025-08-27T00:00:30.000000Z\nEvents:                    <none>\n";
    assert_eq!(describe(&lease, &Objects::default(), 0), want);

    let now = "2025-08-27T00:10:00Z";
    let ev = event(
        "web.1",
        ("Pod", "default", "web", "p-1"),
        "Normal",
        "Pulled",
        "pulled",
        "kubelet",
        &ago(now, 60),
        &ago(now, 30),
        2,
    );
    let out = describe(&ev, &Objects::default(), now_at(now));
    // Go encodes a core Event's zero times as null and its reporting fields even when empty.
    assert!(
        out.contains("Count:            2\nEvent Time:       <nil>\nFirst Timestamp:  2025-08-27T00:09:00Z\n"),
        "{out}"
    );
    assert!(out.contains("Involved Object:\n  Kind:          Pod\n"), "{out}");
    assert!(
        out.contains("Reporting Component:   \nReporting Instance:    \nSource:\n  Component:  kubelet\n"),
        "{out}"
    );
}

#[test]
fn every_kind_describes_a_nearly_empty_object_without_panicking() {
    for kind in engine::Kind::ALL {
        let info = kind.info();
        let mut j = json!({"kind": info.kind, "apiVersion": info.api_version(), "metadata": {}});
        match info.kind {
            "EndpointSlice" => {
                j["addressType"] = json!("IPv4");
                j["endpoints"] = json!([]);
            }
            "StorageClass" => j["provisioner"] = json!(""),
            "Event" => j["involvedObject"] = json!({}),
            _ => {}
        }
        let obj = object(j);
        let out = describe(&obj, &Objects(vec![obj.clone()]), 0);
        assert!(out.starts_with("Name:"), "{}: {out}", info.kind);
    }
}

#[test]
fn odd_values_never_panic() {
    let pod = object(json!({
        "kind": "Pod", "apiVersion": "v1",
        "metadata": {"name": "odd", "namespace": "default", "deletionTimestamp": "2025-08-27T00:00:00Z",
            "annotations": {"kubernetes.io/config.mirror": "m-1", "long": "é".repeat(200)}},
        "spec": {
            "resources": {"requests": {"cpu": "1"}},
            "initContainers": [{"name": "side", "restartPolicy": "Always", "resources": {"requests": {"cpu": "bogus", "memory": "1e40"}}}],
            "containers": [{"name": "c", "ports": [{"containerPort": 1}, {"containerPort": 2, "hostPort": 3}],
                "livenessProbe": {"grpc": {"port": 9}}, "readinessProbe": {"httpGet": {"port": "http", "path": "a b:c"}},
                "env": [{"name": "E", "valueFrom": {}}, {"name": "F", "valueFrom": {"resourceFieldRef": {"resource": "limits.memory"}}},
                    {"name": "G", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}, {"name": "M", "value": "a\nb"}],
                "envFrom": [{"prefix": "P_"}], "volumeMounts": [{"name": "v", "mountPath": "/v", "subPath": "s\"t"}],
                "volumeDevices": [{"name": "d", "devicePath": "/dev/x"}]}],
            "ephemeralContainers": [{"name": "debug", "image": "busybox"}],
            "volumes": [{"name": "a", "fc": {}}, {"name": "b", "iscsi": {"targetPortal": "t", "iqn": "i", "lun": 0}},
                {"name": "c", "ephemeral": {"volumeClaimTemplate": {"spec": {"accessModes": ["ReadWriteOnce"]}}}},
                {"name": "d", "csi": {"driver": "x", "volumeAttributes": {"a": "1", "b": "2"}}},
                {"name": "e", "projected": {"sources": [{"secret": {"name": "s", "optional": true}}]}}],
            "readinessGates": [{"conditionType": "x"}],
            "topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule",
                "labelSelector": {"matchExpressions": [{"key": "a", "operator": "Bogus"}]}}],
        },
        "status": {"containerStatuses": [{"name": "c", "image": "", "imageID": "", "ready": false, "restartCount": 0,
            "state": {}, "lastState": {"terminated": {"exitCode": 1, "signal": 9}}}], "podIPs": []},
    }));
    let node = object(json!({"kind": "Node", "apiVersion": "v1", "metadata": {"name": "n"},
        "status": {"allocatable": {"example.com/gpu": "2"}}}));
    let on_node = object(json!({"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "p", "namespace": "default"},
        "spec": {"nodeName": "n", "containers": [{"name": "c", "resources": {"requests": {"cpu": "1", "example.com/gpu": "1"}}}]}}));
    let objects = Objects(vec![pod.clone(), node.clone(), on_node]);
    let out = describe(&pod, &objects, 0);
    assert!(out.contains("Status:                    Terminating (lasts 0s)\n"), "{out}");
    assert!(out.contains("Readiness:      http-get //:http/a%20b:c delay=0s"), "{out}");
    assert!(out.contains("      G:  odd (:metadata.name)\n"), "{out}");
    assert!(out.contains("for selector <error>\n"), "{out}");
    // Go divides by a zero allocatable for the pod rows and prints amd64's integer-indefinite value.
    let out = describe(&node, &objects, 0);
    assert!(out.contains("  default                     p       1 (-9223372036854775808%)  "), "{out}");
    assert!(out.contains("  example.com/gpu    1         0\n"), "{out}");
}
