//! Pod resource requests as the scheduler counts them (`k8s.io/component-helpers/resource.PodRequests`):
//! the sum of the app containers, raised to the largest init container (sidecars, `restartPolicy: Always`
//! init containers, add up), plus `spec.overhead`. Scoring uses "non-zero" requests: a container that asks for
//! no CPU or memory counts as 100m / 200Mi (`schedutil.DefaultMilliCPURequest` / `DefaultMemoryRequest`), so
//! empty pods do not all pile onto one node.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Container, Pod};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity as ApiQuantity;
use serde::Serialize;

use crate::admission::quantity::Quantity;

/// `schedutil.DefaultMilliCPURequest`.
pub const DEFAULT_MILLI_CPU_REQUEST: i64 = 100;
/// `schedutil.DefaultMemoryRequest`: 200 MiB.
pub const DEFAULT_MEMORY_REQUEST: i64 = 200 * 1024 * 1024;

/// A collection of compute resources (`framework.Resource`): CPU in millicores, the rest in units.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Resources {
    pub milli_cpu: i64,
    pub memory: i64,
    pub ephemeral_storage: i64,
    /// `pods` (only meaningful for allocatable).
    pub pods: i64,
    /// Extended and hugepages resources by name.
    pub scalar: BTreeMap<String, i64>,
}

fn value(q: &ApiQuantity) -> i64 {
    Quantity::parse(&q.0).map(|q| q.value().clamp(i64::MIN as i128, i64::MAX as i128) as i64).unwrap_or(0)
}

fn milli_value(q: &ApiQuantity) -> i64 {
    Quantity::parse(&q.0).map(|q| q.milli_value().clamp(i64::MIN as i128, i64::MAX as i128) as i64).unwrap_or(0)
}

/// `schedutil.IsScalarResourceName`: extended resources, hugepages, attachable volumes.
fn is_scalar(name: &str) -> bool {
    name.starts_with("hugepages-")
        || name.starts_with("attachable-volumes-")
        || (name.contains('/') && !name.starts_with("kubernetes.io/") && !name.starts_with("requests."))
}

impl Resources {
    /// `NewResource(list)`.
    pub fn from_list(list: Option<&BTreeMap<String, ApiQuantity>>) -> Resources {
        let mut r = Resources::default();
        r.add_list(list);
        r
    }

    pub fn add_list(&mut self, list: Option<&BTreeMap<String, ApiQuantity>>) {
        for (name, q) in list.into_iter().flatten() {
            match name.as_str() {
                "cpu" => self.milli_cpu += milli_value(q),
                "memory" => self.memory += value(q),
                "ephemeral-storage" => self.ephemeral_storage += value(q),
                "pods" => self.pods += value(q),
                n if is_scalar(n) => *self.scalar.entry(n.to_string()).or_default() += value(q),
                _ => {}
            }
        }
    }

    pub fn add(&mut self, other: &Resources) {
        self.milli_cpu += other.milli_cpu;
        self.memory += other.memory;
        self.ephemeral_storage += other.ephemeral_storage;
        self.pods += other.pods;
        for (k, v) in &other.scalar {
            *self.scalar.entry(k.clone()).or_default() += v;
        }
    }

    pub fn sub(&mut self, other: &Resources) {
        self.milli_cpu -= other.milli_cpu;
        self.memory -= other.memory;
        self.ephemeral_storage -= other.ephemeral_storage;
        self.pods -= other.pods;
        for (k, v) in &other.scalar {
            *self.scalar.entry(k.clone()).or_default() -= v;
        }
    }

    fn max_with(&mut self, other: &Resources) {
        self.milli_cpu = self.milli_cpu.max(other.milli_cpu);
        self.memory = self.memory.max(other.memory);
        self.ephemeral_storage = self.ephemeral_storage.max(other.ephemeral_storage);
        for (k, v) in &other.scalar {
            let e = self.scalar.entry(k.clone()).or_default();
            *e = (*e).max(*v);
        }
    }

    pub fn is_zero(&self) -> bool {
        self.milli_cpu == 0 && self.memory == 0 && self.ephemeral_storage == 0 && self.scalar.values().all(|v| *v == 0)
    }
}

fn container_requests(c: &Container, non_zero: bool) -> Resources {
    let list = c.resources.as_ref().and_then(|r| r.requests.as_ref());
    let mut r = Resources::from_list(list);
    if non_zero {
        if !list.is_some_and(|l| l.contains_key("cpu")) {
            r.milli_cpu = DEFAULT_MILLI_CPU_REQUEST;
        }
        if !list.is_some_and(|l| l.contains_key("memory")) {
            r.memory = DEFAULT_MEMORY_REQUEST;
        }
    }
    r
}

/// `resourcehelper.PodRequests`: what a pod asks for. With `non_zero`, containers without a CPU or memory
/// request count the scheduler's defaults (`NonMissingContainerRequests`).
pub fn pod_requests(pod: &Pod, non_zero: bool) -> Resources {
    let Some(spec) = pod.spec.as_ref() else { return Resources::default() };
    let mut reqs = Resources::default();
    for c in &spec.containers {
        reqs.add(&container_requests(c, non_zero));
    }
    let mut restartable = Resources::default();
    let mut init_max = Resources::default();
    for c in spec.init_containers.iter().flatten() {
        let mut r = container_requests(c, non_zero);
        if c.restart_policy.as_deref() == Some("Always") {
            reqs.add(&r);
            restartable.add(&r);
            r = restartable.clone();
        } else {
            r.add(&restartable);
        }
        init_max.max_with(&r);
    }
    reqs.max_with(&init_max);
    reqs.add_list(spec.overhead.as_ref());
    reqs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(json: serde_json::Value) -> Pod {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn requests_sum_containers_and_take_the_largest_init_container() {
        let p = pod(serde_json::json!({"spec": {
            "containers": [
                {"name": "a", "resources": {"requests": {"cpu": "250m", "memory": "64Mi"}}},
                {"name": "b", "resources": {"requests": {"cpu": "0.5"}}}
            ],
            "initContainers": [{"name": "i", "resources": {"requests": {"cpu": "1", "memory": "10Mi"}}}]
        }}));
        let r = pod_requests(&p, false);
        assert_eq!((r.milli_cpu, r.memory), (1000, 64 * 1024 * 1024));
        // Non-zero: b asks no memory, so it counts 200Mi.
        let nz = pod_requests(&p, true);
        assert_eq!((nz.milli_cpu, nz.memory), (1000, 264 * 1024 * 1024));
    }

    #[test]
    fn an_empty_pod_counts_the_scheduler_defaults_for_scoring_only() {
        let p = pod(serde_json::json!({"spec": {"containers": [{"name": "a"}]}}));
        assert!(pod_requests(&p, false).is_zero());
        let nz = pod_requests(&p, true);
        assert_eq!((nz.milli_cpu, nz.memory), (DEFAULT_MILLI_CPU_REQUEST, DEFAULT_MEMORY_REQUEST));
    }

    #[test]
    fn sidecars_add_up() {
        let p = pod(serde_json::json!({"spec": {
            "containers": [{"name": "a", "resources": {"requests": {"cpu": "100m"}}}],
            "initContainers": [
                {"name": "s", "restartPolicy": "Always", "resources": {"requests": {"cpu": "200m"}}},
                {"name": "i", "resources": {"requests": {"cpu": "250m"}}}
            ]
        }}));
        // max(100 + 200, 250 + 200) = 450
        assert_eq!(pod_requests(&p, false).milli_cpu, 450);
    }
}
