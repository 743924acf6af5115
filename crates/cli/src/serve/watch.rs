//! Watches (`?watch=true`): a chunked stream of `{"type":…,"object":…}` lines from the store's change history.
//!
//! Without a `resourceVersion` (or with `0`) a watch starts with an `ADDED` event for every matching object, as
//! the apiserver's watch cache does; with one, it replays the changes after it, or sends one `ERROR` event
//! with a `410 Expired` Status when that version was compacted away (`504 Timeout` with cause
//! `ResourceVersionTooLarge` when the store has not reached it within three seconds). With a label or field
//! selector, an object that starts matching is `ADDED` and one that stops matching is `DELETED`. With
//! `allowWatchBookmarks=true` a `BOOKMARK` comes every minute and two seconds before the timeout;
//! `sendInitialEvents=true` ends the initial events with one annotated `k8s.io/initial-events-end`. The stream
//! ends at `timeoutSeconds`, or when the client hangs up.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use engine::apiserver::selectors::{FieldSelector, LabelSelector};
use engine::store::{Change, WatchEventType};
use engine::{ApiError, Kind, Object};
use serde_json::{json, Value};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::{table, Shared};

pub struct Spec {
    pub kind: Kind,
    pub namespace: Option<String>,
    pub label_selector: Option<String>,
    pub field_selector: Option<String>,
    pub resource_version: Option<String>,
    /// Send objects as one-row Tables (`kubectl get -w`).
    pub table: bool,
    pub timeout: Duration,
    pub bookmarks: bool,
    /// `sendInitialEvents=true`: the initial `ADDED` events end with a bookmark annotated
    /// `k8s.io/initial-events-end`.
    pub send_initial_events: bool,
}

/// Which objects a watch reports.
pub struct Filter {
    kind: Kind,
    namespace: Option<String>,
    labels: Option<LabelSelector>,
    fields: Option<FieldSelector>,
}

impl Filter {
    fn matches(&self, obj: &Object) -> bool {
        obj.kind() == self.kind
            && self.namespace.as_deref().is_none_or(|ns| obj.namespace() == ns)
            && self.labels.as_ref().is_none_or(|l| l.matches(obj.metadata().labels.as_ref()))
            && self.fields.as_ref().is_none_or(|f| f.matches(&obj.to_json()))
    }
}

/// Starts the watch task and hands back the stream of its lines, or the error that stops it before it starts.
pub fn start(shared: Arc<Shared>, spec: Spec) -> Result<mpsc::Receiver<Bytes>, ApiError> {
    let labels = spec.label_selector.as_deref().filter(|s| !s.is_empty()).map(LabelSelector::parse).transpose();
    let fields = spec.field_selector.as_deref().filter(|s| !s.is_empty()).map(FieldSelector::parse).transpose();
    let filter = Filter {
        kind: spec.kind,
        namespace: spec.namespace.clone(),
        labels: labels.map_err(ApiError::bad_request)?,
        fields: fields.map_err(ApiError::bad_request)?,
    };
    let from = match spec.resource_version.as_deref() {
        None | Some("") | Some("0") => None,
        Some(rv) => {
            Some(rv.parse::<u64>().map_err(|_| ApiError::bad_request(format!("invalid resource version: {rv}")))?)
        }
    };
    let (tx, rx) = mpsc::channel(64);
    tokio::spawn(run(shared, spec, filter, from, tx));
    Ok(rx)
}

fn line(event_type: &str, object: Value) -> Bytes {
    // Written by hand so that `type` comes first, as the apiserver writes it (a JSON map would sort the keys).
    Bytes::from(format!("{{\"type\":\"{event_type}\",\"object\":{object}}}\n"))
}

/// How often a watch that allows bookmarks gets one (the watch cache's `bookmarkFrequency`).
const BOOKMARK_EVERY: Duration = Duration::from_secs(60);

/// How long a watch from a resourceVersion the store has not reached yet waits for it before failing, as the
/// watch cache does (`blockTimeout`).
const TOO_LARGE_WAIT: Duration = Duration::from_secs(3);

/// The event a change makes for a watch with `filter`, as the watch cache decides it: a change that makes an
/// object match is `ADDED`, one that keeps it matching `MODIFIED`, one that makes it stop matching `DELETED`
/// (with the object as it was, at the change's resourceVersion); other changes are not the watch's business.
pub fn event_for(filter: &Filter, change: &Change) -> Option<(&'static str, Arc<Object>)> {
    let (now_matches, before) = match change.kind {
        WatchEventType::Deleted => (false, Some(&change.object)),
        _ => (filter.matches(&change.object), change.prev.as_ref()),
    };
    let before_matched = before.is_some_and(|o| filter.matches(o));
    match (now_matches, before_matched) {
        (true, false) => Some(("ADDED", change.object.clone())),
        (true, true) => Some(("MODIFIED", change.object.clone())),
        (false, true) if change.kind == WatchEventType::Deleted => Some(("DELETED", change.object.clone())),
        (false, true) => {
            let mut last = before.map(|o| (**o).clone())?;
            last.metadata_mut().resource_version = Some(change.resource_version.to_string());
            Some(("DELETED", Arc::new(last)))
        }
        (false, false) => None,
    }
}

