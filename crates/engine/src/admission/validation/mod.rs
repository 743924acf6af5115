//! Validation of objects on create and update, kind by kind, as the registry strategies of the apiserver run
//! it (`Validate` and `ValidateUpdate` of each `pkg/registry/*/strategy.go`). Errors come back in Go's
//! order; Go walks maps in random order, so where it iterates a map (labels, resource lists, data keys)
//! the keys go in sorted order here.

pub mod apps;
pub mod batch;
pub mod config;
pub mod container;
pub mod env;
pub mod meta;
pub mod pod;
pub mod probes;
pub mod resources;
pub mod service;
pub mod storage;
pub mod volume_files;
pub mod volumes;

use serde::Serialize;

use crate::admission::field::{invalid, BadValue, FieldError, GoJson, Path};
use crate::object::Object;

/// A value as `json.Marshal` renders it in an error message. Object keys come out sorted: the v1 types are
/// serialized through serde, so Go's struct field order is not known here (see the report on `BadValue`).
pub fn json_of<T: Serialize>(value: &T) -> GoJson {
    match serde_json::to_value(value) {
        Ok(v) => GoJson::from_value(&v),
        Err(_) => GoJson::Null,
    }
}

/// Drops nulls, empty lists and empty objects, which `apiequality.Semantic.DeepEqual` treats like absent.
fn normalized(v: &GoJson) -> Option<GoJson> {
    match v {
        GoJson::Null => None,
        GoJson::Array(items) if items.is_empty() => None,
        GoJson::Array(items) => {
            Some(GoJson::Array(items.iter().map(|i| normalized(i).unwrap_or(GoJson::Null)).collect()))
        }
        GoJson::Object(members) => {
            let kept: Vec<(String, GoJson)> =
                members.iter().filter_map(|(k, v)| normalized(v).map(|v| (k.clone(), v))).collect();
            if kept.is_empty() {
                None
            } else {
                Some(GoJson::Object(kept))
            }
        }
        other => Some(other.clone()),
    }
}

/// `apiequality.Semantic.DeepEqual` on serialized values: nil and empty collections are equal.
pub fn semantic_eq(a: &GoJson, b: &GoJson) -> bool {
    normalized(a) == normalized(b)
}

/// `ValidateImmutableField`: `<path>: Invalid value: <new>: field is immutable`.
pub fn immutable<T: Serialize>(new: &T, old: &T, path: &Path) -> Vec<FieldError> {
    let (n, o) = (json_of(new), json_of(old));
    if semantic_eq(&n, &o) {
        Vec::new()
    } else {
        vec![invalid(path, BadValue::Json(n), "field is immutable")]
    }
}

/// Everything the create strategy of the object's kind checks (`strategy.Validate`).
pub fn validate_create(obj: &Object) -> Vec<FieldError> {
    match obj {
        Object::Pod(p) => pod::validate_pod(p),
        Object::Service(s) => service::validate_service(s),
        Object::Deployment(d) => apps::validate_deployment(d),
        Object::ReplicaSet(rs) => apps::validate_replica_set(rs),
        Object::StatefulSet(s) => apps::validate_stateful_set(s),
        Object::DaemonSet(ds) => apps::validate_daemon_set(ds),
        Object::ControllerRevision(cr) => apps::validate_controller_revision(cr),
        Object::Job(j) => batch::validate_job(j),
        Object::CronJob(c) => batch::validate_cron_job(c),
        Object::ConfigMap(cm) => config::validate_config_map(cm),
        Object::Secret(s) => config::validate_secret(s),
        Object::ServiceAccount(sa) => config::validate_service_account(sa),
        Object::Namespace(ns) => config::validate_namespace(ns),
        Object::Node(n) => config::validate_node(n),
        Object::Endpoints(ep) => config::validate_endpoints(ep),
        Object::Event(ev) => config::validate_event(ev),
        Object::Lease(l) => config::validate_lease(l),
        Object::EndpointSlice(es) => config::validate_endpoint_slice(es),
        Object::PodDisruptionBudget(pdb) => config::validate_pdb(pdb),
        Object::PersistentVolume(pv) => storage::validate_pv(pv),
        Object::PersistentVolumeClaim(pvc) => storage::validate_pvc(pvc),
        Object::StorageClass(sc) => storage::validate_storage_class(sc),
    }
}

