//! Tab completion for the page's terminal: what the word under the cursor can become, computed from the
//! command line so far and the cluster (kinds, object names, namespaces, nodes). Pure: the page shows the
//! candidates and applies [`apply`].
//!
//! Flags come from kubectl's own flag tables (`kubectl::command_flags`), kinds from the engine's kind table,
//! so neither list is repeated here. Completion is simpler than bash's: words split at whitespace, no
//! quoting.

use engine::{Cluster, Kind};

use crate::Playground;

/// The candidates for the word that starts at byte `replace_from` and ends at the cursor.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Completion {
    pub replace_from: usize,
    /// Sorted, without duplicates.
    pub candidates: Vec<String>,
}

/// Programs the terminal runs.
pub const PROGRAMS: &[&str] = &["clear", "echo", "help", "kubectl", "minikube", "sleep"];

/// `minikube` commands simulated (see `minikube::run`).
const MINIKUBE_COMMANDS: &[&str] = &["ip", "node", "service", "ssh", "start", "status", "stop", "tunnel"];
const MINIKUBE_NODE_COMMANDS: &[&str] = &["add", "delete", "list", "start", "stop"];
const ROLLOUT_COMMANDS: &[&str] = &["history", "pause", "restart", "resume", "status", "undo"];
/// `kubectl create` generators (see `kubectl::create`).
const CREATE_COMMANDS: &[&str] =
    &["configmap", "cronjob", "deployment", "job", "namespace", "secret", "service", "serviceaccount"];
const CREATE_SECRET: &[&str] = &["docker-registry", "generic", "tls"];
const CREATE_SERVICE: &[&str] = &["clusterip", "externalname", "loadbalancer", "nodeport"];
/// Commands whose first argument is a resource type (or `TYPE/NAME`) and the next ones names of that type.
const TYPED: &[&str] =
    &["annotate", "delete", "describe", "edit", "expose", "get", "label", "patch", "scale", "taint", "wait"];
/// Commands whose arguments are pods.
const POD_ARGS: &[&str] = &["exec", "logs"];
/// Commands whose arguments are nodes.
const NODE_ARGS: &[&str] = &["cordon", "drain", "uncordon"];

/// What Tab offers for `line` with the cursor at byte `cursor`.
///
/// `kubectl get po` → `pods` (a kind's exact short or singular name expands to its plural);
/// `kubectl get deploy` → `deployments`; `kubectl describe pod ` → the pods' names in the current
/// namespace (`-n`, else `default`); `kubectl get pod/` → `pod/NAME`; `kubectl -n ` → namespaces;
/// `kubectl get pods --sh` → `--show-labels`, `--show-managed-fields`; `minikube ssh -n ` → nodes.
pub fn complete(pg: &Playground, line: &str, cursor: usize) -> Completion {
    let mut cursor = cursor.min(line.len());
    while !line.is_char_boundary(cursor) {
        cursor -= 1;
    }
    let before = &line[..cursor];
    let replace_from = before.rfind(char::is_whitespace).map(|i| i + 1).unwrap_or(0);
    let word = &before[replace_from..];
    let words: Vec<&str> = before[..replace_from].split_whitespace().collect();
    let mut candidates: Vec<String> = match words.split_first() {
        None => PROGRAMS.iter().map(|s| s.to_string()).collect(),
        Some((&"kubectl", args)) => kubectl(pg.cluster(), args, word),
        Some((&"minikube", args)) => minikube(pg.cluster(), args, word),
        Some(_) => Vec::new(),
    };
    let expansion = exact_type(word);
    candidates.retain(|c| c.starts_with(word) || expansion.as_ref() == Some(c));
    candidates.sort();
    candidates.dedup();
    Completion { replace_from, candidates }
}

