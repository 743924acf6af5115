//! kubectl for the simulated cluster.
//!
//! [`run`] takes a command line (already split into words, without the leading `kubectl`), turns it into
//! requests against the engine and returns exactly what real kubectl v1.34 would print, split into stdout
//! and stderr, with its exit code. This crate owns kubectl's formats and error texts; the engine owns what
//! the cluster does. Like the engine, it never touches files, clocks or the terminal itself.

pub mod apply;
pub mod builder;
pub mod client;
pub mod cluster_cmds;
pub mod commands;
pub mod create;
pub mod delete;
pub mod describe;
pub mod describe_cmd;
pub mod drain;
pub mod duration;
pub mod edit;
pub mod events_cmd;
pub mod explain;
pub mod flags;
pub mod generate;
pub mod get;
pub mod io;
pub mod manifest;
pub mod modify;
pub mod output;
pub mod pods_cmd;
pub mod printers;
pub mod printing;
pub mod resource;
pub mod rollout;
pub mod table;
pub mod wait;

pub use io::{Files, Io, NoFiles};

use engine::topology::KUBERNETES_VERSION;
use engine::Cluster;
use flags::{flag, FlagKind, FlagSpec};

/// What a command printed and how it exited.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Output {
    pub stdout: String,
    pub stderr: String,
    pub exit_code: i32,
}

impl Output {
    pub fn ok(stdout: impl Into<String>) -> Output {
        Output { stdout: stdout.into(), ..Default::default() }
    }

    /// A failed command: `stderr` as given, exit code 1.
    pub fn error(stderr: impl Into<String>) -> Output {
        Output { stderr: stderr.into(), exit_code: 1, ..Default::default() }
    }

    /// Records one failure of a command that goes on with its other objects.
    pub fn fail(&mut self, message: impl AsRef<str>) {
        self.stderr.push_str(message.as_ref());
        self.exit_code = 1;
    }
}

/// Flags every kubectl command accepts.
const GLOBAL_FLAGS: &[FlagSpec] = &[flag("namespace", Some('n'), FlagKind::String)];

/// Commands real kubectl has that the playground does not simulate: the answer says so plainly.
fn not_simulated(command: &str) -> Output {
    Output::error(format!("error: kubeground does not simulate \"kubectl {command}\" yet\n"))
}

/// The flags a simulated command accepts (the global ones included), or `None` for a command the playground
/// does not simulate. `edit` is listed for completion; without an editor `run` refuses it first.
pub fn command_flags(command: &str) -> Option<Vec<FlagSpec>> {
    Some(match command {
        "get" => [GLOBAL_FLAGS, get::FLAGS].concat(),
        "apply" => [GLOBAL_FLAGS, apply::FLAGS].concat(),
        "create" => [GLOBAL_FLAGS, create::FLAGS].concat(),
        "delete" => [GLOBAL_FLAGS, delete::FLAGS].concat(),
        "label" | "annotate" => [GLOBAL_FLAGS, modify::LABEL_FLAGS].concat(),
        "scale" => [GLOBAL_FLAGS, modify::SCALE_FLAGS].concat(),
        "set" => [GLOBAL_FLAGS, modify::SET_FLAGS].concat(),
        "patch" => [GLOBAL_FLAGS, modify::PATCH_FLAGS].concat(),
        "run" => [GLOBAL_FLAGS, generate::RUN_FLAGS].concat(),
        "api-resources" => [GLOBAL_FLAGS, cluster_cmds::API_RESOURCES_FLAGS].concat(),
        "cluster-info" => GLOBAL_FLAGS.to_vec(),
        "events" => [GLOBAL_FLAGS, events_cmd::FLAGS].concat(),
        "describe" => [GLOBAL_FLAGS, describe_cmd::FLAGS].concat(),
        "explain" => [GLOBAL_FLAGS, explain::FLAGS].concat(),
        "wait" => [GLOBAL_FLAGS, wait::FLAGS].concat(),
        "rollout" => [GLOBAL_FLAGS, rollout::FLAGS].concat(),
        "cordon" | "uncordon" => [GLOBAL_FLAGS, cluster_cmds::CORDON_FLAGS].concat(),
        "taint" => [GLOBAL_FLAGS, cluster_cmds::TAINT_FLAGS].concat(),
        "drain" => [GLOBAL_FLAGS, cluster_cmds::DRAIN_FLAGS].concat(),
        "expose" => [GLOBAL_FLAGS, generate::EXPOSE_FLAGS].concat(),
        "version" => [GLOBAL_FLAGS, &[flag("client", None, FlagKind::Bool)][..]].concat(),
        "logs" => [GLOBAL_FLAGS, pods_cmd::LOGS_FLAGS].concat(),
        "exec" => [GLOBAL_FLAGS, pods_cmd::EXEC_FLAGS].concat(),
        "edit" => [GLOBAL_FLAGS, edit::FLAGS].concat(),
        _ => return None,
    })
}

