//! How each verb is carried out against the store. See the module docs of `apiserver`.

use serde_json::Value;

use super::decode::{decode, DecodeError};
use super::managed;
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
pub(crate) fn has_status_subresource(kind: Kind) -> bool {
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
            | Kind::ControllerRevision
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
        if req.kind == Kind::Endpoints {
            // The deprecation warning the API server attaches to every v1 Endpoints request since v1.33.
            warnings.push("v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice".into());
        }
        self.fields.in_api = true;
        let result = match req.verb {
            Verb::Get => self.api_get(&req).map(Body::Object),
            Verb::List => self.api_list(&req),
            Verb::Create => self.api_create(actor, &req, &mut warnings).map(Body::Object),
            Verb::Update => self.api_update(actor, &req, &mut warnings).map(Body::Object),
            Verb::Patch => self.api_patch(actor, &req, &mut warnings).map(Body::Object),
            Verb::Delete => self.api_delete(actor, &req).map(Body::Object),
            Verb::DeleteCollection => self.api_delete_collection(actor, &req),
        };
        self.fields.in_api = false;
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
        // The field manager runs after decoding (which defaults) and before the admission plugins, so what
        // they add (the ServiceAccount name, tolerations, priority, the token volume) has no manager.
        admission::set_defaults(&mut obj);
        self.track_create(actor, req, &mut obj);
        admission::admit(&mut obj);
        self.identify_and_validate(kind, &mut obj)?;
        warnings.extend(crate::controllers::volumes::warnings_for(&obj));
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
        let writer = Some(self.writer(actor, req));
        self.write_update_as(actor, current, obj, req.options.dry_run, "updated through the API", writer)
    }

    fn api_patch(&mut self, actor: &str, req: &Request, warnings: &mut Vec<String>) -> Result<Object, ApiError> {
        let key = Self::key_of(req)?;
        let current = match self.store.get(&key).cloned() {
            Some(c) => c,
            // Server-side apply creates what does not exist yet.
            None if req.options.patch_type == Some(PatchType::Apply) => {
                return self.api_apply(actor, req, None, warnings);
            }
            None => return Err(ApiError::not_found(req.kind, &key.name)),
        };
        let patch = req.body.as_ref().ok_or_else(|| ApiError::bad_request("the body of the request was empty"))?;
        if req.options.patch_type == Some(PatchType::Apply) {
            return self.api_apply(actor, req, Some(current), warnings);
        }
        let current_json = current.to_json();
        let patched =
            crate::patch::apply_patch(&current_json, req.options.patch_type.unwrap_or(PatchType::Strategic), patch)?;
        let sub = Request { body: Some(patched), ..req.clone() };
        let obj = self.decode_body(&sub, warnings)?;
        if obj.name() != key.name {
            return Err(ApiError::bad_request("metadata.name: Invalid value: the name cannot be changed by a patch"));
        }
        let writer = Some(self.writer(actor, req));
        self.write_update_as(actor, current, obj, req.options.dry_run, "patched through the API", writer)
    }

    /// The common tail of update and patch: keep what clients cannot change, default, validate, store. The
    /// managedFields of a controller's write are recorded when it is logged (`track_fields`).
    pub(crate) fn write_update(
        &mut self,
        actor: &str,
        current: Object,
        obj: Object,
        dry_run: bool,
        reason: &str,
    ) -> Result<Object, ApiError> {
        self.write_update_as(actor, current, obj, dry_run, reason, None)
    }

    /// [`Cluster::write_update`] for an API request: `writer` names the field manager, or `None` when the
    /// request's managedFields are already computed (server-side apply).
    fn write_update_as(
        &mut self,
        actor: &str,
        current: Object,
        mut obj: Object,
        dry_run: bool,
        reason: &str,
        writer: Option<FieldWriter>,
    ) -> Result<Object, ApiError> {
        let kind = current.kind();
        let status_write = writer.as_ref().is_some_and(|w| w.subresource == "status");
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
            // A write to the status subresource changes the status and nothing else; any other write keeps it.
            obj = if status_write {
                with_status_of(kind, &current, &obj)?
            } else {
                with_status_of(kind, &obj, &current)?
            };
        }
        admission::apply_defaults(&mut obj);
        admission::defaults::prepare_daemon_set_update(&current, &mut obj);
        if !status_write {
            self.mutate_on_update(&current, &mut obj);
        }
        let errors = admission::validate_update(&current, &obj);
        if !errors.is_empty() {
            return Err(admission::invalid_error(kind, obj.name(), &errors));
        }
        if !status_write {
            self.admit_claim_resize(&current, &obj)?;
        }
        if has_generation(kind) && spec_of(&obj) != spec_of(&current) {
            obj.metadata_mut().generation = Some(current.metadata().generation.unwrap_or(0) + 1);
        }
        if let Some(w) = writer {
            self.track_update(&w, &current, &mut obj);
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
        if matches!(change, Change::Created | Change::Updated) {
            self.track_fields(actor, key);
        }
    }
}

