//! "Download manifests": the learner's own objects as multi-document YAML that a real cluster accepts
//! unchanged (`kubectl apply -f`).
//!
//! Left out, because the cluster makes them itself: everything in `kube-*` namespaces and those namespaces,
//! `default`; Nodes, Events, Endpoints, EndpointSlices, Leases, ControllerRevisions; objects with a
//! controlling owner (pods of ReplicaSets, Jobs, StatefulSets and DaemonSets, ReplicaSets of Deployments,
//! Jobs of CronJobs); each namespace's `default` ServiceAccount and `kube-root-ca.crt` ConfigMap; the
//! `kubernetes` Service; addon objects (`addonmanager.kubernetes.io/mode`, minikube's `standard`
//! StorageClass); dynamically provisioned volumes (`pv.kubernetes.io/provisioned-by`) and the claims a
//! StatefulSet makes from its `volumeClaimTemplates`.
//!
//! Each object is cleaned of what the server writes: `status`, `uid`, `resourceVersion`,
//! `creationTimestamp`, `generation`, `managedFields`, owner references, the last-applied annotation and
//! the controllers' annotations (`deployment.kubernetes.io/…`, `pv.kubernetes.io/…`, `volume.kubernetes.io/…`),
//! the protection finalizers, a Service's allocated `clusterIP(s)` and `healthCheckNodePort`, a Job's
//! generated selector and its labels, the service-account token volume the admission plugin adds to pods,
//! and the binder's `volumeName`/`claimRef`. Conservatively, a pod's `nodeName` and a Service port's
//! `nodePort` are kept only when `managedFields` show a manager other than the scheduler or the API server
//! set them (the learner wrote them); otherwise the new cluster chooses again.

use engine::{Cluster, Kind, Object};
use serde_json::{Map, Value};

/// The order kinds are written in, so that `kubectl apply -f` meets namespaces, classes, volumes,
/// configuration and Services before what uses them. Kinds not listed are never exported.
const ORDER: &[Kind] = &[
    Kind::Namespace,
    Kind::StorageClass,
    Kind::PersistentVolume,
    Kind::PersistentVolumeClaim,
    Kind::ServiceAccount,
    Kind::ConfigMap,
    Kind::Secret,
    Kind::Service,
    Kind::Deployment,
    Kind::ReplicaSet,
    Kind::StatefulSet,
    Kind::DaemonSet,
    Kind::CronJob,
    Kind::Job,
    Kind::Pod,
    Kind::PodDisruptionBudget,
];

/// Annotations the server or controllers write.
const SERVER_ANNOTATION_PREFIXES: &[&str] = &[
    "kubectl.kubernetes.io/last-applied-configuration",
    "deployment.kubernetes.io/",
    "pv.kubernetes.io/",
    "volume.kubernetes.io/",
    "volume.beta.kubernetes.io/",
    "deprecated.daemonset.template.generation",
];

/// Labels a Job's controller adds to its selector and template.
const JOB_LABELS: &[&str] =
    &["controller-uid", "batch.kubernetes.io/controller-uid", "job-name", "batch.kubernetes.io/job-name"];

/// The user's objects as multi-document YAML (documents separated by `---`); empty when there are none.
pub fn manifests(cluster: &Cluster) -> String {
    let mut docs = Vec::new();
    for kind in ORDER {
        for obj in cluster.store().list(*kind, None) {
            if !is_users(cluster, obj) {
                continue;
            }
            let mut json = obj.to_json();
            clean(*kind, &mut json);
            if let Ok(yaml) = kubectl::output::yaml::to_yaml(&json) {
                docs.push(yaml);
            }
        }
    }
    docs.join("---\n")
}

