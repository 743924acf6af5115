//! What the kubelet writes and prepares: pod status (phase, conditions, container statuses), each
//! container's environment, the pod's volumes and the image filesystems.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Container, ContainerState, ContainerStateRunning, ContainerStateTerminated, ContainerStateWaiting, ContainerStatus,
    HostIP, Pod, PodCondition, PodIP, PodStatus, VolumeMountStatus,
};
use k8s_openapi::ByteString;

use crate::clock::{api_time, Millis};
use crate::cluster::Cluster;
use crate::object::{Kind, Object};
use crate::runtime::fs::{Fs, MemFs};
use crate::store::ObjectKey;

use super::container::{ContainerRun, Stage, Terminated};
use super::images::{Behaviour, ImageInfo};
use super::PodRun;

/// The pod's phase from its containers, as the kubelet's `getPhase` computes it.
pub fn phase(pod: &Pod, run: &PodRun) -> String {
    let policy = pod.spec.as_ref().and_then(|s| s.restart_policy.clone()).unwrap_or_else(|| "Always".into());
    if !run.initialized() {
        // A failed init container under restartPolicy Never fails the pod.
        if policy == "Never" && run.init.iter().any(|c| matches!(c.stage, Stage::Done) && !c.succeeded_once()) {
            return "Failed".into();
        }
        return "Pending".into();
    }
    let (mut running, mut waiting, mut stopped, mut succeeded) = (0, 0, 0, 0);
    for c in &run.containers {
        if c.is_running() {
            running += 1;
        } else if let Some(t) = &c.current {
            if matches!(c.stage, Stage::Exited { .. } | Stage::Done) {
                stopped += 1;
                if t.exit_code == 0 {
                    succeeded += 1;
                }
            } else {
                // Waiting to restart after having run: counts as stopped.
                stopped += 1;
            }
        } else if c.last_terminated.is_some() {
            stopped += 1;
        } else {
            waiting += 1;
        }
    }
    if waiting > 0 {
        return "Pending".into();
    }
    if running > 0 {
        return "Running".into();
    }
    if stopped > 0 {
        return match policy.as_str() {
            "Always" => "Running",
            "OnFailure" if stopped == succeeded => "Succeeded",
            "OnFailure" => "Running",
            _ if stopped == succeeded => "Succeeded",
            _ => "Failed",
        }
        .into();
    }
    "Pending".into()
}

fn container_state(c: &ContainerRun) -> ContainerState {
    match (&c.stage, &c.current) {
        (Stage::Running { started_at }, _) => ContainerState {
            running: Some(ContainerStateRunning { started_at: Some(api_time(*started_at)) }),
            ..Default::default()
        },
        (Stage::Exited { .. } | Stage::Done, Some(t)) => {
            ContainerState { terminated: Some(terminated(t)), ..Default::default() }
        }
        _ => ContainerState {
            waiting: Some(ContainerStateWaiting { reason: Some(c.waiting.0.clone()), message: c.waiting.1.clone() }),
            ..Default::default()
        },
    }
}

fn terminated(t: &Terminated) -> ContainerStateTerminated {
    ContainerStateTerminated {
        exit_code: t.exit_code,
        reason: Some(t.reason.clone()),
        message: t.message.clone(),
        started_at: (t.started_at > 0 || t.reason != "StartError").then(|| api_time(t.started_at)),
        finished_at: Some(api_time(t.finished_at)),
        container_id: None,
        signal: None,
    }
}