/// Who writes, for the field manager: the manager name and the subresource written.
pub(crate) struct FieldWriter {
    manager: String,
    subresource: String,
}

impl Cluster {
    fn writer(&self, actor: &str, req: &Request) -> FieldWriter {
        FieldWriter {
            manager: req.options.field_manager.clone().unwrap_or_else(|| managed::manager_for_actor(actor)),
            subresource: req.options.subresource.clone().unwrap_or_default(),
        }
    }

    /// The managedFields of a create (`FieldManager.UpdateNoErrors` against the empty object), from the
    /// request's own managedFields if it sends any.
    fn track_create(&self, actor: &str, req: &Request, obj: &mut Object) {
        let w = self.writer(actor, req);
        let kind = obj.kind();
        let api_version = kind.info().api_version();
        let writer = managed::Writer {
            manager: &w.manager,
            subresource: &w.subresource,
            api_version: &api_version,
            now: api_time(self.clock.now()),
        };
        let entries = managed::decode_sent(obj.metadata().managed_fields.as_ref());
        let entries = managed::update(kind, None, &obj.to_json(), entries, &writer);
        obj.metadata_mut().managed_fields = managed::encode(entries);
    }

    /// The managedFields of an update or patch: from the new object if it carries any (a client may set
    /// them), else from the live object.
    fn track_update(&self, w: &FieldWriter, current: &Object, obj: &mut Object) {
        let kind = obj.kind();
        let api_version = kind.info().api_version();
        let writer = managed::Writer {
            manager: &w.manager,
            subresource: &w.subresource,
            api_version: &api_version,
            now: api_time(self.clock.now()),
        };
        // The live object's entries as stored, unless the write brings others (a client may set them).
        let sent = &obj.metadata().managed_fields;
        let mut entries = if *sent == current.metadata().managed_fields {
            managed::decode(sent.as_ref())
        } else {
            managed::decode_sent(sent.as_ref())
        };
        if entries.is_empty() {
            entries = managed::decode(current.metadata().managed_fields.as_ref());
        }
        let entries = managed::update(kind, Some(&current.to_json()), &obj.to_json(), entries, &writer);
        obj.metadata_mut().managed_fields = managed::encode(entries);
    }