fn is_users(cluster: &Cluster, obj: &Object) -> bool {
    let meta = obj.metadata();
    let name = meta.name.as_deref().unwrap_or_default();
    let ns = meta.namespace.as_deref().unwrap_or_default();
    let label = |k: &str| meta.labels.as_ref().and_then(|l| l.get(k));
    let annotation = |k: &str| meta.annotations.as_ref().and_then(|a| a.get(k));
    if ns.starts_with("kube-") || meta.deletion_timestamp.is_some() {
        return false;
    }
    if meta.owner_references.as_ref().is_some_and(|o| o.iter().any(|r| r.controller == Some(true))) {
        return false;
    }
    if label("addonmanager.kubernetes.io/mode").is_some() {
        return false;
    }
    match obj.kind() {
        Kind::Namespace => name != "default" && !name.starts_with("kube-"),
        Kind::ServiceAccount => name != "default",
        Kind::ConfigMap => name != "kube-root-ca.crt",
        Kind::Service => !(ns == "default" && name == "kubernetes"),
        Kind::PersistentVolume => annotation("pv.kubernetes.io/provisioned-by").is_none(),
        Kind::PersistentVolumeClaim => !from_claim_template(cluster, ns, name),
        _ => true,
    }
}

/// Whether claim `name` is one a StatefulSet in `ns` made from a claim template (`<template>-<set>-<ordinal>`).
fn from_claim_template(cluster: &Cluster, ns: &str, name: &str) -> bool {
    cluster.store().list(Kind::StatefulSet, Some(ns)).any(|sts| {
        let Object::StatefulSet(sts) = sts else { return false };
        let set = sts.metadata.name.as_deref().unwrap_or_default();
        let templates = sts.spec.as_ref().and_then(|s| s.volume_claim_templates.as_ref());
        templates.into_iter().flatten().any(|t| {
            let prefix = format!("{}-{set}-", t.metadata.name.as_deref().unwrap_or_default());
            name.strip_prefix(&prefix).is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        })
    })
}

/// Removes what the server wrote from `obj` (an object of `kind` as the API serves it).
fn clean(kind: Kind, obj: &mut Value) {
    let managed = obj["metadata"]["managedFields"].clone();
    let bound_by_controller = obj["metadata"]["annotations"]["pv.kubernetes.io/bound-by-controller"] == "yes";
    let Some(o) = obj.as_object_mut() else { return };
    o.remove("status");
    if let Some(Value::Object(meta)) = o.get_mut("metadata") {
        for k in [
            "uid",
            "resourceVersion",
            "creationTimestamp",
            "generation",
            "managedFields",
            "ownerReferences",
            "selfLink",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
        ] {
            meta.remove(k);
        }
        if let Some(Value::Object(a)) = meta.get_mut("annotations") {
            a.retain(|k, _| !SERVER_ANNOTATION_PREFIXES.iter().any(|p| k.starts_with(p)));
        }
        if let Some(Value::Array(f)) = meta.get_mut("finalizers") {
            f.retain(|v| !matches!(v.as_str(), Some("kubernetes.io/pvc-protection" | "kubernetes.io/pv-protection")));
        }
        if let Some(Value::Object(l)) = meta.get_mut("labels") {
            match kind {
                Kind::Namespace => l.retain(|k, _| k != "kubernetes.io/metadata.name"),
                Kind::Job => l.retain(|k, _| !JOB_LABELS.contains(&k.as_str())),
                _ => {}
            }
        }
        drop_empty(meta, &["annotations", "labels", "finalizers"]);
    }
    let spec = match o.get_mut("spec") {
        Some(Value::Object(spec)) => spec,
        _ => return,
    };
    match kind {
        Kind::Service => {
            for k in ["clusterIP", "clusterIPs", "healthCheckNodePort"] {
                spec.remove(k);
            }
            if let Some(Value::Array(ports)) = spec.get_mut("ports") {
                for port in ports.iter_mut().filter_map(Value::as_object_mut) {
                    if !user_set_node_port(&managed, port) {
                        port.remove("nodePort");
                    }
                }
            }
        }
        Kind::Pod => {
            if !user_set(&managed, &["f:spec", "f:nodeName"], &["kube-scheduler"]) {
                spec.remove("nodeName");
            }
            drop_token_volume(spec);
        }
        Kind::Job => clean_job_spec(spec),
        Kind::StatefulSet => {
            if let Some(Value::Array(ts)) = spec.get_mut("volumeClaimTemplates") {
                for t in ts.iter_mut().filter_map(Value::as_object_mut) {
                    t.remove("status");
                    if let Some(Value::Object(m)) = t.get_mut("metadata") {
                        m.remove("creationTimestamp");
                    }
                }
            }
        }
        Kind::CronJob => {
            if let Some(Value::Object(job)) = spec.get_mut("jobTemplate").and_then(|t| t.get_mut("spec")) {
                clean_job_spec(job);
            }
        }
        Kind::PersistentVolumeClaim if bound_by_controller => {
            spec.remove("volumeName");
        }
        Kind::PersistentVolume => {
            if bound_by_controller {
                spec.remove("claimRef");
            } else if let Some(Value::Object(c)) = spec.get_mut("claimRef") {
                c.remove("uid");
                c.remove("resourceVersion");
            }
        }
        _ => {}
    }
    // Pod templates print `creationTimestamp: null`.
    for path in
        [&["template", "metadata"][..], &["jobTemplate", "metadata"], &["jobTemplate", "spec", "template", "metadata"]]
    {
        if let Some(m) = path.iter().try_fold(&mut *spec, |v, k| v.get_mut(*k)?.as_object_mut()) {
            m.remove("creationTimestamp");
        }
    }
}