/// What an update must satisfy: the common metadata rules of `rest.BeforeUpdate` (identity fields fixed,
/// resourceVersion present), then the kind's `ValidateUpdate` (its create rules plus what may not change).
/// Errors the two report alike appear once in the aggregate message, as Go deduplicates them.
pub fn validate_update(old: &Object, new: &Object) -> Vec<FieldError> {
    let mut errs = meta::validate_object_meta_update(new.metadata(), old.metadata());
    let kind_errs = match (old, new) {
        (Object::Pod(o), Object::Pod(n)) => pod::validate_pod_update(n, o),
        (Object::Service(o), Object::Service(n)) => service::validate_service_update(n, o),
        (Object::Deployment(o), Object::Deployment(n)) => {
            let mut e = apps::validate_deployment(n);
            e.extend(apps::selector_immutable(
                n.spec.as_ref().map(|s| &s.selector),
                o.spec.as_ref().map(|s| &s.selector),
            ));
            e
        }
        (Object::ReplicaSet(o), Object::ReplicaSet(n)) => {
            let mut e = apps::validate_replica_set(n);
            e.extend(apps::selector_immutable(
                n.spec.as_ref().map(|s| &s.selector),
                o.spec.as_ref().map(|s| &s.selector),
            ));
            e
        }
        (Object::DaemonSet(o), Object::DaemonSet(n)) => {
            let mut e = apps::validate_daemon_set(n);
            e.extend(apps::selector_immutable(
                n.spec.as_ref().map(|s| &s.selector),
                o.spec.as_ref().map(|s| &s.selector),
            ));
            e
        }
        (Object::StatefulSet(o), Object::StatefulSet(n)) => apps::validate_stateful_set_update(n, o),
        (Object::ControllerRevision(o), Object::ControllerRevision(n)) => {
            apps::validate_controller_revision_update(n, o)
        }
        (Object::Job(o), Object::Job(n)) => batch::validate_job_update(n, o),
        (Object::CronJob(o), Object::CronJob(n)) => batch::validate_cron_job_update(n, o),
        (Object::ConfigMap(o), Object::ConfigMap(n)) => config::validate_config_map_update(n, o),
        (Object::Secret(o), Object::Secret(n)) => config::validate_secret_update(n, o),
        (Object::EndpointSlice(o), Object::EndpointSlice(n)) => config::validate_endpoint_slice_update(n, o),
        (Object::PersistentVolume(o), Object::PersistentVolume(n)) => storage::validate_pv_update(n, o),
        (Object::PersistentVolumeClaim(o), Object::PersistentVolumeClaim(n)) => storage::validate_pvc_update(n, o),
        (Object::StorageClass(o), Object::StorageClass(n)) => storage::validate_storage_class_update(n, o),
        // Namespace updates check metadata only (spec and status are reset from the old object).
        (Object::Namespace(_), Object::Namespace(_)) => Vec::new(),
        (_, n) => validate_create(n),
    };
    errs.extend(kind_errs);
    errs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semantic_equality_ignores_empty_collections() {
        let a = GoJson::Object(vec![("a".into(), GoJson::Array(vec![])), ("b".into(), GoJson::Int(1))]);
        let b = GoJson::Object(vec![("b".into(), GoJson::Int(1))]);
        assert!(semantic_eq(&a, &b));
        assert!(!semantic_eq(&a, &GoJson::Object(vec![("b".into(), GoJson::Int(2))])));
    }

    #[test]
    fn immutable_field_message() {
        let errs = immutable(&Some("Block".to_string()), &Some("Filesystem".to_string()), &Path::new("volumeMode"));
        let got: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
        assert_eq!(got, ["volumeMode: Invalid value: \"Block\": field is immutable"]);
    }
}
