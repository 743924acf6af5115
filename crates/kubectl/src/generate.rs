//! Commands that build objects from flags: `kubectl run` (a pod) and `kubectl expose` (a service).

use engine::apiserver::{Request, Verb};
use engine::{Cluster, Kind};
use serde_json::{json, Map, Value};

use crate::builder::parse_args;
use crate::client::{send, server_error};
use crate::create::finish;
use crate::flags::{flag, FlagKind, FlagSpec, Parsed};
use crate::io::Io;
use crate::Output;

pub const RUN_FLAGS: &[FlagSpec] = &[
    flag("image", None, FlagKind::String),
    flag("labels", Some('l'), FlagKind::String),
    flag("env", None, FlagKind::StringArray),
    flag("port", None, FlagKind::String),
    flag("expose", None, FlagKind::Bool),
    flag("restart", None, FlagKind::String),
    flag("command", None, FlagKind::Bool),
    flag("dry-run", None, FlagKind::String),
    flag("output", Some('o'), FlagKind::String),
    flag("image-pull-policy", None, FlagKind::String),
    flag("stdin", Some('i'), FlagKind::Bool),
    flag("tty", Some('t'), FlagKind::Bool),
    flag("rm", None, FlagKind::Bool),
    flag("attach", None, FlagKind::Bool),
    flag("overrides", None, FlagKind::String),
    flag("override-type", None, FlagKind::String),
];

pub const EXPOSE_FLAGS: &[FlagSpec] = &[
    flag("port", None, FlagKind::String),
    flag("target-port", None, FlagKind::String),
    flag("type", None, FlagKind::String),
    flag("name", None, FlagKind::String),
    flag("protocol", None, FlagKind::String),
    flag("selector", None, FlagKind::String),
    flag("dry-run", None, FlagKind::String),
    flag("output", Some('o'), FlagKind::String),
];

fn parse_map(spec: &str) -> Option<Map<String, Value>> {
    let mut map = Map::new();
    for pair in spec.split(',').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=')?;
        map.insert(k.to_string(), Value::String(v.to_string()));
    }
    Some(map)
}

