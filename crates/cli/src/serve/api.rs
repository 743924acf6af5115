//! From HTTP to the engine's API server and back: routing a URL to discovery or to a resource, turning method,
//! query, headers and body into an [`engine::apiserver::Request`], and the engine's answer into JSON, a Table,
//! a `metav1.Status` error or a watch stream.
//!
//! Every request goes through `Cluster::handle`, the same door the playground's own kubectl uses, so the real
//! kubectl sees exactly the behaviour (defaulting, validation, errors, warnings) the playground shows.

use std::sync::Arc;

use bytes::Bytes;
use engine::apiserver::{
    Body, FieldValidation, PatchType, Propagation, Request as ApiRequest, RequestOptions, Response as ApiResponse, Verb,
};
use engine::{ApiError, Kind, Object};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::header::{HeaderValue, ACCEPT, CONTENT_TYPE};
use hyper::{Method, Response, StatusCode};
use serde_json::{json, Value};

use super::{discovery, openapi, pods, proto, table, watch, Out, Refused, Shared};

/// The `Content-Type` of `/openapi/v2` as protobuf, the form kubectl asks for.
const OPENAPI_V2_PROTOBUF: &str = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

/// The actor the engine's event log names for requests from outside.
const ACTOR: &str = "kubectl";

pub async fn handle(shared: Arc<Shared>, req: hyper::Request<Incoming>) -> Result<Response<Out>, Refused> {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    // exec and attach upgrade the connection, so they take the request itself.
    if let ["api", "v1", "namespaces", ns, "pods", name, sub @ ("exec" | "attach")] =
        path.split('/').filter(|s| !s.is_empty()).collect::<Vec<_>>().as_slice()
    {
        let (ns, name, attach) = (percent_decode(ns), percent_decode(name), *sub == "attach");
        return Ok(pods::exec(shared, req, &ns, &name, attach));
    }
    let query = Query::parse(req.uri().query().unwrap_or(""));
    let header = |name| req.headers().get(name).and_then(|v: &HeaderValue| v.to_str().ok()).unwrap_or("").to_string();
    let accept = header(ACCEPT);
    let content_type = header(CONTENT_TYPE);
    let user_agent = header(hyper::header::USER_AGENT);
    let body = match req.into_body().collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) => return Ok(status(&ApiError::bad_request(format!("cannot read the request body: {e}")), &[])),
    };
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let call = Call { shared, method, query, accept, content_type, user_agent, body };
    Ok(match segments.as_slice() {
        ["version"] => json_response(StatusCode::OK, &discovery::version(), &[]),
        ["healthz" | "livez" | "readyz"] => text(StatusCode::OK, "text/plain; charset=utf-8", Bytes::from("ok")),
        ["api"] if call.wants_aggregated() => aggregated(&discovery::aggregated(true)),
        ["apis"] if call.wants_aggregated() => aggregated(&discovery::aggregated(false)),
        ["api"] => json_response(StatusCode::OK, &discovery::api_versions(&call.shared.address), &[]),
        ["apis"] => json_response(StatusCode::OK, &discovery::api_group_list(), &[]),
        ["api", version] => found(discovery::resource_list("", version)),
        ["apis", group] => found(discovery::group(group)),
        ["apis", group, version] => found(discovery::resource_list(group, version)),
        ["openapi", "v3"] => json_response(StatusCode::OK, &openapi::v3_index(), &[]),
        ["openapi", "v3", rest @ ..] => match openapi::v3(&rest.join("/")) {
            Some(doc) => text(StatusCode::OK, "application/json", Bytes::from_static(doc)),
            None => not_found_path(),
        },
        // kubectl asks for protobuf only; other clients get JSON when they accept it.
        ["openapi", "v2"] if call.accept.contains("application/json") || call.accept.is_empty() => {
            json_response(StatusCode::OK, openapi::v2_json(), &[])
        }
        ["openapi", "v2"] => text(StatusCode::OK, OPENAPI_V2_PROTOBUF, Bytes::from_static(openapi::v2_protobuf())),
        ["kubeground", "v1", "clock"] => call.clock(),
        ["kubeground", "v1", "run"] if call.method == Method::POST => call.run_command(),
        ["api", version, rest @ ..] => return call.resource("", version, rest),
        ["apis", group, version, rest @ ..] => return call.resource(group, version, rest),
        _ => not_found_path(),
    })
}

