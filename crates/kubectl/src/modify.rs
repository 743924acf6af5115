//! Commands that change objects in place through patches: `label`, `annotate`, `scale`, `set image`, `patch`.

use engine::apiserver::{PatchType, Request, RequestOptions, Verb};
use engine::{Cluster, Kind, Object};
use serde_json::{json, Map, Value};

use crate::builder::parse_args;
use crate::client::{send, server_error, warnings};
use crate::flags::{flag, FlagKind, FlagSpec, Parsed};
use crate::manifest;
use crate::Output;

pub const LABEL_FLAGS: &[FlagSpec] = &[
    flag("overwrite", None, FlagKind::Bool),
    flag("selector", Some('l'), FlagKind::String),
    flag("all", None, FlagKind::Bool),
    flag("all-namespaces", Some('A'), FlagKind::Bool),
    flag("dry-run", None, FlagKind::String),
    flag("list", None, FlagKind::Bool),
    flag("local", None, FlagKind::Bool),
    flag("output", Some('o'), FlagKind::String),
    flag("filename", Some('f'), FlagKind::StringArray),
    flag("recursive", Some('R'), FlagKind::Bool),
    flag("show-managed-fields", None, FlagKind::Bool),
];

/// The `-o` formats of commands that print one changed object (`label`, `annotate`, `set image`, `patch`):
/// kubectl's `PrintFlags` without the table formats, as its error lists them.
const OBJECT_FORMATS: &[&str] = &[
    "go-template",
    "go-template-file",
    "json",
    "jsonpath",
    "jsonpath-as-json",
    "jsonpath-file",
    "name",
    "template",
    "templatefile",
    "yaml",
];

/// kubectl's refusal of an `-o` format a modifying command cannot print (`-o wide`, `-o custom-columns=…`).
pub(crate) fn check_object_format(output: Option<&str>) -> Result<(), String> {
    let Some(spec) = output.filter(|o| !o.is_empty()) else { return Ok(()) };
    let name = spec.split_once('=').map_or(spec, |(n, _)| n);
    if OBJECT_FORMATS.contains(&name) {
        return Ok(());
    }
    Err(format!(
        "error: unable to match a printer suitable for the output format \"{spec}\", allowed formats are: {}\n",
        OBJECT_FORMATS.join(",")
    ))
}

pub const SCALE_FLAGS: &[FlagSpec] = &[
    flag("replicas", None, FlagKind::String),
    flag("current-replicas", None, FlagKind::String),
    flag("selector", Some('l'), FlagKind::String),
    flag("all", None, FlagKind::Bool),
];

pub const SET_FLAGS: &[FlagSpec] = &[
    flag("all", None, FlagKind::Bool),
    flag("selector", Some('l'), FlagKind::String),
    // `set image`
    flag("dry-run", None, FlagKind::String),
    flag("local", None, FlagKind::Bool),
    flag("output", Some('o'), FlagKind::String),
    flag("filename", Some('f'), FlagKind::StringArray),
    flag("recursive", Some('R'), FlagKind::Bool),
    flag("show-managed-fields", None, FlagKind::Bool),
    // `set resources`
    flag("containers", Some('c'), FlagKind::String),
    flag("limits", None, FlagKind::String),
    flag("requests", None, FlagKind::String),
];

pub const PATCH_FLAGS: &[FlagSpec] = &[
    flag("patch", Some('p'), FlagKind::String),
    flag("type", None, FlagKind::String),
    flag("dry-run", None, FlagKind::String),
];

