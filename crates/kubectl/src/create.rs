//! `kubectl create`: from files (`-f`), or one of the generators (`create namespace|deployment|configmap|
//! secret generic|service …|serviceaccount`), each building the object kubectl builds and posting it.

use engine::apiserver::{Request, RequestOptions, Verb};
use engine::{Cluster, Kind};
use serde_json::{json, Map, Value};

use crate::apply::{dry_run, locate, validation};
use crate::client::{send, server_error, warnings};
use crate::flags::{flag, FlagKind, FlagSpec, Parsed};
use crate::io::Io;
use crate::manifest;
use crate::Output;
use engine::util::sort::StableSort;

pub const FLAGS: &[FlagSpec] = &[
    flag("filename", Some('f'), FlagKind::StringArray),
    flag("recursive", Some('R'), FlagKind::Bool),
    flag("dry-run", None, FlagKind::String),
    flag("validate", None, FlagKind::String),
    flag("output", Some('o'), FlagKind::String),
    flag("image", None, FlagKind::StringArray),
    flag("replicas", Some('r'), FlagKind::String),
    flag("port", None, FlagKind::String),
    flag("from-literal", None, FlagKind::StringArray),
    flag("from-file", None, FlagKind::StringArray),
    flag("tcp", None, FlagKind::StringArray),
    flag("external-name", None, FlagKind::String),
    flag("node-port", None, FlagKind::String),
    flag("clusterip", None, FlagKind::String),
    flag("type", None, FlagKind::String),
    flag("schedule", None, FlagKind::String),
    flag("restart", None, FlagKind::String),
    flag("from", None, FlagKind::String),
    flag("docker-server", None, FlagKind::String),
    flag("docker-username", None, FlagKind::String),
    flag("docker-password", None, FlagKind::String),
    flag("docker-email", None, FlagKind::String),
    flag("cert", None, FlagKind::String),
    flag("key", None, FlagKind::String),
    flag("min-available", None, FlagKind::String),
    flag("max-unavailable", None, FlagKind::String),
    flag("selector", None, FlagKind::String),
];

pub fn run(cluster: &mut Cluster, flags: &Parsed, namespace: &str, explicit_ns: bool, io: &Io) -> Output {
    if !flags.strings("filename").is_empty() {
        return from_files(cluster, flags, namespace, explicit_ns, io);
    }
    let Some((sub, rest)) = flags.args.split_first() else {
        return Output::error("error: must specify one of -f and -k\n");
    };
    let built = match sub.as_str() {
        "namespace" | "ns" => named(rest, "namespace").map(|n| {
            (
                Kind::Namespace,
                json!({
                    "apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n}, "spec": {}, "status": {}
                }),
            )
        }),
        "serviceaccount" | "sa" => named(rest, "serviceaccount").map(|n| {
            (
                Kind::ServiceAccount,
                json!({
                    "apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": n}
                }),
            )
        }),
        "deployment" | "deploy" => deployment(rest, flags),
        "configmap" | "cm" => configmap(rest, flags, io),
        "secret" => secret(rest, flags, io),
        "service" | "svc" => service(rest, flags),
        "job" => job(cluster, rest, flags, namespace),
        "cronjob" | "cj" => cronjob(rest, flags),
        "poddisruptionbudget" | "pdb" => pod_disruption_budget(rest, flags),
        other => Err(format!(
            "error: unknown command \"{other}\" for \"kubectl create\"\nSee 'kubectl create -h' for help and examples\n"
        )),
    };
    let (kind, mut obj) = match built {
        Ok(b) => b,
        Err(e) => return Output::error(e),
    };
    let dry = match dry_run(flags) {
        Ok(d) => d,
        Err(e) => return Output::error(e),
    };
    let wrap = refusal_prefix(sub, &obj);
    finish(cluster, flags, io, kind, &mut obj, namespace, explicit_ns, dry, "created", wrap.as_deref())
}

