//! The events part of describe: `searchEvents` (the field-selector query kubectl sends) and
//! `DescribeEvents` (the `Type  Reason  Age  From  Message` table).

use engine::api::api::core::v1::Event;
use engine::api::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use engine::api::jiff::Timestamp;
use engine::{Kind, Object};

use super::gosort;
use super::tabwriter::{PrefixWriter, LEVEL_0, LEVEL_1};
use super::text::{opt, since, since_micro};
use super::Ctx;
use engine::util::sort::StableSort;

/// What kubectl's object reference selects events by: `involvedObject.name`, `.namespace`, `.kind`
/// (absent for pods, whose reference kubectl clears) and `.uid` (absent when the object has none).
pub struct EventQuery<'a> {
    pub name: &'a str,
    pub namespace: &'a str,
    pub kind: Option<&'a str>,
    pub uid: &'a str,
}

impl<'a> EventQuery<'a> {
    /// The reference to an object of `kind`, as `reference.GetReference` builds it.
    pub fn of(meta: &'a ObjectMeta, kind: &'a str) -> EventQuery<'a> {
        EventQuery { name: opt(&meta.name), namespace: opt(&meta.namespace), kind: Some(kind), uid: opt(&meta.uid) }
    }
}

/// `searchEvents`: the events the API server returns for the query, in its (etcd key) order. An
/// object without a namespace is searched across all namespaces with `involvedObject.namespace=`.
pub fn search(ctx: &Ctx, q: &EventQuery) -> Vec<Event> {
    let ns = (!q.namespace.is_empty()).then_some(q.namespace);
    let mut found: Vec<Event> = ctx
        .lookup
        .list(Kind::Event, ns)
        .into_iter()
        .filter_map(|o| match o {
            Object::Event(e) => Some(*e),
            _ => None,
        })
        .filter(|e| {
            let io = &e.involved_object;
            opt(&io.name) == q.name
                && opt(&io.namespace) == q.namespace
                && q.kind.is_none_or(|k| opt(&io.kind) == k)
                && (q.uid.is_empty() || opt(&io.uid) == q.uid)
        })
        .collect();
    found.stable_sort_by(|a, b| {
        (opt(&a.metadata.namespace), opt(&a.metadata.name)).cmp(&(opt(&b.metadata.namespace), opt(&b.metadata.name)))
    });
    found
}

/// The instant kubectl sorts an event by (`event.SortableEvents`): the series' last observation, else
/// `lastTimestamp`, else `eventTime`. Absent times are Go's zero time, earlier than everything.
fn sort_time(e: &Event) -> Option<Timestamp> {
    if let Some(series) = &e.series {
        return series.last_observed_time.as_ref().map(|t| t.0);
    }
    if let Some(t) = &e.last_timestamp {
        return Some(t.0);
    }
    e.event_time.as_ref().map(|t| t.0)
}

/// `DescribeEvents`.
pub fn describe(w: &mut PrefixWriter, mut events: Vec<Event>, now_ms: u64) {
    if events.is_empty() {
        w.write(LEVEL_0, "Events:\t<none>\n");
        return;
    }
    w.flush();
    gosort::sort(&mut events, |a, b| sort_time(a) < sort_time(b));
    w.write(LEVEL_0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n");
    w.write(LEVEL_1, "----\t------\t----\t----\t-------\n");
    for e in &events {
        let first = match &e.event_time {
            Some(t) => since_micro(Some(t), now_ms),
            None => since(e.first_timestamp.as_ref(), now_ms),
        };
        let count = e.count.unwrap_or(0);
        let interval = if let Some(series) = &e.series {
            format!(
                "{} (x{} over {})",
                since_micro(series.last_observed_time.as_ref(), now_ms),
                series.count.unwrap_or(0),
                first
            )
        } else if count > 1 {
            format!("{} (x{} over {})", since(e.last_timestamp.as_ref(), now_ms), count, first)
        } else {
            first
        };
        let mut source = e.source.as_ref().map(|s| opt(&s.component)).unwrap_or_default();
        if source.is_empty() {
            source = opt(&e.reporting_component);
        }
        w.write(
            LEVEL_1,
            &format!("{}\t{}\t{}\t{}\t{}\n", opt(&e.type_), opt(&e.reason), interval, source, opt(&e.message).trim()),
        );
    }
}

/// The events of an object and their section, in one call.
pub fn section(w: &mut PrefixWriter, ctx: &Ctx, q: &EventQuery) {
    describe(w, search(ctx, q), ctx.now_ms);
}
