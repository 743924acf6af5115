//! `kubectl apply -f` (client-side apply): create what is missing, patch what changed with a three-way
//! strategic merge against the last applied configuration, and leave the rest `unchanged`.

use engine::apiserver::{FieldValidation, PatchType, Request, RequestOptions, Verb};
use engine::{Cluster, Kind};
use serde_json::Value;

use crate::client::{send, server_error, warnings};
use crate::flags::{flag, FlagKind, FlagSpec, Parsed};
use crate::io::Io;
use crate::manifest::{self, Document};
use crate::Output;

pub const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

pub const FLAGS: &[FlagSpec] = &[
    flag("filename", Some('f'), FlagKind::StringArray),
    flag("recursive", Some('R'), FlagKind::Bool),
    flag("dry-run", None, FlagKind::String),
    flag("validate", None, FlagKind::String),
    flag("output", Some('o'), FlagKind::String),
    flag("server-side", None, FlagKind::Bool),
    flag("force-conflicts", None, FlagKind::Bool),
    flag("field-manager", None, FlagKind::String),
    flag("show-managed-fields", None, FlagKind::Bool),
];

/// What kubectl adds to an apply conflict (`cmd/apply/apply.go`).
pub const CONFLICT_HINT: &str = "Please review the fields above--they currently have other managers. Here
are the ways you can resolve this warning:
* If you intend to manage all of these fields, please re-run the apply
  command with the `--force-conflicts` flag.
* If you do not intend to manage all of the fields, please edit your
  manifest to remove references to the fields that should keep their
  current managers.
* You may co-own fields by updating your manifest to match the existing
  value; in this case, you'll become the manager if the other manager(s)
  stop managing the field (remove it from their configuration).
See https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts";

/// The default manager of `kubectl apply --server-side` (`fieldManagerServerSideApply`).
pub const SERVER_SIDE_MANAGER: &str = "kubectl";
/// The manager kubectl keeps the last-applied annotation under after a server-side apply.
pub const LAST_APPLIED_MANAGER: &str = "kubectl-last-applied";

/// Where a document goes: its kind, namespace (None for cluster-scoped) and name, or kubectl's error.
pub fn locate(doc: &Document, default_ns: &str, explicit_ns: bool) -> Result<(Kind, Option<String>, String), String> {
    let api_version = doc.value.get("apiVersion").and_then(Value::as_str).unwrap_or_default();
    let kind_name = doc.value.get("kind").and_then(Value::as_str).unwrap_or_default();
    let name = doc.value.pointer("/metadata/name").and_then(Value::as_str).unwrap_or_default().to_string();
    let obj_ns = doc.value.pointer("/metadata/namespace").and_then(Value::as_str).unwrap_or_default();
    if api_version.is_empty() || kind_name.is_empty() {
        let mut missing = Vec::new();
        if api_version.is_empty() {
            missing.push("apiVersion not set");
        }
        if kind_name.is_empty() {
            missing.push("kind not set");
        }
        return Err(format!(
            "error: error validating \"{}\": error validating data: [{}]; if you choose to ignore these errors, turn validation off with --validate=false\n",
            doc.source,
            missing.join(", ")
        ));
    }
    let Some(kind) =
        Kind::ALL.iter().copied().find(|k| k.info().kind == kind_name && k.info().api_version() == api_version)
    else {
        return Err(format!(
            "error: resource mapping not found for name: \"{name}\" namespace: \"{obj_ns}\" from \"{}\": no matches for kind \"{kind_name}\" in version \"{api_version}\"\nensure CRDs are installed first\n",
            doc.source
        ));
    };
    if !kind.info().namespaced {
        return Ok((kind, None, name));
    }
    if !obj_ns.is_empty() && explicit_ns && obj_ns != default_ns {
        return Err(format!(
            "error: the namespace from the provided object \"{obj_ns}\" does not match the namespace \"{default_ns}\". You must pass '--namespace={obj_ns}' to perform this operation.\n"
        ));
    }
    let ns = if obj_ns.is_empty() { default_ns } else { obj_ns };
    Ok((kind, Some(ns.to_string()), name))
}

