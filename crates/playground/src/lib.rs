//! The façade every UI uses: the page, `kubeground run`, and tests.
//!
//! A [`Playground`] is a cluster plus the session that built it: a seed and a log of everything done to it
//! (commands and time steps). Replaying the log from the seed rebuilds any moment, which is what rewind,
//! share links and bug reports rest on. Views are plain data ([`Snapshot`]); nothing here knows a browser
//! or a terminal.

pub mod complete;
#[cfg(not(target_arch = "wasm32"))]
mod disk;
pub mod export;
pub mod inspect;
pub mod lesson;
pub mod manifest;
pub mod minikube;
pub mod script;
pub mod share;
pub mod shell;
pub mod snapshot;
pub mod stream;
pub mod views;

use serde::{Deserialize, Serialize};

#[cfg(not(target_arch = "wasm32"))]
pub use disk::DiskFiles;
use engine::clock::Millis;
use engine::Cluster;
pub use kubectl::{Files, Output};
pub use script::{ParseError, ScriptCommand};
pub use snapshot::{ComponentView, NodeView, OwnerView, PodView, QueuedPod, ServiceView, Snapshot};

/// One thing done to the cluster, in order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum SessionEntry {
    /// A command line as typed, with its heredoc body if any.
    Exec {
        line: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        stdin: Option<String>,
    },
    /// Simulated time advanced by `ms` outside any command (the page's clock, the Step button).
    Step { ms: Millis },
    /// The editor of a `kubectl edit` was saved with this text (cancelling saves the buffer unchanged).
    Edit { text: String },
}

/// A seed and the log of everything done since: enough to rebuild the cluster exactly.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub seed: u64,
    pub entries: Vec<SessionEntry>,
    /// Whether the UI has an editor for `kubectl edit` (the page does; `kubeground run` does not).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub editor: bool,
}

/// What one command printed, with the command as the transcript echoes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandResult {
    pub command: String,
    pub output: Output,
}

impl CommandResult {
    /// `$ command`, then stdout, then stderr: the transcript form of CONTRACT §2.
    /// Output that does not end its last line (`-o jsonpath=…`) gets a line break, so that the next `$ `
    /// starts a line as a terminal's next prompt visibly does.
    pub fn transcript(&self) -> String {
        let mut t = format!("$ {}\n{}{}", self.command, self.output.stdout, self.output.stderr);
        if !t.ends_with('\n') {
            t.push('\n');
        }
        t
    }
}

pub struct Playground {
    cluster: Cluster,
    session: Session,
    files: Box<dyn kubectl::Files>,
    /// A `kubectl edit` waiting for its editor to be saved.
    editing: Option<kubectl::edit::Edit>,
}

impl Playground {
    /// A fresh default cluster (CONTRACT §3) at simulated time 0.
    pub fn new(seed: u64) -> Playground {
        Playground {
            cluster: Cluster::new(seed),
            session: Session { seed, entries: Vec::new(), editor: false },
            files: Box::new(kubectl::NoFiles),
            editing: None,
        }
    }

    /// A UI with an editor: `kubectl edit` opens it ([`Playground::editing`]) instead of being refused.
    pub fn with_editor(mut self) -> Playground {
        self.session.editor = true;
        self
    }

    /// Where `-f` paths are read from (the script's folder for `kubeground run`; nothing by default).
    pub fn with_files(mut self, files: Box<dyn kubectl::Files>) -> Playground {
        self.files = files;
        self
    }

    /// Rebuilds the cluster a session describes by replaying it from its seed.
    pub fn replay(session: &Session) -> Playground {
        Playground::replay_until(session, Millis::MAX)
    }

    /// Rebuilds the cluster as it was at simulated time `at` (the page's rewind): the session replayed from
    /// its seed until the clock reaches `at`, a time step cut short there. A command that itself lets time
    /// pass (`sleep`, `kubectl wait`) runs whole if it started before `at`. The result's session is the log
    /// up to that moment, so continuing from it branches the session there.
    pub fn replay_until(session: &Session, at: Millis) -> Playground {
        let mut pg = Playground::new(session.seed);
        pg.session.editor = session.editor;
        for entry in &session.entries {
            if pg.now() >= at && at != Millis::MAX {
                break;
            }
            match entry {
                SessionEntry::Exec { line, stdin } => {
                    // Only lines that parsed were logged, so this cannot fail for a session we wrote; a
                    // hand-edited one that does not parse is skipped rather than trusted.
                    if let Ok(mut cmd) = script::parse_command(line) {
                        cmd.stdin = stdin.clone();
                        pg.run_command(&cmd);
                    }
                }
                SessionEntry::Step { ms } => pg.step((*ms).min(at.saturating_sub(pg.now()))),
                SessionEntry::Edit { text } => {
                    pg.save_edit(text);
                }
            }
        }
        pg
    }