pub fn run(cluster: &mut Cluster, flags: &Parsed, namespace: &str, explicit_ns: bool, io: &Io) -> Output {
    let Some((name, command)) = flags.args.split_first() else {
        return Output::error("error: NAME is required for run\nSee 'kubectl run -h' for help and examples\n");
    };
    let Some(image) = flags.string("image").filter(|i| !i.is_empty()) else {
        return Output::error("error: --image is required\n");
    };
    if flags.bool("stdin") || flags.bool("tty") || flags.bool("rm") || flags.bool("attach") {
        return Output::error(
            "error: kubeground does not simulate interactive \"kubectl run -i/-t/--rm\" yet; create the pod, then use \"kubectl exec\"\n",
        );
    }
    let restart = flags.string("restart").unwrap_or("Always");
    if !["Always", "OnFailure", "Never"].contains(&restart) {
        return Output::error(format!("error: invalid restart policy: {restart}\n"));
    }
    let labels = match flags.string("labels") {
        Some(l) => match parse_map(l) {
            Some(m) => Value::Object(m),
            None => return Output::error(format!("error: invalid label spec: {l}\n")),
        },
        None => json!({"run": name}),
    };
    let mut container = json!({"image": image, "name": name, "resources": {}});
    if !command.is_empty() {
        let key = if flags.bool("command") { "command" } else { "args" };
        container[key] = json!(command);
    }
    let env: Vec<Value> = flags
        .strings("env")
        .iter()
        .map(|e| {
            let (k, v) = e.split_once('=').unwrap_or((e, ""));
            json!({"name": k, "value": v})
        })
        .collect();
    if !env.is_empty() {
        container["env"] = Value::Array(env);
    }
    let port: Option<i64> = flags.string("port").and_then(|p| p.parse().ok());
    if let Some(p) = port {
        container["ports"] = json!([{"containerPort": p}]);
    }
    if let Some(policy) = flags.string("image-pull-policy") {
        container["imagePullPolicy"] = json!(policy);
    }
    let pod = json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"labels": labels.clone(), "name": name},
        "spec": {"containers": [container], "dnsPolicy": "ClusterFirst", "restartPolicy": restart},
        "status": {},
    });
    let dry = match crate::apply::dry_run(flags) {
        Ok(d) => d,
        Err(e) => return Output::error(e),
    };
    let mut out = Output::default();
    if flags.bool("expose") {
        let Some(p) = port else {
            return Output::error("error: --port must be set when exposing a service\n");
        };
        let mut svc = json!({
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name},
            "spec": {"ports": [{"port": p, "protocol": "TCP", "targetPort": p}], "selector": labels},
            "status": {"loadBalancer": {}},
        });
        out = finish(cluster, flags, io, Kind::Service, &mut svc, namespace, explicit_ns, dry, "created", None);
        if out.exit_code != 0 {
            return out;
        }
    }
    let mut pod = pod;
    // An empty `--overrides` is no override (kubectl checks `len(o.Overrides) > 0`).
    if let Some(text) = flags.string("overrides").filter(|t| !t.is_empty()) {
        // `--overrides`: a JSON patch over the generated object, merge (RFC 7386) unless told otherwise.
        let kind = match flags.string("override-type").unwrap_or("merge") {
            "merge" => engine::patch::PatchType::Merge,
            "strategic" => engine::patch::PatchType::Strategic,
            "json" => engine::patch::PatchType::Json,
            other => {
                return Output::error(format!(
                    "error: --override-type must be one of (json, merge, strategic), found \"{other}\"\n"
                ))
            }
        };
        // kubectl's messages for a patch of the wrong shape, per patch type (checked against kubectl 1.32).
        let parsed: Option<Value> = serde_json::from_str(text).ok();
        let patch = match (kind, parsed) {
            (engine::patch::PatchType::Merge, Some(Value::Array(_))) => return Output::error(OVERRIDES_ARRAY),
            (engine::patch::PatchType::Merge, Some(v @ Value::Object(_))) => v,
            (engine::patch::PatchType::Merge, _) => return Output::error("error: Invalid JSON Patch\n"),
            (engine::patch::PatchType::Strategic, Some(v @ Value::Object(_))) => v,
            (engine::patch::PatchType::Strategic, _) => return Output::error("error: invalid JSON document\n"),
            (_, Some(v @ Value::Array(_))) => v,
            (_, Some(other)) => {
                let json_type = match other {
                    Value::Object(_) => "object",
                    Value::String(_) => "string",
                    Value::Number(_) => "number",
                    Value::Bool(_) => "bool",
                    _ => "null",
                };
                return Output::error(format!(
                    "error: json: cannot unmarshal {json_type} into Go value of type jsonpatch.Patch\n"
                ));
            }
            // Go's JSON syntax error, worded by where the text breaks.
            (_, None) => {
                let message = engine::util::gojson::syntax_error(text)
                    .unwrap_or_else(|| "unexpected end of JSON input".to_string());
                return Output::error(format!("error: {message}\n"));
            }
        };
        match engine::patch::apply_patch(&pod, kind, &patch) {
            Ok(v) if v.is_object() => pod = v,
            Ok(_) => return Output::error(OVERRIDES_ARRAY),
            Err(e) => return Output::error(format!("error: {}\n", e.message)),
        }
        // kubectl decodes the result by its apiVersion and kind (keys shown sorted, as a strategic patch leaves
        // them; after a merge patch kubectl keeps its own field order).
        let field = |k: &str| pod.get(k).and_then(Value::as_str).map(str::to_string);
        // As Go marshals kubectl's generated Pod: an unset creationTimestamp is `null`, not left out.
        let shown = || {
            let mut shown = pod.clone();
            if let Some(meta) = shown.get_mut("metadata").and_then(Value::as_object_mut) {
                meta.entry("creationTimestamp").or_insert(Value::Null);
            }
            shown
        };
        match (field("apiVersion"), field("kind")) {
            (_, None) => return Output::error(format!("error: Object 'Kind' is missing in '{}'\n", shown())),
            (None, _) => return Output::error(format!("error: Object 'apiVersion' is missing in '{}'\n", shown())),
            (Some(v), Some(k)) if v != "v1" && k == "Pod" => {
                return Output::error(format!(
                    "error: no kind \"{k}\" is registered for version \"{v}\" in scheme \"pkg/scheme/scheme.go:28\"\n"
                ))
            }
            _ => {}
        }
        // kubectl decodes the patched object into a Pod before sending it: a mistyped field fails here.
        if let Err(engine::apiserver::decode::DecodeError::Type(message)) =
            engine::apiserver::decode::decode(Kind::Pod, &pod)
        {
            return Output::error(format!("error: {message}\n"));
        }
    }
    let rest = finish(cluster, flags, io, Kind::Pod, &mut pod, namespace, explicit_ns, dry, "created", None);
    out.stdout.push_str(&rest.stdout);
    out.stderr.push_str(&rest.stderr);
    out.exit_code = rest.exit_code;
    out
}

