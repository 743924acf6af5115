//! How each verb is carried out against the store. See the module docs of `apiserver`.

use serde_json::Value;

use super::decode::{decode, DecodeError};
use super::selectors::{FieldSelector, LabelSelector};
use super::{Body, FieldValidation, PatchType, Propagation, Request, Response, Verb};
use crate::admission;
use crate::clock::api_time;
use crate::cluster::Cluster;
use crate::error::ApiError;
use crate::event_log::{Change, LogEntry};
use crate::object::{Kind, Object};
use crate::store::ObjectKey;

/// The apiserver refuses request bodies above 3 MiB (`maxRequestBodyBytes`).
pub const MAX_REQUEST_BYTES: usize = 3 * 1024 * 1024;

/// Kinds whose `metadata.generation` counts spec changes.
fn has_generation(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Pod
            | Kind::Deployment
            | Kind::ReplicaSet
            | Kind::StatefulSet
            | Kind::DaemonSet
            | Kind::Job
            | Kind::CronJob
            | Kind::PodDisruptionBudget
    )
}

/// Kinds with a `status` subresource: writes to the main resource leave their status alone.
fn has_status_subresource(kind: Kind) -> bool {
    !matches!(
        kind,
        Kind::ConfigMap
            | Kind::Secret
            | Kind::ServiceAccount
            | Kind::Endpoints
            | Kind::EndpointSlice
            | Kind::Event
            | Kind::Lease
            | Kind::StorageClass
    )
}

/// Field selectors each kind supports besides `metadata.name` and `metadata.namespace`.
fn extra_field_labels(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Pod => &[
            "spec.nodeName",
            "spec.restartPolicy",
            "spec.schedulerName",
            "spec.serviceAccountName",
            "spec.hostNetwork",
            "status.phase",
            "status.podIP",
            "status.nominatedNodeName",
        ],
        Kind::Node => &["spec.unschedulable"],
        Kind::Event => &[
            "involvedObject.kind",
            "involvedObject.namespace",
            "involvedObject.name",
            "involvedObject.uid",
            "involvedObject.apiVersion",
            "involvedObject.resourceVersion",
            "involvedObject.fieldPath",
            "reason",
            "reportingComponent",
            "source",
            "type",
        ],
        Kind::Secret => &["type"],
        Kind::Namespace => &["status.phase"],
        Kind::ReplicaSet | Kind::StatefulSet => &["status.replicas"],
        Kind::Job => &["status.successful"],
        _ => &[],
    }
}

impl Cluster {
    /// Handles one API request on behalf of `actor` (`kubectl`, a controller's name, …).
    pub fn handle(&mut self, actor: &str, req: Request) -> Response {
        let mut warnings = Vec::new();
        match self.machines.quorum() {
            crate::machines::Quorum::Healthy { .. } => {}
            crate::machines::Quorum::Lost { .. } => {
                return Response { result: Err(ApiError::new(500, "", "etcdserver: request timed out")), warnings };
            }
            crate::machines::Quorum::NoApiServer => {
                let msg = format!(
                    "The connection to the server {} was refused - did you specify the right host or port?",
                    crate::machines::API_SERVER_ENDPOINT
                );
                return Response { result: Err(ApiError::new(0, "", msg)), warnings };
            }
        }
        let result = match req.verb {
            Verb::Get => self.api_get(&req).map(Body::Object),
            Verb::List => self.api_list(&req),
            Verb::Create => self.api_create(actor, &req, &mut warnings).map(Body::Object),
            Verb::Update => self.api_update(actor, &req, &mut warnings).map(Body::Object),
            Verb::Patch => self.api_patch(actor, &req, &mut warnings).map(Body::Object),
            Verb::Delete => self.api_delete(actor, &req).map(Body::Object),
            Verb::DeleteCollection => self.api_delete_collection(actor, &req),
        };
        Response { result, warnings }
    }

    fn key_of(req: &Request) -> Result<ObjectKey, ApiError> {
        let name = req.name.as_deref().unwrap_or_default();
        if name.is_empty() {
            return Err(ApiError::new(
                405,
                "MethodNotAllowed",
                "the server does not allow this method on the requested resource",
            ));
        }
        Ok(ObjectKey::new(req.kind, req.namespace.as_deref().unwrap_or_default(), name))
    }