fn drop_empty(map: &mut Map<String, Value>, keys: &[&str]) {
    for k in keys {
        let empty = match map.get(*k) {
            Some(Value::Object(m)) => m.is_empty(),
            Some(Value::Array(a)) => a.is_empty(),
            _ => false,
        };
        if empty {
            map.remove(*k);
        }
    }
}

/// A Job's selector and the labels its controller added; a new cluster generates them again (unless the
/// learner chose `manualSelector`).
fn clean_job_spec(spec: &mut Map<String, Value>) {
    if spec.get("manualSelector") == Some(&Value::Bool(true)) {
        return;
    }
    spec.remove("selector");
    if let Some(Value::Object(labels)) =
        spec.get_mut("template").and_then(|t| t.get_mut("metadata")).and_then(|m| m.get_mut("labels"))
    {
        labels.retain(|k, _| !JOB_LABELS.contains(&k.as_str()));
    }
    if let Some(Value::Object(meta)) = spec.get_mut("template").and_then(|t| t.get_mut("metadata")) {
        drop_empty(meta, &["labels"]);
    }
}

/// The ServiceAccount admission plugin's `kube-api-access-*` projected volume and its mounts.
fn drop_token_volume(spec: &mut Map<String, Value>) {
    let is_token = |v: &Value| v.as_str().is_some_and(|n| n.starts_with("kube-api-access-"));
    if let Some(Value::Array(vols)) = spec.get_mut("volumes") {
        vols.retain(|v| !is_token(&v["name"]));
    }
    drop_empty(spec, &["volumes"]);
    for list in ["containers", "initContainers"] {
        if let Some(Value::Array(cs)) = spec.get_mut(list) {
            for c in cs.iter_mut().filter_map(Value::as_object_mut) {
                if let Some(Value::Array(m)) = c.get_mut("volumeMounts") {
                    m.retain(|v| !is_token(&v["name"]));
                }
                drop_empty(c, &["volumeMounts"]);
            }
        }
    }
}

/// Whether a manager other than `except` owns the field at `path` (FieldsV1 keys) in `managed`.
fn user_set(managed: &Value, path: &[&str], except: &[&str]) -> bool {
    managed.as_array().into_iter().flatten().any(|entry| {
        let manager = entry["manager"].as_str().unwrap_or_default();
        !except.contains(&manager) && path.iter().try_fold(&entry["fieldsV1"], |v, k| v.get(*k)).is_some()
    })
}

/// Whether a manager wrote this Service port's `nodePort` (its FieldsV1 key names the port and protocol).
fn user_set_node_port(managed: &Value, port: &Map<String, Value>) -> bool {
    let number = port.get("port").map(|p| format!("\"port\":{p}")).unwrap_or_default();
    let protocol = format!("\"protocol\":{}", port.get("protocol").cloned().unwrap_or(Value::from("TCP")));
    managed.as_array().into_iter().flatten().any(|entry| {
        let manager = entry["manager"].as_str().unwrap_or_default();
        manager != "kube-apiserver"
            && entry["fieldsV1"]["f:spec"]["f:ports"].as_object().is_some_and(|ports| {
                ports.iter().any(|(k, v)| k.contains(&number) && k.contains(&protocol) && v.get("f:nodePort").is_some())
            })
    })
}

