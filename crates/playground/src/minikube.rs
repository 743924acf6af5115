//! `minikube`: the machine-level commands a learner uses on the simulated cluster (status, node add, stop,
//! start, delete, list), printed as minikube prints them in a terminal.

use engine::machines::Quorum;
use engine::topology::NodeRole;
use engine::Cluster;
use kubectl::Output;

const PROFILE: &str = "minikube";

pub fn run(cluster: &mut Cluster, args: &[String]) -> Output {
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    match words.as_slice() {
        ["status", ..] => status(cluster),
        ["node", "list"] | ["node", "ls"] => Output::ok(
            cluster.machines().iter().map(|m| format!("{}\t{}\n", m.plan.name, m.plan.internal_ip)).collect::<String>(),
        ),
        ["node", "add", rest @ ..] => {
            let control_plane = rest.contains(&"--control-plane");
            let role = if control_plane { NodeRole::ControlPlane } else { NodeRole::Worker };
            match cluster.add_node(role) {
                Ok(name) => Output::ok(format!(
                    "😄  Adding node {name} to cluster {PROFILE} as [{}]\n🏄  Successfully added {name} to {PROFILE}!\n",
                    if control_plane { "control-plane" } else { "worker" }
                )),
                Err(e) => Output::error(format!("❌  Exiting due to GUEST_NODE_ADD: {e}\n")),
            }
        }
        ["node", "stop", name] => match cluster.stop_node(name) {
            Ok(()) => Output::ok(format!("✋  Stopping node \"{name}\"  ...\n🛑  Successfully stopped node {name}\n")),
            Err(e) => node_error(&e),
        },
        ["node", "start", name] => match cluster.start_node(name) {
            Ok(()) => Output::ok(format!("👍  Starting \"{name}\" node in \"{PROFILE}\" cluster\n😄  Successfully started node {name}!\n")),
            Err(e) => node_error(&e),
        },
        ["node", "delete", name] => match cluster.delete_node(name) {
            Ok(()) => Output::ok(format!("🔥  Deleting node {name} from cluster {PROFILE}\n💀  Node {name} was successfully deleted.\n")),
            Err(e) => node_error(&e),
        },
        ["node", sub, ..] if ["stop", "start", "delete"].contains(sub) => {
            Output::error(format!("❌  Exiting due to MK_USAGE: Usage: minikube node {sub} [name]\n"))
        }
        ["stop"] => {
            let names: Vec<String> = cluster.machines().iter().filter(|m| m.running).map(|m| m.plan.name.clone()).collect();
            let mut out = String::new();
            for name in &names {
                let _ = cluster.stop_node(name);
                out.push_str(&format!("✋  Stopping node \"{name}\"  ...\n"));
            }
            out.push_str(&format!("🛑  {} node{} stopped.\n", names.len(), if names.len() == 1 { "" } else { "s" }));
            Output::ok(out)
        }
        ["start"] => {
            let names: Vec<String> = cluster.machines().iter().filter(|m| !m.running).map(|m| m.plan.name.clone()).collect();
            for name in &names {
                let _ = cluster.start_node(name);
            }
            Output::ok(format!(
                "😄  {PROFILE} on simulated machines\n🏄  Done! kubectl is now configured to use \"{PROFILE}\" cluster and \"default\" namespace by default\n"
            ))
        }
        [] => Output::ok("minikube provisions and manages local Kubernetes clusters optimized for development workflows.\n\nCommands simulated here: status, node list|add|stop|start|delete, stop, start, ssh\n"),
        ["ssh", rest @ ..] => ssh(cluster, rest),
        [cmd, ..] if ["tunnel", "delete", "service", "addons", "dashboard", "ip"].contains(cmd) => {
            Output::error(format!("kubeground does not simulate \"minikube {cmd}\" yet\n"))
        }
        [cmd, ..] => Output::error(format!("Error: unknown command \"{cmd}\" for \"minikube\"\nRun 'minikube --help' for usage.\n")),
    }
}

