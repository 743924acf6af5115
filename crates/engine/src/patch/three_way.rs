//! Creating strategic merge patches: kubectl apply's three-way patch (k8s.io/apimachinery
//! `strategicpatch.CreateThreeWayMergePatch` with `overwrite` true, as `kubectl apply` calls it) and the
//! `diffMaps` family it is built from.
//!
//! The patch is the change from `current` (the live object) to `modified` (the new manifest) ignoring
//! deletions, merged with the deletions from `original` (the last-applied configuration) to `modified`. So
//! fields the manifest never set (a label from `kubectl label`, a status, defaults) are kept, and fields removed
//! from the manifest since the last apply are deleted.

use super::gofmt::{go_type, GoType};
use super::lists::{
    as_map, dedup_scalars, element_type, err_no_merge_key, merge_key_value_equal, normalize_slice_order, sort_scalars,
    DELETE_PREFIX, DIRECTIVE, ERR_BAD_JSON_DOC, ERR_NO_LIST_OF_LISTS, RETAIN_KEYS, SET_ORDER_PREFIX,
};
use super::schema::{self, Ty};
use super::strategic::{merge_map, MergeOptions};
use crate::util::sort::StableSort;
use serde_json::{Map, Value};

/// `DiffOptions`.
#[derive(Clone, Copy, Debug, Default)]
struct DiffOptions {
    set_element_order: bool,
    ignore_changes_and_additions: bool,
    ignore_deletions: bool,
    build_retain_keys: bool,
}

/// kubectl apply's patch: `original` is the previous `last-applied-configuration` (absent on objects never
/// applied), `modified` the new manifest carrying its new annotation, `current` the live object. Kinds
/// without a strategic schema get kubectl's three-way JSON merge patch instead.
pub fn three_way_merge_patch(original: Option<&Value>, modified: &Value, current: &Value) -> Result<Value, String> {
    let kind = modified.get("kind").or_else(|| current.get("kind")).and_then(Value::as_str).unwrap_or_default();
    let Some(ty) = schema::root(kind) else {
        return super::merge::three_way_json_merge_patch(original, modified, current);
    };
    let empty = Map::new();
    let original = match original {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(map)) => map,
        Some(_) => return Err(ERR_BAD_JSON_DOC.into()),
    };
    let (Value::Object(modified), Value::Object(current)) = (modified, current) else {
        return Err(ERR_BAD_JSON_DOC.into());
    };
    let delta_options = DiffOptions { ignore_deletions: true, set_element_order: true, ..Default::default() };
    let delta = diff_maps(current, modified, ty, delta_options)?;
    let deletion_options =
        DiffOptions { ignore_changes_and_additions: true, set_element_order: true, ..Default::default() };
    let deletions = diff_maps(original, modified, ty, deletion_options)?;
    let client = MergeOptions { merge_parallel_list: false, ignore_unmatched_nulls: false };
    merge_map(deletions, delta, ty, client).map(Value::Object)
}

/// kubectl's test for "unchanged": the patch is `{}`.
pub fn is_empty_patch(patch: &Value) -> bool {
    patch.as_object().is_some_and(Map::is_empty)
}

