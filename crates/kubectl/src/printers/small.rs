//! Kinds with a column or two beside NAME and AGE: `printConfigMap`, `printSecret`,
//! `printServiceAccount`, `printLease`, `printPodDisruptionBudget` and `printControllerRevision`.

use std::collections::BTreeSet;

use engine::api::api::apps::v1::ControllerRevision;
use engine::api::api::coordination::v1::Lease;
use engine::api::api::core::v1::{ConfigMap, Secret, ServiceAccount};
use engine::api::api::policy::v1::PodDisruptionBudget;
use engine::api::apimachinery::pkg::util::intstr::IntOrString;
use engine::clock::Millis;

use super::{col, since, Col};

pub(super) const CONFIG_MAP_COLUMNS: &[Col] = &[col("NAME"), col("DATA"), col("AGE")];
pub(super) const SECRET_COLUMNS: &[Col] = &[col("NAME"), col("TYPE"), col("DATA"), col("AGE")];
pub(super) const SERVICE_ACCOUNT_COLUMNS: &[Col] = &[col("NAME"), col("SECRETS"), col("AGE")];
pub(super) const LEASE_COLUMNS: &[Col] = &[col("NAME"), col("HOLDER"), col("AGE")];
pub(super) const CONTROLLER_REVISION_COLUMNS: &[Col] = &[col("NAME"), col("CONTROLLER"), col("REVISION"), col("AGE")];
pub(super) const PDB_COLUMNS: &[Col] =
    &[col("NAME"), col("MIN AVAILABLE"), col("MAX UNAVAILABLE"), col("ALLOWED DISRUPTIONS"), col("AGE")];

pub(super) fn config_map_cells(cm: &ConfigMap, now: Millis) -> Vec<String> {
    let count = cm.data.as_ref().map_or(0, |d| d.len()) + cm.binary_data.as_ref().map_or(0, |d| d.len());
    vec![
        cm.metadata.name.clone().unwrap_or_default(),
        count.to_string(),
        since(cm.metadata.creation_timestamp.as_ref(), now),
    ]
}

pub(super) fn secret_cells(secret: &Secret, now: Millis) -> Vec<String> {
    // The apiserver's conversion folds `stringData` into `data` before the printer counts keys.
    let keys: BTreeSet<&String> = secret
        .data
        .iter()
        .flatten()
        .map(|(k, _)| k)
        .chain(secret.string_data.iter().flatten().map(|(k, _)| k))
        .collect();
    vec![
        secret.metadata.name.clone().unwrap_or_default(),
        secret.type_.clone().unwrap_or_default(),
        keys.len().to_string(),
        since(secret.metadata.creation_timestamp.as_ref(), now),
    ]
}

pub(super) fn service_account_cells(sa: &ServiceAccount, now: Millis) -> Vec<String> {
    vec![
        sa.metadata.name.clone().unwrap_or_default(),
        sa.secrets.as_ref().map_or(0, Vec::len).to_string(),
        since(sa.metadata.creation_timestamp.as_ref(), now),
    ]
}

pub(super) fn lease_cells(lease: &Lease, now: Millis) -> Vec<String> {
    vec![
        lease.metadata.name.clone().unwrap_or_default(),
        lease.spec.as_ref().and_then(|s| s.holder_identity.clone()).unwrap_or_default(),
        since(lease.metadata.creation_timestamp.as_ref(), now),
    ]
}

/// `printControllerRevision`: the controller as `formatResourceName` writes its group-kind, lower-cased
/// (`statefulset.apps/web`), or `<none>`.
pub(super) fn controller_revision_cells(cr: &ControllerRevision, now: Millis) -> Vec<String> {
    let controller = cr.metadata.owner_references.iter().flatten().find(|r| r.controller == Some(true)).map_or_else(
        || "<none>".to_string(),
        |r| {
            let group = r.api_version.rsplit_once('/').map_or("", |(g, _)| g);
            let kind = if group.is_empty() { r.kind.clone() } else { format!("{}.{group}", r.kind) };
            format!("{}/{}", kind.to_lowercase(), r.name)
        },
    );
    vec![
        cr.metadata.name.clone().unwrap_or_default(),
        controller,
        cr.revision.to_string(),
        since(cr.metadata.creation_timestamp.as_ref(), now),
    ]
}

/// `IntOrString.String()`, or `N/A` when the field is unset.
fn int_or_string(v: Option<&IntOrString>) -> String {
    match v {
        Some(IntOrString::Int(i)) => i.to_string(),
        Some(IntOrString::String(s)) => s.clone(),
        None => "N/A".to_string(),
    }
}