pub fn validation(flags: &Parsed) -> Result<FieldValidation, String> {
    match flags.string("validate").unwrap_or("strict") {
        "strict" | "true" => Ok(FieldValidation::Strict),
        "warn" => Ok(FieldValidation::Warn),
        "ignore" | "false" => Ok(FieldValidation::Ignore),
        other => Err(format!(
            "error: invalid - validate option \"{other}\"; must be one of: strict (or true), warn, ignore (or false)\n"
        )),
    }
}

/// `--dry-run`: `none` (default), `client`, `server`; the suffix printed after the operation.
pub fn dry_run(flags: &Parsed) -> Result<Option<&'static str>, String> {
    match flags.string("dry-run") {
        None | Some("none") => Ok(None),
        Some("client") => Ok(Some(" (dry run)")),
        Some("server") => Ok(Some(" (server dry run)")),
        Some(other) => {
            Err(format!("error: Invalid dry-run value ({other}). Must be \"none\", \"server\", or \"client\".\n"))
        }
    }
}

pub fn run(cluster: &mut Cluster, flags: &Parsed, namespace: &str, explicit_ns: bool, io: &Io) -> Output {
    let files = flags.strings("filename");
    if files.is_empty() {
        return Output::error("error: must specify one of -f and -k\n");
    }
    let validate = match validation(flags) {
        Ok(v) => v,
        Err(e) => return Output::error(e),
    };
    let dry = match dry_run(flags) {
        Ok(d) => d,
        Err(e) => return Output::error(e),
    };
    let docs = match manifest::read_all(&files, flags.bool("recursive"), io) {
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
        let mut modified = doc.value.clone();
        // A malformed `metadata` is left for the API server to refuse with its decoding error.
        if let (Some(ns), Some(meta)) = (&ns, modified.get_mut("metadata").and_then(Value::as_object_mut)) {
            meta.insert("namespace".into(), Value::String(ns.clone()));
        }
        if flags.bool("server-side") {
            let target = Target { kind, namespace: ns.clone(), name: name.clone(), validate, dry: dry.is_some() };
            server_side(cluster, flags, &target, modified, dry, &mut out);
            continue;
        }
        let last_applied = last_applied_annotation(&modified);
        set_annotation(&mut modified, LAST_APPLIED, &last_applied);
        let options = RequestOptions { field_validation: validate, dry_run: dry.is_some(), ..Default::default() };
        let target = |verb| {
            let mut r = Request::new(verb, kind).name(name.clone()).options(options.clone());
            r.namespace = ns.clone();
            r
        };
        let qualified = kind.info().qualified_singular();
        let current = send(cluster, target(Verb::Get));
        match current.result {
            Err(e) if e.code == 404 => {
                let res = send(cluster, target(Verb::Create).body(modified));
                out.stderr.push_str(&warnings(&res));
                match res.result {
                    Ok(_) => out.stdout.push_str(&format!("{qualified}/{name} created{}\n", dry.unwrap_or(""))),
                    Err(e) => out.fail(server_error(&e, Some(("creating", &doc.source)))),
                }
            }
            Err(e) => out.fail(server_error(&e, Some(("retrieving current configuration of", &doc.source)))),
            Ok(body) => {
                let current = match body {
                    engine::apiserver::Body::Object(o) => o.to_json(),
                    engine::apiserver::Body::List { .. } => Value::Null,
                };
                let annotation = current.pointer(&format!("/metadata/annotations/{}", LAST_APPLIED.replace('/', "~1")));
                if annotation.is_none() {
                    out.stderr.push_str(&format!(
                        "Warning: resource {}/{name} is missing the {LAST_APPLIED} annotation which is required by \
kubectl apply. kubectl apply should only be used on resources created declaratively by either kubectl create \
--save-config or kubectl apply. The missing annotation will be patched automatically.\n",
                        kind.info().plural
                    ));
                }
                let original: Option<Value> =
                    annotation.and_then(Value::as_str).and_then(|s| serde_json::from_str(s).ok());
                let patch = match engine::patch::three_way_merge_patch(original.as_ref(), &modified, &current) {
                    Ok(p) => p,
                    Err(e) => {
                        out.fail(format!("error: {e}\n"));
                        continue;
                    }
                };
                if engine::patch::is_empty_patch(&patch) {
                    out.stdout.push_str(&format!("{qualified}/{name} unchanged{}\n", dry.unwrap_or("")));
                    continue;
                }
                let mut req = target(Verb::Patch).body(patch);
                req.options.patch_type = Some(PatchType::Strategic);
                let res = send(cluster, req);
                out.stderr.push_str(&warnings(&res));
                match res.result {
                    Ok(_) => out.stdout.push_str(&format!("{qualified}/{name} configured{}\n", dry.unwrap_or(""))),
                    Err(e) => out.fail(server_error(&e, Some(("applying patch", &doc.source)))),
                }
            }
        }
    }
    out
}

