//! The node agents of the default cluster (CONTRACT §3), created while the cluster boots so that their pods
//! run on every node at time 0: kubeadm's `kube-proxy` addon (its ServiceAccount, ConfigMap and DaemonSet in
//! `kube-system`, as `cmd/kubeadm/app/phases/addons/proxy/manifests.go` writes them) and Flannel as
//! `kubectl apply -f kube-flannel.yml` (v0.27.3) installs it in `kube-flannel` (ServiceAccount `flannel`,
//! ConfigMap `kube-flannel-cfg`, DaemonSet `kube-flannel-ds`). Their pods come from the DaemonSet controller.

use serde_json::{json, Value};

use crate::apiserver::{Request, Verb};
use crate::cluster::Cluster;
use crate::machines::API_SERVER_ENDPOINT;
use crate::object::Kind;
use crate::topology::KUBERNETES_VERSION;

/// kube-proxy's `config.conf` as kubeadm renders its default KubeProxyConfiguration with the cluster's pod
/// CIDR. (Field list from kubeproxy.config.k8s.io/v1alpha1 as kubeadm marshals it; an informed reconstruction,
/// not a capture.)
const KUBE_PROXY_CONFIG: &str = "apiVersion: kubeproxy.config.k8s.io/v1alpha1
bindAddress: 0.0.0.0
bindAddressHardFail: false
clientConnection:
  acceptContentTypes: \"\"
  burst: 0
  contentType: \"\"
  kubeconfig: /var/lib/kube-proxy/kubeconfig.conf
  qps: 0
clusterCIDR: 10.244.0.0/16
configSyncPeriod: 0s
conntrack:
  maxPerCore: null
  min: null
  tcpBeLiberal: false
  tcpCloseWaitTimeout: null
  tcpEstablishedTimeout: null
  udpStreamTimeout: 0s
  udpTimeout: 0s
detectLocal:
  bridgeInterface: \"\"
  interfaceNamePrefix: \"\"
detectLocalMode: \"\"
enableProfiling: false
healthzBindAddress: \"\"
hostnameOverride: \"\"
iptables:
  localhostNodePorts: null
  masqueradeAll: false
  masqueradeBit: null
  minSyncPeriod: 0s
  syncPeriod: 0s
ipvs:
  excludeCIDRs: null
  minSyncPeriod: 0s
  scheduler: \"\"
  strictARP: false
  syncPeriod: 0s
  tcpFinTimeout: 0s
  tcpTimeout: 0s
  udpTimeout: 0s
kind: KubeProxyConfiguration
logging:
  flushFrequency: 0
  options:
    json:
      infoBufferSize: \"0\"
    text:
      infoBufferSize: \"0\"
  verbosity: 0
metricsBindAddress: \"\"
mode: \"\"
nftables:
  masqueradeAll: false
  masqueradeBit: null
  minSyncPeriod: 0s
  syncPeriod: 0s
nodePortAddresses: null
oomScoreAdj: null
portRange: \"\"
showHiddenMetricsForVersion: \"\"
winkernel:
  enableDSR: false
  forwardHealthCheckVip: false
  networkName: \"\"
  rootHnsEndpointName: \"\"
  sourceVip: \"\"";

/// Flannel's `cni-conf.json` (kube-flannel.yml).
const FLANNEL_CNI_CONF: &str = r#"{
  "name": "cbr0",
  "cniVersion": "0.3.1",
  "plugins": [
    {
      "type": "flannel",
      "delegate": {
        "hairpinMode": true,
        "isDefaultGateway": true
      }
    },
    {
      "type": "portmap",
      "capabilities": {
        "portMappings": true
      }
    }
  ]
}
"#;

/// Flannel's `net-conf.json` with kubeadm's pod network (FACTS F11.1).
const FLANNEL_NET_CONF: &str = r#"{
  "Network": "10.244.0.0/16",
  "EnableNFTables": false,
  "Backend": {
    "Type": "vxlan"
  }
}
"#;

fn kube_proxy_kubeconfig() -> String {
    format!(
        "apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority: /var/run/secrets/kubernetes.io/serviceaccount/ca.crt
    server: https://{API_SERVER_ENDPOINT}
  name: default
contexts:
- context:
    cluster: default
    namespace: default
    user: default
  name: default
current-context: default
users:
- name: default
  user:
    tokenFile: /var/run/secrets/kubernetes.io/serviceaccount/token"
    )
}

