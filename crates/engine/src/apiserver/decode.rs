//! Decoding request bodies into typed objects, strictly, as the apiserver does with `fieldValidation=Strict`.
//!
//! The official types (k8s-openapi) silently ignore unknown fields; a walk of the body along the kind's schema
//! reports each with its path, which becomes the apiserver's
//! `strict decoding error: unknown field "spec.containers[0].imagee"`. Type mismatches become Go's
//! `json: cannot unmarshal …` wording.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::object::{Kind, Object};

/// What decoding found wrong with a body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// The body has the wrong JSON type somewhere; the message is Go's `json: cannot unmarshal …`.
    Type(String),
}

/// A decoded object and the unknown fields it carried (paths as the apiserver prints them).
pub struct Decoded {
    pub object: Object,
    pub unknown_fields: Vec<String>,
}

/// Decodes `body` as an object of `kind`. `apiVersion` and `kind` must already have been checked.
pub fn decode(kind: Kind, body: &Value) -> Result<Decoded, DecodeError> {
    let (object, unknown_fields) = kind.decode_strict(body)?;
    Ok(Decoded { object, unknown_fields })
}

/// Decodes one official type, collecting the paths of fields its schema does not have.
pub(crate) fn decode_as<T: DeserializeOwned>(body: &Value) -> Result<(T, Vec<String>), DecodeError> {
    match T::deserialize(body) {
        Ok(v) => Ok((v, unknown_fields(body))),
        Err(e) => {
            // serde says what it expected but not where; the schema walk finds where. (A second, path-tracking
            // deserializer would double the code of every official type in the page's WebAssembly.)
            let kind = body.get("kind").and_then(Value::as_str).unwrap_or_default();
            let path = mismatch_path(kind, body).unwrap_or_default();
            Err(DecodeError::Type(go_unmarshal_message(kind, body, &path, &e.to_string())))
        }
    }
}

/// The paths (`spec.containers[0].imagee`) of the fields in `body` that its kind's schema does not have, in the
/// order the apiserver's decoder meets them (sorted keys, depth first). The official types ignore such fields
/// when deserializing; walking the schema finds them without a second, path-tracking deserializer, which would
/// copy every official type's decoding code once more into the page's WebAssembly.
fn unknown_fields(body: &Value) -> Vec<String> {
    let docs = crate::schema::docs();
    let kind = body.get("kind").and_then(Value::as_str).unwrap_or_default();
    let mut found = Vec::new();
    if let Some(root) = docs.kinds.iter().find(|k| k.kind == kind) {
        unknown_in(docs, "Object", Some(root.ty), body, &mut String::new(), &mut found);
    }
    found
}

fn unknown_in(
    docs: &crate::schema::Docs<'static>,
    ty: &str,
    target: Option<&str>,
    value: &Value,
    path: &mut String,
    found: &mut Vec<String>,
) {
    let len = path.len();
    if let Some(item) = ty.strip_prefix("[]") {
        for (i, v) in value.as_array().into_iter().flatten().enumerate() {
            path.push_str(&format!("[{i}]"));
            unknown_in(docs, item, target, v, path, found);
            path.truncate(len);
        }
        return;
    }
    let Some(map) = value.as_object() else { return };
    if let Some(item) = ty.strip_prefix("map[string]") {
        for (k, v) in map {
            push_key(path, k);
            unknown_in(docs, item, target, v, path, found);
            path.truncate(len);
        }
        return;
    }
    // Types without fields in the schema (FieldsV1, RawExtension-like) hold any JSON.
    let Some(doc) = target.and_then(|t| docs.type_doc(t)).filter(|d| !d.fields.is_empty()) else { return };
    for (k, v) in map {
        push_key(path, k);
        match doc.fields.iter().find(|f| f.name == k) {
            Some(field) => unknown_in(docs, field.ty, field.target, v, path, found),
            None => found.push(path.clone()),
        }
        path.truncate(len);
    }
}

fn push_key(path: &mut String, key: &str) {
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(key);
}

