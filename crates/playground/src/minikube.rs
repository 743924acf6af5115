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
            // `minikube start` applies the enabled addons' manifests again.
            cluster.enable_storage_provisioner();
            Output::ok(format!(
                "😄  {PROFILE} on simulated machines\n🏄  Done! kubectl is now configured to use \"{PROFILE}\" cluster and \"default\" namespace by default\n"
            ))
        }
        [] => Output::ok("minikube provisions and manages local Kubernetes clusters optimized for development workflows.\n\nCommands simulated here: status, node list|add|stop|start|delete, stop, start, ssh, ip, tunnel, service --url, addons enable storage-provisioner\n"),
        ["ssh", rest @ ..] => ssh(cluster, rest),
        ["addons", "enable", "storage-provisioner"] => {
            cluster.enable_storage_provisioner();
            Output::ok(format!(
                "💡  storage-provisioner is an addon maintained by minikube. For any concerns contact minikube on GitHub.\nYou can view the list of minikube maintainers at: https://github.com/kubernetes/minikube/blob/master/OWNERS\n    ▪ Using image {}\n🌟  The 'storage-provisioner' addon is enabled\n",
                engine::addons::STORAGE_PROVISIONER_IMAGE
            ))
        }
        ["ip"] => Output::ok(format!("{}\n", primary_ip(cluster))),
        ["ip", "-n" | "--node", node] => match cluster.machines().get(node) {
            Some(m) => Output::ok(format!("{}\n", m.plan.internal_ip)),
            None => node_error(&format!("node {node} not found")),
        },
        ["tunnel", rest @ ..] if rest.iter().all(|a| a.starts_with("--cleanup") || *a == "-c") => tunnel(cluster),
        ["service", rest @ ..] => service(cluster, rest),
        [cmd, ..] if ["tunnel", "delete", "addons", "dashboard", "ip"].contains(cmd) => {
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

/// The first control-plane node's address: what `minikube ip` prints.
fn primary_ip(cluster: &Cluster) -> String {
    cluster
        .machines()
        .get("control-plane-1")
        .map(|m| m.plan.internal_ip.clone())
        .unwrap_or_else(|| "192.168.49.2".into())
}

/// `minikube tunnel`: routes the Service network to the cluster and gives LoadBalancer Services their ClusterIP
/// as external IP. In a terminal it holds the terminal until Ctrl+C, reprinting its status; here it keeps running
/// in the background of the session and says so. The status block follows minikube's tunnel `Status` output.
fn tunnel(cluster: &mut Cluster) -> Output {
    let (t, already) = cluster.start_tunnel();
    let services = cluster.tunnel_services().join(" ");
    let mut out = Output::ok(format!(
        "Status:\t\n\tmachine: {PROFILE}\n\tpid: {}\n\troute: 10.96.0.0/12 -> {}\n\tminikube: Running\n\tservices: [{services}]\n    errors: \n\t\tminikube: no errors\n\t\trouter: no errors\n\t\tloadbalancer emulator: no errors\n",
        t.pid,
        primary_ip(cluster)
    ));
    out.stderr = if already {
        "kubeground: the tunnel was already running in this session.\n".into()
    } else {
        "kubeground: the tunnel keeps running in the background of this session (in a terminal, minikube tunnel holds it until Ctrl+C).\n".into()
    };
    out
}

/// `minikube service NAME [-n NS] --url`: one `http://NODE_IP:NODEPORT` line per port of a NodePort or
/// LoadBalancer Service. (Without `--url` minikube opens a browser, which the playground has not.)
fn service(cluster: &Cluster, args: &[&str]) -> Output {
    let mut namespace = "default".to_string();
    let mut url = false;
    let mut name = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match *a {
            "--url" => url = true,
            "-n" | "--namespace" => namespace = it.next().map(|s| s.to_string()).unwrap_or_default(),
            a if a.starts_with("--namespace=") => namespace = a["--namespace=".len()..].to_string(),
            a if !a.starts_with('-') => name = Some(a.to_string()),
            _ => {}
        }
    }
    let Some(name) = name else {
        return Output::error("❌  Exiting due to MK_USAGE: You must specify service name\n");
    };
    let svc = match cluster.get(engine::Kind::Service, &namespace, &name) {
        Ok(engine::Object::Service(s)) => s.clone(),
        _ => {
            return Output::error(format!(
                "\n❌  Exiting due to SVC_NOT_FOUND: Service '{name}' was not found in '{namespace}' namespace.\nYou may select another namespace by using 'minikube service {name} -n <namespace>'. Or list out all the services using 'minikube service list'\n\n"
            ))
        }
    };
    if !url {
        return Output::error(
            "kubeground: minikube service opens a browser, which the playground has not; add --url to print the address\n",
        );
    }
    let ports: Vec<i32> = svc.spec.iter().flat_map(|s| s.ports.iter().flatten()).filter_map(|p| p.node_port).collect();
    if ports.is_empty() {
        return Output::error(format!(
            "kubeground: Service {namespace}/{name} has no node port (type ClusterIP); minikube's port-forwarding to it is not simulated\n"
        ));
    }
    let ip = primary_ip(cluster);
    Output::ok(ports.iter().map(|p| format!("http://{ip}:{p}\n")).collect::<String>())
}