/// Where a server-side apply goes.
struct Target {
    kind: Kind,
    namespace: Option<String>,
    name: String,
    validate: FieldValidation,
    dry: bool,
}

impl Target {
    fn apply(&self, body: Value, manager: &str, force: bool) -> Request {
        let options = RequestOptions {
            field_validation: self.validate,
            dry_run: self.dry,
            patch_type: Some(PatchType::Apply),
            field_manager: Some(manager.to_string()),
            force,
            ..Default::default()
        };
        let mut r = Request::new(Verb::Patch, self.kind).name(self.name.clone()).body(body).options(options);
        r.namespace = self.namespace.clone();
        r
    }
}

/// `kubectl apply --server-side`: one apply PATCH (`fieldManager=kubectl`, `force=false` unless
/// `--force-conflicts`); with the default manager, kubectl then keeps an existing last-applied annotation under
/// `kubectl-last-applied` and moves what `kubectl-client-side-apply` owned to its own apply
/// (`saveLastApplyAnnotationIfNecessary`, `migrateToSSAIfNecessary`).
fn server_side(
    cluster: &mut Cluster,
    flags: &Parsed,
    t: &Target,
    modified: Value,
    dry: Option<&str>,
    out: &mut Output,
) {
    let manager = flags.string("field-manager").unwrap_or(SERVER_SIDE_MANAGER).to_string();
    let force = flags.bool("force-conflicts");
    let qualified = t.kind.info().qualified_singular();
    let res = send(cluster, t.apply(modified.clone(), &manager, force));
    out.stderr.push_str(&warnings(&res));
    let obj = match res.result {
        Ok(engine::apiserver::Body::Object(o)) => o,
        Ok(_) => return,
        Err(e) if e.code == 409 && e.reason == "Conflict" && e.message.starts_with("Apply failed") => {
            out.fail(format!("error: {}\n{CONFLICT_HINT}\n", e.message));
            return;
        }
        Err(e) => {
            out.fail(server_error(&e, None));
            return;
        }
    };
    if manager == SERVER_SIDE_MANAGER && !t.dry {
        let json = obj.to_json();
        let annotation = json.pointer(&format!("/metadata/annotations/{}", LAST_APPLIED.replace('/', "~1"))).cloned();
        let entries = json.pointer("/metadata/managedFields").and_then(Value::as_array).cloned().unwrap_or_default();
        let owns_annotation = |e: &Value| {
            e.pointer("/fieldsV1/f:metadata/f:annotations").and_then(|a| a.get(format!("f:{LAST_APPLIED}"))).is_some()
        };
        if let Some(annotation) = annotation {
            if !entries.iter().any(|e| e["operation"] == "Apply" && owns_annotation(e)) {
                let mut just = serde_json::json!({
                    "apiVersion": json["apiVersion"], "kind": json["kind"],
                    "metadata": {"name": t.name, "annotations": {LAST_APPLIED: annotation}}
                });
                if let Some(ns) = &t.namespace {
                    just["metadata"]["namespace"] = Value::String(ns.clone());
                }
                let _ = send(cluster, t.apply(just, LAST_APPLIED_MANAGER, false));
            }
            // Client-side apply's managers (updates that own the annotation) hand their fields to the applier.
            let current = send(cluster, t.get()).object().map(|o| o.to_json()).unwrap_or(Value::Null);
            if let Some(patch) = upgrade_managed_fields(&current, &manager) {
                let mut req = t.apply(patch, &manager, false);
                req.options.patch_type = Some(PatchType::Json);
                req.options.field_manager = None;
                if send(cluster, req).result.is_ok() {
                    let _ = send(cluster, t.apply(modified, &manager, force));
                }
            }
        }
    }
    out.stdout.push_str(&format!("{qualified}/{} serverside-applied{}\n", t.name, dry.unwrap_or("")));
}