/// The objects named before the key/value arguments, fetched; with `-l`/`--all`, every matching object.
pub(crate) fn targets(
    cluster: &mut Cluster,
    resource_args: &[String],
    flags: &Parsed,
    namespace: &str,
) -> Result<Vec<Object>, String> {
    let selection = parse_args(resource_args)?;
    if selection.is_empty() {
        return Err("error: one or more resources must be specified as <resource> <name> or <resource>/<name>\n".into());
    }
    let mut objects = Vec::new();
    for (kind, names) in selection {
        if names.is_empty() {
            if !flags.has("selector") && !flags.bool("all") {
                return Err("error: resource(s) were provided, but no name was specified\n".into());
            }
            let mut req = Request::new(Verb::List, kind).options(RequestOptions {
                label_selector: flags.string("selector").map(String::from),
                ..Default::default()
            });
            if !flags.bool("all-namespaces") {
                req = req.namespace(namespace);
            }
            objects.extend(
                send(cluster, req)
                    .list()
                    .map_err(|e| server_error(&e, None))?
                    .into_iter()
                    .map(std::sync::Arc::unwrap_or_clone),
            );
        } else {
            for name in names {
                let req = Request::new(Verb::Get, kind).namespace(namespace).name(name);
                objects.push(send(cluster, req).object().map_err(|e| server_error(&e, None))?);
            }
        }
    }
    Ok(objects)
}

fn patch_object(
    cluster: &mut Cluster,
    obj: &Object,
    patch: Value,
    ty: PatchType,
    dry: bool,
) -> Result<(Object, String), String> {
    patch_named(cluster, obj.kind(), obj.namespace(), obj.name(), patch, ty, dry)
}

/// [`patch_object`] by kind, namespace and name.
fn patch_named(
    cluster: &mut Cluster,
    kind: Kind,
    namespace: &str,
    name: &str,
    patch: Value,
    ty: PatchType,
    dry: bool,
) -> Result<(Object, String), String> {
    let mut req = Request::new(Verb::Patch, kind).name(name).body(patch).options(RequestOptions {
        patch_type: Some(ty),
        dry_run: dry,
        ..Default::default()
    });
    if kind.info().namespaced {
        req = req.namespace(namespace);
    }
    let res = send(cluster, req);
    let warn = warnings(&res);
    res.object().map(|o| (o, warn)).map_err(|e| server_error(&e, None))
}

/// [`patch_object`] on a subresource (`scale`).
fn patch_object_sub(
    cluster: &mut Cluster,
    obj: &Object,
    patch: Value,
    ty: PatchType,
    subresource: Option<&str>,
) -> Result<(Object, String), String> {
    let mut req = Request::new(Verb::Patch, obj.kind()).name(obj.name()).body(patch).options(RequestOptions {
        patch_type: Some(ty),
        subresource: subresource.map(str::to_string),
        ..Default::default()
    });
    if obj.kind().info().namespaced {
        req = req.namespace(obj.namespace());
    }
    let res = send(cluster, req);
    let warn = warnings(&res);
    res.object().map(|o| (o, warn)).map_err(|e| server_error(&e, None))
}