/// The line and cursor after completing: one candidate replaces the word (with a space after it, unless it
/// ends in `/` or `=`, where more follows); several replace it with their longest common prefix. Nothing
/// changes when there is no candidate.
pub fn apply(line: &str, cursor: usize, c: &Completion) -> (String, usize) {
    let cursor = cursor.min(line.len());
    let insert = match c.candidates.as_slice() {
        [] => return (line.to_string(), cursor),
        [only] if only.ends_with('/') || only.ends_with('=') => only.clone(),
        [only] => format!("{only} "),
        many => common_prefix(many),
    };
    if insert.len() < cursor - c.replace_from.min(cursor) {
        return (line.to_string(), cursor);
    }
    let mut out = line[..c.replace_from].to_string();
    out.push_str(&insert);
    let at = out.len();
    // A space already after the cursor is not doubled.
    let rest = &line[cursor..];
    let rest = if insert.ends_with(' ') { rest.strip_prefix(' ').unwrap_or(rest) } else { rest };
    out.push_str(rest);
    (out, at)
}

fn common_prefix(words: &[String]) -> String {
    let first = &words[0];
    let mut len = first.len();
    for w in &words[1..] {
        len = len.min(first.bytes().zip(w.bytes()).take_while(|(a, b)| a == b).count());
    }
    while !first.is_char_boundary(len) {
        len -= 1;
    }
    first[..len].to_string()
}

/// The kubectl arguments before the word: the command, its positional arguments, the namespace, and the
/// flag waiting for a value, if any.
struct Parsed<'a> {
    command: Option<&'a str>,
    positional: Vec<&'a str>,
    namespace: &'a str,
    pending_flag: Option<&'a str>,
}

fn parse_kubectl<'a>(args: &[&'a str]) -> Parsed<'a> {
    let mut p = Parsed { command: None, positional: Vec::new(), namespace: "default", pending_flag: None };
    let mut i = 0;
    while i < args.len() {
        let a = args[i];
        i += 1;
        if a == "--" {
            break;
        }
        if a.starts_with('-') && a.len() > 1 {
            // `--name=value`, `--name value`, `-x value`, `-xvalue`, `-x=value`.
            let (name, attached) = if a.starts_with("--") {
                match a.find('=') {
                    Some(eq) => (&a[..eq], Some(&a[eq + 1..])),
                    None => (a, None),
                }
            } else {
                let end = a.char_indices().nth(2).map(|(i, _)| i).unwrap_or(a.len());
                let rest = &a[end..];
                (&a[..end], (!rest.is_empty()).then(|| rest.strip_prefix('=').unwrap_or(rest)))
            };
            if !flag_takes_value(p.command, name) {
                continue;
            }
            let value = match attached {
                Some(v) => Some(v),
                None if i < args.len() => {
                    i += 1;
                    Some(args[i - 1])
                }
                None => {
                    p.pending_flag = Some(name);
                    None
                }
            };
            if let (Some(v), "-n" | "--namespace") = (value, name) {
                p.namespace = v;
            }
            continue;
        }
        if p.command.is_none() {
            p.command = Some(a);
        } else {
            p.positional.push(a);
        }
    }
    p
}

/// Whether `-x`/`--name` takes a value for `command` (by kubectl's flag table).
fn flag_takes_value(command: Option<&str>, flag: &str) -> bool {
    let specs = kubectl::command_flags(command.unwrap_or("get")).unwrap_or_default();
    let spec = if let Some(long) = flag.strip_prefix("--") {
        specs.iter().find(|s| s.name == long)
    } else {
        let short = flag.trim_start_matches('-').chars().next();
        specs.iter().find(|s| s.shorthand.is_some() && s.shorthand == short)
    };
    spec.is_some_and(|s| s.kind != kubectl::flags::FlagKind::Bool)
}

