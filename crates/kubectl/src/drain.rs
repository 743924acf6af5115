//! The eviction half of `kubectl drain` (`k8s.io/kubectl/pkg/drain`, `evictPods` and `waitForDelete`), run in
//! simulated time.
//!
//! Real kubectl evicts every pod at once, one goroutine each: it prints `evicting pod NS/NAME`, posts the
//! Eviction, and on 429 (a PodDisruptionBudget says no) prints `error when evicting pods/"NAME" -n "NS" (will
//! retry after 5s): …` and tries again five seconds later (printing `evicting pod` again). Once an eviction is
//! accepted it polls the pod every second until it is gone and prints `pod/NAME evicted`. Here the goroutines
//! are taken in the list's order at each instant and the clock moves a second at a time. With
//! `--disable-eviction` pods are deleted instead and reported as `deleted`.
//!
//! kubectl's default `--timeout=0s` waits forever; kubeground stops after [`DRAIN_LIMIT_MS`] of simulated time
//! and says so in the timeout error.

use std::sync::Arc;

use engine::apiserver::{Request, RequestOptions, Verb};
use engine::kubelet::container::go_duration;
use engine::{Cluster, Kind, Object};

use crate::client::{send, ACTOR};

/// How long a drain without `--timeout` waits in simulated time (real kubectl: forever).
pub const DRAIN_LIMIT_MS: u64 = 10 * 60 * 1000;
/// kubectl's pause after a 429 before the next eviction attempt.
const RETRY_MS: u64 = 5000;
/// `waitForDelete`'s poll interval.
const POLL_MS: u64 = 1000;

enum State {
    /// The next eviction attempt is due at this instant.
    Evicting(u64),
    /// Accepted; waiting for the pod to go.
    Waiting,
    Done,
}

/// What the drain of one node's pods came to: the errors, in the order they happened.
pub struct Evicted {
    pub errors: Vec<String>,
}

/// Evicts (or, with `disable_eviction`, deletes) `pods` and waits until each is gone, writing kubectl's lines
/// to `stdout` and `stderr`. `timeout_ms` is `--timeout` (0: no limit, capped at [`DRAIN_LIMIT_MS`]).
pub fn evict_pods(
    cluster: &mut Cluster,
    pods: &[Arc<Object>],
    grace: Option<i64>,
    timeout_ms: u64,
    disable_eviction: bool,
    stdout: &mut String,
    stderr: &mut String,
) -> Evicted {
    let start = cluster.now();
    let (limit, capped) = if timeout_ms == 0 { (DRAIN_LIMIT_MS, true) } else { (timeout_ms, false) };
    let timeout_text = if capped {
        format!("{} (kubeground waits at most 10m of simulated time)", go_duration(limit))
    } else {
        go_duration(limit)
    };
    let verb = if disable_eviction { "deleted" } else { "evicted" };
    let options = RequestOptions { grace_period_seconds: grace, ..Default::default() };
    let mut errors = Vec::new();
    let mut states: Vec<State> = Vec::new();
    if disable_eviction {
        // `deletePods`: every delete first (the first error ends the drain), then one wait for them all.
        for pod in pods {
            let req = Request::new(Verb::Delete, Kind::Pod)
                .namespace(pod.namespace())
                .name(pod.name())
                .options(options.clone());
            match send(cluster, req).result {
                Ok(_) => states.push(State::Waiting),
                Err(e) if e.code == 404 => states.push(State::Waiting),
                Err(e) => {
                    errors.push(e.message);
                    return Evicted { errors };
                }
            }
        }
    } else {
        states = pods.iter().map(|_| State::Evicting(start)).collect();
    }
    loop {
        let now = cluster.now();
        let timed_out = now - start >= limit;
        for (pod, state) in pods.iter().zip(states.iter_mut()) {
            let State::Evicting(at) = *state else { continue };
            if at > now {
                continue;
            }
            let (ns, name) = (pod.namespace(), pod.name());
            stdout.push_str(&format!("evicting pod {ns}/{name}\n"));
            if timed_out {
                errors.push(format!(
                    "error when evicting pods/\"{name}\" -n \"{ns}\": global timeout reached: {timeout_text}"
                ));
                *state = State::Done;
                continue;
            }
            let result = cluster.evict(ACTOR, ns, name, &options);
            cluster.settle();
            match result {
                Ok(()) => *state = State::Waiting,
                Err(e) if e.code == 404 => *state = State::Done,
                Err(e) if e.code == 429 => {
                    stderr.push_str(&format!(
                        "error when evicting pods/\"{name}\" -n \"{ns}\" (will retry after 5s): {}\n",
                        e.message
                    ));
                    *state = State::Evicting(now + RETRY_MS);
                }
                Err(e) => {
                    errors.push(format!("error when evicting pods/\"{name}\" -n \"{ns}\": {}", e.message));
                    *state = State::Done;
                }
            }
        }
        for (pod, state) in pods.iter().zip(states.iter_mut()) {
            if !matches!(state, State::Waiting) {
                continue;
            }
            let gone = match cluster.get(Kind::Pod, pod.namespace(), pod.name()) {
                Ok(current) => current.metadata().uid != pod.metadata().uid,
                Err(_) => true,
            };
            if gone {
                stdout.push_str(&format!("pod/{} {verb}\n", pod.name()));
                *state = State::Done;
            } else if timed_out {
                let what = if disable_eviction {
                    format!("global timeout reached: {timeout_text}")
                } else {
                    format!(
                        "error when waiting for pod \"{}\" in namespace \"{}\" to terminate: global timeout reached: \
{timeout_text}",
                        pod.name(),
                        pod.namespace()
                    )
                };
                errors.push(what);
                *state = State::Done;
                if disable_eviction {
                    // `deletePods` waits for all pods in one poll: one error ends it.
                    return Evicted { errors };
                }
            }
        }
        if states.iter().all(|s| matches!(s, State::Done)) {
            return Evicted { errors };
        }
        cluster.step(POLL_MS);
    }
}
