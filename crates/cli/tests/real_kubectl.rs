//! The real kubectl against `kubeground serve`, compared with the playground's own kubectl.
//!
//! The test starts the built `kubeground serve` with simulated time frozen (`--speed 0`) on a free port, runs
//! the `kubectl` found on PATH through a session of commands, and runs the same session through
//! `playground::Playground` on a fresh cluster with the same seed. Each command's stdout, stderr and exit code
//! must be the same byte for byte, except for the differences listed in [`KNOWN_DIFFERENCES`], each with its
//! reason. Without a `kubectl` on PATH the test says so and passes.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

const SEED: u64 = 7;

/// The session, in order. Commands are split into words as a shell splits them (single quotes); files live in
/// the test's folder, which is kubectl's working directory.
const COMMANDS: &[&str] = &[
    "kubectl get nodes",
    "kubectl get nodes -o wide",
    "kubectl get ns",
    "kubectl create namespace dev",
    "kubectl create deployment web --image=nginx --replicas=2",
    "kubectl get deploy",
    "kubectl create configmap x --from-literal=a=b",
    "kubectl get cm x -o yaml",
    "kubectl label cm x a=b",
    "kubectl annotate cm x note=hi",
    "kubectl describe node worker-1",
    "kubectl apply -f app.yaml",
    "kubectl apply -f app.yaml",
    "kubectl get cm -L a --show-labels",
    "kubectl get cm app-config -o json",
    "kubectl delete cm x",
    "kubectl get cm x",
    "kubectl run My_Pod --image=nginx",
    "kubectl get pods -A",
    "kubectl get deploy,cm",
    "kubectl api-resources",
    // explain, from the served OpenAPI v3 schemas.
    "kubectl explain pods.spec.containers",
    "kubectl explain deployment",
    "kubectl explain svc.spec.type",
    "kubectl explain deploy.spec.strategy --recursive",
    "kubectl explain cronjobs.spec.jobTemplate.spec.template.spec.volumes.emptyDir",
    "kubectl explain pods.spec.nothing",
    "kubectl explain deploy --api-version=apps/v1",
    // field validation: kubectl 1.32 leaves it to the server (`fieldValidation=Strict`, or Warn).
    "kubectl apply -f typo.yaml",
    "kubectl apply -f typo.yaml --validate=strict",
    "kubectl create -f typo.yaml --validate=warn",
    "kubectl apply -f typo.yaml --validate=false",
    // apply of a Deployment and a Service, then the modifying commands.
    "kubectl apply -f web.yaml",
    "kubectl apply -f web.yaml",
    "kubectl get deploy,svc",
    "kubectl label deploy web tier=fe",
    "kubectl label deploy web tier=be",
    "kubectl label deploy web tier=be --overwrite",
    "kubectl annotate deploy web note='hello world'",
    "kubectl annotate deploy web note-",
    "kubectl scale deployment web --replicas=3",
    "kubectl scale deploy/web --replicas=4 --current-replicas=2",
    "kubectl set image deployment/web nginx=nginx:1.28",
    "kubectl set image deployment/web nope=nginx:1.28",
    "kubectl patch deployment web -p '{\"spec\":{\"replicas\":5}}'",
    "kubectl patch deployment web -p '{\"spec\":{\"replicas\":5}}'",
    "kubectl patch deployment web --type=json -p '[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":2}]'",
    "kubectl patch deployment web --type=merge -p '{\"metadata\":{\"labels\":{\"merge\":\"yes\"}}}'",
    "kubectl get deploy web -o yaml",
    "kubectl get svc web -o yaml",
    "kubectl get ns dev -o yaml",
    "kubectl get deploy web -o jsonpath={.spec.template.spec.containers[0].image}",
    "kubectl get deploy -o name",
    "kubectl get deploy web -o wide",
    "kubectl apply -f web.yaml",
    // the create generators.
    "kubectl create service clusterip api --tcp=80:8080",
    "kubectl create service nodeport np --tcp=80:8080",
    "kubectl create secret generic creds --from-literal=user=admin --from-literal=pass=s3cret",
    "kubectl create serviceaccount bot",
    "kubectl create job once --image=busybox",
    "kubectl create cronjob tick --image=busybox --schedule='*/5 * * * *'",
    "kubectl create configmap multi --from-literal=a=1 --from-literal=b=2 -n dev",
    "kubectl create deployment api --image=nginx --port=8080",
    "kubectl expose deployment api --port=80 --target-port=8080 --name=api-svc",
    "kubectl run solo --image=nginx --labels=app=solo,tier=be",
    "kubectl get all",
    "kubectl get secret creds -o yaml",
    "kubectl get cronjob tick -o yaml",
    "kubectl get svc np -o yaml",
    // describe of several kinds.
    "kubectl describe deploy web",
    "kubectl describe svc web",
    "kubectl describe cm app-config",
    "kubectl describe ns dev",
    "kubectl describe pod solo",
    "kubectl describe secret creds",
    "kubectl describe sa bot",
    "kubectl describe job once",
    "kubectl describe cronjob tick",
    "kubectl api-resources --namespaced=false",
    "kubectl api-resources --api-group=apps -o wide",
    "kubectl api-resources -o wide",
    "kubectl api-resources --namespaced=true -o name",
    "kubectl delete deploy web",
    "kubectl delete svc web api-svc",
    // Pods that run: simulated time moves only at `sleep`, in both (the server's clock endpoint), so what the
    // containers wrote is the same on both sides.
    "kubectl run waiting --image=nginx:1.27",
    "kubectl logs waiting",
    "kubectl exec waiting -- ls",
    "sleep 30",
    "kubectl wait --for=condition=Ready pod/solo --timeout=60s",
    "kubectl get pod solo waiting",
    "kubectl logs solo",
    "kubectl logs solo --tail=2",
    "kubectl logs solo --timestamps --tail=1",
    "kubectl logs solo -c solo --since=1h",
    "kubectl logs solo -c nope",
    "kubectl logs solo --previous",
    "kubectl logs pod/solo --tail=1",
    "kubectl expose pod solo --port=80 --name=solo-svc",
    "kubectl logs svc/solo-svc --tail=1",
    "kubectl logs deploy/nope",
    "kubectl run once --image=busybox:1.36 --restart=Never -- sh -c 'echo one; echo two >&2; echo three'",
    "sleep 20",
    "kubectl get pod once",
    "kubectl logs once -f",
    "kubectl logs once --tail=1 --timestamps -f",
    "kubectl exec solo -- cat /etc/hostname",
    "kubectl exec solo -c solo -- sh -c 'echo out; echo err >&2'",
    "kubectl exec solo -- sh -c 'exit 3'",
    "kubectl exec solo -- nonexistent",
    "kubectl exec solo -c nope -- ls",
    "kubectl exec solo -- cat /nope",
    "kubectl exec once -- ls",
    "kubectl exec svc/solo-svc -- hostname",
    "kubectl logs nope",
    "kubectl exec nope -- ls",
    "kubectl exec deploy/nope -- ls",
    "kubectl exec -i solo -- sh -c 'echo from stdin test'",
];

