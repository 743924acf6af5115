//! Bad input of every kind gets the real error (the server's or kubectl's), and leaves the cluster exactly
//! as it was: no write happens, nothing panics.

/// A manifest (applied with `kubectl apply -f -`), and what the answer must contain.
const CASES: &[(&str, &str, &str)] = &[
    (
        "typo in a field name",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: typo\nspec:\n  containers:\n  - name: nginx\n    imagee: nginx\n",
        "Error from server (BadRequest): error when creating \"STDIN\": Pod in version \"v1\" cannot be handled as a Pod: strict decoding error: unknown field \"spec.containers[0].imagee\"",
    ),
    (
        "wrong type",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: three\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers: [{name: nginx, image: nginx}]\n",
        "Deployment in version \"v1\" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32",
    ),
    (
        // sigs.k8s.io/yaml reads YAML 1.1: an unquoted `yes` is a boolean, and the API server refuses it for a
        // string field exactly as it refuses `true`.
        "YAML 1.1 boolean in a string field",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: nginx\n        image: nginx\n        env:\n        - name: DEBUG\n          value: yes\n",
        "Error from server (BadRequest): error when creating \"STDIN\": Deployment in version \"v1\" cannot be handled as a Deployment: json: cannot unmarshal bool into Go struct field EnvVar.spec.template.spec.containers.env.value of type string",
    ),
    (
        "invalid name",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: My_Config\n",
        "The ConfigMap \"My_Config\" is invalid: metadata.name: Invalid value: \"My_Config\": a lowercase RFC 1123 subdomain must consist of",
    ),
    (
        "missing required field",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: empty\nspec:\n  containers: []\n",
        "The Pod \"empty\" is invalid: spec.containers: Required value",
    ),
    (
        "YAML syntax error",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: broken\n   labels:\n    app: broken\n",
        "error: error parsing STDIN: error converting YAML to JSON: yaml: line 5: mapping values are not allowed in this context",
    ),
    (
        "unknown kind",
        "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n",
        "error: resource mapping not found for name: \"w\" namespace: \"\" from \"STDIN\": no matches for kind \"Widget\" in version \"example.com/v1\"",
    ),
    (
        "unknown version",
        "apiVersion: apps/v2\nkind: Deployment\nmetadata:\n  name: web\n",
        "no matches for kind \"Deployment\" in version \"apps/v2\"",
    ),
    (
        "missing apiVersion and kind",
        "metadata:\n  name: x\n",
        "error: error validating \"STDIN\": error validating data: [apiVersion not set, kind not set]",
    ),
    (
        "selector does not match the template",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: other}\n    spec:\n      containers: [{name: nginx, image: nginx}]\n",
        "spec.template.metadata.labels: Invalid value: {\"app\":\"other\"}: `selector` does not match template `labels`",
    ),
    (
        "YAML alias bomb",
        "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n",
        "error converting YAML to JSON: yaml: document contains excessive aliasing",
    ),
];

fn run(script: &str) -> (String, u64, u64) {
    let mut pg = playground::Playground::new(0);
    let before = pg.cluster().store().resource_version();
    let results = pg.exec(script).expect("the script parses");
    let after = pg.cluster().store().resource_version();
    let text = results.iter().map(|r| r.transcript()).collect();
    (text, before, after)
}

#[test]
fn each_bad_manifest_gets_the_real_error_and_changes_nothing() {
    let mut failures = Vec::new();
    for (what, manifest, expected) in CASES {
        let script = format!("kubectl apply -f - <<'EOF'\n{manifest}EOF\n");
        let (out, before, after) = run(&script);
        if !out.contains(expected) {
            failures.push(format!("{what}: expected {expected:?} in:\n{out}"));
        }
        if before != after {
            failures.push(format!("{what}: the cluster changed (resourceVersion {before} -> {after})"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn duplicates_oversized_and_deep_documents() {
    // A duplicate name: the second create fails and changes nothing.
    let mut pg = playground::Playground::new(0);
    pg.exec("kubectl create configmap dup").expect("parses");
    let before = pg.cluster().store().resource_version();
    let out = pg.exec("kubectl create configmap dup").expect("parses");
    assert_eq!(out[0].output.stderr, "error: failed to create configmap: configmaps \"dup\" already exists\n");
    assert_eq!(pg.cluster().store().resource_version(), before);

    // A Secret over 1 MiB is refused by validation (created, not applied: apply would also copy it into
    // the 256 KiB last-applied annotation, which a real cluster refuses too).
    let big = "A".repeat(1024 * 1024 + 8);
    let (out, before, after) = run(&format!(
        "kubectl create -f - <<'EOF'\napiVersion: v1\nkind: Secret\nmetadata:\n  name: big\nstringData:\n  blob: {big}\nEOF\n"
    ));
    assert!(
        out.contains("The Secret \"big\" is invalid: data: Too long: may not be more than 1048576 bytes"),
        "{}",
        &out[..out.len().min(400)]
    );
    assert_eq!(before, after);

    // A 10 MB document is over the apiserver's request limit.
    let huge = "B".repeat(10 * 1024 * 1024);
    let (out, before, after) = run(&format!(
        "kubectl apply -f - <<'EOF'\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: huge\ndata:\n  blob: {huge}\nEOF\n"
    ));
    assert!(out.contains("Error from server (RequestEntityTooLarge): error when creating \"STDIN\": Request entity too large: limit is 3145728"), "{}", &out[..out.len().min(400)]);
    assert_eq!(before, after);

    // Deeply nested YAML is refused with a parse error, not a crash.
    let mut deep = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata:\n");
    for i in 1..400 {
        deep.push_str(&format!("{}x:\n", "  ".repeat(i)));
    }
    let (out, before, after) = run(&format!("kubectl apply -f - <<'EOF'\n{deep}EOF\n"));
    assert!(out.contains("error: error parsing STDIN: error converting YAML to JSON: yaml: "), "{out}");
    assert_eq!(before, after);
}