fn container_status(c: &ContainerRun, spec: Option<&Container>) -> ContainerStatus {
    let pulled = c.image_id.as_deref().is_some_and(|i| !i.is_empty());
    let image = if pulled {
        super::images::parse(&c.image).map(|r| r.full_name()).unwrap_or_else(|_| c.image.clone())
    } else {
        c.image.clone()
    };
    // lastState shows the previous instance's end, or — while a container waits to restart — its own.
    let last = match (&c.stage, &c.current) {
        (Stage::Exited { .. } | Stage::Done, _) => c.last_terminated.as_ref(),
        (Stage::Running { .. }, _) => c.last_terminated.as_ref(),
        (_, Some(t)) => Some(t),
        (_, None) => c.last_terminated.as_ref(),
    };
    let mounts = spec.and_then(|s| s.volume_mounts.as_ref()).map(|ms| {
        ms.iter()
            .map(|m| VolumeMountStatus {
                mount_path: m.mount_path.clone(),
                name: m.name.clone(),
                read_only: m.read_only.filter(|r| *r),
                recursive_read_only: m.read_only.filter(|r| *r).map(|_| "Disabled".to_string()),
            })
            .collect()
    });
    ContainerStatus {
        container_id: c.container_id.clone().filter(|_| c.restart_count > 0 || c.current.is_some() || c.is_running()),
        image,
        image_id: if pulled { c.image_id.clone().unwrap_or_default() } else { String::new() },
        last_state: Some(ContainerState { terminated: last.map(terminated), ..Default::default() }),
        name: c.name.clone(),
        ready: c.ready && c.is_running(),
        restart_count: c.restart_count,
        started: Some(c.started && c.is_running()),
        state: Some(container_state(c)),
        volume_mounts: mounts,
        ..Default::default()
    }
}

/// The pod status the kubelet reports now.
pub fn build(cluster: &Cluster, pod: &Pod, run: &mut PodRun, now: Millis) -> PodStatus {
    let old = pod.status.clone().unwrap_or_default();
    let spec = pod.spec.clone().unwrap_or_default();
    let generation = pod.metadata.generation;
    let phase = phase(pod, run);
    let sandbox = run.mount_wait.is_none() && now >= run.sandbox_ready_at && run.ip.is_some();
    let initialized = run.initialized();
    let unready: Vec<String> =
        run.containers.iter().filter(|c| !(c.ready && c.is_running())).map(|c| c.name.clone()).collect();
    let incomplete: Vec<String> = run.init.iter().filter(|c| !c.succeeded_once()).map(|c| c.name.clone()).collect();
    let finished = matches!(phase.as_str(), "Succeeded" | "Failed");
    let mut conditions = Vec::new();
    let mut cond = |run: &mut PodRun, kind: &str, ok: bool, reason: Option<String>, message: Option<String>| {
        let status = if ok { "True" } else { "False" }.to_string();
        let at = match run.transitions.get(kind) {
            Some((s, t)) if *s == status => *t,
            _ => {
                run.transitions.insert(kind.to_string(), (status.clone(), now));
                now
            }
        };
        conditions.push(PodCondition {
            type_: kind.to_string(),
            status,
            reason,
            message,
            last_probe_time: None,
            last_transition_time: Some(api_time(at)),
            observed_generation: generation,
        });
    };
    cond(run, "PodReadyToStartContainers", sandbox && !finished, None, None);
    let init_reason = (!initialized).then(|| "ContainersNotInitialized".to_string());
    let init_msg = (!initialized).then(|| format!("containers with incomplete status: [{}]", incomplete.join(" ")));
    // A pod whose init containers all finished stays Initialized, with reason PodCompleted once it is done.
    let (init_reason, init_msg) = if finished && initialized && !run.init.is_empty() {
        (Some("PodCompleted".into()), None)
    } else {
        (init_reason, init_msg)
    };
    cond(run, "Initialized", initialized, init_reason, init_msg);
    let ready = unready.is_empty() && initialized;
    let (r_reason, r_msg) = if ready {
        (None, None)
    } else if finished {
        (Some("PodCompleted".to_string()), None)
    } else {
        (
            Some("ContainersNotReady".to_string()),
            Some(format!("containers with unready status: [{}]", unready.join(" "))),
        )
    };
    cond(run, "Ready", ready, r_reason.clone(), r_msg.clone());
    cond(run, "ContainersReady", ready, r_reason, r_msg);
    // Conditions the kubelet does not own (PodScheduled from the scheduler, DisruptionTarget, …) stay.
    for c in old.conditions.iter().flatten() {
        if !conditions.iter().any(|x| x.type_ == c.type_) {
            conditions.push(c.clone());
        }
    }
    let statuses = |list: &[ContainerRun]| -> Option<Vec<ContainerStatus>> {
        (!list.is_empty()).then(|| {
            list.iter()
                .map(|c| {
                    let spec_c =
                        spec.init_containers.iter().flatten().chain(spec.containers.iter()).find(|s| s.name == c.name);
                    container_status(c, spec_c)
                })
                .collect()
        })
    };
    let host_ip =
        cluster.machines.get(spec.node_name.as_deref().unwrap_or_default()).map(|m| m.plan.internal_ip.clone());
    let pod_ip = run.ip.clone().filter(|_| sandbox || finished);
    PodStatus {
        phase: Some(phase),
        conditions: Some(conditions),
        host_ip: host_ip.clone(),
        host_ips: host_ip.map(|ip| vec![HostIP { ip }]),
        pod_ip: pod_ip.clone(),
        pod_ips: pod_ip.map(|ip| vec![PodIP { ip }]),
        start_time: Some(api_time(run.started_at)),
        container_statuses: statuses(&run.containers),
        init_container_statuses: statuses(&run.init),
        qos_class: old.qos_class.clone(),
        observed_generation: generation,
        ..Default::default()
    }
}

