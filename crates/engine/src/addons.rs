//! The objects kubeadm's addon phase and the API server create in a fresh cluster (CONTRACT §3): the
//! `kubernetes` Service in `default`, and CoreDNS — ServiceAccount, ConfigMap `coredns` (the Corefile), the
//! Deployment `coredns` and the `kube-dns` Service. Manifests follow kubeadm's
//! `cmd/kubeadm/app/phases/addons/dns/manifests.go` (v1.34) and the apiserver's `kubernetes` service controller.

use serde_json::{json, Value};

use crate::apiserver::{Request, Verb};
use crate::cluster::Cluster;
use crate::object::Kind;

/// The CoreDNS image kubeadm v1.34 deploys.
pub const COREDNS_IMAGE: &str = "registry.k8s.io/coredns/coredns:v1.12.1";

/// kubeadm's Corefile for `cluster.local` (forwarding to the node's resolv.conf).
pub const COREFILE: &str = ".:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30 {
       disable success cluster.local
       disable denial cluster.local
    }
    loop
    reload
    loadbalance
}
";

fn kubernetes_service() -> Value {
    json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "kubernetes", "namespace": "default",
            "labels": {"component": "apiserver", "provider": "kubernetes"}},
        "spec": {"clusterIP": "10.96.0.1", "type": "ClusterIP", "sessionAffinity": "None",
            "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}]}
    })
}

fn coredns_objects() -> Vec<(Kind, Value)> {
    let service_account = json!({
        "apiVersion": "v1", "kind": "ServiceAccount",
        "metadata": {"name": "coredns", "namespace": "kube-system"}
    });
    let config_map = json!({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "coredns", "namespace": "kube-system"},
        "data": {"Corefile": COREFILE}
    });
    let deployment = json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "coredns", "namespace": "kube-system", "labels": {"k8s-app": "kube-dns"}},
        "spec": {
            "replicas": 2,
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}},
            "selector": {"matchLabels": {"k8s-app": "kube-dns"}},
            "template": {
                "metadata": {"labels": {"k8s-app": "kube-dns"}},
                "spec": {
                    "priorityClassName": "system-cluster-critical",
                    "serviceAccountName": "coredns",
                    "affinity": {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{
                        "weight": 100,
                        "podAffinityTerm": {
                            "labelSelector": {"matchExpressions": [
                                {"key": "k8s-app", "operator": "In", "values": ["kube-dns"]}]},
                            "topologyKey": "kubernetes.io/hostname"}}]}},
                    "tolerations": [
                        {"key": "CriticalAddonsOnly", "operator": "Exists"},
                        {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}],
                    "nodeSelector": {"kubernetes.io/os": "linux"},
                    "containers": [{
                        "name": "coredns",
                        "image": COREDNS_IMAGE,
                        "imagePullPolicy": "IfNotPresent",
                        "resources": {"limits": {"memory": "170Mi"}, "requests": {"cpu": "100m", "memory": "70Mi"}},
                        "args": ["-conf", "/etc/coredns/Corefile"],
                        "volumeMounts": [{"name": "config-volume", "mountPath": "/etc/coredns", "readOnly": true}],
                        "ports": [
                            {"containerPort": 53, "name": "dns", "protocol": "UDP"},
                            {"containerPort": 53, "name": "dns-tcp", "protocol": "TCP"},
                            {"containerPort": 9153, "name": "metrics", "protocol": "TCP"}],
                        "livenessProbe": {"httpGet": {"path": "/health", "port": 8080, "scheme": "HTTP"},
                            "initialDelaySeconds": 60, "timeoutSeconds": 5, "successThreshold": 1, "failureThreshold": 5},
                        "readinessProbe": {"httpGet": {"path": "/ready", "port": 8181, "scheme": "HTTP"}},
                        "securityContext": {"allowPrivilegeEscalation": false,
                            "capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]},
                            "readOnlyRootFilesystem": true}
                    }],
                    "dnsPolicy": "Default",
                    "volumes": [{"name": "config-volume",
                        "configMap": {"name": "coredns", "items": [{"key": "Corefile", "path": "Corefile"}]}}]
                }
            }
        }
    });
    let service = json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "kube-dns", "namespace": "kube-system",
            "labels": {"k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true", "kubernetes.io/name": "CoreDNS"},
            "annotations": {"prometheus.io/port": "9153", "prometheus.io/scrape": "true"}},
        "spec": {
            "clusterIP": "10.96.0.10",
            "ports": [
                {"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
                {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53},
                {"name": "metrics", "port": 9153, "protocol": "TCP", "targetPort": 9153}],
            "selector": {"k8s-app": "kube-dns"}
        }
    });
    vec![
        (Kind::ServiceAccount, service_account),
        (Kind::ConfigMap, config_map),
        (Kind::Deployment, deployment),
        (Kind::Service, service),
    ]
}