/// `kubectl label` and `kubectl annotate` (`field` is `labels` or `annotations`), as kubectl 1.32's label.go
/// and annotate.go: objects named on the line (or by `-l`/`--all`) or in `-f` files (`--local`: the files'
/// own objects, nothing sent); `--dry-run=client`, `--local` and `--list` change the object on the client
/// only. `--list` prints the resulting keys (`key=value`; several objects each under `Listing labels for
/// Pod./p:`, indented; kubectl prints them in Go map order, the playground sorted). `-o` prints the object:
/// label prints its own changed copy of what it fetched (the old resourceVersion), annotate the server's answer.
pub fn label_or_annotate(
    cluster: &mut Cluster,
    flags: &Parsed,
    namespace: &str,
    explicit_ns: bool,
    io: &crate::io::Io,
    field: &str,
) -> Output {
    let labels = field == "labels";
    let verb = if labels { "label" } else { "annotate" };
    let noun = if labels { "label" } else { "annotation" };
    let split = flags.args.iter().position(|a| a.contains('=') || (a.ends_with('-') && !a.contains('/')));
    let (resource_args, changes) = match split {
        Some(i) => flags.args.split_at(i),
        None => (&flags.args[..], &[][..]),
    };
    let mut set: Vec<(String, String)> = Vec::new();
    let mut remove: Vec<String> = Vec::new();
    for c in changes {
        if let Some((k, v)) = c.split_once('=') {
            set.push((k.to_string(), v.to_string()));
        } else if let Some(k) = c.strip_suffix('-') {
            remove.push(k.to_string());
        } else {
            return Output::error(format!("error: invalid {verb} spec: {c}\n"));
        }
    }
    let dry = match crate::apply::dry_run(flags) {
        Ok(d) => d,
        Err(e) => return Output::error(e),
    };
    let output = flags.string("output").filter(|o| !o.is_empty());
    let (list, local) = (flags.bool("list"), flags.bool("local"));
    if list && output.is_some() {
        return Output::error("error: --list and --output may not be specified together\n");
    }
    if let Err(e) = check_object_format(output) {
        return Output::error(e);
    }
    let files = flags.strings("filename");
    let example = if labels { "pod" } else { "rsrc" };
    if local {
        if dry == Some(" (server dry run)") {
            return Output::error(
                "error: cannot specify --local and --dry-run=server - did you mean --dry-run=client?\n",
            );
        }
        if !resource_args.is_empty() {
            return Output::error(format!(
                "error: can only use local files by -f {example}.yaml or --filename={example}.json when --local=true is set\n"
            ));
        }
        if files.is_empty() {
            return Output::error(format!(
                "error: one or more files must be specified as -f {example}.yaml or --filename={example}.json\n"
            ));
        }
    }
    if changes.is_empty() && !list {
        return Output::error(format!(
            "error: at least one {noun} update is required\nSee 'kubectl {verb} -h' for help and examples\n"
        ));
    }
    // The objects, as JSON, and whether a single one was implied (kubectl's `IntoSingleItemImplied`).
    let mut out = Output::default();
    let mut objects: Vec<(Kind, Value)> = Vec::new();
    let single;
    if !files.is_empty() {
        objects = match file_objects(cluster, &files, flags, io, namespace, explicit_ns, local, &mut out) {
            Ok(o) => o,
            Err(e) => return Output::error(e),
        };
        single = files.len() == 1;
    } else {
        single = !flags.has("selector")
            && !flags.bool("all")
            && parse_args(resource_args).is_ok_and(|s| s.iter().map(|(_, names)| names.len()).sum::<usize>() == 1);
        match targets(cluster, resource_args, flags, namespace) {
            Ok(o) => objects.extend(o.into_iter().map(|o| (o.kind(), o.to_json()))),
            Err(e) => return Output::error(e),
        }
    }
    let client_only = dry == Some(" (dry run)") || local || list;
    for (kind, mut obj) in objects {
        let name = obj.pointer("/metadata/name").and_then(Value::as_str).unwrap_or_default().to_string();
        let current: Map<String, Value> =
            obj.pointer(&format!("/metadata/{field}")).and_then(Value::as_object).cloned().unwrap_or_default();
        if !flags.bool("overwrite") {
            let clash: Vec<String> = set
                .iter()
                .filter_map(|(k, v)| current.get(k).and_then(Value::as_str).filter(|old| *old != v).map(|old| (k, old)))
                .map(|(k, old)| format!("'{k}' already has a value ({old})"))
                .collect();
            if !clash.is_empty() {
                if labels {
                    out.fail(format!("error: {}, and --overwrite is false\n", clash.join(", ")));
                } else {
                    out.fail(format!(
                        "error: --overwrite is false but found the following declared annotation(s): {}\n",
                        clash.join(", ")
                    ));
                }
                continue;
            }
        }
        let mut updated = current.clone();
        let mut patch_map = Map::new();
        for (k, v) in &set {
            updated.insert(k.clone(), Value::String(v.clone()));
            if current.get(k).and_then(Value::as_str) != Some(v) {
                patch_map.insert(k.clone(), Value::String(v.clone()));
            }
        }
        for k in &remove {
            if updated.remove(k).is_some() {
                patch_map.insert(k.clone(), Value::Null);
            }
        }
        let message = if !labels {
            "annotated"
        } else if updated == current {
            "not labeled"
        } else if updated.len() < current.len() {
            "unlabeled"
        } else {
            "labeled"
        };
        if let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.insert(field.to_string(), Value::Object(updated));
        }
        let mut printed = obj;
        if !client_only {
            if labels {
                for k in remove.iter().filter(|k| !current.contains_key(*k)) {
                    out.stdout.push_str(&format!("label {} not found.\n", engine::admission::gotext::go_quote(k)));
                }
            }
            if !patch_map.is_empty() {
                let patch = json!({"metadata": {field: Value::Object(patch_map)}});
                let ns = printed.pointer("/metadata/namespace").and_then(Value::as_str).unwrap_or_default().to_string();
                match patch_named(cluster, kind, &ns, &name, patch, PatchType::Merge, dry.is_some()) {
                    Ok((answer, w)) => {
                        out.stderr.push_str(&w);
                        if !labels {
                            printed = answer.to_json();
                        }
                    }
                    Err(e) => {
                        out.fail(e);
                        continue;
                    }
                }
            }
        }
        if list {
            let meta_map: Map<String, Value> =
                printed.pointer(&format!("/metadata/{field}")).and_then(Value::as_object).cloned().unwrap_or_default();
            let indent = if single { "" } else { " " };
            if !single {
                let group = kind.info().group;
                out.stdout.push_str(&format!("Listing {field} for {}.{group}/{name}:\n", kind.info().kind));
            }
            for (k, v) in &meta_map {
                out.stdout.push_str(&format!("{indent}{k}={}\n", v.as_str().unwrap_or_default()));
            }
            continue;
        }
        match crate::printing::emit(output, io, kind, &printed, message, dry.unwrap_or("")) {
            Ok(text) => out.stdout.push_str(&text),
            Err(e) => out.fail(e),
        }
    }
    out
}

