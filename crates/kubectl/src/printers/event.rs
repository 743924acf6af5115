//! `printEvent` for core/v1 events: LAST SEEN, TYPE, REASON, OBJECT, MESSAGE, with SUBOBJECT and SOURCE
//! before MESSAGE and FIRST SEEN, COUNT, NAME after it under `-o wide`.

use engine::api::api::core::v1::Event;
use engine::clock::Millis;

use super::{col, since, since_micro, wide, Col};

pub(super) const COLUMNS: &[Col] = &[
    col("LAST SEEN"),
    col("TYPE"),
    col("REASON"),
    col("OBJECT"),
    wide("SUBOBJECT"),
    wide("SOURCE"),
    col("MESSAGE"),
    wide("FIRST SEEN"),
    wide("COUNT"),
    wide("NAME"),
];

fn non_empty(s: Option<&String>) -> Option<&str> {
    s.map(String::as_str).filter(|s| !s.is_empty())
}

pub(super) fn cells(ev: &Event, now: Millis) -> Vec<String> {
    // Events from the events.k8s.io API carry only eventTime (and a series) instead of the timestamps.
    let first_seen = match &ev.first_timestamp {
        Some(t) => since(Some(t), now),
        None => since_micro(ev.event_time.as_ref(), now),
    };
    let mut last_seen = match &ev.last_timestamp {
        Some(t) => since(Some(t), now),
        None => first_seen.clone(),
    };
    let mut count = ev.count.unwrap_or(0);
    if let Some(series) = &ev.series {
        last_seen = since_micro(series.last_observed_time.as_ref(), now);
        count = series.count.unwrap_or(0);
    } else if count == 0 {
        // Singleton events of the new API have no count.
        count = 1;
    }
    let involved = &ev.involved_object;
    let kind = involved.kind.as_deref().unwrap_or_default().to_lowercase();
    let object = match non_empty(involved.name.as_ref()) {
        Some(name) => format!("{kind}/{name}"),
        None => kind,
    };
    // `formatEventSource`: the source component and host, falling back to the reporting controller and
    // instance, joined by ", " when there is an instance.
    let source = ev.source.as_ref();
    let component = non_empty(source.and_then(|s| s.component.as_ref()))
        .or(non_empty(ev.reporting_component.as_ref()))
        .unwrap_or_default();
    let instance = non_empty(source.and_then(|s| s.host.as_ref()))
        .or(non_empty(ev.reporting_instance.as_ref()))
        .unwrap_or_default();
    let source = if instance.is_empty() { component.to_string() } else { format!("{component}, {instance}") };
    vec![
        last_seen,
        ev.type_.clone().unwrap_or_default(),
        ev.reason.clone().unwrap_or_default(),
        object,
        involved.field_path.clone().unwrap_or_default(),
        source,
        ev.message.as_deref().unwrap_or_default().trim().to_string(),
        first_seen,
        count.to_string(),
        ev.metadata.name.clone().unwrap_or_default(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::api::api::core::v1::{EventSeries, EventSource, ObjectReference};
    use engine::api::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};
    use engine::clock::api_time;

    const NOW: Millis = 100_000;

    fn pulling() -> Event {
        Event {
            metadata: ObjectMeta { name: Some("liveness-exec.187bb277a81ce7af".into()), ..Default::default() },
            involved_object: ObjectReference {
                kind: Some("Pod".into()),
                name: Some("liveness-exec".into()),
                field_path: Some("spec.containers{liveness}".into()),
                ..Default::default()
            },
            type_: Some("Normal".into()),
            reason: Some("Pulling".into()),
            message: Some("Pulling image \"registry.k8s.io/busybox\"\n".into()),
            source: Some(EventSource { component: Some("kubelet".into()), host: Some("worker-3".into()) }),
            first_timestamp: Some(api_time(NOW - 94_000)),
            last_timestamp: Some(api_time(NOW - 14_000)),
            count: Some(2),
            ..Default::default()
        }
    }

    #[test]
    fn core_events() {
        let want = [
            "14s",
            "Normal",
            "Pulling",
            "pod/liveness-exec",
            "spec.containers{liveness}",
            "kubelet, worker-3",
            "Pulling image \"registry.k8s.io/busybox\"",
            "94s",
            "2",
            "liveness-exec.187bb277a81ce7af",
        ];
        assert_eq!(cells(&pulling(), NOW), want);
    }

    #[test]
    fn timestamps_counts_and_sources_fall_back() {
        let micro = |ms: Millis| Some(MicroTime(api_time(ms).0));
        let mut ev = pulling();
        ev.last_timestamp = None;
        ev.count = None;
        ev.source = Some(EventSource { component: Some("default-scheduler".into()), host: None });
        let c = cells(&ev, NOW);
        assert_eq!(
            [c[0].as_str(), c[5].as_str(), c[7].as_str(), c[8].as_str()],
            ["94s", "default-scheduler", "94s", "1"]
        );

        let mut new_api = pulling();
        new_api.first_timestamp = None;
        new_api.last_timestamp = None;
        new_api.source = None;
        new_api.event_time = micro(NOW - 50_000);
        new_api.reporting_component = Some("kubelet".into());
        new_api.reporting_instance = Some("worker-1".into());
        new_api.series = Some(EventSeries { count: Some(7), last_observed_time: micro(NOW - 3_000) });
        let c = cells(&new_api, NOW);
        assert_eq!(
            [c[0].as_str(), c[5].as_str(), c[7].as_str(), c[8].as_str()],
            ["3s", "kubelet, worker-1", "50s", "7"]
        );

        let mut kind_only = pulling();
        kind_only.involved_object.name = None;
        kind_only.involved_object.kind = Some("Node".into());
        assert_eq!(cells(&kind_only, NOW)[3], "node");

        let bare = cells(&Event::default(), NOW);
        assert_eq!(bare, ["<unknown>", "", "", "", "", "", "", "<unknown>", "1", ""]);
    }
}