/// One HTTP request, read in full.
struct Call {
    shared: Arc<Shared>,
    method: Method,
    query: Query,
    accept: String,
    content_type: String,
    user_agent: String,
    body: Bytes,
}

/// Which object or collection a resource URL names.
struct Target {
    kind: Kind,
    namespace: Option<String>,
    name: Option<String>,
    subresource: Option<String>,
}

impl Call {
    fn wants_aggregated(&self) -> bool {
        self.accept.contains("as=APIGroupDiscoveryList") && self.accept.contains("v=v2")
    }

    fn wants_table(&self) -> bool {
        table::wanted(&self.accept)
    }

    /// `/api/v1/...` or `/apis/<group>/<version>/...` below the group-version.
    fn resource(self, group: &str, version: &str, rest: &[&str]) -> Result<Response<Out>, Refused> {
        // The engine has no ResourceQuota or LimitRange kinds, so there are none: `kubectl describe namespace`
        // lists them and says so, as on a real cluster.
        if let (&Method::GET, "", "v1", ["namespaces", _, plural @ ("resourcequotas" | "limitranges")]) =
            (&self.method, group, version, rest)
        {
            let kind = if *plural == "resourcequotas" { "ResourceQuotaList" } else { "LimitRangeList" };
            let rv = self.shared.read(|c| c.store().resource_version());
            let list =
                json!({"kind": kind, "apiVersion": "v1", "metadata": {"resourceVersion": rv.to_string()}, "items": []});
            return Ok(json_response(StatusCode::OK, &list, &[]));
        }
        let Some(target) = target(group, version, rest) else { return Ok(not_found_path()) };
        if let (Kind::Pod, Some(ns), Some(name), Some(sub @ ("log" | "eviction"))) =
            (target.kind, &target.namespace, &target.name, target.subresource.as_deref())
        {
            return Ok(match (sub, &self.method) {
                ("log", &Method::GET) => pods::logs(self.shared.clone(), ns, name, &self.query),
                ("eviction", &Method::POST) => {
                    let dry_run = self.query.all("dryRun").any(|v| v == "All");
                    pods::eviction(self.shared.clone(), ns, name, &self.body, dry_run)
                }
                _ => status(&method_not_allowed(), &[]),
            });
        }
        let is_watch = self.query.flag("watch");
        if self.method == Method::GET && target.name.is_none() && is_watch {
            return Ok(self.watch(target));
        }
        let verb = match (&self.method, target.name.is_some()) {
            (&Method::GET, true) => Verb::Get,
            (&Method::GET, false) => Verb::List,
            (&Method::POST, false) => Verb::Create,
            (&Method::PUT, true) => Verb::Update,
            (&Method::PATCH, true) => Verb::Patch,
            (&Method::DELETE, true) => Verb::Delete,
            (&Method::DELETE, false) => Verb::DeleteCollection,
            _ => {
                let e = ApiError::new(
                    405,
                    "MethodNotAllowed",
                    "the server does not allow this method on the requested resource",
                );
                return Ok(status(&e, &[]));
            }
        };
        match target.subresource.as_deref() {
            None | Some("status") => {}
            Some("scale") if matches!(target.kind, Kind::Deployment | Kind::ReplicaSet | Kind::StatefulSet) => {
                return self.scale(target, verb);
            }
            Some(_) => return Ok(not_found_path()),
        }
        let body = match self.decode_body(verb) {
            Ok(b) => b,
            Err(e) => return Ok(status(&e, &[])),
        };
        let body = match verb {
            Verb::Create | Verb::Update => body.map(|b| with_default_kind(b, target.kind)),
            _ => body,
        };
        let mut options = match self.options(verb, body.as_ref()) {
            Ok(o) => o,
            Err(e) => return Ok(status(&e, &[])),
        };
        options.subresource = target.subresource.clone();
        // A DeleteOptions body configures the delete; it is not an object.
        let body = if matches!(verb, Verb::Delete | Verb::DeleteCollection) { None } else { body };
        let request = ApiRequest {
            verb,
            kind: target.kind,
            namespace: target.namespace.clone(),
            name: target.name.clone(),
            body,
            options,
        };
        let (response, now) = self.shared.with(|c| (handle_and_settle(c, request), c.now()));
        self.answer(&target, verb, response, now)
    }

