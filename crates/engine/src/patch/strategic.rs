//! Applying a strategic merge patch (`application/strategic-merge-patch+json`: `kubectl patch`, `kubectl set
//! image`, and the server half of client-side `kubectl apply`): k8s.io/apimachinery
//! `strategicpatch.StrategicMergeMapPatch` (`mergeMap` and friends), transcribed rule for rule.
//!
//! Directives handled: `$patch: replace|delete` in maps and list items (`$patch: merge` is refused, as upstream
//! does), `$retainKeys`, `$deleteFromPrimitiveList/<field>`, `$setElementOrder/<field>`, and `null` to delete.
//! Go iterates the patch map in random order; here keys are visited in sorted order, so `$…` directives come
//! before the fields they name. The only observable difference would be a patch that both adds and removes
//! the same primitive, which no client generates.

use super::gofmt::{go_type, GoType};
use super::lists::{
    as_map, dedup_scalars, element_type, err_bad_arg_type, err_bad_patch_type, err_no_merge_key, extract_key,
    find_by_key, merge_key_value_equal, normalize_element_order, partition, split_deletions, DELETE_PREFIX, DIRECTIVE,
    ERR_BAD_RETAIN_KEYS, ERR_BAD_SET_ORDER, RETAIN_KEYS, SET_ORDER_PREFIX,
};
use super::schema::{self, PatchMeta, Ty};
use serde_json::{Map, Value};

/// The apiserver's answer to a strategic merge patch on a kind without Go struct tags (custom resources).
pub const ERR_STRATEGIC_NOT_SUPPORTED: &str =
    "the body of the request was in an unknown format - accepted media types \
     include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml";

/// `MergeOptions`: the server merges parallel lists and drops unmatched nulls; kubectl's three-way diff keeps
/// both so that the deletions reach the server.
#[derive(Clone, Copy, Debug)]
pub(crate) struct MergeOptions {
    pub merge_parallel_list: bool,
    pub ignore_unmatched_nulls: bool,
}

pub(crate) const SERVER: MergeOptions = MergeOptions { merge_parallel_list: true, ignore_unmatched_nulls: true };

/// Applies a strategic merge patch to an API object (JSON with `kind`), as the apiserver does.
pub fn strategic_merge_patch(original: &Value, patch: &Value) -> Result<Value, String> {
    let kind = original.get("kind").and_then(Value::as_str).unwrap_or_default();
    let ty = schema::root(kind).ok_or(ERR_STRATEGIC_NOT_SUPPORTED)?;
    let Value::Object(original) = original else {
        return Err(super::lists::ERR_BAD_JSON_DOC.into());
    };
    let patch = match patch {
        // `json.Unmarshal("null", &map)` leaves the map empty: nothing to do.
        Value::Null => Map::new(),
        Value::Object(patch) => patch.clone(),
        other => return Err(unmarshal_into_map_error(other)),
    };
    merge_map(original.clone(), patch, ty, SERVER).map(Value::Object)
}

/// What the apiserver's JSON decoder says when a strategic merge patch is not an object.
pub(crate) fn unmarshal_into_map_error(value: &Value) -> String {
    let kind = match value {
        Value::Array(_) => "array",
        Value::String(_) => "string",
        Value::Number(_) => "number",
        Value::Bool(_) => "bool",
        Value::Object(_) | Value::Null => "object",
    };
    format!("json: cannot unmarshal {kind} into Go value of type map[string]interface {{}}")
}

/// `mergeMap`: merges `patch` into `original`, whose Go type is `ty`.
pub(crate) fn merge_map(
    mut original: Map<String, Value>,
    mut patch: Map<String, Value>,
    ty: Ty,
    opts: MergeOptions,
) -> Result<Map<String, Value>, String> {
    if let Some(directive) = patch.get(DIRECTIVE).cloned() {
        return match directive.as_str() {
            Some("replace") => {
                patch.remove(DIRECTIVE);
                Ok(patch)
            }
            Some("delete") => Ok(Map::new()),
            _ => Err(err_bad_patch_type(&directive, &patch)),
        };
    }
    apply_retain_keys(&mut original, &mut patch, opts)?;
    merge_set_element_orders(&mut original, &mut patch, ty, opts)?;

    for (key, mut patch_v) in patch {
        let (key, is_delete_list) = if key.starts_with(DELETE_PREFIX) {
            if !opts.merge_parallel_list {
                original.insert(key, patch_v);
                continue;
            }
            (extract_key(&key, DELETE_PREFIX)?, true)
        } else {
            (key, false)
        };

        if patch_v.is_null() {
            original.remove(&key);
            if opts.ignore_unmatched_nulls {
                continue;
            }
        }
        let same_type = original.get(&key).map(|current| go_type(current) == go_type(&patch_v));
        if same_type != Some(true) {
            // Absent, or of another type: take the patch value (never a deletion list's).
            if !is_delete_list {
                if opts.ignore_unmatched_nulls {
                    discard_nulls(&mut patch_v);
                }
                match remove_directives(patch_v) {
                    Some(v) => original.insert(key, v),
                    None => original.remove(&key),
                };
            }
            continue;
        }
        let current = original.remove(&key).unwrap_or(Value::Null);
        let merged = match (current, patch_v) {
            (Value::Object(current), Value::Object(patch_v)) => {
                let (sub, _) = schema::field(ty, &key);
                Value::Object(merge_map(current, patch_v, sub, opts)?)
            }
            (Value::Array(current), Value::Array(patch_v)) => {
                let (sub, meta) = schema::field(ty, &key);
                Value::Array(merge_slice_handler(current, patch_v, sub, meta, is_delete_list, opts)?)
            }
            (_, patch_v) => match remove_directives(patch_v) {
                Some(v) => v,
                None => continue,
            },
        };
        original.insert(key, merged);
    }
    Ok(original)
}

