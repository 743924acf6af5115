//! Nodes: `describeNode`, with the node's Lease, its non-terminated pods and what they request
//! (`describeNodeResource`, `resourcehelper.PodRequestsAndLimits`).

use std::collections::{BTreeMap, BTreeSet};

use engine::api::api::coordination::v1::Lease;
use engine::api::api::core::v1::{Node, Pod, ResourceRequirements};
use engine::api::apimachinery::pkg::api::resource::Quantity;
use engine::{Kind, Object};

use super::events::{self, EventQuery};
use super::quantity::Qty;
use super::tabwriter::{PrefixWriter, LEVEL_0, LEVEL_1};
use super::text::{annotations_multiline, date, labels_multiline, opt, rfc1123z, since, taints_multiline};
use super::Ctx;

type Resources = BTreeMap<String, Qty>;

/// `findNodeRoles`: `node-role.kubernetes.io/<role>` labels and a non-empty `kubernetes.io/role`.
fn roles(node: &Node) -> Vec<String> {
    let mut roles = BTreeSet::new();
    for (k, v) in node.metadata.labels.iter().flatten() {
        if let Some(role) = k.strip_prefix("node-role.kubernetes.io/") {
            if !role.is_empty() {
                roles.insert(role.to_string());
            }
        } else if k == "kubernetes.io/role" && !v.is_empty() {
            roles.insert(v.clone());
        }
    }
    roles.into_iter().collect()
}

