//! Admission: what the apiserver does to an object between decoding a request and storing it — defaulting,
//! the deterministic default admission plugins, create-time preparation, and validation with the exact
//! field paths and messages of the real apiserver (v1.34).
//!
//! The order the API server layer runs, as `kube-apiserver` does on create:
//! 1. [`apply_defaults`] (scheme defaulting, then the ServiceAccount/DefaultTolerationSeconds/Priority
//!    mutations that need nothing but the object);
//! 2. name generation from `generateName` ([`generated_name`], with a suffix the caller draws), the uid, and
//!    for Jobs [`prepare_job_selector`];
//! 3. [`prepare_for_create`] (fresh status, generation 1, namespace finalizer);
//! 4. Service cluster IP and node port allocation (an API-layer job: it owns the allocators; a bad or taken
//!    node port is reported with [`node_port_out_of_range`] / [`node_port_already_allocated`]);
//! 5. [`validate_create`], and on errors [`invalid_error`] (or [`invalid_status`] for the full 422 body).
//!
//! On update: [`apply_defaults`], then [`validate_update`].
//!
//! Left to the API server layer because they need more than the object (documented where they would go):
//! the ServiceAccount plugin's `kube-api-access-<random>` projected volume and its mounts (a random
//! suffix), the DefaultStorageClass plugin (needs the StorageClass list), the PersistentVolumeClaimResize
//! check against `allowVolumeExpansion` (needs the StorageClass), namespace existence/termination checks,
//! `status.lastPhaseTransitionTime` of PVs (needs the clock), and every allocator.

pub mod cron;
pub mod defaults;
pub mod field;
pub mod gotext;
pub mod image;
pub mod names;
pub mod quantity;
pub mod tz;
pub mod validation;

use std::collections::BTreeMap;

use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, Status, StatusCause, StatusDetails};

use crate::error::ApiError;
use crate::object::{Kind, Object};

pub use defaults::{admit, prepare_for_create, set_defaults};
pub use field::{BadValue, ErrorKind, FieldError, GoJson, Path};
pub use names::generated_name;
pub use validation::{validate_create, validate_update};

use validation::batch::{CONTROLLER_UID_LABEL, JOB_NAME_LABEL, LEGACY_CONTROLLER_UID_LABEL, LEGACY_JOB_NAME_LABEL};

/// Scheme defaulting followed by the admission plugins' deterministic mutations ([`set_defaults`], then
/// [`admit`]). For a Pod that means, besides the `SetDefaults_*` values, `serviceAccountName: default`,
/// `priority: 0` with `preemptionPolicy: PreemptLowerPriority`, and the two 300-second NoExecute
/// tolerations of DefaultTolerationSeconds. The ServiceAccount plugin's token volume
/// (`kube-api-access-xxxxx` plus a mount in every container) is added by the API server layer: its name
/// carries a random suffix. Idempotent.
pub fn apply_defaults(obj: &mut Object) {
    set_defaults(obj);
    admit(obj);
}

/// The `GroupKind` string the apiserver names a kind by in errors: `Pod`, `Deployment.apps`.
pub fn qualified_kind(kind: Kind) -> String {
    let info = kind.info();
    if info.group.is_empty() {
        info.kind.to_string()
    } else {
        format!("{}.{}", info.kind, info.group)
    }
}

/// The message of the apiserver's `NewInvalid` (the `message` of the 422 Status):
/// `Pod "My_Pod" is invalid: <error>` or, with several distinct errors, `Service "x" is invalid: [e1, e2]`.
/// `kind_name` is the GroupKind string ([`qualified_kind`]): `Deployment.apps "web" is invalid: ...`.
pub fn invalid_message(kind_name: &str, name: &str, errors: &[FieldError]) -> String {
    let quoted = gotext::go_quote(name);
    if errors.is_empty() {
        format!("{kind_name} {quoted} is invalid")
    } else {
        format!("{kind_name} {quoted} is invalid: {}", field::aggregate(errors))
    }
}

/// What kubectl prints for a 422 (`cmdutil.CheckErr` with `MultilineError`): `The Pod "x" is invalid: <one>`,
/// or the header `The Service "x" is invalid: ` followed by one `* <field>: <message>` line per cause. The
/// kind is the plain kind (`Deployment`, not `Deployment.apps`). Returned without kubectl's final newline.
pub fn kubectl_invalid_message(kind: Kind, name: &str, errors: &[FieldError]) -> String {
    let header = format!("The {} {} is invalid", kind.info().kind, gotext::go_quote(name));
    let msgs = field::deduplicated(errors);
    match msgs.as_slice() {
        [] => header,
        [one] => format!("{header}: {one}"),
        many => {
            let lines: Vec<String> = many.iter().map(|m| format!("* {m}")).collect();
            format!("{header}: \n{}", lines.join("\n"))
        }
    }
}