    /// The engine's answer as HTTP.
    fn answer(&self, target: &Target, verb: Verb, response: ApiResponse, now: u64) -> Result<Response<Out>, Refused> {
        let warnings = response.warnings;
        let body = match response.result {
            Err(e) if e.code == 0 => return Err(Refused),
            Err(e) => return Ok(status(&with_details(e, target), &warnings)),
            Ok(body) => body,
        };
        let code = if verb == Verb::Create { StatusCode::CREATED } else { StatusCode::OK };
        let value = match body {
            Body::Object(o) if self.wants_table() && verb == Verb::Get => {
                table::table(target.kind, [&o], resource_version_of(&o), now, true)
            }
            Body::Object(o) => o.to_json(),
            Body::List { items, resource_version } if self.wants_table() => {
                table::table(target.kind, items.iter().map(|o| o.as_ref()), resource_version, now, true)
            }
            Body::List { items, resource_version } => list_json(target.kind, &items, resource_version),
        };
        Ok(json_response(code, &value, &warnings))
    }

    fn watch(self, target: Target) -> Response<Out> {
        let send_initial_events = self.query.flag("sendInitialEvents");
        let timeout = self.query.get("timeoutSeconds").and_then(|t| t.parse::<u64>().ok()).unwrap_or(1800);
        let spec = watch::Spec {
            kind: target.kind,
            namespace: target.namespace,
            label_selector: self.query.get("labelSelector").map(str::to_string),
            field_selector: self.query.get("fieldSelector").map(str::to_string),
            // With sendInitialEvents the watch starts from the current state, which is not older than any version
            // the client names.
            resource_version: self.query.get("resourceVersion").filter(|_| !send_initial_events).map(str::to_string),
            table: self.wants_table(),
            timeout: std::time::Duration::from_secs(timeout),
            bookmarks: self.query.flag("allowWatchBookmarks"),
            send_initial_events,
        };
        match watch::start(self.shared, spec) {
            Ok(stream) => {
                let mut response = Response::new(Out::Stream(stream));
                response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                response
            }
            Err(e) => status(&e, &[]),
        }
    }

    /// The request body as JSON: decoded from protobuf for the typed clients, parsed otherwise.
    fn decode_body(&self, verb: Verb) -> Result<Option<Value>, ApiError> {
        if self.body.is_empty() {
            return match verb {
                Verb::Create | Verb::Update | Verb::Patch => {
                    Err(ApiError::bad_request("the body of the request was empty"))
                }
                _ => Ok(None),
            };
        }
        if self.content_type.starts_with("application/vnd.kubernetes.protobuf") {
            return proto::decode(&self.body).map(Some).map_err(|e| ApiError::new(415, "UnsupportedMediaType", e));
        }
        if self.content_type.starts_with("application/apply-patch") {
            // YAML (JSON is YAML too), read as sigs.k8s.io/yaml reads it.
            let text = String::from_utf8_lossy(&self.body);
            return match kubectl::manifest::parse_documents(&text, "") {
                Ok(docs) if docs.len() == 1 => Ok(docs.into_iter().next().map(|d| d.value)),
                Ok(_) => Err(ApiError::bad_request("error decoding YAML: expected one document")),
                Err(e) => Err(ApiError::bad_request(format!("error decoding YAML: {e}"))),
            };
        }
        serde_json::from_slice(&self.body)
            .map(Some)
            .map_err(|e| ApiError::bad_request(format!("the body of the request was in an unknown format: {e}")))
    }