/// Commands whose output may differ, and why. Everything else must match byte for byte.
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[
    ("kubectl delete cm x", V132_DELETE),
    ("kubectl delete deploy web", V132_DELETE),
    ("kubectl delete svc web api-svc", V132_DELETE),
    ("kubectl describe node worker-1", CLIENT_SIDE_AGE),
    ("kubectl describe deploy web", CLIENT_SIDE_AGE),
    ("kubectl describe job once", CLIENT_SIDE_AGE),
    (
        "kubectl describe pod solo",
        "kubectl 1.32 prints a projected config map's `ConfigMapOptional: <nil>`; 1.33 and later `Optional: false` \
(kubernetes#129457)",
    ),
];

/// Commands whose lines kubectl prints in Go map order, which varies from run to run: compared as sorted lines.
const UNORDERED: &[&str] = &["kubectl describe secret creds"];

fn sorted_lines(s: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = s.lines().collect();
    lines.sort_unstable();
    lines
}

const CLIENT_SIDE_AGE: &str = "describe computes ages on the client: real kubectl measures the simulated \
timestamps (2025-08-27) against the machine's clock, so its pod and event ages read e.g. `457d` where the playground \
prints `0s`; the rest matches";

const V132_DELETE: &str = "kubectl 1.32 prints `configmap \"x\" deleted`; 1.34 adds ` from default namespace`";

const MANIFEST: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: app-config
  labels:
    app: demo
data:
  mode: production
";

fn kubectl_on_path() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join("kubectl")).find(|p| p.is_file())
}

struct Outcome {
    stdout: String,
    stderr: String,
    code: i32,
}

/// Splits a command line as a shell does, for the quoting these commands use: single quotes and spaces.
fn words(command: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let (mut quoted, mut started) = (false, false);
    for c in command.chars() {
        match c {
            '\'' => (quoted, started) = (!quoted, true),
            ' ' if !quoted => {
                if started {
                    out.push(std::mem::take(&mut word));
                }
                started = false;
            }
            c => {
                word.push(c);
                started = true;
            }
        }
    }
    if started {
        out.push(word);
    }
    out
}

