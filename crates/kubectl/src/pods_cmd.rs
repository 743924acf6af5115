//! `kubectl logs` and `kubectl exec`: the two commands that look inside running containers (the kubelet's
//! `pods/log` and `pods/exec` subresources).

use engine::apiserver::{Request, Verb};
use engine::kubelet::programs::rfc3339_nanos;
use engine::kubelet::Stream;
use engine::{Cluster, Kind, Object};

use crate::client::{send, server_error};
use crate::flags::{flag, FlagKind, FlagSpec, Parsed};
use crate::Output;
use engine::util::sort::StableSort;

pub const LOGS_FLAGS: &[FlagSpec] = &[
    flag("container", Some('c'), FlagKind::String),
    flag("previous", Some('p'), FlagKind::Bool),
    flag("tail", None, FlagKind::String),
    flag("timestamps", None, FlagKind::Bool),
    flag("follow", Some('f'), FlagKind::Bool),
    flag("selector", Some('l'), FlagKind::String),
    flag("all-containers", None, FlagKind::Bool),
    flag("prefix", None, FlagKind::Bool),
    flag("since", None, FlagKind::String),
];

pub const EXEC_FLAGS: &[FlagSpec] = &[
    flag("container", Some('c'), FlagKind::String),
    flag("stdin", Some('i'), FlagKind::Bool),
    flag("tty", Some('t'), FlagKind::Bool),
    flag("quiet", Some('q'), FlagKind::Bool),
];

type PodRef = engine::api::api::core::v1::Pod;

/// Resolves `POD`, `pod/POD` or `TYPE/NAME` of a workload to one pod, as kubectl's
/// `AttachablePodForObject` does (the first pod its selector matches, by name).
///
/// `logs` words a missing object as `kubectl logs` does (`error: error from server (NotFound): … in namespace
/// "NS"`); `exec` prints the server's error as it is.
fn pod_for(cluster: &mut Cluster, arg: &str, namespace: &str, logs: bool) -> Result<(PodRef, Option<String>), String> {
    let (ty, name) = match arg.split_once('/') {
        Some((t, n)) => (Some(t), n),
        None => (None, arg),
    };
    let kind = match ty {
        None => Kind::Pod,
        Some(t) => match crate::builder::kinds_of(t) {
            Ok(k) if k.len() == 1 => k[0],
            Ok(_) => return Err(format!("error: you must specify only one resource, got {t}\n")),
            Err(e) => return Err(e),
        },
    };
    let obj = match send(cluster, Request::new(Verb::Get, kind).namespace(namespace).name(name)).object() {
        Ok(o) => o,
        Err(e) if logs && e.code == 404 => {
            return Err(format!("error: error from server (NotFound): {} in namespace \"{namespace}\"\n", e.message))
        }
        Err(e) => return Err(server_error(&e, None)),
    };
    if let Object::Pod(p) = obj {
        return Ok((*p, None));
    }
    let json = obj.to_json();
    let selector = json
        .pointer("/spec/selector/matchLabels")
        .or_else(|| json.pointer("/spec/selector"))
        .and_then(|s| s.as_object())
        .map(|m| m.iter().filter_map(|(k, v)| v.as_str().map(|v| format!("{k}={v}"))).collect::<Vec<_>>().join(","))
        .unwrap_or_default();
    let opts = engine::apiserver::RequestOptions { label_selector: Some(selector), ..Default::default() };
    let pods = match send(cluster, Request::new(Verb::List, Kind::Pod).namespace(namespace).options(opts)).list() {
        Ok(p) => p,
        Err(e) => return Err(server_error(&e, None)),
    };
    let mut pods: Vec<PodRef> = pods
        .iter()
        .filter_map(|o| match o.as_ref() {
            Object::Pod(p) => Some((**p).clone()),
            _ => None,
        })
        .collect();
    pods.stable_sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
    match pods.len() {
        0 => Err(format!("error: no pods found for {}/{name}\n", kind.info().singular)),
        1 => Ok((pods.remove(0), None)),
        n => {
            let chosen = pods.remove(0);
            let note = format!("Found {n} pods, using pod/{}\n", chosen.metadata.name.clone().unwrap_or_default());
            Ok((chosen, Some(note)))
        }
    }
}

