//! Static pods: kubeadm writes manifests for etcd, kube-apiserver, kube-controller-manager and
//! kube-scheduler into `/etc/kubernetes/manifests` on every control-plane node; the node's kubelet runs them
//! and publishes a *mirror pod* for each (`etcd-control-plane-1`, …) so they show in the API.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Container, Pod, PodSpec, ResourceRequirements, Toleration};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};

use crate::apiserver::{Request, Verb};
use crate::cluster::Cluster;
use crate::object::{Kind, Object};
use crate::runtime::fs::{Fs, WriteMode};
use crate::store::ObjectKey;
use crate::topology::{NodeRole, KUBERNETES_VERSION};

/// The control-plane components kubeadm runs as static pods, with their images and CPU requests.
const COMPONENTS: &[(&str, &str, &str, Option<&str>)] = &[
    ("etcd", "registry.k8s.io/etcd:3.6.4-0", "100m", Some("100Mi")),
    ("kube-apiserver", "registry.k8s.io/kube-apiserver:v1.34.0", "250m", None),
    ("kube-controller-manager", "registry.k8s.io/kube-controller-manager:v1.34.0", "200m", None),
    ("kube-scheduler", "registry.k8s.io/kube-scheduler:v1.34.0", "100m", None),
];

/// Images every node has from the start: the pause image, and on control-plane nodes the components'
/// (kubeadm pre-pulls them); kube-proxy, Flannel and CoreDNS everywhere.
pub fn preloaded_images(role: NodeRole) -> Vec<String> {
    let mut images = vec![
        "registry.k8s.io/pause:3.10.1".to_string(),
        format!("registry.k8s.io/kube-proxy:{KUBERNETES_VERSION}"),
        "ghcr.io/flannel-io/flannel:v0.27.3".to_string(),
        "ghcr.io/flannel-io/flannel-cni-plugin:v1.7.1-flannel1".to_string(),
        "registry.k8s.io/coredns/coredns:v1.12.1".to_string(),
        // minikube's preload tarball carries its storage-provisioner image on every node.
        crate::addons::STORAGE_PROVISIONER_IMAGE.to_string(),
    ];
    if role == NodeRole::ControlPlane {
        images.extend(COMPONENTS.iter().map(|c| c.1.to_string()));
    }
    images
}

fn command(component: &str, node: &str, ip: &str) -> Vec<String> {
    let lines: Vec<String> = match component {
        "etcd" => vec![
            "etcd".into(),
            format!("--advertise-client-urls=https://{ip}:2379"),
            "--cert-file=/etc/kubernetes/pki/etcd/server.crt".into(),
            "--client-cert-auth=true".into(),
            "--data-dir=/var/lib/minikube/etcd".into(),
            format!("--initial-advertise-peer-urls=https://{ip}:2380"),
            format!("--listen-client-urls=https://127.0.0.1:2379,https://{ip}:2379"),
            format!("--listen-peer-urls=https://{ip}:2380"),
            format!("--name={node}"),
            "--snapshot-count=10000".into(),
        ],
        "kube-apiserver" => vec![
            "kube-apiserver".into(),
            format!("--advertise-address={ip}"),
            "--allow-privileged=true".into(),
            "--authorization-mode=Node,RBAC".into(),
            "--enable-admission-plugins=NamespaceLifecycle,LimitRanger,ServiceAccount,DefaultStorageClass,DefaultTolerationSeconds,NodeRestriction,MutatingAdmissionWebhook,ValidatingAdmissionWebhook,ResourceQuota".into(),
            "--etcd-servers=https://127.0.0.1:2379".into(),
            "--secure-port=8443".into(),
            "--service-account-issuer=https://kubernetes.default.svc.cluster.local".into(),
            "--service-cluster-ip-range=10.96.0.0/12".into(),
        ],
        "kube-controller-manager" => vec![
            "kube-controller-manager".into(),
            "--allocate-node-cidrs=true".into(),
            "--cluster-cidr=10.244.0.0/16".into(),
            "--cluster-name=kubeground".into(),
            "--controllers=*,bootstrapsigner,tokencleaner".into(),
            "--kubeconfig=/etc/kubernetes/controller-manager.conf".into(),
            "--leader-elect=true".into(),
            "--service-cluster-ip-range=10.96.0.0/12".into(),
            "--use-service-account-credentials=true".into(),
        ],
        _ => vec![
            "kube-scheduler".into(),
            "--authentication-kubeconfig=/etc/kubernetes/scheduler.conf".into(),
            "--authorization-kubeconfig=/etc/kubernetes/scheduler.conf".into(),
            "--bind-address=127.0.0.1".into(),
            "--kubeconfig=/etc/kubernetes/scheduler.conf".into(),
            "--leader-elect=true".into(),
        ],
    };
    lines
}

