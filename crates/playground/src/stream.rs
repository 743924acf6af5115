//! Commands that keep printing until Ctrl-C in a terminal: `kubectl get … -w` / `--watch-only` and `kubectl
//! logs -f POD`. The command itself runs once as usual (the listing, the log so far: what a script prints);
//! a UI that can wait then [`begin`]s a [`Stream`] and [`Stream::poll`]s it as time passes for what a real
//! kubectl would print next: a row for every change of a watched object (the store's watch events), with
//! kubectl's watch table whose columns only ever widen, and each new log line.

use engine::apiserver::selectors::LabelSelector;
use engine::{Cluster, Kind, Object};

use crate::ScriptCommand;

/// What is being followed.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Spec {
    Watch { kind: Kind, namespace: Option<String>, name: Option<String>, selector: Option<String>, wide: bool },
    Logs { namespace: String, pod: String, container: String },
}

/// A command still printing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stream {
    spec: Spec,
    /// The store's resourceVersion already reported.
    seen: u64,
    /// The widths of the watch table's columns so far (kubectl pads every later row to at least these).
    widths: Vec<usize>,
    header_printed: bool,
    /// Log lines already printed.
    printed: usize,
}

/// The stream a command that just ran (`output_ok`: it succeeded) leaves open, if it is one that follows.
pub fn begin(cluster: &Cluster, cmd: &ScriptCommand, output_ok: bool) -> Option<Stream> {
    let words = &cmd.words;
    if !output_ok || words.first().map(String::as_str) != Some("kubectl") {
        return None;
    }
    let args: Vec<String> = words[1..].to_vec();
    let command_at = command_position(&args)?;
    let command = args[command_at].as_str();
    let mut rest = args[..command_at].to_vec();
    rest.extend_from_slice(&args[command_at + 1..]);
    let specs = kubectl::command_flags(command)?;
    let flags = kubectl::flags::parse(&rest, &specs).ok()?;
    let namespace = flags.string("namespace").unwrap_or("default").to_string();
    match command {
        "get" if flags.bool("watch") || flags.bool("watch-only") => {
            let selection = kubectl::builder::parse_args(&flags.args).ok()?;
            let [(kind, names)] = selection.as_slice() else { return None };
            let all = flags.bool("all-namespaces") && names.is_empty();
            let spec = Spec::Watch {
                kind: *kind,
                namespace: (kind.info().namespaced && !all).then(|| namespace.clone()),
                name: names.first().cloned(),
                selector: flags.string("selector").map(String::from),
                wide: flags.string("output") == Some("wide"),
            };
            let mut stream = Stream {
                spec,
                seen: cluster.store().resource_version(),
                widths: Vec::new(),
                header_printed: false,
                printed: 0,
            };
            if !flags.bool("watch-only") {
                // The listing the command printed set the widths, as kubectl's printer remembers them.
                let rows: Vec<Vec<String>> = stream.matching(cluster.store().list(*kind, None), cluster);
                if !rows.is_empty() {
                    stream.header_printed = true;
                    for row in std::iter::once(stream.header()).chain(rows) {
                        stream.widen(&row);
                    }
                }
            }
            Some(stream)
        }
        "logs" if flags.bool("follow") => {
            // A pod by name (not `deploy/NAME` or `-l`: those print what there is and stop here).
            let [pod] = flags.args.as_slice() else { return None };
            if pod.contains('/') {
                return None;
            }
            let Some(Object::Pod(p)) = cluster.get(Kind::Pod, &namespace, pod).ok() else { return None };
            let container = match flags.string("container") {
                Some(c) => c.to_string(),
                None => p
                    .metadata
                    .annotations
                    .as_ref()
                    .and_then(|a| a.get("kubectl.kubernetes.io/default-container").cloned())
                    .or_else(|| p.spec.as_ref().and_then(|s| s.containers.first().map(|c| c.name.clone())))?,
            };
            let printed = cluster.container_logs(&namespace, pod, &container, false).map(|l| l.len()).unwrap_or(0);
            let spec = Spec::Logs { namespace, pod: pod.clone(), container };
            Some(Stream { spec, seen: 0, widths: Vec::new(), header_printed: false, printed })
        }
        _ => None,
    }
}

