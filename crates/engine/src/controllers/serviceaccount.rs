//! The ServiceAccount controller and the root-CA publisher: every active namespace gets a `default`
//! ServiceAccount and a `kube-root-ca.crt` ConfigMap, re-created if deleted.

use k8s_openapi::api::core::v1::{ConfigMap, ServiceAccount};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::apiserver::{Request, Verb};
use crate::cluster::Cluster;
use crate::object::{Kind, Object};
use crate::store::ObjectKey;

impl Cluster {
    pub(super) fn reconcile_service_accounts(&mut self) {
        let active: Vec<String> = self
            .store
            .list(Kind::Namespace, None)
            .filter(|ns| ns.metadata().deletion_timestamp.is_none())
            .map(|ns| ns.name().to_string())
            .collect();
        for ns in active {
            if self.store.get(&ObjectKey::new(Kind::ServiceAccount, &ns, "default")).is_none() {
                let sa = ServiceAccount {
                    metadata: ObjectMeta {
                        name: Some("default".into()),
                        namespace: Some(ns.clone()),
                        ..Default::default()
                    },
                    ..Default::default()
                };
                self.controller_create("serviceaccount-controller", Object::from(sa), &ns);
            }
            if self.store.get(&ObjectKey::new(Kind::ConfigMap, &ns, "kube-root-ca.crt")).is_none() {
                let cm = ConfigMap {
                    metadata: ObjectMeta {
                        name: Some("kube-root-ca.crt".into()),
                        namespace: Some(ns.clone()),
                        annotations: Some(
                            [("kubernetes.io/description".to_string(), ROOT_CA_DESCRIPTION.to_string())].into(),
                        ),
                        ..Default::default()
                    },
                    data: Some([("ca.crt".to_string(), self.cluster_ca_pem())].into()),
                    ..Default::default()
                };
                self.controller_create("root-ca-cert-publisher", Object::from(cm), &ns);
            }
        }
    }

    /// Creates an object through the API on behalf of a controller. Controllers create only what they have
    /// checked is missing, so a refusal here is a bug worth seeing in tests, not a learner's mistake.
    pub(crate) fn controller_create(&mut self, controller: &str, obj: Object, ns: &str) {
        let kind = obj.kind();
        let req = Request::new(Verb::Create, kind).namespace(ns).body(obj.to_json());
        let res = self.handle(controller, req);
        debug_assert!(res.result.is_ok(), "{controller} could not create a {kind:?}: {:?}", res.result.err());
    }

    /// The cluster CA certificate as PEM. Simulated: stable per seed, shaped like the real thing.
    pub(crate) fn cluster_ca_pem(&self) -> String {
        let mut rng = crate::rng::Rng::new(self.seed ^ 0x6361_2d63_6572_7421);
        const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut body = String::from("MIIDBTCCAe2gAwIBAgII");
        while body.len() < 1040 {
            body.push(B64[rng.below(64) as usize] as char);
        }
        let lines: Vec<&str> = body.as_bytes().chunks(64).map(|c| std::str::from_utf8(c).unwrap_or_default()).collect();
        format!("-----BEGIN CERTIFICATE-----\n{}=\n-----END CERTIFICATE-----\n", lines.join("\n"))
    }
}

const ROOT_CA_DESCRIPTION: &str = "Contains a CA bundle that can be used to verify the kube-apiserver when using \
internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across \
distributions of Kubernetes clusters.";