/// The container kubectl picks without `-c`: the `kubectl.kubernetes.io/default-container` annotation, else
/// the first; with several it says so on stderr.
fn default_container(pod: &PodRef) -> (String, Option<String>) {
    let spec = pod.spec.clone().unwrap_or_default();
    let annotated = pod
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get("kubectl.kubernetes.io/default-container"))
        .filter(|n| spec.containers.iter().any(|c| &c.name == *n))
        .cloned();
    let first = spec.containers.first().map(|c| c.name.clone()).unwrap_or_default();
    let name = annotated.clone().unwrap_or(first);
    let total = spec.containers.len() + spec.init_containers.as_ref().map_or(0, Vec::len);
    let note = (annotated.is_none() && total > 1).then(|| {
        let mut all: Vec<String> = spec.containers.iter().map(|c| c.name.clone()).collect();
        all.extend(spec.init_containers.iter().flatten().map(|c| format!("{} (init)", c.name)));
        format!("Defaulted container \"{name}\" out of: {}\n", all.join(", "))
    });
    (name, note)
}

pub fn logs(cluster: &mut Cluster, flags: &Parsed, namespace: &str) -> Output {
    let tail: i64 = match flags.string("tail") {
        Some(t) => match t.parse() {
            Ok(n) => n,
            Err(_) => {
                return Output::error(format!(
                    "Error: invalid argument \"{t}\" for \"--tail\" flag: strconv.ParseInt: parsing \"{t}\": invalid syntax\nSee 'kubectl logs --help' for usage.\n"
                ))
            }
        },
        None if flags.has("selector") => 10,
        None => -1,
    };
    let mut out = Output::ok(String::new());
    let mut targets: Vec<(PodRef, Vec<String>)> = Vec::new();
    if let Some(sel) = flags.string("selector") {
        if !flags.args.is_empty() {
            return Output::error("error: only one of -l or POD may be given\n");
        }
        let opts = engine::apiserver::RequestOptions { label_selector: Some(sel.to_string()), ..Default::default() };
        let pods = match send(cluster, Request::new(Verb::List, Kind::Pod).namespace(namespace).options(opts)).list() {
            Ok(p) => p,
            Err(e) => return Output::error(server_error(&e, None)),
        };
        if pods.is_empty() {
            return Output::error(format!("No resources found in {namespace} namespace.\n"));
        }
        for p in pods {
            if let Object::Pod(p) = p.as_ref() {
                targets.push(((**p).clone(), Vec::new()));
            }
        }
    } else {
        let Some(arg) = flags.args.first() else {
            return Output::error(
                "error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples\n",
            );
        };
        let (pod, note) = match pod_for(cluster, arg, namespace, true) {
            Ok(p) => p,
            Err(e) => return Output::error(e),
        };
        if let Some(n) = note {
            out.stderr.push_str(&n);
        }
        let positional = flags.args.get(1).cloned();
        targets.push((pod, positional.into_iter().collect()));
    }
    let multi = targets.len() > 1;
    for (pod, positional) in targets {
        let pod_name = pod.metadata.name.clone().unwrap_or_default();
        let containers: Vec<String> = if flags.bool("all-containers") {
            let spec = pod.spec.clone().unwrap_or_default();
            spec.init_containers.iter().flatten().chain(spec.containers.iter()).map(|c| c.name.clone()).collect()
        } else if let Some(c) = flags.string("container").map(String::from).or_else(|| positional.first().cloned()) {
            vec![c]
        } else {
            let (name, note) = default_container(&pod);
            if let Some(n) = note {
                out.stderr.push_str(&n);
            }
            vec![name]
        };
        let spec = pod.spec.clone().unwrap_or_default();
        for container in containers {
            // kubectl finds the container in the pod before it asks for its log.
            let known =
                spec.containers.iter().chain(spec.init_containers.iter().flatten()).any(|c| c.name == container)
                    || spec.ephemeral_containers.iter().flatten().any(|c| c.name == container);
            if !known {
                out.stderr.push_str(&format!("error: container {container} is not valid for pod {pod_name}\n"));
                out.exit_code = 1;
                return out;
            }
            match cluster.container_logs(namespace, &pod_name, &container, flags.bool("previous")) {
                Ok(lines) => {
                    let skip = if tail >= 0 { lines.len().saturating_sub(tail as usize) } else { 0 };
                    for l in &lines[skip..] {
                        if flags.bool("prefix") || (multi && flags.bool("prefix")) {
                            out.stdout.push_str(&format!("[pod/{pod_name}/{container}] "));
                        }
                        if flags.bool("timestamps") {
                            out.stdout.push_str(&rfc3339_nanos(l.at));
                            out.stdout.push(' ');
                        }
                        out.stdout.push_str(&l.text);
                        let _ = l.stream == Stream::Stdout;
                    }
                }
                Err(e) => {
                    out.stderr.push_str(&server_error(&e, None));
                    out.exit_code = 1;
                    return out;
                }
            }
        }
    }
    out
}