    /// Server-side apply (`PATCH` with `application/apply-patch+yaml`): merge the applied configuration into
    /// the live object (or the empty one, creating it), move field ownership, then the usual create or update.
    fn api_apply(
        &mut self,
        actor: &str,
        req: &Request,
        current: Option<Object>,
        warnings: &mut Vec<String>,
    ) -> Result<Object, ApiError> {
        let key = Self::key_of(req)?;
        let config = req.body.clone().ok_or_else(|| ApiError::bad_request("the body of the request was empty"))?;
        if !config.is_object() {
            return Err(ApiError::bad_request(format!("error decoding YAML: {config} is not an object")));
        }
        let w = self.writer(actor, req);
        let kind = req.kind;
        let api_version = kind.info().api_version();
        let writer = managed::Writer {
            manager: &w.manager,
            subresource: &w.subresource,
            api_version: &api_version,
            now: api_time(self.clock.now()),
        };
        let live = current.as_ref().map(Object::to_json);
        let entries = managed::decode(current.as_ref().and_then(|c| c.metadata().managed_fields.as_ref()));
        let (mut merged, entries) = managed::apply(kind, live.as_ref(), &config, entries, &writer, req.options.force)
            .map_err(|c| managed::conflict_error(&c))?;
        // The URL names the object.
        if let Some(meta) = merged.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.insert("name".into(), Value::String(key.name.clone()));
            if kind.info().namespaced {
                meta.insert("namespace".into(), Value::String(key.namespace.clone()));
            }
            meta.remove("managedFields");
        }
        let info = kind.info();
        if let Some(map) = merged.as_object_mut() {
            map.entry("apiVersion").or_insert_with(|| Value::String(info.api_version()));
            map.entry("kind").or_insert_with(|| Value::String(info.kind.to_string()));
        }
        let sub = Request { body: Some(merged), ..req.clone() };
        let mut obj = self.decode_body(&sub, warnings)?;
        obj.metadata_mut().managed_fields = managed::encode(entries);
        match current {
            None => self.create_applied(actor, req, obj),
            Some(current) => {
                self.write_update_as(actor, current, obj, req.options.dry_run, "applied through the API", None)
            }
        }
    }

    /// The create half of server-side apply: the managedFields are the applier's alone (defaults have no
    /// manager), then defaults, admission, validation and the store as for a create.
    fn create_applied(&mut self, actor: &str, req: &Request, mut obj: Object) -> Result<Object, ApiError> {
        let kind = req.kind;
        if kind.info().namespaced {
            self.require_namespace(req.namespace.as_deref().unwrap_or("default"), true)?;
        }
        admission::apply_defaults(&mut obj);
        self.identify_and_validate(kind, &mut obj)?;
        if req.options.dry_run {
            return Ok(obj);
        }
        Ok(self.create(actor, obj, "created by a server-side apply")?.clone())
    }

    /// Records the managedFields of a write the API layer did not handle itself (a controller, the scheduler
    /// or a kubelet writing the store directly), once it is logged: the writer's manager (its binary, as
    /// the apiserver derives it from the User-Agent) takes what changed, status changes as the `status`
    /// subresource. A binding (`pods/binding`) and the start of a deletion do not go through the field
    /// manager on a real apiserver, so they change no managedFields.
    pub(crate) fn track_fields(&mut self, actor: &str, key: &ObjectKey) {
        if self.fields.in_api {
            return;
        }
        let Some(change) = self.store.latest_change() else { return };
        if change.resource_version <= self.fields.tracked_rv
            || change.kind == crate::store::WatchEventType::Deleted
            || ObjectKey::of(&change.object) != *key
        {
            return;
        }
        self.fields.tracked_rv = change.resource_version;
        let (new, prev) = (change.object.clone(), change.prev.clone());
        if let Some(prev) = &prev {
            let bound = |o: &Object| match o {
                Object::Pod(p) => p.spec.as_ref().and_then(|s| s.node_name.clone()),
                _ => None,
            };
            let binding = bound(prev).is_none() && bound(&new).is_some();
            let deleting = prev.metadata().deletion_timestamp.is_none() && new.metadata().deletion_timestamp.is_some();
            if binding || deleting {
                return;
            }
        }
        let manager = managed::manager_for_actor(actor);
        let kind = key.kind;
        let api_version = kind.info().api_version();
        let now = api_time(self.clock.now());
        let (new_json, old_json) = match (new.as_ref(), prev.as_deref()) {
            (Object::Pod(n), Some(Object::Pod(o))) => {
                let (n, o) = lean_pod_pair(n, o);
                (n, Some(o))
            }
            _ => (new.to_json(), prev.as_ref().map(|p| p.to_json())),
        };
        let had_prev = old_json.is_some();
        let (changed, removed) = managed::changes_owned(kind, old_json, &new_json);
        if had_prev && changed.is_empty() && removed.is_empty() {
            // Nothing any manager owns moved (e.g. only the resourceVersion): the entries stay as stored.
            return;
        }
        let entries = managed::decode(new.metadata().managed_fields.as_ref());
        let subresources: &[&str] = if has_status_subresource(kind) { &["", "status"] } else { &[""] };
        let writers: Vec<managed::Writer> = subresources
            .iter()
            .map(|sub| managed::Writer {
                manager: &manager,
                subresource: sub,
                api_version: &api_version,
                now: now.clone(),
            })
            .collect();
        let entries = managed::apply_changes(kind, &changed, &removed, entries, &writers);
        let encoded = managed::encode(entries);
        if encoded != new.metadata().managed_fields {
            // This reference goes first, so the store may change its object in place rather than copy it.
            drop(new);
            self.store.amend_latest_with(|obj| obj.metadata_mut().managed_fields = encoded);
        }
    }
}