pub fn scale(cluster: &mut Cluster, flags: &Parsed, namespace: &str) -> Output {
    let Some(replicas) = flags.string("replicas") else {
        return Output::error("error: required flag(s) \"replicas\" not set\n");
    };
    let Ok(replicas) = replicas.parse::<i64>() else {
        return Output::error(format!(
            "Error: invalid argument \"{replicas}\" for \"--replicas\" flag: strconv.ParseInt: parsing \"{replicas}\": invalid syntax\nSee 'kubectl scale --help' for usage.\n"
        ));
    };
    if replicas < 0 {
        return Output::error(
            "error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0\n",
        );
    }
    let objects = match targets(cluster, &flags.args, flags, namespace) {
        Ok(o) => o,
        Err(e) => return Output::error(e),
    };
    let mut out = Output::default();
    for obj in objects {
        if !matches!(obj.kind(), Kind::Deployment | Kind::ReplicaSet | Kind::StatefulSet) {
            let info = obj.kind().info();
            out.fail(format!(
                "error: cannot scale {}: the server could not find the requested resource\n",
                info.qualified_plural()
            ));
            continue;
        }
        if let Some(current) = flags.string("current-replicas") {
            let actual = obj.to_json()["spec"]["replicas"].as_i64().unwrap_or(1).to_string();
            if actual != current {
                out.fail(format!("error: Expected replicas to be {current}, was {actual}\n"));
                continue;
            }
        }
        // kubectl scale writes the `scale` subresource, without a fieldManager.
        crate::client::set_field_manager(None);
        match patch_object_sub(cluster, &obj, json!({"spec": {"replicas": replicas}}), PatchType::Merge, Some("scale"))
        {
            Ok(_) => {
                out.stdout.push_str(&format!("{}/{} scaled\n", obj.kind().info().qualified_singular(), obj.name()))
            }
            Err(e) => out.fail(e),
        }
    }
    out
}

/// `kubectl set image|resources …`.
pub fn set(cluster: &mut Cluster, flags: &Parsed, namespace: &str, explicit_ns: bool, io: &crate::io::Io) -> Output {
    match flags.args.split_first().map(|(a, r)| (a.as_str(), r)) {
        Some(("image", rest)) => set_image(cluster, flags, rest, namespace, explicit_ns, io),
        Some(("resources", rest)) => set_resources(cluster, flags, rest, namespace),
        Some((sub, _)) => Output::error(format!("error: kubeground does not simulate \"kubectl set {sub}\" yet\n")),
        None => Output::error(
            "error: kubeground simulates \"kubectl set image\" and \"kubectl set resources\"; name a subcommand: \
kubectl set image TYPE/NAME CONTAINER=IMAGE\n",
        ),
    }
}

