//! List helpers shared by applying (`strategic`) and creating (`three_way`) strategic merge patches:
//! element typing, merge-key lookups, scalar de-duplication, and the ordering rules of
//! k8s.io/apimachinery `strategicpatch` (`normalizeElementOrder`, `mergeSortedSlice`), with its errors.

use super::gofmt::{self, go_type, GoType};
use crate::util::sort::StableSort;
use serde_json::{Map, Value};

pub(crate) const DIRECTIVE: &str = "$patch";
pub(crate) const DELETE_PREFIX: &str = "$deleteFromPrimitiveList";
pub(crate) const SET_ORDER_PREFIX: &str = "$setElementOrder";
pub(crate) const RETAIN_KEYS: &str = "$retainKeys";

/// mergepatch's sentinel errors, compared by the apiserver to choose the HTTP status.
pub(crate) const ERR_BAD_JSON_DOC: &str = "invalid JSON document";
pub(crate) const ERR_NO_LIST_OF_LISTS: &str = "lists of lists are not supported";
pub(crate) const ERR_BAD_PRIMITIVE_LIST: &str = "invalid patch format of primitive list";
pub(crate) const ERR_BAD_RETAIN_KEYS: &str = "invalid patch format of retainKeys";
pub(crate) const ERR_BAD_SET_ORDER: &str = "invalid patch format of setElementOrder list";

/// `mergepatch.ErrNoMergeKey`.
pub(crate) fn err_no_merge_key(map: &Map<String, Value>, key: &str) -> String {
    format!("map: {} does not contain declared merge key: {key}", gofmt::v(&Value::Object(map.clone())))
}

/// `mergepatch.ErrBadArgType(expected, actual)`.
pub(crate) fn err_bad_arg_type(expected: GoType, actual: &Value) -> String {
    format!("expected a {}, but received a {}", gofmt::type_name(expected), gofmt::type_name(go_type(actual)))
}

/// `mergepatch.ErrBadPatchType`.
pub(crate) fn err_bad_patch_type(directive: &Value, map: &Map<String, Value>) -> String {
    format!("unknown patch type: {} in map: {}", gofmt::s(directive), gofmt::v(&Value::Object(map.clone())))
}

pub(crate) fn as_map(value: &Value) -> Result<&Map<String, Value>, String> {
    value.as_object().ok_or_else(|| err_bad_arg_type(GoType::Map, value))
}

/// `sliceElementType`: the one element type of all the lists; lists of lists and mixed lists are refused.
pub(crate) fn element_type(lists: &[&[Value]]) -> Result<GoType, String> {
    let mut prev: Option<GoType> = None;
    for item in lists.iter().flat_map(|l| l.iter()) {
        let current = go_type(item);
        match prev {
            None if current == GoType::Slice => return Err(ERR_NO_LIST_OF_LISTS.into()),
            None => prev = Some(current),
            Some(p) if p != current => {
                let all: Vec<Value> = lists.iter().map(|l| Value::Array(l.to_vec())).collect();
                return Err(format!("list element types are not identical: {}", gofmt::v_list(&all)));
            }
            Some(_) => {}
        }
    }
    prev.ok_or_else(|| "no elements in any of the given slices".to_string())
}

/// `findMapInSliceBasedOnKeyValue`: the index of the map whose `key` equals `value`.
pub(crate) fn find_by_key(list: &[Value], key: &str, value: &Value) -> Result<Option<usize>, String> {
    for (i, item) in list.iter().enumerate() {
        let map = item.as_object().ok_or_else(|| format!("value for key {i} is not a map"))?;
        if map.get(key) == Some(value) {
            return Ok(Some(i));
        }
    }
    Ok(None)
}

/// `mergeKeyValueEqual`.
pub(crate) fn merge_key_value_equal(left: &Value, right: &Value, key: &str) -> Result<bool, String> {
    if key.is_empty() {
        return Ok(left == right);
    }
    let (left, right) = (as_map(left)?, as_map(right)?);
    let l = left.get(key).ok_or_else(|| err_no_merge_key(left, key))?;
    let r = right.get(key).ok_or_else(|| err_no_merge_key(right, key))?;
    Ok(l == r)
}