/// The ID of an exec session that failed to start, as the runtime names it in its error (a digest of the pod,
/// container and instant, so both doors name it alike).
pub fn exec_id(pod: &str, container: &str, now: engine::clock::Millis) -> String {
    engine::kubelet::images::digest_hex(&format!("exec/{pod}/{container}/{now}"))
}

/// `kubectl exec`. `command` is everything after `--`.
pub fn exec(cluster: &mut Cluster, flags: &Parsed, namespace: &str, command: Option<&[String]>) -> Output {
    let Some(arg) = flags.args.first() else {
        return Output::error(
            "error: pod, type/name or --filename must be specified\nSee 'kubectl exec -h' for help and examples\n",
        );
    };
    let command = match command {
        Some(c) => c,
        None if flags.args.len() > 1 => {
            return Output::error(
                "error: exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead\nSee 'kubectl exec -h' for help and examples\n",
            )
        }
        None => &[][..],
    };
    if command.is_empty() {
        return Output::error("error: you must specify at least one command for the container\n");
    }
    let (pod, note) = match pod_for(cluster, arg, namespace, false) {
        Ok(p) => p,
        Err(e) => return Output::error(e),
    };
    let mut out = Output::ok(String::new());
    if let Some(n) = note {
        out.stderr.push_str(&n);
    }
    let phase = pod.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default();
    if phase == "Succeeded" || phase == "Failed" {
        return Output::error(format!(
            "error: cannot exec into a container in a completed pod; current phase is {phase}\n"
        ));
    }
    let container = match flags.string("container") {
        Some(c) => c.to_string(),
        None => {
            let (name, note) = default_container(&pod);
            if let Some(n) = note {
                if !flags.bool("quiet") {
                    out.stderr.push_str(&n);
                }
            }
            name
        }
    };
    let first = command[0].rsplit('/').next().unwrap_or_default();
    let interactive_shell =
        flags.bool("stdin") && ["sh", "bash", "ash"].contains(&first) && !command.iter().any(|a| a == "-c");
    if interactive_shell {
        out.stderr.push_str(
            "error: kubeground cannot open an interactive shell here yet; run one command at a time, e.g. \
kubectl exec POD -- sh -c 'ls /; cat /etc/hostname'\n",
        );
        out.exit_code = 1;
        return out;
    }
    let pod_name = pod.metadata.name.clone().unwrap_or_default();
    match cluster.exec_tty(namespace, &pod_name, &container, command, flags.bool("tty")) {
        Ok(result) => match result.code {
            Ok(code) => {
                out.stdout.push_str(&result.stdout);
                out.stderr.push_str(&result.stderr);
                if code != 0 {
                    out.stderr.push_str(&format!("command terminated with exit code {code}\n"));
                    out.exit_code = code;
                }
                out
            }
            Err(msg) => {
                let id = exec_id(&pod_name, &container, cluster.now());
                out.stderr.push_str(&format!(
                    "error: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec \"{id}\": {msg}\n"
                ));
                out.exit_code = 1;
                out
            }
        },
        Err(e) => {
            out.stderr.push_str(&format!("error: {}\n", e.message));
            if e.reason == "NotFound" || e.message.starts_with("container ") {
                out.stderr.clear();
                out.stderr.push_str(&server_error(&e, None));
            }
            out.exit_code = 1;
            out
        }
    }
}
