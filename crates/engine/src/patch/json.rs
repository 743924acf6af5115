//! JSON patch (RFC 6902) as the apiserver applies `application/json-patch+json` (`kubectl patch --type json`):
//! gopkg.in/evanphx/json-patch.v4, `DecodePatch` then `Patch.Apply`, with its error texts and quirks.
//!
//! Quirks of v4 kept on purpose, because a real cluster shows them:
//! - `replace` of a missing object member adds it (only array indexes are checked);
//! - negative array indexes count from the end (`SupportNegativeIndices`), and `add` at `-1` appends;
//! - `copy` of a missing object member copies `null`; `test` treats a missing member as `null`;
//! - `replace` of the whole document (`""`) with a scalar does nothing;
//! - a path not starting with `/` addresses its last segment in the root (`a/b` is `/b`).
//!
//! The apiserver answers decode errors with `400 BadRequest` and the message, but every error while applying
//! with a bare `422 Invalid` whose message is only `the server rejected our request due to an error in our
//! request` (`NewGenericServerResponse` drops the library's text); see [`super::apply_patch`].

use super::gofmt;
use serde_json::{Map, Value};

/// Applies an RFC 6902 patch (a JSON array of operations) to `target`. Errors are evanphx's texts.
pub fn json_patch(target: &Value, ops: &Value) -> Result<Value, String> {
    apply(target, ops).map_err(|e| match e {
        JsonPatchError::Decode(m) | JsonPatchError::Apply(m) => m,
    })
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum JsonPatchError {
    /// `DecodePatch` refused the document (the apiserver's 400).
    Decode(String),
    /// An operation failed (the apiserver's 422).
    Apply(String),
}

/// The operations of a patch document, as `DecodePatch` reads them (`null` is an empty patch).
pub(crate) fn decode(ops: &Value) -> Result<Vec<Map<String, Value>>, String> {
    let items = match ops {
        Value::Null => return Ok(Vec::new()),
        Value::Array(items) => items,
        other => return Err(unmarshal_error(other, "jsonpatch.Patch")),
    };
    items
        .iter()
        .map(|item| match item {
            Value::Object(op) => Ok(op.clone()),
            Value::Null => Ok(Map::new()),
            other => Err(unmarshal_error(other, "jsonpatch.Operation")),
        })
        .collect()
}

pub(crate) fn apply(target: &Value, ops: &Value) -> Result<Value, JsonPatchError> {
    let ops = decode(ops).map_err(JsonPatchError::Decode)?;
    apply_ops(target, &ops).map_err(JsonPatchError::Apply)
}

pub(crate) fn apply_ops(target: &Value, ops: &[Map<String, Value>]) -> Result<Value, String> {
    if !(target.is_object() || target.is_array()) {
        return Err(unmarshal_error(target, "jsonpatch.partialDoc"));
    }
    let mut doc = target.clone();
    for op in ops {
        let kind = match op.get("op") {
            Some(Value::String(kind)) => kind.as_str(),
            _ => "unknown",
        };
        match kind {
            "add" => add(&mut doc, op)?,
            "remove" => remove(&mut doc, op)?,
            "replace" => replace(&mut doc, op)?,
            "move" => move_op(&mut doc, op)?,
            "test" => test(&mut doc, op)?,
            "copy" => copy(&mut doc, op)?,
            other => return Err(format!("Unexpected kind: {other}")),
        }
    }
    Ok(doc)
}

/// encoding/json's `UnmarshalTypeError` text.
fn unmarshal_error(value: &Value, go_type: &str) -> String {
    let kind = match value {
        Value::Object(_) => "object",
        Value::Array(_) => "array",
        Value::String(_) => "string",
        Value::Number(_) => "number",
        Value::Bool(_) => "bool",
        Value::Null => "null",
    };
    format!("json: cannot unmarshal {kind} into Go value of type {go_type}")
}

/// `Operation.Path()` / `Operation.From()`: a missing or null member is `ErrMissing` wrapped in `missing`.
fn member(op: &Map<String, Value>, name: &str, missing: &str) -> Result<String, String> {
    match op.get(name) {
        None | Some(Value::Null) => Err(format!("{missing}: missing value")),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(other) => Err(unmarshal_error(other, "string")),
    }
}

fn path(op: &Map<String, Value>) -> Result<String, String> {
    member(op, "path", "operation missing path field")
}

fn from(op: &Map<String, Value>) -> Result<String, String> {
    member(op, "from", "operation, missing from field")
}

/// The operation's value; an absent `value` behaves as `null`.
fn value(op: &Map<String, Value>) -> Value {
    op.get("value").cloned().unwrap_or(Value::Null)
}

/// RFC 6901 unescaping, `~1` before `~0` as a single left-to-right pass (`strings.NewReplacer`).
fn unescape(token: &str) -> String {
    let mut out = String::with_capacity(token.len());
    let mut chars = token.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('~', Some('1')) => {
                chars.next();
                out.push('/');
            }
            ('~', Some('0')) => {
                chars.next();
                out.push('~');
            }
            _ => out.push(c),
        }
    }
    out
}

