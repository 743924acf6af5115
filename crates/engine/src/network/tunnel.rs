//! `minikube tunnel`: a route from the host to the Service network, and the load-balancer emulator that
//! "sets their Ingress to their ClusterIP" for every Service of type LoadBalancer (minikube's command help).
//! Without it a LoadBalancer Service's EXTERNAL-IP stays `<pending>`, as with no cloud controller.

use k8s_openapi::api::core::v1::{LoadBalancerIngress, LoadBalancerStatus, ServiceStatus};

use crate::cluster::Cluster;
use crate::object::{Kind, Object};

/// The running tunnel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tunnel {
    /// The process id minikube prints (simulated).
    pub pid: u32,
}

impl Cluster {
    /// Starts the tunnel (once; a second start finds it running). Returns its pid and whether it was already
    /// running.
    pub fn start_tunnel(&mut self) -> (Tunnel, bool) {
        if let Some(t) = &self.network.tunnel {
            return (t.clone(), true);
        }
        let pid = 1000 + self.network.rng.below(60_000) as u32;
        let t = Tunnel { pid };
        self.network.tunnel = Some(t.clone());
        self.settle();
        (t, false)
    }

    pub fn tunnel(&self) -> Option<&Tunnel> {
        self.network.tunnel.as_ref()
    }

    /// The LoadBalancer Services the tunnel serves, `namespace/name`... as minikube lists them (`[web db]`).
    pub fn tunnel_services(&self) -> Vec<String> {
        self.store
            .list(Kind::Service, None)
            .filter(|o| match o {
                Object::Service(s) => s.spec.as_ref().and_then(|s| s.type_.as_deref()) == Some("LoadBalancer"),
                _ => false,
            })
            .map(|o| o.name().to_string())
            .collect()
    }

    /// The load-balancer emulator: each LoadBalancer Service with a ClusterIP gets it as its ingress IP (the
    /// API server defaults `ipMode: VIP`).
    pub(crate) fn reconcile_tunnel(&mut self) {
        if self.network.tunnel.is_none() {
            return;
        }
        let updates: Vec<Object> = self
            .store
            .list(Kind::Service, None)
            .filter_map(|o| {
                let Object::Service(s) = o else { return None };
                let spec = s.spec.as_ref()?;
                if spec.type_.as_deref() != Some("LoadBalancer") {
                    return None;
                }
                let ip = spec.cluster_ip.clone().filter(|ip| !ip.is_empty() && ip != "None")?;
                let want = Some(LoadBalancerStatus {
                    ingress: Some(vec![LoadBalancerIngress {
                        ip: Some(ip),
                        ip_mode: Some("VIP".into()),
                        ..Default::default()
                    }]),
                });
                let current = s.status.as_ref().and_then(|st| st.load_balancer.clone());
                if current == want {
                    return None;
                }
                let mut next = (**s).clone();
                next.status = Some(ServiceStatus { load_balancer: want, ..next.status.unwrap_or_default() });
                Some(Object::from(next))
            })
            .collect();
        for obj in updates {
            let why = format!("minikube tunnel gives LoadBalancer Service {} its ClusterIP as external IP", obj.name());
            self.write_workload_status("minikube-tunnel", obj, &why);
        }
    }
}
