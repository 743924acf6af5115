//! The page's manifest editor as plain data: a starting manifest for each kind a learner creates, the
//! command its Apply button runs, the editor's YAML highlighting, and the line an apply error points at.

/// A starting manifest per kind, in the form the Kubernetes documentation uses.
pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "Pod",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels:\n    app: web\nspec:\n  containers:\n  - name: nginx\n    image: nginx:1.27\n    ports:\n    - containerPort: 80\n",
    ),
    (
        "Deployment",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: nginx\n        image: nginx:1.27\n        ports:\n        - containerPort: 80\n",
    ),
    (
        "Service",
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  type: ClusterIP\n  selector:\n    app: web\n  ports:\n  - port: 80\n    targetPort: 80\n",
    ),
    (
        "ReplicaSet",
        "apiVersion: apps/v1\nkind: ReplicaSet\nmetadata:\n  name: web\nspec:\n  replicas: 3\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: nginx\n        image: nginx:1.27\n",
    ),
    (
        "StatefulSet",
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: db\nspec:\n  clusterIP: None\n  selector:\n    app: db\n  ports:\n  - port: 6379\n---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\nspec:\n  serviceName: db\n  replicas: 3\n  selector:\n    matchLabels:\n      app: db\n  template:\n    metadata:\n      labels:\n        app: db\n    spec:\n      containers:\n      - name: redis\n        image: redis:7\n        volumeMounts:\n        - name: data\n          mountPath: /data\n  volumeClaimTemplates:\n  - metadata:\n      name: data\n    spec:\n      accessModes: [\"ReadWriteOnce\"]\n      resources:\n        requests:\n          storage: 1Gi\n",
    ),
    (
        "DaemonSet",
        "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: node-agent\nspec:\n  selector:\n    matchLabels:\n      app: node-agent\n  template:\n    metadata:\n      labels:\n        app: node-agent\n    spec:\n      containers:\n      - name: agent\n        image: busybox:1.36\n        command: [\"sh\", \"-c\", \"sleep 3600\"]\n",
    ),
    (
        "Job",
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: pi\nspec:\n  completions: 1\n  backoffLimit: 4\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: pi\n        image: busybox:1.36\n        command: [\"sh\", \"-c\", \"echo 3.14159\"]\n",
    ),
    (
        "CronJob",
        "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: tick\nspec:\n  schedule: \"*/1 * * * *\"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: OnFailure\n          containers:\n          - name: tick\n            image: busybox:1.36\n            command: [\"sh\", \"-c\", \"date\"]\n",
    ),
    (
        "ConfigMap",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  color: blue\n  app.properties: |\n    mode=fast\n",
    ),
    ("Secret", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db-pass\ntype: Opaque\nstringData:\n  password: s3cret\n"),
    (
        "PersistentVolumeClaim",
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\nspec:\n  accessModes: [\"ReadWriteOnce\"]\n  resources:\n    requests:\n      storage: 1Gi\n",
    ),
    (
        "PersistentVolume",
        "apiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: manual\nspec:\n  capacity:\n    storage: 2Gi\n  accessModes: [\"ReadWriteOnce\"]\n  persistentVolumeReclaimPolicy: Retain\n  storageClassName: manual\n  hostPath:\n    path: /data/manual\n",
    ),
    (
        "StorageClass",
        "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: slow\nprovisioner: k8s.io/minikube-hostpath\nreclaimPolicy: Retain\nvolumeBindingMode: WaitForFirstConsumer\n",
    ),
    ("Namespace", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n"),
    ("ServiceAccount", "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: builder\n"),
    (
        "PodDisruptionBudget",
        "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: web\nspec:\n  minAvailable: 2\n  selector:\n    matchLabels:\n      app: web\n",
    ),
];

/// The command the Apply button runs: `kubectl apply -f -` with the editor's text on standard input, through a
/// heredoc whose end marker does not occur in the text (`EOF`, else `EOF1`, …).
pub fn apply_command(text: &str) -> String {
    let mut marker = "EOF".to_string();
    let mut n = 0;
    while text.lines().any(|l| l.trim() == marker) {
        n += 1;
        marker = format!("EOF{n}");
    }
    let body = text.strip_suffix('\n').unwrap_or(text);
    format!("kubectl apply -f - <<'{marker}'\n{body}\n{marker}")
}

/// What a piece of a YAML line is, for highlighting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Token {
    Plain,
    Key,
    Value,
    Number,
    Keyword,
    Comment,
    Punct,
}

impl Token {
    /// The CSS class the page gives it.
    pub fn class(self) -> &'static str {
        match self {
            Token::Plain => "yt-plain",
            Token::Key => "yt-key",
            Token::Value => "yt-value",
            Token::Number => "yt-number",
            Token::Keyword => "yt-keyword",
            Token::Comment => "yt-comment",
            Token::Punct => "yt-punct",
        }
    }
}

/// One line of YAML cut into highlighted pieces (together they are the line, unchanged):
/// `  - name: web # x` → indent, `- `, `name`, `: `, `web`, ` `, `# x`.
pub fn highlight(line: &str) -> Vec<(Token, String)> {
    let mut out: Vec<(Token, String)> = Vec::new();
    let indent = line.len() - line.trim_start().len();
    if indent > 0 {
        out.push((Token::Plain, line[..indent].to_string()));
    }
    let mut rest = &line[indent..];
    if rest.starts_with("---") || rest.starts_with("...") {
        out.push((Token::Punct, rest.to_string()));
        return out;
    }
    while let Some(r) = rest.strip_prefix("- ").or_else(|| (rest == "-").then_some("")) {
        out.push((Token::Punct, rest[..rest.len() - r.len()].to_string()));
        rest = r;
    }
    if rest.starts_with('#') {
        out.push((Token::Comment, rest.to_string()));
        return out;
    }
    // A key: text up to `: ` (or a trailing `:`) outside quotes.
    let key_end = find_key_end(rest);
    if let Some(end) = key_end {
        out.push((Token::Key, rest[..end].to_string()));
        let after = &rest[end..];
        let colon = if after.starts_with(": ") { 2 } else { 1 };
        out.push((Token::Punct, after[..colon].to_string()));
        rest = &after[colon..];
    }
    // The value, then a trailing comment.
    let (value, comment) = split_comment(rest);
    if !value.is_empty() {
        let trimmed = value.trim_end();
        let kind = value_kind(trimmed);
        out.push((kind, trimmed.to_string()));
        if trimmed.len() < value.len() {
            out.push((Token::Plain, value[trimmed.len()..].to_string()));
        }
    }
    if !comment.is_empty() {
        out.push((Token::Comment, comment.to_string()));
    }
    out
}

fn find_key_end(s: &str) -> Option<usize> {
    if s.starts_with('"') || s.starts_with('\'') || s.starts_with('{') || s.starts_with('[') {
        return None;
    }
    let bytes = s.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'#' && (i == 0 || bytes[i - 1] == b' ') {
            return None;
        }
        if *b == b':' && (i + 1 == bytes.len() || bytes[i + 1] == b' ') {
            return (i > 0).then_some(i);
        }
    }
    None
}

/// `value # comment` → (`value `, `# comment`), ignoring `#` inside quotes or not after a space.
fn split_comment(s: &str) -> (&str, &str) {
    let mut quote: Option<u8> = None;
    let bytes = s.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        match (quote, *b) {
            (Some(q), c) if c == q => quote = None,
            (None, b'"' | b'\'') => quote = Some(*b),
            (None, b'#') if i == 0 || bytes[i - 1] == b' ' => return (&s[..i], &s[i..]),
            _ => {}
        }
    }
    (s, "")
}

