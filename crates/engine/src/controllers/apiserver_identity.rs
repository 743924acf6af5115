//! The kube-apiserver identity Leases (`APIServerIdentity`, on by default): every kube-apiserver keeps a Lease
//! `kube-system/apiserver-<hash>` with the labels `apiserver.kubernetes.io/identity: kube-apiserver` and
//! `kubernetes.io/hostname: <host>`, holder `<id>_<uuid>` (a new uuid per process start),
//! `leaseDurationSeconds: 3600`, renewed every 10 s (`pkg/controlplane/apiserver/server.go`, the lease
//! controller of `component-helpers/apimachinery/lease`). The id is derived from the hostname
//! (`genericapiserver.NewConfig`): `"apiserver-" + lower(base32-nopad(sha256(u16len(host) host
//! u16len("kube-apiserver") "kube-apiserver")[:16]))`.
//!
//! As for node Leases, renewals are written lazily: whenever the controllers run, `renewTime` is set to the
//! latest 10 s tick since the last renewal, so time passing does not write the store every 10 s. A stopped
//! apiserver's lease keeps its last renewal. Not simulated: the identity-lease garbage collector (it deletes
//! leases expired for an hour, checked hourly) and a restarted apiserver's new holder identity (the lease
//! controller updates a copy of the existing lease, so the holder shown stays the first one here).

use std::collections::BTreeMap;

use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};

use crate::clock::{api_time, sim_millis, Millis};
use crate::cluster::Cluster;
use crate::object::{Kind, Object};
use crate::rng::Rng;
use crate::store::ObjectKey;
use crate::util::sha256::{base32, sha256};

/// `IdentityLeaseComponentLabelKey`.
pub const IDENTITY_LABEL: &str = "apiserver.kubernetes.io/identity";
/// `IdentityLeaseDurationSeconds`.
pub const IDENTITY_LEASE_DURATION_SECONDS: i32 = 3600;
/// `IdentityLeaseRenewIntervalPeriod`.
pub const IDENTITY_LEASE_RENEW_MS: Millis = 10_000;
pub const IDENTITY_LEASE_NAMESPACE: &str = "kube-system";

/// The kube-apiserver's id on `hostname` (also its Lease's name).
///
/// Example: `control-plane-1` → `apiserver-ktnciuvxljjqohol43g65rthde`.
pub fn apiserver_id(hostname: &str) -> String {
    let mut data = Vec::new();
    for part in [hostname.as_bytes(), b"kube-apiserver".as_slice()] {
        data.extend_from_slice(&(part.len() as u16).to_be_bytes());
        data.extend_from_slice(part);
    }
    let hash = sha256(&data);
    format!("apiserver-{}", base32(&hash[..16]).trim_end_matches('=').to_lowercase())
}

/// The identities of the running apiservers and the side random stream their uuids come from (so that these
/// Leases do not shift the names and uids everything else draws from the cluster's RNG).
#[derive(Clone, Debug)]
pub struct ApiServerIdentities {
    rng: Rng,
}

impl ApiServerIdentities {
    pub(crate) fn new(seed: u64) -> Self {
        ApiServerIdentities { rng: Rng::new(seed ^ 0xa915_e1de_0000_7710) }
    }
}

impl Cluster {
    /// Each running control-plane node's kube-apiserver creates its identity Lease if it is missing and
    /// renews it on its 10 s ticks (lazily, see the module documentation).
    pub(crate) fn reconcile_apiserver_identity_leases(&mut self) {
        let now = self.clock.now();
        let running = self.machines.running_control_planes();
        for host in running {
            let id = apiserver_id(&host);
            let key = ObjectKey::new(Kind::Lease, IDENTITY_LEASE_NAMESPACE, &id);
            match self.store.get(&key) {
                Some(Object::Lease(lease)) => {
                    let last = lease
                        .spec
                        .as_ref()
                        .and_then(|s| s.renew_time.as_ref())
                        .map(|t| sim_millis(&t.0.into()))
                        .unwrap_or(0);
                    if now < last + IDENTITY_LEASE_RENEW_MS {
                        continue;
                    }
                    let mut lease = lease.clone();
                    let ticks = (now - last) / IDENTITY_LEASE_RENEW_MS;
                    let spec = lease.spec.get_or_insert_with(Default::default);
                    spec.renew_time = Some(MicroTime(api_time(last + ticks * IDENTITY_LEASE_RENEW_MS).0));
                    spec.lease_duration_seconds = Some(IDENTITY_LEASE_DURATION_SECONDS);
                    self.store.replace(Object::from(*lease));
                }
                _ => {
                    let holder = format!("{id}_{}", self.apiserver_identities.rng.uuid());
                    let uid = self.apiserver_identities.rng.uuid();
                    let labels: BTreeMap<String, String> = [
                        (IDENTITY_LABEL.to_string(), "kube-apiserver".to_string()),
                        ("kubernetes.io/hostname".to_string(), host.clone()),
                    ]
                    .into();
                    let lease = Lease {
                        metadata: ObjectMeta {
                            name: Some(id.clone()),
                            namespace: Some(IDENTITY_LEASE_NAMESPACE.into()),
                            uid: Some(uid),
                            labels: Some(labels),
                            ..Default::default()
                        },
                        spec: Some(LeaseSpec {
                            holder_identity: Some(holder),
                            lease_duration_seconds: Some(IDENTITY_LEASE_DURATION_SECONDS),
                            renew_time: Some(MicroTime(api_time(now).0)),
                            ..Default::default()
                        }),
                    };
                    let reason = format!("kube-apiserver on {host} created its identity lease {id}");
                    let _ = self.create("kube-apiserver", Object::from(lease), &reason);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_derived_from_the_hostname() {
        // Computed with Go's algorithm (cryptobyte length prefixes, SHA-256, base32 without padding).
        assert_eq!(apiserver_id("control-plane-1"), "apiserver-ktnciuvxljjqohol43g65rthde");
        assert_eq!(apiserver_id("control-plane-1").len(), "apiserver-".len() + 26);
    }

    #[test]
    fn every_control_plane_node_has_a_lease_renewed_lazily() {
        let mut c = Cluster::new(0);
        let leases: Vec<String> = c
            .store()
            .list(Kind::Lease, Some(IDENTITY_LEASE_NAMESPACE))
            .filter(|o| o.metadata().labels.as_ref().is_some_and(|l| l.contains_key(IDENTITY_LABEL)))
            .map(|o| o.name().to_string())
            .collect();
        assert_eq!(leases.len(), 3);
        let id = apiserver_id("control-plane-2");
        let lease = match c.store().get(&ObjectKey::new(Kind::Lease, IDENTITY_LEASE_NAMESPACE, &id)) {
            Some(Object::Lease(l)) => (**l).clone(),
            _ => panic!("no lease {id}"),
        };
        let spec = lease.spec.unwrap();
        assert!(spec.holder_identity.unwrap().starts_with(&format!("{id}_")));
        assert_eq!(spec.lease_duration_seconds, Some(3600));
        assert_eq!(lease.metadata.labels.unwrap()["kubernetes.io/hostname"], "control-plane-2");
        c.step(25_000);
        let renewed = match c.store().get(&ObjectKey::new(Kind::Lease, IDENTITY_LEASE_NAMESPACE, &id)) {
            Some(Object::Lease(l)) => sim_millis(&l.spec.as_ref().unwrap().renew_time.as_ref().unwrap().0.into()),
            _ => panic!(),
        };
        assert_eq!(renewed, 20_000);
    }
}