/// The container's environment: the image's, service links, then `envFrom` and `env` in order. A missing
/// ConfigMap, Secret or key is the kubelet's `CreateContainerConfigError` message.
pub fn container_env(
    cluster: &Cluster,
    pod: &Pod,
    c: &Container,
    pod_ip: &str,
    node: &str,
) -> Result<BTreeMap<String, String>, String> {
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    let spec = pod.spec.clone().unwrap_or_default();
    let mut env = BTreeMap::new();
    env.insert("PATH".to_string(), "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_string());
    env.insert(
        "HOSTNAME".to_string(),
        spec.hostname.clone().unwrap_or_else(|| pod.metadata.name.clone().unwrap_or_default()),
    );
    env.insert("HOME".to_string(), "/root".to_string());
    // Service environment variables for Services of the namespace (and the `kubernetes` master service).
    let links = spec.enable_service_links.unwrap_or(true);
    for svc in cluster.store.list(Kind::Service, None) {
        let Object::Service(s) = svc else { continue };
        let svc_ns = s.metadata.namespace.as_deref().unwrap_or_default();
        let name = s.metadata.name.as_deref().unwrap_or_default();
        let master = svc_ns == "default" && name == "kubernetes";
        if !(master || (links && svc_ns == ns)) {
            continue;
        }
        let Some(sspec) = &s.spec else { continue };
        let Some(ip) = sspec.cluster_ip.as_deref().filter(|ip| *ip != "None" && !ip.is_empty()) else { continue };
        let prefix = name.to_uppercase().replace('-', "_");
        let ports = sspec.ports.clone().unwrap_or_default();
        let Some(first) = ports.first() else { continue };
        env.insert(format!("{prefix}_SERVICE_HOST"), ip.to_string());
        env.insert(format!("{prefix}_SERVICE_PORT"), first.port.to_string());
        let proto = |p: &k8s_openapi::api::core::v1::ServicePort| p.protocol.clone().unwrap_or_else(|| "TCP".into());
        env.insert(format!("{prefix}_PORT"), format!("{}://{ip}:{}", proto(first).to_lowercase(), first.port));
        for p in &ports {
            if let Some(pname) = &p.name {
                env.insert(
                    format!("{prefix}_SERVICE_PORT_{}", pname.to_uppercase().replace('-', "_")),
                    p.port.to_string(),
                );
            }
            let pr = proto(p);
            let base = format!("{prefix}_PORT_{}_{}", p.port, pr);
            env.insert(base.clone(), format!("{}://{ip}:{}", pr.to_lowercase(), p.port));
            env.insert(format!("{base}_PROTO"), pr.to_lowercase());
            env.insert(format!("{base}_PORT"), p.port.to_string());
            env.insert(format!("{base}_ADDR"), ip.to_string());
        }
    }
    let config_map = |name: &str| -> Option<BTreeMap<String, String>> {
        match cluster.store.get(&ObjectKey::new(Kind::ConfigMap, &ns, name)) {
            Some(Object::ConfigMap(cm)) => Some(cm.data.clone().unwrap_or_default()),
            _ => None,
        }
    };
    let secret = |name: &str| -> Option<BTreeMap<String, String>> {
        match cluster.store.get(&ObjectKey::new(Kind::Secret, &ns, name)) {
            Some(Object::Secret(s)) => {
                let mut data: BTreeMap<String, String> = s
                    .data
                    .clone()
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(k, ByteString(v))| (k, String::from_utf8_lossy(&v).into_owned()))
                    .collect();
                data.extend(s.string_data.clone().unwrap_or_default());
                Some(data)
            }
            _ => None,
        }
    };
    for from in c.env_from.iter().flatten() {
        let prefix = from.prefix.clone().unwrap_or_default();
        if let Some(r) = &from.config_map_ref {
            match config_map(&r.name) {
                Some(data) => env.extend(data.into_iter().map(|(k, v)| (format!("{prefix}{k}"), v))),
                None if r.optional == Some(true) => {}
                None => return Err(format!("configmap \"{}\" not found", r.name)),
            }
        }
        if let Some(r) = &from.secret_ref {
            match secret(&r.name) {
                Some(data) => env.extend(data.into_iter().map(|(k, v)| (format!("{prefix}{k}"), v))),
                None if r.optional == Some(true) => {}
                None => return Err(format!("secret \"{}\" not found", r.name)),
            }
        }
    }
    for e in c.env.iter().flatten() {
        let value = if let Some(v) = &e.value {
            Some(expand_env_refs(v, &env))
        } else if let Some(from) = &e.value_from {
            if let Some(r) = &from.config_map_key_ref {
                match config_map(&r.name) {
                    Some(data) => match data.get(&r.key) {
                        Some(v) => Some(v.clone()),
                        None if r.optional == Some(true) => None,
                        None => return Err(format!("couldn't find key {} in ConfigMap {ns}/{}", r.key, r.name)),
                    },
                    None if r.optional == Some(true) => None,
                    None => return Err(format!("configmap \"{}\" not found", r.name)),
                }
            } else if let Some(r) = &from.secret_key_ref {
                match secret(&r.name) {
                    Some(data) => match data.get(&r.key) {
                        Some(v) => Some(v.clone()),
                        None if r.optional == Some(true) => None,
                        None => return Err(format!("couldn't find key {} in Secret {ns}/{}", r.key, r.name)),
                    },
                    None if r.optional == Some(true) => None,
                    None => return Err(format!("secret \"{}\" not found", r.name)),
                }
            } else if let Some(f) = &from.field_ref {
                Some(field_value(pod, &f.field_path, pod_ip, node, cluster))
            } else {
                from.resource_field_ref.as_ref().map(|r| resource_value(c, &r.resource))
            }
        } else {
            Some(String::new())
        };
        if let Some(v) = value {
            env.insert(e.name.clone(), v);
        }
    }
    Ok(env)
}