/// minikube's `default-storageclass` addon (`deploy/addons/storageclass/storageclass.yaml`, applied with
/// `kubectl apply`, hence the last-applied annotation): the default class `standard` served by the
/// `storage-provisioner` addon's hostPath provisioner (`controllers::volumes`).
pub const DEFAULT_STORAGE_CLASS: &str = "standard";
pub const MINIKUBE_PROVISIONER: &str = "k8s.io/minikube-hostpath";

fn default_storage_class() -> Value {
    let applied = r#"{"apiVersion":"storage.k8s.io/v1","kind":"StorageClass","metadata":{"annotations":{"storageclass.kubernetes.io/is-default-class":"true"},"labels":{"addonmanager.kubernetes.io/mode":"EnsureExists"},"name":"standard"},"provisioner":"k8s.io/minikube-hostpath"}"#;
    json!({
        "apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
        "metadata": {"name": DEFAULT_STORAGE_CLASS,
            "annotations": {"kubectl.kubernetes.io/last-applied-configuration": format!("{applied}\n"),
                "storageclass.kubernetes.io/is-default-class": "true"},
            "labels": {"addonmanager.kubernetes.io/mode": "EnsureExists"}},
        "provisioner": MINIKUBE_PROVISIONER
    })
}

/// minikube's `storage-provisioner` addon (`deploy/addons/storage-provisioner/storage-provisioner.yaml.tmpl`,
/// image tag `StorageProvisionerVersion` v5): the hostPath provisioner `k8s.io/minikube-hostpath` runs in a bare
/// Pod, not a Deployment, so nothing recreates it once deleted (`minikube addons enable storage-provisioner`
/// applies the manifest again).
pub const STORAGE_PROVISIONER: &str = "storage-provisioner";
pub const STORAGE_PROVISIONER_IMAGE: &str = "gcr.io/k8s-minikube/storage-provisioner:v5";
/// The Endpoints object the provisioner's leader election locks (sig-storage-lib-external-provisioner's default
/// lock of the version v5 was built with), named after the provisioner with `/` replaced by `-`.
pub const PROVISIONER_LOCK: &str = "k8s.io-minikube-hostpath";

/// The addon's objects the engine has kinds for, as the manifest writes them. The ClusterRoleBinding, Role and
/// RoleBinding that let it work are left out: RBAC is not simulated.
pub fn storage_provisioner_manifests() -> Vec<(Kind, Value)> {
    let service_account = json!({
        "apiVersion": "v1", "kind": "ServiceAccount",
        "metadata": {"name": STORAGE_PROVISIONER, "namespace": "kube-system",
            "labels": {"addonmanager.kubernetes.io/mode": "Reconcile"}}
    });
    let endpoints = json!({
        "apiVersion": "v1", "kind": "Endpoints",
        "metadata": {"name": PROVISIONER_LOCK, "namespace": "kube-system",
            "labels": {"addonmanager.kubernetes.io/mode": "Reconcile"}}
    });
    let pod = json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": STORAGE_PROVISIONER, "namespace": "kube-system",
            "labels": {"integration-test": STORAGE_PROVISIONER, "addonmanager.kubernetes.io/mode": "Reconcile"}},
        "spec": {
            "serviceAccountName": STORAGE_PROVISIONER,
            "hostNetwork": true,
            "containers": [{
                "name": STORAGE_PROVISIONER,
                "image": STORAGE_PROVISIONER_IMAGE,
                "command": ["/storage-provisioner"],
                "imagePullPolicy": "IfNotPresent",
                "volumeMounts": [{"mountPath": "/tmp", "name": "tmp"}]
            }],
            "volumes": [{"name": "tmp", "hostPath": {"path": "/tmp", "type": "Directory"}}]
        }
    });
    vec![(Kind::ServiceAccount, service_account), (Kind::Endpoints, endpoints), (Kind::Pod, pod)]
}

/// The manifest as `kubectl apply` (client-side) stores it in `kubectl.kubernetes.io/last-applied-configuration`
/// and sends it: keys sorted (Go's map encoding), `"annotations":{}` when the manifest had none (kubectl
/// sets the annotation map on the object before encoding it), a trailing newline.
///
/// Example: `{"kind":"ServiceAccount","metadata":{"name":"x"}}` →
/// `{"kind":"ServiceAccount","metadata":{"annotations":{},"name":"x"}}` + `\n`.
pub fn client_side_applied(manifest: &Value) -> Value {
    let mut original = manifest.clone();
    if let Some(meta) = original.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.entry("annotations").or_insert_with(|| json!({}));
    }
    let applied = format!("{}\n", serde_json::to_string(&original).unwrap_or_default());
    let mut body = original;
    body["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"] = Value::String(applied);
    body
}