    fn api_get(&self, req: &Request) -> Result<Object, ApiError> {
        let key = Self::key_of(req)?;
        self.store.get(&key).cloned().ok_or_else(|| ApiError::not_found(req.kind, &key.name))
    }

    fn api_list(&self, req: &Request) -> Result<Body, ApiError> {
        let labels = match &req.options.label_selector {
            Some(s) => LabelSelector::parse(s).map_err(ApiError::bad_request)?,
            None => LabelSelector::default(),
        };
        let fields = match &req.options.field_selector {
            Some(s) => {
                let sel = FieldSelector::parse(s).map_err(ApiError::bad_request)?;
                let mut supported = vec!["metadata.name", "metadata.namespace"];
                supported.extend_from_slice(extra_field_labels(req.kind));
                if let Some(f) = sel.unsupported_field(&supported) {
                    let info = req.kind.info();
                    return Err(ApiError::bad_request(format!(
                        "Unable to find {{\"{}\" \"{}\" \"{}\"}} that match label selector \"{}\", field selector \"{}\": field label not supported: {f}",
                        info.group,
                        info.version,
                        info.plural,
                        req.options.label_selector.as_deref().unwrap_or(""),
                        s
                    )));
                }
                Some(sel)
            }
            None => None,
        };
        let items = self
            .store
            .list_shared(req.kind, req.namespace.as_deref())
            .filter(|o| labels.matches(o.metadata().labels.as_ref()))
            .filter(|o| fields.as_ref().is_none_or(|f| f.matches(&o.to_json())))
            .cloned()
            .collect();
        Ok(Body::List { items, resource_version: self.store.resource_version() })
    }

    /// Checks `apiVersion`/`kind` of a body against the resource it was sent to, then decodes it.
    fn decode_body(&self, req: &Request, warnings: &mut Vec<String>) -> Result<Object, ApiError> {
        let body = req.body.as_ref().ok_or_else(|| ApiError::bad_request("the body of the request was empty"))?;
        let size = serde_json::to_vec(body).map(|b| b.len()).unwrap_or(0);
        if size > MAX_REQUEST_BYTES {
            return Err(ApiError::new(
                413,
                "RequestEntityTooLarge",
                format!("Request entity too large: limit is {MAX_REQUEST_BYTES}"),
            ));
        }
        let info = req.kind.info();
        let api_version = body.get("apiVersion").and_then(Value::as_str).unwrap_or_default();
        let kind = body.get("kind").and_then(Value::as_str).unwrap_or_default();
        if kind.is_empty() {
            return Err(ApiError::bad_request(format!("Object 'Kind' is missing in '{body}'")));
        }
        if api_version != info.api_version() || kind != info.kind {
            return Err(ApiError::bad_request(format!(
                "the API version in the data ({api_version}) does not match the expected API version ({})",
                info.api_version()
            )));
        }
        let handled_as = format!("{} in version \"{}\" cannot be handled as a {}", info.kind, info.version, info.kind);
        let decoded = decode(req.kind, body)
            .map_err(|DecodeError::Type(msg)| ApiError::bad_request(format!("{handled_as}: {msg}")))?;
        if !decoded.unknown_fields.is_empty() {
            let list: Vec<String> = decoded.unknown_fields.iter().map(|f| format!("unknown field \"{f}\"")).collect();
            match req.options.field_validation {
                FieldValidation::Strict => {
                    return Err(ApiError::bad_request(format!(
                        "{handled_as}: strict decoding error: {}",
                        list.join(", ")
                    )))
                }
                FieldValidation::Warn => warnings.extend(list),
                FieldValidation::Ignore => {}
            }
        }
        Ok(decoded.object)
    }

    fn require_namespace(&self, ns: &str, creating: bool) -> Result<(), ApiError> {
        let Some(obj) = self.store.get(&ObjectKey::new(Kind::Namespace, "", ns)) else {
            return Err(ApiError::not_found(Kind::Namespace, ns));
        };
        if creating && obj.metadata().deletion_timestamp.is_some() {
            return Err(ApiError::forbidden(format!(
                "unable to create new content in namespace {ns} because it is being terminated"
            )));
        }
        Ok(())
    }