    /// The `kubectl edit` whose editor is open, if any: the UI shows [`kubectl::edit::Edit::buffer`] and
    /// hands the saved text to [`Playground::save_edit`].
    pub fn editing(&self) -> Option<&kubectl::edit::Edit> {
        self.editing.as_ref()
    }

    /// Saves the open editor with `text` and returns what kubectl prints then. If the save failed in a way
    /// kubectl reopens the editor for, the edit stays open with the reasons in its buffer and the output is
    /// empty. Without an open edit nothing happens.
    pub fn save_edit(&mut self, text: &str) -> Output {
        let Some(edit) = self.editing.take() else { return Output::default() };
        self.session.entries.push(SessionEntry::Edit { text: text.to_string() });
        let saved = kubectl::edit::save(&mut self.cluster, edit, text);
        self.cluster.settle();
        match saved {
            kubectl::edit::Saved::Done(out) => out,
            kubectl::edit::Saved::Reopen(edit) => {
                self.editing = Some(edit);
                Output::default()
            }
        }
    }

    pub fn session(&self) -> &Session {
        &self.session
    }

    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    /// Simulated milliseconds since the cluster started.
    pub fn now(&self) -> Millis {
        self.cluster.now()
    }

    /// Runs what a learner typed or pasted: one or more lines, heredocs included.
    pub fn exec(&mut self, input: &str) -> Result<Vec<CommandResult>, ParseError> {
        let commands = script::parse(input)?;
        Ok(commands.iter().map(|c| self.run_command(c)).collect())
    }

    /// Runs one parsed command and records it in the session log.
    pub fn run_command(&mut self, cmd: &ScriptCommand) -> CommandResult {
        // The heredoc body is kept beside the command line so that replay feeds it again.
        self.session.entries.push(SessionEntry::Exec { line: cmd.text.clone(), stdin: cmd.stdin.clone() });
        if self.session.editor && is_kubectl_edit(&cmd.words) {
            // Like a terminal kubectl, which blocks on the editor: nothing is printed until it is saved.
            let output = match kubectl::edit::begin(&mut self.cluster, &cmd.words[1..]) {
                Ok(edit) => {
                    self.editing = Some(edit);
                    Output::default()
                }
                Err(out) => out,
            };
            return CommandResult { command: cmd.text.clone(), output };
        }
        let output = shell::run(&mut self.cluster, cmd, self.files.as_ref());
        CommandResult { command: cmd.text.clone(), output }
    }

    /// Advances simulated time by `ms` (the page's clock). Consecutive steps are merged in the log.
    pub fn step(&mut self, ms: Millis) {
        if ms == 0 {
            return;
        }
        match self.session.entries.last_mut() {
            Some(SessionEntry::Step { ms: last }) => *last += ms,
            _ => self.session.entries.push(SessionEntry::Step { ms }),
        }
        self.cluster.step(ms);
    }

    /// The cluster as plain data for views.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot::of(&self.cluster)
    }
}

/// `kubectl [global flags] edit …`.
fn is_kubectl_edit(words: &[String]) -> bool {
    let mut rest = words.iter().skip(1);
    words.first().is_some_and(|w| w == "kubectl")
        && loop {
            match rest.next().map(String::as_str) {
                Some("-n" | "--namespace") => {
                    rest.next();
                }
                Some(w) if w.starts_with('-') => {}
                Some(w) => break w == "edit",
                None => break false,
            }
        }
}

/// Runs a whole session script on a fresh cluster and returns its transcript (CONTRACT §2).
pub fn run_script(script: &str, seed: u64) -> Result<String, ParseError> {
    run_script_with_files(script, seed, Box::new(kubectl::NoFiles))
}