fn kube_proxy() -> Vec<(Kind, Value)> {
    let sa = json!({"apiVersion": "v1", "kind": "ServiceAccount",
        "metadata": {"name": "kube-proxy", "namespace": "kube-system"}});
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "kube-proxy", "namespace": "kube-system", "labels": {"app": "kube-proxy"}},
        "data": {"config.conf": KUBE_PROXY_CONFIG, "kubeconfig.conf": kube_proxy_kubeconfig()}});
    let ds = json!({"apiVersion": "apps/v1", "kind": "DaemonSet",
    "metadata": {"name": "kube-proxy", "namespace": "kube-system", "labels": {"k8s-app": "kube-proxy"}},
    "spec": {
        "selector": {"matchLabels": {"k8s-app": "kube-proxy"}},
        "updateStrategy": {"type": "RollingUpdate"},
        "template": {
            "metadata": {"labels": {"k8s-app": "kube-proxy"}},
            "spec": {
                "priorityClassName": "system-node-critical",
                "containers": [{
                    "name": "kube-proxy",
                    "image": format!("registry.k8s.io/kube-proxy:{KUBERNETES_VERSION}"),
                    "imagePullPolicy": "IfNotPresent",
                    "command": ["/usr/local/bin/kube-proxy", "--config=/var/lib/kube-proxy/config.conf",
                        "--hostname-override=$(NODE_NAME)"],
                    "securityContext": {"privileged": true},
                    "volumeMounts": [
                        {"mountPath": "/var/lib/kube-proxy", "name": "kube-proxy"},
                        {"mountPath": "/run/xtables.lock", "name": "xtables-lock", "readOnly": false},
                        {"mountPath": "/lib/modules", "name": "lib-modules", "readOnly": true}
                    ],
                    "env": [{"name": "NODE_NAME", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}}]
                }],
                "hostNetwork": true,
                "serviceAccountName": "kube-proxy",
                "volumes": [
                    {"name": "kube-proxy", "configMap": {"name": "kube-proxy"}},
                    {"name": "xtables-lock", "hostPath": {"path": "/run/xtables.lock", "type": "FileOrCreate"}},
                    {"name": "lib-modules", "hostPath": {"path": "/lib/modules"}}
                ],
                "tolerations": [{"operator": "Exists"}],
                "nodeSelector": {"kubernetes.io/os": "linux"}
            }
        }
    }});
    vec![(Kind::ServiceAccount, sa), (Kind::ConfigMap, cm), (Kind::DaemonSet, ds)]
}