fn invalid_index(idx: i64) -> String {
    format!("Unable to access invalid index: {idx}: invalid index referenced")
}

/// `partialArray.get`'s index rules: negative indexes count from the end.
fn array_index(len: usize, key: &str) -> Result<usize, String> {
    let len = len as i64;
    let mut idx = gofmt::atoi(key)?;
    if idx < 0 {
        if idx < -len {
            return Err(invalid_index(idx));
        }
        idx += len;
    }
    if idx >= len {
        return Err(invalid_index(idx));
    }
    Ok(idx as usize)
}

/// `findObject`: the container holding the last token of `path`, and that token. Every intermediate value
/// must exist, be non-null and be an object or an array.
fn find_object<'a>(doc: &'a mut Value, path: &str) -> Option<(&'a mut Value, String)> {
    let tokens: Vec<&str> = path.split('/').collect();
    if tokens.len() < 2 {
        return None;
    }
    let mut current = doc;
    for token in &tokens[1..tokens.len() - 1] {
        let token = unescape(token);
        let next = match current {
            Value::Object(map) => map.get_mut(&token)?,
            Value::Array(items) => {
                let idx = array_index(items.len(), &token).ok()?;
                items.get_mut(idx)?
            }
            _ => return None,
        };
        if !(next.is_object() || next.is_array()) {
            return None;
        }
        current = next;
    }
    let key = unescape(tokens[tokens.len() - 1]);
    Some((current, key))
}

/// `container.get`: `Ok(None)` for a missing or null object member.
fn get(container: &Value, key: &str) -> Result<Option<Value>, String> {
    match container {
        Value::Object(map) => Ok(map.get(key).filter(|v| !v.is_null()).cloned()),
        Value::Array(items) => {
            let idx = array_index(items.len(), key)?;
            Ok(items.get(idx).filter(|v| !v.is_null()).cloned())
        }
        _ => Ok(None),
    }
}

fn container_add(container: &mut Value, key: String, val: Value) -> Result<(), String> {
    match container {
        Value::Object(map) => {
            map.insert(key, val);
            Ok(())
        }
        Value::Array(items) => {
            if key == "-" {
                items.push(val);
                return Ok(());
            }
            let mut idx = gofmt::atoi(&key).map_err(|e| format!("value was not a proper array index: '{key}': {e}"))?;
            let size = items.len() as i64 + 1;
            if idx >= size {
                return Err(invalid_index(idx));
            }
            if idx < 0 {
                if idx < -size {
                    return Err(invalid_index(idx));
                }
                idx += size;
            }
            items.insert(idx as usize, val);
            Ok(())
        }
        _ => Err(invalid_index(0)),
    }
}

fn container_remove(container: &mut Value, key: &str) -> Result<Value, String> {
    match container {
        Value::Object(map) => {
            map.remove(key).ok_or_else(|| format!("Unable to remove nonexistent key: {key}: missing value"))
        }
        Value::Array(items) => {
            let len = items.len() as i64;
            let mut idx = gofmt::atoi(key)?;
            if idx >= len {
                return Err(invalid_index(idx));
            }
            if idx < 0 {
                if idx < -len {
                    return Err(invalid_index(idx));
                }
                idx += len;
            }
            Ok(items.remove(idx as usize))
        }
        _ => Err(invalid_index(0)),
    }
}

