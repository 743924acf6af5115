//! Pods: `describePod`, with the QoS class kubectl computes when the status lacks one.

use std::collections::BTreeMap;

use engine::api::api::core::v1::{Container, EphemeralContainer, Pod};

use super::containers::{describe_containers, describe_resources, topology_spread};
use super::events::{self, EventQuery};
use super::quantity::Qty;
use super::tabwriter::{PrefixWriter, LEVEL_0, LEVEL_1};
use super::text::{
    annotations_multiline, controller_of, labels_multiline, opt, rfc1123z, since, tolerations_multiline,
};
use super::volumes::describe_volumes;
use super::Ctx;

const MIRROR_POD_ANNOTATION: &str = "kubernetes.io/config.mirror";

/// `describePod` with the events kubectl finds for the pod (by name, namespace and uid; a mirror pod's
/// events are found by the uid in its mirror annotation).
pub fn describe(pod: &Pod, ctx: &Ctx) -> String {
    let meta = &pod.metadata;
    let spec = pod.spec.clone().unwrap_or_default();
    let status = pod.status.clone().unwrap_or_default();
    let mut w = PrefixWriter::new();
    w.write(LEVEL_0, &format!("Name:\t{}\n", opt(&meta.name)));
    w.write(LEVEL_0, &format!("Namespace:\t{}\n", opt(&meta.namespace)));
    if let Some(p) = spec.priority {
        w.write(LEVEL_0, &format!("Priority:\t{p}\n"));
    }
    if !opt(&spec.priority_class_name).is_empty() {
        w.write(LEVEL_0, &format!("Priority Class Name:\t{}\n", opt(&spec.priority_class_name)));
    }
    if !opt(&spec.runtime_class_name).is_empty() {
        w.write(LEVEL_0, &format!("Runtime Class Name:\t{}\n", opt(&spec.runtime_class_name)));
    }
    if !opt(&spec.service_account_name).is_empty() {
        w.write(LEVEL_0, &format!("Service Account:\t{}\n", opt(&spec.service_account_name)));
    }
    if opt(&spec.node_name).is_empty() {
        w.write(LEVEL_0, "Node:\t<none>\n");
    } else {
        w.write(LEVEL_0, &format!("Node:\t{}/{}\n", opt(&spec.node_name), opt(&status.host_ip)));
    }
    if let Some(start) = &status.start_time {
        w.write(LEVEL_0, &format!("Start Time:\t{}\n", rfc1123z(&start.0)));
    }
    labels_multiline(&mut w, "Labels", meta.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", meta.annotations.as_ref());
    let phase = opt(&status.phase);
    if meta.deletion_timestamp.is_some() && phase != "Failed" && phase != "Succeeded" {
        w.write(
            LEVEL_0,
            &format!("Status:\tTerminating (lasts {})\n", since(meta.deletion_timestamp.as_ref(), ctx.now_ms)),
        );
        w.write(LEVEL_0, &format!("Termination Grace Period:\t{}s\n", meta.deletion_grace_period_seconds.unwrap_or(0)));
    } else {
        w.write(LEVEL_0, &format!("Status:\t{phase}\n"));
    }
    if !opt(&status.reason).is_empty() {
        w.write(LEVEL_0, &format!("Reason:\t{}\n", opt(&status.reason)));
    }
    if !opt(&status.message).is_empty() {
        w.write(LEVEL_0, &format!("Message:\t{}\n", opt(&status.message)));
    }
    if let Some(profile) = spec.security_context.as_ref().and_then(|s| s.seccomp_profile.as_ref()) {
        w.write(LEVEL_0, &format!("SeccompProfile:\t{}\n", profile.type_));
        if profile.type_ == "Localhost" {
            w.write(LEVEL_0, &format!("LocalhostProfile:\t{}\n", opt(&profile.localhost_profile)));
        }
    }
    w.write(LEVEL_0, &format!("IP:\t{}\n", opt(&status.pod_ip)));
    match status.pod_ips.as_ref().filter(|ips| !ips.is_empty()) {
        None => w.write(LEVEL_0, "IPs:\t<none>\n"),
        Some(ips) => {
            w.write(LEVEL_0, "IPs:\n");
            for ip in ips {
                w.write(LEVEL_1, &format!("IP:\t{}\n", ip.ip));
            }
        }
    }
    if let Some(controller) = controller_of(meta) {
        w.write(LEVEL_0, &format!("Controlled By:\t{controller}\n"));
    }
    if !opt(&status.nominated_node_name).is_empty() {
        w.write(LEVEL_0, &format!("NominatedNodeName:\t{}\n", opt(&status.nominated_node_name)));
    }
    if let Some(resources) = &spec.resources {
        w.write(LEVEL_0, "Resources:\n");
        describe_resources(&mut w, Some(resources), LEVEL_1);
    }
    if let Some(init) = spec.init_containers.as_ref().filter(|c| !c.is_empty()) {
        describe_containers(&mut w, "Init Containers", init, status.init_container_statuses.as_ref(), Some(pod), "");
    }
    describe_containers(&mut w, "Containers", &spec.containers, status.container_statuses.as_ref(), Some(pod), "");
    if let Some(ephemeral) = spec.ephemeral_containers.as_ref().filter(|c| !c.is_empty()) {
        let as_containers: Vec<Container> = ephemeral.iter().map(ephemeral_as_container).collect();
        let statuses = status.ephemeral_container_statuses.as_ref();
        describe_containers(&mut w, "Ephemeral Containers", &as_containers, statuses, Some(pod), "");
    }
    let conditions = status.conditions.as_deref().unwrap_or_default();
    if let Some(gates) = spec.readiness_gates.as_ref().filter(|g| !g.is_empty()) {
        w.write(LEVEL_0, "Readiness Gates:\n  Type\tStatus\n");
        for g in gates {
            let s =
                conditions.iter().find(|c| c.type_ == g.condition_type).map(|c| c.status.as_str()).unwrap_or("<none>");
            w.write(LEVEL_1, &format!("{} \t{s} \n", g.condition_type));
        }
    }
    if !conditions.is_empty() {
        w.write(LEVEL_0, "Conditions:\n  Type\tStatus\n");
        for c in conditions {
            w.write(LEVEL_1, &format!("{} \t{} \n", c.type_, c.status));
        }
    }
    describe_volumes(&mut w, spec.volumes.as_ref(), "");
    w.write(LEVEL_0, &format!("QoS Class:\t{}\n", qos_class(pod)));
    labels_multiline(&mut w, "Node-Selectors", spec.node_selector.as_ref());
    tolerations_multiline(&mut w, "Tolerations", spec.tolerations.as_ref());
    topology_spread(&mut w, spec.topology_spread_constraints.as_ref(), "");
    let mut query = EventQuery { kind: None, ..EventQuery::of(meta, "Pod") };
    let mirror_uid = meta.annotations.as_ref().and_then(|a| a.get(MIRROR_POD_ANNOTATION));
    if let Some(uid) = mirror_uid {
        query.uid = uid;
    }
    events::section(&mut w, ctx, &query);
    w.finish()
}

/// kubectl describes an ephemeral container as the container it is converted to.
fn ephemeral_as_container(e: &EphemeralContainer) -> Container {
    serde_json::to_value(e)
        .ok()
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_else(|| Container { name: e.name.clone(), ..Default::default() })
}

/// `qos.GetPodQOS`: the status' class, else `ComputePodQOS` over containers and init containers.
pub fn qos_class(pod: &Pod) -> String {
    if let Some(class) = pod.status.as_ref().and_then(|s| s.qos_class.clone()).filter(|c| !c.is_empty()) {
        return class;
    }
    let spec = pod.spec.clone().unwrap_or_default();
    let mut requests: BTreeMap<String, Qty> = BTreeMap::new();
    let mut limits: BTreeMap<String, Qty> = BTreeMap::new();
    let mut guaranteed = true;
    let all = spec.containers.iter().chain(spec.init_containers.iter().flatten());
    for c in all {
        let r = c.resources.clone().unwrap_or_default();
        for (name, q) in r.requests.iter().flatten() {
            let q = Qty::of(q);
            if (name == "cpu" || name == "memory") && q.cmp_value(&Qty::default()).is_gt() {
                requests.entry(name.clone()).or_default().add(q);
            }
        }
        let mut found = Vec::new();
        for (name, q) in r.limits.iter().flatten() {
            let q = Qty::of(q);
            if (name == "cpu" || name == "memory") && q.cmp_value(&Qty::default()).is_gt() {
                found.push(name.as_str());
                limits.entry(name.clone()).or_default().add(q);
            }
        }
        if !(found.contains(&"memory") && found.contains(&"cpu")) {
            guaranteed = false;
        }
    }
    if requests.is_empty() && limits.is_empty() {
        return "BestEffort".to_string();
    }
    if guaranteed && requests.iter().any(|(name, req)| limits.get(name).is_none_or(|l| l.cmp_value(req).is_ne())) {
        guaranteed = false;
    }
    if guaranteed && requests.len() == limits.len() {
        "Guaranteed".to_string()
    } else {
        "Burstable".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::api::api::core::v1::{PodSpec, ResourceRequirements};
    use engine::api::apimachinery::pkg::api::resource::Quantity;

    fn pod_with(requests: &[(&str, &str)], limits: &[(&str, &str)]) -> Pod {
        let list = |pairs: &[(&str, &str)]| {
            (!pairs.is_empty()).then(|| {
                pairs.iter().map(|(k, v)| (k.to_string(), Quantity(v.to_string()))).collect::<BTreeMap<_, _>>()
            })
        };
        Pod {
            spec: Some(PodSpec {
                containers: vec![Container {
                    name: "c".into(),
                    resources: Some(ResourceRequirements {
                        requests: list(requests),
                        limits: list(limits),
                        claims: None,
                    }),
                    ..Default::default()
                }],
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn qos_classes() {
        assert_eq!(qos_class(&pod_with(&[], &[])), "BestEffort");
        assert_eq!(qos_class(&pod_with(&[("cpu", "100m"), ("memory", "64Mi")], &[("memory", "128Mi")])), "Burstable");
        assert_eq!(
            qos_class(&pod_with(&[("cpu", "0.5"), ("memory", "1Gi")], &[("cpu", "500m"), ("memory", "1024Mi")])),
            "Guaranteed"
        );
        // Only limits (the API server would have copied them into requests) is not Guaranteed here.
        assert_eq!(qos_class(&pod_with(&[], &[("cpu", "1"), ("memory", "1Gi")])), "Burstable");
    }
}