fn value_kind(v: &str) -> Token {
    if matches!(v, "true" | "false" | "null" | "~" | "|" | ">" | "|-" | ">-" | "yes" | "no") {
        Token::Keyword
    } else if !v.is_empty() && v.parse::<f64>().is_ok() {
        Token::Number
    } else if v.starts_with('[') || v.starts_with('{') {
        Token::Punct
    } else {
        Token::Value
    }
}

/// The 1-based line of the editor's text an apply error points at, if it can be told: a YAML syntax error's
/// `line N` (counted within its document), or for a field error (`spec.containers[0].image: …`) the line of
/// that field's key in the document of the named object. Field lines are found by name, so they are a best
/// guess when a key repeats.
pub fn error_line(text: &str, error: &str) -> Option<usize> {
    let docs = documents(text);
    let lines: Vec<&str> = text.lines().collect();
    if let Some(n) = number_after(error, "yaml: line ") {
        // kubectl numbers lines within the document that failed: the first one that does not parse.
        let failing = docs.iter().find(|(start, len)| {
            let doc = lines[*start..start + len].join("\n");
            serde_yaml::from_str::<serde_yaml::Value>(&doc).is_err()
        });
        return failing.or(docs.first()).filter(|(_, len)| n <= *len).map(|(start, _)| start + n);
    }
    let find_key = |start: usize, len: usize, key: &str| {
        let want = format!("{key}:");
        lines[start..start + len]
            .iter()
            .position(|l| {
                let t = l.trim_start().trim_start_matches("- ");
                t == want || t.starts_with(&format!("{want} "))
            })
            .map(|i| start + i + 1)
    };
    // `strict decoding error: unknown field "spec.containers[0].imagee"`.
    if let Some(path) = error.split("unknown field \"").nth(1).and_then(|r| r.split('"').next()) {
        let key = path.rsplit('.').next()?.split('[').next()?;
        return find_key(0, lines.len(), key);
    }
    // `The Pod "web" is invalid: spec.containers[0].image: Required value`.
    let name = error.split('"').nth(1)?;
    let path = error.split(" is invalid: ").nth(1)?.split(':').next()?;
    let key = path.rsplit('.').next()?.split('[').next()?;
    let (start, len) = docs
        .iter()
        .copied()
        .find(|(start, len)| lines[*start..start + len].iter().any(|l| l.trim() == format!("name: {name}")))
        .unwrap_or((0, lines.len()));
    find_key(start, len, key)
}