/// Where the command word is among kubectl's arguments (after global flags such as `-n NS`).
fn command_position(args: &[String]) -> Option<usize> {
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "-n" | "--namespace" => i += 2,
            a if a.starts_with('-') => i += 1,
            _ => return Some(i),
        }
    }
    None
}

impl Stream {
    /// The command line's kind of stream, for the UI: `watch` or `logs`.
    pub fn kind(&self) -> &'static str {
        match self.spec {
            Spec::Watch { .. } => "watch",
            Spec::Logs { .. } => "logs",
        }
    }

    fn header(&self) -> Vec<String> {
        let Spec::Watch { kind, namespace, wide, .. } = &self.spec else { return Vec::new() };
        let mut h: Vec<String> = Vec::new();
        if namespace.is_none() && kind.info().namespaced {
            h.push("NAMESPACE".into());
        }
        h.extend(kubectl::printers::headers(*kind, *wide).into_iter().map(String::from));
        h
    }

    fn row(&self, obj: &Object, now: u64) -> Vec<String> {
        let Spec::Watch { kind, namespace, wide, .. } = &self.spec else { return Vec::new() };
        let mut r = Vec::new();
        if namespace.is_none() && kind.info().namespaced {
            r.push(obj.namespace().to_string());
        }
        r.extend(kubectl::printers::row(obj, now, *wide));
        r
    }

    fn wants(&self, obj: &Object) -> bool {
        let Spec::Watch { kind, namespace, name, selector, .. } = &self.spec else { return false };
        obj.kind() == *kind
            && namespace.as_deref().is_none_or(|ns| obj.namespace() == ns)
            && name.as_deref().is_none_or(|n| obj.name() == n)
            && selector.as_deref().is_none_or(|s| {
                LabelSelector::parse(s).map(|sel| sel.matches(obj.metadata().labels.as_ref())).unwrap_or(false)
            })
    }

    fn matching<'a>(&self, objs: impl Iterator<Item = &'a Object>, cluster: &Cluster) -> Vec<Vec<String>> {
        objs.filter(|o| self.wants(o)).map(|o| self.row(o, cluster.now())).collect()
    }

    fn widen(&mut self, cells: &[String]) {
        if self.widths.len() < cells.len() {
            self.widths.resize(cells.len(), 0);
        }
        for (w, c) in self.widths.iter_mut().zip(cells) {
            *w = (*w).max(c.chars().count());
        }
    }

    /// One table line: every cell but the last padded to its column's width so far and three spaces.
    fn line(&mut self, cells: &[String]) -> String {
        self.widen(cells);
        let mut out = String::new();
        for (i, c) in cells.iter().enumerate() {
            out.push_str(c);
            if i + 1 < cells.len() {
                let pad = self.widths[i] - c.chars().count() + 3;
                out.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push('\n');
        out
    }

    /// What the command prints next: a row per change of a watched object since the last poll (the
    /// header first if nothing was listed yet), or the log lines written since.
    pub fn poll(&mut self, cluster: &Cluster) -> String {
        match &self.spec {
            Spec::Logs { namespace, pod, container } => {
                let Ok(lines) = cluster.container_logs(namespace, pod, container, false) else { return String::new() };
                let new: String = lines.iter().skip(self.printed).map(|l| l.text.as_str()).collect();
                self.printed = lines.len();
                new
            }
            Spec::Watch { .. } => {
                let store = cluster.store();
                let now = cluster.now();
                let rows: Vec<Vec<String>> = match store.changes_since(self.seen) {
                    Some(changes) => {
                        changes.filter(|c| self.wants(&c.object)).map(|c| self.row(&c.object, now)).collect()
                    }
                    None => Vec::new(),
                };
                self.seen = store.resource_version();
                let mut out = String::new();
                if !rows.is_empty() && !self.header_printed {
                    self.header_printed = true;
                    let header = self.header();
                    // kubectl flushes after every event: the header shares only the first row's widths.
                    self.widen(&rows[0]);
                    out.push_str(&self.line(&header));
                }
                for r in rows {
                    out.push_str(&self.line(&r));
                }
                out
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Playground;

    fn run(p: &mut Playground, line: &str) -> (String, Option<Stream>) {
        let cmd = crate::script::parse_command(line).unwrap();
        let r = p.run_command(&cmd);
        let stream = begin(p.cluster(), &cmd, r.output.exit_code == 0);
        (r.output.stdout + &r.output.stderr, stream)
    }

    #[test]
    fn get_watch_prints_a_row_per_change_with_widening_columns() {
        let mut p = Playground::new(0);
        let (first, stream) = run(&mut p, "kubectl get pods -w");
        assert_eq!(first, "", "an empty namespace prints nothing while watching");
        let mut stream = stream.expect("a watch");
        p.exec("kubectl create deployment web --image=nginx").unwrap();
        let out = stream.poll(p.cluster());
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines[0].starts_with("NAME ") && lines[0].ends_with("   AGE"), "{out}");
        assert!(lines[1].starts_with("web-") && lines[1].contains("0/1     Pending   0          0s"), "{out}");
        p.step(10_000);
        let later = stream.poll(p.cluster());
        assert!(later.lines().any(|l| l.contains("ContainerCreating")), "{later}");
        let running = later.lines().find(|l| l.contains("Running")).expect("Running");
        // STATUS stays as wide as ContainerCreating made it.
        assert!(running.contains("1/1     Running             0"), "{running}");
        assert_eq!(stream.poll(p.cluster()), "", "nothing new");
        // Other kinds and namespaces are not this watch's.
        p.exec("kubectl create namespace other\nkubectl run x --image=nginx -n other\nkubectl create configmap c")
            .unwrap();
        assert_eq!(stream.poll(p.cluster()), "");
    }

    #[test]
    fn a_listing_sets_the_widths_and_flags_are_checked() {
        let mut p = Playground::new(0);
        p.exec("kubectl run web --image=nginx\nsleep 10").unwrap();
        let (first, stream) = run(&mut p, "kubectl get pods -w");
        assert!(first.starts_with("NAME   READY   STATUS    RESTARTS   AGE\nweb    1/1     Running   0"), "{first}");
        let mut stream = stream.unwrap();
        p.exec("kubectl label pod web tier=front").unwrap();
        assert_eq!(stream.poll(p.cluster()), "web    1/1     Running   0          10s\n");
        let (only, stream) = run(&mut p, "kubectl get pods --watch-only -l tier=front");
        assert_eq!(only, "");
        assert!(stream.is_some());
        let (err, stream) = run(&mut p, "kubectl get pods,svc -w");
        assert_eq!(err, "error: you may only specify a single resource type\n");
        assert!(stream.is_none());
        p.exec("kubectl run other --image=nginx").unwrap();
        let (err, _) = run(&mut p, "kubectl get pod web other -w");
        assert_eq!(err, "error: watch is only supported on individual resources and resource collections, but 2 resources were found\n");
        let (err, _) = run(&mut p, "kubectl get pod a web -w");
        assert_eq!(err, "Error from server (NotFound): pods \"a\" not found\n");
        assert!(run(&mut p, "kubectl get pods").1.is_none());
    }

    #[test]
    fn logs_follow_prints_new_lines() {
        let mut p = Playground::new(0);
        p.exec("kubectl run ticker --image=busybox -- sh -c 'i=0; while true; do echo tick $i; i=$((i+1)); sleep 5; done'\nsleep 12").unwrap();
        let (first, stream) = run(&mut p, "kubectl logs -f ticker");
        assert!(first.starts_with("tick 0\n"), "{first}");
        let mut stream = stream.expect("a follow");
        assert_eq!(stream.kind(), "logs");
        p.step(10_000);
        let next = stream.poll(p.cluster());
        assert_eq!(next.lines().count(), 2, "{next}");
        assert!(next.starts_with("tick "), "{next}");
        assert!(run(&mut p, "kubectl logs ticker").1.is_none());
    }
}
