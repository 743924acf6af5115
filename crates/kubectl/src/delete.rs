//! `kubectl delete`: by name, by file, by label selector or `--all`, with kubectl's messages
//! (`pod "web" deleted from default namespace` since v1.34; cluster-scoped objects without the suffix).

use engine::apiserver::{Propagation, Request, RequestOptions, Verb};
use engine::{Cluster, Kind, Object};

use crate::apply::locate;
use crate::builder::parse_args;
use crate::client::{send, server_error};
use crate::flags::{flag, FlagKind, FlagSpec, Parsed};
use crate::io::Io;
use crate::manifest;
use crate::Output;

pub const FLAGS: &[FlagSpec] = &[
    flag("filename", Some('f'), FlagKind::StringArray),
    flag("recursive", Some('R'), FlagKind::Bool),
    flag("selector", Some('l'), FlagKind::String),
    flag("field-selector", None, FlagKind::String),
    flag("all", None, FlagKind::Bool),
    flag("all-namespaces", Some('A'), FlagKind::Bool),
    flag("ignore-not-found", None, FlagKind::Bool),
    flag("wait", None, FlagKind::Bool),
    flag("grace-period", None, FlagKind::String),
    flag("force", None, FlagKind::Bool),
    flag("now", None, FlagKind::Bool),
    flag("cascade", None, FlagKind::String),
    flag("output", Some('o'), FlagKind::String),
    flag("dry-run", None, FlagKind::String),
];

const NO_RESOURCES: &str = "error: You must provide one or more resources by argument or filename.
Example resource specifications include:
   '-f rsrc.yaml'
   '--filename=rsrc.json'
   '<resource> <name>'
   '<resource>'
";