/// (first line index, line count) of each `---`-separated document.
fn documents(text: &str) -> Vec<(usize, usize)> {
    let mut docs = Vec::new();
    let mut start = 0;
    let lines: Vec<&str> = text.lines().collect();
    for (i, l) in lines.iter().enumerate() {
        if l.starts_with("---") {
            docs.push((start, i - start));
            start = i + 1;
        }
    }
    docs.push((start, lines.len() - start));
    docs
}

fn number_after(s: &str, prefix: &str) -> Option<usize> {
    let at = s.find(prefix)? + prefix.len();
    let digits: String = s[at..].chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Playground;

    #[test]
    fn every_template_applies_to_a_fresh_cluster() {
        for (kind, yaml) in TEMPLATES {
            let mut pg = Playground::new(0);
            let results = pg.exec(&apply_command(yaml)).unwrap();
            let out = &results[0].output;
            assert_eq!(out.exit_code, 0, "{kind}: {}", out.stderr);
            assert!(out.stdout.contains("created"), "{kind}: {}", out.stdout);
        }
    }

    #[test]
    fn the_heredoc_marker_avoids_the_text() {
        assert_eq!(apply_command("a: 1\n"), "kubectl apply -f - <<'EOF'\na: 1\nEOF");
        assert_eq!(apply_command("a: |\n  EOF\n"), "kubectl apply -f - <<'EOF1'\na: |\n  EOF\nEOF1");
    }

    #[test]
    fn highlighting_keeps_the_line() {
        for line in [
            "  - name: web # the pod",
            "kind: Pod",
            "---",
            "    - containerPort: 80",
            "  args: [\"a\", \"b\"]",
            "# c",
            "",
        ] {
            let joined: String = highlight(line).into_iter().map(|(_, s)| s).collect();
            assert_eq!(joined, line);
        }
        let toks = highlight("  - name: web # the pod");
        assert!(toks.contains(&(Token::Key, "name".into())));
        assert!(toks.contains(&(Token::Value, "web".into())));
        assert!(toks.contains(&(Token::Comment, "# the pod".into())));
        assert_eq!(highlight("replicas: 3")[2], (Token::Number, "3".into()));
        assert_eq!(highlight("a: \"x # y\"")[2], (Token::Value, "\"x # y\"".into()));
    }

    #[test]
    fn errors_point_at_lines() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: nginx\n    imagee: nginx\n";
        let err = "The Pod \"web\" is invalid: spec.containers[0].image: Required value";
        assert_eq!(error_line(text, err), None);
        let err = "Error from server (BadRequest): error when creating \"STDIN\": Pod in version \"v1\" cannot be handled as a Pod: strict decoding error: unknown field \"spec.containers[0].imagee\"";
        assert_eq!(error_line(text, err), Some(8));
        let text2 = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: nginx\n    image: \"\"\n";
        assert_eq!(error_line(text2, "The Pod \"web\" is invalid: spec.containers[0].image: Required value"), Some(8));
        let multi = "a: 1\n---\nb: [\n";
        assert_eq!(
            error_line(multi, "error: error parsing STDIN: yaml: line 1: did not find expected node content"),
            Some(3)
        );
    }
}