/// `discardNullValuesFromPatch`: nulls in a value that has nothing to delete are dropped (not in arrays).
fn discard_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(discard_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(discard_nulls),
        _ => {}
    }
}

/// `removeDirectives`: maps carrying `$patch` vanish (`None` at the top); other directive keys stay.
pub(crate) fn remove_directives(value: Value) -> Option<Value> {
    match value {
        Value::Object(map) if map.contains_key(DIRECTIVE) => None,
        Value::Object(map) => {
            Some(Value::Object(map.into_iter().filter_map(|(k, v)| remove_directives(v).map(|v| (k, v))).collect()))
        }
        Value::Array(items) => Some(Value::Array(items.into_iter().filter_map(remove_directives).collect())),
        other => Some(other),
    }
}

/// `applyRetainKeysDirective`.
fn apply_retain_keys(
    original: &mut Map<String, Value>,
    patch: &mut Map<String, Value>,
    opts: MergeOptions,
) -> Result<(), String> {
    let Some(retain) = patch.remove(RETAIN_KEYS) else {
        return Ok(());
    };
    if !opts.merge_parallel_list {
        // Merging two patches: both must carry the same list.
        match original.get(RETAIN_KEYS) {
            Some(existing) if *existing != retain => {
                return Err(format!(
                    "{} and {} are not deep equal: this may happen when calculating the 3-way diff patch",
                    super::gofmt::v(existing),
                    super::gofmt::v(&retain)
                ))
            }
            Some(_) => {}
            None => {
                original.insert(RETAIN_KEYS.into(), retain);
            }
        }
        return Ok(());
    }
    let list = retain.as_array().ok_or(ERR_BAD_RETAIN_KEYS)?;
    let retained = |key: &str| list.iter().any(|v| v.as_str() == Some(key));
    for (key, value) in patch.iter() {
        let exempt = value.is_null() || key.starts_with(DELETE_PREFIX) || key.starts_with(SET_ORDER_PREFIX);
        if !exempt && !retained(key) {
            return Err(ERR_BAD_RETAIN_KEYS.into());
        }
    }
    original.retain(|key, _| retained(key));
    Ok(())
}

/// `mergePatchIntoOriginal`: each `$setElementOrder/<field>` merges its list now and fixes its order, with the
/// precedence `$setElementOrder` > order in the patch > order in the live list.
fn merge_set_element_orders(
    original: &mut Map<String, Value>,
    patch: &mut Map<String, Value>,
    ty: Ty,
    opts: MergeOptions,
) -> Result<(), String> {
    let directives: Vec<String> = patch.keys().filter(|k| k.starts_with(SET_ORDER_PREFIX)).cloned().collect();
    for directive in directives {
        let Some(order_value) = patch.remove(&directive) else {
            continue;
        };
        if !opts.merge_parallel_list {
            match original.get(&directive) {
                Some(existing) if *existing != order_value => return Err(ERR_BAD_SET_ORDER.into()),
                Some(_) => {}
                None => {
                    original.insert(directive.clone(), order_value.clone());
                }
            }
        }
        let Value::Array(order) = &order_value else {
            return Err(err_bad_arg_type(GoType::Slice, &order_value));
        };
        let field = extract_key(&directive, SET_ORDER_PREFIX)?;
        let list_of = |value: Option<&Value>| match value {
            None => Ok(None),
            Some(Value::Array(items)) => Ok(Some(items.clone())),
            Some(other) => Err(err_bad_arg_type(GoType::Slice, other)),
        };
        let original_list = list_of(original.get(&field))?;
        let patch_list = list_of(patch.get(&field))?;
        let (sub, meta) = schema::field(ty, &field);
        let key = meta.merge_key();
        validate_against_order(patch_list.as_deref().unwrap_or_default(), order, key)?;

        let merged = match (&original_list, &patch_list) {
            (Some(current), None) => current.clone(),
            (None, Some(added)) => match remove_directives(Value::Array(added.clone())) {
                Some(Value::Array(items)) => items,
                _ => continue,
            },
            (Some(current), Some(added)) => {
                merge_slice_handler(current.clone(), added.clone(), sub, meta, false, opts)?
            }
            (None, None) => continue,
        };
        let (in_order, server_only) = partition(merged, order, key)?;
        let current = original_list.unwrap_or_default();
        let kind = element_type(&[&current, patch_list.as_deref().unwrap_or_default()])?;
        let both = normalize_element_order(in_order, server_only, order, &current, key, kind)?;
        original.insert(field.clone(), Value::Array(both));
        patch.remove(&field);
    }
    Ok(())
}