/// How `kubectl create SUB` words the server's refusal of the object it built: most generators wrap the error
/// with `fmt.Errorf("failed to create …: %v", err)` (which also loses the status, so an Invalid error prints
/// the server's own message after the prefix), `create secret` without a colon (`"failed to create secret %v"`),
/// `create service` with the service type, `create pdb` in the plural; `create namespace` returns the error
/// as it came (`Error from server (AlreadyExists): …`, `The Namespace "N" is invalid: …`). Checked against
/// kubectl 1.32's create_*.go and the real kubectl.
fn refusal_prefix(sub: &str, obj: &Value) -> Option<String> {
    Some(match sub {
        "namespace" | "ns" => return None,
        "deployment" | "deploy" => "failed to create deployment: ".to_string(),
        "job" => "failed to create job: ".to_string(),
        "cronjob" | "cj" => "failed to create cronjob: ".to_string(),
        "configmap" | "cm" => "failed to create configmap: ".to_string(),
        "secret" => "failed to create secret ".to_string(),
        "service" | "svc" => format!("failed to create {} service: ", obj["spec"]["type"].as_str().unwrap_or_default()),
        "serviceaccount" | "sa" => "failed to create serviceaccount: ".to_string(),
        "poddisruptionbudget" | "pdb" => "failed to create poddisruptionbudgets: ".to_string(),
        _ => return None,
    })
}

/// Sends (or, with `--dry-run=client`, only prints) an object a generator built, and prints the outcome as
/// kubectl does: `-o` formats print the object (the client's own for a client dry run, the server's
/// otherwise), else `kind/name created`. A refusal is printed as `error: {wrap}{message}` when the command
/// wraps the server's error (see [`refusal_prefix`]), else as kubectl prints a server error.
#[allow(clippy::too_many_arguments)]
pub fn finish(
    cluster: &mut Cluster,
    flags: &Parsed,
    io: &Io,
    kind: Kind,
    obj: &mut Value,
    namespace: &str,
    explicit_ns: bool,
    dry: Option<&str>,
    operation: &str,
    wrap: Option<&str>,
) -> Output {
    let output = flags.string("output");
    if dry == Some(" (dry run)") {
        // Nothing reaches the server: kubectl prints the object it built, with Go's empty timestamp.
        if let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.insert("creationTimestamp".into(), Value::Null);
            if kind.info().namespaced && explicit_ns {
                meta.insert("namespace".into(), Value::String(namespace.to_string()));
            } else {
                meta.remove("namespace");
            }
        }
        return match crate::printing::emit(output, io, kind, obj, operation, " (dry run)") {
            Ok(text) => Output::ok(text),
            Err(e) => Output::error(e),
        };
    }
    if kind.info().namespaced {
        obj["metadata"]["namespace"] = Value::String(namespace.to_string());
    }
    let name = obj["metadata"]["name"].as_str().unwrap_or_default().to_string();
    let req = Request::new(Verb::Create, kind)
        .namespace(namespace)
        .name(name)
        .body(obj.clone())
        .options(RequestOptions { dry_run: dry.is_some(), ..Default::default() });
    let mut req = req;
    req.name = None;
    let res = send(cluster, req);
    let mut out = Output { stderr: warnings(&res), ..Default::default() };
    match res.result {
        Ok(engine::apiserver::Body::Object(created)) => {
            match crate::printing::emit(output, io, kind, &created.to_json(), operation, dry.unwrap_or("")) {
                Ok(text) => out.stdout = text,
                Err(e) => out.fail(e),
            }
        }
        Ok(_) => {}
        Err(e) => match wrap {
            Some(prefix) if e.code != 0 => out.fail(format!("error: {prefix}{}\n", e.message)),
            _ => out.fail(server_error(&e, None)),
        },
    }
    out
}

fn from_files(cluster: &mut Cluster, flags: &Parsed, namespace: &str, explicit_ns: bool, io: &Io) -> Output {
    let validate = match validation(flags) {
        Ok(v) => v,
        Err(e) => return Output::error(e),
    };
    let dry = match dry_run(flags) {
        Ok(d) => d,
        Err(e) => return Output::error(e),
    };
    let docs = match manifest::read_all(&flags.strings("filename"), flags.bool("recursive"), io) {
        Ok(d) => d,
        Err(e) => return Output::error(e),
    };
    let mut out = Output::default();
    for doc in &docs {
        let (kind, ns, name) = match locate(doc, namespace, explicit_ns) {
            Ok(x) => x,
            Err(e) => {
                out.fail(e);
                continue;
            }
        };
        let mut req = Request::new(Verb::Create, kind).body(doc.value.clone()).options(RequestOptions {
            field_validation: validate,
            dry_run: dry.is_some(),
            ..Default::default()
        });
        req.namespace = ns;
        let res = send(cluster, req);
        out.stderr.push_str(&warnings(&res));
        match res.result {
            Ok(obj) => {
                let name = match obj {
                    engine::apiserver::Body::Object(o) => o.name().to_string(),
                    _ => name,
                };
                out.stdout.push_str(&format!(
                    "{}/{name} created{}\n",
                    kind.info().qualified_singular(),
                    dry.unwrap_or("")
                ));
            }
            Err(e) => out.fail(server_error(&e, Some(("creating", &doc.source)))),
        }
    }
    out
}