/// `minikube ssh [-n NODE] [--] [COMMAND…]`: the words after the flags, joined with spaces, are the command
/// the node's login shell runs (as ssh sends them). Without a command minikube opens an interactive shell,
/// which a script cannot drive.
fn ssh(cluster: &mut Cluster, args: &[&str]) -> Output {
    let mut node: Option<String> = None;
    let mut words: Vec<&str> = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match *a {
            "--" => {
                words.extend(it.by_ref().copied());
                break;
            }
            "-n" | "--node" => match it.next() {
                Some(n) => node = Some(n.to_string()),
                None if *a == "-n" => return Output::error("Error: flag needs an argument: 'n' in -n\n"),
                None => return Output::error("Error: flag needs an argument: --node\n"),
            },
            a if a.starts_with("--node=") => node = Some(a["--node=".len()..].to_string()),
            a if a.starts_with("-n") && a.len() > 2 => node = Some(a[2..].trim_start_matches('=').to_string()),
            a => words.push(a),
        }
    }
    // Without -n minikube uses the primary control plane.
    let node = node.unwrap_or_else(|| "control-plane-1".to_string());
    if words.is_empty() {
        return Output::error(
            "kubeground: \"minikube ssh\" without a command opens an interactive shell, which a script cannot use; \
             give the command after --, e.g. minikube ssh -n worker-1 -- ls /etc\n",
        );
    }
    match cluster.ssh(&node, &words.join(" ")) {
        Ok(r) => match r.code {
            Ok(code) => Output { stdout: r.stdout, stderr: r.stderr, exit_code: code },
            Err(msg) => Output { stdout: r.stdout, stderr: format!("{}{msg}\n", r.stderr), exit_code: 1 },
        },
        // minikube's `exit.Message(reason.GuestNodeRetrieve, "Node {{.nodeName}} does not exist.")`.
        Err(engine::kubelet::host::SshError::NoNode) => {
            Output::error(format!("❌  Exiting due to GUEST_NODE_RETRIEVE: Node {node} does not exist.\n"))
        }
        // `CreateSSHShell`'s `%q is not running`, printed as `ssh: %v` (recalled from minikube's source).
        Err(engine::kubelet::host::SshError::Stopped) => Output::error(format!("ssh: \"{node}\" is not running\n")),
    }
}

fn node_error(e: &str) -> Output {
    Output::error(format!("❌  Exiting due to GUEST_NODE_RETRIEVE: {e}\n"))
}

/// `minikube status`: one block per node; exit code 0 only when everything runs (minikube's bit flags
/// 1 host, 2 cluster, 4 kubernetes are approximated by 7 for "something is stopped").
fn status(cluster: &Cluster) -> Output {
    let quorum = cluster.machines().quorum();
    let any_control_plane = !matches!(quorum, Quorum::NoApiServer);
    let mut out = String::new();
    let mut all_running = true;
    for m in cluster.machines().iter() {
        let state = if m.running { "Running" } else { "Stopped" };
        all_running &= m.running;
        out.push_str(&format!("{}\n", m.plan.name));
        match m.plan.role {
            NodeRole::ControlPlane => {
                let apiserver = match (m.running, quorum) {
                    (false, _) => "Stopped",
                    (true, Quorum::Healthy { .. }) => "Running",
                    (true, _) => "Error",
                };
                let kubeconfig = if any_control_plane { "Configured" } else { "Stopped" };
                out.push_str(&format!(
                    "type: Control Plane\nhost: {state}\nkubelet: {state}\napiserver: {apiserver}\nkubeconfig: {kubeconfig}\n\n"
                ));
            }
            NodeRole::Worker => out.push_str(&format!("type: Worker\nhost: {state}\nkubelet: {state}\n\n")),
        }
    }
    Output { stdout: out, stderr: String::new(), exit_code: if all_running { 0 } else { 7 } }
}