    /// Query parameters (and a delete's `DeleteOptions` body) as the engine's options.
    fn options(&self, verb: Verb, body: Option<&Value>) -> Result<RequestOptions, ApiError> {
        let q = &self.query;
        let delete_options = body.filter(|_| matches!(verb, Verb::Delete | Verb::DeleteCollection));
        let from_body = |field: &str| delete_options.and_then(|b| b.get(field));
        let dry_run = q.all("dryRun").any(|v| v == "All")
            || from_body("dryRun").and_then(Value::as_array).is_some_and(|a| a.iter().any(|v| v == "All"));
        let field_validation = match q.get("fieldValidation") {
            Some("Strict") => FieldValidation::Strict,
            Some("Ignore") => FieldValidation::Ignore,
            // The apiserver's default is Warn.
            Some("Warn") | None => FieldValidation::Warn,
            Some(other) => {
                return Err(ApiError::bad_request(format!(
                    "fieldValidation must be one of \"Ignore\", \"Warn\", or \"Strict\", got {other:?}"
                )))
            }
        };
        let propagation = q
            .get("propagationPolicy")
            .map(str::to_string)
            .or_else(|| from_body("propagationPolicy").and_then(Value::as_str).map(str::to_string));
        let propagation = match propagation.as_deref() {
            None => None,
            Some("Background") => Some(Propagation::Background),
            Some("Foreground") => Some(Propagation::Foreground),
            Some("Orphan") => Some(Propagation::Orphan),
            Some(other) => return Err(ApiError::bad_request(format!("unknown propagationPolicy {other:?}"))),
        };
        let grace_period_seconds = q
            .get("gracePeriodSeconds")
            .and_then(|g| g.parse().ok())
            .or_else(|| from_body("gracePeriodSeconds").and_then(Value::as_i64));
        let patch_type = if verb == Verb::Patch {
            let ct = self.content_type.split(';').next().unwrap_or("").trim();
            Some(match ct {
                "application/json-patch+json" => PatchType::Json,
                "application/merge-patch+json" => PatchType::Merge,
                "application/strategic-merge-patch+json" => PatchType::Strategic,
                "application/apply-patch+yaml" | "application/apply-patch+cbor" => PatchType::Apply,
                other => {
                    return Err(ApiError::new(
                        415,
                        "UnsupportedMediaType",
                        format!("the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got {other:?})"),
                    ))
                }
            })
        } else {
            None
        };
        Ok(RequestOptions {
            label_selector: q.get("labelSelector").map(str::to_string),
            field_selector: q.get("fieldSelector").map(str::to_string),
            dry_run,
            field_validation,
            propagation,
            grace_period_seconds,
            patch_type,
            // Without `fieldManager` the apiserver names the manager after the User-Agent (`prefixFromUserAgent`).
            field_manager: q.get("fieldManager").filter(|m| !m.is_empty()).map(str::to_string).or_else(|| {
                Some(engine::apiserver::managed::manager_for_actor(&self.user_agent)).filter(|m| !m.is_empty())
            }),
            force: q.flag("force"),
            subresource: None,
        })
    }

    /// `/kubeground/v1/clock`: the simulated time (`GET`), or a step of it (`POST ?ms=N`) — the counterpart of
    /// a script's `sleep` when the server runs with `--speed 0`, as the comparison with the playground does.
    fn clock(&self) -> Response<Out> {
        if self.method == Method::POST {
            let Some(ms) = self.query.get("ms").and_then(|m| m.parse::<u64>().ok()) else {
                return status(&ApiError::bad_request("a clock step needs ?ms=N"), &[]);
            };
            self.shared.with(|c| c.step(ms));
        }
        let now = self.shared.read(|c| c.now());
        json_response(StatusCode::OK, &json!({"nowMillis": now}), &[])
    }

    /// `POST /kubeground/v1/run` with `{"line": "minikube node stop worker-1", "stdin": null}`: runs one line of
    /// the playground's shell (`kubectl`, `minikube`, `sleep`) on the served cluster, as `kubeground run` would,
    /// and answers `{"stdout", "stderr", "exitCode"}`. It is how the machine-level commands that only the
    /// playground has reach a served cluster, and how the comparison with the real kubectl keeps both clusters
    /// in step over a command the real kubectl cannot run with simulated time frozen (a `drain` that waits on
    /// kubectl's own wall-clock retries). `-f` reads no files here.
    fn run_command(&self) -> Response<Out> {
        let body: Value = match serde_json::from_slice(&self.body) {
            Ok(v) => v,
            Err(e) => return status(&ApiError::bad_request(format!("a run needs {{\"line\": …}}: {e}")), &[]),
        };
        let Some(line) = body.get("line").and_then(Value::as_str) else {
            return status(&ApiError::bad_request("a run needs {\"line\": …}"), &[]);
        };
        let mut command = match playground::script::parse_command(line) {
            Ok(c) => c,
            Err(e) => return status(&ApiError::bad_request(e.to_string()), &[]),
        };
        command.stdin = body.get("stdin").and_then(Value::as_str).map(str::to_string);
        let out = self.shared.with(|c| playground::shell::run(c, &command, &kubectl::NoFiles));
        json_response(
            StatusCode::OK,
            &json!({"stdout": out.stdout, "stderr": out.stderr, "exitCode": out.exit_code}),
            &[],
        )
    }