fn named<'a>(rest: &'a [String], what: &str) -> Result<&'a str, String> {
    match rest {
        [name] => Ok(name),
        [] => Err(format!(
            "error: exactly one NAME is required, got 0\nSee 'kubectl create {what} -h' for help and examples\n"
        )),
        more => Err(format!(
            "error: exactly one NAME is required, got {}\nSee 'kubectl create {what} -h' for help and examples\n",
            more.len()
        )),
    }
}

/// The container name `kubectl create deployment` derives from an image: its last path segment without
/// tag or digest (`registry.k8s.io/busybox:1.36` → `busybox`).
pub fn container_name_for(image: &str) -> String {
    let last = image.rsplit('/').next().unwrap_or(image);
    let last = last.split('@').next().unwrap_or(last);
    last.split(':').next().unwrap_or(last).to_string()
}

fn deployment(rest: &[String], flags: &Parsed) -> Result<(Kind, Value), String> {
    let name = named(rest, "deployment")?;
    let images = flags.strings("image");
    if images.is_empty() {
        return Err("error: required flag(s) \"image\" not set\n".to_string());
    }
    let replicas: i64 = match flags.string("replicas") {
        Some(r) => r.parse().map_err(|_| {
            format!("Error: invalid argument \"{r}\" for \"-r, --replicas\" flag: strconv.ParseInt: parsing \"{r}\": invalid syntax\nSee 'kubectl create deployment --help' for usage.\n")
        })?,
        None => 1,
    };
    let port: Option<i64> = flags.string("port").and_then(|p| p.parse().ok());
    let containers: Vec<Value> = images
        .iter()
        .map(|image| {
            let mut c = json!({"image": image, "name": container_name_for(image), "resources": {}});
            if let Some(p) = port {
                c["ports"] = json!([{"containerPort": p}]);
            }
            c
        })
        .collect();
    Ok((
        Kind::Deployment,
        json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"labels": {"app": name}, "name": name},
            "spec": {
                "replicas": replicas,
                "selector": {"matchLabels": {"app": name}},
                "strategy": {},
                "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": containers}},
            },
            "status": {},
        }),
    ))
}

/// `--from-literal=key=value` and `--from-file=[key=]path` (a directory: each regular file) into a map.
fn collect_data(flags: &Parsed, io: &Io) -> Result<Map<String, Value>, String> {
    let mut data = Map::new();
    for lit in flags.strings("from-literal") {
        let Some((k, v)) = lit.split_once('=') else {
            return Err(format!("error: invalid literal source {lit}, expected key=value\n"));
        };
        if data.contains_key(k) {
            return Err(format!(
                "error: cannot add key {k}, another key by that name already exists in Data for ConfigMap \"\".\n"
            ));
        }
        data.insert(k.to_string(), Value::String(v.to_string()));
    }
    for spec in flags.strings("from-file") {
        let (key, path) = match spec.split_once('=') {
            Some((k, p)) => (Some(k.to_string()), p.to_string()),
            None => (None, spec.clone()),
        };
        if let Some(entries) = io.files.list_dir(&path) {
            for entry in entries {
                let full = format!("{}/{entry}", path.trim_end_matches('/'));
                if io.files.list_dir(&full).is_none() {
                    let text = io.files.read(&full).map_err(|e| format!("error: {e}\n"))?;
                    data.insert(entry, Value::String(text));
                }
            }
        } else {
            let text = io.files.read(&path).map_err(|e| format!("error: {e}\n"))?;
            let key = key.unwrap_or_else(|| path.rsplit('/').next().unwrap_or(&path).to_string());
            data.insert(key, Value::String(text));
        }
    }
    Ok(data)
}