/// kubectl's error for `--overrides` that leave no object (a JSON array).
const OVERRIDES_ARRAY: &str = "error: couldn't get version/kind; json parse error: json: cannot unmarshal array into Go value of type struct { APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; Kind string \"json:\\\"kind,omitempty\\\"\" }\n";

pub fn expose(cluster: &mut Cluster, flags: &Parsed, namespace: &str, explicit_ns: bool, io: &Io) -> Output {
    let selection = match parse_args(&flags.args) {
        Ok(s) => s,
        Err(e) => return Output::error(e),
    };
    let Some((kind, names)) = selection.first().filter(|(_, n)| n.len() == 1) else {
        return Output::error("error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'\n");
    };
    let obj = match send(cluster, Request::new(Verb::Get, *kind).namespace(namespace).name(&names[0])).object() {
        Ok(o) => o,
        Err(e) => return Output::error(server_error(&e, None)),
    };
    let json = obj.to_json();
    let (selector, template_spec) = match kind {
        Kind::Pod => (json["metadata"]["labels"].clone(), json["spec"].clone()),
        Kind::Service => (json["spec"]["selector"].clone(), Value::Null),
        Kind::Deployment | Kind::ReplicaSet => {
            if json["spec"]["selector"].get("matchExpressions").is_some() {
                return Output::error(format!(
                    "error: cannot expose {} with a set-based selector\n",
                    kind.info().qualified_singular()
                ));
            }
            (json["spec"]["selector"]["matchLabels"].clone(), json["spec"]["template"]["spec"].clone())
        }
        other => return Output::error(format!("error: cannot expose a {}\n", other.info().kind)),
    };
    let selector = match flags.string("selector") {
        Some(s) => match parse_map(s) {
            Some(m) => Value::Object(m),
            None => return Output::error(format!("error: invalid selector: {s}\n")),
        },
        None => selector,
    };
    if selector.as_object().is_none_or(|m| m.is_empty()) {
        return Output::error(format!(
            "error: couldn't retrieve selectors via --selector flag or introspection: the {} has no labels\n",
            kind.info().singular
        ));
    }
    let port: i64 = match flags.string("port").and_then(|p| p.parse().ok()) {
        Some(p) => p,
        None => match template_spec["containers"][0]["ports"][0]["containerPort"].as_i64() {
            Some(p) => p,
            None => return Output::error("error: couldn't find port via --port flag or introspection\nSee 'kubectl expose -h' for help and examples\n"),
        },
    };
    let target: Value = match flags.string("target-port") {
        Some(t) => t.parse::<i64>().map(Value::from).unwrap_or_else(|_| Value::String(t.to_string())),
        None => Value::from(port),
    };
    let name = flags.string("name").map(String::from).unwrap_or_else(|| names[0].clone());
    let mut spec = json!({
        "ports": [{"port": port, "protocol": flags.string("protocol").unwrap_or("TCP"), "targetPort": target}],
        "selector": selector,
    });
    if let Some(t) = flags.string("type") {
        spec["type"] = json!(t);
    }
    let mut svc = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name}, "spec": spec, "status": {"loadBalancer": {}}});
    if let Some(labels) = json["metadata"].get("labels").filter(|l| l.is_object()) {
        svc["metadata"]["labels"] = labels.clone();
    }
    let dry = match crate::apply::dry_run(flags) {
        Ok(d) => d,
        Err(e) => return Output::error(e),
    };
    finish(cluster, flags, io, Kind::Service, &mut svc, namespace, explicit_ns, dry, "exposed", None)
}
