//! `kubectl get --sort-by=JSONPATH` (`k8s.io/kubectl/pkg/cmd/get/sorter.go`): the listed objects ordered by
//! the first value the path finds in each, compared as kubectl compares unstructured values — integers and
//! floats by value, strings in natural order (`pod-2` before `pod-10`); objects without the field go first.

use std::cmp::Ordering;
use std::sync::Arc;

use engine::util::sort::StableSort;
use engine::Object;
use serde_json::Value;

use super::jsonpath::JsonPath;

/// `RelaxedJSONPathExpression`: `.a.b`, `a.b`, `{a.b}` and `{.a.b}` all mean `{.a.b}`.
pub fn relaxed(path: &str) -> Result<String, String> {
    let inner = path.strip_prefix('{').map(|p| p.strip_suffix('}').unwrap_or(p)).unwrap_or(path);
    if inner.contains(['{', '}']) || (path.starts_with('{') != path.ends_with('}')) {
        return Err("error: unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' \
or '{.name1.name2}'\n"
            .into());
    }
    if inner.is_empty() {
        return Ok(String::new());
    }
    Ok(format!("{{.{}}}", inner.trim_start_matches('.')))
}

/// Sorts `objects` by `sort_by` (as given on the command line). An error is kubectl's complete message.
pub fn sort(objects: &mut [Arc<Object>], sort_by: &str) -> Result<(), String> {
    let field = relaxed(sort_by)?;
    if field.is_empty() || objects.len() < 2 {
        return Ok(());
    }
    let path = JsonPath::parse_raw(&field).map_err(|e| format!("error: {e}\n"))?;
    let keys: Vec<Option<Value>> = objects.iter().map(|o| path.find_first(&o.to_json())).collect();
    if keys.iter().all(Option::is_none) {
        return Err(format!("error: couldn't find any field with path \"{field}\" in the list of objects\n"));
    }
    let mut order: Vec<usize> = (0..objects.len()).collect();
    order.stable_sort_by(|&a, &b| compare(keys[a].as_ref(), keys[b].as_ref()));
    let sorted: Vec<Arc<Object>> = order.iter().map(|&i| objects[i].clone()).collect();
    objects.clone_from_slice(&sorted);
    Ok(())
}

fn compare(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, _) => Ordering::Less,
        (_, None) => Ordering::Greater,
        (Some(Value::Number(x)), Some(Value::Number(y))) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x.cmp(&y),
            _ => x.as_f64().unwrap_or(0.0).partial_cmp(&y.as_f64().unwrap_or(0.0)).unwrap_or(Ordering::Equal),
        },
        (Some(Value::String(x)), Some(Value::String(y))) => {
            if natural_less(x, y) {
                Ordering::Less
            } else if natural_less(y, x) {
                Ordering::Greater
            } else {
                Ordering::Equal
            }
        }
        _ => Ordering::Equal,
    }
}

/// `sortorder.NaturalLess`: runs of digits compare as numbers (leading zeros ignored, then fewer zeros
/// first), everything else byte by byte, and digits sort before other characters.
///
/// `natural_less("web-2", "web-10")` is true; `natural_less("a01", "a1")` is false.
pub fn natural_less(s1: &str, s2: &str) -> bool {
    let (a, b) = (s1.as_bytes(), s2.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let (d1, d2) = (a[i].is_ascii_digit(), b[j].is_ascii_digit());
        if d1 != d2 {
            return d1;
        }
        if !d1 {
            if a[i] != b[j] {
                return a[i] < b[j];
            }
            i += 1;
            j += 1;
            continue;
        }
        while i < a.len() && a[i] == b'0' {
            i += 1;
        }
        while j < b.len() && b[j] == b'0' {
            j += 1;
        }
        let (nz1, nz2) = (i, j);
        while i < a.len() && a[i].is_ascii_digit() {
            i += 1;
        }
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        if i - nz1 != j - nz2 {
            return i - nz1 < j - nz2;
        }
        if a[nz1..i] != b[nz2..j] {
            return a[nz1..i] < b[nz2..j];
        }
        if nz1 != nz2 {
            return nz1 < nz2;
        }
    }
    a.len() < b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order_is_sortorders() {
        assert!(natural_less("web-2", "web-10"));
        assert!(!natural_less("web-10", "web-2"));
        assert!(natural_less("1Gi", "100Mi"));
        assert!(natural_less("a1", "a01"));
        assert!(natural_less("2025-08-27T00:00:05Z", "2025-08-27T00:01:00Z"));
        assert!(natural_less("9", "a"));
        assert!(!natural_less("abc", "abc"));
        assert!(natural_less("ab", "abc"));
    }

    #[test]
    fn paths_are_relaxed_like_kubectl() {
        assert_eq!(relaxed(".metadata.name").unwrap(), "{.metadata.name}");
        assert_eq!(relaxed("metadata.name").unwrap(), "{.metadata.name}");
        assert_eq!(relaxed("{.metadata.name}").unwrap(), "{.metadata.name}");
        assert_eq!(relaxed("{metadata.name}").unwrap(), "{.metadata.name}");
        assert!(relaxed("{.a}{.b}").is_err());
    }
}
