//! Cluster-level kubectl commands: `api-resources`, `cluster-info`, `cordon`, `uncordon`, `taint`.

use engine::apiserver::{PatchType, Request, RequestOptions, Verb};
use engine::machines::API_SERVER_ENDPOINT;
use engine::{Cluster, Kind, Object};
use serde_json::{json, Value};

use crate::client::{send, server_error};
use crate::flags::{flag, FlagKind, FlagSpec, Parsed};
use crate::table;
use crate::Output;
use engine::util::sort::StableSort;

pub const API_RESOURCES_FLAGS: &[FlagSpec] = &[
    flag("namespaced", None, FlagKind::String),
    flag("api-group", None, FlagKind::String),
    flag("no-headers", None, FlagKind::Bool),
    flag("output", Some('o'), FlagKind::String),
];

pub const TAINT_FLAGS: &[FlagSpec] = &[
    flag("overwrite", None, FlagKind::Bool),
    flag("selector", Some('l'), FlagKind::String),
    flag("all", None, FlagKind::Bool),
];

pub const CORDON_FLAGS: &[FlagSpec] =
    &[flag("selector", Some('l'), FlagKind::String), flag("dry-run", None, FlagKind::String)];

pub fn api_resources(flags: &Parsed) -> Output {
    let namespaced = flags.string("namespaced").map(|v| v == "true");
    let group = flags.string("api-group");
    let output = flags.string("output").unwrap_or("");
    if !["", "wide", "name"].contains(&output) {
        return Output::error(format!("error: --output {output} is not available\n"));
    }
    let mut kinds: Vec<Kind> = Kind::ALL
        .iter()
        .copied()
        .filter(|k| namespaced.is_none_or(|n| k.info().namespaced == n))
        .filter(|k| group.is_none_or(|g| k.info().group == g))
        .collect();
    kinds.stable_sort_by_key(|k| (k.info().group, k.info().plural));
    if output == "name" {
        return Output::ok(
            kinds
                .iter()
                .map(|k| {
                    let i = k.info();
                    if i.group.is_empty() {
                        format!("{}\n", i.plural)
                    } else {
                        format!("{}.{}\n", i.plural, i.group)
                    }
                })
                .collect::<String>(),
        );
    }
    let wide = output == "wide";
    let mut rows = Vec::new();
    if !flags.bool("no-headers") {
        let mut header = vec!["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"];
        if wide {
            header.extend(["VERBS", "CATEGORIES"]);
        }
        rows.push(header.iter().map(|s| s.to_string()).collect());
    }
    for k in kinds {
        let i = k.info();
        let mut row = vec![
            i.plural.to_string(),
            i.short_names.join(","),
            i.api_version(),
            i.namespaced.to_string(),
            i.kind.to_string(),
        ];
        if wide {
            // Every supported resource has the full set of verbs on a real v1.34 server.
            row.push("create,delete,deletecollection,get,list,patch,update,watch".to_string());
            row.push(if crate::builder::ALL_CATEGORY.contains(&k) { "all" } else { "" }.to_string());
        }
        rows.push(row);
    }
    Output::ok(table::render(&rows))
}

pub fn cluster_info(cluster: &mut Cluster) -> Output {
    // kubectl first reads the `kubernetes` endpoint; without an API server that fails like any request.
    if let Err(e) = send(cluster, Request::new(Verb::List, Kind::Namespace)).list() {
        return Output::error(format!(
            "\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n{}",
            server_error(&e, None)
        ));
    }
    let mut out = format!("Kubernetes control plane is running at https://{API_SERVER_ENDPOINT}\n");
    let services = send(
        cluster,
        Request::new(Verb::List, Kind::Service).namespace("kube-system").options(RequestOptions {
            label_selector: Some("kubernetes.io/cluster-service=true".into()),
            ..Default::default()
        }),
    )
    .list()
    .unwrap_or_default();
    for svc in services {
        let name = svc.metadata().labels.as_ref().and_then(|l| l.get("kubernetes.io/name")).cloned();
        let port = svc.to_json()["spec"]["ports"][0]["name"].as_str().map(|p| format!(":{p}")).unwrap_or_default();
        out.push_str(&format!(
            "{} is running at https://{API_SERVER_ENDPOINT}/api/v1/namespaces/kube-system/services/{}{port}/proxy\n",
            name.unwrap_or_else(|| svc.name().to_string()),
            svc.name()
        ));
    }
    out.push_str("\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n");
    Output::ok(out)
}