/// Where `body` first disagrees with the kind's schema, visiting fields in the order serde does (sorted keys).
fn mismatch_path(kind: &str, body: &Value) -> Option<Vec<Seg>> {
    let docs = crate::schema::docs();
    let root = docs.kinds.iter().find(|k| k.kind == kind)?.ty;
    let mut path = Vec::new();
    if kind == "Secret" {
        // Secret data is `[]byte`: base64 in JSON, the one mismatch a JSON type check cannot see.
        if let Some((key, _)) = body
            .get("data")
            .and_then(Value::as_object)
            .and_then(|d| d.iter().find(|(_, v)| v.as_str().is_some_and(|s| !is_base64(s))))
        {
            return Some(vec![Seg::Key("data".into()), Seg::Key(key.clone())]);
        }
    }
    mismatch_in(docs, "Object", Some(root), body, &mut path).then_some(path)
}

fn is_base64(s: &str) -> bool {
    let b = s.as_bytes();
    b.len().is_multiple_of(4)
        && b.iter()
            .enumerate()
            .all(|(i, &c)| c.is_ascii_alphanumeric() || c == b'+' || c == b'/' || (c == b'=' && i + 2 >= b.len()))
}

/// Checks `value` against a field type as the schema prints it (`string`, `integer`, `[]Container`,
/// `map[string]string`, a struct name with `target`); leaves the path to the first mismatch in `path`.
fn mismatch_in(
    docs: &crate::schema::Docs<'static>,
    ty: &str,
    target: Option<&str>,
    value: &Value,
    path: &mut Vec<Seg>,
) -> bool {
    if value.is_null() {
        return false;
    }
    if let Some(item) = ty.strip_prefix("[]") {
        let Some(items) = value.as_array() else { return true };
        for (i, v) in items.iter().enumerate() {
            path.push(Seg::Index(i));
            if mismatch_in(docs, item, target, v, path) {
                return true;
            }
            path.pop();
        }
        return false;
    }
    if let Some(item) = ty.strip_prefix("map[string]") {
        let Some(map) = value.as_object() else { return true };
        for (k, v) in map {
            path.push(Seg::Key(k.clone()));
            if mismatch_in(docs, item, target, v, path) {
                return true;
            }
            path.pop();
        }
        return false;
    }
    match ty {
        "string" => !value.is_string(),
        "integer" => !(value.is_i64() || value.is_u64()),
        "number" => !value.is_number(),
        "boolean" => !value.is_boolean(),
        "IntOrString" => !(value.is_string() || value.is_i64() || value.is_u64()),
        "Quantity" => !(value.is_string() || value.is_number()),
        _ => {
            let Some(doc) = target.and_then(|t| docs.type_doc(t)) else { return false };
            let Some(map) = value.as_object() else { return true };
            for (k, v) in map {
                let Some(field) = doc.fields.iter().find(|f| f.name == k) else { continue };
                path.push(Seg::Key(k.clone()));
                if mismatch_in(docs, field.ty, field.target, v, path) {
                    return true;
                }
                path.pop();
            }
            false
        }
    }
}

/// One step of a path into a body.
enum Seg {
    Key(String),
    Index(usize),
}

/// Go's `encoding/json` wording for a type mismatch at `path`:
/// `json: cannot unmarshal string into Go struct field .spec.replicas of type int32`.
fn go_unmarshal_message(kind: &str, body: &Value, path: &[Seg], serde_msg: &str) -> String {
    let mut value = Some(body);
    for seg in path {
        value = value.and_then(|v| match seg {
            Seg::Index(i) => v.get(*i),
            Seg::Key(k) => v.get(k),
        });
    }
    let json_type = match value {
        Some(Value::String(_)) => "string",
        Some(Value::Number(_)) => "number",
        Some(Value::Bool(_)) => "bool",
        Some(Value::Array(_)) => "array",
        Some(Value::Object(_)) => "object",
        Some(Value::Null) | None => "value",
    };
    // `[]byte` fields (Secret data) are base64 in JSON; Go reports the first byte that is not.
    if let Some(Value::String(text)) = value {
        if serde_msg.contains("Invalid")
            || serde_msg.contains("symbol")
            || serde_msg.contains("padding")
            || serde_msg.contains("length")
        {
            return format!("illegal base64 data at input byte {}", illegal_base64_offset(text));
        }
    }
    let mut go_type = go_type_from_serde(serde_msg);
    // Go names the field by its JSON path without list indices.
    let field: Vec<&str> = path
        .iter()
        .filter_map(|s| match s {
            Seg::Key(k) => Some(k.as_str()),
            Seg::Index(_) => None,
        })
        .collect();
    // serde names no element type for a list; the schema does (`[]Container` → Go's `[]v1.Container`).
    if go_type == "[]interface {}" && !matches!(path.last(), Some(Seg::Index(_))) {
        if let Some(item) = crate::schema::field_type(kind, &field).and_then(|t| t.strip_prefix("[]")) {
            if item == "string" {
                go_type = "[]string".to_string();
            } else if item.starts_with(|c: char| c.is_ascii_uppercase()) {
                go_type = format!("[]v1.{item}");
            }
        }
    }
    if field.is_empty() {
        return format!("json: cannot unmarshal {json_type} into Go value of type {go_type}");
    }
    let parent = crate::schema::parent_struct(kind, &field).unwrap_or_default();
    format!("json: cannot unmarshal {json_type} into Go struct field {parent}.{} of type {go_type}", field.join("."))
}