/// `kubectl create poddisruptionbudget NAME --selector=SEL --min-available=N|N% (or --max-unavailable)`
/// (`create_pdb.go`: exactly one of the two, digits with an optional `%`; the selector as
/// `metav1.ParseToLabelSelector` turns it into matchLabels and matchExpressions).
fn pod_disruption_budget(rest: &[String], flags: &Parsed) -> Result<(Kind, Value), String> {
    let name = named(rest, "poddisruptionbudget")?;
    let min = flags.string("min-available").filter(|v| !v.is_empty());
    let max = flags.string("max-unavailable").filter(|v| !v.is_empty());
    match (min, max) {
        (None, None) => return Err("error: one of min-available or max-unavailable must be specified\n".into()),
        (Some(_), Some(_)) => return Err("error: min-available and max-unavailable cannot be both specified\n".into()),
        _ => {}
    }
    let well_formed = |v: &str| {
        let digits = v.strip_suffix('%').unwrap_or(v);
        !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
    };
    // `intstr.Parse`: a number that fits an int32 is an integer, anything else a string.
    let int_or_string = |v: &str| v.parse::<i32>().map_or_else(|_| json!(v), |n| json!(n));
    let mut spec = Map::new();
    let selector = engine::apiserver::selectors::LabelSelector::parse(flags.string("selector").unwrap_or_default())
        .map_err(|e| format!("error: {e}\n"))?;
    spec.insert("selector".into(), label_selector_json(&selector));
    if let Some(v) = min {
        if !well_formed(v) {
            return Err("error: invalid format specified for min-available\n".into());
        }
        spec.insert("minAvailable".into(), int_or_string(v));
    }
    if let Some(v) = max {
        if !well_formed(v) {
            return Err("error: invalid format specified for max-unavailable\n".into());
        }
        spec.insert("maxUnavailable".into(), int_or_string(v));
    }
    Ok((
        Kind::PodDisruptionBudget,
        json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": name}, "spec": spec}),
    ))
}

/// `metav1.ParseToLabelSelector`'s result as JSON: equalities in `matchLabels`, the rest as expressions
/// (`!=` becomes `NotIn`), empty parts left out.
fn label_selector_json(sel: &engine::apiserver::selectors::LabelSelector) -> Value {
    use engine::apiserver::selectors::Requirement;
    let mut labels = Map::new();
    let mut exprs = Vec::new();
    for r in &sel.requirements {
        let (key, op, mut values) = match r {
            Requirement::Equals(k, v) => {
                labels.insert(k.clone(), json!(v));
                continue;
            }
            Requirement::NotEquals(k, v) => (k, "NotIn", vec![v.clone()]),
            Requirement::In(k, v) => (k, "In", v.clone()),
            Requirement::NotIn(k, v) => (k, "NotIn", v.clone()),
            Requirement::Exists(k) => (k, "Exists", Vec::new()),
            Requirement::DoesNotExist(k) => (k, "DoesNotExist", Vec::new()),
        };
        values.stable_sort();
        values.dedup();
        let mut e = json!({"key": key, "operator": op});
        if !values.is_empty() {
            e["values"] = json!(values);
        }
        exprs.push(e);
    }
    let mut out = Map::new();
    if !labels.is_empty() {
        out.insert("matchLabels".into(), Value::Object(labels));
    }
    if !exprs.is_empty() {
        out.insert("matchExpressions".into(), Value::Array(exprs));
    }
    Value::Object(out)
}

fn configmap(rest: &[String], flags: &Parsed, io: &Io) -> Result<(Kind, Value), String> {
    let name = named(rest, "configmap")?;
    let data = collect_data(flags, io)?;
    let mut cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}});
    if !data.is_empty() {
        cm["data"] = Value::Object(data);
    }
    Ok((Kind::ConfigMap, cm))
}

fn secret(rest: &[String], flags: &Parsed, io: &Io) -> Result<(Kind, Value), String> {
    let Some((sub, rest)) = rest.split_first() else {
        return Err("error: must specify one of generic, tls or docker-registry\n".to_string());
    };
    match sub.as_str() {
        "generic" => {}
        "docker-registry" => return docker_registry_secret(rest, flags),
        "tls" => return tls_secret(rest, flags, io),
        other => {
            return Err(format!(
                "error: unknown command \"{other}\" for \"kubectl create secret\"\nSee 'kubectl create secret -h' for help and examples\n"
            ))
        }
    }
    let name = named(rest, "secret generic")?;
    let data: Map<String, Value> = collect_data(flags, io)?
        .into_iter()
        .map(|(k, v)| (k, Value::String(base64(v.as_str().unwrap_or_default().as_bytes()))))
        .collect();
    let mut s = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name}, "type": flags.string("type").unwrap_or("Opaque")});
    if !data.is_empty() {
        s["data"] = Value::Object(data);
    }
    Ok((Kind::Secret, s))
}