    /// The `scale` subresource of Deployments, ReplicaSets and StatefulSets, read from and written to the
    /// object's `spec.replicas` (which is what the real subresource does).
    fn scale(self, target: Target, verb: Verb) -> Result<Response<Out>, Refused> {
        let replicas = match verb {
            Verb::Get => None,
            Verb::Update | Verb::Patch => {
                let body = match self.decode_body(verb) {
                    Ok(b) => b.unwrap_or(Value::Null),
                    Err(e) => return Ok(status(&e, &[])),
                };
                match body.pointer("/spec/replicas").and_then(Value::as_i64) {
                    Some(r) => Some(r),
                    None => return Ok(status(&ApiError::bad_request("a scale needs spec.replicas"), &[])),
                }
            }
            _ => {
                let e = ApiError::new(
                    405,
                    "MethodNotAllowed",
                    "the server does not allow this method on the requested resource",
                );
                return Ok(status(&e, &[]));
            }
        };
        let dry_run = self.query.all("dryRun").any(|v| v == "All");
        let mut request = ApiRequest::new(Verb::Get, target.kind);
        request.namespace = target.namespace.clone();
        request.name = target.name.clone();
        if let Some(r) = replicas {
            request.verb = Verb::Patch;
            request.body = Some(json!({"spec": {"replicas": r}}));
            request.options = RequestOptions {
                patch_type: Some(PatchType::Merge),
                dry_run,
                field_manager: self.query.get("fieldManager").map(str::to_string).or_else(|| {
                    Some(engine::apiserver::managed::manager_for_actor(&self.user_agent)).filter(|m| !m.is_empty())
                }),
                subresource: Some("scale".into()),
                ..Default::default()
            };
        }
        let response = self.shared.with(|c| handle_and_settle(c, request));
        let warnings = response.warnings.clone();
        match response.object() {
            Err(e) if e.code == 0 => Err(Refused),
            Err(e) => Ok(status(&with_details(e, &target), &warnings)),
            Ok(o) => Ok(json_response(StatusCode::OK, &scale_of(&o), &warnings)),
        }
    }
}

/// Sends `request` to the engine's API server; after a write, lets the controllers react (without moving
/// the clock), as the playground does after each command, so the next request sees what they did.
fn handle_and_settle(cluster: &mut engine::Cluster, request: ApiRequest) -> ApiResponse {
    let write = !matches!(request.verb, Verb::Get | Verb::List);
    let response = cluster.handle(ACTOR, request);
    if write {
        cluster.settle();
    }
    response
}

/// A body without `kind` (or without `apiVersion`) is read as the kind the URL names, as the apiserver's decoder
/// defaults both from the resource it decodes into (client libraries such as the Python client leave them out).
fn with_default_kind(mut body: Value, kind: Kind) -> Value {
    if let Some(map) = body.as_object_mut() {
        let missing = |v: Option<&Value>| v.and_then(Value::as_str).is_none_or(str::is_empty);
        if missing(map.get("kind")) {
            map.insert("kind".into(), json!(kind.info().kind));
        }
        if missing(map.get("apiVersion")) {
            map.insert("apiVersion".into(), json!(kind.info().api_version()));
        }
    }
    body
}

/// An `autoscaling/v1` Scale for an object with replicas.
fn scale_of(obj: &Object) -> Value {
    let v = obj.to_json();
    let m = &v["metadata"];
    let selector = v.pointer("/spec/selector/matchLabels").and_then(Value::as_object).map(|labels| {
        labels.iter().map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or(""))).collect::<Vec<_>>().join(",")
    });
    json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            "name": m["name"], "namespace": m["namespace"], "uid": m["uid"],
            "resourceVersion": m["resourceVersion"], "creationTimestamp": m["creationTimestamp"],
        },
        "spec": {"replicas": v.pointer("/spec/replicas").cloned().unwrap_or(json!(1))},
        "status": {"replicas": v.pointer("/status/replicas").cloned().unwrap_or(json!(0)), "selector": selector.unwrap_or_default()},
    })
}

