//! Decoding request bodies into typed objects, strictly, as the apiserver does with `fieldValidation=Strict`.
//!
//! The official types (k8s-openapi) silently ignore unknown fields; wrapping their deserializer with
//! `serde_ignored` reports each ignored field with its path, which becomes the apiserver's
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

/// Decodes one official type, collecting the paths of fields it ignored.
pub(crate) fn decode_as<T: DeserializeOwned>(body: &Value) -> Result<(T, Vec<String>), DecodeError> {
    let mut unknown = Vec::new();
    let result: Result<T, _> = serde_ignored::deserialize(body, |path| unknown.push(field_path(&path)));
    match result {
        Ok(v) => Ok((v, unknown)),
        Err(_) => {
            // Decode again with path tracking to say where the mismatch is.
            let err = serde_path_to_error::deserialize::<_, T>(body).err();
            let (path, inner) = match &err {
                Some(e) => (e.path().to_string(), e.inner().to_string()),
                None => (String::new(), "invalid body".to_string()),
            };
            Err(DecodeError::Type(go_unmarshal_message(body, &path, &inner)))
        }
    }
}

/// `spec.?.containers.?.0.imagee` (serde_ignored's path) as `spec.containers[0].imagee`.
fn field_path(path: &serde_ignored::Path) -> String {
    use serde_ignored::Path;
    match path {
        Path::Root => String::new(),
        Path::Seq { parent, index } => format!("{}[{index}]", field_path(parent)),
        Path::Map { parent, key } => {
            let p = field_path(parent);
            if p.is_empty() {
                key.clone()
            } else {
                format!("{p}.{key}")
            }
        }
        Path::Some { parent } | Path::NewtypeStruct { parent } | Path::NewtypeVariant { parent } => field_path(parent),
    }
}

/// Go's `encoding/json` wording for a type mismatch at `path` (serde_path_to_error's dotted form, with
/// indices as `[0]`): `json: cannot unmarshal string into Go struct field .spec.replicas of type int32`.
fn go_unmarshal_message(body: &Value, path: &str, serde_msg: &str) -> String {
    let segments: Vec<&str> = path.split('.').filter(|s| !s.is_empty() && *s != "?").collect();
    let mut value = Some(body);
    for seg in &segments {
        value = value.and_then(|v| match seg.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            Some(i) => i.parse::<usize>().ok().and_then(|i| v.get(i)),
            None => v.get(*seg),
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
    let go_type = go_type_from_serde(serde_msg);
    // Go names the field by its JSON path without list indices.
    let field: Vec<&str> = segments.iter().copied().filter(|s| !s.starts_with('[')).collect();
    if field.is_empty() {
        format!("json: cannot unmarshal {json_type} into Go value of type {go_type}")
    } else {
        format!("json: cannot unmarshal {json_type} into Go struct field .{} of type {go_type}", field.join("."))
    }
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