/// A `BOOKMARK` event: only the kind and the resourceVersion, plus the end-of-initial-events annotation.
fn bookmark(kind: Kind, resource_version: u64, initial_events_end: bool) -> Bytes {
    let i = kind.info();
    let mut metadata = json!({"resourceVersion": resource_version.to_string(), "creationTimestamp": null});
    if initial_events_end {
        metadata["annotations"] = json!({"k8s.io/initial-events-end": "true"});
    }
    line("BOOKMARK", json!({"kind": i.kind, "apiVersion": i.api_version(), "metadata": metadata}))
}

/// When the next bookmark is due: every [`BOOKMARK_EVERY`], and two seconds before the watch times out so the
/// client can resume from a fresh version, as the watch cache schedules them.
fn next_bookmark(now: Instant, deadline: Instant) -> Option<Instant> {
    let heartbeat = now + BOOKMARK_EVERY;
    let pre_timeout = deadline.checked_sub(Duration::from_secs(2))?;
    let at = heartbeat.min(pre_timeout);
    (at > now).then_some(at)
}

async fn run(shared: Arc<Shared>, spec: Spec, filter: Filter, from: Option<u64>, tx: mpsc::Sender<Bytes>) {
    let deadline = Instant::now() + spec.timeout;
    let mut changed = shared.changed.subscribe();
    let mut first_table = true;
    let mut encode = |obj: &Object, rv: u64, now: u64| {
        if spec.table {
            let t = table::table(spec.kind, [obj], rv, now, first_table);
            first_table = false;
            t
        } else {
            obj.to_json()
        }
    };
    // A version the store has not reached yet: wait a little for it, then fail the watch.
    if let Some(from) = from {
        let wait_until = Instant::now() + TOO_LARGE_WAIT;
        loop {
            let current = shared.read(|c| c.store().resource_version());
            if current >= from {
                break;
            }
            tokio::select! {
                _ = changed.changed() => continue,
                _ = tokio::time::sleep_until(wait_until) => {}
            }
            let status = json!({
                "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": format!("Too large resource version: {from}, current: {current}"), "reason": "Timeout",
                "details": {"causes": [{"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}],
                    "retryAfterSeconds": 1},
                "code": 504
            });
            let _ = tx.send(line("ERROR", status)).await;
            return;
        }
    }
    // Without a version to start from: ADDED for every object, as of now (and, if asked, a bookmark saying
    // that the initial events are over).
    let (mut lines, mut last) = shared.read(|c| {
        let now = c.now();
        let rv = c.store().resource_version();
        match from {
            None => {
                let mut lines: Vec<Bytes> = c
                    .store()
                    .list(spec.kind, filter.namespace.as_deref())
                    .filter(|o| filter.matches(o))
                    .map(|o| line("ADDED", encode(o, rv, now)))
                    .collect();
                if spec.send_initial_events {
                    lines.push(bookmark(spec.kind, rv, true));
                }
                (lines, Some(rv))
            }
            // The changes after `from` (or the 410 for a compacted version) are read by the loop below.
            Some(from) => (Vec::new(), Some(from)),
        }
    });
    let mut bookmark_at = if spec.bookmarks { next_bookmark(Instant::now(), deadline) } else { None };
    loop {
        if let Some(since) = last {
            let (more, newest) = shared.read(|c| {
                let now = c.now();
                let Some(changes) = c.store().changes_since(since) else {
                    // The watch cache names the oldest version it can still serve.
                    let oldest = c.store().oldest_watchable();
                    let e = ApiError::new(410, "Expired", format!("too old resource version: {since} ({oldest})"));
                    return (vec![line("ERROR", super::api::status_json(&e, ""))], None);
                };
                let mut out = Vec::new();
                let mut newest = since;
                for change in changes {
                    newest = change.resource_version;
                    if let Some((event_type, obj)) = event_for(&filter, change) {
                        out.push(line(event_type, encode(&obj, change.resource_version, now)));
                    }
                }
                (out, Some(newest))
            });
            lines.extend(more);
            last = newest;
        }
        for l in lines.drain(..) {
            if tx.send(l).await.is_err() {
                return;
            }
        }
        if last.is_none() {
            return;
        }
        let far = deadline + Duration::from_secs(1);
        tokio::select! {
            _ = changed.changed() => {}
            _ = tokio::time::sleep_until(bookmark_at.unwrap_or(far)), if bookmark_at.is_some() => {
                let rv = shared.read(|c| c.store().resource_version());
                if tx.send(bookmark(spec.kind, rv, false)).await.is_err() {
                    return;
                }
                bookmark_at = next_bookmark(Instant::now(), deadline);
            }
            _ = tokio::time::sleep_until(deadline) => return,
            _ = tx.closed() => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::apiserver::{Request, Verb};

    fn filter(labels: &str) -> Filter {
        Filter {
            kind: Kind::ConfigMap,
            namespace: Some("default".into()),
            labels: Some(LabelSelector::parse(labels).expect("selector")),
            fields: None,
        }
    }

    fn write(c: &mut engine::Cluster, verb: Verb, body: Value) {
        let mut r = Request::new(verb, Kind::ConfigMap);
        r.namespace = Some("default".into());
        r.name = body.pointer("/metadata/name").and_then(Value::as_str).map(str::to_string);
        if verb == Verb::Create {
            r.name = None;
        }
        r.body = (verb != Verb::Delete).then_some(body);
        c.handle("test", r).result.expect("write");
    }

    fn cm(labels: Value) -> Value {
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "labels": labels}})
    }

    #[test]
    fn selectors_see_objects_arrive_and_leave() {
        let mut c = engine::Cluster::new(1);
        let from = c.store().resource_version();
        write(&mut c, Verb::Create, cm(json!({"app": "a"})));
        write(&mut c, Verb::Update, cm(json!({"app": "b"})));
        write(&mut c, Verb::Update, cm(json!({"app": "b", "x": "y"})));
        write(&mut c, Verb::Update, cm(json!({"app": "a"})));
        write(&mut c, Verb::Delete, cm(json!({})));
        let seen = |selector: &str| -> Vec<(&'static str, String)> {
            let f = filter(selector);
            let changes = c.store().changes_since(from).expect("history");
            changes
                .filter_map(|ch| event_for(&f, ch).map(|(t, o)| (t, ch.resource_version, o)))
                .map(|(t, rv, o)| {
                    // Every event carries its change's version, a DELETED for a selector too.
                    assert_eq!(o.metadata().resource_version, Some(rv.to_string()));
                    let labels = o.metadata().labels.clone().unwrap_or_default();
                    (t, labels.get("app").cloned().unwrap_or_default())
                })
                .collect()
        };
        let ev = |t, app: &str| (t, app.to_string());
        assert_eq!(
            seen("app=a"),
            [ev("ADDED", "a"), ev("DELETED", "a"), ev("ADDED", "a"), ev("DELETED", "a")],
            "a DELETED carries the object as it last matched"
        );
        assert_eq!(seen("app=b"), [ev("ADDED", "b"), ev("MODIFIED", "b"), ev("DELETED", "b")]);
        assert_eq!(
            seen("app"),
            [ev("ADDED", "a"), ev("MODIFIED", "b"), ev("MODIFIED", "b"), ev("MODIFIED", "a"), ev("DELETED", "a")]
        );
    }

    #[test]
    fn a_compacted_version_ends_the_watch_with_410_expired() {
        let mut c = engine::Cluster::new(1);
        write(&mut c, Verb::Create, cm(json!({"n": "0"})));
        // Enough writes for the store to forget the first version (the default cluster's first object).
        let from = 1;
        for i in 0..engine::store::HISTORY_LIMIT {
            let mut r = Request::new(Verb::Patch, Kind::ConfigMap);
            r.namespace = Some("default".into());
            r.name = Some("x".into());
            r.options.patch_type = Some(engine::apiserver::PatchType::Merge);
            r.body = Some(json!({"data": {"n": i.to_string()}}));
            c.handle("test", r).result.expect("patch");
        }
        let oldest = c.store().oldest_watchable();
        assert!(oldest > from);
        let (changed, _) = tokio::sync::watch::channel(0);
        let shared = Arc::new(Shared { cluster: std::sync::Mutex::new(c), changed, address: String::new() });
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        let lines: Vec<Value> = runtime.block_on(async {
            let spec = Spec {
                kind: Kind::ConfigMap,
                namespace: None,
                label_selector: None,
                field_selector: None,
                resource_version: Some(from.to_string()),
                table: false,
                timeout: Duration::from_secs(5),
                bookmarks: false,
                send_initial_events: false,
            };
            let mut rx = start(shared, spec).expect("a watch");
            let mut lines = Vec::new();
            while let Some(l) = rx.recv().await {
                lines.push(serde_json::from_slice(&l).expect("JSON"));
            }
            lines
        });
        assert_eq!(
            lines,
            [json!({"type": "ERROR", "object": {"kind": "Status", "apiVersion": "v1", "metadata": {},
                "status": "Failure", "message": format!("too old resource version: {from} ({oldest})"),
                "reason": "Expired", "code": 410}})]
        );
    }

    #[test]
    fn bookmarks_come_every_minute_and_two_seconds_before_the_timeout() {
        let now = Instant::now();
        assert_eq!(next_bookmark(now, now + Duration::from_secs(600)), Some(now + BOOKMARK_EVERY));
        assert_eq!(next_bookmark(now, now + Duration::from_secs(5)), Some(now + Duration::from_secs(3)));
        assert_eq!(next_bookmark(now, now + Duration::from_secs(1)), None);
    }
}