/// [`run_script`] with `-f` paths read through `files`.
pub fn run_script_with_files(script: &str, seed: u64, files: Box<dyn kubectl::Files>) -> Result<String, ParseError> {
    let commands = script::parse(script)?;
    let mut pg = Playground::new(seed).with_files(files);
    Ok(commands.iter().map(|c| pg.run_command(c).transcript()).collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn replay_until_rebuilds_an_earlier_moment_and_branches_there() {
        let mut p = super::Playground::new(3);
        p.exec("kubectl create deployment web --image=nginx").unwrap();
        p.step(20_000);
        p.exec("kubectl scale deployment web --replicas=3").unwrap();
        p.step(40_000);
        let at = 10_000;
        let then = super::Playground::replay_until(p.session(), at);
        assert_eq!(then.now(), at);
        let web = |pg: &super::Playground| pg.snapshot().pods.iter().filter(|p| p.name.starts_with("web-")).count();
        assert_eq!((web(&then), web(&p)), (1, 3));
        // Its log ends at that moment: one command and a 10 s step.
        assert_eq!(then.session().entries.len(), 2);
        assert_eq!(then.session().entries[1], super::SessionEntry::Step { ms: 10_000 });
        // The whole session again is the same cluster as the live one.
        let again = super::Playground::replay_until(p.session(), p.now());
        assert_eq!(again.snapshot(), p.snapshot());
        assert_eq!(super::Playground::replay_until(p.session(), 0).now(), 0);
    }

    use super::*;

    #[test]
    fn transcript_echoes_commands_then_output() {
        let t = run_script("kubectl get node worker-1 -o name\nkubectl get node nope\n", 0).unwrap();
        assert_eq!(
            t,
            "$ kubectl get node worker-1 -o name\nnode/worker-1\n$ kubectl get node nope\n\
Error from server (NotFound): nodes \"nope\" not found\n"
        );
    }

    #[test]
    fn sleep_advances_simulated_time_and_age() {
        let t = run_script("sleep 2m 30s\nkubectl get node worker-1 --no-headers\n", 0).unwrap();
        assert!(t.contains("worker-1   Ready   <none>   2m30s   v1.34.0\n"), "{t}");
    }

    #[test]
    fn replaying_a_session_rebuilds_the_same_moment() {
        let mut pg = Playground::new(5);
        pg.exec("kubectl get nodes").unwrap();
        pg.step(400);
        pg.step(600);
        pg.exec("sleep 10\nkubectl version\necho hi <<EOF\nbody\nEOF").unwrap();
        assert_eq!(pg.session().entries.len(), 5);
        assert_eq!(
            pg.session().entries[4],
            SessionEntry::Exec { line: "echo hi <<EOF".into(), stdin: Some("body\n".into()) }
        );
        let json = serde_json::to_string(pg.session()).unwrap();
        let again = Playground::replay(&serde_json::from_str(&json).unwrap());
        assert_eq!(again.now(), 11_000);
        assert_eq!(again.snapshot(), pg.snapshot());
        assert_eq!(again.session(), pg.session());
    }

    #[test]
    fn kubectl_edit_opens_the_editor_and_replays() {
        let mut pg = Playground::new(3).with_editor();
        pg.exec("kubectl create deployment web --image=nginx").unwrap();
        let r = pg.exec("kubectl edit deploy web").unwrap();
        assert_eq!(r[0].output, Output::default());
        let buffer = pg.editing().expect("editor open").buffer().to_string();
        let out = pg.save_edit(&buffer.replacen("replicas: 1", "replicas: 2", 1));
        assert_eq!(out.stdout, "deployment.apps/web edited\n");
        assert!(pg.editing().is_none());
        let again = Playground::replay(&serde_json::from_str(&serde_json::to_string(pg.session()).unwrap()).unwrap());
        assert_eq!(again.snapshot(), pg.snapshot());
        // Without an editor (scripts) the command is refused, as before.
        let t = run_script("kubectl edit deploy web\n", 0).unwrap();
        assert!(t.contains("a script does not have"), "{t}");
    }

    #[test]
    fn unknown_programs_and_operators_are_answered_plainly() {
        let t = run_script("grep x\nkubectl get nodes | wc -l\n", 0).unwrap();
        assert!(t.contains("sh: grep: not found\n"), "{t}");
        assert!(t.contains("the shell operator '|' is not supported"), "{t}");
    }
}