impl Cluster {
    /// The `standard` StorageClass, as minikube's addon manager applies it once the cluster is up.
    /// Its uid comes from a side stream of the seed, so that adding it did not shift every later random name.
    pub(crate) fn install_storage_class(&mut self) {
        let decoded = crate::apiserver::decode::decode(Kind::StorageClass, &default_storage_class());
        let Ok(decoded) = decoded else { return };
        let mut obj = decoded.object;
        crate::admission::apply_defaults(&mut obj);
        obj.metadata_mut().uid = Some(crate::rng::Rng::new(self.seed ^ 0x5707_a6e0_0000_0002).uuid());
        let created = self.create("kubectl-client-side-apply", obj, "minikube enabled the default-storageclass addon");
        debug_assert!(created.is_ok(), "default StorageClass: {:?}", created.err());
    }

    /// Creates the `kubernetes` Service and the CoreDNS addon through the API, as the apiserver and
    /// `kubeadm init` do.
    pub(crate) fn install_addons(&mut self) {
        let mut objects = vec![(
            Kind::Service,
            kubernetes_service(),
            "kube-apiserver",
            "the apiserver publishes itself as the kubernetes Service",
        )];
        for (kind, body) in coredns_objects() {
            objects.push((kind, body, "kubeadm", "kubeadm installed the CoreDNS addon"));
        }
        for (kind, body, actor, why) in objects {
            let ns = body["metadata"]["namespace"].as_str().unwrap_or("default").to_string();
            let res = self.handle(actor, Request::new(Verb::Create, kind).namespace(ns).body(body));
            debug_assert!(res.result.is_ok(), "addon {kind:?}: {:?}", res.result.err());
            self.amend_reason(why.to_string());
        }
    }

    /// minikube's `storage-provisioner` addon as it is enabled at `minikube start`: its ServiceAccount, the
    /// Endpoints its leader election locks and its Pod, created through the API as `kubectl apply` does. The
    /// scheduler placed the pod on the primary control-plane node (`minikube`), the only node when addons are
    /// enabled and untainted by minikube; here control-plane nodes carry kubeadm's taint (CONTRACT §3), so the
    /// boot binds it there as that scheduler did (`Scheduled` event and all). Random draws come from a side
    /// stream of the seed, so adding the addon did not shift every later generated name.
    pub(crate) fn install_storage_provisioner(&mut self) {
        let side = crate::rng::Rng::new(self.seed ^ 0x5707_a6e0_0000_0003);
        let main = std::mem::replace(&mut self.rng, side);
        let created = self.apply_storage_provisioner("minikube enabled the storage-provisioner addon");
        if created.contains(&Kind::Pod) {
            let node = crate::controllers::volumes::PRIMARY_NODE;
            let bound = self.bind_pod("kube-system", STORAGE_PROVISIONER, node);
            debug_assert!(bound.is_ok(), "storage-provisioner: {:?}", bound.err());
        }
        self.settle();
        self.rng = main;
    }

    /// `minikube addons enable storage-provisioner` (also what `minikube start` does for an enabled addon): the
    /// manifests applied again, so a deleted provisioner pod comes back, placed by the scheduler this time.
    pub fn enable_storage_provisioner(&mut self) {
        self.apply_storage_provisioner("minikube enabled the storage-provisioner addon");
        self.settle();
    }

    /// `kubectl apply` of the addon's manifests: creates what is missing, leaves what exists (the manifests
    /// never change). Returns the kinds it created.
    pub(crate) fn apply_storage_provisioner(&mut self, why: &str) -> Vec<Kind> {
        let mut created = Vec::new();
        for (kind, manifest) in storage_provisioner_manifests() {
            let name = manifest["metadata"]["name"].as_str().unwrap_or_default().to_string();
            let key = crate::store::ObjectKey::new(kind, "kube-system", &name);
            if self.store.get(&key).is_some() {
                continue;
            }
            let body = client_side_applied(&manifest);
            let res = self.handle(
                "kubectl-client-side-apply",
                Request::new(Verb::Create, kind).namespace("kube-system").body(body),
            );
            if res.result.is_ok() {
                self.amend_reason(why.to_string());
                created.push(kind);
            }
        }
        created
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_side_apply_records_the_manifest_with_an_empty_annotation_map() {
        let body =
            client_side_applied(&json!({"kind": "ServiceAccount", "apiVersion": "v1", "metadata": {"name": "x"}}));
        assert_eq!(
            body["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"],
            "{\"apiVersion\":\"v1\",\"kind\":\"ServiceAccount\",\"metadata\":{\"annotations\":{},\"name\":\"x\"}}\n"
        );
    }
}
