//! `meta.k8s.io/v1` `Table` answers, sent when a client's `Accept` asks for `as=Table` (every `kubectl get`).
//!
//! The columns and cells are the ones the playground's kubectl prints ([`kubectl::printers`]), which are the
//! apiserver's TableConvertor columns: the server sends all of them, the wide ones with priority 1, and the
//! real kubectl picks what to show. Each row carries the object's metadata as `PartialObjectMetadata`, which
//! kubectl reads for `--show-labels`, `-L` and `-o name`.

use engine::clock::Millis;
use engine::{Kind, Object};
use serde_json::{json, Value};

/// Whether the request's `Accept` header asks for a Table.
pub fn wanted(accept: &str) -> bool {
    accept.split(',').any(|part| part.contains("as=Table") && part.contains("g=meta.k8s.io"))
}

fn description(column: &str) -> &'static str {
    match column {
        "NAME" => {
            "Name must be unique within a namespace. Is required when creating resources, although some resources \
may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for \
creation idempotence and configuration definition. Cannot be updated. More info: \
https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"
        }
        "AGE" => {
            "CreationTimestamp is a timestamp representing the server time when this object was created. It is not \
guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is \
represented in RFC3339 form and is in UTC."
        }
        _ => "",
    }
}

/// The column definitions of `kind`: every column in the printer's order, wide ones with priority 1.
pub fn columns(kind: Kind) -> Value {
    let narrow = kubectl::printers::headers(kind, false);
    let defs: Vec<Value> = kubectl::printers::headers(kind, true)
        .into_iter()
        .map(|name| {
            json!({
                "name": name,
                "type": "string",
                "format": if name == "NAME" { "name" } else { "" },
                "description": description(name),
                "priority": if narrow.contains(&name) { 0 } else { 1 },
            })
        })
        .collect();
    Value::Array(defs)
}

/// One row: all cells, and the object's metadata without `managedFields`.
pub fn row(obj: &Object, now: Millis) -> Value {
    let mut metadata = obj.to_json().get("metadata").cloned().unwrap_or_else(|| json!({}));
    if let Some(m) = metadata.as_object_mut() {
        m.remove("managedFields");
    }
    json!({
        "cells": kubectl::printers::row(obj, now, true),
        "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": metadata}
    })
}

/// A Table of `objects`; `with_columns` is false for the watch events after the first, as the apiserver sends
/// the column definitions once per watch.
pub fn table<'a>(
    kind: Kind,
    objects: impl IntoIterator<Item = &'a Object>,
    resource_version: u64,
    now: Millis,
    with_columns: bool,
) -> Value {
    let rows: Vec<Value> = objects.into_iter().map(|o| row(o, now)).collect();
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": resource_version.to_string()},
        "columnDefinitions": if with_columns { columns(kind) } else { json!([]) },
        "rows": rows,
    })
}