pub fn run(cluster: &mut Cluster, flags: &Parsed, namespace: &str, explicit_ns: bool, io: &Io) -> Output {
    let propagation = match flags.string("cascade").unwrap_or("background") {
        "background" | "true" => Propagation::Background,
        "foreground" => Propagation::Foreground,
        "orphan" | "false" => Propagation::Orphan,
        other => {
            return Output::error(format!(
                "error: invalid cascade value ({other}). Must be \"background\", \"foreground\", or \"orphan\"\n"
            ))
        }
    };
    let dry = match crate::apply::dry_run(flags) {
        Ok(d) => d,
        Err(e) => return Output::error(e),
    };
    let grace: Option<i64> = match flags.string("grace-period") {
        Some(g) => match g.parse() {
            Ok(v) => Some(v),
            Err(_) => {
                return Output::error(format!(
                    "Error: invalid argument \"{g}\" for \"--grace-period\" flag: strconv.ParseInt: parsing \"{g}\": invalid syntax\nSee 'kubectl delete --help' for usage.\n"
                ))
            }
        },
        None if flags.bool("now") => Some(1),
        None => None,
    };
    let force = flags.bool("force");
    if force && grace.is_some_and(|g| g > 0) {
        return Output::error("error: --force and --grace-period greater than 0 cannot be specified together\n");
    }
    let grace = if force { Some(grace.unwrap_or(0)) } else { grace };

    let mut out = Output::default();
    if force && grace == Some(0) {
        out.stderr.push_str(
            "Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. \
The resource may continue to run on the cluster indefinitely.\n",
        );
    }

    // (kind, namespace, name) targets in order.
    let mut targets: Vec<(Kind, Option<String>, String, Option<String>)> = Vec::new();
    let files = flags.strings("filename");
    if !files.is_empty() {
        if !flags.args.is_empty() {
            return Output::error("error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'\n");
        }
        let docs = match manifest::read_all(&files, flags.bool("recursive"), io) {
            Ok(d) => d,
            Err(e) => return Output::error(e),
        };
        for doc in &docs {
            match locate(doc, namespace, explicit_ns) {
                Ok((kind, ns, name)) => targets.push((kind, ns, name, Some(doc.source.clone()))),
                Err(e) => out.fail(e),
            }
        }
    } else {
        if flags.args.is_empty() {
            return Output::error(NO_RESOURCES);
        }
        let selection = match parse_args(&flags.args) {
            Ok(s) => s,
            Err(e) => return Output::error(e),
        };
        let by_selector = flags.has("selector") || flags.bool("all") || flags.has("field-selector");
        for (kind, names) in selection {
            if names.is_empty() {
                if !by_selector {
                    return Output::error("error: resource(s) were provided, but no name was specified\n");
                }
                let mut req = Request::new(Verb::List, kind).options(RequestOptions {
                    label_selector: flags.string("selector").map(String::from),
                    field_selector: flags.string("field-selector").map(String::from),
                    ..Default::default()
                });
                if !flags.bool("all-namespaces") {
                    req = req.namespace(namespace);
                }
                match send(cluster, req).list() {
                    Ok(items) => targets.extend(items.iter().map(|o: &std::sync::Arc<Object>| {
                        let ns = kind.info().namespaced.then(|| o.namespace().to_string());
                        (kind, ns, o.name().to_string(), None)
                    })),
                    Err(e) => return Output::error(server_error(&e, None)),
                }
            } else {
                if by_selector {
                    return Output::error("error: name cannot be provided when a selector is specified\n");
                }
                let ns = kind.info().namespaced.then(|| namespace.to_string());
                targets.extend(names.into_iter().map(|n| (kind, ns.clone(), n, None)));
            }
        }
        if targets.is_empty() {
            out.stderr.push_str("No resources found\n");
            return out;
        }
    }

    // What to wait for: kind, namespace, name and the uid that was deleted (a controller may re-create an
    // object of the same name at once, as a StatefulSet does; kubectl's waiter counts that as deleted).
    let mut waiting: Vec<(Kind, Option<String>, String, Option<String>)> = Vec::new();
    for (kind, ns, name, source) in targets {
        let mut req = Request::new(Verb::Delete, kind).name(name.clone()).options(RequestOptions {
            propagation: Some(propagation),
            grace_period_seconds: grace,
            dry_run: dry.is_some(),
            ..Default::default()
        });
        req.namespace = ns.clone();
        let mut uid = None;
        match send(cluster, req).result {
            Ok(body) => {
                if let engine::apiserver::Body::Object(o) = &body {
                    uid = o.metadata().uid.clone();
                }
                if flags.string("output") == Some("name") {
                    out.stdout.push_str(&format!("{}/{name}\n", kind.info().qualified_singular()));
                    continue;
                }
                let op = if force && grace == Some(0) { "force deleted" } else { "deleted" };
                let what = kind.info().qualified_singular();
                let suffix = dry.unwrap_or("");
                match &ns {
                    Some(ns) => out.stdout.push_str(&format!("{what} \"{name}\" {op} from {ns} namespace{suffix}\n")),
                    None => out.stdout.push_str(&format!("{what} \"{name}\" {op}{suffix}\n")),
                }
            }
            Err(e) if e.code == 404 && flags.bool("ignore-not-found") => {}
            Err(e) => out.fail(server_error(&e, source.as_deref().map(|s| ("deleting", s)))),
        }
        if dry.is_none() && flags.string("wait") != Some("false") && !(force && grace == Some(0)) {
            waiting.push((kind, ns, name, uid));
        }
    }
    wait_until_gone(cluster, &waiting, &mut out);
    out
}

/// How long `--wait` lets simulated time run before giving up (real kubectl would wait for ever).
const WAIT_LIMIT_MS: u64 = 10 * 60 * 1000;

/// `--wait=true` (the default): kubectl watches until every deleted object is gone. Here simulated time runs
/// until then — a pod's grace period, a finalizer's controller — or until [`WAIT_LIMIT_MS`].
fn wait_until_gone(
    cluster: &mut Cluster,
    targets: &[(Kind, Option<String>, String, Option<String>)],
    out: &mut Output,
) {
    let start = cluster.now();
    let present = |c: &Cluster, (kind, ns, name, uid): &(Kind, Option<String>, String, Option<String>)| {
        c.get(*kind, ns.as_deref().unwrap_or_default(), name).is_ok_and(|o| uid.is_none() || o.metadata().uid == *uid)
    };
    // Controllers act within milliseconds of a write (the garbage collector dropping a finalizer).
    cluster.settle();
    while targets.iter().any(|t| present(cluster, t)) {
        if cluster.now() - start >= WAIT_LIMIT_MS {
            for t in targets.iter().filter(|t| present(cluster, t)) {
                out.fail(format!(
                    "error: timed out waiting for the condition on {}/{} (kubeground waits at most 10m of simulated time)\n",
                    t.0.info().plural,
                    t.2
                ));
            }
            return;
        }
        cluster.step_to_next_change(WAIT_LIMIT_MS - (cluster.now() - start));
    }
}