/// Runs one kubectl command line against `cluster`, with `io` as its standard input and files.
pub fn run(cluster: &mut Cluster, args: &[String], io: &Io) -> Output {
    let Some((pos, command)) = find_command(args) else {
        return Output::ok(help_text());
    };
    let mut rest: Vec<String> = args[..pos].to_vec();
    rest.extend_from_slice(&args[pos + 1..]);
    let specs = match command.as_str() {
        "edit" => return Output::error(edit::NO_EDITOR),
        c => match command_flags(c) {
            Some(specs) => specs,
            None if commands::KUBECTL_COMMANDS.contains(&c) => return not_simulated(c),
            None => return Output::error(commands::unknown_command(c)),
        },
    };
    // `exec` takes its command after `--` verbatim (cobra's ArgsLenAtDash).
    let mut exec_command: Option<Vec<String>> = None;
    if command == "exec" {
        if let Some(dash) = rest.iter().position(|a| a == "--") {
            exec_command = Some(rest[dash + 1..].to_vec());
            rest.truncate(dash);
        }
    }
    let parsed = match flags::parse(&rest, &specs) {
        Ok(p) => p,
        Err(e) => return Output::error(format!("Error: {e}\nSee 'kubectl {command} --help' for usage.\n")),
    };
    let namespace = parsed.string("namespace").unwrap_or("default").to_string();
    let explicit_ns = parsed.has("namespace");
    client::set_field_manager(client::field_manager_of(&command));
    printing::set_show_managed_fields(parsed.bool("show-managed-fields"));
    client::take_read_warnings();
    let mut out = dispatch(cluster, &command, &parsed, &namespace, explicit_ns, io, exec_command.as_deref());
    let warnings = client::take_read_warnings();
    if !warnings.is_empty() {
        out.stderr = warnings + &out.stderr;
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn dispatch(
    cluster: &mut Cluster,
    command: &str,
    parsed: &flags::Parsed,
    namespace: &str,
    explicit_ns: bool,
    io: &Io,
    exec_command: Option<&[String]>,
) -> Output {
    match command {
        "get" => get::run(cluster, parsed, namespace, io),
        "apply" => apply::run(cluster, parsed, namespace, explicit_ns, io),
        "create" => create::run(cluster, parsed, namespace, explicit_ns, io),
        "delete" => delete::run(cluster, parsed, namespace, explicit_ns, io),
        "label" => modify::label_or_annotate(cluster, parsed, namespace, explicit_ns, io, "labels"),
        "annotate" => modify::label_or_annotate(cluster, parsed, namespace, explicit_ns, io, "annotations"),
        "scale" => modify::scale(cluster, parsed, namespace),
        "set" => modify::set(cluster, parsed, namespace, explicit_ns, io),
        "patch" => modify::patch(cluster, parsed, namespace),
        "run" => generate::run(cluster, parsed, namespace, explicit_ns, io),
        "api-resources" => cluster_cmds::api_resources(parsed),
        "cluster-info" => cluster_cmds::cluster_info(cluster),
        "events" => events_cmd::run(cluster, parsed, namespace),
        "describe" => describe_cmd::run(cluster, parsed, namespace),
        "explain" => explain::run(parsed),
        "wait" => wait::run(cluster, parsed, namespace),
        "rollout" => rollout::run(cluster, parsed, namespace),
        "cordon" => cluster_cmds::cordon(cluster, parsed, true),
        "uncordon" => cluster_cmds::cordon(cluster, parsed, false),
        "taint" => cluster_cmds::taint(cluster, parsed),
        "drain" => cluster_cmds::drain(cluster, parsed),
        "expose" => generate::expose(cluster, parsed, namespace, explicit_ns, io),
        "version" => version(parsed.bool("client")),
        "logs" => pods_cmd::logs(cluster, parsed, namespace),
        "exec" => pods_cmd::exec(cluster, parsed, namespace, exec_command),
        _ => unreachable!("every command in the table above is dispatched"),
    }
}

/// The position and name of the command word, skipping global flags and their values.
fn find_command(args: &[String]) -> Option<(usize, String)> {
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if a == "-n" || a == "--namespace" {
            i += 2;
            continue;
        }
        if a.starts_with('-') {
            i += 1;
            continue;
        }
        return Some((i, a.clone()));
    }
    None
}

fn version(client_only: bool) -> Output {
    let mut s = format!("Client Version: {KUBERNETES_VERSION}\nKustomize Version: v5.7.1\n");
    if !client_only {
        s.push_str(&format!("Server Version: {KUBERNETES_VERSION}\n"));
    }
    Output::ok(s)
}

fn help_text() -> String {
    let mut s = String::from(
        "kubectl controls the Kubernetes cluster manager.\n\n Find more information at: \
https://kubernetes.io/docs/reference/kubectl/\n\nCommands simulated here:\n",
    );
    for (name, what) in [
        ("create", "Create a resource from a file or from stdin"),
        ("get", "Display one or many resources"),
        ("delete", "Delete resources by file names, stdin, resources and names, or by resources and label selector"),
        ("apply", "Apply a configuration to a resource by file name or stdin"),
        ("describe", "Show details of a specific resource or group of resources"),
        ("explain", "Get documentation for a resource"),
        ("version", "Print the client and server version information"),
    ] {
        s.push_str(&format!("  {name:<16}{what}\n"));
    }
    s.push_str("\nUsage:\n  kubectl [flags] [options]\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kubectl(line: &str) -> Output {
        let mut cluster = Cluster::new(0);
        let args: Vec<String> = line.split_whitespace().map(String::from).collect();
        run(&mut cluster, &args, &Io::none())
    }

    #[test]
    fn get_nodes_prints_the_default_cluster() {
        let out = kubectl("get nodes");
        assert_eq!(
            out.stdout,
            "NAME              STATUS   ROLES           AGE   VERSION
control-plane-1   Ready    control-plane   0s    v1.34.0
control-plane-2   Ready    control-plane   0s    v1.34.0
control-plane-3   Ready    control-plane   0s    v1.34.0
worker-1          Ready    <none>          0s    v1.34.0
worker-2          Ready    <none>          0s    v1.34.0
"
        );
        assert_eq!((out.stderr.as_str(), out.exit_code), ("", 0));
    }

    #[test]
    fn errors_go_to_stderr_with_exit_code_1() {
        let out = kubectl("get node worker-9");
        assert_eq!(out.stderr, "Error from server (NotFound): nodes \"worker-9\" not found\n");
        assert_eq!((out.stdout.as_str(), out.exit_code), ("", 1));
        assert_eq!(
            kubectl("get nodes --bogus").stderr,
            "Error: unknown flag: --bogus\nSee 'kubectl get --help' for usage.\n"
        );
        assert_eq!(kubectl("get foo").stderr, "error: the server doesn't have a resource type \"foo\"\n");
        assert_eq!(kubectl("gett nodes").exit_code, 1);
        assert!(kubectl("proxy").stderr.contains("does not simulate"));
    }

    #[test]
    fn global_namespace_flag_before_the_command() {
        assert_eq!(kubectl("-n kube-system get nodes").exit_code, 0);
    }
}