/// `deduplicateScalars`, including its habit of moving the last element into a duplicate's place.
pub(crate) fn dedup_scalars(mut s: Vec<Value>) -> Vec<Value> {
    let mut length = s.len() as isize - 1;
    let mut i = 0;
    while i < length {
        let mut j = i + 1;
        while j <= length {
            if s[i as usize] == s[j as usize] {
                s[j as usize] = s[length as usize].clone();
                s.truncate(length as usize);
                length -= 1;
                j -= 1;
            }
            j += 1;
        }
        i += 1;
    }
    s
}

/// `sortScalars`: by `%v` text.
pub(crate) fn sort_scalars(mut s: Vec<Value>) -> Vec<Value> {
    s.stable_sort_by_key(gofmt::v);
    s
}

/// `index`: the position of `item` in `list`, comparing merge-key values for maps.
fn index(list: &[Value], item: &Value, key: &str, kind: GoType) -> Option<usize> {
    if kind == GoType::Map {
        let wanted = item.as_object().and_then(|m| m.get(key));
        list.iter().position(|v| v.as_object().and_then(|m| m.get(key)) == wanted)
    } else {
        list.iter().position(|v| v == item)
    }
}

/// `extractToDeleteItems`: the items without and with `$patch: delete`.
pub(crate) fn split_deletions(list: Vec<Value>) -> Result<(Vec<Value>, Vec<Value>), String> {
    let mut keep = Vec::new();
    let mut delete = Vec::new();
    for item in list {
        let is_delete = as_map(&item)?.get(DIRECTIVE).and_then(Value::as_str) == Some("delete");
        if is_delete {
            delete.push(item);
        } else {
            keep.push(item);
        }
    }
    Ok((keep, delete))
}

/// `normalizeSliceOrder`: `to_sort` in the order of `order`, `$patch: delete` items last. Go sorts with
/// `sort.SliceStable`, an insertion sort for lists this short, and a comparator that calls an item missing
/// from `order` smaller than anything; the same insertion sort gives the same order in those cases too.
pub(crate) fn normalize_slice_order(
    to_sort: Vec<Value>,
    order: &[Value],
    key: &str,
    kind: GoType,
) -> Result<Vec<Value>, String> {
    let (mut to_sort, to_delete) = if kind == GoType::Map {
        for item in to_sort.iter().chain(order) {
            let map = as_map(item)?;
            if !map.contains_key(key) {
                return Err(err_no_merge_key(map, key));
            }
        }
        split_deletions(to_sort)?
    } else {
        (to_sort, Vec::new())
    };
    let positions: Vec<Option<usize>> = to_sort.iter().map(|item| index(order, item, key, kind)).collect();
    let less = |a: Option<usize>, b: Option<usize>| match (a, b) {
        (Some(a), Some(b)) => a < b,
        _ => true,
    };
    let mut slots: Vec<usize> = (0..to_sort.len()).collect();
    for i in 1..slots.len() {
        let mut j = i;
        while j > 0 && less(positions[slots[j]], positions[slots[j - 1]]) {
            slots.swap(j, j - 1);
            j -= 1;
        }
    }
    let mut taken: Vec<Option<Value>> = to_sort.drain(..).map(Some).collect();
    let mut sorted: Vec<Value> = slots.iter().filter_map(|&s| taken[s].take()).collect();
    sorted.extend(to_delete);
    Ok(sorted)
}

/// `normalizeElementOrder`: patch items in the patch's order, server-only items in the live order, then
/// interleaved by `mergeSortedSlice`.
pub(crate) fn normalize_element_order(
    patch: Vec<Value>,
    server_only: Vec<Value>,
    patch_order: &[Value],
    server_order: &[Value],
    key: &str,
    kind: GoType,
) -> Result<Vec<Value>, String> {
    let patch = normalize_slice_order(patch, patch_order, key, kind)?;
    let server_only = normalize_slice_order(server_only, server_order, key, kind)?;
    Ok(merge_sorted_slice(server_only, patch, server_order, key, kind))
}

