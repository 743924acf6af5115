//! The official Python `kubernetes` client (PyPI, pinned in scripts/setup.sh) against `kubeground serve`:
//! `tests/python/client_test.py` creates a Deployment, a Service and a Pod, lists, watches, patches and deletes
//! through it, asserting each answer.
//!
//! The client lives in the venv `target/py` that `scripts/setup.sh --test` makes (`KUBEGROUND_PYTHON` names
//! another interpreter). Without it the test says so and passes, except under CI (`CI` set), where a missing
//! client is a failure.

mod common;

use std::path::PathBuf;
use std::process::Command;

fn python() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("KUBEGROUND_PYTHON") {
        return Some(PathBuf::from(p));
    }
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/py/bin/python");
    venv.is_file().then_some(venv)
}

#[test]
fn the_python_client_creates_lists_watches_patches_and_deletes() {
    let Some(python) = python() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "the Python kubernetes client is missing (target/py): scripts/setup.sh --test installs it"
        );
        println!("SKIPPED: no Python kubernetes client in target/py (run scripts/setup.sh --test to install it)");
        return;
    };
    let dir = common::temp_dir("python-client");
    let kubeconfig = dir.join("kubeconfig");
    let _server = common::start_server(7, "1", &kubeconfig);
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/python/client_test.py");
    let out = Command::new(&python).arg(&script).arg(&kubeconfig).output().expect("python runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(out.status.success(), "the Python client's checks failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("all checks passed"), "{stdout}");
}