/// The 422 `Invalid` error for a rejected object.
pub fn invalid_error(kind: Kind, name: &str, errors: &[FieldError]) -> ApiError {
    let mut e = ApiError::new(422, "Invalid", invalid_message(&qualified_kind(kind), name, errors));
    e.causes = errors
        .iter()
        .map(|f| crate::error::StatusCause {
            reason: f.cause_type().to_string(),
            message: f.body(),
            field: f.field.clone(),
        })
        .collect();
    e.details = Some((kind.info().kind.to_string(), name.to_string()));
    e
}

/// The full 422 Status body, with one cause per field error (`reason`, the error body as `message`, `field`),
/// as `apierrors.NewInvalid` builds it. Causes are not deduplicated; the message is.
pub fn invalid_status(kind: Kind, name: &str, errors: &[FieldError]) -> Status {
    let causes = errors
        .iter()
        .map(|e| StatusCause {
            reason: Some(e.cause_type().to_string()),
            message: Some(e.body()),
            field: Some(e.field.clone()),
        })
        .collect();
    let group = kind.info().group;
    Status {
        code: Some(422),
        details: Some(StatusDetails {
            causes: Some(causes),
            group: (!group.is_empty()).then(|| group.to_string()),
            kind: Some(kind.info().kind.to_string()),
            name: Some(name.to_string()),
            ..Default::default()
        }),
        message: Some(invalid_message(&qualified_kind(kind), name, errors)),
        reason: Some("Invalid".to_string()),
        status: Some("Failure".to_string()),
        ..Default::default()
    }
}

/// The labels the Job strategy's selector generation adds to a Job's pod template (and so its pods):
/// `batch.kubernetes.io/controller-uid`, `batch.kubernetes.io/job-name`, and the legacy `controller-uid`
/// and `job-name`.
pub fn job_selector_labels(uid: &str, name: &str) -> BTreeMap<String, String> {
    [
        (CONTROLLER_UID_LABEL, uid),
        (JOB_NAME_LABEL, name),
        (LEGACY_CONTROLLER_UID_LABEL, uid),
        (LEGACY_JOB_NAME_LABEL, name),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// The Job strategy's `PrepareForCreate` selector generation (`generateSelectorIfNeeded`), for a Job whose
/// name and uid are set: unless `manualSelector` is true, the generated labels are added to the pod template
/// where absent (a conflicting user value is left for validation to reject) and the selector gets
/// `matchLabels: {batch.kubernetes.io/controller-uid: <uid>}`. The Job's own labels then default to the
/// template's when empty, as `SetDefaults_Job` does whenever the object is read back.
pub fn prepare_job_selector(job: &mut Job) {
    let uid = job.metadata.uid.clone().unwrap_or_default();
    let name = job.metadata.name.clone().unwrap_or_default();
    let spec = job.spec.get_or_insert_with(Default::default);
    if spec.manual_selector == Some(true) {
        return;
    }
    let labels = spec.template.metadata.get_or_insert_with(Default::default).labels.get_or_insert_with(BTreeMap::new);
    for (k, v) in job_selector_labels(&uid, &name) {
        labels.entry(k).or_insert(v);
    }
    let template_labels = labels.clone();
    let selector = spec.selector.get_or_insert_with(LabelSelector::default);
    selector.match_labels.get_or_insert_with(BTreeMap::new).entry(CONTROLLER_UID_LABEL.to_string()).or_insert(uid);
    if job.metadata.labels.as_ref().is_none_or(|l| l.is_empty()) {
        job.metadata.labels = Some(template_labels);
    }
}

/// The node port allocator's error for a port outside the service-node-port range (30000-32767 by default):
/// `spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid
/// ports is 30000-32767`.
pub fn node_port_out_of_range(port_index: usize, node_port: i32, range: (i32, i32)) -> FieldError {
    let path = Path::new("spec").child("ports").index(port_index).child("nodePort");
    let detail =
        format!("provided port is not in the valid range. The range of valid ports is {}-{}", range.0, range.1);
    field::invalid(&path, BadValue::Int(i64::from(node_port)), &detail)
}

/// The node port allocator's error for a port another Service holds.
pub fn node_port_already_allocated(port_index: usize, node_port: i32) -> FieldError {
    let path = Path::new("spec").child("ports").index(port_index).child("nodePort");
    field::invalid(&path, BadValue::Int(i64::from(node_port)), "provided port is already allocated")
}

#[cfg(test)]
mod tests;