/// The container with `$(VAR)` in its `command` and `args` expanded from its environment, as the kubelet's
/// `ExpandContainerCommandAndArgs` does before it asks the runtime to create it. Only variables the kubelet
/// made (service links, `envFrom`, `env`) expand; the image's own (`PATH`, `HOME`, `HOSTNAME` here) are
/// unknown to it, so `$(PATH)` stays as written. With `COLOR=blue`, `["sh", "-c", "echo $(COLOR) $$(COLOR)"]`
/// becomes `["sh", "-c", "echo blue $(COLOR)"]`.
pub fn expand_command_and_args(c: &Container, env: &BTreeMap<String, String>) -> Container {
    let mut known = env.clone();
    for image_var in ["PATH", "HOME", "HOSTNAME"] {
        if c.env.iter().flatten().all(|e| e.name != image_var) {
            known.remove(image_var);
        }
    }
    let expand = |v: &Option<Vec<String>>| v.as_ref().map(|v| v.iter().map(|a| expand_env_refs(a, &known)).collect());
    Container { command: expand(&c.command), args: expand(&c.args), ..c.clone() }
}

/// `$(VAR)` references to earlier variables expand; `$$(VAR)` escapes.
fn expand_env_refs(v: &str, env: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = v;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(stripped) = after.strip_prefix('$') {
            out.push('$');
            rest = stripped;
        } else if let Some(inner) = after.strip_prefix('(') {
            match inner.find(')') {
                Some(j) => {
                    let name = &inner[..j];
                    match env.get(name) {
                        Some(val) => out.push_str(val),
                        None => {
                            out.push_str("$(");
                            out.push_str(name);
                            out.push(')');
                        }
                    }
                    rest = &inner[j + 1..];
                }
                None => {
                    out.push('$');
                    rest = after;
                }
            }
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// The downward API's `fieldRef` values.
pub fn field_value(pod: &Pod, path: &str, pod_ip: &str, node: &str, cluster: &Cluster) -> String {
    let meta = &pod.metadata;
    if let Some(key) = path.strip_prefix("metadata.labels['").and_then(|k| k.strip_suffix("']")) {
        return meta.labels.as_ref().and_then(|l| l.get(key)).cloned().unwrap_or_default();
    }
    if let Some(key) = path.strip_prefix("metadata.annotations['").and_then(|k| k.strip_suffix("']")) {
        return meta.annotations.as_ref().and_then(|l| l.get(key)).cloned().unwrap_or_default();
    }
    match path {
        "metadata.name" => meta.name.clone().unwrap_or_default(),
        "metadata.namespace" => meta.namespace.clone().unwrap_or_default(),
        "metadata.uid" => meta.uid.clone().unwrap_or_default(),
        "metadata.labels" => render_map(meta.labels.as_ref()),
        "metadata.annotations" => render_map(meta.annotations.as_ref()),
        "spec.nodeName" => node.to_string(),
        "spec.serviceAccountName" => pod.spec.as_ref().and_then(|s| s.service_account_name.clone()).unwrap_or_default(),
        "status.podIP" | "status.podIPs" => pod_ip.to_string(),
        "status.hostIP" | "status.hostIPs" => {
            cluster.machines.get(node).map(|m| m.plan.internal_ip.clone()).unwrap_or_default()
        }
        _ => String::new(),
    }
}

fn render_map(m: Option<&BTreeMap<String, String>>) -> String {
    m.map(|m| m.iter().map(|(k, v)| format!("{k}=\"{v}\"")).collect::<Vec<_>>().join("\n")).unwrap_or_default()
}

/// `resourceFieldRef`: limits fall back to the node's allocatable (2 CPU, 4Gi), printed in whole units.
fn resource_value(c: &Container, resource: &str) -> String {
    let res = c.resources.clone().unwrap_or_default();
    let (list, name) = match resource.split_once('.') {
        Some(("limits", n)) => (res.limits, n),
        Some(("requests", n)) => (res.requests, n),
        _ => (None, resource),
    };
    match list.and_then(|l| l.get(name).cloned()) {
        Some(q) => match crate::admission::quantity::Quantity::parse(&q.0) {
            Ok(q) if name == "cpu" => ((q.milli_value() + 999) / 1000).to_string(),
            Ok(q) => q.value().to_string(),
            Err(_) => q.0,
        },
        None if name == "cpu" => "2".into(),
        None if name == "memory" => (4u64 << 30).to_string(),
        None => "0".into(),
    }
}

/// The pod's volumes as filesystems: emptyDirs start empty, configMap/secret/projected volumes hold their keys
/// as files, and the kubelet's own `etc-hosts` holds `/etc/hosts`, `/etc/resolv.conf` and `/etc/hostname`.
pub fn volumes_for(cluster: &Cluster, node: &str, pod: &Pod, ip: &str) -> BTreeMap<String, MemFs> {
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    let no_spec;
    let spec = match &pod.spec {
        Some(spec) => spec,
        None => {
            no_spec = k8s_openapi::api::core::v1::PodSpec::default();
            &no_spec
        }
    };
    let name = pod.metadata.name.clone().unwrap_or_default();
    let mut out = BTreeMap::new();
    let hostname = spec.hostname.clone().unwrap_or_else(|| name.clone());
    let fqdn =
        spec.subdomain.as_ref().map(|sub| format!("{hostname}.{sub}.{ns}.svc.cluster.local")).unwrap_or_default();
    let mut etc = MemFs::new();
    let host_network = spec.host_network.unwrap_or(false);
    let hosts = if host_network {
        let node_ip = cluster.machines.get(node).map(|m| m.plan.internal_ip.clone()).unwrap_or_default();
        format!("127.0.0.1\tlocalhost\n{node_ip}\t{node}\n")
    } else {
        let mut h = String::from("# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n");
        if fqdn.is_empty() {
            h.push_str(&format!("{ip}\t{hostname}\n"));
        } else {
            h.push_str(&format!("{ip}\t{fqdn}\t{hostname}\n"));
        }
        for ha in spec.host_aliases.iter().flatten() {
            h.push_str(&format!(
                "\n# Entries added by HostAliases.\n{}\t{}\n",
                ha.ip,
                ha.hostnames.clone().unwrap_or_default().join("\t")
            ));
        }
        h
    };
    let dns_policy = spec.dns_policy.clone().unwrap_or_else(|| "ClusterFirst".into());
    let resolv = if dns_policy == "ClusterFirst" && !host_network || dns_policy == "ClusterFirstWithHostNet" {
        format!(
            "search {ns}.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n"
        )
    } else if dns_policy == "None" {
        let cfg = spec.dns_config.clone().unwrap_or_default();
        let mut r = String::new();
        if let Some(s) = cfg.searches.filter(|s| !s.is_empty()) {
            r.push_str(&format!("search {}\n", s.join(" ")));
        }
        for n in cfg.nameservers.iter().flatten() {
            r.push_str(&format!("nameserver {n}\n"));
        }
        let opts: Vec<String> = cfg
            .options
            .iter()
            .flatten()
            .map(|o| match &o.value {
                Some(v) => format!("{}:{v}", o.name.clone().unwrap_or_default()),
                None => o.name.clone().unwrap_or_default(),
            })
            .collect();
        if !opts.is_empty() {
            r.push_str(&format!("options {}\n", opts.join(" ")));
        }
        r
    } else {
        // Default: the node's resolv.conf (minikube's Docker network resolver).
        "nameserver 192.168.49.1\noptions edns0 trust-ad ndots:0\n".to_string()
    };
    let _ = etc.write("/hosts", &hosts, crate::runtime::fs::WriteMode::Truncate, 0);
    let _ = etc.write("/resolv.conf", &resolv, crate::runtime::fs::WriteMode::Truncate, 0);
    let _ = etc.write("/hostname", &format!("{hostname}\n"), crate::runtime::fs::WriteMode::Truncate, 0);
    out.insert(ETC_VOLUME.to_string(), etc);
    for v in spec.volumes.iter().flatten() {
        let mut fs = MemFs::new();
        let mut put = |path: &str, data: &str| {
            let path = format!("/{}", path.trim_start_matches('/'));
            if let Some((dir, _)) = path.rsplit_once('/') {
                if !dir.is_empty() {
                    let _ = fs.mkdir_all(dir, 0);
                }
            }
            let _ = fs.write(&path, data, crate::runtime::fs::WriteMode::Truncate, 0);
        };
        let cm_data = |name: &str| match cluster.store.get(&ObjectKey::new(Kind::ConfigMap, &ns, name)) {
            Some(Object::ConfigMap(cm)) => cm.data.clone().unwrap_or_default(),
            _ => BTreeMap::new(),
        };
        let secret_data = |name: &str| match cluster.store.get(&ObjectKey::new(Kind::Secret, &ns, name)) {
            Some(Object::Secret(s)) => s
                .data
                .clone()
                .unwrap_or_default()
                .into_iter()
                .map(|(k, ByteString(v))| (k, String::from_utf8_lossy(&v).into_owned()))
                .collect(),
            _ => BTreeMap::new(),
        };
        let project = |data: BTreeMap<String, String>,
                       items: &Option<Vec<k8s_openapi::api::core::v1::KeyToPath>>,
                       put: &mut dyn FnMut(&str, &str)| match items {
            Some(items) => {
                for it in items {
                    if let Some(v) = data.get(&it.key) {
                        put(&it.path, v);
                    }
                }
            }
            None => {
                for (k, v) in &data {
                    put(k, v);
                }
            }
        };
        if let Some(cm) = &v.config_map {
            project(cm_data(&cm.name), &cm.items, &mut put);
        } else if let Some(s) = &v.secret {
            project(secret_data(s.secret_name.as_deref().unwrap_or_default()), &s.items, &mut put);
        } else if let Some(p) = &v.projected {
            for src in p.sources.iter().flatten() {
                if let Some(cm) = &src.config_map {
                    project(cm_data(&cm.name), &cm.items, &mut put);
                }
                if let Some(s) = &src.secret {
                    project(secret_data(&s.name), &s.items, &mut put);
                }
                if let Some(t) = &src.service_account_token {
                    put(&t.path, &service_account_token(pod));
                }
                if let Some(d) = &src.downward_api {
                    for it in d.items.iter().flatten() {
                        if let Some(f) = &it.field_ref {
                            put(&it.path, &field_value(pod, &f.field_path, ip, node, cluster));
                        }
                    }
                }
            }
        } else if let Some(d) = &v.downward_api {
            for it in d.items.iter().flatten() {
                if let Some(f) = &it.field_ref {
                    put(&it.path, &field_value(pod, &f.field_path, ip, node, cluster));
                }
            }
        }
        let sub_pathed = spec
            .containers
            .iter()
            .chain(spec.init_containers.iter().flatten())
            .flat_map(|c| c.volume_mounts.iter().flatten())
            .any(|m| m.name == v.name && m.sub_path.as_deref().is_some_and(|p| !p.is_empty()));
        if sub_pathed && super::volumes::auto_updates(v) {
            out.insert(super::volumes::frozen_key(&v.name), fs.clone());
        }
        out.insert(v.name.clone(), fs);
    }
    out
}

/// The kubelet's internal volume behind `/etc/hosts`, `/etc/resolv.conf` and `/etc/hostname`.
pub const ETC_VOLUME: &str = "\u{0}etc-hosts";

/// A bound ServiceAccount token stands in as a JWT-shaped string naming the pod (it is never verified).
fn service_account_token(pod: &Pod) -> String {
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    let sa = pod.spec.as_ref().and_then(|s| s.service_account_name.clone()).unwrap_or_else(|| "default".into());
    let hash = super::images::digest_hex(&format!("{ns}/{sa}/{}", pod.metadata.uid.clone().unwrap_or_default()));
    format!("eyJhbGciOiJSUzI1NiIsImtpZCI6Imt1YmVncm91bmQifQ.system:serviceaccount:{ns}:{sa}.{}", &hash[..43])
}

/// The image's filesystem: a Linux tree with the image's own files.
pub fn image_fs(info: &ImageInfo) -> MemFs {
    let mut fs = MemFs::new();
    let dirs = [
        "/bin",
        "/dev",
        "/etc",
        "/home",
        "/proc",
        "/root",
        "/sys",
        "/tmp",
        "/usr",
        "/usr/bin",
        "/usr/local",
        "/usr/local/bin",
        "/usr/share",
        "/var",
        "/var/log",
        "/var/run",
        "/run",
        "/opt",
        "/mnt",
    ];
    for d in dirs {
        let _ = fs.mkdir_all(d, 0);
    }
    let os = match info.behaviour {
        Behaviour::Shell if info.repository.ends_with("busybox") => "NAME=\"BusyBox\"\n",
        _ if info.repository.ends_with("alpine") => "NAME=\"Alpine Linux\"\nID=alpine\n",
        _ if info.repository.ends_with("ubuntu") => "NAME=\"Ubuntu\"\nID=ubuntu\n",
        _ => "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nID=debian\n",
    };
    let _ = fs.write("/etc/os-release", os, crate::runtime::fs::WriteMode::Truncate, 0);
    let _ = fs.write(
        "/etc/passwd",
        "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n",
        crate::runtime::fs::WriteMode::Truncate,
        0,
    );
    for (path, content) in super::programs::image_files(info.behaviour) {
        if let Some((dir, _)) = path.rsplit_once('/') {
            let _ = fs.mkdir_all(dir, 0);
        }
        let _ = fs.write(path, &content, crate::runtime::fs::WriteMode::Truncate, 0);
    }
    fs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_and_args_expand_the_containers_variables() {
        let c = Container {
            name: "shell".into(),
            command: Some(vec!["sh".into(), "-c".into(), "echo $(COLOR) $$(COLOR) $(PATH) $(NOPE)".into()]),
            args: Some(vec!["$(COLOR)".into()]),
            ..Default::default()
        };
        let env: BTreeMap<String, String> =
            [("COLOR", "blue"), ("PATH", "/bin")].into_iter().map(|(k, v)| (k.into(), v.into())).collect();
        let x = expand_command_and_args(&c, &env);
        assert_eq!(x.command.unwrap()[2], "echo blue $(COLOR) $(PATH) $(NOPE)");
        assert_eq!(x.args.unwrap(), ["blue"]);
    }
}
