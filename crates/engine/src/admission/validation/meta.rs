//! Object metadata, labels, annotations and label selectors: apimachinery `pkg/api/validation/objectmeta.go`,
//! `pkg/apis/meta/v1/validation/validation.go` and the finalizer check of core `ValidateObjectMeta`, and the
//! selector semantics of `metav1.LabelSelectorAsSelector`.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, LabelSelectorRequirement, ObjectMeta};

use crate::admission::field::{forbidden, invalid, required, too_long, BadValue, FieldError, GoJson, Path};
use crate::admission::names::{is_qualified_name, is_valid_label_value, validate_name, NameRule};
use crate::util::sort::StableSort;

/// `TotalAnnotationSizeLimitB`: 256 KiB of keys and values together.
const TOTAL_ANNOTATION_SIZE_LIMIT: usize = 256 * 1024;

/// The finalizers core validation accepts without a domain prefix (`IsStandardFinalizerName`).
const STANDARD_FINALIZERS: [&str; 3] = ["kubernetes", "orphan", "foregroundDeletion"];

/// `ValidateLabelName`: a label key must be a qualified name; errors point at the whole map.
pub fn validate_label_name(key: &str, path: &Path) -> Vec<FieldError> {
    is_qualified_name(key).into_iter().map(|msg| invalid(path, BadValue::Str(key.to_string()), &msg)).collect()
}

/// `ValidateLabels`: keys, then values, one key at a time (in key order here; Go's map order is random).
pub fn validate_labels(labels: Option<&BTreeMap<String, String>>, path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (k, v) in labels.into_iter().flatten() {
        errs.extend(validate_label_name(k, path));
        for msg in is_valid_label_value(v) {
            errs.push(invalid(path, BadValue::Str(v.clone()), &msg));
        }
    }
    errs
}

/// `ValidateAnnotations`: keys are qualified names compared in lower case; total size at most 256 KiB.
pub fn validate_annotations(annotations: Option<&BTreeMap<String, String>>, path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut size = 0usize;
    for (k, v) in annotations.into_iter().flatten() {
        for msg in is_qualified_name(&k.to_lowercase()) {
            errs.push(invalid(path, BadValue::Str(k.clone()), &msg));
        }
        size += k.len() + v.len();
    }
    if size > TOTAL_ANNOTATION_SIZE_LIMIT {
        errs.push(too_long(path, TOTAL_ANNOTATION_SIZE_LIMIT));
    }
    errs
}

/// `ValidateNonnegativeField`.
pub fn non_negative(value: i64, path: &Path) -> Vec<FieldError> {
    if value < 0 {
        vec![invalid(path, BadValue::Int(value), "must be greater than or equal to 0")]
    } else {
        Vec::new()
    }
}

/// `ValidateObjectMeta` as core validation wraps it: name (or generateName), namespace, generation, labels,
/// annotations, owner references and finalizers. Callers generate a name from `generateName` before
/// validating, as the apiserver does; if they have not, only `generateName` is checked.
pub fn validate_object_meta(meta: &ObjectMeta, namespaced: bool, rule: NameRule) -> Vec<FieldError> {
    let path = Path::new("metadata");
    let mut errs = Vec::new();
    let generate_name = meta.generate_name.as_deref().unwrap_or_default();
    if !generate_name.is_empty() {
        for msg in validate_name(rule, generate_name, true) {
            errs.push(invalid(&path.child("generateName"), BadValue::Str(generate_name.to_string()), &msg));
        }
    }
    let name = meta.name.as_deref().unwrap_or_default();
    if name.is_empty() {
        if generate_name.is_empty() {
            errs.push(required(&path.child("name"), "name or generateName is required"));
        }
    } else {
        for msg in validate_name(rule, name, false) {
            errs.push(invalid(&path.child("name"), BadValue::Str(name.to_string()), &msg));
        }
    }
    let namespace = meta.namespace.as_deref().unwrap_or_default();
    if namespaced {
        if namespace.is_empty() {
            errs.push(required(&path.child("namespace"), ""));
        } else {
            for msg in validate_name(NameRule::Label, namespace, false) {
                errs.push(invalid(&path.child("namespace"), BadValue::Str(namespace.to_string()), &msg));
            }
        }
    } else if !namespace.is_empty() {
        errs.push(forbidden(&path.child("namespace"), "not allowed on this type"));
    }
    errs.extend(non_negative(meta.generation.unwrap_or(0), &path.child("generation")));
    errs.extend(common_meta(meta, &path));
    errs
}

