//! Test support: an in-memory [`Lookup`], objects decoded from the JSON kubectl was served, and the
//! captured stdout of real kubectl.

use engine::api::jiff::Timestamp;
use engine::clock::EPOCH_UNIX_SECONDS;
use engine::{Kind, Object};
use serde_json::Value;

use super::Lookup;

/// Objects held in a list, answering like the API server.
#[derive(Default)]
pub struct Objects(pub Vec<Object>);

impl Lookup for Objects {
    fn list(&self, kind: Kind, namespace: Option<&str>) -> Vec<Object> {
        self.0.iter().filter(|o| o.kind() == kind && namespace.is_none_or(|ns| o.namespace() == ns)).cloned().collect()
    }
}

/// The simulated time (ms since the engine's epoch) at which a wall-clock instant falls.
pub fn now_at(rfc3339: &str) -> u64 {
    let t: Timestamp = rfc3339.parse().expect("test timestamps are valid");
    ((t.as_second() - EPOCH_UNIX_SECONDS) * 1000) as u64
}

/// Shifts every RFC 3339 timestamp string in `v` by `seconds`: the captures were taken a few minutes
/// apart from the JSON samples of the same objects, with every time moved by the same amount.
pub fn shift_times(v: &mut Value, seconds: i64) {
    match v {
        Value::String(s)
            if s.len() >= 20 && s.as_bytes().get(4) == Some(&b'-') && s.as_bytes().get(10) == Some(&b'T') =>
        {
            if let Ok(t) = s.parse::<Timestamp>() {
                let shifted = Timestamp::from_second(t.as_second() + seconds).expect("in range");
                let micro = s.contains('.');
                let fmt = if micro { "%Y-%m-%dT%H:%M:%S%.6fZ" } else { "%Y-%m-%dT%H:%M:%SZ" };
                *s = engine::api::jiff::fmt::strtime::format(fmt, shifted).expect("formats");
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| shift_times(i, seconds)),
        Value::Object(map) => map.values_mut().for_each(|i| shift_times(i, seconds)),
        _ => {}
    }
}

/// Decodes an object of any kind from API JSON (with `kind`).
pub fn object(json: Value) -> Object {
    let kind = json["kind"].as_str().unwrap_or_default().to_string();
    let o = |r: Result<Object, serde_json::Error>| r.unwrap_or_else(|e| panic!("bad {kind} JSON: {e}"));
    match kind.as_str() {
        "Pod" => o(serde_json::from_value::<engine::api::api::core::v1::Pod>(json).map(Object::from)),
        "Node" => o(serde_json::from_value::<engine::api::api::core::v1::Node>(json).map(Object::from)),
        "Event" => o(serde_json::from_value::<engine::api::api::core::v1::Event>(json).map(Object::from)),
        "Deployment" => o(serde_json::from_value::<engine::api::api::apps::v1::Deployment>(json).map(Object::from)),
        "ReplicaSet" => o(serde_json::from_value::<engine::api::api::apps::v1::ReplicaSet>(json).map(Object::from)),
        "StatefulSet" => o(serde_json::from_value::<engine::api::api::apps::v1::StatefulSet>(json).map(Object::from)),
        "Job" => o(serde_json::from_value::<engine::api::api::batch::v1::Job>(json).map(Object::from)),
        "CronJob" => o(serde_json::from_value::<engine::api::api::batch::v1::CronJob>(json).map(Object::from)),
        "Service" => o(serde_json::from_value::<engine::api::api::core::v1::Service>(json).map(Object::from)),
        "EndpointSlice" => {
            o(serde_json::from_value::<engine::api::api::discovery::v1::EndpointSlice>(json).map(Object::from))
        }
        "ConfigMap" => o(serde_json::from_value::<engine::api::api::core::v1::ConfigMap>(json).map(Object::from)),
        "Secret" => o(serde_json::from_value::<engine::api::api::core::v1::Secret>(json).map(Object::from)),
        "PersistentVolume" => {
            o(serde_json::from_value::<engine::api::api::core::v1::PersistentVolume>(json).map(Object::from))
        }
        "PersistentVolumeClaim" => {
            o(serde_json::from_value::<engine::api::api::core::v1::PersistentVolumeClaim>(json).map(Object::from))
        }
        "Lease" => o(serde_json::from_value::<engine::api::api::coordination::v1::Lease>(json).map(Object::from)),
        "DaemonSet" => o(serde_json::from_value::<engine::api::api::apps::v1::DaemonSet>(json).map(Object::from)),
        "Namespace" => o(serde_json::from_value::<engine::api::api::core::v1::Namespace>(json).map(Object::from)),
        "Endpoints" => o(serde_json::from_value::<engine::api::api::core::v1::Endpoints>(json).map(Object::from)),
        "ServiceAccount" => {
            o(serde_json::from_value::<engine::api::api::core::v1::ServiceAccount>(json).map(Object::from))
        }
        "StorageClass" => {
            o(serde_json::from_value::<engine::api::api::storage::v1::StorageClass>(json).map(Object::from))
        }
        "PodDisruptionBudget" => {
            o(serde_json::from_value::<engine::api::api::policy::v1::PodDisruptionBudget>(json).map(Object::from))
        }
        "ControllerRevision" => {
            o(serde_json::from_value::<engine::api::api::apps::v1::ControllerRevision>(json).map(Object::from))
        }
        other => panic!("testutil::object does not decode {other}"),
    }
}

/// The RFC 3339 time `seconds` before `now` (itself RFC 3339).
pub fn ago(now: &str, seconds: i64) -> String {
    let t: Timestamp = now.parse().expect("test timestamps are valid");
    let earlier = Timestamp::from_second(t.as_second() - seconds).expect("in range");
    engine::api::jiff::fmt::strtime::format("%Y-%m-%dT%H:%M:%SZ", earlier).expect("formats")
}

/// A core/v1 Event about an object, as the kubelet or a controller records it: `first` and `last`
/// are RFC 3339 times; `count` > 1 makes it a repeated event.
#[allow(clippy::too_many_arguments)]
pub fn event(
    name: &str,
    involved: (&str, &str, &str, &str),
    type_: &str,
    reason: &str,
    message: &str,
    from: &str,
    first: &str,
    last: &str,
    count: i32,
) -> Object {
    let (kind, namespace, obj_name, uid) = involved;
    object(serde_json::json!({
        "kind": "Event", "apiVersion": "v1",
        "metadata": {"name": name, "namespace": if namespace.is_empty() { "default" } else { namespace }},
        "involvedObject": {"kind": kind, "namespace": namespace, "name": obj_name, "uid": uid},
        "reason": reason, "message": message, "source": {"component": from},
        "firstTimestamp": first, "lastTimestamp": last, "count": count, "type": type_,
    }))
}