pub(super) fn pdb_cells(pdb: &PodDisruptionBudget, now: Millis) -> Vec<String> {
    let spec = pdb.spec.as_ref();
    vec![
        pdb.metadata.name.clone().unwrap_or_default(),
        int_or_string(spec.and_then(|s| s.min_available.as_ref())),
        int_or_string(spec.and_then(|s| s.max_unavailable.as_ref())),
        pdb.status.as_ref().map_or(0, |s| s.disruptions_allowed).to_string(),
        since(pdb.metadata.creation_timestamp.as_ref(), now),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::api::api::coordination::v1::LeaseSpec;
    use engine::api::api::core::v1::ObjectReference;
    use engine::api::api::policy::v1::{PodDisruptionBudgetSpec, PodDisruptionBudgetStatus};
    use engine::api::apimachinery::pkg::apis::meta::v1::ObjectMeta;
    use engine::api::ByteString;
    use engine::clock::api_time;

    fn meta(name: &str) -> ObjectMeta {
        ObjectMeta { name: Some(name.into()), creation_timestamp: Some(api_time(0)), ..Default::default() }
    }

    #[test]
    fn config_maps_count_data_and_binary_data() {
        let cm = ConfigMap {
            metadata: meta("app-config"),
            data: Some([("a".to_string(), "1".to_string()), ("b".to_string(), "2".to_string())].into()),
            binary_data: Some([("c".to_string(), ByteString(vec![0]))].into()),
            ..Default::default()
        };
        assert_eq!(config_map_cells(&cm, 4 * 86_400_000), ["app-config", "3", "4d"]);
        assert_eq!(config_map_cells(&ConfigMap::default(), 0), ["", "0", "<unknown>"]);
    }

    #[test]
    fn secrets_count_data_and_string_data_keys() {
        let secret = Secret {
            metadata: meta("web-tls"),
            type_: Some("kubernetes.io/tls".into()),
            data: Some(
                [("tls.crt".to_string(), ByteString(vec![])), ("tls.key".to_string(), ByteString(vec![]))].into(),
            ),
            string_data: Some(
                [("tls.key".to_string(), "k".to_string()), ("ca.crt".to_string(), "c".to_string())].into(),
            ),
            ..Default::default()
        };
        assert_eq!(secret_cells(&secret, 0), ["web-tls", "kubernetes.io/tls", "3", "0s"]);
        assert_eq!(secret_cells(&Secret::default(), 0), ["", "", "0", "<unknown>"]);
    }

    #[test]
    fn service_accounts_and_leases() {
        let sa = ServiceAccount {
            metadata: meta("default"),
            secrets: Some(vec![ObjectReference::default()]),
            ..Default::default()
        };
        assert_eq!(service_account_cells(&sa, 0), ["default", "1", "0s"]);
        assert_eq!(service_account_cells(&ServiceAccount::default(), 0)[1], "0");
        let lease = Lease {
            metadata: meta("kube-controller-manager"),
            spec: Some(LeaseSpec { holder_identity: Some("control-plane_1234".into()), ..Default::default() }),
        };
        assert_eq!(lease_cells(&lease, 0), ["kube-controller-manager", "control-plane_1234", "0s"]);
        assert_eq!(lease_cells(&Lease::default(), 0), ["", "", "<unknown>"]);
    }

    #[test]
    fn pod_disruption_budgets() {
        let pdb = |min: Option<IntOrString>, max: Option<IntOrString>, allowed: i32| PodDisruptionBudget {
            metadata: meta("web"),
            spec: Some(PodDisruptionBudgetSpec { min_available: min, max_unavailable: max, ..Default::default() }),
            status: Some(PodDisruptionBudgetStatus { disruptions_allowed: allowed, ..Default::default() }),
        };
        let cases = [
            (pdb(Some(IntOrString::Int(2)), None, 1), ["2", "N/A", "1"]),
            (pdb(None, Some(IntOrString::String("25%".into())), 0), ["N/A", "25%", "0"]),
        ];
        for (p, want) in cases {
            let c = pdb_cells(&p, 0);
            assert_eq!([c[1].as_str(), c[2].as_str(), c[3].as_str()], want);
        }
        assert_eq!(pdb_cells(&PodDisruptionBudget::default(), 0), ["", "N/A", "N/A", "0", "<unknown>"]);
    }
}