/// The static pod manifest for `component` on `node`, as the mirror pod shows it.
pub fn manifest(
    component: &str,
    node: &str,
    node_uid: &str,
    ip: &str,
    image: &str,
    cpu: &str,
    memory: Option<&str>,
) -> Pod {
    let hash = super::images::digest_hex(&format!("{component}/{node}"))[..32].to_string();
    let mut annotations: BTreeMap<String, String> = [
        ("kubernetes.io/config.hash", hash.as_str()),
        ("kubernetes.io/config.mirror", hash.as_str()),
        ("kubernetes.io/config.seen", "2025-08-27T00:00:00.000000000Z"),
        ("kubernetes.io/config.source", "file"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    match component {
        "etcd" => {
            annotations.insert("kubeadm.kubernetes.io/etcd.advertise-client-urls".into(), format!("https://{ip}:2379"));
        }
        "kube-apiserver" => {
            annotations
                .insert("kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint".into(), format!("{ip}:8443"));
        }
        _ => {}
    }
    let mut requests = BTreeMap::from([("cpu".to_string(), Quantity(cpu.to_string()))]);
    if let Some(m) = memory {
        requests.insert("memory".to_string(), Quantity(m.to_string()));
    }
    Pod {
        metadata: ObjectMeta {
            name: Some(format!("{component}-{node}")),
            namespace: Some("kube-system".into()),
            labels: Some(BTreeMap::from([
                ("component".to_string(), component.to_string()),
                ("tier".to_string(), "control-plane".to_string()),
            ])),
            annotations: Some(annotations),
            owner_references: Some(vec![OwnerReference {
                api_version: "v1".into(),
                kind: "Node".into(),
                name: node.to_string(),
                uid: node_uid.to_string(),
                controller: Some(true),
                ..Default::default()
            }]),
            ..Default::default()
        },
        spec: Some(PodSpec {
            containers: vec![Container {
                name: component.to_string(),
                image: Some(image.to_string()),
                image_pull_policy: Some("IfNotPresent".into()),
                command: Some(command(component, node, ip)),
                resources: Some(ResourceRequirements { requests: Some(requests), ..Default::default() }),
                ..Default::default()
            }],
            host_network: Some(true),
            node_name: Some(node.to_string()),
            priority: Some(2_000_001_000),
            priority_class_name: Some("system-node-critical".into()),
            tolerations: Some(vec![Toleration {
                effect: Some("NoExecute".into()),
                operator: Some("Exists".into()),
                ..Default::default()
            }]),
            ..Default::default()
        }),
        status: None,
    }
}

impl Cluster {
    /// A control-plane node's kubelet publishes the mirror pods of its static pods when they are missing
    /// (at boot, or after someone deleted one: the kubelet re-creates it, as a real one does).
    pub(crate) fn sync_static_pods(&mut self, node: &str) {
        let Some(machine) = self.machines.get(node) else { return };
        if machine.plan.role != NodeRole::ControlPlane {
            return;
        }
        let ip = machine.plan.internal_ip.clone();
        let Some(node_uid) =
            self.store.get(&ObjectKey::new(Kind::Node, "", node)).and_then(|n| n.metadata().uid.clone())
        else {
            return;
        };
        for (component, image, cpu, memory) in COMPONENTS {
            let key = ObjectKey::new(Kind::Pod, "kube-system", &format!("{component}-{node}"));
            if self.store.get(&key).is_some() {
                continue;
            }
            let pod = manifest(component, node, &node_uid, &ip, image, cpu, *memory);
            let agent = self.ensure_agent(node);
            let path = format!("/etc/kubernetes/manifests/{component}.yaml");
            let _ = agent.host_fs.mkdir_all("/etc/kubernetes/manifests", 0);
            // JSON is YAML; written from the object's JSON so that no second serializer of the Pod type is built.
            let body = Object::from(pod).to_json();
            let text = serde_json::to_string_pretty(&body).unwrap_or_default();
            let _ = agent.host_fs.write(&path, &text, WriteMode::Truncate, 0);
            let req = Request::new(Verb::Create, Kind::Pod).namespace("kube-system").body(body);
            let _ = self.handle("kubelet", req);
        }
    }
}