/// The JSON of two versions of a pod as the field manager compares them, made cheaply: without `managedFields`
/// (the fieldmanager strips them anyway), and with `metadata`, `spec` or `status` as `null` in both when the two
/// versions hold equal ones (metadata: apart from the resourceVersion, which is stripped too). `Compare` finds
/// nothing in equal subtrees, and a pod's zero object adds no field under them, so a status write serializes
/// neither metadata nor spec, and a bind no status.
fn lean_pod_pair(new: &k8s_openapi::api::core::v1::Pod, old: &k8s_openapi::api::core::v1::Pod) -> (Value, Value) {
    let same_spec = new.spec.is_some() && new.spec == old.spec;
    let same_status = new.status.is_some() && new.status == old.status;
    // Metadata equal but for the resourceVersion (which the fieldmanager strips, like managedFields) is
    // `null` in both as well: `Compare` would find only stripped fields in it.
    let same_metadata = {
        let (n, o) = (&new.metadata, &old.metadata);
        n.annotations == o.annotations
            && n.creation_timestamp == o.creation_timestamp
            && n.deletion_grace_period_seconds == o.deletion_grace_period_seconds
            && n.deletion_timestamp == o.deletion_timestamp
            && n.finalizers == o.finalizers
            && n.generate_name == o.generate_name
            && n.generation == o.generation
            && n.labels == o.labels
            && n.name == o.name
            && n.namespace == o.namespace
            && n.owner_references == o.owner_references
            && n.self_link == o.self_link
            && n.uid == o.uid
    };
    let lean = |p: &k8s_openapi::api::core::v1::Pod| {
        let mut map = serde_json::Map::new();
        map.insert("apiVersion".into(), Value::from("v1"));
        map.insert("kind".into(), Value::from("Pod"));
        let metadata = if same_metadata {
            Value::Null
        } else {
            let m = &p.metadata;
            api_json(&k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
                annotations: m.annotations.clone(),
                creation_timestamp: m.creation_timestamp.clone(),
                deletion_grace_period_seconds: m.deletion_grace_period_seconds,
                deletion_timestamp: m.deletion_timestamp.clone(),
                finalizers: m.finalizers.clone(),
                generate_name: m.generate_name.clone(),
                generation: m.generation,
                labels: m.labels.clone(),
                managed_fields: None,
                name: m.name.clone(),
                namespace: m.namespace.clone(),
                owner_references: m.owner_references.clone(),
                resource_version: m.resource_version.clone(),
                self_link: m.self_link.clone(),
                uid: m.uid.clone(),
            })
        };
        map.insert("metadata".into(), metadata);
        if let Some(spec) = &p.spec {
            map.insert("spec".into(), if same_spec { Value::Null } else { api_json(spec) });
        }
        if let Some(status) = &p.status {
            map.insert("status".into(), if same_status { Value::Null } else { api_json(status) });
        }
        Value::Object(map)
    };
    (lean(new), lean(old))
}

fn api_json<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).expect("API types always serialize")
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

impl Cluster {
    /// The part of a create after defaulting that a plain create and a creating apply share: identity (uid; a
    /// Job's selector derives from it), fresh status, allocations, then validation.
    fn identify_and_validate(&mut self, kind: Kind, obj: &mut Object) -> Result<(), ApiError> {
        obj.metadata_mut().uid = Some(self.rng.uuid());
        if let Object::Job(job) = obj {
            admission::prepare_job_selector(job);
        }
        admission::prepare_for_create(obj);
        self.mutate_on_create(obj)?;
        let errors = admission::validate_create(obj);
        if !errors.is_empty() {
            return Err(admission::invalid_error(kind, obj.name(), &errors));
        }
        Ok(())
    }
}

/// `object` with the status of `source` (without one if `source` has none), decoded again.
fn with_status_of(kind: Kind, object: &Object, source: &Object) -> Result<Object, ApiError> {
    let mut json = object.to_json();
    match source.to_json().get("status") {
        Some(status) => json["status"] = status.clone(),
        None => {
            if let Some(map) = json.as_object_mut() {
                map.remove("status");
            }
        }
    }
    decode(kind, &json).map(|d| d.object).map_err(|_| ApiError::new(500, "InternalError", "re-decoding failed"))
}