    fn api_create(&mut self, actor: &str, req: &Request, warnings: &mut Vec<String>) -> Result<Object, ApiError> {
        let mut obj = self.decode_body(req, warnings)?;
        let kind = req.kind;
        if kind.info().namespaced {
            let ns = req.namespace.clone().unwrap_or_else(|| "default".into());
            match obj.metadata().namespace.as_deref() {
                Some(n) if !n.is_empty() && n != ns => {
                    return Err(ApiError::bad_request(
                        "the namespace of the provided object does not match the namespace sent on the request",
                    ))
                }
                _ => obj.metadata_mut().namespace = Some(ns.clone()),
            }
            self.require_namespace(&ns, true)?;
        } else {
            obj.metadata_mut().namespace = None;
        }
        let meta = obj.metadata_mut();
        if meta.name.as_deref().unwrap_or_default().is_empty() {
            match meta.generate_name.clone().filter(|g| !g.is_empty()) {
                Some(prefix) => {
                    // The apiserver trims the prefix so that prefix + 5 characters fits in 63.
                    let prefix: String = prefix.chars().take(58).collect();
                    meta.name = Some(format!("{prefix}{}", self.rng.name_suffix(5)));
                }
                None => {
                    let err = admission::field::required(
                        &admission::Path::new("metadata").child("name"),
                        "name or generateName is required",
                    );
                    return Err(admission::invalid_error(kind, "", &[err]));
                }
            }
        }
        // Fields a client may not set on create.
        let meta = obj.metadata_mut();
        meta.uid = None;
        meta.resource_version = None;
        meta.creation_timestamp = None;
        meta.deletion_timestamp = None;
        meta.deletion_grace_period_seconds = None;
        meta.generation = None;
        // The apiserver's order: defaults, identity (uid; a Job's selector derives from it), fresh status,
        // then allocations (Service IPs, node ports, the ServiceAccount token volume), then validation.
        admission::apply_defaults(&mut obj);
        obj.metadata_mut().uid = Some(self.rng.uuid());
        if let Object::Job(job) = &mut obj {
            admission::prepare_job_selector(job);
        }
        admission::prepare_for_create(&mut obj);
        self.mutate_on_create(&mut obj)?;
        let errors = admission::validate_create(&obj);
        if !errors.is_empty() {
            return Err(admission::invalid_error(kind, obj.name(), &errors));
        }
        let key = ObjectKey::of(&obj);
        if self.store.get(&key).is_some() {
            return Err(ApiError::already_exists(kind, &key.name));
        }
        if req.options.dry_run {
            return Ok(obj);
        }
        let created = self.create(actor, obj, "created through the API")?.clone();
        Ok(created)
    }

    fn api_update(&mut self, actor: &str, req: &Request, warnings: &mut Vec<String>) -> Result<Object, ApiError> {
        let key = Self::key_of(req)?;
        let current = self.store.get(&key).cloned().ok_or_else(|| ApiError::not_found(req.kind, &key.name))?;
        let obj = self.decode_body(req, warnings)?;
        if obj.name() != key.name {
            return Err(ApiError::bad_request(format!(
                "the name of the object ({}) does not match the name on the URL ({})",
                obj.name(),
                key.name
            )));
        }
        if let Some(rv) = obj.metadata().resource_version.as_deref().filter(|rv| !rv.is_empty()) {
            if Some(rv) != current.metadata().resource_version.as_deref() {
                return Err(ApiError::conflict(req.kind, &key.name));
            }
        }
        self.write_update(actor, current, obj, req.options.dry_run, "updated through the API")
    }

    fn api_patch(&mut self, actor: &str, req: &Request, warnings: &mut Vec<String>) -> Result<Object, ApiError> {
        let key = Self::key_of(req)?;
        let current = self.store.get(&key).cloned().ok_or_else(|| ApiError::not_found(req.kind, &key.name))?;
        let patch = req.body.as_ref().ok_or_else(|| ApiError::bad_request("the body of the request was empty"))?;
        let current_json = current.to_json();
        let patched =
            crate::patch::apply_patch(&current_json, req.options.patch_type.unwrap_or(PatchType::Strategic), patch)?;
        let sub = Request { body: Some(patched), ..req.clone() };
        let obj = self.decode_body(&sub, warnings)?;
        if obj.name() != key.name {
            return Err(ApiError::bad_request("metadata.name: Invalid value: the name cannot be changed by a patch"));
        }
        self.write_update(actor, current, obj, req.options.dry_run, "patched through the API")
    }

