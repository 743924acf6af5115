//! `printPod`: READY, the STATUS reason (init containers, sidecars, waiting and terminated reasons,
//! `Completed`/`NotReady`, `Terminating`, `Unknown` for lost nodes, `SchedulingGated`), RESTARTS with the
//! time of the last restart, and the wide IP / NODE / NOMINATED NODE / READINESS GATES columns.

use std::borrow::Cow;

use engine::api::api::core::v1::{Container, ContainerStatus, Pod, PodCondition};
use engine::api::apimachinery::pkg::apis::meta::v1::Time;
use engine::clock::Millis;

use super::{col, instant_ms, wide, write_human_since, write_since, Col, RowWriter};
use crate::duration::{push_i64, push_u64};
use crate::table::Table;

pub(super) const COLUMNS: &[Col] = &[
    col("NAME"),
    col("READY"),
    col("STATUS"),
    col("RESTARTS"),
    col("AGE"),
    wide("IP"),
    wide("NODE"),
    wide("NOMINATED NODE"),
    wide("READINESS GATES"),
];

/// `podutil.IsRestartableInitContainer`: an init container with `restartPolicy: Always` (a sidecar).
fn is_sidecar(c: Option<&Container>) -> bool {
    c.and_then(|c| c.restart_policy.as_deref()) == Some("Always")
}

/// When a container last stopped, from `lastState.terminated.finishedAt` (None for Go's zero time).
fn last_finished(c: &ContainerStatus) -> Option<&Time> {
    c.last_state.as_ref()?.terminated.as_ref()?.finished_at.as_ref()
}