fn target(group: &str, version: &str, rest: &[&str]) -> Option<Target> {
    let find = |plural: &str| {
        Kind::ALL.iter().copied().find(|k| {
            let i = k.info();
            i.group == group && i.version == version && i.plural == plural
        })
    };
    let owned = |s: Option<&&str>| s.map(|s| percent_decode(s));
    // `namespaces/<ns>/<plural>...` is a namespaced resource, unless the word after `<ns>` is not a namespaced
    // kind, in which case the path is the namespace object itself (`namespaces/<name>/status`).
    if let ["namespaces", ns, plural, tail @ ..] = rest {
        if let Some(kind) = find(plural).filter(|k| k.info().namespaced) {
            if tail.len() > 2 {
                return None;
            }
            return Some(Target {
                kind,
                namespace: Some(percent_decode(ns)),
                name: owned(tail.first()),
                subresource: owned(tail.get(1)),
            });
        }
    }
    let (plural, tail) = rest.split_first()?;
    let kind = find(plural)?;
    if tail.len() > 2 {
        return None;
    }
    Some(Target { kind, namespace: None, name: owned(tail.first()), subresource: owned(tail.get(1)) })
}

fn resource_version_of(obj: &Object) -> u64 {
    obj.metadata().resource_version.as_deref().and_then(|rv| rv.parse().ok()).unwrap_or(0)
}

/// A `<Kind>List`; its items carry no `kind`/`apiVersion`, as on a real server.
fn list_json(kind: Kind, items: &[Arc<Object>], resource_version: u64) -> Value {
    let items: Vec<Value> = items
        .iter()
        .map(|o| {
            let mut v = o.to_json();
            if let Some(m) = v.as_object_mut() {
                m.remove("kind");
                m.remove("apiVersion");
            }
            v
        })
        .collect();
    json!({
        "kind": format!("{}List", kind.info().kind),
        "apiVersion": kind.info().api_version(),
        "metadata": {"resourceVersion": resource_version.to_string()},
        "items": items,
    })
}

/// Fills `details` the way the apiserver does for errors about one named object: the resource's plural and
/// group, and the name.
fn with_details(mut e: ApiError, target: &Target) -> ApiError {
    if e.details.is_none() {
        if let Some(name) = &target.name {
            e.details = Some((target.kind.info().plural.to_string(), name.clone()));
        }
    }
    e
}

/// A `metav1.Status` error body.
pub fn status_json(e: &ApiError, group: &str) -> Value {
    let mut details = serde_json::Map::new();
    if let Some((kind, name)) = &e.details {
        details.insert("name".into(), json!(name));
        if !group.is_empty() {
            details.insert("group".into(), json!(group));
        }
        details.insert("kind".into(), json!(kind));
    }
    if !e.causes.is_empty() {
        // `field` is `omitempty` in `metav1.StatusCause` (a DisruptionBudget cause has none).
        let causes: Vec<Value> = e
            .causes
            .iter()
            .map(|c| {
                let mut v = json!({"reason": c.reason, "message": c.message});
                if !c.field.is_empty() {
                    v["field"] = json!(c.field);
                }
                v
            })
            .collect();
        details.insert("causes".into(), Value::Array(causes));
    }
    let mut body =
        json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": e.message});
    if !e.reason.is_empty() {
        body["reason"] = json!(e.reason);
    }
    if !details.is_empty() {
        body["details"] = Value::Object(details);
    }
    body["code"] = json!(e.code);
    body
}