fn run_real(kubectl: &Path, dir: &Path, command: &str) -> Outcome {
    let args: Vec<String> = words(command).into_iter().skip(1).collect();
    let out = Command::new(kubectl)
        .args(&args)
        .current_dir(dir)
        .env("HOME", dir.join("home"))
        .env("KUBECONFIG", dir.join("kubeconfig"))
        .output()
        .expect("kubectl runs");
    Outcome {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
}

#[test]
fn real_kubectl_matches_the_playground() {
    let Some(kubectl) = kubectl_on_path() else {
        println!("SKIPPED: no kubectl on PATH, so the real kubectl cannot be compared with the playground");
        return;
    };
    let dir = std::env::temp_dir().join(format!("kubeground-real-kubectl-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("home")).expect("temp dir");
    std::fs::write(dir.join("app.yaml"), MANIFEST).expect("manifest");
    std::fs::write(dir.join("web.yaml"), include_str!("../../../tests/scenarios/manifests/web.yaml")).expect("web");
    std::fs::write(dir.join("typo.yaml"), include_str!("../../../tests/scenarios/manifests/typo.yaml")).expect("typo");
    let server = common::start_server(SEED, "0", &dir.join("kubeconfig"));

    let mut playground =
        playground::Playground::new(SEED).with_files(Box::new(playground::DiskFiles::new(dir.clone())));
    let mut matched = Vec::new();
    let mut failures = Vec::new();
    for command in COMMANDS {
        if let Some(seconds) = command.strip_prefix("sleep ") {
            let ms: u64 = seconds.parse::<u64>().expect("whole seconds") * 1000;
            common::post(&server.url, &format!("/kubeground/v1/clock?ms={ms}"));
            playground.exec(command).expect("sleep parses");
            continue;
        }
        let real = run_real(&kubectl, &dir, command);
        let results = playground.exec(command).expect("the command parses");
        let ours = &results[0].output;
        let same_stdout = if UNORDERED.contains(command) {
            sorted_lines(&real.stdout) == sorted_lines(&ours.stdout)
        } else {
            real.stdout == ours.stdout
        };
        let same = same_stdout && real.stderr == ours.stderr && real.code == ours.exit_code;
        if same {
            assert!(
                !KNOWN_DIFFERENCES.iter().any(|(c, _)| c == command),
                "{command} now matches: remove it from KNOWN_DIFFERENCES"
            );
            matched.push(*command);
            continue;
        }
        let report = format!(
            "$ {command}\n--- real kubectl (exit {}):\n{}{}--- playground (exit {}):\n{}{}",
            real.code, real.stdout, real.stderr, ours.exit_code, ours.stdout, ours.stderr
        );
        match KNOWN_DIFFERENCES.iter().find(|(c, _)| c == command) {
            Some((_, why)) => println!("known difference ({why}):\n{report}"),
            None => failures.push(report),
        }
    }
    watch_streams_changes(&kubectl, &dir);
    let compared = COMMANDS.iter().filter(|c| !c.starts_with("sleep ")).count();
    println!("byte-for-byte matches ({}/{compared}):", matched.len());
    for c in &matched {
        println!("  {c}");
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(failures.is_empty(), "{} command(s) differ:\n\n{}", failures.len(), failures.join("\n"));
}

/// `?watch=true` through kubectl's raw client: from a resourceVersion, the changes after it, then the end of
/// the stream at `timeoutSeconds`.
fn watch_streams_changes(kubectl: &Path, dir: &Path) {
    let list = run_real(kubectl, dir, "kubectl get --raw /api/v1/namespaces/default/configmaps");
    let list: serde_json::Value = serde_json::from_str(&list.stdout).expect("a ConfigMapList");
    let rv = list["metadata"]["resourceVersion"].as_str().expect("the list's resourceVersion").to_string();
    assert!(run_real(kubectl, dir, "kubectl create configmap watched").code == 0);
    let url = format!("/api/v1/namespaces/default/configmaps?watch=true&resourceVersion={rv}&timeoutSeconds=1");
    let out = run_real(kubectl, dir, &format!("kubectl get --raw {url}"));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let events: Vec<serde_json::Value> =
        out.stdout.lines().map(|l| serde_json::from_str(l).expect("one JSON event a line")).collect();
    assert_eq!(events.len(), 1, "{}", out.stdout);
    assert_eq!(events[0]["type"], "ADDED");
    assert_eq!(events[0]["object"]["metadata"]["name"], "watched");
}

fn run_real_with_stdin(kubectl: &Path, dir: &Path, command: &str, stdin: &str) -> Outcome {
    use std::io::Write;
    use std::process::Stdio;
    let args: Vec<String> = words(command).into_iter().skip(1).collect();
    let mut child = Command::new(kubectl)
        .args(&args)
        .current_dir(dir)
        .env("HOME", dir.join("home"))
        .env("KUBECONFIG", dir.join("kubeconfig"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kubectl runs");
    child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("stdin written");
    let out = child.wait_with_output().expect("kubectl ends");
    Outcome {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
}

/// With simulated time running (ten times real time): `logs -f` streams a container's lines as it writes them
/// and ends when it exits; `exec -i` into a shell runs each input line; `drain` evicts through `pods/eviction`.
#[test]
fn real_kubectl_follows_logs_execs_and_drains() {
    let Some(kubectl) = kubectl_on_path() else {
        println!("SKIPPED: no kubectl on PATH, so logs -f, exec -i and drain cannot be tried with the real kubectl");
        return;
    };
    let dir = common::temp_dir("real-kubectl-running");
    std::fs::create_dir_all(dir.join("home")).expect("home");
    let _server = common::start_server(SEED, "10", &dir.join("kubeconfig"));
    let ok = |command: &str| {
        let out = run_real(&kubectl, &dir, command);
        assert_eq!(out.code, 0, "$ {command}\n{}{}", out.stdout, out.stderr);
        out
    };
    ok("kubectl run ticker --image=busybox:1.36 --restart=Never -- sh -c 'for i in 1 2 3 4 5; do echo line $i; sleep 2; done; echo done'");
    ok("kubectl wait --for=condition=Ready pod/ticker --timeout=60s");
    let started = std::time::Instant::now();
    let out = ok("kubectl logs -f ticker");
    assert_eq!(out.stdout, "line 1\nline 2\nline 3\nline 4\nline 5\ndone\n");
    // The container writes for about ten simulated seconds, one real second: the stream waited for it.
    let elapsed = started.elapsed();
    assert!(
        elapsed > std::time::Duration::from_millis(300) && elapsed < std::time::Duration::from_secs(20),
        "{elapsed:?}"
    );

    ok("kubectl run bare --image=nginx:1.27 --overrides={\"spec\":{\"nodeName\":\"worker-1\"}}");
    ok("kubectl wait --for=condition=Ready pod/bare --timeout=60s");
    let out = run_real_with_stdin(&kubectl, &dir, "kubectl exec -i bare -- sh", "echo hi from $(hostname)\nexit 4\n");
    assert_eq!(
        (out.stdout.as_str(), out.stderr.as_str(), out.code),
        ("hi from bare\n", "command terminated with exit code 4\n", 4)
    );

    let out = ok("kubectl drain worker-1 --ignore-daemonsets --force");
    assert!(out.stdout.contains("evicting pod default/bare\n"), "{}", out.stdout);
    // The Job's pod on worker-1 is evicted too; eviction answers arrive in either order.
    assert!(out.stdout.contains("pod/bare evicted\n"), "{}", out.stdout);
    assert!(out.stdout.ends_with("node/worker-1 drained\n"), "{}", out.stdout);
    let out = run_real(&kubectl, &dir, "kubectl get pod bare");
    assert_eq!(out.stderr, "Error from server (NotFound): pods \"bare\" not found\n");

    // A PodDisruptionBudget through the real kubectl: `drain` gets 429s from the eviction subresource, prints
    // kubectl's retry lines, and finishes once replacements are ready elsewhere.
    ok("kubectl uncordon worker-1");
    ok("kubectl create deployment guarded --image=nginx:1.27 --replicas=4");
    ok("kubectl create pdb guarded --selector=app=guarded --min-available=3");
    ok("kubectl rollout status deployment/guarded --timeout=60s");
    let out = ok("kubectl get pdb guarded");
    assert!(out.stdout.contains("guarded   3               N/A               1"), "{}", out.stdout);
    let out = ok("kubectl drain worker-2 --ignore-daemonsets --force --timeout=120s");
    assert!(out.stdout.ends_with("node/worker-2 drained\n"), "{}", out.stdout);
    for line in out.stderr.lines().filter(|l| l.starts_with("error when evicting")) {
        assert!(
            line.ends_with("(will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget."),
            "{line}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The lines of `tests/scenarios/pods.sh` the real kubectl can run here, and why the others are left out.
const PODS_SCENARIO: &str = include_str!("../../../tests/scenarios/pods.sh");
const PODS_KNOWN_DIFFERENCES: &[(&str, &str)] = &[
    ("kubectl describe pod web", POD_DESCRIBE),
    ("kubectl describe pod typo", POD_DESCRIBE),
    ("kubectl describe pod typo2", POD_DESCRIBE),
    ("kubectl describe pod liveness-exec", POD_DESCRIBE),
];
const POD_DESCRIBE: &str = "event ages are computed on the client (`457d` against the machine's clock), and kubectl \
1.32 prints a projected config map's `ConfigMapOptional: <nil>` where 1.33 and later print `Optional: false` \
(kubernetes#129457); the rest matches";

/// `tests/scenarios/pods.sh` (pulls, logs, exec, crash loops, bad images, probes) through the real kubectl
/// against `kubeground serve`, compared with the playground line by line as the main session is.
#[test]
fn real_kubectl_runs_the_pods_scenario() {
    compare_scenario(&Scenario { name: "pods", script: PODS_SCENARIO, known: PODS_KNOWN_DIFFERENCES, ..NONE });
}

/// `tests/scenarios/network.sh` (Endpoints, EndpointSlices, DNS, Services from a pod) through the real kubectl.
#[test]
fn real_kubectl_runs_the_network_scenario() {
    compare_scenario(&Scenario {
        name: "network",
        script: include_str!("../../../tests/scenarios/network.sh"),
        ..NONE
    });
}

/// `tests/scenarios/services.sh` (Service types, ports, session affinity, readiness) through the real kubectl.
#[test]
fn real_kubectl_runs_the_services_scenario() {
    compare_scenario(&Scenario {
        name: "services",
        script: include_str!("../../../tests/scenarios/services.sh"),
        ..NONE
    });
}

/// `tests/scenarios/dns.sh` (resolv.conf per dnsPolicy, every record kind) through the real kubectl.
#[test]
fn real_kubectl_runs_the_dns_scenario() {
    compare_scenario(&Scenario { name: "dns", script: include_str!("../../../tests/scenarios/dns.sh"), ..NONE });
}

/// `tests/scenarios/trafficpolicy.sh` (internal and external traffic policies) through the real kubectl.
#[test]
fn real_kubectl_runs_the_trafficpolicy_scenario() {
    compare_scenario(&Scenario {
        name: "trafficpolicy",
        script: include_str!("../../../tests/scenarios/trafficpolicy.sh"),
        ..NONE
    });
}

/// `tests/scenarios/curl.sh` (curl in pods, access logs, the simulated internet) through the real kubectl.
#[test]
fn real_kubectl_runs_the_curl_scenario() {
    compare_scenario(&Scenario { name: "curl", script: include_str!("../../../tests/scenarios/curl.sh"), ..NONE });
}

#[test]
fn real_kubectl_runs_the_deployments_scenario() {
    compare_scenario(&Scenario {
        name: "deployments",
        script: include_str!("../../../tests/scenarios/deployments.sh"),
        ..NONE
    });
}

#[test]
fn real_kubectl_runs_the_rollouts_scenario() {
    compare_scenario(&Scenario {
        name: "rollouts",
        script: include_str!("../../../tests/scenarios/rollouts.sh"),
        skipped: &[("kubectl set env", "kubeground does not simulate `kubectl set env` yet and says so")],
        known: &[(
            "kubectl get statefulset web -o jsonpath='{.spec.template.metadata.annotations}{\"\\n\"}'",
            "`rollout restart` stamps `kubectl.kubernetes.io/restartedAt` with the client's clock: the real kubectl \
writes the machine's time, the playground the simulated one",
        )],
        ..NONE
    });
}

#[test]
fn real_kubectl_runs_the_revisions_scenario() {
    compare_scenario(&Scenario {
        name: "revisions",
        script: include_str!("../../../tests/scenarios/revisions.sh"),
        known: &[(
            "kubectl rollout undo sts/web --to-revision=3",
            "kubectl decides `skipped rollback (current template already matches revision 3)` by comparing bytes: \
1.32 marshals the live template with `\"creationTimestamp\":null`, which a v1.34 controller's revision data no \
longer carries (kubernetes#130989 omits the zero timestamp), so 1.32 never sees a match and patches (`rolled back`)",
        )],
        ..NONE
    });
}

#[test]
fn real_kubectl_runs_the_statefulsets_scenario() {
    compare_scenario(&Scenario {
        name: "statefulsets",
        script: include_str!("../../../tests/scenarios/statefulsets.sh"),
        ..NONE
    });
}

#[test]
fn real_kubectl_runs_the_daemonsets_scenario() {
    compare_scenario(&Scenario {
        name: "daemonsets",
        script: include_str!("../../../tests/scenarios/daemonsets.sh"),
        known: &[(
            "kubectl describe ds node-agent",
            "kubectl 1.32's describe of a DaemonSet has no `Namespace:` line, which later describers print after \
`Name:`; the rest matches but for the client-side event ages",
        )],
        ..NONE
    });
}

#[test]
fn real_kubectl_runs_the_jobs_scenario() {
    // `logs -l` reads each pod's log in the order of a Go map (`sequentialConsumeRequest`).
    compare_scenario(&Scenario {
        name: "jobs",
        script: include_str!("../../../tests/scenarios/jobs.sh"),
        unordered: &["kubectl logs -l job-name=indexed"],
        ..NONE
    });
}

#[test]
fn real_kubectl_runs_the_cronjobs_scenario() {
    compare_scenario(&Scenario {
        name: "cronjobs",
        script: include_str!("../../../tests/scenarios/cronjobs.sh"),
        until: Some((
            "kubectl create cronjob tz",
            "the time-zone tail sleeps 7 simulated hours, about 13 s of a debug build on each side; it prints \
through the get, logs and jsonpath paths compared before it",
        )),
        ..NONE
    });
}

#[test]
fn real_kubectl_runs_the_batch_scenario() {
    compare_scenario(&Scenario { name: "batch", script: include_str!("../../../tests/scenarios/batch.sh"), ..NONE });
}

#[test]
fn real_kubectl_runs_the_cascade_scenario() {
    compare_scenario(&Scenario {
        name: "cascade",
        script: include_str!("../../../tests/scenarios/cascade.sh"),
        ..NONE
    });
}

#[test]
fn real_kubectl_runs_the_disruption_scenario() {
    compare_scenario(&Scenario {
        name: "disruption",
        script: include_str!("../../../tests/scenarios/disruption.sh"),
        skipped: &[(
            "kubectl drain",
            "kubectl drain retries a refused eviction after 5 s and stops at --timeout by the machine's clock, \
while the server's simulated clock is frozen between commands, and it evicts pods from concurrent goroutines \
(their lines come in either order); `tests/real_kubectl.rs` drains through the real kubectl with time running",
        )],
        ..NONE
    });
}

#[test]
fn real_kubectl_runs_the_eviction_scenario() {
    compare_scenario(&Scenario {
        name: "eviction",
        script: include_str!("../../../tests/scenarios/eviction.sh"),
        ..NONE
    });
}

/// One scenario script to run through both kubectls.
struct Scenario {
    name: &'static str,
    script: &'static str,
    /// Lines (by prefix) the real kubectl cannot run here, and why: the server runs them with the playground's
    /// shell (`POST /kubeground/v1/run`), so both clusters stay in step, and they are not compared.
    skipped: &'static [(&'static str, &'static str)],
    /// Lines (exactly) whose output differs, and why.
    known: &'static [(&'static str, &'static str)],
    /// The line (by prefix) from which the rest of the scenario is left out, and why.
    until: Option<(&'static str, &'static str)>,
    /// Lines (exactly) whose stdout the real kubectl prints in Go map order, which varies from run to run:
    /// compared as sorted lines.
    unordered: &'static [&'static str],
}

const NONE: Scenario = Scenario { name: "", script: "", skipped: &[], known: &[], until: None, unordered: &[] };

/// Runs a real kubectl command line with its heredoc body on standard input; a command still running after
/// 30 s (it waits for something simulated time would bring) is killed and reported.
fn run_real_command(kubectl: &Path, dir: &Path, cwd: &Path, args: &[String], stdin: Option<&str>) -> Outcome {
    use std::io::{Read, Write};
    use std::process::Stdio;
    let mut child = Command::new(kubectl)
        .args(args)
        .current_dir(cwd)
        .env("HOME", dir.join("home"))
        .env("KUBECONFIG", dir.join("kubeconfig"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kubectl runs");
    let mut input = child.stdin.take().expect("stdin");
    input.write_all(stdin.unwrap_or("").as_bytes()).expect("stdin written");
    drop(input);
    let started = std::time::Instant::now();
    let code = loop {
        if let Some(status) = child.try_wait().expect("kubectl waited for") {
            break status.code().unwrap_or(-1);
        }
        if started.elapsed() > std::time::Duration::from_secs(30) {
            let _ = child.kill();
            let _ = child.wait();
            break -2;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    let (mut stdout, mut stderr) = (String::new(), String::new());
    child.stdout.take().expect("stdout").read_to_string(&mut stdout).expect("stdout read");
    child.stderr.take().expect("stderr").read_to_string(&mut stderr).expect("stderr read");
    if code == -2 {
        stderr.push_str("[killed after 30 s: the real kubectl was still waiting]\n");
    }
    Outcome { stdout, stderr, code }
}

/// kubectl 1.32 prints `pod "web" deleted`; 1.34 adds ` from default namespace` (kubernetes#126619). Returns
/// `text` with that addition taken out of every line, so the rest can still be compared.
fn v132_delete_wording(text: &str) -> String {
    text.lines()
        .map(|line| match line.find("\" deleted from ") {
            Some(i) if line.ends_with(" namespace") => format!("{}\" deleted\n", &line[..i]),
            _ => format!("{line}\n"),
        })
        .collect()
}

/// `kubectl describe` computes its Events' ages on the client: the real kubectl measures the simulated
/// timestamps (2025-08-27) against the machine's clock (`458d`), the playground against the simulated one
/// (`20s`). Returns `text` with each event row's Age column (`458d (x3 over 458d)`) masked and the columns
/// joined by ` | `, so that two describes can be compared without their ages (and the column widths they set).
/// A terminating claim's or volume's `Status:        Terminating (lasts 458d)` is measured the same way
/// (`translateTimestampSince(deletionTimestamp)`), so its age is masked too.
fn mask_event_ages(text: &str) -> String {
    let mut out = String::new();
    let mut in_events = false;
    for line in text.lines() {
        if let Some(i) = line.find("Terminating (lasts ").filter(|_| line.starts_with("Status:")) {
            out.push_str(&line[..i]);
            out.push_str("Terminating (lasts <age>)\n");
            continue;
        }
        if line.starts_with("Events:") {
            in_events = true;
        } else if !line.starts_with("  ") {
            in_events = false;
        }
        if !in_events || !line.starts_with("  ") {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let mut fields: Vec<String> =
            line.trim().split("  ").map(str::trim).filter(|f| !f.is_empty()).map(str::to_string).collect();
        if fields.len() >= 5 && fields[2] != "Age" && fields[2] != "----" {
            fields[2] = fields[2]
                .split(' ')
                .map(|w| if w.starts_with(|c: char| c.is_ascii_digit()) { "<age>".to_string() } else { w.to_string() })
                .collect::<Vec<_>>()
                .join(" ");
        }
        out.push_str(&fields.join(" | "));
        out.push('\n');
    }
    out
}

/// Whether `tail` is the end of `text`, in whole lines.
fn ends_in_lines(text: &str, tail: &str) -> bool {
    text.ends_with(tail) && (text.len() == tail.len() || text[..text.len() - tail.len()].ends_with('\n'))
}

/// Runs a scenario through the real kubectl against `kubeground serve` and through the playground, and
/// compares stdout, stderr and exit code command by command. Both clusters start from seed 0 with simulated
/// time frozen on the server; the scenario's `sleep` moves both clocks. Scripts are parsed as the playground
/// parses them (heredocs become the real kubectl's standard input), with `tests/scenarios` as the working
/// folder of both, so `-f manifests/…` reads the same files.
///
/// - `minikube` lines have no kubectl counterpart: the server runs them with the playground's shell.
/// - A command during which the playground waited in simulated time (`rollout status`, `wait`, a graceful
///   `delete`) cannot wait for the real kubectl, whose server clock only moves when told. A `delete` runs with
///   `--wait=false` and the server's clock then moves by the time the playground waited (the printed line is the
///   same); anything else runs after the clock moved, so the real kubectl sees only the end: its output must
///   be the last lines of what the playground printed while it waited, with the same stderr and exit code.
/// - kubectl 1.32's delete wording (without ` from NS namespace`) is accepted wherever it is the only
///   difference, and so are a describe's event ages and `Terminating (lasts …)`, which kubectl computes against
///   the machine's clock ([`mask_event_ages`]); both are counted.
fn compare_scenario(scenario: &Scenario) {
    let name = scenario.name;
    let Some(kubectl) = kubectl_on_path() else {
        println!("SKIPPED: no kubectl on PATH, so the {name} scenario cannot be compared with the real kubectl");
        return;
    };
    let started = std::time::Instant::now();
    let scenarios = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios");
    let dir = common::temp_dir(&format!("real-kubectl-{name}"));
    std::fs::create_dir_all(dir.join("home")).expect("home");
    let server = common::start_server(0, "0", &dir.join("kubeconfig"));
    let mut playground =
        playground::Playground::new(0).with_files(Box::new(playground::DiskFiles::new(scenarios.clone())));
    let mut commands = playground::script::parse(scenario.script).expect("the scenario parses");
    if let Some((prefix, _)) = scenario.until {
        commands.truncate(commands.iter().position(|c| c.text.starts_with(prefix)).expect("the `until` line"));
    }
    let (mut compared, mut same, mut after_wait, mut v132, mut client_ages) = (0, 0, 0, 0, 0);
    let (mut known, mut skipped) = (0, 0);
    let mut failures = Vec::new();
    for command in &commands {
        let text = command.text.as_str();
        let program = command.words.first().map(String::as_str).unwrap_or("");
        if program == "sleep" {
            // A sleep the playground refuses (`sleep later`) moves neither clock.
            if let Ok(ms) = playground::shell::sleep_millis(&command.words[1..]) {
                common::post(&server.url, &format!("/kubeground/v1/clock?ms={ms}"));
            }
            playground.run_command(command);
            continue;
        }
        if program == "echo" {
            continue;
        }
        let before = playground.now();
        let ours = playground.run_command(command).output;
        let waited = playground.now() - before;
        let skip = scenario.skipped.iter().find(|(prefix, _)| text.starts_with(prefix));
        if program != "kubectl" || skip.is_some() {
            // Both clusters must stay the same: the server runs the line with the playground's own shell.
            let body = serde_json::json!({"line": text, "stdin": command.stdin});
            let answer = common::post_json(&server.url, "/kubeground/v1/run", &body.to_string());
            let answer: serde_json::Value = serde_json::from_str(&answer).expect("the run's answer");
            assert_eq!(answer["stdout"], ours.stdout.as_str(), "{name}: the server ran `{text}` differently");
            if program == "kubectl" {
                skipped += 1;
            }
            continue;
        }
        compared += 1;
        let mut args: Vec<String> = command.words[1..].to_vec();
        let deletes = args.iter().find(|a| !a.starts_with('-')).is_some_and(|verb| verb == "delete");
        let stdin = command.stdin.as_deref();
        let real = if waited == 0 {
            run_real_command(&kubectl, &dir, &scenarios, &args, stdin)
        } else if deletes {
            args.push("--wait=false".into());
            let real = run_real_command(&kubectl, &dir, &scenarios, &args, stdin);
            common::post(&server.url, &format!("/kubeground/v1/clock?ms={waited}"));
            real
        } else {
            common::post(&server.url, &format!("/kubeground/v1/clock?ms={waited}"));
            run_real_command(&kubectl, &dir, &scenarios, &args, stdin)
        };
        let rest_same = real.stderr == ours.stderr && real.code == ours.exit_code;
        let same_stdout = if scenario.unordered.contains(&text) {
            sorted_lines(&real.stdout) == sorted_lines(&ours.stdout)
        } else {
            real.stdout == ours.stdout
        };
        let outcome = if same_stdout && rest_same {
            Some(&mut same)
        } else if waited > 0 && !deletes && ends_in_lines(&ours.stdout, &real.stdout) && rest_same {
            Some(&mut after_wait)
        } else if real.stdout == v132_delete_wording(&ours.stdout) && rest_same {
            Some(&mut v132)
        } else if args[0] == "describe" && mask_event_ages(&real.stdout) == mask_event_ages(&ours.stdout) && rest_same {
            Some(&mut client_ages)
        } else {
            None
        };
        if let Some(count) = outcome {
            assert!(
                !scenario.known.iter().any(|(c, _)| *c == text),
                "{name}: `{text}` now matches: remove it from the known differences"
            );
            *count += 1;
            continue;
        }
        let report = format!(
            "$ {text}\n--- real kubectl (exit {}):\n{}{}--- playground (exit {}):\n{}{}",
            real.code, real.stdout, real.stderr, ours.exit_code, ours.stdout, ours.stderr
        );
        match scenario.known.iter().find(|(c, _)| *c == text) {
            Some((_, why)) => {
                known += 1;
                println!("known difference ({why}):\n{report}");
            }
            None => failures.push(report),
        }
    }
    let matched = same + after_wait + v132 + client_ages;
    println!(
        "{name}.sh: {matched}/{compared} kubectl commands print the same bytes ({after_wait} of them the end of \
what the playground printed while waiting, {v132} with kubectl 1.32's delete wording, {client_ages} describes \
but for the client-side ages of their events), {known} known differences, {skipped} skipped; {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(&dir);
    assert!(failures.is_empty(), "{name}: {} command(s) differ:\n\n{}", failures.len(), failures.join("\n"));
}

/// `tests/scenarios/volumes.sh` (emptyDir, hostPath, PV/PVC binding and reclaim, StorageClasses, ConfigMaps,
/// Secrets, downwardAPI, projected) through the real kubectl.
#[test]
fn real_kubectl_runs_the_volumes_scenario() {
    compare_scenario(&Scenario {
        name: "volumes",
        script: include_str!("../../../tests/scenarios/volumes.sh"),
        ..NONE
    });
}

/// `tests/scenarios/configupdates.sh` (FailedMount retries, ConfigMap and Secret updates reaching volumes but not
/// env or subPath) through the real kubectl.
#[test]
fn real_kubectl_runs_the_configupdates_scenario() {
    compare_scenario(&Scenario {
        name: "configupdates",
        script: include_str!("../../../tests/scenarios/configupdates.sh"),
        ..NONE
    });
}

/// `tests/scenarios/storage-provisioner.sh` (minikube's hostpath provisioner addon, its leader election, claims
/// that wait for it) through the real kubectl.
#[test]
fn real_kubectl_runs_the_storage_provisioner_scenario() {
    compare_scenario(&Scenario {
        name: "storage-provisioner",
        script: include_str!("../../../tests/scenarios/storage-provisioner.sh"),
        ..NONE
    });
}

/// `tests/scenarios/recycle.sh` (the Recycle reclaim policy's recycler pod and its events on the volume)
/// through the real kubectl.
#[test]
fn real_kubectl_runs_the_recycle_scenario() {
    compare_scenario(&Scenario {
        name: "recycle",
        script: include_str!("../../../tests/scenarios/recycle.sh"),
        ..NONE
    });
}

/// `tests/scenarios/claimwait.sh` (a pod bound to a node before its claim is: the kubelet's FailedMount until
/// the claim binds) through the real kubectl.
#[test]
fn real_kubectl_runs_the_claimwait_scenario() {
    compare_scenario(&Scenario {
        name: "claimwait",
        script: include_str!("../../../tests/scenarios/claimwait.sh"),
        known: &[("kubectl describe pod early", POD_DESCRIBE)],
        ..NONE
    });
}

/// `tests/scenarios/errors.sh` (mistyped commands and flags, refused creates, bad patches and overrides)
/// through the real kubectl: client-side messages must match kubectl's own bytes.
#[test]
fn real_kubectl_runs_the_errors_scenario() {
    compare_scenario(&Scenario {
        name: "errors",
        script: include_str!("../../../tests/scenarios/errors.sh"),
        skipped: &[
            ("kubectl get pods | grep", "the playground's shell refuses pipes; a real shell would run grep"),
            ("kubectl proxy", "the real kubectl would serve until killed; the playground says it does not simulate it"),
        ],
        // `--list` prints each object's labels or annotations in Go map order.
        unordered: &[
            "kubectl label pod dup --list",
            "kubectl label pods --all --list",
            "kubectl annotate pods --all --list",
            "kubectl label -f manifests/web.yaml --list",
        ],
        ..NONE
    });
}