/// `lastRestartDate.Before(&terminatedDate)`: keep the later instant; a missing one never wins.
fn later(current: Option<i64>, candidate: Option<&Time>) -> Option<i64> {
    match (current, candidate.map(|t| instant_ms(&t.0))) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

fn condition_is_true(conditions: &[PodCondition], type_: &str) -> bool {
    conditions.iter().find(|c| c.type_ == type_).is_some_and(|c| c.status == "True")
}

fn non_empty(s: Option<&String>) -> Option<&str> {
    s.map(String::as_str).filter(|s| !s.is_empty())
}

fn or_none(s: Option<&String>) -> &str {
    non_empty(s).unwrap_or("<none>")
}

/// Every cell, in the order of [`COLUMNS`].
pub(super) fn cells(pod: &Pod, now: Millis) -> Vec<String> {
    let mut table = Table::new();
    write(pod, now, &mut RowWriter { table: &mut table, defs: COLUMNS, next: 0, wide: true, name_prefix: None });
    table.end_row();
    table.row(0).map(String::from).collect()
}

/// Writes the cells of [`COLUMNS`] (the shown ones) into the row being written.
pub(super) fn write(pod: &Pod, now: Millis, w: &mut RowWriter<'_>) {
    let spec = pod.spec.as_ref();
    let status = pod.status.as_ref();
    let containers: &[Container] = spec.map(|s| s.containers.as_slice()).unwrap_or_default();
    let init_containers: &[Container] = spec.and_then(|s| s.init_containers.as_deref()).unwrap_or_default();
    let conditions: &[PodCondition] = status.and_then(|s| s.conditions.as_deref()).unwrap_or_default();
    let init_statuses: &[ContainerStatus] =
        status.and_then(|s| s.init_container_statuses.as_deref()).unwrap_or_default();
    let statuses: &[ContainerStatus] = status.and_then(|s| s.container_statuses.as_deref()).unwrap_or_default();
    let spec_of = |name: &str| init_containers.iter().find(|c| c.name == name);

    let mut restarts: i64 = 0;
    let mut sidecar_restarts: i64 = 0;
    let mut last_restart: Option<i64> = None;
    let mut last_sidecar_restart: Option<i64> = None;
    let mut ready = 0;
    let total = containers.len() + init_containers.iter().filter(|c| is_sidecar(Some(c))).count();

    let phase = status.and_then(|s| s.phase.as_deref()).unwrap_or_default();
    let pod_reason = status.and_then(|s| non_empty(s.reason.as_ref())).unwrap_or_default();
    let mut reason: Cow<'_, str> = Cow::Borrowed(if pod_reason.is_empty() { phase } else { pod_reason });
    for c in conditions {
        if c.type_ == "PodScheduled" && c.reason.as_deref() == Some("SchedulingGated") {
            reason = Cow::Borrowed("SchedulingGated");
        }
    }

    // Init containers run in order; the first one not yet done (sidecars count as done once started)
    // decides the reason, e.g. `Init:0/2`, `Init:CrashLoopBackOff` or `Init:Error`.
    let mut initializing = false;
    for (i, c) in init_statuses.iter().enumerate() {
        restarts += i64::from(c.restart_count);
        last_restart = later(last_restart, last_finished(c));
        let sidecar = is_sidecar(spec_of(&c.name));
        if sidecar {
            sidecar_restarts += i64::from(c.restart_count);
            last_sidecar_restart = later(last_sidecar_restart, last_finished(c));
        }
        let state = c.state.as_ref();
        let terminated = state.and_then(|s| s.terminated.as_ref());
        let waiting_reason = state.and_then(|s| s.waiting.as_ref()).and_then(|w| non_empty(w.reason.as_ref()));
        if terminated.is_some_and(|t| t.exit_code == 0) {
            continue;
        }
        if sidecar && c.started == Some(true) {
            if c.ready {
                ready += 1;
            }
            continue;
        }
        reason = Cow::Owned(if let Some(t) = terminated {
            match non_empty(t.reason.as_ref()) {
                Some(r) => format!("Init:{r}"),
                None if t.signal.unwrap_or(0) != 0 => format!("Init:Signal:{}", t.signal.unwrap_or(0)),
                None => format!("Init:ExitCode:{}", t.exit_code),
            }
        } else if let Some(w) = waiting_reason.filter(|r| *r != "PodInitializing") {
            format!("Init:{w}")
        } else {
            format!("Init:{i}/{}", init_containers.len())
        });
        initializing = true;
        break;
    }

    if !initializing || condition_is_true(conditions, "Initialized") {
        restarts = sidecar_restarts;
        last_restart = last_sidecar_restart;
        let mut has_running = false;
        // The first container (walking backwards) with a reason to show wins, as in the source.
        for c in statuses.iter().rev() {
            restarts += i64::from(c.restart_count);
            last_restart = later(last_restart, last_finished(c));
            let state = c.state.as_ref();
            let terminated = state.and_then(|s| s.terminated.as_ref());
            let waiting_reason = state.and_then(|s| s.waiting.as_ref()).and_then(|w| non_empty(w.reason.as_ref()));
            if let Some(w) = waiting_reason {
                reason = Cow::Borrowed(w);
            } else if let Some(t) = terminated {
                reason = match non_empty(t.reason.as_ref()) {
                    Some(r) => Cow::Borrowed(r),
                    None if t.signal.unwrap_or(0) != 0 => Cow::Owned(format!("Signal:{}", t.signal.unwrap_or(0))),
                    None => Cow::Owned(format!("ExitCode:{}", t.exit_code)),
                };
            } else if c.ready && state.is_some_and(|s| s.running.is_some()) {
                has_running = true;
                ready += 1;
            }
        }
        // A pod whose last container reported Completed but that still has a running one is not done.
        if reason == "Completed" && has_running {
            // `hasPodReadyCondition` looks at every condition, not just the first of its type.
            let pod_ready = conditions.iter().any(|c| c.type_ == "Ready" && c.status == "True");
            reason = Cow::Borrowed(if pod_ready { "Running" } else { "NotReady" });
        }
    }

    if pod.metadata.deletion_timestamp.is_some() {
        if pod_reason == "NodeLost" {
            reason = Cow::Borrowed("Unknown");
        } else if phase != "Succeeded" && phase != "Failed" {
            reason = Cow::Borrowed("Terminating");
        }
    }

    w.cell(pod.metadata.name.as_deref().unwrap_or_default());
    w.cell_with(|buf| {
        push_u64(buf, ready as u64);
        buf.push('/');
        push_u64(buf, total as u64);
    });
    w.cell(&reason);
    w.cell_with(|buf| {
        push_i64(buf, restarts);
        if let (Some(at), true) = (last_restart, restarts != 0) {
            buf.push_str(" (");
            write_human_since(buf, at, now);
            buf.push_str(" ago)");
        }
    });
    w.cell_with(|buf| write_since(buf, pod.metadata.creation_timestamp.as_ref(), now));

    // The wide cells are only computed with `-o wide` (reading fields is what a long listing waits on).
    w.cell_with(|buf| {
        // The apiserver's conversion makes `podIP` authoritative and fills `podIPs` from it.
        let ip = status
            .and_then(|s| non_empty(s.pod_ip.as_ref()).or_else(|| s.pod_ips.as_ref()?.first().map(|p| p.ip.as_str())))
            .filter(|ip| !ip.is_empty());
        buf.push_str(ip.unwrap_or("<none>"));
    });
    w.cell_with(|buf| buf.push_str(or_none(spec.and_then(|s| s.node_name.as_ref()))));
    w.cell_with(|buf| buf.push_str(or_none(status.and_then(|s| s.nominated_node_name.as_ref()))));
    w.cell_with(|buf| {
        let gates = spec.and_then(|s| s.readiness_gates.as_deref()).unwrap_or_default();
        if gates.is_empty() {
            buf.push_str("<none>");
        } else {
            let met = gates.iter().filter(|g| condition_is_true(conditions, &g.condition_type)).count();
            push_u64(buf, met as u64);
            buf.push('/');
            push_u64(buf, gates.len() as u64);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::api::api::core::v1::{
        ContainerState, ContainerStateRunning, ContainerStateTerminated, ContainerStateWaiting, PodIP,
        PodReadinessGate, PodSpec, PodStatus,
    };
    use engine::api::apimachinery::pkg::apis::meta::v1::ObjectMeta;
    use engine::clock::api_time;

    const NOW: Millis = 1_000_000;

    enum S {
        Running,
        Waiting(&'static str),
        Terminated(&'static str, i32, i32),
        Unset,
    }

    fn container(name: &str, sidecar: bool) -> Container {
        Container { name: name.into(), restart_policy: sidecar.then(|| "Always".to_string()), ..Default::default() }
    }

    /// A container status; `finished_ago` (seconds before NOW) fills `lastState.terminated.finishedAt`.
    fn cs(name: &str, state: S, ready: bool, restarts: i32, finished_ago: Option<u64>) -> ContainerStatus {
        let state = match state {
            S::Running => {
                Some(ContainerState { running: Some(ContainerStateRunning::default()), ..Default::default() })
            }
            S::Waiting(r) => Some(ContainerState {
                waiting: Some(ContainerStateWaiting { reason: Some(r.into()), ..Default::default() }),
                ..Default::default()
            }),
            S::Terminated(r, exit_code, signal) => Some(ContainerState {
                terminated: Some(ContainerStateTerminated {
                    reason: (!r.is_empty()).then(|| r.to_string()),
                    exit_code,
                    signal: (signal != 0).then_some(signal),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            S::Unset => None,
        };
        let last_state = finished_ago.map(|ago| ContainerState {
            terminated: Some(ContainerStateTerminated {
                finished_at: Some(api_time(NOW - ago * 1000)),
                ..Default::default()
            }),
            ..Default::default()
        });
        ContainerStatus {
            name: name.into(),
            state,
            ready,
            restart_count: restarts,
            last_state,
            started: Some(ready),
            ..Default::default()
        }
    }

    fn cond(type_: &str, status: &str, reason: Option<&str>) -> PodCondition {
        PodCondition {
            type_: type_.into(),
            status: status.into(),
            reason: reason.map(Into::into),
            ..Default::default()
        }
    }

    struct P {
        containers: Vec<Container>,
        init: Vec<Container>,
        phase: &'static str,
        reason: Option<&'static str>,
        statuses: Vec<ContainerStatus>,
        init_statuses: Vec<ContainerStatus>,
        conditions: Vec<PodCondition>,
        deleting: bool,
    }

    impl P {
        fn new(phase: &'static str) -> P {
            P {
                containers: vec![container("app", false)],
                init: vec![],
                phase,
                reason: None,
                statuses: vec![],
                init_statuses: vec![],
                conditions: vec![],
                deleting: false,
            }
        }

        fn build(self) -> Pod {
            Pod {
                metadata: ObjectMeta {
                    name: Some("p".into()),
                    creation_timestamp: Some(api_time(0)),
                    deletion_timestamp: self.deleting.then(|| api_time(NOW)),
                    ..Default::default()
                },
                spec: Some(PodSpec {
                    containers: self.containers,
                    init_containers: (!self.init.is_empty()).then_some(self.init),
                    ..Default::default()
                }),
                status: Some(PodStatus {
                    phase: Some(self.phase.into()),
                    reason: self.reason.map(Into::into),
                    container_statuses: Some(self.statuses),
                    init_container_statuses: Some(self.init_statuses),
                    conditions: Some(self.conditions),
                    ..Default::default()
                }),
            }
        }
    }

    #[test]
    fn ready_status_and_restarts() {
        let two_init = || vec![container("init-a", false), container("init-b", false)];
        let cases: Vec<(&str, P, [&str; 3])> = vec![
            ("pending, nothing reported", P::new("Pending"), ["0/1", "Pending", "0"]),
            (
                "running",
                P { statuses: vec![cs("app", S::Running, true, 0, None)], ..P::new("Running") },
                ["1/1", "Running", "0"],
            ),
            (
                "running, not ready",
                P { statuses: vec![cs("app", S::Running, false, 0, None)], ..P::new("Running") },
                ["0/1", "Running", "0"],
            ),
            (
                "creating",
                P { statuses: vec![cs("app", S::Waiting("ContainerCreating"), false, 0, None)], ..P::new("Pending") },
                ["0/1", "ContainerCreating", "0"],
            ),
            (
                "crash loop",
                P {
                    statuses: vec![cs("app", S::Waiting("CrashLoopBackOff"), false, 4, Some(62))],
                    ..P::new("Running")
                },
                ["0/1", "CrashLoopBackOff", "4 (62s ago)"],
            ),
            (
                "restarted, running again",
                P { statuses: vec![cs("app", S::Running, true, 1, Some(13))], ..P::new("Running") },
                ["1/1", "Running", "1 (13s ago)"],
            ),
            (
                "restarts without a finish time",
                P { statuses: vec![cs("app", S::Running, true, 2, None)], ..P::new("Running") },
                ["1/1", "Running", "2"],
            ),
            (
                "completed",
                P {
                    statuses: vec![cs("app", S::Terminated("Completed", 0, 0), false, 0, None)],
                    ..P::new("Succeeded")
                },
                ["0/1", "Completed", "0"],
            ),
            (
                "error",
                P { statuses: vec![cs("app", S::Terminated("Error", 1, 0), false, 0, None)], ..P::new("Failed") },
                ["0/1", "Error", "0"],
            ),
            (
                "exit code, no reason",
                P { statuses: vec![cs("app", S::Terminated("", 137, 0), false, 0, None)], ..P::new("Failed") },
                ["0/1", "ExitCode:137", "0"],
            ),
            (
                "signal, no reason",
                P { statuses: vec![cs("app", S::Terminated("", 0, 9), false, 0, None)], ..P::new("Failed") },
                ["0/1", "Signal:9", "0"],
            ),
            ("evicted", P { reason: Some("Evicted"), ..P::new("Failed") }, ["0/1", "Evicted", "0"]),
            (
                "terminating",
                P { deleting: true, statuses: vec![cs("app", S::Running, true, 0, None)], ..P::new("Running") },
                ["1/1", "Terminating", "0"],
            ),
            (
                "deleted after success",
                P {
                    deleting: true,
                    statuses: vec![cs("app", S::Terminated("Completed", 0, 0), false, 0, None)],
                    ..P::new("Succeeded")
                },
                ["0/1", "Completed", "0"],
            ),
            (
                "node lost",
                P {
                    deleting: true,
                    reason: Some("NodeLost"),
                    statuses: vec![cs("app", S::Running, true, 0, None)],
                    ..P::new("Running")
                },
                ["1/1", "Unknown", "0"],
            ),
            (
                "scheduling gated",
                P { conditions: vec![cond("PodScheduled", "False", Some("SchedulingGated"))], ..P::new("Pending") },
                ["0/1", "SchedulingGated", "0"],
            ),
            (
                "unschedulable stays Pending",
                P { conditions: vec![cond("PodScheduled", "False", Some("Unschedulable"))], ..P::new("Pending") },
                ["0/1", "Pending", "0"],
            ),
            (
                "first init container running",
                P {
                    init: two_init(),
                    init_statuses: vec![
                        cs("init-a", S::Running, false, 0, None),
                        cs("init-b", S::Waiting("PodInitializing"), false, 0, None),
                    ],
                    statuses: vec![cs("app", S::Waiting("PodInitializing"), false, 0, None)],
                    ..P::new("Pending")
                },
                ["0/1", "Init:0/2", "0"],
            ),
            (
                "second init container running",
                P {
                    init: two_init(),
                    init_statuses: vec![
                        cs("init-a", S::Terminated("Completed", 0, 0), false, 0, None),
                        cs("init-b", S::Running, false, 0, None),
                    ],
                    ..P::new("Pending")
                },
                ["0/1", "Init:1/2", "0"],
            ),
            (
                "init container waiting to start",
                P {
                    init: two_init(),
                    init_statuses: vec![cs("init-a", S::Waiting("PodInitializing"), false, 0, None)],
                    ..P::new("Pending")
                },
                ["0/1", "Init:0/2", "0"],
            ),
            (
                "init crash loop",
                P {
                    init: two_init(),
                    init_statuses: vec![cs("init-a", S::Waiting("CrashLoopBackOff"), false, 3, Some(10))],
                    statuses: vec![cs("app", S::Waiting("PodInitializing"), false, 0, None)],
                    ..P::new("Pending")
                },
                ["0/1", "Init:CrashLoopBackOff", "3 (10s ago)"],
            ),
            (
                "init error",
                P {
                    init: two_init(),
                    init_statuses: vec![cs("init-a", S::Terminated("Error", 1, 0), false, 0, None)],
                    ..P::new("Failed")
                },
                ["0/1", "Init:Error", "0"],
            ),
            (
                "init exit code",
                P {
                    init: two_init(),
                    init_statuses: vec![cs("init-a", S::Terminated("", 2, 0), false, 0, None)],
                    ..P::new("Pending")
                },
                ["0/1", "Init:ExitCode:2", "0"],
            ),
            (
                "init done",
                P {
                    init: two_init(),
                    init_statuses: vec![
                        cs("init-a", S::Terminated("Completed", 0, 0), false, 1, Some(300)),
                        cs("init-b", S::Terminated("Completed", 0, 0), false, 0, None),
                    ],
                    statuses: vec![cs("app", S::Running, true, 0, None)],
                    conditions: vec![cond("Initialized", "True", None)],
                    ..P::new("Running")
                },
                ["1/1", "Running", "0"],
            ),
            (
                "sidecar started",
                P {
                    init: vec![container("proxy", true)],
                    init_statuses: vec![cs("proxy", S::Running, true, 2, Some(30))],
                    statuses: vec![cs("app", S::Running, true, 1, Some(90))],
                    conditions: vec![cond("Initialized", "True", None)],
                    ..P::new("Running")
                },
                ["2/2", "Running", "3 (30s ago)"],
            ),
            (
                "sidecar not started yet",
                P {
                    init: vec![container("proxy", true)],
                    init_statuses: vec![cs("proxy", S::Waiting("ContainerCreating"), false, 0, None)],
                    ..P::new("Pending")
                },
                ["0/2", "Init:ContainerCreating", "0"],
            ),
            (
                "one of two containers completed, pod ready",
                P {
                    containers: vec![container("a", false), container("b", false)],
                    statuses: vec![
                        cs("a", S::Running, true, 0, None),
                        cs("b", S::Terminated("Completed", 0, 0), false, 0, None),
                    ],
                    conditions: vec![cond("Ready", "True", None)],
                    ..P::new("Running")
                },
                ["1/2", "Running", "0"],
            ),
            (
                "one of two containers completed, pod not ready",
                P {
                    containers: vec![container("a", false), container("b", false)],
                    statuses: vec![
                        cs("a", S::Running, true, 0, None),
                        cs("b", S::Terminated("Completed", 0, 0), false, 0, None),
                    ],
                    ..P::new("Running")
                },
                ["1/2", "NotReady", "0"],
            ),
            (
                "status of a missing container state",
                P { statuses: vec![cs("app", S::Unset, false, 0, None)], ..P::new("Running") },
                ["0/1", "Running", "0"],
            ),
        ];
        for (name, p, want) in cases {
            let c = cells(&p.build(), NOW);
            assert_eq!([c[1].as_str(), c[2].as_str(), c[3].as_str()], want, "{name}");
            assert_eq!(c[4], "16m", "{name}: age");
        }
    }

    #[test]
    fn wide_columns() {
        let mut pod = P { statuses: vec![cs("app", S::Running, true, 0, None)], ..P::new("Running") }.build();
        assert_eq!(cells(&pod, NOW)[5..], ["<none>", "<none>", "<none>", "<none>"]);
        let spec = pod.spec.as_mut().unwrap();
        spec.node_name = Some("worker-1".into());
        spec.readiness_gates = Some(vec![
            PodReadinessGate { condition_type: "example.com/lb".into() },
            PodReadinessGate { condition_type: "example.com/dns".into() },
        ]);
        let status = pod.status.as_mut().unwrap();
        status.pod_ips = Some(vec![PodIP { ip: "10.244.1.7".into() }]);
        status.nominated_node_name = Some("worker-2".into());
        status.conditions = Some(vec![cond("example.com/lb", "True", None), cond("example.com/dns", "False", None)]);
        assert_eq!(cells(&pod, NOW)[5..], ["10.244.1.7", "worker-1", "worker-2", "1/2"]);
        pod.status.as_mut().unwrap().pod_ip = Some("10.244.9.9".into());
        assert_eq!(cells(&pod, NOW)[5], "10.244.9.9", "podIP wins over podIPs");
    }

    #[test]
    fn an_empty_pod_prints_zero_values() {
        assert_eq!(
            cells(&Pod::default(), NOW),
            ["", "0/0", "", "0", "<unknown>", "<none>", "<none>", "<none>", "<none>"]
        );
    }
}
