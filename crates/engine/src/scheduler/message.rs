//! The FailedScheduling message (`framework.FitError.Error()`) and the PostFilter plugins that add to it.
//!
//! `0/N nodes are available: <reasons>.` — each reason prefixed with how many nodes gave it, the strings
//! sorted as Go's `sort.Strings` sorts them (so `10 …` comes before `2 …`). PostFilter then appends, in the
//! profile's order: DynamicResources (`no new claims to deallocate` for a pod without resource claims; the
//! plugin is on by default since DRA went GA in v1.34) and DefaultPreemption (`preemption: 0/N nodes are
//! available: …` with, per node, `Preemption is not helpful for scheduling` where the filter verdict was
//! unresolvable, `No preemption victims found for incoming pod` where no lower-priority pod runs, or the
//! filter's reasons when even removing them all would not make room).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Pod;

use super::filters::{run_filters, CycleState};
use super::{Code, Profile, Snapshot, Status};
use crate::apiserver::selectors::LabelSelector;
use crate::util::sort::StableSort;

pub const PREEMPTION_NOT_HELPFUL: &str = "Preemption is not helpful for scheduling";
pub const NO_VICTIMS: &str = "No preemption victims found for incoming pod";
pub const NO_NEW_CLAIMS: &str = "no new claims to deallocate";

/// What a failed cycle knows about the nodes (`FitError` with its `Diagnosis`).
pub struct FitError {
    pub num_all_nodes: usize,
    /// The PreFilter failure, if the cycle stopped there.
    pub pre_filter_msg: String,
    /// The nodes the Filter plugins turned down, with their status.
    pub node_statuses: Vec<(String, Status)>,
    /// The status of nodes that were never filtered (a PreFilter result left them out).
    pub absent_status: Option<Status>,
}

/// Go's `sort.Strings` over `"<count> <reason>"` strings.
pub fn histogram(counts: &BTreeMap<String, usize>) -> Vec<String> {
    let mut v: Vec<String> = counts.iter().map(|(r, n)| format!("{n} {r}")).collect();
    v.stable_sort();
    v
}

impl FitError {
    /// `FitError.Error()`, with the PostFilter message appended.
    pub fn message(&self, post_filter_msg: &str) -> String {
        let mut msg = format!("0/{} nodes are available:", self.num_all_nodes);
        if !self.pre_filter_msg.is_empty() {
            msg.push_str(&format!(" {}.", self.pre_filter_msg));
        } else {
            let mut counts: BTreeMap<String, usize> = BTreeMap::new();
            for (_, s) in &self.node_statuses {
                for r in &s.reasons {
                    *counts.entry(r.clone()).or_default() += 1;
                }
            }
            let absent = self.num_all_nodes.saturating_sub(self.node_statuses.len());
            if absent > 0 {
                for r in self.absent_status.iter().flat_map(|s| &s.reasons) {
                    *counts.entry(r.clone()).or_default() += absent;
                }
            }
            let sorted = histogram(&counts);
            if !sorted.is_empty() {
                msg.push_str(&format!(" {}.", sorted.join(", ")));
            }
        }
        if !post_filter_msg.is_empty() {
            msg.push_str(&format!(" {post_filter_msg}"));
        }
        msg
    }
}

/// What the PostFilter plugins said.
pub struct PostFilter {
    pub message: String,
    /// Nodes where evicting lower-priority pods would make the pod fit.
    pub candidates: usize,
}

/// Runs DynamicResources and DefaultPreemption (as a dry run) for a pod no node took.
pub fn post_filter(
    snapshot: &Snapshot,
    pod: &Pod,
    fit: &FitError,
    profile: &Profile,
    _default_selector: Option<&LabelSelector>,
) -> PostFilter {
    let mut reasons = vec![NO_NEW_CLAIMS.to_string()];
    let spec = pod.spec.as_ref();
    if spec.and_then(|s| s.preemption_policy.as_deref()) == Some("Never") {
        reasons.push("preemption: not eligible due to preemptionPolicy=Never.".into());
        return PostFilter { message: reasons.join(", "), candidates: 0 };
    }
    let priority = spec.and_then(|s| s.priority).unwrap_or(0);
    let statuses: BTreeMap<&str, &Status> = fit.node_statuses.iter().map(|(n, s)| (n.as_str(), s)).collect();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut candidates = 0;
    for (idx, node) in snapshot.nodes.iter().enumerate() {
        // Nodes without a status (PreFilter left them out) count as unresolvable.
        let resolvable = match statuses.get(node.name()) {
            Some(s) => s.code == Code::Unschedulable,
            None => fit.absent_status.is_none() && fit.pre_filter_msg.is_empty(),
        };
        if !resolvable {
            *counts.entry(PREEMPTION_NOT_HELPFUL.to_string()).or_default() += 1;
            continue;
        }
        let victims: Vec<String> = node.pods.iter().filter(|p| p.priority < priority).map(|p| p.uid.clone()).collect();
        if victims.is_empty() {
            *counts.entry(NO_VICTIMS.to_string()).or_default() += 1;
            continue;
        }
        // Remove every lower-priority pod and filter again (`SelectVictimsOnNode`).
        let mut trial = snapshot.clone();
        for uid in &victims {
            trial.nodes[idx].remove_pod(uid);
        }
        let state = CycleState::pre_filter(&trial, pod);
        match run_filters(&state, &trial, &trial.nodes[idx], pod, profile) {
            Some(s) => {
                for r in s.reasons {
                    *counts.entry(r).or_default() += 1;
                }
            }
            None => candidates += 1,
        }
    }
    if candidates == 0 {
        let sorted = histogram(&counts);
        reasons.push(format!("preemption: 0/{} nodes are available: {}.", snapshot.nodes.len(), sorted.join(", ")));
        PostFilter { message: reasons.join(", "), candidates }
    } else {
        // DefaultPreemption succeeds (it would evict and nominate): `RunPostFilterPlugins` returns its
        // success status, which carries no message, so nothing is appended.
        PostFilter { message: String::new(), candidates }
    }
}