/// `diffMaps`: the patch taking `original` to `modified`.
fn diff_maps(
    original: &Map<String, Value>,
    modified: &Map<String, Value>,
    ty: Ty,
    options: DiffOptions,
) -> Result<Map<String, Value>, String> {
    let mut patch = Map::new();
    let mut retain = Vec::new();
    for (key, modified_value) in modified {
        if options.build_retain_keys && !modified_value.is_null() {
            retain.push(Value::String(key.clone()));
        }
        let Some(original_value) = original.get(key) else {
            if !options.ignore_changes_and_additions {
                patch.insert(key.clone(), modified_value.clone());
            }
            continue;
        };
        if key == DIRECTIVE {
            let (Some(o), Some(m)) = (original_value.as_str(), modified_value.as_str()) else {
                return Err(format!("invalid value for special key: {DIRECTIVE}"));
            };
            if o != m {
                patch.insert(key.clone(), modified_value.clone());
            }
            continue;
        }
        if go_type(original_value) != go_type(modified_value) {
            if !options.ignore_changes_and_additions {
                patch.insert(key.clone(), modified_value.clone());
            }
            continue;
        }
        match (original_value, modified_value) {
            (Value::Object(o), Value::Object(m)) => {
                let (sub, meta) = schema::field(ty, key);
                let nested = DiffOptions { build_retain_keys: meta.retain_keys, ..options };
                let value = diff_maps(o, m, sub, nested)?;
                if !value.is_empty() {
                    patch.insert(key.clone(), Value::Object(value));
                }
            }
            (Value::Array(o), Value::Array(m)) => {
                let (sub, meta) = schema::field(ty, key);
                if meta.is_merge() {
                    let nested = DiffOptions { build_retain_keys: meta.retain_keys, ..options };
                    let diff = diff_lists(o, m, sub, meta.merge_key(), nested)?;
                    if !diff.patch.is_empty() {
                        patch.insert(key.clone(), Value::Array(diff.patch));
                    }
                    if !diff.delete.is_empty() {
                        patch.insert(format!("{DELETE_PREFIX}/{key}"), Value::Array(diff.delete));
                    }
                    if !diff.order.is_empty() {
                        patch.insert(format!("{SET_ORDER_PREFIX}/{key}"), Value::Array(diff.order));
                    }
                } else if !options.ignore_changes_and_additions && o != m {
                    patch.insert(key.clone(), modified_value.clone());
                }
            }
            _ => {
                if !options.ignore_changes_and_additions && original_value != modified_value {
                    patch.insert(key.clone(), modified_value.clone());
                }
            }
        }
    }
    if !options.ignore_deletions {
        for key in original.keys() {
            if !modified.contains_key(key) {
                patch.insert(key.clone(), Value::Null);
            }
        }
    }
    // `$retainKeys` is sent when something changes or when original has keys that must be cleared.
    let has_extra = original.iter().any(|(k, v)| !v.is_null() && !modified.contains_key(k));
    if !retain.is_empty() && (!patch.is_empty() || has_extra) {
        patch.insert(RETAIN_KEYS.into(), Value::Array(sort_scalars(retain)));
    }
    Ok(patch)
}

/// The three parts of a merge list's patch.
#[derive(Default)]
struct ListDiff {
    /// Items added or changed, then `$patch: delete` items.
    patch: Vec<Value>,
    /// Scalars to delete: the parallel `$deleteFromPrimitiveList/<field>` list.
    delete: Vec<Value>,
    /// The `$setElementOrder/<field>` list.
    order: Vec<Value>,
}

/// `diffLists`.
fn diff_lists(
    original: &[Value],
    modified: &[Value],
    ty: Ty,
    key: &str,
    options: DiffOptions,
) -> Result<ListDiff, String> {
    if original.is_empty() {
        if modified.is_empty() || options.ignore_changes_and_additions {
            return Ok(Default::default());
        }
        return Ok(ListDiff { patch: modified.to_vec(), ..Default::default() });
    }
    let kind = element_type(&[original, modified])?;
    match kind {
        GoType::Map => {
            let (changes, deletions) = diff_lists_of_maps(original, modified, ty, key, options)?;
            let mut patch = normalize_slice_order(changes, modified, key, kind)?;
            let order_same = is_order_same(original, modified, key)?;
            patch.extend(deletions);
            let mut order = Vec::new();
            let changed = !patch.is_empty();
            if options.set_element_order
                && ((!options.ignore_changes_and_additions && (changed || !order_same))
                    || (!options.ignore_deletions && changed))
            {
                order = modified
                    .iter()
                    .map(|item| {
                        let value = item.get(key).cloned().unwrap_or(Value::Null);
                        Value::Object(Map::from_iter([(key.to_string(), value)]))
                    })
                    .collect();
            }
            Ok(ListDiff { patch, delete: Vec::new(), order })
        }
        GoType::Slice => Err(ERR_NO_LIST_OF_LISTS.into()),
        _ => {
            let (additions, deletions) = diff_lists_of_scalars(original, modified, options);
            let patch = normalize_slice_order(additions, modified, key, kind)?;
            let mut order = Vec::new();
            if options.set_element_order
                && ((!options.ignore_deletions && !deletions.is_empty())
                    || (!options.ignore_changes_and_additions && original != modified))
            {
                order = modified.to_vec();
            }
            Ok(ListDiff { patch, delete: deletions, order })
        }
    }
}