fn add(doc: &mut Value, op: &Map<String, Value>) -> Result<(), String> {
    let path = path(op).map_err(|_| "add operation failed to decode path: missing value".to_string())?;
    let (container, key) = find_object(doc, &path)
        .ok_or_else(|| format!("add operation does not apply: doc is missing path: \"{path}\": missing value"))?;
    container_add(container, key, value(op)).map_err(|e| format!("error in add for path: '{path}': {e}"))
}

fn remove(doc: &mut Value, op: &Map<String, Value>) -> Result<(), String> {
    let path = path(op).map_err(|_| "remove operation failed to decode path: missing value".to_string())?;
    let (container, key) = find_object(doc, &path)
        .ok_or_else(|| format!("remove operation does not apply: doc is missing path: \"{path}\": missing value"))?;
    container_remove(container, &key).map_err(|e| format!("error in remove for path: '{path}': {e}"))?;
    Ok(())
}

fn replace(doc: &mut Value, op: &Map<String, Value>) -> Result<(), String> {
    let path = path(op).map_err(|e| format!("replace operation failed to decode path: {e}"))?;
    if path.is_empty() {
        let val = value(op);
        if val.is_object() || val.is_array() {
            *doc = val;
        }
        return Ok(());
    }
    let (container, key) = find_object(doc, &path)
        .ok_or_else(|| format!("replace operation does not apply: doc is missing path: {path}: missing value"))?;
    match container {
        Value::Object(map) => {
            map.insert(key, value(op));
        }
        Value::Array(items) => {
            let idx = array_index(items.len(), &key)
                .map_err(|_| format!("replace operation does not apply: doc is missing key: {path}: missing value"))?;
            items[idx] = value(op);
        }
        _ => {}
    }
    Ok(())
}

fn move_op(doc: &mut Value, op: &Map<String, Value>) -> Result<(), String> {
    let from = from(op).map_err(|e| format!("move operation failed to decode from: {e}"))?;
    let (container, key) = find_object(doc, &from)
        .ok_or_else(|| format!("move operation does not apply: doc is missing from path: {from}: missing value"))?;
    get(container, &key).map_err(|e| format!("error in move for path: '{key}': {e}"))?;
    let val = container_remove(container, &key).map_err(|e| format!("error in move for path: '{key}': {e}"))?;
    let path = path(op).map_err(|e| format!("move operation failed to decode path: {e}"))?;
    let (container, key) = find_object(doc, &path).ok_or_else(|| {
        format!("move operation does not apply: doc is missing destination path: {path}: missing value")
    })?;
    container_add(container, key, val).map_err(|e| format!("error in move for path: '{path}': {e}"))
}

fn test(doc: &mut Value, op: &Map<String, Value>) -> Result<(), String> {
    let path = path(op).map_err(|e| format!("test operation failed to decode path: {e}"))?;
    let want = op.get("value").filter(|v| !v.is_null());
    let failed = || format!("testing value {path} failed: test failed");
    if path.is_empty() {
        return if Some(&*doc) == want { Ok(()) } else { Err(failed()) };
    }
    let (container, key) = find_object(doc, &path)
        .ok_or_else(|| format!("test operation does not apply: is missing path: {path}: missing value"))?;
    let got = get(container, &key).map_err(|e| format!("error in test for path: '{path}': {e}"))?;
    if got.as_ref() == want {
        Ok(())
    } else {
        Err(failed())
    }
}