fn nodes_named(cluster: &mut Cluster, flags: &Parsed, names: &[String]) -> Result<Vec<Object>, String> {
    if names.is_empty() && !flags.has("selector") && !flags.bool("all") {
        return Err("error: at least one resource name must be specified since 'all' parameter is not set\n".into());
    }
    if names.is_empty() {
        let req = Request::new(Verb::List, Kind::Node).options(RequestOptions {
            label_selector: flags.string("selector").map(String::from),
            ..Default::default()
        });
        let nodes = send(cluster, req).list().map_err(|e| server_error(&e, None))?;
        return Ok(nodes.into_iter().map(std::sync::Arc::unwrap_or_clone).collect());
    }
    names
        .iter()
        .map(|n| {
            let name = n.strip_prefix("node/").or_else(|| n.strip_prefix("nodes/")).unwrap_or(n);
            send(cluster, Request::new(Verb::Get, Kind::Node).name(name)).object().map_err(|e| server_error(&e, None))
        })
        .collect()
}

fn patch_node(cluster: &mut Cluster, name: &str, patch: Value) -> Result<(), String> {
    let req = Request::new(Verb::Patch, Kind::Node)
        .name(name)
        .body(patch)
        .options(RequestOptions { patch_type: Some(PatchType::Merge), ..Default::default() });
    send(cluster, req).object().map(|_| ()).map_err(|e| server_error(&e, None))
}

pub fn cordon(cluster: &mut Cluster, flags: &Parsed, unschedulable: bool) -> Output {
    let nodes = match nodes_named(cluster, flags, &flags.args) {
        Ok(n) => n,
        Err(e) => return Output::error(e),
    };
    let mut out = Output::default();
    for node in nodes {
        let current = node.to_json()["spec"]["unschedulable"].as_bool().unwrap_or(false);
        let verb = if unschedulable { "cordoned" } else { "uncordoned" };
        if current == unschedulable {
            out.stdout.push_str(&format!("node/{} already {verb}\n", node.name()));
            continue;
        }
        let value = if unschedulable { Value::Bool(true) } else { Value::Null };
        match patch_node(cluster, node.name(), json!({"spec": {"unschedulable": value}})) {
            Ok(()) => out.stdout.push_str(&format!("node/{} {verb}\n", node.name())),
            Err(e) => out.fail(e),
        }
    }
    out
}

/// `kubectl taint nodes NAME KEY[=VALUE]:EFFECT … [KEY[:EFFECT]-]`.
pub fn taint(cluster: &mut Cluster, flags: &Parsed) -> Output {
    let args = &flags.args;
    let Some(first) = args.first() else {
        return Output::error("error: at least one resource name must be specified since 'all' parameter is not set\n");
    };
    let (names, specs): (Vec<String>, &[String]) = if first.contains('/') {
        let split = args.iter().position(|a| !a.contains('/')).unwrap_or(args.len());
        (args[..split].to_vec(), &args[split..])
    } else {
        if !matches!(first.as_str(), "node" | "nodes" | "no") {
            return Output::error(format!("error: invalid resource type {first}, only node types are supported\n"));
        }
        let rest = &args[1..];
        let split =
            rest.iter().position(|a| a.contains(':') || a.contains('=') || a.ends_with('-')).unwrap_or(rest.len());
        (rest[..split].to_vec(), &rest[split..])
    };
    if specs.is_empty() {
        return Output::error("error: at least one taint update is required\n");
    }
    let mut add: Vec<(String, Option<String>, String)> = Vec::new();
    let mut remove: Vec<(String, Option<String>)> = Vec::new();
    for spec in specs {
        if let Some(r) = spec.strip_suffix('-') {
            let (key, effect) = match r.split_once(':') {
                Some((k, e)) => (k.to_string(), Some(e.to_string())),
                None => (r.to_string(), None),
            };
            remove.push((key, effect));
            continue;
        }
        let Some((kv, effect)) = spec.rsplit_once(':') else {
            return Output::error(format!("error: invalid taint spec: {spec}, unknown taint spec format\n"));
        };
        if !["NoSchedule", "PreferNoSchedule", "NoExecute"].contains(&effect) {
            return Output::error(format!(
                "error: invalid taint spec: {spec}, invalid taint effect: {effect}, unsupported taint effect\n"
            ));
        }
        let (key, value) = match kv.split_once('=') {
            Some((k, v)) => (k.to_string(), Some(v.to_string())),
            None => (kv.to_string(), None),
        };
        add.push((key, value, effect.to_string()));
    }
    let nodes = match nodes_named(cluster, flags, &names) {
        Ok(n) => n,
        Err(e) => return Output::error(e),
    };
    let mut out = Output::default();
    for node in nodes {
        let json = node.to_json();
        let mut taints: Vec<Value> = json["spec"]["taints"].as_array().cloned().unwrap_or_default();
        let same = |t: &Value, key: &str, effect: &str| t["key"] == key && t["effect"] == effect;
        let mut failed = false;
        for (key, effect) in &remove {
            let before = taints.len();
            taints.retain(|t| !(t["key"] == key.as_str() && effect.as_deref().is_none_or(|e| t["effect"] == e)));
            if taints.len() == before {
                let what = match effect {
                    Some(e) => format!("{key}:{e}"),
                    None => key.clone(),
                };
                out.fail(format!("error: taint \"{what}\" not found\n"));
                failed = true;
            }
        }
        for (key, value, effect) in &add {
            if let Some(existing) = taints.iter_mut().find(|t| same(t, key, effect)) {
                if !flags.bool("overwrite") {
                    out.fail(format!(
                        "error: node {} already has {key} taint(s) with same effect(s) and --overwrite is false\n",
                        node.name()
                    ));
                    failed = true;
                    continue;
                }
                *existing = taint_json(key, value.as_deref(), effect);
            } else {
                taints.push(taint_json(key, value.as_deref(), effect));
            }
        }
        if failed {
            continue;
        }
        let patch_value = if taints.is_empty() { Value::Null } else { Value::Array(taints) };
        match patch_node(cluster, node.name(), json!({"spec": {"taints": patch_value}})) {
            Ok(()) => {
                let verb = if add.is_empty() { "untainted" } else { "tainted" };
                out.stdout.push_str(&format!("node/{} {verb}\n", node.name()));
            }
            Err(e) => out.fail(e),
        }
    }
    out
}

