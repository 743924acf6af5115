//! Label sets and label selectors as text, the way apimachinery prints them: `labels.FormatLabels`,
//! `metav1.LabelSelectorAsSelector(..).String()` and `metav1.FormatLabelSelector`.

use std::collections::BTreeMap;

use engine::api::apimachinery::pkg::apis::meta::v1::LabelSelector;
use engine::util::sort::StableSort;

/// `labels.FormatLabels`: `k=v` strings sorted as strings (so `app-x=1` sorts before `app=1`), comma-joined,
/// or `<none>` for no labels.
pub(super) fn format_labels(labels: Option<&BTreeMap<String, String>>) -> String {
    let mut pairs: Vec<String> = labels.into_iter().flatten().map(|(k, v)| format!("{k}={v}")).collect();
    if pairs.is_empty() {
        return "<none>".to_string();
    }
    pairs.stable_sort();
    pairs.join(",")
}

/// `LabelSelectorAsSelector(sel).String()`: a missing selector (selects nothing) and an empty one (selects
/// everything) both print as the empty string. `Err` where apimachinery refuses the selector: an unknown
/// operator, `In`/`NotIn` without values, `Exists`/`DoesNotExist` with values.
///
/// Requirements are sorted by key and `in (...)` values are sorted, as `String()` normalizes them. Key and
/// value syntax is not re-validated: the API validated it when the object was stored.
pub(super) fn selector_string(sel: Option<&LabelSelector>) -> Result<String, ()> {
    let Some(sel) = sel else { return Ok(String::new()) };
    let mut reqs: Vec<(String, String)> = Vec::new();
    for (k, v) in sel.match_labels.iter().flatten() {
        reqs.push((k.clone(), format!("{k}={v}")));
    }
    for expr in sel.match_expressions.iter().flatten() {
        let mut values: Vec<&str> = expr.values.iter().flatten().map(String::as_str).collect();
        values.stable_sort();
        let key = &expr.key;
        let text = match expr.operator.as_str() {
            "In" | "NotIn" if values.is_empty() => return Err(()),
            "In" => format!("{key} in ({})", values.join(",")),
            "NotIn" => format!("{key} notin ({})", values.join(",")),
            "Exists" | "DoesNotExist" if !values.is_empty() => return Err(()),
            "Exists" => key.clone(),
            "DoesNotExist" => format!("!{key}"),
            _ => return Err(()),
        };
        reqs.push((key.clone(), text));
    }
    reqs.stable_sort_by(|a, b| a.0.cmp(&b.0));
    Ok(reqs.into_iter().map(|(_, text)| text).collect::<Vec<_>>().join(","))
}

/// `metav1.FormatLabelSelector`: like [`selector_string`] but `<none>` when empty and `<error>` when invalid.
pub(super) fn format_label_selector(sel: Option<&LabelSelector>) -> String {
    match selector_string(sel) {
        Ok(s) if s.is_empty() => "<none>".to_string(),
        Ok(s) => s,
        Err(()) => "<error>".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::api::apimachinery::pkg::apis::meta::v1::LabelSelectorRequirement;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn expr(key: &str, op: &str, values: &[&str]) -> LabelSelectorRequirement {
        LabelSelectorRequirement {
            key: key.into(),
            operator: op.into(),
            values: (!values.is_empty()).then(|| values.iter().map(|v| v.to_string()).collect()),
        }
    }

    #[test]
    fn label_sets_sort_as_key_value_strings() {
        let cases = [
            (labels(&[]), "<none>"),
            (labels(&[("app", "web")]), "app=web"),
            (labels(&[("app", "1"), ("app-x", "2")]), "app-x=2,app=1"),
            (labels(&[("tier", "db"), ("app", "web")]), "app=web,tier=db"),
        ];
        for (set, want) in cases {
            assert_eq!(format_labels(Some(&set)), want);
        }
        assert_eq!(format_labels(None), "<none>");
    }

    #[test]
    fn selectors_print_as_apimachinery_does() {
        let ml = |pairs: &[(&str, &str)]| LabelSelector { match_labels: Some(labels(pairs)), ..Default::default() };
        let me = |exprs: Vec<LabelSelectorRequirement>| LabelSelector {
            match_expressions: Some(exprs),
            ..Default::default()
        };
        let cases: Vec<(Option<LabelSelector>, Result<&str, ()>, &str)> = vec![
            (None, Ok(""), "<none>"),
            (Some(LabelSelector::default()), Ok(""), "<none>"),
            (
                Some(ml(&[("app", "web"), ("pod-template-hash", "5f6d8b7c4")])),
                Ok("app=web,pod-template-hash=5f6d8b7c4"),
                "",
            ),
            (Some(me(vec![expr("tier", "In", &["web", "api"])])), Ok("tier in (api,web)"), ""),
            (Some(me(vec![expr("b", "Exists", &[]), expr("a", "DoesNotExist", &[])])), Ok("!a,b"), ""),
            (Some(me(vec![expr("env", "NotIn", &["prod"])])), Ok("env notin (prod)"), ""),
            (Some(me(vec![expr("x", "In", &[])])), Err(()), "<error>"),
            (Some(me(vec![expr("x", "Exists", &["v"])])), Err(()), "<error>"),
            (Some(me(vec![expr("x", "Gt", &["1"])])), Err(()), "<error>"),
        ];
        for (sel, want, want_formatted) in cases {
            let got = selector_string(sel.as_ref());
            assert_eq!(got.as_deref().map_err(|_| ()), want, "{sel:?}");
            let want_formatted = if want_formatted.is_empty() { want.unwrap_or_default() } else { want_formatted };
            assert_eq!(format_label_selector(sel.as_ref()), want_formatted, "{sel:?}");
        }
    }
}
