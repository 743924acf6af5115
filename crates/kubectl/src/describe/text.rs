//! The small formatting helpers describe.go shares between describers: dates, ages, and the
//! multi-line label, annotation, taint, toleration and pod lists.

use std::collections::BTreeMap;

use engine::api::api::core::v1::{Pod, Taint, Toleration};
use engine::api::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta, Time};
use engine::api::jiff::Timestamp;
use engine::clock::EPOCH_UNIX_SECONDS;

use super::gosort;
use super::tabwriter::{PrefixWriter, LEVEL_0};
use crate::duration;

/// Go's zero `time.Time` in `time.RFC1123Z`: what kubectl prints for a timestamp the object lacks in
/// places where it does not check (condition times, for instance).
pub const ZERO_TIME: &str = "Mon, 01 Jan 0001 00:00:00 +0000";

/// `t.Format(time.RFC1123Z)` in UTC: `Fri, 27 Nov 2026 05:55:53 +0000`.
pub fn rfc1123z(t: &Timestamp) -> String {
    engine::api::jiff::fmt::strtime::format("%a, %d %b %Y %H:%M:%S +0000", *t).unwrap_or_else(|_| ZERO_TIME.into())
}

/// An optional API time in RFC1123Z, Go's zero time when absent.
pub fn date(t: Option<&Time>) -> String {
    t.map(|t| rfc1123z(&t.0)).unwrap_or_else(|| ZERO_TIME.to_string())
}

/// The simulated "now" as an instant.
fn now_nanos(now_ms: u64) -> i128 {
    (EPOCH_UNIX_SECONDS as i128) * 1_000_000_000 + (now_ms as i128) * 1_000_000
}

/// `duration.HumanDuration(time.Since(t))`, including Go's tolerance of up to two seconds of clock
/// skew (`0s`) and `<invalid>` beyond it.
pub fn since_timestamp(t: &Timestamp, now_ms: u64) -> String {
    human_nanos(now_nanos(now_ms) - t.as_nanosecond())
}

/// `duration.HumanDuration(end.Sub(start))`.
pub fn human_between(start: &Timestamp, end: &Timestamp) -> String {
    human_nanos(end.as_nanosecond() - start.as_nanosecond())
}

fn human_nanos(diff: i128) -> String {
    let seconds = diff / 1_000_000_000;
    if seconds < -1 {
        "<invalid>".to_string()
    } else if seconds < 0 {
        "0s".to_string()
    } else {
        duration::human((diff / 1_000_000) as u64)
    }
}

/// `translateTimestampSince`: `<unknown>` for a zero time.
pub fn since(t: Option<&Time>, now_ms: u64) -> String {
    match t {
        Some(t) => since_timestamp(&t.0, now_ms),
        None => "<unknown>".to_string(),
    }
}

/// `translateMicroTimestampSince`.
pub fn since_micro(t: Option<&MicroTime>, now_ms: u64) -> String {
    match t {
        Some(t) => since_timestamp(&t.0, now_ms),
        None => "<unknown>".to_string(),
    }
}

pub fn opt(s: &Option<String>) -> &str {
    s.as_deref().unwrap_or_default()
}

/// `printBool`.
pub fn go_bool_title(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

/// `printBoolPtr`.
pub fn bool_ptr(b: Option<bool>) -> &'static str {
    match b {
        Some(b) => go_bool_title(b),
        None => "<unset>",
    }
}

/// `labels.FormatLabels`: `k=v,k2=v2` sorted, `<none>` when empty.
pub fn format_labels(labels: Option<&BTreeMap<String, String>>) -> String {
    match labels {
        Some(m) if !m.is_empty() => m.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(","),
        _ => "<none>".to_string(),
    }
}

/// Go's `%v` of a string slice: `[a b c]`.
pub fn go_slice(items: &[String]) -> String {
    format!("[{}]", items.join(" "))
}

/// `printLabelsMultiline`.
pub fn labels_multiline(w: &mut PrefixWriter, title: &str, labels: Option<&BTreeMap<String, String>>) {
    labels_multiline_with_indent(w, "", title, "\t", labels);
}

