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
const PODS_SKIPPED: &[(&str, &str)] = &[(
    "kubectl delete pod",
    "kubectl delete waits until the pod is gone; the server's clock is frozen (--speed 0) and only the script's \
`sleep` moves it, so a graceful deletion would never finish for the real kubectl (the playground waits in \
simulated time); the scenario's tail from the first delete on is left out",
)];
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
    let manifests = [
        ("exec-liveness.yaml", include_str!("../../../tests/scenarios/manifests/exec-liveness.yaml")),
        ("http-liveness.yaml", include_str!("../../../tests/scenarios/manifests/http-liveness.yaml")),
    ];
    compare_scenario("pods", PODS_SCENARIO, &manifests, PODS_SKIPPED, PODS_KNOWN_DIFFERENCES);
}

const NETWORK_SCENARIO: &str = include_str!("../../../tests/scenarios/network.sh");
const NETWORK_SKIPPED: &[(&str, &str)] = &[];

/// `tests/scenarios/network.sh` (Endpoints, EndpointSlices, DNS, Services from a pod) through the real kubectl.
/// Its `minikube` lines have no kubectl counterpart and are left out of the comparison.
#[test]
fn real_kubectl_runs_the_network_scenario() {
    compare_scenario("network", NETWORK_SCENARIO, &[], NETWORK_SKIPPED, &[]);
}

/// Runs a scenario's kubectl lines through the real kubectl against `kubeground serve` and through the
/// playground, and compares stdout, stderr and exit code line by line. `skipped` names the first line (by
/// prefix) from which the rest is left out, and why; `known` lists lines that differ, and why.
fn compare_scenario(
    name: &str,
    scenario: &str,
    manifests: &[(&str, &str)],
    skipped: &[(&str, &str)],
    known: &[(&str, &str)],
) {
    let Some(kubectl) = kubectl_on_path() else {
        println!("SKIPPED: no kubectl on PATH, so the {name} scenario cannot be compared with the real kubectl");
        return;
    };
    let dir = common::temp_dir(&format!("real-kubectl-{name}"));
    std::fs::create_dir_all(dir.join("home")).expect("home");
    std::fs::create_dir_all(dir.join("manifests")).expect("manifests");
    for (file, text) in manifests {
        std::fs::write(dir.join("manifests").join(file), text).expect("manifest");
    }
    let server = common::start_server(0, "0", &dir.join("kubeconfig"));
    let mut playground = playground::Playground::new(0).with_files(Box::new(playground::DiskFiles::new(dir.clone())));
    let commands: Vec<&str> = scenario
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with("minikube "))
        .take_while(|l| !skipped.iter().any(|(prefix, _)| l.starts_with(prefix)))
        .collect();
    let (mut matched, mut failures) = (0, Vec::new());
    for command in &commands {
        if let Some(seconds) = command.strip_prefix("sleep ") {
            let ms: u64 = seconds.parse::<u64>().expect("whole seconds") * 1000;
            common::post(&server.url, &format!("/kubeground/v1/clock?ms={ms}"));
            playground.exec(command).expect("sleep parses");
            continue;
        }
        let real = run_real(&kubectl, &dir, command);
        let results = playground.exec(command).expect("the command parses");
        let ours = &results[0].output;
        if real.stdout == ours.stdout && real.stderr == ours.stderr && real.code == ours.exit_code {
            assert!(
                !known.iter().any(|(c, _)| c == command),
                "{command} now matches: remove it from the known differences"
            );
            matched += 1;
            continue;
        }
        let report = format!(
            "$ {command}\n--- real kubectl (exit {}):\n{}{}--- playground (exit {}):\n{}{}",
            real.code, real.stdout, real.stderr, ours.exit_code, ours.stdout, ours.stderr
        );
        match known.iter().find(|(c, _)| c == command) {
            Some((_, why)) => println!("known difference ({why}):\n{report}"),
            None => failures.push(report),
        }
    }
    let compared = commands.iter().filter(|c| !c.starts_with("sleep ")).count();
    println!("{name}.sh: {matched}/{compared} commands print the same bytes");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(failures.is_empty(), "{} command(s) differ:\n\n{}", failures.len(), failures.join("\n"));
}
