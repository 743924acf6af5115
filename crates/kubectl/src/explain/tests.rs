//! Table tests for `kubectl explain`, and a byte-for-byte comparison with real kubectl's output over the same
//! documentation (`testdata/kubectl-1.33-captures.txt`). No v1.34 binary was at hand: kubectl v1.31, v1.32 and
//! v1.33 print these cases identically, and v1.34 is taken to as well.

use super::*;
use crate::flags::parse;

fn explain(line: &str) -> Output {
    let args: Vec<String> = line.split_whitespace().map(String::from).collect();
    match parse(&args, FLAGS) {
        Ok(parsed) => run(&parsed),
        Err(e) => Output::error(e),
    }
}

const PODS: &str = "KIND:       Pod
VERSION:    v1

DESCRIPTION:
    Pod is a collection of containers that can run on a host. This resource is
    created by clients and scheduled onto hosts.
    
FIELDS:
  apiVersion\t<string>
    APIVersion defines the versioned schema of this representation of an object.
    Servers should convert recognized schemas to the latest internal value, and
    may reject unrecognized values. More info:
    https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources

  kind\t<string>
";

const CONTAINERS: &str = "KIND:       Pod
VERSION:    v1

FIELD: containers <[]Container>


DESCRIPTION:
    List of containers belonging to the pod. Containers cannot currently be
    added or removed. There must be at least one container in a Pod. Cannot be
    updated.
    A single application container that you want to run within a pod.
    
FIELDS:
  args\t<[]string>
";

const STRATEGY: &str = "GROUP:      apps
KIND:       Deployment
VERSION:    v1

FIELD: strategy <DeploymentStrategy>


DESCRIPTION:
    The deployment strategy to use to replace existing pods with new ones.
    DeploymentStrategy describes how to replace existing pods with new ones.
    
FIELDS:
  rollingUpdate\t<RollingUpdateDeployment>
    Rolling update config params. Present only if DeploymentStrategyType =
    RollingUpdate.

  type\t<string>
    Type of deployment. Can be \"Recreate\" or \"RollingUpdate\". Default is
    RollingUpdate.


";

const SVC_RECURSIVE: &str = "KIND:       Service
VERSION:    v1

DESCRIPTION:
    Service is a named abstraction of software service (for example, mysql)
    consisting of local port (for example 3306) that the proxy listens on, and
    the selector that determines which pods will answer requests sent through
    the proxy.
    
FIELDS:
  apiVersion\t<string>
  kind\t<string>
  metadata\t<ObjectMeta>
    annotations\t<map[string]string>
    creationTimestamp\t<string>
";

#[test]
fn explains_like_kubectl() {
    // (command line, expected stdout prefix, expected stderr, exit code)
    let cases: &[(&str, &str, &str, i32)] = &[
        ("pods", PODS, "", 0),
        ("Pod", PODS, "", 0),
        ("po --api-version=v1", PODS, "", 0),
        ("pods.spec.containers", CONTAINERS, "", 0),
        ("deployment.spec.strategy", STRATEGY, "", 0),
        ("svc --recursive", SVC_RECURSIVE, "", 0),
        ("", "", NO_TYPE, 1),
        ("pods a", "", "error: We accept only this format: explain RESOURCE\n", 1),
        ("foo", "", "the server doesn't have a resource type \"foo\"\n", 1),
        ("foo.bar", "", "the server doesn't have a resource type \"foo\"\n", 1),
        ("pods.foo", "KIND:       Pod\nVERSION:    v1\n\n", "error: field \"foo\" does not exist\n", 1),
        // kubectl names the last element of the path, not the first missing one.
        ("pods.foo.bar", "KIND:       Pod\nVERSION:    v1\n\n", "error: field \"bar\" does not exist\n", 1),
        ("pods.spec.restartPolicy.x", "KIND:       Pod\nVERSION:    v1\n\n", "error: field \"x\" does not exist\n", 1),
        ("pods.", "KIND:       Pod\nVERSION:    v1\n\n", "error: field \"\" does not exist\n", 1),
        ("pods --api-version=v2", "", "error: couldn't find resource for \"/v2, Resource=pods\"\n", 1),
        ("deploy --api-version=v1", "", "error: GVR (/v1, Resource=deployments) not found in OpenAPI schema\n", 1),
        ("deploy --api-version=apps/v1", "GROUP:      apps\nKIND:       Deployment\n", "", 0),
    ];
    for (line, stdout, stderr, code) in cases {
        let out = explain(line);
        assert!(out.stdout.starts_with(stdout), "{line}:\n{}", out.stdout);
        if stdout.is_empty() || stdout.ends_with("\n\n\n") {
            assert_eq!(out.stdout, *stdout, "{line}");
        }
        assert_eq!(out.stderr, *stderr, "{line}");
        assert_eq!(out.exit_code, *code, "{line}");
    }
}

#[test]
fn error_paths_print_only_the_header() {
    for line in ["pods.foo", "deploy.v1.apps"] {
        let out = explain(line);
        assert_eq!(out.exit_code, 1);
        assert!(out.stdout.ends_with("VERSION:    v1\n\n"), "{line}: {}", out.stdout);
    }
}

#[test]
fn every_kind_and_every_field_explains() {
    // Walks every field of every kind one level down: nothing may fail or panic.
    for kind in schema::docs().kinds.iter() {
        let out = explain(kind.kind);
        assert_eq!(out.exit_code, 0, "{}", kind.kind);
        let Some(ty) = schema::docs().type_doc(kind.ty) else { continue };
        for field in &ty.fields {
            let line = format!("{}.{}", kind.kind, field.name);
            let out = explain(&line);
            assert_eq!(out.exit_code, 0, "{line}: {}", out.stderr);
            assert!(out.stdout.contains(&format!("FIELD: {} <{}>", field.name, field.ty)), "{line}");
        }
        assert_eq!(explain(&format!("{} --recursive", kind.kind)).exit_code, 0);
    }
}

/// The captures file: `=== args\trc\tstdout bytes\tstderr bytes\n` then both streams verbatim.
fn captures() -> Vec<(String, i32, String, String)> {
    let data = include_str!("testdata/kubectl-1.33-captures.txt");
    let mut cases = Vec::new();
    let mut rest = data;
    while let Some(start) = rest.find("=== ") {
        rest = &rest[start + 4..];
        let Some((header, body)) = rest.split_once('\n') else { break };
        let cols: Vec<&str> = header.split('\t').collect();
        let [args, rc, out_len, err_len] = cols.as_slice() else { panic!("bad header {header:?}") };
        let (out_len, err_len): (usize, usize) = (out_len.parse().unwrap_or(0), err_len.parse().unwrap_or(0));
        let stdout = body.get(..out_len).unwrap_or_default().to_string();
        let stderr = body.get(out_len..out_len + err_len).unwrap_or_default().to_string();
        cases.push((args.to_string(), rc.parse().unwrap_or(-1), stdout, stderr));
        rest = body.get(out_len + err_len..).unwrap_or_default();
    }
    cases
}

#[test]
fn matches_real_kubectl_byte_for_byte() {
    let cases = captures();
    assert!(cases.len() >= 28, "{}", cases.len());
    for (args, rc, stdout, stderr) in cases {
        let out = explain(&args);
        assert_eq!(out.stdout, stdout, "stdout of `kubectl explain {args}`");
        assert_eq!(out.stderr, stderr, "stderr of `kubectl explain {args}`");
        assert_eq!(out.exit_code, rc, "exit code of `kubectl explain {args}`");
    }
}