fn service(rest: &[String], flags: &Parsed) -> Result<(Kind, Value), String> {
    let Some((sub, rest)) = rest.split_first() else {
        return Err("error: must specify one of clusterip, externalname, loadbalancer or nodeport\n".to_string());
    };
    let ty = match sub.as_str() {
        "clusterip" => "ClusterIP",
        "nodeport" => "NodePort",
        "loadbalancer" => "LoadBalancer",
        "externalname" => "ExternalName",
        other => return Err(format!("error: unknown command \"{other}\" for \"kubectl create service\"\n")),
    };
    let name = named(rest, &format!("service {sub}"))?;
    let mut ports = Vec::new();
    for spec in flags.strings("tcp") {
        let (port, target) = spec.split_once(':').unwrap_or((&spec, &spec));
        let p: i64 = port.parse().map_err(|_| format!("error: invalid port number: {port}\n"))?;
        let target_value: Value =
            target.parse::<i64>().map(Value::from).unwrap_or_else(|_| Value::String(target.to_string()));
        let mut entry =
            json!({"name": spec.replace(':', "-"), "port": p, "protocol": "TCP", "targetPort": target_value});
        if let Some(np) = flags.string("node-port").and_then(|n| n.parse::<i64>().ok()) {
            entry["nodePort"] = Value::from(np);
        }
        ports.push(entry);
    }
    let mut spec = json!({"selector": {"app": name}, "type": ty});
    if ty == "ExternalName" {
        let ext = flags.string("external-name").ok_or("error: required flag(s) \"external-name\" not set\n")?;
        spec = json!({"externalName": ext, "type": ty});
    } else if ports.is_empty() && flags.string("clusterip") != Some("None") {
        return Err("error: at least one tcp port specifier must be provided\n".to_string());
    }
    if !ports.is_empty() {
        spec["ports"] = Value::Array(ports);
    }
    if let Some(ip) = flags.string("clusterip") {
        spec["clusterIP"] = Value::String(ip.to_string());
    }
    Ok((
        Kind::Service,
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"labels": {"app": name}, "name": name}, "spec": spec}),
    ))
}

/// `kubectl create job NAME --image=IMAGE [-- COMMAND…]` or `--from=cronjob/NAME`.
fn job(cluster: &mut Cluster, rest: &[String], flags: &Parsed, namespace: &str) -> Result<(Kind, Value), String> {
    let Some((name, command)) = rest.split_first() else {
        return Err(
            "error: exactly one NAME is required, got 0\nSee 'kubectl create job -h' for help and examples\n".into()
        );
    };
    if let Some(from) = flags.string("from") {
        let Some(cron) = from
            .strip_prefix("cronjob/")
            .or_else(|| from.strip_prefix("cronjobs/"))
            .or_else(|| from.strip_prefix("cj/"))
        else {
            return Err(format!("error: from must be an existing cronjob: {from}\n"));
        };
        let cj = send(cluster, Request::new(Verb::Get, Kind::CronJob).namespace(namespace).name(cron))
            .object()
            .map_err(|e| server_error(&e, None))?
            .to_json();
        let template = &cj["spec"]["jobTemplate"];
        // createJobFromCronJob sets the instantiate annotation first; the template's annotations overwrite it.
        let mut annotations = serde_json::Map::new();
        annotations.insert("cronjob.kubernetes.io/instantiate".into(), json!("manual"));
        annotations.extend(template["metadata"]["annotations"].as_object().cloned().unwrap_or_default());
        let mut metadata = json!({
            "annotations": annotations,
            "name": name,
            "ownerReferences": [{
                "apiVersion": "batch/v1", "controller": true, "kind": "CronJob",
                "name": cj["metadata"]["name"], "uid": cj["metadata"]["uid"],
            }],
        });
        if let Some(labels) = template["metadata"].get("labels") {
            metadata["labels"] = labels.clone();
        }
        return Ok((
            Kind::Job,
            json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": metadata, "spec": template["spec"], "status": {}}),
        ));
    }
    let Some(image) = flags.strings("image").into_iter().next() else {
        return Err("error: either --image or --from must be specified\n".into());
    };
    let mut container = json!({"image": image, "name": name, "resources": {}});
    if !command.is_empty() {
        container["command"] = json!(command);
    }
    Ok((
        Kind::Job,
        json!({
            "apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name},
            "spec": {"template": {"metadata": {"creationTimestamp": null},
                "spec": {"containers": [container], "restartPolicy": flags.string("restart").unwrap_or("Never")}}},
            "status": {},
        }),
    ))
}