    /// The common tail of update and patch: keep what clients cannot change, default, validate, store.
    pub(crate) fn write_update(
        &mut self,
        actor: &str,
        current: Object,
        mut obj: Object,
        dry_run: bool,
        reason: &str,
    ) -> Result<Object, ApiError> {
        let kind = current.kind();
        {
            let (old, new) = (current.metadata(), obj.metadata().clone());
            let meta = obj.metadata_mut();
            meta.namespace = old.namespace.clone();
            meta.uid = old.uid.clone();
            meta.creation_timestamp = old.creation_timestamp.clone();
            meta.deletion_timestamp = old.deletion_timestamp.clone();
            meta.deletion_grace_period_seconds = old.deletion_grace_period_seconds;
            meta.generation = old.generation;
            meta.resource_version = old.resource_version.clone();
            if new.generate_name.is_none() {
                meta.generate_name = old.generate_name.clone();
            }
        }
        if has_status_subresource(kind) {
            let mut json = obj.to_json();
            match current.to_json().get("status") {
                Some(status) => json["status"] = status.clone(),
                None => {
                    if let Some(map) = json.as_object_mut() {
                        map.remove("status");
                    }
                }
            }
            obj = decode(kind, &json).map_err(|_| ApiError::new(500, "InternalError", "re-decoding failed"))?.object;
        }
        admission::apply_defaults(&mut obj);
        admission::defaults::prepare_daemon_set_update(&current, &mut obj);
        let errors = admission::validate_update(&current, &obj);
        if !errors.is_empty() {
            return Err(admission::invalid_error(kind, obj.name(), &errors));
        }
        if has_generation(kind) && spec_of(&obj) != spec_of(&current) {
            obj.metadata_mut().generation = Some(current.metadata().generation.unwrap_or(0) + 1);
        }
        if obj == current || dry_run {
            return Ok(obj);
        }
        // An object being deleted goes once its last finalizer is removed, unless it is a pod still within its
        // grace period (its kubelet deletes it with grace 0 once its containers have stopped).
        if obj.metadata().deletion_timestamp.is_some()
            && obj.metadata().finalizers.as_ref().is_none_or(Vec::is_empty)
            && obj.metadata().deletion_grace_period_seconds.unwrap_or(0) == 0
        {
            let key = ObjectKey::of(&obj);
            self.store.remove(&key);
            self.record(actor, Change::Deleted, &key, "its last finalizer was removed");
            return Ok(obj);
        }
        let stored = self.store.replace(obj).clone();
        self.record(actor, Change::Updated, &ObjectKey::of(&stored), reason);
        Ok(stored)
    }

    fn api_delete(&mut self, actor: &str, req: &Request) -> Result<Object, ApiError> {
        let key = Self::key_of(req)?;
        let current = self.store.get(&key).cloned().ok_or_else(|| ApiError::not_found(req.kind, &key.name))?;
        if req.options.dry_run {
            return Ok(current);
        }
        Ok(self.delete_object_with_grace(actor, current, req.options.propagation, req.options.grace_period_seconds))
    }

    /// Deletes (or starts deleting) an object as the apiserver does: finalizers and propagation policy
    /// decide whether it goes now or gets a `deletionTimestamp` and waits for controllers.
    pub(crate) fn delete_object(&mut self, actor: &str, current: Object, propagation: Option<Propagation>) -> Object {
        self.delete_object_with_grace(actor, current, propagation, None)
    }