fn copy(doc: &mut Value, op: &Map<String, Value>) -> Result<(), String> {
    let from = from(op).map_err(|e| format!("copy operation failed to decode from: {e}"))?;
    let (container, key) = find_object(doc, &from)
        .ok_or_else(|| format!("copy operation does not apply: doc is missing from path: {from}: missing value"))?;
    let val = get(container, &key).map_err(|e| format!("error in copy for from: '{from}': {e}"))?;
    let path = path(op).map_err(|_| "copy operation failed to decode path: missing value".to_string())?;
    let (container, key) = find_object(doc, &path).ok_or_else(|| {
        format!("copy operation does not apply: doc is missing destination path: {path}: missing value")
    })?;
    container_add(container, key, val.unwrap_or(Value::Null))
        .map_err(|e| format!("error while adding value during copy: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// RFC 6902 Appendix A (A.13, duplicate members, cannot be written as a `Value`).
    #[test]
    fn rfc6902_appendix_a() {
        let ok = [
            (
                "A.1",
                json!({"foo":"bar"}),
                json!([{"op":"add","path":"/baz","value":"qux"}]),
                json!({"baz":"qux","foo":"bar"}),
            ),
            (
                "A.2",
                json!({"foo":["bar","baz"]}),
                json!([{"op":"add","path":"/foo/1","value":"qux"}]),
                json!({"foo":["bar","qux","baz"]}),
            ),
            ("A.3", json!({"baz":"qux","foo":"bar"}), json!([{"op":"remove","path":"/baz"}]), json!({"foo":"bar"})),
            (
                "A.4",
                json!({"foo":["bar","qux","baz"]}),
                json!([{"op":"remove","path":"/foo/1"}]),
                json!({"foo":["bar","baz"]}),
            ),
            (
                "A.5",
                json!({"baz":"qux","foo":"bar"}),
                json!([{"op":"replace","path":"/baz","value":"boo"}]),
                json!({"baz":"boo","foo":"bar"}),
            ),
            (
                "A.6",
                json!({"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}}),
                json!([{"op":"move","from":"/foo/waldo","path":"/qux/thud"}]),
                json!({"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}}),
            ),
            (
                "A.7",
                json!({"foo":["all","grass","cows","eat"]}),
                json!([{"op":"move","from":"/foo/1","path":"/foo/3"}]),
                json!({"foo":["all","cows","eat","grass"]}),
            ),
            (
                "A.8",
                json!({"baz":"qux","foo":["a",2,"c"]}),
                json!([{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":2}]),
                json!({"baz":"qux","foo":["a",2,"c"]}),
            ),
            (
                "A.10",
                json!({"foo":"bar"}),
                json!([{"op":"add","path":"/child","value":{"grandchild":{}}}]),
                json!({"foo":"bar","child":{"grandchild":{}}}),
            ),
            (
                "A.11",
                json!({"foo":"bar"}),
                json!([{"op":"add","path":"/baz","value":"qux","xyz":123}]),
                json!({"foo":"bar","baz":"qux"}),
            ),
            ("A.14", json!({"/":9,"~1":10}), json!([{"op":"test","path":"/~01","value":10}]), json!({"/":9,"~1":10})),
            (
                "A.16",
                json!({"foo":["bar"]}),
                json!([{"op":"add","path":"/foo/-","value":["abc","def"]}]),
                json!({"foo":["bar",["abc","def"]]}),
            ),
        ];
        for (name, doc, patch, want) in ok {
            assert_eq!(json_patch(&doc, &patch), Ok(want), "{name}");
        }
        let err = [
            (
                "A.9",
                json!({"baz":"qux"}),
                json!([{"op":"test","path":"/baz","value":"bar"}]),
                "testing value /baz failed: test failed",
            ),
            (
                "A.12",
                json!({"foo":"bar"}),
                json!([{"op":"add","path":"/baz/bat","value":"qux"}]),
                "add operation does not apply: doc is missing path: \"/baz/bat\": missing value",
            ),
            (
                "A.15",
                json!({"/":9,"~1":10}),
                json!([{"op":"test","path":"/~01","value":"10"}]),
                "testing value /~01 failed: test failed",
            ),
        ];
        for (name, doc, patch, want) in err {
            assert_eq!(json_patch(&doc, &patch), Err(want.to_string()), "{name}");
        }
    }

    /// `kubectl patch --type json` against a pod, with evanphx v4's answers.
    #[test]
    fn kubectl_json_patches() {
        let pod = json!({"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"a","image":"nginx"}]}});
        let cases: &[(Value, Result<Value, &str>)] = &[
            (json!([{"op":"replace","path":"/spec/containers/0/image","value":"nginx:1.27"}]),
                Ok(json!({"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"a","image":"nginx:1.27"}]}}))),
            (json!([{"op":"add","path":"/spec/containers/-","value":{"name":"b"}}]),
                Ok(json!({"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"a","image":"nginx"},{"name":"b"}]}}))),
            // Negative indexes count from the end; `add` at -1 appends.
            (json!([{"op":"remove","path":"/spec/containers/-1"}]), Ok(json!({"metadata":{"labels":{"app":"web"}},"spec":{"containers":[]}}))),
            // `replace` of a missing member adds it in v4.
            (json!([{"op":"replace","path":"/metadata/labels/tier","value":"fe"}]),
                Ok(json!({"metadata":{"labels":{"app":"web","tier":"fe"}},"spec":{"containers":[{"name":"a","image":"nginx"}]}}))),
            (json!([{"op":"copy","from":"/metadata/labels/app","path":"/metadata/labels/k8s-app"}]),
                Ok(json!({"metadata":{"labels":{"app":"web","k8s-app":"web"}},"spec":{"containers":[{"name":"a","image":"nginx"}]}}))),
            (json!([{"op":"remove","path":"/metadata/labels/tier"}]),
                Err("error in remove for path: '/metadata/labels/tier': Unable to remove nonexistent key: tier: missing value")),
            (json!([{"op":"remove","path":"/metadata/annotations/x"}]),
                Err("remove operation does not apply: doc is missing path: \"/metadata/annotations/x\": missing value")),
            (json!([{"op":"replace","path":"/spec/containers/3/image","value":"x"}]),
                Err("replace operation does not apply: doc is missing path: /spec/containers/3/image: missing value")),
            (json!([{"op":"replace","path":"/spec/containers/3","value":{}}]),
                Err("replace operation does not apply: doc is missing key: /spec/containers/3: missing value")),
            (json!([{"op":"add","path":"/spec/containers/5","value":{}}]),
                Err("error in add for path: '/spec/containers/5': Unable to access invalid index: 5: invalid index referenced")),
            (json!([{"op":"add","path":"/spec/containers/x","value":{}}]),
                Err("error in add for path: '/spec/containers/x': value was not a proper array index: 'x': strconv.Atoi: parsing \"x\": invalid syntax")),
            (json!([{"op":"move","from":"/metadata/labels/nope","path":"/metadata/labels/x"}]),
                Err("error in move for path: 'nope': Unable to remove nonexistent key: nope: missing value")),
            (json!([{"op":"remove"}]), Err("remove operation failed to decode path: missing value")),
            (json!([{"op":"replace","value":1}]), Err("replace operation failed to decode path: operation missing path field: missing value")),
            (json!([{"op":"move","path":"/a"}]), Err("move operation failed to decode from: operation, missing from field: missing value")),
            (json!([{"op":"merge","path":"/a"}]), Err("Unexpected kind: merge")),
            (json!([{"path":"/a"}]), Err("Unexpected kind: unknown")),
            (json!({"op":"add"}), Err("json: cannot unmarshal object into Go value of type jsonpatch.Patch")),
            (json!(["add"]), Err("json: cannot unmarshal string into Go value of type jsonpatch.Operation")),
        ];
        for (patch, want) in cases {
            assert_eq!(json_patch(&pod, patch), want.clone().map_err(str::to_string), "{patch}");
        }
    }

    #[test]
    fn test_op_and_root() {
        let doc = json!({"a":null,"b":[1]});
        assert!(json_patch(&doc, &json!([{"op":"test","path":"/a","value":null}])).is_ok());
        assert!(json_patch(&doc, &json!([{"op":"test","path":"/missing","value":null}])).is_ok());
        assert!(json_patch(&doc, &json!([{"op":"test","path":"/b/0","value":1.0}])).is_err());
        assert!(json_patch(&doc, &json!([{"op":"test","path":"","value":{"a":null,"b":[1]}}])).is_ok());
        assert_eq!(json_patch(&doc, &json!([{"op":"replace","path":"","value":5}])), Ok(doc.clone()));
        assert_eq!(json_patch(&doc, &json!([{"op":"replace","path":"","value":{"c":1}}])), Ok(json!({"c":1})));
        assert_eq!(json_patch(&doc, &json!(null)), Ok(doc.clone()));
    }
}