/// `kubectl create cronjob NAME --image=IMAGE --schedule='*/1 * * * *' [-- COMMAND…]`.
fn cronjob(rest: &[String], flags: &Parsed) -> Result<(Kind, Value), String> {
    let Some((name, command)) = rest.split_first() else {
        return Err(
            "error: exactly one NAME is required, got 0\nSee 'kubectl create cronjob -h' for help and examples\n"
                .into(),
        );
    };
    let Some(image) = flags.strings("image").into_iter().next() else {
        return Err("error: required flag(s) \"image\", \"schedule\" not set\n".into());
    };
    let Some(schedule) = flags.string("schedule") else {
        return Err("error: required flag(s) \"schedule\" not set\n".into());
    };
    let mut container = json!({"image": image, "name": name, "resources": {}});
    if !command.is_empty() {
        container["command"] = json!(command);
    }
    Ok((
        Kind::CronJob,
        json!({
            "apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": name},
            "spec": {
                "jobTemplate": {"metadata": {"creationTimestamp": null, "name": name}, "spec": {"template": {
                    "metadata": {"creationTimestamp": null},
                    "spec": {"containers": [container], "restartPolicy": flags.string("restart").unwrap_or("OnFailure")},
                }}},
                "schedule": schedule,
            },
            "status": {},
        }),
    ))
}

fn docker_registry_secret(rest: &[String], flags: &Parsed) -> Result<(Kind, Value), String> {
    let name = named(rest, "secret docker-registry")?;
    let server = flags.string("docker-server").unwrap_or("https://index.docker.io/v1/");
    let (Some(user), Some(password)) = (flags.string("docker-username"), flags.string("docker-password")) else {
        return Err("error: required flag(s) \"docker-password\", \"docker-username\" not set\n".into());
    };
    let mut entry = serde_json::Map::new();
    entry.insert("username".into(), json!(user));
    entry.insert("password".into(), json!(password));
    if let Some(email) = flags.string("docker-email") {
        entry.insert("email".into(), json!(email));
    }
    entry.insert("auth".into(), json!(base64(format!("{user}:{password}").as_bytes())));
    // kubectl marshals this typed struct in field order: username, password, email, auth.
    let config = format!("{{\"auths\":{{{}:{}}}}}", Value::String(server.into()), Value::Object(entry));
    Ok((
        Kind::Secret,
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name},
            "data": {".dockerconfigjson": base64(config.as_bytes())}, "type": "kubernetes.io/dockerconfigjson"}),
    ))
}

fn tls_secret(rest: &[String], flags: &Parsed, io: &Io) -> Result<(Kind, Value), String> {
    let name = named(rest, "secret tls")?;
    let (Some(cert), Some(key)) = (flags.string("cert"), flags.string("key")) else {
        return Err("error: required flag(s) \"cert\", \"key\" not set\n".into());
    };
    let cert = io.files.read(cert).map_err(|e| format!("error: {e}\n"))?;
    let key = io.files.read(key).map_err(|e| format!("error: {e}\n"))?;
    if !cert.contains("-----BEGIN") {
        return Err("error: tls: failed to find any PEM data in certificate input\n".into());
    }
    if !key.contains("-----BEGIN") {
        return Err("error: tls: failed to find any PEM data in key input\n".into());
    }
    Ok((
        Kind::Secret,
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name},
            "data": {"tls.crt": base64(cert.as_bytes()), "tls.key": base64(key.as_bytes())}, "type": "kubernetes.io/tls"}),
    ))
}

/// Standard base64 with padding, as Secret `data` values are stored.
pub fn base64(bytes: &[u8]) -> String {
    const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn container_names_from_images() {
        assert_eq!(container_name_for("nginx"), "nginx");
        assert_eq!(container_name_for("nginx:1.25"), "nginx");
        assert_eq!(container_name_for("registry.k8s.io/busybox:1.36"), "busybox");
        assert_eq!(container_name_for("redis@sha256:abc"), "redis");
    }

    #[test]
    fn base64_matches_rfc4648() {
        for (plain, enc) in [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foobar", "Zm9vYmFy")] {
            assert_eq!(base64(plain.as_bytes()), enc);
        }
    }
}