    /// [`Cluster::delete_object`] with the request's `gracePeriodSeconds`. A pod bound to a node and not yet
    /// finished is deleted gracefully, as the pod registry's `CheckGracefulDelete` decides: it gets a
    /// `deletionTimestamp` (now + grace) and stays until its kubelet has stopped its containers. Grace 0
    /// (`--force --grace-period=0`) removes it at once, even while it is terminating.
    pub(crate) fn delete_object_with_grace(
        &mut self,
        actor: &str,
        current: Object,
        propagation: Option<Propagation>,
        grace: Option<i64>,
    ) -> Object {
        let key = ObjectKey::of(&current);
        let pod_grace = match &current {
            Object::Pod(p) => {
                let spec = p.spec.clone().unwrap_or_default();
                let phase = p.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default();
                let finished = phase == "Succeeded" || phase == "Failed";
                let requested = grace.or(spec.termination_grace_period_seconds).unwrap_or(30).max(0);
                if spec.node_name.is_none() || finished {
                    Some(0)
                } else {
                    Some(requested)
                }
            }
            _ => None,
        };
        if current.metadata().deletion_timestamp.is_some() {
            let shorter = pod_grace.is_some_and(|g| g == 0 && grace == Some(0));
            if !(shorter && current.metadata().finalizers.as_ref().is_none_or(Vec::is_empty)) {
                return current;
            }
            self.store.remove(&key);
            self.record(actor, Change::Deleted, &key, "force-deleted (grace period 0) while terminating");
            return current;
        }
        if let Some(g) = pod_grace.filter(|g| *g > 0) {
            let mut obj = current;
            let meta = obj.metadata_mut();
            if let Some(Propagation::Foreground) = propagation {
                let f = meta.finalizers.get_or_insert_with(Vec::new);
                if !f.iter().any(|x| x == "foregroundDeletion") {
                    f.push("foregroundDeletion".into());
                }
            }
            meta.deletion_timestamp = Some(api_time(self.clock.now() + g as u64 * 1000));
            meta.deletion_grace_period_seconds = Some(g);
            let stored = self.store.replace(obj).clone();
            self.record(
                actor,
                Change::Updated,
                &key,
                &format!("graceful deletion: {g}s for the kubelet to stop the pod"),
            );
            return stored;
        }
        let mut obj = current;
        let mut finalizers = obj.metadata().finalizers.clone().unwrap_or_default();
        match propagation {
            Some(Propagation::Foreground) => finalizers.push("foregroundDeletion".into()),
            Some(Propagation::Orphan) => finalizers.push("orphan".into()),
            _ => {}
        }
        if key.kind == Kind::Namespace {
            // The namespace controller empties it, then drops the `kubernetes` finalizer.
            if let Object::Namespace(ns) = &mut obj {
                ns.status.get_or_insert_with(Default::default).phase = Some("Terminating".into());
            }
            finalizers.push("kubernetes".into());
        }
        if finalizers.is_empty() {
            self.store.remove(&key);
            self.record(actor, Change::Deleted, &key, "deleted through the API");
            return obj;
        }
        finalizers.dedup();
        let meta = obj.metadata_mut();
        if key.kind != Kind::Namespace {
            meta.finalizers = Some(finalizers);
        }
        meta.deletion_timestamp = Some(api_time(self.clock.now()));
        meta.deletion_grace_period_seconds = Some(0);
        let stored = self.store.replace(obj).clone();
        self.record(actor, Change::Updated, &key, "deletion started; waiting for finalizers");
        stored
    }

    fn api_delete_collection(&mut self, actor: &str, req: &Request) -> Result<Body, ApiError> {
        let items = match self.api_list(req)? {
            Body::List { items, .. } => items,
            Body::Object(o) => vec![std::sync::Arc::new(o)],
        };
        let mut deleted = Vec::new();
        for obj in items {
            if !req.options.dry_run {
                let obj = std::sync::Arc::unwrap_or_clone(obj);
                deleted.push(std::sync::Arc::new(self.delete_object_with_grace(
                    actor,
                    obj,
                    req.options.propagation,
                    req.options.grace_period_seconds,
                )));
            } else {
                deleted.push(obj);
            }
        }
        Ok(Body::List { items: deleted, resource_version: self.store.resource_version() })
    }

    pub(crate) fn record(&mut self, actor: &str, change: Change, key: &ObjectKey, reason: &str) {
        self.log.record(LogEntry {
            seq: 0,
            at_ms: self.clock.now(),
            actor: actor.to_string(),
            change,
            kind: key.kind,
            namespace: key.namespace.clone(),
            name: key.name.clone(),
            reason: reason.to_string(),
        });
    }
}

/// Everything but metadata and status: what `generation` counts changes of.
fn spec_of(obj: &Object) -> Value {
    let mut json = obj.to_json();
    if let Some(map) = json.as_object_mut() {
        map.remove("metadata");
        map.remove("status");
    }
    json
}
