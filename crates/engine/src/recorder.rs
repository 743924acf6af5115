//! The event recorder components use to write core/v1 Events (`kubectl get events`, the Events section of
//! `kubectl describe`). Repeats of the same event on the same object are folded into one with a count, as
//! client-go's correlator does.

use k8s_openapi::api::core::v1::{Event, EventSource, ObjectReference};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::clock::{api_time, EPOCH_UNIX_SECONDS};
use crate::cluster::Cluster;
use crate::event_log::Change;
use crate::object::{Kind, Object};
use crate::store::ObjectKey;

/// Who reports an event: `source.component` and, for kubelets, `source.host`.
#[derive(Clone, Debug)]
pub struct Reporter {
    pub component: String,
    pub host: Option<String>,
}

impl Reporter {
    pub fn component(name: &str) -> Reporter {
        Reporter { component: name.to_string(), host: None }
    }

    pub fn kubelet(node: &str) -> Reporter {
        Reporter { component: "kubelet".to_string(), host: Some(node.to_string()) }
    }
}

impl Cluster {
    /// Records an event about `about` (`type_` is `Normal` or `Warning`).
    pub fn emit_event(&mut self, about: &Object, type_: &str, reason: &str, message: &str, reporter: &Reporter) {
        let now = self.clock.now();
        let info = about.kind().info();
        // Events about cluster-scoped objects live in the default namespace.
        let ns = if info.namespaced { about.namespace().to_string() } else { "default".to_string() };
        let uid = about.metadata().uid.clone().unwrap_or_default();
        // The correlator's key: the same object, reason, message and source fold into one Event. The index
        // keeps this a lookup rather than a scan of every Event in the namespace.
        let index_key = (ns.clone(), uid.clone(), reason.to_string(), message.to_string(), reporter.component.clone());
        let existing = self.event_index.get(&index_key).and_then(|name| {
            match self.store.get(&ObjectKey::new(Kind::Event, &ns, name)) {
                Some(Object::Event(e)) => Some(e.clone()),
                _ => None,
            }
        });
        if let Some(mut event) = existing {
            event.count = Some(event.count.unwrap_or(1) + 1);
            event.last_timestamp = Some(api_time(now));
            let key = ObjectKey::new(Kind::Event, &ns, event.metadata.name.as_deref().unwrap_or_default());
            self.store.replace(Object::from(*event));
            self.record(&reporter.component, Change::Updated, &key, reason);
            return;
        }
        // Event names are the object's name and the creation time in nanoseconds, in hex; the sequence number
        // keeps events created in the same simulated nanosecond apart.
        let nanos =
            (EPOCH_UNIX_SECONDS as u128) * 1_000_000_000 + now as u128 * 1_000_000 + self.log.entries().len() as u128;
        let name = format!("{}.{nanos:x}", about.name());
        let event = Event {
            metadata: ObjectMeta { name: Some(name.clone()), namespace: Some(ns.clone()), ..Default::default() },
            involved_object: ObjectReference {
                api_version: Some(info.api_version()),
                kind: Some(info.kind.to_string()),
                name: Some(about.name().to_string()),
                namespace: info.namespaced.then(|| about.namespace().to_string()),
                uid: Some(uid),
                resource_version: about.metadata().resource_version.clone(),
                field_path: None,
            },
            reason: Some(reason.to_string()),
            message: Some(message.to_string()),
            type_: Some(type_.to_string()),
            count: Some(1),
            first_timestamp: Some(api_time(now)),
            last_timestamp: Some(api_time(now)),
            source: Some(EventSource { component: Some(reporter.component.clone()), host: reporter.host.clone() }),
            reporting_component: Some(reporter.component.clone()),
            reporting_instance: Some(reporter.host.clone().unwrap_or_else(|| reporter.component.clone())),
            ..Default::default()
        };
        if self.create(&reporter.component, Object::from(event), reason).is_ok() {
            self.event_index.insert(index_key, name);
        }
    }
}