impl Target {
    fn get(&self) -> Request {
        let mut r = Request::new(Verb::Get, self.kind).name(self.name.clone());
        r.namespace = self.namespace.clone();
        r
    }
}

/// `csaupgrade.UpgradeManagedFieldsPatch`: a JSON patch moving the fields of every `Update` manager that owns
/// the last-applied annotation into `manager`'s `Apply` entry, or `None` when there is nothing to move.
fn upgrade_managed_fields(current: &Value, manager: &str) -> Option<Value> {
    use engine::apiserver::managed::FieldSet;
    let entries = current.pointer("/metadata/managedFields")?.as_array()?;
    let annotation = ["f:metadata", "f:annotations", &format!("f:{LAST_APPLIED}")].map(|s| s.to_string());
    let owns = |e: &Value| {
        let set = FieldSet::from_fields_v1(&e["fieldsV1"]);
        set.contains(&annotation.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let csa: Vec<&Value> = entries.iter().filter(|e| e["operation"] == "Update" && owns(e)).collect();
    if csa.is_empty() {
        return None;
    }
    let mut set = FieldSet::default();
    let mut kept = Vec::new();
    let mut applier = None;
    for e in entries {
        if e["operation"] == "Update" && owns(e) && e.get("subresource").is_none() {
            set.union(&FieldSet::from_fields_v1(&e["fieldsV1"]));
        } else if e["operation"] == "Apply" && e["manager"] == manager {
            applier = Some(e.clone());
        } else {
            kept.push(e.clone());
        }
    }
    let mut applier = applier.unwrap_or_else(|| {
        serde_json::json!({"apiVersion": current["apiVersion"], "fieldsType": "FieldsV1", "manager": manager,
            "operation": "Apply", "time": current["metadata"]["creationTimestamp"]})
    });
    set.union(&FieldSet::from_fields_v1(&applier["fieldsV1"]));
    applier["fieldsV1"] = set.to_fields_v1();
    kept.insert(0, applier);
    Some(serde_json::json!([
        {"op": "replace", "path": "/metadata/managedFields", "value": kept},
        {"op": "replace", "path": "/metadata/resourceVersion", "value": current["metadata"]["resourceVersion"]}
    ]))
}

/// The annotation kubectl stores: the manifest as applied (without this annotation), as compact JSON.
pub fn last_applied_annotation(manifest: &Value) -> String {
    let mut m = manifest.clone();
    // kubectl sets the annotation on the object first, so an object without annotations is recorded with an
    // empty `annotations` map.
    if let Some(meta) = m.get_mut("metadata").and_then(Value::as_object_mut) {
        let annotations = meta.entry("annotations").or_insert_with(|| Value::Object(Default::default()));
        if let Some(a) = annotations.as_object_mut() {
            a.remove(LAST_APPLIED);
        }
    }
    format!("{m}\n")
}

pub fn set_annotation(obj: &mut Value, key: &str, value: &str) {
    // Anything that is not an object where one belongs is left for the API server to refuse.
    let Some(map) = obj.as_object_mut() else { return };
    let meta = map.entry("metadata").or_insert_with(|| Value::Object(Default::default()));
    let Some(meta) = meta.as_object_mut() else { return };
    let annotations = meta.entry("annotations").or_insert_with(|| Value::Object(Default::default()));
    if annotations.is_null() {
        *annotations = Value::Object(Default::default());
    }
    if let Some(annotations) = annotations.as_object_mut() {
        annotations.insert(key.to_string(), Value::String(value.to_string()));
    }
}