/// `validatePatchWithSetOrderList`: the patch list's items must appear in the `$setElementOrder` list, in the
/// same relative order (deletions and directive items aside).
fn validate_against_order(patch_list: &[Value], order: &[Value], key: &str) -> Result<(), String> {
    if patch_list.is_empty() || order.is_empty() {
        return Ok(());
    }
    let items = if key.is_empty() { patch_list.to_vec() } else { split_deletions(patch_list.to_vec())?.0 };
    let (mut p, mut o) = (0, 0);
    while p < items.len() && o < order.len() {
        if items[p].as_object().is_some_and(|m| m.contains_key(DIRECTIVE)) {
            p += 1;
            continue;
        }
        if merge_key_value_equal(&items[p], &order[o], key)? {
            p += 1;
        }
        o += 1;
    }
    if p < items.len() && o >= order.len() {
        return Err(format!(
            "the order in patch list:\n{}\n doesn't match {SET_ORDER_PREFIX} list:\n{}",
            super::gofmt::v_list(patch_list),
            super::gofmt::v_list(order)
        ));
    }
    Ok(())
}

/// `mergeSliceHandler`: merge lists (and deletion lists, whatever the field's strategy) merge; the others
/// are replaced by the patch's list as written.
fn merge_slice_handler(
    original: Vec<Value>,
    patch: Vec<Value>,
    ty: Ty,
    meta: PatchMeta,
    is_delete_list: bool,
    opts: MergeOptions,
) -> Result<Vec<Value>, String> {
    if meta.is_merge() || is_delete_list {
        merge_slice(original, patch, ty, meta.merge_key(), opts, is_delete_list)
    } else {
        Ok(patch)
    }
}

/// `mergeSlice`.
fn merge_slice(
    original: Vec<Value>,
    patch: Vec<Value>,
    ty: Ty,
    key: &str,
    opts: MergeOptions,
    is_delete_list: bool,
) -> Result<Vec<Value>, String> {
    if original.is_empty() && patch.is_empty() {
        return Ok(original);
    }
    let kind = element_type(&[&original, &patch])?;
    let (original, patch, merged) = if kind != GoType::Map {
        if opts.merge_parallel_list && is_delete_list {
            return Ok(original.into_iter().filter(|v| !patch.contains(v)).collect());
        }
        let both = original.iter().chain(&patch).cloned().collect();
        (original, patch, dedup_scalars(both))
    } else {
        if key.is_empty() {
            return Err(format!("cannot merge lists without merge key for {}", ty.go_kind()));
        }
        let (original, patch) = merge_special_elements(original, patch, key)?;
        let merged = merge_plain_elements(original.clone(), &patch, key, ty, opts)?;
        (original, patch, merged)
    };
    let (in_patch, server_only) = partition(merged, &patch, key)?;
    normalize_element_order(in_patch, server_only, &patch, &original, key, kind)
}

/// `mergeSliceWithSpecialElements`: applies `$patch: delete` items to the live list and `$patch: replace` to the
/// whole list; returns the live list and the patch's plain items.
fn merge_special_elements(
    mut original: Vec<Value>,
    patch: Vec<Value>,
    key: &str,
) -> Result<(Vec<Value>, Vec<Value>), String> {
    let mut plain = Vec::new();
    let mut replace = false;
    for item in patch {
        let map = as_map(&item)?;
        let Some(directive) = map.get(DIRECTIVE) else {
            plain.push(item);
            continue;
        };
        match directive.as_str() {
            Some("delete") => {
                let value = map.get(key).ok_or_else(|| err_no_merge_key(map, key))?;
                while let Some(i) = find_by_key(&original, key, value)? {
                    original.remove(i);
                }
            }
            // Keep going: the other directive items must still be pruned.
            Some("replace") => replace = true,
            Some("merge") => return Err("merging lists cannot yet be specified in the patch".into()),
            _ => return Err(err_bad_patch_type(directive, map)),
        }
    }
    Ok(if replace { (plain, Vec::new()) } else { (original, plain) })
}

/// `mergeSliceWithoutSpecialElements`: items with a live match are merged into it, the rest appended.
fn merge_plain_elements(
    mut original: Vec<Value>,
    patch: &[Value],
    key: &str,
    ty: Ty,
    opts: MergeOptions,
) -> Result<Vec<Value>, String> {
    for item in patch {
        let map = as_map(item)?;
        let value = map.get(key).ok_or_else(|| err_no_merge_key(map, key))?;
        match find_by_key(&original, key, value)? {
            Some(i) => {
                let current = match std::mem::take(&mut original[i]) {
                    Value::Object(current) => current,
                    _ => Map::new(),
                };
                original[i] = Value::Object(merge_map(current, map.clone(), ty, opts)?);
            }
            None => original.push(item.clone()),
        }
    }
    Ok(original)
}
