//! Acceptance over the official documentation's example manifests (../shared/k8s/examples, CC BY 4.0, ©
//! The Kubernetes Authors): every document of a supported kind must be accepted as a real cluster accepts
//! it, and a kind the playground does not simulate must fail with kubectl's `no matches for kind` error.

use std::path::{Path, PathBuf};

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/k8s/examples")
}

fn manifests(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            manifests(&p, out);
        } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml" || x == "json") {
            out.push(p);
        }
    }
}

/// Examples a real apiserver refuses as they stand, with the reason it gives.
const REFUSED_BY_REAL_CLUSTERS: &[(&str, &str)] = &[
    // Its data values are placeholders, not base64.
    ("secret/tls-auth-secret.yaml", "illegal base64 data at input byte 7"),
    // Gt/Lt tolerations arrived after v1.34, behind the alpha gate TaintTolerationComparisonOperators.
    ("pods/pod-with-numeric-toleration.yaml", "spec.tolerations[0].operator: Unsupported value: \"Gt\""),
];

#[test]
fn every_documentation_example_of_a_supported_kind_is_created() {
    let dir = examples_dir();
    assert!(
        dir.is_dir(),
        "{} is missing: the acceptance test needs the shared examples beside the repository",
        dir.display()
    );
    let mut files = Vec::new();
    manifests(&dir, &mut files);
    let (mut created, mut unsupported, mut refused, mut failures) = (0, 0, 0, Vec::new());
    for file in &files {
        let rel = file.strip_prefix(&dir).expect("under dir").display().to_string();
        // The documentation has readers create a manifest's namespace first; so does this test.
        let text = std::fs::read_to_string(file).expect("readable example");
        let mut script = String::new();
        for line in text.lines() {
            let line = line.trim().trim_end_matches(',');
            if let Some(ns) = line.strip_prefix("namespace:") {
                let ns = ns.trim().trim_matches('"');
                if !["default", "kube-system", "kube-public"].contains(&ns) && !script.contains(ns) {
                    script.push_str(&format!("kubectl create namespace {ns}\n"));
                }
            }
        }
        script.push_str(&format!("kubectl apply -f {rel}\n"));
        let transcript =
            playground::run_script_with_files(&script, 0, Box::new(playground::DiskFiles::new(dir.clone())))
                .expect("a one-line script parses");
        let apply_output = transcript.split("$ kubectl apply").nth(1).unwrap_or_default();
        for line in apply_output.lines().skip(1) {
            if let Some(reason) = REFUSED_BY_REAL_CLUSTERS.iter().find(|(f, _)| *f == rel).map(|(_, r)| r) {
                assert!(line.contains(reason), "{rel} must be refused with {reason:?}, got {line:?}");
                refused += 1;
            } else if line.ends_with(" created") {
                created += 1;
            } else if line.contains("no matches for kind") {
                unsupported += 1;
            } else if line != "ensure CRDs are installed first" {
                failures.push(format!("{rel}: {line}"));
            }
        }
    }
    println!(
        "{} example files: {created} objects created, {refused} refused as a real cluster refuses them, \
{unsupported} of kinds not simulated, {} failures",
        files.len(),
        failures.len()
    );
    assert!(files.len() > 100, "expected the documentation examples, found {}", files.len());
    assert!(failures.is_empty(), "examples a real cluster accepts were refused:\n{}", failures.join("\n"));
}
