//! JSON merge patch (RFC 7386) as the apiserver applies it for `application/merge-patch+json`
//! (`kubectl patch --type merge`, `kubectl label`, `kubectl annotate`, `kubectl scale`), and kubectl apply's
//! three-way JSON merge patch for kinds without a strategic schema.
//!
//! The apiserver uses evanphx/json-patch v4 (`MergePatch`), which is RFC 7386 plus one detail: when a patch value
//! lands where there was nothing to merge with (a new key, a null, or a non-object), the nulls inside it are
//! pruned, including null elements of arrays. `{"a": {"b": null}}` onto `{}` gives `{"a": {}}`.
//! The three-way patch is k8s.io/apimachinery `jsonmergepatch.CreateThreeWayJSONMergePatch`.

use serde_json::{Map, Value};

/// Applies a JSON merge patch: objects merge recursively, `null` deletes, anything else replaces.
pub fn json_merge_patch(target: &Value, patch: &Value) -> Value {
    match (target, patch) {
        (Value::Object(doc), Value::Object(patch)) => {
            let mut doc = doc.clone();
            merge_docs(&mut doc, patch);
            Value::Object(doc)
        }
        // Not two documents: the result is the patch itself, pruned (evanphx `doMergePatch`).
        (_, Value::Object(_) | Value::Array(_)) => pruned(patch.clone()),
        _ => patch.clone(),
    }
}

/// [`json_merge_patch`] with evanphx's refusal of patches that are neither an object nor an array
/// (`null`, a string, a number): the apiserver answers those with `400 BadRequest: Invalid JSON Patch`.
pub fn json_merge_patch_checked(target: &Value, patch: &Value) -> Result<Value, String> {
    match patch {
        Value::Object(_) | Value::Array(_) => Ok(json_merge_patch(target, patch)),
        _ => Err(ERR_BAD_JSON_PATCH.into()),
    }
}

/// evanphx `ErrBadJSONPatch`.
pub const ERR_BAD_JSON_PATCH: &str = "Invalid JSON Patch";

fn merge_docs(doc: &mut Map<String, Value>, patch: &Map<String, Value>) {
    for (key, value) in patch {
        if value.is_null() {
            doc.remove(key);
            continue;
        }
        let merged = match doc.remove(key) {
            None | Some(Value::Null) => pruned(value.clone()),
            Some(current) => merge(current, value),
        };
        doc.insert(key.clone(), merged);
    }
}

fn merge(current: Value, patch: &Value) -> Value {
    match (current, patch) {
        (Value::Object(mut doc), Value::Object(patch)) => {
            merge_docs(&mut doc, patch);
            Value::Object(doc)
        }
        // A document replaced by a non-document keeps the patch as written (evanphx returns it unpruned).
        (Value::Object(_), _) => patch.clone(),
        (_, _) => pruned(patch.clone()),
    }
}

fn pruned(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            Value::Object(map.into_iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k, pruned(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().filter(|v| !v.is_null()).map(pruned).collect()),
        other => other,
    }
}

/// kubectl apply's patch for kinds without a strategic schema (`jsonmergepatch.CreateThreeWayJSONMergePatch`):
/// changes and additions from `current` to `modified`, plus deletions from `original` to `modified`.
/// Like kubectl, it refuses patches that would change `apiVersion`, `kind` or `metadata.name`.
pub fn three_way_json_merge_patch(
    original: Option<&Value>,
    modified: &Value,
    current: &Value,
) -> Result<Value, String> {
    let empty = Value::Object(Map::new());
    let original = original.unwrap_or(&empty);
    let (Value::Object(original), Value::Object(modified), Value::Object(current)) = (original, modified, current)
    else {
        return Err(ERR_BAD_JSON_DOC.into());
    };
    let add_and_change = keep_or_delete_null(&create_merge_patch(current, modified), false);
    let deletions = keep_or_delete_null(&create_merge_patch(original, modified), true);
    if has_conflicts(&Value::Object(add_and_change.clone()), &Value::Object(deletions.clone())) {
        return Err(format!(
            "patch:\n{}\nconflicts with changes made from original to current:\n{}\n",
            Value::Object(add_and_change),
            Value::Object(deletions)
        ));
    }
    let patch = json_merge_patch(&Value::Object(deletions), &Value::Object(add_and_change));
    let changes_identity = patch.get("apiVersion").is_some()
        || patch.get("kind").is_some()
        || patch.get("metadata").and_then(|m| m.get("name")).is_some();
    if changes_identity {
        return Err("At least one of apiVersion, kind and name was changed".into());
    }
    Ok(patch)
}