/// Where the pod template's spec sits in an object of `kind`.
fn pod_spec_pointer(kind: Kind) -> &'static str {
    match kind {
        Kind::Pod => "/spec",
        Kind::CronJob => "/spec/jobTemplate/spec/template/spec",
        _ => "/spec/template/spec",
    }
}

/// `value` nested under every segment of `pointer` (`/spec/template/spec` → `{"spec":{"template":{"spec":…}}}`).
fn nest(pointer: &str, value: Value) -> Value {
    pointer.split('/').filter(|s| !s.is_empty()).rev().fold(value, |v, seg| json!({ seg: v }))
}

/// `kubectl set resources TYPE/NAME [-c C] --limits=cpu=200m,memory=512Mi --requests=…`: the containers'
/// resource requirements (every container unless `-c` names some), by a strategic merge patch.
fn set_resources(cluster: &mut Cluster, flags: &Parsed, rest: &[String], namespace: &str) -> Output {
    // `HandleResourceRequirementsV1`'s syntax check; the quantities themselves are the API server's to judge.
    let parse = |flag: &str| -> Result<Map<String, Value>, String> {
        let mut m = Map::new();
        for item in flags.string(flag).unwrap_or_default().split(',').filter(|s| !s.is_empty()) {
            let Some((k, v)) = item.split_once('=').filter(|(_, v)| !v.is_empty() && !v.contains('=')) else {
                return Err(format!("error: Invalid argument syntax {item}, expected <resource>=<value>\n"));
            };
            m.insert(k.to_string(), json!(v));
        }
        Ok(m)
    };
    let (limits, requests) = match (parse("limits"), parse("requests")) {
        (Ok(l), Ok(r)) => (l, r),
        (Err(e), _) | (_, Err(e)) => return Output::error(e),
    };
    if limits.is_empty() && requests.is_empty() {
        return Output::error(
            "error: you must specify an update to requests or limits (in the form of --requests/--limits)\n",
        );
    }
    let objects = match targets(cluster, rest, flags, namespace) {
        Ok(o) => o,
        Err(e) => return Output::error(e),
    };
    let wanted = flags.string("containers").unwrap_or("*").to_string();
    let mut out = Output::default();
    for obj in objects {
        let pointer = pod_spec_pointer(obj.kind());
        let spec = obj.to_json().pointer(pointer).cloned().unwrap_or(Value::Null);
        let mut containers = Vec::new();
        for c in spec["containers"].as_array().into_iter().flatten() {
            let name = c["name"].as_str().unwrap_or_default();
            if wanted == "*" || wanted.split(',').any(|w| w == name) {
                let mut res = Map::new();
                if !limits.is_empty() {
                    res.insert("limits".into(), Value::Object(limits.clone()));
                }
                if !requests.is_empty() {
                    res.insert("requests".into(), Value::Object(requests.clone()));
                }
                containers.push(json!({"name": name, "resources": res}));
            }
        }
        if containers.is_empty() {
            out.fail(format!("error: unable to find container named {wanted}\n"));
            continue;
        }
        let patch = nest(pointer, json!({ "containers": containers }));
        match patch_object(cluster, &obj, patch, PatchType::Strategic, false) {
            Ok(_) => out.stdout.push_str(&format!(
                "{}/{} resource requirements updated\n",
                obj.kind().info().qualified_singular(),
                obj.name()
            )),
            Err(e) => out.fail(e),
        }
    }
    out
}

/// `kubectl set image TYPE/NAME CONTAINER=IMAGE…` (`*` for every container).
/// kubectl's `utilerrors.NewAggregate` printed by `CheckErr`: one error as it is, several as `[a, b]`.
fn aggregate(errors: &[String]) -> String {
    match errors {
        [one] => format!("error: {}\n", one.strip_prefix("error: ").unwrap_or(one).trim_end()),
        many => format!("error: [{}]\n", many.iter().map(|e| e.trim_end()).collect::<Vec<_>>().join(", ")),
    }
}