/// The Go type named by serde's "expected …" phrase.
fn go_type_from_serde(msg: &str) -> String {
    let expected =
        msg.split("expected ").nth(1).unwrap_or("").trim_end_matches(|c: char| c == ')' || c.is_whitespace());
    let expected = expected.split(" at line").next().unwrap_or(expected);
    match expected {
        "a string" | "a borrowed string" => "string".to_string(),
        "i32" => "int32".to_string(),
        "i64" => "int64".to_string(),
        "u32" => "uint32".to_string(),
        "a boolean" => "bool".to_string(),
        "a sequence" => "[]interface {}".to_string(),
        "a map" => "map[string]string".to_string(),
        "f64" => "float64".to_string(),
        other if other.chars().next().is_some_and(|c| c.is_ascii_uppercase()) => format!("v1.{other}"),
        other => other.to_string(),
    }
}

/// The offset Go's `base64.StdEncoding` reports for invalid input: the first byte outside the alphabet, or
/// where the padding or length goes wrong.
fn illegal_base64_offset(text: &str) -> usize {
    let bytes = text.as_bytes();
    let is_b64 = |c: u8| c.is_ascii_alphanumeric() || c == b'+' || c == b'/';
    let data_len = bytes.iter().position(|&c| c == b'=').unwrap_or(bytes.len());
    if let Some(i) = bytes[..data_len].iter().position(|&c| !is_b64(c)) {
        return i;
    }
    let padding = &bytes[data_len..];
    if let Some(i) = padding.iter().position(|&c| c != b'=') {
        return data_len + i;
    }
    // Too short or too much padding: Go points at the end of the last whole quantum.
    bytes.len() - bytes.len() % 4
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_fields_are_reported_with_their_paths() {
        let body = serde_json::json!({
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "typo"},
            "spec": {"containers": [{"name": "nginx", "imagee": "nginx"}], "restartPolcy": "Never"}
        });
        let decoded = decode(Kind::Pod, &body).unwrap_or_else(|_| panic!("decodes"));
        assert_eq!(decoded.unknown_fields, ["spec.containers[0].imagee", "spec.restartPolcy"]);
    }

    #[test]
    fn type_mismatches_read_like_go() {
        let body = serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x"},
            "spec": {"replicas": "three", "selector": {}, "template": {}}});
        let Err(DecodeError::Type(msg)) = decode(Kind::Deployment, &body) else { panic!("must fail") };
        assert_eq!(
            msg,
            "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32"
        );
        let body = serde_json::json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x"},
            "spec": {"containers": [{"name": "c", "image": 5}]}});
        let Err(DecodeError::Type(msg)) = decode(Kind::Pod, &body) else { panic!("must fail") };
        assert_eq!(
            msg,
            "json: cannot unmarshal number into Go struct field Container.spec.containers.image of type string"
        );
    }

    #[test]
    fn bad_base64_in_secrets() {
        let body = serde_json::json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
            "data": {"tls.crt": "REPLACE_WITH_BASE64_CERT"}});
        let Err(DecodeError::Type(msg)) = decode(Kind::Secret, &body) else { panic!("must fail") };
        assert_eq!(msg, "illegal base64 data at input byte 7");
        assert_eq!(illegal_base64_offset("abc"), 0);
        assert_eq!(illegal_base64_offset("ab=c"), 3);
    }
}