/// evanphx `ErrBadJSONDoc` (strategicpatch's own `ErrBadJSONDoc` is lower case: `invalid JSON document`).
const ERR_BAD_JSON_DOC: &str = "Invalid JSON Document";

/// evanphx `CreateMergePatch` (`getDiff`): the merge patch taking `a` to `b`. It decodes with encoding/json,
/// so every number is a float64 and `1` equals `1.0`.
fn create_merge_patch(a: &Map<String, Value>, b: &Map<String, Value>) -> Map<String, Value> {
    let mut into = Map::new();
    for (key, bv) in b {
        let Some(av) = a.get(key) else {
            into.insert(key.clone(), bv.clone());
            continue;
        };
        match (av, bv) {
            (Value::Object(am), Value::Object(bm)) => {
                let diff = create_merge_patch(am, bm);
                if !diff.is_empty() {
                    into.insert(key.clone(), Value::Object(diff));
                }
            }
            _ if !matches_value(av, bv) => {
                into.insert(key.clone(), bv.clone());
            }
            _ => {}
        }
    }
    for key in a.keys() {
        if !b.contains_key(key) {
            into.insert(key.clone(), Value::Null);
        }
    }
    into
}

fn matches_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| matches_value(p, q)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && y.iter().all(|(k, yv)| x.get(k).is_some_and(|xv| matches_value(xv, yv)))
        }
        _ => a == b,
    }
}

/// jsonmergepatch `keepOrDeleteNullInObj`: keep only the deletions (`keep_null`) or only the rest.
fn keep_or_delete_null(map: &Map<String, Value>, keep_null: bool) -> Map<String, Value> {
    let mut filtered = Map::new();
    for (key, value) in map {
        match value {
            Value::Null if keep_null => {
                filtered.insert(key.clone(), Value::Null);
            }
            Value::Null => {}
            // An explicitly empty map is a value, not an empty patch.
            Value::Object(sub) if sub.is_empty() && !keep_null => {
                filtered.insert(key.clone(), value.clone());
            }
            Value::Object(sub) if sub.is_empty() => {}
            Value::Object(sub) => {
                let sub = keep_or_delete_null(sub, keep_null);
                if !sub.is_empty() {
                    filtered.insert(key.clone(), Value::Object(sub));
                }
            }
            _ if !keep_null => {
                filtered.insert(key.clone(), value.clone());
            }
            _ => {}
        }
    }
    filtered
}

