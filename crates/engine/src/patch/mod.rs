//! Patches: JSON merge patch, JSON patch, strategic merge patch and kubectl apply's three-way merge.
//! (Interim: only JSON merge patch is complete; the full module replaces this file.)

use serde_json::Value;

/// RFC 7386 JSON merge patch.
pub fn json_merge_patch(target: &Value, patch: &Value) -> Value {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            let mut out = t.clone();
            for (k, v) in p {
                if v.is_null() {
                    out.remove(k);
                } else {
                    let merged = json_merge_patch(t.get(k).unwrap_or(&Value::Null), v);
                    out.insert(k.clone(), merged);
                }
            }
            Value::Object(out)
        }
        (_, Value::Object(p)) => json_merge_patch(&Value::Object(Default::default()), &Value::Object(p.clone())),
        (_, p) => p.clone(),
    }
}

pub fn json_patch(_target: &Value, _ops: &Value) -> Result<Value, String> {
    Err("JSON patches are not supported yet".to_string())
}

pub fn strategic_merge_patch(original: &Value, patch: &Value) -> Result<Value, String> {
    Ok(json_merge_patch(original, patch))
}

/// kubectl apply's patch from the last applied configuration (`original`), the new manifest (`modified`) and
/// the live object (`current`), computed as a three-way JSON merge patch.
pub fn three_way_merge_patch(original: Option<&Value>, modified: &Value, current: &Value) -> Result<Value, String> {
    let mut patch = serde_json::Map::new();
    diff_into(&mut patch, original, modified, current);
    Ok(Value::Object(patch))
}

fn diff_into(patch: &mut serde_json::Map<String, Value>, original: Option<&Value>, modified: &Value, current: &Value) {
    let Some(m) = modified.as_object() else { return };
    for (k, mv) in m {
        let cv = current.get(k);
        match (mv, cv) {
            (Value::Object(_), Some(c @ Value::Object(_))) => {
                let mut sub = serde_json::Map::new();
                diff_into(&mut sub, original.and_then(|o| o.get(k)), mv, c);
                if !sub.is_empty() {
                    patch.insert(k.clone(), Value::Object(sub));
                }
            }
            _ if cv != Some(mv) => {
                patch.insert(k.clone(), mv.clone());
            }
            _ => {}
        }
    }
    if let Some(o) = original.and_then(Value::as_object) {
        for k in o.keys() {
            if !m.contains_key(k) && current.get(k).is_some() {
                patch.insert(k.clone(), Value::Null);
            }
        }
    }
}

pub fn is_empty_patch(patch: &Value) -> bool {
    patch.as_object().is_some_and(|m| m.is_empty())
}