/// `isOrderSame`.
fn is_order_same(original: &[Value], modified: &[Value], key: &str) -> Result<bool, String> {
    if original.len() != modified.len() {
        return Ok(false);
    }
    for (o, m) in original.iter().zip(modified) {
        if !merge_key_value_equal(o, m, key)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// `diffListsOfScalars`: additions and (de-duplicated) deletions, found by walking both lists sorted by `%v`.
fn diff_lists_of_scalars(original: &[Value], modified: &[Value], options: DiffOptions) -> (Vec<Value>, Vec<Value>) {
    let original = sort_scalars(original.to_vec());
    let modified = sort_scalars(modified.to_vec());
    let (mut o, mut m) = (0, 0);
    let mut additions = Vec::new();
    let mut deletions = Vec::new();
    while o < original.len() || m < modified.len() {
        let os = original.get(o).map(super::gofmt::v);
        let ms = modified.get(m).map(super::gofmt::v);
        match (os, ms) {
            (Some(os), Some(ms)) if os == ms => {
                o += 1;
                m += 1;
            }
            (Some(os), Some(ms)) if os < ms => {
                if !options.ignore_deletions {
                    deletions.push(original[o].clone());
                }
                o += 1;
            }
            (Some(_), None) => {
                if !options.ignore_deletions {
                    deletions.push(original[o].clone());
                }
                o += 1;
            }
            _ => {
                if !options.ignore_changes_and_additions {
                    additions.push(modified[m].clone());
                }
                m += 1;
            }
        }
    }
    (additions, dedup_scalars(deletions))
}

/// `diffListsOfMaps`: walks both lists sorted by the `%v` of their merge keys; matched items are diffed,
/// new ones added whole, missing ones turned into `{<key>: <value>, $patch: delete}`.
fn diff_lists_of_maps(
    original: &[Value],
    modified: &[Value],
    ty: Ty,
    key: &str,
    options: DiffOptions,
) -> Result<(Vec<Value>, Vec<Value>), String> {
    let original = sorted_by_merge_key(original, key)?;
    let modified = sorted_by_merge_key(modified, key)?;
    let mut patch = Vec::new();
    let mut deletions = Vec::new();
    let (mut o, mut m) = (0, 0);
    loop {
        match (original.get(o), modified.get(m)) {
            (None, None) => break,
            (Some(left), Some(right)) if left.text == right.text => {
                let mut item = diff_maps(left.map, right.map, ty, options)?;
                if !item.is_empty() {
                    item.insert(key.to_string(), right.value.clone());
                    patch.push(Value::Object(item));
                }
                o += 1;
                m += 1;
            }
            // Only in original (it sorts first, or modified is exhausted): deleted.
            (Some(left), right) if right.is_none_or(|r| left.text < r.text) => {
                if !options.ignore_deletions {
                    deletions.push(delete_directive(key, left.value));
                }
                o += 1;
            }
            (_, Some(right)) => {
                if !options.ignore_changes_and_additions {
                    patch.push(Value::Object(right.map.clone()));
                }
                m += 1;
            }
            (Some(_), None) => o += 1,
        }
    }
    Ok((patch, deletions))
}

/// A map of a merge list with its merge key's value, and that value's `%v` (the sort and match key).
struct Keyed<'a> {
    text: String,
    map: &'a Map<String, Value>,
    value: &'a Value,
}

/// The maps of a list sorted by the `%v` of their merge keys (`sortMergeListsByNameArray`).
fn sorted_by_merge_key<'a>(list: &'a [Value], key: &str) -> Result<Vec<Keyed<'a>>, String> {
    let mut items = Vec::with_capacity(list.len());
    for item in list {
        let map = as_map(item)?;
        let value = map.get(key).ok_or_else(|| err_no_merge_key(map, key))?;
        items.push(Keyed { text: super::gofmt::v(value), map, value });
    }
    items.stable_sort_by(|a, b| a.text.cmp(&b.text));
    Ok(items)
}

/// `CreateDeleteDirective`.
fn delete_directive(key: &str, value: &Value) -> Value {
    Value::Object(Map::from_iter([
        (key.to_string(), value.clone()),
        (DIRECTIVE.to_string(), Value::String("delete".into())),
    ]))
}