/// `kubectl set image`, as kubectl 1.32's set_image.go: the objects named (or `-l`/`--all`, or `-f` files;
/// `--local`: the files' own objects), each changed on the client; an object whose images are already those
/// prints nothing; `--local` and `--dry-run=client` print the changed object, otherwise the server's answer to
/// a strategic merge patch. A container not found is reported after the others are done.
fn set_image(
    cluster: &mut Cluster,
    flags: &Parsed,
    rest: &[String],
    namespace: &str,
    explicit_ns: bool,
    io: &crate::io::Io,
) -> Output {
    let split = rest.iter().position(|a| a.contains('=')).unwrap_or(rest.len());
    let (resource_args, pairs) = rest.split_at(split);
    let dry = match crate::apply::dry_run(flags) {
        Ok(d) => d,
        Err(e) => return Output::error(e),
    };
    let output = flags.string("output").filter(|o| !o.is_empty());
    if let Err(e) = check_object_format(output) {
        return Output::error(e);
    }
    let local = flags.bool("local");
    let files = flags.strings("filename");
    if local && !resource_args.is_empty() {
        return Output::error(
            "error: you must specify resources by --filename when --local is set.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n",
        );
    }
    let mut invalid = Vec::new();
    if flags.bool("all") && flags.has("selector") {
        invalid.push("cannot set --all and --selector at the same time".to_string());
    }
    if files.is_empty() && resource_args.is_empty() {
        invalid.push("one or more resources must be specified as <resource> <name> or <resource>/<name>".to_string());
    }
    if pairs.is_empty() {
        invalid.push("at least one image update is required".to_string());
    } else if pairs.len() > 1 && pairs.iter().any(|p| p.starts_with("*=")) {
        invalid.push(
            "all containers are already specified by *, but saw more than one container_name=container_image pairs"
                .to_string(),
        );
    }
    if local && dry == Some(" (server dry run)") {
        invalid.push("cannot specify --local and --dry-run=server - did you mean --dry-run=client?".to_string());
    }
    if !invalid.is_empty() {
        return Output::error(aggregate(&invalid));
    }
    let mut out = Output::default();
    let mut objects: Vec<(Kind, Value)> = Vec::new();
    if !files.is_empty() {
        objects = match file_objects(cluster, &files, flags, io, namespace, explicit_ns, local, &mut out) {
            Ok(o) => o,
            Err(e) => return Output::error(e),
        };
    } else {
        match targets(cluster, resource_args, flags, namespace) {
            Ok(o) => objects.extend(o.into_iter().map(|o| (o.kind(), o.to_json()))),
            Err(e) => return Output::error(e),
        }
    }
    let mut errors: Vec<String> = Vec::new();
    for (kind, mut obj) in objects {
        let name = obj.pointer("/metadata/name").and_then(Value::as_str).unwrap_or_default().to_string();
        let qualified = format!("{}/{name}", kind.info().qualified_singular());
        let templated = matches!(
            kind,
            Kind::Pod
                | Kind::Deployment
                | Kind::ReplicaSet
                | Kind::StatefulSet
                | Kind::DaemonSet
                | Kind::Job
                | Kind::CronJob
        );
        if !templated {
            let version = kind.info().api_version().rsplit('/').next().unwrap_or_default().to_string();
            errors.push(format!(
                "error: {qualified} the object is not a pod or does not have a pod template: *{version}.{}\n",
                kind.info().kind
            ));
            continue;
        }
        let pointer = pod_spec_pointer(kind);
        let mut lists: Map<String, Value> = Map::new();
        for pair in pairs {
            let (container, image) = pair.split_once('=').unwrap_or((pair, ""));
            let mut found = false;
            for list in ["initContainers", "containers", "ephemeralContainers"] {
                let Some(containers) = obj.pointer_mut(&format!("{pointer}/{list}")).and_then(Value::as_array_mut)
                else {
                    continue;
                };
                for c in containers.iter_mut() {
                    let cname = c["name"].as_str().unwrap_or_default().to_string();
                    if container != "*" && cname != container {
                        continue;
                    }
                    found = true;
                    if c["image"].as_str() != Some(image) {
                        c["image"] = Value::String(image.to_string());
                        let entry = lists.entry(list.to_string()).or_insert_with(|| json!([]));
                        entry.as_array_mut().expect("array").push(json!({"image": image, "name": cname}));
                    }
                }
            }
            if !found {
                errors
                    .push(format!("unable to find container named {}", engine::admission::gotext::go_quote(container)));
            }
        }
        if lists.is_empty() {
            continue;
        }
        let printed = if local || dry == Some(" (dry run)") {
            obj
        } else {
            let ns = obj.pointer("/metadata/namespace").and_then(Value::as_str).unwrap_or_default().to_string();
            let patch = nest(pointer, Value::Object(lists));
            match patch_named(cluster, kind, &ns, &name, patch, PatchType::Strategic, dry.is_some()) {
                Ok((answer, w)) => {
                    out.stderr.push_str(&w);
                    answer.to_json()
                }
                Err(e) => {
                    let message = e.trim_end().strip_prefix("error: ").unwrap_or(e.trim_end()).to_string();
                    errors.push(format!("failed to patch image update to pod template: {message}"));
                    continue;
                }
            }
        };
        match crate::printing::emit(output, io, kind, &printed, "image updated", dry.unwrap_or("")) {
            Ok(text) => out.stdout.push_str(&text),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        out.fail(aggregate(&errors));
    }
    out
}

pub fn patch(cluster: &mut Cluster, flags: &Parsed, namespace: &str) -> Output {
    let Some(text) = flags.string("patch") else {
        return Output::error("error: must specify -p to patch\n");
    };
    let ty = match flags.string("type").unwrap_or("strategic") {
        "strategic" => PatchType::Strategic,
        "merge" => PatchType::Merge,
        "json" => PatchType::Json,
        other => {
            return Output::error(format!("error: --type must be one of [json merge strategic], not \"{other}\"\n"))
        }
    };
    let value = match manifest::parse_documents(text, "patch").map(|d| d.into_iter().next()) {
        Ok(Some(d)) => d.value,
        _ => {
            return Output::error(format!(
                "error: unable to parse \"{text}\": yaml: did not find expected node content\n"
            ))
        }
    };
    let dry = match crate::apply::dry_run(flags) {
        Ok(d) => d,
        Err(e) => return Output::error(e),
    };
    let objects = match targets(cluster, &flags.args, flags, namespace) {
        Ok(o) => o,
        Err(e) => return Output::error(e),
    };
    let mut out = Output::default();
    for obj in objects {
        let what = format!("{}/{}", obj.kind().info().qualified_singular(), obj.name());
        match patch_object(cluster, &obj, value.clone(), ty, dry.is_some()) {
            Ok((new, w)) => {
                out.stderr.push_str(&w);
                let strip = |o: &Object| {
                    let mut j = o.to_json();
                    j["metadata"]["resourceVersion"] = Value::Null;
                    j
                };
                let unchanged = strip(&new) == strip(&obj);
                let msg = if unchanged { "patched (no change)" } else { "patched" };
                out.stdout.push_str(&format!("{what} {msg}{}\n", dry.unwrap_or("")));
            }
            Err(e) => out.fail(e),
        }
    }
    out
}

/// The objects named by `-f` files (`-R` recursing into folders): each document as written when `local`, else
/// the live object it names; a document that names nothing or an object the server refuses is reported in
/// `out` and left out.
#[allow(clippy::too_many_arguments)]
fn file_objects(
    cluster: &mut Cluster,
    files: &[String],
    flags: &Parsed,
    io: &crate::io::Io,
    namespace: &str,
    explicit_ns: bool,
    local: bool,
    out: &mut Output,
) -> Result<Vec<(Kind, Value)>, String> {
    let docs = manifest::read_all(files, flags.bool("recursive"), io)?;
    let mut objects = Vec::new();
    for doc in &docs {
        let (kind, ns, name) = match crate::apply::locate(doc, namespace, explicit_ns) {
            Ok(x) => x,
            Err(e) => {
                out.fail(e);
                continue;
            }
        };
        if local {
            objects.push((kind, doc.value.clone()));
            continue;
        }
        let mut req = Request::new(Verb::Get, kind).name(name);
        req.namespace = ns;
        match send(cluster, req).object() {
            Ok(o) => objects.push((kind, o.to_json())),
            Err(e) => out.fail(server_error(&e, None)),
        }
    }
    Ok(objects)
}