fn method_not_allowed() -> ApiError {
    ApiError::new(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")
}

pub(super) fn status(e: &ApiError, warnings: &[String]) -> Response<Out> {
    let group = Kind::ALL
        .iter()
        .find(|k| e.details.as_ref().is_some_and(|(kind, _)| kind == k.info().plural || kind == k.info().kind))
        .map(|k| k.info().group)
        .unwrap_or("");
    let code = StatusCode::from_u16(e.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    json_response(code, &status_json(e, group), warnings)
}

fn not_found_path() -> Response<Out> {
    let body = json!({
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": "the server could not find the requested resource", "reason": "NotFound",
        "details": {}, "code": 404
    });
    json_response(StatusCode::NOT_FOUND, &body, &[])
}

fn found(doc: Option<Value>) -> Response<Out> {
    doc.map(|d| json_response(StatusCode::OK, &d, &[])).unwrap_or_else(not_found_path)
}

fn aggregated(doc: &Value) -> Response<Out> {
    text(StatusCode::OK, discovery::AGGREGATED_CONTENT_TYPE, Bytes::from(doc.to_string()))
}

fn text(code: StatusCode, content_type: &'static str, body: Bytes) -> Response<Out> {
    let mut response = Response::new(Out::full(body));
    *response.status_mut() = code;
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

pub(super) fn json_response(code: StatusCode, value: &Value, warnings: &[String]) -> Response<Out> {
    let mut response = text(code, "application/json", Bytes::from(value.to_string()));
    for w in warnings {
        // `299 - "text"`, with the text quoted as an HTTP quoted-string; a warning that cannot be a header
        // value (control characters, non-ASCII) is dropped rather than failing the response.
        let quoted = w.replace('\\', "\\\\").replace('"', "\\\"");
        if let Ok(v) = HeaderValue::from_str(&format!("299 - \"{quoted}\"")) {
            response.headers_mut().append("Warning", v);
        }
    }
    response
}

/// The decoded query string, in order (`dryRun` may repeat).
pub(super) struct Query(Vec<(String, String)>);

impl Query {
    pub(super) fn parse(q: &str) -> Query {
        Query(
            q.split('&')
                .filter(|p| !p.is_empty())
                .map(|p| {
                    let (k, v) = p.split_once('=').unwrap_or((p, ""));
                    (percent_decode(k), percent_decode(v))
                })
                .collect(),
        )
    }

    pub(super) fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// A boolean parameter, read as Go's `strconv.ParseBool` reads it (`true`, `True`, `1`, `t`, …): the Python
    /// client sends `watch=True`.
    pub(super) fn flag(&self, key: &str) -> bool {
        matches!(self.get(key), Some("1" | "t" | "T" | "true" | "TRUE" | "True"))
    }

    pub(super) fn all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0.iter().filter(move |(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

/// URL query decoding: `%XX` escapes and `+` for a space.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"), 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_kinds_namespaces_objects_and_subresources() {
        let t = target("", "v1", &["namespaces", "dev", "pods", "web", "status"]).unwrap();
        assert_eq!((t.kind, t.namespace.as_deref(), t.name.as_deref()), (Kind::Pod, Some("dev"), Some("web")));
        assert_eq!(t.subresource.as_deref(), Some("status"));
        // A namespace itself, and its status.
        let t = target("", "v1", &["namespaces", "dev"]).unwrap();
        assert_eq!((t.kind, t.namespace, t.name.as_deref()), (Kind::Namespace, None, Some("dev")));
        let t = target("", "v1", &["namespaces", "dev", "status"]).unwrap();
        assert_eq!((t.kind, t.subresource.as_deref()), (Kind::Namespace, Some("status")));
        let t = target("apps", "v1", &["deployments"]).unwrap();
        assert_eq!((t.kind, t.namespace, t.name), (Kind::Deployment, None, None));
        assert!(target("apps", "v1", &["pods"]).is_none());
        assert!(target("", "v1", &["namespaces", "dev", "pods", "a", "b", "c"]).is_none());
        assert!(target("", "v1", &[]).is_none());
    }

    #[test]
    fn queries_are_decoded() {
        let q = Query::parse("labelSelector=app%3Dweb%2Ctier+in+(a)&dryRun=All&dryRun=x&bad=%zz&end=%4");
        assert_eq!(q.get("labelSelector"), Some("app=web,tier in (a)"));
        assert_eq!(q.all("dryRun").collect::<Vec<_>>(), ["All", "x"]);
        assert_eq!(q.get("bad"), Some("%zz"));
        assert_eq!(q.get("end"), Some("%4"));
        let q = Query::parse("watch=True&allowWatchBookmarks=1&sendInitialEvents=yes");
        assert!(q.flag("watch") && q.flag("allowWatchBookmarks"));
        assert!(!q.flag("sendInitialEvents") && !q.flag("missing"));
    }

    #[test]
    fn errors_are_status_bodies() {
        let e = with_details(
            ApiError::not_found(Kind::Deployment, "web"),
            &target("apps", "v1", &["namespaces", "default", "deployments", "web"]).unwrap(),
        );
        let body = status_json(&e, "apps");
        assert_eq!(
            body,
            json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": "deployments.apps \"web\" not found", "reason": "NotFound",
                "details": {"name": "web", "group": "apps", "kind": "deployments"}, "code": 404})
        );
    }
}