fn kubectl(cluster: &Cluster, args: &[&str], word: &str) -> Vec<String> {
    let p = parse_kubectl(args);
    if let Some(flag) = p.pending_flag {
        return flag_values(cluster, flag);
    }
    if let Some((name, _)) = word.split_once('=').filter(|_| word.starts_with("--")) {
        let values = flag_values(cluster, name);
        return values.into_iter().map(|v| format!("{name}={v}")).collect();
    }
    if word.starts_with('-') {
        let specs = kubectl::command_flags(p.command.unwrap_or("get")).unwrap_or_default();
        return specs.iter().map(|s| format!("--{}", s.name)).collect();
    }
    let Some(command) = p.command else {
        return kubectl::commands::KUBECTL_COMMANDS
            .iter()
            .filter(|c| kubectl::command_flags(c).is_some())
            .map(|c| c.to_string())
            .collect();
    };
    let pos = p.positional.as_slice();
    match command {
        c if TYPED.contains(&c) => match pos {
            [] => types_or_type_names(cluster, p.namespace, word),
            [ty, ..] if !ty.contains('/') && !ty.contains(',') => match kind_of(ty) {
                Some(kind) => names(cluster, kind, p.namespace),
                None => Vec::new(),
            },
            _ => types_or_type_names(cluster, p.namespace, word).into_iter().filter(|c| c.contains('/')).collect(),
        },
        "explain" if pos.is_empty() => Kind::ALL.iter().map(|k| k.info().plural.to_string()).collect(),
        c if POD_ARGS.contains(&c) && pos.is_empty() => names(cluster, Kind::Pod, p.namespace),
        c if NODE_ARGS.contains(&c) => names(cluster, Kind::Node, p.namespace),
        "rollout" => match pos {
            [] => words(ROLLOUT_COMMANDS),
            [_] => types_or_type_names(cluster, p.namespace, word)
                .into_iter()
                .filter(|c| {
                    let ty = c.split('/').next().unwrap_or_default();
                    matches!(kind_of(ty), Some(Kind::Deployment | Kind::StatefulSet | Kind::DaemonSet))
                })
                .collect(),
            [_, ty, ..] if !ty.contains('/') => kind_of(ty).map(|k| names(cluster, k, p.namespace)).unwrap_or_default(),
            _ => Vec::new(),
        },
        "create" => match pos {
            [] => words(CREATE_COMMANDS),
            ["secret"] => words(CREATE_SECRET),
            ["service" | "svc"] => words(CREATE_SERVICE),
            _ => Vec::new(),
        },
        "set" if pos.is_empty() => words(&["image"]),
        "set" if pos.len() == 1 => types_or_type_names(cluster, p.namespace, word),
        _ => Vec::new(),
    }
}

/// Values of a flag: namespaces for `-n`, output formats for `-o`.
fn flag_values(cluster: &Cluster, flag: &str) -> Vec<String> {
    match flag {
        "-n" | "--namespace" => names(cluster, Kind::Namespace, ""),
        "-o" | "--output" => words(&["custom-columns=", "json", "jsonpath=", "name", "wide", "yaml"]),
        _ => Vec::new(),
    }
}