/// `printLabelsMultilineWithIndent` (nothing is ever skipped by its callers we need).
pub fn labels_multiline_with_indent(
    w: &mut PrefixWriter,
    initial_indent: &str,
    title: &str,
    inner_indent: &str,
    labels: Option<&BTreeMap<String, String>>,
) {
    w.write(LEVEL_0, &format!("{initial_indent}{title}:{inner_indent}"));
    let Some(labels) = labels.filter(|m| !m.is_empty()) else {
        w.write_line("<none>");
        return;
    };
    for (i, (key, value)) in labels.iter().enumerate() {
        if i != 0 {
            w.write(LEVEL_0, initial_indent);
            w.write(LEVEL_0, inner_indent);
        }
        w.write(LEVEL_0, &format!("{key}={value}\n"));
    }
}

const MAX_ANNOTATION_LEN: usize = 140;
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// `printAnnotationsMultiline`: sorted, without kubectl's last-applied configuration; long or
/// multi-line values go below their key, each line cut at 138 bytes.
pub fn annotations_multiline(w: &mut PrefixWriter, title: &str, annotations: Option<&BTreeMap<String, String>>) {
    w.write(LEVEL_0, &format!("{title}:\t"));
    let keys: Vec<&String> = annotations.into_iter().flat_map(|m| m.keys()).filter(|k| *k != LAST_APPLIED).collect();
    if keys.is_empty() {
        w.write_line("<none>");
        return;
    }
    let indent = "\t";
    for (i, key) in keys.iter().enumerate() {
        if i != 0 {
            w.write(LEVEL_0, indent);
        }
        let raw = annotations.and_then(|m| m.get(*key)).map(String::as_str).unwrap_or_default();
        let value = raw.strip_suffix('\n').unwrap_or(raw);
        if value.len() + key.len() + 2 > MAX_ANNOTATION_LEN || value.contains('\n') {
            w.write(LEVEL_0, &format!("{key}:\n"));
            for line in value.split('\n') {
                w.write(LEVEL_0, &format!("{indent}  {}\n", shorten(line, MAX_ANNOTATION_LEN - 2)));
            }
        } else {
            w.write(LEVEL_0, &format!("{key}: {value}\n"));
        }
    }
}

/// `shorten`: Go cuts at a byte count; the cut here backs off to a character boundary so the text
/// stays valid UTF-8.
pub fn shorten(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &s[..end])
}

/// `Taint.ToString()`.
pub fn taint_string(t: &Taint) -> String {
    match t.value.as_deref() {
        Some(v) if !v.is_empty() => format!("{}={}:{}", t.key, v, t.effect),
        _ => format!("{}:{}", t.key, t.effect),
    }
}

/// `printNodeTaintsMultiline`: sorted by effect then key.
pub fn taints_multiline(w: &mut PrefixWriter, title: &str, taints: Option<&Vec<Taint>>) {
    let (initial_indent, inner_indent) = ("", "\t");
    w.write(LEVEL_0, &format!("{initial_indent}{title}:{inner_indent}"));
    let mut taints: Vec<&Taint> = taints.into_iter().flatten().collect();
    if taints.is_empty() {
        w.write_line("<none>");
        return;
    }
    gosort::sort(&mut taints, |a, b| format!("{},{}", a.effect, a.key) < format!("{},{}", b.effect, b.key));
    for (i, taint) in taints.iter().enumerate() {
        if i != 0 {
            w.write(LEVEL_0, initial_indent);
            w.write(LEVEL_0, inner_indent);
        }
        w.write(LEVEL_0, &format!("{}\n", taint_string(taint)));
    }
}

/// `printPodTolerationsMultiline`: `key=value:Effect op=Exists for 300s`, sorted by key.
pub fn tolerations_multiline(w: &mut PrefixWriter, title: &str, tolerations: Option<&Vec<Toleration>>) {
    let (initial_indent, inner_indent) = ("", "\t");
    w.write(LEVEL_0, &format!("{initial_indent}{title}:{inner_indent}"));
    let mut tolerations: Vec<&Toleration> = tolerations.into_iter().flatten().collect();
    if tolerations.is_empty() {
        w.write_line("<none>");
        return;
    }
    gosort::sort(&mut tolerations, |a, b| opt(&a.key) < opt(&b.key));
    for (i, t) in tolerations.iter().enumerate() {
        if i != 0 {
            w.write(LEVEL_0, initial_indent);
            w.write(LEVEL_0, inner_indent);
        }
        let (key, value, effect) = (opt(&t.key), opt(&t.value), opt(&t.effect));
        let mut s = key.to_string();
        if !value.is_empty() {
            s.push_str(&format!("={value}"));
        }
        if !effect.is_empty() {
            s.push_str(&format!(":{effect}"));
        }
        // `operator: Exists` without a value tolerates everything with that key (or everything).
        if opt(&t.operator) == "Exists" && value.is_empty() {
            s.push_str(if !key.is_empty() || !effect.is_empty() { " op=Exists" } else { "op=Exists" });
        }
        if let Some(secs) = t.toleration_seconds {
            s.push_str(&format!(" for {secs}s"));
        }
        w.write(LEVEL_0, &format!("{s}\n"));
    }
}

