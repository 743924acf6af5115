//! The API server: the one door through which everything reads and changes the cluster.
//!
//! kubectl (in the page and in `kubeground run`), the HTTP server of `kubeground serve`, and the cluster's own
//! controllers all send [`Request`]s here, so behaviour cannot drift between them. A request is handled as the
//! real apiserver does: decode strictly, check type and namespace, default, validate, then write to the store
//! and record the change in the event log. Errors are [`ApiError`]s (a `metav1.Status` as data).

pub mod decode;
pub mod eviction;
mod handler;
pub mod managed;
mod mutate;
pub mod selectors;

use std::sync::Arc;

use serde_json::Value;

use crate::error::ApiError;
use crate::object::{Kind, Object};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verb {
    Get,
    List,
    Create,
    Update,
    Patch,
    Delete,
    DeleteCollection,
}

pub use crate::patch::PatchType;

/// `fieldValidation`: what to do with unknown fields in a body.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FieldValidation {
    /// Reject the request (kubectl's default, `--validate=strict`).
    #[default]
    Strict,
    /// Accept it and warn (`--validate=warn`).
    Warn,
    /// Accept it silently (`--validate=false`).
    Ignore,
}

/// `propagationPolicy` of a delete.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Propagation {
    Background,
    Foreground,
    Orphan,
}

#[derive(Clone, Debug, Default)]
pub struct RequestOptions {
    pub label_selector: Option<String>,
    pub field_selector: Option<String>,
    /// `dryRun=All`: run every step but the write.
    pub dry_run: bool,
    pub field_validation: FieldValidation,
    pub propagation: Option<Propagation>,
    pub grace_period_seconds: Option<i64>,
    pub patch_type: Option<PatchType>,
    /// `fieldManager`: who owns what this write sets. Without it the apiserver names the manager after the
    /// client's User-Agent (`managed::manager_for_actor` of the actor).
    pub field_manager: Option<String>,
    /// `force`: a server-side apply takes the fields other managers own instead of failing with a conflict.
    pub force: bool,
    /// The subresource written (`status`, `scale`), as recorded in `managedFields`.
    pub subresource: Option<String>,
}

/// Field ownership bookkeeping of the cluster (see `managed`).
#[derive(Clone, Debug, Default)]
pub struct FieldTracking {
    /// True while `Cluster::handle` runs: the API layer records managedFields itself.
    pub(crate) in_api: bool,
    /// The last store version whose managedFields were recorded.
    pub(crate) tracked_rv: u64,
}

/// One API request. `namespace` is `None` for cluster-scoped kinds and for lists across all namespaces.
#[derive(Clone, Debug)]
pub struct Request {
    pub verb: Verb,
    pub kind: Kind,
    pub namespace: Option<String>,
    pub name: Option<String>,
    pub body: Option<Value>,
    pub options: RequestOptions,
}

impl Request {
    pub fn new(verb: Verb, kind: Kind) -> Request {
        Request { verb, kind, namespace: None, name: None, body: None, options: RequestOptions::default() }
    }

    pub fn namespace(mut self, ns: impl Into<String>) -> Request {
        if self.kind.info().namespaced {
            self.namespace = Some(ns.into());
        }
        self
    }

    pub fn name(mut self, name: impl Into<String>) -> Request {
        self.name = Some(name.into());
        self
    }

    pub fn body(mut self, body: Value) -> Request {
        self.body = Some(body);
        self
    }

    pub fn options(mut self, options: RequestOptions) -> Request {
        self.options = options;
        self
    }
}

/// A successful answer.
#[derive(Clone, Debug)]
pub enum Body {
    Object(Object),
    List { items: Vec<Arc<Object>>, resource_version: u64 },
}

/// The answer to a request, with the warnings a real server sends in `Warning` headers.
#[derive(Clone, Debug)]
pub struct Response {
    pub result: Result<Body, ApiError>,
    pub warnings: Vec<String>,
}

impl Response {
    pub fn object(self) -> Result<Object, ApiError> {
        match self.result? {
            Body::Object(o) => Ok(o),
            Body::List { .. } => Err(ApiError::new(500, "InternalError", "expected an object, got a list")),
        }
    }

    pub fn list(self) -> Result<Vec<Arc<Object>>, ApiError> {
        match self.result? {
            Body::List { items, .. } => Ok(items),
            Body::Object(o) => Ok(vec![Arc::new(o)]),
        }
    }
}
