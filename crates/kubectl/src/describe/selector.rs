//! Label selectors as apimachinery converts (`LabelSelectorAsSelector`), prints (`Selector.String()`)
//! and matches them. Describers print them (`Selector:  app=web,pod-template-hash=7d9f8c6b5`) and use
//! them to find the pods and ReplicaSets an object selects.

use std::collections::BTreeMap;

use engine::api::apimachinery::pkg::apis::meta::v1::LabelSelector;

use super::gosort;
use engine::util::sort::StableSort;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Equals,
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

#[derive(Clone, Debug)]
struct Requirement {
    key: String,
    op: Op,
    values: Vec<String>,
}

/// A converted selector. `Nothing` (from a missing selector) matches no object; an empty one matches
/// every object. Both print as the empty string.
#[derive(Clone, Debug)]
pub struct Selector(Inner);

#[derive(Clone, Debug)]
enum Inner {
    Nothing,
    Requirements(Vec<Requirement>),
}

impl Selector {
    /// `metav1.LabelSelectorAsSelector`; an unknown operator is an error, as in Go.
    pub fn from_label_selector(ls: Option<&LabelSelector>) -> Result<Selector, String> {
        let Some(ls) = ls else {
            return Ok(Selector(Inner::Nothing));
        };
        let mut reqs = Vec::new();
        for (k, v) in ls.match_labels.iter().flatten() {
            reqs.push(Requirement { key: k.clone(), op: Op::Equals, values: vec![v.clone()] });
        }
        for expr in ls.match_expressions.iter().flatten() {
            let op = match expr.operator.as_str() {
                "In" => Op::In,
                "NotIn" => Op::NotIn,
                "Exists" => Op::Exists,
                "DoesNotExist" => Op::DoesNotExist,
                other => return Err(format!("{other:?} is not a valid label selector operator")),
            };
            reqs.push(Requirement { key: expr.key.clone(), op, values: expr.values.clone().unwrap_or_default() });
        }
        gosort::sort(&mut reqs, |a, b| a.key < b.key);
        Ok(Selector(Inner::Requirements(reqs)))
    }

    pub fn matches(&self, labels: Option<&BTreeMap<String, String>>) -> bool {
        let Inner::Requirements(reqs) = &self.0 else {
            return false;
        };
        reqs.iter().all(|r| {
            let value = labels.and_then(|l| l.get(&r.key));
            match r.op {
                Op::Equals => value.is_some_and(|v| r.values.first() == Some(v)),
                Op::In => value.is_some_and(|v| r.values.contains(v)),
                Op::NotIn => value.is_none_or(|v| !r.values.contains(v)),
                Op::Exists => value.is_some(),
                Op::DoesNotExist => value.is_none(),
            }
        })
    }
}

impl std::fmt::Display for Selector {
    /// `Selector.String()`: requirements by key, `key=value`, `key in (a,b)`, `!key`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Inner::Requirements(reqs) = &self.0 else {
            return Ok(());
        };
        let parts: Vec<String> = reqs
            .iter()
            .map(|r| {
                let mut values = r.values.clone();
                values.stable_sort();
                let joined = values.join(",");
                match r.op {
                    Op::Equals => format!("{}={}", r.key, joined),
                    Op::In => format!("{} in ({})", r.key, joined),
                    Op::NotIn => format!("{} notin ({})", r.key, joined),
                    Op::Exists => r.key.clone(),
                    Op::DoesNotExist => format!("!{}", r.key),
                }
            })
            .collect();
        f.write_str(&parts.join(","))
    }
}

/// `metav1.FormatLabelSelector`: `<none>` for an empty selector, `<error>` for an invalid one.
pub fn format_label_selector(ls: Option<&LabelSelector>) -> String {
    match Selector::from_label_selector(ls) {
        Ok(s) => {
            let text = s.to_string();
            if text.is_empty() {
                "<none>".to_string()
            } else {
                text
            }
        }
        Err(_) => "<error>".to_string(),
    }
}

/// The selector as a `Selector:` line prints it with `%s`: the string, or the conversion error.
pub fn selector_text(ls: Option<&LabelSelector>) -> Result<String, String> {
    Selector::from_label_selector(ls).map(|s| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::api::apimachinery::pkg::apis::meta::v1::LabelSelectorRequirement;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn prints_and_matches() {
        let ls = LabelSelector {
            match_labels: Some(labels(&[("tier", "web"), ("app", "shop")])),
            match_expressions: Some(vec![
                LabelSelectorRequirement {
                    key: "env".into(),
                    operator: "In".into(),
                    values: Some(vec!["prod".into(), "dev".into()]),
                },
                LabelSelectorRequirement { key: "canary".into(), operator: "DoesNotExist".into(), values: None },
            ]),
        };
        let s = Selector::from_label_selector(Some(&ls)).unwrap();
        assert_eq!(s.to_string(), "app=shop,!canary,env in (dev,prod),tier=web");
        assert!(s.matches(Some(&labels(&[("app", "shop"), ("tier", "web"), ("env", "dev")]))));
        assert!(!s.matches(Some(&labels(&[("app", "shop"), ("tier", "web"), ("env", "qa")]))));
        assert!(!s.matches(None));
        assert_eq!(format_label_selector(Some(&LabelSelector::default())), "<none>");
        assert!(Selector::from_label_selector(Some(&LabelSelector::default())).unwrap().matches(None));
        assert!(!Selector::from_label_selector(None).unwrap().matches(None));
    }
}
