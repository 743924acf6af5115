//! The engine's event log: every change to the cluster as plain data — when, who acted, on what, and why.
//!
//! The page animates from it and lessons read it; it is richer than Kubernetes Events (which are API
//! objects the engine also writes) because it names the component that acted and the cause.

use crate::clock::Millis;
use crate::object::Kind;

/// What happened to an object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    Created,
    Updated,
    Deleted,
}

/// One change, in the order it happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogEntry {
    /// Position in the log, from 0; stable across replays of the same session.
    pub seq: u64,
    pub at_ms: Millis,
    /// The component that acted, in Kubernetes' words (`kubeadm`, `kubectl`, `scheduler`, …).
    pub actor: String,
    pub change: Change,
    pub kind: Kind,
    pub namespace: String,
    pub name: String,
    /// Why, in one sentence a learner can read.
    pub reason: String,
}

#[derive(Clone, Debug, Default)]
pub struct EventLog {
    entries: Vec<LogEntry>,
}

impl EventLog {
    pub fn record(&mut self, mut entry: LogEntry) {
        entry.seq = self.entries.len() as u64;
        self.entries.push(entry);
    }

    /// Replaces the reason of the latest entry: a controller writing through the API names its own cause.
    pub(crate) fn amend_last_reason(&mut self, reason: impl Into<String>) {
        if let Some(last) = self.entries.last_mut() {
            last.reason = reason.into();
        }
    }

    /// Rewrites the reason of the entry at `seq`, if there is one: a controller writing through the API names
    /// the cause of its write instead of the API server's generic wording.
    pub(crate) fn set_reason(&mut self, seq: u64, reason: &str) {
        if let Some(e) = self.entries.get_mut(seq as usize) {
            e.reason = reason.to_string();
        }
    }

    pub fn entries(&self) -> &[LogEntry] {
        &self.entries
    }

    /// Entries recorded after position `seq` (exclusive), for views that follow the log incrementally.
    pub fn since(&self, seq: u64) -> &[LogEntry] {
        let start = (seq as usize).saturating_add(1).min(self.entries.len());
        &self.entries[start..]
    }
}
