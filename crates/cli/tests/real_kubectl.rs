//! The real kubectl against `kubeground serve`, compared with the playground's own kubectl.
//!
//! The test starts the built `kubeground serve` with simulated time frozen (`--speed 0`) on a free port, runs
//! the `kubectl` found on PATH through a session of commands, and runs the same session through
//! `playground::Playground` on a fresh cluster with the same seed. Each command's stdout, stderr and exit code
//! must be the same byte for byte, except for the differences listed in [`KNOWN_DIFFERENCES`], each with its
//! reason. Without a `kubectl` on PATH the test says so and passes.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

const SEED: u64 = 7;

/// The session, in order; `{dir}` files live in the test's folder, which is kubectl's working directory.
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
];

/// Commands whose output may differ, and why. Everything else must match byte for byte.
const KNOWN_DIFFERENCES: &[(&str, &str)] =
    &[("kubectl delete cm x", "kubectl 1.32 prints `configmap \"x\" deleted`; 1.34 adds ` from default namespace`")];

const MANIFEST: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: app-config
  labels:
    app: demo
data:
  mode: production
";

/// Kills the server when the test ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn kubectl_on_path() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join("kubectl")).find(|p| p.is_file())
}

/// Starts `kubeground serve` and waits for its one line saying where it listens.
fn start_server(dir: &Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kubeground"))
        .args(["serve", "--port", "0", "--speed", "0", "--seed", &SEED.to_string(), "--kubeconfig"])
        .arg(dir.join("kubeconfig"))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the kubeground binary starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).expect("the server prints where it listens");
    assert!(line.contains("http://127.0.0.1:"), "unexpected first line: {line}");
    Server(child)
}

struct Outcome {
    stdout: String,
    stderr: String,
    code: i32,
}

fn run_real(kubectl: &Path, dir: &Path, command: &str) -> Outcome {
    let args: Vec<&str> = command.split_whitespace().skip(1).collect();
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
    let _server = start_server(&dir);

    let mut playground =
        playground::Playground::new(SEED).with_files(Box::new(playground::DiskFiles::new(dir.clone())));
    let mut matched = Vec::new();
    let mut failures = Vec::new();
    for command in COMMANDS {
        let real = run_real(&kubectl, &dir, command);
        let results = playground.exec(command).expect("the command parses");
        let ours = &results[0].output;
        let same = real.stdout == ours.stdout && real.stderr == ours.stderr && real.code == ours.exit_code;
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
    println!("byte-for-byte matches ({}/{}):", matched.len(), COMMANDS.len());
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
