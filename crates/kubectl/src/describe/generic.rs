//! kubectl's generic describer, used for kinds it has no describer for (here Lease and Event): name,
//! namespace, labels and annotations, then every field of the object as the API serves it, with field
//! names turned into words (`renewTime` → `Renew Time`), then events.

use serde_json::{Map, Value};

use engine::Object;

use super::events::{self, EventQuery};
use super::tabwriter::{PrefixWriter, LEVEL_0};
use super::text::{annotations_multiline, labels_multiline};
use super::Ctx;
use engine::util::sort::StableSort;

const SKIP: &[&str] =
    &[".metadata.managedFields", ".metadata.name", ".metadata.namespace", ".metadata.labels", ".metadata.annotations"];

/// `genericDescriber.Describe`.
pub fn describe(obj: &Object, ctx: &Ctx) -> String {
    let mut content = obj.to_json();
    add_go_fields(obj, &mut content);
    let meta = obj.metadata();
    let mut w = PrefixWriter::new();
    w.write(LEVEL_0, &format!("Name:\t{}\n", obj.name()));
    w.write(LEVEL_0, &format!("Namespace:\t{}\n", obj.namespace()));
    labels_multiline(&mut w, "Labels", meta.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", meta.annotations.as_ref());
    if let Value::Object(map) = &content {
        print_content(&mut w, LEVEL_0, map, "");
    }
    events::section(&mut w, ctx, &EventQuery::of(meta, obj.kind().info().kind));
    w.finish()
}

/// The API server's JSON has fields that Go always encodes (structs, and strings without
/// `omitempty`) where the Rust types omit absent values; the generic describer prints them, so they
/// are put back: a core Event's empty `source`, zero times as `null`, empty reporting fields.
fn add_go_fields(obj: &Object, content: &mut Value) {
    let Some(map) = content.as_object_mut() else { return };
    if let Object::Event(_) = obj {
        map.entry("source").or_insert_with(|| Value::Object(Map::new()));
        for key in ["firstTimestamp", "lastTimestamp", "eventTime"] {
            map.entry(key).or_insert(Value::Null);
        }
        for key in ["reportingComponent", "reportingInstance"] {
            map.entry(key).or_insert_with(|| Value::String(String::new()));
        }
    }
    if let Some(meta) = map.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.entry("creationTimestamp").or_insert(Value::Null);
    }
}

/// `printUnstructuredContent`: fields in sorted order; maps and lists open a nested level.
fn print_content(w: &mut PrefixWriter, level: usize, content: &Map<String, Value>, skip_prefix: &str) {
    let mut fields: Vec<&String> = content.keys().collect();
    fields.stable_sort();
    for field in fields {
        let skip_expr = format!("{skip_prefix}.{field}");
        if SKIP.contains(&skip_expr.as_str()) {
            continue;
        }
        match &content[field] {
            Value::Object(map) => {
                w.write(level, &format!("{}:\n", smart_label(field)));
                print_content(w, level + 1, map, &skip_expr);
            }
            Value::Array(items) => {
                w.write(level, &format!("{}:\n", smart_label(field)));
                for item in items {
                    match item {
                        Value::Object(map) => print_content(w, level + 1, map, &skip_expr),
                        other => w.write(level + 1, &format!("{}\n", go_value(other))),
                    }
                }
            }
            other => w.write(level, &format!("{}:\t{}\n", smart_label(field), go_value(other))),
        }
    }
}

/// Go's `%v` of a decoded JSON value.
fn go_value(v: &Value) -> String {
    match v {
        Value::Null => "<nil>".to_string(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => format!("[{}]", items.iter().map(go_value).collect::<Vec<_>>().join(" ")),
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.stable_sort();
            let pairs: Vec<String> = keys.iter().map(|k| format!("{k}:{}", go_value(&map[*k]))).collect();
            format!("map[{}]", pairs.join(" "))
        }
    }
}

#[derive(PartialEq, Clone, Copy)]
enum Class {
    Lower,
    Upper,
    Digit,
    Other,
}

fn class(c: char) -> Class {
    if c.is_lowercase() {
        Class::Lower
    } else if c.is_uppercase() {
        Class::Upper
    } else if c.is_numeric() {
        Class::Digit
    } else {
        Class::Other
    }
}

/// `github.com/fatih/camelcase.Split`: runs of one character class, with the last capital of an
/// upper-case run moved to a following lower-case run (`PDFLoader` → `PDF`, `Loader`).
fn camelcase_split(s: &str) -> Vec<String> {
    let mut runs: Vec<Vec<char>> = Vec::new();
    let mut last = None;
    for c in s.chars() {
        let k = class(c);
        match runs.last_mut() {
            Some(run) if last == Some(k) => run.push(c),
            _ => runs.push(vec![c]),
        }
        last = Some(k);
    }
    for i in 0..runs.len().saturating_sub(1) {
        let upper_then_lower =
            runs[i].first().is_some_and(|c| c.is_uppercase()) && runs[i + 1].first().is_some_and(|c| c.is_lowercase());
        if upper_then_lower {
            if let Some(moved) = runs[i].pop() {
                runs[i + 1].insert(0, moved);
            }
        }
    }
    runs.into_iter().filter(|r| !r.is_empty()).map(|r| r.into_iter().collect()).collect()
}

/// `strings.Title`: each word's first letter upper-cased.
fn title(s: &str) -> String {
    let mut out = String::new();
    let mut at_start = true;
    for c in s.chars() {
        if at_start && c.is_alphabetic() {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        at_start = !(c.is_alphanumeric() || c == '_' || c == '\'');
    }
    out
}

/// `smartLabelFor`: `apiVersion` → `API Version`, `uid` → `UID`; a field with anything but letters
/// and dashes is kept as it is.
fn smart_label(field: &str) -> String {
    if field.chars().any(|c| !c.is_alphabetic() && c != '-') {
        return field.to_string();
    }
    const ACRONYMS: &[&str] = &["API", "URL", "UID", "OSB", "GUID"];
    camelcase_split(field)
        .into_iter()
        .filter(|p| p != "_")
        .map(|p| if ACRONYMS.contains(&p.to_uppercase().as_str()) { p.to_uppercase() } else { title(&p) })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_become_labels() {
        assert_eq!(smart_label("apiVersion"), "API Version");
        assert_eq!(smart_label("uid"), "UID");
        assert_eq!(smart_label("leaseDurationSeconds"), "Lease Duration Seconds");
        assert_eq!(smart_label("holderIdentity"), "Holder Identity");
        assert_eq!(smart_label("podIPs"), "Pod I Ps");
        assert_eq!(smart_label("foo-bar"), "Foo - Bar");
        assert_eq!(smart_label("kubernetes.io/os"), "kubernetes.io/os");
        assert_eq!(camelcase_split("PDFLoader"), vec!["PDF", "Loader"]);
    }
}