/// The parts of metadata validation shared by create and update: labels, annotations, owners, finalizers.
fn common_meta(meta: &ObjectMeta, path: &Path) -> Vec<FieldError> {
    let mut errs = validate_labels(meta.labels.as_ref(), &path.child("labels"));
    errs.extend(validate_annotations(meta.annotations.as_ref(), &path.child("annotations")));
    let owners_path = path.child("ownerReferences");
    let mut first_controller: Option<String> = None;
    for owner in meta.owner_references.iter().flatten() {
        let version = owner.api_version.rsplit('/').next().unwrap_or_default();
        if version.is_empty() {
            errs.push(invalid(
                &owners_path.child("apiVersion"),
                BadValue::Str(owner.api_version.clone()),
                "version must not be empty",
            ));
        }
        for (field, value) in [("kind", &owner.kind), ("name", &owner.name), ("uid", &owner.uid)] {
            if value.is_empty() {
                errs.push(invalid(&owners_path.child(field), BadValue::Str(String::new()), "must not be empty"));
            }
        }
        if owner.controller == Some(true) {
            let this = format!("{}/{}", owner.kind, owner.name);
            match &first_controller {
                Some(first) => errs.push(invalid(
                    &owners_path,
                    BadValue::Json(super::json_of(&meta.owner_references)),
                    &format!("Only one reference can have Controller set to true. Found \"true\" in references for {first} and {this}"),
                )),
                None => first_controller = Some(this),
            }
        }
    }
    let finalizers = meta.finalizers.clone().unwrap_or_default();
    let fin_path = path.child("finalizers");
    for f in &finalizers {
        for msg in is_qualified_name(f) {
            errs.push(invalid(&fin_path, BadValue::Str(f.clone()), &msg));
        }
    }
    if finalizers.iter().any(|f| f == "orphan") && finalizers.iter().any(|f| f == "foregroundDeletion") {
        errs.push(invalid(
            &fin_path,
            BadValue::Json(GoJson::string_list(&finalizers)),
            "finalizer orphan and foregroundDeletion cannot be both set",
        ));
    }
    for (i, f) in finalizers.iter().enumerate() {
        if !f.contains('/') && !STANDARD_FINALIZERS.contains(&f.as_str()) {
            errs.push(invalid(
                &fin_path.index(i),
                BadValue::Str(f.clone()),
                "name is neither a standard finalizer name nor is it fully qualified",
            ));
        }
    }
    errs
}

/// `ValidateObjectMetaUpdate`: identity fields may not change; the rest is checked as on create.
pub fn validate_object_meta_update(new: &ObjectMeta, old: &ObjectMeta) -> Vec<FieldError> {
    let path = Path::new("metadata");
    let mut errs = Vec::new();
    if old.deletion_timestamp.is_some() {
        let old_f = old.finalizers.clone().unwrap_or_default();
        let mut extra: Vec<String> = new.finalizers.iter().flatten().filter(|f| !old_f.contains(f)).cloned().collect();
        extra.stable_sort();
        extra.dedup();
        if !extra.is_empty() {
            let quoted: Vec<String> = extra.iter().map(|f| crate::admission::gotext::go_quote(f)).collect();
            errs.push(forbidden(
                &path.child("finalizers"),
                &format!("no new finalizers can be added if the object is being deleted, found new finalizers []string{{{}}}", quoted.join(", ")),
            ));
        }
    }
    if new.resource_version.as_deref().unwrap_or_default().is_empty() {
        errs.push(invalid(
            &path.child("resourceVersion"),
            BadValue::Str(String::new()),
            "must be specified for an update",
        ));
    }
    if new.generation.unwrap_or(0) < old.generation.unwrap_or(0) {
        errs.push(invalid(
            &path.child("generation"),
            BadValue::Int(new.generation.unwrap_or(0)),
            "must not be decremented",
        ));
    }
    let immutable_str =
        [("name", &new.name, &old.name), ("namespace", &new.namespace, &old.namespace), ("uid", &new.uid, &old.uid)];
    for (field, n, o) in immutable_str {
        if n.as_deref().unwrap_or_default() != o.as_deref().unwrap_or_default() {
            errs.push(invalid(&path.child(field), BadValue::Str(n.clone().unwrap_or_default()), "field is immutable"));
        }
    }
    if new.creation_timestamp != old.creation_timestamp {
        let value = super::json_of(&new.creation_timestamp);
        errs.push(invalid(&path.child("creationTimestamp"), BadValue::Json(value), "field is immutable"));
    }
    if new.deletion_timestamp != old.deletion_timestamp {
        let value = super::json_of(&new.deletion_timestamp);
        errs.push(invalid(&path.child("deletionTimestamp"), BadValue::Json(value), "field is immutable"));
    }
    if new.deletion_grace_period_seconds != old.deletion_grace_period_seconds {
        let value = new.deletion_grace_period_seconds.map_or(GoJson::Null, GoJson::Int);
        errs.push(invalid(&path.child("deletionGracePeriodSeconds"), BadValue::Json(value), "field is immutable"));
    }
    errs.extend(common_meta(new, &path));
    errs
}

/// How `metav1.LabelSelector` marshals (struct field order: matchLabels, then matchExpressions).
pub fn selector_json(sel: &LabelSelector) -> GoJson {
    let mut members = Vec::new();
    if let Some(labels) = sel.match_labels.as_ref().filter(|l| !l.is_empty()) {
        members.push(("matchLabels".to_string(), GoJson::string_map(labels)));
    }
    if let Some(exprs) = sel.match_expressions.as_ref().filter(|e| !e.is_empty()) {
        let items = exprs
            .iter()
            .map(|e| {
                let mut m = vec![
                    ("key".to_string(), GoJson::Str(e.key.clone())),
                    ("operator".to_string(), GoJson::Str(e.operator.clone())),
                ];
                if let Some(values) = e.values.as_ref().filter(|v| !v.is_empty()) {
                    m.push(("values".to_string(), GoJson::string_list(values)));
                }
                GoJson::Object(m)
            })
            .collect();
        members.push(("matchExpressions".to_string(), GoJson::Array(items)));
    }
    GoJson::Object(members)
}