fn words(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// The kind a type argument names (`po`, `pods`, `deployments.apps`), as kubectl resolves it.
fn kind_of(ty: &str) -> Option<Kind> {
    match kubectl::resource::resolve_type(ty) {
        kubectl::resource::TypeArg::Known(k) => Some(k),
        kubectl::resource::TypeArg::Unknown => None,
    }
}

/// Resource types for the type argument, or `TYPE/NAME` once the word has a `/`. A list `pv,pvc` completes
/// its last item.
fn types_or_type_names(cluster: &Cluster, namespace: &str, word: &str) -> Vec<String> {
    if let Some((ty, _)) = word.split_once('/') {
        return match kind_of(ty) {
            Some(kind) => names(cluster, kind, namespace).into_iter().map(|n| format!("{ty}/{n}")).collect(),
            None => Vec::new(),
        };
    }
    if let Some(expanded) = exact_type(word) {
        return vec![expanded];
    }
    let (head, last) = split_list(word);
    let lower = last.to_lowercase();
    Kind::ALL
        .iter()
        .filter(|k| {
            let info = k.info();
            info.plural.starts_with(&lower) || info.short_names.iter().any(|s| s.starts_with(&lower))
        })
        .map(|k| format!("{head}{}", k.info().plural))
        .filter(|c| c.starts_with(word))
        .collect()
}

/// `a,b,c` → (`a,b,`, `c`).
fn split_list(word: &str) -> (&str, &str) {
    match word.rfind(',') {
        Some(i) => (&word[..=i], &word[i + 1..]),
        None => ("", word),
    }
}

/// A kind's exact short or singular name (`po`, `pvc`, `deployment`) is a complete type: Tab spells it out
/// as its plural (the last item of a list `pv,pvc`).
fn exact_type(word: &str) -> Option<String> {
    let (head, last) = split_list(word);
    let lower = last.to_lowercase();
    let kind = Kind::ALL.iter().find(|k| {
        let info = k.info();
        !lower.is_empty() && (info.singular == lower || info.short_names.contains(&lower.as_str()))
    })?;
    Some(format!("{head}{}", kind.info().plural))
}

/// Names of the objects of `kind` in `namespace` (every name for a cluster-scoped kind).
fn names(cluster: &Cluster, kind: Kind, namespace: &str) -> Vec<String> {
    let ns = kind.info().namespaced.then_some(namespace);
    cluster.store().list(kind, ns).filter_map(|o| o.metadata().name.clone()).collect()
}

fn machine_names(cluster: &Cluster) -> Vec<String> {
    cluster.machines().iter().map(|m| m.plan.name.clone()).collect()
}

fn minikube(cluster: &Cluster, args: &[&str], _word: &str) -> Vec<String> {
    match args {
        [] => words(MINIKUBE_COMMANDS),
        ["node"] => words(MINIKUBE_NODE_COMMANDS),
        ["node", "stop" | "start" | "delete"] => machine_names(cluster),
        [.., "-n" | "--node"] => machine_names(cluster),
        ["ssh", rest @ ..] if !rest.contains(&"--") => words(&["--", "--node", "-n"]),
        ["ip"] => words(&["--node", "-n"]),
        ["service"] => names(cluster, Kind::Service, "default"),
        ["service", _] => words(&["--url"]),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pg() -> Playground {
        let mut pg = Playground::new(0);
        pg.exec("kubectl create deployment web --image=nginx --replicas=2\nkubectl create namespace team\nkubectl -n team run solo --image=nginx")
            .unwrap();
        pg
    }

    fn c(pg: &Playground, line: &str) -> Vec<String> {
        complete(pg, line, line.len()).candidates
    }

    fn tab(pg: &Playground, line: &str) -> String {
        apply(line, line.len(), &complete(pg, line, line.len())).0
    }

    #[test]
    fn programs_commands_and_subcommands() {
        let pg = pg();
        assert_eq!(c(&pg, ""), PROGRAMS);
        assert_eq!(tab(&pg, "kub"), "kubectl ");
        assert_eq!(tab(&pg, "mini"), "minikube ");
        assert_eq!(tab(&pg, "kubectl desc"), "kubectl describe ");
        assert_eq!(c(&pg, "kubectl ro"), ["rollout"]);
        // Commands kubeground does not simulate are not offered.
        assert!(c(&pg, "kubectl ").iter().all(|x| x != "proxy"));
        assert_eq!(c(&pg, "kubectl rollout "), ROLLOUT_COMMANDS);
        assert_eq!(tab(&pg, "kubectl create secret g"), "kubectl create secret generic ");
        assert_eq!(tab(&pg, "minikube no"), "minikube node ");
        assert_eq!(c(&pg, "minikube node s"), ["start", "stop"]);
        assert!(c(&pg, "sleep ").is_empty());
    }

    #[test]
    fn kinds_short_names_and_type_slash_name() {
        let pg = pg();
        assert_eq!(tab(&pg, "kubectl get po"), "kubectl get pods ");
        assert_eq!(tab(&pg, "kubectl get deploy"), "kubectl get deployments ");
        assert_eq!(tab(&pg, "kubectl get depl"), "kubectl get deployments ");
        assert_eq!(tab(&pg, "kubectl get pv,pv"), "kubectl get pv,persistentvolumes ");
        assert_eq!(c(&pg, "kubectl get pe"), ["persistentvolumeclaims", "persistentvolumes"]);
        assert_eq!(tab(&pg, "kubectl get pe"), "kubectl get persistentvolume");
        assert_eq!(tab(&pg, "kubectl describe deploy/"), "kubectl describe deploy/web ");
        assert_eq!(tab(&pg, "kubectl rollout status d"), "kubectl rollout status d");
        assert_eq!(c(&pg, "kubectl rollout status d"), ["daemonsets", "deployments"]);
        assert_eq!(tab(&pg, "kubectl rollout status deployment "), "kubectl rollout status deployment web ");
        assert_eq!(tab(&pg, "kubectl explain st"), "kubectl explain st");
        assert_eq!(c(&pg, "kubectl explain st"), ["statefulsets", "storageclasses"]);
    }

    #[test]
    fn object_names_in_the_namespace() {
        let pg = pg();
        let pods = c(&pg, "kubectl describe pod ");
        assert_eq!(pods.len(), 2, "{pods:?}");
        assert!(pods.iter().all(|p| p.starts_with("web-")), "{pods:?}");
        // Several candidates: the common prefix.
        let prefix = tab(&pg, "kubectl describe pod ");
        assert!(prefix.starts_with("kubectl describe pod web-") && prefix.ends_with('-'), "{prefix}");
        assert!(pods.iter().all(|p| p.starts_with(&prefix["kubectl describe pod ".len()..])));
        assert_eq!(tab(&pg, "kubectl -n team get pod "), "kubectl -n team get pod solo ");
        assert_eq!(tab(&pg, "kubectl get pod -n team "), "kubectl get pod -n team solo ");
        assert_eq!(tab(&pg, "kubectl logs --namespace=team s"), "kubectl logs --namespace=team solo ");
        assert_eq!(tab(&pg, "kubectl exec -nteam "), "kubectl exec -nteam solo ");
        assert_eq!(tab(&pg, "kubectl get ns t"), "kubectl get ns team ");
        assert_eq!(c(&pg, "kubectl cordon w"), ["worker-1", "worker-2"]);
        assert_eq!(tab(&pg, "kubectl taint nodes worker-2"), "kubectl taint nodes worker-2 ");
    }

    #[test]
    fn namespaces_nodes_and_flags() {
        let pg = pg();
        assert_eq!(tab(&pg, "kubectl get pods -n t"), "kubectl get pods -n team ");
        assert_eq!(tab(&pg, "kubectl get pods --namespace kube-s"), "kubectl get pods --namespace kube-system ");
        assert_eq!(tab(&pg, "kubectl get pods --namespace=te"), "kubectl get pods --namespace=team ");
        assert_eq!(c(&pg, "kubectl get pods --sh"), ["--show-kind", "--show-labels", "--show-managed-fields"]);
        assert_eq!(tab(&pg, "kubectl scale deploy web --rep"), "kubectl scale deploy web --replicas ");
        assert_eq!(tab(&pg, "kubectl get pods -o ya"), "kubectl get pods -o yaml ");
        assert_eq!(tab(&pg, "minikube ssh -n worker-"), "minikube ssh -n worker-");
        assert_eq!(c(&pg, "minikube ssh -n worker-"), ["worker-1", "worker-2"]);
        assert_eq!(tab(&pg, "minikube node stop control-plane-3"), "minikube node stop control-plane-3 ");
        // A flag taking a value does not turn its value into the command.
        assert_eq!(tab(&pg, "kubectl -n team desc"), "kubectl -n team describe ");
    }

    #[test]
    fn completing_mid_line_keeps_the_rest() {
        let pg = pg();
        let line = "kubectl get po -o wide";
        let (out, at) = apply(line, 14, &complete(&pg, line, 14));
        assert_eq!(out, "kubectl get pods -o wide");
        assert_eq!(at, 17);
        let none = complete(&pg, "kubectl zzz", 11);
        assert_eq!(apply("kubectl zzz", 11, &none), ("kubectl zzz".to_string(), 11));
    }
}