/// `printPodsMultiline`: pod names sorted.
pub fn pods_multiline(w: &mut PrefixWriter, title: &str, pods: &[&Pod]) {
    let (initial_indent, inner_indent) = ("", "\t");
    w.write(LEVEL_0, &format!("{initial_indent}{title}:{inner_indent}"));
    if pods.is_empty() {
        w.write_line("<none>");
        return;
    }
    let mut names: Vec<&str> = pods.iter().map(|p| opt(&p.metadata.name)).collect();
    gosort::sort(&mut names, |a, b| a < b);
    for (i, name) in names.iter().enumerate() {
        if i != 0 {
            w.write(LEVEL_0, initial_indent);
            w.write(LEVEL_0, inner_indent);
        }
        w.write(LEVEL_0, &format!("{name}\n"));
    }
}

/// `printController`: `Kind/name` of the controlling owner, if any.
pub fn controller_of(meta: &ObjectMeta) -> Option<String> {
    let owner = meta.owner_references.as_ref()?.iter().find(|o| o.controller == Some(true))?;
    Some(format!("{}/{}", owner.kind, owner.name))
}

/// The uid of the controlling owner, for `metav1.IsControlledBy`-style checks.
pub fn controller_uid(meta: &ObjectMeta) -> Option<&str> {
    meta.owner_references.as_ref()?.iter().find(|o| o.controller == Some(true)).map(|o| o.uid.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_ages() {
        let t = Timestamp::from_second(EPOCH_UNIX_SECONDS).unwrap();
        assert_eq!(rfc1123z(&t), "Wed, 27 Aug 2025 00:00:00 +0000");
        assert_eq!(since_timestamp(&t, 187_000), "3m7s");
        assert_eq!(since_timestamp(&Timestamp::from_second(EPOCH_UNIX_SECONDS + 1).unwrap(), 0), "0s");
        assert_eq!(since_timestamp(&Timestamp::from_second(EPOCH_UNIX_SECONDS + 5).unwrap(), 0), "<invalid>");
        assert_eq!(since(None, 0), "<unknown>");
        assert_eq!(date(None), ZERO_TIME);
    }

    #[test]
    fn long_and_multiline_annotations() {
        let mut m = BTreeMap::new();
        m.insert("a".to_string(), "x".repeat(150));
        m.insert("b".to_string(), "one\ntwo\n".to_string());
        m.insert(LAST_APPLIED.to_string(), "{}".to_string());
        let mut w = PrefixWriter::new();
        annotations_multiline(&mut w, "Annotations", Some(&m));
        let out = w.finish();
        let want = format!(
            "Annotations:  a:\n                {}...\n              b:\n                one\n                two\n",
            "x".repeat(138)
        );
        assert_eq!(out, want);
    }

    #[test]
    fn tolerations_read_like_kubectl() {
        let t = |key: Option<&str>, op: &str, effect: Option<&str>, secs: Option<i64>| Toleration {
            key: key.map(String::from),
            operator: Some(op.to_string()),
            effect: effect.map(String::from),
            toleration_seconds: secs,
            value: None,
        };
        let list = vec![
            t(Some("node.kubernetes.io/unreachable"), "Exists", Some("NoExecute"), Some(300)),
            t(None, "Exists", None, None),
            t(Some("node.kubernetes.io/not-ready"), "Exists", Some("NoExecute"), Some(300)),
        ];
        let mut w = PrefixWriter::new();
        tolerations_multiline(&mut w, "Tolerations", Some(&list));
        assert_eq!(
            w.finish(),
            "Tolerations:  op=Exists\n              node.kubernetes.io/not-ready:NoExecute op=Exists for 300s\n              \
             node.kubernetes.io/unreachable:NoExecute op=Exists for 300s\n"
        );
    }
}
