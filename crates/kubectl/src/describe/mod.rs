//! kubectl describe: one layout per kind, as real kubectl v1.34 prints it.
//!
//! This is a port of `k8s.io/kubectl/pkg/describe` (`describe.go`): each describer writes through
//! `PrefixWriter` (over a port of Go's `text/tabwriter`) exactly the lines the Go describer writes, so
//! that alignment, `<none>` placeholders and trailing spaces come out byte for byte. Describers find
//! related objects (events, pods, ReplicaSets, EndpointSlices, the node's Lease...) through [`Lookup`],
//! which stands for the list requests kubectl sends; they never see the cluster itself.
//!
//! The port follows kubectl's describe.go as of v1.33–v1.34 (projected volumes print `Optional:` since
//! v1.33; container ports do not yet carry their names, which came in v1.35). The captures it is tested
//! against were taken with kubectl v1.32, whose output differs only in that projected-volume line.
//!
//! Where Go iterates a map (ConfigMap and Secret keys), kubectl's order is random; this port uses key
//! order, one of the orders real kubectl prints. Where Go would dereference a nil pointer the API server
//! always fills in (`spec.replicas`), the API default is shown instead of crashing.

mod config;
mod containers;
mod events;
mod generic;
mod gosort;
mod network;
mod node;
mod plugins;
mod pod;
mod quantity;
mod selector;
mod storage;
mod tabwriter;
mod text;
mod volumes;
mod workloads;

#[cfg(test)]
mod captures_config;
#[cfg(test)]
mod captures_pods;
#[cfg(test)]
mod captures_workloads;
#[cfg(test)]
mod testutil;

use engine::util::sort::StableSort;
use engine::{Kind, Object};

/// `DescribePodTemplate` written straight to a buffer, as `kubectl rollout history --revision` prints it.
pub fn pod_template_raw(template: Option<&engine::api::api::core::v1::PodTemplateSpec>) -> String {
    let mut w = tabwriter::PrefixWriter::raw();
    containers::describe_pod_template(&mut w, template);
    w.finish()
}

/// The list requests a describer makes, answered from the cluster's store.
pub trait Lookup {
    /// Every stored object of `kind` in `namespace` (all namespaces for `None`), in any order.
    fn list(&self, kind: Kind, namespace: Option<&str>) -> Vec<Object>;
}

/// What every describer is given: the lookup and the simulated time ages are measured from.
pub(crate) struct Ctx<'a> {
    pub lookup: &'a dyn Lookup,
    pub now_ms: u64,
}

impl Ctx<'_> {
    /// The objects of one kind, unboxed, in the API server's list order (namespace, then name).
    fn list<T>(&self, kind: Kind, namespace: Option<&str>, unwrap: impl Fn(Object) -> Option<T>) -> Vec<T> {
        let mut objs = self.lookup.list(kind, namespace);
        objs.stable_sort_by(|a, b| (a.namespace(), a.name()).cmp(&(b.namespace(), b.name())));
        objs.into_iter().filter_map(unwrap).collect()
    }
}

/// The full description of one object, as `kubectl describe` prints it for that object.
pub fn describe(obj: &Object, lookup: &dyn Lookup, now_ms: u64) -> String {
    let ctx = Ctx { lookup, now_ms };
    match obj {
        Object::Pod(p) => pod::describe(p, &ctx),
        Object::Node(n) => node::describe(n, &ctx),
        Object::Deployment(d) => workloads::describe_deployment(d, &ctx),
        Object::ReplicaSet(rs) => workloads::describe_replica_set(rs, &ctx),
        Object::StatefulSet(s) => workloads::describe_stateful_set(s, &ctx),
        Object::DaemonSet(ds) => workloads::describe_daemon_set(ds, &ctx),
        Object::Job(j) => workloads::describe_job(j, &ctx),
        Object::CronJob(cj) => workloads::describe_cron_job(cj, &ctx),
        Object::Service(s) => network::describe_service(s, &ctx),
        Object::Endpoints(e) => network::describe_endpoints(e, &ctx),
        Object::EndpointSlice(e) => network::describe_endpoint_slice(e, &ctx),
        Object::PersistentVolume(pv) => storage::describe_persistent_volume(pv, &ctx),
        Object::PersistentVolumeClaim(pvc) => storage::describe_persistent_volume_claim(pvc, &ctx),
        Object::StorageClass(sc) => storage::describe_storage_class(sc, &ctx),
        Object::ConfigMap(cm) => config::describe_config_map(cm, &ctx),
        Object::Secret(s) => config::describe_secret(s),
        Object::ServiceAccount(sa) => config::describe_service_account(sa, &ctx),
        Object::Namespace(ns) => config::describe_namespace(ns),
        Object::PodDisruptionBudget(pdb) => config::describe_pod_disruption_budget(pdb, &ctx),
        // kubectl has no describer for these kinds and falls back to its generic one.
        Object::Lease(_) | Object::Event(_) | Object::ControllerRevision(_) => generic::describe(obj, &ctx),
    }
}

/// Several objects, as one `kubectl describe` prints them: each description after the first is
/// preceded by `\n\n` (so two blank lines separate objects).
pub fn describe_many(objs: &[Object], lookup: &dyn Lookup, now_ms: u64) -> String {
    let mut out = String::new();
    for (i, obj) in objs.iter().enumerate() {
        if i > 0 {
            out.push_str("\n\n");
        }
        out.push_str(&describe(obj, lookup, now_ms));
    }
    out
}

/// `kubectl describe TYPE PREFIX` when no object is named exactly `PREFIX`: kubectl describes every
/// object whose name starts with it, each followed by a newline.
pub fn describe_prefix_matches(objs: &[Object], lookup: &dyn Lookup, now_ms: u64) -> String {
    objs.iter().map(|o| format!("{}\n", describe(o, lookup, now_ms))).collect()
}
