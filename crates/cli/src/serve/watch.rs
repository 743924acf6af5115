//! Watches (`?watch=true`): a chunked stream of `{"type":…,"object":…}` lines from the store's change history.
//!
//! Without a `resourceVersion` (or with `0`) a watch starts with an `ADDED` event for every matching object, as
//! the apiserver's watch cache does; with one, it replays the changes after it, or sends one `ERROR` event
//! with a `410 Expired` Status when that version was compacted away. The stream ends at `timeoutSeconds`
//! (after a `BOOKMARK` if the client allows them), or when the client hangs up.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use engine::apiserver::selectors::{FieldSelector, LabelSelector};
use engine::store::WatchEventType;
use engine::{ApiError, Kind, Object};
use serde_json::{json, Value};
use tokio::sync::mpsc;

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
}

/// Which objects a watch reports.
struct Filter {
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

async fn run(shared: Arc<Shared>, spec: Spec, filter: Filter, from: Option<u64>, tx: mpsc::Sender<Bytes>) {
    let deadline = tokio::time::Instant::now() + spec.timeout;
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
    // Without a version to start from: ADDED for every object, as of now.
    let (mut lines, mut last) = shared.read(|c| {
        let now = c.now();
        let rv = c.store().resource_version();
        match from {
            None => {
                let lines: Vec<Bytes> = c
                    .store()
                    .list(spec.kind, filter.namespace.as_deref())
                    .filter(|o| filter.matches(o))
                    .map(|o| line("ADDED", encode(o, rv, now)))
                    .collect();
                (lines, Some(rv))
            }
            // The changes after `from` (or the 410 for a compacted version) are read by the loop below.
            Some(from) => (Vec::new(), Some(from)),
        }
    });
    loop {
        if let Some(since) = last {
            let (more, newest) = shared.read(|c| {
                let now = c.now();
                let Some(changes) = c.store().changes_since(since) else {
                    let rv = c.store().resource_version();
                    let e = ApiError::new(410, "Expired", format!("too old resource version: {since} ({rv})"));
                    return (vec![line("ERROR", super::api::status_json(&e, ""))], None);
                };
                let mut out = Vec::new();
                let mut newest = since;
                for change in changes {
                    newest = change.resource_version;
                    if !filter.matches(&change.object) {
                        continue;
                    }
                    let event_type = match change.kind {
                        WatchEventType::Added => "ADDED",
                        WatchEventType::Modified => "MODIFIED",
                        WatchEventType::Deleted => "DELETED",
                    };
                    out.push(line(event_type, encode(&change.object, change.resource_version, now)));
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
        tokio::select! {
            _ = changed.changed() => {}
            _ = tokio::time::sleep_until(deadline) => {
                if spec.bookmarks {
                    let rv = shared.read(|c| c.store().resource_version());
                    let i = spec.kind.info();
                    let bookmark = json!({"kind": i.kind, "apiVersion": i.api_version(),
                        "metadata": {"resourceVersion": rv.to_string()}});
                    let _ = tx.send(line("BOOKMARK", bookmark)).await;
                }
                return;
            }
            _ = tx.closed() => return,
        }
    }
}