/// A required selector as decoded: k8s-openapi fills a missing `selector` with an empty one, so an empty
/// selector is taken to be the nil selector Go would see for an omitted field (the far more common case;
/// an explicit `selector: {}` is reported as missing too).
pub fn present(sel: &LabelSelector) -> Option<&LabelSelector> {
    let empty = sel.match_labels.as_ref().is_none_or(|m| m.is_empty())
        && sel.match_expressions.as_ref().is_none_or(|e| e.is_empty());
    (!empty).then_some(sel)
}

/// `ValidateLabelSelector` (strict: label values in expressions are checked too).
pub fn validate_label_selector(sel: Option<&LabelSelector>, path: &Path) -> Vec<FieldError> {
    let Some(sel) = sel else { return Vec::new() };
    let mut errs = validate_labels(sel.match_labels.as_ref(), &path.child("matchLabels"));
    for (i, req) in sel.match_expressions.iter().flatten().enumerate() {
        errs.extend(validate_requirement(req, &path.child("matchExpressions").index(i)));
    }
    errs
}

fn validate_requirement(req: &LabelSelectorRequirement, path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let values = req.values.clone().unwrap_or_default();
    match req.operator.as_str() {
        "In" | "NotIn" => {
            if values.is_empty() {
                errs.push(required(&path.child("values"), "must be specified when `operator` is 'In' or 'NotIn'"));
            }
        }
        "Exists" | "DoesNotExist" => {
            if !values.is_empty() {
                errs.push(forbidden(
                    &path.child("values"),
                    "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                ));
            }
        }
        op => errs.push(invalid(&path.child("operator"), BadValue::typed(op), "not a valid selector operator")),
    }
    errs.extend(validate_label_name(&req.key, &path.child("key")));
    for (i, v) in values.iter().enumerate() {
        for msg in is_valid_label_value(v) {
            errs.push(invalid(&path.child("values").index(i), BadValue::Str(v.clone()), &msg));
        }
    }
    errs
}

/// `LabelSelectorAsSelector` failed: a key, value or operator that `labels.NewRequirement` refuses.
#[derive(Debug, PartialEq, Eq)]
pub struct InvalidSelector;

/// A label selector after `LabelSelectorAsSelector`.
pub enum Selector {
    /// A nil selector selects nothing.
    Nothing,
    /// An empty selector selects everything.
    Everything,
    Requirements(Vec<(String, String, Vec<String>)>),
}

impl Selector {
    /// `LabelSelectorAsSelector`; `Err` when a key, value or operator is invalid (`labels.NewRequirement`).
    pub fn from(sel: Option<&LabelSelector>) -> Result<Selector, InvalidSelector> {
        let Some(sel) = sel else { return Ok(Selector::Nothing) };
        let labels = sel.match_labels.clone().unwrap_or_default();
        let exprs = sel.match_expressions.clone().unwrap_or_default();
        if labels.is_empty() && exprs.is_empty() {
            return Ok(Selector::Everything);
        }
        let mut reqs = Vec::new();
        for (k, v) in labels {
            if !is_qualified_name(&k).is_empty() || !is_valid_label_value(&v).is_empty() {
                return Err(InvalidSelector);
            }
            reqs.push((k, "In".to_string(), vec![v]));
        }
        for e in exprs {
            let values = e.values.unwrap_or_default();
            let ok_values = match e.operator.as_str() {
                "In" | "NotIn" => !values.is_empty(),
                "Exists" | "DoesNotExist" => values.is_empty(),
                _ => false,
            };
            if !ok_values
                || !is_qualified_name(&e.key).is_empty()
                || values.iter().any(|v| !is_valid_label_value(v).is_empty())
            {
                return Err(InvalidSelector);
            }
            reqs.push((e.key, e.operator, values));
        }
        Ok(Selector::Requirements(reqs))
    }

    pub fn is_empty(&self) -> bool {
        matches!(self, Selector::Everything)
    }

    pub fn matches(&self, labels: Option<&BTreeMap<String, String>>) -> bool {
        let empty = BTreeMap::new();
        let labels = labels.unwrap_or(&empty);
        match self {
            Selector::Nothing => false,
            Selector::Everything => true,
            Selector::Requirements(reqs) => reqs.iter().all(|(key, op, values)| match op.as_str() {
                "In" => labels.get(key).is_some_and(|v| values.contains(v)),
                "NotIn" => labels.get(key).is_none_or(|v| !values.contains(v)),
                "Exists" => labels.contains_key(key),
                _ => !labels.contains_key(key),
            }),
        }
    }
}