/// mergepatch `HasConflicts`: the two patches touch a key in different ways.
fn has_conflicts(left: &Value, right: &Value) -> bool {
    match (left, right) {
        (Value::Object(l), Value::Object(r)) => {
            l.iter().any(|(k, lv)| r.get(k).is_some_and(|rv| has_conflicts(lv, rv)))
        }
        (Value::Array(l), Value::Array(r)) => l.len() != r.len() || l.iter().zip(r).any(|(a, b)| has_conflicts(a, b)),
        (Value::Object(_) | Value::Array(_), _) => true,
        _ => left != right,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// RFC 7386 Appendix A, every example: (target, patch, result).
    #[test]
    fn rfc7386_appendix_a() {
        let cases = [
            (json!({"a":"b"}), json!({"a":"c"}), json!({"a":"c"})),
            (json!({"a":"b"}), json!({"b":"c"}), json!({"a":"b","b":"c"})),
            (json!({"a":"b"}), json!({"a":null}), json!({})),
            (json!({"a":"b","b":"c"}), json!({"a":null}), json!({"b":"c"})),
            (json!({"a":["b"]}), json!({"a":"c"}), json!({"a":"c"})),
            (json!({"a":"c"}), json!({"a":["b"]}), json!({"a":["b"]})),
            (json!({"a":{"b":"c"}}), json!({"a":{"b":"d","c":null}}), json!({"a":{"b":"d"}})),
            (json!({"a":[{"b":"c"}]}), json!({"a":[1]}), json!({"a":[1]})),
            (json!(["a", "b"]), json!(["c", "d"]), json!(["c", "d"])),
            (json!({"a":"b"}), json!(["c"]), json!(["c"])),
            (json!({"a":"foo"}), json!(null), json!(null)),
            (json!({"a":"foo"}), json!("bar"), json!("bar")),
            (json!({"e":null}), json!({"a":1}), json!({"e":null,"a":1})),
            (json!([1, 2]), json!({"a":"b","c":null}), json!({"a":"b"})),
            (json!({}), json!({"a":{"bb":{"ccc":null}}}), json!({"a":{"bb":{}}})),
        ];
        for (target, patch, want) in cases {
            assert_eq!(json_merge_patch(&target, &patch), want, "{target} + {patch}");
        }
    }

    /// Worked examples of what kubectl sends with `--type merge` (label, scale) and evanphx's null pruning.
    #[test]
    fn kubectl_merge_patches() {
        let pod =
            json!({"kind":"Pod","metadata":{"name":"web","labels":{"app":"web"}},"spec":{"containers":[{"name":"a"}]}});
        // `kubectl label pod web tier=fe` (captured request body).
        let labeled = json_merge_patch(&pod, &json!({"metadata":{"labels":{"tier":"fe"}}}));
        assert_eq!(labeled["metadata"]["labels"], json!({"app":"web","tier":"fe"}));
        // `kubectl label pod web app-` sends a null.
        let unlabeled = json_merge_patch(&pod, &json!({"metadata":{"labels":{"app":null}}}));
        assert_eq!(unlabeled["metadata"]["labels"], json!({}));
        // Lists are replaced whole: merge patch knows nothing of merge keys.
        let replaced = json_merge_patch(&pod, &json!({"spec":{"containers":[{"name":"b"}]}}));
        assert_eq!(replaced["spec"]["containers"], json!([{"name":"b"}]));
        // Nulls inside new values are pruned, array elements included; onto an object they are kept.
        assert_eq!(json_merge_patch(&json!({}), &json!({"a":[1,null,{"b":null}]})), json!({"a":[1,{}]}));
        assert_eq!(json_merge_patch(&json!({"a":{"x":1}}), &json!({"a":[null]})), json!({"a":[null]}));
        assert_eq!(json_merge_patch_checked(&pod, &json!(null)), Err("Invalid JSON Patch".into()));
        assert_eq!(json_merge_patch_checked(&pod, &json!(5)), Err("Invalid JSON Patch".into()));
    }

    #[test]
    fn three_way_json_merge() {
        let original = json!({"kind":"Widget","metadata":{"name":"w"},"spec":{"a":1,"b":2}});
        let modified = json!({"kind":"Widget","metadata":{"name":"w"},"spec":{"a":1,"c":3}});
        let current = json!({"kind":"Widget","metadata":{"name":"w","uid":"u"},"spec":{"a":5,"b":2,"x":9}});
        // a reset to the manifest, b deleted (it left the manifest), c added, x (set by others) kept.
        let patch = three_way_json_merge_patch(Some(&original), &modified, &current).unwrap();
        assert_eq!(patch, json!({"spec":{"a":1,"b":null,"c":3}}));
        let renamed = json!({"kind":"Widget","metadata":{"name":"v"}});
        assert_eq!(
            three_way_json_merge_patch(None, &renamed, &current),
            Err("At least one of apiVersion, kind and name was changed".into())
        );
    }
}