fn flannel() -> Vec<(Kind, Value)> {
    let sa = json!({"apiVersion": "v1", "kind": "ServiceAccount",
        "metadata": {"name": "flannel", "namespace": "kube-flannel", "labels": {"k8s-app": "flannel"}}});
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "kube-flannel-cfg", "namespace": "kube-flannel",
            "labels": {"app": "flannel", "k8s-app": "flannel", "tier": "node"}},
        "data": {"cni-conf.json": FLANNEL_CNI_CONF, "net-conf.json": FLANNEL_NET_CONF}});
    let cni_plugin = "ghcr.io/flannel-io/flannel-cni-plugin:v1.7.1-flannel1";
    let flannel = "ghcr.io/flannel-io/flannel:v0.27.3";
    let ds = json!({"apiVersion": "apps/v1", "kind": "DaemonSet",
    "metadata": {"name": "kube-flannel-ds", "namespace": "kube-flannel",
        "labels": {"app": "flannel", "k8s-app": "flannel", "tier": "node"}},
    "spec": {
        "selector": {"matchLabels": {"app": "flannel", "k8s-app": "flannel"}},
        "template": {
            "metadata": {"labels": {"app": "flannel", "k8s-app": "flannel", "tier": "node"}},
            "spec": {
                "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [{"matchExpressions": [
                        {"key": "kubernetes.io/os", "operator": "In", "values": ["linux"]}]}]}}},
                "hostNetwork": true,
                "priorityClassName": "system-node-critical",
                "tolerations": [{"operator": "Exists", "effect": "NoSchedule"}],
                "serviceAccountName": "flannel",
                "initContainers": [
                    {"name": "install-cni-plugin", "image": cni_plugin, "command": ["cp"],
                        "args": ["-f", "/flannel", "/opt/cni/bin/flannel"],
                        "volumeMounts": [{"name": "cni-plugin", "mountPath": "/opt/cni/bin"}]},
                    {"name": "install-cni", "image": flannel, "command": ["cp"],
                        "args": ["-f", "/etc/kube-flannel/cni-conf.json", "/etc/cni/net.d/10-flannel.conflist"],
                        "volumeMounts": [{"name": "cni", "mountPath": "/etc/cni/net.d"},
                            {"name": "flannel-cfg", "mountPath": "/etc/kube-flannel/"}]}
                ],
                "containers": [{
                    "name": "kube-flannel", "image": flannel, "command": ["/opt/bin/flanneld"],
                    "args": ["--ip-masq", "--kube-subnet-mgr"],
                    "resources": {"requests": {"cpu": "100m", "memory": "50Mi"}},
                    "securityContext": {"privileged": false, "capabilities": {"add": ["NET_ADMIN", "NET_RAW"]}},
                    "env": [
                        {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                        {"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
                        {"name": "EVENT_QUEUE_DEPTH", "value": "5000"}
                    ],
                    "volumeMounts": [
                        {"name": "run", "mountPath": "/run/flannel"},
                        {"name": "flannel-cfg", "mountPath": "/etc/kube-flannel/"},
                        {"name": "xtables-lock", "mountPath": "/run/xtables.lock"}
                    ]
                }],
                "volumes": [
                    {"name": "run", "hostPath": {"path": "/run/flannel"}},
                    {"name": "cni-plugin", "hostPath": {"path": "/opt/cni/bin"}},
                    {"name": "cni", "hostPath": {"path": "/etc/cni/net.d"}},
                    {"name": "flannel-cfg", "configMap": {"name": "kube-flannel-cfg"}},
                    {"name": "xtables-lock", "hostPath": {"path": "/run/xtables.lock", "type": "FileOrCreate"}}
                ]
            }
        }
    }});
    vec![(Kind::ServiceAccount, sa), (Kind::ConfigMap, cm), (Kind::DaemonSet, ds)]
}

impl Cluster {
    /// Creates kube-proxy (by kubeadm) and Flannel (by `kubectl apply`) through the API.
    pub(crate) fn install_node_addons(&mut self) {
        for (actor, objects) in [("kubeadm", kube_proxy()), ("kubectl", flannel())] {
            for (kind, body) in objects {
                let ns = body["metadata"]["namespace"].as_str().unwrap_or_default().to_string();
                let res = self.handle(actor, Request::new(Verb::Create, kind).namespace(ns).body(body));
                debug_assert!(res.result.is_ok(), "bootstrap {kind:?}: {:?}", res.result.err());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::object::{Kind, Object};
    use crate::Cluster;

    #[test]
    fn node_agents_run_on_every_node_at_time_zero() {
        let cluster = Cluster::new(0);
        for (ns, prefix) in [("kube-system", "kube-proxy-"), ("kube-flannel", "kube-flannel-ds-")] {
            let pods: Vec<_> = cluster
                .store()
                .list(Kind::Pod, Some(ns))
                .filter_map(|o| match o {
                    Object::Pod(p) if o.name().starts_with(prefix) => Some(p.clone()),
                    _ => None,
                })
                .collect();
            assert_eq!(pods.len(), 5, "{prefix}");
            let mut nodes: Vec<_> = pods.iter().map(|p| p.spec.as_ref().unwrap().node_name.clone().unwrap()).collect();
            nodes.sort();
            nodes.dedup();
            assert_eq!(nodes.len(), 5, "{prefix} one per node");
            for p in &pods {
                let status = p.status.as_ref().unwrap();
                assert_eq!(status.phase.as_deref(), Some("Running"), "{}", p.metadata.name.as_deref().unwrap());
                assert!(status.conditions.iter().flatten().any(|c| c.type_ == "Ready" && c.status == "True"));
            }
        }
        for (ns, name) in [("kube-system", "kube-proxy"), ("kube-flannel", "kube-flannel-ds")] {
            let Ok(Object::DaemonSet(ds)) = cluster.get(Kind::DaemonSet, ns, name) else { panic!("{name}") };
            let s = ds.status.as_ref().unwrap();
            assert_eq!((s.desired_number_scheduled, s.current_number_scheduled, s.number_ready), (5, 5, 5));
            assert_eq!((s.updated_number_scheduled, s.number_available), (Some(5), Some(5)));
        }
    }
}
