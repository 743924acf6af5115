//! The `kubeground` binary itself: its exit codes and its standard input and file handling (CONTRACT §1).

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn kubeground(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kubeground"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kubeground starts");
    child.stdin.take().expect("piped").write_all(stdin.as_bytes()).expect("stdin written");
    child.wait_with_output().expect("kubeground finishes")
}

#[test]
fn run_reads_standard_input_and_exits_0_even_when_commands_fail() {
    let out = kubeground(&["run", "-"], "kubectl get node nope\nkubectl get no worker-1 -o name\n");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "$ kubectl get node nope\nError from server (NotFound): nodes \"nope\" not found\n\
$ kubectl get no worker-1 -o name\nnode/worker-1\n"
    );
}

#[test]
fn run_reads_a_file_and_honours_the_seed() {
    let dir = std::env::temp_dir().join(format!("kubeground-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("s.sh");
    std::fs::write(&file, "kubectl get node worker-1 -o json\n").unwrap();
    let path = file.to_str().unwrap();
    let a = kubeground(&["run", path, "--seed", "3"], "");
    let b = kubeground(&["run", path, "--seed", "3"], "");
    let c = kubeground(&["run", path, "--seed", "4"], "");
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(a.status.code(), Some(0));
    assert_eq!(a.stdout, b.stdout);
    assert_ne!(a.stdout, c.stdout, "UIDs and machine IDs come from the seed");
}

#[test]
fn unparsable_or_unreadable_scripts_exit_2_naming_the_line() {
    let out = kubeground(&["run", "-"], "kubectl get nodes\nkubectl apply -f - <<EOF\nkind: Pod\n");
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "kubeground: <stdin>: line 2: unterminated heredoc: no line \"EOF\" closes it\n"
    );
    let missing = kubeground(&["run", "/nonexistent/script.sh"], "");
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8(missing.stderr).unwrap().starts_with("kubeground: cannot read /nonexistent/script.sh"));
}

#[test]
fn version_and_help() {
    let v = kubeground(&["--version"], "");
    assert_eq!(v.status.code(), Some(0));
    assert_eq!(String::from_utf8(v.stdout).unwrap(), "kubeground 0.0.0\n");
    let h = kubeground(&["--help"], "");
    assert!(String::from_utf8(h.stdout).unwrap().contains("run"));
}