/// `describeNode`.
pub fn describe(node: &Node, ctx: &Ctx) -> String {
    let name = opt(&node.metadata.name);
    let spec = node.spec.clone().unwrap_or_default();
    let status = node.status.clone().unwrap_or_default();
    let mut w = PrefixWriter::new();
    w.write(LEVEL_0, &format!("Name:\t{name}\n"));
    let roles = roles(node);
    w.write(LEVEL_0, &format!("Roles:\t{}\n", if roles.is_empty() { "<none>".to_string() } else { roles.join(",") }));
    labels_multiline(&mut w, "Labels", node.metadata.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", node.metadata.annotations.as_ref());
    w.write(LEVEL_0, &format!("CreationTimestamp:\t{}\n", date(node.metadata.creation_timestamp.as_ref())));
    taints_multiline(&mut w, "Taints", spec.taints.as_ref());
    w.write(LEVEL_0, &format!("Unschedulable:\t{}\n", spec.unschedulable.unwrap_or(false)));
    let lease = ctx
        .list(Kind::Lease, Some("kube-node-lease"), |o| match o {
            Object::Lease(l) => Some(*l),
            _ => None,
        })
        .into_iter()
        .find(|l| opt(&l.metadata.name) == name);
    match lease {
        Some(lease) => node_lease(&mut w, &lease),
        None => {
            w.write(LEVEL_0, &format!("Lease:\tFailed to get lease: leases.coordination.k8s.io \"{name}\" not found\n"))
        }
    }
    if let Some(conditions) = status.conditions.as_ref().filter(|c| !c.is_empty()) {
        w.write(LEVEL_0, "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n");
        w.write(LEVEL_1, "----\t------\t-----------------\t------------------\t------\t-------\n");
        for c in conditions {
            w.write(
                LEVEL_1,
                &format!(
                    "{} \t{} \t{} \t{} \t{} \t{}\n",
                    c.type_,
                    c.status,
                    date(c.last_heartbeat_time.as_ref()),
                    date(c.last_transition_time.as_ref()),
                    opt(&c.reason),
                    opt(&c.message)
                ),
            );
        }
    }
    w.write(LEVEL_0, "Addresses:\n");
    for a in status.addresses.iter().flatten() {
        w.write(LEVEL_1, &format!("{}:\t{}\n", a.type_, a.address));
    }
    for (title, list) in [("Capacity", &status.capacity), ("Allocatable", &status.allocatable)] {
        let Some(list) = list.as_ref().filter(|l| !l.is_empty()) else { continue };
        w.write(LEVEL_0, &format!("{title}:\n"));
        for (resource, q) in list {
            w.write(LEVEL_0, &format!("  {resource}:\t{}\n", super::quantity::show(q)));
        }
    }
    let info = status.node_info.clone().unwrap_or_default();
    w.write(LEVEL_0, "System Info:\n");
    for (label, value) in [
        ("Machine ID", &info.machine_id),
        ("System UUID", &info.system_uuid),
        ("Boot ID", &info.boot_id),
        ("Kernel Version", &info.kernel_version),
        ("OS Image", &info.os_image),
        ("Operating System", &info.operating_system),
        ("Architecture", &info.architecture),
        ("Container Runtime Version", &info.container_runtime_version),
        ("Kubelet Version", &info.kubelet_version),
        ("Kube-Proxy Version", &info.kube_proxy_version),
    ] {
        w.write(LEVEL_0, &format!("  {label}:\t{value}\n"));
    }
    if !opt(&spec.pod_cidr).is_empty() {
        w.write(LEVEL_0, &format!("PodCIDR:\t{}\n", opt(&spec.pod_cidr)));
    }
    if let Some(cidrs) = spec.pod_cidrs.as_ref().filter(|c| !c.is_empty()) {
        w.write(LEVEL_0, &format!("PodCIDRs:\t{}\n", cidrs.join(",")));
    }
    if !opt(&spec.provider_id).is_empty() {
        w.write(LEVEL_0, &format!("ProviderID:\t{}\n", opt(&spec.provider_id)));
    }
    let pods: Vec<Pod> = ctx
        .list(Kind::Pod, None, |o| match o {
            Object::Pod(p) => Some(*p),
            _ => None,
        })
        .into_iter()
        .filter(|p| {
            let phase = p.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or_default();
            p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(name)
                && phase != "Succeeded"
                && phase != "Failed"
        })
        .collect();
    node_resources(&mut w, &pods, node, ctx.now_ms);
    // Controllers record node events against the node's uid, the kubelet against its name.
    let mut found = events::search(ctx, &EventQuery::of(&node.metadata, "Node"));
    found.extend(events::search(ctx, &EventQuery { uid: name, ..EventQuery::of(&node.metadata, "Node") }));
    events::describe(&mut w, found, ctx.now_ms);
    w.finish()
}

/// `describeNodeLease`.
fn node_lease(w: &mut PrefixWriter, lease: &Lease) {
    let spec = lease.spec.clone().unwrap_or_default();
    w.write(LEVEL_0, "Lease:\n");
    w.write(LEVEL_1, &format!("HolderIdentity:\t{}\n", spec.holder_identity.as_deref().unwrap_or("<unset>")));
    let time = |t: Option<&engine::api::apimachinery::pkg::apis::meta::v1::MicroTime>| {
        t.map(|t| rfc1123z(&t.0)).unwrap_or_else(|| "<unset>".to_string())
    };
    w.write(LEVEL_1, &format!("AcquireTime:\t{}\n", time(spec.acquire_time.as_ref())));
    w.write(LEVEL_1, &format!("RenewTime:\t{}\n", time(spec.renew_time.as_ref())));
}

/// Go's `int64(f)` on amd64: truncation, and the "integer indefinite" value for NaN, infinities and
/// overflow (what kubectl prints when a node has no allocatable CPU or memory).
fn go_int64(f: f64) -> i64 {
    let limit = 2f64.powi(63);
    if (-limit..limit).contains(&f) {
        f.trunc() as i64
    } else {
        i64::MIN
    }
}

fn percent(part: i128, whole: i128) -> i64 {
    go_int64(part as f64 / whole as f64 * 100.0)
}

fn get(list: &Resources, name: &str) -> Qty {
    list.get(name).copied().unwrap_or_default()
}

fn to_qty(list: Option<&BTreeMap<String, Quantity>>) -> Resources {
    list.into_iter().flatten().map(|(k, v)| (k.clone(), Qty::of(v))).collect()
}

fn add_list(list: &mut Resources, new: &Resources) {
    for (name, q) in new {
        list.entry(name.clone()).or_default().add(*q);
    }
}

fn max_list(list: &mut Resources, new: &Resources) {
    for (name, q) in new {
        match list.get(name) {
            Some(current) if q.cmp_value(current).is_le() => {}
            _ => {
                list.insert(name.clone(), *q);
            }
        }
    }
}

/// The resource helper's `max(a, b)`: per resource the larger value, `b`'s on a tie.
fn go_max(a: &Resources, b: &Resources) -> Resources {
    let mut out = Resources::new();
    for (name, value) in a {
        let pick = match b.get(name) {
            Some(other) if value.cmp_value(other).is_le() => *other,
            _ => *value,
        };
        out.insert(name.clone(), pick);
    }
    for (name, value) in b {
        out.entry(name.clone()).or_insert(*value);
    }
    out
}

/// The init-container part of the resource helper: restartable (sidecar) init containers add to the
/// pod's total and to every later init container; the largest init container sets a floor.
fn add_init_containers(
    list: &mut Resources,
    init: &Option<Vec<engine::api::api::core::v1::Container>>,
    pick: &dyn Fn(&Option<ResourceRequirements>) -> Resources,
) {
    let (mut sidecars, mut floor) = (Resources::new(), Resources::new());
    for c in init.iter().flatten() {
        let own = pick(&c.resources);
        let effective = if c.restart_policy.as_deref() == Some("Always") {
            add_list(list, &own);
            add_list(&mut sidecars, &own);
            sidecars.clone()
        } else {
            let mut tmp = own.clone();
            add_list(&mut tmp, &sidecars);
            tmp
        };
        max_list(&mut floor, &effective);
    }
    max_list(list, &floor);
}

/// `resourcehelper.PodRequestsAndLimits`: containers add up; init containers count with their
/// maximum (restartable sidecars also add up); a running container's resized requests count when
/// larger; the pod overhead is added to requests and to non-zero limits.
fn pod_requests_and_limits(pod: &Pod) -> (Resources, Resources) {
    let spec = pod.spec.clone().unwrap_or_default();
    let status = pod.status.clone().unwrap_or_default();
    let requests_of = |r: &Option<ResourceRequirements>| to_qty(r.as_ref().and_then(|r| r.requests.as_ref()));
    let limits_of = |r: &Option<ResourceRequirements>| to_qty(r.as_ref().and_then(|r| r.limits.as_ref()));
    let (mut reqs, mut limits) = (Resources::new(), Resources::new());
    for c in &spec.containers {
        let mut container_reqs = requests_of(&c.resources);
        let cs = status.container_statuses.iter().flatten().find(|s| s.name == c.name);
        if let Some(actual) = cs.and_then(|s| s.resources.as_ref()) {
            let actual = to_qty(actual.requests.as_ref());
            container_reqs =
                if status.resize.as_deref() == Some("Infeasible") { actual } else { go_max(&container_reqs, &actual) };
        }
        add_list(&mut reqs, &container_reqs);
        add_list(&mut limits, &limits_of(&c.resources));
    }
    add_init_containers(&mut reqs, &spec.init_containers, &requests_of);
    add_init_containers(&mut limits, &spec.init_containers, &limits_of);
    if let Some(overhead) = &spec.overhead {
        let overhead = to_qty(Some(overhead));
        add_list(&mut reqs, &overhead);
        for (name, q) in &overhead {
            if let Some(limit) = limits.get_mut(name).filter(|l| !l.is_zero()) {
                limit.add(*q);
            }
        }
    }
    (reqs, limits)
}

/// `describeNodeResource`: the non-terminated pods table and the allocated totals.
fn node_resources(w: &mut PrefixWriter, pods: &[Pod], node: &Node, now_ms: u64) {
    let status = node.status.clone().unwrap_or_default();
    let allocatable = match status.allocatable.as_ref().filter(|a| !a.is_empty()) {
        Some(a) => to_qty(Some(a)),
        None => to_qty(status.capacity.as_ref()),
    };
    let (alloc_cpu, alloc_mem) = (get(&allocatable, "cpu").milli_value(), get(&allocatable, "memory").value());
    w.write(LEVEL_0, &format!("Non-terminated Pods:\t({} in total)\n", pods.len()));
    w.write(LEVEL_1, "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n");
    w.write(LEVEL_1, "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n");
    let (mut total_reqs, mut total_limits) = (Resources::new(), Resources::new());
    for pod in pods {
        let (reqs, limits) = pod_requests_and_limits(pod);
        let (cpu_req, cpu_lim) = (get(&reqs, "cpu"), get(&limits, "cpu"));
        let (mem_req, mem_lim) = (get(&reqs, "memory"), get(&limits, "memory"));
        w.write(
            LEVEL_1,
            &format!(
                "{}\t{}\t\t{} ({}%)\t{} ({}%)\t{} ({}%)\t{} ({}%)\t{}\n",
                opt(&pod.metadata.namespace),
                opt(&pod.metadata.name),
                cpu_req,
                percent(cpu_req.milli_value(), alloc_cpu),
                cpu_lim,
                percent(cpu_lim.milli_value(), alloc_cpu),
                mem_req,
                percent(mem_req.value(), alloc_mem),
                mem_lim,
                percent(mem_lim.value(), alloc_mem),
                since(pod.metadata.creation_timestamp.as_ref(), now_ms)
            ),
        );
        add_list(&mut total_reqs, &reqs);
        add_list(&mut total_limits, &limits);
    }
    w.write(LEVEL_0, "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n");
    w.write(LEVEL_1, "Resource\tRequests\tLimits\n");
    w.write(LEVEL_1, "--------\t--------\t------\n");
    // Unlike the per-pod rows, the totals guard against an allocatable of zero.
    let fraction = |part: i128, whole: i128| if whole != 0 { percent(part, whole) } else { 0 };
    for (resource, unit_milli) in [("cpu", true), ("memory", false), ("ephemeral-storage", false)] {
        let (r, l) = (get(&total_reqs, resource), get(&total_limits, resource));
        let whole =
            if unit_milli { get(&allocatable, resource).milli_value() } else { get(&allocatable, resource).value() };
        let (rv, lv) = if unit_milli { (r.milli_value(), l.milli_value()) } else { (r.value(), l.value()) };
        w.write(LEVEL_1, &format!("{resource}\t{r} ({}%)\t{l} ({}%)\n", fraction(rv, whole), fraction(lv, whole)));
    }
    for resource in allocatable.keys().filter(|r| r.starts_with("hugepages-")) {
        let (r, l) = (get(&total_reqs, resource), get(&total_limits, resource));
        let whole = get(&allocatable, resource).value();
        w.write(
            LEVEL_1,
            &format!("{resource}\t{r} ({}%)\t{l} ({}%)\n", fraction(r.value(), whole), fraction(l.value(), whole)),
        );
    }
    let standard =
        |r: &str| matches!(r, "cpu" | "memory" | "ephemeral-storage" | "pods") || r.starts_with("hugepages-");
    for resource in allocatable.keys().filter(|r| !standard(r)) {
        w.write(LEVEL_1, &format!("{resource}\t{}\t{}\n", get(&total_reqs, resource), get(&total_limits, resource)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_float_to_int_conversion() {
        assert_eq!(go_int64(12.9), 12);
        assert_eq!(go_int64(f64::NAN), i64::MIN);
        assert_eq!(go_int64(f64::INFINITY), i64::MIN);
        assert_eq!(percent(100, 2000), 5);
        assert_eq!(percent(0, 0), i64::MIN);
    }
}