/// `mergeSortedSlice`: a server-only item goes before a patch item only when both are in the live list and it
/// came first there; otherwise the patch item goes first. The relative orders of both lists are kept.
fn merge_sorted_slice(
    left: Vec<Value>,
    right: Vec<Value>,
    server_order: &[Value],
    key: &str,
    kind: GoType,
) -> Vec<Value> {
    let mut out = Vec::with_capacity(left.len() + right.len());
    let mut left = left.into_iter().peekable();
    let mut right = right.into_iter().peekable();
    loop {
        let take_left = match (left.peek(), right.peek()) {
            (None, None) => break,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (Some(l), Some(r)) => match (index(server_order, l, key, kind), index(server_order, r, key, kind)) {
                (Some(li), Some(ri)) => li < ri,
                _ => false,
            },
        };
        let next = if take_left { left.next() } else { right.next() };
        out.extend(next);
    }
    out
}

/// `partitionPrimitivesByPresentInList` / `partitionMapsByPresentInList`: the items of `merged` present in
/// `by` (by merge key for maps), and the rest.
pub(crate) fn partition(merged: Vec<Value>, by: &[Value], key: &str) -> Result<(Vec<Value>, Vec<Value>), String> {
    let mut present = Vec::new();
    let mut absent = Vec::new();
    for item in merged {
        let found = if key.is_empty() {
            by.contains(&item)
        } else {
            let map = as_map(&item)?;
            let value = map.get(key).ok_or_else(|| err_no_merge_key(map, key))?;
            find_by_key(by, key, value)?.is_some()
        };
        if found {
            present.push(item);
        } else {
            absent.push(item);
        }
    }
    Ok((present, absent))
}

/// `extractKey`: `$setElementOrder/containers` → `containers`.
pub(crate) fn extract_key(directive: &str, prefix: &str) -> Result<String, String> {
    match directive.split_once('/') {
        Some((head, rest)) if head == prefix => Ok(rest.to_string()),
        _ if prefix == DELETE_PREFIX => Err(ERR_BAD_PRIMITIVE_LIST.into()),
        _ if prefix == SET_ORDER_PREFIX => Err(ERR_BAD_SET_ORDER.into()),
        _ => Err(format!("fail to find unknown prefix {} in {directive}", gofmt::quote(prefix))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn list(v: Value) -> Vec<Value> {
        v.as_array().cloned().unwrap_or_default()
    }

    #[test]
    fn dedup_moves_the_last_element_like_go() {
        assert_eq!(dedup_scalars(list(json!(["a", "b", "a", "c"]))), list(json!(["a", "b", "c"])));
        assert_eq!(dedup_scalars(list(json!(["a", "a", "b", "c"]))), list(json!(["a", "c", "b"])));
        assert_eq!(dedup_scalars(Vec::new()), Vec::<Value>::new());
    }

    #[test]
    fn server_only_items_keep_their_live_neighbours() {
        // Live [a b c d]; the patch names [d b]: a and c are server-only. Each server-only item goes before
        // the next patch item when it came first in the live list: a before d, c before d, then d and b.
        let live = list(json!([{"n":"a"},{"n":"b"},{"n":"c"},{"n":"d"}]));
        let patch_order = list(json!([{"n":"d"},{"n":"b"}]));
        let (in_patch, server_only) = partition(live.clone(), &patch_order, "n").unwrap();
        let merged = normalize_element_order(in_patch, server_only, &patch_order, &live, "n", GoType::Map).unwrap();
        assert_eq!(merged, list(json!([{"n":"a"},{"n":"c"},{"n":"d"},{"n":"b"}])));
    }

    #[test]
    fn element_types() {
        assert_eq!(element_type(&[&list(json!([1, 2])), &[]]), Ok(GoType::Int));
        assert_eq!(element_type(&[&list(json!([[1]]))]), Err("lists of lists are not supported".into()));
        assert_eq!(
            element_type(&[&list(json!(["x"])), &list(json!([{"a": 1}]))]),
            Err("list element types are not identical: [[x] [map[a:1]]]".into())
        );
        assert_eq!(element_type(&[&[], &[]]), Err("no elements in any of the given slices".into()));
    }
}