#[cfg(test)]
mod tests {
    use crate::Playground;

    const SETUP: &str = r#"kubectl create namespace team
kubectl create deployment web --image=nginx:1.27 --replicas=2
kubectl expose deployment web --port=80
kubectl create configmap settings --from-literal=mode=fast
kubectl create secret generic pw --from-literal=password=s3cret
kubectl -n team create deployment api --image=httpd
kubectl create job once --image=busybox -- echo hi
kubectl create cronjob tick --image=busybox --schedule="*/5 * * * *" -- date
kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: pinned
  labels:
    app: pinned
spec:
  nodeName: worker-2
  containers:
  - name: c
    image: nginx
---
apiVersion: v1
kind: Service
metadata:
  name: fixed
spec:
  type: NodePort
  selector:
    app: pinned
  ports:
  - port: 80
    nodePort: 30080
---
apiVersion: v1
kind: Service
metadata:
  name: chosen
spec:
  type: NodePort
  selector:
    app: pinned
  ports:
  - port: 81
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  replicas: 1
  selector:
    matchLabels:
      app: db
  template:
    metadata:
      labels:
        app: db
    spec:
      containers:
      - name: redis
        image: redis
  volumeClaimTemplates:
  - metadata:
      name: www
    spec:
      accessModes: [ReadWriteOnce]
      resources:
        requests:
          storage: 1Gi
EOF
kubectl run loose --image=nginx
sleep 30
"#;

    fn built() -> Playground {
        let mut pg = Playground::new(1);
        for r in pg.exec(SETUP).unwrap() {
            assert_eq!(r.output.stderr, "", "{}", r.command);
        }
        pg
    }

    #[test]
    fn exports_only_the_users_objects_cleaned() {
        let pg = built();
        let yaml = super::manifests(pg.cluster());
        for absent in [
            "uid:",
            "resourceVersion",
            "creationTimestamp",
            "status:",
            "managedFields",
            "clusterIP",
            "last-applied",
            "kube-system",
            "kube-root-ca.crt",
            "name: default\n",
            "kube-api-access",
            "pod-template-hash",
            "controller-uid",
            "name: www-db-0",
            "name: kubernetes\n",
            "name: standard\n",
        ] {
            assert!(!yaml.contains(absent), "{absent} in\n{yaml}");
        }
        assert!(yaml.contains("nodeName: worker-2"), "{yaml}");
        assert!(yaml.contains("nodePort: 30080"), "{yaml}");
        assert_eq!(yaml.matches("nodePort:").count(), 1, "only the chosen nodePort is kept:\n{yaml}");
        assert_eq!(yaml.matches("nodeName:").count(), 1, "the scheduler's choice is left out:\n{yaml}");
        for kind in [
            "Namespace",
            "Deployment",
            "Service",
            "ConfigMap",
            "Secret",
            "Job",
            "CronJob",
            "Pod",
            "PersistentVolumeClaim",
            "StatefulSet",
        ] {
            assert!(yaml.contains(&format!("kind: {kind}\n")), "{kind} missing:\n{yaml}");
        }
        assert!(!yaml.contains("kind: ReplicaSet\n") && !yaml.contains("kind: Endpoints\n"), "{yaml}");
        // Two pods only: pinned and loose; none of the controllers' pods.
        assert_eq!(yaml.matches("kind: Pod\n").count(), 2, "{yaml}");
    }

    #[test]
    fn the_export_applies_to_a_fresh_cluster_and_gives_the_same_objects() {
        let pg = built();
        let yaml = super::manifests(pg.cluster());
        let mut fresh = Playground::new(9);
        let r = fresh.exec(&format!("kubectl apply -f - <<EOF\n{yaml}EOF\n")).unwrap();
        assert_eq!(r[0].output.stderr, "", "{}", r[0].output.stdout);
        fresh.step(30_000);
        assert_eq!(super::manifests(fresh.cluster()), yaml);
    }
}