fn taint_json(key: &str, value: Option<&str>, effect: &str) -> Value {
    let mut t = json!({"effect": effect, "key": key});
    if let Some(v) = value.filter(|v| !v.is_empty()) {
        t["value"] = json!(v);
    }
    t
}

pub const DRAIN_FLAGS: &[FlagSpec] = &[
    flag("ignore-daemonsets", None, FlagKind::Bool),
    flag("delete-emptydir-data", None, FlagKind::Bool),
    flag("force", None, FlagKind::Bool),
    flag("grace-period", None, FlagKind::String),
    flag("timeout", None, FlagKind::String),
    flag("selector", Some('l'), FlagKind::String),
    flag("pod-selector", None, FlagKind::String),
    flag("disable-eviction", None, FlagKind::Bool),
];

/// `kubectl drain NODE`: cordon, then evict every pod on the node, refusing (unless told otherwise) pods
/// without a controller, DaemonSet pods and pods with emptyDir data, as kubectl's drain filters do.
pub fn drain(cluster: &mut Cluster, flags: &Parsed) -> Output {
    let nodes = match nodes_named(cluster, flags, &flags.args) {
        Ok(n) => n,
        Err(e) => return Output::error(e),
    };
    let mut out = Output::default();
    for node in nodes {
        let name = node.name().to_string();
        if node.to_json()["spec"]["unschedulable"].as_bool() == Some(true) {
            out.stdout.push_str(&format!("node/{name} already cordoned\n"));
        } else {
            match patch_node(cluster, &name, json!({"spec": {"unschedulable": true}})) {
                Ok(()) => out.stdout.push_str(&format!("node/{name} cordoned\n")),
                Err(e) => {
                    out.fail(e);
                    continue;
                }
            }
        }
        let req = Request::new(Verb::List, Kind::Pod).options(RequestOptions {
            field_selector: Some(format!("spec.nodeName={name}")),
            label_selector: flags.string("pod-selector").map(String::from),
            ..Default::default()
        });
        let pods = match send(cluster, req).list() {
            Ok(p) => p,
            Err(e) => {
                out.fail(server_error(&e, None));
                continue;
            }
        };
        let mut refused: Vec<(String, String)> = Vec::new();
        let mut ignored: Vec<String> = Vec::new();
        let mut unmanaged: Vec<String> = Vec::new();
        let mut evict: Vec<std::sync::Arc<Object>> = Vec::new();
        for pod in pods {
            let json = pod.to_json();
            let id = format!("{}/{}", pod.namespace(), pod.name());
            let owner =
                json["metadata"]["ownerReferences"].as_array().and_then(|o| o.iter().find(|r| r["controller"] == true));
            let phase = json["status"]["phase"].as_str().unwrap_or_default();
            let finished = phase == "Succeeded" || phase == "Failed";
            if owner.is_some_and(|o| o["kind"] == "DaemonSet") {
                if flags.bool("ignore-daemonsets") {
                    ignored.push(id);
                } else {
                    refused
                        .push(("cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore)".into(), id));
                }
                continue;
            }
            if owner.is_none() && !finished {
                if !flags.bool("force") {
                    refused
                        .push(("cannot delete Pods that declare no controller (use --force to override)".into(), id));
                    continue;
                }
                unmanaged.push(id.clone());
            }
            let empty_dir =
                json["spec"]["volumes"].as_array().is_some_and(|v| v.iter().any(|v| v.get("emptyDir").is_some()));
            if empty_dir && !finished && !flags.bool("delete-emptydir-data") {
                refused.push((
                    "cannot delete Pods with local storage (use --delete-emptydir-data to override)".into(),
                    id,
                ));
                continue;
            }
            evict.push(pod);
        }
        if !refused.is_empty() {
            let mut reasons: Vec<String> = Vec::new();
            for (reason, _) in &refused {
                if !reasons.contains(reason) {
                    reasons.push(reason.clone());
                }
            }
            let detail: Vec<String> = reasons
                .iter()
                .map(|r| {
                    let pods: Vec<&str> = refused.iter().filter(|(x, _)| x == r).map(|(_, p)| p.as_str()).collect();
                    format!("{r}: {}", pods.join(", "))
                })
                .collect();
            // kubectl aggregates the filters' errors: one as itself, several as `[a, b]`.
            let agg = if detail.len() == 1 { detail[0].clone() } else { format!("[{}]", detail.join(", ")) };
            out.fail(format!(
                "error: unable to drain node \"{name}\" due to error: {agg}, continuing command...\nThere are pending nodes to be drained:\n {name}\nerror: {agg}\n"
            ));
            continue;
        }
        let mut warnings = Vec::new();
        if !ignored.is_empty() {
            warnings.push(format!("ignoring DaemonSet-managed Pods: {}", ignored.join(", ")));
        }
        if !unmanaged.is_empty() {
            warnings.push(format!("deleting Pods that declare no controller: {}", unmanaged.join(", ")));
        }
        if !warnings.is_empty() {
            out.stderr.push_str(&format!("Warning: {}\n", warnings.join("; ")));
        }
        let grace = flags.string("grace-period").and_then(|g| g.parse::<i64>().ok()).filter(|g| *g >= 0);
        let timeout = match flags.string("timeout") {
            Some(t) => match crate::wait::parse_duration(t) {
                Some(ms) => ms,
                None => {
                    out.fail(format!(
                        "error: invalid argument \"{t}\" for \"--timeout\" flag: time: invalid duration \"{t}\"\n"
                    ));
                    return out;
                }
            },
            None => 0,
        };
        let result = crate::drain::evict_pods(
            cluster,
            &evict,
            grace,
            timeout,
            flags.bool("disable-eviction"),
            &mut out.stdout,
            &mut out.stderr,
        );
        if !result.errors.is_empty() {
            // kubectl aggregates the pods' errors (`utilerrors.NewAggregate`): repeats once, one as itself,
            // several as `[a, b]`.
            let mut unique: Vec<&String> = Vec::new();
            for e in &result.errors {
                if !unique.contains(&e) {
                    unique.push(e);
                }
            }
            let agg = match unique.as_slice() {
                [one] => one.to_string(),
                many => format!("[{}]", many.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")),
            };
            let pending: Vec<&std::sync::Arc<Object>> =
                evict.iter().filter(|p| cluster.get(Kind::Pod, p.namespace(), p.name()).is_ok()).collect();
            if !pending.is_empty() {
                out.stderr
                    .push_str(&format!("There are pending pods in node \"{name}\" when an error occurred: {agg}\n"));
                for p in pending {
                    out.stderr.push_str(&format!("pod/{}\n", p.name()));
                }
            }
            out.fail(format!(
                "error: unable to drain node \"{name}\" due to error: {agg}, continuing command...\nThere are pending nodes to be drained:\n {name}\nerror: {agg}\n"
            ));
            continue;
        }
        out.stdout.push_str(&format!("node/{name} drained\n"));
    }
    out
}
